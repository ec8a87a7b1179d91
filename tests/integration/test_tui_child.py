"""The program hearthd starts for a terminal login is hearth-tui: the
member's screens without libssh and the libraries it brings (about half of
each login's private memory; docs/performance.md, "Terminal logins at
scale"). The member's own `hearth HOST` still connects over libssh."""
import os
import re
import subprocess

import harness
from fixtures import ok, tui, wait_until
from harness import Server


def test_terminal_login_child_does_not_map_libssh():
    srv = Server()
    key = srv.new_member('pat', name='Pat Doe')
    s = srv.session(key)
    ok(s.call('member.accept_coc'))
    s.close()
    t = tui(srv, key, 'pat')
    try:
        t.wait_for('Home', timeout=15)
        pids = []

        def spawned():
            with open(srv.logpath, errors='replace') as f:
                pids[:] = [int(m) for m in re.findall(r'TUI pid (\d+)', f.read())]
            return pids
        wait_until(spawned, what='the TUI child in the log')
        pid = pids[-1]
        exe = os.readlink('/proc/%d/exe' % pid)
        maps = open('/proc/%d/maps' % pid).read()
        # no libssh (nor libcrypto, which only libssh needed) is in its
        # address space, and the code it runs is hearth-tui's
        assert 'libssh' not in maps, [l for l in maps.splitlines() if 'libssh' in l]
        assert 'libcrypto' not in maps, [l for l in maps.splitlines() if 'libcrypto' in l]
        assert os.path.basename(exe) == 'hearth-tui', exe
        assert exe in maps, maps
    finally:
        t.kill()


def test_hearth_tui_alone_says_to_use_hearth():
    """Run by hand with a host, hearth-tui says which program connects."""
    p = subprocess.run([os.path.join(harness.BUILD, 'hearth-tui'), '127.0.0.1'],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert 'run: hearth HOST' in p.stderr, p.stderr
    # the member's own client keeps its libssh
    p = subprocess.run(['ldd', os.path.join(harness.BUILD, 'hearth')],
                       capture_output=True, text=True, timeout=10)
    assert 'libssh' in p.stdout, p.stdout
