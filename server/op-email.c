/*
 * op-email.c: a member's e-mail address and what they want by mail
 * (profile.update's `email`, email.verify, email.prefs), the removal
 * notice, and the console's mail.status, mail.run and mail.inbound.
 * An address gets nothing but its code until the code comes back; codes
 * are stored hashed, tried at most EMAIL_TRIES times, for an hour. No
 * one else ever sees a member's address.
 */
#include <ctype.h>
#include <string.h>

#include "server.h"

#define EMAIL_MAX 254
#define EMAIL_CODE_TTL 3600
#define EMAIL_TRIES 5
#define MAIL_IN_MAX 262144 /* 256 KiB */

/* A plausible address: local@domain.tld, no spaces or controls. */
static bool
email_valid(const char *a)
{
	const char *at = strchr(a, '@'), *dot;

	if (at == NULL || at == a || strchr(at + 1, '@') != NULL ||
	    strlen(a) > EMAIL_MAX)
		return false;
	for (const char *p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == '"' || *p == ',' || *p == ';' || *p == '\\' ||
		    (unsigned char)*p == 0x7f)
			return false;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

static void
email_code_hash(const char *code, char out[65])
{
	uint8_t h[32];

	sha256(code, strlen(code), h);
	hex_encode(h, sizeof h, out);
}

int
email_set(struct call *x, const char *address)
{
	sqlite3_stmt *st;
	char code[8], hash[65], token[33], body[600];
	uint8_t r[16];
	uint32_t v;
	struct mail_msg mm;
	char *msg;
	int rc;

	if (*address == '\0') {
		st = db_stmt(srv->db, "DELETE FROM member_email WHERE "
		    "member_id = ?");
		sqlite3_bind_int64(st, 1, call_actor(x));
		return call_step(x, st);
	}
	if (!email_valid(address))
		return call_fail(x, ERR_BAD_REQUEST, "\"%.80s\" does not look "
		    "like an e-mail address (name@example.org)", address);
	rand_bytes(&v, sizeof v);
	snprintf(code, sizeof code, "%06u", v % 1000000);
	email_code_hash(code, hash);
	rand_bytes(r, sizeof r);
	hex_encode(r, sizeof r, token);
	/* a new address starts unverified; the preferences are kept */
	st = db_stmt(srv->db, "INSERT INTO member_email (member_id, address, "
	    "code_hash, code_expires, unsub_token) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (member_id) DO UPDATE SET address = excluded.address, "
	    "verified_at = NULL, code_hash = excluded.code_hash, code_expires "
	    "= excluded.code_expires, code_tries = 0");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_unix() + EMAIL_CODE_TTL);
	sqlite3_bind_text(st, 5, token, -1, SQLITE_STATIC);
	if (call_step(x, st) != 0)
		return -1;
	snprintf(body, sizeof body, "Your code for Hearth is %s\n\n"
	    "Type it where Hearth asks for it within an hour: connect, open "
	    "your Profile (p), then E-mail (E); in the line mode 5, then m. If you did not ask for this, ignore this e-mail: nothing "
	    "will be sent to this address.\n", code);
	memset(&mm, 0, sizeof mm);
	mm.to = address;
	mm.subject = "Your Hearth code";
	mm.body = body;
	mm.kind = "verify";
	msg = mail_message(&mm);
	rc = mail_enqueue(x, call_actor(x), address, "verify", msg);
	free(msg);
	explicit_bzero(code, sizeof code);
	return rc;
}

/* The member's e-mail settings as the client shows them. */
static json_t *
prefs_json(int64_t member)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT address, verified_at IS "
	    "NOT NULL, digest, mentions, messages, messages_full, replies, "
	    "reminders, requests FROM member_email WHERE member_id = ?");
	json_t *r;

	sqlite3_bind_int64(st, 1, member);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return json_pack("{s:n, s:b, s:b}", "email", "verified", 0,
		    "sending", mail_configured());
	}
	r = json_pack("{s:s, s:b, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
	    "email", db_col_text(st, 0), "verified",
	    sqlite3_column_int(st, 1), "digest", db_col_text(st, 2),
	    "mentions", sqlite3_column_int(st, 3), "messages",
	    sqlite3_column_int(st, 4), "messages_full",
	    sqlite3_column_int(st, 5), "replies", sqlite3_column_int(st, 6),
	    "reminders", sqlite3_column_int(st, 7), "requests",
	    sqlite3_column_int(st, 8), "sending", mail_configured());
	sqlite3_reset(st);
	return r;
}

/* email.verify {code}: the code sent to the address, typed back. */
static int
op_email_verify(struct call *x)
{
	const char *code = NULL;
	char hash[65], clean[16];
	size_t n = 0;
	sqlite3_stmt *st;
	int tries;
	int64_t expires;
	bool match;

	if (arg_str(x->args, "code", true, 32, &code, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	for (const char *p = code; *p != '\0' && n + 1 < sizeof clean; p++)
		if (isdigit((unsigned char)*p))
			clean[n++] = *p;
	clean[n] = '\0';
	st = db_stmt(srv->db, "SELECT code_hash, code_expires, code_tries, "
	    "verified_at IS NOT NULL FROM member_email WHERE member_id = ?");
	sqlite3_bind_int64(st, 1, call_actor(x));
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return call_fail(x, ERR_NOT_FOUND, "set your e-mail address "
		    "first; a code is sent to it");
	}
	if (sqlite3_column_int(st, 3)) {
		sqlite3_reset(st);
		x->result = prefs_json(call_actor(x));
		return 0;
	}
	email_code_hash(clean, hash);
	match = sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    strcmp(hash, db_col_text(st, 0)) == 0;
	expires = sqlite3_column_int64(st, 1);
	tries = sqlite3_column_int(st, 2);
	sqlite3_reset(st);
	if (tries >= EMAIL_TRIES || expires < now_unix())
		return call_fail(x, ERR_FORBIDDEN, "that code has expired or "
		    "was tried too often; enter your address again for a new "
		    "one");
	if (!match) {
		st = db_stmt(srv->db, "UPDATE member_email SET code_tries = "
		    "code_tries + 1 WHERE member_id = ?");
		sqlite3_bind_int64(st, 1, call_actor(x));
		if (call_step(x, st) != 0)
			return -1;
		/* the failed try is kept: the reply is an ok with ok false */
		x->result = json_pack("{s:b, s:s, s:i}", "verified", 0,
		    "message", "That is not the code we sent; check the "
		    "e-mail and try again.", "tries_left",
		    EMAIL_TRIES - tries - 1);
		return 0;
	}
	st = db_stmt(srv->db, "UPDATE member_email SET verified_at = ?2, "
	    "code_hash = NULL, digest_at = ?2, mailed_upto = (SELECT "
	    "coalesce(max(id), 0) FROM notifications WHERE member_id = ?1) "
	    "WHERE member_id = ?1");
	sqlite3_bind_int64(st, 1, call_actor(x));
	sqlite3_bind_int64(st, 2, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	x->result = prefs_json(call_actor(x));
	return 0;
}

/* email.prefs {digest?, mentions?, ...}: change what is given; show all. */
static int
op_email_prefs(struct call *x)
{
	static const char *const flags[] = { "mentions", "messages",
	    "messages_full", "replies", "reminders", "requests" };
	static const char *const sql[] = {
		"UPDATE member_email SET mentions = ?2 WHERE member_id = ?1",
		"UPDATE member_email SET messages = ?2 WHERE member_id = ?1",
		"UPDATE member_email SET messages_full = ?2 WHERE member_id = ?1",
		"UPDATE member_email SET replies = ?2 WHERE member_id = ?1",
		"UPDATE member_email SET reminders = ?2 WHERE member_id = ?1",
		"UPDATE member_email SET requests = ?2 WHERE member_id = ?1",
	};
	const char *digest = NULL;
	sqlite3_stmt *st;
	json_t *v;
	bool any = false;

	if (arg_str(x->args, "digest", false, 10, &digest, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	if (digest != NULL && strcmp(digest, "off") != 0 &&
	    strcmp(digest, "daily") != 0 && strcmp(digest, "weekly") != 0)
		return call_fail(x, ERR_BAD_REQUEST, "the digest is off, daily "
		    "or weekly");
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
		if (json_object_get(x->args, flags[i]) != NULL)
			any = true;
	if (digest == NULL && !any) {
		x->result = prefs_json(call_actor(x));
		return 0;
	}
	st = db_stmt(srv->db, "SELECT 1 FROM member_email WHERE member_id = ?");
	sqlite3_bind_int64(st, 1, call_actor(x));
	any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (!any)
		return call_fail(x, ERR_NOT_FOUND, "set your e-mail address "
		    "first (Profile, then E-mail: p then E; in the line mode 5 "
		    "then m)");
	if (digest != NULL) {
		st = db_stmt(srv->db, "UPDATE member_email SET digest = ?2 "
		    "WHERE member_id = ?1");
		sqlite3_bind_int64(st, 1, call_actor(x));
		sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
		if (call_step(x, st) != 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
		if ((v = json_object_get(x->args, flags[i])) == NULL ||
		    json_is_null(v))
			continue;
		st = db_stmt(srv->db, sql[i]);
		sqlite3_bind_int64(st, 1, call_actor(x));
		sqlite3_bind_int(st, 2, json_is_true(v));
		if (call_step(x, st) != 0)
			return -1;
	}
	x->result = prefs_json(call_actor(x));
	return 0;
}

int
email_removed(struct call *x, int64_t member_id, const char *reason)
{
	sqlite3_stmt *st = db_stmt(srv->db, "SELECT address FROM member_email "
	    "WHERE member_id = ? AND verified_at IS NOT NULL");
	struct mail_msg mm;
	char *address, *body, *msg;
	int rc;

	sqlite3_bind_int64(st, 1, member_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return 0;
	}
	address = xstrdup(db_col_text(st, 0));
	sqlite3_reset(st);
	body = xasprintf("Your membership of Hearth has been ended by its "
	    "administrators.\n\nThe reason given: %s\n\nIf you think this is "
	    "a mistake, reply to the person who invited you; Hearth itself "
	    "reads no replies.\n", reason != NULL && *reason ? reason :
	    "none was given");
	memset(&mm, 0, sizeof mm);
	mm.to = address;
	mm.subject = "Your Hearth membership has ended";
	mm.body = body;
	mm.kind = "removed";
	msg = mail_message(&mm);
	rc = mail_enqueue(x, member_id, address, "removed", msg);
	free(msg);
	free(body);
	free(address);
	return rc;
}

/* mail.status: the queue by state, the dead letters, how mail goes out. */
static int
op_mail_status(struct call *x)
{
	x->result = mail_status_json();
	return 0;
}

/* mail.run: the notification and digest sweeps now, and the queue. */
static int
op_mail_run(struct call *x)
{
	mail_sweep_hurry();
	x->result = json_pack("{s:b}", "started", 1);
	return 0;
}

/*
 * mail.inbound {message}: one message from the MTA (hearthctl mail-in).
 * A List-Unsubscribe mail ("unsubscribe TOKEN" in its subject) turns
 * that member's digest off; anything else is not posted anywhere.
 */
static int
op_mail_inbound(struct call *x)
{
	const char *m = NULL, *p, *end;
	char token[64];
	size_t n = 0;
	sqlite3_stmt *st;

	if (arg_str(x->args, "message", true, MAIL_IN_MAX, &m, x->msg,
	    sizeof x->msg) != 0)
		return call_bad(x);
	/* the headers end at the first empty line */
	end = strstr(m, "\r\n\r\n");
	if (end == NULL)
		end = strstr(m, "\n\n");
	if (end == NULL)
		end = m + strlen(m);
	for (p = m; p < end; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : end) {
		if (strncasecmp(p, "Subject:", 8) != 0)
			continue;
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "unsubscribe", 11) != 0)
			break;
		p += 11;
		while (*p == ' ' || *p == '\t')
			p++;
		while (isxdigit((unsigned char)*p) && n + 1 < sizeof token)
			token[n++] = *p++;
		break;
	}
	token[n] = '\0';
	if (n != 32) {
		x->result = json_pack("{s:s, s:s}", "action", "ignored",
		    "message", "not an unsubscribe request; replies are not "
		    "posted to Hearth");
		return 0;
	}
	st = db_stmt(srv->db, "UPDATE member_email SET digest = 'off' WHERE "
	    "unsub_token = ?");
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	if (call_step(x, st) != 0)
		return -1;
	x->result = json_pack("{s:s, s:s}", "action", sqlite3_changes(srv->db) ?
	    "unsubscribed" : "ignored", "message", sqlite3_changes(srv->db) ?
	    "the digest is off for that member" : "no member has that token");
	return 0;
}

const struct op op_email_table[] = {
	{ "email.verify", OP_MEMBER | OP_SELF | OP_WRITE, op_email_verify,
	    "Confirm your e-mail address with the code sent to it {code}.",
	    RATE_WRITE, ARGS(ARG_STR("code", ARG_REQ, 32)) },
	{ "email.prefs", OP_MEMBER | OP_SELF | OP_WRITE, op_email_prefs,
	    "Your e-mail settings; change any of {digest?: off|daily|weekly, "
	    "mentions?, messages?, messages_full?, replies?, reminders?, "
	    "requests?}.", RATE_WRITE,
	    ARGS(ARG_STR("digest", ARG_OPT, 10),
	    ARG_BOOL("mentions", ARG_OPT), ARG_BOOL("messages", ARG_OPT),
	    ARG_BOOL("messages_full", ARG_OPT), ARG_BOOL("replies", ARG_OPT),
	    ARG_BOOL("reminders", ARG_OPT), ARG_BOOL("requests", ARG_OPT)) },
	{ "mail.status", OP_ADMIN, op_mail_status,
	    "The outgoing mail: how it is sent, the queue by state, the "
	    "messages given up on.", RATE_READ, NO_ARGS },
	{ "mail.run", OP_ADMIN, op_mail_run,
	    "Look for due notifications and digests now, and send the queue.",
	    RATE_WRITE, NO_ARGS },
	{ "mail.inbound", OP_ADMIN | OP_WRITE, op_mail_inbound,
	    "One message from the mail server {message}: an unsubscribe turns "
	    "the digest off; nothing is posted.", RATE_WRITE,
	    ARGS(ARG_STR("message", ARG_REQ, MAIL_IN_MAX)) },
	{ NULL, 0, NULL, NULL, 0, NULL },
};
