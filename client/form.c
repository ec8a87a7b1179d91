/*
 * form.c: a screen of one-line fields that sends one operation. A field
 * is text, or a choice among "a|b|c" that Space and Left/Right cycle;
 * each may have a hint (one part per choice). The caller's build function
 * turns the values into arguments or refuses with a message; the server's
 * error stays in the form, and its result goes to done on the view below.
 * The programme, the experts' screens and the room forms use it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

#define FORM_MAX 10

struct form {
	struct view v;
	char *title, *intro;
	char op[32];
	json_t *args;
	int n, on;
	struct field f[FORM_MAX];
	char *choices[FORM_MAX];
	char *hint[FORM_MAX];
	char err[512];
	bool sending;
	form_build_fn build;
	void (*done)(struct view *, json_t *);
};

/* Step a choice field to the next (d 1) or previous (d -1) choice. */
static void
form_cycle(struct field *f, const char *choices, int d)
{
	const char *opts[16];
	size_t lens[16];
	int n = 0, at = -1;
	const char *p = choices;

	while (*p != '\0' && n < 16) {
		const char *bar = strchr(p, '|');
		size_t l = bar != NULL ? (size_t)(bar - p) : strlen(p);
		opts[n] = p;
		lens[n] = l;
		if (l == f->len && strncmp(p, f->text, l) == 0)
			at = n;
		n++;
		p += l + (bar != NULL);
	}
	if (n == 0)
		return;
	at = at < 0 ? 0 : (at + d + n) % n;
	snprintf(f->text, sizeof f->text, "%.*s", (int)lens[at], opts[at]);
	f->len = strlen(f->text);
}

/*
 * A field's hint; a choice field's hint may hold one part per choice
 * ("a|b|c"), and then the current choice's part is shown.
 */
static void
form_hint(struct form *fm, int i, char *out, size_t len)
{
	const char *c = fm->choices[i], *h = fm->hint[i];
	struct field *f = &fm->f[i];

	if (c == NULL || strchr(h, '|') == NULL) {
		snprintf(out, len, "%s", h);
		return;
	}
	while (*c != '\0' && *h != '\0') {
		size_t cl = strcspn(c, "|"), hl = strcspn(h, "|");
		if (cl == f->len && strncmp(c, f->text, cl) == 0) {
			snprintf(out, len, "%.*s", (int)hl, h);
			return;
		}
		c += cl + (c[cl] == '|');
		h += hl + (h[hl] == '|');
	}
	out[0] = '\0';
}

/* The fields, each with its hint below when there is room. */
static void
form_draw(struct view *v, int rows, int cols)
{
	struct form *fm = (struct form *)v;
	int y = 1, gap, cy = -1, cx = 0;

	put_text(y++, 1, cols - 2, fm->title, C_HEAD, A_BOLD);
	if (fm->intro != NULL && fm->intro[0] != '\0')
		put_text(y++, 2, cols - 4, fm->intro, C_DIM, 0);
	if (fm->err[0] != '\0')
		put_text(y++, 2, cols - 4, fm->err, C_ERROR, A_BOLD);
	else if (fm->sending)
		put_text(y++, 2, cols - 4, "Sending...", C_DIM, 0);
	y++;
	gap = rows - y >= fm->n * 2 ? 2 : 1;
	for (int i = 0; i < fm->n && y <= rows; i++) {
		bool on = i == fm->on;
		if (fm->choices[i] != NULL) {
			char shown[600];
			int lw = text_width(fm->f[i].label);
			put_text(y, 2, cols - 4, fm->f[i].label, on ? C_HEAD :
			    C_NORMAL, A_BOLD);
			snprintf(shown, sizeof shown, ": < %.500s >", fm->f[i].text);
			put_text(y, 2 + lw, cols - 4 - lw, shown, on ? C_SEL :
			    C_NORMAL, on ? A_REVERSE : 0);
		} else {
			int end = field_draw(&fm->f[i], y, 2, cols - 4, on);
			if (on)
				cy = y, cx = end;
		}
		if (gap == 2 && fm->hint[i] != NULL && y + 1 <= rows) {
			char h[512];
			form_hint(fm, i, h, sizeof h);
			put_text(y + 1, 4, cols - 6, h, C_DIM, 0);
		}
		y += gap;
	}
	if (cy >= 0)
		ui_cursor(cy, cx);
}

/* The server's answer: an error stays in the form, else done. */
static void
form_sent(void *ctx, json_t *result, json_t *error)
{
	struct form *fm = ctx;
	void (*done)(struct view *, json_t *) = fm->done;
	struct view *below = fm->v.below;

	fm->sending = false;
	if (error != NULL) {
		snprintf(fm->err, sizeof fm->err, "%s", err_message(error));
		return;
	}
	json_incref(result);
	ui_pop();
	if (done != NULL && below != NULL && ui_top() == below)
		done(below, result);
	json_decref(result);
}

/* Build the arguments from the fields and send them. */
static void
form_send(struct form *fm)
{
	const char *vals[FORM_MAX];
	json_t *args;

	if (fm->sending)
		return;
	for (int i = 0; i < fm->n; i++)
		vals[i] = fm->f[i].text;
	args = json_deep_copy(fm->args);
	fm->err[0] = '\0';
	if (fm->build != NULL && !fm->build(args, vals, fm->err,
	    sizeof fm->err)) {
		json_decref(args);
		return;
	}
	if (fm->op[0] == '\0') {
		/* no operation: the values go to done, which sends them */
		void (*done)(struct view *, json_t *) = fm->done;
		struct view *below = fm->v.below;

		ui_pop();
		if (done != NULL && below != NULL && ui_top() == below)
			done(below, args);
		json_decref(args);
		return;
	}
	fm->sending = true;
	net_call(fm->op, args, &fm->v, form_sent, fm);
}

/* Move between fields, cycle choices, type, send or cancel. */
static bool
form_key(struct view *v, int ch, bool is_key)
{
	struct form *fm = (struct form *)v;
	struct field *f = &fm->f[fm->on];
	const char *ch_list = fm->choices[fm->on];

	if (!is_key && ch == 27) {
		ui_pop();
		return true;
	}
	if (!is_key && ch == KEY_CTRL('s')) {
		form_send(fm);
		return true;
	}
	if (ENTER(ch, is_key) && fm->on == fm->n - 1) {
		form_send(fm);
		return true;
	}
	if (ENTER(ch, is_key) || (!is_key && ch == '\t') || (is_key &&
	    ch == KEY_DOWN)) {
		fm->on = (fm->on + 1) % fm->n;
		return true;
	}
	if (is_key && (ch == KEY_UP || ch == KEY_BTAB)) {
		fm->on = (fm->on + fm->n - 1) % fm->n;
		return true;
	}
	if (ch_list != NULL) {
		if ((!is_key && ch == ' ') || (is_key && ch == KEY_RIGHT))
			form_cycle(f, ch_list, 1);
		else if (is_key && ch == KEY_LEFT)
			form_cycle(f, ch_list, -1);
		return true;
	}
	field_key(f, ch, is_key);
	return true; /* a form takes every key: typing is not a command */
}

static void
form_free(struct view *v)
{
	struct form *fm = (struct form *)v;

	for (int i = 0; i < fm->n; i++) {
		free(fm->choices[i]);
		free(fm->hint[i]);
		free((char *)fm->f[i].label);
	}
	free(fm->title);
	free(fm->intro);
	json_decref(fm->args);
	free(fm);
}

struct view *
form_open(const char *title, const char *intro, const char *op,
    json_t *args, const struct form_def *defs, int n, form_build_fn build,
    void (*done)(struct view *, json_t *))
{
	struct form *fm = xcalloc(1, sizeof *fm);

	fm->title = xstrdup(title);
	fm->intro = intro != NULL ? xstrdup(intro) : NULL;
	fm->v.title = fm->title;
	fm->v.keys = "Tab/Down:next  Up:previous  Space:change choice  "
	    "Ctrl-S:send  Esc:cancel";
	fm->v.help = "Fill in the fields; **Tab**, **Down** or **Enter** go "
	    "to the next one (Enter on the last one sends). Fields in < > "
	    "are choices: **Space** or **Right** shows the next, **Left** "
	    "the previous. **Ctrl-U** clears a field, **Ctrl-S** sends, "
	    "**Esc** cancels.";
	fm->v.draw = form_draw;
	fm->v.key = form_key;
	fm->v.free = form_free;
	snprintf(fm->op, sizeof fm->op, "%s", op);
	fm->args = args != NULL ? args : json_object();
	fm->n = n < FORM_MAX ? n : FORM_MAX;
	for (int i = 0; i < fm->n; i++) {
		fm->f[i].label = xstrdup(defs[i].label);
		fm->choices[i] = defs[i].choices != NULL ?
		    xstrdup(defs[i].choices) : NULL;
		fm->hint[i] = defs[i].hint != NULL ? xstrdup(defs[i].hint) :
		    NULL;
		if (defs[i].init != NULL)
			snprintf(fm->f[i].text, sizeof fm->f[i].text, "%s",
			    defs[i].init);
		else if (fm->choices[i] != NULL)
			form_cycle(&fm->f[i], fm->choices[i], 0);
		fm->f[i].len = strlen(fm->f[i].text);
	}
	fm->build = build;
	fm->done = done;
	return &fm->v;
}
