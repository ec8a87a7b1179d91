/*
 * community.c: a community's tabs (threads, polls, members, about, its
 * open rooms, and join requests for its leaders and managers), joining
 * and introductions, opening an ad hoc room, and the poll screen (vote,
 * results as bars). requests.c draws the Requests tab and the list of who
 * left; manage.c has the settings, role, join and leave screens.
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

/* ---- community ---- */

enum { TAB_THREADS, TAB_POLLS, TAB_MEMBERS, TAB_ABOUT, TAB_ROOMS,
	TAB_REQUESTS, TAB_REPORTS, NTABS };
static const char *tab_names[NTABS] = { "Threads", "Polls", "Members",
	"About", "Rooms", "Requests", "Reports" };

struct community {
	struct view v;
	json_t *c; /* from community.list, then community.get */
	char slug[64];
	char name[160];
	int tab;
	struct list lists[NTABS];
	char msg[NTABS][256];
	bool loaded[NTABS];
	json_int_t intro_thread;
	struct reqpane *requests; /* the Requests tab */
	struct reqpane *left; /* the Members tab's "who left" (l) */
	bool show_left;
	struct reports *reports; /* leaders and managers: reports.c */
	char keys[200]; /* the footer: only keys this viewer may use */
};

/* Leaders, managers and admins get the Reports tab (reports.c). */
static void
comm_reports_hook(struct community *c)
{
	const char *role = js(c->c, "my_role");

	if (c->reports != NULL || !(strcmp(role, "leader") == 0 ||
	    strcmp(role, "manager") == 0 || (g_me != NULL &&
	    strcmp(js(g_me, "role"), "admin") == 0)))
		return;
	c->reports = reports_new(&c->v, c->slug);
	reports_load(c->reports);
}

static void comm_load(struct community *, int tab);

/* Its leaders and managers, and staff, see the community's health. */
static bool
comm_health_may(const struct community *c)
{
	const char *role = js(c->c, "my_role");

	return strcmp(role, "leader") == 0 || strcmp(role, "manager") == 0 ||
	    (g_me != NULL && strcmp(js(g_me, "role"), "member") != 0);
}

/* Leaders, managers and admins see join requests (a count, not null). */
static bool
comm_staff(const struct community *c)
{
	return json_is_integer(json_object_get(c->c, "pending_requests"));
}

/* Managers and platform admins change settings and roles. */
static bool
comm_manager(const struct community *c)
{
	return strcmp(js(c->c, "my_role"), "manager") == 0 ||
	    strcmp(js(g_me, "role"), "admin") == 0;
}

/* The footer for this viewer: joining for those outside, posting and
 * leaving for members, rooms for leaders, managers and staff, settings
 * for managers and admins. */
static void
comm_keys(struct community *c)
{
	bool member = js(c->c, "my_role")[0] != '\0';
	bool pending = strcmp(js(json_object_get(c->c, "my_request"),
	    "status"), "pending") == 0;

	snprintf(c->keys, sizeof c->keys, "0-9:tabs  Enter:open  %s%s%s%s%s"
	    "Q:surveys", member ? "c:new  " : "", member ? "" : "J:join  ",
	    member && (c->intro_thread != 0 || ji(c->c, "intro_thread_id") !=
	    0) ? "i:intro  " : "", comm_health_may(c) ? "O:open a room  " :
	    "", comm_manager(c) ? "S:settings  " : "");
	if (member || pending)
		snprintf(c->keys + strlen(c->keys), sizeof c->keys -
		    strlen(c->keys), "  L:%s", member ? "leave" : "withdraw");
	c->v.keys = c->keys;
}

/* "request sent ..." or the answer, for someone not in the community. */
static void
request_state(const struct community *c, char *out, size_t len)
{
	json_t *r = json_object_get(c->c, "my_request");
	const char *st = js(r, "status");
	char when[32];

	out[0] = '\0';
	if (!json_is_object(r))
		return;
	if (strcmp(st, "pending") == 0) {
		short_time(js(r, "created_at"), when);
		snprintf(out, len, "Request sent %s: waiting for an answer.",
		    when);
	} else if (strcmp(st, "declined") == 0 || js(c->c, "my_role")[0])
		snprintf(out, len, "Your request to join was %s%s%s", st,
		    js(r, "response")[0] ? ": " : ".", js(r, "response"));
}

static void
comm_draw(struct view *v, int rows, int cols)
{
	struct community *c = (struct community *)v;
	int x = 2;
	char head[256];
	const char *role = js(c->c, "my_role");

	char state[600];

	comm_keys(c);

	request_state(c, state, sizeof state);
	if (!role[0] && strncmp(state, "Request sent", 12) == 0)
		snprintf(head, sizeof head, "%s  (request sent)", c->name);
	else
		snprintf(head, sizeof head, "%s%s%s%s", c->name, role[0] ?
		    "  (" : "  (not a member", role, ")");
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	/* the tabs: roomy when they fit, else compact (80 columns) */
	for (int pass = 0; pass < 2; pass++) {
		char t[NTABS + 3][40];
		bool shown[NTABS + 3];
		bool compact = pass == 1;
		int w = 0;

		for (int i = 0; i <= NTABS + 2; i++) {
			size_t nrooms = c->lists[TAB_ROOMS].n;
			long long n = -1;
			const char *name = i < NTABS ? tab_names[i] : i == NTABS ?
			    "Health" : i == NTABS + 1 ? "Roadmap" : "Library";

			shown[i] = !((i == TAB_REQUESTS && !comm_staff(c)) ||
			    (i == TAB_REPORTS && c->reports == NULL) ||
			    (i == NTABS && !comm_health_may(c)));
			if (i == TAB_REPORTS && c->reports != NULL &&
			    reports_count(c->reports) > 0)
				n = reports_count(c->reports);
			else if (i == TAB_ROOMS && nrooms > 0)
				n = (long long)nrooms;
			else if (i == TAB_REQUESTS && (!compact ||
			    ji(c->c, "pending_requests") > 0))
				n = ji(c->c, "pending_requests");
			if (n < 0)
				snprintf(t[i], sizeof t[i], compact ? "%d %s" :
				    " %d %s ", (i + 1) % 10, name);
			else
				snprintf(t[i], sizeof t[i], compact ?
				    "%d %s (%lld)" : i == TAB_ROOMS ?
				    " %d %s (%lld open) " : " %d %s (%lld) ",
				    (i + 1) % 10, name, n);
			if (shown[i])
				w += text_width(t[i]) + 1;
		}
		if (!compact && x + w > cols)
			continue;
		for (int i = 0; i <= NTABS + 2; i++) {
			if (!shown[i])
				continue;
			/* the Roadmap screen's tab goes when there is no room
			 * (80 columns, a manager's): the key line names it */
			if (i > NTABS && x + text_width(t[i]) > cols)
				break;
			put_text(2, x, cols - x, t[i], i == c->tab ? C_SEL :
			    C_DIM, i == c->tab ? A_BOLD : 0);
			x += text_width(t[i]) + 1;
		}
		break;
	}
	if (!c->loaded[c->tab])
		comm_load(c, c->tab);
	if (c->tab == TAB_REQUESTS) {
		reqpane_draw(c->requests, 4, rows - 3, cols);
		return;
	}
	if (c->tab == TAB_MEMBERS && c->show_left) {
		reqpane_draw(c->left, 4, rows - 3, cols);
		return;
	}
	if (c->tab == TAB_REPORTS && c->reports != NULL) {
		reports_draw(c->reports, 4, rows - 3, cols);
		return;
	}
	if (c->msg[c->tab][0] != '\0')
		put_text(4, 2, cols - 4, c->msg[c->tab], C_DIM, 0);
	if (c->tab == TAB_ABOUT) {
		struct list *l = &c->lists[TAB_ABOUT];
		for (int i = 0; i < rows - 3 && (size_t)i < l->n; i++)
			put_text(4 + i, 2, cols - 4, l->rows[i].text,
			    l->rows[i].color, l->rows[i].attr);
		return;
	}
	list_draw(&c->lists[c->tab], c->msg[c->tab][0] ? 5 : 4,
	    rows - (c->msg[c->tab][0] ? 4 : 3), cols);
}

static void
threads_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_THREADS];
	json_t *a, *t;
	size_t i;

	/* a later page replaces the "more" row at the end */
	if (l->n > 0 && json_is_string(json_object_get(l->rows[l->n - 1].data,
	    "more"))) {
		l->n--;
		free(l->rows[l->n].text);
		free(l->rows[l->n].right);
		json_decref(l->rows[l->n].data);
	} else
		list_clear(l);
	if (error != NULL) {
		snprintf(c->msg[TAB_THREADS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "threads");
	c->msg[TAB_THREADS][0] = '\0';
	if (json_array_size(a) == 0 && l->n == 0)
		snprintf(c->msg[TAB_THREADS], 256,
		    "No threads yet. Press c to start one.");
	json_array_foreach(a, i, t) {
		char text[400], right[80], when[32];
		json_int_t unread = ji(t, "unread");
		bool pinned = ji(t, "pinned") != 0;
		short_time(js(t, "last_post_at"), when);
		json_int_t np = ji(t, "post_count");
		snprintf(text, sizeof text, "%s%s%s", pinned ? "📌 " : "   ",
		    unread ? "● " : "  ", js(t, "title"));
		snprintf(right, sizeof right, "%lld post%s  %s", (long long)np,
		    np == 1 ? "" : "s", when);
		list_add(l, text, right, unread ? C_UNREAD : C_NORMAL, t,
		    true)->attr = unread ? A_BOLD : 0;
	}
	list_add_more(l, json_object_get(result, "next"), "threads");
	list_fix(l);
}

/* Who is connected now (member.online): "online" beside them. */
static void
online_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_MEMBERS];
	json_t *o;
	size_t i;

	if (error != NULL)
		return;
	json_array_foreach(jarr(result, "online"), i, o)
		for (size_t k = 0; k < l->n; k++) {
			char right[96];

			if (strcmp(js(l->rows[k].data, "handle"),
			    js(o, "handle")) != 0)
				continue;
			snprintf(right, sizeof right, "%s  online",
			    js(l->rows[k].data, "role"));
			free(l->rows[k].right);
			l->rows[k].right = xstrdup(right);
		}
}

static void
members_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_MEMBERS];
	json_t *a, *m;
	size_t i;

	list_clear(l);
	if (error != NULL) {
		snprintf(c->msg[TAB_MEMBERS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "members");
	if (comm_manager(c))
		snprintf(c->msg[TAB_MEMBERS], 256, "r: set the selected "
		    "member's role   l: who left   Enter: profile");
	else if (comm_staff(c))
		snprintf(c->msg[TAB_MEMBERS], 256, "l: who left   Enter: "
		    "profile");
	json_array_foreach(a, i, m) {
		char text[300];
		snprintf(text, sizeof text, "%s  @%s", js(m, "display_name"),
		    js(m, "handle"));
		list_add(l, text, js(m, "role"), C_NORMAL, m, true);
	}
	list_fix(l);
	net_call("member.online", json_pack("{s:s}", "community", c->slug),
	    &c->v, online_got, c);
}

static void
polls_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_POLLS];
	json_t *a, *p;
	size_t i;

	list_clear(l);
	if (error != NULL) {
		snprintf(c->msg[TAB_POLLS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "polls");
	if (json_array_size(a) == 0)
		snprintf(c->msg[TAB_POLLS], 256, "No polls yet.");
	json_array_foreach(a, i, p) {
		list_add(l, js(p, "question"), ji(p, "closed") ? "closed" :
		    ji(p, "voted") ? "open, voted" : "open", C_NORMAL, p,
		    true);
	}
	list_fix(l);
}

/* The Rooms tab: the community's open rooms, which Enter joins. */
static void
rooms_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	struct list *l = &c->lists[TAB_ROOMS];
	json_t *a, *r;
	size_t i;

	list_clear(l);
	c->msg[TAB_ROOMS][0] = '\0';
	if (error != NULL) {
		snprintf(c->msg[TAB_ROOMS], 256, "%s", err_message(error));
		return;
	}
	a = jarr(result, "rooms");
	if (json_array_size(a) == 0)
		snprintf(c->msg[TAB_ROOMS], 256, "No room is open. Leaders and "
		    "managers open one with O.");
	json_array_foreach(a, i, r) {
		char text[400], right[80];
		snprintf(text, sizeof text, "● %s%s%s", js(r, "title"),
		    js(r, "topic")[0] ? " — " : "", js(r, "topic"));
		snprintf(right, sizeof right, "%lld here  record: %s",
		    (long long)ji(r, "present"), js(r, "record"));
		list_add(l, text, right, C_NORMAL, r, true);
	}
	list_fix(l);
}

/* The About tab: purpose, criteria, privacy, from whatever we have. */
static void
about_fill(struct community *c)
{
	struct list *l = &c->lists[TAB_ABOUT];
	static const char *fields[][2] = {
		{ "purpose", "Purpose" }, { "criteria", "Who it is for" },
		{ "privacy", "Privacy expectations" },
		{ "visibility", "Visibility" }, { "join_policy", "Joining" },
	};
	char line[64];

	list_clear(l);
	static const char *words[][2] = {
		{ "platform", "Seen by every Hearth member." },
		{ "private", "Seen by its members only." },
		{ "public", "Seen by anyone, even without an account." },
		{ "open", "Anyone may join: press J." },
		{ "request", "Ask to join (press J); its managers and "
		    "leaders answer." },
		{ "invite", "By invitation only." },
	};
	char state[600];
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = js(c->c, fields[i][0]);
		struct rdoc d;
		if (*v == '\0')
			continue;
		if (i >= 3)
			for (size_t k = 0; k < sizeof words / sizeof words[0];
			    k++)
				if (strcmp(v, words[k][0]) == 0)
					v = words[k][1];
		list_add(l, fields[i][1], NULL, C_HEAD, NULL, false);
		rdoc_init(&d);
		render_markdown(&d, v, strlen(v), COLS - 6);
		for (size_t k = 0; k < d.n; k++)
			list_add(l, d.lines[k].text, NULL, C_NORMAL, NULL,
			    false);
		rdoc_free(&d);
		list_add(l, "", NULL, C_NORMAL, NULL, false);
	}
	snprintf(line, sizeof line, "%lld member%s", (long long)ji(c->c,
	    "members"), ji(c->c, "members") == 1 ? "" : "s");
	list_add(l, line, NULL, C_DIM, NULL, false);
	request_state(c, state, sizeof state);
	if (state[0] != '\0') {
		struct rdoc d;
		list_add(l, "", NULL, C_NORMAL, NULL, false);
		list_add(l, "Your request", NULL, C_HEAD, NULL, false);
		rdoc_init(&d);
		rdoc_wrap(&d, state, COLS - 6);
		for (size_t k = 0; k < d.n; k++)
			list_add(l, d.lines[k].text, NULL, C_UNREAD, NULL,
			    false);
		rdoc_free(&d);
	}
	if (js(c->c, "my_role")[0] == '\0' && strncmp(state, "Request sent",
	    12) == 0)
		list_add(l, "Press L to withdraw your request.", NULL, C_DIM,
		    NULL, false);
	else if (js(c->c, "my_role")[0] == '\0')
		list_add(l, "Press J to join (or ask to join).", NULL,
		    C_UNREAD, NULL, false);
	else
		list_add(l, strcmp(js(c->c, "my_role"), "manager") == 0 ?
		    "S: settings.  L: leave this community." :
		    "L: leave this community.", NULL, C_DIM, NULL, false);
}

static void
comm_got(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	json_t *o;

	if (error == NULL) {
		o = jobj(result, "community");
		/* keep fields community.list had that get does not */
		json_object_update_missing(o, c->c);
		json_decref(c->c);
		c->c = json_deep_copy(o);
		if (js(o, "name")[0])
			snprintf(c->name, sizeof c->name, "%s", js(o, "name"));
		comm_reports_hook(c);
	}
	about_fill(c);
}

static void
comm_load(struct community *c, int tab)
{
	json_t *args = json_pack("{s:s}", "slug", c->slug);

	c->loaded[tab] = true;
	switch (tab) {
	case TAB_THREADS:
		json_object_set_new(args, "limit", json_integer(100));
		net_call("thread.list", args, &c->v, threads_got, c);
		break;
	case TAB_POLLS:
		net_call("poll.list", args, &c->v, polls_got, c);
		break;
	case TAB_MEMBERS:
		if (c->show_left)
			reqpane_load(c->left);
		net_call("community.members", args, &c->v, members_got, c);
		break;
	case TAB_ROOMS:
		json_decref(args);
		net_call("room.list", json_pack("{s:s}", "community", c->slug),
		    &c->v, rooms_got, c);
		break;
	case TAB_REQUESTS:
		json_decref(args);
		reqpane_load(c->requests);
		break;
	case TAB_REPORTS:
		json_decref(args);
		if (c->reports != NULL)
			reports_load(c->reports);
		break;
	default:
		about_fill(c);
		json_decref(args);
		break;
	}
}

static void
joined(void *ctx, json_t *result, json_t *error)
{
	struct community *c = ctx;
	const char *st = js(result, "status");

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	if (strcmp(st, "pending") == 0 || strcmp(st, "requested") == 0)
		ui_flash("Request sent. You will be told the answer here and in "
		    "your notifications.");
	else {
		c->intro_thread = ji(result, "introduce_thread_id");
		if (c->intro_thread != 0)
			ui_flash("You joined %s. Press i to introduce "
			    "yourself.", c->name);
		else
			ui_flash("You joined %s.", c->name);
		json_object_set_new(c->c, "my_role", json_string(
		    js(result, "role")[0] ? js(result, "role") : "member"));
	}
	for (int i = 0; i < NTABS; i++)
		c->loaded[i] = false;
}

static void thread_created(struct view *v, json_t *result);
static void poll_created(struct view *v, json_t *result);
static bool poll_settings_build(json_t *args, const char *const *vals,
    char *err, size_t len);
static void poll_settings_done(struct view *v, json_t *args);

static bool
comm_key(struct view *v, int ch, bool is_key)
{
	struct community *c = (struct community *)v;
	struct row *r;
	char key[96];

	if (!is_key && ch >= '1' && ch < '1' + NTABS) {
		if ((ch - '1' != TAB_REQUESTS || comm_staff(c)) &&
		    (ch - '1' != TAB_REPORTS || c->reports != NULL))
			c->tab = ch - '1';
		return true;
	}
	if (!is_key && ch == '1' + NTABS && comm_health_may(c)) {
		/* the Health "tab" is a screen of its own (health.c) */
		ui_push(view_health(c->slug, c->name));
		return true;
	}
	if (!is_key && ch == '1' + NTABS + 1) {
		/* the Roadmap "tab": a screen of its own (roadmap.c) */
		ui_push(view_roadmap(c->slug, c->name));
		return true;
	}
	if (!is_key && ch == '0') {
		/* the Library "tab" is a screen of its own (library.c) */
		ui_push(view_library(c->slug, c->name));
		return true;
	}
	if ((!is_key && ch == '\t') || (is_key && ch == KEY_RIGHT)) {
		c->tab = (c->tab + 1) % NTABS;
		if (c->tab == TAB_REQUESTS && !comm_staff(c))
			c->tab++;
		if (c->tab == TAB_REPORTS && c->reports == NULL)
			c->tab = 0;
		return true;
	}
	if (is_key && ch == KEY_BTAB) {
		c->tab = (c->tab + NTABS - 1) % NTABS;
		if (c->tab == TAB_REPORTS && c->reports == NULL)
			c->tab--;
		if (c->tab == TAB_REQUESTS && !comm_staff(c))
			c->tab--;
		return true;
	}
	if (c->tab == TAB_REQUESTS && reqpane_key(c->requests, ch, is_key))
		return true;
	if (c->tab == TAB_MEMBERS && !is_key && ch == 'l' && comm_staff(c)) {
		c->show_left = !c->show_left;
		if (c->show_left)
			reqpane_load(c->left);
		return true;
	}
	if (c->tab == TAB_MEMBERS && c->show_left) {
		if (reqpane_key(c->left, ch, is_key))
			return true;
	} else if (c->tab == TAB_MEMBERS && !is_key && ch == 'r' &&
	    (r = list_cur(&c->lists[TAB_MEMBERS])) != NULL) {
		if (comm_manager(c))
			ui_push(community_role_picker(c->slug, c->name,
			    r->data));
		else
			ui_flash("Only the managers of %s set roles.", c->name);
		return true;
	}
	if (!is_key && ch == 'S') {
		if (comm_manager(c))
			ui_push(community_settings_form(c->c));
		else
			ui_flash("Only the managers of %s change its settings; "
			    "the About tab shows them.", c->name);
		return true;
	}
	if (!is_key && ch == 'L') {
		if (js(c->c, "my_role")[0] == '\0' && strcmp(js(json_object_get(
		    c->c, "my_request"), "status"), "pending") != 0)
			ui_flash("You are not a member of %s.", c->name);
		else
			ui_push(community_leave_confirm(c->c));
		return true;
	}
	if (!is_key && ch == 'J' && js(c->c, "my_role")[0] == '\0' &&
	    strcmp(js(c->c, "join_policy"), "request") == 0) {
		ui_push(community_join_form(c->c));
		return true;
	}
	if (c->tab == TAB_REPORTS && c->reports != NULL &&
	    reports_key(c->reports, ch, is_key))
		return true;
	if (!is_key && ch == 'J') {
		net_call("community.join", json_pack("{s:s}", "slug",
		    c->slug), v, joined, c);
		return true;
	}
	if (!is_key && ch == 'R') {
		c->loaded[c->tab] = false;
		return true;
	}
	if (!is_key && ch == 'O') {
		/* the server says who may (leaders, managers, staff) */
		ui_push(room_open_form(c->slug, c->name));
		return true;
	}
	if (!is_key && ch == 'i') {
		json_int_t tid = c->intro_thread ? c->intro_thread :
		    ji(c->c, "intro_thread_id");
		if (tid == 0) {
			ui_flash("This community has no Introductions thread.");
			return true;
		}
		snprintf(key, sizeof key, "reply:%lld", (long long)tid);
		ui_push(composer_open("Introduce yourself", "post.create",
		    json_pack("{s:I}", "thread_id", tid), key, false,
		    "Hello! I am ", NULL));
		return true;
	}
	if (!is_key && ch == 'Q') {
		ui_push(view_surveys_as(c->slug, c->name, comm_manager(c) ||
		    admin_may()));
		return true;
	}
	if (!is_key && ch == 'c' && c->tab == TAB_POLLS) {
		/* the poll's settings, then its question and options */
		static const struct form_def defs[] = {
			{ "Choices", NULL, "one|several", "how many options a "
			    "voter may choose" },
			{ "Anonymous", NULL, "no|yes", "yes: nobody sees who "
			    "voted for what" },
			{ "Results shown", NULL, "after a vote|after closing",
			    NULL },
			{ "Closes in", "", NULL, "e.g. 90m, 12h, 3d, 2w; empty: "
			    "when closed by hand (C)" },
		};

		ui_push(form_open("New poll", "Its settings; then the question "
		    "and one option a line.", "", json_pack("{s:s}", "slug",
		    c->slug), defs, 4, poll_settings_build,
		    poll_settings_done));
		return true;
	}
	if (!is_key && ch == 'c') {
		snprintf(key, sizeof key, "thread:%s", c->slug);
		ui_push(composer_open("New thread", "thread.create", json_pack(
		    "{s:s}", "slug", c->slug), key, true, NULL,
		    thread_created));
		return true;
	}
	if (c->tab != TAB_ABOUT && c->tab != TAB_REQUESTS &&
	    list_key(&c->lists[c->tab], ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&c->lists[c->tab])) != NULL) {
		if (c->tab == TAB_THREADS && json_is_string(json_object_get(
		    r->data, "more"))) {
			net_call("thread.list", json_pack("{s:s, s:I, s:O}",
			    "slug", c->slug, "limit", (json_int_t)100, "before",
			    json_object_get(r->data, "more")), v, threads_got,
			    c);
		} else if (c->tab == TAB_THREADS) {
			json_object_set_new(r->data, "unread",
			    json_integer(0));
			r->color = C_NORMAL;
			r->attr = 0;
			ui_push(view_thread(ji(r->data, "id"), js(r->data,
			    "title")));
		} else if (c->tab == TAB_POLLS)
			ui_push(view_poll(ji(r->data, "id")));
		else if (c->tab == TAB_MEMBERS)
			ui_push(view_profile(js(r->data, "handle")));
		else if (c->tab == TAB_ROOMS)
			ui_push(view_room(ji(r->data, "room_id")));
		return true;
	}
	return false;
}

/* The new poll's settings (the form before the composer). */
static bool
poll_settings_build(json_t *args, const char *const *vals, char *err,
    size_t len)
{
	json_object_set_new(args, "multiple", json_boolean(strcmp(vals[0],
	    "several") == 0));
	json_object_set_new(args, "anonymous", json_boolean(strcmp(vals[1],
	    "yes") == 0));
	json_object_set_new(args, "results", json_string(strcmp(vals[2],
	    "after closing") == 0 ? "after_close" : "after_vote"));
	if (vals[3][strspn(vals[3], " ")] != '\0') {
		if (mod_duration_parse(vals[3]) <= 0) {
			snprintf(err, len, "Closes in: a duration like 90m, 12h, "
			    "3d or 2w, or nothing.");
			return false;
		}
		json_object_set_new(args, "closes_in", json_string(vals[3] +
		    strspn(vals[3], " ")));
	}
	return true;
}

static void
poll_settings_done(struct view *v, json_t *args)
{
	struct community *c = (struct community *)v;
	char key[120];

	snprintf(key, sizeof key, "poll:%s", c->slug);
	ui_push(composer_open("New poll: the question, then one option per "
	    "line", "poll.create", json_incref(args), key, true, NULL,
	    poll_created));
}

static void
poll_created(struct view *v, json_t *result)
{
	struct community *c = (struct community *)v;

	c->loaded[TAB_POLLS] = false;
	if (ji(jobj(result, "poll"), "id") != 0)
		ui_push(view_poll(ji(jobj(result, "poll"), "id")));
}

static void
thread_created(struct view *v, json_t *result)
{
	struct community *c = (struct community *)v;
	c->loaded[TAB_THREADS] = false;
	if (ji(result, "thread_id") != 0)
		ui_push(view_thread(ji(result, "thread_id"), ""));
}

static void comm_activity(struct community *, json_t *);

static void
comm_event(struct view *v, const char *name, json_t *data)
{
	struct community *c = (struct community *)v;

	if (strcmp(name, "client.reconnected") == 0)
		for (int i = 0; i < NTABS; i++)
			c->loaded[i] = false;
	if (strcmp(name, "client.shown") == 0 || /* back from a room */
	    strcmp(name, "room.listed") == 0) /* opened or closed anywhere */
		comm_load(c, TAB_ROOMS);
	/* back from a form or a question; joined, left, answered, asked */
	if (strcmp(name, "client.shown") == 0 ||
	    ((strcmp(name, "community.joined") == 0 ||
	    strcmp(name, "community.left") == 0) &&
	    strcmp(js(data, "slug"), c->slug) == 0) ||
	    (strcmp(name, "notify.new") == 0 &&
	    strncmp(js(data, "kind"), "join_", 5) == 0) ||
	    (strcmp(name, "client.community_changed") == 0 &&
	    strcmp(js(data, "slug"), c->slug) == 0)) {
		net_call("community.get", json_pack("{s:s}", "slug", c->slug),
		    &c->v, comm_got, c);
		c->loaded[TAB_MEMBERS] = c->loaded[TAB_REQUESTS] = false;
	}
	if (c->reports != NULL && (strcmp(name, "client.shown") == 0 ||
	    (strcmp(name, "notify.new") == 0 && strcmp(js(data, "kind"),
	    "report") == 0)))
		reports_load(c->reports);
	if (strcmp(name, "thread.new_post") == 0 ||
	    strcmp(name, "thread.new") == 0)
		c->loaded[TAB_THREADS] = false;
	if (strcmp(name, "community.activity") == 0)
		comm_activity(c, data);
}

/* Live: what changed in this community (community.activity). */
static void
comm_activity(struct community *c, json_t *data)
{
	const char *what = js(data, "what");

	if (strcmp(js(data, "slug"), c->slug) != 0)
		return;
	if (strcmp(what, "post") == 0) {
		/* the open list refreshes now; others when next shown */
		c->loaded[TAB_THREADS] = false;
		return;
	}
	if (strcmp(what, "role") == 0 || strcmp(what, "requests") == 0) {
		/* my role (and tabs), the members, the requests waiting */
		net_call("community.get", json_pack("{s:s}", "slug", c->slug),
		    &c->v, comm_got, c);
		c->loaded[TAB_MEMBERS] = false;
		if (c->tab == TAB_REQUESTS)
			reqpane_load(c->requests);
		else
			c->loaded[TAB_REQUESTS] = false;
	}
}

/* Where the member is: this community and its tab. */
static json_t *
comm_where(struct view *v)
{
	struct community *c = (struct community *)v;

	return json_pack("{s:s, s:s, s:i, s:s}", "screen", "community",
	    "slug", c->slug, "tab", c->tab, "title", c->name);
}

static void
comm_free(struct view *v)
{
	struct community *c = (struct community *)v;

	for (int i = 0; i < NTABS; i++)
		list_free(&c->lists[i]);
	reqpane_free(c->requests);
	reqpane_free(c->left);
	reports_free(c->reports);
	json_decref(c->c);
	free(c);
}

struct view *
view_community(json_t *cj)
{
	struct community *c = xcalloc(1, sizeof *c);

	c->v.title = "Community";
	c->v.keys = "0-9:tabs  Enter:open  Q:surveys"; /* comm_keys */
	c->v.help = "Tabs: **1** threads (pinned first, ● unread), **2** "
	    "polls, **3** members, **4** about (purpose, who it is for, "
	    "privacy), **5** the rooms open now (Enter joins one). **J** "
	    "joins or asks to join. **c** starts a thread, or on the polls "
	    "tab a poll (first its settings: one or several choices, "
	    "anonymous, when results show, when it closes; then the title is "
	    "the question, each line of the text an option). **Q** lists the "
	    "community's surveys (managers make them there). **O** opens an ad hoc room, without an event "
	    "(leaders and managers, and staff): give it a title and choose "
	    "what is kept of it; you go straight in as its host. **L** "
	    "leaves the community (or withdraws your request to join). "
	    "For leaders and managers, **6** lists join requests: **a** "
	    "approves (as a member or interested) and **d** declines, each "
	    "with a message the person sees; on the members tab **l** shows "
	    "who left. Managers: **S** edits the settings (the pinned "
	    "Welcome thread follows them) and **r** on the members tab sets "
	    "the selected member's role. Leaders "
	    "and managers also have **7** Reports: the posts members "
	    "reported (**H** hides the post with a reason, **x** dismisses, "
	    "**c** writes to its author, **M** mutes them, **Enter** opens "
	    "the thread) and who is muted now (**u** lifts a mute). "
	    "Leaders, managers and staff: **8** opens the community's "
	    "health (docs/health.md). **9** opens the community's roadmap "
	    "and personas.";
	c->v.draw = comm_draw;
	c->v.key = comm_key;
	c->v.event = comm_event;
	c->v.free = comm_free;
	c->v.where = comm_where;
	c->c = json_deep_copy(cj);
	snprintf(c->slug, sizeof c->slug, "%s", js(cj, "slug"));
	snprintf(c->name, sizeof c->name, "%s", js(cj, "name"));
	c->requests = reqpane_new(&c->v, c->slug, c->name, false);
	c->left = reqpane_new(&c->v, c->slug, c->name, true);
	if (js(cj, "my_role")[0] == '\0')
		c->tab = TAB_ABOUT;
	net_call("community.get", json_pack("{s:s}", "slug", c->slug), &c->v,
	    comm_got, c);
	comm_load(c, TAB_ROOMS); /* the Rooms tab shows how many are open */
	comm_reports_hook(c);
	return &c->v;
}

/* ---- poll ---- */

struct poll {
	struct view v;
	json_int_t id;
	json_t *p;
	struct list l;
	char msg[256];
};

static void poll_fill(struct poll *);

static void
poll_got(void *ctx, json_t *result, json_t *error)
{
	struct poll *p = ctx;

	if (error != NULL) {
		snprintf(p->msg, sizeof p->msg, "%s", err_message(error));
		return;
	}
	p->msg[0] = '\0';
	json_decref(p->p);
	p->p = json_incref(jobj(result, "poll"));
	poll_fill(p);
}

/* True if my_vote (an id or a list of ids) holds option id. */
static bool
voted_for(json_t *poll, json_int_t id)
{
	json_t *mv = json_object_get(poll, "my_vote"), *v;
	size_t i;

	if (json_is_integer(mv))
		return json_integer_value(mv) == id;
	json_array_foreach(mv, i, v)
		if (json_integer_value(v) == id ||
		    ji(v, "id") == id)
			return true;
	return false;
}

/* Options with result bars when the server gives counts. */
static void
poll_fill(struct poll *p)
{
	json_t *opts = jarr(p->p, "options"), *o;
	size_t i;
	json_int_t total = 0, votes;
	int barw = COLS / 3;

	list_clear(&p->l);
	list_add(&p->l, js(p->p, "question"), NULL, C_HEAD, NULL, false);
	{
		char how[200], when[32];

		short_time(js(p->p, "closes_at"), when);
		snprintf(how, sizeof how, "%s%s%s%s%s",
		    ji(p->p, "multiple") ? "several choices (Enter marks or "
		    "unmarks each)" : "one choice", ji(p->p, "anonymous") ?
		    ", anonymous" : "", strcmp(js(p->p, "results"),
		    "after_close") == 0 ? ", results when closed" : "",
		    js(p->p, "closes_at")[0] && !ji(p->p, "closed") ?
		    ", closes " : "", js(p->p, "closes_at")[0] &&
		    !ji(p->p, "closed") ? when : "");
		list_add(&p->l, how, NULL, C_DIM, NULL, false);
	}
	list_add(&p->l, "", NULL, C_NORMAL, NULL, false);
	json_array_foreach(opts, i, o)
		total += ji(o, "votes");
	json_array_foreach(opts, i, o) {
		char text[600], bar[256];
		int n = 0;
		votes = ji(o, "votes");
		bar[0] = '\0';
		if (json_is_integer(json_object_get(o, "votes"))) {
			n = total > 0 ? (int)(votes * barw / total) : 0;
			for (int k = 0; k < n && k * 3 + 4 < (int)sizeof bar;
			    k++)
				strcat(bar, "█");
		}
		snprintf(text, sizeof text, "%s %s", voted_for(p->p, ji(o,
		    "id")) ? "[x]" : "[ ]", js(o, "label"));
		list_add(&p->l, text, json_is_integer(json_object_get(o,
		    "votes")) ? bar : NULL, C_NORMAL, o, !ji(p->p, "closed"));
		if (json_is_integer(json_object_get(o, "votes"))) {
			snprintf(text, sizeof text, "      %lld vote%s",
			    (long long)votes, votes == 1 ? "" : "s");
			list_add(&p->l, text, NULL, C_DIM, NULL, false);
		}
	}
	if (!json_is_integer(json_object_get(json_array_get(opts, 0),
	    "votes")))
		list_add(&p->l, strcmp(js(p->p, "results"), "after_close") ==
		    0 ? "Results show when the poll closes." : "Results show "
		    "once you vote (or when the poll closes).", NULL, C_DIM,
		    NULL, false);
	if (ji(p->p, "closed"))
		list_add(&p->l, "This poll is closed.", NULL, C_DIM, NULL,
		    false);
	list_fix(&p->l);
}

static void
poll_draw(struct view *v, int rows, int cols)
{
	struct poll *p = (struct poll *)v;

	if (p->msg[0] != '\0')
		put_text(1, 2, cols - 4, p->msg, C_DIM, 0);
	list_draw(&p->l, 2, rows - 1, cols);
}

static void
voted(void *ctx, json_t *result, json_t *error)
{
	struct poll *p = ctx;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	ui_flash("Vote recorded.");
	if (json_is_object(json_object_get(result, "poll")))
		poll_got(p, result, NULL);
	else
		net_call("poll.get", json_pack("{s:I}", "poll_id", p->id), &p->v,
		    poll_got, p);
}

/* poll.close went through: show the results. */
static void
poll_closed(struct view *v, json_t *result)
{
	ui_flash("The poll is closed; its voters are told.");
	poll_got(v, result, NULL);
}

static bool
poll_key(struct view *v, int ch, bool is_key)
{
	struct poll *p = (struct poll *)v;
	struct row *r;

	if (list_key(&p->l, ch, is_key))
		return true;
	if (!is_key && ch == 'C') {
		ui_push(mod_poll_close_form(p->id, poll_closed));
		return true;
	}
	if ((ENTER(ch, is_key) || (!is_key && ch == 'v')) &&
	    (r = list_cur(&p->l)) != NULL && ji(p->p, "multiple")) {
		/* several choices: this option in or out of my vote */
		json_t *opts = json_array(), *o;
		json_int_t id = ji(r->data, "id");
		size_t i;

		json_array_foreach(jarr(p->p, "options"), i, o)
			if ((ji(o, "id") == id) != voted_for(p->p, ji(o, "id")))
				json_array_append_new(opts,
				    json_integer(ji(o, "id")));
		if (json_array_size(opts) == 0) {
			json_decref(opts);
			ui_flash("Choose at least one option (mark another "
			    "first).");
			return true;
		}
		net_call("poll.vote", json_pack("{s:I, s:o}", "poll_id", p->id,
		    "options", opts), v, voted, p);
		return true;
	}
	if ((ENTER(ch, is_key) || (!is_key && ch == 'v')) &&
	    (r = list_cur(&p->l)) != NULL) {
		net_call("poll.vote", json_pack("{s:I, s:[I]}", "poll_id", p->id,
		    "options", ji(r->data, "id")), v, voted, p);
		return true;
	}
	return false;
}

static void
poll_free(struct view *v)
{
	struct poll *p = (struct poll *)v;

	list_free(&p->l);
	json_decref(p->p);
	free(p);
}

struct view *
view_poll(json_int_t id)
{
	struct poll *p = xcalloc(1, sizeof *p);

	p->v.title = "Poll";
	p->v.keys = "Enter/v:vote for the selected option  C:close the poll";
	p->v.help = "**C** closes the poll for good (its author, or the "
	    "community's leaders and managers, after you confirm); its "
	    "voters are told and everyone sees the results.";
	p->v.draw = poll_draw;
	p->v.key = poll_key;
	p->v.free = poll_free;
	p->id = id;
	snprintf(p->msg, sizeof p->msg, "Loading...");
	net_call("poll.get", json_pack("{s:I}", "poll_id", id), &p->v, poll_got,
	    p);
	return &p->v;
}

/* A community on its Requests tab, the request of handle selected. */
struct view *
view_community_requests(const char *slug, const char *handle)
{
	json_t *cj = json_pack("{s:s, s:s, s:s}", "slug", slug, "name", slug,
	    "my_role", "leader");
	struct view *v = view_community(cj);
	struct community *c = (struct community *)v;

	json_decref(cj);
	/* until community.get answers: the tab shows, the role is unknown */
	json_object_set_new(c->c, "my_role", json_null());
	json_object_set_new(c->c, "pending_requests", json_integer(0));
	c->tab = TAB_REQUESTS;
	reqpane_select(c->requests, handle);
	return v;
}

/* A community by slug on a tab (-1: its usual first tab). */
struct view *
view_community_tab(const char *slug, const char *name, int tab)
{
	json_t *cj = json_pack("{s:s, s:s}", "slug", slug, "name", name[0] ?
	    name : slug);
	struct view *v;
	struct community *c;

	/* the role is unknown until community.get: start as a member */
	json_object_set_new(cj, "my_role", json_string("member"));
	v = view_community(cj);
	json_decref(cj);
	c = (struct community *)v;
	json_object_set_new(c->c, "my_role", json_null());
	if (tab >= 0 && tab < NTABS)
		c->tab = tab;
	return v;
}
