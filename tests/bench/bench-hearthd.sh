# bench-hearthd.sh: sourced by run-loadgen.sh and run-teardown.sh (which
# set BUILD, N and TMP= and define fail and their own cleanup first).
# Checks N, builds, starts a fresh hearthd on a free 127.0.0.1 port with a
# temporary data directory and a bench config (caps on connections before
# login raised), and makes a member "bench" with a new ed25519 key through
# invite.redeem. Sets LOADGEN, TMP, PORT and HEARTHD_PID, and defines held
# (the sessions hearthd holds now).
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
# builds with per-member caps: the one bench member holds every session
if grep -q max_sessions_per_member "$BUILD/hearthd"; then
	printf 'max_sessions_per_member = 0\n' >>"$TMP/bench.conf"
fi

# BENCH_CONF: more settings lines, e.g. BENCH_CONF='write_threads = 0'
[ -n "${BENCH_CONF:-}" ] && printf '%s\n' "$BENCH_CONF" >>"$TMP/bench.conf"

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
