"""The database's safety: hearthctl never migrates, hearthd keeps the old
file before it does, backups."""
import glob
import re
import hashlib
import os
import sqlite3
import stat
import subprocess
import threading

import harness
from fixtures import community, member_session, ok, wait_until
from harness import Server, tmpdir

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                      'schema')


def migrations():
    """The schema files in order: [(version, path)]."""
    out = []
    for path in sorted(glob.glob(os.path.join(SCHEMA, '[0-9][0-9][0-9]_*.sql'))):
        out.append((int(os.path.basename(path)[:3]), path))
    return out


def old_database(data):
    """A database as the previous release left it: every migration but the
    newest applied in one transaction, as db_open does, user_version set,
    WAL mode. Returns its schema version."""
    steps = migrations()[:-1]
    os.makedirs(data, mode=0o700, exist_ok=True)
    con = sqlite3.connect(os.path.join(data, 'hearth.db'), isolation_level=None)
    con.execute('PRAGMA journal_mode = WAL')
    script = 'BEGIN;\n'
    for _, path in steps:
        script += open(path).read() + '\n'
    script += 'PRAGMA user_version = %d;\nCOMMIT;\n' % steps[-1][0]
    con.executescript(script)
    con.close()
    return steps[-1][0]


def user_version(path):
    con = sqlite3.connect(path)
    try:
        return con.execute('PRAGMA user_version').fetchone()[0]
    finally:
        con.close()


def digest(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def hearthctl(data, *args):
    return subprocess.run([os.path.join(harness.BUILD, 'hearthctl'), '--data',
                           data] + list(args), capture_output=True, text=True,
                          timeout=60)


def test_hearthctl_never_migrates_hearthd_keeps_the_old_file():
    data = os.path.join(tmpdir(), 'data')
    old = old_database(data)
    latest = migrations()[-1][0]
    db = os.path.join(data, 'hearth.db')
    before = digest(db)

    # backup with the daemon stopped reads the old database as it is
    out = os.path.join(tmpdir(), 'copy.db')
    p = hearthctl(data, 'backup', out)
    assert p.returncode == 0, p.stderr
    assert user_version(db) == old
    assert digest(db) == before
    assert user_version(out) == old
    assert not os.path.exists(os.path.join(data, 'backups'))
    # init would write: it refuses an old schema and says what to do
    p = hearthctl(data, 'init')
    assert p.returncode == 1
    assert 'start hearthd' in p.stderr, p.stderr
    assert user_version(db) == old and digest(db) == before

    # hearthd keeps the old file, then migrates
    srv = Server(data=data)
    pre = os.path.join(data, 'backups', 'pre-%03d.db' % old)
    assert os.path.exists(pre), os.listdir(data)
    assert stat.S_IMODE(os.stat(pre).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(pre)).st_mode) == 0o700
    assert user_version(pre) == old
    con = sqlite3.connect(pre)
    assert con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    con.close()
    assert srv.query('PRAGMA user_version')[0][0] == latest
    assert 'kept the schema %d database' % old in srv.log_tail(200)
    # a database already at the newest schema is not copied again
    srv.stop()
    srv.start()
    assert os.listdir(os.path.dirname(pre)) == ['pre-%03d.db' % old]
    srv.stop()


def flood(s, thread_id, n, body, batch=100):
    """n replies to a thread, batch requests at a time on one session."""
    for start in range(0, n, batch):
        ids = []
        for i in range(start, min(n, start + batch)):
            rid = s.next_id
            s.next_id += 1
            s.send({'id': rid, 'op': 'post.create',
                    'args': {'thread_id': thread_id, 'body': '%d %s' % (i, body)}})
            ids.append(rid)
        for rid in ids:
            r = s.reply(rid, timeout=30)
            assert r and r['ok'], r


def wal_size(srv):
    try:
        return os.path.getsize(os.path.join(srv.data, 'hearth.db-wal'))
    except OSError:
        return 0


def test_wal_comes_back_under_the_limit_after_a_flood():
    srv = Server(config={'rate_write': 'off', 'wal_max_mb': 1})
    s = member_session(srv, 'ann')
    community(srv, 'cop', members=[('ann', 'member')])
    t = ok(s.call('thread.create', slug='cop', title='Flood', body='start'))
    # a long reader (a backup, a report) keeps the checkpoints from
    # finishing, so the flood grows the WAL well past the limit
    reader = sqlite3.connect(os.path.join(srv.data, 'hearth.db'),
                             isolation_level=None)
    reader.execute('BEGIN')
    reader.execute('SELECT count(*) FROM posts').fetchone()
    flood(s, t['thread_id'], 1500, 'words ' * 500)
    grown = wal_size(srv)
    assert grown > 4 * 1024 * 1024, grown
    reader.execute('COMMIT')
    reader.close()
    # writes have paused: within seconds the WAL is back under 1 MB
    wait_until(lambda: wal_size(srv) < 1024 * 1024, timeout=10,
               what='the WAL under wal_max_mb (%d bytes)' % wal_size(srv))
    wait_until(lambda: 'WAL truncated' in srv.log_tail(400), what='the log')
    assert srv.query('SELECT count(*) FROM posts')[0][0] >= 1501
    s.close()


def test_backup_while_members_write_is_checked_and_never_overwrites():
    srv = Server(config={'rate_write': 'off'})
    s = member_session(srv, 'ann')
    community(srv, 'cop', members=[('ann', 'member')])
    t = ok(s.call('thread.create', slug='cop', title='Busy', body='start'))
    flood(s, t['thread_id'], 300, 'text ' * 200)
    # members keep writing while the backup runs
    stop = threading.Event()
    written = []

    def writer():
        while not stop.is_set():
            r = s.call('post.create', thread_id=t['thread_id'], body='during')
            assert r['ok'], r
            written.append(r)
    th = threading.Thread(target=writer)
    th.start()
    try:
        wait_until(lambda: len(written) >= 5, what='writes before the backup')
        out = os.path.join(tmpdir(), 'busy.db')
        p = hearthctl(srv.data, 'backup', out)
        n = len(written)
        wait_until(lambda: len(written) > n + 5, what='writes after the backup')
    finally:
        stop.set()
        th.join()
    assert p.returncode == 0, p.stderr
    assert 'backup 100% (' in p.stderr, p.stderr
    assert 'integrity_check' in p.stderr and 'integrity check ok' in p.stdout
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not os.path.exists(out + '-wal') and not os.path.exists(out + '.tmp')
    con = sqlite3.connect(out)
    assert con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    assert con.execute('PRAGMA journal_mode').fetchone()[0] == 'delete'
    copied = con.execute('SELECT count(*) FROM posts').fetchone()[0]
    con.close()
    live = srv.query('SELECT count(*) FROM posts')[0][0]
    assert 301 + 5 <= copied < live, (copied, live)

    # an existing file is kept unless --force says otherwise
    before = digest(out)
    p = hearthctl(srv.data, 'backup', out)
    assert p.returncode == 1 and 'exists' in p.stderr and '--force' in p.stderr
    assert digest(out) == before
    p = hearthctl(srv.data, 'backup', out, '--force')
    assert p.returncode == 0, p.stderr
    con = sqlite3.connect(out)
    assert con.execute('SELECT count(*) FROM posts').fetchone()[0] == live
    con.close()
    s.close()


def scheduled(srv):
    d = os.path.join(srv.data, 'backups')
    if not os.path.isdir(d):
        return []
    return sorted(f for f in os.listdir(d) if f.startswith('hearth-') and f.endswith('.db'))


def test_scheduled_backups_kept_listed_and_restored():
    # a backup every 1.8 s, the newest 2 kept
    srv = Server(config={'backup_every': '0.0005', 'backup_keep': 2})
    srv.new_member('bo')
    wait_until(lambda: srv.log_tail(400).count('written and checked') >= 3,
               timeout=20, what='three scheduled backups')
    wait_until(lambda: len(scheduled(srv)) == 2, what='two kept')
    files = scheduled(srv)
    for f in files:
        path = os.path.join(srv.data, 'backups', f)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        con = sqlite3.connect(path)
        assert con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
        assert con.execute('SELECT handle FROM members').fetchall() == [('bo',)]
        con.close()
    assert 'removed' in srv.log_tail(400)
    listed = srv.ctl('backup', 'list')['backups']
    names = [b['file'] for b in listed if b['kind'] == 'scheduled']
    assert set(files) <= set(names) and len(names) <= 3, (files, names)
    assert all(b['bytes'] > 0 and b['time'] for b in listed)
    p = srv.ctl('backup', 'list', json_out=False)
    assert files[0] in p.stdout and 'scheduled' in p.stdout

    # restore refuses while hearthd runs
    keep = os.path.join(tmpdir(), 'keep.db')
    srv.ctl('backup', keep)
    p = hearthctl(srv.data, 'restore', keep)
    assert p.returncode == 1 and 'stop it first' in p.stderr, p.stderr
    srv.new_member('cy')   # after the copy: the restore takes it away
    srv.stop()
    p = hearthctl(srv.data, 'restore', keep)
    assert p.returncode == 0, p.stderr
    assert 'Restored' in p.stdout and 'before-restore-' in p.stdout
    kept = [f for f in os.listdir(os.path.join(srv.data, 'backups'))
            if f.startswith('before-restore-')]
    assert len(kept) == 1
    con = sqlite3.connect(os.path.join(srv.data, 'backups', kept[0]))
    assert ('cy',) in con.execute('SELECT handle FROM members').fetchall()
    con.close()
    db = os.path.join(srv.data, 'hearth.db')
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    srv.start()
    assert [r[0] for r in srv.query('SELECT handle FROM members')] == ['bo']
    srv.stop()


def test_restore_refuses_what_is_not_a_database():
    srv = Server()
    srv.stop()
    junk = os.path.join(tmpdir(), 'junk.db')
    with open(junk, 'w') as f:
        f.write('not a database' * 100)
    before = digest(os.path.join(srv.data, 'hearth.db'))
    p = hearthctl(srv.data, 'restore', junk)
    assert p.returncode == 1, p.stdout
    assert digest(os.path.join(srv.data, 'hearth.db')) == before
    assert not os.path.exists(os.path.join(srv.data, 'backups'))


def test_no_copy_no_migration():
    data = os.path.join(tmpdir(), 'data')
    old = old_database(data)
    with open(os.path.join(data, 'backups'), 'w') as f:
        f.write('a file where the backups directory would go\n')
    db = os.path.join(data, 'hearth.db')
    before = digest(db)
    p = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--data', data,
                        '--listen', '127.0.0.1:%d' % harness.free_port()] +
                       harness.ALLOW_ROOT,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, p.stderr
    assert 'backups' in p.stderr, p.stderr
    assert user_version(db) == old and digest(db) == before


def test_a_big_wal_is_cut_in_steps_while_members_write():
    """checkpoint.c: a WAL an upload grew to 200 MB is cut down in 32 MB
    steps inside the write gate, never below its frames; a member's posts
    meanwhile are all kept, and so is the document."""
    from fixtures import people
    from test_library import remote, scp, sha
    srv = Server(config={'rate_write': 'off', 'wal_max_mb': 1,
                         'library_max_file_mb': 400, 'library_quota_mb': 1000})
    keys = people(srv, 'ann')
    community(srv, 'cop', members=[('ann', 'member')])
    s = srv.session(keys['ann'], 'ann')
    t = ok(s.call('thread.create', slug='cop', title='Meanwhile', body='start'))
    src = os.path.join(srv.data, '..', 'big.bin')
    with open(src, 'wb') as f:
        for _ in range(24):
            f.write(os.urandom(8 << 20))  # 192 MiB, nothing alike
    scp(srv, keys['ann'], 'ann', src, remote('ann', '/cop/'), timeout=300)
    stop = threading.Event()
    posted = []

    def poster():
        # a post every 1.5 s: the checkpoint still sees writes pause
        # between two of its ticks, and the posts meet the cutting
        while not stop.is_set():
            r = s.call('post.create', thread_id=t['thread_id'],
                       body='during %d' % len(posted))
            assert r and r['ok'], r
            posted.append(r)
            stop.wait(1.5)
    th = threading.Thread(target=poster)
    th.start()

    def big_cut():
        for ln in srv.log_tail(4000).splitlines():
            m = re.search(r'WAL truncated, (\d+) KiB freed', ln)
            if m and int(m.group(1)) > 100 * 1024:
                return ln
        return None
    try:
        wait_until(big_cut, timeout=120, what='the upload\'s WAL truncated')
    finally:
        stop.set()
        th.join()
    line = big_cut()
    m = re.search(r'cut in (\d+) steps', line)
    assert m and int(m.group(1)) >= 1, line
    assert srv.query('PRAGMA integrity_check')[0][0] == 'ok'
    assert srv.query("SELECT count(*) FROM posts WHERE body LIKE 'during %'")[0][0] \
        == len(posted)
    back = os.path.join(srv.data, '..', 'back.bin')
    scp(srv, keys['ann'], 'ann', remote('ann', '/cop/big.bin'), back, timeout=300)
    assert sha(back) == sha(src)
    s.close()
