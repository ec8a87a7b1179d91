"""Least privilege: hearthd refuses root unless --allow-root, and the TUI
child it starts for a terminal login keeps no capability, sets no_new_privs,
holds only its pty and protocol socket, and is never root."""
import os
import re
import subprocess

import harness
from fixtures import tui, wait_until
from harness import Key, Server, tmpdir


def test_hearthd_refuses_root_without_allow_root():
    data = os.path.join(tmpdir(), 'data')
    cmd = [os.path.join(harness.BUILD, 'hearthd'), '--data', data,
           '--listen', '127.0.0.1:%d' % harness.free_port()]
    if os.geteuid() != 0:
        # not root: nothing to refuse (every other test starts it so)
        print('not root: the refusal itself is not tested')
        return
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert 'refusing to run as root' in p.stderr, p.stderr
    assert '--allow-root' in p.stderr and 'unprivileged user' in p.stderr
    assert not os.path.exists(data), 'touched the data directory first'


def status_of(pid):
    with open('/proc/%d/status' % pid) as f:
        return dict(line.rstrip('\n').split(':\t', 1) for line in f if ':\t' in line)


def test_tui_child_has_no_privileges():
    srv = Server()
    t = tui(srv, Key('newbie'), 'join')
    try:
        t.wait_for('Invite code:', timeout=15)
        pids = []

        def spawned():
            with open(srv.logpath, errors='replace') as f:
                pids[:] = [int(m) for m in re.findall(r'TUI pid (\d+)', f.read())]
            return pids
        wait_until(spawned, what='the TUI child in the log')
        pid = pids[-1]
        st = status_of(pid)
        assert st['NoNewPrivs'].strip() == '1', st
        for cap in ('CapInh', 'CapPrm', 'CapEff', 'CapAmb'):
            assert int(st[cap], 16) == 0, (cap, st[cap])
        uids = st['Uid'].split()
        if os.geteuid() == 0:
            # hearthd as root (--allow-root): the child is nobody, with no
            # groups and an empty bounding set
            assert '0' not in uids and '0' not in st['Gid'].split(), st
            assert st['Groups'].strip() == '', st['Groups']
            assert int(st['CapBnd'], 16) == 0, st['CapBnd']
        else:
            assert uids[0] == str(os.getuid()), uids
        # no descriptor of hearthd's leaks in: no database, host key,
        # listening or control socket; one socket (the protocol stream)
        fds = {}
        for n in os.listdir('/proc/%d/fd' % pid):
            try:
                fds[int(n)] = os.readlink('/proc/%d/fd/%s' % (pid, n))
            except OSError:
                pass
        assert fds[3].startswith('socket:'), fds
        assert [n for n, l in fds.items() if l.startswith('socket:')] == [3], fds
        assert not [l for l in fds.values() if srv.data in l], fds
        for n in (0, 1, 2):
            assert fds[n].startswith('/dev/pts/'), fds
    finally:
        t.kill()
