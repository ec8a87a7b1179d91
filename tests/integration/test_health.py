"""Community health (docs/health.md): a known community built on a
controlled clock (every row's time is set, the window given), and every
figure, the pyramid, the ratios and the score asserted exactly; who may
see it; visits recorded from reading."""
import datetime

from fixtures import community, err, member_id, ok, people, wait_until
from harness import Server

DAY = 86400
# The end of the window: a fixed past time, so nothing the server does
# "now" (welcome threads, the invites) falls inside it.
U = int(datetime.datetime(2026, 9, 30, tzinfo=datetime.timezone.utc).timestamp())
UNTIL = '2026-09-30T00:00:00Z'
SINCE = '2026-07-02T00:00:00Z'          # U - 90 days


def at(days_before):
    return int(U - days_before * DAY)


class Town:
    """The known community 'cop' and its people."""

    def __init__(self):
        self.srv = srv = Server()
        self.keys = people(srv, 'mgr', 'lead', 'cat', 'eng', 'reg', 'newb', 'lurk',
                           'inact', 'gone', 'removed', 'intr', 'outsider',
                           ('boss', 'staff'))
        self.cid = community(srv, 'cop', visibility='private')
        srv.execute('UPDATE members SET created_at = ?', at(200))
        joined = {'mgr': (200, 'manager'), 'lead': (200, 'leader'), 'cat': (150, 'member'),
                  'eng': (150, 'member'), 'reg': (150, 'member'), 'newb': (10, 'member'),
                  'lurk': (150, 'member'), 'inact': (150, 'member'), 'gone': (150, 'member'),
                  'removed': (150, 'member'), 'intr': (60, 'interested')}
        for h, (d, role) in joined.items():
            srv.execute('INSERT INTO community_members (community_id, member_id, role, '
                        'joined_at) VALUES (?, ?, ?, ?)', self.cid, self.id(h), role, at(d))
        # gone leaves 20 days before the end; removed is removed 5 days before
        srv.execute('DELETE FROM community_members WHERE member_id = ?', self.id('gone'))
        srv.execute("UPDATE membership_log SET at = ? WHERE what = 'left'", at(20))
        srv.execute("UPDATE members SET status = 'removed', removed_at = ?, removed_reason "
                    "= 'test' WHERE handle = 'removed'", at(5))
        self.threads = {}

    def id(self, handle):
        return member_id(self.srv, handle)

    def thread(self, name, author, days):
        tid = self.srv.execute(
            'INSERT INTO threads (community_id, author_id, title, created_at, last_post_at) '
            'VALUES (?, ?, ?, ?, ?)', self.cid, self.id(author), name, at(days), at(days))
        self.threads[name] = tid
        self.post(name, author, days)
        return tid

    def post(self, thread, author, days, hidden=False):
        return self.srv.execute(
            'INSERT INTO posts (thread_id, author_id, body, created_at, hidden_at) '
            'VALUES (?, ?, ?, ?, ?)', self.threads[thread], self.id(author), 'x', at(days),
            at(days) if hidden else None)


def build():
    t = Town()
    srv = t.srv
    t.thread('T0', 'lead', 120)
    t.post('T0', 'cat', 119)                     # before the window
    t.thread('T1', 'lead', 80)
    for d in (79, 78, 77, 76):
        t.post('T1', 'cat', d)
    t.post('T1', 'gone', 30)
    t.thread('T2', 'cat', 70)
    for d in (69.5, 61, 59):
        t.post('T2', 'eng', d)
    t.post('T2', 'eng', 58.5, hidden=True)       # hidden: does not count
    thanked = t.post('T2', 'cat', 58)
    for d in (57, 56, 55, 54):
        t.post('T2', 'cat', d)
    t.thread('T3', 'lead', 1)                    # under 48 hours old
    t.thread('T4', 'mgr', 10)                    # never answered
    for who, d in (('lead', 50), ('eng', 40)):
        srv.execute('INSERT INTO post_thanks (post_id, member_id, at) VALUES (?, ?, ?)',
                    thanked, t.id(who), at(d))
    poll = srv.execute('INSERT INTO polls (community_id, author_id, question, created_at) '
                       'VALUES (?, ?, ?, ?)', t.cid, t.id('lead'), 'Q?', at(100))
    opt = srv.execute('INSERT INTO poll_options (poll_id, position, label) VALUES (?, 1, ?)',
                      poll, 'A')
    srv.execute('INSERT INTO poll_votes (poll_id, option_id, member_id, at) VALUES (?, ?, ?, ?)',
                poll, opt, t.id('reg'), at(60))
    ev = srv.execute('INSERT INTO events (community_id, title, starts_at, duration, ends_at, '
                     'created_by, created_at, updated_at) VALUES (?, ?, ?, 3600, ?, ?, ?, ?)',
                     t.cid, 'Drop-in', at(30), at(30) + 3600, t.id('lead'), at(40), at(40))
    room = srv.execute('INSERT INTO rooms (community_id, event_id, title, record_mode, '
                       'opened_by, opened_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
                       t.cid, ev, 'Drop-in', 'off', t.id('lead'), at(30), at(30) + 3600)
    for who in ('cat', 'eng', 'lurk'):
        srv.execute('INSERT INTO room_attendance (room_id, member_id, joined_at) '
                    'VALUES (?, ?, ?)', room, t.id(who), at(30))
    srv.execute('INSERT INTO expert_requests (member_id, community_id, topic, why, '
                'created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
                t.id('eng'), t.cid, 'Ethics', 'why', at(45), at(45))
    for who, d in (('lurk', 20), ('newb', 5)):
        srv.execute('INSERT INTO visit_log (member_id, community_id, day) VALUES (?, ?, ?)',
                    t.id(who), t.cid, at(d) // DAY)
    return t


def test_every_figure_of_a_known_community():
    t = build()
    s = t.srv.session(t.keys['mgr'])
    h = ok(s.call('health.get', community='cop', since=SINCE, until=UNTIL))
    assert h['community'] == 'cop'
    assert (h['since'], h['until']) == (SINCE, UNTIL)
    assert h['size'] == {'members': 8, 'interested': 1, 'members_before': 9, 'growth': -1,
                         'joined': 2, 'left': 2}, h['size']
    p = h['participation']
    assert {k: p[k] for k in (
        'threads', 'replies', 'contributors', 'first_time_contributors',
        'newcomer_contributions', 'thanks', 'thankers', 'thanked', 'poll_votes',
        'rooms_held', 'events_held', 'attendances', 'attendees', 'expert_requests',
        'member_events', 'sessions_proposed', 'threads_replied', 'threads_48h_old',
        'unanswered_48h', 'first_reply_median_s', 'first_reply_p90_s')} == {
        'threads': 4, 'replies': 13, 'contributors': 5, 'first_time_contributors': 3,
        'newcomer_contributions': 7, 'thanks': 2, 'thankers': 2, 'thanked': 1,
        'poll_votes': 1, 'rooms_held': 1, 'events_held': 1, 'attendances': 3,
        'attendees': 3, 'expert_requests': 1, 'member_events': 1, 'sessions_proposed': 2,
        'threads_replied': 2, 'threads_48h_old': 3, 'unanswered_48h': 1,
        'first_reply_median_s': DAY // 2, 'first_reply_p90_s': DAY}, p
    assert h['pyramid'] == {'managers': 1, 'leaders': 1, 'catalysts': 1, 'engaged': 1,
                            'regulars': 1, 'newbies': 1, 'lurkers': 1, 'inactive': 1}
    r = h['ratios']
    assert r['leaders'] == 2 and r['members_per_leader'] == 4.0
    assert r['interested_share'] == 0.125
    assert r['members_per_leader_target'] == 30 and r['interested_share_target'] == 0.1
    comps = {c['name']: c for c in h['score']['components']}
    assert {k: c['score'] for k, c in comps.items()} == {
        'participation': 100, 'newcomers': 0, 'responsiveness': 74, 'leaders': 100,
        'lurkers': 100, 'growth': 0}, comps
    assert comps['participation']['value'] == 0.625
    assert comps['responsiveness']['value'] == 0.667
    assert comps['growth']['value'] == -0.111
    assert h['score']['value'] == 60
    mk = h['makeup']
    assert mk['community_role'] == {'manager': 1, 'leader': 1, 'member': 6, 'interested': 1}, mk
    assert mk['region'] == {'not given': 9}
    # the window before: 9 members at its end, T0 and its reply
    c = h['compare']
    assert c['size']['members'] == {'previous': 9, 'delta': -1, 'pct': -11.1}
    assert c['participation']['threads']['previous'] == 1
    # small groups merged for reports outside the managers
    h2 = ok(s.call('health.get', community='cop', since=SINCE, until=UNTIL, suppress=True))
    assert h2['makeup']['community_role'] == {'member': 6, 'other': 3}


def test_weekly_series():
    t = build()
    s = t.srv.session(t.keys['lead'])
    w = ok(s.call('health.series', community='cop', until=UNTIL, weeks=12))['weeks']
    assert len(w) == 12
    assert w[-1]['week'] == '2026-09-23T00:00:00Z'
    def week(d):        # the week (0 the oldest) of a time d days before the end
        return 11 - int((d * DAY - 1) // (7 * DAY))
    want = [0] * 12
    for d in (80, 70, 1, 10):                    # T1 … T4
        want[week(d)] += 1
    assert [x['threads'] for x in w] == want, w
    assert sum(x['posts'] for x in w) == 4 + 13, w
    # gone left at 20 days, newb joined at 10, removed went at 5
    assert [x['members'] for x in w][-4:] == [9, 8, 9, 8], w
    assert [x['visitors'] for x in w][-3:] == [1, 0, 1], w
    assert w[-1]['members'] == 8 and w[-1]['visitors'] == 1


def test_who_may_see_health():
    t = build()
    for who in ('cat', 'intr'):
        err(t.srv.session(t.keys[who]).call('health.get', community='cop'), 'forbidden')
    err(t.srv.session(t.keys['outsider']).call('health.get', community='cop'), 'forbidden')
    err(t.srv.session(t.keys['lead']).call('health.get'), 'forbidden')
    b = t.srv.session(t.keys['boss'])
    ok(b.call('health.get', community='cop'))
    plat = ok(b.call('health.get', since=SINCE, until=UNTIL))
    assert plat['community'] is None
    # the platform: every active member created by then (removed excluded)
    assert plat['size']['members'] + plat['size']['interested'] == 12
    err(b.call('health.get', community='cop', since=UNTIL, until=SINCE), 'bad_request')
    err(b.call('health.get', since='yesterday'), 'bad_request')


def test_reading_a_community_records_a_visit():
    t = build()
    s = t.srv.session(t.keys['inact'])
    ok(s.call('thread.list', slug='cop'))
    wait_until(lambda: t.srv.query('SELECT count(*) FROM visit_log WHERE member_id = ?',
                                   t.id('inact'))[0][0] == 1, 15, 'the visit to be written')
    ok(s.call('thread.list', slug='cop'))        # once a day
    ok(s.call('thread.get', thread_id=t.threads['T1']))
    ok(t.srv.session(t.keys['mgr']).call('whoami'))
    assert t.srv.query('SELECT count(*) FROM visit_log WHERE member_id = ?',
                       t.id('inact'))[0][0] == 1


def report(t, *args):
    p = t.srv.ctl('report', '--community', 'cop', '--since', '2026-07-02',
                  '--until', '2026-09-30', *args, json_out=False)
    return p.stdout


def test_report_in_every_format():
    import csv
    import io
    import json
    import os
    t = build()
    text = report(t)
    assert 'STATE OF THE COMMUNITY: COP' in text
    assert 'Health score: 60 / 100' in text
    row = [ln for ln in text.splitlines() if ln.strip().startswith('Replies')][0]
    assert row.split()[1:3] == ['13', '1'], row          # now, before (T0's reply)
    assert 'median 12.0 h, 90th percentile 24.0 h' in text
    md = report(t, '--format', 'md')
    assert md.startswith('# State of the community: COP')
    assert '| Threads started | 4 | 1 | +3 (+300.0%) |' in md
    assert '| catalysts | 1 |' in md
    rows = list(csv.DictReader(io.StringIO(report(t, '--format', 'csv'))))
    fig = {(r['section'], r['figure']): r for r in rows}
    assert fig[('size', 'members')]['value'] == '8'
    assert fig[('size', 'members')]['previous'] == '9'
    assert fig[('size', 'members')]['change'] == '-1'
    assert fig[('score', 'health score')]['value'] == '60'
    assert fig[('pyramid', 'lurkers')]['value'] == '1'
    # small groups merged by default in reports; not when asked
    assert fig[('makeup:community_role', 'other')]['value'] == '3'
    rows = list(csv.DictReader(io.StringIO(report(t, '--format', 'csv', '--no-suppress'))))
    assert ('makeup:community_role', 'leader') in {(r['section'], r['figure']) for r in rows}
    assert sum(1 for r in rows if r['section'].startswith('week:')) == 12 * 5
    j = json.loads(report(t, '--format', 'json'))
    assert j['participation']['replies'] == 13 and len(j['weeks']) == 12
    out = os.path.join(t.srv.data, 'board.html')
    report(t, '--format', 'html', '--out', out)
    assert os.stat(out).st_mode & 0o077 == 0
    html = open(out).read()
    assert html.startswith('<!DOCTYPE html>') and '<script' not in html
    assert 'http' not in html.replace('http-equiv', '')     # nothing external
    p = t.srv.ctl('report', '--community', 'cop', '--format', 'md', '--out', out,
                  json_out=False, check=False)
    assert p.returncode != 0 and 'exists' in p.stderr
    # a leader posts it from the protocol
    s = t.srv.session(t.keys['lead'])
    r = ok(s.call('report.get', community='cop', since=SINCE, until=UNTIL, format='md'))
    assert r['format'] == 'md' and '| Replies | 13 |' in r['text']
    err(t.srv.session(t.keys['cat']).call('report.get', community='cop'), 'forbidden')
    err(s.call('report.get', community='cop', format='pdf'), 'bad_request')


def test_goals_with_key_results_measured_and_manual():
    """A goal a manager keeps: a key result bound to a metric measured from
    the goal's start, a manual one its owner updates, each with expected
    progress on a straight line and a status; an impact story quoted."""
    t = build()
    m = t.srv.session(t.keys['mgr'])
    # a year-long goal that began 80 days before the end of the data
    g = ok(m.call('goal.create', community='cop', title='A lively first year',
                  starts_at='2026-07-12', ends_at='2027-07-12'))['goal_id']
    kr_posts = ok(m.call('goal.kr_add', goal_id=g, title='Posts in the first year',
                         metric='posts', target=30))['kr_id']
    kr_req = ok(m.call('goal.kr_add', goal_id=g, title='Expert requests', metric='expert_requests',
                       target=1, due_at='2026-08-31'))['kr_id']
    kr_man = ok(m.call('goal.kr_add', goal_id=g, title='Case studies written', target=4,
                       owner='lead'))['kr_id']
    err(m.call('goal.kr_add', goal_id=g, title='x', metric='happiness', target=3), 'bad_request')
    # the owner enters progress; someone else may not, nor change the target
    ok(t.srv.session(t.keys['lead']).call('goal.kr_update', kr_id=kr_man, progress=1,
                                          note='Two drafts'))
    err(t.srv.session(t.keys['cat']).call('goal.kr_update', kr_id=kr_man, progress=4), 'forbidden')
    err(t.srv.session(t.keys['lead']).call('goal.kr_update', kr_id=kr_man, target=1), 'forbidden')
    err(t.srv.session(t.keys['lead']).call('goal.create', community='cop', title='x',
                                           ends_at='2027-01-01'), 'forbidden')
    # an impact story
    pid = t.srv.query("SELECT id FROM posts WHERE thread_id = ? ORDER BY id LIMIT 1",
                      t.threads['T2'])[0][0]
    ok(m.call('post.impact', post_id=pid, note='Changed how we supervise'))
    err(t.srv.session(t.keys['cat']).call('post.impact', post_id=pid), 'forbidden')
    got = ok(t.srv.session(t.keys['lead']).call('goal.list', community='cop'))
    (goal,) = got['goals']
    krs = {k['id']: k for k in goal['key_results']}
    # posts since 2026-07-12 (80 days before U): T1 at 80 (boundary, in) ... all 17
    assert krs[kr_posts]['value'] == 17 and krs[kr_posts]['target'] == 30
    # expected today (now is December 2026) on the line from 0 to 30 over a year
    assert krs[kr_posts]['status'] in ('on_track', 'at_risk', 'behind')
    assert krs[kr_req]['value'] == 1 and krs[kr_req]['status'] == 'achieved'
    assert krs[kr_man]['value'] == 1 and krs[kr_man]['owner'] == 'lead'
    assert krs[kr_man]['note'] == 'Two drafts'
    assert [s['post_id'] for s in got['impact_stories']] == [pid]
    err(t.srv.session(t.keys['cat']).call('goal.list', community='cop'), 'forbidden')
    # the platform's list: staff (who may not read this private community)
    # do not get its story; an admin, who reads everything, does
    assert ok(t.srv.session(t.keys['boss']).call('goal.list'))['impact_stories'] == []
    adm = t.srv.session(t.srv.new_member('ada', role='admin'))
    assert [x['post_id'] for x in ok(adm.call('goal.list'))['impact_stories']] == [pid]
    # the report carries them
    md = report(t, '--format', 'md')
    assert '## Goals' in md and 'Case studies written: 1 of 4' in md
    assert '## Impact stories' in md


def test_key_result_status_on_the_straight_line():
    """Status from where the line says the value should be today: a
    platform goal of staff, manual key results at known values."""
    t = build()
    b = t.srv.session(t.keys['boss'])
    now = datetime.datetime.now(datetime.timezone.utc)
    start = (now - datetime.timedelta(days=50)).strftime('%Y-%m-%d')
    end = (now + datetime.timedelta(days=50)).strftime('%Y-%m-%d')   # halfway today
    g = ok(b.call('goal.create', title='Fifteen communities', starts_at=start,
                  ends_at=end))['goal_id']
    want = {}
    for value, status in ((60, 'on_track'), (45, 'at_risk'), (20, 'behind'), (100, 'achieved')):
        k = ok(b.call('goal.kr_add', goal_id=g, title='at %d' % value, target=100))['kr_id']
        ok(b.call('goal.kr_update', kr_id=k, progress=value))
        want[k] = status
    k = ok(b.call('goal.kr_add', goal_id=g, title='communities', metric='communities',
                  target=15))['kr_id']
    got = ok(b.call('goal.list'))['goals'][0]['key_results']
    assert {x['id']: x['status'] for x in got if x['id'] in want} == want
    (c,) = [x for x in got if x['id'] == k]
    assert c['value'] == 1 and c['status'] == 'behind'       # 1 of 15, halfway
    assert abs(c['expected'] - 7.5) <= 0.2
    err(t.srv.session(t.keys['mgr']).call('goal.create', title='x', ends_at=end), 'forbidden')


def test_html_report_rendered_in_headless_chromium():
    """The HTML report as a browser draws it (real headless Chromium, as
    the Board would open it): the figures are in its tables, each chart's
    bars follow its table, and it prints to PDF."""
    import os
    import re
    import shutil
    import subprocess
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    assert chromium, 'chromium is missing: make test installs it (Makefile DEBS)'
    t = build()
    out = os.path.join(t.srv.data, 'report.html')
    report(t, '--format', 'html', '--out', out, '--no-suppress')
    flags = [chromium, '--headless', '--no-sandbox', '--disable-gpu',
             '--no-first-run', '--user-data-dir=' + os.path.join(t.srv.data, 'chromium')]
    dom = subprocess.run(flags + ['--dump-dom', 'file://' + out], capture_output=True,
                         text=True, timeout=120).stdout
    assert '<span id="score">60</span>' in dom, dom[:2000]
    rows = dict(re.findall(r'<tr><td>([^<]+)</td><td class="n">(\d+)</td>', dom))
    assert rows['Replies'] == '13' and rows['Members'] == '8', rows
    assert rows['Threads unanswered after 48 h'] == '1'
    assert rows['catalysts'] == '1' and rows['inactive'] == '1'
    # the pyramid's bars: equal counts, equal widths (and the table says so)
    pyr = dom[dom.index('aria-label="The pyramid: people at each level"'):]
    pyr = pyr[:pyr.index('</svg>')]
    widths = re.findall(r'<rect x="140" y="\d+" width="(\d+)"', pyr)
    assert len(widths) == 8 and len(set(widths)) == 1 and widths[0] != '0', widths
    # nothing fetched: no script, no remote address
    assert '<script' not in dom and 'src="http' not in dom
    pdf = os.path.join(t.srv.data, 'report.pdf')
    subprocess.run(flags + ['--print-to-pdf=' + pdf, '--no-pdf-header-footer',
                            'file://' + out], capture_output=True, timeout=120)
    with open(pdf, 'rb') as f:
        head = f.read()
    assert head.startswith(b'%PDF') and len(head) > 5000


def outreach_town():
    """A community now: newcomers, a mentor, a lurker, a catalyst."""
    srv = Server()
    keys = people(srv, 'mgr', 'lead', 'new1', 'new2', 'old1', 'ment', 'lurky', 'busy', 'quiet')
    cid = community(srv, 'cop', visibility='private')
    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    for h, days, role in (('mgr', 400, 'manager'), ('lead', 400, 'leader'), ('new1', 2, 'member'),
                          ('new2', 7.05, 'member'), ('old1', 200, 'member'),
                          ('ment', 300, 'member'), ('lurky', 300, 'member'),
                          ('busy', 300, 'member'), ('quiet', 300, 'interested')):
        srv.execute('INSERT INTO community_members (community_id, member_id, role, joined_at) '
                    'VALUES (?, ?, ?, ?)', cid, member_id(srv, h), role, int(now - days * DAY))
    srv.execute("UPDATE members SET mentoring = 1, region = 'North' WHERE handle = 'ment'")
    srv.execute("UPDATE members SET region = 'North' WHERE handle = 'new2'")
    for h in ('ment', 'new1'):
        srv.execute("INSERT INTO member_expertise (member_id, tag) VALUES (?, 'trauma')",
                    member_id(srv, h))
    srv.execute('INSERT INTO visit_log (member_id, community_id, day) VALUES (?, ?, ?)',
                member_id(srv, 'lurky'), cid, now // DAY - 3)
    b = srv.session(keys['busy'])
    tid = ok(b.call('thread.create', slug='cop', title='Busy', body='one'))['thread_id']
    for i in range(9):
        ok(b.call('post.create', thread_id=tid, body='more %d' % i))
    ok(srv.session(keys['ment']).call('post.create', thread_id=tid, body='mentor here'))
    return srv, keys, cid


def test_outreach_lists_for_managers():
    srv, keys, cid = outreach_town()
    o = ok(srv.session(keys['mgr']).call('outreach.list', community='cop'))
    new = {n['handle']: n for n in o['newcomers']}
    assert set(new) == {'new1', 'new2'}
    assert new['new1']['check_in'] == '1 week' and new['new2']['check_in'] == '1 month'
    assert new['new1']['mentor']['handle'] == 'ment'
    assert new['new1']['mentor']['why'] == 'mentors; shares trauma'
    assert new['new2']['mentor']['why'] == 'mentors; same region'
    assert [x['handle'] for x in o['lurkers']] == ['lurky']
    assert [(x['handle'], x['contributions']) for x in o['catalysts']] == [('busy', 10)]
    assert {x['handle'] for x in o['never_contributed']} == {'new1', 'new2', 'old1', 'lurky',
                                                             'quiet'}
    # managers only
    err(srv.session(keys['lead']).call('outreach.list', community='cop'), 'forbidden')
    err(srv.session(keys['old1']).call('outreach.list', community='cop'), 'forbidden')


def test_managers_reminded_to_check_in_once():
    srv, keys, cid = outreach_town()
    srv.stop()
    srv.start()        # the sweep runs soon after a start
    wait_until(lambda: srv.ctl('status')['sweeps']['outreach'] >= 1, 20, 'the outreach sweep')
    rows = srv.query("SELECT n.text FROM notifications n JOIN members m ON m.id = n.member_id "
                     "WHERE m.handle = 'mgr' AND n.kind = 'outreach'")
    assert rows == [('Check in with New2: they joined a week ago.',)], rows
    assert srv.query("SELECT count(*) FROM notifications WHERE kind = 'outreach'") == [(1,)]
    srv.stop()
    srv.start()
    wait_until(lambda: srv.ctl('status')['sweeps']['outreach'] >= 1, 20, 'the outreach sweep')
    assert srv.query("SELECT count(*) FROM notifications WHERE kind = 'outreach'") == [(1,)]


def test_visits_today_count_in_this_week_and_the_pyramid():
    """Four members open the community today: the last week's visitors,
    the pyramid's lurkers and the report's weekly row all count them (a
    visit counts in the window or week its day begins in)."""
    srv = Server()
    keys = people(srv, 'mgr', 'v1', 'v2', 'v3', 'v4', 'away')
    cid = community(srv, 'cop', members=[('mgr', 'manager'), ('v1', 'member'),
                                         ('v2', 'member'), ('v3', 'member'),
                                         ('v4', 'member'), ('away', 'member')])
    srv.execute("UPDATE community_members SET joined_at = strftime('%s', 'now') - 86400 * 60")
    srv.execute("UPDATE membership_log SET at = strftime('%s', 'now') - 86400 * 60")
    for h in ('v1', 'v2', 'v3', 'v4'):
        ok(srv.session(keys[h]).call('thread.list', slug='cop'))
    wait_until(lambda: srv.query('SELECT count(*) FROM visit_log WHERE community_id = ?',
                                 cid)[0][0] == 4, 15, 'the visits to be written')
    s = srv.session(keys['mgr'])
    w = ok(s.call('health.series', community='cop'))['weeks']
    assert w[-1]['visitors'] == 4, w
    assert sum(x['visitors'] for x in w) == 4, w           # once, in one week
    h = ok(s.call('health.get', community='cop'))
    assert h['pyramid']['lurkers'] == 4 and h['pyramid']['inactive'] == 1, h['pyramid']
    text = srv.ctl('report', '--community', 'cop', json_out=False).stdout
    row = [ln for ln in text.splitlines() if ln.strip().startswith('visitors')][0]
    assert row.split()[-1] == '4' and row.split()[1:-1] == ['0'] * 11, row
    # the platform's week too
    b = srv.session(srv.new_member('boss', role='staff'))
    w = ok(b.call('health.series'))['weeks']
    assert w[-1]['visitors'] >= 4, w


def test_report_speaks_to_the_board_in_words():
    """The report the Programme Board reads (text, as the line mode and
    hearthctl print it; Markdown, as posted; HTML): make-up groups, the
    window and goal dates in words, no field names or server paths, the
    meanings included, and long make-up lines wrapped."""
    t = build()
    t.srv.execute("UPDATE members SET organisation = 'University of Leeds School of "
                  "Healthcare, Department of Counselling and Psychotherapy Training'")
    s = t.srv.session(t.keys['mgr'])
    ok(s.call('goal.create', community='cop', title='Grow', starts_at='2026-07-12',
              ends_at='2027-07-12'))
    text = report(t, '--no-suppress')
    md = report(t, '--format', 'md', '--no-suppress')
    html = report(t, '--format', 'html', '--no-suppress')
    for out in (text, md, html):
        for word in ('community_role', 'platform_role', 'job_role', 'docs/health.md',
                     'T00:00:00Z'):
            assert word not in out, (word, out)
        assert '2 July 2026 to 29 September 2026' in out, out
        assert '12 July 2026 to 12 July 2027' in out, out
        assert 'What the figures mean' in out and 'A contribution is' in out, out
    lines = text.splitlines()
    assert any(ln.startswith('  Community role: ') for ln in lines), text
    assert any(ln.startswith('  Platform role: ') for ln in lines), text
    assert any(ln.startswith('  Job role: ') for ln in lines), text
    assert 'catalysts, 10 or more contributions' in ' '.join(ln.strip() for ln in lines)
    tail = text[text.index('Make-up'):].splitlines()
    assert all(len(ln) <= 80 for ln in tail), [ln for ln in tail if len(ln) > 80]
    org = text[text.index('  Organisation: '):].splitlines()
    assert org[1].startswith('    ') and 'Psychotherapy Training 9' in org[1] + org[2], org
    assert '- Community role: ' in md and '<th>Community role</th>' in html


def test_outreach_and_the_pyramid_agree_and_every_newcomer_gets_a_mentor():
    """Two newcomers who each posted once (both posts hidden) and one who
    never posted are newbies in the pyramid and under Never contributed in
    Outreach, not lurkers; a long-standing member whose only post is hidden
    and who visits is a lurker in both. A mentor who shares nothing with
    the newcomers is still suggested, in the protocol, the TUI and the line
    mode."""
    from fixtures import tui
    from harness import Tmux
    srv = Server()
    keys = people(srv, 'mgr', 'h1', 'h2', 'quin', 'old', 'ment')
    cid = community(srv, 'cop', name='Students')
    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    for h, days, role in (('mgr', 400, 'manager'), ('h1', 5, 'member'), ('h2', 5, 'member'),
                          ('quin', 5, 'member'), ('old', 200, 'member'), ('ment', 300, 'member')):
        srv.execute('INSERT INTO community_members (community_id, member_id, role, joined_at) '
                    'VALUES (?, ?, ?, ?)', cid, member_id(srv, h), role, now - days * DAY)
    srv.execute("UPDATE members SET mentoring = 1, region = 'South' WHERE handle = 'ment'")
    srv.execute("UPDATE members SET region = 'North' WHERE handle IN ('h1', 'h2', 'quin')")
    tid = ok(srv.session(keys['ment']).call('thread.create', slug='cop', title='Hello',
                                              body='Welcome all'))['thread_id']
    for h in ('h1', 'h2', 'old'):
        ok(srv.session(keys[h]).call('post.create', thread_id=tid, body='me too'))
    srv.execute("UPDATE posts SET hidden_at = ? WHERE author_id IN (SELECT id FROM members "
                "WHERE handle IN ('h1', 'h2', 'old'))", now)
    for h in ('h1', 'h2', 'old'):
        srv.execute('INSERT OR IGNORE INTO visit_log (member_id, community_id, day) '
                    'VALUES (?, ?, ?)', member_id(srv, h), cid, now // DAY - 1)
    s = srv.session(keys['mgr'])
    pyr = ok(s.call('health.get', community='cop'))['pyramid']
    assert (pyr['lurkers'], pyr['newbies'], pyr['regulars']) == (1, 3, 1), pyr
    o = ok(s.call('outreach.list', community='cop'))
    assert [x['handle'] for x in o['lurkers']] == ['old'], o
    assert len(o['lurkers']) == pyr['lurkers']
    assert [x['handle'] for x in o['never_contributed']] == ['old', 'h1', 'h2', 'quin'], o
    new = {n['handle']: n for n in o['newcomers']}
    assert set(new) == {'h1', 'h2', 'quin'}
    for n in new.values():
        assert n['mentor']['handle'] == 'ment', n
        assert n['mentor']['why'] == 'mentors; no shared expertise or region', n
    assert o['days'] == 90
    # the TUI: Health tab, o
    t = tui(srv, keys['mgr'], 'mgr', height=50)
    try:
        t.wait_for('Students', timeout=15)
        t.keys('Enter')
        t.wait_for('8 Health')
        t.keys('8')
        t.wait_for('Health score', timeout=15)
        t.keys('o')
        screen = t.wait_for('Who to reach in Students', 'Never contributed', timeout=15)
        assert screen.count('a mentor: ') == 3 and '(@ment)' in screen, screen
        assert 'Lurkers: they visit, no contribution in 90 days (1)' in screen, screen
        assert 'Never contributed (no post that counts, vote or event) (4)' in screen, screen
    finally:
        t.kill()
    # the line mode: 12, the community, o
    t = Tmux('TERM=dumb ' + ' '.join(srv.ssh_base(keys['mgr'], 'mgr') + ['-tt', '127.0.0.1']),
             160, 200)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('12', 'Enter')
        t.wait_for('1. Students')
        t.keys('1', 'Enter')
        t.wait_for('how many days')
        t.keys('Enter')
        t.wait_for('What the figures mean', timeout=15)
        t.keys('o', 'Enter')
        screen = t.wait_for('Never contributed (no post that counts, vote or event): 4',
                            timeout=15)
        assert 'Lurkers (they visit, no contribution in the window): 1' in screen, screen
        assert screen.count('a mentor: @ment (mentors; no shared expertise or region)') == 3
    finally:
        t.kill()
