"""Small truths on screen (issue 14): Hearth's own posts name Hearth as
their author; everyone in a room sees when the host is in a private
consult; an answer to a repeating event says whether it is for the next
time or every time, and the member chooses (server, TUI, line mode); the
calendar feed's UIDs name the server, its DESCRIPTION is plain text and
each event says how to join. Real hearthd, real OpenSSH client; screens
through tmux."""
import datetime
import subprocess

from fixtures import (community, err, ev, join_from_home, ok, people, room_circle, settle,
                      tui, until, wait_db)
from harness import Server
from test_event import parse_ics
from test_zones import open_event, plain

UTC = datetime.timezone.utc


def at(days, hour=14):
    """A UTC time days ahead at hour:00: (datetime, ISO)."""
    t = (datetime.datetime.now(UTC) + datetime.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)
    return t, t.strftime('%Y-%m-%dT%H:%M:%SZ')


def test_hearths_own_posts_name_hearth():
    srv = Server()
    keys = people(srv, 'ann')
    community(srv, 'cop', 'platform', [('ann', 'member')], name='COP')
    s = srv.session(keys['ann'])
    tid = srv.query("SELECT welcome_thread_id FROM communities WHERE slug = 'cop'")[0][0]
    posts = ok(s.call('thread.get', thread_id=tid))['posts']
    assert posts[0]['author'] == {'handle': None, 'display_name': 'Hearth',
                                  'system': True}, posts[0]
    # a member's post still names the member
    ok(s.call('post.create', thread_id=tid, body='Thanks!'))
    posts = ok(s.call('thread.get', thread_id=tid))['posts']
    assert posts[-1]['author']['handle'] == 'ann' and 'system' not in posts[-1]['author']
    # the line mode: "Hearth", never "(@)"
    t = plain(srv, keys['ann'], 'ann')
    try:
        t.keys('1', 'Enter')
        t.wait_for('Number to open')
        t.keys('1', 'Enter')
        t.wait_for('Number to read')
        titles = [row for row in t.screen().splitlines() if 'Welcome and' in row]
        assert titles, t.screen()
        t.keys(titles[0].strip().split('.')[0], 'Enter')
        screen = t.wait_for('Thread: ', '1. Hearth, ')
        assert '(@)' not in screen and '@,' not in screen, screen
        assert '2. Ann (@ann), ' in screen, screen
    finally:
        t.kill()
    # the TUI: the welcome thread's first post is Hearth's
    t = tui(srv, keys['ann'], 'ann')
    try:
        t.wait_for('Welcome, ', timeout=15)
        t.keys('Enter')                      # the first community
        t.wait_for('Threads')
        t.keys('Enter')                      # the welcome thread, pinned first
        screen = t.wait_for('Hearth  ')
        assert '  @  ' not in screen and '@ ' not in screen.replace('@ann', ''), screen
    finally:
        t.kill()


def test_room_sees_the_host_in_a_private_consult():
    srv = Server()
    keys = room_circle(srv, names=True)
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Drop-in', record='off',
                    surgery=True))['room']['room_id']
    a, b = srv.session(keys['alice']), srv.session(keys['bob'])
    ok(a.call('room.join', room_id=rid))
    ok(b.call('room.join', room_id=rid))
    t = tui(srv, keys['carol'], 'carol')
    try:
        join_from_home(t, 'Drop-in')
        ok(a.call('room.queue_join', room_id=rid, topic='my CV'))
        ok(h.call('room.queue_take', room_id=rid, private=True))
        # bob and carol, not in it, are told; not who, not what about
        m = until(b, ev('room.message', system=True))
        assert m['data']['text'] == 'Hana Host, the host, is with someone privately; back soon.'
        screen = t.wait_for('Hana Host, the host, is with someone privately;', 'back soon.')
        assert 'my CV' not in screen, screen
        # who joins later sees it in the room's state, and on screen
        c = srv.session(keys['carol'])
        st = ok(c.call('room.join', room_id=rid))['room']
        assert [x['in_consult'] for x in st['hosts']] == [True], st
        d = tui(srv, keys['bob'], 'bob')
        try:
            join_from_home(d, 'Drop-in')
            d.wait_for('Hana Host, the host, is with someone privately;')
        finally:
            d.kill()
        lm = plain(srv, keys['carol'], 'carol')
        try:
            lm.keys('7', 'Enter')
            lm.wait_for('Drop-in')
            lm.keys('1', 'Enter')
            lm.wait_for('* Hana Host, the host, is with someone privately; back soon.')
        finally:
            lm.kill()
        ok(h.call('room.consult_end', room_id=rid))
        until(b, ev('room.message', text='Hana Host is back from a private consult.'))
        t.wait_for('Hana Host is back from a private')
        # a consult that ends because the host left is no "back"
        ok(a.call('room.queue_join', room_id=rid, topic='again'))
        ok(h.call('room.queue_take', room_id=rid, private=True))
        until(b, ev('room.message', system=True,
                    text='Hana Host, the host, is with someone privately; back soon.'))
        ok(h.call('room.leave', room_id=rid))
        until(a, ev('room.consult', active=False))
        seen = settle(b)
        assert not any('is back from' in str(m) for m in seen), seen
    finally:
        t.kill()


def test_repeating_answer_is_for_the_next_time_or_every_time():
    srv = Server()
    keys = people(srv, 'lead', 'mem')
    community(srv, 'cop', 'platform', [('lead', 'leader'), ('mem', 'member')])
    lead, mem = srv.session(keys['lead']), srv.session(keys['mem'])
    first, iso = at(2)
    eid = ok(lead.call('event.create', community='cop', title='Weekly clinic',
                       starts_at=iso, recurrence='weekly'))['event']['id']
    once = ok(lead.call('event.create', community='cop', title='One-off',
                        starts_at=at(3)[1]))['event']['id']
    # every time, unless one time is named
    r = ok(mem.call('event.rsvp', id=eid, status='going'))
    assert r['for'] == 'every' and r['event']['my_rsvp_for'] == 'every'
    second = (first + datetime.timedelta(days=7)).strftime('%Y-%m-%dT%H:%M:%SZ')
    r = ok(mem.call('event.rsvp', id=eid, status='going', occurrence=second))
    assert r['for'] == second and r['event']['my_rsvp_for'] == second, r
    assert srv.query('SELECT occurrence FROM event_rsvps WHERE event_id = ?', eid) == \
        [(int((first + datetime.timedelta(days=7)).timestamp()),)]
    # not a time it happens; a time that is over; a bad time
    err(mem.call('event.rsvp', id=eid, status='going',
                 occurrence=(first + datetime.timedelta(days=8)).strftime('%Y-%m-%dT%H:%M:%SZ')),
        'bad_request', 'does not happen then')
    err(mem.call('event.rsvp', id=eid, status='going',
                 occurrence=(first - datetime.timedelta(days=7)).strftime('%Y-%m-%dT%H:%M:%SZ')),
        'bad_request', 'does not happen then')
    err(mem.call('event.rsvp', id=eid, status='going', occurrence='soon'), 'bad_request')
    # a one-off's answer is simply for it
    assert ok(mem.call('event.rsvp', id=once, status='going',
                       occurrence=at(3)[1]))['for'] == 'every'
    ok(mem.call('event.rsvp', id=eid, status='going', occurrence='every'))
    # the TUI asks which, and shows the answer
    t = tui(srv, keys['mem'], 'mem', width=100)
    try:
        t.wait_for('Welcome, ', timeout=15)
        t.keys('E')
        t.wait_for('Upcoming events', 'Weekly clinic')
        open_event(t)
        t.wait_for('You:      going (every time)')
        t.keys('m')
        t.wait_for('It repeats. Maybe: 1 only the next time', '2 every time')
        t.keys('1')
        t.wait_for('You:      maybe (only ')
        wait_db(srv, 'SELECT status, occurrence FROM event_rsvps WHERE event_id = ? '
                'AND member_id = (SELECT id FROM members WHERE handle = ?)',
                [('maybe', int(first.timestamp()))], eid, 'mem')
        # Esc answers nothing
        t.keys('y')
        t.wait_for('It repeats. Going:')
        t.keys('Escape')
        t.wait_for('Not answered.')
        assert srv.query('SELECT status FROM event_rsvps WHERE event_id = ? AND member_id = '
                         '(SELECT id FROM members WHERE handle = ?)', eid, 'mem') == \
            [('maybe',)]
    finally:
        t.kill()
    # the line mode too
    t = plain(srv, keys['mem'], 'mem')
    try:
        t.keys('8', 'Enter')
        t.wait_for('Number to open an event')
        t.keys('1', 'Enter')
        t.wait_for('Your answer: maybe, only on ')
        t.keys('1', 'Enter')
        t.wait_for('It repeats. Is your answer (going) for', '2. every time')
        t.keys('1', 'Enter')
        t.wait_for('Your answer is saved, for ')
        t.wait_for('Your answer: going, only on ')
    finally:
        t.kill()


def calendar(srv, key):
    p = subprocess.run(srv.ssh_base(key) + ['127.0.0.1', 'calendar'],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p
    return parse_ics(p.stdout.decode())


def test_calendar_uids_plain_description_and_how_to_join():
    srv = Server({'public_host': 'hearth.example.org', 'public_port': '2022'})
    keys = people(srv, 'host', 'mem')
    community(srv, 'cop', 'platform', [('host', 'leader'), ('mem', 'member')])
    h, m = srv.session(keys['host']), srv.session(keys['mem'])
    first, iso = at(4)
    e1 = ok(h.call('event.create', community='cop', title='Clinic', starts_at=iso,
                   recurrence='weekly',
                   description='# Agenda\n\nBring **your** _draft_ and `notes`; see '
                               '[the guide](https://example.org/g).\n\n* one\n* two\n'
                               '> quoted\n\nsnake_case stays'))['event']['id']
    e2 = ok(h.call('event.create', community='cop', title='Summit', starts_at=at(5)[1],
                   recurrence='weekly'))['event']['id']
    ok(m.call('event.rsvp', id=e1, status='going'))
    nxt = at(5)[0] + datetime.timedelta(days=7)      # the Summit's second time
    ok(m.call('event.rsvp', id=e2, status='going',
              occurrence=nxt.strftime('%Y-%m-%dT%H:%M:%SZ')))
    events = {e['SUMMARY']: e for e in calendar(srv, keys['mem'])}
    a = events['Clinic']
    assert a['UID'] == 'event-%d@hearth.example.org' % e1, a
    assert a['DTSTART'] == first.strftime('%Y%m%dT%H%M%SZ') and a['RRULE'] == 'FREQ=WEEKLY'
    d = a['DESCRIPTION']
    for mark in ('**', '`', '# ', '](', '> '):
        assert mark not in d, (mark, d)
    assert 'Agenda' in d and 'Bring your draft and notes' in d, d
    assert 'the guide (https://example.org/g)' in d and 'snake_case stays' in d, d
    assert 'ssh -t -p 2022 mem@hearth.example.org' in d, d
    assert a['LOCATION'] == 'ssh -t -p 2022 mem@hearth.example.org', a
    assert a['URL'] == 'ssh://mem@hearth.example.org:2022', a
    # an answer for one time is that time, with its own UID, not the series
    b = events['Summit']
    assert b['DTSTART'] == nxt.strftime('%Y%m%dT%H%M%SZ') and 'RRULE' not in b, b
    assert b['UID'] == 'event-%d-%s@hearth.example.org' % (e2, nxt.strftime('%Y%m%dT%H%M%SZ'))
    # the host's feed has the series (hosts go every time)
    hb = {e['SUMMARY']: e for e in calendar(srv, keys['host'])}['Summit']
    assert hb['UID'] == 'event-%d@hearth.example.org' % e2 and 'RRULE' in hb
    assert hb['LOCATION'] == 'ssh -t -p 2022 host@hearth.example.org'
    # another server's event 1 is another UID
    other = Server({'public_host': 'other.example.net'})
    ok_keys = people(other, 'xo')
    community(other, 'cop', 'platform', [('xo', 'leader')])
    oe = ok(other.session(ok_keys['xo']).call('event.create', community='cop', title='Clinic',
                                              starts_at=iso))['event']['id']
    assert oe == e1
    uid = calendar(other, ok_keys['xo'])[0]['UID']
    assert uid == 'event-%d@other.example.net' % oe and uid != a['UID']
