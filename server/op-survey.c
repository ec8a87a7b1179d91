/*
 * op-survey.c: the survey operations (survey.*): making one for an
 * audience, listing, reading, answering once, results (anonymous ones only
 * from survey_min_responses answers), closing, the one reminder, the
 * export for research, and the temperature check's schedules. survey.c
 * keeps the model, the sweep and the room hook.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SURVEY_TITLE_MAX 200
#define SURVEY_INTRO_MAX 4000
#define SURVEY_TEXT_MAX 4000
#define SURVEY_LIST_MAX 200
#define SURVEY_PERSONA_MAX 80
#define SURVEY_DAYS_MAX 366

/* A survey row as the handlers use it. */
struct survey {
	int64_t id, community_id, room_id, event_id, created_by;
	char *title, *intro, *kind, *status, *slug, *cname;
	json_t *questions, *audience, *personas;
	bool anonymous;
	int64_t created_at, opened_at, closes_at, closed_at, reminded_at;
};

static void
survey_clear(struct survey *s)
{
	free(s->title);
	free(s->intro);
	free(s->kind);
	free(s->status);
	free(s->slug);
	free(s->cname);
	json_decref(s->questions);
	json_decref(s->audience);
	json_decref(s->personas);
	memset(s, 0, sizeof *s);
}

static int
survey_load(struct call *x, int64_t id, struct survey *s)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT s.id, coalesce("
	    "s.community_id, 0), coalesce(s.room_id, 0), coalesce(s.event_id, "
	    "0), coalesce(s.created_by, 0), s.title, s.intro, s.kind, "
	    "s.status, c.slug, c.name, s.questions, s.audience, s.personas, "
	    "s.anonymous, s.created_at, coalesce(s.opened_at, 0), coalesce("
	    "s.closes_at, 0), coalesce(s.closed_at, 0), coalesce("
	    "s.reminded_at, 0) FROM surveys s LEFT JOIN communities c ON "
	    "c.id = s.community_id WHERE s.id = ?");
	int rc;

	memset(s, 0, sizeof *s);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
		return call_fail(x, ERR_NOT_FOUND, "No such survey.");
	}
	s->id = sqlite3_column_int64(st, 0);
	s->community_id = sqlite3_column_int64(st, 1);
	s->room_id = sqlite3_column_int64(st, 2);
	s->event_id = sqlite3_column_int64(st, 3);
	s->created_by = sqlite3_column_int64(st, 4);
	s->title = xstrdup(db_col_text(st, 5));
	s->intro = xstrdup(db_col_text(st, 6));
	s->kind = xstrdup(db_col_text(st, 7));
	s->status = xstrdup(db_col_text(st, 8));
	s->slug = sqlite3_column_type(st, 9) == SQLITE_NULL ? NULL :
	    xstrdup(db_col_text(st, 9));
	s->cname = sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL :
	    xstrdup(db_col_text(st, 10));
	s->questions = json_loads(db_col_text(st, 11), 0, NULL);
	s->audience = json_loads(db_col_text(st, 12), 0, NULL);
	s->personas = json_loads(db_col_text(st, 13), 0, NULL);
	s->anonymous = sqlite3_column_int(st, 14) != 0;
	s->created_at = sqlite3_column_int64(st, 15);
	s->opened_at = sqlite3_column_int64(st, 16);
	s->closes_at = sqlite3_column_int64(st, 17);
	s->closed_at = sqlite3_column_int64(st, 18);
	s->reminded_at = sqlite3_column_int64(st, 19);
	sqlite3_reset(st);
	if (s->questions == NULL)
		s->questions = json_array();
	if (s->audience == NULL)
		s->audience = json_object();
	if (s->personas == NULL)
		s->personas = json_array();
	return 0;
}

/* Staff, the console, the survey's maker, or a manager of its community. */
static bool
may_manage(struct call *x, const struct survey *s)
{
	struct access a;
	struct call probe = { .conn = x->conn };
	bool ok;

	if (x->conn == NULL || authz_is_staff(x->conn) ||
	    (s->created_by != 0 && s->created_by == x->conn->member.id))
		return true;
	if (s->community_id == 0)
		return false;
	outbox_init(&probe.out);
	ok = authz_community(&probe, s->community_id, CA_MANAGE, &a) == 0;
	outbox_apply(&probe.out, false);
	return ok;
}

static bool
in_audience(int64_t sid, int64_t me)
{
	return me != 0 && db_exists(srv->db, "SELECT 1 FROM survey_audience "
	    "WHERE survey_id = ? AND member_id = ?", sid, me);
}

static bool
answered(int64_t sid, int64_t me)
{
	return me != 0 && db_exists(srv->db, "SELECT 1 FROM "
	    "survey_respondents WHERE survey_id = ? AND member_id = ?", sid,
	    me);
}

static int64_t
count_of(const char *sql, int64_t id)
{
	sqlite3_stmt *st = db_stmt(srv->db, sql);
	int64_t n = 0;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static int64_t
responses(int64_t id)
{
	return count_of("SELECT count(*) FROM survey_respondents WHERE "
	    "survey_id = ?", id);
}

/*
 * Load args.survey_id; the caller must be in its audience or manage it
 * (otherwise it does not exist for them). *manage says which.
 */
static int
survey_arg(struct call *x, struct survey *s, bool *manage)
{
	json_int_t id = 0;

	if (arg_int(x->args, "survey_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (survey_load(x, id, s) != 0)
		return -1;
	*manage = may_manage(x, s);
	if (!*manage && !in_audience(s->id, x->conn->member.id)) {
		survey_clear(s);
		return call_fail(x, ERR_NOT_FOUND, "No such survey.");
	}
	return 0;
}

static json_t *
survey_json(struct call *x, const struct survey *s, bool manage, bool full)
{
	int64_t me = x->conn != NULL ? x->conn->member.id : 0;
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:I, s:b, s:b, s:b, s:i}", "id", (json_int_t)s->id,
	    "title", s->title, "kind", s->kind, "status", s->status,
	    "anonymous", s->anonymous, "community", s->slug ?
	    json_string(s->slug) : json_null(), "community_name", s->cname ?
	    json_string(s->cname) : json_null(), "created_at",
	    time_json(s->created_at), "opened_at", time_json(s->opened_at),
	    "closes_at", time_json(s->closes_at), "closed_at",
	    time_json(s->closed_at), "responses", (json_int_t)responses(s->id),
	    "answered", answered(s->id, me), "can_answer",
	    strcmp(s->status, "open") == 0 && in_audience(s->id, me) &&
	    !answered(s->id, me), "can_manage", manage, "min_responses",
	    survey_min_responses());

	json_object_set(o, "personas", s->personas);
	if (s->room_id != 0)
		json_object_set_new(o, "room_id", json_integer(s->room_id));
	if (s->event_id != 0)
		json_object_set_new(o, "event_id", json_integer(s->event_id));
	if (full) {
		json_object_set_new(o, "intro", json_string(s->intro));
		json_object_set(o, "questions", s->questions);
		if (manage) {
			json_object_set(o, "audience", s->audience);
			json_object_set_new(o, "audience_size", json_integer(
			    count_of("SELECT count(*) FROM survey_audience "
			    "WHERE survey_id = ?", s->id)));
			json_object_set_new(o, "reminded_at",
			    time_json(s->reminded_at));
		}
	}
	return o;
}

/* ---- the audience ---- */

struct aud {
	int64_t community_id, room_id, event_id, send_at;
	bool pending; /* a post-experience survey: opens later */
	json_t *members; /* ids, when it opens now */
};

/* A member id list from one query binding one id (or none). */
static json_t *
ids_of(const char *sql, int64_t id)
{
	sqlite3_stmt *st = db_stmt(srv->db, sql);
	json_t *a = json_array();

	if (id != 0)
		sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a,
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	return a;
}

static const char *const bands[] = { "managers", "leaders", "catalysts",
	"engaged", "regulars", "newbies", "lurkers", "inactive", NULL };

/* The caller may manage the community (or is staff, or the server). */
static int
manage_community(struct call *x, const char *slug, struct access *a)
{
	if (authz_community_slug(x, slug, CA_SEE, a) != 0)
		return -1;
	if (x->conn == NULL || authz_is_staff(x->conn))
		return 0;
	return authz_community(x, a->community_id, CA_MANAGE, a);
}

static int
need_staff(struct call *x, const char *what)
{
	if (x->conn == NULL || authz_is_staff(x->conn))
		return 0;
	return call_fail(x, ERR_FORBIDDEN, "Only staff may send a survey to "
	    "%s.", what);
}

/*
 * Check an audience object and who may send to it, and resolve it:
 * {"community": SLUG} | {"communities": [SLUG...]} | {"platform": true} |
 * {"band": NAME, "community"?: SLUG} | {"room": ID} | {"event": ID}.
 * schedule: only the audiences a repeating survey may have.
 */
static int
audience_resolve(struct call *x, json_t *v, bool schedule, struct aud *out)
{
	json_t *c = json_object_get(v, "community"),
	    *cs = json_object_get(v, "communities"),
	    *pl = json_object_get(v, "platform"),
	    *band = json_object_get(v, "band"),
	    *room = json_object_get(v, "room"),
	    *ev = json_object_get(v, "event"), *e;
	struct access a;
	int64_t me = x->conn != NULL ? x->conn->member.id : 0;
	int given = (cs != NULL) + (pl != NULL) + (room != NULL) +
	    (ev != NULL) + (c != NULL && band == NULL) + (band != NULL);
	size_t i;

	memset(out, 0, sizeof *out);
	if (!json_is_object(v) || given != 1 || json_object_size(v) !=
	    (size_t)given + (band != NULL && c != NULL))
		return call_fail(x, ERR_BAD_REQUEST, "args.audience must be one "
		    "of {\"community\": SLUG}, {\"communities\": [SLUG, ...]}, "
		    "{\"platform\": true}, {\"band\": BAND, \"community\"?: "
		    "SLUG}, {\"room\": ID} or {\"event\": ID}");
	if (c != NULL && !json_is_string(c))
		return call_fail(x, ERR_BAD_REQUEST,
		    "audience.community must be a community's slug");
	if (band != NULL) {
		const char *b = json_is_string(band) ? json_string_value(band) :
		    "";
		char err[200];

		for (i = 0; bands[i] != NULL; i++)
			if (strcmp(b, bands[i]) == 0)
				break;
		if (bands[i] == NULL)
			return call_fail(x, ERR_BAD_REQUEST, "audience.band must "
			    "be one of the pyramid's bands: managers, leaders, "
			    "catalysts, engaged, regulars, newbies, lurkers, "
			    "inactive");
		if (c != NULL) {
			if (manage_community(x, json_string_value(c), &a) != 0)
				return -1;
			out->community_id = a.community_id;
		} else if (need_staff(x, "a band of the whole platform") != 0)
			return -1;
		out->members = health_band_members(srv->db, out->community_id,
		    now_unix(), b, err, sizeof err);
		if (out->members == NULL) {
			log_warn(0, "band audience: %s", err);
			return call_db_fail(x);
		}
		return 0;
	}
	if (c != NULL) {
		if (manage_community(x, json_string_value(c), &a) != 0)
			return -1;
		out->community_id = a.community_id;
		out->members = ids_of("SELECT member_id FROM community_members "
		    "WHERE community_id = ? ORDER BY member_id",
		    a.community_id);
		return 0;
	}
	if (cs != NULL) {
		if (!json_is_array(cs) || json_array_size(cs) < 1 ||
		    json_array_size(cs) > 20)
			return call_fail(x, ERR_BAD_REQUEST, "audience."
			    "communities must be a list of 1 to 20 slugs");
		out->members = json_array();
		json_array_foreach(cs, i, e) {
			json_t *m;

			if (!json_is_string(e))
				goto bad_slug;
			if (manage_community(x, json_string_value(e), &a) != 0)
				goto fail;
			if (i == 0)
				out->community_id = a.community_id;
			m = ids_of("SELECT member_id FROM community_members "
			    "WHERE community_id = ?", a.community_id);
			json_array_extend(out->members, m);
			json_decref(m);
		}
		return 0;
bad_slug:
		call_fail(x, ERR_BAD_REQUEST, "audience.communities[%zu] must "
		    "be a slug", i);
fail:
		json_decref(out->members);
		out->members = NULL;
		return -1;
	}
	if (pl != NULL) {
		if (!json_is_true(pl))
			return call_fail(x, ERR_BAD_REQUEST,
			    "audience.platform must be true");
		if (need_staff(x, "the whole platform") != 0)
			return -1;
		out->members = ids_of("SELECT id FROM members WHERE status = "
		    "'active' ORDER BY id", 0);
		return 0;
	}
	if (schedule)
		return call_fail(x, ERR_BAD_REQUEST, "A repeating survey goes "
		    "to a community, several, the platform or a band.");
	if (room != NULL) {
		struct room *r;
		struct person *p;

		if (!json_is_integer(room) || (r = room_by_id(
		    json_integer_value(room))) == NULL || r->closing)
			return call_fail(x, ERR_NOT_FOUND, "audience.room: no "
			    "such open room (a post-experience survey is made "
			    "while the room is open, and sent when it closes).");
		p = room_person_find(r, me);
		if (!(x->conn == NULL || authz_is_staff(x->conn) ||
		    (p != NULL && p->host))) {
			if (r->community_id == 0)
				return call_fail(x, ERR_FORBIDDEN, "Only the "
				    "room's hosts may attach a survey to it.");
			if (authz_community(x, r->community_id, CA_MANAGE,
			    &a) != 0)
				return call_fail(x, ERR_FORBIDDEN, "Only the "
				    "room's hosts or a manager may attach a "
				    "survey to it.");
		}
		out->community_id = r->community_id;
		out->room_id = r->id;
		out->pending = true;
		return 0;
	}
	{
		sqlite3_stmt *st;
		int64_t eid = json_is_integer(ev) ? json_integer_value(ev) : 0,
		    cid = -1, starts = 0, dur = 0, now = now_unix(), occ;
		char rec[32] = "none";

		st = db_stmt(srv->db, "SELECT coalesce(community_id, 0), "
		    "starts_at, duration, recurrence FROM events WHERE id = ? "
		    "AND cancelled_at IS NULL");
		sqlite3_bind_int64(st, 1, eid);
		if (sqlite3_step(st) == SQLITE_ROW) {
			cid = sqlite3_column_int64(st, 0);
			starts = sqlite3_column_int64(st, 1);
			dur = sqlite3_column_int64(st, 2);
			snprintf(rec, sizeof rec, "%s", db_col_text(st, 3));
		}
		sqlite3_reset(st);
		if (cid < 0)
			return call_fail(x, ERR_NOT_FOUND,
			    "audience.event: no such event.");
		if (!(x->conn == NULL || authz_is_staff(x->conn) ||
		    event_is_host(eid, me)) && (cid == 0 ||
		    authz_community(x, cid, CA_MANAGE, &a) != 0))
			return call_fail(x, ERR_FORBIDDEN, "Only the event's "
			    "hosts or a manager may attach a survey to it.");
		occ = recur_upcoming(rec, starts, dur, now);
		if (occ < 0)
			return call_fail(x, ERR_CONFLICT, "This event is over; "
			    "a post-experience survey is made before it ends.");
		out->community_id = cid;
		out->event_id = eid;
		out->send_at = occ + dur;
		out->pending = true;
		return 0;
	}
}

json_t *
survey_audience_members(struct call *x, json_t *audience)
{
	struct aud a;

	if (audience_resolve(x, audience, true, &a) != 0)
		return NULL;
	return a.members;
}

/* ---- operations ---- */

/* args.personas: up to 5 persona names (stored; see the personas ops). */
static int
personas_arg(struct call *x, char **out)
{
	json_t *v = json_object_get(x->args, "personas"), *e;
	size_t i;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		*out = xstrdup("[]");
		return 0;
	}
	json_array_foreach(v, i, e) {
		char name[32];

		snprintf(name, sizeof name, "personas[%zu]", i);
		if (utf8_check_arg(name, json_string_value(e), UTF8_NAME,
		    x->msg, sizeof x->msg) != 0)
			return call_bad(x);
	}
	*out = json_dumps(v, JSON_COMPACT);
	return 0;
}

static int
op_survey_create(struct call *x)
{
	const char *title = NULL, *intro = "", *template = NULL;
	bool anonymous = false;
	int64_t closes_at = 0, now = now_unix(), id;
	json_int_t open_days = 14;
	json_t *qs = NULL, *qin;
	struct aud a = { 0 };
	char *qtext = NULL, *atext = NULL, *ptext = NULL, err[300];
	sqlite3_stmt *st;
	int rc = -1;

	if (arg_str(x->args, "title", true, SURVEY_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "intro", false, SURVEY_INTRO_MAX, &intro, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "template", false, 32, &template, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "anonymous", false, &anonymous, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "open_days", false, 1, SURVEY_DAYS_MAX,
	    &open_days, x->msg, sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("intro", intro, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (call_arg_time(x, "closes_at", false, &closes_at) != 0)
		return -1;
	if (title[strspn(title, " ")] == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "args.title is empty");
	if (closes_at != 0 && closes_at <= now)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.closes_at is in the past");
	qin = json_object_get(x->args, "questions");
	if (template != NULL) {
		if (strcmp(template, "temperature") != 0)
			return call_fail(x, ERR_BAD_REQUEST, "args.template "
			    "must be temperature (the temperature check)");
		if (qin != NULL && !json_is_null(qin))
			return call_fail(x, ERR_BAD_REQUEST, "Give either "
			    "args.questions or args.template, not both.");
		qs = survey_temperature_questions();
	} else if (survey_questions_check(qin, &qs, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (personas_arg(x, &ptext) != 0)
		goto out;
	if (audience_resolve(x, json_object_get(x->args, "audience"), false,
	    &a) != 0)
		goto out;
	qtext = json_dumps(qs, JSON_COMPACT);
	atext = json_dumps(json_object_get(x->args, "audience"), JSON_COMPACT);
	st = db_stmt(srv->db, "INSERT INTO surveys (title, intro, kind, "
	    "community_id, audience, anonymous, questions, personas, status, "
	    "room_id, event_id, send_at, open_days, created_by, created_at, "
	    "closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, "
	    "?, ?, ?)");
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, intro, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, template ? "temperature" : "survey", -1,
	    SQLITE_STATIC);
	if (a.community_id != 0)
		sqlite3_bind_int64(st, 4, a.community_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, atext, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, anonymous);
	sqlite3_bind_text(st, 7, qtext, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ptext, -1, SQLITE_STATIC);
	if (a.room_id != 0)
		sqlite3_bind_int64(st, 9, a.room_id);
	else
		sqlite3_bind_null(st, 9);
	if (a.event_id != 0)
		sqlite3_bind_int64(st, 10, a.event_id);
	else
		sqlite3_bind_null(st, 10);
	if (a.send_at != 0)
		sqlite3_bind_int64(st, 11, a.send_at);
	else
		sqlite3_bind_null(st, 11);
	sqlite3_bind_int64(st, 12, open_days);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 13, call_actor(x));
	else
		sqlite3_bind_null(st, 13);
	sqlite3_bind_int64(st, 14, now);
	if (closes_at != 0)
		sqlite3_bind_int64(st, 15, closes_at);
	else
		sqlite3_bind_null(st, 15);
	if (call_step(x, st) != 0)
		goto out;
	id = sqlite3_last_insert_rowid(srv->db);
	if (!a.pending && survey_open(x, id, a.members) != 0)
		goto out;
	snprintf(err, sizeof err, "survey %lld: %s", (long long)id, title);
	if (audit_add(srv->db, x->conn ? &x->conn->member : NULL,
	    "survey.create", 0, NULL, err) != 0) {
		call_db_fail(x);
		goto out;
	}
	survey_sweep_start();
	x->result = json_pack("{s:I, s:s, s:I}", "survey_id", (json_int_t)id,
	    "status", a.pending ? "pending" : "open", "audience_size",
	    (json_int_t)(a.pending ? 0 : json_array_size(a.members)));
	/* anonymous, and fewer asked than results need: say so at once */
	if (anonymous && !a.pending && (json_int_t)json_array_size(a.members) <
	    survey_min_responses())
		json_object_set_new(x->result, "min_responses", json_integer(
		    survey_min_responses()));
	rc = 0;
out:
	json_decref(qs);
	json_decref(a.members);
	free(qtext);
	free(atext);
	free(ptext);
	return rc;
}

static int
op_survey_list(struct call *x)
{
	const char *slug = NULL;
	bool manage_only = false;
	json_int_t limit = 50;
	struct access a;
	struct survey s;
	sqlite3_stmt *st;
	json_t *list = json_array(), *ids = json_array(), *v;
	int64_t me = x->conn->member.id, cid = 0;
	bool staff = authz_is_staff(x->conn);
	size_t i;

	if (arg_str(x->args, "slug", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "manage", false, &manage_only, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, SURVEY_LIST_MAX, &limit,
	    x->msg, sizeof x->msg) != 0)
		goto bad;
	if (slug != NULL) {
		if (authz_community_slug(x, slug, CA_READ, &a) != 0)
			goto fail;
		cid = a.community_id;
	}
	/* mine to answer (or answered), made by me, or in communities I
	 * manage (everything for staff); newest first */
	st = db_stmt(srv->db, "SELECT s.id FROM surveys s WHERE (?1 = 0 OR "
	    "s.community_id = ?1) AND ((?4 = 0 AND EXISTS (SELECT 1 FROM "
	    "survey_audience a WHERE a.survey_id = s.id AND a.member_id = ?2)) "
	    "OR ?3 != 0 OR (?2 != 0 AND s.created_by = ?2) OR EXISTS (SELECT 1 "
	    "FROM community_members cm WHERE cm.community_id = s.community_id "
	    "AND cm.member_id = ?2 AND cm.role = 'manager')) ORDER BY "
	    "s.status = 'open' DESC, s.id DESC LIMIT ?5");
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, me);
	sqlite3_bind_int(st, 3, staff);
	sqlite3_bind_int(st, 4, manage_only);
	sqlite3_bind_int64(st, 5, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(ids,
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	json_array_foreach(ids, i, v) {
		if (survey_load(x, json_integer_value(v), &s) != 0)
			goto fail;
		json_array_append_new(list, survey_json(x, &s, may_manage(x,
		    &s), false));
		survey_clear(&s);
	}
	json_decref(ids);
	x->result = json_pack("{s:o}", "surveys", list);
	return 0;
bad:
	call_bad(x);
fail:
	json_decref(ids);
	json_decref(list);
	return -1;
}

static int
op_survey_get(struct call *x)
{
	struct survey s;
	bool manage;

	if (survey_arg(x, &s, &manage) != 0)
		return -1;
	x->result = json_pack("{s:o}", "survey", survey_json(x, &s, manage,
	    true));
	survey_clear(&s);
	return 0;
}

/* One answer object for question q, checked; -1 with the call failed. */
static int
answer_check(struct call *x, json_t *q, size_t qi, json_t *ans)
{
	const char *kind = json_string_value(json_object_get(q, "kind"));
	size_t nopt = json_array_size(json_object_get(q, "options"));
	json_t *v;

	if (strcmp(kind, "single") == 0) {
		v = json_object_get(ans, "choice");
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    (size_t)json_integer_value(v) >= nopt)
			return call_fail(x, ERR_BAD_REQUEST, "Question %zu takes "
			    "one choice: {\"question\": %zu, \"choice\": 0-%zu}",
			    qi + 1, qi, nopt - 1);
	} else if (strcmp(kind, "multiple") == 0) {
		size_t i, j;

		v = json_object_get(ans, "choices");
		if (!json_is_array(v) || json_array_size(v) < 1 ||
		    json_array_size(v) > nopt)
			goto bad_multi;
		for (i = 0; i < json_array_size(v); i++) {
			json_t *e = json_array_get(v, i);

			if (!json_is_integer(e) || json_integer_value(e) < 0 ||
			    (size_t)json_integer_value(e) >= nopt)
				goto bad_multi;
			for (j = 0; j < i; j++)
				if (json_integer_value(json_array_get(v, j)) ==
				    json_integer_value(e))
					goto bad_multi;
		}
		return 0;
bad_multi:
		return call_fail(x, ERR_BAD_REQUEST, "Question %zu takes one or "
		    "more different choices: {\"question\": %zu, \"choices\": "
		    "[0-%zu, ...]}", qi + 1, qi, nopt - 1);
	} else if (strncmp(kind, "scale", 5) == 0) {
		int lo = strcmp(kind, "scale5") == 0 ? 1 : 0,
		    hi = lo == 1 ? 5 : 10;

		v = json_object_get(ans, "value");
		if (!json_is_integer(v) || json_integer_value(v) < lo ||
		    json_integer_value(v) > hi)
			return call_fail(x, ERR_BAD_REQUEST, "Question %zu takes "
			    "a value from %d to %d: {\"question\": %zu, "
			    "\"value\": N}", qi + 1, lo, hi, qi);
	} else {
		char name[32];

		v = json_object_get(ans, "text");
		snprintf(name, sizeof name, "answers[question %zu]", qi);
		if (!json_is_string(v) || json_string_length(v) >
		    SURVEY_TEXT_MAX || strlen(json_string_value(v)) !=
		    json_string_length(v))
			return call_fail(x, ERR_BAD_REQUEST, "Question %zu takes "
			    "a text of at most %d bytes: {\"question\": %zu, "
			    "\"text\": \"...\"}", qi + 1, SURVEY_TEXT_MAX, qi);
		if (utf8_check_arg(name, json_string_value(v), UTF8_LINES,
		    x->msg, sizeof x->msg) != 0)
			return call_bad(x);
	}
	return 0;
}

/* Is an answer object empty (a skipped question)? */
static bool
answer_empty(json_t *ans)
{
	json_t *t = json_object_get(ans, "text");

	if (json_object_size(ans) <= 1)
		return true;
	return t != NULL && json_is_string(t) &&
	    json_string_value(t)[strspn(json_string_value(t), " \n\t")] ==
	    '\0';
}

static int
answer_insert(struct call *x, int64_t sid, const char *token, size_t qi,
    int64_t item, json_t *value, const char *text)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO survey_answers "
	    "(survey_id, response, question, item, value, text) VALUES "
	    "(?, ?, ?, ?, ?, ?)");

	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)qi);
	sqlite3_bind_int64(st, 4, item);
	if (value != NULL)
		sqlite3_bind_int64(st, 5, json_integer_value(value));
	else
		sqlite3_bind_null(st, 5);
	if (text != NULL)
		sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	return call_step(x, st);
}

static int
op_survey_answer(struct call *x)
{
	struct survey s;
	bool manage;
	json_t *given, *e, **by;
	int64_t me = x->conn->member.id;
	size_t i, nq;
	uint8_t raw[16];
	char token[33];
	sqlite3_stmt *st;
	int rc = -1;

	if (survey_arg(x, &s, &manage) != 0)
		return -1;
	nq = json_array_size(s.questions);
	by = xcalloc(nq + 1, sizeof *by);
	if (!in_audience(s.id, me)) {
		call_fail(x, ERR_FORBIDDEN, "This survey was not sent to you.");
		goto out;
	}
	if (strcmp(s.status, "open") != 0) {
		call_fail(x, ERR_CONFLICT, strcmp(s.status, "closed") == 0 ?
		    "This survey has closed; answers are no longer taken." :
		    "This survey has not opened yet.");
		goto out;
	}
	if (s.closes_at != 0 && s.closes_at <= now_unix()) {
		call_fail(x, ERR_CONFLICT,
		    "This survey has closed; answers are no longer taken.");
		goto out;
	}
	if (answered(s.id, me)) {
		call_fail(x, ERR_CONFLICT, "You have answered this survey "
		    "already; a survey takes one answer from each member.");
		goto out;
	}
	given = json_object_get(x->args, "answers");
	json_array_foreach(given, i, e) {
		json_t *q = json_object_get(e, "question");
		json_int_t qi;

		if (!json_is_integer(q) || json_integer_value(q) < 0 ||
		    (size_t)json_integer_value(q) >= nq) {
			call_fail(x, ERR_BAD_REQUEST, "answers[%zu].question "
			    "must be a question's number, 0 to %zu", i, nq - 1);
			goto out;
		}
		qi = json_integer_value(q);
		if (by[qi] != NULL) {
			call_fail(x, ERR_BAD_REQUEST, "Question %lld is answered "
			    "twice.", (long long)qi + 1);
			goto out;
		}
		if (answer_empty(e))
			continue;
		if (answer_check(x, json_array_get(s.questions, qi),
		    (size_t)qi, e) != 0)
			goto out;
		by[qi] = e;
	}
	for (i = 0; i < nq; i++)
		if (by[i] == NULL && !json_is_true(json_object_get(
		    json_array_get(s.questions, i), "optional"))) {
			call_fail(x, ERR_BAD_REQUEST, "Question %zu (\"%s\") "
			    "needs an answer.", i + 1, json_string_value(
			    json_object_get(json_array_get(s.questions, i),
			    "prompt")));
			goto out;
		}
	/* that I answered: no time; the token only when named */
	rand_bytes(raw, sizeof raw);
	hex_encode(raw, sizeof raw, token);
	st = db_stmt(srv->db, "INSERT INTO survey_respondents (survey_id, "
	    "member_id, response) VALUES (?, ?, ?)");
	sqlite3_bind_int64(st, 1, s.id);
	sqlite3_bind_int64(st, 2, me);
	if (s.anonymous)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
	if (call_step(x, st) != 0)
		goto out;
	for (i = 0; i < nq; i++) {
		json_t *v, *c;
		size_t j;

		if (by[i] == NULL)
			continue;
		if ((v = json_object_get(by[i], "choice")) != NULL &&
		    json_is_integer(v))
			rc = answer_insert(x, s.id, token, i,
			    json_integer_value(v), NULL, NULL);
		else if ((v = json_object_get(by[i], "choices")) != NULL &&
		    json_is_array(v)) {
			rc = 0;
			json_array_foreach(v, j, c)
				if (rc == 0)
					rc = answer_insert(x, s.id, token, i,
					    json_integer_value(c), NULL, NULL);
		} else if ((v = json_object_get(by[i], "value")) != NULL &&
		    json_is_integer(v))
			rc = answer_insert(x, s.id, token, i, 0, v, NULL);
		else
			rc = answer_insert(x, s.id, token, i, 0, NULL,
			    json_string_value(json_object_get(by[i],
			    "text")));
		if (rc != 0)
			goto out;
	}
	x->result = json_pack("{s:I, s:b, s:I}", "survey_id",
	    (json_int_t)s.id, "answered", true, "responses",
	    (json_int_t)responses(s.id));
	rc = 0;
out:
	free(by);
	survey_clear(&s);
	return rc;
}

/* Aggregates of one question. */
static json_t *
question_results(const struct survey *s, size_t qi, bool names)
{
	json_t *q = json_array_get(s->questions, qi), *o, *opts, *texts;
	const char *kind = json_string_value(json_object_get(q, "kind"));
	sqlite3_stmt *st;
	int64_t answers;

	st = db_stmt(srv->db, "SELECT count(DISTINCT response) FROM "
	    "survey_answers WHERE survey_id = ? AND question = ?");
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, (int64_t)qi);
	answers = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	o = json_pack("{s:I, s:s, s:s, s:I}", "question", (json_int_t)qi,
	    "kind", kind, "prompt", json_string_value(json_object_get(q,
	    "prompt")), "answers", (json_int_t)answers);
	if (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0 ||
	    strncmp(kind, "scale", 5) == 0) {
		bool scale = strncmp(kind, "scale", 5) == 0;
		int lo = strcmp(kind, "scale5") == 0 ? 1 : 0,
		    hi = strcmp(kind, "scale5") == 0 ? 5 : 10;
		size_t n = scale ? (size_t)(hi - lo + 1) :
		    json_array_size(json_object_get(q, "options"));
		int64_t *counts = xcalloc(n, sizeof *counts), sum = 0, tot = 0;

		st = db_stmt(srv->db, "SELECT item, value FROM survey_answers "
		    "WHERE survey_id = ? AND question = ?");
		sqlite3_bind_int64(st, 1, s->id);
		sqlite3_bind_int64(st, 2, (int64_t)qi);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t k = scale ? sqlite3_column_int64(st, 1) - lo :
			    sqlite3_column_int64(st, 0);

			if (k >= 0 && (size_t)k < n)
				counts[k]++;
			if (scale) {
				sum += sqlite3_column_int64(st, 1);
				tot++;
			}
		}
		sqlite3_reset(st);
		opts = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_pack("{s:I}", "count",
			    (json_int_t)counts[i]);

			if (scale)
				json_object_set_new(e, "value",
				    json_integer(lo + (int)i));
			else
				json_object_set(e, "label", json_array_get(
				    json_object_get(q, "options"), i));
			json_array_append_new(opts, e);
		}
		json_object_set_new(o, scale ? "distribution" : "options",
		    opts);
		if (scale)
			json_object_set_new(o, "mean", tot > 0 ? json_real(
			    round(10.0 * (double)sum / (double)tot) / 10) :
			    json_null());
		free(counts);
		return o;
	}
	/* free text: sorted by its text, never in the order it came */
	texts = json_array();
	st = db_stmt(srv->db, "SELECT a.text, m.handle FROM survey_answers a "
	    "LEFT JOIN survey_respondents r ON ?3 AND r.survey_id = a.survey_id "
	    "AND r.response = a.response LEFT JOIN members m ON m.id = "
	    "r.member_id WHERE a.survey_id = ?1 AND a.question = ?2 AND "
	    "a.text IS NOT NULL ORDER BY a.text, m.handle");
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int64(st, 2, (int64_t)qi);
	sqlite3_bind_int(st, 3, names && !s->anonymous);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *e = json_pack("{s:s}", "text", db_col_text(st, 0));

		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			json_object_set_new(e, "by",
			    json_string(db_col_text(st, 1)));
		json_array_append_new(texts, e);
	}
	sqlite3_reset(st);
	json_object_set_new(o, "texts", texts);
	return o;
}

static int
op_survey_results(struct call *x)
{
	struct survey s;
	bool manage, visible;
	int64_t n;
	json_t *qs;

	if (survey_arg(x, &s, &manage) != 0)
		return -1;
	if (!manage && strcmp(s.status, "closed") != 0) {
		call_fail(x, ERR_FORBIDDEN, "The results are shown to members "
		    "once the survey has closed.");
		survey_clear(&s);
		return -1;
	}
	n = responses(s.id);
	visible = !s.anonymous || n >= survey_min_responses();
	x->result = json_pack("{s:I, s:s, s:b, s:s, s:I, s:i, s:b}",
	    "survey_id", (json_int_t)s.id, "title", s.title, "anonymous",
	    s.anonymous, "status", s.status, "responses", (json_int_t)n,
	    "min_responses", survey_min_responses(), "visible", visible);
	json_object_set_new(x->result, "audience_size", json_integer(count_of(
	    "SELECT count(*) FROM survey_audience WHERE survey_id = ?",
	    s.id)));
	if (visible) {
		qs = json_array();
		for (size_t i = 0; i < json_array_size(s.questions); i++)
			json_array_append_new(qs, question_results(&s, i,
			    manage));
		json_object_set_new(x->result, "questions", qs);
	} else
		json_object_set_new(x->result, "why", json_sprintf("An "
		    "anonymous survey's results are shown once %d members "
		    "have answered (%lld so far).", survey_min_responses(),
		    (long long)n));
	survey_clear(&s);
	return 0;
}

/* Load args.survey_id for a manager's action (close, remind, export). */
static int
manage_arg(struct call *x, struct survey *s)
{
	bool manage;

	if (survey_arg(x, s, &manage) != 0)
		return -1;
	if (!manage) {
		survey_clear(s);
		return call_fail(x, ERR_FORBIDDEN, "Only whoever made the "
		    "survey, a manager of its community or staff may do that.");
	}
	return 0;
}

static int
op_survey_close(struct call *x)
{
	struct survey s;
	int rc = -1;

	if (manage_arg(x, &s) != 0)
		return -1;
	if (strcmp(s.status, "closed") == 0)
		call_fail(x, ERR_CONFLICT, "This survey is already closed.");
	else if (survey_close(x, s.id) == 0) {
		x->result = json_pack("{s:I, s:s, s:I}", "survey_id",
		    (json_int_t)s.id, "status", "closed", "responses",
		    (json_int_t)responses(s.id));
		rc = 0;
	}
	survey_clear(&s);
	return rc;
}

static int
op_survey_remind(struct call *x)
{
	struct survey s;
	int rc, n = 0;

	if (manage_arg(x, &s) != 0)
		return -1;
	rc = survey_remind(x, s.id, &n);
	if (rc == 0)
		x->result = json_pack("{s:I, s:i}", "survey_id",
		    (json_int_t)s.id, "reminded", n);
	survey_clear(&s);
	return rc;
}

/* One answer of a response as a CSV cell's text. */
static void
cell_text(const struct survey *s, size_t qi, sqlite3_stmt *st,
    struct buf *b)
{
	json_t *q = json_array_get(s->questions, qi);
	const char *kind = json_string_value(json_object_get(q, "kind"));

	if (buf_used(b) > 0)
		buf_puts(b, "; ");
	if (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0)
		buf_puts(b, json_string_value(json_array_get(json_object_get(q,
		    "options"), (size_t)sqlite3_column_int64(st, 1))) ?: "");
	else if (strncmp(kind, "scale", 5) == 0)
		buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, 2));
	else
		buf_puts(b, db_col_text(st, 3));
}

static int
op_survey_export(struct call *x)
{
	struct survey s;
	sqlite3_stmt *st;
	json_t *cols = json_array(), *rows = json_array(), *row = NULL;
	struct buf *cells;
	size_t nq, i;
	char last[40] = "";

	if (manage_arg(x, &s) != 0) {
		json_decref(cols);
		json_decref(rows);
		return -1;
	}
	if (s.anonymous && responses(s.id) < survey_min_responses()) {
		/* as its results: no one answer may stand out */
		json_decref(cols);
		json_decref(rows);
		survey_clear(&s);
		return call_fail(x, ERR_CONFLICT, "An anonymous survey is "
		    "exported once %d members have answered.",
		    survey_min_responses());
	}
	nq = json_array_size(s.questions);
	json_array_append_new(cols, json_string("response"));
	if (!s.anonymous)
		json_array_append_new(cols, json_string("member"));
	for (i = 0; i < nq; i++)
		json_array_append(cols, json_object_get(json_array_get(
		    s.questions, i), "prompt"));
	cells = xcalloc(nq, sizeof *cells);
	for (i = 0; i < nq; i++)
		buf_init(&cells[i]);
	/* responses in token order: random, so no order of answering */
	st = db_stmt(srv->db, "SELECT a.response, a.item, a.value, a.text, "
	    "a.question, m.handle FROM survey_answers a LEFT JOIN "
	    "survey_respondents r ON r.survey_id = a.survey_id AND r.response "
	    "= a.response LEFT JOIN members m ON m.id = r.member_id WHERE "
	    "a.survey_id = ? ORDER BY a.response, a.question, a.item");
	sqlite3_bind_int64(st, 1, s.id);
	for (;;) {
		int rc = sqlite3_step(st);
		bool end = rc != SQLITE_ROW;

		if (end || strcmp(last, db_col_text(st, 0)) != 0) {
			if (row != NULL) {
				for (i = 0; i < nq; i++) {
					json_array_append_new(row,
					    json_stringn(buf_head(&cells[i]),
					    buf_used(&cells[i])));
					buf_free(&cells[i]);
					buf_init(&cells[i]);
				}
				json_array_append_new(rows, row);
				row = NULL;
			}
			if (end)
				break;
			snprintf(last, sizeof last, "%s", db_col_text(st, 0));
			row = json_pack("[I]", (json_int_t)json_array_size(rows)
			    + 1);
			if (!s.anonymous)
				json_array_append_new(row, json_string(
				    db_col_text(st, 5)));
		}
		i = (size_t)sqlite3_column_int64(st, 4);
		if (i < nq)
			cell_text(&s, i, st, &cells[i]);
	}
	sqlite3_reset(st);
	for (i = 0; i < nq; i++)
		buf_free(&cells[i]);
	free(cells);
	x->result = json_pack("{s:I, s:s, s:b, s:o, s:o}", "survey_id",
	    (json_int_t)s.id, "title", s.title, "anonymous", s.anonymous,
	    "columns", cols, "rows", rows);
	survey_clear(&s);
	return 0;
}

static int
op_survey_schedule(struct call *x)
{
	const char *title = "Temperature check";
	json_int_t every = 90, open_days = 14, first_days = 90;
	bool anonymous = true;
	int64_t first_at = 0, now = now_unix(), id;
	struct aud a = { 0 };
	char *atext;
	sqlite3_stmt *st;

	if (arg_str(x->args, "title", false, SURVEY_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "every_days", false, 0, SURVEY_DAYS_MAX, &every,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "open_days", false, 1, SURVEY_DAYS_MAX,
	    &open_days, x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "first_in_days", false, 0, SURVEY_DAYS_MAX,
	    &first_days, x->msg, sizeof x->msg) != 0 ||
	    arg_bool(x->args, "anonymous", false, &anonymous, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (call_arg_time(x, "first_at", false, &first_at) != 0)
		return -1;
	if (first_at == 0)
		first_at = now + first_days * 86400;
	if (audience_resolve(x, json_object_get(x->args, "audience"), true,
	    &a) != 0)
		return -1;
	json_decref(a.members);
	atext = json_dumps(json_object_get(x->args, "audience"), JSON_COMPACT);
	st = db_stmt(srv->db, "INSERT INTO survey_schedules (title, "
	    "community_id, audience, anonymous, next_at, every_days, "
	    "open_days, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)");
	sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
	if (a.community_id != 0)
		sqlite3_bind_int64(st, 2, a.community_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, atext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, anonymous);
	sqlite3_bind_int64(st, 5, first_at);
	sqlite3_bind_int64(st, 6, every);
	sqlite3_bind_int64(st, 7, open_days);
	if (call_actor(x) != 0)
		sqlite3_bind_int64(st, 8, call_actor(x));
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, now);
	free(atext);
	if (call_step(x, st) != 0)
		return -1;
	id = sqlite3_last_insert_rowid(srv->db);
	survey_sweep_start();
	x->result = json_pack("{s:I, s:o, s:I}", "schedule_id", (json_int_t)id,
	    "next_at", time_json(first_at), "every_days", (json_int_t)every);
	return 0;
}

static int
op_survey_schedules(struct call *x)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT s.id, s.title, c.slug, "
	    "s.audience, s.anonymous, s.next_at, s.every_days, s.open_days, "
	    "s.runs FROM survey_schedules s LEFT JOIN communities c ON c.id = "
	    "s.community_id WHERE ?1 OR s.created_by = ?2 OR EXISTS (SELECT 1 "
	    "FROM community_members cm WHERE cm.community_id = s.community_id "
	    "AND cm.member_id = ?2 AND cm.role = 'manager') ORDER BY s.next_at");
	json_t *list = json_array();

	sqlite3_bind_int(st, 1, authz_is_staff(x->conn));
	sqlite3_bind_int64(st, 2, x->conn->member.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *aud = json_loads(db_col_text(st, 3), 0, NULL);

		json_array_append_new(list, json_pack("{s:I, s:s, s:o, s:o, "
		    "s:b, s:o, s:I, s:I, s:I}", "id", (json_int_t)
		    sqlite3_column_int64(st, 0), "title", db_col_text(st, 1),
		    "community", db_col_json_text(st, 2), "audience", aud ? aud :
		    json_object(), "anonymous", sqlite3_column_int(st, 4) != 0,
		    "next_at", time_json(sqlite3_column_int64(st, 5)),
		    "every_days", (json_int_t)sqlite3_column_int64(st, 6),
		    "open_days", (json_int_t)sqlite3_column_int64(st, 7), "runs",
		    (json_int_t)sqlite3_column_int64(st, 8)));
	}
	sqlite3_reset(st);
	x->result = json_pack("{s:o}", "schedules", list);
	return 0;
}

static int
op_survey_unschedule(struct call *x)
{
	json_int_t id = 0;
	sqlite3_stmt *st;
	int64_t cid = -1, by = 0;
	struct access a;

	if (arg_int(x->args, "schedule_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT coalesce(community_id, 0), coalesce("
	    "created_by, 0) FROM survey_schedules WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		cid = sqlite3_column_int64(st, 0);
		by = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (cid < 0)
		return call_fail(x, ERR_NOT_FOUND, "No such schedule.");
	if (!authz_is_staff(x->conn) && by != x->conn->member.id &&
	    (cid == 0 || authz_community(x, cid, CA_MANAGE, &a) != 0))
		return call_fail(x, ERR_FORBIDDEN, "Only staff, whoever made "
		    "it or a manager of its community may stop a schedule.");
	st = db_stmt(srv->db, "DELETE FROM survey_schedules WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I, s:b}", "schedule_id", id, "removed", 1);
	return 0;
}

#define SURVEY_ID ARG_INT("survey_id", ARG_REQ, 1, INT64_MAX)

const struct op op_survey_table[] = {
	{ "survey.create", OP_MEMBER | OP_WRITE, op_survey_create,
	    "Make a survey {title, audience, anonymous?, questions | template, "
	    "closes_at?, open_days?, intro?, personas?} and send it (a room's "
	    "or event's waits for its end); managers of the audience's "
	    "communities, hosts, staff.", RATE_WRITE,
	    ARGS(ARG_STR("title", ARG_REQ, SURVEY_TITLE_MAX),
	    ARG_OBJECT("audience", ARG_REQ), ARG_BOOL("anonymous", ARG_OPT),
	    ARG_OBJS("questions", ARG_OPT, 1, SURVEY_QUESTIONS_MAX),
	    ARG_STR("template", ARG_OPT, 32),
	    ARG_STR("closes_at", ARG_OPT, 64),
	    ARG_INT("open_days", ARG_OPT, 1, SURVEY_DAYS_MAX),
	    ARG_STR("intro", ARG_OPT, SURVEY_INTRO_MAX),
	    ARG_STRS("personas", ARG_OPT, 0, 5, SURVEY_PERSONA_MAX)) },
	{ "survey.list", OP_MEMBER, op_survey_list,
	    "Surveys sent to you, and those you manage, open first {slug?, "
	    "manage?, limit?}.", RATE_READ,
	    ARGS(ARG_STR("slug", ARG_OPT, 64), ARG_BOOL("manage", ARG_OPT),
	    ARG_INT("limit", ARG_OPT, 1, SURVEY_LIST_MAX)) },
	{ "survey.get", OP_MEMBER, op_survey_get,
	    "One survey with its questions {survey_id}.", RATE_READ,
	    ARGS(SURVEY_ID) },
	{ "survey.answer", OP_MEMBER | OP_SELF | OP_WRITE, op_survey_answer,
	    "Answer a survey once {survey_id, answers: [{question, choice | "
	    "choices | value | text}]}.", RATE_WRITE,
	    ARGS(SURVEY_ID, ARG_OBJS("answers", ARG_REQ, 0,
	    SURVEY_QUESTIONS_MAX * 2)) },
	{ "survey.results", OP_MEMBER, op_survey_results,
	    "A survey's results {survey_id}: counts, scale means and "
	    "distributions, free text sorted; anonymous ones from "
	    "survey_min_responses answers.", RATE_READ, ARGS(SURVEY_ID) },
	{ "survey.close", OP_MEMBER | OP_WRITE, op_survey_close,
	    "Close a survey now {survey_id}.", RATE_WRITE, ARGS(SURVEY_ID) },
	{ "survey.remind", OP_MEMBER | OP_WRITE, op_survey_remind,
	    "Remind, once, those who have not answered {survey_id}.",
	    RATE_WRITE, ARGS(SURVEY_ID) },
	{ "survey.export", OP_STAFF, op_survey_export,
	    "Every response as rows {survey_id} (no member column when "
	    "anonymous), for hearthctl survey export.", RATE_EXPENSIVE,
	    ARGS(SURVEY_ID) },
	{ "survey.schedule", OP_MEMBER | OP_WRITE, op_survey_schedule,
	    "Repeat the temperature check {audience, first_at?, "
	    "first_in_days?, every_days?, open_days?, title?, anonymous?}.",
	    RATE_WRITE, ARGS(ARG_OBJECT("audience", ARG_REQ),
	    ARG_STR("first_at", ARG_OPT, 64),
	    ARG_INT("first_in_days", ARG_OPT, 0, SURVEY_DAYS_MAX),
	    ARG_INT("every_days", ARG_OPT, 0, SURVEY_DAYS_MAX),
	    ARG_INT("open_days", ARG_OPT, 1, SURVEY_DAYS_MAX),
	    ARG_STR("title", ARG_OPT, SURVEY_TITLE_MAX),
	    ARG_BOOL("anonymous", ARG_OPT)) },
	{ "survey.schedules", OP_MEMBER, op_survey_schedules,
	    "The repeating surveys you may see.", RATE_READ, NO_ARGS },
	{ "survey.unschedule", OP_MEMBER | OP_WRITE, op_survey_unschedule,
	    "Stop a repeating survey {schedule_id}.", RATE_WRITE,
	    ARGS(ARG_INT("schedule_id", ARG_REQ, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
