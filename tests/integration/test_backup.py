"""The database's safety: hearthctl never migrates, hearthd keeps the old
file before it does, backups."""
import glob
import hashlib
import os
import sqlite3
import stat
import subprocess

import harness
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
