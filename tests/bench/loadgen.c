/*
 * loadgen.c: hearth-loadgen, a load tool for a running hearthd. It opens N
 * authenticated "hearth" subsystem sessions over loopback (connect, key
 * exchange, public-key authentication, channel, subsystem, the hello line,
 * one whoami round trip) with C handshakes in flight at once, keeps them
 * all open and idle, then measures hearthd's memory, checks every session
 * still answers, and closes them cleanly.
 *
 * Each of the C worker threads drives sessions one after another with
 * libssh in blocking mode; a session belongs to one thread at a time (the
 * phases are separated by joins), so libssh needs no locking. The host key
 * is not verified: this is a loopback benchmark, never a client.
 *
 * It prints a readable block and, last, one JSON line with the figures.
 * Benchmarks are measured by hand (docs/performance.md), never by `make
 * test`.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "common.h"

#define LOADGEN_TIMEOUT_S 30 /* any one SSH step or reply */
#define LOADGEN_ERRLEN 160

/* One benchmark session and what happened to it. */
struct lg_sess {
	ssh_session ssh;
	ssh_channel chan;
	struct buf in; /* bytes read but not yet split into lines */
	double open_ms; /* connect until the whoami reply */
	double rtt_ms; /* the whoami round trip on the idle session */
	bool open;
	bool ping_ok;
	bool goodbye; /* --goodbye: a server.shutdown line came */
	char err[LOADGEN_ERRLEN];
};

/* Everything measured in one run; -1 where hearthd could not be read. */
struct lg_result {
	int opened, answered;
	double open_s, ping_s, close_s, rate;
	double open_p50, open_p99, rtt_p50, rtt_p99;
	double cpu_srv, cpu_self, cpu_other; /* during the opening phase */
	long rss_before, rss_open, rss_closed, rss_peak;
	long fds_before, fds_open, self_rss;
	double kb_per_sess;
};

enum lg_phase { PHASE_OPEN, PHASE_PING, PHASE_CLOSE };

enum { OPT_HELP = 256 }; /* a long option with no short letter */

static const char *opt_host = "127.0.0.1";
static int opt_port = 2222;
static const char *opt_key;
static const char *opt_user = "bench";
static int opt_sessions = 1000;
static int opt_concurrency = 50;
static long opt_pid = -1;
static int opt_hold = 2;
static bool opt_goodbye;

static struct lg_sess *sessions;
static enum lg_phase phase;
static atomic_int next_index;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hearth-loadgen --key PATH [--host 127.0.0.1] [--port P] "
	    "[--user NAME]\n"
	    "                      [--sessions N] [--concurrency C] "
	    "[--pid PID] [--hold SECONDS] [--goodbye]\n"
	    "  --key PATH         private key (ed25519) of a member\n"
	    "  --host, --port     where hearthd listens (127.0.0.1:2222)\n"
	    "  --user NAME        SSH user name (bench; any name works for a "
	    "member's key)\n"
	    "  --sessions N       sessions to hold open at once (1000)\n"
	    "  --concurrency C    handshakes in flight at once (50)\n"
	    "  --pid PID          hearthd's pid: read its memory from /proc\n"
	    "  --hold SECONDS     keep the sessions idle this long before "
	    "measuring (2)\n"
	    "  --goodbye          hold them reading, until the server ends "
	    "every one\n"
	    "                     (or --hold runs out); count the "
	    "server.shutdown events\n");
}

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse an integer option from min to max, or exit. */
static long
parse_num(const char *name, const char *v, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "hearth-loadgen: --%s wants a number from %ld "
		    "to %ld, not '%s'\n", name, min, max, v);
		exit(2);
	}
	return n;
}

/* A "Vm...:" figure in kB from /proc/PID/status; -1 if unreadable. */
static long
proc_status_kb(long pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *f;

	if (pid == 0)
		snprintf(path, sizeof path, "/proc/self/status");
	else
		snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* Open file descriptors of a process; -1 if unreadable. */
static long
proc_fds(long pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%ld/fd", pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* CPU seconds (user + system) a process has used; -1 if unreadable. */
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
	/* Fields 14 and 15, counted after the ")" that ends the name. */
	if (!ok || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
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

/* Busy CPU seconds of the whole machine (all cores) since boot; -1 if
 * unreadable. */
static double
machine_busy_s(void)
{
	unsigned long long v[8] = { 0 }, busy;
	FILE *f;
	int n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 5)
		return -1;
	/* user nice system idle iowait irq softirq steal: all but idle. */
	busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

/* Allow as many open files as the hard limit; returns the soft limit. */
static long
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? LONG_MAX : (long)rl.rlim_cur;
}

/* Record the first error of a session. */
static void PRINTFLIKE(2, 3)
sess_fail(struct lg_sess *s, const char *fmt, ...)
{
	va_list ap;

	if (s->err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

/* Read one line from the channel into a new JSON value; NULL on error. */
static json_t *
sess_read_msg(struct lg_sess *s)
{
	char tmp[4096], *nl;
	json_error_t jerr;
	json_t *v;
	size_t len;
	int n;

	while ((nl = memchr(buf_head(&s->in), '\n', buf_used(&s->in))) ==
	    NULL) {
		n = ssh_channel_read_timeout(s->chan, tmp, sizeof tmp, 0,
		    LOADGEN_TIMEOUT_S * 1000);
		if (n == SSH_ERROR) {
			sess_fail(s, "read: %s", ssh_get_error(s->ssh));
			return NULL;
		}
		if (n == 0) {
			sess_fail(s, "read: %s", ssh_channel_is_eof(s->chan) ?
			    "the server closed the channel" : "timed out");
			return NULL;
		}
		buf_append(&s->in, tmp, (size_t)n);
	}
	len = (size_t)(nl - buf_head(&s->in));
	v = json_loadb(buf_head(&s->in), len, 0, &jerr);
	buf_consume(&s->in, len + 1);
	if (v == NULL)
		sess_fail(s, "bad JSON from the server: %s", jerr.text);
	return v;
}

/* Send a request line in full; false on error. */
static bool
sess_send(struct lg_sess *s, const char *line)
{
	size_t len = strlen(line);

	if (ssh_channel_write(s->chan, line, (uint32_t)len) != (int)len) {
		sess_fail(s, "write: %s", ssh_get_error(s->ssh));
		return false;
	}
	return true;
}

/* Send whoami with this id and check the reply; false on error. */
static bool
sess_whoami(struct lg_sess *s, int id)
{
	char line[64];
	json_t *r;
	bool ok;

	snprintf(line, sizeof line, "{\"id\":%d,\"op\":\"whoami\"}\n", id);
	if (!sess_send(s, line))
		return false;
	/* Skip pushed events until the reply with our id. */
	for (;;) {
		if ((r = sess_read_msg(s)) == NULL)
			return false;
		if (json_integer_value(json_object_get(r, "id")) == id)
			break;
		json_decref(r);
	}
	ok = json_is_true(json_object_get(r, "ok")) &&
	    json_is_object(json_object_get(json_object_get(r, "result"),
	    "member"));
	if (!ok) {
		char *text = json_dumps(r, JSON_COMPACT);

		sess_fail(s, "whoami: %.100s", text != NULL ? text : "?");
		free(text);
	}
	json_decref(r);
	return ok;
}

/* Connect, authenticate, start the subsystem and make one round trip. */
static bool
sess_open(struct lg_sess *s, ssh_key key)
{
	long timeout = LOADGEN_TIMEOUT_S;
	int port = opt_port, one = 1, rc;
	bool no = false;
	json_t *hello;
	const char *ev;
	double t0 = now_s();

	if ((s->ssh = ssh_new()) == NULL) {
		sess_fail(s, "ssh_new failed");
		return false;
	}
	if (ssh_options_set(s->ssh, SSH_OPTIONS_HOST, opt_host) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(s->ssh, SSH_OPTIONS_USER, opt_user) < 0 ||
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
	    ssh_channel_open_session(s->chan) != SSH_OK) {
		sess_fail(s, "channel: %s", ssh_get_error(s->ssh));
		return false;
	}
	if (ssh_channel_request_subsystem(s->chan, "hearth") != SSH_OK) {
		sess_fail(s, "subsystem: %s", ssh_get_error(s->ssh));
		return false;
	}
	if ((hello = sess_read_msg(s)) == NULL)
		return false;
	ev = json_string_value(json_object_get(hello, "event"));
	if (ev == NULL || strcmp(ev, "hello") != 0 ||
	    !json_is_object(json_object_get(json_object_get(hello, "data"),
	    "member"))) {
		sess_fail(s, "the first line is not a member's hello");
		json_decref(hello);
		return false;
	}
	json_decref(hello);
	if (!sess_whoami(s, 1))
		return false;
	s->open_ms = (now_s() - t0) * 1000.0;
	s->open = true;
	return true;
}

/* Send EOF, close the channel and disconnect. */
static void
sess_close(struct lg_sess *s)
{
	if (s->chan != NULL) {
		if (s->open && ssh_channel_is_open(s->chan)) {
			ssh_channel_send_eof(s->chan);
			ssh_channel_close(s->chan);
		}
		ssh_channel_free(s->chan);
		s->chan = NULL;
	}
	if (s->ssh != NULL) {
		ssh_disconnect(s->ssh);
		ssh_free(s->ssh);
		s->ssh = NULL;
	}
	buf_free(&s->in);
}

/* A worker: take session indexes until none are left, acting on each. */
static void *
worker(void *arg)
{
	ssh_key key = NULL;
	struct lg_sess *s;
	double t0;
	int i;

	if (phase == PHASE_OPEN && ssh_pki_import_privkey_file(opt_key, NULL,
	    NULL, NULL, &key) != SSH_OK)
		key = NULL;
	while ((i = atomic_fetch_add(&next_index, 1)) < opt_sessions) {
		s = &sessions[i];
		switch (phase) {
		case PHASE_OPEN:
			if (key == NULL)
				sess_fail(s, "cannot read the key %s", opt_key);
			else if (!sess_open(s, key))
				sess_close(s); /* free what was set up */
			break;
		case PHASE_PING:
			if (!s->open)
				break;
			t0 = now_s();
			s->ping_ok = sess_whoami(s, 2);
			s->rtt_ms = (now_s() - t0) * 1000.0;
			break;
		case PHASE_CLOSE:
			sess_close(s);
			break;
		}
	}
	ssh_key_free(key);
	return NULL;
}

/* --goodbye: a session closed without the event; say which (its port). */
static void
sess_tell_missed(struct lg_sess *s, int m)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	if (getsockname(ssh_get_fd(s->ssh), (struct sockaddr *)&a, &len) != 0)
		a.sin_port = 0;
	fprintf(stderr, "hearth-loadgen: port %d closed without the goodbye "
	    "(read %d, eof %d, closed %d, %zu bytes kept: %.*s)\n",
	    ntohs(a.sin_port), m, ssh_channel_is_eof(s->chan),
	    ssh_channel_is_closed(s->chan), buf_used(&s->in),
	    (int)buf_used(&s->in), buf_head(&s->in));
}

/*
 * --goodbye: hold the sessions reading (one thread, epoll) until the server
 * closes each channel or --hold runs out; a session closes its end as soon
 * as the server closed its channel. Prints how many saw the server.shutdown
 * event first. Returns 0 if every session got it and was closed.
 */
static int
watch_goodbye(int opened)
{
	struct epoll_event ev, evs[256];
	double deadline = now_s() + opt_hold, t0 = 0, t_end = 0;
	int closed = 0, got = 0, live = 0, ep, k, m;
	char tmp[4096];

	if ((ep = epoll_create1(0)) < 0) {
		perror("hearth-loadgen: epoll_create1");
		return 1;
	}
	for (int i = 0; i < opt_sessions; i++) {
		if (!sessions[i].open)
			continue;
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ssh_get_fd(sessions[i].ssh),
		    &ev) == 0)
			live++;
	}
	while (live > 0 && now_s() < deadline) {
		k = epoll_wait(ep, evs, 256, 1000);
		if (k < 0 && errno != EINTR)
			break;
		for (int j = 0; j < k; j++) {
			struct lg_sess *s = &sessions[evs[j].data.u32];

			if (!s->open)
				continue;
			if (t0 == 0)
				t0 = now_s();
			while ((m = ssh_channel_read_nonblocking(s->chan, tmp,
			    sizeof tmp, 0)) > 0)
				buf_append(&s->in, tmp, (size_t)m);
			if (!s->goodbye && buf_used(&s->in) > 0 &&
			    memmem(buf_head(&s->in), buf_used(&s->in),
			    "\"server.shutdown\"", 17) != NULL) {
				s->goodbye = true;
				got++;
			}
			/* keep a tail: the name may come in two reads */
			if (buf_used(&s->in) > 64)
				buf_consume(&s->in, buf_used(&s->in) - 32);
			if (m < 0 || ssh_channel_is_eof(s->chan) ||
			    ssh_channel_is_closed(s->chan)) {
				if (!s->goodbye && closed - got < 5)
					sess_tell_missed(s, m);
				epoll_ctl(ep, EPOLL_CTL_DEL, ssh_get_fd(s->ssh),
				    NULL);
				sess_close(s);
				s->open = false;
				closed++;
				live--;
				t_end = now_s();
			}
		}
	}
	close(ep);
	printf("goodbye: %d of %d sessions got server.shutdown; %d closed by "
	    "the server, over %.2f s from the first\n", got, opened, closed,
	    t0 > 0 ? t_end - t0 : 0.0);
	return got == opened && closed == opened ? 0 : 1;
}

/* Run one phase over every session with the worker pool; wall seconds. */
static double
run_phase(enum lg_phase p)
{
	int nthreads = opt_concurrency < opt_sessions ? opt_concurrency :
	    opt_sessions;
	pthread_t *tids = xcalloc((size_t)nthreads, sizeof *tids);
	pthread_attr_t attr;
	double t0 = now_s();
	int started = 0, rc;

	phase = p;
	atomic_store(&next_index, 0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (int i = 0; i < nthreads; i++) {
		if ((rc = pthread_create(&tids[i], &attr, worker, NULL)) != 0) {
			fprintf(stderr, "hearth-loadgen: thread: %s\n",
			    strerror(rc));
			break;
		}
		started++;
	}
	pthread_attr_destroy(&attr);
	if (started == 0)
		worker(NULL); /* no threads at all: do it here */
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return now_s() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile q (0..100) of n sorted values; 0 if none. */
static double
percentile(const double *v, int n, double q)
{
	int rank;

	if (n == 0)
		return 0;
	rank = (int)((q / 100.0) * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* Gather the sorted latencies of sessions that succeeded; their count. */
static int
collect(double *out, bool rtt)
{
	int n = 0;

	for (int i = 0; i < opt_sessions; i++) {
		if (rtt ? sessions[i].ping_ok : sessions[i].open)
			out[n++] = rtt ? sessions[i].rtt_ms :
			    sessions[i].open_ms;
	}
	qsort(out, (size_t)n, sizeof *out, cmp_double);
	return n;
}

/* Print up to a few distinct session errors with their counts. */
static void
print_errors(void)
{
	const char *seen[5];
	int counts[5], nseen = 0, other = 0, j;

	for (int i = 0; i < opt_sessions; i++) {
		const char *e = sessions[i].err;

		if (e[0] == '\0')
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

/* Print "N kB (M MiB)" or "n/a". */
static void
print_kb(const char *label, long kb)
{
	if (kb < 0)
		printf("  %-26s n/a\n", label);
	else
		printf("  %-26s %ld kB (%.1f MiB)\n", label, kb, kb / 1024.0);
}

/* Open every session, recording the time, latencies and CPU it took. */
static void
measure_open(struct lg_result *r, double *lat)
{
	double all = machine_busy_s(), srv = -1;

	r->cpu_self = self_cpu_s();
	if (opt_pid > 0)
		srv = proc_cpu_s(opt_pid);
	r->open_s = run_phase(PHASE_OPEN);
	r->cpu_self = self_cpu_s() - r->cpu_self;
	if (srv >= 0 && (r->cpu_srv = proc_cpu_s(opt_pid)) >= 0)
		r->cpu_srv -= srv;
	if (all >= 0 && r->cpu_srv >= 0) {
		r->cpu_other = machine_busy_s() - all - r->cpu_srv - r->cpu_self;
		if (r->cpu_other < 0)
			r->cpu_other = 0; /* clock-tick rounding */
	}
	r->opened = collect(lat, false);
	r->open_p50 = percentile(lat, r->opened, 50);
	r->open_p99 = percentile(lat, r->opened, 99);
	r->rate = r->open_s > 0 ? r->opened / r->open_s : 0;
}

/* Read hearthd's memory and descriptors with every session open. */
static void
measure_held(struct lg_result *r)
{
	if (opt_pid > 0) {
		r->rss_open = proc_status_kb(opt_pid, "VmRSS");
		r->rss_peak = proc_status_kb(opt_pid, "VmHWM");
		r->fds_open = proc_fds(opt_pid);
		if (r->rss_before >= 0 && r->rss_open >= 0 && r->opened > 0)
			r->kb_per_sess = (double)(r->rss_open - r->rss_before) /
			    r->opened;
	}
	r->self_rss = proc_status_kb(0, "VmRSS");
}

/* The readable block. */
static void
print_result(const struct lg_result *r)
{
	printf("\n");
	printf("  sessions opened            %d of %d (%d failed)\n",
	    r->opened, opt_sessions, opt_sessions - r->opened);
	printf("  time to open all           %.2f s\n", r->open_s);
	printf("  handshakes per second      %.1f\n", r->rate);
	printf("  handshake + first reply    p50 %.1f ms, p99 %.1f ms\n",
	    r->open_p50, r->open_p99);
	printf("  CPU while opening          loadgen %.2f s", r->cpu_self);
	if (r->cpu_srv >= 0)
		printf(", hearthd %.2f s (%.2f ms per handshake)", r->cpu_srv,
		    r->opened > 0 ? r->cpu_srv * 1000.0 / r->opened : 0);
	if (r->cpu_other >= 0)
		printf(", other processes %.2f s", r->cpu_other);
	printf(" of %ld cores x %.2f s\n", sysconf(_SC_NPROCESSORS_ONLN),
	    r->open_s);
	printf("  whoami on an idle session  p50 %.1f ms, p99 %.1f ms "
	    "(%d of %d answered, %.2f s)\n", r->rtt_p50, r->rtt_p99,
	    r->answered, r->opened, r->ping_s);
	printf("  time to close all          %.2f s\n", r->close_s);
	if (opt_pid > 0) {
		printf("  hearthd pid %ld\n", opt_pid);
		print_kb("RSS before", r->rss_before);
		print_kb("RSS with all open", r->rss_open);
		print_kb("RSS after closing", r->rss_closed);
		print_kb("peak RSS (VmHWM)", r->rss_peak);
		if (r->kb_per_sess >= 0)
			printf("  %-26s %.1f kB\n", "memory per idle session",
			    r->kb_per_sess);
		printf("  %-26s %ld before, %ld with all open\n",
		    "open fds", r->fds_before, r->fds_open);
	}
	print_kb("hearth-loadgen RSS", r->self_rss);
	print_errors();
}

/* The same figures as one JSON line. */
static void
print_json(const struct lg_result *r)
{
	json_t *j;
	char *line;

	j = json_pack("{s:s, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f, "
	    "s:f, s:f, s:i, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:f, s:f, s:f}",
	    "bench", "ssh_sessions", "sessions", opt_sessions,
	    "concurrency", opt_concurrency, "opened", r->opened,
	    "answered", r->answered, "open_s", r->open_s,
	    "handshakes_per_s", r->rate,
	    "open_p50_ms", r->open_p50, "open_p99_ms", r->open_p99,
	    "idle_rtt_p50_ms", r->rtt_p50, "idle_rtt_p99_ms", r->rtt_p99,
	    "close_s", r->close_s, "hold_s", opt_hold,
	    "rss_before_kb", (json_int_t)r->rss_before,
	    "rss_open_kb", (json_int_t)r->rss_open,
	    "rss_closed_kb", (json_int_t)r->rss_closed,
	    "rss_peak_kb", (json_int_t)r->rss_peak,
	    "kb_per_idle_session", r->kb_per_sess,
	    "fds_before", (json_int_t)r->fds_before,
	    "fds_open", (json_int_t)r->fds_open,
	    "cpu_hearthd_s", r->cpu_srv, "cpu_loadgen_s", r->cpu_self,
	    "cpu_other_s", r->cpu_other);
	line = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	printf("%s\n", line);
	free(line);
	json_decref(j);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "user", required_argument, NULL, 'u' },
		{ "sessions", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'P' },
		{ "hold", required_argument, NULL, 'h' },
		{ "goodbye", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct lg_result r = {
		.cpu_srv = -1, .cpu_other = -1, .rss_before = -1,
		.rss_open = -1, .rss_closed = -1, .rss_peak = -1,
		.fds_before = -1, .fds_open = -1, .kb_per_sess = -1,
	};
	ssh_key probe = NULL;
	double *lat;
	long nofile;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			opt_host = optarg;
			break;
		case 'p':
			opt_port = (int)parse_num("port", optarg, 1, 65535);
			break;
		case 'k':
			opt_key = optarg;
			break;
		case 'u':
			opt_user = optarg;
			break;
		case 'n':
			opt_sessions = (int)parse_num("sessions", optarg, 1,
			    1000000);
			break;
		case 'c':
			opt_concurrency = (int)parse_num("concurrency", optarg,
			    1, 4096);
			break;
		case 'P':
			opt_pid = parse_num("pid", optarg, 1, INT_MAX);
			break;
		case 'h':
			opt_hold = (int)parse_num("hold", optarg, 0, 86400);
			break;
		case 'g':
			opt_goodbye = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || opt_key == NULL) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if killed */
	nofile = raise_nofile();
	if (nofile >= 0 && nofile < (long)opt_sessions + 64)
		fprintf(stderr, "hearth-loadgen: warning: the open-file limit "
		    "is %ld, fewer than %d sessions need\n", nofile,
		    opt_sessions + 64);
	ssh_init();
	if (ssh_pki_import_privkey_file(opt_key, NULL, NULL, NULL, &probe) !=
	    SSH_OK) {
		fprintf(stderr, "hearth-loadgen: cannot read the private key "
		    "%s\n", opt_key);
		return 2;
	}
	ssh_key_free(probe);
	sessions = xcalloc((size_t)opt_sessions, sizeof *sessions);
	for (int i = 0; i < opt_sessions; i++)
		buf_init(&sessions[i].in);
	lat = xcalloc((size_t)opt_sessions, sizeof *lat);

	if (opt_pid > 0) {
		r.rss_before = proc_status_kb(opt_pid, "VmRSS");
		r.fds_before = proc_fds(opt_pid);
	}
	printf("hearth-loadgen: %d sessions to %s:%d as '%s', %d in flight, "
	    "hold %ds\n", opt_sessions, opt_host, opt_port, opt_user,
	    opt_concurrency, opt_hold);

	measure_open(&r, lat);
	if (opt_goodbye) {
		int rc = watch_goodbye(r.opened);

		for (int i = 0; i < opt_sessions; i++) {
			sess_close(&sessions[i]);
			buf_free(&sessions[i].in);
		}
		free(sessions);
		free(lat);
		ssh_finalize();
		return rc;
	}
	sleep((unsigned)opt_hold);
	measure_held(&r);

	r.ping_s = run_phase(PHASE_PING);
	r.answered = collect(lat, true);
	r.rtt_p50 = percentile(lat, r.answered, 50);
	r.rtt_p99 = percentile(lat, r.answered, 99);

	r.close_s = run_phase(PHASE_CLOSE);
	if (opt_pid > 0) {
		sleep(1); /* hearthd tears sessions down on its next turns */
		r.rss_closed = proc_status_kb(opt_pid, "VmRSS");
	}

	print_result(&r);
	print_json(&r);

	for (int i = 0; i < opt_sessions; i++)
		buf_free(&sessions[i].in);
	free(sessions);
	free(lat);
	ssh_finalize();
	return r.opened == opt_sessions && r.answered == r.opened ? 0 : 1;
}
