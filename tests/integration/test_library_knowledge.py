"""The library's knowledge (issue 16): documents found by search.query
(titles, descriptions, tags, the text of plain-text and Markdown documents),
permission-aware like threads, and opened from the search screens."""
import os

from fixtures import ok, err, wait_until
from harness import tmpdir
from test_library import setup, sftp, write


def kinds(res):
    return [(r['kind'], r['title']) for r in res['results']]


def test_search_finds_documents_as_their_readers_may_see_them():
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat',
         'put %s /students/plan.md\nput %s /students/data.pdf\n'
         'put %s /secret/minutes.txt\n' % (
             write(os.path.join(d, 'plan.md'), b'# Plan\n\nWe read Freire '
                   b'and the pedagogy of hope.\n'),
             write(os.path.join(d, 'data.pdf'), b'%PDF-1.4 zebracorn\n'),
             write(os.path.join(d, 'minutes.txt'), b'Secret zebracorn '
                   b'meeting about Freire.\n')))
    sam = srv.session(keys['sam'], 'sam')   # platform member, not in secret
    pat = srv.session(keys['pat'], 'pat')   # member of both
    ola = srv.session(keys['ola'], 'ola')   # manager of students
    # the text of a Markdown document, as its file name titles it
    res = ok(sam.call('search.query', q='pedagogy', kind='documents'))
    assert kinds(res) == [('document', 'plan.md')], res
    r = res['results'][0]
    assert r['community']['slug'] == 'students' and r['author']['handle'] == 'pat'
    assert r['path'] == '/students/plan.md', r
    assert '[pedagogy]' in r['snippet'] or 'pedagogy' in r['snippet'], r
    doc_id = r['document_id']
    assert ok(sam.call('library.get', id=doc_id))['name'] == 'plan.md'
    # a private community's document never reaches a non-member
    assert kinds(ok(sam.call('search.query', q='freire', kind='documents'))) == \
        [('document', 'plan.md')]
    got = kinds(ok(pat.call('search.query', q='freire', kind='documents')))
    assert sorted(got) == [('document', 'minutes.txt'), ('document', 'plan.md')]
    # the bytes of other types are not read; their names and titles are
    assert ok(sam.call('search.query', q='zebracorn', kind='documents'))['results'] == []
    # title, description and tags, kept current as they change
    ok(pat.call('library.update', id=doc_id, title='Term plan',
                description='Readings for spring', tags='syllabus'))
    for q in ('term plan', 'spring', 'syllabus'):
        assert kinds(ok(sam.call('search.query', q=q))) == \
            [('document', 'Term plan')], q
    assert ok(sam.call('search.query', q='pedagogy'))['results'][0]['title'] == 'Term plan'
    # managers-only: to the community's managers only
    ok(ola.call('library.update', id=doc_id, managers_only=True))
    assert ok(sam.call('search.query', q='syllabus'))['results'] == []
    assert ok(pat.call('search.query', q='syllabus'))['results'] == []
    assert kinds(ok(ola.call('search.query', q='syllabus'))) == [('document', 'Term plan')]
    ok(ola.call('library.update', id=doc_id, managers_only=False))
    # a new version is what is searched; a deleted document is gone
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
         write(os.path.join(d, 'plan2.md'), b'Now about hooks and bell.\n'))
    assert ok(sam.call('search.query', q='pedagogy', kind='documents'))['results'] == []
    assert kinds(ok(sam.call('search.query', q='bell', kind='documents'))) == \
        [('document', 'Term plan')]
    sftp(srv, keys['pat'], 'pat', 'rm /students/plan.md\n')
    assert ok(sam.call('search.query', q='bell', kind='documents'))['results'] == []
    # within one community; a bad kind is said
    assert ok(pat.call('search.query', q='freire', kind='documents',
                       community='secret'))['results'][0]['title'] == 'minutes.txt'
    e = err(pat.call('search.query', q='x', kind='files'), 'bad_request')
    for s_ in (sam, pat, ola):
        s_.close()


def test_a_found_document_opens_in_the_library_tui_and_line_mode():
    from fixtures import tui, join
    from harness import Tmux
    srv, keys = setup()
    join(srv, 'students', 'sam')
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'mkdir /students/term1\n'
         'put %s /students/term1/plan.md\n' % write(
             os.path.join(d, 'plan.md'), b'# Plan\n\nReading list: Freire '
             b'and the pedagogy of hope.\n\n' + b'More words here. ' * 20 +
             b'\n\nClosing words: zanzibar.\n'))
    t = tui(srv, keys['sam'], 'sam', width=100, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('pedagogy', 'Enter')
        t.wait_for('1 found')
        t.wait_for('plan.md')
        t.keys('Enter')
        # the document, shown as the library shows it (its name is the
        # title bar's: the search's snippet holds the same words)
        t.wait_for('Hearth plan.md', 'Reading list: Freire')
        t.keys('q')
        # beneath it: its folder in the library, it selected
        t.wait_for('library: /students/term1')
        t.wait_for("scp -P %d 'sam@127.0.0.1:/students/term1/plan.md' ." % srv.port)
    finally:
        t.kill()
    cmd = srv.ssh_base(keys['sam'], 'sam') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('3', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('pedagogy', 'Enter')
        t.wait_for('1. Document "plan.md" (/students/term1/plan.md) in the library of')
        t.keys('1', 'Enter')
        t.wait_for("scp -P %d 'sam@127.0.0.1:/students/term1/plan.md' ." % srv.port)
        t.wait_for('Closing words: zanzibar')
    finally:
        t.kill()


def test_leaders_and_managers_keep_threads_and_posts_with_a_note():
    from fixtures import join
    srv, keys = setup()
    join(srv, 'students', 'sam', 'leader')
    pat = srv.session(keys['pat'], 'pat')
    sam = srv.session(keys['sam'], 'sam')
    ola = srv.session(keys['ola'], 'ola')
    tid = ok(pat.call('thread.create', slug='students', title='Event notes: '
                      'spring fair', body='What we learnt at the fair.'))['thread_id']
    pid = ok(pat.call('post.create', thread_id=tid, body='A case study: the '
                      'reading circle that doubled.'))['post_id']
    stid = ok(pat.call('thread.create', slug='secret', title='Hidden plans',
                       body='x'))['thread_id']
    # a member may not keep; a leader and a manager may
    err(pat.call('library.keep', thread_id=tid, note='mine'), 'forbidden')
    k1 = ok(sam.call('library.keep', thread_id=tid, note='How the fair went'))['id']
    k2 = ok(ola.call('library.keep', post_id=pid, note='Best practice'))['id']
    # both or neither named; another community's thread is not there
    err(ola.call('library.keep', thread_id=tid, post_id=pid), 'bad_request')
    err(ola.call('library.keep'), 'bad_request')
    err(ola.call('library.keep', thread_id=stid), 'not_found')
    err(ola.call('library.keep', post_id=999999), 'not_found')
    # kept again: one item, the new note
    assert ok(sam.call('library.keep', thread_id=tid, note='The fair, kept'))['id'] == k1
    got = ok(pat.call('library.kept', community='students'))
    assert not got['may_keep']
    items = {k['id']: k for k in got['kept']}
    assert set(items) == {k1, k2}
    assert (items[k1]['title'], items[k1]['note'], items[k1]['kept_by'],
            'post_id' in items[k1]) == ('Event notes: spring fair', 'The fair, kept',
                                        'sam', False)
    assert items[k2]['post_id'] == pid and items[k2]['thread_id'] == tid
    assert 'reading circle' in items[k2]['excerpt']
    assert items[k2]['author']['handle'] == 'pat'
    assert ok(ola.call('library.kept', community='students'))['may_keep']
    err(sam.call('library.kept', community='secret'), 'forbidden')
    # a hidden post leaves the shelf
    ok(ola.call('post.hide', post_id=pid, reason='test'))
    assert [k['id'] for k in ok(pat.call('library.kept', community='students'))['kept']] == [k1]
    # taking out: leaders and managers only
    err(pat.call('library.unkeep', id=k1), 'forbidden')
    ok(sam.call('library.unkeep', id=k1))
    err(sam.call('library.unkeep', id=k1), 'not_found')
    assert srv.query("SELECT action, target FROM audit WHERE action LIKE "
                     "'library.%keep' ORDER BY id") == [
        ('library.keep', 'students'), ('library.keep', 'students'),
        ('library.keep', 'students'), ('library.unkeep', 'students')]
    for s_ in (pat, sam, ola):
        s_.close()


def test_posts_link_documents_and_the_library_shows_where():
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\nput %s /secret/s.md\n'
         % (write(os.path.join(d, 'plan.md'), b'# Plan\n'),
            write(os.path.join(d, 's.md'), b'# S\n')))
    pat = srv.session(keys['pat'], 'pat')
    sam = srv.session(keys['sam'], 'sam')
    doc = ok(pat.call('library.list', community='students'))['documents'][0]['id']
    sdoc = ok(pat.call('library.list', community='secret'))['documents'][0]['id']
    ok(pat.call('library.update', id=doc, title='Term plan'))
    t1 = ok(pat.call('thread.create', slug='students', title='Reading',
                     body='See [[doc:%d]] for the plan.' % doc))['thread_id']
    t2 = ok(pat.call('thread.create', slug='secret', title='Private',
                     body='Also [[doc:%d]] here.' % doc))['thread_id']
    # a post that only says "doc N" does not link it
    ok(pat.call('post.create', thread_id=t1, body='doc %d is not a link' % doc))
    got = ok(sam.call('library.links', id=doc))
    assert [(p['thread_id'], p['title']) for p in got['posts']] == [(t1, 'Reading')]
    got = ok(pat.call('library.links', id=doc))
    assert sorted(p['thread_id'] for p in got['posts']) == [t1, t2]
    err(sam.call('library.links', id=sdoc), 'not_found')
    # titles for the links a screen shows; unseen ones left out
    got = ok(sam.call('library.titles', ids=[doc, sdoc, 999999]))['documents']
    assert got == {str(doc): {'title': 'Term plan', 'community': 'Students'}} or \
        list(got) == [str(doc)], got
    err(sam.call('library.titles', ids=['x']), 'bad_request')
    err(sam.call('library.titles', ids=list(range(1, 60))), 'bad_request')
    pat.close()
    sam.close()


def test_tui_links_show_titles_keep_and_the_library_shows_both():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
         write(os.path.join(d, 'plan.md'), b'# Plan\n\nReading list: Freire.\n'))
    pat = srv.session(keys['pat'], 'pat')
    doc = ok(pat.call('library.list', community='students'))['documents'][0]['id']
    ok(pat.call('library.update', id=doc, title='Spring syllabus'))
    tid = ok(pat.call('thread.create', slug='students', title='Quokka reading group',
                      body='Start with [[doc:%d]] please.' % doc))['thread_id']
    pat.close()
    t = tui(srv, keys['ola'], 'ola', width=100, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('quokka', 'Enter')
        t.wait_for('1 found')
        t.keys('Enter')
        # the link shows as the document's title
        t.wait_for('Start with [Spring syllabus] please.')
        assert '[[doc:' not in t.screen()
        # S keeps the post, with a note
        t.keys('S')
        t.wait_for('Keep in the library')
        t.keys('Down')
        t.keys('A model reading group')
        t.keys('C-s')
        t.wait_for('Kept in the library')
        assert srv.query('SELECT thread_id, post_id IS NOT NULL, note FROM library_kept') == \
            [(tid, 1, 'A model reading group')]
        # O opens the linked document in its library
        t.keys('O')
        t.wait_for('Hearth plan.md', 'Reading list: Freire.')
        t.keys('q')
        t.wait_for('library: /students')
        # the library shows the kept post; i shows where plan.md is linked from
        t.wait_for('Kept posts and threads', '* Post in Quokka reading group',
                   'A model reading group')
        t.keys('i')
        t.wait_for('Linked from', '"Quokka reading group" in STUDENTS, by Pat',
                   'To link it from a post, write [[doc:%d]].' % doc)
        t.keys('q')
        t.wait_for('Kept posts and threads')
        # Enter on the kept post opens its thread; X takes it out
        t.keys('j')
        t.wait_for('kept by ola')
        t.keys('Enter')
        t.wait_for('Start with [Spring syllabus] please.')
        t.keys('q')
        t.wait_for('Kept posts and threads')
        t.keys('X')
        t.wait_for('Taken out of the library')
        wait_until(lambda: srv.query('SELECT count(*) FROM library_kept')[0][0] == 0)
    finally:
        t.kill()


def test_line_mode_keeps_opens_links_and_lists_kept():
    from harness import Tmux
    from fixtures import join
    srv, keys = setup()
    join(srv, 'students', 'sam', 'leader')
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
         write(os.path.join(d, 'plan.md'), b'# Plan\n\nClosing words: zanzibar.\n'))
    pat = srv.session(keys['pat'], 'pat')
    doc = ok(pat.call('library.list', community='students'))['documents'][0]['id']
    ok(pat.call('library.update', id=doc, title='Spring syllabus'))
    tid = ok(pat.call('thread.create', slug='students', title='Quokka reading group',
                      body='Start with [[doc:%d]] please.' % doc))['thread_id']
    pat.close()
    cmd = srv.ssh_base(keys['sam'], 'sam') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('3', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('quokka', 'Enter')
        t.wait_for('1. Thread in "Quokka reading group"')
        t.keys('1', 'Enter')
        # the link by its title; the commands said
        t.wait_for('Start with [Spring syllabus] please.',
                   'k N keeps post N in the library, K the whole thread')
        t.keys('K', 'Enter')
        t.wait_for('A note: why it is worth keeping')
        t.keys('Our best reading group', 'Enter')
        t.wait_for('Kept in the library')
        assert srv.query('SELECT thread_id, post_id, note FROM library_kept') == \
            [(tid, None, 'Our best reading group')]
        t.keys('o 1', 'Enter')
        t.wait_for("'sam@127.0.0.1:/students/plan.md'", 'Linked from:',
                   '"Quokka reading group" in STUDENTS, by Pat',
                   'To link it from a post, write [[doc:%d]].' % doc,
                   'Closing words: zanzibar.')
    finally:
        t.kill()
    # the library lists what is kept, and opens it
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('STUDENTS')
        t.keys('1', 'Enter')
        t.wait_for('l library')
        t.keys('l', 'Enter')
        t.wait_for('1. plan.md', 'Kept posts and threads:',
                   '2. Thread "Quokka reading group", kept by sam: Our best reading group')
        t.wait_for('x N takes kept item N out of the library')
        t.keys('2', 'Enter')
        t.wait_for('Start with [Spring syllabus] please.')
        t.keys('0', 'Enter')
        t.wait_for('u up')
        t.keys('x 2', 'Enter')
        t.wait_for('Taken out of the library.')
        assert srv.query('SELECT count(*) FROM library_kept') == [(0,)]
    finally:
        t.kill()


def test_pipelined_keep_twice_unkeep_and_link_in_one_write():
    import json
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
         write(os.path.join(d, 'plan.md'), b'# Plan\n'))
    ola = srv.session(keys['ola'], 'ola')
    doc = ok(ola.call('library.list', community='students'))['documents'][0]['id']
    tid = ok(ola.call('thread.create', slug='students', title='Fair',
                      body='Notes.'))['thread_id']
    lines = [
        {'id': 201, 'op': 'library.keep', 'args': {'thread_id': tid, 'note': 'one'}},
        {'id': 202, 'op': 'library.keep', 'args': {'thread_id': tid, 'note': 'two'}},
        {'id': 203, 'op': 'library.kept', 'args': {'community': 'students'}},
        {'id': 204, 'op': 'post.create', 'args': {'thread_id': tid,
                                                  'body': 'See [[doc:%d]].' % doc}},
        {'id': 205, 'op': 'library.links', 'args': {'id': doc}},
        {'id': 206, 'op': 'search.query', 'args': {'q': 'plan', 'kind': 'documents'}},
    ]
    ola.send_raw(''.join(json.dumps(x) + '\n' for x in lines).encode())
    k1 = ok(ola.reply(201))['id']
    assert ok(ola.reply(202))['id'] == k1        # the same item, the newer note
    kept = ok(ola.reply(203))['kept']
    assert [(k['id'], k['note']) for k in kept] == [(k1, 'two')]
    pid = ok(ola.reply(204))['post_id']
    assert [p['post_id'] for p in ok(ola.reply(205))['posts']] == [pid]
    assert [r['document_id'] for r in ok(ola.reply(206))['results']] == [doc]
    # taken out and kept again in one write: out, then a new item
    lines = [{'id': 301, 'op': 'library.unkeep', 'args': {'id': k1}},
             {'id': 302, 'op': 'library.keep', 'args': {'thread_id': tid}},
             {'id': 303, 'op': 'library.kept', 'args': {'community': 'students'}}]
    ola.send_raw(''.join(json.dumps(x) + '\n' for x in lines).encode())
    ok(ola.reply(301))
    k2 = ok(ola.reply(302))['id']
    assert k2 != k1
    assert [(k['id'], k['note']) for k in ok(ola.reply(303))['kept']] == [(k2, '')]
    ola.close()


def test_tui_a_new_posts_links_show_titles_without_reopening():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\nput %s /students/later.md\n' %
         (write(os.path.join(d, 'plan.md'), b'# Plan\n'),
          write(os.path.join(d, 'later.md'), b'# Later\n')))
    pat = srv.session(keys['pat'], 'pat')
    ids = {x['name']: x['id'] for x in
           ok(pat.call('library.list', community='students'))['documents']}
    ok(pat.call('library.update', id=ids['plan.md'], title='Spring syllabus'))
    ok(pat.call('library.update', id=ids['later.md'], title='Autumn list'))
    tid = ok(pat.call('thread.create', slug='students', title='Quokka reading group',
                      body='Start with [[doc:%d]] please.' % ids['plan.md']))['thread_id']
    t = tui(srv, keys['ola'], 'ola', width=100, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('quokka', 'Enter')
        t.wait_for('1 found')
        t.keys('Enter')
        t.wait_for('Start with [Spring syllabus] please.')
        # a reply arrives linking a document this thread never linked
        ok(pat.call('post.create', thread_id=tid,
                    body='Then [[doc:%d]] in October.' % ids['later.md']))
        t.wait_for('Then [Autumn list] in October.')
    finally:
        t.kill()
        pat.close()
