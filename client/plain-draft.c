/*
 * plain-draft.c: the line mode's drafts. Writing a thread or a reply keeps
 * what is typed on the server line by line (draft.save under the same key
 * as the TUI's composer), so a dropped link loses nothing and the TUI or
 * another connection offers the same draft; composing again offers it
 * here. "D" on the main menu lists the drafts (draft.list).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "client.h"

/* More typed (or pasted) input waiting already: no save between lines. */
static bool
input_waiting(void)
{
	struct pollfd pf = { 0, POLLIN, 0 };

#ifdef __GLIBC__
	if (stdin->_IO_read_ptr < stdin->_IO_read_end)
		return true;
#endif
	return poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN) != 0;
}

static void
save(const char *key, const char *title, const char *body)
{
	json_decref(plain_call("draft.save", json_pack("{s:s, s:s, s:s}",
	    "key", key, "title", title != NULL ? title : "", "body", body)));
}

void
plain_draft_sent(const char *key)
{
	json_decref(plain_call("draft.save", json_pack("{s:s}", "key", key)));
}

char *
plain_compose(const char *key, char *title, size_t tlen)
{
	json_t *r = plain_call("draft.get", json_pack("{s:s}", "key", key));
	json_t *d = json_object_get(json_object_get(r, "result"), "draft");
	struct buf b;
	char *l;
	bool kept = false;

	buf_init(&b);
	if (json_is_object(d) && (js(d, "body")[0] || js(d, "title")[0])) {
		const char *a;

		/* said as every time is, and read as plain indented text */
		plain_out("You have an unsent draft here, kept on the server, "
		    "saved %s. It reads:\n", when_say(js(d, "updated_at")));
		if (title != NULL && js(d, "title")[0])
			plain_out("  Title: %s\n", js(d, "title"));
		plain_print_md(js(d, "body"), "  ");
		plain_out("(End of the draft.)\n");
		a = plain_ask("c to continue it, s to start afresh (it is "
		    "thrown away): ");
		if (a[0] != 's') {
			kept = true;
			buf_puts(&b, js(d, "body"));
			if (title != NULL)
				snprintf(title, tlen, "%s", js(d, "title"));
		} else
			plain_draft_sent(key);
	}
	json_decref(r);
	if (title != NULL && title[0] == '\0') {
		snprintf(title, tlen, "%s", plain_ask("Title: "));
		if (title[0] != '\0')
			save(key, title, "");
	}
	if (kept)
		plain_out("Go on writing: each line is added to the draft. End "
		    "with a line holding only a full stop.\n");
	else
		plain_out("Write your text (Markdown). Each line is kept as a "
		    "draft as you go. End with a line holding only a full "
		    "stop.\n");
	for (;;) {
		l = plain_ask("");
		if (strcmp(l, ".") == 0)
			break;
		buf_puts(&b, l);
		buf_puts(&b, "\n");
		if (!input_waiting()) { /* a pause: keep what is typed */
			buf_append(&b, "", 1);
			b.len--;
			save(key, title, b.data);
		}
	}
	buf_append(&b, "", 1);
	return b.data;
}

/* The drafts: each one's target and start; a number throws it away. */
/* Where a draft was written, in words. */
static void
draft_where(json_t *d, char *out, size_t len)
{
	const char *key = js(d, "key");
	const char *arg = strchr(key, ':') ? strchr(key, ':') + 1 : "";

	if (strncmp(key, "reply:", 6) == 0 && js(d, "thread_title")[0]) {
		/* its thread by title, on one line */
		char *tt = snippet_clean(js(d, "thread_title"));

		snprintf(out, len, "a reply in \"%s\"", tt);
		free(tt);
	} else if (strncmp(key, "reply:", 6) == 0)
		snprintf(out, len, "a reply in thread %s", arg);
	else if (strncmp(key, "thread:", 7) == 0)
		snprintf(out, len, "a new thread in %s", arg);
	else if (strncmp(key, "message:", 8) == 0)
		snprintf(out, len, "a private message");
	else if (strncmp(key, "room:", 5) == 0)
		snprintf(out, len, "a line in room %s", arg);
	else if (strcmp(key, "profile") == 0)
		snprintf(out, len, "your profile");
	else if (strncmp(key, "form:", 5) == 0)
		snprintf(out, len, "a form");
	else
		snprintf(out, len, "%s", key);
}

/* Go where a draft was written: there it is offered again. */
static void
draft_open(const char *key)
{
	const char *arg = strchr(key, ':') ? strchr(key, ':') + 1 : "";

	if (strncmp(key, "reply:", 6) == 0)
		plain_thread(atoll(arg)); /* r offers the draft */
	else if (strncmp(key, "thread:", 7) == 0)
		plain_community(arg); /* n offers it */
	else if (strncmp(key, "message:", 8) == 0)
		plain_messages();
	else if (strncmp(key, "room:", 5) == 0)
		plain_room(atoll(arg));
	else
		plain_out("Open the screen it was written on to go on with "
		    "it.\n");
}

void
plain_drafts(void)
{
	for (;;) {
		json_t *r = plain_call("draft.list", NULL), *res, *a, *d;
		size_t i;
		char *s;

		if ((res = plain_result(r)) == NULL) {
			json_decref(r);
			return;
		}
		a = json_object_get(res, "drafts");
		if (json_array_size(a) == 0) {
			plain_out("No drafts: everything you wrote was sent.\n");
			json_decref(r);
			return;
		}
		plain_out("\nYour unsent drafts (newest first). A number goes "
		    "where it was written, where it is offered again.\n");
		json_array_foreach(a, i, d) {
			char where[160];

			draft_where(d, where, sizeof where);
			char *pre = plain_preview(js(d, "preview"),
			    PLAIN_PREVIEW);

			plain_out("  %zu. %s%s%s: %s (%s)\n", i + 1, where,
			    js(d, "title")[0] ? ", " : "", js(d, "title"),
			    pre, when_say(js(d, "updated_at")));
			free(pre);
		}
		s = plain_ask("Number to go on with it, x N throws draft N away, "
		    "Enter goes back: ");
		if (atoi(s) > 0 && (d = json_array_get(a, (size_t)atoi(s) -
		    1)) != NULL) {
			char *key = xstrdup(js(d, "key"));

			json_decref(r);
			draft_open(key);
			free(key);
			continue;
		}
		if (s[0] == 'x' && (d = json_array_get(a, (size_t)atoi(s + 1) -
		    1)) != NULL) {
			plain_draft_sent(js(d, "key"));
			plain_out("Thrown away.\n");
			json_decref(r);
			continue;
		}
		json_decref(r);
		return;
	}
}
