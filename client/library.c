/*
 * library.c: a community's Library tab (library.list, library.get): its
 * folders and documents with size, uploader, date and versions, and the
 * exact scp lines to fetch the selected document or upload into this
 * folder from the member's own machine (the TUI runs on the server, so it
 * cannot reach their files; docs/tui.md says how sftp and scp work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "common.h"
#include "client.h"

struct library {
	struct view v;
	char slug[64];
	char name[160];
	char path[1024]; /* the folder inside the community; "" at the top */
	json_t *r; /* the last library.list */
	struct list l;
	char msg[256];
	json_int_t want; /* a document to select and open once listed */
	size_t kept_from; /* rows from here: kept posts and threads */
	bool may_keep;
	char keys[200]; /* the footer: only keys the reader may use */
};

static void library_load(struct library *);
static void library_want(struct library *);
static void library_kept_load(struct library *);
/* (libknow) the Library's help about kept posts and links */
#define LIBRARY_HELP_KEPT "In the top folder, below the documents: " \
	"**Kept posts and threads**, which the community's leaders and " \
	"managers keep in the library with a note (**S** on a post in a " \
	"thread). **Enter** " \
	"opens one; **X** (leaders and managers) takes it out of the " \
	"library. **i** on a document also lists the posts that link it " \
	"([[doc:ID]] in a post)."
static bool library_kept_key(struct library *, int ch, bool is_key);

/* "1.2 MB" */
void
library_size(json_int_t n, char *out, size_t len)
{
	if (n < 1024)
		snprintf(out, len, "%lld B", (long long)n);
	else if (n < 1024 * 1024)
		snprintf(out, len, "%.1f KB", n / 1024.0);
	else
		snprintf(out, len, "%.1f MB", n / (1024.0 * 1024.0));
}

/* Who uploaded a version: "Hearth" when none (the console restored it). */
const char *
library_uploader(json_t *o)
{
	const char *u = js(o, "uploader");

	return u[0] != '\0' ? u : "Hearth";
}

/* The footer, once library.list says what the reader may do. */
static void
library_keys(struct library *lv)
{
	bool platform = strcmp(lv->slug, "platform") == 0;
	bool manage = json_is_true(json_object_get(lv->r, "may_manage"));
	bool upload = json_is_true(json_object_get(lv->r, "may_upload"));

	/* in the platform's library only staff edit, restore and delete;
	 * U and D move files only in the native client (over ssh: scp) */
	snprintf(lv->keys, sizeof lv->keys, "Enter:open  i:versions%s  u:up"
	    "%s%s  R:reload%s", !platform || manage ? "  e:edit" : "",
	    manage ? "  V:restore" : "", !platform || manage ? "  B:bin" : "",
	    !net_is_native() ? "" : upload ? "  U/D:up/download" :
	    "  D:download");
	lv->v.keys = lv->keys;
}

static void
library_got(void *ctx, json_t *result, json_t *error)
{
	struct library *lv = ctx;
	size_t i;
	json_t *e;
	char text[600], right[160], size[32], when[32];

	list_clear(&lv->l);
	json_decref(lv->r);
	lv->r = NULL;
	if (error != NULL) {
		snprintf(lv->msg, sizeof lv->msg, "%s", err_message(error));
		ui_dirty();
		return;
	}
	lv->r = json_incref(result);
	lv->msg[0] = '\0';
	library_keys(lv);
	if (lv->path[0] != '\0')
		list_add(&lv->l, "../", "up", C_DIM, NULL, true);
	json_array_foreach(jarr(result, "folders"), i, e) {
		snprintf(text, sizeof text, "%s/", js(e, "name"));
		list_add(&lv->l, text, "folder", C_HEAD, e, true);
	}
	json_array_foreach(jarr(result, "documents"), i, e) {
		library_size(ji(e, "size"), size, sizeof size);
		short_time(js(e, "updated_at"), when);
		snprintf(right, sizeof right, "%s%s  %s  %s  v%lld",
		    json_is_true(json_object_get(e, "managers_only")) ?
		    "managers only  " : "", size, library_uploader(e), when,
		    (long long)ji(e, "versions"));
		/* a title someone gave it, after the file's name */
		if (js(e, "title")[0] && strcmp(js(e, "title"),
		    js(e, "name")) != 0)
			snprintf(text, sizeof text, "%s  (%s)", js(e, "name"),
			    js(e, "title"));
		else
			snprintf(text, sizeof text, "%s", js(e, "name"));
		list_add(&lv->l, text, right, C_NORMAL, e, true);
	}
	if (lv->l.n == 0 || (lv->l.n == 1 && lv->path[0] != '\0'))
		snprintf(lv->msg, sizeof lv->msg, "Nothing here yet.");
	if (lv->want != 0)
		library_want(lv);
	lv->kept_from = lv->l.n;
	if (lv->path[0] == '\0' && strcmp(lv->slug, "platform") != 0)
		library_kept_load(lv); /* kept posts: communities' only */
	ui_dirty();
}

static void
library_load(struct library *lv)
{
	json_t *a = json_pack("{s:s}", "community", lv->slug);

	if (lv->path[0] != '\0')
		json_object_set_new(a, "path", json_string(lv->path));
	snprintf(lv->msg, sizeof lv->msg, "Loading…");
	net_call("library.list", a, &lv->v, library_got, lv);
}

static void
library_draw(struct view *v, int rows, int cols)
{
	struct library *lv = (struct library *)v;
	struct row *r = list_cur(&lv->l);
	char head[1400];
	const char *line = "";
	int y = 3;

	snprintf(head, sizeof head, "%s library: %s", lv->name,
	    lv->r != NULL ? js(lv->r, "path") : "");
	put_text(1, 1, cols - 2, head, C_HEAD, A_BOLD);
	if (lv->msg[0] != '\0')
		put_text(y++, 2, cols - 4, lv->msg, C_DIM, 0);
	list_draw(&lv->l, y, rows - y - 4, cols);
	/* the line to type on one's own machine */
	if (r != NULL && r->data != NULL && js(r->data, "scp")[0] != '\0') {
		put_text(rows - 3, 2, cols - 4, "To fetch it, on your own "
		    "machine:", C_DIM, 0);
		line = js(r->data, "scp");
	} else if (lv->r != NULL && json_is_true(json_object_get(lv->r,
	    "may_upload"))) {
		put_text(rows - 3, 2, cols - 4, "To upload a file here, on "
		    "your own machine (then R here shows it):", C_DIM, 0);
		line = js(lv->r, "upload");
	}
	put_text(rows - 2, 4, cols - 6, line, C_CODE, 0);
}

/* A document's details: links is library.links' answer (NULL: none). */
static void
doc_show(json_t *result, json_t *links)
{
	struct buf b;
	size_t i;
	json_t *e;
	char size[32], when[32];

	buf_init(&b);
	buf_printf(&b, "# %s\n\n%s\n\n", js(result, "name"),
	    js(result, "path"));
	buf_printf(&b, "Type: %s. Uploaded by %s.\n\n", js(result, "type"),
	    library_uploader(result));
	buf_printf(&b, "To fetch it, on your own machine:\n\n    %s\n\n",
	    js(result, "scp"));
	buf_printf(&b, "## Versions\n");
	json_array_foreach(jarr(result, "versions"), i, e) {
		library_size(ji(e, "size"), size, sizeof size);
		short_time(js(e, "created_at"), when);
		buf_printf(&b, "- %lld: %s by %s, %s (SHA-256 %.16s…)\n",
		    (long long)ji(e, "version"), size, library_uploader(e),
		    when, js(e, "sha256"));
	}
	/* where it is linked from: posts the reader may read */
	buf_printf(&b, "\n## Linked from\n");
	json_array_foreach(jarr(links, "posts"), i, e) {
		short_time(js(e, "at"), when);
		buf_printf(&b, "- \"%s\" in %s, by %s, %s\n", js(e, "title"),
		    js(jobj(e, "community"), "name"),
		    js(jobj(e, "author"), "display_name"), when);
	}
	if (json_array_size(jarr(links, "posts")) == 0)
		buf_printf(&b, "No post links it yet.\n");
	/* (a code span: as text, render.c would show its title) */
	buf_printf(&b, "\nTo link it from a post, write `[[doc:%lld]]`.\n",
	    (long long)ji(result, "id"));
	buf_append(&b, "", 1);
	ui_push(view_message(js(result, "name"), b.data));
	buf_free(&b);
}

static void
links_got(void *ctx, json_t *result, json_t *error)
{
	json_t *doc = ctx;

	doc_show(doc, error == NULL ? result : NULL);
	json_decref(doc);
}

static void
doc_got(void *ctx, json_t *result, json_t *error)
{
	struct library *lv = ctx;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	net_call("library.links", json_pack("{s:I}", "id", ji(result, "id")),
	    &lv->v, links_got, json_incref(result));
}

/* A text document on screen: Markdown as such, other text as it is. */
static void
text_got(void *ctx, json_t *result, json_t *error)
{
	struct library *lv = ctx;
	struct buf b;

	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	buf_init(&b);
	if (strcmp(js(result, "type"), "text/markdown") == 0)
		buf_puts(&b, js(result, "text"));
	else
		buf_printf(&b, "```\n%s\n```\n", js(result, "text"));
	if (json_is_true(json_object_get(result, "truncated")))
		buf_puts(&b, "\n\n(The rest is longer than the screen shows: "
		    "fetch it with scp, i shows how.)\n");
	buf_append(&b, "", 1);
	if (strcmp(js(result, "type"), "text/markdown") == 0)
		doc_text_show(js(result, "name"), b.data, &lv->v); /* libknow */
	else
		ui_push(view_message(js(result, "name"), b.data));
	buf_free(&b);
}

static void
restored(struct view *below, json_t *result)
{
	ui_flash("Restored: it is now version %lld.",
	    (long long)ji(result, "version"));
	library_load((struct library *)below);
}

static bool
restore_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	long long n = atoll(vals[0]);

	if (n < 1) {
		snprintf(err, len, "Which version? A number from the "
		    "document's versions (Enter on it lists them).");
		return false;
	}
	json_object_set_new(args, "version", json_integer(n));
	return true;
}

/* V on a document (managers): an older version becomes the newest. */
static void
restore_open(struct library *lv, json_t *doc)
{
	static const struct form_def defs[] = {
		{ "Version", NULL, NULL, "the number to bring back" },
	};

	char title[300], intro[400];
	json_int_t n = ji(doc, "versions");

	if (!json_is_true(json_object_get(lv->r, "may_manage"))) {
		ui_flash("Only the community's managers restore versions.");
		return;
	}
	if (n < 2) {
		ui_flash("%s has one version: there is none older to bring "
		    "back.", js(doc, "name"));
		return;
	}
	snprintf(title, sizeof title, "Restore a version of %s",
	    js(doc, "name"));
	snprintf(intro, sizeof intro, "It has %lld versions, 1 to %lld (the "
	    "newest; i lists them). The one chosen becomes the newest, as a "
	    "new version: none is lost.", (long long)n, (long long)n);
	ui_push(form_open(title, intro, "library.restore",
	    json_pack("{s:I}", "id", ji(doc, "id")), defs, 1, restore_build,
	    restored));
}

static void
edited(struct view *below, json_t *result)
{
	(void)result;
	ui_flash("Saved.");
	library_load((struct library *)below);
}

static bool
edit_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	json_object_set_new(args, "title", json_string(vals[0]));
	json_object_set_new(args, "description", json_string(vals[1]));
	json_object_set_new(args, "tags", json_string(vals[2]));
	return true;
}

/* The managers' form: also who sees it. */
static bool
edit_build_mo(json_t *args, const char *const *vals, char *err, size_t len)
{
	json_object_set_new(args, "managers_only",
	    json_boolean(strcmp(vals[3], "managers only") == 0));
	return edit_build(args, vals, err, len);
}

/* e on a document: its title, description, tags (its uploader or a
 * manager), and for managers who sees it. */
static void
edit_open(struct library *lv, json_t *doc)
{
	bool manage = json_is_true(json_object_get(lv->r, "may_manage"));
	struct form_def defs[4] = {
		{ "Title", js(doc, "title"), NULL, NULL },
		{ "Description", js(doc, "description"), NULL, NULL },
		{ "Tags", js(doc, "tags"), NULL, "words, separated by commas" },
		{ "Who sees it", json_is_true(json_object_get(doc,
		    "managers_only")) ? "managers only" : "every reader",
		    "every reader|managers only", "work in progress: managers "
		    "only" },
	};

	ui_push(form_open("About this document", NULL, "library.update",
	    json_pack("{s:I}", "id", ji(doc, "id")), defs, manage ? 4 : 3,
	    manage ? edit_build_mo : edit_build, edited));
}

static bool
who_build(json_t *args, const char *const *vals, char *err, size_t len)
{
	json_object_set_new(args, "upload", json_string(
	    strncmp(vals[0], "leaders", 7) == 0 ? "leaders" : "members"));
	return true;
}

/* W (managers): who may add documents and folders. */
static void
who_open(struct library *lv)
{
	struct form_def defs[1] = {
		{ "Who may add", strcmp(js(lv->r, "upload_by"), "leaders") == 0 ?
		    "leaders and managers" : "members", "members|leaders and "
		    "managers", "documents and folders, over scp and sftp" },
	};

	if (!json_is_true(json_object_get(lv->r, "may_manage"))) {
		ui_flash("Only the community's managers choose who may add.");
		return;
	}
	ui_push(form_open("The library", "Everyone who may read the community "
	    "may fetch its documents.", "library.settings",
	    json_pack("{s:s}", "community", lv->slug), defs, 1, who_build,
	    edited));
}

/* After a direct upload (libxfer.c): the folder as it is now. */
static void
library_reload(struct view *v)
{
	library_load((struct library *)v);
}

static bool
library_key(struct view *v, int ch, bool is_key)
{
	struct library *lv = (struct library *)v;
	struct row *r;
	char *slash;

	if (list_key(&lv->l, ch, is_key))
		return true;
	if (library_kept_key(lv, ch, is_key))
		return true;
	if (!is_key && ch == 'R') {
		library_load(lv);
		return true;
	}
	if (!is_key && ch == 'U') {
		if (lv->r != NULL && !json_is_true(json_object_get(lv->r,
		    "may_upload"))) {
			ui_flash(strcmp(lv->slug, "platform") == 0 ? "Only the "
			    "platform's staff publish in the platform library." :
			    "You may not add to this library: its managers "
			    "choose who adds.");
			return true;
		}
		libxfer_upload_open(v, lv->slug, lv->path, library_reload);
		return true;
	}
	if (!is_key && ch == 'D') {
		r = list_cur(&lv->l);
		if (r != NULL && r->data != NULL && js(r->data, "scp")[0])
			libxfer_download_open(v, ji(r->data, "id"),
			    js(r->data, "name"));
		else
			ui_flash("Select a document first.");
		return true;
	}
	if (!is_key && ch == 'B') {
		ui_push(view_libbin(lv->slug, lv->name));
		return true;
	}
	if (!is_key && ch == 'W') {
		if (lv->r != NULL)
			who_open(lv);
		return true;
	}
	if (!is_key && ch == 'e') {
		r = list_cur(&lv->l);
		if (r == NULL || r->data == NULL || !js(r->data, "scp")[0])
			ui_flash("Select a document first.");
		else if (!json_is_true(json_object_get(lv->r, "may_manage")) &&
		    strcmp(js(r->data, "uploader"), js(g_me, "handle")) != 0)
			/* not a form to fill in only to be refused */
			ui_flash("Only who uploaded %s, or a manager, may change "
			    "it.", js(r->data, "name"));
		else
			edit_open(lv, r->data);
		return true;
	}
	if (!is_key && ch == 'V') {
		r = list_cur(&lv->l);
		if (r != NULL && r->data != NULL && js(r->data, "scp")[0])
			restore_open(lv, r->data);
		else
			ui_flash("Select a document first.");
		return true;
	}
	if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 'u' ||
	    ch == 127 || ch == 8))) {
		if (lv->path[0] == '\0')
			return false;
		slash = strrchr(lv->path, '/');
		if (slash != NULL)
			*slash = '\0';
		else
			lv->path[0] = '\0';
		library_load(lv);
		return true;
	}
	if ((!is_key && (ch == '\n' || ch == '\r')) ||
	    (is_key && ch == KEY_ENTER)) {
		if ((r = list_cur(&lv->l)) == NULL)
			return true;
		if (r->data == NULL)
			return library_key(v, 'u', false);
		if (js(r->data, "scp")[0] == '\0') {
			size_t n = strlen(lv->path);

			snprintf(lv->path + n, sizeof lv->path - n, "%s%s",
			    n > 0 ? "/" : "", js(r->data, "name"));
			library_load(lv);
			return true;
		}
		if (strncmp(js(r->data, "type"), "text/", 5) == 0)
			net_call("library.text", json_pack("{s:I}", "id",
			    ji(r->data, "id")), v, text_got, lv);
		else
			net_call("library.get", json_pack("{s:I}", "id",
			    ji(r->data, "id")), v, doc_got, lv);
		return true;
	}
	if (!is_key && ch == 'i') {
		r = list_cur(&lv->l);
		if (r != NULL && r->data != NULL && js(r->data, "scp")[0])
			net_call("library.get", json_pack("{s:I}", "id",
			    ji(r->data, "id")), v, doc_got, lv);
		return true;
	}
	return false;
}

/* Shown again (back from a document, its versions, the bin): listed
 * again, so what was uploaded meanwhile (scp, sftp) is there. */
static void
library_event(struct view *v, const char *name, json_t *data)
{
	struct library *lv = (struct library *)v;

	(void)data;
	if (strcmp(name, "client.shown") == 0 && lv->want == 0)
		library_load(lv);
}

static void
library_free(struct view *v)
{
	struct library *lv = (struct library *)v;

	list_free(&lv->l);
	json_decref(lv->r);
	free(lv);
}

struct view *
view_library(const char *slug, const char *name)
{
	struct library *lv = xcalloc(1, sizeof *lv);

	snprintf(lv->slug, sizeof lv->slug, "%s", slug);
	snprintf(lv->name, sizeof lv->name, "%s", name);
	lv->v.title = "Library";
	lv->v.keys = "Enter:open  i:versions  u:up  R:reload";
	lv->v.help = "The community's library: folders and documents, with "
	    "size, who uploaded it, when, and how many versions. **Enter** "
	    "opens a folder, shows a plain-text or Markdown document, or "
	    "another document's details and versions; **i** shows them for "
	    "any document; **u** goes up. Files move with **scp** or **sftp** from your own "
	    "machine, with the key you log in with: the line at the bottom "
	    "fetches the selected document, or uploads a file (FILE) into "
	    "this folder. Uploading over a name makes a new version; "
	    "**V** (managers) makes an older version the newest again. "
	    "**e** changes a document's title, description and tags (its "
	    "uploader or a manager); managers also choose who sees it: "
	    "every reader, or managers only (work in progress). **W** "
	    "(managers) chooses who may add: members, or only leaders and "
	    "managers. **B** opens the bin: deleted documents wait there 30 "
	    "days, and their uploader or a manager can put them back. **R** "
	    "lists the folder again (after an upload with scp; coming back "
	    "to the library from a document does it too). In the "
	    "native client (hearth HOST on your own machine), **U** uploads "
	    "a file from your machine into this folder and **D** saves the "
	    "selected document there.\n\n"
	    LIBRARY_HELP_KEPT;
	lv->v.draw = library_draw;
	lv->v.key = library_key;
	lv->v.event = library_event;
	lv->v.free = library_free;
	library_load(lv);
	return &lv->v;
}

/* The platform's library (L on Home): staff publish, every member reads. */
struct view *
view_platform_library(void)
{
	struct view *v = view_library("platform", "Platform");

	v->keys = "Enter:open  i:versions  u:up  R:reload";
	v->help = "The platform's library: material the platform's staff "
	    "publish for every member. **Enter** opens a folder, shows a "
	    "plain-text or Markdown document, or another document's details "
	    "and versions; **i** shows them for any document; **u** goes up. "
	    "Fetch a document with the **scp** line at the bottom, from your "
	    "own machine with the key you log in with (over sftp the library "
	    "is the folder /platform). Only staff upload (the line with FILE), "
	    "change (**e**), restore versions (**V**) and delete; deleted "
	    "documents wait 30 days in the bin (**B**). In the native client "
	    "(hearth HOST), **D** saves the selected document on your machine "
	    "and staff upload with **U**.";
	return v;
}

/* Once its folder is listed: select the wanted document and open it. */
static void
library_want(struct library *lv)
{
	json_int_t id = lv->want;

	lv->want = 0;
	for (size_t i = 0; i < lv->l.n; i++) {
		json_t *d = lv->l.rows[i].data;

		if (d != NULL && js(d, "scp")[0] && ji(d, "id") == id) {
			lv->l.sel = (int)i;
			library_key(&lv->v, '\n', false);
			return;
		}
	}
	snprintf(lv->msg, sizeof lv->msg, "That document is no longer here.");
}

/* library.get of the wanted document: list the folder it is in. */
static void
library_found(void *ctx, json_t *result, json_t *error)
{
	struct library *lv = ctx;
	const char *p;
	char *slash;

	if (error != NULL) {
		lv->want = 0;
		snprintf(lv->msg, sizeof lv->msg, "%s", err_message(error));
		library_load(lv);
		return;
	}
	snprintf(lv->slug, sizeof lv->slug, "%s", js(result, "community"));
	if (strcmp(lv->slug, "platform") == 0) /* the heading adds "library" */
		snprintf(lv->name, sizeof lv->name, "Platform");
	if (lv->name[0] == '\0')
		snprintf(lv->name, sizeof lv->name, "%s", lv->slug);
	/* "/slug/folder/name" -> "folder" */
	p = js(result, "path");
	p = p[0] == '/' && strchr(p + 1, '/') != NULL ? strchr(p + 1, '/') +
	    1 : "";
	snprintf(lv->path, sizeof lv->path, "%s", p);
	slash = strrchr(lv->path, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		lv->path[0] = '\0';
	library_load(lv);
}

/*
 * A document found elsewhere (a search result, a [[doc:ID]] link): the
 * library of its community (name: for the heading) at its folder, the
 * document selected and opened as Enter opens it.
 */
struct view *
view_library_doc(json_int_t id, const char *name)
{
	struct library *lv = xcalloc(1, sizeof *lv);

	snprintf(lv->name, sizeof lv->name, "%s", name);
	lv->want = id;
	lv->v.title = "Library";
	lv->v.help = LIBRARY_HELP_KEPT;
	lv->v.keys = "Enter:open  i:versions  e:edit  u:up  V:restore";
	lv->v.draw = library_draw;
	lv->v.key = library_key;
	lv->v.event = library_event;
	lv->v.free = library_free;
	snprintf(lv->msg, sizeof lv->msg, "Loading…");
	net_call("library.get", json_pack("{s:I}", "id", id), &lv->v,
	    library_found, lv);
	return &lv->v;
}

/* ---- kept posts and threads (library.kept), at the top ---- */

static void
kept_got(void *ctx, json_t *result, json_t *error)
{
	struct library *lv = ctx;
	json_t *e;
	size_t i;
	char text[600], right[200], when[32];

	if (error != NULL || lv->path[0] != '\0')
		return;
	/* an earlier answer's rows go */
	for (i = lv->kept_from; i < lv->l.n; i++) {
		free(lv->l.rows[i].text);
		free(lv->l.rows[i].right);
		json_decref(lv->l.rows[i].data);
	}
	if (lv->l.n > lv->kept_from)
		lv->l.n = lv->kept_from;
	lv->may_keep = json_is_true(json_object_get(result, "may_keep"));
	if (json_array_size(jarr(result, "kept")) > 0)
		list_add(&lv->l, "Kept posts and threads", NULL, C_DIM, NULL,
		    false);
	json_array_foreach(jarr(result, "kept"), i, e) {
		short_time(js(e, "kept_at"), when);
		snprintf(text, sizeof text, "* %s%s", ji(e, "post_id") ?
		    "Post in " : "", js(e, "title"));
		snprintf(right, sizeof right, "kept by %s  %s",
		    js(e, "kept_by"), when);
		list_add(&lv->l, text, right, C_NORMAL, e, true);
		if (js(e, "note")[0] != '\0') {
			snprintf(text, sizeof text, "    %s", js(e, "note"));
			list_add(&lv->l, text, NULL, C_DIM, NULL, false);
		}
	}
	if (lv->l.n > 0 && lv->msg[0] != '\0' &&
	    strcmp(lv->msg, "Nothing here yet.") == 0)
		lv->msg[0] = '\0';
	list_fix(&lv->l);
	ui_dirty();
}

static void
library_kept_load(struct library *lv)
{
	net_call("library.kept", json_pack("{s:s}", "community", lv->slug),
	    &lv->v, kept_got, lv);
}

static void
unkept(void *ctx, json_t *result, json_t *error)
{
	struct library *lv = ctx;

	(void)result;
	if (error != NULL) {
		ui_flash("%s", err_message(error));
		return;
	}
	ui_flash("Taken out of the library; the post itself stays.");
	library_kept_load(lv);
}

/* Enter opens a kept post or thread; X takes it out. */
static bool
library_kept_key(struct library *lv, int ch, bool is_key)
{
	struct row *r = list_cur(&lv->l);

	if (r == NULL || r->data == NULL || js(r->data, "kept_at")[0] == '\0')
		return false;
	if (ENTER(ch, is_key)) {
		ui_push(view_thread_at(ji(r->data, "thread_id"),
		    js(r->data, "title"), ji(r->data, "post_id")));
		return true;
	}
	if (!is_key && ch == 'X') {
		if (!lv->may_keep)
			ui_flash("Only the community's leaders and managers "
			    "take kept posts out of the library.");
		else
			net_call("library.unkeep", json_pack("{s:I}", "id",
			    ji(r->data, "id")), &lv->v, unkept, lv);
		return true;
	}
	return false;
}
