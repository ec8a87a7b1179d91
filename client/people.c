/*
 * people.c: suggested connections on Home (member.suggestions): for a
 * newcomer, a few members who share an expertise tag, the region or a
 * community, mentors first, each with what they share. Enter on one opens
 * their profile. Home calls people_home_load, people_home_rows and
 * people_home_open; nothing shows for members who are not newcomers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

void
people_home_load(struct view *home, reply_fn done, void *ctx)
{
	net_call("member.suggestions", json_pack("{s:i}", "limit", 5), home,
	    done, ctx);
}

void
people_home_rows(struct list *l, json_t *result)
{
	json_t *a = json_object_get(result, "suggestions"), *r, *w;
	char line[600], why[400];
	size_t i, k;

	if (!json_is_true(json_object_get(result, "newcomer")) ||
	    json_array_size(a) == 0)
		return;
	list_add(l, "", NULL, C_NORMAL, NULL, false);
	list_add(l, "People you might connect with", NULL, C_HEAD, NULL,
	    false);
	json_array_foreach(a, i, r) {
		json_t *d = json_deep_copy(r);

		why[0] = '\0';
		json_array_foreach(json_object_get(r, "why"), k, w) {
			if (k > 0)
				strncat(why, "; ", sizeof why - strlen(why) - 1);
			strncat(why, json_string_value(w), sizeof why -
			    strlen(why) - 1);
		}
		snprintf(line, sizeof line, "  %s  @%s  -  %s",
		    js(r, "display_name"), js(r, "handle"), why);
		json_object_set_new(d, "suggested", json_true());
		list_add(l, line, NULL, C_NORMAL, d, true);
		json_decref(d);
	}
}

bool
people_home_open(json_t *row)
{
	if (!json_is_true(json_object_get(row, "suggested")))
		return false;
	ui_push(view_profile(js(row, "handle")));
	return true;
}
