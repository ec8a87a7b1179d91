/*
 * plain.c: the line mode (hearth --plain, or TERM=dumb). Every function as
 * numbered menus and plain text, one prompt at a time, for screen readers
 * and dumb terminals. Calls wait for their reply; events that arrive
 * meanwhile are printed as lines ("New: ...").
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "client.h"

static int sfd = -1;
static struct frame pin;
static json_int_t pid = 1;
static json_t *me;
static json_int_t proom; /* the room shown line by line (room.c) */

static void
out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print with control characters made harmless. */
static void
out(const char *fmt, ...)
{
	va_list ap;
	char *s, *c;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	c = xstrdup(s);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			*p = '?';
	fputs(c, stdout);
	fflush(stdout);
	free(s);
	free(c);
}

static json_t *
pread_msg(void)
{
	char buf[8192], *line;
	size_t len;
	ssize_t n;
	json_error_t jerr;

	for (;;) {
		switch (frame_next(&pin, &line, &len)) {
		case FRAME_LINE:
			return json_loadb(line, len, 0, &jerr);
		case FRAME_TOO_LARGE:
			return NULL;
		case FRAME_MORE:
			break;
		}
		n = read(sfd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		frame_feed(&pin, buf, (size_t)n);
	}
}

static void
pevent(json_t *msg)
{
	const char *ev = js(msg, "event");
	json_t *d = json_object_get(msg, "data");

	if (strcmp(ev, "session.ended") == 0) {
		out("\nYour Hearth membership was removed on %s.\nReason: "
		    "%s\n", js(d, "at"), js(d, "reason"));
		exit(1);
	}
	if (strcmp(ev, "server.shutdown") == 0) {
		out("\n%s\n", js(d, "message"));
		exit(0);
	}
	if (strcmp(ev, "notify.new") == 0)
		out("\nNew: %s\n", js(d, "text"));
	else if (strcmp(ev, "thread.new_post") == 0)
		out("\nNew post in a thread you follow.\n");
	else if (strncmp(ev, "room.", 5) == 0 && proom != 0 &&
	    ji(d, "room_id") == proom) {
		char *l = room_describe(ev, d, js(me, "handle"));
		if (l != NULL)
			out("%s\n", l);
		free(l);
		if (strcmp(ev, "room.state") == 0 && (ji(d, "closed") ||
		    ji(d, "removed")))
			proom = 0; /* out of the room */
	}
}

/* Call and wait; returns the reply (result or error inside) or exits. */
static json_t *
pcall(const char *op, json_t *args)
{
	json_t *req, *msg;
	char *line;
	size_t len;
	json_int_t id = pid++;

	req = json_pack("{s:I, s:s, s:o}", "id", id, "op", op, "args",
	    args != NULL ? args : json_object());
	line = json_line(req);
	json_decref(req);
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	if (write(sfd, line, len) != (ssize_t)len) {
		out("\nThe connection to the server was lost.\n");
		exit(1);
	}
	free(line);
	while ((msg = pread_msg()) != NULL) {
		if (json_integer_value(json_object_get(msg, "id")) == id)
			return msg;
		pevent(msg);
		json_decref(msg);
	}
	out("\nThe connection to the server was lost.\n");
	exit(1);
}

/* The result, or NULL after printing the error. */
static json_t *
presult(json_t *reply)
{
	if (json_is_true(json_object_get(reply, "ok")))
		return json_object_get(reply, "result");
	out("  %s\n", err_message(json_object_get(reply, "error")));
	return NULL;
}

/* Call for effect: print okmsg or the error. */
static void
pdo(const char *op, json_t *args, const char *okmsg)
{
	json_t *r = pcall(op, args);

	if (presult(r) != NULL)
		out("  %s\n", okmsg);
	json_decref(r);
}

static char *
ask(const char *prompt)
{
	static char line[4096];
	size_t n;

	out("%s", prompt);
	if (fgets(line, sizeof line, stdin) == NULL)
		exit(0);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Read a multi-line text ending with a line holding only ".". */
static char *
ask_text(void)
{
	struct buf b;
	char *l;

	out("Write your text (Markdown). End with a line holding only a "
	    "full stop.\n");
	buf_init(&b);
	for (;;) {
		l = ask("");
		if (strcmp(l, ".") == 0)
			break;
		buf_puts(&b, l);
		buf_puts(&b, "\n");
	}
	buf_append(&b, "", 1);
	return b.data;
}

static json_t *
arr(json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key), *v;
	const char *k;

	if (json_is_array(a))
		return a;
	json_object_foreach(o, k, v)
		if (json_is_array(v))
			return v;
	return NULL;
}

static void
print_md(const char *md, const char *indent)
{
	struct rdoc d;

	rdoc_init(&d);
	render_markdown(&d, md, strlen(md), 76);
	for (size_t i = 0; i < d.n; i++)
		out("%s%s\n", indent, d.lines[i].text);
	rdoc_free(&d);
}

/* The body of a post with every line quoted ("> "), then a blank line. */
static char *
quoted(const char *body)
{
	struct buf b;
	const char *nl;

	buf_init(&b);
	while (*body != '\0') {
		nl = strchr(body, '\n');
		buf_puts(&b, "> ");
		buf_append(&b, body, nl != NULL ? (size_t)(nl - body) :
		    strlen(body));
		buf_puts(&b, "\n");
		if (nl == NULL)
			break;
		body = nl + 1;
	}
	buf_puts(&b, "\n");
	buf_append(&b, "", 1);
	return b.data;
}

static void
show_thread(json_int_t id)
{
	json_t *r, *res, *th, *posts, *p, *next;
	json_int_t after = 0, first = 1;
	size_t i;
	char *s, *body, *q, *all;

	for (;;) {
		r = pcall("thread.get", json_pack("{s:I, s:I, s:I}", "thread_id",
		    id, "limit", (json_int_t)200, "after", after));
		if ((res = presult(r)) == NULL) {
			json_decref(r);
			return;
		}
		th = json_object_get(res, "thread");
		posts = json_object_get(res, "posts");
		if (!json_is_array(posts))
			posts = arr(th, "posts");
		next = json_object_get(res, "next");
		out("\nThread: %s\n", js(th, "title"));
		json_array_foreach(posts, i, p) {
			json_t *a = json_object_get(p, "author");
			out("\n%zu. %s (@%s), %s, %lld thanks\n",
			    (size_t)first + i,
			    json_is_object(a) ? js(a, "display_name") :
			    js(p, "author_name"), json_is_object(a) ?
			    js(a, "handle") : js(p, "author_handle"),
			    js(p, "created_at"), (long long)ji(p, "thanks"));
			print_md(js(p, "body"), "   ");
		}
		if (json_is_integer(next))
			out("\n(more posts follow: m for more)\n");
		s = ask("\nr reply, q N quote post N, t N thank post N, e N edit "
		    "your post N, m more, 0 back: ");
		p = json_array_get(posts, (size_t)(atoi(s + 1) - first));
		if (s[0] == 'r') {
			body = ask_text();
			pdo("post.create", json_pack("{s:I, s:s}", "thread_id",
			    id, "body", body), "Posted.");
			free(body);
		} else if (s[0] == 'q' && p != NULL) {
			q = quoted(js(p, "body"));
			body = ask_text();
			all = xasprintf("%s%s", q, body);
			pdo("post.create", json_pack("{s:I, s:s, s:I}",
			    "thread_id", id, "body", all, "reply_to",
			    ji(p, "id")), "Posted.");
			free(all);
			free(body);
			free(q);
		} else if (s[0] == 't' && p != NULL) {
			pdo("post.thank", json_pack("{s:I}", "post_id",
			    ji(p, "id")), "Thanked.");
		} else if (s[0] == 'e' && p != NULL) {
			out("The post now reads:\n");
			print_md(js(p, "body"), "   ");
			body = ask_text();
			pdo("post.edit", json_pack("{s:I, s:s}", "post_id",
			    ji(p, "id"), "body", body), "Edited.");
			free(body);
		} else if (s[0] == 'm' && json_is_integer(next)) {
			first += (json_int_t)json_array_size(posts);
			after = json_integer_value(next);
		} else if (strchr("qte", s[0]) != NULL && s[0] != '\0') {
			out("No post with that number on this page.\n");
		} else {
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}

static void polls(json_t *c);

static void
show_community(json_t *c)
{
	json_t *r, *res, *a, *t;
	size_t i;
	char *s, title[256], *body;

	for (;;) {
		out("\n%s\n", js(c, "name"));
		if (js(c, "purpose")[0])
			print_md(js(c, "purpose"), "  ");
		r = pcall("thread.list", json_pack("{s:s}", "slug",
		    js(c, "slug")));
		a = NULL;
		if ((res = presult(r)) != NULL)
			a = arr(res, "threads");
		json_array_foreach(a, i, t)
			out("  %zu. %s%s (%lld posts)\n", i + 1, ji(t, "unread") ?
			    "[new] " : "", js(t, "title"),
			    (long long)ji(t, "post_count"));
		if (json_array_size(a) == 0)
			out("  No threads.\n");
		s = ask("Number to read, n new thread, p polls, j join, 0 back: ");
		if (s[0] == 'n') {
			snprintf(title, sizeof title, "%s", ask("Title: "));
			body = ask_text();
			pdo("thread.create", json_pack("{s:s, s:s, s:s}",
			    "slug", js(c, "slug"), "title", title, "body",
			    body), "Thread started.");
			free(body);
		} else if (s[0] == 'p') {
			polls(c);
		} else if (s[0] == 'j') {
			pdo("community.join", json_pack("{s:s}", "slug",
			    js(c, "slug")), "Done.");
		} else if (atoi(s) > 0 && (t = json_array_get(a,
		    (size_t)atoi(s) - 1)) != NULL) {
			json_int_t id = ji(t, "id");
			json_decref(r);
			show_thread(id);
			continue;
		} else {
			json_decref(r);
			return;
		}
		json_decref(r);
	}
}

static void
communities(void)
{
	json_t *r = pcall("community.list", NULL), *res, *a, *c;
	size_t i;
	char *s;

	if ((res = presult(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = arr(res, "communities");
	out("\nCommunities:\n");
	json_array_foreach(a, i, c) {
		json_t *role = json_object_get(c, "my_role");
		out("  %zu. %s (%s%s%s)\n", i + 1, js(c, "name"),
		    json_is_string(role) ? json_string_value(role) :
		    "not a member", ji(c, "unread") ? ", new posts" : "", "");
	}
	if (json_array_size(a) == 0)
		out("  There are no communities yet.\n");
	s = ask("Number to open, 0 back: ");
	if (atoi(s) > 0 && (c = json_array_get(a, (size_t)atoi(s) - 1)) !=
	    NULL)
		show_community(c);
	json_decref(r);
}

static void
simple_list(const char *op, json_t *args, const char *key,
    const char *f1, const char *f2)
{
	json_t *r = pcall(op, args), *res, *a, *x;
	size_t i;

	if ((res = presult(r)) != NULL) {
		a = arr(res, key);
		json_array_foreach(a, i, x) {
			out("  %zu. %s  %s\n", i + 1, js(x, f1), js(x, f2));
			if (js(x, "snippet")[0])
				out("     %s\n", js(x, "snippet"));
		}
		if (json_array_size(a) == 0)
			out("  Nothing found.\n");
	}
	json_decref(r);
}

static void
profile(void)
{
	json_t *r = pcall("profile.get", json_pack("{s:s}", "handle",
	    js(me, "handle"))), *res, *p;
	static const char *f[] = { "display_name", "pronouns", "job_role",
		"organisation", "region", "bio", NULL };

	if ((res = presult(r)) != NULL) {
		p = json_object_get(res, "profile");
		if (!json_is_object(p))
			p = res;
		for (int i = 0; f[i] != NULL; i++)
			out("  %s: %s\n", f[i], js(p, f[i]));
		if (ask("e to edit, Enter to go back: ")[0] == 'e') {
			json_t *args = json_object();
			for (int i = 0; f[i] != NULL; i++) {
				char prompt[96];
				char *v;
				snprintf(prompt, sizeof prompt, "%s [%s]: ",
				    f[i], js(p, f[i]));
				v = ask(prompt);
				if (*v != '\0')
					json_object_set_new(args, f[i],
					    json_string(v));
			}
			pdo("profile.update", args, "Saved.");
		}
	}
	json_decref(r);
}

/* The code of conduct: show it, offer to accept it if not yet done. */
static void
coc(bool only_if_needed)
{
	json_t *r = pcall("coc.get", NULL), *res;

	if ((res = presult(r)) != NULL) {
		bool accepted = json_is_string(json_object_get(res,
		    "accepted_at"));
		if (accepted && only_if_needed) {
			json_decref(r);
			return;
		}
		out("\n");
		print_md(js(res, "text"), "  ");
		if (accepted)
			out("\nYou accepted it on %s.\n", js(res,
			    "accepted_at"));
		else if (ask("\nType yes to accept the code of conduct (you "
		    "need to before writing): ")[0] == 'y')
			pdo("member.accept_coc", NULL, "Accepted. Thank you.");
	}
	json_decref(r);
}

/* A community's polls: list, show one with results, vote. */
static void
polls(json_t *c)
{
	json_t *r = pcall("poll.list", json_pack("{s:s}", "slug",
	    js(c, "slug"))), *res, *a, *p, *g, *poll, *o;
	size_t i;
	char *s;

	if ((res = presult(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = arr(res, "polls");
	json_array_foreach(a, i, p)
		out("  %zu. %s (%s)\n", i + 1, js(p, "question"),
		    ji(p, "closed") ? "closed" : "open");
	if (json_array_size(a) == 0)
		out("  No polls.\n");
	s = ask("Number to open, 0 back: ");
	if (atoi(s) > 0 && (p = json_array_get(a, (size_t)atoi(s) - 1)) !=
	    NULL) {
		g = pcall("poll.get", json_pack("{s:I}", "poll_id",
		    ji(p, "id")));
		if ((res = presult(g)) != NULL) {
			poll = json_object_get(res, "poll");
			out("\n%s\n", js(poll, "question"));
			json_array_foreach(json_object_get(poll, "options"), i,
			    o) {
				if (json_is_integer(json_object_get(o,
				    "votes")))
					out("  %zu. %s: %lld votes\n", i + 1,
					    js(o, "label"),
					    (long long)ji(o, "votes"));
				else
					out("  %zu. %s\n", i + 1, js(o,
					    "label"));
			}
			s = ask("Number to vote for, 0 back: ");
			o = json_array_get(json_object_get(poll, "options"),
			    (size_t)atoi(s) - 1);
			if (atoi(s) > 0 && o != NULL)
				pdo("poll.vote", json_pack("{s:I, s:[I]}",
				    "poll_id", ji(p, "id"), "options",
				    ji(o, "id")), "Vote recorded.");
		}
		json_decref(g);
	}
	json_decref(r);
}

/* One line typed in a room: said, or a /command. */
static void
proom_line(char *line, char *unsent, size_t unsent_len)
{
	json_t *args, *r;
	const char *op;

	if (line[0] == '\0')
		return;
	if (strcmp(line, "/leave") == 0) {
		pdo("room.leave", json_pack("{s:I}", "room_id", proom),
		    "You left the room.");
		proom = 0;
		return;
	}
	if (strcmp(line, "/help") == 0) {
		out("  A line is said to the room (a pasted block goes as one "
		    "message); \"/multi\" writes several lines; \"/again\" "
		    "sends a refused message again. /hand, /lower, /queue "
		    "TOPIC, /unqueue, /support TEXT, /end (a private consult), "
		    "/leave. Hosts: /topic TEXT, /pause, /resume, /mute H, "
		    "/unmute H, /remove H REASON, /host H, /handover H, /take "
		    "[H] [private|transcript], /answer ID, /close [SUMMARY]. "
		    "\"//text\" says a line beginning with /.\n");
		return;
	}
	if (strcmp(line, "/multi") == 0 || strcmp(line, "/again") == 0) {
		char *t = line[1] == 'm' ? ask_text() : xstrdup(unsent);
		snprintf(unsent, unsent_len, "%s", t);
		free(t);
		line = unsent;
	} else if (line[0] == '/' && line[1] != '/') {
		if ((op = room_line_command(line, proom, &args)) == NULL)
			out("  There is no command %s: /help lists them.\n",
			    line);
		else
			pdo(op, args, "Done.");
		return;
	}
	r = pcall("room.say", json_pack("{s:I, s:s}", "room_id", proom,
	    "text", line[0] == '/' ? line + 1 : line));
	if (!json_is_true(json_object_get(r, "ok"))) {
		if (line != unsent)
			snprintf(unsent, unsent_len, "%s", line);
		out("  Not sent: %s\n  \"/again\" sends it again.\n",
		    err_message(json_object_get(r, "error")));
	}
	json_decref(r);
}

/*
 * A live room, line by line: what is said prints as it comes (pevent),
 * each line typed is said, /commands act, /leave leaves.
 */
static void
proom_run(json_int_t id)
{
	json_t *r = pcall("room.join", json_pack("{s:I}", "room_id", id));
	json_t *res = presult(r), *m;
	static char unsent[16384];
	char in[16384], *l;
	size_t i, len;
	ssize_t n;

	if (res == NULL) {
		json_decref(r);
		return;
	}
	l = room_describe("room.joined", res, js(me, "handle"));
	out("\n%s\n", l);
	free(l);
	json_array_foreach(json_object_get(res, "history"), i, m) {
		l = room_describe("room.message", m, js(me, "handle"));
		out("%s\n", l);
		free(l);
	}
	json_decref(r);
	proom = id;
	out("Type a line and Enter to say it; /help lists the commands, "
	    "/leave leaves.\n");
	while (proom != 0) {
		struct pollfd pf[2] = { { 0, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		while (proom != 0 && frame_next(&pin, &l, &len) == FRAME_LINE) {
			json_t *msg = json_loadb(l, len, 0, NULL);
			if (msg != NULL)
				pevent(msg);
			json_decref(msg);
		}
		if (proom == 0)
			break;
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents != 0) {
			if ((n = read(sfd, in, sizeof in)) <= 0) {
				out("\nThe connection to the server was "
				    "lost.\n");
				exit(1);
			}
			frame_feed(&pin, in, (size_t)n);
			continue;
		}
		if (pf[0].revents == 0)
			continue;
		/* a line, or a pasted block read at once: one message */
		if ((n = read(0, in, sizeof in - 1)) <= 0)
			exit(0);
		while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
			n--;
		in[n] = '\0';
		proom_line(in, unsent, sizeof unsent);
	}
	proom = 0;
}

/* The rooms open now: pick one to join. */
static void
rooms(void)
{
	json_t *r = pcall("room.list", NULL), *res = presult(r), *x;
	size_t i;
	char *s;

	if (res == NULL) {
		json_decref(r);
		return;
	}
	if (json_array_size(arr(res, "rooms")) == 0)
		out("  No rooms are open now.\n");
	json_array_foreach(arr(res, "rooms"), i, x)
		out("  %zu. %s%s%s (room %lld, %lld here, record: %s)\n", i + 1,
		    js(x, "title"), js(x, "topic")[0] ? " — " : "",
		    js(x, "topic"), (long long)ji(x, "room_id"),
		    (long long)ji(x, "present"), js(x, "record"));
	s = ask("Number to join, 0 back: ");
	x = json_array_get(arr(res, "rooms"), (size_t)(atoi(s) - 1));
	if (atoi(s) > 0 && x != NULL) {
		json_int_t id = ji(x, "room_id");
		json_decref(r);
		proom_run(id);
		return;
	}
	json_decref(r);
}

/* Redeem an invite; returns the member or exits. */
static json_t *
pjoin(void)
{
	char code[128], handle[64], name[128];
	json_t *r;

	out("Welcome to Hearth.\n\nTo join, enter the invite code you were "
	    "sent, then choose a\nhandle (how others @mention you) and the "
	    "name people see.\n\n");
	for (int tries = 0; tries < 5; tries++) {
		snprintf(code, sizeof code, "%s", ask("Invite code: "));
		snprintf(handle, sizeof handle, "%s",
		    ask("Handle (lowercase, e.g. sam_k): "));
		snprintf(name, sizeof name, "%s",
		    ask("Your name as others see it: "));
		r = pcall("invite.redeem", json_pack("{s:s, s:s, s:s}", "code",
		    code, "handle", handle, "display_name", name));
		if (json_is_true(json_object_get(r, "ok"))) {
			json_t *m = json_incref(json_object_get(
			    json_object_get(r, "result"), "member"));
			json_decref(r);
			return m;
		}
		presult(r);
		json_decref(r);
	}
	exit(1);
}

int
plain_run(int fd)
{
	json_t *hello, *data;
	char *s;

	sfd = fd;
	frame_init(&pin, CLIENT_MAX_LINE);
	hello = pread_msg();
	if (hello == NULL) {
		fprintf(stderr, "hearth: no greeting from the server\n");
		return 1;
	}
	data = json_object_get(hello, "data");
	if (json_is_object(json_object_get(data, "removed"))) {
		json_t *rm = json_object_get(data, "removed");
		out("Your Hearth membership was removed on %s.\nReason: %s\n",
		    js(rm, "at"), js(rm, "reason"));
		return 1;
	}
	if (json_is_true(json_object_get(data, "join")))
		me = pjoin();
	else
		me = json_incref(json_object_get(data, "member"));
	if (!json_is_object(me))
		return 1;
	out("\nHearth (plain mode). Welcome, %s (@%s).\n",
	    js(me, "display_name"), js(me, "handle"));
	coc(true);
	for (;;) {
		out("\nMain menu:\n  1. Communities\n  2. Notifications\n"
		    "  3. Search\n  4. Find members\n  5. My profile\n"
		    "  6. Code of conduct\n  7. Rooms open now (or: room ID)\n"
		    "  0. Leave\n");
		s = ask("Choose a number: ");
		if (strncmp(s, "room ", 5) == 0) {
			proom_run(atoll(s + 5));
			continue;
		}
		switch (atoi(s)) {
		case 1:
			communities();
			break;
		case 2:
			simple_list("notify.list", NULL, "notifications",
			    "text", "created_at");
			break;
		case 3:
			s = ask("Search for: ");
			simple_list("search.query", json_pack("{s:s}", "q", s),
			    "results", "title", "community_name");
			break;
		case 4:
			s = ask("Find members: ");
			simple_list("member.search", json_pack("{s:s}", "q",
			    s), "members", "display_name", "handle");
			break;
		case 5:
			profile();
			break;
		case 6:
			coc(false);
			break;
		case 7:
			rooms();
			break;
		case 0:
			if (s[0] == '0' || s[0] == 'q') {
				out("Goodbye.\n");
				json_decref(hello);
				return 0;
			}
			break;
		}
	}
}
