/*
 * op-where.c: where a member was. The TUI keeps its screen and position
 * here as it changes (session.where, debounced), and asks on startup
 * (session.resume): a login within resume_minutes of the last change opens
 * the same screen and position (a thread and its post, a community's tab,
 * a room) instead of Home. A clean quit forgets it (session.where with no
 * screen). The position is the member's own; every screen it opens checks
 * access again as it loads.
 */
#include <string.h>

#include "server.h"

#define WHERE_TITLE_MAX 200

static const char *const screens[] = { "home", "community", "thread",
	"room", NULL };

static void
bind_opt(sqlite3_stmt *st, int i, json_int_t v)
{
	if (v != 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* session.where: keep the screen and position; no screen: forget it. */
static int
op_session_where(struct call *x)
{
	const char *screen = NULL, *slug = NULL, *title = "";
	json_int_t tab = -1, thread = 0, post = 0, room = 0;
	sqlite3_stmt *st;
	size_t i;

	if (arg_str(x->args, "screen", false, 16, &screen, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "slug", false, 64, &slug,
	    x->msg, sizeof x->msg) != 0 || arg_str(x->args, "title", false,
	    WHERE_TITLE_MAX, &title, x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "tab", false, 0, 20, &tab, x->msg,
	    sizeof x->msg) != 0 || arg_int(x->args, "thread_id", false, 1,
	    INT64_MAX, &thread, x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "post_id", false, 1, INT64_MAX, &post, x->msg,
	    sizeof x->msg) != 0 || arg_int(x->args, "room_id", false, 1,
	    INT64_MAX, &room, x->msg, sizeof x->msg) != 0 ||
	    (slug != NULL && utf8_check_arg("slug", slug, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0) || utf8_check_arg("title", title, UTF8_LINE,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (screen == NULL) {
		st = db_stmt(srv->db, "DELETE FROM member_where WHERE "
		    "member_id = ?");
		sqlite3_bind_int64(st, 1, call_actor(x));
		if (call_step(x, st) != 0)
			return -1;
		x->result = json_pack("{s:b}", "kept", 0);
		return 0;
	}
	for (i = 0; screens[i] != NULL && strcmp(screens[i], screen) != 0; i++)
		;
	if (screens[i] == NULL)
		return call_fail(x, ERR_BAD_REQUEST, "args.screen must be one "
		    "of home, community, thread or room");
	if ((strcmp(screen, "community") == 0 && slug == NULL) ||
	    (strcmp(screen, "thread") == 0 && thread == 0) ||
	    (strcmp(screen, "room") == 0 && room == 0))
		return call_fail(x, ERR_BAD_REQUEST, "The %s screen needs "
		    "args.%s.", screen, strcmp(screen, "community") == 0 ?
		    "slug" : strcmp(screen, "thread") == 0 ? "thread_id" :
		    "room_id");
	st = db_stmt(srv->db, "INSERT INTO member_where (member_id, screen, "
	    "slug, tab, thread_id, post_id, room_id, title, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT "
	    "(member_id) DO UPDATE SET screen = excluded.screen, slug = "
	    "excluded.slug, tab = excluded.tab, thread_id = "
	    "excluded.thread_id, post_id = excluded.post_id, room_id = "
	    "excluded.room_id, title = excluded.title, updated_at = "
	    "excluded.updated_at");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_text(st, 2, screen, -1, SQLITE_STATIC);
	if (slug != NULL)
		sqlite3_bind_text(st, 3, slug, -1, SQLITE_STATIC);
	if (tab >= 0)
		sqlite3_bind_int64(st, 4, tab);
	bind_opt(st, 5, thread);
	bind_opt(st, 6, post);
	bind_opt(st, 7, room);
	sqlite3_bind_text(st, 8, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:b}", "kept", 1);
	return 0;
}

/* session.resume: where the member was, if it changed lately enough. */
static int
op_session_resume(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT screen, slug, tab, "
	    "thread_id, post_id, room_id, title, updated_at FROM member_where "
	    "WHERE member_id = ? AND updated_at >= ?");
	int64_t window = (int64_t)srv->cfg.resume_minutes * 60;
	json_t *w = json_null();
	char when[32];
	int rc;

	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_int64(st, 2, now_unix() - window);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && window > 0) {
		static const char *const ids[] = { "tab", "thread_id",
			"post_id", "room_id" };

		time_iso8601(sqlite3_column_int64(st, 7), when);
		w = json_pack("{s:s, s:s, s:s}", "screen", db_col_text(st, 0),
		    "title", db_col_text(st, 6), "updated_at", when);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			json_object_set_new(w, "slug", json_string(
			    db_col_text(st, 1)));
		for (int i = 0; i < 4; i++)
			if (sqlite3_column_type(st, 2 + i) != SQLITE_NULL)
				json_object_set_new(w, ids[i], json_integer(
				    sqlite3_column_int64(st, 2 + i)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(w);
		return call_fail(x, ERR_INTERNAL, "database error");
	}
	x->result = json_pack("{s:o, s:i}", "where", w, "resume_minutes",
	    srv->cfg.resume_minutes);
	return 0;
}

const struct op op_where_table[] = {
	{ "session.where", OP_MEMBER | OP_SELF | OP_WRITE, op_session_where,
	    "Keep where you are {screen?, slug?, tab?, thread_id?, post_id?, "
	    "room_id?, title?} (no screen: forget it, a clean quit).",
	    RATE_WRITE, ARGS(ARG_STR("screen", ARG_OPT, 16),
	    ARG_STR("slug", ARG_OPT, 64), ARG_INT("tab", ARG_OPT, 0, 20),
	    ARG_INT("thread_id", ARG_OPT, 1, INT64_MAX),
	    ARG_INT("post_id", ARG_OPT, 1, INT64_MAX),
	    ARG_INT("room_id", ARG_OPT, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, WHERE_TITLE_MAX)) },
	{ "session.resume", OP_MEMBER | OP_SELF, op_session_resume,
	    "Where you were {where: {screen, slug?, tab?, thread_id?, "
	    "post_id?, room_id?, title}|null}, if within resume_minutes.",
	    RATE_READ, NO_ARGS },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
