/*
 * room-command.c: a room's /commands, one table for both front ends: the
 * room screen (room.c, room-key.c) and the line mode (plain-room.c). Each
 * entry has its name, its arguments and help (the help both front ends
 * show is made from the table) and a handler that turns what was typed
 * into a call to the server, a question for what is missing, or an action
 * only the front end can do (help, leave, the people here, several lines,
 * send again). The room screen's keys run the same entries (F3 is
 * /hand, m on the people list is /mute), so a key and its command cannot
 * drift apart.
 *
 * A front end fills its struct room_front before each room_command_* call
 * and answers through its hooks; the command never outlives the call. A
 * handler does nothing after front->local(ROOM_LEAVE): the front end may
 * be gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

struct room_command {
	const char *name;
	const char *alias;
	const char *args; /* as help shows them */
	const char *help;
	bool host; /* for hosts: help lists these apart */
	void (*run)(struct room_front *, const char *name, const char *rest);
};

/* The room's arguments, {room_id}, to add to. */
static json_t *
args_of(struct room_front *f)
{
	return json_pack("{s:I}", "room_id", f->room_id);
}

/* Take the next word of *p into out (without a leading '@'). */
static void
next_word(const char **p, char *out, size_t len)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	e = s;
	while (*e != '\0' && *e != ' ')
		e++;
	if (*s == '@')
		s++;
	snprintf(out, len, "%.*s", (int)(e - s), s);
	while (*e == ' ')
		e++;
	*p = e;
}

/* A handle from rest, or false after asking whom. */
static bool
whom(struct room_front *f, const char *name, const char **rest,
    char *out, size_t len)
{
	char msg[200];

	next_word(rest, out, len);
	if (out[0] != '\0')
		return true;
	snprintf(msg, sizeof msg, "Whom? /%s HANDLE (/people shows who is "
	    "here).", name);
	f->tell(f->ctx, true, msg);
	return false;
}

/* ---- the handlers ---- */

static void
cmd_local(struct room_front *f, const char *name, const char *rest)
{
	(void)rest;
	if (strcmp(name, "help") == 0)
		f->local(f->ctx, ROOM_HELP);
	else if (strcmp(name, "leave") == 0) {
		char words[240];

		/* the last host is asked first: the room goes on without them */
		room_command_consequence(f->state, js(g_me, "handle"),
		    ROOM_ASK_LEAVE, words, sizeof words);
		if (words[0] != '\0')
			f->ask(f->ctx, ROOM_ASK_LEAVE, NULL, NULL);
		else
			f->local(f->ctx, ROOM_LEAVE);
	}
	else if (strcmp(name, "people") == 0)
		f->local(f->ctx, ROOM_PEOPLE);
	else if (strcmp(name, "multi") == 0)
		f->local(f->ctx, ROOM_MULTI);
	else if (strcmp(name, "again") == 0)
		f->local(f->ctx, ROOM_AGAIN);
}

/* /hand raises or lowers it; /lower only lowers. */
static void
cmd_hand(struct room_front *f, const char *name, const char *rest)
{
	bool raise = strcmp(name, "hand") == 0 && !f->hand;
	json_t *a = args_of(f);

	(void)rest;
	json_object_set_new(a, "raised", json_boolean(raise));
	f->call(f->ctx, "room.raise_hand", a, raise ? "Hand raised: the "
	    "hosts can see it." : "Hand lowered.");
}

static void
cmd_queue(struct room_front *f, const char *name, const char *rest)
{
	(void)name;
	if (f->state != NULL && !ji(f->state, "surgery"))
		/* before asking what for: a drop-in has no queue */
		f->tell(f->ctx, true, "This room is not a surgery: it has no "
		    "queue. Say what you would like help with in the room, or "
		    "/support to reach the hosts privately.");
	else if (rest[0] == '\0')
		f->ask(f->ctx, ROOM_ASK_QUEUE, NULL, NULL);
	else
		room_command_answer(f, ROOM_ASK_QUEUE, NULL, rest);
}

static void
cmd_unqueue(struct room_front *f, const char *name, const char *rest)
{
	(void)name;
	(void)rest;
	f->call(f->ctx, "room.queue_leave", args_of(f), "You left the queue.");
}

static void
cmd_support(struct room_front *f, const char *name, const char *rest)
{
	(void)name;
	if (rest[0] == '\0')
		f->ask(f->ctx, ROOM_ASK_SUPPORT, NULL, NULL);
	else
		room_command_answer(f, ROOM_ASK_SUPPORT, NULL, rest);
}

static void
cmd_end(struct room_front *f, const char *name, const char *rest)
{
	(void)name;
	(void)rest;
	if (!f->consult)
		f->tell(f->ctx, false, "You are not in a private consult.");
	else
		f->call(f->ctx, "room.consult_end", args_of(f), NULL);
}

static void
cmd_topic(struct room_front *f, const char *name, const char *rest)
{
	(void)name;
	if (rest[0] == '\0')
		f->ask(f->ctx, ROOM_ASK_TOPIC, NULL, js(f->state, "topic"));
	else
		room_command_answer(f, ROOM_ASK_TOPIC, NULL, rest);
}

static void
cmd_pause(struct room_front *f, const char *name, const char *rest)
{
	bool pause = strcmp(name, "pause") == 0;
	json_t *a = args_of(f);

	(void)rest;
	json_object_set_new(a, "paused", json_boolean(pause));
	f->call(f->ctx, "room.pause", a, pause ? "Paused." : "Resumed.");
}

static void
cmd_mute(struct room_front *f, const char *name, const char *rest)
{
	bool mute = strcmp(name, "mute") == 0;
	char handle[64];
	json_t *a;

	if (!whom(f, name, &rest, handle, sizeof handle))
		return;
	a = args_of(f);
	json_object_set_new(a, "handle", json_string(handle));
	json_object_set_new(a, "muted", json_boolean(mute));
	f->call(f->ctx, "room.mute", a, mute ? "Muted." : "Unmuted.");
}

/* /remove HANDLE REASON; without a reason it asks (they see it). */
static void
cmd_remove(struct room_front *f, const char *name, const char *rest)
{
	char handle[64];

	if (!whom(f, name, &rest, handle, sizeof handle))
		return;
	if (rest[0] == '\0')
		f->ask(f->ctx, ROOM_ASK_REASON, handle, NULL);
	else
		room_command_answer(f, ROOM_ASK_REASON, handle, rest);
}

/* /host shares hosting; /handover hands it over, after asking. */
static void
cmd_host(struct room_front *f, const char *name, const char *rest)
{
	char handle[64];
	json_t *a;

	if (!whom(f, name, &rest, handle, sizeof handle))
		return;
	if (strcmp(name, "handover") == 0) {
		f->ask(f->ctx, ROOM_ASK_HANDOVER, handle, NULL);
		return;
	}
	a = args_of(f);
	json_object_set_new(a, "handle", json_string(handle));
	f->call(f->ctx, "room.host", a, "Hosting shared.");
}

/* /take [HANDLE] [private] [transcript]: the first when no handle. */
static void
cmd_take(struct room_front *f, const char *name, const char *rest)
{
	bool private = false, transcript = false;
	char who[64] = "", word[64];
	json_t *a = args_of(f);

	(void)name;
	while (*rest != '\0') {
		next_word(&rest, word, sizeof word);
		if (strcmp(word, "private") == 0)
			private = true;
		else if (strcmp(word, "transcript") == 0)
			private = transcript = true;
		else
			snprintf(who, sizeof who, "%s", word);
	}
	if (who[0] != '\0')
		json_object_set_new(a, "handle", json_string(who));
	if (private) {
		json_object_set_new(a, "private", json_true());
		json_object_set_new(a, "record", json_string(transcript ?
		    "transcript" : "off"));
	}
	f->call(f->ctx, "room.queue_take", a, private ? "Taken into a private "
	    "consult: Ctrl-X or /end returns to the room." : NULL);
}

/*
 * /answer [HANDLE or ID]: the support request with that number, or the
 * first unanswered one (from HANDLE). It is marked answered at once.
 */
static void
cmd_answer(struct room_front *f, const char *name, const char *rest)
{
	char word[64];
	json_int_t id = 0;
	json_t *al = NULL, *a;
	size_t i;

	(void)name;
	next_word(&rest, word, sizeof word);
	if (word[0] != '\0' && strspn(word, "0123456789") == strlen(word))
		id = atoll(word);
	json_array_foreach(f->alerts, i, al) {
		if (id != 0 ? ji(al, "support_id") == id : !ji(al,
		    "answered") && (word[0] == '\0' || strcmp(js(al, "handle"),
		    word) == 0))
			break;
	}
	if (id == 0 && i == json_array_size(f->alerts)) {
		f->tell(f->ctx, false, "No support request is waiting.");
		return;
	}
	if (i < json_array_size(f->alerts))
		json_object_set_new(al, "answered", json_true());
	a = args_of(f);
	json_object_set_new(a, "support_id", json_integer(id != 0 ? id :
	    ji(al, "support_id")));
	f->call(f->ctx, "room.support_answer", a, "Answered: they have been "
	    "told a host will be with them.");
}

/*
 * /close asks first; a summary room asks for the summary instead, unless
 * it was written after the command.
 */
static void
cmd_close(struct room_front *f, const char *name, const char *rest)
{
	(void)name;
	if (strcmp(js(f->state, "record"), "summary") != 0)
		f->ask(f->ctx, ROOM_ASK_CLOSE, NULL, NULL);
	else if (rest[0] == '\0')
		f->ask(f->ctx, ROOM_ASK_SUMMARY, NULL, NULL);
	else
		room_command_answer(f, ROOM_ASK_SUMMARY, NULL, rest);
}

static const struct room_command commands[] = {
	{ "help", "?", "", "this list of commands", false, cmd_local },
	{ "leave", "quit", "", "leave the room", false, cmd_local },
	{ "people", NULL, "", "who is here", false, cmd_local },
	{ "hand", NULL, "", "raise your hand, or lower it", false, cmd_hand },
	{ "lower", NULL, "", "lower your hand", false, cmd_hand },
	{ "queue", NULL, "[TOPIC]", "a surgery: join the queue, saying what "
	    "you would like help with", false, cmd_queue },
	{ "unqueue", NULL, "", "leave the queue", false, cmd_unqueue },
	{ "support", NULL, "[TEXT]", "I need support: tells the hosts "
	    "privately (staff if no host answers)", false, cmd_support },
	{ "end", NULL, "", "end your private consult", false, cmd_end },
	{ "multi", NULL, "", "write a message of several lines", false,
	    cmd_local },
	{ "again", NULL, "", "send the last refused message again", false,
	    cmd_local },
	{ "topic", NULL, "[TEXT]", "set the topic (empty clears it)", true,
	    cmd_topic },
	{ "pause", NULL, "", "only hosts may speak until /resume", true,
	    cmd_pause },
	{ "resume", NULL, "", "everyone may speak again", true, cmd_pause },
	{ "mute", NULL, "HANDLE", "stop someone speaking", true, cmd_mute },
	{ "unmute", NULL, "HANDLE", "let them speak again", true, cmd_mute },
	{ "remove", NULL, "HANDLE [REASON]", "remove someone from the room; "
	    "they see the reason", true, cmd_remove },
	{ "host", NULL, "HANDLE", "share hosting", true, cmd_host },
	{ "handover", NULL, "HANDLE", "hand hosting over (asks first)", true,
	    cmd_host },
	{ "take", NULL, "[HANDLE] [private|transcript]", "take the next "
	    "person in the queue (or HANDLE) in public, or into a private "
	    "consult: nothing kept, or a transcript kept privately", true,
	    cmd_take },
	{ "answer", NULL, "[HANDLE|ID]", "answer a support request (the "
	    "first waiting)", true, cmd_answer },
	{ "close", NULL, "[SUMMARY]", "close the room for everyone (asks "
	    "first; a summary room needs the summary)", true, cmd_close },
};

static const struct room_command *
lookup(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0 || (commands[i].alias !=
		    NULL && strcmp(commands[i].alias, name) == 0))
			return &commands[i];
	return NULL;
}

void
room_command_exec(struct room_front *f, const char *name, const char *rest)
{
	const struct room_command *c = lookup(name);

	if (c != NULL)
		c->run(f, c->name, rest != NULL ? rest : "");
}

bool
room_command_run(struct room_front *f, const char *line)
{
	char name[32], msg[200];
	const char *rest = line[0] == '/' ? line + 1 : line;
	const struct room_command *c;

	next_word(&rest, name, sizeof name);
	if ((c = lookup(name)) == NULL) {
		snprintf(msg, sizeof msg, "There is no command /%s: /help "
		    "lists them (start with // to send a line beginning with "
		    "/).", name);
		f->tell(f->ctx, true, msg);
		return false;
	}
	c->run(f, c->name, rest);
	return true;
}

void
room_command_answer(struct room_front *f, enum room_ask what,
    const char *handle, const char *text)
{
	bool yes = text[0] == 'y' || text[0] == 'Y';
	json_t *a;

	switch (what) {
	case ROOM_ASK_TOPIC:
		a = args_of(f);
		json_object_set_new(a, "topic", json_string(text));
		f->call(f->ctx, "room.topic", a, "Topic set.");
		break;
	case ROOM_ASK_REASON:
		a = args_of(f);
		json_object_set_new(a, "handle", json_string(handle));
		if (text[0] != '\0')
			json_object_set_new(a, "reason", json_string(text));
		f->call(f->ctx, "room.remove", a, "Removed from the room.");
		break;
	case ROOM_ASK_QUEUE:
		if (room_blank(text)) {
			f->tell(f->ctx, true, "Say in a few words what you "
			    "would like help with.");
			f->ask(f->ctx, what, NULL, NULL);
			break;
		}
		a = args_of(f);
		json_object_set_new(a, "topic", json_string(text));
		f->call(f->ctx, "room.queue_join", a, "You are in the queue.");
		break;
	case ROOM_ASK_SUPPORT:
		a = args_of(f);
		if (!room_blank(text))
			json_object_set_new(a, "text", json_string(text));
		f->call(f->ctx, "room.support", a, "The hosts have been "
		    "told, privately.");
		break;
	case ROOM_ASK_SUMMARY:
		if (room_blank(text)) {
			f->tell(f->ctx, true, "This room keeps only your "
			    "summary: write it first.");
			f->ask(f->ctx, what, NULL, NULL);
			break;
		}
		a = args_of(f);
		json_object_set_new(a, "summary", json_string(text));
		f->call(f->ctx, "room.close", a, NULL);
		break;
	case ROOM_ASK_LEAVE:
		if (yes)
			f->local(f->ctx, ROOM_LEAVE); /* f may be gone */
		break;
	case ROOM_ASK_CLOSE:
		if (yes)
			f->call(f->ctx, "room.close", args_of(f), NULL);
		break;
	case ROOM_ASK_HANDOVER:
		if (!yes)
			break;
		a = args_of(f);
		json_object_set_new(a, "handle", json_string(handle));
		json_object_set_new(a, "hand_over", json_true());
		f->call(f->ctx, "room.host", a, "Hosting handed over.");
		break;
	case ROOM_ASK_NONE:
		break;
	}
}

void
room_command_help(struct buf *b, bool markdown)
{
	for (int hosts = 0; hosts < 2; hosts++) {
		if (markdown)
			buf_puts(b, hosts ? "\n\n**Commands for hosts**:\n\n" :
			    "**Commands** (type them and Enter):\n\n");
		else
			buf_puts(b, hosts ? "  Hosts:\n" : "  Commands:\n");
		for (size_t i = 0; i < sizeof commands / sizeof commands[0];
		    i++) {
			const struct room_command *c = &commands[i];
			char use[80];
			if (c->host != (hosts == 1))
				continue;
			snprintf(use, sizeof use, "/%s%s%s", c->name,
			    c->args[0] ? " " : "", c->args);
			if (markdown)
				buf_printf(b, "- `%s`%s%s%s: %s\n", use,
				    c->alias ? " or `/" : "", c->alias ?
				    c->alias : "", c->alias ? "`" : "",
				    c->help);
			else
				buf_printf(b, "    %-32s %s%s%s\n", use,
				    c->help, c->alias ? "; also /" : "",
				    c->alias ? c->alias : "");
		}
	}
	buf_puts(b, markdown ? "\nStart a message with `//` to send a line "
	    "beginning with `/`." : "  \"//text\" says a line beginning with "
	    "/.\n");
}

/*
 * What leaving or closing means for the room, in words both front ends
 * show with their y/n question: state is the room (hosts, record,
 * idle_close), me the member's handle.
 */
void
room_command_consequence(json_t *state, const char *me, enum room_ask what,
    char *out, size_t len)
{
	const char *rec = js(state, "record");
	json_t *h;
	size_t i;
	bool me_host = false, other = false;
	json_int_t idle = ji(state, "idle_close");

	*out = '\0';
	if (what == ROOM_ASK_CLOSE) {
		snprintf(out, len, "%s", strcmp(rec, "off") == 0 ? "Nothing is "
		    "kept" : strcmp(rec, "summary") == 0 ? "Your summary is "
		    "posted" : "Its record is reviewed by the hosts, then "
		    "posted");
		return;
	}
	if (what != ROOM_ASK_LEAVE)
		return;
	json_array_foreach(jarr(state, "hosts"), i, h) {
		if (strcmp(js(h, "handle"), me) == 0)
			me_host = true;
		else if (json_is_true(json_object_get(h, "present")))
			other = true;
	}
	if (!me_host || other)
		return;
	if (idle > 0 && idle % 60 == 0)
		snprintf(out, len, "Last host: it closes by itself after %lld "
		    "min without one", (long long)(idle / 60));
	else if (idle > 0)
		snprintf(out, len, "Last host: it closes by itself after %lld "
		    "s without one", (long long)idle);
	else
		snprintf(out, len, "Last host: it stays open without one");
}
