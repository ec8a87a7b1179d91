/*
 * op-record.c: what a closed room keeps, from the database alone (rooms,
 * room_messages, room_attendance). A summary room's record is posted at
 * once. A transcript or Chatham room's record waits for review: until it
 * is published only the room's hosts and the community's managers may read
 * it (room.record.get), drop or edit its lines (room.record.edit: a third
 * party's name said by mistake) and publish it (room.record.publish);
 * room_review_hours after the close the server publishes it as it stands,
 * having told the hosts beforehand. Published records are ordinary threads
 * (tag room-record) that moderators can hide like any post. A Chatham
 * record never carries the handle or display name of anyone who was there,
 * not even inside what was said.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

#define POST_CHUNK 16000
#define REVIEW_TICK_MS 1000

/* A closed room's row, as the record needs it. */
struct rec {
	int64_t id, community_id, event_id, opened_at, opened_by, closed_by;
	int64_t closed_at;
	int64_t review_until, published_at, thread_id;
	char *title, *topic, *mode, *summary, *slug;
};

static void
rec_clear(struct rec *r)
{
	free(r->title);
	free(r->topic);
	free(r->mode);
	free(r->summary);
	free(r->slug);
	memset(r, 0, sizeof *r);
}

/* Load room id; 1 found, 0 not, -1 (call failed) on a database error. */
static int
rec_load(struct call *x, int64_t id, struct rec *r)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT r.id, r.community_id, "
	    "r.event_id, r.opened_at, r.opened_by, r.closed_by, "
	    "r.review_until, r.published_at, r.thread_id, r.title, r.topic, "
	    "r.record_mode, r.summary, c.slug, r.closed_at FROM rooms r LEFT "
	    "JOIN communities c ON c.id = r.community_id WHERE r.id = ?");
	int rc;

	memset(r, 0, sizeof *r);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 14) != SQLITE_NULL) {
		r->id = sqlite3_column_int64(st, 0);
		r->community_id = sqlite3_column_int64(st, 1);
		r->event_id = sqlite3_column_int64(st, 2);
		r->opened_at = sqlite3_column_int64(st, 3);
		r->opened_by = sqlite3_column_int64(st, 4);
		r->closed_by = sqlite3_column_int64(st, 5);
		r->review_until = sqlite3_column_int64(st, 6);
		r->published_at = sqlite3_column_int64(st, 7);
		r->thread_id = sqlite3_column_int64(st, 8);
		r->closed_at = sqlite3_column_int64(st, 14);
		r->title = xstrdup(db_col_text(st, 9));
		r->topic = xstrdup(db_col_text(st, 10));
		r->mode = xstrdup(db_col_text(st, 11));
		if (sqlite3_column_type(st, 12) != SQLITE_NULL)
			r->summary = xstrdup(db_col_text(st, 12));
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			r->slug = xstrdup(db_col_text(st, 13));
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	return call_db_fail(x);
}

static bool
chatham(const struct rec *r)
{
	return strcmp(r->mode, "chatham") == 0;
}

/* Insert one post of the record thread. */
static int
post_add(struct call *x, int64_t thread, int64_t author, const char *body,
    int64_t now, int64_t *post)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO posts (thread_id, "
	    "author_id, body, created_at) VALUES (?, ?, ?, ?)");

	sqlite3_bind_int64(st, 1, thread);
	if (author != 0)
		sqlite3_bind_int64(st, 2, author);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (call_step(x, st) != 0)
		return -1;
	*post = sqlite3_last_insert_rowid(srv->db);
	return 0;
}

/*
 * Append chat text to a CommonMark post so that it shows as it was typed:
 * the punctuation Markdown gives a meaning is backslash-escaped (a line
 * "2. Yes" stays a line, not a list; *stars* stay stars), leading spaces
 * stay (as no-break spaces, not a code block), and each line break is a
 * hard break.
 */
static void
buf_put_verbatim(struct buf *b, const char *text)
{
	bool line_start = true;

	for (const char *t = text; *t != '\0'; t++) {
		if (*t == '\r')
			continue;
		if (*t == '\n') {
			if (t[1] != '\0')
				buf_puts(b, "\\\n");
			line_start = true;
			continue;
		}
		if (line_start && (*t == ' ' || *t == '\t')) {
			buf_puts(b, *t == ' ' ? "\xc2\xa0" :
			    "\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0");
			continue;
		}
		line_start = false;
		if (strchr("\\`*_[]<>#+-.)!|~&=", *t) != NULL)
			buf_append(b, "\\", 1);
		buf_append(b, t, 1);
	}
}

/* The names of everyone who was in the room (handles and display names). */
struct names {
	char **v;
	size_t n;
};

static void
names_add(struct names *nm, size_t *cap, const char *s)
{
	if (strlen(s) < 2)
		return; /* a one-letter name is no name */
	if (nm->n + 1 >= *cap) {
		*cap = *cap ? *cap * 2 : 16;
		nm->v = xrealloc(nm->v, *cap * sizeof *nm->v);
	}
	nm->v[nm->n++] = xstrdup(s);
}

static void
names_load(int64_t room_id, struct names *nm)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT m.handle, m.display_name "
	    "FROM members m WHERE m.id IN (SELECT member_id FROM "
	    "room_attendance WHERE room_id = ?1 UNION SELECT member_id FROM "
	    "room_people WHERE room_id = ?1 UNION SELECT opened_by FROM rooms "
	    "WHERE id = ?1)");
	size_t cap = 0;

	nm->v = NULL;
	nm->n = 0;
	sqlite3_bind_int64(st, 1, room_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		/* the handle, the whole display name and each word of it (a
		 * first name or a surname alone is a name too) */
		char *words = xstrdup(db_col_text(st, 1)), *w, *save = NULL;

		names_add(nm, &cap, db_col_text(st, 0));
		names_add(nm, &cap, db_col_text(st, 1));
		for (w = strtok_r(words, " \t-", &save); w != NULL;
		    w = strtok_r(NULL, " \t-", &save))
			if (strlen(w) >= 3)
				names_add(nm, &cap, w);
		free(words);
	}
	sqlite3_reset(st);
}

static void
names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/*
 * Is the code point starting at s part of a word? ASCII letters, digits
 * and '_' are; so are other letters, but not the punctuation and spaces
 * of Latin-1 and General Punctuation (’ “ ” … — and the like), so a name
 * next to a curly quote or a dash is still a whole word.
 */
static bool
word_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;

	if (u[0] < 0x80)
		return (u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' &&
		    u[0] <= 'Z') || (u[0] >= '0' && u[0] <= '9') || u[0] == '_';
	if ((u[0] & 0xE0) == 0xC0 && u[1] != 0)
		cp = (u[0] & 0x1Fu) << 6 | (u[1] & 0x3Fu);
	else if ((u[0] & 0xF0) == 0xE0 && u[1] != 0 && u[2] != 0)
		cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 |
		    (u[2] & 0x3Fu);
	else
		return true; /* other scripts' letters */
	return !((cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
	    (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F));
}

/* The start of the code point before s (s > text). */
static const char *
prev_cp(const char *text, const char *s)
{
	do
		s--;
	while (s > text && ((unsigned char)*s & 0xC0) == 0x80);
	return s;
}

/*
 * A copy of text with every name of the room's people (as a whole word,
 * any case, with or without @) replaced: a Chatham record keeps what was
 * said, never who was there.
 */
static char *
names_scrub(const struct names *nm, const char *text)
{
	struct buf b;
	const char *t = text;
	size_t len, best;

	buf_init(&b);
	while (*t != '\0') {
		best = 0;
		if (t == text || !word_at(prev_cp(text, t))) {
			const char *s = *t == '@' ? t + 1 : t;

			for (size_t i = 0; i < nm->n; i++) {
				len = strlen(nm->v[i]);
				if (strncasecmp(s, nm->v[i], len) == 0 &&
				    (s[len] == '\0' || !word_at(s + len)) &&
				    (size_t)(s - t) + len > best)
					best = (size_t)(s - t) + len;
			}
		}
		if (best > 0) {
			buf_puts(&b, "[name removed]");
			t += best;
		} else
			buf_append(&b, t++, 1);
	}
	buf_append(&b, "", 1);
	return b.data;
}

/*
 * Post the record as a thread in the room's community: a header post, then
 * the kept lines not dropped in posts of at most 16 KB (or the summary).
 * Keeps threads.last_post_at, last_post_id and post_count right.
 */
static int
record_post(struct call *x, const struct rec *r, int64_t *thread)
{
	sqlite3_stmt *st;
	struct buf b;
	struct names nm = { 0 };
	int64_t closer = r->closed_by != 0 ? r->closed_by : r->opened_by;
	int64_t author = chatham(r) ? 0 : closer;
	int64_t now = now_unix(), post = 0, count = 0, attended = 0;
	char day[32], when[32], title[300], *text;
	int rc;

	*thread = 0;
	st = db_stmt(srv->db, "SELECT count(*) FROM room_attendance WHERE "
	    "room_id = ?");
	sqlite3_bind_int64(st, 1, r->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		attended = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	time_iso8601(r->opened_at, day);
	day[10] = ' ';
	day[16] = '\0'; /* YYYY-MM-DD HH:MM: a weekly room's records differ */
	snprintf(title, sizeof title, "Room record: %s (%s UTC)", r->title,
	    day);
	st = db_stmt(srv->db, "INSERT INTO threads (community_id, author_id, "
	    "title, tags, created_at, last_post_at, post_count) VALUES (?, ?, "
	    "?, 'room-record', ?, ?, 0)");
	sqlite3_bind_int64(st, 1, r->community_id);
	if (author != 0)
		sqlite3_bind_int64(st, 2, author);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	if (call_step(x, st) != 0)
		return -1;
	*thread = sqlite3_last_insert_rowid(srv->db);
	buf_init(&b);
	time_human(r->opened_at, when);
	buf_printf(&b, "Record of the room “%s”, opened %s, closed ",
	    r->title, when);
	time_human(r->closed_at, when); /* not when it is published */
	buf_printf(&b, "%s. %lld attended.\n\n", when, (long long)attended);
	if (r->topic != NULL && r->topic[0] != '\0')
		buf_printf(&b, "Topic: %s\n\n", r->topic);
	if (strcmp(r->mode, "transcript") == 0)
		buf_puts(&b, "Record mode: transcript (kept for the "
		    "community's members, reviewed by the hosts).\n");
	else if (chatham(r))
		buf_puts(&b, "Held under the Chatham House Rule: what was "
		    "said is kept, not who said it.\n");
	else
		buf_puts(&b, "Record mode: summary (only the host's summary "
		    "is kept).\n");
	if (r->summary != NULL && r->summary[0] != '\0')
		buf_printf(&b, "\n## Summary\n\n%s\n", r->summary);
	buf_append(&b, "", 1);
	rc = post_add(x, *thread, author, b.data, now, &post);
	buf_free(&b);
	if (rc != 0)
		return -1;
	count++;
	if (chatham(r) || strcmp(r->mode, "transcript") == 0) {
		if (chatham(r))
			names_load(r->id, &nm);
		st = db_stmt(srv->db, "SELECT m.display_name, m.handle, "
		    "r.body, r.at FROM room_messages r LEFT JOIN members m ON "
		    "m.id = r.member_id WHERE r.room_id = ? AND r.private_a "
		    "IS NULL AND r.dropped = 0 ORDER BY r.id");
		buf_init(&b);
		sqlite3_bind_int64(st, 1, r->id);
		rc = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			time_iso8601(sqlite3_column_int64(st, 3), when);
			if (!chatham(r)) {
				buf_puts(&b, "**");
				buf_put_verbatim(&b, db_col_text(st, 0));
				buf_puts(&b, "** (@");
				buf_put_verbatim(&b, db_col_text(st, 1));
				buf_printf(&b, ") %.5s\\\n", when + 11);
				buf_put_verbatim(&b, db_col_text(st, 2));
			} else {
				buf_printf(&b, "%.5s\\\n", when + 11);
				text = names_scrub(&nm, db_col_text(st, 2));
				buf_put_verbatim(&b, text);
				free(text);
			}
			buf_puts(&b, "\n\n");
			if (buf_used(&b) >= POST_CHUNK) {
				buf_append(&b, "", 1);
				/* post_add uses another statement */
				rc = post_add(x, *thread, author, b.data, now,
				    &post);
				buf_clear(&b);
				if (rc != 0)
					break;
				count++;
			}
		}
		sqlite3_reset(st);
		names_free(&nm);
		if (rc == 0 && buf_used(&b) > 0) {
			buf_append(&b, "", 1);
			rc = post_add(x, *thread, author, b.data, now, &post);
			count++;
		}
		buf_free(&b);
		if (rc != 0)
			return -1;
	}
	st = db_stmt(srv->db, "UPDATE threads SET last_post_at = ?, "
	    "last_post_id = ?, post_count = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, post);
	sqlite3_bind_int64(st, 3, count);
	sqlite3_bind_int64(st, 4, *thread);
	return call_step(x, st);
}

/* The members who hosted the room (to be told about its record). */
static size_t
hosts_of(int64_t room_id, int64_t *ids, size_t max)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT member_id FROM "
	    "room_people WHERE room_id = ?1 AND host = 1 UNION SELECT "
	    "opened_by FROM rooms WHERE id = ?1 AND opened_by IS NOT NULL");
	size_t n = 0;

	sqlite3_bind_int64(st, 1, room_id);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Every session of the record's hosts reloads it (another front end of
 * theirs, or a co-host, may have it open). */
static void
record_changed(struct call *x, int64_t room_id, bool published)
{
	int64_t hosts[64];
	size_t n = hosts_of(room_id, hosts, 64);

	for (size_t i = 0; i < n; i++)
		outbox_member_event(&x->out, hosts[i], "record.changed",
		    json_pack("{s:I, s:b}", "room_id", (json_int_t)room_id,
		    "published", published));
}

/* Publish a record now: the thread, the room and event rows, the hosts. */
static int
record_publish(struct call *x, struct rec *r, int64_t *thread)
{
	sqlite3_stmt *st;
	int64_t hosts[64];
	size_t n;

	if (record_post(x, r, thread) != 0)
		return -1;
	/* its posts so far are the record's own (op-post.c's post.edit) */
	st = db_stmt(srv->db, "UPDATE rooms SET thread_id = ?1, published_at "
	    "= ?2, record_last_post = (SELECT last_post_id FROM threads WHERE "
	    "id = ?1) WHERE id = ?3");
	sqlite3_bind_int64(st, 1, *thread);
	sqlite3_bind_int64(st, 2, now_unix());
	sqlite3_bind_int64(st, 3, r->id);
	if (call_step(x, st) != 0)
		return -1;
	if (r->event_id != 0) {
		st = db_stmt(srv->db, "UPDATE events SET thread_id = ? "
		    "WHERE id = ?");
		sqlite3_bind_int64(st, 1, *thread);
		sqlite3_bind_int64(st, 2, r->event_id);
		if (call_step(x, st) != 0)
			return -1;
	}
	if (r->review_until == 0)
		return 0; /* a summary, posted as the room closed */
	record_changed(x, r->id, true);
	n = hosts_of(r->id, hosts, 64);
	for (size_t i = 0; i < n; i++) {
		if (notify_add_ref(x, hosts[i], "record_published",
		    &(struct notify_ref){ .community_id = r->community_id,
		    .thread_id = *thread, .room_id = r->id }, "Published: the "
		    "record of the room “%s”.", r->title) != 0)
			return -1;
	}
	return 0;
}

int
record_close(struct call *x, int64_t room_id, int64_t *thread, bool *review)
{
	struct rec r;
	sqlite3_stmt *st;
	int64_t hosts[64], now = now_unix();
	char wait[48];
	size_t n;
	int rc;

	*thread = 0;
	*review = false;
	if ((rc = rec_load(x, room_id, &r)) != 1)
		return rc == 0 ? call_fail(x, ERR_INTERNAL, "room %lld has "
		    "no row", (long long)room_id) : -1;
	if (r.community_id == 0 || strcmp(r.mode, "off") == 0) {
		rec_clear(&r);
		return 0;
	}
	if (strcmp(r.mode, "summary") == 0) {
		rc = record_publish(x, &r, thread);
		rec_clear(&r);
		return rc;
	}
	/* transcript, chatham: the hosts review it first */
	*review = true;
	st = db_stmt(srv->db, "UPDATE rooms SET review_until = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now + srv->cfg.room_review);
	sqlite3_bind_int64(st, 2, room_id);
	rc = call_step(x, st);
	n = hosts_of(room_id, hosts, 64);
	for (size_t i = 0; i < n && rc == 0; i++) {
		zone_human(hosts[i], now + srv->cfg.room_review, wait);
		rc = notify_system(x, hosts[i], "record_review",
		    &(struct notify_ref){ .community_id = r.community_id,
		    .room_id = room_id }, "Review the record of “%s”: drop or "
		    "edit lines, then publish it. On %s it is published as it "
		    "stands.", r.title, wait);
	}
	rec_clear(&r);
	return rc;
}

/* May the caller review this record: a host of the room, or a manager? */
static int
may_review(struct call *x, const struct rec *r)
{
	struct access a;

	if (x->conn->console || x->conn->member.role == ROLE_ADMIN)
		return 0;
	if (db_exists(srv->db, "SELECT 1 FROM room_people WHERE room_id = ? "
	    "AND member_id = ? AND host = 1", r->id, x->conn->member.id) ||
	    r->opened_by == x->conn->member.id)
		return 0;
	if (r->community_id != 0 && authz_community(x, r->community_id,
	    CA_MANAGE, &a) == 0)
		return 0;
	return call_fail(x, ERR_NOT_FOUND, "No such room record waiting for "
	    "review.");
}

/* args.room_id: a closed room whose record the caller may review. */
static int
rec_arg(struct call *x, struct rec *r, bool in_review)
{
	json_int_t id = 0;
	int rc;

	if (arg_int(x->args, "room_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if ((rc = rec_load(x, id, r)) != 1)
		return rc == 0 ? call_fail(x, ERR_NOT_FOUND, "No such room "
		    "record waiting for review.") : -1;
	if (may_review(x, r) != 0) {
		rec_clear(r);
		return -1;
	}
	if (r->review_until == 0) {
		rec_clear(r);
		return call_fail(x, ERR_NOT_FOUND, "That room's record has no "
		    "review (its record mode keeps no lines).");
	}
	if (in_review && r->published_at != 0) {
		rec_clear(r);
		return call_fail(x, ERR_CONFLICT, "That record is already "
		    "published; a moderator can hide its posts.");
	}
	return 0;
}

static json_t *
rec_json(const struct rec *r)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "room_id",
	    (json_int_t)r->id, "title", r->title, "record", r->mode, "topic",
	    r->topic ? r->topic : "");
	char when[32];

	json_object_set_new(o, "community", r->slug ? json_string(r->slug) :
	    json_null());
	time_iso8601(r->opened_at, when);
	json_object_set_new(o, "opened_at", json_string(when));
	time_iso8601(r->review_until, when);
	json_object_set_new(o, "review_until", json_string(when));
	json_object_set_new(o, "published", json_boolean(r->published_at));
	json_object_set_new(o, "thread_id", r->thread_id ?
	    json_integer(r->thread_id) : json_null());
	return o;
}

/* room.records: the records waiting for the caller's review. */
static int
op_records(struct call *x)
{
	sqlite3_stmt *st;
	json_t *list = json_array();
	struct rec r;
	char sql[1024];

	snprintf(sql, sizeof sql, "SELECT r.id FROM rooms r WHERE "
	    "r.review_until IS NOT NULL AND r.published_at IS NULL AND ("
	    "?1 IS NULL OR r.opened_by = ?1 OR EXISTS (SELECT 1 FROM "
	    "room_people p WHERE p.room_id = r.id AND p.member_id = ?1 AND "
	    "p.host = 1) OR EXISTS (SELECT 1 FROM community_members cm WHERE "
	    "cm.community_id = r.community_id AND cm.member_id = ?1 AND "
	    "cm.role = 'manager')) ORDER BY r.review_until LIMIT 100");
	st = db_stmt(srv->db, sql);
	if (x->conn->console || x->conn->member.role == ROLE_ADMIN)
		sqlite3_bind_null(st, 1);
	else
		sqlite3_bind_int64(st, 1, x->conn->member.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (rec_load(x, id, &r) == 1) {
			json_array_append_new(list, rec_json(&r));
			rec_clear(&r);
		}
	}
	sqlite3_reset(st);
	x->result = json_pack("{s:o}", "records", list);
	return 0;
}

/* room.record.get: the record and its lines, as the hosts review it. */
static int
op_record_get(struct call *x)
{
	struct rec r;
	sqlite3_stmt *st;
	json_t *lines = json_array(), *l;
	struct names nm = { 0 };
	char when[32], *pub;

	if (rec_arg(x, &r, false) != 0) {
		json_decref(lines);
		return -1;
	}
	if (chatham(&r))
		names_load(r.id, &nm);
	st = db_stmt(srv->db, "SELECT rm.id, rm.at, m.handle, m.display_name, "
	    "rm.body, rm.dropped, rm.edited_at FROM room_messages rm LEFT JOIN "
	    "members m ON m.id = rm.member_id WHERE rm.room_id = ? AND "
	    "rm.private_a IS NULL ORDER BY rm.id");
	sqlite3_bind_int64(st, 1, r.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		time_iso8601(sqlite3_column_int64(st, 1), when);
		l = json_pack("{s:I, s:s, s:s, s:b, s:b}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "at", when,
		    "text", db_col_text(st, 4), "dropped",
		    sqlite3_column_int(st, 5), "edited",
		    sqlite3_column_type(st, 6) != SQLITE_NULL);
		if (chatham(&r)) {
			/* what publishing keeps: no name of anyone there */
			pub = names_scrub(&nm, db_col_text(st, 4));
			json_object_set_new(l, "as_published", json_string(pub));
			free(pub);
		} else if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			json_object_set_new(l, "handle",
			    json_string(db_col_text(st, 2)));
			json_object_set_new(l, "display_name",
			    json_string(db_col_text(st, 3)));
		}
		json_array_append_new(lines, l);
	}
	sqlite3_reset(st);
	names_free(&nm);
	x->result = json_pack("{s:o, s:o}", "record", rec_json(&r), "lines",
	    lines);
	rec_clear(&r);
	return 0;
}

/* room.record.edit: drop, restore or reword one line before publishing. */
static int
op_record_edit(struct call *x)
{
	struct rec r;
	json_int_t id = 0;
	const char *text = NULL;
	bool drop = false, has_drop = json_object_get(x->args, "drop") != NULL;
	sqlite3_stmt *st;
	int rc;

	if (rec_arg(x, &r, true) != 0)
		return -1;
	rc = arg_int(x->args, "line_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "body", false, 16000,
	    &text, x->msg, sizeof x->msg) != 0 || arg_bool(x->args, "drop",
	    false, &drop, x->msg, sizeof x->msg) != 0 ||
	    utf8_check_arg("body", text, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0 ? call_bad(x) : 0;
	if (rc == 0 && text == NULL && !has_drop)
		rc = call_fail(x, ERR_BAD_REQUEST, "give args.body (the line "
		    "as it should be kept) or args.drop");
	if (rc == 0 && text != NULL && text[strspn(text, " \t\r\n")] == '\0')
		rc = call_fail(x, ERR_BAD_REQUEST, "args.body is empty: drop "
		    "the line instead");
	if (rc == 0) {
		st = db_stmt(srv->db, "UPDATE room_messages SET body = "
		    "coalesce(?1, body), dropped = coalesce(?2, dropped), "
		    "edited_at = CASE WHEN ?1 IS NULL THEN edited_at ELSE ?3 END "
		    "WHERE id = ?4 AND room_id = ?5 AND private_a IS NULL");
		if (text != NULL)
			sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 1);
		if (has_drop)
			sqlite3_bind_int(st, 2, drop);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_int64(st, 3, now_unix());
		sqlite3_bind_int64(st, 4, id);
		sqlite3_bind_int64(st, 5, r.id);
		rc = call_step(x, st);
		if (rc == 0 && sqlite3_changes(srv->db) == 0)
			rc = call_fail(x, ERR_NOT_FOUND, "No line %lld in that "
			    "record.", (long long)id);
	}
	if (rc == 0) {
		char target[160];

		snprintf(target, sizeof target, "room %lld: %.120s",
		    (long long)r.id, r.title);
		rc = audit_add(srv->db, x->conn->console ? NULL :
		    &x->conn->member, text != NULL ? "record.edit" :
		    "record.drop", 0, target, NULL) == 0 ? 0 :
		    call_db_fail(x);
	}
	if (rc == 0) {
		record_changed(x, r.id, false);
		x->result = json_pack("{s:I, s:I, s:b}", "room_id",
		    (json_int_t)r.id, "line_id", (json_int_t)id, "dropped",
		    drop);
	}
	rec_clear(&r);
	return rc;
}

/* room.record.publish: post the reviewed record now. */
static int
op_record_publish(struct call *x)
{
	struct rec r;
	int64_t thread = 0;
	int rc;

	if (rec_arg(x, &r, true) != 0)
		return -1;
	rc = record_publish(x, &r, &thread);
	if (rc == 0)
		x->result = json_pack("{s:I, s:I}", "room_id", (json_int_t)r.id,
		    "thread_id", (json_int_t)thread);
	rec_clear(&r);
	return rc;
}

/*
 * As the server: publish every record whose review time is over, and tell
 * the hosts of those due within the last sixth of it (once).
 */
static int
review_sweep(struct call *x, void *arg)
{
	sqlite3_stmt *st;
	int64_t ids[32], hosts[64], now = now_unix(), thread;
	int64_t warn = srv->cfg.room_review / 6 > 0 ?
	    srv->cfg.room_review / 6 : 1;
	size_t n = 0, nh;
	struct rec r;
	char when[48];
	int rc = 0;

	(void)arg;
	st = db_stmt(srv->db, "SELECT id FROM rooms WHERE review_until IS NOT "
	    "NULL AND published_at IS NULL AND review_until <= ? ORDER BY "
	    "review_until LIMIT 32");
	sqlite3_bind_int64(st, 1, now);
	while (n < 32 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((rc = rec_load(x, ids[i], &r)) != 1)
			break;
		rc = record_publish(x, &r, &thread);
		rec_clear(&r);
	}
	if (rc != 0 && rc != 1)
		return -1;
	n = 0;
	st = db_stmt(srv->db, "SELECT id FROM rooms WHERE review_until IS NOT "
	    "NULL AND published_at IS NULL AND review_warned = 0 AND "
	    "review_until - ? <= ? LIMIT 32");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, warn);
	while (n < 32 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (size_t i = 0; i < n; i++) {
		if (rec_load(x, ids[i], &r) != 1)
			return -1;
		nh = hosts_of(r.id, hosts, 64);
		for (size_t j = 0; j < nh; j++) {
			zone_human(hosts[j], r.review_until, when);
			if (notify_add_ref(x, hosts[j], "record_review",
			    &(struct notify_ref){ .community_id =
			    r.community_id, .room_id = r.id }, "Last call to "
			    "review “%s”: published as it stands on %s "
			    "unless you publish it first.", r.title, when) != 0) {
				rec_clear(&r);
				return -1;
			}
		}
		rec_clear(&r);
		st = db_stmt(srv->db, "UPDATE rooms SET review_warned = 1 "
		    "WHERE id = ?");
		sqlite3_bind_int64(st, 1, ids[i]);
		if (call_step(x, st) != 0)
			return -1;
	}
	return 0;
}

static uv_timer_t review_timer;
static uint64_t review_sweeps;

static void
review_tick(uv_timer_t *t)
{
	(void)t;
	if (dispatch_server("record review", review_sweep, NULL) == 0)
		review_sweeps++;
}

void
record_timers_start(void)
{
	uint64_t every = (uint64_t)srv->cfg.room_review * 1000 / 12;

	if (every > 60000)
		every = 60000;
	if (every < REVIEW_TICK_MS / 4)
		every = REVIEW_TICK_MS / 4;
	uv_timer_init(srv->loop, &review_timer);
	uv_unref((uv_handle_t *)&review_timer);
	uv_timer_start(&review_timer, review_tick, every, every);
}

uint64_t
record_review_sweeps(void)
{
	return review_sweeps;
}

const struct op op_record_table[] = {
	{ "room.records", OP_MEMBER, op_records,
	    "The closed rooms whose records wait for your review (as their "
	    "host, or a manager of their community).", RATE_READ, NO_ARGS },
	{ "room.record.get", OP_MEMBER, op_record_get,
	    "A closed room's record as its hosts review it {room_id}: the "
	    "room and its kept lines {id, at, handle?, text, dropped, "
	    "edited} (no names under the Chatham House Rule).", RATE_READ,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ "room.record.edit", OP_MEMBER | OP_WRITE, op_record_edit,
	    "Before publishing: reword a line {room_id, line_id, body} or "
	    "drop (or restore) it {room_id, line_id, drop}.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("line_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("body", ARG_OPT, 16000), ARG_BOOL("drop", ARG_OPT)) },
	{ "room.record.publish", OP_MEMBER | OP_WRITE, op_record_publish,
	    "Publish a reviewed record now {room_id}: it is posted to the "
	    "community as a thread.", RATE_WRITE,
	    ARGS(ARG_INT("room_id", ARG_REQ, 1, INT64_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
