/*
 * room-draw.c: the room screen drawn. The header says what the room keeps
 * (its record mode in plain words), whether it is paused and whether you
 * are muted; under it the lines that need attention now, the scrollback
 * of messages (wrapped here, by display width), the people here (and, for
 * hosts, the surgery queue) on the right, and the input line at the
 * bottom with a hint on the rule above it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"


#define INPUT_LINES 5 /* input lines shown at most */
#define WRAP_MAX 4096 /* bytes in one wrapped line */

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
	if (time_from_iso8601(at) != 0) { /* HH:MM, the member's zone */
		char hm[8];

		when_format(time_from_iso8601(at), "%H:%M", hm, sizeof hm);
		lb_put(&b, hm, strlen(hm), ST_DIM, (int)strlen(hm));
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
void
room_draw_render(struct room *r, int width)
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
		snprintf(right, sizeof right, "%d here%s", room_people_count(r),
		    ji(r->state, "surgery") ? " · surgery" : "");
	rw = text_width(right);
	if (js(r->state, "topic")[0])
		snprintf(line, sizeof line, "%s — %s", js(r->state, "title"),
		    js(r->state, "topic"));
	else
		snprintf(line, sizeof line, "%s", js(r->state, "title"));
	put_text(1, 1, cols - rw - 4, line, C_HEAD, A_BOLD);
	put_text(1, cols - rw - 1, rw, right, C_DIM, 0);
	x = put_seg(2, 1, cols - 1, room_record_words(js(r->state, "record")),
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
	json_t *a, *q = room_queue_list(r);
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
		    "it." : r->review ? (r->was_host ? "The room has closed. "
		    "Its record waits for your review: press Enter." : "The "
		    "room has closed. Its record is posted once the hosts "
		    "have reviewed it.") : "The room has closed. Nothing was "
		    "kept.");
	if (r->removed && r->access_lost)
		BAN(C_ERROR, A_BOLD, "%s", r->reason);
	else if (r->removed)
		BAN(C_ERROR, A_BOLD, "A host removed you from this room%s%s",
		    r->reason[0] ? ": " : ".", r->reason);
	if (r->consult[0] != '\0') {
		char name[200];
		room_name_of(r, r->consult, name, sizeof name);
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
			    room_ordinal(place), (long long)len);
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
	json_t *p, *q = room_queue_list(r);
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
	if (r->psel >= room_people_count(r))
		r->psel = room_people_count(r) > 0 ? room_people_count(r) - 1 : 0;
	snprintf(line, sizeof line, "Here (%d)", room_people_count(r));
	put_text(y0, x + 1, w - 1, line, C_HEAD, r->focus == ROOM_FOCUS_PEOPLE ?
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
		    r->focus == ROOM_FOCUS_PEOPLE && (int)i == r->psel,
		    ji(p, "hand") ? C_UNREAD : C_NORMAL);
	}
	if (q == NULL || qh < 2)
		return;
	if (r->qsel >= (int)json_array_size(q))
		r->qsel = json_array_size(q) > 0 ? (int)json_array_size(q) - 1 :
		    0;
	y = y0 + ph;
	snprintf(line, sizeof line, "Queue (%zu)", json_array_size(q));
	put_text(y++, x + 1, w - 1, line, C_HEAD, r->focus == ROOM_FOCUS_QUEUE ?
	    A_BOLD | A_UNDERLINE : A_BOLD);
	if (json_array_size(q) == 0)
		put_text(y, x + 1, w - 1, "nobody waiting", C_DIM, 0);
	/* two lines each: who, then what about */
	start = r->qsel - (qh - 2) / 2 + 1;
	if (start < 0)
		start = 0;
	for (i = (size_t)start; i < json_array_size(q) && y + 1 < y0 + h;
	    i++) {
		bool on = r->focus == ROOM_FOCUS_QUEUE && (int)i == r->qsel;
		p = json_array_get(q, i);
		snprintf(line, sizeof line, "%lld. %s", (long long)ji(p,
		    "place"), js(p, "display_name"));
		/* the queue's "present" is as of its last change: ask the
		 * people list, which follows arrivals */
		side_row(y++, x, w, line, room_person_of(r, js(p, "handle")) ?
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
	room_draw_render(r, w);
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
	char words[240];

	char name[200];

	hint[0] = '\0';
	switch (r->ask) {
	case ROOM_ASK_TOPIC:
		snprintf(prompt, plen, "New topic:");
		snprintf(hint, hlen, "Enter sets the topic · Esc cancels");
		return;
	case ROOM_ASK_REASON:
		snprintf(prompt, plen, "Remove @%s, because:", r->ask_handle);
		snprintf(hint, hlen, "They see the reason · Enter removes them "
		    "· Esc cancels");
		return;
	case ROOM_ASK_QUEUE:
		snprintf(prompt, plen, "Help with:");
		snprintf(hint, hlen, "Join the queue: say in a few words what "
		    "about (only hosts see it) · Enter · Esc cancels");
		return;
	case ROOM_ASK_SUPPORT:
		snprintf(prompt, plen, "I need support:");
		snprintf(hint, hlen, "Tells the hosts privately (staff after "
		    "two minutes) · words optional · Enter sends · Esc "
		    "cancels");
		return;
	case ROOM_ASK_SUMMARY:
		snprintf(prompt, plen, "Summary:");
		snprintf(hint, hlen, "This room keeps only your summary · "
		    "Enter new line · Ctrl-S closes the room · Esc cancels");
		return;
	case ROOM_ASK_LEAVE:
		snprintf(prompt, plen, "Leave the room? y/n");
		room_command_consequence(r->state, r->me, ROOM_ASK_LEAVE,
		    words, sizeof words);
		snprintf(hint, hlen, "%s%sy leaves · n stays", words,
		    words[0] ? " · " : "");
		return;
	case ROOM_ASK_CLOSE:
		snprintf(prompt, plen, "Close the room for everyone? y/n");
		room_command_consequence(r->state, r->me, ROOM_ASK_CLOSE,
		    words, sizeof words);
		snprintf(hint, hlen, "%s · y closes · n or Esc cancels", words);
		return;
	case ROOM_ASK_HANDOVER:
		snprintf(prompt, plen, "Hand hosting to @%s? y/n",
		    r->ask_handle);
		snprintf(hint, hlen, "You stop hosting · y hands over · n or "
		    "Esc cancels");
		return;
	case ROOM_ASK_NONE:
		break;
	}
	if (r->consult[0] != '\0') {
		room_name_of(r, r->consult, name, sizeof name);
		snprintf(prompt, plen, "Private to %s:", name);
		if (r->multiline)
			snprintf(hint, hlen, "PRIVATE · Multi-line · Enter new "
			    "line · Ctrl-S sends · Ctrl-E one line");
		else
			snprintf(hint, hlen, "PRIVATE consult · record: %s · "
			    "Ctrl-X ends it", room_consult_words(r->consult_rec));
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
void
room_draw(struct view *v, int rows, int cols)
{
	struct room *r = (struct room *)v;
	struct banner b[8];
	char prompt[300], hint[400], rule[1200];
	int nb, sw, mw, ytop, ybot, inh, pw, iw, y, hl;
	bool yn = r->ask == ROOM_ASK_LEAVE || r->ask == ROOM_ASK_CLOSE ||
	    r->ask == ROOM_ASK_HANDOVER;
	struct editor *e = r->ask != ROOM_ASK_NONE ? &r->ask_ed : &r->ed;
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
		    "room's record · q goes back" : r->review && r->was_host ?
		    "Enter reviews the record · q goes back" : "q goes back") :
		    r->removed ? "q goes back" : r->loading ? "" :
		    "q goes back";
		put_text(y, 1, cols - 2, msg, C_DIM, 0);
		r->v.keys = r->closed && r->thread_id ? "Enter:open the record  "
		    "PgUp/PgDn:scroll" : r->closed && r->review && r->was_host ?
		    "Enter:review the record  PgUp/PgDn:scroll" :
		    "PgUp/PgDn:scroll";
		r->v.typing = false;
		return;
	}
	r->v.typing = r->focus == ROOM_FOCUS_INPUT;
	put_text(y, 1, pw, prompt, r->focus != ROOM_FOCUS_INPUT ? C_DIM :
	    r->consult[0] || yn ? C_UNREAD : C_HEAD, r->focus != ROOM_FOCUS_INPUT ?
	    0 : A_BOLD);
	if (!yn)
		draw_editor(e, y, inh, 1 + pw, r->in_width, r->focus ==
		    ROOM_FOCUS_INPUT);
	if (r->focus == ROOM_FOCUS_PEOPLE)
		r->v.keys = room_queue_list(r) != NULL ? "Enter:profile  "
		    "m:mute  r:remove  s:share hosting  H:hand over  Tab:queue  "
		    "Esc:typing" : "Enter:profile  m:mute  r:remove  s:share "
		    "hosting  H:hand over  Tab/Esc:typing";
	else if (r->focus == ROOM_FOCUS_QUEUE)
		r->v.keys = "t/Enter:take  p:take privately  T:private, kept  "
		    "Tab/Esc:typing";
	else if (yn)
		r->v.keys = "y:yes  n/Esc:no";
	else if (r->ask == ROOM_ASK_SUMMARY)
		r->v.keys = "Enter:new line  Ctrl-S:close the room  Esc:cancel";
	else if (r->ask != ROOM_ASK_NONE)
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
