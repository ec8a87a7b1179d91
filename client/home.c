/*
 * home.c: Home, the first screen: the member's communities, the roundup
 * of what is new, notifications, the rooms open now and upcoming events,
 * kept current by live events; and the keys that work on every screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct home {
	struct view v;
	struct list l;
	json_t *communities;
	json_t *roundup;
	json_t *events;
	json_t *rooms;
	json_t *records; /* room records waiting for my review */
	json_t *suggest; /* member.suggestions (people.c) */
	json_t *surveys; /* survey.list: those waiting for my answer */
	char msg[256];
	bool loaded;
	bool first_community; /* select the first community once listed */
	bool touched; /* a key was pressed here: the selection is theirs */
	bool rooms_seen; /* the first room.list reply came */
	json_int_t pick_room; /* the first room open at login, selected
			       * until a key is pressed (0: none) */
	int drafts; /* unsent drafts kept on the server */
};

static void home_load(struct home *);
static void home_fill(struct home *);

/* The unread private messages are known (messages.c). */
static void
home_refill(struct view *v)
{
	home_fill((struct home *)v);
}

/* An admin or staff member on an empty Home: how the first community is
 * made (on the server's console, by an admin). */
static void
home_first_community(struct home *h)
{
	const char *role = js(g_me, "role");
	char line[300];

	if (strcmp(role, "admin") != 0 && strcmp(role, "staff") != 0)
		return;
	list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
	list_add(&h->l, strcmp(role, "admin") == 0 ? "  To create the first "
	    "community: A (Admin), 3 Communities, c. Or on the server's "
	    "console:" : "  An admin creates the first community (Admin "
	    "screen, or the server's console):", NULL, C_NORMAL, NULL, false);
	snprintf(line, sizeof line, "    hearthctl community create students "
	    "--name \"Students\" --manager %s", js(g_me, "handle"));
	list_add(&h->l, line, NULL, C_CODE, NULL, false);
	list_add(&h->l, "  (any short lowercase name instead of students; "
	    "hearthctl --help lists the rest)", NULL, C_DIM, NULL, false);
}

/* Rebuild the rows: greeting, communities, roundup. */
static void
home_fill(struct home *h)
{
	char line[512];
	json_t *c, *r, *items;
	size_t i;
	int mine = 0;

	json_t *keep = list_cur(&h->l) != NULL ? json_incref(
	    list_cur(&h->l)->data) : NULL;

	list_clear(&h->l);
	snprintf(line, sizeof line, "Welcome, %s", js(g_me, "display_name"));
	list_add(&h->l, line, NULL, C_HEAD, NULL, false);
	if (g_unread_notes > 0) {
		snprintf(line, sizeof line, "You have %d unread "
		    "notification%s (press n).", g_unread_notes,
		    g_unread_notes == 1 ? "" : "s");
		list_add(&h->l, line, NULL, C_UNREAD, NULL, false);
	}
	if (g_unread_messages > 0) { /* messages.c */
		json_t *open = json_pack("{s:s}", "open", "messages");
		snprintf(line, sizeof line, "You have %d unread private "
		    "message%s (press M).", g_unread_messages,
		    g_unread_messages == 1 ? "" : "s");
		list_add(&h->l, line, NULL, C_UNREAD, open, true);
		json_decref(open);
	}
	/* the rooms open now first: above the fold, whatever else there is */
	if (json_array_size(h->rooms) > 0) {
		list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&h->l, "Open rooms (Enter joins)", NULL, C_HEAD, NULL,
		    false);
		json_array_foreach(h->rooms, i, r) {
			char right[160];

			snprintf(line, sizeof line, "  %s%s%s", js(r, "title"),
			    js(r, "topic")[0] ? "  -  " : "", js(r, "topic"));
			snprintf(right, sizeof right, "%s  record: %s",
			    json_is_string(json_object_get(r, "community")) ?
			    js(r, "community") : "platform", js(r, "record"));
			list_add(&h->l, line, right, C_NORMAL, r, true);
		}
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
		if (ji(c, "pending_requests") > 0) /* leaders and managers */
			snprintf(right + strlen(right), sizeof right -
			    strlen(right), "  %lld request%s",
			    (long long)ji(c, "pending_requests"),
			    ji(c, "pending_requests") == 1 ? "" : "s");
		snprintf(line, sizeof line, "%s %s", unread > 0 ? "●" : " ",
		    js(c, "name"));
		list_add(&h->l, line, right, unread > 0 ? C_UNREAD :
		    (role[0] ? C_NORMAL : C_DIM), c, true);
		mine += role[0] != '\0';
	}
	if (json_array_size(h->communities) == 0 && h->loaded) {
		list_add(&h->l, "  There are no communities yet.", NULL, C_DIM,
		    NULL, false);
		home_first_community(h);
	}
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
	people_home_rows(&h->l, h->suggest);
	{
		/* surveys waiting for my answer (S: every survey) */
		size_t n = 0;

		json_array_foreach(h->surveys, i, r)
			n += json_is_true(json_object_get(r, "can_answer"));
		if (n > 0) {
			list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
			snprintf(line, sizeof line, "Surveys for you (%zu; S: "
			    "all surveys)", n);
			list_add(&h->l, line, NULL, C_HEAD, NULL, false);
		}
		json_array_foreach(h->surveys, i, r) {
			json_t *d;
			char when[32], right[48];

			if (!json_is_true(json_object_get(r, "can_answer")))
				continue;
			d = json_pack("{s:s, s:I}", "open", "survey",
			    "survey_id", ji(r, "id"));
			short_time(js(r, "closes_at"), when);
			snprintf(line, sizeof line, "  Answer: %s", js(r,
			    "title"));
			snprintf(right, sizeof right, "until %s", when);
			list_add(&h->l, line, right, C_UNREAD, d, true);
			json_decref(d);
		}
	}
	if (json_array_size(h->records) > 0) {
		list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
		snprintf(line, sizeof line, "Room records to review (%zu)",
		    json_array_size(h->records));
		list_add(&h->l, line, NULL, C_HEAD, NULL, false);
		json_array_foreach(h->records, i, r) {
			char when[32], held[32], right[64];

			short_time(js(r, "review_until"), when);
			short_time(js(r, "opened_at"), held);
			snprintf(line, sizeof line, "  Review: %s (held %s)",
			    js(r, "title"), held);
			snprintf(right, sizeof right, "due %s", when);
			list_add(&h->l, line, right, C_UNREAD, r, true);
		}
	}
	if (json_array_size(h->events) > 0) {
		list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&h->l, "Upcoming events", NULL, C_HEAD, NULL, false);
		json_array_foreach(h->events, i, r) {
			char when[32], right[160];
			short_time(js(r, "next_start")[0] ? js(r, "next_start") :
			    js(r, "starts_at"), when);
			snprintf(line, sizeof line, "  %s  %s%s", when,
			    js(r, "title"), ji(r, "room_id") ? "  (room open)" :
			    "");
			snprintf(right, sizeof right, "%s%s", js(r, "community"),
			    js(r, "my_rsvp")[0] ? "  you: " : "");
			if (js(r, "my_rsvp")[0])
				strncat(right, js(r, "my_rsvp"), sizeof right -
				    strlen(right) - 1);
			list_add(&h->l, line, right, C_NORMAL, r, true);
		}
	}
	list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
	if (h->drafts > 0) {
		snprintf(line, sizeof line, "  Your unsent drafts (%d)",
		    h->drafts);
		c = json_pack("{s:s}", "open", "drafts");
		list_add(&h->l, line, NULL, C_UNREAD, c, true);
		json_decref(c);
	}
	c = json_pack("{s:s}", "open", "programme");
	list_add(&h->l, "  Programme of events (E)", NULL, C_NORMAL, c, true);
	json_decref(c);
	c = json_pack("{s:s}", "open", "experts");
	list_add(&h->l, "  Ask for an expert speaker (X)", NULL, C_NORMAL, c,
	    true);
	json_decref(c);
	c = json_pack("{s:s}", "open", "consults");
	list_add(&h->l, "  Private consults kept for you (K)", NULL, C_NORMAL,
	    c, true);
	json_decref(c);
	c = json_pack("{s:s}", "open", "library");
	list_add(&h->l, "  The platform's library (L)", NULL, C_NORMAL, c,
	    true);
	json_decref(c);
	if (admin_may()) {
		c = json_pack("{s:s}", "open", "admin");
		list_add(&h->l, "  Admin: invites, members, communities, code "
		    "of conduct (A)", NULL, C_NORMAL, c, true);
		json_decref(c);
	}
	/* the row selected before stays selected as rows come and go; if
	 * rooms were open when Home was first listed, the first of them is
	 * selected until the member presses a key (its heading says Enter
	 * joins), else the first community. A room opened later does not
	 * move the selection. */
	int room = -1, pick = -1;

	if (h->pick_room != 0) {
		bool open = false;

		json_array_foreach(h->rooms, i, r)
			open |= ji(r, "room_id") == h->pick_room;
		if (!open || h->touched) {
			/* it closed before a key was pressed: the first
			 * community, as if no room had been open */
			if (!h->touched)
				h->first_community = true;
			h->pick_room = 0;
		}
	}
	for (size_t k = 0; k < h->l.n; k++) {
		json_t *d = h->l.rows[k].data;
		bool is_room;

		if (!h->l.rows[k].pick || d == NULL)
			continue;
		is_room = json_is_integer(json_object_get(d, "room_id"));
		/* the first: the Open rooms row, not an event's below */
		if (is_room && room < 0 && h->pick_room != 0 &&
		    ji(d, "room_id") == h->pick_room)
			room = (int)k;
		if (pick >= 0)
			continue;
		if (h->first_community && !is_room &&
		    json_is_string(json_object_get(d, "slug")))
			pick = (int)k;
		else if (!h->first_community && keep != NULL &&
		    json_equal(d, keep))
			pick = (int)k;
	}
	if (room >= 0) {
		h->l.sel = room;
		h->first_community = false;
	} else if (pick >= 0) {
		h->l.sel = pick;
		h->first_community = false;
	}
	json_decref(keep);
	list_fix(&h->l);
}

static void
home_communities(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	/* first load: select the first community, not the row that was
	 * first before the communities pushed it down */
	if (!h->loaded)
		h->first_community = true;
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
home_events(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional */
	json_decref(h->events);
	h->events = json_incref(jarr(result, "events"));
	home_fill(h);
}

static void
home_rooms(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional */
	json_decref(h->rooms);
	h->rooms = json_incref(jarr(result, "rooms"));
	if (!h->rooms_seen) {
		h->rooms_seen = true;
		h->pick_room = json_array_size(h->rooms) > 0 ?
		    ji(json_array_get(h->rooms, 0), "room_id") : 0;
	}
	home_fill(h);
}

static void
home_records(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional */
	json_decref(h->records);
	h->records = json_incref(jarr(result, "records"));
	home_fill(h);
}

static void
home_drafts(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional */
	h->drafts = (int)json_array_size(jarr(result, "drafts"));
	home_fill(h);
}

static void
home_suggest(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional */
	json_decref(h->suggest);
	h->suggest = json_incref(result);
	home_fill(h);
}

static void
home_surveys(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	if (error != NULL)
		return; /* optional */
	json_decref(h->surveys);
	h->surveys = json_incref(jarr(result, "surveys"));
	home_fill(h);
}

static void
home_load(struct home *h)
{
	net_call("draft.list", NULL, &h->v, home_drafts, h);
	net_call("survey.list", NULL, &h->v, home_surveys, h);
	net_call("room.records", NULL, &h->v, home_records, h);
	net_call("room.list", NULL, &h->v, home_rooms, h);
	net_call("event.list", json_pack("{s:I}", "limit", (json_int_t)5),
	    &h->v, home_events, h);
	net_call("community.list", NULL, &h->v, home_communities, h);
	if (h->roundup == NULL)
		net_call("roundup.get", json_pack("{s:b}", "mark", 1), &h->v,
		    home_roundup, h);
	net_call("notify.list", NULL, &h->v, home_notes, h);
	messages_count(&h->v, home_refill);
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

	h->touched = true; /* from now on the selection stays theirs */
	if (list_key(&h->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&h->l)) != NULL) {
		if (strcmp(js(r->data, "open"), "messages") == 0)
			ui_push(view_messages());
		else if (strcmp(js(r->data, "open"), "programme") == 0)
			ui_push(view_programme(NULL));
		else if (strcmp(js(r->data, "open"), "experts") == 0)
			ui_push(view_experts());
		else if (strcmp(js(r->data, "open"), "consults") == 0)
			ui_push(view_consults());
		else if (strcmp(js(r->data, "open"), "library") == 0)
			ui_push(view_platform_library());
		else if (strcmp(js(r->data, "open"), "health") == 0)
			ui_push(view_health(NULL, NULL));
		else if (strcmp(js(r->data, "open"), "admin") == 0)
			ui_push(view_admin());
		else if (strcmp(js(r->data, "open"), "drafts") == 0)
			ui_push(view_drafts());
		else if (people_home_open(r->data))
			;
		else if (strcmp(js(r->data, "open"), "survey") == 0)
			ui_push(view_survey(ji(r->data, "survey_id")));
		else if (js(r->data, "review_until")[0])
			ui_push(view_record(ji(r->data, "room_id")));
		else if (ji(r->data, "room_id") && !ji(r->data, "starts_at") &&
		    json_object_get(r->data, "record") != NULL)
			ui_push(view_room(ji(r->data, "room_id")));
		else if (js(r->data, "starts_at")[0])
			ui_push(view_event(ji(r->data, "id")));
		else if (ji(r->data, "thread_id"))
			ui_push(view_thread_at(ji(r->data, "thread_id"),
			    js(r->data, "title"), ji(r->data, "post_id")));
		else
			ui_push(view_community(r->data));
		return true;
	}
	if (!is_key && ch == 'M') {
		ui_push(view_messages());
		return true;
	}
	if (!is_key && ch == 'R') {
		home_load(h);
		return true;
	}
	if (!is_key && ch == 'S') {
		ui_push(view_surveys(NULL, NULL));
		return true;
	}
	if (!is_key && ch == 'A' && admin_may()) {
		ui_push(view_admin());
		return true;
	}
	if (!is_key && ch == 'L') { /* the platform's library */
		ui_push(view_platform_library());
		return true;
	}
	if (!is_key && ch == 'P') { /* the platform's roadmap */
		ui_push(view_roadmap(NULL, NULL));
		return true;
	}
	if (!is_key && ch == 'H') { /* staff: the platform's health */
		if (strcmp(js(g_me, "role"), "member") == 0)
			ui_flash("The platform's health is for staff. Open a "
			    "community you lead or manage: its tab 8.");
		else
			ui_push(view_health(NULL, NULL));
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

	if (strcmp(name, "client.reconnected") == 0 ||
	    strcmp(name, "client.shown") == 0)
		home_load(h); /* unread counts may have changed */
	if (strcmp(name, "notify.new") == 0 ||
	    strcmp(name, "thread.new_post") == 0)
		home_fill(h);
	/* request counts and memberships change with these */
	if ((strcmp(name, "notify.new") == 0 && strncmp(js(data, "kind"),
	    "join_", 5) == 0) || strcmp(name, "community.joined") == 0 ||
	    strcmp(name, "community.left") == 0)
		home_load(h);
	/* a newcomer's first community: people to meet there */
	if (strcmp(name, "community.joined") == 0 ||
	    strcmp(name, "community.left") == 0)
		people_home_load(&h->v, home_suggest, h);
	if (strcmp(name, "notify.new") == 0 && strncmp(js(data, "kind"),
	    "record_", 7) == 0)
		net_call("room.records", NULL, v, home_records, h);
	/* a new post somewhere: the unread counts, if Home is in view */
	if (strcmp(name, "community.activity") == 0 && ui_top() == v)
		net_call("community.list", NULL, v, home_communities, h);
	if (strcmp(name, "message.new") == 0 ||
	    strcmp(name, "message.read") == 0)
		messages_count(v, home_refill);
	if (strcmp(name, "survey.opened") == 0)
		net_call("survey.list", NULL, v, home_surveys, h);
	if (strcmp(name, "room.listed") == 0) { /* opened or closed */
		net_call("room.list", NULL, v, home_rooms, h);
		if (!json_is_true(json_object_get(data, "open")))
			net_call("room.records", NULL, v, home_records, h);
	}
}

static void
home_free(struct view *v)
{
	struct home *h = (struct home *)v;

	list_free(&h->l);
	json_decref(h->communities);
	json_decref(h->roundup);
	json_decref(h->events);
	json_decref(h->rooms);
	json_decref(h->records);
	json_decref(h->suggest);
	json_decref(h->surveys);
	free(h);
}

struct view *
view_home(void)
{
	struct home *h = xcalloc(1, sizeof *h);

	h->v.title = "Home";
	h->v.keys = admin_may() ? "Enter:open  A:admin  H:health  "
	    "n:notifications  M:messages  /:search  d:directory  p:profile  "
	    "L:library" : "Enter:open  n:notifications  M:messages  /:search  "
	    "d:directory  p:profile  E:programme  L:library";
	h->v.help = "Your communities (● has something new), then what "
	    "happened since your last visit. **q** on this screen leaves "
	    "Hearth. Staff: **H** shows the platform's health. **M**: your "
	    "private messages. **S** lists your surveys (those waiting for "
	    "your answer are on Home). **P**: the platform's roadmap. **L**: "
	    "the platform's library (documents staff publish for everyone).";
	h->v.draw = home_draw;
	h->v.key = home_key;
	h->v.event = home_event;
	h->v.free = home_free;
	home_fill(h);
	people_home_load(&h->v, home_suggest, h); /* once: they change slowly */
	home_load(h);
	return &h->v;
}

/* Keys that work on every screen but the composer and forms. */
bool
home_global_key(int ch, bool is_key)
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
		ui_push(view_directory());
		return true;
	case 'p':
		ui_push(view_profile(js(g_me, "handle")));
		return true;
	case 'E':
		ui_push(view_programme(NULL));
		return true;
	case 'X':
		ui_push(view_experts());
		return true;
	case 'K':
		ui_push(view_consults());
		return true;

	case 'h':
		while (ui_top() != NULL && ui_top()->below != NULL)
			ui_pop();
		return true;
	}
	return false;
}
