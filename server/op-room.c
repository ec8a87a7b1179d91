/*
 * op-room.c: live rooms for drop-ins and surgeries. A room lives in
 * hearthd's memory: who is present (as conn pointers, taken out by
 * room_conn_gone when a conn goes), hosts, the surgery queue, private
 * consults, "I need support" alerts and the recent messages. The database
 * holds only the room's row, the messages its record mode keeps (inserted
 * in their own transaction by room.say), and, at close, attendance and the
 * record posted as a thread in the community.
 *
 * Record modes: off (nothing kept), transcript (kept with names, for the
 * community's members), chatham (kept without names), summary (only the
 * summary the host writes at close). Consults have their own rule: off or
 * transcript, kept privately and never posted.
 *
 * None of these handlers but room.open and room.close write in the
 * dispatch transaction; those two fan out only after the commit.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define ROOM_HISTORY 50
#define ROOM_MSG_MAX 16000
#define POST_CHUNK 16000
#define SUPPORT_TICK_MS 1000 /* how often unanswered requests are checked */

enum rmode { RM_OFF, RM_TRANSCRIPT, RM_CHATHAM, RM_SUMMARY };
static const char *const rmode_names[] = { "off", "transcript", "chatham",
	"summary" };

/* A member's standing in one room (present or not). */
struct person {
	int64_t member_id;
	char handle[40];
	char *display_name;
	bool host, muted, removed, hand, attended;
	int present; /* conns in the room */
	int64_t joined_at;
	int64_t consult_with; /* member id, 0 when not in a consult */
	bool consult_record; /* the consult keeps a private transcript */
	struct person *next;
};

/* One conn in the room. */
struct presence {
	struct conn *c;
	struct person *p;
	struct presence *next;
};

struct qentry {
	int64_t member_id;
	char *topic;
	int64_t at;
	struct qentry *next;
};

struct alert {
	int64_t id;
	int64_t member_id;
	char *text;
	uint64_t at_ms;
	bool answered, escalated;
	struct alert *next;
};

struct room {
	int64_t id, community_id, event_id;
	char *slug; /* NULL: platform-wide */
	char *title, *topic;
	enum rmode mode;
	bool surgery, paused;
	bool closing; /* a room.close waits for its commit */
	int64_t opened_at, seq;
	int64_t opened_by; /* a record no present host closes is theirs */
	int64_t hostless_since; /* unix time the last host left; 0: hosted */
	struct person *people;
	struct presence *here;
	struct qentry *queue;
	struct alert *alerts;
	json_t *history[ROOM_HISTORY]; /* ring of public messages, as kept */
	int hist_head, hist_len;
	struct room *next;
};

static struct room *rooms;
static int64_t next_alert_id = 1;
static uv_timer_t support_timer;
static bool support_timer_init;

static void support_tick(uv_timer_t *);
static void system_message(struct outbox *, struct room *, const char *, ...)
    PRINTFLIKE(3, 4);
static json_t *alert_json(struct room *, struct alert *,
    const struct person *);


static json_t *
now_json(void)
{
	char buf[32];

	time_iso8601(now_unix(), buf);
	return json_string(buf);
}

/*
 * Message numbers: increasing within a room and across restarts (they are
 * the time in ms, or one more than the last when two share a ms), so a
 * client that dedups by seq never drops a line after a restart.
 */
static int64_t
next_seq(struct room *r)
{
	int64_t now = (int64_t)now_ms();

	r->seq = now > r->seq ? now : r->seq + 1;
	return r->seq;
}

static struct room *
room_by_id(int64_t id)
{
	for (struct room *r = rooms; r != NULL; r = r->next) {
		if (r->id == id)
			return r;
	}
	return NULL;
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

static struct person *
person_find(struct room *r, int64_t member_id)
{
	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->member_id == member_id)
			return p;
	}
	return NULL;
}

/* The person for a member, created (absent) from the database if new. */
static struct person *
person_get(struct room *r, int64_t member_id)
{
	struct person *p = person_find(r, member_id);
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
static int
room_row_save(struct call *x, const struct room *r)
{
	sqlite3_stmt *st = db_stmt(srv->db, "UPDATE rooms SET topic = ?, "
	    "paused = ? WHERE id = ?");

	sqlite3_bind_text(st, 1, r->topic ? r->topic : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->paused);
	sqlite3_bind_int64(st, 3, r->id);
	return call_step(x, st);
}

static int
person_save(struct call *x, const struct room *r, const struct person *p)
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

static int
queue_save(struct call *x, const struct room *r)
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

static void
room_free(struct room *r)
{
	struct person *p, *pn;
	struct presence *h, *hn;
	struct qentry *q, *qn;
	struct alert *a, *an;

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
	for (a = r->alerts; a != NULL; a = an) {
		an = a->next;
		free(a->text);
		free(a);
	}
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

static struct presence *
presence_of(struct room *r, const struct conn *c)
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

static void
fanout_probe(uint64_t t0_us)
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
static void
send_member(struct outbox *ob, struct room *r, int64_t member_id,
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
	for (struct presence *h = r->here; h != NULL; h = h->next) {
		if (!h->c->closing && (member_id == 0 ||
		    h->p->member_id == member_id))
			conn_send(h->c, xstrdup(line));
	}
	free(line);
}

static json_t *
person_json(const struct person *p)
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
			json_array_append_new(list, json_pack("{s:s, s:s, s:b}",
			    "handle", p->handle, "display_name",
			    p->display_name, "present", p->present > 0));
	}
	return list;
}

static json_t *
state_json(const struct room *r)
{
	char when[32];
	json_t *o;

	time_iso8601(r->opened_at, when);
	o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:s, s:o}", "room_id",
	    (json_int_t)r->id, "title", r->title, "topic", r->topic ?
	    r->topic : "", "record", rmode_names[r->mode], "surgery",
	    r->surgery, "paused", r->paused, "opened_at", when, "hosts",
	    hosts_json(r));
	json_object_set_new(o, "community", r->slug ? json_string(r->slug) :
	    json_null());
	json_object_set_new(o, "event_id", r->event_id ?
	    json_integer(r->event_id) : json_null());
	/* seconds with no host before it closes by itself (0: never) */
	json_object_set_new(o, "idle_close",
	    json_integer(srv->cfg.room_idle_close));
	return o;
}

static json_t *
people_json(const struct room *r)
{
	json_t *list = json_array();

	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->present > 0)
			json_array_append_new(list, person_json(p));
	}
	return list;
}

/*
 * Tell the room about one person's change (what: joined, left, muted, ...)
 * with that person's flags and the head count. The whole list goes only in
 * room.join's reply: sending it on every change would make a room of n
 * filling up cost n² people sent.
 */
static void
send_presence(struct outbox *ob, struct room *r, const char *what,
    const struct person *p)
{
	int here = 0;

	for (const struct person *q = r->people; q != NULL; q = q->next)
		here += q->present > 0;
	send_all(ob, r, "room.presence", json_pack("{s:I, s:i, s:o, s:s}",
	    "room_id", (json_int_t)r->id, "count", here, "person",
	    person_json(p), what, p->handle));
}

static void
send_state(struct outbox *ob, struct room *r)
{
	send_all(ob, r, "room.state", state_json(r));
}

static int
queue_place(const struct room *r, int64_t member_id, int *len)
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
		p = person_find(r, q->member_id);
		time_iso8601(q->at, when);
		json_array_append_new(list, json_pack("{s:i, s:s, s:s, s:s, "
		    "s:s, s:b}", "place", ++place, "handle", p ? p->handle :
		    "?", "display_name", p ? p->display_name : "?", "topic",
		    q->topic, "at", when, "present", p && p->present > 0));
	}
	return list;
}

/* What one person may know of the queue: all of it for hosts. */
static json_t *
queue_view(struct room *r, const struct person *p)
{
	int len, place = queue_place(r, p->member_id, &len);
	json_t *d = json_pack("{s:I, s:i}", "room_id", (json_int_t)r->id,
	    "length", len);

	if (p->host)
		json_object_set_new(d, "queue", queue_full_json(r));
	json_object_set_new(d, "place", place ? json_integer(place) :
	    json_null());
	return d;
}

/* Everyone present gets their own view of the queue. */
static void
send_queue(struct outbox *ob, struct room *r)
{
	for (struct person *p = r->people; p != NULL; p = p->next) {
		if (p->present > 0)
			send_member(ob, r, p->member_id, "room.queue",
			    queue_view(r, p));
	}
}

static void
queue_remove(struct room *r, int64_t member_id)
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

static void
queue_append(struct room *r, int64_t member_id, const char *topic,
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

static void
consult_send(struct outbox *ob, struct room *r, struct person *p,
    bool active)
{
	struct person *o = person_find(r, p->consult_with);
	json_t *d = json_pack("{s:I, s:b, s:s, s:s}", "room_id",
	    (json_int_t)r->id, "active", active, "with", o ? o->handle : "?",
	    "record", p->consult_record ? "transcript" : "off");

	send_member(ob, r, p->member_id, "room.consult", d);
}

/* End a person's private consult, telling both. */
static void
consult_end(struct outbox *ob, struct room *r, struct person *p)
{
	struct person *o;

	if (p->consult_with == 0)
		return;
	o = person_find(r, p->consult_with);
	consult_send(ob, r, p, false);
	if (o != NULL) {
		consult_send(ob, r, o, false);
		o->consult_with = 0;
		o->consult_record = false;
	}
	p->consult_with = 0;
	p->consult_record = false;
}

/* " If no host comes back within N minutes, it closes by itself." */
static void
idle_words(char *out, size_t len)
{
	int s = srv->cfg.room_idle_close;

	if (s <= 0)
		*out = '\0';
	else if (s % 60 == 0)
		snprintf(out, len, " If no host comes back within %d minute%s, "
		    "it closes by itself and keeps its record.", s / 60,
		    s == 60 ? "" : "s");
	else
		snprintf(out, len, " If no host comes back within %d seconds, "
		    "it closes by itself and keeps its record.", s);
}

/* Drop one presence; when a person's last conn goes, tell the room. */
static void
presence_drop(struct outbox *ob, struct room *r, struct presence *h,
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
	consult_end(ob, r, p);
	/* gone: their unanswered support calls no longer wait (nor open the
	 * room to staff) */
	for (struct alert *al = r->alerts; al != NULL; al = al->next)
		if (al->member_id == p->member_id)
			al->answered = true;
	if (p->host) {
		bool hosted = false;

		for (struct person *q = r->people; q != NULL; q = q->next)
			hosted = hosted || (q->host && q->present > 0);
		if (!hosted) {
			char wait[128];

			r->hostless_since = now_unix();
			idle_words(wait, sizeof wait);
			system_message(ob, r, "No host is in the room now. It stays "
			    "open; a host can come back, or the community's "
			    "leaders can take over or close it.%s", wait);
		}
	}
	if (queue_place(r, p->member_id, NULL) != 0) {
		/* Leaving gives up the place; a lost connection keeps it, but
		 * hosts see them as away. */
		if (leaving)
			queue_remove(r, p->member_id);
		send_queue(ob, r);
	}
	send_presence(ob, r, "left", p);
}

void
room_notice(struct outbox *ob, int64_t room_id, const char *text)
{
	struct room *r = room_by_id(room_id);

	if (r != NULL)
		system_message(ob, r, "%s", text);
}

/* Not a handler: the room hears of a lost session at once. */
void
room_conn_gone(struct conn *c)
{
	struct presence *h;
	struct outbox ob;

	outbox_init(&ob);
	for (struct room *r = rooms; r != NULL; r = r->next) {
		while ((h = presence_of(r, c)) != NULL)
			presence_drop(&ob, r, h, false);
	}
	outbox_apply(&ob, true);
}

static bool room_escalated(const struct room *);

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
		    (h = presence_of(r, c)) == NULL ||
		    authz_is_staff(c) || authz_conn_reads(c, r->community_id))
			continue;
		conn_event(c, "room.state", json_pack("{s:I, s:b, s:s}",
		    "room_id", (json_int_t)r->id, "removed", 1, "reason",
		    "You can no longer read this community, so you have left "
		    "its room."));
		while ((h = presence_of(r, c)) != NULL)
			presence_drop(&ob, r, h, true);
	}
	outbox_apply(&ob, true);
}

/* Has a support request here gone to staff, with nobody answering yet? */
static bool
room_escalated(const struct room *r)
{
	for (const struct alert *al = r->alerts; al != NULL; al = al->next)
		if (al->escalated && !al->answered)
			return true;
	return false;
}

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
	if (authz_is_staff(x->conn) && (room_escalated(r) ||
	    presence_of(r, x->conn) != NULL))
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
	if ((h = presence_of(r, x->conn)) == NULL)
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

static int
mode_parse(const char *s, enum rmode *m)
{
	for (int i = 0; i <= RM_SUMMARY; i++) {
		if (strcmp(s, rmode_names[i]) == 0) {
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

static json_t *
history_json(const struct room *r)
{
	json_t *list = json_array();

	for (int i = 0; i < r->hist_len; i++)
		json_array_append(list,
		    r->history[(r->hist_head + i) % ROOM_HISTORY]);
	return list;
}

/* A line from the room itself (topic, who is being helped). */
static void
system_message(struct outbox *ob, struct room *r, const char *fmt, ...)
{
	va_list ap;
	char *text;
	json_t *d;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	d = json_pack("{s:I, s:I, s:o, s:b, s:s}", "room_id",
	    (json_int_t)r->id, "seq", (json_int_t)next_seq(r), "at", now_json(),
	    "system", 1, "text", text);
	free(text);
	outbox_room_event(ob, r->id, 0, ROOM_EV_KEEP, "room.message", d);
}

/*
 * May the caller speak in the room: write in its community, or be staff
 * (who come into rooms to answer support calls)? If not, why goes in why;
 * the call's error is left clear either way.
 */
static bool
may_say(struct call *x, const struct room *r, char *why, size_t whylen)
{
	struct access a;
	bool ok;

	if (r->community_id == 0 || authz_is_staff(x->conn)) {
		ok = x->conn->member.coc_accepted_at != 0;
		if (!ok)
			snprintf(why, whylen, "Please read and accept the "
			    "code of conduct before writing.");
		return ok;
	}
	ok = authz_community(x, r->community_id, CA_REPLY, &a) == 0;
	if (!ok)
		snprintf(why, whylen, "%s", x->msg);
	x->err = 0;
	x->msg[0] = '\0';
	return ok;
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
	json_t *o = json_pack("{s:o, s:o, s:o, s:o}", "room", state_json(r),
	    "people", people_json(r), "history", room_readable_by_rule(x, r) ?
	    history_json(r) : json_array(), "you", person_json(p));
	json_t *you = json_object_get(o, "you"), *alerts;
	char why[512] = "";

	json_object_set_new(you, "can_say", json_boolean(may_say(x, r, why,
	    sizeof why)));
	if (why[0] != '\0')
		json_object_set_new(you, "why_not", json_string(why));
	json_object_set_new(o, "queue", queue_view(r, p));
	if (may_host(x, r, p) || authz_is_staff(x->conn)) {
		alerts = json_array();
		for (struct alert *al = r->alerts; al != NULL; al = al->next)
			if (!al->answered)
				json_array_append_new(alerts, alert_json(r, al,
				    person_find(r, al->member_id)));
		json_object_set_new(o, "support", alerts);
	}
	return o;
}

/* Add a conn to the room; the caller has checked it may come in. */
static struct person *
room_enter(struct outbox *ob, struct room *r, struct conn *c)
{
	struct person *p = person_get(r, c->member.id);
	struct presence *h;

	if (p == NULL)
		return NULL;
	if (presence_of(r, c) != NULL)
		return p;
	h = xcalloc(1, sizeof *h);
	h->c = c;
	h->p = p;
	h->next = r->here;
	r->here = h;
	if (p->host)
		r->hostless_since = 0;
	if (p->present++ == 0) {
		if (!p->attended)
			p->joined_at = now_unix();
		p->attended = true;
		send_presence(ob, r, "joined", p);
		if (queue_place(r, p->member_id, NULL) != 0)
			send_queue(ob, r); /* hosts see them present */
	}
	return p;
}

/* A room that room.open built, and the session that opened it. */
struct opening {
	struct room *room;
	uint64_t conn_id;
};

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
		send_queue(&ob, r);
	outbox_apply(&ob, true);
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
	struct opening *opening;
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
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (mode_parse(mode, &m) != 0)
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
	sqlite3_bind_text(st, 4, rmode_names[m], -1, SQLITE_STATIC);
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
		if ((p = person_get(r, hosts[i])) != NULL)
			p->host = true;
	}
	/* The queue members joined before the room opened. */
	if (event_id != 0) {
		st = db_stmt(srv->db, "SELECT member_id, topic, at FROM "
		    "event_queue WHERE event_id = ? ORDER BY at, member_id");
		sqlite3_bind_int64(st, 1, event_id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (person_get(r, sqlite3_column_int64(st, 0)) == NULL)
				continue;
			queue_append(r, sqlite3_column_int64(st, 0),
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
	if (person_find(r, x->conn->member.id) == NULL) {
		room_free(r);
		return call_db_fail(x);
	}
	for (p = r->people; p != NULL; p = p->next) {
		if (person_save(x, r, p) != 0) {
			room_free(r);
			return -1;
		}
	}
	if (queue_save(x, r) != 0) {
		room_free(r);
		return -1;
	}
	/* The opener is brought in after the commit; say what they'll see,
	 * themselves present. */
	p = person_find(r, x->conn->member.id);
	p->present++;
	x->result = join_result(x, r, p);
	p->present--;
	opening = xmalloc(sizeof *opening);
	opening->room = r;
	opening->conn_id = x->conn->id;
	outbox_fn(&x->out, open_link, opening);
	return 0;
}

static int
op_room_join(struct call *x)
{
	struct room *r = room_arg(x);
	struct person *p;

	if (r == NULL)
		return -1;
	p = person_find(r, x->conn->member.id);
	if (p != NULL && p->removed)
		return call_fail(x, ERR_FORBIDDEN, "A host removed you from "
		    "this room; you cannot rejoin it while it is open.");
	if ((p = room_enter(&x->out, r, x->conn)) == NULL)
		return call_db_fail(x);
	if (person_save(x, r, p) != 0)
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
	presence_drop(&x->out, r, h, true);
	if (queue_save(x, r) != 0)
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

static int
op_room_say(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	struct person *p, *o;
	const char *text = NULL;
	char why[512];
	uint64_t t0 = uv_hrtime() / 1000;
	json_t *d;

	if (h == NULL)
		return -1;
	p = h->p;
	if (arg_str(x->args, "text", true, ROOM_MSG_MAX, &text, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (blank(text))
		return call_fail(x, ERR_BAD_REQUEST, "args.text is empty");
	if (p->muted)
		return call_fail(x, ERR_FORBIDDEN, "A host has muted you in "
		    "this room; your message was not sent. You can still "
		    "reach the hosts privately with \"I need support\".");
	if (r->paused && !p->host && p->consult_with == 0)
		return call_fail(x, ERR_CONFLICT, "A host has paused the room; "
		    "your message was not sent. Try again when it resumes.");
	if (!may_say(x, r, why, sizeof why))
		return call_fail(x, ERR_FORBIDDEN, "%s", why);
	if (p->consult_with != 0) {
		/* A private consult: only the two see it. */
		o = person_find(r, p->consult_with);
		if (p->consult_record && message_store(x, r, p->member_id,
		    text, p->member_id, p->consult_with) != 0)
			return -1;
		d = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:b, s:s}",
		    "room_id", (json_int_t)r->id, "seq", (json_int_t)next_seq(r),
		    "at", now_json(), "handle", p->handle, "display_name",
		    p->display_name, "text", text, "private", 1, "with",
		    o ? o->handle : "?");
		send_member(&x->out, r, p->member_id, "room.message",
		    json_incref(d));
		send_member(&x->out, r, p->consult_with, "room.message", d);
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
	    (json_int_t)r->id, "seq", (json_int_t)next_seq(r), "at", now_json(),
	    "handle", p->handle, "display_name", p->display_name, "text",
	    text);
	outbox_room_event(&x->out, r->id, 0, ROOM_EV_KEEP, "room.message", d);
	fanout_probe(t0);
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
	    sizeof x->msg) != 0)
		return call_bad(x);
	free(r->topic);
	r->topic = xstrdup(topic);
	if (room_row_save(x, r) != 0)
		return -1;
	send_state(&x->out, r);
	x->result = state_json(r);
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
	if (person_save(x, r, t) != 0)
		return -1;
	send_presence(&x->out, r, muted ? "muted" : "unmuted", t);
	x->result = person_json(t);
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
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (t->host)
		return call_fail(x, ERR_CONFLICT, "%s is hosting; hand hosting "
		    "over before removing them.", t->handle);
	t->removed = true;
	if (queue_place(r, t->member_id, NULL) != 0) {
		queue_remove(r, t->member_id);
		send_queue(&x->out, r);
	}
	d = json_pack("{s:I, s:b, s:s}", "room_id", (json_int_t)r->id,
	    "removed", 1, "reason", reason);
	/* to all their sessions: the presences go before it is delivered */
	outbox_member_event(&x->out, t->member_id, "room.state", d);
	for (h = r->here; h != NULL; h = hn) {
		hn = h->next;
		if (h->p == t)
			presence_drop(&x->out, r, h, true);
	}
	if (person_save(x, r, t) != 0 || queue_save(x, r) != 0)
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
	send_state(&x->out, r);
	x->result = state_json(r);
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
	if (person_save(x, r, t) != 0 || person_save(x, r, h->p) != 0)
		return -1;
	send_state(&x->out, r);
	send_presence(&x->out, r, "host", t);
	if (!h->p->host)
		send_presence(&x->out, r, "unhost", h->p);
	send_queue(&x->out, r);
	x->result = state_json(r);
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
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (!r->surgery)
		return call_fail(x, ERR_CONFLICT, "This room is not a surgery: "
		    "it has no queue. Just say what you need.");
	if (blank(topic))
		return call_fail(x, ERR_BAD_REQUEST, "args.topic is required: "
		    "say in a few words what you would like help with");
	if (queue_place(r, h->p->member_id, NULL) != 0)
		queue_remove(r, h->p->member_id);
	queue_append(r, h->p->member_id, topic, now_unix());
	if (queue_save(x, r) != 0)
		return -1;
	send_queue(&x->out, r);
	x->result = queue_view(r, h->p);
	return 0;
}

static int
op_room_queue_leave(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);

	if (h == NULL)
		return -1;
	if (queue_place(r, h->p->member_id, NULL) == 0)
		return call_fail(x, ERR_CONFLICT, "You are not in the queue.");
	queue_remove(r, h->p->member_id);
	if (queue_save(x, r) != 0)
		return -1;
	send_queue(&x->out, r);
	x->result = queue_view(r, h->p);
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
		t = person_find(r, q->member_id);
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
	queue_remove(r, t->member_id);
	if (t->hand) {
		t->hand = false;
		send_presence(&x->out, r, "hand_down", t);
	}
	if (private) {
		h->p->consult_with = t->member_id;
		t->consult_with = h->p->member_id;
		h->p->consult_record = t->consult_record =
		    strcmp(record, "transcript") == 0;
		consult_send(&x->out, r, h->p, true);
		consult_send(&x->out, r, t, true);
	} else
		system_message(&x->out, r, "%s is now helping %s with: %s",
		    h->p->display_name, t->display_name, topic);
	send_queue(&x->out, r);
	if (queue_save(x, r) != 0) {
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
	consult_end(&x->out, r, h->p);
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
	send_presence(&x->out, r, raised ? "hand_up" : "hand_down", h->p);
	x->result = person_json(h->p);
	return 0;
}

static json_t *
alert_json(struct room *r, struct alert *al, const struct person *p)
{
	json_t *d = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:b, s:b}",
	    "room_id", (json_int_t)r->id, "room", r->title, "support_id",
	    (json_int_t)al->id, "handle", p ? p->handle : "?", "display_name",
	    p ? p->display_name : "?", "text", al->text, "answered",
	    al->answered, "escalated", al->escalated);

	return d;
}

/* Send an alert to every host's sessions anywhere (not the room). */
static void
alert_to_hosts(struct outbox *ob, struct room *r, struct alert *al)
{
	struct person *p = person_find(r, al->member_id);

	for (struct person *hp = r->people; hp != NULL; hp = hp->next) {
		if (hp->host && hp->member_id != al->member_id)
			outbox_member_event(ob, hp->member_id, "room.support",
			    alert_json(r, al, p));
	}
}

/* How long a support call waits before staff hear of it, in words. */
static void
escalate_words(char *out, size_t len)
{
	int s = srv->cfg.support_escalate;

	if (s % 60 == 0)
		snprintf(out, len, "%d minute%s", s / 60, s == 60 ? "" : "s");
	else
		snprintf(out, len, "%d second%s", s, s == 1 ? "" : "s");
}

static int
op_room_support(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	const char *text = "";
	struct alert *al;
	char wait[32];

	if (h == NULL)
		return -1;
	if (arg_str(x->args, "text", false, 1000, &text, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	al = xcalloc(1, sizeof *al);
	al->id = next_alert_id++;
	al->member_id = h->p->member_id;
	al->text = xstrdup(text);
	al->at_ms = now_ms();
	al->next = r->alerts;
	r->alerts = al;
	alert_to_hosts(&x->out, r, al);
	if (!support_timer_init) {
		uv_timer_init(srv->loop, &support_timer);
		uv_unref((uv_handle_t *)&support_timer);
		support_timer_init = true;
	}
	if (!uv_is_closing((uv_handle_t *)&support_timer) &&
	    !uv_is_active((uv_handle_t *)&support_timer))
		uv_timer_start(&support_timer, support_tick, SUPPORT_TICK_MS,
		    SUPPORT_TICK_MS);
	escalate_words(wait, sizeof wait);
	x->result = json_pack("{s:I, s:s++}", "support_id",
	    (json_int_t)al->id, "status", "The hosts have been told, "
	    "privately. If no host answers within ", wait, ", staff will be "
	    "told too.");
	return 0;
}

static int
op_room_support_answer(struct call *x)
{
	struct room *r;
	struct presence *h = here_arg(x, &r);
	json_int_t id = 0;
	struct alert *al;

	if (h == NULL)
		return -1;
	if (!may_host(x, r, h->p) && !authz_is_staff(x->conn))
		return call_fail(x, ERR_FORBIDDEN, "Only the room's hosts, "
		    "or staff, may answer a support request.");
	if (arg_int(x->args, "support_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	for (al = r->alerts; al != NULL && al->id != id; al = al->next)
		;
	if (al == NULL)
		return call_fail(x, ERR_NOT_FOUND, "No such support request "
		    "in this room.");
	al->answered = true;
	outbox_member_event(&x->out, al->member_id, "room.support",
	    json_pack("{s:I, "
	    "s:I, s:b, s:s, s:s}", "room_id", (json_int_t)r->id, "support_id",
	    (json_int_t)al->id, "answered", 1, "by", h->p->handle, "text",
	    h->p->host ? "A host has seen your request and will be with you." :
	    "Staff have seen your request and will be with you."));
	x->result = json_pack("{s:I, s:b}", "support_id", (json_int_t)al->id,
	    "answered", 1);
	return 0;
}

/* A support alert going to staff (unmarked if that does not commit). */
struct escalation {
	int64_t room_id, alert_id;
};

static void
escalated_mark(void *arg, bool committed)
{
	struct escalation *e = arg;
	struct room *r = room_by_id(e->room_id);

	for (struct alert *al = r ? r->alerts : NULL; al != NULL;
	    al = al->next)
		if (al->id == e->alert_id && !committed)
			al->escalated = false;
	free(e);
}

/*
 * As the server: escalate the support alerts no host answered within
 * support_escalate, with a stored notification (and so a live notify.new)
 * and a room.support event for every staff member and admin. *arg is set
 * when an alert is still waiting.
 */
static int
support_escalate(struct call *x, void *arg)
{
	bool *pending = arg;
	sqlite3_stmt *st;
	int64_t staff[256];
	size_t n = 0;
	bool listed = false;
	struct escalation *esc;
	struct person *p;
	char wait[32];

	for (struct room *r = rooms; r != NULL; r = r->next) {
		for (struct alert *al = r->alerts; al != NULL; al = al->next) {
			if (al->answered || al->escalated)
				continue;
			if (now_ms() - al->at_ms <
			    (uint64_t)srv->cfg.support_escalate * 1000) {
				*pending = true;
				continue;
			}
			al->escalated = true;
			esc = xmalloc(sizeof *esc);
			esc->room_id = r->id;
			esc->alert_id = al->id;
			outbox_fn(&x->out, escalated_mark, esc);
			if (!listed) {
				st = db_stmt(srv->db, "SELECT id FROM members "
				    "WHERE role IN ('staff', 'admin') AND "
				    "status = 'active'");
				while (n < 256 && sqlite3_step(st) ==
				    SQLITE_ROW)
					staff[n++] =
					    sqlite3_column_int64(st, 0);
				sqlite3_reset(st);
				listed = true;
			}
			p = person_find(r, al->member_id);
			escalate_words(wait, sizeof wait);
			for (size_t i = 0; i < n; i++) {
				if (notify_add_ref(x, staff[i], "support",
				    &(struct notify_ref){ .community_id =
				    r->community_id, .room_id = r->id },
				    "%s needs support in the room “%s” and no "
				    "host answered in %s.", p ?
				    p->display_name : "A member", r->title,
				    wait) != 0)
					return -1;
				outbox_member_event(&x->out, staff[i],
				    "room.support", alert_json(r, al, p));
			}
			alert_to_hosts(&x->out, r, al);
			outbox_member_event(&x->out, al->member_id,
			    "room.support", json_pack("{s:I, s:I, s:b, s:s}",
			    "room_id", (json_int_t)r->id, "support_id",
			    (json_int_t)al->id, "escalated", 1, "text",
			    "No host answered yet, so staff have been told "
			    "too."));
		}
	}
	return 0;
}

/* The support timer: escalation runs as the server, in the group commit. */
static void
support_tick(uv_timer_t *t)
{
	bool pending = false;

	if (dispatch_server("support escalation", support_escalate,
	    &pending) != 0)
		pending = true; /* try again on the next tick */
	if (!pending)
		uv_timer_stop(t);
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
	struct room *r = room_by_id(cl->room_id);

	if (r != NULL && !committed)
		r->closing = false;
	else if (r != NULL) {
		room_deliver(r->id, 0, 0, "room.state", json_pack("{s:I, s:b, "
		    "s:o, s:b}", "room_id", (json_int_t)r->id, "closed", 1,
		    "thread_id", cl->thread_id ? json_integer(cl->thread_id) :
		    json_null(), "review", cl->review));
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
static int
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
	    record_close(x, r->id, &thread, &review) != 0)
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

static int
op_room_close(struct call *x)
{
	struct room *r;
	struct presence *h;
	const char *summary = NULL;

	if ((r = room_arg(x)) == NULL)
		return -1;
	h = presence_of(r, x->conn);
	if (!may_host(x, r, h ? h->p : person_find(r, x->conn->member.id)))
		return x->err == ERR_NOT_FOUND ? -1 : call_fail(x,
		    ERR_FORBIDDEN, "Only the room's hosts may close it.");
	if (arg_str(x->args, "summary", false, 20000, &summary, x->msg,
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
		system_message(&x->out, r, "No host has been here for a "
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
	    (json_int_t)r->id, "seq", (json_int_t)next_seq(r), "at",
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
	if (mode_parse(db_col_text(rs, 4), &r->mode) != 0)
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
		if ((p = person_get(r, sqlite3_column_int64(st, 0))) == NULL)
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
		if (person_get(r, sqlite3_column_int64(st, 0)) != NULL)
			queue_append(r, sqlite3_column_int64(st, 0),
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

		json_object_set_new(d, "seq", json_integer(next_seq(r)));
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
	int n = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		r = room_load(st);
		r->next = rooms;
		rooms = r;
		n++;
	}
	sqlite3_reset(st);
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
	for (struct room *r = rooms; r != NULL; r = r->next) {
		if (slug != NULL && r->community_id != a.community_id)
			continue;
		/* staff's way into a private room (a support call) is the
		 * notification, not this list */
		if (!room_readable_by_rule(x, r) && presence_of(r, x->conn) ==
		    NULL)
			continue;
		n = 0;
		for (struct person *p = r->people; p != NULL; p = p->next)
			n += p->present > 0;
		o = state_json(r);
		json_object_set_new(o, "present", json_integer(n));
		json_array_append_new(list, o);
	}
	x->result = json_pack("{s:o}", "rooms", list);
	return 0;
}

const struct op op_room_table[] = {
	{ "room.open", OP_MEMBER | OP_WRITE, op_room_open,
	    "Open a room {event_id} or {community, title}, with {record: "
	    "off, transcript, chatham or summary, surgery?, topic?}; you "
	    "join it as host.", RATE_WRITE,
	    ARGS(ARG_STR("community", ARG_OPT, 64),
	    ARG_INT("event_id", ARG_OPT, 1, INT64_MAX),
	    ARG_STR("title", ARG_OPT, 120), ARG_STR("record", ARG_REQ, 16),
	    ARG_STR("topic", ARG_OPT, 200), ARG_BOOL("surgery", ARG_OPT)) },
	{ "room.join", OP_MEMBER | OP_WRITE, op_room_join,
	    "Join an open room {room_id}: its state, who is here, recent "
	    "messages (as the record mode keeps them) and your queue place.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.leave", OP_MEMBER | OP_WRITE, op_room_leave,
	    "Leave a room {room_id} (and its queue).", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.say", OP_MEMBER | OP_WRITE, op_room_say,
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
	{ "room.queue_join", OP_MEMBER | OP_WRITE, op_room_queue_join,
	    "Surgery: join the queue {room_id, topic}; you see your place.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("topic", ARG_REQ, 200)) },
	{ "room.queue_leave", OP_MEMBER | OP_WRITE, op_room_queue_leave,
	    "Surgery: leave the queue {room_id}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.queue_take", OP_MEMBER | OP_WRITE, op_room_queue_take,
	    "Host: take the next person (or {handle}) in public or into a "
	    "private consult {room_id, private?, record?: off or "
	    "transcript}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("handle", ARG_OPT, 40), ARG_BOOL("private", ARG_OPT),
	    ARG_STR("record", ARG_OPT, 16)) },
	{ "room.consult_end", OP_MEMBER, op_room_consult_end,
	    "End your private consult and return to the room {room_id}.",
	    RATE_WRITE, ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.raise_hand", OP_MEMBER, op_room_raise_hand,
	    "Raise or lower your hand {room_id, raised?}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_BOOL("raised", ARG_OPT)) },
	{ "room.support", OP_MEMBER, op_room_support,
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
