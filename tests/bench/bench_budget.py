#!/usr/bin/env python3
"""bench_budget.py: issue 11's "No write rate limit" attacks, replayed on a
real hearthd through SSH (docs/performance.md, "Per-member budgets against
the original attacks"). Uses the integration harness (a fresh data
directory for each attack; hearthd runs with -v as in the tests).

  posts     one member posts --posts replies of --body-kb KB as fast as it
            can over --sessions sessions (each keeps --window in flight)
            for --seconds: accepted, refused (by error code), and how much
            the database and its WAL grew (MB, MB/s).
  search    --hogs sessions of one member keep 4 searches each in flight
            for --seconds over --search-posts posts, while another member
            searches one at a time, --other-rate a second: the other
            member's answers and their latency.
  readers   --readers sessions of one member ask for a 55 KB thread and
            never read (--req-rate requests a second in all, for
            --reader-seconds): hearthd's RSS, and what closed them
            (hearthd's "closing:" lines) or refused them at login.

    tests/bench/bench_budget.py --build BUILD [--build BUILD2 ...]
        [--only posts,search,readers] [--set KEY=VALUE ...]

Every --build is run in turn with the same settings. --set adds a
hearthd.conf line (e.g. rate_write=off); keys a build does not know make
its hearthd refuse to start, so pass only keys every build has.
"""
import argparse
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import harness  # noqa: E402
from fixtures import community, community_id, member_id, ok, people  # noqa: E402

T0 = 1763700000


def db_mb(srv):
    total = 0
    for name in ('hearth.db', 'hearth.db-wal'):
        try:
            total += os.path.getsize(os.path.join(srv.data, name))
        except OSError:
            pass
    return total / 1e6


def rss_mb(srv):
    try:
        with open('/proc/%d/status' % srv.proc.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load():
    return open('/proc/loadavg').read().split()[0]


def code_of(m):
    return 'ok' if m.get('ok') else m.get('error', {}).get('code', '?')


def counts(codes):
    out = {}
    for c in codes:
        out[c] = out.get(c, 0) + 1
    return ', '.join('%s %d' % (k, v) for k, v in sorted(out.items()))


def pct(xs, p):
    if not xs:
        return float('nan')
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def server(cfg, a):
    c = dict(cfg)
    for kv in a.set:
        k, v = kv.split('=', 1)
        c[k.strip()] = v.strip()
    return harness.Server(c)


# ---- posts: the write flood ----

def attack_posts(a):
    srv = server({}, a)
    keys = people(srv, 'mo')
    community(srv, 'cop', members=[('mo', 'member')])
    first = srv.session(keys['mo'])
    tid = ok(first.call('thread.create', slug='cop', title='Flood',
                        body='start'))['thread_id']
    sessions = [first] + [srv.session(keys['mo'])
                          for _ in range(a.sessions - 1)]
    body = ('word ' * (a.body_kb * 205))[:a.body_kb * 1024]
    per = (a.posts + a.sessions - 1) // a.sessions
    codes, msgs = [], {}
    lock = threading.Lock()
    size0 = db_mb(srv)
    t0 = time.time()
    deadline = t0 + a.seconds

    def run(s):
        sent = got = 0
        mine = []
        while got < sent or (sent < per and time.time() < deadline):
            while (sent < per and sent - got < a.window and
                   time.time() < deadline):
                rid = s.next_id
                s.next_id += 1
                s.send({'id': rid, 'op': 'post.create',
                        'args': {'thread_id': tid, 'body': body}})
                sent += 1
            m = s.recv(timeout=120)
            if m is None:
                mine.append('closed')
                break
            if 'id' not in m:
                continue
            got += 1
            c = code_of(m)
            mine.append(c)
            if c != 'ok' and c not in msgs:
                msgs[c] = m['error'].get('message', '')
        with lock:
            codes.extend(mine)

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    mid_size = None
    while any(t.is_alive() for t in threads):
        time.sleep(0.1)
        if mid_size is None and time.time() >= deadline:
            mid_size = db_mb(srv)
    for t in threads:
        t.join()
    took = time.time() - t0
    size1 = db_mb(srv)
    rows = srv.query('SELECT count(*) FROM posts WHERE thread_id = ?', tid)[0][0]
    grew = size1 - size0
    print('  posts: %d sessions, %d posts of %d KB tried in %.1f s (load %s)'
          % (a.sessions, len(codes), a.body_kb, took, load()))
    print('    answers: %s; posts in the thread: %d' % (counts(codes), rows - 1))
    for c, m in sorted(msgs.items()):
        print('    %s: "%s"' % (c, m[:160]))
    print('    database + WAL: %.1f -> %.1f MB: grew %.1f MB, %.2f MB/s'
          % (size0, size1, grew, grew / took))
    for s in sessions:
        s.close()
    return srv


# ---- search: one member's searches against another's ----

def search_world(srv, mo, posts):
    community(srv, 'big', name='Big')
    cid = community_id(srv, 'big')
    con = srv.db()
    con.execute('PRAGMA busy_timeout = 5000')
    per = 1000
    for t in range(max(1, posts // per)):
        cur = con.execute('INSERT INTO threads (community_id, author_id, title, '
                          'created_at, last_post_at) VALUES (?, ?, ?, ?, ?)',
                          (cid, mo, 'Common thread %d' % t, T0, T0))
        con.executemany('INSERT INTO posts (thread_id, author_id, body, created_at) '
                        'VALUES (?, ?, ?, ?)',
                        [(cur.lastrowid, mo, 'common words %d of thread %d' % (i, t),
                          T0 + i) for i in range(per)])
    con.commit()
    con.close()


def attack_search(a):
    srv = server({}, a)
    keys = people(srv, 'mo', 'nel', coc=False)
    search_world(srv, member_id(srv, 'mo'), a.search_posts)
    nel = srv.session(keys['nel'])
    alone = []
    for _ in range(5):
        t = time.time()
        r = nel.call('search.query', timeout=60, q='common', limit=5)
        alone.append(((time.time() - t) * 1000, code_of(r)))
    hogs = [srv.session(keys['mo']) for _ in range(a.hogs)]
    mo_codes = []
    lock = threading.Lock()
    stop = time.time() + a.seconds

    def hog(s):
        inflight = 0
        mine = []
        while inflight > 0 or time.time() < stop:
            while inflight < 4 and time.time() < stop:
                rid = s.next_id
                s.next_id += 1
                s.send({'id': rid, 'op': 'search.query',
                        'args': {'q': 'common', 'limit': 50}})
                inflight += 1
            m = s.recv(timeout=120)
            if m is None:
                mine.append('closed')
                break
            if 'id' in m:
                inflight -= 1
                mine.append(code_of(m))
        with lock:
            mo_codes.extend(mine)

    threads = [threading.Thread(target=hog, args=(s,)) for s in hogs]
    for t in threads:
        t.start()
    time.sleep(0.5)  # let the hogs fill what they can
    nel_res, nel_msgs = [], {}
    nxt = time.time()
    while time.time() < stop:
        # within the search class's steady rate (5 a second by default)
        time.sleep(max(0, nxt - time.time()))
        nxt += 1.0 / a.other_rate
        t = time.time()
        r = nel.call('search.query', timeout=60, q='common', limit=5)
        c = code_of(r)
        nel_res.append(((time.time() - t) * 1000, c))
        if c != 'ok' and c not in nel_msgs:
            nel_msgs[c] = r['error'].get('message', '')
    for t in threads:
        t.join()
    okl = [ms for ms, c in nel_res if c == 'ok']
    print('  search: %d posts; %d sessions of one member, 4 searches each in '
          'flight, %d s; the other member %g a second (load %s)'
          % (a.search_posts, a.hogs, a.seconds, a.other_rate, load()))
    print('    the other member alone first: %s, %.0f ms median'
          % (counts([c for _, c in alone]), pct([ms for ms, _ in alone], 50)))
    print('    the other member meanwhile: %d of %d ok; latency of the ok ones '
          'p50 %.0f / p95 %.0f / max %.0f ms; %s'
          % (len(okl), len(nel_res), pct(okl, 50), pct(okl, 95),
             max(okl) if okl else float('nan'), counts([c for _, c in nel_res])))
    for c, m in sorted(nel_msgs.items()):
        print('    %s: "%s"' % (c, m[:160]))
    print('    the hogging member: %s' % counts(mo_codes))
    nel.close()
    for s in hogs:
        s.close()
    return srv


# ---- readers: sessions that never read ----

def attack_readers(a):
    srv = server({}, a)
    keys = people(srv, 'mo')
    community(srv, 'cop', members=[('mo', 'member')])
    mid = member_id(srv, 'mo')
    con = srv.db()
    cur = con.execute('INSERT INTO threads (community_id, author_id, title, '
                      'created_at, last_post_at) VALUES (?, ?, ?, ?, ?)',
                      (community_id(srv, 'cop'), mid, 'Big', T0, T0))
    tid = cur.lastrowid
    con.executemany('INSERT INTO posts (thread_id, author_id, body, created_at) '
                    'VALUES (?, ?, ?, ?)',
                    [(tid, mid, 'y' * 55000, T0 + i) for i in range(3)])
    con.commit()
    con.close()
    log_start = os.path.getsize(srv.logpath)
    rss0 = rss_mb(srv)
    sleepers, refused = [], 0
    for _ in range(a.readers):
        try:
            sleepers.append(srv.session(keys['mo']))
        except AssertionError:
            refused += 1
    rss_open = rss_mb(srv)
    req = b'{"id": %d, "op": "thread.get", "args": {"thread_id": %d}}\n'
    alive = list(sleepers)
    sent = 0
    peak, peak_at = rss_open, 0.0
    t0 = time.time()
    gap = 1.0 / a.req_rate
    nxt = t0
    while time.time() < t0 + a.reader_seconds:
        now = time.time()
        if now >= nxt and alive:
            s = alive[sent % len(alive)]
            try:
                s.send_raw(req % (sent + 1, tid))
                sent += 1
            except (BrokenPipeError, OSError):
                alive.remove(s)
            nxt += gap
        r = rss_mb(srv)
        if r > peak:
            peak, peak_at = r, now - t0
        time.sleep(min(gap, 0.01))
    time.sleep(3)
    rss_end = rss_mb(srv)
    with open(srv.logpath, errors='replace') as f:
        f.seek(log_start)
        text = f.read()
    reasons = re.findall(r'closing: (.*)$', text, re.M)
    why = {'the member cap (member_out_cap_mb)': r'across member .* the slowest',
           'the connection cap (output_cap_kb)': r'output queue over',
           'stalled (stall_timeout)': r'no output accepted for'}
    whys = ', '.join('%s %d' % (k, len(re.findall(v, text)))
                     for k, v in why.items())
    at_login = len(re.findall(r'over max_sessions_per_member', text))
    still = sum(1 for s in sleepers if s.proc.poll() is None)
    print('  readers: %d sessions of one member asked for: %d opened, %d '
          'refused at login (load %s)' % (a.readers, len(sleepers), refused,
                                          load()))
    print('    %d thread.get of ~55 KB each sent in %d s, none read'
          % (sent, a.reader_seconds))
    print('    hearthd RSS: %.0f MB before, %.0f MB with the sessions open, '
          'peak %.0f MB (+%.0f MB, at %.1f s), %.0f MB 3 s after'
          % (rss0, rss_open, peak, peak - rss0, peak_at, rss_end))
    print('    closed by hearthd: %s (%s); refused at login (log): %d; '
          'still open: %d' % (counts(reasons) or 'none', whys, at_login, still))
    for s in sleepers:
        if s.proc.poll() is None:
            s.proc.kill()
    return srv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', action='append', required=True)
    ap.add_argument('--only', default='posts,search,readers')
    ap.add_argument('--set', action='append', default=[])
    ap.add_argument('--seconds', type=int, default=15)
    ap.add_argument('--posts', type=int, default=5120)
    ap.add_argument('--body-kb', type=int, default=55)
    ap.add_argument('--sessions', type=int, default=8)
    ap.add_argument('--window', type=int, default=16)
    ap.add_argument('--hogs', type=int, default=8)
    ap.add_argument('--search-posts', type=int, default=100000)
    ap.add_argument('--other-rate', type=float, default=4)
    ap.add_argument('--readers', type=int, default=60)
    ap.add_argument('--req-rate', type=float, default=200)
    ap.add_argument('--reader-seconds', type=int, default=40)
    a = ap.parse_args()
    attacks = {'posts': attack_posts, 'search': attack_search,
               'readers': attack_readers}
    for build in a.build:
        harness.configure(os.path.abspath(build), False)
        print('== %s %s' % (build, ' '.join('--set ' + s for s in a.set)))
        for name in a.only.split(','):
            try:
                attacks[name](a)
            finally:
                harness.cleanup(check=False)
            sys.stdout.flush()


if __name__ == '__main__':
    main()
