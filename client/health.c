/*
 * health.c: a community's health for its leaders and managers, and the
 * platform's for staff (health.get, health.series; docs/health.md): the
 * score and its components with their change, the pyramid drawn in text,
 * the ratios the handbook names, the figures against the window before,
 * weekly sparklines, the make-up. The report can be published to the
 * community as a thread from here (report.get in Markdown, in the
 * composer first so it can be edited).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

static const int windows[] = { 90, 30, 365 };

struct health {
	struct view v;
	char slug[64]; /* "" for the platform */
	char name[160];
	int win; /* index in windows */
	json_t *h, *weeks, *goals;
	struct list l;
	char msg[256];
	int cols; /* the width the rows were laid out for */
	/* a goal ('g') or key result ('k') to select once it is shown */
	char want;
	json_int_t want_id;
};

/* Block characters, or plain ones where the terminal cannot draw them. */
bool
health_ascii(void)
{
	const char *t = getenv("TERM");

	if (getenv("HEARTH_ASCII") != NULL)
		return true;
	return t == NULL || strcmp(t, "dumb") == 0 || strcmp(t, "linux") == 0 ||
	    strncmp(t, "vt1", 3) == 0 || strncmp(t, "vt2", 3) == 0 ||
	    strcmp(t, "ansi") == 0;
}

void
health_sparkline(char *out, size_t len, json_t *weeks, const char *key)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆",
		"▇", "█" };
	static const char plain[] = "_.-~=+*#";
	json_int_t max = 0;
	size_t i, o = 0;
	json_t *w;

	out[0] = '\0';
	json_array_foreach(weeks, i, w)
		if (ji(w, key) > max)
			max = ji(w, key);
	json_array_foreach(weeks, i, w) {
		int k = max > 0 ? (int)(ji(w, key) * 7 / max) : 0;
		const char *s = bars[k];
		char c[2] = { plain[k], '\0' };

		if (health_ascii())
			s = c;
		if (o + strlen(s) + 1 > len)
			break;
		memcpy(out + o, s, strlen(s) + 1);
		o += strlen(s);
	}
}

static const char *
arrow(json_int_t change)
{
	if (health_ascii())
		return change > 0 ? "+" : change < 0 ? "-" : "=";
	return change > 0 ? "▲" : change < 0 ? "▼" : "·";
}

/* A bar of n of max cells, centred in width (the pyramid's rows). */
static void
bar(char *out, size_t len, json_int_t n, json_int_t max, int width)
{
	int w = max > 0 ? (int)((n * width + max - 1) / max) : 0, pad;
	size_t o = 0;
	const char *cell = health_ascii() ? "#" : "█";

	if (n > 0 && w == 0)
		w = 1;
	pad = (width - w) / 2;
	for (int i = 0; i < pad && o + 1 < len; i++)
		out[o++] = ' ';
	for (int i = 0; i < w && o + strlen(cell) < len; i++) {
		memcpy(out + o, cell, strlen(cell));
		o += strlen(cell);
	}
	out[o] = '\0';
}

static const struct {
	const char *sect, *key, *label;
} shown[] = {
	{ "size", "members", "Members" },
	{ "size", "interested", "Interested others" },
	{ "size", "joined", "Joined" },
	{ "size", "left", "Left" },
	{ "participation", "threads", "Threads started" },
	{ "participation", "replies", "Replies" },
	{ "participation", "contributors", "Contributors" },
	{ "participation", "first_time_contributors", "First-time" },
	{ "participation", "thanks", "Thanks" },
	{ "participation", "poll_votes", "Poll votes" },
	{ "participation", "events_held", "Events held" },
	{ "participation", "attendees", "Attendees" },
	{ "participation", "sessions_proposed", "Sessions proposed" },
	{ "participation", "unanswered_48h", "Unanswered 48 h" },
};

/* The make-up's groups, as the report names them. */
static const char *
makeup_label(const char *k)
{
	static const char *const names[][2] = {
		{ "community_role", "Community role" },
		{ "platform_role", "Platform role" },
		{ "region", "Region" },
		{ "organisation", "Organisation" },
		{ "job_role", "Job role" },
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(k, names[i][0]) == 0)
			return names[i][1];
	return k;
}

/* One group of the make-up, wrapped to the screen's width. */
static void
makeup_fill(struct health *hv, const char *label, json_t *grp)
{
	int width = (hv->cols > 24 ? hv->cols : 80) - 4;
	char line[1024], item[512];
	void *it, *next;
	size_t o;

	o = (size_t)snprintf(line, sizeof line, "  %s:", label);
	if (json_object_size(grp) == 0)
		snprintf(line + o, sizeof line - o, " none");
	for (it = json_object_iter(grp); it != NULL; it = next) {
		next = json_object_iter_next(grp, it);
		/* the comma goes with the item before the next */
		snprintf(item, sizeof item, "%s %lld%s",
		    json_object_iter_key(it), (long long)json_integer_value(
		    json_object_iter_value(it)), next != NULL ? "," : "");
		if (strspn(line, " ") < o && text_width(line) + 1 +
		    text_width(item) > width) {
			list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
			o = (size_t)snprintf(line, sizeof line, "   ");
		}
		if (o < sizeof line)
			o += (size_t)snprintf(line + o, sizeof line - o, " %s",
			    item);
	}
	list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
}

static const char *
status_words(const char *st)
{
	return strcmp(st, "on_track") == 0 ? "on track" :
	    strcmp(st, "at_risk") == 0 ? "at risk" : st;
}

/* Goals, each key result with a bar, where it should be, its status. */
static void
goals_fill(struct health *hv)
{
	json_t *g, *k;
	size_t i, j;
	char line[512], right[160], b[256];

	list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
	list_add(&hv->l, "Goals", NULL, C_HEAD, NULL, false);
	if (json_array_size(jarr(hv->goals, "goals")) == 0)
		list_add(&hv->l, "  No goals yet. Managers: N adds one, K a key "
		    "result to it.", NULL, C_DIM, NULL, false);
	json_array_foreach(jarr(hv->goals, "goals"), i, g) {
		snprintf(line, sizeof line, "  %s", js(g, "title"));
		snprintf(right, sizeof right, "to %.10s", js(g, "ends_at"));
		if (hv->want == 'g' && ji(g, "id") == hv->want_id) {
			hv->l.sel = (int)hv->l.n;
			hv->want = 0;
		}
		list_add(&hv->l, line, right, C_NORMAL, g, true);
		json_array_foreach(jarr(g, "key_results"), j, k) {
			const char *st = js(k, "status");
			double v = json_number_value(json_object_get(k,
			    "value"));
			double t = json_number_value(json_object_get(k,
			    "target"));

			bar(b, sizeof b, (json_int_t)(1000 * json_number_value(
			    json_object_get(k, "progress"))), 1000, 10);
			snprintf(line, sizeof line, "    %-28.28s %g/%g %s",
			    js(k, "title"), v, t, b + strspn(b, " "));
			snprintf(right, sizeof right, "%s (by today: %g)",
			    status_words(st), json_number_value(
			    json_object_get(k, "expected")));
			if (hv->want == 'k' && ji(k, "id") == hv->want_id) {
				hv->l.sel = (int)hv->l.n;
				hv->want = 0;
			}
			list_add(&hv->l, line, right, strcmp(st, "behind") ==
			    0 || strcmp(st, "missed") == 0 ? C_ERROR :
			    strcmp(st, "at_risk") == 0 ? C_UNREAD : C_NORMAL,
			    k, true);
		}
	}
}

static void
health_fill(struct health *hv)
{
	static const char *const levels[] = { "managers", "leaders",
		"catalysts", "engaged", "regulars", "newbies", "lurkers",
		"inactive" };
	json_t *h = hv->h, *sc, *c, *pyr, *cmp, *r;
	char line[512], right[160], b[256];
	json_int_t max = 0;
	size_t i;

	list_clear(&hv->l);
	if (h == NULL)
		return;
	snprintf(line, sizeof line, "%.10s to %.10s (%d days), against the "
	    "%d days before", js(h, "since"), js(h, "until"),
	    windows[hv->win], windows[hv->win]);
	list_add(&hv->l, line, NULL, C_DIM, NULL, false);
	sc = json_object_get(h, "score");
	if (json_is_integer(json_object_get(sc, "value")))
		snprintf(line, sizeof line, "Health score %lld / 100",
		    (long long)ji(sc, "value"));
	else
		snprintf(line, sizeof line, "Health score: not enough to "
		    "measure yet");
	if (json_is_integer(json_object_get(sc, "previous")))
		snprintf(right, sizeof right, "before: %lld",
		    (long long)ji(sc, "previous"));
	else
		right[0] = '\0';
	list_add(&hv->l, line, right, C_HEAD, NULL, false);
	json_array_foreach(jarr(sc, "components"), i, c) {
		json_t *s = json_object_get(c, "score");

		if (!json_is_integer(s)) {
			snprintf(line, sizeof line, "  %-15s  n/a", js(c,
			    "name"));
			list_add(&hv->l, line, "nothing to measure", C_DIM,
			    NULL, false);
			continue;
		}
		bar(b, sizeof b, ji(c, "score"), 100, 20);
		snprintf(line, sizeof line, "  %-15s %3lld %s", js(c, "name"),
		    (long long)ji(c, "score"), b + strspn(b, " "));
		if (json_is_integer(json_object_get(c, "change")))
			snprintf(right, sizeof right, "%s %+lld (weight %lld)",
			    arrow(ji(c, "change")), (long long)ji(c, "change"),
			    (long long)ji(c, "weight"));
		else
			snprintf(right, sizeof right, "(weight %lld)",
			    (long long)ji(c, "weight"));
		list_add(&hv->l, line, right, C_NORMAL, NULL, false);
	}

	goals_fill(hv);
	list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
	list_add(&hv->l, "The pyramid", NULL, C_HEAD, NULL, false);
	pyr = json_object_get(h, "pyramid");
	for (size_t k = 0; k < 8; k++)
		if (ji(pyr, levels[k]) > max)
			max = ji(pyr, levels[k]);
	for (size_t k = 0; k < 8; k++) {
		/* narrow at the top, as the handbook draws it */
		bar(b, sizeof b, ji(pyr, levels[k]), max, 30);
		snprintf(line, sizeof line, "  %-10s %5lld %s", levels[k],
		    (long long)ji(pyr, levels[k]), b);
		list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
	}

	list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
	r = json_object_get(h, "ratios");
	if (json_is_number(json_object_get(r, "members_per_leader")))
		snprintf(line, sizeof line, "Members per leader: %.1f "
		    "(aim: 30 or fewer)", json_number_value(json_object_get(r,
		    "members_per_leader")));
	else
		snprintf(line, sizeof line, "Members per leader: no leader "
		    "yet");
	list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
	if (json_is_number(json_object_get(r, "interested_share"))) {
		snprintf(line, sizeof line, "Interested others: %.1f%% of "
		    "members (aim: 10%% or fewer)", 100 * json_number_value(
		    json_object_get(r, "interested_share")));
		list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
	}

	list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
	/* each heading over its column: now, the window before, change */
	snprintf(line, sizeof line, "%-22s %6s %6s  %s", "Figures", "now",
	    "before", "change");
	list_add(&hv->l, line, NULL, C_HEAD, NULL, false);
	cmp = json_object_get(h, "compare");
	for (size_t k = 0; k < sizeof shown / sizeof *shown; k++) {
		json_t *cf = json_object_get(json_object_get(cmp,
		    shown[k].sect), shown[k].key);

		snprintf(line, sizeof line, "  %-20s %6lld %6lld  %s %+lld",
		    shown[k].label, (long long)ji(json_object_get(h,
		    shown[k].sect), shown[k].key), (long long)ji(cf,
		    "previous"), arrow(ji(cf, "delta")),
		    (long long)ji(cf, "delta"));
		list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
	}
	c = json_object_get(h, "participation");
	if (json_is_integer(json_object_get(c, "first_reply_median_s"))) {
		snprintf(line, sizeof line, "  First reply: median %.1f h, "
		    "90%% within %.1f h", ji(c, "first_reply_median_s") /
		    3600.0, ji(c, "first_reply_p90_s") / 3600.0);
		list_add(&hv->l, line, NULL, C_NORMAL, NULL, false);
	}

	if (hv->weeks != NULL) {
		static const char *const keys[] = { "members", "posts",
			"contributors", "visitors" };

		list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
		snprintf(line, sizeof line, "The last %zu weeks",
		    json_array_size(hv->weeks));
		list_add(&hv->l, line, NULL, C_HEAD, NULL, false);
		for (size_t k = 0; k < 4; k++) {
			json_t *last = json_array_get(hv->weeks,
			    json_array_size(hv->weeks) - 1);

			health_sparkline(b, sizeof b, hv->weeks, keys[k]);
			snprintf(line, sizeof line, "  %-13s %s", keys[k], b);
			snprintf(right, sizeof right, "this week %lld",
			    (long long)ji(last, keys[k]));
			list_add(&hv->l, line, right, C_NORMAL, NULL, false);
		}
	}

	list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
	list_add(&hv->l, "Make-up", NULL, C_HEAD, NULL, false);
	{
		const char *k;
		json_t *grp;

		json_object_foreach(json_object_get(h, "makeup"), k, grp)
			makeup_fill(hv, makeup_label(k), grp);
	}
	list_add(&hv->l, "", NULL, C_NORMAL, NULL, false);
	list_add(&hv->l, "What each figure means: ? on this screen.", NULL,
	    C_DIM, NULL, false);
	/* every line can hold the cursor, so that moving shows where you
	 * are and scrolls the screen; goals and key results are acted on */
	for (size_t k = 0; k < hv->l.n; k++)
		hv->l.rows[k].pick = hv->l.rows[k].text[0] != '\0';
	list_fix(&hv->l);
}

static void
health_got(void *ctx, json_t *result, json_t *error)
{
	struct health *hv = ctx;

	if (error != NULL) {
		snprintf(hv->msg, sizeof hv->msg, "%s", err_message(error));
		return;
	}
	hv->msg[0] = '\0';
	json_decref(hv->h);
	hv->h = json_incref(result);
	health_fill(hv);
}

static void
series_got(void *ctx, json_t *result, json_t *error)
{
	struct health *hv = ctx;

	if (error != NULL)
		return;
	json_decref(hv->weeks);
	hv->weeks = json_incref(jarr(result, "weeks"));
	health_fill(hv);
}

static void
goals_got(void *ctx, json_t *result, json_t *error)
{
	struct health *hv = ctx;

	if (error != NULL)
		return;
	json_decref(hv->goals);
	hv->goals = json_incref(result);
	health_fill(hv);
}

static json_t *
scope_args(struct health *hv)
{
	json_t *a = json_object();

	if (hv->slug[0] != '\0')
		json_object_set_new(a, "community", json_string(hv->slug));
	return a;
}

static void
health_load(struct health *hv)
{
	json_t *a = scope_args(hv);

	json_object_set_new(a, "days", json_integer(windows[hv->win]));
	snprintf(hv->msg, sizeof hv->msg, "Counting…");
	net_call("health.get", a, &hv->v, health_got, hv);
	net_call("health.series", scope_args(hv), &hv->v, series_got, hv);
	net_call("goal.list", scope_args(hv), &hv->v, goals_got, hv);
}

static void
published(struct view *below, json_t *result)
{
	(void)below;
	ui_flash("The report is posted as a thread (%lld).",
	    (long long)ji(result, "thread_id"));
}

static void
report_got(void *ctx, json_t *result, json_t *error)
{
	struct health *hv = ctx;
	char key[96];

	if (error != NULL) {
		ui_flash("No report: %s", err_message(error));
		return;
	}
	snprintf(key, sizeof key, "report:%s", hv->slug);
	ui_push(composer_open("Publish the report (edit it first if you "
	    "like; give it a title)", "thread.create", json_pack("{s:s}",
	    "slug", hv->slug), key, true, js(result, "text"), published));
}

static void health_load(struct health *);

static void
goal_done(struct view *below, json_t *result)
{
	struct health *hv = (struct health *)below;

	/* the cursor goes to what was added or changed */
	if (json_is_integer(json_object_get(result, "goal_id"))) {
		hv->want = 'g';
		hv->want_id = ji(result, "goal_id");
	} else if (json_is_integer(json_object_get(result, "kr_id"))) {
		hv->want = 'k';
		hv->want_id = ji(result, "kr_id");
	}
	ui_flash("Saved.");
	health_load(hv);
}

static bool
goal_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[0][0] == '\0' || vals[1][0] == '\0') {
		snprintf(err, len, "A goal needs a title and an end date.");
		return false;
	}
	json_object_set_new(args, "title", json_string(vals[0]));
	json_object_set_new(args, "ends_at", json_string(vals[1]));
	if (vals[2][0] != '\0')
		json_object_set_new(args, "starts_at", json_string(vals[2]));
	json_object_set_new(args, "description", json_string(vals[3]));
	return true;
}

static bool
kr_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	char *end;
	long target = strtol(vals[2], &end, 10);

	if (vals[0][0] == '\0' || end == vals[2] || *end != '\0') {
		snprintf(err, len, "Give a title and a whole number to reach.");
		return false;
	}
	json_object_set_new(args, "title", json_string(vals[0]));
	if (strcmp(vals[1], "manual") != 0)
		json_object_set_new(args, "metric", json_string(vals[1]));
	json_object_set_new(args, "target", json_integer(target));
	if (vals[3][0] != '\0')
		json_object_set_new(args, "due_at", json_string(vals[3]));
	if (vals[4][0] != '\0')
		json_object_set_new(args, "owner", json_string(vals[4] +
		    (vals[4][0] == '@')));
	return true;
}

static bool
goal_edit_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	(void)err;
	(void)len;
	if (vals[0][0] != '\0')
		json_object_set_new(args, "title", json_string(vals[0]));
	if (vals[1][0] != '\0')
		json_object_set_new(args, "ends_at", json_string(vals[1]));
	json_object_set_new(args, "archive", json_boolean(strcmp(vals[2],
	    "archive it") == 0));
	return true;
}

static bool
progress_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	char *end;
	long v = strtol(vals[0], &end, 10);

	if (end == vals[0] || *end != '\0' || v < 0) {
		snprintf(err, len, "The value now, as a whole number.");
		return false;
	}
	json_object_set_new(args, "progress", json_integer(v));
	if (vals[1][0] != '\0')
		json_object_set_new(args, "note", json_string(vals[1]));
	return true;
}

static bool
impact_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	(void)err;
	(void)len;
	json_object_set_new(args, "note", json_string(vals[0]));
	return true;
}

static void
impact_done(struct view *below, json_t *result)
{
	(void)below;
	(void)result;
	ui_flash("Marked as an impact story: reports quote it.");
}

struct view *
health_impact_form(json_int_t post_id)
{
	static const struct form_def defs[] = {
		{ "Why it matters", NULL, NULL, "for reports; may be empty" },
	};

	return form_open("Impact story", "Reports to the Programme Board "
	    "quote this post with its author's name. Mark only what its "
	    "author would be glad to see there.", "post.impact",
	    json_pack("{s:I}", "post_id", post_id), defs, 1, impact_build,
	    impact_done);
}

/* N, K, U on the health screen: a goal, a key result, progress. */
static bool
goal_key(struct health *hv, int ch)
{
	static const struct form_def goal_defs[] = {
		{ "Title", NULL, NULL, "what the community will achieve" },
		{ "Ends", NULL, NULL, "YYYY-MM-DD" },
		{ "Starts", NULL, NULL, "YYYY-MM-DD; empty: today" },
		{ "Description", NULL, NULL, NULL },
	};
	static const struct form_def kr_defs[] = {
		{ "Key result", NULL, NULL, "e.g. 30 posts in the first year" },
		{ "Measured by", "manual", "manual|posts|threads|replies|"
		    "contributors|first_time_contributors|members|interested|"
		    "communities|thanks|poll_votes|events_held|rooms_held|"
		    "attendees|expert_requests|sessions_proposed", NULL },
		{ "Target", NULL, NULL, "a whole number" },
		{ "Due", NULL, NULL, "YYYY-MM-DD; empty: the goal's end" },
		{ "Owner", NULL, NULL, "@handle who enters progress (manual)" },
	};
	static const struct form_def prog_defs[] = {
		{ "Value now", NULL, NULL, NULL },
		{ "Note", NULL, NULL, NULL },
	};
	struct row *r = list_cur(&hv->l);
	json_t *d = r != NULL ? r->data : NULL;

	/* K and E on a key result: its goal (the goal row above it) */
	if ((ch == 'K' || ch == 'E') && d != NULL &&
	    json_object_get(d, "target") != NULL)
		for (int i = hv->l.sel - 1; i >= 0 && hv->l.rows[i].data !=
		    NULL; i--)
			if (json_object_get(hv->l.rows[i].data,
			    "key_results") != NULL) {
				d = hv->l.rows[i].data;
				break;
			}
	if (ch == 'N') {
		ui_push(form_open("New goal", "A goal with a timeline; add "
		    "its key results with K.", "goal.create", scope_args(hv),
		    goal_defs, 4, goal_build, goal_done));
		return true;
	}
	if (ch == 'K' && d != NULL && json_object_get(d, "key_results")) {
		ui_push(form_open("New key result", "Bound to a metric "
		    "(measured for you) or manual (its owner enters the value).",
		    "goal.kr_add", json_pack("{s:I}", "goal_id", ji(d, "id")),
		    kr_defs, 5, kr_build, goal_done));
		return true;
	}
	if (ch == 'E' && d != NULL && json_object_get(d, "key_results")) {
		struct form_def edit[3] = {
			{ "Title", js(d, "title"), NULL, NULL },
			{ "Ends", NULL, NULL, "YYYY-MM-DD" },
			{ "Keep", "keep it", "keep it|archive it",
			    "an archived goal is no longer shown" },
		};
		char ends[16];

		snprintf(ends, sizeof ends, "%.10s", js(d, "ends_at"));
		edit[1].init = ends;
		ui_push(form_open("Change the goal", NULL, "goal.update",
		    json_pack("{s:I}", "goal_id", ji(d, "id")), edit, 3,
		    goal_edit_build, goal_done));
		return true;
	}
	if (ch == 'K' || ch == 'E') {
		ui_flash("Move to a goal under Goals first (j/k), or N to add "
		    "one.");
		return true;
	}
	if (ch == 'U' && d != NULL && json_object_get(d, "target")) {
		ui_push(form_open("Progress", js(d, "title"),
		    "goal.kr_update", json_pack("{s:I}", "kr_id", ji(d, "id")),
		    prog_defs, 2, progress_build, goal_done));
		return true;
	}
	if (ch == 'U') {
		ui_flash("Move to a key result under Goals first (j/k).");
		return true;
	}
	return false;
}

static void
health_draw(struct view *v, int rows, int cols)
{
	struct health *hv = (struct health *)v;
	char head[256];

	if (cols != hv->cols) { /* the make-up wraps to the width */
		hv->cols = cols;
		health_fill(hv);
	}
	snprintf(head, sizeof head, "Health of %s", hv->name);
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	if (hv->msg[0] != '\0')
		put_text(2, 2, cols - 4, hv->msg, C_DIM, 0);
	list_draw(&hv->l, 3, rows - 2, cols);
}

static bool
health_key(struct view *v, int ch, bool is_key)
{
	struct health *hv = (struct health *)v;

	if (list_key(&hv->l, ch, is_key))
		return true;
	if (!is_key && ch == 'w') {
		hv->win = (hv->win + 1) % (int)(sizeof windows /
		    sizeof *windows);
		health_load(hv);
		return true;
	}
	if (!is_key && ch == 'R') {
		health_load(hv);
		return true;
	}
	if (!is_key && (ch == 'N' || ch == 'K' || ch == 'U' || ch == 'E') &&
	    goal_key(hv, ch))
		return true;
	if (!is_key && ch == 'o' && hv->slug[0] != '\0') {
		ui_push(view_outreach(hv->slug, hv->name));
		return true;
	}
	if (!is_key && ch == 'p' && hv->slug[0] != '\0') {
		json_t *a = scope_args(hv);

		json_object_set_new(a, "days", json_integer(
		    windows[hv->win]));
		json_object_set_new(a, "format", json_string("md"));
		net_call("report.get", a, v, report_got, hv);
		return true;
	}
	return false;
}

static void
health_free(struct view *v)
{
	struct health *hv = (struct health *)v;

	list_free(&hv->l);
	json_decref(hv->h);
	json_decref(hv->weeks);
	json_decref(hv->goals);
	free(hv);
}

struct view *
view_health(const char *slug, const char *name)
{
	struct health *hv = xcalloc(1, sizeof *hv);

	snprintf(hv->slug, sizeof hv->slug, "%s", slug ? slug : "");
	snprintf(hv->name, sizeof hv->name, "%s", slug ? name :
	    "the whole platform");
	hv->v.title = slug ? "Community health" : "Platform health";
	hv->v.keys = slug ? "j/k/Space:move  w:window  p:publish report  "
	    "o:outreach  N/K/U/E:goals" : "j/k/Space:move  w:window  "
	    "N/K/U/E:goals  R:reload";
	hv->v.help = "The measures of docs/health.md, counted on the server "
	    "from what Hearth records. **j**/**k** (or the arrows) move the "
	    "highlighted line, **Space**/**PgDn** and **PgUp** a page, **g** "
	    "and **G** to the top and the end. **Score**: the weighted mean of six "
	    "components, each 0-100, with its change since the window "
	    "before: participation (members who contributed; 30% is full "
	    "marks), newcomers (those who joined and contributed), "
	    "responsiveness (threads answered within 48 hours), leaders (up "
	    "to 30 members a leader), lurkers (members who only read or do "
	    "not visit) and growth. **The pyramid**: each member by what "
	    "they did in the window: catalysts (10 or more contributions), "
	    "engaged (3 or more), regulars (1 or more), newbies (joined in "
	    "the last 30 days), lurkers (visited, no contribution), inactive "
	    "(no visit). **w** changes the window; **p** opens the report in "
	    "the composer to post it to the community as a thread. "
	    "**Goals**: **N** adds a goal, **K** a key result to the "
	    "highlighted goal (or the goal of the highlighted key result) (measured from a metric, or manual), **U** "
	    "enters the value of the selected key result (its owner, or a "
	    "manager), **E** changes or archives the selected goal. **o** (managers) lists who to reach: newcomers to "
	    "check in with, with a suggested mentor, lurkers, catalysts, "
	    "members who never contributed.";
	hv->v.draw = health_draw;
	hv->v.key = health_key;
	hv->v.free = health_free;
	health_load(hv);
	return &hv->v;
}
