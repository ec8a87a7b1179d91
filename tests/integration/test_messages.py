"""Private messages (issue 14): a member writes to one member or a small
group; only those in a conversation read it (a third member and an admin,
through every operation, cannot); unread counts, notifications and live
events; a block the blocked member is never told about; reports to staff;
search over one's own conversations; removed members' conversations stay
readable; the TUI's Messages screen and the line mode's messages menu."""
import json

from fixtures import (err, ok, people, replies_in_order, settle, tui, wait_db,
                      wait_event, wait_until)
from harness import Server, Tmux

SECRET = 'The supervision notes about Ravensworth are private'


def setup(*extra):
    srv = Server()
    keys = people(srv, 'ann', 'bob', 'cat', ('root', 'admin'), ('sue', 'staff'), *extra)
    return srv, keys, {h: srv.session(k) for h, k in keys.items()}


def every_reading_op(s, conv, mid):
    """Every way the protocol could show a message: none may show it."""
    out = []
    out.append(json.dumps(s.call('message.conversations')))
    out.append(json.dumps(s.call('message.get', conversation_id=conv)))
    out.append(json.dumps(s.call('message.search', q='Ravensworth')))
    out.append(json.dumps(s.call('search.query', q='Ravensworth')))
    out.append(json.dumps(s.call('notify.list')))
    out.append(json.dumps(s.call('message.report', message_id=mid, reason='show me')))
    out.append(json.dumps(s.call('message.send', conversation_id=conv, body='let me in')))
    out.append(json.dumps(s.call('draft.get', key='message:%d' % conv)))
    out.append(json.dumps(s.call('admin.audit')))
    return out


def test_a_message_between_two_that_a_third_and_an_admin_cannot_read():
    srv, keys, s = setup()
    r = ok(s['ann'].call('message.send', to=['bob'], body=SECRET + '\n\n*kindly*'))
    conv, mid = r['conversation_id'], r['message_id']
    # bob is told: a notification and a live event
    ev = wait_event(s['bob'], 'message.new', conversation_id=conv)
    assert ev['message']['body'].startswith(SECRET) and ev['unread'] == 1
    assert ev['message']['mine'] is False and ev['message']['author']['handle'] == 'ann'
    # the author's other sessions hear of it as theirs
    assert wait_event(s['ann'], 'message.new', conversation_id=conv)['message']['mine']
    wait_event(s['bob'], 'notify.new', kind='message')
    got = ok(s['bob'].call('message.conversations'))
    assert got['unread'] == 1 and got['conversations'][0]['unread'] == 1
    assert got['conversations'][0]['participants'][0]['handle'] == 'ann'
    assert got['conversations'][0]['last']['body'].startswith(SECRET)
    page = ok(s['bob'].call('message.get', conversation_id=conv))
    assert [m['body'] for m in page['messages']] == [SECRET + '\n\n*kindly*']
    assert page['unread'] == 0
    assert ok(s['bob'].call('message.conversations'))['unread'] == 0
    # bob's own search finds it; the reply continues the same conversation
    assert ok(s['bob'].call('message.search', q='ravens'))['results'][0]['id'] == mid
    r2 = ok(s['bob'].call('message.send', to=['@ann'], body='Thanks, noted.'))
    assert r2['conversation_id'] == conv
    # a third member and an admin, through every operation: nothing
    for who in ('cat', 'root', 'sue'):
        for text in every_reading_op(s[who], conv, mid):
            assert 'supervision notes' not in text and 'Thanks, noted' not in text, \
                (who, text)
        err(s[who].call('message.get', conversation_id=conv), 'not_found')
        err(s[who].call('message.report', message_id=mid, reason='x'), 'not_found')
        assert ok(s[who].call('message.search', q='Ravensworth'))['results'] == []
        assert ok(s[who].call('message.conversations'))['conversations'] == []
    assert srv.query('SELECT count(*) FROM messages WHERE conversation_id = ?', conv) == [(2,)]


def test_bad_input_gets_sentences():
    srv, keys, s = setup()
    a = s['ann']
    err(a.call('message.send', to=['nobody'], body='hi'), 'not_found', '@nobody')
    err(a.call('message.send', to=['ann'], body='hi'), 'bad_request', 'whom to write to')
    err(a.call('message.send', to=['bob'], body='  \n '), 'bad_request', 'empty')
    err(a.call('message.send', to=['bob'], body='x' * 20001), 'too_large', 'at most 20000')
    err(a.call('message.send', body='hi'), 'bad_request', 'either')
    err(a.call('message.send', to=['bob'], conversation_id=1, body='hi'), 'bad_request',
        'either')
    err(a.call('message.send', to=['m%d' % i for i in range(11)], body='hi'), 'bad_request',
        'at most 10')
    err(a.call('message.send', conversation_id=999, body='hi'), 'not_found')
    err(a.call('member.block', handle='ann'), 'bad_request', 'yourself')
    err(a.call('message.search', q='   '), 'bad_request')
    # Markdown and quotes that look like FTS syntax are just words
    ok(a.call('message.send', to=['bob'], body='**NEAR** "quoted" (x OR y)'))
    ok(a.call('message.search', q='"NEAR OR ('))
    assert srv.alive()


def test_group_of_three_and_unread_counts():
    srv, keys, s = setup()
    r = ok(s['ann'].call('message.send', to=['bob', 'cat'], body='Reading group on Friday?'))
    conv = r['conversation_id']
    for who in ('bob', 'cat'):
        wait_event(s[who], 'message.new', conversation_id=conv)
    ok(s['bob'].call('message.send', conversation_id=conv, body='Yes from me'))
    got = ok(s['cat'].call('message.conversations'))
    c = got['conversations'][0]
    assert c['group'] and c['unread'] == 2
    assert sorted(p['handle'] for p in c['participants']) == ['ann', 'bob']
    # one notification for cat until she reads, not one per message
    assert srv.query("SELECT count(*) FROM notifications n JOIN members m ON m.id = "
                     "n.member_id WHERE m.handle = 'cat' AND kind = 'message'") == [(1,)]
    page = ok(s['cat'].call('message.get', conversation_id=conv, limit=1))
    assert [m['body'] for m in page['messages']] == ['Yes from me'] and page['next']
    older = ok(s['cat'].call('message.get', conversation_id=conv, before=page['next']))
    assert [m['body'] for m in older['messages']] == ['Reading group on Friday?']
    # a new group with the same people is a new conversation; one-to-one is not
    r2 = ok(s['ann'].call('message.send', to=['bob', 'cat'], body='Another topic'))
    assert r2['conversation_id'] != conv
    one = ok(s['ann'].call('message.send', to=['bob'], body='Just you'))['conversation_id']
    assert ok(s['ann'].call('message.send', to=['bob'], body='Again'))['conversation_id'] == one


def test_a_block_is_silent_and_final():
    srv, keys, s = setup()
    conv = ok(s['ann'].call('message.send', to=['bob'], body='Before the block'))[
        'conversation_id']
    ok(s['bob'].call('message.get', conversation_id=conv))
    assert ok(s['bob'].call('member.block', handle='ann')) == {'handle': 'ann',
                                                                'blocked': True}
    settle(s['bob'])
    # ann's send succeeds as ever: she is not told
    r = ok(s['ann'].call('message.send', to=['bob'], body='Blocked words here'))
    assert r['conversation_id'] == conv
    mine = ok(s['ann'].call('message.get', conversation_id=conv))
    assert [m['body'] for m in mine['messages']] == ['Before the block', 'Blocked words here']
    assert 'blocked' not in json.dumps(mine['conversation']['participants']).replace(
        '"blocked": false', '')
    # bob hears nothing and sees nothing
    seen = settle(s['bob'])
    assert not [m for m in seen if m.get('event') in ('message.new', 'notify.new')], seen
    got = ok(s['bob'].call('message.conversations'))
    assert got['unread'] == 0 and got['blocked'] == ['ann']
    page = ok(s['bob'].call('message.get', conversation_id=conv))
    assert [m['body'] for m in page['messages']] == ['Before the block']
    assert page['conversation']['participants'][0]['blocked'] is True
    assert ok(s['bob'].call('message.search', q='Blocked'))['results'] == []
    # a new group with bob in it: the others read ann; bob does not
    g = ok(s['ann'].call('message.send', to=['bob', 'cat'], body='Group hello'))[
        'conversation_id']
    wait_event(s['cat'], 'message.new', conversation_id=g)
    assert g not in [c['id'] for c in ok(s['bob'].call('message.conversations'))[
        'conversations']]
    # unblocking delivers nothing late; new messages arrive again
    ok(s['bob'].call('member.block', handle='ann', blocked=False))
    page = ok(s['bob'].call('message.get', conversation_id=conv))
    assert [m['body'] for m in page['messages']] == ['Before the block']
    ok(s['ann'].call('message.send', conversation_id=conv, body='After the block'))
    wait_event(s['bob'], 'message.new', conversation_id=conv)
    page = ok(s['bob'].call('message.get', conversation_id=conv))
    assert [m['body'] for m in page['messages']] == ['Before the block', 'After the block']


def test_report_reaches_staff_with_an_audit_row():
    srv, keys, s = setup()
    r = ok(s['ann'].call('message.send', to=['bob'], body='Something unkind'))
    err(s['ann'].call('message.report', message_id=r['message_id'], reason='mine'),
        'bad_request', 'your own')
    err(s['bob'].call('message.report', message_id=r['message_id'], reason='  '),
        'bad_request')
    got = ok(s['bob'].call('message.report', message_id=r['message_id'],
                           reason='This felt like harassment'))
    assert got['reported'] and got['staff_told'] == 2
    for who in ('root', 'sue'):
        n = wait_event(s[who], 'notify.new', kind='message_report')
        assert 'Something unkind' in n['text'] and 'harassment' in n['text'], n
    err(s['bob'].call('message.report', message_id=r['message_id'], reason='again'),
        'conflict', 'already')
    rows = srv.query("SELECT a.action, a.target, a.detail FROM audit a WHERE "
                     "a.action = 'message.report'")
    assert len(rows) == 1 and rows[0][1] == 'ann' and 'harassment' in rows[0][2], rows
    # the author is not told who reported
    assert srv.query("SELECT count(*) FROM notifications n JOIN members m ON m.id = "
                     "n.member_id WHERE m.handle = 'ann'") == [(0,)]


def test_removed_members_conversations_stay_readable():
    srv, keys, s = setup()
    conv = ok(s['ann'].call('message.send', to=['bob'], body='Kept for the record'))[
        'conversation_id']
    g = ok(s['ann'].call('message.send', to=['bob', 'cat'], body='Group kept'))[
        'conversation_id']
    srv.ctl('member', 'remove', 'ann', '--reason', 'left the association')
    page = ok(s['bob'].call('message.get', conversation_id=conv))
    assert [m['body'] for m in page['messages']] == ['Kept for the record']
    assert page['conversation']['participants'][0]['removed'] is True
    # nobody left to read a one-to-one reply; the group goes on
    err(s['bob'].call('message.send', conversation_id=conv, body='hello?'), 'conflict',
        'still a member')
    err(s['bob'].call('message.send', to=['ann'], body='hello?'), 'conflict', 'no longer')
    ok(s['bob'].call('message.send', conversation_id=g, body='Still here'))


def test_two_sends_pipelined_in_one_write_share_one_conversation():
    srv, keys, s = setup()
    lines = [{'id': 101, 'op': 'message.send', 'args': {'to': ['bob'], 'body': 'one'}},
             {'id': 102, 'op': 'message.send', 'args': {'to': ['bob'], 'body': 'two'}},
             {'id': 103, 'op': 'member.block', 'args': {'handle': 'cat'}},
             {'id': 104, 'op': 'message.get', 'args': {'conversation_id': 1}}]
    s['ann'].send_raw(''.join(json.dumps(x) + '\n' for x in lines).encode())
    r1, r2 = ok(s['ann'].reply(101)), ok(s['ann'].reply(102))
    ok(s['ann'].reply(103))
    page = ok(s['ann'].reply(104))
    assert r1['conversation_id'] == r2['conversation_id'] == 1
    assert [m['body'] for m in page['messages']] == ['one', 'two']
    # and from both sides at once: still one conversation
    s['bob'].send_raw((json.dumps({'id': 7, 'op': 'message.send', 'args': {
        'to': ['cat'], 'body': 'b to c'}}) + '\n').encode())
    s['cat'].send_raw((json.dumps({'id': 7, 'op': 'message.send', 'args': {
        'to': ['bob'], 'body': 'c to b'}}) + '\n').encode())
    a, b = ok(s['bob'].reply(7)), ok(s['cat'].reply(7))
    assert a['conversation_id'] == b['conversation_id']
    assert srv.query('SELECT count(*) FROM conversations') == [(2,)]
    wait_db(srv, 'SELECT count(*) FROM messages', [(4,)])


# ---- the TUI and the line mode ----

def plain(srv, key, user, height=60):
    cmd = srv.ssh_base(key, user) + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, height)
    t.wait_for('Main menu', timeout=15)
    return t


def with_community(srv):
    keys = people(srv, 'ann', 'bob', 'cat')
    srv.execute("UPDATE members SET display_name = 'Bob Baker' WHERE handle = 'bob'")
    from fixtures import community
    community(srv, 'cop', 'platform', [('ann', 'member'), ('bob', 'member'),
                                       ('cat', 'member')], name='Students')
    return keys


def test_tui_messages_from_home_reply_live_block_and_directory():
    srv = Server()
    keys = with_community(srv)
    bob = srv.session(keys['bob'])
    conv = ok(bob.call('message.send', to=['ann'], body='Are you **free** on Friday?'))[
        'conversation_id']
    t = tui(srv, keys['ann'], 'ann', height=30)
    try:
        t.wait_for('1 unread private message (press M)', timeout=15)
        t.keys('M')
        t.wait_for('Messages', '@bob', '1 new')
        t.keys('Enter')
        t.wait_for('With @bob', 'Bob Baker (@bob)', 'Are you free on Friday?')
        wait_db(srv, 'SELECT last_read_id > 0 FROM conversation_members cm JOIN members m '
                'ON m.id = cm.member_id WHERE m.handle = ?', [(1,)], 'ann')
        # a reply with the composer
        t.keys('r')
        t.wait_for('Ctrl-S:send')
        t.keys('-l', 'Yes, after two.')
        # kept on the server under the conversation's key, offered again
        wait_db(srv, 'SELECT key, body FROM drafts', [('message:%d' % conv,
                                                       'Yes, after two.')], timeout=15)
        t.keys('Escape')
        t.wait_for('r:reply')
        t.keys('r')
        t.wait_for('Your draft is back', 'Yes, after two.')
        t.keys('C-s')
        t.wait_for('Yes, after two.', 'r:reply')
        wait_db(srv, "SELECT count(*) FROM messages WHERE body = 'Yes, after two.'", [(1,)])
        # bob writes again: it appears on the open screen
        ok(bob.call('message.send', conversation_id=conv, body='Great, see you then'))
        t.wait_for('Great, see you then')
        # block bob from the conversation
        t.keys('b')
        t.wait_for('Block @bob?')
        t.keys('y')
        wait_db(srv, 'SELECT count(*) FROM member_blocks', [(1,)])
        t.wait_for('(blocked)')
        # and from the directory: write to cat
        t.keys('d')
        t.wait_for('Find members')
        t.keys('-l', 'cat')
        t.keys('Enter')
        t.wait_for('@cat', '1 member found')
        t.keys('Enter')                      # the profile: W writes privately
        t.wait_for('W:write privately')
        t.keys('W')
        t.wait_for('Message to cat')
        t.keys('-l', 'Hello from the directory')
        t.keys('C-s')
        t.wait_for('With @cat', 'Hello from the directory')
    finally:
        t.kill()
    assert srv.query("SELECT count(*) FROM messages m JOIN members a ON a.id = m.author_id "
                     "WHERE a.handle = 'ann'") == [(2,)]


def test_tui_write_to_a_posts_author_and_from_a_profile():
    srv = Server()
    keys = with_community(srv)
    bob = srv.session(keys['bob'])
    ok(bob.call('thread.create', slug='cop', title='Placements',
                body='Who has a rural placement?'))
    t = tui(srv, keys['ann'], 'ann', height=30)
    try:
        t.wait_for('Students', timeout=15)
        t.keys('/')
        t.wait_for('Search')
        t.keys('-l', 'rural')
        t.keys('Enter')
        t.wait_for('Placements')
        t.keys('Down', 'Enter')
        t.wait_for('Who has a rural placement?')
        t.keys('W')
        t.wait_for('Message to bob')
        t.keys('-l', 'I do, in Cumbria')
        t.keys('C-s')
        t.wait_for('With @bob', 'I do, in Cumbria')
        # a member's profile (from the directory)
        t.keys('d')
        t.wait_for('Find members')
        t.keys('-l', 'cat')
        t.keys('Enter')
        t.wait_for('@cat', '1 member found')     # the filtered list
        t.keys('Enter')
        t.wait_for('W:write privately', '@cat')
        t.keys('W')
        t.wait_for('Message to cat')
        t.keys('-l', 'Hello from your profile')
        t.keys('C-s')
        t.wait_for('With @cat', 'Hello from your profile')
    finally:
        t.kill()
    wait_db(srv, "SELECT count(*) FROM messages WHERE body IN ('I do, in Cumbria', "
            "'Hello from your profile')", [(2,)])


def test_line_mode_list_read_reply_report_block_and_write():
    srv = Server()
    keys = with_community(srv)
    people(srv, ('sue', 'staff'))
    bob = srv.session(keys['bob'])
    ok(bob.call('message.send', to=['ann'], body='First line\nsecond line'))
    t = plain(srv, keys['ann'], 'ann')
    try:
        t.keys('13', 'Enter')
        t.wait_for('Private messages: 1 unread.', '1. @bob, 1 unread.')
        t.keys('1', 'Enter')
        t.wait_for('Conversation with @bob', 'Bob Baker (@bob)', 'First line',
                   'r to reply')
        t.keys('r', 'Enter')
        t.wait_for('End with a line')
        t.keys('-l', 'Thanks Bob')
        t.keys('Enter', '.', 'Enter')
        t.wait_for('Sent.')
        wait_db(srv, "SELECT count(*) FROM messages WHERE body LIKE 'Thanks Bob%'", [(1,)])
        t.keys('!1', 'Enter')
        t.wait_for('Why do you report it')
        t.keys('-l', 'Pushy tone')
        t.keys('Enter')
        t.wait_for('Reported.')
        wait_db(srv, "SELECT reason FROM message_reports", [('Pushy tone',)])
        t.keys('b', 'Enter')
        t.wait_for('Block @bob?')
        t.keys('y', 'Enter')
        t.wait_for('Blocked.')
        wait_db(srv, 'SELECT count(*) FROM member_blocks', [(1,)])
        t.keys('q', 'Enter')
        t.wait_for('You block: @bob')
        t.keys('w', 'Enter')
        t.wait_for('Write to whom?')
        t.keys('-l', 'cat bob')
        t.keys('Enter')
        t.wait_for('End with a line')
        t.keys('-l', 'A group note')
        t.keys('Enter', '.', 'Enter')
        t.wait_for('Conversation with @bob (you block them) and @cat')
    finally:
        t.kill()
    wait_db(srv, "SELECT count(*) FROM conversation_members cm JOIN messages m ON "
            "m.conversation_id = cm.conversation_id WHERE m.body LIKE 'A group note%'", [(3,)])
    # sue (staff) was told of the report
    wait_db(srv, "SELECT count(*) FROM notifications WHERE kind = 'message_report'", [(1,)])



def test_message_search_pipelined_with_sends_in_one_write():
    """message.search runs off the loop: pipelined with message.send in one
    write, each search answers in its place, sees the sends before it and
    not those after it, and only the caller's own conversations."""
    srv, keys, s = setup()
    old = ok(s['ann'].call('message.send', to=['bob'], body='The quokka survey is out'))
    ok(s['cat'].call('message.send', to=['sue'], body='quokka notes of our own'))
    lines = [{'id': 1, 'op': 'message.search', 'args': {'q': 'quokka'}},
             {'id': 2, 'op': 'message.send', 'args': {'to': ['bob'],
                                                      'body': 'Quokka count moved to Friday'}},
             {'id': 3, 'op': 'message.search', 'args': {'q': 'quokka'}},
             {'id': 4, 'op': 'message.send', 'args': {'to': ['bob'], 'body': 'later, no match'}}]
    s['ann'].send_raw(''.join(json.dumps(x) + '\n' for x in lines).encode())
    r = replies_in_order(s['ann'], 4)
    assert [m['id'] for m in r] == [1, 2, 3, 4], r
    assert all(m['ok'] for m in r), r
    first, sent, second = r[0]['result'], r[1]['result'], r[2]['result']
    assert first['q'] == 'quokka'
    assert [m['id'] for m in first['results']] == [old['message_id']], first
    assert sent['conversation_id'] == old['conversation_id']
    assert [m['id'] for m in second['results']] == [sent['message_id'], old['message_id']]
    hit = second['results'][0]
    assert hit['mine'] is True and hit['author']['handle'] == 'ann'
    assert hit['body'] == 'Quokka count moved to Friday'
    assert hit['snippet'] == 'Quokka count moved to Friday'
    assert hit['conversation_id'] == old['conversation_id']
    # bob, pipelining his own send and search: his conversations only
    lines = [{'id': 7, 'op': 'message.send', 'args': {'to': ['cat'], 'body': 'quokka?'}},
             {'id': 8, 'op': 'message.search', 'args': {'q': 'quokka', 'limit': 50}}]
    s['bob'].send_raw(''.join(json.dumps(x) + '\n' for x in lines).encode())
    r = replies_in_order(s['bob'], 2)
    assert [m['id'] for m in r] == [7, 8] and r[0]['ok'] and r[1]['ok'], r
    found = r[1]['result']['results']
    assert [m['body'] for m in found] == ['quokka?', 'Quokka count moved to Friday',
                                          'The quokka survey is out'], found
    assert [m['mine'] for m in found] == [True, False, False]
    # the admin, who is in none of them, finds nothing
    assert ok(s['root'].call('message.search', q='quokka'))['results'] == []
    assert 'message.search ok off the loop' in open(srv.logpath).read()
