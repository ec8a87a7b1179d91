/*
 * op-event.c: the programme of events. Events belong to a community or to
 * the whole platform; members RSVP, hosts see who is coming, and surgery
 * members may queue with a topic before the event's room opens
 * (event.queue; op-room.c takes the queue over when the room opens). The
 * reminders are event-remind.c's, the iCalendar feed event-ics.c's; the
 * three read events rows the same way (event_from_row, in server.h).
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define EVENT_MAX_HOSTS 10

static const char *const event_kinds[] = { "drop_in", "surgery",
	"show_and_tell", "summit", "other", NULL };

void
event_clear(struct event *e)
{
	free(e->slug);
	free(e->title);
	free(e->kind);
	free(e->description);
	free(e->recurrence);
	free(e->cancel_reason);
	memset(e, 0, sizeof *e);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return xstrdup(db_col_text(st, i));
}

static bool
word_in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return true;
	}
	return false;
}

void
event_from_row(sqlite3_stmt *st, struct event *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->community_id = sqlite3_column_int64(st, 1);
	e->slug = col_dup(st, 2);
	e->title = xstrdup(db_col_text(st, 3));
	e->kind = xstrdup(db_col_text(st, 4));
	e->description = xstrdup(db_col_text(st, 5));
	e->starts = sqlite3_column_int64(st, 6);
	e->duration = sqlite3_column_int64(st, 7);
	e->recurrence = xstrdup(db_col_text(st, 8));
	e->capacity = sqlite3_column_int64(st, 9);
	e->created_by = sqlite3_column_int64(st, 10);
	e->created_at = sqlite3_column_int64(st, 11);
	e->updated_at = sqlite3_column_int64(st, 12);
	e->sequence = sqlite3_column_int64(st, 13);
	e->cancelled_at = sqlite3_column_int64(st, 14);
	e->cancel_reason = col_dup(st, 15);
	e->thread_id = sqlite3_column_int64(st, 16);
}

/* Load an event by id: 1 found, 0 not, -1 database error. */
static int
ev_get(int64_t id, struct event *e)
{
	static char sql[sizeof EVENT_SELECT + 32];
	sqlite3_stmt *st;
	int rc;

	if (sql[0] == '\0')
		snprintf(sql, sizeof sql, "%sWHERE e.id = ?", EVENT_SELECT);
	st = db_stmt(srv->db, sql);
	memset(e, 0, sizeof *e);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		event_from_row(st, e);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/*
 * May the caller do act to this event? Community events ask authz.c;
 * platform-wide events are for every member to see and take part in, and
 * for staff to run. Fails the call on refusal.
 */
static int
ev_access(struct call *x, const struct event *e, enum cact act)
{
	struct access a;

	if (e->community_id != 0)
		return authz_community(x, e->community_id, act, &a);
	if (act == CA_SEE || act == CA_READ)
		return 0;
	if (act == CA_REPLY || act == CA_POST) {
		if (x->conn->console || coc_accepted(&x->conn->member))
			return 0;
		return call_fail(x, ERR_COC_REQUIRED,
		    "Please read and accept the code of conduct "
		    "(member.accept_coc) before taking part.");
	}
	if (authz_is_staff(x->conn))
		return 0;
	return call_fail(x, ERR_FORBIDDEN,
	    "Only staff may run platform-wide events.");
}

bool
event_is_host(int64_t event_id, int64_t member_id)
{
	return db_exists(srv->db,
	    "SELECT 1 FROM event_hosts WHERE event_id = ? AND member_id = ?",
	    event_id, member_id);
}

/* Hosts, the event's creator and the community's leaders may change it. */
static int
ev_may_manage(struct call *x, const struct event *e)
{
	int64_t me = x->conn->member.id;

	if (ev_access(x, e, CA_SEE) != 0)
		return -1;
	if (me != 0 && (event_is_host(e->id, me) || e->created_by == me))
		return 0;
	if (ev_access(x, e, CA_MODERATE) == 0)
		return 0;
	if (x->err == ERR_FORBIDDEN)
		return call_fail(x, ERR_FORBIDDEN,
		    "Only the event's hosts, its creator or the community's "
		    "leaders and managers may change it.");
	return -1;
}

/* Load the event named by args.id and check act; fails the call. */
static int
ev_arg(struct call *x, struct event *e, enum cact act)
{
	json_int_t id = 0;
	int rc;

	memset(e, 0, sizeof *e);
	if (arg_int(x->args, "id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	rc = ev_get(id, e);
	if (rc < 0)
		return call_db_fail(x);
	if (rc == 0)
		return call_fail(x, ERR_NOT_FOUND, "No such event.");
	if (ev_access(x, e, CA_SEE) != 0 || ev_access(x, e, act) != 0) {
		if (x->err == ERR_FORBIDDEN && act == CA_READ)
			return call_fail(x, ERR_NOT_FOUND, "No such event.");
		return -1;
	}
	return 0;
}

/* The event's hosts as [{handle, display_name}]. */
static json_t *
hosts_json(int64_t event_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT m.handle, m.display_name FROM event_hosts h "
	    "JOIN members m ON m.id = h.member_id WHERE h.event_id = ? "
	    "ORDER BY m.handle");
	json_t *list = json_array();

	sqlite3_bind_int64(st, 1, event_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:s}", "handle",
		    db_col_text(st, 0), "display_name", db_col_text(st, 1)));
	sqlite3_reset(st);
	return list;
}

static int64_t
rsvp_count(int64_t event_id, const char *status)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT count(*) FROM event_rsvps WHERE event_id = ? "
	    "AND status = ?");
	int64_t n = 0;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * The member's answer (null without one) and, when scope is not NULL,
 * what it covers: "every" occurrence, or the start of one (ISO 8601).
 */
static json_t *
my_rsvp(int64_t event_id, int64_t me, json_t **scope)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT status, occurrence FROM event_rsvps WHERE event_id = ? "
	    "AND member_id = ?");
	json_t *v = json_null();
	int64_t occ = 0;

	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, me);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_decref(v);
		v = json_string(db_col_text(st, 0));
		occ = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (scope != NULL)
		*scope = json_is_null(v) ? json_null() : occ == 0 ?
		    json_string("every") : time_json(occ);
	return v;
}

/* The public face of an event (no attendee names). */
static json_t *
ev_json(const struct event *e, int64_t me)
{
	int64_t next = e->cancelled_at ? 0 : recur_upcoming(e->recurrence,
	    e->starts, e->duration, now_unix());
	int64_t room = room_for_event(e->id);
	json_t *scope, *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:s}",
	    "id", (json_int_t)e->id, "title", e->title, "kind", e->kind,
	    "description", e->description, "starts_at", time_json(e->starts),
	    "next_start", time_json(next), "duration",
	    (json_int_t)(e->duration / 60), "recurrence", e->recurrence);

	json_object_set_new(o, "community", e->slug != NULL ?
	    json_string(e->slug) : json_null());
	json_object_set_new(o, "capacity", e->capacity != 0 ?
	    json_integer(e->capacity) : json_null());
	json_object_set_new(o, "hosts", hosts_json(e->id));
	json_object_set_new(o, "going", json_integer(rsvp_count(e->id,
	    "going")));
	json_object_set_new(o, "maybe", json_integer(rsvp_count(e->id,
	    "maybe")));
	json_object_set_new(o, "my_rsvp", my_rsvp(e->id, me, &scope));
	json_object_set_new(o, "my_rsvp_for", scope);
	json_object_set_new(o, "cancelled", time_json(e->cancelled_at));
	if (e->cancelled_at != 0)
		json_object_set_new(o, "cancel_reason", e->cancel_reason ?
		    json_string(e->cancel_reason) : json_null());
	json_object_set_new(o, "thread_id", e->thread_id != 0 ?
	    json_integer(e->thread_id) : json_null());
	json_object_set_new(o, "room_id", room != 0 ? json_integer(room) :
	    json_null());
	return o;
}

/* Resolve args.hosts (handles) into member ids; fails the call. */
static int
hosts_arg(struct call *x, int64_t *ids, size_t *n)
{
	json_t *v = json_object_get(x->args, "hosts"), *h;
	struct member m;
	size_t i;
	int rc;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > EVENT_MAX_HOSTS)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.hosts must be a list of 1 to %d handles",
		    EVENT_MAX_HOSTS);
	json_array_foreach(v, i, h) {
		if (!json_is_string(h))
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.hosts must be a list of handles");
		memset(&m, 0, sizeof m);
		rc = member_by_handle(srv->db, json_string_value(h), &m);
		if (rc < 0)
			return call_db_fail(x);
		if (rc == 0 || m.removed) {
			member_clear(&m);
			return call_fail(x, ERR_NOT_FOUND,
			    "No member '%.40s' to host the event.",
			    json_string_value(h));
		}
		ids[(*n)++] = m.id;
		member_clear(&m);
	}
	return 0;
}

static int
hosts_set(struct call *x, int64_t event_id, const int64_t *ids, size_t n)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "DELETE FROM event_hosts WHERE event_id = ?");
	int rc;

	sqlite3_bind_int64(st, 1, event_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	st = db_stmt(srv->db, "INSERT OR IGNORE INTO event_hosts "
	    "(event_id, member_id) VALUES (?, ?)");
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, event_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
	}
	return 0;
}

int
event_insert(struct call *x, int64_t community_id, const char *title,
    const char *kind, const char *description, int64_t starts,
    int64_t duration, const char *recurrence, int64_t capacity,
    const int64_t *hosts, size_t nhosts, int64_t *id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "INSERT INTO events (community_id, title, kind, description, "
	    "starts_at, duration, ends_at, recurrence, capacity, created_by, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)");
	int64_t now = now_unix();
	int rc;

	if (community_id != 0)
		sqlite3_bind_int64(st, 1, community_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, description, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, starts);
	sqlite3_bind_int64(st, 6, duration);
	sqlite3_bind_int64(st, 7, recur_end(recurrence, starts, duration));
	sqlite3_bind_text(st, 8, recurrence, -1, SQLITE_STATIC);
	if (capacity != 0)
		sqlite3_bind_int64(st, 9, capacity);
	else
		sqlite3_bind_null(st, 9);
	if (x->conn->member.id != 0)
		sqlite3_bind_int64(st, 10, x->conn->member.id);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_int64(st, 11, now);
	sqlite3_bind_int64(st, 12, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	*id = sqlite3_last_insert_rowid(srv->db);
	if (hosts_set(x, *id, hosts, nhosts) != 0)
		return -1;
	event_remind_start();
	return 0;
}

/*
 * The fields event.create and event.update share. On update (e != NULL)
 * absent fields keep the event's values; fails the call on bad input.
 */
struct ev_args {
	const char *title, *kind, *description, *recurrence, *starts_str;
	int64_t starts, duration, capacity;
};

static int
ev_args_parse(struct call *x, struct ev_args *a, const struct event *e)
{
	json_int_t minutes = 0, cap = -1;
	json_t *capv;
	int rc;

	a->title = e ? e->title : NULL;
	a->kind = e ? e->kind : "drop_in";
	a->description = e ? e->description : "";
	a->recurrence = e ? e->recurrence : "none";
	a->starts_str = NULL;
	a->starts = e ? e->starts : 0;
	a->duration = e ? e->duration : 3600;
	a->capacity = e ? e->capacity : 0;
	if (arg_str(x->args, "title", e == NULL, 120, &a->title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "kind", false, 20, &a->kind, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "description", false, 4000, &a->description,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "recurrence", false, 20, &a->recurrence, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "starts_at", e == NULL, 40, &a->starts_str,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "duration", false, 5, 7 * 24 * 60, &minutes,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	capv = json_object_get(x->args, "capacity");
	if (capv != NULL && !json_is_null(capv) &&
	    arg_int(x->args, "capacity", false, 1, 100000, &cap, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (capv != NULL)
		a->capacity = cap > 0 ? cap : 0;
	if (minutes != 0)
		a->duration = minutes * 60;
	if (a->title[0] == '\0' || !utf8_valid(a->title, strlen(a->title)))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.title must be 1-120 bytes of UTF-8 text");
	if (utf8_check_arg("title", a->title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("description", a->description, UTF8_LINES,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (!word_in(a->kind, event_kinds))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.kind must be drop_in, surgery, show_and_tell, summit "
		    "or other");
	if (!recur_valid(a->recurrence))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.recurrence must be none, weekly, fortnightly or "
		    "monthly");
	if (a->starts_str != NULL && (rc = time_parse(a->starts_str,
	    TIME_WIRE, &a->starts)) != TIME_OK)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.starts_at must be a date and time like "
		    "2026-12-01T15:00:00Z (UTC) or 2026-12-01T16:00+01:00: %s",
		    time_parse_error(rc));
	return 0;
}

/* Notify hosts and everyone going or maybe, except the actor. */
static int
notify_attendees(struct call *x, const struct event *e, const char *kind,
    const char *text)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT member_id FROM event_rsvps WHERE event_id = ?1 "
	    "AND status IN ('going', 'maybe') UNION "
	    "SELECT member_id FROM event_hosts WHERE event_id = ?1");
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	sqlite3_bind_int64(st, 1, e->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	struct notify_ref ref = { .community_id = e->community_id,
		.event_id = e->id };

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = notify_add_ref(x, ids[i], kind, &ref, "%s", text);
	free(ids);
	return rc;
}

static int
op_event_create(struct call *x)
{
	struct ev_args a;
	struct access acc;
	const char *slug = NULL;
	int64_t hosts[EVENT_MAX_HOSTS], id, community = 0;
	size_t nhosts;
	struct event e;
	int rc;

	if (arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (slug != NULL) {
		if (authz_community_slug(x, slug, CA_MODERATE, &acc) != 0) {
			if (x->err == ERR_FORBIDDEN)
				call_fail(x, ERR_FORBIDDEN, "Only leaders and "
				    "managers of %s may add events to its "
				    "programme.", acc.name);
			return -1;
		}
		community = acc.community_id;
	} else if (!authz_is_staff(x->conn))
		return call_fail(x, ERR_FORBIDDEN,
		    "Only staff may create platform-wide events; give "
		    "args.community for a community's event.");
	if (ev_args_parse(x, &a, NULL) != 0 || hosts_arg(x, hosts, &nhosts))
		return -1;
	if (a.starts + a.duration <= now_unix() &&
	    strcmp(a.recurrence, "none") == 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.starts_at is in the past; events are for the future");
	if (nhosts == 0) {
		if (x->conn->member.id == 0)
			return call_fail(x, ERR_BAD_REQUEST,
			    "args.hosts is required from the console");
		hosts[nhosts++] = x->conn->member.id;
	}
	if (event_insert(x, community, a.title, a.kind, a.description,
	    a.starts, a.duration, a.recurrence, a.capacity, hosts, nhosts,
	    &id) != 0)
		return -1;
	rc = ev_get(id, &e);
	if (rc != 1)
		return call_db_fail(x);
	x->result = json_pack("{s:o}", "event", ev_json(&e,
	    x->conn->member.id));
	event_clear(&e);
	return 0;
}

static int
op_event_update(struct call *x)
{
	struct event e;
	struct ev_args a;
	int64_t hosts[EVENT_MAX_HOSTS], id;
	size_t nhosts;
	sqlite3_stmt *st;
	bool moved;
	char when[32];
	int rc;

	if (ev_arg(x, &e, CA_READ) != 0 || ev_may_manage(x, &e) != 0)
		goto fail;
	if (e.cancelled_at != 0) {
		call_fail(x, ERR_CONFLICT,
		    "That event was cancelled; create a new one instead.");
		goto fail;
	}
	if (ev_args_parse(x, &a, &e) != 0 || hosts_arg(x, hosts, &nhosts))
		goto fail;
	moved = a.starts != e.starts || a.duration != e.duration ||
	    strcmp(a.recurrence, e.recurrence) != 0;
	st = db_stmt(srv->db,
	    "UPDATE events SET title = ?, kind = ?, description = ?, "
	    "starts_at = ?, duration = ?, ends_at = ?, recurrence = ?, "
	    "capacity = ?, updated_at = ?, sequence = sequence + 1 "
	    "WHERE id = ?");
	sqlite3_bind_text(st, 1, a.title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, a.kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, a.description, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, a.starts);
	sqlite3_bind_int64(st, 5, a.duration);
	sqlite3_bind_int64(st, 6, recur_end(a.recurrence, a.starts,
	    a.duration));
	sqlite3_bind_text(st, 7, a.recurrence, -1, SQLITE_TRANSIENT);
	if (a.capacity != 0)
		sqlite3_bind_int64(st, 8, a.capacity);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, now_unix());
	sqlite3_bind_int64(st, 10, e.id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		call_db_fail(x);
		goto fail;
	}
	if (nhosts > 0 && hosts_set(x, e.id, hosts, nhosts) != 0)
		goto fail;
	if (moved) {
		time_iso8601(a.starts, when);
		rc = 0;
		{
			char *text = xasprintf("“%s” has moved: it now "
			    "starts %s.", a.title, when);

			rc = notify_attendees(x, &e, "event_changed", text);
			free(text);
		}
		if (rc != 0)
			goto fail;
	}
	event_remind_start();
	id = e.id;
	event_clear(&e);
	if (ev_get(id, &e) != 1) {
		call_db_fail(x);
		goto fail;
	}
	x->result = json_pack("{s:o}", "event", ev_json(&e,
	    x->conn->member.id));
	event_clear(&e);
	return 0;
fail:
	event_clear(&e);
	return -1;
}

static int
op_event_cancel(struct call *x)
{
	struct event e;
	const char *reason = "";
	sqlite3_stmt *st;
	char *text;
	int rc;

	if (ev_arg(x, &e, CA_READ) != 0 || ev_may_manage(x, &e) != 0)
		goto fail;
	if (arg_str(x->args, "reason", false, 500, &reason, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("reason", reason, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0) {
		call_bad(x);
		goto fail;
	}
	if (e.cancelled_at != 0) {
		call_fail(x, ERR_CONFLICT, "That event is already cancelled.");
		goto fail;
	}
	st = db_stmt(srv->db, "UPDATE events SET cancelled_at = ?, "
	    "cancel_reason = ?, updated_at = ?1, sequence = sequence + 1 "
	    "WHERE id = ?3");
	sqlite3_bind_int64(st, 1, now_unix());
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, e.id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		call_db_fail(x);
		goto fail;
	}
	text = xasprintf("“%s” was cancelled%s%s", e.title,
	    reason[0] ? ": " : ".", reason);
	rc = notify_attendees(x, &e, "event_cancelled", text);
	if (rc == 0 && room_for_event(e.id) != 0) {
		char *say = xasprintf("%s The room stays open until a host "
		    "closes it.", text);

		room_notice(&x->out, room_for_event(e.id), say);
		free(say);
	}
	free(text);
	if (rc != 0)
		goto fail;
	x->result = json_pack("{s:I, s:b}", "id", (json_int_t)e.id,
	    "cancelled", 1);
	event_clear(&e);
	return 0;
fail:
	event_clear(&e);
	return -1;
}

/*
 * args.occurrence of a repeating event: "every" (the default) or the start
 * of one occurrence not yet over, into *occ (0: every one). A one-off has
 * only its one time, so its answer is simply for it (0).
 */
static int
rsvp_occurrence(struct call *x, const struct event *e, int64_t *occ)
{
	const char *v = NULL;
	int64_t t;

	*occ = 0;
	if (arg_str(x->args, "occurrence", false, 40, &v, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (v == NULL || strcmp(v, "every") == 0 || !recur_repeats(
	    e->recurrence))
		return 0;
	if (call_arg_time(x, "occurrence", true, &t) != 0)
		return -1;
	if (recur_next(e->recurrence, e->starts, t) != t)
		return call_fail(x, ERR_BAD_REQUEST, "“%s” does not happen "
		    "then: answer for one of its times, or for every one.",
		    e->title);
	if (t + e->duration <= now_unix())
		return call_fail(x, ERR_CONFLICT, "That time of “%s” is "
		    "over.", e->title);
	*occ = t;
	return 0;
}

static int
op_event_rsvp(struct call *x)
{
	struct event e;
	int64_t occ = 0;
	const char *status = NULL;
	sqlite3_stmt *st;
	json_t *mine;
	bool was_going;
	int rc;

	if (ev_arg(x, &e, CA_READ) != 0)
		goto fail;
	if (arg_str(x->args, "status", true, 16, &status, x->msg,
	    sizeof x->msg) != 0) {
		call_bad(x);
		goto fail;
	}
	if (strcmp(status, "going") != 0 && strcmp(status, "maybe") != 0 &&
	    strcmp(status, "not_going") != 0) {
		call_fail(x, ERR_BAD_REQUEST,
		    "args.status must be going, maybe or not_going");
		goto fail;
	}
	if (e.cancelled_at != 0) {
		call_fail(x, ERR_CONFLICT, "That event was cancelled.");
		goto fail;
	}
	if (recur_upcoming(e.recurrence, e.starts, e.duration,
	    now_unix()) < 0) {
		call_fail(x, ERR_CONFLICT, "That event is over.");
		goto fail;
	}
	if (rsvp_occurrence(x, &e, &occ) != 0)
		goto fail;
	mine = my_rsvp(e.id, x->conn->member.id, NULL);
	was_going = json_is_string(mine) &&
	    strcmp(json_string_value(mine), "going") == 0;
	json_decref(mine);
	if (strcmp(status, "going") == 0 && !was_going && e.capacity != 0 &&
	    rsvp_count(e.id, "going") >= e.capacity) {
		call_fail(x, ERR_CONFLICT, "“%s” is full (%lld places). You "
		    "can answer maybe and ask the hosts.", e.title,
		    (long long)e.capacity);
		goto fail;
	}
	st = db_stmt(srv->db, "INSERT INTO event_rsvps (event_id, member_id, "
	    "status, at, occurrence) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
	    "(event_id, member_id) DO UPDATE SET status = excluded.status, "
	    "at = excluded.at, occurrence = excluded.occurrence");
	sqlite3_bind_int64(st, 1, e.id);
	sqlite3_bind_int64(st, 2, x->conn->member.id);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix());
	sqlite3_bind_int64(st, 5, occ);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		call_db_fail(x);
		goto fail;
	}
	event_remind_start();
	x->result = json_pack("{s:o, s:o}", "event", ev_json(&e,
	    x->conn->member.id), "for", occ == 0 ? json_string("every") :
	    time_json(occ));
	event_clear(&e);
	return 0;
fail:
	event_clear(&e);
	return -1;
}

/* Who is coming, for hosts and leaders: [{handle, display_name, status}]. */
static json_t *
attendees_json(int64_t event_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT m.handle, m.display_name, r.status, r.at "
	    "FROM event_rsvps r JOIN members m ON m.id = r.member_id "
	    "WHERE r.event_id = ? ORDER BY r.at, m.handle");
	json_t *list = json_array();

	sqlite3_bind_int64(st, 1, event_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}",
		    "handle", db_col_text(st, 0), "display_name",
		    db_col_text(st, 1), "status", db_col_text(st, 2), "at",
		    db_col_json_time(st, 3)));
	sqlite3_reset(st);
	return list;
}

/* The pre-room surgery queue: everyone's for hosts, else one's own. */
static json_t *
queue_json(int64_t event_id, int64_t only)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT m.handle, m.display_name, q.topic, q.at, q.member_id "
	    "FROM event_queue q JOIN members m ON m.id = q.member_id "
	    "WHERE q.event_id = ? ORDER BY q.at, q.member_id");
	json_t *list = json_array();
	int place = 0;

	sqlite3_bind_int64(st, 1, event_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		place++;
		if (only != 0 && sqlite3_column_int64(st, 4) != only)
			continue;
		json_array_append_new(list, json_pack("{s:i, s:s, s:s, s:s, "
		    "s:o}", "place", place, "handle", db_col_text(st, 0),
		    "display_name", db_col_text(st, 1), "topic",
		    db_col_text(st, 2), "at", db_col_json_time(st, 3)));
	}
	sqlite3_reset(st);
	return list;
}

static int
op_event_get(struct call *x)
{
	struct event e;
	int64_t me = x->conn->member.id;
	bool host;

	if (ev_arg(x, &e, CA_READ) != 0) {
		event_clear(&e);
		return -1;
	}
	x->result = json_pack("{s:o}", "event", ev_json(&e, me));
	host = ev_may_manage(x, &e) == 0;
	x->err = 0;
	x->msg[0] = '\0';
	if (host)
		json_object_set_new(json_object_get(x->result, "event"),
		    "attendees", attendees_json(e.id));
	json_object_set_new(json_object_get(x->result, "event"), "queue",
	    queue_json(e.id, host ? 0 : me));
	json_object_set_new(json_object_get(x->result, "event"), "is_host",
	    json_boolean(host));
	event_clear(&e);
	return 0;
}

/*
 * event.list: events not over yet, soonest first by first start, keyset
 * on (starts_at, id) with args.after = the previous page's next.
 */
static int
op_event_list(struct call *x)
{
	static const char *sql_key[3];
	static char sql_all[3][1024], sql_one[1024];
	const char *readable = authz_readable_sql(x->conn);
	size_t k;
	const char *slug = NULL, *after = NULL;
	json_int_t limit = 50;
	long long as = 0, aid = 0;
	struct access acc;
	sqlite3_stmt *st;
	json_t *list;
	int64_t now = now_unix(), last_s = 0, last_id = 0;
	int n = 0;

	if (arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "after", false, 64, &after, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 200, &limit, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (after != NULL && sscanf(after, "%lld.%lld", &as, &aid) != 2)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.after must be the next value of a previous page");
	if (after == NULL)
		as = INT64_MIN / 2;
	if (slug != NULL) {
		if (authz_community_slug(x, slug, CA_READ, &acc) != 0)
			return -1;
		if (sql_one[0] == '\0')
			snprintf(sql_one, sizeof sql_one, "%sWHERE "
			    "e.community_id = :c AND e.cancelled_at IS NULL "
			    "AND e.ends_at > :now AND (e.starts_at, e.id) > "
			    "(:as, :aid) ORDER BY e.starts_at, e.id LIMIT :n",
			    EVENT_SELECT);
		st = db_stmt(srv->db, sql_one);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":c"),
		    acc.community_id);
	} else {
		/* authz_readable_sql has one text per kind of caller. */
		for (k = 0; k < 3 && sql_key[k] != NULL &&
		    sql_key[k] != readable; k++)
			;
		if (k == 3)
			return call_fail(x, ERR_INTERNAL, "query cache full");
		if (sql_key[k] == NULL) {
			sql_key[k] = readable;
			snprintf(sql_all[k], sizeof sql_all[k], "%sWHERE "
			    "e.cancelled_at IS NULL AND e.ends_at > :now AND "
			    "(e.community_id IS NULL OR e.community_id IN "
			    "(%s)) AND (e.starts_at, e.id) > (:as, :aid) "
			    "ORDER BY e.starts_at, e.id LIMIT :n", EVENT_SELECT,
			    readable);
		}
		st = db_stmt(srv->db, sql_all[k]);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st,
		    ":me"), x->conn->member.id);
	}
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), now);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":as"), as);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":aid"), aid);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":n"),
	    limit + 1);
	list = json_array();
	/* Read the page first: ev_json runs other statements. */
	{
		struct event page[201];

		while (n <= limit && sqlite3_step(st) == SQLITE_ROW)
			event_from_row(st, &page[n++]);
		sqlite3_reset(st);
		for (int i = 0; i < n; i++) {
			if (i < limit) {
				json_array_append_new(list, ev_json(&page[i],
				    x->conn->member.id));
				last_s = page[i].starts;
				last_id = page[i].id;
			}
			event_clear(&page[i]);
		}
	}
	x->result = json_pack("{s:o}", "events", list);
	if (n > limit) {
		char cur[64];

		snprintf(cur, sizeof cur, "%lld.%lld", (long long)last_s,
		    (long long)last_id);
		json_object_set_new(x->result, "next", json_string(cur));
	} else
		json_object_set_new(x->result, "next", json_null());
	return 0;
}

/* event.queue: join (or leave) a surgery's queue before its room opens. */
static int
op_event_queue(struct call *x)
{
	struct event e;
	const char *topic = NULL;
	bool leave = false;
	sqlite3_stmt *st;
	int rc;

	if (ev_arg(x, &e, CA_READ) != 0)
		goto fail;
	if (arg_str(x->args, "topic", false, 200, &topic, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "leave", false, &leave, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("topic", topic, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0) {
		call_bad(x);
		goto fail;
	}
	if (ev_access(x, &e, CA_REPLY) != 0)
		goto fail;
	if (room_for_event(e.id) != 0) {
		call_fail(x, ERR_CONFLICT, "The room for “%s” is open: join "
		    "it (room.join) and queue there (room.queue_join).",
		    e.title);
		goto fail;
	}
	if (leave) {
		st = db_stmt(srv->db, "DELETE FROM event_queue WHERE "
		    "event_id = ? AND member_id = ?");
		sqlite3_bind_int64(st, 1, e.id);
		sqlite3_bind_int64(st, 2, x->conn->member.id);
	} else {
		if (topic == NULL || topic[0] == '\0' ||
		    !utf8_valid(topic, strlen(topic))) {
			call_fail(x, ERR_BAD_REQUEST, "args.topic is required: "
			    "say in a few words what you would like help "
			    "with");
			goto fail;
		}
		if (e.cancelled_at != 0 || recur_upcoming(e.recurrence,
		    e.starts, e.duration, now_unix()) < 0) {
			call_fail(x, ERR_CONFLICT,
			    "That event is cancelled or over.");
			goto fail;
		}
		st = db_stmt(srv->db, "INSERT INTO event_queue (event_id, "
		    "member_id, topic, at) VALUES (?, ?, ?, ?) ON CONFLICT "
		    "(event_id, member_id) DO UPDATE SET topic = "
		    "excluded.topic");
		sqlite3_bind_int64(st, 1, e.id);
		sqlite3_bind_int64(st, 2, x->conn->member.id);
		sqlite3_bind_text(st, 3, topic, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now_unix());
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		call_db_fail(x);
		goto fail;
	}
	x->result = json_pack("{s:I, s:o}", "id", (json_int_t)e.id, "queue",
	    queue_json(e.id, x->conn->member.id));
	event_clear(&e);
	return 0;
fail:
	event_clear(&e);
	return -1;
}

/* The fields of event.create that event.update may change (ev_args_parse). */
#define EVENT_FIELDS(req) ARG_STR("title", (req), 120), \
	ARG_STR("kind", ARG_OPT, 20), ARG_STR("description", ARG_OPT, 4000), \
	ARG_STR("recurrence", ARG_OPT, 20), ARG_STR("starts_at", (req), 40), \
	ARG_INT("duration", ARG_OPT, 5, 7 * 24 * 60), \
	ARG_INT("capacity", ARG_OPT, 1, 100000), \
	ARG_STRS("hosts", ARG_OPT, 1, EVENT_MAX_HOSTS, 40)

const struct op op_event_table[] = {
	{ "event.list", OP_MEMBER, op_event_list,
	    "Upcoming events you may see {community?, limit?, after?}, by "
	    "start; recurring ones with their next occurrence.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_OPT, 64),
	    ARG_STR("after", ARG_OPT, 64), ARG_INT("limit", ARG_OPT, 1, 200)) },
	{ "event.get", OP_MEMBER, op_event_get,
	    "One event {id}: details, hosts, RSVP counts, your RSVP; hosts "
	    "also see who is coming and the surgery queue.", RATE_READ,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX)) },
	{ "event.create", OP_MEMBER | OP_WRITE, op_event_create,
	    "Add an event {community?, title, kind?, starts_at, duration?, "
	    "hosts?, recurrence?, capacity?, description?} (leaders, "
	    "managers; staff for platform-wide events).", RATE_WRITE,
	    ARGS(ARG_STR("community", ARG_OPT, 64), EVENT_FIELDS(ARG_REQ)) },
	{ "event.update", OP_MEMBER | OP_WRITE, op_event_update,
	    "Change an event {id, ...the fields of event.create} (hosts, "
	    "creator, leaders).", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX), EVENT_FIELDS(ARG_OPT)) },
	{ "event.cancel", OP_MEMBER | OP_WRITE, op_event_cancel,
	    "Cancel an event {id, reason?}; everyone coming is told.",
	    RATE_WRITE, ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("reason", ARG_OPT, 500)) },
	{ "event.rsvp", OP_MEMBER | OP_SELF | OP_WRITE, op_event_rsvp,
	    "Answer {id, status: going, maybe or not_going, occurrence?: "
	    "\"every\" (the default) or the start of one occurrence of a "
	    "repeating event}; going is refused when the event is full. The "
	    "result says what the answer is for.", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("status", ARG_REQ, 16),
	    ARG_STR("occurrence", ARG_OPT, 40)) },
	{ "event.queue", OP_MEMBER | OP_SELF | OP_WRITE, op_event_queue,
	    "Queue for a surgery before its room opens {id, topic}, or "
	    "{id, leave: true}.", RATE_WRITE,
	    ARGS(ARG_INT("id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("topic", ARG_OPT, 200), ARG_BOOL("leave", ARG_OPT)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
