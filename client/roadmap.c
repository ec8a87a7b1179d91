/*
 * roadmap.c: a community's roadmap (or the platform's), the Roadmap tab
 * of the community screen as a screen of its own (docs/tui.md,
 * "Roadmap"): panes for the template's sections (edited in the composer
 * by managers, proposed by leaders), the action grid drawn as a table
 * with the periods as columns (80 columns; Right and Left scroll it
 * sideways), the personas (beside the sections on a wide terminal), the
 * versions (any two compared as a diff) and open proposals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

enum pane { P_SECTIONS, P_ACTIONS, P_PERSONAS, P_VERSIONS, P_PROPOSALS,
	NPANES };
static const char *const pane_names[NPANES] = { "s Sections", "a Actions",
	"p Personas", "v Versions", "o Proposals" };

#define TITLE_W 22 /* the grid's first column (the action), always shown */
#define PERIOD_W 6

struct roadmap {
	struct view v;
	char slug[64]; /* "" for the platform */
	char name[160];
	json_t *rm, *personas, *versions, *proposals;
	enum pane pane;
	struct list l[NPANES];
	int hscroll; /* the grid: first column shown after the title */
	json_int_t mark; /* versions: the one to compare from (-1: none) */
	char msg[256];
};

static void rm_load(struct roadmap *);

static json_t *
slug_args(const struct roadmap *r)
{
	json_t *a = json_object();

	if (r->slug[0] != '\0')
		json_object_set_new(a, "slug", json_string(r->slug));
	return a;
}

static bool
rm_can(const struct roadmap *r, const char *what)
{
	return json_is_true(json_object_get(r->rm, what));
}

/* A section's first line, or its prompt while it is empty. */
static void
sections_fill(struct roadmap *r)
{
	struct list *l = &r->l[P_SECTIONS];
	json_t *s;
	size_t i;
	char text[400], first[200];

	list_clear(l);
	json_array_foreach(jarr(r->rm, "sections"), i, s) {
		const char *body = js(s, "body");
		size_t n = strcspn(body, "\n");

		snprintf(first, sizeof first, "%.*s", (int)(n < 150 ? n : 150),
		    body);
		snprintf(text, sizeof text, "%2lld %s%s%s%s",
		    (long long)ji(s, "number"), js(s, "title"),
		    json_is_true(json_object_get(s, "managers_only")) ?
		    " [managers]" : "", body[0] ? ": " : "", first);
		list_add(l, text, body[0] ? NULL : "(empty)", body[0] ?
		    C_NORMAL : C_DIM, s, true);
	}
}

static void
actions_fill(struct roadmap *r)
{
	struct list *l = &r->l[P_ACTIONS];
	json_t *a;
	size_t i;

	list_clear(l);
	json_array_foreach(jarr(r->rm, "actions"), i, a)
		list_add(l, js(a, "title"), NULL, C_NORMAL, a, true);
	if (l->n == 0)
		list_add(l, rm_can(r, "can_edit") ? "No actions yet: n adds "
		    "one." : "No actions yet.", NULL, C_DIM, NULL, false);
}

static void
personas_fill(struct roadmap *r)
{
	struct list *l = &r->l[P_PERSONAS];
	json_t *p;
	size_t i;
	char text[300], right[32];

	list_clear(l);
	json_array_foreach(jarr(r->personas, "personas"), i, p) {
		snprintf(text, sizeof text, "%s: %s", js(p, "name"),
		    js(p, "description"));
		snprintf(right, sizeof right, "%zu event%s",
		    json_array_size(jarr(p, "events")),
		    json_array_size(jarr(p, "events")) == 1 ? "" : "s");
		list_add(l, text, right, C_NORMAL, p, true);
	}
	if (l->n == 0)
		list_add(l, "No personas yet (keep three to five).", NULL,
		    C_DIM, NULL, false);
}

static void
versions_fill(struct roadmap *r)
{
	struct list *l = &r->l[P_VERSIONS];
	json_t *v;
	size_t i;
	char text[500], when[32];

	list_clear(l);
	json_array_foreach(jarr(r->versions, "versions"), i, v) {
		short_time(js(v, "at"), when);
		snprintf(text, sizeof text, "%s%3lld  %s%s  %s",
		    ji(v, "version") == r->mark ? "*" : " ",
		    (long long)ji(v, "version"), js(v, "by")[0] ? "@" : "",
		    js(v, "by"), js(v, "summary"));
		list_add(l, text, js(v, "at")[0] ? when : NULL, C_NORMAL, v,
		    true);
	}
}

static void
proposals_fill(struct roadmap *r)
{
	struct list *l = &r->l[P_PROPOSALS];
	json_t *p;
	size_t i;
	char text[400];

	list_clear(l);
	json_array_foreach(jarr(r->proposals, "proposals"), i, p) {
		snprintf(text, sizeof text, "%s by @%s: %.120s", js(p, "title"),
		    js(p, "by"), js(p, "body"));
		for (char *c = text; *c != '\0'; c++) /* one line each */
			if (*c == '\n' || *c == '\r' || *c == '\t')
				*c = ' ';
		list_add(l, text, NULL, C_NORMAL, p, true);
	}
	if (l->n == 0)
		list_add(l, "No proposals waiting.", NULL, C_DIM, NULL, false);
}

static void
got_roadmap(void *ctx, json_t *result, json_t *error)
{
	struct roadmap *r = ctx;

	if (error != NULL) {
		snprintf(r->msg, sizeof r->msg, "%s", err_message(error));
		return;
	}
	r->msg[0] = '\0';
	json_decref(r->rm);
	r->rm = json_incref(result);
	sections_fill(r);
	actions_fill(r);
	if (r->slug[0] == '\0')
		snprintf(r->name, sizeof r->name, "%s", js(result, "name"));
}

static void
got_personas(void *ctx, json_t *result, json_t *error)
{
	struct roadmap *r = ctx;

	if (error != NULL)
		return;
	json_decref(r->personas);
	r->personas = json_incref(result);
	personas_fill(r);
}

static void
got_versions(void *ctx, json_t *result, json_t *error)
{
	struct roadmap *r = ctx;

	if (error != NULL)
		return;
	json_decref(r->versions);
	r->versions = json_incref(result);
	versions_fill(r);
}

static void
got_proposals(void *ctx, json_t *result, json_t *error)
{
	struct roadmap *r = ctx;

	if (error != NULL)
		return;
	json_decref(r->proposals);
	r->proposals = json_incref(result);
	proposals_fill(r);
}

static void
rm_load(struct roadmap *r)
{
	net_call("roadmap.get", slug_args(r), &r->v, got_roadmap, r);
	net_call("roadmap.versions", slug_args(r), &r->v, got_versions, r);
	if (r->slug[0] != '\0')
		net_call("persona.list", slug_args(r), &r->v, got_personas, r);
}

static void
proposals_load(struct roadmap *r)
{
	net_call("roadmap.proposals", slug_args(r), &r->v, got_proposals, r);
}

/* ---- the action grid ---- */

/* A column after the title: its header and width; NULL past the last. */
static const char *
grid_col(int c, int *w)
{
	static const char *const heads[] = { "M1", "M2", "M3", "M4", "M5",
		"M6", "M7-9", "M10-12", "Who", "Status", "Resources",
		"Linked to" };
	static const int widths[] = { PERIOD_W, PERIOD_W, PERIOD_W, PERIOD_W,
		PERIOD_W, PERIOD_W, PERIOD_W, PERIOD_W, 14, 8, 28, 32 };

	if (c < 0 || c >= (int)(sizeof heads / sizeof *heads))
		return NULL;
	*w = widths[c];
	return heads[c];
}

/* An action's cell in column c. */
static void
grid_cell(json_t *a, int c, char *out, size_t len)
{
	out[0] = '\0';
	if (c < 8) {
		if (ji(a, "period") == c + 1)
			snprintf(out, len, "%s", strcmp(js(a, "status"),
			    "dropped") == 0 ? "drop" : strcmp(js(a, "status"),
			    "planned") == 0 ? "plan" : js(a, "status"));
	} else if (c == 8) {
		if (js(a, "owner")[0])
			snprintf(out, len, "@%s", js(a, "owner"));
	} else if (c == 9)
		snprintf(out, len, "%s", js(a, "status"));
	else if (c == 10)
		snprintf(out, len, "%s", js(a, "resources"));
	else {
		json_t *k = json_object_get(a, "key_result"),
		    *e = json_object_get(a, "event");

		snprintf(out, len, "%s%s%s%s%s", k ? "KR: " : "",
		    k ? js(k, "title") : "", k && e ? "; " : "", e ? "event: " :
		    "", e ? js(e, "title") : "");
	}
}

/* Draw the grid from row y: the title column, then columns from hscroll. */
static void
grid_draw(struct roadmap *r, int y, int rows, int cols)
{
	struct list *l = &r->l[P_ACTIONS];
	char cell[256];
	int x, w, c, last = r->hscroll;
	const char *h;

	put_text(y, 1, TITLE_W, "Action", C_HEAD, A_BOLD);
	for (c = r->hscroll, x = 1 + TITLE_W; (h = grid_col(c, &w)) != NULL &&
	    x + w <= cols; c++, x += w + 1) {
		put_text(y, x, w, h, C_HEAD, A_BOLD);
		last = c;
	}
	if (grid_col(last + 1, &w) != NULL)
		put_text(y, cols - 2, 2, ">", C_DIM, 0);
	if (r->hscroll > 0)
		put_text(y, TITLE_W - 1, 2, "<", C_DIM, 0);
	if (l->n == 0 || l->rows[0].data == NULL) {
		put_text(y + 1, 2, cols - 4, l->n ? l->rows[0].text : "",
		    C_DIM, 0);
		return;
	}
	list_fix(l);
	l->page = rows - 1;
	if (l->sel < l->scroll)
		l->scroll = l->sel;
	if (l->sel >= l->scroll + l->page)
		l->scroll = l->sel - l->page + 1;
	for (int i = 0; i < rows - 1 && (size_t)(l->scroll + i) < l->n; i++) {
		json_t *a = l->rows[l->scroll + i].data;
		bool sel = l->scroll + i == l->sel;
		int color = sel ? C_SEL : C_NORMAL;

		if (sel)
			put_fill(y + 1 + i, C_SEL);
		put_text(y + 1 + i, 1, TITLE_W - 1, js(a, "title"), color,
		    sel ? A_BOLD : 0);
		for (c = r->hscroll, x = 1 + TITLE_W; grid_col(c, &w) !=
		    NULL && c <= last; c++, x += w + 1) {
			grid_cell(a, c, cell, sizeof cell);
			put_text(y + 1 + i, x, w, cell, color, 0);
		}
	}
}

/* ---- drawing ---- */

/* Personas in a column of their own (a wide terminal). */
static void
personas_side(struct roadmap *r, int y, int rows, int x, int w)
{
	json_t *p;
	size_t i;
	int line = y;

	put_text(line++, x, w, "Personas", C_HEAD, A_BOLD);
	json_array_foreach(jarr(r->personas, "personas"), i, p) {
		if (line >= y + rows - 1)
			break;
		put_text(line++, x, w, js(p, "name"), C_NORMAL, A_BOLD);
		if (js(p, "description")[0] && line < y + rows - 1)
			put_text(line++, x + 1, w - 1, js(p, "description"),
			    C_DIM, 0);
	}
	if (i == 0)
		put_text(line, x, w, "None yet (p).", C_DIM, 0);
}

static void
rm_draw(struct view *v, int rows, int cols)
{
	struct roadmap *r = (struct roadmap *)v;
	char head[400], day[16];
	int x = 1, y = 4, side;

	snprintf(day, sizeof day, "%.10s", js(r->rm, "starts_on"));
	snprintf(head, sizeof head, "Roadmap of %s  (version %lld, month 1: "
	    "%s)", r->name, (long long)ji(r->rm, "version"), day);
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	for (int i = 0; i < NPANES; i++) {
		char t[40];

		if (i == P_PERSONAS && r->slug[0] == '\0')
			continue;
		if (i == P_PROPOSALS && !rm_can(r, "can_propose"))
			continue;
		if (i == P_PROPOSALS && ji(r->rm, "proposals_open") > 0)
			snprintf(t, sizeof t, "%s (%lld)", pane_names[i],
			    (long long)ji(r->rm, "proposals_open"));
		else
			snprintf(t, sizeof t, "%s", pane_names[i]);
		put_text(2, x, cols - x, t, i == (int)r->pane ? C_SEL : C_DIM,
		    i == (int)r->pane ? A_BOLD : 0);
		x += text_width(t) + 2;
	}
	if (r->msg[0] != '\0') {
		put_text(3, 2, cols - 4, r->msg, C_ERROR, 0);
	}
	if (r->pane == P_ACTIONS) {
		grid_draw(r, y, rows - y + 1, cols);
		return;
	}
	/* beside the sections when there is room; else their own pane */
	side = r->pane == P_SECTIONS && r->slug[0] != '\0' && cols >= 110 ?
	    34 : 0;
	list_draw(&r->l[r->pane], y, rows - y + 1, cols - side);
	if (side)
		personas_side(r, y, rows - y + 1, cols - side + 1, side - 2);
}

/* ---- reading and writing ---- */

static void
reload_done(struct view *below, json_t *result)
{
	struct roadmap *r = (struct roadmap *)below;

	(void)result;
	rm_load(r);
	if (r->pane == P_PROPOSALS)
		proposals_load(r);
}

static void
edit_done(struct view *below, json_t *result)
{
	if (json_object_get(result, "proposal_id") != NULL)
		ui_flash("Proposed: the managers are told.");
	else
		ui_flash("Saved as version %lld.", (long long)ji(result,
		    "version"));
	reload_done(below, result);
}

/* A section to read: its prompt, then its text. */
static void
section_open(struct roadmap *r, json_t *s)
{
	char *text = xasprintf("> %s\n\n%s", js(s, "prompt"), js(s, "body")[0] ?
	    js(s, "body") : "_Not written yet._");

	(void)r;
	ui_push(view_message(js(s, "title"), text));
	free(text);
}

/* e: managers edit a section in the composer; leaders propose. */
static void
section_edit(struct roadmap *r, json_t *s)
{
	char key[160];
	json_t *a = slug_args(r);
	bool edit = rm_can(r, "can_edit");

	if (!edit && !rm_can(r, "can_propose")) {
		ui_flash("Managers edit the roadmap; leaders propose changes.");
		json_decref(a);
		return;
	}
	json_object_set_new(a, "key", json_string(js(s, "key")));
	if (edit)
		json_object_set_new(a, "base_version", json_integer(ji(r->rm,
		    "version")));
	snprintf(key, sizeof key, "roadmap:%s:%s", r->slug[0] ? r->slug : "-",
	    js(s, "key"));
	ui_push(composer_open(edit ? js(s, "title") : "Propose a new text",
	    edit ? "roadmap.update" : "roadmap.propose", a, key, false,
	    js(s, "body"), edit_done));
}

static const char *const periods_choice = "1|2|3|4|5|6|7 (months 7-9)|"
    "8 (months 10-12)";

static bool
action_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[1][0] == '\0') {
		snprintf(err, len, "An action needs a title.");
		return false;
	}
	json_object_set_new(args, "period", json_integer(atoi(vals[0])));
	json_object_set_new(args, "title", json_string(vals[1]));
	json_object_set_new(args, "owner", json_string(vals[2]));
	json_object_set_new(args, "resources", json_string(vals[3]));
	json_object_set_new(args, "status", json_string(vals[4]));
	if (vals[5][0] != '\0')
		json_object_set_new(args, "kr_id", json_integer(atoll(vals[5])));
	if (vals[6][0] != '\0')
		json_object_set_new(args, "event_id", json_integer(
		    atoll(vals[6])));
	return true;
}

/* n (a) new action, e: change the selected one (managers). */
static void
action_form(struct roadmap *r, json_t *a)
{
	char period[24], owner[80], kr[24], ev[24];
	struct form_def defs[7] = {
		{ "Period", "1", periods_choice, "month 1-6, or a quarter" },
		{ "Action", NULL, NULL, "what will be done" },
		{ "Who is responsible?", NULL, NULL, "@handle (reminded)" },
		{ "What resources are needed?", NULL, NULL, NULL },
		{ "Status", "planned", "planned|doing|done|dropped", NULL },
		{ "Key result", NULL, NULL, "its number (Health: goals); "
		    "0 none" },
		{ "Event", NULL, NULL, "its number (the programme); 0 none" },
	};
	json_t *args;

	if (a != NULL) {
		json_int_t p = ji(a, "period");

		snprintf(period, sizeof period, "%s", p == 7 ? "7 (months 7-9)" :
		    p == 8 ? "8 (months 10-12)" : "");
		if (p < 7)
			snprintf(period, sizeof period, "%lld", (long long)p);
		snprintf(owner, sizeof owner, "%s%s", js(a, "owner")[0] ? "@" :
		    "", js(a, "owner"));
		snprintf(kr, sizeof kr, "%lld", (long long)ji(jobj(a,
		    "key_result"), "id"));
		snprintf(ev, sizeof ev, "%lld", (long long)ji(jobj(a, "event"),
		    "id"));
		defs[0].init = period;
		defs[1].init = js(a, "title");
		defs[2].init = owner;
		defs[3].init = js(a, "resources");
		defs[4].init = js(a, "status");
		defs[5].init = kr;
		defs[6].init = ev;
		args = json_pack("{s:I, s:I}", "action_id", ji(a, "id"),
		    "base_version", ji(r->rm, "version"));
	} else {
		args = slug_args(r);
		json_object_set_new(args, "base_version", json_integer(ji(r->rm,
		    "version")));
	}
	ui_push(form_open(a ? "Change the action" : "New action", "An action "
	    "in the grid: its owner is reminded when its period starts and, "
	    "if it is not done, when it ends.", "roadmap.action", args, defs,
	    7, action_build, edit_done));
}

/* After a quick change: its error, or the roadmap again. */
static void
changed(void *ctx, json_t *result, json_t *error)
{
	(void)result;
	if (error != NULL)
		ui_flash("%s", err_message(error));
	rm_load(ctx);
}

/* t: the next status (the action's owner, or a manager). */
static void
action_status(struct roadmap *r, json_t *a)
{
	static const char *const next[][2] = { { "planned", "doing" },
		{ "doing", "done" }, { "done", "dropped" },
		{ "dropped", "planned" } };
	const char *to = "doing";

	for (int i = 0; i < 4; i++)
		if (strcmp(js(a, "status"), next[i][0]) == 0)
			to = next[i][1];
	net_call("roadmap.action", json_pack("{s:I, s:s}", "action_id",
	    ji(a, "id"), "status", to), &r->v, changed, r);
	ui_flash("Marked %s.", to);
}

static bool
persona_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	static const char *const keys[] = { "name", "description", "needs",
		"pain_points", "ways" };

	if (vals[0][0] == '\0') {
		snprintf(err, len, "A persona needs a name.");
		return false;
	}
	for (int i = 0; i < 5; i++)
		json_object_set_new(args, keys[i], json_string(vals[i]));
	return true;
}

static void
persona_done(struct view *below, json_t *result)
{
	(void)result;
	ui_flash("Persona saved.");
	rm_load((struct roadmap *)below);
}

static void
persona_form(struct roadmap *r, json_t *p)
{
	struct form_def defs[5] = {
		{ "Name", NULL, NULL, "e.g. Newcomer Nia" },
		{ "Description", NULL, NULL, "who they are" },
		{ "Needs", NULL, NULL, NULL },
		{ "Pain points", NULL, NULL, NULL },
		{ "Ways to take part", NULL, NULL, "drop-ins, threads, ..." },
	};

	if (p != NULL) {
		defs[0].init = js(p, "name");
		defs[1].init = js(p, "description");
		defs[2].init = js(p, "needs");
		defs[3].init = js(p, "pain_points");
		defs[4].init = js(p, "ways");
	}
	ui_push(form_open(p ? "Change the persona" : "New persona", "Three to "
	    "five personas: who the community is for.", "persona.save", p ?
	    json_pack("{s:I}", "persona_id", ji(p, "id")) : slug_args(r), defs,
	    5, persona_build, persona_done));
}

static void
persona_open(json_t *p)
{
	char *text, *events = xstrdup("");
	json_t *e;
	size_t i;

	json_array_foreach(jarr(p, "events"), i, e) {
		char *n = xasprintf("%s- %s (%.10s)\n", events, js(e, "title"),
		    js(e, "starts_at"));

		free(events);
		events = n;
	}
	text = xasprintf("%s\n\n**Needs:** %s\n\n**Pain points:** %s\n\n"
	    "**Preferred ways to take part:** %s\n\n**Events for them:**\n\n%s",
	    js(p, "description"), js(p, "needs"), js(p, "pain_points"),
	    js(p, "ways"), events[0] ? events : "none yet (t tags one)\n");
	ui_push(view_message(js(p, "name"), text));
	free(text);
	free(events);
}

/* ---- tagging an event with a persona: a list of upcoming events ---- */

struct tagview {
	struct view v;
	struct roadmap *r;
	json_t *persona;
	struct list l;
};

static void
tag_got(void *ctx, json_t *result, json_t *error)
{
	struct tagview *t = ctx;
	json_t *e;
	size_t i;
	char text[300], when[32];

	list_clear(&t->l);
	if (error != NULL) {
		list_add(&t->l, err_message(error), NULL, C_ERROR, NULL, false);
		return;
	}
	json_array_foreach(jarr(result, "events"), i, e) {
		short_time(js(e, "starts_at"), when);
		snprintf(text, sizeof text, "%s", js(e, "title"));
		list_add(&t->l, text, when, C_NORMAL, e, true);
	}
	if (t->l.n == 0)
		list_add(&t->l, "No upcoming events in this community.", NULL,
		    C_DIM, NULL, false);
}

static void
tag_draw(struct view *v, int rows, int cols)
{
	struct tagview *t = (struct tagview *)v;
	char head[300];

	snprintf(head, sizeof head, "Events for %s: Enter tags or untags",
	    js(t->persona, "name"));
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	list_draw(&t->l, 3, rows - 2, cols);
}

/* Enter: the event's personas are those tagged now, this one toggled. */
static bool
tag_key(struct view *v, int ch, bool is_key)
{
	struct tagview *t = (struct tagview *)v;
	struct row *row;
	json_t *ids = json_array(), *p, *e;
	size_t i, j;
	bool had = false;

	if (list_key(&t->l, ch, is_key))
		goto no;
	if (!ENTER(ch, is_key) || (row = list_cur(&t->l)) == NULL ||
	    row->data == NULL) {
		json_decref(ids);
		return false;
	}
	json_array_foreach(jarr(t->r->personas, "personas"), i, p)
		json_array_foreach(jarr(p, "events"), j, e)
			if (ji(e, "id") == ji(row->data, "id")) {
				if (ji(p, "id") == ji(t->persona, "id"))
					had = true;
				else
					json_array_append_new(ids, json_integer(
					    ji(p, "id")));
			}
	if (!had)
		json_array_append_new(ids, json_integer(ji(t->persona, "id")));
	net_call("persona.tag", json_pack("{s:I, s:o}", "event_id",
	    ji(row->data, "id"), "persona_ids", ids), &t->r->v, changed, t->r);
	ui_flash("%s%s", had ? "Untagged from " : "Tagged: the event serves ",
	    js(t->persona, "name"));
	ui_pop();
	return true;
no:
	json_decref(ids);
	return true;
}

static void
tag_free(struct view *v)
{
	struct tagview *t = (struct tagview *)v;

	list_free(&t->l);
	json_decref(t->persona);
	free(t);
}

static struct view *
tag_view(struct roadmap *r, json_t *persona)
{
	struct tagview *t = xcalloc(1, sizeof *t);

	t->v.title = "Tag an event";
	t->v.keys = "Enter:tag/untag  q:back";
	t->v.draw = tag_draw;
	t->v.key = tag_key;
	t->v.free = tag_free;
	t->r = r;
	t->persona = json_incref(persona);
	net_call("event.list", json_pack("{s:s, s:i}", "community", r->slug,
	    "limit", 50), &t->v, tag_got, t);
	return &t->v;
}

/* ---- comparing two versions ---- */

struct diffview {
	struct view v;
	char title[80];
	struct list l;
};

static void
diff_draw(struct view *v, int rows, int cols)
{
	struct diffview *d = (struct diffview *)v;

	put_text(1, 1, cols - 2, d->title, C_HEAD, A_BOLD);
	list_draw(&d->l, 3, rows - 2, cols);
}

static bool
diff_key(struct view *v, int ch, bool is_key)
{
	return list_key(&((struct diffview *)v)->l, ch, is_key);
}

static void
diff_free(struct view *v)
{
	struct diffview *d = (struct diffview *)v;

	list_free(&d->l);
	free(d);
}

static void
diff_got(void *ctx, json_t *result, json_t *error)
{
	struct diffview *d = ctx;
	json_t *l;
	size_t i;
	char text[600];

	list_clear(&d->l);
	if (error != NULL) {
		list_add(&d->l, err_message(error), NULL, C_ERROR, NULL, false);
		return;
	}
	if (ji(result, "changed") == 0)
		list_add(&d->l, "No differences.", NULL, C_DIM, NULL, false);
	json_array_foreach(jarr(result, "lines"), i, l) {
		const char *op = js(l, "op");

		snprintf(text, sizeof text, "%s %s", op[0] == '@' ? " " : op,
		    js(l, "text"));
		list_add(&d->l, text, NULL, op[0] == '+' ? C_OK : op[0] == '-' ?
		    C_ERROR : C_DIM, NULL, true);
	}
}

static void
compare_open(struct roadmap *r, json_int_t from, json_int_t to)
{
	struct diffview *d = xcalloc(1, sizeof *d);
	json_t *a = slug_args(r);

	snprintf(d->title, sizeof d->title, "Version %lld against version "
	    "%lld  (- removed, + added)", (long long)to, (long long)from);
	d->v.title = "Compare versions";
	d->v.keys = "arrows:scroll  q:back";
	d->v.draw = diff_draw;
	d->v.key = diff_key;
	d->v.free = diff_free;
	json_object_set_new(a, "from", json_integer(from));
	json_object_set_new(a, "to", json_integer(to));
	net_call("roadmap.compare", a, &d->v, diff_got, d);
	ui_push(&d->v);
}

static bool
copy_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	(void)err;
	(void)len;
	if (vals[0][0] != '\0' && strcmp(vals[0], "-") != 0)
		json_object_set_new(args, "from", json_string(vals[0]));
	return true;
}

/* ---- keys ---- */

static bool
pane_key(struct roadmap *r, int ch, bool is_key)
{
	struct row *row = list_cur(&r->l[r->pane]);
	json_t *d = row != NULL ? row->data : NULL;
	bool edit = rm_can(r, "can_edit");

	if (is_key)
		return false;
	switch (r->pane) {
	case P_SECTIONS:
		if ((ch == 'e' || ENTER(ch, false)) && d != NULL) {
			if (ch == 'e')
				section_edit(r, d);
			else
				section_open(r, d);
			return true;
		}
		if (ch == 'm' && d != NULL && edit) {
			json_t *a = slug_args(r);

			json_object_set_new(a, "key", json_string(js(d, "key")));
			json_object_set_new(a, "managers_only", json_boolean(
			    !json_is_true(json_object_get(d, "managers_only"))));
			ui_flash(json_is_true(json_object_get(d,
			    "managers_only")) ? "Everyone reads it now." :
			    "Only managers read it now.");
			net_call("roadmap.update", a, &r->v, changed, r);
			return true;
		}
		if (ch == 'C' && edit) {
			static const struct form_def defs[] = {
				{ "Copy from", NULL, NULL, "a community's "
				    "short name; - for the platform's" },
			};
			json_t *a = slug_args(r);

			json_object_set_new(a, "base_version", json_integer(
			    ji(r->rm, "version")));
			ui_push(form_open("Copy a roadmap", "Replaces this "
			    "roadmap's sections and actions with another's (a "
			    "version keeps what was here).", "roadmap.copy", a,
			    defs, 1, copy_build, edit_done));
			return true;
		}
		break;
	case P_ACTIONS:
		if (ch == 'n' && edit) {
			action_form(r, NULL);
			return true;
		}
		if ((ch == 'e' || ENTER(ch, false)) && d != NULL && edit) {
			action_form(r, d);
			return true;
		}
		if (ch == 't' && d != NULL) {
			action_status(r, d);
			return true;
		}
		if (ch == 'x' && d != NULL && edit) {
			ui_push(view_confirm("Remove this action?",
			    "roadmap.action", json_pack("{s:I, s:b}",
			    "action_id", ji(d, "id"), "delete", 1),
			    "Removed (a version keeps it)."));
			return true;
		}
		break;
	case P_PERSONAS:
		if (ENTER(ch, false) && d != NULL) {
			persona_open(d);
			return true;
		}
		if (ch == 'n' && json_is_true(json_object_get(r->personas,
		    "can_edit"))) {
			persona_form(r, NULL);
			return true;
		}
		if (ch == 'e' && d != NULL && json_is_true(json_object_get(
		    r->personas, "can_edit"))) {
			persona_form(r, d);
			return true;
		}
		if (ch == 'x' && d != NULL && json_is_true(json_object_get(
		    r->personas, "can_edit"))) {
			ui_push(view_confirm("Remove this persona?",
			    "persona.delete", json_pack("{s:I}", "persona_id",
			    ji(d, "id")), "Persona removed."));
			return true;
		}
		if (ch == 't' && d != NULL && rm_can(r, "can_propose")) {
			ui_push(tag_view(r, d));
			return true;
		}
		break;
	case P_VERSIONS:
		if (ch == 'c' && d != NULL) {
			r->mark = ji(d, "version");
			versions_fill(r);
			ui_flash("Compare from version %lld: Enter on another.",
			    (long long)r->mark);
			return true;
		}
		if (ENTER(ch, false) && d != NULL) {
			json_int_t to = ji(d, "version");

			if (r->mark >= 0 && r->mark != to)
				compare_open(r, r->mark, to);
			else if (to > 0)
				compare_open(r, to - 1, to);
			return true;
		}
		break;
	case P_PROPOSALS:
		if (ENTER(ch, false) && d != NULL) {
			char *text = xasprintf("%s%s%s\n\n**Proposed:**\n\n%s\n\n"
			    "**Now:**\n\n%s", js(d, "note")[0] ? "_" : "",
			    js(d, "note"), js(d, "note")[0] ? "_" : "",
			    js(d, "body"), js(d, "current")[0] ?
			    js(d, "current") : "(empty)");

			ui_push(view_message(js(d, "title"), text));
			free(text);
			return true;
		}
		if ((ch == 'A' || ch == 'D') && d != NULL && edit) {
			ui_push(view_confirm(ch == 'A' ? "Accept this proposal "
			    "(its text becomes the section's)?" : "Decline this "
			    "proposal?", "roadmap.accept", json_pack("{s:I, "
			    "s:b}", "proposal_id", ji(d, "id"), "decline",
			    ch == 'D'), ch == 'A' ? "Accepted." : "Declined."));
			return true;
		}
		break;
	default:
		break;
	}
	return false;
}

/* W: the whole roadmap as one document (roadmap.export, Markdown). */
static void
whole_got(void *ctx, json_t *result, json_t *error)
{
	(void)ctx;
	if (error != NULL)
		ui_flash("%s", err_message(error));
	else
		ui_push(view_message("The whole roadmap", js(result, "text")));
}

static bool
rm_key(struct view *v, int ch, bool is_key)
{
	struct roadmap *r = (struct roadmap *)v;
	static const char panes[] = "sapvo";
	const char *p;

	if (!is_key && ch != 0 && (p = strchr(panes, ch)) != NULL) {
		enum pane to = (enum pane)(p - panes);

		if ((to == P_PERSONAS && r->slug[0] == '\0') ||
		    (to == P_PROPOSALS && !rm_can(r, "can_propose")))
			return false;
		r->pane = to;
		if (to == P_PROPOSALS)
			proposals_load(r);
		if (to == P_VERSIONS || to == P_PERSONAS)
			rm_load(r);
		return true;
	}
	if (r->pane == P_ACTIONS && is_key && ch == KEY_RIGHT) {
		int w;

		if (grid_col(r->hscroll + 1, &w) != NULL)
			r->hscroll++;
		return true;
	}
	if (r->pane == P_ACTIONS && is_key && ch == KEY_LEFT &&
	    r->hscroll > 0) {
		r->hscroll--;
		return true;
	}
	if (!is_key && ch == 'R') {
		rm_load(r);
		return true;
	}
	if (!is_key && ch == 'W') {
		json_t *args = slug_args(r);

		json_object_set_new(args, "format", json_string("md"));
		net_call("roadmap.export", args, &r->v, whole_got, r);
		return true;
	}
	if (pane_key(r, ch, is_key))
		return true;
	return list_key(&r->l[r->pane], ch, is_key);
}

static void
rm_event(struct view *v, const char *name, json_t *data)
{
	struct roadmap *r = (struct roadmap *)v;

	if (strcmp(name, "roadmap.changed") == 0 && strcmp(js(data,
	    "community"), r->slug) == 0) {
		rm_load(r);
		if (r->pane == P_PROPOSALS) /* one accepted or declined goes */
			proposals_load(r);
	}
}

static void
rm_free(struct view *v)
{
	struct roadmap *r = (struct roadmap *)v;

	for (int i = 0; i < NPANES; i++)
		list_free(&r->l[i]);
	json_decref(r->rm);
	json_decref(r->personas);
	json_decref(r->versions);
	json_decref(r->proposals);
	free(r);
}

struct view *
view_roadmap(const char *slug, const char *name)
{
	struct roadmap *r = xcalloc(1, sizeof *r);

	r->v.title = "Roadmap";
	r->v.keys = "s a p v o:panes  Enter:open  e:edit  n:new  t:status  "
	    "arrows:grid";
	r->v.help = "The roadmap: **s** its sections (the template's, each "
	    "with its prompt; **Enter** reads one, **e** edits it in the "
	    "composer, or for leaders proposes a new text; managers: **m** "
	    "makes it managers-only or everyone's again, **C** copies another "
	    "community's roadmap here), **a** the action grid (periods as "
	    "columns; **Right** and **Left** scroll sideways to who, status, "
	    "resources and links; **n** adds an action, **e** changes it, "
	    "**x** removes it, **t** moves its status on), **p** the "
	    "personas (**Enter** reads one, **n** adds, **e** changes, **x** "
	    "removes, **t** tags an upcoming event with it), **v** the "
	    "versions (**Enter** compares one with the one before it; **c** "
	    "marks one to compare others with), **o** proposals waiting "
	    "(**A** accepts, **D** declines). **W** shows the whole roadmap "
	    "as one document. **R** reloads.";
	r->v.draw = rm_draw;
	r->v.key = rm_key;
	r->v.event = rm_event;
	r->v.free = rm_free;
	r->mark = -1;
	snprintf(r->slug, sizeof r->slug, "%s", slug != NULL ? slug : "");
	snprintf(r->name, sizeof r->name, "%s", name != NULL ? name :
	    "the platform");
	rm_load(r);
	return &r->v;
}
