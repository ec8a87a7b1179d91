/*
 * roadmap.c: the community-of-practice roadmap template (seeds/002: its
 * sections with their prompts, the action grid's periods and the three
 * ambitions), a roadmap's snapshot as JSON (what every version stores),
 * and what is made from a snapshot: Markdown, CSV of the action grid, and
 * a readable line diff of two versions. The operations are in
 * op-roadmap.c, the reminders in roadmap-remind.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

/* The template's sections, in its order, then its three ambitions. */
static const struct roadmap_section sections[] = {
	{ "vision", "Vision", "What is the challenge you want to address / "
	    "the problem to solve? What is your long-term goal?", false },
	{ "purpose", "Community purpose", "What is the community's raison "
	    "d'être in support of the vision?", false },
	{ "objectives", "Objectives", "What is your strategy to reach your "
	    "community vision? Define SMART steps, behaviours and rituals.",
	    false },
	{ "governance", "Governance", "How do you work together, take "
	    "decisions and act on them? List working practices and processes "
	    "fitting the community needs, purpose, and values.", false },
	{ "stakeholders", "Stakeholder mapping", "Define your membership and "
	    "the surrounding community ecosystem. Who are the actors involved "
	    "in/impacted by the community?", false },
	{ "safety", "Risk-free environment", "What are key elements to "
	    "building trust and guaranteeing a safe place?", false },
	{ "leadership", "Leadership", "How will you ensure strong leadership "
	    "participation?", false },
	{ "core_group", "Core group", "How do you get your core group to "
	    "steer the community?", false },
	{ "sponsorship", "Investment and sponsorship", "What support do you "
	    "need from management? How do you get them involved and create "
	    "participation opportunities?", false },
	{ "convening", "Convening", "What kind of convening "
	    "opportunities/events fit with your community in general?", false },
	{ "communication", "Communication, connection and conversation",
	    "What convening opportunities will you design to create and "
	    "encourage connections, conversations and communication?", false },
	{ "boundary_spanning", "Boundary-spanning", "How do you regularly "
	    "feed your community with external expertise and promote access "
	    "to other networks?", false },
	{ "collaboration", "Collaboration/cooperation", "How do you make "
	    "members collaborate and/or cooperate to enrich the common "
	    "practice and produce knowledge assets/qualitative deliverables?",
	    false },
	{ "coordination", "Coordination", "How do you coordinate members' "
	    "work towards delivering on the objectives agreed?", false },
	{ "co_creation", "Co-creation", "What content needs to be "
	    "curated/synthesised/co-created and what methods will you use to "
	    "succeed in this?", false },
	{ "community_management", "Community management", "What role and "
	    "tasks will the community manager perform?", false },
	{ "real_life_online", "In real life and online", "How will you "
	    "combine and ensure the flow between real-life and online, "
	    "asynchronous and synchronous community interactions?", false },
	{ "facilitation", "Facilitation", "What facilitation methods do you "
	    "need to get the best out of the community's dynamic social "
	    "processes?", false },
	{ "user_experience", "User experience", "How do you ensure a "
	    "user-centric experience for the tasks (you want) members (want) "
	    "to do in the community?", false },
	{ "experience_design", "Experience design", "What are the "
	    "community's personas and their user requirements, as well as the "
	    "pain points to address?", false },
	{ "support", "Support", "What processes and content do you need to "
	    "put in place to provide support?", false },
	{ "measurement", "Measurement", "What have you achieved? What can you "
	    "learn from those measurements and how will you address the "
	    "challenges/obstacles?", false },
	{ "vitality", "Vitality", "What habits and behaviours should you "
	    "observe and encourage?", false },
	{ "results", "Results", "How do you measure the key results in "
	    "delivering on the community objectives? How will you capture "
	    "impact stories?", false },
	{ "short", "Short-term actions (1-3 months)", "Overall ambition of "
	    "the community.", true },
	{ "medium", "Medium-term actions (4-6 months)", "Overall ambition of "
	    "the community.", true },
	{ "long", "Long-term actions (7-12 months)", "Overall ambition of the "
	    "community.", true },
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

static const char *const period_labels[] = { NULL, "Month 1", "Month 2",
	"Month 3", "Month 4", "Month 5", "Month 6", "Months 7-9",
	"Months 10-12" };
/* Each period's first and last month after month 1's start (0-based). */
static const int period_months[][2] = { { 0, 0 }, { 0, 1 }, { 1, 2 },
	{ 2, 3 }, { 3, 4 }, { 4, 5 }, { 5, 6 }, { 6, 9 }, { 9, 12 } };

static const char *const statuses[] = { "planned", "doing", "done",
	"dropped", NULL };

const struct roadmap_section *
roadmap_template(size_t *n)
{
	*n = NSECTIONS;
	return sections;
}

int
roadmap_section_find(const char *key)
{
	for (size_t i = 0; i < NSECTIONS; i++)
		if (strcmp(sections[i].key, key) == 0)
			return (int)i;
	return -1;
}

const char *
roadmap_period_label(int period)
{
	return period >= 1 && period <= ROADMAP_PERIODS ?
	    period_labels[period] : "?";
}

bool
roadmap_status_known(const char *s)
{
	for (int i = 0; statuses[i] != NULL; i++)
		if (strcmp(statuses[i], s) == 0)
			return true;
	return false;
}

/* t moved on by n calendar months (UTC). */
static int64_t
add_months(int64_t t, int n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return t;
	tm.tm_mon += n;
	return (int64_t)timegm(&tm);
}

void
roadmap_period_bounds(int64_t starts_on, int period, int64_t *from,
    int64_t *to)
{
	if (period < 1 || period > ROADMAP_PERIODS)
		period = 1;
	*from = add_months(starts_on, period_months[period][0]);
	*to = add_months(starts_on, period_months[period][1]);
}

int64_t
roadmap_day(int64_t t)
{
	return t - ((t % 86400) + 86400) % 86400;
}

/*
 * The roadmap's state as a version stores it: {starts_on, sections:
 * {key: {body, managers_only}}, actions: [...]}; NULL on a database
 * error. roadmap_id 0: the template (nothing written yet).
 */
json_t *
roadmap_snapshot(sqlite3 *db, int64_t roadmap_id, int64_t starts_on)
{
	json_t *snap, *secs = json_object(), *acts = json_array();
	sqlite3_stmt *st;
	int rc;

	snap = json_pack("{s:I, s:o, s:o}", "starts_on", (json_int_t)starts_on,
	    "sections", secs, "actions", acts);
	if (roadmap_id == 0)
		return snap;
	st = db_stmt(db, "SELECT key, body, managers_only FROM "
	    "roadmap_sections WHERE roadmap_id = ?");
	sqlite3_bind_int64(st, 1, roadmap_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(secs, (const char *)sqlite3_column_text(st,
		    0), json_pack("{s:s, s:b}", "body",
		    (const char *)sqlite3_column_text(st, 1), "managers_only",
		    sqlite3_column_int(st, 2)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(snap);
		return NULL;
	}
	st = db_stmt(db, "SELECT a.id, a.period, a.title, m.handle, "
	    "a.resources, a.status, a.kr_id, k.title, a.event_id, e.title "
	    "FROM roadmap_actions a LEFT JOIN members m ON m.id = a.owner_id "
	    "LEFT JOIN key_results k ON k.id = a.kr_id LEFT JOIN events e ON "
	    "e.id = a.event_id WHERE a.roadmap_id = ? ORDER BY a.period, "
	    "a.id");
	sqlite3_bind_int64(st, 1, roadmap_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = json_pack("{s:I, s:i, s:s, s:s?, s:s, s:s}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "period",
		    sqlite3_column_int(st, 1), "title",
		    (const char *)sqlite3_column_text(st, 2), "owner",
		    (const char *)sqlite3_column_text(st, 3), "resources",
		    (const char *)sqlite3_column_text(st, 4), "status",
		    (const char *)sqlite3_column_text(st, 5));

		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			json_object_set_new(a, "key_result", json_pack(
			    "{s:I, s:s}", "id", (json_int_t)
			    sqlite3_column_int64(st, 6), "title", (const char *)
			    sqlite3_column_text(st, 7)));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			json_object_set_new(a, "event", json_pack(
			    "{s:I, s:s}", "id", (json_int_t)
			    sqlite3_column_int64(st, 8), "title", (const char *)
			    sqlite3_column_text(st, 9)));
		json_array_append_new(acts, a);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(snap);
		return NULL;
	}
	return snap;
}

/* A section of a snapshot: its body ("" if none) and privacy. */
static const char *
snap_section(json_t *snap, const char *key, bool *managers_only)
{
	json_t *s = json_object_get(json_object_get(snap, "sections"), key);
	const char *body = json_string_value(json_object_get(s, "body"));

	*managers_only = json_is_true(json_object_get(s, "managers_only"));
	return body != NULL ? body : "";
}

/* A table cell: no pipes or line breaks. */
static void
md_cell(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '|')
			buf_puts(b, "\\|");
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_puts(b, " ");
		else
			buf_append(b, s, 1);
	}
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* An action's links as words: "KR: title; event: title". */
static void
action_links(struct buf *b, json_t *a, bool md)
{
	json_t *kr = json_object_get(a, "key_result"),
	    *ev = json_object_get(a, "event");

	if (kr != NULL) {
		buf_puts(b, "key result: ");
		md ? md_cell(b, jstr(kr, "title")) : buf_puts(b,
		    jstr(kr, "title"));
	}
	if (ev != NULL) {
		buf_puts(b, kr != NULL ? "; event: " : "event: ");
		md ? md_cell(b, jstr(ev, "title")) : buf_puts(b,
		    jstr(ev, "title"));
	}
}

char *
roadmap_markdown(json_t *snap, const char *name, bool private_too)
{
	struct buf b;
	char day[32];
	size_t i, j;
	bool mo, ambitions = false;
	json_t *a, *acts = json_object_get(snap, "actions");

	buf_init(&b);
	buf_printf(&b, "# Roadmap: %s\n\n", name);
	time_iso8601(json_integer_value(json_object_get(snap, "starts_on")),
	    day);
	day[10] = '\0';
	buf_printf(&b, "Month 1 starts on %s.\n", day);
	for (i = 0; i < NSECTIONS; i++) {
		const char *body = snap_section(snap, sections[i].key, &mo);

		if (sections[i].ambition && !ambitions) {
			/* the grid, then the ambitions, as the template */
			buf_puts(&b, "\n## Actions\n\n| Period | Action | "
			    "Who is responsible? | What resources are needed? "
			    "| Status | Linked to |\n|---|---|---|---|---|---|\n");
			json_array_foreach(acts, j, a) {
				const char *o = jstr(a, "owner");

				buf_printf(&b, "| %s | ", roadmap_period_label(
				    (int)json_integer_value(json_object_get(a,
				    "period"))));
				md_cell(&b, jstr(a, "title"));
				buf_puts(&b, *o ? " | @" : " | ");
				buf_puts(&b, o);
				buf_puts(&b, " | ");
				md_cell(&b, jstr(a, "resources"));
				buf_printf(&b, " | %s | ", jstr(a, "status"));
				action_links(&b, a, true);
				buf_puts(&b, " |\n");
			}
			buf_puts(&b, "\n## Ambitions\n");
			ambitions = true;
		}
		if (mo && !private_too)
			continue;
		buf_printf(&b, "\n%s %s%s\n\n> %s\n\n", sections[i].ambition ?
		    "###" : "##", sections[i].title, mo ? " (managers only)" :
		    "", sections[i].prompt);
		buf_puts(&b, *body ? body : "_Not written yet._");
		if (*body == '\0' || body[strlen(body) - 1] != '\n')
			buf_puts(&b, "\n");
	}
	buf_append(&b, "", 1);
	return b.data;
}

/* A CSV field, quoted when it must be. */
static void
csv_field(struct buf *b, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		buf_puts(b, "\"");
		for (; *s != '\0'; s++) {
			if (*s == '"')
				buf_puts(b, "\"");
			buf_append(b, s, 1);
		}
		buf_puts(b, "\"");
	} else
		buf_puts(b, s);
	buf_puts(b, last ? "\r\n" : ",");
}

char *
roadmap_csv(json_t *snap)
{
	struct buf b;
	json_t *a;
	size_t i;
	char from[32], to[32], n[24];
	int64_t f, t;

	buf_init(&b);
	buf_puts(&b, "period,period_label,from,to,action,owner,resources,"
	    "status,key_result,event\r\n");
	json_array_foreach(json_object_get(snap, "actions"), i, a) {
		int p = (int)json_integer_value(json_object_get(a, "period"));

		roadmap_period_bounds(json_integer_value(json_object_get(snap,
		    "starts_on")), p, &f, &t);
		time_iso8601(f, from);
		time_iso8601(t - 1, to);
		from[10] = to[10] = '\0';
		snprintf(n, sizeof n, "%d", p);
		csv_field(&b, n, false);
		csv_field(&b, roadmap_period_label(p), false);
		csv_field(&b, from, false);
		csv_field(&b, to, false);
		csv_field(&b, jstr(a, "title"), false);
		csv_field(&b, jstr(a, "owner"), false);
		csv_field(&b, jstr(a, "resources"), false);
		csv_field(&b, jstr(a, "status"), false);
		csv_field(&b, jstr(json_object_get(a, "key_result"), "title"),
		    false);
		csv_field(&b, jstr(json_object_get(a, "event"), "title"),
		    true);
	}
	buf_append(&b, "", 1);
	return b.data;
}

/* Split text into lines (pointers into a copy the caller frees). */
static char **
split_lines(char *text, size_t *n)
{
	size_t cap = 64;
	char **v = xmalloc(cap * sizeof *v), *p = text, *nl;

	*n = 0;
	while (*p != '\0') {
		if (*n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return v;
}

static void
diff_line(json_t *out, const char *op, const char *text)
{
	json_array_append_new(out, json_pack("{s:s, s:s}", "op", op, "text",
	    text));
}

/*
 * A readable diff of two texts: [{op, text}] with op " " (the same), "-"
 * (only in a), "+" (only in b) and "@" (unchanged lines left out), two
 * lines of context about each change. Longest common subsequence of
 * the lines between the common beginning and end; past
 * ROADMAP_DIFF_LINES lines on a side, that middle is shown removed, then
 * added.
 */
json_t *
roadmap_diff(const char *a, const char *b)
{
	char *ca = xstrdup(a), *cb = xstrdup(b), **la, **lb;
	size_t na, nb, i, j, k, n = 0, pre = 0, suf = 0, ma, mb;
	uint32_t *len;
	json_t *out = json_array();
	struct { char op; const char *text; } *ops;

	la = split_lines(ca, &na);
	lb = split_lines(cb, &nb);
	ops = xmalloc((na + nb + 1) * sizeof *ops);
	/* the lines both begin and end with are the same: only the middle
	 * (a change is usually small) goes through the quadratic part */
	while (pre < na && pre < nb && strcmp(la[pre], lb[pre]) == 0)
		pre++;
	while (suf < na - pre && suf < nb - pre && strcmp(la[na - 1 - suf],
	    lb[nb - 1 - suf]) == 0)
		suf++;
	for (k = 0; k < pre; k++)
		ops[n].op = ' ', ops[n++].text = la[k];
	ma = na - pre - suf;
	mb = nb - pre - suf;
	if (ma > ROADMAP_DIFF_LINES || mb > ROADMAP_DIFF_LINES) {
		for (i = 0; i < ma; i++)
			ops[n].op = '-', ops[n++].text = la[pre + i];
		for (j = 0; j < mb; j++)
			ops[n].op = '+', ops[n++].text = lb[pre + j];
	} else {
		/* len[i][j]: the LCS of the middles from line i and line j */
		len = xmalloc((ma + 1) * (mb + 1) * sizeof *len);
#define L(i, j) len[(i) * (mb + 1) + (j)]
#define A(i) la[pre + (i)]
#define B(j) lb[pre + (j)]
		for (i = ma + 1; i-- > 0;)
			for (j = mb + 1; j-- > 0;) {
				if (i == ma || j == mb)
					L(i, j) = 0;
				else if (strcmp(A(i), B(j)) == 0)
					L(i, j) = L(i + 1, j + 1) + 1;
				else
					L(i, j) = L(i + 1, j) > L(i, j + 1) ?
					    L(i + 1, j) : L(i, j + 1);
			}
		for (i = 0, j = 0; i < ma || j < mb;) {
			if (i < ma && j < mb && strcmp(A(i), B(j)) == 0) {
				ops[n].op = ' ', ops[n++].text = A(i);
				i++, j++;
			} else if (i < ma && (j == mb ||
			    L(i + 1, j) >= L(i, j + 1))) {
				ops[n].op = '-', ops[n++].text = A(i);
				i++;
			} else {
				ops[n].op = '+', ops[n++].text = B(j);
				j++;
			}
		}
#undef L
#undef A
#undef B
		free(len);
	}
	for (k = na - suf; k < na; k++)
		ops[n].op = ' ', ops[n++].text = la[k];
	/* keep changes and two lines about each; "@" for what is left out */
	for (k = 0; k < n; k++) {
		bool near = ops[k].op != ' ';
		char op[2] = { ops[k].op, '\0' };

		for (size_t d = 1; d <= 2 && !near; d++)
			near = (k >= d && ops[k - d].op != ' ') ||
			    (k + d < n && ops[k + d].op != ' ');
		if (near)
			diff_line(out, op, ops[k].text);
		else if (json_array_size(out) == 0 || strcmp(jstr(json_array_get(
		    out, json_array_size(out) - 1), "op"), "@") != 0)
			diff_line(out, "@", "…");
	}
	free(ops);
	free(la);
	free(lb);
	free(ca);
	free(cb);
	return out;
}
