#!/bin/sh
# run-teardown.sh: the mass-disconnect benchmark of docs/performance.md.
# Sets up hearthd as run-loadgen.sh does, holds N sessions with
# hearth-loadgen, reads hearthd's loop lag, kills hearth-loadgen (SIGKILL:
# every session drops at once), waits for hearthd to count none, and reads
# the loop lag again with the "loop was late" lines hearthd logged since.
# Traffic goes to 127.0.0.1 only; every step has a time limit.
#
#   tests/bench/run-teardown.sh [N]      (BUILD: the meson build directory)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-5000}
HEARTHD_PID=
LOADGEN_PID=
TMP=

cleanup() {
	[ -n "$LOADGEN_PID" ] && kill -KILL "$LOADGEN_PID" 2>/dev/null || true
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
	echo "run-teardown: $*" >&2
	exit 1
}

ninja -C "$BUILD" >/dev/null || fail "the build failed"
LOADGEN=$BUILD/tests/bench/hearth-loadgen
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


# Sessions hearthd holds now.
held() {
	"$BUILD/hearthctl" --data "$TMP/data" --json status | python3 -c \
	    'import json, sys; print(json.load(sys.stdin)["ssh_sessions"])'
}
lag() {
	"$BUILD/hearthctl" --data "$TMP/data" status | grep 'loop lag'
}

"$LOADGEN" --host 127.0.0.1 --port "$PORT" --key "$TMP/bench_key" \
    --user bench --sessions "$N" --concurrency 100 --hold 600 \
    >"$TMP/loadgen.out" 2>&1 &
LOADGEN_PID=$!
i=0
until [ "$(held)" -ge "$N" ]; do
	kill -0 "$LOADGEN_PID" 2>/dev/null || fail "hearth-loadgen ended early"
	[ $i -lt 3000 ] || fail "$N sessions not open in 300 s"
	sleep 0.1
	i=$((i + 1))
done
sleep 2
echo "$N sessions held; $(lag)"
LATE=$(grep -c 'loop was' "$TMP/hearthd.log" || true)
kill -KILL "$LOADGEN_PID"
wait "$LOADGEN_PID" 2>/dev/null || true
LOADGEN_PID=
i=0
until [ "$(held)" -eq 0 ]; do
	[ $i -lt 600 ] || fail "sessions not gone 60 s after the drop"
	sleep 0.1
	i=$((i + 1))
done
sleep 1
echo "all dropped;  $(lag)"
echo "ticks over 50 ms late since the drop (hearthd's log):"
grep 'loop was' "$TMP/hearthd.log" | tail -n "+$((LATE + 1))" |
    sed 's/^/  /'
echo "  (end)"
