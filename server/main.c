/*
 * main.c: hearthd. Reads its settings, prepares the data directory (host
 * key, database), listens for SSH and for hearthctl, and runs the one libuv
 * loop until SIGINT or SIGTERM, when it tells every connection and stops.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "server.h"

struct server *srv;
static struct server the_server;
static uv_signal_t sig_int, sig_term, sig_chld;
static uv_timer_t stop_timer;
static uv_prepare_t stop_check;
static uv_timer_t lag_timer;
static uint64_t lag_expected;

/* Loop lag: how late a 10 ms tick fires (a stall shows as lateness). */
struct lag lag_stats;

static uint64_t lag_cpu_us; /* the loop thread's CPU time at the last tick */

/* CPU time the calling thread has used, in microseconds. */
uint64_t
thread_cpu_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
lag_tick(uv_timer_t *t)
{
	uint64_t now = uv_hrtime() / 1000, late, cpu = thread_cpu_us();

	if (lag_expected != 0) {
		late = now > lag_expected ? now - lag_expected : 0;
		if (late > lag_stats.max_us)
			lag_stats.max_us = late;
		if (late > 10000)
			lag_stats.over_10ms++;
		/* The CPU part tells a long turn from a busy machine. */
		if (late > 50000)
			log_info(0, "the loop was %.1f ms late (%.1f ms on a "
			    "CPU since the tick before)", late / 1000.0,
			    (cpu - lag_cpu_us) / 1000.0);
		lag_stats.ticks++;
	}
	lag_expected = now + 10000;
	lag_cpu_us = cpu;
}

void
fanout_record(struct fanout_stats *f, uint64_t us)
{
	uint64_t b = us / 10;

	f->bucket[b < FANOUT_BUCKETS ? b : FANOUT_BUCKETS]++;
	f->count++;
	if (us > f->max_us)
		f->max_us = us;
}

double
fanout_pct(const struct fanout_stats *f, double p)
{
	uint64_t want, seen = 0;

	if (f->count == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)f->count + 0.999999);
	if (want == 0)
		want = 1;
	for (size_t i = 0; i <= FANOUT_BUCKETS; i++) {
		seen += f->bucket[i];
		if (seen >= want)
			return i == FANOUT_BUCKETS ? f->max_us / 1000.0 :
			    (double)(i + 1) / 100.0;
	}
	return f->max_us / 1000.0;
}

/* Allow as many open files as the hard limit (one socket per member). */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hearthd --data DIR [--listen HOST:PORT] [--config FILE] "
	    "[-v]\n"
	    "  --data DIR         data directory (created if missing)\n"
	    "  --listen HOST:PORT where to accept SSH (default "
	    "127.0.0.1:2222)\n"
	    "  --config FILE      settings file (see docs/admin.md)\n"
	    "  --tui PATH         the program for terminal logins\n"
	    "                     (default: hearth-tui beside hearthd, else "
	    HEARTH_TUI_PATH ")\n"
	    "  -v                 more log detail (twice for debug)\n"
	    "  --allow-root       run even as root (a throwaway demo only)\n"
	    "  --list-ops         print the operation table (markdown) and "
	    "exit\n");
}

/*
 * hearthd reads what strangers send it over the network; as root, one bug
 * would give them the machine. Say so, and what to do instead.
 */
static void
refuse_root(void)
{
	fprintf(stderr,
	    "hearthd: refusing to run as root.\n"
	    "  hearthd parses what anyone on the network sends it, so a bug in "
	    "it must not\n"
	    "  be able to reach the whole machine. Run it as its own "
	    "unprivileged user:\n"
	    "      systemctl start hearthd    (the installed unit runs it as "
	    "'hearth')\n"
	    "  or, by hand:  runuser -u hearth -- hearthd --data DIR\n"
	    "  For a throwaway demo only, --allow-root runs it as root anyway "
	    "(its\n"
	    "  terminal-login children then run as 'nobody').\n");
}

/* The directory this program is in (hearth and hearthctl live beside it). */
static const char *
self_dir(void)
{
	static char self[PATH_MAX]; /* static: no exit path need free it */
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	if (n <= 0 || (self[n] = '\0', slash = strrchr(self, '/')) == NULL)
		return ".";
	*slash = '\0';
	return self;
}

/*
 * The program for terminal logins, hearth-tui (the hearth screens without
 * libssh): the one beside hearthd when there is one (the build tree), else
 * the installed one (hearthd in sbin, hearth-tui in libexec).
 */
static char *
default_tui(const char *dir)
{
	char *beside = xasprintf("%s/hearth-tui", dir);

	if (access(beside, X_OK) == 0)
		return beside;
	free(beside);
	return xstrdup(HEARTH_TUI_PATH);
}

static void
reap(uv_signal_t *h, int sig)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		shell_reaped(pid, status);
}

static void
walk_close(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* The longest a shutdown waits for connections to take their goodbye. */
#define STOP_WAIT_MS 5000

static void
stop_now(uv_timer_t *t)
{
	dispatch_stop();
	libwrite_stop(); /* after the last group: the gate is free */
	dispatch_stop(); /* what its last jobs' ends wrote */
	mail_stop();
	checkpoint_stop();
	sshd_close();
	pace_stop(); /* the sessions that waited for it are gone */
	conn_stream_close_all();
	ctl_close();
	uv_walk(srv->loop, walk_close, NULL);
}

static void stop_late(uv_timer_t *);

/*
 * Shutting down: stop once every conn has flushed its goodbye and gone and
 * every session that got past login has ended. A prepare handle runs just
 * before the loop would block, after the close callbacks that free conns.
 */
static void
stop_when_done(uv_prepare_t *h)
{
	if (conn_first() == NULL && sshd_started_count() == 0) {
		log_debug(0, "every connection has closed");
		stop_now(NULL);
		return;
	}
	/* The wait for clients runs from the last goodbye (conn.c). */
	if (!conn_shutdown_busy() && !uv_is_active((uv_handle_t *)&stop_timer))
		uv_timer_start(&stop_timer, stop_late, STOP_WAIT_MS, 0);
}

/*
 * Shutting down: clients that do not read or close get this long after the
 * last goodbye went out.
 */
static void
stop_late(uv_timer_t *t)
{
	log_warn(0, "connections still open after %d ms; closing them",
	    STOP_WAIT_MS);
	stop_now(NULL);
}

static void
on_signal(uv_signal_t *h, int sig)
{
	if (srv->stopping) {
		log_warn(0, "second signal: stopping at once");
		stop_now(NULL);
		return;
	}
	visits_flush(); /* while the server may still write */
	srv->stopping = true;
	log_info(0, "%s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	conn_shutdown_all("The server is shutting down for maintenance. "
	    "Please reconnect in a few minutes.");
	/* Let the goodbyes flush, then close everything. */
	uv_prepare_start(&stop_check, stop_when_done);
}

/* Create the first admin invite while nobody is admin yet. */
static void
first_admin_invite(void)
{
	char code[CODE_LEN + 1], line[300];

	if (member_admin_exists(srv->db))
		return;
	if (db_begin(srv->db) != 0 ||
	    invite_create(srv->db, NULL, "first admin", ROLE_ADMIN, 0,
	    7 * 86400, code) < 0 || db_commit(srv->db) != 0) {
		db_rollback(srv->db);
		log_error(0, "cannot create the first admin invite");
		return;
	}
	config_connect_line(&srv->cfg, "join", line, sizeof line);
	printf("\n"
	    "  No admin yet. One-time admin invite code (valid 7 days):\n"
	    "\n"
	    "      %s\n"
	    "\n"
	    "  Become the first admin with any SSH key:\n"
	    "      %s\n"
	    "  and enter the code when asked.\n\n",
	    code, line);
	fflush(stdout);
}

/*
 * The operation table as markdown, for docs/protocol.md: each operation with
 * who may call it, whether it writes, its rate class and its arguments,
 * then the rate classes.
 */
static void
list_ops(void)
{
	const struct op *const *ops = dispatch_table();
	char arg[256], limit[256];

	printf("| operation | who may call it | writes | rate | arguments | "
	    "what it does |\n|---|---|---|---|---|---|\n");
	for (size_t i = 0; ops[i] != NULL; i++) {
		unsigned f = ops[i]->flags;
		const char *who = (f & OP_ADMIN) ? "console, admin" :
		    (f & OP_STAFF) ? "console, admin, staff" :
		    (f & OP_ANY) ? "anyone connected" :
		    (f & OP_JOIN) ? "join session" :
		    (f & OP_GUEST) ? "member, guest" : "member";

		printf("| `%s` | %s | %s | %s | ", ops[i]->name, who,
		    (f & OP_WRITE) ? "yes" : "", rate_class_name(ops[i]->rate));
		for (const struct arg_spec *a = ops[i]->args; a->name != NULL;
		    a++) {
			arg_describe(a, arg, sizeof arg);
			printf("%s%s", a == ops[i]->args ? "" : ", ", arg);
		}
		if (ops[i]->args[0].name == NULL)
			printf("%s", (f & OP_OPEN_ARGS) ? "any (ignored)" : "—");
		printf(" | ");
		for (const char *s = ops[i]->summary; *s != '\0'; s++) {
			if (*s == '|') /* not a cell's end */
				putchar('\\');
			putchar(*s);
		}
		printf(" |\n");
	}
	printf("\n| rate class | limit (per member; per connection for join "
	    "sessions and guests) |\n|---|---|\n");
	for (int rc = RATE_UNSET + 1; rc < RATE_CLASSES; rc++) {
		rate_describe(rc, limit, sizeof limit);
		printf("| %s | %s |\n", rate_class_name(rc), limit);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "tui", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-ops", no_argument, NULL, 'O' },
		{ "allow-root", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *listen_arg = NULL, *tui_arg = NULL;
	char err[512], *dbpath;
	const char *bindir;
	int ch, verbose = 0;
	bool created, full, allow_root = false;

	/* The spawner (shell.c starts it): hearthd --spawner FD TUI */
	if (argc == 4 && strcmp(argv[1], "--spawner") == 0) {
		log_init("hearthd-spawner", LOG_INFO);
		return spawner_main(atoi(argv[2]), argv[3]);
	}
	/*
	 * No allocation statistics: with them every SQLite malloc takes one
	 * global mutex, which the search workers fight over.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	srv = &the_server;
	config_defaults(&srv->cfg);
	while ((ch = getopt_long(argc, argv, "d:l:c:t:vhV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			free(srv->cfg.data_dir);
			srv->cfg.data_dir = xstrdup(optarg);
			break;
		case 'l':
			listen_arg = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 't':
			tui_arg = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("hearthd %s\n", HEARTH_VERSION);
			return 0;
		case 'O':
			list_ops();
			return 0;
		case 'R':
			allow_root = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || srv->cfg.data_dir == NULL) {
		usage(stderr);
		return 2;
	}
	if (geteuid() == 0 && !allow_root) {
		refuse_root();
		return 1;
	}
	if (config_path != NULL &&
	    config_load(&srv->cfg, config_path, err, sizeof err) != 0) {
		fprintf(stderr, "hearthd: %s\n", err);
		return 2;
	}
	zone_series_init(); /* events repeat in the `timezone` setting */
	prio_configure(srv->cfg.thread_hints); /* before any thread starts */
	if (listen_arg != NULL && config_set_listen(&srv->cfg, listen_arg) != 0) {
		fprintf(stderr, "hearthd: --listen wants HOST:PORT, not '%s'\n",
		    listen_arg);
		return 2;
	}
	if (tui_arg != NULL) {
		free(srv->cfg.tui_path);
		srv->cfg.tui_path = xstrdup(tui_arg);
	}
	bindir = self_dir();
	if (srv->cfg.tui_path == NULL)
		srv->cfg.tui_path = default_tui(bindir);
	if (verbose > srv->cfg.verbose)
		srv->cfg.verbose = verbose;
	log_init("hearthd", srv->cfg.verbose > 0 ? LOG_DEBUG : LOG_INFO);
	if (access(srv->cfg.tui_path, X_OK) != 0)
		log_warn(0, "terminal logins cannot start %s: %s (see --tui)",
		    srv->cfg.tui_path, strerror(errno));
	else
		log_info(0, "terminal logins start %s", srv->cfg.tui_path);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	/* A write past RLIMIT_FSIZE fails (disk full), it does not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	raise_nofile();

	if (mkdir(srv->cfg.data_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "hearthd: %s: %s\n", srv->cfg.data_dir,
		    strerror(errno));
		return 1;
	}
	/* Before libssh, the database and the loop: a small process. */
	shell_spawner_start();
	ssh_init();
	if (srv->cfg.verbose > 2)
		ssh_set_log_level(SSH_LOG_PROTOCOL);
	srv->hostkey_path = xasprintf("%s/host_ed25519", srv->cfg.data_dir);
	srv->ctl_path = xasprintf("%s/ctl.sock", srv->cfg.data_dir);
	dbpath = xasprintf("%s/hearth.db", srv->cfg.data_dir);
	if (sshkey_host_ensure(srv->hostkey_path, err, sizeof err) != 0) {
		fprintf(stderr, "hearthd: %s\n", err);
		return 1;
	}
	/*
	 * FULL: COMMIT writes, walsync.c syncs off the loop (dispatch.c).
	 * The writer itself never syncs (OFF): at NORMAL, SQLite still syncs
	 * the WAL's header on the loop each time a commit starts the WAL
	 * over, which behind a library upload's writes took up to 100 ms.
	 * walsync's fdatasync after each commit covers header and frames, and
	 * the checkpointer's own connection syncs what it copies.
	 */
	full = strcasecmp(srv->cfg.synchronous, "FULL") == 0;
	srv->db = db_open(dbpath, true, full ? "OFF" : srv->cfg.synchronous,
	    &created, err, sizeof err);
	if (srv->db == NULL) {
		fprintf(stderr, "hearthd: %s\n", err);
		return 1;
	}
	if (created)
		log_info(0, "created database %s", dbpath);
	db_loop_busy_handler(srv->db);

	srv->loop = uv_default_loop();
	dispatch_init(srv->loop);
	if (full && dispatch_sync_off_loop(dbpath) != 0) {
		fprintf(stderr, "hearthd: could not start the WAL's sync "
		    "thread\n");
		return 1;
	}
	conn_init(srv->loop);
	shell_init(srv->loop);
	checkpoint_start(srv->loop, dbpath,
	    (int64_t)srv->cfg.wal_max_mb * 1024 * 1024);
	checkpoint_backups_start(srv->loop, dbpath, srv->cfg.data_dir,
	    srv->cfg.backup_every, srv->cfg.backup_keep);
	if (libwrite_start(srv->loop, dbpath) != 0) {
		fprintf(stderr, "hearthd: could not start the library's "
		    "writer thread\n");
		return 1;
	}
	free(dbpath);
	prio_latency("loop"); /* after the threads above: not inherited */
	if (sshd_listen(srv->cfg.listen_host, srv->cfg.listen_port, err,
	    sizeof err) != 0 ||
	    ctl_listen(srv->ctl_path, err, sizeof err) != 0) {
		fprintf(stderr, "hearthd: %s\n", err);
		return 1;
	}
	uv_signal_init(srv->loop, &sig_int);
	uv_signal_init(srv->loop, &sig_term);
	uv_signal_init(srv->loop, &sig_chld);
	uv_signal_start(&sig_int, on_signal, SIGINT);
	uv_signal_start(&sig_term, on_signal, SIGTERM);
	uv_signal_start(&sig_chld, reap, SIGCHLD);
	uv_timer_init(srv->loop, &stop_timer);
	uv_prepare_init(srv->loop, &stop_check);
	uv_timer_init(srv->loop, &lag_timer);
	uv_timer_start(&lag_timer, lag_tick, 10, 10);
	uv_unref((uv_handle_t *)&lag_timer);

	log_info(0, "hearthd %s listening on %s:%d, data in %s",
	    HEARTH_VERSION, srv->cfg.listen_host, srv->cfg.listen_port,
	    srv->cfg.data_dir);
	first_admin_invite();
	poll_sweep_start();
	event_remind_start();
	roadmap_remind_start();
	outreach_start();
	survey_sweep_start();
	if (mail_start(err, sizeof err) != 0) {
		fprintf(stderr, "hearthd: mail: %s\n", err);
		return 1;
	}
	room_restore();
	library_start();
	record_timers_start();
	printf("hearthd %s ready on %s:%d (data: %s)\n"
	    "  Connect:  ssh -p %d %s\n"
	    "  Admin:    %s/hearthctl --data %s member list\n"
	    "  Stop:     Ctrl-C\n",
	    HEARTH_VERSION, srv->cfg.listen_host, srv->cfg.listen_port,
	    srv->cfg.data_dir, srv->cfg.listen_port, srv->cfg.listen_host,
	    bindir, srv->cfg.data_dir);
	fflush(stdout);

	uv_run(srv->loop, UV_RUN_DEFAULT);
	dispatch_stop();
	uv_loop_close(srv->loop);
	db_close(srv->db);
	ssh_finalize();
	log_info(0, "stopped");
	free(srv->hostkey_path);
	free(srv->ctl_path);
	config_free(&srv->cfg);
	return 0;
}
