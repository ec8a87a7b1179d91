/*
 * requests.c: a community's Requests tab for its leaders and managers:
 * the join requests waiting (who asks, when, as what, their message and a
 * line of their profile), each approved (as a member or as interested) or
 * declined with a message the member sees; and the "who left" list the
 * Members tab shows on L. community.c owns the tabs and calls in here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct reqpane {
	struct view *owner;
	char slug[64];
	char name[160];
	struct list l;
	char msg[256];
	char want[48]; /* select this handle once loaded (from a notification) */
	bool departures; /* the "who left" list instead of requests */
};

struct reqpane *
reqpane_new(struct view *owner, const char *slug, const char *name,
    bool departures)
{
	struct reqpane *p = xcalloc(1, sizeof *p);

	p->owner = owner;
	p->departures = departures;
	snprintf(p->slug, sizeof p->slug, "%s", slug);
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->msg, sizeof p->msg, "Loading...");
	return p;
}

void
reqpane_free(struct reqpane *p)
{
	if (p == NULL)
		return;
	list_free(&p->l);
	free(p);
}

/* Select the request of this handle when it is (or once it is) listed. */
void
reqpane_select(struct reqpane *p, const char *handle)
{
	snprintf(p->want, sizeof p->want, "%s", handle);
	for (size_t i = 0; i < p->l.n; i++)
		if (p->l.rows[i].pick && strcmp(js(p->l.rows[i].data, "handle"),
		    handle) == 0) {
			p->l.sel = (int)i;
			p->want[0] = '\0';
			return;
		}
}

/* "Counsellor, Mind Matters, Leeds" from whatever the profile has. */
static void
profile_line(json_t *r, char *out, size_t len)
{
	const char *parts[] = { js(r, "job_role"), js(r, "organisation"),
		js(r, "region") };
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 3; i++) {
		if (parts[i][0] == '\0')
			continue;
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s",
		    n > 0 ? ", " : "", parts[i]);
		if (n >= len)
			break;
	}
}

static void
requests_got(void *ctx, json_t *result, json_t *error)
{
	struct reqpane *p = ctx;
	json_t *a, *r;
	size_t i;

	list_clear(&p->l);
	p->msg[0] = '\0';
	if (error != NULL) {
		snprintf(p->msg, sizeof p->msg, "%s", err_message(error));
		return;
	}
	a = jarr(result, "requests");
	if (json_array_size(a) == 0)
		snprintf(p->msg, sizeof p->msg, "No join requests are waiting. "
		    "New ones appear here and in your notifications.");
	else
		snprintf(p->msg, sizeof p->msg, "%zu waiting. a:approve  "
		    "d:decline  Enter:their profile", json_array_size(a));
	json_array_foreach(a, i, r) {
		char text[400], when[32];
		short_time(js(r, "created_at"), when);
		snprintf(text, sizeof text, "%s  @%s  asks to join as %s",
		    js(r, "display_name"), js(r, "handle"), js(r, "role"));
		list_add(&p->l, text, when, C_UNREAD, r, true);
	}
	list_fix(&p->l);
	if (p->want[0] != '\0')
		reqpane_select(p, p->want);
}

static void
departures_got(void *ctx, json_t *result, json_t *error)
{
	struct reqpane *p = ctx;
	json_t *a, *r;
	size_t i;

	list_clear(&p->l);
	p->msg[0] = '\0';
	if (error != NULL) {
		snprintf(p->msg, sizeof p->msg, "%s", err_message(error));
		return;
	}
	a = jarr(result, "departures");
	snprintf(p->msg, sizeof p->msg, json_array_size(a) == 0 ?
	    "Nobody has left %s. (l: back to the members)" :
	    "Who left %s, newest first. (l: back to the members)", p->name);
	json_array_foreach(a, i, r) {
		char text[400], when[32];
		short_time(js(r, "left_at"), when);
		if (json_is_true(json_object_get(r, "removed")))
			snprintf(text, sizeof text, "%s  @%s  (%s), removed by "
			    "%s%s", js(r, "display_name"), js(r, "handle"),
			    js(r, "role"), js(r, "removed_by")[0] ?
			    js(r, "removed_by") : "an administrator",
			    json_is_true(json_object_get(r, "back")) ?
			    "; back since" : "");
		else
			snprintf(text, sizeof text, "%s  @%s  (%s) left%s",
			    js(r, "display_name"), js(r, "handle"),
			    js(r, "role"), json_is_true(json_object_get(r,
			    "back")) ? "; back since" : "");
		list_add(&p->l, text, when, C_NORMAL, r, true);
	}
	list_fix(&p->l);
}

void
reqpane_load(struct reqpane *p)
{
	json_t *args = json_pack("{s:s, s:i}", "slug", p->slug, "limit", 200);

	if (p->departures)
		net_call("community.departures", args, p->owner,
		    departures_got, p);
	else
		net_call("community.requests", args, p->owner, requests_got,
		    p);
}

/* The list, and under it the selected request's message and profile. */
void
reqpane_draw(struct reqpane *p, int y, int rows, int cols)
{
	struct row *r = list_cur(&p->l);
	struct rdoc d;
	char prof[300];
	int dh = 0;

	if (p->msg[0] != '\0')
		put_text(y++, 2, cols - 4, p->msg, C_DIM, 0), rows--;
	rdoc_init(&d);
	if (r != NULL && !p->departures) {
		profile_line(r->data, prof, sizeof prof);
		rdoc_add(&d, prof[0] ? prof : "(no profile details yet)",
		    ST_DIM, cols - 4);
		rdoc_wrap(&d, js(r->data, "message")[0] ? js(r->data,
		    "message") : "(no message)", cols - 4);
		dh = (int)d.n > rows / 2 ? rows / 2 : (int)d.n;
	}
	list_draw(&p->l, y, rows - (dh > 0 ? dh + 1 : 0), cols);
	if (dh > 0)
		put_text(y + rows - dh - 1, 1, cols - 2, "── who they are, "
		    "their message ──────────────────────────────────────────"
		    "──────────────", C_DIM, 0);
	for (int i = 0; i < dh; i++)
		put_rline(y + rows - dh + i, 2, cols - 4, &d.lines[i]);
	rdoc_free(&d);
}

static void
decided(struct view *below, json_t *result)
{
	(void)below;
	if (strcmp(js(result, "status"), "approved") == 0)
		ui_flash("@%s is in, as %s. They have been told.",
		    js(result, "handle"), js(result, "role"));
	else
		ui_flash("@%s's request was declined. They have been told.",
		    js(result, "handle"));
}

static bool
decline_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	(void)err;
	(void)len;
	if (vals[0][0] != '\0')
		json_object_set_new(args, "message", json_string(vals[0]));
	return true;
}

/* The approve or decline form for one request. */
static void
decide_open(json_t *r, bool approve)
{
	char title[300], intro[400];
	json_t *args = json_pack("{s:I, s:b}", "request_id", ji(r, "id"),
	    "approve", approve);

	snprintf(title, sizeof title, "%s %s (@%s)", approve ? "Approve" :
	    "Decline", js(r, "display_name"), js(r, "handle"));
	snprintf(intro, sizeof intro, "They asked to join as %s%s%s%s",
	    js(r, "role"), js(r, "message")[0] ? ": “" : ".",
	    js(r, "message"), js(r, "message")[0] ? "”" : "");
	if (approve) {
		struct form_def defs[] = {
			{ "As", strcmp(js(r, "role"), "interested") == 0 ?
			    "interested" : "member", "member|interested",
			    "A member takes part fully|Interested: reads and "
			    "replies, but starts no threads" },
			{ "Message to them", NULL, NULL, "Optional; they see "
			    "it with the answer. Enter sends." },
		};
		ui_push(form_open(title, intro, "community.decide", args, defs,
		    2, community_as_message_build, decided));
	} else {
		struct form_def defs[] = {
			{ "Message to them", NULL, NULL, "Why, kindly; they "
			    "see it with the answer. Enter sends." },
		};
		ui_push(form_open(title, intro, "community.decide", args, defs,
		    1, decline_build, decided));
	}
}

bool
reqpane_key(struct reqpane *p, int ch, bool is_key)
{
	struct row *r;

	if (list_key(&p->l, ch, is_key))
		return true;
	if ((r = list_cur(&p->l)) == NULL)
		return false;
	if ((!is_key && ch == 'p') || ENTER(ch, is_key)) {
		ui_push(view_profile(js(r->data, "handle")));
		return true;
	}
	if (p->departures)
		return false;
	if (!is_key && ch == 'a') {
		decide_open(r->data, true);
		return true;
	}
	if (!is_key && ch == 'd') {
		decide_open(r->data, false);
		return true;
	}
	return false;
}
