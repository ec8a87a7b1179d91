"""Screens that tell the truth and lose nothing (issue 14): drafts for every
target (draft.list; the room line, forms, the profile, the line mode),
coming back to the same screen after a dropped link (session.where and
session.resume), live refreshes (a thread list, a role, the Requests tab,
a mute in a room), the room-open banner, and a notification landing on
its post. Real hearthd, real ssh; the TUI through ssh -tt in tmux."""
import json
import subprocess

from fixtures import (community, err, member_id, ok, people, tui, wait_db, wait_gone,
                      wait_until)
from harness import Server, Tmux


def kill_ssh(t):
    """A dropped link: the ssh client tmux runs is killed with SIGKILL."""
    out = subprocess.run(['tmux', '-S', t.sock, 'list-panes', '-t', t.name, '-F',
                          '#{pane_pid}'], capture_output=True, text=True).stdout.split()
    for pid in out:
        subprocess.run(['pkill', '-KILL', '-P', pid])
        subprocess.run(['kill', '-KILL', pid])
    t.kill()


def drafts(srv, handle):
    return dict(srv.query('SELECT d.key, d.body FROM drafts d JOIN members m ON '
                          'm.id = d.member_id WHERE m.handle = ?', handle))


def plain(srv, key, user, height=50):
    """The line mode (TERM=dumb) in tmux."""
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    return Tmux('TERM=dumb ' + ' '.join(cmd), 100, height)


# ---- the protocol ----

def test_draft_list_and_two_saves_in_one_write():
    srv = Server()
    keys = people(srv, 'pat', 'sam')
    p = srv.session(keys['pat'])
    # two saves pipelined in one write, the second a later version of the
    # first's key, a third key in the same write: all kept, in order
    p.send_raw((json.dumps({'id': 70, 'op': 'draft.save', 'args': {
        'key': 'room:5', 'body': 'first words'}}) + '\n' +
        json.dumps({'id': 71, 'op': 'draft.save', 'args': {
            'key': 'room:5', 'body': 'first words and more'}}) + '\n' +
        json.dumps({'id': 72, 'op': 'draft.save', 'args': {
            'key': 'thread:cop', 'title': 'A title', 'body': 'x' * 400}}) + '\n').encode())
    for rid in (70, 71, 72):
        assert ok(p.reply(rid))['saved'] is True
    assert drafts(srv, 'pat') == {'room:5': 'first words and more', 'thread:cop': 'x' * 400}
    got = ok(p.call('draft.list'))['drafts']
    assert {d['key'] for d in got} == {'room:5', 'thread:cop'}
    t = [d for d in got if d['key'] == 'thread:cop'][0]
    assert t['title'] == 'A title' and t['preview'] == 'x' * 160 and t['length'] == 400
    # yours alone
    assert ok(srv.session(keys['sam']).call('draft.list'))['drafts'] == []
    ok(p.call('draft.save', key='room:5'))
    assert [d['key'] for d in ok(p.call('draft.list'))['drafts']] == ['thread:cop']


def test_session_where_and_resume():
    srv = Server({'resume_minutes': 10})
    keys = people(srv, 'pat', 'sam')
    p = srv.session(keys['pat'])
    assert ok(p.call('session.resume')) == {'where': None, 'resume_minutes': 10}
    ok(p.call('session.where', screen='thread', thread_id=7, post_id=9, slug='cop',
              title='Supervision'))
    w = ok(srv.session(keys['pat']).call('session.resume'))['where']
    assert w['screen'] == 'thread' and w['thread_id'] == 7 and w['post_id'] == 9
    assert w['slug'] == 'cop' and w['title'] == 'Supervision'
    assert ok(srv.session(keys['sam']).call('session.resume'))['where'] is None
    # bad input: a clear refusal, the position kept
    err(p.call('session.where', screen='attic'), 'bad_request', 'home, community')
    err(p.call('session.where', screen='room'), 'bad_request', 'room_id')
    err(p.call('session.where', screen='community', slug='a\x1bb'), 'bad_request')
    err(p.call('session.where', screen='community', slug='cop', tab=99), 'bad_request')
    assert ok(p.call('session.resume'))['where']['thread_id'] == 7
    # older than resume_minutes: Home
    srv.execute('UPDATE member_where SET updated_at = updated_at - 601')
    assert ok(p.call('session.resume'))['where'] is None
    # a clean quit forgets it
    ok(p.call('session.where', screen='community', slug='cop', tab=2))
    assert ok(p.call('session.resume'))['where']['tab'] == 2
    ok(p.call('session.where'))
    assert ok(p.call('session.resume'))['where'] is None
    assert srv.query('SELECT count(*) FROM member_where') == [(0,)]


# ---- the TUI ----

def forum(srv, posts=12, names=True):
    """pat and sam in Students (cop), a thread of posts by sam."""
    keys = people(srv, 'pat', 'sam', 'mia')
    if names:
        srv.execute("UPDATE members SET display_name = 'Pat Doe' WHERE handle = 'pat'")
    community(srv, 'cop', name='Students', members=[('pat', 'member'), ('sam', 'member'),
                                                     ('mia', 'manager')])
    s = srv.session(keys['sam'])
    r = ok(s.call('thread.create', slug='cop', title='Supervision notes',
                  body='Post number 1 opens the thread.'))
    tid = r['thread_id']
    ids = [None, r['post_id']]     # ids[n]: post number n
    for i in range(2, posts + 1):
        ids.append(ok(s.call('post.create', thread_id=tid,
                             body='Post number %d.\n\nSome words to fill the '
                                  'screen.\n\nMore words.' % i))['post_id'])
    return keys, s, tid, ids


def open_forum_thread(t):
    """From Home: Students, then the thread (after the pinned ones)."""
    t.wait_for('Welcome, Pat Doe', timeout=20)
    t.wait_for('Students')
    t.keys('Enter')
    t.wait_for('Threads', 'posts ')     # the list (Home's roundup has titles too)
    t.keys('G', 'Enter')
    return t.wait_for('post 1 of')


def test_reconnect_resumes_thread_and_post_and_a_clean_quit_goes_home():
    srv = Server({'resume_minutes': 10})
    keys, s, tid, ids = forum(srv)
    t = tui(srv, keys['pat'], 'pat')
    try:
        open_forum_thread(t)
        t.wait_for('post 1 of 12')
        for _ in range(6):
            t.keys('Tab')
        t.wait_for('post 7 of 12', 'Post number 7.')
        wait_db(srv, 'SELECT screen, thread_id, post_id FROM member_where', [
            ('thread', tid, ids[7])], timeout=15)
        kill_ssh(t)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        screen = t.wait_for('post 7 of 12', 'Post number 7.', timeout=20)
        assert 'Supervision notes' in screen
        # below it: its community, then Home
        t.keys('q')
        t.wait_for('Threads', 'Students')
        t.keys('q')
        t.wait_for('Welcome, Pat Doe')
        wait_db(srv, 'SELECT screen FROM member_where', [('home',)], timeout=15)
        t.keys('q')             # a clean quit: forgotten
        wait_db(srv, 'SELECT count(*) FROM member_where', [(0,)], timeout=15)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        screen = t.wait_for('Welcome, Pat Doe', timeout=20)
        assert 'post 7 of' not in screen
    finally:
        t.kill()


def test_room_open_banner_and_open_rooms_at_the_top_of_home():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=2)
    # many communities: Open rooms still come first on Home
    for i in range(25):
        community(srv, 'c%02d' % i, name='Circle %02d' % i, members=[('pat', 'member')])
    t = tui(srv, keys['pat'], 'pat')
    o = tui(srv, keys['mia'], 'mia')     # the opener: no banner for her
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.wait_for('Circle 00')
        o.wait_for('Welcome', timeout=20)
        m = srv.session(keys['mia'])
        rid = ok(m.call('room.open', community='cop', title='Friday drop-in',
                        record='off'))['room']['room_id']
        screen = t.wait_for('A room opened in Students: "Friday drop-in"')
        # Home lists it above the fold, before the communities
        screen = t.wait_for('Open rooms', 'Friday drop-in')
        lines = screen.splitlines()
        at = [i for i, l in enumerate(lines) if 'Friday drop-in' in l and 'record' in l][0]
        assert at < [i for i, l in enumerate(lines) if 'Communities' in l][0], screen
        # and Enter from the top (g) joins it
        t.keys('g', 'Enter')
        t.wait_for('Say:', 'You are in')
        # the member outside the community was not told; the opener neither
        assert 'A room opened' not in o.screen()
        ok(m.call('room.close', room_id=rid))
    finally:
        t.kill()
        o.kill()


def test_home_selects_a_room_open_at_login_and_not_one_opened_later():
    """Logging in while a room is open: Home's selection is on it (the
    heading says Enter joins), so Enter alone joins. A room opened while
    Home is already up does not move the selection: Enter opens the
    community the cursor was on."""
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=2)
    m = srv.session(keys['mia'])
    rid = ok(m.call('room.open', community='cop', title='Morning drop-in',
                    record='off'))['room']['room_id']
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Open rooms (Enter joins)', 'Morning drop-in', timeout=20)
        t.wait_for('Students')
        # another opens before she presses a key: listed first, not selected
        noon = ok(m.call('room.open', community='cop', title='Noon drop-in',
                         record='off'))['room']['room_id']
        t.wait_for('Noon drop-in')
        t.keys('Enter')
        t.wait_for('Say:', 'You are in \u201cMorning drop-in\u201d')
    finally:
        t.kill()
    ok(m.call('room.close', room_id=noon))
    ok(m.call('room.close', room_id=rid))
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.wait_for('Students')
        ok(m.call('room.open', community='cop', title='Afternoon drop-in', record='off'))
        t.wait_for('Open rooms', 'Afternoon drop-in')
        t.keys('Enter')
        t.wait_for('Threads')
        assert 'Say:' not in t.screen()
    finally:
        t.kill()


def test_thread_list_refreshes_when_another_member_posts():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=2)
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.wait_for('Students')
        t.keys('Enter')
        t.wait_for('Threads', '2 posts')
        ok(s.call('thread.create', slug='cop', title='Rural placements', body='Travel.'))
        t.wait_for('Rural placements')          # no key pressed
        ok(s.call('post.create', thread_id=tid, body='A third post.'))
        t.wait_for('3 posts')
    finally:
        t.kill()


def test_a_mention_notification_lands_on_its_post():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=9)
    mention = ok(s.call('post.create', thread_id=tid,
                        body='Post number 10 asks @pat about the placements.'))['post_id']
    for i in range(11, 16):
        ok(s.call('post.create', thread_id=tid, body='Post number %d.\n\nWords.' % i))
    t = tui(srv, keys['pat'], 'pat', height=24)
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.keys('n')
        t.wait_for('Notifications', 'mentioned you')
        t.keys('Enter')
        screen = t.wait_for('post 10 of 15', 'asks @pat about the placements')
        assert 'Post number 1 opens' not in screen, screen
        wait_db(srv, 'SELECT count(*) FROM notifications WHERE post_id = ? AND '
                'read_at IS NOT NULL', [(1,)], mention)
    finally:
        t.kill()


def test_live_role_and_requests_tab_across_managers():
    srv = Server()
    keys = people(srv, 'pat', 'mia', 'max', 'ann')
    community(srv, 'sup', name='Supervision', policy='request',
              members=[('pat', 'member'), ('mia', 'manager'), ('max', 'manager')])
    ann = srv.session(keys['ann'])
    ok(ann.call('community.join', slug='sup', message='Ten years supervising.'))
    tp = tui(srv, keys['pat'], 'pat')
    tx = tui(srv, keys['max'], 'max')
    try:
        tp.wait_for('Supervision', timeout=20)
        tp.keys('Enter')
        tp.wait_for('Supervision  (member)')
        tx.wait_for('1 request', timeout=20)
        tx.keys('Enter')
        tx.wait_for('6 Requests (1)')
        tx.keys('6')
        tx.wait_for('@ann  asks to join', 'Ten years supervising.')
        m = srv.session(keys['mia'])
        # another manager answers: Max's Requests tab empties by itself
        rid = ok(m.call('community.requests', slug='sup'))['requests'][0]['id']
        ok(m.call('community.decide', request_id=rid, approve=True, message='Welcome'))
        tx.wait_for('No join requests are waiting')
        # a role change shows on the member's open screen
        ok(m.call('community.set_role', slug='sup', handle='pat', role='leader'))
        tp.wait_for('Supervision  (leader)')
    finally:
        tp.kill()
        tx.kill()


def test_a_member_muted_while_in_a_room_is_told_there():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    m = srv.session(keys['mia'])
    ok(m.call('member.accept_coc'))
    ok(m.call('room.open', community='cop', title='Drop-in', record='off'))
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Open rooms', timeout=20)
        t.keys('g', 'Enter')
        t.wait_for('Say:', 'You are in')
        ok(m.call('member.mute', slug='cop', handle='pat', seconds=3600,
                  reason='cooling off'))
        t.wait_for('A moderator muted you in Students', 'cooling off')
        t.wait_for('Say (muted):')
        ok(m.call('member.unmute', slug='cop', handle='pat'))
        t.wait_for('lifted your mute in Students')
    finally:
        t.kill()


def pat_in_a_drop_in(srv):
    """mia opens a drop-in in cop; pat joins it from Home in the TUI:
    (keys, mia's session, room id, pat's screen)."""
    keys, s, tid, ids = forum(srv, posts=1)
    m = srv.session(keys['mia'])
    rid = ok(m.call('room.open', community='cop', title='Drop-in',
                    record='off'))['room']['room_id']
    t = tui(srv, keys['pat'], 'pat')
    t.wait_for('Open rooms', timeout=20)
    t.keys('g', 'Enter')
    t.wait_for('Say:', 'You are in')
    return keys, m, rid, t


# ---- drafts for each target ----

def test_room_line_draft_survives_a_killed_ssh_client():
    srv = Server({'resume_minutes': 10})
    keys, m, rid, t = pat_in_a_drop_in(srv)
    try:
        t.keys('-l', 'half a thought about supervision')
        wait_until(lambda: drafts(srv, 'pat').get('room:%d' % rid) ==
                   'half a thought about supervision', 15, 'the room draft')
        # the position too (kept a second after moving; the draft is quicker)
        wait_db(srv, 'SELECT screen, room_id FROM member_where', [('room', rid)],
                timeout=15)
        kill_ssh(t)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        # back in the room (resumed), the words on the input line
        t.wait_for('What you were writing is back', timeout=20)
        t.wait_for('half a thought about supervision')
        t.keys('Enter')
        wait_until(lambda: 'room:%d' % rid not in drafts(srv, 'pat'), 15, 'sent: no draft')
    finally:
        t.kill()


def test_a_room_command_leaves_no_draft_to_swallow_the_next_line():
    """A command typed and sent with Enter (which the room holds back a
    moment for pastes) is not kept as a draft: back in the room, the first
    line said goes to the room, not onto the end of the old command."""
    from fixtures import until
    srv = Server({'resume_minutes': 10})
    keys, m, rid, t = pat_in_a_drop_in(srv)
    try:
        t.keys('-l', '/hand\r')
        until(m, lambda e: e.get('event') == 'room.presence' and
              e['data'].get('hand_up') == 'pat', timeout=15)
        t.keys('Escape')
        t.wait_for('Leave the room')
        t.keys('y')
        until(m, lambda e: e.get('event') == 'room.presence' and
              e['data'].get('left') == 'pat', timeout=15)
        t.wait_for('Open rooms', timeout=15)
        assert 'room:%d' % rid not in drafts(srv, 'pat'), drafts(srv, 'pat')
        t.keys('g', 'Enter')
        t.wait_for('Say:', 'You are in')
        t.keys('-l', 'back from the door\r')
        got = until(m, lambda e: e.get('event') == 'room.message' and
                    e['data'].get('handle') == 'pat', timeout=15)
        assert got['data']['text'] == 'back from the door', got
        assert 'What you were writing is back' not in t.screen()
    finally:
        t.kill()

def test_a_host_coming_back_sees_what_was_said_while_away():
    """The join's own "A host is here again" reaches the host before the
    join's answer; the history in the answer still shows, before it."""
    from fixtures import until
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    srv.execute("UPDATE community_members SET role = 'leader' WHERE member_id = "
                "(SELECT id FROM members WHERE handle = 'pat')")
    p = srv.session(keys['pat'])
    rid = ok(p.call('room.open', community='cop', title='Supervision surgery',
                    record='transcript'))['room']['room_id']
    ok(p.call('room.say', room_id=rid, text='welcome, all'))
    ok(p.call('room.leave', room_id=rid))
    sam = srv.session(keys['sam'])
    ok(sam.call('room.join', room_id=rid))
    ok(sam.call('room.say', room_id=rid, text='is the host gone?'))
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Open rooms', timeout=20)
        t.keys('g', 'Enter')
        t.wait_for('A host is here again', timeout=15)
        screen = t.wait_for('is the host gone?', 'welcome, all', timeout=10)
        lines = screen.splitlines()
        at = [i for i, ln in enumerate(lines) if 'is the host gone?' in ln][0]
        back = [i for i, ln in enumerate(lines) if 'A host is here again' in ln][0]
        assert at < back, screen
        until(sam, lambda e: e.get('event') == 'room.message' and
              'here again' in e['data'].get('text', ''), timeout=15)
    finally:
        t.kill()

def test_typing_after_esc_types_instead_of_answering_leave():
    """Esc on the input line asks "Leave the room? y/n"; a member who goes
    on typing meant to type: the question goes and nothing is eaten."""
    from fixtures import until
    srv = Server()
    keys, m, rid, t = pat_in_a_drop_in(srv)
    try:
        t.keys('Escape')
        t.wait_for('Leave the room? y/n')
        t.keys('-l', 'hey there, still here')
        t.wait_for('hey there, still here')
        assert 'Leave the room? y/n' not in t.screen()
        t.keys('Enter')
        got = until(m, lambda e: e.get('event') == 'room.message' and
                    e['data'].get('handle') == 'pat', timeout=15)
        assert got['data']['text'] == 'hey there, still here', got
        # Esc then y still leaves
        t.keys('Escape')
        t.wait_for('Leave the room? y/n')
        t.keys('y')
        until(m, lambda e: e.get('event') == 'room.presence' and
              e['data'].get('left') == 'pat', timeout=15)
    finally:
        t.kill()

def test_form_draft_comes_back_on_reopening():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=2)
    t = tui(srv, keys['pat'], 'pat')
    try:
        open_forum_thread(t)
        t.keys('Tab')
        t.wait_for('post 2 of 2')
        t.keys('!')
        t.wait_for('Report a post')
        t.keys('-l', 'It names a client')
        wait_until(lambda: any(k.startswith('form:post.report:') and 'It names a client' in v
                               for k, v in drafts(srv, 'pat').items()), 15, 'the form draft')
        kill_ssh(t)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        open_forum_thread(t)
        t.keys('Tab')
        t.wait_for('post 2 of 2')
        t.keys('!')
        t.wait_for('Report a post', 'It names a client')
        t.wait_for('What you typed here before is back')
        # another post's report form starts empty
        t.keys('Escape')
        t.keys('[')
        t.wait_for('post 1 of 2')
        t.keys('!')
        screen = t.wait_for('Report a post')
        assert 'It names a client' not in screen, screen
    finally:
        t.kill()


def test_profile_edit_draft_follows_the_member():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.keys('p')
        t.wait_for('@pat', 'Devices (D)')     # loaded: e edits
        t.keys('e')
        t.wait_for('Organisation:')
        t.keys('Down', 'Down', 'Down')      # Name, Pronouns, Role: Organisation
        t.keys('-l', 'Mind Matters CIC')
        wait_until(lambda: 'Mind Matters CIC' in drafts(srv, 'pat').get('profile', ''), 15,
                   'the profile draft')
        kill_ssh(t)
    finally:
        t.kill()
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.wait_for('Your unsent drafts (1)')
        t.keys('p')
        t.wait_for('@pat', 'Devices (D)')
        t.keys('e')
        t.wait_for('Your unsaved edits are back', 'Mind Matters CIC')
        t.keys('C-s')
        t.wait_for('Profile saved.')
        wait_db(srv, "SELECT organisation FROM members WHERE handle = 'pat'",
                [('Mind Matters CIC',)])
        wait_until(lambda: 'profile' not in drafts(srv, 'pat'), 15, 'saved: no draft')
    finally:
        t.kill()


def test_line_mode_keeps_each_line_and_offers_the_draft():
    srv = Server()
    keys, s, tid, ids = forum(srv, posts=1)
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Choose a number:', timeout=20)
        t.keys('1', 'Enter')
        t.wait_for('Students')
        t.keys('1', 'Enter')           # the first (only) community
        t.wait_for('Supervision notes')
        t.keys('n', 'Enter')
        t.wait_for('Title:')
        t.keys('-l', 'Placements in the hills')
        t.keys('Enter')
        t.wait_for('Each line is kept as a draft')
        t.keys('-l', 'First line typed.')
        t.keys('Enter')
        t.keys('-l', 'Second line typed.')
        t.keys('Enter')
        wait_until(lambda: drafts(srv, 'pat').get('thread:cop') ==
                   'First line typed.\nSecond line typed.\n', 15, 'both lines kept')
        kill_ssh(t)
    finally:
        t.kill()
    # the TUI offers the same draft (another connection)
    u = tui(srv, keys['pat'], 'pat')
    try:
        u.wait_for('Welcome, Pat Doe', timeout=20)
        u.wait_for('Students')
        u.keys('Enter')
        u.wait_for('Threads', 'Supervision notes')
        u.keys('c')
        u.wait_for('Your draft is back', 'Second line typed.', 'Placements in the hills')
        u.keys('Escape')
    finally:
        u.kill()
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Choose a number:', timeout=20)
        t.keys('D', 'Enter')
        t.wait_for('a new thread in cop, Placements in the hills')
        t.keys('Enter')
        t.keys('1', 'Enter')
        t.wait_for('Students')
        t.keys('1', 'Enter')
        t.wait_for('Supervision notes')
        t.keys('n', 'Enter')
        t.wait_for('You have an unsent draft here', 'Second line typed.')
        t.keys('c', 'Enter')
        t.wait_for('Go on writing')
        t.keys('-l', 'Third line.')
        t.keys('Enter', '.', 'Enter')
        t.wait_for('Thread started.')
    finally:
        t.kill()
    body = srv.query("SELECT p.body FROM posts p JOIN threads t ON t.id = p.thread_id "
                     "WHERE t.title = 'Placements in the hills'")[0][0]
    assert body == 'First line typed.\nSecond line typed.\nThird line.\n', body
    wait_until(lambda: 'thread:cop' not in drafts(srv, 'pat'), 10, 'sent: no draft')


def test_line_mode_drafts_open_where_they_were_written():
    srv = Server()
    keys = people(srv, 'pat')
    community(srv, 'circle', 'platform', [('pat', 'member')])
    p = srv.session(keys['pat'])
    ok(p.call('member.accept_coc'))
    tid = ok(p.call('thread.create', slug='circle', title='Winter plans',
                    body='first'))['thread_id']
    ok(p.call('draft.save', key='reply:%d' % tid, body='half a reply kept'))
    p.close()
    t = plain(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Choose a number', timeout=15)
        t.keys('D', 'Enter')
        t.wait_for('1. a reply in "Winter plans": half a reply kept')
        t.keys('1', 'Enter')
        t.wait_for('Thread: Winter plans')
        t.keys('r', 'Enter')
        t.wait_for('half a reply kept', 'c to continue it')
    finally:
        t.kill()
