"""Reported private messages reach staff as a queue (message.reports,
message.report_resolve): staff see the one message reported, never the
rest of its conversation; they dismiss it or write to its author, every
report of it is answered, reporters learn the outcome, the audit keeps it.
The TUI (Admin, M) and the line mode (Admin menu, 7) over real ssh."""
from fixtures import err, ok, people, tui, wait_until
from harness import Server, Tmux

SECRET = 'The rest of our conversation stays between us'


def world():
    srv = Server()
    keys = people(srv, 'ann', 'bob', 'cat', ('sue', 'staff'), ('ada', 'admin'))
    ann, bob = srv.session(keys['ann']), srv.session(keys['bob'])
    ok(ann.call('message.send', to=['bob'], body=SECRET))
    mid = ok(ann.call('message.send', to=['bob'], body='You are useless\nand slow'))[
        'message_id']
    ok(bob.call('message.report', message_id=mid, reason='Insulting me'))
    return srv, keys, mid


def test_staff_queue_shows_only_the_reported_message():
    srv, keys, mid = world()
    sue = srv.session(keys['sue'])
    r = ok(sue.call('message.reports'))
    assert r['open'] == 1, r
    rep = r['reports'][0]
    assert rep['message_id'] == mid and rep['body'] == 'You are useless\nand slow'
    assert rep['author']['handle'] == 'ann' and rep['reporter'] == 'bob'
    assert rep['reason'] == 'Insulting me'
    # nothing else of the conversation, not even which one it is
    assert SECRET not in str(r) and 'conversation' not in str(r), r
    # members may not see or answer it; nobody answers a report of their own
    for h in ('bob', 'cat', 'ann'):
        err(srv.session(keys[h]).call('message.reports'), 'forbidden')
        err(srv.session(keys[h]).call('message.report_resolve', report_id=rep['id'],
                                      action='dismiss'), 'forbidden')
    err(sue.call('message.report_resolve', report_id=rep['id'], action='hide'),
        'bad_request')
    err(sue.call('message.report_resolve', report_id=rep['id'], action='contact'),
        'bad_request', 'Write the message')
    err(sue.call('message.report_resolve', report_id=999999, action='dismiss'),
        'not_found')
    # writing to its author answers it (every report of that message)
    res = ok(sue.call('message.report_resolve', report_id=rep['id'], action='contact',
                      message='Please keep private messages kind.'))
    assert res['outcome'] == 'contacted' and res['reports'] == 1, res
    assert ok(sue.call('message.reports'))['open'] == 0
    texts = lambda h: [n['text'] for n in ok(srv.session(keys[h]).call(
        'notify.list'))['notifications']]
    assert any('Please keep private messages kind.' in t for t in texts('ann')), texts('ann')
    assert not any('bob' in t for t in texts('ann') if 'staff' in t)   # reporter unnamed
    assert any('staff wrote to its author' in t for t in texts('bob')), texts('bob')
    assert srv.query("SELECT action, target FROM audit WHERE action = "
                     "'message.report.resolve'") == [('message.report.resolve', 'ann')]
    # answered: it may be reported again, and the queue has it again
    ok(srv.session(keys['bob']).call('message.report', message_id=mid, reason='Again'))
    assert ok(sue.call('message.reports'))['open'] == 1


def test_tui_and_line_mode_queue():
    srv, keys, mid = world()
    t = tui(srv, keys['sue'], 'sue', width=120)
    try:
        t.wait_for('A:admin', timeout=15)
        t.keys('A')
        t.wait_for('M:reported messages')
        t.keys('M')
        screen = t.wait_for('Reported private messages', '@ann wrote: You are useless '
                            'and slow', 'reported by @bob: Insulting me')
        assert SECRET not in screen
        t.keys('x')
        t.wait_for('Dismiss the report')
        t.keys('Space', 'C-s')
        t.wait_for('No reported private messages.')
    finally:
        t.kill()
    wait_until(lambda: srv.query("SELECT count(*) FROM message_reports")[0][0] == 0, 10,
               'the report answered')
    ok(srv.session(keys['bob']).call('message.report', message_id=mid, reason='Again'))
    cmd = srv.ssh_base(keys['ada'], 'ada') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 200, 60)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('17', 'Enter')
        t.wait_for('7. Reported private messages')
        t.keys('7', 'Enter')
        screen = t.wait_for('Reported private messages: 1.', '1. @ann wrote',
                            '| You are useless', 'Reported by @bob')
        assert SECRET not in screen
        t.keys('1 c', 'Enter')
        t.wait_for('What its author reads')
        t.keys('-l', 'Please be kind.')
        t.keys('Enter')
        t.wait_for('Sent to its author; the reporter is told.')
    finally:
        t.kill()
    wait_until(lambda: srv.query("SELECT count(*) FROM message_reports")[0][0] == 0, 10,
               'the report answered')
