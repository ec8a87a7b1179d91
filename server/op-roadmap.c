/*
 * op-roadmap.c: a community's roadmap, and the platform's (docs/tui.md,
 * "Roadmap"): the template's sections as Markdown texts, the action grid,
 * the ambitions. Managers edit (staff for the platform's); leaders
 * propose a section's text and managers accept it; members read all but
 * the sections marked managers-only. Every change is a version holding a
 * full snapshot with who and when; any two are compared as a line diff
 * of their Markdown. A community with no roadmap row reads the template;
 * the first change makes the row.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define ROADMAP_TEXT_MAX 8000
#define ROADMAP_TITLE_MAX 200
#define ROADMAP_NOTE_MAX 1000

/* A roadmap as the caller may use it. */
struct rm {
	int64_t community; /* 0: the platform's */
	int64_t id; /* 0: no row yet (the template) */
	int64_t starts_on;
	int64_t version;
	char slug[48];
	char name[128];
	bool manager; /* may edit, and sees managers-only sections */
	bool leader; /* may propose */
};
enum rm_want { RM_READ, RM_PROPOSE, RM_EDIT };

/* Open community's (0: the platform's) roadmap for want, or fail. */
static int
rm_open(struct call *x, int64_t community, enum rm_want want, struct rm *r)
{
	struct access a;
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof *r);
	r->community = community;
	if (community == 0) {
		r->manager = r->leader = authz_is_staff(x->conn);
		snprintf(r->name, sizeof r->name, "the platform");
		if (want != RM_READ && !r->manager)
			return call_fail(x, ERR_FORBIDDEN, "The platform's "
			    "roadmap is kept by staff.");
	} else {
		bool staff = authz_is_staff(x->conn);

		if (authz_community(x, community, staff ? CA_SEE : CA_READ,
		    &a) != 0)
			return -1;
		snprintf(r->slug, sizeof r->slug, "%s", a.slug);
		snprintf(r->name, sizeof r->name, "%s", a.name);
		r->manager = staff || a.admin || a.role >= CROLE_MANAGER;
		r->leader = r->manager || a.role >= CROLE_LEADER;
		if (want == RM_EDIT && !r->manager)
			return call_fail(x, ERR_FORBIDDEN, "Only the "
			    "community's managers edit its roadmap; leaders "
			    "propose changes (roadmap.propose).");
		if (want == RM_PROPOSE && !r->leader)
			return call_fail(x, ERR_FORBIDDEN, "Leaders and "
			    "managers propose changes to the roadmap.");
	}
	st = db_stmt(srv->db, "SELECT id, starts_on, version FROM roadmaps "
	    "WHERE coalesce(community_id, 0) = ?");
	sqlite3_bind_int64(st, 1, community);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->id = sqlite3_column_int64(st, 0);
		r->starts_on = sqlite3_column_int64(st, 1);
		r->version = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return call_db_fail(x);
	if (r->id == 0)
		r->starts_on = roadmap_day(now_unix());
	return 0;
}

/* args.slug (absent or "": the platform's) opened for want. */
static int
rm_open_arg(struct call *x, const char *name, enum rm_want want,
    struct rm *r)
{
	const char *slug = NULL;
	struct access a;

	if (arg_str(x->args, name, false, 47, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (slug == NULL || *slug == '\0')
		return rm_open(x, 0, want, r);
	if (authz_community_slug(x, slug, CA_SEE, &a) != 0)
		return -1;
	return rm_open(x, a.community_id, want, r);
}

/* The roadmap's row, made from the template on its first change. */
static int
rm_ensure(struct call *x, struct rm *r)
{
	sqlite3_stmt *st;

	if (r->id != 0)
		return 0;
	st = db_stmt(srv->db, "INSERT INTO roadmaps (community_id, "
	    "starts_on, version) VALUES (nullif(?, 0), ?, 0)");
	sqlite3_bind_int64(st, 1, r->community);
	sqlite3_bind_int64(st, 2, r->starts_on);
	if (call_step(x, st) != 0)
		return -1;
	r->id = sqlite3_last_insert_rowid(srv->db);
	return 0;
}

/* args.base_version, if given, must be the version now. */
static int
rm_base(struct call *x, const struct rm *r)
{
	json_int_t base = -1;

	if (arg_int(x->args, "base_version", false, 0, INT64_MAX, &base,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (base >= 0 && base != r->version)
		return call_fail(x, ERR_CONFLICT, "The roadmap changed since "
		    "you opened it (version %lld now, yours %lld): read it "
		    "again; nothing was saved.", (long long)r->version,
		    (long long)base);
	return 0;
}

/* After a change: a new version with the snapshot, who and when. */
static int
rm_version(struct call *x, struct rm *r, const char *fmt, ...)
    PRINTFLIKE(3, 4);
static int
rm_version(struct call *x, struct rm *r, const char *fmt, ...)
{
	json_t *snap = roadmap_snapshot(srv->db, r->id, r->starts_on);
	sqlite3_stmt *st;
	char summary[400], *text;
	va_list ap;
	int rc;

	if (snap == NULL)
		return call_db_fail(x);
	va_start(ap, fmt);
	vsnprintf(summary, sizeof summary, fmt, ap);
	va_end(ap);
	text = json_dumps(snap, JSON_COMPACT);
	json_decref(snap);
	st = db_stmt(srv->db, "INSERT INTO roadmap_versions (roadmap_id, "
	    "version, member_id, created_at, summary, snapshot) VALUES (?, ?, "
	    "nullif(?, 0), ?, ?, ?)");
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, r->version + 1);
	sqlite3_bind_int64(st, 3, call_actor(x));
	sqlite3_bind_int64(st, 4, now_unix());
	sqlite3_bind_text(st, 5, summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	rc = call_step(x, st);
	free(text);
	if (rc != 0)
		return -1;
	st = db_stmt(srv->db, "UPDATE roadmaps SET version = ?, starts_on = "
	    "? WHERE id = ?");
	sqlite3_bind_int64(st, 1, r->version + 1);
	sqlite3_bind_int64(st, 2, r->starts_on);
	sqlite3_bind_int64(st, 3, r->id);
	if (call_step(x, st) != 0)
		return -1;
	r->version++;
	outbox_community_event(&x->out, r->community, "roadmap.changed",
	    json_pack("{s:s?, s:I, s:s}", "community", r->slug[0] ? r->slug :
	    NULL, "version", (json_int_t)r->version, "summary", summary));
	return 0;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* The roadmap as the caller may read it. */
static int
op_roadmap_get(struct call *x)
{
	struct rm r;
	json_t *snap, *secs, *periods, *acts;
	const struct roadmap_section *t;
	size_t n;
	int64_t from, to;
	sqlite3_stmt *st;

	if (rm_open_arg(x, "slug", RM_READ, &r) != 0)
		return -1;
	if ((snap = roadmap_snapshot(srv->db, r.id, r.starts_on)) == NULL)
		return call_db_fail(x);
	t = roadmap_template(&n);
	secs = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_object_get(json_object_get(snap, "sections"),
		    t[i].key);
		bool mo = json_is_true(json_object_get(s, "managers_only"));

		if (mo && !r.manager)
			continue;
		json_array_append_new(secs, json_pack("{s:i, s:s, s:s, s:s, "
		    "s:b, s:s, s:b}", "number", (int)i + 1, "key", t[i].key,
		    "title", t[i].title, "prompt", t[i].prompt, "ambition",
		    t[i].ambition, "body", jstr(s, "body"), "managers_only",
		    mo));
	}
	periods = json_array();
	for (int p = 1; p <= ROADMAP_PERIODS; p++) {
		roadmap_period_bounds(r.starts_on, p, &from, &to);
		json_array_append_new(periods, json_pack("{s:i, s:s, s:o, "
		    "s:o}", "period", p, "label", roadmap_period_label(p),
		    "starts_at", time_json(from), "ends_at", time_json(to)));
	}
	acts = json_incref(json_object_get(snap, "actions"));
	x->result = json_pack("{s:s?, s:s, s:o, s:I, s:b, s:b, s:o, s:o, "
	    "s:o}", "community", r.slug[0] ? r.slug : NULL, "name", r.name,
	    "starts_on", time_json(r.starts_on), "version",
	    (json_int_t)r.version, "can_edit", r.manager, "can_propose",
	    r.leader, "sections", secs, "periods", periods, "actions", acts);
	json_decref(snap);
	if (r.leader && r.id != 0) {
		st = db_stmt(srv->db, "SELECT count(*) FROM roadmap_proposals "
		    "WHERE roadmap_id = ? AND state = 'open'");
		sqlite3_bind_int64(st, 1, r.id);
		if (sqlite3_step(st) == SQLITE_ROW)
			json_object_set_new(x->result, "proposals_open",
			    json_integer(sqlite3_column_int64(st, 0)));
		sqlite3_reset(st);
	}
	return 0;
}

/* Write one section's text and/or privacy (inside the transaction). */
static int
section_write(struct call *x, struct rm *r, const char *key,
    const char *body, int managers_only)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO roadmap_sections "
	    "(roadmap_id, key, body, managers_only) VALUES (?1, ?2, "
	    "coalesce(?3, ''), max(?4, 0)) ON CONFLICT (roadmap_id, key) DO "
	    "UPDATE SET body = coalesce(?3, body), managers_only = CASE WHEN "
	    "?4 >= 0 THEN ?4 ELSE managers_only END");

	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, managers_only);
	return call_step(x, st);
}

/* args.key: a section of the template (its key or its number). */
static int
arg_section(struct call *x, bool required, int *index)
{
	const char *key = NULL;
	char *end;
	long n;

	*index = -1;
	if (arg_str(x->args, "key", required, 40, &key, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (key == NULL)
		return 0;
	if ((*index = roadmap_section_find(key)) >= 0)
		return 0;
	n = strtol(key, &end, 10);
	if (*key != '\0' && *end == '\0' && n >= 1 && n <= 27) {
		*index = (int)n - 1;
		return 0;
	}
	return call_fail(x, ERR_BAD_REQUEST, "args.key: '%s' is no section "
	    "of the roadmap (roadmap.get lists them).", key);
}

static int
op_roadmap_update(struct call *x)
{
	const struct roadmap_section *t;
	const char *body = NULL;
	bool mo = false, has_mo;
	int64_t starts = 0;
	int idx;
	size_t n;
	struct rm r;

	t = roadmap_template(&n);
	has_mo = json_object_get(x->args, "managers_only") != NULL;
	if (arg_str(x->args, "body", false, ROADMAP_TEXT_MAX, &body, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "managers_only", false, &mo, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("body", body, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (arg_section(x, false, &idx) != 0 ||
	    call_arg_time(x, "starts_on", false, &starts) != 0)
		return -1;
	if (idx < 0 && (body != NULL || has_mo))
		return call_fail(x, ERR_BAD_REQUEST, "args.key: which section?");
	if (body == NULL && !has_mo && starts == 0)
		return call_fail(x, ERR_BAD_REQUEST, "Nothing to change: give "
		    "a section's body or managers_only, or starts_on.");
	if (rm_open_arg(x, "slug", RM_EDIT, &r) != 0 || rm_base(x, &r) != 0 ||
	    rm_ensure(x, &r) != 0)
		return -1;
	if (idx >= 0 && section_write(x, &r, t[idx].key, body, has_mo ?
	    mo : -1) != 0)
		return -1;
	if (starts != 0)
		r.starts_on = roadmap_day(starts);
	if (rm_version(x, &r, "%s%s%s%s", idx < 0 ? "" : body != NULL ?
	    "Edited " : "Changed who reads ", idx < 0 ? "" : t[idx].title,
	    has_mo && body != NULL ? (mo ? " (managers only)" :
	    " (everyone)") : has_mo ? (mo ? ": managers only" : ": everyone")
	    : "", starts != 0 ? (idx < 0 ? "Moved the start of month 1" :
	    "; moved the start of month 1") : "") != 0)
		return -1;
	if (starts != 0)
		roadmap_remind_start();
	x->result = json_pack("{s:I}", "version", (json_int_t)r.version);
	return 0;
}

static int
op_roadmap_versions(struct call *x)
{
	struct rm r;
	json_t *list = json_array();
	sqlite3_stmt *st;

	if (rm_open_arg(x, "slug", RM_READ, &r) != 0) {
		json_decref(list);
		return -1;
	}
	st = db_stmt(srv->db, "SELECT v.version, m.handle, v.created_at, "
	    "v.summary FROM roadmap_versions v LEFT JOIN members m ON m.id = "
	    "v.member_id WHERE v.roadmap_id = ? ORDER BY v.version DESC "
	    "LIMIT 500");
	sqlite3_bind_int64(st, 1, r.id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:I, s:s?, s:o, s:s}",
		    "version", (json_int_t)sqlite3_column_int64(st, 0), "by",
		    (const char *)sqlite3_column_text(st, 1), "at", time_json(
		    sqlite3_column_int64(st, 2)), "summary", (const char *)
		    sqlite3_column_text(st, 3)));
	sqlite3_reset(st);
	json_array_append_new(list, json_pack("{s:i, s:n, s:n, s:s}",
	    "version", 0, "by", "at", "summary", "The template"));
	x->result = json_pack("{s:I, s:o}", "version", (json_int_t)r.version,
	    "versions", list);
	return 0;
}

/* Version v's snapshot (0: the template); NULL (failed) if none. */
static json_t *
version_snapshot(struct call *x, const struct rm *r, json_int_t v)
{
	sqlite3_stmt *st;
	json_t *snap = NULL;

	if (v == 0)
		return roadmap_snapshot(srv->db, 0, r->starts_on);
	st = db_stmt(srv->db, "SELECT snapshot FROM roadmap_versions WHERE "
	    "roadmap_id = ? AND version = ?");
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, v);
	if (sqlite3_step(st) == SQLITE_ROW)
		snap = json_loads((const char *)sqlite3_column_text(st, 0), 0,
		    NULL);
	sqlite3_reset(st);
	if (snap == NULL)
		call_fail(x, ERR_NOT_FOUND, "No version %lld of this roadmap "
		    "(roadmap.versions lists them).", (long long)v);
	return snap;
}

static int
op_roadmap_compare(struct call *x)
{
	json_int_t from = 0, to = 0;
	json_t *a, *b, *lines;
	char *ta, *tb;
	struct rm r;
	size_t changed = 0, i;
	json_t *l;

	if (arg_int(x->args, "from", true, 0, INT64_MAX, &from, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "to", true, 0, INT64_MAX, &to, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (rm_open_arg(x, "slug", RM_READ, &r) != 0)
		return -1;
	if ((a = version_snapshot(x, &r, from)) == NULL)
		return -1;
	if ((b = version_snapshot(x, &r, to)) == NULL) {
		json_decref(a);
		return -1;
	}
	/* the template starts when the first version did */
	if (from == 0)
		json_object_set(a, "starts_on", json_object_get(b, "starts_on"));
	if (to == 0)
		json_object_set(b, "starts_on", json_object_get(a, "starts_on"));
	ta = roadmap_markdown(a, r.name, r.manager);
	tb = roadmap_markdown(b, r.name, r.manager);
	lines = roadmap_diff(ta, tb);
	json_array_foreach(lines, i, l)
		if (strcmp(jstr(l, "op"), "+") == 0 ||
		    strcmp(jstr(l, "op"), "-") == 0)
			changed++;
	x->result = json_pack("{s:I, s:I, s:I, s:o}", "from", from, "to", to,
	    "changed", (json_int_t)changed, "lines", lines);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	return 0;
}

/* Tell the community's managers (not the actor) about a proposal. */
static int
tell_managers(struct call *x, const struct rm *r, const char *title)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT member_id FROM "
	    "community_members WHERE community_id = ? AND role = 'manager'");
	const struct notify_ref ref = { .community_id = r->community };
	int64_t ids[64];
	size_t n = 0;

	sqlite3_bind_int64(st, 1, r->community);
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++)
		if (notify_add_ref(x, ids[i], "roadmap_proposal", &ref,
		    "A change to the roadmap's “%s” was proposed in %s.", title,
		    r->name) != 0)
			return -1;
	return 0;
}

static int
op_roadmap_propose(struct call *x)
{
	const struct roadmap_section *t;
	const char *body = NULL, *note = "";
	size_t n;
	int idx;
	struct rm r;
	sqlite3_stmt *st;

	t = roadmap_template(&n);
	if (arg_str(x->args, "body", true, ROADMAP_TEXT_MAX, &body, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "note", false, ROADMAP_NOTE_MAX, &note, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("body", body, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("note", note, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (arg_section(x, true, &idx) != 0 ||
	    rm_open_arg(x, "slug", RM_PROPOSE, &r) != 0)
		return -1;
	if (r.community == 0)
		return call_fail(x, ERR_BAD_REQUEST, "Staff edit the platform's "
		    "roadmap directly (roadmap.update).");
	if (rm_ensure(x, &r) != 0)
		return -1;
	st = db_stmt(srv->db, "INSERT INTO roadmap_proposals (roadmap_id, key, "
	    "body, note, member_id, created_at) VALUES (?, ?, ?, ?, nullif(?, "
	    "0), ?)");
	sqlite3_bind_int64(st, 1, r.id);
	sqlite3_bind_text(st, 2, t[idx].key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, call_actor(x));
	sqlite3_bind_int64(st, 6, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I}", "proposal_id",
	    (json_int_t)sqlite3_last_insert_rowid(srv->db));
	return tell_managers(x, &r, t[idx].title);
}

static int
op_roadmap_proposals(struct call *x)
{
	const struct roadmap_section *t;
	json_t *list = json_array();
	sqlite3_stmt *st;
	struct rm r;
	size_t n;
	int idx;

	t = roadmap_template(&n);
	if (rm_open_arg(x, "slug", RM_PROPOSE, &r) != 0) {
		json_decref(list);
		return -1;
	}
	st = db_stmt(srv->db, "SELECT p.id, p.key, p.body, p.note, m.handle, "
	    "p.created_at, coalesce(s.body, '') FROM roadmap_proposals p LEFT "
	    "JOIN members m ON m.id = p.member_id LEFT JOIN roadmap_sections s "
	    "ON s.roadmap_id = p.roadmap_id AND s.key = p.key WHERE "
	    "p.roadmap_id = ? AND p.state = 'open' ORDER BY p.id");
	sqlite3_bind_int64(st, 1, r.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		idx = roadmap_section_find((const char *)sqlite3_column_text(st,
		    1));
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:s?, s:o, s:s}", "id", (json_int_t)
		    sqlite3_column_int64(st, 0), "key", t[idx < 0 ? 0 : idx].key,
		    "title", t[idx < 0 ? 0 : idx].title, "body", (const char *)
		    sqlite3_column_text(st, 2), "note", (const char *)
		    sqlite3_column_text(st, 3), "by", (const char *)
		    sqlite3_column_text(st, 4), "at", time_json(
		    sqlite3_column_int64(st, 5)), "current", (const char *)
		    sqlite3_column_text(st, 6)));
	}
	sqlite3_reset(st);
	x->result = json_pack("{s:o}", "proposals", list);
	return 0;
}

/* A manager accepts (the text becomes the section's) or declines. */
static int
op_roadmap_accept(struct call *x)
{
	json_int_t id = 0;
	bool decline = false;
	int64_t community = 0, by = 0;
	char key[48] = "", *body = NULL;
	const struct roadmap_section *t;
	size_t n;
	int idx, rc;
	struct rm r;
	sqlite3_stmt *st;
	struct notify_ref ref = { 0 };

	t = roadmap_template(&n);
	if (arg_int(x->args, "proposal_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "decline", false, &decline, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db, "SELECT p.roadmap_id, coalesce(r.community_id, "
	    "0), p.key, p.body, coalesce(p.member_id, 0) FROM "
	    "roadmap_proposals p JOIN roadmaps r ON r.id = p.roadmap_id WHERE "
	    "p.id = ? AND p.state = 'open'");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		community = sqlite3_column_int64(st, 1);
		snprintf(key, sizeof key, "%s", sqlite3_column_text(st, 2));
		body = xstrdup((const char *)sqlite3_column_text(st, 3));
		by = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return call_fail(x, ERR_NOT_FOUND, "No open proposal %lld.",
		    (long long)id);
	if (rm_open(x, community, RM_READ, &r) != 0) {
		free(body);
		x->err = 0;
		return call_fail(x, ERR_NOT_FOUND, "No open proposal %lld.",
		    (long long)id);
	}
	if (!r.manager) {
		free(body);
		return call_fail(x, ERR_FORBIDDEN, "The community's managers "
		    "accept or decline proposals.");
	}
	idx = roadmap_section_find(key);
	st = db_stmt(srv->db, "UPDATE roadmap_proposals SET state = ?, "
	    "decided_by = nullif(?, 0), decided_at = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, decline ? "declined" : "accepted", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, call_actor(x));
	sqlite3_bind_int64(st, 3, now_unix());
	sqlite3_bind_int64(st, 4, id);
	rc = call_step(x, st);
	if (rc == 0 && !decline && idx >= 0) {
		struct member m = { 0 };

		member_by_id(srv->db, by, &m);
		rc = section_write(x, &r, t[idx].key, body, -1);
		if (rc == 0)
			rc = rm_version(x, &r, "Accepted @%s's proposal for %s",
			    m.handle[0] ? m.handle : "?", t[idx].title);
		member_clear(&m);
	}
	free(body);
	if (rc != 0)
		return -1;
	ref.community_id = community;
	if (by != 0 && notify_add_ref(x, by, "roadmap_proposal", &ref,
	    "Your proposal for the roadmap's “%s” in %s was %s.", idx >= 0 ?
	    t[idx].title : key, r.name, decline ? "declined" : "accepted") != 0)
		return -1;
	x->result = json_pack("{s:I, s:s, s:I}", "proposal_id", id, "state",
	    decline ? "declined" : "accepted", "version",
	    (json_int_t)r.version);
	return 0;
}

/* Replace the roadmap with another's sections and actions (a start). */
static int
op_roadmap_copy(struct call *x)
{
	struct rm to, from;
	sqlite3_stmt *st;

	if (rm_open_arg(x, "slug", RM_EDIT, &to) != 0 ||
	    rm_open_arg(x, "from", RM_READ, &from) != 0 ||
	    rm_base(x, &to) != 0)
		return -1;
	if (to.community == from.community)
		return call_fail(x, ERR_BAD_REQUEST, "A roadmap cannot be "
		    "copied onto itself.");
	if (rm_ensure(x, &to) != 0)
		return -1;
	st = db_stmt(srv->db, "DELETE FROM roadmap_sections WHERE roadmap_id "
	    "= ?");
	sqlite3_bind_int64(st, 1, to.id);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "DELETE FROM roadmap_actions WHERE roadmap_id "
	    "= ?");
	sqlite3_bind_int64(st, 1, to.id);
	if (call_step(x, st) != 0)
		return -1;
	/* what the caller may read of it; links and owners stay behind */
	st = db_stmt(srv->db, "INSERT INTO roadmap_sections (roadmap_id, key, "
	    "body, managers_only) SELECT ?1, key, body, managers_only FROM "
	    "roadmap_sections WHERE roadmap_id = ?2 AND (?3 OR NOT "
	    "managers_only)");
	sqlite3_bind_int64(st, 1, to.id);
	sqlite3_bind_int64(st, 2, from.id);
	sqlite3_bind_int(st, 3, from.manager);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "INSERT INTO roadmap_actions (roadmap_id, "
	    "period, title, resources) SELECT ?1, period, title, resources "
	    "FROM roadmap_actions WHERE roadmap_id = ?2 AND status != "
	    "'dropped' ORDER BY period, id");
	sqlite3_bind_int64(st, 1, to.id);
	sqlite3_bind_int64(st, 2, from.id);
	if (call_step(x, st) != 0 ||
	    rm_version(x, &to, "Copied from the roadmap of %s", from.name) != 0)
		return -1;
	x->result = json_pack("{s:I}", "version", (json_int_t)to.version);
	return 0;
}

/* args.owner as a member id (0: none); must belong to r's community. */
static int
action_owner(struct call *x, const struct rm *r, const char *h,
    int64_t *owner)
{
	struct member m = { 0 };
	sqlite3_stmt *st;
	int rc = SQLITE_ROW;

	*owner = 0;
	if (h == NULL || *h == '\0')
		return 0;
	if (*h == '@')
		h++;
	if (member_by_handle(srv->db, h, &m) != 1 || m.removed) {
		member_clear(&m);
		return call_fail(x, ERR_NOT_FOUND, "No member @%s.", h);
	}
	*owner = m.id;
	member_clear(&m);
	if (r->community != 0) {
		st = db_stmt(srv->db, "SELECT 1 FROM community_members WHERE "
		    "community_id = ? AND member_id = ? AND role != "
		    "'interested'");
		sqlite3_bind_int64(st, 1, r->community);
		sqlite3_bind_int64(st, 2, *owner);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (rc != SQLITE_ROW)
		return call_fail(x, ERR_BAD_REQUEST, "@%s is not a member of %s: "
		    "an action's owner must be.", h, r->name);
	return 0;
}

/* A link must be the roadmap's community's (a key result or an event). */
static int
action_link(struct call *x, const struct rm *r, const char *what,
    json_int_t id)
{
	sqlite3_stmt *st;
	int rc;

	if (id <= 0)
		return 0;
	st = db_stmt(srv->db, strcmp(what, "kr_id") == 0 ?
	    "SELECT 1 FROM key_results k JOIN goals g ON g.id = k.goal_id "
	    "WHERE k.id = ? AND coalesce(g.community_id, 0) = ?" :
	    "SELECT 1 FROM events WHERE id = ? AND coalesce(community_id, 0) "
	    "= ?");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, r->community);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return call_fail(x, ERR_NOT_FOUND, "args.%s: no %s %lld in %s.",
		    what, strcmp(what, "kr_id") == 0 ? "key result" : "event",
		    (long long)id, r->name);
	return 0;
}

/*
 * Add, change or remove an action of the grid. Managers do all; the
 * action's owner may change its status.
 */
static int
op_roadmap_action(struct call *x)
{
	json_int_t id = 0, period = 0, kr = -1, event = -1;
	const char *title = NULL, *owner_h = NULL, *res = NULL, *status = NULL;
	bool del = false;
	int64_t owner = 0, roadmap = 0, community = 0, owner_now = 0;
	char old_title[ROADMAP_TITLE_MAX + 1] = "";
	struct rm r;
	sqlite3_stmt *st;
	int rc;

	if (arg_int(x->args, "action_id", false, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "period", false, 1, ROADMAP_PERIODS, &period,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", false, ROADMAP_TITLE_MAX, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "owner", false, 64, &owner_h, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "resources", false, ROADMAP_NOTE_MAX, &res,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "status", false, 16, &status, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "kr_id", false, 0, INT64_MAX, &kr, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "event_id", false, 0, INT64_MAX, &event, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "delete", false, &del, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("resources", res, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (status != NULL && !roadmap_status_known(status))
		return call_fail(x, ERR_BAD_REQUEST, "args.status: one of "
		    "planned, doing, done, dropped.");
	if (title != NULL && *title == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "args.title: an action "
		    "needs a title.");
	if (id == 0) {
		if (title == NULL || period == 0)
			return call_fail(x, ERR_BAD_REQUEST, "A new action needs "
			    "a title and a period (1-6: a month, 7: months 7-9, "
			    "8: months 10-12).");
		if (rm_open_arg(x, "slug", RM_EDIT, &r) != 0 ||
		    rm_ensure(x, &r) != 0)
			return -1;
	} else {
		st = db_stmt(srv->db, "SELECT a.roadmap_id, coalesce("
		    "r.community_id, 0), coalesce(a.owner_id, 0), a.title FROM "
		    "roadmap_actions a JOIN roadmaps r ON r.id = a.roadmap_id "
		    "WHERE a.id = ?");
		sqlite3_bind_int64(st, 1, id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			roadmap = sqlite3_column_int64(st, 0);
			community = sqlite3_column_int64(st, 1);
			owner_now = sqlite3_column_int64(st, 2);
			snprintf(old_title, sizeof old_title, "%s",
			    sqlite3_column_text(st, 3));
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW || rm_open(x, community, RM_READ, &r) != 0 ||
		    r.id != roadmap) {
			x->err = 0;
			return call_fail(x, ERR_NOT_FOUND, "No action %lld.",
			    (long long)id);
		}
		if (!r.manager && (owner_now == 0 || owner_now !=
		    call_actor(x) || status == NULL || title != NULL ||
		    owner_h != NULL || res != NULL || period != 0 || kr >= 0 ||
		    event >= 0 || del))
			return call_fail(x, ERR_FORBIDDEN, "Managers change the "
			    "roadmap's actions; an action's owner may change its "
			    "status.");
	}
	if (rm_base(x, &r) != 0 || action_owner(x, &r, owner_h, &owner) != 0 ||
	    action_link(x, &r, "kr_id", kr) != 0 ||
	    action_link(x, &r, "event_id", event) != 0)
		return -1;
	if (del) {
		st = db_stmt(srv->db, "DELETE FROM roadmap_actions WHERE id = ?");
		sqlite3_bind_int64(st, 1, id);
		if (call_step(x, st) != 0 || rm_version(x, &r, "Removed the "
		    "action “%s”", old_title) != 0)
			return -1;
		x->result = json_pack("{s:I, s:b, s:I}", "action_id", id,
		    "deleted", 1, "version", (json_int_t)r.version);
		return 0;
	}
	if (id == 0) {
		st = db_stmt(srv->db, "INSERT INTO roadmap_actions (roadmap_id, "
		    "period, title, owner_id, resources, status, kr_id, "
		    "event_id) VALUES (?, ?, ?, nullif(?, 0), coalesce(?, ''), "
		    "coalesce(?, 'planned'), nullif(?, 0), nullif(?, 0))");
		sqlite3_bind_int64(st, 1, r.id);
		sqlite3_bind_int64(st, 2, period);
		sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, owner);
		sqlite3_bind_text(st, 5, res, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, kr < 0 ? 0 : kr);
		sqlite3_bind_int64(st, 8, event < 0 ? 0 : event);
		if (call_step(x, st) != 0)
			return -1;
		id = sqlite3_last_insert_rowid(srv->db);
		rc = rm_version(x, &r, "Added the action “%s” (%s)", title,
		    roadmap_period_label((int)period));
	} else {
		st = db_stmt(srv->db, "UPDATE roadmap_actions SET period = "
		    "coalesce(nullif(?1, 0), period), title = coalesce(?2, "
		    "title), owner_id = CASE WHEN ?3 IS NULL THEN owner_id ELSE "
		    "nullif(?4, 0) END, resources = coalesce(?5, resources), "
		    "status = coalesce(?6, status), kr_id = CASE WHEN ?7 < 0 "
		    "THEN kr_id ELSE nullif(?7, 0) END, event_id = CASE WHEN "
		    "?8 < 0 THEN event_id ELSE nullif(?8, 0) END WHERE id = ?9");
		sqlite3_bind_int64(st, 1, period);
		sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, owner_h, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, owner);
		sqlite3_bind_text(st, 5, res, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, kr);
		sqlite3_bind_int64(st, 8, event);
		sqlite3_bind_int64(st, 9, id);
		if (call_step(x, st) != 0)
			return -1;
		rc = status != NULL && title == NULL && owner_h == NULL &&
		    res == NULL && period == 0 && kr < 0 && event < 0 ?
		    rm_version(x, &r, "Marked the action “%s” %s", old_title,
		    status) : rm_version(x, &r, "Changed the action “%s”",
		    title != NULL ? title : old_title);
	}
	if (rc != 0)
		return -1;
	roadmap_remind_start();
	x->result = json_pack("{s:I, s:I}", "action_id", id, "version",
	    (json_int_t)r.version);
	return 0;
}

/* The roadmap as Markdown, or its action grid as CSV. */
static int
op_roadmap_export(struct call *x)
{
	const char *format = "md";
	struct rm r;
	json_t *snap;
	char *text;

	if (arg_str(x->args, "format", false, 8, &format, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(format, "md") != 0 && strcmp(format, "csv") != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.format: md or csv.");
	if (rm_open_arg(x, "slug", RM_READ, &r) != 0)
		return -1;
	if ((snap = roadmap_snapshot(srv->db, r.id, r.starts_on)) == NULL)
		return call_db_fail(x);
	text = strcmp(format, "md") == 0 ? roadmap_markdown(snap, r.name,
	    r.manager) : roadmap_csv(snap);
	x->result = json_pack("{s:s, s:I, s:s}", "format", format, "version",
	    (json_int_t)r.version, "text", text);
	free(text);
	json_decref(snap);
	return 0;
}

#define SLUG_ARG ARG_STR("slug", ARG_OPT, 47)
const struct op op_roadmap_table[] = {
	{ "roadmap.get", OP_MEMBER, op_roadmap_get,
	    "A community's roadmap {slug} (none: the platform's): its "
	    "sections, periods, actions; can_edit, can_propose.",
	    RATE_READ, ARGS(SLUG_ARG) },
	{ "roadmap.update", OP_MEMBER | OP_WRITE, op_roadmap_update,
	    "Change a section {slug, key, body?, managers_only?} and/or "
	    "when month 1 starts {starts_on?}; base_version? refuses a stale "
	    "edit (managers).",
	    RATE_WRITE, ARGS(SLUG_ARG, ARG_STR("key", ARG_OPT, 40),
	    ARG_STR("body", ARG_OPT, ROADMAP_TEXT_MAX),
	    ARG_BOOL("managers_only", ARG_OPT),
	    ARG_STR("starts_on", ARG_OPT, 40),
	    ARG_INT("base_version", ARG_OPT, 0, INT64_MAX)) },
	{ "roadmap.versions", OP_MEMBER, op_roadmap_versions,
	    "Every version of a roadmap {slug}: who, when, what changed.",
	    RATE_READ, ARGS(SLUG_ARG) },
	{ "roadmap.compare", OP_MEMBER, op_roadmap_compare,
	    "Two versions of a roadmap compared {slug, from, to} (0: the "
	    "template): a line diff of their Markdown.",
	    RATE_EXPENSIVE, ARGS(SLUG_ARG,
	    ARG_INT("from", ARG_REQ, 0, INT64_MAX),
	    ARG_INT("to", ARG_REQ, 0, INT64_MAX)) },
	{ "roadmap.propose", OP_MEMBER | OP_WRITE, op_roadmap_propose,
	    "Propose a section's text {slug, key, body, note?} (leaders); "
	    "the managers are told.",
	    RATE_WRITE, ARGS(SLUG_ARG, ARG_STR("key", ARG_REQ, 40),
	    ARG_STR("body", ARG_REQ, ROADMAP_TEXT_MAX),
	    ARG_STR("note", ARG_OPT, ROADMAP_NOTE_MAX)) },
	{ "roadmap.proposals", OP_MEMBER, op_roadmap_proposals,
	    "Open proposals for a roadmap {slug} (leaders and managers).",
	    RATE_READ, ARGS(SLUG_ARG) },
	{ "roadmap.accept", OP_MEMBER | OP_WRITE, op_roadmap_accept,
	    "Accept a proposal {proposal_id} (its text becomes the "
	    "section's), or decline it {decline: true} (managers).",
	    RATE_WRITE, ARGS(ARG_INT("proposal_id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("decline", ARG_OPT)) },
	{ "roadmap.copy", OP_MEMBER | OP_WRITE, op_roadmap_copy,
	    "Replace a roadmap {slug} with a copy of another's {from} "
	    "(none: the platform's): sections and actions, no owners or "
	    "links (managers).",
	    RATE_WRITE, ARGS(SLUG_ARG, ARG_STR("from", ARG_OPT, 47),
	    ARG_INT("base_version", ARG_OPT, 0, INT64_MAX)) },
	{ "roadmap.action", OP_MEMBER | OP_WRITE, op_roadmap_action,
	    "Add {slug, period, title, owner?, resources?, status?, kr_id?, "
	    "event_id?}, change {action_id, ...} or remove {action_id, "
	    "delete} an action (managers; its owner: status).",
	    RATE_WRITE, ARGS(SLUG_ARG,
	    ARG_INT("action_id", ARG_OPT, 1, INT64_MAX),
	    ARG_INT("period", ARG_OPT, 1, ROADMAP_PERIODS),
	    ARG_STR("title", ARG_OPT, ROADMAP_TITLE_MAX),
	    ARG_STR("owner", ARG_OPT, 64),
	    ARG_STR("resources", ARG_OPT, ROADMAP_NOTE_MAX),
	    ARG_STR("status", ARG_OPT, 16),
	    ARG_INT("kr_id", ARG_OPT, 0, INT64_MAX),
	    ARG_INT("event_id", ARG_OPT, 0, INT64_MAX),
	    ARG_BOOL("delete", ARG_OPT),
	    ARG_INT("base_version", ARG_OPT, 0, INT64_MAX)) },
	{ "roadmap.export", OP_MEMBER, op_roadmap_export,
	    "A roadmap {slug, format: md|csv} as text: Markdown, or its "
	    "action grid as CSV.",
	    RATE_READ, ARGS(SLUG_ARG, ARG_STR("format", ARG_OPT, 8)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
