/*
 * op-roundup.c: "since your last visit" (roundup.get). New threads by
 * others in the caller's communities, and replies to and mentions of the
 * caller from their stored notifications, since a time: the one given, or
 * when the caller last marked the roundup read (a week ago at first).
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define ROUNDUP_PER_COMMUNITY 20
#define ROUNDUP_SCAN_COMMUNITY 100 /* threads looked at per community */
#define ROUNDUP_ITEMS 50
#define ROUNDUP_SCAN 500 /* notifications looked at, newest first */
#define ROUNDUP_DEFAULT (7 * 86400)

/* One roundup entry: a thread, kept with its time for sorting. */
struct rthread {
	int64_t at;
	json_t *json;
};

static int
rthread_cmp(const void *a, const void *b)
{
	const struct rthread *l = a, *r = b;

	return (l->at < r->at) - (l->at > r->at);
}

/*
 * New threads (by others) in the caller's communities since a time: at most
 * ROUNDUP_PER_COMMUNITY per community, ROUNDUP_ITEMS in all, newest first.
 */
static int
roundup_threads(struct call *x, int64_t since, json_t **out, bool *more)
{
	sqlite3_stmt *cs = db_stmt(srv->db,
	    "SELECT cm.community_id, c.slug FROM community_members cm JOIN "
	    "communities c ON c.id = cm.community_id WHERE cm.member_id = :me "
	    "LIMIT 500");
	sqlite3_stmt *ts;
	struct rthread *items = NULL;
	size_t n = 0, cap = 0, i;
	int rc, trc, k, scanned;

	db_bind_i64(cs, ":me", call_actor(x));
	while ((rc = sqlite3_step(cs)) == SQLITE_ROW) {
		ts = db_stmt(srv->db,
		    "SELECT " THREAD_COLS ", t.author_id FROM threads t LEFT "
		    "JOIN members m ON m.id = t.author_id WHERE t.community_id = "
		    ":c AND t.created_at > :since ORDER BY t.created_at DESC, "
		    "t.id DESC LIMIT :n");
		db_bind_i64(ts, ":c", sqlite3_column_int64(cs, 0));
		db_bind_i64(ts, ":since", since);
		db_bind_i64(ts, ":me", call_actor(x));
		db_bind_i64(ts, ":n", ROUNDUP_SCAN_COMMUNITY);
		k = 0;
		scanned = 0;
		while ((trc = sqlite3_step(ts)) == SQLITE_ROW) {
			if (++scanned == ROUNDUP_SCAN_COMMUNITY)
				*more = true;
			/* skip the caller's own threads (the scan is bounded) */
			if (call_actor(x) != 0 && sqlite3_column_int64(ts, 11) == call_actor(x))
				continue;
			if (++k > ROUNDUP_PER_COMMUNITY) {
				*more = true;
				break;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				items = xrealloc(items, cap * sizeof *items);
			}
			items[n].at = sqlite3_column_int64(ts, 7);
			items[n].json = thread_json(ts);
			json_object_set_new(items[n].json, "community",
			    json_string(db_col_text(cs, 1)));
			n++;
		}
		sqlite3_reset(ts);
		if (trc != SQLITE_ROW && trc != SQLITE_DONE) {
			rc = trc;
			break;
		}
	}
	sqlite3_reset(cs);
	if (n > 0)
		qsort(items, n, sizeof *items, rthread_cmp);
	*out = json_array();
	for (i = 0; i < n; i++) {
		if (i < ROUNDUP_ITEMS)
			json_array_append_new(*out, items[i].json);
		else {
			*more = true;
			json_decref(items[i].json);
		}
	}
	free(items);
	if (rc != SQLITE_DONE) {
		json_decref(*out);
		return call_db_fail(x);
	}
	return 0;
}

/*
 * Replies to and mentions of the caller since a time, from their stored
 * notifications (newest first, in communities they may still read).
 */
static int
roundup_notices(struct call *x, int64_t since, json_t *replies,
    json_t *mentions, bool *more)
{
	static const char *cached_for[4];
	static char *cached_sql[4];
	const char *readable = authz_readable_sql(x->conn), *sql = NULL;
	sqlite3_stmt *st;
	json_t *o, *list;
	int i, rc, seen = 0;

	for (i = 0; i < 4 && cached_for[i] != NULL; i++) {
		if (cached_for[i] == readable)
			break;
	}
	if (i == 4)
		return call_fail(x, ERR_INTERNAL, "too many readable rules");
	if (cached_for[i] == NULL) {
		cached_for[i] = readable;
		cached_sql[i] = xasprintf(
		    "SELECT n.kind, n.text, n.created_at, n.thread_id, "
		    "n.post_id, c.slug, a.handle, a.display_name, t.title "
		    "FROM notifications n LEFT JOIN members a ON "
		    "a.id = n.actor_id LEFT JOIN communities c ON "
		    "c.id = n.community_id LEFT JOIN threads t ON "
		    "t.id = n.thread_id WHERE n.member_id = :me AND "
		    "n.community_id IN (%s) ORDER BY n.id DESC LIMIT %d",
		    readable, ROUNDUP_SCAN);
	}
	sql = cached_sql[i];
	st = db_stmt(srv->db, sql);
	db_bind_i64(st, ":me", call_actor(x));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seen++;
		if (sqlite3_column_int64(st, 2) <= since)
			break;
		if (strcmp(db_col_text(st, 0), "reply") == 0)
			list = replies;
		else if (strcmp(db_col_text(st, 0), "mention") == 0)
			list = mentions;
		else
			continue;
		if (json_array_size(list) >= ROUNDUP_ITEMS) {
			*more = true;
			continue;
		}
		o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "text",
		    db_col_text(st, 1), "at", db_col_json_time(st, 2),
		    "thread_id", sqlite3_column_type(st, 3) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(st, 3)),
		    "post_id", sqlite3_column_type(st, 4) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int64(st, 4)),
		    "community", db_col_json_text(st, 5), "by",
		    thread_author_json(st, 6), "title",
		    db_col_json_text(st, 8));
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW && seen == ROUNDUP_SCAN)
		*more = true;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return call_db_fail(x);
	return 0;
}

static int
op_roundup_get(struct call *x)
{
	const char *since_s = NULL;
	bool mark = false, more = false;
	int64_t now = now_unix(), since = -1;
	json_t *threads = NULL, *replies, *mentions;
	sqlite3_stmt *st;
	char when[32];
	int rc;

	if (arg_str(x->args, "since", false, 32, &since_s, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "mark", false, &mark, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (since_s != NULL && (rc = time_parse(since_s, TIME_WIRE,
	    &since)) != TIME_OK)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.since must be a time like 2026-11-21T22:50:01Z: %s",
		    time_parse_error(rc));
	if (since < 0) {
		st = db_stmt(srv->db,
		    "SELECT roundup_at FROM members WHERE id = :me");
		db_bind_i64(st, ":me", call_actor(x));
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			since = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (since < 0)
			since = now - ROUNDUP_DEFAULT;
	}
	if (roundup_threads(x, since, &threads, &more) != 0)
		return -1;
	replies = json_array();
	mentions = json_array();
	if (roundup_notices(x, since, replies, mentions, &more) != 0) {
		json_decref(threads);
		json_decref(replies);
		json_decref(mentions);
		return -1;
	}
	if (mark && call_actor(x) != 0) {
		st = db_stmt(srv->db,
		    "UPDATE members SET roundup_at = :now WHERE id = :me");
		db_bind_i64(st, ":now", now);
		db_bind_i64(st, ":me", call_actor(x));
		if (call_step(x, st) != 0) {
			json_decref(threads);
			json_decref(replies);
			json_decref(mentions);
			return -1;
		}
	}
	time_iso8601(since, when);
	x->result = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:b}", "since",
	    when, "until", time_json(now), "threads", threads, "replies",
	    replies, "mentions", mentions, "more", more, "marked", mark);
	return 0;
}

const struct op op_roundup_table[] = {
	{ "roundup.get", OP_MEMBER | OP_WRITE, op_roundup_get,
	    "Since your last visit {since?, mark?}: new threads in your "
	    "communities, replies to you, mentions of you.", RATE_WRITE,
	    ARGS(ARG_STR("since", ARG_OPT, 32), ARG_BOOL("mark", ARG_OPT)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
