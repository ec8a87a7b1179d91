"""The platform's own library (issue 16): /platform beside the communities,
published by staff (the console, admins, staff) and read by every member,
through OpenSSH's sftp and scp, the library.* ops with community
"platform", search, [[doc:ID]] links, hearthctl, the TUI (L on Home) and
the line mode; and migration 029 on a database with 027/028 data."""
import glob
import hashlib
import os
import sqlite3

from fixtures import community, err, ok, people
from harness import Server, tmpdir
from test_library import blob, docs, remote, scp, sftp, sha, write


def setup():
    srv = Server()
    keys = people(srv, ('boss', 'admin'), ('helen', 'staff'), 'pat', 'sam')
    community(srv, 'students', visibility='platform',
              members=[('pat', 'manager')])
    community(srv, 'secret', visibility='private', members=[('pat', 'member')])
    return srv, keys


def platform_docs(srv):
    return srv.query("SELECT d.name, count(v.id) FROM library_documents d "
                     "LEFT JOIN library_versions v ON v.document_id = d.id "
                     "WHERE d.community_id IS NULL AND d.deleted_at IS NULL "
                     "GROUP BY d.id ORDER BY d.name")


def test_staff_publish_over_sftp_members_fetch_with_scp():
    srv, keys = setup()
    d = tmpdir()
    data = blob(2 * 256 * 1024 + 999, seed=7)
    src = write(os.path.join(d, 'handbook.pdf'), data)
    # staff make a folder and upload into it
    sftp(srv, keys['helen'], 'helen',
         'mkdir /platform/guides\nput %s /platform/guides/handbook.pdf\n' % src)
    assert platform_docs(srv) == [('handbook.pdf', 1)]
    assert srv.query('SELECT community_id FROM library_folders') == [(None,)]
    # an admin uploads a second version (sftp) and another with scp
    sftp(srv, keys['boss'], 'boss', 'put %s /platform/guides/handbook.pdf\n'
         % src)
    assert platform_docs(srv) == [('handbook.pdf', 2)]
    scp(srv, keys['boss'], 'boss', write(os.path.join(d, 'rota.txt'), b'rota\n'),
        remote('boss', '/platform/'))
    assert platform_docs(srv) == [('handbook.pdf', 2), ('rota.txt', 1)]
    # a member of no community fetches it with scp, byte for byte
    back = os.path.join(d, 'back.pdf')
    scp(srv, keys['sam'], 'sam', remote('sam', '/platform/guides/handbook.pdf'),
        back)
    assert sha(back) == hashlib.sha256(data).hexdigest()
    # the root lists /platform beside the communities the member may read
    _, ls = sftp(srv, keys['sam'], 'sam', 'ls /\nls /platform\n')
    names = ls.split()
    assert '/platform' in names and '/students' in names
    assert 'secret' not in ls
    assert '/platform/guides' in names
    # the quota counts the platform's own (no arriving copy left behind)
    assert srv.query('SELECT count(*) FROM library_blobs WHERE sha256 IS '
                     'NULL') == [(0,)]


def test_a_member_may_read_but_not_write_the_platform_library():
    srv, keys = setup()
    d = tmpdir()
    src = write(os.path.join(d, 'notes.md'), b'# Notes\n')
    sftp(srv, keys['helen'], 'helen', 'mkdir /platform/kept\n'
         'put %s /platform/notes.md\n' % src)
    for script in ('put %s /platform/mine.md\n' % src,
                   'put %s /platform/kept/mine.md\n' % src,
                   'mkdir /platform/mine\n', 'rm /platform/notes.md\n',
                   'rmdir /platform/kept\n',
                   'rename /platform/notes.md /platform/n2.md\n'):
        rc, out = sftp(srv, keys['pat'], 'pat', script, check=False)
        assert rc != 0, script
        assert 'Permission denied' in out, (script, out)
        assert 'staff' in out, (script, out)
    rc, out = scp(srv, keys['pat'], 'pat', write(os.path.join(d, 'x.md'), b'x'),
                  remote('pat', '/platform/'), check=False)
    assert rc != 0 and 'staff' in out, out
    assert platform_docs(srv) == [('notes.md', 1)]
    assert srv.query('SELECT name FROM library_folders') == [('kept',)]
    # staff rename and remove (to the bin)
    sftp(srv, keys['helen'], 'helen',
         'rename /platform/notes.md /platform/kept/n2.md\n')
    sftp(srv, keys['boss'], 'boss', 'rm /platform/kept/n2.md\n')
    assert platform_docs(srv) == []


def test_a_private_community_stays_no_such_file_beside_the_platform():
    srv, keys = setup()
    d = tmpdir()
    src = write(os.path.join(d, 'm.txt'), b'private minutes\n')
    sftp(srv, keys['pat'], 'pat', 'put %s /secret/m.txt\n' % src)
    errs = set()
    for path in ('/secret/m.txt', '/nothere/m.txt', '/platform/m.txt'):
        rc, out = sftp(srv, keys['sam'], 'sam', 'get %s %s\n' %
                       (path, os.path.join(d, 'x')), check=False)
        assert rc != 0
        errs.add(out.replace(path, 'PATH'))
    assert len(errs) == 1, errs
    assert 'not found' in errs.pop()


def test_ops_take_platform_as_the_community():
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'mkdir /platform/a\nput %s /platform/a/p.md\n'
         'put %s /platform/a/p.md\n' % (write(os.path.join(d, 'p.md'), b'one\n'),
                                         write(os.path.join(d, 'q.md'), b'two!\n')))
    s = srv.session(keys['sam'], 'sam')
    top = ok(s.call('library.list', community='platform'))
    assert top['community'] == 'platform' and top['path'] == '/platform'
    assert [f['name'] for f in top['folders']] == ['a']
    assert top['may_upload'] is False and top['may_manage'] is False
    assert top['upload_by'] == 'staff'
    sub = ok(s.call('library.list', community='platform', path='a'))
    doc = sub['documents'][0]
    assert doc['scp'] == "scp -P %d 'sam@127.0.0.1:/platform/a/p.md' ." % srv.port
    got = ok(s.call('library.get', id=doc['id']))
    assert got['path'] == '/platform/a/p.md' and got['community'] == 'platform'
    assert ok(s.call('library.text', id=doc['id']))['text'] == 'two!\n'
    err(s.call('library.update', id=doc['id'], title='mine'), 'forbidden')
    err(s.call('library.restore', id=doc['id'], version=1), 'forbidden')
    err(s.call('library.settings', community='platform', upload='members'),
        'forbidden')
    # staff manage: a title, staff-only, a restore, the bin
    h = srv.session(keys['helen'], 'helen')
    assert ok(h.call('library.list', community='platform'))['may_manage']
    ok(h.call('library.update', id=doc['id'], title='Plan', managers_only=True))
    assert ok(s.call('library.list', community='platform', path='a'))['documents'] == []
    err(s.call('library.get', id=doc['id']), 'not_found')
    ok(h.call('library.update', id=doc['id'], managers_only=False))
    assert ok(h.call('library.restore', id=doc['id'], version=1))['version'] == 3
    assert ok(s.call('library.text', id=doc['id']))['text'] == 'one\n'
    sftp(srv, keys['helen'], 'helen', 'rm /platform/a/p.md\n')
    binned = ok(h.call('library.bin', community='platform'))['documents']
    assert [b['id'] for b in binned] == [doc['id']]
    assert ok(s.call('library.bin', community='platform'))['documents'] == []
    err(s.call('library.undelete', id=doc['id']), 'forbidden')
    ok(h.call('library.undelete', id=doc['id']))
    assert ok(s.call('library.get', id=doc['id']))['title'] == 'Plan'
    # native upload (library.upload_*) to the platform: staff only
    err(s.call('library.upload_begin', community='platform', name='x.txt'),
        'forbidden')
    up = ok(h.call('library.upload_begin', community='platform', name='x.txt'))
    assert 'upload' in up
    # hearthctl (the console is staff)
    assert srv.ctl('library', 'platform', 'a')['documents'][0]['title'] == 'Plan'
    text = srv.ctl('library', 'platform', json_out=False).stdout
    assert 'a/' in text, text
    s.close()
    h.close()


def test_guests_do_not_see_the_platform_library():
    from harness import Key
    srv = Server(config={'guest': 'true'})
    keys = people(srv, ('helen', 'staff'))
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'put %s /platform/n.md\n'
         % write(os.path.join(d, 'n.md'), b'# Note\n'))
    g = srv.session(Key('visitor'), 'guest')
    assert g.hello['data'].get('guest') is True, g.hello
    err(g.call('library.list', community='platform'), 'not_found')
    did = srv.query('SELECT id FROM library_documents')[0][0]
    err(g.call('library.get', id=did), 'not_found')
    g.close()


def test_search_finds_platform_documents_and_doc_links_name_them():
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'put %s /platform/safeguarding.md\n'
         % write(os.path.join(d, 's.md'),
                 b'# Safeguarding\n\nThe escalation ladder for volunteers.\n'))
    did = srv.query('SELECT id FROM library_documents')[0][0]
    s = srv.session(keys['sam'], 'sam')
    res = ok(s.call('search.query', q='escalation ladder', kind='documents'))
    hits = res['results']
    assert [h['document_id'] for h in hits if h['kind'] == 'document'] == [did], res
    hit = [h for h in hits if h['kind'] == 'document'][0]
    assert hit['community']['slug'] == 'platform', hit
    # within one community: not there
    res = ok(s.call('search.query', q='escalation', kind='documents',
                    community='students'))
    assert [h for h in res['results'] if h['kind'] == 'document'] == []
    # a staff-only document is found by staff only
    h = srv.session(keys['helen'], 'helen')
    ok(h.call('library.update', id=did, managers_only=True))
    res = ok(s.call('search.query', q='escalation', kind='documents'))
    assert [x for x in res['results'] if x['kind'] == 'document'] == []
    res = ok(h.call('search.query', q='escalation', kind='documents'))
    assert [x['document_id'] for x in res['results'] if x['kind'] == 'document'] == [did]
    ok(h.call('library.update', id=did, managers_only=False))
    # [[doc:ID]] in a post names it, and the post is where it is linked from
    p = srv.session(keys['pat'], 'pat')
    t = ok(p.call('thread.create', slug='students', title='Read this',
                  body='See [[doc:%d]] first.' % did))
    titles = ok(s.call('library.titles', ids=[did]))['documents']
    assert titles[str(did)]['title'] == 'safeguarding.md'
    assert titles[str(did)]['community'] == 'the platform library'
    links = ok(s.call('library.links', id=did))['posts']
    assert [x['thread_id'] for x in links] == [t['thread_id']]
    for c in (s, h, p):
        c.close()


def test_the_slug_platform_is_reserved():
    srv, keys = setup()
    a = srv.session(keys['boss'], 'boss')
    e = err(a.call('admin.community.create', slug='platform', name='Platform'),
            'conflict')
    assert 'reserved' in e and 'platform library' in e
    ok(a.call('admin.community.create', slug='platform-team', name='Team'))
    a.close()
    p = srv.ctl('community', 'create', 'platform', '--name', 'X', check=False,
                json_out=False)
    assert p.returncode != 0 and 'reserved' in p.stdout + p.stderr


SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                      'schema')


def previous_database(data):
    """A database as the previous release left it (every migration before
    this one, *_platlib.sql, applied in one transaction as db_open does;
    the harness registered hearthd's tokenizer). Returns a connection."""
    steps = sorted(glob.glob(os.path.join(SCHEMA, '[0-9][0-9][0-9]_*.sql')))
    mine = [p for p in steps if p.endswith('_platlib.sql')][0]
    steps = steps[:steps.index(mine)]
    os.makedirs(data, mode=0o700, exist_ok=True)
    con = sqlite3.connect(os.path.join(data, 'hearth.db'), isolation_level=None)
    con.execute('PRAGMA journal_mode = WAL')
    con.execute('PRAGMA foreign_keys = ON')
    script = 'BEGIN;\n'
    for path in steps:
        script += open(path).read() + '\n'
    script += 'PRAGMA user_version = %d;\nCOMMIT;\n' % int(
        os.path.basename(steps[-1])[:3])
    con.executescript(script)
    return con


def test_migration_keeps_library_data_and_renames_a_platform_community():
    data = os.path.join(tmpdir(), 'data')
    con = previous_database(data)
    x = con.execute
    x("INSERT INTO members (id, handle, display_name, created_at) VALUES "
      "(1, 'pat', 'Pat', 1)")
    for cid, slug in ((1, 'platform'), (2, 'cop')):
        x("INSERT INTO communities (id, slug, name, created_at) VALUES "
          "(?, ?, ?, 1)", (cid, slug, slug.title()))
    x("INSERT INTO library_blobs (id, sha256, size, created_at) VALUES "
      "(1, 'aa', 4, 1)")
    x("INSERT INTO library_chunks (blob_id, seq, data) VALUES (1, 0, "
      "CAST('hi!\n' AS BLOB))")
    x("INSERT INTO library_folders (id, community_id, parent_id, name, "
      "created_by, created_at) VALUES (1, 2, NULL, 'top', 1, 1), "
      "(2, 2, 1, 'sub', 1, 1)")
    x("INSERT INTO library_documents (id, community_id, folder_id, name, "
      "title, type, uploader_id, created_at, updated_at) VALUES "
      "(5, 2, 2, 'readme.txt', 'Read me', 'text/plain', 1, 1, 1), "
      "(6, 1, NULL, 'old.txt', '', 'text/plain', 1, 1, 1)")
    x("INSERT INTO library_versions (document_id, version, blob_id, size, "
      "uploader_id, created_at) VALUES (5, 1, 1, 4, 1, 1), "
      "(6, 1, 1, 4, 1, 1)")
    con.close()
    srv = Server(data=data)
    q = srv.query
    assert q("SELECT slug FROM communities ORDER BY id") == [
        ('platform-community',), ('cop',)]
    assert q("SELECT actor, action, target FROM audit WHERE action = "
             "'community.rename'") == [
        ('system', 'community.rename', 'platform-community')]
    assert q("SELECT id, community_id, parent_id, name FROM library_folders "
             "ORDER BY id") == [(1, 2, None, 'top'), (2, 2, 1, 'sub')]
    assert q("SELECT id, community_id, folder_id, name FROM library_documents "
             "ORDER BY id") == [(5, 2, 2, 'readme.txt'), (6, 1, None, 'old.txt')]
    assert q("SELECT document_id, version, blob_id FROM library_versions "
             "ORDER BY document_id") == [(5, 1, 1), (6, 1, 1)]
    assert q("PRAGMA foreign_key_check") == []
    # indexes and triggers as they were (the FTS triggers too)
    idx = {r[0] for r in q("SELECT name FROM sqlite_master WHERE type = "
                           "'index' AND name LIKE 'library_%'")}
    assert {'library_folders_name', 'library_documents_name',
            'library_documents_folder', 'library_versions_blob'} <= idx
    trg = {r[0] for r in q("SELECT name FROM sqlite_master WHERE type = "
                           "'trigger'")}
    assert {'library_documents_fts_ai', 'library_documents_fts_au',
            'library_documents_fts_ad', 'library_versions_fts_ai'} <= trg
    fks = q("SELECT \"table\", \"from\" FROM pragma_foreign_key_list("
            "'library_documents')")
    assert ('library_folders', 'folder_id') in fks
    assert ('communities', 'community_id') in fks
    assert ('library_documents', 'document_id') in q(
        "SELECT \"table\", \"from\" FROM pragma_foreign_key_list("
        "'library_versions')")
    # names stay unique per library, the platform's too
    keys = people(srv, ('helen', 'staff'))
    srv.execute("INSERT INTO community_members (community_id, member_id, "
                "role, joined_at) SELECT c, id, 'manager', 1 FROM members, "
                "(SELECT 1 AS c UNION SELECT 2) WHERE handle = 'helen'")
    h = srv.session(keys['helen'], 'helen')
    top = ok(h.call('library.list', community='cop', path='top/sub'))
    assert [d['name'] for d in top['documents']] == ['readme.txt']
    # the renamed community's library came along
    assert [d['name'] for d in ok(h.call(
        'library.list', community='platform-community'))['documents']] == ['old.txt']
    assert ok(h.call('library.list', community='platform'))['documents'] == []
    # search still finds what was indexed, and the triggers keep it current
    found = ok(h.call('search.query', q='read me', kind='documents'))['results']
    assert [r['document_id'] for r in found] == [5], found
    ok(h.call('library.update', id=5, title='Quokka guide'))
    found = ok(h.call('search.query', q='quokka', kind='documents'))['results']
    assert [r['document_id'] for r in found] == [5], found
    # the foreign keys' actions survived the rebuild
    db = sqlite3.connect(os.path.join(data, 'hearth.db'), timeout=10)
    db.execute('PRAGMA foreign_keys = ON')
    db.execute('DELETE FROM library_folders WHERE id = 1')
    db.commit()
    assert db.execute('SELECT count(*) FROM library_folders').fetchall() == [(0,)]
    assert db.execute('SELECT folder_id FROM library_documents WHERE id = 5'
                      ).fetchall() == [(None,)]
    db.close()
    h.close()


def test_tui_home_L_opens_the_platform_library():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'mkdir /platform/guides\n'
         'put %s /platform/guides/welcome.md\n'
         % write(os.path.join(d, 'w.md'), b'# Welcome\n\nThe volunteer handbook.\n'))
    t = tui(srv, keys['sam'], 'sam', width=100, height=30)
    try:
        t.wait_for("The platform's library (L)", timeout=15)
        t.keys('L')
        t.wait_for('Platform library: /platform')
        t.wait_for('guides/')
        t.keys('Enter')
        t.wait_for('welcome.md')
        t.keys('j')
        t.wait_for("scp -P %d 'sam@127.0.0.1:/platform/guides/welcome.md' ."
                   % srv.port)
        t.keys('Enter')
        t.wait_for('The volunteer handbook.')
        t.keys('q')
        t.wait_for('welcome.md')
        t.keys('u')
        t.wait_for('guides/')
        # a member is not offered the upload line
        assert 'To upload a file here' not in t.screen()
    finally:
        t.kill()
    # staff see where to upload
    t = tui(srv, keys['helen'], 'helen', width=100, height=30)
    try:
        t.wait_for("The platform's library (L)", timeout=15)
        t.keys('L')
        t.wait_for('guides/')
        t.wait_for("scp -P %d FILE 'helen@127.0.0.1:/platform/'" % srv.port)
    finally:
        t.kill()


def test_plain_main_menu_17_opens_the_platform_library():
    from harness import Tmux
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'put %s /platform/rules.md\n'
         % write(os.path.join(d, 'r.md'), b'# Rules\n\nBe kind to each other.\n'))
    cmd = srv.ssh_base(keys['sam'], 'sam') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.wait_for("16. The platform's library")
        t.keys('16', 'Enter')
        t.wait_for('Library /platform')
        t.wait_for('1. rules.md')
        t.keys('1', 'Enter')
        t.wait_for("scp -P %d 'sam@127.0.0.1:/platform/rules.md' ." % srv.port)
        t.wait_for('Be kind to each other.')
        assert 'To upload a file here' not in t.screen()
    finally:
        t.kill()


def test_pipelined_staff_uploads_and_a_member_in_one_write():
    """In one write each: staff make a folder and upload the same name
    twice into it (two versions, in order); a member's mkdir and upload
    pipelined are both refused, and nothing of theirs is kept."""
    import struct
    from test_library import (CLOSE, DENIED, MKDIR, OK, OPEN, WRITE,
                              WRITE_CREAT_TRUNC, Raw, pkt, s)
    srv, keys = setup()
    r = Raw(srv, keys['helen'], 'helen')
    r.write(pkt(MKDIR, struct.pack('>I', 1) + s('/platform/new') +
                struct.pack('>I', 0)) +
            pkt(OPEN, struct.pack('>I', 2) + s('/platform/new/a.txt') +
                struct.pack('>II', WRITE_CREAT_TRUNC, 0)) +
            pkt(OPEN, struct.pack('>I', 3) + s('/platform/new/a.txt') +
                struct.pack('>II', WRITE_CREAT_TRUNC, 0)))
    assert r.status()[:2] == (1, OK)
    handles = []
    for want in (2, 3):
        t, body = r.recv()
        assert t == 102 and struct.unpack('>I', body[:4])[0] == want
        handles.append(body[4:])
    r.write(b''.join(
        pkt(WRITE, struct.pack('>I', 10 + i) + h + struct.pack('>Q', 0) +
            s('version %d' % (i + 1))) + pkt(CLOSE, struct.pack('>I', 20 + i) + h)
        for i, h in enumerate(handles)))
    for want in (10, 20, 11, 21):
        assert r.status()[:2] == (want, OK)
    r.close()
    assert platform_docs(srv) == [('a.txt', 2)]
    assert srv.query("SELECT v.version, CAST(c.data AS TEXT) FROM library_versions v "
                     "JOIN library_chunks c ON c.blob_id = v.blob_id ORDER BY "
                     "v.version") == [(1, 'version 1'), (2, 'version 2')]
    m = Raw(srv, keys['sam'], 'sam')
    m.write(pkt(MKDIR, struct.pack('>I', 1) + s('/platform/mine') +
                struct.pack('>I', 0)) +
            pkt(OPEN, struct.pack('>I', 2) + s('/platform/new/b.txt') +
                struct.pack('>II', WRITE_CREAT_TRUNC, 0)))
    rid, code, msg = m.status()
    assert (rid, code) == (1, DENIED) and 'staff' in msg, msg
    rid, code, msg = m.status()
    assert (rid, code) == (2, DENIED) and 'staff' in msg, msg
    m.close()
    assert platform_docs(srv) == [('a.txt', 2)]
    assert srv.query("SELECT name FROM library_folders") == [('new',)]
    assert srv.query("SELECT count(*) FROM library_blobs WHERE sha256 IS NULL") == [(0,)]


def test_tui_a_doc_link_to_a_platform_document_shows_and_opens_it():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'put %s /platform/code.md\n' %
         write(os.path.join(d, 'code.md'), b'# Code\n\nWe listen first: wombat.\n'))
    h = srv.session(keys['helen'], 'helen')
    doc = ok(h.call('library.list', community='platform'))['documents'][0]['id']
    ok(h.call('library.update', id=doc, title='Volunteer code'))
    h.close()
    p = srv.session(keys['pat'], 'pat')
    ok(p.call('thread.create', slug='students', title='Quokka induction',
              body='Read [[doc:%d]] before you start.' % doc))
    p.close()
    t = tui(srv, keys['pat'], 'pat', width=100, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('quokka', 'Enter')
        t.wait_for('1 found')
        t.keys('Enter')
        t.wait_for('Read [Volunteer code] before you start.')
        t.keys('O')
        t.wait_for('We listen first: wombat.')
        t.keys('q')
        t.wait_for('library: /platform')
    finally:
        t.kill()
