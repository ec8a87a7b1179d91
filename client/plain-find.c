/*
 * plain-find.c: the line mode's notifications and search, where every
 * result can be opened by its number and acted on there (a thread to
 * reply in, a poll to vote in, an event, a room, a profile), and the
 * words it shares with the rest of the line mode: counts that agree in
 * number ("1 post", "2 posts") and profile field labels ("Job role").
 * Search highlights reach the screen as plain text: plain_out drops the
 * snippet's marks, which a screen reader would otherwise read out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

#define COUNT_BUFS 8

const char *
plain_count(long long n, const char *one, const char *many)
{
	static char bufs[COUNT_BUFS][64];
	static int next;
	char *b = bufs[next++ % COUNT_BUFS];

	snprintf(b, sizeof bufs[0], "%lld %s", n, n == 1 ? one : many);
	return b;
}

/* Profile fields as the wire names them, and as a person reads them. */
static const char *const fields[][2] = {
	{ "display_name", "Name" },
	{ "pronouns", "Pronouns" },
	{ "job_role", "Job role" },
	{ "organisation", "Organisation" },
	{ "region", "Region" },
	{ "bio", "About" },
	{ "handle", "Handle" },
	{ "timezone", "Time zone" },
	{ "expertise", "Expertise" },
	{ "email", "Email" },
	{ "phone", "Phone" },
};

const char *
plain_label(const char *field)
{
	static char b[64];
	size_t i;

	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(fields[i][0], field) == 0)
			return fields[i][1];
	/* any other: "some_field" reads "Some field" */
	snprintf(b, sizeof b, "%s", field);
	for (i = 0; b[i] != '\0'; i++)
		if (b[i] == '_')
			b[i] = ' ';
	if (b[0] >= 'a' && b[0] <= 'z')
		b[0] = (char)(b[0] - 'a' + 'A');
	return b;
}

/* A member's profile, read only, its fields labelled in words. */
static void
profile_show(const char *handle)
{
	static const char *const show[] = { "display_name", "pronouns",
		"job_role", "organisation", "region", "bio" };
	json_t *r = plain_call("profile.get", json_pack("{s:s}", "handle",
	    handle)), *res, *p;

	if ((res = plain_result(r)) != NULL) {
		p = json_object_get(res, "profile");
		if (!json_is_object(p))
			p = res;
		plain_out("\n%s (@%s)\n", js(p, "display_name"), handle);
		for (size_t i = 1; i < sizeof show / sizeof show[0]; i++)
			if (js(p, show[i])[0] != '\0')
				plain_out("  %s: %s\n", plain_label(show[i]),
				    js(p, show[i]));
	}
	json_decref(r);
}

/* What a notification is about, opened as the TUI opens it. */
static void
notification_open(json_t *x)
{
	const char *slug = js(x, "community"), *kind = js(x, "kind");

	if (strcmp(kind, "message") == 0)
		plain_messages();
	else if (strcmp(kind, "survey") == 0 && notify_survey_id(x) > 0)
		plain_survey_open(notify_survey_id(x));
	else if (strcmp(kind, "join_request") == 0 && slug[0] != '\0')
		plain_manage(slug);
	else if (ji(x, "thread_id"))
		plain_thread_at(ji(x, "thread_id"), ji(x, "post_id"));
	else if (ji(x, "poll_id"))
		plain_poll(ji(x, "poll_id"));
	else if (ji(x, "room_id") && strcmp(kind, "record_review") == 0)
		plain_room_records();
	else if (ji(x, "room_id"))
		plain_room(ji(x, "room_id"));
	else if (ji(x, "event_id"))
		plain_programme_event(ji(x, "event_id"));
	else if (ji(x, "request_id"))
		plain_programme_experts();
	else if (slug[0] != '\0')
		plain_community(slug);
	else
		plain_out("There is nothing more to open for this one.\n");
}

/* Mark one notification read (id), or all of them (id 0). */
static void
notification_mark(json_int_t id)
{
	json_t *r = plain_call("notify.mark_read", id != 0 ?
	    json_pack("{s:[I]}", "ids", id) : json_pack("{s:b}", "all", 1));

	plain_result(r);
	json_decref(r);
}

void
plain_notifications(void)
{
	json_t *r, *res, *a, *x;
	size_t i;
	char *s;
	int n;

	for (;;) {
		r = plain_call("notify.list", NULL);
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "notifications");
		plain_out("\nNotifications: %s, %lld unread.\n",
		    plain_count((long long)json_array_size(a),
		    "notification", "notifications"),
		    (long long)ji(res, "unread"));
		json_array_foreach(a, i, x) {
			/* one line each, however the text was written */
			char *text = plain_preview(js(x, "text"), 300);

			plain_out("  %zu. %s: %s (%s)\n", i + 1,
			    ji(x, "read") ? "Read" : "Unread", text,
			    when_say(js(x, "at")));
			free(text);
		}
		if (json_array_size(a) == 0) {
			plain_out("  Nothing yet.\n");
			json_decref(r);
			return;
		}
		s = plain_ask("Number to open (marks it read), r N mark "
		    "number N read, a mark all read, 0 back: ");
		n = atoi(s[0] == 'r' ? s + 1 : s);
		x = n > 0 ? json_array_get(a, (size_t)n - 1) : NULL;
		if (s[0] == 'a') {
			notification_mark(0);
			plain_out("  All marked read.\n");
		} else if (s[0] == 'r' && x != NULL) {
			notification_mark(ji(x, "id"));
			plain_out("  Number %d marked read.\n", n);
		} else if (x != NULL) {
			if (!ji(x, "read"))
				notification_mark(ji(x, "id"));
			notification_open(x);
		} else if (s[0] == 'r' || n > 0) {
			plain_out("  There is no number %d.\n", n);
		} else {
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}

/* One search result, numbered: what it is, where, and its snippet. */
static void
search_print(size_t n, json_t *x)
{
	json_t *c = json_object_get(x, "community"),
	    *a = json_object_get(x, "author");
	const char *kind = js(x, "kind");

	if (strcmp(kind, "profile") == 0)
		plain_out("  %zu. Member: %s (@%s)\n", n, js(x, "title"),
		    js(x, "handle"));
	else if (strcmp(kind, "document") == 0)
		plain_out("  %zu. Document \"%s\" (%s) in the library of "
		    "%s, by %s\n", n, js(x, "title"), js(x, "path"),
		    json_is_object(c) ? js(c, "name") : "",
		    json_is_object(a) ? js(a, "display_name") : "Hearth");
	else
		plain_out("  %zu. %s in \"%s\", %s, by %s\n", n,
		    strcmp(kind, "post") == 0 ? "Post" : "Thread",
		    js(x, "title"), json_is_object(c) ? js(c, "name") : "",
		    json_is_object(a) ? js(a, "display_name") : "Hearth");
	if (js(x, "snippet")[0] != '\0') {
		char *pre = plain_preview(js(x, "snippet"), PLAIN_PREVIEW);

		plain_out("     %s\n", pre);
		free(pre);
	}
}

/* A page of results: how many, then each. */
static void
search_list(json_t *a, const char *q, json_int_t page)
{
	json_t *x;
	size_t i;

	plain_out("\n%s for \"%s\"%s:\n", plain_count(
	    (long long)json_array_size(a), "result", "results"), q,
	    page > 1 ? ", next page" : "");
	json_array_foreach(a, i, x)
		search_print(i + 1, x);
	if (json_array_size(a) == 0)
		plain_out("  Nothing found.\n");
}

void
plain_search(void)
{
	char q[512];
	json_t *r = NULL, *res, *a = NULL, *x;
	json_int_t page = 1;
	char *s;
	int n;

	snprintf(q, sizeof q, "%s", plain_ask("Search for (Enter alone: "
	    "back): "));
	if (q[0] == '\0')
		return;
	for (;;) {
		if (r == NULL) {
			r = plain_call("search.query", json_pack("{s:s, s:I}",
			    "q", q, "page", page));
			if ((res = plain_result(r)) == NULL) {
				json_decref(r);
				return;
			}
			a = json_object_get(res, "results");
			search_list(a, q, page);
		}
		res = json_object_get(r, "result");
		s = plain_ask(json_is_integer(json_object_get(res, "next_page")) ?
		    "Number to open, l list again, n next page, s search again, "
		    "0 back: " : "Number to open, l list again, s search again, "
		    "0 back: ");
		n = atoi(s);
		x = n > 0 ? json_array_get(a, (size_t)n - 1) : NULL;
		if (s[0] == 'l') {
			search_list(a, q, page);
			continue;
		} else if (s[0] == 'n' && json_is_integer(json_object_get(res,
		    "next_page"))) {
			page = ji(res, "next_page");
		} else if (s[0] == 's') {
			snprintf(q, sizeof q, "%s", plain_ask("Search for "
			    "(Enter alone: back): "));
			if (q[0] == '\0') {
				json_decref(r);
				return;
			}
			page = 1;
		} else if (x != NULL) {
			if (strcmp(js(x, "kind"), "profile") == 0)
				profile_show(js(x, "handle"));
			else if (strcmp(js(x, "kind"), "document") == 0)
				plain_library_doc(ji(x, "document_id"));
			else
				plain_thread_at(ji(x, "thread_id"),
				    ji(x, "post_id"));
			plain_out("\nBack at the results for \"%s\".\n", q);
			continue;
		} else if (n > 0) {
			plain_out("  There is no number %d.\n", n);
			continue;
		} else {
			json_decref(r);
			return;
		}
		json_decref(r);
		r = NULL;
	}
}
