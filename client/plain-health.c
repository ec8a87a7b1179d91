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

void
plain_health(void)
{
	json_t *r, *res, *list, *c, *mine = json_array(), *args;
	bool staff = strcmp(js(plain_me(), "role"), "member") != 0;
	long k, days;
	size_t i;
	char *s;

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
	r = plain_call("report.get", args);
	if ((res = plain_result(r)) != NULL)
		plain_out("\n%s\n", js(res, "text"));
	json_decref(r);
}
