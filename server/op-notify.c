/*
 * op-notify.c: a member's stored notifications (rows written by notify_add
 * in notify.c for mentions, replies, thanks, decisions, ...): notify.list
 * and notify.mark_read. A member only ever sees and changes their own.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define NOTIFY_LIMIT_DEFAULT 50
#define NOTIFY_LIMIT_MAX 100
#define NOTIFY_IDS_MAX 500


/* The member's unread count, or -1 on a database error. */
static int64_t
unread_count(int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(*) FROM notifications WHERE member_id = ? "
	    "AND read_at IS NULL");
	int64_t n = -1;

	sqlite3_bind_int64(st, 1, member_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* An integer column as JSON, null when NULL. */
static json_t *
col_id(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, i));
}

/* One notification row as the wire object. */
static json_t *
notification_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:b}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "kind",
	    db_col_text(st, 1), "text", db_col_text(st, 2), "at",
	    db_col_json_time(st, 3), "read",
	    sqlite3_column_type(st, 4) != SQLITE_NULL);

	json_object_set_new(o, "actor",
	    sqlite3_column_type(st, 5) == SQLITE_NULL ? json_null() :
	    json_pack("{s:s, s:s}", "handle", db_col_text(st, 5),
	    "display_name", db_col_text(st, 6)));
	json_object_set_new(o, "community", db_col_json_text(st, 7));
	json_object_set_new(o, "thread_id", col_id(st, 8));
	json_object_set_new(o, "post_id", col_id(st, 9));
	json_object_set_new(o, "poll_id", col_id(st, 10));
	json_object_set_new(o, "event_id", col_id(st, 11));
	json_object_set_new(o, "room_id", col_id(st, 12));
	json_object_set_new(o, "request_id", col_id(st, 13));
	return o;
}

static int
op_notify_list(struct call *x)
{
	/* Both use an index: notifications_member or notifications_unread. */
	sqlite3_stmt *all = db_stmt(srv->db,
	    "SELECT n.id, n.kind, n.text, n.created_at, n.read_at, a.handle, "
	    "a.display_name, c.slug, n.thread_id, n.post_id, n.poll_id, "
	    "n.event_id, n.room_id, n.request_id "
	    "FROM notifications n LEFT JOIN members a ON a.id = n.actor_id "
	    "LEFT JOIN communities c ON c.id = n.community_id "
	    "WHERE n.member_id = ?1 AND n.id < ?2 ORDER BY n.id DESC LIMIT ?3");
	sqlite3_stmt *unread = db_stmt(srv->db,
	    "SELECT n.id, n.kind, n.text, n.created_at, n.read_at, a.handle, "
	    "a.display_name, c.slug, n.thread_id, n.post_id, n.poll_id, "
	    "n.event_id, n.room_id, n.request_id "
	    "FROM notifications n INDEXED BY notifications_unread "
	    "LEFT JOIN members a ON a.id = n.actor_id "
	    "LEFT JOIN communities c ON c.id = n.community_id "
	    "WHERE n.member_id = ?1 AND n.read_at IS NULL AND n.id < ?2 "
	    "ORDER BY n.id DESC LIMIT ?3");
	sqlite3_stmt *st;
	json_int_t limit = NOTIFY_LIMIT_DEFAULT, before = INT64_MAX;
	bool unread_only = false;
	json_t *list;
	int64_t me = x->conn->member.id, last = 0, count;
	int rc, n = 0;

	if (arg_bool(x->args, "unread_only", false, &unread_only, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, NOTIFY_LIMIT_MAX, &limit,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = unread_only ? unread : all;
	sqlite3_bind_int64(st, 1, me);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int64(st, 3, limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == limit)
			break;
		last = sqlite3_column_int64(st, 0);
		json_array_append_new(list, notification_json(st));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	if ((count = unread_count(me)) < 0) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o, s:I, s:o}", "notifications", list,
	    "unread", (json_int_t)count, "next", n > limit ?
	    json_integer(last) : json_null());
	return 0;
}

/* Mark one of the caller's notifications read; not_found if not theirs. */
static int
mark_one(struct call *x, json_int_t id, int64_t now)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "UPDATE notifications SET read_at = coalesce(read_at, ?3) "
	    "WHERE id = ?1 AND member_id = ?2");
	int rc;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, x->conn->member.id);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	if (sqlite3_changes(srv->db) == 0)
		return call_fail(x, ERR_NOT_FOUND, "No notification %lld of "
		    "yours; nothing was marked read.", (long long)id);
	return 0;
}

static int
op_notify_mark_read(struct call *x)
{
	json_t *ids = json_object_get(x->args, "ids"), *v;
	int64_t me = x->conn->member.id, now = now_unix(), count;
	bool all = false;
	size_t i;

	if (arg_bool(x->args, "all", false, &all, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (ids != NULL && !json_is_array(ids))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.ids must be an array of notification ids");
	if ((ids == NULL) == !all)
		return call_fail(x, ERR_BAD_REQUEST, "Give either args.ids "
		    "(an array of notification ids) or args.all = true");
	if (all) {
		sqlite3_stmt *st = db_stmt(srv->db,
		    "UPDATE notifications SET read_at = ?2 "
		    "WHERE member_id = ?1 AND read_at IS NULL");

		sqlite3_bind_int64(st, 1, me);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return call_db_fail(x);
		}
		sqlite3_reset(st);
	} else {
		if (json_array_size(ids) == 0 ||
		    json_array_size(ids) > NOTIFY_IDS_MAX)
			return call_fail(x, ERR_BAD_REQUEST, "args.ids must "
			    "hold 1 to %d notification ids", NOTIFY_IDS_MAX);
		json_array_foreach(ids, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 1)
				return call_fail(x, ERR_BAD_REQUEST,
				    "args.ids[%zu] must be a notification id",
				    i);
		}
		json_array_foreach(ids, i, v) {
			if (mark_one(x, json_integer_value(v), now) != 0)
				return -1;
		}
	}
	if ((count = unread_count(me)) < 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I}", "unread", (json_int_t)count);
	/* The member's other sessions update their badge. */
	outbox_member_event(&x->out, me, "notify.unread",
	    json_pack("{s:I}", "unread", (json_int_t)count));
	return 0;
}

const struct op op_notify_table[] = {
	{ "notify.list", OP_MEMBER, op_notify_list,
	    "Your notifications, newest first {unread_only?, limit?, before?}, "
	    "with your unread count.", RATE_READ,
	    ARGS(ARG_BOOL("unread_only", ARG_OPT),
	    ARG_INT("limit", ARG_OPT, 1, NOTIFY_LIMIT_MAX),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ "notify.mark_read", OP_MEMBER | OP_SELF | OP_WRITE, op_notify_mark_read,
	    "Mark your notifications read {ids: [...]} or {all: true}; "
	    "returns the unread count.", RATE_WRITE,
	    ARGS(ARG_INTS("ids", ARG_OPT, 1, NOTIFY_IDS_MAX, 1, INT64_MAX),
	    ARG_BOOL("all", ARG_OPT)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
