"""What names and texts may hold, at the API. Handles, display names and
community names refuse controls, the bidi overrides and isolates and every
invisible or format character (so two names that look alike are alike);
event and room texts refuse controls (multi-line ones keep newline and tab)
and the bidi overrides and isolates. Each refusal is a bad_request naming
the field, and nothing is saved."""
from fixtures import community, err, iso, ok, people, room_circle
from harness import Key, Server
from test_console_ops import Console

RLO = '\u202e'
# one of each kind a name refuses
NAME_BAD = ['\u202a', '\u202b', '\u202c', '\u202d', RLO, '\u2066', '\u2067', '\u2068',
            '\u2069', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u00ad',
            '\u3164', '\u2800', '\U000e0041', '\x1b', '\x85', '\t', '\n']
# what a text refuses: controls but newline and tab, and direction changes
TEXT_BAD = ['\x1b', '\x07', '\r', '\x7f', '\x9b', '\u202d', RLO, '\u2066', '\u2069']


def test_display_name_at_redeem():
    srv = Server()
    for i, ch in enumerate(NAME_BAD):
        inv = srv.ctl('invite', 'create', '--name', 'New %d' % i)
        s = srv.session(Key('n%d' % i), 'join')
        err(s.call('invite.redeem', code=inv['code'], handle='new%d' % i,
                   display_name='Ann' + ch + 'Admin'), 'bad_request', 'args.display_name')
        err(s.call('invite.redeem', code=inv['code'], handle='ne' + ch + 'w',
                   display_name='Ann'), 'bad_request', 'args.handle')
        s.close()
    assert srv.query("SELECT count(*) FROM members WHERE handle LIKE 'new%'") == [(0,)]
    # the message says what and where
    inv = srv.ctl('invite', 'create', '--name', 'Zoe')
    s = srv.session(Key('zoe'), 'join')
    msg = err(s.call('invite.redeem', code=inv['code'], handle='zoe',
                     display_name='Zo\u00eb ' + RLO + 'nimda'), 'bad_request')
    assert msg == ('args.display_name must not contain a character that changes '
                   'the direction of text (U+202E)'), msg
    # accents, scripts, emoji (with a variation selector) are names
    r = ok(s.call('invite.redeem', code=inv['code'], handle='zoe',
                  display_name='Zo\u00eb \u65e5\u672c \u2764\ufe0f'))
    assert r['member']['display_name'] == 'Zo\u00eb \u65e5\u672c \u2764\ufe0f'


def test_display_name_at_profile_update():
    srv = Server()
    keys = people(srv, 'ann')
    s = srv.session(keys['ann'], 'ann')
    for ch in NAME_BAD:
        err(s.call('profile.update', display_name='Ann' + ch + 'Admin'), 'bad_request',
            'args.display_name')
    assert srv.query("SELECT display_name FROM members WHERE handle = 'ann'") == [('Ann',)]
    # other one-line fields: controls and direction changes
    err(s.call('profile.update', job_role='Counsellor' + RLO), 'bad_request', 'args.job_role')
    err(s.call('profile.update', bio='Hello\x1b[2J'), 'bad_request', 'args.bio')
    err(s.call('profile.update', expertise=['gri\u200bef']), 'bad_request', 'args.expertise')
    assert ok(s.call('profile.update', display_name='Ann \u00c5berg',
                     bio='Line one\nline\ttwo'))


def test_names_from_the_console():
    srv = Server()
    community(srv, 'cop')
    con = Console(srv)
    err(con.call('admin.invite.create', name='Bob\u200bby'), 'bad_request', 'args.name')
    err(con.call('admin.community.create', slug='eco', name='Eco' + RLO),
        'bad_request', 'args.name')
    err(con.call('admin.community.create', slug='eco', name='Eco',
                 purpose='Green\x1b[5m'), 'bad_request', 'args.purpose')
    err(con.call('community.update', slug='cop', name='C\u2066op'), 'bad_request',
        'args.name')
    err(con.call('community.update', slug='cop', criteria='Be\x07 kind'), 'bad_request',
        'args.criteria')
    assert srv.query("SELECT count(*) FROM communities WHERE slug = 'eco'") == [(0,)]
    assert srv.query("SELECT name FROM communities WHERE slug = 'cop'") == [('COP',)]
    assert ok(con.call('community.update', slug='cop', purpose='Two\nlines'))
    con.close()


def test_event_texts():
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'], 'host')
    a = srv.session(keys['alice'], 'alice')
    when = iso(7 * 86400)
    for ch in TEXT_BAD:
        err(h.call('event.create', community='cop', title='Drop' + ch + 'in', starts_at=when),
            'bad_request', 'args.title')
        err(h.call('event.create', community='cop', title='Drop-in', starts_at=when,
                   description='Come\n' + ch), 'bad_request', 'args.description')
    err(h.call('event.create', community='cop', title='Drop\nin', starts_at=when),
        'bad_request', 'args.title')
    assert srv.query('SELECT count(*) FROM events') == [(0,)]
    e = ok(h.call('event.create', community='cop', title='Drop-in', starts_at=when,
                  kind='surgery', description='Come along\n\tall welcome'))['event']
    err(h.call('event.update', id=e['id'], title='X' + RLO), 'bad_request', 'args.title')
    err(a.call('event.queue', id=e['id'], topic='My CV\x1b]0;x\x07'), 'bad_request',
        'args.topic')
    err(h.call('event.cancel', id=e['id'], reason='Ill\x1b[31m'), 'bad_request', 'args.reason')
    assert srv.query('SELECT title, cancelled_at FROM events') == [('Drop-in', None)]


def test_room_texts():
    srv = Server()
    keys = room_circle(srv)
    h = srv.session(keys['host'], 'host')
    a = srv.session(keys['alice'], 'alice')
    for ch in TEXT_BAD:
        err(h.call('room.open', community='cop', title='Drop' + ch, record='off'),
            'bad_request', 'args.title')
        err(h.call('room.open', community='cop', title='Drop', topic='CV' + ch,
                   record='off'), 'bad_request', 'args.topic')
    rid = ok(h.call('room.open', community='cop', title='Drop-in', record='transcript',
                    surgery=True))['room']['room_id']
    ok(a.call('room.join', room_id=rid))
    for ch in TEXT_BAD:
        err(a.call('room.say', room_id=rid, text='hello' + ch + 'there'), 'bad_request',
            'args.text')
        err(h.call('room.topic', room_id=rid, topic='CVs' + ch), 'bad_request', 'args.topic')
        err(a.call('room.queue_join', room_id=rid, topic='Me' + ch), 'bad_request',
            'args.topic')
        err(a.call('room.support', room_id=rid, text='Help' + ch), 'bad_request', 'args.text')
    err(h.call('room.topic', room_id=rid, topic='two\nlines'), 'bad_request', 'args.topic')
    # messages are multi-line: newline and tab stay
    ok(a.call('room.say', room_id=rid, text='line one\n\tline two'))
    assert srv.query('SELECT body FROM room_messages') == [('line one\n\tline two',)]
    h.call('room.say', room_id=rid, text='bye')
    err(h.call('room.close', room_id=rid, summary='x\x1b'), 'bad_request', 'args.summary')


def test_thread_title_direction():
    srv = Server()
    keys = room_circle(srv)
    a = srv.session(keys['alice'], 'alice')
    for ch in ('\x85', '\u202e', '\u2067'):
        err(a.call('thread.create', slug='cop', title='Hi' + ch, body='x'), 'bad_request',
            'args.title')
    assert srv.query("SELECT count(*) FROM threads WHERE title LIKE 'Hi%'") == [(0,)]
