"""Footers offer only the keys the reader may use, and headings read right
(TUI)."""
import os

from fixtures import ok
from harness import tmpdir
from test_library import sftp, write
from test_library_platform import setup


def footer(t):
    return t.screen().rstrip('\n').split('\n')[-1]


def test_platform_library_footer_offers_members_only_what_they_may_do():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'put %s /platform/code.md\n' %
         write(os.path.join(d, 'code.md'), b'# Code\n\nWe listen first: wombat.\n'))
    t = tui(srv, keys['sam'], 'sam', width=120, height=30)
    try:
        t.wait_for("The platform's library (L)", timeout=15)
        t.keys('L')
        t.wait_for('Platform library: /platform', 'code.md', 'R:reload')
        f = footer(t)
        assert 'U/D' not in f and 'B:bin' not in f and 'V:restore' not in f, f
        # over ssh U and D move no files (the native client's keys)
        assert 'D:download' not in f, f
        t.keys('U')
        t.wait_for("Only the platform's staff publish in the platform library.")
    finally:
        t.kill()
    t = tui(srv, keys['helen'], 'helen', width=120, height=30)
    try:
        t.wait_for("The platform's library (L)", timeout=15)
        t.keys('L')
        t.wait_for('code.md', 'V:restore')
        f = footer(t)
        assert 'V:restore' in f and 'B:bin' in f and 'e:edit' in f, f
    finally:
        t.kill()


def test_a_found_platform_document_heads_its_library_once():
    from fixtures import tui
    srv, keys = setup()
    d = tmpdir()
    sftp(srv, keys['helen'], 'helen', 'put %s /platform/code.md\n' %
         write(os.path.join(d, 'code.md'), b'# Code\n\nWe listen first: wombat.\n'))
    t = tui(srv, keys['sam'], 'sam', width=100, height=30)
    try:
        t.wait_for("The platform's library (L)", timeout=15)
        t.keys('/')
        t.wait_for('Search:')
        t.keys('wombat', 'Enter')
        t.wait_for('code.md')
        t.keys('Enter')
        t.wait_for('We listen first: wombat.')
        t.keys('q')
        t.wait_for('Platform library: /platform')
        assert 'library library' not in t.screen()
    finally:
        t.kill()


def test_thread_offers_edit_on_own_posts_and_the_reply_composer_esc():
    from fixtures import tui
    from test_tui import open_thread, seeded
    srv, key, other, tid = seeded()
    s = srv.session(key)
    ok(s.call('post.create', thread_id=tid, body='My own words, platypus.'))
    s.close()
    t = tui(srv, key, 'pat', width=120, height=40)
    try:
        open_thread(t)
        t.wait_for('platypus', 'r:reply')
        # the first post is Sam's: no e:edit
        f = footer(t)
        assert 'e:edit' not in f and 'r:reply' in f, f
        t.keys('Tab')
        wait = t.wait_for('e:edit')
        assert 'e:edit' in footer(t), wait
        # a reply has no title; q types, Esc leaves
        t.keys('r')
        t.wait_for('Ctrl-S:send', 'Esc:leave')
        f = footer(t)
        assert 'Tab:title' not in f and 'q:back' not in f, f
        t.keys('-l', 'quick quokka')
        t.wait_for('quick quokka')
        t.keys('Escape')
        t.wait_for('Draft kept')
    finally:
        t.kill()
