/*
 * profile.c: a member's profile: their fields, and for the member's own
 * one an editor of each field (profile.update). The first run opens it
 * for editing after the code of conduct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

static const char *profile_fields[][2] = {
	{ "display_name", "Name" }, { "pronouns", "Pronouns" },
	{ "job_role", "Role" }, { "organisation", "Organisation" },
	{ "region", "Region" }, { "bio", "About" },
	{ "contact", "Contact" },
	{ "timezone", "Time zone" }, /* own profile only (when.c) */
};
#define NPF (sizeof profile_fields / sizeof profile_fields[0])
#define PF_ZONE (NPF - 1) /* the time zone: a choice, typed over whole */
/* After the text fields: expertise (tags, commas between), mentoring and
 * who sees the contact details (choices that Space changes). */
enum { PF_TAGS = NPF, PF_MENTOR, PF_VIS, PF_ALL };
static const char *vis_values[] = { "communities", "platform", "nobody" };
static const char *vis_words[] = { "members of communities you share",
	"all members", "nobody" };

struct profile {
	struct view v;
	char handle[64];
	json_t *p;
	char msg[256];
	bool editing;
	int on;
	struct field f[PF_ALL];
	json_t *tags; /* tags in use, for the one being typed */
	bool mine;
	bool first_run; /* open for editing as soon as it arrives */
	bool was_first_run;
	struct draft_saver *draft; /* the edits, kept on the server */
	bool touched; /* edited here: a late draft does not overwrite */
	bool fresh; /* on the time zone just now: typing replaces its value */
};

/* Go to field i; the time zone's value is then selected, as a whole. */
static void
profile_go(struct profile *pr, int i)
{
	pr->on = i;
	pr->fresh = i == (int)PF_ZONE && pr->f[i].len > 0;
}

/* Edits kept from before (a dropped link, another computer): offer them. */
static void
profile_draft_got(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;
	json_t *d = draft_of(result, error), *o;
	bool differs = false;

	if (d != NULL)
		draft_offered(pr->draft);
	if (d == NULL || pr->touched || !pr->editing)
		return;
	o = json_loads(js(d, "body"), 0, NULL);
	for (size_t i = 0; json_is_object(o) && i < NPF; i++) {
		const char *v = js(o, profile_fields[i][0]);

		if (!json_is_string(json_object_get(o, profile_fields[i][0])) ||
		    strlen(v) >= sizeof pr->f[i].text)
			continue;
		differs |= strcmp(pr->f[i].text, v) != 0;
		snprintf(pr->f[i].text, sizeof pr->f[i].text, "%s", v);
		pr->f[i].len = strlen(pr->f[i].text);
	}
	json_decref(o);
	if (differs)
		ui_flash("Your unsaved edits are back (kept on the server); "
		    "Ctrl-S saves them.");
	ui_dirty();
}

/* After an edit: the fields as a draft (a JSON object by field). */
static void
profile_draft_save(struct profile *pr)
{
	json_t *o = json_object();
	char *body;

	for (size_t i = 0; i < NPF; i++)
		json_object_set_new(o, profile_fields[i][0],
		    json_string(pr->f[i].text));
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	pr->touched = true;
	draft_changed(pr->draft, "", body);
	free(body);
}

static void profile_tags_suggest(struct profile *);

/* The expertise tags as one line, "grief, play therapy". */
static void
tags_line(json_t *p, char *out, size_t len)
{
	json_t *t;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(p, "expertise"), i, t) {
		if (i > 0)
			strncat(out, ", ", len - strlen(out) - 1);
		strncat(out, json_string_value(t), len - strlen(out) - 1);
	}
}

/* The fields after the text ones: tags, mentoring, contact visibility. */
static void
profile_edit_more(struct profile *pr)
{
	const char *vis = js(pr->p, "contact_visibility");
	size_t v = 0;

	pr->f[PF_TAGS].label = "Expertise (tags, commas between)";
	tags_line(pr->p, pr->f[PF_TAGS].text, sizeof pr->f[PF_TAGS].text);
	pr->f[PF_MENTOR].label = "Happy to mentor";
	snprintf(pr->f[PF_MENTOR].text, sizeof pr->f[PF_MENTOR].text, "%s",
	    json_is_true(json_object_get(pr->p, "mentoring")) ? "yes" : "no");
	for (size_t i = 0; i < 3; i++)
		if (strcmp(vis, vis_values[i]) == 0)
			v = i;
	pr->f[PF_VIS].label = "Who sees your contact details";
	snprintf(pr->f[PF_VIS].text, sizeof pr->f[PF_VIS].text, "%s",
	    vis_words[v]);
	for (int i = PF_TAGS; i < PF_ALL; i++)
		pr->f[i].len = strlen(pr->f[i].text);
	profile_tags_suggest(pr);
}

static void
profile_edit(struct profile *pr)
{
	pr->editing = true;
	pr->on = 0;
	pr->fresh = false;
	pr->touched = false;
	if (pr->draft == NULL)
		pr->draft = draft_saver_new("profile");
	draft_fetch("profile", &pr->v, profile_draft_got, pr);
	for (size_t i = 0; i < NPF; i++) {
		pr->f[i].label = profile_fields[i][1];
		snprintf(pr->f[i].text, sizeof pr->f[i].text, "%s",
		    js(pr->p, profile_fields[i][0]));
		pr->f[i].len = strlen(pr->f[i].text);
	}
	profile_edit_more(pr);
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
	pr->v.keys = pr->mine ? "e:edit  D:devices  E:e-mail  editing: Tab/Down:"
	    "next field  Ctrl-S:save  Esc:cancel" : "W:write privately  t/r:"
	    "others with their expertise/region";
	if (pr->mine && js(pr->p, "timezone")[0] != '\0')
		when_changed(js(pr->p, "timezone"));
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

/* One labelled value; About and Contact wrap to the width. */
static int
profile_row(int y, int rows, int cols, const char *label, const char *text)
{
	struct rdoc d;

	rdoc_init(&d);
	rdoc_wrap(&d, text, cols - 20 > 10 ? cols - 20 : 10);
	put_text(y, 2, 16, label, C_DIM, 0);
	for (size_t i = 0; i < d.n && y < rows; i++)
		put_text(y++, 18, cols - 20, d.lines[i].text, C_NORMAL, 0);
	rdoc_free(&d);
	return y;
}

static void
profile_draw(struct view *v, int rows, int cols)
{
	struct profile *pr = (struct profile *)v;
	int y = 2;
	char line[600];

	snprintf(line, sizeof line, "@%s", pr->handle);
	put_text(1, 2, cols - 4, line, C_HEAD, A_BOLD);
	if (pr->msg[0] != '\0') /* a sentence: wrapped, up to 3 lines */
		y = form_wrapped(y, 2, cols - 4, 3, pr->msg, C_DIM, 0);
	if (pr->editing) {
		for (int i = 0; i < PF_ALL && y < rows; i++) {
			int end = field_draw(&pr->f[i], y, 2, cols - 4,
			    i == pr->on);
			if (i == pr->on)
				ui_cursor(y, end);
			if (i == pr->on && i >= PF_MENTOR)
				put_text(y, end + 2, cols - end - 4,
				    "(Space: change)", C_DIM, 0);
			if (i == pr->on && i == (int)PF_ZONE && pr->fresh)
				put_text(y, end + 2, cols - end - 4,
				    "(typing replaces it; e.g. Europe/London)",
				    C_DIM, 0);
			if (i == pr->on && i == PF_TAGS &&
			    json_array_size(pr->tags) > 0) {
				json_t *t;
				size_t k;

				snprintf(line, sizeof line, "  in use:");
				json_array_foreach(pr->tags, k, t)
					snprintf(line + strlen(line),
					    sizeof line - strlen(line),
					    " %s (%lld)", js(t, "tag"),
					    (long long)ji(t, "members"));
				put_text(y + 1, 2, cols - 4, line, C_DIM, 0);
			}
			y += 2;
		}
		return;
	}
	if (pr->p == NULL)
		return;
	for (size_t i = 0; i < NPF && y < rows; i++) {
		if (strcmp(profile_fields[i][0], "contact") == 0)
			continue; /* below, with who may see it */
		if (js(pr->p, profile_fields[i][0])[0] == '\0')
			continue;
		y = profile_row(y, rows, cols, profile_fields[i][1],
		    js(pr->p, profile_fields[i][0]));
	}
	tags_line(pr->p, line, sizeof line);
	if (line[0] != '\0' && y < rows)
		y = profile_row(y, rows, cols, "Expertise", line);
	if (json_is_true(json_object_get(pr->p, "mentoring")) && y < rows)
		y = profile_row(y, rows, cols, "Mentoring", "happy to mentor");
	if (js(pr->p, "contact")[0] && y < rows)
		y = profile_row(y, rows, cols, "Contact", js(pr->p, "contact"));
	else if (!pr->mine && y < rows)
		y = profile_row(y, rows, cols, "Contact", "not shared with you");
	if (pr->mine && y < rows) {
		const char *vis = js(pr->p, "contact_visibility");
		y = profile_row(y, rows, cols, "Contact seen by",
		    strcmp(vis, "nobody") == 0 ? "nobody" :
		    strcmp(vis, "platform") == 0 ? "all members" :
		    "members of communities you share");
	}
	if (pr->mine && !pr->editing && y + 1 < rows)
		form_wrapped(y + 1, 2, cols - 4, rows - y - 1, "Devices (D): "
		    "the computers you sign in from, and a code to add a new "
		    "one.  E-mail (E): what Hearth sends you.", C_DIM, 0);
}

static void
profile_saved(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;

	if (error != NULL) {
		snprintf(pr->msg, sizeof pr->msg, "%s", err_message(error));
		/* back to the field it is about */
		if (strstr(pr->msg, "time zone") != NULL)
			profile_go(pr, (int)PF_ZONE);
		return;
	}
	pr->editing = false;
	draft_forget(pr->draft); /* saved: nothing left to keep */
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

/* Fill args with the tags, mentoring and contact visibility fields. */
static void
profile_args_more(struct profile *pr, json_t *args)
{
	json_t *tags = json_array();
	char buf[sizeof pr->f[PF_TAGS].text], *tok, *save = NULL;

	snprintf(buf, sizeof buf, "%s", pr->f[PF_TAGS].text);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok != '\0')
			json_array_append_new(tags, json_string(tok));
	}
	json_object_set_new(args, "expertise", tags);
	json_object_set_new(args, "mentoring", json_boolean(strcmp(
	    pr->f[PF_MENTOR].text, "yes") == 0));
	for (size_t i = 0; i < 3; i++)
		if (strcmp(pr->f[PF_VIS].text, vis_words[i]) == 0)
			json_object_set_new(args, "contact_visibility",
			    json_string(vis_values[i]));
}

/* Space on a choice: mentoring yes/no, or the next visibility. */
static void
profile_cycle(struct profile *pr, int d)
{
	struct field *f = &pr->f[pr->on];
	size_t v = 0;

	if (pr->on == PF_MENTOR)
		snprintf(f->text, sizeof f->text, "%s",
		    strcmp(f->text, "yes") == 0 ? "no" : "yes");
	else {
		for (size_t i = 0; i < 3; i++)
			if (strcmp(f->text, vis_words[i]) == 0)
				v = i;
		snprintf(f->text, sizeof f->text, "%s",
		    vis_words[(v + (size_t)(3 + d)) % 3]);
	}
	f->len = strlen(f->text);
}

static void
profile_tags_got(void *ctx, json_t *result, json_t *error)
{
	struct profile *pr = ctx;

	if (error != NULL)
		return; /* suggestions only */
	json_decref(pr->tags);
	pr->tags = json_incref(jarr(result, "tags"));
}

/* Suggest tags in use that start like the one being typed. */
static void
profile_tags_suggest(struct profile *pr)
{
	const char *t = strrchr(pr->f[PF_TAGS].text, ',');

	t = t != NULL ? t + 1 : pr->f[PF_TAGS].text;
	while (*t == ' ')
		t++;
	net_call("profile.tags", json_pack("{s:s, s:i}", "prefix", t,
	    "limit", 6), &pr->v, profile_tags_got, pr);
}

static bool
profile_key(struct view *v, int ch, bool is_key)
{
	struct profile *pr = (struct profile *)v;

	if (pr->editing) {
		if (!is_key && ch == 27) {
			pr->editing = false;
			draft_flush(pr->draft); /* kept: e brings it back */
			return true;
		}
		if (!is_key && ch == KEY_CTRL('s')) {
			json_t *args = json_object();
			for (size_t i = 0; i < NPF; i++)
				json_object_set_new(args, profile_fields[i][0],
				    json_string(pr->f[i].text));
			profile_args_more(pr, args);
			net_call("profile.update", args, v, profile_saved, pr);
			return true;
		}
		if ((is_key && ch == KEY_DOWN) || (!is_key && (ch == '\t' ||
		    ch == '\r' || ch == '\n'))) {
			profile_go(pr, (pr->on + 1) % PF_ALL);
			return true;
		}
		if ((is_key && (ch == KEY_UP || ch == KEY_BTAB))) {
			profile_go(pr, (pr->on + PF_ALL - 1) % PF_ALL);
			return true;
		}
		if (pr->on >= PF_MENTOR) {
			if ((!is_key && ch == ' ') || (is_key &&
			    (ch == KEY_LEFT || ch == KEY_RIGHT)))
				profile_cycle(pr, is_key && ch == KEY_LEFT ?
				    -1 : 1);
			return true;
		}
		{
			struct field *f = &pr->f[pr->on];
			size_t len = f->len;
			char before[sizeof f->text];
			bool took;

			memcpy(before, f->text, len + 1);
			if (pr->fresh && (is_key ? ch == KEY_BACKSPACE || ch ==
			    KEY_DC : ch >= 0x20 || ch == 8)) {
				/* the selected value goes: typing replaces it */
				f->len = 0;
				f->text[0] = '\0';
				if (ch == 127 || ch == 8 || (is_key && (ch ==
				    KEY_BACKSPACE || ch == KEY_DC)))
					ch = 0; /* it only deleted the value */
			}
			pr->fresh = false;
			took = ch == 0 || field_key(f, ch, is_key);
			if (pr->on < (int)NPF && (f->len != len ||
			    memcmp(before, f->text, len) != 0))
				profile_draft_save(pr);
			if (took && pr->on == PF_TAGS)
				profile_tags_suggest(pr);
		}
		return true;
	}
	if (!is_key && ch == 'e' && pr->mine) {
		profile_edit(pr);
		return true;
	}
	if (!is_key && (ch == 't' || ch == 'r') && !pr->mine &&
	    pr->p != NULL) {
		json_t *tags = json_object_get(pr->p, "expertise");

		if (ch == 't' && json_array_size(tags) > 0)
			ui_push(view_directory_for(json_string_value(
			    json_array_get(tags, 0)), NULL));
		else if (ch == 'r' && js(pr->p, "region")[0])
			ui_push(view_directory_for(NULL, js(pr->p, "region")));
		else
			ui_flash("Their profile does not say.");
		return true;
	}
	if (!is_key && ch == 'D' && pr->mine) {
		ui_push(view_devices());
		return true;
	}
	if (!is_key && ch == 'E' && pr->mine) {
		ui_push(view_email());
		return true;
	}
	if (!is_key && ch == 'W' && !pr->mine) { /* messages.c */
		struct view *w = view_message_to(pr->handle);
		if (w != NULL)
			ui_push(w);
		return true;
	}
	return false;
}

static void
profile_free(struct view *v)
{
	struct profile *pr = (struct profile *)v;

	draft_saver_free(pr->draft);
	json_decref(pr->p);
	json_decref(pr->tags);
	free(pr);
}

struct view *
view_profile(const char *handle)
{
	struct profile *pr = xcalloc(1, sizeof *pr);
	json_t *args = json_object();

	pr->v.title = "Profile";
	pr->v.keys = "e:edit  D:devices  E:e-mail  W:write privately  t/r:others "
	    "with their expertise/region  editing: Tab/Down:next field  "
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

struct view *
view_profile_first_run(void)
{
	struct view *v = view_profile(js(g_me, "handle"));

	((struct profile *)v)->first_run = true;
	return v;
}
