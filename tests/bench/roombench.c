/*
 * roombench.c: hearth-roombench, the rooms benchmark of docs/performance.md.
 * Two commands:
 *
 *   keys: make N ed25519 member keys and the SQL that adds the members
 *   (code of conduct accepted), their keys and a community to a stopped
 *   hearthd's database, so a thousand members exist in a second.
 *
 *   run: open M authenticated "hearth" subsystem sessions over loopback,
 *   open R rooms (member r opens room r; members are spread round-robin),
 *   join every member to its room, then have S senders per room send a
 *   given number of messages a second, each text carrying its send time
 *   (CLOCK_MONOTONIC ns; the same machine) and a number. Every member
 *   records when each message arrives: latency = receive - send, over every
 *   (member, message) delivery sent after the warm-up; it also counts
 *   messages lost, out of order and delivered per second, reads hearthd's
 *   fan-out timing and loop lag over DATA/ctl.sock (admin.status, reset
 *   after the warm-up), and the CPU of hearthd and of itself. Optionally a
 *   few members stop reading their sockets mid-run ("slow readers"): the
 *   tool reports when the others see them leave and how everyone else's
 *   latency looked before, during and after.
 *
 * Sessions are opened by a pool of blocking worker threads (as
 * hearth-loadgen does), then handed to T event threads that own them for
 * the rest of the run: each polls its sessions with epoll and reads them
 * with ssh_channel_read_nonblocking, and sends its senders' messages on
 * time. A session is only ever touched by one thread at a time. The host
 * key is not verified: a loopback benchmark, never a client.
 *
 * It prints a readable block and, last, one JSON line. Benchmarks are run
 * by hand (tests/bench/run-roombench.sh), never by `make test`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "common.h"

#define RB_TIMEOUT_S 30 /* any one blocking SSH step or reply */
#define RB_ERRLEN 160
#define RB_HANDLE_FMT "rb%04d" /* member i is rb0001 ... */
#define RB_READ_CHUNK 65536
#define RB_SAY_ID0 1000000 /* request ids of room.say: RB_SAY_ID0 + n */
#define RB_JOIN_ID 2
#define NS 1000000000LL

enum rb_state { ST_NEW, ST_JOINING, ST_JOINED, ST_DEAD };
enum rb_phase { P_JOIN, P_RUN, P_EXIT };

/* Bytes read from a session but not yet split into lines. */
struct linebuf {
	char *data;
	size_t start, len, cap;
};

/* One member's session and what it saw. */
struct rb_sess {
	ssh_session ssh;
	ssh_channel chan;
	int fd, idx, room;
	struct linebuf in;
	enum rb_state st;
	bool slow, stopped, sender, open;
	int sender_k; /* which of its room's senders */
	long next_n; /* the next message number it sends */
	int64_t last_seq; /* server seq of the last room.message */
	long order_bad, dup, got, got_all;
	uint64_t bytes_in;
	unsigned char *seen; /* bitmap over the room's message numbers */
	double join_ms;
	int64_t join_sent_ns;
	_Atomic int64_t left_seen_ns; /* slow ones: others saw them leave */
	int64_t stopped_ns;
	char err[RB_ERRLEN];
};

/* One room: its id and the messages sent into it. */
struct rb_room {
	int64_t id;
	int members;
	long nmax; /* message numbers 0..nmax-1 */
	int64_t *sent_ns; /* 0: not sent */
	unsigned char *acked;
	_Atomic int64_t *last_ns; /* when the last member read it */
	atomic_int present; /* sessions in it, for the join pacing */
	_Atomic long rate_limited, say_errors;
};

/* A latency sample: when the message was sent, and how long it took. */
struct sample {
	int64_t sent_ns;
	float ms;
};

/* An event thread and the sessions it owns. */
struct worker {
	pthread_t tid;
	int ep;
	struct rb_sess **sess;
	int nsess, join_cursor, join_inflight;
	struct sample *samples;
	size_t nsamples, cap;
	char *chunk;
};

static const char *opt_host = "127.0.0.1";
static int opt_port = 2222;
static const char *opt_keys;
static const char *opt_data;
static const char *opt_community = "roombench";
static const char *opt_record = "off";
static const char *opt_label = "";
static int opt_members = 1000;
static int opt_rooms = 1;
static double opt_rate = 10; /* messages a second per room */
static int opt_senders = 10; /* per room */
static double opt_duration = 20, opt_warmup = 3;
static int opt_threads = 2, opt_concurrency = 50, opt_join_window = 2;
static int opt_slow;
static double opt_slow_after = 2;
static int opt_pad = 64;
static long opt_pid = -1;

static struct rb_sess *sessions;
static char *pad_text; /* --pad letters after the stamp */
static struct rb_room *rooms;
static struct worker *workers;
static char **keys_pem;
static int nkeys;
static atomic_int next_index;
static _Atomic int phase = P_JOIN;
static atomic_int joined, join_failed;
static atomic_long pres_due, pres_seen; /* presence lines while joining */
static long opt_join_lag = 2000;
static int64_t t_run, t_meas0, t_meas1, t_slow;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hearth-roombench keys --count N --out DIR "
	    "[--community SLUG] [--leaders L]\n"
	    "       hearth-roombench run --keys DIR/keys.pem [options]\n"
	    "run options (defaults in brackets):\n"
	    "  --host H --port P    where hearthd listens [127.0.0.1:2222]\n"
	    "  --data DIR           hearthd's data dir: fan-out and loop lag "
	    "from ctl.sock\n"
	    "  --pid PID            hearthd's pid: its CPU from /proc\n"
	    "  --members M          sessions, one per member key [1000]\n"
	    "  --rooms R            rooms; member i is in room i %% R [1]\n"
	    "  --rate N             messages a second in each room [10]\n"
	    "  --senders S          senders in each room (<= 5 msg/s each) "
	    "[10]\n"
	    "  --duration D         measured seconds [20]\n"
	    "  --warmup W           seconds sent before measuring [3]\n"
	    "  --pad BYTES          text length beyond the stamp [64]\n"
	    "  --record MODE        room record mode: off|transcript [off]\n"
	    "  --community SLUG     the community of the rooms [roombench]\n"
	    "  --slow K             K members of room 0 stop reading ...\n"
	    "  --slow-after S       ... S seconds into the measured time [2]\n"
	    "  --threads T          event threads [2]\n"
	    "  --concurrency C      handshakes in flight while opening [50]\n"
	    "  --join-window J      joins in flight per event thread [2]\n"
	    "  --join-lag N         presence lines the members may be behind "
	    "before\n"
	    "                       the next join is sent [2000]\n"
	    "  --label TEXT         a name for this run in the JSON line\n");
}

/* Nanoseconds on the monotonic clock. */
static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* Sleep until a monotonic time in ns. */
static void
sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / NS, .tv_nsec = t % NS };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

/* Parse a number option from min to max, or exit. */
static double
parse_num(const char *name, const char *v, double min, double max)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(v, &end);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "hearth-roombench: --%s wants a number from "
		    "%g to %g, not '%s'\n", name, min, max, v);
		exit(2);
	}
	return n;
}

/* CPU seconds (user + system) of a process; -1 if unreadable. */
static double
proc_cpu_s(long pid)
{
	char path[64], line[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	bool ok;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	if (!ok || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Seconds a process's main (loop) thread has waited for a CPU; -1 if
 * unreadable. */
static double
proc_wait_s(long pid)
{
	char path[96];
	unsigned long long run, wait;
	FILE *f;
	int n;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/schedstat", pid, pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fscanf(f, "%llu %llu", &run, &wait);
	fclose(f);
	return n == 2 ? (double)wait / 1e9 : -1;
}

/* CPU seconds this process (every thread) has used. */
static double
self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Busy CPU seconds of the whole machine since boot; -1 if unreadable. */
static double
machine_busy_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f;
	int n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 5)
		return -1;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	    (double)sysconf(_SC_CLK_TCK);
}

/* Allow as many open files as the hard limit. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Record the first error of a session. */
static void PRINTFLIKE(2, 3)
sess_fail(struct rb_sess *s, const char *fmt, ...)
{
	va_list ap;

	if (s->err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

/* ---- keys ---- */

/* Write N new ed25519 keys (DIR/keys.pem) and the SQL adding members. */
static int
cmd_keys(int count, const char *dir, const char *slug, int leaders)
{
	char path[PATH_MAX], handle[16];
	FILE *pem, *sql;
	long now = (long)time(NULL);

	snprintf(path, sizeof path, "%s/keys.pem", dir);
	if ((pem = fopen(path, "w")) == NULL) {
		fprintf(stderr, "hearth-roombench: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	snprintf(path, sizeof path, "%s/members.sql", dir);
	if ((sql = fopen(path, "w")) == NULL) {
		fprintf(stderr, "hearth-roombench: %s: %s\n", path,
		    strerror(errno));
		fclose(pem);
		return 1;
	}
	fprintf(sql, "BEGIN;\nINSERT INTO communities (slug, name, "
	    "visibility, join_policy, created_at) VALUES ('%s', 'Room "
	    "bench', 'private', 'invite', %ld);\n", slug, now);
	for (int i = 0; i < count; i++) {
		ssh_key key = NULL;
		unsigned char *hash = NULL;
		size_t hlen = 0;
		char *priv = NULL, *pub = NULL, *fp = NULL;

		if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
		    ssh_pki_export_privkey_base64(key, NULL, NULL, NULL,
		    &priv) != SSH_OK ||
		    ssh_pki_export_pubkey_base64(key, &pub) != SSH_OK ||
		    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256,
		    &hash, &hlen) != 0 ||
		    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256,
		    hash, hlen)) == NULL) {
			fprintf(stderr, "hearth-roombench: making key %d "
			    "failed\n", i);
			return 1;
		}
		snprintf(handle, sizeof handle, RB_HANDLE_FMT, i + 1);
		fputs(priv, pem);
		fprintf(sql, "INSERT INTO members (handle, display_name, "
		    "created_at, coc_accepted_at) VALUES ('%s', 'RB %d', %ld, "
		    "%ld);\n", handle, i + 1, now, now);
		fprintf(sql, "INSERT INTO keys (member_id, fingerprint, "
		    "key_type, public_key, comment, created_at) SELECT id, "
		    "'%s', 'ssh-ed25519', '%s', '%s', %ld FROM members WHERE "
		    "handle = '%s';\n", fp, pub, handle, now, handle);
		fprintf(sql, "INSERT INTO community_members (community_id, "
		    "member_id, role, joined_at) SELECT c.id, m.id, '%s', %ld "
		    "FROM communities c, members m WHERE c.slug = '%s' AND "
		    "m.handle = '%s';\n", i < leaders ? "leader" : "member",
		    now, slug, handle);
		ssh_string_free_char(fp);
		ssh_clean_pubkey_hash(&hash);
		ssh_string_free_char(pub);
		ssh_string_free_char(priv);
		ssh_key_free(key);
	}
	fprintf(sql, "COMMIT;\n");
	if (fclose(pem) != 0 || fclose(sql) != 0) {
		fprintf(stderr, "hearth-roombench: writing %s failed\n", dir);
		return 1;
	}
	return 0;
}

/* Read DIR/keys.pem into keys_pem[]; false on error. */
static bool
load_keys(const char *path)
{
	static const char end[] = "-----END OPENSSH PRIVATE KEY-----";
	char *text, *p, *e;
	size_t cap = 0, len = 0, n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return false;
	text = xmalloc(cap = 1 << 20);
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 >= cap)
			text = xrealloc(text, cap *= 2);
	}
	fclose(f);
	text[len] = '\0';
	for (p = text; (e = strstr(p, end)) != NULL; p = e) {
		e += sizeof end - 1;
		if (*e == '\n')
			e++;
		keys_pem = xrealloc(keys_pem, (size_t)(nkeys + 1) *
		    sizeof *keys_pem);
		keys_pem[nkeys] = xmalloc((size_t)(e - p) + 1);
		memcpy(keys_pem[nkeys], p, (size_t)(e - p));
		keys_pem[nkeys++][e - p] = '\0';
	}
	free(text);
	return nkeys > 0;
}

/* ---- lines ---- */

/* Append bytes, reusing the space of lines already consumed. */
static void
lb_append(struct linebuf *b, const char *p, size_t n)
{
	if (b->start > 0 && b->start == b->len)
		b->start = b->len = 0;
	if (b->len + n > b->cap) {
		if (b->start > 0) {
			memmove(b->data, b->data + b->start, b->len - b->start);
			b->len -= b->start;
			b->start = 0;
		}
		while (b->len + n > b->cap)
			b->cap = b->cap ? b->cap * 2 : 8192;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* Blocking: read one line (NUL-terminated in place); NULL on error. */
static char *
sess_read_line(struct rb_sess *s)
{
	char tmp[16384], *line, *nl;
	size_t scanned = s->in.start;
	int n;

	for (;;) {
		nl = memchr(s->in.data + scanned, '\n', s->in.len - scanned);
		if (nl != NULL)
			break;
		scanned = s->in.len;
		n = ssh_channel_read_timeout(s->chan, tmp, sizeof tmp, 0,
		    RB_TIMEOUT_S * 1000);
		if (n == SSH_ERROR || n == 0) {
			sess_fail(s, "read: %s", n == 0 ? "closed or timed "
			    "out" : ssh_get_error(s->ssh));
			return NULL;
		}
		scanned -= s->in.start;
		lb_append(&s->in, tmp, (size_t)n);
		scanned += s->in.start;
	}
	line = s->in.data + s->in.start;
	*nl = '\0';
	s->in.start = (size_t)(nl - s->in.data) + 1;
	return line;
}

/* Send a line in full; false on error. */
static bool
sess_send(struct rb_sess *s, const char *line, size_t len)
{
	if (ssh_channel_write(s->chan, line, (uint32_t)len) != (int)len) {
		sess_fail(s, "write: %s", ssh_get_error(s->ssh));
		return false;
	}
	return true;
}

/* Blocking request: send, skip events, return the reply with this id. */
static json_t *
sess_call(struct rb_sess *s, int id, const char *op, json_t *args)
{
	json_t *req = json_pack("{s:i, s:s, s:o}", "id", id, "op", op, "args",
	    args);
	char *text = json_dumps(req, JSON_COMPACT), *line;
	json_t *r;
	bool ok;

	json_decref(req);
	ok = sess_send(s, text, strlen(text)) && sess_send(s, "\n", 1);
	free(text);
	if (!ok)
		return NULL;
	for (;;) {
		if ((line = sess_read_line(s)) == NULL)
			return NULL;
		if (strncmp(line, "{\"id\":", 6) != 0 || atoi(line + 6) != id)
			continue;
		if ((r = json_loads(line, 0, NULL)) == NULL)
			sess_fail(s, "bad JSON reply to %s", op);
		return r;
	}
}

/* Connect, authenticate, start the subsystem and read the hello line. */
static bool
sess_open(struct rb_sess *s, ssh_key key)
{
	long timeout = RB_TIMEOUT_S;
	int port = opt_port, one = 1, rc;
	bool no = false;
	char *line;

	if ((s->ssh = ssh_new()) == NULL) {
		sess_fail(s, "ssh_new failed");
		return false;
	}
	if (ssh_options_set(s->ssh, SSH_OPTIONS_HOST, opt_host) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_USER, "member") < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
	    "/dev/null") < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_NODELAY, &one) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_TIMEOUT, &timeout) < 0) {
		sess_fail(s, "options: %s", ssh_get_error(s->ssh));
		return false;
	}
	if (ssh_connect(s->ssh) != SSH_OK) {
		sess_fail(s, "connect: %s", ssh_get_error(s->ssh));
		return false;
	}
	/* Loopback benchmark: the host key is deliberately not checked. */
	rc = ssh_userauth_publickey(s->ssh, NULL, key);
	if (rc != SSH_AUTH_SUCCESS) {
		sess_fail(s, "authentication: %s", rc == SSH_AUTH_DENIED ?
		    "key refused" : ssh_get_error(s->ssh));
		return false;
	}
	if ((s->chan = ssh_channel_new(s->ssh)) == NULL ||
	    ssh_channel_open_session(s->chan) != SSH_OK ||
	    ssh_channel_request_subsystem(s->chan, "hearth") != SSH_OK) {
		sess_fail(s, "channel: %s", ssh_get_error(s->ssh));
		return false;
	}
	if ((line = sess_read_line(s)) == NULL)
		return false;
	if (strstr(line, "\"event\":\"hello\"") == NULL ||
	    strstr(line, "\"member\":{") == NULL) {
		sess_fail(s, "the first line is not a member's hello");
		return false;
	}
	s->fd = ssh_get_fd(s->ssh);
	s->open = true;
	return true;
}

/* An opening thread: take session indexes and connect each. */
static void *
opener(void *arg)
{
	ssh_key key;
	int i;

	(void)arg;
	while ((i = atomic_fetch_add(&next_index, 1)) < opt_members) {
		struct rb_sess *s = &sessions[i];

		key = NULL;
		if (ssh_pki_import_privkey_base64(keys_pem[i], NULL, NULL,
		    NULL, &key) != SSH_OK)
			sess_fail(s, "key %d does not load", i);
		else if (!sess_open(s, key))
			s->st = ST_DEAD;
		ssh_key_free(key);
	}
	return NULL;
}

/* Open every session with C threads; wall seconds. */
static double
open_all(void)
{
	int n = opt_concurrency < opt_members ? opt_concurrency : opt_members;
	pthread_t *tids = xcalloc((size_t)n, sizeof *tids);
	pthread_attr_t attr;
	int64_t t0 = now_ns();
	int started = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[started], &attr, opener, NULL) == 0)
			started++;
	pthread_attr_destroy(&attr);
	if (started == 0)
		opener(NULL);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return (double)(now_ns() - t0) / NS;
}

/* ---- the event threads ---- */

/* Mark a session gone (closed by the server or failed) and stop polling
 * it. */
static void
sess_dead(struct worker *w, struct rb_sess *s, const char *why)
{
	if (s->st == ST_DEAD)
		return;
	if (s->st == ST_JOINING) {
		w->join_inflight--;
		atomic_fetch_add(&join_failed, 1);
	}
	s->st = ST_DEAD;
	sess_fail(s, "%s", why);
	if (!s->stopped)
		epoll_ctl(w->ep, EPOLL_CTL_DEL, s->fd, NULL);
}

/* Integer after `key` in a line; false if absent. */
static bool
find_int(const char *line, size_t len, const char *key, long long *out)
{
	const char *p = memmem(line, len, key, strlen(key));

	if (p == NULL)
		return false;
	*out = strtoll(p + strlen(key), NULL, 10);
	return true;
}

/* A room.message line: check its order, and time it if it is ours. */
static void
on_message(struct worker *w, struct rb_sess *s, const char *line, size_t len,
    int64_t now)
{
	static const char key[] = "\"text\":\"rb ";
	const char *p;
	long long seq, room, n, sent;
	char *end;

	if (find_int(line, len, "\"seq\":", &seq)) {
		if (seq <= s->last_seq)
			s->order_bad++;
		s->last_seq = seq;
	}
	if ((p = memmem(line, len, key, sizeof key - 1)) == NULL)
		return;
	p += sizeof key - 1;
	room = strtoll(p, &end, 10);
	n = strtoll(end, &end, 10);
	sent = strtoll(end, &end, 10);
	if (room != s->room || n < 0 || n >= rooms[room].nmax)
		return;
	s->got_all++;
	if (s->seen[n / 8] & (1u << (n % 8))) {
		s->dup++;
		return;
	}
	s->seen[n / 8] |= (unsigned char)(1u << (n % 8));
	if (sent < t_meas0 || sent >= t_meas1 || s->slow)
		return;
	s->got++;
	{
		_Atomic int64_t *l = &rooms[room].last_ns[n];
		int64_t cur = atomic_load(l);

		while (now > cur && !atomic_compare_exchange_weak(l, &cur, now))
			;
	}
	if (w->nsamples == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 65536;
		w->samples = xrealloc(w->samples, w->cap * sizeof *w->samples);
	}
	w->samples[w->nsamples].sent_ns = sent;
	w->samples[w->nsamples++].ms = (float)((double)(now - sent) / 1e6);
}

/* A room.presence line: note when a slow reader is seen leaving. */
static void
on_presence(const char *line, size_t len, int64_t now)
{
	static const char key[] = "\"left\":\"rb";
	const char *p = memmem(line, len, key, sizeof key - 1);
	struct rb_sess *t;
	int64_t zero = 0;
	long i;

	if (p == NULL)
		return;
	i = strtol(p + sizeof key - 1, NULL, 10) - 1;
	if (i < 0 || i >= opt_members)
		return;
	t = &sessions[i];
	if (t->slow)
		atomic_compare_exchange_strong(&t->left_seen_ns, &zero, now);
}

/* A reply line: a join or a room.say. */
static void
on_reply(struct worker *w, struct rb_sess *s, const char *line, size_t len)
{
	long long id = strtoll(line + 6, NULL, 10);
	bool ok = memmem(line, len < 40 ? len : 40, "\"ok\":true", 9) != NULL;
	struct rb_room *r = &rooms[s->room];

	if (id == RB_JOIN_ID && s->st == ST_JOINING) {
		w->join_inflight--;
		s->join_ms = (double)(now_ns() - s->join_sent_ns) / 1e6;
		if (ok) {
			/* Everyone present, the joiner too, gets a presence. */
			atomic_fetch_add(&pres_due, atomic_fetch_add(&r->present,
			    1) + 1);
			s->st = ST_JOINED;
			atomic_fetch_add(&joined, 1);
		} else {
			sess_fail(s, "room.join: %.100s", line);
			s->st = ST_DEAD;
			atomic_fetch_add(&join_failed, 1);
		}
		return;
	}
	if (id >= RB_SAY_ID0 && id - RB_SAY_ID0 < r->nmax) {
		if (ok)
			r->acked[id - RB_SAY_ID0] = 1;
		else if (memmem(line, len, "rate_limited", 12) != NULL)
			atomic_fetch_add(&r->rate_limited, 1);
		else {
			atomic_fetch_add(&r->say_errors, 1);
			sess_fail(s, "room.say: %.100s", line);
		}
	}
}

/* Act on one complete line from a session. */
static void
on_line(struct worker *w, struct rb_sess *s, char *line, size_t len,
    int64_t now)
{
	static const char msg[] = "{\"event\":\"room.message\"";
	static const char pres[] = "{\"event\":\"room.presence\"";

	if (len >= sizeof msg - 1 && memcmp(line, msg, sizeof msg - 1) == 0)
		on_message(w, s, line, len, now);
	else if (len >= sizeof pres - 1 && memcmp(line, pres,
	    sizeof pres - 1) == 0) {
		if (atomic_load(&phase) == P_RUN)
			on_presence(line, len, now);
		else
			atomic_fetch_add(&pres_seen, 1);
	} else if (len > 6 && memcmp(line, "{\"id\":", 6) == 0)
		on_reply(w, s, line, len);
}

/* Read everything a session has and act on each complete line. */
static void
sess_drain(struct worker *w, struct rb_sess *s)
{
	struct linebuf *b = &s->in;
	char *nl;
	size_t from;
	int n;

	while (s->st != ST_DEAD && !s->stopped) {
		n = ssh_channel_read_nonblocking(s->chan, w->chunk,
		    RB_READ_CHUNK, 0);
		if (n == 0)
			break;
		if (n < 0) {
			sess_dead(w, s, n == SSH_EOF ? "the server closed the "
			    "channel" : ssh_get_error(s->ssh));
			break;
		}
		s->bytes_in += (uint64_t)n;
		if (memchr(w->chunk, '\n', (size_t)n) == NULL) {
			lb_append(b, w->chunk, (size_t)n);
			continue;
		}
		from = b->len - b->start; /* no newline before this chunk */
		lb_append(b, w->chunk, (size_t)n);
		from += b->start;
		{
			int64_t now = now_ns();

			while ((nl = memchr(b->data + from, '\n', b->len -
			    from)) != NULL) {
				size_t len = (size_t)(nl - (b->data +
				    b->start));

				*nl = '\0';
				on_line(w, s, b->data + b->start, len, now);
				b->start += len + 1;
				from = b->start;
			}
		}
	}
}

/*
 * Send room.join for the next sessions while this thread has fewer than
 * --join-window in flight and the members have read all but --join-lag of
 * the presence lines the joins so far caused (each join sends the whole
 * list to everyone present; unpaced, the readers fall behind and hearthd
 * drops them as not reading).
 */
static void
send_joins(struct worker *w)
{
	char line[96];
	int len;

	while (w->join_inflight < opt_join_window &&
	    w->join_cursor < w->nsess && atomic_load(&pres_due) -
	    atomic_load(&pres_seen) <= opt_join_lag) {
		struct rb_sess *s = w->sess[w->join_cursor++];

		if (s->st != ST_NEW)
			continue;
		len = snprintf(line, sizeof line, "{\"id\":%d,\"op\":"
		    "\"room.join\",\"args\":{\"room_id\":%lld}}\n", RB_JOIN_ID,
		    (long long)rooms[s->room].id);
		s->join_sent_ns = now_ns();
		s->st = ST_JOINING;
		w->join_inflight++;
		if (!sess_send(s, line, (size_t)len))
			sess_dead(w, s, "join write failed");
		else
			sess_drain(w, s);
	}
}

/* When message n of a room is due. */
static int64_t
due_ns(long n)
{
	return t_run + (int64_t)((double)n * 1e9 / opt_rate);
}

/* Send every message a sender owes by now. */
static void
send_due(struct worker *w, struct rb_sess *s, int64_t now)
{
	struct rb_room *r = &rooms[s->room];
	char *line;
	int64_t sent;
	int len;

	while (s->st == ST_JOINED && s->next_n < r->nmax &&
	    due_ns(s->next_n) <= now && due_ns(s->next_n) < t_meas1) {
		sent = now_ns();
		line = xasprintf("{\"id\":%ld,\"op\":\"room.say\",\"args\":"
		    "{\"room_id\":%lld,\"text\":\"rb %d %ld %lld %s\"}}\n",
		    RB_SAY_ID0 + s->next_n, (long long)r->id, s->room,
		    s->next_n, (long long)sent, pad_text);
		len = (int)strlen(line);
		r->sent_ns[s->next_n] = sent;
		s->next_n += opt_senders;
		if (!sess_send(s, line, (size_t)len)) {
			free(line);
			sess_dead(w, s, "say write failed");
			return;
		}
		free(line);
		sess_drain(w, s); /* the write may have read packets */
	}
}

/* The next time a sender of this thread owes a message (or INT64_MAX). */
static int64_t
next_due(struct worker *w)
{
	int64_t t = INT64_MAX, d;

	for (int i = 0; i < w->nsess; i++) {
		struct rb_sess *s = w->sess[i];

		if (!s->sender || s->st != ST_JOINED ||
		    s->next_n >= rooms[s->room].nmax)
			continue;
		d = due_ns(s->next_n);
		if (d < t_meas1 && d < t)
			t = d;
	}
	return t;
}

/* The event thread: poll, read, join, send. */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[256];
	int64_t now, next, wait_ns;
	int n, timeout;

	for (;;) {
		int ph = atomic_load(&phase);

		if (ph == P_EXIT)
			break;
		now = now_ns();
		if (ph == P_JOIN)
			send_joins(w);
		next = now + 20 * 1000000LL;
		if (ph == P_RUN) {
			for (int i = 0; i < w->nsess; i++) {
				struct rb_sess *s = w->sess[i];

				if (s->sender)
					send_due(w, s, now);
				if (s->slow && !s->stopped && opt_slow > 0 &&
				    now >= t_slow && s->st != ST_DEAD) {
					/* Stop reading: its buffers fill. */
					epoll_ctl(w->ep, EPOLL_CTL_DEL, s->fd,
					    NULL);
					s->stopped = true;
					s->stopped_ns = now;
				}
			}
			if (next_due(w) < next)
				next = next_due(w);
			if (opt_slow > 0 && t_slow > now && t_slow < next)
				next = t_slow;
		}
		wait_ns = next - now_ns();
		timeout = wait_ns <= 0 ? 0 : (int)((wait_ns + 999999) /
		    1000000);
		n = epoll_wait(w->ep, ev, 256, timeout);
		for (int i = 0; i < n; i++)
			sess_drain(w, ev[i].data.ptr);
	}
	return NULL;
}

/* ---- the console socket ---- */

/* One request on DATA/ctl.sock; the result object or NULL. */
static json_t *
ctl_call(const char *op, json_t *args)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *req, *r = NULL, *res = NULL;
	char *text;
	FILE *f;
	char line[65536];
	int fd;

	if (opt_data == NULL)
		goto out;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/ctl.sock", opt_data);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		goto out;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    (f = fdopen(fd, "r+")) == NULL) {
		close(fd);
		goto out;
	}
	req = json_pack("{s:i, s:s, s:O}", "id", 1, "op", op, "args", args);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (fgets(line, sizeof line, f) != NULL) /* hello */
		fprintf(f, "%s\n", text);
	fflush(f);
	free(text);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "{\"id\":1,", 8) == 0) {
			r = json_loads(line, 0, NULL);
			break;
		}
	}
	fclose(f);
	if (r != NULL && (res = json_object_get(r, "result")) != NULL)
		json_incref(res);
	json_decref(r);
out:
	json_decref(args);
	return res;
}

/* ---- figures ---- */

/* qsort order for floats. */
static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile q of n sorted values; 0 if none. */
static double
pct(const float *v, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)((q / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* Latency percentiles of samples sent in [from, to). */
struct lat {
	size_t n;
	double p50, p99, p999, max;
};

static struct lat
latency(int64_t from, int64_t to)
{
	struct lat l = { 0 };
	float *v;
	size_t total = 0, n = 0;

	for (int i = 0; i < opt_threads; i++)
		total += workers[i].nsamples;
	v = xcalloc(total + 1, sizeof *v);
	for (int i = 0; i < opt_threads; i++) {
		for (size_t j = 0; j < workers[i].nsamples; j++) {
			struct sample *sp = &workers[i].samples[j];

			if (sp->sent_ns >= from && sp->sent_ns < to)
				v[n++] = sp->ms;
		}
	}
	qsort(v, n, sizeof *v, cmp_float);
	l.n = n;
	l.p50 = pct(v, n, 50);
	l.p99 = pct(v, n, 99);
	l.p999 = pct(v, n, 99.9);
	l.max = n > 0 ? v[n - 1] : 0;
	free(v);
	return l;
}

/* Per message: percentiles of the time until the last member read it. */
static struct lat
last_member(void)
{
	struct lat l = { 0 };
	size_t n = 0, cap = 0;
	float *v = NULL;

	for (int r = 0; r < opt_rooms; r++) {
		struct rb_room *rm = &rooms[r];

		cap += (size_t)rm->nmax;
		v = xrealloc(v, cap * sizeof *v);
		for (long i = 0; i < rm->nmax; i++) {
			int64_t t = atomic_load(&rm->last_ns[i]);

			if (rm->acked[i] && t != 0 && rm->sent_ns[i] >= t_meas0 &&
			    rm->sent_ns[i] < t_meas1)
				v[n++] = (float)((double)(t - rm->sent_ns[i]) /
				    1e6);
		}
	}
	qsort(v, n, sizeof *v, cmp_float);
	l.n = n;
	l.p50 = pct(v, n, 50);
	l.p99 = pct(v, n, 99);
	l.p999 = pct(v, n, 99.9);
	l.max = n > 0 ? v[n - 1] : 0;
	free(v);
	return l;
}

/* A number from a JSON object path, or -1. */
static double
jnum(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(o, a), b);

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* Print up to a few distinct session errors with their counts. */
static void
print_errors(void)
{
	const char *seen[5];
	int counts[5], nseen = 0, other = 0, j;

	for (int i = 0; i < opt_members; i++) {
		const char *e = sessions[i].err;

		if (e[0] == '\0' || sessions[i].slow)
			continue;
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], e) == 0)
				break;
		if (j < nseen)
			counts[j]++;
		else if (nseen < 5) {
			seen[nseen] = e;
			counts[nseen++] = 1;
		} else
			other++;
	}
	for (j = 0; j < nseen; j++)
		printf("  error x%d: %s\n", counts[j], seen[j]);
	if (other > 0)
		printf("  and %d other errors\n", other);
}

/* Open the rooms: member r opens room r; false on error. */
static bool
open_rooms(void)
{
	for (int r = 0; r < opt_rooms; r++) {
		struct rb_sess *s = &sessions[r];
		char title[64];
		json_t *res;

		snprintf(title, sizeof title, "Bench room %d", r + 1);
		if (!s->open)
			return false;
		res = sess_call(s, 1, "room.open", json_pack("{s:s, s:s, "
		    "s:s}", "community", opt_community, "title", title,
		    "record", opt_record));
		if (res == NULL || !json_is_true(json_object_get(res, "ok"))) {
			char *t = res ? json_dumps(res, JSON_COMPACT) : NULL;

			fprintf(stderr, "hearth-roombench: room.open: %s\n",
			    t ? t : s->err);
			free(t);
			json_decref(res);
			return false;
		}
		rooms[r].id = json_integer_value(json_object_get(
		    json_object_get(json_object_get(res, "result"), "room"),
		    "room_id"));
		json_decref(res);
		s->st = ST_JOINED;
	}
	return true;
}

/* Total bytes read by every session so far (racy reads; a progress hint). */
static uint64_t
bytes_total(void)
{
	uint64_t t = 0;

	for (int i = 0; i < opt_members; i++)
		t += sessions[i].bytes_in;
	return t;
}

/* The run command: open, join, send and measure, then print. */
static int
cmd_run(void)
{
	int64_t t0, deadline, quiet_since;
	uint64_t last_bytes, join_bytes;
	double open_s, join_s, cpu_srv0 = -1, cpu_srv = -1, cpu_self, busy;
	double meas_s, join_cpu_srv, join_cpu_self, wait_srv = -1;
	long sent = 0, acked = 0, expected = 0, received = 0, lost = 0;
	long order_bad = 0, dup = 0, dead = 0, rl = 0, serr = 0;
	int opened = 0, slow_left = 0;
	json_t *st = NULL, *j;
	struct lat all, pre, during, post, last;
	int64_t slow_drop_max = 0;
	char *jl;

	raise_nofile();
	ssh_init();
	if (!load_keys(opt_keys) || nkeys < opt_members) {
		fprintf(stderr, "hearth-roombench: %s holds %d keys, fewer "
		    "than --members %d\n", opt_keys, nkeys, opt_members);
		return 2;
	}
	if (opt_rate / opt_senders > 5.0)
		fprintf(stderr, "hearth-roombench: warning: %.1f messages a "
		    "second per sender is over the rate limit (5)\n",
		    opt_rate / opt_senders);
	pad_text = xmalloc((size_t)opt_pad + 1);
	memset(pad_text, 'x', (size_t)opt_pad);
	pad_text[opt_pad] = '\0';
	sessions = xcalloc((size_t)opt_members, sizeof *sessions);
	rooms = xcalloc((size_t)opt_rooms, sizeof *rooms);
	for (int r = 0; r < opt_rooms; r++) {
		rooms[r].nmax = (long)(opt_rate * (opt_warmup + opt_duration)) +
		    16;
		rooms[r].sent_ns = xcalloc((size_t)rooms[r].nmax,
		    sizeof(int64_t));
		rooms[r].acked = xcalloc((size_t)rooms[r].nmax, 1);
		rooms[r].last_ns = xcalloc((size_t)rooms[r].nmax,
		    sizeof(_Atomic int64_t));
		atomic_init(&rooms[r].present, 1); /* the opener */
	}
	for (int i = 0; i < opt_members; i++) {
		struct rb_sess *s = &sessions[i];

		s->idx = i;
		s->room = i % opt_rooms;
		s->fd = -1;
		s->last_seq = -1;
		rooms[s->room].members++;
		s->seen = xcalloc((size_t)(rooms[s->room].nmax / 8 + 1), 1);
		/* Senders: the first S members of each room. */
		if (i / opt_rooms < opt_senders) {
			s->sender = true;
			s->sender_k = i / opt_rooms;
			s->next_n = s->sender_k;
		}
	}
	/* Slow readers: the last K members of room 0. */
	for (int i = opt_members - 1, k = 0; i >= 0 && k < opt_slow; i--) {
		if (sessions[i].room == 0 && !sessions[i].sender) {
			sessions[i].slow = true;
			k++;
		}
	}
	printf("hearth-roombench: %d members in %d room(s) at %s:%d, %.0f "
	    "msg/s per room from %d senders each, %.0f s measured after "
	    "%.0f s, record %s, %d event threads%s\n", opt_members, opt_rooms,
	    opt_host, opt_port, opt_rate, opt_senders, opt_duration,
	    opt_warmup, opt_record, opt_threads, opt_slow > 0 ? ", slow "
	    "readers" : "");

	open_s = open_all();
	for (int i = 0; i < opt_members; i++)
		opened += sessions[i].open;
	printf("  opened %d of %d sessions in %.2f s\n", opened, opt_members,
	    open_s);
	if (opened < opt_members) {
		print_errors();
		return 1;
	}
	if (!open_rooms())
		return 1;

	/* Hand the sessions to the event threads. */
	workers = xcalloc((size_t)opt_threads, sizeof *workers);
	for (int t = 0; t < opt_threads; t++) {
		workers[t].ep = epoll_create1(EPOLL_CLOEXEC);
		workers[t].sess = xcalloc((size_t)opt_members / (size_t)
		    opt_threads + 1, sizeof(struct rb_sess *));
		workers[t].chunk = xmalloc(RB_READ_CHUNK);
	}
	for (int i = 0; i < opt_members; i++) {
		struct worker *w = &workers[i % opt_threads];
		struct epoll_event ev = { .events = EPOLLIN };

		ev.data.ptr = &sessions[i];
		w->sess[w->nsess++] = &sessions[i];
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, sessions[i].fd, &ev) != 0) {
			fprintf(stderr, "hearth-roombench: epoll: %s\n",
			    strerror(errno));
			return 1;
		}
	}
	t0 = now_ns();
	join_cpu_srv = opt_pid > 0 ? proc_cpu_s(opt_pid) : -1;
	join_cpu_self = self_cpu_s();
	atomic_store(&phase, P_JOIN);
	for (int t = 0; t < opt_threads; t++)
		pthread_create(&workers[t].tid, NULL, worker_main, &workers[t]);
	deadline = t0 + 300 * NS;
	while (atomic_load(&joined) + atomic_load(&join_failed) <
	    opt_members - opt_rooms && now_ns() < deadline)
		usleep(10000);
	join_s = (double)(now_ns() - t0) / NS;
	/* Let the presence updates of the last joins arrive. */
	last_bytes = bytes_total();
	quiet_since = now_ns();
	while (now_ns() - quiet_since < NS / 2 && now_ns() < deadline) {
		usleep(50000);
		if (bytes_total() != last_bytes) {
			last_bytes = bytes_total();
			quiet_since = now_ns();
		}
	}
	join_bytes = last_bytes;
	if (join_cpu_srv >= 0)
		join_cpu_srv = proc_cpu_s(opt_pid) - join_cpu_srv;
	join_cpu_self = self_cpu_s() - join_cpu_self;
	printf("  joined %d of %d in %.2f s (%d failed); %.1f MB read by "
	    "the members while joining (presence), quiet after %.2f "
	    "s;\n    CPU while joining: hearthd %.1f s, roombench %.1f s\n",
	    atomic_load(&joined), opt_members - opt_rooms, join_s,
	    atomic_load(&join_failed), (double)join_bytes / 1e6,
	    (double)(now_ns() - t0) / NS, join_cpu_srv, join_cpu_self);
	if (atomic_load(&join_failed) > 0) {
		print_errors();
		atomic_store(&phase, P_EXIT);
		for (int t = 0; t < opt_threads; t++)
			pthread_join(workers[t].tid, NULL);
		return 1;
	}

	/* The run: warm-up, then the measured window. */
	t_run = now_ns() + NS / 5;
	t_meas0 = t_run + (int64_t)(opt_warmup * 1e9);
	t_meas1 = t_meas0 + (int64_t)(opt_duration * 1e9);
	t_slow = t_meas0 + (int64_t)(opt_slow_after * 1e9);
	atomic_store(&phase, P_RUN);
	sleep_until(t_meas0);
	json_decref(ctl_call("admin.status", json_pack("{s:b}", "reset_lag",
	    1)));
	if (opt_pid > 0) {
		cpu_srv0 = proc_cpu_s(opt_pid);
		wait_srv = proc_wait_s(opt_pid);
	}
	cpu_self = self_cpu_s();
	busy = machine_busy_s();
	sleep_until(t_meas1);
	meas_s = (double)(now_ns() - t_meas0) / NS;
	if (opt_pid > 0 && cpu_srv0 >= 0)
		cpu_srv = proc_cpu_s(opt_pid) - cpu_srv0;
	if (opt_pid > 0 && wait_srv >= 0)
		wait_srv = proc_wait_s(opt_pid) - wait_srv;
	cpu_self = self_cpu_s() - cpu_self;
	busy = machine_busy_s() - busy;
	/* Let the last messages arrive (up to 5 s), then read the server. */
	deadline = now_ns() + 5 * NS;
	while (now_ns() < deadline) {
		long want = 0, have = 0;

		for (int r = 0; r < opt_rooms; r++)
			for (long n = 0; n < rooms[r].nmax; n++)
				want += rooms[r].acked[n] && rooms[r].sent_ns[n]
				    >= t_meas0 ? rooms[r].members -
				    (r == 0 ? opt_slow : 0) : 0;
		for (int i = 0; i < opt_members; i++)
			have += sessions[i].got;
		if (have >= want)
			break;
		usleep(20000);
	}
	usleep(200000);
	if (opt_slow > 0) {
		/* Wait for the slow readers to be dropped (up to 120 s). */
		deadline = now_ns() + 120 * NS;
		for (;;) {
			int left = 0;

			for (int i = 0; i < opt_members; i++)
				left += sessions[i].slow &&
				    atomic_load(&sessions[i].left_seen_ns) != 0;
			if (left == opt_slow || now_ns() >= deadline)
				break;
			usleep(100000);
		}
	}
	st = ctl_call("admin.status", json_pack("{s:b}", "histogram", 1));
	atomic_store(&phase, P_EXIT);
	for (int t = 0; t < opt_threads; t++)
		pthread_join(workers[t].tid, NULL);

	/* Count. */
	for (int r = 0; r < opt_rooms; r++) {
		struct rb_room *rm = &rooms[r];

		rl += rm->rate_limited;
		serr += rm->say_errors;
		for (long n = 0; n < rm->nmax; n++) {
			if (rm->sent_ns[n] < t_meas0 || rm->sent_ns[n] >= t_meas1)
				continue;
			sent++;
			if (!rm->acked[n])
				continue;
			acked++;
			for (int i = r; i < opt_members; i += opt_rooms) {
				struct rb_sess *s = &sessions[i];

				if (s->slow)
					continue;
				expected++;
				if (!(s->seen[n / 8] & (1u << (n % 8))))
					lost++;
			}
		}
	}
	for (int i = 0; i < opt_members; i++) {
		struct rb_sess *s = &sessions[i];

		if (s->slow) {
			int64_t l = atomic_load(&s->left_seen_ns);

			if (l != 0 && s->stopped_ns != 0) {
				slow_left++;
				if (l - s->stopped_ns > slow_drop_max)
					slow_drop_max = l - s->stopped_ns;
			}
			continue;
		}
		received += s->got;
		order_bad += s->order_bad;
		dup += s->dup;
		dead += s->st == ST_DEAD;
	}
	all = latency(t_meas0, t_meas1);
	last = last_member();
	pre = latency(t_meas0, t_slow);
	during = latency(t_slow, t_slow + slow_drop_max);
	post = latency(t_slow + slow_drop_max, t_meas1);

	printf("\n  measured                   %.1f s; %ld messages sent, "
	    "%ld acknowledged (%ld rate-limited, %ld other errors)\n", meas_s,
	    sent, acked, rl, serr);
	printf("  deliveries                 %ld of %ld expected: %ld lost, "
	    "%ld out of order, %ld duplicates, %ld members dropped\n",
	    received, expected, lost, order_bad, dup, dead);
	printf("  delivered lines per second %.0f (all rooms)\n",
	    (double)received / opt_duration);
	printf("  client latency (send to member's read) p50 %.2f ms, p99 "
	    "%.2f ms, p99.9 %.2f ms, max %.2f ms over %zu deliveries\n",
	    all.p50, all.p99, all.p999, all.max, all.n);
	printf("  until the last member read it (per message) p50 %.2f ms, "
	    "p99 %.2f ms, max %.2f ms over %zu messages\n", last.p50,
	    last.p99, last.max, last.n);
	if (st != NULL)
		printf("  server fan-out (room.say to the last write) count "
		    "%.0f, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f "
		    "ms\n  server loop lag            max %.1f ms, %.0f ticks "
		    "over 10 ms of %.0f\n", jnum(st, "room_fanout", "count"),
		    jnum(st, "room_fanout", "p50_ms"),
		    jnum(st, "room_fanout", "p99_ms"),
		    jnum(st, "room_fanout", "p999_ms"),
		    jnum(st, "room_fanout", "max_ms"),
		    jnum(st, "loop_lag", "max_ms"),
		    jnum(st, "loop_lag", "over_10ms"),
		    jnum(st, "loop_lag", "ticks"));
	printf("  CPU over the measured time hearthd %.2f s (%.0f %% of a "
	    "core), roombench %.2f s (%.0f %%), other processes %.2f s, of "
	    "%ld cores x %.1f s\n", cpu_srv, cpu_srv * 100 / meas_s, cpu_self,
	    cpu_self * 100 / meas_s, busy - cpu_srv - cpu_self,
	    sysconf(_SC_NPROCESSORS_ONLN), meas_s);
	printf("  hearthd's loop thread waited for a CPU %.2f s of the %.1f "
	    "s\n", wait_srv, meas_s);
	if (received > 0 && cpu_srv >= 0)
		printf("  CPU per delivered line     hearthd %.1f us, "
		    "roombench %.1f us\n", cpu_srv * 1e6 / (double)received,
		    cpu_self * 1e6 / (double)received);
	if (opt_slow > 0) {
		printf("  slow readers               %d stopped reading %.1f s "
		    "into the run; %d seen leaving, the last %.1f s after it "
		    "stopped\n", opt_slow, opt_slow_after, slow_left,
		    (double)slow_drop_max / NS);
		printf("  others' latency before     p50 %.2f, p99 %.2f, max "
		    "%.2f ms (%zu)\n", pre.p50, pre.p99, pre.max, pre.n);
		printf("  ... while it was stalled   p50 %.2f, p99 %.2f, max "
		    "%.2f ms (%zu)\n", during.p50, during.p99, during.max,
		    during.n);
		printf("  ... after it was dropped   p50 %.2f, p99 %.2f, max "
		    "%.2f ms (%zu)\n", post.p50, post.p99, post.max, post.n);
	}
	print_errors();

	j = json_pack("{s:s, s:s, s:i, s:i, s:f, s:i, s:f, s:s, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, "
	    "s:f, s:f, s:f, s:f}",
	    "bench", "rooms", "label", opt_label, "members", opt_members,
	    "rooms", opt_rooms, "rate_per_room", opt_rate, "senders_per_room",
	    opt_senders, "duration_s", opt_duration, "record", opt_record,
	    "sent", (json_int_t)sent, "acked", (json_int_t)acked,
	    "expected", (json_int_t)expected, "received", (json_int_t)received,
	    "lost", (json_int_t)lost, "order_violations",
	    (json_int_t)order_bad, "rate_limited", (json_int_t)rl,
	    "dropped", (json_int_t)dead,
	    "lines_per_s", (double)received / opt_duration,
	    "client_p50_ms", all.p50, "client_p99_ms", all.p99,
	    "client_p999_ms", all.p999, "client_max_ms", all.max,
	    "cpu_hearthd_s", cpu_srv, "cpu_bench_s", cpu_self,
	    "machine_busy_s", busy, "join_s", join_s, "open_s", open_s);
	if (st != NULL) {
		json_object_set(j, "room_fanout", json_object_get(st,
		    "room_fanout"));
		json_object_set(j, "loop_lag", json_object_get(st,
		    "loop_lag"));
	}
	json_object_set_new(j, "join_mb", json_real((double)join_bytes /
	    1e6));
	json_object_set_new(j, "join_cpu_hearthd_s", json_real(join_cpu_srv));
	json_object_set_new(j, "hearthd_loop_wait_s", json_real(wait_srv));
	json_object_set_new(j, "last_member_p50_ms", json_real(last.p50));
	json_object_set_new(j, "last_member_p99_ms", json_real(last.p99));
	json_object_set_new(j, "last_member_max_ms", json_real(last.max));
	json_object_set_new(j, "join_cpu_bench_s", json_real(join_cpu_self));
	if (opt_slow > 0)
		json_object_set_new(j, "slow", json_pack("{s:i, s:i, s:f, "
		    "s:f, s:f, s:f, s:f, s:f, s:f}", "readers", opt_slow,
		    "seen_leaving", slow_left, "drop_after_s",
		    (double)slow_drop_max / NS, "before_p99_ms", pre.p99,
		    "stalled_p50_ms", during.p50, "stalled_p99_ms", during.p99,
		    "stalled_max_ms", during.max, "after_p99_ms", post.p99,
		    "after_max_ms", post.max));
	jl = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	printf("%s\n", jl);
	free(jl);
	json_decref(j);
	json_decref(st);

	/* Close every session that is still open. */
	for (int i = 0; i < opt_members; i++) {
		struct rb_sess *s = &sessions[i];

		if (s->chan != NULL)
			ssh_channel_free(s->chan);
		if (s->ssh != NULL) {
			ssh_disconnect(s->ssh);
			ssh_free(s->ssh);
		}
	}
	ssh_finalize();
	return lost == 0 && order_bad == 0 && dead == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "data", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'P' },
		{ "members", required_argument, NULL, 'm' },
		{ "rooms", required_argument, NULL, 'R' },
		{ "rate", required_argument, NULL, 'r' },
		{ "senders", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'D' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "pad", required_argument, NULL, 'x' },
		{ "record", required_argument, NULL, 'M' },
		{ "community", required_argument, NULL, 'c' },
		{ "slow", required_argument, NULL, 's' },
		{ "slow-after", required_argument, NULL, 'a' },
		{ "threads", required_argument, NULL, 't' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "join-window", required_argument, NULL, 'J' },
		{ "join-lag", required_argument, NULL, 'j' },
		{ "label", required_argument, NULL, 'L' },
		{ "count", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "leaders", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *out = NULL;
	int opt, count = 1000, leaders = 32;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			opt_host = optarg;
			break;
		case 'p':
			opt_port = (int)parse_num("port", optarg, 1, 65535);
			break;
		case 'k':
			opt_keys = optarg;
			break;
		case 'd':
			opt_data = optarg;
			break;
		case 'P':
			opt_pid = (long)parse_num("pid", optarg, 1, INT_MAX);
			break;
		case 'm':
			opt_members = (int)parse_num("members", optarg, 1, 100000);
			break;
		case 'R':
			opt_rooms = (int)parse_num("rooms", optarg, 1, 1000);
			break;
		case 'r':
			opt_rate = parse_num("rate", optarg, 0.1, 100000);
			break;
		case 'S':
			opt_senders = (int)parse_num("senders", optarg, 1, 100000);
			break;
		case 'D':
			opt_duration = parse_num("duration", optarg, 1, 3600);
			break;
		case 'W':
			opt_warmup = parse_num("warmup", optarg, 0, 600);
			break;
		case 'x':
			opt_pad = (int)parse_num("pad", optarg, 0, 15000);
			break;
		case 'M':
			opt_record = optarg;
			break;
		case 'c':
			opt_community = optarg;
			break;
		case 's':
			opt_slow = (int)parse_num("slow", optarg, 0, 1000);
			break;
		case 'a':
			opt_slow_after = parse_num("slow-after", optarg, 0, 3600);
			break;
		case 't':
			opt_threads = (int)parse_num("threads", optarg, 1, 64);
			break;
		case 'C':
			opt_concurrency = (int)parse_num("concurrency", optarg, 1, 4096);
			break;
		case 'J':
			opt_join_window = (int)parse_num("join-window", optarg, 1, 10000);
			break;
		case 'j':
			opt_join_lag = (long)parse_num("join-lag", optarg, 0, 1e9);
			break;
		case 'L':
			opt_label = optarg;
			break;
		case 'n':
			count = (int)parse_num("count", optarg, 1, 1000000);
			break;
		case 'o':
			out = optarg;
			break;
		case 'l':
			leaders = (int)parse_num("leaders", optarg, 0, 1000000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "keys") == 0) {
		if (out == NULL) {
			usage(stderr);
			return 2;
		}
		return cmd_keys(count, out, opt_community, leaders);
	}
	if (strcmp(cmd, "run") == 0) {
		if (opt_keys == NULL || opt_rooms > opt_members) {
			usage(stderr);
			return 2;
		}
		if (opt_senders * opt_rooms > opt_members)
			opt_senders = opt_members / opt_rooms;
		return cmd_run();
	}
	usage(stderr);
	return 2;
}
