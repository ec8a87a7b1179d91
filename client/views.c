/*
 * views.c: the screens. Home (communities, notifications, roundup),
 * community (threads, polls, members, about), thread (posts rendered from
 * CommonMark), the composer, notifications, profile, search, the join form
 * and a message screen. Each asks the server with net_call and draws what
 * it has; an operation the server lacks shows "not available yet".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

void ui_cursor(int y, int x);

#define ENTER(ch, is_key) ((!(is_key) && ((ch) == '\r' || (ch) == '\n')) || \
	((is_key) && (ch) == KEY_ENTER))
#define CTRL(c) ((c) & 0x1f)

/* ---- small helpers ---- */

/* The array under key, or the first array in the object. */
static json_t *
jarr(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key), *v;
	const char *k;

	if (json_is_array(a))
		return a;
	if (json_is_array(o))
		return o;
	json_object_foreach(o, k, v)
		if (json_is_array(v))
			return v;
	return NULL;
}

/* The object under key, or o itself. */
static json_t *
jobj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : o;
}

/* "2026-11-21T22:50:01Z" shown as "2026-11-21 22:50". */
static void
short_time(const char *iso, char out[20])
{
	snprintf(out, 20, "%.16s", iso);
	if (strlen(out) > 10 && out[10] == 'T')
		out[10] = ' ';
}

/* Name of a post's or thread's author, whatever shape it came in. */
static void
author_of(json_t *o, char *out, size_t len)
{
	json_t *a = json_object_get(o, "author");

	if (json_is_object(a))
		snprintf(out, len, "%s", js(a, "display_name")[0] ?
		    js(a, "display_name") : js(a, "handle"));
	else if (json_is_string(a))
		snprintf(out, len, "%s", json_string_value(a));
	else if (js(o, "author_name")[0])
		snprintf(out, len, "%s", js(o, "author_name"));
	else
		snprintf(out, len, "%s", js(o, "author_handle"));
}

static const char *
author_handle(json_t *o)
{
	json_t *a = json_object_get(o, "author");

	if (json_is_object(a))
		return js(a, "handle");
	return js(o, "author_handle");
}

/* A search snippet with its highlight marks (STX, ETX) as « and ». */
static char *
snippet_clean(const char *s)
{
	struct buf b;
	char *c;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == '\x02')
			buf_puts(&b, "«");
		else if (*s == '\x03')
			buf_puts(&b, "»");
		else if (*s == '\n')
			buf_puts(&b, " ");
		else
			buf_append(&b, s, 1);
	}
	buf_append(&b, "", 1);
	c = text_clean(b.data, strlen(b.data));
	buf_free(&b);
	return c;
}

/* ---- a scrolling list of rows, the body of most screens ---- */

struct row {
	char *text;
	char *right;
	int color, attr;
	json_t *data;
	bool pick; /* selectable */
};

struct list {
	struct row *rows;
	size_t n, cap;
	int sel, scroll;
	int page; /* rows shown, from the last draw */
};

static void
list_clear(struct list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].text);
		free(l->rows[i].right);
		json_decref(l->rows[i].data);
	}
	l->n = 0;
}

static void
list_free(struct list *l)
{
	list_clear(l);
	free(l->rows);
	memset(l, 0, sizeof *l);
}

static struct row *
list_add(struct list *l, const char *text, const char *right, int color,
    json_t *data, bool pick)
{
	struct row *r;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->rows = xrealloc(l->rows, l->cap * sizeof *l->rows);
	}
	r = &l->rows[l->n++];
	r->text = xstrdup(text);
	r->right = right != NULL ? xstrdup(right) : NULL;
	r->color = color;
	r->attr = color == C_HEAD ? A_BOLD : 0;
	r->data = json_incref(data);
	r->pick = pick;
	return r;
}

static struct row *
list_cur(struct list *l)
{
	if (l->sel < 0 || (size_t)l->sel >= l->n || !l->rows[l->sel].pick)
		return NULL;
	return &l->rows[l->sel];
}

/* Put the selection on the first pickable row at or after i. */
static void
list_fix(struct list *l)
{
	if (l->sel < 0)
		l->sel = 0;
	if ((size_t)l->sel >= l->n)
		l->sel = (int)l->n - 1;
	for (size_t i = (size_t)(l->sel < 0 ? 0 : l->sel); i < l->n; i++)
		if (l->rows[i].pick) {
			l->sel = (int)i;
			return;
		}
	for (int i = l->sel; i >= 0; i--)
		if (l->rows[i].pick) {
			l->sel = i;
			return;
		}
}

static void
list_move(struct list *l, int d)
{
	int i = l->sel;

	for (int steps = 0; steps < abs(d); steps++) {
		int j = i + (d > 0 ? 1 : -1);
		while (j >= 0 && (size_t)j < l->n && !l->rows[j].pick)
			j += d > 0 ? 1 : -1;
		if (j < 0 || (size_t)j >= l->n)
			break;
		i = j;
	}
	l->sel = i;
}

static void
list_draw(struct list *l, int y0, int rows, int cols)
{
	int rw;

	l->page = rows;
	if (l->sel < l->scroll)
		l->scroll = l->sel;
	if (l->sel >= l->scroll + rows)
		l->scroll = l->sel - rows + 1;
	if (l->scroll < 0)
		l->scroll = 0;
	for (int i = 0; i < rows && (size_t)(l->scroll + i) < l->n; i++) {
		struct row *r = &l->rows[l->scroll + i];
		bool on = l->scroll + i == l->sel && r->pick;
		int color = on ? C_SEL : r->color;
		if (on)
			put_fill(y0 + i, C_SEL);
		rw = r->right != NULL ? text_width(r->right) : 0;
		if (rw > cols / 2)
			rw = cols / 2;
		put_text(y0 + i, 2, cols - 4 - (rw ? rw + 2 : 0), r->text,
		    color, r->attr);
		if (rw > 0)
			put_text(y0 + i, cols - rw - 2, rw, r->right, on ?
			    C_SEL : C_DIM, 0);
	}
}

static bool
list_key(struct list *l, int ch, bool is_key)
{
	int page = l->page > 1 ? l->page - 1 : 1;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		list_move(l, 1);
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		list_move(l, -1);
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		list_move(l, page);
	else if (is_key && ch == KEY_PPAGE)
		list_move(l, -page);
	else if ((is_key && ch == KEY_HOME) || (!is_key && ch == 'g')) {
		l->sel = 0;
		list_fix(l);
	} else if ((is_key && ch == KEY_END) || (!is_key && ch == 'G')) {
		l->sel = (int)l->n - 1;
		list_fix(l);
	} else
		return false;
	return true;
}

/* ---- a one-line text field ---- */

struct field {
	const char *label;
	char text[512];
	size_t len;
};

/* Edit a field with a key; true if the key was taken. */
static bool
field_key(struct field *f, int ch, bool is_key)
{
	char mb[8];
	size_t n;

	if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 ||
	    ch == 8))) {
		while (f->len > 0 && ((unsigned char)f->text[f->len - 1] &
		    0xc0) == 0x80)
			f->len--;
		if (f->len > 0)
			f->len--;
		f->text[f->len] = '\0';
		return true;
	}
	if (!is_key && ch == CTRL('u')) {
		f->len = 0;
		f->text[0] = '\0';
		return true;
	}
	if (is_key || ch < 0x20 || ch == 0x7f)
		return false;
	/* encode the code point as UTF-8 */
	if (ch < 0x80) {
		mb[0] = (char)ch;
		n = 1;
	} else if (ch < 0x800) {
		mb[0] = (char)(0xc0 | (ch >> 6));
		mb[1] = (char)(0x80 | (ch & 0x3f));
		n = 2;
	} else if (ch < 0x10000) {
		mb[0] = (char)(0xe0 | (ch >> 12));
		mb[1] = (char)(0x80 | ((ch >> 6) & 0x3f));
		mb[2] = (char)(0x80 | (ch & 0x3f));
		n = 3;
	} else {
		mb[0] = (char)(0xf0 | (ch >> 18));
		mb[1] = (char)(0x80 | ((ch >> 12) & 0x3f));
		mb[2] = (char)(0x80 | ((ch >> 6) & 0x3f));
		mb[3] = (char)(0x80 | (ch & 0x3f));
		n = 4;
	}
	if (f->len + n + 1 > sizeof f->text)
		return true;
	memcpy(f->text + f->len, mb, n);
	f->len += n;
	f->text[f->len] = '\0';
	return true;
}

/* Draw "label: text" and return the column after the text. */
static int
field_draw(struct field *f, int y, int x, int cols, bool active)
{
	int lw = text_width(f->label) + 2, tw, off = 0;
	const char *shown = f->text;

	put_text(y, x, cols, f->label, active ? C_HEAD : C_NORMAL, A_BOLD);
	put_text(y, x + lw - 2, 2, ": ", C_NORMAL, 0);
	tw = text_width(f->text);
	/* keep the end of a long entry in view */
	while (tw - off > cols - lw - 2 && *shown != '\0') {
		uint32_t cp;
		size_t n = utf8_decode(shown, strlen(shown), &cp);
		if (n == 0)
			n = 1;
		off += utf8_cpwidth(n == 1 ? (uint32_t)*shown : cp);
		shown += n;
	}
	put_text(y, x + lw, cols - lw, shown, C_NORMAL, A_UNDERLINE);
	return x + lw + text_width(shown);
}

/* ---- message screen ---- */

struct msgview {
	struct view v;
	char *text;
	int scroll;
};

static void
msg_draw(struct view *v, int rows, int cols)
{
	struct msgview *m = (struct msgview *)v;
	struct rdoc d;

	rdoc_init(&d);
	render_markdown(&d, m->text, strlen(m->text), cols - 4);
	if (m->scroll > (int)d.n - 1)
		m->scroll = d.n > 0 ? (int)d.n - 1 : 0;
	for (int i = 0; i < rows - 1 && (size_t)(m->scroll + i) < d.n; i++)
		put_rline(2 + i, 2, cols - 4, &d.lines[m->scroll + i]);
	rdoc_free(&d);
}

static bool
msg_key(struct view *v, int ch, bool is_key)
{
	struct msgview *m = (struct msgview *)v;

	if ((is_key && ch == KEY_DOWN) || (!is_key && (ch == 'j' ||
	    ch == ' ')))
		m->scroll += ch == ' ' ? 10 : 1;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k')) {
		if (m->scroll > 0)
			m->scroll--;
	} else if (ENTER(ch, is_key)) {
		ui_pop();
	} else
		return false;
	return true;
}

static void
msg_free(struct view *v)
{
	struct msgview *m = (struct msgview *)v;

	free(m->text);
	free(m);
}

struct view *
view_message(const char *title, const char *text)
{
	struct msgview *m = xcalloc(1, sizeof *m);

	m->v.title = xstrdup(title); /* leaks one short string per message */
	m->v.keys = "Enter/q:close  j/k:scroll";
	m->v.draw = msg_draw;
	m->v.key = msg_key;
	m->v.free = msg_free;
	m->text = xstrdup(text);
	return &m->v;
}

/* ---- the composer ---- */

/* Drafts survive closing the composer (and a lost connection). */
struct draft {
	char key[64];
	char *text;
	char *title;
	struct draft *next;
};
static struct draft *drafts;

static struct draft *
draft_find(const char *key, bool make)
{
	struct draft *d;

	for (d = drafts; d != NULL; d = d->next)
		if (strcmp(d->key, key) == 0)
			return d;
	if (!make)
		return NULL;
	d = xcalloc(1, sizeof *d);
	snprintf(d->key, sizeof d->key, "%s", key);
	d->next = drafts;
	drafts = d;
	return d;
}

struct composer {
	struct view v;
	struct editor ed;
	struct field title; /* new threads only */
	bool has_title, on_title, sending;
	char op[32];
	json_t *args; /* sent with body (and title) added */
	char key[64];
	char err[256];
	int scroll;
	int width;
	void (*done)(struct view *below, json_t *result);
};

static void
comp_draw(struct view *v, int rows, int cols)
{
	struct composer *c = (struct composer *)v;
	int y = 2, cy = 0, cx = 0, w = cols - 4, body;
	size_t n, *starts;

	c->width = w;
	if (c->has_title) {
		int end = field_draw(&c->title, y, 2, cols - 4, c->on_title);
		if (c->on_title)
			ui_cursor(y, end);
		y += 2;
	}
	put_text(y++, 2, w, c->sending ? "Sending..." : "Write in Markdown "
	    "(**bold**, *italic*, > quote, - list, `code`):", C_DIM, 0);
	if (c->err[0] != '\0')
		put_text(y++, 2, w, c->err, C_ERROR, A_BOLD);
	body = rows - y + 1;
	if (body < 1)
		return;
	n = ed_layout(&c->ed, w, NULL, 0, &cy, &cx);
	starts = xcalloc(n, sizeof *starts);
	ed_layout(&c->ed, w, starts, n, NULL, NULL);
	if (cy < c->scroll)
		c->scroll = cy;
	if (cy >= c->scroll + body)
		c->scroll = cy - body + 1;
	for (int i = 0; i < body && (size_t)(c->scroll + i) < n; i++) {
		size_t s = starts[c->scroll + i];
		size_t e = (size_t)(c->scroll + i) + 1 < n ?
		    starts[c->scroll + i + 1] : c->ed.len;
		char *line;
		if (e > s && c->ed.text[e - 1] == '\n')
			e--;
		line = xstrndup(c->ed.text + s, e - s);
		put_text(y + i, 2, w, line, C_NORMAL, 0);
		free(line);
	}
	if (!c->on_title)
		ui_cursor(y + cy - c->scroll, 2 + cx);
	free(starts);
}

static void
comp_save(struct composer *c)
{
	struct draft *d = draft_find(c->key, true);

	free(d->text);
	free(d->title);
	d->text = xstrndup(c->ed.text, c->ed.len);
	d->title = xstrdup(c->title.text);
}

static void
comp_sent(void *ctx, json_t *result, json_t *error)
{
	struct composer *c = ctx;
	struct draft *d;

	c->sending = false;
	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	if ((d = draft_find(c->key, false)) != NULL) {
		free(d->text);
		d->text = NULL;
		free(d->title);
		d->title = NULL;
	}
	c->ed.len = 0; /* sent: nothing left to keep */
	c->ed.text[0] = '\0';
	c->title.len = 0;
	c->title.text[0] = '\0';
	{
		void (*done)(struct view *, json_t *) = c->done;
		struct view *below = c->v.below;
		json_incref(result);
		ui_pop();
		if (done != NULL && below != NULL && ui_top() == below)
			done(below, result);
		json_decref(result);
	}
	ui_flash("Sent.");
}

static void
comp_send(struct composer *c)
{
	json_t *args;

	if (c->sending)
		return;
	if (c->ed.len == 0) {
		snprintf(c->err, sizeof c->err, "Write something first.");
		return;
	}
	if (c->has_title && c->title.len == 0) {
		snprintf(c->err, sizeof c->err, "The thread needs a title.");
		c->on_title = true;
		return;
	}
	args = json_deep_copy(c->args);
	json_object_set_new(args, "body", json_stringn(c->ed.text, c->ed.len));
	if (c->has_title)
		json_object_set_new(args, "title", json_string(c->title.text));
	c->sending = true;
	c->err[0] = '\0';
	net_call(c->op, args, &c->v, comp_sent, c);
}

static bool
comp_key(struct view *v, int ch, bool is_key)
{
	struct composer *c = (struct composer *)v;
	char mb[8];

	if (!is_key && (ch == CTRL('s') || ch == CTRL('d'))) {
		comp_send(c);
		return true;
	}
	if (!is_key && ch == 27) {
		comp_save(c);
		if (c->ed.len > 0)
			ui_flash("Draft kept: reopen the composer to go on.");
		ui_pop();
		return true;
	}
	if (!is_key && ch == '\t' && c->has_title) {
		c->on_title = !c->on_title;
		return true;
	}
	if (c->on_title) {
		if (ENTER(ch, is_key) || (is_key && ch == KEY_DOWN)) {
			c->on_title = false;
			return true;
		}
		field_key(&c->title, ch, is_key);
		return true;
	}
	if (!is_key && (ch == CTRL('z') || ch == CTRL('_'))) {
		ed_undo(&c->ed);
		return true;
	}
	if (is_key) {
		switch (ch) {
		case KEY_LEFT: ed_left(&c->ed); break;
		case KEY_RIGHT: ed_right(&c->ed); break;
		case KEY_UP:
			if (c->has_title && c->ed.cur == 0)
				c->on_title = true;
			else
				ed_up(&c->ed, c->width > 0 ? c->width : 76);
			break;
		case KEY_DOWN: ed_down(&c->ed, c->width > 0 ? c->width : 76);
			break;
		case KEY_HOME: ed_home(&c->ed); break;
		case KEY_END: ed_end(&c->ed); break;
		case KEY_BACKSPACE: ed_backspace(&c->ed); break;
		case KEY_DC: ed_delete(&c->ed); break;
		case KEY_ENTER: ed_insert(&c->ed, "\n", 1); break;
		default: return true;
		}
		return true;
	}
	if (ch == 127 || ch == 8) {
		ed_backspace(&c->ed);
		return true;
	}
	if (ch == CTRL('a')) {
		ed_home(&c->ed);
		return true;
	}
	if (ch == CTRL('e')) {
		ed_end(&c->ed);
		return true;
	}
	if (ch == '\r' || ch == '\n') {
		ed_insert(&c->ed, "\n", 1);
		return true;
	}
	if (ch < 0x20 && ch != '\t')
		return true;
	{
		struct field f = { 0 };
		field_key(&f, ch == '\t' ? ' ' : ch, false);
		memcpy(mb, f.text, f.len);
		ed_insert(&c->ed, mb, f.len);
	}
	return true;
}

static void
comp_free(struct view *v)
{
	struct composer *c = (struct composer *)v;

	if (c->ed.len > 0 || c->title.len > 0)
		comp_save(c);
	ed_free(&c->ed);
	json_decref(c->args);
	free(c);
}

/*
 * Open the composer for op with args; key names the draft; done runs on
 * the view below with the result after a successful send.
 */
static struct view *
composer_open(const char *title, const char *op, json_t *args,
    const char *key, bool has_title, const char *initial,
    void (*done)(struct view *, json_t *))
{
	struct composer *c = xcalloc(1, sizeof *c);
	struct draft *d = draft_find(key, false);

	c->v.title = title;
	c->v.keys = "Ctrl-S:send  Esc:close (keeps draft)  Ctrl-Z:undo"
	    "  Tab:title/body";
	c->v.help = "A multi-line editor. Enter starts a new line; arrows, "
	    "Home and End move; Backspace and Delete remove; **Ctrl-Z** "
	    "undoes the last change (again to redo). Paste works as typing. "
	    "**Ctrl-S** (or Ctrl-D) sends. **Esc** closes and keeps a draft.";
	c->v.draw = comp_draw;
	c->v.key = comp_key;
	c->v.free = comp_free;
	snprintf(c->op, sizeof c->op, "%s", op);
	c->args = args;
	snprintf(c->key, sizeof c->key, "%s", key);
	c->has_title = has_title;
	c->on_title = has_title;
	c->title.label = "Title";
	c->done = done;
	if (d != NULL && d->text != NULL && *d->text != '\0') {
		ed_init(&c->ed, d->text);
		snprintf(c->title.text, sizeof c->title.text, "%s",
		    d->title ? d->title : "");
		c->title.len = strlen(c->title.text);
		ui_flash("Your draft is back.");
	} else
		ed_init(&c->ed, initial);
	return &c->v;
}

/* ---- thread ---- */

struct thread {
	struct view v;
	json_int_t id;
	char name[256];
	json_t *thread;
	json_t *posts; /* array */
	struct rdoc doc;
	size_t *post_line; /* first line of each post */
	int doc_width;
	int scroll, sel;
	int rows;
	bool loading, follow;
	char err[256];
};

static void thread_load(struct thread *);

/* Render every post for the width: a header line, the body, a gap. */
static void
thread_render(struct thread *t, int width)
{
	size_t i;
	json_t *p;
	char head[512], who[160], when[20];

	rdoc_free(&t->doc);
	rdoc_init(&t->doc);
	free(t->post_line);
	t->post_line = xcalloc(json_array_size(t->posts) + 1,
	    sizeof *t->post_line);
	t->doc_width = width;
	json_array_foreach(t->posts, i, p) {
		json_int_t thanks = ji(p, "thanks");
		t->post_line[i] = t->doc.n;
		author_of(p, who, sizeof who);
		short_time(js(p, "created_at"), when);
		snprintf(head, sizeof head, "%s  @%s  %s%s%s", who,
		    author_handle(p), when, js(p, "edited_at")[0] ?
		    "  (edited)" : "", "");
		if (thanks > 0) {
			size_t l = strlen(head);
			snprintf(head + l, sizeof head - l, "  ♥ %lld thank%s",
			    (long long)thanks, thanks == 1 ? "" : "s");
		}
		rdoc_add(&t->doc, head, ST_BOLD | ST_HEAD, width);
		if (ji(p, "deleted"))
			rdoc_add(&t->doc, "(deleted by its author)", ST_DIM,
			    width);
		else if (ji(p, "hidden") && !json_is_string(json_object_get(p,
		    "body")))
			rdoc_add(&t->doc, "(hidden by a moderator)", ST_DIM,
			    width);
		else {
			if (ji(p, "hidden")) {
				char why[300];
				snprintf(why, sizeof why, "(hidden from others: "
				    "%s)", js(p, "hidden_reason"));
				rdoc_add(&t->doc, why, ST_DIM, width);
			}
			const char *b = js(p, "body");
			render_markdown(&t->doc, b, strlen(b), width - 2);
		}
		rdoc_add(&t->doc, "", 0, width);
	}
	t->post_line[json_array_size(t->posts)] = t->doc.n;
}

static void
thread_draw(struct view *v, int rows, int cols)
{
	struct thread *t = (struct thread *)v;
	int body = rows - 3, maxscroll;
	char line[300];

	t->rows = body;
	put_text(1, 1, cols - 2, t->name, C_HEAD, A_BOLD);
	if (t->err[0] != '\0') {
		put_text(3, 2, cols - 4, t->err, C_ERROR, 0);
		return;
	}
	if (t->posts == NULL) {
		put_text(3, 2, cols - 4, "Loading...", C_DIM, 0);
		return;
	}
	if (t->doc_width != cols - 4)
		thread_render(t, cols - 4);
	maxscroll = (int)t->doc.n - body;
	if (maxscroll < 0)
		maxscroll = 0;
	if (t->follow)
		t->scroll = maxscroll;
	if (t->scroll > maxscroll)
		t->scroll = maxscroll;
	if (t->scroll < 0)
		t->scroll = 0;
	for (int i = 0; i < body && (size_t)(t->scroll + i) < t->doc.n; i++) {
		size_t ln = (size_t)(t->scroll + i);
		bool mark = t->sel >= 0 && (size_t)t->sel <
		    json_array_size(t->posts) && ln == t->post_line[t->sel];
		if (mark)
			put_text(3 + i, 0, 2, "▶", C_UNREAD, A_BOLD);
		put_rline(3 + i, 2, cols - 4, &t->doc.lines[ln]);
	}
	snprintf(line, sizeof line, "post %d of %zu", t->sel + 1,
	    json_array_size(t->posts));
	put_text(2, 2, cols - 4, line, C_DIM, 0);
}

/* After a reply: add the new post (or reload) and follow the end. */
static void
thread_replied(struct view *v, json_t *result)
{
	struct thread *t = (struct thread *)v;
	json_t *p = json_object_get(result, "post");

	if (json_is_object(p) && t->posts != NULL) {
		json_int_t id = ji(p, "id");
		size_t i;
		json_t *q;
		json_array_foreach(t->posts, i, q)
			if (ji(q, "id") == id)
				return;
		json_array_append(t->posts, p);
		t->doc_width = 0;
		t->sel = (int)json_array_size(t->posts) - 1;
		t->follow = true;
	} else
		thread_load(t);
}

static json_t *
thread_cur_post(struct thread *t)
{
	return json_array_get(t->posts, (size_t)(t->sel < 0 ? 0 : t->sel));
}

static void
thanked(void *ctx, json_t *result, json_t *error)
{
	struct thread *t = ctx;
	json_t *p;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	p = thread_cur_post(t);
	if (p != NULL && json_is_integer(json_object_get(result, "thanks")))
		json_object_set(p, "thanks", json_object_get(result,
		    "thanks"));
	else if (p != NULL)
		json_object_set_new(p, "thanks", json_integer(ji(p, "thanks") +
		    1));
	t->doc_width = 0;
	ui_flash("Thanked.");
}

/* Quote a post as Markdown: "> " before each line. */
static char *
quote_of(json_t *p)
{
	struct buf b;
	const char *s = js(p, "body");
	char who[160];

	author_of(p, who, sizeof who);
	buf_init(&b);
	buf_printf(&b, "%s wrote:\n\n> ", who);
	for (; *s != '\0'; s++) {
		buf_append(&b, s, 1);
		if (*s == '\n' && s[1] != '\0')
			buf_puts(&b, "> ");
	}
	buf_puts(&b, "\n\n");
	buf_append(&b, "", 1);
	return b.data;
}

static void
thread_edited(struct view *v, json_t *result)
{
	(void)result;
	thread_load((struct thread *)v);
}

static bool
thread_key(struct view *v, int ch, bool is_key)
{
	struct thread *t = (struct thread *)v;
	int page = t->rows > 2 ? t->rows - 2 : 1;
	size_t np = t->posts ? json_array_size(t->posts) : 0;
	char key[64];
	json_t *p;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		t->scroll++, t->follow = false;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		t->scroll--, t->follow = false;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		t->scroll += page, t->follow = false;
	else if ((is_key && ch == KEY_PPAGE) || (!is_key && ch == 'b'))
		t->scroll -= page, t->follow = false;
	else if ((!is_key && (ch == 'g')) || (is_key && ch == KEY_HOME))
		t->scroll = 0, t->sel = 0, t->follow = false;
	else if ((!is_key && (ch == 'G')) || (is_key && ch == KEY_END)) {
		t->follow = true;
		t->sel = np > 0 ? (int)np - 1 : 0;
	} else if (!is_key && (ch == '\t' || ch == ']' || ch == 'J')) {
		if ((size_t)t->sel + 1 < np)
			t->sel++;
		if (t->post_line != NULL)
			t->scroll = (int)t->post_line[t->sel];
		t->follow = false;
	} else if ((!is_key && (ch == '[' || ch == 'K')) || (is_key &&
	    ch == KEY_BTAB)) {
		if (t->sel > 0)
			t->sel--;
		if (t->post_line != NULL)
			t->scroll = (int)t->post_line[t->sel];
		t->follow = false;
	} else if (!is_key && (ch == 'r' || ch == 'Q')) {
		char *initial = NULL;
		snprintf(key, sizeof key, "reply:%lld", (long long)t->id);
		if (ch == 'Q' && (p = thread_cur_post(t)) != NULL)
			initial = quote_of(p);
		{
			json_t *args = json_pack("{s:I}", "thread_id",
			    (json_int_t)t->id);
			if (ch == 'Q' && p != NULL)
				json_object_set_new(args, "reply_to",
				    json_integer(ji(p, "id")));
			ui_push(composer_open("Reply", "post.create", args,
			    key, false, initial, thread_replied));
		}
		free(initial);
	} else if (!is_key && ch == 't') {
		if ((p = thread_cur_post(t)) != NULL)
			net_call("post.thank", json_pack("{s:I}", "post_id",
			    ji(p, "id")), v, thanked, t);
	} else if (!is_key && ch == 'e') {
		p = thread_cur_post(t);
		if (p == NULL || g_me == NULL || strcmp(author_handle(p),
		    js(g_me, "handle")) != 0) {
			ui_flash("You can edit only your own posts.");
			return true;
		}
		snprintf(key, sizeof key, "edit:%lld", (long long)ji(p, "id"));
		ui_push(composer_open("Edit post", "post.edit", json_pack(
		    "{s:I}", "post_id", ji(p, "id")), key, false, js(p, "body"),
		    thread_edited));
	} else if (!is_key && ch == 'R') {
		thread_load(t);
	} else
		return false;
	return true;
}

static void
thread_event(struct view *v, const char *name, json_t *data)
{
	struct thread *t = (struct thread *)v;
	json_t *p;
	json_int_t tid;

	if (strcmp(name, "client.reconnected") == 0) {
		thread_load(t); /* also watches the thread again */
		return;
	}
	if (strcmp(name, "thread.new_post") != 0 || t->posts == NULL)
		return;
	tid = ji(data, "thread_id") ? ji(data, "thread_id") : ji(data,
	    "thread");
	p = json_object_get(data, "post");
	if (tid == 0 && json_is_object(p))
		tid = ji(p, "thread_id");
	if (tid != t->id)
		return;
	if (!json_is_object(p))
		p = data;
	{
		size_t i;
		json_t *q;
		json_int_t id = ji(p, "id");
		json_array_foreach(t->posts, i, q)
			if (ji(q, "id") == id)
				return;
	}
	if (js(p, "body")[0] == '\0') {
		thread_load(t);
		return;
	}
	json_array_append(t->posts, p);
	t->doc_width = 0;
	if (ui_top() != v) {
		char who[160];
		author_of(p, who, sizeof who);
		ui_flash("New post in this thread by %s.", who);
	}
}

static void thread_more(struct thread *, json_int_t after);

/* A page of posts: the first replaces, later ones append. */
static void
thread_got(void *ctx, json_t *result, json_t *error)
{
	struct thread *t = ctx;
	json_t *th, *posts, *last, *next;
	bool first = t->loading;

	t->loading = false;
	if (error != NULL) {
		snprintf(t->err, sizeof t->err, "%s", err_message(error));
		return;
	}
	th = jobj(result, "thread");
	posts = jarr(result, "posts");
	json_decref(t->thread);
	t->thread = json_incref(th);
	if (js(th, "title")[0])
		snprintf(t->name, sizeof t->name, "%s", js(th, "title"));
	if (first || t->posts == NULL) {
		json_decref(t->posts);
		t->posts = json_array();
	}
	if (posts != NULL)
		json_array_extend(t->posts, posts);
	t->doc_width = 0;
	next = json_object_get(result, "next");
	if (json_is_integer(next)) {
		thread_more(t, json_integer_value(next));
		return;
	}
	t->err[0] = '\0';
	if (t->sel < 0 || (size_t)t->sel >= json_array_size(t->posts))
		t->sel = 0;
	last = json_array_get(t->posts, json_array_size(t->posts) - 1);
	if (last != NULL)
		net_call("thread.mark_read", json_pack("{s:I, s:I}", "thread_id",
		    (json_int_t)t->id, "post_id", ji(last, "id")), NULL, NULL,
		    NULL);
}

static void
thread_load(struct thread *t)
{
	t->loading = true;
	net_call("thread.get", json_pack("{s:I, s:I}", "thread_id",
	    (json_int_t)t->id, "limit", (json_int_t)200), &t->v, thread_got,
	    t);
}

static void
thread_more(struct thread *t, json_int_t after)
{
	net_call("thread.get", json_pack("{s:I, s:I, s:I}", "thread_id",
	    (json_int_t)t->id, "limit", (json_int_t)200, "after", after),
	    &t->v, thread_got, t);
}

static void
thread_free(struct view *v)
{
	struct thread *t = (struct thread *)v;

	json_decref(t->thread);
	json_decref(t->posts);
	rdoc_free(&t->doc);
	free(t->post_line);
	free(t);
}

static struct view *
view_thread(json_int_t id, const char *title)
{
	struct thread *t = xcalloc(1, sizeof *t);

	t->v.title = "Thread";
	t->v.keys = "r:reply  Q:quote  t:thank  e:edit  Tab/[:next/prev post"
	    "  Space:page";
	t->v.help = "Posts are shown oldest first. The marker ▶ shows the "
	    "selected post, which **Q** quotes, **t** thanks and **e** edits "
	    "(your own). **r** replies to the thread. **G** goes to the end "
	    "and follows new posts as they arrive; **R** reloads.";
	t->v.draw = thread_draw;
	t->v.key = thread_key;
	t->v.event = thread_event;
	t->v.free = thread_free;
	t->id = id;
	snprintf(t->name, sizeof t->name, "%s", title);
	thread_load(t);
	return &t->v;
}

/* ---- community ---- */

enum { TAB_THREADS, TAB_POLLS, TAB_MEMBERS, TAB_ABOUT, NTABS };
static const char *tab_names[NTABS] = { "Threads", "Polls", "Members",
	"About" };

struct community {
	struct view v;
	json_t *c; /* from community.list, then community.get */
	char slug[64];
	char name[160];
	int tab;
	struct list lists[NTABS];
	char msg[NTABS][256];
	bool loaded[NTABS];
	json_int_t intro_thread;
};

static void comm_load(struct community *, int tab);

static void
comm_draw(struct view *v, int rows, int cols)
{
	struct community *c = (struct community *)v;
	int x = 2;
	char head[256];
	const char *role = js(c->c, "my_role");

	snprintf(head, sizeof head, "%s%s%s%s", c->name, role[0] ? "  (" :
	    "  (not a member", role, ")");
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	for (int i = 0; i < NTABS; i++) {
		char t[40];
		snprintf(t, sizeof t, " %d %s ", i + 1, tab_names[i]);
		put_text(2, x, cols - x, t, i == c->tab ? C_SEL : C_DIM,
		    i == c->tab ? A_BOLD : 0);
		x += text_width(t) + 1;
	}
	if (!c->loaded[c->tab])
		comm_load(c, c->tab);
	if (c->msg[c->tab][0] != '\0')
		put_text(4, 2, cols - 4, c->msg[c->tab], C_DIM, 0);
	if (c->tab == TAB_ABOUT) {
		struct list *l = &c->lists[TAB_ABOUT];
		for (int i = 0; i < rows - 3 && (size_t)i < l->n; i++)
			put_text(4 + i, 2, cols - 4, l->rows[i].text,
			    l->rows[i].color, l->rows[i].attr);
		return;
	}
	list_draw(&c->lists[c->tab], c->msg[c->tab][0] ? 5 : 4,
	    rows - (c->msg[c->tab][0] ? 4 : 3), cols);
}

static void
threads_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_THREADS];
	json_t *a, *t;
	size_t i;

	list_clear(l);
	if (error != NULL) {
		snprintf(c->msg[TAB_THREADS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "threads");
	c->msg[TAB_THREADS][0] = '\0';
	if (json_array_size(a) == 0)
		snprintf(c->msg[TAB_THREADS], 256,
		    "No threads yet. Press c to start one.");
	json_array_foreach(a, i, t) {
		char text[400], right[80], when[20];
		json_int_t unread = ji(t, "unread");
		bool pinned = ji(t, "pinned") != 0;
		short_time(js(t, "last_post_at"), when);
		json_int_t np = ji(t, "post_count");
		snprintf(text, sizeof text, "%s%s%s", pinned ? "📌 " : "   ",
		    unread ? "● " : "  ", js(t, "title"));
		snprintf(right, sizeof right, "%lld post%s  %s", (long long)np,
		    np == 1 ? "" : "s", when);
		list_add(l, text, right, unread ? C_UNREAD : C_NORMAL, t,
		    true)->attr = unread ? A_BOLD : 0;
	}
	list_fix(l);
}

static void
members_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_MEMBERS];
	json_t *a, *m;
	size_t i;

	list_clear(l);
	if (error != NULL) {
		snprintf(c->msg[TAB_MEMBERS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "members");
	json_array_foreach(a, i, m) {
		char text[300];
		snprintf(text, sizeof text, "%s  @%s", js(m, "display_name"),
		    js(m, "handle"));
		list_add(l, text, js(m, "role"), C_NORMAL, m, true);
	}
	list_fix(l);
}

static void
polls_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_POLLS];
	json_t *a, *p;
	size_t i;

	list_clear(l);
	if (error != NULL) {
		snprintf(c->msg[TAB_POLLS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "polls");
	if (json_array_size(a) == 0)
		snprintf(c->msg[TAB_POLLS], 256, "No polls yet.");
	json_array_foreach(a, i, p) {
		list_add(l, js(p, "question"), ji(p, "closed") ? "closed" :
		    ji(p, "voted") ? "open, voted" : "open", C_NORMAL, p,
		    true);
	}
	list_fix(l);
}

/* The About tab: purpose, criteria, privacy, from whatever we have. */
static void
about_fill(struct community *c)
{
	struct list *l = &c->lists[TAB_ABOUT];
	static const char *fields[][2] = {
		{ "purpose", "Purpose" }, { "criteria", "Who it is for" },
		{ "privacy", "Privacy expectations" },
		{ "visibility", "Visibility" }, { "join_policy", "Joining" },
	};
	char line[64];

	list_clear(l);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = js(c->c, fields[i][0]);
		struct rdoc d;
		if (*v == '\0')
			continue;
		list_add(l, fields[i][1], NULL, C_HEAD, NULL, false);
		rdoc_init(&d);
		render_markdown(&d, v, strlen(v), COLS - 6);
		for (size_t k = 0; k < d.n; k++)
			list_add(l, d.lines[k].text, NULL, C_NORMAL, NULL,
			    false);
		rdoc_free(&d);
		list_add(l, "", NULL, C_NORMAL, NULL, false);
	}
	snprintf(line, sizeof line, "%lld members", (long long)ji(c->c,
	    "members"));
	list_add(l, line, NULL, C_DIM, NULL, false);
	if (js(c->c, "my_role")[0] == '\0')
		list_add(l, "Press J to join (or ask to join).", NULL,
		    C_UNREAD, NULL, false);
}

static void
comm_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	json_t *o;

	if (error == NULL) {
		o = jobj(result, "community");
		/* keep fields community.list had that get does not */
		json_object_update_missing(o, c->c);
		json_decref(c->c);
		c->c = json_deep_copy(o);
	}
	about_fill(c);
}

static void
comm_load(struct community *c, int tab)
{
	json_t *args = json_pack("{s:s}", "slug", c->slug);

	c->loaded[tab] = true;
	switch (tab) {
	case TAB_THREADS:
		json_object_set_new(args, "limit", json_integer(100));
		net_call("thread.list", args, &c->v, threads_got, c);
		break;
	case TAB_POLLS:
		net_call("poll.list", args, &c->v, polls_got, c);
		break;
	case TAB_MEMBERS:
		net_call("community.members", args, &c->v, members_got, c);
		break;
	default:
		about_fill(c);
		json_decref(args);
		break;
	}
}

static void
joined(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	const char *st = js(result, "status");

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	if (strcmp(st, "pending") == 0 || strcmp(st, "requested") == 0)
		ui_flash("Your request to join was sent to the hosts.");
	else {
		c->intro_thread = ji(result, "introduce_thread_id");
		if (c->intro_thread != 0)
			ui_flash("You joined %s. Press i to introduce "
			    "yourself.", c->name);
		else
			ui_flash("You joined %s.", c->name);
		json_object_set_new(c->c, "my_role", json_string(
		    js(result, "role")[0] ? js(result, "role") : "member"));
	}
	for (int i = 0; i < NTABS; i++)
		c->loaded[i] = false;
}

static void thread_created(struct view *v, json_t *result);
static struct view *view_poll(json_int_t id);
static struct view *view_profile(const char *handle);

static bool
comm_key(struct view *v, int ch, bool is_key)
{
	struct community *c = (struct community *)v;
	struct row *r;
	char key[96];

	if (!is_key && ch >= '1' && ch < '1' + NTABS) {
		c->tab = ch - '1';
		return true;
	}
	if ((!is_key && ch == '\t') || (is_key && ch == KEY_RIGHT)) {
		c->tab = (c->tab + 1) % NTABS;
		return true;
	}
	if (is_key && ch == KEY_BTAB) {
		c->tab = (c->tab + NTABS - 1) % NTABS;
		return true;
	}
	if (!is_key && ch == 'J') {
		net_call("community.join", json_pack("{s:s}", "slug",
		    c->slug), v, joined, c);
		return true;
	}
	if (!is_key && ch == 'R') {
		c->loaded[c->tab] = false;
		return true;
	}
	if (!is_key && ch == 'i') {
		json_int_t tid = c->intro_thread ? c->intro_thread :
		    ji(c->c, "intro_thread_id");
		if (tid == 0) {
			ui_flash("This community has no Introductions thread.");
			return true;
		}
		snprintf(key, sizeof key, "reply:%lld", (long long)tid);
		ui_push(composer_open("Introduce yourself", "post.create",
		    json_pack("{s:I}", "thread_id", tid), key, false,
		    "Hello! I am ", NULL));
		return true;
	}
	if (!is_key && ch == 'c') {
		snprintf(key, sizeof key, "thread:%s", c->slug);
		ui_push(composer_open("New thread", "thread.create", json_pack(
		    "{s:s}", "slug", c->slug), key, true, NULL,
		    thread_created));
		return true;
	}
	if (c->tab != TAB_ABOUT && list_key(&c->lists[c->tab], ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&c->lists[c->tab])) != NULL) {
		if (c->tab == TAB_THREADS) {
			json_object_set_new(r->data, "unread",
			    json_integer(0));
			r->color = C_NORMAL;
			r->attr = 0;
			ui_push(view_thread(ji(r->data, "id"), js(r->data,
			    "title")));
		} else if (c->tab == TAB_POLLS)
			ui_push(view_poll(ji(r->data, "id")));
		else if (c->tab == TAB_MEMBERS)
			ui_push(view_profile(js(r->data, "handle")));
		return true;
	}
	return false;
}

static void
thread_created(struct view *v, json_t *result)
{
	struct community *c = (struct community *)v;
	c->loaded[TAB_THREADS] = false;
	if (ji(result, "thread_id") != 0)
		ui_push(view_thread(ji(result, "thread_id"), ""));
}

static void
comm_event(struct view *v, const char *name, json_t *data)
{
	struct community *c = (struct community *)v;

	(void)data;
	if (strcmp(name, "client.reconnected") == 0)
		for (int i = 0; i < NTABS; i++)
			c->loaded[i] = false;
	if (strcmp(name, "thread.new_post") == 0 ||
	    strcmp(name, "thread.new") == 0)
		c->loaded[TAB_THREADS] = false;
}

static void
comm_free(struct view *v)
{
	struct community *c = (struct community *)v;

	for (int i = 0; i < NTABS; i++)
		list_free(&c->lists[i]);
	json_decref(c->c);
	free(c);
}

static struct view *
view_community(json_t *cj)
{
	struct community *c = xcalloc(1, sizeof *c);

	c->v.title = "Community";
	c->v.keys = "1-4/Tab:tabs  Enter:open  c:new thread  J:join  "
	    "i:introduce yourself";
	c->v.help = "Tabs: **1** threads (pinned first, ● unread), **2** "
	    "polls, **3** members, **4** about (purpose, who it is for, "
	    "privacy). **J** joins or asks to join.";
	c->v.draw = comm_draw;
	c->v.key = comm_key;
	c->v.event = comm_event;
	c->v.free = comm_free;
	c->c = json_deep_copy(cj);
	snprintf(c->slug, sizeof c->slug, "%s", js(cj, "slug"));
	snprintf(c->name, sizeof c->name, "%s", js(cj, "name"));
	if (js(cj, "my_role")[0] == '\0')
		c->tab = TAB_ABOUT;
	net_call("community.get", json_pack("{s:s}", "slug", c->slug), &c->v,
	    comm_got, c);
	return &c->v;
}

/* ---- poll ---- */

struct poll {
	struct view v;
	json_int_t id;
	json_t *p;
	struct list l;
	char msg[256];
};

static void poll_fill(struct poll *);

static void
poll_got(void *ctx, json_t *result, json_t *error)
{
	struct poll *p = ctx;

	if (error != NULL) {
		snprintf(p->msg, sizeof p->msg, "%s", err_message(error));
		return;
	}
	json_decref(p->p);
	p->p = json_incref(jobj(result, "poll"));
	poll_fill(p);
}

/* True if my_vote (an id or a list of ids) holds option id. */
static bool
voted_for(json_t *poll, json_int_t id)
{
	json_t *mv = json_object_get(poll, "my_vote"), *v;
	size_t i;

	if (json_is_integer(mv))
		return json_integer_value(mv) == id;
	json_array_foreach(mv, i, v)
		if (json_integer_value(v) == id ||
		    ji(v, "id") == id)
			return true;
	return false;
}

/* Options with result bars when the server gives counts. */
static void
poll_fill(struct poll *p)
{
	json_t *opts = jarr(p->p, "options"), *o;
	size_t i;
	json_int_t total = 0, votes;
	int barw = COLS / 3;

	list_clear(&p->l);
	list_add(&p->l, js(p->p, "question"), NULL, C_HEAD, NULL, false);
	list_add(&p->l, "", NULL, C_NORMAL, NULL, false);
	json_array_foreach(opts, i, o)
		total += ji(o, "votes");
	json_array_foreach(opts, i, o) {
		char text[600], bar[256];
		int n = 0;
		votes = ji(o, "votes");
		bar[0] = '\0';
		if (json_is_integer(json_object_get(o, "votes"))) {
			n = total > 0 ? (int)(votes * barw / total) : 0;
			for (int k = 0; k < n && k * 3 + 4 < (int)sizeof bar;
			    k++)
				strcat(bar, "█");
		}
		snprintf(text, sizeof text, "%s %s", voted_for(p->p, ji(o,
		    "id")) ? "[x]" : "[ ]", js(o, "label"));
		list_add(&p->l, text, json_is_integer(json_object_get(o,
		    "votes")) ? bar : NULL, C_NORMAL, o, !ji(p->p, "closed"));
		if (json_is_integer(json_object_get(o, "votes"))) {
			snprintf(text, sizeof text, "      %lld vote%s",
			    (long long)votes, votes == 1 ? "" : "s");
			list_add(&p->l, text, NULL, C_DIM, NULL, false);
		}
	}
	if (!json_is_integer(json_object_get(json_array_get(opts, 0),
	    "votes")))
		list_add(&p->l, "Results show once you vote (or when the poll "
		    "closes).", NULL, C_DIM, NULL, false);
	if (ji(p->p, "closed"))
		list_add(&p->l, "This poll is closed.", NULL, C_DIM, NULL,
		    false);
	list_fix(&p->l);
}

static void
poll_draw(struct view *v, int rows, int cols)
{
	struct poll *p = (struct poll *)v;

	if (p->msg[0] != '\0')
		put_text(1, 2, cols - 4, p->msg, C_DIM, 0);
	list_draw(&p->l, 2, rows - 1, cols);
}

static void
voted(void *ctx, json_t *result, json_t *error)
{
	struct poll *p = ctx;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	ui_flash("Vote recorded.");
	if (json_is_object(json_object_get(result, "poll")))
		poll_got(p, result, NULL);
	else
		net_call("poll.get", json_pack("{s:I}", "poll_id", p->id), &p->v,
		    poll_got, p);
}

static bool
poll_key(struct view *v, int ch, bool is_key)
{
	struct poll *p = (struct poll *)v;
	struct row *r;

	if (list_key(&p->l, ch, is_key))
		return true;
	if ((ENTER(ch, is_key) || (!is_key && ch == 'v')) &&
	    (r = list_cur(&p->l)) != NULL) {
		net_call("poll.vote", json_pack("{s:I, s:[I]}", "poll_id", p->id,
		    "options", ji(r->data, "id")), v, voted, p);
		return true;
	}
	return false;
}

static void
poll_free(struct view *v)
{
	struct poll *p = (struct poll *)v;

	list_free(&p->l);
	json_decref(p->p);
	free(p);
}

static struct view *
view_poll(json_int_t id)
{
	struct poll *p = xcalloc(1, sizeof *p);

	p->v.title = "Poll";
	p->v.keys = "Enter/v:vote for the selected option";
	p->v.draw = poll_draw;
	p->v.key = poll_key;
	p->v.free = poll_free;
	p->id = id;
	snprintf(p->msg, sizeof p->msg, "Loading...");
	net_call("poll.get", json_pack("{s:I}", "poll_id", id), &p->v, poll_got,
	    p);
	return &p->v;
}

/* ---- profile ---- */

static const char *profile_fields[][2] = {
	{ "display_name", "Name" }, { "pronouns", "Pronouns" },
	{ "job_role", "Role" }, { "organisation", "Organisation" },
	{ "region", "Region" }, { "bio", "About" },
	{ "contact", "Contact" },
};
#define NPF (sizeof profile_fields / sizeof profile_fields[0])

struct profile {
	struct view v;
	char handle[64];
	json_t *p;
	char msg[256];
	bool editing;
	int on;
	struct field f[NPF];
	bool mine;
	bool first_run; /* open for editing as soon as it arrives */
	bool was_first_run;
};

static void
profile_edit(struct profile *pr)
{
	pr->editing = true;
	pr->on = 0;
	for (size_t i = 0; i < NPF; i++) {
		pr->f[i].label = profile_fields[i][1];
		snprintf(pr->f[i].text, sizeof pr->f[i].text, "%s",
		    js(pr->p, profile_fields[i][0]));
		pr->f[i].len = strlen(pr->f[i].text);
	}
}

static void
profile_got(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;

	if (error != NULL) {
		snprintf(pr->msg, sizeof pr->msg, "%s", err_message(error));
		return;
	}
	pr->msg[0] = '\0';
	json_decref(pr->p);
	pr->p = json_incref(jobj(result, "profile"));
	if (js(pr->p, "handle")[0])
		snprintf(pr->handle, sizeof pr->handle, "%s", js(pr->p,
		    "handle"));
	pr->mine = g_me != NULL && strcmp(pr->handle, js(g_me, "handle"))
	    == 0;
	if (pr->first_run && pr->mine) {
		pr->first_run = false;
		pr->was_first_run = true;
		profile_edit(pr);
	}
}

static void
profile_draw(struct view *v, int rows, int cols)
{
	struct profile *pr = (struct profile *)v;
	int y = 2;
	char line[160];

	snprintf(line, sizeof line, "@%s", pr->handle);
	put_text(1, 2, cols - 4, line, C_HEAD, A_BOLD);
	if (pr->msg[0] != '\0')
		put_text(y++, 2, cols - 4, pr->msg, C_DIM, 0);
	for (size_t i = 0; i < NPF && y < rows; i++) {
		if (pr->editing) {
			int end = field_draw(&pr->f[i], y, 2, cols - 4,
			    (int)i == pr->on);
			if ((int)i == pr->on)
				ui_cursor(y, end);
			y += 2;
			continue;
		}
		if (js(pr->p, profile_fields[i][0])[0] == '\0')
			continue;
		put_text(y, 2, 16, profile_fields[i][1], C_DIM, 0);
		put_text(y++, 18, cols - 20, js(pr->p, profile_fields[i][0]),
		    C_NORMAL, 0);
	}
	{
		json_t *ex = json_object_get(pr->p, "expertise"), *t;
		size_t i;
		if (!pr->editing && json_array_size(ex) > 0 && y < rows) {
			char tags[512] = "";
			json_array_foreach(ex, i, t) {
				strncat(tags, json_string_value(t) ?
				    json_string_value(t) : "", sizeof tags -
				    strlen(tags) - 3);
				strncat(tags, "  ", sizeof tags - strlen(tags) -
				    1);
			}
			put_text(y, 2, 16, "Expertise", C_DIM, 0);
			put_text(y++, 18, cols - 20, tags, C_NORMAL, 0);
		}
	}
}

static void
profile_saved(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;

	if (error != NULL) {
		snprintf(pr->msg, sizeof pr->msg, "%s", err_message(error));
		return;
	}
	pr->editing = false;
	if (pr->was_first_run)
		ui_flash("Profile saved. Next: open a community, join it (J) "
		    "and introduce yourself (i).");
	else
		ui_flash("Profile saved.");
	pr->was_first_run = false;
	if (json_is_object(json_object_get(result, "profile")))
		profile_got(pr, result, NULL);
	else
		net_call("profile.get", json_pack("{s:s}", "handle",
		    pr->handle), &pr->v, profile_got, pr);
}

static bool
profile_key(struct view *v, int ch, bool is_key)
{
	struct profile *pr = (struct profile *)v;

	if (pr->editing) {
		if (!is_key && ch == 27) {
			pr->editing = false;
			return true;
		}
		if (!is_key && ch == CTRL('s')) {
			json_t *args = json_object();
			for (size_t i = 0; i < NPF; i++)
				json_object_set_new(args, profile_fields[i][0],
				    json_string(pr->f[i].text));
			net_call("profile.update", args, v, profile_saved, pr);
			return true;
		}
		if ((is_key && ch == KEY_DOWN) || (!is_key && (ch == '\t' ||
		    ch == '\r' || ch == '\n'))) {
			pr->on = (pr->on + 1) % (int)NPF;
			return true;
		}
		if ((is_key && (ch == KEY_UP || ch == KEY_BTAB))) {
			pr->on = (pr->on + (int)NPF - 1) % (int)NPF;
			return true;
		}
		field_key(&pr->f[pr->on], ch, is_key);
		return true;
	}
	if (!is_key && ch == 'e' && pr->mine) {
		profile_edit(pr);
		return true;
	}
	return false;
}

static void
profile_free(struct view *v)
{
	struct profile *pr = (struct profile *)v;

	json_decref(pr->p);
	free(pr);
}

static struct view *
view_profile(const char *handle)
{
	struct profile *pr = xcalloc(1, sizeof *pr);
	json_t *args = json_object();

	pr->v.title = "Profile";
	pr->v.keys = "e:edit (yours)  editing: Tab/Down:next field  "
	    "Ctrl-S:save  Esc:cancel";
	pr->v.draw = profile_draw;
	pr->v.key = profile_key;
	pr->v.free = profile_free;
	snprintf(pr->handle, sizeof pr->handle, "%s", handle);
	snprintf(pr->msg, sizeof pr->msg, "Loading...");
	if (handle[0] != '\0')
		json_object_set_new(args, "handle", json_string(handle));
	net_call("profile.get", args, &pr->v, profile_got, pr);
	return &pr->v;
}

/* ---- search (global, or the member directory) ---- */

struct search {
	struct view v;
	bool directory;
	struct field q;
	bool typing;
	struct list l;
	char msg[256];
};

static void
search_got(void *ctx, json_t *result, json_t *error)
{
	struct search *s = ctx;
	json_t *a, *r;
	size_t i;

	list_clear(&s->l);
	if (error != NULL) {
		snprintf(s->msg, sizeof s->msg, "%s", err_message(error));
		return;
	}
	a = jarr(result, s->directory ? "members" : "results");
	snprintf(s->msg, sizeof s->msg, "%zu found.", json_array_size(a));
	json_array_foreach(a, i, r) {
		char text[600];
		if (s->directory) {
			snprintf(text, sizeof text, "%s  @%s  %s",
			    js(r, "display_name"), js(r, "handle"),
			    js(r, "job_role"));
			list_add(&s->l, text, js(r, "region"), C_NORMAL, r,
			    true);
			continue;
		}
		snprintf(text, sizeof text, "%s", js(r, "title")[0] ?
		    js(r, "title") : js(r, "name"));
		list_add(&s->l, text, js(json_object_get(r, "community"),
		    "name")[0] ? js(json_object_get(r, "community"), "name") :
		    js(r, "kind"), C_HEAD, r, true);
		if (js(r, "snippet")[0]) {
			char *clean = snippet_clean(js(r, "snippet"));
			snprintf(text, sizeof text, "    %s", clean);
			free(clean);
			list_add(&s->l, text, NULL, C_DIM, NULL, false);
		}
	}
	list_fix(&s->l);
}

static void
search_draw(struct view *v, int rows, int cols)
{
	struct search *s = (struct search *)v;
	int end = field_draw(&s->q, 1, 2, cols - 4, s->typing);

	if (s->typing)
		ui_cursor(1, end);
	if (s->msg[0] != '\0')
		put_text(2, 2, cols - 4, s->msg, C_DIM, 0);
	list_draw(&s->l, 3, rows - 2, cols);
}

static bool
search_key(struct view *v, int ch, bool is_key)
{
	struct search *s = (struct search *)v;
	struct row *r;

	if (s->typing) {
		if (ENTER(ch, is_key)) {
			s->typing = false;
			snprintf(s->msg, sizeof s->msg, "Searching...");
			net_call(s->directory ? "member.search" :
			    "search.query", json_pack("{s:s}", "q",
			    s->q.text), v, search_got, s);
			return true;
		}
		if (!is_key && ch == 27) {
			ui_pop();
			return true;
		}
		if (is_key && ch == KEY_DOWN) {
			s->typing = false;
			return true;
		}
		return field_key(&s->q, ch, is_key) || true;
	}
	if (!is_key && ch == '/') {
		s->typing = true;
		return true;
	}
	if (list_key(&s->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&s->l)) != NULL) {
		if (s->directory)
			ui_push(view_profile(js(r->data, "handle")));
		else if (ji(r->data, "thread_id") || ji(r->data, "thread"))
			ui_push(view_thread(ji(r->data, "thread_id") ?
			    ji(r->data, "thread_id") : ji(r->data, "thread"),
			    js(r->data, "title")));
		return true;
	}
	return false;
}

static void
search_free(struct view *v)
{
	struct search *s = (struct search *)v;

	list_free(&s->l);
	free(s);
}

static struct view *
view_search(bool directory)
{
	struct search *s = xcalloc(1, sizeof *s);

	s->v.title = directory ? "Directory" : "Search";
	s->v.keys = "type, Enter:search  /:new search  Enter:open";
	s->v.draw = search_draw;
	s->v.key = search_key;
	s->v.free = search_free;
	s->directory = directory;
	s->typing = true;
	s->q.label = directory ? "Find members" : "Search";
	return &s->v;
}

/* ---- notifications ---- */

struct notes {
	struct view v;
	struct list l;
	char msg[256];
};

static void
notes_got(void *ctx, json_t *result, json_t *error)
{
	struct notes *n = ctx;
	json_t *a, *x;
	size_t i;
	int unread = 0;

	list_clear(&n->l);
	if (error != NULL) {
		snprintf(n->msg, sizeof n->msg, "%s", err_message(error));
		return;
	}
	a = jarr(result, "notifications");
	snprintf(n->msg, sizeof n->msg, json_array_size(a) ? "" :
	    "Nothing yet.");
	json_array_foreach(a, i, x) {
		char when[20];
		bool is_unread = !ji(x, "read");
		short_time(js(x, "at"), when);
		unread += is_unread;
		list_add(&n->l, js(x, "text"), when, is_unread ? C_UNREAD :
		    C_NORMAL, x, true)->attr = is_unread ? A_BOLD : 0;
	}
	if (json_is_integer(json_object_get(result, "unread")))
		unread = (int)ji(result, "unread");
	g_unread_notes = unread;
	list_fix(&n->l);
}

static void
notes_draw(struct view *v, int rows, int cols)
{
	struct notes *n = (struct notes *)v;

	put_text(1, 1, cols - 2, "Notifications", C_HEAD, A_BOLD);
	if (n->msg[0] != '\0')
		put_text(2, 2, cols - 4, n->msg, C_DIM, 0);
	list_draw(&n->l, 3, rows - 2, cols);
}

static void
marked(void *ctx, json_t *result, json_t *error)
{
	(void)result;
	if (error != NULL)
		ui_flash("%s", err_message(error));
	else {
		g_unread_notes = 0;
		net_call("notify.list", NULL, ctx, notes_got, ctx);
	}
}

static bool
notes_key(struct view *v, int ch, bool is_key)
{
	struct notes *n = (struct notes *)v;
	struct row *r;

	if (list_key(&n->l, ch, is_key))
		return true;
	if (!is_key && ch == 'a') {
		net_call("notify.mark_read", json_pack("{s:b}", "all", 1), v,
		    marked, n);
		return true;
	}
	if (ENTER(ch, is_key) && (r = list_cur(&n->l)) != NULL) {
		if (ji(r->data, "id"))
			net_call("notify.mark_read", json_pack("{s:[I]}",
			    "ids", ji(r->data, "id")), NULL, NULL, NULL);
		if (ji(r->data, "thread_id"))
			ui_push(view_thread(ji(r->data, "thread_id"), ""));
		else if (ji(r->data, "poll_id"))
			ui_push(view_poll(ji(r->data, "poll_id")));
		return true;
	}
	return false;
}

static void
notes_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "notify.new") == 0 ||
	    strcmp(name, "client.reconnected") == 0)
		net_call("notify.list", NULL, v, notes_got, v);
}

static void
notes_free(struct view *v)
{
	struct notes *n = (struct notes *)v;

	list_free(&n->l);
	free(n);
}

static struct view *
view_notes(void)
{
	struct notes *n = xcalloc(1, sizeof *n);

	n->v.title = "Notifications";
	n->v.keys = "Enter:open  a:mark all read";
	n->v.draw = notes_draw;
	n->v.key = notes_key;
	n->v.event = notes_event;
	n->v.free = notes_free;
	snprintf(n->msg, sizeof n->msg, "Loading...");
	net_call("notify.list", NULL, &n->v, notes_got, n);
	return &n->v;
}

/* ---- home ---- */

struct home {
	struct view v;
	struct list l;
	json_t *communities;
	json_t *roundup;
	char msg[256];
	bool loaded;
};

static void home_load(struct home *);

/* Rebuild the rows: greeting, communities, roundup. */
static void
home_fill(struct home *h)
{
	char line[512];
	json_t *c, *r, *items;
	size_t i;
	int mine = 0;

	list_clear(&h->l);
	snprintf(line, sizeof line, "Welcome, %s", js(g_me, "display_name"));
	list_add(&h->l, line, NULL, C_HEAD, NULL, false);
	if (g_unread_notes > 0) {
		snprintf(line, sizeof line, "You have %d unread "
		    "notification%s (press n).", g_unread_notes,
		    g_unread_notes == 1 ? "" : "s");
		list_add(&h->l, line, NULL, C_UNREAD, NULL, false);
	}
	list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
	list_add(&h->l, "Communities", NULL, C_HEAD, NULL, false);
	if (h->msg[0] != '\0')
		list_add(&h->l, h->msg, NULL, C_DIM, NULL, false);
	json_array_foreach(h->communities, i, c) {
		json_int_t unread = ji(c, "unread");
		const char *role = js(c, "my_role");
		char right[96];
		if (unread > 0)
			snprintf(right, sizeof right, "%lld new  %s",
			    (long long)unread, role[0] ? role : "-");
		else
			snprintf(right, sizeof right, "%s", role[0] ? role :
			    js(c, "visibility"));
		snprintf(line, sizeof line, "%s %s", unread > 0 ? "●" : " ",
		    js(c, "name"));
		list_add(&h->l, line, right, unread > 0 ? C_UNREAD :
		    (role[0] ? C_NORMAL : C_DIM), c, true);
		mine += role[0] != '\0';
	}
	if (json_array_size(h->communities) == 0 && h->loaded)
		list_add(&h->l, "  There are no communities yet.", NULL, C_DIM,
		    NULL, false);
	{
		static const char *parts[][2] = { { "mentions", "Mentions of "
		    "you" }, { "replies", "Replies to you" }, { "threads",
		    "New threads" } };
		bool any = false;
		for (size_t k = 0; k < 3; k++) {
			items = json_object_get(h->roundup, parts[k][0]);
			if (json_array_size(items) == 0)
				continue;
			if (!any) {
				list_add(&h->l, "", NULL, C_NORMAL, NULL,
				    false);
				list_add(&h->l, "Since your last visit", NULL,
				    C_HEAD, NULL, false);
				any = true;
			}
			list_add(&h->l, parts[k][1], NULL, C_DIM, NULL, false);
			json_array_foreach(items, i, r) {
				json_t *d = json_deep_copy(r);
				if (k == 2)
					json_object_set_new(d, "thread_id",
					    json_integer(ji(r, "id")));
				snprintf(line, sizeof line, "  %s",
				    js(r, "text")[0] ? js(r, "text") :
				    js(r, "title"));
				list_add(&h->l, line, js(r, "community"),
				    C_NORMAL, d, ji(d, "thread_id") != 0);
				json_decref(d);
			}
		}
	}
	(void)mine;
	list_fix(&h->l);
}

static void
home_communities(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	h->loaded = true;
	if (error != NULL)
		snprintf(h->msg, sizeof h->msg, "%s", err_message(error));
	else {
		h->msg[0] = '\0';
		json_decref(h->communities);
		h->communities = json_incref(jarr(result, "communities"));
	}
	home_fill(h);
}

static void
home_roundup(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional: the screen works without it */
	json_decref(h->roundup);
	h->roundup = json_deep_copy(result);
	home_fill(h);
}

static void
home_notes(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;
	json_t *a, *x;
	size_t i;
	int unread = 0;

	if (error != NULL)
		return;
	if (json_is_integer(json_object_get(result, "unread")))
		unread = (int)ji(result, "unread");
	else {
		a = jarr(result, "notifications");
		json_array_foreach(a, i, x)
			unread += !ji(x, "read");
	}
	g_unread_notes = unread;
	home_fill(h);
}

static void
home_load(struct home *h)
{
	net_call("community.list", NULL, &h->v, home_communities, h);
	if (h->roundup == NULL)
		net_call("roundup.get", json_pack("{s:b}", "mark", 1), &h->v,
		    home_roundup, h);
	net_call("notify.list", NULL, &h->v, home_notes, h);
}

static void
home_draw(struct view *v, int rows, int cols)
{
	struct home *h = (struct home *)v;

	list_draw(&h->l, 1, rows, cols);
}

static bool
home_key(struct view *v, int ch, bool is_key)
{
	struct home *h = (struct home *)v;
	struct row *r;

	if (list_key(&h->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&h->l)) != NULL) {
		if (ji(r->data, "thread_id"))
			ui_push(view_thread(ji(r->data, "thread_id"),
			    js(r->data, "title")));
		else
			ui_push(view_community(r->data));
		return true;
	}
	if (!is_key && ch == 'R') {
		home_load(h);
		return true;
	}
	if (!is_key && (ch == 'q' || ch == 27 || ch == 'h'))
		return ch == 'h'; /* q on Home: pop, which quits */
	return false;
}

static void
home_event(struct view *v, const char *name, json_t *data)
{
	struct home *h = (struct home *)v;

	(void)data;
	if (strcmp(name, "client.reconnected") == 0)
		home_load(h);
	if (strcmp(name, "notify.new") == 0 ||
	    strcmp(name, "thread.new_post") == 0)
		home_fill(h);
}

static void
home_free(struct view *v)
{
	struct home *h = (struct home *)v;

	list_free(&h->l);
	json_decref(h->communities);
	json_decref(h->roundup);
	free(h);
}

struct view *
view_home(void)
{
	struct home *h = xcalloc(1, sizeof *h);

	h->v.title = "Home";
	h->v.keys = "Enter:open  n:notifications  /:search  d:directory  "
	    "p:profile";
	h->v.help = "Your communities (● has something new), then what "
	    "happened since your last visit. **q** on this screen leaves "
	    "Hearth.";
	h->v.draw = home_draw;
	h->v.key = home_key;
	h->v.event = home_event;
	h->v.free = home_free;
	home_fill(h);
	home_load(h);
	return &h->v;
}

/* Keys that work on every screen but the composer and forms. */
bool views_global_key(int ch, bool is_key);
bool
views_global_key(int ch, bool is_key)
{
	if (is_key || g_me == NULL)
		return false;
	switch (ch) {
	case 'n':
		ui_push(view_notes());
		return true;
	case '/':
		ui_push(view_search(false));
		return true;
	case 'd':
		ui_push(view_search(true));
		return true;
	case 'p':
		ui_push(view_profile(js(g_me, "handle")));
		return true;
	case 'h':
		while (ui_top() != NULL && ui_top()->below != NULL)
			ui_pop();
		return true;
	}
	return false;
}

static void coc_checked(void *ctx, json_t *result, json_t *error);

/* ---- join ---- */

struct join {
	struct view v;
	struct field f[3];
	int on;
	char err[512];
	bool sending;
};

static void
join_draw(struct view *v, int rows, int cols)
{
	struct join *j = (struct join *)v;
	static const char *intro[] = {
		"Welcome to Hearth.",
		"",
		"To join, enter the invite code you were sent, then choose a",
		"handle (how others @mention you) and the name people see.",
		NULL,
	};
	int y = 2, cy = 0, cx = 0;

	(void)rows;
	for (int i = 0; intro[i] != NULL; i++)
		put_text(y++, 2, cols - 4, intro[i], i == 0 ? C_HEAD : C_NORMAL,
		    i == 0 ? A_BOLD : 0);
	y++;
	for (int i = 0; i < 3; i++) {
		int end = field_draw(&j->f[i], y, 2, cols - 4, i == j->on);
		if (i == j->on)
			cy = y, cx = end;
		y += 2;
	}
	if (j->sending)
		put_text(y++, 2, cols - 4, "Joining...", C_DIM, 0);
	if (j->err[0] != '\0')
		put_text(y++, 2, cols - 4, j->err, C_ERROR, A_BOLD);
	ui_cursor(cy, cx);
}

static void
join_done(void *ctx, json_t *result, json_t *error)
{
	struct join *j = ctx;
	json_t *m;

	j->sending = false;
	if (error != NULL) {
		snprintf(j->err, sizeof j->err, "%s", err_message(error));
		if (strstr(j->err, "handle") != NULL)
			j->on = 1;
		else if (strstr(j->err, "code") != NULL)
			j->on = 0;
		return;
	}
	m = json_object_get(result, "member");
	json_decref(g_me);
	g_me = json_incref(m);
	ui_replace(view_home());
	ui_flash("Welcome, %s! Next time, connect with the same key as any "
	    "user name.", js(m, "display_name"));
	net_call("coc.get", NULL, ui_top(), coc_checked, ui_top());
}

static bool
join_key(struct view *v, int ch, bool is_key)
{
	struct join *j = (struct join *)v;

	if (j->sending)
		return true;
	if (ENTER(ch, is_key) || (!is_key && ch == '\t') || (is_key &&
	    ch == KEY_DOWN)) {
		if (j->on < 2 && (!ENTER(ch, is_key) || j->f[j->on].len > 0 ||
		    true)) {
			j->on++;
			return true;
		}
		if (!ENTER(ch, is_key))
			return true;
		for (int i = 0; i < 3; i++)
			if (j->f[i].len == 0) {
				j->on = i;
				snprintf(j->err, sizeof j->err, "Please fill "
				    "in the %s.", i == 0 ? "invite code" :
				    i == 1 ? "handle" : "name");
				return true;
			}
		j->sending = true;
		j->err[0] = '\0';
		net_call("invite.redeem", json_pack("{s:s, s:s, s:s}", "code",
		    j->f[0].text, "handle", j->f[1].text, "display_name",
		    j->f[2].text), v, join_done, j);
		return true;
	}
	if ((is_key && (ch == KEY_UP || ch == KEY_BTAB)) && j->on > 0) {
		j->on--;
		return true;
	}
	if (!is_key && (ch == 27 || ch == CTRL('c'))) {
		ui_quit(1);
		return true;
	}
	field_key(&j->f[j->on], ch, is_key);
	return true;
}

struct view *
view_join(void)
{
	struct join *j = xcalloc(1, sizeof *j);

	j->v.title = "Join";
	j->v.keys = "Enter:next/join  Up:previous field  Esc:leave";
	j->v.draw = join_draw;
	j->v.key = join_key;
	j->f[0].label = "Invite code";
	j->f[1].label = "Handle (lowercase, e.g. sam_k)";
	j->f[2].label = "Your name as others see it";
	return &j->v;
}

/* ---- first run: code of conduct, profile, introduction ---- */

struct coc {
	struct view v;
	char *text;
	int scroll;
	bool sending;
	char err[256];
};

static void
coc_draw(struct view *v, int rows, int cols)
{
	struct coc *c = (struct coc *)v;
	struct rdoc d;
	int y = 1;

	put_text(y++, 2, cols - 4, "Before you start: our code of conduct",
	    C_HEAD, A_BOLD);
	put_text(y++, 2, cols - 4, "Read it (j/k, Space to scroll), then "
	    "press a to accept it.", C_DIM, 0);
	if (c->err[0] != '\0')
		put_text(y++, 2, cols - 4, c->err, C_ERROR, A_BOLD);
	y++;
	rdoc_init(&d);
	render_markdown(&d, c->text, strlen(c->text), cols - 4);
	if (c->scroll > (int)d.n - 1)
		c->scroll = d.n > 0 ? (int)d.n - 1 : 0;
	for (int i = 0; y + i <= rows && (size_t)(c->scroll + i) < d.n; i++)
		put_rline(y + i, 2, cols - 4, &d.lines[c->scroll + i]);
	rdoc_free(&d);
}

static void
coc_accepted(void *ctx, json_t *result, json_t *error)
{
	struct coc *c = ctx;
	struct view *pv;

	(void)result;
	c->sending = false;
	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	/* next: the member's profile, opened for editing */
	pv = view_profile(js(g_me, "handle"));
	((struct profile *)pv)->first_run = true;
	ui_replace(pv);
	ui_flash("Thank you. Now tell others about yourself: fill in what "
	    "you like, Ctrl-S saves.");
}

static bool
coc_key(struct view *v, int ch, bool is_key)
{
	struct coc *c = (struct coc *)v;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		c->scroll++;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		c->scroll -= c->scroll > 0;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		c->scroll += 10;
	else if (!is_key && (ch == 'a' || ch == 'A') && !c->sending) {
		c->sending = true;
		net_call("member.accept_coc", NULL, v, coc_accepted, c);
	} else if (!is_key && ch == 'q') {
		/* not accepting: reading is fine, writing is refused */
		ui_replace(view_home());
		ui_flash("You can read, but need to accept the code of conduct "
		    "to write.");
	} else
		return false;
	return true;
}

static void
coc_free(struct view *v)
{
	struct coc *c = (struct coc *)v;

	free(c->text);
	free(c);
}

static struct view *
view_coc(const char *text)
{
	struct coc *c = xcalloc(1, sizeof *c);

	c->v.title = "Welcome";
	c->v.keys = "a:accept  j/k/Space:scroll  q:later";
	c->v.draw = coc_draw;
	c->v.key = coc_key;
	c->v.free = coc_free;
	c->text = xstrdup(text);
	return &c->v;
}

/* If the code of conduct is not accepted yet, start the first run. */
static void
coc_checked(void *ctx, json_t *result, json_t *error)
{
	struct view *home = ctx;

	if (error != NULL || json_is_string(json_object_get(result,
	    "accepted_at")) || ui_top() != home)
		return;
	ui_push(view_coc(js(result, "text")));
}

/* The greeting decides the first screen. */
void
views_start(json_t *hello)
{
	json_t *m = json_object_get(hello, "member");
	json_t *removed = json_object_get(hello, "removed");

	if (json_is_object(removed)) {
		char msg[512];
		snprintf(msg, sizeof msg, "Your Hearth membership was removed "
		    "on %s.\n\nReason: %s", js(removed, "at"),
		    js(removed, "reason"));
		ui_push(view_message("Membership removed", msg));
		return;
	}
	if (json_is_true(json_object_get(hello, "join"))) {
		ui_push(view_join());
		return;
	}
	if (!json_is_object(m)) {
		ui_push(view_message("Not a member", "This key does not "
		    "belong to a Hearth member. To join, connect as user "
		    "**join** and enter your invite code."));
		return;
	}
	g_me = json_incref(m);
	ui_push(view_home());
	net_call("coc.get", NULL, ui_top(), coc_checked, ui_top());
}
