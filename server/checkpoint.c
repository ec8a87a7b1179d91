/*
 * checkpoint.c: WAL checkpoints off the loop. The writer connection has
 * automatic checkpoints turned off (a checkpoint copies megabytes back into
 * the database file and would stall every member); instead a timer asks a
 * thread-pool worker, on its own connection, for a PASSIVE checkpoint once a
 * second. PASSIVE never blocks the writer or readers.
 *
 * The WAL is bounded by wal_max_mb: the writer's journal_size_limit cuts
 * the file back to it whenever the writer starts the WAL over, and when a
 * tick finds the WAL over the limit, every frame already copied back and no
 * frame added since the tick before (writes have paused), the worker asks
 * for a TRUNCATE checkpoint, which empties the file. It holds the write
 * lock only to truncate (the frames are already copied) and gives up at
 * once if a reader or the writer is busy (no busy handler): it tries again
 * a second later.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	char pragma[64];

	ck_path = xstrdup(dbpath);
	ck_wal_path = xasprintf("%s-wal", dbpath);
	ck_wal_max = wal_max;
	db_exec(srv->db, "PRAGMA wal_autocheckpoint = 0");
	snprintf(pragma, sizeof pragma, "PRAGMA journal_size_limit = %lld",
	    (long long)wal_max);
	db_exec(srv->db, pragma);
	uv_timer_init(loop, &ck_timer);
	uv_timer_start(&ck_timer, ck_tick, 1000, 1000);
	uv_unref((uv_handle_t *)&ck_timer);
}

void
checkpoint_stop(void)
{
	ck_stopping = true;
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
