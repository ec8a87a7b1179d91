/*
 * op-membership.c: membership of a community: joining (open, by request or
 * by invite), leaving, join requests and their decisions, the member list
 * and community roles, with the interested-members cap they keep; and who
 * left. A member leaving (community.leave) or removed by a manager
 * (community.set_role to none) leaves a row with the role they had, so its
 * managers and leaders can see who left (community.departures). Every
 * change writes an audit row in the same transaction; access is decided in
 * authz.c only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

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
	int rc = audit_add(srv->db, community_actor(x), action, mid, handle,
	    detail);

	free(detail);
	return rc != 0 ? call_db_fail(x) : 0;
}

static int64_t
manager_count(int64_t cid)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(*) FROM community_members WHERE community_id = ? "
	    "AND role = 'manager' AND member_id IN (SELECT id FROM members "
	    "WHERE status = 'active')");

	sqlite3_bind_int64(st, 1, cid);
	return community_step_count(st);
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
	return community_step_count(st);
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
	if (community_step_count(st) == 0)
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
	return community_step_count(st);
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

int
community_departure_add(struct call *x, int64_t cid, int64_t member_id,
    enum crole had, int64_t by)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO community_departures (community_id, member_id, role, "
	    "left_at, removed_by, removed) VALUES (?, ?, ?, ?, ?, ?)");

	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, member_id);
	sqlite3_bind_text(st, 3, had != CROLE_NONE ? crole_name(had) : "member",
	    -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix());
	if (by > 0)
		sqlite3_bind_int64(st, 5, by);
	sqlite3_bind_int(st, 6, by != 0);
	return call_step(x, st);
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

	if (community_need_member(x) != 0 || community_arg_slug(x, &slug) != 0)
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

	if (community_need_member(x) != 0 ||
	    community_arg_slug(x, &slug) != 0 ||
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

	if (community_arg_slug(x, &slug) != 0 || arg_limit(x, &limit) != 0)
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

	if (community_arg_slug(x, &slug) != 0 || arg_limit(x, &limit) != 0)
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

	if (community_arg_slug(x, &slug) != 0)
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

static int
op_community_departures(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT d.id, m.handle, m.display_name, d.role, d.left_at, "
	    "d.removed, r.handle, EXISTS (SELECT 1 FROM community_members cm "
	    "WHERE cm.community_id = d.community_id AND cm.member_id = "
	    "d.member_id) FROM community_departures d JOIN members m ON "
	    "m.id = d.member_id LEFT JOIN members r ON r.id = d.removed_by "
	    "WHERE d.community_id = ? AND d.id < ? ORDER BY d.id DESC "
	    "LIMIT ?");
	const char *slug = NULL;
	json_int_t limit = 50, before = INT64_MAX, n = 0, last = 0;
	struct access a;
	json_t *list, *o;
	int rc;

	if (arg_str(x->args, "slug", true, 40, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 200, &limit, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
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
		o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:b}", "id", last,
		    "handle", db_col_text(st, 1), "display_name",
		    db_col_text(st, 2), "role", db_col_text(st, 3), "left_at",
		    db_col_json_time(st, 4), "removed",
		    sqlite3_column_int(st, 5) != 0, "back",
		    sqlite3_column_int(st, 7) != 0);
		json_object_set_new(o, "removed_by", db_col_json_text(st, 6));
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:s, s:o, s:o}", "slug", a.slug, "departures",
	    list, "next", n == limit ? json_integer(last) : json_null());
	return 0;
}

const struct op op_membership_table[] = {
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
	{ "community.set_role", OP_MEMBER | OP_WRITE, op_community_set_role,
	    "Set a member's role {slug, handle, role: manager|leader|member|"
	    "interested|none} (managers).", RATE_WRITE,
	    ARGS(ARG_STR("slug", ARG_REQ, 40), ARG_STR("handle", ARG_REQ, 40),
	    ARG_STR("role", ARG_REQ, 16)) },
	{ "community.departures", OP_MEMBER, op_community_departures,
	    "Who left a community {slug, limit?, before?}, newest first: "
	    "handle, the role they had, when, whether a manager removed them "
	    "(and who) and whether they are back (leaders and managers).",
	    RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 40),
	    ARG_INT("limit", ARG_OPT, 1, 200),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
