"""A Markdown document opened from the library shows its [[doc:ID]] links
by the linked document's title, as posts do (TUI and line mode)."""
import os

from fixtures import ok
from harness import tmpdir
from test_library import setup, sftp, write


def two_documents(srv, keys):
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
         write(os.path.join(d, 'plan.md'), b'# Plan\n\nReading list.\n'))
    pat = srv.session(keys['pat'], 'pat')
    doc = ok(pat.call('library.list', community='students'))['documents'][0]['id']
    ok(pat.call('library.update', id=doc, title='Spring syllabus'))
    pat.close()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/notes.md\n' %
         write(os.path.join(d, 'notes.md'), b'# Notes\n\nWombat: see '
               b'[[doc:%d]] first.\n' % doc))


def test_tui_library_document_shows_link_titles():
    from fixtures import tui, join
    srv, keys = setup()
    join(srv, 'students', 'sam')
    two_documents(srv, keys)
    t = tui(srv, keys['sam'], 'sam', width=100, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('wombat', 'Enter')
        t.wait_for('notes.md')
        t.keys('Enter')
        t.wait_for('Wombat: see [Spring syllabus] first.')
        assert '[document ' not in t.screen()
    finally:
        t.kill()


def test_line_mode_library_document_shows_link_titles():
    from harness import Tmux
    from fixtures import join
    srv, keys = setup()
    join(srv, 'students', 'sam')
    two_documents(srv, keys)
    cmd = srv.ssh_base(keys['sam'], 'sam') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('3', 'Enter')
        t.wait_for('Search for (Enter alone: back):')
        t.keys('wombat', 'Enter')
        t.wait_for('1. Document "notes.md" (/students/notes.md) in the library of')
        t.keys('1', 'Enter')
        t.wait_for('Wombat: see [Spring syllabus] first.')
        assert '[document ' not in t.screen()
    finally:
        t.kill()


def restored_by_console(srv, keys):
    d = tmpdir()
    for body in (b'# Plan\n\nFirst.\n', b'# Plan\n\nSecond.\n'):
        sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
             write(os.path.join(d, 'plan.md'), body))
    pat = srv.session(keys['pat'], 'pat')
    doc = ok(pat.call('library.list', community='students'))['documents'][0]['id']
    pat.close()
    srv.ctl('library', 'restore', str(doc), '1', json_out=False)
    return doc


def test_a_version_the_console_restored_is_by_hearth():
    from harness import Tmux
    from fixtures import tui
    srv, keys = setup()
    restored_by_console(srv, keys)
    cmd = srv.ssh_base(keys['pat'], 'pat') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('STUDENTS')
        t.keys('1', 'Enter')
        t.wait_for('l library')
        t.keys('l', 'Enter')
        t.wait_for('1. plan.md')
        t.keys('1', 'Enter')
        t.wait_for('version 3: ', 'B by Hearth, ')
        assert 'by ,' not in t.screen()
    finally:
        t.kill()
    t = tui(srv, keys['ola'], 'ola', width=100, height=30)
    try:
        t.wait_for('STUDENTS', timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('plan', 'Enter')
        t.wait_for('plan.md')
        t.keys('Enter')
        t.wait_for('First.')
        t.keys('q')
        t.wait_for('library: /students')
        t.keys('i')
        t.wait_for('3: 15 B by Hearth, ')
        assert 'by ,' not in t.screen()
    finally:
        t.kill()


def test_line_mode_library_speaks_its_times():
    import re
    from harness import Tmux
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/plan.md\n' %
         write(os.path.join(d, 'plan.md'), b'# Plan\n\nFirst.\n'))
    cmd = srv.ssh_base(keys['pat'], 'pat') + ['-tt', '127.0.0.1']
    t = Tmux('TERM=dumb ' + ' '.join(cmd), 100, 40)
    iso = re.compile(r'\d{4}-\d\d-\d\d(T\d\d:\d\d)?')
    try:
        t.wait_for('Main menu', timeout=15)
        t.keys('1', 'Enter')
        t.wait_for('STUDENTS')
        t.keys('1', 'Enter')
        t.wait_for('l library')
        t.keys('l', 'Enter')
        screen = t.wait_for('1. plan.md')
        line = [x for x in screen.split('\n') if '1. plan.md' in x][0]
        assert re.search(r'\(\d+ B, pat, \w+day \d+ \w+, \d+(:\d\d)? [ap]m \w+, '
                         r'1 version\)', line), line
        assert not iso.search(line), line
        t.keys('1', 'Enter')
        screen = t.wait_for('version 1: ')
        line = [x for x in screen.split('\n') if 'version 1: ' in x][0]
        assert re.search(r'B by pat, \w+day \d+ \w+, ', line), line
        assert not iso.search(line), line
    finally:
        t.kill()
