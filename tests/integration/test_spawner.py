"""Terminal logins through the spawner (docs/architecture.md): hearthd
starts one small spawner process before its loop, which forks every TUI
child and relays its pty and protocol socket over one socket. So hearthd
holds one descriptor per terminal member (their SSH socket), never forks
for a login, and survives the spawner's death: the terminal sessions end
with a word to their member, a new spawner starts, and everything else
keeps working."""
import os
import re
import signal
import time

from fixtures import tui, wait_until
from harness import Server, Tmux, tmpdir


def status_of(pid):
    with open('/proc/%d/status' % pid) as f:
        return dict(line.rstrip('\n').split(':\t', 1) for line in f if ':\t' in line)


def ppid(pid):
    return int(status_of(pid)['PPid'])


def children(pid):
    """Every live process whose parent is pid."""
    out = []
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                if ppid(int(d)) == pid:
                    out.append(int(d))
            except (OSError, KeyError):
                pass
    return out


def log(srv):
    with open(srv.logpath, errors='replace') as f:
        return f.read()


def spawner_pids(srv):
    return [int(p) for p in re.findall(r'spawner pid (\d+) starts', log(srv))]


def tui_pids(srv):
    return [int(p) for p in re.findall(r'TUI pid (\d+),', log(srv))]


def screens(srv, key, user, n):
    """n terminal logins, each up on its first screen."""
    ts = []
    for _ in range(n):
        ts.append(tui(srv, key, user))
    for t in ts:
        t.wait_for('code of conduct', timeout=20)
    return ts


def fd_list(pid):
    out = []
    for n in os.listdir('/proc/%d/fd' % pid):
        try:
            out.append(os.readlink('/proc/%d/fd/%s' % (pid, n)))
        except OSError:
            pass
    return sorted(out)


def test_one_descriptor_per_terminal_member():
    srv = Server()
    key = srv.new_member('ana')
    hearthd = srv.proc.pid
    ts = screens(srv, key, 'ana', 1)     # warm up (lazily opened files)
    try:
        first = fd_list(hearthd)
        ts += screens(srv, key, 'ana', 5)
        wait_until(lambda: len(tui_pids(srv)) == 6, what='six TUI children')
        after = fd_list(hearthd)
        added = list(after)
        for f in first:
            if f in added:
                added.remove(f)
        # a read connection to the database may open on a worker thread
        # meanwhile; everything else new is a member's SSH socket
        per_member = [f for f in added if srv.data not in f]
        assert len(per_member) <= 5, (first, after)
        assert all(f.startswith('socket:') for f in per_member), per_member
        # and they come back when the sessions end
        for t in ts[1:]:
            t.kill()
        wait_until(lambda: len([f for f in fd_list(hearthd) if srv.data not in f]) <=
                   len([f for f in first if srv.data not in f]),
                   what=lambda: 'descriptors back to %s, not %s' % (first, fd_list(hearthd)))
    finally:
        for t in ts:
            t.kill()


def test_tui_children_belong_to_the_spawner_not_hearthd():
    srv = Server()
    key = srv.new_member('ben')
    hearthd = srv.proc.pid
    ts = screens(srv, key, 'ben', 2)
    try:
        wait_until(lambda: len(tui_pids(srv)) == 2, what='two TUI children')
        spawner = spawner_pids(srv)[-1]
        assert ppid(spawner) == hearthd
        assert b'--spawner' in open('/proc/%d/cmdline' % spawner, 'rb').read()
        for pid in tui_pids(srv):
            assert ppid(pid) == spawner, (pid, ppid(pid), spawner)
        # hearthd forked nothing for the logins: its only child is the spawner
        assert children(hearthd) == [spawner], children(hearthd)
        # and the spawner holds nothing of the daemon's: no database, no
        # host key, no listening socket
        fds = [os.readlink('/proc/%d/fd/%s' % (spawner, n))
               for n in os.listdir('/proc/%d/fd' % spawner)]
        assert not [f for f in fds if srv.data in f], fds
    finally:
        for t in ts:
            t.kill()


def test_killed_spawner_ends_terminals_and_a_new_one_serves():
    srv = Server()
    key = srv.new_member('cai')
    old = screens(srv, key, 'cai', 1)[0]
    old.kill()
    t = Tmux(' '.join(srv.ssh_base(key, 'cai') + ['-tt', '127.0.0.1']), remain=True)
    try:
        t.wait_for('code of conduct', timeout=20)
        wait_until(lambda: len(tui_pids(srv)) == 2, what='the TUI child')
        first = spawner_pids(srv)[-1]
        child = tui_pids(srv)[-1]
        os.kill(first, signal.SIGKILL)
        # the member is told, and their ssh ends
        t.wait_for('terminal service stopped', timeout=10)
        wait_until(lambda: 'starting a new one' in log(srv), what='the restart')
        wait_until(lambda: len(spawner_pids(srv)) == 2, what='a new spawner')
        second = spawner_pids(srv)[-1]
        assert second != first and ppid(second) == srv.proc.pid

        def child_gone():
            try:
                return status_of(child)['State'].startswith('Z') or \
                    b'hearth' not in open('/proc/%d/cmdline' % child, 'rb').read()
            except OSError:
                return True
        wait_until(child_gone, what='the old TUI child to end')
        # subsystem sessions never noticed
        s = srv.session(key, 'cai')
        assert s.call('whoami')['ok']
        s.close()
        # and a new terminal login works, under the new spawner
        n = screens(srv, key, 'cai', 1)[0]
        try:
            wait_until(lambda: len(tui_pids(srv)) == 3, what='the new TUI child')
            assert ppid(tui_pids(srv)[-1]) == second
        finally:
            n.kill()
        assert srv.alive()
    finally:
        t.kill()


def test_two_terminal_logins_at_the_same_instant():
    srv = Server()
    key = srv.new_member('dee')
    go = os.path.join(tmpdir(), 'go')
    cmd = ' '.join(srv.ssh_base(key, 'dee') + ['-tt', '127.0.0.1'])
    wait = 'while [ ! -e %s ]; do sleep 0.01; done; exec ' % go
    a = Tmux(wait + cmd)
    b = Tmux(wait + cmd)
    try:
        time.sleep(0)      # both shells are polling for the file
        open(go, 'w').close()
        a.wait_for('code of conduct', timeout=20)
        b.wait_for('code of conduct', timeout=20)
        wait_until(lambda: len(set(tui_pids(srv))) == 2, what='two TUI children')
    finally:
        a.kill()
        b.kill()


def test_spawner_and_tuis_end_when_hearthd_dies():
    srv = Server()
    key = srv.new_member('eve')
    t = screens(srv, key, 'eve', 1)[0]
    try:
        wait_until(lambda: tui_pids(srv), what='the TUI child')
        spawner, child = spawner_pids(srv)[-1], tui_pids(srv)[-1]
        srv.proc.kill()         # no goodbye: the spawner sees its socket end
        srv.proc.wait()
        srv.proc = None
        srv.log.close()

        def gone(pid):
            try:
                return status_of(pid)['State'].startswith('Z')
            except OSError:
                return True
        wait_until(lambda: gone(spawner), what='the spawner to exit')
        wait_until(lambda: gone(child), what='the TUI child to end')
    finally:
        t.kill()
