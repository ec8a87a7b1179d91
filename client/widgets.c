/*
 * widgets.c: what the screens share: JSON and text helpers, the
 * scrolling list of rows, the one-line text field and the message screen.
 */
#include <ctype.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* ---- small helpers ---- */

/* The array under key, or the first array in the object. */
json_t *
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
json_t *
jobj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : o;
}

/* "2026-11-21T22:50:01Z" shown as "21 Nov 22:50 GMT" (when.c). */
void
short_time(const char *iso, char out[32])
{
	when_short(iso, out, 32);
}

/* Name of a post's or thread's author, whatever shape it came in. */
void
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
	else if (js(o, "author_handle")[0])
		snprintf(out, len, "%s", js(o, "author_handle"));
	else /* Hearth's own posts: welcome threads, room records */
		snprintf(out, len, "Hearth");
}

const char *
author_handle(json_t *o)
{
	json_t *a = json_object_get(o, "author");

	if (json_is_object(a))
		return js(a, "handle");
	return js(o, "author_handle");
}

/* A search snippet with its highlight marks (STX, ETX) as « and ». */
char *
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



void
list_clear(struct list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].text);
		free(l->rows[i].right);
		json_decref(l->rows[i].data);
	}
	l->n = 0;
}

void
list_free(struct list *l)
{
	list_clear(l);
	free(l->rows);
	memset(l, 0, sizeof *l);
}

struct row *
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

/* A "… more WHAT (Enter)" row whose data is {more: next}, if next is set. */
void
list_add_more(struct list *l, json_t *next, const char *what)
{
	char text[128];
	json_t *more;

	if (!json_is_string(next) && !json_is_integer(next))
		return;
	snprintf(text, sizeof text, "   … more %s (Enter)", what);
	more = json_pack("{s:O}", "more", next);
	list_add(l, text, NULL, C_DIM, more, true);
	json_decref(more);
}

struct row *
list_cur(struct list *l)
{
	if (l->sel < 0 || (size_t)l->sel >= l->n || !l->rows[l->sel].pick)
		return NULL;
	return &l->rows[l->sel];
}

/* Put the selection on the first pickable row at or after i. */
void
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

void
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

void
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

bool
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


/* Edit a field with a key; true if the key was taken. */
bool
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
	if (!is_key && ch == KEY_CTRL('u')) {
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
int
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
	char *title;
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
	free(m->title);
	free(m);
}

struct view *
view_message(const char *title, const char *text)
{
	struct msgview *m = xcalloc(1, sizeof *m);

	m->title = xstrdup(title);
	m->v.title = m->title;
	m->v.keys = "Enter:close  j/k:scroll";
	m->v.draw = msg_draw;
	m->v.key = msg_key;
	m->v.free = msg_free;
	m->text = xstrdup(text);
	return &m->v;
}

/* Word-wrap text to width columns into d (plain, no Markdown). */
void
rdoc_wrap(struct rdoc *d, const char *text, int width)
{
	char *clean = text_clean(text, strlen(text)), *p = clean;

	while (*p != '\0') {
		size_t len = strlen(p), fit = text_fit(p, len, width);
		if (fit < len) {
			size_t sp = fit;
			while (sp > 0 && p[sp] != ' ')
				sp--;
			if (sp > 0)
				fit = sp;
		}
		if (fit == 0)
			fit = 1;
		{
			char *line = xstrndup(p, fit);
			rdoc_add(d, line, 0, width);
			free(line);
		}
		p += fit;
		while (*p == ' ')
			p++;
	}
	free(clean);
}
