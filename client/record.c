/*
 * record.c: reviewing a closed room's record before it is published (its
 * hosts and the community's managers): the records waiting for review, and
 * one record's lines, each of which can be dropped (or brought back) or
 * reworded in the composer (a third party's name said by mistake), then
 * published. Nobody else sees the record until then; the server publishes
 * it as it stands when the review time is over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

/* ---- the list of records waiting ---- */

struct records {
	struct view v;
	struct list l;
	char msg[256];
};

static void
records_got(void *ctx, json_t *result, json_t *error)
{
	struct records *rs = ctx;
	json_t *x;
	size_t i;

	list_clear(&rs->l);
	if (error != NULL) {
		snprintf(rs->msg, sizeof rs->msg, "%s", err_message(error));
		return;
	}
	snprintf(rs->msg, sizeof rs->msg, "%s", json_array_size(jarr(result,
	    "records")) ? "Each is published as it stands at the time shown "
	    "unless you publish it first." : "No room records wait for your "
	    "review.");
	json_array_foreach(jarr(result, "records"), i, x) {
		char line[300], when[32], held[32], right[64];

		/* Two records of one event differ by when they were held. */
		short_time(js(x, "review_until"), when);
		short_time(js(x, "opened_at"), held);
		snprintf(line, sizeof line, "%s  (%s, %s, held %s)",
		    js(x, "title"), json_is_string(json_object_get(x,
		    "community")) ? js(x, "community") : "platform",
		    js(x, "record"), held);
		snprintf(right, sizeof right, "due %s", when);
		list_add(&rs->l, line, right, C_NORMAL, x, true);
	}
	list_fix(&rs->l);
}

static void
records_draw(struct view *v, int rows, int cols)
{
	struct records *rs = (struct records *)v;

	put_text(1, 1, cols - 2, "Room records to review", C_HEAD, A_BOLD);
	if (rs->msg[0] != '\0')
		put_text(2, 2, cols - 4, rs->msg, C_DIM, 0);
	list_draw(&rs->l, 3, rows - 2, cols);
}

static bool
records_key(struct view *v, int ch, bool is_key)
{
	struct records *rs = (struct records *)v;
	struct row *r;

	if (list_key(&rs->l, ch, is_key))
		return true;
	if (ENTER(ch, is_key) && (r = list_cur(&rs->l)) != NULL) {
		ui_push(view_record(ji(r->data, "room_id")));
		return true;
	}
	return false;
}

static void
records_event(struct view *v, const char *name, json_t *data)
{
	(void)data;
	if (strcmp(name, "client.shown") == 0 ||
	    strcmp(name, "client.reconnected") == 0 ||
	    strcmp(name, "record.changed") == 0)
		net_call("room.records", NULL, v, records_got, v);
}

static void
records_free(struct view *v)
{
	struct records *rs = (struct records *)v;

	list_free(&rs->l);
	free(rs);
}

struct view *
view_records(void)
{
	struct records *rs = xcalloc(1, sizeof *rs);

	rs->v.title = "Records to review";
	rs->v.keys = "Enter:review";
	rs->v.help = "Records of rooms you hosted (or whose community you "
	    "manage) that wait for review before they are posted. **Enter** "
	    "opens one.";
	rs->v.draw = records_draw;
	rs->v.key = records_key;
	rs->v.event = records_event;
	rs->v.free = records_free;
	snprintf(rs->msg, sizeof rs->msg, "Loading…");
	net_call("room.records", NULL, &rs->v, records_got, rs);
	return &rs->v;
}

/* ---- one record under review ---- */

struct record {
	struct view v;
	json_int_t room_id;
	json_t *rec; /* the record, NULL until loaded */
	struct list l;
	char msg[256];
	bool asking; /* "Publish it now? y/n" */
	bool published;
};

static void record_load(struct record *);

static void
record_got(void *ctx, json_t *result, json_t *error)
{
	struct record *r = ctx;
	json_t *x;
	size_t i;
	int sel = r->l.sel;

	list_clear(&r->l);
	if (error != NULL) {
		snprintf(r->msg, sizeof r->msg, "%s", err_message(error));
		return;
	}
	json_decref(r->rec);
	r->rec = json_incref(jobj(result, "record"));
	r->published = json_is_true(json_object_get(r->rec, "published"));
	if (json_array_size(jarr(result, "lines")) == 0)
		list_add(&r->l, "  Nothing was said that the record keeps.",
		    NULL, C_DIM, NULL, false);
	json_array_foreach(jarr(result, "lines"), i, x) {
		char line[600], when[32];
		bool dropped = json_is_true(json_object_get(x, "dropped"));

		short_time(js(x, "at"), when);
		/* what publishing keeps (Chatham: names removed) */
		snprintf(line, sizeof line, "%s%s%s%s%s", dropped ?
		    "[dropped] " : "", json_is_true(json_object_get(x,
		    "edited")) ? "(edited) " : "", js(x, "display_name"),
		    js(x, "display_name")[0] ? ": " : "",
		    json_is_string(json_object_get(x, "as_published")) ?
		    js(x, "as_published") : js(x, "text"));
		for (char *p = line; *p != '\0'; p++)
			if (*p == '\n')
				*p = ' ';
		list_add(&r->l, line, when, dropped ? C_DIM : C_NORMAL, x,
		    true);
	}
	r->l.sel = sel;
	list_fix(&r->l);
	snprintf(r->msg, sizeof r->msg, "%s", r->published ? "Published: "
	    "it is a thread of the community now." : "");
}

static void
record_changed(void *ctx, json_t *result, json_t *error)
{
	struct record *r = ctx;

	(void)result;
	if (error != NULL)
		ui_flash("%s", err_message(error));
	record_load(r);
}

static void
record_published(void *ctx, json_t *result, json_t *error)
{
	struct record *r = ctx;

	if (error != NULL) {
		ui_flash("Not published: %s", err_message(error));
		return;
	}
	ui_flash("Published to the community (thread %lld).",
	    (long long)ji(result, "thread_id"));
	record_load(r);
}

static void
record_load(struct record *r)
{
	net_call("room.record.get", json_pack("{s:I}", "room_id",
	    r->room_id), &r->v, record_got, r);
}

static void
record_draw(struct view *v, int rows, int cols)
{
	struct record *r = (struct record *)v;
	struct row *row = list_cur(&r->l);
	char head[400], when[32];
	struct rdoc d;
	int dh;

	if (r->rec != NULL) {
		short_time(js(r->rec, "review_until"), when);
		snprintf(head, sizeof head, "Record of “%s” (%s)",
		    js(r->rec, "title"), js(r->rec, "record"));
		put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
		if (!r->published) {
			snprintf(head, sizeof head, "Due %s · hosts and "
			    "managers only until published", when);
			put_text(2, 2, cols - 4, head, C_DIM, 0);
		}
	} else
		put_text(1, 1, cols - 2, "Record", C_HEAD, A_BOLD);
	if (r->msg[0] != '\0')
		put_text(3, 2, cols - 4, r->msg, C_DIM, 0);
	/* the selected line in full, as it will be published */
	rdoc_init(&d);
	if (row != NULL && row->data != NULL)
		rdoc_wrap(&d, row->text, cols - 4);
	dh = (int)d.n > 6 ? 6 : (int)d.n;
	list_draw(&r->l, 4, rows - 2 - (dh > 0 ? dh + 1 : 0) -
	    (r->asking ? 1 : 0), cols);
	if (dh > 0)
		put_text(rows - dh - (r->asking ? 1 : 0), 1, cols - 2, "── "
		    "the selected line in full ─────────────────────────────"
		    "──────────────────", C_DIM, 0);
	for (int i = 0; i < dh; i++)
		put_rline(rows - dh + 1 + i - (r->asking ? 1 : 0), 2, cols - 4,
		    &d.lines[i]);
	rdoc_free(&d);
	if (r->asking)
		put_text(rows, 1, cols - 2, "Publish it to the community now? "
		    "y/n", C_HEAD, A_BOLD);
	r->v.keys = r->asking ? "y:publish  n:not yet" : r->published ?
	    "q:back" : "d:drop/keep line  e:reword  P:publish";
}

/* The composer sent the reworded line. */
static void
record_edited(struct view *below, json_t *result)
{
	(void)result;
	record_load((struct record *)below);
}

static bool
record_key(struct view *v, int ch, bool is_key)
{
	struct record *r = (struct record *)v;
	struct row *row = list_cur(&r->l);

	if (r->asking) {
		r->asking = false;
		if (!is_key && (ch == 'y' || ch == 'Y'))
			net_call("room.record.publish", json_pack("{s:I}",
			    "room_id", r->room_id), v, record_published, r);
		return true;
	}
	if (list_key(&r->l, ch, is_key))
		return true;
	if (is_key || r->rec == NULL)
		return false;
	if (r->published && (ch == 'd' || ch == 'e' || ch == 'P')) {
		ui_flash("It is published; a moderator can hide its posts.");
		return true;
	}
	if (ch == 'd' && row != NULL && row->data != NULL) {
		net_call("room.record.edit", json_pack("{s:I, s:I, s:b}",
		    "room_id", r->room_id, "line_id", ji(row->data, "id"),
		    "drop", !json_is_true(json_object_get(row->data,
		    "dropped"))), v, record_changed, r);
		return true;
	}
	if (ch == 'e' && row != NULL && row->data != NULL) {
		char key[64];

		snprintf(key, sizeof key, "record:%lld:%lld",
		    (long long)r->room_id, (long long)ji(row->data, "id"));
		ui_push(composer_open("Reword the line (what the record "
		    "keeps)", "room.record.edit", json_pack("{s:I, s:I}",
		    "room_id", r->room_id, "line_id", ji(row->data, "id")),
		    key, false, js(row->data, "text"), record_edited));
		return true;
	}
	if (ch == 'P') {
		r->asking = true;
		return true;
	}
	return false;
}

/* A co-host, or another front end of ours, changed or published it. */
static void
record_event(struct view *v, const char *name, json_t *data)
{
	struct record *r = (struct record *)v;

	if ((strcmp(name, "record.changed") == 0 &&
	    ji(data, "room_id") == r->room_id) ||
	    strcmp(name, "client.reconnected") == 0)
		record_load(r);
}

static void
record_free(struct view *v)
{
	struct record *r = (struct record *)v;

	list_free(&r->l);
	json_decref(r->rec);
	free(r);
}

struct view *
view_record(json_int_t room_id)
{
	struct record *r = xcalloc(1, sizeof *r);

	r->room_id = room_id;
	r->v.title = "Review a record";
	r->v.keys = "d:drop/keep line  e:reword  P:publish";
	r->v.help = "The lines the room kept, in order. **d** drops the "
	    "selected line from the record (again: keeps it), **e** rewords "
	    "it in the composer (a name said by mistake), **P** publishes "
	    "the record to the community now. Under the Chatham House Rule "
	    "no line shows who said it, and every name of anyone who was "
	    "there is removed when it is published.";
	r->v.draw = record_draw;
	r->v.key = record_key;
	r->v.event = record_event;
	r->v.free = record_free;
	snprintf(r->msg, sizeof r->msg, "Loading…");
	record_load(r);
	return &r->v;
}
