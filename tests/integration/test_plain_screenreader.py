"""The line mode as a screen-reader user meets it, through the real
OpenSSH client against a real hearthd: `ssh -T` (no pty asked for) echoes
each line once, the main menu says what is wrong and what is new, a saved
draft and a long library document are said plainly, and a community's
menu says where you stand and offers only what you can do."""
import os
import select
import subprocess
import time

from fixtures import community, ok, people
from harness import Server, Tmux


def plain(srv, key, user, height=60):
    """The line mode over `TERM=dumb ssh -tt` in tmux."""
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 160, height)
    t.wait_for('Choose a number', timeout=15)
    return t


class Pipe:
    """`ssh -T` with its input and output pipes: what a no-pty client
    sends and gets, byte for byte."""

    def __init__(self, srv, key, user):
        cmd = srv.ssh_base(key, user) + ['-T', '127.0.0.1']
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.out = b''

    def send(self, line):
        self.proc.stdin.write(line.encode() + b'\n')
        self.proc.stdin.flush()

    def wait_for(self, text, timeout=15):
        """All output so far, once it holds text (after what was read)."""
        deadline = time.time() + timeout
        start = len(self.out)
        fd = self.proc.stdout.fileno()
        while text.encode() not in self.out[start:]:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError('%r not in output:\n%s' % (
                    text, self.out.decode(errors='replace')))
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError('ended before %r:\n%s' % (
                        text, self.out.decode(errors='replace')))
                self.out += chunk
        return self.out.decode()

    def close(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


def test_no_pty_line_mode_does_not_echo_or_add_carriage_returns():
    """Without a pty request the client's own terminal echoes: the server
    adds no second echo and sends "\\n" as it is (no "\\r\\n")."""
    srv = Server()
    keys = people(srv, 'pat')
    p = Pipe(srv, keys['pat'], 'pat')
    try:
        p.wait_for('Choose a number')
        p.send('zq7')
        p.send('6')                       # the code of conduct
        out = p.wait_for('You accepted it on')
        assert '\r' not in out, repr(out[-400:])
        lines = [l.strip() for l in out.split('\n')]
        assert 'zq7' not in lines and '6' not in lines, out
        assert not any(l.endswith(': zq7') or l.endswith(': 6') for l in lines), out
    finally:
        p.close()
    # in a terminal: ssh -T leaves echo to the local terminal (once) ...
    cmd = srv.ssh_base(keys['pat'], 'pat') + ['-T', '127.0.0.1']
    t = Tmux(' '.join(cmd), 160, 40)
    try:
        t.wait_for('Choose a number', timeout=15)
        t.keys('zq7', 'Enter')
        t.keys('6', 'Enter')
        screen = t.wait_for('You accepted it on')
        assert [l.strip() for l in screen.split('\n')].count('zq7') == 0, screen
    finally:
        t.kill()
    # ... and TERM=dumb ssh -tt has the server's pty echo it (once)
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.keys('zq7', 'Enter')
        t.wait_for(': zq7')
        t.keys('6', 'Enter')
        screen = t.wait_for('You accepted it on')
        assert [l.strip() for l in screen.split('\n')].count('zq7') == 0, screen
    finally:
        t.kill()
