"""Line mode programme words: a repeating event's time said honestly across
the clock change (a series keeps the server's wall-clock time), and the
calendar hint with this server's own connect line."""
import datetime

from fixtures import ok
from harness import Server
from test_plain import at, plain, setup


def open_event(srv, keys):
    t = plain(srv, keys['mem'], 'mem')
    t.keys('8', 'Enter')
    t.wait_for('Number to open an event')
    t.keys('1', 'Enter')
    return t, t.wait_for('0. Back to the programme')


def weekly(srv, keys):
    lead = srv.session(keys['lead'])
    iso, _, _ = at(3)
    ok(lead.call('event.create', community='cop', title='Weekly drop-in',
                 kind='drop_in', starts_at=iso, duration=60, recurrence='weekly'))
    lead.close()
    return datetime.datetime.strptime(iso, '%Y-%m-%dT%H:%M:%SZ')


def test_a_weekly_series_across_the_clock_change_names_both_zones():
    srv = Server({'timezone': 'Europe/London'})
    keys = setup(srv)
    d = weekly(srv, keys)
    t, s = open_event(srv, keys)
    try:
        # the same wall time all year, whichever abbreviation it has
        assert 'Repeats: every week, on %ss at ' % d.strftime('%A') in s, s
        assert ' (GMT in winter, BST in summer)' in s, s
        if d.month in (11, 12, 1, 2):
            assert 'at 2 pm (GMT in winter' in s, s
    finally:
        t.kill()


def test_a_utc_series_read_in_london_says_where_the_clock_moves():
    srv = Server()
    keys = setup(srv)
    s = srv.session(keys['mem'])
    ok(s.call('profile.update', timezone='Europe/London'))
    s.close()
    d = weekly(srv, keys)
    t, s = open_event(srv, keys)
    try:
        if d.month in (11, 12, 1, 2):
            assert 'Repeats: every week, on %ss at 2 pm GMT, 3 pm BST in summer' \
                % d.strftime('%A') in s, s
    finally:
        t.kill()


def test_the_calendar_hint_is_this_servers_connect_line():
    srv = Server()
    keys = setup(srv)
    t = plain(srv, keys['mem'], 'mem')
    try:
        t.keys('8', 'Enter')
        s = t.wait_for('Number to open an event')
        assert 'ssh -p %d 127.0.0.1 calendar > hearth.ics' % srv.port in s, s
        assert 'HOST' not in s and '2222' not in s, s
    finally:
        t.kill()
