/*
 * plain-programme.c: the line mode's programme of events (the list, one
 * event in full, RSVP, the surgery queue, its room; new events and
 * cancelling for those who run them), expert speaker requests (asking,
 * answering staff, and staff's queue) and the private consults kept for
 * the member. Every list is numbered, every prompt says what to type and
 * how to go back, and times are spoken in the member's time zone
 * ("Sunday 6 December, 2 pm GMT", when.c). Calls go
 * through plain.c (plain_call and friends); rooms are plain-room.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "client.h"

#define PAGE 20		/* list lines shown at a time */
#define MAX_EVENTS 1000 /* the most events the programme loads */

/* ---- times and words ---- */

/* An ISO time spoken in the member's zone (when.c). */
static void
when(const char *iso, char *out, size_t len)
{
	when_spoken_iso(iso, out, len);
}

/* The member's role allows staff work (the expert queue, platform events). */
static bool
is_staff(void)
{
	const char *role = js(plain_me(), "role");

	return strcmp(role, "staff") == 0 || strcmp(role, "admin") == 0;
}

/*
 * Ask for a number from a list of n (1..n); 0 or Enter goes back (-1).
 * prompt says what the list is.
 */
static int
ask_pick(const char *prompt, size_t n)
{
	char *s = plain_ask(prompt);
	int k = atoi(s);

	if (k < 1 || (size_t)k > n)
		return -1;
	return k - 1;
}

/* A choice among names: numbered, Enter takes def (an index). -1: back. */
static int
ask_choice(const char *what, const char *const *names, int n, int def)
{
	char *s;

	plain_out("%s:\n", what);
	for (int i = 0; i < n; i++)
		plain_out("  %d. %s%s\n", i + 1, names[i], i == def ?
		    " (Enter chooses this)" : "");
	s = plain_ask("Type a number (Enter for the one marked), 0 to go "
	    "back: ");
	if (s[0] == '\0')
		return def;
	if (atoi(s) < 1 || atoi(s) > n)
		return -1;
	return atoi(s) - 1;
}

/* A start time, typed in the member's zone, into iso (UTC); false when
 * the member goes back. */
static bool
ask_start(char *iso, size_t len)
{
	for (;;) {
		char prompt[200];
		snprintf(prompt, sizeof prompt, "Starts, in your time zone "
		    "(%s), as YYYY-MM-DD HH:MM (for example 2026-12-06 "
		    "14:00); Enter alone goes back: ", when_zone_name());
		char *s = plain_ask(prompt);
		if (s[0] == '\0')
			return false;
		char w[32];
		int64_t t;
		int rc = when_parse_typed(s, &t);
		if (rc == TIME_OK) {
			time_iso8601(t, w);
			snprintf(iso, len, "%s", w);
			return true;
		}
		plain_out("  That is not a date and time I can read%s%s.\n",
		    rc == TIME_E_SHAPE ? "" : ": ", rc == TIME_E_SHAPE ? "" :
		    time_parse_error(rc));
	}
}

/* Minutes (Enter: def); -1 when the member goes back. */
static long
ask_minutes(long def)
{
	char prompt[128];

	snprintf(prompt, sizeof prompt, "Duration in minutes (Enter for %ld, "
	    "0 to go back): ", def);
	for (;;) {
		char *s = plain_ask(prompt), *end;
		long v;
		if (s[0] == '\0')
			return def;
		v = strtol(s, &end, 10);
		if (*end == '\0' && v == 0)
			return -1;
		if (*end == '\0' && v > 0)
			return v;
		plain_out("  Type a number of minutes, like 60.\n");
	}
}

/* An optional longer text: asked first, so Enter skips it. NULL: none. */
static char *
ask_optional_text(const char *what)
{
	char prompt[200];

	snprintf(prompt, sizeof prompt, "Write %s? Type y to write it, Enter "
	    "to leave it out: ", what);
	if (plain_ask(prompt)[0] != 'y')
		return NULL;
	return plain_ask_text();
}

/* ---- the programme ---- */

static const char *const kinds[] = { "drop_in", "surgery", "show_and_tell",
	"summit", "other" };
static const char *const kind_names[] = { "drop-in", "surgery",
	"show and tell", "summit", "other" };
/* In recur_rules' order. */
static const char *const recurrence_names[] = { "once (does not repeat)",
	"every week", "every two weeks", "every month (same day)" };
static const char *const record_modes[] = { "off", "transcript", "chatham",
	"summary" };
static const char *const record_names[] = {
	"off: nothing is kept; latecomers see no history",
	"transcript: messages kept with names, posted to the community",
	"chatham: kept without names (Chatham House Rule), then posted",
	"summary: nothing kept but the summary you write when closing",
};

static int
by_start(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(event_start_iso(x), event_start_iso(y));

	if (c != 0)
		return c;
	return (ji(x, "id") > ji(y, "id")) - (ji(x, "id") < ji(y, "id"));
}

/*
 * Every upcoming event (one community's if slug), soonest next start
 * first; NULL after printing an error.
 */
static json_t *
events_load(const char *slug)
{
	json_t *all = json_array(), *next = NULL, *args, *r, *res, *sorted;
	json_t **v;
	size_t n, i;

	for (;;) {
		args = json_pack("{s:I}", "limit", (json_int_t)200);
		if (slug != NULL)
			json_object_set_new(args, "community",
			    json_string(slug));
		if (next != NULL)
			json_object_set_new(args, "after", next);
		next = NULL;
		r = plain_call("event.list", args);
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			json_decref(all);
			return NULL;
		}
		json_array_extend(all, json_object_get(res, "events"));
		next = json_object_get(res, "next");
		if (json_is_null(next) || json_array_size(all) >= MAX_EVENTS)
			next = NULL;
		json_incref(next);
		json_decref(r);
		if (next == NULL)
			break;
	}
	n = json_array_size(all);
	v = xcalloc(n + 1, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = json_array_get(all, i);
	qsort(v, n, sizeof *v, by_start);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	json_decref(all);
	return sorted;
}

/* One line for an event in a list: the day and time first. */
static void
event_line(size_t k, json_t *e)
{
	char w[80], cap[48] = "";
	const char *mine = js(e, "my_rsvp");

	when(event_start_iso(e), w, sizeof w);
	if (json_is_integer(json_object_get(e, "capacity")))
		snprintf(cap, sizeof cap, " of %s", plain_count(ji(e,
		    "capacity"), "place", "places"));
	plain_out("  %zu. %s: %s (%s, %s; %lld going%s%s%s%s%s%s)\n", k, w,
	    js(e, "title"), event_kind_words(js(e, "kind")),
	    js(e, "community")[0] ? js(e, "community") : "whole platform",
	    (long long)ji(e, "going"), cap, mine[0] ? "; you: " : "",
	    strcmp(mine, "not_going") == 0 ? "not going" : mine,
	    strcmp(js(e, "recurrence"), "none") != 0 &&
	    js(e, "recurrence")[0] ? "; repeats " : "",
	    strcmp(js(e, "recurrence"), "none") != 0 ? js(e, "recurrence") :
	    "", ji(e, "room_id") ? "; room open now" : "");
}

/*
 * Answer status; for a repeating event, first ask whether it is for the
 * next time only or every time.
 */
static void
rsvp_ask(json_t *e, const char *status)
{
	const char *rec = js(e, "recurrence"), *next = js(e, "next_start");
	const char *occ = "every";
	char *s, prompt[300];
	json_t *r, *res;

	if (rec[0] != '\0' && strcmp(rec, "none") != 0 && next[0] != '\0') {
		plain_out("It repeats. Is your answer (%s) for\n  1. only the "
		    "next time, %s\n  2. every time\n", strcmp(status,
		    "not_going") == 0 ? "not going" : status, when_say(next));
		snprintf(prompt, sizeof prompt, "Type 1 or 2, 0 to go back: ");
		s = plain_ask(prompt);
		if (atoi(s) == 1)
			occ = next;
		else if (atoi(s) != 2)
			return;
	}
	r = plain_call("event.rsvp", json_pack("{s:I, s:s, s:s}", "id",
	    ji(e, "id"), "status", status, "occurrence", occ));
	if ((res = plain_result(r)) != NULL)
		plain_out("Your answer is saved%s%s.\n",
		    strcmp(js(res, "for"), "every") == 0 ? (occ == next ? "" :
		    strcmp(rec, "none") != 0 && rec[0] ? ", for every time" :
		    "") : ", for ", strcmp(js(res, "for"), "every") != 0 ?
		    when_say(js(res, "for")) : "");
	json_decref(r);
}

/* Print one event in full. */
static void
event_print(json_t *e)
{
	char w[80], hm[40], rec[200];
	int64_t st = time_from_iso8601(event_start_iso(e));
	json_int_t dur = ji(e, "duration");
	bool host = ji(e, "is_host") != 0;
	json_t *x, *q = json_object_get(e, "queue");
	size_t i;

	plain_out("\nEvent: %s\n", js(e, "title"));
	plain_out("  Kind: %s, %s\n", event_kind_words(js(e, "kind")),
	    js(e, "community")[0] ? js(e, "community") : "for the whole "
	    "platform");
	if (json_is_string(json_object_get(e, "cancelled"))) {
		when(js(e, "cancelled"), w, sizeof w);
		plain_out("  CANCELLED on %s%s%s\n", w,
		    js(e, "cancel_reason")[0] ? ". Reason: " : "",
		    js(e, "cancel_reason"));
	}
	when(event_start_iso(e), w, sizeof w);
	when_clock_spoken(st + (int64_t)dur * 60, hm, sizeof hm);
	plain_out("  When: %s, for %s (until %s)\n", w,
	    plain_count(dur, "minute", "minutes"), hm);
	when_series_words(js(e, "recurrence"), time_from_iso8601(js(e,
	    "starts_at")), rec, sizeof rec);
	plain_out("  Repeats: %s\n", rec);
	if (strcmp(js(e, "recurrence"), "none") != 0 &&
	    strcmp(js(e, "starts_at"), event_start_iso(e)) != 0) {
		when(js(e, "starts_at"), w, sizeof w);
		plain_out("  First time: %s\n", w);
	}
	plain_out("  Hosts: ");
	json_array_foreach(json_object_get(e, "hosts"), i, x)
		plain_out("%s%s (@%s)", i ? ", " : "", js(x, "display_name"),
		    js(x, "handle"));
	plain_out("\n");
	if (json_is_integer(json_object_get(e, "capacity"))) {
		json_int_t left = ji(e, "capacity") - ji(e, "going");
		plain_out("  Places: %lld going of %lld, %lld left; %lld "
		    "maybe\n", (long long)ji(e, "going"),
		    (long long)ji(e, "capacity"), (long long)(left > 0 ? left :
		    0), (long long)ji(e, "maybe"));
	} else
		plain_out("  Places: no limit; %lld going, %lld maybe\n",
		    (long long)ji(e, "going"), (long long)ji(e, "maybe"));
	{
		bool answered = js(e, "my_rsvp")[0] != '\0';
		bool repeats = strcmp(js(e, "recurrence"), "none") != 0 &&
		    js(e, "recurrence")[0] != '\0';
		bool every = strcmp(js(e, "my_rsvp_for"), "every") == 0;

		plain_out("  Your answer: %s%s%s\n", strcmp(js(e, "my_rsvp"),
		    "not_going") == 0 ? "not going" : answered ?
		    js(e, "my_rsvp") : "not answered yet",
		    !answered || !repeats ? "" : every ? ", every time" :
		    ", only on ", answered && repeats && !every ?
		    when_say(js(e, "my_rsvp_for")) : "");
	}
	if (ji(e, "room_id"))
		plain_out("  Room: open now (room %lld)\n",
		    (long long)ji(e, "room_id"));
	else
		plain_out("  Room: not open%s\n", host ? " (you may open it)" :
		    "");
	if (strcmp(js(e, "kind"), "surgery") == 0) {
		if (host) {
			plain_out("  Surgery queue: %zu waiting%s\n",
			    json_array_size(q), json_array_size(q) ? ":" : "");
			json_array_foreach(q, i, x)
				plain_out("    %lld. %s (@%s): %s\n",
				    (long long)ji(x, "place"),
				    js(x, "display_name"), js(x, "handle"),
				    js(x, "topic"));
		} else if ((x = json_array_get(q, 0)) != NULL)
			plain_out("  Surgery queue: you are number %lld, "
			    "topic: %s\n", (long long)ji(x, "place"),
			    js(x, "topic"));
		else if (!ji(e, "room_id"))
			plain_out("  Surgery queue: you are not queued\n");
	}
	if (ji(e, "thread_id"))
		plain_out("  Record: the last room's record is a thread\n");
	if (js(e, "description")[0]) {
		plain_out("  Description:\n");
		plain_print_md(js(e, "description"), "    ");
	}
	if (json_is_array(json_object_get(e, "attendees"))) {
		x = json_object_get(e, "attendees");
		plain_out("  Who answered: %s\n", json_array_size(x) ?
		    "" : "nobody yet");
		json_array_foreach(x, i, q)
			plain_out("    %zu. %s (@%s): %s\n", i + 1,
			    js(q, "display_name"), js(q, "handle"),
			    strcmp(js(q, "status"), "not_going") == 0 ?
			    "not going" : js(q, "status"));
	}
}

/* Open the event's room as a host (asks the record mode), then go in. */
static void
event_open_room(json_int_t id)
{
	int k = ask_choice("What should the room keep?", record_names, 4, 0);
	json_t *r, *res;
	json_int_t room;

	if (k < 0)
		return;
	r = plain_call("room.open", json_pack("{s:I, s:s}", "event_id", id,
	    "record", record_modes[k]));
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	room = ji(json_object_get(res, "room"), "room_id");
	json_decref(r);
	plain_room(room);
}

/* Actions on an event, by fixed numbers (only those that apply show). */
enum { EA_GOING = 1, EA_MAYBE, EA_NOT, EA_QUEUE, EA_UNQUEUE, EA_JOIN,
	EA_OPEN, EA_RECORD, EA_CANCEL, EA_EDIT };

/* Hosts change an event: each field asked with its value; Enter keeps. */
static void
event_edit(json_t *e)
{
	json_t *args = json_pack("{s:I}", "id", ji(e, "id"));
	char iso[40], *s;

	plain_out("Change \"%s\": for each, type the new value or press "
	    "Enter to keep it.\n", js(e, "title"));
	s = plain_ask("Title: ");
	if (s[0] != '\0')
		json_object_set_new(args, "title", json_string(s));
	plain_out("It starts %s.\n", when_say(js(e, "starts_at")));
	s = plain_ask("Move it? y/n: ");
	if ((s[0] == 'y' || s[0] == 'Y') && ask_start(iso, sizeof iso))
		json_object_set_new(args, "starts_at", json_string(iso));
	plain_out("It lasts %s.\n", plain_count(ji(e, "duration"), "minute",
	    "minutes"));
	s = plain_ask("Duration in minutes: ");
	if (atol(s) > 0)
		json_object_set_new(args, "duration", json_integer(atol(s)));
	s = plain_ask("A new description? y/n: ");
	if (s[0] == 'y' || s[0] == 'Y') {
		char *d = plain_ask_text();

		json_object_set_new(args, "description", json_string(d));
		free(d);
	}
	if (json_object_size(args) == 1) {
		plain_out("Nothing changed.\n");
		json_decref(args);
		return;
	}
	plain_do("event.update", args, "Changed; everyone going or maybe is "
	    "told when it moves.");
}

/* One event: print it and act on it until 0. */
static void
event_show(json_int_t id)
{
	json_t *r, *res, *e;
	bool host, cancelled, surgery, queued;
	char *s, topic[256];

	for (;;) {
		r = plain_call("event.get", json_pack("{s:I}", "id", id));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		e = json_object_get(res, "event");
		host = ji(e, "is_host") != 0;
		cancelled = json_is_string(json_object_get(e, "cancelled"));
		surgery = strcmp(js(e, "kind"), "surgery") == 0;
		queued = !host && json_array_size(json_object_get(e,
		    "queue")) > 0;
		event_print(e);
		plain_out("What now?\n");
		if (!cancelled)
			plain_out("  %d. Answer: going\n  %d. Answer: maybe\n"
			    "  %d. Answer: not going\n", EA_GOING, EA_MAYBE,
			    EA_NOT);
		if (!cancelled && surgery && !host && !ji(e, "room_id"))
			plain_out("  %d. %s the surgery queue with a topic "
			    "(before the room opens)\n", EA_QUEUE, queued ?
			    "Change your topic in" : "Join");
		if (queued && !ji(e, "room_id"))
			plain_out("  %d. Leave the surgery queue\n",
			    EA_UNQUEUE);
		if (ji(e, "room_id"))
			plain_out("  %d. Join the room\n", EA_JOIN);
		if (host && !cancelled && !ji(e, "room_id"))
			plain_out("  %d. Open the room now (you host it)\n",
			    EA_OPEN);
		if (ji(e, "thread_id"))
			plain_out("  %d. Read the record of its last room\n",
			    EA_RECORD);
		if (host && !cancelled)
			plain_out("  %d. Cancel this event\n  %d. Change it "
			    "(title, time, length, description)\n", EA_CANCEL,
			    EA_EDIT);
		plain_out("  0. Back to the programme\n");
		s = plain_ask("Type a number, 0 to go back: ");
		switch (atoi(s)) {
		case EA_GOING:
		case EA_MAYBE:
		case EA_NOT:
			if (cancelled)
				break;
			rsvp_ask(e, atoi(s) == EA_GOING ? "going" :
			    atoi(s) == EA_MAYBE ? "maybe" : "not_going");
			break;
		case EA_QUEUE:
			if (cancelled || !surgery || host || ji(e, "room_id"))
				break;
			snprintf(topic, sizeof topic, "%s", plain_ask("What "
			    "would you like help with? Type your topic (up to "
			    "200 characters); Enter alone goes back: "));
			if (topic[0] != '\0')
				plain_do("event.queue", json_pack("{s:I, s:s}",
				    "id", id, "topic", topic), "You are in the "
				    "queue: the host sees your topic when the "
				    "room opens.");
			break;
		case EA_UNQUEUE:
			if (queued)
				plain_do("event.queue", json_pack("{s:I, s:b}",
				    "id", id, "leave", 1), "You left the "
				    "queue.");
			break;
		case EA_JOIN:
			if (ji(e, "room_id")) {
				json_int_t room = ji(e, "room_id");
				json_decref(r);
				plain_room(room);
				continue;
			}
			break;
		case EA_OPEN:
			if (host && !cancelled && !ji(e, "room_id")) {
				json_decref(r);
				event_open_room(id);
				continue;
			}
			break;
		case EA_RECORD:
			if (ji(e, "thread_id")) {
				json_int_t th = ji(e, "thread_id");
				json_decref(r);
				plain_thread(th);
				continue;
			}
			break;
		case EA_CANCEL:
			if (!host || cancelled)
				break;
			s = plain_ask("Why is it cancelled? Everyone coming is "
			    "told. Type the reason; Enter alone goes back "
			    "without cancelling: ");
			if (s[0] != '\0')
				plain_do("event.cancel", json_pack("{s:I, s:s}",
				    "id", id, "reason", s), "The event is "
				    "cancelled; everyone coming has been "
				    "told.");
			break;
		case EA_EDIT:
			if (host && !cancelled)
				event_edit(e);
			break;
		case 0:
			if (s[0] == '0' || s[0] == '\0' || s[0] == 'q') {
				json_decref(r);
				return;
			}
			break;
		}
		json_decref(r);
	}
}

/*
 * The communities where the member may add events (leader or manager),
 * as an array of community objects; staff may also add platform events.
 */
static json_t *
creatable_communities(void)
{
	json_t *r = plain_call("community.list", NULL), *res, *c, *out;
	size_t i;

	out = json_array();
	if ((res = plain_result(r)) != NULL)
		json_array_foreach(json_object_get(res, "communities"), i, c)
			if (strcmp(js(c, "my_role"), "leader") == 0 ||
			    strcmp(js(c, "my_role"), "manager") == 0)
				json_array_append(out, c);
	json_decref(r);
	return out;
}

/* Ask everything event.create needs and send it. slug: the default. */
static void
event_create(json_t *mine, const char *slug)
{
	json_t *args = json_object(), *c, *r, *res;
	size_t i, n = json_array_size(mine), def = 0;
	char title[256], iso[64], *s, *desc;
	int k;
	long dur;

	plain_out("\nNew event. At each question, Enter alone (or 0) goes "
	    "back without creating it.\nWhere is it?\n");
	json_array_foreach(mine, i, c) {
		if (slug != NULL && strcmp(js(c, "slug"), slug) == 0)
			def = i;
		plain_out("  %zu. %s (%s)%s\n", i + 1, js(c, "name"),
		    js(c, "slug"), i == def && slug != NULL ?
		    " (Enter chooses this)" : "");
	}
	if (is_staff())
		plain_out("  %zu. The whole platform (staff)\n", n + 1);
	s = plain_ask("Type a number, 0 to go back: ");
	if (s[0] == '\0' && slug != NULL && n > 0)
		k = (int)def;
	else
		k = atoi(s) - 1;
	if (k < 0 || (size_t)k > n || ((size_t)k == n && !is_staff()))
		goto back;
	if ((size_t)k < n)
		json_object_set_new(args, "community", json_string(js(
		    json_array_get(mine, (size_t)k), "slug")));
	snprintf(title, sizeof title, "%s", plain_ask("Title (up to 120 "
	    "characters); Enter alone goes back: "));
	if (title[0] == '\0')
		goto back;
	json_object_set_new(args, "title", json_string(title));
	if ((k = ask_choice("What kind of event?", kind_names, 5, 0)) < 0)
		goto back;
	json_object_set_new(args, "kind", json_string(kinds[k]));
	if (!ask_start(iso, sizeof iso))
		goto back;
	json_object_set_new(args, "starts_at", json_string(iso));
	if ((dur = ask_minutes(60)) < 0)
		goto back;
	json_object_set_new(args, "duration", json_integer(dur));
	if ((k = ask_choice("Does it repeat?", recurrence_names, 4, 0)) < 0)
		goto back;
	json_object_set_new(args, "recurrence", json_string(recur_rules[k]));
	for (;;) {
		s = plain_ask("How many places? Type a number, or Enter for no "
		    "limit: ");
		if (s[0] == '\0')
			break;
		if (atol(s) > 0) {
			json_object_set_new(args, "capacity",
			    json_integer(atol(s)));
			break;
		}
		plain_out("  Type a number of places, like 20.\n");
	}
	if ((desc = ask_optional_text("a description (Markdown)")) != NULL) {
		json_object_set_new(args, "description", json_string(desc));
		free(desc);
	}
	r = plain_call("event.create", args);
	if ((res = plain_result(r)) != NULL) {
		json_t *e = json_object_get(res, "event");
		char w[80];
		when(event_start_iso(e), w, sizeof w);
		plain_out("  Event created: %s, %s (event %lld).\n",
		    js(e, "title"), w, (long long)ji(e, "id"));
	}
	json_decref(r);
	return;
back:
	json_decref(args);
	plain_out("  Nothing was created.\n");
}

/* Choose one community's programme, or every community's. */
static void
pick_filter(char *slug, size_t len)
{
	json_t *r = plain_call("community.list", NULL), *res, *a, *c;
	size_t i;
	int k;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = json_object_get(res, "communities");
	plain_out("Show the events of:\n");
	json_array_foreach(a, i, c)
		plain_out("  %zu. %s (%s)\n", i + 1, js(c, "name"),
		    js(c, "slug"));
	plain_out("  %zu. Every community\n", json_array_size(a) + 1);
	k = ask_pick("Type a number, 0 to go back: ", json_array_size(a) + 1);
	if (k >= 0 && (size_t)k < json_array_size(a))
		snprintf(slug, len, "%s", js(json_array_get(a, (size_t)k),
		    "slug"));
	else if (k >= 0)
		slug[0] = '\0';
	json_decref(r);
}

/*
 * "ssh -p 2222 hearth.example.org": this server's connect line, read from
 * the scp line library.list gives (the server's public host and port);
 * "ssh HOST" if it cannot be had.
 */
static void
calendar_line(char *out, size_t len)
{
	static char got[300];
	json_t *r;
	const char *up, *p, *at, *colon;
	int port = 22;

	if (got[0] != '\0') {
		snprintf(out, len, "%s", got);
		return;
	}
	snprintf(out, len, "ssh HOST");
	r = plain_call("library.list", json_pack("{s:s}", "community",
	    "platform"));
	up = js(json_object_get(r, "result"), "upload");
	/* "scp -P 2222 FILE 'pat@host:/platform/'" */
	if ((p = strstr(up, "-P ")) != NULL)
		port = atoi(p + 3);
	if ((p = strchr(up, '\'')) != NULL && (at = strchr(p, '@')) != NULL &&
	    (colon = strchr(at, ':')) != NULL && colon - at > 1 &&
	    colon - at < 256 && port > 0) {
		if (port == 22)
			snprintf(got, sizeof got, "ssh %.*s", (int)(colon - at -
			    1), at + 1);
		else
			snprintf(got, sizeof got, "ssh -p %d %.*s", port,
			    (int)(colon - at - 1), at + 1);
		snprintf(out, len, "%s", got);
	}
	json_decref(r);
}

void
plain_programme_run(const char *slug)
{
	char filter[64] = "";
	json_t *evs, *mine = creatable_communities();
	bool may_create = is_staff() || json_array_size(mine) > 0;
	size_t from = 0, i, n;
	char *s, line[300];

	if (slug != NULL)
		snprintf(filter, sizeof filter, "%s", slug);
	calendar_line(line, sizeof line);
	plain_out("\nYour calendar: the same ssh command you log in with, "
	    "followed by the word\ncalendar (here: %s calendar > "
	    "hearth.ics), prints the\nevents you host or answered "
	    "going or maybe as an .ics file that calendar\nprograms "
	    "import.\n", line);
	if ((evs = events_load(filter[0] ? filter : NULL)) == NULL) {
		json_decref(mine);
		return;
	}
	for (;;) {
		n = json_array_size(evs);
		if (from == 0)
			plain_out("\nProgramme of %s%s, soonest first (times "
			    "in %s):\n", filter[0] ? "" : "every community",
			    filter, when_zone_name());
		for (i = from; i < n && i < from + PAGE; i++)
			event_line(i + 1, json_array_get(evs, i));
		if (n == 0)
			plain_out("  No upcoming events.\n");
		if (i < n)
			plain_out("  (%zu more: m shows them)\n", n - i);
		s = plain_ask(may_create ? "Number to open an event, m more, f "
		    "one community or all, n new event, r reload, 0 back: " :
		    "Number to open an event, m more, f one community or all, "
		    "r reload, 0 back: ");
		if (s[0] == 'm' && i < n) {
			from = i;
			continue;
		}
		if (s[0] == 'f' || s[0] == 'r' || (s[0] == 'n' &&
		    may_create) || atoi(s) > 0) {
			if (s[0] == 'f')
				pick_filter(filter, sizeof filter);
			else if (s[0] == 'n')
				event_create(mine, filter[0] ? filter : NULL);
			else if (atoi(s) > 0 && (size_t)atoi(s) <= n)
				event_show(ji(json_array_get(evs,
				    (size_t)atoi(s) - 1), "id"));
			else if (atoi(s) > 0) {
				plain_out("  There is no event %d here.\n",
				    atoi(s));
				continue;
			}
			json_decref(evs);
			if ((evs = events_load(filter[0] ? filter : NULL)) ==
			    NULL)
				break;
			from = 0;
			continue;
		}
		if (s[0] == 'm')
			plain_out("  That was all of them.\n");
		else
			break;
	}
	json_decref(evs);
	json_decref(mine);
}

/* ---- expert speaker requests ---- */

static const char *const statuses[] = { "", "pending", "more_info",
	"accepted", "declined" };
#define NSTATUS (sizeof statuses / sizeof statuses[0])

static const char *
status_words(const char *st)
{
	if (strcmp(st, "more_info") == 0)
		return "staff asked for more information";
	if (st[0] == '\0')
		return "any status";
	return st;
}

/* One line (two with staff's answer) for a request in a list. */
static void
expreq_line(size_t k, json_t *q)
{
	json_t *by = json_object_get(q, "requested_by");
	char w[80];

	when(js(q, "created_at"), w, sizeof w);
	plain_out("  %zu. %s: %s (for %s; asked %s by %s, @%s)\n", k,
	    status_words(js(q, "status")), js(q, "topic"),
	    js(q, "community")[0] ? js(q, "community") : "everyone", w,
	    js(by, "display_name"), js(by, "handle"));
	if (js(q, "response")[0])
		plain_out("     Staff's answer: %s\n", js(q, "response"));
}

/* Ask for a speaker: topic, community, why, preferred times. */
static void
expreq_new(void)
{
	char topic[256], slug[64], times[512], *why;
	json_t *args;

	plain_out("\nAsk for an expert speaker. Staff read every request and "
	    "answer here.\n");
	snprintf(topic, sizeof topic, "%s", plain_ask("Topic: what would the "
	    "talk be about? Enter alone goes back: "));
	if (topic[0] == '\0')
		return;
	plain_out("For one community?\n");
	plain_choose_community("No: for everyone", slug, sizeof slug);
	plain_out("Why would it help you or your community?\n");
	why = plain_ask_text();
	if (why[0] == '\0') {
		plain_out("  Nothing was sent: say why it would help.\n");
		free(why);
		return;
	}
	snprintf(times, sizeof times, "%s", plain_ask("Preferred times, in "
	    "your words (like Tuesday afternoons), or Enter for any: "));
	args = json_pack("{s:s, s:s}", "topic", topic, "why", why);
	if (slug[0] != '\0')
		json_object_set_new(args, "community", json_string(slug));
	if (times[0] != '\0')
		json_object_set_new(args, "preferred_times",
		    json_string(times));
	plain_do("expert.request", args, "Sent. Staff will answer here "
	    "(you are notified).");
	free(why);
}

/* Staff accept: the event's speaker, start, length, title, kind, text. */
static json_t *
expreq_accept_args(json_t *q)
{
	json_t *args = json_object();
	char speaker[64], title[256], iso[64], prompt[300], *s, *desc;
	long dur;
	int k;

	snprintf(speaker, sizeof speaker, "%s", plain_ask("Speaker's handle "
	    "(they host the event); Enter alone goes back: "));
	if (speaker[0] == '\0')
		goto back;
	json_object_set_new(args, "speaker", json_string(speaker[0] == '@' ?
	    speaker + 1 : speaker));
	if (!ask_start(iso, sizeof iso))
		goto back;
	json_object_set_new(args, "starts_at", json_string(iso));
	if ((dur = ask_minutes(60)) < 0)
		goto back;
	json_object_set_new(args, "duration", json_integer(dur));
	snprintf(prompt, sizeof prompt, "Title of the event (Enter for the "
	    "topic: %.200s): ", js(q, "topic"));
	snprintf(title, sizeof title, "%s", plain_ask(prompt));
	if (title[0] != '\0')
		json_object_set_new(args, "title", json_string(title));
	if ((k = ask_choice("What kind of event?", kind_names, 5, 2)) < 0)
		goto back;
	json_object_set_new(args, "kind", json_string(kinds[k]));
	if ((desc = ask_optional_text("a description of the event")) !=
	    NULL) {
		json_object_set_new(args, "description", json_string(desc));
		free(desc);
	}
	s = plain_ask("Type yes to accept and create the event; anything else "
	    "goes back: ");
	if (strcmp(s, "yes") != 0 && strcmp(s, "y") != 0)
		goto back;
	return args;
back:
	json_decref(args);
	plain_out("  Nothing was decided.\n");
	return NULL;
}

enum { XA_ANSWER = 1, XA_ACCEPT, XA_DECLINE, XA_MORE, XA_EVENT };

/*
 * Read the request again (there is no expert.get: the page of one just
 * before id + 1 is it), so a decision made meanwhile shows.
 */
static void
expreq_fresh(json_t **qp)
{
	json_int_t id = ji(*qp, "id");
	json_t *r = plain_call("expert.list", json_pack("{s:I, s:I}", "before",
	    id + 1, "limit", (json_int_t)1)), *q;

	q = json_array_get(json_object_get(json_object_get(r, "result"),
	    "requests"), 0);
	if (q != NULL && ji(q, "id") == id) {
		json_decref(*qp);
		*qp = json_incref(q);
	}
	json_decref(r);
}

/* One request: print it, act on it; *q is replaced by results. */
static void
expreq_show(json_t **qp)
{
	json_t *q, *by, *args, *r, *res;
	bool mine, open, staff = is_staff();
	char w[80], *s;
	int a;

	for (;;) {
		expreq_fresh(qp);
		q = *qp;
		by = json_object_get(q, "requested_by");
		mine = strcmp(js(by, "handle"), js(plain_me(), "handle")) == 0;
		open = strcmp(js(q, "status"), "pending") == 0 ||
		    strcmp(js(q, "status"), "more_info") == 0;
		when(js(q, "created_at"), w, sizeof w);
		plain_out("\nExpert request: %s\n", js(q, "topic"));
		plain_out("  Asked by %s (@%s) on %s, for %s\n",
		    js(by, "display_name"), js(by, "handle"), w,
		    js(q, "community")[0] ? js(q, "community") : "everyone");
		plain_out("  Status: %s\n", status_words(js(q, "status")));
		if (js(q, "response")[0])
			plain_out("  Staff's answer%s%s: %s\n",
			    js(q, "decided_by")[0] ? " by " : "",
			    js(q, "decided_by"), js(q, "response"));
		plain_out("  Preferred times: %s\n",
		    js(q, "preferred_times")[0] ? js(q, "preferred_times") :
		    "any");
		if (ji(q, "event_id"))
			plain_out("  Accepted: it is event %lld in the "
			    "programme\n", (long long)ji(q, "event_id"));
		plain_out("  Why:\n");
		plain_print_md(js(q, "why"), "    ");
		plain_out("What now?\n");
		if (mine && strcmp(js(q, "status"), "more_info") == 0)
			plain_out("  %d. Answer staff's question\n", XA_ANSWER);
		if (staff && open)
			plain_out("  %d. Accept: create the event\n  %d. "
			    "Decline, with a reason\n  %d. Ask the member for "
			    "more information\n", XA_ACCEPT, XA_DECLINE,
			    XA_MORE);
		if (ji(q, "event_id"))
			plain_out("  %d. Open its event\n", XA_EVENT);
		plain_out("  0. Back to the list\n");
		s = plain_ask("Type a number, 0 to go back: ");
		a = atoi(s);
		args = NULL;
		if (a == XA_ANSWER && mine && strcmp(js(q, "status"),
		    "more_info") == 0) {
			s = plain_ask("Your answer (one line; it is added to "
			    "your request, which goes back to staff); Enter "
			    "alone goes back: ");
			if (s[0] != '\0')
				r = plain_call("expert.reply", json_pack(
				    "{s:I, s:s}", "id", ji(q, "id"), "text",
				    s));
			else
				continue;
		} else if (a == XA_ACCEPT && staff && open) {
			if ((args = expreq_accept_args(q)) == NULL)
				continue;
			json_object_set_new(args, "id", json_integer(ji(q,
			    "id")));
			json_object_set_new(args, "decision",
			    json_string("accept"));
			r = plain_call("expert.decide", args);
		} else if ((a == XA_DECLINE || a == XA_MORE) && staff &&
		    open) {
			s = plain_ask(a == XA_DECLINE ? "Why is it declined? "
			    "The member sees this; Enter alone goes back: " :
			    "What would you like to know? The member sees "
			    "this; Enter alone goes back: ");
			if (s[0] == '\0')
				continue;
			r = plain_call("expert.decide", json_pack("{s:I, s:s, "
			    "s:s}", "id", ji(q, "id"), "decision",
			    a == XA_DECLINE ? "decline" : "more_info",
			    "reason", s));
		} else if (a == XA_EVENT && ji(q, "event_id")) {
			event_show(ji(q, "event_id"));
			continue;
		} else if (s[0] == '0' || s[0] == '\0' || s[0] == 'q')
			return;
		else
			continue;
		if ((res = plain_result(r)) != NULL &&
		    json_is_object(json_object_get(res, "request"))) {
			json_decref(*qp);
			*qp = json_incref(json_object_get(res, "request"));
			plain_out("  Done: the request is now %s.\n",
			    status_words(js(*qp, "status")));
		}
		json_decref(r);
	}
}

void
plain_programme_experts(void)
{
	bool staff = is_staff(), mine = false;
	size_t status = 0, i, from;
	json_t *list, *next = NULL, *args, *r, *res, *q;
	char *s;

reload:
	list = json_array();
	json_decref(next);
	next = NULL;
	from = 0;
	for (;;) {
		args = json_pack("{s:I}", "limit", (json_int_t)PAGE);
		if (statuses[status][0] != '\0')
			json_object_set_new(args, "status",
			    json_string(statuses[status]));
		if (staff && mine)
			json_object_set_new(args, "mine", json_true());
		if (next != NULL)
			json_object_set(args, "before", next);
		r = plain_call("expert.list", args);
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			break;
		}
		json_array_extend(list, json_object_get(res, "requests"));
		json_decref(next);
		next = json_object_get(res, "next");
		next = json_is_null(next) ? NULL : json_incref(next);
		json_decref(r);
		if (from == 0 && staff)
			plain_out("\nExpert speaker requests: %s, %s, newest "
			    "first:\n", mine ? "your own" : "everyone's",
			    status_words(statuses[status]));
		else if (from == 0)
			plain_out("\nYour expert speaker requests, newest "
			    "first:\n");
		for (i = from; i < json_array_size(list); i++)
			expreq_line(i + 1, json_array_get(list, i));
		if (json_array_size(list) == 0)
			plain_out(staff && !mine ? "  No requests here.\n" :
			    "  You have not asked for a speaker yet.\n");
		if (next != NULL)
			plain_out("  (older ones follow: m shows them)\n");
	ask:
		s = plain_ask(staff ? "Number to open, n ask for a speaker, f "
		    "show one status at a time, o only yours or everyone's, m "
		    "more, 0 back: " : "Number to open, n ask for an expert "
		    "speaker, m more, 0 back: ");
		if (s[0] == 'm' && next != NULL) {
			from = json_array_size(list);
			continue;
		}
		if (s[0] == 'n') {
			expreq_new();
		} else if (s[0] == 'f' && staff) {
			status = (status + 1) % NSTATUS;
		} else if (s[0] == 'o' && staff) {
			mine = !mine;
		} else if (atoi(s) > 0 && (q = json_array_get(list,
		    (size_t)atoi(s) - 1)) != NULL) {
			q = json_incref(q);
			expreq_show(&q);
			json_decref(q);
		} else if (atoi(s) > 0 || s[0] == 'm') {
			plain_out("  There is no such request here.\n");
			goto ask;
		} else
			break;
		json_decref(list);
		goto reload;
	}
	json_decref(list);
	json_decref(next);
}

/* ---- kept private consults ---- */

/* One consult's messages, in order. */
static void
consult_print(json_t *c)
{
	json_t *with = json_object_get(c, "with"), *m;
	size_t i;
	char w[80];

	plain_out("\nPrivate consult with %s (@%s) in the room \"%s\":\n",
	    js(with, "display_name"), js(with, "handle"), js(c, "room"));
	json_array_foreach(json_object_get(c, "messages"), i, m) {
		when(js(m, "at"), w, sizeof w);
		plain_out("  %zu. %s, %s (@%s):\n", i + 1, w,
		    js(m, "display_name"), js(m, "handle"));
		plain_print_md(js(m, "text"), "     ");
	}
	if (json_array_size(json_object_get(c, "messages")) == 0)
		plain_out("  (no messages)\n");
}

void
plain_programme_consults(void)
{
	json_t *r = plain_call("room.consults", json_pack("{s:I}", "limit",
	    (json_int_t)50)), *res, *a, *c, *msgs;
	size_t i;
	char w[80];
	int k;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = json_object_get(res, "consults");
	for (;;) {
		plain_out("\nPrivate consults kept for you (only you and the "
		    "other person see them), newest first:\n");
		json_array_foreach(a, i, c) {
			msgs = json_object_get(c, "messages");
			when(js(json_array_get(msgs, 0), "at"), w, sizeof w);
			plain_out("  %zu. In \"%s\" with %s (@%s), %s, %zu "
			    "messages\n", i + 1, js(c, "room"),
			    js(json_object_get(c, "with"), "display_name"),
			    js(json_object_get(c, "with"), "handle"), w,
			    json_array_size(msgs));
		}
		if (json_array_size(a) == 0) {
			plain_out("  None: a consult is kept when the host "
			    "takes you privately with record transcript.\n");
			break;
		}
		k = ask_pick("Number to read, 0 back: ", json_array_size(a));
		if (k < 0)
			break;
		consult_print(json_array_get(a, (size_t)k));
		plain_ask("Enter to go back to the list: ");
	}
	json_decref(r);
}

void
plain_programme_event(json_int_t id)
{
	event_show(id);
}
