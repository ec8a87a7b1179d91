/*
 * report.c: the state-of-the-community report (report.get, hearthctl
 * report) drawn from health_compute's and health_series' results, as plain
 * text, Markdown (to post as a thread), CSV (one figure a row, for a
 * spreadsheet) or one self-contained HTML file (inline SVG charts, each
 * with the table of its figures behind it, no scripts, no external
 * assets) that prints well to PDF.
 *
 * Threads: report_render is pure (its inputs and a buffer of its own), so
 * it runs on the pool thread that counted the figures.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

enum fmt { F_TEXT, F_MD, F_CSV, F_HTML };

static const char *const levels[] = { "managers", "leaders", "catalysts",
	"engaged", "regulars", "newbies", "lurkers", "inactive" };
#define NLEVELS (sizeof levels / sizeof *levels)

/* The figures shown, in order, with the words for them. */
static const struct fig {
	const char *sect, *key, *label;
} figs[] = {
	{ "size", "members", "Members" },
	{ "size", "interested", "Interested others" },
	{ "size", "joined", "Joined" },
	{ "size", "left", "Left" },
	{ "size", "growth", "Growth (members)" },
	{ "participation", "threads", "Threads started" },
	{ "participation", "replies", "Replies" },
	{ "participation", "contributors", "Contributors" },
	{ "participation", "first_time_contributors",
	    "First-time contributors" },
	{ "participation", "newcomer_contributions",
	    "Posts by members in their first 90 days" },
	{ "participation", "thanks", "Thanks given" },
	{ "participation", "poll_votes", "Poll votes" },
	{ "participation", "events_held", "Events held" },
	{ "participation", "rooms_held", "Rooms held" },
	{ "participation", "attendees", "Attendees (distinct)" },
	{ "participation", "sessions_proposed",
	    "Sessions proposed by members" },
	{ "participation", "unanswered_48h", "Threads unanswered after 48 h" },
};
#define NFIGS (sizeof figs / sizeof *figs)

static json_int_t
gi(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *
gs(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* "8 September 2026": a protocol time's day in words (UTC). */
static const char *
day_words(const char *iso, int64_t shift, char out[40])
{
	static const char *const months[] = { "January", "February", "March",
		"April", "May", "June", "July", "August", "September",
		"October", "November", "December" };
	time_t t = (time_t)(time_from_iso8601(iso) + shift);
	struct tm tm;

	if (time_from_iso8601(iso) == 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, 40, "%.10s", iso);
	else
		snprintf(out, 40, "%d %s %d", tm.tm_mday, months[tm.tm_mon],
		    tm.tm_year + 1900);
	return out;
}

/* The make-up's groups in words (health.get's keys). */
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

/*
 * Words wrapped at 72 columns for the plain text (lead before the first
 * line, then indent), one line for Markdown; a newline after.
 */
static void
put_wrapped(struct buf *b, bool wrap, const char *lead, const char *indent,
    const char *s)
{
	size_t col = strlen(lead);
	bool first = true; /* no word on this line yet */

	buf_puts(b, lead);
	for (s += strspn(s, " "); *s != '\0'; s += strspn(s, " ")) {
		size_t w = strcspn(s, " ");

		if (!first && wrap && col + 1 + w > 72) {
			buf_printf(b, "\n%s", indent);
			col = strlen(indent);
			first = true;
		}
		if (!first) {
			buf_puts(b, " ");
			col++;
		}
		buf_append(b, s, w);
		col += w;
		s += w;
		first = false;
	}
	buf_puts(b, "\n");
}

/* Text safe for HTML (and for Markdown table cells: no pipes). */
static void
put_esc(struct buf *b, enum fmt f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (f == F_HTML && *s == '<')
			buf_puts(b, "&lt;");
		else if (f == F_HTML && *s == '>')
			buf_puts(b, "&gt;");
		else if (f == F_HTML && *s == '&')
			buf_puts(b, "&amp;");
		else if (f == F_HTML && *s == '"')
			buf_puts(b, "&quot;");
		else if (f == F_MD && (*s == '|' || *s == '*' || *s == '_'))
			buf_printf(b, "\\%c", *s);
		else if (f == F_CSV && *s == '"')
			buf_puts(b, "\"\"");
		else if ((unsigned char)*s < 0x20)
			buf_append(b, " ", 1);
		else
			buf_append(b, s, 1);
	}
}

static void
fmt_change(char *out, size_t len, json_t *cmp)
{
	json_t *pct = json_object_get(cmp, "pct");

	if (cmp == NULL) {
		snprintf(out, len, "-");
		return;
	}
	if (json_is_number(pct))
		snprintf(out, len, "%+lld (%+.1f%%)", (long long)gi(cmp,
		    "delta"), json_number_value(pct));
	else
		snprintf(out, len, "%+lld", (long long)gi(cmp, "delta"));
}

static void
fmt_duration(char *out, size_t len, json_t *v)
{
	double s = json_number_value(v);

	if (!json_is_number(v))
		snprintf(out, len, "-");
	else if (s < 3600)
		snprintf(out, len, "%.0f min", s / 60);
	else
		snprintf(out, len, "%.1f h", s / 3600);
}

/* ▁▂▃▄▅▆▇█ for a series of numbers. */
static void
sparkline(struct buf *b, json_t *weeks, const char *key)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆",
		"▇", "█" };
	json_int_t max = 0;
	json_t *w;
	size_t i;

	json_array_foreach(weeks, i, w)
		if (gi(w, key) > max)
			max = gi(w, key);
	json_array_foreach(weeks, i, w)
		buf_puts(b, bars[max > 0 ? (int)(gi(w, key) * 7 / max) : 0]);
}

/* "achieved", "on_track" ... in words. */
static const char *
status_words(const char *s)
{
	if (strcmp(s, "on_track") == 0)
		return "on track";
	if (strcmp(s, "at_risk") == 0)
		return "at risk";
	return s;
}

/* Goals with their key results, then impact stories (text, md, html). */
static void
render_goals(struct buf *b, enum fmt f, json_t *h)
{
	json_t *g, *k, *st;
	size_t i, j;
	char d1[40], d2[40];

	if (json_array_size(json_object_get(h, "goals")) > 0) {
		buf_puts(b, f == F_HTML ? "<h2>Goals</h2>\n" : f == F_MD ?
		    "\n## Goals\n" : "\nGoals\n");
		json_array_foreach(json_object_get(h, "goals"), i, g) {
			if (f == F_HTML)
				buf_puts(b, "<h3>");
			else
				buf_puts(b, f == F_MD ? "\n### " : "\n  ");
			put_esc(b, f, gs(g, "title"));
			buf_printf(b, " (%s to %s)%s", day_words(gs(g,
			    "starts_at"), 0, d1), day_words(gs(g, "ends_at"), 0,
			    d2), f == F_HTML ? "</h3>\n<table>"
			    "<tr><th>key result</th><th>now</th><th>target"
			    "</th><th>by</th><th>expected today</th><th>"
			    "status</th></tr>" : "\n");
			json_array_foreach(json_object_get(g, "key_results"),
			    j, k) {
				double v = json_number_value(json_object_get(k,
				    "value"));
				double t = json_number_value(json_object_get(k,
				    "target"));
				double e = json_number_value(json_object_get(k,
				    "expected"));

				if (f == F_HTML) {
					buf_puts(b, "<tr><td>");
					put_esc(b, f, gs(k, "title"));
					buf_printf(b, "</td><td class=\"n\">%g"
					    "</td><td class=\"n\">%g</td><td>"
					    "%s</td><td class=\"n\">%g</td>"
					    "<td>%s</td></tr>", v, t, day_words(
					    gs(k, "due_at"), 0, d1), e,
					    status_words(gs(k, "status")));
					continue;
				}
				buf_puts(b, f == F_MD ? "- " : "    - ");
				put_esc(b, f, gs(k, "title"));
				buf_printf(b, ": %g of %g by %s, %s "
				    "(expected by today: %g)\n", v, t,
				    day_words(gs(k, "due_at"), 0, d1),
				    status_words(gs(k, "status")), e);
			}
			if (f == F_HTML)
				buf_puts(b, "</table>\n");
		}
	}
	st = json_object_get(h, "impact_stories");
	if (json_array_size(st) == 0)
		return;
	buf_puts(b, f == F_HTML ? "<h2>Impact stories</h2>\n" : f == F_MD ?
	    "\n## Impact stories\n\n" : "\nImpact stories\n");
	json_array_foreach(st, i, g) {
		if (f == F_HTML) {
			buf_puts(b, "<blockquote><p>");
			put_esc(b, f, gs(g, "excerpt"));
			buf_puts(b, "</p><footer>");
			put_esc(b, f, gs(g, "author"));
			buf_puts(b, ", in ");
			put_esc(b, f, gs(g, "thread"));
			buf_puts(b, "</footer></blockquote>\n");
			continue;
		}
		buf_puts(b, f == F_MD ? "> " : "  \"");
		for (const char *p = gs(g, "excerpt"); *p != '\0'; p++) {
			if (*p == '\n')
				buf_puts(b, f == F_MD ? "\n> " : " ");
			else
				buf_append(b, p, 1);
		}
		buf_puts(b, f == F_MD ? "\n>\n> — " : "\"\n    - ");
		put_esc(b, f, gs(g, "author"));
		buf_puts(b, ", in ");
		put_esc(b, f, gs(g, "thread"));
		buf_puts(b, "\n\n");
	}
}

/*
 * The value metric: the temperature checks over time (survey.c's
 * survey_value), each check's mean answers once it has enough of them.
 */
static void
render_value(struct buf *b, enum fmt f, json_t *h)
{
	static const char *const keys[] = { "useful", "connected", "safe",
		"recommend" };
	json_t *checks = json_object_get(json_object_get(h, "value"),
	    "checks"), *c, *v;
	size_t i;
	char d1[40];

	if (json_array_size(checks) == 0)
		return;
	buf_puts(b, f == F_HTML ? "<h2>Value: temperature checks</h2>\n"
	    "<table><tr><th>check</th><th>opened</th><th>answers</th>"
	    "<th>useful (1-5)</th><th>connected (1-5)</th><th>safe (1-5)"
	    "</th><th>recommend (0-10)</th></tr>\n" : f == F_MD ?
	    "\n## Value: temperature checks\n\n| check | opened | answers | "
	    "useful (1-5) | connected (1-5) | safe (1-5) | recommend (0-10) "
	    "|\n|---|---|---|---|---|---|---|\n" : "\nValue: temperature "
	    "checks (means: useful, connected, safe 1-5; recommend 0-10)\n");
	json_array_foreach(checks, i, c) {
		buf_puts(b, f == F_HTML ? "<tr><td>" : f == F_MD ? "| " : "  ");
		put_esc(b, f, gs(c, "title"));
		buf_printf(b, f == F_HTML ? "</td><td>%s</td><td class=\"n\">"
		    "%lld</td>" : f == F_MD ? " | %s | %lld |" :
		    ", opened %s, %lld answers:", day_words(gs(c,
		    "opened_at"), 0, d1), (long long)gi(c, "responses"));
		for (size_t k = 0; k < 4; k++) {
			v = json_object_get(c, keys[k]);
			if (f == F_HTML)
				buf_puts(b, "<td class=\"n\">");
			else
				buf_printf(b, f == F_MD ? " " : " %s ", keys[k]);
			if (json_is_number(v))
				buf_printf(b, "%.1f", json_number_value(v));
			else
				buf_puts(b, f == F_MD || f == F_HTML ? "-" :
				    "n/a");
			buf_puts(b, f == F_HTML ? "</td>" : f == F_MD ? " |" :
			    "");
		}
		buf_puts(b, f == F_HTML ? "</tr>\n" : "\n");
	}
	if (f == F_HTML)
		buf_puts(b, "</table>\n");
	buf_printf(b, "%sMeans are shown once a check has %lld answers.%s\n",
	    f == F_HTML ? "<p>" : f == F_MD ? "\n" : "  ", (long long)gi(
	    json_object_get(h, "value"), "min_responses"), f == F_HTML ?
	    "</p>" : "");
}

/*
 * What the figures mean, in the report itself (its readers, such as the
 * Programme Board, have no copy of Hearth's documentation): the short
 * form of docs/health.md, with this server's settings.
 */
static void
render_meanings(struct buf *b, enum fmt f, json_t *h)
{
	json_t *set = json_object_get(h, "settings");
	char *para[6];
	size_t n = 0;

	para[n++] = xasprintf("A contribution is a post that counts (by a "
	    "member, neither deleted nor hidden by a moderator; a thread's "
	    "first post is one), a vote in a poll (once a poll) or an event "
	    "created. A visit is opening the community or reading one of its "
	    "threads, counted once a day a person (UTC days).");
	para[n++] = xasprintf("The pyramid puts each member (not interested "
	    "others) in the first level that fits what they did in the "
	    "window: managers and leaders by their role; catalysts, %lld or "
	    "more contributions; engaged, %lld or more; regulars, 1 or more; "
	    "newbies, joined in the last %lld days with none; lurkers, "
	    "visited with none; inactive, no visit.", (long long)gi(set,
	    "catalyst"), (long long)gi(set, "engaged"), (long long)gi(set,
	    "newbie_days"));
	para[n++] = xasprintf("The health score (0-100) is the weighted mean "
	    "of its components: participation (members who contributed; 30%% "
	    "is full marks), newcomers (those who joined in the window and "
	    "contributed; 50%%), responsiveness (threads answered within 48 "
	    "hours; 90%%), leaders (full marks up to 30 members a leader), "
	    "lurkers (lurkers and inactive as a share of members; full marks "
	    "up to 60%%) and growth (members against the window's start; 50 "
	    "at no change, full marks at +10%%).");
	para[n++] = xasprintf("Groups of fewer than 5 people are merged into "
	    "\"other\" when the report is for readers outside the "
	    "community's managers.");
	para[n++] = xasprintf("Every figure is defined in full, with what "
	    "counts, what does not and the risks of reading too much into "
	    "it, in Hearth's guide to community health (the health page of "
	    "Hearth's documentation; ask the platform's staff for a copy).");
	buf_puts(b, f == F_HTML ? "<h2>What the figures mean</h2>\n" : f ==
	    F_MD ? "\n## What the figures mean\n\n" : "\nWhat the figures "
	    "mean\n\n");
	for (size_t i = 0; i < n; i++) {
		if (f == F_HTML) {
			buf_puts(b, "<p>");
			put_esc(b, f, para[i]);
			buf_puts(b, "</p>\n");
		} else {
			put_wrapped(b, f == F_TEXT, f == F_TEXT ? "  " : "",
			    "  ", para[i]);
			if (i + 1 < n)
				buf_puts(b, "\n");
		}
		free(para[i]);
	}
}

/* ---- text and Markdown ---- */

static void
table_row(struct buf *b, enum fmt f, const char *a, const char *c2,
    const char *c3, const char *c4)
{
	if (f == F_MD)
		buf_printf(b, "| %s | %s | %s | %s |\n", a, c2, c3, c4);
	else
		buf_printf(b, "  %-42s %10s %10s  %s\n", a, c2, c3, c4);
}

static void
render_words(struct buf *b, enum fmt f, json_t *h, json_t *weeks)
{
	json_t *cmp = json_object_get(h, "compare"), *sc, *c, *pyr;
	char v[32], p[32], ch[48], d1[40], d2[40];
	size_t i;

	if (f == F_MD)
		buf_puts(b, "# State of the community: ");
	else
		buf_puts(b, "STATE OF THE COMMUNITY: ");
	put_esc(b, f, gs(h, "name"));
	/* until is not in the window: its last day is the second before */
	buf_printf(b, "\n\n%s%s to %s (UTC), compared with the %lld days "
	    "before%s\n\n", f == F_MD ? "*" : "", day_words(gs(h, "since"), 0,
	    d1), day_words(gs(h, "until"), -1, d2), (long long)((
	    time_from_iso8601(gs(h, "until")) - time_from_iso8601(gs(h,
	    "since"))) / 86400), f == F_MD ? "*" : "");

	sc = json_object_get(h, "score");
	buf_printf(b, "%sHealth score: %s", f == F_MD ? "## " : "",
	    json_is_integer(json_object_get(sc, "value")) ? "" : "n/a");
	if (json_is_integer(json_object_get(sc, "value")))
		buf_printf(b, "%lld / 100", (long long)gi(sc, "value"));
	if (json_is_integer(json_object_get(sc, "previous")))
		buf_printf(b, " (the window before: %lld)", (long long)gi(sc,
		    "previous"));
	buf_puts(b, "\n\n");
	if (f == F_MD)
		buf_puts(b, "| component | score | before | weight |\n"
		    "|---|---|---|---|\n");
	json_array_foreach(json_object_get(sc, "components"), i, c) {
		snprintf(v, sizeof v, json_is_integer(json_object_get(c,
		    "score")) ? "%lld" : "n/a", (long long)gi(c, "score"));
		snprintf(p, sizeof p, json_is_integer(json_object_get(c,
		    "previous_score")) ? "%lld" : "n/a", (long long)gi(c,
		    "previous_score"));
		snprintf(ch, sizeof ch, "weight %lld", (long long)gi(c,
		    "weight"));
		table_row(b, f, gs(c, "name"), v, p, ch);
	}

	buf_printf(b, "\n%sFigures\n\n", f == F_MD ? "## " : "");
	if (f == F_MD)
		buf_puts(b, "| figure | now | before | change |\n"
		    "|---|---|---|---|\n");
	else
		table_row(b, f, "", "now", "before", "change");
	for (size_t k = 0; k < NFIGS; k++) {
		json_t *cf = json_object_get(json_object_get(cmp,
		    figs[k].sect), figs[k].key);

		snprintf(v, sizeof v, "%lld", (long long)gi(json_object_get(h,
		    figs[k].sect), figs[k].key));
		snprintf(p, sizeof p, cf ? "%lld" : "-", (long long)gi(cf,
		    "previous"));
		fmt_change(ch, sizeof ch, cf);
		table_row(b, f, figs[k].label, v, p, ch);
	}
	fmt_duration(v, sizeof v, json_object_get(json_object_get(h,
	    "participation"), "first_reply_median_s"));
	fmt_duration(p, sizeof p, json_object_get(json_object_get(h,
	    "participation"), "first_reply_p90_s"));
	buf_printf(b, "\nTime to first reply: median %s, 90th percentile "
	    "%s.\n", v, p);

	pyr = json_object_get(h, "pyramid");
	buf_printf(b, "\n%sThe pyramid\n\n", f == F_MD ? "## " : "");
	if (f == F_MD)
		buf_puts(b, "| level | people |\n|---|---|\n");
	for (size_t k = 0; k < NLEVELS; k++) {
		if (f == F_MD)
			buf_printf(b, "| %s | %lld |\n", levels[k],
			    (long long)gi(pyr, levels[k]));
		else {
			buf_printf(b, "  %-10s %5lld  ", levels[k],
			    (long long)gi(pyr, levels[k]));
			for (json_int_t n = 0; n < gi(pyr, levels[k]) && n < 50;
			    n++)
				buf_puts(b, "#");
			buf_puts(b, "\n");
		}
	}
	c = json_object_get(h, "ratios");
	buf_printf(b, "\n%sRatios\n\n", f == F_MD ? "## " : "");
	if (json_is_number(json_object_get(c, "members_per_leader")))
		buf_printf(b, "%sMembers per leader: %.1f (the handbook: at "
		    "most 30)\n", f == F_MD ? "- " : "  ", json_number_value(
		    json_object_get(c, "members_per_leader")));
	else
		buf_printf(b, "%sMembers per leader: no leader\n",
		    f == F_MD ? "- " : "  ");
	if (json_is_number(json_object_get(c, "interested_share")))
		buf_printf(b, "%sInterested others: %.1f%% of members (the "
		    "handbook: at most 10%%)\n", f == F_MD ? "- " : "  ",
		    100 * json_number_value(json_object_get(c,
		    "interested_share")));

	buf_printf(b, "\n%sWeekly, the last %zu weeks\n\n", f == F_MD ? "## " :
	    "", json_array_size(weeks));
	{
		static const char *const keys[] = { "members", "posts",
			"contributors", "visitors" };

		for (size_t k = 0; k < 4; k++) {
			buf_printf(b, "%s%-13s ", f == F_MD ? "- " : "  ",
			    keys[k]);
			/* text is also for screen readers: numbers only */
			if (f == F_MD) {
				sparkline(b, weeks, keys[k]);
				buf_puts(b, "  ");
			}
			json_array_foreach(weeks, i, c)
				buf_printf(b, "%s%lld", i ? " " : "",
				    (long long)gi(c, keys[k]));
			buf_puts(b, "\n");
		}
	}
	buf_printf(b, "\n%sMake-up\n\n", f == F_MD ? "## " : "");
	{
		const char *k;
		json_t *grp, *n;

		json_object_foreach(json_object_get(h, "makeup"), k, grp) {
			const char *name;
			bool first = true;
			struct buf line;

			/* one line a group, wrapped in the plain text */
			buf_init(&line);
			buf_printf(&line, "%s:", makeup_label(k));
			json_object_foreach(grp, name, n) {
				buf_puts(&line, first ? " " : ", ");
				put_esc(&line, f, name);
				buf_printf(&line, " %lld", (long long)
				    json_integer_value(n));
				first = false;
			}
			buf_puts(&line, first ? " -" : "");
			buf_append(&line, "", 1);
			put_wrapped(b, f == F_TEXT, f == F_MD ? "- " : "  ",
			    "    ", buf_head(&line));
			buf_free(&line);
		}
	}
	render_goals(b, f, h);
	render_value(b, f, h);
	render_meanings(b, f, h);
}

/* ---- CSV ---- */

static void
csv_row(struct buf *b, const char *sect, const char *name, json_t *v,
    json_t *cmp)
{
	buf_printf(b, "%s,\"", sect);
	put_esc(b, F_CSV, name);
	buf_puts(b, "\",");
	if (json_is_integer(v))
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_number(v))
		buf_printf(b, "%g", json_number_value(v));
	if (cmp != NULL && json_is_integer(json_object_get(cmp, "previous")))
		buf_printf(b, ",%lld,%lld,", (long long)gi(cmp, "previous"),
		    (long long)gi(cmp, "delta"));
	else
		buf_puts(b, ",,,");
	if (cmp != NULL && json_is_number(json_object_get(cmp, "pct")))
		buf_printf(b, "%g", json_number_value(json_object_get(cmp,
		    "pct")));
	buf_puts(b, "\n");
}

static void
render_csv(struct buf *b, json_t *h, json_t *weeks)
{
	static const char *const sects[] = { "size", "participation",
		"pyramid", "ratios" };
	json_t *cmp = json_object_get(h, "compare"), *v, *c;
	const char *k;
	size_t i;

	buf_puts(b, "section,figure,value,previous,change,change_pct\n");
	buf_printf(b, "window,since,%s,,,\nwindow,until,%s,,,\n",
	    gs(h, "since"), gs(h, "until"));
	csv_row(b, "score", "health score", json_object_get(json_object_get(
	    h, "score"), "value"), NULL);
	json_array_foreach(json_object_get(json_object_get(h, "score"),
	    "components"), i, c)
		csv_row(b, "score", gs(c, "name"), json_object_get(c, "score"),
		    NULL);
	for (size_t s = 0; s < 4; s++)
		json_object_foreach(json_object_get(h, sects[s]), k, v)
			if (json_is_number(v))
				csv_row(b, sects[s], k, v, json_object_get(
				    json_object_get(cmp, sects[s]), k));
	json_object_foreach(json_object_get(h, "makeup"), k, c) {
		const char *name;
		char sect[64];

		snprintf(sect, sizeof sect, "makeup:%s", k);
		json_object_foreach(c, name, v)
			csv_row(b, sect, name, v, NULL);
	}
	json_array_foreach(json_object_get(h, "goals"), i, c) {
		json_t *kr;
		size_t j;

		json_array_foreach(json_object_get(c, "key_results"), j, kr) {
			buf_puts(b, "goal,\"");
			put_esc(b, F_CSV, gs(c, "title"));
			buf_puts(b, ": ");
			put_esc(b, F_CSV, gs(kr, "title"));
			buf_printf(b, "\",%g,,,\n", json_number_value(
			    json_object_get(kr, "value")));
		}
	}
	json_array_foreach(json_object_get(json_object_get(h, "value"),
	    "checks"), i, c) {
		static const char *const vk[] = { "useful", "connected",
			"safe", "recommend" };
		char sect[64];

		snprintf(sect, sizeof sect, "value:%.10s", gs(c, "opened_at"));
		csv_row(b, sect, "answers", json_object_get(c, "responses"),
		    NULL);
		for (size_t q = 0; q < 4; q++)
			csv_row(b, sect, vk[q], json_object_get(c, vk[q]), NULL);
	}
	json_array_foreach(weeks, i, c) {
		char sect[64];

		snprintf(sect, sizeof sect, "week:%.10s", gs(c, "week"));
		json_object_foreach(c, k, v)
			if (json_is_integer(v))
				csv_row(b, sect, k, v, NULL);
	}
}

/* ---- HTML ---- */

/* A horizontal bar chart, then the table of its figures. */
static void
svg_bars(struct buf *b, const char *title, const char *unit,
    const char *const *names, const json_int_t *vals, size_t n)
{
	json_int_t max = 1;
	int h = (int)n * 24 + 8;

	for (size_t i = 0; i < n; i++)
		if (vals[i] > max)
			max = vals[i];
	buf_printf(b, "<figure><svg role=\"img\" aria-label=\"%s\" "
	    "width=\"560\" height=\"%d\" viewBox=\"0 0 560 %d\">", title, h, h);
	for (size_t i = 0; i < n; i++) {
		int w = (int)(vals[i] * 360 / max);

		buf_printf(b, "<text x=\"130\" y=\"%zu\" text-anchor=\"end\" "
		    "font-size=\"13\">%s</text><rect x=\"140\" y=\"%zu\" "
		    "width=\"%d\" height=\"16\" fill=\"#3b6e8f\"/><text "
		    "x=\"%d\" y=\"%zu\" font-size=\"13\">%lld</text>",
		    i * 24 + 20, names[i], i * 24 + 7, w, 146 + w, i * 24 + 20,
		    (long long)vals[i]);
	}
	buf_printf(b, "</svg><figcaption>%s</figcaption></figure>\n<table>"
	    "<tr><th></th><th>%s</th></tr>", title, unit);
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "<tr><td>%s</td><td class=\"n\">%lld</td></tr>",
		    names[i], (long long)vals[i]);
	buf_puts(b, "</table>\n");
}

/* Weekly lines: one polyline a series, then the table. */
static void
svg_weeks(struct buf *b, json_t *weeks)
{
	static const char *const keys[] = { "posts", "contributors",
		"visitors" };
	static const char *const colours[] = { "#3b6e8f", "#b5651d",
		"#4f8a3c" };
	size_t n = json_array_size(weeks), i;
	json_int_t max = 1;
	json_t *w;

	json_array_foreach(weeks, i, w)
		for (size_t k = 0; k < 3; k++)
			if (gi(w, keys[k]) > max)
				max = gi(w, keys[k]);
	buf_puts(b, "<figure><svg role=\"img\" aria-label=\"Weekly posts, "
	    "contributors and visitors\" width=\"560\" height=\"200\" "
	    "viewBox=\"0 0 560 200\"><line x1=\"40\" y1=\"170\" x2=\"550\" "
	    "y2=\"170\" stroke=\"#888\"/>");
	for (size_t k = 0; k < 3; k++) {
		buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"2\" points=\"", colours[k]);
		json_array_foreach(weeks, i, w)
			buf_printf(b, "%d,%d ", 40 + (int)(n > 1 ? i * 500 /
			    (n - 1) : 0), 170 - (int)(gi(w, keys[k]) * 150 /
			    max));
		buf_printf(b, "\"/><text x=\"%d\" y=\"195\" font-size=\"12\" "
		    "fill=\"%s\">%s</text>", 40 + (int)k * 150, colours[k],
		    keys[k]);
	}
	buf_printf(b, "<text x=\"4\" y=\"24\" font-size=\"12\">%lld</text>"
	    "</svg><figcaption>Weekly, the last %zu weeks</figcaption>"
	    "</figure>\n<table><tr><th>week</th><th>members</th><th>posts"
	    "</th><th>threads</th><th>contributors</th><th>visitors</th></tr>",
	    (long long)max, n);
	json_array_foreach(weeks, i, w)
		buf_printf(b, "<tr><td>%.10s</td><td class=\"n\">%lld</td><td "
		    "class=\"n\">%lld</td><td class=\"n\">%lld</td><td "
		    "class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>",
		    gs(w, "week"), (long long)gi(w, "members"),
		    (long long)gi(w, "posts"), (long long)gi(w, "threads"),
		    (long long)gi(w, "contributors"), (long long)gi(w,
		    "visitors"));
	buf_puts(b, "</table>\n");
}

static void
render_html(struct buf *b, json_t *h, json_t *weeks)
{
	json_t *sc = json_object_get(h, "score"), *cmp, *c;
	json_int_t vals[NLEVELS > 8 ? NLEVELS : 8];
	const char *names[8];
	char ch[48], d1[40], d2[40];
	size_t i, n = 0;

	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>State of the community: ");
	put_esc(b, F_HTML, gs(h, "name"));
	buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:"
	    "46em;margin:2em auto;color:#222}table{border-collapse:collapse;"
	    "margin:0.5em 0 1.5em}td,th{border:1px solid #bbb;padding:2px "
	    "8px;text-align:left}td.n{text-align:right}figure{margin:1em 0 "
	    "0}h2{border-bottom:1px solid #ccc;break-after:avoid}"
	    "@media print{body{margin:0}table,figure{break-inside:avoid}}"
	    "</style></head><body>\n<h1>State of the community: ");
	put_esc(b, F_HTML, gs(h, "name"));
	buf_printf(b, "</h1>\n<p>%s to %s (UTC), compared with the "
	    "window of the same length before.</p>\n<h2>Health score: "
	    "<span id=\"score\">", day_words(gs(h, "since"), 0, d1),
	    day_words(gs(h, "until"), -1, d2));
	if (json_is_integer(json_object_get(sc, "value")))
		buf_printf(b, "%lld</span> / 100</h2>\n", (long long)gi(sc,
		    "value"));
	else
		buf_puts(b, "n/a</span></h2>\n");
	json_array_foreach(json_object_get(sc, "components"), i, c) {
		if (n < 8 && json_is_integer(json_object_get(c, "score"))) {
			names[n] = gs(c, "name");
			vals[n++] = gi(c, "score");
		}
	}
	svg_bars(b, "Components of the score (0-100)", "score", names, vals,
	    n);
	buf_puts(b, "<h2>Figures</h2>\n<table id=\"figures\"><tr><th>figure"
	    "</th><th>now</th><th>before</th><th>change</th></tr>");
	cmp = json_object_get(h, "compare");
	for (size_t k = 0; k < NFIGS; k++) {
		json_t *cf = json_object_get(json_object_get(cmp,
		    figs[k].sect), figs[k].key);

		fmt_change(ch, sizeof ch, cf);
		buf_printf(b, "<tr><td>%s</td><td class=\"n\">%lld</td><td "
		    "class=\"n\">%lld</td><td class=\"n\">%s</td></tr>",
		    figs[k].label, (long long)gi(json_object_get(h,
		    figs[k].sect), figs[k].key), (long long)gi(cf, "previous"),
		    ch);
	}
	buf_puts(b, "</table>\n<h2>The pyramid</h2>\n");
	for (n = 0; n < NLEVELS; n++) {
		names[n] = levels[n];
		vals[n] = gi(json_object_get(h, "pyramid"), levels[n]);
	}
	svg_bars(b, "The pyramid: people at each level", "people", names, vals,
	    NLEVELS);
	buf_puts(b, "<h2>Weekly</h2>\n");
	svg_weeks(b, weeks);
	buf_puts(b, "<h2>Make-up</h2>\n");
	{
		const char *k, *name;
		json_t *grp, *v;

		json_object_foreach(json_object_get(h, "makeup"), k, grp) {
			buf_printf(b, "<table><tr><th>%s</th><th>people</th>"
			    "</tr>", makeup_label(k));
			json_object_foreach(grp, name, v) {
				buf_puts(b, "<tr><td>");
				put_esc(b, F_HTML, name);
				buf_printf(b, "</td><td class=\"n\">%lld</td>"
				    "</tr>", (long long)json_integer_value(v));
			}
			buf_puts(b, "</table>\n");
		}
	}
	render_goals(b, F_HTML, h);
	render_value(b, F_HTML, h);
	render_meanings(b, F_HTML, h);
	buf_puts(b, "</body></html>\n");
}

int
report_format(const char *name)
{
	static const char *const names[] = { "text", "md", "csv", "html" };

	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

char *
report_render(json_t *health, json_t *weeks, int format)
{
	struct buf b;
	char *out;

	buf_init(&b);
	if (format == F_CSV)
		render_csv(&b, health, weeks);
	else if (format == F_HTML)
		render_html(&b, health, weeks);
	else
		render_words(&b, (enum fmt)format, health, weeks);
	out = xmalloc(buf_used(&b) + 1);
	memcpy(out, buf_head(&b), buf_used(&b));
	out[buf_used(&b)] = '\0';
	buf_free(&b);
	return out;
}
