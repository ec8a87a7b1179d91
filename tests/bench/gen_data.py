#!/usr/bin/env python3
"""gen_data.py: build a Hearth data directory for the board, search and write
benchmarks (docs/performance.md, "Boards, search and writes").

hearthd itself creates the schema (it is started once on the empty directory
and stopped with SIGTERM after its "Stop:" line); then members, communities,
memberships, threads and posts are bulk-inserted with sqlite3, the post and
thread triggers are set aside during the load, and the FTS5 indexes are
rebuilt at the end. Every row comes from a fixed seed, so two runs with the
same arguments give the same rows (the bench members' SSH keys are made with
ssh-keygen and differ each run; nothing else does).

    tests/bench/gen_data.py --out /tmp/hearth-bench [--build build]
        [--threads 100000] [--posts 1000000] [--members 2000]
        [--communities 20] [--writers 16] [--seed 1]

Writes OUT/data (the data directory), OUT/keys/benchNN{,.pub} and
OUT/bench.json (bench handles, key paths, slugs, the data's "now").
"""
import argparse
import json
import os
import random
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The data's "now": fixed so the rows do not depend on the day of the run.
NOW = 1795305600  # 2026-11-21T00:00:00Z
SPAN = 3 * 365 * 86400  # threads start over the three years before NOW

# A few hundred distinct words; the first ones are drawn most often (Zipf),
# so "common words" match many posts and rare ones few.
WORDS = """
the and to of a in is that for it with as on be this are not have but was you
at or by can they we if from an what about which when one more there so do
all would will also some their out like just time how only work our other
into than them then these its up use people see way think because good well
team project group meeting practice question answer share know need help make
new first last year week month day data service user design research policy
garden compost soil seed plant water tree leaf bed path shed tool spade rake
bread flour yeast dough oven loaf crust starter butter salt sugar recipe bake
code test build release review merge branch commit bug patch server client
network protocol latency cache index query table schema backup restore disk
nurse ward patient shift rota handover clinic care safety audit training
teacher pupil lesson class school marking curriculum homework exam parent
library archive record catalogue collection digital access reader loan
community member leader manager volunteer event workshop talk surgery room
mentor mentoring career role job interview skill learning course module
river canal boat lock bridge towpath mooring engine hull paint rope anchor
bicycle wheel chain brake saddle frame tyre route ride commute helmet
camera lens photo light shadow colour print frame exposure portrait film
music choir song practice rehearsal concert score tenor alto soprano bass
history local parish church street house map census family letter diary
energy solar panel battery heat pump insulation window roof boiler meter
accessibility screen keyboard contrast caption transcript font layout
kitchen table chair shelf cupboard drawer hinge screw glue sand varnish
zucchini tomato potato onion garlic carrot bean pea leek cabbage kale
chicken egg duck goose bee honey hive wax swarm queen frame smoker
weather rain frost sun wind storm spring summer autumn winter season
funding grant budget invoice receipt report minutes agenda chair quorum
privacy consent safeguarding policy guidance handbook conduct welcome
thanks please sorry agree disagree suggest idea plan draft final
apple pear plum cherry damson quince medlar fig grape vine orchard
""".split()

TAGS = ['help', 'howto', 'news', 'event', 'question', 'idea', 'tools',
        'meta', 'jobs', 'reading', 'show-and-tell', 'beginners']

FIRST = ['sam', 'alex', 'jo', 'priya', 'tom', 'ana', 'li', 'omar', 'kate',
         'ben', 'nia', 'raj', 'eve', 'dan', 'mo', 'zoe', 'ivan', 'ada', 'kim', 'lou']
LAST = ['kaur', 'smith', 'jones', 'patel', 'nguyen', 'okafor', 'brown', 'khan',
        'evans', 'silva', 'murphy', 'chen', 'walsh', 'ali', 'reid', 'hughes']


def log(msg, t0):
    print('[%6.1fs] %s' % (time.time() - t0, msg), flush=True)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_schema(build, data):
    """Start hearthd on the empty directory until its banner ends, then stop it."""
    port = free_port()
    logf = open(os.path.join(os.path.dirname(data), 'schema-hearthd.log'), 'w')
    p = subprocess.Popen([os.path.join(build, 'hearthd'), '--data', data,
                          '--listen', '127.0.0.1:%d' % port] +
                         (['--allow-root'] if os.geteuid() == 0 else []),
                         stdout=subprocess.PIPE, stderr=logf)
    out = ''
    deadline = time.time() + 30
    try:
        while time.time() < deadline:
            r, _, _ = select.select([p.stdout], [], [], 0.2)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536).decode()
                if not chunk:
                    break
                out += chunk
                if 'Stop:' in out and out.endswith('\n'):
                    break
            if p.poll() is not None:
                break
        if 'Stop:' not in out:
            sys.exit('hearthd did not start; see schema-hearthd.log')
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=20)
        logf.close()
    if p.returncode != 0:
        sys.exit('hearthd exited %d' % p.returncode)


def make_key(path, comment):
    """A new ed25519 key; returns (fingerprint, base64 blob)."""
    for f in (path, path + '.pub'):
        if os.path.exists(f):
            os.unlink(f)
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment,
                    '-f', path], check=True)
    fp = subprocess.run(['ssh-keygen', '-lf', path + '.pub'], capture_output=True,
                        text=True, check=True).stdout.split()[1]
    blob = open(path + '.pub').read().split()[1]
    return fp, blob


def load_tokenizer(build):
    """The full-text tables' tokenizer on this process's connections, as
    the tests have it (harness.load_tokenizer); older builds have none."""
    sys.path.insert(0, os.path.join(ROOT, 'tests', 'integration'))
    import harness
    harness.load_tokenizer(build)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help='output directory (replaced)')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--threads', type=int, default=100000)
    ap.add_argument('--posts', type=int, default=1000000)
    ap.add_argument('--members', type=int, default=2000)
    ap.add_argument('--communities', type=int, default=20)
    ap.add_argument('--writers', type=int, default=16,
                    help='bench members with keys (bench01...)')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    if a.posts < a.threads:
        sys.exit('--posts must be at least --threads (each thread has a first post)')
    t0 = time.time()
    rnd = random.Random(a.seed)

    out = os.path.abspath(a.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, 'keys'))
    data = os.path.join(out, 'data')
    make_schema(a.build, data)
    log('schema created by hearthd', t0)
    load_tokenizer(a.build)

    con = sqlite3.connect(os.path.join(data, 'hearth.db'), isolation_level=None)
    con.execute('PRAGMA synchronous = OFF')
    con.execute('PRAGMA cache_size = -262144')
    con.execute('BEGIN')

    # Members: the bench writers first (bench01..), then everyone else.
    members = []
    for i in range(a.members):
        if i < a.writers:
            handle = 'bench%02d' % (i + 1)
            name = 'Bench Writer %d' % (i + 1)
        else:
            f, l = rnd.choice(FIRST), rnd.choice(LAST)
            handle = '%s_%s%d' % (f, l, i)
            name = '%s %s' % (f.title(), l.title())
        created = NOW - SPAN - rnd.randint(0, 86400 * 30)
        role = 'admin' if i == a.writers else 'member'
        members.append((handle, name, role, created, created + 60,
                        rnd.choice(['', 'they/them', 'she/her', 'he/him']),
                        rnd.choice(['', 'nurse', 'teacher', 'developer', 'gardener', 'baker']),
                        ' '.join(rnd.choices(WORDS[:150], k=rnd.randint(0, 20)))))
    con.executemany(
        'INSERT INTO members (handle, display_name, role, created_at, coc_accepted_at, '
        'pronouns, job_role, bio) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', members)
    mids = [r[0] for r in con.execute('SELECT id FROM members ORDER BY id')]
    mid_of = dict(con.execute('SELECT handle, id FROM members'))
    writer_ids = [mid_of['bench%02d' % (i + 1)] for i in range(a.writers)]
    log('%d members' % a.members, t0)

    # Keys for the bench writers (real ed25519 keys).
    bench = []
    for i in range(a.writers):
        handle = 'bench%02d' % (i + 1)
        path = os.path.join(out, 'keys', handle)
        fp, blob = make_key(path, handle)
        con.execute('INSERT INTO keys (member_id, fingerprint, key_type, public_key, '
                    'comment, created_at) VALUES (?, ?, ?, ?, ?, ?)',
                    (mid_of[handle], fp, 'ssh-ed25519', blob, handle, NOW - SPAN))
        bench.append({'handle': handle, 'key': path, 'member_id': mid_of[handle]})
    log('%d bench keys' % a.writers, t0)

    # Communities: a mix of visibilities; sizes skewed (a few big ones).
    vis_cycle = ['platform', 'public', 'private', 'platform', 'public']
    comms = []
    for c in range(a.communities):
        slug = 'c%02d-%s' % (c + 1, rnd.choice(WORDS[150:]))
        comms.append((slug, slug.replace('-', ' ').title(),
                      ' '.join(rnd.choices(WORDS, k=12)), vis_cycle[c % len(vis_cycle)],
                      rnd.choice(['open', 'request', 'invite']), NOW - SPAN - 86400 * 60))
    con.executemany('INSERT INTO communities (slug, name, purpose, visibility, join_policy, '
                    'created_at) VALUES (?, ?, ?, ?, ?, ?)', comms)
    cids = [r[0] for r in con.execute('SELECT id FROM communities ORDER BY id')]
    slugs = [c[0] for c in comms]

    # Memberships: every bench writer is a member everywhere; others join 2-6.
    cm = {}
    for c in cids:
        for w in writer_ids:
            cm[(c, w)] = 'member'
    others = [m for m in mids if m not in writer_ids]
    for m in others:
        for c in rnd.sample(cids, rnd.randint(2, min(6, len(cids)))):
            cm[(c, m)] = rnd.choices(['member', 'leader', 'manager', 'interested'],
                                     [85, 6, 3, 6])[0]
    con.executemany('INSERT INTO community_members (community_id, member_id, role, '
                    'joined_at) VALUES (?, ?, ?, ?)',
                    [(c, m, r, NOW - SPAN - 86400) for (c, m), r in sorted(cm.items())])
    by_comm = {c: [m for (cc, m) in cm if cc == c] for c in cids}
    log('%d communities, %d memberships' % (len(cids), len(cm)), t0)

    # Set the FTS triggers aside for the bulk load; rebuilt afterwards.
    trig = {name: sql for name, sql in con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND name IN ('threads_ai', 'posts_ai')")}
    for name in trig:
        con.execute('DROP TRIGGER %s' % name)

    # Threads: community by a skewed weight; created over SPAN.
    cweights = [1.0 / (i + 1) ** 0.8 for i in range(len(cids))]
    threads = []  # (community, author, created)
    for t in range(a.threads):
        c = rnd.choices(cids, cweights)[0]
        created = NOW - SPAN + int(SPAN * (t + rnd.random()) / a.threads)
        threads.append((c, rnd.choice(by_comm[c]), created))
    # Posts per thread: one each, the rest by a heavy-tailed weight.
    w = [min(rnd.paretovariate(1.5), 200.0) for _ in range(a.threads)]
    tot = sum(w)
    extra = a.posts - a.threads
    counts = [1 + int(extra * x / tot) for x in w]
    short = a.posts - sum(counts)
    for i in rnd.sample(range(a.threads), short):
        counts[i] += 1
    # Post times: after the thread start, gaps of minutes to days; then all
    # posts are ordered by time so ids grow with time, as on a real server.
    events = []
    for t, (c, _, created) in enumerate(threads):
        at = created
        for k in range(counts[t]):
            if k:
                at += int(rnd.expovariate(1.0 / (3600 * 6))) + 30
            events.append((min(at, NOW - 1), t))
    events.sort()
    log('%d threads, %d posts planned (longest thread %d posts)' %
        (a.threads, len(events), max(counts)), t0)

    cw = [1.0 / (i + 1) for i in range(len(WORDS))]
    cum = []
    s = 0.0
    for x in cw:
        s += x
        cum.append(s)
    choices = rnd.choices

    def text(lo, hi):
        return ' '.join(choices(WORDS, cum_weights=cum, k=rnd.randint(lo, hi)))

    thread_rows = []
    for t, (c, author, created) in enumerate(threads):
        tags = ' '.join(sorted(set(rnd.sample(TAGS, rnd.randint(0, 3)))))
        thread_rows.append((t + 1, c, author, text(3, 10).capitalize(), tags,
                            1 if rnd.random() < 0.002 else 0, 1 if rnd.random() < 0.01 else 0,
                            created))
    con.execute('DELETE FROM threads')  # none yet; ids below start at 1
    con.executemany('INSERT INTO threads (id, community_id, author_id, title, tags, pinned, '
                    'locked, created_at, last_post_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                    [r + (r[7],) for r in thread_rows])
    log('threads inserted', t0)

    last = [None] * a.threads
    first_author = [r[2] for r in thread_rows]
    seen = [0] * a.threads

    def post_rows():
        pid = 0
        for at, t in events:
            pid += 1
            if seen[t] == 0:
                author = first_author[t]
                reply_to = None
            else:
                author = rnd.choice(by_comm[threads[t][0]])
                reply_to = last[t][0] if rnd.random() < 0.2 else None
            seen[t] += 1
            last[t] = (pid, at)
            yield (pid, t + 1, author, reply_to, text(5, 40), at)

    con.executemany('INSERT INTO posts (id, thread_id, author_id, reply_to, body, created_at) '
                    'VALUES (?, ?, ?, ?, ?, ?)', post_rows())
    log('posts inserted', t0)
    con.executemany('UPDATE threads SET last_post_id = ?, last_post_at = ?, post_count = ? '
                    'WHERE id = ?',
                    [(last[t][0], last[t][1], seen[t], t + 1) for t in range(a.threads)])
    # Read positions of the bench members: some threads read, some not.
    rp = []
    for w_id in writer_ids:
        for t in rnd.sample(range(a.threads), min(2000, a.threads)):
            rp.append((w_id, t + 1, last[t][0] if rnd.random() < 0.5 else
                       max(1, last[t][0] - 1), NOW))
    con.executemany('INSERT OR IGNORE INTO read_positions (member_id, thread_id, last_post_id, '
                    'at) VALUES (?, ?, ?, ?)', rp)
    log('thread counters and %d read positions' % len(rp), t0)

    for name, sql in trig.items():
        con.execute(sql)
    con.execute("INSERT INTO threads_fts(threads_fts) VALUES ('rebuild')")
    log('threads_fts rebuilt', t0)
    con.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    log('posts_fts rebuilt', t0)
    # As migration 010 does after 009's rebuild: one segment each, or the
    # first posts written merge the rebuilt index on hearthd's loop thread.
    con.execute("INSERT INTO threads_fts(threads_fts) VALUES ('optimize')")
    con.execute("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")
    log('indexes optimized', t0)
    con.execute('COMMIT')
    con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    con.close()
    log('committed and checkpointed (no ANALYZE: hearthd runs none)', t0)

    meta = {'now': NOW, 'seed': a.seed, 'threads': a.threads, 'posts': a.posts,
            'members': a.members, 'communities': slugs, 'bench': bench,
            'data': data}
    with open(os.path.join(out, 'bench.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    size = os.path.getsize(os.path.join(data, 'hearth.db')) / 1e6
    log('done: %s (hearth.db %.0f MB) in %.1f s' % (data, size, time.time() - t0), t0)


if __name__ == '__main__':
    main()
