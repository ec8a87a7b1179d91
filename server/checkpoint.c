/*
 * checkpoint.c: WAL checkpoints off the loop. The writer connection has
 * automatic checkpoints turned off (a checkpoint copies megabytes back into
 * the database file and would stall every member); instead a timer asks a
 * thread-pool worker, on its own connection, for a PASSIVE checkpoint once a
 * second. PASSIVE never blocks the writer or readers.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

static uv_timer_t ck_timer;
static uv_work_t ck_work;
static bool ck_busy;
static bool ck_stopping;
static sqlite3 *ck_db; /* used only by the one worker in flight */
static char *ck_path;
static int ck_log, ck_done, ck_rc, ck_last_log, ck_last_done;

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
	ck_last_log = ck_log;
	ck_last_done = ck_done;
	if (ck_stopping) {
		if (ck_db != NULL)
			sqlite3_close(ck_db);
		ck_db = NULL;
		free(ck_path);
		ck_path = NULL;
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
checkpoint_start(uv_loop_t *loop, const char *dbpath)
{
	ck_path = xstrdup(dbpath);
	db_exec(srv->db, "PRAGMA wal_autocheckpoint = 0");
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
	ck_path = NULL;
}
