"""Integration test harness: a real hearthd on a free loopback port with a
temporary data directory, driven with the real OpenSSH client and the real
hearthctl. Every server a test starts is stopped (SIGTERM, clean exit
checked, sanitizer reports checked) when the test ends."""
import atexit
import base64
import hashlib
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

BUILD = None
SANITIZED = False
_servers = []
_procs = []
_tmpdirs = []
# hearthd refuses root unless told; CI runs the tests as root.
ALLOW_ROOT = ['--allow-root'] if os.geteuid() == 0 else []


def configure(build, sanitized):
    global BUILD, SANITIZED
    BUILD = build
    SANITIZED = sanitized
    load_tokenizer(build)


_tokenizer = []


def load_tokenizer(build):
    """Register hearthd's FTS5 tokenizer (build/hearth-fts.so) on every
    sqlite3 connection this process opens from now on: the full-text tables
    use it, and their triggers run on the tests' own inserts."""
    import ctypes
    if _tokenizer:
        return
    so = os.path.join(build, 'hearth-fts.so')
    if not os.path.exists(so):
        return
    ext = ctypes.CDLL(so)
    lib = ctypes.CDLL('libsqlite3.so.0')  # the one the sqlite3 module uses
    entry = ctypes.cast(ext.sqlite3_hearthfts_init, ctypes.c_void_p)
    if lib.sqlite3_auto_extension(entry) != 0:
        raise RuntimeError('cannot register the hearth tokenizer')
    _tokenizer.extend([ext, lib, entry])


def alone(test):
    """Mark a test that measures time against limits a busy machine could
    overrun: run.py -j runs it with no other test beside it."""
    test.alone = True
    return test


def tmpdir():
    d = tempfile.mkdtemp(prefix='hearth-test-')
    _tmpdirs.append(d)
    return d


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cleanup(check=True):
    """Stop everything the test started; returns extra failure detail."""
    detail = ''
    for p in _procs:
        if p.poll() is None:
            p.kill()
        try:
            p.wait(timeout=5)
        except Exception:
            pass
    _procs.clear()
    errors = []
    for srv in _servers:
        try:
            srv.stop()
        except Exception as e:
            errors.append(str(e))
        detail += '\n--- hearthd log (tail) ---\n' + srv.log_tail()
    _servers.clear()
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)
    _tmpdirs.clear()
    _key_used.clear()
    if errors and check:
        raise AssertionError('; '.join(errors) + detail)
    return detail


_key_dir = None
_key_pool = {}    # name -> [Key, ...] made so far in this process
_key_used = {}    # name -> how many of them this test has taken


def _fingerprint(pub):
    """The SHA256 fingerprint of a public key file, as ssh-keygen -l says it."""
    blob = base64.b64decode(open(pub).read().split()[1])
    return 'SHA256:' + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip('=')


class Key:
    """An ed25519 key pair made with ssh-keygen. Keys are kept for the whole
    process (every server starts empty, so a key may serve many tests), but
    within one test each Key(name) is a different key."""

    def __new__(cls, name='key'):
        global _key_dir
        n = _key_used.get(name, 0)
        _key_used[name] = n + 1
        pool = _key_pool.setdefault(name, [])
        if n < len(pool):
            return pool[n]
        if _key_dir is None:
            _key_dir = tempfile.mkdtemp(prefix='hearth-keys-')
            atexit.register(shutil.rmtree, _key_dir, True)
        self = super().__new__(cls)
        self.path = os.path.join(_key_dir, '%s.%d' % (name, n))
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', name,
                        '-f', self.path], check=True)
        self.pub = self.path + '.pub'
        self.fingerprint = _fingerprint(self.pub)
        pool.append(self)
        return self

    @classmethod
    def from_file(cls, path):
        """A key pair some other program wrote (not one of the kept keys)."""
        self = super().__new__(cls)
        self.path = path
        self.pub = path + '.pub'
        self.fingerprint = _fingerprint(self.pub) if os.path.exists(self.pub) else None
        return self


class Server:
    def __init__(self, config=None, data=None):
        self.data = data or os.path.join(tmpdir(), 'data')
        self.port = free_port()
        self.logpath = os.path.join(tmpdir(), 'hearthd.log')
        # each login starts at Home unless a test asks for resume_minutes
        cfg = {'login_grace': 3, 'resume_minutes': 0}
        cfg.update(config or {})
        self.config = os.path.join(tmpdir(), 'hearthd.conf')
        with open(self.config, 'w') as f:
            for k, v in cfg.items():
                f.write('%s = %s\n' % (k, v))
        self.proc = None
        self.stdout = ''
        self.start()
        _servers.append(self)

    def start(self):
        """Start hearthd and wait for its banner. free_port() only finds a
        port that was free a moment ago: if another program took it since,
        try another one."""
        for _ in range(5):
            start = os.path.getsize(self.logpath) if os.path.exists(self.logpath) else 0
            try:
                self.start_once()
                return
            except AssertionError:
                with open(self.logpath, errors='replace') as f:
                    f.seek(start)
                    taken = 'Address already in use' in f.read()
                if not taken:
                    raise
                self.log.close()
                self.port = free_port()
        raise AssertionError('hearthd found no free port:\n' + self.log_tail())

    def start_once(self):
        self.log = open(self.logpath, 'a')
        self.proc = subprocess.Popen(
            [os.path.join(BUILD, 'hearthd'), '--data', self.data, '--listen',
             '127.0.0.1:%d' % self.port, '--config', self.config, '-v'] + ALLOW_ROOT,
            stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.time() + 20
        fd = self.proc.stdout.fileno()
        while time.time() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.stdout += chunk.decode()
                # the banner ends with the "Stop:" line
                if 'Stop:' in self.stdout and self.stdout.endswith('\n'):
                    return
            if self.proc.poll() is not None:
                break
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        raise AssertionError('hearthd did not start:\n' + self.log_tail())

    def admin_invite(self):
        for line in self.stdout.splitlines():
            line = line.strip()
            if line.startswith('HRTH-'):
                return line
        return None

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            rc = self.proc.returncode
            self.proc = None
            raise AssertionError('hearthd died (exit %s)' % rc)
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise AssertionError('hearthd did not stop on SIGTERM')
        self.proc = None
        self.log.close()
        self.reap_tuis()
        if rc != 0:
            raise AssertionError('hearthd exited %d after SIGTERM' % rc)
        text = open(self.logpath, errors='replace').read()
        for marker in ('ERROR: AddressSanitizer', 'ERROR: LeakSanitizer',
                       'runtime error:'):
            if marker in text:
                raise AssertionError('sanitizer report in hearthd log')

    def reap_tuis(self):
        """TUI children get SIGHUP when hearthd stops; give them a moment, then
        make sure none outlives the test (a sanitizer's exit-time leak scan
        can hang when its terminal vanishes under it)."""
        import re
        try:
            pids = [int(p) for p in re.findall(r'TUI pid (\d+)', open(self.logpath).read())]
        except OSError:
            return
        deadline = time.time() + 3
        for pid in pids:
            while time.time() < deadline:
                try:
                    if b'hearth' not in open('/proc/%d/cmdline' % pid, 'rb').read():
                        break
                    if open('/proc/%d/stat' % pid).read().split()[2] == 'Z':
                        break
                except OSError:
                    break
                time.sleep(0.05)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def log_tail(self, n=60):
        try:
            with open(self.logpath, errors='replace') as f:
                return ''.join(f.readlines()[-n:])
        except OSError as e:
            return '(no hearthd log: %s)\n' % e

    def db(self):
        return sqlite3.connect(os.path.join(self.data, 'hearth.db'))

    def query(self, sql, *args):
        con = self.db()
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def execute(self, sql, *args):
        """Write to the database from the test (committed at once);
        returns the last inserted row id."""
        con = self.db()
        try:
            con.execute('PRAGMA busy_timeout = 5000')
            cur = con.execute(sql, args)
            con.commit()
            return cur.lastrowid
        finally:
            con.close()

    def ctl(self, *args, check=True, json_out=True):
        cmd = [os.path.join(BUILD, 'hearthctl'), '--data', self.data]
        if json_out:
            cmd.append('--json')
        cmd += list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if check and p.returncode != 0:
            raise AssertionError('hearthctl %s failed (%d): %s' %
                                 (' '.join(args), p.returncode, p.stderr))
        if json_out and p.returncode == 0:
            return json.loads(p.stdout)
        return p

    def ssh_base(self, key, user='member'):
        return ['ssh', '-F', '/dev/null', '-p', str(self.port),
                '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
                '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
                '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
                '-o', 'ConnectTimeout=10', '-i', key.path, '-l', user]

    def session(self, key, user='member'):
        """Open the hearth subsystem; returns a Session after the hello."""
        return Session(self, key, user)

    def new_member(self, handle, role='member', name=None):
        """Invite and redeem a member; returns their Key."""
        key = Key(handle)
        inv = self.ctl('invite', 'create', '--name', name or handle, '--role', role)
        s = self.session(key, 'join')
        r = s.call('invite.redeem', code=inv['code'], handle=handle,
                   display_name=name or handle.title())
        assert r['ok'], r
        s.close()
        return key


class Session:
    def __init__(self, server, key, user):
        cmd = server.ssh_base(key, user) + ['-s', '127.0.0.1', 'hearth']
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        _procs.append(self.proc)
        self.buf = b''
        self.next_id = 1
        self.events = []
        self.hello = self.recv(timeout=15)
        assert self.hello is not None, 'no hello: ' + self.stderr()

    def stderr(self):
        if self.proc.poll() is None:
            return ''
        return self.proc.stderr.read().decode(errors='replace')

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b'\n')

    def recv(self, timeout=10):
        """The next message, or None at EOF."""
        deadline = time.time() + timeout
        fd = self.proc.stdout.fileno()
        while b'\n' not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError('timed out waiting for the server')
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def reply(self, rid, timeout=10):
        while True:
            m = self.recv(timeout)
            if m is None:
                return None
            if m.get('id') == rid:
                return m
            self.events.append(m)

    def call(self, op, timeout=10, **args):
        rid = self.next_id
        self.next_id += 1
        self.send({'id': rid, 'op': op, 'args': args})
        return self.reply(rid, timeout)

    def wait_eof(self, timeout=10):
        """Read until the server closes; returns the messages seen."""
        seen = []
        while True:
            m = self.recv(timeout)
            if m is None:
                break
            seen.append(m)
        self.proc.wait(timeout=timeout)
        return seen

    def close(self):
        try:
            self.proc.stdin.close()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Tmux:
    """A tmux session running a command, for reading screens back."""

    def __init__(self, cmd, width=80, height=24, remain=False):
        """remain: keep the screen after the command ends (set before it
        starts, so that even a command that ends at once leaves it)."""
        d = tmpdir()
        self.name = 'hearth%d' % os.getpid() + str(int(time.time() * 1000) % 100000)
        self.sock = os.path.join(d, 'tmux.sock')
        conf = '/dev/null'
        if remain:
            conf = os.path.join(d, 'tmux.conf')
            with open(conf, 'w') as f:
                f.write('set-option -g remain-on-exit on\n')
        subprocess.run(['tmux', '-S', self.sock, '-f', conf, 'new-session', '-d',
                        '-s', self.name, '-x', str(width), '-y', str(height), cmd],
                       check=True)
        self.alive = True

    def screen(self):
        p = subprocess.run(['tmux', '-S', self.sock, 'capture-pane', '-p', '-t', self.name],
                           capture_output=True, text=True)
        return p.stdout

    def keys(self, *keys):
        subprocess.run(['tmux', '-S', self.sock, 'send-keys', '-t', self.name] + list(keys),
                       check=True)

    def wait_for(self, *texts, timeout=10):
        """The screen once it shows every one of texts (in one read-back: a
        screen half redrawn may show one and not yet the other). Read back
        often at first (most screens are drawn within milliseconds), then
        every 0.1 s."""
        deadline = time.time() + timeout
        pause = 0.01
        while time.time() < deadline:
            s = self.screen()
            if all(text in s for text in texts):
                return self.settled(s, texts)
            time.sleep(pause)
            pause = min(0.1, pause * 1.5)
        raise AssertionError('%s not on screen:\n%s' % (
            ' and '.join(repr(t) for t in texts), self.screen()))

    def settled(self, s, texts):
        """s once the screen stops changing (a redraw can reach the
        terminal in parts, and callers read the rest of the screen), for at
        most a second; s itself if the texts went meanwhile."""
        deadline = time.time() + 1
        while time.time() < deadline:
            time.sleep(0.03)
            now = self.screen()
            if now == s:
                return s
            if not all(text in now for text in texts):
                return s
            s = now
        return s

    def kill(self):
        subprocess.run(['tmux', '-S', self.sock, 'kill-server'], capture_output=True)
