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
 * a second later.
 *
 * Scheduled backups are here too, as the other database work that runs in
 * the thread pool on a timer: every backup_every a worker copies the
 * database on its own read-only connection (backup_scheduled: one read
 * transaction, so the writer is never blocked; integrity-checked) into
 * DATA/backups and removes the oldest beyond backup_keep.
 */
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
static int ck_log, ck_done, ck_rc, ck_last_log, ck_last_done;
static int64_t ck_truncated; /* bytes the last TRUNCATE removed, or 0 */

/* The size of the -wal file, 0 if there is none. */
static int64_t
ck_wal_size(void)
{
	struct stat st;

	return stat(ck_wal_path, &st) == 0 ? (int64_t)st.st_size : 0;
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
			rc = sqlite3_wal_checkpoint_v2(ck_db, NULL,
			    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
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
		log_info(0, "checkpoint: WAL truncated, %lld KiB freed",
		    (long long)(ck_truncated / 1024));
	ck_last_log = ck_log;
	ck_last_done = ck_done;
	if (ck_stopping) {
		if (ck_db != NULL)
			sqlite3_close(ck_db);
		ck_db = NULL;
		free(ck_path);
		free(ck_wal_path);
		ck_path = ck_wal_path = NULL;
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
