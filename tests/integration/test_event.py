"""Events: the programme (CRUD, RSVP, capacity, permissions), reminders
and the iCalendar feed (`ssh host calendar`)."""
import subprocess
import re

from fixtures import community, err, iso, ok, people, sweeps, wait_sweep
from harness import Server


def test_event_create_get_update_cancel():
    srv = Server()
    keys = people(srv, ('lead', 'member'), ('mem', 'member'), ('out', 'member'))
    community(srv, 'cop', 'private', [('lead', 'leader'), ('mem', 'member')])
    lead = srv.session(keys['lead'])
    ev = ok(lead.call('event.create', community='cop', title='Weekly drop-in',
                      kind='drop_in', starts_at=iso(3 * 86400), duration=60,
                      recurrence='weekly', capacity=2,
                      description='Bring, questions; and\nanswers'))['event']
    assert ev['title'] == 'Weekly drop-in' and ev['recurrence'] == 'weekly'
    assert ev['hosts'] == [{'handle': 'lead', 'display_name': 'Lead'}]
    assert ev['capacity'] == 2 and ev['going'] == 0 and ev['duration'] == 60
    eid = ev['id']
    mem = srv.session(keys['mem'])
    got = ok(mem.call('event.get', id=eid))['event']
    assert got['is_host'] is False and 'attendees' not in got
    # members may not change it
    err(mem.call('event.update', id=eid, title='Mine now'), 'forbidden')
    err(mem.call('event.create', community='cop', title='x', starts_at=iso(3600)),
        'forbidden')
    # outsiders of a private community do not even see it
    out = srv.session(keys['out'])
    err(out.call('event.get', id=eid), 'not_found')
    assert ok(out.call('event.list'))['events'] == []
    assert [e['id'] for e in ok(mem.call('event.list'))['events']] == [eid]
    assert [e['id'] for e in ok(mem.call('event.list', community='cop'))['events']] == [eid]
    # bad arguments
    err(lead.call('event.create', community='cop', title='x', starts_at='tomorrow'),
        'bad_request')
    err(lead.call('event.create', community='cop', title='x', starts_at='2026-02-31T10:00Z'),
        'bad_request')
    # one strict reader (common/timeutil.c), which says what is wrong
    msg = err(lead.call('event.create', community='cop', title='x',
                        starts_at='2031-02-29T10:00Z'), 'bad_request')
    assert msg.endswith('that month has no such day'), msg
    for junk in ('2031-01-06T24:00:00Z', '2031-01-06T10:00:00Z junk', '2031-01-06T10:00:00',
                 '2031-01-06 10:00Z', '2031-13-06T10:00Z', '2031-01-06T10:00:00.5Z',
                 '2031-01-06T10:00+1:00'):
        err(lead.call('event.create', community='cop', title='x', starts_at=junk),
            'bad_request')
    err(lead.call('event.create', community='cop', title='x', starts_at=iso(3600),
                  kind='party'), 'bad_request')
    err(lead.call('event.create', community='cop', title='x', starts_at=iso(-7200)),
        'bad_request')
    err(lead.call('event.create', community='cop', title='', starts_at=iso(3600)),
        'bad_request')
    err(lead.call('event.create', community='cop', title='x', starts_at=iso(3600),
                  hosts=['nobody']), 'not_found')
    # platform-wide events are for staff
    err(mem.call('event.create', title='All hands', starts_at=iso(3600)), 'forbidden')
    # the host updates; going members are told when it moves
    ok(mem.call('event.rsvp', id=eid, status='going'))
    up = ok(lead.call('event.update', id=eid, starts_at=iso(4 * 86400),
                      hosts=['lead', 'mem']))['event']
    assert {h['handle'] for h in up['hosts']} == {'lead', 'mem'}
    assert srv.query('SELECT sequence FROM events WHERE id = ?', eid) == [(1,)]
    rows = srv.query("SELECT kind FROM notifications n JOIN members m ON m.id = n.member_id "
                     "WHERE m.handle = 'mem'")
    assert ('event_changed',) in rows, rows
    # now a host, mem may change it too; then cancel
    ok(mem.call('event.update', id=eid, title='Weekly drop-in (new)'))
    err(out.call('event.cancel', id=eid), 'not_found')
    ok(lead.call('event.cancel', id=eid, reason='Snow'))
    err(lead.call('event.cancel', id=eid), 'conflict')
    err(mem.call('event.rsvp', id=eid, status='going'), 'conflict')
    got = ok(lead.call('event.get', id=eid))['event']
    assert got['cancelled'] is not None and got['cancel_reason'] == 'Snow'
    assert ok(mem.call('event.list'))['events'] == []
    # an offset across midnight (and the year's end) is kept in UTC
    late = ok(lead.call('event.create', community='cop', title='Late',
                        starts_at='2031-01-01T00:30+01:00'))['event']
    assert late['starts_at'] == '2030-12-31T23:30:00Z', late
    for s in (lead, mem, out):
        s.close()


def test_event_rsvp_capacity_and_attendees():
    srv = Server()
    keys = people(srv, ('host', 'member'), ('aa', 'member'), ('bb', 'member'),
                  ('cc', 'member'))
    community(srv, 'cop', 'platform', [('host', 'manager'), ('aa', 'member'),
                                       ('bb', 'member')])
    h = srv.session(keys['host'])
    eid = ok(h.call('event.create', community='cop', title='Surgery',
                    kind='surgery', starts_at=iso(7200), capacity=2))['event']['id']
    sa, sb, sc = (srv.session(keys[k]) for k in ('aa', 'bb', 'cc'))
    err(sa.call('event.rsvp', id=eid, status='yes'), 'bad_request')
    err(sa.call('event.rsvp', id=eid), 'bad_request')
    err(sa.call('event.rsvp', id=999, status='going'), 'not_found')
    assert ok(sa.call('event.rsvp', id=eid, status='going'))['event']['my_rsvp'] == 'going'
    ok(sb.call('event.rsvp', id=eid, status='going'))
    # c reads the platform community and may come, but it is full
    msg = err(sc.call('event.rsvp', id=eid, status='going'), 'conflict')
    assert 'full' in msg
    ok(sc.call('event.rsvp', id=eid, status='maybe'))
    # going again is not refused for someone already going
    ok(sa.call('event.rsvp', id=eid, status='going'))
    ok(sb.call('event.rsvp', id=eid, status='not_going'))
    ok(sc.call('event.rsvp', id=eid, status='going'))
    got = ok(h.call('event.get', id=eid))['event']
    assert got['going'] == 2 and got['maybe'] == 0 and got['is_host']
    assert [(x['handle'], x['status']) for x in got['attendees']] == \
        [('aa', 'going'), ('bb', 'not_going'), ('cc', 'going')] or \
        {(x['handle'], x['status']) for x in got['attendees']} == \
        {('aa', 'going'), ('bb', 'not_going'), ('cc', 'going')}
    assert srv.query('SELECT count(*) FROM event_rsvps') == [(3,)]
    # surgery queue before the room opens: private to the member and the host
    err(sa.call('event.queue', id=eid), 'bad_request')
    q = ok(sa.call('event.queue', id=eid, topic='My CV'))['queue']
    assert q[0]['place'] == 1 and q[0]['topic'] == 'My CV'
    # cc is not a member of the community: may come, may not queue
    err(sc.call('event.queue', id=eid, topic='Interviews'), 'forbidden')
    q = ok(sb.call('event.queue', id=eid, topic='Interviews'))['queue']
    assert [(x['handle'], x['place']) for x in q] == [('bb', 2)]
    got = ok(h.call('event.get', id=eid))['event']
    assert [x['handle'] for x in got['queue']] == ['aa', 'bb']
    got = ok(sb.call('event.get', id=eid))['event']
    assert [x['handle'] for x in got['queue']] == ['bb']
    ok(sa.call('event.queue', id=eid, leave=True))
    assert srv.query('SELECT count(*) FROM event_queue') == [(1,)]


def test_event_list_pagination_and_platform_events():
    srv = Server()
    keys = people(srv, ('staffer', 'staff'), ('mem', 'member'))
    st = srv.session(keys['staffer'])
    ids = [ok(st.call('event.create', title='Summit %d' % i, kind='summit',
                      starts_at=iso(86400 * (i + 2))))['event']['id'] for i in range(5)]
    m = srv.session(keys['mem'])
    p1 = ok(m.call('event.list', limit=2))
    assert [e['id'] for e in p1['events']] == ids[:2] and p1['next']
    p2 = ok(m.call('event.list', limit=2, after=p1['next']))
    p3 = ok(m.call('event.list', limit=2, after=p2['next']))
    assert [e['id'] for e in p2['events'] + p3['events']] == ids[2:]
    assert p3['next'] is None
    err(m.call('event.list', after='zz'), 'bad_request')
    # a monthly series on the 31st skips months without one, like RRULE
    e = ok(st.call('event.create', title='Month end', starts_at='2025-01-31T10:00:00Z',
                   recurrence='monthly'))['event']
    nxt = e['next_start']
    assert nxt.endswith('-31T10:00:00Z') and nxt > iso(0), nxt
    e = ok(st.call('event.create', title='Weekly', starts_at='2025-01-06T10:00:00Z',
                   recurrence='weekly', duration=30))['event']
    import datetime as dt
    n = dt.datetime.strptime(e['next_start'], '%Y-%m-%dT%H:%M:%SZ')
    assert n.weekday() == 0 and n.hour == 10 and e['next_start'] > iso(-1800)
    assert e['next_start'] <= iso(7 * 86400)
    # any member may RSVP to a platform event once they accepted the code
    ok(m.call('event.rsvp', id=ids[0], status='going'))


def parse_ics(text):
    assert '\r\n' in text
    body = text.split('\r\n')
    assert body[-1] == '', 'ends with CRLF'
    for line in body:
        assert '\n' not in line and '\r' not in line
        assert len(line.encode()) <= 75, line
    # unfold
    lines = []
    for line in body[:-1]:
        if line.startswith(' '):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack = []
    events = []
    for line in lines:
        name, _, value = line.partition(':')
        if name == 'BEGIN':
            stack.append(value)
            if value == 'VEVENT':
                events.append({})
        elif name == 'END':
            assert stack.pop() == value
        elif stack and stack[-1] == 'VEVENT':
            events[-1][name.split(';')[0]] = value
    assert stack == [] and lines[0] == 'BEGIN:VCALENDAR' and lines[-1] == 'END:VCALENDAR'
    assert 'VERSION:2.0' in lines and any(l.startswith('PRODID:') for l in lines)
    return events


def test_calendar_feed_is_valid_ics():
    srv = Server()
    keys = people(srv, ('host', 'member'), ('mem', 'member'))
    community(srv, 'cop', 'platform', [('host', 'leader'), ('mem', 'member')])
    h = srv.session(keys['host'])
    long_title = ('Ünïcödé drop-in, with; commas and a very long title ' * 3).encode()
    long_title = long_title[:118].decode(errors='ignore')
    e1 = ok(h.call('event.create', community='cop', title=long_title,
                   starts_at='2031-03-04T10:30:00Z', duration=90,
                   recurrence='fortnightly',
                   description='Line one\nLine two, with; specials \\ ok'))['event']['id']
    e2 = ok(h.call('event.create', community='cop', title='Monthly summit',
                   kind='summit', starts_at='2031-01-31T09:00:00+01:00',
                   recurrence='monthly'))['event']['id']
    e3 = ok(h.call('event.create', community='cop', title='Not for m',
                   starts_at=iso(86400 * 9)))['event']['id']
    m = srv.session(keys['mem'])
    ok(m.call('event.rsvp', id=e1, status='going'))
    ok(m.call('event.rsvp', id=e2, status='maybe'))
    ok(m.call('event.rsvp', id=e3, status='not_going'))
    p = subprocess.run(srv.ssh_base(keys['mem']) + ['127.0.0.1', 'calendar'],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p
    text = p.stdout.decode()
    events = parse_ics(text)
    assert len(events) == 2, text
    by_uid = {e['UID']: e for e in events}
    a = by_uid['event-%d@127.0.0.1' % e1]   # the server's name (listen here)
    for prop in ('UID', 'DTSTAMP', 'DTSTART', 'DURATION', 'SUMMARY', 'DESCRIPTION'):
        assert prop in a, (prop, a)
    assert a['DTSTART'] == '20310304T103000Z' and a['DURATION'] == 'PT90M'
    assert a['RRULE'] == 'FREQ=WEEKLY;INTERVAL=2'
    assert a['DESCRIPTION'].startswith('Line one\\nLine two\\, with\\; specials \\\\ ok')
    assert '\\,' in a['SUMMARY'] and 'Ünïcödé' in a['SUMMARY']
    assert a['DTSTAMP'].endswith('Z') and len(a['DTSTAMP']) == 16
    b = by_uid['event-%d@127.0.0.1' % e2]
    assert b['DTSTART'] == '20310131T080000Z' and b['RRULE'] == 'FREQ=MONTHLY'
    # the host's feed has all three; a cancelled one says so
    ok(h.call('event.cancel', id=e3))
    p = subprocess.run(srv.ssh_base(keys['host']) + ['127.0.0.1', 'calendar'],
                       capture_output=True, timeout=30)
    events = parse_ics(p.stdout.decode())
    assert len(events) == 3
    assert {e['STATUS'] for e in events} == {'CONFIRMED', 'CANCELLED'}


def test_reminders_sent_once():
    srv = Server()
    keys = people(srv, ('host', 'member'), ('mem', 'member'))
    community(srv, 'cop', 'platform', [('host', 'leader'), ('mem', 'member')])
    h = srv.session(keys['host'])
    soon = ok(h.call('event.create', community='cop', title='Starting soon',
                     starts_at=iso(14 * 60)))['event']['id']
    later = ok(h.call('event.create', community='cop', title='Tomorrow-ish',
                      starts_at=iso(20 * 3600)))['event']['id']
    far = ok(h.call('event.create', community='cop', title='Far away',
                    starts_at=iso(3 * 86400)))['event']['id']
    # in the last hour only the 15-minute reminder comes (not two in a row)
    hour = ok(h.call('event.create', community='cop', title='Within the hour',
                     starts_at=iso(40 * 60)))['event']['id']
    m = srv.session(keys['mem'])
    for eid in (soon, later, far, hour):
        ok(m.call('event.rsvp', id=eid, status='going'))
    # a sweep that starts after every answer (a change hurries it) decides
    past = sweeps(srv, 'reminders')
    ok(m.call('event.rsvp', id=far, status='maybe'))
    wait_sweep(srv, 'reminders', past)
    ok(m.call('whoami'))    # its reply comes after every event sent before it
    seen = {}
    for msg in m.events:
        if msg.get('event') == 'event.reminder':
            assert msg['data']['event_id'] not in seen, m.events
            seen[msg['data']['event_id']] = msg['data']['kind']
    assert seen == {soon: '15m', later: 'day'}, seen
    rows = srv.query("SELECT e.title, r.kind, count(*) FROM event_reminders r "
                     "JOIN events e ON e.id = r.event_id JOIN members m ON "
                     "m.id = r.member_id GROUP BY 1, 2 ORDER BY 1")
    assert rows == [('Starting soon', '15m', 2), ('Tomorrow-ish', 'day', 2)], rows
    n = srv.query("SELECT count(*) FROM notifications WHERE kind = 'event_reminder'")[0][0]
    assert n == 4
    # times for people: "Sun 6 Dec 14:00 UTC", not ISO 8601
    for (text,) in srv.query("SELECT text FROM notifications WHERE kind = 'event_reminder'"):
        assert text.endswith(' UTC).') and not re.search(r'\d{4}-\d\d-\d\dT', text), text
    # another change, another sweep: nothing is sent twice
    m.events.clear()
    past = sweeps(srv, 'reminders')
    ok(m.call('event.rsvp', id=far, status='going'))
    wait_sweep(srv, 'reminders', past)
    ok(m.call('whoami'))
    assert not [e for e in m.events if e.get('event') == 'event.reminder'], m.events
    assert srv.query("SELECT count(*) FROM notifications WHERE kind = 'event_reminder'")[0][0] == 4
    assert srv.query("SELECT count(*) FROM notifications WHERE kind = 'event_reminder' "
                     "AND event_id IS NULL") == [(0,)]
