/*
 * join.c: the join form of a join session (user "join"): the invite code,
 * a handle and a name, sent with invite.redeem; then Home and the first
 * run. A member adding a new device enters the device code made on their
 * other device in the same first field: leaving the field tries it as one
 * (device.redeem) while the form goes on to the handle; if it was one, the
 * device is signed in and Home replaces the form, else the invite path
 * goes on (the server answers in order, so an invite.redeem sent meanwhile
 * comes after the check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct join {
	struct view v;
	struct field f[3];
	int on;
	char err[512];
	bool sending;
	bool checking; /* device.redeem of the code is under way */
	bool checked; /* the code was tried as a device code: not one */
	char info[300]; /* whom the invite is for (invite.check) */
	bool prefilled; /* the name is the invite's: typing replaces it */
};

static void
join_draw(struct view *v, int rows, int cols)
{
	struct join *j = (struct join *)v;
	static const char *intro[] = {
		"Welcome to Hearth.",
		"",
		"To join, enter the invite code you were sent, then choose a",
		"handle (how others @mention you) and the name people see.",
		"",
		"Adding this device to your membership? Enter the device code",
		"you made on your other device (Profile, then Devices).",
		NULL,
	};
	int y = 2, cy = 0, cx = 0;

	for (int i = 0; intro[i] != NULL; i++)
		put_text(y++, 2, cols - 4, intro[i], i == 0 ? C_HEAD : C_NORMAL,
		    i == 0 ? A_BOLD : 0);
	y++;
	for (int i = 0; i < 3; i++) {
		int end = field_draw(&j->f[i], y, 2, cols - 4, i == j->on);
		if (i == j->on)
			cy = y, cx = end;
		if (i == 0)
			put_text(y + 1, 4, cols - 6, "(or the device code from "
			    "your other device)", C_DIM, 0);
		y += 2;
	}
	if (j->info[0] != '\0')
		put_text(y++, 2, cols - 4, j->info, C_OK, 0);
	if (j->sending)
		put_text(y++, 2, cols - 4, "Joining...", C_DIM, 0);
	if (j->err[0] != '\0') { /* whole sentences: wrapped */
		struct rdoc d;

		rdoc_init(&d);
		rdoc_wrap(&d, j->err, cols - 4);
		for (size_t i = 0; i < d.n && y < rows; i++)
			put_text(y++, 2, cols - 4, d.lines[i].text, C_ERROR,
			    A_BOLD);
		rdoc_free(&d);
	}
	ui_cursor(cy, cx);
}

static void
join_done(void *ctx, json_t *result, json_t *error)
{
	struct join *j = ctx;
	json_t *m;

	j->sending = false;
	if (error != NULL) {
		snprintf(j->err, sizeof j->err, "%s", err_message(error));
		if (strstr(j->err, "handle") != NULL)
			j->on = 1;
		else if (strstr(j->err, "code") != NULL)
			j->on = 0;
		return;
	}
	m = json_object_get(result, "member");
	json_decref(g_me);
	g_me = json_incref(m);
	when_member(m);
	ui_replace(view_home());
	ui_flash("Welcome, %s! Next time, connect with the same key as any "
	    "user name.", js(m, "display_name"));
	welcome_first_run();
}

/* The invite check: the name it was made for fills the name field. */
static void
invite_checked(void *ctx, json_t *result, json_t *error)
{
	struct join *j = ctx;

	if (error != NULL) {
		/* a used or expired code is said at once (focus stays where
		 * the member types); an unknown one when they send the form */
		if (!err_unknown_op(error) && !j->sending &&
		    strcmp(js(error, "code"), "not_found") != 0)
			snprintf(j->err, sizeof j->err, "%s",
			    err_message(error));
		return;
	}
	j->err[0] = '\0';
	snprintf(j->info, sizeof j->info, "This invite is for %s%s%s. Choose "
	    "a handle; type another name if you like.", js(result, "name"),
	    json_is_string(json_object_get(result, "community")) ?
	    ", to join " : "", json_is_string(json_object_get(result,
	    "community")) ? js(result, "community") : "");
	if (j->f[2].len == 0) {
		snprintf(j->f[2].text, sizeof j->f[2].text, "%s",
		    js(result, "name"));
		j->f[2].len = strlen(j->f[2].text);
		j->prefilled = true;
	}
}

/* The code was tried as a device code. */
static void
device_done(void *ctx, json_t *result, json_t *error)
{
	struct join *j = ctx;
	json_t *m;

	j->checking = false;
	if (error != NULL) {
		if (strcmp(js(error, "code"), "not_found") == 0) {
			j->checked = true; /* no device code: an invite */
			net_call("invite.check", json_pack("{s:s}", "code",
			    j->f[0].text), &j->v, invite_checked, j);
		} else {
			snprintf(j->err, sizeof j->err, "%s",
			    err_message(error));
			j->on = 0;
		}
		return;
	}
	m = json_object_get(result, "member");
	json_decref(g_me);
	g_me = json_incref(m);
	when_member(m);
	ui_replace(view_home());
	{ /* said until it is read, as the line mode prints it */
		char text[600];

		snprintf(text, sizeof text, "This device's key now belongs to "
		    "**%s** (@%s), next to your other devices (Profile, then "
		    "Devices, lists them all).\n\nNext time, connect from this "
		    "device with it, under any user name.\n\nEnter: on to "
		    "Home.", js(m, "display_name"), js(m, "handle"));
		ui_push(view_message("This device is now added", text));
	}
	ui_flash("This device is now added: it signs in as %s.",
	    js(m, "display_name"));
	welcome_first_run();
}

static bool
join_key(struct view *v, int ch, bool is_key)
{
	struct join *j = (struct join *)v;

	if (j->sending)
		return true;
	if (j->on == 0 && j->f[0].len > 0 && !j->checked && !j->checking &&
	    (ENTER(ch, is_key) || (!is_key && ch == '\t') || (is_key &&
	    ch == KEY_DOWN))) {
		j->checking = true;
		j->err[0] = '\0';
		net_call("device.redeem", json_pack("{s:s}", "code",
		    j->f[0].text), v, device_done, j);
	}
	if (ENTER(ch, is_key) || (!is_key && ch == '\t') || (is_key &&
	    ch == KEY_DOWN)) {
		if (j->on < 2) {
			j->on++;
			return true;
		}
		if (!ENTER(ch, is_key))
			return true;
		for (int i = 0; i < 3; i++)
			if (j->f[i].len == 0) {
				j->on = i;
				snprintf(j->err, sizeof j->err, "Please fill "
				    "in the %s.", i == 0 ? "invite code" :
				    i == 1 ? "handle" : "name");
				return true;
			}
		j->sending = true;
		j->err[0] = '\0';
		net_call("invite.redeem", json_pack("{s:s, s:s, s:s}", "code",
		    j->f[0].text, "handle", j->f[1].text, "display_name",
		    j->f[2].text), v, join_done, j);
		return true;
	}
	if ((is_key && (ch == KEY_UP || ch == KEY_BTAB)) && j->on > 0) {
		j->on--;
		return true;
	}
	if (!is_key && (ch == 27 || ch == KEY_CTRL('c'))) {
		ui_quit(1);
		return true;
	}
	if (j->on == 2 && j->prefilled) {
		/* the invite's name is offered as a whole: a letter typed
		 * replaces it, Enter keeps it, editing keys edit it */
		j->prefilled = false;
		if (!is_key && ch >= 0x20 && ch != 0x7f) {
			j->f[2].len = 0;
			j->f[2].text[0] = '\0';
		}
	}
	if (field_key(&j->f[j->on], ch, is_key) && j->on == 0) {
		j->checked = false; /* a changed code is tried again */
		j->info[0] = '\0';
	}
	return true;
}

struct view *
view_join(void)
{
	struct join *j = xcalloc(1, sizeof *j);

	j->v.title = "Join";
	j->v.keys = "Enter:next/join  Up:previous field  Esc:leave";
	j->v.draw = join_draw;
	j->v.key = join_key;
	j->f[0].label = "Invite code";
	j->f[1].label = "Handle (a-z, 0-9, - or _; e.g. sam_k)";
	j->f[2].label = "Your name as others see it";
	return &j->v;
}
