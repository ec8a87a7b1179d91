/*
 * op-goal.c: goals with key results, and impact stories (docs/health.md,
 * "Goals"). A community's goals are kept by its managers (and staff), the
 * platform's (no community) by staff; a key result's owner may enter its
 * progress. Reading them, measured against the metrics, is goal.list in
 * op-health.c (counted in the thread pool). Managers mark a post as an
 * impact story; reports quote them.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define GOAL_TITLE_MAX 160
#define GOAL_TEXT_MAX 2000
#define VALUE_MAX 100000000

/* The metrics a key result may be bound to (health.c measures them). */
static const char *const metrics[] = { "members", "interested",
	"communities", "threads", "replies", "posts", "contributors",
	"first_time_contributors", "thanks", "poll_votes", "events_held",
	"rooms_held", "attendees", "expert_requests", "sessions_proposed",
	NULL };

bool
goal_metric_known(const char *m)
{
	for (int i = 0; metrics[i] != NULL; i++)
		if (strcmp(metrics[i], m) == 0)
			return true;
	return false;
}

/* May the caller keep goals of community_id (0: the platform's)? */
static int
goal_keeper(struct call *x, int64_t community_id, struct access *a)
{
	memset(a, 0, sizeof *a);
	if (community_id == 0) {
		if (!authz_is_staff(x->conn))
			return call_fail(x, ERR_FORBIDDEN, "The platform's "
			    "goals are kept by staff.");
		return 0;
	}
	if (authz_is_staff(x->conn))
		return authz_community(x, community_id, CA_SEE, a);
	return authz_community(x, community_id, CA_MANAGE, a);
}

/* The goal's community (0: platform); -1 with not_found. */
static int
goal_load(struct call *x, int64_t id, int64_t *community, int64_t *ends)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT coalesce(community_id, "
	    "0), ends_at FROM goals WHERE id = ? AND archived_at IS NULL");
	int rc;

	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*community = sqlite3_column_int64(st, 0);
		if (ends != NULL)
			*ends = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return call_fail(x, ERR_NOT_FOUND, "No such goal.");
	/* a goal of a community the caller may not read does not exist */
	if (*community != 0 && !authz_is_staff(x->conn)) {
		struct access a;

		if (authz_community(x, *community, CA_READ, &a) != 0) {
			x->err = 0;
			return call_fail(x, ERR_NOT_FOUND, "No such goal.");
		}
	}
	return 0;
}

static int
op_goal_create(struct call *x)
{
	const char *slug = NULL, *title = NULL, *desc = "";
	int64_t starts = 0, ends = 0, community = 0;
	struct access a;
	sqlite3_stmt *st;

	if (arg_str(x->args, "community", false, 47, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", true, GOAL_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "description", false, GOAL_TEXT_MAX, &desc,
	    x->msg, sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("description", desc, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (call_arg_time(x, "starts_at", false, &starts) != 0 ||
	    call_arg_time(x, "ends_at", true, &ends) != 0)
		return -1;
	if (starts == 0)
		starts = now_unix();
	if (ends <= starts)
		return call_fail(x, ERR_BAD_REQUEST, "args.ends_at must be "
		    "after the start.");
	if (slug != NULL) {
		if (authz_community_slug(x, slug, CA_SEE, &a) != 0)
			return -1;
		community = a.community_id;
	}
	if (goal_keeper(x, community, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "INSERT INTO goals (community_id, title, "
	    "description, starts_at, ends_at, created_by, created_at) VALUES "
	    "(nullif(?, 0), ?, ?, ?, ?, nullif(?, 0), ?)");
	sqlite3_bind_int64(st, 1, community);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, desc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, starts);
	sqlite3_bind_int64(st, 5, ends);
	sqlite3_bind_int64(st, 6, call_actor(x));
	sqlite3_bind_int64(st, 7, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I}", "goal_id",
	    (json_int_t)sqlite3_last_insert_rowid(srv->db));
	return 0;
}

static int
op_goal_update(struct call *x)
{
	json_int_t id = 0;
	const char *title = NULL, *desc = NULL;
	int64_t community, starts = 0, ends = 0;
	bool archive = false;
	struct access a;
	sqlite3_stmt *st;

	if (arg_int(x->args, "goal_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", false, GOAL_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "description", false, GOAL_TEXT_MAX, &desc,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_bool(x->args, "archive", false, &archive, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("description", desc, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (call_arg_time(x, "starts_at", false, &starts) != 0 ||
	    call_arg_time(x, "ends_at", false, &ends) != 0 ||
	    goal_load(x, id, &community, NULL) != 0 ||
	    goal_keeper(x, community, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "UPDATE goals SET title = coalesce(?, title), "
	    "description = coalesce(?, description), starts_at = coalesce("
	    "nullif(?, 0), starts_at), ends_at = coalesce(nullif(?, 0), "
	    "ends_at), archived_at = CASE WHEN ? THEN ? ELSE archived_at END "
	    "WHERE id = ? AND coalesce(nullif(?, 0), starts_at) < "
	    "coalesce(nullif(?, 0), ends_at)");
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, desc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, starts);
	sqlite3_bind_int64(st, 4, ends);
	sqlite3_bind_int(st, 5, archive);
	sqlite3_bind_int64(st, 6, now_unix());
	sqlite3_bind_int64(st, 7, id);
	sqlite3_bind_int64(st, 8, starts);
	sqlite3_bind_int64(st, 9, ends);
	if (call_step(x, st) != 0)
		return -1;
	if (sqlite3_changes(srv->db) == 0)
		return call_fail(x, ERR_BAD_REQUEST, "The goal must end after "
		    "it starts.");
	x->result = json_pack("{s:I, s:b}", "goal_id", id, "archived",
	    archive);
	return 0;
}

/* args.owner: a handle, or none. */
static int
arg_owner(struct call *x, int64_t *owner)
{
	const char *h = NULL;
	struct member m = { 0 };

	*owner = 0;
	if (arg_str(x->args, "owner", false, 64, &h, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (h == NULL || *h == '\0')
		return 0;
	if (member_by_handle(srv->db, h, &m) != 1 || m.removed) {
		member_clear(&m);
		return call_fail(x, ERR_NOT_FOUND, "No member @%s.", h);
	}
	*owner = m.id;
	member_clear(&m);
	return 0;
}

static int
op_goal_kr_add(struct call *x)
{
	json_int_t goal = 0, start = 0, target = 0;
	const char *title = NULL, *metric = NULL;
	int64_t community, ends, due = 0, owner;
	struct access a;
	sqlite3_stmt *st;

	if (arg_int(x->args, "goal_id", true, 1, INT64_MAX, &goal, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", true, GOAL_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "metric", false, 32, &metric, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "start", false, 0, VALUE_MAX, &start, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "target", true, 0, VALUE_MAX, &target, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (metric != NULL && *metric == '\0')
		metric = NULL;
	if (metric != NULL && !goal_metric_known(metric))
		return call_fail(x, ERR_BAD_REQUEST, "args.metric: '%s' is not "
		    "a metric (see docs/health.md, Goals)", metric);
	if (target == start)
		return call_fail(x, ERR_BAD_REQUEST, "args.target must differ "
		    "from the start.");
	if (call_arg_time(x, "due_at", false, &due) != 0 ||
	    arg_owner(x, &owner) != 0 ||
	    goal_load(x, goal, &community, &ends) != 0 ||
	    goal_keeper(x, community, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "INSERT INTO key_results (goal_id, title, "
	    "metric, start_value, target, due_at, owner_id, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, nullif(?, 0), ?)");
	sqlite3_bind_int64(st, 1, goal);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, start);
	sqlite3_bind_int64(st, 5, target);
	sqlite3_bind_int64(st, 6, due ? due : ends);
	sqlite3_bind_int64(st, 7, owner);
	sqlite3_bind_int64(st, 8, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I}", "kr_id",
	    (json_int_t)sqlite3_last_insert_rowid(srv->db));
	return 0;
}

/* Progress and a note (the owner, or a keeper); a keeper may change all. */
static int
op_goal_kr_update(struct call *x)
{
	json_int_t id = 0, progress = -1, target = -1;
	const char *note = NULL, *title = NULL;
	int64_t goal = 0, owner_now = 0, community, owner = 0, due = 0;
	bool keeper, del = false;
	struct access a;
	sqlite3_stmt *st;
	int rc;

	if (arg_int(x->args, "kr_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "progress", false, 0, VALUE_MAX, &progress,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "target", false, 0, VALUE_MAX, &target, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "note", false, GOAL_TEXT_MAX, &note, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", false, GOAL_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "delete", false, &del, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("note", note, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT k.goal_id, coalesce(k.owner_id, 0) "
	    "FROM key_results k JOIN goals g ON g.id = k.goal_id WHERE k.id = "
	    "? AND g.archived_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		goal = sqlite3_column_int64(st, 0);
		owner_now = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return call_fail(x, ERR_NOT_FOUND, "No such key result.");
	if (call_arg_time(x, "due_at", false, &due) != 0 ||
	    arg_owner(x, &owner) != 0 ||
	    goal_load(x, goal, &community, NULL) != 0)
		return -1;
	keeper = goal_keeper(x, community, &a) == 0;
	if (!keeper) {
		bool is_owner = owner_now != 0 && owner_now == call_actor(x);

		if (!is_owner || title != NULL || target >= 0 || due != 0 ||
		    owner != 0 || del)
			return -1; /* goal_keeper's refusal stands */
		x->err = 0;
		x->msg[0] = '\0';
	}
	if (del) {
		st = db_stmt(srv->db, "DELETE FROM key_results WHERE id = ?");
		sqlite3_bind_int64(st, 1, id);
		if (call_step(x, st) != 0)
			return -1;
		x->result = json_pack("{s:I, s:b}", "kr_id", id, "deleted", 1);
		return 0;
	}
	st = db_stmt(srv->db, "UPDATE key_results SET progress = CASE WHEN "
	    "?1 >= 0 THEN ?1 ELSE progress END, note = coalesce(?2, note), "
	    "title = coalesce(?3, title), target = CASE WHEN ?4 >= 0 THEN ?4 "
	    "ELSE target END, due_at = coalesce(nullif(?5, 0), due_at), "
	    "owner_id = coalesce(nullif(?6, 0), owner_id), updated_at = ?7 "
	    "WHERE id = ?8");
	sqlite3_bind_int64(st, 1, progress);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, target);
	sqlite3_bind_int64(st, 5, due);
	sqlite3_bind_int64(st, 6, owner);
	sqlite3_bind_int64(st, 7, now_unix());
	sqlite3_bind_int64(st, 8, id);
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I}", "kr_id", id);
	return 0;
}

/* Mark (or unmark) a post as an impact story: the community's managers. */
static int
op_post_impact(struct call *x)
{
	json_int_t id = 0;
	bool on = true;
	const char *note = "";
	int64_t community = 0;
	struct access a;
	sqlite3_stmt *st;
	int rc;

	if (arg_int(x->args, "post_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "impact", false, &on, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "note", false, GOAL_TEXT_MAX, &note, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("note", note, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT t.community_id FROM posts p JOIN "
	    "threads t ON t.id = p.thread_id WHERE p.id = ? AND p.deleted_at "
	    "IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		community = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW ||
	    authz_community(x, community, CA_READ, &a) != 0) {
		x->err = 0;
		return call_fail(x, ERR_NOT_FOUND, "No such post.");
	}
	if (goal_keeper(x, community, &a) != 0)
		return -1;
	if (on) {
		st = db_stmt(srv->db, "INSERT INTO impact_stories (post_id, "
		    "community_id, marked_by, marked_at, note) VALUES (?, ?, "
		    "nullif(?, 0), ?, ?) ON CONFLICT (post_id) DO UPDATE SET "
		    "note = excluded.note");
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, community);
		sqlite3_bind_int64(st, 3, call_actor(x));
		sqlite3_bind_int64(st, 4, now_unix());
		sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	} else {
		st = db_stmt(srv->db, "DELETE FROM impact_stories WHERE "
		    "post_id = ?");
		sqlite3_bind_int64(st, 1, id);
	}
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I, s:b}", "post_id", id, "impact", on);
	return 0;
}

const struct op op_goal_table[] = {
	{ "goal.create", OP_MEMBER | OP_WRITE, op_goal_create,
	    "Keep a goal {community?, title, description?, starts_at?, "
	    "ends_at}: a community's managers, staff for the platform.",
	    RATE_WRITE, ARGS(ARG_STR("community", ARG_OPT, 47),
	    ARG_STR("title", ARG_REQ, GOAL_TITLE_MAX),
	    ARG_STR("description", ARG_OPT, GOAL_TEXT_MAX),
	    ARG_STR("starts_at", ARG_OPT, 40), ARG_STR("ends_at", ARG_REQ,
	    40)) },
	{ "goal.update", OP_MEMBER | OP_WRITE, op_goal_update,
	    "Change or archive a goal {goal_id, title?, description?, "
	    "starts_at?, ends_at?, archive?}.",
	    RATE_WRITE, ARGS(ARG_INT("goal_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, GOAL_TITLE_MAX),
	    ARG_STR("description", ARG_OPT, GOAL_TEXT_MAX),
	    ARG_STR("starts_at", ARG_OPT, 40), ARG_STR("ends_at", ARG_OPT, 40),
	    ARG_BOOL("archive", ARG_OPT)) },
	{ "goal.kr_add", OP_MEMBER | OP_WRITE, op_goal_kr_add,
	    "Add a key result {goal_id, title, metric?, start?, target, "
	    "due_at?, owner?}: bound to a metric, or manual.",
	    RATE_WRITE, ARGS(ARG_INT("goal_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("title", ARG_REQ, GOAL_TITLE_MAX),
	    ARG_STR("metric", ARG_OPT, 32),
	    ARG_INT("start", ARG_OPT, 0, VALUE_MAX),
	    ARG_INT("target", ARG_REQ, 0, VALUE_MAX),
	    ARG_STR("due_at", ARG_OPT, 40), ARG_STR("owner", ARG_OPT, 64)) },
	{ "goal.kr_update", OP_MEMBER | OP_WRITE, op_goal_kr_update,
	    "Enter progress on a key result {kr_id, progress?, note?} (its "
	    "owner or a keeper); keepers also title?, target?, due_at?, "
	    "owner?, delete?.",
	    RATE_WRITE, ARGS(ARG_INT("kr_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("progress", ARG_OPT, 0, VALUE_MAX),
	    ARG_INT("target", ARG_OPT, 0, VALUE_MAX),
	    ARG_STR("note", ARG_OPT, GOAL_TEXT_MAX),
	    ARG_STR("title", ARG_OPT, GOAL_TITLE_MAX),
	    ARG_STR("due_at", ARG_OPT, 40), ARG_STR("owner", ARG_OPT, 64),
	    ARG_BOOL("delete", ARG_OPT)) },
	{ "post.impact", OP_MEMBER | OP_WRITE, op_post_impact,
	    "Mark a post as an impact story {post_id, impact?, note?} (the "
	    "community's managers); reports quote them.",
	    RATE_WRITE, ARGS(ARG_INT("post_id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("impact", ARG_OPT),
	    ARG_STR("note", ARG_OPT, GOAL_TEXT_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
