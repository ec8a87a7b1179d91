/*
 * room.c: a live room, a drop-in or a surgery: the screen's model. It
 * joins (room.join) or opens the room, keeps what the server says (the
 * room's state, the people here, the queue, the scrollback of messages
 * and its own notes, support alerts) current from live events
 * (room.message, .presence, .queue, .state, .consult, .support), and makes
 * the calls the room's commands (room-command.c) ask for, as their front
 * end on screen. room-draw.c draws it and room-key.c reads its keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

#define ROOM_KEEP 1000 /* messages kept in the scrollback */

static void ev_support(struct room *, json_t *);

/* ---- small helpers ---- */

static json_t *
room_args(struct room *r)
{
	return json_pack("{s:I}", "room_id", r->id);
}

bool
room_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

/* "1st", "2nd", "3rd", "4th", "11th"... */
const char *
room_ordinal(json_int_t n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1: return "st";
	case 2: return "nd";
	case 3: return "rd";
	default: return "th";
	}
}

/* The record mode in plain words. */
const char *
room_record_words(const char *mode)
{
	if (strcmp(mode, "off") == 0)
		return "Record: off — nothing kept";
	if (strcmp(mode, "transcript") == 0)
		return "Record: transcript — kept with names, for members";
	if (strcmp(mode, "chatham") == 0)
		return "Record: Chatham House Rule — kept without names";
	if (strcmp(mode, "summary") == 0)
		return "Record: summary only — the host's summary is kept";
	return "Record: unknown";
}

const char *
room_consult_words(const char *rec)
{
	return strcmp(rec, "transcript") == 0 ? "transcript, kept privately "
	    "and never posted" : "off, nothing kept";
}

/* The person with this handle among those here, or NULL. */
json_t *
room_person_of(struct room *r, const char *handle)
{
	json_t *p;
	size_t i;

	json_array_foreach(r->people, i, p)
		if (strcmp(js(p, "handle"), handle) == 0)
			return p;
	return NULL;
}

/* A person's name for notes: display name, else the handle. */
void
room_name_of(struct room *r, const char *handle, char *out, size_t len)
{
	json_t *p = room_person_of(r, handle);

	if (p != NULL && js(p, "display_name")[0])
		snprintf(out, len, "%s", js(p, "display_name"));
	else
		snprintf(out, len, "@%s", handle);
}

/* Add a message; history and live events may overlap, so by seq. */
static void
msg_add(struct room *r, json_t *m)
{
	json_int_t seq = ji(m, "seq");

	if (seq != 0) {
		if (seq <= r->last_seq)
			return;
		r->last_seq = seq;
	}
	json_array_append(r->msgs, m);
	if (r->scroll > 0 && !ji(m, "note"))
		r->unseen++;
	if (json_array_size(r->msgs) > ROOM_KEEP) {
		/* drop the oldest hundred and render again */
		for (int i = 0; i < 100; i++)
			json_array_remove(r->msgs, 0);
		r->doc_width = 0;
	} else if (r->doc_width > 0) {
		/* render now, so scrolled-up text stays where it is */
		size_t before = r->doc.n;
		room_draw_render(r, r->doc_width);
		if (r->scroll > 0)
			r->scroll += (int)(r->doc.n - before);
	}
	ui_dirty();
}

/*
 * The history a join answers with, merged by seq into what is shown: the
 * events of the join itself ("A host is here again") may have come before
 * the answer, and are newer than every line of its history.
 */
static void
msgs_merge_history(struct room *r, json_t *hist)
{
	json_t *out, *m;
	size_t i = 0, j, nh = json_array_size(hist);
	json_int_t seq;

	if (nh == 0)
		return;
	if (json_array_size(r->msgs) == 0 ||
	    ji(json_array_get(hist, 0), "seq") > r->last_seq) {
		json_array_foreach(hist, j, m)
			msg_add(r, m);
		return;
	}
	out = json_array();
	json_array_foreach(r->msgs, j, m) {
		seq = ji(m, "seq");
		while (seq != 0 && i < nh &&
		    ji(json_array_get(hist, i), "seq") <= seq) {
			if (ji(json_array_get(hist, i), "seq") < seq)
				json_array_append(out, json_array_get(hist, i));
			i++; /* the same seq: already shown */
		}
		json_array_append(out, m);
	}
	for (; i < nh; i++) {
		m = json_array_get(hist, i);
		json_array_append(out, m);
		if (ji(m, "seq") > r->last_seq)
			r->last_seq = ji(m, "seq");
	}
	json_decref(r->msgs);
	r->msgs = out;
	while (json_array_size(r->msgs) > ROOM_KEEP) /* as msg_add keeps */
		json_array_remove(r->msgs, 0);
	r->doc_width = 0; /* render again */
	ui_dirty();
}

static void note(struct room *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A line of our own in the scrollback (someone joined, the topic...). */
static void
note(struct room *r, const char *fmt, ...)
{
	char text[1200];
	va_list ap;
	json_t *m;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	m = json_pack("{s:b, s:s}", "note", 1, "text", text);
	msg_add(r, m);
	json_decref(m);
}

/* ---- state from the server ---- */

/* The community a listener must join to speak. */
const char *
room_community(struct room *r)
{
	return js(r->state, "community_name")[0] ? js(r->state,
	    "community_name") : js(r->state, "community")[0] ?
	    js(r->state, "community") : "the community";
}

/* Our own flags from the people here. */
static void
me_update(struct room *r)
{
	json_t *p = room_person_of(r, r->me), *h;
	size_t i;

	if (p != NULL) {
		r->host = ji(p, "host") != 0;
		r->muted = ji(p, "muted") != 0;
		r->hand = ji(p, "hand") != 0;
		if (json_object_get(p, "can_say") != NULL)
			r->can_say = !json_is_false(json_object_get(p,
			    "can_say"));
		return;
	}
	r->host = false;
	json_array_foreach(json_object_get(r->state, "hosts"), i, h)
		if (strcmp(js(h, "handle"), r->me) == 0)
			r->host = true;
}

static void
title_update(struct room *r)
{
	snprintf(r->title, sizeof r->title, "Room: %s", js(r->state,
	    "title"));
	r->v.title = r->title;
}

/* What room.join (and room.open) returned: the room as it is now. */
/* The input line kept from before (a dropped link, another computer). */
static void
room_draft_got(void *ctx, json_t *result, json_t *error)
{
	struct room *r = ctx;
	json_t *d = draft_of(result, error);

	if (d != NULL)
		draft_offered(r->draft);
	if (d == NULL || r->ed.len > 0)
		return;
	ed_free(&r->ed);
	ed_init(&r->ed, js(d, "body"));
	r->multiline = strchr(js(d, "body"), '\n') != NULL;
	note(r, "What you were writing is back (kept on the server); Enter "
	    "sends it.");
	ui_dirty();
}

static void
room_apply(struct room *r, json_t *res)
{
	json_t *h, *m;
	size_t i;
	int n;

	json_decref(r->state);
	r->state = json_incref(json_object_get(res, "room"));
	r->id = ji(r->state, "room_id");
	json_decref(r->people);
	r->people = json_incref(jarr(res, "people"));
	if (r->people == NULL)
		r->people = json_array();
	json_decref(r->queue);
	r->queue = json_incref(json_object_get(res, "queue"));
	snprintf(r->me, sizeof r->me, "%s", js(json_object_get(res, "you"),
	    "handle"));
	if (r->me[0] == '\0' && g_me != NULL)
		snprintf(r->me, sizeof r->me, "%s", js(g_me, "handle"));
	me_update(r);
	h = json_object_get(res, "you");
	r->host = ji(h, "host") != 0;
	r->muted = ji(h, "muted") != 0;
	r->hand = ji(h, "hand") != 0;
	/* a missing can_say is an older server: everyone may speak */
	r->can_say = !json_is_false(json_object_get(h, "can_say"));
	title_update(r);
	msgs_merge_history(r, json_object_get(res, "history"));
	/* hosts and staff: the support calls nobody has answered yet */
	json_array_foreach(json_object_get(res, "support"), i, m) {
		ev_support(r, m);
		note(r, "* SUPPORT needed: %s (@%s)%s%s. F8 or \"/answer %s\" "
		    "answers.", js(m, "display_name"), js(m, "handle"),
		    js(m, "text")[0] ? ": " : "", js(m, "text"),
		    js(m, "handle"));
	}
	n = (int)json_array_size(r->people);
	if (!r->joined && !r->can_say)
		note(r, "You are in “%s”, listening only: join %s to speak. "
		    "%d here. /help lists the commands.", js(r->state,
		    "title"), room_community(r), n);
	else if (!r->joined)
		note(r, "You are in “%s”%s. %d here. Enter sends; /help lists "
		    "the commands.", js(r->state, "title"), r->host ?
		    " as a host" : "", n);
	/* a host away in a private consult (room.c says so to those there) */
	json_array_foreach(json_object_get(r->state, "hosts"), i, m)
		if (!r->joined && json_is_true(json_object_get(m,
		    "in_consult")) && strcmp(js(m, "handle"), r->me) != 0 &&
		    strcmp(js(m, "handle"), js(json_object_get(res, "you"),
		    "consult_with")) != 0) /* not with me */
			note(r, "%s, the host, is with someone privately; back "
			    "soon.", js(m, "display_name"));
	r->joined = true;
	r->loading = false;
	r->fail[0] = '\0';
	if (r->draft == NULL && r->id != 0) {
		char key[64];

		snprintf(key, sizeof key, "room:%lld", (long long)r->id);
		r->draft = draft_saver_new(key);
		draft_fetch(key, &r->v, room_draft_got, r);
	}
}

static void
room_got(void *ctx, json_t *result, json_t *error)
{
	struct room *r = ctx;

	r->loading = false;
	if (error != NULL) {
		snprintf(r->fail, sizeof r->fail, "%s", err_message(error));
		r->joined = false;
		return;
	}
	room_apply(r, result);
}

#define ROOM_QUIET_PEOPLE 50 /* above this, no joined/left notes */

const char *
room_presence(json_t *d, const char **who)
{
	static const char *whats[] = { "joined", "left", "muted", "unmuted",
	    "hand_up", "hand_down", "host", "unhost", NULL };

	for (int i = 0; whats[i] != NULL; i++)
		if (js(d, whats[i])[0]) {
			*who = js(d, whats[i]);
			return whats[i];
		}
	*who = NULL;
	return NULL;
}

/*
 * room.presence carries one person's change (the whole list came with
 * room.join): put the person in, take them out, or update them.
 */
void
room_people_apply(json_t *people, json_t *d)
{
	const char *who, *what = room_presence(d, &who);
	json_t *person = json_object_get(d, "person"), *p;
	const char *handle = js(person, "handle");
	size_t i, at = (size_t)-1;

	if (what == NULL || !json_is_object(person) || handle[0] == '\0')
		return;
	json_array_foreach(people, i, p) {
		if (strcmp(js(p, "handle"), handle) == 0) {
			at = i;
			break;
		}
	}
	if (strcmp(what, "left") == 0) {
		if (at != (size_t)-1)
			json_array_remove(people, at);
	} else if (at != (size_t)-1)
		json_array_set(people, at, person);
	else
		json_array_append(people, person);
}

/* Who is here changed: keep the list, and say what happened. */
static void
ev_presence(struct room *r, json_t *d)
{
	char name[200];
	const char *who, *what = room_presence(d, &who);

	if (who != NULL)
		room_name_of(r, who, name, sizeof name); /* before they go */
	room_people_apply(r->people, d);
	if (who != NULL && strcmp(what, "left") != 0)
		room_name_of(r, who, name, sizeof name);
	me_update(r);
	if (what == NULL)
		return;
	if (strcmp(who, r->me) == 0) {
		if (strcmp(what, "muted") == 0)
			note(r, "A host muted you: what you write is not sent "
			    "until they unmute you. /support reaches the "
			    "hosts privately.");
		else if (strcmp(what, "unmuted") == 0) {
			r->err[0] = '\0'; /* a "Not sent" is old news now */
			note(r, "A host unmuted you: you can speak again.");
		}
		else if (strcmp(what, "host") == 0)
			note(r, "You are now hosting: /help lists the host "
			    "commands.");
		else if (strcmp(what, "unhost") == 0)
			note(r, "You are no longer hosting.");
		return;
	}
	/* In a big room, arrivals would bury the conversation. */
	if (json_array_size(r->people) > ROOM_QUIET_PEOPLE &&
	    (strcmp(what, "joined") == 0 || strcmp(what, "left") == 0))
		return;
	if (strcmp(what, "joined") == 0)
		note(r, "%s joined.", name);
	else if (strcmp(what, "left") == 0)
		note(r, "%s left.", name);
	else if (strcmp(what, "muted") == 0)
		note(r, "%s was muted by a host.", name);
	else if (strcmp(what, "unmuted") == 0)
		note(r, "%s can speak again.", name);
	else if (strcmp(what, "hand_up") == 0)
		note(r, "%s raised their hand.", name);
	else if (strcmp(what, "host") == 0)
		note(r, "%s is now hosting.", name);
}

/* Topic, pause or hosts changed; or the room closed, or we were removed. */
static void
ev_state(struct room *r, json_t *d)
{
	if (ji(d, "closed")) {
		r->closed = true;
		r->joined = false;
		r->was_host = r->host;
		r->review = json_is_true(json_object_get(d, "review"));
		r->host = r->muted = r->hand = false;
		json_array_clear(r->people);
		r->thread_id = ji(d, "thread_id");
		r->ask = ROOM_ASK_NONE;
		r->focus = ROOM_FOCUS_INPUT;
		r->consult[0] = '\0';
		if (r->thread_id != 0)
			note(r, "The room has closed. Its record is posted as "
			    "a thread: press Enter to open it.");
		else if (r->review && r->was_host)
			note(r, "The room has closed. Its record waits for "
			    "your review before it is posted: press Enter to "
			    "review it (drop or reword lines, then publish).");
		else if (r->review)
			note(r, "The room has closed. Its record is posted "
			    "once the hosts have reviewed it.");
		else
			note(r, "The room has closed. Nothing was kept.");
		return;
	}
	if (ji(d, "removed")) {
		r->removed = true;
		r->joined = false;
		r->host = r->muted = r->hand = false;
		json_array_clear(r->people);
		r->ask = ROOM_ASK_NONE;
		r->focus = ROOM_FOCUS_INPUT;
		snprintf(r->reason, sizeof r->reason, "%s", js(d, "reason"));
		r->access_lost = json_is_true(json_object_get(d, "access"));
		if (r->access_lost)
			note(r, "You have left this room: %s", r->reason);
		else
			note(r, "A host removed you from this room%s%s",
			    r->reason[0] ? ": " : ".", r->reason);
		return;
	}
	if (r->state != NULL) {
		if (strcmp(js(r->state, "topic"), js(d, "topic")) != 0)
			note(r, js(d, "topic")[0] ? "Topic: %s" :
			    "The topic was cleared.%s", js(d, "topic"));
		if (ji(r->state, "paused") != ji(d, "paused")) {
			if (!ji(d, "paused"))
				r->err[0] = '\0'; /* old news now */
			note(r, ji(d, "paused") ? "A host paused the room: "
			    "only hosts can speak until it resumes." :
			    "The room has resumed: everyone can speak.");
		}
	}
	json_decref(r->state);
	r->state = json_incref(d);
	title_update(r);
	me_update(r);
}

/* A private consult began or ended for us. */
static void
ev_consult(struct room *r, json_t *d)
{
	char name[200];

	room_name_of(r, js(d, "with"), name, sizeof name);
	if (ji(d, "active")) {
		snprintf(r->consult, sizeof r->consult, "%s", js(d, "with"));
		if (r->ask == ROOM_ASK_NONE)
			r->focus = ROOM_FOCUS_INPUT;
		snprintf(r->consult_rec, sizeof r->consult_rec, "%s",
		    js(d, "record"));
		note(r, "A private consult with %s has begun: only the two of "
		    "you see what you write until it ends. Record: %s.", name,
		    room_consult_words(r->consult_rec));
	} else if (r->consult[0] != '\0') {
		r->consult[0] = '\0';
		note(r, "The private consult with %s has ended: you are back "
		    "in the room.", name);
	}
}

bool
room_alert_apply(json_t *alerts, json_t *d)
{
	json_t *a;
	size_t i;

	json_array_foreach(alerts, i, a)
		if (ji(a, "support_id") == ji(d, "support_id")) {
			json_array_set(alerts, i, d);
			return false;
		}
	json_array_append(alerts, d);
	return !ji(d, "answered");
}

/*
 * A support request: to hosts, an alert to show until answered; to the
 * member who asked, how it stands.
 */
static void
ev_support(struct room *r, json_t *d)
{
	if (json_object_get(d, "handle") == NULL) {
		/* about our own request */
		if (ji(d, "answered"))
			snprintf(r->support, sizeof r->support, "Support: "
			    "answered by @%s. %s", js(d, "by"), js(d, "text"));
		else if (js(d, "text")[0])
			snprintf(r->support, sizeof r->support, "Support: %s",
			    js(d, "text"));
		return;
	}
	if (room_alert_apply(r->alerts, d))
		ui_flash("Support needed: %s (@%s) in this room. F8 or /answer "
		    "answers.", js(d, "display_name"), js(d, "handle"));
}

/* Events for this room (the server sends those of every room we are in). */
static void ev_muted(struct room *, json_t *);

static void
room_event(struct view *v, const char *name, json_t *d)
{
	struct room *r = (struct room *)v;

	if (strcmp(name, "client.reconnected") == 0) {
		if (r->id != 0 && (r->joined || r->loading)) {
			r->loading = true;
			net_call("room.join", room_args(r), v, room_got, r);
		}
		return;
	}
	if (strcmp(name, "community.muted") == 0) {
		ev_muted(r, d);
		return;
	}
	if (strncmp(name, "room.", 5) != 0 || r->id == 0 ||
	    ji(d, "room_id") != r->id || r->closed || r->removed)
		return;
	if (strcmp(name, "room.message") == 0)
		msg_add(r, d);
	else if (strcmp(name, "room.presence") == 0)
		ev_presence(r, d);
	else if (strcmp(name, "room.queue") == 0) {
		json_decref(r->queue);
		r->queue = json_incref(d);
	} else if (strcmp(name, "room.state") == 0)
		ev_state(r, d);
	else if (strcmp(name, "room.consult") == 0)
		ev_consult(r, d);
	else if (strcmp(name, "room.support") == 0)
		ev_support(r, d);
}

/* A moderator muted (or unmuted) us in the room's community. */
static void
ev_muted(struct room *r, json_t *d)
{
	if (r->id == 0 || strcmp(js(d, "slug"), js(r->state, "community"))
	    != 0)
		return;
	if (ji(d, "muted")) {
		r->muted = true;
		note(r, "A moderator muted you in %s until %.10s %.5s UTC: %s. "
		    "You can still read and listen.", js(d, "name"), js(d,
		    "until"), strlen(js(d, "until")) > 11 ? js(d, "until") + 11 :
		    "", js(d, "reason"));
	} else {
		r->muted = false;
		r->err[0] = '\0';
		note(r, "A moderator lifted your mute in %s: you can speak "
		    "again.", js(d, "name"));
	}
}

/* Every key; then, if the input changed, its draft follows. */
static bool
room_key_drafted(struct view *v, int ch, bool is_key)
{
	struct room *r = (struct room *)v;
	size_t len = r->ed.len;
	uint32_t before = text_hash(2166136261u, r->ed.text, r->ed.len);
	bool used;

	used = room_key(v, ch, is_key);
	if (ui_top() != v || r->draft == NULL)
		return used;
	if (r->ed.len == len && text_hash(2166136261u, r->ed.text, r->ed.len)
	    == before)
		return used;
	{
		char *text = xstrndup(r->ed.text, r->ed.len);

		if (room_blank(text))
			draft_forget(r->draft); /* sent, or emptied */
		else
			draft_changed(r->draft, "", text);
		free(text);
	}
	return used;
}

/* Where the member is: this room. */
static json_t *
room_where(struct view *v)
{
	struct room *r = (struct room *)v;

	if (r->id == 0 || r->closed || r->removed)
		return NULL;
	return json_pack("{s:s, s:I, s:s}", "screen", "room", "room_id",
	    (json_int_t)r->id, "title", js(r->state, "title"));
}

/* ---- calls ---- */

/* A free slot for a call, or NULL (after saying so) if all are busy. */
static struct room_call *
call_slot(struct room *r)
{
	for (size_t i = 0; i < SENDS_MAX; i++)
		if (r->calls[i].room == NULL) {
			r->calls[i].room = r;
			return &r->calls[i];
		}
	ui_flash("Wait a moment: the server has not answered yet.");
	return NULL;
}

/* A call whose success needs only a word; failures show over the input. */
static void
did(void *ctx, json_t *result, json_t *error)
{
	struct room_call *c = ctx;
	struct room *r = c->room;
	const char *ok = c->ok;

	(void)result;
	c->room = NULL;
	if (error != NULL) {
		snprintf(r->err, sizeof r->err, "%s", err_message(error));
		ui_flash("%s", err_message(error));
	} else if (ok != NULL)
		ui_flash("%s", ok);
}

/* Call op; ok is flashed when it succeeds. */
static void
room_do(struct room *r, const char *op, json_t *args, const char *ok)
{
	struct room_call *c = call_slot(r);

	if (c == NULL) {
		json_decref(args);
		return;
	}
	c->ok = ok;
	r->err[0] = '\0';
	net_call(op, args, &r->v, did, c);
}

/* Leave the room and the screen. */
static void
room_leave(struct room *r)
{
	if (r->joined)
		net_call("room.leave", room_args(r), NULL, NULL, NULL);
	r->joined = false;
	ui_pop();
}

/* A room.say came back: refused messages return to the input line. */
static void
said(void *ctx, json_t *result, json_t *error)
{
	struct room_call *c = ctx;
	struct room *r = c->room;
	char *text = c->text;

	(void)result;
	c->room = NULL;
	c->text = NULL;
	if (error != NULL) {
		/* after what came back before it, before anything new */
		size_t at = r->restored < r->ed.len ? r->restored : r->ed.len;
		char *all = xasprintf("%.*s%s%s%s%.*s", (int)at, r->ed.text,
		    at > 0 ? "\n" : "", text, at < r->ed.len ? "\n" : "",
		    (int)(r->ed.len - at), r->ed.text + at);
		r->restored = at + (at > 0) + strlen(text);
		/* nothing new typed after it: typing starts afresh */
		r->fresh = at == r->ed.len;
		ed_free(&r->ed);
		ed_init(&r->ed, all);
		free(all);
		snprintf(r->err, sizeof r->err, "Not sent: %s Your text is "
		    "still below: Enter sends it again.", err_message(error));
		r->focus = ROOM_FOCUS_INPUT;
		free(r->unsent);
		r->unsent = text;
		/* refused: the input is a draft again, kept on the server */
		all = xstrndup(r->ed.text, r->ed.len);
		draft_changed(r->draft, "", all);
		free(all);
		return;
	}
	free(text);
}

void
room_say(struct room *r, const char *text)
{
	const char *body = text[0] == '/' ? text + 1 : text; /* "//..." */
	struct room_call *c = call_slot(r);

	if (c == NULL)
		return;
	c->text = xstrdup(text);
	draft_forget(r->draft); /* sent: a refusal keeps it again */
	/* first: a call that fails at once (not connected) refills them */
	ed_clear(&r->ed);
	r->restored = 0;
	r->fresh = false;
	r->multiline = false;
	r->err[0] = '\0';
	r->scroll = 0;
	r->unseen = 0;
	net_call("room.say", json_pack("{s:I, s:s}", "room_id", r->id,
	    "text", body), &r->v, said, c);
}

static void
support_got(void *ctx, json_t *result, json_t *error)
{
	struct room *r = ctx;

	if (error != NULL) {
		snprintf(r->err, sizeof r->err, "%s", err_message(error));
		return;
	}
	snprintf(r->support, sizeof r->support, "Support: %s", js(result,
	    "status"));
}

static void
close_got(void *ctx, json_t *result, json_t *error)
{
	struct room *r = ctx;

	(void)result;
	if (error != NULL) {
		snprintf(r->err, sizeof r->err, "Not closed: %s",
		    err_message(error));
		if (r->summary != NULL) {
			/* the summary comes back to be sent again */
			ed_free(&r->ask_ed);
			ed_init(&r->ask_ed, r->summary);
			r->ask = ROOM_ASK_SUMMARY;
		}
	}
	free(r->summary);
	r->summary = NULL;
}

void
room_ask(struct room *r, enum room_ask what, const char *handle,
    const char *initial)
{
	r->ask = what;
	r->focus = ROOM_FOCUS_INPUT;
	snprintf(r->ask_handle, sizeof r->ask_handle, "%s", handle ? handle :
	    "");
	ed_free(&r->ask_ed);
	ed_init(&r->ask_ed, initial);
}

/* ---- the screen as a front end for the room's commands ---- */

static const char room_help_head[] =
    "**Talking.** Type and press **Enter** to send. **Alt-Enter** starts a "
    "new line in the same message; **Ctrl-E** switches to multi-line "
    "mode, where Enter starts a new line and **Ctrl-S** sends. A pasted "
    "block of several lines goes as one message. A message the room "
    "refuses (you are muted, the room is paused, you are sending too "
    "fast) stays in the input line with the reason above it: press Enter "
    "to send it again.\n\n"
    "**Keys.** PgUp/PgDn scroll (back at the end, new messages follow); "
    "Up/Down scroll a line. **Tab** moves to the people list, then the "
    "queue (hosts), **Esc** back to typing. **F1**, or **?** on an empty "
    "line: this help. **F2** shows or hides the people list. **F3** or "
    "**Ctrl-R** raises or lowers your hand. **F4**: I need support (tells "
    "the hosts privately). **Ctrl-X** ends a private consult. **F8** "
    "(hosts) answers a support request. **Esc** leaves the room (it asks "
    "first).\n\n"
    "**People list** (Tab): Enter opens the profile; hosts: **m** mutes "
    "or unmutes, **r** removes (asks the reason), **s** shares hosting, "
    "**H** hands hosting over.\n\n"
    "**Queue** (hosts, Tab twice): **t** or Enter takes the person "
    "publicly, **p** into a private consult (nothing kept), **T** into a "
    "private consult kept privately as a transcript.\n\n";
static const char room_help_tail[] =
    "\n\n**Record modes.** *off*: nothing is kept and latecomers see no "
    "history. *transcript*: kept with names and posted to the community "
    "when the room closes. *Chatham House Rule*: kept without names. "
    "*summary*: only the summary the host writes when closing is kept. A "
    "private consult is never posted; it is kept privately only if the "
    "host chose a transcript for it.";

/* The help screen's text, its commands from the shared table. */
static const char *
room_help(void)
{
	static char *text;
	struct buf b;

	if (text == NULL) {
		buf_init(&b);
		buf_puts(&b, room_help_head);
		room_command_help(&b, true);
		buf_puts(&b, room_help_tail);
		buf_append(&b, "", 1);
		text = b.data;
	}
	return text;
}

/* A command's call: close and support keep their own state. */
static void
front_call(void *ctx, const char *op, json_t *args, const char *ok)
{
	struct room *r = ctx;
	const char *summary = js(args, "summary");

	if (strcmp(op, "room.close") == 0) {
		/* the summary is kept to write again if refused */
		free(r->summary);
		r->summary = summary[0] != '\0' ? xstrdup(summary) : NULL;
		net_call(op, args, &r->v, close_got, r);
	} else if (strcmp(op, "room.support") == 0) {
		snprintf(r->support, sizeof r->support, "Support: asking the "
		    "hosts...");
		net_call(op, args, &r->v, support_got, r);
	} else
		room_do(r, op, args, ok);
}

static void
front_ask(void *ctx, enum room_ask what, const char *handle,
    const char *initial)
{
	room_ask(ctx, what, handle, initial);
}

/* A refusal stays over the input line; anything else flashes. */
static void
front_tell(void *ctx, bool refused, const char *msg)
{
	struct room *r = ctx;

	if (refused)
		snprintf(r->err, sizeof r->err, "%s", msg);
	else
		ui_flash("%s", msg);
}

static void
front_local(void *ctx, enum room_local what)
{
	struct room *r = ctx;

	switch (what) {
	case ROOM_HELP:
		ui_push(view_message("Room help", room_help()));
		break;
	case ROOM_LEAVE:
		room_leave(r); /* r is gone */
		break;
	case ROOM_PEOPLE:
		/* show or hide the list, shown by width or not */
		r->side = r->side > 0 ? -1 : (r->side < 0 ? 1 : (COLS >= 70 ?
		    -1 : 1));
		break;
	case ROOM_MULTI:
		r->multiline = true;
		break;
	case ROOM_AGAIN:
		if (r->unsent == NULL)
			snprintf(r->err, sizeof r->err, "No message was "
			    "refused: there is nothing to send again.");
		else if (!r->can_say)
			snprintf(r->err, sizeof r->err, "You are listening "
			    "only: join %s to speak.", room_community(r));
		else {
			char *text = r->unsent;
			r->unsent = NULL;
			room_say(r, text);
			free(text);
		}
		break;
	}
}

struct room_front *
room_front(struct room *r)
{
	struct room_front *f = &r->front;

	f->room_id = r->id;
	f->state = r->state;
	f->alerts = r->alerts;
	f->hand = r->hand;
	f->consult = r->consult[0] != '\0';
	f->ctx = r;
	f->call = front_call;
	f->ask = front_ask;
	f->tell = front_tell;
	f->local = front_local;
	return f;
}

int
room_people_count(struct room *r)
{
	return (int)json_array_size(r->people);
}

json_t *
room_queue_list(struct room *r)
{
	json_t *q = json_object_get(r->queue, "queue");

	/* only a surgery has a queue (a drop-in has none to show) */
	if (r->state != NULL && !ji(r->state, "surgery"))
		return NULL;
	return json_is_array(q) ? q : NULL;
}

static void
room_free(struct view *v)
{
	struct room *r = (struct room *)v;

	room_key_forget(r);
	draft_saver_free(r->draft);
	/* still in, or a room.join on its way: leave (the reply is lost) */
	if (r->joined || (r->loading && r->id != 0))
		net_call("room.leave", room_args(r), NULL, NULL, NULL);
	json_decref(r->state);
	json_decref(r->people);
	json_decref(r->queue);
	json_decref(r->msgs);
	json_decref(r->alerts);
	ed_free(&r->ed);
	ed_free(&r->ask_ed);
	for (size_t i = 0; i < SENDS_MAX; i++)
		free(r->calls[i].text);
	free(r->summary);
	free(r->unsent);
	rdoc_free(&r->doc);
	free(r);
}

static struct room *
room_new(void)
{
	struct room *r = xcalloc(1, sizeof *r);

	snprintf(r->title, sizeof r->title, "Room");
	r->v.title = r->title;
	r->v.keys = "PgUp/PgDn:scroll";
	r->v.help = room_help();
	r->v.draw = room_draw;
	r->v.key = room_key_drafted;
	r->v.where = room_where;
	r->v.typing = true;
	r->v.event = room_event;
	r->v.free = room_free;
	r->msgs = json_array();
	r->people = json_array();
	r->alerts = json_array();
	r->loading = true;
	r->can_say = true;
	ed_init(&r->ed, NULL);
	ed_init(&r->ask_ed, NULL);
	if (g_me != NULL)
		snprintf(r->me, sizeof r->me, "%s", js(g_me, "handle"));
	return r;
}

struct view *
view_room(json_int_t room_id)
{
	struct room *r = room_new();

	r->id = room_id;
	net_call("room.join", room_args(r), &r->v, room_got, r);
	return &r->v;
}

struct view *
view_room_open(json_t *open_args)
{
	struct room *r = room_new();

	net_call("room.open", open_args, &r->v, room_got, r);
	return &r->v;
}

struct view *
view_room_opened(json_t *result)
{
	struct room *r = room_new();

	room_apply(r, result);
	return &r->v;
}
