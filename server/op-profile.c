/*
 * op-profile.c: members' profiles and the member directory: profile.get,
 * profile.update, member.search (full-text over profiles_fts plus filters)
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

/* The member's expertise tags, alphabetically. */
static json_t *
expertise_json(int64_t member_id)
{
	sqlite3_stmt *st = db_stmt(srv->db,
	    "SELECT tag FROM member_expertise WHERE member_id = ? "
	    "ORDER BY tag");
	json_t *a = json_array();

	sqlite3_bind_int64(st, 1, member_id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_string(db_col_text(st, 0)));
	sqlite3_reset(st);
	return a;
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
		    "No member '%s'. Check the handle, or find people with "
		    "member.search.", handle != NULL ? handle : "");
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
static void
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

/*
 * The directory query is driven from the most selective index (the FTS
 * table, a tag, a community, else members by handle); the filters every
 * variant shares follow. ?1 fts query, ?2 tag, ?3 community id, ?4
 * mentoring, ?5 the cursor (a handle), ?6 the limit.
 */
#define SEARCH_COLS \
	"SELECT m.id, m.handle, m.display_name, m.job_role, m.organisation, " \
	"m.region, m.mentoring FROM "
#define SEARCH_FILTERS \
	" AND m.status = 'active' " \
	"AND (?2 IS NULL OR EXISTS (SELECT 1 FROM member_expertise e " \
	" WHERE e.tag = ?2 AND e.member_id = m.id)) " \
	"AND (?3 IS NULL OR EXISTS (SELECT 1 FROM community_members cm " \
	" WHERE cm.community_id = ?3 AND cm.member_id = m.id)) " \
	"AND (?4 IS NULL OR m.mentoring = ?4) " \
	"AND (?5 IS NULL OR m.handle > ?5) ORDER BY m.handle LIMIT ?6"

static int
op_member_search(struct call *x)
{
	const char *q = NULL, *tag = NULL, *org = NULL, *region = NULL,
	    *slug = NULL, *before = NULL;
	json_int_t limit = SEARCH_LIMIT_DEFAULT;
	char tagbuf[TAG_MAX_CHARS * 4 + 1];
	struct access a = { 0 };
	bool mentoring = false, has_mentoring;
	json_t *list, *v;
	struct buf fts;
	sqlite3_stmt *st;
	int rc, n = 0;

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
	if (slug != NULL && authz_community_slug(x, slug, CA_READ, &a) != 0)
		return -1;
	if (tag != NULL) {
		snprintf(tagbuf, sizeof tagbuf, "%s", tag);
		for (char *p = tagbuf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		tag = tagbuf;
	}
	buf_init(&fts);
	if (q != NULL)
		fts_terms(&fts, NULL, q);
	if (org != NULL)
		fts_terms(&fts, "organisation", org);
	if (region != NULL)
		fts_terms(&fts, "region", region);
	buf_append(&fts, "", 1);
	if (fts.len > 1)
		st = db_stmt(srv->db, SEARCH_COLS "profiles_fts f JOIN members "
		    "m ON m.id = f.rowid WHERE profiles_fts MATCH ?1"
		    SEARCH_FILTERS);
	else if (tag != NULL)
		st = db_stmt(srv->db, SEARCH_COLS "member_expertise e0 JOIN "
		    "members m ON m.id = e0.member_id WHERE e0.tag = ?2"
		    SEARCH_FILTERS);
	else if (slug != NULL)
		st = db_stmt(srv->db, SEARCH_COLS "community_members c0 JOIN "
		    "members m ON m.id = c0.member_id WHERE "
		    "c0.community_id = ?3" SEARCH_FILTERS);
	else
		st = db_stmt(srv->db, SEARCH_COLS "members m WHERE 1"
		    SEARCH_FILTERS);
	if (fts.len > 1)
		sqlite3_bind_text(st, 1, fts.data, -1, SQLITE_STATIC);
	bind_opt(st, 2, tag);
	if (slug != NULL)
		sqlite3_bind_int64(st, 3, a.community_id);
	if (has_mentoring)
		sqlite3_bind_int(st, 4, mentoring);
	bind_opt(st, 5, before);
	sqlite3_bind_int64(st, 6, limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > limit)
			break;
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:o, s:b, s:b}", "handle", db_col_text(st, 1),
		    "display_name", db_col_text(st, 2), "job_role",
		    db_col_text(st, 3), "organisation", db_col_text(st, 4),
		    "region", db_col_text(st, 5), "expertise",
		    expertise_json(sqlite3_column_int64(st, 0)), "mentoring",
		    sqlite3_column_int(st, 6) != 0, "online",
		    member_online(sqlite3_column_int64(st, 0))));
	}
	sqlite3_reset(st);
	buf_free(&fts);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:o, s:o}", "members", list, "next",
	    n > limit ? json_incref(json_object_get(json_array_get(list,
	    (size_t)limit - 1), "handle")) : json_null());
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
	    "mentoring, contact, contact_visibility; email sends a code to "
	    "confirm it, \"\" removes it).", RATE_WRITE,
	    ARGS(ARG_STR("display_name", ARG_OPT, 80),
	    ARG_STR("pronouns", ARG_OPT, 40), ARG_STR("job_role", ARG_OPT, 120),
	    ARG_STR("organisation", ARG_OPT, 120),
	    ARG_STR("region", ARG_OPT, 80), ARG_STR("bio", ARG_OPT, BIO_MAX),
	    ARG_STR("contact", ARG_OPT, 300),
	    ARG_STR("contact_visibility", ARG_OPT, 16),
	    ARG_BOOL("mentoring", ARG_OPT),
	    ARG_STR("email", ARG_OPT, 254),
	    ARG_STRS("expertise", ARG_OPT, 0, EXPERTISE_MAX,
	    TAG_MAX_CHARS * 4)) },
	{ "member.search", OP_MEMBER, op_member_search,
	    "The member directory {q?, expertise?, organisation?, region?, "
	    "community?, mentoring?, limit?, before?}, by handle.",
	    RATE_SEARCH, ARGS(ARG_STR("q", ARG_OPT, 200),
	    ARG_STR("expertise", ARG_OPT, TAG_MAX_CHARS * 4),
	    ARG_STR("organisation", ARG_OPT, 120),
	    ARG_STR("region", ARG_OPT, 80), ARG_STR("community", ARG_OPT, 64),
	    ARG_BOOL("mentoring", ARG_OPT),
	    ARG_INT("limit", ARG_OPT, 1, SEARCH_LIMIT_MAX),
	    ARG_STR("before", ARG_OPT, 40)) },
	{ "member.online", OP_MEMBER, op_member_online,
	    "Members with a live session now {community?}.", RATE_READ,
	    ARGS(ARG_STR("community", ARG_OPT, 64)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
