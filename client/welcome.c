/*
 * welcome.c: the first screen, chosen from the server's greeting (Home,
 * the join form, or why this key may not come in), and the first run: the
 * code of conduct to accept, then the member's profile to fill in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct coc {
	struct view v;
	char *text;
	int scroll;
	bool sending;
	char err[256];
};

static void
coc_draw(struct view *v, int rows, int cols)
{
	struct coc *c = (struct coc *)v;
	struct rdoc d;
	int y = 1;

	{
		char head[300];
		snprintf(head, sizeof head, "Welcome, %s. Before you start: "
		    "our code of conduct", js(g_me, "display_name"));
		put_text(y++, 2, cols - 4, head, C_HEAD, A_BOLD);
	}
	put_text(y++, 2, cols - 4, "Read it (j/k, Space to scroll), then "
	    "press a to accept it.", C_DIM, 0);
	if (c->err[0] != '\0')
		put_text(y++, 2, cols - 4, c->err, C_ERROR, A_BOLD);
	y++;
	rdoc_init(&d);
	render_markdown(&d, c->text, strlen(c->text), cols - 4);
	if (c->scroll > (int)d.n - 1)
		c->scroll = d.n > 0 ? (int)d.n - 1 : 0;
	for (int i = 0; y + i <= rows && (size_t)(c->scroll + i) < d.n; i++)
		put_rline(y + i, 2, cols - 4, &d.lines[c->scroll + i]);
	rdoc_free(&d);
}

static void
coc_accepted(void *ctx, json_t *result, json_t *error)
{
	struct coc *c = ctx;
	struct view *pv;

	(void)result;
	c->sending = false;
	if (error != NULL) {
		snprintf(c->err, sizeof c->err, "%s", err_message(error));
		return;
	}
	/* next: the member's profile, opened for editing */
	pv = view_profile_first_run();
	ui_replace(pv);
	ui_flash("Thank you. Now tell others about yourself: fill in what "
	    "you like, Ctrl-S saves.");
}

static bool
coc_key(struct view *v, int ch, bool is_key)
{
	struct coc *c = (struct coc *)v;

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j'))
		c->scroll++;
	else if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k'))
		c->scroll -= c->scroll > 0;
	else if ((is_key && ch == KEY_NPAGE) || (!is_key && ch == ' '))
		c->scroll += 10;
	else if (!is_key && (ch == 'a' || ch == 'A') && !c->sending) {
		c->sending = true;
		net_call("member.accept_coc", NULL, v, coc_accepted, c);
	} else if (!is_key && ch == 'q') {
		/* not accepting: reading is fine, writing is refused */
		ui_pop();
		ui_flash("You can read, but need to accept the code of conduct "
		    "to write.");
	} else
		return false;
	return true;
}

static void
coc_free(struct view *v)
{
	struct coc *c = (struct coc *)v;

	free(c->text);
	free(c);
}

static struct view *
view_coc(const char *text)
{
	struct coc *c = xcalloc(1, sizeof *c);

	c->v.title = "Welcome";
	c->v.keys = "a:accept  j/k/Space:scroll  q:later";
	c->v.draw = coc_draw;
	c->v.key = coc_key;
	c->v.free = coc_free;
	c->text = xstrdup(text);
	return &c->v;
}

/* If the code of conduct is not accepted yet, start the first run. */
static void
coc_checked(void *ctx, json_t *result, json_t *error)
{
	struct view *home = ctx;

	if (error != NULL || json_is_string(json_object_get(result,
	    "accepted_at")) || ui_top() != home)
		return;
	if (coc_changed(result))
		return;
	ui_push(view_coc(js(result, "text")));
}

void
welcome_first_run(void)
{
	net_call("coc.get", NULL, ui_top(), coc_checked, ui_top());
}

/* The greeting decides the first screen. */
void
welcome_start(json_t *hello)
{
	json_t *m = json_object_get(hello, "member");
	json_t *removed = json_object_get(hello, "removed");

	if (json_is_object(removed)) {
		char msg[512];
		snprintf(msg, sizeof msg, "Your Hearth membership was removed "
		    "on %s.\n\nReason: %s", js(removed, "at"),
		    js(removed, "reason"));
		ui_push(view_message("Membership removed", msg));
		return;
	}
	if (json_is_true(json_object_get(hello, "join"))) {
		ui_push(view_join());
		return;
	}
	if (!json_is_object(m)) {
		ui_push(view_message("Not a member", "This key does not "
		    "belong to a Hearth member. To join, connect as user "
		    "**join** and enter your invite code."));
		return;
	}
	g_me = json_incref(m);
	ui_push(view_home());
	welcome_first_run();
}
