"""An installed hearthd (sbin) starts the installed hearth-tui (libexec)
for terminal logins without --tui; from the build tree it starts the
hearth-tui beside it. Installs into a temporary DESTDIR, never onto this machine."""
import os
import subprocess
import time

import harness
from harness import Server, free_port, tmpdir
from test_install import install, options


def started_log(cmd, log):
    """Run hearthd until its banner, stop it; its log."""
    with open(log, 'w') as err:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        try:
            deadline = time.time() + 20
            out = b''
            while b'Stop:' not in out and time.time() < deadline:
                chunk = p.stdout.read1(4096)
                if not chunk:
                    break
                out += chunk
            assert b'Stop:' in out, open(log).read()
        finally:
            p.terminate()
            p.wait(timeout=20)
    with open(log) as f:
        return f.read()


def test_installed_hearthd_finds_installed_hearth_tui():
    o = options()
    dest = tmpdir()
    install(dest)
    hearthd = dest + o['sbindir'] + '/hearthd'
    log = started_log([hearthd, '--data', os.path.join(tmpdir(), 'data'),
                       '--listen', '127.0.0.1:%d' % free_port()] + harness.ALLOW_ROOT,
                      os.path.join(tmpdir(), 'installed.log'))
    # The path it will have once installed for real (DESTDIR is staging).
    want = o['libexecdir'] + '/hearth-tui'
    assert ('terminal logins start %s' % want) in log or \
        ('terminal logins cannot start %s:' % want) in log, log
    assert dest + o['sbindir'] + '/hearth-tui' not in log, log


def test_build_tree_hearthd_uses_hearth_tui_beside_it():
    srv = Server()
    with open(srv.logpath) as f:
        log = f.read()
    assert 'terminal logins start %s/hearth-tui\n' % harness.BUILD in log, log
