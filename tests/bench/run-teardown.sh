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

. "$(dirname "$0")/bench-hearthd.sh"


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
