/*
 * survey.c: what surveys are, apart from their operations (op-survey.c):
 * the questions' shapes and the temperature check, opening a survey to its
 * audience, closing and the one reminder, the post-experience hook a room's
 * close calls, and the sweep timer (as the server) that opens pending event
 * surveys and scheduled temperature checks, reminds and closes on a date.
 * Also the value metric the health report shows (any thread: it reads only
 * through the connection it is given).
 *
 * Anonymity: nothing here writes a member id or a time next to an answer;
 * see schema/019_surveys.sql.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SWEEP_MS 30000
#define DAY 86400

static int min_responses = 5;
uint64_t survey_sweeps;

int
survey_set(const char *k, const char *v)
{
	char *end;
	long n;

	if (strcmp(k, "min_responses") != 0)
		return -1;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || n < 1 || n > 1000)
		return -1;
	min_responses = (int)n;
	return 0;
}

int
survey_min_responses(void)
{
	return min_responses;
}

/* ---- questions ---- */

static const char *const kinds[] = { "single", "multiple", "scale5",
	"scale10", "text" };

/* Only spaces (or nothing). */
static bool
blank(const char *s)
{
	return s[strspn(s, " ")] == '\0';
}

/* A one-line text of 1..max bytes at key of o into *out (NULL if absent). */
static int
line_field(json_t *o, const char *key, size_t max, bool required,
    const char **out, size_t qi, char *err, size_t len)
{
	json_t *v = json_object_get(o, key);
	char name[64];

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, len, "questions[%zu].%s is required", qi, key);
		return -1;
	}
	snprintf(name, sizeof name, "questions[%zu].%s", qi, key);
	if (!json_is_string(v) || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    blank(json_string_value(v)) ||
	    utf8_check_arg(name, json_string_value(v), UTF8_LINE, err,
	    len) != 0) {
		if (err[0] == '\0' || strstr(err, name) == NULL)
			snprintf(err, len, "%s must be a text of 1-%zu bytes on "
			    "one line", name, max);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
survey_questions_check(json_t *in, json_t **out, char *err, size_t len)
{
	json_t *q, *list = json_array(), *opts, *e, *o;
	const char *prompt, *section, *kind, *label;
	size_t i, j, k;
	bool optional;

	err[0] = '\0';
	if (!json_is_array(in) || json_array_size(in) < 1 ||
	    json_array_size(in) > SURVEY_QUESTIONS_MAX) {
		snprintf(err, len, "args.questions must be a list of 1 to %d "
		    "questions", SURVEY_QUESTIONS_MAX);
		goto bad;
	}
	json_array_foreach(in, i, q) {
		if (!json_is_object(q)) {
			snprintf(err, len, "questions[%zu] must be an object "
			    "{kind, prompt, options?, optional?, section?}", i);
			goto bad;
		}
		if (line_field(q, "kind", 16, true, &kind, i, err, len) != 0 ||
		    line_field(q, "prompt", SURVEY_PROMPT_MAX, true, &prompt,
		    i, err, len) != 0 ||
		    line_field(q, "section", SURVEY_SECTION_MAX, false,
		    &section, i, err, len) != 0)
			goto bad;
		for (k = 0; k < sizeof kinds / sizeof *kinds; k++)
			if (strcmp(kind, kinds[k]) == 0)
				break;
		if (k == sizeof kinds / sizeof *kinds) {
			snprintf(err, len, "questions[%zu].kind must be single, "
			    "multiple, scale5 (1-5), scale10 (0-10) or text",
			    i);
			goto bad;
		}
		e = json_object_get(q, "optional");
		if (e != NULL && !json_is_null(e) && !json_is_boolean(e)) {
			snprintf(err, len, "questions[%zu].optional must be "
			    "true or false", i);
			goto bad;
		}
		optional = json_is_true(e);
		o = json_pack("{s:s, s:s, s:b}", "kind", kind, "prompt",
		    prompt, "optional", optional);
		if (section != NULL)
			json_object_set_new(o, "section", json_string(section));
		json_array_append_new(list, o);
		opts = json_object_get(q, "options");
		if (k >= 2) {
			if (opts != NULL && !json_is_null(opts)) {
				snprintf(err, len, "questions[%zu] (%s) takes no "
				    "options", i, kind);
				goto bad;
			}
			continue;
		}
		if (!json_is_array(opts) || json_array_size(opts) < 2 ||
		    json_array_size(opts) > SURVEY_OPTIONS_MAX) {
			snprintf(err, len, "questions[%zu].options must be a "
			    "list of 2 to %d choices", i, SURVEY_OPTIONS_MAX);
			goto bad;
		}
		json_object_set_new(o, "options", json_array());
		json_array_foreach(opts, j, e) {
			char name[64];

			snprintf(name, sizeof name, "questions[%zu].options[%zu]",
			    i, j);
			if (!json_is_string(e) || json_string_length(e) >
			    SURVEY_OPTION_MAX || strlen(json_string_value(e)) !=
			    json_string_length(e) || blank(json_string_value(e))
			    || utf8_check_arg(name, json_string_value(e),
			    UTF8_LINE, err, len) != 0) {
				snprintf(err, len, "%s must be a choice of 1-%d "
				    "bytes on one line", name,
				    SURVEY_OPTION_MAX);
				goto bad;
			}
			label = json_string_value(e);
			for (k = 0; k < j; k++)
				if (strcmp(json_string_value(json_array_get(
				    opts, k)), label) == 0) {
					snprintf(err, len, "questions[%zu] has "
					    "the choice \"%s\" twice", i, label);
					goto bad;
				}
			json_array_append(json_object_get(o, "options"), e);
		}
	}
	*out = list;
	return 0;
bad:
	json_decref(list);
	return -1;
}

json_t *
survey_temperature_questions(void)
{
	return json_pack("[{s:s, s:s, s:s, s:b}, {s:s, s:s, s:b}, "
	    "{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:s, s:b}]",
	    "section", "How it is going", "kind", "scale5", "prompt",
	    "How useful has this community been to you lately? "
	    "(1 not at all, 5 very)", "optional", false,
	    "kind", "scale5", "prompt", "How connected do you feel to other "
	    "members? (1 not at all, 5 very)", "optional", false,
	    "kind", "scale5", "prompt", "How safe do you feel sharing here? "
	    "(1 not at all, 5 very)", "optional", false,
	    "kind", "scale10", "prompt", "How likely are you to recommend it "
	    "to a colleague? (0-10)", "optional", false,
	    "section", "Your ideas", "kind", "text", "prompt",
	    "What would help?", "optional", true);
}

/* ---- opening, reminding, closing ---- */

int
survey_open(struct call *x, int64_t id, json_t *members)
{
	sqlite3_stmt *st;
	json_t *v;
	size_t i;
	int64_t now = now_unix(), cid = 0, closes_at = 0, open_days = 14;
	char *title = NULL, when[32];
	int rc = -1;

	st = db_stmt(srv->db, "SELECT title, coalesce(community_id, 0), "
	    "coalesce(closes_at, 0), open_days FROM surveys WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		title = xstrdup(db_col_text(st, 0));
		cid = sqlite3_column_int64(st, 1);
		closes_at = sqlite3_column_int64(st, 2);
		open_days = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (title == NULL)
		return call_fail(x, ERR_NOT_FOUND, "No such survey.");
	if (closes_at <= now)
		closes_at = now + open_days * DAY;
	st = db_stmt(srv->db, "UPDATE surveys SET status = 'open', "
	    "opened_at = ?, closes_at = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, closes_at);
	sqlite3_bind_int64(st, 3, id);
	if (call_step(x, st) != 0)
		goto out;
	st = db_stmt(srv->db, "INSERT OR IGNORE INTO survey_audience "
	    "(survey_id, member_id) SELECT ?, id FROM members WHERE id = ? "
	    "AND status = 'active'");
	time_human(closes_at, when);
	json_array_foreach(members, i, v) {
		struct notify_ref ref = { .community_id = cid };

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, json_integer_value(v));
		if (call_step(x, st) != 0)
			goto out;
		if (sqlite3_changes(srv->db) == 0)
			continue;
		if (notify_add_ref(x, json_integer_value(v), "survey", &ref,
		    "A survey for you: “%s” (survey %lld), open until %s. "
		    "Find it under Surveys.", title, (long long)id, when) != 0)
			goto out;
		outbox_member_event(&x->out, json_integer_value(v),
		    "survey.opened", json_pack("{s:I, s:s}", "survey_id",
		    (json_int_t)id, "title", title));
	}
	rc = 0;
	survey_sweep_start();
out:
	free(title);
	return rc;
}

int
survey_close(struct call *x, int64_t id)
{
	sqlite3_stmt *st = db_stmt(srv->db, "UPDATE surveys SET status = "
	    "'closed', closed_at = ?, closes_at = min(coalesce(closes_at, ?), "
	    "?) WHERE id = ? AND status != 'closed'");
	int64_t now = now_unix();

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	return call_step(x, st);
}

int
survey_remind(struct call *x, int64_t id, int *n)
{
	sqlite3_stmt *st;
	json_t *ids = json_array(), *v;
	char *title = NULL, when[32];
	int64_t cid = 0, closes_at = 0;
	size_t i;
	int rc = -1;

	*n = 0;
	st = db_stmt(srv->db, "UPDATE surveys SET reminded_at = ? WHERE "
	    "id = ? AND status = 'open' AND reminded_at IS NULL");
	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_int64(st, 2, id);
	if (call_step(x, st) != 0)
		goto out;
	if (sqlite3_changes(srv->db) == 0) {
		rc = call_fail(x, ERR_CONFLICT, "This survey is not open, or "
		    "its one reminder has been sent already.");
		goto out;
	}
	st = db_stmt(srv->db, "SELECT title, coalesce(community_id, 0), "
	    "closes_at FROM surveys WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		title = xstrdup(db_col_text(st, 0));
		cid = sqlite3_column_int64(st, 1);
		closes_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	st = db_stmt(srv->db, "SELECT a.member_id FROM survey_audience a "
	    "JOIN members m ON m.id = a.member_id WHERE a.survey_id = ?1 AND "
	    "m.status = 'active' AND NOT EXISTS (SELECT 1 FROM "
	    "survey_respondents r WHERE r.survey_id = ?1 AND r.member_id = "
	    "a.member_id)");
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(ids,
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	time_human(closes_at, when);
	json_array_foreach(ids, i, v) {
		struct notify_ref ref = { .community_id = cid };

		if (notify_system(x, json_integer_value(v), "survey", &ref,
		    "Reminder: the survey “%s” (survey %lld) closes %s; you "
		    "have not answered yet.", title ? title : "",
		    (long long)id, when) != 0)
			goto out;
		(*n)++;
	}
	rc = 0;
out:
	free(title);
	json_decref(ids);
	return rc;
}

/* Who attended a room (or every room of an event), and who said they were
 * going to the event: the audience of a post-experience survey. */
static json_t *
attendees(int64_t room_id, int64_t event_id)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT member_id FROM "
	    "room_attendance WHERE room_id = ?1 UNION SELECT a.member_id FROM "
	    "room_attendance a JOIN rooms r ON r.id = a.room_id WHERE ?2 != 0 "
	    "AND r.event_id = ?2 UNION SELECT member_id FROM event_rsvps WHERE "
	    "?2 != 0 AND event_id = ?2 AND status = 'going' ORDER BY 1");
	json_t *ids = json_array();

	sqlite3_bind_int64(st, 1, room_id);
	sqlite3_bind_int64(st, 2, event_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(ids,
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	return ids;
}

int
survey_room_closed(struct call *x, int64_t room_id, int64_t event_id)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT id, coalesce(event_id, 0) "
	    "FROM surveys WHERE status = 'pending' AND (room_id = ?1 OR "
	    "(?2 != 0 AND event_id = ?2)) ORDER BY id");
	int64_t ids[32], evs[32];
	size_t n = 0;
	int rc = 0;

	sqlite3_bind_int64(st, 1, room_id);
	sqlite3_bind_int64(st, 2, event_id);
	while (n < 32 && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		evs[n++] = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* a room's survey: who came to this room; an event's: who
		 * came to any of its rooms or said they were going */
		json_t *who = attendees(room_id, evs[i]);

		rc = survey_open(x, ids[i], who);
		json_decref(who);
	}
	return rc;
}

/* ---- the sweep ---- */

/* The temperature check a schedule makes now (as the server). */
static int
schedule_run(struct call *x, int64_t sid, int64_t now)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT title, community_id, "
	    "audience, anonymous, every_days, open_days, created_by, runs "
	    "FROM survey_schedules WHERE id = ?");
	json_t *aud = NULL, *qs, *who = NULL;
	char *title = NULL, *qtext;
	int64_t cid = 0, every = 0, open_days = 14, by = 0, runs = 0, id;
	bool anon = true;
	int rc = -1;

	sqlite3_bind_int64(st, 1, sid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		title = xstrdup(db_col_text(st, 0));
		cid = sqlite3_column_int64(st, 1);
		aud = json_loads(db_col_text(st, 2), 0, NULL);
		anon = sqlite3_column_int(st, 3) != 0;
		every = sqlite3_column_int64(st, 4);
		open_days = sqlite3_column_int64(st, 5);
		by = sqlite3_column_int64(st, 6);
		runs = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (title == NULL || aud == NULL)
		goto out;
	who = survey_audience_members(x, aud);
	if (who == NULL) {
		/* its community is gone, say: skip this run, not every sweep */
		log_warn(0, "survey schedule %lld: %s; skipped", (long long)sid,
		    x->msg);
		x->msg[0] = '\0';
		st = db_stmt(srv->db, "UPDATE survey_schedules SET next_at = ? "
		    "WHERE id = ?");
		sqlite3_bind_int64(st, 1, now + (every > 0 ? every : 1) * DAY);
		sqlite3_bind_int64(st, 2, sid);
		rc = call_step(x, st);
		goto out;
	}
	qs = survey_temperature_questions();
	qtext = json_dumps(qs, JSON_COMPACT);
	json_decref(qs);
	st = db_stmt(srv->db, "INSERT INTO surveys (title, kind, community_id, "
	    "audience, anonymous, questions, status, schedule_id, open_days, "
	    "created_by, created_at) VALUES (?, 'temperature', ?, ?, ?, ?, "
	    "'pending', ?, ?, ?, ?)");
	{
		char *atext = json_dumps(aud, JSON_COMPACT);
		char *t = xasprintf("%s (%lld)", title, (long long)runs + 1);

		sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
		if (cid != 0)
			sqlite3_bind_int64(st, 2, cid);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_text(st, 3, atext, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, anon);
		sqlite3_bind_text(st, 5, qtext, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, sid);
		sqlite3_bind_int64(st, 7, open_days);
		if (by != 0)
			sqlite3_bind_int64(st, 8, by);
		else
			sqlite3_bind_null(st, 8);
		sqlite3_bind_int64(st, 9, now);
		free(atext);
		free(t);
	}
	free(qtext);
	if (call_step(x, st) != 0)
		goto out;
	id = sqlite3_last_insert_rowid(srv->db);
	if (survey_open(x, id, who) != 0)
		goto out;
	/* the next one; a schedule with no repeat is done */
	if (every > 0) {
		st = db_stmt(srv->db, "UPDATE survey_schedules SET runs = runs "
		    "+ 1, next_at = max(next_at + ?1, ?2) WHERE id = ?3");
		sqlite3_bind_int64(st, 1, every * DAY);
		sqlite3_bind_int64(st, 2, now + 1);
		sqlite3_bind_int64(st, 3, sid);
	} else {
		st = db_stmt(srv->db, "DELETE FROM survey_schedules WHERE id = ?");
		sqlite3_bind_int64(st, 1, sid);
	}
	if (call_step(x, st) != 0)
		goto out;
	log_info(0, "survey schedule %lld: opened survey %lld",
	    (long long)sid, (long long)id);
	rc = 0;
out:
	free(title);
	json_decref(aud);
	json_decref(who);
	return rc;
}

/* Ids from one query with one time parameter (at most 64). */
static size_t
due_ids(const char *sql, int64_t now, int64_t *ids, int64_t *extra)
{
	sqlite3_stmt *st = db_stmt(srv->db, sql);
	size_t n = 0;

	sqlite3_bind_int64(st, 1, now);
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		if (extra != NULL)
			extra[n] = sqlite3_column_int64(st, 1);
		n++;
	}
	sqlite3_reset(st);
	return n;
}

/*
 * As the server: open pending event surveys whose event has ended and
 * scheduled temperature checks that are due, remind once when three
 * quarters of an open survey's time has passed, and close surveys whose
 * date has come.
 */
static int
sweep_due(struct call *x, void *arg)
{
	int64_t now = now_unix(), ids[64], evs[64];
	size_t n, i;
	int rem;

	(void)arg;
	n = due_ids("SELECT id, coalesce(event_id, 0) FROM surveys WHERE "
	    "status = 'pending' AND send_at IS NOT NULL AND send_at <= ? "
	    "ORDER BY send_at LIMIT 64", now, ids, evs);
	for (i = 0; i < n; i++) {
		json_t *who = attendees(0, evs[i]);
		int rc = survey_open(x, ids[i], who);

		json_decref(who);
		if (rc != 0)
			return -1;
	}
	n = due_ids("SELECT id FROM survey_schedules WHERE next_at <= ? "
	    "ORDER BY next_at LIMIT 64", now, ids, NULL);
	for (i = 0; i < n; i++)
		if (schedule_run(x, ids[i], now) != 0)
			return -1;
	n = due_ids("SELECT id FROM surveys WHERE status = 'open' AND "
	    "reminded_at IS NULL AND closes_at > ?1 AND ?1 >= closes_at - "
	    "(closes_at - opened_at) / 4 LIMIT 64", now, ids, NULL);
	for (i = 0; i < n; i++)
		if (survey_remind(x, ids[i], &rem) != 0)
			return -1;
	n = due_ids("SELECT id FROM surveys WHERE status = 'open' AND "
	    "closes_at <= ? LIMIT 64", now, ids, NULL);
	for (i = 0; i < n; i++)
		if (survey_close(x, ids[i]) != 0)
			return -1;
	return 0;
}

static uv_timer_t sweep_timer;
static bool sweep_started;
static uint64_t sweep_last_ms;

static void
sweep(uv_timer_t *t)
{
	(void)t;
	if (srv->stopping)
		return;
	sweep_last_ms = now_ms();
	if (dispatch_server("survey sweep", sweep_due, NULL) == 0)
		survey_sweeps++;
}

void
survey_sweep_start(void)
{
	uint64_t since;

	if (srv == NULL || srv->loop == NULL || srv->stopping)
		return;
	if (!sweep_started) {
		uv_timer_init(srv->loop, &sweep_timer);
		uv_unref((uv_handle_t *)&sweep_timer);
		sweep_started = true;
	}
	if (uv_is_closing((uv_handle_t *)&sweep_timer))
		return;
	/* at most one sweep a second, however busy */
	since = now_ms() - sweep_last_ms;
	uv_timer_start(&sweep_timer, sweep, since >= 1000 ? 0 : 1000 - since,
	    SWEEP_MS);
}

/* ---- the value metric (health report) ---- */

/* The mean of one scale question over a survey's answers (-1: none). */
static double
scale_mean(sqlite3 *db, int64_t id, int q, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	double m = -1;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT avg(value), count(value) FROM "
	    "survey_answers WHERE survey_id = ? AND question = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, q);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 1) > 0) {
		m = round(sqlite3_column_double(st, 0) * 10) / 10;
		*n = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return m;
}

json_t *
survey_value(sqlite3 *db, int64_t community_id, int64_t until)
{
	static const char *const keys[] = { "useful", "connected", "safe",
		"recommend" };
	sqlite3_stmt *st = NULL;
	json_t *list = json_array(), *o;
	int64_t n, resp;
	double m;

	if (sqlite3_prepare_v2(db, "SELECT s.id, s.title, s.opened_at, "
	    "s.status, (SELECT count(*) FROM survey_respondents r WHERE "
	    "r.survey_id = s.id) FROM surveys s WHERE s.kind = 'temperature' "
	    "AND s.status != 'pending' AND s.opened_at < ?2 AND (?1 = 0 AND "
	    "s.community_id IS NULL OR s.community_id = ?1) ORDER BY "
	    "s.opened_at, s.id", -1, &st, NULL) != SQLITE_OK)
		return json_pack("{s:o, s:i}", "checks", list, "min_responses",
		    min_responses);
	sqlite3_bind_int64(st, 1, community_id);
	sqlite3_bind_int64(st, 2, until);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		resp = sqlite3_column_int64(st, 4);
		o = json_pack("{s:I, s:s, s:o, s:s, s:I}", "survey_id",
		    (json_int_t)id, "title", db_col_text(st, 1), "opened_at",
		    time_json(sqlite3_column_int64(st, 2)), "status",
		    db_col_text(st, 3), "responses", (json_int_t)resp);
		for (int q = 0; q < 4; q++) {
			m = resp >= min_responses ? scale_mean(db, id, q, &n) :
			    -1;
			json_object_set_new(o, keys[q], m >= 0 ? json_real(m) :
			    json_null());
		}
		json_array_append_new(list, o);
	}
	sqlite3_finalize(st);
	return json_pack("{s:o, s:i}", "checks", list, "min_responses",
	    min_responses);
}
