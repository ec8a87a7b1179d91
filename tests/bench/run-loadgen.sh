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
# BUILD (default: build) names the meson build directory. HELD=M first
# holds M idle sessions with a second hearth-loadgen, so the figures are
# for handshakes made while M are held; hearthd needs a descriptor for each
# of the M + N sessions, so M + N stays under its open-file limit.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-1000}
[ $# -gt 0 ] && shift
HEARTHD_PID=
HOLDER_PID=
TMP=

# Stop hearthd (SIGTERM, then SIGKILL after 20 s) and remove the temp dir.
cleanup() {
	[ -n "$HOLDER_PID" ] && kill -KILL "$HOLDER_PID" 2>/dev/null || true
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

. "$(dirname "$0")/bench-hearthd.sh"

echo "hearthd pid $HEARTHD_PID on 127.0.0.1:$PORT (open-file limit" \
    "$(awk '/^Max open files/ { print $4 }' "/proc/$HEARTHD_PID/limits"))"
HELD=${HELD:-0}
case $HELD in
''|*[!0-9]*) fail "HELD must be a number, not '$HELD'" ;;
esac
if [ "$HELD" -gt 0 ]; then
	"$LOADGEN" --host 127.0.0.1 --port "$PORT" --key "$TMP/bench_key" \
	    --user bench --sessions "$HELD" --concurrency 100 --hold 3600 \
	    >"$TMP/holder.out" 2>&1 &
	HOLDER_PID=$!
	i=0
	until [ "$(held)" -ge "$HELD" ]; do
		kill -0 "$HOLDER_PID" 2>/dev/null ||
		    fail "the holding hearth-loadgen ended early"
		[ $i -lt 6000 ] || fail "$HELD sessions not open in 600 s"
		sleep 0.1
		i=$((i + 1))
	done
	sleep 2
	echo "$HELD sessions held by a second hearth-loadgen (pid $HOLDER_PID)"
fi
set +e
timeout 1200 "$LOADGEN" --host 127.0.0.1 --port "$PORT" \
    --key "$TMP/bench_key" --user bench --sessions "$N" \
    --pid "$HEARTHD_PID" "$@"
RC=$?
set -e

echo
"$BUILD/hearthctl" --data "$TMP/data" status || true
if [ -n "$HOLDER_PID" ]; then
	kill -KILL "$HOLDER_PID" 2>/dev/null || true
	wait "$HOLDER_PID" 2>/dev/null || true
	HOLDER_PID=
fi
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
