/*
 * email.c: Profile → E-mail, the member's address (a code is sent to it
 * and typed back here) and what Hearth sends to it: the digest (weekly,
 * daily or off) and each kind of e-mail sent at once (email.prefs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

enum em_mode { EM_LIST, EM_ADDRESS, EM_CODE };

/* The switches, in the order shown: email.prefs's names and the words. */
static const struct {
	const char *name, *label;
} switches[] = {
	{ "mentions", "When someone mentions you" },
	{ "messages", "Private messages to you" },
	{ "messages_full", "  ... with the whole message (not only its first line)" },
	{ "replies", "Replies to your posts" },
	{ "reminders", "Reminders of events you are going to (with the event)" },
	{ "requests", "Answers to your requests to join" },
};
#define NSWITCH (sizeof switches / sizeof *switches)

/* A row's action: data is {"do": ...}. */
struct email {
	struct view v;
	struct list l;
	json_t *prefs;
	enum em_mode mode;
	struct field f;
	char msg[512];
	bool error, busy;
};

static void email_load(struct email *);

static void
row(struct email *e, const char *text, const char *right, const char *act)
{
	list_add(&e->l, text, right, C_NORMAL, json_pack("{s:s}", "do", act),
	    true);
}

static void
email_fill(struct email *e)
{
	char line[400];
	bool has = json_is_string(json_object_get(e->prefs, "email"));
	bool ok = json_is_true(json_object_get(e->prefs, "verified"));

	list_clear(&e->l);
	if (e->prefs == NULL) {
		list_add(&e->l, "Loading...", NULL, C_DIM, NULL, false);
		list_fix(&e->l);
		return;
	}
	if (!has) {
		row(e, "Set your e-mail address", "Enter", "address");
		list_fix(&e->l);
		return;
	}
	snprintf(line, sizeof line, "Address: %s", js(e->prefs, "email"));
	row(e, line, ok ? "confirmed" : "not confirmed yet", "address");
	if (!ok) /* the settings below apply once it is confirmed */
		row(e, "Type the code we sent to it", "Enter", "code");
	snprintf(line, sizeof line, "Digest: %s", js(e->prefs, "digest"));
	row(e, line, "Enter: weekly, daily or off", "digest");
	list_add(&e->l, "", NULL, C_DIM, NULL, false);
	list_add(&e->l, "E-mail me at once (at most one every few minutes, "
	    "never while I am connected):", NULL, C_DIM, NULL, false);
	for (size_t i = 0; i < NSWITCH; i++)
		row(e, switches[i].label, json_is_true(json_object_get(e->prefs,
		    switches[i].name)) ? "[x] yes" : "[ ] no", switches[i].name);
	list_add(&e->l, "", NULL, C_DIM, NULL, false);
	row(e, "Remove my address (Hearth sends nothing more)", "Enter",
	    "remove");
	list_fix(&e->l);
}

static void
got(void *ctx, json_t *result, json_t *error)
{
	struct email *e = ctx;

	e->busy = false;
	if (error != NULL) {
		snprintf(e->msg, sizeof e->msg, "%s", err_message(error));
		e->error = true;
		return;
	}
	/* profile.update answers with the profile: load the settings again */
	if (json_object_get(result, "profile") != NULL) {
		email_load(e);
		return;
	}
	if (json_is_false(json_object_get(result, "verified")) &&
	    json_is_string(json_object_get(result, "message"))) {
		snprintf(e->msg, sizeof e->msg, "%s (%lld tries left)",
		    js(result, "message"), (long long)ji(result, "tries_left"));
		if (e->msg[0] >= 'a' && e->msg[0] <= 'z') /* a sentence */
			e->msg[0] = (char)(e->msg[0] - 'a' + 'A');
		e->error = true;
		return;
	}
	json_decref(e->prefs);
	e->prefs = json_incref(result);
	email_fill(e);
}

static void
email_load(struct email *e)
{
	net_call("email.prefs", NULL, &e->v, got, e);
}

static void
email_draw(struct view *v, int rows, int cols)
{
	struct email *e = (struct email *)v;
	int y = 1, end;

	put_text(y++, 2, cols - 4, "E-mail", C_HEAD, A_BOLD);
	put_text(y++, 2, cols - 4, "For when you are not connected. Your "
	    "address is shown to no one.", C_DIM, 0);
	if (e->prefs != NULL && !json_is_true(json_object_get(e->prefs,
	    "sending")))
		put_text(y++, 2, cols - 4, "This server sends no e-mail yet "
		    "(not set up by its administrator).", C_ERROR, 0);
	if (e->msg[0] != '\0')
		put_text(y++, 2, cols - 4, e->msg, e->error ? C_ERROR : C_OK,
		    A_BOLD);
	y++;
	if (e->mode == EM_ADDRESS || e->mode == EM_CODE) {
		put_text(y++, 2, cols - 4, e->mode == EM_ADDRESS ? "Type your "
		    "address and press Enter; a code is sent to it. Esc: "
		    "cancel." : "Type the six-digit code from the e-mail and "
		    "press Enter. Esc: cancel.", C_NORMAL, 0);
		y++;
		end = field_draw(&e->f, y, 2, cols - 4, true);
		ui_cursor(y, end);
		return;
	}
	list_draw(&e->l, y, rows, cols);
}

static void
edit(struct email *e, enum em_mode mode)
{
	memset(&e->f, 0, sizeof e->f);
	e->f.label = mode == EM_ADDRESS ? "Address" : "Code";
	e->mode = mode;
	e->msg[0] = '\0';
	e->v.typing = true;
}

static void
act(struct email *e, const char *what)
{
	const char *now;
	json_t *args;

	if (strcmp(what, "address") == 0) {
		edit(e, EM_ADDRESS);
		return;
	}
	if (strcmp(what, "code") == 0) {
		edit(e, EM_CODE);
		return;
	}
	e->busy = true;
	e->msg[0] = '\0';
	if (strcmp(what, "remove") == 0) {
		net_call("profile.update", json_pack("{s:s}", "email", ""),
		    &e->v, got, e);
		snprintf(e->msg, sizeof e->msg, "Your address is removed.");
		e->error = false;
		return;
	}
	if (strcmp(what, "digest") == 0) {
		now = js(e->prefs, "digest");
		args = json_pack("{s:s}", "digest", strcmp(now, "weekly") == 0 ?
		    "daily" : strcmp(now, "daily") == 0 ? "off" : "weekly");
	} else
		args = json_pack("{s:b}", what, !json_is_true(
		    json_object_get(e->prefs, what)));
	net_call("email.prefs", args, &e->v, got, e);
}

static bool
email_key(struct view *v, int ch, bool is_key)
{
	struct email *e = (struct email *)v;
	struct row *r;

	if (e->busy)
		return true;
	if (e->mode != EM_LIST) {
		if (!is_key && ch == 27) {
			e->mode = EM_LIST;
			v->typing = false;
			return true;
		}
		if (ENTER(ch, is_key)) {
			e->busy = true;
			v->typing = false;
			if (e->mode == EM_ADDRESS) {
				net_call("profile.update", json_pack("{s:s}",
				    "email", e->f.text), v, got, e);
				if (json_is_true(json_object_get(e->prefs,
				    "sending")))
					snprintf(e->msg, sizeof e->msg, "A code "
					    "is on its way to %.300s: choose "
					    "\"Type the code\" when it comes.",
					    e->f.text);
				else
					snprintf(e->msg, sizeof e->msg, "Saved. "
					    "No code will come until this server "
					    "sends e-mail; ask its administrator.");
			} else
				net_call("email.verify", json_pack("{s:s}",
				    "code", e->f.text), v, got, e);
			e->error = false;
			e->mode = EM_LIST;
			return true;
		}
		field_key(&e->f, ch, is_key);
		return true;
	}
	/* Space changes the row, as Enter does (before the list pages) */
	if ((ENTER(ch, is_key) || (!is_key && ch == ' ')) &&
	    (r = list_cur(&e->l)) != NULL && r->data != NULL) {
		act(e, js(r->data, "do"));
		return true;
	}
	if (list_key(&e->l, ch, is_key))
		return true;
	if (!is_key && ch == 'R') {
		email_load(e);
		return true;
	}
	return false;
}

static void
email_free(struct view *v)
{
	struct email *e = (struct email *)v;

	list_free(&e->l);
	json_decref(e->prefs);
	free(e);
}

struct view *
view_email(void)
{
	struct email *e = xcalloc(1, sizeof *e);

	e->v.title = "E-mail";
	e->v.keys = "Enter/Space: change  R:reload";
	e->v.help = "Hearth can e-mail you when you are not connected: a "
	    "**digest** (weekly, daily or off) of new threads in your "
	    "communities, replies, mentions and your coming events, and, at "
	    "once, the things you tick. Set your address, then type the code "
	    "we send to it. Every e-mail says how to stop it.";
	e->v.draw = email_draw;
	e->v.key = email_key;
	e->v.free = email_free;
	email_fill(e);
	email_load(e);
	return &e->v;
}
