"""Platform administration from Hearth itself (issue 12): the code of
conduct as the association's own, versioned text that members accept again
when it changes; reinstating a removed member with their history; the
audit log naming the member acted on; invites with the exact connect line
for this server. hearthctl and the protocol here; the Admin screen and the
line mode in test_adminui_tui.py."""
import json
import os
import subprocess

import harness
from fixtures import community, err, ok, people
from harness import Server

NEW_COC = 'Association code\n\n1. Be kind.\n2. Keep confidences.\n'


def coc_file(text):
    path = os.path.join(harness.tmpdir(), 'coc.md')
    with open(path, 'w') as f:
        f.write(text)
    return path


def test_hearthctl_coc_show_and_set_members_accept_again():
    srv = Server()
    community(srv, 'cop', policy='open')
    keys = people(srv, 'mo')
    s = srv.session(keys['mo'])
    ok(s.call('community.join', slug='cop'))
    tid = ok(s.call('thread.create', slug='cop', title='Before', body='x'))['thread_id']
    # the built-in text first: version 0
    shown = srv.ctl('coc', 'show')
    assert shown['version'] == 0 and 'code of conduct' in shown['text']
    p = srv.ctl('coc', 'show', json_out=False)
    assert 'Version 0' in p.stderr and 'Treat everyone with respect' in p.stdout
    r = srv.ctl('coc', 'set', coc_file(NEW_COC))
    assert r == {'version': 1, 'changed': True}
    # the same text again changes nothing
    assert srv.ctl('coc', 'set', coc_file(NEW_COC)) == {'version': 1, 'changed': False}
    p = srv.ctl('coc', 'show', json_out=False)
    assert p.stdout == NEW_COC and 'Version 1' in p.stderr and 'console' in p.stderr
    # the member, who accepted version 0, must accept version 1 to write
    g = ok(s.call('coc.get'))
    assert g['text'] == NEW_COC and g['version'] == 1
    assert g['accepted_at'] is None and g['changed'] is True
    err(s.call('post.create', thread_id=tid, body='after'), 'coc_required',
        'code of conduct')
    err(s.call('thread.create', slug='cop', title='T', body='b'), 'coc_required')
    assert ok(s.call('member.accept_coc'))['version'] == 1
    s.close()
    s = srv.session(keys['mo'])
    g = ok(s.call('coc.get'))
    assert g['accepted_at'] is not None and g['changed'] is False
    ok(s.call('post.create', thread_id=tid, body='after accepting'))
    assert srv.query("SELECT detail FROM audit WHERE action = 'coc.set'") == [('version=1',)]
    assert srv.query("SELECT detail FROM audit WHERE action = 'member.accept_coc' "
                     "ORDER BY id DESC LIMIT 1") == [('version=1',)]
    # bad input: empty, missing file; nothing changes
    p = srv.ctl('coc', 'set', coc_file('  \n'), check=False, json_out=False)
    assert p.returncode != 0 and 'body' in p.stderr
    p = srv.ctl('coc', 'set', '/nonexistent/coc.md', check=False, json_out=False)
    assert p.returncode != 0 and 'No such file' in p.stderr
    assert srv.ctl('coc', 'show')['version'] == 1
    s.close()


def test_coc_version_survives_restart():
    srv = Server()
    keys = people(srv, 'mo')
    srv.ctl('coc', 'set', coc_file(NEW_COC))
    srv.stop()
    srv.start()
    s = srv.session(keys['mo'])
    err(s.call('expert.request', topic='Tax', why='Many ask'), 'coc_required')
    ok(s.call('member.accept_coc'))
    s.close()
    s = srv.session(keys['mo'])
    ok(s.call('expert.request', topic='Tax', why='Many ask'))
    s.close()


def test_coc_set_and_post_pipelined_in_one_write():
    """A post before the change in the same write is accepted, one after
    it is refused: never accepted after the change."""
    srv = Server()
    community(srv, 'cop', policy='open')
    keys = people(srv, ('ada', 'admin'))
    s = srv.session(keys['ada'])
    ok(s.call('community.join', slug='cop'))
    tid = ok(s.call('thread.create', slug='cop', title='T', body='x'))['thread_id']
    lines = [{'id': 101, 'op': 'post.create', 'args': {'thread_id': tid, 'body': 'before'}},
             {'id': 102, 'op': 'admin.coc.set', 'args': {'body': NEW_COC}},
             {'id': 103, 'op': 'post.create', 'args': {'thread_id': tid, 'body': 'after'}}]
    s.send_raw(''.join(json.dumps(x) + '\n' for x in lines).encode())
    assert s.reply(101)['ok']
    assert ok(s.reply(102))['version'] == 1
    err(s.reply(103), 'coc_required')
    bodies = [r[0] for r in srv.query('SELECT body FROM posts WHERE thread_id = ?', tid)]
    assert 'before' in bodies and 'after' not in bodies
    # accepting and then posting (in the next write) works
    ok(s.call('member.accept_coc'))
    ok(s.call('post.create', thread_id=tid, body='after accepting'))
    s.close()


def test_reinstate_keeps_history_and_audit_names_the_member():
    srv = Server()
    community(srv, 'cop', policy='open', manager=None)
    keys = people(srv, 'riley', ('ada', 'admin'))
    s = srv.session(keys['riley'])
    ok(s.call('community.join', slug='cop'))
    tid = ok(s.call('thread.create', slug='cop', title='Mine', body='my words'))['thread_id']
    s.close()
    srv.ctl('member', 'remove', 'riley', '--reason', 'Lapsed membership')
    s = srv.session(keys['riley'])
    assert s.hello['data']['removed']['reason'] == 'Lapsed membership'
    s.close()
    # not removed: conflict; unknown: not found
    p = srv.ctl('member', 'reinstate', 'ada', check=False, json_out=False)
    assert p.returncode != 0 and 'not removed' in p.stderr
    p = srv.ctl('member', 'reinstate', 'nobody', check=False, json_out=False)
    assert p.returncode != 0 and 'nobody' in p.stderr
    p = srv.ctl('member', 'reinstate', 'riley', '--reason', 'Renewed', json_out=False)
    assert p.returncode == 0 and 'riley is a member again' in p.stdout
    # back in, with the same community and thread
    s = srv.session(keys['riley'])
    assert 'removed' not in s.hello['data']
    mine = ok(s.call('community.list'))['communities']
    assert [c['my_role'] for c in mine if c['slug'] == 'cop'] == ['member']
    posts = ok(s.call('thread.get', thread_id=tid))
    assert 'my words' in json.dumps(posts)
    ok(s.call('post.create', thread_id=tid, body='glad to be back'))
    s.close()
    audit = srv.ctl('audit', '--member', 'riley')['audit']
    assert audit[0]['action'] == 'member.reinstate'
    assert audit[0]['member'] == 'riley' and audit[0]['detail'] == 'Renewed'
    assert audit[1]['action'] == 'member.remove' and audit[1]['member'] == 'riley'
    table = srv.ctl('audit', json_out=False).stdout
    line = [l for l in table.splitlines() if 'member.reinstate' in l][0]
    assert 'riley' in line and 'Renewed' in line and 'MEMBER' in table


def test_audit_names_manager_and_pages():
    srv = Server()
    people(srv, 'mia')
    community(srv, 'students', manager='mia')
    rows = srv.ctl('audit')['audit']
    role = [r for r in rows if r['action'] == 'community.set_role'][0]
    assert role['member'] == 'mia' and role['target'] == 'mia'
    assert role['detail'] == 'community=students role=manager'
    table = srv.ctl('audit', json_out=False).stdout
    line = [l for l in table.splitlines() if 'community.set_role' in l][0]
    assert 'mia' in line and 'community=students' in line
    # paging: two at a time, each page older than the last, all seen once
    seen, before = [], None
    while True:
        args = ['audit', '--limit', '2'] + (['--before', str(before)] if before else [])
        page = srv.ctl(*args)
        seen += [r['id'] for r in page['audit']]
        before = page['next']
        if before is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == len(rows)


def test_invite_connect_line_from_settings():
    srv = Server()
    # the first admin's invite, printed at start, says the same
    assert 'ssh -t -p %d join@127.0.0.1' % srv.port in srv.stdout
    inv = srv.ctl('invite', 'create', '--name', 'Nia')
    assert inv['connect'] == 'ssh -t -p %d join@127.0.0.1' % srv.port
    p = srv.ctl('invite', 'create', '--name', 'Nia', json_out=False)
    assert 'ssh -t -p %d join@127.0.0.1' % srv.port in p.stderr and 'PORT' not in p.stderr
    srv.stop()
    with open(srv.config, 'a') as f:
        f.write('public_host = hearth.example.org\npublic_port = 22\n')
    srv.start()
    assert srv.ctl('invite', 'create', '--name', 'Nia')['connect'] == \
        'ssh -t join@hearth.example.org'
    bad = os.path.join(harness.tmpdir(), 'bad.conf')
    with open(bad, 'w') as f:
        f.write('public_port = 0\n')
    p = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--data', srv.data,
                        '--listen', '127.0.0.1:%d' % harness.free_port(),
                        '--config', bad] + harness.ALLOW_ROOT,
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and 'bad.conf:1' in p.stderr + p.stdout, p


def test_admin_community_list_flags_no_manager():
    srv = Server()
    keys = people(srv, 'mia', ('ada', 'admin'))
    community(srv, 'led', manager='mia')
    community(srv, 'orphan')
    s = srv.session(keys['ada'])
    cs = {c['slug']: c for c in ok(s.call('admin.community.list'))['communities']}
    assert cs['led']['managers'] == ['mia'] and cs['led']['no_manager'] is False
    assert cs['orphan']['managers'] == [] and cs['orphan']['no_manager'] is True
    s.close()
    s = srv.session(keys['mia'])
    err(s.call('admin.community.list'), 'forbidden')
    err(s.call('admin.coc.set', body='mine'), 'forbidden')
    err(s.call('admin.member.reinstate', handle='ada'), 'forbidden')
    s.close()


def test_room_say_after_a_new_coc_answers_coc_required():
    srv = Server()
    keys = people(srv, 'lea')
    community(srv, 'cop', members=[('lea', 'leader')])
    s = srv.session(keys['lea'])
    rid = ok(s.call('room.open', community='cop', title='Drop-in',
                    record='off'))['room']['room_id']
    ok(s.call('room.say', room_id=rid, text='hello'))
    srv.ctl('coc', 'set', coc_file(NEW_COC))
    err(s.call('room.say', room_id=rid, text='after the change'), 'coc_required',
        'code of conduct')
    ok(s.call('member.accept_coc'))
    ok(s.call('room.say', room_id=rid, text='accepted now'))
    s.close()


def test_coc_and_reinstate_refuse_bad_input_and_staff():
    srv = Server()
    keys = people(srv, ('ada', 'admin'), ('stella', 'staff'))
    a = srv.session(keys['ada'])
    err(a.call('admin.coc.set', body='Be kind\x1b[2J'), 'bad_request', 'args.body')
    err(a.call('admin.coc.set', body='\n\t '), 'bad_request', 'args.body')
    err(a.call('admin.coc.set', body='x' * 32001), 'bad_request')
    err(a.call('admin.member.reinstate', handle='stella', reason='ok\x07'), 'bad_request')
    assert ok(a.call('coc.get'))['version'] == 0
    a.close()
    st = srv.session(keys['stella'])
    for op, args in (('admin.coc.set', {'body': 'Mine'}),
                     ('admin.member.reinstate', {'handle': 'ada'}),
                     ('admin.community.list', {}), ('admin.audit', {})):
        err(st.call(op, **args), 'forbidden', 'Only platform admins')
    assert ok(st.call('coc.get'))['version'] == 0
    st.close()
    # hearthctl coc set - reads standard input
    p = subprocess.run([os.path.join(harness.BUILD, 'hearthctl'), '--data', srv.data,
                        'coc', 'set', '-'], input='From stdin\n', capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and 'version 1 saved' in p.stdout, p
    assert srv.ctl('coc', 'show')['text'] == 'From stdin\n'
