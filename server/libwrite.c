/*
 * libwrite.c: the library's bulk writes on a thread of their own. A 50 MiB
 * upload is 200 chunks of 256 KiB; inserting each on the loop (and writing
 * it into the WAL at the turn's commit, where the kernel may make a writer
 * wait for its dirty pages) held every room and request behind it. Here a
 * thread, on its own connection to the same database, hashes each chunk
 * (SHA-256, in order: OpenSSL's, which uses the CPU's SHA instructions,
 * 1.7 GB/s here against 0.25 for common/sha256.c) and inserts it in a short transaction of its own,
 * and drops the chunks of contents no longer wanted a MiB at a time.
 *
 * The thread writes only inside the write gate (dispatch.c): the loop's
 * group transaction and the thread's never overlap, a member's write that
 * meets the thread's transaction waits in a queue instead of blocking the
 * loop, and the thread lets the loop go first whenever it is waiting.
 * Nothing the thread writes is visible to anyone: chunks belong to a blob
 * no version names until the upload's last transaction, on the loop, which
 * is synced before its reply (walsync.c syncs the whole WAL, these frames
 * with it).
 *
 * Jobs run in the order submitted; each comes back to the loop (done, via
 * an async handle) with its result.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* the plain SHA256_* calls */
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static struct {
	pthread_t thread;
	pthread_mutex_t mx;
	pthread_cond_t cv;
	struct lw_job *todo, **todo_tail;
	struct lw_job *done, **done_tail;
	bool stopping, started;
	uv_async_t async;
	char *path;
	sqlite3 *db; /* the thread's only */
	uint64_t jobs, busy_us; /* for admin.status */
	uint64_t queued; /* submitted, not done yet */
} lw = { .mx = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static int
lw_exec(const char *sql)
{
	return sqlite3_exec(lw.db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int
lw_open(void)
{
	char pragma[160];

	if (sqlite3_open_v2(lw.path, &lw.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_error(0, "library writer: cannot open %s: %s", lw.path,
		    lw.db != NULL ? sqlite3_errmsg(lw.db) : "out of memory");
		sqlite3_close(lw.db);
		lw.db = NULL;
		return -1;
	}
	/*
	 * No syncs (what it writes is synced by walsync.c's sync of the
	 * upload's last commit, or lost with an upload a crash ended anyway),
	 * never a checkpoint here (checkpoint.c's job), and never a cut of
	 * the WAL inside a COMMIT: an ftruncate of a WAL uploads grew to
	 * hundreds of MB takes 100-200 ms, and the loop may be waiting for
	 * the gate meanwhile. checkpoint.c empties it once writes pause.
	 */
	snprintf(pragma, sizeof pragma, "PRAGMA busy_timeout = 5000; "
	    "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF; "
	    "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = -1");
	return lw_exec(pragma);
}

/* One chunk, in its own transaction (the gate held). */
static int
lw_chunk(struct lw_job *j)
{
	sqlite3_stmt *ins = NULL, *sz = NULL;
	uint64_t t0;
	int rc = -1;

	if (sqlite3_prepare_v2(lw.db, "INSERT INTO library_chunks (blob_id, "
	    "seq, data) VALUES (?, ?, ?)", -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(lw.db, "UPDATE library_blobs SET size = size + "
	    "? WHERE id = ?", -1, &sz, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(ins, 1, j->blob_id);
	sqlite3_bind_int64(ins, 2, j->seq);
	sqlite3_bind_blob(ins, 3, j->data, (int)j->len, SQLITE_STATIC);
	sqlite3_bind_int64(sz, 1, (int64_t)j->len);
	sqlite3_bind_int64(sz, 2, j->blob_id);
	dispatch_gate_enter();
	t0 = uv_hrtime();
	if (lw_exec("BEGIN IMMEDIATE") == 0) {
		if (sqlite3_step(ins) == SQLITE_DONE &&
		    sqlite3_step(sz) == SQLITE_DONE &&
		    sqlite3_changes(lw.db) == 1 && lw_exec("COMMIT") == 0)
			rc = 0;
		else
			lw_exec("ROLLBACK");
	}
	if (rc != 0)
		snprintf(j->err, sizeof j->err, "%s", sqlite3_errmsg(lw.db));
	dispatch_gate_leave();
	t0 = (uv_hrtime() - t0) / 1000;
	if (t0 >= 10000)
		log_info(0, "library writer: a chunk's transaction took %.1f "
		    "ms", t0 / 1000.0);
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sz);
	return rc;
}

#define DROP_CHUNKS 4 /* a MiB a transaction */

/* Drop an unwanted arriving blob, a few chunks a transaction. */
static int
lw_drop(struct lw_job *j)
{
	sqlite3_stmt *del = NULL, *blob = NULL;
	int rc = -1, n;

	if (sqlite3_prepare_v2(lw.db, "DELETE FROM library_chunks WHERE id IN "
	    "(SELECT id FROM library_chunks WHERE blob_id = ? LIMIT ?)", -1,
	    &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(lw.db, "DELETE FROM library_blobs WHERE id = ? "
	    "AND sha256 IS NULL", -1, &blob, NULL) != SQLITE_OK)
		goto out;
	for (;;) {
		sqlite3_bind_int64(del, 1, j->blob_id);
		sqlite3_bind_int(del, 2, DROP_CHUNKS);
		dispatch_gate_enter();
		n = -1;
		if (lw_exec("BEGIN IMMEDIATE") == 0) {
			if (sqlite3_step(del) == SQLITE_DONE) {
				n = sqlite3_changes(lw.db);
				if (n == 0) {
					sqlite3_bind_int64(blob, 1, j->blob_id);
					if (sqlite3_step(blob) != SQLITE_DONE)
						n = -1;
				}
			}
			if (n < 0 || lw_exec("COMMIT") != 0) {
				lw_exec("ROLLBACK");
				n = -1;
			}
		}
		if (n < 0)
			snprintf(j->err, sizeof j->err, "%s",
			    sqlite3_errmsg(lw.db));
		dispatch_gate_leave();
		sqlite3_reset(del);
		sqlite3_reset(blob);
		if (n <= 0) {
			rc = n == 0 ? 0 : -1;
			break;
		}
		pthread_mutex_lock(&lw.mx);
		n = lw.stopping;
		pthread_mutex_unlock(&lw.mx);
		if (n)
			break; /* the sweep at the next start finishes it */
	}
out:
	sqlite3_finalize(del);
	sqlite3_finalize(blob);
	return rc;
}

static void *
lw_main(void *arg)
{
	struct lw_job *j;
	uint64_t t0;

	(void)arg;
	/* the loop's nice (the loop may wait for the gate it holds), the
	 * kernel's own slice */
	prio_background("library writer", 0);
	pthread_setname_np(pthread_self(), "hearthd-library"); /* after */
	for (;;) {
		pthread_mutex_lock(&lw.mx);
		while (lw.todo == NULL && !lw.stopping)
			pthread_cond_wait(&lw.cv, &lw.mx);
		if (lw.todo == NULL) {
			pthread_mutex_unlock(&lw.mx);
			break;
		}
		j = lw.todo;
		lw.todo = j->next;
		if (lw.todo == NULL)
			lw.todo_tail = &lw.todo;
		pthread_mutex_unlock(&lw.mx);

		t0 = uv_hrtime();
		if (lw.db == NULL && lw_open() != 0) {
			j->rc = -1;
			snprintf(j->err, sizeof j->err, "cannot open the "
			    "database");
		} else if (j->kind == LW_CHUNK) {
			if (j->sha != NULL)
				SHA256_Update(j->sha, j->data, j->len);
			j->rc = lw_chunk(j);
		} else
			j->rc = lw_drop(j);

		pthread_mutex_lock(&lw.mx);
		lw.jobs++;
		lw.queued--;
		lw.busy_us += (uv_hrtime() - t0) / 1000;
		j->next = NULL;
		*lw.done_tail = j;
		lw.done_tail = &j->next;
		pthread_mutex_unlock(&lw.mx);
		uv_async_send(&lw.async);
	}
	sqlite3_close(lw.db);
	lw.db = NULL;
	return NULL;
}

/* On the loop: the jobs done, in order. */
static void
lw_done_cb(uv_async_t *h)
{
	struct lw_job *list, *j;

	(void)h;
	pthread_mutex_lock(&lw.mx);
	list = lw.done;
	lw.done = NULL;
	lw.done_tail = &lw.done;
	pthread_mutex_unlock(&lw.mx);
	while ((j = list) != NULL) {
		list = j->next;
		if (j->rc != 0)
			log_error(0, "library writer: %s of content %lld "
			    "failed: %s", j->kind == LW_CHUNK ? "a chunk" :
			    "dropping", (long long)j->blob_id, j->err);
		j->done(j);
	}
}

int
libwrite_start(uv_loop_t *loop, const char *dbpath)
{
	lw.path = xstrdup(dbpath);
	lw.todo_tail = &lw.todo;
	lw.done_tail = &lw.done;
	uv_async_init(loop, &lw.async, lw_done_cb);
	uv_unref((uv_handle_t *)&lw.async);
	if (pthread_create(&lw.thread, NULL, lw_main, NULL) != 0)
		return -1;
	lw.started = true;
	return 0;
}

void
libwrite_submit(struct lw_job *j)
{
	j->next = NULL;
	j->rc = 0;
	j->err[0] = '\0';
	pthread_mutex_lock(&lw.mx);
	lw.queued++;
	*lw.todo_tail = j;
	lw.todo_tail = &j->next;
	pthread_cond_signal(&lw.cv);
	pthread_mutex_unlock(&lw.mx);
}

void
libwrite_stats(uint64_t *jobs, uint64_t *busy_us, uint64_t *queued)
{
	pthread_mutex_lock(&lw.mx);
	*jobs = lw.jobs;
	*busy_us = lw.busy_us;
	*queued = lw.queued;
	pthread_mutex_unlock(&lw.mx);
}

/*
 * At shutdown, after the last group commit: the job under way finishes,
 * the rest are dropped (what they would have stored belongs to uploads
 * that end unfinished; the sweep at the next start deletes it).
 */
void
libwrite_stop(void)
{
	struct lw_job *j;

	if (!lw.started)
		return;
	dispatch_gate_close(); /* a thread waiting for the loop goes on */
	pthread_mutex_lock(&lw.mx);
	lw.stopping = true;
	j = lw.todo;
	lw.todo = NULL;
	lw.todo_tail = &lw.todo;
	pthread_cond_broadcast(&lw.cv);
	pthread_mutex_unlock(&lw.mx);
	pthread_join(lw.thread, NULL);
	lw.started = false;
	for (struct lw_job *n; j != NULL; j = n) {
		n = j->next;
		j->rc = -1;
		snprintf(j->err, sizeof j->err, "the server is stopping");
		j->done(j);
	}
	lw_done_cb(NULL);
	free(lw.path);
	lw.path = NULL;
}
