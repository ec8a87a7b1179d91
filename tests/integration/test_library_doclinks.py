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
        t.wait_for('1. Document "notes.md" in the library of')
        t.keys('1', 'Enter')
        t.wait_for('Wombat: see [Spring syllabus] first.')
        assert '[document ' not in t.screen()
    finally:
        t.kill()
