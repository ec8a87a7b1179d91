#!/bin/sh
# run-loadgen.sh: the SSH session benchmark of docs/performance.md. Builds,
# starts a fresh hearthd on a free 127.0.0.1 port with a temporary data
# directory and a bench config (caps on unauthenticated connections raised),
# makes a member "bench" with a new ed25519 key through invite.redeem, runs
# hearth-loadgen against it, then stops hearthd with SIGTERM and removes
# everything. Traffic goes to 127.0.0.1 only; every step has a time limit.
#
#   tests/bench/run-loadgen.sh [N [hearth-loadgen options...]]
#   e.g. tests/bench/run-loadgen.sh 1000 --concurrency 50 --hold 5
#
# BUILD (default: build) names the meson build directory.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-1000}
[ $# -gt 0 ] && shift
HEARTHD_PID=
TMP=

# Stop hearthd (SIGTERM, then SIGKILL after 20 s) and remove the temp dir.
cleanup() {
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
	echo "run-loadgen: $*" >&2
	if [ -n "$TMP" ] && [ -f "$TMP/hearthd.log" ]; then
		echo "--- hearthd log (tail) ---" >&2
		tail -n 20 "$TMP/hearthd.log" >&2
	fi
	exit 1
}

case $N in
''|*[!0-9]*) fail "N must be a number, not '$N'" ;;
esac

if ! out=$(ninja -C "$BUILD" 2>&1); then
	printf '%s\n' "$out" | tail -n 30 >&2
	fail "the build failed (ninja -C $BUILD)"
fi
LOADGEN=$BUILD/tests/bench/hearth-loadgen
[ -x "$LOADGEN" ] || fail "$LOADGEN was not built"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
PORT=$(python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/bench.conf" <<EOF
# hearth-loadgen: many handshakes from one address at once
max_unauth = 2000
max_unauth_per_ip = 2000
login_grace = 60
EOF
# builds with max_startups (early drop, per-range caps): raise those too
if grep -q max_startups "$BUILD/hearthd"; then
	printf 'max_startups = 2000\nmax_unauth_per_range = 2000\n' \
	    >>"$TMP/bench.conf"
fi

ALLOW_ROOT=
[ "$(id -u)" = 0 ] && ALLOW_ROOT=--allow-root	# hearthd refuses root otherwise
"$BUILD/hearthd" --data "$TMP/data" --listen "127.0.0.1:$PORT" $ALLOW_ROOT \
    --config "$TMP/bench.conf" >"$TMP/hearthd.out" 2>"$TMP/hearthd.log" &
HEARTHD_PID=$!
i=0
until grep -q '^  Stop:' "$TMP/hearthd.out" 2>/dev/null; do
	kill -0 "$HEARTHD_PID" 2>/dev/null || fail "hearthd did not start"
	[ $i -lt 200 ] || fail "hearthd did not become ready in 20 s"
	sleep 0.1
	i=$((i + 1))
done

ssh-keygen -q -t ed25519 -N '' -C bench -f "$TMP/bench_key" ||
    fail "ssh-keygen failed"
CODE=$("$BUILD/hearthctl" --data "$TMP/data" --json invite create \
    --name bench | python3 -c 'import json, sys
print(json.load(sys.stdin)["code"])') || fail "hearthctl invite create failed"
# Redeem as user "join", sending the request only after the hello line
# (hearthd may drop input that arrives together with the subsystem request).
timeout 30 python3 - "$PORT" "$TMP/bench_key" "$CODE" <<'EOF' ||
import json, subprocess, sys
port, key, code = sys.argv[1:]
ssh = subprocess.Popen(['ssh', '-F', '/dev/null', '-p', port,
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
    '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10',
    '-i', key, '-l', 'join', '-s', '127.0.0.1', 'hearth'],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
try:
    hello = json.loads(ssh.stdout.readline())
    assert hello.get('event') == 'hello', hello
    req = {'id': 1, 'op': 'invite.redeem', 'args': {'code': code,
           'handle': 'bench', 'display_name': 'Bench'}}
    ssh.stdin.write(json.dumps(req).encode() + b'\n')
    ssh.stdin.flush()
    reply = json.loads(ssh.stdout.readline())
    assert reply.get('ok') is True, reply
finally:
    ssh.stdin.close()
    ssh.wait(timeout=10)
EOF
    fail "redeeming the invite failed"

echo "hearthd pid $HEARTHD_PID on 127.0.0.1:$PORT (open-file limit" \
    "$(awk '/^Max open files/ { print $4 }' "/proc/$HEARTHD_PID/limits"))"
set +e
timeout 1200 "$LOADGEN" --host 127.0.0.1 --port "$PORT" \
    --key "$TMP/bench_key" --user bench --sessions "$N" \
    --pid "$HEARTHD_PID" "$@"
RC=$?
set -e

echo
"$BUILD/hearthctl" --data "$TMP/data" status || true
WARNS=$(grep -c -E ' (WARN|ERROR) ' "$TMP/hearthd.log" || true)
echo "hearthd log: $(wc -l <"$TMP/hearthd.log") lines, $WARNS warnings" \
    "or errors"
grep -E ' (WARN|ERROR) ' "$TMP/hearthd.log" | sed 's/^/  /' | head -n 10

kill -TERM "$HEARTHD_PID"
i=0
while kill -0 "$HEARTHD_PID" 2>/dev/null; do
	[ $i -lt 200 ] || fail "hearthd did not stop within 20 s of SIGTERM"
	sleep 0.1
	i=$((i + 1))
done
wait "$HEARTHD_PID" && STOP=0 || STOP=$?
HEARTHD_PID=
[ "$STOP" -eq 0 ] || fail "hearthd exited $STOP after SIGTERM"
[ "$RC" -eq 0 ] || fail "hearth-loadgen exited $RC"
