"""A full disk answers `unavailable` ("the server's disk is full; nothing
was saved"), never `internal`, and the server goes on: once there is room
again the next write succeeds, and nothing of the refused one was kept.

The disk fills honestly: the running hearthd gets a file size limit
(RLIMIT_FSIZE, set from outside with prlimit) a little above its files'
present sizes, so its writes past that point fail as on a full disk
(EFBIG, which SQLite reports as SQLITE_FULL or an I/O error). hearthd
ignores SIGXFSZ, which would otherwise kill it."""
import os
import resource

from fixtures import community, err, ok
from harness import Server

BODY = 'x' * 50000


def sizes(srv):
    names = [os.path.join(srv.data, n) for n in ('hearth.db', 'hearth.db-wal')]
    return [os.path.getsize(p) for p in names + [srv.logpath] if os.path.exists(p)]


def test_disk_full_is_unavailable():
    srv = Server({'rate_write': 'off'})
    community(srv, 'cop', policy='open')
    s = srv.session(srv.new_member('ann'), 'ann')
    ok(s.call('member.accept_coc'))
    ok(s.call('community.join', slug='cop'))
    tid = ok(s.call('thread.create', slug='cop', title='Full', body='first'))['thread_id']
    limit = max(sizes(srv)) + 256 * 1024
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    refused = None
    for i in range(200):
        r = s.call('post.create', thread_id=tid, body='%d %s' % (i, BODY))
        assert r is not None and srv.alive(), 'hearthd died: ' + srv.log_tail()
        if not r['ok']:
            refused = i
            break
    assert refused is not None, 'the limit never bit'
    msg = err(r, 'unavailable')
    assert msg == "the server's disk is full; nothing was saved", msg
    # more of the same while the disk stays full: refused the same way
    err(s.call('post.create', thread_id=tid, body='again ' + BODY), 'unavailable')
    # room again: writes work, and the refused posts were not kept
    resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE,
                     (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    ok(s.call('post.create', thread_id=tid, body='after'))
    assert srv.query("SELECT count(*) FROM posts WHERE body LIKE ? OR body LIKE 'again %'",
                     '%d %%' % refused) == [(0,)]
    assert srv.query("SELECT count(*) FROM posts WHERE body = 'after'") == [(1,)]
