/*
 * room-support.c: "I need support" in a room. A member's alert goes
 * privately to the room's hosts, wherever they are; if no host answers
 * within support_escalate seconds, a timer escalates it as the server
 * (dispatch_server, in the group commit): a stored notification and a live
 * room.support event for every staff member and admin, who may then come
 * into the room to help even when its community is private. Alerts are
 * live only (a restart forgets them) and their struct is private to this
 * file; op-room.c's room.support and room.support_answer call in here.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define SUPPORT_TICK_MS 1000 /* how often unanswered requests are checked */

struct alert {
	int64_t id;
	int64_t member_id;
	char *text;
	uint64_t at_ms;
	bool answered, escalated;
	struct alert *next;
};

static int64_t next_alert_id = 1;
static uv_timer_t support_timer;
static bool support_timer_init;

static void support_tick(uv_timer_t *);

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
	struct person *p = room_person_find(r, al->member_id);

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

/*
 * room.support: the member asks for support. The hosts are told at once;
 * the support timer starts so that staff hear of it if no host answers.
 * Returns the reply for the member.
 */
json_t *
room_support_raise(struct outbox *ob, struct room *r, int64_t member_id,
    const char *text)
{
	struct alert *al;
	char wait[32];

	al = xcalloc(1, sizeof *al);
	al->id = next_alert_id++;
	al->member_id = member_id;
	al->text = xstrdup(text);
	al->at_ms = now_ms();
	al->next = r->alerts;
	r->alerts = al;
	alert_to_hosts(ob, r, al);
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
	return json_pack("{s:I, s:s++}", "support_id",
	    (json_int_t)al->id, "status", "The hosts have been told, "
	    "privately. If no host answers within ", wait, ", staff will be "
	    "told too.");
}

/*
 * room.support_answer: by (a host or staff) has seen request id; the member
 * who asked is told. Returns the reply, or NULL if there is no such
 * request in the room.
 */
json_t *
room_support_answer(struct outbox *ob, struct room *r, int64_t id,
    const struct person *by)
{
	struct alert *al;

	for (al = r->alerts; al != NULL && al->id != id; al = al->next)
		;
	if (al == NULL)
		return NULL;
	al->answered = true;
	outbox_member_event(ob, al->member_id, "room.support",
	    json_pack("{s:I, "
	    "s:I, s:b, s:s, s:s}", "room_id", (json_int_t)r->id, "support_id",
	    (json_int_t)al->id, "answered", 1, "by", by->handle, "text",
	    by->host ? "A host has seen your request and will be with you." :
	    "Staff have seen your request and will be with you."));
	return json_pack("{s:I, s:b}", "support_id", (json_int_t)al->id,
	    "answered", 1);
}

/* The requests nobody has answered yet, for those who may host. */
json_t *
room_support_json(struct room *r)
{
	json_t *alerts = json_array();

	for (struct alert *al = r->alerts; al != NULL; al = al->next)
		if (!al->answered)
			json_array_append_new(alerts, alert_json(r, al,
			    room_person_find(r, al->member_id)));
	return alerts;
}

/* Has a support request here gone to staff, with nobody answering yet? */
bool
room_support_escalated(const struct room *r)
{
	for (const struct alert *al = r->alerts; al != NULL; al = al->next)
		if (al->escalated && !al->answered)
			return true;
	return false;
}

/*
 * A member's last session left the room: their unanswered support calls no
 * longer wait (nor open the room to staff).
 */
void
room_support_gone(struct room *r, int64_t member_id)
{
	for (struct alert *al = r->alerts; al != NULL; al = al->next)
		if (al->member_id == member_id)
			al->answered = true;
}

/* Free the room's alerts (room_free). */
void
room_support_free(struct room *r)
{
	struct alert *a, *an;

	for (a = r->alerts; a != NULL; a = an) {
		an = a->next;
		free(a->text);
		free(a);
	}
	r->alerts = NULL;
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

	for (struct room *r = room_first(); r != NULL; r = r->next) {
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
			p = room_person_find(r, al->member_id);
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
