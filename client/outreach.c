/*
 * outreach.c: who a community's managers should reach (outreach.list;
 * docs/health.md, "Outreach"): newcomers with their next check-in and a
 * suggested mentor, lurkers with their last visit, catalysts, members who
 * never contributed. Enter opens the selected person's profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct outreach {
	struct view v;
	char slug[64], name[160];
	json_t *o;
	struct list l;
	char msg[256];
};

static void
section(struct outreach *or, const char *title, const char *key,
    const char *empty)
{
	json_t *a = jarr(or->o, key), *p;
	size_t i;
	char line[512], right[200], when[32];

	list_add(&or->l, "", NULL, C_NORMAL, NULL, false);
	snprintf(line, sizeof line, "%s (%zu)", title, json_array_size(a));
	list_add(&or->l, line, NULL, C_HEAD, NULL, false);
	if (json_array_size(a) == 0)
		list_add(&or->l, empty, NULL, C_DIM, NULL, false);
	json_array_foreach(a, i, p) {
		snprintf(line, sizeof line, "  %s (@%s)", js(p, "display_name"),
		    js(p, "handle"));
		right[0] = '\0';
		if (strcmp(key, "newcomers") == 0) {
			short_time(js(p, "check_in_at"), when);
			snprintf(right, sizeof right, "%s check-in %s",
			    js(p, "check_in"), when);
		} else if (strcmp(key, "lurkers") == 0) {
			short_time(js(p, "last_visit"), when);
			snprintf(right, sizeof right, "last visit %s", when);
		} else if (strcmp(key, "catalysts") == 0)
			snprintf(right, sizeof right, "%lld contributions",
			    (long long)ji(p, "contributions"));
		else {
			short_time(js(p, "joined_at"), when);
			snprintf(right, sizeof right, "joined %s", when);
		}
		list_add(&or->l, line, right, C_NORMAL, p, true);
		if (strcmp(key, "newcomers") == 0 &&
		    !json_is_object(json_object_get(p, "mentor")))
			list_add(&or->l, "      a mentor: nobody here has said "
			    "they are happy to mentor (their profile)", NULL,
			    C_DIM, NULL, false);
		if (json_is_object(json_object_get(p, "mentor"))) {
			json_t *m = json_object_get(p, "mentor");

			snprintf(line, sizeof line, "      a mentor: %s (@%s), "
			    "%s", js(m, "display_name"), js(m, "handle"),
			    js(m, "why"));
			list_add(&or->l, line, NULL, C_DIM, m, true);
		}
	}
}

static void
outreach_got(void *ctx, json_t *result, json_t *error)
{
	struct outreach *or = ctx;
	char lurk[128], cat[128];

	if (error != NULL) {
		snprintf(or->msg, sizeof or->msg, "%s", err_message(error));
		return;
	}
	or->msg[0] = '\0';
	json_decref(or->o);
	or->o = json_incref(result);
	list_clear(&or->l);
	snprintf(lurk, sizeof lurk, "Lurkers: they visit, no contribution in "
	    "%lld days", (long long)ji(result, "days"));
	snprintf(cat, sizeof cat, "Catalysts: %lld or more contributions in "
	    "%lld days", (long long)ji(result, "catalyst"),
	    (long long)ji(result, "days"));
	section(or, "Newcomers to check in with", "newcomers",
	    "  Nobody joined in the last 70 days.");
	section(or, lurk, "lurkers", "  None: as the pyramid's lurkers.");
	section(or, cat, "catalysts", "  None in this window.");
	section(or, "Never contributed (no post that counts, vote or event)",
	    "never_contributed", "  Everyone has contributed.");
	list_fix(&or->l);
}

static void
outreach_draw(struct view *v, int rows, int cols)
{
	struct outreach *or = (struct outreach *)v;
	char head[256];

	snprintf(head, sizeof head, "Who to reach in %s", or->name);
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	if (or->msg[0] != '\0')
		put_text(2, 2, cols - 4, or->msg, C_DIM, 0);
	list_draw(&or->l, 3, rows - 2, cols);
}

static bool
outreach_key(struct view *v, int ch, bool is_key)
{
	struct outreach *or = (struct outreach *)v;
	struct row *r;

	if (list_key(&or->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&or->l)) != NULL) {
		ui_push(view_profile(js(r->data, "handle")));
		return true;
	}
	return false;
}

static void
outreach_free(struct view *v)
{
	struct outreach *or = (struct outreach *)v;

	list_free(&or->l);
	json_decref(or->o);
	free(or);
}

struct view *
view_outreach(const char *slug, const char *name)
{
	struct outreach *or = xcalloc(1, sizeof *or);

	snprintf(or->slug, sizeof or->slug, "%s", slug);
	snprintf(or->name, sizeof or->name, "%s", name);
	or->v.title = "Outreach";
	or->v.keys = "Enter:profile";
	or->v.help = "For the community's managers: newcomers to check in "
	    "with 1 week, 1 month and 2 months after they joined (you are "
	    "reminded on each date), each with a suggested mentor (a member "
	    "happy to mentor, one who shares an expertise or the region "
	    "first); lurkers with their last visit and catalysts, the same "
	    "people as the pyramid on the Health screen counts (its 90-day "
	    "window); members and interested people with no contribution at "
	    "all (a post that counts: not hidden or deleted; a poll vote; an "
	    "event). "
	    "**Enter** opens the person's profile.";
	or->v.draw = outreach_draw;
	or->v.key = outreach_key;
	or->v.free = outreach_free;
	snprintf(or->msg, sizeof or->msg, "Counting…");
	net_call("outreach.list", json_pack("{s:s}", "community", slug),
	    &or->v, outreach_got, or);
	return &or->v;
}
