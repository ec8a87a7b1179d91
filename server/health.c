/*
 * health.c: the community health measures of docs/health.md, counted from
 * what Hearth records (membership_log, posts, thanks, poll votes, rooms,
 * events, expert requests, visit_log, read positions), for one community
 * or the whole platform, over a window [since, until).
 *
 * Everything here reads through the connection it is given and keeps its
 * working sets in TEMP tables, so it runs on a read-only connection in the
 * thread pool (op-health.c) and never on the loop thread. Counts only: no
 * text of any post or profile is read.
 *
 * Threads: health_compute and health_series may run on any thread, each
 * with its own connection; the settings are written at start-up only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define DAY 86400
#define ANSWER_WINDOW (48 * 3600)
#define SMALL_GROUP 5 /* make-up categories under this are merged */

/* The settings (hearthd.conf health_*), documented in docs/health.md. */
static struct {
	int window_days, newbie_days, catalyst, engaged, newcomer_days;
	int weight[HEALTH_NCOMP];
} cfg = { 90, 30, 10, 3, 90, { 20, 20, 20, 15, 10, 15 } };

static const char *const comp_names[HEALTH_NCOMP] = {
	"participation", "newcomers", "responsiveness", "leaders",
	"lurkers", "growth"
};

int
health_window_days(void)
{
	return cfg.window_days;
}

static int
set_bounded(int *out, const char *v, int lo, int hi)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

/* health_weights = participation=20,newcomers=20,... (any subset). */
static int
set_weights(const char *v)
{
	int w[HEALTH_NCOMP];
	char buf[256], *save = NULL, *tok;
	bool any = false;

	if (strlen(v) >= sizeof buf)
		return -1;
	memcpy(w, cfg.weight, sizeof w);
	snprintf(buf, sizeof buf, "%s", v);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(tok, '=');
		int i;

		if (eq == NULL)
			return -1;
		*eq = '\0';
		for (i = 0; i < HEALTH_NCOMP; i++)
			if (strcmp(tok, comp_names[i]) == 0)
				break;
		if (i == HEALTH_NCOMP || set_bounded(&w[i], eq + 1, 0, 100))
			return -1;
	}
	for (int i = 0; i < HEALTH_NCOMP; i++)
		any = any || w[i] > 0;
	if (!any)
		return -1;
	memcpy(cfg.weight, w, sizeof w);
	return 0;
}

int
health_set(const char *k, const char *v)
{
	if (strcmp(k, "window_days") == 0)
		return set_bounded(&cfg.window_days, v, 7, 730);
	if (strcmp(k, "newbie_days") == 0)
		return set_bounded(&cfg.newbie_days, v, 1, 365);
	if (strcmp(k, "catalyst") == 0)
		return set_bounded(&cfg.catalyst, v, 2, 10000);
	if (strcmp(k, "engaged") == 0)
		return set_bounded(&cfg.engaged, v, 1, 10000);
	if (strcmp(k, "weights") == 0)
		return set_weights(v);
	return -1;
}

/* ---- one query at a time ---- */

struct hq {
	sqlite3 *db;
	int64_t c; /* community id; 0: the platform */
	int64_t s, u; /* the window */
	int64_t t; /* "at" for membership */
	char err[200];
	bool failed;
};

static sqlite3_stmt *
prep(struct hq *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int i;

	if (h->failed)
		return NULL;
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(h->err, sizeof h->err, "%s", sqlite3_errmsg(h->db));
		h->failed = true;
		return NULL;
	}
	if ((i = sqlite3_bind_parameter_index(st, ":c")) > 0)
		sqlite3_bind_int64(st, i, h->c);
	if ((i = sqlite3_bind_parameter_index(st, ":s")) > 0)
		sqlite3_bind_int64(st, i, h->s);
	if ((i = sqlite3_bind_parameter_index(st, ":u")) > 0)
		sqlite3_bind_int64(st, i, h->u);
	if ((i = sqlite3_bind_parameter_index(st, ":t")) > 0)
		sqlite3_bind_int64(st, i, h->t);
	if ((i = sqlite3_bind_parameter_index(st, ":cat")) > 0)
		sqlite3_bind_int64(st, i, cfg.catalyst);
	if ((i = sqlite3_bind_parameter_index(st, ":eng")) > 0)
		sqlite3_bind_int64(st, i, cfg.engaged);
	if ((i = sqlite3_bind_parameter_index(st, ":newbie")) > 0)
		sqlite3_bind_int64(st, i, (int64_t)cfg.newbie_days * DAY);
	if ((i = sqlite3_bind_parameter_index(st, ":newcomer")) > 0)
		sqlite3_bind_int64(st, i, (int64_t)cfg.newcomer_days * DAY);
	return st;
}

static bool
step_row(struct hq *h, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return false;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return true;
	if (rc != SQLITE_DONE && !h->failed) {
		snprintf(h->err, sizeof h->err, "%s", sqlite3_errmsg(h->db));
		h->failed = true;
	}
	return false;
}

/* The first column of the only row (0 if none). */
static int64_t
q1(struct hq *h, const char *sql)
{
	sqlite3_stmt *st = prep(h, sql);
	int64_t v = 0;

	if (step_row(h, st))
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
exec(struct hq *h, const char *sql)
{
	char *msg = NULL;

	if (h->failed)
		return;
	if (sqlite3_exec(h->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(h->err, sizeof h->err, "%s", msg ? msg : "?");
		h->failed = true;
	}
	sqlite3_free(msg);
}

/* ---- the pieces of a window ---- */

/* Scope of a thread t (or poll, room, event with alias t). */
#define IN_SCOPE "(:c = 0 OR t.community_id = :c)"
/* A post that counts: by a member, not deleted or hidden. */
#define POST_COUNTS "p.author_id IS NOT NULL AND p.deleted_at IS NULL " \
	"AND p.hidden_at IS NULL"
#define IN_WINDOW(col) col " >= :s AND " col " < :u"
/*
 * A visit (visit_log keeps days, not times) counts in the window or week
 * in which its day begins: day d's start d * 86400 in [:s, :u). So today
 * counts up to now, and windows or weeks side by side never share a day.
 */
#define VISIT_DAY_IN_WINDOW "v.day >= (:s + 86399) / 86400 AND " \
	"v.day < (:u + 86399) / 86400"

/*
 * hm: who belongs at :t, with their role there and when they joined. A
 * community's from membership_log (the last change at or before :t that
 * is not a departure); the platform's from members (not removed by :t),
 * their role the highest they hold in any community.
 */
static void
members_at(struct hq *h, int64_t t)
{
	sqlite3_stmt *st;

	h->t = t;
	exec(h, "CREATE TEMP TABLE IF NOT EXISTS hm (member_id INTEGER "
	    "PRIMARY KEY, role TEXT NOT NULL, joined_at INTEGER NOT NULL); "
	    "DELETE FROM hm");
	if (h->c != 0)
		/* the last change (one max(): its row gives role and what),
		 * and the last join, each in one grouped pass */
		st = prep(h, "INSERT INTO hm SELECT x.member_id, x.role, "
		    "y.joined FROM (SELECT l.member_id, l.role, l.what, "
		    "max(l.at * 1000000000 + l.id) FROM membership_log l WHERE "
		    "l.community_id = :c AND l.at <= :t GROUP BY l.member_id) "
		    "x JOIN (SELECT member_id, max(at) AS joined FROM "
		    "membership_log WHERE community_id = :c AND what = 'joined' "
		    "AND at <= :t GROUP BY member_id) y USING (member_id) "
		    "WHERE x.what IN ('joined', 'role') AND x.role IS NOT NULL");
	else
		st = prep(h, "INSERT INTO hm SELECT m.id, coalesce((SELECT "
		    "CASE min(CASE cm.role WHEN 'manager' THEN 1 WHEN "
		    "'leader' THEN 2 WHEN 'member' THEN 3 ELSE 4 END) WHEN 1 "
		    "THEN 'manager' WHEN 2 THEN 'leader' WHEN 3 THEN 'member' "
		    "ELSE 'interested' END FROM community_members cm WHERE "
		    "cm.member_id = m.id), 'member'), m.created_at FROM "
		    "members m WHERE m.created_at <= :t AND (m.status = "
		    "'active' OR m.removed_at > :t)");
	step_row(h, st);
	sqlite3_finalize(st);
}

/* hc: each member's contributions in the window (docs/health.md). */
static void
contributions(struct hq *h)
{
	exec(h, "CREATE TEMP TABLE IF NOT EXISTS hc (member_id INTEGER "
	    "PRIMARY KEY, n INTEGER NOT NULL, threads INTEGER NOT NULL); "
	    "DELETE FROM hc");
	sqlite3_stmt *st = prep(h, "INSERT INTO hc SELECT who, sum(n), "
	    "sum(th) FROM ("
	    "SELECT author_id AS who, count(*) AS n, 0 AS th FROM hp "
	    "GROUP BY author_id "
	    "UNION ALL SELECT t.author_id, 0, count(*) FROM threads t WHERE "
	    IN_WINDOW("t.created_at") " AND t.author_id IS NOT NULL AND "
	    IN_SCOPE " GROUP BY t.author_id "
	    "UNION ALL SELECT v.member_id, count(DISTINCT v.poll_id), 0 FROM "
	    "poll_votes v JOIN polls t ON t.id = v.poll_id WHERE "
	    IN_WINDOW("v.at") " AND " IN_SCOPE " GROUP BY v.member_id "
	    "UNION ALL SELECT t.created_by, count(*), 0 FROM events t WHERE "
	    IN_WINDOW("t.created_at") " AND t.created_by IS NOT NULL AND "
	    "(:c = 0 OR t.community_id = :c) GROUP BY t.created_by"
	    ") GROUP BY who");

	step_row(h, st);
	sqlite3_finalize(st);
}

/*
 * A member's level of the pyramid (from hm, hc and hv): the bands
 * health.get counts and a survey's band audience picks from.
 */
#define LEVEL_CASE "CASE " \
	"WHEN hm.role = 'manager' THEN 'managers' " \
	"WHEN hm.role = 'leader' THEN 'leaders' " \
	"WHEN coalesce(hc.n, 0) >= :cat THEN 'catalysts' " \
	"WHEN coalesce(hc.n, 0) >= :eng THEN 'engaged' " \
	"WHEN coalesce(hc.n, 0) >= 1 THEN 'regulars' " \
	"WHEN hm.joined_at >= :u - :newbie THEN 'newbies' " \
	"WHEN hm.member_id IN (SELECT member_id FROM hv) OR EXISTS (SELECT " \
	" 1 FROM read_positions r JOIN threads t ON t.id = r.thread_id " \
	" WHERE r.member_id = hm.member_id AND " IN_WINDOW("r.at") \
	" AND " IN_SCOPE ") THEN 'lurkers' " \
	"ELSE 'inactive' END"

/* hv: who visited in the window (a probe a member, on its own index). */
static void
visitors(struct hq *h)
{
	sqlite3_stmt *st;

	exec(h, "CREATE TEMP TABLE IF NOT EXISTS hv (member_id INTEGER "
	    "PRIMARY KEY); DELETE FROM hv");
	st = prep(h, h->c != 0 ? "INSERT INTO hv SELECT member_id FROM hm "
	    "WHERE EXISTS (SELECT 1 FROM visit_log v WHERE v.member_id = "
	    "hm.member_id AND v.community_id = :c AND " VISIT_DAY_IN_WINDOW ")" :
	    "INSERT INTO hv SELECT member_id FROM hm WHERE EXISTS (SELECT 1 "
	    "FROM visit_log v INDEXED BY visit_log_day WHERE v.member_id = "
	    "hm.member_id AND " VISIT_DAY_IN_WINDOW ")");
	step_row(h, st);
	sqlite3_finalize(st);
}

static json_t *
pyramid(struct hq *h)
{
	static const char *const levels[] = { "managers", "leaders",
		"catalysts", "engaged", "regulars", "newbies", "lurkers",
		"inactive" };
	json_t *o = json_object();
	sqlite3_stmt *st;

	for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
		json_object_set_new(o, levels[i], json_integer(0));
	visitors(h);
	st = prep(h, "SELECT " LEVEL_CASE " AS level, count(*) FROM hm LEFT "
	    "JOIN hc USING (member_id) WHERE hm.role != 'interested' GROUP BY "
	    "level");
	while (step_row(h, st))
		json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
		    json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	return o;
}

/* Counts by one column of hm/members; small groups merged if asked. */
static json_t *
makeup(struct hq *h, const char *col, bool suppress)
{
	char *sql = xasprintf("SELECT CASE WHEN %s = '' THEN 'not given' "
	    "ELSE %s END AS k, count(*) FROM hm JOIN members m ON m.id = "
	    "hm.member_id GROUP BY k ORDER BY count(*) DESC, k", col, col);
	sqlite3_stmt *st = prep(h, sql);
	json_t *o = json_object();
	int64_t other = 0;

	free(sql);
	while (step_row(h, st)) {
		int64_t n = sqlite3_column_int64(st, 1);

		if (suppress && n < SMALL_GROUP)
			other += n;
		else
			json_object_set_new(o,
			    (const char *)sqlite3_column_text(st, 0),
			    json_integer(n));
	}
	sqlite3_finalize(st);
	if (other > 0)
		json_object_set_new(o, "other", json_integer(other +
		    json_integer_value(json_object_get(o, "other"))));
	return o;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of them at or below. */
static int64_t
rank_of(const int64_t *v, size_t n, double p)
{
	size_t k = (size_t)ceil(p * (double)n);

	return v[k > 0 ? k - 1 : 0];
}

/* Time to first reply, and threads unanswered after 48 hours. */
static void
responsiveness(struct hq *h, json_t *o)
{
	sqlite3_stmt *st = prep(h, "SELECT t.created_at, (SELECT "
	    "min(p.created_at) FROM posts p WHERE p.thread_id = t.id AND "
	    POST_COUNTS " AND p.author_id != t.author_id) FROM threads t "
	    "WHERE " IN_WINDOW("t.created_at") " AND t.author_id IS NOT NULL "
	    "AND " IN_SCOPE);
	int64_t *d = NULL, eligible = 0, unanswered = 0;
	size_t n = 0, cap = 0;

	while (step_row(h, st)) {
		int64_t at = sqlite3_column_int64(st, 0);
		bool replied = sqlite3_column_type(st, 1) != SQLITE_NULL;
		int64_t first = sqlite3_column_int64(st, 1);

		if (at <= h->u - ANSWER_WINDOW) {
			eligible++;
			if (!replied || first - at > ANSWER_WINDOW)
				unanswered++;
		}
		if (!replied || first >= h->u)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			d = xrealloc(d, cap * sizeof *d);
		}
		d[n++] = first - at;
	}
	sqlite3_finalize(st);
	if (n > 0) {
		qsort(d, n, sizeof *d, cmp_i64);
		json_object_set_new(o, "first_reply_median_s",
		    json_integer(rank_of(d, n, 0.5)));
		json_object_set_new(o, "first_reply_p90_s",
		    json_integer(rank_of(d, n, 0.9)));
	} else {
		json_object_set_new(o, "first_reply_median_s", json_null());
		json_object_set_new(o, "first_reply_p90_s", json_null());
	}
	json_object_set_new(o, "threads_replied", json_integer((json_int_t)n));
	json_object_set_new(o, "threads_48h_old", json_integer(eligible));
	json_object_set_new(o, "unanswered_48h", json_integer(unanswered));
	free(d);
}

/* hp: the window's counted posts, read from posts once. */
static void
window_posts(struct hq *h)
{
	sqlite3_stmt *st;

	exec(h, "CREATE TEMP TABLE IF NOT EXISTS hp (id INTEGER PRIMARY KEY, "
	    "author_id INTEGER, created_at INTEGER, reply INTEGER); "
	    "DELETE FROM hp");
	st = prep(h, h->c != 0 ? "INSERT INTO hp SELECT p.id, p.author_id, "
	    "p.created_at, p.id > (SELECT min(f.id) FROM posts f WHERE "
	    "f.thread_id = p.thread_id) FROM posts p JOIN threads t ON t.id = "
	    "p.thread_id WHERE " IN_WINDOW("p.created_at") " AND " POST_COUNTS
	    " AND t.community_id = :c" : "INSERT INTO hp SELECT p.id, "
	    "p.author_id, p.created_at, p.id > (SELECT min(f.id) FROM posts f "
	    "WHERE f.thread_id = p.thread_id) FROM posts p WHERE "
	    IN_WINDOW("p.created_at") " AND " POST_COUNTS);
	step_row(h, st);
	sqlite3_finalize(st);
}

static json_t *
participation(struct hq *h)
{
	json_t *o = json_object();
	sqlite3_stmt *st;

	window_posts(h);
#define SET(k, v) json_object_set_new(o, k, json_integer(v))
	SET("threads", q1(h, "SELECT count(*) FROM threads t WHERE "
	    IN_WINDOW("t.created_at") " AND t.author_id IS NOT NULL AND "
	    IN_SCOPE));
	SET("replies", q1(h, "SELECT count(*) FROM hp WHERE reply"));
	SET("contributors", q1(h, "SELECT count(DISTINCT author_id) FROM "
	    "hp"));
	SET("first_time_contributors", q1(h, h->c != 0 ? "SELECT count(*) "
	    "FROM (SELECT DISTINCT author_id AS a FROM hp) WHERE NOT EXISTS "
	    "(SELECT 1 FROM posts p JOIN threads t ON t.id = p.thread_id WHERE "
	    "p.author_id = a AND p.created_at < :s AND " POST_COUNTS " AND "
	    "t.community_id = :c)" : "SELECT count(*) FROM (SELECT DISTINCT "
	    "author_id AS a FROM hp) WHERE NOT EXISTS (SELECT 1 FROM posts p "
	    "WHERE p.author_id = a AND p.created_at < :s AND " POST_COUNTS
	    ")"));
	SET("newcomer_contributions", q1(h, "SELECT count(*) FROM hp JOIN hm "
	    "ON hm.member_id = hp.author_id WHERE hp.created_at < "
	    "hm.joined_at + :newcomer"));
	st = prep(h, "SELECT count(*), count(DISTINCT x.member_id), "
	    "count(DISTINCT p.author_id) FROM post_thanks x JOIN posts p ON "
	    "p.id = x.post_id JOIN threads t ON t.id = p.thread_id WHERE "
	    IN_WINDOW("x.at") " AND " IN_SCOPE);
	if (step_row(h, st)) {
		SET("thanks", sqlite3_column_int64(st, 0));
		SET("thankers", sqlite3_column_int64(st, 1));
		SET("thanked", sqlite3_column_int64(st, 2));
	}
	sqlite3_finalize(st);
	SET("poll_votes", q1(h, "SELECT count(*) FROM (SELECT DISTINCT "
	    "v.poll_id, v.member_id FROM poll_votes v JOIN polls t ON t.id = "
	    "v.poll_id WHERE " IN_WINDOW("v.at") " AND " IN_SCOPE ")"));
	st = prep(h, "SELECT count(*), count(t.event_id) FROM rooms t WHERE "
	    IN_WINDOW("t.opened_at") " AND " IN_SCOPE);
	if (step_row(h, st)) {
		SET("rooms_held", sqlite3_column_int64(st, 0));
		SET("events_held", sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	st = prep(h, "SELECT count(*), count(DISTINCT a.member_id) FROM "
	    "room_attendance a JOIN rooms t ON t.id = a.room_id WHERE "
	    IN_WINDOW("t.opened_at") " AND " IN_SCOPE);
	if (step_row(h, st)) {
		SET("attendances", sqlite3_column_int64(st, 0));
		SET("attendees", sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	{
		int64_t req = q1(h, "SELECT count(*) FROM expert_requests t "
		    "WHERE " IN_WINDOW("t.created_at") " AND " IN_SCOPE);
		int64_t ev = q1(h, "SELECT count(*) FROM events t JOIN "
		    "members m ON m.id = t.created_by WHERE "
		    IN_WINDOW("t.created_at") " AND " IN_SCOPE " AND m.role = "
		    "'member' AND NOT EXISTS (SELECT 1 FROM community_members "
		    "cm WHERE cm.community_id = t.community_id AND "
		    "cm.member_id = t.created_by AND cm.role = 'manager')");

		SET("expert_requests", req);
		SET("member_events", ev);
		SET("sessions_proposed", req + ev);
	}
#undef SET
	responsiveness(h, o);
	return o;
}

/* ---- the score ---- */

static double
clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Each component's value and 0-100 score (NAN: does not apply). */
static void
components(json_t *w, double value[HEALTH_NCOMP], double score[HEALTH_NCOMP])
{
	json_t *size = json_object_get(w, "size");
	json_t *part = json_object_get(w, "participation");
	json_t *pyr = json_object_get(w, "pyramid");
	json_t *ratio = json_object_get(w, "ratios");
	double members = (double)json_integer_value(json_object_get(size,
	    "members"));
#define GI(o, k) ((double)json_integer_value(json_object_get(o, k)))

	for (int i = 0; i < HEALTH_NCOMP; i++)
		value[i] = score[i] = NAN;
	if (members > 0) {
		value[0] = GI(w, "active_members") / members;
		score[0] = 100 * clamp01(value[0] / 0.30);
	}
	if (GI(w, "newcomers") > 0) {
		value[1] = GI(w, "newcomers_active") / GI(w, "newcomers");
		score[1] = 100 * clamp01(value[1] / 0.50);
	}
	if (GI(part, "threads_48h_old") > 0) {
		value[2] = 1 - GI(part, "unanswered_48h") /
		    GI(part, "threads_48h_old");
		score[2] = 100 * clamp01(value[2] / 0.90);
	}
	if (members > 0) {
		json_t *mpl = json_object_get(ratio, "members_per_leader");

		value[3] = json_is_number(mpl) ? json_number_value(mpl) :
		    INFINITY;
		score[3] = isinf(value[3]) ? 0 :
		    100 * clamp01((90 - value[3]) / 60);
		value[4] = (GI(pyr, "lurkers") + GI(pyr, "inactive")) /
		    members;
		score[4] = 100 * clamp01((1 - value[4]) / 0.40);
	}
	if (GI(size, "members_before") > 0) {
		value[5] = GI(size, "growth") / GI(size, "members_before");
		score[5] = 100 * clamp01(0.5 + value[5] * 5);
	}
#undef GI
}

static json_t *
num_or_null(double v)
{
	if (isnan(v))
		return json_null();
	if (isinf(v))
		return json_null();
	return json_real(round(v * 1000) / 1000);
}

static void
score(json_t *cur, json_t *prev)
{
	double v[HEALTH_NCOMP], s[HEALTH_NCOMP], pv[HEALTH_NCOMP],
	    ps[HEALTH_NCOMP];
	double sum = 0, wsum = 0, psum = 0, pwsum = 0;
	json_t *list = json_array();

	components(cur, v, s);
	components(prev, pv, ps);
	for (int i = 0; i < HEALTH_NCOMP; i++) {
		json_t *c = json_pack("{s:s, s:o, s:o, s:i, s:o}", "name",
		    comp_names[i], "value", num_or_null(v[i]), "score",
		    isnan(s[i]) ? json_null() : json_integer(lround(s[i])),
		    "weight", cfg.weight[i], "previous_score", isnan(ps[i]) ?
		    json_null() : json_integer(lround(ps[i])));

		json_object_set_new(c, "change", isnan(s[i]) || isnan(ps[i]) ?
		    json_null() : json_integer(lround(s[i]) - lround(ps[i])));
		json_array_append_new(list, c);
		if (!isnan(s[i]) && cfg.weight[i] > 0) {
			sum += s[i] * cfg.weight[i];
			wsum += cfg.weight[i];
		}
		if (!isnan(ps[i]) && cfg.weight[i] > 0) {
			psum += ps[i] * cfg.weight[i];
			pwsum += cfg.weight[i];
		}
	}
	json_object_set_new(cur, "score", json_pack("{s:o, s:o, s:o}",
	    "value", wsum > 0 ? json_integer(lround(sum / wsum)) : json_null(),
	    "previous", pwsum > 0 ? json_integer(lround(psum / pwsum)) :
	    json_null(), "components", list));
}

/* ---- a window ---- */

static json_t *
window(struct hq *h, int64_t since, int64_t until, bool suppress)
{
	json_t *w = json_object(), *size, *ratios;
	int64_t before, members, interested, leaders;
	char a[32], b[32];

	h->s = since;
	h->u = until;
	members_at(h, since);
	before = q1(h, "SELECT count(*) FROM hm WHERE role != 'interested'");
	members_at(h, until);
	members = q1(h, "SELECT count(*) FROM hm WHERE role != 'interested'");
	interested = q1(h, "SELECT count(*) FROM hm WHERE role = "
	    "'interested'");
	leaders = q1(h, "SELECT count(*) FROM hm WHERE role IN ('leader', "
	    "'manager')");
	time_iso8601(since, a);
	time_iso8601(until, b);
	json_object_set_new(w, "since", json_string(a));
	json_object_set_new(w, "until", json_string(b));
	size = json_pack("{s:I, s:I, s:I, s:I}", "members", (json_int_t)members,
	    "interested", (json_int_t)interested, "members_before",
	    (json_int_t)before, "growth", (json_int_t)(members - before));
	if (h->c != 0) {
		json_object_set_new(size, "joined", json_integer(q1(h,
		    "SELECT count(DISTINCT member_id) FROM membership_log "
		    "WHERE community_id = :c AND what = 'joined' AND "
		    IN_WINDOW("at"))));
		json_object_set_new(size, "left", json_integer(q1(h,
		    "SELECT count(DISTINCT member_id) FROM membership_log "
		    "WHERE community_id = :c AND what IN ('left', 'removed') "
		    "AND " IN_WINDOW("at"))));
	} else {
		json_object_set_new(size, "joined", json_integer(q1(h,
		    "SELECT count(*) FROM members WHERE "
		    IN_WINDOW("created_at"))));
		json_object_set_new(size, "left", json_integer(q1(h,
		    "SELECT count(*) FROM members WHERE status = 'removed' "
		    "AND " IN_WINDOW("removed_at"))));
	}
	json_object_set_new(w, "size", size);
	json_object_set_new(w, "makeup", json_pack("{s:o, s:o, s:o, s:o, "
	    "s:o}", "community_role", makeup(h, "hm.role", suppress),
	    "platform_role", makeup(h, "m.role", suppress), "region",
	    makeup(h, "m.region", suppress), "organisation", makeup(h,
	    "m.organisation", suppress), "job_role", makeup(h, "m.job_role",
	    suppress)));
	json_object_set_new(w, "participation", participation(h));
	contributions(h);
	json_object_set_new(w, "pyramid", pyramid(h));
	json_object_set_new(w, "active_members", json_integer(q1(h,
	    "SELECT count(*) FROM hm JOIN hc USING (member_id) WHERE "
	    "hm.role != 'interested' AND hc.n > 0")));
	json_object_set_new(w, "newcomers", json_integer(q1(h,
	    "SELECT count(*) FROM hm WHERE role != 'interested' AND "
	    IN_WINDOW("joined_at"))));
	json_object_set_new(w, "newcomers_active", json_integer(q1(h,
	    "SELECT count(*) FROM hm JOIN hc USING (member_id) WHERE "
	    "hm.role != 'interested' AND hc.n > 0 AND "
	    IN_WINDOW("hm.joined_at"))));
	ratios = json_object();
	json_object_set_new(ratios, "leaders", json_integer(leaders));
	json_object_set_new(ratios, "members_per_leader", leaders > 0 ?
	    json_real(round(10.0 * (double)members / (double)leaders) / 10) :
	    json_null());
	json_object_set_new(ratios, "members_per_leader_target",
	    json_integer(30));
	json_object_set_new(ratios, "interested_share", members > 0 ?
	    json_real(round(1000.0 * (double)interested / (double)members) /
	    1000) : json_null());
	json_object_set_new(ratios, "interested_share_target",
	    json_real(0.10));
	json_object_set_new(w, "ratios", ratios);
	return w;
}

/* Numbers of two windows side by side: {field: {delta, pct}}. */
static json_t *
compare(json_t *cur, json_t *prev)
{
	json_t *out = json_object();
	const char *sect[] = { "size", "participation", "pyramid" };

	for (size_t i = 0; i < sizeof sect / sizeof *sect; i++) {
		json_t *c = json_object_get(cur, sect[i]), *o = json_object();
		json_t *pv, *cv;
		const char *k;

		json_object_foreach(c, k, cv) {
			pv = json_object_get(json_object_get(prev, sect[i]), k);
			if (!json_is_integer(cv) || !json_is_integer(pv))
				continue;
			json_int_t d = json_integer_value(cv) -
			    json_integer_value(pv);
			json_object_set_new(o, k, json_pack("{s:I, s:I, s:o}",
			    "previous", json_integer_value(pv), "delta", d,
			    "pct", json_integer_value(pv) != 0 ?
			    json_real(round(1000.0 * (double)d /
			    (double)json_integer_value(pv)) / 10) :
			    json_null()));
		}
		json_object_set_new(out, sect[i], o);
	}
	return out;
}

json_t *
health_compute(sqlite3 *db, int64_t community_id, int64_t since,
    int64_t until, bool suppress, char *err, size_t errlen)
{
	struct hq h = { .db = db, .c = community_id };
	json_t *cur, *prev;

	exec(&h, "BEGIN");
	cur = window(&h, since, until, suppress);
	prev = window(&h, since - (until - since), since, suppress);
	score(cur, prev);
	json_object_set_new(cur, "compare", compare(cur, prev));
	json_decref(prev);
	json_object_set_new(cur, "value", survey_value(db, community_id,
	    until));
	json_object_set_new(cur, "settings", json_pack("{s:i, s:i, s:i, s:i}",
	    "window_days", cfg.window_days, "newbie_days", cfg.newbie_days,
	    "catalyst", cfg.catalyst, "engaged", cfg.engaged));
	exec(&h, "DROP TABLE IF EXISTS temp.hm; DROP TABLE IF EXISTS temp.hc; "
	    "DROP TABLE IF EXISTS temp.hv; DROP TABLE IF EXISTS temp.hp");
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (h.failed) {
		snprintf(err, errlen, "%s", h.err);
		json_decref(cur);
		return NULL;
	}
	return cur;
}

json_t *
health_series(sqlite3 *db, int64_t community_id, int64_t until, int weeks,
    char *err, size_t errlen)
{
	struct hq h = { .db = db, .c = community_id };
	json_t *list = json_array();
	sqlite3_stmt *st;

	exec(&h, "BEGIN");
	for (int k = weeks - 1; k >= 0 && !h.failed; k--) {
		int64_t u = until - (int64_t)k * 7 * DAY, s = u - 7 * DAY;
		char at[32];
		json_t *wk;

		h.s = s;
		h.u = u;
		h.t = u;
		time_iso8601(s, at);
		wk = json_pack("{s:s}", "week", at);
		if (h.c != 0) {
			members_at(&h, u);
			json_object_set_new(wk, "members", json_integer(q1(&h,
			    "SELECT count(*) FROM hm WHERE role != "
			    "'interested'")));
			json_object_set_new(wk, "visitors", json_integer(q1(&h,
			    "SELECT count(*) FROM hm WHERE EXISTS (SELECT 1 "
			    "FROM visit_log v WHERE v.member_id = hm.member_id "
			    "AND v.community_id = :c AND " VISIT_DAY_IN_WINDOW
			    ")")));
		} else {
			/* the platform's, counted straight from members: a
			 * member is someone not only interested anywhere */
			json_object_set_new(wk, "members", json_integer(q1(&h,
			    "SELECT count(*) FROM members m WHERE m.created_at "
			    "<= :t AND (m.status = 'active' OR m.removed_at > "
			    ":t) AND (EXISTS (SELECT 1 FROM community_members "
			    "cm WHERE cm.member_id = m.id AND cm.role != "
			    "'interested') OR NOT EXISTS (SELECT 1 FROM "
			    "community_members cm WHERE cm.member_id = m.id))")));
			json_object_set_new(wk, "visitors", json_integer(q1(&h,
			    "SELECT count(*) FROM members m WHERE EXISTS (SELECT "
			    "1 FROM visit_log v INDEXED BY visit_log_day WHERE "
			    "v.member_id = m.id AND " VISIT_DAY_IN_WINDOW ")")));
		}
		/* posts and their authors in one pass */
		st = prep(&h, h.c != 0 ? "SELECT count(*), count(DISTINCT "
		    "p.author_id) FROM posts p JOIN threads t ON t.id = "
		    "p.thread_id WHERE " IN_WINDOW("p.created_at") " AND "
		    POST_COUNTS " AND t.community_id = :c" : "SELECT count(*), "
		    "count(DISTINCT p.author_id) FROM posts p WHERE "
		    IN_WINDOW("p.created_at") " AND " POST_COUNTS);
		if (step_row(&h, st)) {
			json_object_set_new(wk, "posts", json_integer(
			    sqlite3_column_int64(st, 0)));
			json_object_set_new(wk, "contributors", json_integer(
			    sqlite3_column_int64(st, 1)));
		}
		sqlite3_finalize(st);
		json_object_set_new(wk, "threads", json_integer(q1(&h,
		    "SELECT count(*) FROM threads t WHERE "
		    IN_WINDOW("t.created_at") " AND t.author_id IS NOT NULL "
		    "AND " IN_SCOPE)));
		json_array_append_new(list, wk);
	}
	exec(&h, "DROP TABLE IF EXISTS temp.hm");
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (h.failed) {
		snprintf(err, errlen, "%s", h.err);
		json_decref(list);
		return NULL;
	}
	return list;
}


/* ---- goals: key results measured ---- */

/* A metric's value now: a count at until, or since the goal began. */
static json_int_t
metric_value(struct hq *h, const char *metric, int64_t since, int64_t until,
    json_t **cache)
{
	json_t *v;

	if (strcmp(metric, "communities") == 0)
		return q1(h, "SELECT count(*) FROM communities");
	if (strcmp(metric, "members") == 0 ||
	    strcmp(metric, "interested") == 0) {
		members_at(h, until);
		return q1(h, strcmp(metric, "members") == 0 ?
		    "SELECT count(*) FROM hm WHERE role != 'interested'" :
		    "SELECT count(*) FROM hm WHERE role = 'interested'");
	}
	/* participation since the goal's start, counted once a start */
	{
		char key[32];

		snprintf(key, sizeof key, "%lld", (long long)since);
		if ((v = json_object_get(*cache, key)) == NULL) {
			h->s = since;
			h->u = until;
			members_at(h, until);
			v = participation(h);
			json_object_set_new(*cache, key, v);
		}
	}
	if (strcmp(metric, "posts") == 0)
		return json_integer_value(json_object_get(v, "threads")) +
		    json_integer_value(json_object_get(v, "replies"));
	return json_integer_value(json_object_get(v, metric));
}

/*
 * Where a key result stands: its progress (0..1 of the way from start to
 * target), where a straight line from the goal's start to its due date
 * says it should be today, and in words: achieved, on track (at or past
 * that line), at risk (within a fifth of the way behind it), behind,
 * missed (due and not reached).
 */
static void
kr_status(json_t *kr, double start, double target, double value,
    int64_t begun, int64_t due, int64_t now)
{
	double span = target - start, done = (value - start) / span;
	double t = due > begun ? (double)(now - begun) / (double)(due - begun) :
	    1;
	double expected = start + span * (t < 0 ? 0 : t > 1 ? 1 : t);
	double behind = (expected - value) / span; /* in parts of the way */
	const char *status;

	if (done >= 1)
		status = "achieved";
	else if (now >= due)
		status = "missed";
	else if (behind <= 0)
		status = "on_track";
	else if (behind <= 0.2)
		status = "at_risk";
	else
		status = "behind";
	json_object_set_new(kr, "value", json_real(value));
	json_object_set_new(kr, "progress", json_real(round(1000 * (done < 0 ?
	    0 : done)) / 1000));
	json_object_set_new(kr, "expected", json_real(round(10 * expected) /
	    10));
	json_object_set_new(kr, "status", json_string(status));
}

json_t *
health_goals(sqlite3 *db, int64_t community_id, int64_t now, bool reads_all,
    char *err, size_t errlen)
{
	struct hq h = { .db = db, .c = community_id };
	json_t *goals = json_array(), *stories = json_array(), *cache =
	    json_object();
	sqlite3_stmt *st, *ks;
	char a[32], b[32];

	exec(&h, "BEGIN");
	st = prep(&h, "SELECT id, title, description, starts_at, ends_at FROM "
	    "goals WHERE coalesce(community_id, 0) = :c AND archived_at IS "
	    "NULL ORDER BY ends_at, id");
	while (step_row(&h, st)) {
		int64_t begun = sqlite3_column_int64(st, 3);
		json_t *g, *krs = json_array();

		time_iso8601(begun, a);
		time_iso8601(sqlite3_column_int64(st, 4), b);
		g = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "title",
		    (const char *)sqlite3_column_text(st, 1), "description",
		    (const char *)sqlite3_column_text(st, 2), "starts_at", a,
		    "ends_at", b);
		ks = prep(&h, "SELECT k.id, k.title, k.metric, k.start_value, "
		    "k.target, k.due_at, k.progress, k.note, m.handle FROM "
		    "key_results k LEFT JOIN members m ON m.id = k.owner_id "
		    "WHERE k.goal_id = :t ORDER BY k.id");
		sqlite3_bind_int64(ks, sqlite3_bind_parameter_index(ks, ":t"),
		    sqlite3_column_int64(st, 0));
		while (step_row(&h, ks)) {
			const char *metric = (const char *)sqlite3_column_text(
			    ks, 2);
			double start = sqlite3_column_double(ks, 3);
			double target = sqlite3_column_double(ks, 4);
			int64_t due = sqlite3_column_int64(ks, 5);
			double value = metric != NULL ? (double)metric_value(&h,
			    metric, begun, now, &cache) :
			    sqlite3_column_type(ks, 6) == SQLITE_NULL ? start :
			    sqlite3_column_double(ks, 6);
			json_t *kr;

			time_iso8601(due, a);
			kr = json_pack("{s:I, s:s, s:o, s:f, s:f, s:s, s:s, "
			    "s:o}", "id", (json_int_t)sqlite3_column_int64(ks,
			    0), "title", (const char *)sqlite3_column_text(ks,
			    1), "metric", metric ? json_string(metric) :
			    json_null(), "start", start, "target", target,
			    "due_at", a, "note", (const char *)
			    sqlite3_column_text(ks, 7), "owner",
			    sqlite3_column_type(ks, 8) == SQLITE_NULL ?
			    json_null() : json_string((const char *)
			    sqlite3_column_text(ks, 8)));
			kr_status(kr, start, target, value, begun, due, now);
			json_array_append_new(krs, kr);
		}
		sqlite3_finalize(ks);
		json_object_set_new(g, "key_results", krs);
		json_array_append_new(goals, g);
	}
	sqlite3_finalize(st);
	/* impact stories: the first words of each, its thread and author */
	st = prep(&h, "SELECT s.post_id, p.thread_id, t.title, "
	    "coalesce(m.display_name, ''), substr(p.body, 1, 400), s.note, "
	    "s.marked_at FROM impact_stories s JOIN posts p ON p.id = "
	    "s.post_id JOIN threads t ON t.id = p.thread_id LEFT JOIN members "
	    "m ON m.id = p.author_id WHERE (s.community_id = :c OR (:c = 0 "
	    "AND (:all OR s.community_id IN (SELECT id FROM communities "
	    "WHERE visibility != 'private')))) AND p.deleted_at IS NULL AND "
	    "p.hidden_at IS NULL ORDER BY "
	    "s.marked_at DESC LIMIT 20");
	/* the platform's: a private community's stories only for those
	 * who may read every community (admins, the console) */
	if (st != NULL)
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":all"),
		    reads_all);
	while (step_row(&h, st)) {
		time_iso8601(sqlite3_column_int64(st, 6), a);
		json_array_append_new(stories, json_pack("{s:I, s:I, s:s, s:s, "
		    "s:s, s:s, s:s}", "post_id", (json_int_t)
		    sqlite3_column_int64(st, 0), "thread_id", (json_int_t)
		    sqlite3_column_int64(st, 1), "thread", (const char *)
		    sqlite3_column_text(st, 2), "author", (const char *)
		    sqlite3_column_text(st, 3), "excerpt", (const char *)
		    sqlite3_column_text(st, 4), "note", (const char *)
		    sqlite3_column_text(st, 5), "marked_at", a));
	}
	sqlite3_finalize(st);
	exec(&h, "DROP TABLE IF EXISTS temp.hm");
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	json_decref(cache);
	if (h.failed) {
		snprintf(err, errlen, "%s", h.err);
		json_decref(goals);
		json_decref(stories);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "goals", goals, "impact_stories",
	    stories);
}


/* ---- outreach: who to check in with ---- */

static json_t *
person(sqlite3_stmt *st, int col)
{
	return json_pack("{s:s, s:s}", "handle", (const char *)
	    sqlite3_column_text(st, col), "display_name", (const char *)
	    sqlite3_column_text(st, col + 1));
}

/*
 * The managers' lists for one community (docs/health.md, "Outreach"):
 * newcomers of the last 70 days with their next check-in (1 week, 1
 * month, 2 months after joining) and a suggested mentor; lurkers and
 * catalysts exactly as the pyramid of health.get's default window counts
 * them (so the two always agree), lurkers with their last visit; members
 * and interested people with no contribution at all.
 */
json_t *
health_outreach(sqlite3 *db, int64_t community_id, int64_t now, char *err,
    size_t errlen)
{
	struct hq h = { .db = db, .c = community_id };
	json_t *newcomers = json_array(), *lurkers = json_array(),
	    *catalysts = json_array(), *never = json_array(), *o;
	sqlite3_stmt *st, *ms;
	char a[32];

	exec(&h, "BEGIN");
	/* health.get's default window: until this second, window_days */
	h.u = now + 1;
	h.s = h.u - (int64_t)cfg.window_days * DAY;
	members_at(&h, now);
	window_posts(&h);
	contributions(&h);
	visitors(&h);
	st = prep(&h, "SELECT m.handle, m.display_name, hm.joined_at, m.id, "
	    "m.region FROM hm JOIN members m ON m.id = hm.member_id WHERE "
	    "hm.role IN ('member', 'interested') AND hm.joined_at >= :u - 70 * "
	    "86400 "
	    "ORDER BY hm.joined_at");
	while (step_row(&h, st)) {
		int64_t joined = sqlite3_column_int64(st, 2), age = (now -
		    joined) / DAY, next = age < 7 ? 7 : age < 30 ? 30 : 60;
		const char *label = next == 7 ? "1 week" : next == 30 ?
		    "1 month" : "2 months";

		o = person(st, 0);
		time_iso8601(joined, a);
		json_object_set_new(o, "joined_at", json_string(a));
		time_iso8601(joined + next * DAY, a);
		json_object_set_new(o, "check_in", json_string(label));
		json_object_set_new(o, "check_in_at", json_string(a));
		/* a mentor: a member of the community happy to mentor,
		 * sharing an expertise tag (first), else the region, else
		 * any of them */
		ms = prep(&h, "SELECT m.handle, m.display_name, (SELECT "
		    "group_concat(e.tag, ', ') FROM member_expertise e JOIN "
		    "member_expertise f ON f.tag = e.tag WHERE e.member_id = "
		    "m.id AND f.member_id = :t) AS shared, m.region != '' AND "
		    "m.region = :r AS near FROM hm JOIN members m ON m.id = "
		    "hm.member_id WHERE m.mentoring = 1 AND m.id != :t AND "
		    "m.status = 'active' AND hm.role != 'interested' ORDER BY "
		    "shared IS NULL, NOT near, m.handle LIMIT 1");
		sqlite3_bind_int64(ms, sqlite3_bind_parameter_index(ms, ":t"),
		    sqlite3_column_int64(st, 3));
		sqlite3_bind_text(ms, sqlite3_bind_parameter_index(ms, ":r"),
		    (const char *)sqlite3_column_text(st, 4), -1,
		    SQLITE_TRANSIENT);
		if (step_row(&h, ms)) {
			json_t *mentor = person(ms, 0);
			char why[300];

			if (sqlite3_column_type(ms, 2) != SQLITE_NULL)
				snprintf(why, sizeof why, "mentors; shares %s",
				    (const char *)sqlite3_column_text(ms, 2));
			else if (sqlite3_column_int(ms, 3))
				snprintf(why, sizeof why, "mentors; same "
				    "region");
			else
				snprintf(why, sizeof why, "mentors; no shared "
				    "expertise or region");
			json_object_set_new(mentor, "why", json_string(why));
			json_object_set_new(o, "mentor", mentor);
		} else
			json_object_set_new(o, "mentor", json_null());
		sqlite3_finalize(ms);
		json_array_append_new(newcomers, o);
	}
	sqlite3_finalize(st);
	/* the pyramid's lurkers (LEVEL_CASE over the same window) */
	st = prep(&h, "SELECT m.handle, m.display_name, max(coalesce((SELECT "
	    "max(day) * 86400 FROM visit_log v WHERE v.member_id = m.id AND "
	    "v.community_id = :c), 0), coalesce((SELECT max(r.at) FROM "
	    "read_positions r JOIN threads t ON t.id = r.thread_id WHERE "
	    "r.member_id = m.id AND t.community_id = :c), 0)) AS seen FROM hm "
	    "JOIN members m ON m.id = hm.member_id LEFT JOIN hc USING "
	    "(member_id) WHERE hm.role != 'interested' AND " LEVEL_CASE
	    " = 'lurkers' ORDER BY seen DESC, m.handle");
	while (step_row(&h, st)) {
		o = person(st, 0);
		time_iso8601(sqlite3_column_int64(st, 2), a);
		json_object_set_new(o, "last_visit", json_string(a));
		json_array_append_new(lurkers, o);
	}
	sqlite3_finalize(st);
	st = prep(&h, "SELECT m.handle, m.display_name, hc.n FROM hm JOIN hc "
	    "USING (member_id) JOIN members m ON m.id = hm.member_id WHERE "
	    "hm.role IN ('member', 'interested') AND hc.n >= :cat ORDER BY "
	    "hc.n DESC");
	while (step_row(&h, st)) {
		o = person(st, 0);
		json_object_set_new(o, "contributions",
		    json_integer(sqlite3_column_int64(st, 2)));
		json_array_append_new(catalysts, o);
	}
	sqlite3_finalize(st);
	/* no contribution ever: no post that counts (POST_COUNTS: hidden
	 * and deleted ones do not), no poll vote, no event created */
	st = prep(&h, "SELECT m.handle, m.display_name, hm.joined_at FROM hm "
	    "JOIN members m ON m.id = hm.member_id WHERE hm.role IN "
	    "('member', 'interested') AND NOT EXISTS (SELECT 1 FROM posts p "
	    "JOIN threads t ON t.id = p.thread_id WHERE p.author_id = m.id "
	    "AND t.community_id = :c AND " POST_COUNTS ") AND NOT EXISTS "
	    "(SELECT 1 FROM poll_votes v JOIN polls t ON t.id = v.poll_id "
	    "WHERE v.member_id = m.id AND t.community_id = :c) AND NOT EXISTS "
	    "(SELECT 1 FROM events t WHERE t.created_by = m.id AND "
	    "t.community_id = :c) ORDER BY hm.joined_at, m.handle");
	while (step_row(&h, st)) {
		o = person(st, 0);
		time_iso8601(sqlite3_column_int64(st, 2), a);
		json_object_set_new(o, "joined_at", json_string(a));
		json_array_append_new(never, o);
	}
	sqlite3_finalize(st);
	exec(&h, "DROP TABLE IF EXISTS temp.hm; DROP TABLE IF EXISTS temp.hc; "
	    "DROP TABLE IF EXISTS temp.hv; DROP TABLE IF EXISTS temp.hp");
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (h.failed) {
		snprintf(err, errlen, "%s", h.err);
		json_decref(newcomers);
		json_decref(lurkers);
		json_decref(catalysts);
		json_decref(never);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:i, s:i}", "newcomers",
	    newcomers, "lurkers", lurkers, "catalysts", catalysts,
	    "never_contributed", never, "days", cfg.window_days, "catalyst",
	    cfg.catalyst);
}

/*
 * The members of one pyramid band (managers, leaders, catalysts, engaged,
 * regulars, newbies, lurkers, inactive) of a community (0: the platform)
 * over the window ending at now, as a JSON list of member ids; NULL with
 * err on failure. Runs in the caller's transaction (no BEGIN): survey.create
 * calls it on the writer for a band audience. The band names are those of
 * health.get's pyramid.
 */
json_t *
health_band_members(sqlite3 *db, int64_t community_id, int64_t now,
    const char *band, char *err, size_t errlen)
{
	struct hq h = { .db = db, .c = community_id };
	json_t *ids = json_array();
	sqlite3_stmt *st;

	h.s = now - (int64_t)cfg.window_days * DAY;
	h.u = now;
	members_at(&h, now);
	window_posts(&h);
	contributions(&h);
	visitors(&h);
	st = prep(&h, "SELECT member_id FROM (SELECT hm.member_id, "
	    LEVEL_CASE " AS level FROM hm LEFT JOIN hc USING (member_id) "
	    "WHERE hm.role != 'interested') WHERE level = :band ORDER BY "
	    "member_id");
	if (st != NULL)
		sqlite3_bind_text(st, sqlite3_bind_parameter_index(st,
		    ":band"), band, -1, SQLITE_STATIC);
	while (step_row(&h, st))
		json_array_append_new(ids,
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_finalize(st);
	sqlite3_exec(db, "DROP TABLE IF EXISTS temp.hm; DROP TABLE IF EXISTS "
	    "temp.hc; DROP TABLE IF EXISTS temp.hv; DROP TABLE IF EXISTS "
	    "temp.hp", NULL, NULL, NULL);
	if (h.failed) {
		snprintf(err, errlen, "%s", h.err);
		json_decref(ids);
		return NULL;
	}
	return ids;
}
