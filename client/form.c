/*
 * form.c: a screen of one-line fields that sends one operation. A field
 * is text, or a choice among "a|b|c" that Space and Left/Right cycle;
 * each may have a hint (one part per choice). The caller's build function
 * turns the values into arguments or refuses with a message; the server's
 * error stays in the form, and its result goes to done on the view below.
 * The programme, the experts' screens and the room forms use it. What is
 * typed is kept on the server as a draft (draft.c) under the form's
 * operation and target, and offered again when the same form reopens.
 * A field whose choices are FORM_COMMUNITIES chooses a community from
 * community.list by name (and "(none)"); build gets its slug ("" for
 * none), so no member ever types a slug.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

#define FORM_MAX 10
#define FORM_CHOICES 64

const char FORM_COMMUNITIES[] = "\001communities";
const char FORM_LED_COMMUNITIES[] = "\001led communities";

struct form {
	struct view v;
	char *title, *intro;
	char op[32];
	json_t *args;
	int n, on;
	struct field f[FORM_MAX];
	char *choices[FORM_MAX];
	char *hint[FORM_MAX];
	json_t *slugs[FORM_MAX]; /* a community field: the slug of each */
	char *comm_init[FORM_MAX]; /* its first slug, until the list comes */
	bool led[FORM_MAX]; /* only those the member leads or manages */
	char err[512];
	bool sending;
	form_build_fn build;
	void (*done)(struct view *, json_t *);
	struct draft_saver *draft; /* the fields, kept on the server */
	bool touched; /* changed here: a late draft does not overwrite */
	char *orig[FORM_MAX]; /* the values it opened with (Ctrl-R) */
};

/* The fields as the draft's body: a JSON array of strings. */
static void
form_draft_save(struct form *fm)
{
	json_t *a = json_array();
	char *body;

	for (int i = 0; i < fm->n; i++)
		json_array_append_new(a, json_string(fm->f[i].text));
	body = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	draft_changed(fm->draft, fm->title, body);
	free(body);
}

/* A draft kept from before (here or on another connection): offer it. */
static void
form_draft_got(void *ctx, json_t *result, json_t *error)
{
	struct form *fm = ctx;
	json_t *d = draft_of(result, error), *a, *s;
	bool differs = false;
	size_t i;

	if (d != NULL)
		draft_offered(fm->draft); /* sending forgets it, whatever it is */
	if (d == NULL || fm->touched)
		return;
	a = json_loads(js(d, "body"), 0, NULL);
	if (!json_is_array(a) || json_array_size(a) != (size_t)fm->n) {
		json_decref(a);
		return;
	}
	json_array_foreach(a, i, s)
		if (!json_is_string(s) || json_string_length(s) >=
		    sizeof fm->f[i].text) {
			json_decref(a);
			return;
		}
	json_array_foreach(a, i, s) {
		differs |= strcmp(fm->f[i].text, json_string_value(s)) != 0;
		snprintf(fm->f[i].text, sizeof fm->f[i].text, "%s",
		    json_string_value(s));
		fm->f[i].len = strlen(fm->f[i].text);
	}
	json_decref(a);
	if (differs)
		ui_flash("What you typed here before is back (Ctrl-R: start "
		    "over).");
	ui_dirty();
}

/* A short fingerprint of what the form and its target are (FNV-1a). */
static void
form_draft_key(struct form *fm, char *out, size_t len)
{
	char *a = json_dumps(fm->args, JSON_COMPACT | JSON_SORT_KEYS);
	uint32_t h = text_hash(2166136261u, a != NULL ? a : "", a != NULL ?
	    strlen(a) : 0);

	h = text_hash(h, fm->title, strlen(fm->title));
	free(a);
	snprintf(out, len, "form:%.40s:%08x", fm->op, h);
}

/* Step a choice field to the next (d 1) or previous (d -1) choice. */
static void
form_cycle(struct field *f, const char *choices, int d)
{
	const char *opts[FORM_CHOICES];
	size_t lens[FORM_CHOICES];
	int n = 0, at = -1;
	const char *p = choices;

	while (*p != '\0' && n < FORM_CHOICES) {
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

int
form_wrapped(int y, int x, int cols, int max, const char *s, int color,
    int attr)
{
	struct rdoc d;

	if (s == NULL || s[0] == '\0' || cols <= 0)
		return y;
	rdoc_init(&d);
	rdoc_wrap(&d, s, cols);
	for (size_t i = 0; i < d.n && i < (size_t)max; i++)
		put_text(y++, x, cols, d.lines[i].text, color, attr);
	rdoc_free(&d);
	return y;
}

/* The fields, each with its hint below when there is room. */
static void
form_draw(struct view *v, int rows, int cols)
{
	struct form *fm = (struct form *)v;
	int y = 1, gap, cy = -1, cx = 0, hint_lines = 1;

	put_text(y++, 1, cols - 2, fm->title, C_HEAD, A_BOLD);
	if (fm->intro != NULL && fm->intro[0] != '\0') /* up to 6 lines */
		y = form_wrapped(y, 2, cols - 4, 6, fm->intro, C_DIM, 0);
	if (fm->err[0] != '\0') /* a sentence: wrapped, up to 3 lines */
		y = form_wrapped(y, 2, cols - 4, 3, fm->err, C_ERROR, A_BOLD);
	else if (fm->sending)
		put_text(y++, 2, cols - 4, "Sending...", C_DIM, 0);
	y++;
	gap = rows - y >= fm->n * 2 ? 2 : 1;
	if (gap == 2) { /* hints wrap to 2 lines when all of them fit */
		int need = 0;

		for (int i = 0; i < fm->n; i++) {
			char h[512];

			need += 2; /* the field and its hint's (or a blank) line */
			if (fm->hint[i] == NULL)
				continue;
			form_hint(fm, i, h, sizeof h);
			need += text_width(h) > cols - 6; /* a second line */
		}
		hint_lines = rows - y + 1 >= need ? 2 : 1;
	}
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
			int end;

			form_hint(fm, i, h, sizeof h);
			end = form_wrapped(y + 1, 4, cols - 6, hint_lines, h,
			    C_DIM, 0);
			y = end - 1 > y + 1 ? end - 1 : y; /* a second line */
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
	draft_forget(fm->draft);
	json_incref(result);
	ui_pop();
	if (done != NULL && below != NULL && ui_top() == below)
		done(below, result);
	json_decref(result);
}

/* Which choice of "a|b|c" the text is (-1: none). */
static int
choice_index(const char *choices, const char *text)
{
	size_t tl = strlen(text);
	int i = 0;

	for (const char *p = choices; *p != '\0'; i++) {
		size_t l = strcspn(p, "|");
		if (l == tl && strncmp(p, text, l) == 0)
			return i;
		p += l + (p[l] == '|');
	}
	return -1;
}

/* A field's value for build: a community field gives the slug. */
static const char *
form_value(struct form *fm, int i)
{
	int k;

	if (fm->comm_init[i] == NULL)
		return fm->f[i].text;
	if (fm->slugs[i] == NULL)
		return fm->comm_init[i]; /* the list has not come yet */
	k = choice_index(fm->choices[i], fm->f[i].text);
	return k < 0 ? "" : json_string_value(json_array_get(fm->slugs[i],
	    (size_t)k));
}

/* The communities came: each community field chooses among them. */
static void
form_comms_got(void *ctx, json_t *result, json_t *error)
{
	struct form *fm = ctx;
	json_t *a = jarr(result, "communities"), *c;
	size_t k;

	if (error != NULL) {
		snprintf(fm->err, sizeof fm->err, "%s", err_message(error));
		return;
	}
	for (int i = 0; i < fm->n; i++) {
		struct buf b;
		const char *pick = NULL, *role = js(g_me, "role");
		bool none = !fm->led[i] || strcmp(role, "staff") == 0 ||
		    strcmp(role, "admin") == 0;

		if (fm->comm_init[i] == NULL)
			continue;
		buf_init(&b);
		json_decref(fm->slugs[i]);
		fm->slugs[i] = json_array();
		if (none) {
			buf_puts(&b, "(none)");
			json_array_append_new(fm->slugs[i], json_string(""));
		}
		json_array_foreach(a, k, c) {
			if (json_array_size(fm->slugs[i]) + 1 >= FORM_CHOICES)
				break;
			if (fm->led[i] && strcmp(js(c, "my_role"), "leader") !=
			    0 && strcmp(js(c, "my_role"), "manager") != 0)
				continue;
			if (json_array_size(fm->slugs[i]) > 0)
				buf_puts(&b, "|");
			for (const char *p = js(c, "name"); *p; p++)
				buf_append(&b, *p == '|' ? "/" : p, 1);
			json_array_append_new(fm->slugs[i],
			    json_string(js(c, "slug")));
			if (strcmp(js(c, "slug"), fm->comm_init[i]) == 0)
				pick = js(c, "name");
		}
		if (json_array_size(fm->slugs[i]) == 0) { /* leads none */
			buf_puts(&b, "(none)");
			json_array_append_new(fm->slugs[i], json_string(""));
		}
		buf_append(&b, "", 1);
		free(fm->choices[i]);
		fm->choices[i] = b.data;
		if (pick == NULL) /* the first choice */
			snprintf(fm->f[i].text, sizeof fm->f[i].text, "%.*s",
			    (int)strcspn(fm->choices[i], "|"), fm->choices[i]);
		else
			snprintf(fm->f[i].text, sizeof fm->f[i].text, "%s",
			    pick);
		for (char *p = fm->f[i].text; *p; p++)
			if (*p == '|')
				*p = '/';
		fm->f[i].len = strlen(fm->f[i].text);
		free(fm->orig[i]); /* Ctrl-R starts over from this one */
		fm->orig[i] = xstrdup(fm->f[i].text);
	}
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
		vals[i] = form_value(fm, i);
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
static bool form_key_edit(struct view *, int, bool);

/* Every key: then, if a field changed, the draft follows. */
static bool
form_key(struct view *v, int ch, bool is_key)
{
	struct form *fm = (struct form *)v;
	uint32_t before = 0, after = 0;
	bool used;

	if (!is_key && ch == KEY_CTRL('r')) {
		for (int i = 0; i < fm->n; i++) {
			snprintf(fm->f[i].text, sizeof fm->f[i].text, "%s",
			    fm->orig[i]);
			fm->f[i].len = strlen(fm->f[i].text);
		}
		fm->touched = true;
		draft_forget(fm->draft);
		return true;
	}
	for (int i = 0; i < fm->n; i++) /* "|" between fields */
		before = text_hash(before, "|", 1) + text_hash(2166136261u,
		    fm->f[i].text, fm->f[i].len);
	used = form_key_edit(v, ch, is_key);
	if (ui_top() != v) /* sent or closed */
		return used;
	for (int i = 0; i < fm->n; i++)
		after = text_hash(after, "|", 1) + text_hash(2166136261u,
		    fm->f[i].text, fm->f[i].len);
	if (after != before) {
		fm->touched = true;
		form_draft_save(fm);
	}
	return used;
}

static bool
form_key_edit(struct view *v, int ch, bool is_key)
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

	draft_saver_free(fm->draft); /* Esc keeps it: sent now */
	for (int i = 0; i < fm->n; i++) {
		free(fm->orig[i]);
		free(fm->choices[i]);
		free(fm->hint[i]);
		free(fm->comm_init[i]);
		json_decref(fm->slugs[i]);
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
	bool comms = false;

	fm->title = xstrdup(title);
	fm->intro = intro != NULL ? xstrdup(intro) : NULL;
	fm->v.title = fm->title;
	fm->v.keys = "Tab/Down:next  Up:previous  Space:change choice  "
	    "Ctrl-S:send  Esc:cancel (kept as a draft)";
	fm->v.help = "Fill in the fields; **Tab**, **Down** or **Enter** go "
	    "to the next one (Enter on the last one sends). Fields in < > "
	    "are choices: **Space** or **Right** shows the next, **Left** "
	    "the previous. **Ctrl-U** clears a field, **Ctrl-S** sends, "
	    "**Esc** cancels. What you type is kept on the server as a "
	    "draft and comes back when you open the same form again (here "
	    "or from another computer); **Ctrl-R** starts over.";
	fm->v.draw = form_draw;
	fm->v.key = form_key;
	fm->v.free = form_free;
	snprintf(fm->op, sizeof fm->op, "%s", op);
	fm->args = args != NULL ? args : json_object();
	fm->n = n < FORM_MAX ? n : FORM_MAX;
	for (int i = 0; i < fm->n; i++) {
		fm->f[i].label = xstrdup(defs[i].label);
		if (defs[i].choices == FORM_COMMUNITIES ||
		    defs[i].choices == FORM_LED_COMMUNITIES) {
			fm->led[i] = defs[i].choices == FORM_LED_COMMUNITIES;
			/* chosen from the list when it comes */
			fm->comm_init[i] = xstrdup(defs[i].init != NULL ?
			    defs[i].init : "");
			fm->choices[i] = xstrdup("(none)");
			snprintf(fm->f[i].text, sizeof fm->f[i].text,
			    "%s", "(loading)");
			fm->f[i].len = strlen(fm->f[i].text);
			fm->hint[i] = defs[i].hint != NULL ?
			    xstrdup(defs[i].hint) : NULL;
			comms = true;
			continue;
		}
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
	{
		char key[64];

		for (int i = 0; i < fm->n; i++)
			fm->orig[i] = xstrdup(fm->f[i].text);
		form_draft_key(fm, key, sizeof key);
		fm->draft = draft_saver_new(key);
		draft_fetch(key, &fm->v, form_draft_got, fm);
	}
	if (comms)
		net_call("community.list", NULL, &fm->v, form_comms_got, fm);
	return &fm->v;
}
