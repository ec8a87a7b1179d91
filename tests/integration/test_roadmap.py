"""Roadmaps and personas (issue 15): a community's roadmap starts from the
template, managers edit it, leaders propose and managers accept, every
change is a version and any two compare; exports as Markdown and CSV;
owners are reminded as an action's period starts and ends undone; personas
kept beside it and events tagged with them."""
import csv
import datetime
import io
import json

from fixtures import (community, err, member_id, ok, people, sweeps,
                      wait_sweep, wait_until)
from harness import Server


def cop(srv):
    """ann and bob manage cop, lee leads it, mia is a member; out is not
    in it. Returns their keys."""
    keys = people(srv, 'ann', 'bob', 'lee', 'mia', 'out')
    community(srv, 'cop', 'private', [('ann', 'manager'), ('bob', 'manager'),
                                      ('lee', 'leader'), ('mia', 'member')])
    return keys


def section(rm, key):
    return next((s for s in rm['sections'] if s['key'] == key), None)


def test_template_edits_versions_proposal_and_compare():
    srv = Server()
    keys = cop(srv)
    ann, bob = srv.session(keys['ann']), srv.session(keys['bob'])
    lee, mia = srv.session(keys['lee']), srv.session(keys['mia'])
    out = srv.session(keys['out'])
    # a new community reads the template: every section with its prompt
    rm = ok(mia.call('roadmap.get', slug='cop'))
    assert rm['version'] == 0 and not rm['can_edit'] and not rm['can_propose']
    titles = [s['title'] for s in rm['sections']]
    assert titles[0] == 'Vision' and 'Risk-free environment' in titles
    assert titles[-3:] == ['Short-term actions (1-3 months)',
                           'Medium-term actions (4-6 months)',
                           'Long-term actions (7-12 months)']
    assert len(titles) == 27
    assert 'long-term goal' in section(rm, 'vision')['prompt']
    assert [p['label'] for p in rm['periods']][5:] == [
        'Month 6', 'Months 7-9', 'Months 10-12']
    err(out.call('roadmap.get', slug='cop'), 'forbidden', 'private')
    # two managers edit; a member may not
    ok(ann.call('roadmap.update', slug='cop', key='vision',
                body='A practice where *everyone* learns.\nSecond line.'))
    ok(bob.call('roadmap.update', slug='cop', key='2', body='We exist to share.'))
    ok(bob.call('roadmap.update', slug='cop', key='governance',
                body='Core group decides.', managers_only=True))
    err(mia.call('roadmap.update', slug='cop', key='vision', body='x'),
        'forbidden')
    err(lee.call('roadmap.update', slug='cop', key='vision', body='x'),
        'forbidden', 'propose')
    err(ann.call('roadmap.update', slug='cop', key='nonsense', body='x'),
        'bad_request')
    # members do not see managers-only sections; managers do
    assert section(ok(mia.call('roadmap.get', slug='cop')), 'governance') is None
    assert section(ok(ann.call('roadmap.get', slug='cop')),
                   'governance')['body'] == 'Core group decides.'
    # a leader proposes; a member may not; a manager accepts
    err(mia.call('roadmap.propose', slug='cop', key='vision', body='x'),
        'forbidden')
    pid = ok(lee.call('roadmap.propose', slug='cop', key='vision',
                      body='A practice where everyone learns and teaches.',
                      note='teaching too'))['proposal_id']
    assert srv.query("SELECT count(*) FROM notifications n JOIN members m ON "
                     "m.id = n.member_id WHERE n.kind = 'roadmap_proposal' AND "
                     "m.handle IN ('ann', 'bob')")[0][0] == 2
    props = ok(ann.call('roadmap.proposals', slug='cop'))['proposals']
    assert [p['id'] for p in props] == [pid]
    assert props[0]['current'].startswith('A practice where *everyone*')
    err(lee.call('roadmap.accept', proposal_id=pid), 'forbidden')
    acc = ok(bob.call('roadmap.accept', proposal_id=pid))
    assert acc['state'] == 'accepted'
    err(bob.call('roadmap.accept', proposal_id=pid), 'not_found')
    rm = ok(mia.call('roadmap.get', slug='cop'))
    assert section(rm, 'vision')['body'] == \
        'A practice where everyone learns and teaches.'
    # every change a version with who and when
    vs = ok(mia.call('roadmap.versions', slug='cop'))['versions']
    assert [v['version'] for v in vs] == [4, 3, 2, 1, 0]
    assert [v['by'] for v in vs[:4]] == ['bob', 'bob', 'bob', 'ann']
    assert 'proposal' in vs[0]['summary'] and '@lee' in vs[0]['summary']
    assert vs[3]['summary'] == 'Edited Vision'
    # any two compared: a readable diff
    cmp = ok(mia.call('roadmap.compare', slug='cop', **{'from': 1, 'to': 4}))
    lines = [(l['op'], l['text']) for l in cmp['lines']]
    assert ('-', 'A practice where *everyone* learns.') in lines
    assert ('-', 'Second line.') in lines
    assert ('+', 'A practice where everyone learns and teaches.') in lines
    assert ('+', 'We exist to share.') in lines
    # the managers-only text is not in a member's diff, but in a manager's
    assert not any('Core group' in t for _, t in lines)
    cmp = ok(ann.call('roadmap.compare', slug='cop', **{'from': 0, 'to': 4}))
    assert ('+', 'Core group decides.') in [(l['op'], l['text'])
                                            for l in cmp['lines']]
    err(mia.call('roadmap.compare', slug='cop', **{'from': 1, 'to': 9}),
        'not_found')
    # a stale edit is refused and loses nothing
    err(ann.call('roadmap.update', slug='cop', key='vision', body='old view',
                 base_version=3), 'conflict')
    assert section(ok(ann.call('roadmap.get', slug='cop')), 'vision')[
        'body'].endswith('teaches.')


def test_actions_export_md_and_csv_and_copy():
    srv = Server()
    keys = cop(srv)
    ann, mia = srv.session(keys['ann']), srv.session(keys['mia'])
    gid = ok(ann.call('goal.create', community='cop', title='Grow',
                      ends_at='2027-12-31'))['goal_id']
    kr = ok(ann.call('goal.kr_add', goal_id=gid, title='40 members',
                     target=40))['kr_id']
    eid = ok(ann.call('event.create', community='cop', title='Kick-off',
                      starts_at='2027-01-05T18:00:00Z'))['event']['id']
    ok(ann.call('roadmap.update', slug='cop', starts_on='2027-01-01'))
    a1 = ok(ann.call('roadmap.action', slug='cop', period=1,
                     title='Kick-off meeting', owner='mia',
                     resources='A room, coffee', kr_id=kr,
                     event_id=eid))['action_id']
    ok(ann.call('roadmap.action', slug='cop', period=7, title='Summit, "big"',
                owner='@ann', status='doing'))
    err(ann.call('roadmap.action', slug='cop', period=2, title='x',
                 owner='out'), 'bad_request', 'not a member')
    err(ann.call('roadmap.action', slug='cop', period=9, title='x'),
        'bad_request')
    err(ann.call('roadmap.action', slug='cop', period=2, title='x',
                 status='later'), 'bad_request')
    # the owner marks their action; nothing else
    err(mia.call('roadmap.action', action_id=a1, title='mine'), 'forbidden')
    ok(mia.call('roadmap.action', action_id=a1, status='doing'))
    rm = ok(mia.call('roadmap.get', slug='cop'))
    assert rm['starts_on'].startswith('2027-01-01')
    acts = {a['title']: a for a in rm['actions']}
    assert acts['Kick-off meeting']['status'] == 'doing'
    assert acts['Kick-off meeting']['key_result']['title'] == '40 members'
    assert acts['Kick-off meeting']['event']['title'] == 'Kick-off'
    ok(ann.call('roadmap.update', slug='cop', key='short', body='Meet monthly.'))
    # hearthctl exports Markdown and CSV
    p = srv.ctl('roadmap', 'export', 'cop', '--format', 'md', json_out=False)
    md = p.stdout
    assert md.startswith('# Roadmap: COP\n')
    assert 'Month 1 starts on 2027-01-01.' in md
    assert '## Vision\n\n> What is the challenge' in md
    assert '| Month 1 | Kick-off meeting | @mia | A room, coffee | doing | ' \
        'key result: 40 members; event: Kick-off |' in md
    assert md.index('## Actions') < md.index('### Short-term actions')
    assert 'Meet monthly.' in md
    p = srv.ctl('roadmap', 'export', 'cop', '--format', 'csv', json_out=False)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert [(r['period_label'], r['action'], r['owner'], r['status'])
            for r in rows] == [('Month 1', 'Kick-off meeting', 'mia', 'doing'),
                               ('Months 7-9', 'Summit, "big"', 'ann', 'doing')]
    assert rows[0]['from'] == '2027-01-01' and rows[0]['to'] == '2027-01-31'
    assert rows[1]['from'] == '2027-07-01' and rows[1]['to'] == '2027-09-30'
    assert rows[0]['key_result'] == '40 members'
    p = srv.ctl('roadmap', 'export', 'cop', '--format', 'pdf', check=False,
                json_out=False)
    assert p.returncode != 0 and 'md or csv' in p.stderr
    p = srv.ctl('roadmap', 'export', 'nosuch', check=False, json_out=False)
    assert p.returncode != 0
    # the platform's roadmap: staff keep it, members read it
    err(mia.call('roadmap.update', key='vision', body='x'), 'forbidden')
    p = srv.ctl('roadmap', 'export', '-', json_out=False)
    assert p.stdout.startswith('# Roadmap: the platform')
    # copied to a new community as a start: sections and actions, no owners
    community(srv, 'two', 'platform', [('ann', 'manager')])
    ok(ann.call('roadmap.copy', slug='two', **{'from': 'cop'}))
    two = ok(ann.call('roadmap.get', slug='two'))
    assert section(two, 'short')['body'] == 'Meet monthly.'
    assert [(a['title'], a.get('owner'), a['status']) for a in two['actions']] == [
        ('Kick-off meeting', None, 'planned'), ('Summit, "big"', None, 'planned')]
    assert ok(ann.call('roadmap.versions', slug='two'))['versions'][0][
        'summary'] == 'Copied from the roadmap of COP'
    err(mia.call('roadmap.copy', slug='two', **{'from': 'cop'}), 'forbidden')
    # removing an action is a version too
    ok(ann.call('roadmap.action', action_id=a1, delete=True))
    assert len(ok(ann.call('roadmap.get', slug='cop'))['actions']) == 1


def test_action_reminders_with_a_controlled_clock():
    """The roadmap's month 1 is set 40 days back: month 1 ended (undone
    actions' owners told once), month 2 started (its owners told once); a
    done action and one in a later month say nothing."""
    srv = Server()
    keys = cop(srv)
    ann = srv.session(keys['ann'])
    mia = srv.session(keys['mia'])
    back = (datetime.date.today() - datetime.timedelta(days=40)).isoformat()
    ok(ann.call('roadmap.update', slug='cop', starts_on=back))
    ok(ann.call('roadmap.action', slug='cop', period=1, title='Undone one',
                owner='mia'))
    ok(ann.call('roadmap.action', slug='cop', period=1, title='Done one',
                owner='mia', status='done'))
    ok(ann.call('roadmap.action', slug='cop', period=2, title='Second month',
                owner='mia', status='doing'))
    ok(ann.call('roadmap.action', slug='cop', period=4, title='Later',
                owner='mia'))
    past = sweeps(srv, 'roadmap')
    ok(ann.call('roadmap.action', slug='cop', period=5, title='Unowned'))
    wait_sweep(srv, 'roadmap', past)
    # a second sweep sends nothing again
    past = sweeps(srv, 'roadmap')
    ok(ann.call('roadmap.update', slug='cop', key='vision', body='v'))
    ok(ann.call('roadmap.action', slug='cop', period=6, title='Six'))
    wait_sweep(srv, 'roadmap', past)
    rows = srv.query("SELECT a.title, r.kind FROM roadmap_reminders r JOIN "
                     "roadmap_actions a ON a.id = r.action_id ORDER BY 1")
    assert rows == [('Second month', 'start'), ('Undone one', 'end')], rows
    texts = sorted(r[0] for r in srv.query(
        "SELECT text FROM notifications WHERE kind = 'roadmap_action' AND "
        "member_id = ?", member_id(srv, 'mia')))
    assert len(texts) == 2, texts
    assert 'Month 1 is over' in texts[0] and 'Undone one' in texts[0]
    assert 'Month 2 has started' in texts[1]
    ok(mia.call('whoami'))
    kinds = sorted(m['data']['kind'] for m in mia.events
                   if m.get('event') == 'roadmap.reminder')
    assert kinds == ['end', 'start']


def test_pipelined_updates_both_versioned():
    """Edits pipelined in one write meet in one loop turn, with another
    manager's at the same moment: of the three made against the same
    version exactly one lands, the others are refused (conflict) and change
    nothing; the other pipelined changes each land as a version."""
    srv = Server()
    keys = cop(srv)
    ann, bob = srv.session(keys['ann']), srv.session(keys['bob'])
    ok(ann.call('roadmap.update', slug='cop', key='vision', body='v1'))
    reqs = [{'id': 101, 'op': 'roadmap.update', 'args': {
                'slug': 'cop', 'key': 'vision', 'body': 'ann v2',
                'base_version': 1}},
            {'id': 102, 'op': 'roadmap.update', 'args': {
                'slug': 'cop', 'key': 'vision', 'body': 'ann again',
                'base_version': 1}},
            {'id': 103, 'op': 'roadmap.update', 'args': {
                'slug': 'cop', 'key': 'purpose', 'body': 'ann purpose'}},
            {'id': 104, 'op': 'roadmap.action', 'args': {
                'slug': 'cop', 'period': 3, 'title': 'Pipelined'}}]
    line = b''.join(json.dumps(r).encode() + b'\n' for r in reqs)
    bob.send_raw(json.dumps({'id': 201, 'op': 'roadmap.update', 'args': {
        'slug': 'cop', 'key': 'vision', 'body': 'bob v2',
        'base_version': 1}}).encode() + b'\n')
    ann.send_raw(line)
    got = {i: ann.reply(i) for i in (101, 102, 103, 104)}
    got[201] = bob.reply(201)
    assert got[103]['ok'] and got[104]['ok'], got
    assert got[102]['error']['code'] == 'conflict', got
    won = [i for i in (101, 201) if got[i]['ok']]
    assert len(won) == 1, got
    lost = 201 if won == [101] else 101
    assert got[lost]['error']['code'] == 'conflict', got
    vs = ok(bob.call('roadmap.versions', slug='cop'))['versions']
    assert [v['version'] for v in vs] == [4, 3, 2, 1, 0]
    rm = ok(bob.call('roadmap.get', slug='cop'))
    assert section(rm, 'vision')['body'] == ('ann v2' if won == [101] else 'bob v2')
    assert section(rm, 'purpose')['body'] == 'ann purpose'
    assert [a['title'] for a in rm['actions']] == ['Pipelined']


def test_personas_and_event_tags():
    srv = Server()
    keys = cop(srv)
    ann, lee, mia = (srv.session(keys[h]) for h in ('ann', 'lee', 'mia'))
    ids = []
    for name in ('Newcomer Nia', 'Expert Eli', 'Lurker Lu'):
        ids.append(ok(ann.call('persona.save', slug='cop', name=name,
                               description='who ' + name, needs='help',
                               pain_points='time', ways='drop-ins'))[
            'persona_id'])
    err(mia.call('persona.save', slug='cop', name='Mine'), 'forbidden')
    err(lee.call('persona.save', slug='cop', name='Mine'), 'forbidden')
    ok(ann.call('persona.save', slug='cop', name='Four'))
    five = ok(ann.call('persona.save', slug='cop', name='Five'))['persona_id']
    err(ann.call('persona.save', slug='cop', name='Six'), 'conflict', 'at most 5')
    ok(ann.call('persona.delete', persona_id=five))
    ok(ann.call('persona.save', persona_id=ids[1], needs='depth'))
    eid = ok(lee.call('event.create', community='cop', title='Drop-in',
                      starts_at='2027-02-01T18:00:00Z'))['event']['id']
    err(mia.call('persona.tag', event_id=eid, persona_ids=[ids[0]]), 'forbidden')
    ok(lee.call('persona.tag', event_id=eid, persona_ids=[ids[0], ids[2]]))
    ps = ok(mia.call('persona.list', slug='cop'))
    assert not ps['can_edit']
    got = {p['name']: p for p in ps['personas']}
    assert list(got) == ['Newcomer Nia', 'Expert Eli', 'Lurker Lu', 'Four']
    assert got['Expert Eli']['needs'] == 'depth'
    assert got['Newcomer Nia']['ways'] == 'drop-ins'
    assert [e['title'] for e in got['Newcomer Nia']['events']] == ['Drop-in']
    assert got['Expert Eli']['events'] == []
    out = srv.session(keys['out'])
    err(out.call('persona.list', slug='cop'), 'forbidden', 'private')
    err(out.call('persona.delete', persona_id=ids[0]), 'not_found')


def test_bad_input_is_refused_clearly():
    srv = Server()
    keys = cop(srv)
    ann = srv.session(keys['ann'])
    community(srv, 'other', 'platform', [('ann', 'manager')])
    err(ann.call('roadmap.update', slug='cop', key='vision'), 'bad_request',
        'Nothing to change')
    err(ann.call('roadmap.update', slug='cop', body='x'), 'bad_request', 'which section')
    err(ann.call('roadmap.update', slug='cop', starts_on='someday'), 'bad_request')
    err(ann.call('roadmap.update', slug='cop', key='vision', body='a\x01b'),
        'bad_request')
    err(ann.call('roadmap.update', slug='nosuch', key='vision', body='x'), 'not_found')
    err(ann.call('roadmap.action', action_id=999, status='done'), 'not_found')
    err(ann.call('roadmap.action', slug='cop', title='x'), 'bad_request', 'period')
    err(ann.call('roadmap.action', slug='cop', period=1, title=''), 'bad_request')
    err(ann.call('roadmap.accept', proposal_id=12345), 'not_found')
    err(ann.call('roadmap.copy', slug='cop', **{'from': 'cop'}), 'bad_request')
    err(ann.call('roadmap.export', slug='cop', format='pdf'), 'bad_request')
    # a link must be the community's own
    gid = ok(ann.call('goal.create', community='other', title='G',
                      ends_at='2099-01-01'))['goal_id']
    kr = ok(ann.call('goal.kr_add', goal_id=gid, title='K', target=3))['kr_id']
    err(ann.call('roadmap.action', slug='cop', period=1, title='x', kr_id=kr),
        'not_found', 'key result')
    eid = ok(ann.call('event.create', community='other', title='E',
                      starts_at='2099-01-01T10:00:00Z'))['event']['id']
    err(ann.call('roadmap.action', slug='cop', period=1, title='x', event_id=eid),
        'not_found', 'event')
    pid = ok(ann.call('persona.save', slug='other', name='P'))['persona_id']
    cev = ok(ann.call('event.create', community='cop', title='C',
                      starts_at='2099-01-01T10:00:00Z'))['event']['id']
    err(ann.call('persona.tag', event_id=cev, persona_ids=[pid]), 'not_found')
    err(ann.call('persona.save', slug='cop', name=''), 'bad_request')
    # nothing of that changed anything
    assert ok(ann.call('roadmap.get', slug='cop'))['version'] == 0
    assert srv.query('SELECT count(*) FROM roadmap_actions')[0][0] == 0
    assert srv.alive()


def test_compare_a_long_change():
    """A change of thousands of lines compares (shown removed, then added,
    past the line-by-line limit) and a small change beside it is exact."""
    srv = Server()
    keys = cop(srv)
    ann = srv.session(keys['ann'])
    long = ''.join('%d\n' % i for i in range(1800))
    ok(ann.call('roadmap.update', slug='cop', key='results', body=long))
    cmp = ok(ann.call('roadmap.compare', slug='cop', **{'from': 0, 'to': 1}))
    plus = [l['text'] for l in cmp['lines'] if l['op'] == '+']
    assert plus[:3] == ['0', '1', '2'] and len(plus) >= 1800
    ok(ann.call('roadmap.update', slug='cop', key='results',
                body=long.replace('\n900\n', '\nnine hundred\n')))
    cmp = ok(ann.call('roadmap.compare', slug='cop', **{'from': 1, 'to': 2}))
    changed = [(l['op'], l['text']) for l in cmp['lines'] if l['op'] in '+-']
    assert changed == [('-', '900'), ('+', 'nine hundred')], changed
    assert cmp['changed'] == 2
