/*
 * op-profile.c: members' profiles and the member directory: profile.get,
 * profile.update, member.search (full-text over profiles_fts plus filters,
 * each result with why it matched), profile.tags (tags in use, for
 * suggestions), member.suggestions (people a newcomer might connect with)
 * and member.online (who has a live session now). Profiles live in the
 * members table (002) and member_expertise; contact details are shown only
 * as their owner's contact_visibility allows. Guests never see profiles.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define EXPERTISE_MAX 20
#define TAG_MAX_CHARS 40
#define BIO_MAX 4000
#define SEARCH_LIMIT_MAX 100
#define SEARCH_LIMIT_DEFAULT 50


/* True if the member has a live member session (not closing). */
static bool
member_online(int64_t id)
{
	for (struct conn *c = conn_first(); c != NULL; c = c->next) {
		if (c->member.id == id && !c->closing && !c->join &&
		    !c->guest && !c->console)
			return true;
	}
	return false;
}

/*
 * The statements a directory search prepares on a pool reader (worker):
 * NULL is the loop's connection (db_stmt).
 */
enum { PS_EXPERTISE, PS_FTS_ROW, PS_TAGS, PS_COUNT };
struct pstmts {
	sqlite3 *db;
	sqlite3_stmt *st[PS_COUNT];
};

/* Statement i of p, prepared on first use; NULL if it cannot be. */
static sqlite3_stmt *
ps_stmt(struct pstmts *p, int i, const char *sql)
{
	if (p == NULL)
		return db_stmt(srv->db, sql);
	if (p->st[i] == NULL && sqlite3_prepare_v2(p->db, sql, -1, &p->st[i],
	    NULL) != SQLITE_OK) {
		sqlite3_finalize(p->st[i]);
		p->st[i] = NULL;
	}
	return p->st[i];
}

/* The member's expertise tags, alphabetically. */
static json_t *
expertise_json_on(struct pstmts *p, int64_t member_id)
{
	sqlite3_stmt *st = ps_stmt(p, PS_EXPERTISE,
	    "SELECT tag FROM member_expertise WHERE member_id = ? "
	    "ORDER BY tag");
	json_t *a = json_array();

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, member_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_string(db_col_text(st, 0)));
	sqlite3_reset(st);
	return a;
}

static json_t *
expertise_json(int64_t member_id)
{
	return expertise_json_on(NULL, member_id);
}

/* Count UTF-8 code points (the string is valid UTF-8: jansson checked). */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * The communities both members belong to (for oneself: all of one's own),
 * with the profile owner's role in each.
 */
static json_t *
shared_communities_json(int64_t viewer, int64_t owner, int *count)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT c.slug, c.name, a.role FROM community_members a "
	    "JOIN community_members b ON b.community_id = a.community_id "
	    "AND b.member_id = ?2 JOIN communities c ON c.id = "
	    "a.community_id WHERE a.member_id = ?1 ORDER BY c.name");
	json_t *a = json_array();

	sqlite3_bind_int64(st, 1, owner);
	sqlite3_bind_int64(st, 2, viewer);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "slug",
		    db_col_text(st, 0), "name", db_col_text(st, 1), "role",
		    db_col_text(st, 2)));
	sqlite3_reset(st);
	*count = (int)json_array_size(a);
	return a;
}

/*
 * Build the profile of the member with this handle (or id when handle is
 * NULL) as the caller may see it. Fails the call with not_found for an
 * unknown or removed member.
 */
static int
profile_load(struct call *x, const char *handle, int64_t id, json_t **out)
{
	sqlite3_stmt *st;
	int64_t viewer = x->conn->member.id, owner;
	const char *vis;
	json_t *p;
	bool self, show_contact;
	int shared, rc;

	if (handle != NULL) {
		st = db_stmt(srv->db,
		    "SELECT id, handle, display_name, pronouns, job_role, "
		    "organisation, region, bio, mentoring, contact, "
		    "contact_visibility, created_at FROM members "
		    "WHERE handle = ? AND status = 'active'");
		sqlite3_bind_text(st, 1, handle, -1, SQLITE_TRANSIENT);
	} else {
		st = db_stmt(srv->db,
		    "SELECT id, handle, display_name, pronouns, job_role, "
		    "organisation, region, bio, mentoring, contact, "
		    "contact_visibility, created_at FROM members "
		    "WHERE id = ? AND status = 'active'");
		sqlite3_bind_int64(st, 1, id);
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
		return call_fail(x, ERR_NOT_FOUND,
		    "No member '%s'. Check the handle, or find people in the "
		    "directory.", handle != NULL ? handle : "");
	}
	owner = sqlite3_column_int64(st, 0);
	self = viewer != 0 && viewer == owner;
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o}",
	    "handle", db_col_text(st, 1), "display_name", db_col_text(st, 2),
	    "pronouns", db_col_text(st, 3), "job_role", db_col_text(st, 4),
	    "organisation", db_col_text(st, 5), "region", db_col_text(st, 6),
	    "bio", db_col_text(st, 7), "mentoring",
	    sqlite3_column_int(st, 8) != 0, "member_since",
	    db_col_json_time(st, 11));
	json_object_set_new(p, "communities",
	    shared_communities_json(viewer, owner, &shared));
	vis = db_col_text(st, 10);
	if (self)
		show_contact = true;
	else if (strcmp(vis, "platform") == 0)
		show_contact = !x->conn->guest;
	else if (strcmp(vis, "communities") == 0)
		show_contact = shared > 0;
	else
		show_contact = false;
	json_object_set_new(p, "contact", show_contact ?
	    json_string(db_col_text(st, 9)) : json_null());
	if (self)
		json_object_set_new(p, "contact_visibility", json_string(vis));
	sqlite3_reset(st);
	json_object_set_new(p, "expertise", expertise_json(owner));
	json_object_set_new(p, "online", json_boolean(member_online(owner)));
	json_object_set_new(p, "self", json_boolean(self));
	if (self)
		zone_add(p, owner);
	*out = p;
	return 0;
}

static int
op_profile_get(struct call *x)
{
	const char *handle = NULL;
	json_t *p;

	if (arg_str(x->args, "handle", false, 40, &handle, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (handle == NULL && x->conn->member.id == 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.handle is required (this session is not a member)");
	if (profile_load(x, handle, x->conn->member.id, &p) != 0)
		return -1;
	x->result = json_pack("{s:o}", "profile", p);
	return 0;
}

/*
 * Read an optional text field of at most max bytes into *out, fit for use
 * (utf8_check); -1 with the call failed on bad input.
 */
static int
arg_text(struct call *x, const char *name, size_t max, enum utf8_use use,
    const char **out)
{
	if (arg_str(x->args, name, false, max, out, x->msg,
	    sizeof x->msg) != 0 ||
	    utf8_check_arg(name, *out, use, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	return 0;
}

/* Bind a text value, or NULL to keep the column as it is. */
static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Normalise args.expertise into tags (trimmed, ASCII-lowercased, without
 * duplicates); returns the number of tags or -1 with the call failed.
 * The strings in tags are malloc'd.
 */
static int
expertise_parse(struct call *x, json_t *v, char *tags[EXPERTISE_MAX])
{
	size_t i, len;
	uint32_t bad;
	json_t *e;
	char *t, *s;
	int n = 0;

	if (!json_is_array(v))
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.expertise must be a list of tags, e.g. "
		    "[\"grief\", \"supervision\"]");
	if (json_array_size(v) > EXPERTISE_MAX)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.expertise may have at most %d tags",
		    EXPERTISE_MAX);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) ||
		    strlen(json_string_value(e)) != json_string_length(e))
			goto bad;
		s = (char *)json_string_value(e);
		while (*s == ' ')
			s++;
		t = xstrdup(s);
		len = strlen(t);
		while (len > 0 && t[len - 1] == ' ')
			t[--len] = '\0';
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (len == 0 || utf8_chars(t) > TAG_MAX_CHARS ||
		    utf8_check(t, len, UTF8_NAME, &bad) != 0) {
			free(t);
			goto bad;
		}
		for (int k = 0; k < n; k++) {
			if (strcmp(tags[k], t) == 0) {
				free(t);
				t = NULL;
				break;
			}
		}
		if (t != NULL)
			tags[n++] = t;
	}
	return n;
bad:
	while (n > 0)
		free(tags[--n]);
	return call_fail(x, ERR_BAD_REQUEST,
	    "args.expertise[%zu] must be a tag of 1-%d characters "
	    "(no control or invisible characters)", i, TAG_MAX_CHARS);
}

/* Replace the member's expertise tags. */
static int
expertise_store(struct call *x, int64_t member_id, char **tags, int n)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "DELETE FROM member_expertise WHERE member_id = ?");
	int rc;

	sqlite3_bind_int64(st, 1, member_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return call_db_fail(x);
	st = db_stmt(srv->db,
	    "INSERT INTO member_expertise (member_id, tag) VALUES (?, ?)");
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, member_id);
		sqlite3_bind_text(st, 2, tags[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return call_db_fail(x);
	}
	return 0;
}

static int
op_profile_update(struct call *x)
{
	const char *name = NULL, *pronouns = NULL, *job = NULL, *org = NULL,
	    *region = NULL, *bio = NULL, *contact = NULL, *vis = NULL;
	char *tags[EXPERTISE_MAX];
	int64_t me = x->conn->member.id;
	json_t *ev, *p;
	bool mentoring = false, has_mentoring;
	sqlite3_stmt *st;
	int ntags = -1, rc;

	if (me == 0)
		return call_fail(x, ERR_FORBIDDEN,
		    "Only a member can update their profile.");
	if (arg_text(x, "display_name", 80, UTF8_NAME, &name) != 0 ||
	    arg_text(x, "pronouns", 40, UTF8_LINE, &pronouns) != 0 ||
	    arg_text(x, "job_role", 120, UTF8_LINE, &job) != 0 ||
	    arg_text(x, "organisation", 120, UTF8_LINE, &org) != 0 ||
	    arg_text(x, "region", 80, UTF8_LINE, &region) != 0 ||
	    arg_text(x, "bio", BIO_MAX, UTF8_LINES, &bio) != 0 ||
	    arg_text(x, "contact", 300, UTF8_LINES, &contact) != 0 ||
	    arg_text(x, "contact_visibility", 16, UTF8_LINE, &vis) != 0)
		return -1;
	if (arg_bool(x->args, "mentoring", false, &mentoring, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	ev = json_object_get(x->args, "mentoring");
	has_mentoring = ev != NULL && !json_is_null(ev);
	if (name != NULL && *name == '\0')
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.display_name must not be empty");
	if (vis != NULL && strcmp(vis, "communities") != 0 &&
	    strcmp(vis, "platform") != 0 && strcmp(vis, "nobody") != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.contact_visibility must be communities (members "
		    "who share a community with you), platform (every member) "
		    "or nobody");
	ev = json_object_get(x->args, "expertise");
	if (ev != NULL && !json_is_null(ev) &&
	    (ntags = expertise_parse(x, ev, tags)) < 0)
		return -1;
	if (zone_update(x, me) != 0) {
		while (ntags > 0)
			free(tags[--ntags]);
		return -1;
	}
	st = db_stmt(srv->db,
	    "UPDATE members SET display_name = coalesce(?1, display_name), "
	    "pronouns = coalesce(?2, pronouns), "
	    "job_role = coalesce(?3, job_role), "
	    "organisation = coalesce(?4, organisation), "
	    "region = coalesce(?5, region), bio = coalesce(?6, bio), "
	    "contact = coalesce(?7, contact), "
	    "contact_visibility = coalesce(?8, contact_visibility), "
	    "mentoring = coalesce(?9, mentoring) WHERE id = ?10");
	bind_opt(st, 1, name);
	bind_opt(st, 2, pronouns);
	bind_opt(st, 3, job);
	bind_opt(st, 4, org);
	bind_opt(st, 5, region);
	bind_opt(st, 6, bio);
	bind_opt(st, 7, contact);
	bind_opt(st, 8, vis);
	if (has_mentoring)
		sqlite3_bind_int(st, 9, mentoring);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int64(st, 10, me);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		rc = call_db_fail(x);
	else if (ntags >= 0)
		rc = expertise_store(x, me, tags, ntags);
	else
		rc = 0;
	while (ntags > 0)
		free(tags[--ntags]);
	if (rc != 0)
		return -1;
	/* an e-mail address: kept apart, a code sent to it (op-email.c) */
	if ((ev = json_object_get(x->args, "email")) != NULL &&
	    json_is_string(ev) && email_set(x, json_string_value(ev)) != 0)
		return -1;
	if (profile_load(x, NULL, me, &p) != 0)
		return -1;
	if (name != NULL) /* every live session shows the new name */
		outbox_identity(&x->out, me);
	x->result = json_pack("{s:o}", "profile", p);
	return 0;
}

/*
 * Append an FTS5 query term for each word of text to q: each word becomes
 * a quoted prefix phrase, restricted to column when it is not NULL.
 */
void
fts_terms(struct buf *q, const char *column, const char *text)
{
	const char *s = text, *e;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
		if (q->len > 0)
			buf_puts(q, " ");
		if (column != NULL)
			buf_printf(q, "%s : ", column);
		buf_puts(q, "\"");
		for (const char *p = s; p < e; p++) {
			if (*p == '"')
				buf_puts(q, "\"\"");
			else
				buf_append(q, p, 1);
		}
		buf_puts(q, "\"*");
		s = e;
	}
}

/* Lowercase the ASCII letters of s in place (tags are stored so). */
static void
ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * The words of q (at most max), each malloc'd and ASCII-lowercased;
 * returns how many.
 */
static int
split_words(const char *q, char **words, int max)
{
	const char *s = q, *e;
	int n = 0;

	while (q != NULL && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
		words[n] = xmalloc((size_t)(e - s) + 1);
		memcpy(words[n], s, (size_t)(e - s));
		words[n][e - s] = '\0';
		ascii_lower(words[n]);
		n++;
		s = e;
	}
	return n;
}

/* Does the member's profile match the FTS5 query (one row's check)? */
static bool
fts_row_matches(struct pstmts *p, int64_t member_id, const char *query)
{
	sqlite3_stmt *st = ps_stmt(p, PS_FTS_ROW,
	    "SELECT 1 FROM profiles_fts WHERE profiles_fts MATCH ?2 "
	    "AND rowid = ?1");
	bool yes;

	if (st == NULL)
		return false;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_text(st, 2, query, -1, SQLITE_TRANSIENT);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return yes;
}

/* The member's tags starting with prefix, joined by ", " into out. */
static bool
tags_with_prefix(struct pstmts *p, int64_t member_id, const char *prefix,
    struct buf *out)
{
	sqlite3_stmt *st = ps_stmt(p, PS_TAGS,
	    "SELECT tag FROM member_expertise WHERE member_id = ?1 AND "
	    "tag >= ?2 AND tag < ?2 || char(1114111) ORDER BY tag");
	bool any = false;

	if (st == NULL)
		return false;
	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_printf(out, "%s%s", any ? ", " : "", db_col_text(st, 0));
		any = true;
	}
	sqlite3_reset(st);
	return any;
}

/* Add reason to the list why unless it is there already. */
static void
why_add(json_t *why, const char *reason)
{
	size_t i;
	json_t *v;

	json_array_foreach(why, i, v)
		if (strcmp(json_string_value(v), reason) == 0)
			return;
	json_array_append_new(why, json_string(reason));
}

/* Latin-1 letters without their accents (U+00C0..U+00FF), as FTS5's
 * remove_diacritics folds them; '.' for the two that are not letters. */
static const char latin1_base[] =
    "aaaaaaaceeeeiiiidnooooo.ouuuuyts"
    "aaaaaaaceeeeiiiidnooooo.ouuuuyty";

/*
 * Fold text into tokens as the profiles index sees them (letters and
 * digits, ASCII lowercased, Latin-1 accents dropped; anything else a
 * separator), each NUL-terminated in out; returns how many (at most max).
 */
static int
fold_tokens(const char *s, char *out, size_t outlen, char **toks, int max)
{
	size_t len = strlen(s), o = 0, n;
	bool in = false;
	int nt = 0;
	uint32_t cp;

	while (len > 0 && o + 5 < outlen) {
		n = utf8_decode(s, len, &cp);
		if (n == 0)
			n = 1, cp = '?';
		if (cp >= 0xc0 && cp <= 0xff && latin1_base[cp - 0xc0] != '.')
			cp = (uint32_t)latin1_base[cp - 0xc0];
		if (cp < 0x80 && !isalnum((int)cp)) {
			if (in)
				out[o++] = '\0';
			in = false;
		} else {
			if (!in) {
				if (nt == max)
					break;
				toks[nt++] = out + o;
				in = true;
			}
			if (cp < 0x80)
				out[o++] = (char)tolower((int)cp);
			else {
				memcpy(out + o, s, n);
				o += n;
			}
		}
		s += n;
		len -= n;
	}
	out[o] = '\0';
	return nt;
}

#define FOLD_TOKENS 400

/*
 * Does text match word as the index would ("word"*: its tokens in a row,
 * the last one as a prefix)?
 */
static bool
text_matches(const char *text, const char *word)
{
	char tb[4096], wb[256], *tt[FOLD_TOKENS], *wt[16];
	int nt = fold_tokens(text, tb, sizeof tb, tt, FOLD_TOKENS);
	int nw = fold_tokens(word, wb, sizeof wb, wt, 16);

	for (int i = 0; nw > 0 && i + nw <= nt; i++) {
		int k;
		for (k = 0; k < nw - 1; k++)
			if (strcmp(tt[i + k], wt[k]) != 0)
				break;
		if (k == nw - 1 && strncmp(tt[i + k], wt[k],
		    strlen(wt[k])) == 0)
			return true;
	}
	return false;
}

/*
 * Why one directory result matched a word of the free text: the first of
 * its expertise tags, name, handle, role, organisation, region and About
 * that the word starts a word of. The row's text is matched here as the
 * index would (the search itself is the index's); only if that finds
 * nothing is the index asked, column by column.
 */
static void
why_word(struct pstmts *p, json_t *why, sqlite3_stmt *row, const char *word)
{
	static const struct { const char *col, *label; int at; } cols[] = {
		{ "display_name", "name", 2 }, { "handle", "handle", 1 },
		{ "job_role", "role", 3 }, { "organisation", "organisation", 4 },
		{ "region", "region", 5 }, { "bio", "about", 7 },
	};
	int64_t id = sqlite3_column_int64(row, 0);
	struct buf b, q;
	size_t i, hit = sizeof cols / sizeof cols[0];

	buf_init(&b);
	buf_puts(&b, "expertise: ");
	if (tags_with_prefix(p, id, word, &b)) {
		buf_append(&b, "", 1);
		why_add(why, b.data);
		buf_free(&b);
		return;
	}
	buf_free(&b);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		if (text_matches(db_col_text(row, cols[i].at), word)) {
			hit = i;
			break;
		}
	for (i = 0; hit == sizeof cols / sizeof cols[0] &&
	    i < sizeof cols / sizeof cols[0]; i++) {
		buf_init(&q);
		fts_terms(&q, cols[i].col, word);
		buf_append(&q, "", 1);
		if (q.len > 1 && fts_row_matches(p, id, q.data))
			hit = i;
		buf_free(&q);
	}
	if (hit == sizeof cols / sizeof cols[0])
		return;
	buf_init(&b);
	if (cols[hit].at == 7)
		buf_printf(&b, "about: mentions \"%s\"", word);
	else
		buf_printf(&b, "%s: %s%s", cols[hit].label, hit == 1 ? "@" : "",
		    db_col_text(row, cols[hit].at));
	buf_append(&b, "", 1);
	why_add(why, b.data);
	buf_free(&b);
}

#define SEARCH_WORDS_MAX 8

/* Bind n collected text parameters from index 1. */
static void
bind_all(sqlite3_stmt *st, const char **vals, int n)
{
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_TRANSIENT);
}

/* A directory search on its way through the thread pool (read_async). */
struct dsearch {
	char *q, *tag, *org, *region, *before;
	int64_t community_id; /* 0: every member */
	bool mentoring, has_mentoring;
	json_int_t limit;
	int64_t ids[SEARCH_LIMIT_MAX]; /* the results' members, for online */
	size_t nids;
};

static void
dsearch_free(void *arg)
{
	struct dsearch *d = arg;

	free(d->q);
	free(d->tag);
	free(d->org);
	free(d->region);
	free(d->before);
	free(d);
}

/* On a pool thread, with only its struct dsearch. */
static json_t *
dsearch_work(sqlite3 *db, void *arg, enum proto_err *err, char *msg,
    size_t len)
{
	struct dsearch *d = arg;
	const char *tag = d->tag, *vals[3 * SEARCH_WORDS_MAX + 8];
	json_int_t limit = d->limit;
	char *words[SEARCH_WORDS_MAX], *wq[SEARCH_WORDS_MAX], lim[24];
	char cname[200] = "";
	struct pstmts ps = { .db = db };
	json_t *list, *why;
	struct buf sql, fo, fr, b;
	sqlite3_stmt *st;
	int rc, n = 0, nv = 0, nw;

	if (d->community_id != 0) {
		if (sqlite3_prepare_v2(db, "SELECT name FROM communities WHERE "
		    "id = ?", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, d->community_id);
			if (sqlite3_step(st) == SQLITE_ROW)
				snprintf(cname, sizeof cname, "%s",
				    db_col_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	nw = split_words(d->q, words, SEARCH_WORDS_MAX);
	buf_init(&sql);
	buf_init(&fo);
	buf_init(&fr);
	buf_puts(&sql, "SELECT m.id, m.handle, m.display_name, m.job_role, "
	    "m.organisation, m.region, m.mentoring, m.bio FROM members m "
	    "WHERE m.status = 'active'");
	for (int i = 0; i < nw; i++) {
		buf_init(&b);
		fts_terms(&b, NULL, words[i]);
		buf_append(&b, "", 1);
		wq[i] = b.data;
		buf_puts(&sql, " AND (m.id IN (SELECT rowid FROM profiles_fts "
		    "WHERE profiles_fts MATCH ?) OR EXISTS (SELECT 1 FROM "
		    "member_expertise e WHERE e.member_id = m.id AND "
		    "e.tag >= ? AND e.tag < ? || char(1114111)))");
		vals[nv++] = wq[i];
		vals[nv++] = words[i];
		vals[nv++] = words[i];
	}
	if (d->org != NULL)
		fts_terms(&fo, "organisation", d->org);
	if (d->region != NULL)
		fts_terms(&fr, "region", d->region);
	buf_append(&fo, "", 1);
	buf_append(&fr, "", 1);
	if (fo.len > 1) {
		buf_puts(&sql, " AND m.id IN (SELECT rowid FROM profiles_fts "
		    "WHERE profiles_fts MATCH ?)");
		vals[nv++] = fo.data;
	}
	if (fr.len > 1) {
		buf_puts(&sql, " AND m.id IN (SELECT rowid FROM profiles_fts "
		    "WHERE profiles_fts MATCH ?)");
		vals[nv++] = fr.data;
	}
	if (tag != NULL) {
		buf_puts(&sql, " AND EXISTS (SELECT 1 FROM member_expertise e "
		    "WHERE e.member_id = m.id AND e.tag >= ? AND "
		    "e.tag < ? || char(1114111))");
		vals[nv++] = tag;
		vals[nv++] = tag;
	}
	if (d->community_id != 0)
		buf_printf(&sql, " AND EXISTS (SELECT 1 FROM community_members "
		    "cm WHERE cm.community_id = %lld AND cm.member_id = m.id)",
		    (long long)d->community_id);
	if (d->has_mentoring)
		buf_printf(&sql, " AND m.mentoring = %d", d->mentoring ? 1 : 0);
	if (d->before != NULL) {
		buf_puts(&sql, " AND m.handle > ?");
		vals[nv++] = d->before;
	}
	snprintf(lim, sizeof lim, "%lld", (long long)limit + 1);
	buf_printf(&sql, " ORDER BY m.handle LIMIT %s", lim);
	buf_append(&sql, "", 1);
	rc = sqlite3_prepare_v2(db, sql.data, -1, &st, NULL);
	list = json_array();
	if (rc == SQLITE_OK) {
		bind_all(st, vals, nv);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);

			if (++n > limit)
				break;
			why = json_array();
			for (int i = 0; i < nw; i++)
				why_word(&ps, why, st, words[i]);
			if (tag != NULL) {
				buf_init(&b);
				buf_puts(&b, "expertise: ");
				tags_with_prefix(&ps, id, tag, &b);
				buf_append(&b, "", 1);
				why_add(why, b.data);
				buf_free(&b);
			}
			if (fr.len > 1) {
				buf_init(&b);
				buf_printf(&b, "region: %s", db_col_text(st, 5));
				buf_append(&b, "", 1);
				why_add(why, b.data);
				buf_free(&b);
			}
			if (fo.len > 1) {
				buf_init(&b);
				buf_printf(&b, "organisation: %s",
				    db_col_text(st, 4));
				buf_append(&b, "", 1);
				why_add(why, b.data);
				buf_free(&b);
			}
			if (d->community_id != 0) {
				buf_init(&b);
				buf_printf(&b, "community: %s", cname);
				buf_append(&b, "", 1);
				why_add(why, b.data);
				buf_free(&b);
			}
			if (d->has_mentoring && d->mentoring)
				why_add(why, "happy to mentor");
			/* online: dsearch_finish, on the loop thread */
			d->ids[d->nids++] = id;
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:s, s:o, s:b, s:b, s:o}", "handle",
			    db_col_text(st, 1), "display_name",
			    db_col_text(st, 2), "job_role", db_col_text(st, 3),
			    "organisation", db_col_text(st, 4), "region",
			    db_col_text(st, 5), "expertise",
			    expertise_json_on(&ps, id), "mentoring",
			    sqlite3_column_int(st, 6) != 0, "online", false,
			    "why", why));
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		snprintf(msg, len, "database error: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	for (int i = 0; i < PS_COUNT; i++)
		sqlite3_finalize(ps.st[i]);
	for (int i = 0; i < nw; i++) {
		free(words[i]);
		free(wq[i]);
	}
	buf_free(&sql);
	buf_free(&fo);
	buf_free(&fr);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		*err = ERR_INTERNAL;
		return NULL;
	}
	return json_pack("{s:o, s:o}", "members", list, "next",
	    n > limit ? json_incref(json_object_get(json_array_get(list,
	    (size_t)limit - 1), "handle")) : json_null());
}

/* Back on the loop thread: who of the results is online now. */
static void
dsearch_finish(json_t *result, void *arg)
{
	struct dsearch *d = arg;
	json_t *list = json_object_get(result, "members");

	for (size_t i = 0; i < d->nids && i < json_array_size(list); i++)
		json_object_set_new(json_array_get(list, i), "online",
		    json_boolean(member_online(d->ids[i])));
}

/*
 * The directory: every filter given must hold. The free text q matches
 * each of its words against the profile's text (full-text, prefixes,
 * accents folded) or the start of an expertise tag; expertise matches the
 * start of a tag; organisation and region words their own fields. Each
 * result says why it matched. Who may list a community's members is
 * decided here, on the loop; the reading runs off it (dsearch_work).
 */
static int
op_member_search(struct call *x)
{
	const char *q = NULL, *tag = NULL, *org = NULL, *region = NULL,
	    *slug = NULL, *before = NULL;
	json_int_t limit = SEARCH_LIMIT_DEFAULT;
	char tagbuf[TAG_MAX_CHARS * 4 + 1];
	struct access a = { 0 };
	bool mentoring = false, has_mentoring;
	struct dsearch *d;
	json_t *v;

	if (arg_str(x->args, "q", false, 200, &q, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "expertise", false, TAG_MAX_CHARS * 4, &tag,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "organisation", false, 120, &org, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "region", false, 80, &region, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_bool(x->args, "mentoring", false, &mentoring, x->msg,
	    sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, SEARCH_LIMIT_MAX, &limit,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_str(x->args, "before", false, 40, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	has_mentoring = (v = json_object_get(x->args, "mentoring")) != NULL &&
	    !json_is_null(v);
	if (slug != NULL && *slug == '\0')
		slug = NULL;
	if (slug != NULL && authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	if (tag != NULL) {
		while (*tag == ' ')
			tag++;
		snprintf(tagbuf, sizeof tagbuf, "%s", tag);
		for (size_t l = strlen(tagbuf); l > 0 && tagbuf[l - 1] == ' ';)
			tagbuf[--l] = '\0';
		ascii_lower(tagbuf);
		tag = tagbuf[0] != '\0' ? tagbuf : NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->q = q != NULL ? xstrdup(q) : NULL;
	d->tag = tag != NULL ? xstrdup(tag) : NULL;
	d->org = org != NULL ? xstrdup(org) : NULL;
	d->region = region != NULL ? xstrdup(region) : NULL;
	d->before = before != NULL ? xstrdup(before) : NULL;
	d->community_id = slug != NULL ? a.community_id : 0;
	d->mentoring = mentoring;
	d->has_mentoring = has_mentoring;
	d->limit = limit;
	return read_async(x, dsearch_work, dsearch_finish, d, dsearch_free,
	    true);
}

/*
 * profile.tags: the expertise tags members use, the most used first, for
 * suggestions as a member types their own or a directory filter. The
 * counting runs off the loop (read_async).
 */
struct ptags {
	char prefix[TAG_MAX_CHARS * 4 + 1];
	json_int_t limit;
};

/* On a pool thread, with only its struct ptags. */
static json_t *
ptags_work(sqlite3 *db, void *arg, enum proto_err *err, char *msg,
    size_t len)
{
	struct ptags *t = arg;
	sqlite3_stmt *st = NULL;
	json_t *list;
	int rc;

	list = json_array();
	if ((rc = sqlite3_prepare_v2(db,
	    "SELECT e.tag, count(*) AS n FROM member_expertise e JOIN "
	    "members m ON m.id = e.member_id AND m.status = 'active' "
	    "WHERE e.tag >= ?1 AND e.tag < ?1 || char(1114111) "
	    "GROUP BY e.tag ORDER BY n DESC, e.tag LIMIT ?2", -1, &st,
	    NULL)) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, t->prefix, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, t->limit);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(list, json_pack("{s:s, s:I}",
			    "tag", db_col_text(st, 0), "members",
			    (json_int_t)sqlite3_column_int64(st, 1)));
	}
	if (rc != SQLITE_DONE)
		snprintf(msg, len, "database error: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		*err = ERR_INTERNAL;
		return NULL;
	}
	return json_pack("{s:o}", "tags", list);
}

static int
op_profile_tags(struct call *x)
{
	const char *prefix = NULL;
	json_int_t limit = 20;
	struct ptags *t;

	if (arg_str(x->args, "prefix", false, TAG_MAX_CHARS * 4, &prefix,
	    x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "limit", false, 1, 100, &limit, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	t = xcalloc(1, sizeof *t);
	if (prefix != NULL) {
		while (*prefix == ' ')
			prefix++;
		snprintf(t->prefix, sizeof t->prefix, "%s", prefix);
		ascii_lower(t->prefix);
	}
	t->limit = limit;
	return read_async(x, ptags_work, NULL, t, free, false);
}

/* A member is a newcomer for this long after joining, */
#define NEWCOMER_DAYS 30
/* or while they have written fewer posts than this. */
#define NEWCOMER_POSTS 3
#define SUGGEST_MAX 20

/*
 * member.suggestions: people a member might connect with: those who share
 * an expertise tag, the region or a community with them, mentors first,
 * then the most in common. Each says what is shared. Never contact
 * details (those are profile.get's, as their owner allows).
 */
static int
op_member_suggestions(struct call *x)
{
	int64_t me = x->conn->member.id;
	json_int_t limit = 5;
	sqlite3_stmt *st;
	json_t *list, *why;
	bool newcomer;
	int rc;

	if (arg_int(x->args, "limit", false, 1, SUGGEST_MAX, &limit, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	st = db_stmt(srv->db,
	    "SELECT created_at > ?2 OR (SELECT count(*) FROM posts WHERE "
	    "author_id = ?1 AND deleted_at IS NULL) < ?3 FROM members "
	    "WHERE id = ?1");
	sqlite3_bind_int64(st, 1, me);
	sqlite3_bind_int64(st, 2, now_unix() - NEWCOMER_DAYS * 86400);
	sqlite3_bind_int(st, 3, NEWCOMER_POSTS);
	rc = sqlite3_step(st);
	newcomer = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return call_db_fail(x);
	/* the top few by what they share, then what that is for those */
	st = db_stmt(srv->db,
	    "WITH mytags(tag) AS (SELECT tag FROM member_expertise WHERE "
	    " member_id = ?1), "
	    "mycomms(id) AS (SELECT community_id FROM community_members "
	    " WHERE member_id = ?1), "
	    "myregion(r) AS (SELECT region FROM members WHERE id = ?1 AND "
	    " region != ''), "
	    "shared(id, w) AS (SELECT member_id, 3 FROM member_expertise "
	    " WHERE tag IN mytags UNION ALL SELECT id, 2 FROM members WHERE "
	    " region = (SELECT r FROM myregion) UNION ALL SELECT member_id, 1 "
	    " FROM community_members WHERE community_id IN mycomms), "
	    "top AS (SELECT m.id, m.mentoring, sum(s.w) AS score FROM shared s "
	    " JOIN members m ON m.id = s.id WHERE m.id != ?1 AND m.status = "
	    " 'active' GROUP BY m.id ORDER BY m.mentoring DESC, score DESC, "
	    " m.handle LIMIT ?2) "
	    "SELECT m.handle, m.display_name, m.job_role, m.region, m.mentoring, "
	    " (SELECT group_concat(tag, ', ') FROM (SELECT e.tag FROM "
	    "  member_expertise e WHERE e.member_id = m.id AND e.tag IN mytags "
	    "  ORDER BY e.tag)), "
	    " m.region = (SELECT r FROM myregion), "
	    " (SELECT group_concat(name, ', ') FROM (SELECT c.name FROM "
	    "  community_members cm JOIN communities c ON c.id = "
	    "  cm.community_id WHERE cm.member_id = m.id AND cm.community_id "
	    "  IN mycomms ORDER BY c.name)) "
	    "FROM top JOIN members m ON m.id = top.id "
	    "ORDER BY top.mentoring DESC, top.score DESC, m.handle");
	sqlite3_bind_int64(st, 1, me);
	sqlite3_bind_int64(st, 2, limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char line[600];

		why = json_array();
		if (sqlite3_column_int(st, 4))
			json_array_append_new(why,
			    json_string("happy to mentor"));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
			snprintf(line, sizeof line, "expertise: %s",
			    db_col_text(st, 5));
			json_array_append_new(why, json_string(line));
		}
		if (sqlite3_column_int(st, 6)) {
			snprintf(line, sizeof line, "region: %s",
			    db_col_text(st, 3));
			json_array_append_new(why, json_string(line));
		}
		if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
			snprintf(line, sizeof line, "community: %s",
			    db_col_text(st, 7));
			json_array_append_new(why, json_string(line));
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:b, s:o}", "handle", db_col_text(st, 0), "display_name",
		    db_col_text(st, 1), "job_role", db_col_text(st, 2),
		    "region", db_col_text(st, 3), "mentoring",
		    sqlite3_column_int(st, 4) != 0, "why", why));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:b, s:o}", "newcomer", newcomer,
	    "suggestions", list);
	return 0;
}

/* Is the member in the community? */
static bool
community_has(int64_t community_id, int64_t member_id)
{
	return db_exists(srv->db,
	    "SELECT 1 FROM community_members WHERE community_id = ? "
	    "AND member_id = ?", community_id, member_id);
}

/* Order online entries by handle. */
static int
cmp_handle(const void *a, const void *b)
{
	const struct conn *ca = *(const struct conn *const *)a;
	const struct conn *cb = *(const struct conn *const *)b;

	return strcmp(ca->member.handle, cb->member.handle);
}

static int
op_member_online(struct call *x)
{
	const char *slug = NULL;
	struct access a = { 0 };
	struct conn **seen = NULL, *c;
	size_t n = 0, cap = 0, i;
	json_t *list;

	if (arg_str(x->args, "community", false, 64, &slug, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (slug != NULL && authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	for (c = conn_first(); c != NULL; c = c->next) {
		if (c->member.id == 0 || c->closing || c->join || c->guest ||
		    c->console || c->member.removed)
			continue;
		for (i = 0; i < n; i++)
			if (seen[i]->member.id == c->member.id)
				break;
		if (i < n)
			continue;
		if (slug != NULL && !community_has(a.community_id,
		    c->member.id))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			seen = xrealloc(seen, cap * sizeof *seen);
		}
		seen[n++] = c;
	}
	if (n > 0)
		qsort(seen, n, sizeof *seen, cmp_handle);
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "handle",
		    seen[i]->member.handle, "display_name",
		    seen[i]->member.display_name != NULL ?
		    seen[i]->member.display_name : ""));
	free(seen);
	x->result = json_pack("{s:o}", "online", list);
	return 0;
}

const struct op op_profile_table[] = {
	{ "profile.get", OP_MEMBER, op_profile_get,
	    "A member's profile {handle?} (default: yours), with the "
	    "communities you share; contact details as their owner allows.",
	    RATE_READ, ARGS(ARG_STR("handle", ARG_OPT, 40)) },
	{ "profile.update", OP_MEMBER | OP_SELF | OP_WRITE, op_profile_update,
	    "Change your profile: only the fields given (display_name, "
	    "pronouns, job_role, organisation, region, bio, expertise, "
	    "mentoring, contact, contact_visibility, timezone: an IANA name, "
	    "\"\" for the server's; email sends a code to confirm it, \"\" "
	    "removes it).", RATE_WRITE,
	    ARGS(ARG_STR("display_name", ARG_OPT, 80),
	    ARG_STR("pronouns", ARG_OPT, 40), ARG_STR("job_role", ARG_OPT, 120),
	    ARG_STR("organisation", ARG_OPT, 120),
	    ARG_STR("region", ARG_OPT, 80), ARG_STR("bio", ARG_OPT, BIO_MAX),
	    ARG_STR("contact", ARG_OPT, 300),
	    ARG_STR("contact_visibility", ARG_OPT, 16),
	    ARG_BOOL("mentoring", ARG_OPT),
	    ARG_STR("email", ARG_OPT, 254),
	    ARG_STR("timezone", ARG_OPT, 200),
	    ARG_STRS("expertise", ARG_OPT, 0, EXPERTISE_MAX,
	    TAG_MAX_CHARS * 4)) },
	{ "member.search", OP_MEMBER | OP_ASYNC, op_member_search,
	    "The member directory {q?, expertise?, organisation?, region?, "
	    "community?, mentoring?, limit?, before?}, by handle; each "
	    "result says why it matched (why: [\"expertise: trauma\", "
	    "...]). q matches any profile text or the start of a tag.",
	    RATE_SEARCH, ARGS(ARG_STR("q", ARG_OPT, 200),
	    ARG_STR("expertise", ARG_OPT, TAG_MAX_CHARS * 4),
	    ARG_STR("organisation", ARG_OPT, 120),
	    ARG_STR("region", ARG_OPT, 80), ARG_STR("community", ARG_OPT, 64),
	    ARG_BOOL("mentoring", ARG_OPT),
	    ARG_INT("limit", ARG_OPT, 1, SEARCH_LIMIT_MAX),
	    ARG_STR("before", ARG_OPT, 40)) },
	{ "profile.tags", OP_MEMBER | OP_ASYNC, op_profile_tags,
	    "Expertise tags members use {prefix?, limit?}, the most used "
	    "first: suggestions while typing tags.", RATE_READ,
	    ARGS(ARG_STR("prefix", ARG_OPT, TAG_MAX_CHARS * 4),
	    ARG_INT("limit", ARG_OPT, 1, 100)) },
	{ "member.suggestions", OP_MEMBER, op_member_suggestions,
	    "People you might connect with {limit?}: who share an expertise "
	    "tag, your region or a community, mentors first, each with why; "
	    "newcomer says whether you joined recently or wrote little.",
	    RATE_READ, ARGS(ARG_INT("limit", ARG_OPT, 1, SUGGEST_MAX)) },
	{ "member.online", OP_MEMBER, op_member_online,
	    "Members with a live session now {community?}.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_OPT, 64)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
