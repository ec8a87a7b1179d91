/*
 * coc.c: the code of conduct on screen: at the first run (then the
 * profile), read again from Help (C), and accepted again when the
 * association changed it. A write the server refuses with coc_required
 * (net.c hands every reply to coc_reply) opens the accept screen over
 * whatever was being written, so the member reads the text, accepts, and
 * is back where they were. welcome.c calls coc_first_run at start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

enum coc_mode {
	COC_READ, /* from Help */
	COC_ACCEPT, /* a new version, or a write refused */
	COC_FIRST, /* the first run: the profile comes next */
};

struct cocv {
	struct view v;
	json_t *coc; /* coc.get's result; NULL while loading */
	enum coc_mode mode;
	bool accept; /* not COC_READ */
	bool sending;
	int scroll;
	char err[256];
};

static bool coc_open; /* an accept screen is on the stack */

static void
cocv_draw(struct view *v, int rows, int cols)
{
	struct cocv *c = (struct cocv *)v;
	const char *text;
	char line[300], when[32];
	struct rdoc d;
	int y = 1;

	if (c->coc == NULL) {
		put_text(y, 2, cols - 4, c->err[0] ? c->err : "Loading...",
		    c->err[0] ? C_ERROR : C_DIM, 0);
		return;
	}
	if (c->mode == COC_FIRST) {
		snprintf(line, sizeof line, "Welcome, %s. Before you start: "
		    "our code of conduct", js(g_me, "display_name"));
		put_text(y++, 2, cols - 4, line, C_HEAD, A_BOLD);
		put_text(y++, 2, cols - 4, "Read it (j/k, Space to scroll), "
		    "then press a to accept it.", C_DIM, 0);
	} else if (c->accept) {
		put_text(y++, 2, cols - 4, json_is_true(json_object_get(
		    c->coc, "changed")) ? "The code of conduct has changed" :
		    "Before you write: our code of conduct", C_HEAD, A_BOLD);
		put_text(y++, 2, cols - 4, "Read it (j/k, Space to scroll), "
		    "then press a to accept it and write again.", C_DIM, 0);
	} else {
		if (json_is_string(json_object_get(c->coc, "accepted_at"))) {
			short_time(js(c->coc, "accepted_at"), when);
			snprintf(line, sizeof line, "Version %lld. You "
			    "accepted it on %s.", (long long)ji(c->coc,
			    "version"), when);
		} else
			snprintf(line, sizeof line, "Version %lld. You have "
			    "not accepted it yet: press a to accept it.",
			    (long long)ji(c->coc, "version"));
		put_text(y++, 2, cols - 4, line, C_DIM, 0);
	}
	if (c->err[0] != '\0')
		put_text(y++, 2, cols - 4, c->err, C_ERROR, A_BOLD);
	y++;
	text = js(c->coc, "text");
	rdoc_init(&d);
	render_markdown(&d, text, strlen(text), cols - 4);
	if (c->scroll > (int)d.n - 1)
		c->scroll = d.n > 0 ? (int)d.n - 1 : 0;
	for (int i = 0; y + i <= rows && (size_t)(c->scroll + i) < d.n; i++)
		put_rline(y + i, 2, cols - 4, &d.lines[c->scroll + i]);
	rdoc_free(&d);
}

static void
cocv_loaded(void *ctx, json_t *result, json_t *error)
{
	struct cocv *c = ctx;

	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	json_decref(c->coc);
	c->coc = json_incref(result);
}

static void
cocv_accepted(void *ctx, json_t *result, json_t *error)
{
	struct cocv *c = ctx;

	c->sending = false;
	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	if (c->mode == COC_FIRST) {
		/* next: the member's profile, opened for editing */
		ui_replace(view_profile_first_run());
		ui_flash("Thank you. Now tell others about yourself: fill in "
		    "what you like, Ctrl-S saves.");
		return;
	}
	if (c->accept) {
		ui_pop();
		ui_flash("Thank you. You can write again: send what you "
		    "wrote once more.");
		return;
	}
	json_object_set(c->coc, "accepted_at", json_object_get(result,
	    "accepted_at"));
	ui_flash("Accepted. Thank you.");
}

static bool
cocv_key(struct view *v, int ch, bool is_key)
{
	struct cocv *c = (struct cocv *)v;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		c->scroll++;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		c->scroll -= c->scroll > 0;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		c->scroll += 10;
	else if ((is_key && ch == KEY_PPAGE))
		c->scroll = c->scroll > 10 ? c->scroll - 10 : 0;
	else if (!is_key && (ch == 'a' || ch == 'A') && c->coc != NULL &&
	    !c->sending && !json_is_string(json_object_get(c->coc,
	    "accepted_at"))) {
		c->sending = true;
		net_call("member.accept_coc", NULL, v, cocv_accepted, c);
	} else if (!is_key && ch == 'q' && c->accept) {
		ui_pop();
		ui_flash("You can read, but need to accept the code of "
		    "conduct to write.");
	} else
		return false;
	return true;
}

static void
cocv_free(struct view *v)
{
	struct cocv *c = (struct cocv *)v;

	if (c->accept)
		coc_open = false;
	json_decref(c->coc);
	free(c);
}

/* The screen; coc (stolen) when already known, else it is asked for. */
static struct view *
cocv_new(enum coc_mode mode, json_t *coc)
{
	struct cocv *c = xcalloc(1, sizeof *c);
	bool accept = mode != COC_READ;

	c->v.title = mode == COC_FIRST ? "Welcome" : "Code of conduct";
	c->v.keys = accept ? "a:accept  j/k/Space:scroll  q:later" :
	    "a:accept  j/k/Space:scroll  q:back";
	c->v.help = "The association's code of conduct, which every member "
	    "accepts before writing; when it changes, members accept the "
	    "new version. Help (**?**) then **C** shows it any time.";
	c->v.draw = cocv_draw;
	c->v.key = cocv_key;
	c->v.free = cocv_free;
	c->mode = mode;
	c->accept = accept;
	c->coc = coc;
	if (accept)
		coc_open = true;
	if (coc == NULL)
		net_call("coc.get", NULL, &c->v, cocv_loaded, c);
	return &c->v;
}

struct view *
view_coc_read(void)
{
	return cocv_new(COC_READ, NULL);
}

void
coc_first_run(json_t *coc)
{
	if (coc_open || json_is_string(json_object_get(coc, "accepted_at")))
		return;
	/* accepted before: only the new version, no first run */
	ui_push(cocv_new(json_is_true(json_object_get(coc, "changed")) ?
	    COC_ACCEPT : COC_FIRST, json_incref(coc)));
}

void
coc_reply(json_t *msg)
{
	json_t *e = json_object_get(msg, "error");

	if (json_is_true(json_object_get(msg, "ok")) || coc_open ||
	    strcmp(js(e, "code"), "coc_required") != 0 || g_me == NULL)
		return;
	ui_push(cocv_new(COC_ACCEPT, NULL));
}
