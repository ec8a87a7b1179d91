/*
 * checkpoint.c: WAL checkpoints off the loop. The writer connection has
 * automatic checkpoints turned off (a checkpoint copies megabytes back into
 * the database file and would stall every member); instead a timer asks a
 * thread-pool worker, on its own connection, for a PASSIVE checkpoint once a
 * second. PASSIVE never blocks the writer or readers.
 *
 * The WAL is bounded by wal_max_mb: when a tick finds the WAL over the
 * limit, every frame already copied back and no frame added since the tick
 * before (writes have paused), the worker asks for a TRUNCATE checkpoint,
 * which empties the file. No writer cuts it inside a COMMIT
 * (journal_size_limit): an ftruncate of a WAL a few uploads grew to
 * hundreds of MB took 120-230 ms of the loop. It holds the write
 * lock only to truncate (the frames are already copied) and gives up at
 * once if a reader or the writer is busy (no busy handler): it tries again
 * a second later. A TRUNCATE of 1-2 GB in one piece held the WAL's write
 * lock 250-650 ms, with the loop asleep in SQLite's busy handler for its
 * next write; now the WAL's cached pages are dropped first (no lock
 * held), the file is cut down 32 MB a step, each step inside the write
 * gate (dispatch.c: a member's write meanwhile waits in the loop's queue),
 * and SQLite's TRUNCATE, inside the gate too, cuts only the rest (when
 * writes come back between the steps, the next pause finishes the job).
 *
 * Scheduled backups are here too, as the other database work that runs in
 * the thread pool on a timer: every backup_every a worker copies the
 * database on its own read-only connection (backup_scheduled: one read
 * transaction, so the writer is never blocked; integrity-checked) into
 * DATA/backups and removes the oldest beyond backup_keep.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

static uv_timer_t ck_timer;
static uv_work_t ck_work;
static bool ck_busy;
static bool ck_stopping;
static sqlite3 *ck_db; /* used only by the one worker in flight */
static char *ck_path, *ck_wal_path;
static int64_t ck_wal_max;
static char *ck_shm_path;
static int ck_log, ck_done, ck_rc, ck_last_log, ck_last_done;
static int64_t ck_truncated; /* bytes the last TRUNCATE removed, or 0 */
static uint64_t ck_truncate_us; /* and the time it took */
static uint64_t ck_uncache_us; /* and the WAL's uncaching before it */
static int ck_steps; /* and the gate holds that cut it down */
static uint64_t ck_step_max_us; /* the longest of them */

/* The size of the -wal file, 0 if there is none. */
static int64_t
ck_wal_size(void)
{
	struct stat st;

	return stat(ck_wal_path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/*
 * Every frame of the WAL is in the database file: drop the WAL's pages
 * from the kernel's cache first, holding no lock. Freeing a GB of cached
 * pages inside the truncate took 250-650 ms, all of it with the WAL's
 * write lock held, while the loop's next write waited for it.
 */
static void
ck_wal_uncache(void)
{
	uint64_t t0 = uv_hrtime();
	int fd = open(ck_wal_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	ck_uncache_us = (uv_hrtime() - t0) / 1000;
}

#define CK_STEP (32LL * 1024 * 1024) /* the WAL cut a gate hold, at most */

/*
 * The WAL's frames and how many of them are in the database, from the
 * wal-index header in the -shm file (sqlite.org/walformat.html: mxFrame
 * at byte 16 and the page size at 14 of the header's first copy,
 * nBackfill at 96), read while this connection holds the WAL's write
 * lock, so no writer changes them meanwhile.
 */
static int
ck_wal_frames(uint32_t *frames, uint32_t *backfilled, uint32_t *page)
{
	uint8_t h[100];
	uint16_t sz;
	int fd = open(ck_shm_path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, h, sizeof h, 0);
	close(fd);
	if (n != (ssize_t)sizeof h || memcmp(h, h + 48, 48) != 0)
		return -1; /* not there, or a header being changed */
	memcpy(&sz, h + 14, 2);
	memcpy(frames, h + 16, 4);
	memcpy(backfilled, h + 96, 4);
	*page = sz == 1 ? 65536 : sz;
	return *page >= 512 ? 0 : -1;
}

/*
 * One step inside the write gate, holding the WAL's write lock (BEGIN
 * IMMEDIATE: no other program's writer either): restart the WAL if every
 * frame is in the database (a write of the unchanged user_version, whose
 * one frame then goes at the WAL's start: SQLite starts the WAL over
 * there when no reader is using it), or cut up to CK_STEP off its end,
 * never below its frames (no reader reads past them). False: nothing
 * more to do.
 */
static bool
ck_wal_step(bool restart)
{
	uint32_t frames, backfilled, page;
	int64_t size, keep;
	bool more = false;
	char sql[64];

	dispatch_gate_enter();
	if (sqlite3_exec(ck_db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		dispatch_gate_leave();
		return false;
	}
	if (ck_wal_frames(&frames, &backfilled, &page) == 0) {
		keep = 32 + (int64_t)frames * (page + 24);
		size = ck_wal_size();
		if (restart) {
			snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
			    db_schema_version(ck_db));
			if (frames > 1 && backfilled == frames &&
			    keep + CK_STEP >= size)
				more = size > 3 * CK_STEP &&
				    sqlite3_exec(ck_db, sql, NULL, NULL,
				    NULL) == SQLITE_OK && sqlite3_exec(ck_db,
				    "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
			else /* a writer started it over already */
				more = size - CK_STEP >= keep;
		} else
			more = size - CK_STEP >= keep &&
			    truncate(ck_wal_path, size - CK_STEP) == 0;
	}
	if (sqlite3_get_autocommit(ck_db) == 0)
		sqlite3_exec(ck_db, "ROLLBACK", NULL, NULL, NULL);
	dispatch_gate_leave();
	return more;
}

/*
 * Cut an emptied WAL down in steps before SQLite's TRUNCATE, each a short
 * hold of the write gate (ck_wal_step). Truncating 1-2 GB in one piece
 * held the WAL's write lock 100-300 ms even with its pages uncached, and
 * a server write on the loop (dispatch_server) waits for the gate; a
 * 32 MB step takes 5-15 ms.
 */
static void
ck_wal_shrink(void)
{
	ck_steps = 0;
	ck_step_max_us = 0;
	if (!ck_wal_step(true))
		return;
	for (;;) {
		uint64_t t0 = uv_hrtime();
		bool more = ck_wal_step(false);

		t0 = (uv_hrtime() - t0) / 1000;
		if (t0 > ck_step_max_us)
			ck_step_max_us = t0;
		if (!more)
			return;
		ck_steps++;
	}
}

static void
ck_run(uv_work_t *w)
{
	worker_background();
	if (ck_db == NULL && (ck_rc = sqlite3_open_v2(ck_path, &ck_db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		sqlite3_close(ck_db);
		ck_db = NULL;
		ck_log = ck_done = -1;
		return;
	}
	sqlite3_busy_timeout(ck_db, 0);
	/* the copy is synced before the WAL may start over (the writers
	 * run without syncs: walsync.c) */
	sqlite3_exec(ck_db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	/*
	 * A connection that has not read the database yet does not know it
	 * is in WAL mode, and its checkpoint does nothing (-1 frames): read
	 * the header first.
	 */
	sqlite3_exec(ck_db, "PRAGMA schema_version", NULL, NULL, NULL);
	ck_rc = sqlite3_wal_checkpoint_v2(ck_db, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &ck_log, &ck_done);
	if (ck_rc != SQLITE_OK)
		ck_log = ck_done = -1;
	ck_truncated = 0;
	if (ck_rc == SQLITE_OK && ck_log > 0 && ck_done == ck_log &&
	    ck_log == ck_last_log) {
		int64_t size = ck_wal_size();
		int rc;

		if (size > ck_wal_max) {
			uint64_t t0;

			ck_wal_uncache();
			ck_wal_shrink();
			/*
			 * The rest, when little is left (writes that came
			 * back between the steps stop them: the next pause
			 * goes on), inside the write gate: a member's write
			 * meanwhile waits in the loop's queue, not in SQLite's
			 * busy handler with the whole loop asleep.
			 */
			if (ck_wal_size() > 3 * CK_STEP)
				rc = SQLITE_BUSY;
			else {
				dispatch_gate_enter();
				t0 = uv_hrtime();
				rc = sqlite3_wal_checkpoint_v2(ck_db, NULL,
				    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
				ck_truncate_us = (uv_hrtime() - t0) / 1000;
				dispatch_gate_leave();
			}
			if (rc == SQLITE_OK)
				ck_truncated = size - ck_wal_size();
			else if (rc != SQLITE_BUSY)
				ck_rc = rc;
		}
	}
	if (ck_stopping) {
		sqlite3_close(ck_db);
		ck_db = NULL;
	}
}

static void
ck_after(uv_work_t *w, int status)
{
	ck_busy = false;
	if (ck_rc != SQLITE_OK)
		log_warn(0, "checkpoint failed: %s", sqlite3_errstr(ck_rc));
	if (ck_log > 0 && (ck_log != ck_last_log || ck_done != ck_last_done))
		log_debug(0, "checkpoint: %d of %d WAL frames", ck_done, ck_log);
	if (ck_truncated > 0)
		log_info(0, "checkpoint: WAL truncated, %lld KiB freed: "
		    "uncached in %.1f ms, cut in %d steps of at most %.1f ms "
		    "in the write gate, the rest in %.1f ms",
		    (long long)(ck_truncated / 1024), ck_uncache_us / 1000.0,
		    ck_steps, ck_step_max_us / 1000.0,
		    ck_truncate_us / 1000.0);
	ck_last_log = ck_log;
	ck_last_done = ck_done;
	if (ck_stopping) {
		if (ck_db != NULL)
			sqlite3_close(ck_db);
		ck_db = NULL;
		free(ck_path);
		free(ck_wal_path);
		free(ck_shm_path);
		ck_path = ck_wal_path = ck_shm_path = NULL;
	}
}

static void
ck_tick(uv_timer_t *t)
{
	if (ck_busy || ck_stopping)
		return;
	ck_busy = true;
	uv_queue_work(t->loop, &ck_work, ck_run, ck_after);
}

void
checkpoint_start(uv_loop_t *loop, const char *dbpath, int64_t wal_max)
{
	ck_path = xstrdup(dbpath);
	ck_wal_path = xasprintf("%s-wal", dbpath);
	ck_shm_path = xasprintf("%s-shm", dbpath);
	ck_wal_max = wal_max;
	db_exec(srv->db, "PRAGMA wal_autocheckpoint = 0");
	uv_timer_init(loop, &ck_timer);
	uv_timer_start(&ck_timer, ck_tick, 1000, 1000);
	uv_unref((uv_handle_t *)&ck_timer);
}

static uv_timer_t bk_timer;
static uv_work_t bk_work;
static bool bk_started, bk_busy;
static char *bk_dbpath, *bk_dir, *bk_made, bk_err[512];
static double bk_every;
static int bk_keep, bk_pruned;
static uint64_t bk_t0;

/*
 * On a pool thread, at the lowest priority while it copies and checks (it
 * may take seconds of CPU; members' requests may not wait for it), then
 * back at the pool's usual background priority.
 */
static void
bk_run(uv_work_t *w)
{
	worker_background();
	setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
	bk_made = backup_scheduled(bk_dbpath, bk_dir, bk_keep, &bk_pruned,
	    bk_err, sizeof bk_err);
	setpriority(PRIO_PROCESS, (id_t)gettid(), 5);
}

static void
bk_free(void)
{
	free(bk_dbpath);
	free(bk_dir);
	bk_dbpath = bk_dir = NULL;
}

static void
bk_after(uv_work_t *w, int status)
{
	bk_busy = false;
	if (status == UV_ECANCELED)
		log_info(0, "scheduled backup cancelled: shutting down");
	else if (bk_made == NULL)
		log_error(0, "scheduled backup failed: %s", bk_err);
	else
		log_info(0, "scheduled backup %s written and checked in %.1f "
		    "s; %d old one(s) removed", bk_made,
		    (now_ms() - bk_t0) / 1000.0, bk_pruned);
	free(bk_made);
	bk_made = NULL;
	if (ck_stopping)
		bk_free();
}

static void
bk_tick(uv_timer_t *t)
{
	if (ck_stopping)
		return;
	if (!bk_busy) {
		bk_busy = true;
		bk_t0 = now_ms();
		uv_queue_work(t->loop, &bk_work, bk_run, bk_after);
	}
	uv_timer_start(&bk_timer, bk_tick, (uint64_t)(bk_every * 1000), 0);
}

void
checkpoint_backups_start(uv_loop_t *loop, const char *dbpath,
    const char *data_dir, double every, int keep)
{
	int64_t newest, due_ms;

	if (every <= 0)
		return;
	bk_dbpath = xstrdup(dbpath);
	bk_dir = backup_dir(data_dir);
	bk_every = every;
	bk_keep = keep;
	newest = backup_newest_scheduled(bk_dir);
	due_ms = (int64_t)(every * 1000);
	if (newest > 0) {
		due_ms = (int64_t)((newest + every - (double)now_unix()) * 1000);
		if (due_ms < 0)
			due_ms = 0;
	}
	uv_timer_init(loop, &bk_timer);
	uv_timer_start(&bk_timer, bk_tick, (uint64_t)due_ms, 0);
	uv_unref((uv_handle_t *)&bk_timer);
	bk_started = true;
	log_info(0, "scheduled backups every %.0f s into %s (newest %d kept); "
	    "the next in %.0f s", every, bk_dir, keep, due_ms / 1000.0);
}

void
checkpoint_stop(void)
{
	ck_stopping = true;
	if (bk_started) {
		if (!uv_is_closing((uv_handle_t *)&bk_timer))
			uv_close((uv_handle_t *)&bk_timer, NULL);
		if (bk_busy)
			uv_cancel((uv_req_t *)&bk_work);
		else
			bk_free();
	}
	if (!uv_is_closing((uv_handle_t *)&ck_timer))
		uv_close((uv_handle_t *)&ck_timer, NULL);
	if (ck_busy)
		return; /* ck_after closes and frees */
	if (ck_db != NULL)
		sqlite3_close(ck_db);
	ck_db = NULL;
	free(ck_path);
	free(ck_wal_path);
	ck_path = ck_wal_path = NULL;
}
