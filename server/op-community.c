/*
 * op-community.c: communities as members see them, and membership: the
 * list, one community's page, joining (open, by request or by invite),
 * leaving, join requests and their decisions, the member list, settings and
 * community roles; the platform's code of conduct and accepting it; and
 * the two pinned threads every new community starts with. Every change
 * writes an audit row in the same transaction; access is decided in
 * authz.c only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

/* The platform's code of conduct, shown by coc.get and accepted once. */
static const char coc_text[] =
    "Hearth code of conduct\n"
    "\n"
    "1. Treat everyone with respect. We come from different settings, "
    "traditions and stages of practice; disagree with ideas, never with "
    "people.\n"
    "2. Be kind to newcomers. Everyone was new once; questions are welcome "
    "here.\n"
    "3. Keep confidences. Never share anything that could identify a "
    "client, and do not repeat what members say about clients or colleagues "
    "outside the community it was said in.\n"
    "4. Respect each community's privacy expectations (for example "
    "'not to be repeated' or the Chatham House Rule).\n"
    "5. Share what you know generously, and say where it comes from.\n"
    "6. No selling, advertising or recruiting. This is a place to help each "
    "other, not a marketplace.\n"
    "7. Speak for yourself. Do not post on someone else's behalf without "
    "their permission.\n"
    "8. Look after yourself and others: if a conversation is distressing, "
    "step away, and tell a leader or manager.\n"
    "9. Report concerns. If something here worries you, tell a community "
    "leader or manager, or the platform's staff. Reports are handled "
    "in confidence.\n"
    "10. Managers and leaders may hide posts and remove members who break "
    "this code; they will tell you why.\n";

/* The short version quoted in every community's welcome thread. */
static const char coc_summary[] =
    "- Treat everyone with respect, and be kind to newcomers.\n"
    "- Keep confidences: nothing that could identify a client, and what "
    "members share about clients or colleagues stays here.\n"
    "- Respect this community's privacy expectations.\n"
    "- No selling, advertising or recruiting.\n"
    "- Report concerns to a leader or manager; they are handled in "
    "confidence.\n"
    "\n"
    "Everyone accepts the platform's full code of conduct on joining "
    "Hearth; read it again any time from Help.";


/* The member acting: NULL for the console. */
static const struct member *
actor(struct call *x)
{
	return x->conn->console ? NULL : &x->conn->member;
}

/* Refuse the console (and anything without a member) with a reason. */
static int
need_member(struct call *x)
{
	if (x->conn->member.id != 0)
		return 0;
	return call_fail(x, ERR_FORBIDDEN,
	    "Only a member can do that; the console is not a member.");
}

/*
 * An audit row about a member in a community: the member is the target and
 * the detail starts "community=SLUG", then " role=ROLE" and " message=..."
 * when given.
 */
static int
audit_membership(struct call *x, const char *action, int64_t mid,
    const char *handle, const char *slug, const char *role,
    const char *message)
{
	char *detail = xasprintf("community=%s%s%s%s%s", slug,
	    role != NULL ? " role=" : "", role != NULL ? role : "",
	    message != NULL && *message != '\0' ? " message=" : "",
	    message != NULL ? message : "");
	int rc = audit_add(srv->db, actor(x), action, mid, handle, detail);

	free(detail);
	return rc != 0 ? call_db_fail(x) : 0;
}

/* A count from a statement whose first column is the answer. */
static int64_t
step_count(sqlite3_stmt *st)
{
	int64_t n = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static int64_t
manager_count(int64_t cid)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(*) FROM community_members WHERE community_id = ? "
	    "AND role = 'manager' AND member_id IN (SELECT id FROM members "
	    "WHERE status = 'active')");

	sqlite3_bind_int64(st, 1, cid);
	return step_count(st);
}

/* A member's role in a community (CROLE_NONE when not a member). */
static enum crole
member_role(int64_t cid, int64_t member_id)
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

/* Interested members and everyone, in one community. */
static void
interested_counts(int64_t cid, int64_t *interested, int64_t *total)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(*), coalesce(sum(role = 'interested'), 0) FROM "
	    "community_members WHERE community_id = ? AND member_id IN "
	    "(SELECT id FROM members WHERE status = 'active')");

	*interested = *total = 0;
	sqlite3_bind_int64(st, 1, cid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*total = sqlite3_column_int64(st, 0);
		*interested = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

/* A community's interested cap, in percent (10 unless its managers chose). */
static int64_t
interested_cap(int64_t cid)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT interested_cap FROM communities WHERE id = ?");

	sqlite3_bind_int64(st, 1, cid);
	return step_count(st);
}

/* True when interested members are more than the cap of the community. */
static bool
interested_over(int64_t cid)
{
	int64_t interested, total;

	interested_counts(cid, &interested, &total);
	return interested * 100 > total * interested_cap(cid);
}

/*
 * Refuse a new interested member when the community asks for it and one
 * more would take interested members above 10%.
 */
static int
interested_refused(struct call *x, const struct access *a)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT refuse_interested_over_cap FROM communities WHERE id = ?");
	int64_t interested, total, cap;

	sqlite3_bind_int64(st, 1, a->community_id);
	if (step_count(st) == 0)
		return 0;
	interested_counts(a->community_id, &interested, &total);
	cap = interested_cap(a->community_id);
	if ((interested + 1) * 100 <= (total + 1) * cap)
		return 0;
	return call_fail(x, ERR_CONFLICT,
	    "%s keeps interested members to at most %" PRId64 "%% of the "
	    "community and has reached that limit, so it cannot take more "
	    "interested members just now. If you meet its membership "
	    "criteria, ask to join as a member instead.", a->name, cap);
}

/* Collect the ids of a community's managers (and leaders if asked). */
static size_t
staff_ids(int64_t cid, bool leaders, int64_t *ids, size_t max)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT member_id FROM community_members WHERE community_id = ?1 "
	    "AND (role = 'manager' OR (?2 AND role = 'leader')) LIMIT 200");
	size_t n = 0;

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int(st, 2, leaders);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Warn the managers when a change took interested members over 10%. */
static int
cap_warn(struct call *x, const struct access *a, bool was_over)
{
	int64_t ids[200], interested, total;
	size_t n, i;

	if (was_over || !interested_over(a->community_id))
		return 0;
	interested_counts(a->community_id, &interested, &total);
	n = staff_ids(a->community_id, false, ids, 200);
	for (i = 0; i < n; i++) {
		if (notify_add(x, ids[i], "interested_over_cap",
		    a->community_id, 0, 0, 0,
		    "Interested members are now %" PRId64 " of %" PRId64
		    " in %s, over its cap of %" PRId64 "%%.",
		    interested, total, a->name,
		    interested_cap(a->community_id)) != 0)
			return -1;
	}
	return 0;
}

static int64_t
intro_thread(int64_t cid)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT coalesce(intro_thread_id, 0) FROM communities WHERE id = ?");

	sqlite3_bind_int64(st, 1, cid);
	return step_count(st);
}

/*
 * Add a member to a community with a role: the row, a welcome notification
 * pointing at the Introductions thread and a community.joined event to the
 * member's sessions. The caller has checked they are not a member yet.
 */
int
community_member_add(struct call *x, int64_t cid, int64_t member_id,
    enum crole role)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO community_members (community_id, member_id, role, "
	    "joined_at) VALUES (?, ?, ?, ?)");
	int64_t intro = intro_thread(cid);
	char slug[48] = "", name[128] = "";

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, member_id);
	sqlite3_bind_text(st, 3, crole_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT slug, name FROM communities WHERE id = ?");
	sqlite3_bind_int64(st, 1, cid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(slug, sizeof slug, "%s", db_col_text(st, 0));
		snprintf(name, sizeof name, "%s", db_col_text(st, 1));
	}
	sqlite3_reset(st);
	/* from the system: the member who joined an open community too */
	if (notify_system(x, member_id, "welcome", &(struct notify_ref){
	    .community_id = cid, .thread_id = intro }, "Welcome to %s! Say "
	    "hello in its Introductions thread: who you are, where you work "
	    "and what you hope to find here.", name) != 0)
		return -1;
	outbox_member_event(&x->out, member_id, "community.joined",
	    json_pack("{s:s, s:s, s:s, s:o}", "slug", slug, "name", name,
	    "role", crole_name(role), "introduce_thread_id",
	    intro ? json_integer(intro) : json_null()));
	return 0;
}

/* One pinned thread by the system with its first post. */
static int
seed_thread(struct call *x, int64_t cid, const char *title,
    const char *body, int64_t now, int64_t *thread_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO threads (community_id, author_id, title, pinned, "
	    "created_at, last_post_at, post_count) VALUES (?, NULL, ?, 1, ?, "
	    "?, 0)");
	int64_t post_id;

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	if (call_step(x, st) != 0)
		return -1;
	*thread_id = sqlite3_last_insert_rowid(srv->db);
	st = db_stmt(srv->db,
	    "INSERT INTO posts (thread_id, author_id, body, created_at) "
	    "VALUES (?, NULL, ?, ?)");
	sqlite3_bind_int64(st, 1, *thread_id);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (call_step(x, st) != 0)
		return -1;
	post_id = sqlite3_last_insert_rowid(srv->db);
	st = db_stmt(srv->db,
	    "UPDATE threads SET last_post_id = ?, last_post_at = ?, "
	    "post_count = 1 WHERE id = ?");
	sqlite3_bind_int64(st, 1, post_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, *thread_id);
	return call_step(x, st);
}

/* How a community is seen and joined, in a member's words. */
static const char *
joining_words(const char *visibility, const char *policy)
{
	static const char *const words[][3] = {
		{ "private", "open", "Only its members see this community. "
		    "Any Hearth member who finds it may join." },
		{ "private", "request", "Only its members see this community. "
		    "To join, ask from its page; a manager or leader answers." },
		{ "private", "invite", "Only its members see this community, "
		    "and it is by invitation only." },
		{ "platform", "open", "Every Hearth member can read this "
		    "community and join it from its page." },
		{ "platform", "request", "Every Hearth member can read this "
		    "community. To join, ask from its page; a manager or "
		    "leader answers." },
		{ "platform", "invite", "Every Hearth member can read this "
		    "community; joining is by invitation only." },
		{ "public", "open", "Anyone can read this community, even "
		    "without an account; Hearth members join from its page." },
		{ "public", "request", "Anyone can read this community, even "
		    "without an account. To join, ask from its page; a "
		    "manager or leader answers." },
		{ "public", "invite", "Anyone can read this community, even "
		    "without an account; joining is by invitation only." },
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i][0], visibility) == 0 &&
		    strcmp(words[i][1], policy) == 0)
			return words[i][2];
	return "";
}

/* Append "## head\ntext\n\n" when text is not empty. */
static void
welcome_section(struct buf *b, const char *head, const char *text)
{
	if (*text != '\0')
		buf_printf(b, "## %s\n%s\n\n", head, text);
}

/*
 * The welcome post's text from the community's row (malloc'd), and its
 * name into *name when asked; NULL if there is no such community. A
 * setting not written yet leaves its section out.
 */
static char *
welcome_body(int64_t cid, char **name)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT name, purpose, criteria, privacy, visibility, join_policy "
	    "FROM communities WHERE id = ?");
	struct buf b;

	sqlite3_bind_int64(st, 1, cid);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return NULL;
	}
	buf_init(&b);
	buf_printf(&b, "Welcome to **%s**.\n\n", db_col_text(st, 0));
	welcome_section(&b, "Our purpose", db_col_text(st, 1));
	welcome_section(&b, "Who this community is for", db_col_text(st, 2));
	welcome_section(&b, "Privacy", db_col_text(st, 3));
	welcome_section(&b, "Joining", joining_words(db_col_text(st, 4),
	    db_col_text(st, 5)));
	welcome_section(&b, "How we treat each other", coc_summary);
	buf_printf(&b, "Questions about how we work are welcome in this "
	    "thread. When you are ready, say hello in **Introductions**.");
	if (name != NULL)
		*name = xstrdup(db_col_text(st, 0));
	sqlite3_reset(st);
	buf_append(&b, "", 1); /* the NUL: b.data is the string */
	return b.data;
}

/*
 * A new community's two pinned threads, "Welcome and how we work here" and
 * "Introductions", written by the system inside the caller's transaction.
 */
int
community_seed_threads(struct call *x, int64_t cid)
{
	sqlite3_stmt *st;
	char *name, *welcome, *intro;
	int64_t now = now_unix(), welcome_id, intro_id;
	int rc;

	if ((welcome = welcome_body(cid, &name)) == NULL)
		return call_fail(x, ERR_NOT_FOUND, "No such community.");
	intro = xasprintf("Introduce yourself to %s: who you are, where and "
	    "how you practise, and what you hope to find or offer here. "
	    "Reply below; everyone here started with a hello.", name);
	/* Introductions first, so the welcome thread lists above it. */
	rc = seed_thread(x, cid, "Introductions", intro, now, &intro_id);
	if (rc == 0)
		rc = seed_thread(x, cid, "Welcome and how we work here",
		    welcome, now, &welcome_id);
	free(name);
	free(welcome);
	free(intro);
	if (rc != 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE communities SET welcome_thread_id = ?, intro_thread_id = ? "
	    "WHERE id = ?");
	sqlite3_bind_int64(st, 1, welcome_id);
	sqlite3_bind_int64(st, 2, intro_id);
	sqlite3_bind_int64(st, 3, cid);
	return call_step(x, st);
}

/*
 * After the settings changed: rewrite the welcome thread's first post, as
 * long as it is still the system's (nobody has taken it over).
 */
static int
welcome_refresh(struct call *x, int64_t cid)
{
	sqlite3_stmt *st;
	char *body;
	int rc;

	if ((body = welcome_body(cid, NULL)) == NULL)
		return 0;
	st = db_stmt(srv->db,
	    "UPDATE posts SET body = ?1, edited_at = ?2 WHERE id = (SELECT "
	    "min(p.id) FROM posts p JOIN communities c ON p.thread_id = "
	    "c.welcome_thread_id WHERE c.id = ?3) AND author_id IS NULL "
	    "AND body <> ?1");
	sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_unix());
	sqlite3_bind_int64(st, 3, cid);
	rc = call_step(x, st);
	free(body);
	return rc;
}

/* One community row: slug, name, purpose, visibility, policy, counts. */
json_t *
community_row_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "slug",
	    db_col_text(st, 1), "name", db_col_text(st, 2), "purpose",
	    db_col_text(st, 3), "visibility", db_col_text(st, 4),
	    "join_policy", db_col_text(st, 5), "members",
	    (json_int_t)sqlite3_column_int64(st, 6));

	json_object_set_new(o, "my_role", db_col_json_text(st, 7));
	return o;
}

/* Column 8 and 9 of the list: unread threads and pending requests. */
static json_t *
col_count_or_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, i));
}

#define LIST_COLUMNS \
	"SELECT c.id, c.slug, c.name, c.purpose, c.visibility, " \
	"c.join_policy, " \
	"(SELECT count(*) FROM community_members cm " \
	" WHERE cm.community_id = c.id AND cm.member_id IN (SELECT id " \
	" FROM members WHERE status = 'active')), me.role, " \
	"CASE WHEN me.role IS NOT NULL THEN (SELECT count(*) FROM threads t " \
	" LEFT JOIN read_positions rp ON rp.member_id = :me AND " \
	" rp.thread_id = t.id WHERE t.community_id = c.id AND " \
	" t.last_post_id > coalesce(rp.last_post_id, 0)) END, " \
	"CASE WHEN :admin OR me.role IN ('manager', 'leader') THEN " \
	" (SELECT count(*) FROM join_requests j WHERE j.community_id = c.id " \
	" AND j.status = 'pending') END " \
	"FROM communities c LEFT JOIN community_members me ON " \
	"me.community_id = c.id AND me.member_id = :me "

static int
op_community_list(struct call *x)
{
	struct conn *c = x->conn;
	sqlite3_stmt *st;
	json_t *list = json_array(), *o;
	char *sql = NULL;
	int rc;

	if (c->guest) {
		/* Guests see only what they may read (public communities). */
		sql = xasprintf(LIST_COLUMNS "WHERE c.id IN (%s) "
		    "ORDER BY c.name COLLATE NOCASE", authz_readable_sql(c));
		if (sqlite3_prepare_v2(srv->db, sql, -1, &st, NULL) !=
		    SQLITE_OK) {
			free(sql);
			json_decref(list);
			return call_db_fail(x);
		}
	} else
		st = db_stmt(srv->db, LIST_COLUMNS
		    "ORDER BY c.name COLLATE NOCASE");
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":me"),
	    c->member.id);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":admin"),
	    c->console || (c->member.id != 0 &&
	    c->member.role == ROLE_ADMIN));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = community_row_json(st);
		json_object_set_new(o, "unread", col_count_or_null(st, 8));
		json_object_set_new(o, "pending_requests",
		    col_count_or_null(st, 9));
		json_array_append_new(list, o);
	}
	if (sql != NULL) {
		sqlite3_finalize(st);
		free(sql);
	} else
		sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o}", "communities", list);
	return 0;
}

/* The caller's pending join request in a community, or json null. */
static json_t *
pending_request_json(int64_t cid, int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, role, message, created_at FROM join_requests WHERE "
	    "community_id = ? AND member_id = ? AND status = 'pending'");
	json_t *o = json_null();

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, member_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		o = json_pack("{s:I, s:s, s:s, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "role",
		    db_col_text(st, 1), "message", db_col_text(st, 2),
		    "created_at", db_col_json_time(st, 3));
	sqlite3_reset(st);
	return o;
}

/*
 * The caller's latest join request in a community, whatever its answer
 * (status, the role asked, their message, the response), or json null:
 * the member's screen shows "request sent" and then the answer.
 */
static json_t *
my_request_json(int64_t cid, int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT id, role, message, status, created_at, response, "
	    "decided_at FROM join_requests WHERE community_id = ? AND "
	    "member_id = ? ORDER BY id DESC LIMIT 1");
	json_t *o = json_null();

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, member_id);
	if (member_id != 0 && sqlite3_step(st) == SQLITE_ROW)
		o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "role",
		    db_col_text(st, 1), "message", db_col_text(st, 2),
		    "status", db_col_text(st, 3), "created_at",
		    db_col_json_time(st, 4), "response",
		    db_col_json_text(st, 5), "decided_at",
		    db_col_json_time(st, 6));
	sqlite3_reset(st);
	return o;
}

/* Join requests waiting for an answer in a community. */
static int64_t
pending_count(int64_t cid)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(*) FROM join_requests WHERE community_id = ? AND "
	    "status = 'pending'");

	sqlite3_bind_int64(st, 1, cid);
	return step_count(st);
}

/*
 * Whether the caller may read the community: asks authz and, on a plain
 * refusal, clears the failure so the caller can show less instead.
 */
static int
may_read(struct call *x, const struct access *a, bool *readable)
{
	struct access b;

	if (authz_community(x, a->community_id, CA_READ, &b) == 0) {
		*readable = true;
		return 0;
	}
	if (x->err != ERR_FORBIDDEN)
		return -1;
	x->msg[0] = '\0';
	x->err = ERR_BAD_REQUEST;
	*readable = false;
	return 0;
}

/*
 * One community as the caller may see it: everything when they may read
 * it, otherwise only name, purpose, criteria and join policy.
 */
static int
community_detail(struct call *x, const struct access *a, json_t **out)
{
	sqlite3_stmt *st;
	json_t *o, *counts;
	int64_t total = 0, n;
	bool readable;
	enum crole r;

	if (may_read(x, a, &readable) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "SELECT id, slug, name, purpose, criteria, privacy, visibility, "
	    "join_policy, refuse_interested_over_cap, created_at, "
	    "welcome_thread_id, intro_thread_id, interested_cap FROM "
	    "communities WHERE id = ?");
	sqlite3_bind_int64(st, 1, a->community_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "No such community.");
	}
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id",
	    (json_int_t)sqlite3_column_int64(st, 0), "slug",
	    db_col_text(st, 1), "name", db_col_text(st, 2), "purpose",
	    db_col_text(st, 3), "criteria", db_col_text(st, 4), "visibility",
	    db_col_text(st, 6), "join_policy", db_col_text(st, 7), "readable",
	    readable);
	if (readable) {
		json_object_set_new(o, "privacy",
		    json_string(db_col_text(st, 5)));
		json_object_set_new(o, "refuse_interested_over_cap",
		    json_boolean(sqlite3_column_int(st, 8)));
		json_object_set_new(o, "interested_cap",
		    json_integer(sqlite3_column_int64(st, 12)));
		json_object_set_new(o, "created_at", db_col_json_time(st, 9));
		json_object_set_new(o, "welcome_thread_id",
		    sqlite3_column_type(st, 10) == SQLITE_NULL ? json_null() :
		    json_integer(sqlite3_column_int64(st, 10)));
		json_object_set_new(o, "intro_thread_id",
		    sqlite3_column_type(st, 11) == SQLITE_NULL ? json_null() :
		    json_integer(sqlite3_column_int64(st, 11)));
	}
	sqlite3_reset(st);
	if (readable) {
		counts = json_object();
		st = db_stmt(srv->db,
		    "SELECT role, count(*) FROM community_members WHERE "
		    "community_id = ? AND member_id IN (SELECT id FROM members "
		    "WHERE status = 'active') GROUP BY role");
		for (r = CROLE_INTERESTED; r <= CROLE_MANAGER; r++)
			json_object_set_new(counts, crole_name(r),
			    json_integer(0));
		sqlite3_bind_int64(st, 1, a->community_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 1);
			total += n;
			json_object_set_new(counts, db_col_text(st, 0),
			    json_integer(n));
		}
		sqlite3_reset(st);
		json_object_set_new(o, "members", json_integer(total));
		json_object_set_new(o, "counts", counts);
	}
	json_object_set_new(o, "my_role", a->role != CROLE_NONE ?
	    json_string(crole_name(a->role)) : json_null());
	json_object_set_new(o, "pending_request",
	    pending_request_json(a->community_id, x->conn->member.id));
	json_object_set_new(o, "my_request",
	    my_request_json(a->community_id, x->conn->member.id));
	json_object_set_new(o, "pending_requests",
	    a->admin || a->role >= CROLE_LEADER ?
	    json_integer(pending_count(a->community_id)) : json_null());
	*out = o;
	return 0;
}

static int
arg_slug(struct call *x, const char **slug)
{
	if (arg_str(x->args, "slug", true, 40, slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	return 0;
}

static int
op_community_get(struct call *x)
{
	struct access a;
	const char *slug = NULL;
	json_t *o;

	if (arg_slug(x, &slug) != 0 ||
	    authz_community_slug(x, slug, CA_SEE, &a) != 0 ||
	    community_detail(x, &a, &o) != 0)
		return -1;
	if (a.role != CROLE_NONE)
		visits_note(call_actor(x), a.community_id);
	x->result = json_pack("{s:o}", "community", o);
	return 0;
}

/* args.as: "member" (default) or "interested". */
static int
arg_join_role(struct call *x, enum crole *role)
{
	const char *as = NULL;

	if (arg_str(x->args, "as", false, 16, &as, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (as == NULL)
		return 0;
	if (strcmp(as, "member") == 0)
		*role = CROLE_MEMBER;
	else if (strcmp(as, "interested") == 0)
		*role = CROLE_INTERESTED;
	else
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.as must be \"member\" or \"interested\"");
	return 0;
}

/* Tell a community's managers and leaders about a new join request. */
static int
notify_request(struct call *x, const struct access *a, enum crole role,
    const char *message)
{
	const struct member *m = &x->conn->member;
	/* notifications.request_id is an expert request's: the requester
	 * (the notification's actor) names the join request */
	const struct notify_ref ref = { .community_id = a->community_id };
	int64_t ids[200];
	size_t n, i;

	n = staff_ids(a->community_id, true, ids, 200);
	for (i = 0; i < n; i++) {
		if (notify_add_ref(x, ids[i], "join_request", &ref,
		    "%s (@%s) asks to join %s as %s%s%s%s",
		    m->display_name, m->handle, a->name, crole_name(role),
		    *message != '\0' ? ": \"" : ".", message,
		    *message != '\0' ? "\"" : "") != 0)
			return -1;
	}
	return 0;
}

/*
 * Screens showing the community (its members, requests, roles) refresh:
 * an event to everyone who may read it, naming only what changed.
 */
static void
community_activity(struct call *x, int64_t cid, const char *slug,
    const char *what)
{
	outbox_community_event(&x->out, cid, "community.activity",
	    json_pack("{s:s, s:s}", "slug", slug, "what", what));
}

static int
op_community_join(struct call *x)
{
	const struct member *me = &x->conn->member;
	const char *slug = NULL, *message = "";
	enum crole role = CROLE_MEMBER;
	struct access a;
	sqlite3_stmt *st;
	int64_t id, intro;
	bool was_over;
	int rc;

	if (need_member(x) != 0 || arg_slug(x, &slug) != 0)
		return -1;
	if (arg_str(x->args, "message", false, 2000, &message, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (arg_join_role(x, &role) != 0 ||
	    authz_community_slug(x, slug, CA_SEE, &a) != 0)
		return -1;
	if (a.role != CROLE_NONE)
		return call_fail(x, ERR_CONFLICT,
		    "You are already in %s (as %s).", a.name,
		    crole_name(a.role));
	if (strcmp(a.join_policy, "invite") == 0 && !a.admin)
		return call_fail(x, ERR_FORBIDDEN,
		    "%s is by invitation only: ask a manager for an invite.",
		    a.name);
	if (role == CROLE_INTERESTED && interested_refused(x, &a) != 0)
		return -1;
	if (strcmp(a.join_policy, "request") == 0 && !a.admin) {
		st = db_stmt(srv->db,
		    "INSERT INTO join_requests (community_id, member_id, role, "
		    "message, created_at) VALUES (?, ?, ?, ?, ?)");
		sqlite3_bind_int64(st, 1, a.community_id);
		sqlite3_bind_int64(st, 2, me->id);
		sqlite3_bind_text(st, 3, crole_name(role), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now_unix());
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_CONSTRAINT)
			return call_fail(x, ERR_CONFLICT,
			    "You have already asked to join %s; a manager or "
			    "leader will answer soon.", a.name);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
		id = sqlite3_last_insert_rowid(srv->db);
		if (notify_request(x, &a, role, message) != 0 ||
		    audit_membership(x, "community.request", me->id,
		    me->handle, a.slug, crole_name(role), message) != 0)
			return -1;
		community_activity(x, a.community_id, a.slug, "requests");
		x->result = json_pack("{s:s, s:s, s:I, s:s, s:b}", "slug",
		    a.slug, "status", "requested", "request_id",
		    (json_int_t)id, "role", crole_name(role), "coc_accepted",
		    coc_accepted(me));
		return 0;
	}
	/* Open (or a platform admin): joined now. */
	was_over = interested_over(a.community_id);
	if (community_member_add(x, a.community_id, me->id, role) != 0 ||
	    cap_warn(x, &a, was_over) != 0)
		return -1;
	if (audit_membership(x, "community.join", me->id, me->handle, a.slug,
	    crole_name(role), NULL) != 0)
		return -1;
	intro = intro_thread(a.community_id);
	x->result = json_pack("{s:s, s:s, s:s, s:o, s:b}", "slug", a.slug,
	    "status", "joined", "role", crole_name(role),
	    "introduce_thread_id", intro ? json_integer(intro) : json_null(),
	    "coc_accepted", coc_accepted(me));
	return 0;
}

static int
op_community_leave(struct call *x)
{
	const struct member *me = &x->conn->member;
	const char *slug = NULL;
	struct access a;
	sqlite3_stmt *st;
	bool was_over;

	if (need_member(x) != 0 || arg_slug(x, &slug) != 0 ||
	    authz_community_slug(x, slug, CA_SEE, &a) != 0)
		return -1;
	if (a.role == CROLE_NONE) {
		/* Not a member: leaving withdraws a pending request. */
		st = db_stmt(srv->db,
		    "DELETE FROM join_requests WHERE community_id = ? AND "
		    "member_id = ? AND status = 'pending'");
		sqlite3_bind_int64(st, 1, a.community_id);
		sqlite3_bind_int64(st, 2, me->id);
		if (call_step(x, st) != 0)
			return -1;
		if (sqlite3_changes(srv->db) == 0)
			return call_fail(x, ERR_CONFLICT,
			    "You are not a member of %s.", a.name);
		if (audit_membership(x, "community.withdraw", me->id,
		    me->handle, a.slug, NULL, NULL) != 0)
			return -1;
		x->result = json_pack("{s:s, s:b, s:b}", "slug", a.slug,
		    "left", false, "withdrawn", true);
		return 0;
	}
	if (a.role == CROLE_MANAGER && manager_count(a.community_id) <= 1)
		return call_fail(x, ERR_CONFLICT,
		    "You are the last manager of %s, so you cannot leave yet. "
		    "Make someone else a manager first (on the Members tab).",
		    a.name);
	was_over = interested_over(a.community_id);
	st = db_stmt(srv->db,
	    "DELETE FROM community_members WHERE community_id = ? AND "
	    "member_id = ?");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, me->id);
	if (call_step(x, st) != 0 || cap_warn(x, &a, was_over) != 0 ||
	    community_departure_add(x, a.community_id, me->id, a.role, 0) != 0 ||
	    audit_membership(x, "community.leave", me->id, me->handle, a.slug,
	    crole_name(a.role), NULL) != 0)
		return -1;
	outbox_member_event(&x->out, me->id, "community.left",
	    json_pack("{s:s}", "slug", a.slug));
	outbox_access(&x->out, a.community_id, me->id);
	x->result = json_pack("{s:s, s:b, s:b, s:s}", "slug", a.slug, "left",
	    true, "withdrawn", false, "was", crole_name(a.role));
	return 0;
}

/* Keyset pagination: args.limit (1-200, default 50). */
static int
arg_limit(struct call *x, json_int_t *limit)
{
	*limit = 50;
	if (arg_int(x->args, "limit", false, 1, 200, limit, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	return 0;
}

static int
op_community_requests(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT j.id, m.handle, m.display_name, j.role, j.message, "
	    "j.created_at, m.job_role, m.organisation, m.region FROM "
	    "join_requests j JOIN members m ON "
	    "m.id = j.member_id WHERE j.community_id = ? AND "
	    "j.status = 'pending' AND j.id < ? ORDER BY j.id DESC LIMIT ?");
	const char *slug = NULL;
	json_int_t limit, before = INT64_MAX, n = 0, last = 0;
	struct access a;
	json_t *list;
	int rc;

	if (arg_slug(x, &slug) != 0 || arg_limit(x, &limit) != 0)
		return -1;
	if (arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_community_slug(x, slug, CA_MODERATE, &a) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int64(st, 3, limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		n++;
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:o, s:s, s:s, s:s}", "id", last, "handle",
		    db_col_text(st, 1), "display_name", db_col_text(st, 2),
		    "role", db_col_text(st, 3), "message", db_col_text(st, 4),
		    "created_at", db_col_json_time(st, 5), "job_role",
		    db_col_text(st, 6), "organisation", db_col_text(st, 7),
		    "region", db_col_text(st, 8)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:o, s:o}", "slug", a.slug, "requests",
	    list, "next", n == limit ? json_integer(last) : json_null());
	return 0;
}

static int
op_community_decide(struct call *x)
{
	const char *message = "", *status;
	sqlite3_stmt *st;
	json_int_t rid = 0;
	bool approve = false, was_over;
	enum crole role = CROLE_MEMBER, have;
	struct member m = { 0 };
	struct access a;
	int64_t cid, mid, intro = 0;
	int rc;

	if (arg_int(x->args, "request_id", true, 1, INT64_MAX, &rid, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "approve", true, &approve, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "message", false, 2000, &message, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db,
	    "SELECT community_id, member_id, role, status FROM join_requests "
	    "WHERE id = ?");
	sqlite3_bind_int64(st, 1, rid);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
		    "No join request %lld.", (long long)rid) : call_db_fail(x);
	}
	cid = sqlite3_column_int64(st, 0);
	mid = sqlite3_column_int64(st, 1);
	if (crole_parse(db_col_text(st, 2), &role) != 0)
		role = CROLE_MEMBER;
	status = strcmp(db_col_text(st, 3), "approved") == 0 ? "approved" :
	    strcmp(db_col_text(st, 3), "declined") == 0 ? "declined" : NULL;
	sqlite3_reset(st);
	if (authz_community(x, cid, CA_MODERATE, &a) != 0)
		return -1;
	if (status != NULL)
		return call_fail(x, ERR_CONFLICT,
		    "That request was already %s.", status);
	if (arg_join_role(x, &role) != 0)
		return -1;
	if ((rc = member_by_id(srv->db, mid, &m)) != 1) {
		member_clear(&m);
		return rc < 0 ? call_db_fail(x) : call_fail(x, ERR_NOT_FOUND,
		    "The member who asked no longer exists.");
	}
	if (approve && m.removed) {
		member_clear(&m);
		return call_fail(x, ERR_CONFLICT,
		    "That member's membership of the platform was removed; "
		    "decline the request instead.");
	}
	have = member_role(cid, mid);
	if (approve && have == CROLE_NONE) {
		if (role == CROLE_INTERESTED &&
		    interested_refused(x, &a) != 0) {
			member_clear(&m);
			return call_fail(x, ERR_CONFLICT,
			    "Approving @%s as interested would take interested "
			    "members of %s above its cap, which this community "
			    "refuses. Approve them as a member instead if they "
			    "meet the criteria, or decline.",
			    m.handle, a.name);
		}
		was_over = interested_over(cid);
		if (community_member_add(x, cid, mid, role) != 0 ||
		    cap_warn(x, &a, was_over) != 0) {
			member_clear(&m);
			return -1;
		}
	}
	if (approve)
		intro = intro_thread(cid);
	st = db_stmt(srv->db,
	    "UPDATE join_requests SET status = ?, decided_by = ?, "
	    "decided_at = ?, response = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, approve ? "approved" : "declined", -1,
	    SQLITE_STATIC);
	if (x->conn->member.id != 0)
		sqlite3_bind_int64(st, 2, x->conn->member.id);
	sqlite3_bind_int64(st, 3, now_unix());
	sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, rid);
	rc = call_step(x, st);
	if (rc == 0)
		rc = notify_add_ref(x, mid, "join_decided", &(struct notify_ref){
		    .community_id = cid, .thread_id = intro },
		    "Your request to join %s was %s%s%s", a.name,
		    approve ? "approved" : "declined",
		    *message != '\0' ? ": " : ".", message);
	if (rc == 0)
		rc = audit_membership(x, approve ? "community.approve" :
		    "community.decline", mid, m.handle, a.slug, approve ?
		    crole_name(have != CROLE_NONE ? have : role) : NULL,
		    message);
	if (rc == 0)
		community_activity(x, cid, a.slug, "requests");
	if (rc == 0)
		x->result = json_pack("{s:I, s:s, s:s, s:s, s:s}",
		    "request_id", rid, "slug", a.slug, "handle", m.handle,
		    "status", approve ? "approved" : "declined", "role",
		    crole_name(have != CROLE_NONE ? have : role));
	member_clear(&m);
	return rc;
}

/* Parse a member-list cursor "JOINED_AT:MEMBER_ID". */
static int
parse_cursor(const char *s, int64_t *t, int64_t *id)
{
	long long a, b;
	int n = 0;

	if (sscanf(s, "%lld:%lld%n", &a, &b, &n) != 2 || s[n] != '\0')
		return -1;
	*t = a;
	*id = b;
	return 0;
}

static int
op_community_members(struct call *x)
{
	const char *slug = NULL, *rolestr = NULL, *before = NULL;
	int64_t bt = INT64_MAX, bid = INT64_MAX, lt = 0, lid = 0;
	json_int_t limit, n = 0;
	enum crole role = CROLE_NONE;
	struct access a;
	sqlite3_stmt *st;
	json_t *list;
	char *cursor;
	int rc;

	if (arg_slug(x, &slug) != 0 || arg_limit(x, &limit) != 0)
		return -1;
	if (arg_str(x->args, "role", false, 16, &rolestr, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "before", false, 64, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (rolestr != NULL && crole_parse(rolestr, &role) != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.role must be "
		    "manager, leader, member or interested");
	if (before != NULL && parse_cursor(before, &bt, &bid) != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.before must be the "
		    "'next' cursor of a previous page");
	if (authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	if (role != CROLE_NONE) {
		st = db_stmt(srv->db,
		    "SELECT m.handle, m.display_name, cm.role, cm.joined_at, "
		    "cm.member_id FROM community_members cm JOIN members m ON "
		    "m.id = cm.member_id WHERE cm.community_id = ?1 AND "
		    "cm.role = ?5 AND (cm.joined_at < ?2 OR (cm.joined_at = ?2 "
		    "AND cm.member_id < ?3)) AND m.status = 'active' "
		    "ORDER BY cm.joined_at DESC, cm.member_id DESC LIMIT ?4");
		sqlite3_bind_text(st, 5, crole_name(role), -1, SQLITE_STATIC);
	} else
		st = db_stmt(srv->db,
		    "SELECT m.handle, m.display_name, cm.role, cm.joined_at, "
		    "cm.member_id FROM community_members cm JOIN members m ON "
		    "m.id = cm.member_id WHERE cm.community_id = ?1 AND "
		    "(cm.joined_at < ?2 OR (cm.joined_at = ?2 AND "
		    "cm.member_id < ?3)) AND m.status = 'active' "
		    "ORDER BY cm.joined_at DESC, cm.member_id DESC LIMIT ?4");
	sqlite3_bind_int64(st, 1, a.community_id);
	sqlite3_bind_int64(st, 2, bt);
	sqlite3_bind_int64(st, 3, bid);
	sqlite3_bind_int64(st, 4, limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		lt = sqlite3_column_int64(st, 3);
		lid = sqlite3_column_int64(st, 4);
		n++;
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}",
		    "handle", db_col_text(st, 0), "display_name",
		    db_col_text(st, 1), "role", db_col_text(st, 2),
		    "joined_at", db_col_json_time(st, 3)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:o}", "slug", a.slug, "members", list);
	if (n == limit) {
		cursor = xasprintf("%" PRId64 ":%" PRId64, lt, lid);
		json_object_set_new(x->result, "next", json_string(cursor));
		free(cursor);
	} else
		json_object_set_new(x->result, "next", json_null());
	return 0;
}

/* Visibility and join policy values. */
static bool
one_of(const char *s, const char *a, const char *b, const char *c)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0 || strcmp(s, c) == 0;
}

static int
op_community_update(struct call *x)
{
	static const char *const fields[] = { "name", "purpose", "criteria",
		"privacy", "visibility", "join_policy" };
	const char *slug = NULL, *v[6] = { NULL };
	size_t max[6] = { 80, 4000, 4000, 4000, 16, 16 }, i;
	bool refuse = false, has_refuse;
	json_int_t cap = 0;
	struct access a;
	sqlite3_stmt *st;
	char changed[200] = "";
	json_t *o;

	if (arg_slug(x, &slug) != 0)
		return -1;
	for (i = 0; i < 6; i++)
		if (arg_str(x->args, fields[i], false, max[i], &v[i], x->msg,
		    sizeof x->msg) != 0)
			return call_bad(x);
	if (arg_bool(x->args, "refuse_interested_over_cap", false, &refuse,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	has_refuse = json_is_boolean(json_object_get(x->args,
	    "refuse_interested_over_cap"));
	if (arg_int(x->args, "interested_cap", false, 1, 100, &cap, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (v[0] != NULL && *v[0] == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.name must not be empty");
	for (i = 0; i < 4; i++)
		if (utf8_check_arg(fields[i], v[i], i == 0 ? UTF8_NAME :
		    UTF8_LINES, x->msg, sizeof x->msg) != 0)
			return call_bad(x);
	if (v[4] != NULL && !one_of(v[4], "private", "platform", "public"))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.visibility must be private, platform or public");
	if (v[5] != NULL && !one_of(v[5], "open", "request", "invite"))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.join_policy must be open, request or invite");
	for (i = 0; i < 6; i++)
		if (v[i] != NULL)
			snprintf(changed + strlen(changed),
			    sizeof changed - strlen(changed), "%s%s",
			    changed[0] != '\0' ? ", " : "", fields[i]);
	if (has_refuse)
		snprintf(changed + strlen(changed), sizeof changed -
		    strlen(changed), "%s%s", changed[0] != '\0' ? ", " : "",
		    "refuse_interested_over_cap");
	if (cap != 0)
		snprintf(changed + strlen(changed), sizeof changed -
		    strlen(changed), "%sinterested_cap=%lld",
		    changed[0] != '\0' ? ", " : "", (long long)cap);
	if (changed[0] == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "Nothing to change: give "
		    "name, purpose, criteria, privacy, visibility, "
		    "join_policy, interested_cap or "
		    "refuse_interested_over_cap.");
	if (authz_community_slug(x, slug, CA_MANAGE, &a) != 0)
		return -1;
	st = db_stmt(srv->db,
	    "UPDATE communities SET name = coalesce(?1, name), "
	    "purpose = coalesce(?2, purpose), criteria = coalesce(?3, "
	    "criteria), privacy = coalesce(?4, privacy), visibility = "
	    "coalesce(?5, visibility), join_policy = coalesce(?6, "
	    "join_policy), refuse_interested_over_cap = coalesce(?7, "
	    "refuse_interested_over_cap), interested_cap = coalesce(?9, "
	    "interested_cap) WHERE id = ?8");
	for (i = 0; i < 6; i++)
		if (v[i] != NULL)
			sqlite3_bind_text(st, (int)i + 1, v[i], -1,
			    SQLITE_STATIC);
	if (has_refuse)
		sqlite3_bind_int(st, 7, refuse);
	if (cap != 0)
		sqlite3_bind_int64(st, 9, cap);
	sqlite3_bind_int64(st, 8, a.community_id);
	/* the welcome thread says all but the cap: refresh it on any change */
	if (call_step(x, st) != 0 || welcome_refresh(x, a.community_id) != 0)
		return -1;
	if (audit_add(srv->db, actor(x), "community.update", 0, a.slug,
	    changed) != 0)
		return call_db_fail(x);
	if (v[4] != NULL) /* who may read it may have changed */
		outbox_access(&x->out, a.community_id, 0);
	if (authz_community(x, a.community_id, CA_SEE, &a) != 0 ||
	    community_detail(x, &a, &o) != 0)
		return -1;
	x->result = json_pack("{s:o}", "community", o);
	return 0;
}

/* Tell a member (not the actor) that their role in a community changed. */
static int
notify_role(struct call *x, const struct access *a, int64_t mid,
    enum crole role)
{
	if (role == CROLE_NONE)
		return notify_add(x, mid, "community_role", a->community_id, 0,
		    0, 0, "You are no longer a member of %s.", a->name);
	return notify_add(x, mid, "community_role", a->community_id, 0, 0, 0,
	    "You are now %s %s of %s.", role == CROLE_INTERESTED ? "an" : "a",
	    crole_name(role), a->name);
}

static int
op_community_set_role(struct call *x)
{
	const char *slug = NULL, *handle = NULL, *rolestr = NULL;
	enum crole role = CROLE_NONE, have;
	struct member m = { 0 };
	struct access a;
	sqlite3_stmt *st;
	bool was_over;
	int rc;

	if (arg_slug(x, &slug) != 0)
		return -1;
	if (arg_str(x->args, "handle", true, 40, &handle, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "role", true, 16, &rolestr, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(rolestr, "none") != 0 && crole_parse(rolestr, &role) != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.role must be "
		    "manager, leader, member, interested or none");
	if (authz_community_slug(x, slug, CA_MANAGE, &a) != 0)
		return -1;
	if ((rc = member_by_handle(srv->db, handle, &m)) != 1) {
		member_clear(&m);
		return rc < 0 ? call_db_fail(x) : call_fail(x, ERR_NOT_FOUND,
		    "No member '%s'.", handle);
	}
	if (m.removed && role != CROLE_NONE) {
		member_clear(&m);
		return call_fail(x, ERR_CONFLICT,
		    "@%s's membership of the platform was removed.", handle);
	}
	have = member_role(a.community_id, m.id);
	rc = 0;
	if (have == role) {
		if (role == CROLE_NONE)
			rc = call_fail(x, ERR_CONFLICT,
			    "@%s is not a member of %s.", m.handle, a.name);
		goto done; /* nothing to change */
	}
	if (have == CROLE_MANAGER && manager_count(a.community_id) <= 1) {
		rc = call_fail(x, ERR_CONFLICT,
		    "@%s is the last manager of %s. Make someone else a "
		    "manager first.", m.handle, a.name);
		goto done;
	}
	was_over = interested_over(a.community_id);
	if (have == CROLE_NONE) {
		rc = community_member_add(x, a.community_id, m.id, role);
		/* An open request is answered by this. */
		st = db_stmt(srv->db,
		    "UPDATE join_requests SET status = 'approved', decided_by "
		    "= ?, decided_at = ? WHERE community_id = ? AND member_id "
		    "= ? AND status = 'pending'");
		if (x->conn->member.id != 0)
			sqlite3_bind_int64(st, 1, x->conn->member.id);
		sqlite3_bind_int64(st, 2, now_unix());
		sqlite3_bind_int64(st, 3, a.community_id);
		sqlite3_bind_int64(st, 4, m.id);
		if (rc == 0)
			rc = call_step(x, st);
	} else {
		if (role == CROLE_NONE) {
			st = db_stmt(srv->db,
			    "DELETE FROM community_members WHERE "
			    "community_id = ? AND member_id = ?");
			outbox_member_event(&x->out, m.id, "community.left",
			    json_pack("{s:s}", "slug", a.slug));
			if (community_departure_add(x, a.community_id, m.id,
			    have, x->conn->member.id != 0 ?
			    x->conn->member.id : -1) != 0) {
				rc = -1;
				goto done;
			}
			/* their watches and rooms here end once committed */
			outbox_access(&x->out, a.community_id, m.id);
		} else {
			st = db_stmt(srv->db,
			    "UPDATE community_members SET role = ?3 WHERE "
			    "community_id = ?1 AND member_id = ?2");
			sqlite3_bind_text(st, 3, crole_name(role), -1,
			    SQLITE_STATIC);
		}
		sqlite3_bind_int64(st, 1, a.community_id);
		sqlite3_bind_int64(st, 2, m.id);
		rc = call_step(x, st);
		if (rc == 0)
			rc = notify_role(x, &a, m.id, role);
	}
	if (rc == 0)
		rc = cap_warn(x, &a, was_over);
	if (rc == 0)
		rc = audit_membership(x, "community.set_role", m.id, m.handle,
		    a.slug, role != CROLE_NONE ? crole_name(role) : "none",
		    NULL);
done:
	if (rc == 0)
		community_activity(x, a.community_id, a.slug, "role");
	if (rc == 0)
		x->result = json_pack("{s:s, s:s, s:s, s:s}", "slug", a.slug,
		    "handle", m.handle, "role", role != CROLE_NONE ?
		    crole_name(role) : "none", "was", have != CROLE_NONE ?
		    crole_name(have) : "none");
	member_clear(&m);
	return rc;
}

const char *
community_coc_builtin(void)
{
	return coc_text;
}

/*
 * The current code of conduct, and whether the caller accepted it:
 * accepted_at is null until they accept this version; changed says they
 * accepted an earlier one (the text changed since).
 */
static int
op_coc_get(struct call *x)
{
	const struct member *m = &x->conn->member;
	char when[32];

	x->result = coc_json();
	if (m->id != 0 && coc_accepted(m)) {
		time_iso8601(m->coc_accepted_at, when);
		json_object_set_new(x->result, "accepted_at",
		    json_string(when));
	} else
		json_object_set_new(x->result, "accepted_at", json_null());
	json_object_set_new(x->result, "changed", json_boolean(m->id != 0 &&
	    m->coc_accepted_at != 0 && !coc_accepted(m)));
	return 0;
}

static int
op_member_accept_coc(struct call *x)
{
	struct member *me = &x->conn->member;
	sqlite3_stmt *st;
	char when[32], detail[64];
	int64_t at = me->coc_accepted_at, v = coc_version();

	if (need_member(x) != 0)
		return -1;
	if (!coc_accepted(me)) {
		at = now_unix();
		st = db_stmt(srv->db,
		    "UPDATE members SET coc_accepted_at = ?, coc_version = ? "
		    "WHERE id = ? AND (coc_accepted_at IS NULL OR "
		    "coc_version < ?)");
		sqlite3_bind_int64(st, 1, at);
		sqlite3_bind_int64(st, 2, v);
		sqlite3_bind_int64(st, 3, me->id);
		sqlite3_bind_int64(st, 4, v);
		if (call_step(x, st) != 0)
			return -1;
		snprintf(detail, sizeof detail, "version=%lld", (long long)v);
		if (sqlite3_changes(srv->db) > 0 &&
		    audit_add(srv->db, me, "member.accept_coc", me->id,
		    me->handle, detail) != 0)
			return call_db_fail(x);
		/* every session of the member may write once committed */
		outbox_identity(&x->out, me->id);
	}
	time_iso8601(at, when);
	x->result = json_pack("{s:s, s:I}", "accepted_at", when, "version",
	    (json_int_t)v);
	return 0;
}

const struct op op_community_table[] = {
	{ "community.list", OP_MEMBER | OP_GUEST, op_community_list,
	    "Every community: name, purpose, visibility, join policy, member "
	    "count, your role (null when you are not a member), unread "
	    "threads and pending join requests.", RATE_READ, NO_ARGS },
	{ "community.get", OP_MEMBER | OP_GUEST, op_community_get,
	    "One community {slug}: purpose, criteria, privacy, counts by role, "
	    "your role and pending request, welcome and intro threads.",
	    RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 40)) },
	{ "community.join", OP_MEMBER | OP_SELF | OP_WRITE, op_community_join,
	    "Join {slug, message?, as?: member|interested}: open joins now, "
	    "request asks the managers, invite is refused.", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 40),
	    ARG_STR("message", ARG_OPT, 2000), ARG_STR("as", ARG_OPT, 16)) },
	{ "community.leave", OP_MEMBER | OP_SELF | OP_WRITE, op_community_leave,
	    "Leave a community {slug}, or withdraw a pending request; the last "
	    "manager may not leave.", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 40)) },
	{ "community.requests", OP_MEMBER, op_community_requests,
	    "Pending join requests {slug, limit?, before?} (leaders and "
	    "managers).", RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 40),
	    ARG_INT("limit", ARG_OPT, 1, 200),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ "community.decide", OP_MEMBER | OP_WRITE, op_community_decide,
	    "Approve or decline a join request {request_id, approve, message?, "
	    "as?}; the member is told.", RATE_WRITE,
	    ARGS(ARG_INT("request_id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("approve", ARG_REQ), ARG_STR("message", ARG_OPT, 2000),
	    ARG_STR("as", ARG_OPT, 16)) },
	{ "community.members", OP_MEMBER, op_community_members,
	    "A community's members {slug, role?, limit?, before?}, newest "
	    "first.", RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 40),
	    ARG_INT("limit", ARG_OPT, 1, 200), ARG_STR("role", ARG_OPT, 16),
	    ARG_STR("before", ARG_OPT, 64)) },
	{ "community.update", OP_MEMBER | OP_WRITE, op_community_update,
	    "Change settings {slug, name?, purpose?, criteria?, privacy?, "
	    "visibility?, join_policy?, interested_cap? (percent), "
	    "refuse_interested_over_cap?} (managers).", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 40),
	    ARG_STR("name", ARG_OPT, 80), ARG_STR("purpose", ARG_OPT, 4000),
	    ARG_STR("criteria", ARG_OPT, 4000),
	    ARG_STR("privacy", ARG_OPT, 4000),
	    ARG_STR("visibility", ARG_OPT, 16),
	    ARG_STR("join_policy", ARG_OPT, 16),
	    ARG_BOOL("refuse_interested_over_cap", ARG_OPT),
	    ARG_INT("interested_cap", ARG_OPT, 1, 100)) },
	{ "community.set_role", OP_MEMBER | OP_WRITE, op_community_set_role,
	    "Set a member's role {slug, handle, role: manager|leader|member|"
	    "interested|none} (managers).", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 40), ARG_STR("handle", ARG_REQ, 40),
	    ARG_STR("role", ARG_REQ, 16)) },
	{ "coc.get", OP_ANY, op_coc_get,
	    "The code of conduct {text, version, updated_at, updated_by}, when "
	    "you accepted this version (accepted_at) and whether it changed "
	    "since you accepted an earlier one.",
	    RATE_READ, NO_ARGS },
	{ "member.accept_coc", OP_MEMBER | OP_SELF | OP_WRITE, op_member_accept_coc,
	    "Accept the current code of conduct; needed before writing (again "
	    "after each new version).",
	    RATE_WRITE, NO_ARGS },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
