"""The programme, event and expert speaker screens, end to end: tmux runs
`ssh -tt` against a real hearthd; events and decisions are also made over
the protocol to check what the screens show and store."""
import datetime

from harness import Server
from fixtures import community, ok, people, tui


def at(days, hour=15, minute=0):
    """A UTC time `days` from today at hour:minute, as (datetime, ISO)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    t = (now + datetime.timedelta(days=days)).replace(hour=hour, minute=minute,
                                                     second=0, microsecond=0)
    return t, t.strftime('%Y-%m-%dT%H:%M:%SZ')


def setup(*extra):
    """A server, a leader `lead` and a member `mem` of platform community cop."""
    srv = Server()
    keys = people(srv, ('lead', 'member'), ('mem', 'member'), *extra)
    community(srv, 'cop', 'platform', [('lead', 'leader'), ('mem', 'member')] +
              [(h, 'member') for h, _ in extra])
    return srv, keys


def programme(t, name):
    t.wait_for('Welcome, %s' % name, timeout=15)
    t.keys('E')
    return t.wait_for('Upcoming events  (times UTC)')   # not Home's heading


def test_programme_lists_event_and_week_view_places_it():
    srv, keys = setup()
    when, iso = at(9, 14, 30)
    lead = srv.session(keys['lead'])
    ok(lead.call('event.create', community='cop', title='Show of tools',
                 kind='show_and_tell', starts_at=iso, duration=90, capacity=12,
                 recurrence='weekly'))
    t = tui(srv, keys['mem'], 'mem')
    try:
        screen = programme(t, 'Mem')
        screen = t.wait_for('Show of tools')
        assert when.strftime('%a %d %b %Y 14:30') in screen, screen
        assert 'show and tell · cop · 0/12 going' in screen, screen
        # the calendar week: this week first, then forward to the event's
        t.keys('w')
        t.wait_for('Week ')
        now = datetime.datetime.now(datetime.timezone.utc).date()
        monday = now - datetime.timedelta(days=now.weekday())
        weeks = (when.date() - monday).days // 7
        for _ in range(weeks):
            t.keys(']')
        day = when.strftime('%a %d %b')
        screen = t.wait_for('%s │ 14:30-16:00  Show of tools' % day)
        # a weekly event shows again the week after, on the same weekday
        t.keys(']')
        nxt = (when + datetime.timedelta(days=7)).strftime('%a %d %b')
        t.wait_for('%s │ 14:30-16:00  Show of tools' % nxt)
        # and not the week before it starts
        for _ in range(2):
            t.keys('[')
        t.wait_for('Nothing this week')
        # Enter on the event opens it
        t.keys(']', 'Enter')
        screen = t.wait_for('Coming:')
        assert 'hosted by Lead (@lead)' in screen and \
            'Repeats:  every week, on %ss at' % when.strftime('%A') in screen, screen
    finally:
        t.kill()


def test_rsvp_going_stored_and_full_event_refused():
    srv, keys = setup(('early', 'member'))
    lead = srv.session(keys['lead'])
    ok(lead.call('event.create', community='cop', title='Roomy drop-in',
                 starts_at=at(2)[1], capacity=5,
                 description='Bring **your** questions'))
    full = ok(lead.call('event.create', community='cop', title='Tiny drop-in',
                        starts_at=at(3)[1], capacity=1))['event']
    early = srv.session(keys['early'])
    ok(early.call('event.rsvp', id=full['id'], status='going'))
    t = tui(srv, keys['mem'], 'mem')
    try:
        programme(t, 'Mem')
        t.wait_for('Tiny drop-in')
        t.keys('Enter')                       # the soonest: Roomy drop-in
        screen = t.wait_for('Coming:')
        assert 'Roomy drop-in' in screen and 'Bring your questions' in screen
        assert 'not answered' in screen
        t.keys('y')
        t.wait_for('You:      going')
        rows = srv.query("SELECT m.handle, r.status FROM event_rsvps r JOIN members m "
                         "ON m.id = r.member_id JOIN events e ON e.id = r.event_id "
                         "WHERE e.title = 'Roomy drop-in'")
        assert rows == [('mem', 'going')], rows
        t.keys('q')
        t.wait_for('1/5 going · you: going')
        t.keys('Down', 'Enter')
        t.wait_for('Tiny drop-in')
        t.wait_for('1 going of 1 places')
        t.keys('y')
        t.wait_for('is full (1 places)')
        t.keys('m')
        t.wait_for('You:      maybe')
    finally:
        t.kill()
    assert ok(srv.session(keys['mem']).call('event.get', id=full['id']))['event'][
        'my_rsvp'] == 'maybe'


def test_surgery_queue_joined_from_event_screen():
    srv, keys = setup()
    lead = srv.session(keys['lead'])
    ev = ok(lead.call('event.create', community='cop', title='CV surgery',
                      kind='surgery', starts_at=at(1)[1]))['event']
    t = tui(srv, keys['mem'], 'mem')
    try:
        programme(t, 'Mem')
        screen = t.wait_for('CV surgery')
        assert 'c:new event' not in screen, screen    # a member: not offered
        t.keys('c')
        t.wait_for('leaders and managers (and staff) add events')
        t.keys('Enter')
        t.wait_for('press u to join the queue')
        t.keys('u')
        t.wait_for('Join the surgery queue')
        t.keys('My first CV', 'Enter')
        t.wait_for('you are number 1, about "My first CV"')
        assert srv.query('SELECT topic FROM event_queue WHERE event_id = ?',
                         ev['id']) == [('My first CV',)]
    finally:
        t.kill()
    # the host sees the queue on the event screen
    t = tui(srv, keys['lead'], 'lead')
    try:
        programme(t, 'Lead')
        t.wait_for('CV surgery')
        t.keys('Enter')
        screen = t.wait_for('Surgery queue (1 waiting)')
        assert '1. Mem (@mem): My first CV' in screen, screen
        screen = t.wait_for('C:cancel')      # the host's keys, once is_host is known
        assert 'O:open room' in screen, screen
    finally:
        t.kill()


def test_leader_creates_then_cancels_event_in_tui():
    srv, keys = setup()
    when, _ = at(5, 18, 0)
    t = tui(srv, keys['lead'], 'lead')
    try:
        programme(t, 'Lead')
        t.wait_for('c:new event')
        t.keys('c')
        t.wait_for('New event')
        t.keys('Book club', 'Tab')
        t.keys('Space')                          # drop-in -> surgery
        t.wait_for('< surgery >')
        t.keys('Tab', 'C-u', when.strftime('%Y-%m-%d %H:%M'), 'Tab')
        t.keys('C-u', '45', 'Tab', 'Space', 'Tab', '8', 'Tab')   # weekly, 8 places
        # the community: from the list, only those the leader leads
        # ("(none)", platform-wide, is for staff)
        t.wait_for('< COP >')
        t.keys('Tab', 'We read *one* book')
        t.keys('Enter')
        screen = t.wait_for('Event created')
        t.wait_for('Book club')
        screen = t.wait_for('Coming:')
        assert 'surgery in cop' in screen and '45 min' in screen
        rows = srv.query("SELECT kind, duration, recurrence, capacity, description, "
                         "starts_at FROM events WHERE title = 'Book club'")
        assert rows == [('surgery', 2700, 'weekly', 8, 'We read *one* book',
                         int(when.timestamp()))], rows
        t.keys('C')
        t.wait_for('Cancel this event')
        t.keys('Moved to the forum', 'Enter')
        t.wait_for('CANCELLED on')
        t.wait_for('Moved to the forum')
    finally:
        t.kill()
    assert srv.query("SELECT cancel_reason FROM events WHERE title = 'Book club'") == [
        ('Moved to the forum',)]


def test_member_files_expert_request_and_sees_decision():
    srv, keys = setup(('staffer', 'staff'))
    t = tui(srv, keys['mem'], 'mem')
    try:
        t.wait_for('Welcome, Mem', timeout=15)
        t.keys('X')
        t.wait_for('You have not asked for a speaker yet')
        t.keys('n')
        t.wait_for('Ask for an expert speaker')
        t.keys('Kubernetes basics', 'Enter', 'Our team starts next month', 'Enter')
        t.wait_for('< (none) >')
        t.keys('Space')
        t.wait_for('< COP >')
        t.keys('Enter', 'Tuesday afternoons', 'Enter')
        t.wait_for('pending          Kubernetes basics')
        st = srv.session(keys['staffer'])
        reqs = ok(st.call('expert.list'))['requests']
        assert [(r['topic'], r['why'], r['community'], r['preferred_times'])
                for r in reqs] == [('Kubernetes basics', 'Our team starts next month',
                                    'cop', 'Tuesday afternoons')], reqs
        # staff ask for more over the protocol: the member's list follows
        ok(st.call('expert.decide', id=reqs[0]['id'], decision='more_info',
                   reason='Which parts exactly?'))
        t.wait_for('Staff: Which parts exactly?', timeout=10)
        t.wait_for('more info asked')
        t.keys('a')
        t.wait_for("Answer staff's question")
        t.keys('Networking and storage', 'Enter')
        t.wait_for('pending          Kubernetes basics')
        r = ok(st.call('expert.list'))['requests'][0]
        assert r['status'] == 'pending' and 'Networking and storage' in r['why'], r
        ok(st.call('expert.decide', id=r['id'], decision='decline',
                   reason='No speaker free this term'))
        t.wait_for('declined')
        t.wait_for('Staff: No speaker free this term')
    finally:
        t.kill()


def test_staff_accepts_request_in_tui():
    srv, keys = setup(('staffer', 'staff'), ('speaker', 'member'))
    mem = srv.session(keys['mem'])
    req = ok(mem.call('expert.request', topic='Accessibility audits', why='Audit soon',
                      community='cop'))['request']
    when, _ = at(10, 16, 0)
    t = tui(srv, keys['staffer'], 'staffer')
    try:
        t.wait_for('Welcome, Staffer', timeout=15)
        t.keys('X')
        screen = t.wait_for('pending          Accessibility audits')
        assert "everyone's" in screen and 'A:accept' in screen
        t.keys('A')
        t.wait_for('Accept: create the event')
        t.keys('nobody', 'Enter', 'C-u', when.strftime('%Y-%m-%d %H:%M'), 'Enter',
               'C-u', '45', 'Enter', 'Enter')
        t.wait_for('No member')                 # the server's not_found message
        t.keys('Up', 'Up', 'Up', 'C-u', 'speaker', 'C-s')
        t.wait_for('accepted         Accessibility audits')
        t.keys('f')                              # status filter: pending only
        t.wait_for("everyone's, pending")
        t.wait_for('No requests here.')
        t.keys('f', 'f')                         # more_info, then accepted
        t.wait_for('accepted         Accessibility audits')
        t.keys('Enter')
        t.wait_for('Accepted: the event is in the programme')
        t.keys('e')
        screen = t.wait_for('Coming:')
        assert 'Accessibility audits' in screen and '(@speaker)' in screen
    finally:
        t.kill()
    r = ok(mem.call('expert.list'))['requests'][0]
    assert r['status'] == 'accepted' and r['event_id'], r
    ev = ok(mem.call('event.get', id=r['event_id']))['event']
    assert ev['starts_at'] == when.strftime('%Y-%m-%dT%H:%M:%SZ') and ev['duration'] == 45
    assert req['id'] == r['id']


def test_a_weekly_series_across_the_clock_change_names_both_zones():
    """The event screen says a series' clock time as it is all year (it
    keeps the server's wall-clock time across the change), not one zone."""
    srv = Server({'timezone': 'Europe/London'})
    keys = people(srv, ('lead', 'member'), ('mem', 'member'))
    community(srv, 'cop', 'platform', [('lead', 'leader'), ('mem', 'member')])
    when, iso = at(3, 14, 0)
    lead = srv.session(keys['lead'])
    ok(lead.call('event.create', community='cop', title='Weekly drop-in', kind='drop_in',
                 starts_at=iso, duration=60, recurrence='weekly'))
    lead.close()
    t = tui(srv, keys['mem'], 'mem')
    try:
        t.wait_for('Welcome, Mem', timeout=15)
        t.keys('E')
        t.wait_for('Upcoming events', 'Weekly drop-in')
        t.keys('Enter')
        screen = t.wait_for('Coming:', 'Repeats:')
        assert 'Repeats:  every week, on %ss at ' % when.strftime('%A') in screen, screen
        assert '(GMT in winter, BST in summer)' in screen, screen
        if when.month in (11, 12, 1, 2):
            assert 'at 2 pm (GMT in winter' in screen, screen
    finally:
        t.kill()
