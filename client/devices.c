/*
 * devices.c: Profile → Devices, the member's own SSH keys, one per device
 * they sign in from: each with its name, fingerprint and last use
 * (device.list); removing one (device.remove: never the only one, and the
 * one in use only after a warning); and a one-time device code for a new
 * device (device.code), shown once with what to type there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

enum dev_mode { DEV_LIST, DEV_NAMING, DEV_ASKING, DEV_CODE };

struct devices {
	struct view v;
	struct list l;
	json_t *keys;
	json_t *pending; /* the pending code's hint and expiry, or NULL */
	json_t *code; /* device.code's result while shown */
	json_t *asking; /* the key asked about */
	enum dev_mode mode;
	struct field name;
	char msg[512];
	bool busy;
};

static void devices_load(struct devices *);

static void
devices_fill(struct devices *d)
{
	char line[400], right[80], when[32];
	json_t *k;
	size_t i;

	list_clear(&d->l);
	json_array_foreach(d->keys, i, k) {
		snprintf(line, sizeof line, "%s%s", js(k, "name"),
		    json_is_true(json_object_get(k, "current")) ?
		    "  (this device)" : "");
		if (js(k, "last_used_at")[0]) {
			short_time(js(k, "last_used_at"), when);
			snprintf(right, sizeof right, "last used %s", when);
		} else
			snprintf(right, sizeof right, "not used yet");
		list_add(&d->l, line, right, C_NORMAL, k, true);
		short_time(js(k, "added_at"), when);
		snprintf(line, sizeof line, "    %s  added %s",
		    js(k, "fingerprint"), when);
		list_add(&d->l, line, NULL, C_DIM, NULL, false);
	}
	if (json_array_size(d->keys) == 0 && d->msg[0] == '\0')
		list_add(&d->l, "Loading...", NULL, C_DIM, NULL, false);
	list_fix(&d->l);
}

static void
devices_got(void *ctx, json_t *result, json_t *error)
{
	struct devices *d = ctx;

	if (error != NULL) {
		snprintf(d->msg, sizeof d->msg, "%s", err_message(error));
		return;
	}
	json_decref(d->keys);
	d->keys = json_incref(jarr(result, "keys"));
	json_decref(d->pending);
	d->pending = json_is_object(json_object_get(result, "pending_code")) ?
	    json_incref(json_object_get(result, "pending_code")) : NULL;
	devices_fill(d);
}

static void
devices_load(struct devices *d)
{
	net_call("device.list", NULL, &d->v, devices_got, d);
}

/* The code screen: the code once, and what to do on the new device. */
static void
code_draw(struct devices *d, int rows, int cols)
{
	char line[600], when[32];
	int y = 1;

	(void)rows;
	put_text(y++, 2, cols - 4, "A device code for your new device",
	    C_HEAD, A_BOLD);
	y++;
	snprintf(line, sizeof line, "    %s", js(d->code, "code"));
	put_text(y++, 2, cols - 4, line, C_OK, A_BOLD);
	y++;
	when_format(time_from_iso8601(js(d->code, "expires_at")),
	    "%H:%M %Z", when, sizeof when);
	snprintf(line, sizeof line, "It works once, for %lld minutes (until "
	    "%s). Keep it to yourself.", (long long)ji(d->code,
	    "minutes"), when);
	put_text(y++, 2, cols - 4, line, C_NORMAL, 0);
	y++;
	put_text(y++, 2, cols - 4, "On the new device:", C_HEAD, 0);
	put_text(y++, 2, cols - 4, "1. If it has no SSH key yet, make one "
	    "(press Enter at each question):", C_NORMAL, 0);
	put_text(y++, 2, cols - 4, "     ssh-keygen -t ed25519", C_CODE, 0);
	put_text(y++, 2, cols - 4, "   Windows: in PowerShell.  macOS: in "
	    "Terminal.  Linux: in a terminal.", C_DIM, 0);
	put_text(y++, 2, cols - 4, "2. Connect as join:", C_NORMAL, 0);
	snprintf(line, sizeof line, "     %s", js(d->code, "connect"));
	put_text(y++, 2, cols - 4, line, C_CODE, 0);
	put_text(y++, 2, cols - 4, "3. Enter this code where it asks for "
	    "your code.", C_NORMAL, 0);
	put_text(y++, 2, cols - 4, "   The new device is then signed in as "
	    "you, and shows here.", C_NORMAL, 0);
	y++;
	put_text(y++, 2, cols - 4, "Press any key to go back to your devices.",
	    C_DIM, 0);
}

static void
devices_draw(struct view *v, int rows, int cols)
{
	struct devices *d = (struct devices *)v;
	char line[600];
	int y = 1, top;

	if (d->mode == DEV_CODE) {
		code_draw(d, rows, cols);
		return;
	}
	put_text(y++, 2, cols - 4, "Your devices", C_HEAD, A_BOLD);
	put_text(y++, 2, cols - 4, "Each computer or phone you sign in from "
	    "has its own key.", C_DIM, 0);
	if (d->pending != NULL) {
		char when[32];

		when_format(time_from_iso8601(js(d->pending, "expires_at")),
		    "%H:%M %Z", when, sizeof when);
		snprintf(line, sizeof line, "A device code ending %s waits "
		    "to be used (until %s).", js(d->pending, "hint"), when);
		put_text(y++, 2, cols - 4, line, C_DIM, 0);
	}
	if (d->msg[0] != '\0')
		put_text(y++, 2, cols - 4, d->msg, C_ERROR, A_BOLD);
	y++;
	top = y;
	if (d->mode == DEV_NAMING) {
		int end;

		put_text(y++, 2, cols - 4, "A device code lets a new device "
		    "add its key to your membership.", C_NORMAL, 0);
		put_text(y++, 2, cols - 4, "Name the new device (optional), "
		    "then press Enter. Esc: cancel.", C_NORMAL, 0);
		y++;
		end = field_draw(&d->name, y, 2, cols - 4, true);
		ui_cursor(y, end);
		return;
	}
	if (d->mode == DEV_ASKING) {
		bool cur = json_is_true(json_object_get(d->asking, "current"));

		snprintf(line, sizeof line, "Remove \"%s\"?",
		    js(d->asking, "name"));
		put_text(y++, 2, cols - 4, line, C_HEAD, A_BOLD);
		snprintf(line, sizeof line, "  key %s",
		    js(d->asking, "fingerprint"));
		put_text(y++, 2, cols - 4, line, C_DIM, 0);
		if (cur) {
			put_text(y++, 2, cols - 4, "This is the device you are "
			    "using now. Once its key is removed, this device",
			    C_ERROR, A_BOLD);
			put_text(y++, 2, cols - 4, "cannot sign in again and "
			    "this session ends.", C_ERROR, A_BOLD);
		} else
			put_text(y++, 2, cols - 4, "That device will not be "
			    "able to sign in any more.", C_NORMAL, 0);
		put_text(y++, 2, cols - 4, "y: remove it   n: keep it", C_NORMAL,
		    0);
		return;
	}
	list_draw(&d->l, top, rows, cols);
}

static void
code_made(void *ctx, json_t *result, json_t *error)
{
	struct devices *d = ctx;

	d->busy = false;
	if (error != NULL) {
		d->mode = DEV_LIST;
		snprintf(d->msg, sizeof d->msg, "%s", err_message(error));
		return;
	}
	json_decref(d->code);
	d->code = json_incref(result);
	d->mode = DEV_CODE;
	d->msg[0] = '\0';
	devices_load(d);
}

static void
removed(void *ctx, json_t *result, json_t *error)
{
	struct devices *d = ctx;

	d->busy = false;
	if (error != NULL) {
		snprintf(d->msg, sizeof d->msg, "%s", err_message(error));
		return;
	}
	d->msg[0] = '\0';
	ui_flash("Removed: that device can no longer sign in.");
	devices_load(d);
}

static bool
devices_key(struct view *v, int ch, bool is_key)
{
	struct devices *d = (struct devices *)v;
	struct row *r;

	if (d->busy)
		return true;
	switch (d->mode) {
	case DEV_CODE:
		json_decref(d->code);
		d->code = NULL;
		d->mode = DEV_LIST;
		return true;
	case DEV_NAMING:
		if (!is_key && ch == 27) {
			d->mode = DEV_LIST;
			v->typing = false;
			return true;
		}
		if (ENTER(ch, is_key)) {
			json_t *args = json_object();

			if (d->name.len > 0)
				json_object_set_new(args, "name",
				    json_string(d->name.text));
			d->busy = true;
			v->typing = false;
			net_call("device.code", args, v, code_made, d);
			return true;
		}
		field_key(&d->name, ch, is_key);
		return true;
	case DEV_ASKING:
		if (!is_key && (ch == 'y' || ch == 'Y')) {
			d->busy = true;
			d->mode = DEV_LIST;
			net_call("device.remove", json_pack("{s:I, s:b}", "id",
			    ji(d->asking, "id"), "confirm",
			    json_is_true(json_object_get(d->asking,
			    "current"))), v, removed, d);
		} else if (!is_key && (ch == 'n' || ch == 'N' || ch == 27 ||
		    ch == 'q'))
			d->mode = DEV_LIST;
		return true;
	case DEV_LIST:
		break;
	}
	if (list_key(&d->l, ch, is_key))
		return true;
	if (!is_key && ch == 'c') {
		memset(&d->name, 0, sizeof d->name);
		d->name.label = "Name of the new device";
		d->mode = DEV_NAMING;
		d->msg[0] = '\0';
		v->typing = true;
		return true;
	}
	if (((!is_key && ch == 'x') || (is_key && ch == KEY_DC)) &&
	    (r = list_cur(&d->l)) != NULL && r->data != NULL) {
		json_decref(d->asking);
		d->asking = json_incref(r->data);
		d->mode = DEV_ASKING;
		d->msg[0] = '\0';
		return true;
	}
	if (!is_key && ch == 'R') {
		devices_load(d);
		return true;
	}
	return false;
}

static void
devices_event(struct view *v, const char *name, json_t *data)
{
	struct devices *d = (struct devices *)v;

	(void)data;
	if (strcmp(name, "device.changed") == 0 ||
	    strcmp(name, "client.reconnected") == 0)
		devices_load(d);
}

static void
devices_free(struct view *v)
{
	struct devices *d = (struct devices *)v;

	list_free(&d->l);
	json_decref(d->keys);
	json_decref(d->pending);
	json_decref(d->code);
	json_decref(d->asking);
	free(d);
}

struct view *
view_devices(void)
{
	struct devices *d = xcalloc(1, sizeof *d);

	d->v.title = "Devices";
	d->v.keys = "c:device code for a new device  x:remove  R:reload";
	d->v.help = "Every computer you sign in from has its own SSH key; "
	    "here are yours. To sign in from a **new device**, press **c** "
	    "here: you get a code that works once, for 15 minutes. On the "
	    "new device make a key (`ssh-keygen -t ed25519`), connect as "
	    "**join** and enter the code. **x** removes a device you no "
	    "longer use (not your only one).";
	d->v.draw = devices_draw;
	d->v.key = devices_key;
	d->v.event = devices_event;
	d->v.free = devices_free;
	devices_fill(d);
	devices_load(d);
	return &d->v;
}
