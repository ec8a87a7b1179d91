/*
 * op-health.c: health.get and health.series, the community health
 * measures (health.c; defined in docs/health.md). Who may see them is
 * decided on the loop thread: a community's leaders and managers, staff
 * and the console for any community, staff and the console for the whole
 * platform. The counting runs in the libuv thread pool on a read-only
 * connection of its own, and the reply follows with dispatch_reply_later,
 * so a platform report over a million posts never stalls the loop.
 *
 * Threads: health_work runs on a pool thread with only its struct job;
 * health_done on the loop thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define HEALTH_INFLIGHT_MAX 4 /* in the whole server */
#define SERIES_WEEKS_MAX 52

static int inflight;

struct job {
	uv_work_t req;
	struct conn *conn;
	json_int_t id;
	bool has_id;
	bool series;
	int64_t community_id;
	char slug[48], name[128];
	int64_t since, until;
	int weeks;
	bool suppress;
	int format; /* report.get: report_format(), or -1 for JSON */
	bool report;
	bool goals; /* goal.list */
	bool outreach; /* outreach.list */
	bool reads_all; /* admin or console: every community's stories */
	char *db_path;
	json_t *result;
	enum proto_err err;
	char msg[256];
};

/* hearthd -v -v: each statement's time, to see where counting goes. */
static int
trace_cb(unsigned type, void *ctx, void *p, void *x)
{
	char *sql;

	(void)ctx;
	if (type != SQLITE_TRACE_PROFILE)
		return 0;
	sql = sqlite3_expanded_sql(p);
	log_debug(0, "health: %.1f ms: %.160s",
	    (double)*(sqlite3_int64 *)x / 1e6, sql != NULL ? sql : "?");
	sqlite3_free(sql);
	return 0;
}

/* A read-only connection of the worker's own; NULL with msg set. */
static sqlite3 *
reader_open(struct job *j, char *msg, size_t len)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(j->db_path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(msg, len, "%s", db != NULL ? sqlite3_errmsg(db) :
		    "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	if (srv->cfg.verbose >= 2)
		sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, trace_cb, NULL);
	sqlite3_exec(db, "PRAGMA mmap_size = 1073741824; "
	    "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	return db;
}

/* A report's weeks and goals, on a thread of their own beside the window. */
struct side {
	struct job *j;
	json_t *weeks, *goals;
	char msg[256];
};

static void *
side_main(void *arg)
{
	struct side *sd = arg;
	sqlite3 *db = reader_open(sd->j, sd->msg, sizeof sd->msg);

	if (db == NULL)
		return NULL;
	sd->weeks = health_series(db, sd->j->community_id, sd->j->until, 12,
	    sd->msg, sizeof sd->msg);
	if (sd->weeks != NULL)
		sd->goals = health_goals(db, sd->j->community_id, sd->j->until,
		    sd->j->reads_all,
		    sd->msg, sizeof sd->msg);
	sqlite3_close(db);
	return NULL;
}

static void
health_work(uv_work_t *req)
{
	struct job *j = req->data;
	struct side sd = { .j = j };
	pthread_t th;
	bool side = false;
	sqlite3 *db;
	json_t *r;

	worker_background();
	if ((db = reader_open(j, j->msg, sizeof j->msg)) == NULL) {
		j->err = ERR_UNAVAILABLE;
		return;
	}
	/* a report: its weeks and goals counted at the same time */
	if (j->report)
		side = pthread_create(&th, NULL, side_main, &sd) == 0;
	if (j->goals)
		r = health_goals(db, j->community_id, j->until, j->reads_all,
		    j->msg,
		    sizeof j->msg);
	else if (j->outreach)
		r = health_outreach(db, j->community_id, j->until, j->msg,
		    sizeof j->msg);
	else if (j->series)
		r = health_series(db, j->community_id, j->until, j->weeks,
		    j->msg, sizeof j->msg);
	else
		r = health_compute(db, j->community_id, j->since, j->until,
		    j->suppress, j->msg, sizeof j->msg);
	if (j->report && !side)
		side_main(&sd);
	else if (side)
		pthread_join(th, NULL);
	if (r != NULL && j->report) {
		if (sd.goals == NULL) {
			snprintf(j->msg, sizeof j->msg, "%s", sd.msg);
			json_decref(r);
			r = NULL;
		} else {
			json_object_set_new(r, "weeks", sd.weeks);
			sd.weeks = NULL;
			json_object_update(r, sd.goals);
		}
	}
	json_decref(sd.weeks);
	json_decref(sd.goals);
	sqlite3_close(db);
	if (r == NULL) {
		j->err = ERR_INTERNAL;
		return;
	}
	if (j->series)
		r = json_pack("{s:o}", "weeks", r);
	json_object_set_new(r, "community", j->community_id != 0 ?
	    json_string(j->slug) : json_null());
	json_object_set_new(r, "name", json_string(j->community_id != 0 ?
	    j->name : "the whole platform"));
	if (j->report && j->format >= 0) {
		char *text = report_render(r, json_object_get(r, "weeks"),
		    j->format);

		json_decref(r);
		r = json_pack("{s:s, s:s%}", "format", j->format == 0 ? "text" :
		    j->format == 1 ? "md" : j->format == 2 ? "csv" : "html",
		    "text", text, strlen(text));
		free(text);
	} else if (j->report)
		r = json_pack("{s:s, s:o}", "format", "json", "report", r);
	j->result = r;
}

static void
health_done(uv_work_t *req, int status)
{
	struct job *j = req->data;

	inflight--;
	if (status != 0 && j->result == NULL) {
		j->err = ERR_UNAVAILABLE;
		snprintf(j->msg, sizeof j->msg, "The measures were not "
		    "counted; try again.");
	}
	if (j->result == NULL && j->err == ERR_INTERNAL)
		log_error(j->conn->id, "health: %s", j->msg);
	rate_running(j->conn, -1);
	dispatch_reply_later(j->conn, j->id, j->has_id, j->result, j->err,
	    j->err == ERR_INTERNAL ? "The measures could not be counted." :
	    j->msg);
	conn_release(j->conn);
	free(j->db_path);
	free(j);
}

/* Who may see: leaders and managers of the community, staff, console. */
static int
health_authz(struct call *x, const char *slug, struct access *a)
{
	memset(a, 0, sizeof *a);
	if (slug == NULL) {
		if (!authz_is_staff(x->conn))
			return call_fail(x, ERR_FORBIDDEN, "The platform's "
			    "health is for staff; give args.community for a "
			    "community you lead or manage.");
		return 0;
	}
	if (authz_is_staff(x->conn))
		return authz_community_slug(x, slug, CA_SEE, a);
	if (authz_community_slug(x, slug, CA_READ, a) != 0)
		return -1;
	if (a->role < CROLE_LEADER)
		return call_fail(x, ERR_FORBIDDEN, "A community's health is "
		    "for its leaders and managers.");
	return 0;
}

/* Queue the counting; the reply follows from health_done. */
static int
health_queue(struct call *x, struct job *proto, const char *slug)
{
	struct access a;
	struct job *j;
	int rc;

	if (health_authz(x, slug, &a) != 0)
		return -1;
	if (inflight >= HEALTH_INFLIGHT_MAX)
		return call_fail(x, ERR_UNAVAILABLE, "The server is busy "
		    "counting; try again in a moment.");
	j = xmalloc(sizeof *j);
	*j = *proto;
	j->req.data = j;
	j->conn = x->conn;
	j->id = x->req->id;
	j->has_id = x->req->has_id;
	j->community_id = slug != NULL ? a.community_id : 0;
	j->reads_all = x->conn->console || x->conn->member.role == ROLE_ADMIN;
	snprintf(j->slug, sizeof j->slug, "%s", a.slug);
	snprintf(j->name, sizeof j->name, "%s", a.name);
	j->db_path = xasprintf("%s/hearth.db", srv->cfg.data_dir);
	if ((rc = uv_queue_work(srv->loop, &j->req, health_work,
	    health_done)) != 0) {
		free(j->db_path);
		free(j);
		return call_fail(x, ERR_UNAVAILABLE, "health unavailable: %s",
		    uv_strerror(rc));
	}
	inflight++;
	conn_hold(x->conn);
	rate_running(x->conn, 1);
	return 1;
}

/* The window both health.get and report.get take, into j. */
static int
window_args(struct call *x, struct job *j, const char **slug)
{
	json_int_t days = health_window_days();

	if (arg_str(x->args, "community", false, 47, slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "days", false, 1, 3660, &days, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "suppress", false, &j->suppress, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (call_arg_time(x, "since", false, &j->since) != 0 ||
	    call_arg_time(x, "until", false, &j->until) != 0)
		return -1;
	if (j->until == 0)
		j->until = now_unix() + 1; /* this second too */
	if (j->since == 0)
		j->since = j->until - (int64_t)days * 86400;
	if (j->since >= j->until)
		return call_fail(x, ERR_BAD_REQUEST, "args.since must be "
		    "before args.until.");
	return 0;
}

static int
op_health_get(struct call *x)
{
	const char *slug = NULL;
	struct job j = { 0 };

	if (window_args(x, &j, &slug) != 0)
		return -1;
	return health_queue(x, &j, slug);
}

static int
op_report_get(struct call *x)
{
	const char *slug = NULL, *format = "md";
	struct job j = { .report = true, .suppress = true };

	if (arg_str(x->args, "format", false, 8, &format, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(format, "json") == 0)
		j.format = -1;
	else if ((j.format = report_format(format)) < 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.format must be "
		    "text, md, csv, html or json");
	if (window_args(x, &j, &slug) != 0)
		return -1;
	return health_queue(x, &j, slug);
}

static int
op_goal_list(struct call *x)
{
	const char *slug = NULL;
	struct job j = { .goals = true };

	if (arg_str(x->args, "community", false, 47, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	j.until = now_unix();
	return health_queue(x, &j, slug);
}

/* A community's outreach lists: its managers (and staff) only. */
static int
op_outreach_list(struct call *x)
{
	const char *slug = NULL;
	struct job j = { .outreach = true };
	struct access a;

	if (arg_str(x->args, "community", true, 47, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!authz_is_staff(x->conn) &&
	    authz_community_slug(x, slug, CA_MANAGE, &a) != 0)
		return -1;
	j.until = now_unix();
	return health_queue(x, &j, slug);
}

static int
op_health_series(struct call *x)
{
	const char *slug = NULL;
	json_int_t weeks = 12;
	struct job j = { .series = true };

	if (arg_str(x->args, "community", false, 47, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "weeks", false, 1, SERIES_WEEKS_MAX, &weeks,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (call_arg_time(x, "until", false, &j.until) != 0)
		return -1;
	if (j.until == 0)
		j.until = now_unix() + 1; /* this second too */
	j.weeks = (int)weeks;
	return health_queue(x, &j, slug);
}

const struct op op_health_table[] = {
	{ "health.get", OP_MEMBER | OP_ASYNC, op_health_get,
	    "A community's (or, for staff, the platform's) health over a "
	    "window {community?, since?, until?, days?, suppress?}: size, "
	    "make-up, participation, the pyramid, ratios, the score with its "
	    "components, and the change from the window before.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("community", ARG_OPT, 47),
	    ARG_STR("since", ARG_OPT, 40), ARG_STR("until", ARG_OPT, 40),
	    ARG_INT("days", ARG_OPT, 1, 3660),
	    ARG_BOOL("suppress", ARG_OPT)) },
	{ "health.series", OP_MEMBER | OP_ASYNC, op_health_series,
	    "Weekly figures for the last weeks {community?, weeks?, until?}: "
	    "members, posts, threads, contributors, visitors.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("community", ARG_OPT, 47),
	    ARG_STR("until", ARG_OPT, 40),
	    ARG_INT("weeks", ARG_OPT, 1, SERIES_WEEKS_MAX)) },
	{ "report.get", OP_MEMBER | OP_ASYNC, op_report_get,
	    "The state-of-the-community report {community?, since?, until?, "
	    "days?, format?, suppress?}: text, md, csv, html or json; small "
	    "groups merged unless suppress is false.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("community", ARG_OPT, 47),
	    ARG_STR("since", ARG_OPT, 40), ARG_STR("until", ARG_OPT, 40),
	    ARG_INT("days", ARG_OPT, 1, 3660), ARG_STR("format", ARG_OPT, 8),
	    ARG_BOOL("suppress", ARG_OPT)) },
	{ "goal.list", OP_MEMBER | OP_ASYNC, op_goal_list,
	    "A community's (or, for staff, the platform's) goals, each key "
	    "result measured now with its status, and the impact stories "
	    "{community?}.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("community", ARG_OPT, 47)) },
	{ "outreach.list", OP_MEMBER | OP_ASYNC, op_outreach_list,
	    "Who a community's managers should reach {community}: newcomers "
	    "with their next check-in and a suggested mentor, lurkers with "
	    "their last visit, catalysts, members who never contributed.",
	    RATE_EXPENSIVE, ARGS(ARG_STR("community", ARG_REQ, 47)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
