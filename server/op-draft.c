/*
 * op-draft.c: drafts kept on the server, per member and composer key, so
 * words typed survive a dropped link and follow the member to another
 * connection or device (the composer saves as they type; client/compose.c).
 * A draft is the member's own: no one else reads it, not even admins.
 */
#include <string.h>

#include "server.h"

#define DRAFT_KEY_MAX 64
#define DRAFTS_MAX 200 /* per member: the oldest go first */

static int
arg_key(struct call *x, const char **key)
{
	if (arg_str(x->args, "key", true, DRAFT_KEY_MAX, key, x->msg,
	    sizeof x->msg) != 0 || utf8_check_arg("key", *key, UTF8_LINE,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	return 0;
}

/* draft.save: the title and body as they stand; both empty deletes it. */
static int
op_draft_save(struct call *x)
{
	const char *key = NULL, *title = "", *body = "";
	sqlite3_stmt *st;

	if (arg_key(x, &key) != 0)
		return -1;
	if (arg_str(x->args, "title", false, THREAD_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "body", false,
	    POST_BODY_MAX, &body, x->msg, sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 || utf8_check_arg("body", body, UTF8_LINES,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (*title == '\0' && *body == '\0') {
		st = db_stmt(srv->db, "DELETE FROM drafts WHERE member_id = ? "
		    "AND key = ?");
		sqlite3_bind_int64(st, 1, call_actor(x));
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		if (call_step(x, st) != 0)
			return -1;
		x->result = json_pack("{s:s, s:b}", "key", key, "saved", 0);
		return 0;
	}
	st = db_stmt(srv->db, "INSERT INTO drafts (member_id, key, title, body, "
	    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (member_id, "
	    "key) DO UPDATE SET title = excluded.title, body = excluded.body, "
	    "updated_at = excluded.updated_at");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	/* a bound on what one member keeps: the oldest drafts go */
	st = db_stmt(srv->db, "DELETE FROM drafts WHERE member_id = ?1 AND key "
	    "IN (SELECT key FROM drafts WHERE member_id = ?1 ORDER BY "
	    "updated_at DESC LIMIT -1 OFFSET ?2)");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_int(st, 2, DRAFTS_MAX);
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:s, s:b}", "key", key, "saved", 1);
	return 0;
}

/* draft.get: the member's draft under key, or null. */
static int
op_draft_get(struct call *x)
{
	const char *key = NULL;
	sqlite3_stmt *st;
	char when[32];

	if (arg_key(x, &key) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT title, body, updated_at FROM drafts "
	    "WHERE member_id = ? AND key = ?");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		time_iso8601(sqlite3_column_int64(st, 2), when);
		x->result = json_pack("{s:s, s:{s:s, s:s, s:s}}", "key", key,
		    "draft", "title", db_col_text(st, 0), "body",
		    db_col_text(st, 1), "updated_at", when);
	} else
		x->result = json_pack("{s:s, s:n}", "key", key, "draft");
	sqlite3_reset(st);
	return 0;
}

/*
 * The title of the thread a reply ("reply:N") or an edit ("edit:POST")
 * draft belongs to, if the member may still read it; NULL otherwise.
 */
static char *
draft_thread_title(struct call *x, const char *key)
{
	/* db_stmt caches by the text's address: one lasting text for each
	 * kind of key and each of authz_readable_sql's (one per caller) */
	static const char *sql_key[2][3];
	static char sql[2][3][768];
	const char *readable = authz_readable_sql(x->conn);
	sqlite3_stmt *st;
	int64_t id;
	bool edit = strncmp(key, "edit:", 5) == 0;
	char *title = NULL;
	size_t k;

	if (!edit && strncmp(key, "reply:", 6) != 0)
		return NULL;
	if ((id = strtoll(key + (edit ? 5 : 6), NULL, 10)) <= 0)
		return NULL;
	for (k = 0; k < 3 && sql_key[edit][k] != NULL &&
	    sql_key[edit][k] != readable; k++)
		;
	if (k == 3)
		return NULL;
	if (sql_key[edit][k] == NULL) {
		sql_key[edit][k] = readable;
		snprintf(sql[edit][k], sizeof sql[edit][k], "SELECT t.title "
		    "FROM threads t WHERE t.id = %s AND t.community_id IN (%s)",
		    edit ? "(SELECT thread_id FROM posts WHERE id = :id)" :
		    ":id", readable);
	}
	st = db_stmt(srv->db, sql[edit][k]);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":me"),
	    call_actor(x));
	if (sqlite3_step(st) == SQLITE_ROW)
		title = xstrdup(db_col_text(st, 0));
	sqlite3_reset(st);
	return title;
}

/* draft.list: the member's drafts, newest first, each with a preview. */
static int
op_draft_list(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT key, title, "
	    "substr(body, 1, 160), length(body), updated_at FROM drafts "
	    "WHERE member_id = ? ORDER BY updated_at DESC, key");
	json_t *a = json_array();
	char when[32];
	int rc;

	sqlite3_bind_int64(st, 1, call_actor(x));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		time_iso8601(sqlite3_column_int64(st, 4), when);
		json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:s}",
		    "key", db_col_text(st, 0), "title", db_col_text(st, 1),
		    "preview", db_col_text(st, 2), "length",
		    (json_int_t)sqlite3_column_int64(st, 3), "updated_at",
		    when);
		char *tt = draft_thread_title(x, db_col_text(st, 0));

		/* a reply or an edit names its thread (if still readable) */
		if (tt != NULL)
			json_object_set_new(d, "thread_title", json_string(tt));
		free(tt);
		json_array_append_new(a, d);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	x->result = json_pack("{s:o}", "drafts", a);
	return 0;
}

const struct op op_draft_table[] = {
	{ "draft.save", OP_MEMBER | OP_SELF | OP_WRITE, op_draft_save,
	    "Keep what you are writing {key, title?, body?} (both empty: "
	    "forget it); yours alone.", RATE_WRITE,
	    ARGS(ARG_STR("key", ARG_REQ, DRAFT_KEY_MAX),
	    ARG_STR("title", ARG_OPT, THREAD_TITLE_MAX),
	    ARG_STR("body", ARG_OPT, POST_BODY_MAX)) },
	{ "draft.get", OP_MEMBER | OP_SELF, op_draft_get,
	    "Your draft under key {key}, or null.", RATE_READ,
	    ARGS(ARG_STR("key", ARG_REQ, DRAFT_KEY_MAX)) },
	{ "draft.list", OP_MEMBER | OP_SELF, op_draft_list,
	    "Your drafts, newest first: each key, title, the body's start "
	    "(preview) and length; replies and edits their thread_title.",
	    RATE_READ, NO_ARGS },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
