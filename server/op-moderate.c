/*
 * op-moderate.c: moderation beyond a single post. Members report posts
 * (post.report); a community's leaders and managers work through the
 * reports (report.list, report.resolve: hide the post, dismiss, or write
 * to its author), and mute a member for a time (member.mute,
 * member.unmute, community.mutes). Whether a muted member may write is
 * decided in authz.c with everything else; hiding a post is op-post.c's.
 * Reporters are told outcomes without names; authors never learn who
 * reported them.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define REASON_MAX 500
#define MUTE_MAX 31622400 /* a year (366 days), in seconds */
#define REPORTERS_MAX 64

static const struct member *
actor(struct call *x)
{
	return x->conn == NULL || x->conn->console ? NULL : &x->conn->member;
}

/* Text: required, at most REASON_MAX bytes, not blank; field names it. */
static int
reason_arg(struct call *x, const char *field, bool required,
    const char **out)
{
	const char *s;

	*out = NULL;
	if (arg_str(x->args, field, required, REASON_MAX, out, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (*out == NULL)
		return 0;
	for (s = *out; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
	    s++)
		;
	if (*s == '\0') {
		if (!required) {
			*out = NULL;
			return 0;
		}
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.%s must not be empty", field);
	}
	return 0;
}

/* A member's role in a community (CROLE_NONE when not a member). */
static enum crole
role_in(int64_t cid, int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT role FROM community_members WHERE community_id = ? AND "
	    "member_id = ?");
	enum crole r = CROLE_NONE;

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, member_id);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    crole_parse(db_col_text(st, 0), &r) != 0)
		r = CROLE_NONE;
	sqlite3_reset(st);
	return r;
}

/* ---- reports ---- */

/* What a report is about: its post, thread and community. */
struct target {
	int64_t post_id, thread_id, author_id, community_id;
	bool hidden, deleted;
	char title[THREAD_TITLE_MAX + 8];
	char author[64];
};

static int
target_load(struct call *x, int64_t post_id, struct target *t,
    const char *nf)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT p.thread_id, p.author_id, t.community_id, t.title, "
	    "p.hidden_at IS NOT NULL, p.deleted_at IS NOT NULL, m.handle "
	    "FROM posts p JOIN threads t ON t.id = p.thread_id LEFT JOIN "
	    "members m ON m.id = p.author_id WHERE p.id = ?");
	int rc;

	memset(t, 0, sizeof *t);
	sqlite3_bind_int64(st, 1, post_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t->post_id = post_id;
		t->thread_id = sqlite3_column_int64(st, 0);
		t->author_id = sqlite3_column_int64(st, 1);
		t->community_id = sqlite3_column_int64(st, 2);
		snprintf(t->title, sizeof t->title, "%s", db_col_text(st, 3));
		t->hidden = sqlite3_column_int(st, 4) != 0;
		t->deleted = sqlite3_column_int(st, 5) != 0;
		snprintf(t->author, sizeof t->author, "%s", db_col_text(st, 6));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	return call_fail(x, ERR_NOT_FOUND, "%s", nf);
}

/* Tell the community's leaders and managers (not the author) of a report. */
static int
report_tell_moderators(struct call *x, const struct target *t,
    const char *reason)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT member_id FROM community_members WHERE community_id = ? "
	    "AND role IN ('leader', 'manager') AND member_id IS NOT ? "
	    "LIMIT 200");
	int64_t ids[200];
	size_t n = 0;

	sqlite3_bind_int64(st, 1, t->community_id);
	if (t->author_id != 0)
		sqlite3_bind_int64(st, 2, t->author_id);
	while (n < 200 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		if (notify_add(x, ids[i], "report", t->community_id,
		    t->thread_id, t->post_id, 0, "A post in \"%s\" was "
		    "reported: %s", t->title, reason) != 0)
			return -1;
	}
	return 0;
}

static int
op_post_report(struct call *x)
{
	json_int_t id = 0;
	const char *reason;
	struct target t;
	struct access a;
	sqlite3_stmt *st;
	int64_t rid;

	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (reason_arg(x, "reason", true, &reason) != 0 ||
	    target_load(x, id, &t, "No such post.") != 0 ||
	    thread_authz(x, t.community_id, CA_READ, &a, NULL,
	    "No such post.") != 0)
		return -1;
	if (t.author_id != 0 && t.author_id == call_actor(x))
		return call_fail(x, ERR_CONFLICT,
		    "That is your own post: you can edit or delete it.");
	if (t.deleted)
		return call_fail(x, ERR_CONFLICT,
		    "Its author deleted this post.");
	st = db_stmt(srv->db,
	    "INSERT OR IGNORE INTO post_reports (post_id, community_id, "
	    "reporter_id, reason, created_at) VALUES (?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, t.community_id);
	sqlite3_bind_int64(st, 3, call_actor(x));
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	if (sqlite3_changes(srv->db) == 0)
		return call_fail(x, ERR_CONFLICT, "You have already reported "
		    "this post; its moderators have not decided yet.");
	rid = sqlite3_last_insert_rowid(srv->db);
	if (report_tell_moderators(x, &t, reason) != 0)
		return -1;
	x->result = json_pack("{s:I, s:I}", "report_id", (json_int_t)rid,
	    "post_id", id);
	return 0;
}

static int
op_report_list(struct call *x)
{
	const char *slug = NULL;
	struct access a;
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	if (arg_str(x->args, "slug", true, 48, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_community_slug(x, slug, CA_MODERATE, &a) != 0)
		return -1;
	/* a moderator never sees reports about their own posts */
	st = db_stmt(srv->db,
	    "SELECT r.id, r.post_id, p.thread_id, t.title, am.handle, "
	    "am.display_name, p.body, p.hidden_at IS NOT NULL, r.reason, "
	    "rm.handle, r.created_at, p.deleted_at IS NOT NULL FROM "
	    "post_reports r JOIN posts p ON p.id = r.post_id JOIN threads t "
	    "ON t.id = p.thread_id LEFT JOIN members am ON am.id = "
	    "p.author_id LEFT JOIN members rm ON rm.id = r.reporter_id WHERE "
	    "r.community_id = ? AND r.resolved_at IS NULL AND p.author_id IS "
	    "NOT ? ORDER BY r.id LIMIT 500");
	sqlite3_bind_int64(st, 1, a.community_id);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 2, call_actor(x));
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(list, json_pack("{s:I, s:I, s:I, s:s, "
		    "s:o, s:s, s:b, s:b, s:s, s:s, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "post_id",
		    (json_int_t)sqlite3_column_int64(st, 1), "thread_id",
		    (json_int_t)sqlite3_column_int64(st, 2), "thread_title",
		    db_col_text(st, 3), "author",
		    thread_author_json(st, 4), "body", db_col_text(st, 6),
		    "hidden", sqlite3_column_int(st, 7) != 0, "deleted",
		    sqlite3_column_int(st, 11) != 0, "reason",
		    db_col_text(st, 8), "reporter", db_col_text(st, 9),
		    "created_at", db_col_json_time(st, 10)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:I, s:o}", "slug", a.slug, "open",
	    (json_int_t)json_array_size(list), "reports", list);
	return 0;
}

static const char *const outcome_words[][2] = {
	{ "hide", "hidden" },
	{ "dismiss", "dismissed" },
	{ "contact", "contacted" },
};

/* What the reporter is told: the outcome, never who decided. */
static const char *
outcome_told(const char *outcome)
{
	if (strcmp(outcome, "hidden") == 0)
		return "the moderators hid the post";
	if (strcmp(outcome, "contacted") == 0)
		return "the moderators wrote to its author";
	return "the moderators decided no action was needed";
}

static int
op_report_resolve(struct call *x)
{
	json_int_t id = 0;
	const char *action = NULL, *message = NULL, *outcome = NULL;
	struct target t;
	struct access a;
	sqlite3_stmt *st;
	int64_t post_id = 0, reporters[REPORTERS_MAX], resolved_at = 0;
	size_t n = 0;
	char detail[160], prior[16] = "";
	int rc;

	if (arg_int(x->args, "report_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "action", true, 16, &action, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(action, outcome_words[i][0]) == 0)
			outcome = outcome_words[i][1];
	}
	if (outcome == NULL)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.action must be hide, dismiss or contact");
	if (reason_arg(x, "message", strcmp(action, "dismiss") != 0,
	    &message) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT post_id, resolved_at, "
	    "coalesce(outcome, '') FROM post_reports WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		post_id = sqlite3_column_int64(st, 0);
		resolved_at = sqlite3_column_int64(st, 1);
		snprintf(prior, sizeof prior, "%s", db_col_text(st, 2));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
		    "No such report.") : call_db_fail(x);
	if (target_load(x, post_id, &t, "No such report.") != 0 ||
	    thread_authz(x, t.community_id, CA_MODERATE, &a, NULL,
	    "No such report.") != 0)
		return -1;
	if (t.author_id != 0 && t.author_id == call_actor(x))
		return call_fail(x, ERR_FORBIDDEN, "This report is about your "
		    "own post: another leader or manager resolves it.");
	if (resolved_at != 0)
		return call_fail(x, ERR_CONFLICT, "This report was already "
		    "resolved (%s).", prior);
	if (strcmp(outcome, "hidden") == 0) {
		bool was;
		if (post_hide(x, post_id, message, &was) != 0)
			return -1;
	} else if (strcmp(outcome, "contacted") == 0) {
		if (t.author_id == 0 || t.deleted)
			return call_fail(x, ERR_CONFLICT,
			    "This post has no author to write to.");
		if (notify_add(x, t.author_id, "moderator_message",
		    t.community_id, t.thread_id, post_id, 0, "The leaders "
		    "and managers of %s write about your post in \"%s\": %s",
		    a.name, t.title, message) != 0)
			return -1;
	}
	/* every open report of the post has the same answer */
	st = db_stmt(srv->db,
	    "UPDATE post_reports SET outcome = ?, resolved_by = ?, "
	    "resolved_at = ?, note = ? WHERE post_id = ? AND resolved_at IS "
	    "NULL RETURNING reporter_id");
	sqlite3_bind_text(st, 1, outcome, -1, SQLITE_STATIC);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 2, call_actor(x));
	sqlite3_bind_int64(st, 3, now_unix());
	if (message != NULL)
		sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, post_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < REPORTERS_MAX)
			reporters[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	for (size_t i = 0; i < n; i++) {
		if (notify_add(x, reporters[i], "report_resolved",
		    t.community_id, t.thread_id, post_id, 0, "Your report "
		    "about a post in \"%s\" was reviewed: %s.", t.title,
		    outcome_told(outcome)) != 0)
			return -1;
	}
	snprintf(detail, sizeof detail, "community=%s report=%lld post=%lld "
	    "outcome=%s", a.slug, (long long)id, (long long)post_id, outcome);
	if (audit_add(srv->db, actor(x), "report.resolve", t.author_id,
	    t.author[0] != '\0' ? t.author : NULL, detail) != 0)
		return call_db_fail(x);
	x->result = json_pack("{s:I, s:I, s:s, s:I}", "report_id", id,
	    "post_id", (json_int_t)post_id, "outcome", outcome, "reports",
	    (json_int_t)n);
	return 0;
}

/* ---- mutes ---- */

/* The community (as a moderator) and the member named by args.handle. */
static int
mute_args(struct call *x, struct access *a, struct member *m)
{
	const char *slug = NULL, *handle = NULL;
	int rc;

	memset(m, 0, sizeof *m);
	if (arg_str(x->args, "slug", true, 48, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "handle", true, 64, &handle, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (handle[0] == '@')
		handle++;
	if (authz_community_slug(x, slug, CA_MODERATE, a) != 0)
		return -1;
	if ((rc = member_by_handle(srv->db, handle, m)) != 1) {
		member_clear(m);
		return rc < 0 ? call_db_fail(x) : call_fail(x, ERR_NOT_FOUND,
		    "No member '%s'.", handle);
	}
	return 0;
}

static int
op_member_mute(struct call *x)
{
	json_int_t seconds = 0;
	const char *reason;
	struct access a;
	struct member m;
	sqlite3_stmt *st;
	enum crole theirs;
	int64_t now = now_unix(), ends;
	char until[48], iso[32], *detail;
	int rc = -1;

	if (arg_int(x->args, "seconds", true, 1, MUTE_MAX, &seconds, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (reason_arg(x, "reason", true, &reason) != 0 ||
	    mute_args(x, &a, &m) != 0)
		return -1;
	theirs = role_in(a.community_id, m.id);
	if (m.id == call_actor(x))
		call_fail(x, ERR_CONFLICT, "You cannot mute yourself.");
	else if (theirs == CROLE_NONE)
		call_fail(x, ERR_CONFLICT, "@%s is not a member of %s.",
		    m.handle, a.name);
	else if (m.role == ROLE_ADMIN || (!a.admin && theirs >= a.role))
		call_fail(x, ERR_FORBIDDEN, "You may mute only members whose "
		    "role in %s is below yours.", a.name);
	else
		rc = 0;
	if (rc != 0)
		goto done;
	ends = now + seconds;
	/* a new mute replaces one in force */
	st = db_stmt(srv->db,
	    "UPDATE community_mutes SET ended_at = ?3, ended_by = ?4 WHERE "
	    "community_id = ?1 AND member_id = ?2 AND ended_at IS NULL AND "
	    "ends_at > ?3");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, m.id);
	sqlite3_bind_int64(st, 3, now);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 4, call_actor(x));
	if ((rc = call_step(x, st)) != 0)
		goto done;
	st = db_stmt(srv->db,
	    "INSERT INTO community_mutes (community_id, member_id, muted_by, "
	    "reason, created_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, m.id);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 3, call_actor(x));
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, ends);
	if ((rc = call_step(x, st)) != 0)
		goto done;
	zone_human(m.id, ends, until); /* the muted member's zone */
	time_iso8601(ends, iso);
	if ((rc = notify_add(x, m.id, "muted", a.community_id, 0, 0, 0,
	    "A moderator muted you in %s until %s: %s. You can still read "
	    "it.", a.name, until, reason)) != 0)
		goto done;
	detail = xasprintf("community=%s until=%s reason=%s", a.slug, iso,
	    reason);
	rc = audit_add(srv->db, actor(x), "member.mute", m.id, m.handle,
	    detail);
	free(detail);
	if (rc != 0) {
		rc = call_db_fail(x);
		goto done;
	}
	/* the member's open screens (a room) show it now */
	outbox_member_event(&x->out, m.id, "community.muted", json_pack(
	    "{s:s, s:s, s:b, s:s, s:s}", "slug", a.slug, "name", a.name,
	    "muted", 1, "until", iso, "reason", reason));
	x->result = json_pack("{s:s, s:s, s:s, s:s}", "slug", a.slug,
	    "handle", m.handle, "until", iso, "reason", reason);
done:
	member_clear(&m);
	return rc;
}

static int
op_member_unmute(struct call *x)
{
	struct access a;
	struct member m;
	sqlite3_stmt *st;
	int64_t now = now_unix();
	char detail[96];
	int rc;

	if (mute_args(x, &a, &m) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE community_mutes SET ended_at = ?3, ended_by = ?4 WHERE "
	    "community_id = ?1 AND member_id = ?2 AND ended_at IS NULL AND "
	    "ends_at > ?3");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, m.id);
	sqlite3_bind_int64(st, 3, now);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 4, call_actor(x));
	if ((rc = call_step(x, st)) != 0)
		goto done;
	if (sqlite3_changes(srv->db) == 0) {
		rc = call_fail(x, ERR_CONFLICT, "@%s is not muted in %s.",
		    m.handle, a.name);
		goto done;
	}
	if ((rc = notify_add(x, m.id, "unmuted", a.community_id, 0, 0, 0,
	    "A moderator lifted your mute in %s: you can write there again.",
	    a.name)) != 0)
		goto done;
	snprintf(detail, sizeof detail, "community=%s", a.slug);
	if (audit_add(srv->db, actor(x), "member.unmute", m.id, m.handle,
	    detail) != 0) {
		rc = call_db_fail(x);
		goto done;
	}
	outbox_member_event(&x->out, m.id, "community.muted", json_pack(
	    "{s:s, s:s, s:b}", "slug", a.slug, "name", a.name, "muted", 0));
	x->result = json_pack("{s:s, s:s, s:b}", "slug", a.slug, "handle",
	    m.handle, "muted", 0);
done:
	member_clear(&m);
	return rc;
}

static int
op_community_mutes(struct call *x)
{
	const char *slug = NULL;
	struct access a;
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	if (arg_str(x->args, "slug", true, 48, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_community_slug(x, slug, CA_MODERATE, &a) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "SELECT m.handle, m.display_name, u.reason, u.ends_at, "
	    "coalesce(b.handle, 'console'), u.created_at FROM community_mutes "
	    "u JOIN members m ON m.id = u.member_id LEFT JOIN members b ON "
	    "b.id = u.muted_by WHERE u.community_id = ? AND u.ended_at IS "
	    "NULL AND u.ends_at > ? ORDER BY u.ends_at LIMIT 500");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, now_unix());
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o, "
		    "s:s, s:o}", "handle", db_col_text(st, 0),
		    "display_name", db_col_text(st, 1), "reason",
		    db_col_text(st, 2), "until", db_col_json_time(st, 3),
		    "by", db_col_text(st, 4), "since",
		    db_col_json_time(st, 5)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:o}", "slug", a.slug, "mutes", list);
	return 0;
}

const struct op op_moderate_table[] = {
	{ "post.report", OP_MEMBER | OP_SELF | OP_WRITE, op_post_report,
	    "Report a post to its community's leaders and managers {post_id, "
	    "reason}; they are not told who you are unless they open the "
	    "queue, and its author never is.", RATE_WRITE,
	    ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("reason", ARG_REQ, REASON_MAX)) },
	{ "report.list", OP_MEMBER, op_report_list,
	    "The open reports of a community {slug} (leaders and managers; "
	    "not those about their own posts).", RATE_READ,
	    ARGS(ARG_STR("slug", ARG_REQ, 48)) },
	{ "report.resolve", OP_MEMBER | OP_WRITE, op_report_resolve,
	    "Resolve a report {report_id, action: hide|dismiss|contact, "
	    "message?} (leaders and managers): hide the post with message as "
	    "the reason, dismiss, or send its author message; every open "
	    "report of the post is answered and its reporters told the "
	    "outcome without names.", RATE_WRITE,
	    ARGS(ARG_INT("report_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("action", ARG_REQ, 16),
	    ARG_STR("message", ARG_OPT, REASON_MAX)) },
	{ "member.mute", OP_MEMBER | OP_WRITE, op_member_mute,
	    "Mute a member in a community {slug, handle, seconds, reason} "
	    "(leaders and managers; members below their role): until it ends "
	    "they may read but not write there; they are told why and until "
	    "when.", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 48), ARG_STR("handle", ARG_REQ, 64),
	    ARG_INT("seconds", ARG_REQ, 1, MUTE_MAX),
	    ARG_STR("reason", ARG_REQ, REASON_MAX)) },
	{ "member.unmute", OP_MEMBER | OP_WRITE, op_member_unmute,
	    "Lift a member's mute in a community early {slug, handle} "
	    "(leaders and managers).", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 48),
	    ARG_STR("handle", ARG_REQ, 64)) },
	{ "community.mutes", OP_MEMBER, op_community_mutes,
	    "The mutes in force in a community {slug} (leaders and "
	    "managers).", RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 48)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
