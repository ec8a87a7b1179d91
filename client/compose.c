/*
 * compose.c: the composer, a multi-line editor inside the TUI (the buffer
 * itself is editor.c). Drafts survive closing it and a lost connection;
 * the native client can hand the text to $VISUAL or $EDITOR.
 */
#include <ctype.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include <uv.h>

#include "common.h"
#include "client.h"

/* ---- the composer ---- */

/* A cheap fingerprint of the text, to tell an edit from a move (FNV-1a). */
static uint32_t
crc_text(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

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
	uv_timer_t *save_t; /* the server copy: draft_delay_ms (draft.c) */
	bool dirty; /* changed since the server copy */
	uint64_t dirty_since, saved_at; /* uv_now() */
	bool line_due; /* a line ended: its save waits for no more keys */
};

/* Keep the text on the server too (draft.save): the link may drop. */
static void
comp_save_server(struct composer *c)
{
	char *body;

	if (!c->dirty || c->sending)
		return;
	c->dirty = false;
	c->line_due = false;
	c->saved_at = uv_now(uv_default_loop());
	if (c->save_t != NULL)
		uv_timer_stop(c->save_t);
	body = xstrndup(c->ed.text, c->ed.len);
	net_call("draft.save", json_pack("{s:s, s:s, s:s}", "key", c->key,
	    "title", c->title.text, "body", body), NULL, NULL, NULL);
	free(body);
}

static void
save_due(uv_timer_t *t)
{
	comp_save_server(t->data);
}

/* After a change: the server copy follows once the typing pauses
 * briefly, or a line ends (draft_delay_ms). */
static void
comp_changed(struct composer *c, bool line_end)
{
	uint64_t now = uv_now(uv_default_loop());

	if (!c->dirty)
		c->dirty_since = now;
	c->dirty = true;
	if (c->save_t == NULL) {
		c->save_t = xcalloc(1, sizeof *c->save_t);
		uv_timer_init(uv_default_loop(), c->save_t);
		c->save_t->data = c;
	}
	if (c->line_due && uv_is_active((uv_handle_t *)c->save_t))
		return; /* the keys after an Enter do not hold its save back */
	c->line_due = line_end;
	uv_timer_start(c->save_t, save_due, draft_delay_ms(now,
	    c->dirty_since, c->saved_at, line_end), 0);
}

static void
timer_freed(uv_handle_t *h)
{
	free(h);
}

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
	y = form_wrapped(y, 2, w, 3, c->sending ? "Sending..." : strcmp(c->op,
	    "poll.create") == 0 ? "The options, one per line:" : strcmp(c->op,
	    "survey.create") == 0 ? "One question a line: single, multiple, "
	    "scale5, scale10 or text (then optional), a colon, the question, "
	    "| between choices:" : "Write in Markdown (**bold**, *italic*, > quote, - list, "
	    "`code`):", C_DIM, 0);
	y = form_wrapped(y, 2, w, 3, c->err, C_ERROR, A_BOLD);
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
	c->dirty = false;
	net_call("draft.save", json_pack("{s:s}", "key", c->key), NULL, NULL,
	    NULL);
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
	if (strcmp(c->op, "poll.create") == 0) {
		/* a poll: the title is the question, each line an option */
		json_t *opts = json_array();
		const char *p = c->ed.text, *nl;
		while (*p != '\0') {
			nl = strchr(p, '\n');
			if (nl == NULL)
				nl = p + strlen(p);
			while (p < nl && *p == ' ')
				p++;
			if (nl > p)
				json_array_append_new(opts, json_stringn(p,
				    (size_t)(nl - p)));
			p = *nl != '\0' ? nl + 1 : nl;
		}
		json_object_set_new(args, "question", json_string(
		    c->title.text));
		json_object_set_new(args, "options", opts);
	} else if (strcmp(c->op, "survey.create") == 0) {
		/* a survey: the title, then a question a line (survey.c) */
		char *text = xstrndup(c->ed.text, c->ed.len);

		json_object_set_new(args, "questions",
		    survey_questions_parse(text));
		json_object_set_new(args, "title", json_string(c->title.text));
		free(text);
	} else {
		json_object_set_new(args, "body", json_stringn(c->ed.text,
		    c->ed.len));
		if (c->has_title)
			json_object_set_new(args, "title", json_string(
			    c->title.text));
	}
	c->sending = true;
	c->err[0] = '\0';
	net_call(c->op, args, &c->v, comp_sent, c);
}

/*
 * The native client may edit in $VISUAL or $EDITOR: the text goes to a
 * private temporary file, the editor runs on the terminal, and what it
 * saved comes back as one change (Ctrl-Z brings the old text back).
 */
static void
comp_external(struct composer *c)
{
	const char *ed = getenv("VISUAL");
	char path[] = "/tmp/hearth-draft-XXXXXX.md";
	char *cmd, *old;
	struct buf b;
	FILE *f;
	int fd, rc;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	if ((fd = mkstemps(path, 3)) < 0) {
		snprintf(c->err, sizeof c->err, "Cannot make a temporary file.");
		return;
	}
	if (write(fd, c->ed.text, c->ed.len) != (ssize_t)c->ed.len) {
		close(fd);
		unlink(path);
		snprintf(c->err, sizeof c->err, "Cannot write the draft.");
		return;
	}
	close(fd);
	cmd = xasprintf("%s '%s'", ed, path);
	def_prog_mode();
	endwin();
	rc = system(cmd);
	reset_prog_mode();
	clearok(curscr, TRUE);
	free(cmd);
	if (rc != 0)
		snprintf(c->err, sizeof c->err, "The editor (%s) exited with "
		    "status %d; the text is unchanged.", ed, rc);
	else if ((f = fopen(path, "r")) != NULL) {
		char chunk[4096];
		size_t n;
		buf_init(&b);
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_append(&b, chunk, n);
		fclose(f);
		while (b.len > 0 && b.data[b.len - 1] == '\n')
			b.len--;
		buf_append(&b, "", 1);
		old = xstrndup(c->ed.text, c->ed.len);
		ed_free(&c->ed);
		ed_init(&c->ed, b.data);
		c->ed.undo_text = old;
		c->ed.undo_cur = 0;
		buf_free(&b);
	}
	unlink(path);
}

static bool
comp_key_edit(struct view *v, int ch, bool is_key)
{
	struct composer *c = (struct composer *)v;
	char mb[8];

	if (!is_key && ch == KEY_CTRL('o') && net_is_native() && !c->on_title) {
		comp_external(c);
		return true;
	}

	if (!is_key && (ch == KEY_CTRL('s') || ch == KEY_CTRL('d'))) {
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
	if (!is_key && (ch == KEY_CTRL('z') || ch == KEY_CTRL('_'))) {
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
		case KEY_F(1): return false; /* ui.c: the help */
		default: return true;
		}
		return true;
	}
	if (ch == 127 || ch == 8) {
		ed_backspace(&c->ed);
		return true;
	}
	if (ch == KEY_CTRL('a')) {
		ed_home(&c->ed);
		return true;
	}
	if (ch == KEY_CTRL('e')) {
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

/* Every key: the edit, then, if the text changed, the server copy. */
static bool
comp_key(struct view *v, int ch, bool is_key)
{
	struct composer *c = (struct composer *)v;
	size_t len = c->ed.len, tlen = c->title.len;
	uint32_t before = len > 0 ? crc_text(c->ed.text, len) : 0;
	bool esc = !is_key && ch == 27;
	bool used;

	if (esc) /* closing: the server copy now, not in 2 s */
		comp_save_server(c);
	used = comp_key_edit(v, ch, is_key);
	if (!esc && ui_top() == v && (c->ed.len != len ||
	    c->title.len != tlen || (len > 0 &&
	    crc_text(c->ed.text, c->ed.len) != before)))
		comp_changed(c, !c->on_title && (ch == '\r' || ch == '\n' ||
		    (is_key && ch == KEY_ENTER)));
	return used;
}

static void
comp_free(struct view *v)
{
	struct composer *c = (struct composer *)v;

	comp_save_server(c);
	if (c->save_t != NULL) {
		uv_timer_stop(c->save_t);
		uv_close((uv_handle_t *)c->save_t, timer_freed);
	}
	if (c->ed.len > 0 || c->title.len > 0)
		comp_save(c);
	ed_free(&c->ed);
	json_decref(c->args);
	free(c);
}

/* The server's draft, if the member has not started typing here. */
static void
draft_got(void *ctx, json_t *result, json_t *error)
{
	struct composer *c = ctx;
	json_t *d = error == NULL ? json_object_get(result, "draft") : NULL;
	bool shown; /* the opener gave this text: it said so itself */

	if (!json_is_object(d) || c->dirty || c->title.len > 0 ||
	    (js(d, "body")[0] == '\0' && js(d, "title")[0] == '\0'))
		return;
	shown = c->ed.len > 0 && strcmp(c->ed.text, js(d, "body")) == 0;
	if (c->ed.len > 0 && strcmp(c->ed.text, js(d, "body")) != 0) {
		/* it began with something (a quote): keep both */
		char *both = xasprintf("%s\n\n%.*s", js(d, "body"),
		    (int)c->ed.len, c->ed.text);

		ed_free(&c->ed);
		ed_init(&c->ed, both);
		free(both);
	} else {
		ed_free(&c->ed);
		ed_init(&c->ed, js(d, "body"));
	}
	snprintf(c->title.text, sizeof c->title.text, "%s", js(d, "title"));
	c->title.len = strlen(c->title.text);
	/* where the person was: the body, when the title is written */
	c->on_title = c->has_title && c->title.len == 0;
	if (!shown)
		ui_flash("Your draft is back (kept on the server).");
	ui_dirty();
}

/*
 * Open the composer for op with args; key names the draft; done runs on
 * the view below with the result after a successful send.
 */
struct view *
composer_open(const char *title, const char *op, json_t *args,
    const char *key, bool has_title, const char *initial,
    void (*done)(struct view *, json_t *))
{
	struct composer *c = xcalloc(1, sizeof *c);
	struct draft *d = draft_find(key, false);

	c->v.title = title;
	/* letters type ("q" too): Esc leaves, F1 helps (ui.c's typing keys) */
	c->v.typing = true;
	c->v.keys = has_title ? "Ctrl-S:send  Ctrl-Z:undo  Tab:title/body  "
	    "(Esc keeps a draft)" : "Ctrl-S:send  Ctrl-Z:undo  (Esc keeps a "
	    "draft)";
	c->v.help = "A multi-line editor. Enter starts a new line; arrows, "
	    "Home and End move; Backspace and Delete remove; **Ctrl-Z** "
	    "undoes the last change (again to redo). Paste works as typing. "
	    "**Ctrl-S** (or Ctrl-D) sends. **Esc** closes and keeps a draft "
	    "(q types a letter here). **F1** shows this help. "
	    "With the native client, **Ctrl-O** edits the text in $VISUAL "
	    "or $EDITOR.";
	c->v.draw = comp_draw;
	c->v.key = comp_key;
	c->v.free = comp_free;
	snprintf(c->op, sizeof c->op, "%s", op);
	c->args = args;
	snprintf(c->key, sizeof c->key, "%s", key);
	c->has_title = has_title;
	c->on_title = has_title;
	c->title.label = strcmp(op, "poll.create") == 0 ? "Question" :
	    "Title";
	c->done = done;
	if (d != NULL && d->text != NULL && *d->text != '\0') {
		ed_init(&c->ed, d->text);
		snprintf(c->title.text, sizeof c->title.text, "%s",
		    d->title ? d->title : "");
		c->title.len = strlen(c->title.text);
		c->on_title = has_title && c->title.len == 0;
		ui_flash("Your draft is back.");
	} else {
		ed_init(&c->ed, initial);
		/* another connection or device may have kept one */
		net_call("draft.get", json_pack("{s:s}", "key", key), &c->v,
		    draft_got, c);
	}
	return &c->v;
}
