/*
 * op-persona.c: a community's member personas (seeds/004: "identify three
 * to five personas"): name, description, needs, pain points and preferred
 * ways to take part, kept by its managers and read by its members beside
 * the roadmap. Events are tagged with the personas they serve.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define PERSONAS_MAX 5
#define PERSONA_NAME_MAX 80
#define PERSONA_TEXT_MAX 2000

/* The community of args.slug for act (CA_READ or CA_MANAGE). */
static int
persona_community(struct call *x, enum cact act, struct access *a)
{
	const char *slug = NULL;

	if (arg_str(x->args, "slug", true, 47, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (authz_is_staff(x->conn))
		return authz_community_slug(x, slug, CA_SEE, a);
	return authz_community_slug(x, slug, act, a);
}

/* A persona's community; -1 (not_found) if the caller may not read it. */
static int
persona_load(struct call *x, int64_t id, int64_t *community)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT community_id FROM "
	    "personas WHERE id = ?");
	struct access a;
	int rc;

	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*community = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW || (!authz_is_staff(x->conn) &&
	    authz_community(x, *community, CA_READ, &a) != 0)) {
		x->err = 0;
		return call_fail(x, ERR_NOT_FOUND, "No such persona.");
	}
	return 0;
}

static int
op_persona_list(struct call *x)
{
	struct access a;
	json_t *list = json_array(), *p = NULL;
	sqlite3_stmt *st;
	int64_t last = 0;

	if (persona_community(x, CA_READ, &a) != 0) {
		json_decref(list);
		return -1;
	}
	st = db_stmt(srv->db, "SELECT p.id, p.name, p.description, p.needs, "
	    "p.pain_points, p.ways, p.updated_at, e.id, e.title, e.starts_at "
	    "FROM personas p LEFT JOIN event_personas ep ON ep.persona_id = "
	    "p.id LEFT JOIN events e ON e.id = ep.event_id AND e.cancelled_at "
	    "IS NULL WHERE p.community_id = ? ORDER BY p.id, e.starts_at");
	sqlite3_bind_int64(st, 1, a.community_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != last) {
			last = sqlite3_column_int64(st, 0);
			p = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:[]}",
			    "id", (json_int_t)last, "name", (const char *)
			    sqlite3_column_text(st, 1), "description",
			    (const char *)sqlite3_column_text(st, 2), "needs",
			    (const char *)sqlite3_column_text(st, 3),
			    "pain_points", (const char *)sqlite3_column_text(st,
			    4), "ways", (const char *)sqlite3_column_text(st, 5),
			    "updated_at", time_json(sqlite3_column_int64(st, 6)),
			    "events");
			json_array_append_new(list, p);
		}
		if (sqlite3_column_type(st, 7) != SQLITE_NULL)
			json_array_append_new(json_object_get(p, "events"),
			    json_pack("{s:I, s:s, s:o}", "id", (json_int_t)
			    sqlite3_column_int64(st, 7), "title", (const char *)
			    sqlite3_column_text(st, 8), "starts_at", time_json(
			    sqlite3_column_int64(st, 9))));
	}
	sqlite3_reset(st);
	x->result = json_pack("{s:s, s:o, s:b, s:i}", "community", a.slug,
	    "personas", list, "can_edit", authz_is_staff(x->conn) || a.admin ||
	    a.role >= CROLE_MANAGER, "max", PERSONAS_MAX);
	return 0;
}

/* Add {slug, name, ...} or change {persona_id, ...} a persona. */
static int
op_persona_save(struct call *x)
{
	static const char *const fields[] = { "description", "needs",
		"pain_points", "ways" };
	const char *name = NULL, *text[4] = { NULL, NULL, NULL, NULL };
	json_int_t id = 0;
	int64_t community = 0;
	struct access a;
	sqlite3_stmt *st;
	int n = 0;

	if (arg_int(x->args, "persona_id", false, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "name", false, PERSONA_NAME_MAX, &name, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("name", name, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	for (int i = 0; i < 4; i++)
		if (arg_str(x->args, fields[i], false, PERSONA_TEXT_MAX,
		    &text[i], x->msg, sizeof x->msg) != 0 ||
		    utf8_check_arg(fields[i], text[i], UTF8_LINES, x->msg,
		    sizeof x->msg) != 0)
			return call_bad(x);
	if (name != NULL && *name == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "args.name: a persona "
		    "needs a name.");
	if (id == 0) {
		if (name == NULL)
			return call_fail(x, ERR_BAD_REQUEST, "args.name: a new "
			    "persona needs a name.");
		if (persona_community(x, CA_MANAGE, &a) != 0)
			return -1;
		community = a.community_id;
	} else if (persona_load(x, id, &community) != 0)
		return -1;
	if (!authz_is_staff(x->conn) &&
	    authz_community(x, community, CA_MANAGE, &a) != 0)
		return -1;
	if (id == 0) {
		st = db_stmt(srv->db, "SELECT count(*) FROM personas WHERE "
		    "community_id = ?");
		sqlite3_bind_int64(st, 1, community);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
		if (n >= PERSONAS_MAX)
			return call_fail(x, ERR_CONFLICT, "A community keeps at "
			    "most %d personas: change or remove one.",
			    PERSONAS_MAX);
		st = db_stmt(srv->db, "INSERT INTO personas (community_id, "
		    "name, description, needs, pain_points, ways, updated_by, "
		    "updated_at) VALUES (?, ?, coalesce(?, ''), coalesce(?, ''), "
		    "coalesce(?, ''), coalesce(?, ''), nullif(?, 0), ?)");
		sqlite3_bind_int64(st, 1, community);
	} else {
		st = db_stmt(srv->db, "UPDATE personas SET name = coalesce(?2, "
		    "name), description = coalesce(?3, description), needs = "
		    "coalesce(?4, needs), pain_points = coalesce(?5, "
		    "pain_points), ways = coalesce(?6, ways), updated_by = "
		    "nullif(?7, 0), updated_at = ?8 WHERE id = ?1");
		sqlite3_bind_int64(st, 1, id);
	}
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(st, 3 + i, text[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, call_actor(x));
	sqlite3_bind_int64(st, 8, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	if (id == 0)
		id = sqlite3_last_insert_rowid(srv->db);
	x->result = json_pack("{s:I}", "persona_id", id);
	return 0;
}

static int
op_persona_delete(struct call *x)
{
	json_int_t id = 0;
	int64_t community = 0;
	struct access a;
	sqlite3_stmt *st;

	if (arg_int(x->args, "persona_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (persona_load(x, id, &community) != 0 ||
	    (!authz_is_staff(x->conn) &&
	    authz_community(x, community, CA_MANAGE, &a) != 0))
		return -1;
	st = db_stmt(srv->db, "DELETE FROM personas WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:I, s:b}", "persona_id", id, "deleted", 1);
	return 0;
}

/*
 * Tag an event with the personas it serves {event_id, persona_ids}
 * (replacing its tags): the event's community's leaders and managers.
 */
static int
op_persona_tag(struct call *x)
{
	json_int_t id = 0;
	int64_t community = 0;
	json_t *ids, *v;
	struct access a;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (arg_int(x->args, "event_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	ids = json_object_get(x->args, "persona_ids");
	st = db_stmt(srv->db, "SELECT coalesce(community_id, 0) FROM events "
	    "WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		community = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW || community == 0 || (!authz_is_staff(x->conn) &&
	    authz_community(x, community, CA_READ, &a) != 0)) {
		x->err = 0;
		return call_fail(x, ERR_NOT_FOUND, "No event %lld in a "
		    "community (personas are a community's).", (long long)id);
	}
	if (!authz_is_staff(x->conn) &&
	    authz_community(x, community, CA_MODERATE, &a) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT 1 FROM personas WHERE id = ? AND "
	    "community_id = ?");
	json_array_foreach(ids, i, v) {
		sqlite3_bind_int64(st, 1, json_integer_value(v));
		sqlite3_bind_int64(st, 2, community);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return call_fail(x, ERR_NOT_FOUND, "args.persona_ids: "
			    "no persona %lld in the event's community.",
			    (long long)json_integer_value(v));
	}
	st = db_stmt(srv->db, "DELETE FROM event_personas WHERE event_id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "INSERT OR IGNORE INTO event_personas (event_id, "
	    "persona_id) VALUES (?, ?)");
	json_array_foreach(ids, i, v) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, json_integer_value(v));
		if (call_step(x, st) != 0)
			return -1;
	}
	x->result = json_pack("{s:I, s:O}", "event_id", id, "persona_ids",
	    ids);
	return 0;
}

const struct op op_persona_table[] = {
	{ "persona.list", OP_MEMBER, op_persona_list,
	    "A community's personas {slug}, each with the events tagged as "
	    "serving it.",
	    RATE_READ, ARGS(ARG_STR("slug", ARG_REQ, 47)) },
	{ "persona.save", OP_MEMBER | OP_WRITE, op_persona_save,
	    "Add {slug, name, description?, needs?, pain_points?, ways?} or "
	    "change {persona_id, ...} a persona (managers; at most 5).",
	    RATE_WRITE, ARGS(ARG_STR("slug", ARG_OPT, 47),
	    ARG_INT("persona_id", ARG_OPT, 1, INT64_MAX),
	    ARG_STR("name", ARG_OPT, PERSONA_NAME_MAX),
	    ARG_STR("description", ARG_OPT, PERSONA_TEXT_MAX),
	    ARG_STR("needs", ARG_OPT, PERSONA_TEXT_MAX),
	    ARG_STR("pain_points", ARG_OPT, PERSONA_TEXT_MAX),
	    ARG_STR("ways", ARG_OPT, PERSONA_TEXT_MAX)) },
	{ "persona.delete", OP_MEMBER | OP_WRITE, op_persona_delete,
	    "Remove a persona {persona_id} (managers).",
	    RATE_WRITE, ARGS(ARG_INT("persona_id", ARG_REQ, 1, INT64_MAX)) },
	{ "persona.tag", OP_MEMBER | OP_WRITE, op_persona_tag,
	    "The personas an event serves {event_id, persona_ids} (leaders "
	    "and managers of its community).",
	    RATE_WRITE, ARGS(ARG_INT("event_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INTS("persona_ids", ARG_REQ, 0, PERSONAS_MAX, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
