"""make demo: the seeder builds the five communities through the protocol,
and the newcomer's key logs in."""
import os
import sqlite3
import subprocess
import sys

import harness
from harness import Server, free_port, tmpdir

HERE = os.path.dirname(os.path.abspath(__file__))


def test_demo_seed_and_newcomer_login():
    data = os.path.join(tmpdir(), 'demo')
    p = subprocess.run([sys.executable, os.path.join(HERE, '..', 'demo', 'seed.py'),
                        '--build', harness.BUILD, '--data', data, '--port', str(free_port())],
                       capture_output=True, text=True, timeout=180)
    assert p.returncode == 0 and 'Demo data ready' in p.stdout, p.stderr
    assert p.stderr == '', p.stderr          # every demo request succeeded
    con = sqlite3.connect(os.path.join(data, 'hearth.db'))
    names = [r[0] for r in con.execute('SELECT name FROM communities ORDER BY name')]
    assert names == ['Eco Awareness', 'Neuro Diverse', 'Rural Isolation', 'Students',
                     'Supervisors']
    assert con.execute('SELECT count(*) FROM posts').fetchone()[0] >= 20
    assert con.execute('SELECT count(*) FROM poll_votes').fetchone()[0] == 3
    assert [r[0] for r in con.execute('SELECT kind FROM events ORDER BY id')] == [
        'drop_in', 'surgery']
    assert con.execute('SELECT count(*) FROM event_queue').fetchone()[0] == 1
    con.close()
    srv = Server(data=data)
    key = harness.Key.from_file(os.path.join(data, 'demo_key'))
    s = srv.session(key, 'alex')
    assert s.hello['data']['member']['handle'] == 'alex'
    lst = s.call('community.list')['result']['communities']
    assert len(lst) == 5


def test_demo_never_touches_a_real_data_directory():
    srv = Server()
    srv.new_member('real')
    srv.stop()
    p = subprocess.run([sys.executable, os.path.join(HERE, '..', 'demo', 'seed.py'),
                        '--build', harness.BUILD, '--data', srv.data, '--port',
                        str(free_port())], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and 'not demo data' in p.stderr, p
    assert srv.query('SELECT handle FROM members') == [('real',)]
