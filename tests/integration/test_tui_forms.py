"""Forms and the composer as members meet them, end to end (tmux runs
`ssh -tt` against a real hearthd): long introductions and errors wrap at
80 columns, a draft that comes back keeps the cursor where the person was,
the e-mail, devices and profile screens behave as their key lines say."""
import re

from fixtures import community, ok, people, tui, wait_db, wait_until
from harness import Server


def test_form_introduction_and_composer_hint_wrap_at_80_columns():
    from test_survey_screens import town
    srv = Server()
    keys = town(srv)
    t = tui(srv, keys['mgr'], 'mgr', width=80, height=30)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('Q')
        t.wait_for('T:repeat')
        t.keys('T')
        # the whole introduction, its end included, on the screen
        screen = t.wait_for('Repeat the temperature check', 'First in')
        flat = ' '.join(screen.split())
        assert 'so the health report shows them over time.' in flat, screen
        t.keys('Escape')
        t.wait_for('T:repeat')
        t.keys('c')
        screen = t.wait_for('New survey', 'Number or band')
        # a long hint wraps too
        assert 'lurkers, regulars, engaged, ca\n' not in screen, screen
        for _ in range(5):
            t.keys('Tab')
        t.keys('-l', 'Our own survey')
        t.keys('C-s')
        screen = t.wait_for('Ctrl-S:send', 'One question a line')
        flat = ' '.join(screen.split())
        assert '| between choices:' in flat, screen
    finally:
        t.kill()


def new_thread_draft(srv):
    rows = srv.query("SELECT title, body FROM drafts WHERE key = 'thread:cop'")
    return rows[0] if rows else None


def test_a_new_thread_draft_comes_back_with_the_cursor_in_the_body():
    from test_live import forum, kill_ssh
    srv = Server({'resume_minutes': 10})
    keys, s, tid, ids = forum(srv, posts=1)
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Welcome, Pat Doe', timeout=20)
        t.wait_for('Students')
        t.keys('Enter')
        t.wait_for('Threads', 'Supervision notes')
        wait_db(srv, 'SELECT screen FROM member_where', [('community',)], timeout=15)
        t.keys('c')
        t.wait_for('Ctrl-S:send')
        t.keys('-l', 'Rota for winter')
        t.keys('Tab')
        t.keys('-l', 'Who takes the nights')
        wait_until(lambda: new_thread_draft(srv) == ('Rota for winter',
                                                     'Who takes the nights'),
                   15, 'the new thread draft on the server')
        kill_ssh(t)
    finally:
        t.kill()
    # back in the community, the composer open again, the login says so
    t = tui(srv, keys['pat'], 'pat')
    try:
        t.wait_for('Back where you were, with your unsent new thread',
                   'Title: Rota for winter', 'Who takes the nights', timeout=20)
        t.keys('-l', ' in December?')
        wait_until(lambda: new_thread_draft(srv) == (
            'Rota for winter', 'Who takes the nights in December?'), 15,
            'the typing went to the body')
        t.keys('Escape')
        t.wait_for('Threads')
        # c again: the draft is back, the typing still goes to the body
        t.keys('c')
        t.wait_for('Your draft is back', 'Who takes the nights in December?',
                   timeout=15)
        t.keys('-l', ' Or January')
        wait_until(lambda: new_thread_draft(srv) == (
            'Rota for winter', 'Who takes the nights in December? Or January'),
            15, 'the typing went to the body again')
    finally:
        t.kill()


def test_email_screen_before_and_after_the_code_space_ticks():
    from test_mail import Sink, mail_server, code_in
    sink = Sink()
    srv = mail_server(sink, {'login_grace': 30})
    keys = people(srv, 'tess')
    t = tui(srv, keys['tess'], 'tess', width=110, height=34)
    try:
        t.wait_for('Welcome, Tess', timeout=15)
        t.keys('p')
        t.wait_for('E-mail (E)')
        t.keys('E')
        t.wait_for('Set your e-mail address')
        t.keys('Enter')
        t.wait_for('a code is sent to it')
        t.keys('tess@example.org', 'Enter')
        # not confirmed yet: the code, the settings and Remove, as the
        # line mode shows them
        t.wait_for('not confirmed yet', 'Type the code we sent to it',
                   'Digest: weekly', 'When someone mentions you',
                   'Remove my address')
        code = code_in(sink, 1)
        t.keys('Down', 'Enter')
        t.wait_for('six-digit code')
        t.keys('000000' if code != '000000' else '111111', 'Enter')
        t.wait_for('That is not the code we sent')
        t.keys('Enter')
        t.wait_for('six-digit code')
        t.keys(code, 'Enter')
        t.wait_for('confirmed', 'Digest: weekly', 'When someone mentions you')
        wait_until(lambda: 'Type the code' not in t.screen(), 10, 'the code row gone')
        # Space on a switch ticks it (it does not page down)
        t.keys('g', 'Down', 'Down')     # the address, the digest, mentions
        t.keys('Space')
        wait_until(lambda: srv.query('SELECT mentions FROM member_email') == [(0,)],
                   10, 'mentions off by Space')
        wait_until(lambda: any(l.rstrip().endswith('[ ] no') for l in t.screen().splitlines()
                               if 'When someone mentions you' in l), 10, 'the row shows no')
    finally:
        t.kill()


def test_a_device_joined_by_invite_is_in_use_and_its_time_is_whole():
    from harness import Key
    srv = Server()
    code = srv.admin_invite()
    key = Key('newbie')
    s = srv.session(key, 'join')
    ok(s.call('invite.redeem', code=code, handle='nia', display_name='Nia'))
    s.close()
    mine = [k for k in ok(srv.session(key).call('device.list'))['keys'] if k['current']]
    assert mine and mine[0]['last_used_at'], mine
    t = tui(srv, key, 'nia', width=100, height=30)
    try:
        t.wait_for('Welcome, Nia', timeout=15)
        t.keys('p')
        t.wait_for('Devices (D)')
        t.keys('D')
        screen = t.wait_for('Your devices', '(this device)')
        row = [l for l in screen.splitlines() if '(this device)' in l][0]
        assert 'not used yet' not in row and 'last used' in row, screen
        added = [l for l in screen.splitlines() if 'added' in l and 'SHA256:' in l][0]
        # the whole time: "7 Dec 05:14" (or a date), never "7 Dec 05:1"
        assert re.search(r'added \d{1,2} \w{3}( \d{4})? \d\d:\d\d( UTC)?\s*$', added), added
    finally:
        t.kill()


def test_profile_time_zone_typing_replaces_it_and_a_refusal_goes_back_to_it():
    srv = Server({'timezone': 'UTC'})
    keys = people(srv, 'uk')
    t = tui(srv, keys['uk'], 'uk', width=80, height=30)
    try:
        t.wait_for('Welcome', timeout=15)
        t.keys('p')
        t.wait_for('E-mail (E): what Hearth sends you.')
        t.keys('e')
        t.wait_for('Time zone: UTC')
        for _ in range(7):              # Name ... Contact, then Time zone
            t.keys('Down')
        t.wait_for('typing replaces it')
        t.keys('-l', 'Nowhere/Land')
        t.wait_for('Time zone: Nowhere/Land')
        assert 'UTCNowhere' not in t.screen()
        t.keys('Up')                    # elsewhere when it is sent
        t.keys('C-s')
        screen = t.wait_for('That is not a time zone')
        flat = ' '.join(screen.split())
        # the whole sentence, wrapped at 80 columns
        assert "or leave it empty for the server's, UTC)." in flat, screen
        # back on the time zone, its value selected: typing replaces it
        t.wait_for('typing replaces it')
        t.keys('-l', 'Europe/London')
        t.wait_for('Time zone: Europe/London')
        t.keys('C-s')
        wait_db(srv, "SELECT timezone FROM members WHERE handle = 'uk'",
                [('Europe/London',)], timeout=10)
    finally:
        t.kill()


def test_library_lists_again_when_shown_and_its_key_line_fits_ssh():
    import os
    from harness import tmpdir
    from test_library import setup, sftp, scp, write, remote
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n'
         % write(os.path.join(d, 'plan.md'), b'# Plan\n\nReading list: Freire.\n'))
    t = tui(srv, keys['pat'], 'pat', width=160, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('Enter')
        t.wait_for('0 Library')
        t.keys('0')
        t.wait_for('plan.md', 'R:reload')
        # over plain ssh U and D move no files: not offered
        last = t.screen().rstrip('\n').split('\n')[-1]
        assert 'U/D' not in last and 'D:download' not in last, last
        # an upload with scp meanwhile, from the member's own machine
        scp(srv, keys['pat'], 'pat', write(os.path.join(d, 'rota.md'), b'# Rota\n'),
            remote('pat', '/students/'))
        # back to the list from a document: the upload is listed
        t.keys('Enter')
        t.wait_for('Reading list')
        t.keys('q')
        t.wait_for('rota.md', 'plan.md', timeout=10)
    finally:
        t.kill()


def test_new_event_form_offers_only_led_communities_and_says_kinds_in_words():
    from test_tui_programme import programme
    srv = Server()
    keys = people(srv, ('lead', 'member'), ('own', 'member'), ('boss', 'staff'))
    community(srv, 'cop', 'platform', [('lead', 'manager')], name='Carers')
    community(srv, 'joined', 'platform', [('lead', 'member'), ('own', 'manager')],
              name='Joined only')
    community(srv, 'hidden', 'private', [('own', 'manager')], name='Hidden circle')
    t = tui(srv, keys['lead'], 'lead', width=100, height=30)
    try:
        programme(t, 'Lead')
        t.wait_for('c:new event')
        t.keys('c')
        t.wait_for('New event', '< drop-in >', 'come and go as you like')
        assert 'drop_in' not in t.screen()
        t.keys('Tab', 'Tab', 'Tab', 'Tab')      # Kind, Starts, Duration, Repeats
        t.wait_for('< none >')
        assert 'same day of the month' not in t.screen(), t.screen()
        t.keys('Space')
        t.wait_for('< weekly >', 'every week, on the same weekday')
        t.keys('Space', 'Space')
        t.wait_for('< monthly >', 'on the same day of the month')
        t.keys('Tab', 'Tab')                    # Capacity, then Community
        t.wait_for('< Carers >')
        seen = set()
        for _ in range(4):                      # every choice, round and back
            t.keys('Space')
            time_screen = t.screen()
            for name in ('Carers', 'Joined only', 'Hidden circle', '(none)'):
                if '< %s >' % name in time_screen:
                    seen.add(name)
        assert seen == {'Carers'}, seen
        t.keys('Escape')
    finally:
        t.kill()
    # created with the words turned back into the kind's name
    t = tui(srv, keys['lead'], 'lead', width=100, height=30)
    try:
        programme(t, 'Lead')
        t.keys('c')
        t.wait_for('New event', '< Carers >')
        t.keys('C-r')
        t.wait_for('< drop-in >')
        t.keys('C-u', 'Tea and talk', 'Tab', 'Space', 'Space')
        t.wait_for('< show and tell >')
        t.keys('C-s')
        t.wait_for('show and tell in cop')
        assert srv.query("SELECT kind FROM events WHERE title = 'Tea and talk'") == [
            ('show_and_tell',)], t.screen()
    finally:
        t.kill()
