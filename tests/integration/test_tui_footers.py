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
        t.wait_for('Platform library: /platform', 'code.md', 'D:download')
        f = footer(t)
        assert 'U/D' not in f and 'B:bin' not in f and 'V:restore' not in f, f
        t.keys('U')
        t.wait_for("Only the platform's staff publish in the platform library.")
    finally:
        t.kill()
    t = tui(srv, keys['helen'], 'helen', width=120, height=30)
    try:
        t.wait_for("The platform's library (L)", timeout=15)
        t.keys('L')
        t.wait_for('code.md', 'U/D:up/download')
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
