"""Finding people (issue 14): the directory says why each result matched,
expertise tags in use (profile.tags), suggested connections for newcomers
(member.suggestions), contact details shown only as their owner allows in
every operation, and the join form's invite check (invite.check)."""
import json

from fixtures import community, err, err_code, join, ok, people, replies_in_order
from harness import Key, Server


def test_directory_filters_say_why():
    srv = Server()
    keys = people(srv, 'alice', 'bob', 'carol', 'erin')
    community(srv, 'rural', 'platform', name='Rural Isolation')
    join(srv, 'rural', 'alice')
    join(srv, 'rural', 'carol')
    for h, p in {
        'alice': dict(display_name='Alice Andersson', job_role='Art therapist',
                      organisation='NHS Scotland', region='North West',
                      expertise=['trauma', 'art'], mentoring=True),
        'bob': dict(display_name='Bob Brown', organisation='Mind',
                    region='North West', expertise=['students'],
                    bio='Allotments and eco-therapy'),
        'carol': dict(display_name='Carol Cárdenas', organisation='Mind',
                      region='London', expertise=['trauma-informed care']),
    }.items():
        s = srv.session(keys[h])
        ok(s.call('profile.update', **p))
        s.close()
    s = srv.session(keys['erin'])

    def found(**args):
        r = ok(s.call('member.search', **args))
        return {m['handle']: m['why'] for m in r['members']}

    assert found(expertise='trauma', region='north west') == {
        'alice': ['expertise: trauma', 'region: North West']}
    # a tag's start finds it, and why names the whole tag
    assert found(expertise='trau') == {
        'alice': ['expertise: trauma'], 'carol': ['expertise: trauma-informed care']}
    # the free text matches tags too, and says which field matched
    assert found(q='trauma') == {'alice': ['expertise: trauma'],
                                 'carol': ['expertise: trauma-informed care']}
    assert found(q='eco') == {'bob': ['about: mentions "eco"']}
    assert found(q='carden') == {'carol': ['name: Carol Cárdenas']}
    assert found(q='art nhs') == {'alice': ['expertise: art', 'organisation: NHS Scotland']}
    assert found(organisation='mind', mentoring=False) == {
        'bob': ['organisation: Mind'], 'carol': ['organisation: Mind']}
    assert found(mentoring=True) == {'alice': ['happy to mentor']}
    assert found(community='rural', region='london') == {
        'carol': ['region: London', 'community: Rural Isolation']}
    assert found(q='zzz') == {}
    # an empty community or tag filters nothing out
    assert len(found(community='', expertise=' ')) == 4
    # many words are fine; hostile text is only text
    assert found(q='a ' * 40) is not None
    assert found(q='"; DROP TABLE members; --') == {}
    assert srv.query('SELECT count(*) FROM members') == [(4,)]


def test_profile_tags_suggest_tags_in_use():
    srv = Server()
    keys = people(srv, 'alice', 'bob', 'carol')
    for h, tags in (('alice', ['grief', 'trauma']), ('bob', ['grief', 'groups']),
                    ('carol', ['grief'])):
        s = srv.session(keys[h])
        ok(s.call('profile.update', expertise=tags))
        s.close()
    s = srv.session(keys['alice'])
    r = ok(s.call('profile.tags'))
    assert r['tags'][0] == {'tag': 'grief', 'members': 3}, r
    assert [t['tag'] for t in ok(s.call('profile.tags', prefix='GR'))['tags']] == \
        ['grief', 'groups']
    assert ok(s.call('profile.tags', prefix='x'))['tags'] == []
    # a removed member's tags are not suggested
    srv.ctl('member', 'remove', 'bob', '--reason', 'Left')
    assert [t['tag'] for t in ok(s.call('profile.tags', prefix='gr'))['tags']] == ['grief']
    assert err_code(s.call('profile.tags', limit=0)) == 'bad_request'


def test_suggested_connections_mentors_first():
    srv = Server()
    keys = people(srv, 'newbie', 'mentor', 'peer', 'local', 'stranger', 'gone', 'old')
    community(srv, 'students', 'private', name='Students')
    for h in ('newbie', 'peer', 'gone', 'old'):
        join(srv, 'students', h)
    profiles = {
        'newbie': dict(region='North West', expertise=['grief', 'play therapy']),
        'mentor': dict(expertise=['grief'], mentoring=True),
        'peer': dict(expertise=['grief', 'play therapy']),
        'local': dict(region='North West'),
        'stranger': dict(region='London', expertise=['cbt'], mentoring=True),
        'gone': dict(expertise=['grief']),
        'old': dict(),
    }
    for h, p in profiles.items():
        s = srv.session(keys[h])
        ok(s.call('profile.update', **p))
        s.close()
    srv.ctl('member', 'remove', 'gone', '--reason', 'Left')
    s = srv.session(keys['newbie'])
    r = ok(s.call('member.suggestions'))
    assert r['newcomer'] is True
    got = [(m['handle'], m['why']) for m in r['suggestions']]
    assert got == [
        ('mentor', ['happy to mentor', 'expertise: grief']),
        ('peer', ['expertise: grief, play therapy', 'community: Students']),
        ('local', ['region: North West']),
        ('old', ['community: Students']),
    ], got
    # no contact details in suggestions
    assert all('contact' not in m for m in r['suggestions'])
    assert [m['handle'] for m in ok(s.call('member.suggestions', limit=1))['suggestions']] \
        == ['mentor']
    # a member who joined long ago and writes is not a newcomer
    srv.execute("UPDATE members SET created_at = 1 WHERE handle = 'old'")
    o = srv.session(keys['old'])
    assert ok(o.call('member.suggestions'))['newcomer'] is True   # no posts yet
    cid = srv.query("SELECT id FROM communities WHERE slug = 'students'")[0][0]
    oid = srv.query("SELECT id FROM members WHERE handle = 'old'")[0][0]
    srv.execute("INSERT INTO threads (community_id, author_id, title, created_at, "
                "last_post_at) VALUES (?, ?, 't', 1, 1)", cid, oid)
    tid = srv.query('SELECT max(id) FROM threads')[0][0]
    for i in range(3):
        srv.execute("INSERT INTO posts (thread_id, author_id, body, created_at) "
                    "VALUES (?, ?, 'hello', 1)", tid, oid)
    assert ok(o.call('member.suggestions'))['newcomer'] is False
    assert err_code(s.call('member.suggestions', limit=99)) == 'bad_request'


def test_contact_visibility_matrix_every_op():
    """Each setting against each relation of the viewer: herself, a member
    and an interested member of a shared community, a member sharing none,
    an admin sharing none. No operation but profile.get ever carries the
    contact text, and it only as allowed."""
    srv = Server()
    keys = people(srv, 'owner', 'sharer', 'watcher', 'outsider', ('boss', 'admin'))
    community(srv, 'circle', 'private', name='Circle')
    join(srv, 'circle', 'owner')
    join(srv, 'circle', 'sharer')
    join(srv, 'circle', 'watcher', 'interested')
    contact = 'owner@example.org, 07700 900123'
    o = srv.session(keys['owner'])
    ok(o.call('profile.update', contact=contact, expertise=['grief'], region='Leeds'))
    assert ok(o.call('profile.get'))['profile']['contact_visibility'] == 'communities'
    viewers = {h: srv.session(keys[h]) for h in ('sharer', 'watcher', 'outsider', 'boss')}
    viewers['owner'] = o
    for h in ('sharer', 'watcher', 'outsider', 'boss'):
        ok(viewers[h].call('profile.update', expertise=['grief'], region='Leeds'))
    expect = {
        'communities': {'owner': True, 'sharer': True, 'watcher': True,
                        'outsider': False, 'boss': False},
        'platform': {'owner': True, 'sharer': True, 'watcher': True,
                     'outsider': True, 'boss': True},
        'nobody': {'owner': True, 'sharer': False, 'watcher': False,
                   'outsider': False, 'boss': False},
    }
    for setting in ('communities', 'platform', 'nobody'):
        ok(o.call('profile.update', contact_visibility=setting))
        for h, sess in viewers.items():
            p = ok(sess.call('profile.get', handle='owner'))['profile']
            want = contact if expect[setting][h] else None
            assert p['contact'] == want, (setting, h, p)
            # the other operations that list people never carry it
            for op, args in (('member.search', {'q': 'owner'}),
                             ('member.search', {'expertise': 'grief'}),
                             ('member.suggestions', {}),
                             ('member.online', {})):
                r = sess.call(op, **args)
                assert r['ok'], (op, r)
                assert '07700' not in json.dumps(r), (setting, h, op, r)
        r = viewers['sharer'].call('community.members', slug='circle')
        assert r['ok'] and '07700' not in json.dumps(r), r
    err(o.call('profile.update', contact_visibility='everyone'), 'bad_request',
        'contact_visibility')


def test_invite_check_names_the_invite():
    srv = Server()
    community(srv, 'students', 'platform', name='Students')
    inv = srv.ctl('invite', 'create', '--name', 'Priya Shah', '--community', 'students')
    j = srv.session(Key('newcomer'), 'join')
    r = ok(j.call('invite.check', code=inv['code']))
    assert r == {'name': 'Priya Shah', 'role': 'member', 'community': 'Students'}, r
    err(j.call('invite.check', code='HRTH-0000-0000-0000'), 'not_found')
    err(j.call('invite.check', code='nonsense'), 'bad_request')
    # the check does not use the code up
    ok(j.call('invite.redeem', code=inv['code'], handle='priya', display_name='Priya'))
    j2 = srv.session(Key('late'), 'join')
    err(j2.call('invite.check', code=inv['code']), 'conflict', 'already been used')
    # a handle in another script is refused with the characters allowed
    inv = srv.ctl('invite', 'create', '--name', '王芳')
    k = srv.session(Key('wang'), 'join')
    msg = err(k.call('invite.redeem', code=inv['code'], handle='王芳',
                     display_name='王芳'), 'bad_request', 'args.handle')
    assert 'a-z' in msg and 'Chinese' in msg, msg
    ok(k.call('invite.redeem', code=inv['code'], handle='wang_fang', display_name='王芳'))


def test_pipelined_update_then_reads_see_it():
    """A profile change and the reads behind it in one write: the reads
    answer after the change, in order, and see it."""
    srv = Server()
    keys = people(srv, 'alice', 'bob')
    b = srv.session(keys['bob'])
    ok(b.call('profile.update', expertise=['grief'], region='Leeds'))
    a = srv.session(keys['alice'])
    lines = [
        {'id': 1, 'op': 'profile.update', 'args': {'expertise': ['grief', 'zines'],
                                                    'region': 'Leeds', 'mentoring': True}},
        {'id': 2, 'op': 'profile.tags', 'args': {'prefix': 'zin'}},
        {'id': 3, 'op': 'member.search', 'args': {'expertise': 'zines'}},
        {'id': 4, 'op': 'member.suggestions', 'args': {}},
    ]
    a.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    assert a.reply(1)['ok']
    assert ok(a.reply(2))['tags'] == [{'tag': 'zines', 'members': 1}]
    r = ok(a.reply(3))['members']
    assert [(m['handle'], m['why']) for m in r] == [('alice', ['expertise: zines'])], r
    # bob, asking at the same time, sees alice as a mentor now
    b.send_raw(json.dumps({'id': 9, 'op': 'member.suggestions', 'args': {}}).encode()
               + b'\n')
    s = ok(b.reply(9))['suggestions']
    assert s[0]['handle'] == 'alice' and s[0]['why'][:2] == [
        'happy to mentor', 'expertise: grief'], s
    assert ok(a.reply(4))['suggestions'][0]['handle'] == 'bob'


def test_migration_moves_open_contact_details_to_the_default():
    """The people migration, applied to a database whose members chose
    before it: details open to every member move to shared communities;
    nobody stays nobody; running it again changes nothing."""
    import glob
    import os
    import sqlite3
    here = os.path.dirname(os.path.abspath(__file__))
    path, = glob.glob(os.path.join(here, '..', '..', 'schema', '*_people.sql'))
    sql = open(path).read()
    srv = Server()
    people(srv, 'open', 'closed', 'usual')
    srv.execute("UPDATE members SET contact_visibility = 'platform' WHERE handle = 'open'")
    srv.execute("UPDATE members SET contact_visibility = 'nobody' WHERE handle = 'closed'")
    for _ in range(2):
        db = sqlite3.connect(os.path.join(srv.data, 'hearth.db'), timeout=10)
        db.executescript(sql)
        db.close()
        assert srv.query('SELECT handle, contact_visibility FROM members ORDER BY handle') == [
            ('closed', 'nobody'), ('open', 'communities'), ('usual', 'communities')]



def test_member_search_pipelined_with_a_write_in_one_write():
    """member.search runs off the loop: pipelined with profile.update in one
    write, each search answers in its place and sees the change before it
    only; who is online is current; no contact details."""
    srv = Server()
    keys = people(srv, 'alice', 'bob')
    a = srv.session(keys['alice'])
    ok(a.call('profile.update', contact='alice@example.org', contact_visibility='platform'))
    lines = [
        {'id': 1, 'op': 'member.search', 'args': {'region': 'Orkney'}},
        {'id': 2, 'op': 'profile.update', 'args': {'region': 'Orkney', 'mentoring': True}},
        {'id': 3, 'op': 'member.search', 'args': {'region': 'orkney', 'mentoring': True}},
        {'id': 4, 'op': 'member.search', 'args': {'q': 'ali'}},
    ]
    a.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    r = replies_in_order(a, 4)
    assert [m['id'] for m in r] == [1, 2, 3, 4] and all(m['ok'] for m in r), r
    assert r[0]['result'] == {'members': [], 'next': None}
    found = r[2]['result']['members']
    assert [(m['handle'], m['region'], m['mentoring'], m['online'], m['why'])
            for m in found] == [('alice', 'Orkney', True, True,
                                 ['region: Orkney', 'happy to mentor'])], found
    assert all('contact' not in m for m in found)
    assert [m['handle'] for m in r[3]['result']['members']] == ['alice']
    assert len(r[3]['result']['members'][0]['why']) == 1
    # bob has no session: found, and not online
    ok(a.call('profile.update', region='Unst'))
    srv.execute("UPDATE members SET region = 'Orkney' WHERE handle = 'bob'")
    got = ok(a.call('member.search', region='orkney'))['members']
    assert [(m['handle'], m['online']) for m in got] == [('bob', False)], got
    # and the searching was done off the loop (hearthd -v says so)
    assert 'member.search ok off the loop' in open(srv.logpath).read()


def test_profile_tags_pipelined_with_a_write_in_one_write():
    """profile.tags runs off the loop: pipelined with profile.update in one
    write, each answers in its place and counts the tags as they are then."""
    srv = Server()
    keys = people(srv, 'alice', 'bob')
    ok(srv.session(keys['bob']).call('profile.update', expertise=['quilting']))
    a = srv.session(keys['alice'])
    lines = [
        {'id': 1, 'op': 'profile.tags', 'args': {'prefix': 'QUI'}},
        {'id': 2, 'op': 'profile.update', 'args': {'expertise': ['quilting', 'quince jam']}},
        {'id': 3, 'op': 'profile.tags', 'args': {'prefix': ' qui', 'limit': 5}},
        {'id': 4, 'op': 'profile.update', 'args': {'expertise': []}},
        {'id': 5, 'op': 'profile.tags', 'args': {}},
    ]
    a.send_raw(b''.join(json.dumps(m).encode() + b'\n' for m in lines))
    r = replies_in_order(a, 5)
    assert [m['id'] for m in r] == [1, 2, 3, 4, 5] and all(m['ok'] for m in r), r
    assert r[0]['result'] == {'tags': [{'tag': 'quilting', 'members': 1}]}
    assert r[2]['result'] == {'tags': [{'tag': 'quilting', 'members': 2},
                                       {'tag': 'quince jam', 'members': 1}]}
    assert r[4]['result'] == {'tags': [{'tag': 'quilting', 'members': 1}]}
    assert 'profile.tags ok off the loop' in open(srv.logpath).read()
