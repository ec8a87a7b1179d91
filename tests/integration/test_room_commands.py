"""A room's /commands are one table (client/room-command.c) for the room
screen and the line mode: commands each front end once had alone work in
both. The real OpenSSH client in tmux, a real hearthd; protocol sessions
stand in for the other people."""
from harness import Server, Tmux
from fixtures import (drain, join_from_home, ok, room_circle, said, tui, wait_gone,
                      wait_until)


def plain(srv, key, user):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 50)
    t.wait_for('Main menu', timeout=15)
    return t


def test_plain_room_commands_from_the_screen():
    """The line mode: /people, /hand that lowers too, /topic and /close
    that ask, "Whom?", /answer HANDLE."""
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Line commands',
                    record='transcript'))['room']['room_id']
    al = srv.session(keys['alice'])
    ok(al.call('room.join', room_id=rid))
    ok(al.call('room.say', room_id=rid, text='said from the line mode'))
    t = plain(srv, keys['host'], 'host')
    try:
        t.keys('7', 'Enter')
        t.wait_for('1. Line commands (room %d' % rid)
        t.keys('1', 'Enter')
        t.wait_for('/leave leaves')
        t.keys('/help', 'Enter')
        s = t.wait_for('"//text" says a line beginning with /.')
        assert '/answer [HANDLE|ID]' in s and 'Hosts:' in s and '/lower' in s, s
        t.keys('/people', 'Enter')
        s = t.wait_for('Here (2):')
        assert 'Alice Able (@alice)' in s, s
        # /hand raises, then (the line mode follows our hand) lowers
        t.keys('/hand', 'Enter')
        t.wait_for('Hand raised: the hosts can see it.')
        t.wait_for('* You raised your hand.')
        t.keys('/hand', 'Enter')
        t.wait_for('Hand lowered.')
        # /topic without text asks for it
        t.keys('/topic', 'Enter')
        t.wait_for('New topic (now')
        t.keys('Budgets and bids', 'Enter')
        t.wait_for('Topic set.')
        wait_until(lambda: any(m.get('event') == 'room.state' and
                               m['data'].get('topic') == 'Budgets and bids'
                               for m in drain(al, 0.3)), 10, 'the topic')
        t.keys('/mute', 'Enter')
        t.wait_for('Whom? /mute HANDLE')
        t.keys('/nosuch', 'Enter')
        t.wait_for('There is no command /nosuch')
        # a support request: /answer with the handle
        ok(al.call('room.support', room_id=rid, text='help please'))
        t.wait_for('* SUPPORT needed: Alice Able (@alice): help please')
        t.keys('/answer alice', 'Enter')
        t.wait_for('Answered: they have been told')
        wait_until(lambda: any(m.get('event') == 'room.support' and
                               m['data'].get('answered') for m in drain(al, 0.3)),
                   10, 'alice told')
        # /close asks first: n keeps the room, y closes it
        t.keys('/close', 'Enter')
        t.wait_for('Close the room for everyone? Its record is reviewed by the hosts')
        t.keys('n', 'Enter')
        t.keys('/close', 'Enter')
        wait_until(lambda: t.screen().count('Close the room for everyone?') == 2,
                   10, 'the second question')
        assert srv.query('SELECT closed_at IS NULL FROM rooms WHERE id = ?', rid) == [(1,)]
        t.keys('y', 'Enter')
        t.wait_for('* The room has closed. Its record is posted once the hosts')
        t.wait_for('Choose a number')
        # the review, from the main menu: the lines, one reworded, publish
        t.keys('11', 'Enter')
        t.wait_for('Room records waiting for your review:')
        t.wait_for('1. Line commands (transcript)')
        t.keys('1', 'Enter')
        screen = t.wait_for('d N drops or keeps line N')
        line = [l for l in screen.splitlines() if 'said from the line mode' in l][0]
        n = line.strip().split('.')[0]
        t.keys('e ' + n, 'Enter')
        t.wait_for('The line as the record should keep it')
        t.keys('reworded by the host', 'Enter', '.', 'Enter')
        t.wait_for('Reworded.')
        t.wait_for('reworded by the host (edited)')
        t.keys('p', 'Enter')
        t.wait_for('Publish it to the community now? y/n')
        t.keys('y', 'Enter')
        t.wait_for('Published to the community.')
    finally:
        t.kill()
    assert srv.query('SELECT closed_at IS NOT NULL FROM rooms WHERE id = ?', rid) == [(1,)]
    tid = srv.query('SELECT thread_id FROM rooms WHERE id = ?', rid)[0][0]
    body = ' '.join(b for (b,) in srv.query('SELECT body FROM posts WHERE thread_id = ?', tid))
    assert 'reworded by the host' in body and 'said from the line mode' not in body


def test_tui_room_commands_from_the_line_mode():
    """The room screen: /lower, /multi, /answer ID, /people, /close with
    the summary written after it; then /again and /quit for a member."""
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Screen commands',
                    record='summary'))['room']['room_id']
    al = srv.session(keys['alice'])
    ok(al.call('room.join', room_id=rid))
    t = tui(srv, keys['host'], 'host', width=110)
    try:
        join_from_home(t, 'Screen commands')
        t.wait_for('Here (2)')
        t.keys('/hand', 'Enter')
        t.wait_for('your hand is up')
        t.keys('/lower', 'Enter')
        wait_gone(t, 'your hand is up')
        # /multi: Enter is a new line, Ctrl-S sends both as one message
        t.keys('/multi', 'Enter')
        t.wait_for('Ctrl-S:send')
        t.keys('line one', 'Enter', 'line two', 'C-s')
        wait_until(lambda: 'line one\nline two' in said(al, 0.3), 10, 'two lines')
        # /answer with the number the line mode shows
        sid = ok(al.call('room.support', room_id=rid, text='stuck'))['support_id']
        t.wait_for('SUPPORT needed: Alice Able (@alice): stuck')
        t.keys('/answer %d' % sid, 'Enter')
        wait_gone(t, 'SUPPORT needed')
        # /people hides the list, and again shows it
        t.keys('/people', 'Enter')
        wait_gone(t, 'Here (2)')
        t.keys('/people', 'Enter')
        t.wait_for('Here (2)')
        # a summary room: the summary after /close closes it at once
        t.keys('/close We covered budgets.', 'Enter')
        t.wait_for('The room has closed')
    finally:
        t.kill()
    assert srv.query('SELECT summary FROM rooms WHERE id = ?', rid) == \
        [('We covered budgets.',)]

    rid = ok(h.call('room.open', community='cop', title='Again room',
                    record='off'))['room']['room_id']
    a = tui(srv, keys['alice'], 'alice')
    try:
        join_from_home(a, 'Again room')
        ok(h.call('room.mute', room_id=rid, handle='alice'))
        a.wait_for('you are MUTED')
        a.keys('muted words', 'Enter')
        a.wait_for('Not sent:')
        ok(h.call('room.mute', room_id=rid, handle='alice', muted=False))
        wait_gone(a, 'you are MUTED')
        a.keys('/again', 'Enter')
        wait_until(lambda: 'muted words' in said(h, 0.3), 10, 'the resent line')
        a.keys('/quit', 'Enter')
        a.wait_for('Open rooms', timeout=10)
    finally:
        a.kill()
