"""An ok survives power loss: the writer connection syncs every (group)
commit, synchronous = FULL, unless the administrator chose NORMAL;
admin.status says which the connection really uses."""
from fixtures import ok
from harness import Server
from test_console_ops import Console


def test_synchronous_full_by_default():
    for config, want in (({}, 'FULL'), ({'synchronous': 'NORMAL'}, 'NORMAL')):
        srv = Server(config)
        con = Console(srv)
        assert ok(con.call('admin.status'))['synchronous'] == want
        con.close()
        srv.stop()
