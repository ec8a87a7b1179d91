"""Polls: poll.create, poll.get, poll.vote, poll.close, poll.list and the
sweep that closes timed polls."""
import calendar
import json
import time

import fixtures
from fixtures import (community, err_code, ok, people, sweeps, until, wait_db, wait_sweep,
                      wait_until)
from harness import Key, Server


def setup(visibility='platform', roles=None, config=None):
    """A server, a community 'forum' and members with the given roles
    (None: not in the community); every member has accepted the CoC."""
    srv = Server(config=config)
    roles = roles or {'alice': 'member', 'bob': 'member', 'carol': 'member',
                      'lee': 'leader', 'ivy': 'interested', 'nora': None}
    keys = people(srv, *roles)
    community(srv, 'forum', visibility, [(h, r) for h, r in roles.items() if r],
              name='Forum')
    return srv, keys


def create(s, **args):
    base = dict(slug='forum', question='Which day suits?', options=['Mon', 'Tue', 'Wed'])
    base.update(args)
    r = s.call('poll.create', **base)
    assert r['ok'], r
    return r['result']['poll']


def opt_ids(poll):
    return [o['id'] for o in poll['options']]


def counts(poll):
    return [o['votes'] for o in poll['options']]


def test_poll_create_and_validation():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    bad = [
        dict(options=['Only one']),
        dict(options=['o%d' % i for i in range(13)]),
        dict(options=[]),
        dict(options='Mon, Tue'),
        dict(options=['Mon', 'Mon']),
        dict(options=['Mon', '']),
        dict(options=['Mon', '   ']),
        dict(options=['Mon', 'x' * 201]),
        dict(options=['Mon', 7]),
        dict(options=['Mon', 'two\nlines']),
        dict(question='q' * 301),
        dict(question=''),
        dict(question='  '),
        dict(results='never'),
        dict(closes_in='soon'),
        dict(closes_in='0'),
        dict(closes_in='400d'),
        dict(multiple='yes'),
    ]
    for b in bad:
        args = dict(slug='forum', question='Which day suits?', options=['Mon', 'Tue'])
        args.update(b)
        r = a.call('poll.create', **args)
        assert err_code(r) == 'bad_request', (b, r)
        assert r['error']['message']
    assert err_code(a.call('poll.create', question='Q?', options=['a', 'b'])) == 'bad_request'
    assert err_code(a.call('poll.create', slug='nope', question='Q?',
                      options=['a', 'b'])) == 'not_found'
    # nothing half-written
    assert srv.query('SELECT count(*) FROM polls') == [(0,)]
    assert srv.query('SELECT count(*) FROM poll_options') == [(0,)]
    # at the limits
    p = create(a, question='q' * 300, options=['x' * 200] + ['o%d' % i for i in range(11)])
    assert len(p['options']) == 12
    p = create(a)
    assert p['question'] == 'Which day suits?' and p['community'] == 'forum'
    assert p['author'] == 'alice' and p['multiple'] is False and p['anonymous'] is False
    assert p['results'] == 'after_vote' and p['closes_at'] is None
    assert p['closed'] is False and p['closed_at'] is None
    assert p['results_visible'] is False and p['total_voters'] == 0 and p['my_vote'] == []
    assert [o['label'] for o in p['options']] == ['Mon', 'Tue', 'Wed']
    assert counts(p) == [None, None, None]
    rows = srv.query('SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position',
                     p['id'])
    assert rows == [('Mon',), ('Tue',), ('Wed',)]
    p = create(a, closes_in='3d', results='after_close', multiple=True, anonymous=True)
    assert p['closes_at'] is not None and p['results'] == 'after_close'
    assert p['multiple'] is True and p['anonymous'] is True


def test_who_may_create_and_vote():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    p = create(a)
    # interested members may vote, not start polls
    ivy = srv.session(keys['ivy'])
    r = ivy.call('poll.create', slug='forum', question='Q?', options=['a', 'b'])
    assert err_code(r) == 'forbidden' and 'Interested' in r['error']['message'], r
    r = ivy.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[0]])
    assert r['ok'], r
    # a member of the platform who is not in the community may read, not vote
    nora = srv.session(keys['nora'])
    r = nora.call('poll.get', poll_id=p['id'])
    assert r['ok'], r
    assert err_code(nora.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[0]])) == \
        'forbidden'
    assert err_code(nora.call('poll.create', slug='forum', question='Q?',
                         options=['a', 'b'])) == 'forbidden'
    # the code of conduct comes first
    srv.execute("UPDATE members SET coc_accepted_at = NULL WHERE handle = 'bob'")
    b = srv.session(keys['bob'])
    r = b.call('poll.create', slug='forum', question='Q?', options=['a', 'b'])
    assert err_code(r) == 'coc_required' and 'code of conduct' in r['error']['message']
    r = b.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[0]])
    assert err_code(r) == 'coc_required'
    assert srv.query('SELECT count(*) FROM polls') == [(1,)]
    assert srv.query('SELECT count(*) FROM poll_votes') == [(1,)]


def test_single_and_multiple_choice_and_changing_a_vote():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    single = create(a)
    mon, tue, wed = opt_ids(single)
    multi = create(a, question='Which topics?', options=['Grief', 'Ethics', 'Money'],
                   multiple=True)
    g, e, m = opt_ids(multi)
    # single choice takes exactly one
    assert err_code(b.call('poll.vote', poll_id=single['id'], options=[mon, tue])) == \
        'bad_request'
    assert err_code(b.call('poll.vote', poll_id=single['id'], options=[])) == 'bad_request'
    assert err_code(b.call('poll.vote', poll_id=single['id'])) == 'bad_request'
    assert err_code(b.call('poll.vote', poll_id=single['id'], options=[g])) == 'bad_request'
    assert err_code(b.call('poll.vote', poll_id=single['id'], options=['Mon'])) == 'bad_request'
    assert err_code(b.call('poll.vote', poll_id=999999, options=[mon])) == 'not_found'
    assert srv.query('SELECT count(*) FROM poll_votes') == [(0,)]
    r = b.call('poll.vote', poll_id=single['id'], options=[mon])
    assert r['ok'], r
    p = r['result']['poll']
    assert p['my_vote'] == [mon] and counts(p) == [1, 0, 0] and p['total_voters'] == 1
    # changing the vote replaces it
    p = b.call('poll.vote', poll_id=single['id'], options=[wed])['result']['poll']
    assert p['my_vote'] == [wed] and counts(p) == [0, 0, 1] and p['total_voters'] == 1
    assert srv.query('SELECT count(*) FROM poll_votes WHERE poll_id = ?',
                     single['id']) == [(1,)]
    p = a.call('poll.vote', poll_id=single['id'], options=[wed])['result']['poll']
    assert counts(p) == [0, 0, 2] and p['total_voters'] == 2
    # multiple choice: several at once, duplicates collapse
    p = b.call('poll.vote', poll_id=multi['id'], options=[g, e, g])['result']['poll']
    assert sorted(p['my_vote']) == sorted([g, e]) and counts(p) == [1, 1, 0]
    assert p['total_voters'] == 1
    p = b.call('poll.vote', poll_id=multi['id'], options=[m])['result']['poll']
    assert p['my_vote'] == [m] and counts(p) == [0, 0, 1]
    p = a.call('poll.vote', poll_id=multi['id'], options=[g, e, m])['result']['poll']
    assert counts(p) == [1, 1, 2] and p['total_voters'] == 2
    assert srv.query('SELECT count(*) FROM poll_votes WHERE poll_id = ?',
                     multi['id']) == [(4,)]


def test_results_hidden_until_vote_or_close():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    c = srv.session(keys['carol'])
    p = create(a)
    mon = opt_ids(p)[0]
    assert b.call('poll.vote', poll_id=p['id'], options=[mon])['ok']
    # carol has not voted: no counts, no names, but the number of voters
    q = c.call('poll.get', poll_id=p['id'])['result']['poll']
    assert q['results_visible'] is False and counts(q) == [None, None, None]
    assert q['total_voters'] == 1 and all('voters' not in o for o in q['options'])
    assert 'bob' not in json.dumps(q)
    # after voting she sees counts and, in a named poll, who chose what
    q = c.call('poll.vote', poll_id=p['id'], options=[mon])['result']['poll']
    assert q['results_visible'] is True and counts(q) == [2, 0, 0]
    assert q['options'][0]['voters'] == [{'handle': 'bob', 'display_name': 'Bob'},
                                         {'handle': 'carol', 'display_name': 'Carol'}]
    assert q['options'][1]['voters'] == []
    # results after closing: hidden even from voters until it closes
    p = create(a, results='after_close')
    mon = opt_ids(p)[0]
    q = b.call('poll.vote', poll_id=p['id'], options=[mon])['result']['poll']
    assert q['results_visible'] is False and counts(q) == [None, None, None]
    assert q['my_vote'] == [mon]
    assert a.call('poll.close', poll_id=p['id'])['ok']
    for s in (a, b, c):
        q = s.call('poll.get', poll_id=p['id'])['result']['poll']
        assert q['closed'] is True and q['results_visible'] is True
        assert counts(q) == [1, 0, 0]
        assert q['options'][0]['voters'] == [{'handle': 'bob', 'display_name': 'Bob'}]


def test_anonymous_polls_never_reveal_voters():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    c = srv.session(keys['carol'])
    p = create(a, anonymous=True, multiple=True)
    ids = opt_ids(p)
    q = b.call('poll.vote', poll_id=p['id'], options=ids[:2])['result']['poll']
    assert counts(q) == [1, 1, 0] and q['my_vote'] == ids[:2]
    assert all('voters' not in o for o in q['options'])
    q = c.call('poll.vote', poll_id=p['id'], options=ids[1:2])['result']['poll']
    assert counts(q) == [1, 2, 0] and q['total_voters'] == 2
    lee = srv.session(keys['lee'])
    r = lee.call('poll.close', poll_id=p['id'])
    assert r['ok'], r
    for s in (a, b, c, lee):
        r = s.call('poll.get', poll_id=p['id'])
        q = r['result']['poll']
        assert counts(q) == [1, 2, 0] and all('voters' not in o for o in q['options'])
        text = json.dumps(r)
        assert '"bob"' not in text and '"carol"' not in text
    r = a.call('poll.list', slug='forum')
    assert '"bob"' not in json.dumps(r) and '"carol"' not in json.dumps(r)
    # each member still sees their own vote
    assert b.call('poll.get', poll_id=p['id'])['result']['poll']['my_vote'] == ids[:2]


def test_close_by_author_or_moderator_only():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    c = srv.session(keys['carol'])
    lee = srv.session(keys['lee'])
    p1 = create(a, question='First?')
    p2 = create(a, question='Second?')
    assert b.call('poll.vote', poll_id=p1['id'], options=[opt_ids(p1)[1]])['ok']
    assert c.call('poll.vote', poll_id=p1['id'], options=[opt_ids(p1)[0]])['ok']
    b.events.clear()
    # another member may not close it
    r = c.call('poll.close', poll_id=p1['id'])
    assert err_code(r) == 'forbidden' and 'author' in r['error']['message'], r
    ivy = srv.session(keys['ivy'])
    assert err_code(ivy.call('poll.close', poll_id=p1['id'])) == 'forbidden'
    assert srv.query('SELECT closed_at FROM polls WHERE id = ?', p1['id']) == [(None,)]
    # the author may
    r = a.call('poll.close', poll_id=p1['id'])
    assert r['ok'], r
    q = r['result']['poll']
    assert q['closed'] is True and q['closed_at'] is not None and counts(q) == [1, 1, 0]
    r = a.call('poll.close', poll_id=p1['id'])
    assert err_code(r) == 'conflict', r
    # votes are refused once closed
    r = b.call('poll.vote', poll_id=p1['id'], options=[opt_ids(p1)[0]])
    assert err_code(r) == 'conflict' and 'closed' in r['error']['message'], r
    # voters are told (the author closed it herself: no notification for her)
    rows = srv.query("SELECT m.handle, n.kind, n.poll_id FROM notifications n "
                     "JOIN members m ON m.id = n.member_id ORDER BY m.handle")
    assert rows == [('bob', 'poll_closed', p1['id']), ('carol', 'poll_closed', p1['id'])]
    ev = until(b, fixtures.ev('notify.new'))
    assert ev['data']['kind'] == 'poll_closed', ev
    assert ev['data']['poll_id'] == p1['id'] and 'First?' in ev['data']['text']
    # a leader may close someone else's poll; the author is told
    r = lee.call('poll.close', poll_id=p2['id'])
    assert r['ok'], r
    assert srv.query("SELECT count(*) FROM notifications n JOIN members m ON "
                     "m.id = n.member_id WHERE m.handle = 'alice' AND n.poll_id = ?",
                     p2['id']) == [(1,)]
    assert err_code(a.call('poll.close', poll_id=123456)) == 'not_found'
    assert err_code(a.call('poll.close')) == 'bad_request'


def test_timed_close_refuses_votes_and_notifies():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    assert err_code(a.call('poll.create', slug='forum', question='Q?', options=['a', 'b'],
                      closes_in='-5s')) == 'bad_request'
    p = create(a, closes_in='2s', results='after_close')
    assert p['closed'] is False and p['closes_at'] is not None
    r = b.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[1]])
    assert r['ok'] and r['result']['poll']['results_visible'] is False, r
    closes = calendar.timegm(time.strptime(p['closes_at'], '%Y-%m-%dT%H:%M:%SZ'))
    wait_until(lambda: time.time() >= closes + 0.05, 5, 'the closing time')
    # closed in every read, even before the sweep has run
    r = b.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[0]])
    assert err_code(r) == 'conflict', r
    q = b.call('poll.get', poll_id=p['id'])['result']['poll']
    assert q['closed'] is True and q['closed_at'] == q['closes_at']
    assert q['results_visible'] is True and counts(q) == [0, 1, 0]
    r = a.call('poll.list', slug='forum', open=True)
    assert r['result']['polls'] == [], r
    assert err_code(a.call('poll.close', poll_id=p['id'])) == 'conflict'
    # (the sweep runs half a second after the closing time: it had not yet)
    assert srv.query('SELECT closed_at FROM polls WHERE id = ?', p['id']) == [(None,)]
    # the sweep stamps it and tells the voter and the author
    wait_db(srv, "SELECT m.handle FROM notifications n JOIN members m ON "
                 "m.id = n.member_id WHERE n.kind = 'poll_closed' AND "
                 "n.poll_id = ? ORDER BY m.handle", [('alice',), ('bob',)], p['id'])
    closed = srv.query('SELECT closed_at, closes_at FROM polls WHERE id = ?', p['id'])
    assert closed[0][0] == closed[0][1], closed
    ev = until(b, fixtures.ev('notify.new'))
    assert ev['data']['kind'] == 'poll_closed' and ev['data']['poll_id'] == p['id'], ev
    # once only: another timed poll brings another sweep, which leaves it be
    past = sweeps(srv, 'polls')
    create(a, closes_in='1s')
    wait_sweep(srv, 'polls', past)
    assert srv.query("SELECT count(*) FROM notifications WHERE poll_id = ?",
                     p['id']) == [(2,)]
    ok(b.call('whoami'))     # its reply comes after every event sent before it
    assert not [m for m in b.events if m.get('event') == 'notify.new' and
                m['data'].get('poll_id') == p['id']], b.events


def test_private_community_polls_are_not_found_by_outsiders():
    srv, keys = setup(visibility='private')
    a = srv.session(keys['alice'])
    p = create(a)
    nora = srv.session(keys['nora'])
    for op, args in (('poll.get', {'poll_id': p['id']}),
                     ('poll.vote', {'poll_id': p['id'], 'options': [opt_ids(p)[0]]}),
                     ('poll.close', {'poll_id': p['id']})):
        r = nora.call(op, **args)
        assert err_code(r) == 'not_found', (op, r)
        assert r['error']['message'] == 'No such poll.'
    # the community itself is known to exist; its polls are not readable
    assert err_code(nora.call('poll.list', slug='forum')) == 'forbidden'
    assert err_code(nora.call('poll.create', slug='forum', question='Q?',
                         options=['a', 'b'])) == 'forbidden'
    assert srv.query('SELECT count(*) FROM poll_votes') == [(0,)]
    # members of it, and platform admins, see it
    assert srv.session(keys['bob']).call('poll.get', poll_id=p['id'])['ok']


def test_poll_list_pages_and_filters():
    srv, keys = setup()
    a = srv.session(keys['alice'])
    b = srv.session(keys['bob'])
    ids = [create(a, question='Poll %d?' % i)['id'] for i in range(5)]
    assert a.call('poll.close', poll_id=ids[1])['ok']
    assert b.call('poll.vote', poll_id=ids[4], options=[
        a.call('poll.get', poll_id=ids[4])['result']['poll']['options'][0]['id']])['ok']
    r = b.call('poll.list', slug='forum')
    assert r['ok'], r
    polls = r['result']['polls']
    assert [p['id'] for p in polls] == ids[::-1] and r['result']['next'] is None
    assert polls[0]['voted'] is True and polls[0]['total_voters'] == 1
    assert polls[1]['voted'] is False and polls[0]['author'] == 'alice'
    assert polls[0]['question'] == 'Poll 4?' and polls[0]['closed'] is False
    r = b.call('poll.list', slug='forum', limit=2)
    assert [p['id'] for p in r['result']['polls']] == [ids[4], ids[3]]
    assert r['result']['next'] == ids[3]
    r = b.call('poll.list', slug='forum', limit=2, before=ids[3])
    assert [p['id'] for p in r['result']['polls']] == [ids[2], ids[1]]
    r = b.call('poll.list', slug='forum', limit=2, before=ids[1])
    assert [p['id'] for p in r['result']['polls']] == [ids[0]]
    assert r['result']['next'] is None
    r = b.call('poll.list', slug='forum', open=True)
    assert [p['id'] for p in r['result']['polls']] == [ids[4], ids[3], ids[2], ids[0]]
    r = b.call('poll.list', slug='forum', open=False)
    assert [p['id'] for p in r['result']['polls']] == [ids[1]]
    assert r['result']['polls'][0]['closed'] is True
    for bad in (dict(limit=0), dict(limit=101), dict(open='yes'), dict(before='x'), {}):
        args = dict(slug='forum')
        args.update(bad)
        if not bad:
            del args['slug']
        assert err_code(b.call('poll.list', **args)) == 'bad_request', bad
    assert err_code(b.call('poll.list', slug='nope')) == 'not_found'


def test_guests_read_public_polls_without_names():
    srv, keys = setup(visibility='public', config={'guest': 'on'})
    a = srv.session(keys['alice'])
    p = create(a)
    assert a.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[0]])['ok']
    assert a.call('poll.close', poll_id=p['id'])['ok']
    g = srv.session(Key('visitor'), 'guest')
    r = g.call('poll.get', poll_id=p['id'])
    assert r['ok'], r
    q = r['result']['poll']
    assert counts(q) == [1, 0, 0] and q['my_vote'] == []
    assert all('voters' not in o for o in q['options'])
    r = g.call('poll.list', slug='forum')
    assert r['ok'] and len(r['result']['polls']) == 1, r
    assert err_code(g.call('poll.vote', poll_id=p['id'], options=[opt_ids(p)[0]])) == 'forbidden'
    assert err_code(g.call('poll.create', slug='forum', question='Q?',
                      options=['a', 'b'])) == 'forbidden'
