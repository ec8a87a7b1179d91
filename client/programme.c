/*
 * programme.c: the programme of events (a list, and a calendar week whose
 * recurring events are expanded by recur.c from starts_at and recurrence), one
 * event's screen (RSVP, the surgery queue, hosts' attendees, its room),
 * and the new event form (a form.c form). Every time is shown, and typed,
 * in the member's time zone (when.c); weeks run Monday to Sunday there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* ---- times ---- */

/* Format t with strftime's fmt, in the member's zone. */
static void
fmt_time(time_t t, const char *fmt, char *out, size_t len)
{
	when_format((int64_t)t, fmt, out, len);
}

const char *
event_kind_words(const char *kind)
{
	if (strcmp(kind, "drop_in") == 0)
		return "drop-in";
	if (strcmp(kind, "show_and_tell") == 0)
		return "show and tell";
	return kind[0] != '\0' ? kind : "event";
}

/* The event's community, or "platform" for platform-wide ones. */
static const char *
ev_where(json_t *e)
{
	return js(e, "community")[0] ? js(e, "community") : "platform";
}

/* The start to show for an event: the next occurrence, else the first. */
const char *
event_start_iso(json_t *e)
{
	return js(e, "next_start")[0] ? js(e, "next_start") : js(e,
	    "starts_at");
}

/* Starts of e's occurrences in [from, to), at most max (recur.c). */
static int
ev_occurrences(json_t *e, time_t from, time_t to, int64_t *out, int max)
{
	int64_t st = time_from_iso8601(js(e, "starts_at"));

	if (st == 0 || json_is_string(json_object_get(e, "cancelled")))
		return 0;
	return (int)recur_between(js(e, "recurrence"), st, from, to, out,
	    (size_t)max);
}

/* ---- the programme: a list and a calendar week ---- */

#define PROG_MAX_PAGES 25

struct programme {
	struct view v;
	char slug[64]; /* opened for one community ("": all) */
	char filter[64]; /* shown: one community ("": all) */
	json_t *events; /* every page, in the server's order */
	json_t *pending; /* pages arriving for a reload */
	int pages;
	bool week, loaded;
	time_t week_start; /* Monday 00:00 of the week shown, member's zone */
	struct list l;
	char msg[256];
	char title[96];
	bool roles_known, may_create; /* staff, or a leader or manager */
};

static void prog_load(struct programme *);

static const char prog_keys[] = "w:list/week  [ ]:weeks  t:this week  "
    "c:new event  f:filter";
static const char prog_keys_member[] = "w:list/week  [ ]:weeks  "
    "t:this week  f:filter";

/* community.list came: may we add events (and offer c)? */
static void
prog_roles(void *ctx, json_t *result, json_t *error)
{
	struct programme *p = ctx;
	const char *role = js(g_me, "role");
	json_t *c;
	size_t i;

	p->may_create = strcmp(role, "staff") == 0 || strcmp(role, "admin") ==
	    0;
	if (error != NULL)
		p->may_create = true; /* unknown: offer it, the server decides */
	json_array_foreach(jarr(result, "communities"), i, c)
		if (strcmp(js(c, "my_role"), "leader") == 0 ||
		    strcmp(js(c, "my_role"), "manager") == 0)
			p->may_create = true;
	p->roles_known = true;
	p->v.keys = p->may_create ? prog_keys : prog_keys_member;
}

/* Monday 00:00 of the week holding t, in the member's zone. */
static time_t
week_of(time_t t)
{
	struct tm tm;
	int64_t day = when_day_start(t);

	if (!when_local(day, &tm))
		return (time_t)day;
	return (time_t)when_add_days(day, -((tm.tm_wday + 6) % 7));
}

static bool
prog_shown(struct programme *p, json_t *e)
{
	return p->filter[0] == '\0' || strcmp(js(e, "community"),
	    p->filter) == 0;
}

static int
by_next_start(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(event_start_iso(x), event_start_iso(y));

	return c != 0 ? c : (ji(x, "id") > ji(y, "id")) - (ji(x, "id") <
	    ji(y, "id"));
}

/* One line of details under an event's title. */
static void
ev_summary(json_t *e, char *out, size_t len)
{
	char cap[48] = "";
	const char *mine = js(e, "my_rsvp");

	if (json_is_integer(json_object_get(e, "capacity")))
		snprintf(cap, sizeof cap, "/%lld", (long long)ji(e,
		    "capacity"));
	snprintf(out, len, "%s · %s · %lld%s going%s%s%s%s",
	    event_kind_words(js(e, "kind")), ev_where(e), (long long)ji(e, "going"),
	    cap, mine[0] ? " · you: " : "", mine[0] ? mine : "",
	    strcmp(js(e, "recurrence"), "none") != 0 &&
	    js(e, "recurrence")[0] ? " · " : "",
	    strcmp(js(e, "recurrence"), "none") != 0 ? js(e, "recurrence") :
	    "");
}

/* List mode: by next occurrence, two lines an event. */
static void
prog_fill_list(struct programme *p)
{
	size_t n = json_array_size(p->events), k = 0, i;
	json_t **sorted = xcalloc(n + 1, sizeof *sorted), *e;

	json_array_foreach(p->events, i, e)
		if (prog_shown(p, e))
			sorted[k++] = e;
	qsort(sorted, k, sizeof *sorted, by_next_start);
	for (i = 0; i < k; i++) {
		char when[40], line[600], sum[300];
		e = sorted[i];
		fmt_time(time_from_iso8601(event_start_iso(e)),
		    "%a %d %b %Y %H:%M %Z", when, sizeof when);
		snprintf(line, sizeof line, "%s  %s", when, js(e, "title"));
		list_add(&p->l, line, ji(e, "room_id") ? "● room open" : NULL,
		    ji(e, "room_id") ? C_UNREAD : C_NORMAL, e, true)->attr =
		    ji(e, "room_id") ? A_BOLD : 0;
		ev_summary(e, sum, sizeof sum);
		snprintf(line, sizeof line, "      %s", sum);
		list_add(&p->l, line, NULL, C_DIM, NULL, false);
	}
	if (k == 0 && p->loaded)
		list_add(&p->l, "No upcoming events.", NULL, C_DIM, NULL,
		    false);
	free(sorted);
}

struct occ {
	time_t t;
	json_t *e;
};

static int
by_time(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (ji(x->e, "id") > ji(y->e, "id")) - (ji(x->e, "id") <
	    ji(y->e, "id"));
}

/* Week mode: a row per day, each event on its day with its time. */
static void
prog_fill_week(struct programme *p)
{
	time_t ws = p->week_start, we = when_add_days(ws, 7), now = time(NULL);
	size_t cap = 64, n = 0, i, k = 0;
	struct occ *o = xcalloc(cap, sizeof *o);
	json_t *e;

	json_array_foreach(p->events, i, e) {
		int64_t ts[8];
		int m;
		if (!prog_shown(p, e))
			continue;
		m = ev_occurrences(e, ws, we, ts, 8);
		for (int j = 0; j < m; j++) {
			if (n == cap) {
				cap *= 2;
				o = xrealloc(o, cap * sizeof *o);
			}
			o[n].t = ts[j];
			o[n++].e = e;
		}
	}
	qsort(o, n, sizeof *o, by_time);
	for (int d = 0; d < 7; d++) {
		time_t ds = when_add_days(ws, d), de = when_add_days(ws, d + 1);
		char day[40], line[600], right[64];
		bool today = now >= ds && now < de, first = true;
		fmt_time(ds, "%a %d %b", day, sizeof day);
		for (; k < n && o[k].t < de; k++) {
			char at[16], end[16];
			struct row *r;
			fmt_time(o[k].t, "%H:%M", at, sizeof at);
			fmt_time(o[k].t + ji(o[k].e, "duration") * 60, "%H:%M",
			    end, sizeof end);
			snprintf(line, sizeof line, "%-10s │ %s-%s  %s",
			    first ? day : "", at, end, js(o[k].e, "title"));
			snprintf(right, sizeof right, "%s%s%s",
			    ji(o[k].e, "room_id") ? "● " : "",
			    strcmp(js(o[k].e, "my_rsvp"), "going") == 0 ?
			    "✓ " : "", ev_where(o[k].e));
			r = list_add(&p->l, line, right, o[k].t + ji(o[k].e,
			    "duration") * 60 < now ? C_DIM : today ? C_UNREAD :
			    C_NORMAL, o[k].e, true);
			r->attr = today ? A_BOLD : 0;
			first = false;
		}
		if (first) {
			snprintf(line, sizeof line, "%-10s │ %s", day,
			    today ? "(today) -" : "-");
			list_add(&p->l, line, NULL, today ? C_UNREAD : C_DIM,
			    NULL, false)->attr = today ? A_BOLD : 0;
		}
	}
	if (n == 0)
		list_add(&p->l, "Nothing this week: ] shows the next.", NULL,
		    C_DIM, NULL, false);
	free(o);
}

/* Rebuild the rows, keeping the selection where it was if it can. */
static void
prog_fill(struct programme *p)
{
	int sel = p->l.sel;

	list_clear(&p->l);
	if (p->week)
		prog_fill_week(p);
	else
		prog_fill_list(p);
	p->l.sel = sel;
	list_fix(&p->l);
}

/* A page of events: ask for the next, or show them all. */
static void
prog_got(void *ctx, json_t *result, json_t *error)
{
	struct programme *p = ctx;
	json_t *next;

	if (error != NULL) {
		snprintf(p->msg, sizeof p->msg, "%s", err_message(error));
		json_decref(p->pending);
		p->pending = NULL;
		return;
	}
	if (p->pending == NULL)
		p->pending = json_array();
	json_array_extend(p->pending, jarr(result, "events"));
	next = json_object_get(result, "next");
	if (json_is_string(next) && ++p->pages < PROG_MAX_PAGES) {
		json_t *args = json_pack("{s:I, s:O}", "limit",
		    (json_int_t)200, "after", next);
		if (p->slug[0] != '\0')
			json_object_set_new(args, "community",
			    json_string(p->slug));
		net_call("event.list", args, &p->v, prog_got, p);
		return;
	}
	json_decref(p->events);
	p->events = p->pending;
	p->pending = NULL;
	p->loaded = true;
	p->msg[0] = '\0';
	prog_fill(p);
}

/* Load every page of the programme again. */
static void
prog_load(struct programme *p)
{
	json_t *args = json_pack("{s:I}", "limit", (json_int_t)200);

	if (p->slug[0] != '\0')
		json_object_set_new(args, "community", json_string(p->slug));
	json_decref(p->pending);
	p->pending = NULL;
	p->pages = 0;
	net_call("event.list", args, &p->v, prog_got, p);
}

/*
 * The heading (week or list, with the member's zone: the week's
 * abbreviations, "GMT/BST" when it changes), the filter, then the rows.
 */
static void
prog_draw(struct view *v, int rows, int cols)
{
	struct programme *p = (struct programme *)v;
	char head[256], a[32], b[32], z1[16], z2[16];
	time_t last = when_add_days(p->week_start, 7) - 1;

	if (p->week) {
		fmt_time(p->week_start, "%a %d %b", a, sizeof a);
		fmt_time(last, "%a %d %b %Y", b, sizeof b);
		when_abbrev(p->week_start, z1, sizeof z1);
		when_abbrev(last, z2, sizeof z2);
		snprintf(head, sizeof head, "Week %s - %s  (times %s%s%s)", a,
		    b, z1, strcmp(z1, z2) != 0 ? "/" : "",
		    strcmp(z1, z2) != 0 ? z2 : "");
	} else
		snprintf(head, sizeof head, "Upcoming events  (times %s)",
		    when_zone_name());
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	snprintf(head, sizeof head, "%s%s%s", p->filter[0] ? "Community: " :
	    "All communities", p->filter, p->week ? "   w: list  [ ]: weeks" :
	    "   w: calendar week");
	put_text(2, 2, cols - 4, head, C_DIM, 0);
	if (p->msg[0] != '\0' || !p->loaded)
		put_text(3, 2, cols - 4, p->msg[0] ? p->msg : "Loading...",
		    p->msg[0] ? C_ERROR : C_DIM, 0);
	list_draw(&p->l, 4, rows - 3, cols);
}

/* The community slugs among the events, for the filter key. */
static void
prog_next_filter(struct programme *p)
{
	json_t *e;
	size_t i;
	bool take = p->filter[0] == '\0';

	json_array_foreach(p->events, i, e) {
		const char *c = js(e, "community");
		if (c[0] == '\0')
			continue;
		if (take && strcmp(c, p->filter) != 0) {
			snprintf(p->filter, sizeof p->filter, "%s", c);
			return;
		}
		if (strcmp(c, p->filter) == 0)
			take = true;
	}
	p->filter[0] = '\0';
}

static void
ev_created(struct view *below, json_t *result)
{
	struct programme *p = (struct programme *)below;
	json_int_t id = ji(jobj(result, "event"), "id");

	prog_load(p);
	ui_flash("Event created.");
	if (id != 0)
		ui_push(view_event(id));
}

/* The event forms' kinds and repeats, in words, each with its hint. */
#define EV_KINDS "drop-in|surgery|show and tell|summit|other"
#define EV_KIND_HINTS "come and go as you like|a queue of people to help, " \
	"one at a time|members show their work|a larger gathering|" \
	"anything else"
#define EV_REPEATS "none|weekly|fortnightly|monthly"
#define EV_REPEAT_HINTS "once|every week, on the same weekday|every two " \
	"weeks, on the same weekday|on the same day of the month"

/* A kind in words (the form's) as event.create names it. */
static const char *
ev_kind_arg(const char *words)
{
	if (strcmp(words, "drop-in") == 0)
		return "drop_in";
	if (strcmp(words, "show and tell") == 0)
		return "show_and_tell";
	return words;
}

/* event.create's arguments from the new event form. */
static bool
ev_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	char iso[64];
	long dur, cap = 0;
	char *end;
	int64_t t;
	int rc;

	if (vals[0][0] == '\0') {
		snprintf(err, errlen, "The event needs a title.");
		return false;
	}
	if ((rc = when_parse_typed(vals[2], &t)) != TIME_OK) {
		snprintf(err, errlen, "Start: %s; give it as YYYY-MM-DD HH:MM "
		    "(%s).", time_parse_error(rc), when_zone_name());
		return false;
	}
	time_iso8601(t, iso);
	dur = strtol(vals[3], &end, 10);
	if (*end != '\0' || dur <= 0) {
		snprintf(err, errlen, "The duration is a number of minutes.");
		return false;
	}
	if (vals[5][0] != '\0') {
		cap = strtol(vals[5], &end, 10);
		if (*end != '\0' || cap <= 0) {
			snprintf(err, errlen, "Capacity: a number of places, "
			    "or empty for no limit.");
			return false;
		}
	}
	json_object_set_new(args, "title", json_string(vals[0]));
	json_object_set_new(args, "kind", json_string(ev_kind_arg(vals[1])));
	json_object_set_new(args, "starts_at", json_string(iso));
	json_object_set_new(args, "duration", json_integer(dur));
	json_object_set_new(args, "recurrence", json_string(vals[4]));
	if (cap > 0)
		json_object_set_new(args, "capacity", json_integer(cap));
	if (vals[6][0] != '\0')
		json_object_set_new(args, "community", json_string(vals[6]));
	if (vals[7][0] != '\0')
		json_object_set_new(args, "description", json_string(vals[7]));
	return true;
}

/* The new event form, the community filled in from the filter. */
static struct view *
ev_form(const char *slug)
{
	char start[32], zone_hint[128];
	struct form_def defs[] = {
		{ "Title", NULL, NULL, NULL },
		{ "Kind", NULL, EV_KINDS, EV_KIND_HINTS },
		{ "Starts", start, NULL, zone_hint },
		{ "Duration (minutes)", "60", NULL, NULL },
		{ "Repeats", NULL, EV_REPEATS, EV_REPEAT_HINTS },
		{ "Capacity", NULL, NULL, "places; empty for no limit" },
		{ "Community", slug, FORM_LED_COMMUNITIES, "Space: the next "
		    "one you lead or manage; (none): platform-wide (staff)" },
		{ "Description", NULL, NULL, "Markdown; Enter here creates "
		    "the event" },
	};

	snprintf(zone_hint, sizeof zone_hint, "YYYY-MM-DD HH:MM, your time "
	    "(%s)", when_zone_name());
	fmt_time(time(NULL) + 86400, "%Y-%m-%d %H:00", start, sizeof start);
	return form_open("New event", "Leaders and managers add events to "
	    "their community's programme.", "event.create", NULL, defs,
	    (int)(sizeof defs / sizeof defs[0]), ev_build, ev_created);
}

/* Switch views and weeks, filter, add an event, open one. */
static bool
prog_key(struct view *v, int ch, bool is_key)
{
	struct programme *p = (struct programme *)v;
	struct row *r;

	if (list_key(&p->l, ch, is_key))
		return true;
	if (is_key)
		goto enter;
	switch (ch) {
	case 'w':
		p->week = !p->week;
		p->l.sel = 0;
		p->l.scroll = 0;
		prog_fill(p);
		return true;
	case '[':
	case ']':
		if (!p->week)
			p->week = true;
		else
			p->week_start = when_add_days(p->week_start,
			    ch == ']' ? 7 : -7);
		p->l.sel = 0;
		p->l.scroll = 0;
		prog_fill(p);
		return true;
	case 't':
		p->week = true;
		p->week_start = week_of(time(NULL));
		prog_fill(p);
		return true;
	case 'f':
		if (p->slug[0] != '\0') {
			ui_flash("This programme is for %s only.", p->slug);
			return true;
		}
		prog_next_filter(p);
		p->l.sel = 0;
		prog_fill(p);
		return true;
	case 'c':
		if (p->roles_known && !p->may_create)
			ui_flash("Only a community's leaders and managers (and "
			    "staff) add events: ask one of them.");
		else
			ui_push(ev_form(p->slug[0] ? p->slug : p->filter));
		return true;
	case 'R':
		prog_load(p);
		return true;
	}
enter:
	if (ENTER(ch, is_key) && (r = list_cur(&p->l)) != NULL) {
		ui_push(view_event(ji(r->data, "id")));
		return true;
	}
	return false;
}

/* Reload when something about events may have changed. */
static void
prog_event(struct view *v, const char *name, json_t *data)
{
	struct programme *p = (struct programme *)v;

	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0 ||
	    strcmp(name, "event.reminder") == 0 ||
	    strcmp(name, "room.listed") == 0 ||
	    (strcmp(name, "room.state") == 0 && json_is_true(
	    json_object_get(data, "closed"))))
		prog_load(p);
	else if (strcmp(name, "notify.new") == 0 && (strncmp(js(data,
	    "kind"), "event", 5) == 0 || strncmp(js(data, "kind"), "room", 4)
	    == 0 || strncmp(js(data, "kind"), "expert", 6) == 0))
		prog_load(p);
}

static void
prog_free(struct view *v)
{
	struct programme *p = (struct programme *)v;

	list_free(&p->l);
	json_decref(p->events);
	json_decref(p->pending);
	free(p);
}

struct view *
view_programme(const char *community_slug)
{
	struct programme *p = xcalloc(1, sizeof *p);

	if (community_slug != NULL)
		snprintf(p->slug, sizeof p->slug, "%s", community_slug);
	snprintf(p->filter, sizeof p->filter, "%s", p->slug);
	snprintf(p->title, sizeof p->title, "Programme%s%s", p->slug[0] ?
	    ": " : "", p->slug);
	p->v.title = p->title;
	p->v.keys = prog_keys_member;
	p->v.help = "The events you may attend, times in your time zone "
	    "(set it in your profile). **w** "
	    "switches between the list (soonest first, with kind, "
	    "community, places taken, your answer and ● when the room is "
	    "open) and a calendar week, Monday to Sunday, where repeating "
	    "events show on each day they happen. **[** and **]** go to "
	    "the previous and next week, **t** back to this one. **f** "
	    "shows one community at a time (again for the next, then all). "
	    "In the week, ● marks an open room and ✓ what you are going to. "
	    "**c** adds an event (leaders and managers; staff for "
	    "platform-wide ones). **R** reloads. Enter opens an event.";
	p->v.draw = prog_draw;
	p->v.key = prog_key;
	p->v.event = prog_event;
	p->v.free = prog_free;
	p->events = json_array();
	p->week_start = week_of(time(NULL));
	prog_load(p);
	net_call("community.list", NULL, &p->v, prog_roles, p);
	return &p->v;
}

/* ---- one event ---- */

struct event {
	struct view v;
	json_int_t id;
	json_t *e;
	char msg[512];
	bool msg_err;
	int scroll, body;
	char keys[200];
	char pending[16]; /* an answer to a repeating event: for which? */
};

static void event_load(struct event *);

/* The status line: only the keys that make sense for this event. */
static void
event_keys(struct event *ev)
{
	json_t *e = ev->e;
	bool host = ji(e, "is_host") != 0;
	bool cancelled = json_is_string(json_object_get(e, "cancelled"));

	snprintf(ev->keys, sizeof ev->keys, "%s%s%s%s%s%s%s",
	    cancelled ? "" : "y/m/x:going/maybe/not  ",
	    !cancelled && strcmp(js(e, "kind"), "surgery") == 0 &&
	    !ji(e, "room_id") ? "u/l:queue  " : "",
	    ji(e, "room_id") ? "o:join room  " : "",
	    host && !cancelled && !ji(e, "room_id") ? "O:open room  " : "",
	    host && !cancelled ? "C:cancel  " : "",
	    ji(e, "thread_id") ? "T:record  " : "",
	    host && !cancelled ? "e:edit" : "");
	ev->v.keys = ev->keys;
}

/* Lay the event out as styled lines for a width. */
static void
event_render(struct event *ev, struct rdoc *d, int w)
{
	json_t *e = ev->e, *x, *q;
	char line[1024], a[48], b[48], hosts[512] = "";
	time_t st = time_from_iso8601(js(e, "starts_at"));
	time_t nx = time_from_iso8601(js(e, "next_start"));
	json_int_t dur = ji(e, "duration");
	const char *rec = js(e, "recurrence");
	size_t i;

	rdoc_add(d, js(e, "title"), ST_HEAD | ST_BOLD, w);
	json_array_foreach(json_object_get(e, "hosts"), i, x) {
		size_t l = strlen(hosts);
		snprintf(hosts + l, sizeof hosts - l, "%s%s (@%s)", i ? ", " :
		    "", js(x, "display_name"), js(x, "handle"));
	}
	snprintf(line, sizeof line, "%s in %s, hosted by %s",
	    event_kind_words(js(e, "kind")), ev_where(e), hosts);
	rdoc_add(d, line, ST_DIM, w);
	rdoc_add(d, "", 0, w);
	if (json_is_string(json_object_get(e, "cancelled"))) {
		short_time(js(e, "cancelled"), a);
		snprintf(line, sizeof line, "CANCELLED on %s%s%s", a,
		    js(e, "cancel_reason")[0] ? ": " : "",
		    js(e, "cancel_reason"));
		rdoc_add(d, line, ST_BOLD, w);
	}
	fmt_time(st, "%a %d %b %Y %H:%M", a, sizeof a);
	fmt_time(st + dur * 60, "%H:%M %Z", b, sizeof b);
	snprintf(line, sizeof line, "When:     %s-%s (%lld min)", a, b,
	    (long long)dur);
	rdoc_add(d, line, 0, w);
	if (rec[0] != '\0' && strcmp(rec, "none") != 0) {
		/* the series' clock time across a clock change: "at 2 pm (GMT
		 * in winter, BST in summer)", not one zone for all of it */
		char nb[48] = "over", words[256];

		if (nx != 0)
			fmt_time(nx, "%a %d %b %Y %H:%M %Z", nb, sizeof nb);
		when_series_words(rec, st, words, sizeof words);
		snprintf(line, sizeof line, "Repeats:  %s; next %s", words,
		    nb);
		rdoc_add(d, line, 0, w);
	}
	if (json_is_integer(json_object_get(e, "capacity")))
		snprintf(a, sizeof a, " of %lld places", (long long)ji(e,
		    "capacity"));
	else
		snprintf(a, sizeof a, " (no limit)");
	snprintf(line, sizeof line, "Coming:   %lld going%s, %lld maybe",
	    (long long)ji(e, "going"), a, (long long)ji(e, "maybe"));
	rdoc_add(d, line, 0, w);
	if (js(e, "my_rsvp_for")[0] && strcmp(js(e, "my_rsvp_for"),
	    "every") != 0)
		when_human_iso(js(e, "my_rsvp_for"), a, sizeof a);
	else
		a[0] = '\0';
	snprintf(line, sizeof line, "You:      %s%s%s%s", js(e, "my_rsvp")[0] ?
	    (strcmp(js(e, "my_rsvp"), "not_going") == 0 ? "not going" :
	    js(e, "my_rsvp")) : "not answered (y going, m maybe, x not going)",
	    a[0] ? " (only " : js(e, "my_rsvp")[0] && strcmp(rec, "none") !=
	    0 && rec[0] ? " (every time)" : "", a, a[0] ? ")" : "");
	rdoc_add(d, line, js(e, "my_rsvp")[0] ? ST_BOLD : ST_DIM, w);
	if (ji(e, "room_id"))
		rdoc_add(d, "Room:     ● open now: press o to join", ST_BOLD,
		    w);
	else if (ji(e, "is_host") && !json_is_string(json_object_get(e,
	    "cancelled")))
		rdoc_add(d, "Room:     not open; as a host, press O to open "
		    "it", ST_DIM, w);
	if (ji(e, "thread_id"))
		rdoc_add(d, "Record:   the last room's record is a thread: "
		    "press T", 0, w);
	if (js(e, "description")[0]) {
		rdoc_add(d, "", 0, w);
		render_markdown(d, js(e, "description"), strlen(js(e,
		    "description")), w);
	}
	q = json_object_get(e, "queue");
	if (strcmp(js(e, "kind"), "surgery") == 0) {
		rdoc_add(d, "", 0, w);
		if (ji(e, "is_host")) {
			snprintf(line, sizeof line, "Surgery queue (%zu "
			    "waiting)", json_array_size(q));
			rdoc_add(d, line, ST_HEAD | ST_BOLD, w);
			json_array_foreach(q, i, x) {
				snprintf(line, sizeof line, "  %lld. %s (@%s): "
				    "%s", (long long)ji(x, "place"),
				    js(x, "display_name"), js(x, "handle"),
				    js(x, "topic"));
				rdoc_add(d, line, 0, w);
			}
		} else if (json_array_size(q) > 0) {
			x = json_array_get(q, 0);
			snprintf(line, sizeof line, "Surgery queue: you are "
			    "number %lld, about \"%s\" (l leaves)",
			    (long long)ji(x, "place"), js(x, "topic"));
			rdoc_add(d, line, ST_BOLD, w);
		} else if (!ji(e, "room_id"))
			rdoc_add(d, "Surgery: press u to join the queue before "
			    "the room opens, with a short topic.", ST_DIM, w);
	}
	if (json_is_array(json_object_get(e, "attendees"))) {
		x = json_object_get(e, "attendees");
		rdoc_add(d, "", 0, w);
		snprintf(line, sizeof line, "Answers (%zu)",
		    json_array_size(x));
		rdoc_add(d, line, ST_HEAD | ST_BOLD, w);
		json_array_foreach(x, i, q) {
			snprintf(line, sizeof line, "  %-10s %s (@%s)",
			    js(q, "status"), js(q, "display_name"),
			    js(q, "handle"));
			rdoc_add(d, line, 0, w);
		}
	}
}

/* The message line, then the event scrolled to where it was. */
static void
event_draw(struct view *v, int rows, int cols)
{
	struct event *ev = (struct event *)v;
	struct rdoc d;
	int y = 1, body;

	if (ev->msg[0] != '\0')
		put_text(y++, 2, cols - 4, ev->msg, ev->msg_err ? C_ERROR :
		    C_OK, A_BOLD);
	if (ev->e == NULL) {
		if (ev->msg[0] == '\0')
			put_text(y, 2, cols - 4, "Loading...", C_DIM, 0);
		return;
	}
	rdoc_init(&d);
	event_render(ev, &d, cols - 4);
	body = rows - y + 1;
	ev->body = body;
	if (ev->scroll > (int)d.n - body)
		ev->scroll = (int)d.n - body;
	if (ev->scroll < 0)
		ev->scroll = 0;
	for (int i = 0; i < body && (size_t)(ev->scroll + i) < d.n; i++)
		put_rline(y + i, 2, cols - 4, &d.lines[ev->scroll + i]);
	rdoc_free(&d);
}

static void
event_got(void *ctx, json_t *result, json_t *error)
{
	struct event *ev = ctx;

	if (error != NULL) {
		snprintf(ev->msg, sizeof ev->msg, "%s", err_message(error));
		ev->msg_err = true;
		return;
	}
	json_decref(ev->e);
	ev->e = json_incref(jobj(result, "event"));
	event_keys(ev);
}

static void
event_load(struct event *ev)
{
	net_call("event.get", json_pack("{s:I}", "id", ev->id), &ev->v,
	    event_got, ev);
}

/* After a change: say so (or the server's refusal) and reload. */
static void
event_changed(void *ctx, json_t *result, json_t *error)
{
	struct event *ev = ctx;

	(void)result;
	if (error != NULL) {
		snprintf(ev->msg, sizeof ev->msg, "%s", err_message(error));
		ev->msg_err = true;
		ui_flash("%s", err_message(error));
		return;
	}
	event_load(ev);
}

/* The answer sent, for occurrence ("every" or one start). */
static void
rsvp_send(struct event *ev, const char *status, const char *occurrence)
{
	char when[48] = "";

	if (strcmp(occurrence, "every") != 0)
		when_human_iso(occurrence, when, sizeof when);
	snprintf(ev->msg, sizeof ev->msg, "Your answer: %s%s%s.",
	    strcmp(status, "not_going") == 0 ? "not going" : status,
	    when[0] ? ", for " : strcmp(occurrence, "every") == 0 &&
	    ev->pending[0] ? ", every time" : "", when);
	ev->msg_err = false;
	ev->pending[0] = '\0';
	net_call("event.rsvp", json_pack("{s:I, s:s, s:s}", "id", ev->id,
	    "status", status, "occurrence", occurrence), &ev->v,
	    event_changed, ev);
}

/*
 * Answer; for a repeating event first ask whether the answer is for the
 * next time only or for every one (1 or 2, Esc neither).
 */
static void
rsvp(struct event *ev, const char *status)
{
	const char *rec = js(ev->e, "recurrence"), *next = js(ev->e,
	    "next_start");
	char when[48];

	if (rec[0] == '\0' || strcmp(rec, "none") == 0 || next[0] == '\0') {
		rsvp_send(ev, status, "every");
		return;
	}
	snprintf(ev->pending, sizeof ev->pending, "%s", status);
	when_human_iso(next, when, sizeof when);
	snprintf(ev->msg, sizeof ev->msg, "It repeats. %s: 1 only the next "
	    "time (%s), 2 every time (Esc: neither)",
	    strcmp(status, "going") == 0 ? "Going" : strcmp(status, "maybe")
	    == 0 ? "Maybe" : "Not going", when);
	ev->msg_err = false;
}

static void
form_done_reload(struct view *below, json_t *result)
{
	struct event *ev = (struct event *)below;

	(void)result;
	event_load(ev);
}

static void
cancel_done(struct view *below, json_t *result)
{
	struct event *ev = (struct event *)below;

	(void)result;
	snprintf(ev->msg, sizeof ev->msg, "The event is cancelled; everyone "
	    "coming is told.");
	ev->msg_err = false;
	event_load(ev);
}

static bool
topic_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	if (vals[0][0] == '\0') {
		snprintf(err, errlen, "Say in a few words what you would like "
		    "help with.");
		return false;
	}
	json_object_set_new(args, "topic", json_string(vals[0]));
	return true;
}

static bool
reason_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	(void)err;
	(void)errlen;
	if (vals[0][0] != '\0')
		json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

/* ---- choosing the record mode before opening a room ---- */

/* What each record mode keeps, in the words every opener sees. */
static const char *record_modes[][2] = {
	{ "off", "nothing is kept; latecomers see no history" },
	{ "transcript", "messages kept with names, posted to the community as "
	    "a thread" },
	{ "chatham", "kept without names (Chatham House Rule), then posted" },
	{ "summary", "nothing kept but the summary you write when closing" },
};
#define NRECORD_MODES (sizeof record_modes / sizeof record_modes[0])

struct recmode {
	struct view v;
	json_int_t event_id;
	struct list l;
};

static void
recmode_draw(struct view *v, int rows, int cols)
{
	struct recmode *r = (struct recmode *)v;

	put_text(1, 1, cols - 2, "Open the room: what is kept of it?",
	    C_HEAD, A_BOLD);
	put_text(2, 2, cols - 4, "Everyone inside sees the record mode. "
	    "Enter chooses, q goes back.", C_DIM, 0);
	list_draw(&r->l, 4, rows - 3, cols);
}

/* Enter opens the room in the chosen mode, as its host. */
static bool
recmode_key(struct view *v, int ch, bool is_key)
{
	struct recmode *r = (struct recmode *)v;
	struct row *row;

	if (list_key(&r->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (row = list_cur(&r->l)) != NULL) {
		ui_replace(view_room_open(json_pack("{s:I, s:s}", "event_id",
		    r->event_id, "record", js(row->data, "record"))));
		return true;
	}
	return false;
}

static void
recmode_free(struct view *v)
{
	struct recmode *r = (struct recmode *)v;

	list_free(&r->l);
	free(r);
}

static struct view *
view_recmode(json_int_t event_id)
{
	struct recmode *r = xcalloc(1, sizeof *r);

	r->v.title = "Open room";
	r->v.keys = "Enter:open with this record mode";
	r->v.draw = recmode_draw;
	r->v.key = recmode_key;
	r->v.free = recmode_free;
	r->event_id = event_id;
	for (size_t i = 0; i < NRECORD_MODES; i++) {
		char line[200];
		json_t *d = json_pack("{s:s}", "record", record_modes[i][0]);
		snprintf(line, sizeof line, "%-10s  %s", record_modes[i][0],
		    record_modes[i][1]);
		list_add(&r->l, line, NULL, C_NORMAL, d, true);
		json_decref(d);
	}
	list_fix(&r->l);
	return &r->v;
}

/* An ad hoc room is open: go in as its host. */
static void
adhoc_opened(struct view *below, json_t *result)
{
	(void)below;
	ui_push(view_room_opened(result));
}

static bool
adhoc_build(json_t *args, const char *const *vals, char *err, size_t errlen)
{
	if (vals[0][0] == '\0') {
		snprintf(err, errlen, "Give the room a title.");
		return false;
	}
	json_object_set_new(args, "title", json_string(vals[0]));
	json_object_set_new(args, "record", json_string(vals[1]));
	return true;
}

struct view *
room_open_form(const char *slug, const char *name)
{
	static char choices[64], hints[512];
	static struct form_def defs[] = {
		{ "Title", NULL, NULL, "what the room is for; everyone sees "
		    "it" },
		{ "Record", NULL, choices, hints },
	};
	char intro[300];

	if (choices[0] == '\0')
		for (size_t i = 0; i < NRECORD_MODES; i++) {
			size_t cl = strlen(choices), hl = strlen(hints);
			snprintf(choices + cl, sizeof choices - cl, "%s%s",
			    i ? "|" : "", record_modes[i][0]);
			snprintf(hints + hl, sizeof hints - hl, "%s%s: %s",
			    i ? "|" : "", record_modes[i][0],
			    record_modes[i][1]);
		}
	snprintf(intro, sizeof intro, "A room without an event, in %s; you "
	    "host it. Everyone inside sees what is kept (Space changes it).",
	    name[0] ? name : slug);
	return form_open("Open a room", intro, "room.open", json_pack("{s:s}",
	    "community", slug), defs, 2, adhoc_build, adhoc_opened);
}

/* event.update's arguments: the new event form's, less the community. */
static bool
ev_edit_build(json_t *args, const char *const *vals, char *err,
    size_t errlen)
{
	if (!ev_build(args, vals, err, errlen))
		return false;
	json_object_del(args, "community");
	if (json_object_get(args, "capacity") == NULL)
		json_object_set_new(args, "capacity", json_null());
	if (json_object_get(args, "description") == NULL)
		json_object_set_new(args, "description", json_string(""));
	return true;
}

/* The event's fields in the new event form, to change and save. */
static struct view *
ev_edit_form(json_t *e)
{
	char start[32], dur[16], cap[16], zone_hint[160];
	struct form_def defs[] = {
		{ "Title", js(e, "title"), NULL, NULL },
		{ "Kind", event_kind_words(js(e, "kind")), EV_KINDS,
		    EV_KIND_HINTS },
		{ "Starts", start, NULL, zone_hint },
		{ "Duration (minutes)", dur, NULL, NULL },
		{ "Repeats", js(e, "recurrence")[0] ? js(e, "recurrence") :
		    "none", EV_REPEATS, EV_REPEAT_HINTS },
		{ "Capacity", cap, NULL, "places; empty for no limit" },
		{ "Community", js(e, "community"), NULL, "cannot be changed "
		    "here" },
		{ "Description", js(e, "description"), NULL, "Markdown; Enter "
		    "here saves; everyone coming is told of a new time" },
	};

	snprintf(zone_hint, sizeof zone_hint, "YYYY-MM-DD HH:MM, your time "
	    "(%s; the first time, for a repeating event)", when_zone_name());
	fmt_time(time_from_iso8601(js(e, "starts_at")), "%Y-%m-%d %H:%M",
	    start, sizeof start);
	snprintf(dur, sizeof dur, "%lld", (long long)ji(e, "duration"));
	cap[0] = '\0';
	if (ji(e, "capacity") > 0)
		snprintf(cap, sizeof cap, "%lld", (long long)ji(e, "capacity"));
	return form_open("Edit the event", "Hosts and the community's leaders "
	    "and managers may change it.", "event.update", json_pack("{s:I}",
	    "id", ji(e, "id")), defs, (int)(sizeof defs / sizeof defs[0]),
	    ev_edit_build, form_done_reload);
}

/* Scroll, answer, queue, open or join the room, cancel. */
static bool
event_key(struct view *v, int ch, bool is_key)
{
	struct event *ev = (struct event *)v;
	json_t *e = ev->e;
	int page = ev->body > 2 ? ev->body - 2 : 1;
	static const struct form_def topic_def[] = {
		{ "Topic", NULL, NULL, "what you would like help with (up to "
		    "200 characters)" },
	};
	static const struct form_def reason_def[] = {
		{ "Reason", NULL, NULL, "told to everyone coming; may be empty" },
	};

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		ev->scroll++;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		ev->scroll--;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		ev->scroll += page;
	else if (is_key && ch == KEY_PPAGE)
		ev->scroll -= page;
	else if (is_key)
		return false;
	else if (ch == 'R')
		event_load(ev);
	else if (e == NULL)
		return false;
	else if (ev->pending[0] != '\0') {
		/* the choice rsvp asked for; any other key sends nothing */
		if (ch == '1' || ch == '2') {
			char status[16];
			snprintf(status, sizeof status, "%s", ev->pending);
			rsvp_send(ev, status, ch == '1' ? js(e, "next_start") :
			    "every");
		} else {
			ev->pending[0] = '\0';
			snprintf(ev->msg, sizeof ev->msg, "Not answered.");
		}
	} else if (ch == 'y')
		rsvp(ev, "going");
	else if (ch == 'm')
		rsvp(ev, "maybe");
	else if (ch == 'x')
		rsvp(ev, "not_going");
	else if (ch == 'u') {
		if (strcmp(js(e, "kind"), "surgery") != 0)
			ui_flash("Only surgeries have a queue.");
		else
			ui_push(form_open("Join the surgery queue", "The hosts "
			    "see your topic; others only see how long the "
			    "queue is.", "event.queue", json_pack("{s:I}",
			    "id", ev->id), topic_def, 1, topic_build,
			    form_done_reload));
	} else if (ch == 'l') {
		snprintf(ev->msg, sizeof ev->msg, "You left the queue.");
		ev->msg_err = false;
		net_call("event.queue", json_pack("{s:I, s:b}", "id", ev->id,
		    "leave", 1), v, event_changed, ev);
	} else if (ch == 'o') {
		if (ji(e, "room_id"))
			ui_push(view_room(ji(e, "room_id")));
		else
			ui_flash("The room is not open.");
	} else if (ch == 'O') {
		if (ji(e, "room_id"))
			ui_push(view_room(ji(e, "room_id")));
		else if (!ji(e, "is_host"))
			ui_flash("Only the event's hosts open its room.");
		else
			ui_push(view_recmode(ev->id));
	} else if (ch == 'C') {
		if (!ji(e, "is_host"))
			ui_flash("Only hosts and leaders cancel an event.");
		else
			ui_push(form_open("Cancel this event", js(e, "title"),
			    "event.cancel", json_pack("{s:I}", "id", ev->id),
			    reason_def, 1, reason_build, cancel_done));
	} else if (ch == 'e') {
		if (!ji(e, "is_host"))
			ui_flash("Only hosts and leaders change an event.");
		else if (json_is_string(json_object_get(e, "cancelled")))
			ui_flash("This event is cancelled.");
		else
			ui_push(ev_edit_form(e));
	} else if (ch == 'T') {
		if (ji(e, "thread_id"))
			ui_push(view_thread(ji(e, "thread_id"), ""));
		else
			ui_flash("No room record yet.");
	} else
		return false;
	return true;
}

/* Reload on this event's reminders, room changes, notices. */
static void
event_event(struct view *v, const char *name, json_t *data)
{
	struct event *ev = (struct event *)v;

	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0)
		event_load(ev);
	else if (strcmp(name, "event.reminder") == 0 && ji(data,
	    "event_id") == ev->id)
		event_load(ev);
	else if (strcmp(name, "room.state") == 0 && (ji(data, "event_id") ==
	    ev->id || (ev->e != NULL && ji(ev->e, "room_id") != 0 &&
	    ji(data, "room_id") == ji(ev->e, "room_id"))))
		event_load(ev);
	else if (strcmp(name, "notify.new") == 0)
		event_load(ev); /* a room opened, a change, a cancellation */
}

static void
event_free(struct view *v)
{
	struct event *ev = (struct event *)v;

	json_decref(ev->e);
	free(ev);
}

struct view *
view_event(json_int_t id)
{
	struct event *ev = xcalloc(1, sizeof *ev);

	ev->v.title = "Event";
	ev->v.keys = "R:reload";
	ev->v.help = "Times are in your time zone (your profile's). **y** going, **m** maybe, **x** not "
	    "going (going is refused when the event is full). For a "
	    "surgery, **u** joins the queue before the room opens, with a "
	    "short topic the hosts see, and **l** leaves it. **o** joins "
	    "the open room. Hosts: **O** opens the room (choose what is "
	    "kept of it), **e** edits it (title, kind, time, duration, "
	    "repeats, capacity, description; everyone coming is told of a "
	    "new time), **C** cancels the event with a reason; hosts also "
	    "see who answered and the queue. **T** reads the last room's "
	    "record. **j/k/Space** scroll, **R** reloads.";
	ev->v.draw = event_draw;
	ev->v.key = event_key;
	ev->v.event = event_event;
	ev->v.free = event_free;
	ev->id = id;
	event_load(ev);
	return &ev->v;
}
