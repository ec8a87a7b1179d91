"""Foundation: identity, invites, the join flow, removal, hearthctl, files."""
import calendar
import os
import socket
import stat
import subprocess
import time

from fixtures import wait_until
from harness import Key, Server, Tmux, tmpdir


def test_first_start_prints_admin_invite_and_it_works():
    srv = Server()
    code = srv.admin_invite()
    assert code and code.startswith('HRTH-'), srv.stdout
    assert 'ssh -p %d 127.0.0.1' % srv.port in srv.stdout
    key = Key('boss')
    s = srv.session(key, 'join')
    assert s.hello['event'] == 'hello'
    assert s.hello['data']['proto'] == 1
    assert s.hello['data']['member'] is None and s.hello['data']['join'] is True
    r = s.call('invite.redeem', code=code, handle='boss', display_name='The Boss')
    assert r['ok'], r
    assert r['result']['member']['role'] == 'admin'
    r = s.call('whoami')
    assert r['result']['member']['handle'] == 'boss'
    s.close()
    # the code is stored hashed, never in clear
    rows = srv.query('SELECT code_hash, used_by FROM invites')
    assert len(rows) == 1 and rows[0][1] is not None
    assert code not in rows[0][0] and code.replace('-', '') not in rows[0][0]
    dump = open(os.path.join(srv.data, 'hearth.db'), 'rb').read()
    assert code.encode() not in dump and code.replace('-', '').encode() not in dump


def test_unknown_key_refused():
    srv = Server()
    key = Key('stranger')
    p = subprocess.run(srv.ssh_base(key, 'stranger') + ['-s', '127.0.0.1', 'hearth'],
                       input=b'', capture_output=True, timeout=20)
    assert p.returncode == 255, p
    assert b'Permission denied' in p.stderr, p.stderr
    assert srv.alive()


def test_invite_redeem_then_any_user_name():
    srv = Server()
    inv = srv.ctl('invite', 'create', '--name', 'Sam Kaur', '--expires', '2d')
    assert inv['role'] == 'member' and inv['code'].startswith('HRTH-')
    key = Key('sam')
    s = srv.session(key, 'join')
    # a join session may do nothing else
    r = s.call('community.list')
    assert not r['ok'] and r['error']['code'] == 'forbidden', r
    # lower case and without dashes is fine too
    r = s.call('invite.redeem', code=inv['code'].lower().replace('-', ''),
               handle='sam_k', display_name='Sam Kaur')
    assert r['ok'], r
    assert r['result']['member'] == {'id': r['result']['member']['id'], 'handle': 'sam_k',
                                     'display_name': 'Sam Kaur', 'role': 'member',
                                     'timezone': 'UTC', 'timezone_chosen': False,
                                     'events_timezone': 'UTC'}
    # the session goes on as the member
    r = s.call('community.list')
    assert r['ok'], r
    s.close()
    for user in ('sam', 'anything', 'join'):
        s = srv.session(key, user)
        assert s.hello['data']['member']['handle'] == 'sam_k', (user, s.hello)
        r = s.call('whoami')
        assert r['ok'] and r['result']['member']['handle'] == 'sam_k'
        s.close()
    row = srv.query("SELECT m.handle, k.fingerprint FROM keys k JOIN members m "
                    "ON m.id = k.member_id")
    assert row == [('sam_k', key.fingerprint)], row


def test_code_reuse_unknown_and_expired_refused():
    srv = Server()
    inv = srv.ctl('invite', 'create', '--name', 'A')
    s = srv.session(Key('a'), 'join')
    assert s.call('invite.redeem', code=inv['code'], handle='aaa', display_name='A')['ok']
    s.close()
    s = srv.session(Key('b'), 'join')
    r = s.call('invite.redeem', code=inv['code'], handle='bbb', display_name='B')
    assert r['error']['code'] == 'conflict' and 'already been used' in r['error']['message']
    r = s.call('invite.redeem', code='HRTH-0000-0000-0000', handle='bbb', display_name='B')
    assert r['error']['code'] == 'not_found', r
    r = s.call('invite.redeem', code='hello', handle='bbb', display_name='B')
    assert r['error']['code'] == 'bad_request', r
    short = srv.ctl('invite', 'create', '--name', 'B', '--expires', '1s')
    expires = calendar.timegm(time.strptime(short['expires_at'], '%Y-%m-%dT%H:%M:%SZ'))
    wait_until(lambda: time.time() >= expires + 1, 5, 'the invite to expire')
    r = s.call('invite.redeem', code=short['code'], handle='bbb', display_name='B')
    assert r['error']['code'] == 'conflict' and 'expired' in r['error']['message'], r
    revoked = srv.ctl('invite', 'create', '--name', 'B')
    srv.ctl('invite', 'revoke', revoked['code'])
    r = s.call('invite.redeem', code=revoked['code'], handle='bbb', display_name='B')
    assert r['error']['code'] == 'conflict' and 'withdrawn' in r['error']['message'], r
    # handle rules and a taken handle
    ok = srv.ctl('invite', 'create', '--name', 'B')
    r = s.call('invite.redeem', code=ok['code'], handle='Bad Handle!', display_name='B')
    assert r['error']['code'] == 'bad_request' and 'handle' in r['error']['message']
    r = s.call('invite.redeem', code=ok['code'], handle='aaa', display_name='B')
    assert r['error']['code'] == 'conflict' and 'taken' in r['error']['message']
    # nothing half-done was kept: the good invite still works
    r = s.call('invite.redeem', code=ok['code'], handle='bbb', display_name='B')
    assert r['ok'], r
    assert srv.query('SELECT count(*) FROM members') == [(2,)]


def test_removed_member_is_told_every_way():
    srv = Server()
    key = srv.new_member('riley')
    live = srv.session(key, 'riley')
    assert live.hello['data']['member']['handle'] == 'riley'
    out = srv.ctl('member', 'remove', 'riley', '--reason', 'Left the association in June',
                  json_out=False)
    assert out.returncode == 0 and 'riley' in out.stdout
    # the live session is told and ends
    seen = live.wait_eof()
    ended = [m for m in seen if m.get('event') == 'session.ended']
    assert ended and ended[0]['data']['reason'] == 'Left the association in June', seen
    # a new subsystem session: hello carries the removal, then the channel closes
    s = srv.session(key, 'riley')
    assert s.hello['data']['member'] is None
    assert s.hello['data']['removed']['reason'] == 'Left the association in June'
    assert s.wait_eof() == []
    # a terminal login shows it
    p = subprocess.run(srv.ssh_base(key, 'riley') + ['-tt', '127.0.0.1'],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert b'Left the association in June' in p.stdout, p
    assert b'removed on' in p.stdout
    assert p.returncode == 1
    # an exec request too
    p = subprocess.run(srv.ssh_base(key, 'riley') + ['127.0.0.1', 'calendar'],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert b'Left the association in June' in p.stderr, p
    audit = srv.ctl('audit', '--member', 'riley')['audit']
    assert audit[0]['action'] == 'member.remove'
    assert audit[0]['detail'] == 'Left the association in June'
    assert audit[0]['actor'] == 'console'


def test_terminal_login_shows_home_screen():
    srv = Server()
    srv.ctl('community', 'create', 'students', '--name', 'Students', '--visibility',
            'platform')
    key = srv.new_member('pat', name='Pat Doe')
    cmd = ' '.join(srv.ssh_base(key, 'pat') + ['-tt', '127.0.0.1'])
    t = Tmux(cmd)
    try:
        # a member who has not accepted the code of conduct sees it first
        screen = t.wait_for('code of conduct', timeout=15)
        assert 'Welcome, Pat Doe' in screen
        t.keys('q')                     # later: on to Home
        screen = t.wait_for('Students')
        assert 'Welcome, Pat Doe' in screen and '@pat' in screen
        t.keys('q')
        deadline = time.time() + 10
        while time.time() < deadline and 'Welcome' in t.screen():
            time.sleep(0.1)
        assert 'Welcome' not in t.screen(), screen
    finally:
        t.kill()


def test_terminal_join_flow():
    srv = Server()
    code = srv.admin_invite()
    key = Key('first')
    cmd = ' '.join(srv.ssh_base(key, 'join') + ['-tt', '127.0.0.1'])
    t = Tmux(cmd)
    try:
        t.wait_for('Invite code:', timeout=15)
        t.keys(code, 'Enter')
        t.wait_for('Handle')
        t.keys('first', 'Enter')
        t.wait_for('name as others see it')
        t.keys('First Admin', 'Enter')
        t.wait_for('Welcome, First Admin', timeout=10)
    finally:
        t.kill()
    assert srv.query("SELECT handle, role FROM members") == [('first', 'admin')]


def test_exec_other_command_refused_clearly():
    srv = Server()
    key = srv.new_member('eve')
    p = subprocess.run(srv.ssh_base(key, 'eve') + ['127.0.0.1', 'rm -rf /'],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert p.returncode == 2 and b'unknown command' in p.stderr, p


def test_files_are_private():
    srv = Server()
    srv.new_member('joe')
    d = srv.data
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    for name in ('host_ed25519', 'hearth.db', 'ctl.sock'):
        mode = stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode)
        assert mode & 0o077 == 0, (name, oct(mode))
    for name in os.listdir(d):
        mode = stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode)
        assert mode & 0o007 == 0, (name, oct(mode))


def test_restart_reuses_key_and_database():
    srv = Server()
    key = srv.new_member('kim')
    hostkey = open(os.path.join(srv.data, 'host_ed25519'), 'rb').read()
    srv.stop()
    srv.start()
    assert open(os.path.join(srv.data, 'host_ed25519'), 'rb').read() == hostkey
    s = srv.session(key, 'kim')
    assert s.hello['data']['member']['handle'] == 'kim'
    s.close()


def test_shutdown_tells_connections():
    srv = Server()
    key = srv.new_member('lee')
    s = srv.session(key)
    srv.proc.send_signal(15)
    seen = s.wait_eof()
    assert any(m.get('event') == 'server.shutdown' for m in seen), seen
    assert srv.proc.wait(timeout=10) == 0
    srv.proc = None


def test_ctl_members_roles_keys_communities():
    srv = Server()
    key = srv.new_member('ana', name='Ana Lopez')
    srv.ctl('member', 'role', 'ana', 'staff')
    shown = srv.ctl('member', 'show', 'ana')['member']
    assert shown['role'] == 'staff' and shown['keys'][0]['fingerprint'] == key.fingerprint
    second = Key('ana-laptop')
    r = srv.ctl('member', 'key', 'add', 'ana', second.pub)
    assert r['fingerprint'] == second.fingerprint
    s = srv.session(second, 'ana')
    assert s.hello['data']['member']['handle'] == 'ana'
    assert s.hello['data']['member']['role'] == 'staff'
    s.close()
    # the same key twice is refused
    p = srv.ctl('member', 'key', 'add', 'ana', second.pub, check=False)
    assert p.returncode != 0 and 'already belongs' in p.stderr
    # community
    srv.ctl('community', 'create', 'rural', '--name', 'Rural Isolation', '--purpose',
            'Practitioners far from colleagues', '--visibility', 'private')
    p = srv.ctl('community', 'create', 'rural', '--name', 'Again', check=False)
    assert p.returncode != 0 and 'already exists' in p.stderr
    p = srv.ctl('community', 'create', 'Bad Slug', '--name', 'X', check=False)
    assert p.returncode != 0 and 'slug' in p.stderr
    lst = srv.ctl('community', 'list')['communities']
    assert [c['slug'] for c in lst] == ['rural']
    members = srv.ctl('member', 'list')['members']
    assert [m['handle'] for m in members] == ['ana']
    # human-readable output
    p = srv.ctl('member', 'list', json_out=False)
    assert 'HANDLE' in p.stdout and 'ana' in p.stdout and 'staff' in p.stdout
    # errors: clear message, non-zero exit
    p = srv.ctl('member', 'show', 'nobody', check=False)
    assert p.returncode == 1 and 'No member' in p.stderr
    p = srv.ctl('member', 'remove', 'ana', check=False, json_out=False)
    assert p.returncode != 0 and 'reason' in p.stderr
    p = srv.ctl('invite', 'create', '--name', 'X', '--role', 'wizard', check=False)
    assert p.returncode != 0 and 'role' in p.stderr
    invites = srv.ctl('invite', 'list', '--all')['invites']
    assert invites[0]['status'] == 'used'


def test_invite_into_community():
    srv = Server()
    srv.ctl('community', 'create', 'supervisors', '--name', 'Supervisors')
    inv = srv.ctl('invite', 'create', '--name', 'Jo', '--community', 'supervisors')
    s = srv.session(Key('jo'), 'join')
    assert s.call('invite.redeem', code=inv['code'], handle='jo', display_name='Jo')['ok']
    lst = s.call('community.list')['result']['communities']
    assert lst[0]['slug'] == 'supervisors' and lst[0]['my_role'] == 'member'
    s.close()


def test_backup_and_init():
    srv = Server()
    srv.new_member('bo')
    out = os.path.join(tmpdir(), 'backup.db')
    srv.ctl('backup', out)   # while the daemon runs
    import sqlite3
    con = sqlite3.connect(out)
    assert con.execute('SELECT handle FROM members').fetchall() == [('bo',)]
    con.close()
    assert stat.S_IMODE(os.stat(out).st_mode) & 0o077 == 0
    srv.stop()
    out2 = os.path.join(tmpdir(), 'backup2.db')
    srv.ctl('backup', out2)  # and while it is stopped
    # init on a fresh directory, daemon stopped
    d = os.path.join(tmpdir(), 'fresh')
    p = srv.ctl('init', json_out=False)  # existing data: no admin yet -> invite
    assert p.returncode == 0
    import harness
    p = subprocess.run([os.path.join(harness.BUILD, 'hearthctl'), '--data', d, 'init'],
                       capture_output=True, text=True)
    assert p.returncode == 0 and 'HRTH-' in p.stdout, p
    assert os.path.exists(os.path.join(d, 'host_ed25519'))
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700


def test_ctl_needs_running_daemon_message():
    d = os.path.join(tmpdir(), 'none')
    import harness
    p = subprocess.run([os.path.join(harness.BUILD, 'hearthctl'), '--data', d, 'member',
                        'list'], capture_output=True, text=True)
    assert p.returncode == 1 and 'cannot reach hearthd' in p.stderr


def test_idle_session_closed_with_reason():
    srv = Server({'idle_timeout': 2})
    key = srv.new_member('ivy')
    s = srv.session(key)
    assert s.call('whoami')['ok']
    seen = s.wait_eof(timeout=10)
    idle = [m for m in seen if m.get('event') == 'session.idle']
    assert idle and idle[0]['data']['seconds'] == 2, seen


def test_status_reports_loop_lag():
    srv = Server()
    r = srv.ctl('status')
    assert r['schema'] >= 2 and r['loop_lag']['ticks'] >= 0
    p = srv.ctl('status', json_out=False)
    assert 'loop lag' in p.stdout


def test_calendar_exec_prints_icalendar():
    srv = Server()
    key = srv.new_member('cal')
    p = subprocess.run(srv.ssh_base(key, 'cal') + ['127.0.0.1', 'calendar'],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    assert p.returncode == 0, p
    assert p.stdout.startswith(b'BEGIN:VCALENDAR\r\n') and b'END:VCALENDAR' in p.stdout


def test_first_admin_invites_left_over_go_once_there_is_an_admin():
    """Each start without an admin prints a new first-admin code; once one
    is redeemed the others no longer work."""
    srv = Server()
    first = srv.admin_invite()
    srv.stop()
    srv.stdout = ''
    srv.start()
    second = srv.admin_invite()
    assert first and second and first != second
    s = srv.session(Key('boss'), 'join')
    assert s.call('invite.redeem', code=second, handle='boss',
                  display_name='The Boss')['ok']
    s.close()
    assert srv.query("SELECT count(*) FROM invites WHERE name = 'first admin' "
                     "AND used_at IS NULL AND revoked_at IS NULL") == [(0,)]
    other = srv.session(Key('late'), 'join')
    r = other.call('invite.redeem', code=first, handle='late', display_name='Late')
    assert not r['ok'], r
    other.close()
    assert srv.query("SELECT role FROM members WHERE handle = 'late'") == []
