#!/usr/bin/env python3
"""bench_board.py: the board, search and write benchmark of docs/performance.md
("Boards, search and writes"), through SSH, the real path.

Starts hearthd on a directory made by gen_data.py (127.0.0.1, a free port),
opens `ssh -s hearth` sessions as the bench members and times each request
from send to reply (time.perf_counter) for whoami, thread.list, thread.get,
search.query and roundup.get, with several clients at once; then many
writers pipeline post.create and the acknowledged posts per second are
counted. Before each phase the loop lag is reset (admin.status {reset_lag:
true} on DATA/ctl.sock) and read afterwards. hearthd is stopped with SIGTERM
at the end. The data directory is written to (posts, read positions): make
it again with gen_data.py for a clean repeat.

    tests/bench/bench_board.py --dir /tmp/hearth-bench [--build build]
        [--clients 4] [--requests 250] [--writers 16] [--posts 250]
        [--window 32] [--seed 2]
"""
import argparse
import datetime
import json
import os
import random
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_data import WORDS  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Session:
    """One `ssh -s hearth` session; requests carry ids, replies are matched."""

    def __init__(self, port, key):
        cmd = ['ssh', '-F', '/dev/null', '-p', str(port), '-o', 'StrictHostKeyChecking=no',
               '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes',
               '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
               '-o', 'ConnectTimeout=20', '-i', key, '-l', 'member',
               '-s', '127.0.0.1', 'hearth']
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.fd = self.proc.stdout.fileno()
        self.buf = b''
        self.next_id = 1
        hello = self.recv(30)
        if hello is None or hello.get('event') != 'hello' or not hello['data'].get('member'):
            raise SystemExit('no member hello: %r %s' % (hello, self.proc.stderr.read()))

    def recv(self, timeout=30):
        deadline = time.time() + timeout
        while b'\n' not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError('no reply from hearthd')
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    return None
                self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def send(self, op, args):
        rid = self.next_id
        self.next_id += 1
        self.proc.stdin.write(json.dumps({'id': rid, 'op': op, 'args': args}).encode() + b'\n')
        return rid

    def reply(self, rid, timeout=30):
        while True:
            m = self.recv(timeout)
            if m is None:
                raise EOFError('hearthd closed the session')
            if m.get('id') == rid:
                return m

    def call(self, op, **args):
        """(reply, seconds from send to reply)."""
        t = time.perf_counter()
        m = self.reply(self.send(op, args))
        return m, time.perf_counter() - t

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def ctl(data, op, args=None):
    """One request on DATA/ctl.sock (the console, as hearthctl does)."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(data, 'ctl.sock'))
    f = s.makefile('rwb')
    f.readline()  # hello
    f.write(json.dumps({'id': 1, 'op': op, 'args': args or {}}).encode() + b'\n')
    f.flush()
    while True:
        m = json.loads(f.readline())
        if m.get('id') == 1:
            s.close()
            return m['result']


def lag(data, reset=False):
    r = ctl(data, 'admin.status', {'reset_lag': True} if reset else {})
    return r['loop_lag']


def cpu_secs(pid):
    """User + system CPU seconds of a process so far."""
    f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')


def runq_wait(pid):
    """Seconds the loop thread (the main thread) waited for a CPU so far."""
    return int(open('/proc/%d/task/%d/schedstat' % (pid, pid)).read().split()[1]) / 1e9


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float('nan')
    k = min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))
    return xs[k]


class Stats:
    def __init__(self):
        self.t = {}
        self.err = {}
        self.lock = threading.Lock()

    def add(self, name, secs, ok=True, msg=None):
        with self.lock:
            self.t.setdefault(name, []).append(secs * 1000.0)
            if not ok:
                self.err.setdefault(name, []).append(msg)

    def table(self, base=None):
        rows = ['| operation | count | p50 ms | p90 ms | p99 ms | max ms |%s errors |' %
                (' p99 − whoami p50 |' if base is not None else ''),
                '|---|---|---|---|---|---|%s---|' % ('---|' if base is not None else '')]
        for name, xs in self.t.items():
            extra = ' %.2f |' % (pct(xs, 99) - base) if base is not None else ''
            rows.append('| %s | %d | %.2f | %.2f | %.2f | %.2f |%s %d |' % (
                name, len(xs), pct(xs, 50), pct(xs, 90), pct(xs, 99), max(xs), extra,
                len(self.err.get(name, []))))
        return '\n'.join(rows)


def run_clients(sessions, fn, stats, n):
    """Run fn(session, rnd, stats) n times on every session, in parallel."""
    errors = []

    def work(i, s):
        rnd = random.Random(1000 + i)
        try:
            for _ in range(n):
                fn(s, rnd, stats)
        except Exception as e:  # report, do not hang the run
            errors.append(repr(e))

    ts = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate(sessions)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        print('client errors:', errors[:3], flush=True)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--dir', required=True, help='the --out of gen_data.py')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--clients', type=int, default=4)
    ap.add_argument('--requests', type=int, default=250, help='per client per phase')
    ap.add_argument('--writers', type=int, default=16)
    ap.add_argument('--posts', type=int, default=250, help='per writer per write phase')
    ap.add_argument('--window', type=int, default=32, help='posts in flight per writer')
    ap.add_argument('--seed', type=int, default=2)
    ap.add_argument('--synchronous', choices=['NORMAL', 'FULL'], default='NORMAL',
                    help="hearthd's PRAGMA synchronous (its config key)")
    ap.add_argument('--debug', action='store_true',
                    help='run hearthd with -v -v and report group commit sizes')
    ap.add_argument('--only-writes', action='store_true')
    ap.add_argument('--only-search', action='store_true',
                    help='the whoami and search.query phases only: no writes, so the data '
                    'stays as it was and runs can be repeated')
    ap.add_argument('--server-nice', type=int, default=0,
                    help='start hearthd under nice -n N (e.g. -10: ahead of the clients)')
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dir, 'bench.json')))
    data = meta['data']
    now = meta['now']
    since = datetime.datetime.fromtimestamp(now - 7 * 86400, datetime.timezone.utc) \
        .strftime('%Y-%m-%dT%H:%M:%SZ')

    # What to ask for: threads (with their post counts), unlocked ones to post in.
    db = sqlite3.connect('file:%s?mode=ro' % os.path.join(data, 'hearth.db'), uri=True)
    tinfo = db.execute('SELECT id, post_count, locked FROM threads').fetchall()
    db.close()
    all_threads = [t[0] for t in tinfo]
    long_threads = [t[0] for t in tinfo if t[1] > 50]
    open_threads = [t[0] for t in tinfo if not t[2]]
    slugs = meta['communities']
    common = WORDS[40:150]
    wider = WORDS[40:400]

    conf = os.path.join(a.dir, 'bench-hearthd.conf')
    with open(conf, 'w') as f:
        f.write('max_unauth = 1000\nmax_unauth_per_ip = 1000\nlogin_grace = 30\n'
                'synchronous = %s\n' % a.synchronous)
        # each client here is many members' worth of requests: no rate classes
        f.write('rate_read = off\nrate_write = off\nrate_search = off\n')
    port = free_port()
    logf = open(os.path.join(a.dir, 'bench-hearthd.log'), 'w')
    nice = ['nice', '-n', str(a.server_nice)] if a.server_nice else []
    hd = subprocess.Popen(nice + [os.path.join(a.build, 'hearthd'), '--data', data, '--listen',
                           '127.0.0.1:%d' % port, '--config', conf] + (['-v', '-v'] if a.debug else []) +
                          (['--allow-root'] if os.geteuid() == 0 else []),
                          stdout=subprocess.PIPE, stderr=logf)
    out = b''
    while b'Stop:' not in out:
        r, _, _ = select.select([hd.stdout], [], [], 30)
        chunk = os.read(hd.stdout.fileno(), 65536) if r else b''
        if not chunk:
            raise SystemExit('hearthd did not start; see bench-hearthd.log')
        out += chunk
    print('hearthd pid %d on 127.0.0.1:%d; uptime: %s' % (
        hd.pid, port, subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()),
        flush=True)

    report = []
    try:
        keys = [b['key'] for b in meta['bench']]
        readers = [Session(port, keys[i % len(keys)]) for i in range(a.clients)]

        def phase(title, fn, n=a.requests, sessions=readers):
            lag(data, reset=True)
            st = Stats()
            c0 = cpu_secs(hd.pid)
            w0 = runq_wait(hd.pid)
            secs = run_clients(sessions, fn, st, n)
            cpu = cpu_secs(hd.pid) - c0
            wait = runq_wait(hd.pid) - w0
            lg = lag(data)
            nreq = sum(len(v) for v in st.t.values())
            print('\n## %s (%d clients, %.1f s; loop lag max %.1f ms, %d ticks over 10 ms; '
                  'hearthd CPU %.2f s = %.2f ms per request; loop thread waited %.2f s '
                  'for a CPU)' %
                  (title, len(sessions), secs, lg['max_ms'], lg['over_10ms'], cpu,
                   1000.0 * cpu / max(1, nreq), wait), flush=True)
            return st, lg, secs

        def check(st, name, m, secs):
            st.add(name, secs, m.get('ok', False), None if m.get('ok') else m.get('error'))

        def do_whoami(s, rnd, st):
            m, t = s.call('whoami')
            check(st, 'whoami', m, t)

        def do_list(s, rnd, st):
            slug = rnd.choice(slugs)
            m, t = s.call('thread.list', slug=slug)
            check(st, 'thread.list (first page)', m, t)
            for _ in range(rnd.randint(0, 4)):
                nxt = m.get('result', {}).get('next')
                if not nxt:
                    break
                m, t = s.call('thread.list', slug=slug, before=nxt)
                check(st, 'thread.list (later page)', m, t)

        def do_get(s, rnd, st):
            tid = rnd.choice(long_threads if rnd.random() < 0.3 else all_threads)
            m, t = s.call('thread.get', thread_id=tid)
            check(st, 'thread.get (first page)', m, t)
            nxt = m.get('result', {}).get('next')
            if nxt and rnd.random() < 0.7:
                m, t = s.call('thread.get', thread_id=tid, after=nxt)
                check(st, 'thread.get (later page)', m, t)

        def do_search(s, rnd, st):
            if rnd.random() < 0.5:
                q = rnd.choice(common)
                name = 'search.query (1 common word)'
            else:
                q = '%s %s' % (rnd.choice(wider), rnd.choice(wider))
                name = 'search.query (2 words)'
            m, t = s.call('search.query', q=q)
            check(st, name, m, t)

        def do_roundup(s, rnd, st):
            m, t = s.call('roundup.get', since=since)
            check(st, 'roundup.get (7 days)', m, t)

        def do_mixed(s, rnd, st):
            r = rnd.random()
            if r < 0.3:
                do_search(s, rnd, st)
            elif r < 0.45:
                do_roundup(s, rnd, st)
            elif r < 0.7:
                do_list(s, rnd, st)
            else:
                do_get(s, rnd, st)

        # warm up the page cache a little (not timed)
        run_clients(readers, do_search if a.only_search else do_mixed, Stats(), 10)

        if a.only_writes:
            a.requests = 0
        st, lg, _ = phase('whoami (the SSH round trip)', do_whoami, max(a.requests, 50))
        base = pct(st.t['whoami'], 50)
        print(st.table(), flush=True)
        report.append(('whoami', st, lg))
        phases = (('thread.list', do_list, a.requests),
                  ('thread.get', do_get, a.requests),
                  ('search.query', do_search, a.requests // 2),
                  ('roundup.get', do_roundup, a.requests // 2),
                  ('mixed: search and roundup with lists and gets', do_mixed, a.requests))
        if a.only_search:
            phases = [p for p in phases if p[0] == 'search.query']
        for title, fn, n in phases:
            if n == 0:
                continue
            st, lg, _ = phase(title, fn, n)
            print(st.table(base), flush=True)
            report.append((title, st, lg))
        print('\n(p99 − whoami p50: the server-side estimate, whoami p50 = %.2f ms)' % base)
        for s in readers:
            s.close()

        # Writers: each a different bench member; posts in random open threads.
        writers = [Session(port, keys[i % len(keys)]) for i in range(a.writers)] \
            if not a.only_search else []
        for window in (1, a.window) if not a.only_search else ():
            lag(data, reset=True)
            acked = [0]
            errs = []
            lat = []
            lock = threading.Lock()

            def write(i, s, window=window):
                rnd = random.Random(a.seed * 100 + i + window)
                sent = {}
                done = 0
                nsent = 0
                while done < a.posts:
                    while nsent < a.posts and len(sent) < window:
                        body = ' '.join(rnd.choices(wider, k=rnd.randint(5, 40)))
                        rid = s.send('post.create', {'thread_id': rnd.choice(open_threads),
                                                     'body': body})
                        sent[rid] = time.perf_counter()
                        nsent += 1
                    m = s.recv(60)
                    if m is None:
                        raise EOFError('closed')
                    if m.get('id') in sent:
                        t = time.perf_counter() - sent.pop(m['id'])
                        done += 1
                        with lock:
                            lat.append(t * 1000.0)
                            if m.get('ok'):
                                acked[0] += 1
                            else:
                                errs.append(m.get('error'))

            ts = [threading.Thread(target=write, args=(i, s)) for i, s in enumerate(writers)]
            c0 = cpu_secs(hd.pid)
            w0 = runq_wait(hd.pid)
            t0 = time.perf_counter()
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            secs = time.perf_counter() - t0
            cpu = cpu_secs(hd.pid) - c0
            wait = runq_wait(hd.pid) - w0
            lg = lag(data)
            st = Stats()
            st.t['post.create (ack latency)'] = lat
            st.err['post.create (ack latency)'] = errs
            title = 'post.create: %d writers, %d in flight each' % (a.writers, window)
            print('\n## %s\n%d acknowledged in %.2f s = %.0f posts/s; %d errors %s; '
                  'loop lag max %.1f ms, %d ticks over 10 ms; hearthd CPU %.2f s = %.3f ms '
                  'per post; loop thread waited %.2f s for a CPU' %
                  (title, acked[0], secs, acked[0] / secs, len(errs), errs[:2],
                   lg['max_ms'], lg['over_10ms'], cpu, 1000.0 * cpu / max(1, acked[0]), wait),
                  flush=True)
            print(st.table(), flush=True)
        for s in writers:
            s.close()
    finally:
        print('\nuptime after: %s' % subprocess.run(['uptime'], capture_output=True,
                                                    text=True).stdout.strip())
        hd.send_signal(signal.SIGTERM)
        try:
            rc = hd.wait(timeout=30)
        except subprocess.TimeoutExpired:
            hd.kill()
            rc = hd.wait()
        logf.close()
        print('hearthd exit %d' % rc)
        if a.debug:
            sizes = []
            for line in open(os.path.join(a.dir, 'bench-hearthd.log'), errors='replace'):
                if 'group commit of ' in line:
                    sizes.append(int(line.split('group commit of ')[1].split()[0]))
            if sizes:
                print('group commits: %d, writes per commit p50 %d p90 %d max %d' % (
                    len(sizes), pct(sizes, 50), pct(sizes, 90), max(sizes)))


if __name__ == '__main__':
    main()
