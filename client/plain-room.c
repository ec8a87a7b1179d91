/*
 * plain-room.c: the line mode's rooms (hearth --plain, or TERM=dumb): the
 * list of rooms open now, and a room taken part in line by line. The
 * room's header, the people here and the history print first, then every
 * room event prints as a line as it comes ("*" marks the room's own
 * lines); each line typed is said, and a line starting with '/' is one of
 * the room's commands from room-command.c, the same table the room screen
 * uses. This file keeps what those commands read
 * (the room, the people here, our hand, a consult, support alerts) from
 * the same events, and asks on the next line for what they lack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "client.h"

#define UNSENT_MAX 16384

/* The room we are in (0: none) and what its commands read. */
static json_int_t proom;
static json_t *pstate, *ppeople, *palerts;
static bool phand, pconsult;
static char unsent[UNSENT_MAX]; /* the last message refused, for /again */

static const char *
me(void)
{
	return js(plain_me(), "handle");
}

/* Lines of text, each after the first indented by two spaces. */
static void
buf_indented(struct buf *b, const char *text)
{
	for (; *text != '\0'; text++) {
		buf_append(b, text, 1);
		if (*text == '\n')
			buf_puts(b, "  ");
	}
}

/* What a room event says, as one or more lines (malloc'd); NULL: nothing. */
static char *
describe(const char *ev, json_t *d, const char *me)
{
	struct buf b;
	json_t *p;
	size_t i;

	buf_init(&b);
	if (strcmp(ev, "room.joined") == 0) {
		json_t *st = json_object_get(d, "room"), *h;
		buf_printf(&b, "Room “%s”%s%s\n%s%s%s\n", js(st, "title"),
		    js(st, "topic")[0] ? " — " : "", js(st, "topic"),
		    room_record_words(js(st, "record")), ji(st, "paused") ?
		    ". PAUSED" : "", ji(json_object_get(d, "you"), "host") ?
		    ". You are hosting." : "");
		if (json_is_false(json_object_get(json_object_get(d, "you"),
		    "can_say")))
			buf_printf(&b, "Listening only: join %s to speak.\n",
			    js(st, "community_name")[0] ? js(st,
			    "community_name") : js(st, "community")[0] ?
			    js(st, "community") : "the community");
		buf_printf(&b, "Here (%zu):", json_array_size(jarr(d,
		    "people")));
		json_array_foreach(jarr(d, "people"), i, p)
			buf_printf(&b, "%s %s (@%s)%s%s", i ? "," : "",
			    js(p, "display_name"), js(p, "handle"), ji(p,
			    "host") ? " host" : "", ji(p, "muted") ? " muted" :
			    "");
		json_array_foreach(jarr(st, "hosts"), i, h)
			if (json_is_true(json_object_get(h, "in_consult")) &&
			    strcmp(js(h, "handle"), me) != 0 &&
			    strcmp(js(h, "handle"), js(json_object_get(d,
			    "you"), "consult_with")) != 0) /* not with me */
				buf_printf(&b, "\n* %s, the host, is with "
				    "someone privately; back soon.",
				    js(h, "display_name"));
	} else if (strcmp(ev, "room.message") == 0) {
		if (ji(d, "system"))
			buf_puts(&b, "* ");
		else
			buf_printf(&b, "%s%s: ", ji(d, "private") ?
			    "[private] " : "", js(d, "display_name")[0] ?
			    js(d, "display_name") : js(d, "handle")[0] ?
			    js(d, "handle") : "(name not kept)");
		buf_indented(&b, js(d, "text"));
	} else if (strcmp(ev, "room.presence") == 0) {
		static const char *what[][3] = { { "joined", "joined",
		    "joined" }, { "left", "left", "left" }, { "muted",
		    "was muted by a host", "were muted by a host: what you "
		    "say is not sent" }, { "unmuted", "can speak again",
		    "can speak again" }, { "hand_up", "raised their hand",
		    "raised your hand" }, { "host", "is now hosting",
		    "are now hosting" } };
		for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
			const char *h = js(d, what[k][0]);
			if (h[0] == '\0')
				continue;
			if (strcmp(h, me) == 0)
				buf_printf(&b, "* You %s.", what[k][2]);
			else
				buf_printf(&b, "* @%s %s.", h, what[k][1]);
		}
	} else if (strcmp(ev, "room.state") == 0) {
		if (ji(d, "closed") && ji(d, "thread_id"))
			buf_printf(&b, "* The room has closed. Its record is "
			    "posted as a thread in the community (thread "
			    "%lld).", (long long)ji(d, "thread_id"));
		else if (ji(d, "closed") && json_is_true(json_object_get(d,
		    "review")))
			buf_puts(&b, "* The room has closed. Its record is "
			    "posted once the hosts have reviewed it (hosts: "
			    "main menu 11, Room records to review).");
		else if (ji(d, "closed"))
			buf_puts(&b, "* The room has closed. Nothing was kept.");
		else if (ji(d, "removed") && ji(d, "access"))
			buf_printf(&b, "* %s", js(d, "reason"));
		else if (ji(d, "removed"))
			buf_printf(&b, "* A host removed you from this room%s%s",
			    js(d, "reason")[0] ? ": " : ".", js(d, "reason"));
		else {
			json_t *h;

			if (js(d, "topic")[0])
				buf_printf(&b, "* The room now: topic “%s”",
				    js(d, "topic"));
			else
				buf_puts(&b, "* The room now: no topic");
			buf_puts(&b, ji(d, "paused") ? ", PAUSED (only hosts "
			    "can speak)" : ", open");
			/* who hosts (a state change is often a new host) */
			json_array_foreach(jarr(d, "hosts"), i, h)
				buf_printf(&b, "%s%s", i ? ", " : "; hosts: ",
				    js(h, "display_name")[0] ?
				    js(h, "display_name") : js(h, "handle"));
			buf_puts(&b, ".");
		}
	} else if (strcmp(ev, "room.queue") == 0) {
		json_int_t place = ji(d, "place");
		if (place > 0)
			buf_printf(&b, "* Queue: you are %lld%s of %lld.",
			    (long long)place, room_ordinal(place),
			    (long long)ji(d, "length"));
		else if (json_is_array(json_object_get(d, "queue"))) {
			buf_printf(&b, "* Queue: %lld waiting.",
			    (long long)ji(d, "length"));
			json_array_foreach(json_object_get(d, "queue"), i, p)
				buf_printf(&b, "\n  %lld. @%s: %s", (long long)
				    ji(p, "place"), js(p, "handle"),
				    js(p, "topic"));
		}
	} else if (strcmp(ev, "room.consult") == 0) {
		if (ji(d, "active"))
			buf_printf(&b, "* A private consult with @%s has begun: "
			    "only the two of you see what you say. Record: %s. "
			    "/end ends it.", js(d, "with"),
			    room_consult_words(js(d, "record")));
		else
			buf_puts(&b, "* The private consult has ended.");
	} else if (strcmp(ev, "room.support") == 0) {
		if (json_object_get(d, "handle") != NULL) {
			if (!ji(d, "answered"))
				buf_printf(&b, "* SUPPORT needed: %s (@%s)%s%s. "
				    "\"/answer %lld\" answers.", js(d,
				    "display_name"), js(d, "handle"), js(d,
				    "text")[0] ? ": " : "", js(d, "text"),
				    (long long)ji(d, "support_id"));
		} else if (ji(d, "answered"))
			buf_printf(&b, "* Support: answered by @%s. %s",
			    js(d, "by"), js(d, "text"));
		else
			buf_printf(&b, "* Support: %s", js(d, "text"));
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, "", 1);
	return b.data;
}

/* ---- what the commands read, kept from the room's events ---- */

/* Our hand, from our entry among the people here. */
static void
hand_update(void)
{
	json_t *p;
	size_t i;

	json_array_foreach(ppeople, i, p)
		if (strcmp(js(p, "handle"), me()) == 0)
			phand = ji(p, "hand") != 0;
}

/* room.join's result: the room as it is now. */
static void
track_joined(json_t *res)
{
	json_t *a;
	size_t i;

	json_decref(pstate);
	pstate = json_incref(json_object_get(res, "room"));
	json_decref(ppeople);
	ppeople = json_deep_copy(jarr(res, "people"));
	if (ppeople == NULL)
		ppeople = json_array();
	json_decref(palerts);
	palerts = json_array();
	json_array_foreach(json_object_get(res, "support"), i, a)
		room_alert_apply(palerts, a);
	phand = ji(json_object_get(res, "you"), "hand") != 0;
	pconsult = false;
}

/* A room event while we are in it; false when it put us out. */
static bool
track(const char *ev, json_t *d)
{
	if (strcmp(ev, "room.state") == 0) {
		if (ji(d, "closed") || ji(d, "removed"))
			return false;
		json_decref(pstate);
		pstate = json_incref(d);
	} else if (strcmp(ev, "room.presence") == 0) {
		room_people_apply(ppeople, d);
		hand_update();
	} else if (strcmp(ev, "room.consult") == 0)
		pconsult = ji(d, "active") != 0;
	else if (strcmp(ev, "room.support") == 0 &&
	    json_object_get(d, "handle") != NULL)
		room_alert_apply(palerts, d);
	return true;
}

void
plain_room_event(const char *ev, json_t *d)
{
	char *l;

	if (proom == 0 || ji(d, "room_id") != proom)
		return;
	l = describe(ev, d, me());
	if (l != NULL)
		plain_out("%s\n", l);
	free(l);
	if (!track(ev, d))
		proom = 0; /* out of the room */
}

/* ---- the line mode as a front end for the room's commands ---- */

static struct room_front *front_of(void);

/* Say text; a refused one is kept for /again. */
static void
say(const char *text)
{
	json_t *r = plain_call("room.say", json_pack("{s:I, s:s}", "room_id",
	    proom, "text", text[0] == '/' ? text + 1 : text));

	if (!json_is_true(json_object_get(r, "ok"))) {
		if (text != unsent)
			snprintf(unsent, sizeof unsent, "%s", text);
		plain_out("  Not sent: %s\n  \"/again\" sends it again.\n",
		    err_message(json_object_get(r, "error")));
	} else if (text == unsent)
		unsent[0] = '\0';
	json_decref(r);
}

static void
front_call(void *ctx, const char *op, json_t *args, const char *ok)
{
	(void)ctx;
	plain_do(op, args, ok != NULL ? ok : "Done.");
}

/* Ask on the next line; an empty line cancels what must not be blank. */
static void
front_ask(void *ctx, enum room_ask what, const char *handle,
    const char *initial)
{
	char prompt[600] = "", words[300], *text = NULL;

	(void)ctx;
	switch (what) {
	case ROOM_ASK_TOPIC:
		snprintf(prompt, sizeof prompt, "New topic (now “%s”; an "
		    "empty line clears it): ", initial != NULL ? initial : "");
		break;
	case ROOM_ASK_REASON:
		snprintf(prompt, sizeof prompt, "Remove @%s, because (they "
		    "see it; may be empty): ", handle);
		break;
	case ROOM_ASK_QUEUE:
		snprintf(prompt, sizeof prompt, "Join the queue: what would "
		    "you like help with (only hosts see it; empty cancels)? ");
		break;
	case ROOM_ASK_SUPPORT:
		snprintf(prompt, sizeof prompt, "I need support: a few words "
		    "for the hosts, or just Enter: ");
		break;
	case ROOM_ASK_SUMMARY:
		plain_out("  This room keeps only your summary. Closing it "
		    "closes the room for everyone (an empty text cancels).\n");
		text = plain_ask_text();
		break;
	case ROOM_ASK_LEAVE:
		room_command_consequence(pstate, js(g_me, "handle"),
		    ROOM_ASK_LEAVE, words, sizeof words);
		snprintf(prompt, sizeof prompt, "%s%sLeave the room? y/n: ",
		    words, words[0] ? ". " : "");
		break;
	case ROOM_ASK_CLOSE:
		room_command_consequence(pstate, js(g_me, "handle"),
		    ROOM_ASK_CLOSE, words, sizeof words);
		snprintf(prompt, sizeof prompt, "Close the room for everyone? "
		    "%s. y/n: ", words);
		break;
	case ROOM_ASK_HANDOVER:
		snprintf(prompt, sizeof prompt, "Hand hosting to @%s? You stop "
		    "hosting. y/n: ", handle);
		break;
	case ROOM_ASK_NONE:
		return;
	}
	if (text == NULL)
		text = xstrdup(plain_ask(prompt));
	if ((what == ROOM_ASK_QUEUE || what == ROOM_ASK_SUMMARY) &&
	    room_blank(text))
		plain_out("  Cancelled.\n");
	else
		room_command_answer(front_of(), what, handle, text);
	free(text);
}

static void
front_tell(void *ctx, bool refused, const char *msg)
{
	(void)ctx;
	(void)refused;
	plain_out("  %s\n", msg);
}

/* Who is here, one line. */
static void
people(void)
{
	json_t *p;
	size_t i;

	plain_out("Here (%zu):", json_array_size(ppeople));
	json_array_foreach(ppeople, i, p)
		plain_out("%s %s (@%s)%s%s%s", i ? "," : "", js(p,
		    "display_name"), js(p, "handle"), ji(p, "host") ? " host" :
		    "", ji(p, "muted") ? " muted" : "", ji(p, "hand") ?
		    " hand" : "");
	plain_out("\n");
}

static void
front_local(void *ctx, enum room_local what)
{
	struct buf b;
	char *text;

	(void)ctx;
	switch (what) {
	case ROOM_HELP:
		buf_init(&b);
		buf_puts(&b, "  A line is said to the room (a pasted block "
		    "goes as one message); /leave goes back to the menu.\n");
		room_command_help(&b, false);
		buf_append(&b, "", 1);
		plain_out("%s", b.data);
		buf_free(&b);
		break;
	case ROOM_LEAVE:
		plain_do("room.leave", json_pack("{s:I}", "room_id", proom),
		    "You left the room.");
		proom = 0;
		break;
	case ROOM_PEOPLE:
		people();
		break;
	case ROOM_MULTI:
		text = plain_ask_text();
		if (!room_blank(text))
			say(text);
		free(text);
		break;
	case ROOM_AGAIN:
		if (unsent[0] == '\0')
			plain_out("  No message was refused: there is nothing "
			    "to send again.\n");
		else
			say(unsent);
		break;
	}
}

static struct room_front front = {
	.call = front_call,
	.ask = front_ask,
	.tell = front_tell,
	.local = front_local,
};

/* The front end, brought up to date for a command. */
static struct room_front *
front_of(void)
{
	front.room_id = proom;
	front.state = pstate;
	front.alerts = palerts;
	front.hand = phand;
	front.consult = pconsult;
	return &front;
}

/* ---- the room, line by line ---- */

/* One line typed in a room: said, or a /command. */
static void
room_line(const char *line)
{
	if (line[0] == '\0')
		return;
	if (line[0] == '/' && line[1] != '/')
		room_command_run(front_of(), line);
	else
		say(line);
}

static bool
out_of_room(void)
{
	return proom == 0;
}

void
plain_room(json_int_t id)
{
	json_t *r = plain_call("room.join", json_pack("{s:I}", "room_id", id));
	json_t *res = plain_result(r), *m;
	char in[UNSENT_MAX], *l;
	size_t i;
	ssize_t n;

	if (res == NULL) {
		json_decref(r);
		return;
	}
	l = describe("room.joined", res, me());
	plain_out("\n%s\n", l);
	free(l);
	json_array_foreach(json_object_get(res, "history"), i, m) {
		l = describe("room.message", m, me());
		plain_out("%s\n", l);
		free(l);
	}
	json_array_foreach(json_object_get(res, "support"), i, m) {
		l = describe("room.support", m, me());
		if (l != NULL)
			plain_out("%s\n", l);
		free(l);
	}
	track_joined(res);
	json_decref(r);
	proom = id;
	plain_out("Type a line and Enter to say it; /help lists the commands, "
	    "/leave leaves.\n");
	while (plain_wait_input(out_of_room)) {
		/* a line, or a pasted block read at once: one message */
		if ((n = read(0, in, sizeof in - 1)) <= 0)
			exit(0);
		while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
			n--;
		in[n] = '\0';
		room_line(in);
	}
	proom = 0;
}

void
plain_room_list(void)
{
	json_t *r = plain_call("room.list", NULL), *res = plain_result(r), *x;
	size_t i;
	char *s;

	if (res == NULL) {
		json_decref(r);
		return;
	}
	if (json_array_size(jarr(res, "rooms")) == 0)
		plain_out("  No rooms are open now.\n");
	json_array_foreach(jarr(res, "rooms"), i, x)
		plain_out("  %zu. %s%s%s (room %lld, %lld here, record: "
		    "%s)\n", i + 1, js(x, "title"),
		    js(x, "topic")[0] ? " — " : "", js(x, "topic"),
		    (long long)ji(x, "room_id"), (long long)ji(x, "present"),
		    js(x, "record"));
	s = plain_ask("Number to join, 0 back: ");
	x = json_array_get(jarr(res, "rooms"), (size_t)(atoi(s) - 1));
	if (atoi(s) > 0 && x != NULL) {
		json_int_t id = ji(x, "room_id");
		json_decref(r);
		plain_room(id);
		return;
	}
	json_decref(r);
}

/* The server's ISO 8601 time, spoken in the member's zone (when.c). */
static const char *
human(const char *iso, char out[80])
{
	when_spoken_iso(iso, out, 80);
	return out;
}

/* One record under review: its lines, numbered, and what to do. */
static void
record_review(json_int_t room_id)
{
	char due[80];

	json_t *r, *res, *x;
	size_t i, n;
	char *s;
	long k;

	for (;;) {
		r = plain_call("room.record.get", json_pack("{s:I}", "room_id",
		    room_id));
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		x = json_object_get(res, "record");
		if (json_is_true(json_object_get(x, "published"))) {
			plain_out("\nThe record of \"%s\" is published now.\n",
			    js(x, "title"));
			json_decref(r);
			return;
		}
		plain_out("\nRecord of \"%s\" (%s). Only its hosts and the "
		    "community's managers see it until it is published; it is "
		    "published as it stands on %s.%s\n", js(x, "title"),
		    js(x, "record"), human(js(x, "review_until"), due),
		    strcmp(js(x, "record"), "chatham") == 0 ? " Lines show "
		    "what is published: no name of anyone who was there." :
		    "");
		n = json_array_size(json_object_get(res, "lines"));
		json_array_foreach(json_object_get(res, "lines"), i, x) {
			plain_out("  %zu. %s%s%s%s%s\n", i + 1,
			    json_is_true(json_object_get(x, "dropped")) ?
			    "[dropped] " : "", js(x, "display_name"),
			    js(x, "display_name")[0] ? ": " : "",
			    json_is_string(json_object_get(x, "as_published")) ?
			    js(x, "as_published") : js(x, "text"),
			    json_is_true(json_object_get(x, "edited")) ?
			    " (edited)" : "");
		}
		if (n == 0)
			plain_out("  Nothing was said that the record keeps.\n");
		s = plain_ask("d N drops or keeps line N, e N rewords it, p "
		    "publishes now, 0 back: ");
		if ((s[0] == 'd' || s[0] == 'e') && (k = atol(s + 1)) >= 1 &&
		    (size_t)k <= n) {
			json_int_t line = ji(json_array_get(json_object_get(res,
			    "lines"), (size_t)k - 1), "id");
			bool dropped = json_is_true(json_object_get(
			    json_array_get(json_object_get(res, "lines"),
			    (size_t)k - 1), "dropped"));

			if (s[0] == 'd')
				plain_do("room.record.edit", json_pack("{s:I, "
				    "s:I, s:b}", "room_id", room_id, "line_id",
				    line, "drop", !dropped), dropped ?
				    "Kept." : "Dropped from the record.");
			else {
				char *text;

				plain_out("The line as the record should keep "
				    "it (empty cancels).\n");
				text = plain_ask_text();
				for (size_t e = text ? strlen(text) : 0; e > 0 &&
				    (text[e - 1] == '\n' || text[e - 1] == ' ');)
					text[--e] = '\0';
				if (text != NULL && text[0] != '\0')
					plain_do("room.record.edit", json_pack(
					    "{s:I, s:I, s:s}", "room_id",
					    room_id, "line_id", line, "body",
					    text), "Reworded.");
				free(text);
			}
		} else if (s[0] == 'p') {
			s = plain_ask("Publish it to the community now? y/n: ");
			if (s[0] == 'y' || s[0] == 'Y')
				plain_do("room.record.publish", json_pack(
				    "{s:I}", "room_id", room_id), "Published "
				    "to the community.");
		} else if (s[0] == '0' || s[0] == 'q' || s[0] == '\0') {
			json_decref(r);
			return;
		} else
			plain_out("  Not understood: \"d 3\" drops line 3, \"e 3\" "
			    "rewords it, \"p\" publishes, 0 goes back (lines "
			    "1 to %zu).\n", n);
		json_decref(r);
	}
}

void
plain_room_records(void)
{
	json_t *r, *res, *a, *x;
	size_t i;
	long k;
	char *s;

	for (;;) {
		r = plain_call("room.records", NULL);
		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "records");
		if (json_array_size(a) == 0) {
			plain_out("\nNo room records wait for your review.\n");
			json_decref(r);
			return;
		}
		plain_out("\nRoom records waiting for your review:\n");
		json_array_foreach(a, i, x) {
			char due[80], opened[80];

			plain_out("  %zu. %s (%s), opened %s; published as it "
			    "stands on %s\n", i + 1, js(x, "title"),
			    js(x, "record"), human(js(x, "opened_at"), opened),
			    human(js(x, "review_until"), due));
		}
		s = plain_ask("Number to review, 0 back: ");
		k = atol(s);
		if (k < 1 || (size_t)k > json_array_size(a)) {
			json_decref(r);
			return;
		}
		record_review(ji(json_array_get(a, (size_t)k - 1), "room_id"));
		json_decref(r);
	}
}
