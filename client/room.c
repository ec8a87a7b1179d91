/*
 * room.c: a live room, a drop-in or a surgery: the screen's model. It
 * joins (room.join) or opens the room, keeps what the server says (the
 * room's state, the people here, the queue, the scrollback of messages
 * and its own notes, support alerts) current from live events
 * (room.message, .presence, .queue, .state, .consult, .support), and makes
 * the calls the screen's keys and /commands ask for. room-draw.c draws it
 * and room-key.c reads its keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <uv.h>

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

static const char *
strip_at(const char *h)
{
	return h[0] == '@' ? h + 1 : h;
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
	return js(r->state, "community")[0] ? js(r->state, "community") :
	    "the community";
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
	json_array_foreach(json_object_get(res, "history"), i, m)
		msg_add(r, m);
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
	r->joined = true;
	r->loading = false;
	r->fail[0] = '\0';
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

/* Who is here changed: keep the list, and say what happened. */
/*
 * Keep our list of the people here from room.presence: it carries one
 * person's change (the whole list came with room.join).
 */
#define ROOM_QUIET_PEOPLE 50 /* above this, no joined/left notes */

static void
people_apply(struct room *r, const char *what, json_t *person)
{
	const char *handle = js(person, "handle");
	json_t *p;
	size_t i, at = (size_t)-1;

	if (what == NULL || !json_is_object(person) || handle[0] == '\0')
		return;
	json_array_foreach(r->people, i, p) {
		if (strcmp(js(p, "handle"), handle) == 0) {
			at = i;
			break;
		}
	}
	if (strcmp(what, "left") == 0) {
		if (at != (size_t)-1)
			json_array_remove(r->people, at);
	} else if (at != (size_t)-1)
		json_array_set(r->people, at, person);
	else
		json_array_append(r->people, person);
}

static void
ev_presence(struct room *r, json_t *d)
{
	static const char *whats[] = { "joined", "left", "muted", "unmuted",
	    "hand_up", "hand_down", "host", "unhost", NULL };
	char name[200];
	const char *who = NULL, *what = NULL;

	for (int i = 0; whats[i] != NULL; i++)
		if (js(d, whats[i])[0]) {
			what = whats[i];
			who = js(d, whats[i]);
			break;
		}
	if (who != NULL)
		room_name_of(r, who, name, sizeof name); /* before they go */
	people_apply(r, what, json_object_get(d, "person"));
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
		else if (strcmp(what, "unmuted") == 0)
			note(r, "A host unmuted you: you can speak again.");
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
		r->host = r->muted = r->hand = false;
		json_array_clear(r->people);
		r->thread_id = ji(d, "thread_id");
		r->ask = ROOM_ASK_NONE;
		r->focus = ROOM_FOCUS_INPUT;
		r->consult[0] = '\0';
		if (r->thread_id != 0)
			note(r, "The room has closed. Its record is posted as "
			    "a thread: press Enter to open it.");
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
		note(r, "A host removed you from this room%s%s", r->reason[0] ?
		    ": " : ".", r->reason);
		return;
	}
	if (r->state != NULL) {
		if (strcmp(js(r->state, "topic"), js(d, "topic")) != 0)
			note(r, js(d, "topic")[0] ? "Topic: %s" :
			    "The topic was cleared.%s", js(d, "topic"));
		if (ji(r->state, "paused") != ji(d, "paused"))
			note(r, ji(d, "paused") ? "A host paused the room: "
			    "only hosts can speak until it resumes." :
			    "The room has resumed: everyone can speak.");
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

/*
 * A support request: to hosts, an alert to show until answered; to the
 * member who asked, how it stands.
 */
static void
ev_support(struct room *r, json_t *d)
{
	json_t *a;
	size_t i;

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
	json_array_foreach(r->alerts, i, a)
		if (ji(a, "support_id") == ji(d, "support_id")) {
			json_array_set(r->alerts, i, d);
			return;
		}
	json_array_append(r->alerts, d);
	if (!ji(d, "answered"))
		ui_flash("Support needed: %s (@%s) in this room. F8 or /answer "
		    "answers.", js(d, "display_name"), js(d, "handle"));
}

/* Events for this room (the server sends those of every room we are in). */
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

/* ---- actions ---- */

/* A call whose success needs only a word; failures show over the input. */
static void
did(void *ctx, json_t *result, json_t *error)
{
	struct room *r = ctx;
	const char *ok = r->nok > 0 ? r->okq[0] : NULL;

	(void)result;
	if (r->nok > 0)
		memmove(r->okq, r->okq + 1, --r->nok * sizeof *r->okq);
	if (error != NULL) {
		snprintf(r->err, sizeof r->err, "%s", err_message(error));
		ui_flash("%s", err_message(error));
	} else if (ok != NULL)
		ui_flash("%s", ok);
}

/* Call op; ok is flashed when it succeeds (replies come in order). */
void
room_do(struct room *r, const char *op, json_t *args, const char *ok)
{
	if (r->nok == SENDS_MAX) {
		json_decref(args);
		ui_flash("Wait a moment: the server has not answered yet.");
		return;
	}
	r->okq[r->nok++] = ok;
	r->err[0] = '\0';
	net_call(op, args, &r->v, did, r);
}

/* Leave the room and the screen. */
void
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
	struct room *r = ctx;
	char *text;

	(void)result;
	if (r->nsent == 0)
		return;
	text = r->sent[0];
	memmove(r->sent, r->sent + 1, --r->nsent * sizeof *r->sent);
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
	}
	free(text);
}

/* Send a message; the input empties now and refills if refused. */
void
room_say(struct room *r, const char *text)
{
	const char *body = text[0] == '/' ? text + 1 : text; /* "//..." */

	if (r->nsent == SENDS_MAX) {
		ui_flash("Wait a moment: the server has not answered yet.");
		return;
	}
	r->sent[r->nsent++] = xstrdup(text);
	net_call("room.say", json_pack("{s:I, s:s}", "room_id", r->id,
	    "text", body), &r->v, said, r);
	ed_clear(&r->ed);
	r->restored = 0;
	r->fresh = false;
	r->multiline = false;
	r->err[0] = '\0';
	r->scroll = 0;
	r->unseen = 0;
}

void
room_hand(struct room *r)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "raised", json_boolean(!r->hand));
	room_do(r, "room.raise_hand", a, r->hand ? "Hand lowered." :
	    "Hand raised: the hosts can see it.");
}

/* Host: take someone (the first when handle is empty) from the queue. */
void
room_take(struct room *r, const char *handle, bool private, bool transcript)
{
	json_t *a = room_args(r);

	if (handle != NULL && handle[0] != '\0')
		json_object_set_new(a, "handle", json_string(handle));
	if (private) {
		json_object_set_new(a, "private", json_true());
		json_object_set_new(a, "record", json_string(transcript ?
		    "transcript" : "off"));
	}
	room_do(r, "room.queue_take", a, private ? "Taken into a private "
	    "consult: Ctrl-X or /end returns to the room." : NULL);
}

/* Answer the first unanswered support alert (or the one from handle). */
void
room_answer(struct room *r, const char *handle)
{
	json_t *a;
	size_t i;

	json_array_foreach(r->alerts, i, a) {
		json_t *args;
		if (ji(a, "answered") || (handle != NULL && handle[0] &&
		    strcmp(js(a, "handle"), handle) != 0))
			continue;
		args = room_args(r);
		json_object_set_new(args, "support_id", json_integer(ji(a,
		    "support_id")));
		json_object_set_new(a, "answered", json_true());
		room_do(r, "room.support_answer", args, "Answered: they have "
		    "been told a host will be with them.");
		return;
	}
	ui_flash("No support request is waiting.");
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

/* I need support: tell the hosts, privately. */
void
room_support(struct room *r, const char *text)
{
	json_t *a = room_args(r);

	if (text != NULL && !room_blank(text))
		json_object_set_new(a, "text", json_string(text));
	snprintf(r->support, sizeof r->support, "Support: asking the "
	    "hosts...");
	net_call("room.support", a, &r->v, support_got, r);
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

/* Host: close the room (the summary is kept to retry on failure). */
void
room_close(struct room *r, const char *summary)
{
	json_t *a = room_args(r);

	if (summary != NULL) {
		json_object_set_new(a, "summary", json_string(summary));
		free(r->summary);
		r->summary = xstrdup(summary);
	}
	net_call("room.close", a, &r->v, close_got, r);
}

/* Ask a question at the bottom; initial fills a text answer. */
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

void
room_ask_close(struct room *r)
{
	const char *mode = js(r->state, "record");

	if (strcmp(mode, "summary") == 0)
		room_ask(r, ROOM_ASK_SUMMARY, NULL, NULL);
	else
		room_ask(r, ROOM_ASK_CLOSE, NULL, NULL);
}

void
room_mute(struct room *r, const char *handle, bool muted)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "handle", json_string(handle));
	json_object_set_new(a, "muted", json_boolean(muted));
	room_do(r, "room.mute", a, muted ? "Muted." : "Unmuted.");
}

void
room_remove(struct room *r, const char *handle, const char *reason)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "handle", json_string(handle));
	if (reason != NULL && reason[0] != '\0')
		json_object_set_new(a, "reason", json_string(reason));
	room_do(r, "room.remove", a, "Removed from the room.");
}

void
room_share_host(struct room *r, const char *handle, bool hand_over)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "handle", json_string(handle));
	if (hand_over)
		json_object_set_new(a, "hand_over", json_true());
	room_do(r, "room.host", a, hand_over ? "Hosting handed over." :
	    "Hosting shared.");
}

void
room_set_topic(struct room *r, const char *topic)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "topic", json_string(topic));
	room_do(r, "room.topic", a, "Topic set.");
}

void
room_queue_join(struct room *r, const char *topic)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "topic", json_string(topic));
	room_do(r, "room.queue_join", a, "You are in the queue.");
}

void
room_pause(struct room *r, bool paused)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "paused", json_boolean(paused));
	room_do(r, "room.pause", a, paused ? "Paused." : "Resumed.");
}

void
room_end_consult(struct room *r)
{
	if (r->consult[0] == '\0') {
		ui_flash("You are not in a private consult.");
		return;
	}
	room_do(r, "room.consult_end", room_args(r), NULL);
}

static const char room_help_text[] =
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
    "private consult kept privately as a transcript.\n\n"
    "**Commands** (type them and Enter): `/topic TEXT`, `/pause`, "
    "`/resume`, `/mute HANDLE`, `/unmute HANDLE`, `/remove HANDLE "
    "REASON`, `/host HANDLE` (share hosting), `/handover HANDLE`, `/take "
    "[HANDLE] [private] [transcript]`, `/end` (the consult), `/answer` "
    "(support), `/close`; for everyone: `/queue TOPIC`, `/unqueue`, "
    "`/hand`, `/support [TEXT]`, `/people`, `/leave`, `/help`. Start a "
    "message with `//` to send a line beginning with `/`.\n\n"
    "**Record modes.** *off*: nothing is kept and latecomers see no "
    "history. *transcript*: kept with names and posted to the community "
    "when the room closes. *Chatham House Rule*: kept without names. "
    "*summary*: only the summary the host writes when closing is kept. A "
    "private consult is never posted; it is kept privately only if the "
    "host chose a transcript for it.";

void
room_show_help(void)
{
	ui_push(view_message("Room help", room_help_text));
}

/* Take the next word of *p into out (without a leading '@'). */
static void
next_word(const char **p, char *out, size_t len)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	e = s;
	while (*e != '\0' && *e != ' ')
		e++;
	snprintf(out, len, "%.*s", (int)(e - s), s);
	memmove(out, strip_at(out), strlen(strip_at(out)) + 1);
	while (*e == ' ')
		e++;
	*p = e;
}

/* A line beginning with '/': a command. */
void
room_command(struct room *r, const char *line)
{
	char cmd[32], word[64];
	const char *rest = line + 1;

	next_word(&rest, cmd, sizeof cmd);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "?") == 0)
		room_show_help();
	else if (strcmp(cmd, "leave") == 0 || strcmp(cmd, "quit") == 0)
		room_leave(r);
	else if (strcmp(cmd, "people") == 0)
		r->side = r->side > 0 ? -1 : 1;
	else if (strcmp(cmd, "hand") == 0)
		room_hand(r);
	else if (strcmp(cmd, "support") == 0) {
		if (rest[0] != '\0')
			room_support(r, rest);
		else
			room_ask(r, ROOM_ASK_SUPPORT, NULL, NULL);
	} else if (strcmp(cmd, "queue") == 0) {
		if (rest[0] != '\0')
			room_queue_join(r, rest);
		else
			room_ask(r, ROOM_ASK_QUEUE, NULL, NULL);
	} else if (strcmp(cmd, "unqueue") == 0)
		room_do(r, "room.queue_leave", room_args(r), "You left the "
		    "queue.");
	else if (strcmp(cmd, "end") == 0)
		room_end_consult(r);
	else if (strcmp(cmd, "topic") == 0) {
		if (rest[0] != '\0')
			room_set_topic(r, rest);
		else
			room_ask(r, ROOM_ASK_TOPIC, NULL, js(r->state, "topic"));
	} else if (strcmp(cmd, "pause") == 0)
		room_pause(r, true);
	else if (strcmp(cmd, "resume") == 0)
		room_pause(r, false);
	else if (strcmp(cmd, "mute") == 0 || strcmp(cmd, "unmute") == 0 ||
	    strcmp(cmd, "remove") == 0 || strcmp(cmd, "host") == 0 ||
	    strcmp(cmd, "handover") == 0) {
		next_word(&rest, word, sizeof word);
		if (word[0] == '\0') {
			snprintf(r->err, sizeof r->err, "Whom? /%s HANDLE "
			    "(or Tab to the people list and pick someone).",
			    cmd);
			return;
		}
		if (strcmp(cmd, "mute") == 0 || strcmp(cmd, "unmute") == 0)
			room_mute(r, word, cmd[0] == 'm');
		else if (strcmp(cmd, "remove") == 0) {
			if (rest[0] != '\0')
				room_remove(r, word, rest);
			else
				room_ask(r, ROOM_ASK_REASON, word, NULL);
		} else if (strcmp(cmd, "handover") == 0)
			room_ask(r, ROOM_ASK_HANDOVER, word, NULL);
		else
			room_share_host(r, word, false);
	} else if (strcmp(cmd, "take") == 0) {
		bool private = false, transcript = false;
		char who[64] = "";
		while (*rest != '\0') {
			next_word(&rest, word, sizeof word);
			if (strcmp(word, "private") == 0)
				private = true;
			else if (strcmp(word, "transcript") == 0)
				private = transcript = true;
			else
				snprintf(who, sizeof who, "%s", word);
		}
		room_take(r, who, private, transcript);
	} else if (strcmp(cmd, "answer") == 0) {
		next_word(&rest, word, sizeof word);
		room_answer(r, word);
	} else if (strcmp(cmd, "close") == 0)
		room_ask_close(r);
	else
		snprintf(r->err, sizeof r->err, "There is no command /%s: "
		    "/help lists them (start with // to send a line beginning "
		    "with /).", cmd);
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

	return json_is_array(q) ? q : NULL;
}

static void
room_free(struct view *v)
{
	struct room *r = (struct room *)v;

	room_key_forget(r);
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
	for (size_t i = 0; i < r->nsent; i++)
		free(r->sent[i]);
	free(r->summary);
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
	r->v.help = room_help_text;
	r->v.draw = room_draw;
	r->v.key = room_key;
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

/* ---- for the line mode (plain.c) ---- */

/* Lines of text, each after the first indented by two spaces. */
static void
buf_indented(struct buf *b, const char *text)
{
	for (; *text != '\0'; text++) {
		buf_append(b, text, 1);
		if (*text == '\n')
			buf_puts(b, "  ");
	}
}

/* What a room event says, as one or more lines; NULL for nothing. */
char *
room_describe(const char *ev, json_t *d, const char *me)
{
	struct buf b;
	json_t *p;
	size_t i;

	buf_init(&b);
	if (strcmp(ev, "room.joined") == 0) {
		json_t *st = json_object_get(d, "room");
		buf_printf(&b, "Room “%s”%s%s\n%s%s%s\n", js(st, "title"),
		    js(st, "topic")[0] ? " — " : "", js(st, "topic"),
		    room_record_words(js(st, "record")), ji(st, "paused") ?
		    ". PAUSED" : "", ji(json_object_get(d, "you"), "host") ?
		    ". You are hosting." : "");
		if (json_is_false(json_object_get(json_object_get(d, "you"),
		    "can_say")))
			buf_printf(&b, "Listening only: join %s to speak.\n",
			    js(st, "community")[0] ? js(st, "community") :
			    "the community");
		buf_printf(&b, "Here (%zu):", json_array_size(jarr(d,
		    "people")));
		json_array_foreach(jarr(d, "people"), i, p)
			buf_printf(&b, "%s %s (@%s)%s%s", i ? "," : "",
			    js(p, "display_name"), js(p, "handle"), ji(p,
			    "host") ? " host" : "", ji(p, "muted") ? " muted" :
			    "");
	} else if (strcmp(ev, "room.message") == 0) {
		if (ji(d, "system"))
			buf_puts(&b, "* ");
		else
			buf_printf(&b, "%s%s: ", ji(d, "private") ?
			    "[private] " : "", js(d, "display_name")[0] ?
			    js(d, "display_name") : js(d, "handle")[0] ?
			    js(d, "handle") : "(name not kept)");
		buf_indented(&b, js(d, "text"));
	} else if (strcmp(ev, "room.presence") == 0) {
		static const char *what[][3] = { { "joined", "joined",
		    "joined" }, { "left", "left", "left" }, { "muted",
		    "was muted by a host", "were muted by a host: what you "
		    "say is not sent" }, { "unmuted", "can speak again",
		    "can speak again" }, { "hand_up", "raised their hand",
		    "raised your hand" }, { "host", "is now hosting",
		    "are now hosting" } };
		for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
			const char *h = js(d, what[k][0]);
			if (h[0] == '\0')
				continue;
			if (strcmp(h, me) == 0)
				buf_printf(&b, "* You %s.", what[k][2]);
			else
				buf_printf(&b, "* @%s %s.", h, what[k][1]);
		}
	} else if (strcmp(ev, "room.state") == 0) {
		if (ji(d, "closed") && ji(d, "thread_id"))
			buf_printf(&b, "* The room has closed. Its record is "
			    "posted as a thread in the community (thread "
			    "%lld).", (long long)ji(d, "thread_id"));
		else if (ji(d, "closed"))
			buf_puts(&b, "* The room has closed. Nothing was kept.");
		else if (ji(d, "removed"))
			buf_printf(&b, "* A host removed you from this room%s%s",
			    js(d, "reason")[0] ? ": " : ".", js(d, "reason"));
		else
			buf_printf(&b, "* The room now: topic “%s”%s.",
			    js(d, "topic"), ji(d, "paused") ? ", PAUSED (only "
			    "hosts can speak)" : ", open");
	} else if (strcmp(ev, "room.queue") == 0) {
		json_int_t place = ji(d, "place");
		if (place > 0)
			buf_printf(&b, "* Queue: you are %lld%s of %lld.",
			    (long long)place, room_ordinal(place),
			    (long long)ji(d, "length"));
		else if (json_is_array(json_object_get(d, "queue"))) {
			buf_printf(&b, "* Queue: %lld waiting.",
			    (long long)ji(d, "length"));
			json_array_foreach(json_object_get(d, "queue"), i, p)
				buf_printf(&b, "\n  %lld. @%s: %s", (long long)
				    ji(p, "place"), js(p, "handle"),
				    js(p, "topic"));
		}
	} else if (strcmp(ev, "room.consult") == 0) {
		if (ji(d, "active"))
			buf_printf(&b, "* A private consult with @%s has begun: "
			    "only the two of you see what you say. Record: %s. "
			    "/end ends it.", js(d, "with"),
			    room_consult_words(js(d, "record")));
		else
			buf_puts(&b, "* The private consult has ended.");
	} else if (strcmp(ev, "room.support") == 0) {
		if (json_object_get(d, "handle") != NULL) {
			if (!ji(d, "answered"))
				buf_printf(&b, "* SUPPORT needed: %s (@%s)%s%s. "
				    "\"/answer %lld\" answers.", js(d,
				    "display_name"), js(d, "handle"), js(d,
				    "text")[0] ? ": " : "", js(d, "text"),
				    (long long)ji(d, "support_id"));
		} else if (ji(d, "answered"))
			buf_printf(&b, "* Support: answered by @%s. %s",
			    js(d, "by"), js(d, "text"));
		else
			buf_printf(&b, "* Support: %s", js(d, "text"));
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, "", 1);
	return b.data;
}

/*
 * A /command typed in the line mode as an operation and its arguments
 * (for room_id); NULL when there is no such command.
 */
const char *
room_line_command(const char *line, json_int_t room_id, json_t **args)
{
	char cmd[32], word[64];
	const char *rest = line[0] == '/' ? line + 1 : line, *op = NULL;
	json_t *a = json_pack("{s:I}", "room_id", room_id);

	next_word(&rest, cmd, sizeof cmd);
	if (strcmp(cmd, "hand") == 0 || strcmp(cmd, "lower") == 0) {
		op = "room.raise_hand";
		json_object_set_new(a, "raised", json_boolean(cmd[0] == 'h'));
	} else if (strcmp(cmd, "queue") == 0) {
		op = "room.queue_join";
		json_object_set_new(a, "topic", json_string(rest));
	} else if (strcmp(cmd, "unqueue") == 0)
		op = "room.queue_leave";
	else if (strcmp(cmd, "support") == 0) {
		op = "room.support";
		if (rest[0] != '\0')
			json_object_set_new(a, "text", json_string(rest));
	} else if (strcmp(cmd, "end") == 0)
		op = "room.consult_end";
	else if (strcmp(cmd, "topic") == 0) {
		op = "room.topic";
		json_object_set_new(a, "topic", json_string(rest));
	} else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
		op = "room.pause";
		json_object_set_new(a, "paused", json_boolean(cmd[0] == 'p'));
	} else if (strcmp(cmd, "mute") == 0 || strcmp(cmd, "unmute") == 0 ||
	    strcmp(cmd, "remove") == 0 || strcmp(cmd, "host") == 0 ||
	    strcmp(cmd, "handover") == 0) {
		next_word(&rest, word, sizeof word);
		json_object_set_new(a, "handle", json_string(word));
		if (strcmp(cmd, "remove") == 0) {
			op = "room.remove";
			if (rest[0] != '\0')
				json_object_set_new(a, "reason",
				    json_string(rest));
		} else if (cmd[0] == 'h') {
			op = "room.host";
			json_object_set_new(a, "hand_over", json_boolean(
			    strcmp(cmd, "handover") == 0));
		} else {
			op = "room.mute";
			json_object_set_new(a, "muted", json_boolean(
			    cmd[0] == 'm'));
		}
	} else if (strcmp(cmd, "take") == 0) {
		op = "room.queue_take";
		while (*rest != '\0') {
			next_word(&rest, word, sizeof word);
			if (strcmp(word, "private") == 0 ||
			    strcmp(word, "transcript") == 0) {
				json_object_set_new(a, "private", json_true());
				json_object_set_new(a, "record", json_string(
				    word[0] == 't' ? "transcript" : "off"));
			} else
				json_object_set_new(a, "handle",
				    json_string(word));
		}
	} else if (strcmp(cmd, "answer") == 0) {
		op = "room.support_answer";
		json_object_set_new(a, "support_id", json_integer(atoll(rest)));
	} else if (strcmp(cmd, "close") == 0) {
		op = "room.close";
		if (rest[0] != '\0')
			json_object_set_new(a, "summary", json_string(rest));
	}
	if (op == NULL) {
		json_decref(a);
		a = NULL;
	}
	*args = a;
	return op;
}
