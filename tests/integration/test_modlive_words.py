"""What the moderation and survey screens say, in English and with the
right counts: the flash after writing to a reported post's author, the
Reports tab's keys (M mutes too), a scale's mean "of 1 answer", and the
survey composer whose examples sit above the cursor, as it says. A real
hearthd, real ssh, tmux for screens."""
from fixtures import ok, tui, wait_db
from test_moderation import world


def test_tui_reports_tab_keys_and_contact_flash():
    srv, keys, tid, pid = world()
    b = srv.session(keys['bob'])
    ok(b.call('post.report', post_id=pid, reason='Rude about colleagues'))
    b.close()
    t = tui(srv, keys['lead'], 'lead')          # 80 columns: the keys fit
    try:
        t.wait_for('Careers', timeout=15)
        t.keys('Enter')
        t.wait_for('7 Reports (1)')
        t.keys('7')
        s = t.wait_for('1 open report.', 'Rude about colleagues')
        assert 'H:hide  x:dismiss  c:write to author  M:mute author  Enter:open the thread' \
            in s, s
        t.keys('c')
        t.wait_for("Write to the post's author", 'Message')
        t.keys('Please keep it kind', 'Tab', 'Space', 'Enter')
        s = t.wait_for("Message sent to the post's author; the reporter is told, "
                       'without names.')
        assert 'Report contacted' not in s
    finally:
        t.kill()
    assert srv.query('SELECT outcome FROM post_reports WHERE post_id = ?', pid) == \
        [('contacted',)]
