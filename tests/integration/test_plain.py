"""The line mode (TERM=dumb) beyond threads and rooms: the programme of
events, expert speaker requests and kept private consults, through the
real OpenSSH client in tmux against a real hearthd. Other people act
through protocol sessions where the test is not about them."""
import datetime

from fixtures import community, ev, ok, people, until, wait_db, wait_until
from harness import Server, Tmux


def plain(srv, key, user, height=60):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 140, height)   # spoken times are long
    t.wait_for('Main menu', timeout=15)
    return t


def spoken_hour(h):
    """An hour as the line mode says it: "2 pm", "10 am", "noon"."""
    return 'noon' if h == 12 else 'midnight' if h == 0 else \
        '%d %s' % (h % 12 or 12, 'am' if h < 12 else 'pm')


def at(days, hour=14):
    """A UTC time days ahead at hour:00: (ISO for the protocol, the line
    mode's input "YYYY-MM-DD HH:MM", and how it is shown)."""
    d = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    d = d.replace(hour=hour, minute=0, second=0, microsecond=0)
    year = '' if d.year == datetime.datetime.now(datetime.timezone.utc).year \
        else ' %d' % d.year
    # spoken, in the member's zone (UTC here): "Sunday 6 December, 2 pm UTC"
    shown = '%s %d %s%s, %s UTC' % (d.strftime('%A'), d.day, d.strftime('%B'), year,
                                    spoken_hour(d.hour))
    return d.strftime('%Y-%m-%dT%H:%M:%SZ'), d.strftime('%Y-%m-%d %H:%M'), shown


def newest_lines(t, n):
    """The last n lines of a line-mode screen that are not blank: the newest output."""
    return [l for l in t.screen().splitlines() if l.strip()][-n:]


def last_screen_lines(t, n=40):
    return '\n'.join(l for l in t.screen().splitlines() if l.strip())[-4000:]


def setup(srv):
    keys = people(srv, ('lead', 'member'), ('mem', 'member'), ('staffer', 'staff'))
    srv.execute("UPDATE members SET display_name = 'Lena Lead' WHERE handle = 'lead'")
    srv.execute("UPDATE members SET display_name = 'Max Member' WHERE handle = 'mem'")
    community(srv, 'cop', 'private', [('lead', 'leader'), ('mem', 'member')])
    return keys


def test_plain_programme_rsvp_queue_and_room():
    srv = Server()
    keys = setup(srv)
    lead = srv.session(keys['lead'])
    iso1, _, shown1 = at(3)
    iso2, _, shown2 = at(5, 10)
    e1 = ok(lead.call('event.create', community='cop', title='Weekly drop-in',
                      kind='drop_in', starts_at=iso1, duration=90, recurrence='weekly',
                      capacity=5, description='Bring **questions**.'))['event']['id']
    e2 = ok(lead.call('event.create', community='cop', title='CV surgery',
                      kind='surgery', starts_at=iso2))['event']['id']
    t = plain(srv, keys['mem'], 'mem')
    try:
        t.keys('8', 'Enter')
        s = t.wait_for('Number to open an event')
        assert 'followed by the word' in s and 'calendar' in s and '.ics' in s, s
        assert '1. %s: Weekly drop-in (drop-in, cop; 0 going of 5 places; repeats weekly)' \
            % shown1 in s, s
        assert '2. %s: CV surgery (surgery, cop; 0 going)' % shown2 in s, s
        # members are not offered a new event
        assert 'n new event' not in s, s
        t.keys('1', 'Enter')
        s = t.wait_for('0. Back to the programme')
        assert 'Event: Weekly drop-in' in s, s
        assert 'When: %s, for 90 minutes (until 3:30 pm UTC)' % shown1 in s, s
        day = datetime.datetime.strptime(iso1, '%Y-%m-%dT%H:%M:%SZ').strftime('%A')
        assert 'Repeats: every week, on %ss at 2 pm UTC' % day in s, s
        assert 'Hosts: Lena Lead (@lead)' in s, s
        assert 'Places: 0 going of 5, 5 left; 0 maybe' in s, s
        assert 'Your answer: not answered yet' in s, s
        assert 'Room: not open' in s and 'Bring questions.' in s, s
        assert 'Cancel this event' not in s, s
        t.keys('1', 'Enter')
        # a repeating event: the answer is for the next time or every time
        t.wait_for('It repeats. Is your answer (going) for', '2. every time')
        t.keys('2', 'Enter')
        t.wait_for('Your answer is saved, for every time.')
        s = t.wait_for('Places: 1 going of 5, 4 left')
        assert 'Your answer: going, every time' in s, s
        wait_db(srv, 'SELECT r.status, r.occurrence FROM event_rsvps r JOIN members m ON '
                'm.id = r.member_id WHERE r.event_id = ? AND m.handle = ?',
                [('going', 0)], e1, 'mem')
        t.keys('2', 'Enter')
        t.wait_for('It repeats. Is your answer (maybe) for')
        t.keys('2', 'Enter')
        t.wait_for('Your answer: maybe')
        wait_db(srv, 'SELECT status FROM event_rsvps WHERE event_id = ?', [('maybe',)], e1)
        t.keys('0', 'Enter')
        t.wait_for('you: maybe')
        # the surgery: queue with a topic before its room opens
        t.keys('2', 'Enter')
        s = t.wait_for('Surgery queue:')     # (the last screen had "0. Back" too)
        assert 'Surgery queue: you are not queued' in s, s
        t.keys('4', 'Enter')
        t.wait_for('Type your topic')
        t.keys('My CV is two pages', 'Enter')
        t.wait_for('You are in the queue')
        s = t.wait_for('Surgery queue: you are number 1, topic: My CV is two pages')
        assert '5. Leave the surgery queue' in s, s
        wait_db(srv, 'SELECT topic FROM event_queue WHERE event_id = ?',
                [('My CV is two pages',)], e2)
        # the host opens the room: the member joins it from the event
        rid = ok(lead.call('room.open', event_id=e2, record='off'))['room']['room_id']
        t.keys('0', 'Enter')
        t.wait_for('room open now')
        t.keys('2', 'Enter')
        s = t.wait_for('6. Join the room')
        assert 'Room: open now (room %d)' % rid in s, s
        t.keys('6', 'Enter')
        t.wait_for('/leave leaves')
        t.keys('hello from the programme', 'Enter')
        until(lead, ev('room.message', text='hello from the programme'))
        # a change of the room is said in words: no empty topic, its hosts
        ok(lead.call('room.pause', room_id=rid, paused=True))
        t.wait_for('* The room now: no topic, PAUSED (only hosts can speak); '
                   'hosts: Lena Lead.')
        t.keys('/leave', 'Enter')
        t.wait_for('You left the room.')
        t.wait_for('0. Back to the programme')
    finally:
        t.kill()


def test_plain_leader_creates_and_cancels_event():
    srv = Server()
    keys = setup(srv)
    _, typed, shown = at(4, 16)
    t = plain(srv, keys['lead'], 'lead')
    try:
        t.keys('8', 'Enter')
        t.wait_for('n new event')
        t.keys('n', 'Enter')
        s = t.wait_for('Type a number, 0 to go back')
        assert '1. COP (cop)' in s and 'whole platform' not in s, s
        t.keys('1', 'Enter')
        t.wait_for('Title (up to 120')
        t.keys('Grant clinic', 'Enter')
        t.wait_for('What kind of event?')
        t.keys('2', 'Enter')                       # surgery
        t.wait_for('YYYY-MM-DD HH:MM')
        t.keys('next tuesday', 'Enter')
        t.wait_for('not a date and time I can read')
        t.keys('2031-02-29 10:00', 'Enter')
        t.wait_for('I can read: that month has no such day.')
        t.keys(typed, 'Enter')
        t.wait_for('Duration in minutes')
        t.keys('45', 'Enter')
        t.wait_for('Does it repeat?')
        t.keys('4', 'Enter')                       # monthly
        t.wait_for('How many places?')
        t.keys('12', 'Enter')
        t.wait_for('Write a description (Markdown)?')
        t.keys('y', 'Enter')
        t.wait_for('full stop')
        t.keys('Bring your draft.', 'Enter', '.', 'Enter')
        t.wait_for('Event created: Grant clinic, %s' % shown)
        # the programme again ("Number to open an event" is on screen from before)
        t.wait_for('1. %s: Grant clinic (surgery, cop; 0 going of 12 places; repeats monthly)'
                   % shown)
        rows = srv.query("SELECT e.kind, e.duration, e.recurrence, e.capacity, e.description, "
                         "c.slug FROM events e JOIN communities c ON c.id = e.community_id")
        assert rows == [('surgery', 45 * 60, 'monthly', 12, 'Bring your draft.\n', 'cop')], rows
        eid = srv.query('SELECT id FROM events')[0][0]
        t.keys('1', 'Enter')
        s = t.wait_for('0. Back to the programme')
        assert 'Repeats: every month on the' in s and 'Room: not open (you may open it)' in s, s
        assert 'Surgery queue: 0 waiting' in s and '9. Cancel this event' in s, s
        assert '10. Change it' in s, s
        # change its title and length first (Enter keeps the rest)
        t.keys('10', 'Enter')
        t.wait_for('Title:')
        t.keys('Grant clinic (drafts)', 'Enter')
        t.wait_for('Move it? y/n')
        t.keys('n', 'Enter')
        t.wait_for('Duration in minutes:')
        t.keys('60', 'Enter')
        t.wait_for('A new description? y/n')
        t.keys('n', 'Enter')
        t.wait_for('Changed; everyone going or maybe')
        wait_until(lambda: srv.query('SELECT title, duration FROM events') ==
                   [('Grant clinic (drafts)', 3600)], 10, 'the change')
        t.wait_for('Type a number, 0 to go back')
        t.keys('9', 'Enter')
        t.wait_for('Why is it cancelled?')
        t.keys('The trainer is ill', 'Enter')
        t.wait_for('everyone coming has been')
        s = t.wait_for('CANCELLED on')
        assert 'Reason: The trainer is ill' in s, s
        t.keys('0', 'Enter')
        # the programme again, empty (the first one said so too: look at the newest lines)
        wait_until(lambda: 'No upcoming events.' in '\n'.join(newest_lines(t, 3)), 10,
                   lambda: 'no upcoming events:\n' + t.screen())
    finally:
        t.kill()
    assert srv.query('SELECT cancel_reason, cancelled_at IS NOT NULL FROM events WHERE id = ?',
                     eid) == [('The trainer is ill', 1)]


def test_plain_expert_request_more_info_and_accept():
    srv = Server()
    keys = setup(srv)
    _, typed, shown = at(10, 15)
    m = plain(srv, keys['mem'], 'mem')
    st = plain(srv, keys['staffer'], 'staffer')
    try:
        m.keys('9', 'Enter')
        m.wait_for('You have not asked for a speaker yet.')
        m.keys('n', 'Enter')
        m.wait_for('Topic: what would the talk be about?')
        m.keys('Open data licences', 'Enter')
        m.wait_for('For one community?', '1. COP')     # chosen by number, not typed
        m.keys('1', 'Enter')
        m.wait_for('full stop')
        m.keys('We publish data and are unsure.', 'Enter', '.', 'Enter')
        m.wait_for('Preferred times')
        m.keys('Tuesday afternoons', 'Enter')
        m.wait_for('Sent. Staff will answer here')
        m.wait_for('1. pending: Open data licences (for cop;')
        rid = srv.query('SELECT id FROM expert_requests')[0][0]
        assert srv.query('SELECT topic, why, preferred_times, status FROM expert_requests') == [
            ('Open data licences', 'We publish data and are unsure.\n', 'Tuesday afternoons',
             'pending')]
        # staff see the queue and ask for more
        st.keys('9', 'Enter')
        s = st.wait_for('o only yours')
        assert "Expert speaker requests: everyone's, any status" in s, s
        assert '1. pending: Open data licences (for cop;' in s and 'by Max Member, @mem' in s, s
        st.keys('1', 'Enter')
        s = st.wait_for('0. Back to the list')
        assert 'Preferred times: Tuesday afternoons' in s and 'We publish data' in s, s
        st.keys('4', 'Enter')
        st.wait_for('What would you like to know?')
        st.keys('Which kind of data?', 'Enter')
        st.wait_for('Done: the request is now staff asked for more information.')
        # the member answers
        m.keys('1', 'Enter')
        s = m.wait_for('0. Back to the list')
        assert "Staff's answer by staffer: Which kind of data?" in s, s
        m.keys('1', 'Enter')
        m.wait_for('Your answer (one line')
        m.keys('Transport timetables.', 'Enter')
        m.wait_for('Done: the request is now pending.')
        wait_db(srv, 'SELECT status FROM expert_requests', [('pending',)])
        assert 'Transport timetables.' in srv.query('SELECT why FROM expert_requests')[0][0]
        # staff accept: speaker, start, length, title, kind, description
        st.keys('0', 'Enter')
        st.wait_for('o only yours')
        st.keys('1', 'Enter')
        st.wait_for('2. Accept: create the event')
        st.keys('2', 'Enter')
        st.wait_for("Speaker's handle")
        st.keys('lead', 'Enter')
        st.wait_for('YYYY-MM-DD HH:MM')
        st.keys(typed, 'Enter')
        st.wait_for('Duration in minutes')
        st.keys('Enter')
        st.wait_for('Title of the event (Enter for the topic: Open data licences)')
        st.keys('Open data, openly', 'Enter')
        st.wait_for('What kind of event?')
        st.keys('Enter')                            # show and tell, the default
        st.wait_for('Write a description of the event?')
        st.keys('Enter')
        st.wait_for('Type yes to accept')
        st.keys('yes', 'Enter')
        st.wait_for('Done: the request is now accepted.')
        st.wait_for('Accepted: it is event')
        # the member sees the decision in the list, and opens the event
        m.keys('0', 'Enter')
        m.wait_for('1. accepted: Open data licences')
        m.keys('1', 'Enter')
        m.wait_for('5. Open its event')
        m.keys('5', 'Enter')
        s = m.wait_for('0. Back to the programme')
        assert 'Event: Open data, openly' in s and 'Hosts: Lena Lead (@lead)' in s, s
        assert 'When: %s, for 60 minutes' % shown in s, s
        assert 'Kind: show and tell, cop' in s, s
    finally:
        m.kill()
        st.kill()
    rows = srv.query('SELECT r.status, e.title, e.kind, e.duration FROM expert_requests r '
                     'JOIN events e ON e.id = r.event_id WHERE r.id = ?', rid)
    assert rows == [('accepted', 'Open data, openly', 'show_and_tell', 3600)], rows


def test_plain_reads_kept_consult():
    srv = Server()
    keys = setup(srv)
    lead = srv.session(keys['lead'])
    mem = srv.session(keys['mem'])
    eid = ok(lead.call('event.create', community='cop', title='CV surgery',
                       kind='surgery', starts_at=at(1)[0]))['event']['id']
    ok(mem.call('event.queue', id=eid, topic='My CV'))
    rid = ok(lead.call('room.open', event_id=eid, record='off'))['room']['room_id']
    ok(mem.call('room.join', room_id=rid))
    ok(lead.call('room.queue_take', room_id=rid, private=True, record='transcript'))
    until(mem, lambda m: m.get('event') == 'room.consult' and m['data'].get('active'))
    ok(mem.call('room.say', room_id=rid, text='my secret detail'))
    ok(lead.call('room.say', room_id=rid, text='some private advice'))
    ok(lead.call('room.close', room_id=rid))
    mem.close()
    t = plain(srv, keys['mem'], 'mem')
    try:
        t.keys('10', 'Enter')
        s = t.wait_for('Number to read')
        assert '1. In "CV surgery" with Lena Lead (@lead), ' in s and ', 2 messages' in s, s
        t.keys('1', 'Enter')
        s = t.wait_for('Enter to go back to the list')
        assert 'Private consult with Lena Lead (@lead) in the room "CV surgery"' in s, s
        assert 'Max Member (@mem):' in s and 'my secret detail' in s, s
        assert 'Lena Lead (@lead):' in s and 'some private advice' in s, s
        assert s.index('my secret detail') < s.index('some private advice'), s
        t.keys('Enter')
        t.wait_for('Number to read')
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
    finally:
        t.kill()
