/*
 * plain-devices.c: the line mode's devices (Profile, then d): the member's
 * keys with name, fingerprint and last use; removing one (never the only
 * one; the one in use only after a warning); a one-time device code for a
 * new device. And, in a join session, a device code entered where the
 * invite code is asked (plain_devices_redeem).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* Print the keys; returns the reply (kept for the numbers) or NULL. */
static json_t *
show_keys(json_t **keys)
{
	json_t *r = plain_call("device.list", NULL), *res, *k;
	size_t i;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return NULL;
	}
	*keys = json_object_get(res, "keys");
	plain_out("\nYour devices (each has its own key):\n");
	json_array_foreach(*keys, i, k)
		plain_out("  %zu. %s%s\n     %s %s\n     added %s, %s%s\n",
		    i + 1, js(k, "name"),
		    json_is_true(json_object_get(k, "current")) ?
		    " (this device)" : "", js(k, "type"),
		    js(k, "fingerprint"), when_say(js(k, "added_at")),
		    js(k, "last_used_at")[0] ? "last used " : "not used yet",
		    js(k, "last_used_at")[0] ? when_say(js(k,
		    "last_used_at")) : "");
	if (json_is_object(json_object_get(res, "pending_code")))
		plain_out("  A device code ending %s waits to be used (until "
		    "%s).\n", js(json_object_get(res, "pending_code"),
		    "hint"), when_say(js(json_object_get(res, "pending_code"),
		    "expires_at")));
	return r;
}

static void
make_code(void)
{
	char name[128];
	json_t *args = json_object(), *r, *res;

	snprintf(name, sizeof name, "%s", plain_ask("Name of the new device "
	    "(optional, e.g. home laptop): "));
	if (name[0] != '\0')
		json_object_set_new(args, "name", json_string(name));
	r = plain_call("device.code", args);
	if ((res = plain_result(r)) != NULL) {
		plain_out("\nDevice code: %s\n", js(res, "code"));
		plain_out("It works once, for %s (until %s). "
		    "Keep it to yourself.\n\nOn the new device:\n"
		    "  1. If it has no SSH key yet, make one (press Enter at "
		    "each question):\n"
		    "       ssh-keygen -t ed25519\n"
		    "     (Windows: in PowerShell. macOS: in Terminal. Linux: "
		    "in a terminal.)\n"
		    "  2. Connect as join:  %s\n"
		    "  3. Enter this code where it asks for your code.\n",
		    plain_count(ji(res, "minutes"), "minute", "minutes"),
		    when_say(js(res,
		    "expires_at")), js(res, "connect"));
	}
	json_decref(r);
}

static void
remove_key(json_t *keys)
{
	json_t *k;
	char *s;
	long n;
	bool cur;

	s = plain_ask("Number of the device to remove: ");
	n = strtol(s, NULL, 10);
	if (n < 1 || (size_t)n > json_array_size(keys)) {
		plain_out("  No device %s.\n", s);
		return;
	}
	k = json_array_get(keys, (size_t)n - 1);
	cur = json_is_true(json_object_get(k, "current"));
	if (cur)
		plain_out("  This is the device you are using now. Once its key "
		    "is removed,\n  this device cannot sign in again and this "
		    "session ends.\n");
	plain_out("  Remove \"%s\" (%s)?", js(k, "name"),
	    js(k, "fingerprint"));
	if (plain_ask(" y/n: ")[0] != 'y')
		return;
	plain_do("device.remove", json_pack("{s:I, s:b}", "id", ji(k, "id"),
	    "confirm", cur), "Removed: that device can no longer sign in.");
}

void
plain_devices(void)
{
	json_t *r, *keys = NULL;
	char *s;

	for (;;) {
		if ((r = show_keys(&keys)) == NULL)
			return;
		s = plain_ask("\nc: make a device code for a new device, "
		    "r: remove a device, Enter: back: ");
		if (s[0] == 'c')
			make_code();
		else if (s[0] == 'r')
			remove_key(keys);
		else {
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}

json_t *
plain_devices_redeem(const char *code, bool *tried)
{
	json_t *r = plain_call("device.redeem", json_pack("{s:s}", "code",
	    code)), *m;

	*tried = false;
	if (json_is_true(json_object_get(r, "ok"))) {
		m = json_incref(json_object_get(json_object_get(r, "result"),
		    "member"));
		plain_out("\nThis device's key now belongs to %s (@%s): next "
		    "time, connect with it\nunder any user name.\n",
		    js(m, "display_name"), js(m, "handle"));
		json_decref(r);
		return m;
	}
	if (strcmp(js(json_object_get(r, "error"), "code"), "not_found") != 0) {
		*tried = true;
		plain_result(r);
	}
	json_decref(r);
	return NULL;
}
