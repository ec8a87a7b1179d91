"""Profiles and the member directory: profile.get, profile.update,
member.search and member.online."""
from fixtures import community, err_code, join, people, wait_until
from harness import Key, Server


def test_profile_update_get_round_trip():
    srv = Server()
    keys = people(srv, 'alice', 'bob')
    s = srv.session(keys['alice'])
    r = s.call('profile.get')
    assert r['ok'], r
    p = r['result']['profile']
    assert p['handle'] == 'alice' and p['self'] is True and p['bio'] == ''
    assert p['expertise'] == [] and p['mentoring'] is False
    assert p['contact_visibility'] == 'communities' and p['online'] is True
    r = s.call('profile.update', display_name='Alice Smith', pronouns='she/her',
               job_role='Counselling supervisor', organisation='NHS Scotland',
               region='Highlands', bio='Line one\nLine two',
               expertise=['Grief', ' supervision ', 'grief', 'Ökologie'],
               mentoring=True, contact='alice@example.org', contact_visibility='platform')
    assert r['ok'], r
    p = r['result']['profile']
    assert p['display_name'] == 'Alice Smith' and p['pronouns'] == 'she/her'
    assert p['job_role'] == 'Counselling supervisor'
    assert p['organisation'] == 'NHS Scotland' and p['region'] == 'Highlands'
    assert p['bio'] == 'Line one\nLine two' and p['mentoring'] is True
    # lowercased (ASCII), trimmed, duplicates dropped, sorted
    assert p['expertise'] == ['grief', 'supervision', 'Ökologie'], p['expertise']
    assert p['contact'] == 'alice@example.org' and p['contact_visibility'] == 'platform'
    # the live session's identity shows the new name at once
    assert s.call('whoami')['result']['member']['display_name'] == 'Alice Smith'
    # only the fields given change
    r = s.call('profile.update', region='Islands')
    assert r['ok'], r
    p = s.call('profile.get')['result']['profile']
    assert p['region'] == 'Islands' and p['job_role'] == 'Counselling supervisor'
    assert p['expertise'] == ['grief', 'supervision', 'Ökologie']
    # an empty list clears the tags
    assert s.call('profile.update', expertise=[])['ok']
    assert s.call('profile.get')['result']['profile']['expertise'] == []
    assert s.call('profile.update', expertise=['grief'])['ok']
    # another member sees it by handle, without the visibility setting
    b = srv.session(keys['bob'])
    r = b.call('profile.get', handle='alice')
    assert r['ok'], r
    p = r['result']['profile']
    assert p['display_name'] == 'Alice Smith' and p['self'] is False
    assert 'contact_visibility' not in p and p['online'] is True
    assert err_code(b.call('profile.get', handle='nobody_here')) == 'not_found'
    # a new session starts with the stored name
    s.close()
    s = srv.session(keys['alice'])
    assert s.hello['data']['member']['display_name'] == 'Alice Smith'
    assert srv.query("SELECT display_name FROM members WHERE handle='alice'") == \
        [('Alice Smith',)]


def test_profile_update_bad_arguments_change_nothing():
    srv = Server()
    keys = people(srv, 'alice')
    s = srv.session(keys['alice'])
    assert s.call('profile.update', bio='before', expertise=['x'])['ok']
    bad = [
        dict(bio='b' * 4001),
        dict(expertise=['t%d' % i for i in range(21)]),
        dict(expertise=['a' * 41]),
        dict(expertise=['']),
        dict(expertise=['ok', 5]),
        dict(expertise='grief'),
        dict(contact_visibility='everyone'),
        dict(display_name=''),
        dict(display_name='two\nlines'),
        dict(mentoring='yes'),
        dict(region=7),
        # one bad field spoils the whole update
        dict(bio='after', contact_visibility='friends'),
        dict(bio='after', expertise=['y'] * 30),
    ]
    for args in bad:
        r = s.call('profile.update', **args)
        assert err_code(r) == 'bad_request', (args, r)
        assert r['error']['message'], r
    p = s.call('profile.get')['result']['profile']
    assert p['bio'] == 'before' and p['expertise'] == ['x'], p
    # exactly at the limits is fine
    assert s.call('profile.update', bio='b' * 4000,
                  expertise=['t%d' % i for i in range(20)])['ok']
    assert s.call('profile.update', expertise=['é' * 40])['ok']
    assert srv.query("SELECT count(*) FROM member_expertise") == [(1,)]


def test_contact_visibility_each_setting():
    srv = Server()
    keys = people(srv, 'alice', 'bob', 'carol')
    community(srv, 'students', 'private', name='Students')
    join(srv, 'students', 'alice')
    join(srv, 'students', 'bob')
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    c = srv.session(keys['carol'])
    assert a.call('profile.update', contact='07700 900123')['ok']

    def seen(sess):
        r = sess.call('profile.get', handle='alice')
        assert r['ok'], r
        return r['result']['profile']

    # communities (the default): bob shares one, carol does not
    assert seen(b)['contact'] == '07700 900123'
    assert seen(b)['communities'] == [{'slug': 'students', 'name': 'Students',
                                       'role': 'member'}]
    assert seen(c)['contact'] is None and seen(c)['communities'] == []
    assert seen(a)['contact'] == '07700 900123'
    # platform: every member
    assert a.call('profile.update', contact_visibility='platform')['ok']
    assert seen(b)['contact'] == '07700 900123'
    assert seen(c)['contact'] == '07700 900123'
    # nobody: only herself
    assert a.call('profile.update', contact_visibility='nobody')['ok']
    assert seen(b)['contact'] is None and seen(c)['contact'] is None
    assert seen(a)['contact'] == '07700 900123'
    assert seen(a)['contact_visibility'] == 'nobody'


def test_guests_never_see_profiles():
    srv = Server(config={'guest': 'yes'})
    keys = people(srv, 'alice')
    a = srv.session(keys['alice'])
    assert a.call('profile.update', contact='x', contact_visibility='platform')['ok']
    g = srv.session(Key('visitor'), 'guest')
    assert g.hello['data'].get('member') is None
    for op, args in (('profile.get', {'handle': 'alice'}), ('member.search', {}),
                     ('member.online', {}), ('profile.update', {'bio': 'x'})):
        r = g.call(op, **args)
        assert err_code(r) == 'forbidden', (op, r)


def test_directory_search():
    srv = Server()
    keys = people(srv, 'alice', 'bob', 'carol', 'dave', 'erin')
    community(srv, 'rural', 'platform', name='Rural')
    community(srv, 'secret', 'private', name='Secret')
    join(srv, 'rural', 'alice')
    join(srv, 'rural', 'bob')
    join(srv, 'secret', 'carol')
    join(srv, 'secret', 'dave')
    profiles = {
        'alice': dict(display_name='Alice Andersson', job_role='Art therapist',
                      organisation='NHS Scotland', region='Highlands',
                      expertise=['grief', 'art'], mentoring=True),
        'bob': dict(display_name='Bob Brown', job_role='Student counsellor',
                    organisation='University of Leeds', region='Yorkshire',
                    expertise=['students'], bio='I love allotments'),
        'carol': dict(display_name='Carol Cárdenas', job_role='Supervisor',
                      organisation='Mind', region='London', expertise=['grief'],
                      mentoring=True),
        'dave': dict(display_name='Dave Davies', organisation='NHS England',
                     region='London'),
    }
    for h, p in profiles.items():
        s = srv.session(keys[h])
        assert s.call('profile.update', **p)['ok']
        s.close()
    s = srv.session(keys['erin'])

    def handles(**args):
        r = s.call('member.search', **args)
        assert r['ok'], (args, r)
        return [m['handle'] for m in r['result']['members']]

    assert handles() == ['alice', 'bob', 'carol', 'dave', 'erin']
    # full-text with prefixes, any field, accents folded
    assert handles(q='ali') == ['alice']
    assert handles(q='Ande') == ['alice']
    assert handles(q='carden') == ['carol']
    assert handles(q='counsel') == ['bob']
    assert handles(q='allot') == ['bob']
    assert handles(q='nhs') == ['alice', 'dave']
    assert handles(q='nhs london') == ['dave']
    assert handles(q='zzzz') == []
    assert handles(q='"; DROP TABLE members; --') == []
    assert handles(q='   ') == ['alice', 'bob', 'carol', 'dave', 'erin']
    # filters
    assert handles(expertise='grief') == ['alice', 'carol']
    assert handles(expertise='GRIEF', mentoring=True) == ['alice', 'carol']
    assert handles(expertise='art') == ['alice']
    assert handles(organisation='nhs') == ['alice', 'dave']
    assert handles(organisation='leeds') == ['bob']
    assert handles(organisation='london') == []      # a region, not an organisation
    assert handles(region='london') == ['carol', 'dave']
    assert handles(region='london', organisation='mind') == ['carol']
    assert handles(mentoring=True) == ['alice', 'carol']
    assert 'alice' not in handles(mentoring=False)
    assert handles(community='rural') == ['alice', 'bob']
    assert handles(community='rural', q='bob') == ['bob']
    assert handles(community='rural', expertise='grief') == ['alice']
    # results carry the directory fields
    r = s.call('member.search', q='alice')['result']['members'][0]
    assert r == {'handle': 'alice', 'display_name': 'Alice Andersson',
                 'job_role': 'Art therapist', 'organisation': 'NHS Scotland',
                 'region': 'Highlands', 'expertise': ['art', 'grief'],
                 'mentoring': True, 'online': False,
                 'why': ['name: Alice Andersson']}, r
    # a private community's member list is not searchable by outsiders
    r = s.call('member.search', community='secret')
    assert err_code(r) == 'forbidden', r
    assert err_code(s.call('member.search', community='no-such')) == 'not_found'
    c = srv.session(keys['carol'])
    r = c.call('member.search', community='secret')
    assert [m['handle'] for m in r['result']['members']] == ['carol', 'dave']
    # pages
    r = s.call('member.search', limit=2)
    assert [m['handle'] for m in r['result']['members']] == ['alice', 'bob']
    assert r['result']['next'] == 'bob'
    r = s.call('member.search', limit=2, before='bob')
    assert [m['handle'] for m in r['result']['members']] == ['carol', 'dave']
    r = s.call('member.search', limit=2, before='dave')
    assert [m['handle'] for m in r['result']['members']] == ['erin']
    assert r['result']['next'] is None
    for bad in (dict(limit=0), dict(limit=101), dict(q=5), dict(mentoring='y')):
        assert err_code(s.call('member.search', **bad)) == 'bad_request', bad
    # removed members never appear, and their profile is gone
    srv.ctl('member', 'remove', 'bob', '--reason', 'Left')
    assert handles(q='bob') == []
    assert handles(expertise='students') == []
    assert handles(community='rural') == ['alice']
    assert 'bob' not in handles()
    assert err_code(s.call('profile.get', handle='bob')) == 'not_found'


def test_member_online():
    srv = Server()
    keys = people(srv, 'alice', 'bob', 'carol')
    community(srv, 'secret', 'private', name='Secret')
    join(srv, 'secret', 'alice')
    join(srv, 'secret', 'bob')
    a1 = srv.session(keys['alice'])
    a2 = srv.session(keys['alice'])        # two sessions, listed once
    c = srv.session(keys['carol'])
    r = a1.call('member.online')
    assert r['ok'], r
    assert r['result']['online'] == [{'handle': 'alice', 'display_name': 'Alice'},
                                     {'handle': 'carol', 'display_name': 'Carol'}]
    b = srv.session(keys['bob'])
    names = [m['handle'] for m in b.call('member.online')['result']['online']]
    assert names == ['alice', 'bob', 'carol']
    # in a community: only its members, and only for readers
    r = a2.call('member.online', community='secret')
    assert [m['handle'] for m in r['result']['online']] == ['alice', 'bob']
    assert err_code(c.call('member.online', community='secret')) == 'forbidden'
    assert err_code(c.call('member.online', community='nope')) == 'not_found'
    # searching shows who is online too
    r = c.call('member.search', q='bob')['result']['members']
    assert r[0]['online'] is True
    b.close()
    a1.close()
    # the server notices the closed sessions
    def online():
        return [m['handle'] for m in a2.call('member.online')['result']['online']]
    wait_until(lambda: online() == ['alice', 'carol'], 10, lambda: repr(online()))
