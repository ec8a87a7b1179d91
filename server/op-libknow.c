/*
 * op-libknow.c: the library's knowledge beside its documents (issue 16).
 * The knowledge bank: a community's leaders and managers keep a thread or
 * one post of it in the library with a note (library.keep, library.unkeep)
 * and everyone who reads the community sees them there (library.kept).
 * Links: a post that writes [[doc:ID]] links that document; library.links
 * lists the posts linking one, those the asker may read, and
 * library.titles names several documents at once for a screen that shows
 * the links as their titles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define KEEP_NOTE_MAX 2000
#define LINKS_MAX 50
#define TITLES_MAX 50

/* ---- the knowledge bank ---- */

/*
 * The thread (and post, 0 for a whole thread) a keep names, and the
 * caller's standing in its community for act; -1 with the call failed.
 * A hidden or deleted post is not there to keep.
 */
static int
kept_item(struct call *x, json_int_t thread_id, json_int_t post_id,
    enum cact act, int64_t *tid, int64_t *pid, struct access *a)
{
	sqlite3_stmt *st;
	int64_t cid;

	if (post_id != 0) {
		st = db_stmt(srv->db, "SELECT p.thread_id, t.community_id FROM "
		    "posts p JOIN threads t ON t.id = p.thread_id WHERE "
		    "p.id = ? AND p.hidden_at IS NULL AND p.deleted_at IS NULL");
		sqlite3_bind_int64(st, 1, post_id);
	} else {
		st = db_stmt(srv->db, "SELECT id, community_id FROM threads "
		    "WHERE id = ?");
		sqlite3_bind_int64(st, 1, thread_id);
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, post_id != 0 ?
		    "No such post." : "No such thread.");
	}
	*tid = sqlite3_column_int64(st, 0);
	cid = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	*pid = post_id;
	/* one that may not be read does not exist for the caller */
	if (authz_community(x, cid, CA_READ, a) != 0)
		return call_fail(x, ERR_NOT_FOUND, post_id != 0 ?
		    "No such post." : "No such thread.");
	if (act != CA_READ && !a->admin && a->role < CROLE_LEADER)
		return call_fail(x, ERR_FORBIDDEN, "Only leaders and managers "
		    "of %s keep posts and threads in its library.", a->name);
	return 0;
}

/* library.keep: keep a thread or a post in the library, with a note. */
static int
op_library_keep(struct call *x)
{
	json_int_t thread_id = 0, post_id = 0;
	const char *note = "";
	struct access a;
	sqlite3_stmt *st;
	int64_t tid, pid, id;
	char detail[300];

	if (arg_int(x->args, "thread_id", false, 1, INT64_MAX, &thread_id,
	    x->msg, sizeof x->msg) != 0 || arg_int(x->args, "post_id", false,
	    1, INT64_MAX, &post_id, x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "note", false, KEEP_NOTE_MAX, &note, x->msg,
	    sizeof x->msg) != 0 || (note != NULL && utf8_check_arg("note",
	    note, UTF8_LINES, x->msg, sizeof x->msg) != 0))
		return call_bad(x);
	if ((thread_id == 0) == (post_id == 0))
		return call_fail(x, ERR_BAD_REQUEST, "Give thread_id or "
		    "post_id: the thread or the post to keep.");
	if (note == NULL)
		note = "";
	if (kept_item(x, thread_id, post_id, CA_MODERATE, &tid, &pid, &a) != 0)
		return -1;
	/* kept again: its note is the new one */
	st = db_stmt(srv->db, "INSERT INTO library_kept (thread_id, post_id, "
	    "note, kept_by, kept_at) VALUES (?1, nullif(?2, 0), ?3, nullif(?4, 0), ?5) "
	    "ON CONFLICT (thread_id, ifnull(post_id, 0)) DO UPDATE SET "
	    "note = excluded.note RETURNING id");
	sqlite3_bind_int64(st, 1, tid);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, call_actor(x));
	sqlite3_bind_int64(st, 5, now_unix());
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_db_fail(x);
	}
	id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	snprintf(detail, sizeof detail, "%s: %s %lld", a.slug, pid != 0 ?
	    "post" : "thread", (long long)(pid != 0 ? pid : tid));
	if (audit_add(srv->db, &x->conn->member, "library.keep", 0, a.slug,
	    detail) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I}", "id", (json_int_t)id);
	return 0;
}

/* library.unkeep: take a kept item out of the library (not the post). */
static int
op_library_unkeep(struct call *x)
{
	json_int_t id;
	struct access a;
	sqlite3_stmt *st;
	int64_t tid, pid, t, p;
	char detail[300];

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT thread_id, ifnull(post_id, 0) FROM "
	    "library_kept WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "Nothing kept by that id.");
	}
	t = sqlite3_column_int64(st, 0);
	p = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	/* (a kept post since hidden can still be taken out) */
	if (kept_item(x, t, 0, CA_MODERATE, &tid, &pid, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "DELETE FROM library_kept WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s: %s %lld", a.slug, p != 0 ?
	    "post" : "thread", (long long)(p != 0 ? p : t));
	if (audit_add(srv->db, &x->conn->member, "library.unkeep", 0, a.slug,
	    detail) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I}", "id", id);
	return 0;
}

/* library.kept: a community's kept threads and posts, newest first. */
static int
op_library_kept(struct call *x)
{
	const char *slug = NULL;
	struct access a;
	sqlite3_stmt *st;
	json_t *items;

	if (arg_str(x->args, "community", true, 64, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	/* a kept post hidden or deleted since is not shown */
	st = db_stmt(srv->db, "SELECT k.id, k.thread_id, k.post_id, t.title, "
	    "substr(ifnull(p.body, ''), 1, 300), ifnull(pa.handle, ta.handle), "
	    "ifnull(pa.display_name, ta.display_name), k.note, kb.handle, "
	    "k.kept_at FROM library_kept k JOIN threads t ON t.id = "
	    "k.thread_id LEFT JOIN posts p ON p.id = k.post_id "
	    "LEFT JOIN members pa ON pa.id = p.author_id "
	    "LEFT JOIN members ta ON ta.id = t.author_id "
	    "LEFT JOIN members kb ON kb.id = k.kept_by "
	    "WHERE t.community_id = ? AND (k.post_id IS NULL OR "
	    "(p.hidden_at IS NULL AND p.deleted_at IS NULL)) "
	    "ORDER BY k.kept_at DESC, k.id DESC LIMIT 500");
	sqlite3_bind_int64(st, 1, a.community_id);
	items = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "thread_id",
		    (json_int_t)sqlite3_column_int64(st, 1), "title",
		    db_col_text(st, 3), "excerpt", db_col_text(st, 4), "note",
		    db_col_text(st, 7), "kept_by", db_col_text(st, 8),
		    "kept_at", db_col_json_time(st, 9));

		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			json_object_set_new(o, "post_id", json_integer(
			    sqlite3_column_int64(st, 2)));
		json_object_set_new(o, "author", thread_author_json(st, 5));
		json_array_append_new(items, o);
	}
	sqlite3_reset(st);
	x->result = json_pack("{s:o, s:b}", "kept", items, "may_keep",
	    a.admin || a.role >= CROLE_LEADER);
	return 0;
}

/* ---- links: [[doc:ID]] in posts ---- */

/* library.links: the posts that link a document, those the caller may
 * read, newest first. The words "doc ID" next to each other find them
 * through posts_fts; the exact [[doc:ID]] is checked in the body. */
static int
op_library_links(struct call *x)
{
	json_int_t id;
	struct access a;
	sqlite3_stmt *st;
	json_t *posts;
	char match[64], mark[64], *sql;

	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (library_doc_visible(x, id, &a) != 0)
		return -1;
	snprintf(match, sizeof match, "\"doc %lld\"", (long long)id);
	snprintf(mark, sizeof mark, "[[doc:%lld]]", (long long)id);
	sql = xasprintf("SELECT p.id, t.id, t.title, c.slug, c.name, "
	    "a.handle, a.display_name, p.created_at FROM posts_fts f "
	    "JOIN posts p ON p.id = f.rowid JOIN threads t ON t.id = "
	    "p.thread_id JOIN communities c ON c.id = t.community_id "
	    "LEFT JOIN members a ON a.id = p.author_id WHERE posts_fts MATCH "
	    ":q AND instr(p.body, :mark) > 0 AND p.hidden_at IS NULL AND "
	    "p.deleted_at IS NULL AND t.community_id IN (%s) "
	    "ORDER BY p.id DESC LIMIT %d", authz_readable_sql(x->conn),
	    LINKS_MAX);
	/* (not db_stmt: that keeps statements by their SQL's address) */
	if (sqlite3_prepare_v2(srv->db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		return call_db_fail(x);
	}
	free(sql);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":q"), match,
	    -1, SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":mark"), mark,
	    -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":me"),
	    x->conn->member.id);
	posts = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(posts, json_pack("{s:I, s:I, s:s, "
		    "s:{s:s, s:s}, s:o, s:o}", "post_id",
		    (json_int_t)sqlite3_column_int64(st, 0), "thread_id",
		    (json_int_t)sqlite3_column_int64(st, 1), "title",
		    db_col_text(st, 2), "community", "slug", db_col_text(st, 3),
		    "name", db_col_text(st, 4), "author",
		    thread_author_json(st, 5), "at", db_col_json_time(st, 7)));
	sqlite3_finalize(st);
	x->result = json_pack("{s:I, s:o}", "id", id, "posts", posts);
	return 0;
}

/* library.titles: the titles of the documents among ids the caller may
 * see (others are left out), for showing [[doc:ID]] links by name. */
static int
op_library_titles(struct call *x)
{
	json_t *ids = json_object_get(x->args, "ids"), *v, *out;
	struct access a;
	struct call probe;
	sqlite3_stmt *st;
	size_t i;

	if (!json_is_array(ids) || json_array_size(ids) > TITLES_MAX)
		return call_fail(x, ERR_BAD_REQUEST, "args.ids must be an "
		    "array of at most %d document ids", TITLES_MAX);
	json_array_foreach(ids, i, v)
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return call_fail(x, ERR_BAD_REQUEST, "args.ids must "
			    "hold document ids (whole numbers from 1)");
	out = json_object();
	json_array_foreach(ids, i, v) {
		char key[32];

		/* a refusal here only leaves the id out */
		memset(&probe, 0, sizeof probe);
		probe.conn = x->conn;
		probe.req = x->req;
		if (library_doc_visible(&probe, json_integer_value(v), &a) != 0)
			continue;
		st = db_stmt(srv->db, "SELECT CASE title WHEN '' THEN name "
		    "ELSE title END FROM library_documents WHERE id = ?");
		sqlite3_bind_int64(st, 1, json_integer_value(v));
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(key, sizeof key, "%lld",
			    (long long)json_integer_value(v));
			json_object_set_new(out, key, json_pack("{s:s, s:s}",
			    "title", db_col_text(st, 0), "community",
			    a.name));
		}
		sqlite3_reset(st);
	}
	x->result = json_pack("{s:o}", "documents", out);
	return 0;
}

const struct op op_libknow_table[] = {
	{ "library.keep", OP_MEMBER | OP_WRITE, op_library_keep,
	    "Keep a thread or a post in its community's library {thread_id? "
	    "| post_id?, note?} (leaders and managers); kept again, the note "
	    "is replaced.", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_OPT, 1, INT64_MAX),
	    ARG_INT("post_id", ARG_OPT, 1, INT64_MAX),
	    ARG_STR("note", ARG_OPT, KEEP_NOTE_MAX)) },
	{ "library.unkeep", OP_MEMBER | OP_WRITE, op_library_unkeep,
	    "Take a kept thread or post {id} out of the library (leaders and "
	    "managers); the post itself stays.", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX)) },
	{ "library.kept", OP_MEMBER | OP_GUEST, op_library_kept,
	    "The threads and posts kept in a community's library "
	    "{community}, newest first, with their notes.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_REQ, 64)) },
	{ "library.links", OP_MEMBER | OP_GUEST, op_library_links,
	    "The posts you may read that link a document {id} with "
	    "[[doc:ID]], newest first.", RATE_READ,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX)) },
	{ "library.titles", OP_MEMBER | OP_GUEST, op_library_titles,
	    "The titles of documents {ids} you may see (others left out), "
	    "to show [[doc:ID]] links by name.", RATE_READ,
	    ARGS(ARG_INTS("ids", ARG_REQ, 1, TITLES_MAX, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
