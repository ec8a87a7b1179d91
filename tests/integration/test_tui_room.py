"""The room screen, end to end: members in tmux run the real OpenSSH client
(`ssh -tt`) into a real hearthd, join a room from Home and talk; hosts use
the controls; protocol sessions stand in for the other people."""
import subprocess
import time

from fixtures import (community, drain, join_from_home, ok, people, room_circle, said,
                      settle, tui, wait_gone, wait_until)
from harness import Server, Tmux


def test_tui_room_two_members_talk():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Thursday drop-in',
                    record='transcript', topic='Grant writing'))['room']['room_id']
    a = tui(srv, keys['alice'], 'alice')
    b = tui(srv, keys['bob'], 'bob')
    try:
        screen = join_from_home(a, 'Thursday drop-in')
        assert 'Record: transcript' in screen, screen
        assert 'Thursday drop-in — Grant writing' in screen, screen
        join_from_home(b, 'Thursday drop-in')
        # both see each other (and the host) in the presence list
        sa = a.wait_for('Bob Baker')
        sb = b.wait_for('Alice Able')
        assert 'Hana Host' in sa and 'host' in sa
        line = [l for l in b.screen().splitlines() if 'Bob Baker' in l][0]
        assert line.rstrip().endswith('you'), line
        # messages typed in one appear in the other, in order
        a.keys('hello from alice', 'Enter')
        b.wait_for('Alice Able: hello from alice')
        b.keys('hi alice, bob here', 'Enter')
        a.wait_for('Bob Baker: hi alice, bob here')
        a.keys('second from alice', 'Enter')
        screen = b.wait_for('second from alice')
        lines = screen.splitlines()
        i1 = [i for i, l in enumerate(lines) if 'hello from alice' in l][0]
        i2 = [i for i, l in enumerate(lines) if 'hi alice, bob here' in l][0]
        i3 = [i for i, l in enumerate(lines) if 'second from alice' in l][0]
        assert i1 < i2 < i3, screen
        # the protocol side agrees: one message each, in order
        got = [m['data']['text'] for m in settle(h) if m.get('event') == 'room.message']
        assert got == ['hello from alice', 'hi alice, bob here', 'second from alice'], got
        # a multi-line paste goes as one message
        subprocess.run(['tmux', '-S', a.sock, 'set-buffer', 'line one\nline two\n'],
                       check=True)
        subprocess.run(['tmux', '-S', a.sock, 'paste-buffer', '-t', a.name], check=True)
        b.wait_for('line two')
        got = [m['data']['text'] for m in settle(h) if m.get('event') == 'room.message']
        assert got == ['line one\nline two'], got
        # Alt-Enter makes a new line in the same message
        a.keys('first half', 'M-Enter', 'second half')
        a.wait_for('second half')
        a.keys('Enter')
        b.wait_for('second half')
        got = [m['data']['text'] for m in settle(h) if m.get('event') == 'room.message']
        assert got == ['first half\nsecond half'], got
        # scrolled up, new messages are counted, not lost
        for i in range(8):
            ok(h.call('room.say', room_id=rid, text='filler %d' % i))
        a.wait_for('filler 7')
        a.keys('PPage')
        a.wait_for('more below')
        ok(h.call('room.say', room_id=rid, text='arrived while scrolled'))
        a.wait_for('1 new message below')
        assert 'arrived while scrolled' not in a.screen()
        a.keys('NPage', 'NPage', 'NPage')
        a.wait_for('arrived while scrolled')
        wait_gone(a, 'below · PgDn')
        # Bob leaves (Esc, y): Alice sees him go
        b.keys('Escape')
        b.wait_for('Leave the room? y/n')
        b.keys('y')
        b.wait_for('Open rooms')
        a.wait_for('Bob Baker left.')
        # narrow, the people list gives way to the messages; wide, it is back
        subprocess.run(['tmux', '-S', a.sock, 'resize-window', '-t', a.name, '-x', '60',
                        '-y', '20'], check=True)
        wait_gone(a, 'Here (')
        a.wait_for('Record: transcript')
        subprocess.run(['tmux', '-S', a.sock, 'resize-window', '-t', a.name, '-x', '120',
                        '-y', '30'], check=True)
        screen = a.wait_for('Here (2)')
        assert max(len(l.rstrip()) for l in screen.splitlines()) > 100, screen
    finally:
        a.kill()
        b.kill()


def test_tui_room_refusals_keep_the_text():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Quiet room',
                    record='off'))['room']['room_id']
    a = tui(srv, keys['alice'], 'alice')
    try:
        screen = join_from_home(a, 'Quiet room')
        assert 'Record: off — nothing kept' in screen, screen
        ok(h.call('room.mute', room_id=rid, handle='alice'))
        a.wait_for('you are MUTED')
        a.keys('Hi, first time here!', 'Enter')
        screen = a.wait_for('Not sent')
        line = [l for l in screen.splitlines() if l.startswith(' Say')][0]
        assert 'Hi, first time here!' in line, screen
        # typing something new replaces the refused text (Ctrl-Z brings it back)
        a.keys('/foo bar')
        screen = a.wait_for('/foo bar')
        line = [l for l in screen.splitlines() if l.startswith(' Say')][0]
        assert 'first time' not in line, screen
        a.keys('C-z')
        a.wait_for('Hi, first time here!')
        a.keys('C-u')
        a.keys('my careful words', 'Enter')
        # the first refusal's words are still on the screen: wait for the
        # server to refuse this one too, then for the text to come back
        wait_until(lambda: open(srv.logpath).read().count('room.say failed') >= 2, 10,
                   'the second refusal')

        def back():
            screen = a.screen()
            line = [l for l in screen.splitlines() if l.startswith(' Say')][0]
            return screen if 'Not sent' in screen and 'my careful words' in line else None
        # the text is still in the input line, nothing reached the room
        screen = wait_until(back, 10, lambda: 'the text back:\n' + a.screen())
        assert 'muted you' in screen, screen
        assert said(h) == []
        # unmuted: Enter sends the same text
        ok(h.call('room.mute', room_id=rid, handle='alice', muted=False))
        wait_gone(a, 'you are MUTED')
        a.keys('Enter')
        wait_until(lambda: 'my careful words' in said(h, 0.3), 10, 'the message')
        # paused: conflict, also kept; the header says PAUSED
        ok(h.call('room.pause', room_id=rid))
        a.wait_for('PAUSED')
        a.keys('while paused', 'Enter')
        a.wait_for('paused the room; your message was not sent', 'Say: while paused')
        ok(h.call('room.pause', room_id=rid, paused=False))
        wait_gone(a, 'PAUSED')
        # too fast: the refused messages come back to the input, in order
        a.keys('C-u')
        burst = []
        for i in range(14):
            burst += ['m%02d' % i, 'C-s']
        a.keys(*burst)
        screen = a.wait_for('sending messages too fast')
        sent = wait_until(lambda: said(h, 0.5), 10, 'the burst')
        assert 10 <= len(sent) < 14, sent
        lines = screen.splitlines()
        at = [i for i, l in enumerate(lines) if l.startswith(' Say:')][0]
        back = [lines[at][len(' Say: '):].strip()] + [l.strip() for l in lines[at + 1:-1]]
        back = [x for x in back if x]
        assert sent + back == ['m%02d' % i for i in range(14)], (sent, back, screen)
        a.keys('C-u', 'C-u', 'C-u', 'C-u')
        # I need support: F4, a few words, Enter; the host answers
        a.keys('C-u', 'F4')
        a.wait_for('I need support:')
        a.keys('feeling unsafe', 'Enter')
        a.wait_for('The hosts have been told')
        m = wait_until(lambda: [x for x in drain(h, 0.3) if x.get('event') == 'room.support'],
                       10, 'the alert')[0]['data']
        assert m['handle'] == 'alice' and m['text'] == 'feeling unsafe', m
        ok(h.call('room.support_answer', room_id=rid, support_id=m['support_id']))
        a.wait_for('answered by @host')
        # removed with a reason: said plainly
        ok(h.call('room.remove', room_id=rid, handle='alice', reason='testing removal'))
        a.wait_for('A host removed you from this room: testing removal')
        # the input line goes with the same redraw, or the next one
        wait_until(lambda: 'Say:' not in a.screen(), 10, 'the input line gone')
    finally:
        a.kill()


def test_tui_room_host_consult_and_close():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='CV surgery', record='transcript',
                    surgery=True))['room']['room_id']
    al = srv.session(keys['alice'])
    ok(al.call('room.join', room_id=rid))
    ca = srv.session(keys['carol'])
    ok(ca.call('room.join', room_id=rid))
    ok(al.call('room.queue_join', room_id=rid, topic='my CV'))
    t = tui(srv, keys['host'], 'host')
    try:
        screen = join_from_home(t, 'CV surgery')
        assert 'you are hosting' in screen, screen
        screen = t.wait_for('Queue (1)')
        assert '1. Alice Able' in screen and '   @alice: my CV' in screen, screen
        # a support alert shows prominently to the host; F8 answers it
        ok(al.call('room.support', room_id=rid, text='please help'))
        t.wait_for('SUPPORT needed: Alice Able (@alice): please help')
        t.keys('F8')
        wait_gone(t, 'SUPPORT needed')
        assert any(m.get('event') == 'room.support' and m['data'].get('answered')
                   for m in drain(al, 1)), 'alice not told'
        # take Alice from the queue into a private consult, with the panel
        t.keys('Tab', 'Tab', 'p')
        t.wait_for('PRIVATE consult with Alice Able', 'record: off',
                   'Record: off, nothing kept')
        t.wait_for('Private to Alice Able:')
        t.keys('just between us', 'Enter')
        got = wait_until(lambda: [m['data'] for m in drain(al, 0.3)
                                  if m.get('event') == 'room.message' and
                                  not m['data'].get('system')], 10, 'the private line')
        assert got[0]['text'] == 'just between us' and got[0]['private'], got
        ok(al.call('room.say', room_id=rid, text='secret reply'))
        t.wait_for('[private] Alice Able: secret reply')
        # Carol, in the room, saw nothing of it
        seen = settle(ca)
        assert not any('between us' in str(m) or 'secret reply' in str(m) or
                       m.get('event') == 'room.consult' for m in seen), seen
        t.keys('C-x')
        t.wait_for('consult with Alice Able has ended')
        t.keys('back in public', 'Enter')
        wait_until(lambda: 'back in public' in said(ca, 0.3), 10, 'public message')
        # /handover asks first; n keeps hosting and nothing lands in the input
        t.keys('/handover carol', 'Enter')
        t.wait_for('Hand hosting to @carol? y/n')
        t.keys('n')
        wait_gone(t, 'Hand hosting to @carol? y/n')
        screen = t.wait_for('Say:')
        line = [l for l in screen.splitlines() if l.startswith(' Say:')][0]
        assert line.strip() == 'Say:', screen
        assert 'you are hosting' in screen, screen
        # multi-line mode says its real keys
        t.keys('C-e')
        t.wait_for('Ctrl-S:send')
        t.keys('C-e')
        # close: it asks (question and y/n whole), then says so
        t.keys('/close', 'Enter')
        screen = t.wait_for('Close the room for everyone? y/n')
        assert 'Its record is reviewed by the hosts, then posted' in screen, screen
        t.keys('y')
        screen = t.wait_for('The room has closed')
        assert 'waits for your review' in screen, screen
        head = screen.splitlines()[1]
        assert 'closed' in head and 'here' not in head, screen
        assert 'you are hosting' not in screen, screen
        # the review: the kept lines, one dropped, then published
        t.keys('Enter')
        screen = t.wait_for('Record of “CV surgery” (transcript)', timeout=10)
        assert 'hosts and managers only' in screen and 'back in public' in screen, screen
        t.keys('G', 'd')
        t.wait_for('[dropped] Hana Host: back in public')
        t.keys('d')
        wait_gone(t, '[dropped]')
        t.keys('P')
        t.wait_for('Publish it to the community now? y/n')
        t.keys('y')
        t.wait_for('Published: it is a thread of the community now.')
        tid = srv.query('SELECT thread_id FROM rooms WHERE id = ?', rid)[0][0]
        assert tid is not None
        assert 'back in public' in ' '.join(b for (b,) in srv.query(
            'SELECT body FROM posts WHERE thread_id = ?', tid))
    finally:
        t.kill()
    assert srv.query("SELECT count(*) FROM room_messages WHERE body LIKE '%between us%'") \
        == [(0,)]


def test_tui_room_member_queue_and_summary_close_narrow():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Clinic', record='summary',
                    surgery=True))['room']['room_id']
    ca = srv.session(keys['carol'])
    ok(ca.call('room.join', room_id=rid))
    ok(ca.call('room.queue_join', room_id=rid, topic='first'))
    a = tui(srv, keys['alice'], 'alice', width=60, height=20)
    ht = tui(srv, keys['host'], 'host')
    try:
        screen = join_from_home(a, 'Clinic')
        assert 'Record: summary only' in screen, screen
        assert 'Here (' not in screen          # too narrow: the list is hidden
        a.keys('F2')
        a.wait_for('Here (3)')
        a.keys('F2')
        wait_gone(a, 'Here (3)')
        # narrow, a question still shows whole with its y/n
        a.keys('Escape')
        a.wait_for('Leave the room? y/n')
        a.keys('n')
        a.keys('/queue help with my budget', 'Enter')
        a.wait_for('you are 2nd of 2')
        ok(h.call('room.queue_take', room_id=rid))      # Carol, in public
        a.wait_for('you are 1st of 1')
        a.wait_for('is now helping Carol Cole')
        # the host closes from the TUI: this room keeps only a summary
        join_from_home(ht, 'Clinic')
        ht.keys('/close', 'Enter')
        ht.wait_for('Summary:')
        ht.wait_for('Ctrl-S:close the room')
        ht.keys('We covered budgets.', 'Enter', 'Next time: CVs.', 'C-s')
        ht.wait_for('The room has closed')
        a.wait_for('The room has closed')
    finally:
        a.kill()
        ht.kill()
    rows = srv.query('SELECT summary, thread_id IS NOT NULL FROM rooms WHERE id = ?', rid)
    assert rows == [('We covered budgets.\nNext time: CVs.', 1)], rows


def test_plain_mode_room():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Line room',
                    record='chatham'))['room']['room_id']
    ok(h.call('room.say', room_id=rid, text='said before'))
    cmd = srv.ssh_base(keys['alice'], 'alice') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd))
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('7', 'Enter')
        t.wait_for('1. Line room (room %d' % rid)
        t.keys('1', 'Enter')
        screen = t.wait_for('/leave leaves')
        assert 'Record: Chatham House Rule — kept without names' in screen, screen
        assert '(name not kept): said before' in screen, screen
        t.keys('hello in plain', 'Enter')
        wait_until(lambda: 'hello in plain' in said(h, 0.3), 10, 'the line')
        ok(h.call('room.say', room_id=rid, text='host answers'))
        t.wait_for('Hana Host: host answers')
        ok(h.call('room.mute', room_id=rid, handle='alice'))
        t.wait_for('You were muted by a host')
        t.keys('muted words', 'Enter')
        t.wait_for('"/again" sends it again')
        ok(h.call('room.mute', room_id=rid, handle='alice', muted=False))
        t.keys('/again', 'Enter')
        wait_until(lambda: 'muted words' in said(h, 0.3), 10, 'the resent line')
        t.keys('/leave', 'Enter')
        t.wait_for('You left the room.')
        t.wait_for('Choose a number')
    finally:
        t.kill()


def panel_rows(t):
    """The names in the people panel, top to bottom."""
    rows = [l.split('│')[1].strip() for l in t.screen().splitlines() if '│' in l]
    return [r for r in rows if r and not r.startswith('Here') and not r.startswith('Queue')]


def bob_row(t):
    return [l for l in t.screen().splitlines() if 'Bob Baker' in l and '│' in l][0]


def test_tui_room_host_panel_controls():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Panel room',
                    record='transcript'))['room']['room_id']
    bo = srv.session(keys['bob'])
    ok(bo.call('room.join', room_id=rid))
    ca = srv.session(keys['carol'])
    ok(ca.call('room.join', room_id=rid))
    t = tui(srv, keys['host'], 'host', width=100, height=30)
    try:
        join_from_home(t, 'Panel room')
        t.wait_for('Carol Cole')
        t.keys('/topic Budgets and bids', 'Enter')
        t.wait_for('Panel room — Budgets and bids')
        t.keys('/pause', 'Enter')
        t.wait_for('PAUSED')
        t.keys('/resume', 'Enter')
        wait_gone(t, 'PAUSED')
        # the people list: pick Bob, mute him, then remove him with a reason
        t.keys('Tab')                   # keys go in order: no need to wait
        i = [k for k, r in enumerate(panel_rows(t)) if r.startswith('Bob Baker')][0]
        t.keys(*(['Down'] * i + ['m']))
        wait_until(lambda: 'muted' in bob_row(t), 10, 'bob muted')
        t.keys('r')
        t.wait_for('Remove @bob, because:')
        t.keys('off topic', 'Enter')
        t.wait_for('Bob Baker left.')
        st = [m['data'] for m in drain(bo, 0.3) if m.get('event') == 'room.state']
        assert st and st[-1].get('removed') and st[-1]['reason'] == 'off topic', st
        # share hosting with Carol from the list
        t.keys('Tab')
        i = [k for k, r in enumerate(panel_rows(t)) if r.startswith('Carol Cole')][0]
        t.keys(*(['Up'] * 5 + ['Down'] * i + ['s']))
        t.wait_for('Carol Cole is now hosting.')
        line = [l for l in t.screen().splitlines() if 'Carol Cole' in l and '│' in l][0]
        assert 'host' in line.split('│')[1], line
    finally:
        t.kill()


def test_tui_room_opened_from_event_takes_its_queue():
    import datetime
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    start = (datetime.datetime.utcnow() + datetime.timedelta(hours=2)).strftime(
        '%Y-%m-%dT%H:%M:00Z')
    ev = ok(h.call('event.create', community='cop', title='Grant surgery', kind='surgery',
                   starts_at=start))['event']
    al = srv.session(keys['alice'])
    ok(al.call('event.queue', id=ev['id'], topic='budget lines'))
    t = tui(srv, keys['host'], 'host')
    try:
        t.wait_for('Welcome, Hana Host', timeout=15)
        t.keys('E')      # (Home lists the event too: wait for the programme)
        t.wait_for('Upcoming events  (times UTC)', 'Grant surgery')
        t.keys('Enter')
        t.wait_for('O:open room')
        t.keys('O')
        t.wait_for('Enter:open with this record mode')
        t.keys('Down', 'Enter')                    # transcript
        screen = t.wait_for('you are hosting')
        assert 'Record: transcript' in screen and 'Grant surgery' in screen, screen
        screen = t.wait_for('Queue (1)')
        assert '1. Alice Able' in screen and '@alice: budget' in screen, screen
        assert 'away' in screen                     # queued, not here yet
        rid = ok(al.call('room.list'))['rooms'][0]['room_id']
        ok(al.call('room.join', room_id=rid))
        wait_gone(t, 'away')
        t.keys('/take', 'Enter')                   # the first, in public
        t.wait_for('is now helping Alice')
        wait_gone(t, '1. Alice Able')
    finally:
        t.kill()


def open_community(t, name):
    """From Home: Enter on the (first) community."""
    t.wait_for(name, timeout=15)
    t.keys('Enter')
    return t.wait_for('Threads')


def test_tui_room_adhoc_from_community():
    srv = Server()
    keys = room_circle(srv, names=True)
    hst = tui(srv, keys['host'], 'host')
    b = tui(srv, keys['bob'], 'bob')
    try:
        open_community(hst, 'COP')
        screen = hst.wait_for('O:open a room')
        hst.keys('O')
        screen = hst.wait_for('Open a room')
        hst.keys('Coffee break', 'Tab')
        screen = hst.wait_for('off: nothing is kept; latecomers see no history')
        hst.keys('Space')
        hst.wait_for('transcript: messages kept with names')
        hst.keys('C-s')
        screen = hst.wait_for('Say:')
        assert 'Coffee break' in screen and 'Record: transcript' in screen, screen
        assert 'you are hosting' in screen, screen
        # Bob sees it on the community's Rooms tab and joins from there
        open_community(b, 'COP')
        b.wait_for('5 Rooms (1')
        b.keys('5')
        b.wait_for('● Coffee break')
        b.keys('Enter')
        b.wait_for('Say:')
        hst.wait_for('Bob Baker joined.')
        b.keys('hello from the community screen', 'Enter')
        hst.wait_for('Bob Baker: hello from the community screen')
        hst.keys('welcome bob', 'Enter')
        b.wait_for('Hana Host: welcome bob')
        # a member who may not open rooms is told why, by the server
        b.keys('Escape')
        b.wait_for('Leave the room? y/n')
        b.keys('y')
        b.wait_for('5 Rooms (1')
        b.keys('O')
        b.wait_for('Open a room')
        b.keys('Not allowed', 'C-s')
        b.wait_for('Only leaders and managers of')
    finally:
        hst.kill()
        b.kill()


def test_tui_notifications_open_rooms_and_events():
    from fixtures import iso
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    long_title = 'Monthly drop-in for everyone who writes grant applications and reports'
    ev = ok(h.call('event.create', community='cop', title=long_title,
                   starts_at=iso(3 * 86400)))['event']
    a = srv.session(keys['alice'])
    ok(a.call('event.rsvp', id=ev['id'], status='going'))
    a.close()
    # the event moves: alice is told; then its room opens: told again
    ok(h.call('event.update', id=ev['id'], starts_at=iso(4 * 86400)))
    rid = ok(h.call('room.open', event_id=ev['id'], record='off'))['room']['room_id']
    t = tui(srv, keys['alice'], 'alice')
    try:
        t.wait_for('COP', timeout=15)
        t.keys('n')
        screen = t.wait_for('in full')
        # the newest (the room) is selected; its whole text is readable
        assert 'is open: join it now.' in screen, screen
        t.keys('Enter')
        screen = t.wait_for('Say:')
        assert long_title[:40] in screen, screen
        t.keys('/leave', 'Enter')
        t.wait_for('in full')
        t.keys('j', 'Enter')             # the move: opens the event
        screen = t.wait_for('hosted by')
        assert 'When:' in screen and 'o to join' in screen, screen
        assert rid
    finally:
        t.kill()


def test_tui_room_listener_only():
    """Someone who is not a member of a platform community's room may listen;
    the server says so with you.can_say = false, and the screen shows it."""
    srv = Server()
    keys = people(srv, ('host', 'member'), ('dave', 'member'))
    community(srv, 'pub', 'platform', [('host', 'leader')])
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='pub', title='Open house',
                    record='off'))['room']['room_id']
    d = srv.session(keys['dave'])
    you = ok(d.call('room.join', room_id=rid))['you']
    ok(d.call('room.leave', room_id=rid))
    d.close()
    t = tui(srv, keys['dave'], 'dave')
    assert you['can_say'] is False
    try:
        t.wait_for('Open rooms', timeout=15)
        t.keys('g', 'Enter')     # Open rooms sit at the top of Home
        t.wait_for('listening only — join PUB to speak')
        # the bottom line, drawn after the header: a capture may fall between
        screen = t.wait_for('Listening only:')
        assert 'Say:' not in screen, screen
        t.keys('hello')
        t.wait_for('You are listening only: join PUB to speak')
        screen = t.wait_for('Listening only:')
        line = [l for l in screen.splitlines() if l.startswith(' Listening only:')][0]
        assert 'hello' not in line, screen
        t.keys('/leave', 'Enter')
        t.wait_for('Open rooms')
    finally:
        t.kill()


def test_tui_staff_answer_a_support_call_from_the_notification():
    """No host answers a support call: staff are told, open the notification
    (it names the room), find the call waiting there, and answer it."""
    srv = Server(config={'support_escalate': 1})
    keys = room_circle(srv, names=True, extra=(('sam', 'staff'),))
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Quiet drop-in',
                    record='off'))['room']['room_id']
    a = srv.session(keys['alice'])
    ok(a.call('room.join', room_id=rid))
    ok(a.call('room.support', room_id=rid, text='I am struggling'))
    wait_until(lambda: srv.query("SELECT count(*) FROM notifications WHERE kind = 'support'")
               [0][0] > 0, 15, 'the call to go to staff')
    t = tui(srv, keys['sam'], 'sam', width=100, height=30)
    try:
        t.wait_for('Hearth', timeout=15)
        t.keys('n')
        screen = t.wait_for('in full')
        assert 'needs support' in screen, screen
        t.keys('Enter')
        screen = t.wait_for('SUPPORT needed', timeout=10)
        assert 'Alice Able (@alice): I am struggling' in screen, screen
        t.keys('F8')
        m = None
        deadline = time.time() + 10
        while time.time() < deadline and m is None:
            for e in drain(a, 0.3):
                if e.get('event') == 'room.support' and e['data'].get('answered'):
                    m = e
        assert m is not None and m['data']['by'] == 'sam', 'alice was not answered'
        assert 'Staff' in m['data']['text']
    finally:
        t.kill()


def test_tui_kept_consult_readable_by_the_two_only():
    """A consult a host kept is on each of the two members' Home (K) to
    read later; a third member finds none."""
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='CV surgery', record='off',
                    surgery=True))['room']['room_id']
    a, b = srv.session(keys['alice']), srv.session(keys['bob'])
    ok(a.call('room.join', room_id=rid))
    ok(b.call('room.join', room_id=rid))
    ok(a.call('room.queue_join', room_id=rid, topic='my CV'))
    ok(h.call('room.queue_take', room_id=rid, private=True, record='transcript'))
    ok(a.call('room.say', room_id=rid, text='my CV is four pages'))
    ok(h.call('room.say', room_id=rid, text='cut it to two'))
    ok(h.call('room.consult_end', room_id=rid))
    ok(h.call('room.close', room_id=rid))
    t = tui(srv, keys['alice'], 'alice', width=100, height=30)
    try:
        t.wait_for('Private consults kept for you', timeout=15)
        t.keys('K')
        screen = t.wait_for('With Hana Host (@host)')
        assert 'CV surgery' in screen, screen
        t.keys('Enter')
        screen = t.wait_for('cut it to two')
        assert 'my CV is four pages' in screen and 'Nobody else can read' in screen, screen
    finally:
        t.kill()
    t = tui(srv, keys['bob'], 'bob')
    try:
        t.wait_for('Private consults kept for you', timeout=15)
        t.keys('K')
        t.wait_for('None kept')
    finally:
        t.kill()


def test_tui_last_host_is_asked_before_leaving_and_told_what_follows():
    srv = Server(config={'room_idle_close': 30})
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Last host', record='off'))['room']['room_id']
    h.close()
    al = srv.session(keys['alice'])
    ok(al.call('room.join', room_id=rid))
    t = tui(srv, keys['host'], 'host')
    try:
        join_from_home(t, 'Last host')
        t.wait_for('you are hosting')
        t.keys('/leave', 'Enter')
        screen = t.wait_for('Leave the room? y/n')
        assert 'Last host: it closes by itself after 30 min without one' in screen, screen
        t.keys('n')
        wait_gone(t, 'Leave the room? y/n')
        assert 'you are hosting' in t.screen()
        t.keys('/leave', 'Enter')
        t.wait_for('Leave the room? y/n')
        t.keys('y')
        m = wait_until(lambda: [x['data']['text'] for x in drain(al, 0.3)
                                if x.get('event') == 'room.message' and
                                'closes by itself' in x['data']['text']], 10, 'the room told')
        assert 'No host is in the room now' in m[0], m
    finally:
        t.kill()


def test_tui_home_follows_rooms_opened_and_closed_elsewhere():
    """A member sitting on Home sees a room appear when a host opens it
    from another front end, and go when it closes, without pressing a key."""
    srv = Server()
    keys = room_circle(srv, names=True)
    a = tui(srv, keys['alice'], 'alice')
    try:
        screen = a.wait_for('Welcome', timeout=15)
        assert 'Friday surgery' not in screen
        h = srv.session(keys['host'])
        rid = ok(h.call('room.open', community='cop', title='Friday surgery',
                        record='off'))['room']['room_id']
        a.wait_for('Friday surgery')
        ok(h.call('room.close', room_id=rid))
        wait_gone(a, 'Friday surgery')
    finally:
        a.kill()


def test_tui_enter_at_login_joins_an_events_open_room():
    """Home selects the open room at login; the event's own row below
    (which names the same room) is not what Enter opens."""
    import datetime
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    start = (datetime.datetime.utcnow() + datetime.timedelta(hours=2)).strftime(
        '%Y-%m-%dT%H:%M:00Z')
    ev = ok(h.call('event.create', community='cop', title='Grant surgery', kind='surgery',
                   starts_at=start))['event']
    ok(h.call('room.open', event_id=ev['id'], record='off'))
    t = tui(srv, keys['alice'], 'alice')
    try:
        t.wait_for('Open rooms', 'Upcoming events', timeout=15)
        t.keys('Enter')
        t.wait_for('Say:', 'You are in')
    finally:
        t.kill()


def drop_in():
    """A drop-in (records nothing) opened by host in cop: (srv, keys, the
    host's session, room id)."""
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Drop-in',
                    record='off'))['room']['room_id']
    return srv, keys, h, rid


def test_tui_a_refusal_goes_once_the_mute_or_pause_is_lifted():
    srv, keys, h, rid = drop_in()
    t = tui(srv, keys['alice'], 'alice', width=120)
    try:
        join_from_home(t, 'Drop-in')
        ok(h.call('room.mute', room_id=rid, handle='alice', muted=True))
        t.wait_for('A host muted you')
        t.keys('-l', 'can you hear me')
        t.keys('Enter')
        t.wait_for('Not sent: A host has muted you')
        ok(h.call('room.mute', room_id=rid, handle='alice', muted=False))
        t.wait_for('A host unmuted you')
        wait_gone(t, 'your message was not sent')
        ok(h.call('room.pause', room_id=rid, paused=True))
        t.wait_for('A host paused the room')
        t.keys('Enter')   # the kept text again
        t.wait_for('A host has paused the room; your message was not sent')
        ok(h.call('room.pause', room_id=rid, paused=False))
        t.wait_for('The room has resumed')
        wait_gone(t, 'your message was not sent')
    finally:
        t.kill()


def test_tui_slash_on_the_people_list_starts_a_command():
    srv, keys, h, rid = drop_in()
    t = tui(srv, keys['alice'], 'alice', width=120)
    try:
        join_from_home(t, 'Drop-in')
        t.keys('Tab')
        t.wait_for('Here (2)')
        t.keys('/')
        t.keys('-l', 'hand')
        t.wait_for('Say: /hand')
        assert 'Search:' not in t.screen()
        t.keys('Enter')
        wait_until(lambda: any(e.get('event') == 'room.presence' and
                               e['data'].get('hand_up') == 'alice'
                               for e in drain(h)), 15, 'the hand raised')
        # words already typed: / only goes back to them, adds nothing
        t.keys('-l', 'I cannot cope')
        t.wait_for('Say: I cannot cope')
        t.keys('Tab')
        t.wait_for('Here (2)')
        t.keys('/')
        t.keys('-l', 'support')
        t.wait_for('Say: I cannot copesupport')
        assert 'cope/support' not in t.screen()
    finally:
        t.kill()


def test_tui_a_drop_in_shows_its_host_no_queue():
    srv, keys, h, rid = drop_in()
    ok(h.call('room.leave', room_id=rid))
    t = tui(srv, keys['host'], 'host', width=120)
    try:
        join_from_home(t, 'Drop-in')
        screen = t.wait_for('Here (1)', 'you are hosting')
        assert 'Queue (' not in screen, screen
        t.keys('Tab')
        screen = t.wait_for('Tab/Esc:typing')
        assert 'Tab:queue' not in screen, screen
    finally:
        t.kill()


def test_tui_queue_in_a_drop_in_says_so_before_asking_what_for():
    srv, keys, h, rid = drop_in()
    t = tui(srv, keys['alice'], 'alice', width=120)
    try:
        join_from_home(t, 'Drop-in')
        t.keys('-l', '/queue')
        t.keys('Enter')
        screen = t.wait_for('This room is not a surgery: it has no queue.')
        assert 'like help with (' not in screen, screen
    finally:
        t.kill()


def test_tui_joining_while_in_a_consult_is_not_told_the_host_is_away():
    """A member in a private consult who opens the room on another screen
    is not told that the host is "with someone privately": it is them."""
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Surgery', record='off',
                    surgery=True))['room']['room_id']
    al = srv.session(keys['alice'])
    ok(al.call('room.join', room_id=rid))
    ok(al.call('room.queue_join', room_id=rid, topic='my CV'))
    ok(h.call('room.queue_take', room_id=rid, private=True))
    bob = tui(srv, keys['bob'], 'bob', width=120)
    t = tui(srv, keys['alice'], 'alice', width=120)
    try:
        join_from_home(bob, 'Surgery')
        bob.wait_for('Hana Host, the host, is with someone privately')
        join_from_home(t, 'Surgery')
        screen = t.wait_for('You are in')
        assert 'with someone privately' not in screen, screen
    finally:
        t.kill()
        bob.kill()
