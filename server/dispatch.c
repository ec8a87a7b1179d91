/*
 * dispatch.c: the operation table. Every request line passes through
 * dispatch_line: parse, look up, authorize (authz_op), then the handler,
 * inside a transaction when the operation writes. The reply is queued only
 * after the commit, so "ok" means the data is on disk.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"


static const struct op *all_ops[256];
static size_t all_ops_len;

/* Build the flat list of operations from the per-area tables once. */
static void
dispatch_init(void)
{
	const struct op *tables[] = { op_session_table, op_community_table,
		op_thread_table, op_profile_table, op_poll_table,
		op_search_table, op_notify_table, op_event_table,
		op_room_table, op_expert_table, op_admin_table };

	if (all_ops_len != 0)
		return;
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		for (const struct op *o = tables[t]; o->name != NULL; o++) {
			if (all_ops_len + 1 >= sizeof all_ops / sizeof all_ops[0])
				fatal("%s: too many operations", __func__);
			all_ops[all_ops_len++] = o;
		}
	}
	all_ops[all_ops_len] = NULL;
}

const struct op *
dispatch_find(const char *name)
{
	dispatch_init();
	for (size_t i = 0; i < all_ops_len; i++) {
		if (strcmp(all_ops[i]->name, name) == 0)
			return all_ops[i];
	}
	return NULL;
}

const struct op *const *
dispatch_table(void)
{
	dispatch_init();
	return all_ops;
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

int
call_bad(struct call *x)
{
	x->err = ERR_BAD_REQUEST;
	return -1;
}

void
dispatch_reply_later(struct conn *c, json_int_t id, bool has_id,
    json_t *result, enum proto_err err, const char *msg)
{
	struct request req;

	memset(&req, 0, sizeof req);
	req.id = id;
	req.has_id = has_id;
	if (c->freed || c->tr == NULL) {
		json_decref(result);
		return;
	}
	if (result != NULL)
		conn_send(c, proto_ok(&req, result));
	else
		conn_send(c, proto_error(&req, err, "%s", msg));
}

void
dispatch_line(struct conn *c, char *line, size_t len)
{
	struct request req;
	struct call x;
	const struct op *op;
	char err[256];
	bool tx;
	int rc;

	memset(&req, 0, sizeof req);
	if (proto_parse(line, len, &req, err, sizeof err) != 0) {
		conn_send(c, proto_error(&req, ERR_BAD_REQUEST, "%s", err));
		return;
	}
	if ((op = dispatch_find(req.op)) == NULL) {
		conn_send(c, proto_error(&req, ERR_BAD_REQUEST,
		    "unknown operation '%s'", req.op));
		request_free(&req);
		return;
	}
	if (authz_op(c, op, err, sizeof err) != 0) {
		conn_send(c, proto_error(&req, ERR_FORBIDDEN, "%s", err));
		request_free(&req);
		return;
	}
	memset(&x, 0, sizeof x);
	x.conn = c;
	x.req = &req;
	x.args = req.args;
	tx = (op->flags & OP_WRITE) != 0;
	if (tx && db_begin(srv->db) != 0) {
		conn_send(c, proto_error(&req, ERR_UNAVAILABLE,
		    "the database is busy; try again"));
		request_free(&req);
		return;
	}
	rc = op->fn(&x);
	if (rc == 1 && (op->flags & OP_ASYNC) && !tx) {
		/* The handler took the request over: dispatch_reply_later. */
		request_free(&req);
		return;
	}
	if (tx) {
		if (rc == 0 && db_commit(srv->db) != 0) {
			rc = call_fail(&x, ERR_INTERNAL,
			    "could not save; nothing was changed");
		} else if (rc != 0)
			db_rollback(srv->db);
	}
	if (x.after_commit != NULL) {
		if (rc == 0)
			x.after_commit(x.after_arg);
		else
			free(x.after_arg);
	}
	call_deferred_run(&x, rc == 0);
	if (rc == 0) {
		log_debug(c->id, "%s ok", op->name);
		conn_send(c, proto_ok(&req, x.result != NULL ? x.result :
		    json_object()));
	} else {
		log_debug(c->id, "%s failed: %s: %s", op->name,
		    proto_err_name(x.err), x.msg);
		json_decref(x.result);
		conn_send(c, proto_error(&req, x.err, "%s", x.msg));
	}
	request_free(&req);
}
