/*
 * op-thread.c: boards, their threads. Listing a community's threads,
 * reading a thread with its posts (thread.get; the session then watches it
 * for thread.new_post), starting one, replying in one (post.create keeps
 * its place among the thread operations in the table), changing a
 * thread's title, tags, pin and lock, and read positions. Every operation
 * finds the community through the thread and asks authz.c (thread_authz);
 * threads in communities the caller may not read are not_found. What
 * happens to a post afterwards is op-post.c's, the roundup op-roundup.c's;
 * the three share the boards section of server.h.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define TAGS_MAX 8
#define TAG_LEN 32
#define PAGE_BYTES (48 * 1024) /* thread.get pages stay under one 64 KiB line */

/*
 * {handle, display_name} from two columns; with none (Hearth's own posts:
 * welcome threads, room records) Hearth itself, with no handle.
 */
json_t *
thread_author_json(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_pack("{s:n, s:s, s:b}", "handle", "display_name",
		    "Hearth", "system", 1);
	return json_pack("{s:s, s:s}", "handle", db_col_text(st, col),
	    "display_name", db_col_text(st, col + 1));
}

/* "a b c" as ["a", "b", "c"]. */
static json_t *
tags_json(const char *s)
{
	json_t *a = json_array();
	const char *sp;

	while (*s != '\0') {
		sp = strchr(s, ' ');
		if (sp == NULL)
			sp = s + strlen(s);
		if (sp > s)
			json_array_append_new(a, json_stringn(s, (size_t)(sp - s)));
		s = *sp != '\0' ? sp + 1 : sp;
	}
	return a;
}

/* A thread list item from the THREAD_COLS columns. */
json_t *
thread_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:b}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0), "title",
	    db_col_text(st, 1), "tags", tags_json(db_col_text(st, 2)),
	    "pinned", sqlite3_column_int(st, 3) != 0, "locked",
	    sqlite3_column_int(st, 4) != 0, "author", thread_author_json(st, 5),
	    "created_at", db_col_json_time(st, 7), "last_post_at",
	    db_col_json_time(st, 8), "post_count",
	    (json_int_t)sqlite3_column_int64(st, 9), "unread",
	    sqlite3_column_int(st, 10) != 0);
}

/*
 * A thread whose first post a moderator hid is listed without its title
 * to those who may not see that post (not its author, not moderators):
 * the title usually says what the post said.
 */
#define FIRST_HIDDEN_SQL \
	"(SELECT p.hidden_at IS NOT NULL FROM posts p WHERE p.thread_id = " \
	"t.id ORDER BY p.id LIMIT 1)"
#define TITLE_HIDDEN "(hidden by a moderator)"

static void
title_hide(json_t *item)
{
	json_object_set_new(item, "title", json_string(TITLE_HIDDEN));
	json_object_set_new(item, "title_hidden", json_true());
}

/*
 * Load a thread and its header (as the caller sees it). Fails the call with
 * not_found when there is no such thread.
 */
static int
thread_load(struct call *x, int64_t id, struct thread *t)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT " THREAD_COLS ", t.community_id, t.author_id, "
	    "t.last_post_id, c.slug, (SELECT r.last_post_id FROM "
	    "read_positions r WHERE r.member_id = :me AND r.thread_id = t.id), "
	    FIRST_HIDDEN_SQL " FROM threads t JOIN communities c ON "
	    "c.id = t.community_id LEFT JOIN members m ON m.id = t.author_id "
	    "WHERE t.id = :id");
	int rc;

	memset(t, 0, sizeof *t);
	db_bind_i64(st, ":id", id);
	db_bind_i64(st, ":me", call_actor(x));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
		return call_fail(x, ERR_NOT_FOUND, "No such thread.");
	}
	t->id = id;
	t->community_id = sqlite3_column_int64(st, 11);
	t->author_id = sqlite3_column_int64(st, 12);
	t->last_post_id = sqlite3_column_int64(st, 13);
	t->locked = sqlite3_column_int(st, 4) != 0;
	snprintf(t->title, sizeof t->title, "%s", db_col_text(st, 1));
	t->json = thread_json(st);
	json_object_set_new(t->json, "community",
	    json_string(db_col_text(st, 14)));
	json_object_set_new(t->json, "read_up_to",
	    sqlite3_column_type(st, 15) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, 15)));
	t->first_hidden = sqlite3_column_int(st, 16) != 0;
	sqlite3_reset(st);
	return 0;
}

/* Ask authz.c quietly: true if the caller may do act (the call stays clean). */
static bool
may(struct call *x, int64_t community_id, enum cact act)
{
	enum proto_err err = x->err;
	struct access a;
	char msg[sizeof x->msg];
	bool ok;

	memcpy(msg, x->msg, sizeof msg);
	ok = authz_community(x, community_id, act, &a) == 0;
	x->err = err;
	memcpy(x->msg, msg, sizeof msg);
	return ok;
}

/*
 * Authorize act on something inside a community: first the caller must be
 * able to read it (otherwise not_found with nf, so that threads in private
 * communities do not leak), then act itself. *mod, when asked for, says
 * whether the caller may moderate there.
 */
int
thread_authz(struct call *x, int64_t community_id, enum cact act,
    struct access *a, bool *mod, const char *nf)
{
	bool m;

	if (authz_community(x, community_id, CA_READ, a) != 0) {
		if (x->err == ERR_FORBIDDEN)
			return call_fail(x, ERR_NOT_FOUND, "%s", nf);
		return -1;
	}
	m = a->admin || (act == CA_MODERATE || mod != NULL ?
	    may(x, community_id, CA_MODERATE) : false);
	if (mod != NULL)
		*mod = m;
	if (act == CA_READ || (act == CA_MODERATE && m))
		return 0;
	return authz_community(x, community_id, act, a);
}

/* Title: 1-200 bytes on one line, not blank. */
static int
title_check(struct call *x, const char *title)
{
	const char *s;
	bool blank = true;

	for (s = title; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.title must be one line of text");
		if (*s != ' ')
			blank = false;
	}
	if (blank)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.title must not be empty");
	/* C1 controls and direction changes too */
	if (utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	return 0;
}

/*
 * Tags: a list of up to 8 distinct tags of [a-z0-9-], written into out
 * space-separated. *given is false when the argument is absent.
 */
static int
tags_arg(struct call *x, char *out, size_t outlen, bool *given)
{
	json_t *v = json_object_get(x->args, "tags"), *e;
	size_t i, n, len = 0;
	const char *s, *p;

	*out = '\0';
	*given = v != NULL && !json_is_null(v);
	if (!*given)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > TAGS_MAX)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.tags must be a list of at most %d tags", TAGS_MAX);
	json_array_foreach(v, i, e) {
		s = json_is_string(e) ? json_string_value(e) : NULL;
		n = s != NULL ? strlen(s) : 0;
		if (s == NULL || n == 0 || n > TAG_LEN ||
		    n != json_string_length(e))
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.tags: each tag must be 1-%d characters of "
			    "a-z, 0-9 and '-'", TAG_LEN);
		for (p = s; *p != '\0'; p++) {
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-'))
				return call_fail(x, ERR_BAD_REQUEST,
				    "args.tags: '%.40s' may only use a-z, 0-9 "
				    "and '-'", s);
		}
		/* skip duplicates */
		for (p = out; (p = strstr(p, s)) != NULL; p += n) {
			if ((p == out || p[-1] == ' ') &&
			    (p[n] == ' ' || p[n] == '\0'))
				break;
		}
		if (p != NULL)
			continue;
		if (len + n + 2 > outlen)
			return call_fail(x, ERR_BAD_REQUEST, "args.tags: too long");
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, s, n);
		len += n;
		out[len] = '\0';
	}
	return 0;
}

/* Set the caller's read position in a thread. */
static int
read_set(struct call *x, int64_t thread_id, int64_t post_id)
{
	sqlite3_stmt *st;

	if (call_actor(x) == 0)
		return 0;
	st = db_stmt(srv->db,
	    "INSERT INTO read_positions (member_id, thread_id, last_post_id, "
	    "at) VALUES (:me, :t, :p, :now) ON CONFLICT (member_id, thread_id) "
	    "DO UPDATE SET last_post_id = excluded.last_post_id, "
	    "at = excluded.at");
	db_bind_i64(st, ":me", call_actor(x));
	db_bind_i64(st, ":t", thread_id);
	db_bind_i64(st, ":p", post_id);
	db_bind_i64(st, ":now", now_unix());
	return call_step(x, st);
}

/* thread.list cursor "pinned.last_post_at.id". */
static int
cursor_parse(const char *s, int64_t v[3])
{
	char *end;

	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		v[i] = strtoll(s, &end, 10);
		if (*end != (i < 2 ? '.' : '\0'))
			return -1;
		s = end + 1;
	}
	return 0;
}

static int
op_thread_list(struct call *x)
{
	const char *slug = NULL, *before = NULL;
	json_int_t limit = 30;
	int64_t cur[3] = { 0, 0, 0 }, last[3] = { 0, 0, 0 };
	struct access a;
	sqlite3_stmt *st;
	json_t *list, *item;
	char next[80];
	bool mod;
	int rc, n = 0;

	if (arg_str(x->args, "slug", true, 48, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 100, &limit, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "before", false, 64, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (before != NULL && cursor_parse(before, cur) != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.before must be the 'next' value of an earlier "
		    "thread.list");
	/* by slug: a private community's existence is no secret (CA_SEE) */
	if (authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	visits_note(call_actor(x), a.community_id);
	mod = a.admin || may(x, a.community_id, CA_MODERATE);
	if (before == NULL)
		st = db_stmt(srv->db,
		    "SELECT " THREAD_COLS ", t.author_id, " FIRST_HIDDEN_SQL
		    " FROM threads t LEFT JOIN members m "
		    "ON m.id = t.author_id WHERE t.community_id = :c "
		    "ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC "
		    "LIMIT :n");
	else {
		st = db_stmt(srv->db,
		    "SELECT " THREAD_COLS ", t.author_id, " FIRST_HIDDEN_SQL
		    " FROM threads t LEFT JOIN members m "
		    "ON m.id = t.author_id WHERE t.community_id = :c AND "
		    "(t.pinned, t.last_post_at, t.id) < (:p, :at, :id) "
		    "ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC "
		    "LIMIT :n");
		db_bind_i64(st, ":p", cur[0]);
		db_bind_i64(st, ":at", cur[1]);
		db_bind_i64(st, ":id", cur[2]);
	}
	db_bind_i64(st, ":c", a.community_id);
	db_bind_i64(st, ":me", call_actor(x));
	db_bind_i64(st, ":n", limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit)
			break;
		item = thread_json(st);
		if (!mod && sqlite3_column_int(st, 12) != 0 &&
		    (sqlite3_column_int64(st, 11) == 0 ||
		    sqlite3_column_int64(st, 11) != call_actor(x)))
			title_hide(item);
		json_array_append_new(list, item);
		last[0] = sqlite3_column_int64(st, 3);
		last[1] = sqlite3_column_int64(st, 8);
		last[2] = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	snprintf(next, sizeof next, "%lld.%lld.%lld", (long long)last[0],
	    (long long)last[1], (long long)last[2]);
	x->result = json_pack("{s:s, s:o, s:o}", "community", a.slug,
	    "threads", list, "next", rc == SQLITE_ROW ? json_string(next) :
	    json_null());
	return 0;
}

static int
op_thread_get(struct call *x)
{
	json_int_t id = 0, limit = 50, after = 0;
	struct thread t;
	struct access a;
	sqlite3_stmt *st;
	json_t *posts;
	size_t bytes = 0;
	int64_t last = 0;
	bool mod = false;
	int rc, n = 0;

	if (arg_int(x->args, "thread_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 200, &limit, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "after", false, 0, INT64_MAX, &after, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (thread_load(x, id, &t) != 0)
		return -1;
	if (thread_authz(x, t.community_id, CA_READ, &a, &mod,
	    "No such thread.") != 0) {
		json_decref(t.json);
		return -1;
	}
	visits_note(call_actor(x), t.community_id);
	st = db_stmt(srv->db,
	    "SELECT " POST_COLS " FROM posts p LEFT JOIN members m ON "
	    "m.id = p.author_id WHERE p.thread_id = :t AND p.id > :after "
	    "ORDER BY p.id LIMIT :n");
	db_bind_i64(st, ":t", id);
	db_bind_i64(st, ":after", after);
	db_bind_i64(st, ":me", call_actor(x));
	db_bind_i64(st, ":n", limit + 1);
	posts = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t pb = (size_t)sqlite3_column_bytes(st, 3);

		/* Always at least one post, however long. */
		if (n == limit || (n > 0 && bytes + pb > PAGE_BYTES))
			break;
		json_array_append_new(posts, post_json(st, call_actor(x), mod));
		bytes += pb;
		last = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(posts);
		json_decref(t.json);
		return call_db_fail(x);
	}
	json_object_set_new(t.json, "moderator", json_boolean(mod));
	if (t.first_hidden && !mod && (t.author_id == 0 ||
	    t.author_id != call_actor(x)))
		title_hide(t.json);
	x->conn->watching_thread = id;
	x->result = json_pack("{s:o, s:o, s:o}", "thread", t.json, "posts",
	    posts, "next", rc == SQLITE_ROW ? json_integer(last) :
	    json_null());
	return 0;
}

static int
op_thread_create(struct call *x)
{
	const char *slug = NULL, *title = NULL, *body = NULL;
	char tags[TAGS_MAX * (TAG_LEN + 1) + 1];
	struct thread t;
	struct access a;
	sqlite3_stmt *st;
	int64_t now = now_unix(), post_id;
	json_t *post = NULL;
	bool given;

	if (arg_str(x->args, "slug", true, 48, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", true, THREAD_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (title_check(x, title) != 0 || post_body_arg(x, &body) != 0 ||
	    tags_arg(x, tags, sizeof tags, &given) != 0)
		return -1;
	if (authz_community_slug(x, slug, CA_POST, &a) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "INSERT INTO threads (community_id, author_id, title, tags, "
	    "created_at, last_post_at, post_count) VALUES (:c, :a, :title, "
	    ":tags, :now, :now, 1)");
	db_bind_i64(st, ":c", a.community_id);
	if (call_actor(x) != 0)
		db_bind_i64(st, ":a", call_actor(x));
	db_bind_text(st, ":title", title);
	db_bind_text(st, ":tags", tags);
	db_bind_i64(st, ":now", now);
	if (call_step(x, st) != 0)
		return -1;
	memset(&t, 0, sizeof t);
	t.id = sqlite3_last_insert_rowid(srv->db);
	t.community_id = a.community_id;
	t.author_id = call_actor(x);
	snprintf(t.title, sizeof t.title, "%s", title);
	if ((post_id = post_insert(x, t.id, 0, body, now)) == 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE threads SET last_post_id = :p WHERE id = :t");
	db_bind_i64(st, ":p", post_id);
	db_bind_i64(st, ":t", t.id);
	if (call_step(x, st) != 0 || read_set(x, t.id, post_id) != 0 ||
	    post_created(x, &a, &t, post_id, 0, 0, body, &post) != 0)
		return -1;
	json_decref(post);
	x->result = json_pack("{s:I, s:I}", "thread_id", (json_int_t)t.id,
	    "post_id", (json_int_t)post_id);
	return 0;
}

static int
op_post_create(struct call *x)
{
	json_int_t thread_id = 0, reply_to = 0;
	const char *body = NULL;
	struct thread t;
	struct access a;
	sqlite3_stmt *st;
	int64_t now = now_unix(), post_id, parent_author = 0;
	json_t *post = NULL;
	bool mod = false;
	int rc;

	if (arg_int(x->args, "thread_id", true, 1, INT64_MAX, &thread_id,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "reply_to", false, 1, INT64_MAX, &reply_to,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (post_body_arg(x, &body) != 0 || thread_load(x, thread_id, &t) != 0)
		return -1;
	json_decref(t.json);
	if (thread_authz(x, t.community_id, CA_REPLY, &a,
	    t.locked ? &mod : NULL, "No such thread.") != 0)
		return -1;
	if (t.locked && !mod)
		return call_fail(x, ERR_FORBIDDEN,
		    "This thread is locked: only moderators may reply.");
	if (reply_to != 0) {
		st = db_stmt(srv->db,
		    "SELECT thread_id, author_id FROM posts WHERE id = :id");
		db_bind_i64(st, ":id", reply_to);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (sqlite3_column_int64(st, 0) != thread_id)
				rc = SQLITE_DONE;
			parent_author = sqlite3_column_int64(st, 1);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.reply_to must be a post in the same thread");
	}
	if ((post_id = post_insert(x, thread_id, reply_to, body, now)) == 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE threads SET last_post_at = :now, last_post_id = :p, "
	    "post_count = post_count + 1 WHERE id = :t");
	db_bind_i64(st, ":now", now);
	db_bind_i64(st, ":p", post_id);
	db_bind_i64(st, ":t", thread_id);
	if (call_step(x, st) != 0 || read_set(x, thread_id, post_id) != 0 ||
	    post_created(x, &a, &t, post_id, reply_to, parent_author, body,
	    &post) != 0)
		return -1;
	x->result = json_pack("{s:I, s:I, s:o}", "post_id",
	    (json_int_t)post_id, "thread_id", (json_int_t)thread_id, "post",
	    post);
	return 0;
}

static int
op_thread_update(struct call *x)
{
	json_int_t id = 0;
	const char *title = NULL;
	char tags[TAGS_MAX * (TAG_LEN + 1) + 1];
	bool tags_given, pinned = false, locked = false, mod = false;
	struct thread t;
	struct access a;
	sqlite3_stmt *st;
	json_t *jp, *jl;

	if (arg_int(x->args, "thread_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", false, THREAD_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "pinned", false, &pinned, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "locked", false, &locked, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	jp = json_object_get(x->args, "pinned");
	jl = json_object_get(x->args, "locked");
	if (jp != NULL && json_is_null(jp))
		jp = NULL;
	if (jl != NULL && json_is_null(jl))
		jl = NULL;
	if ((title != NULL && title_check(x, title) != 0) ||
	    tags_arg(x, tags, sizeof tags, &tags_given) != 0)
		return -1;
	if (title == NULL && !tags_given && jp == NULL && jl == NULL)
		return call_fail(x, ERR_BAD_REQUEST,
		    "give at least one of args.title, args.tags, args.pinned, "
		    "args.locked");
	if (thread_load(x, id, &t) != 0)
		return -1;
	json_decref(t.json);
	if (thread_authz(x, t.community_id, CA_READ, &a, &mod,
	    "No such thread.") != 0)
		return -1;
	if ((jp != NULL || jl != NULL) && !mod &&
	    authz_community(x, t.community_id, CA_MODERATE, &a) != 0)
		return -1;
	if ((title != NULL || tags_given) && !mod) {
		if (t.author_id == 0 || t.author_id != call_actor(x))
			return call_fail(x, ERR_FORBIDDEN,
			    "Only the thread's author or a moderator may change "
			    "its title or tags.");
		if (authz_community(x, t.community_id, CA_REPLY, &a) != 0)
			return -1;
	}
	st = db_stmt(srv->db,
	    "UPDATE threads SET title = coalesce(:title, title), "
	    "tags = coalesce(:tags, tags), pinned = coalesce(:p, pinned), "
	    "locked = coalesce(:l, locked) WHERE id = :id");
	db_bind_text(st, ":title", title);
	db_bind_text(st, ":tags", tags_given ? tags : NULL);
	if (jp != NULL)
		db_bind_i64(st, ":p", pinned);
	if (jl != NULL)
		db_bind_i64(st, ":l", locked);
	db_bind_i64(st, ":id", id);
	if (call_step(x, st) != 0 || thread_load(x, id, &t) != 0)
		return -1;
	x->result = json_pack("{s:o}", "thread", t.json);
	return 0;
}

static int
op_thread_mark_read(struct call *x)
{
	json_int_t id = 0, post_id = 0;
	struct thread t;
	struct access a;
	sqlite3_stmt *st;
	int rc;

	if (arg_int(x->args, "thread_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "post_id", false, 1, INT64_MAX, &post_id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (thread_load(x, id, &t) != 0)
		return -1;
	json_decref(t.json);
	if (thread_authz(x, t.community_id, CA_READ, &a, NULL,
	    "No such thread.") != 0)
		return -1;
	if (post_id == 0)
		post_id = t.last_post_id;
	else {
		st = db_stmt(srv->db,
		    "SELECT 1 FROM posts WHERE id = :id AND thread_id = :t");
		db_bind_i64(st, ":id", post_id);
		db_bind_i64(st, ":t", id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.post_id must be a post in this thread");
	}
	if (read_set(x, id, post_id) != 0)
		return -1;
	x->result = json_pack("{s:I, s:I}", "thread_id", id, "last_post_id",
	    post_id);
	return 0;
}

const struct op op_thread_table[] = {
	{ "thread.list", OP_MEMBER | OP_GUEST, op_thread_list,
	    "Threads of a community {slug, limit?, before?}: pinned first, "
	    "then newest activity.", RATE_READ,
	    ARGS(ARG_STR("slug", ARG_REQ, 48), ARG_INT("limit", ARG_OPT, 1, 100),
	    ARG_STR("before", ARG_OPT, 64)) },
	{ "thread.get", OP_MEMBER | OP_GUEST, op_thread_get,
	    "A thread and its posts in order {thread_id, limit?, after?}; "
	    "this session then receives thread.new_post for it.", RATE_READ,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("limit", ARG_OPT, 1, 200),
	    ARG_INT("after", ARG_OPT, 0, INT64_MAX)) },
	{ "thread.create", OP_MEMBER | OP_WRITE, op_thread_create,
	    "Start a thread {slug, title, body, tags?} (members of the "
	    "community).", RATE_WRITE, ARGS(ARG_STR("slug", ARG_REQ, 48),
	    ARG_STR("title", ARG_REQ, THREAD_TITLE_MAX),
	    ARG_STR("body", ARG_REQ, POST_BODY_MAX),
	    ARG_STRS("tags", ARG_OPT, 0, TAGS_MAX, TAG_LEN)) },
	{ "post.create", OP_MEMBER | OP_WRITE, op_post_create,
	    "Reply in a thread {thread_id, body, reply_to?}.", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("body", ARG_REQ, POST_BODY_MAX),
	    ARG_INT("reply_to", ARG_OPT, 1, INT64_MAX)) },
	{ "thread.update", OP_MEMBER | OP_WRITE, op_thread_update,
	    "Change a thread {thread_id, title?, tags?, pinned?, locked?}: "
	    "title and tags by its author or a moderator, pinned and locked "
	    "by moderators.", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, THREAD_TITLE_MAX),
	    ARG_STRS("tags", ARG_OPT, 0, TAGS_MAX, TAG_LEN),
	    ARG_BOOL("pinned", ARG_OPT), ARG_BOOL("locked", ARG_OPT)) },
	{ "thread.mark_read", OP_MEMBER | OP_SELF | OP_WRITE, op_thread_mark_read,
	    "Set your read position in a thread {thread_id, post_id?} "
	    "(default: its last post).", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("post_id", ARG_OPT, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
