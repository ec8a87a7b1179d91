/*
 * plain.c: the line mode (hearth --plain, or TERM=dumb). Every function as
 * numbered menus and plain text, one prompt at a time, for screen readers
 * and dumb terminals. Calls wait for their reply; events that arrive
 * meanwhile are printed as lines ("New: ..."). The programme, expert
 * requests and kept consults are in plain-programme.c, and rooms in
 * plain-room.c; both use the plain_* calls exported here.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "client.h"

static int sfd = -1;
static struct frame pin;
static json_int_t pid = 1;
static json_t *me;
static json_int_t reading; /* the thread plain_thread shows, or 0 */
static json_t *reading_shown; /* its posts as shown, numbered from 1 */

/* Print with control characters made harmless. */
void
plain_out(const char *fmt, ...)
{
	va_list ap;
	char *s, *c;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	c = xstrdup(s);
	for (char *p = c, *q = c;; p++) {
		/* search highlights (STX, ETX) are not read out as marks */
		if (*p == '\002' || *p == '\003')
			continue;
		*q++ = (unsigned char)*p < 0x20 && *p != '\n' && *p != '\0' ?
		    '?' : *p;
		if (*p == '\0')
			break;
	}
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
		if (js(d, "message")[0])
			plain_out("\n%s\n", js(d, "message"));
		else
			plain_out("\nYour Hearth membership was removed on "
			    "%s.\nReason: %s\n", when_say(js(d, "at")),
			    js(d, "reason"));
		exit(1);
	}
	if (strcmp(ev, "server.shutdown") == 0) {
		plain_out("\n%s\n", js(d, "message"));
		exit(0);
	}
	if (strcmp(ev, "member.timezone") == 0) /* changed elsewhere */
		when_zone(js(d, "timezone"));
	else if (strcmp(ev, "notify.new") == 0)
		plain_out("\nNew: %s\n", js(d, "text"));
	else if (strcmp(ev, "thread.new_post") == 0 && ji(d, "thread_id") !=
	    reading) /* the thread being read prints its new posts itself */
		plain_out("\nNew post in a thread you follow.\n");
	else if (strcmp(ev, "thread.post_changed") == 0 && ji(d,
	    "thread_id") == reading && reading_shown != NULL)
		plain_moderate_post_changed(d, reading_shown);
	else if (strcmp(ev, "room.opened") == 0) /* one line, not a flood */
		plain_out("\nA room opened in %s: \"%s\" (main menu: room %lld "
		    "joins it).\n", js(d, "community"), js(d, "title"),
		    (long long)ji(d, "room_id"));
	else if (strncmp(ev, "room.", 5) == 0)
		plain_room_event(ev, d);
	else if (strcmp(ev, "message.new") == 0)
		plain_messages_event(d);
}

/* Call and wait; returns the reply (result or error inside) or exits. */
json_t *
plain_call(const char *op, json_t *args)
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
	if (send(sfd, line, len, MSG_NOSIGNAL) != (ssize_t)len &&
	    (errno != ENOTSOCK || write(sfd, line, len) != (ssize_t)len)) {
		/* the server may have said why it closed (session.ended) */
		while ((msg = pread_msg()) != NULL) {
			pevent(msg);
			json_decref(msg);
		}
		plain_out("\nThe connection to the server was lost.\n");
		exit(1);
	}
	free(line);
	while ((msg = pread_msg()) != NULL) {
		if (json_integer_value(json_object_get(msg, "id")) == id)
			return msg;
		pevent(msg);
		json_decref(msg);
	}
	plain_out("\nThe connection to the server was lost.\n");
	exit(1);
}

/* The result, or NULL after printing the error. */
json_t *
plain_result(json_t *reply)
{
	if (json_is_true(json_object_get(reply, "ok")))
		return json_object_get(reply, "result");
	plain_out("  %s\n", err_message(json_object_get(reply, "error")));
	plain_coc_refused(json_object_get(reply, "error"));
	return NULL;
}

/* Call for effect: print okmsg or the error. */
bool
plain_do(const char *op, json_t *args, const char *okmsg)
{
	json_t *r = plain_call(op, args);
	bool ok = plain_result(r) != NULL;

	if (ok)
		plain_out("  %s\n", okmsg);
	json_decref(r);
	return ok;
}

json_t *
plain_me(void)
{
	return me;
}

char *
plain_ask(const char *prompt)
{
	static char line[4096];
	size_t n;

	plain_out("%s", prompt);
	if (fgets(line, sizeof line, stdin) == NULL)
		exit(0);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Read a multi-line text ending with a line holding only ".". */
char *
plain_ask_text(void)
{
	struct buf b;
	char *l;

	plain_out("Write your text (Markdown). End with a line holding only a "
	    "full stop.\n");
	buf_init(&b);
	for (;;) {
		l = plain_ask("");
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

void
plain_print_md(const char *md, const char *indent)
{
	struct rdoc d;

	rdoc_init(&d);
	render_markdown(&d, md, strlen(md), 76);
	for (size_t i = 0; i < d.n; i++)
		plain_out("%s%s\n", indent, d.lines[i].text);
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

/*
 * A post's first line: number, author ("Hearth" for the platform's own
 * posts), time, thanks in words.
 */
static void
thread_post(size_t n, json_t *p)
{
	json_t *a = json_object_get(p, "author");
	json_int_t thanks = ji(p, "thanks");
	const char *name = json_is_object(a) ? js(a, "display_name") :
	    js(p, "author_name");
	const char *handle = json_is_object(a) ? js(a, "handle") :
	    js(p, "author_handle");

	if (handle[0] != '\0')
		plain_out("\n%zu. %s (@%s), %s", n, name, handle,
		    when_say(js(p, "created_at")));
	else
		plain_out("\n%zu. Hearth, %s", n, when_say(js(p, "created_at")));
	plain_out("%s%s\n", thanks > 0 ? ", thanked by " : "",
	    thanks > 0 ? plain_count(thanks, "member", "members") : "");
	plain_moderate_print_post(p);
}

/*
 * Read the thread's posts after *after (one page), print those and add
 * them to shown, numbered on from it; *th becomes the thread as it is now
 * and *more whether a page follows. False after printing an error.
 */
static bool
thread_more(json_int_t id, json_int_t *after, json_t *shown, json_t **th,
    bool *more)
{
	json_t *r, *res, *posts, *p;
	size_t i;

	r = plain_call("thread.get", json_pack("{s:I, s:I, s:I}",
	    "thread_id", id, "limit", (json_int_t)200, "after", *after));
	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return false;
	}
	json_decref(*th);
	*th = json_incref(json_object_get(res, "thread"));
	posts = json_object_get(res, "posts");
	if (!json_is_array(posts))
		posts = arr(*th, "posts");
	if (*after == 0)
		plain_out("\nThread: %s, %s\n", js(*th, "title"),
		    plain_count(ji(*th, "post_count"), "post", "posts"));
	json_array_foreach(posts, i, p) {
		json_array_append(shown, p);
		thread_post(json_array_size(shown), p);
		*after = ji(p, "id");
	}
	*more = json_is_integer(json_object_get(res, "next"));
	i = json_array_size(posts);
	json_decref(r);
	/* read up to the last post printed, as the TUI marks it */
	if (i > 0) {
		r = plain_call("thread.mark_read", json_pack("{s:I, s:I}",
		    "thread_id", id, "post_id", *after));
		json_decref(r);
	}
	return true;
}

void
plain_thread(json_int_t id)
{
	plain_thread_at(id, 0);
}

/*
 * After the thread is printed: the post a search result or notification
 * is about, found (reading on, a page at a time) and printed again last,
 * with its number, so it is what is read out first.
 */
static void
thread_land(json_int_t id, json_int_t post_id, json_int_t *after,
    json_t *shown, json_t **th, bool *more)
{
	json_t *p;
	size_t i;

	for (;;) {
		json_array_foreach(shown, i, p) {
			if (ji(p, "id") == post_id) {
				plain_out("\nThe post you opened, number %zu "
				    "of %lld:", i + 1, (long long)ji(*th,
				    "post_count"));
				thread_post(i + 1, p);
				return;
			}
		}
		if (!*more || !thread_more(id, after, shown, th, more))
			return;
	}
}

/*
 * A thread, read and answered line by line. It is printed once; after
 * each command only what is new since is printed (posts written meanwhile,
 * by the member or others), and "p" prints it all again, as it is now.
 * post_id (if not 0): the post to land on (thread_land).
 */
void
plain_thread_at(json_int_t id, json_int_t post_id)
{
	json_t *shown = json_array(), *th = NULL, *p, *was_shown;
	json_int_t after = 0, was;
	size_t had;
	bool more = false, fresh, asked;
	char *s, *body, *q, *all, key[64];

	snprintf(key, sizeof key, "reply:%lld", (long long)id);
	plain_libknow_init(); /* [[doc:ID]] by title */
	if (!thread_more(id, &after, shown, &th, &more)) {
		json_decref(shown);
		return;
	}
	was = reading;
	reading = id;
	was_shown = reading_shown;
	reading_shown = shown;
	plain_moderate_help(th);
	plain_libknow_help(th);
	if (post_id != 0)
		thread_land(id, post_id, &after, shown, &th, &more);
	for (;;) {
		if (more)
			plain_out("\n(more posts follow: m for more)\n");
		s = plain_ask("\nr reply, q N quote post N, t N thank post N, "
		    "e N edit your post N, m more, p print the thread again, "
		    "0 back: ");
		p = json_array_get(shown, (size_t)(atoi(s + 1) - 1));
		fresh = true; /* afterwards, print what is new */
		asked = false;
		had = json_array_size(shown);
		if (s[0] == 'r') {
			body = plain_compose(key, NULL, 0);
			if (plain_do("post.create", json_pack("{s:I, s:s}",
			    "thread_id", id, "body", body), "Posted."))
				plain_draft_sent(key);
			free(body);
		} else if (s[0] == 'q' && p != NULL) {
			q = quoted(js(p, "body"));
			body = plain_compose(key, NULL, 0);
			all = xasprintf("%s%s", q, body);
			if (plain_do("post.create", json_pack("{s:I, s:s, s:I}",
			    "thread_id", id, "body", all, "reply_to",
			    ji(p, "id")), "Posted."))
				plain_draft_sent(key);
			free(all);
			free(body);
			free(q);
		} else if (s[0] == 't' && p != NULL) {
			if (plain_do("post.thank", json_pack("{s:I}", "post_id",
			    ji(p, "id")), "Thanked."))
				json_object_set_new(p, "thanks",
				    json_integer(ji(p, "thanks") + 1));
		} else if (s[0] == 'e' && p != NULL) {
			plain_out("The post now reads:\n");
			plain_print_md(js(p, "body"), "   ");
			body = plain_ask_text();
			if (plain_do("post.edit", json_pack("{s:I, s:s}",
			    "post_id", ji(p, "id"), "body", body), "Edited."))
				json_object_set_new(p, "body",
				    json_string(body));
			free(body);
		} else if (s[0] == 'm' && s[1] == '\0') {
			asked = true;
		} else if (s[0] == 'p' && s[1] == '\0') {
			/* all of it again, up to where the member had read */
			json_array_clear(shown);
			after = 0;
			fresh = thread_more(id, &after, shown, &th, &more);
			while (fresh && more && json_array_size(shown) < had)
				fresh = thread_more(id, &after, shown, &th,
				    &more);
			fresh = false;
		} else if (plain_moderate_thread_cmd(s, th, p)) {
			/* plain-moderate.c: report, hide, pin... */
		} else if (s[0] == 'i' && s[1] == ' ' && p != NULL) {
			plain_health_impact(p); /* managers: impact story */
		} else if (plain_libknow_cmd(s, id, th, p)) {
			/* plain-libknow.c: keep, open a linked document */
		} else if (strchr("qte", s[0]) != NULL && s[0] != '\0') {
			plain_out("No post with that number.\n");
			fresh = false;
		} else {
			break;
		}
		if (fresh && thread_more(id, &after, shown, &th, &more) &&
		    asked && json_array_size(shown) == had)
			plain_out("No new posts: that is the whole thread so "
			    "far.\n");
	}
	reading = was;
	reading_shown = was_shown;
	json_decref(th);
	json_decref(shown);
}

static void polls(json_t *c);

/*
 * Where the member stands in a community, said in its header: "you are a
 * member", "not a member; request sent ...", as the TUI's header does.
 */
static void
community_state(json_t *c, char *out, size_t len)
{
	const char *role = js(c, "my_role");
	json_t *q = json_object_get(c, "my_request");
	const char *st = js(q, "status");

	if (strcmp(role, "interested") == 0)
		snprintf(out, len, "you are in it as interested");
	else if (role[0] != '\0')
		snprintf(out, len, "you are a %s", role);
	else if (strcmp(st, "pending") == 0)
		snprintf(out, len, "not a member; you asked to join %s, waiting "
		    "for an answer", when_say(js(q, "created_at")));
	else if (strcmp(st, "declined") == 0)
		snprintf(out, len, "not a member; your request to join was "
		    "declined%s%s", js(q, "response")[0] ? ": " : "",
		    js(q, "response"));
	else
		snprintf(out, len, "not a member");
}

/* Leaders, managers and admins read its reports (as the TUI's tab). */
static bool
community_reports_may(json_t *c)
{
	const char *role = js(c, "my_role");

	return strcmp(role, "leader") == 0 || strcmp(role, "manager") == 0 ||
	    strcmp(js(me, "role"), "admin") == 0;
}

/*
 * A community's menu, read fresh each time round (so joining or asking
 * shows at once): its threads, and only the keys this member may use.
 */
static void
show_community(const char *slug_arg)
{
	json_t *r, *res, *a, *t, *g, *c;
	size_t i;
	char *s, title[256], *body, slug[64], state[600], prompt[400];
	bool member, pending, staff, reports;

	snprintf(slug, sizeof slug, "%s", slug_arg);
	for (;;) {
		g = plain_call("community.get", json_pack("{s:s}", "slug",
		    slug));
		if ((res = plain_result(g)) == NULL) {
			json_decref(g);
			return;
		}
		c = json_object_get(res, "community");
		if (!json_is_object(c))
			c = res;
		member = js(c, "my_role")[0] != '\0';
		pending = strcmp(js(json_object_get(c, "my_request"),
		    "status"), "pending") == 0;
		staff = json_is_integer(json_object_get(c,
		    "pending_requests"));
		reports = community_reports_may(c);
		community_state(c, state, sizeof state);
		plain_out("\n%s (%s)\n", js(c, "name"), state);
		if (js(c, "purpose")[0])
			plain_print_md(js(c, "purpose"), "  ");
		r = plain_call("thread.list", json_pack("{s:s}", "slug", slug));
		a = NULL;
		if ((res = plain_result(r)) != NULL)
			a = arr(res, "threads");
		json_array_foreach(a, i, t)
			plain_out("  %zu. %s (%s%s)\n", i + 1, js(t, "title"),
			    plain_count(ji(t, "post_count"), "post", "posts"),
			    ji(t, "unread") ? ", unread" : "");
		if (json_array_size(a) == 0)
			plain_out("  No threads.\n");
		snprintf(prompt, sizeof prompt, "%s%sl library, p polls, e "
		    "events, S surveys, r roadmap and personas, %s%s%s0 back: ",
		    json_array_size(a) > 0 ? "Number to read, " : "",
		    member ? "n new thread, " : "",
		    member || pending ? "" : strcmp(js(c, "join_policy"),
		    "request") == 0 ? "j ask to join, " : "j join, ",
		    member || pending || staff ? (pending && !member && !staff ?
		    "m membership (withdraw your request), " :
		    "m membership, ") : "",
		    reports ? "R reports, " : "");
		s = plain_ask(prompt);
		if (s[0] == 'n' && member) {
			char key[80];

			snprintf(key, sizeof key, "thread:%s", slug);
			title[0] = '\0';
			body = plain_compose(key, title, sizeof title);
			if (plain_do("thread.create", json_pack("{s:s, s:s, "
			    "s:s}", "slug", slug, "title", title,
			    "body", body), "Thread started."))
				plain_draft_sent(key);
			free(body);
		} else if (s[0] == 'n') {
			plain_out("Only its members start threads here; j "
			    "joins.\n");
		} else if (s[0] == 'p') {
			polls(c);
		} else if (s[0] == 'e') {
			plain_programme_run(slug);
		} else if (s[0] == 'R' && reports) {
			plain_moderate_reports(c);
		} else if (s[0] == 'R') {
			plain_out("Reports are for its leaders and "
			    "managers.\n");
		} else if (s[0] == 'S') {
			plain_survey(slug);
		} else if (s[0] == 'r') {
			plain_roadmap(slug);
		} else if (s[0] == 'l') {
			plain_library(slug);
		} else if (s[0] == 'j') {
			plain_manage_join(c); /* says so if a member or asked */
		} else if (s[0] == 'm') {
			plain_manage(slug);
		} else if (atoi(s) > 0 && (t = json_array_get(a,
		    (size_t)atoi(s) - 1)) != NULL) {
			json_int_t id = ji(t, "id");
			json_decref(r);
			json_decref(g);
			plain_thread(id);
			continue;
		} else {
			json_decref(r);
			json_decref(g);
			return;
		}
		json_decref(r);
		json_decref(g);
	}
}

void
plain_community(const char *slug)
{
	show_community(slug);
}

static void
communities(void)
{
	json_t *r = plain_call("community.list", NULL), *res, *a, *c;
	size_t i;
	char *s;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = arr(res, "communities");
	plain_out("\nCommunities:\n");
	json_array_foreach(a, i, c) {
		json_t *role = json_object_get(c, "my_role");
		char req[48] = "";
		if (ji(c, "pending_requests") > 0)
			snprintf(req, sizeof req, ", %s", plain_count(
			    ji(c, "pending_requests"), "join request",
			    "join requests"));
		plain_out("  %zu. %s (%s%s%s)\n", i + 1, js(c, "name"),
		    json_is_string(role) ? json_string_value(role) :
		    "not a member", ji(c, "unread") ? ", new posts" : "", req);
	}
	if (json_array_size(a) == 0)
		plain_out("  There are no communities yet.\n");
	s = plain_ask("Number to open, 0 back: ");
	if (atoi(s) > 0 && (c = json_array_get(a, (size_t)atoi(s) - 1)) !=
	    NULL)
		show_community(js(c, "slug"));
	json_decref(r);
}

/* The code of conduct: show it, offer to accept it if not yet done. */
static void
coc(bool only_if_needed)
{
	json_t *r = plain_call("coc.get", NULL), *res;

	if ((res = plain_result(r)) != NULL) {
		bool accepted = json_is_string(json_object_get(res,
		    "accepted_at"));
		if (accepted && only_if_needed) {
			json_decref(r);
			return;
		}
		plain_out("\n");
		plain_print_md(js(res, "text"), "  ");
		if (accepted)
			plain_out("\nYou accepted it on %s.\n",
			    when_say(js(res, "accepted_at")));
		else if (plain_ask("\nType yes to accept the code of conduct "
		    "(you need to before writing): ")[0] == 'y')
			plain_do("member.accept_coc", NULL,
			    "Accepted. Thank you.");
	}
	json_decref(r);
}

/* A community's polls: list, show one with results, vote. */
static void
polls(json_t *c)
{
	json_t *r = plain_call("poll.list", json_pack("{s:s}", "slug",
	    js(c, "slug"))), *res, *a, *p;
	size_t i;
	char *s;

	if ((res = plain_result(r)) == NULL) {
		json_decref(r);
		return;
	}
	a = arr(res, "polls");
	json_array_foreach(a, i, p)
		plain_out("  %zu. %s (%s)\n", i + 1, js(p, "question"),
		    ji(p, "closed") ? "closed" : "open");
	if (json_array_size(a) == 0)
		plain_out("  No polls.\n");
	s = plain_ask("Number to open, 0 back: ");
	if (atoi(s) > 0 && (p = json_array_get(a, (size_t)atoi(s) - 1)) !=
	    NULL)
		plain_poll(ji(p, "id"));
	json_decref(r);
}

void
plain_poll(json_int_t id)
{
	json_t *g, *res, *poll, *o;
	size_t i;
	char *s;

	g = plain_call("poll.get", json_pack("{s:I}", "poll_id", id));
	if ((res = plain_result(g)) != NULL) {
		poll = json_object_get(res, "poll");
		plain_out("\n%s\n", js(poll, "question"));
		json_array_foreach(json_object_get(poll, "options"), i, o) {
			if (json_is_integer(json_object_get(o, "votes")))
				plain_out("  %zu. %s: %s\n", i + 1,
				    js(o, "label"), plain_count(ji(o, "votes"),
				    "vote", "votes"));
			else
				plain_out("  %zu. %s\n", i + 1, js(o, "label"));
		}
		s = plain_ask("Number to vote for, C close the poll, 0 back: ");
		if (s[0] == 'C' && plain_ask("Close it for good? y/n: ")[0] ==
		    'y')
			plain_do("poll.close", json_pack("{s:I}", "poll_id",
			    id), "Closed.");
		o = json_array_get(json_object_get(poll, "options"),
		    (size_t)atoi(s) - 1);
		if (atoi(s) > 0 && o != NULL)
			plain_do("poll.vote", json_pack("{s:I, s:[I]}",
			    "poll_id", id, "options", ji(o, "id")),
			    "Vote recorded.");
	}
	json_decref(g);
}

/*
 * Wait until a line is typed, printing the events that come meanwhile;
 * false as soon as stop says so (an event may end what we wait for).
 */
bool
plain_wait_input(bool (*stop)(void))
{
	char buf[8192], *l;
	size_t len;
	ssize_t n;

	for (;;) {
		struct pollfd pf[2] = { { 0, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		while (!stop() && frame_next(&pin, &l, &len) == FRAME_LINE) {
			json_t *msg = json_loadb(l, len, 0, NULL);
			if (msg != NULL)
				pevent(msg);
			json_decref(msg);
		}
		if (stop())
			return false;
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (pf[1].revents != 0) {
			if ((n = read(sfd, buf, sizeof buf)) <= 0) {
				plain_out("\nThe connection to the server was "
				    "lost.\n");
				exit(1);
			}
			frame_feed(&pin, buf, (size_t)n);
			continue;
		}
		if (pf[0].revents != 0)
			return true;
	}
}

/* Redeem an invite; returns the member or exits. */
static json_t *
pjoin(void)
{
	char code[128], handle[64], name[128];
	json_t *r;

	plain_out("Welcome to Hearth.\n\nTo join, enter the invite code you "
	    "were sent, then choose a\nhandle (how others @mention you) and "
	    "the name people see.\nA member adding this device: enter the "
	    "device code you made on\nyour other device instead.\n\n");
	for (int tries = 0; tries < 5; tries++) {
		bool tried = false;

		snprintf(code, sizeof code, "%s",
		    plain_ask("Invite or device code: "));
		if ((r = plain_devices_redeem(code, &tried)) != NULL)
			return r;
		if (tried)
			continue;
		if (plain_join_ask(code, handle, sizeof handle, name,
		    sizeof name) != 0)
			continue;
		r = plain_call("invite.redeem", json_pack("{s:s, s:s, s:s}",
		    "code", code, "handle", handle, "display_name", name));
		if (json_is_true(json_object_get(r, "ok"))) {
			json_t *m = json_incref(json_object_get(
			    json_object_get(r, "result"), "member"));
			json_decref(r);
			return m;
		}
		plain_result(r);
		json_decref(r);
	}
	exit(1);
}

/* ---- the main menu ---- */

static void
m_profile(void)
{
	plain_people_profile(js(me, "handle"));
}

static void
m_coc(void)
{
	coc(false);
}

static void
m_programme(void)
{
	plain_programme_run(NULL);
}

static void
m_surveys(void)
{
	plain_survey(NULL);
}

static void
m_roadmap(void)
{
	plain_roadmap(NULL);
}

static void
m_library(void) /* plain-library.c: staff publish, everyone reads */
{
	plain_library("platform");
}

/*
 * The entries, numbered as a member sees them: the admin's (only for
 * admins) comes last, so the numbers before it are the same for everyone
 * and have no gap.
 */
static const struct {
	const char *label;
	void (*run)(void);
	bool admin;
} menu[] = {
	{ "Communities", communities, false },
	{ "Notifications", plain_notifications, false },
	{ "Search", plain_search, false },
	{ "Find members", plain_people_directory, false },
	{ "My profile", m_profile, false },
	{ "Code of conduct", m_coc, false },
	{ "Rooms open now (or: room ID)", plain_room_list, false },
	{ "Programme of events", m_programme, false },
	{ "Expert speakers", plain_programme_experts, false },
	{ "Kept private consults", plain_programme_consults, false },
	{ "Room records to review", plain_room_records, false },
	{ "Community health and reports", plain_health, false },
	{ "Private messages", plain_messages, false },
	{ "Surveys", m_surveys, false },
	{ "The platform's roadmap", m_roadmap, false },
	{ "The platform's library", m_library, false },
	{ "Admin: invites, members, code of conduct", plain_admin, true },
};
#define MENU_N (sizeof menu / sizeof menu[0])
/* Their numbers, said in what is new (and by plain-messages.c: 13). */
enum { MENU_NOTES = 2, MENU_ROOMS = 7, MENU_MESSAGES = 13 };

/*
 * What is new, as Home says it: unread notifications and private messages
 * and the rooms open now, each with the number that opens it; "" if none.
 */
static char *
menu_news(void)
{
	json_t *r, *res;
	json_int_t notes = 0, msgs = 0, rooms = 0;
	struct buf b;

	r = plain_call("notify.list", NULL);
	if ((res = plain_result(r)) != NULL)
		notes = ji(res, "unread");
	json_decref(r);
	r = plain_call("message.conversations", json_pack("{s:I}", "limit",
	    (json_int_t)1));
	if ((res = plain_result(r)) != NULL)
		msgs = ji(res, "unread");
	json_decref(r);
	r = plain_call("room.list", NULL);
	if ((res = plain_result(r)) != NULL)
		rooms = (json_int_t)json_array_size(jarr(res, "rooms"));
	json_decref(r);
	buf_init(&b);
	if (notes > 0) {
		buf_printf(&b, "Unread: %s (%d)", plain_count(notes,
		    "notification", "notifications"), MENU_NOTES);
	}
	if (msgs > 0)
		buf_printf(&b, "%s%s (%d)", notes > 0 ? ", " : "Unread: ",
		    plain_count(msgs, "private message", "private messages"),
		    MENU_MESSAGES);
	if (rooms > 0)
		buf_printf(&b, "%sOpen now: %s (%d)", notes + msgs > 0 ?
		    ". " : "", plain_count(rooms, "room", "rooms"),
		    MENU_ROOMS);
	buf_append(&b, "", 1);
	return b.data;
}

static void
menu_print(const char *news)
{
	size_t n = 0;

	plain_out("\nMain menu:\n");
	if (news[0] != '\0')
		plain_out("  %s.\n", news);
	for (size_t i = 0; i < MENU_N; i++)
		if (!menu[i].admin || plain_admin_may())
			plain_out("  %zu. %s\n", ++n, menu[i].label);
	plain_out("  D. Drafts you have not sent\n  0. Leave\n");
}

/*
 * The whole menu once, then a short prompt: after a sub-menu, after a
 * choice not on it (said so), only the prompt, and what is new when that
 * has changed. "?" prints the menu again.
 */
static void
main_menu(void)
{
	char *news = menu_news(), *now, *s;
	bool full = true;
	long k;

	for (;;) {
		if (full)
			menu_print(news);
		s = plain_ask(full ? "Choose a number: " : "Main menu (? lists "
		    "it). Choose a number: ");
		full = false;
		while (*s == ' ')
			s++;
		for (size_t e = strlen(s); e > 0 && s[e - 1] == ' '; e--)
			s[e - 1] = '\0';
		if (strncmp(s, "room ", 5) == 0) {
			plain_room(atoll(s + 5));
		} else if (strcmp(s, "D") == 0 || strcmp(s, "d") == 0) {
			plain_drafts(); /* plain-draft.c */
		} else if (strcmp(s, "?") == 0 || strcmp(s, "h") == 0 ||
		    strcmp(s, "help") == 0 || strcmp(s, "menu") == 0) {
			full = true;
		} else if (s[0] == '\0') {
			continue;
		} else if (strcmp(s, "0") == 0 || strcmp(s, "q") == 0) {
			/* "0 back" everywhere else: ask before leaving */
			if (plain_ask("Leave Hearth? y/n (Enter: stay): ")[0] ==
			    'y') {
				plain_out("Goodbye.\n");
				free(news);
				return;
			}
			continue;
		} else {
			char *end;
			size_t n = 0, i;

			k = strtol(s, &end, 10);
			for (i = 0; k > 0 && *end == '\0' && i < MENU_N; i++)
				if ((!menu[i].admin || plain_admin_may()) &&
				    (long)++n == k)
					break;
			if (k <= 0 || *end != '\0' || i == MENU_N) {
				plain_out("%s is not on the menu.\n", s);
				continue;
			}
			menu[i].run();
		}
		/* back from a sub-menu: what is new, if that has changed */
		now = menu_news();
		if (!full && strcmp(now, news) != 0)
			plain_out("\n%s.\n", now[0] != '\0' ? now :
			    "Nothing unread now, and no room open");
		free(news);
		news = now;
		if (!full)
			plain_out("\n");
	}
}

int
plain_run(int fd)
{
	json_t *hello, *data;

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
		plain_out("Your Hearth membership was removed on %s.\n"
		    "Reason: %s\n", when_say(js(rm, "at")),
		    js(rm, "reason"));
		return 1;
	}
	if (json_is_true(json_object_get(data, "join")))
		me = pjoin();
	else
		me = json_incref(json_object_get(data, "member"));
	if (!json_is_object(me))
		return 1;
	when_member(me);
	plain_out("\nHearth (plain mode). Welcome, %s (@%s).\n",
	    js(me, "display_name"), js(me, "handle"));
	coc(true);
	plain_people_welcome();
	main_menu();
	json_decref(hello);
	return 0;
}

char *
plain_preview(const char *s, size_t max)
{
	struct buf b;
	size_t n = 0;
	bool space = false;
	char *out;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\002' || ch == '\003')
			continue; /* search highlights */
		if (ch < 0x20 || ch == ' ' || ch == 0x7f) {
			space = b.len > 0; /* a run of them: one space */
			continue;
		}
		if ((ch & 0xc0) != 0x80) { /* a character starts */
			if (n == max) {
				buf_puts(&b, "…");
				break;
			}
			if (space)
				buf_append(&b, " ", 1);
			space = false;
			n++;
		}
		buf_append(&b, s, 1);
	}
	buf_append(&b, "", 1);
	out = xstrdup(b.data);
	buf_free(&b);
	return out;
}
