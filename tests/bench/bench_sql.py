#!/usr/bin/env python3
"""bench_sql.py: the "server-side" half of docs/performance.md ("Boards, search
and writes"): the SQL that hearthd runs for thread.list, thread.get and
search.query (copied from server/op-thread.c and server/op-search.c), timed
directly with Python's sqlite3 on a database made by gen_data.py (read-only),
plus two experiments for the fixes proposed there: search ranking bounded to
the newest N matches, and post.create's statements in groups of 1/16/64 per
transaction with synchronous NORMAL or FULL, with and without the FTS trigger
(on a copy of the database, removed afterwards).

    tests/bench/bench_sql.py --dir /tmp/hearth-bench [--skip-writes]
"""
import argparse
import json
import os
import random
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_data import WORDS  # noqa: E402

THREAD_COLS = (
    "t.id, t.title, t.tags, t.pinned, t.locked, m.handle, m.display_name, t.created_at, "
    "t.last_post_at, t.post_count, (:me != 0 AND coalesce((SELECT r.last_post_id FROM "
    "read_positions r WHERE r.member_id = :me AND r.thread_id = t.id), 0) < "
    "coalesce(t.last_post_id, 0))")
POST_COLS = (
    "p.id, m.handle, m.display_name, p.body, p.created_at, p.edited_at, p.reply_to, "
    "p.thanks, EXISTS (SELECT 1 FROM post_thanks pt WHERE pt.post_id = p.id AND "
    "pt.member_id = :me), p.hidden_at, p.hidden_reason, p.deleted_at, p.author_id")
LIST1 = ("SELECT " + THREAD_COLS + " FROM threads t LEFT JOIN members m ON m.id = "
         "t.author_id WHERE t.community_id = :c ORDER BY t.pinned DESC, t.last_post_at "
         "DESC, t.id DESC LIMIT :n")
LIST2 = ("SELECT " + THREAD_COLS + " FROM threads t LEFT JOIN members m ON m.id = "
         "t.author_id WHERE t.community_id = :c AND (t.pinned, t.last_post_at, t.id) < "
         "(:p, :at, :id) ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT :n")
GET_T = ("SELECT " + THREAD_COLS + ", t.community_id, t.author_id, t.last_post_id, c.slug, "
         "(SELECT r.last_post_id FROM read_positions r WHERE r.member_id = :me AND "
         "r.thread_id = t.id) FROM threads t JOIN communities c ON c.id = t.community_id "
         "LEFT JOIN members m ON m.id = t.author_id WHERE t.id = :id")
GET_P = ("SELECT " + POST_COLS + " FROM posts p LEFT JOIN members m ON m.id = p.author_id "
         "WHERE p.thread_id = :t AND p.id > :after ORDER BY p.id LIMIT :n")
READABLE = ("SELECT id FROM communities WHERE visibility IN ('platform', 'public') UNION "
            "SELECT community_id FROM community_members WHERE member_id = :me")


def search_sql(bound=None):
    """op-search.c's kind=all query; bound: rank only the newest N post matches."""
    b = ''
    if bound:
        b = ("posts_fts.rowid >= (SELECT coalesce((SELECT rowid FROM posts_fts WHERE "
             "posts_fts MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET %d), 0)) AND " % (bound - 1))
    return (
        "SELECT 'thread', t.id, NULL, NULL, t.title, snippet(threads_fts, -1, char(2), "
        "char(3), '…', 16), c.slug, c.name, a.handle, a.display_name, t.created_at, "
        "threads_fts.rank FROM threads_fts JOIN threads t ON t.id = threads_fts.rowid "
        "JOIN communities c ON c.id = t.community_id LEFT JOIN members a ON a.id = "
        "t.author_id WHERE threads_fts MATCH :q AND t.community_id IN (" + READABLE + ") "
        "AND (:c = 0 OR t.community_id = :c) UNION ALL "
        "SELECT 'post', t.id, p.id, NULL, t.title, snippet(posts_fts, 0, char(2), char(3), "
        "'…', 24), c.slug, c.name, a.handle, a.display_name, p.created_at, posts_fts.rank "
        "FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid JOIN threads t ON t.id = "
        "p.thread_id JOIN communities c ON c.id = t.community_id LEFT JOIN members a ON "
        "a.id = p.author_id WHERE posts_fts MATCH :q AND " + b + "p.hidden_at IS NULL AND "
        "p.deleted_at IS NULL AND t.community_id IN (" + READABLE + ") AND (:c = 0 OR "
        "t.community_id = :c) UNION ALL "
        "SELECT 'profile', NULL, NULL, m.handle, m.display_name, snippet(profiles_fts, -1, "
        "char(2), char(3), '…', 16), NULL, NULL, m.handle, m.display_name, m.created_at, "
        "profiles_fts.rank FROM profiles_fts JOIN members m ON m.id = profiles_fts.rowid "
        "WHERE profiles_fts MATCH :q AND m.status = 'active' AND (:c = 0 OR m.id IN "
        "(SELECT member_id FROM community_members WHERE community_id = :c)) "
        "ORDER BY 12, 1, 2, 3, 4 LIMIT 20 OFFSET 0")


def show(name, xs):
    xs = sorted(xs)
    print('| %s | %d | %.3f | %.3f | %.3f |' % (
        name, len(xs), xs[len(xs) // 2] * 1e3, xs[min(len(xs) - 1, int(len(xs) * .99))] * 1e3,
        xs[-1] * 1e3), flush=True)


def timed(con, sql, args):
    t = time.perf_counter()
    rows = con.execute(sql, args).fetchall()
    return rows, time.perf_counter() - t


def reads(db, me):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    for sql in (LIST1, LIST2, GET_P):
        plan = [r[3] for r in con.execute('EXPLAIN QUERY PLAN ' + sql,
                                          dict(c=1, n=31, me=me, p=0, at=0, id=0, t=1,
                                               after=0))]
        print('plan:', '; '.join(plan))
    rnd = random.Random(3)
    ncomm = con.execute('SELECT max(id) FROM communities').fetchone()[0]
    nthr = con.execute('SELECT max(id) FROM threads').fetchone()[0]
    longt = [r[0] for r in con.execute('SELECT id FROM threads WHERE post_count > 50')]
    first, later, gf, gl = [], [], [], []
    for _ in range(1000):
        c = rnd.randint(1, ncomm)
        rows, t = timed(con, LIST1, dict(c=c, n=31, me=me))
        first.append(t)
        for _ in range(rnd.randint(0, 4)):
            if len(rows) < 31:
                break
            x = rows[29]
            rows, t = timed(con, LIST2, dict(c=c, n=31, me=me, p=x[3], at=x[8], id=x[0]))
            later.append(t)
        tid = rnd.choice(longt) if rnd.random() < 0.3 else rnd.randint(1, nthr)
        t0 = time.perf_counter()
        con.execute(GET_T, dict(me=me, id=tid)).fetchall()
        rows = con.execute(GET_P, dict(me=me, t=tid, after=0, n=51)).fetchall()
        gf.append(time.perf_counter() - t0)
        if len(rows) > 50:
            t0 = time.perf_counter()
            con.execute(GET_T, dict(me=me, id=tid)).fetchall()
            con.execute(GET_P, dict(me=me, t=tid, after=rows[49][0], n=51)).fetchall()
            gl.append(time.perf_counter() - t0)
    print('\n| SQL | count | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|')
    show('thread.list first page', first)
    show('thread.list later page', later)
    show('thread.get first page (thread + posts)', gf)
    show('thread.get later page', gl)
    words = [rnd.choice(WORDS[40:150]) for _ in range(12)]
    pairs = ['%s %s' % (rnd.choice(WORDS[40:400]), rnd.choice(WORDS[40:400])) for _ in range(12)]

    def fts(q):  # as op-search.c builds it: words quoted, the last as a prefix
        ws = q.split()
        return ' '.join('"%s"' % w for w in ws[:-1]) + (' ' if len(ws) > 1 else '') + \
            '"%s"*' % ws[-1]
    counts = [con.execute('SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?',
                          (fts(w),)).fetchone()[0] for w in words]
    print('\nsearch words %s match %d..%d posts' % (' '.join(words), min(counts), max(counts)))
    print('\n| search.query SQL (kind all, 20 results) | count | p50 ms | p99 ms | max ms |\n'
          '|---|---|---|---|---|')
    for name, bound in (('as today', None), ('newest 5000 post matches ranked', 5000),
                        ('newest 10000 post matches ranked', 10000)):
        sql = search_sql(bound)
        show('1 common word, ' + name,
             [timed(con, sql, dict(q=fts(w), me=me, c=0))[1] for w in words])
        show('2 words, ' + name,
             [timed(con, sql, dict(q=fts(w), me=me, c=0))[1] for w in pairs])
    con.close()


def writes(db):
    copy = db + '.bench-copy'
    for sync in ('NORMAL', 'FULL'):
        for fts in (True, False):
            if not fts and sync == 'FULL':
                continue
            s = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
            d = sqlite3.connect(copy)
            s.backup(d)
            s.close()
            d.close()
            con = sqlite3.connect(copy, isolation_level=None)
            con.execute('PRAGMA journal_mode = WAL')
            con.execute('PRAGMA synchronous = ' + sync)
            con.execute('PRAGMA foreign_keys = ON')
            if not fts:
                con.execute('DROP TRIGGER posts_ai')
            rnd = random.Random(1)
            tids = [r[0] for r in con.execute('SELECT id FROM threads WHERE locked = 0')]
            for group in (1, 16, 64):
                n = 3000
                t0 = time.perf_counter()
                for i in range(0, n, group):
                    con.execute('BEGIN IMMEDIATE')
                    for k in range(group):
                        one_post(con, rnd, tids, 1 + (i + k) % 16)
                    con.execute('COMMIT')
                dt = time.perf_counter() - t0
                print('post.create SQL, synchronous=%s, FTS trigger %s, %2d per commit: '
                      '%.0f posts/s (%.3f ms each)' % (sync, 'on' if fts else 'off', group,
                                                       n / dt, dt / n * 1e3), flush=True)
            con.close()
            for f in (copy, copy + '-wal', copy + '-shm'):
                if os.path.exists(f):
                    os.unlink(f)


def one_post(con, rnd, tids, me):
    """The statements of one post.create (op-thread.c), under a savepoint."""
    t = rnd.choice(tids)
    now = int(time.time())
    body = ' '.join(rnd.choices(WORDS[40:400], k=rnd.randint(5, 40)))
    con.execute('SAVEPOINT req')
    a = con.execute('SELECT community_id, author_id, locked FROM threads WHERE id = ?',
                    (t,)).fetchone()
    con.execute('SELECT role FROM community_members WHERE community_id = ? AND member_id = ?',
                (a[0], me)).fetchone()
    pid = con.execute('INSERT INTO posts (thread_id, author_id, body, created_at) '
                      'VALUES (?, ?, ?, ?)', (t, me, body, now)).lastrowid
    con.execute('UPDATE threads SET last_post_at = ?, last_post_id = ?, post_count = '
                'post_count + 1 WHERE id = ?', (now, pid, t))
    con.execute('INSERT INTO read_positions (member_id, thread_id, last_post_id, at) '
                'VALUES (?, ?, ?, ?) ON CONFLICT (member_id, thread_id) DO UPDATE SET '
                'last_post_id = excluded.last_post_id, at = excluded.at', (me, t, pid, now))
    if a[1] and a[1] != me:
        con.execute("INSERT INTO notifications (member_id, kind, actor_id, community_id, "
                    "thread_id, post_id, text, created_at) VALUES (?, 'reply', ?, ?, ?, ?, "
                    "'replied to your thread', ?)", (a[1], me, a[0], t, pid, now))
    con.execute('RELEASE req')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--dir', required=True, help='the --out of gen_data.py')
    ap.add_argument('--skip-writes', action='store_true')
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.dir, 'bench.json')))
    db = os.path.join(meta['data'], 'hearth.db')
    reads(db, meta['bench'][0]['member_id'])
    if not a.skip_writes:
        writes(db)


if __name__ == '__main__':
    main()
