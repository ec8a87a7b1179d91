/*
 * readpool.c: a read operation's SQL off the loop thread (server.h,
 * read_async). The handler decides access on the loop thread and hands
 * over a work function; that runs in the libuv thread pool on a read-only
 * connection of the pool's (the FTS tokenizer registered, as db_open does),
 * and the reply follows with dispatch_reply_later, as op-health.c and
 * op-search.c do it. The work is queued once the group transaction open
 * now (if any) has committed (dispatch_after_sync), so a read pipelined
 * behind a write sees it, as it did on the loop.
 *
 * Threads: read_start, read_done and the finish functions run on the loop
 * thread; read_work and the work functions on a pool thread with only
 * their struct readjob. The connection pool is the only state they share
 * and is guarded by a mutex.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* in the whole server (a conn has one at a time: read_waits) */
#define READ_INFLIGHT_MAX 256
#define READ_CONNS_MAX 8
#define READ_PRAGMAS "PRAGMA mmap_size = 1073741824; " \
	"PRAGMA temp_store = MEMORY"

struct readjob {
	uv_work_t req;
	struct conn *conn;
	json_int_t id;
	bool has_id;
	bool search; /* counts among the member's searches running */
	const char *name; /* the op, for the log */
	read_work_fn work;
	void (*finish)(json_t *, void *);
	void *arg;
	void (*arg_free)(void *);
	bool in_handler; /* read_start runs inside the handler */
	bool queued;
	uint64_t queued_ns, started_ns, ended_ns;
	json_t *result;
	enum proto_err err;
	char msg[256];
	struct readjob *next, *prev; /* waiting (loop thread only) */
};

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *conns[READ_CONNS_MAX];
static int conns_len;
static char *db_path; /* set once on the loop thread before any work */
static int inflight; /* loop thread only */
static struct readjob *waiting; /* loop thread only */

/* At exit: close the pooled connections. */
static void
conns_close(void)
{
	pthread_mutex_lock(&conns_lock);
	while (conns_len > 0)
		sqlite3_close(conns[--conns_len]);
	pthread_mutex_unlock(&conns_lock);
	free(db_path);
	db_path = NULL;
}

/* A read-only connection from the pool, opened if none is free (worker). */
static sqlite3 *
conn_get(char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	pthread_mutex_lock(&conns_lock);
	if (conns_len > 0)
		db = conns[--conns_len];
	pthread_mutex_unlock(&conns_lock);
	if (db != NULL)
		return db;
	tokenizer_auto(); /* the tables' tokenizer (done already by db_open) */
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", db != NULL ? sqlite3_errmsg(db) :
		    "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	sqlite3_exec(db, READ_PRAGMAS, NULL, NULL, NULL);
	return db;
}

/* Give a connection back to the pool (worker). */
static void
conn_put(sqlite3 *db)
{
	pthread_mutex_lock(&conns_lock);
	if (conns_len < READ_CONNS_MAX) {
		conns[conns_len++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&conns_lock);
	sqlite3_close(db);
}

static void
read_work(uv_work_t *req)
{
	struct readjob *j = req->data;
	sqlite3 *db;

	worker_background();
	j->started_ns = uv_hrtime();
	if ((db = conn_get(j->msg, sizeof j->msg)) == NULL) {
		j->err = ERR_UNAVAILABLE;
		j->ended_ns = uv_hrtime();
		return;
	}
	j->result = j->work(db, j->arg, &j->err, j->msg, sizeof j->msg);
	/* a statement the work left unfinished must not pin a snapshot */
	for (sqlite3_stmt *st = NULL; (st = sqlite3_next_stmt(db, st)) !=
	    NULL;)
		sqlite3_reset(st);
	conn_put(db);
	j->ended_ns = uv_hrtime();
}

static void
job_free(struct readjob *j)
{
	if (j->arg_free != NULL)
		j->arg_free(j->arg);
	free(j);
}

bool
read_waits(const struct conn *c)
{
	for (const struct readjob *j = waiting; j != NULL; j = j->next)
		if (j->conn == c)
			return true;
	return false;
}

/*
 * Back on the loop thread: finish, answer, go on with the conn's requests
 * that waited behind this one, then let the conn go.
 */
static void
read_done(uv_work_t *req, int status)
{
	struct readjob *j = req->data;
	struct conn *c = j->conn;

	inflight--;
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		waiting = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	if (status != 0 && j->result == NULL) {
		j->err = ERR_UNAVAILABLE;
		snprintf(j->msg, sizeof j->msg, "The request was cancelled; "
		    "try again.");
	}
	if (j->result == NULL && j->err == ERR_INTERNAL)
		log_error(j->conn->id, "%s: %s", j->name, j->msg);
	if (j->result != NULL && j->finish != NULL && !j->conn->freed)
		j->finish(j->result, j->arg);
	if (!j->conn->freed)
		log_debug(j->conn->id, "%s %s off the loop: waited %.1f ms, "
		    "ran %.1f ms", j->name, j->result != NULL ? "ok" :
		    proto_err_name(j->err),
		    (j->started_ns - j->queued_ns) / 1e6,
		    (j->ended_ns - j->started_ns) / 1e6);
	if (j->search)
		rate_running(j->conn, -1);
	dispatch_reply_later(c, j->id, j->has_id, j->result, j->err, j->msg);
	job_free(j);
	if (!c->freed && !c->closing)
		conn_input(c, NULL, 0); /* what it sent meanwhile; EOF */
	conn_release(c);
}

/* Once what came before is committed: into the thread pool. */
static void
read_start(void *arg, bool ok)
{
	struct readjob *j = arg;
	int rc;

	(void)ok; /* a failed commit changed nothing: read what is there */
	j->queued_ns = uv_hrtime();
	if ((rc = uv_queue_work(srv->loop, &j->req, read_work,
	    read_done)) == 0) {
		j->queued = true;
		return;
	}
	snprintf(j->msg, sizeof j->msg, "unavailable: %s", uv_strerror(rc));
	if (j->in_handler)
		return; /* read_async fails the call */
	/* as read_done would answer a cancelled one */
	j->err = ERR_UNAVAILABLE;
	j->started_ns = j->ended_ns = j->queued_ns;
	read_done(&j->req, UV_ECANCELED);
}

int
read_async(struct call *x, read_work_fn work,
    void (*finish)(json_t *, void *), void *arg, void (*arg_free)(void *),
    bool search)
{
	struct readjob *j;

	if (inflight >= READ_INFLIGHT_MAX) {
		if (arg_free != NULL)
			arg_free(arg);
		return call_fail(x, ERR_UNAVAILABLE, "The server is busy "
		    "reading; try again in a moment.");
	}
	if (db_path == NULL) {
		db_path = xasprintf("%s/hearth.db", srv->cfg.data_dir);
		atexit(conns_close);
	}
	j = xcalloc(1, sizeof *j);
	j->req.data = j;
	j->conn = x->conn;
	j->id = x->req->id;
	j->has_id = x->req->has_id;
	j->search = search;
	j->name = dispatch_find(x->req->op) != NULL ?
	    dispatch_find(x->req->op)->name : "read"; /* static: outlives req */
	j->work = work;
	j->finish = finish;
	j->arg = arg;
	j->arg_free = arg_free;
	j->in_handler = true;
	dispatch_after_sync(read_start, j);
	j->in_handler = false;
	if (!j->queued && j->msg[0] != '\0') {
		/* it ran at once and could not be queued */
		(void)call_fail(x, ERR_UNAVAILABLE, "%s", j->msg);
		job_free(j);
		return -1;
	}
	/* j is queued, or waits for the commit */
	inflight++;
	j->next = waiting;
	if (waiting != NULL)
		waiting->prev = j;
	waiting = j;
	conn_hold(x->conn);
	if (search)
		rate_running(x->conn, 1);
	return 1;
}
