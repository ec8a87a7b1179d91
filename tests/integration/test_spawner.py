"""Terminal logins through the spawner (docs/architecture.md): hearthd
starts one small spawner process before its loop, which forks every TUI
child and relays its pty and protocol socket over one socket. So hearthd
holds one descriptor per terminal member (their SSH socket), never forks
for a login, and survives the spawner's death: the terminal sessions end
with a word to their member, a new spawner starts, and everything else
keeps working."""
import os
import re
import select
import signal
import socket
import struct
import subprocess
import time

import harness
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


# ---- the spawner's socket, spoken directly (the frames of server.h) ----

HDR = struct.Struct('=IIB3x')         # struct spawn_hdr: id, len, type
(START, TTY_IN, PROTO_IN, WINCH, HANGUP, PROTO_CLOSE, FORGET, ACK_TTY, ACK_PROTO,
 STARTED, FAILED, TTY_OUT, PROTO_OUT, PROTO_EOF, EXIT, ACK_TTY_IN, ACK_PROTO_IN) = range(1, 18)
CREDIT = 64 * 1024


class Mux:
    """hearthd's side of a spawner's socket, in the test."""

    def __init__(self, tui):
        self.sock, theirs = socket.socketpair()
        os.set_inheritable(theirs.fileno(), True)
        self.proc = subprocess.Popen(
            [os.path.join(harness.BUILD, 'hearthd'), '--spawner', str(theirs.fileno()), tui],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self.buf = b''
        self.out = {}         # id -> screen bytes received
        self.frames = []

    def send(self, sid, ftype, data=b''):
        self.sock.sendall(HDR.pack(sid, len(data), ftype) + data)

    def start(self, sid, term):
        self.send(sid, START, struct.pack('=HHB3x', 80, 24, 0) + term.encode())

    def pump(self, seconds):
        """Read frames for a while; screen bytes are not acknowledged here."""
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([self.sock], [], [], max(0, end - time.time()))
            if not r:
                break
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                break
            self.buf += chunk
            while len(self.buf) >= HDR.size:
                sid, n, ftype = HDR.unpack_from(self.buf)
                if len(self.buf) < HDR.size + n:
                    break
                data = self.buf[HDR.size:HDR.size + n]
                self.buf = self.buf[HDR.size + n:]
                self.frames.append((sid, ftype, data))
                if ftype == TTY_OUT:
                    self.out[sid] = self.out.get(sid, b'') + data

    def wait(self, pred, what, timeout=10):
        end = time.time() + timeout
        while not pred():
            if time.time() > end:
                raise AssertionError('timed out waiting for ' + what)
            self.pump(0.05)


def test_spawner_holds_back_only_the_session_not_read():
    """One member whose screen is not taken (no acknowledgement) gets at most
    the credit in flight and their child is held back; another member's
    session flows meanwhile, and acknowledging lets the first go on."""
    d = tmpdir()
    os.chmod(d, 0o755)       # run as nobody when the tests run as root
    prog = os.path.join(d, "tui.sh")
    with open(prog, "w") as f:
        f.write('#!/bin/sh\ncase "$TERM" in\nflood) exec yes 0123456789abcdef ;;\n'
                '*) echo ready; exec cat ;;\nesac\n')
    os.chmod(prog, 0o755)
    m = Mux(prog)
    try:
        m.start(1, 'flood')
        m.start(2, 'echo')
        m.wait(lambda: b'ready' in m.out.get(2, b''), 'the second screen')
        m.pump(1.0)          # the flood has had time to fill anything
        flood = len(m.out.get(1, b''))
        assert 0 < flood <= CREDIT, flood
        # the other session flows: keystrokes in, echo out
        m.send(2, ACK_TTY, struct.pack('=I', len(m.out[2])))
        m.send(2, TTY_IN, b'ping\n')
        m.wait(lambda: m.out.get(2, b'').count(b'ping') >= 2, 'the echo (tty and cat)')
        assert any(f[:2] == (2, ACK_TTY_IN) for f in m.frames)
        assert len(m.out.get(1, b'')) == flood       # still held back
        # acknowledging lets the flood go on, again only a credit at a time
        m.send(1, ACK_TTY, struct.pack('=I', flood))
        m.wait(lambda: len(m.out.get(1, b'')) > flood, 'more of the flood')
        m.pump(0.5)
        assert len(m.out[1]) <= flood + CREDIT, len(m.out[1])
        # the second member leaves: its child's exit is reported
        m.send(2, TTY_IN, b'\x04')
        m.wait(lambda: any(f[:2] == (2, EXIT) for f in m.frames), 'the exit')
        # hearthd forgets the flood; then its socket ends and so does the spawner
        m.send(1, FORGET)
        m.sock.close()
        assert m.proc.wait(timeout=10) == 0      # (a sanitizer's report fails it)
    finally:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.wait()
