/*
 * reports.c: the reports queue, the community screen's Reports tab for its
 * leaders and managers. Each open report shows the post, who wrote it and
 * what the reporter said; the moderator hides the post (with a reason its
 * author sees), dismisses the report, or writes to the author. Below the
 * reports, the members muted now, whose mutes can be lifted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct reports {
	struct view *owner;
	char slug[64];
	struct list l;
	char msg[256];
	int count; /* open reports; -1 until known */
	json_t *mutes; /* community.mutes, once known */
	json_t *reports;
};

static void reports_fill(struct reports *);

static void
mutes_got(void *ctx, json_t *result, json_t *error)
{
	struct reports *r = ctx;

	json_decref(r->mutes);
	r->mutes = error == NULL ? json_incref(jarr(result, "mutes")) : NULL;
	reports_fill(r);
}

static void
reports_got(void *ctx, json_t *result, json_t *error)
{
	struct reports *r = ctx;

	json_decref(r->reports);
	r->reports = NULL;
	if (error != NULL) {
		snprintf(r->msg, sizeof r->msg, "%s", err_message(error));
		list_clear(&r->l);
		return;
	}
	r->reports = json_incref(jarr(result, "reports"));
	r->count = (int)json_array_size(r->reports);
	reports_fill(r);
}

/* The list: a report is three rows (what, the post, the reason). */
static void
reports_fill(struct reports *r)
{
	json_t *rep, *m;
	size_t i;

	list_clear(&r->l);
	if (r->reports == NULL)
		return;
	snprintf(r->msg, sizeof r->msg, r->count == 0 ? "No open reports." :
	    "%d open report%s.", r->count, r->count == 1 ? "" : "s");
	json_array_foreach(r->reports, i, rep) {
		char text[600], who[160], when[32], *body;
		author_of(rep, who, sizeof who);
		short_time(js(rep, "created_at"), when);
		snprintf(text, sizeof text, "⚑ %s's post in \"%s\"%s", who,
		    js(rep, "thread_title"), ji(rep, "hidden") ?
		    "  (hidden already)" : "");
		list_add(&r->l, text, when, C_UNREAD, rep, true)->attr =
		    A_BOLD;
		body = xstrdup(js(rep, "body"));
		for (char *s = body; *s != '\0'; s++)
			if (*s == '\n' || *s == '\r' || *s == '\t')
				*s = ' '; /* one line */
		snprintf(text, sizeof text, "    \"%.200s\"", body);
		free(body);
		list_add(&r->l, text, NULL, C_NORMAL, NULL, false);
		snprintf(text, sizeof text, "    Reported by @%s: %s",
		    js(rep, "reporter"), js(rep, "reason"));
		list_add(&r->l, text, NULL, C_DIM, NULL, false);
	}
	if (json_array_size(r->mutes) > 0) {
		list_add(&r->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&r->l, "Muted now (u lifts a mute)", NULL, C_HEAD,
		    NULL, false);
	}
	json_array_foreach(r->mutes, i, m) {
		char text[600];
		snprintf(text, sizeof text, "  @%s until %s: %s",
		    js(m, "handle"), when_show(js(m, "until")),
		    js(m, "reason"));
		list_add(&r->l, text, NULL, C_NORMAL, m, true);
	}
	list_fix(&r->l);
}

struct reports *
reports_new(struct view *owner, const char *slug)
{
	struct reports *r = xcalloc(1, sizeof *r);

	r->owner = owner;
	r->count = -1;
	snprintf(r->slug, sizeof r->slug, "%s", slug);
	return r;
}

void
reports_free(struct reports *r)
{
	if (r == NULL)
		return;
	list_free(&r->l);
	json_decref(r->mutes);
	json_decref(r->reports);
	free(r);
}

void
reports_load(struct reports *r)
{
	net_call("report.list", json_pack("{s:s}", "slug", r->slug), r->owner,
	    reports_got, r);
	net_call("community.mutes", json_pack("{s:s}", "slug", r->slug),
	    r->owner, mutes_got, r);
}

int
reports_count(struct reports *r)
{
	return r->count;
}

/* The count, then (with reports open) the keys on its own line (76 wide). */
void
reports_draw(struct reports *r, int y, int rows, int cols)
{
	int keys = 0;

	if (r->msg[0] != '\0')
		put_text(y++, 2, cols - 4, r->msg, C_DIM, 0);
	if (r->count > 0 && r->reports != NULL) {
		put_text(y++, 2, cols - 4, "H:hide  x:dismiss  c:write to "
		    "author  M:mute author  Enter:open the thread", C_DIM, 0);
		keys = 1;
	}
	list_draw(&r->l, y, rows - 1 - keys, cols);
}

static bool
resolve_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	const char *action = js(args, "action");

	if (strcmp(action, "dismiss") != 0 && vals[0][0] == '\0') {
		snprintf(err, errlen, strcmp(action, "hide") == 0 ?
		    "Say why: the author sees the reason." :
		    "Write what the author should read.");
		return false;
	}
	if (strcmp(vals[1], "yes") != 0) {
		snprintf(err, errlen, "Set the last field to yes (Space) to "
		    "go ahead, or press Esc to cancel.");
		return false;
	}
	if (vals[0][0] != '\0')
		json_object_set_new(args, "message", json_string(vals[0]));
	return true;
}

/* A report is resolved: say so; the queue reloads as the tab shows again. */
static void
resolved(struct view *v, json_t *result)
{
	const char *o = js(result, "outcome");

	(void)v;
	if (strcmp(o, "hidden") == 0)
		ui_flash("Post hidden; its author is told why, the reporter the "
		    "outcome.");
	else if (strcmp(o, "contacted") == 0)
		ui_flash("Message sent to the post's author; the reporter is "
		    "told, without names.");
	else
		ui_flash("Report dismissed; the reporter is told, without "
		    "names.");
}

static void
unmuted(struct view *v, json_t *result)
{
	(void)v;
	ui_flash("@%s may write again.", js(result, "handle"));
}

/* hide, dismiss or contact: a form with the text and a confirmation. */
static struct view *
resolve_form(json_t *rep, const char *action)
{
	struct form_def defs[] = {
		{ NULL, NULL, NULL, NULL },
		{ NULL, "no", "no|yes", NULL },
	};
	const char *title;

	if (strcmp(action, "hide") == 0) {
		title = "Hide the reported post";
		defs[0].label = "Reason";
		defs[0].init = js(rep, "reason");
		defs[0].hint = "its author sees it (never who reported it)";
		defs[1].label = "Hide the post";
	} else if (strcmp(action, "contact") == 0) {
		title = "Write to the post's author";
		defs[0].label = "Message";
		defs[0].hint = "sent as a notification from the community's "
		    "leaders and managers; never names the reporter";
		defs[1].label = "Send it";
	} else {
		title = "Dismiss the report";
		defs[0].label = "Note";
		defs[0].hint = "for the record; may be empty";
		defs[1].label = "Dismiss";
	}
	return form_open(title, js(rep, "thread_title"), "report.resolve",
	    json_pack("{s:I, s:s}", "report_id", ji(rep, "id"), "action",
	    action), defs, 2, resolve_build, resolved);
}

bool
reports_key(struct reports *r, int ch, bool is_key)
{
	struct row *row;
	json_t *d;

	if (list_key(&r->l, ch, is_key))
		return true;
	if ((row = list_cur(&r->l)) == NULL || (d = row->data) == NULL)
		return false;
	if (json_object_get(d, "until") != NULL) { /* a mute */
		if (!is_key && ch == 'u') {
			ui_push(mod_unmute_form(r->slug, js(d, "handle"),
			    unmuted));
			return true;
		}
		return false;
	}
	if (ENTER(ch, is_key)) {
		ui_push(view_thread(ji(d, "thread_id"), js(d, "thread_title")));
		return true;
	}
	if (is_key)
		return false;
	switch (ch) {
	case 'H':
		ui_push(resolve_form(d, "hide"));
		return true;
	case 'x':
		ui_push(resolve_form(d, "dismiss"));
		return true;
	case 'c':
		ui_push(resolve_form(d, "contact"));
		return true;
	case 'M':
		ui_push(mod_mute_form(r->slug, author_handle(d), NULL));
		return true;
	}
	return false;
}
