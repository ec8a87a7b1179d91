"""Running a community: join requests answered from hearthctl, the line mode
and the TUI (the member seeing the answer), two managers answering the same
request at once, settings that the pinned Welcome thread follows, roles and
leaving, and who left."""
import json

from fixtures import community, err, member_session, ok, tui, wait_event
from harness import Server, Tmux


def welcome_post(srv, slug):
    return srv.query('SELECT p.body FROM posts p JOIN communities c ON '
                     'p.thread_id = c.welcome_thread_id WHERE c.slug = ? '
                     'ORDER BY p.id LIMIT 1', slug)[0][0]


def decided_notes(srv, handle):
    return srv.query("SELECT n.text FROM notifications n JOIN members m ON "
                     "m.id = n.member_id WHERE m.handle = ? AND n.kind = "
                     "'join_decided' ORDER BY n.id", handle)


def audit_rows(srv, action):
    return srv.query('SELECT target_id, target, detail FROM audit WHERE action = ? '
                     'ORDER BY id', action)


def test_hearthctl_requests_decide_update_show_list():
    srv = Server()
    community(srv, 'sup', name='Supervision', policy='request')
    mgr = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'sup', 'mia', 'manager')
    ann = member_session(srv, 'ann')
    bob = member_session(srv, 'bob')
    ra = ok(ann.call('community.join', slug='sup', message='Supervisor for 10 years'))
    rb = ok(bob.call('community.join', slug='sup', **{'as': 'interested'}))
    # the managers are told, and the notification names the community
    note = wait_event(mgr, 'notify.new', kind='join_request')
    assert 'Supervisor for 10 years' in note['text'] and note['community_id']
    out = srv.ctl('community', 'list', json_out=False).stdout
    head, row = out.splitlines()[0], out.splitlines()[1]
    assert 'REQUESTS' in head and row.split()[0] == 'sup' and row.split()[-1] == '2', out
    out = srv.ctl('community', 'requests', 'sup', json_out=False).stdout
    assert '#%d' % ra['request_id'] in out and '@ann' in out and 'Supervisor for 10 years' in out
    assert '@bob' in out and 'as interested' in out, out
    # the member sees "request sent"
    got = ok(ann.call('community.get', slug='sup'))['community']
    assert got['my_request']['status'] == 'pending' and got['pending_requests'] is None
    out = srv.ctl('community', 'decide', str(ra['request_id']), '--approve', '--as',
                  'member', '--message', 'Welcome, Ann!', json_out=False).stdout
    assert 'approved as member' in out and '@ann' in out, out
    out = srv.ctl('community', 'decide', str(rb['request_id']), '--decline', '--message',
                  'For supervisors only.', json_out=False).stdout
    assert 'declined' in out, out
    # each member sees the answer with its message, once
    got = ok(ann.call('community.get', slug='sup'))['community']
    assert got['my_role'] == 'member' and got['my_request']['status'] == 'approved'
    assert got['my_request']['response'] == 'Welcome, Ann!'
    got = ok(bob.call('community.get', slug='sup'))['community']
    assert got['my_role'] is None and got['my_request']['status'] == 'declined'
    assert got['my_request']['response'] == 'For supervisors only.'
    assert len(decided_notes(srv, 'bob')) == 1 and 'supervisors only' in decided_notes(srv, 'bob')[0][0]
    # the audit rows name the member, and the community in the detail
    ann_id = srv.query("SELECT id FROM members WHERE handle = 'ann'")[0][0]
    assert audit_rows(srv, 'community.approve') == [
        (ann_id, 'ann', 'community=sup role=member message=Welcome, Ann!')]
    assert audit_rows(srv, 'community.decline')[0][1] == 'bob'
    # deciding twice, or a request that is not there: a clear error
    p = srv.ctl('community', 'decide', str(ra['request_id']), '--decline', check=False,
                json_out=False)
    assert p.returncode == 1 and 'already approved' in p.stderr, p.stderr
    p = srv.ctl('community', 'decide', '999', '--approve', check=False, json_out=False)
    assert p.returncode == 1 and 'No join request 999' in p.stderr
    p = srv.ctl('community', 'decide', 'x', '--approve', check=False, json_out=False)
    assert p.returncode == 2 and 'usage' in p.stderr
    p = srv.ctl('community', 'decide', '1', '--approve', '--decline', check=False,
                json_out=False)
    assert p.returncode == 2
    # settings: the Welcome thread follows them
    out = srv.ctl('community', 'update', 'sup', '--purpose', 'Reflective practice.',
                  '--criteria', 'Qualified supervisors.', '--privacy', 'Chatham House Rule.',
                  '--visibility', 'private', '--join-policy', 'invite',
                  '--interested-cap', '20', '--name', 'Supervisors', json_out=False).stdout
    assert 'Interested cap: 20%' in out and 'Supervisors (sup): private' in out, out
    body = welcome_post(srv, 'sup')
    assert 'Welcome to **Supervisors**' in body and 'Reflective practice.' in body
    assert 'Qualified supervisors.' in body and 'Chatham House Rule.' in body
    assert 'by invitation only' in body and 'Only its members see' in body
    p = srv.ctl('community', 'update', 'sup', '--interested-cap', '0', check=False,
                json_out=False)
    assert p.returncode == 1 and 'interested_cap' in p.stderr, p.stderr
    p = srv.ctl('community', 'update', 'sup', '--visibility', 'secret', check=False,
                json_out=False)
    assert p.returncode == 1 and 'visibility' in p.stderr
    # show: counts by role, the cap, pending requests
    out = srv.ctl('community', 'show', 'sup', json_out=False).stdout
    assert 'Managers 1, leaders 0, members 1, interested 0' in out, out
    assert 'Join requests waiting: 0' in out and 'Interested cap: 20%' in out
    r = srv.ctl('community', 'show', 'sup')
    assert r['community']['counts'] == {'manager': 1, 'leader': 0, 'member': 1,
                                        'interested': 0}


def test_welcome_text_has_no_placeholder_or_op_name():
    srv = Server()
    community(srv, 'bare', name='Bare', policy='request')
    body = welcome_post(srv, 'bare')
    assert 'coc.get' not in body and 'write this soon' not in body, body
    assert '## Our purpose' not in body      # nothing written yet: no section
    assert 'Help' in body and 'ask from its page' in body
    mgr = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'bare', 'mia', 'manager')
    ok(mgr.call('community.update', slug='bare', purpose='Peer support.'))
    body = welcome_post(srv, 'bare')
    assert '## Our purpose\nPeer support.' in body
    ok(mgr.call('community.update', slug='bare', join_policy='open'))
    assert 'join it from its page' in welcome_post(srv, 'bare')


def test_two_managers_decide_the_same_request_at_once():
    srv = Server()
    community(srv, 'sup', name='Supervision', policy='request')
    m1 = member_session(srv, 'mia')
    m2 = member_session(srv, 'max')
    srv.ctl('community', 'role', 'sup', 'mia', 'manager')
    srv.ctl('community', 'role', 'sup', 'max', 'manager')
    ann = member_session(srv, 'ann')
    rid = ok(ann.call('community.join', slug='sup'))['request_id']
    # both managers' calls are on the wire before either reply is read
    m1.send({'id': 50, 'op': 'community.decide',
             'args': {'request_id': rid, 'approve': True, 'message': 'Yes'}})
    m2.send({'id': 50, 'op': 'community.decide',
             'args': {'request_id': rid, 'approve': False, 'message': 'No'}})
    r1, r2 = m1.reply(50), m2.reply(50)
    oks = [r for r in (r1, r2) if r['ok']]
    errs = [r for r in (r1, r2) if not r['ok']]
    assert len(oks) == 1 and len(errs) == 1, (r1, r2)
    assert errs[0]['error']['code'] == 'conflict'
    assert 'already ' + oks[0]['result']['status'] in errs[0]['error']['message']
    assert len(decided_notes(srv, 'ann')) == 1
    # one manager pipelining both answers in one write: the first wins
    bob = member_session(srv, 'bob')
    rid = ok(bob.call('community.join', slug='sup'))['request_id']
    m1.send_raw((json.dumps({'id': 60, 'op': 'community.decide',
                             'args': {'request_id': rid, 'approve': False}}) + '\n' +
                 json.dumps({'id': 61, 'op': 'community.decide',
                             'args': {'request_id': rid, 'approve': True}}) + '\n').encode())
    r1, r2 = m1.reply(60), m1.reply(61)
    assert r1['ok'] and r1['result']['status'] == 'declined'
    err(r2, 'conflict', 'already declined')
    assert len(decided_notes(srv, 'bob')) == 1
    assert srv.query("SELECT count(*) FROM community_members cm JOIN members m ON "
                     "m.id = cm.member_id WHERE m.handle = 'bob'") == [(0,)]


def test_leave_and_who_left():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    mgr = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'eco', 'mia', 'manager')
    lee = member_session(srv, 'lee')
    srv.ctl('community', 'role', 'eco', 'lee', 'leader')
    pat = member_session(srv, 'pat')
    ok(pat.call('community.join', slug='eco'))
    sam = member_session(srv, 'sam')
    ok(sam.call('community.join', slug='eco'))
    ok(pat.call('community.leave', slug='eco'))
    ok(mgr.call('community.set_role', slug='eco', handle='sam', role='none'))
    err(pat.call('community.departures', slug='eco'), 'forbidden')
    left = ok(lee.call('community.departures', slug='eco'))['departures']
    assert [(d['handle'], d['removed'], d['removed_by']) for d in left] == [
        ('sam', True, 'mia'), ('pat', False, None)], left
    assert all(d['role'] == 'member' and not d['back'] for d in left)
    ok(pat.call('community.join', slug='eco'))
    left = ok(mgr.call('community.departures', slug='eco'))['departures']
    assert left[1]['back'] is True
    out = srv.ctl('community', 'left', 'eco', json_out=False).stdout
    assert '@sam' in out and 'removed by mia' in out and '@pat' in out and 'back since' in out
    assert audit_rows(srv, 'community.leave')[0][1:] == ('pat', 'community=eco role=member')
    assert audit_rows(srv, 'community.set_role')[-1][1:] == ('sam', 'community=eco role=none')


def test_plain_member_and_leader_cannot_decide_or_update():
    srv = Server()
    community(srv, 'sup', name='Supervision', policy='request')
    member_session(srv, 'mia')
    srv.ctl('community', 'role', 'sup', 'mia', 'manager')
    lee = member_session(srv, 'lee')
    srv.ctl('community', 'role', 'sup', 'lee', 'leader')
    pat = member_session(srv, 'pat')
    srv.ctl('community', 'role', 'sup', 'pat', 'member')
    ann = member_session(srv, 'ann')
    rid = ok(ann.call('community.join', slug='sup'))['request_id']
    err(pat.call('community.decide', request_id=rid, approve=True), 'forbidden')
    err(pat.call('community.requests', slug='sup'), 'forbidden')
    err(lee.call('community.update', slug='sup', purpose='Mine now'), 'forbidden')
    err(lee.call('community.set_role', slug='sup', handle='pat', role='leader'), 'forbidden')
    assert ok(pat.call('community.get', slug='sup'))['community']['pending_requests'] is None
    assert ok(lee.call('community.get', slug='sup'))['community']['pending_requests'] == 1
    # a leader answers join requests (the managers and leaders are told of them)
    ok(lee.call('community.decide', request_id=rid, approve=True))


def tui_people(srv):
    """A request-policy community managed by Mia; Ann is not in it yet."""
    community(srv, 'sup', name='Supervision', policy='request',
              criteria='Qualified supervisors.')
    mia = srv.new_member('mia', name='Mia Manager')
    ann = srv.new_member('ann', name='Ann Asker')
    srv.execute('UPDATE members SET coc_accepted_at = 1')
    srv.execute("UPDATE members SET job_role = 'Counsellor', organisation = 'Mind Matters' "
                "WHERE handle = 'ann'")
    srv.ctl('community', 'role', 'sup', 'mia', 'manager')
    return mia, ann


def test_tui_request_approved_from_requests_tab_and_member_sees_answer():
    srv = Server()
    mia, ann = tui_people(srv)
    ta = tui(srv, ann, 'ann')
    try:
        # Ann asks from the community's screen, with a message
        ta.wait_for('Welcome, Ann Asker', timeout=15)
        ta.wait_for('Supervision')
        ta.keys('Enter')
        ta.wait_for('Supervision  (not a member)', 'Qualified supervisors.')
        ta.keys('J')
        ta.wait_for('Ask to join Supervision', 'Message to its managers')
        ta.keys('Down')
        ta.keys('-l', 'Ten years supervising trainees.')
        ta.keys('Enter')
        screen = ta.wait_for('Supervision  (request sent)', 'waiting for an answer')
        assert 'Press L to withdraw' in screen
    finally:
        ta.kill()
    assert srv.query("SELECT message FROM join_requests") == [('Ten years supervising trainees.',)]
    tm = tui(srv, mia, 'mia')
    try:
        # the count on Home, then on the community's tab
        tm.wait_for('Welcome, Mia Manager', timeout=15)
        tm.wait_for('1 request')
        tm.keys('Enter')
        tm.wait_for('6 Requests (1)')
        tm.keys('6')
        screen = tm.wait_for('Ann Asker  @ann  asks to join as member',
                             'Ten years supervising trainees.')
        assert 'Counsellor, Mind Matters' in screen, screen
        tm.keys('a')
        tm.wait_for('Approve Ann Asker (@ann)', 'Message to them')
        tm.keys('Down')
        tm.keys('-l', 'Welcome aboard, Ann!')
        tm.keys('Enter')
        tm.wait_for('@ann is in, as member')
        tm.wait_for('No join requests are waiting', '6 Requests')
    finally:
        tm.kill()
    assert srv.query("SELECT cm.role FROM community_members cm JOIN members m ON "
                     "m.id = cm.member_id WHERE m.handle = 'ann'") == [('member',)]
    ta = tui(srv, ann, 'ann')
    try:
        # Ann's notification opens the answer, with its message
        ta.wait_for('Welcome, Ann Asker', timeout=15)
        ta.keys('n')
        ta.wait_for('Your request to join Supervision was approved')
        ta.keys('Enter')
        screen = ta.wait_for('Supervision  (member)', 'Your request to join was approved: '
                             'Welcome aboard, Ann!')
    finally:
        ta.kill()


def test_tui_settings_change_reaches_welcome_thread_and_roles_and_leave():
    srv = Server()
    mia, ann = tui_people(srv)
    srv.execute("INSERT INTO community_members (community_id, member_id, role, joined_at) "
                "SELECT c.id, m.id, 'member', 1 FROM communities c, members m "
                "WHERE c.slug = 'sup' AND m.handle = 'ann'")
    tm = tui(srv, mia, 'mia')
    try:
        tm.wait_for('Welcome, Mia Manager', timeout=15)
        tm.wait_for('Supervision')
        tm.keys('Enter')
        tm.wait_for('Supervision  (manager)')
        tm.keys('S')
        tm.wait_for('Settings of Supervision', 'Membership criteria')
        tm.keys('Down')                       # purpose
        tm.keys('C-u')
        tm.keys('-l', 'Reflective practice for supervisors.')
        tm.keys('Down', 'Down', 'Down', 'Down', 'Space')   # join policy: request -> invite
        tm.keys('C-s')
        tm.wait_for('Saved. The pinned Welcome thread')
        # the pinned Welcome thread says so
        tm.keys('1')
        tm.wait_for('Welcome and how we work here')
        tm.keys('g', 'Enter')
        screen = tm.wait_for('Reflective practice for supervisors.', 'Welcome to Supervision')
        assert 'coc.get' not in screen and 'write this' not in screen
        tm.keys('q')
        # a role from the Members tab, with confirmation
        tm.keys('3')
        tm.wait_for('Ann Asker  @ann', 'r: set the selected')
        tm.keys('G')           # Ann: she joined first, listed last
        tm.keys('r')
        tm.wait_for('Role of Ann Asker (@ann) in Supervision (now: member)')
        tm.keys('Up', 'Enter')                 # member -> leader
        tm.wait_for('Make Ann Asker (@ann) a leader of Supervision')
        tm.keys('y')
        tm.wait_for('Ann Asker (@ann) is now leader')
    finally:
        tm.kill()
    body = welcome_post(srv, 'sup')
    assert 'Reflective practice for supervisors.' in body and 'invitation only' in body
    assert srv.query("SELECT join_policy FROM communities WHERE slug = 'sup'") == [('invite',)]
    assert srv.query("SELECT cm.role FROM community_members cm JOIN members m ON "
                     "m.id = cm.member_id WHERE m.handle = 'ann'") == [('leader',)]
    ta = tui(srv, ann, 'ann')
    try:
        ta.wait_for('Welcome, Ann Asker', timeout=15)
        ta.wait_for('Supervision')
        ta.keys('Enter')
        ta.wait_for('Supervision  (leader)')
        ta.keys('S')                          # a leader: no settings form
        ta.wait_for('Only the managers of Supervision change its settings')
        ta.keys('L')
        ta.wait_for('Leave Supervision?')
        ta.keys('y')
        ta.wait_for('You left Supervision.')
        ta.wait_for('Supervision  (not a member)')
    finally:
        ta.kill()
    left = srv.ctl('community', 'left', 'sup')['departures']
    assert [(d['handle'], d['role'], d['removed']) for d in left] == [('ann', 'leader', False)]


def plain(srv, key, handle):
    return Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(key, handle) + ['-tt', '127.0.0.1']),
                height=50)


def test_line_mode_approve_settings_role_and_leave():
    srv = Server()
    mia, ann = tui_people(srv)
    t = plain(srv, ann, 'ann')
    try:
        # Ann asks in the line mode, with a message
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('1. Supervision (not a member)')
        t.keys('1', 'Enter')
        t.wait_for('j ask to join')
        t.keys('j', 'Enter')
        t.wait_for('Join as a member (m) or as interested (i)?')
        t.keys('m', 'Enter')
        t.wait_for('full stop')
        t.keys('Ten years supervising.', 'Enter', '.', 'Enter')
        t.wait_for('Request sent.')
    finally:
        t.kill()
    t = plain(srv, mia, 'mia')
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('1. Supervision (manager, new posts, 1 join request)')
        t.keys('1', 'Enter')
        t.wait_for('m membership')
        t.keys('m', 'Enter')
        t.wait_for('1. Join requests (1 waiting)')
        t.keys('1', 'Enter')
        t.wait_for('1. Ann Asker (@ann)', 'Counsellor, Mind Matters', '> Ten years supervising.')
        t.keys('a 1', 'Enter')
        t.wait_for('As a member (m) or as interested (i)?')
        t.keys('i', 'Enter')
        t.wait_for('A message they will see')
        t.keys('Welcome, as interested for now.', 'Enter', '.', 'Enter')
        t.wait_for('Approved; they have been told.', 'Join requests waiting: 0')
        t.keys('0', 'Enter')
        # settings by numbered field
        t.wait_for('2. Settings')
        t.keys('2', 'Enter')
        t.wait_for('2. Purpose: (not written yet)')
        t.keys('2', 'Enter')
        t.wait_for('The new Purpose')
        t.keys('Peer supervision.', 'Enter', '.', 'Enter')
        t.wait_for('2. Purpose: Peer supervision.')
        t.keys('7', 'Enter')
        t.wait_for('New value:')
        t.keys('25', 'Enter')
        t.wait_for('7. Interested cap (percent, 1-100): 25')
        t.keys('0', 'Enter')
        # a role, with confirmation
        t.keys('3', 'Enter')
        t.wait_for('Ann Asker (@ann): interested')
        screen = t.screen()
        n = [line for line in screen.splitlines() if '(@ann)' in line][-1].split('.')[0].strip()
        t.keys('r %s member' % n, 'Enter')
        t.wait_for('Make @ann: member instead of interested? y/n')
        t.keys('y', 'Enter')
        t.wait_for('Ann Asker (@ann): member')
    finally:
        t.kill()
    assert srv.query("SELECT purpose, interested_cap FROM communities WHERE slug = 'sup'") == [
        ('Peer supervision.\n', 25)]
    assert 'Peer supervision.' in welcome_post(srv, 'sup')
    assert srv.query("SELECT status, response FROM join_requests") == [
        ('approved', 'Welcome, as interested for now.\n')]
    t = plain(srv, ann, 'ann')
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.keys('1', 'Enter')
        t.wait_for('m membership')
        t.keys('m', 'Enter')
        t.wait_for('you are member', 'Your request to join was approved: Welcome, as interested')
        t.keys('5', 'Enter')
        t.wait_for('Leave this community?')
        t.keys('y', 'Enter')
        t.wait_for('You left.', 'you are not a member')
    finally:
        t.kill()
    assert srv.query("SELECT count(*) FROM community_departures") == [(1,)]


def test_tui_settings_keep_a_long_purpose_whole():
    """A purpose longer than a screen line (hearthctl allows 4,000 bytes)
    survives the settings form: untouched when another field changes, and
    whole when the manager adds to its end."""
    srv = Server()
    mia, ann = tui_people(srv)
    long = ' '.join('Sentence %d about reflective supervision practice.' % i
                    for i in range(30))                     # about 1,500 bytes
    srv.ctl('community', 'update', 'sup', '--purpose', long)
    tm = tui(srv, mia, 'mia')
    try:
        tm.wait_for('Supervision', timeout=15)
        tm.keys('Enter')
        tm.wait_for('Supervision  (manager)')
        tm.keys('S')
        tm.wait_for('Settings of Supervision', 'Membership criteria')
        tm.keys('Down', 'End', ' And more.', 'C-s')
        tm.wait_for('Saved. The pinned Welcome thread')
    finally:
        tm.kill()
    assert srv.query("SELECT purpose FROM communities WHERE slug = 'sup'") == \
        [(long + ' And more.',)]
