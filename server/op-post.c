/*
 * op-post.c: boards, their posts. A post as its viewer may see it
 * (post_json), writing one and telling those it concerns (post_insert,
 * post_created: the thread's author, the author of the post it replies
 * to, the members it @mentions, the thread's watchers), and what happens
 * to a post afterwards: edits with their history, hiding and showing by
 * moderators, deletion by its author, thanks. Replying (post.create) is
 * among op-thread.c's operations, which call in here.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define REASON_MAX 500
#define MENTIONS_MAX 20

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
	bool record; /* part of a published room record, as the server wrote it */
	char title[THREAD_TITLE_MAX + 8];
};

/* The acting member's handle for notification texts. */
static const char *
me_handle(struct call *x)
{
	return x->conn->member.id != 0 ? x->conn->member.handle : "console";
}

/*
 * A post from the POST_COLS columns as the viewer may see it: hidden posts
 * keep their body and reason only for their author and moderators; deleted
 * posts are tombstones.
 */
json_t *
post_json(sqlite3_stmt *st, int64_t viewer, bool mod)
{
	bool hidden = sqlite3_column_type(st, 9) != SQLITE_NULL;
	bool deleted = sqlite3_column_type(st, 11) != SQLITE_NULL;
	bool mine = viewer != 0 && sqlite3_column_int64(st, 12) == viewer;
	json_t *o;

	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:b, s:b, s:b}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "author",
	    thread_author_json(st, 1), "created_at", db_col_json_time(st, 4),
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

	db_bind_i64(st, ":id", post_id);
	db_bind_i64(st, ":me", viewer);
	if (sqlite3_step(st) == SQLITE_ROW)
		o = post_json(st, viewer, mod);
	sqlite3_reset(st);
	return o;
}

/* Load a post and its thread; not_found when there is none. */
static int
post_load(struct call *x, int64_t id, struct post *p)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT p.thread_id, p.author_id, p.hidden_at IS NOT NULL, "
	    "p.deleted_at IS NOT NULL, t.community_id, t.title, p.created_at, "
	    "t.locked, EXISTS (SELECT 1 FROM rooms r WHERE r.thread_id = t.id "
	    "AND r.published_at IS NOT NULL AND p.id <= r.record_last_post) "
	    "FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = "
	    ":id");
	int rc;

	memset(p, 0, sizeof *p);
	db_bind_i64(st, ":id", id);
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
	p->record = sqlite3_column_int(st, 8) != 0;
	sqlite3_reset(st);
	return 0;
}

/* Body: required, at most POST_BODY_MAX bytes, not blank. */
int
post_body_arg(struct call *x, const char **body)
{
	const char *s;

	if (arg_str(x->args, "body", true, POST_BODY_MAX, body, x->msg,
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
		db_bind_text(st, ":h", handle);
	} else {
		st = db_stmt(srv->db,
		    "SELECT m.id FROM members m WHERE m.id = :id AND "
		    "m.status = 'active' AND (m.role = 'admin' OR :vis != "
		    "'private' OR EXISTS (SELECT 1 FROM community_members cm "
		    "WHERE cm.community_id = :c AND cm.member_id = m.id))");
		db_bind_i64(st, ":id", id);
	}
	db_bind_text(st, ":vis", a->visibility);
	db_bind_i64(st, ":c", a->community_id);
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
		if (id == 0 || id == call_actor(x) || told_has(told, id))
			continue;
		told_add(told, id);
		if (notify_add(x, id, "mention", a->community_id, thread_id,
		    post_id, 0, "@%s mentioned you in \"%s\"", me_handle(x),
		    title) != 0)
			return -1;
	}
	return 0;
}

/* Insert a post; returns its id or 0 after failing the call. */
int64_t
post_insert(struct call *x, int64_t thread_id, int64_t reply_to,
    const char *body, int64_t now)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO posts (thread_id, author_id, reply_to, body, "
	    "created_at) VALUES (:t, :a, :r, :b, :now)");

	db_bind_i64(st, ":t", thread_id);
	if (call_actor(x) != 0)
		db_bind_i64(st, ":a", call_actor(x));
	if (reply_to != 0)
		db_bind_i64(st, ":r", reply_to);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":b"), body,
	    -1, SQLITE_STATIC);
	db_bind_i64(st, ":now", now);
	if (call_step(x, st) != 0)
		return 0;
	return sqlite3_last_insert_rowid(srv->db);
}

/* Tell watchers about a new post and notify the people it replies to. */
int
post_created(struct call *x, const struct access *a, const struct thread *t,
    int64_t post_id, int64_t reply_to, int64_t parent_author,
    const char *body, json_t **post)
{
	struct told told = { .n = 0 };
	int64_t id;

	told_add(&told, call_actor(x));
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
	/* open thread lists of the community refresh (not a notification) */
	outbox_community_event(&x->out, a->community_id, "community.activity",
	    json_pack("{s:s, s:s, s:I, s:I}", "slug", a->slug, "what", "post",
	    "thread_id", (json_int_t)t->id, "post_id", (json_int_t)post_id));
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
	if (post_body_arg(x, &body) != 0 || post_load(x, id, &p) != 0)
		return -1;
	if (thread_authz(x, p.community_id, CA_READ, &a,
	    p.locked || p.record ? &mod : NULL, "No such post.") != 0)
		return -1;
	/*
	 * A published room record changes only through its review (before
	 * it is published) or by the community's moderators afterwards, not
	 * by the host it is posted under.
	 */
	if (p.record && !mod)
		return call_fail(x, ERR_FORBIDDEN,
		    "This post is a published room record: only the "
		    "community's leaders and managers may change it now.");
	if (!p.record && (p.author_id == 0 || p.author_id != call_actor(x)))
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
	db_bind_i64(st, ":id", id);
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
	db_bind_i64(st, ":id", id);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":old"), old,
	    -1, SQLITE_STATIC);
	db_bind_i64(st, ":now", now);
	db_bind_i64(st, ":me", call_actor(x));
	rc = call_step(x, st);
	if (rc == 0) {
		st = db_stmt(srv->db,
		    "UPDATE posts SET body = :b, edited_at = :now "
		    "WHERE id = :id");
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":b"),
		    body, -1, SQLITE_STATIC);
		db_bind_i64(st, ":now", now);
		db_bind_i64(st, ":id", id);
		rc = call_step(x, st);
	}
	told_add(&told, call_actor(x));
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
	if (thread_authz(x, p.community_id, CA_READ, &a, &mod,
	    "No such post.") != 0)
		return -1;
	if (p.hidden && !mod && (p.author_id == 0 || p.author_id != call_actor(x)))
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
	db_bind_i64(st, ":id", id);
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
	db_bind_i64(st, ":id", id);
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
	if (thread_authz(x, p->community_id, CA_MODERATE, a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p->deleted)
		return call_fail(x, ERR_CONFLICT,
		    "Its author deleted this post.");
	return 0;
}

/* The handle of a member (for audit rows); "" when none. */
static void
handle_of(int64_t id, char *out, size_t len)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT handle FROM members WHERE id = :id");

	out[0] = '\0';
	db_bind_i64(st, ":id", id);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, len, "%s", db_col_text(st, 0));
	sqlite3_reset(st);
}

/*
 * Audit a moderator's act on a post: the row names its author (the member
 * acted on), the community and the post.
 */
static int
post_audit(struct call *x, const char *action, const struct post *p,
    const char *slug, const char *reason)
{
	char handle[64], *detail;
	int rc;

	handle_of(p->author_id, handle, sizeof handle);
	detail = xasprintf("community=%s post=%lld%s%s", slug,
	    (long long)p->id, reason != NULL ? " reason=" : "",
	    reason != NULL ? reason : "");
	rc = audit_add(srv->db, x->conn == NULL || x->conn->console ? NULL :
	    &x->conn->member, action, p->author_id, handle[0] != '\0' ?
	    handle : NULL, detail);
	free(detail);
	return rc == 0 ? 0 : call_db_fail(x);
}

/* A post hidden or shown again, for the sessions watching its thread. */
struct post_change {
	int64_t thread_id, post_id, community_id;
};

/*
 * After the commit: every session watching the thread gets the post as
 * that session may see it (a member who may not see hidden posts gets no
 * body; its author and moderators keep it, with the reason).
 */
static void
post_change_deliver(void *arg, bool committed)
{
	struct post_change *pc = arg;
	struct call x;
	struct access a;
	json_t *post;
	bool mod;

	for (struct conn *c = conn_first(); committed && c != NULL;
	    c = c->next) {
		if (c->closing || c->watching_thread != pc->thread_id)
			continue;
		memset(&x, 0, sizeof x);
		x.conn = c;
		mod = false;
		if (thread_authz(&x, pc->community_id, CA_READ, &a, &mod,
		    "No such post.") != 0)
			continue;
		if ((post = post_fetch(pc->post_id, c->member.id, mod)) ==
		    NULL)
			continue;
		conn_event(c, "thread.post_changed", json_pack("{s:I, s:o}",
		    "thread_id", (json_int_t)pc->thread_id, "post", post));
	}
	free(pc);
}

/*
 * A moderator hid or showed a post: its thread's open screens show it
 * as it is now, and when it is the thread's first post (which lists show
 * by the thread's title) the community's thread lists refresh.
 */
static void
post_changed(struct call *x, const struct post *p, const struct access *a)
{
	struct post_change *pc = xcalloc(1, sizeof *pc);
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT min(id) FROM posts WHERE thread_id = :t");
	bool first;

	pc->thread_id = p->thread_id;
	pc->post_id = p->id;
	pc->community_id = p->community_id;
	outbox_fn(&x->out, post_change_deliver, pc);
	db_bind_i64(st, ":t", p->thread_id);
	first = sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) == p->id;
	sqlite3_reset(st);
	if (first)
		outbox_community_event(&x->out, a->community_id,
		    "community.activity", json_pack("{s:s, s:s, s:I, s:I}",
		    "slug", a->slug, "what", "post", "thread_id",
		    (json_int_t)p->thread_id, "post_id", (json_int_t)p->id));
}

int
post_hide(struct call *x, int64_t id, const char *reason, bool *was_hidden)
{
	const char *s;
	struct post p;
	struct access a;
	sqlite3_stmt *st;

	for (s = reason; *s == ' ' || *s == '\n' || *s == '\t'; s++)
		;
	if (*s == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.reason must say why (the author will see it)");
	if (post_load(x, id, &p) != 0)
		return -1;
	if (thread_authz(x, p.community_id, CA_MODERATE, &a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p.deleted)
		return call_fail(x, ERR_CONFLICT,
		    "Its author deleted this post.");
	if (was_hidden != NULL)
		*was_hidden = p.hidden;
	if (p.hidden && was_hidden != NULL)
		return 0;
	if (p.hidden)
		return call_fail(x, ERR_CONFLICT, "This post is already hidden.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET hidden_at = :now, hidden_by = :me, "
	    "hidden_reason = :r WHERE id = :id");
	db_bind_i64(st, ":now", now_unix());
	if (call_actor(x) != 0)
		db_bind_i64(st, ":me", call_actor(x));
	db_bind_text(st, ":r", reason);
	db_bind_i64(st, ":id", id);
	if (call_step(x, st) != 0 ||
	    post_audit(x, "post.hide", &p, a.slug, reason) != 0)
		return -1;
	if (p.author_id != 0 && notify_add(x, p.author_id, "post_hidden",
	    p.community_id, p.thread_id, id, 0,
	    "A moderator hid your post in \"%s\": %s", p.title, reason) != 0)
		return -1;
	post_changed(x, &p, &a);
	return 0;
}

static int
op_post_hide(struct call *x)
{
	json_int_t id = 0;
	const char *reason = NULL;

	if (arg_str(x->args, "reason", true, REASON_MAX, &reason, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (post_hide(x, id, reason, NULL) != 0)
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

	if (moderate_load(x, &id, &p, &a) != 0)
		return -1;
	if (!p.hidden)
		return call_fail(x, ERR_CONFLICT, "This post is not hidden.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET hidden_at = NULL, hidden_by = NULL, "
	    "hidden_reason = NULL WHERE id = :id");
	db_bind_i64(st, ":id", id);
	if (call_step(x, st) != 0)
		return -1;
	if (post_audit(x, "post.unhide", &p, a.slug, NULL) != 0)
		return -1;
	if (p.author_id != 0 && notify_add(x, p.author_id, "post_unhidden",
	    p.community_id, p.thread_id, id, 0,
	    "A moderator showed your post in \"%s\" again.", p.title) != 0)
		return -1;
	post_changed(x, &p, &a);
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
	if (thread_authz(x, p.community_id, CA_READ, &a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p.author_id == 0 || p.author_id != call_actor(x))
		return call_fail(x, ERR_FORBIDDEN,
		    "Only the author may delete a post; moderators can hide "
		    "it (post.hide).");
	if (p.deleted)
		return call_fail(x, ERR_CONFLICT, "This post is already deleted.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET body = '', deleted_at = :now WHERE id = :id");
	db_bind_i64(st, ":now", now_unix());
	db_bind_i64(st, ":id", id);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "DELETE FROM post_edits WHERE post_id = :id");
	db_bind_i64(st, ":id", id);
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
	if (thread_authz(x, p.community_id, CA_REPLY, &a, NULL,
	    "No such post.") != 0)
		return -1;
	if (p.author_id != 0 && p.author_id == call_actor(x))
		return call_fail(x, ERR_FORBIDDEN,
		    "You cannot thank your own post.");
	if (p.deleted || p.hidden)
		return call_fail(x, ERR_CONFLICT,
		    "This post is %s; it cannot be thanked.",
		    p.deleted ? "deleted" : "hidden");
	st = db_stmt(srv->db,
	    "INSERT OR IGNORE INTO post_thanks (post_id, member_id, at) "
	    "VALUES (:id, :me, :now)");
	db_bind_i64(st, ":id", id);
	db_bind_i64(st, ":me", call_actor(x));
	db_bind_i64(st, ":now", now_unix());
	if (call_step(x, st) != 0)
		return -1;
	if (sqlite3_changes(srv->db) == 0)
		return call_fail(x, ERR_CONFLICT,
		    "You have already thanked this post.");
	st = db_stmt(srv->db,
	    "UPDATE posts SET thanks = thanks + 1 WHERE id = :id "
	    "RETURNING thanks");
	db_bind_i64(st, ":id", id);
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

const struct op op_post_table[] = {
	{ "post.edit", OP_MEMBER | OP_WRITE, op_post_edit,
	    "Edit your own post {post_id, body}; the previous text is kept "
	    "(post.history).", RATE_WRITE,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("body", ARG_REQ, POST_BODY_MAX)) },
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
	{ "post.thank", OP_MEMBER | OP_SELF | OP_WRITE, op_post_thank,
	    "Thank someone for a post {post_id} (once; not your own).",
	    RATE_WRITE, ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
