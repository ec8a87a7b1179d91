"""Finding people on screen (issue 14): the directory filtered as one types
and saying why each member matched, typed letters never reaching other
screens' keys, suggested connections on Home, the profile editor's
expertise (with tags in use), mentoring and contact visibility, the About
text wrapped, the join form filled in from the invite with errors in
sentences; and the same paths in the line mode."""
from fixtures import community, join, ok, people, tui, wait_gone, wait_until
from harness import Key, Server, Tmux

BIO = ('I have worked in rural practice for twenty years, mostly with '
       'farmers and their families, and I now run a small supervision '
       'group that meets online every second Thursday evening at seven.')


def world():
    """Alice (trauma, North West, a mentor), Bob (eco-therapy in About),
    Carol (trauma-informed care, London) and Erin, a newcomer in North West
    with a trauma tag; Alice, Carol and Erin are in Rural."""
    srv = Server()
    keys = people(srv, 'alice', 'bob', 'carol', 'erin')
    community(srv, 'rural', 'platform', name='Rural')
    for h in ('alice', 'carol', 'erin'):
        join(srv, 'rural', h)
    for h, p in {
        'alice': dict(display_name='Alice Andersson', job_role='Art therapist',
                      organisation='NHS Scotland', region='North West',
                      expertise=['trauma', 'art'], mentoring=True,
                      contact='alice@example.org', bio=BIO),
        'bob': dict(display_name='Bob Brown', organisation='Mind',
                    region='North West', bio='Allotments and eco-therapy'),
        'carol': dict(display_name='Carol Cardenas', region='London',
                      expertise=['trauma-informed care']),
        'erin': dict(display_name='Erin Evans', region='North West',
                     expertise=['trauma']),
    }.items():
        s = srv.session(keys[h])
        ok(s.call('profile.update', **p))
        s.close()
    return srv, keys


def test_tui_directory_filters_as_you_type_and_says_why():
    srv, keys = world()
    t = tui(srv, keys['erin'], 'erin', width=100, height=30)
    try:
        t.wait_for('Welcome, Erin', timeout=15)
        t.keys('d')
        t.wait_for('Find members:')
        t.keys('trauma')                 # no Enter: the list follows the typing
        s = t.wait_for('3 members found', 'why: expertise: trauma-informed care')
        assert 'Alice Andersson  @alice  Art therapist  (mentor)' in s, s
        assert 'Bob Brown' not in s, s
        wait_until(lambda: t.screen().count('why: expertise: trauma\n') >= 2 or
                   t.screen().count('why: expertise: trauma ') >= 2, 10, t.screen)
        # open a profile, come back, and type: the letters filter, not keys
        t.keys('Enter', 'Enter')         # to the results, open the first
        t.wait_for('@alice', 'Art therapist', 'happy to mentor')
        t.keys('q')
        t.wait_for('Find members: trauma')
        t.keys('C-u', 'eco-therapy')
        s = t.wait_for('Find members: eco-therapy', '1 member found',
                       'why: about: mentions "eco-therapy"')
        assert 'Bob Brown  @bob' in s and 'Welcome' not in s and 'Name:' not in s, s
        # the other filters: expertise with tags in use, region, community, mentors
        t.keys('C-u', 'Tab', 'trau')
        t.wait_for('Tags in use: trauma (2) trauma-informed care (1)')
        t.keys('Tab', 'north')
        s = t.wait_for('2 members found', 'why: expertise: trauma; region: North West')
        assert 'Carol' not in s, s
        t.keys('Tab', 'Tab', 'Space')
        t.wait_for('Community: Rural')
        t.keys('Tab', 'Space')
        s = t.wait_for('Mentors only: yes', '1 member found',
                       'why: expertise: trauma; region: North West; community: Rural; '
                       'happy to mentor')
        assert 'Alice Andersson' in s and 'Erin Evans' not in s, s
        t.keys('Escape', 'Escape')       # filters -> results -> Home
        t.wait_for('Welcome, Erin')
    finally:
        t.kill()


def test_tui_home_suggests_connections_for_a_newcomer():
    srv, keys = world()
    t = tui(srv, keys['erin'], 'erin', width=140, height=40)
    try:
        s = t.wait_for('People you might connect with', timeout=15)
        lines = [l for l in s.splitlines() if '@' in l and ' - ' in l]
        assert lines[0].strip().startswith(
            'Alice Andersson  @alice  -  happy to mentor; expertise: trauma; '
            'region: North West; community: Rural'), lines
        assert any('Bob Brown  @bob  -  region: North West' in l for l in lines), lines
    finally:
        t.kill()
    # a member who has been here long and writes sees none
    srv.execute("UPDATE members SET created_at = 1 WHERE handle = 'erin'")
    cid = srv.query("SELECT id FROM communities WHERE slug = 'rural'")[0][0]
    s = srv.session(keys['erin'])
    tid = ok(s.call('thread.create', slug='rural', title='Hello', body='one'))['thread_id']
    for i in range(3):
        ok(s.call('post.create', thread_id=tid, body='more %d' % i))
    s.close()
    t = tui(srv, keys['erin'], 'erin', width=140, height=40)
    try:
        # Home asks for suggestions first; the server answers in order, so
        # once the communities' counts show, the suggestions were answered
        s = t.wait_for('Welcome, Erin', 'Rural', 'new  member', timeout=15)
        assert 'People you might connect with' not in s, s
    finally:
        t.kill()
    assert cid


def test_tui_profile_editor_tags_mentoring_visibility_and_about_wraps():
    srv, keys = world()
    t = tui(srv, keys['erin'], 'erin', width=100, height=40)
    try:
        t.wait_for('Welcome, Erin', timeout=15)
        # another member's About wraps instead of running off the screen
        t.keys('d')
        t.wait_for('Find members:')
        t.keys('alice', 'Enter')
        t.wait_for('1 member found')
        t.keys('Enter')
        s = t.wait_for('@alice', 'seven.')
        assert 'Contact' in s and 'alice@example.org' in s, s   # they share Rural
        # from a profile: others with the same expertise
        t.keys('t')
        t.wait_for('Expertise: art', '1 member found', 'why: expertise: art')
        t.keys('Escape')
        t.wait_for('@alice', 'seven.')
        t.keys('r')
        s = t.wait_for('Region: North West', '3 members found')
        assert 'Bob Brown' in s and 'why: region: North West' in s, s
        t.keys('Escape', 'q', 'Escape')
        t.wait_for('Welcome, Erin')
        t.keys('p')
        t.wait_for('@erin', 'Contact seen by')
        t.keys('e')
        t.wait_for('Expertise (tags, commas between): trauma')
        for _ in range(8):                    # name ... contact, time zone
            t.keys('Tab')
        t.keys(', ar')
        t.wait_for('in use: art (1)')
        t.keys('t', 'Tab')
        t.wait_for('Happy to mentor: no')
        t.keys('Space', 'Tab')
        t.wait_for('Happy to mentor: yes')
        t.wait_for('Who sees your contact details: members of communities you share')
        t.keys('Space', 'Space')
        t.wait_for('Who sees your contact details: nobody')
        t.keys('C-s')
        s = t.wait_for('Profile saved', 'Contact seen by')
        assert 'happy to mentor' in s and 'nobody' in s, s
    finally:
        t.kill()
    assert srv.query("SELECT mentoring, contact_visibility FROM members WHERE handle = 'erin'") \
        == [(1, 'nobody')]
    assert srv.query("SELECT tag FROM member_expertise e JOIN members m ON m.id = e.member_id "
                     "WHERE m.handle = 'erin' ORDER BY tag") == [('art',), ('trauma',)]


def test_tui_join_fills_the_name_and_says_which_handles_are_allowed():
    srv = Server()
    community(srv, 'students', name='Students')
    inv = srv.ctl('invite', 'create', '--name', 'Priya Shah', '--community', 'students')
    t = tui(srv, Key('priya'), 'join', width=100, height=30)
    try:
        t.wait_for('Invite code:', timeout=15)
        t.keys(inv['code'], 'Enter')
        t.wait_for('This invite is for Priya Shah, to join Students',
                   'Your name as others see it: Priya Shah')
        t.keys('王芳', 'Enter', 'Enter')
        s = t.wait_for('The handle must be 2-32 characters: lowercase letters a-z')
        assert 'Chinese, Japanese or Korean' in s and 'args.' not in s, s
        t.keys('C-u', 'priya', 'Enter', 'Enter')
        t.wait_for('Welcome, Priya Shah', timeout=10)
    finally:
        t.kill()
    assert srv.query("SELECT handle, display_name FROM members") == [('priya', 'Priya Shah')]


def plain(srv, key, user, height=60):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    return Tmux('TERM=dumb ' + ' '.join(cmd), 110, height)


def test_line_mode_directory_profiles_and_suggestions():
    srv, keys = world()
    t = plain(srv, keys['erin'], 'erin')
    try:
        s = t.wait_for('Main menu', 'People you might connect with (mentors first):',
                       timeout=15)
        assert ('1. Alice Andersson (@alice), Art therapist, North West, happy to mentor'
                in s), s
        assert 'why: happy to mentor; expertise: trauma; region: North West; ' \
            'community: Rural' in s, s
        t.keys('4', 'Enter')
        t.wait_for('Number to open a profile')
        t.keys('trauma', 'Enter')
        s = t.wait_for('3 members found:', 'why: expertise: trauma-informed care')
        t.keys('r north', 'Enter')
        s = t.wait_for('Filters: words "trauma"; region north.', '2 members found:')
        assert '1. Alice Andersson (@alice)' in s and \
            'why: expertise: trauma; region: North West' in s, s
        t.keys('m', 'Enter')
        t.wait_for('Mentors only: yes.', '1 member found:')
        t.keys('1', 'Enter')
        s = t.wait_for('Profile of @alice', 't to find others with this expertise')
        assert 'Mentoring: happy to mentor' in s and 'Contact: alice@example.org' in s, s
        assert 'twenty years' in s and 'Job role: Art therapist' in s, s
        t.keys('t', 'Enter')
        t.wait_for('Filters: expertise art.', '1 member found:')
        t.keys('Enter')
        t.keys('s', 'Enter')
        t.wait_for('People you might connect with (mentors first):')
        t.keys('0', 'Enter')
        t.wait_for('Choose a number')
        # one's own profile: every field in words, visibility by number
        t.keys('5', 'Enter')
        t.wait_for('Who sees your contact details: members of communities you share',
                   'e to edit')
        t.keys('e', 'Enter')
        for _ in range(8):                    # name ... time zone: kept
            t.keys('Enter')
        t.wait_for('Tags in use: trauma (2)')
        t.keys('trauma, grief', 'Enter')
        t.wait_for('Happy to mentor? [no]')
        t.keys('y', 'Enter')
        t.wait_for('3. All members')
        t.keys('1', 'Enter')
        t.wait_for('Saved.')
        t.wait_for('Who sees your contact details: nobody')
    finally:
        t.kill()
    assert srv.query("SELECT mentoring, contact_visibility FROM members WHERE handle = 'erin'") \
        == [(1, 'nobody')]
    assert srv.query("SELECT tag FROM member_expertise e JOIN members m ON m.id = e.member_id "
                     "WHERE m.handle = 'erin' ORDER BY tag") == [('grief',), ('trauma',)]
    # another member who shares no community sees no contact details
    t = plain(srv, keys['bob'], 'bob')
    try:
        t.keys('4', 'Enter')
        t.wait_for('Number to open a profile')
        t.keys('alice', 'Enter')
        t.wait_for('1 member found:')
        t.keys('1', 'Enter')
        s = t.wait_for('Profile of @alice')
        assert 'Contact: not shared with you' in s and 'alice@example.org' not in s, s
    finally:
        t.kill()


def test_line_mode_join_fills_the_name_from_the_invite():
    srv = Server()
    inv = srv.ctl('invite', 'create', '--name', 'Priya Shah')
    t = plain(srv, Key('priya'), 'join')
    try:
        t.wait_for('Invite or device code:', timeout=15)
        t.keys(inv['code'], 'Enter')
        t.wait_for('This invite is for Priya Shah.', 'Handle (lowercase letters a-z')
        t.keys('Priya Shah', 'Enter')
        t.wait_for('Your name as others see it [Priya Shah]:')
        t.keys('Enter')
        s = t.wait_for('The handle must be 2-32 characters')
        assert 'args.' not in s, s
        t.wait_for('Invite or device code:')
        t.keys(inv['code'], 'Enter', 'priya', 'Enter', 'Enter')
        t.wait_for('Welcome, Priya Shah (@priya)')
    finally:
        t.kill()


def test_tui_home_suggestions_follow_a_newcomers_first_community():
    """A newcomer with no community yet sees nobody to meet; joining one
    (from another session too) brings its people to Home at once."""
    srv = Server()
    keys = people(srv, 'nia', 'olu')
    community(srv, 'garden', 'platform', [('olu', 'member')], name='Garden', policy='open')
    t = tui(srv, keys['nia'], 'nia', width=120, height=40)
    try:
        s = t.wait_for('Welcome', timeout=15)
        assert '@olu' not in s, s
        n = srv.session(keys['nia'])
        ok(n.call('member.accept_coc'))
        ok(n.call('community.join', slug='garden'))
        t.wait_for('People you might connect with', '@olu', 'community: Garden')
    finally:
        t.kill()
