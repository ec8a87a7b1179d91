/*
 * welcome.c: the first screen, chosen from the server's greeting (Home,
 * the join form, or why this key may not come in), and the first run: the
 * code of conduct to accept, then the member's profile to fill in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* If the code of conduct is not accepted yet, start the first run. */
static void
coc_checked(void *ctx, json_t *result, json_t *error)
{
	struct view *home = ctx;

	if (error != NULL || ui_top() != home)
		return;
	coc_first_run(result);
}

void
welcome_first_run(void)
{
	net_call("coc.get", NULL, ui_top(), coc_checked, ui_top());
}

/* The greeting decides the first screen. */
void
welcome_start(json_t *hello)
{
	json_t *m = json_object_get(hello, "member");
	json_t *removed = json_object_get(hello, "removed");

	if (json_is_object(removed)) {
		char msg[512];
		snprintf(msg, sizeof msg, "Your Hearth membership was removed "
		    "on %s.\n\nReason: %s", when_show(js(removed, "at")),
		    js(removed, "reason"));
		ui_push(view_message("Membership removed", msg));
		return;
	}
	if (json_is_true(json_object_get(hello, "join"))) {
		ui_push(view_join());
		return;
	}
	if (!json_is_object(m)) {
		ui_push(view_message("Not a member", "This key does not "
		    "belong to a Hearth member. To join, connect as user "
		    "**join** and enter your invite code."));
		return;
	}
	g_me = json_incref(m);
	when_member(m);
	ui_push(view_home());
	where_resume(ui_top()); /* a dropped link: back where they were */
	welcome_first_run();
}
