"""How hearthd asks the kernel to schedule its threads (server/prio.c):
the loop and the write helpers ask for a short time slice (so a room
line's burst of sends starts at once); the library's writer thread stays
at the loop's nice value (the loop may wait for the gate it holds) with
the kernel's own slice; pool workers run five nice steps down;
`thread_hints` is off by default and then leaves the slices alone. Read
back from the kernel with sched_getattr(2) on each thread (the slices only on Linux 6.12 and
later, which honours them)."""
import ctypes
import os
import platform
import struct

from harness import Server

SYS_SCHED_GETATTR = {'x86_64': 315, 'aarch64': 275}.get(platform.machine())
SLICE_NS = 200000


def sched(tid):
    """(nice, requested slice in ns) of one thread."""
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(48)
    rc = libc.syscall(SYS_SCHED_GETATTR, tid, buf, 48, 0)
    assert rc == 0, os.strerror(ctypes.get_errno())
    size, policy, flags, nice, prio, runtime = struct.unpack_from('<IIQiIQ', buf.raw)
    return nice, runtime


def threads(pid):
    """{name: [(tid, nice, slice), ...]} of a process's threads."""
    out = {}
    for tid in sorted(int(t) for t in os.listdir('/proc/%d/task' % pid)):
        with open('/proc/%d/task/%d/comm' % (pid, tid)) as f:
            name = f.read().strip()
        out.setdefault(name, []).append((tid,) + sched(tid))
    return out


def named_threads(pid, names):
    """threads() once every named thread has started and named itself
    (each sets its priority first, then its name)."""
    import time
    deadline = time.time() + 10
    while True:
        t = threads(pid)
        if all(n in t for n in names) or time.time() > deadline:
            return t
        time.sleep(0.02)


def kernel_has_custom_slices():
    major, minor = (int(x) for x in platform.release().split('.')[:2])
    return (major, minor) >= (6, 12)


def test_loop_and_helpers_short_slice_pool_below():
    assert SYS_SCHED_GETATTR is not None, 'no sched_getattr number for this CPU'
    srv = Server({'write_threads': 2, 'thread_hints': 'on'})
    try:
        pid = srv.proc.pid
        base = os.getpriority(os.PRIO_PROCESS, pid)
        # a pool worker names itself at its first job (the checkpoint's tick)
        t = named_threads(pid, ('hearthd-write', 'hearthd-library', 'hearthd-walsync',
                                'hearthd-pool'))
        loop = [x for x in t['hearthd'] if x[0] == pid][0]
        assert loop[1] == base
        assert t['hearthd-pool'][0][1] == min(base + 5, 19), t
        assert len(t['hearthd-write']) == 2, t
        assert [x[1] for x in t['hearthd-write']] == [base, base]
        assert [x[1] for x in t['hearthd-library']] == [base], t
        assert t['hearthd-walsync'][0][1] == base, t
        if kernel_has_custom_slices():
            assert loop[2] == SLICE_NS, t
            assert [x[2] for x in t['hearthd-write']] == [SLICE_NS] * 2, t
            # bulk and background threads keep the kernel's own slice
            assert t['hearthd-library'][0][2] != SLICE_NS, t
            assert t['hearthd-walsync'][0][2] != SLICE_NS, t
            # pool workers start from the loop's attributes: reset
            assert all(x[2] != SLICE_NS for x in t['hearthd-pool']), t
    finally:
        srv.stop()


def test_thread_hints_off_by_default_leaves_the_kernel_defaults():
    srv = Server({'write_threads': 1})  # off by default
    try:
        pid = srv.proc.pid
        base = os.getpriority(os.PRIO_PROCESS, pid)
        t = named_threads(pid, ('hearthd-write', 'hearthd-library', 'hearthd-walsync'))
        loop = [x for x in t['hearthd'] if x[0] == pid][0]
        assert t['hearthd-library'][0][1] == base, t
        if kernel_has_custom_slices():
            assert loop[2] != SLICE_NS and t['hearthd-write'][0][2] != SLICE_NS, t
    finally:
        srv.stop()


def test_thread_hints_bad_value_is_refused():
    import subprocess
    import tempfile
    from harness import ALLOW_ROOT, BUILD
    d = tempfile.mkdtemp(prefix='hearth-hints-')
    conf = os.path.join(d, 'hearthd.conf')
    with open(conf, 'w') as f:
        f.write('thread_hints = sometimes\n')
    p = subprocess.run([os.path.join(BUILD, 'hearthd'), '--data', d + '/data', '--config',
                        conf] + ALLOW_ROOT, capture_output=True, text=True, timeout=20)
    assert p.returncode == 2, p
    assert 'thread_hints' in p.stderr, p.stderr
