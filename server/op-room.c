/*
 * op-room.c: the room operations (room.*) and their table. A handler finds
 * the room and the caller's place in it (room_arg, here_arg, host_arg),
 * checks what the caller may do, changes the room (room.c), saves what
 * changed in the group transaction (room_row_save, room_person_save,
 * room_queue_save, and the kept lines of room.say) and leaves its events
 * on the call's outbox, so its "ok" means the change is on disk. room.open
 * links its new room, and room.close frees its room, only once the call
 * has committed. room.support and room.support_answer are here as
 * operations; the alerts and their escalation are room-support.c's.
 * room.consults reads the kept private consults from the database.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define ROOM_MSG_MAX 16000

/* May the caller read the room's community (the ordinary rule)? */
static bool
room_readable_by_rule(struct call *x, const struct room *r)
{
	struct access a;
	bool ok;

	if (r->community_id == 0)
		return true;
	ok = authz_community(x, r->community_id, CA_READ, &a) == 0;
	x->err = 0;
	x->msg[0] = '\0';
	return ok;
}

/*
 * Can the caller read the room's community? Fails the call if not. Staff
 * may also come into a room of a private community while a support request
 * there waits for them (they were told about it to come and help), and stay
 * while they are in it; they do not get its history (join_result).
 */
static int
room_readable(struct call *x, struct room *r)
{
	struct access a;

	if (r->community_id == 0)
		return 0;
	if (authz_is_staff(x->conn) && (room_support_escalated(r) ||
	    room_presence(r, x->conn) != NULL))
		return 0; /* (and stay while they help) */
	if (authz_community(x, r->community_id, CA_READ, &a) != 0) {
		if (x->err == ERR_FORBIDDEN)
			return call_fail(x, ERR_NOT_FOUND, "That room is not "
			    "open (it may have closed).");
		return -1;
	}
	return 0;
}

/* The room named by args.room_id; fails the call if there is none. */
static struct room *
room_arg(struct call *x)
{
	json_int_t id = 0;
	struct room *r;

	if (arg_int(x->args, "room_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0) {
		call_bad(x);
		return NULL;
	}
	if ((r = room_by_id(id)) == NULL || r->closing) {
		call_fail(x, ERR_NOT_FOUND, "That room is not open (it may "
		    "have closed).");
		return NULL;
	}
	if (room_readable(x, r) != 0)
		return NULL;
	return r;
}

/* The caller's presence in the room named by args; fails the call. */
static struct presence *
here_arg(struct call *x, struct room **rp)
{
	struct room *r = room_arg(x);
	struct presence *h;

	*rp = r;
	if (r == NULL)
		return NULL;
	if ((h = room_presence(r, x->conn)) == NULL)
		call_fail(x, ERR_CONFLICT,
		    "You are not in that room: join it first (room.join).");
	return h;
}

/* Hosts, and the community's leaders (staff for platform rooms). */
static bool
may_host(struct call *x, struct room *r, const struct person *p)
{
	struct access a;
	bool ok;

	if (p != NULL && p->host)
		return true;
	if (x->conn->console || x->conn->member.role == ROLE_ADMIN)
		return true;
	if (r->community_id == 0)
		return authz_is_staff(x->conn);
	ok = authz_community(x, r->community_id, CA_MODERATE, &a) == 0;
	x->err = 0;
	x->msg[0] = '\0';
	return ok;
}

/* The caller in the room, who must be able to host; fails the call. */
static struct presence *
host_arg(struct call *x, struct room **rp)
{
	struct presence *h = here_arg(x, rp);

	if (h == NULL)
		return NULL;
	if (!may_host(x, *rp, h->p)) {
		call_fail(x, ERR_FORBIDDEN, "Only the room's hosts may do "
		    "that.");
		return NULL;
	}
	return h;
}

/* Another person in the room named by args.handle; fails the call. */
static struct person *
target_arg(struct call *x, struct room *r, bool must_be_present)
{
	const char *handle = NULL;
	struct person *p;

	if (arg_str(x->args, "handle", true, 40, &handle, x->msg,
	    sizeof x->msg) != 0) {
		call_bad(x);
		return NULL;
	}
	for (p = r->people; p != NULL; p = p->next) {
		if (strcmp(p->handle, handle) == 0)
			break;
	}
	if (p == NULL || (must_be_present && p->present == 0)) {
		call_fail(x, ERR_NOT_FOUND, "'%.40s' is not in this room.",
		    handle);
		return NULL;
	}
	return p;
}

/*
 * May the caller speak in the room: write in its community, or be staff
 * (who come into rooms to answer support calls)? If not, why goes in why
 * and the error to answer in *code; the call's error is left clear either
 * way.
 */
static bool
may_say(struct call *x, const struct room *r, char *why, size_t whylen,
    enum proto_err *code)
{
	struct access a;
	bool ok;

	*code = ERR_FORBIDDEN;
	if (r->community_id == 0 || authz_is_staff(x->conn)) {
		ok = coc_accepted(&x->conn->member);
		if (!ok) {
			snprintf(why, whylen, "Please read and accept the "
			    "code of conduct before writing.");
			*code = ERR_COC_REQUIRED;
		}
		return ok;
	}
	ok = authz_community(x, r->community_id, CA_REPLY, &a) == 0;
	if (!ok) {
		snprintf(why, whylen, "%s", x->msg);
		*code = x->err;
	}
	x->err = 0;
	x->msg[0] = '\0';
	return ok;
}

static json_t *
people_json(const struct room *r)
{
	json_t *list = json_array();

	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->present > 0)
			json_array_append_new(list, room_person_json(p));
	}
	return list;
}

/*
 * What a joining (or opening) member gets back: the room, who is here, the
 * history, themselves (with can_say: a reader of the community who is not
 * a member may listen, not speak), their queue view, and for those who
 * may host (staff too) the support requests nobody has answered yet.
 */
static json_t *
join_result(struct call *x, struct room *r, struct person *p)
{
	/* staff let in to help with a support call hear only what follows */
	json_t *o = json_pack("{s:o, s:o, s:o, s:o}", "room",
	    room_state_json(r), "people", people_json(r), "history",
	    room_readable_by_rule(x, r) ? room_history_json(r) : json_array(),
	    "you", room_person_json(p));
	json_t *you = json_object_get(o, "you");
	char why[512] = "";
	enum proto_err code;

	json_object_set_new(you, "can_say", json_boolean(may_say(x, r, why,
	    sizeof why, &code)));
	if (why[0] != '\0')
		json_object_set_new(you, "why_not", json_string(why));
	if (p->consult_with != 0) {
		/* theirs only: who they are in a private consult with */
		struct person *w = room_person_find(r, p->consult_with);

		if (w != NULL)
			json_object_set_new(you, "consult_with",
			    json_string(w->handle));
	}
	json_object_set_new(o, "queue", room_queue_view(r, p));
	if (may_host(x, r, p) || authz_is_staff(x->conn))
		json_object_set_new(o, "support", room_support_json(r));
	return o;
}

static int
op_room_open(struct call *x)
{
	const char *slug = NULL, *title = NULL, *mode = NULL, *topic = "";
	json_int_t event_id = 0;
	bool surgery = false, surgery_set;
	enum rmode m;
	struct access a;
	sqlite3_stmt *st;
	struct room *r;
	struct person *p;
	int64_t community = 0, creator = 0, hosts[16], now = now_unix();
	char *ev_title = NULL, *ev_kind = NULL;
	size_t nhosts = 0;
	int rc;

	if (x->conn->member.id == 0)
		return call_fail(x, ERR_FORBIDDEN, "Rooms are for members.");
	surgery_set = json_object_get(x->args, "surgery") != NULL;
	if (arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "event_id", false, 1, INT64_MAX, &event_id,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "title", false, 120, &title, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "record", true, 16, &mode, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "topic", false, 200, &topic, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "surgery", false, &surgery, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("title", title, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("topic", topic, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (room_mode_parse(mode, &m) != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.record must be off, "
		    "transcript, chatham or summary: what the room keeps");
	if (event_id != 0) {
		if (slug != NULL)
			return call_fail(x, ERR_BAD_REQUEST,
			    "give args.event_id or args.community, not both");
		st = db_stmt(srv->db, "SELECT community_id, title, kind, "
		    "cancelled_at, created_by FROM events WHERE id = ?");
		sqlite3_bind_int64(st, 1, event_id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			community = sqlite3_column_int64(st, 0);
			ev_title = xstrdup(db_col_text(st, 1));
			ev_kind = xstrdup(db_col_text(st, 2));
			creator = sqlite3_column_int64(st, 4);
			rc = sqlite3_column_type(st, 3) != SQLITE_NULL ? -2 :
			    SQLITE_ROW;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW) {
			free(ev_title);
			free(ev_kind);
			if (rc == -2)
				return call_fail(x, ERR_CONFLICT,
				    "That event was cancelled.");
			return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND,
			    "No such event.") : call_db_fail(x);
		}
		if (!surgery_set)
			surgery = strcmp(ev_kind, "surgery") == 0;
		free(ev_kind);
		if (title == NULL)
			title = ev_title;
		if (room_for_event(event_id) != 0) {
			free(ev_title);
			return call_fail(x, ERR_CONFLICT, "The event's room is "
			    "already open (room %lld): join it.",
			    (long long)room_for_event(event_id));
		}
		if (community != 0 && authz_community(x, community, CA_READ,
		    &a) != 0) {
			free(ev_title);
			return x->err == ERR_FORBIDDEN ? call_fail(x,
			    ERR_NOT_FOUND, "No such event.") : -1;
		}
		/* As event.get's is_host: hosts, the creator, leaders. */
		if (!event_is_host(event_id, x->conn->member.id) &&
		    creator != x->conn->member.id &&
		    ((community != 0 && authz_community(x, community,
		    CA_MODERATE, &a) != 0) ||
		    (community == 0 && !authz_is_staff(x->conn)))) {
			free(ev_title);
			return call_fail(x, ERR_FORBIDDEN, "Only the event's "
			    "hosts and creator, or the community's leaders and "
			    "managers, may open its room.");
		}
	} else if (slug != NULL) {
		if (authz_community_slug(x, slug, CA_MODERATE, &a) != 0) {
			if (x->err == ERR_FORBIDDEN)
				call_fail(x, ERR_FORBIDDEN, "Only leaders and "
				    "managers of %s may open a room there (or "
				    "an event's hosts, from the event).",
				    a.name);
			return -1;
		}
		community = a.community_id;
	} else if (!authz_is_staff(x->conn))
		return call_fail(x, ERR_FORBIDDEN, "Give args.community or "
		    "args.event_id; only staff may open platform-wide rooms.");
	if (title == NULL || title[0] == '\0') {
		free(ev_title);
		return call_fail(x, ERR_BAD_REQUEST, "args.title is required "
		    "for a room without an event");
	}
	r = xcalloc(1, sizeof *r);
	r->community_id = community;
	r->event_id = event_id;
	r->title = xstrdup(title);
	r->topic = xstrdup(topic);
	r->mode = m;
	r->surgery = surgery;
	r->opened_at = now;
	r->opened_by = x->conn->member.id;
	free(ev_title);
	if (community != 0) {
		st = db_stmt(srv->db, "SELECT slug FROM communities "
		    "WHERE id = ?");
		sqlite3_bind_int64(st, 1, community);
		if (sqlite3_step(st) == SQLITE_ROW)
			r->slug = xstrdup(db_col_text(st, 0));
		sqlite3_reset(st);
	}
	st = db_stmt(srv->db, "INSERT INTO rooms (community_id, event_id, "
	    "title, record_mode, surgery, opened_by, opened_at, topic) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?)");
	if (community != 0)
		sqlite3_bind_int64(st, 1, community);
	else
		sqlite3_bind_null(st, 1);
	if (event_id != 0)
		sqlite3_bind_int64(st, 2, event_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, room_mode_names[m], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, surgery);
	sqlite3_bind_int64(st, 6, x->conn->member.id);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_text(st, 8, r->topic, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		room_free(r);
		return call_db_fail(x);
	}
	r->id = sqlite3_last_insert_rowid(srv->db);
	/* Hosts: the opener and the event's hosts. */
	hosts[nhosts++] = x->conn->member.id;
	if (event_id != 0) {
		st = db_stmt(srv->db, "SELECT member_id FROM event_hosts "
		    "WHERE event_id = ?");
		sqlite3_bind_int64(st, 1, event_id);
		while (nhosts < 16 && sqlite3_step(st) == SQLITE_ROW)
			hosts[nhosts++] = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	for (size_t i = 0; i < nhosts; i++) {
		if ((p = room_person_get(r, hosts[i])) != NULL)
			p->host = true;
	}
	/* The queue members joined before the room opened. */
	if (event_id != 0) {
		st = db_stmt(srv->db, "SELECT member_id, topic, at FROM "
		    "event_queue WHERE event_id = ? ORDER BY at, member_id");
		sqlite3_bind_int64(st, 1, event_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (room_person_get(r, sqlite3_column_int64(st,
			    0)) == NULL)
				continue;
			room_queue_append(r, sqlite3_column_int64(st, 0),
			    db_col_text(st, 1), sqlite3_column_int64(st, 2));
		}
		sqlite3_reset(st);
		st = db_stmt(srv->db, "DELETE FROM event_queue WHERE "
		    "event_id = ?");
		sqlite3_bind_int64(st, 1, event_id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			room_free(r);
			return call_db_fail(x);
		}
		/* Tell everyone coming, and those queued, that it is open. */
		st = db_stmt(srv->db, "SELECT member_id FROM event_rsvps "
		    "WHERE event_id = ? AND status IN ('going', 'maybe')");
		sqlite3_bind_int64(st, 1, event_id);
		{
			int64_t ids[256];
			size_t n = 0;

			while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
				ids[n++] = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			for (struct qentry *q = r->queue; q != NULL &&
			    n < 256; q = q->next)
				ids[n++] = q->member_id;
			for (size_t i = 0; i < n; i++) {
				bool dup = false;

				for (size_t j = 0; j < i; j++)
					dup = dup || ids[j] == ids[i];
				if (!dup && notify_add_ref(x, ids[i],
				    "room_open", &(struct notify_ref){
				    .community_id = community, .event_id =
				    event_id, .room_id = r->id }, "The room "
				    "for “%s” is open: join it now.",
				    r->title) != 0) {
					room_free(r);
					return -1;
				}
			}
		}
	}
	if (room_person_find(r, x->conn->member.id) == NULL) {
		room_free(r);
		return call_db_fail(x);
	}
	for (p = r->people; p != NULL; p = p->next) {
		if (room_person_save(x, r, p) != 0) {
			room_free(r);
			return -1;
		}
	}
	if (room_queue_save(x, r) != 0) {
		room_free(r);
		return -1;
	}
	/* The opener is brought in after the commit; say what they'll see,
	 * themselves present. */
	p = room_person_find(r, x->conn->member.id);
	p->present++;
	x->result = join_result(x, r, p);
	p->present--;
	room_opened(&x->out, r, x->conn->id);
	return 0;
}

static int
op_room_join(struct call *x)
{
	struct room *r = room_arg(x);
	struct person *p;

	if (r == NULL)
		return -1;
	p = room_person_find(r, x->conn->member.id);
	if (p != NULL && p->removed)
		return call_fail(x, ERR_FORBIDDEN, "A host removed you from "
		    "this room; you cannot rejoin it while it is open.");
	if ((p = room_enter(&x->out, r, x->conn)) == NULL)
		return call_db_fail(x);
	if (room_person_save(x, r, p) != 0)
		return -1;
	x->result = join_result(x, r, p);
	return 0;
}

static int
op_room_leave(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);

	if (h == NULL)
		return -1;
	room_presence_drop(&x->out, r, h, true);
	if (room_queue_save(x, r) != 0)
		return -1;
	x->result = json_pack("{s:I}", "room_id", (json_int_t)r->id);
	return 0;
}

/* Keep a message (room.say writes in the group transaction). */
static int
message_store(struct call *x, struct room *r, int64_t author,
    const char *text, int64_t pa, int64_t pb)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(srv->db, "INSERT INTO room_messages (room_id, "
	    "member_id, body, at, private_a, private_b) VALUES (?, ?, ?, ?, "
	    "?, ?)");
	sqlite3_bind_int64(st, 1, r->id);
	if (author != 0)
		sqlite3_bind_int64(st, 2, author);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix());
	if (pa != 0) {
		sqlite3_bind_int64(st, 5, pa);
		sqlite3_bind_int64(st, 6, pb);
	} else {
		sqlite3_bind_null(st, 5);
		sqlite3_bind_null(st, 6);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_fail(x, ERR_INTERNAL, "Could not keep your "
		    "message; it was not sent. Send it again.");
	return 0;
}

static bool
blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
			return false;
	}
	return true;
}

/*
 * Whether a room.say will keep its line (a recorded room, or a consult
 * being kept): otherwise it writes nothing and runs outside the group
 * transaction. Unsure (no such room, not in it): it runs as a write and
 * fails there.
 */
bool
room_say_writes(struct call *x)
{
	json_int_t id = 0;
	struct room *r;
	struct presence *h;

	if (json_is_integer(json_object_get(x->args, "room_id")))
		id = json_integer_value(json_object_get(x->args, "room_id"));
	if ((r = room_by_id((int64_t)id)) == NULL ||
	    (h = room_presence(r, x->conn)) == NULL)
		return true;
	if (h->p->consult_with != 0)
		return h->p->consult_record;
	return r->mode == RM_TRANSCRIPT || r->mode == RM_CHATHAM;
}

static int
op_room_say(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	struct person *p, *o;
	const char *text = NULL;
	char why[512];
	enum proto_err code;
	uint64_t t0 = uv_hrtime() / 1000;
	json_t *d;

	if (h == NULL)
		return -1;
	p = h->p;
	if (arg_str(x->args, "text", true, ROOM_MSG_MAX, &text, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("text", text, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (blank(text))
		return call_fail(x, ERR_BAD_REQUEST, "args.text is empty");
	if (p->muted)
		return call_fail(x, ERR_FORBIDDEN, "A host has muted you in "
		    "this room; your message was not sent. You can still "
		    "reach the hosts privately with \"I need support\" "
		    "(/support).");
	if (r->paused && !p->host && p->consult_with == 0)
		return call_fail(x, ERR_CONFLICT, "A host has paused the room; "
		    "your message was not sent. Try again when it resumes.");
	if (!may_say(x, r, why, sizeof why, &code))
		return call_fail(x, code, "%s", why);
	if (p->consult_with != 0) {
		/* A private consult: only the two see it. */
		o = room_person_find(r, p->consult_with);
		if (p->consult_record && message_store(x, r, p->member_id,
		    text, p->member_id, p->consult_with) != 0)
			return -1;
		d = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:b, s:s}",
		    "room_id", (json_int_t)r->id, "seq",
		    (json_int_t)room_next_seq(r), "at", time_json(now_unix()), "handle",
		    p->handle, "display_name", p->display_name, "text", text,
		    "private", 1, "with", o ? o->handle : "?");
		room_send_member(&x->out, r, p->member_id, "room.message",
		    json_incref(d));
		room_send_member(&x->out, r, p->consult_with, "room.message",
		    d);
		x->result = json_pack("{s:I, s:b}", "seq",
		    (json_int_t)r->seq, "private", 1);
		return 0;
	}
	if (r->mode == RM_TRANSCRIPT && message_store(x, r, p->member_id,
	    text, 0, 0) != 0)
		return -1;
	if (r->mode == RM_CHATHAM && message_store(x, r, 0, text, 0, 0) != 0)
		return -1;
	d = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s}", "room_id",
	    (json_int_t)r->id, "seq", (json_int_t)room_next_seq(r), "at",
	    time_json(now_unix()), "handle", p->handle, "display_name", p->display_name,
	    "text", text);
	/* Kept nowhere but the room's memory: nothing to wait for. */
	outbox_room_event(&x->out, r->id, 0, ROOM_EV_KEEP | (r->mode ==
	    RM_TRANSCRIPT || r->mode == RM_CHATHAM ? 0 : ROOM_EV_LIVE),
	    "room.message", d);
	room_fanout_probe(t0);
	x->result = json_pack("{s:I}", "seq", (json_int_t)r->seq);
	return 0;
}

static int
op_room_topic(struct call *x)
{
	struct room *r;
	const char *topic = NULL;

	if (host_arg(x, &r) == NULL)
		return -1;
	if (arg_str(x->args, "topic", true, 200, &topic, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("topic", topic, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	free(r->topic);
	r->topic = xstrdup(topic);
	if (room_row_save(x, r) != 0)
		return -1;
	room_send_state(&x->out, r);
	x->result = room_state_json(r);
	return 0;
}

static int
op_room_mute(struct call *x)
{
	struct room *r;
	struct person *t;
	bool muted = true;

	if (host_arg(x, &r) == NULL || (t = target_arg(x, r, false)) == NULL)
		return -1;
	if (arg_bool(x->args, "muted", false, &muted, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (t->host && muted)
		return call_fail(x, ERR_CONFLICT, "%s is hosting; hosts cannot "
		    "be muted.", t->handle);
	t->muted = muted;
	if (room_person_save(x, r, t) != 0)
		return -1;
	room_send_presence(&x->out, r, muted ? "muted" : "unmuted", t);
	x->result = room_person_json(t);
	return 0;
}

static int
op_room_remove(struct call *x)
{
	struct room *r;
	struct person *t;
	struct presence *h, *hn;
	const char *reason = "";
	json_t *d;

	if (host_arg(x, &r) == NULL || (t = target_arg(x, r, false)) == NULL)
		return -1;
	if (arg_str(x->args, "reason", false, 300, &reason, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("reason", reason, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (t->host)
		return call_fail(x, ERR_CONFLICT, "%s is hosting; hand hosting "
		    "over before removing them.", t->handle);
	t->removed = true;
	if (room_queue_place(r, t->member_id, NULL) != 0) {
		room_queue_remove(r, t->member_id);
		room_send_queue(&x->out, r);
	}
	d = json_pack("{s:I, s:b, s:s}", "room_id", (json_int_t)r->id,
	    "removed", 1, "reason", reason);
	/* to all their sessions: the presences go before it is delivered */
	outbox_member_event(&x->out, t->member_id, "room.state", d);
	for (h = r->here; h != NULL; h = hn) {
		hn = h->next;
		if (h->p == t)
			room_presence_drop(&x->out, r, h, true);
	}
	if (room_person_save(x, r, t) != 0 || room_queue_save(x, r) != 0)
		return -1;
	x->result = json_pack("{s:s, s:b}", "handle", t->handle, "removed",
	    1);
	return 0;
}

static int
op_room_pause(struct call *x)
{
	struct room *r;
	bool paused = true;

	if (host_arg(x, &r) == NULL)
		return -1;
	if (arg_bool(x->args, "paused", false, &paused, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	r->paused = paused;
	if (room_row_save(x, r) != 0)
		return -1;
	room_send_state(&x->out, r);
	x->result = room_state_json(r);
	return 0;
}

/* room.host: share hosting with someone present, or hand it over. */
static int
op_room_host(struct call *x)
{
	struct room *r;
	struct presence *h = host_arg(x, &r);
	struct person *t;
	bool hand_over = false;

	if (h == NULL || (t = target_arg(x, r, true)) == NULL)
		return -1;
	if (arg_bool(x->args, "hand_over", false, &hand_over, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	t->host = true;
	t->muted = false;
	if (t->present > 0)
		r->hostless_since = 0;
	if (hand_over && t != h->p)
		h->p->host = false;
	if (room_person_save(x, r, t) != 0 || room_person_save(x, r, h->p) != 0)
		return -1;
	room_send_state(&x->out, r);
	room_send_presence(&x->out, r, "host", t);
	if (!h->p->host)
		room_send_presence(&x->out, r, "unhost", h->p);
	room_send_queue(&x->out, r);
	x->result = room_state_json(r);
	return 0;
}

static int
op_room_queue_join(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	const char *topic = NULL;

	if (h == NULL)
		return -1;
	if (arg_str(x->args, "topic", true, 200, &topic, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("topic", topic, UTF8_LINE, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!r->surgery)
		return call_fail(x, ERR_CONFLICT, "This room is not a surgery: "
		    "it has no queue. Just say what you need.");
	if (blank(topic))
		return call_fail(x, ERR_BAD_REQUEST, "args.topic is required: "
		    "say in a few words what you would like help with");
	if (room_queue_place(r, h->p->member_id, NULL) != 0)
		room_queue_remove(r, h->p->member_id);
	room_queue_append(r, h->p->member_id, topic, now_unix());
	if (room_queue_save(x, r) != 0)
		return -1;
	room_send_queue(&x->out, r);
	x->result = room_queue_view(r, h->p);
	return 0;
}

static int
op_room_queue_leave(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);

	if (h == NULL)
		return -1;
	if (room_queue_place(r, h->p->member_id, NULL) == 0)
		return call_fail(x, ERR_CONFLICT, "You are not in the queue.");
	room_queue_remove(r, h->p->member_id);
	if (room_queue_save(x, r) != 0)
		return -1;
	room_send_queue(&x->out, r);
	x->result = room_queue_view(r, h->p);
	return 0;
}

/*
 * room.queue_take: the host takes the next person (or args.handle), in
 * public (the room is told who and what about) or into a private consult.
 */
static int
op_room_queue_take(struct call *x)
{
	struct room *r;
	struct presence *h = host_arg(x, &r);
	const char *handle = NULL, *record = "off";
	bool private = false;
	struct qentry *q;
	struct person *t = NULL;
	char *topic;

	if (h == NULL)
		return -1;
	if (arg_str(x->args, "handle", false, 40, &handle, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "private", false, &private, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "record", false, 16, &record, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (strcmp(record, "off") != 0 && strcmp(record, "transcript") != 0)
		return call_fail(x, ERR_BAD_REQUEST, "args.record for a "
		    "consult must be off or transcript (kept privately)");
	for (q = r->queue; q != NULL; q = q->next) {
		t = room_person_find(r, q->member_id);
		if (handle == NULL || (t != NULL && strcmp(t->handle,
		    handle) == 0))
			break;
	}
	if (q == NULL || t == NULL)
		return call_fail(x, ERR_NOT_FOUND, handle ? "'%.40s' is not "
		    "in the queue." : "%sThe queue is empty.", handle ? handle :
		    "");
	if (t->present == 0)
		return call_fail(x, ERR_CONFLICT, "%s has not joined the room "
		    "yet; take someone else or wait.", t->handle);
	if (private && (h->p->consult_with != 0 || t->consult_with != 0))
		return call_fail(x, ERR_CONFLICT, "End the current consult "
		    "first (room.consult_end).");
	if (t == h->p)
		return call_fail(x, ERR_CONFLICT, "You cannot take yourself.");
	topic = xstrdup(q->topic);
	room_queue_remove(r, t->member_id);
	if (t->hand) {
		t->hand = false;
		room_send_presence(&x->out, r, "hand_down", t);
	}
	if (private) {
		h->p->consult_with = t->member_id;
		t->consult_with = h->p->member_id;
		h->p->consult_record = t->consult_record =
		    strcmp(record, "transcript") == 0;
		room_consult_send(&x->out, r, h->p, true);
		room_consult_send(&x->out, r, t, true);
		/* everyone else sees why the host has gone quiet */
		room_system_message(&x->out, r, "%s, the host, is with someone "
		    "privately; back soon.", h->p->display_name);
	} else
		room_system_message(&x->out, r, "%s is now helping %s with: %s",
		    h->p->display_name, t->display_name, topic);
	room_send_queue(&x->out, r);
	if (room_queue_save(x, r) != 0) {
		free(topic);
		return -1;
	}
	x->result = json_pack("{s:s, s:s, s:b}", "handle", t->handle, "topic",
	    topic, "private", private);
	free(topic);
	return 0;
}

static int
op_room_consult_end(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);

	if (h == NULL)
		return -1;
	if (h->p->consult_with == 0)
		return call_fail(x, ERR_CONFLICT, "You are not in a private "
		    "consult.");
	room_consult_end(&x->out, r, h->p);
	x->result = json_pack("{s:I}", "room_id", (json_int_t)r->id);
	return 0;
}

static int
op_room_raise_hand(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	bool raised = true;

	if (h == NULL)
		return -1;
	if (arg_bool(x->args, "raised", false, &raised, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	h->p->hand = raised;
	room_send_presence(&x->out, r, raised ? "hand_up" : "hand_down", h->p);
	x->result = room_person_json(h->p);
	return 0;
}

static int
op_room_support(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	const char *text = "";

	if (h == NULL)
		return -1;
	if (arg_str(x->args, "text", false, 1000, &text, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("text", text, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	x->result = room_support_raise(&x->out, r, h->p->member_id, text);
	return 0;
}

static int
op_room_support_answer(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	json_int_t id = 0;

	if (h == NULL)
		return -1;
	if (!may_host(x, r, h->p) && !authz_is_staff(x->conn))
		return call_fail(x, ERR_FORBIDDEN, "Only the room's hosts, "
		    "or staff, may answer a support request.");
	if (arg_int(x->args, "support_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if ((x->result = room_support_answer(&x->out, r, id, h->p)) == NULL)
		return call_fail(x, ERR_NOT_FOUND, "No such support request "
		    "in this room.");
	return 0;
}

static int
op_room_close(struct call *x)
{
	struct room *r;
	struct presence *h;
	const char *summary = NULL;

	if ((r = room_arg(x)) == NULL)
		return -1;
	h = room_presence(r, x->conn);
	if (!may_host(x, r, h ? h->p : room_person_find(r, x->conn->member.id)))
		return x->err == ERR_NOT_FOUND ? -1 : call_fail(x,
		    ERR_FORBIDDEN, "Only the room's hosts may close it.");
	if (arg_str(x->args, "summary", false, 20000, &summary, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg("summary", summary, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (r->mode == RM_SUMMARY && (summary == NULL || blank(summary)))
		return call_fail(x, ERR_BAD_REQUEST, "args.summary is "
		    "required: this room keeps only the summary you write");
	if (r->mode == RM_OFF && summary != NULL && !blank(summary))
		return call_fail(x, ERR_BAD_REQUEST, "This room's record mode "
		    "is off: nothing is kept, so leave args.summary out");
	return room_close_write(x, r, summary, x->conn->member.id);
}

/*
 * room.consults: the private consults kept for the caller (record
 * "transcript" in a consult), newest first, each with the room, the other
 * person and its messages in order. Only the two people in a consult ever
 * see it; it is never posted.
 */
static int
op_room_consults(struct call *x)
{
	json_int_t limit = 20;
	int64_t me = x->conn->member.id, room, other;
	json_t *list = json_array(), *c = NULL, *msgs, *m;
	int64_t c_room = 0, c_other = 0;
	sqlite3_stmt *st;
	size_t idx;
	int rc;

	if (arg_int(x->args, "limit", false, 1, 50, &limit, x->msg,
	    sizeof x->msg) != 0) {
		json_decref(list);
		return call_bad(x);
	}
	/* The newest 2,000 messages of mine, newest first (two indexes). */
	st = db_stmt(srv->db, "SELECT r.room_id, rm.title, r.at, m.handle, "
	    "m.display_name, r.body, CASE WHEN r.private_a = ?1 THEN "
	    "r.private_b ELSE r.private_a END, o.handle, o.display_name "
	    "FROM room_messages r JOIN rooms rm ON rm.id = r.room_id "
	    "LEFT JOIN members m ON m.id = r.member_id "
	    "LEFT JOIN members o ON o.id = CASE WHEN r.private_a = ?1 THEN "
	    "r.private_b ELSE r.private_a END "
	    "WHERE r.private_a = ?1 OR r.private_b = ?1 "
	    "ORDER BY r.id DESC LIMIT 2000");
	sqlite3_bind_int64(st, 1, me);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		room = sqlite3_column_int64(st, 0);
		other = sqlite3_column_int64(st, 6);
		if (c == NULL || room != c_room || other != c_other) {
			/* rows come newest first: a new consult begins */
			c = NULL;
			json_array_foreach(list, idx, m) {
				if (json_integer_value(json_object_get(m,
				    "room_id")) == room && json_integer_value(
				    json_object_get(m, "other_id")) == other)
					c = m;
			}
			if (c == NULL) {
				if (json_array_size(list) >= (size_t)limit)
					continue;
				c = json_pack("{s:I, s:s, s:I, s:{s:s, s:s}, "
				    "s:[]}", "room_id", (json_int_t)room,
				    "room", db_col_text(st, 1), "other_id",
				    (json_int_t)other, "with", "handle",
				    db_col_text(st, 7), "display_name",
				    db_col_text(st, 8), "messages");
				json_array_append_new(list, c);
			}
			c_room = room;
			c_other = other;
		}
		msgs = json_object_get(c, "messages");
		json_array_insert_new(msgs, 0, json_pack("{s:o, s:s, s:s, "
		    "s:s}", "at", db_col_json_time(st, 2), "handle",
		    db_col_text(st, 3), "display_name", db_col_text(st, 4),
		    "text", db_col_text(st, 5)));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	json_array_foreach(list, idx, m)
		json_object_del(m, "other_id");
	x->result = json_pack("{s:o}", "consults", list);
	return 0;
}

static int
op_room_list(struct call *x)
{
	const char *slug = NULL;
	struct access a;
	json_t *list = json_array(), *o;
	int n;

	if (arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0) {
		json_decref(list);
		return call_bad(x);
	}
	if (slug != NULL && authz_community_slug(x, slug, CA_READ, &a) != 0) {
		json_decref(list);
		return -1;
	}
	for (struct room *r = room_first(); r != NULL; r = r->next) {
		if (slug != NULL && r->community_id != a.community_id)
			continue;
		/* staff's way into a private room (a support call) is the
		 * notification, not this list */
		if (!room_readable_by_rule(x, r) && room_presence(r, x->conn) ==
		    NULL)
			continue;
		n = 0;
		for (struct person *p = r->people; p != NULL; p = p->next)
			n += p->present > 0;
		o = room_state_json(r);
		json_object_set_new(o, "present", json_integer(n));
		json_array_append_new(list, o);
	}
	x->result = json_pack("{s:o}", "rooms", list);
	return 0;
}

const struct op op_room_table[] = {
	{ "room.open", OP_MEMBER | OP_SELF | OP_WRITE, op_room_open,
	    "Open a room {event_id} or {community, title}, with {record: "
	    "off, transcript, chatham or summary, surgery?, topic?}; you "
	    "join it as host.", RATE_WRITE,
	    ARGS(ARG_STR("community", ARG_OPT, 64),
	    ARG_INT("event_id", ARG_OPT, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, 120), ARG_STR("record", ARG_REQ, 16),
	    ARG_STR("topic", ARG_OPT, 200), ARG_BOOL("surgery", ARG_OPT)) },
	{ "room.join", OP_MEMBER | OP_SELF | OP_WRITE, op_room_join,
	    "Join an open room {room_id}: its state, who is here, recent "
	    "messages (as the record mode keeps them) and your queue place.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.leave", OP_MEMBER | OP_SELF | OP_WRITE, op_room_leave,
	    "Leave a room {room_id} (and its queue).", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.say", OP_MEMBER | OP_SELF | OP_WRITE | OP_WRITE_IF, op_room_say,
	    "Say something {room_id, text} (multi-line is one message); "
	    "in a private consult only the two of you see it.", RATE_SAY,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("text", ARG_REQ, ROOM_MSG_MAX)) },
	{ "room.topic", OP_MEMBER | OP_WRITE, op_room_topic,
	    "Host: set the topic {room_id, topic}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("topic", ARG_REQ, 200)) },
	{ "room.mute", OP_MEMBER | OP_WRITE, op_room_mute,
	    "Host: mute or unmute someone {room_id, handle, muted?}.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("handle", ARG_REQ, 40), ARG_BOOL("muted", ARG_OPT)) },
	{ "room.remove", OP_MEMBER | OP_WRITE, op_room_remove,
	    "Host: remove someone from the room {room_id, handle, reason?}; "
	    "they may not rejoin while it is open.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("handle", ARG_REQ, 40), ARG_STR("reason", ARG_OPT, 300)) },
	{ "room.pause", OP_MEMBER | OP_WRITE, op_room_pause,
	    "Host: pause or resume the room {room_id, paused?}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("paused", ARG_OPT)) },
	{ "room.host", OP_MEMBER | OP_WRITE, op_room_host,
	    "Host: share hosting with someone present {room_id, handle}, "
	    "or hand it over {hand_over: true}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("handle", ARG_REQ, 40), ARG_BOOL("hand_over", ARG_OPT)) },
	{ "room.queue_join", OP_MEMBER | OP_SELF | OP_WRITE, op_room_queue_join,
	    "Surgery: join the queue {room_id, topic}; you see your place.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("topic", ARG_REQ, 200)) },
	{ "room.queue_leave", OP_MEMBER | OP_SELF | OP_WRITE, op_room_queue_leave,
	    "Surgery: leave the queue {room_id}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.queue_take", OP_MEMBER | OP_WRITE, op_room_queue_take,
	    "Host: take the next person (or {handle}) in public or into a "
	    "private consult {room_id, private?, record?: off or "
	    "transcript}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("handle", ARG_OPT, 40), ARG_BOOL("private", ARG_OPT),
	    ARG_STR("record", ARG_OPT, 16)) },
	{ "room.consult_end", OP_MEMBER | OP_SELF, op_room_consult_end,
	    "End your private consult and return to the room {room_id}.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.raise_hand", OP_MEMBER | OP_SELF, op_room_raise_hand,
	    "Raise or lower your hand {room_id, raised?}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("raised", ARG_OPT)) },
	{ "room.support", OP_MEMBER | OP_SELF, op_room_support,
	    "I need support {room_id, text?}: tells the hosts privately "
	    "(and staff if no host answers in support_escalate seconds, two "
	    "minutes by default).", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("text", ARG_OPT, 1000)) },
	{ "room.support_answer", OP_MEMBER, op_room_support_answer,
	    "Host: answer a support request {room_id, support_id}.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("support_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.close", OP_MEMBER | OP_WRITE, op_room_close,
	    "Host: close the room {room_id, summary?}; its record is posted "
	    "as a thread in the community and attendance is kept.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("summary", ARG_OPT, 20000)) },
	{ "room.list", OP_MEMBER, op_room_list,
	    "Open rooms you may join {community?}.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_OPT, 64)) },
	{ "room.consults", OP_MEMBER, op_room_consults,
	    "Your private consults that were kept, newest first {limit?}.",
	    RATE_READ, ARGS(ARG_INT("limit", ARG_OPT, 1, 50)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
