/*
 * plain-health.c: the line mode's health and reports: a community's for
 * its leaders and managers, the platform's for staff, printed as the plain
 * text report (report.get, docs/health.md), figures and the window before
 * side by side, no pictures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* i N in a thread: a manager marks the post as an impact story. */
void
plain_health_impact(json_t *post)
{
	char note[512];

	snprintf(note, sizeof note, "%s", plain_ask("Why it matters, for "
	    "reports (Enter: no note): "));
	plain_do("post.impact", json_pack("{s:I, s:s}", "post_id", ji(post,
	    "id"), "note", note), "Marked as an impact story: reports quote "
	    "it.");
}

/* Print the goals numbered; their key results as N.M. */
static json_t *
goals_print(const char *slug)
{
	json_t *a = json_object(), *r, *res, *g, *k;
	size_t i, j;

	if (slug != NULL)
		json_object_set_new(a, "community", json_string(slug));
	r = plain_call("goal.list", a);
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return NULL;
	}
	json_incref(res);
	json_decref(r);
	if (json_array_size(json_object_get(res, "goals")) == 0)
		plain_out("\nNo goals yet.\n");
	json_array_foreach(json_object_get(res, "goals"), i, g) {
		plain_out("\n%zu. %s (to %.10s)\n", i + 1, js(g, "title"),
		    js(g, "ends_at"));
		json_array_foreach(json_object_get(g, "key_results"), j, k)
			plain_out("   %zu.%zu %s: %g of %g by %.10s, %s (expected "
			    "by today: %g)\n", i + 1, j + 1, js(k, "title"),
			    json_number_value(json_object_get(k, "value")),
			    json_number_value(json_object_get(k, "target")),
			    js(k, "due_at"), js(k, "status"),
			    json_number_value(json_object_get(k, "expected")));
	}
	return res;
}

/* Outreach lists, printed (the community's managers). */
static void
outreach_print(const char *slug)
{
	static const char *const keys[] = { "newcomers", "lurkers",
		"catalysts", "never_contributed" };
	static const char *const titles[] = { "Newcomers to check in with",
		"Lurkers (they visit, no contribution in the window)",
		"Catalysts (most contributions in the window)",
		"Never contributed (no post that counts, vote or event)" };
	json_t *r = plain_call("outreach.list", json_pack("{s:s}", "community",
	    slug)), *res, *p;
	size_t i;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	plain_out("\n(The window: the last %lld days, as the pyramid counts "
	    "lurkers and catalysts.)\n", (long long)ji(res, "days"));
	for (size_t k = 0; k < 4; k++) {
		json_t *a = json_object_get(res, keys[k]);

		plain_out("\n%s: %zu\n", titles[k], json_array_size(a));
		json_array_foreach(a, i, p) {
			plain_out("  %s (@%s)", js(p, "display_name"),
			    js(p, "handle"));
			if (k == 0)
				plain_out(", %s check-in on %.10s", js(p,
				    "check_in"), js(p, "check_in_at"));
			else if (k == 1)
				plain_out(", last visit %.10s",
				    js(p, "last_visit"));
			if (k == 0 && json_is_object(json_object_get(p,
			    "mentor")))
				plain_out("; a mentor: @%s (%s)", js(
				    json_object_get(p, "mentor"), "handle"), js(
				    json_object_get(p, "mentor"), "why"));
			else if (k == 0)
				plain_out("; a mentor: nobody here has said "
				    "they are happy to mentor");
			plain_out("\n");
		}
	}
	json_decref(r);
}

/* After the report: goals and outreach, until 0. */
static void
health_more(const char *slug)
{
	json_t *goals, *a, *g, *k;
	char *s, title[200], *dot;
	long gi, ki;

	for (;;) {
		s = plain_ask("\ng goals, a add a goal, k add a key result, u "
		    "enter progress, o who to reach (managers), 0 back: ");
		if (s[0] == 'o' && slug != NULL)
			outreach_print(slug);
		else if (s[0] == 'g')
			json_decref(goals_print(slug));
		else if (s[0] == 'a') {
			a = json_object();
			if (slug != NULL)
				json_object_set_new(a, "community",
				    json_string(slug));
			snprintf(title, sizeof title, "%s",
			    plain_ask("Goal: "));
			json_object_set_new(a, "title", json_string(title));
			json_object_set_new(a, "ends_at", json_string(
			    plain_ask("Ends (YYYY-MM-DD): ")));
			plain_do("goal.create", a, "Goal added.");
		} else if (s[0] == 'k' || s[0] == 'u') {
			bool add = s[0] == 'k';

			if ((goals = goals_print(slug)) == NULL)
				continue;
			s = plain_ask(add ? "Goal number: " :
			    "Key result number (as 1.2): ");
			gi = atol(s);
			ki = (dot = strchr(s, '.')) != NULL ? atol(dot + 1) : 0;
			g = json_array_get(json_object_get(goals, "goals"),
			    (size_t)gi - 1);
			k = json_array_get(json_object_get(g, "key_results"),
			    (size_t)ki - 1);
			if (g == NULL || (!add && k == NULL)) {
				plain_out("No such number.\n");
			} else if (add) {
				a = json_pack("{s:I}", "goal_id", ji(g, "id"));
				snprintf(title, sizeof title, "%s",
				    plain_ask("Key result: "));
				json_object_set_new(a, "title",
				    json_string(title));
				s = plain_ask("Measured by (posts, members, "
				    "contributors, ...; Enter: manual): ");
				if (s[0] != '\0')
					json_object_set_new(a, "metric",
					    json_string(s));
				json_object_set_new(a, "target", json_integer(
				    atol(plain_ask("Target (a number): "))));
				plain_do("goal.kr_add", a, "Key result added.");
			} else {
				a = json_pack("{s:I}", "kr_id", ji(k, "id"));
				json_object_set_new(a, "progress", json_integer(
				    atol(plain_ask("Value now: "))));
				plain_do("goal.kr_update", a, "Saved.");
			}
			json_decref(goals);
		} else
			return;
	}
}

void
plain_health(void)
{
	json_t *r, *res, *list, *c, *mine = json_array(), *args;
	bool staff = strcmp(js(plain_me(), "role"), "member") != 0;
	long k, days;
	size_t i;
	char *s, *slug;

	r = plain_call("community.list", NULL);
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		json_decref(mine);
		return;
	}
	list = json_object_get(res, "communities");
	json_array_foreach(list, i, c)
		if (staff || strcmp(js(c, "my_role"), "manager") == 0 ||
		    strcmp(js(c, "my_role"), "leader") == 0)
			json_array_append(mine, c);
	json_decref(r);
	if (json_array_size(mine) == 0 && !staff) {
		plain_out("\nHealth is for a community's leaders and "
		    "managers; you lead none.\n");
		json_decref(mine);
		return;
	}
	plain_out("\nWhose health?\n");
	if (staff)
		plain_out("  P. The whole platform\n");
	json_array_foreach(mine, i, c)
		plain_out("  %zu. %s\n", i + 1, js(c, "name"));
	s = plain_ask("Choose, 0 back: ");
	k = atol(s);
	args = json_object();
	if (staff && (s[0] == 'P' || s[0] == 'p'))
		;
	else if (k >= 1 && (size_t)k <= json_array_size(mine))
		json_object_set_new(args, "community", json_string(js(
		    json_array_get(mine, (size_t)k - 1), "slug")));
	else {
		json_decref(args);
		json_decref(mine);
		return;
	}
	json_decref(mine);
	s = plain_ask("Over how many days (Enter: 90)? ");
	days = atol(s);
	json_object_set_new(args, "days", json_integer(days > 0 ? days : 90));
	json_object_set_new(args, "format", json_string("text"));
	json_object_set_new(args, "suppress", json_false());
	plain_out("Counting...\n");
	slug = json_is_string(json_object_get(args, "community")) ?
	    xstrdup(js(args, "community")) : NULL;
	r = plain_call("report.get", args);
	if ((res = plain_result(r)) != NULL)
		plain_out("\n%s\n", js(res, "text"));
	json_decref(r);
	health_more(slug);
	free(slug);
}
