/*
 * plain-email.c: the line mode's e-mail settings (Profile, then m): the
 * address (a code is sent to it and typed back), the digest, and each
 * kind of e-mail sent at once, by number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

static const struct {
	const char *name, *label;
} switches[] = {
	{ "mentions", "When someone mentions you" },
	{ "messages", "Private messages to you" },
	{ "messages_full", "The whole private message, not only its first line" },
	{ "replies", "Replies to your posts" },
	{ "reminders", "Reminders of events you are going to" },
	{ "requests", "Answers to your requests to join" },
};
#define NSWITCH (sizeof switches / sizeof *switches)

/* Print the settings; the reply (kept) or NULL. */
static json_t *
show(json_t **prefs)
{
	json_t *r = plain_call("email.prefs", NULL), *p;

	if ((p = plain_result(r)) == NULL) {
		json_decref(r);
		return NULL;
	}
	*prefs = p;
	plain_out("\nE-mail, for when you are not connected. Your address is "
	    "never shown to anyone.\n");
	if (!json_is_true(json_object_get(p, "sending")))
		plain_out("This server does not send e-mail yet: its "
		    "administrator has not set it up.\n");
	if (!json_is_string(json_object_get(p, "email"))) {
		plain_out("You have not given an address.\n");
		return r;
	}
	plain_out("Address: %s (%s)\n", js(p, "email"),
	    json_is_true(json_object_get(p, "verified")) ? "confirmed" :
	    "not confirmed yet: type c and the code we sent");
	plain_out("Digest: %s\n", js(p, "digest"));
	for (size_t i = 0; i < NSWITCH; i++)
		plain_out("  %zu. %s: %s\n", i + 1, switches[i].label,
		    json_is_true(json_object_get(p, switches[i].name)) ?
		    "yes" : "no");
	return r;
}

void
plain_email(void)
{
	json_t *r, *prefs = NULL, *v;
	char *a;
	long n;

	for (;;) {
		if ((r = show(&prefs)) == NULL)
			return;
		a = plain_ask("\na to set your address, c to type the code, "
		    "d for the digest (weekly, daily, off), a number to switch "
		    "it, x to remove your address, Enter to go back: ");
		if (a[0] == '\0') {
			json_decref(r);
			return;
		}
		if (a[0] == 'a')
			plain_do("profile.update", json_pack("{s:s}", "email",
			    plain_ask("Your e-mail address: ")), json_is_true(
			    json_object_get(prefs, "sending")) ? "A code is on "
			    "its way; type c and the code when it comes." :
			    "Saved. No code will come until this server sends "
			    "e-mail; ask its administrator.");
		else if (a[0] == 'x')
			plain_do("profile.update", json_pack("{s:s}", "email",
			    ""), "Your address is removed.");
		else if (a[0] == 'c') {
			json_t *vr = plain_call("email.verify", json_pack(
			    "{s:s}", "code", plain_ask("The code: "))), *res;

			if ((res = plain_result(vr)) != NULL)
				plain_out("%s\n", json_is_true(json_object_get(
				    res, "verified")) ? "Confirmed: Hearth "
				    "will e-mail you." : js(res, "message"));
			json_decref(vr);
		} else if (a[0] == 'd')
			plain_do("email.prefs", json_pack("{s:s}", "digest",
			    plain_ask("Digest: weekly, daily or off? ")),
			    "Saved.");
		else if ((n = strtol(a, NULL, 10)) >= 1 && (size_t)n <= NSWITCH) {
			v = json_object_get(prefs, switches[n - 1].name);
			plain_do("email.prefs", json_pack("{s:b}",
			    switches[n - 1].name, !json_is_true(v)), "Saved.");
		} else
			plain_out("  Not one of the choices.\n");
		json_decref(r);
	}
}
