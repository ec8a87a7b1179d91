/*
 * plain-messages.c: private messages in the line mode (main menu, then
 * Private messages): the member's conversations by number with unread
 * counts said in words; reading one, replying, writing to someone new,
 * blocking or unblocking, reporting a message to staff and searching
 * one's own messages, all by numbers and letters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

static json_t *
arr_of(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);

	return json_is_array(a) ? a : NULL;
}

/* "@bob and @cat" (with who is no longer a member, and whom you block). */
static void
names(json_t *participants, char *out, size_t len)
{
	json_t *p;
	size_t i, n = json_array_size(participants);

	out[0] = '\0';
	json_array_foreach(participants, i, p) {
		size_t k = strlen(out);
		snprintf(out + k, len - k, "%s@%s%s%s", i == 0 ? "" : i + 1 ==
		    n ? " and " : ", ", js(p, "handle"),
		    json_is_true(json_object_get(p, "removed")) ?
		    " (no longer a member)" : "",
		    json_is_true(json_object_get(p, "blocked")) ?
		    " (you block them)" : "");
	}
}

/* "YYYY-MM-DD HH:MM" of an ISO time. */
static void
when_of(const char *iso, char out[64])
{
	snprintf(out, 64, "%s", when_say(iso));
}

static void
print_message(size_t n, json_t *m)
{
	char when[64];
	json_t *a = json_object_get(m, "author");

	when_of(js(m, "at"), when);
	plain_out("\n%zu. %s (@%s), %s:\n", n, js(a, "display_name"),
	    js(a, "handle"), when);
	plain_print_md(js(m, "body"), "   ");
}

static void
block_ask(const char *handle, bool blocked)
{
	char q[300];
	const char *a;

	if (blocked)
		snprintf(q, sizeof q, "Unblock @%s? Their new messages reach "
		    "you again. y or n: ", handle);
	else
		snprintf(q, sizeof q, "Block @%s? They can no longer write to "
		    "you privately and are not told. y or n: ", handle);
	a = plain_ask(q);
	if (a[0] != 'y')
		return;
	plain_do("member.block", json_pack("{s:s, s:b}", "handle", handle,
	    "blocked", !blocked), blocked ? "Unblocked." : "Blocked. Their "
	    "messages will not reach you.");
}

/* Read a conversation and act on it until q. */
static void
conversation(json_int_t id)
{
	json_int_t before = 0;
	bool print = true;

	for (;;) {
		json_t *args = json_pack("{s:I}", "conversation_id", id);
		json_t *r, *res, *msgs, *ps, *m;
		char who[600];
		const char *s;
		size_t i;

		if (before)
			json_object_set_new(args, "before", json_integer(
			    before));
		r = plain_call("message.get", args);
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		msgs = arr_of(res, "messages");
		ps = arr_of(json_object_get(res, "conversation"),
		    "participants");
		names(ps, who, sizeof who);
		if (print) {
			plain_out("\nConversation with %s (%zu message%s shown"
			    "%s).\n", who, json_array_size(msgs),
			    json_array_size(msgs) == 1 ? "" : "s",
			    ji(res, "next") ? "; o for older ones" : "");
			json_array_foreach(msgs, i, m)
				print_message(i + 1, m);
		}
		print = true;
		s = plain_ask("\nr to reply, ! and a number to report that "
		    "message, b to block or unblock, o for older, p to print "
		    "again, q to go back: ");
		if (s[0] == 'q' || s[0] == '\0') {
			json_decref(r);
			return;
		}
		if (s[0] == 'r') {
			char *body = plain_ask_text();
			if (body[strspn(body, " \n\t")] != '\0')
				plain_do("message.send", json_pack("{s:I, s:s}",
				    "conversation_id", id, "body", body),
				    "Sent.");
			else
				plain_out("Nothing written; nothing sent.\n");
			free(body);
			before = 0;
		} else if (s[0] == 'o') {
			if (ji(res, "next"))
				before = ji(res, "next");
			else
				plain_out("There are no older messages.\n");
		} else if (s[0] == '!') {
			size_t n = (size_t)atoi(s + 1);
			if (n == 0)
				n = (size_t)atoi(plain_ask("Report which "
				    "message (its number)? "));
			m = json_array_get(msgs, n - 1);
			if (n == 0 || m == NULL)
				plain_out("There is no message %zu here.\n", n);
			else if (json_is_true(json_object_get(m, "mine")))
				plain_out("Message %zu is your own.\n", n);
			else {
				char reason[1000];
				snprintf(reason, sizeof reason, "%s", plain_ask(
				    "Why do you report it (staff read "
				    "this)? "));
				if (reason[0] == '\0')
					plain_out("Not reported: say why.\n");
				else
					plain_do("message.report", json_pack(
					    "{s:I, s:s}", "message_id", ji(m,
					    "id"), "reason", reason),
					    "Reported. Staff have it; its "
					    "author is not told who "
					    "reported it.");
			}
			print = false;
		} else if (s[0] == 'b') {
			json_t *p = NULL;
			if (json_array_size(ps) == 1)
				p = json_array_get(ps, 0);
			else {
				json_array_foreach(ps, i, m)
					plain_out("  %zu. @%s%s\n", i + 1,
					    js(m, "handle"), json_is_true(
					    json_object_get(m, "blocked")) ?
					    " (blocked)" : "");
				p = json_array_get(ps, (size_t)atoi(plain_ask(
				    "Whom (a number)? ")) - 1);
			}
			if (p != NULL)
				block_ask(js(p, "handle"), json_is_true(
				    json_object_get(p, "blocked")));
			print = false;
		} else if (s[0] != 'p')
			print = false;
		json_decref(r);
	}
}

static void
write_new(void)
{
	char to[600], *save = NULL, *h, *body;
	json_t *a = json_array(), *r, *res;

	snprintf(to, sizeof to, "%s", plain_ask("Write to whom? Their handle "
	    "(for a group, up to 10 with spaces between): "));
	for (h = strtok_r(to, " ,", &save); h != NULL; h = strtok_r(NULL, " ,",
	    &save))
		json_array_append_new(a, json_string(h[0] == '@' ? h + 1 : h));
	if (json_array_size(a) == 0) {
		json_decref(a);
		return;
	}
	body = plain_ask_text();
	if (body[strspn(body, " \n\t")] == '\0') {
		plain_out("Nothing written; nothing sent.\n");
		json_decref(a);
		free(body);
		return;
	}
	r = plain_call("message.send", json_pack("{s:o, s:s}", "to", a,
	    "body", body));
	free(body);
	if ((res = plain_result(r)) != NULL) {
		plain_out("Sent.\n");
		conversation(ji(res, "conversation_id"));
	}
	json_decref(r);
}

static void
search(void)
{
	const char *q = plain_ask("Look for (in your own messages): ");
	json_t *r, *res, *a, *m;
	size_t i;
	char when[64];

	if (q[0] == '\0')
		return;
	r = plain_call("message.search", json_pack("{s:s}", "q", q));
	if ((res = plain_result(r)) != NULL) {
		a = arr_of(res, "results");
		plain_out("%zu found.\n", json_array_size(a));
		json_array_foreach(a, i, m) {
			char *pre = plain_preview(js(m, "snippet"),
			    PLAIN_PREVIEW);

			when_of(js(m, "at"), when);
			plain_out("  %zu. @%s, %s: %s\n", i + 1, js(
			    json_object_get(m, "author"), "handle"), when, pre);
			free(pre);
		}
		if (json_array_size(a) > 0) {
			size_t n = (size_t)atoi(plain_ask("A number opens its "
			    "conversation, Enter goes back: "));
			if ((m = json_array_get(a, n - 1)) != NULL && n > 0)
				conversation(ji(m, "conversation_id"));
		}
	}
	json_decref(r);
}

void
plain_messages_event(json_t *data)
{
	json_t *m = json_object_get(data, "message");

	/* the first unread one comes with a notification (notify.new) */
	if (json_is_true(json_object_get(m, "mine")) || ji(data, "unread") <= 1)
		return;
	plain_out("\nNew private message from @%s (main menu, 13).\n",
	    js(json_object_get(m, "author"), "handle"));
}

void
plain_messages(void)
{
	for (;;) {
		json_t *r = plain_call("message.conversations", NULL), *res,
		    *a, *c;
		const char *s;
		size_t i;

		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = arr_of(res, "conversations");
		if (ji(res, "unread") == 0)
			plain_out("\nPrivate messages: nothing unread.\n");
		else
			plain_out("\nPrivate messages: %lld unread.\n",
			    (long long)ji(res, "unread"));
		json_array_foreach(a, i, c) {
			char who[600], when[64];
			json_t *last = json_object_get(c, "last");
			json_int_t u = ji(c, "unread");
			char *pre = plain_preview(js(last, "body"),
			    PLAIN_PREVIEW);
			names(arr_of(c, "participants"), who, sizeof who);
			when_of(js(last, "at"), when);
			if (u > 0)
				plain_out("  %zu. %s, %lld unread. Last, %s: "
				    "%s\n", i + 1, who, (long long)u, when,
				    pre);
			else
				plain_out("  %zu. %s, all read. Last, %s: %s\n",
				    i + 1, who, when, pre);
			free(pre);
		}
		if (json_array_size(a) == 0)
			plain_out("  No conversations yet.\n");
		if (json_array_size(arr_of(res, "blocked")) > 0) {
			plain_out("  You block:");
			json_array_foreach(arr_of(res, "blocked"), i, c)
				plain_out(" @%s", json_string_value(c));
			plain_out(" (u to unblock).\n");
		}
		s = plain_ask("A number reads a conversation; w writes to "
		    "someone, s searches your messages, b blocks someone, u "
		    "unblocks, q goes back: ");
		if (s[0] == 'q' || s[0] == '\0') {
			json_decref(r);
			return;
		}
		if (s[0] == 'w')
			write_new();
		else if (s[0] == 's')
			search();
		else if (s[0] == 'b' || s[0] == 'u') {
			bool un = s[0] == 'u';
			char h[64];
			snprintf(h, sizeof h, "%s", plain_ask(un ? "Unblock "
			    "whom (handle)? " : "Block whom (handle)? "));
			if (h[0] != '\0')
				block_ask(h[0] == '@' ? h + 1 : h, un);
		} else if (atoi(s) > 0 && (c = json_array_get(a,
		    (size_t)atoi(s) - 1)) != NULL)
			conversation(ji(c, "id"));
		else
			plain_out("There is no conversation %s.\n", s);
		json_decref(r);
	}
}
