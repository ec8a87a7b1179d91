/*
 * room.c: a live room, a drop-in or a surgery. The header says what the
 * room keeps (its record mode in plain words), whether it is paused and
 * whether you are muted; below it the scrollback of messages, the people
 * here (and, for hosts, the surgery queue) on the right, and an input line
 * at the bottom that sends with room.say. Everything else is a /command,
 * a function key, or a key on the person selected once Tab has moved to
 * the panel. Live events (room.message, .presence, .queue, .state,
 * .consult, .support) keep the screen current.
 *
 * Enter is held back for a moment: keys that arrive with it (a paste of
 * several lines, or Esc Enter, which is Alt-Enter) make a new line in the
 * same message instead, so a pasted block goes as one message.
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
#define PASTE_MS 25 /* keys this close after Enter or Esc belong to it */
#define INPUT_LINES 5 /* input lines shown at most */
#define SENDS_MAX 32 /* calls in flight we remember */
#define WRAP_MAX 4096 /* bytes in one wrapped line */

enum focus { FOCUS_INPUT, FOCUS_PEOPLE, FOCUS_QUEUE };

/* What the bottom line asks for, when it is not a message. */
enum ask {
	ASK_NONE,
	ASK_TOPIC, /* a line of text: Enter submits */
	ASK_REASON,
	ASK_QUEUE,
	ASK_SUPPORT,
	ASK_SUMMARY, /* several lines: Ctrl-S submits */
	ASK_LEAVE, /* y or n */
	ASK_CLOSE,
	ASK_HANDOVER,
};

struct room {
	struct view v;
	json_int_t id;
	char title[300];
	json_t *state; /* room state */
	json_t *people; /* [person] */
	json_t *queue; /* queue view */
	json_t *msgs; /* messages, and our own notes ({note: true}) */
	json_t *alerts; /* support alerts, hosts only */
	json_int_t last_seq;
	bool loading, joined, closed, removed;
	json_int_t thread_id;
	char fail[400]; /* why joining failed */
	char reason[400]; /* why a host removed us */
	char me[64];
	bool host, muted, hand;
	bool can_say; /* false: listening only (not a member) */
	bool fresh; /* the input holds only refused text: typing replaces it */
	char consult[64], consult_rec[16]; /* private consult with */
	char support[400]; /* the state of our own support request */
	char err[600]; /* the last refusal, over the input line */
	struct editor ed; /* the message being written */
	struct editor ask_ed; /* the answer to a question */
	enum ask ask;
	char ask_handle[64];
	bool multiline;
	size_t restored; /* bytes of the input that came back refused */
	char *summary; /* a summary sent with room.close, until it is done */
	char *sent[SENDS_MAX]; /* room.say texts awaiting their reply */
	size_t nsent;
	const char *okq[SENDS_MAX]; /* what to say when other calls succeed */
	size_t nok;
	struct rdoc doc;
	int doc_width;
	size_t rendered;
	int scroll; /* lines up from the end; 0 follows new messages */
	int unseen, page;
	enum focus focus;
	int psel, qsel;
	int side; /* the people panel: -1 hidden, 1 shown, 0 as wide allows */
	int in_width;
	bool enter_wait, esc_wait;
};

static void room_submit(struct room *);
static void room_esc(struct room *);
static void ev_support(struct room *, json_t *);

/* ---- Enter and Esc held back a moment (pastes, Alt-Enter) ---- */

static uv_timer_t defer_h;
static bool defer_init;
static struct room *defer_room;

/* Nothing else came with the Enter or Esc: act on it now. */
static void
defer_flush(struct room *r)
{
	if (defer_room == r) {
		defer_room = NULL;
		uv_timer_stop(&defer_h);
	}
	if (r->enter_wait) {
		r->enter_wait = false;
		room_submit(r);
	} else if (r->esc_wait) {
		r->esc_wait = false;
		room_esc(r);
	}
}

static void
defer_fire(uv_timer_t *t)
{
	(void)t;
	if (defer_room != NULL)
		defer_flush(defer_room);
	ui_dirty();
}

static void
defer_start(struct room *r)
{
	if (!defer_init) {
		uv_timer_init(uv_default_loop(), &defer_h);
		defer_init = true;
	}
	if (defer_room != NULL && defer_room != r)
		defer_flush(defer_room);
	defer_room = r;
	uv_timer_start(&defer_h, defer_fire, PASTE_MS, 0);
}

/* ---- small helpers ---- */

static json_t *
room_args(struct room *r)
{
	return json_pack("{s:I}", "room_id", r->id);
}

static void
ed_clear(struct editor *e)
{
	ed_free(e);
	ed_init(e, NULL);
}

/* A code point as UTF-8; returns its length. */
static size_t
utf8_put(char *mb, int ch)
{
	if (ch < 0x80) {
		mb[0] = (char)ch;
		return 1;
	}
	if (ch < 0x800) {
		mb[0] = (char)(0xc0 | (ch >> 6));
		mb[1] = (char)(0x80 | (ch & 0x3f));
		return 2;
	}
	if (ch < 0x10000) {
		mb[0] = (char)(0xe0 | (ch >> 12));
		mb[1] = (char)(0x80 | ((ch >> 6) & 0x3f));
		mb[2] = (char)(0x80 | (ch & 0x3f));
		return 3;
	}
	mb[0] = (char)(0xf0 | (ch >> 18));
	mb[1] = (char)(0x80 | ((ch >> 12) & 0x3f));
	mb[2] = (char)(0x80 | ((ch >> 6) & 0x3f));
	mb[3] = (char)(0x80 | (ch & 0x3f));
	return 4;
}

static bool
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

/* "1st", "2nd", "3rd", "4th", "11th"... */
static const char *
ordinal(json_int_t n)
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
static const char *
record_words(const char *mode)
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

static const char *
consult_words(const char *rec)
{
	return strcmp(rec, "transcript") == 0 ? "transcript, kept privately "
	    "and never posted" : "off, nothing kept";
}

/* The person with this handle among those here, or NULL. */
static json_t *
person_of(struct room *r, const char *handle)
{
	json_t *p;
	size_t i;

	json_array_foreach(r->people, i, p)
		if (strcmp(js(p, "handle"), handle) == 0)
			return p;
	return NULL;
}

/* A person's name for notes: display name, else the handle. */
static void
name_of(struct room *r, const char *handle, char *out, size_t len)
{
	json_t *p = person_of(r, handle);

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

/* ---- the scrollback ---- */

/* One line being built: bytes and a style per byte. */
struct lbuf {
	char t[WRAP_MAX];
	uint8_t s[WRAP_MAX];
	size_t n;
	int w;
};

static void
lb_put(struct lbuf *b, const char *s, size_t n, uint8_t st, int w)
{
	if (b->n + n >= WRAP_MAX)
		return;
	memcpy(b->t + b->n, s, n);
	memset(b->s + b->n, st, n);
	b->n += n;
	b->w += w;
}

/* Move the built line into the document. */
static void
lb_emit(struct rdoc *d, struct lbuf *b)
{
	struct rline *l;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->lines = xrealloc(d->lines, d->cap * sizeof *d->lines);
	}
	l = &d->lines[d->n++];
	l->text = xstrndup(b->t, b->n);
	l->style = xmalloc(b->n + 1);
	memcpy(l->style, b->s, b->n);
	l->style[b->n] = 0;
	l->len = b->n;
	l->width = b->w;
	b->n = 0;
	b->w = 0;
}

/*
 * Add text in style st after what b already holds, wrapped at width at
 * spaces; later lines start with a two-space indent. Control characters
 * show as '?'.
 */
static void
wrap_add(struct rdoc *d, struct lbuf *b, const char *text, uint8_t st,
    int width)
{
	const char *p = text, *nl;

	if (width < 8)
		width = 8;
	for (;;) {
		size_t plen, i = 0, n;
		char *c;
		size_t brk = 0;
		int brkw = 0;

		nl = strchr(p, '\n');
		plen = nl != NULL ? (size_t)(nl - p) : strlen(p);
		c = text_clean(p, plen);
		plen = strlen(c);
		while (i < plen) {
			uint32_t cp;
			int w;
			n = utf8_decode(c + i, plen - i, &cp);
			if (n == 0) {
				n = 1;
				cp = '?';
			}
			w = utf8_cpwidth(cp);
			if (w < 0)
				w = 1;
			if ((b->w + w > width && b->n > 2) || b->n + n + 8 >=
			    WRAP_MAX) {
				if (brk > 2) {
					/* break at the last space */
					struct lbuf rest;
					size_t k = brk + 1;
					rest.n = 0;
					rest.w = 0;
					lb_put(&rest, "  ", 2, 0, 2);
					memcpy(rest.t + rest.n, b->t + k,
					    b->n - k);
					memcpy(rest.s + rest.n, b->s + k,
					    b->n - k);
					rest.n += b->n - k;
					rest.w += b->w - brkw - 1;
					b->n = brk;
					b->w = brkw;
					lb_emit(d, b);
					*b = rest;
				} else {
					lb_emit(d, b);
					lb_put(b, "  ", 2, 0, 2);
				}
				brk = 0;
			}
			if (cp == ' ') {
				brk = b->n;
				brkw = b->w;
			}
			lb_put(b, c + i, n, st, w);
			i += n;
		}
		free(c);
		lb_emit(d, b);
		if (nl == NULL)
			break;
		p = nl + 1;
		lb_put(b, "  ", 2, 0, 2);
	}
}

/* Render one message (or note) into lines. */
static void
render_msg(struct room *r, json_t *m, int width)
{
	struct lbuf b;
	const char *at = js(m, "at");
	char name[200];

	b.n = 0;
	b.w = 0;
	if (ji(m, "note")) {
		wrap_add(&r->doc, &b, js(m, "text"), ST_DIM | ST_ITALIC,
		    width);
		return;
	}
	if (strlen(at) >= 16) {
		lb_put(&b, at + 11, 5, ST_DIM, 5);
		lb_put(&b, " ", 1, 0, 1);
	}
	if (ji(m, "system")) {
		wrap_add(&r->doc, &b, js(m, "text"), ST_DIM, width);
		return;
	}
	if (ji(m, "private")) {
		const char *mark = "[private] ";
		lb_put(&b, mark, strlen(mark), ST_HEAD | ST_BOLD,
		    text_width(mark));
	}
	if (js(m, "display_name")[0])
		snprintf(name, sizeof name, "%s:", js(m, "display_name"));
	else if (js(m, "handle")[0])
		snprintf(name, sizeof name, "@%s:", js(m, "handle"));
	else
		snprintf(name, sizeof name, "(name not kept):");
	{
		char *c = text_clean(name, strlen(name));
		size_t n = text_fit(c, strlen(c), width / 2);
		lb_put(&b, c, n, ST_BOLD, utf8_width(c, n));
		lb_put(&b, " ", 1, 0, 1);
		free(c);
	}
	wrap_add(&r->doc, &b, js(m, "text"), ji(m, "private") ? ST_ITALIC :
	    0, width);
}

/* Render the messages not rendered yet (all of them at a new width). */
static void
room_render(struct room *r, int width)
{
	size_t n = json_array_size(r->msgs);

	if (r->doc_width != width) {
		rdoc_free(&r->doc);
		rdoc_init(&r->doc);
		r->rendered = 0;
		r->doc_width = width;
	}
	for (; r->rendered < n; r->rendered++)
		render_msg(r, json_array_get(r->msgs, r->rendered), width);
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
		room_render(r, r->doc_width);
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
static const char *
room_community(struct room *r)
{
	return js(r->state, "community")[0] ? js(r->state, "community") :
	    "the community";
}

/* Our own flags from the people here. */
static void
me_update(struct room *r)
{
	json_t *p = person_of(r, r->me), *h;
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
		name_of(r, who, name, sizeof name); /* before they go */
	people_apply(r, what, json_object_get(d, "person"));
	if (who != NULL && strcmp(what, "left") != 0)
		name_of(r, who, name, sizeof name);
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
		r->ask = ASK_NONE;
		r->focus = FOCUS_INPUT;
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
		r->ask = ASK_NONE;
		r->focus = FOCUS_INPUT;
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

	name_of(r, js(d, "with"), name, sizeof name);
	if (ji(d, "active")) {
		snprintf(r->consult, sizeof r->consult, "%s", js(d, "with"));
		if (r->ask == ASK_NONE)
			r->focus = FOCUS_INPUT;
		snprintf(r->consult_rec, sizeof r->consult_rec, "%s",
		    js(d, "record"));
		note(r, "A private consult with %s has begun: only the two of "
		    "you see what you write until it ends. Record: %s.", name,
		    consult_words(r->consult_rec));
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
static void
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
		r->focus = FOCUS_INPUT;
	}
	free(text);
}

/* Send a message; the input empties now and refills if refused. */
static void
say(struct room *r, const char *text)
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

static void
hand(struct room *r)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "raised", json_boolean(!r->hand));
	room_do(r, "room.raise_hand", a, r->hand ? "Hand lowered." :
	    "Hand raised: the hosts can see it.");
}

/* Host: take someone (the first when handle is empty) from the queue. */
static void
take(struct room *r, const char *handle, bool private, bool transcript)
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
static void
answer(struct room *r, const char *handle)
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
static void
support(struct room *r, const char *text)
{
	json_t *a = room_args(r);

	if (text != NULL && !blank(text))
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
			r->ask = ASK_SUMMARY;
		}
	}
	free(r->summary);
	r->summary = NULL;
}

/* Host: close the room (the summary is kept to retry on failure). */
static void
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
static void
ask(struct room *r, enum ask what, const char *handle, const char *initial)
{
	r->ask = what;
	r->focus = FOCUS_INPUT;
	snprintf(r->ask_handle, sizeof r->ask_handle, "%s", handle ? handle :
	    "");
	ed_free(&r->ask_ed);
	ed_init(&r->ask_ed, initial);
}

static void
ask_close(struct room *r)
{
	const char *mode = js(r->state, "record");

	if (strcmp(mode, "summary") == 0)
		ask(r, ASK_SUMMARY, NULL, NULL);
	else
		ask(r, ASK_CLOSE, NULL, NULL);
}

static void
mute(struct room *r, const char *handle, bool muted)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "handle", json_string(handle));
	json_object_set_new(a, "muted", json_boolean(muted));
	room_do(r, "room.mute", a, muted ? "Muted." : "Unmuted.");
}

static void
remove_person(struct room *r, const char *handle, const char *reason)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "handle", json_string(handle));
	if (reason != NULL && reason[0] != '\0')
		json_object_set_new(a, "reason", json_string(reason));
	room_do(r, "room.remove", a, "Removed from the room.");
}

static void
share_host(struct room *r, const char *handle, bool hand_over)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "handle", json_string(handle));
	if (hand_over)
		json_object_set_new(a, "hand_over", json_true());
	room_do(r, "room.host", a, hand_over ? "Hosting handed over." :
	    "Hosting shared.");
}

static void
set_topic(struct room *r, const char *topic)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "topic", json_string(topic));
	room_do(r, "room.topic", a, "Topic set.");
}

static void
queue_join(struct room *r, const char *topic)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "topic", json_string(topic));
	room_do(r, "room.queue_join", a, "You are in the queue.");
}

static void
pause_room(struct room *r, bool paused)
{
	json_t *a = room_args(r);

	json_object_set_new(a, "paused", json_boolean(paused));
	room_do(r, "room.pause", a, paused ? "Paused." : "Resumed.");
}

static void
end_consult(struct room *r)
{
	if (r->consult[0] == '\0') {
		ui_flash("You are not in a private consult.");
		return;
	}
	room_do(r, "room.consult_end", room_args(r), NULL);
}

static const char room_help[] =
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

static void
help(void)
{
	ui_push(view_message("Room help", room_help));
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
static void
command(struct room *r, const char *line)
{
	char cmd[32], word[64];
	const char *rest = line + 1;

	next_word(&rest, cmd, sizeof cmd);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "?") == 0)
		help();
	else if (strcmp(cmd, "leave") == 0 || strcmp(cmd, "quit") == 0)
		room_leave(r);
	else if (strcmp(cmd, "people") == 0)
		r->side = r->side > 0 ? -1 : 1;
	else if (strcmp(cmd, "hand") == 0)
		hand(r);
	else if (strcmp(cmd, "support") == 0) {
		if (rest[0] != '\0')
			support(r, rest);
		else
			ask(r, ASK_SUPPORT, NULL, NULL);
	} else if (strcmp(cmd, "queue") == 0) {
		if (rest[0] != '\0')
			queue_join(r, rest);
		else
			ask(r, ASK_QUEUE, NULL, NULL);
	} else if (strcmp(cmd, "unqueue") == 0)
		room_do(r, "room.queue_leave", room_args(r), "You left the "
		    "queue.");
	else if (strcmp(cmd, "end") == 0)
		end_consult(r);
	else if (strcmp(cmd, "topic") == 0) {
		if (rest[0] != '\0')
			set_topic(r, rest);
		else
			ask(r, ASK_TOPIC, NULL, js(r->state, "topic"));
	} else if (strcmp(cmd, "pause") == 0)
		pause_room(r, true);
	else if (strcmp(cmd, "resume") == 0)
		pause_room(r, false);
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
			mute(r, word, cmd[0] == 'm');
		else if (strcmp(cmd, "remove") == 0) {
			if (rest[0] != '\0')
				remove_person(r, word, rest);
			else
				ask(r, ASK_REASON, word, NULL);
		} else if (strcmp(cmd, "handover") == 0)
			ask(r, ASK_HANDOVER, word, NULL);
		else
			share_host(r, word, false);
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
		take(r, who, private, transcript);
	} else if (strcmp(cmd, "answer") == 0) {
		next_word(&rest, word, sizeof word);
		answer(r, word);
	} else if (strcmp(cmd, "close") == 0)
		ask_close(r);
	else
		snprintf(r->err, sizeof r->err, "There is no command /%s: "
		    "/help lists them (start with // to send a line beginning "
		    "with /).", cmd);
}

/* Enter (or Ctrl-S) in the input line: say it, or run the command. */
static void
room_submit(struct room *r)
{
	char *text;

	if (!r->joined || r->ed.len == 0)
		return;
	text = xstrndup(r->ed.text, r->ed.len);
	if (blank(text)) {
		free(text);
		return;
	}
	if (text[0] == '/' && text[1] != '/') {
		ed_clear(&r->ed);
		r->multiline = false;
		r->fresh = false;
		r->err[0] = '\0';
		command(r, text); /* may leave: r is then gone */
	} else if (!r->can_say) {
		ed_clear(&r->ed);
		snprintf(r->err, sizeof r->err, "You are listening only: join "
		    "%s to speak.", room_community(r));
	} else
		say(r, text);
	free(text);
}

/* The answer to the question at the bottom. */
static void
ask_submit(struct room *r)
{
	char *text = xstrndup(r->ask_ed.text, r->ask_ed.len);
	enum ask what = r->ask;

	r->ask = ASK_NONE;
	switch (what) {
	case ASK_TOPIC:
		set_topic(r, text);
		break;
	case ASK_REASON:
		remove_person(r, r->ask_handle, text);
		break;
	case ASK_QUEUE:
		if (blank(text)) {
			r->ask = what;
			snprintf(r->err, sizeof r->err, "Say in a few words "
			    "what you would like help with.");
		} else
			queue_join(r, text);
		break;
	case ASK_SUPPORT:
		support(r, text);
		break;
	case ASK_SUMMARY:
		if (blank(text)) {
			r->ask = what;
			snprintf(r->err, sizeof r->err, "This room keeps only "
			    "your summary: write it first.");
		} else
			room_close(r, text);
		break;
	default:
		break;
	}
	free(text);
	if (r->ask == ASK_NONE)
		ed_clear(&r->ask_ed);
}

/* Esc (alone): back out of what is going on, or offer to leave. */
static void
room_esc(struct room *r)
{
	if (r->ask != ASK_NONE) {
		r->ask = ASK_NONE;
		r->err[0] = '\0';
	} else if (r->multiline)
		r->multiline = false;
	else if (r->focus != FOCUS_INPUT)
		r->focus = FOCUS_INPUT;
	else if (!r->joined)
		ui_pop();
	else
		ask(r, ASK_LEAVE, NULL, NULL);
}

/* ---- keys ---- */

/* Editing keys for a text; true if taken. */
static bool
edit_key(struct editor *e, int ch, bool is_key)
{
	char mb[8];

	if (is_key) {
		switch (ch) {
		case KEY_LEFT: ed_left(e); break;
		case KEY_RIGHT: ed_right(e); break;
		case KEY_HOME: ed_home(e); break;
		case KEY_END: ed_end(e); break;
		case KEY_BACKSPACE: ed_backspace(e); break;
		case KEY_DC: ed_delete(e); break;
		default: return false;
		}
		return true;
	}
	if (ch == 127 || ch == 8)
		ed_backspace(e);
	else if (ch == KEY_CTRL('a'))
		ed_home(e);
	else if (ch == KEY_CTRL('u')) {
		while (e->cur > 0)
			ed_backspace(e);
	} else if (ch == KEY_CTRL('k')) {
		while (e->cur < e->len && e->text[e->cur] != '\n')
			ed_delete(e);
	} else if (ch == KEY_CTRL('z') || ch == KEY_CTRL('_'))
		ed_undo(e);
	else if (ch >= 0x20 && ch != 0x7f)
		ed_insert(e, mb, utf8_put(mb, ch));
	else
		return false;
	return true;
}

static int
people_count(struct room *r)
{
	return (int)json_array_size(r->people);
}

static json_t *
queue_list(struct room *r)
{
	json_t *q = json_object_get(r->queue, "queue");

	return json_is_array(q) ? q : NULL;
}

/* Tab: input, people, the queue (when we see it), input. */
static void
focus_next(struct room *r, int d)
{
	int n = queue_list(r) != NULL ? 3 : 2;

	r->focus = (enum focus)(((int)r->focus + d + n) % n);
	if (r->focus != FOCUS_INPUT && r->side < 0)
		r->side = 1;
	if (r->focus != FOCUS_INPUT && r->side == 0 && COLS < 70)
		r->side = 1;
}

static void
scroll_by(struct room *r, int d)
{
	r->scroll += d;
	if (r->scroll <= 0) {
		r->scroll = 0;
		r->unseen = 0;
	}
}

/* Keys that work whatever has the focus; true if taken. */
static bool
common_key(struct room *r, int ch, bool is_key)
{
	int page = r->page > 2 ? r->page - 1 : 1;

	if (is_key) {
		switch (ch) {
		case KEY_PPAGE: scroll_by(r, page); return true;
		case KEY_NPAGE: scroll_by(r, -page); return true;
		case KEY_F(1): help(); return true;
		case KEY_F(2): r->side = r->side > 0 ? -1 :
		    (r->side < 0 ? 1 : (COLS >= 70 ? -1 : 1));
			return true;
		}
	}
	if (!r->joined)
		return false;
	if ((is_key && ch == KEY_F(3)) || (!is_key && ch == KEY_CTRL('r'))) {
		hand(r);
		return true;
	}
	if (is_key && ch == KEY_F(4)) {
		ask(r, ASK_SUPPORT, NULL, NULL);
		return true;
	}
	if (is_key && ch == KEY_F(8)) {
		answer(r, NULL);
		return true;
	}
	if (!is_key && ch == KEY_CTRL('x')) {
		end_consult(r);
		return true;
	}
	return false;
}

/* The person (or queue entry) selected in the panel. */
static json_t *
panel_cur(struct room *r)
{
	if (r->focus == FOCUS_PEOPLE)
		return json_array_get(r->people, (size_t)r->psel);
	if (r->focus == FOCUS_QUEUE && queue_list(r) != NULL)
		return json_array_get(queue_list(r), (size_t)r->qsel);
	return NULL;
}

/* Keys on the people list or the queue, for the selected person. */
static bool
panel_key(struct room *r, int ch, bool is_key)
{
	json_t *p = panel_cur(r);
	const char *h = p != NULL ? js(p, "handle") : "";
	int *sel = r->focus == FOCUS_PEOPLE ? &r->psel : &r->qsel;
	int n = r->focus == FOCUS_PEOPLE ? people_count(r) :
	    (int)json_array_size(queue_list(r));

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j')) {
		if (*sel + 1 < n)
			(*sel)++;
		return true;
	}
	if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k')) {
		if (*sel > 0)
			(*sel)--;
		return true;
	}
	if (!is_key && ch == '\t') {
		focus_next(r, 1);
		return true;
	}
	if (is_key && ch == KEY_BTAB) {
		focus_next(r, -1);
		return true;
	}
	if ((!is_key && ch == 27) || (is_key && ch == KEY_LEFT)) {
		r->focus = FOCUS_INPUT;
		return true;
	}
	if (!is_key && ch == 'q') {
		ask(r, ASK_LEAVE, NULL, NULL);
		return true;
	}
	if (!is_key && ch == 'i') {
		r->focus = FOCUS_INPUT;
		return true;
	}
	if (p == NULL)
		return false;
	if (r->focus == FOCUS_QUEUE) {
		if (ENTER(ch, is_key) || (!is_key && ch == 't'))
			take(r, h, false, false);
		else if (!is_key && (ch == 'p' || ch == 'T'))
			take(r, h, true, ch == 'T');
		else
			return false;
		r->focus = FOCUS_INPUT; /* to speak with them */
		return true;
	}
	if (ENTER(ch, is_key)) {
		ui_push(view_profile(h));
		return true;
	}
	if (is_key)
		return false;
	switch (ch) {
	case 'm':
		mute(r, h, !ji(p, "muted"));
		return true;
	case 'r':
		ask(r, ASK_REASON, h, NULL);
		return true;
	case 's':
		share_host(r, h, false);
		return true;
	case 'H':
		ask(r, ASK_HANDOVER, h, NULL);
		return true;
	}
	return false;
}

/* Keys while the bottom line asks a question. */
static bool
ask_key(struct room *r, int ch, bool is_key)
{
	if (r->ask == ASK_LEAVE || r->ask == ASK_CLOSE ||
	    r->ask == ASK_HANDOVER) {
		enum ask what = r->ask;
		if (is_key || (ch != 'y' && ch != 'Y' && ch != 'n' &&
		    ch != 'N' && ch != 27))
			return true;
		r->ask = ASK_NONE;
		if (ch != 'y' && ch != 'Y')
			return true;
		if (what == ASK_LEAVE)
			room_leave(r);
		else if (what == ASK_CLOSE)
			room_close(r, NULL);
		else
			share_host(r, r->ask_handle, true);
		return true;
	}
	if (!is_key && ch == 27) {
		r->ask = ASK_NONE;
		r->err[0] = '\0';
		return true;
	}
	if (r->ask == ASK_SUMMARY) {
		if (!is_key && (ch == KEY_CTRL('s') || ch == KEY_CTRL('d')))
			ask_submit(r);
		else if (ENTER(ch, is_key))
			ed_insert(&r->ask_ed, "\n", 1);
		else if (is_key && ch == KEY_UP)
			ed_up(&r->ask_ed, r->in_width);
		else if (is_key && ch == KEY_DOWN)
			ed_down(&r->ask_ed, r->in_width);
		else
			edit_key(&r->ask_ed, ch, is_key);
		return true;
	}
	if (ENTER(ch, is_key) || (!is_key && ch == KEY_CTRL('s')))
		ask_submit(r);
	else
		edit_key(&r->ask_ed, ch, is_key);
	return true;
}

/*
 * Keys: typing goes to the input line, so actions are control and
 * function keys, /commands, or keys on the panel after Tab.
 */
static bool
room_key(struct view *v, int ch, bool is_key)
{
	struct room *r = (struct room *)v;

	/* what came with a held-back Esc or Enter */
	if (r->esc_wait) {
		r->esc_wait = false;
		if (defer_room == r) {
			defer_room = NULL;
			uv_timer_stop(&defer_h);
		}
		if (ENTER(ch, is_key)) { /* Alt-Enter */
			ed_insert(&r->ed, "\n", 1);
			return true;
		}
		/* Alt and a key: the key alone */
	}
	if (r->enter_wait) {
		if (!is_key && (ch >= 0x20 || ch == '\r' || ch == '\n' ||
		    ch == '\t') && ch != 0x7f) {
			/* more keys with the Enter: a paste */
			r->enter_wait = false;
			ed_insert(&r->ed, "\n", 1);
			if (ch == '\t') {
				ed_insert(&r->ed, " ", 1);
				return true;
			}
		} else {
			defer_flush(r);
			if (ui_top() != v)
				return true;
		}
	}
	if (!r->joined) {
		/* closed, removed, or not in yet */
		if (common_key(r, ch, is_key))
			return true;
		if (ENTER(ch, is_key) && r->thread_id != 0) {
			ui_push(view_thread(r->thread_id, ""));
			return true;
		}
		if ((is_key && (ch == KEY_UP || ch == KEY_DOWN))) {
			scroll_by(r, ch == KEY_UP ? 1 : -1);
			return true;
		}
		return false; /* q, Esc and Left go back */
	}
	if (r->ask != ASK_NONE) {
		if (is_key && (ch == KEY_PPAGE || ch == KEY_NPAGE))
			return common_key(r, ch, is_key);
		return ask_key(r, ch, is_key);
	}
	if (common_key(r, ch, is_key))
		return true;
	if (r->focus != FOCUS_INPUT)
		return panel_key(r, ch, is_key);
	if (!is_key && ch == 27) {
		r->esc_wait = true;
		defer_start(r);
		return true;
	}
	if (ENTER(ch, is_key)) {
		if (r->multiline)
			ed_insert(&r->ed, "\n", 1);
		else if (r->ed.len > 0) {
			r->enter_wait = true;
			defer_start(r);
		}
		return true;
	}
	if (!is_key && (ch == KEY_CTRL('s') || ch == KEY_CTRL('d'))) {
		room_submit(r);
		return true;
	}
	if (!is_key && ch == KEY_CTRL('e')) {
		r->multiline = !r->multiline;
		return true;
	}
	if ((!is_key && ch == '\t') || (is_key && ch == KEY_BTAB)) {
		focus_next(r, ch == '\t' ? 1 : -1);
		return true;
	}
	if (!is_key && ch == '?' && r->ed.len == 0)
		return false; /* the help screen */
	if (is_key && (ch == KEY_UP || ch == KEY_DOWN)) {
		if (r->multiline || memchr(r->ed.text, '\n', r->ed.len)) {
			if (ch == KEY_UP)
				ed_up(&r->ed, r->in_width);
			else
				ed_down(&r->ed, r->in_width);
		} else
			scroll_by(r, ch == KEY_UP ? 1 : -1);
		return true;
	}
	if (!r->can_say && r->ed.len == 0 && !is_key && ch != '/' &&
	    ch >= 0x20) {
		snprintf(r->err, sizeof r->err, "You are listening only: join "
		    "%s to speak. Commands (/help, /leave) still work.",
		    room_community(r));
		return true;
	}
	if (r->fresh && !is_key && ch >= 0x20 && ch != 0x7f) {
		/* a new message replaces the refused one; Ctrl-Z undoes */
		char *old = xstrndup(r->ed.text, r->ed.len), mb[8];
		ed_clear(&r->ed);
		ed_insert(&r->ed, mb, utf8_put(mb, ch));
		free(r->ed.undo_text);
		r->ed.undo_text = old;
		r->ed.undo_cur = strlen(old);
		r->restored = 0;
		r->fresh = false;
		r->err[0] = '\0';
		return true;
	}
	r->fresh = false;
	edit_key(&r->ed, ch, is_key);
	return true; /* typing: nothing else reads keys */
}

/* ---- drawing ---- */

/* Columns of the people panel: 0 when hidden. */
static int
side_width(struct room *r, int cols)
{
	bool wide = cols >= 70;

	if (r->side < 0 || (!wide && r->side == 0))
		return 0;
	if (!wide)
		return cols / 2;
	return cols >= 110 ? 30 : 24;
}

/* Text segments drawn one after another on a line; returns the end x. */
static int
put_seg(int y, int x, int maxx, const char *s, int color, int attr)
{
	int w = text_width(s);

	if (x >= maxx)
		return x;
	put_text(y, x, maxx - x, s, color, attr);
	return x + w;
}

/* Title and topic; then the record mode in words and our state. */
static void
draw_header(struct room *r, int cols)
{
	char line[700], right[64];
	int x, rw;

	if (r->closed || r->removed)
		snprintf(right, sizeof right, "%s", r->closed ? "closed" :
		    "removed");
	else
		snprintf(right, sizeof right, "%d here%s", people_count(r),
		    ji(r->state, "surgery") ? " · surgery" : "");
	rw = text_width(right);
	if (js(r->state, "topic")[0])
		snprintf(line, sizeof line, "%s — %s", js(r->state, "title"),
		    js(r->state, "topic"));
	else
		snprintf(line, sizeof line, "%s", js(r->state, "title"));
	put_text(1, 1, cols - rw - 4, line, C_HEAD, A_BOLD);
	put_text(1, cols - rw - 1, rw, right, C_DIM, 0);
	x = put_seg(2, 1, cols - 1, record_words(js(r->state, "record")),
	    C_NORMAL, A_BOLD);
	if (ji(r->state, "paused")) {
		x = put_seg(2, x, cols - 1, "  ·  ", C_DIM, 0);
		x = put_seg(2, x, cols - 1, "PAUSED", C_ERROR, A_BOLD);
	}
	if (r->muted) {
		x = put_seg(2, x, cols - 1, "  ·  ", C_DIM, 0);
		x = put_seg(2, x, cols - 1, "you are MUTED", C_ERROR, A_BOLD);
	}
	if (r->host) {
		x = put_seg(2, x, cols - 1, "  ·  ", C_DIM, 0);
		x = put_seg(2, x, cols - 1, "you are hosting", C_OK, 0);
	}
	if (r->hand) {
		x = put_seg(2, x, cols - 1, "  ·  ", C_DIM, 0);
		x = put_seg(2, x, cols - 1, "your hand is up", C_UNREAD, 0);
	}
	if (!r->can_say && r->joined) {
		char l[160];
		snprintf(l, sizeof l, "listening only — join %s to speak",
		    room_community(r));
		x = put_seg(2, x, cols - 1, "  ·  ", C_DIM, 0);
		put_seg(2, x, cols - 1, l, C_UNREAD, A_BOLD);
	}
}

struct banner {
	char text[700];
	int color, attr;
};

/* The lines under the header that need attention now. */
static int
banners(struct room *r, struct banner *b, int max)
{
	int n = 0;
	json_t *a, *q = queue_list(r);
	size_t i;
	int waiting = 0;

#define BAN(c, at, ...) do { if (n < max) { snprintf(b[n].text, \
	sizeof b[n].text, __VA_ARGS__); b[n].color = (c); b[n].attr = (at); \
	n++; } } while (0)
	if (r->fail[0] != '\0')
		BAN(C_ERROR, A_BOLD, "Could not enter the room: %s", r->fail);
	else if (r->loading)
		BAN(C_DIM, 0, "Entering the room...");
	if (r->closed)
		BAN(C_HEAD, A_BOLD, r->thread_id ? "The room has closed. Its "
		    "record is a thread in the community: press Enter to open "
		    "it." : "The room has closed. Nothing was kept.");
	if (r->removed)
		BAN(C_ERROR, A_BOLD, "A host removed you from this room%s%s",
		    r->reason[0] ? ": " : ".", r->reason);
	if (r->consult[0] != '\0') {
		char name[200];
		name_of(r, r->consult, name, sizeof name);
		BAN(C_UNREAD, A_BOLD, "PRIVATE consult with %s (@%s) · "
		    "record: %s · Ctrl-X ends it", name, r->consult,
		    strcmp(r->consult_rec, "transcript") == 0 ?
		    "kept privately" : "off");
	}
	json_array_foreach(r->alerts, i, a) {
		if (ji(a, "answered"))
			continue;
		if (waiting++ < 2)
			BAN(C_ERROR, A_BOLD, "SUPPORT needed: %s (@%s)%s%s · "
			    "F8 or /answer answers", js(a, "display_name"),
			    js(a, "handle"), js(a, "text")[0] ? ": " : "",
			    js(a, "text"));
	}
	if (waiting > 2)
		BAN(C_ERROR, A_BOLD, "...and %d more support requests.",
		    waiting - 2);
	if (r->support[0] != '\0' && r->joined)
		BAN(C_OK, 0, "%s", r->support);
	if (r->joined && ji(r->state, "surgery") && r->consult[0] == '\0') {
		json_int_t place = ji(r->queue, "place");
		json_int_t len = ji(r->queue, "length");
		if (place > 0)
			BAN(C_UNREAD, A_BOLD, "Queue: you are %lld%s of %lld. "
			    "/unqueue leaves it.", (long long)place,
			    ordinal(place), (long long)len);
		else if (q != NULL && side_width(r, COLS) == 0)
			BAN(C_DIM, 0, "Queue: %lld waiting (Tab to see it).",
			    (long long)len);
		else if (q == NULL)
			BAN(C_DIM, 0, "Surgery: /queue TOPIC asks the hosts for "
			    "help (%lld waiting).", (long long)len);
	}
#undef BAN
	return n;
}

/* One row of the side panel, reversed when selected. */
static void
side_row(int y, int x, int w, const char *left, const char *right, bool sel,
    int color)
{
	int rw = right != NULL ? text_width(right) : 0;

	if (sel) {
		char pad[256];
		int k = w < (int)sizeof pad - 1 ? w : (int)sizeof pad - 1;
		memset(pad, ' ', (size_t)k);
		pad[k] = '\0';
		put_text(y, x, w, pad, C_SEL, 0);
	}
	if (rw > w / 2)
		rw = 0;
	put_text(y, x + 1, w - 1 - (rw ? rw + 1 : 0), left, sel ? C_SEL :
	    color, 0);
	if (rw > 0)
		put_text(y, x + w - rw, rw, right, sel ? C_SEL : C_DIM, 0);
}

/* The people here, and for hosts the queue under them. */
static void
draw_side(struct room *r, int y0, int h, int x, int w)
{
	json_t *p, *q = queue_list(r);
	size_t i;
	int qh = 0, ph, start, y;
	char line[300], tags[64];

	for (int k = 0; k < h; k++)
		put_text(y0 + k, x - 1, 1, "│", C_DIM, 0);
	if (q != NULL) {
		qh = 2 * (int)json_array_size(q) + 2;
		if (qh < 3)
			qh = 3;
		if (qh > h / 2)
			qh = h / 2;
	}
	ph = h - qh;
	if (r->psel >= people_count(r))
		r->psel = people_count(r) > 0 ? people_count(r) - 1 : 0;
	snprintf(line, sizeof line, "Here (%d)", people_count(r));
	put_text(y0, x + 1, w - 1, line, C_HEAD, r->focus == FOCUS_PEOPLE ?
	    A_BOLD | A_UNDERLINE : A_BOLD);
	start = r->psel - (ph - 2) + 1;
	if (start < 0)
		start = 0;
	y = y0 + 1;
	for (i = (size_t)start; i < json_array_size(r->people) &&
	    y < y0 + ph; i++) {
		p = json_array_get(r->people, i);
		snprintf(line, sizeof line, "%s", js(p, "display_name")[0] ?
		    js(p, "display_name") : js(p, "handle"));
		snprintf(tags, sizeof tags, "%s%s%s%s", strcmp(js(p, "handle"),
		    r->me) == 0 ? " you" : "", ji(p, "host") ? " host" : "",
		    ji(p, "muted") ? " muted" : "", ji(p, "hand") ? " hand" :
		    "");
		side_row(y++, x, w, line, tags[0] ? tags + 1 : NULL,
		    r->focus == FOCUS_PEOPLE && (int)i == r->psel,
		    ji(p, "hand") ? C_UNREAD : C_NORMAL);
	}
	if (q == NULL || qh < 2)
		return;
	if (r->qsel >= (int)json_array_size(q))
		r->qsel = json_array_size(q) > 0 ? (int)json_array_size(q) - 1 :
		    0;
	y = y0 + ph;
	snprintf(line, sizeof line, "Queue (%zu)", json_array_size(q));
	put_text(y++, x + 1, w - 1, line, C_HEAD, r->focus == FOCUS_QUEUE ?
	    A_BOLD | A_UNDERLINE : A_BOLD);
	if (json_array_size(q) == 0)
		put_text(y, x + 1, w - 1, "nobody waiting", C_DIM, 0);
	/* two lines each: who, then what about */
	start = r->qsel - (qh - 2) / 2 + 1;
	if (start < 0)
		start = 0;
	for (i = (size_t)start; i < json_array_size(q) && y + 1 < y0 + h;
	    i++) {
		bool on = r->focus == FOCUS_QUEUE && (int)i == r->qsel;
		p = json_array_get(q, i);
		snprintf(line, sizeof line, "%lld. %s", (long long)ji(p,
		    "place"), js(p, "display_name"));
		/* the queue's "present" is as of its last change: ask the
		 * people list, which follows arrivals */
		side_row(y++, x, w, line, person_of(r, js(p, "handle")) ?
		    NULL : "away", on, C_NORMAL);
		snprintf(line, sizeof line, "   @%s: %s", js(p, "handle"),
		    js(p, "topic"));
		side_row(y++, x, w, line, NULL, on, C_DIM);
	}
}

/* The scrollback, following the end unless scrolled up. */
static void
draw_messages(struct room *r, int y0, int h, int w)
{
	int total, start, maxscroll;

	if (h <= 0 || w <= 4)
		return;
	room_render(r, w);
	total = (int)r->doc.n;
	if (r->scroll > 0)
		h--; /* the last line says there is more below */
	r->page = h;
	maxscroll = total - h;
	if (maxscroll < 0)
		maxscroll = 0;
	if (r->scroll > maxscroll)
		r->scroll = maxscroll;
	start = total - h - r->scroll;
	if (start < 0)
		start = 0;
	for (int i = 0; i < h && start + i < total; i++)
		put_rline(y0 + i, 1, w, &r->doc.lines[start + i]);
	if (r->scroll > 0) {
		char line[120];
		if (r->unseen > 0)
			snprintf(line, sizeof line, "▼ %d new message%s below "
			    "· PgDn", r->unseen, r->unseen == 1 ? "" : "s");
		else
			snprintf(line, sizeof line, "▼ more below · PgDn");
		put_text(y0 + h, 1, w, line, r->unseen ? C_UNREAD : C_DIM,
		    A_BOLD | A_REVERSE);
	}
}

/* The prompt before the input line, and the hint on the rule above. */
static void
prompts(struct room *r, char *prompt, size_t plen, char *hint, size_t hlen)
{
	char name[200];

	hint[0] = '\0';
	switch (r->ask) {
	case ASK_TOPIC:
		snprintf(prompt, plen, "New topic:");
		snprintf(hint, hlen, "Enter sets the topic · Esc cancels");
		return;
	case ASK_REASON:
		snprintf(prompt, plen, "Remove @%s, because:", r->ask_handle);
		snprintf(hint, hlen, "They see the reason · Enter removes them "
		    "· Esc cancels");
		return;
	case ASK_QUEUE:
		snprintf(prompt, plen, "Help with:");
		snprintf(hint, hlen, "Join the queue: say in a few words what "
		    "about (only hosts see it) · Enter · Esc cancels");
		return;
	case ASK_SUPPORT:
		snprintf(prompt, plen, "I need support:");
		snprintf(hint, hlen, "Tells the hosts privately (staff after "
		    "two minutes) · words optional · Enter sends · Esc "
		    "cancels");
		return;
	case ASK_SUMMARY:
		snprintf(prompt, plen, "Summary:");
		snprintf(hint, hlen, "This room keeps only your summary · "
		    "Enter new line · Ctrl-S closes the room · Esc cancels");
		return;
	case ASK_LEAVE:
		snprintf(prompt, plen, "Leave the room? y/n");
		snprintf(hint, hlen, "y leaves · n or Esc stays");
		return;
	case ASK_CLOSE:
		snprintf(prompt, plen, "Close the room for everyone? y/n");
		snprintf(hint, hlen, "%s · y closes · n or Esc cancels",
		    strcmp(js(r->state, "record"), "off") == 0 ? "Nothing is "
		    "kept" : "Its record is posted to the community");
		return;
	case ASK_HANDOVER:
		snprintf(prompt, plen, "Hand hosting to @%s? y/n",
		    r->ask_handle);
		snprintf(hint, hlen, "You stop hosting · y hands over · n or "
		    "Esc cancels");
		return;
	case ASK_NONE:
		break;
	}
	if (r->consult[0] != '\0') {
		name_of(r, r->consult, name, sizeof name);
		snprintf(prompt, plen, "Private to %s:", name);
		if (r->multiline)
			snprintf(hint, hlen, "PRIVATE · Multi-line · Enter new "
			    "line · Ctrl-S sends · Ctrl-E one line");
		else
			snprintf(hint, hlen, "PRIVATE consult · record: %s · "
			    "Ctrl-X ends it", consult_words(r->consult_rec));
	} else if (!r->can_say) {
		snprintf(prompt, plen, "Listening only:");
		snprintf(hint, hlen, "Join %s to speak · /leave · /help "
		    "commands · F1 help", room_community(r));
	} else {
		snprintf(prompt, plen, "%s", r->muted ? "Say (muted):" :
		    "Say:");
		if (r->multiline)
			snprintf(hint, hlen, "Multi-line · Enter new line · "
			    "Ctrl-S sends · Ctrl-E one line");
		else
			snprintf(hint, hlen, "Enter sends · Alt-Enter new line "
			    "· Ctrl-E multi-line · /help commands · F1 help");
	}
}

/* The editor's visible lines under the prompt; returns the lines used. */
static void
draw_editor(struct editor *e, int y0, int h, int x, int w, bool cursor)
{
	size_t n, *starts;
	int cy = 0, cx = 0, top = 0;

	n = ed_layout(e, w, NULL, 0, &cy, &cx);
	starts = xcalloc(n > 0 ? n : 1, sizeof *starts);
	ed_layout(e, w, starts, n, NULL, NULL);
	if (cy >= h)
		top = cy - h + 1;
	for (int i = 0; i < h && (size_t)(top + i) < n; i++) {
		size_t s = starts[top + i];
		size_t end = (size_t)(top + i) + 1 < n ? starts[top + i + 1] :
		    e->len;
		char *line;
		if (end > s && e->text[end - 1] == '\n')
			end--;
		line = xstrndup(e->text + s, end - s);
		put_text(y0 + i, x, w, line, C_NORMAL, 0);
		free(line);
	}
	if (cursor)
		ui_cursor(y0 + cy - top, x + cx);
	free(starts);
}

static int
editor_lines(struct editor *e, int w)
{
	int cy, cx;
	size_t n = ed_layout(e, w, NULL, 0, &cy, &cx);

	if (n < 1)
		return 1;
	return n > INPUT_LINES ? INPUT_LINES : (int)n;
}

/*
 * Header, banners, messages and panel, then the rule with a hint, a
 * refusal if any, and the input line (growing to a few lines).
 */
static void
room_draw(struct view *v, int rows, int cols)
{
	struct room *r = (struct room *)v;
	struct banner b[8];
	char prompt[300], hint[300], rule[1200];
	int nb, sw, mw, ytop, ybot, inh, pw, iw, y, hl;
	bool yn = r->ask == ASK_LEAVE || r->ask == ASK_CLOSE ||
	    r->ask == ASK_HANDOVER;
	struct editor *e = r->ask != ASK_NONE ? &r->ask_ed : &r->ed;
	struct rdoc errs;

	if (r->state != NULL)
		draw_header(r, cols);
	nb = rows / 4 > 1 ? rows / 4 : 1;
	nb = banners(r, b, nb < (int)(sizeof b / sizeof b[0]) ? nb :
	    (int)(sizeof b / sizeof b[0]));
	for (int i = 0; i < nb; i++)
		put_text(3 + i, 1, cols - 2, b[i].text, b[i].color,
		    b[i].attr);
	ytop = 3 + nb;
	/* the bottom: rule, refusal, input */
	prompts(r, prompt, sizeof prompt, hint, sizeof hint);
	pw = text_width(prompt) + 1;
	/* a question has no text after it: it may take the whole line */
	if (pw > (yn ? cols - 2 : cols / 2))
		pw = yn ? cols - 2 : cols / 2;
	iw = cols - 2 - pw;
	r->in_width = iw > 4 ? iw : 4;
	inh = r->joined && !yn ? editor_lines(e, r->in_width) : 1;
	if (inh > rows / 4 && rows / 4 >= 1)
		inh = rows / 4;
	/* a refusal wraps over up to three lines */
	rdoc_init(&errs);
	if (r->err[0] != '\0') {
		struct lbuf eb;
		eb.n = 0;
		eb.w = 0;
		wrap_add(&errs, &eb, r->err, ST_BOLD, cols - 2);
		while (errs.n > 3) {
			errs.n--;
			free(errs.lines[errs.n].text);
			free(errs.lines[errs.n].style);
		}
	}
	ybot = rows - inh - (int)errs.n - 1;
	/* the body: messages and the side panel */
	sw = side_width(r, cols);
	mw = sw > 0 ? cols - sw - 2 : cols - 2;
	if (ybot >= ytop) {
		if (sw > 0)
			draw_side(r, ytop, ybot - ytop + 1, cols - sw, sw - 1);
		draw_messages(r, ytop, ybot - ytop + 1, mw);
	}
	/* the rule with a hint */
	y = ybot + 1;
	if (y >= 1 && y <= rows) {
		int n = 0;
		hl = 0;
		rule[0] = '\0';
		if (hint[0] != '\0' && r->joined)
			n = snprintf(rule, sizeof rule, "── %s ", hint);
		hl = text_width(rule);
		while (hl < cols - 2 && n + 4 < (int)sizeof rule) {
			memcpy(rule + n, "─", 3);
			n += 3;
			rule[n] = '\0';
			hl++;
		}
		put_text(y, 1, cols - 2, rule, r->consult[0] ? C_UNREAD : C_DIM,
		    r->consult[0] ? A_BOLD : 0);
	}
	for (size_t i = 0; i < errs.n; i++)
		put_text(++y, 1, cols - 2, errs.lines[i].text, C_ERROR,
		    A_BOLD);
	rdoc_free(&errs);
	y++;
	if (!r->joined) {
		const char *msg = r->closed ? (r->thread_id ? "Enter opens the "
		    "room's record · q goes back" : "q goes back") :
		    r->removed ? "q goes back" : r->loading ? "" :
		    "q goes back";
		put_text(y, 1, cols - 2, msg, C_DIM, 0);
		r->v.keys = "Enter:open the record  PgUp/PgDn:scroll";
		r->v.typing = false;
		return;
	}
	r->v.typing = r->focus == FOCUS_INPUT;
	put_text(y, 1, pw, prompt, r->focus != FOCUS_INPUT ? C_DIM :
	    r->consult[0] || yn ? C_UNREAD : C_HEAD, r->focus != FOCUS_INPUT ?
	    0 : A_BOLD);
	if (!yn)
		draw_editor(e, y, inh, 1 + pw, r->in_width, r->focus ==
		    FOCUS_INPUT);
	if (r->focus == FOCUS_PEOPLE)
		r->v.keys = "Enter:profile  m:mute  r:remove  s:share hosting  "
		    "H:hand over  Tab:queue  Esc:typing";
	else if (r->focus == FOCUS_QUEUE)
		r->v.keys = "t/Enter:take  p:take privately  T:private, kept  "
		    "Tab/Esc:typing";
	else if (yn)
		r->v.keys = "y:yes  n/Esc:no";
	else if (r->ask == ASK_SUMMARY)
		r->v.keys = "Enter:new line  Ctrl-S:close the room  Esc:cancel";
	else if (r->ask != ASK_NONE)
		r->v.keys = "Enter:done  Esc:cancel";
	else if (!r->can_say)
		r->v.keys = "/leave  Tab:people  PgUp/PgDn:scroll  F1:help";
	else if (r->multiline)
		r->v.keys = "Enter:new line  Ctrl-S:send  Ctrl-E:one line  "
		    "Tab:people";
	else
		r->v.keys = "Enter:send  Tab:people  PgUp/PgDn:scroll  "
		    "F3:hand  F4:support";
}

static void
room_free(struct view *v)
{
	struct room *r = (struct room *)v;

	if (defer_room == r) {
		defer_room = NULL;
		uv_timer_stop(&defer_h);
	}
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
	r->v.help = room_help;
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
		    record_words(js(st, "record")), ji(st, "paused") ?
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
			    (long long)place, ordinal(place),
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
			    consult_words(js(d, "record")));
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
