"""Members' time zones (issue 14): profile.update's timezone, the server's
default (the `timezone` setting), and every time on screen in the member's
zone with its abbreviation, in the TUI (`ssh -tt` in tmux, so the TUI is
the privilege-dropped hearth-tui reading the system's zoneinfo) and in
the line mode, which speaks times ("Thursday 15 July 2027, 3 pm BST").
Expected times come from Python's zoneinfo, over the same tzdata."""
import datetime
from zoneinfo import ZoneInfo

from fixtures import community, err, ok, people, tui
from harness import Server, Tmux

UTC = datetime.timezone.utc


def open_event(t):
    """Enter on the programme's first event until its screen shows (a key
    that lands while the list is being filled again is not lost for good)."""
    for _ in range(5):
        t.keys('Enter')
        try:
            return t.wait_for('Coming:', timeout=3)
        except AssertionError:
            if 'Coming:' in t.screen():
                return t.screen()
    return t.wait_for('Coming:')


def future(month, day=15, hour=14):
    """A time next year (always ahead) in month, at hour:00 UTC: (datetime, ISO)."""
    year = datetime.datetime.now(UTC).year + 1
    t = datetime.datetime(year, month, day, hour, 0, tzinfo=UTC)
    return t, t.strftime('%Y-%m-%dT%H:%M:%SZ')


def tui_row(t, zone):
    """How the programme list shows t for a member in zone."""
    lt = t.astimezone(ZoneInfo(zone))
    return lt.strftime('%a %d %b %Y %H:%M ') + lt.tzname()


def spoken(t, zone):
    """How the line mode says t for a member in zone."""
    lt = t.astimezone(ZoneInfo(zone))
    h = lt.hour
    clock = 'noon' if (h, lt.minute) == (12, 0) else \
        'midnight' if (h, lt.minute) == (0, 0) else \
        '%d%s %s' % (h % 12 or 12, ':%02d' % lt.minute if lt.minute else '',
                     'am' if h < 12 else 'pm')
    year = '' if lt.year == datetime.datetime.now(UTC).year else ' %d' % lt.year
    return '%s %d %s%s, %s %s' % (lt.strftime('%A'), lt.day, lt.strftime('%B'), year,
                                  clock, lt.tzname())


def setup(config=None):
    srv = Server(config)
    keys = people(srv, ('lead', 'member'), ('uk', 'member'), ('ny', 'member'))
    community(srv, 'cop', 'platform', [('lead', 'leader'), ('uk', 'member'),
                                       ('ny', 'member')])
    lead = srv.session(keys['lead'])
    summer, siso = future(7)
    winter, wiso = future(1)
    ok(lead.call('event.create', community='cop', title='Summer clinic',
                 starts_at=siso, duration=60))
    ok(lead.call('event.create', community='cop', title='Winter clinic',
                 starts_at=wiso, duration=60))
    return srv, keys, summer, winter


def test_timezone_is_checked_stored_and_sent_with_the_member():
    srv = Server({'timezone': 'Europe/London'})
    keys = people(srv, 'uk')
    s = srv.session(keys['uk'])
    # the server's default until the member chooses
    me = ok(s.call('whoami'))['member']
    assert me['timezone'] == 'Europe/London' and me['timezone_chosen'] is False, me
    for bad in ('Mars/Olympus', '../../etc/passwd', 'Europe/London ', '/etc/localtime',
                'Europe//London', 'x' * 70, 'zone.tab', 'tzdata.zi'):
        r = s.call('profile.update', timezone=bad)
        err(r, 'bad_request', 'is not a time zone this server knows')
        assert 'Europe/London' in r['error']['message'], r     # says what to type
    err(s.call('profile.update', timezone=7), 'bad_request')
    assert srv.query("SELECT timezone FROM members WHERE handle = 'uk'") == [('',)]
    # a refused zone changes nothing else either
    err(s.call('profile.update', display_name='Changed', timezone='Nowhere/Land'),
        'bad_request')
    assert srv.query("SELECT display_name FROM members WHERE handle = 'uk'") != [('Changed',)]
    p = ok(s.call('profile.update', timezone='America/New_York'))['profile']
    assert p['timezone'] == 'America/New_York' and p['timezone_chosen'] is True, p
    assert ok(s.call('profile.get'))['profile']['timezone'] == 'America/New_York'
    # others do not see it
    other = srv.session(srv.new_member('other'))
    assert 'timezone' not in ok(other.call('profile.get', handle='uk'))['profile']
    # a new session is greeted with it
    again = srv.session(keys['uk'])
    assert ok(again.call('whoami'))['member']['timezone'] == 'America/New_York'
    # "" goes back to the server's
    assert ok(s.call('profile.update', timezone=''))['profile']['timezone'] == \
        'Europe/London'


def test_hearthd_refuses_an_unknown_default_zone():
    try:
        Server({'timezone': 'Atlantis/Capital'})
    except AssertionError as e:
        assert 'timezone' in str(e), e
    else:
        raise AssertionError('hearthd started with timezone = Atlantis/Capital')


def test_tui_shows_bst_in_summer_and_gmt_in_winter_per_member_zone():
    srv, keys, summer, winter = setup({'timezone': 'Europe/London'})
    ok(srv.session(keys['ny']).call('profile.update', timezone='America/New_York'))
    # the UK member (the server's default zone): summer is BST, an hour on
    t = tui(srv, keys['uk'], 'uk', width=100)
    try:
        t.wait_for('Welcome, ', timeout=15)
        t.keys('E')
        screen = t.wait_for('Upcoming events  (times Europe/London)', 'Summer clinic',
                            'Winter clinic')
        srow, wrow = tui_row(summer, 'Europe/London'), tui_row(winter, 'Europe/London')
        assert srow.endswith('15:00 BST') and wrow.endswith('14:00 GMT'), (srow, wrow)
        assert srow + '  Summer clinic' in screen, screen
        assert wrow + '  Winter clinic' in screen, screen
        # the event screen too
        screen = open_event(t)
        assert 'When:     ' + tui_row(winter, 'Europe/London').rsplit(' ', 1)[0] + \
            '-15:00 GMT' in screen, screen
    finally:
        t.kill()
    # a member in New York sees the same events at their own hours
    t = tui(srv, keys['ny'], 'ny', width=100)
    try:
        t.wait_for('Welcome, ', timeout=15)
        t.keys('E')
        screen = t.wait_for('(times America/New_York)', 'Summer clinic', 'Winter clinic')
        srow, wrow = tui_row(summer, 'America/New_York'), tui_row(winter, 'America/New_York')
        assert srow.endswith('10:00 EDT') and wrow.endswith('09:00 EST'), (srow, wrow)
        assert srow + '  Summer clinic' in screen and wrow + '  Winter clinic' in screen, \
            screen
    finally:
        t.kill()


def test_tui_profile_sets_the_zone_and_screens_follow():
    srv, keys, summer, _ = setup()
    t = tui(srv, keys['uk'], 'uk', width=100, height=30)
    try:
        t.wait_for('Welcome, ', timeout=15)
        t.keys('E')
        t.wait_for('Upcoming events  (times UTC)', 'Summer clinic')
        assert tui_row(summer, 'UTC') in t.screen()
        t.keys('Escape')
        t.wait_for('Welcome, ')
        t.keys('p')
        t.wait_for('@uk', 'Time zone')
        t.keys('e')
        for _ in range(7):        # Name .. Contact, then Time zone
            t.keys('Tab')
        t.keys('C-u', 'Pacific/Nowhere', 'C-s')
        t.wait_for('is not a time zone this server knows')
        t.keys('C-u', 'Europe/London', 'C-s')
        t.wait_for('Profile saved.')
        assert srv.query("SELECT timezone FROM members WHERE handle = 'uk'") == \
            [('Europe/London',)]
        t.keys('Escape')
        t.wait_for('Welcome, ')
        t.keys('E')
        t.wait_for('(times Europe/London)', tui_row(summer, 'Europe/London'))
    finally:
        t.kill()


def plain(srv, key, user):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 160, 60)
    t.wait_for('Main menu', timeout=15)
    return t


def test_line_mode_speaks_times_in_the_members_zone():
    srv, keys, summer, winter = setup({'timezone': 'Europe/London'})
    t = plain(srv, keys['uk'], 'uk')
    try:
        t.keys('8', 'Enter')
        say_s, say_w = spoken(summer, 'Europe/London'), spoken(winter, 'Europe/London')
        assert say_s.endswith('3 pm BST') and say_w.endswith('2 pm GMT'), (say_s, say_w)
        screen = t.wait_for('(times in Europe/London)', say_s + ': Summer clinic',
                            say_w + ': Winter clinic')
        assert 'T14:00:00Z' not in screen, screen
        # one event in full: the end is spoken too
        t.keys('1', 'Enter')
        t.wait_for('When: %s, for 60 minutes (until 3 pm GMT)' % say_w)
        t.keys('0', 'Enter')
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
        # a typed time is the member's: 15:00 in July London is 14:00 UTC
        t.keys('5', 'Enter')
        t.wait_for('e to edit')
        t.keys('e', 'Enter')
        for _ in range(6):
            t.keys('Enter')
        t.wait_for('timezone [Europe/London]')
        t.keys('Asia/Tokyo', 'Enter')
        t.wait_for('Saved.')
        t.keys('Enter')
        t.keys('8', 'Enter')
        t.wait_for('(times in Asia/Tokyo)', spoken(summer, 'Asia/Tokyo') + ': Summer clinic')
    finally:
        t.kill()


def test_typed_start_is_read_in_the_members_zone():
    srv, keys, summer, _ = setup({'timezone': 'Europe/London'})
    t = plain(srv, keys['lead'], 'lead')
    try:
        t.keys('8', 'Enter')
        t.wait_for('Number to open an event')
        t.keys('n', 'Enter')
        t.wait_for('Where is it?')
        t.keys('1', 'Enter')
        t.wait_for('Title')
        t.keys('BST clinic', 'Enter')
        t.wait_for('What kind of event?')
        t.keys('Enter')
        t.wait_for('Starts, in your time zone (Europe/London)')
        t.keys(summer.strftime('%Y-%m-%d') + ' 15:00', 'Enter')
        t.wait_for('Duration in minutes')
        t.keys('Enter')
        t.wait_for('Does it repeat?')
        t.keys('Enter')
        t.wait_for('How many places?')
        t.keys('Enter')
        t.wait_for('Write a description')
        t.keys('Enter')
        t.wait_for('Event created: BST clinic, %s' % spoken(summer, 'Europe/London'))
    finally:
        t.kill()
    rows = srv.query("SELECT starts_at FROM events WHERE title = 'BST clinic'")
    assert rows == [(int(summer.timestamp()),)], rows
