"""Communities and membership: joining by each policy, requests and
decisions, the interested cap, the pinned welcome and introductions threads,
the code of conduct, leaving, community roles, the member list, privacy and
the audit trail."""
import os
import subprocess
import time

import harness
from fixtures import community, err, member_session, ok, people, wait_event
from harness import Key, Server


def notes(srv, handle, kind):
    return srv.query('SELECT n.text, n.community_id, n.thread_id FROM notifications n '
                     'JOIN members m ON m.id = n.member_id WHERE m.handle = ? AND n.kind = ? '
                     'ORDER BY n.id', handle, kind)


def audit_actions(srv, slug):
    """Audit actions about a community: on it (target) or on a member in it
    (the member is the target, the detail starts community=SLUG)."""
    return [r[0] for r in srv.query("SELECT action FROM audit WHERE target = ? OR "
                                    "detail = ? OR detail LIKE ? ORDER BY id",
                                    slug, 'community=' + slug, 'community=' + slug + ' %')]


def ops():
    out = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--list-ops'],
                         capture_output=True, text=True, check=True).stdout
    return [line.split('`')[1] for line in out.splitlines() if line.startswith('| `')]


def test_create_seeds_pinned_threads_and_manager():
    srv = Server()
    mgr = member_session(srv, 'morgan')
    r = srv.ctl('community', 'create', 'students', '--name', 'Students', '--visibility',
                'platform', '--join-policy', 'request', '--purpose', 'Support students in training.',
                '--criteria', 'Student members in training.', '--privacy',
                'Chatham House Rule applies.', '--manager', 'morgan')
    assert r['slug'] == 'students' and r['manager'] == 'morgan', r
    cid = r['id']
    (wid, iid), = srv.query('SELECT welcome_thread_id, intro_thread_id FROM communities '
                            'WHERE id = ?', cid)
    assert wid and iid and wid != iid
    threads = srv.query('SELECT id, title, pinned, author_id, post_count, last_post_id, '
                        'last_post_at FROM threads WHERE community_id = ? ORDER BY id', cid)
    assert len(threads) == 2, threads
    titles = {t[0]: t[1] for t in threads}
    assert titles[wid] == 'Welcome and how we work here'
    assert titles[iid] == 'Introductions'
    for t in threads:
        assert t[2] == 1 and t[3] is None and t[4] == 1, t
        posts = srv.query('SELECT id, author_id, created_at FROM posts WHERE thread_id = ?',
                          t[0])
        assert len(posts) == 1 and posts[0][0] == t[5] and posts[0][1] is None
        assert posts[0][2] == t[6]
    body, = srv.query('SELECT body FROM posts WHERE thread_id = ?', wid)[0]
    for text in ('Support students in training.', 'Student members in training.',
                 'Chatham House Rule applies.', 'respect', 'No selling', 'Report concerns'):
        assert text in body, (text, body)
    # full-text search sees the seeded threads (the 002 triggers ran)
    assert srv.query("SELECT rowid FROM threads_fts WHERE threads_fts MATCH 'introductions'")
    # the manager is in, and was welcomed and told
    assert srv.query("SELECT cm.role FROM community_members cm JOIN members m ON "
                     "m.id = cm.member_id WHERE m.handle = 'morgan'") == [('manager',)]
    assert notes(srv, 'morgan', 'welcome')[0][2] == iid
    data = wait_event(mgr, 'community.joined')
    assert data['slug'] == 'students' and data['role'] == 'manager'
    assert data['introduce_thread_id'] == iid
    assert audit_actions(srv, 'students') == ['community.create', 'community.set_role']
    # the manager's row names the member, the community in its detail
    assert srv.query("SELECT target, detail FROM audit WHERE action = 'community.set_role'") \
        == [('morgan', 'community=students role=manager')]
    # an unknown manager: nothing at all is created
    p = srv.ctl('community', 'create', 'ghosts', '--name', 'Ghosts', '--manager', 'nobody',
                check=False, json_out=False)
    assert p.returncode != 0 and 'nobody' in p.stderr, p
    assert srv.query("SELECT count(*) FROM communities WHERE slug = 'ghosts'") == [(0,)]
    assert srv.query('SELECT count(*) FROM threads') == [(2,)]
    # without a manager still works, and the plain text output names it
    p = srv.ctl('community', 'create', 'eco', '--name', 'Eco', json_out=False)
    assert p.returncode == 0 and 'Created Eco (eco)' in p.stdout, p
    p = srv.ctl('community', 'list', json_out=False)
    assert 'students' in p.stdout and 'eco' in p.stdout


def test_join_each_policy():
    srv = Server()
    community(srv, 'openc', name='Openc', policy='open', manager=None)
    community(srv, 'askc', name='Askc', policy='request')
    community(srv, 'invc', name='Invc', policy='invite')
    boss = member_session(srv, 'boss')
    srv.ctl('community', 'role', 'askc', 'boss', 'manager')
    lead = member_session(srv, 'lee')
    srv.ctl('community', 'role', 'askc', 'lee', 'leader')
    s = member_session(srv, 'sam', coc=False)
    # open: joined now, told to introduce themselves
    r = ok(s.call('community.join', slug='openc'))
    iid = srv.query("SELECT intro_thread_id FROM communities WHERE slug = 'openc'")[0][0]
    assert r == {'slug': 'openc', 'status': 'joined', 'role': 'member',
                 'introduce_thread_id': iid, 'coc_accepted': False}, r
    assert wait_event(s, 'community.joined')['slug'] == 'openc'
    n = wait_event(s, 'notify.new', kind='welcome')
    assert n['thread_id'] == iid
    assert notes(srv, 'sam', 'welcome') == [(n['text'], n['community_id'], iid)]
    err(s.call('community.join', slug='openc'), 'conflict', 'already in')
    # request: a pending row, managers and leaders told
    r = ok(s.call('community.join', slug='askc', message='I run a student group.'))
    assert r['status'] == 'requested' and r['role'] == 'member', r
    rows = srv.query("SELECT id, status, message, role FROM join_requests")
    assert rows == [(r['request_id'], 'pending', 'I run a student group.', 'member')]
    for h in ('boss', 'lee'):
        got = notes(srv, h, 'join_request')
        assert len(got) == 1 and 'I run a student group.' in got[0][0], got
    assert wait_event(lead, 'notify.new', kind='join_request')['community_id']
    err(s.call('community.join', slug='askc'), 'conflict', 'already asked')
    assert srv.query("SELECT count(*) FROM community_members cm JOIN communities c ON "
                     "c.id = cm.community_id WHERE c.slug = 'askc'") == [(2,)]
    got = ok(s.call('community.get', slug='askc'))['community']
    assert got['pending_request']['id'] == r['request_id'] and got['my_role'] is None
    # invite: refused, nothing written
    err(s.call('community.join', slug='invc'), 'forbidden', 'ask a manager for an invite')
    assert srv.query("SELECT count(*) FROM join_requests") == [(1,)]
    # bad arguments
    err(s.call('community.join'), 'bad_request', 'args.slug')
    err(s.call('community.join', slug='openc', **{'as': 'boss'}), 'bad_request', 'args.as')
    err(s.call('community.join', slug='nope'), 'not_found')
    err(s.call('community.join', slug='askc', message=5), 'bad_request', 'args.message')
    # the console is not a member
    p = srv.ctl('community', 'show', 'openc', json_out=False)
    assert p.returncode == 0 and 'Openc (openc)' in p.stdout, p
    acts = audit_actions(srv, 'openc') + audit_actions(srv, 'askc')
    assert 'community.join' in acts and 'community.request' in acts


def test_request_then_decide_approve_and_decline():
    srv = Server()
    community(srv, 'sup', name='Sup', policy='request', manager=None)
    mgr = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'sup', 'mia', 'manager')
    lee = member_session(srv, 'lee')
    srv.ctl('community', 'role', 'sup', 'lee', 'leader')
    plain = member_session(srv, 'pat')
    srv.ctl('community', 'role', 'sup', 'pat', 'member')
    a = member_session(srv, 'ann')
    b = member_session(srv, 'bob')
    ra = ok(a.call('community.join', slug='sup', message='Supervisor for 10 years'))
    rb = ok(b.call('community.join', slug='sup', **{'as': 'interested'}))
    # only leaders and managers see and decide requests
    err(plain.call('community.requests', slug='sup'), 'forbidden', 'leaders and managers')
    err(a.call('community.requests', slug='sup'), 'forbidden')
    reqs = ok(lee.call('community.requests', slug='sup'))
    assert [q['handle'] for q in reqs['requests']] == ['bob', 'ann'] and reqs['next'] is None
    assert reqs['requests'][1]['message'] == 'Supervisor for 10 years'
    page = ok(mgr.call('community.requests', slug='sup', limit=1))
    assert len(page['requests']) == 1 and page['next'] == rb['request_id']
    page = ok(mgr.call('community.requests', slug='sup', limit=1, before=page['next']))
    assert page['requests'][0]['handle'] == 'ann'
    err(plain.call('community.decide', request_id=ra['request_id'], approve=True),
        'forbidden')
    err(mgr.call('community.decide', request_id=ra['request_id']), 'bad_request',
        'args.approve')
    err(mgr.call('community.decide', request_id=999, approve=True), 'not_found')
    list_ = ok(mgr.call('community.list'))['communities']
    assert list_[0]['pending_requests'] == 2
    assert ok(plain.call('community.list'))['communities'][0]['pending_requests'] is None
    # approve with a message
    r = ok(lee.call('community.decide', request_id=ra['request_id'], approve=True,
                    message='Welcome, Ann!'))
    assert r['status'] == 'approved' and r['handle'] == 'ann' and r['role'] == 'member'
    got = notes(srv, 'ann', 'join_decided')
    assert len(got) == 1 and 'approved' in got[0][0] and 'Welcome, Ann!' in got[0][0], got
    assert notes(srv, 'ann', 'welcome')
    assert wait_event(a, 'community.joined')['slug'] == 'sup'
    row = srv.query("SELECT j.status, j.response, m.handle FROM join_requests j JOIN members "
                    "m ON m.id = j.decided_by WHERE j.id = ?", ra['request_id'])
    assert row == [('approved', 'Welcome, Ann!', 'lee')]
    assert ok(a.call('community.get', slug='sup'))['community']['my_role'] == 'member'
    err(mgr.call('community.decide', request_id=ra['request_id'], approve=False),
        'conflict', 'already approved')
    # decline with a message
    r = ok(mgr.call('community.decide', request_id=rb['request_id'], approve=False,
                    message='This group is for supervisors only.'))
    assert r['status'] == 'declined'
    got = notes(srv, 'bob', 'join_decided')
    assert 'declined' in got[0][0] and 'supervisors only' in got[0][0], got
    assert srv.query("SELECT count(*) FROM community_members cm JOIN members m ON "
                     "m.id = cm.member_id WHERE m.handle = 'bob'") == [(0,)]
    # bob may ask again after a decline
    ok(b.call('community.join', slug='sup'))
    assert ok(mgr.call('community.list'))['communities'][0]['pending_requests'] == 1
    acts = audit_actions(srv, 'sup')
    assert 'community.approve' in acts and 'community.decline' in acts


def test_interested_cap_warns_and_refuses():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    mgr = member_session(srv, 'mo')
    srv.ctl('community', 'role', 'eco', 'mo', 'manager')
    i1 = member_session(srv, 'ivy')
    cid = srv.query("SELECT id FROM communities WHERE slug = 'eco'")[0][0]
    # pad the community with members straight in the database: 9 in all
    now = int(time.time())
    for n in range(8):
        srv.execute("INSERT INTO members (handle, display_name, created_at) "
                    "VALUES (?, ?, ?)", 'pad%d' % n, 'Pad', now)
        srv.execute("INSERT INTO community_members (community_id, member_id, role, "
                    "joined_at) SELECT ?, id, 'member', ? FROM members WHERE handle = ?",
                    cid, now, 'pad%d' % n)
    # 1 of 10 is not over 10%: no warning
    r = ok(i1.call('community.join', slug='eco', **{'as': 'interested'}))
    assert r['role'] == 'interested'
    assert notes(srv, 'mo', 'interested_over_cap') == []
    # 2 of 11 is: the manager is warned, once
    i2 = member_session(srv, 'ian')
    ok(i2.call('community.join', slug='eco', **{'as': 'interested'}))
    got = notes(srv, 'mo', 'interested_over_cap')
    assert len(got) == 1 and '2 of 11' in got[0][0] and got[0][1] == cid, got
    assert wait_event(mgr, 'notify.new', kind='interested_over_cap')['community_id'] == cid
    i3 = member_session(srv, 'ira')
    ok(i3.call('community.join', slug='eco', **{'as': 'interested'}))
    assert len(notes(srv, 'mo', 'interested_over_cap')) == 1
    # the community turns refusal on: new interested joins are refused
    err(i3.call('community.update', slug='eco', refuse_interested_over_cap=True),
        'forbidden', 'Only managers')
    ok(mgr.call('community.update', slug='eco', refuse_interested_over_cap=True))
    i4 = member_session(srv, 'ida')
    msg = err(i4.call('community.join', slug='eco', **{'as': 'interested'}), 'conflict',
              'at most 10%')
    assert 'as a member' in msg
    assert ok(i4.call('community.join', slug='eco'))['role'] == 'member'
    counts = ok(mgr.call('community.get', slug='eco'))['community']['counts']
    assert counts == {'manager': 1, 'leader': 0, 'member': 9, 'interested': 3}, counts
    # request communities refuse at request and at approval time
    community(srv, 'req', name='Req', policy='request')
    srv.ctl('community', 'role', 'req', 'mo', 'manager')
    ok(mgr.call('community.update', slug='req', refuse_interested_over_cap=True))
    err(i4.call('community.join', slug='req', **{'as': 'interested'}), 'conflict', '10%')
    ok(mgr.call('community.update', slug='req', refuse_interested_over_cap=False))
    rq = ok(i4.call('community.join', slug='req', **{'as': 'interested'}))
    ok(mgr.call('community.update', slug='req', refuse_interested_over_cap=True))
    err(mgr.call('community.decide', request_id=rq['request_id'], approve=True),
        'conflict', 'as a member')
    r = ok(mgr.call('community.decide', request_id=rq['request_id'], approve=True,
                    **{'as': 'member'}))
    assert r['role'] == 'member'


def test_interested_may_reply_not_start_threads():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    i = member_session(srv, 'ivy')
    m = member_session(srv, 'max')
    ok(i.call('community.join', slug='eco', **{'as': 'interested'}))
    ok(m.call('community.join', slug='eco'))
    assert ok(i.call('community.get', slug='eco'))['community']['my_role'] == 'interested'
    # reading is fine
    ok(i.call('community.members', slug='eco'))
    names = ops()
    if 'thread.create' not in names:
        return  # the boards area is not in this build yet
    r = i.call('thread.create', slug='eco', title='My question', body='Hello all')
    err(r, 'forbidden', 'Interested members')
    assert srv.query("SELECT count(*) FROM threads WHERE title = 'My question'") == [(0,)]
    ok(m.call('thread.create', slug='eco', title='A member thread', body='Hi'))
    if 'post.create' in names:
        # ... but they may reply, e.g. in Introductions
        iid = ok(i.call('community.get', slug='eco'))['community']['intro_thread_id']
        ok(i.call('post.create', thread_id=iid, body='Hello, I am Ivy.'))
        assert srv.query('SELECT post_count FROM threads WHERE id = ?', iid) == [(2,)]


def test_code_of_conduct():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    key = srv.new_member('cat')
    s = srv.session(key, 'cat')
    other = srv.session(key, 'cat')
    r = ok(s.call('coc.get'))
    assert r['accepted_at'] is None
    text = r['text']
    assert 10 <= len(text.splitlines()) <= 16, text
    for word in ('respect', 'client', 'selling', 'Report concerns'):
        assert word in text, word
    # joining is allowed before accepting (it writes no content) and says so
    assert ok(s.call('community.join', slug='eco'))['coc_accepted'] is False
    r = ok(s.call('member.accept_coc'))
    at = r['accepted_at']
    assert at
    assert srv.query("SELECT coc_accepted_at IS NOT NULL FROM members WHERE handle = 'cat'") \
        == [(1,)]
    # the live sessions know at once, both of them
    assert ok(s.call('coc.get'))['accepted_at'] == at
    assert ok(other.call('coc.get'))['accepted_at'] == at
    # accepting again changes nothing
    assert ok(s.call('member.accept_coc'))['accepted_at'] == at
    assert srv.query("SELECT count(*) FROM audit WHERE action = 'member.accept_coc'") == [(1,)]
    # a new session reads it from the database
    s2 = srv.session(key, 'cat')
    assert ok(s2.call('coc.get'))['accepted_at'] == at
    # the console is no member
    p = srv.ctl('community', 'list')
    assert p['communities'][0]['slug'] == 'eco'
    if 'thread.create' in ops():
        k2 = srv.new_member('dan')
        d = srv.session(k2, 'dan')
        ok(d.call('community.join', slug='eco'))
        err(d.call('thread.create', slug='eco', title='Hi', body='Hello'), 'coc_required',
            'code of conduct')
        ok(d.call('member.accept_coc'))
        ok(d.call('thread.create', slug='eco', title='Hi', body='Hello'))


def test_leave_rules():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    m1 = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'eco', 'mia', 'manager')
    m2 = member_session(srv, 'max')
    ok(m2.call('community.join', slug='eco'))
    err(m1.call('community.leave', slug='eco'), 'conflict', 'last manager')
    ok(m1.call('community.set_role', slug='eco', handle='max', role='manager'))
    r = ok(m1.call('community.leave', slug='eco'))
    assert r == {'slug': 'eco', 'left': True, 'withdrawn': False, 'was': 'manager'}, r
    assert wait_event(m1, 'community.left')['slug'] == 'eco'
    err(m1.call('community.leave', slug='eco'), 'conflict', 'not a member')
    err(m2.call('community.leave', slug='eco'), 'conflict', 'last manager')
    err(m2.call('community.leave', slug='nowhere'), 'not_found')
    # leaving a request community you only asked to join withdraws the request
    community(srv, 'req', name='Req', policy='request')
    ok(m1.call('community.join', slug='req'))
    r = ok(m1.call('community.leave', slug='req'))
    assert r['withdrawn'] is True and r['left'] is False
    assert srv.query('SELECT count(*) FROM join_requests') == [(0,)]
    acts = audit_actions(srv, 'eco') + audit_actions(srv, 'req')
    assert 'community.leave' in acts and 'community.withdraw' in acts


def test_set_role_rules():
    srv = Server()
    community(srv, 'sup', name='Sup', visibility='platform', policy='invite')
    admin = member_session(srv, 'ada', role='admin')
    # a platform admin may manage a community without being in it
    r = ok(admin.call('community.set_role', slug='sup', handle='ada', role='manager'))
    assert r == {'slug': 'sup', 'handle': 'ada', 'role': 'manager', 'was': 'none'}
    m = member_session(srv, 'mia')
    # invite-only: a manager adds people directly
    ok(admin.call('community.set_role', slug='sup', handle='mia', role='manager'))
    assert wait_event(m, 'community.joined')['role'] == 'manager'
    assert notes(srv, 'mia', 'welcome')
    p = member_session(srv, 'pat')
    ok(m.call('community.set_role', slug='sup', handle='pat', role='member'))
    err(p.call('community.set_role', slug='sup', handle='pat', role='manager'),
        'forbidden', 'Only managers')
    ok(m.call('community.set_role', slug='sup', handle='pat', role='leader'))
    got = notes(srv, 'pat', 'community_role')
    assert got and 'leader' in got[-1][0], got
    err(p.call('community.set_role', slug='sup', handle='mia', role='member'), 'forbidden')
    # leaders moderate (requests) but do not manage
    ok(p.call('community.requests', slug='sup'))
    err(p.call('community.update', slug='sup', name='X'), 'forbidden')
    # bad arguments
    err(m.call('community.set_role', slug='sup', handle='pat', role='boss'), 'bad_request',
        'args.role')
    err(m.call('community.set_role', slug='sup', handle='nobody', role='member'),
        'not_found')
    err(m.call('community.set_role', slug='sup', role='member'), 'bad_request',
        'args.handle')
    # the last manager cannot be demoted or removed
    ok(m.call('community.set_role', slug='sup', handle='ada', role='none'))
    err(m.call('community.set_role', slug='sup', handle='mia', role='leader'), 'conflict',
        'last manager')
    err(m.call('community.set_role', slug='sup', handle='mia', role='none'), 'conflict',
        'last manager')
    # none removes; none again is a conflict
    r = ok(m.call('community.set_role', slug='sup', handle='pat', role='none'))
    assert r['was'] == 'leader' and r['role'] == 'none'
    assert wait_event(p, 'community.left')['slug'] == 'sup'
    err(m.call('community.set_role', slug='sup', handle='pat', role='none'), 'conflict',
        'not a member')
    assert ok(p.call('community.get', slug='sup'))['community']['my_role'] is None
    # the same role again changes nothing and writes no audit row
    before = len(audit_actions(srv, 'sup'))
    ok(m.call('community.set_role', slug='sup', handle='mia', role='manager'))
    assert len(audit_actions(srv, 'sup')) == before
    assert audit_actions(srv, 'sup').count('community.set_role') == 6
    # a pending request is answered by being added
    community(srv, 'req', name='Req', policy='request')
    ok(p.call('community.join', slug='req'))
    ok(admin.call('community.set_role', slug='req', handle='pat', role='member'))
    assert srv.query('SELECT status FROM join_requests') == [('approved',)]


def test_members_listing_and_pagination():
    srv = Server()
    community(srv, 'big', name='Big', policy='open')
    s = member_session(srv, 'sam')
    ok(s.call('community.join', slug='big'))
    cid = srv.query("SELECT id FROM communities WHERE slug = 'big'")[0][0]
    base = int(time.time()) - 1000
    for n in range(7):
        srv.execute("INSERT INTO members (handle, display_name, created_at) "
                    "VALUES (?, ?, ?)", 'm%d' % n, 'M %d' % n, base)
        srv.execute("INSERT INTO community_members (community_id, member_id, role, "
                    "joined_at) SELECT ?, id, ?, ? FROM members WHERE handle = ?",
                    cid, 'interested' if n % 3 == 0 else 'member', base + n // 2, 'm%d' % n)
    seen, cursor, pages = [], None, 0
    while True:
        args = {'slug': 'big', 'limit': 3}
        if cursor:
            args['before'] = cursor
        r = ok(s.call('community.members', **args))
        pages += 1
        seen += [m['handle'] for m in r['members']]
        for m in r['members']:
            assert set(m) == {'handle', 'display_name', 'role', 'joined_at'}
        cursor = r['next']
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 8 and len(set(seen)) == 8, seen
    assert seen[0] == 'sam'  # newest first
    assert seen[1:] == ['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']
    r = ok(s.call('community.members', slug='big', role='interested'))
    assert [m['handle'] for m in r['members']] == ['m6', 'm3', 'm0'] and r['next'] is None
    err(s.call('community.members', slug='big', role='boss'), 'bad_request', 'args.role')
    err(s.call('community.members', slug='big', before='yesterday'), 'bad_request',
        'args.before')
    err(s.call('community.members', slug='big', limit=0), 'bad_request', 'args.limit')
    # removed members are not listed
    srv.ctl('member', 'remove', 'sam', '--reason', 'test')
    other = member_session(srv, 'oli')
    r = ok(other.call('community.members', slug='big', limit=50))
    assert 'sam' not in [m['handle'] for m in r['members']]


def test_private_community_shows_little_to_outsiders():
    srv = Server()
    community(srv, 'circle', 'private', name='Circle', policy='request',
              purpose='Peer support.', criteria='Practising supervisors.',
              privacy='Not to be repeated.')
    mgr = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'circle', 'mia', 'manager')
    out = member_session(srv, 'oli')
    got = ok(out.call('community.get', slug='circle'))['community']
    assert got['readable'] is False
    assert got['purpose'] == 'Peer support.' and got['criteria'] == 'Practising supervisors.'
    assert got['join_policy'] == 'request' and got['my_role'] is None
    for hidden in ('privacy', 'counts', 'members', 'welcome_thread_id', 'intro_thread_id'):
        assert hidden not in got, (hidden, got)
    err(out.call('community.members', slug='circle'), 'forbidden', 'private to its members')
    err(out.call('community.requests', slug='circle'), 'forbidden')
    lst = {c['slug']: c for c in ok(out.call('community.list'))['communities']}
    assert lst['circle']['unread'] is None and lst['circle']['my_role'] is None
    # members see it all
    full = ok(mgr.call('community.get', slug='circle'))['community']
    assert full['readable'] is True and full['privacy'] == 'Not to be repeated.'
    assert full['counts']['manager'] == 1 and full['members'] == 1
    assert full['welcome_thread_id'] and full['intro_thread_id']
    assert [m['handle'] for m in ok(mgr.call('community.members',
                                              slug='circle'))['members']] == ['mia']
    # platform admins too
    adm = member_session(srv, 'ada', role='admin')
    assert ok(adm.call('community.get', slug='circle'))['community']['readable'] is True
    assert ok(adm.call('community.list'))['communities'][0]['pending_requests'] == 0


def test_list_unread_counts_threads():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    s = member_session(srv, 'sam')
    r = ok(s.call('community.list'))['communities'][0]
    assert r['unread'] is None and r['my_role'] is None
    ok(s.call('community.join', slug='eco'))
    r = ok(s.call('community.list'))['communities'][0]
    assert r['unread'] == 2 and r['my_role'] == 'member' and r['members'] == 1, r
    wid, = srv.query("SELECT welcome_thread_id FROM communities")[0]
    last, = srv.query("SELECT last_post_id FROM threads WHERE id = ?", wid)[0]
    srv.execute("INSERT INTO read_positions (member_id, thread_id, last_post_id, at) "
                "SELECT id, ?, ?, 0 FROM members WHERE handle = 'sam'", wid, last)
    assert ok(s.call('community.list'))['communities'][0]['unread'] == 1
    # the query uses indexes, not a scan of every thread
    con = srv.db()
    plan = con.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM threads t LEFT JOIN read_positions rp "
        "ON rp.member_id = 1 AND rp.thread_id = t.id WHERE t.community_id = 1 AND "
        "t.last_post_id > coalesce(rp.last_post_id, 0)").fetchall()
    con.close()
    text = ' '.join(str(p[-1]) for p in plan)
    assert 'SCAN t' not in text and 'SCAN threads' not in text, text


def test_update_settings():
    srv = Server()
    community(srv, 'eco', name='Eco', policy='open')
    m = member_session(srv, 'mia')
    srv.ctl('community', 'role', 'eco', 'mia', 'manager')
    p = member_session(srv, 'pat')
    ok(p.call('community.join', slug='eco'))
    err(p.call('community.update', slug='eco', name='Mine'), 'forbidden', 'Only managers')
    err(m.call('community.update', slug='eco'), 'bad_request', 'Nothing to change')
    err(m.call('community.update', slug='eco', visibility='secret'), 'bad_request',
        'args.visibility')
    err(m.call('community.update', slug='eco', join_policy='maybe'), 'bad_request',
        'args.join_policy')
    err(m.call('community.update', slug='eco', name=''), 'bad_request', 'args.name')
    r = ok(m.call('community.update', slug='eco', name='Eco Awareness', purpose='Green',
                  criteria='Anyone', privacy='Chatham House', visibility='private',
                  join_policy='request'))['community']
    assert (r['name'], r['purpose'], r['criteria'], r['privacy'], r['visibility'],
            r['join_policy']) == ('Eco Awareness', 'Green', 'Anyone', 'Chatham House',
                                  'private', 'request')
    # the system's welcome post follows the new settings
    (body, edited), = srv.query("SELECT p.body, p.edited_at FROM posts p JOIN communities c "
                                "ON p.thread_id = c.welcome_thread_id")
    assert 'Eco Awareness' in body and 'Green' in body and 'Chatham House' in body, body
    assert edited is not None
    row = srv.query("SELECT detail FROM audit WHERE action = 'community.update'")
    assert row == [('name, purpose, criteria, privacy, visibility, join_policy',)]
    # now private: an outsider sees less
    o = member_session(srv, 'oli')
    assert ok(o.call('community.get', slug='eco'))['community']['readable'] is False


def test_guest_sees_public_only():
    srv = Server(config={'guest': 'true'})
    community(srv, 'pub', name='Pub', visibility='public', policy='open')
    community(srv, 'plat', name='Plat', visibility='platform', policy='open')
    community(srv, 'priv', name='Priv', visibility='private', policy='open')
    g = srv.session(Key('visitor'), 'guest')
    assert g.hello['data'].get('guest') is True, g.hello
    lst = ok(g.call('community.list'))['communities']
    assert [c['slug'] for c in lst] == ['pub'], lst
    assert ok(g.call('community.get', slug='pub'))['community']['readable'] is True
    err(g.call('community.get', slug='priv'), 'not_found')
    err(g.call('community.join', slug='pub'), 'forbidden')
    err(g.call('member.accept_coc'), 'forbidden')
    assert ok(g.call('coc.get'))['accepted_at'] is None


def test_removed_members_do_not_count():
    """Counts of a community leave out members removed from the platform:
    the list, its counts by role and the interested share behind the cap."""
    srv = Server()
    keys = people(srv, 'mgr', 'ann', 'bob', 'cat', 'gone')
    community(srv, 'cop', members=[('mgr', 'manager'), ('ann', 'member'), ('bob', 'member'),
                                   ('cat', 'member'), ('gone', 'interested')])
    s = srv.session(keys['mgr'])
    before = [c for c in ok(s.call('community.list'))['communities'] if c['slug'] == 'cop'][0]
    assert before['members'] == 5
    srv.ctl('member', 'remove', 'gone', '--reason', 'Left the association')
    after = [c for c in ok(s.call('community.list'))['communities'] if c['slug'] == 'cop'][0]
    assert after['members'] == 4
    got = ok(s.call('community.get', slug='cop'))['community']
    assert got['counts']['interested'] == 0 and got['members'] == 4, got
