"""Boards: threads and posts, replies, edits, moderation, thanks, mentions,
read positions, the roundup, live thread.new_post events and query plans."""

import fixtures
from fixtures import community, err, next_second, ok
from harness import Server


def board(vis='platform', people=(('ann', 'member'), ('bob', 'member'))):
    """A server with community 'garden' and members in given roles (role None:
    a platform member outside the community); returns (srv, sessions)."""
    srv = Server()
    keys = fixtures.people(srv, *[h for h, _ in people])
    community(srv, 'garden', vis, [(h, r) for h, r in people if r], name='Garden')
    # start from an empty board (the community's welcome threads removed)
    srv.execute("UPDATE communities SET welcome_thread_id = NULL, intro_thread_id = NULL")
    for table in ('notifications', 'read_positions', 'post_thanks', 'post_edits', 'posts',
                  'threads'):
        srv.execute("DELETE FROM %s" % table)
    return srv, {h: srv.session(k) for h, k in keys.items()}


def notes(srv, handle, kind=None):
    sql = ("SELECT n.kind, n.thread_id, n.post_id, n.text FROM notifications n JOIN members m "
           "ON m.id = n.member_id WHERE m.handle = ?")
    rows = srv.query(sql + " ORDER BY n.id", handle)
    return [r for r in rows if kind is None or r[0] == kind]


def test_thread_create_list_get_pagination_pinned_first():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member'), ('lea', 'leader')))
    ids = []
    for i in range(5):
        r = ok(s['ann'].call('thread.create', slug='garden', title='Topic %d' % i,
                             body='Body **%d**' % i, tags=['soil', 'tools-%d' % i, 'soil']))
        assert r['thread_id'] > 0 and r['post_id'] > 0
        ids.append(r['thread_id'])
    # leader pins the oldest; a reply bumps the second oldest
    t = ok(s['lea'].call('thread.update', thread_id=ids[0], pinned=True))['thread']
    assert t['pinned'] is True
    next_second()
    ok(s['bob'].call('post.create', thread_id=ids[1], body='bump'))
    first = ok(s['bob'].call('thread.list', slug='garden', limit=2))
    assert [t['id'] for t in first['threads']] == [ids[0], ids[1]]
    it = first['threads'][1]
    assert it['title'] == 'Topic 1' and it['tags'] == ['soil', 'tools-1']
    assert it['author'] == {'handle': 'ann', 'display_name': 'Ann'}
    assert it['post_count'] == 2 and it['locked'] is False and it['pinned'] is False
    assert it['created_at'].endswith('Z') and it['last_post_at'] >= it['created_at']
    # bob wrote the last post of ids[1]: read; ann's others are unread to bob
    assert it['unread'] is False and first['threads'][0]['unread'] is True
    assert first['next'] is not None
    seen = [t['id'] for t in first['threads']]
    cursor = first['next']
    while cursor:
        page = ok(s['bob'].call('thread.list', slug='garden', limit=2, before=cursor))
        seen += [t['id'] for t in page['threads']]
        cursor = page['next']
    # same second for the rest: newest id first, nothing lost or repeated
    assert seen == [ids[0], ids[1], ids[4], ids[3], ids[2]], (seen, ids)
    # ann's own threads are read for her; bob's reply made ids[1] unread
    mine = {t['id']: t['unread'] for t in
            ok(s['ann'].call('thread.list', slug='garden', limit=100))['threads']}
    assert mine == {ids[0]: False, ids[1]: True, ids[2]: False, ids[3]: False, ids[4]: False}
    ok(s['ann'].call('thread.mark_read', thread_id=ids[1]))
    mine = {t['id']: t['unread'] for t in
            ok(s['ann'].call('thread.list', slug='garden'))['threads']}
    assert not any(mine.values())
    rp = srv.query("SELECT r.last_post_id, t.last_post_id FROM read_positions r JOIN threads t "
                   "ON t.id = r.thread_id JOIN members m ON m.id = r.member_id "
                   "WHERE m.handle = 'ann' AND t.id = ?", ids[1])
    assert rp[0][0] == rp[0][1]
    # thread.get: posts in order with an after-cursor
    for i in range(4):
        ok(s['bob'].call('post.create', thread_id=ids[2], body='reply %d' % i))
    g = ok(s['bob'].call('thread.get', thread_id=ids[2], limit=2))
    assert g['thread']['title'] == 'Topic 2' and g['thread']['community'] == 'garden'
    assert g['thread']['post_count'] == 5 and g['thread']['moderator'] is False
    assert [p['body'] for p in g['posts']] == ['Body **2**', 'reply 0']
    p0 = g['posts'][0]
    assert p0['author']['handle'] == 'ann' and p0['reply_to'] is None
    assert p0['edited_at'] is None and p0['thanks'] == 0 and p0['thanked_by_me'] is False
    assert p0['hidden'] is False and p0['deleted'] is False
    bodies = [p['body'] for p in g['posts']]
    while g['next'] is not None:
        g = ok(s['bob'].call('thread.get', thread_id=ids[2], limit=2, after=g['next']))
        bodies += [p['body'] for p in g['posts']]
    assert bodies == ['Body **2**'] + ['reply %d' % i for i in range(4)]
    # a leader is told they moderate here
    assert ok(s['lea'].call('thread.get', thread_id=ids[2]))['thread']['moderator'] is True
    # mark_read to a given post, and a post from elsewhere refused
    first_post = srv.query("SELECT min(id) FROM posts WHERE thread_id = ?", ids[2])[0][0]
    ok(s['ann'].call('thread.mark_read', thread_id=ids[2], post_id=first_post))
    err(s['ann'].call('thread.mark_read', thread_id=ids[3], post_id=first_post), 'bad_request')
    err(s['ann'].call('thread.get', thread_id=999999), 'not_found')
    err(s['ann'].call('thread.list', slug='nowhere'), 'not_found')


def test_replies_reply_to_mentions_and_notifications():
    srv, s = board(vis='private', people=(('ann', 'member'), ('bob', 'member'),
                                          ('cat', 'member'), ('dan', 'member'),
                                          ('eve', None)))
    t = ok(s['ann'].call('thread.create', slug='garden', title='Compost', body='How?'))
    t2 = ok(s['ann'].call('thread.create', slug='garden', title='Other', body='x'))
    b = ok(s['bob'].call('post.create', thread_id=t['thread_id'], body='Like this.',
                         reply_to=t['post_id']))
    assert b['post']['reply_to'] == t['post_id'] and b['post']['body'] == 'Like this.'
    c = ok(s['cat'].call('post.create', thread_id=t['thread_id'], reply_to=b['post_id'],
                         body='> Like this.\n\nYes! cc @dan @eve @nobody mail me@dan.org @dan'))
    g = ok(s['ann'].call('thread.get', thread_id=t['thread_id']))
    assert [p['reply_to'] for p in g['posts']] == [None, t['post_id'], b['post_id']]
    # ann (thread author) told of both replies; bob of cat's reply to him
    assert [(k, p) for k, _, p, _ in notes(srv, 'ann')] == \
        [('reply', b['post_id']), ('reply', c['post_id'])]
    assert [(k, p) for k, _, p, _ in notes(srv, 'bob')] == [('reply', c['post_id'])]
    assert 'cat' in notes(srv, 'bob')[0][3]
    # dan mentioned once; eve may not read this private community: nothing
    assert [(k, p) for k, _, p, _ in notes(srv, 'dan')] == [('mention', c['post_id'])]
    assert notes(srv, 'eve') == [] and notes(srv, 'cat') == []
    # reply_to must be in the same thread
    err(s['bob'].call('post.create', thread_id=t2['thread_id'], body='x',
                      reply_to=b['post_id']), 'bad_request')
    err(s['bob'].call('post.create', thread_id=t2['thread_id'], body='x', reply_to=987654),
        'bad_request')
    # an edit that adds a mention notifies only the new name
    ok(s['bob'].call('post.edit', post_id=b['post_id'], body='Like this, @Dan and @CAT.'))
    assert [k for k, *_ in notes(srv, 'dan')] == ['mention', 'mention']
    assert [k for k, *_ in notes(srv, 'cat')] == ['mention']
    # counters kept
    row = srv.query("SELECT post_count, last_post_id FROM threads WHERE id = ?",
                    t['thread_id'])[0]
    assert row == (3, c['post_id'])


def test_edit_keeps_history_author_only():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member')))
    t = ok(s['ann'].call('thread.create', slug='garden', title='T', body='one'))
    pid = t['post_id']
    err(s['bob'].call('post.edit', post_id=pid, body='mine now'), 'forbidden')
    e = ok(s['ann'].call('post.edit', post_id=pid, body='two'))
    assert e['changed'] is True and e['edited_at'].endswith('Z')
    ok(s['ann'].call('post.edit', post_id=pid, body='three'))
    assert ok(s['ann'].call('post.edit', post_id=pid, body='three'))['changed'] is False
    g = ok(s['bob'].call('thread.get', thread_id=t['thread_id']))
    assert g['posts'][0]['body'] == 'three' and g['posts'][0]['edited_at'] is not None
    h = ok(s['bob'].call('post.history', post_id=pid))
    assert [v['body'] for v in h['versions']] == ['one', 'two', 'three']
    assert [v['current'] for v in h['versions']] == [False, False, True]
    assert srv.query("SELECT body FROM post_edits ORDER BY id") == [('one',), ('two',)]
    err(s['ann'].call('post.edit', post_id=999999, body='x'), 'not_found')
    # the search index follows the edit
    assert srv.query("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'three'") == [(pid,)]
    assert srv.query("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'one'") == []


def test_hide_unhide_reason_for_author_and_moderators_only():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member'), ('lea', 'leader'),
                           ('max', 'manager')))
    t = ok(s['ann'].call('thread.create', slug='garden', title='T', body='first'))
    p = ok(s['bob'].call('post.create', thread_id=t['thread_id'], body='rude words'))
    pid = p['post_id']
    err(s['ann'].call('post.hide', post_id=pid, reason='no'), 'forbidden')
    err(s['lea'].call('post.hide', post_id=pid), 'bad_request')
    err(s['lea'].call('post.hide', post_id=pid, reason='   '), 'bad_request')
    ok(s['lea'].call('post.hide', post_id=pid, reason='Please keep it kind.'))
    err(s['max'].call('post.hide', post_id=pid, reason='again'), 'conflict')

    def seen_by(who):
        g = ok(s[who].call('thread.get', thread_id=t['thread_id']))
        return [x for x in g['posts'] if x['id'] == pid][0]
    other = seen_by('ann')
    assert other['hidden'] is True and other['body'] is None and 'hidden_reason' not in other
    mine = seen_by('bob')
    assert mine['body'] == 'rude words' and mine['hidden_reason'] == 'Please keep it kind.'
    mod = seen_by('max')
    assert mod['body'] == 'rude words' and mod['hidden_reason'] == 'Please keep it kind.'
    hid = notes(srv, 'bob', 'post_hidden')
    assert len(hid) == 1 and 'Please keep it kind.' in hid[0][3] and hid[0][2] == pid
    # history of a hidden post: author and moderators only
    err(s['ann'].call('post.history', post_id=pid), 'forbidden')
    ok(s['bob'].call('post.history', post_id=pid))
    # hidden: no edits, no thanks
    err(s['bob'].call('post.edit', post_id=pid, body='sorry'), 'conflict')
    err(s['ann'].call('post.thank', post_id=pid), 'conflict')
    err(s['ann'].call('post.unhide', post_id=pid), 'forbidden')
    ok(s['max'].call('post.unhide', post_id=pid))
    err(s['max'].call('post.unhide', post_id=pid), 'conflict')
    back = seen_by('ann')
    assert back['hidden'] is False and back['body'] == 'rude words'
    actions = [r[0] for r in srv.query("SELECT action FROM audit WHERE action LIKE 'post.%' "
                                       "ORDER BY id")]
    assert actions == ['post.hide', 'post.unhide']


def test_delete_own_only_leaves_tombstone():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member'), ('lea', 'leader')))
    t = ok(s['ann'].call('thread.create', slug='garden', title='T', body='first'))
    p = ok(s['bob'].call('post.create', thread_id=t['thread_id'], body='oops secret'))
    pid = p['post_id']
    ok(s['bob'].call('post.edit', post_id=pid, body='oops secret 2'))
    err(s['ann'].call('post.delete', post_id=pid), 'forbidden')
    err(s['lea'].call('post.delete', post_id=pid), 'forbidden')
    ok(s['bob'].call('post.delete', post_id=pid))
    err(s['bob'].call('post.delete', post_id=pid), 'conflict')
    g = ok(s['ann'].call('thread.get', thread_id=t['thread_id']))
    tomb = g['posts'][1]
    assert tomb['id'] == pid and tomb['deleted'] is True and tomb['body'] is None
    assert tomb['author']['handle'] == 'bob'
    assert g['thread']['post_count'] == 2
    assert srv.query("SELECT body, deleted_at IS NOT NULL FROM posts WHERE id = ?", pid) == \
        [('', 1)]
    assert srv.query("SELECT count(*) FROM post_edits WHERE post_id = ?", pid) == [(0,)]
    assert srv.query("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'secret'") == []
    assert ok(s['ann'].call('post.history', post_id=pid))['versions'] == []
    err(s['bob'].call('post.edit', post_id=pid, body='back'), 'conflict')
    err(s['lea'].call('post.hide', post_id=pid, reason='x'), 'conflict')


def test_thanks_once_not_own():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member'), ('cat', 'interested')))
    t = ok(s['ann'].call('thread.create', slug='garden', title='T', body='useful'))
    pid = t['post_id']
    err(s['ann'].call('post.thank', post_id=pid), 'forbidden')
    assert ok(s['bob'].call('post.thank', post_id=pid))['thanks'] == 1
    err(s['bob'].call('post.thank', post_id=pid), 'conflict')
    assert ok(s['cat'].call('post.thank', post_id=pid))['thanks'] == 2
    assert srv.query("SELECT thanks FROM posts WHERE id = ?", pid) == [(2,)]
    assert srv.query("SELECT count(*) FROM post_thanks WHERE post_id = ?", pid) == [(2,)]
    assert [k for k, *_ in notes(srv, 'ann')] == ['thanks', 'thanks']
    g = ok(s['bob'].call('thread.get', thread_id=t['thread_id']))
    assert g['posts'][0]['thanks'] == 2 and g['posts'][0]['thanked_by_me'] is True
    g = ok(s['ann'].call('thread.get', thread_id=t['thread_id']))
    assert g['posts'][0]['thanked_by_me'] is False
    err(s['bob'].call('post.thank', post_id=424242), 'not_found')


def test_locked_thread_and_update_rights():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member'), ('lea', 'leader')))
    t = ok(s['ann'].call('thread.create', slug='garden', title='Old', body='x', tags=['a']))
    tid = t['thread_id']
    err(s['ann'].call('thread.update', thread_id=tid, locked=True), 'forbidden')
    err(s['bob'].call('thread.update', thread_id=tid, title='Mine'), 'forbidden')
    err(s['ann'].call('thread.update', thread_id=tid), 'bad_request')
    u = ok(s['ann'].call('thread.update', thread_id=tid, title='New', tags=['b', 'c']))
    assert u['thread']['title'] == 'New' and u['thread']['tags'] == ['b', 'c']
    u = ok(s['lea'].call('thread.update', thread_id=tid, locked=True, title='Lea says'))
    assert u['thread']['locked'] is True and u['thread']['title'] == 'Lea says'
    assert u['thread']['tags'] == ['b', 'c']
    msg = err(s['bob'].call('post.create', thread_id=tid, body='hello?'), 'forbidden')
    assert 'locked' in msg
    assert 'locked' in err(s['ann'].call('post.edit', post_id=t['post_id'], body='late'),
                           'forbidden')
    ok(s['lea'].call('post.create', thread_id=tid, body='Closed, thanks all.'))
    ok(s['lea'].call('thread.update', thread_id=tid, locked=False))
    ok(s['bob'].call('post.create', thread_id=tid, body='open again'))
    assert srv.query("SELECT post_count, title, tags FROM threads WHERE id = ?", tid) == \
        [(3, 'Lea says', 'b c')]
    assert srv.query("SELECT rowid FROM threads_fts WHERE threads_fts MATCH 'lea'") == [(tid,)]


def test_interested_may_reply_not_start_threads():
    srv, s = board(people=(('ann', 'member'), ('ivy', 'interested'), ('out', None)))
    t = ok(s['ann'].call('thread.create', slug='garden', title='T', body='x'))
    msg = err(s['ivy'].call('thread.create', slug='garden', title='Mine', body='y'),
              'forbidden')
    assert 'Interested' in msg
    ok(s['ivy'].call('post.create', thread_id=t['thread_id'], body='Hi!'))
    # platform community: outsiders read but may not write
    ok(s['out'].call('thread.get', thread_id=t['thread_id']))
    err(s['out'].call('post.create', thread_id=t['thread_id'], body='me too'), 'forbidden')
    err(s['out'].call('thread.create', slug='garden', title='T', body='x'), 'forbidden')
    assert srv.query("SELECT count(*) FROM threads") == [(1,)]
    assert srv.query("SELECT count(*) FROM posts") == [(2,)]


def test_private_community_threads_are_not_found_to_outsiders():
    srv, s = board(vis='private', people=(('ann', 'member'), ('out', None)))
    t = ok(s['ann'].call('thread.create', slug='garden', title='Secret', body='x'))
    # the community itself is known to every member (they may ask to join)
    msg = err(s['out'].call('thread.list', slug='garden'), 'forbidden')
    assert 'ask to join' in msg
    msg = err(s['out'].call('thread.get', thread_id=t['thread_id']), 'not_found')
    assert msg == 'No such thread.'
    err(s['out'].call('post.create', thread_id=t['thread_id'], body='x'), 'not_found')
    err(s['out'].call('post.history', post_id=t['post_id']), 'not_found')
    err(s['out'].call('post.thank', post_id=t['post_id']), 'not_found')
    err(s['out'].call('thread.mark_read', thread_id=t['thread_id']), 'not_found')
    # no notification about private content either
    ok(s['ann'].call('post.create', thread_id=t['thread_id'], body='hey @out'))
    assert notes(srv, 'out') == []
    r = ok(s['out'].call('roundup.get'))
    assert r['threads'] == [] and r['mentions'] == []


def test_live_new_post_reaches_watchers_only():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member'), ('cat', 'member')))
    t = ok(s['ann'].call('thread.create', slug='garden', title='Live', body='x'))
    other = ok(s['ann'].call('thread.create', slug='garden', title='Elsewhere', body='y'))
    ok(s['bob'].call('thread.get', thread_id=t['thread_id']))
    ok(s['cat'].call('thread.get', thread_id=other['thread_id']))
    p = ok(s['ann'].call('post.create', thread_id=t['thread_id'], body='news!'))
    ev = s['bob'].recv(timeout=5)
    assert ev['event'] == 'thread.new_post', ev
    assert ev['data']['thread_id'] == t['thread_id']
    assert ev['data']['post']['id'] == p['post_id'] and ev['data']['post']['body'] == 'news!'
    assert ev['data']['post']['author']['handle'] == 'ann'
    # cat watches another thread: a ping round-trip shows nothing arrived
    ok(s['cat'].call('whoami'))
    assert not [e for e in s['cat'].events if e.get('event') == 'thread.new_post']
    ok(s['bob'].call('whoami'))
    assert not [e for e in s['bob'].events if e.get('event') == 'thread.new_post']


def test_bad_arguments():
    srv, s = board(people=(('ann', 'member'),))
    a = s['ann']
    msg = err(a.call('thread.create', slug='garden', title='T', body='x' * 60001),
              'bad_request')
    assert msg == 'args.body is too long (max 60000 bytes)'
    ok(a.call('thread.create', slug='garden', title='T' * 200, body='x' * 60000))
    assert 'title' in err(a.call('thread.create', slug='garden', title='T' * 201, body='x'),
                          'bad_request')
    err(a.call('thread.create', slug='garden', title='', body='x'), 'bad_request')
    err(a.call('thread.create', slug='garden', title='  ', body='x'), 'bad_request')
    err(a.call('thread.create', slug='garden', title='two\nlines', body='x'), 'bad_request')
    err(a.call('thread.create', slug='garden', title='T', body='  \n '), 'bad_request')
    err(a.call('thread.create', slug='garden', title='T'), 'bad_request')
    assert 'tags' in err(a.call('thread.create', slug='garden', title='T', body='x',
                                tags=['Soil']), 'bad_request')
    err(a.call('thread.create', slug='garden', title='T', body='x', tags='soil'), 'bad_request')
    err(a.call('thread.create', slug='garden', title='T', body='x',
               tags=['t%d' % i for i in range(9)]), 'bad_request')
    err(a.call('thread.create', slug='garden', title='T', body='x', tags=['']), 'bad_request')
    err(a.call('thread.create', slug='garden', title='T', body='x', tags=['a b']),
        'bad_request')
    err(a.call('thread.create', slug='garden', title='T', body='x', tags=[3]), 'bad_request')
    ok(a.call('thread.create', slug='garden', title='T', body='x',
              tags=['t%d' % i for i in range(8)]))
    tid = srv.query("SELECT max(id) FROM threads")[0][0]
    err(a.call('post.create', thread_id=tid, body='y' * 60001), 'bad_request')
    err(a.call('post.create', thread_id='1', body='y'), 'bad_request')
    err(a.call('post.create', thread_id=tid), 'bad_request')
    err(a.call('thread.list', slug='garden', limit=101), 'bad_request')
    err(a.call('thread.list', slug='garden', limit=0), 'bad_request')
    err(a.call('thread.list', slug='garden', before='nonsense'), 'bad_request')
    err(a.call('thread.get', thread_id=tid, limit=201), 'bad_request')
    err(a.call('roundup.get', since='yesterday'), 'bad_request')
    # nothing half-written by the refusals
    assert srv.query("SELECT count(*) FROM threads") == [(2,)]
    assert srv.query("SELECT count(*) FROM posts") == [(2,)]


def test_roundup_since_last_visit():
    srv, s = board(people=(('ann', 'member'), ('bob', 'member')))
    srv.execute("UPDATE members SET roundup_at = strftime('%s', 'now') - 60")
    mine = ok(s['ann'].call('thread.create', slug='garden', title='Mine', body='x'))
    theirs = ok(s['bob'].call('thread.create', slug='garden', title='News', body='hi @ann'))
    ok(s['bob'].call('post.create', thread_id=mine['thread_id'], body='reply',
                     reply_to=mine['post_id']))
    r = ok(s['ann'].call('roundup.get'))
    assert [t['id'] for t in r['threads']] == [theirs['thread_id']]
    assert r['threads'][0]['community'] == 'garden' and r['threads'][0]['unread'] is True
    assert [(m['thread_id'], m['by']['handle']) for m in r['mentions']] == \
        [(theirs['thread_id'], 'bob')]
    assert [x['thread_id'] for x in r['replies']] == [mine['thread_id']]
    assert r['marked'] is False
    # not marked: the same again; then marked
    assert len(ok(s['ann'].call('roundup.get', mark=True))['threads']) == 1
    next_second()
    r = ok(s['ann'].call('roundup.get'))
    assert r['threads'] == [] and r['replies'] == [] and r['mentions'] == []
    # an explicit since looks further back
    r = ok(s['ann'].call('roundup.get', since='2000-01-01T00:00:00Z'))
    assert len(r['threads']) == 1 and r['since'] == '2000-01-01T00:00:00Z'
    # the same reader as starts_at: an offset, or minutes only, read as UTC
    r = ok(s['ann'].call('roundup.get', since='2000-01-01T01:00+01:00'))
    assert r['since'] == '2000-01-01T00:00:00Z'
    err(s['ann'].call('roundup.get', since='2000-02-30T00:00:00Z'), 'bad_request')


def test_hot_path_queries_use_indexes():
    srv, s = board(people=(('ann', 'member'),))
    ok(s['ann'].call('thread.create', slug='garden', title='T', body='x'))
    thread_cols = (
        "t.id, t.title, t.tags, t.pinned, t.locked, m.handle, "
        "m.display_name, t.created_at, t.last_post_at, t.post_count, "
        "(:me != 0 AND coalesce((SELECT r.last_post_id FROM read_positions r "
        "WHERE r.member_id = :me AND r.thread_id = t.id), 0) < "
        "coalesce(t.last_post_id, 0))")
    post_cols = (
        "p.id, m.handle, m.display_name, p.body, p.created_at, p.edited_at, "
        "p.reply_to, p.thanks, EXISTS (SELECT 1 FROM post_thanks pt WHERE "
        "pt.post_id = p.id AND pt.member_id = :me), p.hidden_at, "
        "p.hidden_reason, p.deleted_at, p.author_id")
    stmts = [
        "SELECT " + thread_cols + " FROM threads t LEFT JOIN members m "
        "ON m.id = t.author_id WHERE t.community_id = :c "
        "ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT :n",
        "SELECT " + thread_cols + " FROM threads t LEFT JOIN members m "
        "ON m.id = t.author_id WHERE t.community_id = :c AND "
        "(t.pinned, t.last_post_at, t.id) < (:p, :at, :id) "
        "ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC LIMIT :n",
        "SELECT " + post_cols + " FROM posts p LEFT JOIN members m ON "
        "m.id = p.author_id WHERE p.thread_id = :t AND p.id > :after "
        "ORDER BY p.id LIMIT :n",
        "SELECT " + thread_cols + ", t.community_id, t.author_id, "
        "t.last_post_id, c.slug, (SELECT r.last_post_id FROM "
        "read_positions r WHERE r.member_id = :me AND r.thread_id = t.id) "
        "FROM threads t JOIN communities c ON c.id = t.community_id "
        "LEFT JOIN members m ON m.id = t.author_id WHERE t.id = :id",
        "SELECT p.thread_id, p.author_id, p.hidden_at IS NOT NULL, "
        "p.deleted_at IS NOT NULL, t.community_id, t.title, p.created_at, "
        "t.locked FROM posts p JOIN threads t ON t.id = p.thread_id "
        "WHERE p.id = :id",
        "SELECT " + thread_cols + ", t.author_id FROM threads t LEFT "
        "JOIN members m ON m.id = t.author_id WHERE t.community_id = "
        ":c AND t.created_at > :since ORDER BY t.created_at DESC, "
        "t.id DESC LIMIT :n",
        "UPDATE threads SET last_post_at = :now, last_post_id = :p, "
        "post_count = post_count + 1 WHERE id = :t",
    ]
    con = srv.db()
    try:
        for sql in stmts:
            names = set(w.split()[0].strip('(),') for w in sql.split(':')[1:])
            plan = con.execute('EXPLAIN QUERY PLAN ' + sql,
                               {n: 1 for n in names}).fetchall()
            text = '\n'.join(r[3] for r in plan)
            # no full scans at all (threads t, posts p, members m, ...)
            assert not [line for line in text.splitlines()
                        if line.startswith('SCAN ')], (sql, text)
            assert 'USE TEMP B-TREE' not in text, (sql, text)
    finally:
        con.close()
