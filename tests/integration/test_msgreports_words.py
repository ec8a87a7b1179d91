"""The TUI's word after staff write to a reported message's author."""
from fixtures import tui, wait_until
from test_msgreports import world


def test_tui_writing_to_the_author_says_so():
    srv, keys, mid = world()
    t = tui(srv, keys['sue'], 'sue', width=120)
    try:
        t.wait_for('A:admin', timeout=15)
        t.keys('A')
        t.wait_for('M:reported messages')
        t.keys('M')
        t.wait_for('reported by @bob: Insulting me')
        t.keys('c')
        t.wait_for("Write to the message's author")
        t.keys('-l', 'Please be kind.')
        t.keys('Tab', 'Space', 'C-s')
        t.wait_for('The author has been written to; the reporter is told')
        assert 'Report contacted' not in t.screen()
    finally:
        t.kill()
    wait_until(lambda: srv.query("SELECT count(*) FROM message_reports")[0][0] == 0, 10,
               'the report answered')
