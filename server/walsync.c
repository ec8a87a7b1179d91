/*
 * walsync.c: the WAL's sync, off the loop thread.
 *
 * With `synchronous = FULL` an ok must survive a power loss. SQLite's own
 * FULL syncs the WAL inside COMMIT, on the loop thread, so every group
 * commit stopped the loop for as long as the disk took (tens of ms under a
 * backup's writes). Instead the writer runs at OFF (COMMIT writes the
 * WAL's frames, no sync; at NORMAL SQLite would still sync the WAL's
 * header on the loop whenever a commit starts the WAL over) and this
 * thread makes them durable with
 * fdatasync(2) on the WAL file; dispatch.c holds every reply and event of
 * a commit until the sync that covers it is done. One sync covers every
 * commit before it started, so commits that meet one in flight share the
 * next (the group commit, pipelined).
 *
 * SQLite keeps no locks on the -wal file (they are on -shm), so our own
 * descriptor cannot drop one; it is reopened if the file was replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

static struct {
	uv_thread_t thread;
	uv_mutex_t mu;
	uv_cond_t cv;
	uv_async_t async;
	bool running, stop;
	bool want; /* a sync asked for and not started */
	uint64_t want_seq, done_seq; /* the commit each covers */
	int err; /* errno of a failed sync, 0 if none */
	uint64_t count, max_us, total_us; /* syncs done, for admin.status */
	char *path; /* DATA/hearth.db-wal */
	int fd;
	void (*done)(uint64_t);
	/* Tests: while the file HEARTH_TEST_SLOW_SYNC names exists, each
	 * sync takes at least the milliseconds it holds, up to 10 s (a slow
	 * disk). */
	char *slow_path;
} ws = { .fd = -1 };

/* Sync the WAL's data to the disk; errno on failure. */
static int
sync_wal(void)
{
	struct stat a, b;

	if (ws.fd >= 0 && (fstat(ws.fd, &a) != 0 || stat(ws.path, &b) != 0 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
		close(ws.fd);
		ws.fd = -1;
	}
	if (ws.fd < 0) {
		ws.fd = open(ws.path, O_RDONLY | O_CLOEXEC);
		if (ws.fd < 0)
			return errno == ENOENT ? 0 : errno; /* nothing written */
	}
	return fdatasync(ws.fd) == 0 ? 0 : errno;
}

static void
slow_disk(void)
{
	char b[16] = "";
	FILE *f = fopen(ws.slow_path, "r");

	if (f == NULL)
		return;
	if (fgets(b, sizeof b, f) != NULL) {
		unsigned long ms = strtoul(b, NULL, 10);

		uv_sleep((unsigned)(ms < 10000 ? ms : 10000)); /* 10 s at most */
	}
	fclose(f);
}

static void
sync_main(void *arg)
{
	uint64_t seq, t0;
	int err;

	(void)arg;
	pthread_setname_np(pthread_self(), "hearthd-walsync");
	uv_mutex_lock(&ws.mu);
	for (;;) {
		while (!ws.want && !ws.stop)
			uv_cond_wait(&ws.cv, &ws.mu);
		if (!ws.want)
			break;
		seq = ws.want_seq;
		ws.want = false;
		uv_mutex_unlock(&ws.mu);
		t0 = uv_hrtime();
		err = sync_wal();
		if (err != 0) /* once more: a transient error is not a loss */
			err = sync_wal();
		if (ws.slow_path != NULL)
			slow_disk();
		t0 = (uv_hrtime() - t0) / 1000;
		uv_mutex_lock(&ws.mu);
		ws.count++;
		ws.total_us += t0;
		if (t0 > ws.max_us)
			ws.max_us = t0;
		if (err != 0 && ws.err == 0)
			ws.err = err;
		else if (err == 0)
			ws.done_seq = seq;
		uv_async_send(&ws.async);
	}
	uv_mutex_unlock(&ws.mu);
}

static void
async_cb(uv_async_t *h)
{
	uint64_t seq;
	int err;

	(void)h;
	uv_mutex_lock(&ws.mu);
	seq = ws.done_seq;
	err = ws.err;
	uv_mutex_unlock(&ws.mu);
	/*
	 * The replies it holds cannot say ok, and the commit cannot be taken
	 * back: stop, as a database must when the disk loses a sync; what
	 * the disk kept is what was answered.
	 */
	if (err != 0)
		fatal("could not sync %s to the disk: %s; stopping (nothing "
		    "unsynced was acknowledged)", ws.path, strerror(err));
	ws.done(seq);
}

int
walsync_start(uv_loop_t *loop, const char *db_path, void (*done)(uint64_t))
{
	const char *slow = getenv("HEARTH_TEST_SLOW_SYNC");

	ws.path = xasprintf("%s-wal", db_path);
	ws.done = done;
	if (slow != NULL && *slow != '\0')
		ws.slow_path = xstrdup(slow);
	if (uv_mutex_init(&ws.mu) != 0 || uv_cond_init(&ws.cv) != 0 ||
	    uv_async_init(loop, &ws.async, async_cb) != 0)
		return -1;
	uv_unref((uv_handle_t *)&ws.async);
	if (uv_thread_create(&ws.thread, sync_main, NULL) != 0)
		return -1;
	ws.running = true;
	return 0;
}

void
walsync_stats(uint64_t *count, uint64_t *max_us, uint64_t *total_us,
    bool reset)
{
	uv_mutex_lock(&ws.mu);
	*count = ws.count;
	*max_us = ws.max_us;
	*total_us = ws.total_us;
	if (reset)
		ws.count = ws.max_us = ws.total_us = 0;
	uv_mutex_unlock(&ws.mu);
}

bool
walsync_active(void)
{
	return ws.running;
}

void
walsync_request(uint64_t seq)
{
	uv_mutex_lock(&ws.mu);
	ws.want = true;
	ws.want_seq = seq;
	uv_cond_signal(&ws.cv);
	uv_mutex_unlock(&ws.mu);
}

int
walsync_stop(void)
{
	int err;

	if (!ws.running)
		return 0;
	uv_mutex_lock(&ws.mu);
	ws.stop = true;
	ws.want = false;
	uv_cond_signal(&ws.cv);
	uv_mutex_unlock(&ws.mu);
	uv_thread_join(&ws.thread);
	ws.running = false;
	if (!uv_is_closing((uv_handle_t *)&ws.async))
		uv_close((uv_handle_t *)&ws.async, NULL);
	/* The last commits, on this thread: nothing is left to overlap. */
	err = sync_wal();
	if (ws.fd >= 0)
		close(ws.fd);
	ws.fd = -1;
	return err;
}
