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
	if (pr->mine && !pr->editing && y + 1 < rows)
		put_text(y + 1, 2, cols - 4, "Devices (D): the computers you "
		    "sign in from, and a code to add a new one.  E-mail (E): "
		    "what Hearth sends you.", C_DIM, 0);
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
	if (!is_key && ch == 'D' && pr->mine) {
		ui_push(view_devices());
		return true;
	}
	if (!is_key && ch == 'E' && pr->mine) {
		ui_push(view_email());
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
	pr->v.keys = "e:edit (yours)  D:devices  E:e-mail  editing: Tab/Down:"
	    "next field  Ctrl-S:save  Esc:cancel";
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
