"""Forms and the composer as members meet them, end to end (tmux runs
`ssh -tt` against a real hearthd): long introductions and errors wrap at
80 columns, a draft that comes back keeps the cursor where the person was,
the e-mail, devices and profile screens behave as their key lines say."""
import re

from fixtures import community, ok, people, tui, wait_db, wait_until
from harness import Server


def test_form_introduction_and_composer_hint_wrap_at_80_columns():
    from test_survey_screens import town
    srv = Server()
    keys = town(srv)
    t = tui(srv, keys['mgr'], 'mgr', width=80, height=30)
    try:
        t.wait_for('Circle', timeout=15)
        t.keys('Enter')
        t.wait_for('Threads')
        t.keys('Q')
        t.wait_for('T:repeat')
        t.keys('T')
        # the whole introduction, its end included, on the screen
        screen = t.wait_for('Repeat the temperature check', 'First in')
        flat = ' '.join(screen.split())
        assert 'so the health report shows them over time.' in flat, screen
        t.keys('Escape')
        t.wait_for('T:repeat')
        t.keys('c')
        screen = t.wait_for('New survey', 'Number or band')
        # a long hint wraps too
        assert 'lurkers, regulars, engaged, ca\n' not in screen, screen
        for _ in range(5):
            t.keys('Tab')
        t.keys('-l', 'Our own survey')
        t.keys('C-s')
        screen = t.wait_for('Ctrl-S:send', 'One question a line')
        flat = ' '.join(screen.split())
        assert '| between choices:' in flat, screen
    finally:
        t.kill()
