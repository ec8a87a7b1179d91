#!/usr/bin/env python3
"""bench_wal.py: the WAL's size after a write flood (docs/performance.md,
"The WAL after a flood"), through SSH, the real path.

Starts hearthd (the build given, a fresh data directory, rate_write off),
makes one member and one thread, holds a read transaction open on another
connection (as a long backup or report would) while one session pipelines
--posts replies of --body-kb KiB, ends the reader, then prints the size of
hearth.db-wal right after the flood and every second for --watch seconds.
Uses the integration harness (tests/integration/harness.py).

    tests/bench/bench_wal.py [--build build] [--posts 1500] [--body-kb 3]
        [--watch 10] [--wal-max-mb N]
"""
import argparse
import os
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'integration'))
import harness  # noqa: E402
from fixtures import community, member_session, ok  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--posts', type=int, default=1500)
    ap.add_argument('--body-kb', type=int, default=3)
    ap.add_argument('--watch', type=int, default=10)
    ap.add_argument('--wal-max-mb', type=int, default=None)
    a = ap.parse_args()
    harness.configure(os.path.abspath(a.build), False)
    cfg = {'rate_write': 'off'}
    if a.wal_max_mb is not None:
        cfg['wal_max_mb'] = a.wal_max_mb
    srv = harness.Server(config=cfg)
    wal = os.path.join(srv.data, 'hearth.db-wal')

    def size():
        try:
            return os.path.getsize(wal) / 1048576
        except OSError:
            return 0.0
    try:
        s = member_session(srv, 'ann')
        community(srv, 'cop', members=[('ann', 'member')])
        t = ok(s.call('thread.create', slug='cop', title='Flood', body='start'))
        reader = sqlite3.connect(os.path.join(srv.data, 'hearth.db'),
                                 isolation_level=None)
        reader.execute('BEGIN')
        reader.execute('SELECT count(*) FROM posts').fetchone()
        body = ('word ' * (a.body_kb * 205))[:a.body_kb * 1024]
        t0 = time.time()
        for start in range(0, a.posts, 100):
            ids = []
            for i in range(start, min(a.posts, start + 100)):
                rid = s.next_id
                s.next_id += 1
                s.send({'id': rid, 'op': 'post.create',
                        'args': {'thread_id': t['thread_id'], 'body': body}})
                ids.append(rid)
            for rid in ids:
                assert s.reply(rid, timeout=60)['ok']
        took = time.time() - t0
        reader.execute('COMMIT')
        reader.close()
        print('%d posts in %.1f s; WAL right after the flood: %.1f MB'
              % (a.posts, took, size()))
        t0 = time.time()
        for sec in range(1, a.watch + 1):
            time.sleep(max(0, t0 + sec - time.time()))
            print('  after %2d s: %.1f MB' % (sec, size()))
        s.close()
    finally:
        srv.stop()
        harness.cleanup(check=False)


if __name__ == '__main__':
    main()
