"""hearthctl run by a user the control socket refuses (ctl.c answers only
root and the user hearthd runs as) says so and exits 1, instead of dying
of SIGPIPE."""
import os
import subprocess

import harness
from harness import Server


def test_refused_user_is_told_why():
    if os.geteuid() != 0:
        print('not root: cannot run hearthctl as another user here')
        return
    srv = Server()
    # Let another user reach the socket, as a careless set-up might.
    path = srv.data
    while path != '/':
        os.chmod(path, os.stat(path).st_mode | 0o011)
        path = os.path.dirname(path)
    os.chmod(os.path.join(srv.data, 'ctl.sock'), 0o777)
    cmd = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
           os.path.join(harness.BUILD, 'hearthctl'), '--data', srv.data]
    # A long request: the write meets the closed socket (EPIPE).
    for args in (['status'],
                 ['invite', 'create', '--name', 'x' * 100000]):
        p = subprocess.run(cmd + args, capture_output=True, text=True,
                           timeout=20)
        assert p.returncode == 1, (args[0], p.returncode, p.stderr)
        assert 'hearthd refused this user (uid 65534)' in p.stderr, p.stderr
        assert 'answers only root and the user hearthd runs as (uid 0)' in \
            p.stderr, p.stderr
