#!/bin/sh
# run-roombench.sh: the rooms benchmark of docs/performance.md. Builds,
# makes M member keys and adds the members (code of conduct accepted, all in
# one community "roombench", the first 32 its leaders) straight into a new
# data directory's database with sqlite3, then for each mode starts a fresh
# hearthd on a free 127.0.0.1 port with a bench config (caps on
# unauthenticated connections raised, stall_timeout = 5), runs
# hearth-roombench against it, prints hearthd's "not reading" log lines and
# warnings, stops hearthd with SIGTERM (checking it exits 0), and at the end
# removes everything. Traffic goes to 127.0.0.1 only; every step has a time
# limit.
#
#   tests/bench/run-roombench.sh [MODE [hearth-roombench run options...]]
#
# MODE (default all):
#   latency     1,000 members in one room, 10 msg/s from 10 senders, 20 s
#   transcript  the same with record "transcript" (a database write each)
#   throughput  1,000 members in one room at 50 msg/s from 15 senders, 15 s
#   rooms       10 rooms of 100 members, 60 msg/s each (600 in all), 15 s
#   slow        latency for 60 s, plus 2 members who stop reading 2 s in
#               (texts padded to 4,000 bytes, so their 1.28 MB SSH window
#               and socket buffers fill in about half a minute)
#   all         each of the above in turn
# Options after MODE go to hearth-roombench run (e.g. --duration 30
# --members 500); see hearth-roombench --help. BUILD (default: build) names
# the meson build directory; M (default 1000) the members made.
# WRITE_THREADS=N sets hearthd's write_threads (0: every write on the loop
# thread); CLIENT_NICE=N runs the load generator under nice -n N.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
M=${M:-1000}
MODE=${1:-all}
[ $# -gt 0 ] && shift
HEARTHD_PID=
TMP=

# Stop hearthd if it runs (SIGTERM, SIGKILL after 20 s); "check" fails if
# it did not exit 0.
stop_hearthd() {
	[ -n "$HEARTHD_PID" ] || return 0
	if kill -0 "$HEARTHD_PID" 2>/dev/null; then
		kill -TERM "$HEARTHD_PID" 2>/dev/null || true
		i=0
		while kill -0 "$HEARTHD_PID" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$HEARTHD_PID" 2>/dev/null || true
	fi
	wait "$HEARTHD_PID" && STOP=0 || STOP=$?
	HEARTHD_PID=
	if [ "${1:-}" = check ] && [ "$STOP" -ne 0 ]; then
		fail "hearthd exited $STOP after SIGTERM"
	fi
	return 0
}

cleanup() {
	stop_hearthd
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "run-roombench: $*" >&2
	if [ -n "$TMP" ] && [ -f "$TMP/hearthd.log" ]; then
		echo "--- hearthd log (tail) ---" >&2
		tail -n 20 "$TMP/hearthd.log" >&2
	fi
	exit 1
}

case $MODE in
latency|transcript|throughput|rooms|slow|all) ;;
*) fail "unknown mode '$MODE' (latency, transcript, throughput, rooms," \
    "slow or all)" ;;
esac

if ! out=$(timeout 600 ninja -C "$BUILD" 2>&1); then
	printf '%s\n' "$out" | tail -n 30 >&2
	fail "the build failed (ninja -C $BUILD)"
fi
BENCH=$BUILD/tests/bench/hearth-roombench
[ -x "$BENCH" ] || fail "$BENCH was not built"
command -v sqlite3 >/dev/null || fail "sqlite3 (the command) is needed"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hearth-roombench.XXXXXX")
cat >"$TMP/bench.conf" <<EOF
# hearth-roombench: many handshakes from one address, slow readers
max_unauth = 2000
max_unauth_per_ip = 2000
login_grace = 60
stall_timeout = 5
EOF
# builds with max_startups (early drop, per-range caps): raise those too
if grep -q max_startups "$BUILD/hearthd"; then
	printf 'max_startups = 2000\nmax_unauth_per_range = 2000\n' \
	    >>"$TMP/bench.conf"
fi
[ -n "${WRITE_THREADS:-}" ] &&
    echo "write_threads = $WRITE_THREADS" >>"$TMP/bench.conf"

# Members, keys and the community, before hearthd first starts.
t0=$(date +%s.%N)
timeout 60 "$BENCH" keys --count "$M" --out "$TMP" ||
    fail "making $M keys failed"
timeout 60 "$BUILD/hearthctl" --data "$TMP/data" init >/dev/null ||
    fail "hearthctl init failed"
timeout 60 sqlite3 "$TMP/data/hearth.db" <"$TMP/members.sql" ||
    fail "adding the members failed"
echo "run-roombench: $M members with keys in" \
    "$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"

# Start a fresh hearthd on a free port (sets PORT and HEARTHD_PID).
start_hearthd() {
	PORT=$(python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	ALLOW_ROOT=
	[ "$(id -u)" = 0 ] && ALLOW_ROOT=--allow-root	# hearthd refuses root otherwise
	"$BUILD/hearthd" --data "$TMP/data" --listen "127.0.0.1:$PORT" $ALLOW_ROOT \
	    --config "$TMP/bench.conf" >"$TMP/hearthd.out" \
	    2>"$TMP/hearthd.log" &
	HEARTHD_PID=$!
	i=0
	until grep -q '^  Stop:' "$TMP/hearthd.out" 2>/dev/null; do
		kill -0 "$HEARTHD_PID" 2>/dev/null ||
		    fail "hearthd did not start"
		[ $i -lt 200 ] || fail "hearthd did not become ready in 20 s"
		sleep 0.1
		i=$((i + 1))
	done
}

# Wait (up to 60 s) until the machine has been at least 90 % idle for 2 s,
# so other work disturbs the figures less; say so if it never was.
wait_idle() {
	i=0
	while [ $i -lt 30 ]; do
		idle=$(awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9;
		    print b, $5 }' /proc/stat)
		sleep 2
		pct=$(awk -v a="$idle" '/^cpu / { split(a, x, " ");
		    b = $2 + $3 + $4 + $7 + $8 + $9 - x[1]; d = $5 - x[2];
		    printf "%d", 100 * d / (b + d) }' /proc/stat)
		[ "$pct" -ge 90 ] && return 0
		i=$((i + 1))
	done
	echo "run-roombench: the machine stayed busy (idle $pct %)"
}

# Run one mode against a fresh hearthd: run_mode LABEL [options...].
RC=0
run_mode() {
	label=$1
	shift
	wait_idle
	start_hearthd
	echo
	echo "=== $label: hearthd pid $HEARTHD_PID on 127.0.0.1:$PORT," \
	    "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
	set +e
	timeout 900 $CLIENT_NICE "$BENCH" run --port "$PORT" --keys "$TMP/keys.pem" \
	    --data "$TMP/data" --pid "$HEARTHD_PID" --members "$M" \
	    --label "$label" "$@"
	rc=$?
	set -e
	[ $rc -eq 0 ] || RC=$rc
	n=$(grep -c 'client not reading' "$TMP/hearthd.log" || true)
	echo "  hearthd log: $(wc -l <"$TMP/hearthd.log") lines;" \
	    "$n 'client not reading'"
	grep -E 'not reading|closing: client not' "$TMP/hearthd.log" |
	    head -n 6 | sed 's/^/    /'
	grep -E ' (WARN|ERROR) ' "$TMP/hearthd.log" |
	    grep -v 'not reading' | head -n 5 | sed 's/^/    /'
	stop_hearthd check
	rm -f "$TMP/hearthd.log" "$TMP/hearthd.out"
}

# CLIENT_NICE=N runs the load generator under nice -n N, standing in for
# members on other machines: hearthd then gets the CPU it would have alone.
CLIENT_NICE=${CLIENT_NICE:+nice -n $CLIENT_NICE}

want() { [ "$MODE" = all ] || [ "$MODE" = "$1" ]; }

want latency && run_mode latency --rooms 1 --rate 10 --senders 10 \
    --duration 20 "$@"
want transcript && run_mode transcript --rooms 1 --rate 10 --senders 10 \
    --duration 20 --record transcript "$@"
want throughput && run_mode throughput --rooms 1 --rate 50 --senders 15 \
    --duration 15 "$@"
want rooms && run_mode rooms --rooms 10 --rate 60 --senders 15 \
    --duration 15 "$@"
want slow && run_mode slow --rooms 1 --rate 10 --senders 10 \
    --duration 60 --slow 2 --slow-after 2 --pad 4000 "$@"
[ "$RC" -eq 0 ] || fail "hearth-roombench exited $RC (lost, out of order" \
    "or dropped members; see above)"
