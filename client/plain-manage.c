/*
 * plain-manage.c: running a community in the line mode: join requests
 * approved or declined with a message, the settings edited field by
 * numbered field, members' roles, who left; and for anyone, asking to join
 * with a message (and seeing the answer) and leaving. plain.c's community
 * menu opens these.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* A fresh community.get: the caller decrefs the reply; NULL on error. */
static json_t *
fetch(const char *slug, json_t **reply)
{
	json_t *res;

	*reply = plain_call("community.get", json_pack("{s:s}", "slug", slug));
	if ((res = plain_result(*reply)) == NULL)
		return NULL;
	return json_object_get(res, "community");
}

static bool
yes(const char *prompt)
{
	const char *s = plain_ask(prompt);

	return s[0] == 'y' || s[0] == 'Y';
}

/* "Your request ...": sent and waiting, or its answer. */
static void
request_state(json_t *c)
{
	json_t *r = json_object_get(c, "my_request");
	const char *st = js(r, "status");

	if (!json_is_object(r))
		return;
	if (strcmp(st, "pending") == 0)
		plain_out("Request sent %s: waiting for an answer.\n",
		    when_say(js(r, "created_at")));
	else
		plain_out("Your request to join was %s%s%s\n", st,
		    js(r, "response")[0] ? ": " : ".", js(r, "response"));
}

void
plain_manage_join(json_t *c)
{
	json_t *args;
	char *msg;
	const char *as;
	json_t *q = json_object_get(c, "my_request");

	/* before asking anything: a member, or asked already */
	if (js(c, "my_role")[0] != '\0') {
		plain_out("You are already in %s (as %s).\n", js(c, "name"),
		    js(c, "my_role"));
		return;
	}
	if (strcmp(js(q, "status"), "pending") == 0) {
		plain_out("You have already asked to join %s (%s); you will be "
		    "told the answer. m membership withdraws the request.\n",
		    js(c, "name"), when_say(js(q, "created_at")));
		return;
	}
	if (strcmp(js(c, "join_policy"), "request") != 0) {
		plain_do("community.join", json_pack("{s:s}", "slug",
		    js(c, "slug")), "You joined.");
		return;
	}
	if (js(c, "criteria")[0])
		plain_out("Who it is for: %s\n", js(c, "criteria"));
	as = plain_ask("Join as a member (m) or as interested (i)? ");
	args = json_pack("{s:s, s:s}", "slug", js(c, "slug"), "as",
	    as[0] == 'i' ? "interested" : "member");
	plain_out("A message to its managers: who you are and why you would "
	    "like to join.\n");
	msg = plain_ask_text();
	if (msg[0] != '\0')
		json_object_set_new(args, "message", json_string(msg));
	free(msg);
	plain_do("community.join", args, "Request sent. You will be told the "
	    "answer in your notifications, and here.");
}

static void
requests(const char *slug)
{
	json_t *r, *res, *a, *q, *args;
	size_t i;
	char *s, *msg;
	const char *as;
	bool approve;

	for (;;) {
		r = plain_call("community.requests", json_pack("{s:s, s:i}",
		    "slug", slug, "limit", 200));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "requests");
		plain_out("\nJoin requests waiting: %zu\n",
		    json_array_size(a));
		json_array_foreach(a, i, q) {
			plain_out("  %zu. %s (@%s), %s, asks to join as %s\n",
			    i + 1, js(q, "display_name"), js(q, "handle"),
			    when_say(js(q, "created_at")), js(q, "role"));
			if (js(q, "job_role")[0] || js(q, "organisation")[0])
				plain_out("     %s%s%s\n", js(q, "job_role"),
				    js(q, "job_role")[0] &&
				    js(q, "organisation")[0] ? ", " : "",
				    js(q, "organisation"));
			if (js(q, "message")[0])
				plain_print_md(js(q, "message"), "     > ");
		}
		s = plain_ask("a N approve, d N decline, 0 back: ");
		q = json_array_get(a, (size_t)(atoi(s + 1) - 1));
		if ((s[0] != 'a' && s[0] != 'd') || q == NULL) {
			if (s[0] == 'a' || s[0] == 'd')
				plain_out("No request with that number.\n");
			json_decref(r);
			if (s[0] == 'a' || s[0] == 'd')
				continue;
			return;
		}
		/* s is plain_ask's: the next question overwrites it */
		approve = s[0] == 'a';
		args = json_pack("{s:I, s:b}", "request_id", ji(q, "id"),
		    "approve", approve);
		if (approve) {
			as = plain_ask("As a member (m) or as interested (i)? "
			    "Enter keeps what they asked: ");
			if (as[0] == 'm' || as[0] == 'i')
				json_object_set_new(args, "as", json_string(
				    as[0] == 'i' ? "interested" : "member"));
		}
		plain_out("A message they will see with the answer (optional):"
		    "\n");
		msg = plain_ask_text();
		if (msg[0] != '\0')
			json_object_set_new(args, "message", json_string(msg));
		free(msg);
		plain_do("community.decide", args, approve ? "Approved; "
		    "they have been told." : "Declined; they have been told.");
		json_decref(r);
	}
}

static void
settings(const char *slug)
{
	static const char *const keys[] = { "name", "purpose", "criteria",
		"privacy", "visibility", "join_policy", "interested_cap",
		"refuse_interested_over_cap" };
	static const char *const labels[] = { "Name", "Purpose",
		"Membership criteria", "Privacy expectations", "Visibility "
		"(private, platform or public)", "Join policy (open, request "
		"or invite)", "Interested cap (percent, 1-100)", "Over the cap "
		"(warn or refuse)" };
	json_t *r, *c, *args;
	char *s, *v;
	int n;

	for (;;) {
		if ((c = fetch(slug, &r)) == NULL) {
			json_decref(r);
			return;
		}
		plain_out("\nSettings of %s:\n", js(c, "name"));
		for (int i = 0; i < 8; i++) {
			if (i == 6)
				plain_out("  7. %s: %lld\n", labels[i],
				    (long long)ji(c, keys[i]));
			else if (i == 7)
				plain_out("  8. %s: %s\n", labels[i],
				    json_is_true(json_object_get(c, keys[i])) ?
				    "refuse" : "warn");
			else
				plain_out("  %d. %s: %s\n", i + 1, labels[i],
				    js(c, keys[i])[0] ? js(c, keys[i]) :
				    "(not written yet)");
		}
		json_decref(r);
		s = plain_ask("Number to change, 0 back: ");
		n = atoi(s);
		if (n < 1 || n > 8)
			return;
		if (n >= 2 && n <= 4) {
			plain_out("The new %s:\n", labels[n - 1]);
			v = plain_ask_text();
		} else
			v = xstrdup(plain_ask("New value: "));
		args = json_pack("{s:s}", "slug", slug);
		if (n == 7)
			json_object_set_new(args, keys[6],
			    json_integer(atoi(v)));
		else if (n == 8)
			json_object_set_new(args, keys[7],
			    json_boolean(strcmp(v, "refuse") == 0));
		else
			json_object_set_new(args, keys[n - 1], json_string(v));
		free(v);
		plain_do("community.update", args, "Saved. The pinned Welcome "
		    "thread now says the same.");
	}
}

static void
members(const char *slug)
{
	json_t *r, *res, *a, *m;
	size_t i;
	char *s, role[16], q[300];

	for (;;) {
		r = plain_call("community.members", json_pack("{s:s, s:i}",
		    "slug", slug, "limit", 200));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "members");
		plain_out("\nMembers:\n");
		json_array_foreach(a, i, m)
			plain_out("  %zu. %s (@%s): %s\n", i + 1,
			    js(m, "display_name"), js(m, "handle"),
			    js(m, "role"));
		s = plain_ask("r N ROLE sets a role (manager, leader, member, "
		    "interested, or none to remove), 0 back: ");
		role[0] = '\0';
		m = NULL;
		if (s[0] == 'r') {
			int n = 0;
			if (sscanf(s + 1, "%d %15s", &n, role) == 2 && n > 0)
				m = json_array_get(a, (size_t)n - 1);
			if (m == NULL) {
				plain_out("Say r, the member's number and the "
				    "role, e.g. r 2 leader.\n");
				json_decref(r);
				continue;
			}
			snprintf(q, sizeof q, "%s @%s: %s instead of %s? y/n: ",
			    strcmp(role, "none") == 0 ? "Remove" : "Make",
			    js(m, "handle"), strcmp(role, "none") == 0 ?
			    "out of the community" : role, js(m, "role"));
			if (yes(q))
				plain_do("community.set_role", json_pack(
				    "{s:s, s:s, s:s}", "slug", slug, "handle",
				    js(m, "handle"), "role", role), "Done; "
				    "they have been told.");
			json_decref(r);
			continue;
		}
		json_decref(r);
		return;
	}
}

static void
departures(const char *slug)
{
	json_t *r = plain_call("community.departures", json_pack("{s:s, s:i}",
	    "slug", slug, "limit", 200)), *res, *d;
	size_t i;

	if ((res = plain_result(r)) != NULL) {
		plain_out("\nWho left, newest first:\n");
		json_array_foreach(json_object_get(res, "departures"), i, d)
			plain_out("  %s (@%s), %s, %s %s%s%s\n",
			    js(d, "display_name"), js(d, "handle"),
			    js(d, "role"), json_is_true(json_object_get(d,
			    "removed")) ? "removed" : "left",
			    when_say(js(d, "left_at")),
			    json_is_true(json_object_get(d, "removed")) &&
			    js(d, "removed_by")[0] ? " by @" : "",
			    js(d, "removed_by"));
		if (json_array_size(json_object_get(res, "departures")) == 0)
			plain_out("  Nobody has left.\n");
	}
	json_decref(r);
}

void
plain_manage(const char *slug)
{
	json_t *r, *c;
	char ch;
	bool staff, member;

	for (;;) {
		if ((c = fetch(slug, &r)) == NULL) {
			json_decref(r);
			return;
		}
		staff = json_is_integer(json_object_get(c, "pending_requests"));
		member = js(c, "my_role")[0] != '\0';
		plain_out("\n%s: you are %s.\n", js(c, "name"), member ?
		    js(c, "my_role") : "not a member");
		request_state(c);
		if (staff)
			plain_out("  1. Join requests (%lld waiting)\n  2. "
			    "Settings\n  3. Members and roles\n  4. Who left\n",
			    (long long)ji(c, "pending_requests"));
		if (member)
			plain_out("  5. Leave %s\n", js(c, "name"));
		else if (strcmp(js(json_object_get(c, "my_request"), "status"),
		    "pending") == 0)
			plain_out("  5. Withdraw your request\n");
		else
			plain_out("  6. Join, or ask to join\n");
		ch = plain_ask("Number, 0 back: ")[0];
		if (staff && ch == '1')
			requests(slug);
		else if (staff && ch == '2')
			settings(slug);
		else if (staff && ch == '3')
			members(slug);
		else if (staff && ch == '4')
			departures(slug);
		else if (ch == '5' && yes(member ? "Leave this community? "
		    "You can ask to join again later. y/n: " :
		    "Withdraw your request? y/n: "))
			plain_do("community.leave", json_pack("{s:s}", "slug",
			    slug), member ? "You left." : "Withdrawn.");
		else if (ch == '6' && !member)
			plain_manage_join(c);
		else if (ch != '5') {
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}
