/*
 * views.c: the other screens (profile, search and directory,
 * notifications, Home, the join form, the first run) and the choice of the
 * first screen from the server's greeting. Each asks the server with
 * net_call and draws what it has; an operation the server lacks shows
 * "not available yet".
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

/* ---- profile ---- */

static const char *profile_fields[][2] = {
	{ "display_name", "Name" }, { "pronouns", "Pronouns" },
	{ "job_role", "Role" }, { "organisation", "Organisation" },
	{ "region", "Region" }, { "bio", "About" },
	{ "contact", "Contact" },
};
#define NPF (sizeof profile_fields / sizeof profile_fields[0])

struct profile {
	struct view v;
	char handle[64];
	json_t *p;
	char msg[256];
	bool editing;
	int on;
	struct field f[NPF];
	bool mine;
	bool first_run; /* open for editing as soon as it arrives */
	bool was_first_run;
};

static void
profile_edit(struct profile *pr)
{
	pr->editing = true;
	pr->on = 0;
	for (size_t i = 0; i < NPF; i++) {
		pr->f[i].label = profile_fields[i][1];
		snprintf(pr->f[i].text, sizeof pr->f[i].text, "%s",
		    js(pr->p, profile_fields[i][0]));
		pr->f[i].len = strlen(pr->f[i].text);
	}
}

static void
profile_got(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;

	if (error != NULL) {
		snprintf(pr->msg, sizeof pr->msg, "%s", err_message(error));
		return;
	}
	pr->msg[0] = '\0';
	json_decref(pr->p);
	pr->p = json_incref(jobj(result, "profile"));
	if (js(pr->p, "handle")[0])
		snprintf(pr->handle, sizeof pr->handle, "%s", js(pr->p,
		    "handle"));
	pr->mine = g_me != NULL && strcmp(pr->handle, js(g_me, "handle"))
	    == 0;
	if (pr->first_run && pr->mine) {
		pr->first_run = false;
		pr->was_first_run = true;
		profile_edit(pr);
		/* the name is filled in already: start on the first empty
		 * field, so typing does not run on into the name */
		for (size_t i = 0; i < NPF; i++)
			if (pr->f[i].len == 0) {
				pr->on = (int)i;
				break;
			}
	}
}

static void
profile_draw(struct view *v, int rows, int cols)
{
	struct profile *pr = (struct profile *)v;
	int y = 2;
	char line[160];

	snprintf(line, sizeof line, "@%s", pr->handle);
	put_text(1, 2, cols - 4, line, C_HEAD, A_BOLD);
	if (pr->msg[0] != '\0')
		put_text(y++, 2, cols - 4, pr->msg, C_DIM, 0);
	for (size_t i = 0; i < NPF && y < rows; i++) {
		if (pr->editing) {
			int end = field_draw(&pr->f[i], y, 2, cols - 4,
			    (int)i == pr->on);
			if ((int)i == pr->on)
				ui_cursor(y, end);
			y += 2;
			continue;
		}
		if (js(pr->p, profile_fields[i][0])[0] == '\0')
			continue;
		put_text(y, 2, 16, profile_fields[i][1], C_DIM, 0);
		put_text(y++, 18, cols - 20, js(pr->p, profile_fields[i][0]),
		    C_NORMAL, 0);
	}
	{
		json_t *ex = json_object_get(pr->p, "expertise"), *t;
		size_t i;
		if (!pr->editing && json_array_size(ex) > 0 && y < rows) {
			char tags[512] = "";
			json_array_foreach(ex, i, t) {
				strncat(tags, json_string_value(t) ?
				    json_string_value(t) : "", sizeof tags -
				    strlen(tags) - 3);
				strncat(tags, "  ", sizeof tags - strlen(tags) -
				    1);
			}
			put_text(y, 2, 16, "Expertise", C_DIM, 0);
			put_text(y++, 18, cols - 20, tags, C_NORMAL, 0);
		}
	}
}

static void
profile_saved(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;

	if (error != NULL) {
		snprintf(pr->msg, sizeof pr->msg, "%s", err_message(error));
		return;
	}
	pr->editing = false;
	if (pr->was_first_run)
		ui_flash("Profile saved. Next: open a community, join it (J) "
		    "and introduce yourself (i).");
	else
		ui_flash("Profile saved.");
	pr->was_first_run = false;
	if (json_is_object(json_object_get(result, "profile")))
		profile_got(pr, result, NULL);
	else
		net_call("profile.get", json_pack("{s:s}", "handle",
		    pr->handle), &pr->v, profile_got, pr);
}

static bool
profile_key(struct view *v, int ch, bool is_key)
{
	struct profile *pr = (struct profile *)v;

	if (pr->editing) {
		if (!is_key && ch == 27) {
			pr->editing = false;
			return true;
		}
		if (!is_key && ch == KEY_CTRL('s')) {
			json_t *args = json_object();
			for (size_t i = 0; i < NPF; i++)
				json_object_set_new(args, profile_fields[i][0],
				    json_string(pr->f[i].text));
			net_call("profile.update", args, v, profile_saved, pr);
			return true;
		}
		if ((is_key && ch == KEY_DOWN) || (!is_key && (ch == '\t' ||
		    ch == '\r' || ch == '\n'))) {
			pr->on = (pr->on + 1) % (int)NPF;
			return true;
		}
		if ((is_key && (ch == KEY_UP || ch == KEY_BTAB))) {
			pr->on = (pr->on + (int)NPF - 1) % (int)NPF;
			return true;
		}
		field_key(&pr->f[pr->on], ch, is_key);
		return true;
	}
	if (!is_key && ch == 'e' && pr->mine) {
		profile_edit(pr);
		return true;
	}
	return false;
}

static void
profile_free(struct view *v)
{
	struct profile *pr = (struct profile *)v;

	json_decref(pr->p);
	free(pr);
}

struct view *
view_profile(const char *handle)
{
	struct profile *pr = xcalloc(1, sizeof *pr);
	json_t *args = json_object();

	pr->v.title = "Profile";
	pr->v.keys = "e:edit (yours)  editing: Tab/Down:next field  "
	    "Ctrl-S:save  Esc:cancel";
	pr->v.draw = profile_draw;
	pr->v.key = profile_key;
	pr->v.free = profile_free;
	snprintf(pr->handle, sizeof pr->handle, "%s", handle);
	snprintf(pr->msg, sizeof pr->msg, "Loading...");
	if (handle[0] != '\0')
		json_object_set_new(args, "handle", json_string(handle));
	net_call("profile.get", args, &pr->v, profile_got, pr);
	return &pr->v;
}

/* ---- search (global, or the member directory) ---- */

struct search {
	struct view v;
	bool directory;
	struct field q;
	bool typing;
	struct list l;
	char msg[256];
};

static void
search_got(void *ctx, json_t *result, json_t *error)
{
	struct search *s = ctx;
	json_t *a, *r;
	size_t i;

	list_clear(&s->l);
	if (error != NULL) {
		snprintf(s->msg, sizeof s->msg, "%s", err_message(error));
		return;
	}
	a = jarr(result, s->directory ? "members" : "results");
	snprintf(s->msg, sizeof s->msg, "%zu found.", json_array_size(a));
	json_array_foreach(a, i, r) {
		char text[600];
		if (s->directory) {
			snprintf(text, sizeof text, "%s  @%s  %s",
			    js(r, "display_name"), js(r, "handle"),
			    js(r, "job_role"));
			list_add(&s->l, text, js(r, "region"), C_NORMAL, r,
			    true);
			continue;
		}
		snprintf(text, sizeof text, "%s", js(r, "title")[0] ?
		    js(r, "title") : js(r, "name"));
		list_add(&s->l, text, js(json_object_get(r, "community"),
		    "name")[0] ? js(json_object_get(r, "community"), "name") :
		    js(r, "kind"), C_HEAD, r, true);
		if (js(r, "snippet")[0]) {
			char *clean = snippet_clean(js(r, "snippet"));
			snprintf(text, sizeof text, "    %s", clean);
			free(clean);
			list_add(&s->l, text, NULL, C_DIM, NULL, false);
		}
	}
	list_fix(&s->l);
}

static void
search_draw(struct view *v, int rows, int cols)
{
	struct search *s = (struct search *)v;
	int end = field_draw(&s->q, 1, 2, cols - 4, s->typing);

	if (s->typing)
		ui_cursor(1, end);
	if (s->msg[0] != '\0')
		put_text(2, 2, cols - 4, s->msg, C_DIM, 0);
	list_draw(&s->l, 3, rows - 2, cols);
}

static bool
search_key(struct view *v, int ch, bool is_key)
{
	struct search *s = (struct search *)v;
	struct row *r;

	if (s->typing) {
		if (ENTER(ch, is_key)) {
			s->typing = false;
			snprintf(s->msg, sizeof s->msg, "Searching...");
			net_call(s->directory ? "member.search" :
			    "search.query", json_pack("{s:s}", "q",
			    s->q.text), v, search_got, s);
			return true;
		}
		if (!is_key && ch == 27) {
			ui_pop();
			return true;
		}
		if (is_key && ch == KEY_DOWN) {
			s->typing = false;
			return true;
		}
		field_key(&s->q, ch, is_key);
		return true; /* typing: no key means anything else */
	}
	if (!is_key && ch == '/') {
		s->typing = true;
		return true;
	}
	if (list_key(&s->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&s->l)) != NULL) {
		if (s->directory || (js(r->data, "handle")[0] &&
		    !ji(r->data, "thread_id")))
			ui_push(view_profile(js(r->data, "handle")));
		else if (ji(r->data, "thread_id") || ji(r->data, "thread"))
			ui_push(view_thread(ji(r->data, "thread_id") ?
			    ji(r->data, "thread_id") : ji(r->data, "thread"),
			    js(r->data, "title")));
		return true;
	}
	return false;
}

static void
search_free(struct view *v)
{
	struct search *s = (struct search *)v;

	list_free(&s->l);
	free(s);
}

struct view *
view_search(bool directory)
{
	struct search *s = xcalloc(1, sizeof *s);

	s->v.title = directory ? "Directory" : "Search";
	s->v.keys = "type, Enter:search  /:new search  Enter:open";
	s->v.draw = search_draw;
	s->v.key = search_key;
	s->v.free = search_free;
	s->directory = directory;
	s->typing = true;
	s->q.label = directory ? "Find members" : "Search";
	return &s->v;
}

/* ---- notifications ---- */

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
		char when[20];
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

/* Word-wrap text to width columns into d (plain, no Markdown). */
static void
wrap_plain(struct rdoc *d, const char *text, int width)
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
		wrap_plain(&d, js(r->data, "text"), cols - 4);
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

	if (ji(x, "thread_id"))
		ui_push(view_thread(ji(x, "thread_id"), ""));
	else if (ji(x, "poll_id"))
		ui_push(view_poll(ji(x, "poll_id")));
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

/* ---- home ---- */

struct home {
	struct view v;
	struct list l;
	json_t *communities;
	json_t *roundup;
	json_t *events;
	json_t *rooms;
	char msg[256];
	bool loaded;
};

static void home_load(struct home *);

/* Rebuild the rows: greeting, communities, roundup. */
static void
home_fill(struct home *h)
{
	char line[512];
	json_t *c, *r, *items;
	size_t i;
	int mine = 0;

	list_clear(&h->l);
	snprintf(line, sizeof line, "Welcome, %s", js(g_me, "display_name"));
	list_add(&h->l, line, NULL, C_HEAD, NULL, false);
	if (g_unread_notes > 0) {
		snprintf(line, sizeof line, "You have %d unread "
		    "notification%s (press n).", g_unread_notes,
		    g_unread_notes == 1 ? "" : "s");
		list_add(&h->l, line, NULL, C_UNREAD, NULL, false);
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
		snprintf(line, sizeof line, "%s %s", unread > 0 ? "●" : " ",
		    js(c, "name"));
		list_add(&h->l, line, right, unread > 0 ? C_UNREAD :
		    (role[0] ? C_NORMAL : C_DIM), c, true);
		mine += role[0] != '\0';
	}
	if (json_array_size(h->communities) == 0 && h->loaded)
		list_add(&h->l, "  There are no communities yet.", NULL, C_DIM,
		    NULL, false);
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
	if (json_array_size(h->rooms) > 0) {
		list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&h->l, "Open rooms", NULL, C_HEAD, NULL, false);
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
	if (json_array_size(h->events) > 0) {
		list_add(&h->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&h->l, "Upcoming events", NULL, C_HEAD, NULL, false);
		json_array_foreach(h->events, i, r) {
			char when[20], right[160];
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
	list_fix(&h->l);
}

static void
home_communities(void *ctx, json_t *result, json_t *error)
{
	struct home *h = ctx;

	/* first load: select the first community, not the row that was
	 * first before the communities pushed it down */
	if (!h->loaded)
		h->l.sel = 0;
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
	home_fill(h);
}

static void
home_load(struct home *h)
{
	net_call("room.list", NULL, &h->v, home_rooms, h);
	net_call("event.list", json_pack("{s:I}", "limit", (json_int_t)5),
	    &h->v, home_events, h);
	net_call("community.list", NULL, &h->v, home_communities, h);
	if (h->roundup == NULL)
		net_call("roundup.get", json_pack("{s:b}", "mark", 1), &h->v,
		    home_roundup, h);
	net_call("notify.list", NULL, &h->v, home_notes, h);
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

	if (list_key(&h->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&h->l)) != NULL) {
		if (strcmp(js(r->data, "open"), "programme") == 0)
			ui_push(view_programme(NULL));
		else if (strcmp(js(r->data, "open"), "experts") == 0)
			ui_push(view_experts());
		else if (strcmp(js(r->data, "open"), "consults") == 0)
			ui_push(view_consults());
		else if (ji(r->data, "room_id") && !ji(r->data, "starts_at") &&
		    json_object_get(r->data, "record") != NULL)
			ui_push(view_room(ji(r->data, "room_id")));
		else if (js(r->data, "starts_at")[0])
			ui_push(view_event(ji(r->data, "id")));
		else if (ji(r->data, "thread_id"))
			ui_push(view_thread(ji(r->data, "thread_id"),
			    js(r->data, "title")));
		else
			ui_push(view_community(r->data));
		return true;
	}
	if (!is_key && ch == 'R') {
		home_load(h);
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

	(void)data;
	if (strcmp(name, "client.reconnected") == 0 ||
	    strcmp(name, "client.shown") == 0)
		home_load(h); /* unread counts may have changed */
	if (strcmp(name, "notify.new") == 0 ||
	    strcmp(name, "thread.new_post") == 0)
		home_fill(h);
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
	free(h);
}

struct view *
view_home(void)
{
	struct home *h = xcalloc(1, sizeof *h);

	h->v.title = "Home";
	h->v.keys = "Enter:open  n:notifications  /:search  d:directory  "
	    "p:profile  E:programme";
	h->v.help = "Your communities (● has something new), then what "
	    "happened since your last visit. **q** on this screen leaves "
	    "Hearth.";
	h->v.draw = home_draw;
	h->v.key = home_key;
	h->v.event = home_event;
	h->v.free = home_free;
	home_fill(h);
	home_load(h);
	return &h->v;
}

/* Keys that work on every screen but the composer and forms. */
bool
views_global_key(int ch, bool is_key)
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
		ui_push(view_search(true));
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

static void coc_checked(void *ctx, json_t *result, json_t *error);

/* ---- join ---- */

struct join {
	struct view v;
	struct field f[3];
	int on;
	char err[512];
	bool sending;
};

static void
join_draw(struct view *v, int rows, int cols)
{
	struct join *j = (struct join *)v;
	static const char *intro[] = {
		"Welcome to Hearth.",
		"",
		"To join, enter the invite code you were sent, then choose a",
		"handle (how others @mention you) and the name people see.",
		NULL,
	};
	int y = 2, cy = 0, cx = 0;

	(void)rows;
	for (int i = 0; intro[i] != NULL; i++)
		put_text(y++, 2, cols - 4, intro[i], i == 0 ? C_HEAD : C_NORMAL,
		    i == 0 ? A_BOLD : 0);
	y++;
	for (int i = 0; i < 3; i++) {
		int end = field_draw(&j->f[i], y, 2, cols - 4, i == j->on);
		if (i == j->on)
			cy = y, cx = end;
		y += 2;
	}
	if (j->sending)
		put_text(y++, 2, cols - 4, "Joining...", C_DIM, 0);
	if (j->err[0] != '\0')
		put_text(y++, 2, cols - 4, j->err, C_ERROR, A_BOLD);
	ui_cursor(cy, cx);
}

static void
join_done(void *ctx, json_t *result, json_t *error)
{
	struct join *j = ctx;
	json_t *m;

	j->sending = false;
	if (error != NULL) {
		snprintf(j->err, sizeof j->err, "%s", err_message(error));
		if (strstr(j->err, "handle") != NULL)
			j->on = 1;
		else if (strstr(j->err, "code") != NULL)
			j->on = 0;
		return;
	}
	m = json_object_get(result, "member");
	json_decref(g_me);
	g_me = json_incref(m);
	ui_replace(view_home());
	ui_flash("Welcome, %s! Next time, connect with the same key as any "
	    "user name.", js(m, "display_name"));
	net_call("coc.get", NULL, ui_top(), coc_checked, ui_top());
}

static bool
join_key(struct view *v, int ch, bool is_key)
{
	struct join *j = (struct join *)v;

	if (j->sending)
		return true;
	if (ENTER(ch, is_key) || (!is_key && ch == '\t') || (is_key &&
	    ch == KEY_DOWN)) {
		if (j->on < 2) {
			j->on++;
			return true;
		}
		if (!ENTER(ch, is_key))
			return true;
		for (int i = 0; i < 3; i++)
			if (j->f[i].len == 0) {
				j->on = i;
				snprintf(j->err, sizeof j->err, "Please fill "
				    "in the %s.", i == 0 ? "invite code" :
				    i == 1 ? "handle" : "name");
				return true;
			}
		j->sending = true;
		j->err[0] = '\0';
		net_call("invite.redeem", json_pack("{s:s, s:s, s:s}", "code",
		    j->f[0].text, "handle", j->f[1].text, "display_name",
		    j->f[2].text), v, join_done, j);
		return true;
	}
	if ((is_key && (ch == KEY_UP || ch == KEY_BTAB)) && j->on > 0) {
		j->on--;
		return true;
	}
	if (!is_key && (ch == 27 || ch == KEY_CTRL('c'))) {
		ui_quit(1);
		return true;
	}
	field_key(&j->f[j->on], ch, is_key);
	return true;
}

struct view *
view_join(void)
{
	struct join *j = xcalloc(1, sizeof *j);

	j->v.title = "Join";
	j->v.keys = "Enter:next/join  Up:previous field  Esc:leave";
	j->v.draw = join_draw;
	j->v.key = join_key;
	j->f[0].label = "Invite code";
	j->f[1].label = "Handle (lowercase, e.g. sam_k)";
	j->f[2].label = "Your name as others see it";
	return &j->v;
}

/* ---- first run: code of conduct, profile, introduction ---- */

struct coc {
	struct view v;
	char *text;
	int scroll;
	bool sending;
	char err[256];
};

static void
coc_draw(struct view *v, int rows, int cols)
{
	struct coc *c = (struct coc *)v;
	struct rdoc d;
	int y = 1;

	{
		char head[300];
		snprintf(head, sizeof head, "Welcome, %s. Before you start: "
		    "our code of conduct", js(g_me, "display_name"));
		put_text(y++, 2, cols - 4, head, C_HEAD, A_BOLD);
	}
	put_text(y++, 2, cols - 4, "Read it (j/k, Space to scroll), then "
	    "press a to accept it.", C_DIM, 0);
	if (c->err[0] != '\0')
		put_text(y++, 2, cols - 4, c->err, C_ERROR, A_BOLD);
	y++;
	rdoc_init(&d);
	render_markdown(&d, c->text, strlen(c->text), cols - 4);
	if (c->scroll > (int)d.n - 1)
		c->scroll = d.n > 0 ? (int)d.n - 1 : 0;
	for (int i = 0; y + i <= rows && (size_t)(c->scroll + i) < d.n; i++)
		put_rline(y + i, 2, cols - 4, &d.lines[c->scroll + i]);
	rdoc_free(&d);
}

static void
coc_accepted(void *ctx, json_t *result, json_t *error)
{
	struct coc *c = ctx;
	struct view *pv;

	(void)result;
	c->sending = false;
	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	/* next: the member's profile, opened for editing */
	pv = view_profile(js(g_me, "handle"));
	((struct profile *)pv)->first_run = true;
	ui_replace(pv);
	ui_flash("Thank you. Now tell others about yourself: fill in what "
	    "you like, Ctrl-S saves.");
}

static bool
coc_key(struct view *v, int ch, bool is_key)
{
	struct coc *c = (struct coc *)v;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		c->scroll++;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		c->scroll -= c->scroll > 0;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		c->scroll += 10;
	else if (!is_key && (ch == 'a' || ch == 'A') && !c->sending) {
		c->sending = true;
		net_call("member.accept_coc", NULL, v, coc_accepted, c);
	} else if (!is_key && ch == 'q') {
		/* not accepting: reading is fine, writing is refused */
		ui_pop();
		ui_flash("You can read, but need to accept the code of conduct "
		    "to write.");
	} else
		return false;
	return true;
}

static void
coc_free(struct view *v)
{
	struct coc *c = (struct coc *)v;

	free(c->text);
	free(c);
}

static struct view *
view_coc(const char *text)
{
	struct coc *c = xcalloc(1, sizeof *c);

	c->v.title = "Welcome";
	c->v.keys = "a:accept  j/k/Space:scroll  q:later";
	c->v.draw = coc_draw;
	c->v.key = coc_key;
	c->v.free = coc_free;
	c->text = xstrdup(text);
	return &c->v;
}

/* If the code of conduct is not accepted yet, start the first run. */
static void
coc_checked(void *ctx, json_t *result, json_t *error)
{
	struct view *home = ctx;

	if (error != NULL || json_is_string(json_object_get(result,
	    "accepted_at")) || ui_top() != home)
		return;
	ui_push(view_coc(js(result, "text")));
}

/* The greeting decides the first screen. */
void
views_start(json_t *hello)
{
	json_t *m = json_object_get(hello, "member");
	json_t *removed = json_object_get(hello, "removed");

	if (json_is_object(removed)) {
		char msg[512];
		snprintf(msg, sizeof msg, "Your Hearth membership was removed "
		    "on %s.\n\nReason: %s", js(removed, "at"),
		    js(removed, "reason"));
		ui_push(view_message("Membership removed", msg));
		return;
	}
	if (json_is_true(json_object_get(hello, "join"))) {
		ui_push(view_join());
		return;
	}
	if (!json_is_object(m)) {
		ui_push(view_message("Not a member", "This key does not "
		    "belong to a Hearth member. To join, connect as user "
		    "**join** and enter your invite code."));
		return;
	}
	g_me = json_incref(m);
	ui_push(view_home());
	net_call("coc.get", NULL, ui_top(), coc_checked, ui_top());
}
