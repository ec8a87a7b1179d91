/*
 * op-thread.c: boards. Threads and posts inside a community: listing,
 * reading, writing, replies, edits with history, moderation (hide, lock,
 * pin), thanks, mentions, read positions and the "since your last visit"
 * roundup. Every operation finds the community through the thread and asks
 * authz.c; threads in communities the caller may not read are not_found.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define BODY_MAX 60000 /* protocol lines are at most 64 KiB */
#define TITLE_MAX 200
#define TAGS_MAX 8
#define TAG_LEN 32
#define REASON_MAX 500
#define MENTIONS_MAX 20
#define PAGE_BYTES (48 * 1024) /* thread.get pages stay under one 64 KiB line */
#define ROUNDUP_PER_COMMUNITY 20
#define ROUNDUP_SCAN_COMMUNITY 100 /* threads looked at per community */
#define ROUNDUP_ITEMS 50
#define ROUNDUP_SCAN 500 /* notifications looked at, newest first */
#define ROUNDUP_DEFAULT (7 * 86400)

/* The columns of a thread as lists show it (thread_json reads them). */
#define THREAD_COLS \
	"t.id, t.title, t.tags, t.pinned, t.locked, m.handle, " \
	"m.display_name, t.created_at, t.last_post_at, t.post_count, " \
	"(:me != 0 AND coalesce((SELECT r.last_post_id FROM read_positions r " \
	"WHERE r.member_id = :me AND r.thread_id = t.id), 0) < " \
	"coalesce(t.last_post_id, 0))"

/* The columns of a post (post_json reads them). */
#define POST_COLS \
	"p.id, m.handle, m.display_name, p.body, p.created_at, p.edited_at, " \
	"p.reply_to, p.thanks, EXISTS (SELECT 1 FROM post_thanks pt WHERE " \
	"pt.post_id = p.id AND pt.member_id = :me), p.hidden_at, " \
	"p.hidden_reason, p.deleted_at, p.author_id"

/* A thread as the handlers need it. */
struct thread {
	int64_t id;
	int64_t community_id;
	int64_t author_id;
	int64_t last_post_id;
	bool locked;
	char title[TITLE_MAX + 8];
	json_t *json; /* header: thread_json plus slug and read_up_to */
};

/* A post and its thread, for the post.* operations. */
struct post {
	int64_t id;
	int64_t thread_id;
	int64_t author_id;
	int64_t community_id;
	int64_t created_at;
	bool hidden;
	bool deleted;
	bool locked; /* its thread */
	char title[TITLE_MAX + 8];
};


static void
bind_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

static void
bind_text(sqlite3_stmt *st, const char *name, const char *s)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}


static int64_t
me(struct call *x)
{
	return x->conn->member.id;
}

/* The acting member's handle for notification texts. */
static const char *
me_handle(struct call *x)
{
	return x->conn->member.id != 0 ? x->conn->member.handle : "console";
}

/* A Unix time as an ISO 8601 string. */
static json_t *
time_json(int64_t t)
{
	char when[32];

	time_iso8601(t, when);
	return json_string(when);
}

/* {handle, display_name} from two columns, or null when there is none. */
static json_t *
author_json(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
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
static json_t *
thread_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:b}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0), "title",
	    db_col_text(st, 1), "tags", tags_json(db_col_text(st, 2)),
	    "pinned", sqlite3_column_int(st, 3) != 0, "locked",
	    sqlite3_column_int(st, 4) != 0, "author", author_json(st, 5),
	    "created_at", db_col_json_time(st, 7), "last_post_at",
	    db_col_json_time(st, 8), "post_count",
	    (json_int_t)sqlite3_column_int64(st, 9), "unread",
	    sqlite3_column_int(st, 10) != 0);
}

/*
 * A post from the POST_COLS columns as the viewer may see it: hidden posts
 * keep their body and reason only for their author and moderators; deleted
 * posts are tombstones.
 */
static json_t *
post_json(sqlite3_stmt *st, int64_t viewer, bool mod)
{
	bool hidden = sqlite3_column_type(st, 9) != SQLITE_NULL;
	bool deleted = sqlite3_column_type(st, 11) != SQLITE_NULL;
	bool mine = viewer != 0 && sqlite3_column_int64(st, 12) == viewer;
	json_t *o;

	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:b, s:b, s:b}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "author",
	    author_json(st, 1), "created_at", db_col_json_time(st, 4),
	    "edited_at", db_col_json_time(st, 5), "reply_to",
	    sqlite3_column_type(st, 6) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, 6)), "thanks",
	    (json_int_t)sqlite3_column_int64(st, 7), "thanked_by_me",
	    sqlite3_column_int(st, 8) != 0, "hidden", hidden, "deleted",
	    deleted);
	if (deleted || (hidden && !mine && !mod))
		json_object_set_new(o, "body", json_null());
	else
		json_object_set_new(o, "body", json_string(db_col_text(st, 3)));
	if (hidden && !deleted && (mine || mod))
		json_object_set_new(o, "hidden_reason",
		    db_col_json_text(st, 10));
	return o;
}

/* One post by id as viewer sees it (after a write); NULL on error. */
static json_t *
post_fetch(int64_t post_id, int64_t viewer, bool mod)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT " POST_COLS " FROM posts p LEFT JOIN members m ON "
	    "m.id = p.author_id WHERE p.id = :id");
	json_t *o = NULL;

	bind_i64(st, ":id", post_id);
	bind_i64(st, ":me", viewer);
	if (sqlite3_step(st) == SQLITE_ROW)
		o = post_json(st, viewer, mod);
	sqlite3_reset(st);
	return o;
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
	    "read_positions r WHERE r.member_id = :me AND r.thread_id = t.id) "
	    "FROM threads t JOIN communities c ON c.id = t.community_id "
	    "LEFT JOIN members m ON m.id = t.author_id WHERE t.id = :id");
	int rc;

	memset(t, 0, sizeof *t);
	bind_i64(st, ":id", id);
	bind_i64(st, ":me", me(x));
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
	sqlite3_reset(st);
	return 0;
}

/* Load a post and its thread; not_found when there is none. */
static int
post_load(struct call *x, int64_t id, struct post *p)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT p.thread_id, p.author_id, p.hidden_at IS NOT NULL, "
	    "p.deleted_at IS NOT NULL, t.community_id, t.title, p.created_at, "
	    "t.locked FROM posts p JOIN threads t ON t.id = p.thread_id "
	    "WHERE p.id = :id");
	int rc;

	memset(p, 0, sizeof *p);
	bind_i64(st, ":id", id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
		return call_fail(x, ERR_NOT_FOUND, "No such post.");
	}
	p->id = id;
	p->thread_id = sqlite3_column_int64(st, 0);
	p->author_id = sqlite3_column_int64(st, 1);
	p->hidden = sqlite3_column_int(st, 2) != 0;
	p->deleted = sqlite3_column_int(st, 3) != 0;
	p->community_id = sqlite3_column_int64(st, 4);
	snprintf(p->title, sizeof p->title, "%s", db_col_text(st, 5));
	p->created_at = sqlite3_column_int64(st, 6);
	p->locked = sqlite3_column_int(st, 7) != 0;
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
static int
board_authz(struct call *x, int64_t community_id, enum cact act,
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

/* Body: required, at most BODY_MAX bytes, not blank. */
static int
body_arg(struct call *x, const char **body)
{
	const char *s;

	if (arg_str(x->args, "body", true, BODY_MAX, body, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	for (s = *body; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
	    s++)
		;
	if (*s == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.body must not be empty");
	return 0;
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

static bool
handle_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '-';
}

/*
 * Collect the distinct @handles in a body (lower-cased), at most max. A
 * mention starts at '@' not preceded by a letter, digit or one of "_-.@/"
 * (so e-mail addresses do not count) and ends at the first character a
 * handle cannot hold.
 */
static int
mentions_parse(const char *body, char (*out)[33], int max)
{
	const char *s, *h;
	size_t n;
	int count = 0, i;
	char c, lower[34];

	for (s = strchr(body, '@'); s != NULL && count < max;
	    s = strchr(s + 1, '@')) {
		if (s > body) {
			c = s[-1];
			if ((c >= 'A' && c <= 'Z') || handle_char(c) ||
			    c == '.' || c == '@' || c == '/')
				continue;
		}
		/* handles are lower case; "@Sam_K" means @sam_k */
		h = s + 1;
		for (n = 0; n <= 32 && (handle_char(h[n]) ||
		    (h[n] >= 'A' && h[n] <= 'Z')); n++)
			lower[n] = (char)(h[n] >= 'A' && h[n] <= 'Z' ?
			    h[n] - 'A' + 'a' : h[n]);
		if (n < 2 || n > 32 || !(lower[0] >= 'a' && lower[0] <= 'z'))
			continue;
		lower[n] = '\0';
		for (i = 0; i < count; i++) {
			if (strcmp(out[i], lower) == 0)
				break;
		}
		if (i < count)
			continue;
		memcpy(out[count], lower, n + 1);
		count++;
	}
	return count;
}

/*
 * The id of an active member who may read the community (private: a member
 * of it; platform and public: any member; admins everywhere), by handle or,
 * when handle is NULL, by id. 0 when there is none.
 */
static int64_t
reader_id(const struct access *a, const char *handle, int64_t id)
{
	sqlite3_stmt *st;
	int64_t found = 0;

	if (handle != NULL) {
		st = db_stmt(srv->db,
		    "SELECT m.id FROM members m WHERE m.handle = :h AND "
		    "m.status = 'active' AND (m.role = 'admin' OR :vis != "
		    "'private' OR EXISTS (SELECT 1 FROM community_members cm "
		    "WHERE cm.community_id = :c AND cm.member_id = m.id))");
		bind_text(st, ":h", handle);
	} else {
		st = db_stmt(srv->db,
		    "SELECT m.id FROM members m WHERE m.id = :id AND "
		    "m.status = 'active' AND (m.role = 'admin' OR :vis != "
		    "'private' OR EXISTS (SELECT 1 FROM community_members cm "
		    "WHERE cm.community_id = :c AND cm.member_id = m.id))");
		bind_i64(st, ":id", id);
	}
	bind_text(st, ":vis", a->visibility);
	bind_i64(st, ":c", a->community_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		found = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return found;
}

/* A set of member ids already told about this post (one notice each). */
struct told {
	int64_t ids[MENTIONS_MAX + 4];
	int n;
};

static bool
told_has(struct told *t, int64_t id)
{
	for (int i = 0; i < t->n; i++) {
		if (t->ids[i] == id)
			return true;
	}
	return false;
}

static void
told_add(struct told *t, int64_t id)
{
	if (t->n < (int)(sizeof t->ids / sizeof t->ids[0]))
		t->ids[t->n++] = id;
}

/*
 * Notify the members mentioned in body (and not in old, when editing) who
 * may read the community, skipping those already told.
 */
static int
notify_mentions(struct call *x, const struct access *a, int64_t thread_id,
    int64_t post_id, const char *title, const char *body, const char *old,
    struct told *told)
{
	char handles[MENTIONS_MAX][33], before[MENTIONS_MAX][33];
	int n = mentions_parse(body, handles, MENTIONS_MAX), nb = 0, i, j;
	int64_t id;

	if (old != NULL)
		nb = mentions_parse(old, before, MENTIONS_MAX);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nb; j++) {
			if (strcmp(handles[i], before[j]) == 0)
				break;
		}
		if (j < nb)
			continue;
		id = reader_id(a, handles[i], 0);
		if (id == 0 || id == me(x) || told_has(told, id))
			continue;
		told_add(told, id);
		if (notify_add(x, id, "mention", a->community_id, thread_id,
		    post_id, 0, "@%s mentioned you in \"%s\"", me_handle(x),
		    title) != 0)
			return -1;
	}
	return 0;
}

/* Set the caller's read position in a thread. */
static int
read_set(struct call *x, int64_t thread_id, int64_t post_id)
{
	sqlite3_stmt *st;

	if (me(x) == 0)
		return 0;
	st = db_stmt(srv->db,
	    "INSERT INTO read_positions (member_id, thread_id, last_post_id, "
	    "at) VALUES (:me, :t, :p, :now) ON CONFLICT (member_id, thread_id) "
	    "DO UPDATE SET last_post_id = excluded.last_post_id, "
	    "at = excluded.at");
	bind_i64(st, ":me", me(x));
	bind_i64(st, ":t", thread_id);
	bind_i64(st, ":p", post_id);
	bind_i64(st, ":now", now_unix());
	return call_step(x, st);
}

/* Insert a post; returns its id or 0 after failing the call. */
static int64_t
post_insert(struct call *x, int64_t thread_id, int64_t reply_to,
    const char *body, int64_t now)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO posts (thread_id, author_id, reply_to, body, "
	    "created_at) VALUES (:t, :a, :r, :b, :now)");

	bind_i64(st, ":t", thread_id);
	if (me(x) != 0)
		bind_i64(st, ":a", me(x));
	if (reply_to != 0)
		bind_i64(st, ":r", reply_to);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":b"), body,
	    -1, SQLITE_STATIC);
	bind_i64(st, ":now", now);
	if (call_step(x, st) != 0)
		return 0;
	return sqlite3_last_insert_rowid(srv->db);
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
	json_t *list;
	char next[80];
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
	if (before == NULL)
		st = db_stmt(srv->db,
		    "SELECT " THREAD_COLS " FROM threads t LEFT JOIN members m "
		    "ON m.id = t.author_id WHERE t.community_id = :c "
		    "ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC "
		    "LIMIT :n");
	else {
		st = db_stmt(srv->db,
		    "SELECT " THREAD_COLS " FROM threads t LEFT JOIN members m "
		    "ON m.id = t.author_id WHERE t.community_id = :c AND "
		    "(t.pinned, t.last_post_at, t.id) < (:p, :at, :id) "
		    "ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC "
		    "LIMIT :n");
		bind_i64(st, ":p", cur[0]);
		bind_i64(st, ":at", cur[1]);
		bind_i64(st, ":id", cur[2]);
	}
	bind_i64(st, ":c", a.community_id);
	bind_i64(st, ":me", me(x));
	bind_i64(st, ":n", limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit)
			break;
		json_array_append_new(list, thread_json(st));
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
	if (board_authz(x, t.community_id, CA_READ, &a, &mod,
	    "No such thread.") != 0) {
		json_decref(t.json);
		return -1;
	}
	st = db_stmt(srv->db,
	    "SELECT " POST_COLS " FROM posts p LEFT JOIN members m ON "
	    "m.id = p.author_id WHERE p.thread_id = :t AND p.id > :after "
	    "ORDER BY p.id LIMIT :n");
	bind_i64(st, ":t", id);
	bind_i64(st, ":after", after);
	bind_i64(st, ":me", me(x));
	bind_i64(st, ":n", limit + 1);
	posts = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t pb = (size_t)sqlite3_column_bytes(st, 3);

		/* Always at least one post, however long. */
		if (n == limit || (n > 0 && bytes + pb > PAGE_BYTES))
			break;
		json_array_append_new(posts, post_json(st, me(x), mod));
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
	x->conn->watching_thread = id;
	x->result = json_pack("{s:o, s:o, s:o}", "thread", t.json, "posts",
	    posts, "next", rc == SQLITE_ROW ? json_integer(last) :
	    json_null());
	return 0;
}

/* Tell watchers about a new post and notify the people it replies to. */
static int
post_created(struct call *x, const struct access *a, const struct thread *t,
    int64_t post_id, int64_t reply_to, int64_t parent_author,
    const char *body, json_t **post)
{
	struct told told = { .n = 0 };
	int64_t id;

	told_add(&told, me(x));
	if (t->author_id != 0 && (id = reader_id(a, NULL, t->author_id)) != 0 &&
	    !told_has(&told, id)) {
		told_add(&told, id);
		if (notify_add(x, id, "reply", a->community_id, t->id, post_id,
		    0, "@%s replied in \"%s\"", me_handle(x), t->title) != 0)
			return -1;
	}
	if (reply_to != 0 && parent_author != 0 &&
	    (id = reader_id(a, NULL, parent_author)) != 0 &&
	    !told_has(&told, id)) {
		told_add(&told, id);
		if (notify_add(x, id, "reply", a->community_id, t->id, post_id,
		    0, "@%s replied to your post in \"%s\"", me_handle(x),
		    t->title) != 0)
			return -1;
	}
	if (notify_mentions(x, a, t->id, post_id, t->title, body, NULL,
	    &told) != 0)
		return -1;
	if ((*post = post_fetch(post_id, 0, false)) == NULL)
		return call_db_fail(x);
	outbox_thread_event(&x->out, t->id, "thread.new_post",
	    json_pack("{s:I, s:O}", "thread_id", (json_int_t)t->id, "post",
	    *post));
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
	    arg_str(x->args, "title", true, TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (title_check(x, title) != 0 || body_arg(x, &body) != 0 ||
	    tags_arg(x, tags, sizeof tags, &given) != 0)
		return -1;
	if (authz_community_slug(x, slug, CA_POST, &a) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "INSERT INTO threads (community_id, author_id, title, tags, "
	    "created_at, last_post_at, post_count) VALUES (:c, :a, :title, "
	    ":tags, :now, :now, 1)");
	bind_i64(st, ":c", a.community_id);
	if (me(x) != 0)
		bind_i64(st, ":a", me(x));
	bind_text(st, ":title", title);
	bind_text(st, ":tags", tags);
	bind_i64(st, ":now", now);
	if (call_step(x, st) != 0)
		return -1;
	memset(&t, 0, sizeof t);
	t.id = sqlite3_last_insert_rowid(srv->db);
	t.community_id = a.community_id;
	t.author_id = me(x);
	snprintf(t.title, sizeof t.title, "%s", title);
	if ((post_id = post_insert(x, t.id, 0, body, now)) == 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE threads SET last_post_id = :p WHERE id = :t");
	bind_i64(st, ":p", post_id);
	bind_i64(st, ":t", t.id);
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
	if (body_arg(x, &body) != 0 || thread_load(x, thread_id, &t) != 0)
		return -1;
	json_decref(t.json);
	if (board_authz(x, t.community_id, CA_REPLY, &a,
	    t.locked ? &mod : NULL, "No such thread.") != 0)
		return -1;
	if (t.locked && !mod)
		return call_fail(x, ERR_FORBIDDEN,
		    "This thread is locked: only moderators may reply.");
	if (reply_to != 0) {
		st = db_stmt(srv->db,
		    "SELECT thread_id, author_id FROM posts WHERE id = :id");
		bind_i64(st, ":id", reply_to);
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
	bind_i64(st, ":now", now);
	bind_i64(st, ":p", post_id);
	bind_i64(st, ":t", thread_id);
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
	    arg_str(x->args, "title", false, TITLE_MAX, &title, x->msg,
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
	if (board_authz(x, t.community_id, CA_READ, &a, &mod,
	    "No such thread.") != 0)
		return -1;
	if ((jp != NULL || jl != NULL) && !mod &&
	    authz_community(x, t.community_id, CA_MODERATE, &a) != 0)
		return -1;
	if ((title != NULL || tags_given) && !mod) {
		if (t.author_id == 0 || t.author_id != me(x))
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
	bind_text(st, ":title", title);
	bind_text(st, ":tags", tags_given ? tags : NULL);
	if (jp != NULL)
		bind_i64(st, ":p", pinned);
	if (jl != NULL)
		bind_i64(st, ":l", locked);
	bind_i64(st, ":id", id);
	if (call_step(x, st) != 0 || thread_load(x, id, &t) != 0)
		return -1;
	x->result = json_pack("{s:o}", "thread", t.json);
	return 0;
}

static int
op_post_edit(struct call *x)
{
	json_int_t id = 0;
	const char *body = NULL;
	char *old;
	struct post p;
	struct access a;
	struct told told = { .n = 0 };
	sqlite3_stmt *st;
	int64_t now = now_unix();
	char when[32];
	bool mod = false;
	int rc;

	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (body_arg(x, &body) != 0 || post_load(x, id, &p) != 0)
		return -1;
	if (board_authz(x, p.community_id, CA_READ, &a,
	    p.locked ? &mod : NULL, "No such post.") != 0)
		return -1;
	if (p.author_id == 0 || p.author_id != me(x))
		return call_fail(x, ERR_FORBIDDEN,
		    "Only the author may edit a post.");
	if (p.deleted)
		return call_fail(x, ERR_CONFLICT, "This post was deleted.");
	if (p.hidden)
		return call_fail(x, ERR_CONFLICT,
		    "A moderator hid this post, so it can no longer be "
		    "edited.");
	if (p.locked && !mod)
		return call_fail(x, ERR_FORBIDDEN,
		    "This thread is locked: its posts can no longer be "
		    "edited.");
	if (authz_community(x, p.community_id, CA_REPLY, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT body FROM posts WHERE id = :id");
	bind_i64(st, ":id", id);
	rc = sqlite3_step(st);
	old = xstrdup(rc == SQLITE_ROW ? db_col_text(st, 0) : "");
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		free(old);
		return call_db_fail(x);
	}
	time_iso8601(now, when);
	if (strcmp(old, body) == 0) {
		free(old);
		x->result = json_pack("{s:I, s:b}", "post_id", id, "changed",
		    0);
		return 0;
	}
	st = db_stmt(srv->db,
	    "INSERT INTO post_edits (post_id, body, edited_at, edited_by) "
	    "VALUES (:id, :old, :now, :me)");
	bind_i64(st, ":id", id);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":old"), old,
	    -1, SQLITE_STATIC);
	bind_i64(st, ":now", now);
	bind_i64(st, ":me", me(x));
	rc = call_step(x, st);
	if (rc == 0) {
		st = db_stmt(srv->db,
		    "UPDATE posts SET body = :b, edited_at = :now "
		    "WHERE id = :id");
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":b"),
		    body, -1, SQLITE_STATIC);
		bind_i64(st, ":now", now);
		bind_i64(st, ":id", id);
		rc = call_step(x, st);
	}
	told_add(&told, me(x));
	if (rc == 0)
		rc = notify_mentions(x, &a, p.thread_id, id, p.title, body, old,
		    &told);
	free(old);
	if (rc != 0)
		return -1;
	x->result = json_pack("{s:I, s:b, s:s}", "post_id", id, "changed", 1,
	    "edited_at", when);
	return 0;
}

static int
op_post_history(struct call *x)
{
	json_int_t id = 0;
	struct post p;
	struct access a;
	sqlite3_stmt *st;
	json_t *versions;
	int64_t at;
	bool mod = false;
	int rc;

	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (post_load(x, id, &p) != 0)
		return -1;
	if (board_authz(x, p.community_id, CA_READ, &a, &mod,
	    "No such post.") != 0)
		return -1;
	if (p.hidden && !mod && (p.author_id == 0 || p.author_id != me(x)))
		return call_fail(x, ERR_FORBIDDEN,
		    "A moderator hid this post; only its author and "
		    "moderators may read it.");
	versions = json_array();
	if (p.deleted) {
		x->result = json_pack("{s:I, s:b, s:o}", "post_id", id,
		    "deleted", 1, "versions", versions);
		return 0;
	}
	/* Each edit row holds the text as it was before that edit. */
	at = p.created_at;
	st = db_stmt(srv->db,
	    "SELECT body, edited_at FROM post_edits WHERE post_id = :id "
	    "ORDER BY id LIMIT 1000");
	bind_i64(st, ":id", id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(versions, json_pack("{s:s, s:o, s:b}",
		    "body", db_col_text(st, 0), "at", time_json(at),
		    "current", 0));
		at = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(versions);
		return call_db_fail(x);
	}
	st = db_stmt(srv->db, "SELECT body FROM posts WHERE id = :id");
	bind_i64(st, ":id", id);
	if (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(versions, json_pack("{s:s, s:o, s:b}",
		    "body", db_col_text(st, 0), "at", time_json(at),
		    "current", 1));
	sqlite3_reset(st);
	x->result = json_pack("{s:I, s:b, s:o}", "post_id", id, "deleted", 0,
	    "versions", versions);
	return 0;
}

/* Shared by hide and unhide: load, authorize as moderator. */
static int
moderate_load(struct call *x, json_int_t *id, struct post *p,
    struct access *a)
{
	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (post_load(x, *id, p) != 0)
		return -1;
	if (board_authz(x, p->community_id, CA_MODERATE, a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p->deleted)
		return call_fail(x, ERR_CONFLICT,
		    "Its author deleted this post.");
	return 0;
}

static int
op_post_hide(struct call *x)
{
	json_int_t id = 0;
	const char *reason = NULL, *s;
	struct post p;
	struct access a;
	sqlite3_stmt *st;
	char target[32];

	if (arg_str(x->args, "reason", true, REASON_MAX, &reason, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	for (s = reason; *s == ' ' || *s == '\n' || *s == '\t'; s++)
		;
	if (*s == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.reason must say why (the author will see it)");
	if (moderate_load(x, &id, &p, &a) != 0)
		return -1;
	if (p.hidden)
		return call_fail(x, ERR_CONFLICT, "This post is already hidden.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET hidden_at = :now, hidden_by = :me, "
	    "hidden_reason = :r WHERE id = :id");
	bind_i64(st, ":now", now_unix());
	if (me(x) != 0)
		bind_i64(st, ":me", me(x));
	bind_text(st, ":r", reason);
	bind_i64(st, ":id", id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(target, sizeof target, "post %lld", (long long)id);
	if (audit_add(srv->db, x->conn->console ? NULL : &x->conn->member,
	    "post.hide", p.author_id, target, reason) != 0)
		return call_db_fail(x);
	if (p.author_id != 0 && notify_add(x, p.author_id, "post_hidden",
	    p.community_id, p.thread_id, id, 0,
	    "A moderator hid your post in \"%s\": %s", p.title, reason) != 0)
		return -1;
	x->result = json_pack("{s:I, s:b}", "post_id", id, "hidden", 1);
	return 0;
}

static int
op_post_unhide(struct call *x)
{
	json_int_t id = 0;
	struct post p;
	struct access a;
	sqlite3_stmt *st;
	char target[32];

	if (moderate_load(x, &id, &p, &a) != 0)
		return -1;
	if (!p.hidden)
		return call_fail(x, ERR_CONFLICT, "This post is not hidden.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET hidden_at = NULL, hidden_by = NULL, "
	    "hidden_reason = NULL WHERE id = :id");
	bind_i64(st, ":id", id);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(target, sizeof target, "post %lld", (long long)id);
	if (audit_add(srv->db, x->conn->console ? NULL : &x->conn->member,
	    "post.unhide", p.author_id, target, NULL) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I, s:b}", "post_id", id, "hidden", 0);
	return 0;
}

static int
op_post_delete(struct call *x)
{
	json_int_t id = 0;
	struct post p;
	struct access a;
	sqlite3_stmt *st;

	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (post_load(x, id, &p) != 0)
		return -1;
	if (board_authz(x, p.community_id, CA_READ, &a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p.author_id == 0 || p.author_id != me(x))
		return call_fail(x, ERR_FORBIDDEN,
		    "Only the author may delete a post; moderators can hide "
		    "it (post.hide).");
	if (p.deleted)
		return call_fail(x, ERR_CONFLICT, "This post is already deleted.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET body = '', deleted_at = :now WHERE id = :id");
	bind_i64(st, ":now", now_unix());
	bind_i64(st, ":id", id);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "DELETE FROM post_edits WHERE post_id = :id");
	bind_i64(st, ":id", id);
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I, s:b}", "post_id", id, "deleted", 1);
	return 0;
}

static int
op_post_thank(struct call *x)
{
	json_int_t id = 0;
	struct post p;
	struct access a;
	sqlite3_stmt *st;
	int64_t thanks = 0;

	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (post_load(x, id, &p) != 0)
		return -1;
	if (board_authz(x, p.community_id, CA_REPLY, &a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p.author_id != 0 && p.author_id == me(x))
		return call_fail(x, ERR_FORBIDDEN,
		    "You cannot thank your own post.");
	if (p.deleted || p.hidden)
		return call_fail(x, ERR_CONFLICT,
		    "This post is %s; it cannot be thanked.",
		    p.deleted ? "deleted" : "hidden");
	st = db_stmt(srv->db,
	    "INSERT OR IGNORE INTO post_thanks (post_id, member_id, at) "
	    "VALUES (:id, :me, :now)");
	bind_i64(st, ":id", id);
	bind_i64(st, ":me", me(x));
	bind_i64(st, ":now", now_unix());
	if (call_step(x, st) != 0)
		return -1;
	if (sqlite3_changes(srv->db) == 0)
		return call_fail(x, ERR_CONFLICT,
		    "You have already thanked this post.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET thanks = thanks + 1 WHERE id = :id "
	    "RETURNING thanks");
	bind_i64(st, ":id", id);
	if (sqlite3_step(st) == SQLITE_ROW)
		thanks = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (thanks == 0)
		return call_db_fail(x);
	if (p.author_id != 0 && reader_id(&a, NULL, p.author_id) != 0 &&
	    notify_add(x, p.author_id, "thanks", p.community_id, p.thread_id,
	    id, 0, "@%s thanked you for your post in \"%s\"", me_handle(x),
	    p.title) != 0)
		return -1;
	x->result = json_pack("{s:I, s:I}", "post_id", id, "thanks",
	    (json_int_t)thanks);
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
	if (board_authz(x, t.community_id, CA_READ, &a, NULL,
	    "No such thread.") != 0)
		return -1;
	if (post_id == 0)
		post_id = t.last_post_id;
	else {
		st = db_stmt(srv->db,
		    "SELECT 1 FROM posts WHERE id = :id AND thread_id = :t");
		bind_i64(st, ":id", post_id);
		bind_i64(st, ":t", id);
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

	bind_i64(cs, ":me", me(x));
	while ((rc = sqlite3_step(cs)) == SQLITE_ROW) {
		ts = db_stmt(srv->db,
		    "SELECT " THREAD_COLS ", t.author_id FROM threads t LEFT "
		    "JOIN members m ON m.id = t.author_id WHERE t.community_id = "
		    ":c AND t.created_at > :since ORDER BY t.created_at DESC, "
		    "t.id DESC LIMIT :n");
		bind_i64(ts, ":c", sqlite3_column_int64(cs, 0));
		bind_i64(ts, ":since", since);
		bind_i64(ts, ":me", me(x));
		bind_i64(ts, ":n", ROUNDUP_SCAN_COMMUNITY);
		k = 0;
		scanned = 0;
		while ((trc = sqlite3_step(ts)) == SQLITE_ROW) {
			if (++scanned == ROUNDUP_SCAN_COMMUNITY)
				*more = true;
			/* skip the caller's own threads (the scan is bounded) */
			if (me(x) != 0 && sqlite3_column_int64(ts, 11) == me(x))
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
	bind_i64(st, ":me", me(x));
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
		    author_json(st, 6), "title", db_col_json_text(st, 8));
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
		bind_i64(st, ":me", me(x));
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
	if (mark && me(x) != 0) {
		st = db_stmt(srv->db,
		    "UPDATE members SET roundup_at = :now WHERE id = :me");
		bind_i64(st, ":now", now);
		bind_i64(st, ":me", me(x));
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
	    ARG_STR("title", ARG_REQ, TITLE_MAX),
	    ARG_STR("body", ARG_REQ, BODY_MAX),
	    ARG_STRS("tags", ARG_OPT, 0, TAGS_MAX, TAG_LEN)) },
	{ "post.create", OP_MEMBER | OP_WRITE, op_post_create,
	    "Reply in a thread {thread_id, body, reply_to?}.", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("body", ARG_REQ, BODY_MAX),
	    ARG_INT("reply_to", ARG_OPT, 1, INT64_MAX)) },
	{ "thread.update", OP_MEMBER | OP_WRITE, op_thread_update,
	    "Change a thread {thread_id, title?, tags?, pinned?, locked?}: "
	    "title and tags by its author or a moderator, pinned and locked "
	    "by moderators.", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, TITLE_MAX),
	    ARG_STRS("tags", ARG_OPT, 0, TAGS_MAX, TAG_LEN),
	    ARG_BOOL("pinned", ARG_OPT), ARG_BOOL("locked", ARG_OPT)) },
	{ "thread.mark_read", OP_MEMBER | OP_WRITE, op_thread_mark_read,
	    "Set your read position in a thread {thread_id, post_id?} "
	    "(default: its last post).", RATE_WRITE,
	    ARGS(ARG_INT("thread_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("post_id", ARG_OPT, 1, INT64_MAX)) },
	{ "post.edit", OP_MEMBER | OP_WRITE, op_post_edit,
	    "Edit your own post {post_id, body}; the previous text is kept "
	    "(post.history).", RATE_WRITE,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("body", ARG_REQ, BODY_MAX)) },
	{ "post.history", OP_MEMBER | OP_GUEST, op_post_history,
	    "Every version of a post {post_id}, oldest first.", RATE_READ,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX)) },
	{ "post.hide", OP_MEMBER | OP_WRITE, op_post_hide,
	    "Hide a post {post_id, reason} (moderators); its author sees the "
	    "reason.", RATE_WRITE,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("reason", ARG_REQ, REASON_MAX)) },
	{ "post.unhide", OP_MEMBER | OP_WRITE, op_post_unhide,
	    "Show a hidden post again {post_id} (moderators).", RATE_WRITE,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX)) },
	{ "post.delete", OP_MEMBER | OP_WRITE, op_post_delete,
	    "Delete your own post {post_id}: the text goes, a tombstone "
	    "stays.", RATE_WRITE,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX)) },
	{ "post.thank", OP_MEMBER | OP_WRITE, op_post_thank,
	    "Thank someone for a post {post_id} (once; not your own).",
	    RATE_WRITE, ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX)) },
	{ "roundup.get", OP_MEMBER | OP_WRITE, op_roundup_get,
	    "Since your last visit {since?, mark?}: new threads in your "
	    "communities, replies to you, mentions of you.", RATE_WRITE,
	    ARGS(ARG_STR("since", ARG_OPT, 32), ARG_BOOL("mark", ARG_OPT)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
