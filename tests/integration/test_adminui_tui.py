"""The Admin screen and the code of conduct through the real OpenSSH client
(`ssh -tt`) in tmux against a real hearthd: an admin invites someone (the
code and the exact connect line for this server on screen), removes and
reinstates a member, edits the code of conduct; a member accepts a new
version before posting, and reads it again from Help. Then the same in the
line mode (TERM=dumb)."""
import os
import re

import harness
from fixtures import community, ok, people, tui, wait_gone, wait_until
from harness import Key, Server, Tmux


def admin_world():
    srv = Server()
    keys = people(srv, ('ada', 'admin'), 'riley')
    srv.execute("UPDATE members SET display_name = 'Ada Admin' WHERE handle = 'ada'")
    srv.execute("UPDATE members SET display_name = 'Riley Reed' WHERE handle = 'riley'")
    community(srv, 'students', name='Students', policy='open', manager='ada')
    s = srv.session(keys['riley'])
    ok(s.call('community.join', slug='students'))
    tid = ok(s.call('thread.create', slug='students', title='Riley thread',
                    body='words from before'))['thread_id']
    s.close()
    return srv, keys, tid


def open_admin(t):
    t.wait_for('Welcome, Ada Admin', timeout=15)
    t.wait_for('A:admin', 'Admin: invites')
    t.keys('A')
    return t.wait_for('1 Invites', 'c:invite')


def test_tui_admin_invites_with_code_and_connect_line():
    srv, keys, _ = admin_world()
    # an invite still pending (the first admin's went when Ada joined)
    srv.ctl('invite', 'create', '--name', 'Old Friend')
    t = tui(srv, keys['ada'], 'ada')
    try:
        open_admin(t)
        t.keys('c')
        t.wait_for('Invite someone')
        t.keys('Nia Newcomer', 'Tab', 'Space', 'Tab')    # role: staff
        t.wait_for('< (none) >')                  # communities: chosen, never typed
        t.keys('Space')
        t.wait_for('< Students >')
        t.keys('C-s')
        screen = t.wait_for('Invite created')
        line = 'ssh -t -p %d join@127.0.0.1' % srv.port
        assert line in screen, screen
        code = re.search(r'HRTH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}', screen).group(0)
        assert 'PORT' not in screen and 'HOST' not in screen
        t.keys('Enter')                     # the code is not shown again
        screen = t.wait_for('c:invite', 'Nia Newcomer')
        assert code not in screen and 'staff' in screen and 'students' in screen, screen
        # revoke the other one (Old Friend's), after y
        t.keys('j', 'x')
        t.wait_for('Revoke the invite for Old Friend')
        t.keys('y')
        t.wait_for('revoked: its code no longer works')
        wait_gone(t, 'Old Friend')
        assert srv.query("SELECT name FROM invites WHERE revoked_at IS NOT NULL "
                         "AND name != 'first admin'") == [('Old Friend',)]
    finally:
        t.kill()
    # the code on the screen is the one that works
    s = srv.session(Key('nia'), 'join')
    ok(s.call('invite.redeem', code=code, handle='nia', display_name='Nia'))
    s.close()
    assert srv.query("SELECT role FROM members WHERE handle = 'nia'") == [('staff',)]


def test_tui_admin_removes_and_reinstates_a_member():
    srv, keys, tid = admin_world()
    t = tui(srv, keys['ada'], 'ada')
    try:
        open_admin(t)
        t.keys('2')
        t.wait_for('Riley Reed @riley')
        t.keys('f')
        t.keys('rile', 'Enter')             # find, then the one left
        wait_gone(t, 'Ada Admin @ada')
        t.keys('x')
        t.wait_for('Remove @riley')
        t.keys('Lapsed membership', 'C-s')
        t.wait_for('Removed. Their sessions ended')
        wait_until(lambda: srv.query("SELECT status FROM members WHERE handle = 'riley'")
                   == [('removed',)])
        screen = t.wait_for('removed')
        r = srv.session(keys['riley'])
        assert r.hello['data']['removed']['reason'] == 'Lapsed membership'
        r.close()
        t.keys('u')
        t.wait_for('Reinstate @riley')
        t.keys('Renewed', 'C-s')
        t.wait_for('@riley is a member again')
        wait_until(lambda: srv.query("SELECT status FROM members WHERE handle = 'riley'")
                   == [('active',)])
        t.keys('Enter')                     # show: communities and keys kept
        screen = t.wait_for('Communities', 'Keys')
        assert 'Students (students): member' in screen and 'ssh-ed25519' in screen, screen
        t.keys('Enter')
        t.wait_for('u:reinstate')
        # the audit tab names the member acted on
        t.keys('4')
        screen = t.wait_for('member.reinstate')
        line = [l for l in screen.splitlines() if 'member.reinstate' in l][0]
        assert '@riley' in line and 'Renewed' in line, line
    finally:
        t.kill()
    # riley logs in again and finds their community and thread
    t = tui(srv, keys['riley'], 'riley')
    try:
        t.wait_for('Welcome, Riley Reed', timeout=15)
        t.wait_for('Students')
        t.keys('Enter')
        t.wait_for('Riley thread')
    finally:
        t.kill()
    r = srv.session(keys['riley'])
    ok(r.call('post.create', thread_id=tid, body='back again'))
    r.close()


def test_tui_admin_flags_community_without_manager_and_creates_one():
    srv, keys, _ = admin_world()
    community(srv, 'orphans', name='Orphans')
    t = tui(srv, keys['ada'], 'ada')
    try:
        open_admin(t)
        t.keys('3')
        screen = t.wait_for('NO MANAGER')
        line = [l for l in screen.splitlines() if 'Orphans' in l][0]
        assert 'NO MANAGER' in line
        assert 'NO MANAGER' not in [l for l in screen.splitlines() if 'Students' in l][0]
        t.keys('c')
        t.wait_for('Create a community')
        t.keys('mentors', 'Tab', 'Mentors', 'Tab', 'Tab', 'Tab', 'riley', 'C-s')
        t.wait_for('Community mentors created, managed by @riley')
        t.wait_for('managed by @riley')
        t.keys('5')
        t.wait_for('hearthd ', 'SSH sessions')
    finally:
        t.kill()
    assert srv.query("SELECT m.handle, cm.role FROM community_members cm JOIN members m ON "
                     "m.id = cm.member_id JOIN communities c ON c.id = cm.community_id "
                     "WHERE c.slug = 'mentors'") == [('riley', 'manager')]


def test_tui_new_coc_accepted_before_posting_and_read_from_help():
    srv, keys, tid = admin_world()
    path = os.path.join(harness.tmpdir(), 'coc.md')
    with open(path, 'w') as f:
        f.write('# Our association code\n\n1. Be kind.\n2. Arrive on time.\n')
    srv.ctl('coc', 'set', path)
    t = tui(srv, keys['riley'], 'riley')
    try:
        # at start: the new version to accept; later is allowed
        t.wait_for('The code of conduct has changed', timeout=15)
        t.wait_for('Arrive on time')
        t.keys('q')
        t.wait_for('need to accept the code of conduct to write')
        t.keys('Enter')                     # Students
        t.wait_for('Riley thread')
        t.keys('G', 'Enter')
        t.wait_for('words from before')
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('A reply under the new code')
        t.keys('C-s')
        # refused: the accept screen, over the composer
        t.wait_for('The code of conduct has changed')
        assert srv.query('SELECT count(*) FROM posts WHERE thread_id = ?', tid) == [(1,)]
        t.keys('a')
        t.wait_for('You can write again')
        t.wait_for('A reply under the new code')
        t.keys('C-s')
        wait_until(lambda: srv.query('SELECT count(*) FROM posts WHERE thread_id = ?',
                                     tid) == [(2,)])
        assert srv.query("SELECT coc_version FROM members WHERE handle = 'riley'") == [(1,)]
        # Help, then C: the code of conduct, and when it was accepted
        t.keys('?')
        t.wait_for('read the code of conduct')
        t.keys('C')
        screen = t.wait_for('Arrive on time')
        assert 'Version 1. You accepted it on' in screen
    finally:
        t.kill()


def test_tui_admin_writes_a_new_code_of_conduct():
    srv, keys, _ = admin_world()
    t = tui(srv, keys['ada'], 'ada')
    try:
        open_admin(t)
        t.keys('6')
        t.wait_for('Version 0')
        t.keys('e')
        t.wait_for('Code of conduct: a new version')
        t.keys('Be on time, always. ')
        t.keys('C-s')
        t.wait_for('Version 1, set')
    finally:
        t.kill()
    body = srv.query('SELECT body FROM coc_versions WHERE version = 1')[0][0]
    assert 'Be on time, always.' in body and 'Treat everyone with respect' in body
    # the admin, who wrote it, accepted it; the member must
    assert srv.query("SELECT handle, coc_version FROM members ORDER BY handle") == \
        [('ada', 1), ('riley', 0)]


def test_tui_staff_reads_conduct_and_is_told_the_rest_is_for_admins():
    srv = Server()
    keys = people(srv, ('stella', 'staff'), 'mo')
    t = tui(srv, keys['stella'], 'stella')
    try:
        t.wait_for('A:admin', timeout=15)
        t.keys('A')
        t.wait_for('Treat everyone with respect')      # the Conduct tab first
        t.keys('1')
        t.wait_for('Invites is for platform admins')
    finally:
        t.kill()
    t = tui(srv, keys['mo'], 'mo')
    try:
        screen = t.wait_for('Enter:open', timeout=15)
        assert 'A:admin' not in screen and 'Admin: invites' not in screen
        t.keys('A')                                   # nothing for a member
        t.keys('?')
        screen = t.wait_for('this help')
        assert 'Admin' not in screen.splitlines()[0]
    finally:
        t.kill()


# ---- the line mode ----

def plain(srv, key, user, height=60):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 200, height)
    t.wait_for('Main menu', timeout=15)
    return t


def test_plain_admin_invite_remove_reinstate():
    srv, keys, _ = admin_world()
    t = plain(srv, keys['ada'], 'ada')
    try:
        t.wait_for('17. Admin')
        t.keys('17', 'Enter')
        t.wait_for('Admin menu')
        t.keys('1', 'Enter', 'Olu Okafor', 'Enter', 'Enter', 'Enter', 'Enter')
        screen = t.wait_for('They connect with')
        assert 'ssh -t -p %d join@127.0.0.1' % srv.port in screen
        assert re.search(r'HRTH-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}', screen)
        t.keys('4', 'Enter', 'riley', 'Enter', 'Moved abroad', 'Enter')
        t.wait_for('Removed. Their sessions ended')
        assert srv.query("SELECT status, removed_reason FROM members WHERE handle = "
                         "'riley'") == [('removed', 'Moved abroad')]
        t.keys('5', 'Enter', '@riley', 'Enter', 'Back home', 'Enter')
        t.wait_for('A member again')
        assert srv.query("SELECT status FROM members WHERE handle = 'riley'") == [('active',)]
        t.keys('3', 'Enter', 'ril', 'Enter')
        t.wait_for('@riley  Riley Reed  (member, active)')
    finally:
        t.kill()


def test_plain_member_accepts_new_coc_when_a_write_is_refused():
    srv, keys, tid = admin_world()
    t = plain(srv, keys['riley'], 'riley')
    try:
        screen = t.screen()
        assert 'Admin:' not in screen
        path = os.path.join(harness.tmpdir(), 'coc.md')
        with open(path, 'w') as f:
            f.write('Line mode code\n\nBe patient.\n')
        srv.ctl('coc', 'set', path)
        t.keys('6', 'Enter')                # everyone re-reads it from the menu
        t.wait_for('Be patient.')
        t.wait_for('Type yes to accept')
        t.keys('no', 'Enter')
        t.wait_for('Choose a number')
        t.keys('1', 'Enter')
        t.wait_for('1. Students')
        t.keys('1', 'Enter')
        t.wait_for('n new thread')
        t.keys('n', 'Enter', 'Patience', 'Enter', 'Why it matters', 'Enter', '.', 'Enter')
        # refused: the new text, offered to accept
        t.wait_for('The code of conduct has changed')
        t.wait_for('Type yes to accept it')
        assert srv.query("SELECT count(*) FROM threads WHERE title = 'Patience'") == [(0,)]
        t.keys('yes', 'Enter')
        t.wait_for('Now send what you wrote once more')
        t.keys('n', 'Enter', 'Patience', 'Enter', 'Why it matters', 'Enter', '.', 'Enter')
        wait_until(lambda: srv.query("SELECT count(*) FROM threads WHERE title = 'Patience'")
                   == [(1,)])
    finally:
        t.kill()


def test_tui_admin_device_code_for_a_member_who_lost_every_device():
    srv, keys, _ = admin_world()
    t = tui(srv, keys['ada'], 'ada')
    try:
        open_admin(t)
        t.keys('2')
        t.wait_for('Riley Reed @riley')
        t.keys('f')
        t.keys('rile', 'Enter')
        wait_gone(t, 'Ada Admin @ada')
        t.keys('c')
        screen = t.wait_for('A one-time device code for @riley', 'join@')
        assert 'ssh -t -p %d' % srv.port in screen, screen
    finally:
        t.kill()
    assert srv.query("SELECT count(*) FROM device_codes dc JOIN members m ON "
                     "m.id = dc.member_id WHERE m.handle = 'riley'") == [(1,)]
    assert srv.query("SELECT count(*) FROM audit WHERE action = 'member.device_code'") == [(1,)]
