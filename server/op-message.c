/*
 * op-message.c: private messages (issue 14): conversations between a
 * member and one other member or a group of up to MESSAGE_TO_MAX others,
 * their messages (Markdown), read positions and unread counts, blocks,
 * reports to staff and search over one's own conversations. Only a
 * conversation's participants ever read it: admins and staff have no
 * special access through any operation; a reported message reaches staff
 * as the reporter's notification and audit row.
 *
 * A block is never revealed: a blocked member's messages are accepted and
 * shown to them as sent, but withheld from the member who blocked them
 * (message_withheld, for good: unblocking delivers nothing late), with no
 * notification, unread count or event.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define MESSAGE_BODY_MAX 20000 /* bytes of one message */
#define MESSAGE_TO_MAX 10 /* others in one conversation */
#define MESSAGE_PAGE_DEFAULT 50
#define MESSAGE_PAGE_MAX 200
#define CONV_PAGE_DEFAULT 50
#define CONV_PAGE_MAX 100
#define REPORT_REASON_MAX 1000
#define EXCERPT_BYTES 200
#define SEARCH_Q_MAX 200

/* A message not withheld from :me (m is the messages row). */
#define VISIBLE_TO_ME \
	"NOT EXISTS (SELECT 1 FROM message_withheld w WHERE " \
	"w.member_id = :me AND w.message_id = m.id)"

/* Is member in the conversation? 1 yes, 0 no, -1 database error. */
static int
participant(int64_t conv, int64_t member)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT 1 FROM "
	    "conversation_members WHERE conversation_id = ? AND member_id = ?");
	int rc;

	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, member);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The conversation must be the caller's: not_found for anyone else. */
static int
conv_mine(struct call *x, int64_t conv)
{
	int rc = participant(conv, call_actor(x));

	if (rc < 0)
		return call_db_fail(x);
	if (rc == 0)
		return call_fail(x, ERR_NOT_FOUND, "There is no conversation "
		    "%lld of yours.", (long long)conv);
	return 0;
}

/* Text cut to at most max bytes on a character boundary, with "…". */
static json_t *
excerpt(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *t;
	json_t *j;

	if (n <= max)
		return json_string(s);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	t = xasprintf("%.*s…", (int)max, s);
	j = json_string(t);
	free(t);
	return j;
}

/* Everyone in the conversation but the caller, and whether they block. */
static json_t *
participants_json(int64_t conv, int64_t me)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT m.handle, "
	    "m.display_name, m.status = 'removed', EXISTS (SELECT 1 FROM "
	    "member_blocks b WHERE b.member_id = ?2 AND b.blocked_id = m.id) "
	    "FROM conversation_members cm JOIN members m ON m.id = "
	    "cm.member_id WHERE cm.conversation_id = ?1 AND m.id != ?2 "
	    "ORDER BY m.handle");
	json_t *a = json_array();

	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, me);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b}",
		    "handle", db_col_text(st, 0), "display_name",
		    db_col_text(st, 1), "removed", sqlite3_column_int(st, 2),
		    "blocked", sqlite3_column_int(st, 3)));
	sqlite3_reset(st);
	return a;
}

/* Columns: id, handle, display_name, body, created_at, conversation. */
#define MESSAGE_COLS \
	"m.id, a.handle, a.display_name, m.body, m.created_at, " \
	"m.conversation_id "

/* A message; body_max cuts its body to an excerpt (0: whole). */
static json_t *
message_json(sqlite3_stmt *st, const char *me_handle, size_t body_max)
{
	const char *body = db_col_text(st, 3);
	json_t *o = json_pack("{s:I, s:I, s:{s:s, s:s}, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0), "conversation_id",
	    (json_int_t)sqlite3_column_int64(st, 5), "author", "handle",
	    db_col_text(st, 1), "display_name", db_col_text(st, 2), "body",
	    body_max > 0 ? excerpt(body, body_max) : json_string(body), "at",
	    db_col_json_time(st, 4));

	json_object_set_new(o, "mine", json_boolean(me_handle != NULL &&
	    strcmp(me_handle, db_col_text(st, 1)) == 0));
	return o;
}

/* Unread messages across all of the member's conversations (-1: error). */
static int64_t
unread_total(int64_t me, int64_t *conversations)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT count(*), count(DISTINCT "
	    "cm.conversation_id) FROM conversation_members cm JOIN messages m "
	    "ON m.conversation_id = cm.conversation_id AND m.id > "
	    "cm.last_read_id WHERE cm.member_id = :me AND m.author_id != :me "
	    "AND " VISIBLE_TO_ME);
	int64_t n = -1;

	db_bind_i64(st, ":me", me);
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		if (conversations != NULL)
			*conversations = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return n;
}

/* Unread messages in one conversation for member (-1: error). */
static int64_t
unread_in(int64_t conv, int64_t me)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT count(*) FROM "
	    "conversation_members cm JOIN messages m ON m.conversation_id = "
	    "cm.conversation_id AND m.id > cm.last_read_id WHERE "
	    "cm.conversation_id = :c AND cm.member_id = :me AND m.author_id "
	    "!= :me AND " VISIBLE_TO_ME);
	int64_t n = -1;

	db_bind_i64(st, ":c", conv);
	db_bind_i64(st, ":me", me);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * args.to as member ids (the caller left out, each once): not_found for
 * an unknown handle, conflict for a removed member.
 */
static int
resolve_to(struct call *x, json_t *to, int64_t *ids, size_t *n)
{
	json_t *v;
	size_t i, k;

	*n = 0;
	json_array_foreach(to, i, v) {
		const char *h = json_string_value(v);
		struct member m = { 0 };
		int rc;

		if (h != NULL && h[0] == '@')
			h++;
		rc = member_by_handle(srv->db, h, &m);
		if (rc < 0)
			return call_db_fail(x);
		if (rc == 0)
			return call_fail(x, ERR_NOT_FOUND, "There is no member "
			    "@%s. Check the handle (the directory, d, lists "
			    "everyone).", h);
		if (m.removed) {
			member_clear(&m);
			return call_fail(x, ERR_CONFLICT, "@%s is no longer a "
			    "member, so nobody would read it.", h);
		}
		for (k = 0; k < *n && ids[k] != m.id; k++)
			;
		if (m.id != call_actor(x) && k == *n)
			ids[(*n)++] = m.id;
		member_clear(&m);
	}
	if (*n == 0)
		return call_fail(x, ERR_BAD_REQUEST, "Say whom to write to: "
		    "another member's handle, or up to %d for a group.",
		    MESSAGE_TO_MAX);
	return 0;
}

static int
member_join(struct call *x, int64_t conv, int64_t member, int64_t read_to)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO conversation_members "
	    "(conversation_id, member_id, last_read_id) VALUES (?, ?, ?)");

	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, member);
	sqlite3_bind_int64(st, 3, read_to);
	return call_step(x, st);
}

/*
 * The conversation with these others: one-to-one continues the pair's
 * conversation; a group is always a new one. 0 after failing the call.
 */
static int64_t
conversation_for(struct call *x, const int64_t *ids, size_t n, int64_t now)
{
	int64_t me = call_actor(x), conv = 0;
	char pair[48];
	sqlite3_stmt *st;

	pair[0] = '\0';
	if (n == 1) {
		snprintf(pair, sizeof pair, "%lld:%lld", (long long)(me < ids[0]
		    ? me : ids[0]), (long long)(me < ids[0] ? ids[0] : me));
		st = db_stmt(srv->db, "SELECT id FROM conversations WHERE "
		    "pair_key = ?");
		sqlite3_bind_text(st, 1, pair, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			conv = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (conv != 0)
			return conv;
	}
	st = db_stmt(srv->db, "INSERT INTO conversations (pair_key, "
	    "created_by, created_at, last_at) VALUES (?, ?, ?, ?)");
	if (pair[0] != '\0')
		sqlite3_bind_text(st, 1, pair, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, me);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	if (call_step(x, st) != 0)
		return 0;
	conv = sqlite3_last_insert_rowid(srv->db);
	if (member_join(x, conv, me, 0) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (member_join(x, conv, ids[i], 0) != 0)
			return 0;
	return conv;
}

/* One other participant, as a send needs them. */
struct other {
	int64_t id;
	bool removed, blocks_me;
};

/*
 * Store the message and tell each other participant (a notification when
 * it is the first they have not read, and a message.new event), except
 * those who block the author: it is withheld from them, silently.
 */
static int64_t
message_deliver(struct call *x, int64_t conv, const char *body, int64_t now)
{
	int64_t me = call_actor(x), id;
	struct other others[MESSAGE_TO_MAX + 1];
	size_t n = 0, active = 0;
	sqlite3_stmt *st;
	json_t *msg, *mine;

	st = db_stmt(srv->db, "SELECT cm.member_id, m.status = 'removed', "
	    "EXISTS (SELECT 1 FROM member_blocks b WHERE b.member_id = "
	    "cm.member_id AND b.blocked_id = ?2) FROM conversation_members cm "
	    "JOIN members m ON m.id = cm.member_id WHERE cm.conversation_id = "
	    "?1 AND cm.member_id != ?2");
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, me);
	while (n < MESSAGE_TO_MAX + 1 && sqlite3_step(st) == SQLITE_ROW) {
		others[n].id = sqlite3_column_int64(st, 0);
		others[n].removed = sqlite3_column_int(st, 1) != 0;
		others[n].blocks_me = sqlite3_column_int(st, 2) != 0;
		active += !others[n].removed;
		n++;
	}
	sqlite3_reset(st);
	if (active == 0) {
		call_fail(x, ERR_CONFLICT, "Nobody else in this conversation "
		    "is still a member, so nobody would read your message.");
		return 0;
	}
	st = db_stmt(srv->db, "INSERT INTO messages (conversation_id, "
	    "author_id, body, created_at) VALUES (?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, me);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (call_step(x, st) != 0)
		return 0;
	id = sqlite3_last_insert_rowid(srv->db);
	st = db_stmt(srv->db, "UPDATE conversations SET last_message_id = ?2, "
	    "last_at = ?3 WHERE id = ?1");
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now);
	if (call_step(x, st) != 0)
		return 0;
	/* what one writes, one has read */
	st = db_stmt(srv->db, "UPDATE conversation_members SET last_read_id = "
	    "?3 WHERE conversation_id = ?1 AND member_id = ?2");
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, me);
	sqlite3_bind_int64(st, 3, id);
	if (call_step(x, st) != 0)
		return 0;

	st = db_stmt(srv->db, "SELECT " MESSAGE_COLS "FROM messages m JOIN "
	    "members a ON a.id = m.author_id WHERE m.id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		call_db_fail(x);
		return 0;
	}
	msg = message_json(st, NULL, 0);
	sqlite3_reset(st);

	for (size_t i = 0; i < n; i++) {
		int64_t unread;

		if (others[i].blocks_me) {
			st = db_stmt(srv->db, "INSERT INTO message_withheld "
			    "(member_id, message_id) VALUES (?, ?)");
			sqlite3_bind_int64(st, 1, others[i].id);
			sqlite3_bind_int64(st, 2, id);
			if (call_step(x, st) != 0)
				goto fail;
			continue;
		}
		if (others[i].removed)
			continue;
		if ((unread = unread_in(conv, others[i].id)) < 0) {
			call_db_fail(x);
			goto fail;
		}
		/* one notification until they read: no flood of them */
		if (unread == 1 && notify_add_ref(x, others[i].id, "message",
		    &(struct notify_ref){ 0 }, "%s (@%s) wrote to you "
		    "privately.",
		    x->conn->member.display_name, x->conn->member.handle) != 0)
			goto fail;
		outbox_member_event(&x->out, others[i].id, "message.new",
		    json_pack("{s:I, s:O, s:I}", "conversation_id",
		    (json_int_t)conv, "message", msg, "unread",
		    (json_int_t)unread));
	}
	/* the author's other sessions (their own copy: the others' events
	 * share msg until they are delivered) */
	mine = json_deep_copy(msg);
	json_object_set_new(mine, "mine", json_true());
	outbox_member_event(&x->out, me, "message.new", json_pack("{s:I, "
	    "s:o, s:I}", "conversation_id", (json_int_t)conv, "message", mine,
	    "unread", (json_int_t)0));
	json_decref(msg);
	return id;
fail:
	json_decref(msg);
	return 0;
}

/* args.body: required, not blank, at most MESSAGE_BODY_MAX bytes. */
static int
body_arg(struct call *x, const char **body)
{
	const char *s;

	if (arg_str(x->args, "body", true, POST_BODY_MAX, body, x->msg,
	    sizeof x->msg) != 0 || utf8_check_arg("body", *body, UTF8_LINES,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	for (s = *body; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
	    s++)
		;
	if (*s == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "The message is empty: "
		    "write something first.");
	if (strlen(*body) > MESSAGE_BODY_MAX)
		return call_fail(x, ERR_TOO_LARGE, "A message may be at most "
		    "%d bytes (about %d words); this one is %zu. Send it in "
		    "parts.", MESSAGE_BODY_MAX, MESSAGE_BODY_MAX / 6,
		    strlen(*body));
	return 0;
}

/* message.send: {to: [handles], body} or {conversation_id, body}. */
static int
op_message_send(struct call *x)
{
	json_t *to = json_object_get(x->args, "to");
	json_int_t conv = 0;
	int64_t ids[MESSAGE_TO_MAX], id, now = now_unix();
	const char *body;
	size_t n = 0;

	if (arg_int(x->args, "conversation_id", false, 1, INT64_MAX, &conv,
	    x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if ((to != NULL && !json_is_null(to)) == (conv != 0))
		return call_fail(x, ERR_BAD_REQUEST, "Give either whom to "
		    "write to (to: a list of handles) or the conversation to "
		    "answer in (conversation_id), not both.");
	if (body_arg(x, &body) != 0)
		return -1;
	if (!coc_accepted(&x->conn->member))
		return call_fail(x, ERR_COC_REQUIRED, "Please read and accept "
		    "the code of conduct (member.accept_coc) before writing.");
	if (conv != 0) {
		if (conv_mine(x, conv) != 0)
			return -1;
	} else {
		if (json_array_size(to) > MESSAGE_TO_MAX)
			return call_fail(x, ERR_BAD_REQUEST, "A group "
			    "conversation may have at most %d others in it.",
			    MESSAGE_TO_MAX);
		if (resolve_to(x, to, ids, &n) != 0)
			return -1;
		if ((conv = conversation_for(x, ids, n, now)) == 0)
			return -1;
	}
	if ((id = message_deliver(x, conv, body, now)) == 0)
		return -1;
	x->result = json_pack("{s:I, s:I}", "conversation_id",
	    (json_int_t)conv, "message_id", (json_int_t)id);
	return 0;
}

/* message.conversations: the caller's, the latest first. */
static int
op_message_list(struct call *x)
{
	int64_t me = call_actor(x), total, nconv = 0;
	json_int_t limit = CONV_PAGE_DEFAULT, before = 0;
	sqlite3_stmt *st, *last;
	json_t *list, *blocked;
	int64_t lastseen = 0;
	int n = 0, rc;

	if (arg_int(x->args, "limit", false, 1, CONV_PAGE_MAX, &limit,
	    x->msg, sizeof x->msg) != 0 || arg_int(x->args, "before", false,
	    1, INT64_MAX, &before, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	/* the newest message the caller may see orders each conversation */
	st = db_stmt(srv->db, "SELECT * FROM (SELECT cm.conversation_id, "
	    "(SELECT m.id FROM messages m WHERE m.conversation_id = "
	    "cm.conversation_id AND " VISIBLE_TO_ME " ORDER BY m.id DESC "
	    "LIMIT 1) AS last_id, c.pair_key IS NULL FROM "
	    "conversation_members cm JOIN conversations c ON c.id = "
	    "cm.conversation_id WHERE cm.member_id = :me) WHERE last_id IS "
	    "NOT NULL AND (:before = 0 OR last_id < :before) ORDER BY last_id "
	    "DESC LIMIT :n");
	db_bind_i64(st, ":me", me);
	db_bind_i64(st, ":before", before);
	db_bind_i64(st, ":n", limit + 1);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t conv = sqlite3_column_int64(st, 0), unread;
		json_t *o;

		if (n++ == limit)
			break;
		lastseen = sqlite3_column_int64(st, 1);
		if ((unread = unread_in(conv, me)) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		o = json_pack("{s:I, s:b, s:o, s:I}", "id", (json_int_t)conv,
		    "group", sqlite3_column_int(st, 2), "participants",
		    participants_json(conv, me), "unread", (json_int_t)unread);
		last = db_stmt(srv->db, "SELECT " MESSAGE_COLS "FROM messages "
		    "m JOIN members a ON a.id = m.author_id WHERE m.id = ?");
		sqlite3_bind_int64(last, 1, lastseen);
		if (sqlite3_step(last) == SQLITE_ROW)
			json_object_set_new(o, "last", message_json(last,
			    x->conn->member.handle, EXCERPT_BYTES));
		sqlite3_reset(last);
		json_array_append_new(list, o);
	}
	sqlite3_reset(st);
	if ((rc != SQLITE_ROW && rc != SQLITE_DONE) ||
	    (total = unread_total(me, &nconv)) < 0) {
		json_decref(list);
		return call_db_fail(x);
	}
	blocked = json_array();
	st = db_stmt(srv->db, "SELECT m.handle FROM member_blocks b JOIN "
	    "members m ON m.id = b.blocked_id WHERE b.member_id = ? ORDER BY "
	    "m.handle");
	sqlite3_bind_int64(st, 1, me);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(blocked, json_string(db_col_text(st,
		    0)));
	sqlite3_reset(st);
	x->result = json_pack("{s:o, s:I, s:I, s:o, s:o}", "conversations",
	    list, "unread", (json_int_t)total, "unread_conversations",
	    (json_int_t)nconv, "blocked", blocked, "next", n > limit ?
	    json_integer(lastseen) : json_null());
	return 0;
}

/* message.get: a page of a conversation (the latest marks it read). */
static int
op_message_get(struct call *x)
{
	int64_t me = call_actor(x), total;
	json_int_t conv = 0, limit = MESSAGE_PAGE_DEFAULT, before = 0;
	sqlite3_stmt *st;
	json_t *msgs, *page;
	int64_t first = 0;
	bool group = false;
	int n = 0, rc;

	if (arg_int(x->args, "conversation_id", true, 1, INT64_MAX, &conv,
	    x->msg, sizeof x->msg) != 0 || arg_int(x->args, "limit", false,
	    1, MESSAGE_PAGE_MAX, &limit, x->msg, sizeof x->msg) != 0 ||
	    arg_int(x->args, "before", false, 1, INT64_MAX, &before, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (conv_mine(x, conv) != 0)
		return -1;
	st = db_stmt(srv->db, "SELECT " MESSAGE_COLS "FROM messages m JOIN "
	    "members a ON a.id = m.author_id WHERE m.conversation_id = :c AND "
	    "(:before = 0 OR m.id < :before) AND " VISIBLE_TO_ME " ORDER BY "
	    "m.id DESC LIMIT :n");
	db_bind_i64(st, ":c", conv);
	db_bind_i64(st, ":me", me);
	db_bind_i64(st, ":before", before);
	db_bind_i64(st, ":n", limit + 1);
	page = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == limit)
			break;
		first = sqlite3_column_int64(st, 0);
		json_array_insert_new(page, 0, message_json(st,
		    x->conn->member.handle, 0));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(page);
		return call_db_fail(x);
	}
	msgs = page;
	if (before == 0) {
		st = db_stmt(srv->db, "UPDATE conversation_members SET "
		    "last_read_id = max(last_read_id, (SELECT last_message_id "
		    "FROM conversations WHERE id = ?1)) WHERE conversation_id "
		    "= ?1 AND member_id = ?2");
		sqlite3_bind_int64(st, 1, conv);
		sqlite3_bind_int64(st, 2, me);
		if (call_step(x, st) != 0) {
			json_decref(msgs);
			return -1;
		}
	}
	st = db_stmt(srv->db, "SELECT pair_key IS NULL FROM conversations "
	    "WHERE id = ?");
	sqlite3_bind_int64(st, 1, conv);
	if (sqlite3_step(st) == SQLITE_ROW)
		group = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if ((total = unread_total(me, NULL)) < 0) {
		json_decref(msgs);
		return call_db_fail(x);
	}
	if (before == 0)
		outbox_member_event(&x->out, me, "message.read", json_pack(
		    "{s:I, s:I}", "conversation_id", (json_int_t)conv,
		    "unread", (json_int_t)total));
	x->result = json_pack("{s:{s:I, s:b, s:o}, s:o, s:o, s:I}",
	    "conversation", "id", (json_int_t)conv, "group", group,
	    "participants", participants_json(conv, me), "messages", msgs,
	    "next", n > limit ? json_integer(first) : json_null(), "unread",
	    (json_int_t)total);
	return 0;
}

/* member.block: {handle, blocked?}; the blocked member is never told. */
static int
op_member_block(struct call *x)
{
	const char *h = NULL;
	bool blocked = true;
	struct member m = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (arg_str(x->args, "handle", true, 40, &h, x->msg,
	    sizeof x->msg) != 0 || arg_bool(x->args, "blocked", false,
	    &blocked, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	if (h[0] == '@')
		h++;
	if ((rc = member_by_handle(srv->db, h, &m)) < 0)
		return call_db_fail(x);
	if (rc == 0)
		return call_fail(x, ERR_NOT_FOUND, "There is no member @%s.",
		    h);
	if (m.id == call_actor(x)) {
		member_clear(&m);
		return call_fail(x, ERR_BAD_REQUEST, "You cannot block "
		    "yourself.");
	}
	if (blocked) {
		st = db_stmt(srv->db, "INSERT OR IGNORE INTO member_blocks "
		    "(member_id, blocked_id, created_at) VALUES (?, ?, ?)");
		sqlite3_bind_int64(st, 3, now_unix());
	} else
		st = db_stmt(srv->db, "DELETE FROM member_blocks WHERE "
		    "member_id = ? AND blocked_id = ?");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_int64(st, 2, m.id);
	rc = call_step(x, st);
	if (rc == 0)
		x->result = json_pack("{s:s, s:b}", "handle", m.handle,
		    "blocked", blocked);
	member_clear(&m);
	return rc;
}

/*
 * message.report: a participant shows staff one message of someone else,
 * with why: each staff member and admin is notified (the excerpt and the
 * reason), and an audit row names its author.
 */
static int
op_message_report(struct call *x)
{
	json_int_t mid = 0;
	const char *reason = NULL;
	int64_t me = call_actor(x), author = 0, conv = 0, staff[256];
	char *handle = NULL, *body = NULL, *detail;
	json_t *ex;
	size_t n = 0;
	sqlite3_stmt *st;
	int rc;

	if (arg_int(x->args, "message_id", true, 1, INT64_MAX, &mid, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "reason", true,
	    REPORT_REASON_MAX, &reason, x->msg, sizeof x->msg) != 0 ||
	    utf8_check_arg("reason", reason, UTF8_LINES, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (reason[strspn(reason, " \t\r\n")] == '\0')
		return call_fail(x, ERR_BAD_REQUEST, "Say why you report it: "
		    "staff read your reason first.");
	st = db_stmt(srv->db, "SELECT m.author_id, a.handle, m.body, "
	    "m.conversation_id FROM messages m JOIN members a ON a.id = "
	    "m.author_id JOIN conversation_members cm ON cm.conversation_id = "
	    "m.conversation_id AND cm.member_id = :me WHERE m.id = :id AND "
	    VISIBLE_TO_ME);
	db_bind_i64(st, ":me", me);
	db_bind_i64(st, ":id", mid);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		author = sqlite3_column_int64(st, 0);
		handle = xstrdup(db_col_text(st, 1));
		body = xstrdup(db_col_text(st, 2));
		conv = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return call_db_fail(x);
	if (rc == SQLITE_DONE)
		return call_fail(x, ERR_NOT_FOUND, "There is no message %lld "
		    "in your conversations.", (long long)mid);
	if (author == me) {
		rc = call_fail(x, ERR_BAD_REQUEST, "That message is your own; "
		    "report one someone else wrote.");
		goto out;
	}
	st = db_stmt(srv->db, "INSERT OR IGNORE INTO message_reports "
	    "(message_id, reporter_id, reason, created_at) VALUES (?, ?, ?, "
	    "?)");
	sqlite3_bind_int64(st, 1, mid);
	sqlite3_bind_int64(st, 2, me);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix());
	if ((rc = call_step(x, st)) != 0)
		goto out;
	if (sqlite3_changes(srv->db) == 0) {
		rc = call_fail(x, ERR_CONFLICT, "You reported this message "
		    "already; staff have it.");
		goto out;
	}
	st = db_stmt(srv->db, "SELECT id FROM members WHERE role IN ('staff', "
	    "'admin') AND status = 'active' ORDER BY id");
	while (n < sizeof staff / sizeof staff[0] &&
	    sqlite3_step(st) == SQLITE_ROW)
		staff[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	ex = excerpt(body, EXCERPT_BYTES);
	for (size_t i = 0; i < n; i++)
		if ((rc = notify_add_ref(x, staff[i], "message_report",
		    &(struct notify_ref){ 0 }, "@%s reported a private message "
		    "from @%s: “%s” Their reason: %s", x->conn->member.handle,
		    handle, json_string_value(ex), reason)) != 0)
			break;
	json_decref(ex);
	if (rc != 0)
		goto out;
	detail = xasprintf("message %lld in conversation %lld: %s",
	    (long long)mid, (long long)conv, reason);
	if (audit_add(srv->db, &x->conn->member, "message.report", author,
	    handle, detail) != 0)
		rc = call_db_fail(x);
	free(detail);
	if (rc == 0)
		x->result = json_pack("{s:I, s:b, s:I}", "message_id", mid,
		    "reported", 1, "staff_told", (json_int_t)n);
out:
	free(handle);
	free(body);
	return rc;
}

/*
 * message.reports: staff's queue of reported private messages, oldest
 * first: each report with the one message reported (never the rest of its
 * conversation, nor which conversation it is), its author, the reporter
 * and why. A staff member never sees reports about their own messages.
 */
static int
op_message_reports(struct call *x)
{
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	if (!authz_is_staff(x->conn))
		return call_fail(x, ERR_FORBIDDEN, "Only staff see reported "
		    "private messages.");
	st = db_stmt(srv->db, "SELECT r.id, r.message_id, m.body, "
	    "a.handle, a.display_name, m.created_at, rm.handle, r.reason, "
	    "r.created_at FROM message_reports r JOIN messages m ON m.id = "
	    "r.message_id JOIN members a ON a.id = m.author_id JOIN members "
	    "rm ON rm.id = r.reporter_id WHERE m.author_id IS NOT :me ORDER "
	    "BY r.id LIMIT 500");
	if (call_actor(x) != 0)
		db_bind_i64(st, ":me", call_actor(x));
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:I, s:I, s:s, "
		    "s:{s:s, s:s}, s:o, s:s, s:s, s:o}", "id",
		    (json_int_t)sqlite3_column_int64(st, 0), "message_id",
		    (json_int_t)sqlite3_column_int64(st, 1), "body",
		    db_col_text(st, 2), "author", "handle", db_col_text(st, 3),
		    "display_name", db_col_text(st, 4), "written_at",
		    db_col_json_time(st, 5), "reporter", db_col_text(st, 6),
		    "reason", db_col_text(st, 7), "created_at",
		    db_col_json_time(st, 8)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return call_db_fail(x);
	}
	x->result = json_pack("{s:I, s:o}", "open",
	    (json_int_t)json_array_size(list), "reports", list);
	return 0;
}

/*
 * message.report_resolve {report_id, action, message?}: staff answer a
 * reported message: dismiss, or contact (its author is told the message,
 * not who reported it). Every open report of that message is answered and
 * leaves the queue; each reporter learns the outcome; the audit keeps it
 * (the reports themselves are in the audit as message.report rows), so a
 * reporter may report the message again later.
 */
static int
op_msg_resolve(struct call *x)
{
	json_int_t id = 0;
	const char *action = NULL, *message = NULL;
	int64_t mid = 0, author = 0, reporters[64];
	char *handle = NULL, detail[160];
	size_t n = 0;
	sqlite3_stmt *st;
	bool contact;
	int rc;

	if (arg_int(x->args, "report_id", true, 1, INT64_MAX, &id, x->msg,
	    sizeof x->msg) != 0 || arg_str(x->args, "action", true, 16,
	    &action, x->msg, sizeof x->msg) != 0 || arg_str(x->args,
	    "message", false, REPORT_REASON_MAX, &message, x->msg,
	    sizeof x->msg) != 0 || (message != NULL && utf8_check_arg(
	    "message", message, UTF8_LINES, x->msg, sizeof x->msg) != 0))
		return call_bad(x);
	if (!authz_is_staff(x->conn))
		return call_fail(x, ERR_FORBIDDEN, "Only staff answer reported "
		    "private messages.");
	if (strcmp(action, "dismiss") != 0 && strcmp(action, "contact") != 0)
		return call_fail(x, ERR_BAD_REQUEST,
		    "args.action must be dismiss or contact");
	contact = action[0] == 'c';
	if (contact && (message == NULL ||
	    message[strspn(message, " \t\r\n")] == '\0'))
		return call_fail(x, ERR_BAD_REQUEST, "Write the message its "
		    "author is to read.");
	st = db_stmt(srv->db, "SELECT r.message_id, m.author_id, a.handle "
	    "FROM message_reports r JOIN messages m ON m.id = r.message_id "
	    "JOIN members a ON a.id = m.author_id WHERE r.id = ?");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mid = sqlite3_column_int64(st, 0);
		author = sqlite3_column_int64(st, 1);
		handle = xstrdup(db_col_text(st, 2));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? call_fail(x, ERR_NOT_FOUND, "No such "
		    "report: it may have been answered already.") :
		    call_db_fail(x);
	if (author == call_actor(x)) {
		free(handle);
		return call_fail(x, ERR_FORBIDDEN, "This report is about your "
		    "own message: another staff member answers it.");
	}
	if (contact && (rc = notify_add(x, author, "moderator_message", 0, 0,
	    0, 0, "Hearth's staff write about a private message of yours: %s",
	    message)) != 0)
		goto out;
	st = db_stmt(srv->db, "DELETE FROM message_reports WHERE message_id = "
	    "? RETURNING reporter_id");
	sqlite3_bind_int64(st, 1, mid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n < sizeof reporters / sizeof reporters[0])
			reporters[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = call_db_fail(x);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = notify_add(x, reporters[i], "report_resolved", 0, 0, 0, 0,
		    "Your report about a private message was reviewed: %s.",
		    contact ? "staff wrote to its author" : "staff decided no "
		    "action was needed");
	if (rc != 0)
		goto out;
	snprintf(detail, sizeof detail, "report=%lld message=%lld outcome=%s "
	    "reports=%zu", (long long)id, (long long)mid, contact ?
	    "contacted" : "dismissed", n);
	if (audit_add(srv->db, &x->conn->member, "message.report.resolve",
	    author, handle, detail) != 0) {
		rc = call_db_fail(x);
		goto out;
	}
	x->result = json_pack("{s:I, s:I, s:s, s:I}", "report_id", id,
	    "message_id", (json_int_t)mid, "outcome", contact ? "contacted" :
	    "dismissed", "reports", (json_int_t)n);
out:
	free(handle);
	return rc;
}

/*
 * message.search: {q}: the caller's own conversations only, newest first.
 * The index is walked newest first (ORDER BY its rowid: no sort) and stops
 * at the limit, so the common case reads few rows; a word common in
 * others' conversations but rare in the caller's reads every match of it.
 * It runs off the loop (read_async); the caller is fixed on the loop.
 */
struct msearch {
	int64_t me;
	char *handle; /* the caller's, for "mine" */
	char *q, *fts;
	json_int_t limit;
};

static void
msearch_free(void *arg)
{
	struct msearch *m = arg;

	free(m->handle);
	free(m->q);
	free(m->fts);
	free(m);
}

/* On a pool thread, with only its struct msearch. */
static json_t *
msearch_work(sqlite3 *db, void *arg, enum proto_err *err, char *msg,
    size_t len)
{
	struct msearch *m = arg;
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT " MESSAGE_COLS ", "
	    "snippet(messages_fts, 0, '', '', '…', 16) FROM messages_fts f "
	    "JOIN messages m ON m.id = f.rowid JOIN conversation_members cm "
	    "ON cm.conversation_id = m.conversation_id AND cm.member_id = :me "
	    "JOIN members a ON a.id = m.author_id WHERE messages_fts MATCH :q "
	    "AND " VISIBLE_TO_ME " ORDER BY f.rowid DESC LIMIT :n", -1, &st,
	    NULL) != SQLITE_OK) {
		*err = ERR_INTERNAL;
		snprintf(msg, len, "%s", sqlite3_errmsg(db));
		return NULL;
	}
	db_bind_i64(st, ":me", m->me);
	db_bind_text(st, ":q", m->fts);
	db_bind_i64(st, ":n", m->limit);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = message_json(st, m->handle, EXCERPT_BYTES);

		json_object_set_new(o, "snippet", json_string(db_col_text(st,
		    6)));
		json_array_append_new(list, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		*err = ERR_BAD_REQUEST;
		snprintf(msg, len, "That search could not be understood; try "
		    "plain words.");
		return NULL;
	}
	return json_pack("{s:s, s:o}", "q", m->q, "results", list);
}

static int
op_message_search(struct call *x)
{
	const char *q = NULL;
	json_int_t limit = 20;
	struct msearch *m;
	struct buf fts;

	if (arg_str(x->args, "q", true, SEARCH_Q_MAX, &q, x->msg,
	    sizeof x->msg) != 0 || arg_int(x->args, "limit", false, 1, 50,
	    &limit, x->msg, sizeof x->msg) != 0 || utf8_check_arg("q", q,
	    UTF8_LINE, x->msg, sizeof x->msg) != 0)
		return call_bad(x);
	buf_init(&fts);
	fts_terms(&fts, NULL, q);
	buf_append(&fts, "", 1);
	if (fts.len <= 1) {
		buf_free(&fts);
		return call_fail(x, ERR_BAD_REQUEST, "Type a word to look "
		    "for in your messages.");
	}
	m = xcalloc(1, sizeof *m);
	m->me = call_actor(x);
	m->handle = xstrdup(x->conn->member.handle);
	m->q = xstrdup(q);
	m->fts = fts.data; /* taken from the buf */
	m->limit = limit;
	return read_async(x, msearch_work, NULL, m, msearch_free, true);
}

const struct op op_message_table[] = {
	{ "message.send", OP_MEMBER | OP_SELF | OP_WRITE, op_message_send,
	    "Write privately {to: [handles], body} (one member, or a group "
	    "of up to 10; one-to-one continues your conversation with them) "
	    "or {conversation_id, body}; -> {conversation_id, message_id}.",
	    RATE_WRITE,
	    ARGS(ARG_STRS("to", ARG_OPT, 1, MESSAGE_TO_MAX + 1, 40),
	    ARG_INT("conversation_id", ARG_OPT, 1, INT64_MAX),
	    ARG_STR("body", ARG_REQ, POST_BODY_MAX)) },
	{ "message.conversations", OP_MEMBER | OP_SELF, op_message_list,
	    "Your conversations, the latest first, with unread counts, the "
	    "last message and who is in each {limit?, before?}.", RATE_READ,
	    ARGS(ARG_INT("limit", ARG_OPT, 1, CONV_PAGE_MAX),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ "message.get", OP_MEMBER | OP_SELF | OP_WRITE, op_message_get,
	    "A page of one of your conversations {conversation_id, limit?, "
	    "before?}, oldest first; the latest page marks it read.",
	    RATE_WRITE,
	    ARGS(ARG_INT("conversation_id", ARG_REQ, 1, INT64_MAX),
	    ARG_INT("limit", ARG_OPT, 1, MESSAGE_PAGE_MAX),
	    ARG_INT("before", ARG_OPT, 1, INT64_MAX)) },
	{ "message.search", OP_MEMBER | OP_SELF | OP_ASYNC, op_message_search,
	    "Search your own conversations {q, limit?}; nobody else's.",
	    RATE_SEARCH,
	    ARGS(ARG_STR("q", ARG_REQ, SEARCH_Q_MAX),
	    ARG_INT("limit", ARG_OPT, 1, 50)) },
	{ "message.report", OP_MEMBER | OP_SELF | OP_WRITE, op_message_report,
	    "Show staff a message someone wrote you {message_id, reason}.",
	    RATE_WRITE,
	    ARGS(ARG_INT("message_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("reason", ARG_REQ, REPORT_REASON_MAX)) },
	{ "message.reports", OP_MEMBER, op_message_reports,
	    "Staff: the reported private messages, oldest first: each report "
	    "with the one message (nothing else of its conversation), its "
	    "author, the reporter and the reason.", RATE_READ, NO_ARGS },
	{ "message.report_resolve", OP_MEMBER | OP_WRITE, op_msg_resolve,
	    "Staff: answer a reported message {report_id, action: dismiss | "
	    "contact, message (contact: what its author reads)}; every "
	    "report of it is answered.", RATE_WRITE,
	    ARGS(ARG_INT("report_id", ARG_REQ, 1, INT64_MAX),
	    ARG_STR("action", ARG_REQ, 16),
	    ARG_STR("message", ARG_OPT, REPORT_REASON_MAX)) },
	{ "member.block", OP_MEMBER | OP_SELF | OP_WRITE, op_member_block,
	    "Block a member from writing to you privately {handle, "
	    "blocked?} (false: unblock); they are not told.", RATE_WRITE,
	    ARGS(ARG_STR("handle", ARG_REQ, 40), ARG_BOOL("blocked",
	    ARG_OPT)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
