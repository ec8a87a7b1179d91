#!/bin/sh
# run-teardown.sh: the mass-disconnect benchmark of docs/performance.md.
# Sets up hearthd as run-loadgen.sh does, holds N sessions with
# hearth-loadgen, reads hearthd's loop lag, kills hearth-loadgen (SIGKILL:
# every session drops at once), waits for hearthd to count none, and reads
# the loop lag again with the "loop was late" lines hearthd logged since.
# With --term it stops hearthd with SIGTERM instead, the sessions reading
# (hearth-loadgen --goodbye closes each as the server closes it), and prints
# how many got the goodbye, how long hearthd took to exit and its status.
# Traffic goes to 127.0.0.1 only; every step has a time limit.
#
#   tests/bench/run-teardown.sh [--term] [N]
#   (BUILD: the meson build directory; NICE: hearthd's nice value)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
TERM_MODE=
if [ "${1:-}" = --term ]; then
	TERM_MODE=1
	shift
fi
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

lag() {
	"$BUILD/hearthctl" --data "$TMP/data" status | grep 'loop lag'
}

# NICE=-10: run hearthd at that priority (root), to tell its own turns from
# a machine shared with other work
if [ -n "${NICE:-}" ]; then
	renice -n "$NICE" -p "$HEARTHD_PID" >/dev/null || fail "renice failed"
fi
GOODBYE=
if [ -n "$TERM_MODE" ]; then
	GOODBYE=--goodbye
	# an older tree's hearth-loadgen has no --goodbye: use this tree's
	if ! grep -q goodbye "$LOADGEN"; then
		ninja -C "$ROOT/build" tests/bench/hearth-loadgen >/dev/null ||
		    fail "cannot build $ROOT/build's hearth-loadgen"
		LOADGEN=$ROOT/build/tests/bench/hearth-loadgen
	fi
fi
"$LOADGEN" --host 127.0.0.1 --port "$PORT" --key "$TMP/bench_key" \
    --user bench --sessions "$N" --concurrency 100 --hold 600 $GOODBYE \
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
if [ -n "$TERM_MODE" ]; then
	T0=$(date +%s.%N)
	kill -TERM "$HEARTHD_PID"
	i=0
	while kill -0 "$HEARTHD_PID" 2>/dev/null; do
		[ $i -lt 600 ] || fail "hearthd still running 60 s after SIGTERM"
		sleep 0.02
		i=$((i + 1))
	done
	T1=$(date +%s.%N)
	RC=0
	wait "$HEARTHD_PID" || RC=$?
	HEARTHD_PID=
	i=0
	while kill -0 "$LOADGEN_PID" 2>/dev/null; do
		[ $i -lt 300 ] || kill -KILL "$LOADGEN_PID" 2>/dev/null || true
		sleep 0.1
		i=$((i + 1))
	done
	wait "$LOADGEN_PID" 2>/dev/null || true
	LOADGEN_PID=
	echo "SIGTERM: hearthd exited with status $RC after" \
	    "$(echo "$T1 - $T0" | bc) s"
	grep '^goodbye:' "$TMP/loadgen.out" | sed 's/^/  hearth-loadgen /' ||
	    echo "  hearth-loadgen printed no goodbye line"
	grep -E 'still open after|second signal' "$TMP/hearthd.log" |
	    sed 's/^/  /' || true
	echo "ticks over 50 ms late since SIGTERM (hearthd's log):"
	grep 'loop was' "$TMP/hearthd.log" | tail -n "+$((LATE + 1))" |
	    sed 's/^/  /'
	echo "  (end)"
	# KEEP_LOG=FILE: keep hearthd's log and hearth-loadgen's output
	if [ -n "${KEEP_LOG:-}" ]; then
		cat "$TMP/hearthd.log" "$TMP/loadgen.out" >"$KEEP_LOG"
	fi
	exit 0
fi
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
