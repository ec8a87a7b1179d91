"""Members' time zones (issue 14): profile.update's timezone, the server's
default (the `timezone` setting), and every time on screen in the member's
zone with its abbreviation, in the TUI (`ssh -tt` in tmux, so the TUI is
the privilege-dropped hearth-tui reading the system's zoneinfo) and in
the line mode, which speaks times ("Thursday 15 July 2027, 3 pm BST").
Expected times come from Python's zoneinfo, over the same tzdata."""
import datetime
from zoneinfo import ZoneInfo

from fixtures import community, err, ev, ok, people, tui, until
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
        for _ in range(7):
            t.keys('Enter')
        t.wait_for('Time zone (e.g. Europe/London) [Europe/London]')
        t.keys('Asia/Tokyo', 'Enter')
        for prompt in ('Expertise [', 'Happy to mentor?', 'Number (Enter: keep'):
            t.wait_for(prompt)
            t.keys('Enter')
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


def next_time(month, day=15, hour=14):
    """The next month/day at hour:00 UTC after now (within a year)."""
    now = datetime.datetime.now(UTC)
    t = datetime.datetime(now.year, month, day, hour, tzinfo=UTC)
    return t if t > now + datetime.timedelta(minutes=5) else t.replace(year=now.year + 1)


def server_says(t, zone):
    """How hearthd writes t for a member in zone: "Thu 15 Jul 15:00 BST"."""
    lt = t.astimezone(ZoneInfo(zone))
    return '%s %d %s %s' % (lt.strftime('%a'), lt.day, lt.strftime('%b %H:%M'), lt.tzname())


def mute_notice(srv, lead, handle, until):
    seconds = int((until - datetime.datetime.now(UTC)).total_seconds())
    ok(lead.call('member.mute', slug='cop', handle=handle, seconds=seconds,
                 reason='Cooling off'))
    # the mute ends at now + seconds: the minute shown is the one it ends in
    ends = srv.query("SELECT ends_at FROM community_mutes m JOIN members u ON "
                     "u.id = m.member_id WHERE u.handle = ?", handle)[0][0]
    texts = [r[0] for r in srv.query(
        "SELECT n.text FROM notifications n JOIN members m ON m.id = n.member_id "
        "WHERE m.handle = ? AND n.kind = 'muted'", handle)]
    return datetime.datetime.fromtimestamp(ends, UTC), texts


def check_server_texts(srv, zones):
    """Each member, muted until next July and then January, is told the
    time in their zone; a refused post says it too."""
    keys = people(srv, 'lead', *zones)
    community(srv, 'cop', 'platform', [('lead', 'leader')] + [(h, 'member') for h in zones])
    lead = srv.session(keys['lead'])
    tid = srv.query("SELECT welcome_thread_id FROM communities WHERE slug = 'cop'")[0][0]
    for handle, zone in zones.items():
        s = srv.session(keys[handle])
        ok(s.call('profile.update', timezone=zone))
        for month in (7, 1):
            ends, texts = mute_notice(srv, lead, handle, next_time(month))
            want = server_says(ends, zone)
            assert any('until %s:' % want in x for x in texts), (want, texts)
            r = s.call('post.create', thread_id=tid, body='Hello')
            err(r, 'forbidden', want)


def test_server_texts_in_the_members_zone():
    srv = Server()
    check_server_texts(srv, {'uk': 'Europe/London', 'syd': 'Australia/Sydney',
                             'nyc': 'America/New_York'})
    texts = [server_says(next_time(7), 'Europe/London'), server_says(next_time(1),
                                                                     'Europe/London')]
    assert texts[0].endswith('15:00 BST') and texts[1].endswith('14:00 GMT'), texts


ZONE_SOURCE = """\
Rule UK 1996 max - Mar lastSun 1:00u 1:00 BST
Rule UK 1996 max - Oct lastSun 1:00u 0 GMT
Zone Slim/London 0:00 UK %s
Rule AN 2008 max - Apr Sun>=1 2:00s 0 AEST
Rule AN 2008 max - Oct Sun>=1 2:00s 1:00 AEDT
Zone Slim/Sydney 10:00 AN %s
"""


def test_slim_zone_files_use_their_rule():
    """Zone files compiled "slim" (zic -b slim) hold few transitions and a
    POSIX rule for the rest ("GMT0BST,M3.5.0/1,M10.5.0"): the server reads
    the rule. TZDIR points hearthd at such files."""
    import os
    import subprocess
    from harness import tmpdir
    d = os.path.join(tmpdir(), 'zoneinfo')
    src = os.path.join(tmpdir(), 'zones.txt')
    with open(src, 'w') as f:
        f.write(ZONE_SOURCE)
    subprocess.run(['zic', '-b', 'slim', '-d', d, src], check=True)
    with open(os.path.join(d, 'Slim', 'London'), 'rb') as f:
        data = f.read()
    assert data.endswith(b'\nGMT0BST,M3.5.0/1,M10.5.0\n'), data[-40:]
    old = os.environ.get('TZDIR')
    os.environ['TZDIR'] = d
    try:
        srv = Server()
    finally:
        if old is None:
            del os.environ['TZDIR']
        else:
            os.environ['TZDIR'] = old
    keys = people(srv, 'lead', 'uk', 'syd')
    community(srv, 'cop', 'platform', [('lead', 'leader'), ('uk', 'member'),
                                       ('syd', 'member')])
    lead = srv.session(keys['lead'])
    for handle, zone, real in (('uk', 'Slim/London', 'Europe/London'),
                               ('syd', 'Slim/Sydney', 'Australia/Sydney')):
        ok(srv.session(keys[handle]).call('profile.update', timezone=zone))
        for month in (7, 1):
            ends, texts = mute_notice(srv, lead, handle, next_time(month))
            want = server_says(ends, real)
            assert any('until %s:' % want in x for x in texts), (want, texts)


def test_other_sessions_follow_a_new_zone():
    """A zone changed on one connection reaches the member's others: the
    event, and a line-mode session that shows times in it at once."""
    srv, keys, summer, _ = setup()
    other = srv.session(keys['uk'])
    t = plain(srv, keys['uk'], 'uk')
    try:
        ok(srv.session(keys['uk']).call('profile.update', timezone='Europe/London'))
        until(other, ev('member.timezone', timezone='Europe/London'))
        t.keys('8', 'Enter')
        t.wait_for('(times in Europe/London)', spoken(summer, 'Europe/London'))
    finally:
        t.kill()


def next_change(zone, after_days=3):
    """The first local date (at least after_days ahead) on which zone's UTC
    offset at noon differs from the day before's: (date, old, new offset)."""
    z = ZoneInfo(zone)
    day = datetime.datetime.now(UTC).date() + datetime.timedelta(days=after_days)
    noon = lambda d: datetime.datetime(d.year, d.month, d.day, 12, tzinfo=z)
    while noon(day).utcoffset() == noon(day - datetime.timedelta(days=1)).utcoffset():
        day += datetime.timedelta(days=1)
    return day, noon(day - datetime.timedelta(days=1)).utcoffset(), noon(day).utcoffset()


def test_weekly_event_keeps_its_wall_clock_time_across_summer_time():
    """A weekly 14:00 drop-in on a Europe/London server stays at 14:00
    London time on both sides of the next BST/GMT change: the server's
    occurrences, the TUI's calendar week and the calendar feed's TZID."""
    import subprocess
    from test_event import parse_ics
    srv = Server({'timezone': 'Europe/London'})
    keys = people(srv, ('lead', 'member'), ('uk', 'member'), ('ny', 'member'))
    community(srv, 'cop', 'platform', [('lead', 'leader'), ('uk', 'member'),
                                       ('ny', 'member')])
    change, before_off, after_off = next_change('Europe/London')
    london = ZoneInfo('Europe/London')
    # two weeks before the change, on the change's weekday, 14:00 London
    d0 = change - datetime.timedelta(days=14)
    first = datetime.datetime(d0.year, d0.month, d0.day, 14, tzinfo=london)
    lead = srv.session(keys['lead'])
    eid = ok(lead.call('event.create', community='cop', title='Drop-in',
                       starts_at=first.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ'),
                       duration=60, recurrence='weekly'))['event']['id']
    mem = srv.session(keys['uk'])

    def wire(t):
        return t.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')
    for weeks in (1, 2, 3, 30):
        d = d0 + datetime.timedelta(days=7 * weeks)
        local = datetime.datetime(d.year, d.month, d.day, 14, tzinfo=london)
        r = ok(mem.call('event.rsvp', id=eid, status='going', occurrence=wire(local)))
        assert r['for'] == wire(local), (weeks, r)
        # the same UTC time as the first start is not one after the change
        same_utc = first.astimezone(UTC) + datetime.timedelta(days=7 * weeks)
        if weeks >= 2 and same_utc != local:
            err(mem.call('event.rsvp', id=eid, status='going',
                         occurrence=wire(same_utc)), 'bad_request',
                'does not happen then')
    # the calendar week, the week after the change: still 14:00-15:00 London
    t = tui(srv, keys['uk'], 'uk')
    try:
        t.wait_for('Welcome, Uk', timeout=15)
        t.keys('E')
        t.wait_for('Upcoming events')
        t.wait_for('Drop-in')
        t.keys('w')
        t.wait_for('Week ')
        today = datetime.datetime.now(london).date()
        monday = today - datetime.timedelta(days=today.weekday())
        after = change + datetime.timedelta(days=7 - (change.weekday() - d0.weekday()) % 7
                                            if change.weekday() != d0.weekday() else 0)
        for _ in range((after - monday).days // 7):
            t.keys(']')
        t.wait_for('%s │ 14:00-15:00  Drop-in' % after.strftime('%a %d %b'))
        t.keys('[', '[')
        t.wait_for('%s │ 14:00-15:00  Drop-in' %
                   (after - datetime.timedelta(days=14)).strftime('%a %d %b'))
    finally:
        t.kill()
    # the feed: DTSTART in London time with its VTIMEZONE, so calendar apps
    # keep 14:00 London across the change too
    ok(mem.call('event.rsvp', id=eid, status='going', occurrence='every'))
    p = subprocess.run(srv.ssh_base(keys['uk']) + ['127.0.0.1', 'calendar'],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p
    text = p.stdout.decode()
    parse_ics(text)
    lines = text.split('\r\n')
    assert 'DTSTART;TZID=Europe/London:%s' % first.strftime('%Y%m%dT140000') in lines, text
    assert 'RRULE:FREQ=WEEKLY' in lines
    vtz = lines[lines.index('BEGIN:VTIMEZONE'):lines.index('END:VTIMEZONE') + 1]
    assert 'TZID:Europe/London' in vtz, vtz
    day = vtz[vtz.index('BEGIN:DAYLIGHT'):vtz.index('END:DAYLIGHT')]
    std = vtz[vtz.index('BEGIN:STANDARD'):vtz.index('END:STANDARD')]
    assert {'TZOFFSETFROM:+0000', 'TZOFFSETTO:+0100', 'TZNAME:BST',
            'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU'} <= set(day), day
    assert {'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0000', 'TZNAME:GMT',
            'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU'} <= set(std), std
    assert 'DTSTART:19700329T010000' in day and 'DTSTART:19701025T020000' in std
    # the TUI learns the zone series keep with the member
    me = ok(srv.session(keys['uk']).call('whoami'))['member']
    assert me['events_timezone'] == 'Europe/London', me
