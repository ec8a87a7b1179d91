/*
 * libbin.c: a community library's bin in the TUI (library.bin,
 * library.undelete): the documents deleted in the last 30 days (all of
 * them for managers, one's own uploads for a member), each with who
 * deleted it and when it goes for good; Enter puts the selected one back
 * where it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct libbin {
	struct view v;
	char slug[64];
	char name[160];
	json_t *r; /* the last library.bin */
	struct list l;
	char msg[256];
};

static void libbin_load(struct libbin *);

/* "2027-01-06T11:25:00Z" as "6 Jan". */
static void
day_month(const char *iso, char *out, size_t len)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y, m, d;

	if (sscanf(iso, "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		snprintf(out, len, "%d %s", d, mon[m - 1]);
	else
		snprintf(out, len, "%.10s", iso);
}

static void
libbin_got(void *ctx, json_t *result, json_t *error)
{
	struct libbin *bv = ctx;
	size_t i;
	json_t *e;
	char text[600], right[200], size[32], when[32], gone[32];

	list_clear(&bv->l);
	json_decref(bv->r);
	bv->r = NULL;
	if (error != NULL) {
		snprintf(bv->msg, sizeof bv->msg, "%s", err_message(error));
		ui_dirty();
		return;
	}
	bv->r = json_incref(result);
	bv->msg[0] = '\0';
	json_array_foreach(jarr(result, "documents"), i, e) {
		library_size(ji(e, "size"), size, sizeof size);
		day_month(js(e, "deleted_at"), when, sizeof when);
		day_month(js(e, "gone_at"), gone, sizeof gone);
		snprintf(text, sizeof text, "%s%s%s", js(e, "folder"),
		    js(e, "folder")[0] ? "/" : "", js(e, "name"));
		/* short enough for 80 columns: the day it goes is enough */
		snprintf(right, sizeof right, "%s  by %s  deleted %s by %s  "
		    "gone %s", size, library_uploader(e), when,
		    js(e, "deleted_by")[0] ? js(e, "deleted_by") : "Hearth",
		    gone);
		list_add(&bv->l, text, right, C_NORMAL, e, true);
	}
	if (bv->l.n == 0)
		snprintf(bv->msg, sizeof bv->msg, "The bin is empty.");
	ui_dirty();
}

static void
libbin_load(struct libbin *bv)
{
	snprintf(bv->msg, sizeof bv->msg, "Loading…");
	net_call("library.bin", json_pack("{s:s}", "community", bv->slug),
	    &bv->v, libbin_got, bv);
}

static void
libbin_draw(struct view *v, int rows, int cols)
{
	struct libbin *bv = (struct libbin *)v;
	char head[400];
	int y = 3;

	snprintf(head, sizeof head, "%s library: the bin", bv->name);
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	if (bv->msg[0] != '\0')
		put_text(y++, 2, cols - 4, bv->msg, C_DIM, 0);
	list_draw(&bv->l, y, rows - y - 3, cols);
	put_text(rows - 2, 2, cols - 4, bv->r != NULL &&
	    json_is_true(json_object_get(bv->r, "all")) ? "Every deleted "
	    "document waits here 30 days. Enter puts it back." : "Documents "
	    "you uploaded wait here 30 days after deletion. Enter puts one "
	    "back.", C_DIM, 0);
}

static void
undeleted(void *ctx, json_t *result, json_t *error)
{
	struct libbin *bv = ctx;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	if (js(result, "path")[0] != '\0')
		ui_flash("%s is back, at %s.", js(result, "name"),
		    js(result, "path"));
	else /* an older server */
		ui_flash("%s is back in the library.", js(result, "name"));
	libbin_load(bv);
}

static bool
libbin_key(struct view *v, int ch, bool is_key)
{
	struct libbin *bv = (struct libbin *)v;
	struct row *r;

	if (list_key(&bv->l, ch, is_key))
		return true;
	if (!is_key && ch == 'R') {
		libbin_load(bv);
		return true;
	}
	if ((!is_key && (ch == '\n' || ch == '\r')) ||
	    (is_key && ch == KEY_ENTER)) {
		if ((r = list_cur(&bv->l)) == NULL || r->data == NULL)
			return true;
		net_call("library.undelete", json_pack("{s:I}", "id",
		    ji(r->data, "id")), v, undeleted, bv);
		return true;
	}
	return false;
}

static void
libbin_free(struct view *v)
{
	struct libbin *bv = (struct libbin *)v;

	list_free(&bv->l);
	json_decref(bv->r);
	free(bv);
}

struct view *
view_libbin(const char *slug, const char *name)
{
	struct libbin *bv = xcalloc(1, sizeof *bv);

	snprintf(bv->slug, sizeof bv->slug, "%s", slug);
	snprintf(bv->name, sizeof bv->name, "%s", name);
	bv->v.title = "Library bin";
	bv->v.keys = "Enter:put back  R:reload";
	bv->v.help = "The library's bin: documents deleted in the last 30 "
	    "days, with who uploaded and who deleted each, and when it goes "
	    "for good. Managers see every one; a member sees the documents "
	    "they uploaded. **Enter** puts the selected document back in its "
	    "folder under its name (if another document has taken that name "
	    "meanwhile, rename or delete that one first).";
	bv->v.draw = libbin_draw;
	bv->v.key = libbin_key;
	bv->v.free = libbin_free;
	libbin_load(bv);
	return &bv->v;
}
