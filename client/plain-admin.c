/*
 * plain-admin.c: the line mode's Admin menu for platform admins and staff
 * (invites with the code and the connect line shown once, the member list,
 * removing and reinstating a member, the code of conduct and a new version
 * of it), and for everyone the code of conduct offered again when a write
 * is refused with coc_required (plain_result calls plain_coc_refused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "client.h"

bool
plain_admin_may(void)
{
	const char *role = js(plain_me(), "role");

	return strcmp(role, "admin") == 0 || strcmp(role, "staff") == 0;
}

void
plain_coc_refused(json_t *error)
{
	json_t *r, *res;

	if (strcmp(js(error, "code"), "coc_required") != 0)
		return;
	r = plain_call("coc.get", NULL);
	if ((res = plain_result(r)) != NULL) {
		plain_out("\n%s:\n\n", json_is_true(json_object_get(res,
		    "changed")) ? "The code of conduct has changed" :
		    "Our code of conduct");
		plain_print_md(js(res, "text"), "  ");
		if (plain_ask("\nType yes to accept it (you need to before "
		    "writing): ")[0] == 'y' && plain_do("member.accept_coc",
		    NULL, "Accepted. Thank you."))
			plain_out("  Now send what you wrote once more.\n");
	}
	json_decref(r);
}

static void
invite(void)
{
	json_t *args = json_object(), *r, *res;
	char *s;

	s = plain_ask("Who is the invite for (their name)? ");
	if (*s == '\0') {
		json_decref(args);
		return;
	}
	json_object_set_new(args, "name", json_string(s));
	s = plain_ask("Role: member, staff or admin [member]: ");
	json_object_set_new(args, "role", json_string(*s ? s : "member"));
	{
		char slug[64];

		plain_out("Which community do they join?\n");
		plain_choose_community("None (they choose later)", slug,
		    sizeof slug);
		if (slug[0] != '\0')
			json_object_set_new(args, "community",
			    json_string(slug));
	}
	s = plain_ask("Valid for (90m, 12h, 7d, 2w) [7d]: ");
	json_object_set_new(args, "expires", json_string(*s ? s : "7d"));
	r = plain_call("admin.invite.create", args);
	if ((res = plain_result(r)) != NULL)
		plain_out("\n  Invite for %s (%s), valid until %s.\n"
		    "  Give them this code (shown only now):\n\n      %s\n\n"
		    "  They connect with:\n\n      %s\n\n"
		    "  and enter the code when asked.\n", js(res, "name"),
		    js(res, "role"), when_say(js(res, "expires_at")),
		    js(res, "code"),
		    js(res, "connect"));
	json_decref(r);
}

static void
invites(void)
{
	json_t *r = plain_call("admin.invite.list", NULL), *res, *it;
	size_t i;
	char *s;

	if ((res = plain_result(r)) != NULL) {
		json_array_foreach(json_object_get(res, "invites"), i, it)
			plain_out("  %lld. %s (%s%s%s) ..%s, until %s\n",
			    (long long)ji(it, "id"), js(it, "name"),
			    js(it, "role"), json_is_string(json_object_get(it,
			    "community")) ? ", " : "", js(it, "community"),
			    js(it, "hint"),
			    when_say(js(it, "expires_at")));
		if (json_array_size(json_object_get(res, "invites")) == 0)
			plain_out("  No pending invites.\n");
		else {
			s = plain_ask("Number of an invite to revoke (Enter: "
			    "none): ");
			if (atoll(s) > 0)
				plain_do("admin.invite.revoke", json_pack(
				    "{s:I}", "id", (json_int_t)atoll(s)),
				    "Revoked: its code no longer works.");
		}
	}
	json_decref(r);
}

static void
members(void)
{
	json_t *r = plain_call("admin.member.list", NULL), *res, *m;
	const char *q = plain_ask("Find (part of a name or handle; Enter: "
	    "everyone): ");
	char find[200];
	size_t i, n = 0;

	snprintf(find, sizeof find, "%s", q);
	if ((res = plain_result(r)) != NULL) {
		json_array_foreach(json_object_get(res, "members"), i, m) {
			if (find[0] && !strcasestr(js(m, "handle"), find) &&
			    !strcasestr(js(m, "display_name"), find))
				continue;
			plain_out("  @%s  %s  (%s, %s%s)\n", js(m, "handle"),
			    js(m, "display_name"), js(m, "role"),
			    js(m, "status"), json_is_true(json_object_get(m,
			    "online")) ? ", online" : "");
			n++;
		}
		if (n == 0)
			plain_out("  No member matches.\n");
	}
	json_decref(r);
}

static void
remove_member(void)
{
	char handle[64];
	const char *s = plain_ask("Handle of the member to remove: ");

	snprintf(handle, sizeof handle, "%s", *s == '@' ? s + 1 : s);
	if (handle[0] == '\0')
		return;
	s = plain_ask("Reason (they are told it): ");
	if (*s == '\0') {
		plain_out("  Not removed: a reason is needed.\n");
		return;
	}
	plain_do("admin.member.remove", json_pack("{s:s, s:s}", "handle",
	    handle, "reason", s), "Removed. Their sessions ended; they are "
	    "told the reason when they connect.");
}

static void
reinstate_member(void)
{
	char handle[64];
	const char *s = plain_ask("Handle of the removed member to bring "
	    "back: ");
	json_t *args;

	snprintf(handle, sizeof handle, "%s", *s == '@' ? s + 1 : s);
	if (handle[0] == '\0')
		return;
	args = json_pack("{s:s}", "handle", handle);
	s = plain_ask("Reason, for the audit log (Enter: none): ");
	if (*s != '\0')
		json_object_set_new(args, "reason", json_string(s));
	plain_do("admin.member.reinstate", args, "A member again, with "
	    "everything they had.");
}

static void
coc_admin(void)
{
	json_t *r = plain_call("coc.get", NULL), *res, *s;
	char *text;

	if ((res = plain_result(r)) != NULL) {
		plain_out("\n  Version %lld%s%s.\n\n", (long long)ji(res,
		    "version"), json_is_string(json_object_get(res,
		    "updated_by")) ? ", set by " : " (the text Hearth comes "
		    "with)", js(res, "updated_by"));
		plain_print_md(js(res, "text"), "  ");
	}
	json_decref(r);
	if (plain_ask("\nType new to write a new version (members accept it "
	    "before writing again): ")[0] != 'n')
		return;
	text = plain_ask_text();
	r = plain_call("admin.coc.set", json_pack("{s:s}", "body", text));
	free(text);
	if ((s = plain_result(r)) != NULL) {
		if (json_is_true(json_object_get(s, "changed"))) {
			plain_out("  Saved as version %lld.\n", (long long)ji(s,
			    "version"));
			plain_do("member.accept_coc", NULL, "You accepted it "
			    "too.");
		} else
			plain_out("  Unchanged: that is the current text.\n");
	}
	json_decref(r);
}

void
plain_admin(void)
{
	char *s;

	for (;;) {
		plain_out("\nAdmin menu:\n  1. Invite someone\n"
		    "  2. Pending invites (and revoke one)\n  3. Members\n"
		    "  4. Remove a member\n  5. Reinstate a removed member\n"
		    "  6. Code of conduct (and a new version)\n"
		    "  7. Reported private messages\n  0. Back\n");
		s = plain_ask("Choose a number: ");
		switch (atoi(s)) {
		case 1:
			invite();
			break;
		case 2:
			invites();
			break;
		case 3:
			members();
			break;
		case 4:
			remove_member();
			break;
		case 5:
			reinstate_member();
			break;
		case 6:
			coc_admin();
			break;
		case 7:
			plain_message_reports();
			break;
		default:
			if (s[0] == '0' || s[0] == 'q' || s[0] == '\0')
				return;
		}
	}
}
