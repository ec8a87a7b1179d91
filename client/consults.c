/*
 * consults.c: the private consults kept for the member (a host took them
 * aside from a room with record "transcript"). A list, newest first, and
 * each one's messages in order. Only the two people in a consult see it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct consults {
	struct view v;
	struct list l;
	char msg[256];
};

static void
consults_got(void *ctx, json_t *result, json_t *error)
{
	struct consults *c = ctx;
	json_t *x;
	size_t i;

	list_clear(&c->l);
	if (error != NULL) {
		snprintf(c->msg, sizeof c->msg, "%s", err_message(error));
		return;
	}
	snprintf(c->msg, sizeof c->msg, "%s", json_array_size(jarr(result,
	    "consults")) ? "" : "None kept. When a host takes you into a "
	    "private consult and keeps it, it is here for the two of you.");
	json_array_foreach(jarr(result, "consults"), i, x) {
		json_t *msgs = jarr(x, "messages");
		json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
		char line[400], when[32];

		snprintf(line, sizeof line, "With %s (@%s) in “%s”",
		    js(json_object_get(x, "with"), "display_name"),
		    js(json_object_get(x, "with"), "handle"), js(x, "room"));
		short_time(last != NULL ? js(last, "at") : "", when);
		list_add(&c->l, line, when, C_NORMAL, x, true);
	}
	list_fix(&c->l);
}

static void
consults_draw(struct view *v, int rows, int cols)
{
	struct consults *c = (struct consults *)v;

	put_text(1, 1, cols - 2, "Private consults kept for you", C_HEAD,
	    A_BOLD);
	if (c->msg[0] != '\0')
		put_text(2, 2, cols - 4, c->msg, C_DIM, 0);
	list_draw(&c->l, 3, rows - 2, cols);
}

/* One consult as Markdown: who said what, when, in order. */
static char *
consult_text(json_t *x)
{
	struct buf b;
	json_t *m;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "Kept privately for you and %s (@%s), from the room "
	    "“%s”. Nobody else can read it.\n\n",
	    js(json_object_get(x, "with"), "display_name"),
	    js(json_object_get(x, "with"), "handle"), js(x, "room"));
	json_array_foreach(jarr(x, "messages"), i, m) {
		char when[32];

		short_time(js(m, "at"), when);
		buf_printf(&b, "**%s** (@%s) %s\n\n%s\n\n", js(m,
		    "display_name"), js(m, "handle"), when, js(m, "text"));
	}
	buf_append(&b, "", 1);
	return b.data;
}

static bool
consults_key(struct view *v, int ch, bool is_key)
{
	struct consults *c = (struct consults *)v;
	struct row *r;
	char *text;

	if (list_key(&c->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&c->l)) != NULL) {
		text = consult_text(r->data);
		ui_push(view_message("Private consult", text));
		free(text);
		return true;
	}
	return false;
}

static void
consults_free(struct view *v)
{
	struct consults *c = (struct consults *)v;

	list_free(&c->l);
	free(c);
}

struct view *
view_consults(void)
{
	struct consults *c = xcalloc(1, sizeof *c);

	c->v.title = "Kept consults";
	c->v.keys = "Enter:read";
	c->v.help = "The private consults a host kept (record "
	    "\"transcript\") with you, newest first. Only the two of you can "
	    "read one; it is never posted to the community. **Enter** reads "
	    "it.";
	c->v.draw = consults_draw;
	c->v.key = consults_key;
	c->v.free = consults_free;
	snprintf(c->msg, sizeof c->msg, "Loading…");
	net_call("room.consults", NULL, &c->v, consults_got, c);
	return &c->v;
}
