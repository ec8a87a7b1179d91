/*
 * op-community.c: communities as members see them: the list, one
 * community's page, its settings; the platform's code of conduct and
 * accepting it; and the two pinned threads every new community starts
 * with. Joining, leaving, join requests, the member list and community
 * roles are in op-membership.c, which shares the helpers this file exports
 * (community_actor and the others, server.h). Every change writes an audit
 * row in the same transaction; access is decided in authz.c only.
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
const struct member *
community_actor(struct call *x)
{
	return x->conn->console ? NULL : &x->conn->member;
}

/* Refuse the console (and anything without a member) with a reason. */
int
community_need_member(struct call *x)
{
	if (x->conn->member.id != 0)
		return 0;
	return call_fail(x, ERR_FORBIDDEN,
	    "Only a member can do that; the console is not a member.");
}

/* A count from a statement whose first column is the answer. */
int64_t
community_step_count(sqlite3_stmt *st)
{
	int64_t n = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
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
	return community_step_count(st);
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

int
community_arg_slug(struct call *x, const char **slug)
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

	if (community_arg_slug(x, &slug) != 0 ||
	    authz_community_slug(x, slug, CA_SEE, &a) != 0 ||
	    community_detail(x, &a, &o) != 0)
		return -1;
	if (a.role != CROLE_NONE)
		visits_note(call_actor(x), a.community_id);
	x->result = json_pack("{s:o}", "community", o);
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

	if (community_arg_slug(x, &slug) != 0)
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
	if (audit_add(srv->db, community_actor(x), "community.update", 0,
	    a.slug, changed) != 0)
		return call_db_fail(x);
	if (v[4] != NULL) /* who may read it may have changed */
		outbox_access(&x->out, a.community_id, 0);
	if (authz_community(x, a.community_id, CA_SEE, &a) != 0 ||
	    community_detail(x, &a, &o) != 0)
		return -1;
	x->result = json_pack("{s:o}", "community", o);
	return 0;
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

	if (community_need_member(x) != 0)
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
