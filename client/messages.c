/*
 * messages.c: private messages in the TUI: the Messages screen (the
 * member's conversations with unread counts, a new conversation, search
 * over their own messages) and one conversation (read, reply with the
 * composer and its server-kept drafts, block or unblock, report a message
 * to staff), kept current by message.new events. Opened from Home (M), a
 * profile, the directory and a post's author (W).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

int g_unread_messages;

/* ---- the unread count, for Home ---- */

static void (*count_then)(struct view *); /* Home's refill */

static void
count_got(void *ctx, json_t *result, json_t *error)
{
	if (error != NULL)
		return;
	g_unread_messages = (int)ji(result, "unread");
	if (count_then != NULL)
		count_then(ctx);
	ui_dirty();
}

void
messages_count(struct view *owner, void (*then)(struct view *))
{
	count_then = then;
	net_call("message.conversations", json_pack("{s:I}", "limit",
	    (json_int_t)1), owner, count_got, owner);
}

/* ---- one conversation ---- */

struct conv {
	struct view v;
	json_int_t id;
	json_t *info; /* {id, group, participants} */
	json_t *msgs; /* oldest first */
	json_int_t next; /* older messages before this id; 0: none */
	int sel; /* the selected message */
	int scroll;
	bool follow; /* keep the newest in view */
	int rows;
	char title[300];
	char msg[300];
};

static void conv_load(struct conv *);

/* "@bob", "@bob, @cat" for the people in it. */
static void
who_of(json_t *participants, char *out, size_t len)
{
	json_t *p;
	size_t i;

	out[0] = '\0';
	json_array_foreach(participants, i, p) {
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%s@%s%s%s", i ? ", " : "",
		    js(p, "handle"), json_is_true(json_object_get(p,
		    "removed")) ? " (no longer a member)" : "",
		    json_is_true(json_object_get(p, "blocked")) ?
		    " (blocked)" : "");
	}
}

static void
conv_got(void *ctx, json_t *result, json_t *error)
{
	struct conv *c = ctx;
	char who[240];

	if (error != NULL) {
		snprintf(c->msg, sizeof c->msg, "%s", err_message(error));
		return;
	}
	c->msg[0] = '\0';
	json_decref(c->info);
	json_decref(c->msgs);
	c->info = json_incref(jobj(result, "conversation"));
	c->msgs = json_incref(jarr(result, "messages"));
	c->next = ji(result, "next");
	g_unread_messages = (int)ji(result, "unread");
	who_of(jarr(c->info, "participants"), who, sizeof who);
	snprintf(c->title, sizeof c->title, "%s %s", ji(c->info, "group") ?
	    "Group with" : "With", who);
	if (c->follow)
		c->sel = json_array_size(c->msgs) > 0 ?
		    (int)json_array_size(c->msgs) - 1 : 0;
	if (json_array_size(c->msgs) == 0)
		snprintf(c->msg, sizeof c->msg, "No messages yet.");
}

static void
conv_load(struct conv *c)
{
	net_call("message.get", json_pack("{s:I}", "conversation_id", c->id),
	    &c->v, conv_got, c);
}

static void
conv_draw(struct view *v, int rows, int cols)
{
	struct conv *c = (struct conv *)v;
	struct rdoc d;
	size_t i, sel_line = 0, sel_end = 0;
	json_t *m;
	int h = rows - 2, y;

	c->rows = h;
	put_text(1, 1, cols - 2, c->title, C_HEAD, A_BOLD);
	if (c->msg[0] != '\0')
		put_text(2, 2, cols - 4, c->msg, C_DIM, 0);
	rdoc_init(&d);
	if (c->next)
		rdoc_add(&d, "  (older messages: o)", ST_DIM, cols - 2);
	json_array_foreach(c->msgs, i, m) {
		char head[200], when[32];
		json_t *a = jobj(m, "author");

		short_time(js(m, "at"), when);
		if ((int)i == c->sel)
			sel_line = d.n;
		snprintf(head, sizeof head, "%s %s (@%s)  %s",
		    (int)i == c->sel ? ">" : " ", js(a, "display_name"),
		    js(a, "handle"), when);
		rdoc_add(&d, head, ST_BOLD, cols - 2);
		render_markdown(&d, js(m, "body"), strlen(js(m, "body")),
		    cols - 6);
		if ((int)i == c->sel)
			sel_end = d.n;
		rdoc_add(&d, "", 0, cols - 2);
	}
	if (c->follow)
		c->scroll = (int)d.n - h + 1;
	else if ((int)sel_line < c->scroll)
		c->scroll = (int)sel_line;
	else if ((int)sel_end > c->scroll + h - 1)
		c->scroll = (int)sel_end - h + 1;
	if (c->scroll > (int)d.n - h + 1)
		c->scroll = (int)d.n - h + 1;
	if (c->scroll < 0)
		c->scroll = 0;
	for (y = 0; y < h - 1 && (size_t)(c->scroll + y) < d.n; y++) {
		size_t k = (size_t)(c->scroll + y);
		int x = k > sel_line && k < sel_end ? 4 : 1;
		put_rline(3 + y, x, cols - x - 1, &d.lines[k]);
	}
	rdoc_free(&d);
}

static void
conv_sent(struct view *below, json_t *result)
{
	struct conv *c = (struct conv *)below;

	(void)result;
	c->follow = true;
	conv_load(c);
}

static void
older_got(void *ctx, json_t *result, json_t *error)
{
	struct conv *c = ctx;
	json_t *older = jarr(result, "messages");

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	json_array_extend(older, c->msgs);
	json_decref(c->msgs);
	c->msgs = json_incref(older);
	c->sel = 0;
	c->follow = false;
	c->next = ji(result, "next");
}

static json_t *
conv_other(struct conv *c)
{
	json_t *ps = jarr(c->info, "participants");

	return json_array_size(ps) == 1 ? json_array_get(ps, 0) : NULL;
}

static bool
report_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	if (vals[0][strspn(vals[0], " ")] == '\0') {
		snprintf(err, len, "Say why you report it: staff read your "
		    "reason first.");
		return false;
	}
	json_object_set_new(args, "reason", json_string(vals[0]));
	return true;
}

static void
reported(struct view *below, json_t *result)
{
	(void)below;
	(void)result;
	ui_flash("Reported. Staff have the message and your reason; its "
	    "author is not told who reported it.");
}

/* b: block or unblock the other person (a group: the selected author). */
static void
conv_block(struct conv *c)
{
	json_t *p = conv_other(c), *m = json_array_get(c->msgs, c->sel);
	const char *h;
	char q[400], done[200];
	bool blocked;

	if (p == NULL && m != NULL && !json_is_true(json_object_get(m,
	    "mine"))) {
		json_t *ps = jarr(c->info, "participants"), *x;
		size_t i;
		json_array_foreach(ps, i, x)
			if (strcmp(js(x, "handle"), js(jobj(m, "author"),
			    "handle")) == 0)
				p = x;
	}
	if (p == NULL) {
		ui_flash("Choose a message by the person to block (j/k).");
		return;
	}
	h = js(p, "handle");
	blocked = json_is_true(json_object_get(p, "blocked"));
	if (blocked) {
		snprintf(q, sizeof q, "Unblock @%s? Their new messages reach "
		    "you again (what they sent meanwhile stays unseen).", h);
		snprintf(done, sizeof done, "@%s is unblocked.", h);
	} else {
		snprintf(q, sizeof q, "Block @%s? They can no longer write to "
		    "you privately, and they are not told: their messages "
		    "simply never reach you.", h);
		snprintf(done, sizeof done, "@%s is blocked.", h);
	}
	ui_push(view_confirm(q, "member.block", json_pack("{s:s, s:b}",
	    "handle", h, "blocked", !blocked), done));
}

static bool
conv_key(struct view *v, int ch, bool is_key)
{
	struct conv *c = (struct conv *)v;
	int n = (int)json_array_size(c->msgs);
	json_t *m;
	char key[64];

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j')) {
		if (c->sel + 1 < n)
			c->sel++;
		c->follow = c->sel + 1 >= n;
	} else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k')) {
		if (c->sel > 0)
			c->sel--;
		c->follow = false;
	} else if ((!is_key && ch == 'g') || (is_key && ch == KEY_HOME)) {
		c->sel = 0;
		c->follow = false;
	} else if ((!is_key && ch == 'G') || (is_key && ch == KEY_END)) {
		c->sel = n > 0 ? n - 1 : 0;
		c->follow = true;
	} else if (!is_key && (ch == 'r' || ch == 'c')) {
		snprintf(key, sizeof key, "message:%lld", (long long)c->id);
		ui_push(composer_open("Reply privately", "message.send",
		    json_pack("{s:I}", "conversation_id", c->id), key, false,
		    NULL, conv_sent));
	} else if (!is_key && ch == 'o' && c->next) {
		net_call("message.get", json_pack("{s:I, s:I}",
		    "conversation_id", c->id, "before", c->next), v, older_got,
		    c);
	} else if (!is_key && ch == 'b') {
		conv_block(c);
	} else if (!is_key && ch == '!') {
		static const struct form_def defs[] = {
			{ "Why", NULL, NULL, "staff read the message and your "
			    "reason; its author is not told who reported it. "
			    "Enter sends." },
		};
		m = json_array_get(c->msgs, c->sel);
		if (m == NULL || json_is_true(json_object_get(m, "mine")))
			ui_flash("Choose a message someone else wrote (j/k), "
			    "then press ! to report it.");
		else
			ui_push(form_open("Report a private message to staff",
			    "Staff (the association's) will read this message "
			    "and your reason.", "message.report", json_pack(
			    "{s:I}", "message_id", ji(m, "id")), defs, 1,
			    report_build, reported));
	} else if (!is_key && ch == 'R') {
		conv_load(c);
	} else
		return false;
	return true;
}

static void
conv_event(struct view *v, const char *name, json_t *data)
{
	struct conv *c = (struct conv *)v;

	if ((strcmp(name, "message.new") == 0 && ji(data, "conversation_id") ==
	    c->id) || strcmp(name, "client.reconnected") == 0 ||
	    strcmp(name, "client.shown") == 0) {
		if (strcmp(name, "message.new") == 0)
			c->follow = c->follow || c->sel + 1 >=
			    (int)json_array_size(c->msgs);
		conv_load(c);
	}
}

static void
conv_free(struct view *v)
{
	struct conv *c = (struct conv *)v;

	json_decref(c->info);
	json_decref(c->msgs);
	free(c);
}

struct view *
view_conversation(json_int_t id)
{
	struct conv *c = xcalloc(1, sizeof *c);

	c->v.title = "Conversation";
	c->v.keys = "r:reply  j/k:choose  !:report  b:block/unblock  "
	    "o:older";
	c->v.help = "A private conversation: only the people in it read it "
	    "(staff and admins cannot). **r** replies (your draft is kept "
	    "if the link drops). **j**/**k** choose a message; **!** reports "
	    "it to staff with your reason. **b** blocks the other person "
	    "(in a group: the chosen message's author), or unblocks them: "
	    "they are never told, and their messages stop reaching you.";
	c->v.draw = conv_draw;
	c->v.key = conv_key;
	c->v.event = conv_event;
	c->v.free = conv_free;
	c->id = id;
	c->follow = true;
	snprintf(c->title, sizeof c->title, "Conversation");
	snprintf(c->msg, sizeof c->msg, "Loading...");
	conv_load(c);
	return &c->v;
}

/* ---- writing to someone new ---- */

static void
started(struct view *below, json_t *result)
{
	(void)below;
	ui_push(view_conversation(ji(result, "conversation_id")));
}

/* A new conversation with handles (spaces or commas between them). */
static struct view *
compose_to(const char *handles)
{
	/* the composer keeps the title's pointer: one message composer at
	 * a time is open over the Messages screen or another */
	static char title[700];
	json_t *to = json_array();
	char buf[600], key[64], *save = NULL, *h;

	snprintf(buf, sizeof buf, "%s", handles);
	for (h = strtok_r(buf, " ,", &save); h != NULL; h = strtok_r(NULL,
	    " ,", &save))
		json_array_append_new(to, json_string(h[0] == '@' ? h + 1 :
		    h));
	if (json_array_size(to) == 0) {
		json_decref(to);
		return NULL;
	}
	snprintf(key, sizeof key, "message:new:%.50s", json_string_value(
	    json_array_get(to, 0)));
	snprintf(title, sizeof title, "Message to %s", handles);
	return composer_open(title, "message.send", json_pack("{s:o}", "to",
	    to), key, false, NULL, started);
}

struct view *
view_message_to(const char *handle)
{
	struct view *v;

	if (g_me != NULL && strcmp(handle, js(g_me, "handle")) == 0) {
		ui_flash("That is you. Choose someone else to write to.");
		return NULL;
	}
	v = compose_to(handle);
	return v;
}

/* ---- the Messages screen ---- */

struct msgs {
	struct view v;
	struct list l;
	json_t *res;
	struct field in; /* who to write to, or what to look for */
	int asking; /* 0, 'w' (to whom) or 's' (search) */
	bool results; /* the list shows search results */
	char msg[300];
};

static void msgs_load(struct msgs *);

static void
msgs_got(void *ctx, json_t *result, json_t *error)
{
	struct msgs *s = ctx;
	json_t *a, *x;
	size_t i;

	list_clear(&s->l);
	s->results = false;
	if (error != NULL) {
		snprintf(s->msg, sizeof s->msg, "%s", err_message(error));
		return;
	}
	json_decref(s->res);
	s->res = json_incref(result);
	g_unread_messages = (int)ji(result, "unread");
	a = jarr(result, "conversations");
	if (g_unread_messages > 0)
		snprintf(s->msg, sizeof s->msg, "%d unread message%s.",
		    g_unread_messages, g_unread_messages == 1 ? "" : "s");
	else
		snprintf(s->msg, sizeof s->msg, json_array_size(a) ?
		    "Nothing unread." : "No conversations yet: press w to "
		    "write to someone.");
	json_array_foreach(a, i, x) {
		char who[240], line[600], right[64], when[32];
		json_t *last = jobj(x, "last");
		json_int_t unread = ji(x, "unread");
		char *ex;

		who_of(jarr(x, "participants"), who, sizeof who);
		ex = snippet_clean(js(last, "body"));
		snprintf(line, sizeof line, "%s %s: %s%s", unread ? "●" : " ",
		    who, json_is_true(json_object_get(last, "mine")) ?
		    "you: " : "", ex);
		free(ex);
		short_time(js(last, "at"), when);
		if (unread)
			snprintf(right, sizeof right, "%lld new  %s",
			    (long long)unread, when);
		else
			snprintf(right, sizeof right, "%s", when);
		list_add(&s->l, line, right, unread ? C_UNREAD : C_NORMAL, x,
		    true)->attr = unread ? A_BOLD : 0;
	}
	if (json_array_size(jarr(result, "blocked")) > 0) {
		char line[600] = "  You block: ";
		json_array_foreach(jarr(result, "blocked"), i, x) {
			size_t n = strlen(line);
			snprintf(line + n, sizeof line - n, "%s@%s", i ? ", " :
			    "", json_string_value(x));
		}
		list_add(&s->l, "", NULL, C_NORMAL, NULL, false);
		list_add(&s->l, line, NULL, C_DIM, NULL, false);
	}
	list_fix(&s->l);
}

static void
msgs_found(void *ctx, json_t *result, json_t *error)
{
	struct msgs *s = ctx;
	json_t *a, *x;
	size_t i;

	if (error != NULL) {
		snprintf(s->msg, sizeof s->msg, "%s", err_message(error));
		return;
	}
	list_clear(&s->l);
	s->results = true;
	a = jarr(result, "results");
	snprintf(s->msg, sizeof s->msg, "%zu found in your messages for "
	    "\"%s\" (R: back to the list).", json_array_size(a), js(result,
	    "q"));
	json_array_foreach(a, i, x) {
		char line[600], when[32];
		char *sn = snippet_clean(js(x, "snippet"));
		snprintf(line, sizeof line, "@%s: %s", js(jobj(x, "author"),
		    "handle"), sn);
		free(sn);
		short_time(js(x, "at"), when);
		list_add(&s->l, line, when, C_NORMAL, x, true);
	}
	list_fix(&s->l);
}

static void
msgs_load(struct msgs *s)
{
	net_call("message.conversations", NULL, &s->v, msgs_got, s);
}

static void
msgs_draw(struct view *v, int rows, int cols)
{
	struct msgs *s = (struct msgs *)v;

	put_text(1, 1, cols - 2, "Messages", C_HEAD, A_BOLD);
	if (s->asking) {
		s->in.label = s->asking == 'w' ? "To (handles)" :
		    "Search your messages";
		ui_cursor(2, field_draw(&s->in, 2, 2, cols - 4, true));
	} else if (s->msg[0] != '\0')
		put_text(2, 2, cols - 4, s->msg, C_DIM, 0);
	list_draw(&s->l, 3, rows - 1, cols);
}

static bool
msgs_key(struct view *v, int ch, bool is_key)
{
	struct msgs *s = (struct msgs *)v;
	struct row *r;

	if (s->asking) {
		if (!is_key && ch == 27) {
			s->asking = 0;
			v->typing = false;
		} else if (ENTER(ch, is_key)) {
			int what = s->asking;
			s->asking = 0;
			v->typing = false;
			if (s->in.len == 0)
				return true;
			if (what == 's')
				net_call("message.search", json_pack("{s:s}",
				    "q", s->in.text), v, msgs_found, s);
			else {
				struct view *c = compose_to(s->in.text);
				if (c != NULL)
					ui_push(c);
			}
		} else
			field_key(&s->in, ch, is_key);
		return true;
	}
	if (list_key(&s->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&s->l)) != NULL) {
		ui_push(view_conversation(s->results ? ji(r->data,
		    "conversation_id") : ji(r->data, "id")));
		return true;
	}
	if (!is_key && (ch == 'w' || ch == 's')) {
		s->asking = ch;
		s->in.len = 0;
		s->in.text[0] = '\0';
		v->typing = true;
		return true;
	}
	if (!is_key && ch == 'R') {
		msgs_load(s);
		return true;
	}
	return false;
}

static void
msgs_event(struct view *v, const char *name, json_t *data)
{
	struct msgs *s = (struct msgs *)v;

	(void)data;
	if (s->results)
		return;
	if (strcmp(name, "message.new") == 0 || strcmp(name,
	    "message.read") == 0 || strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0)
		msgs_load(s);
}

static void
msgs_free(struct view *v)
{
	struct msgs *s = (struct msgs *)v;

	list_free(&s->l);
	json_decref(s->res);
	free(s);
}

struct view *
view_messages(void)
{
	struct msgs *s = xcalloc(1, sizeof *s);

	s->v.title = "Messages";
	s->v.keys = "Enter:open  w:write to someone  s:search your messages  "
	    "R:refresh";
	s->v.help = "Your private conversations, the latest first; ● and "
	    "bold: unread. **Enter** opens one. **w** writes to someone new: "
	    "type their handle (several, with spaces between, for a group of "
	    "up to 10). **s** searches your own messages (nobody else's). "
	    "In a conversation, **b** blocks and **!** reports.";
	s->v.draw = msgs_draw;
	s->v.key = msgs_key;
	s->v.event = msgs_event;
	s->v.free = msgs_free;
	snprintf(s->msg, sizeof s->msg, "Loading...");
	msgs_load(s);
	return &s->v;
}
