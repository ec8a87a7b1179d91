"""The server offers no compression: zlib@openssh.com costs memory per
session and adds attack surface, so even a client that asks for it gets
none."""
import subprocess

from harness import Server


def test_client_asking_for_compression_gets_none():
    srv = Server()
    key = srv.new_member('cora')
    cmd = srv.ssh_base(key, 'cora')
    i = cmd.index('LogLevel=ERROR')
    del cmd[i - 1:i + 1]  # -v must not be silenced
    p = subprocess.run(cmd + ['-v', '-o', 'Compression=yes', '-s', '127.0.0.1',
                              'hearth'],
                       input=b'{"id": 1, "op": "whoami"}\n', capture_output=True,
                       timeout=30)
    err = p.stderr.decode(errors='replace')
    kex = [line for line in err.splitlines() if 'compression:' in line]
    assert b'"ok"' in p.stdout, err
    assert len(kex) == 2, err
    assert all(line.endswith('compression: none') for line in kex), kex
