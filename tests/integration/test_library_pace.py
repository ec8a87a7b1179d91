"""The library's transfers share `library_rate_mb` (pace.c): with a small
budget, sftp and classic scp uploads and downloads take the time the rate
says, two at once share it, every byte arrives, and a client that leaves
while it waits for the budget leaves no document and stops nothing."""
import os
import subprocess
import threading
import time

from fixtures import wait_until
from harness import tmpdir
from test_library import blob, docs, remote, setup, sftp, sftp_cmd, sha, write
from test_scp_legacy import scp_o

RATE_MB = 2  # MB/s


def test_sftp_both_ways_at_the_rate_byte_for_byte():
    srv, keys = setup(library_rate_mb=RATE_MB)
    d = tmpdir()
    data = blob(5 * 1000 * 1000, seed=7)
    src = write(os.path.join(d, 'talk.mp3'), data)
    t = time.monotonic()
    sftp(srv, keys['pat'], 'pat', 'put %s /students/talk.mp3\n' % src)
    up = time.monotonic() - t
    back = os.path.join(d, 'back.mp3')
    t = time.monotonic()
    sftp(srv, keys['pat'], 'pat', 'get /students/talk.mp3 %s\n' % back)
    down = time.monotonic() - t
    assert sha(back) == sha(src)
    assert docs(srv, 'students') == [('talk.mp3', 1)]
    # 5 MB at 2 MB/s, less the bucket's first 256 KiB: 2.4 s at least
    assert up >= 2.2 and down >= 2.2, (up, down)


def test_two_uploads_at_once_share_the_budget():
    srv, keys = setup(library_rate_mb=RATE_MB)
    d = tmpdir()
    srcs = {h: write(os.path.join(d, '%s.bin' % h), blob(3 * 1000 * 1000, seed=i))
            for i, h in enumerate(('pat', 'ola'))}
    errs = []

    def put(h):
        try:
            sftp(srv, keys[h], h, 'put %s /students/%s.bin\n' % (srcs[h], h))
        except AssertionError as e:
            errs.append(e)

    t = time.monotonic()
    ths = [threading.Thread(target=put, args=(h,)) for h in srcs]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    both = time.monotonic() - t
    assert not errs, errs
    assert docs(srv, 'students') == [('ola.bin', 1), ('pat.bin', 1)]
    # 6 MB together at 2 MB/s: each alone would take half of it
    assert both >= 2.6, both
    for h, src in srcs.items():
        back = os.path.join(d, 'back-%s' % h)
        sftp(srv, keys['pat'], 'pat', 'get /students/%s.bin %s\n' % (h, back))
        assert sha(back) == sha(src)


def test_classic_scp_is_paced_too():
    srv, keys = setup(library_rate_mb=RATE_MB)
    d = tmpdir()
    src = write(os.path.join(d, 'slides.pdf'), blob(3 * 1000 * 1000, seed=3))
    t = time.monotonic()
    scp_o(srv, keys['pat'], 'pat', src, remote('pat', '/students/'))
    up = time.monotonic() - t
    back = os.path.join(d, 'back.pdf')
    t = time.monotonic()
    scp_o(srv, keys['pat'], 'pat', remote('pat', '/students/slides.pdf'), back)
    down = time.monotonic() - t
    assert sha(back) == sha(src)
    assert up >= 1.2 and down >= 1.2, (up, down)


def test_a_client_gone_while_paced_leaves_nothing_and_stops_nothing():
    srv, keys = setup(library_rate_mb=1)
    d = tmpdir()
    src = write(os.path.join(d, 'big.bin'), blob(6 * 1000 * 1000, seed=5))
    batch = os.path.join(d, 'batch')
    with open(batch, 'w') as f:
        f.write('put %s /students/big.bin\n' % src)
    p = subprocess.Popen(['sftp'] + sftp_cmd(srv, keys['pat'], 'pat') +
                         ['-b', batch, 'pat@127.0.0.1'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # under way: a chunk (256 KiB) stored, the rest of the 6 MB paced
    # at 1 MB/s for seconds to come
    wait_until(lambda: srv.query('SELECT count(*) FROM library_chunks')[0][0] > 0,
               timeout=20)
    assert p.poll() is None
    p.kill()
    p.wait()
    # the next transfer goes on, and the half upload never shows
    small = write(os.path.join(d, 'small.txt'), b'still here\n')
    sftp(srv, keys['ola'], 'ola', 'put %s /students/small.txt\n' % small)
    assert docs(srv, 'students') == [('small.txt', 1)]
    assert srv.proc.poll() is None
