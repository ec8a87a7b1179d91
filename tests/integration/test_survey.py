"""Surveys (issue 15): a post-experience survey sent when a room closes to
exactly its attendees; an anonymous survey's results withheld below the
minimum and shown from it; the database read after an anonymous survey
proving no answer can be tied to a member; one answer per member even when
two arrive in one write; the temperature check repeating on a schedule
(the clock moved by moving the stored times, then a sweep) with its value
metric in the health report; reminders once; closing on a date; the
research export; who may make and manage surveys."""
import csv
import io
import json
import time

from harness import Server
from fixtures import community, err, member_id, ok, people, until, wait_until

ALL_KINDS = [
    {'section': 'About the drop-in', 'kind': 'single', 'prompt': 'Was it the right length?',
     'options': ['too short', 'right', 'too long']},
    {'kind': 'multiple', 'prompt': 'What helped?', 'options': ['hosts', 'topic', 'people']},
    {'kind': 'scale5', 'prompt': 'How useful was it?'},
    {'kind': 'scale10', 'prompt': 'Would you recommend it?'},
    {'section': 'Anything else', 'kind': 'text', 'prompt': 'What would help?',
     'optional': True},
]


def town(srv, n=6):
    """A manager, a leader and n members of community cop."""
    handles = ['mgr', 'lead'] + ['m%d' % i for i in range(1, n + 1)]
    keys = people(srv, *handles)
    community(srv, 'cop', 'platform', [('mgr', 'manager'), ('lead', 'leader')] +
              [('m%d' % i, 'member') for i in range(1, n + 1)])
    return keys


def answers(i):
    """The i-th member's answers to ALL_KINDS."""
    return [{'question': 0, 'choice': i % 3}, {'question': 1, 'choices': [0, i % 2 + 1]},
            {'question': 2, 'value': 1 + i % 5}, {'question': 3, 'value': i},
            {'question': 4, 'text': 'idea number %d from someone' % i}]


def audience(srv, sid):
    return {h for (h,) in srv.query('SELECT m.handle FROM survey_audience a JOIN members m '
                                    'ON m.id = a.member_id WHERE a.survey_id = ?', sid)}


def test_post_experience_survey_goes_to_exactly_the_attendees():
    srv = Server()
    keys = people(srv, 'host', 'alice', 'bob', 'carol', 'dave')
    community(srv, 'cop', 'platform', [('host', 'leader'), ('alice', 'member'),
                                       ('bob', 'member'), ('carol', 'member'),
                                       ('dave', 'member')])
    h = srv.session(keys['host'])
    rid = ok(h.call('room.open', community='cop', title='Drop-in', record='off'))['room'][
        'room_id']
    # a member who is no host may not attach one
    a = srv.session(keys['alice'])
    err(a.call('survey.create', title='Mine', audience={'room': rid},
               questions=ALL_KINDS), 'forbidden')
    r = ok(h.call('survey.create', title='After the drop-in', audience={'room': rid},
                  questions=ALL_KINDS, anonymous=True))
    assert r['status'] == 'pending' and r['audience_size'] == 0
    sid = r['survey_id']
    b = srv.session(keys['bob'])
    c = srv.session(keys['carol'])
    ok(a.call('room.join', room_id=rid))
    ok(b.call('room.join', room_id=rid))
    ok(b.call('room.leave', room_id=rid))      # came and went: attended
    # nobody has it yet: it waits for the close
    assert audience(srv, sid) == set()
    assert ok(c.call('survey.list'))['surveys'] == []
    ok(h.call('room.close', room_id=rid))
    attended = {x for (x,) in srv.query(
        'SELECT m.handle FROM room_attendance a JOIN members m ON m.id = a.member_id '
        'WHERE a.room_id = ?', rid)}
    assert attended == {'host', 'alice', 'bob'}, attended
    assert audience(srv, sid) == attended
    # alice hears of it live; carol and dave, who did not come, never do
    ev = until(a, lambda m: m.get('event') == 'survey.opened')
    assert ev['data']['survey_id'] == sid
    got = ok(a.call('survey.list'))['surveys']
    assert [(s['id'], s['can_answer'], s['status']) for s in got] == [(sid, True, 'open')]
    assert ok(c.call('survey.list'))['surveys'] == []
    err(c.call('survey.get', survey_id=sid), 'not_found')
    err(c.call('survey.answer', survey_id=sid, answers=answers(1)), 'not_found')
    assert srv.query("SELECT count(*) FROM notifications n JOIN members m ON "
                     "m.id = n.member_id WHERE n.kind = 'survey' AND m.handle IN "
                     "('carol', 'dave')") == [(0,)]
    full = ok(a.call('survey.get', survey_id=sid))['survey']
    assert [q['kind'] for q in full['questions']] == [q['kind'] for q in ALL_KINDS]
    assert full['questions'][0]['section'] == 'About the drop-in'
    assert full['questions'][4]['optional'] is True
    ok(a.call('survey.answer', survey_id=sid, answers=answers(1)[:4]))   # text skipped


def anonymous_survey(srv, keys, n_members=6):
    m = srv.session(keys['mgr'])
    sid = ok(m.call('survey.create', title='How are we doing?', audience={'community': 'cop'},
                    anonymous=True, questions=ALL_KINDS))['survey_id']
    return m, sid


def test_anonymous_results_only_from_the_minimum():
    srv = Server()
    keys = town(srv)
    m, sid = anonymous_survey(srv, keys)
    assert len(audience(srv, sid)) == 8
    for i in range(1, 5):
        s = srv.session(keys['m%d' % i])
        ok(s.call('survey.answer', survey_id=sid, answers=answers(i)))
        s.close()
    r = ok(m.call('survey.results', survey_id=sid))
    assert r['responses'] == 4 and r['min_responses'] == 5 and r['visible'] is False
    assert 'questions' not in r and '5' in r['why']
    out = srv.ctl('survey', 'export', str(sid), '--format', 'csv', check=False,
                  json_out=False)
    assert out.returncode != 0 and 'once 5 members have answered' in out.stderr, out
    s = srv.session(keys['m5'])
    ok(s.call('survey.answer', survey_id=sid, answers=answers(5)))
    r = ok(m.call('survey.results', survey_id=sid))
    assert r['visible'] is True and r['responses'] == 5
    q = r['questions']
    assert [o['count'] for o in q[0]['options']] == [1, 2, 2]     # 1..5 % 3
    assert [o['label'] for o in q[0]['options']] == ['too short', 'right', 'too long']
    assert [o['count'] for o in q[1]['options']] == [5, 2, 3]
    vals = [1 + i % 5 for i in range(1, 6)]
    assert q[2]['mean'] == round(sum(vals) / 5, 1)
    assert [d['count'] for d in q[2]['distribution']] == [vals.count(v) for v in range(1, 6)]
    assert [d['value'] for d in q[3]['distribution']] == list(range(0, 11))
    assert q[3]['mean'] == 3.0
    texts = [t['text'] for t in q[4]['texts']]
    assert texts == sorted(texts) and len(texts) == 5
    assert all('by' not in t for t in q[4]['texts'])
    # members see results only once it has closed
    err(s.call('survey.results', survey_id=sid), 'forbidden')
    # a second answer is refused; closing stops answers
    err(s.call('survey.answer', survey_id=sid, answers=answers(5)), 'conflict')
    ok(m.call('survey.close', survey_id=sid))
    err(srv.session(keys['m6']).call('survey.answer', survey_id=sid, answers=answers(6)),
        'conflict')
    assert ok(s.call('survey.results', survey_id=sid))['visible'] is True
    # the research export: no member column
    out = srv.ctl('survey', 'export', str(sid), '--format', 'csv', json_out=False)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ['response'] + [q['prompt'] for q in ALL_KINDS]
    assert len(rows) == 6 and sorted(r[5] for r in rows[1:]) == sorted(texts)
    handles = {'mgr', 'lead'} | {'m%d' % i for i in range(1, 7)}
    assert not any(c in handles for r in rows for c in r)


def test_the_database_cannot_tie_an_anonymous_answer_to_a_member():
    srv = Server()
    keys = town(srv)
    m, sid = anonymous_survey(srv, keys)
    words = {}
    for i in range(1, 6):
        s = srv.session(keys['m%d' % i])
        ok(s.call('survey.answer', survey_id=sid, answers=answers(i)))
        words['m%d' % i] = 'idea number %d from someone' % i
        s.close()
    ok(m.call('survey.remind', survey_id=sid))
    srv.stop()
    con = srv.db()
    # the answers table has no member and no time column at all
    cols = [r[1] for r in con.execute('PRAGMA table_info(survey_answers)')]
    assert set(cols) == {'survey_id', 'response', 'question', 'item', 'value', 'text'}, cols
    # and no rowid: its rows are kept in the order of random tokens, not
    # in the order they came
    assert con.execute("SELECT sql FROM sqlite_master WHERE name = 'survey_answers'"
                       ).fetchone()[0].rstrip().endswith('WITHOUT ROWID')
    # that a member answered: no time, no token
    cols = [r[1] for r in con.execute('PRAGMA table_info(survey_respondents)')]
    assert set(cols) == {'survey_id', 'member_id', 'response'}
    assert con.execute('SELECT count(*), count(response) FROM survey_respondents WHERE '
                       'survey_id = ?', (sid,)).fetchone() == (5, 0)
    tokens = {r[0] for r in con.execute('SELECT response FROM survey_answers WHERE '
                                        'survey_id = ?', (sid,))}
    assert len(tokens) == 5
    # no table anywhere holds a response token, or an answer's text, beside
    # survey_answers (not the audit log, notifications, drafts, ...)
    texts = set(words.values())
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                "name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND "
                                "name != 'survey_answers'").fetchall():
        for row in con.execute('SELECT * FROM "%s"' % table):
            for cell in row:
                if isinstance(cell, str):
                    assert cell not in tokens, (table, row)
                    assert not any(t in cell for t in texts), (table, row)
    # the reminder went to those who had not answered: no hint of an
    # answer's time anywhere, so even it cannot order the answers
    reminded = {h for (h,) in con.execute(
        "SELECT m.handle FROM notifications n JOIN members m ON m.id = n.member_id "
        "WHERE n.kind = 'survey' AND n.text LIKE 'Reminder:%'")}
    assert reminded == {'m6', 'lead', 'mgr'}
    con.close()


def test_one_answer_when_two_come_in_one_write():
    srv = Server()
    keys = town(srv, n=2)
    m = srv.session(keys['mgr'])
    sid = ok(m.call('survey.create', title='Quick', audience={'community': 'cop'},
                    questions=[{'kind': 'text', 'prompt': 'Say?'}]))['survey_id']
    s = srv.session(keys['m1'])
    line = b''
    for i, text in ((91, 'first'), (92, 'second')):
        line += json.dumps({'id': i, 'op': 'survey.answer', 'args': {
            'survey_id': sid, 'answers': [{'question': 0, 'text': text}]}}).encode() + b'\n'
    s.send_raw(line)
    r1, r2 = s.reply(91), s.reply(92)
    assert r1['ok'] and not r2['ok'] and r2['error']['code'] == 'conflict', (r1, r2)
    assert srv.query('SELECT text FROM survey_answers WHERE survey_id = ?', sid) == [
        ('first',)]
    # named: the manager sees who said it
    r = ok(m.call('survey.results', survey_id=sid))
    assert r['questions'][0]['texts'] == [{'text': 'first', 'by': 'm1'}]
    # its export names who answered (a named survey)
    out = srv.ctl('survey', 'export', str(sid), '--format', 'csv', json_out=False)
    assert out.stdout.splitlines() == ['response,member,Say?', '1,m1,first'], out.stdout
    err(m.call('survey.export', survey_id=sid), 'forbidden')     # staff only


def test_bad_surveys_are_refused_with_the_reason():
    srv = Server()
    keys = town(srv, n=1)
    m = srv.session(keys['mgr'])
    cases = [
        ({'audience': {'community': 'cop'}, 'questions': []}, 'args.questions'),
        ({'audience': {'community': 'cop'}, 'questions': [{'kind': 'stars', 'prompt': 'x'}]},
         'questions[0].kind'),
        ({'audience': {'community': 'cop'}, 'questions': [{'kind': 'single', 'prompt': 'x',
                                                           'options': ['a']}]},
         'questions[0].options'),
        ({'audience': {'community': 'cop'}, 'questions': [{'kind': 'text', 'prompt': 'x\n'}]},
         'questions[0].prompt'),
        ({'audience': {'moon': True}, 'questions': ALL_KINDS}, 'args.audience'),
        ({'audience': {'band': 'wizards'}, 'questions': ALL_KINDS}, 'audience.band'),
        ({'audience': {'community': 'cop'}, 'template': 'weather'}, 'args.template'),
    ]
    for args, text in cases:
        err(m.call('survey.create', title='T', **args), 'bad_request', text)
    sid = ok(m.call('survey.create', title='T', audience={'community': 'cop'},
                    questions=ALL_KINDS))['survey_id']
    s = srv.session(keys['m1'])
    for bad, text in (([{'question': 9, 'value': 1}], 'answers[0].question'),
                      ([{'question': 2, 'value': 6}], 'from 1 to 5'),
                      ([{'question': 1, 'choices': [0, 0]}], 'different choices'),
                      (answers(1)[1:], 'needs an answer')):
        err(s.call('survey.answer', survey_id=sid, answers=bad), 'bad_request', text)
    assert srv.query('SELECT count(*) FROM survey_respondents') == [(0,)]
    # who may send to whom
    err(srv.session(keys['lead']).call('survey.create', title='T', audience={
        'community': 'cop'}, questions=ALL_KINDS), 'forbidden')
    err(m.call('survey.create', title='T', audience={'platform': True},
               questions=ALL_KINDS), 'forbidden')
    assert srv.alive()


def test_band_audience_sends_to_newcomers_only():
    srv = Server()
    keys = town(srv, n=2)
    now = int(time.time())
    # m1 joined long ago and posted nothing: not a newbie; m2 joined today
    srv.execute('UPDATE community_members SET joined_at = ?', now - 400 * 86400)
    srv.execute("INSERT INTO membership_log (community_id, member_id, what, role, at) "
                "SELECT community_id, member_id, 'joined', role, CASE WHEN member_id = ? "
                "THEN ? ELSE ? END FROM community_members", member_id(srv, 'm2'), now - 3600,
                now - 400 * 86400)
    m = srv.session(keys['mgr'])
    r = ok(m.call('survey.create', title='Settling in?', audience={
        'band': 'newbies', 'community': 'cop'}, questions=ALL_KINDS))
    assert audience(srv, r['survey_id']) == {'m2'}


def test_temperature_check_repeats_and_reaches_the_health_report():
    srv = Server({'survey_min_responses': 2})
    keys = town(srv, n=2)
    m = srv.session(keys['mgr'])
    err(srv.session(keys['m1']).call('survey.schedule', audience={'community': 'cop'}),
        'forbidden')
    sch = ok(m.call('survey.schedule', audience={'community': 'cop'}, first_in_days=90,
                    every_days=91))
    scheds = ok(m.call('survey.schedules'))['schedules']
    assert [(x['id'], x['every_days'], x['runs']) for x in scheds] == [
        (sch['schedule_id'], 91, 0)]
    assert srv.query("SELECT count(*) FROM surveys") == [(0,)]

    def run_due():
        """Move the clock: the schedule falls due; a restart sweeps at once."""
        next_at = srv.query('SELECT next_at FROM survey_schedules')[0][0]
        srv.execute('UPDATE survey_schedules SET next_at = ?', int(time.time()) - 1)
        srv.stop()
        srv.start()
        wait_until(lambda: srv.ctl('status')['sweeps']['surveys'] >= 1, 20, 'a survey sweep')
        return next_at

    first = run_due()
    rows = srv.query("SELECT id, title, kind, status, anonymous FROM surveys")
    assert len(rows) == 1 and rows[0][2:] == ('temperature', 'open', 1), rows
    assert rows[0][1] == 'Temperature check (1)'
    sid1 = rows[0][0]
    assert len(audience(srv, sid1)) == 4
    nxt = srv.query('SELECT next_at, runs FROM survey_schedules')[0]
    assert nxt[1] == 1 and nxt[0] >= int(time.time()) + 91 * 86400 - 60, (nxt, first)
    for h, vals in (('m1', (4, 5, 3, 9)), ('m2', (2, 3, 5, 7))):
        s = srv.session(keys[h])
        q = ok(s.call('survey.get', survey_id=sid1))['survey']['questions']
        assert [x['kind'] for x in q] == ['scale5', 'scale5', 'scale5', 'scale10', 'text']
        ok(s.call('survey.answer', survey_id=sid1, answers=[
            {'question': i, 'value': v} for i, v in enumerate(vals)]))
    # the second run, a quarter later
    run_due()
    rows = srv.query("SELECT id, title FROM surveys ORDER BY id")
    assert [t for _, t in rows] == ['Temperature check (1)', 'Temperature check (2)']
    assert srv.query('SELECT runs FROM survey_schedules') == [(2,)]
    m = srv.session(keys['mgr'])
    h = ok(m.call('health.get', community='cop'))
    checks = h['value']['checks']
    assert [c['survey_id'] for c in checks] == [sid1, rows[1][0]]
    assert checks[0]['useful'] == 3.0 and checks[0]['safe'] == 4.0
    assert checks[0]['recommend'] == 8.0 and checks[1]['useful'] is None
    rep = ok(m.call('report.get', community='cop', format='md'))
    assert 'Temperature check (1)' in rep['text'] and 'Value' in rep['text']
    # stopping the schedule
    ok(m.call('survey.unschedule', schedule_id=sch['schedule_id']))
    assert ok(m.call('survey.schedules'))['schedules'] == []


def test_reminded_once_and_closed_on_its_date():
    srv = Server()
    keys = town(srv, n=2)
    m = srv.session(keys['mgr'])
    sid = ok(m.call('survey.create', title='Dated', audience={'community': 'cop'},
                    template='temperature', open_days=10))['survey_id']
    s = srv.session(keys['m1'])
    ok(s.call('survey.answer', survey_id=sid, answers=[
        {'question': i, 'value': 3} for i in range(4)]))
    # three quarters of its time gone: the sweep reminds those who have not answered
    now = int(time.time())
    srv.execute('UPDATE surveys SET opened_at = ?, closes_at = ?', now - 8 * 86400,
                now + 2 * 86400)
    srv.stop()
    srv.start()
    wait_until(lambda: srv.ctl('status')['sweeps']['surveys'] >= 1, 20, 'a survey sweep')
    reminded = {h for (h,) in srv.query(
        "SELECT m.handle FROM notifications n JOIN members m ON m.id = n.member_id "
        "WHERE n.text LIKE 'Reminder: the survey%'")}
    assert reminded == {'mgr', 'lead', 'm2'}
    m = srv.session(keys['mgr'])
    err(m.call('survey.remind', survey_id=sid), 'conflict')
    # its date passes: closed
    srv.execute('UPDATE surveys SET closes_at = ?', int(time.time()) - 1)
    srv.stop()
    srv.start()
    wait_until(lambda: srv.ctl('status')['sweeps']['surveys'] >= 1, 20, 'a survey sweep')
    assert srv.query('SELECT status FROM surveys') == [('closed',)]
    assert srv.query("SELECT count(*) FROM notifications WHERE text LIKE 'Reminder:%'") == [
        (3,)]


def test_event_survey_opens_when_the_event_ends():
    srv = Server()
    keys = town(srv, n=3)
    lead = srv.session(keys['lead'])
    eid = ok(lead.call('event.create', community='cop', title='Show and tell',
                       starts_at=time.strftime('%Y-%m-%dT%H:%M:%SZ',
                                               time.gmtime(time.time() + 3600))))['event']['id']
    for h in ('m1', 'm2'):
        ok(srv.session(keys[h]).call('event.rsvp', id=eid, status='going'))
    ok(srv.session(keys['m3']).call('event.rsvp', id=eid, status='not_going'))
    sid = ok(lead.call('survey.create', title='How was it?', audience={'event': eid},
                       questions=ALL_KINDS))['survey_id']
    assert srv.query('SELECT status FROM surveys') == [('pending',)]
    srv.execute('UPDATE surveys SET send_at = ?', int(time.time()) - 1)
    srv.stop()
    srv.start()
    wait_until(lambda: srv.ctl('status')['sweeps']['surveys'] >= 1, 20, 'a survey sweep')
    assert srv.query('SELECT status FROM surveys') == [('open',)]
    assert audience(srv, sid) == {'m1', 'm2'}


def test_anonymous_survey_to_fewer_than_the_minimum_says_so():
    srv = Server()
    keys = town(srv, n=1)             # three people in cop: results could never show
    m = srv.session(keys['mgr'])
    r = ok(m.call('survey.create', title='Small', audience={'community': 'cop'},
                  anonymous=True, questions=ALL_KINDS))
    assert r['min_responses'] == 5 and r['audience_size'] < 5, r
    r = ok(m.call('survey.create', title='Named', audience={'community': 'cop'},
                  anonymous=False, questions=ALL_KINDS))
    assert 'min_responses' not in r, r
    srv2 = Server()
    m2 = srv2.session(town(srv2, n=6)['mgr'])
    r = ok(m2.call('survey.create', title='Big enough', audience={'community': 'cop'},
                   anonymous=True, questions=ALL_KINDS))
    assert r['audience_size'] >= 5 and 'min_responses' not in r, r
