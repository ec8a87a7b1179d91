/*
 * msgreports.c: staff's queue of reported private messages (M on the
 * Admin screen): each report shows the one message reported, its author,
 * who reported it and why; never the rest of the conversation (the server
 * does not send it). x dismisses, c writes to the author; either answers
 * every report of that message and tells the reporters the outcome.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct msgreports {
	struct view v;
	struct list l;
	char msg[256];
};

static void msgreports_load(struct msgreports *);

static void
msgreports_got(void *ctx, json_t *result, json_t *error)
{
	struct msgreports *m = ctx;
	json_t *x;
	size_t i;

	list_clear(&m->l);
	if (error != NULL) {
		snprintf(m->msg, sizeof m->msg, "%s", err_message(error));
		list_fix(&m->l);
		return;
	}
	snprintf(m->msg, sizeof m->msg, "%s", json_array_size(jarr(result,
	    "reports")) ? "x: dismiss   c: write to its author (every report "
	    "of that message is answered)" : "No reported private messages.");
	json_array_foreach(jarr(result, "reports"), i, x) {
		char line[600], when[32];
		char *body = snippet_clean(js(x, "body")), *why;

		short_time(js(x, "created_at"), when);
		snprintf(line, sizeof line, "@%s wrote: %s", js(json_object_get(
		    x, "author"), "handle"), body);
		free(body);
		list_add(&m->l, line, when, C_NORMAL, x, true);
		why = snippet_clean(js(x, "reason"));
		snprintf(line, sizeof line, "    reported by @%s: %s", js(x,
		    "reporter"), why);
		free(why);
		list_add(&m->l, line, NULL, C_DIM, NULL, false);
	}
	list_fix(&m->l);
}

static void
msgreports_load(struct msgreports *m)
{
	net_call("message.reports", NULL, &m->v, msgreports_got, m);
}

static void
msgreports_draw(struct view *v, int rows, int cols)
{
	struct msgreports *m = (struct msgreports *)v;

	put_text(1, 1, cols - 2, "Reported private messages", C_HEAD, A_BOLD);
	put_text(2, 2, cols - 4, m->msg, C_DIM, 0);
	list_draw(&m->l, 4, rows - 3, cols);
}

static bool
answer_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	bool contact = strcmp(js(args, "action"), "contact") == 0;

	if (contact && vals[0][0] == '\0') {
		snprintf(err, len, "Write what the author should read.");
		return false;
	}
	if (strcmp(vals[contact ? 1 : 0], "yes") != 0) {
		snprintf(err, len, "Set the last field to yes (Space) to go "
		    "ahead, or press Esc to cancel.");
		return false;
	}
	if (contact)
		json_object_set_new(args, "message", json_string(vals[0]));
	return true;
}

static void
answered(struct view *v, json_t *result)
{
	(void)v;
	if (strcmp(js(result, "outcome"), "contacted") == 0)
		ui_flash("The author has been written to; the reporter is "
		    "told, without names.");
	else
		ui_flash("Report %s; the reporter is told, without names.",
		    js(result, "outcome"));
}

static bool
msgreports_key(struct view *v, int ch, bool is_key)
{
	struct msgreports *m = (struct msgreports *)v;
	struct row *r;
	json_t *args;

	if (list_key(&m->l, ch, is_key))
		return true;
	if (is_key)
		return false;
	if (ch == 'R') {
		msgreports_load(m);
		return true;
	}
	if ((r = list_cur(&m->l)) == NULL || r->data == NULL ||
	    (ch != 'x' && ch != 'c'))
		return false;
	args = json_pack("{s:I, s:s}", "report_id", ji(r->data, "id"),
	    "action", ch == 'c' ? "contact" : "dismiss");
	if (ch == 'c') {
		static const struct form_def defs[] = {
			{ "Message", "", NULL, "its author reads it from "
			    "Hearth's staff; it never names the reporter" },
			{ "Send it", "no", "no|yes", NULL },
		};
		ui_push(form_open("Write to the message's author", js(r->data,
		    "body"), "message.report_resolve", args, defs, 2,
		    answer_build, answered));
	} else {
		static const struct form_def defs[] = {
			{ "Dismiss (no action)", "no", "no|yes", NULL },
		};
		ui_push(form_open("Dismiss the report", js(r->data, "body"),
		    "message.report_resolve", args, defs, 1, answer_build,
		    answered));
	}
	return true;
}

static void
msgreports_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0)
		msgreports_load((struct msgreports *)v);
}

static void
msgreports_free(struct view *v)
{
	struct msgreports *m = (struct msgreports *)v;

	list_free(&m->l);
	free(m);
}

struct view *
view_msgreports(void)
{
	struct msgreports *m = xcalloc(1, sizeof *m);

	m->v.title = "Reported messages";
	m->v.keys = "x:dismiss  c:write to the author  R:reload";
	m->v.help = "Private messages members reported to staff, oldest "
	    "first: the message reported (only that one: nothing else of "
	    "the conversation), its author, who reported it and why. **x** "
	    "dismisses it (no action), **c** writes to its author (they are "
	    "not told who reported it); either answers every report of that "
	    "message, and each reporter is told the outcome.";
	m->v.draw = msgreports_draw;
	m->v.key = msgreports_key;
	m->v.event = msgreports_event;
	m->v.free = msgreports_free;
	snprintf(m->msg, sizeof m->msg, "Loading...");
	msgreports_load(m);
	return &m->v;
}
