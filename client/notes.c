/*
 * notes.c: the notifications screen: the member's notifications, newest
 * first, each opening what it is about (a thread, a room, an event, an
 * expert request) and marked read; new ones arrive live (notify.new).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/*
 * A notification names what it is about: a thread, poll, event, room or
 * expert request (ids null when not), and its community.
 */
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
		char when[32];
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

/* The list, and under it the selected notification in full. */
static void
notes_draw(struct view *v, int rows, int cols)
{
	struct notes *n = (struct notes *)v;
	struct row *r = list_cur(&n->l);
	struct rdoc d;
	int dh;

	put_text(1, 1, cols - 2, "Notifications", C_HEAD, A_BOLD);
	if (n->msg[0] != '\0')
		put_text(2, 2, cols - 4, n->msg, C_DIM, 0);
	rdoc_init(&d);
	if (r != NULL)
		rdoc_wrap(&d, js(r->data, "text"), cols - 4);
	dh = (int)d.n > 5 ? 5 : (int)d.n;
	list_draw(&n->l, 3, rows - 2 - (dh > 0 ? dh + 1 : 0), cols);
	for (int i = 0; i < dh; i++)
		put_rline(rows - dh + 1 + i, 2, cols - 4, &d.lines[i]);
	if (dh > 0)
		put_text(rows - dh, 1, cols - 2, "── in full "
		    "──────────────────────────────────────────────────────"
		    "──────────────", C_DIM, 0);
	rdoc_free(&d);
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

/* Enter: open what a notification is about. */
static void
notes_open(struct notes *n, json_t *x)
{
	const char *slug = js(x, "community");
	const char *kind = js(x, "kind");

	/* a join request opens on the Requests tab; an answer on About */
	if (strcmp(kind, "message") == 0)
		ui_push(view_messages());
	else if (strcmp(kind, "survey") == 0 && notify_survey_id(x) > 0)
		ui_push(view_survey(notify_survey_id(x)));
	else if (strcmp(kind, "join_request") == 0 && slug[0] != '\0')
		ui_push(view_community_requests(slug, js(jobj(x, "actor"),
		    "handle")));
	else if (strcmp(kind, "join_decided") == 0 && slug[0] != '\0') {
		json_t *c = json_pack("{s:s, s:s}", "slug", slug, "name",
		    slug);
		ui_push(view_community(c));
		json_decref(c);
	} else if (strncmp(kind, "roadmap_", 8) == 0)
		ui_push(view_roadmap(slug[0] ? slug : NULL, slug[0] ? slug :
		    NULL));
	else if (ji(x, "thread_id")) /* a mention or reply: its post */
		ui_push(view_thread_at(ji(x, "thread_id"), "", ji(x,
		    "post_id")));
	else if (ji(x, "poll_id"))
		ui_push(view_poll(ji(x, "poll_id")));
	else if (ji(x, "room_id") && strcmp(js(x, "kind"),
	    "record_review") == 0)
		ui_push(view_record(ji(x, "room_id")));
	else if (ji(x, "room_id")) /* a room opening, a support call */
		ui_push(view_room(ji(x, "room_id")));
	else if (ji(x, "event_id"))
		ui_push(view_event(ji(x, "event_id")));
	else if (ji(x, "request_id"))
		ui_push(view_experts());
	else if (slug[0] != '\0') {
		json_t *c = json_pack("{s:s, s:s}", "slug", slug, "name",
		    slug);
		ui_push(view_community(c));
		json_decref(c);
	} else
		ui_flash("There is nothing more to open for this one.");
	(void)n;
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
		if (ji(r->data, "id") && !ji(r->data, "read")) {
			net_call("notify.mark_read", json_pack("{s:[I]}",
			    "ids", ji(r->data, "id")), NULL, NULL, NULL);
			json_object_set_new(r->data, "read", json_true());
			r->color = C_NORMAL;
			r->attr = 0;
			if (g_unread_notes > 0)
				g_unread_notes--;
		}
		notes_open(n, r->data);
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

struct view *
view_notes(void)
{
	struct notes *n = xcalloc(1, sizeof *n);

	n->v.title = "Notifications";
	n->v.keys = "Enter:open what it is about  a:mark all read";
	n->v.help = "Newest first, unread in bold; the selected one is shown "
	    "in full under the list. **Enter** marks it read and opens what "
	    "it is about: a thread or poll, the room (it opened, or someone "
	    "there needs support), the event (reminders, changes, an "
	    "accepted talk), your expert requests, or the community. **a** "
	    "marks all read.";
	n->v.draw = notes_draw;
	n->v.key = notes_key;
	n->v.event = notes_event;
	n->v.free = notes_free;
	snprintf(n->msg, sizeof n->msg, "Loading...");
	net_call("notify.list", NULL, &n->v, notes_got, n);
	return &n->v;
}

json_int_t
notify_survey_id(json_t *x)
{
	const char *p = strstr(js(x, "text"), "(survey ");

	return p != NULL ? (json_int_t)atoll(p + 8) : 0;
}
