/*
 * directory.c: the member directory (member.search): filters for free
 * text, expertise, region, organisation, community and mentors, applied
 * as the member types, and the people found, each with why they matched
 * ("expertise: trauma; region: North West"). Enter opens a profile.
 *
 * Focus stays in a filter until Tab, Enter or Esc leaves it; on the
 * results, a typed letter goes back into the Find field, so no letter
 * typed here ever reaches a key of another screen. One search is in
 * flight at a time: when it answers and the filters changed meanwhile,
 * the next one goes out (typing fast sends no flood).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

enum { D_FIND, D_TAG, D_REGION, D_ORG, D_COMMUNITY, D_MENTORS, D_RESULTS };
#define D_TEXTS 4

struct directory {
	struct view v;
	struct field f[D_TEXTS];
	json_t *comms; /* the communities the filter cycles through */
	int comm; /* index in comms; -1: any */
	bool mentors;
	int on;
	struct list l;
	json_t *tags; /* tags in use starting with the expertise filter */
	char msg[256];
	char *sent; /* the filters of the search in flight, or NULL */
	char *shown; /* the filters the results are for */
};

static void directory_search(struct directory *);

/* The current filters as member.search arguments. */
static json_t *
directory_args(struct directory *d)
{
	static const char *names[D_TEXTS] = { "q", "expertise", "region",
		"organisation" };
	json_t *a = json_pack("{s:i}", "limit", 100);

	for (int i = 0; i < D_TEXTS; i++)
		if (d->f[i].len > 0)
			json_object_set_new(a, names[i],
			    json_string(d->f[i].text));
	if (d->comm >= 0)
		json_object_set_new(a, "community", json_string(js(
		    json_array_get(d->comms, (size_t)d->comm), "slug")));
	if (d->mentors)
		json_object_set_new(a, "mentoring", json_true());
	return a;
}

static void
directory_got(void *ctx, json_t *result, json_t *error)
{
	struct directory *d = ctx;
	json_t *a = directory_args(d), *r, *w;
	char *now = json_line(a);
	size_t i, k;

	if (error != NULL) /* a too-long filter, counted in characters */
		snprintf(d->msg, sizeof d->msg, "%s", err_message_for(error,
		    a));
	json_decref(a);

	free(d->shown);
	d->shown = d->sent;
	d->sent = NULL;
	list_clear(&d->l);
	if (error != NULL)
		;
	else {
		a = jarr(result, "members");
		snprintf(d->msg, sizeof d->msg, "%zu %s found%s.",
		    json_array_size(a), json_array_size(a) == 1 ? "member" :
		    "members", json_is_string(json_object_get(result, "next")) ?
		    " (the first 100: add a filter)" : "");
		json_array_foreach(a, i, r) {
			char text[600], why[500] = "";

			snprintf(text, sizeof text, "%s  @%s%s%s%s",
			    js(r, "display_name"), js(r, "handle"),
			    js(r, "job_role")[0] ? "  " : "", js(r, "job_role"),
			    json_is_true(json_object_get(r, "mentoring")) ?
			    "  (mentor)" : "");
			list_add(&d->l, text, js(r, "region"), C_NORMAL, r,
			    true);
			json_array_foreach(json_object_get(r, "why"), k, w) {
				if (k > 0)
					strncat(why, "; ", sizeof why -
					    strlen(why) - 1);
				strncat(why, json_string_value(w), sizeof why -
				    strlen(why) - 1);
			}
			if (why[0] != '\0') {
				snprintf(text, sizeof text, "    why: %s", why);
				list_add(&d->l, text, NULL, C_DIM, NULL, false);
			}
		}
	}
	list_fix(&d->l);
	/* the filters changed while this one was out: the next search */
	if (d->shown == NULL || strcmp(now, d->shown) != 0)
		directory_search(d);
	free(now);
}

/* Search for the current filters, unless one is out already. */
static void
directory_search(struct directory *d)
{
	json_t *a;

	if (d->sent != NULL)
		return; /* directory_got sends the next */
	a = directory_args(d);
	d->sent = json_line(a);
	net_call("member.search", a, &d->v, directory_got, d);
}

static void
directory_tags_got(void *ctx, json_t *result, json_t *error)
{
	struct directory *d = ctx;

	if (error != NULL)
		return; /* suggestions are a help, not needed */
	json_decref(d->tags);
	d->tags = json_incref(jarr(result, "tags"));
}

static void
directory_comms_got(void *ctx, json_t *result, json_t *error)
{
	struct directory *d = ctx;

	json_t *c;
	size_t i;

	if (error != NULL)
		return;
	/* only those whose members one may list: joined, or not private */
	json_decref(d->comms);
	d->comms = json_array();
	json_array_foreach(jarr(result, "communities"), i, c)
		if (js(c, "my_role")[0] || strcmp(js(c, "visibility"),
		    "private") != 0 || admin_may())
			json_array_append(d->comms, c);
}

/* A filter changed: search again, and suggest tags for expertise. */
static void
directory_changed(struct directory *d)
{
	if (d->on == D_TAG)
		net_call("profile.tags", json_pack("{s:s, s:i}", "prefix",
		    d->f[D_TAG].text, "limit", 6), &d->v, directory_tags_got,
		    d);
	directory_search(d);
}

static void
directory_draw(struct view *v, int rows, int cols)
{
	struct directory *d = (struct directory *)v;
	int y = 1, cy = 0, cx = 0;
	char line[600];

	for (int i = 0; i < D_TEXTS; i++) {
		int end = field_draw(&d->f[i], y, 2, cols - 4, d->on == i);
		if (d->on == i)
			cy = y, cx = end;
		y++;
	}
	snprintf(line, sizeof line, "Community: %s", d->comm < 0 ? "any" :
	    js(json_array_get(d->comms, (size_t)d->comm), "name"));
	put_text(y, 2, cols - 4, line, d->on == D_COMMUNITY ? C_HEAD :
	    C_NORMAL, d->on == D_COMMUNITY ? A_BOLD : 0);
	if (d->on == D_COMMUNITY)
		put_text(y, 4 + text_width(line), cols - 6 - text_width(line),
		    "(Space: the next one)", C_DIM, 0);
	y++;
	snprintf(line, sizeof line, "Mentors only: %s", d->mentors ? "yes" :
	    "no");
	put_text(y, 2, cols - 4, line, d->on == D_MENTORS ? C_HEAD : C_NORMAL,
	    d->on == D_MENTORS ? A_BOLD : 0);
	if (d->on == D_MENTORS)
		put_text(y, 4 + text_width(line), cols - 6 - text_width(line),
		    "(Space: change)", C_DIM, 0);
	y++;
	if (d->on == D_TAG && json_array_size(d->tags) > 0) {
		json_t *t;
		size_t i;

		snprintf(line, sizeof line, "Tags in use:");
		json_array_foreach(d->tags, i, t)
			snprintf(line + strlen(line), sizeof line -
			    strlen(line), " %s (%lld)", js(t, "tag"),
			    (long long)ji(t, "members"));
		put_text(y++, 2, cols - 4, line, C_DIM, 0);
	}
	if (d->msg[0] != '\0')
		put_text(y++, 2, cols - 4, d->msg, C_DIM, 0);
	list_draw(&d->l, y, rows - y + 1, cols);
	if (d->on < D_TEXTS)
		ui_cursor(cy, cx);
}

static bool
directory_key(struct view *v, int ch, bool is_key)
{
	struct directory *d = (struct directory *)v;
	struct row *r;
	bool tab = !is_key && ch == '\t', btab = is_key && ch == KEY_BTAB;

	if (d->on == D_RESULTS) {
		if (ENTER(ch, is_key) && (r = list_cur(&d->l)) != NULL &&
		    r->data != NULL) {
			ui_push(view_profile(js(r->data, "handle")));
			return true;
		}
		if (tab || (is_key && ch == KEY_UP && d->l.sel <= 0)) {
			d->on = tab ? D_FIND : D_MENTORS;
			return true;
		}
		if (btab) {
			d->on = D_MENTORS;
			return true;
		}
		if (!is_key && ch >= 0x20 && ch != 0x7f) {
			/* typing goes to the Find field, never to a key */
			d->on = D_FIND;
			field_key(&d->f[D_FIND], ch, false);
			directory_changed(d);
			return true;
		}
		if ((!is_key && (ch == 127 || ch == 8 ||
		    ch == KEY_CTRL('u'))) || (is_key && ch == KEY_BACKSPACE)) {
			/* editing keys edit the Find field */
			d->on = D_FIND;
			if (field_key(&d->f[D_FIND], ch, is_key))
				directory_changed(d);
			return true;
		}
		if (is_key && list_key(&d->l, ch, is_key))
			return true;
		return false; /* Esc, q (not typed here) and the arrows leave */
	}
	/* a filter has the focus */
	if (!is_key && ch == 27) {
		d->on = D_RESULTS;
		return true;
	}
	if (tab || (is_key && ch == KEY_DOWN) || ENTER(ch, is_key)) {
		d->on = ENTER(ch, is_key) ? D_RESULTS : d->on + 1;
		return true;
	}
	if (btab || (is_key && ch == KEY_UP)) {
		if (d->on > 0)
			d->on--;
		return true;
	}
	if (d->on == D_COMMUNITY || d->on == D_MENTORS) {
		int step = (is_key && ch == KEY_LEFT) ? -1 : 1;

		if (!(!is_key && ch == ' ') && !(is_key && (ch == KEY_LEFT ||
		    ch == KEY_RIGHT)))
			return true; /* other keys do nothing here */
		if (d->on == D_MENTORS)
			d->mentors = !d->mentors;
		else {
			int n = (int)json_array_size(d->comms) + 1;
			d->comm = ((d->comm + 1 + step + n) % n) - 1;
		}
		directory_changed(d);
		return true;
	}
	if (field_key(&d->f[d->on], ch, is_key))
		directory_changed(d);
	return true; /* typing: no key means anything else */
}

static void
directory_free(struct view *v)
{
	struct directory *d = (struct directory *)v;

	list_free(&d->l);
	json_decref(d->comms);
	json_decref(d->tags);
	free(d->sent);
	free(d->shown);
	free(d);
}

struct view *
view_directory_for(const char *tag, const char *region)
{
	struct view *v = view_directory();
	struct directory *d = (struct directory *)v;

	snprintf(d->f[D_TAG].text, sizeof d->f[D_TAG].text, "%s",
	    tag != NULL ? tag : "");
	snprintf(d->f[D_REGION].text, sizeof d->f[D_REGION].text, "%s",
	    region != NULL ? region : "");
	d->f[D_TAG].len = strlen(d->f[D_TAG].text);
	d->f[D_REGION].len = strlen(d->f[D_REGION].text);
	d->on = D_RESULTS;
	directory_search(d); /* after the first, for these filters */
	return v;
}

struct view *
view_directory(void)
{
	struct directory *d = xcalloc(1, sizeof *d);
	static const char *labels[D_TEXTS] = { "Find members", "Expertise",
		"Region", "Organisation" };

	d->v.title = "Directory";
	d->v.keys = "type to filter  Tab:next filter  Esc/Enter:results  "
	    "Enter:profile  Esc on the results: back";
	d->v.help = "Find members: type in any filter and the list follows "
	    "as you type. **Find members** looks in names, roles, organisations, "
	    "regions, About and expertise; **Expertise** matches the start "
	    "of a tag (tags in use are suggested); **Community** and "
	    "**Mentors only** change with Space. Each result says why it "
	    "matched. On the results, Enter opens a profile, and typing goes "
	    "back to Find.";
	d->v.draw = directory_draw;
	d->v.key = directory_key;
	d->v.free = directory_free;
	d->comm = -1;
	for (int i = 0; i < D_TEXTS; i++)
		d->f[i].label = labels[i];
	snprintf(d->msg, sizeof d->msg, "Loading...");
	net_call("community.list", NULL, &d->v, directory_comms_got, d);
	directory_search(d);
	return &d->v;
}
