/*
 * dispatch.c: the operation table. Every request line passes through
 * dispatch_line: parse, look up, authorize (authz_op), check the arguments
 * against the op's spec and take a token of its rate class (rate.c), then
 * the handler, inside the turn's group transaction when the operation
 * writes. The reply is queued only after the commit, so "ok" means the data
 * is on disk, and so are the effects (outbox.c) the handler left for others.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <pthread.h>
#include <sys/statvfs.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"


static const struct op *all_ops[256];
static size_t all_ops_len;

/* An entry without a rate class or an argument spec stops the server. */
static void
op_check(const struct op *o)
{
	const char *why;

	if (o->rate <= RATE_UNSET || o->rate >= RATE_CLASSES)
		fatal("operation %s has no rate class", o->name);
	if (o->args == NULL)
		fatal("operation %s has no argument spec (ARGS or NO_ARGS)",
		    o->name);
	if ((why = arg_spec_invalid(o->args)) != NULL)
		fatal("operation %s: the argument spec has %s", o->name, why);
	for (size_t i = 0; i < all_ops_len; i++) {
		if (strcmp(all_ops[i]->name, o->name) == 0)
			fatal("operation %s is in the table twice", o->name);
	}
}

/* Build the flat list of operations from the per-area tables once. */
static void
ops_init(void)
{
	const struct op *tables[] = { op_session_table, op_community_table,
		op_thread_table, op_post_table, op_roundup_table,
		op_profile_table, op_poll_table, op_search_table,
		op_notify_table, op_event_table, op_room_table,
		op_record_table, op_expert_table, op_admin_table,
		op_membership_table, op_moderate_table, op_device_table,
		op_health_table, op_goal_table, op_draft_table,
		op_where_table, op_message_table, op_survey_table,
		op_roadmap_table, op_persona_table, op_email_table,
		op_library_table, op_libknow_table,
		op_libbin_table, op_libxfer_table };

	if (all_ops_len != 0)
		return;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		for (const struct op *o = tables[t]; o->name != NULL; o++) {
			if (all_ops_len + 1 >= sizeof all_ops / sizeof all_ops[0])
				fatal("%s: too many operations", __func__);
			op_check(o);
			all_ops[all_ops_len++] = o;
		}
	}
	all_ops[all_ops_len] = NULL;
}

const struct op *
dispatch_find(const char *name)
{
	ops_init();
	for (size_t i = 0; i < all_ops_len; i++) {
		if (strcmp(all_ops[i]->name, name) == 0)
			return all_ops[i];
	}
	return NULL;
}

const struct op *const *
dispatch_table(void)
{
	ops_init();
	return all_ops;
}

/* An OP_WRITE_IF op: will this call write? (Unknown ones: yes.) */
static bool
op_writes(const struct op *op, struct call *x)
{
	if (strcmp(op->name, "room.say") == 0)
		return getenv("HEARTH_SAY_TX") != NULL ? true : room_say_writes(x);
	return true;
}

int
call_fail(struct call *x, enum proto_err err, const char *fmt, ...)
{
	va_list ap;

	x->err = err;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * After a write error that does not say why (SQLite reports ENOSPC as
 * SQLITE_FULL, but a write past the file size limit, EFBIG, as a plain
 * write error): true if the data directory's file system has less than
 * 1 MiB left for us, or the database or its WAL has reached our
 * RLIMIT_FSIZE.
 */
static bool
disk_full_now(void)
{
	static const char *const files[] = { "hearth.db", "hearth.db-wal" };
	struct statvfs vfs;
	struct rlimit rl;
	struct stat st;
	char path[4096];

	if (statvfs(srv->cfg.data_dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < (1u << 20))
		return true;
	if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return false;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", srv->cfg.data_dir,
		    files[i]);
		if (stat(path, &st) == 0 &&
		    (uint64_t)st.st_size + 65536 >= (uint64_t)rl.rlim_cur)
			return true;
	}
	return false;
}

/*
 * If the database's last error is the disk refusing a write (full, over
 * the file size limit, or failing), what to tell the member: it is
 * unavailable, not internal, since they can only wait. NULL otherwise.
 * Call it at once after the failure, before anything else touches the
 * database.
 */
static const char *
disk_refusal(void)
{
	int xrc = sqlite3_extended_errcode(srv->db);

	if (xrc != SQLITE_FULL && xrc != SQLITE_IOERR_WRITE &&
	    xrc != SQLITE_IOERR_FSYNC && xrc != SQLITE_IOERR_TRUNCATE &&
	    xrc != SQLITE_IOERR_DIR_FSYNC)
		return NULL;
	if (xrc == SQLITE_FULL || disk_full_now())
		return "the server's disk is full; nothing was saved";
	return "the server could not write to its disk; nothing was saved";
}

/* A failed write's error, told by disk_refusal (why) or internal. */
static int
write_fail(struct call *x, const char *why)
{
	if (why != NULL)
		return call_fail(x, ERR_UNAVAILABLE, "%s", why);
	return call_fail(x, ERR_INTERNAL, "could not save; nothing was "
	    "changed");
}

int
call_db_fail(struct call *x)
{
	const char *why = disk_refusal();

	if (why != NULL)
		return call_fail(x, ERR_UNAVAILABLE, "%s", why);
	return call_fail(x, ERR_INTERNAL, "database error: %s",
	    db_errmsg(srv->db));
}

int
call_step(struct call *x, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	return call_db_fail(x);
}

int
call_bad(struct call *x)
{
	x->err = ERR_BAD_REQUEST;
	return -1;
}

int
call_arg_time(struct call *x, const char *name, bool required, int64_t *out)
{
	const char *v = NULL;
	char buf[48];
	int e;

	if (arg_str(x->args, name, required, 40, &v, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (v == NULL)
		return 0;
	snprintf(buf, sizeof buf, "%s%s", v, strlen(v) == 10 ? " 00:00" : "");
	if ((e = time_parse(buf, TIME_TYPED, out)) != TIME_OK)
		return call_fail(x, ERR_BAD_REQUEST, "args.%s: %s", name,
		    time_parse_error(e));
	return 0;
}

void
dispatch_reply_later(struct conn *c, json_int_t id, bool has_id,
    json_t *result, enum proto_err err, const char *msg)
{
	struct request req;

	memset(&req, 0, sizeof req);
	req.id = id;
	req.has_id = has_id;
	c->async_pending--;
	if (c->freed || c->tr == NULL) {
		json_decref(result);
		return;
	}
	if (result != NULL)
		conn_send(c, proto_ok(&req, result));
	else
		conn_send(c, proto_error(&req, err, "%s", msg));
}

int64_t
call_actor(const struct call *x)
{
	return x->conn != NULL ? x->conn->member.id : 0;
}

/*
 * The write gate (server.h). `gate` is held by whoever writes: the loop
 * from the group's BEGIN to its COMMIT, or a second writer for one short
 * transaction. `wants` (under gate_mx) says the loop is waiting for it: a
 * second writer does not take it again until the loop has had it, and
 * wakes the loop (gate_async) when it lets go.
 */
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gate_mx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool gate_wants; /* under gate_mx */
static bool gate_closed; /* under gate_mx: shutting down */
static bool gate_held; /* the loop holds gate (the loop's own) */
static uv_async_t gate_async;
static struct conn *defer_head, **defer_tail = &defer_head;
static uint64_t gate_deferrals; /* writes that waited, for admin.status */

static void
gate_want(bool yes)
{
	pthread_mutex_lock(&gate_mx);
	gate_wants = yes && !gate_closed;
	if (!yes)
		pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mx);
}

/* The loop takes the gate: at once, or (wait) once the other writer's
 * transaction ends. False: not free and not waited for. */
void
dispatch_gate_close(void)
{
	pthread_mutex_lock(&gate_mx);
	gate_closed = true;
	gate_wants = false;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mx);
}

static bool
gate_take(bool wait)
{
	if (gate_held)
		return true;
	gate_want(true);
	if (pthread_mutex_trylock(&gate) != 0) {
		uint64_t t0;

		if (!wait)
			return false;
		t0 = uv_hrtime();
		pthread_mutex_lock(&gate);
		t0 = (uv_hrtime() - t0) / 1000;
		if (t0 >= 10000)
			log_info(0, "the loop waited %.1f ms for the write gate",
			    t0 / 1000.0);
	}
	gate_held = true;
	if (defer_head == NULL)
		gate_want(false);
	return true;
}

static void
gate_give(void)
{
	if (!gate_held)
		return;
	gate_held = false;
	pthread_mutex_unlock(&gate);
}

void
dispatch_gate_enter(void)
{
	pthread_mutex_lock(&gate_mx);
	while (gate_wants)
		pthread_cond_wait(&gate_cv, &gate_mx);
	pthread_mutex_unlock(&gate_mx);
	pthread_mutex_lock(&gate);
}

void
dispatch_gate_leave(void)
{
	bool wake;

	pthread_mutex_unlock(&gate);
	pthread_mutex_lock(&gate_mx);
	wake = gate_wants;
	pthread_mutex_unlock(&gate_mx);
	if (wake)
		uv_async_send(&gate_async);
}

void
dispatch_defer(struct conn *c)
{
	conn_hold(c);
	c->defer_next = NULL;
	*defer_tail = c;
	defer_tail = &c->defer_next;
	gate_deferrals++;
}

/* The gate came free: the deferred writes, in the order they came. */
static void
gate_free_cb(uv_async_t *h)
{
	struct conn *c;
	char *line;

	(void)h;
	while ((c = defer_head) != NULL) {
		if (!c->freed && !c->closing) {
			line = c->deferred;
			c->line_len = c->deferred_len;
			c->requests++;
			if (dispatch_line(c, line, c->deferred_len)) {
				c->requests--;
				break; /* taken again: the next wake-up */
			}
			c->line_len = 0;
			c->deferred = NULL;
			free(line);
		}
		defer_head = c->defer_next;
		if (defer_head == NULL)
			defer_tail = &defer_head;
		if (!c->freed && !c->closing) {
			conn_input(c, NULL, 0); /* what it sent meanwhile */
			if (c->eof_seen && !c->input_pending &&
			    c->deferred == NULL && !c->closing &&
			    !read_waits(c))
				conn_close(c, "client sent EOF");
		}
		conn_release(c);
	}
	if (defer_head == NULL)
		gate_want(false);
}

uint64_t
dispatch_gate_deferrals(void)
{
	return gate_deferrals;
}

/*
 * Group commit. While a group transaction is open, lines for conns and the
 * outboxes of write requests queue here in order; dispatch_turn_end
 * commits, applies the outboxes, and sends the lines once the commit is on
 * the disk. With the WAL synced off the loop (walsync.c) that is later:
 * lines (and closes) wait in `waiting`, each marked with the commit it
 * follows, and go out in order when walsync says that commit is synced.
 * Every line sent meanwhile waits behind them, so a conn's replies keep
 * their order and nobody hears of a write before its writer's ok could.
 */
struct held {
	struct conn *c; /* a line for c (held reference), or */
	char *line;
	bool close; /* ... close c once what came before has gone, or */
	bool write_ok; /* the reply of a write: replaced if the commit fails */
	json_int_t id;
	bool has_id;
	struct outbox out; /* ... a write's effects, or */
	void (*fn)(void *, bool); /* ... a call once synced (after_sync) */
	void *fn_arg;
	bool failed; /* its commit failed */
	uint64_t need; /* waiting: sent once this commit is synced */
	struct held *next;
};
static struct held *held_head, **held_tail = &held_head, *held_last;
static struct held *wait_head, **wait_tail = &wait_head;
#define GROUP_MAX 128 /* writes per group transaction at most */
#define SLOW_HANDLER_US 10000 /* handlers slower than this are logged */
static bool group_open;
static bool in_savepoint;
static uv_check_t turn_check;
static bool group_ready;
static uint64_t group_requests;
static uint64_t commit_seq; /* commits so far */
static uint64_t synced_seq; /* of them, known to be on the disk */
static bool sync_busy; /* a sync is in flight */
static bool releasing; /* sends go straight out */
static bool applying; /* a commit's outboxes run: their lines wait */
static bool live; /* dispatch_live: lines that need no commit or sync */

static struct held *
held_add(void)
{
	struct held *h = xcalloc(1, sizeof *h);

	outbox_init(&h->out);
	*held_tail = h;
	held_tail = &h->next;
	held_last = h;
	return h;
}

static void
wait_add(struct held *h, uint64_t need)
{
	h->need = need;
	h->next = NULL;
	*wait_tail = h;
	wait_tail = &h->next;
}

static struct held *
wait_new(struct conn *c)
{
	struct held *h = xcalloc(1, sizeof *h);

	h->c = c;
	conn_hold(c);
	c->held_lines++;
	wait_add(h, commit_seq);
	return h;
}

void
dispatch_live(bool on)
{
	live = on;
}

bool
dispatch_hold(struct conn *c, char *line)
{
	struct held *h;

	if (releasing)
		return false;
	/*
	 * A live line shows no commit, so it waits for none; it only keeps
	 * its place behind this conn's own held lines.
	 */
	if (live && c->held_lines == 0)
		return false;
	if (group_open) {
		h = held_add();
		h->c = c;
		h->line = line;
		conn_hold(c);
		c->held_lines++;
		return true;
	}
	if (!applying && wait_head == NULL)
		return false;
	wait_new(c)->line = line;
	return true;
}

bool
dispatch_hold_close(struct conn *c)
{
	struct held *h;

	if (releasing)
		return false;
	if (group_open) {
		h = held_add();
		h->c = c;
		h->close = true;
		conn_hold(c);
		c->held_lines++;
		return true;
	}
	if (!applying && wait_head == NULL)
		return false;
	wait_new(c)->close = true;
	return true;
}

/* Send, in order, what waited for commits now on the disk. */
static void
release_synced(void)
{
	struct held *h;

	releasing = true;
	while ((h = wait_head) != NULL && h->need <= synced_seq) {
		wait_head = h->next;
		if (wait_head == NULL)
			wait_tail = &wait_head;
		if (h->fn != NULL) {
			h->fn(h->fn_arg, !h->failed);
			free(h);
			continue;
		}
		h->c->held_lines--;
		if (h->c->freed || h->c->tr == NULL)
			free(h->line);
		else if (h->close)
			h->c->tr->close(h->c);
		else
			conn_send(h->c, h->line);
		conn_release(h->c);
		free(h);
	}
	releasing = false;
}

static void
sync_done(uint64_t seq)
{
	sync_busy = false;
	if (seq > synced_seq)
		synced_seq = seq;
	release_synced();
	if (commit_seq > synced_seq && walsync_active()) {
		sync_busy = true;
		walsync_request(commit_seq);
	}
}

/* Commit the group transaction; apply and (once synced) send what it held. */
static int
group_commit(void)
{
	struct held *h, *next;
	struct request req;
	uint64_t t0;
	const char *why = NULL;
	bool ok;

	if (!group_open)
		return 0;
	if (in_savepoint)
		fatal("%s: the group committed inside a request", __func__);
	t0 = uv_hrtime();
	ok = db_exec(srv->db, "COMMIT") == 0;
	if (!ok) {
		why = disk_refusal();
		db_rollback(srv->db);
	} else
		commit_seq++;
	t0 = (uv_hrtime() - t0) / 1000;
	if (t0 >= SLOW_HANDLER_US)
		log_info(0, "slow commit: %llu writes took %.1f ms on the loop",
		    (unsigned long long)group_requests, t0 / 1000.0);
	group_open = false;
	gate_give();
	if (defer_head != NULL)
		uv_async_send(&gate_async); /* the gate is free: them first */
	log_debug(0, "group commit of %llu writes: %s",
	    (unsigned long long)group_requests, ok ? "ok" : "FAILED");
	group_requests = 0;
	h = held_head;
	held_head = held_last = NULL;
	held_tail = &held_head;
	/*
	 * In order: lines wait for the sync of this commit (a failed one
	 * needs none, only what came before); outboxes change the server's
	 * state now, so the next request sees it, and their lines wait.
	 */
	applying = true;
	for (; h != NULL; h = next) {
		next = h->next;
		if (h->c != NULL) {
			if (h->write_ok && !ok) {
				memset(&req, 0, sizeof req);
				req.id = h->id;
				req.has_id = h->has_id;
				free(h->line);
				h->line = why != NULL ?
				    proto_error(&req, ERR_UNAVAILABLE, "%s", why) :
				    proto_error(&req, ERR_INTERNAL,
				    "could not save; nothing was changed");
			}
			wait_add(h, commit_seq);
		} else if (h->fn != NULL) {
			h->failed = !ok;
			wait_add(h, commit_seq);
		} else {
			outbox_apply(&h->out, ok);
			free(h);
		}
	}
	applying = false;
	if (!walsync_active())
		synced_seq = commit_seq; /* COMMIT itself synced (or NORMAL) */
	else if (commit_seq > synced_seq && !sync_busy) {
		sync_busy = true;
		walsync_request(commit_seq);
	}
	release_synced();
	return ok ? 0 : -1;
}

bool
dispatch_unsynced(void)
{
	return group_open || applying || wait_head != NULL ||
	    synced_seq < commit_seq;
}

void
dispatch_after_sync(void (*fn)(void *, bool), void *arg)
{
	struct held *h;

	if (group_open) {
		h = held_add();
		h->fn = fn;
		h->fn_arg = arg;
		return;
	}
	if (!applying && wait_head == NULL && synced_seq >= commit_seq) {
		fn(arg, true);
		return;
	}
	h = xcalloc(1, sizeof *h);
	h->fn = fn;
	h->fn_arg = arg;
	wait_add(h, commit_seq);
}

void
dispatch_turn_end(void)
{
	group_commit();
	conn_turn_reset();
}

int
dispatch_sync_off_loop(const char *db_path)
{
	return walsync_start(srv->loop, db_path, sync_done);
}

void
dispatch_stop(void)
{
	int err;

	group_commit();
	if (walsync_active()) {
		if ((err = walsync_stop()) != 0)
			fatal("could not sync the WAL to the disk: %s; stopping "
			    "(nothing unsynced was acknowledged)", strerror(err));
		sync_busy = false;
		synced_seq = commit_seq;
	}
	release_synced();
	conn_turn_reset();
}

static void
turn_check_cb(uv_check_t *h)
{
	(void)h;
	dispatch_turn_end();
}

void
dispatch_init(uv_loop_t *loop)
{
	ops_init();
	uv_async_init(loop, &gate_async, gate_free_cb);
	uv_unref((uv_handle_t *)&gate_async);
	uv_check_init(loop, &turn_check);
	uv_check_start(&turn_check, turn_check_cb);
	uv_unref((uv_handle_t *)&turn_check);
	group_ready = true;
}

/*
 * Run fn inside the group transaction under a savepoint of its own (a
 * failing one undoes only itself); its outbox waits for the commit, in
 * order with everything else.
 */
static int
run_grouped(struct call *x, int (*fn)(struct call *, void *), void *arg)
{
	struct held *h;
	const char *why;
	int rc;

	/* Bound a group so one commit never holds replies for long. */
	if (group_open && group_requests >= GROUP_MAX)
		group_commit();
	if (!group_open) {
		gate_take(true); /* a request's waits in dispatch_line */
		if (db_exec(srv->db, "BEGIN IMMEDIATE") != 0) {
			gate_give();
			return call_fail(x, ERR_UNAVAILABLE,
			    "the database is busy; try again");
		}
		group_open = true;
	}
	if (db_exec(srv->db, "SAVEPOINT req") != 0)
		return write_fail(x, disk_refusal());
	in_savepoint = true;
	rc = fn(x, arg);
	in_savepoint = false;
	if (rc == 0) {
		if (db_exec(srv->db, "RELEASE req") != 0) {
			why = disk_refusal();
			db_exec(srv->db, "ROLLBACK TO req");
			db_exec(srv->db, "RELEASE req");
			rc = write_fail(x, why);
		}
	} else {
		/* A handler's own "database error" when the disk refused. */
		why = disk_refusal();
		if (x->err == ERR_INTERNAL && why != NULL)
			call_fail(x, ERR_UNAVAILABLE, "%s", why);
		db_exec(srv->db, "ROLLBACK TO req");
		db_exec(srv->db, "RELEASE req");
	}
	if (rc == 0) {
		group_requests++;
		/* Its effects on others wait for the commit, in order. */
		h = held_add();
		outbox_splice(&h->out, &x->out);
	}
	return rc;
}

static int
op_call(struct call *x, void *arg)
{
	const struct op *op = arg;

	return op->fn(x);
}

int
dispatch_server(const char *what, int (*fn)(struct call *, void *),
    void *arg)
{
	struct call x;
	int rc;

	memset(&x, 0, sizeof x);
	outbox_init(&x.out);
	if (!group_ready || srv->stopping)
		return -1;
	rc = run_grouped(&x, fn, arg);
	if (rc != 0)
		log_warn(0, "%s: %s", what, x.msg[0] != '\0' ? x.msg :
		    "failed; nothing was changed");
	/* A failed run's effects are dropped (closures told so). */
	outbox_apply(&x.out, false);
	json_decref(x.result);
	return rc;
}

/*
 * The checks between authz_op and the handler: the arguments against the
 * op's spec, then a token of its rate class. On refusal the error is sent
 * and -1 returned; the connection goes on.
 */
static int
admit(struct conn *c, const struct op *op, const struct request *req)
{
	char err[512];

	if (arg_check(req->args, op->args, (op->flags & OP_OPEN_ARGS) != 0,
	    err, sizeof err) != 0) {
		conn_send(c, proto_error(req, ERR_BAD_REQUEST, "%s", err));
		return -1;
	}
	if (rate_take(c, op->rate, err, sizeof err) != 0) {
		log_debug(c->id, "%s refused: %s", op->name, err);
		conn_send(c, proto_error(req, ERR_RATE_LIMITED, "%s", err));
		return -1;
	}
	return 0;
}

bool
dispatch_line(struct conn *c, char *line, size_t len)
{
	struct request req;
	struct call x;
	const struct op *op;
	char err[256];
	uint64_t t0;
	bool tx;
	int rc;

	memset(&req, 0, sizeof req);
	if (proto_parse(line, len, &req, err, sizeof err) != 0) {
		conn_send(c, proto_error(&req, ERR_BAD_REQUEST, "%s", err));
		return false;
	}
	if ((op = dispatch_find(req.op)) == NULL) {
		conn_send(c, proto_error(&req, ERR_BAD_REQUEST,
		    "unknown operation '%s'", req.op));
		request_free(&req);
		return false;
	}
	if (authz_op(c, op, err, sizeof err) != 0) {
		conn_send(c, proto_error(&req, ERR_FORBIDDEN, "%s", err));
		request_free(&req);
		return false;
	}
	memset(&x, 0, sizeof x);
	outbox_init(&x.out);
	x.conn = c;
	x.req = &req;
	x.args = req.args;
	tx = (op->flags & OP_WRITE) != 0 && ((op->flags & OP_WRITE_IF) == 0 ||
	    op_writes(op, &x));
	/* A write while another writer holds the gate waits (conn.c keeps
	 * the line); so do the ones after others that wait. */
	if (tx && !group_open && ((defer_head != NULL && defer_head != c) ||
	    !gate_take(false))) {
		request_free(&req);
		return true;
	}
	if (admit(c, op, &req) != 0) {
		request_free(&req);
		return false;
	}
	t0 = uv_hrtime();
	if (tx)
		rc = run_grouped(&x, op_call, (void *)op);
	else
		rc = op->fn(&x);
	t0 = (uv_hrtime() - t0) / 1000;
	if (t0 >= SLOW_HANDLER_US)
		log_info(c->id, "slow request: %s took %.1f ms on the loop",
		    op->name, t0 / 1000.0);
	if (rc == 1 && (op->flags & OP_ASYNC) && !tx) {
		/* The handler took the request over: dispatch_reply_later. */
		outbox_apply(&x.out, true);
		c->async_pending++;
		request_free(&req);
		return false;
	}
	/* A write's effects are held for the commit (run_grouped took
	 * them); anything left is a read's, or a failed write's. */
	outbox_apply(&x.out, rc == 0);
	if (rc == 0) {
		log_debug(c->id, "%s ok", op->name);
		conn_send(c, proto_ok(&req, x.result != NULL ? x.result :
		    json_object()));
		if (tx && group_open && held_last != NULL &&
		    held_last->c == c) {
			/* The reply just held is a write's: a failed commit
			 * turns it into an error. */
			held_last->write_ok = true;
			held_last->id = req.id;
			held_last->has_id = req.has_id;
		}
	} else {
		log_debug(c->id, "%s failed: %s: %s", op->name,
		    proto_err_name(x.err), x.msg);
		rate_refused(c, op->rate);
		json_decref(x.result);
		conn_send(c, proto_error(&req, x.err, "%s", x.msg));
	}
	request_free(&req);
	return false;
}
