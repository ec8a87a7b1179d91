#!/usr/bin/env python3
"""bench_directory.py: the loop during a burst of directory searches
(member.search, profile.tags) through SSH, the real path; the figures of
docs/performance.md ("Directory searches off the loop").

Starts hearthd (--build's) on a directory made by gen_data.py (e.g. 5,000
members), gives the members expertise tags if they have none (a few from a
fixed list, the same each run), then --clients sessions send member.search
(one word of the bios, or an expertise prefix, now and then a community)
and profile.tags as fast as their replies come, while one more session
times whoami every few milliseconds: how long a quick request waits behind
the searches. The loop lag (admin.status on DATA/ctl.sock) is reset before
the burst and read after it. Read-only apart from the tags added once.

    tests/bench/bench_directory.py --dir /tmp/hearth-bench [--build build]
        [--clients 4] [--requests 200] [--seed 3]
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import select
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from bench_board import Session, Stats, free_port, lag, pct, run_clients  # noqa: E402
from gen_data import WORDS  # noqa: E402

EXPERTISE = ['trauma', 'trauma-informed care', 'grief', 'gardening', 'grants',
             'governance', 'accessibility', 'accounting', 'advocacy', 'art',
             'housing', 'health', 'harm reduction', 'youth work', 'volunteering',
             'zines', 'web', 'welsh', 'mentoring', 'mediation']


def add_expertise(data, seed):
    db = sqlite3.connect(os.path.join(data, 'hearth.db'), isolation_level=None)
    if db.execute('SELECT count(*) FROM member_expertise').fetchone()[0] == 0:
        rnd = random.Random(seed)
        rows = []
        for (mid,) in db.execute('SELECT id FROM members ORDER BY id').fetchall():
            for tag in rnd.sample(EXPERTISE, rnd.randint(0, 4)):
                rows.append((mid, tag))
        db.execute('BEGIN')
        db.executemany('INSERT INTO member_expertise (member_id, tag) VALUES (?, ?)', rows)
        db.execute('COMMIT')
    n = db.execute('SELECT count(*), count(DISTINCT member_id) FROM member_expertise').fetchone()
    m = db.execute("SELECT count(*) FROM members WHERE status = 'active'").fetchone()[0]
    db.close()
    return n, m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--dir', required=True, help='the --out of gen_data.py')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--clients', type=int, default=4)
    ap.add_argument('--requests', type=int, default=200, help='per client')
    ap.add_argument('--seed', type=int, default=3)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dir, 'bench.json')))
    data = meta['data']
    (tags, tagged), members = add_expertise(data, a.seed)
    slugs = meta['communities']

    conf = os.path.join(a.dir, 'bench-directory.conf')
    with open(conf, 'w') as f:
        f.write('max_unauth = 1000\nmax_unauth_per_ip = 1000\nlogin_grace = 30\n')
        f.write('rate_read = off\nrate_write = off\nrate_search = off\n'
                'search_per_member = 1000\n')
    port = free_port()
    logpath = os.path.join(a.dir, 'bench-directory.log')
    hd = subprocess.Popen([os.path.join(a.build, 'hearthd'), '--data', data, '--listen',
                           '127.0.0.1:%d' % port, '--config', conf] +
                          (['--allow-root'] if os.geteuid() == 0 else []),
                          stdout=subprocess.PIPE, stderr=open(logpath, 'w'))
    out = b''
    while b'Stop:' not in out:
        r, _, _ = select.select([hd.stdout], [], [], 30)
        chunk = os.read(hd.stdout.fileno(), 65536) if r else b''
        if not chunk:
            raise SystemExit('hearthd did not start; see %s' % logpath)
        out += chunk
    print('%s: %d active members, %d expertise tags on %d of them; %d clients x %d '
          'requests' % (a.build, members, tags, tagged, a.clients, a.requests), flush=True)
    try:
        keys = [b['key'] for b in meta['bench']]
        sessions = [Session(port, keys[i % len(keys)]) for i in range(a.clients)]
        probe = Session(port, keys[-1])
        words = WORDS[:150]

        def search(s, rnd, st):
            args = {}
            k = rnd.random()
            if k < 0.6:
                args['q'] = rnd.choice(words)
            elif k < 0.85:
                args['expertise'] = rnd.choice(EXPERTISE)[:rnd.randint(1, 4)]
            else:
                args['q'] = rnd.choice(words)
                args['community'] = rnd.choice(slugs)
            m, t = s.call('member.search', **args)
            st.add('member.search', t, m.get('ok', False), m.get('error'))
            if rnd.random() < 0.3:
                m, t = s.call('profile.tags', prefix=rnd.choice(EXPERTISE)[:1])
                st.add('profile.tags', t, m.get('ok', False), m.get('error'))

        pst = Stats()
        done = threading.Event()

        def probing():
            while not done.is_set():
                m, t = probe.call('whoami')
                pst.add('whoami (probe)', t, m.get('ok', False))
                time.sleep(0.005)

        # quiet: the probe alone
        quiet = Stats()
        for _ in range(200):
            m, t = probe.call('whoami')
            quiet.add('whoami (quiet)', t, m.get('ok', False))
            time.sleep(0.005)
        lag(data, reset=True)
        th = threading.Thread(target=probing)
        th.start()
        st = Stats()
        secs = run_clients(sessions, search, st, a.requests)
        done.set()
        th.join()
        lg = lag(data)
        n = sum(len(v) for v in st.t.values())
        print('burst: %.1f s, %.0f requests/s; loop lag max %.1f ms, %d ticks over 10 ms'
              % (secs, n / secs, lg['max_ms'], lg['over_10ms']))
        for s in (quiet, st, pst):
            print(s.table())
        xs = pst.t.get('whoami (probe)', [])
        print('probe whoami during the burst: p50 %.2f ms, p99 %.2f ms, max %.2f ms'
              % (pct(xs, 50), pct(xs, 99), max(xs) if xs else float('nan')))
        for s in sessions + [probe]:
            s.close()
    finally:
        hd.terminate()
        hd.wait(timeout=30)
    slow = [ln for ln in open(logpath) if 'slow request' in ln]
    print('hearthd "slow request" lines (over 10 ms on the loop): %d%s' % (
        len(slow), (', e.g. ' + slow[0].strip()) if slow else ''))


if __name__ == '__main__':
    main()
