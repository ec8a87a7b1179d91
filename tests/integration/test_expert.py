"""Expert speaker requests: members ask, staff see the queue and accept
(creating an event with the speaker as host), decline or ask for more."""
from harness import Server
from fixtures import community, err, iso, ok, people


def test_expert_request_queue_and_decisions():
    srv = Server()
    keys = people(srv, ('asker', 'member'), ('other', 'member'), ('staffer', 'staff'),
                  ('speaker', 'member'))
    community(srv, 'cop', 'platform', [('asker', 'member')])
    community(srv, 'secret', 'private', [])
    a = srv.session(keys['asker'])
    st = srv.session(keys['staffer'])
    # bad input and a community the member may not read
    err(a.call('expert.request', topic='Kubernetes'), 'bad_request')
    err(a.call('expert.request', topic='', why='x'), 'bad_request')
    err(a.call('expert.request', topic='K8s', why='x', community='secret'), 'forbidden')
    r1 = ok(a.call('expert.request', topic='Kubernetes in practice', community='cop',
                   why='Our team is starting', preferred_times='Tuesdays'))['request']
    assert r1['status'] == 'pending' and r1['community'] == 'cop'
    assert r1['requested_by']['handle'] == 'asker'
    r2 = ok(a.call('expert.request', topic='Accessibility', why='Audit soon'))['request']
    o = srv.session(keys['other'])
    r3 = ok(o.call('expert.request', topic='Security', why='Curious'))['request']
    # members see only their own; staff see the queue
    assert [r['id'] for r in ok(a.call('expert.list'))['requests']] == [r2['id'], r1['id']]
    assert [r['id'] for r in ok(o.call('expert.list'))['requests']] == [r3['id']]
    q = ok(st.call('expert.list', limit=2))
    assert [r['id'] for r in q['requests']] == [r3['id'], r2['id']] and q['next']
    q2 = ok(st.call('expert.list', limit=2, before=q['next']))
    assert [r['id'] for r in q2['requests']] == [r1['id']] and q2['next'] is None
    assert len(ok(st.call('expert.list', status='pending'))['requests']) == 3
    err(st.call('expert.list', status='maybe'), 'bad_request')
    seen = [e for e in st.events if e.get('event') == 'expert.request']
    assert {e['data']['id'] for e in seen} == {r1['id'], r2['id'], r3['id']}, st.events
    # only staff decide
    err(a.call('expert.decide', id=r1['id'], decision='decline', reason='x'), 'forbidden')
    err(st.call('expert.decide', id=r1['id'], decision='maybe'), 'bad_request')
    err(st.call('expert.decide', id=r1['id'], decision='decline'), 'bad_request')
    err(st.call('expert.decide', id=999, decision='decline', reason='x'), 'not_found')
    # others may not see or answer someone's request
    err(o.call('expert.reply', id=r1['id'], text='hi'), 'not_found')
    # ask for more; the member answers; it is pending again
    r = ok(st.call('expert.decide', id=r1['id'], decision='more_info',
                   reason='Which parts?'))['request']
    assert r['status'] == 'more_info' and r['response'] == 'Which parts?'
    assert r['decided_by'] == 'staffer'
    r = ok(a.call('expert.reply', id=r1['id'], text='Networking'))['request']
    assert r['status'] == 'pending' and 'Networking' in r['why']
    # accept: an event with the speaker as its host, in the community
    err(st.call('expert.decide', id=r1['id'], decision='accept', speaker='nobody',
                starts_at=iso(86400)), 'not_found')
    err(st.call('expert.decide', id=r1['id'], decision='accept', speaker='speaker',
                starts_at=iso(-60)), 'bad_request')
    assert srv.query('SELECT count(*) FROM events') == [(0,)]
    r = ok(st.call('expert.decide', id=r1['id'], decision='accept', speaker='speaker',
                   starts_at=iso(86400), duration=45))['request']
    assert r['status'] == 'accepted' and r['event_id']
    e = ok(a.call('event.get', id=r['event_id']))['event']
    assert e['hosts'][0]['handle'] == 'speaker' and e['community'] == 'cop'
    assert e['title'] == 'Kubernetes in practice' and e['duration'] == 45
    assert e['kind'] == 'show_and_tell'
    # staff who accepted it are told they may host its room, and may open it
    assert ok(st.call('event.get', id=r['event_id']))['event']['is_host'] is True
    assert e['is_host'] is False
    room = ok(st.call('room.open', event_id=r['event_id'], record='off'))
    ok(st.call('room.close', room_id=room['room']['room_id']))
    err(st.call('expert.decide', id=r1['id'], decision='decline', reason='x'), 'conflict')
    err(a.call('expert.reply', id=r1['id'], text='more'), 'conflict')
    # decline with a reason; the member sees the status and was notified
    ok(st.call('expert.decide', id=r2['id'], decision='decline', reason='No one free'))
    mine = {r['id']: r for r in ok(a.call('expert.list'))['requests']}
    assert mine[r2['id']]['status'] == 'declined'
    assert mine[r2['id']]['response'] == 'No one free'
    kinds = srv.query("SELECT m.handle, n.kind FROM notifications n JOIN members m "
                      "ON m.id = n.member_id WHERE n.kind LIKE 'expert%' "
                      "AND n.kind != 'expert_request' ORDER BY n.id")
    assert kinds == [('asker', 'expert_decided'), ('speaker', 'expert_speaker'),
                     ('asker', 'expert_decided'), ('asker', 'expert_decided')], kinds
    # each says which request (and, once accepted, which event) it is about,
    # so a screen can open it
    refs = srv.query("SELECT n.kind, n.request_id, n.event_id FROM notifications n "
                     "WHERE n.kind LIKE 'expert%' AND n.kind != 'expert_request' "
                     "ORDER BY n.id")
    assert refs == [('expert_decided', r1['id'], None), ('expert_speaker', r1['id'], r['event_id']),
                    ('expert_decided', r1['id'], r['event_id']),
                    ('expert_decided', r2['id'], None)], refs
    # staff and admins were told of each new request (stored, to open later)
    staff = [h for (h,) in srv.query("SELECT handle FROM members WHERE role IN "
                                     "('staff', 'admin') AND status = 'active'")]
    assert 'staffer' in staff
    new = srv.query("SELECT m.handle, n.request_id FROM notifications n JOIN members m "
                    "ON m.id = n.member_id WHERE n.kind = 'expert_request' ORDER BY n.id")
    assert sorted(new) == sorted((h, r_['id']) for h in staff for r_ in (r1, r2, r3)), new
    n = ok(a.call('notify.list'))['notifications']
    assert {(x['request_id'], x['event_id']) for x in n if x['kind'] == 'expert_decided'} == \
        {(r1['id'], None), (r1['id'], r['event_id']), (r2['id'], None)}
