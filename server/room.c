/*
 * room.c: the live rooms for drop-ins and surgeries, shared by the room
 * files (room.c, room-support.c, op-room.c) through the "room files only"
 * section of server.h. A room is kept in memory: who is present (as conn
 * pointers, taken out by room_conn_gone when a conn goes), each person's
 * standing (host, muted, removed, hand raised), the surgery queue, private
 * consults and the recent public messages. What a room is (its row with
 * topic and pause, room_people, room_queue, the kept room_messages) is
 * written in the caller's transaction as it changes, so room_restore
 * brings every open room back at start; presence, hands, consults and
 * support calls are live only.
 *
 * Here too: coming in and going out (room_enter, room_presence_drop),
 * delivering room effects (room_deliver, room_recheck), the room's own
 * lines and wire views, closing (room_close_write; the record is
 * op-record.c's) and the timer that closes rooms no host has been in for
 * room_idle_close. The structs are shared rather than private because the
 * handlers in op-room.c read and change them in place; everything that
 * only the model needs stays static here.
 *
 * Record modes: off (nothing kept), transcript (kept with names, for the
 * community's members), chatham (kept without names), summary (only the
 * summary the host writes at close). Consults have their own rule: off or
 * transcript, kept privately and never posted.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

const char *const room_mode_names[] = { "off", "transcript", "chatham",
	"summary" };

static struct room *rooms;

/*
 * Message numbers: increasing within a room and across restarts (they are
 * the time in ms, or one more than the last when two share a ms), so a
 * client that dedups by seq never drops a line after a restart.
 */
int64_t
room_next_seq(struct room *r)
{
	int64_t now = (int64_t)now_ms();

	r->seq = now > r->seq ? now : r->seq + 1;
	return r->seq;
}

struct room *
room_by_id(int64_t id)
{
	for (struct room *r = rooms; r != NULL; r = r->next) {
		if (r->id == id)
			return r;
	}
	return NULL;
}

/* The open rooms (follow ->next); NULL when there are none. */
struct room *
room_first(void)
{
	return rooms;
}

int64_t
room_for_event(int64_t event_id)
{
	for (struct room *r = rooms; r != NULL; r = r->next) {
		if (r->event_id == event_id)
			return r->id;
	}
	return 0;
}

struct person *
room_person_find(struct room *r, int64_t member_id)
{
	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->member_id == member_id)
			return p;
	}
	return NULL;
}

/* The person for a member, created (absent) from the database if new. */
struct person *
room_person_get(struct room *r, int64_t member_id)
{
	struct person *p = room_person_find(r, member_id);
	struct member m;

	if (p != NULL)
		return p;
	memset(&m, 0, sizeof m);
	if (member_by_id(srv->db, member_id, &m) != 1) {
		member_clear(&m);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->member_id = member_id;
	snprintf(p->handle, sizeof p->handle, "%s", m.handle);
	p->display_name = xstrdup(m.display_name ? m.display_name : m.handle);
	p->next = r->people;
	r->people = p;
	member_clear(&m);
	return p;
}

/*
 * Durable room state, written in the handler's transaction as it changes,
 * so a restart (clean or not) finds the room as acknowledged: the room's
 * topic and pause, each person's standing, the queue. Presence, raised
 * hands, consults and support calls are live only.
 */
int
room_row_save(struct call *x, const struct room *r)
{
	sqlite3_stmt *st = db_stmt(srv->db, "UPDATE rooms SET topic = ?, "
	    "paused = ? WHERE id = ?");

	sqlite3_bind_text(st, 1, r->topic ? r->topic : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->paused);
	sqlite3_bind_int64(st, 3, r->id);
	return call_step(x, st);
}

int
room_person_save(struct call *x, const struct room *r, const struct person *p)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO room_people "
	    "(room_id, member_id, host, muted, removed, joined_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (room_id, member_id) DO "
	    "UPDATE SET host = ?3, muted = ?4, removed = ?5, joined_at = ?6");

	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, p->member_id);
	sqlite3_bind_int(st, 3, p->host);
	sqlite3_bind_int(st, 4, p->muted);
	sqlite3_bind_int(st, 5, p->removed);
	if (p->attended)
		sqlite3_bind_int64(st, 6, p->joined_at);
	else
		sqlite3_bind_null(st, 6);
	return call_step(x, st);
}

int
room_queue_save(struct call *x, const struct room *r)
{
	sqlite3_stmt *st = db_stmt(srv->db, "DELETE FROM room_queue WHERE "
	    "room_id = ?");

	sqlite3_bind_int64(st, 1, r->id);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "INSERT INTO room_queue (room_id, member_id, "
	    "topic, at) VALUES (?, ?, ?, ?)");
	for (const struct qentry *q = r->queue; q != NULL; q = q->next) {
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, q->member_id);
		sqlite3_bind_text(st, 3, q->topic, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, q->at);
		if (call_step(x, st) != 0)
			return -1;
	}
	return 0;
}

void
room_free(struct room *r)
{
	struct person *p, *pn;
	struct presence *h, *hn;
	struct qentry *q, *qn;

	for (p = r->people; p != NULL; p = pn) {
		pn = p->next;
		free(p->display_name);
		free(p);
	}
	for (h = r->here; h != NULL; h = hn) {
		hn = h->next;
		free(h);
	}
	for (q = r->queue; q != NULL; q = qn) {
		qn = q->next;
		free(q->topic);
		free(q);
	}
	room_support_free(r);
	for (int i = 0; i < r->hist_len; i++)
		json_decref(r->history[(r->hist_head + i) % ROOM_HISTORY]);
	free(r->slug);
	free(r->title);
	free(r->topic);
	free(r);
}

static void
room_unlink(struct room *r)
{
	struct room **pp;

	for (pp = &rooms; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

struct presence *
room_presence(struct room *r, const struct conn *c)
{
	for (struct presence *h = r->here; h != NULL; h = h->next) {
		if (h->c == c)
			return h;
	}
	return NULL;
}

/*
 * Fan-out timing for room messages: from room.say being handled to the
 * last write of a receiving session (libssh encrypts and sends the packet
 * there). Those writes happen in the first write batch sshd.c starts after
 * the message was queued (or, for a held reply, released), so the probe, a
 * prepare handle that runs after the idle phase where batches run, records
 * a message once a newer batch has run, with the time of that batch's last
 * write. A message no batch took (no subsystem member in the room) is
 * recorded at the first turn with no kick left. A session whose SSH window
 * is full is written when its client makes room, which this does not wait
 * for.
 */
#define FANOUT_PENDING 256
static struct fanout_stats fanout;
static uint64_t fanout_t0[FANOUT_PENDING];
static uint64_t fanout_batch[FANOUT_PENDING]; /* batches run before it */
static size_t fanout_n;
static uv_prepare_t fanout_prep;
static bool fanout_prep_init;

static void
fanout_fire(uv_prepare_t *h)
{
	uint64_t now = uv_hrtime() / 1000;
	uint64_t last = sshd_last_write_ns() / 1000;
	uint64_t batches = sshd_write_batches();
	size_t i, k = 0;

	for (i = 0; i < fanout_n; i++) {
		if (batches > fanout_batch[i] && last >= fanout_t0[i])
			fanout_record(&fanout, last - fanout_t0[i]);
		else if (sshd_kicks_pending() == 0)
			fanout_record(&fanout, now - fanout_t0[i]);
		else {
			/* its writes are still to come: look next turn */
			fanout_t0[k] = fanout_t0[i];
			fanout_batch[k++] = fanout_batch[i];
		}
	}
	fanout_n = k;
	if (fanout_n == 0)
		uv_prepare_stop(h);
}

void
room_fanout_probe(uint64_t t0_us)
{
	if (!fanout_prep_init) {
		uv_prepare_init(srv->loop, &fanout_prep);
		uv_unref((uv_handle_t *)&fanout_prep);
		fanout_prep_init = true;
	}
	if (fanout_n < FANOUT_PENDING) {
		fanout_t0[fanout_n] = t0_us;
		fanout_batch[fanout_n++] = sshd_write_batches();
	}
	uv_prepare_start(&fanout_prep, fanout_fire);
}

struct fanout_stats *
room_fanout_stats(void)
{
	return &fanout;
}

/* An event for everyone in the room, once the call's effects apply. */
static void
send_all(struct outbox *ob, struct room *r, const char *name, json_t *data)
{
	outbox_room_event(ob, r->id, 0, 0, name, data);
}

/* An event for one member's sessions in the room. */
void
room_send_member(struct outbox *ob, struct room *r, int64_t member_id,
    const char *name, json_t *data)
{
	outbox_room_event(ob, r->id, member_id, 0, name, data);
}

static void history_add(struct room *, json_t *);

/*
 * outbox.c delivers a room effect here: to the sessions present at the
 * time of delivery (presence is the authorization: outbox_access ends the
 * presences a change of access no longer allows). The line is built once.
 * Nothing happens if the room has gone.
 */
void
room_deliver(int64_t room_id, int64_t member_id, unsigned flags,
    const char *name, json_t *data)
{
	struct room *r = room_by_id(room_id);
	char *line;

	if (r == NULL) {
		json_decref(data);
		return;
	}
	if (flags & ROOM_EV_KEEP)
		history_add(r, data);
	line = proto_event(name, data); /* steals data */
	/* Live only if no effect to this room made before it still waits. */
	dispatch_live((flags & ROOM_EV_LIVE) != 0 &&
	    outbox_room_queued(room_id) == 0);
	for (struct presence *h = r->here; h != NULL; h = h->next) {
		if (!h->c->closing && (member_id == 0 ||
		    h->p->member_id == member_id))
			conn_send(h->c, xstrdup(line));
	}
	dispatch_live(false);
	free(line);
}

json_t *
room_person_json(const struct person *p)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:b}", "handle", p->handle,
	    "display_name", p->display_name, "host", p->host, "muted",
	    p->muted, "hand", p->hand);
}

static json_t *
hosts_json(const struct room *r)
{
	json_t *list = json_array();

	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->host)
			json_array_append_new(list, json_pack("{s:s, s:s, s:b, "
			    "s:b}", "handle", p->handle, "display_name",
			    p->display_name, "present", p->present > 0,
			    "in_consult", p->consult_with != 0));
	}
	return list;
}

json_t *
room_state_json(const struct room *r)
{
	char when[32];
	json_t *o;

	time_iso8601(r->opened_at, when);
	o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:s, s:o}", "room_id",
	    (json_int_t)r->id, "title", r->title, "topic", r->topic ?
	    r->topic : "", "record", room_mode_names[r->mode], "surgery",
	    r->surgery, "paused", r->paused, "opened_at", when, "hosts",
	    hosts_json(r));
	json_object_set_new(o, "community", r->slug ? json_string(r->slug) :
	    json_null());
	if (r->slug != NULL) {
		/* its name, for "join Students to speak" */
		sqlite3_stmt *st = db_stmt(srv->db, "SELECT name FROM "
		    "communities WHERE id = ?");

		sqlite3_bind_int64(st, 1, r->community_id);
		json_object_set_new(o, "community_name", sqlite3_step(st) ==
		    SQLITE_ROW ? json_string(db_col_text(st, 0)) :
		    json_string(r->slug));
		sqlite3_reset(st);
	}
	json_object_set_new(o, "event_id", r->event_id ?
	    json_integer(r->event_id) : json_null());
	/* seconds with no host before it closes by itself (0: never) */
	json_object_set_new(o, "idle_close",
	    json_integer(srv->cfg.room_idle_close));
	return o;
}

/*
 * Tell the room about one person's change (what: joined, left, muted, ...)
 * with that person's flags and the head count. The whole list goes only in
 * room.join's reply: sending it on every change would make a room of n
 * filling up cost n² people sent.
 */
void
room_send_presence(struct outbox *ob, struct room *r, const char *what,
    const struct person *p)
{
	int here = 0;

	for (const struct person *q = r->people; q != NULL; q = q->next)
		here += q->present > 0;
	send_all(ob, r, "room.presence", json_pack("{s:I, s:i, s:o, s:s}",
	    "room_id", (json_int_t)r->id, "count", here, "person",
	    room_person_json(p), what, p->handle));
}

void
room_send_state(struct outbox *ob, struct room *r)
{
	send_all(ob, r, "room.state", room_state_json(r));
}

int
room_queue_place(const struct room *r, int64_t member_id, int *len)
{
	int n = 0, place = 0;

	for (struct qentry *q = r->queue; q != NULL; q = q->next) {
		n++;
		if (q->member_id == member_id)
			place = n;
	}
	if (len != NULL)
		*len = n;
	return place;
}

static json_t *
queue_full_json(struct room *r)
{
	json_t *list = json_array();
	struct person *p;
	int place = 0;
	char when[32];

	for (struct qentry *q = r->queue; q != NULL; q = q->next) {
		p = room_person_find(r, q->member_id);
		time_iso8601(q->at, when);
		json_array_append_new(list, json_pack("{s:i, s:s, s:s, s:s, "
		    "s:s, s:b}", "place", ++place, "handle", p ? p->handle :
		    "?", "display_name", p ? p->display_name : "?", "topic",
		    q->topic, "at", when, "present", p && p->present > 0));
	}
	return list;
}

/* What one person may know of the queue: all of it for hosts. */
json_t *
room_queue_view(struct room *r, const struct person *p)
{
	int len, place = room_queue_place(r, p->member_id, &len);
	json_t *d = json_pack("{s:I, s:i}", "room_id", (json_int_t)r->id,
	    "length", len);

	if (p->host)
		json_object_set_new(d, "queue", queue_full_json(r));
	json_object_set_new(d, "place", place ? json_integer(place) :
	    json_null());
	return d;
}

/* Everyone present gets their own view of the queue. */
void
room_send_queue(struct outbox *ob, struct room *r)
{
	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->present > 0)
			room_send_member(ob, r, p->member_id, "room.queue",
			    room_queue_view(r, p));
	}
}

void
room_queue_remove(struct room *r, int64_t member_id)
{
	struct qentry **qq, *q;

	for (qq = &r->queue; (q = *qq) != NULL; qq = &q->next) {
		if (q->member_id == member_id) {
			*qq = q->next;
			free(q->topic);
			free(q);
			return;
		}
	}
}

void
room_queue_append(struct room *r, int64_t member_id, const char *topic,
    int64_t at)
{
	struct qentry **qq, *q = xcalloc(1, sizeof *q);

	q->member_id = member_id;
	q->topic = xstrdup(topic);
	q->at = at;
	for (qq = &r->queue; *qq != NULL; qq = &(*qq)->next)
		;
	*qq = q;
}

void
room_consult_send(struct outbox *ob, struct room *r, struct person *p,
    bool active)
{
	struct person *o = room_person_find(r, p->consult_with);
	json_t *d = json_pack("{s:I, s:b, s:s, s:s}", "room_id",
	    (json_int_t)r->id, "active", active, "with", o ? o->handle : "?",
	    "record", p->consult_record ? "transcript" : "off");

	room_send_member(ob, r, p->member_id, "room.consult", d);
}

/* End a person's private consult, telling both. */
void
room_consult_end(struct outbox *ob, struct room *r, struct person *p)
{
	struct person *o;

	if (p->consult_with == 0)
		return;
	o = room_person_find(r, p->consult_with);
	room_consult_send(ob, r, p, false);
	if (o != NULL) {
		room_consult_send(ob, r, o, false);
		o->consult_with = 0;
		o->consult_record = false;
	}
	p->consult_with = 0;
	p->consult_record = false;
	/* the room hears the host is back (not when the host has gone) */
	if (o != NULL && !p->host && o->host)
		p = o;
	if (p->host && p->present > 0)
		room_system_message(ob, r, "%s is back from a private "
		    "consult.", p->display_name);
}

/* " If no host comes back within N minutes, it closes by itself." */
static void
idle_words(const struct room *r, char *out, size_t len)
{
	int s = srv->cfg.room_idle_close;
	/* a room that records nothing has no record to keep */
	const char *keeps = r->mode == RM_OFF ? "" : " and keeps its record";

	if (s <= 0)
		*out = '\0';
	else if (s % 60 == 0)
		snprintf(out, len, " If no host comes back within %d minute%s, "
		    "it closes by itself%s.", s / 60, s == 60 ? "" : "s", keeps);
	else
		snprintf(out, len, " If no host comes back within %d seconds, "
		    "it closes by itself%s.", s, keeps);
}

/* Drop one presence; when a person's last conn goes, tell the room. */
void
room_presence_drop(struct outbox *ob, struct room *r, struct presence *h,
    bool leaving)
{
	struct presence **hh;
	struct person *p = h->p;

	for (hh = &r->here; *hh != NULL; hh = &(*hh)->next) {
		if (*hh == h) {
			*hh = h->next;
			break;
		}
	}
	free(h);
	if (--p->present > 0)
		return;
	p->hand = false;
	room_consult_end(ob, r, p);
	/* gone: their unanswered support calls no longer wait (nor open the
	 * room to staff) */
	room_support_gone(r, p->member_id);
	if (room_queue_place(r, p->member_id, NULL) != 0) {
		/* Leaving gives up the place; a lost connection keeps it, but
		 * hosts see them as away. */
		if (leaving)
			room_queue_remove(r, p->member_id);
		room_send_queue(ob, r);
	}
	room_send_presence(ob, r, "left", p);
	/* after "left", so the room reads it in the order it happened */
	if (p->host) {
		bool hosted = false;

		for (struct person *q = r->people; q != NULL; q = q->next)
			hosted = hosted || (q->host && q->present > 0);
		if (!hosted) {
			char wait[128];

			r->hostless_since = now_unix();
			idle_words(r, wait, sizeof wait);
			room_system_message(ob, r, "No host is in the room "
			    "now. It stays open; a host can come back, or the "
			    "community's leaders can take over or close it.%s",
			    wait);
		}
	}
}

void
room_notice(struct outbox *ob, int64_t room_id, const char *text)
{
	struct room *r = room_by_id(room_id);

	if (r != NULL)
		room_system_message(ob, r, "%s", text);
}

/* Not a handler: the room hears of a lost session at once. */
void
room_conn_gone(struct conn *c)
{
	struct presence *h;
	struct outbox ob;

	outbox_init(&ob);
	for (struct room *r = rooms; r != NULL; r = r->next) {
		while ((h = room_presence(r, c)) != NULL)
			room_presence_drop(&ob, r, h, false);
	}
	outbox_apply(&ob, true);
}

/*
 * Take c out of the rooms of community_id (0: every room) that it may no
 * longer be in: its member left or was removed from the community, the
 * community became private, or staff rights ended. They are told why.
 * Staff who came in to answer a support call stay while they are staff.
 */
void
room_recheck(struct conn *c, int64_t community_id)
{
	struct presence *h;
	struct outbox ob;

	outbox_init(&ob);
	for (struct room *r = rooms; r != NULL; r = r->next) {
		if (r->community_id == 0 || (community_id != 0 &&
		    r->community_id != community_id) ||
		    (h = room_presence(r, c)) == NULL ||
		    authz_is_staff(c) || authz_conn_reads(c, r->community_id))
			continue;
		conn_event(c, "room.state", json_pack("{s:I, s:b, s:b, s:s}",
		    "room_id", (json_int_t)r->id, "removed", 1, "access", 1,
		    "reason",
		    "You can no longer read this community, so you have left "
		    "its room."));
		while ((h = room_presence(r, c)) != NULL)
			room_presence_drop(&ob, r, h, true);
	}
	outbox_apply(&ob, true);
}

int
room_mode_parse(const char *s, enum rmode *m)
{
	for (int i = 0; i <= RM_SUMMARY; i++) {
		if (strcmp(s, room_mode_names[i]) == 0) {
			*m = (enum rmode)i;
			return 0;
		}
	}
	return -1;
}

/* Keep a public message in the ring, as the record mode allows. */
static void
history_add(struct room *r, json_t *msg)
{
	json_t *kept;

	if (r->mode != RM_TRANSCRIPT && r->mode != RM_CHATHAM)
		return;
	kept = json_deep_copy(msg);
	if (r->mode == RM_CHATHAM) {
		json_object_del(kept, "handle");
		json_object_del(kept, "display_name");
	}
	if (r->hist_len == ROOM_HISTORY) {
		json_decref(r->history[r->hist_head]);
		r->history[r->hist_head] = kept;
		r->hist_head = (r->hist_head + 1) % ROOM_HISTORY;
	} else
		r->history[(r->hist_head + r->hist_len++) % ROOM_HISTORY] =
		    kept;
}

json_t *
room_history_json(const struct room *r)
{
	json_t *list = json_array();

	for (int i = 0; i < r->hist_len; i++)
		json_array_append(list,
		    r->history[(r->hist_head + i) % ROOM_HISTORY]);
	return list;
}

/* A line from the room itself (topic, who is being helped). */
void
room_system_message(struct outbox *ob, struct room *r, const char *fmt, ...)
{
	va_list ap;
	char *text;
	json_t *d;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	d = json_pack("{s:I, s:I, s:o, s:b, s:s}", "room_id",
	    (json_int_t)r->id, "seq", (json_int_t)room_next_seq(r), "at",
	    time_json(now_unix()), "system", 1, "text", text);
	free(text);
	outbox_room_event(ob, r->id, 0, ROOM_EV_KEEP, "room.message", d);
}

/* Add a conn to the room; the caller has checked it may come in. */
struct person *
room_enter(struct outbox *ob, struct room *r, struct conn *c)
{
	struct person *p = room_person_get(r, c->member.id);
	struct presence *h;

	if (p == NULL)
		return NULL;
	if (room_presence(r, c) != NULL)
		return p;
	h = xcalloc(1, sizeof *h);
	h->c = c;
	h->p = p;
	h->next = r->here;
	r->here = h;
	if (p->present++ == 0) {
		if (!p->attended)
			p->joined_at = now_unix();
		p->attended = true;
		room_send_presence(ob, r, "joined", p);
		if (room_queue_place(r, p->member_id, NULL) != 0)
			room_send_queue(ob, r); /* hosts see them present */
	}
	/* after "joined", so the room reads it in the order it happened */
	if (p->host && r->hostless_since != 0) {
		r->hostless_since = 0;
		room_system_message(ob, r, "A host is here again.");
	}
	return p;
}

/* A room that room.open built, and the session that opened it. */
struct opening {
	struct room *room;
	uint64_t conn_id;
};

/*
 * Tell everyone who may see the room that it opened or closed, so lists of
 * open rooms (Home, the programme) stay true.
 */
static void
room_listed(struct outbox *ob, const struct room *r, bool open)
{
	outbox_community_event(ob, r->community_id, "room.listed",
	    json_pack("{s:I, s:b}", "room_id", (json_int_t)r->id, "open",
	    open));
}

/*
 * The community's members online now get a one-line banner (room.opened):
 * one event per member, whatever their sessions, not a notification. The
 * opener is in the room already.
 */
static void
room_banner(struct outbox *ob, const struct room *r)
{
	sqlite3_stmt *st;
	int64_t *told = NULL;
	size_t n = 0, cap = 0, i;
	char *name = NULL;

	if (r->community_id == 0)
		return;
	st = db_stmt(srv->db, "SELECT name FROM communities WHERE id = ?");
	sqlite3_bind_int64(st, 1, r->community_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		name = xstrdup(db_col_text(st, 0));
	sqlite3_reset(st);
	if (name == NULL)
		return;
	st = db_stmt(srv->db, "SELECT 1 FROM community_members WHERE "
	    "community_id = ? AND member_id = ?");
	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		int64_t mid = c->member.id;
		bool member;

		if (c->closing || mid == 0 || mid == r->opened_by)
			continue;
		for (i = 0; i < n && told[i] != mid; i++)
			;
		if (i < n)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			told = xrealloc(told, cap * sizeof *told);
		}
		told[n++] = mid;
		sqlite3_bind_int64(st, 1, r->community_id);
		sqlite3_bind_int64(st, 2, mid);
		member = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (member)
			outbox_member_event(ob, mid, "room.opened", json_pack(
			    "{s:I, s:s, s:s, s:s}", "room_id",
			    (json_int_t)r->id, "title", r->title, "slug",
			    r->slug != NULL ? r->slug : "", "community",
			    name));
	}
	free(told);
	free(name);
}

/*
 * room.open's effect: once committed, link the room and bring the opener
 * in (if that session is still here); if the commit failed, the room was
 * never open.
 */
static void
open_link(void *arg, bool committed)
{
	struct opening *op = arg;
	struct room *r = op->room;
	uint64_t conn_id = op->conn_id;
	struct outbox ob;

	free(op);
	if (!committed) {
		room_free(r);
		return;
	}
	r->next = rooms;
	rooms = r;
	outbox_init(&ob);
	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		if (c->id == conn_id && c->member.id != 0 && !c->closing)
			room_enter(&ob, r, c);
	}
	if (r->queue != NULL)
		room_send_queue(&ob, r);
	room_listed(&ob, r, true);
	room_banner(&ob, r);
	outbox_apply(&ob, true);
}

/*
 * room.open made r in the call's transaction: once it commits, link r and
 * bring in the session conn_id (open_link); if it does not, free r.
 */
void
room_opened(struct outbox *ob, struct room *r, uint64_t conn_id)
{
	struct opening *opening = xmalloc(sizeof *opening);

	opening->room = r;
	opening->conn_id = conn_id;
	outbox_fn(ob, open_link, opening);
}

/* What room.close leaves for its commit. */
struct closing {
	int64_t room_id;
	int64_t thread_id;
	bool review; /* the record waits for the hosts' review */
};

/*
 * room.close's effect: once committed, tell everyone present and free the
 * room; if the commit failed the room stays open. Until then the room is
 * marked closing, so nothing said after the close is acknowledged.
 */
static void
close_done(void *arg, bool committed)
{
	struct closing *cl = arg;
	struct outbox ob;
	struct room *r = room_by_id(cl->room_id);

	if (r != NULL && !committed)
		r->closing = false;
	else if (r != NULL) {
		room_deliver(r->id, 0, 0, "room.state", json_pack("{s:I, s:b, "
		    "s:o, s:b}", "room_id", (json_int_t)r->id, "closed", 1,
		    "thread_id", cl->thread_id ? json_integer(cl->thread_id) :
		    json_null(), "review", cl->review));
		outbox_init(&ob);
		room_listed(&ob, r, false);
		outbox_apply(&ob, true);
		room_unlink(r);
		room_free(r);
	}
	free(cl);
}

/*
 * Close the room in the caller's transaction: attendance and the room's
 * row, then its record (op-record.c: a summary is posted at once, a kept
 * transcript waits for the hosts' review). The room is marked closing and
 * its close_done effect frees it after the commit.
 */
int
room_close_write(struct call *x, struct room *r, const char *summary,
    int64_t closer)
{
	struct closing *cl;
	sqlite3_stmt *st;
	int64_t thread = 0, now = now_unix();
	int attended = 0, rc;
	bool review = false;

	st = db_stmt(srv->db, "INSERT OR IGNORE INTO room_attendance "
	    "(room_id, member_id, joined_at) VALUES (?, ?, ?)");
	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (!p->attended)
			continue;
		attended++;
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, p->member_id);
		sqlite3_bind_int64(st, 3, p->joined_at);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
	}
	st = db_stmt(srv->db, "UPDATE rooms SET closed_at = ?, closed_by = ?, "
	    "summary = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now);
	if (closer != 0)
		sqlite3_bind_int64(st, 2, closer);
	else
		sqlite3_bind_null(st, 2);
	if (r->mode == RM_SUMMARY || r->mode == RM_TRANSCRIPT ||
	    r->mode == RM_CHATHAM)
		sqlite3_bind_text(st, 3, summary, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, r->id);
	if (call_step(x, st) != 0)
		return -1;
	st = db_stmt(srv->db, "DELETE FROM room_queue WHERE room_id = ?");
	sqlite3_bind_int64(st, 1, r->id);
	if (call_step(x, st) != 0 ||
	    record_close(x, r->id, &thread, &review) != 0 ||
	    survey_room_closed(x, r->id, r->event_id) != 0)
		return -1;
	cl = xcalloc(1, sizeof *cl);
	cl->room_id = r->id;
	cl->thread_id = thread;
	cl->review = review;
	r->closing = true;
	outbox_fn(&x->out, close_done, cl);
	x->result = json_pack("{s:I, s:i, s:o, s:b}", "room_id",
	    (json_int_t)r->id, "attended", attended, "thread_id", thread ?
	    json_integer(thread) : json_null(), "review", review);
	return 0;
}

/*
 * As the server: close every room no host has been in for
 * room_idle_close. Its record is kept as for any close, in the name of
 * whoever opened it.
 */
static int
idle_close(struct call *x, void *arg)
{
	int64_t now = now_unix();

	(void)arg;
	for (struct room *r = rooms; r != NULL; r = r->next) {
		if (r->closing || r->hostless_since == 0 ||
		    now - r->hostless_since < srv->cfg.room_idle_close)
			continue;
		log_info(0, "room %lld: no host for %d s: closing it",
		    (long long)r->id, srv->cfg.room_idle_close);
		room_system_message(&x->out, r, "No host has been here for a "
		    "while, so the room has closed. Its record is kept.");
		if (room_close_write(x, r, NULL, 0) != 0)
			return -1;
		json_decref(x->result);
		x->result = NULL;
	}
	return 0;
}

static uv_timer_t idle_timer;

static void
idle_tick(uv_timer_t *t)
{
	(void)t;
	dispatch_server("idle rooms", idle_close, NULL);
	log_debug(0, "idle rooms swept");
}

/* The member and room columns of a kept message, as room.say sends it. */
static json_t *
kept_json(struct room *r, sqlite3_stmt *st)
{
	json_t *d = json_pack("{s:I, s:I, s:o, s:s}", "room_id",
	    (json_int_t)r->id, "seq", (json_int_t)room_next_seq(r), "at",
	    db_col_json_time(st, 3), "text", db_col_text(st, 2));

	if (r->mode == RM_TRANSCRIPT &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		json_object_set_new(d, "handle", json_string(db_col_text(st,
		    0)));
		json_object_set_new(d, "display_name",
		    json_string(db_col_text(st, 1)));
	}
	return d;
}

/* Load one open room from its rows: cast, queue and recent history. */
static struct room *
room_load(sqlite3_stmt *rs)
{
	struct room *r = xcalloc(1, sizeof *r);
	struct person *p;
	sqlite3_stmt *st;
	json_t *hist[ROOM_HISTORY];
	int n = 0;

	r->id = sqlite3_column_int64(rs, 0);
	r->community_id = sqlite3_column_int64(rs, 1);
	r->event_id = sqlite3_column_int64(rs, 2);
	r->title = xstrdup(db_col_text(rs, 3));
	if (room_mode_parse(db_col_text(rs, 4), &r->mode) != 0)
		r->mode = RM_OFF;
	r->surgery = sqlite3_column_int(rs, 5) != 0;
	r->opened_at = sqlite3_column_int64(rs, 6);
	r->topic = xstrdup(db_col_text(rs, 7));
	r->paused = sqlite3_column_int(rs, 8) != 0;
	if (sqlite3_column_type(rs, 9) != SQLITE_NULL)
		r->slug = xstrdup(db_col_text(rs, 9));
	r->opened_by = sqlite3_column_int64(rs, 10);
	r->hostless_since = now_unix(); /* nobody is here after a restart */
	st = db_stmt(srv->db, "SELECT member_id, host, muted, removed, "
	    "joined_at FROM room_people WHERE room_id = ? ORDER BY member_id");
	sqlite3_bind_int64(st, 1, r->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		p = room_person_get(r, sqlite3_column_int64(st, 0));
		if (p == NULL)
			continue;
		p->host = sqlite3_column_int(st, 1) != 0;
		p->muted = sqlite3_column_int(st, 2) != 0;
		p->removed = sqlite3_column_int(st, 3) != 0;
		p->attended = sqlite3_column_type(st, 4) != SQLITE_NULL;
		p->joined_at = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	st = db_stmt(srv->db, "SELECT member_id, topic, at FROM room_queue "
	    "WHERE room_id = ? ORDER BY at, member_id");
	sqlite3_bind_int64(st, 1, r->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (room_person_get(r, sqlite3_column_int64(st, 0)) != NULL)
			room_queue_append(r, sqlite3_column_int64(st, 0),
			    db_col_text(st, 1), sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	/* the newest kept public lines, oldest first */
	st = db_stmt(srv->db, "SELECT m.handle, m.display_name, rm.body, "
	    "rm.at FROM room_messages rm LEFT JOIN members m ON m.id = "
	    "rm.member_id WHERE rm.room_id = ? AND rm.private_a IS NULL "
	    "ORDER BY rm.id DESC LIMIT 50");
	sqlite3_bind_int64(st, 1, r->id);
	while (n < ROOM_HISTORY && sqlite3_step(st) == SQLITE_ROW)
		hist[n++] = kept_json(r, st);
	sqlite3_reset(st);
	r->seq = 0;
	while (n > 0) {
		json_t *d = hist[--n];

		json_object_set_new(d, "seq", json_integer(room_next_seq(r)));
		history_add(r, d);
		json_decref(d);
	}
	return r;
}

int
room_restore(void)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT r.id, r.community_id, "
	    "r.event_id, r.title, r.record_mode, r.surgery, r.opened_at, "
	    "r.topic, r.paused, c.slug, r.opened_by FROM rooms r LEFT JOIN "
	    "communities c ON c.id = r.community_id WHERE r.closed_at IS NULL "
	    "ORDER BY r.id DESC");
	struct room *r;
	struct outbox ob;
	char wait[128];
	int n = 0;

	outbox_init(&ob);
	while (sqlite3_step(st) == SQLITE_ROW) {
		r = room_load(st);
		idle_words(r, wait, sizeof wait);
		r->next = rooms;
		rooms = r;
		n++;
		/* in the history those who come back get */
		room_system_message(&ob, r, "Hearth restarted: no host is in "
		    "the room yet.%s", wait);
	}
	sqlite3_reset(st);
	outbox_apply(&ob, true);
	if (srv->cfg.room_idle_close > 0) {
		uint64_t every = (uint64_t)srv->cfg.room_idle_close * 1000 / 4;

		if (every > 60000)
			every = 60000;
		if (every < 250)
			every = 250;
		uv_timer_init(srv->loop, &idle_timer);
		uv_unref((uv_handle_t *)&idle_timer);
		uv_timer_start(&idle_timer, idle_tick, every, every);
	}
	if (n > 0)
		log_info(0, "restored %d open room%s", n, n == 1 ? "" : "s");
	return n;
}
