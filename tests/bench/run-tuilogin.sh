#!/bin/sh
# run-tuilogin.sh: what a terminal login (`ssh -tt`) costs hearthd, for
# docs/performance.md ("Terminal logins: spawner"). Starts a fresh hearthd
# as run-loadgen.sh does, optionally holds HELD idle subsystem sessions
# open with hearth-loadgen, then logs in LOGINS times in turn with the
# OpenSSH client (each waits for the TUI's first screen, then leaves) and
# reports hearthd's CPU per login (every thread, from schedstat), the
# spawner's, and hearthd's descriptors per open terminal member (OPEN
# logins held at once). Traffic goes to 127.0.0.1 only.
#
#   tests/bench/run-tuilogin.sh [HELD [LOGINS [OPEN]]]
#   e.g. tests/bench/run-tuilogin.sh 10000 50 10
#
# BUILD (default: build) names the meson build directory (another build,
# say of main, gives the baseline).
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
HELD=${1:-0}
LOGINS=${2:-50}
OPEN=${3:-10}
N=$HELD
HEARTHD_PID=
LOADGEN_PID=
TMP=

cleanup() {
	if [ -n "$LOADGEN_PID" ]; then
		kill -TERM "$LOADGEN_PID" 2>/dev/null || true
		wait "$LOADGEN_PID" 2>/dev/null || true
	fi
	if [ -n "$HEARTHD_PID" ] && kill -0 "$HEARTHD_PID" 2>/dev/null; then
		kill -TERM "$HEARTHD_PID" 2>/dev/null || true
		i=0
		while kill -0 "$HEARTHD_PID" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$HEARTHD_PID" 2>/dev/null || true
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "run-tuilogin: $*" >&2
	if [ -n "$TMP" ] && [ -f "$TMP/hearthd.log" ]; then
		echo "--- hearthd log (tail) ---" >&2
		tail -n 20 "$TMP/hearthd.log" >&2
	fi
	exit 1
}

. "$(dirname "$0")/bench-hearthd.sh"

BASE=$(ls "/proc/$HEARTHD_PID/fd" | wc -l)
if [ "$HELD" -gt 0 ]; then
	"$LOADGEN" --host 127.0.0.1 --port "$PORT" --key "$TMP/bench_key" \
	    --user bench --sessions "$HELD" --concurrency 100 --hold 3600 \
	    >"$TMP/loadgen.out" 2>&1 &
	LOADGEN_PID=$!
fi

timeout 1200 python3 - "$PORT" "$TMP/bench_key" "$HEARTHD_PID" "$HELD" \
    "$LOGINS" "$OPEN" "$TMP/hearthd.log" "$BASE" <<'PY' || fail "the logins failed"
import os, re, select, subprocess, sys, time
port, key, pid, held, logins, nopen, logpath, base = sys.argv[1:]
pid, held, logins, nopen, base = map(int, (pid, held, logins, nopen, base))

def fds(p):
    return len(os.listdir('/proc/%d/fd' % p))

def cpu_ns(p):
    """Time on CPU of every thread of p, in ns."""
    t = 0
    for tid in os.listdir('/proc/%d/task' % p):
        try:
            t += int(open('/proc/%d/task/%s/schedstat' % (p, tid)).read().split()[0])
        except OSError:
            pass
    return t

def spawner():
    m = re.findall(r'spawner pid (\d+) starts', open(logpath).read())
    return int(m[-1]) if m else None

deadline = time.time() + 600
while held and fds(pid) < base + held - 1:
    if time.time() > deadline:
        sys.exit('the %d sessions did not open in time (%d fds)' % (held, fds(pid)))
    time.sleep(0.5)
time.sleep(2)       # the loadgen's handshakes are all done
ssh = ['ssh', '-F', '/dev/null', '-p', str(port), '-o', 'StrictHostKeyChecking=no',
       '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes',
       '-o', 'IdentityAgent=none', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
       '-i', key, '-l', 'bench', '-tt', '127.0.0.1']

def login():
    p = subprocess.Popen(ssh, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, TERM='xterm'))
    seen, end = b'', time.time() + 30
    while b'conduct' not in seen and b'Enter:open' not in seen:
        if time.time() > end or p.poll() is not None:
            sys.exit('no screen: %r' % seen[-200:])
        r, _, _ = select.select([p.stdout], [], [], 1)
        if r:
            seen += os.read(p.stdout.fileno(), 65536)
    return p

def leave(p):
    p.kill()
    p.wait()

held_fds = fds(pid)
for _ in range(3):           # warm up
    leave(login())
time.sleep(1)
sp = spawner()
c0, s0, t0 = cpu_ns(pid), cpu_ns(sp) if sp else 0, time.time()
for _ in range(logins):
    leave(login())
    time.sleep(0.2)     # under the member's request rate (50 a second)
while fds(pid) > held_fds:   # every session has been torn down
    time.sleep(0.05)
c1, s1, t1 = cpu_ns(pid), cpu_ns(sp) if sp else 0, time.time()
ps = [login() for _ in range(nopen)]
time.sleep(1)
during = fds(pid)
for p in ps:
    leave(p)
print('held %d subsystem sessions; %d terminal logins in %.1f s' % (held, logins, t1 - t0))
print('hearthd CPU per terminal login: %.2f ms' % ((c1 - c0) / logins / 1e6))
if sp:
    print('spawner CPU per terminal login: %.2f ms' % ((s1 - s0) / logins / 1e6))
print('hearthd descriptors per open terminal member: %.2f (%d open: %d -> %d)' %
      ((during - held_fds) / nopen, nopen, held_fds, during))
PY
