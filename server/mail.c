/*
 * mail.c: e-mail to members who are not logged in. The settings, messages
 * as RFC 5322/MIME text, the queue (mail_queue, written in the group
 * transaction like any write) and the sender: one message at a time on a
 * libuv pool thread, through the association's SMTP service with libcurl
 * (STARTTLS or TLS, AUTH) or a local sendmail program. A row is marked
 * `sending` just before the message's end goes out (never sent again) and
 * `sent` with the server's reply (mark_now); failures are retried with a
 * growing pause and end as `dead` after mail_max_tries.
 * What is sent when is mail-sweep.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "server.h"

extern char **environ;

#define MAIL_LINE 76 /* body lines are wrapped here */
#define MAIL_TICK_MS 2000 /* the queue is looked at this often */
#define MAIL_RETRY_MAX 3600 /* seconds between tries at most */

static struct {
	char *smtp_url, *smtp_user, *password_file, *ca_file, *from;
	char *sendmail;
	int batch_minutes, max_tries;
	int retry_first; /* seconds before the first retry; doubles */
	char *password; /* read once at start */
} mc = { .batch_minutes = 10, .max_tries = 8, .retry_first = 30 };

static struct {
	uv_timer_t timer;
	bool started, busy;
	uv_work_t req;
	CURL *curl; /* one handle, used by one send at a time: connections reused */
	char *db_path; /* for mark_sent_now's connection */
	/* the message in flight */
	int64_t id;
	char *address, *message;
	size_t sent; /* bytes of message given to libcurl */
	bool ok;
	char reply[256];
	uint64_t sent_count, failed_count;
} ms;

/* ---- settings ---- */

static int
set_str(char **field, const char *v)
{
	free(*field);
	*field = *v != '\0' ? xstrdup(v) : NULL;
	return 0;
}

int
mail_set(const char *k, const char *v, int *rc)
{
	char *end;
	long n;

	if (strcmp(k, "smtp_url") == 0) {
		*rc = *v != '\0' && strncmp(v, "smtp://", 7) != 0 &&
		    strncmp(v, "smtps://", 8) != 0 ? -1 :
		    set_str(&mc.smtp_url, v);
	} else if (strcmp(k, "smtp_user") == 0)
		*rc = set_str(&mc.smtp_user, v);
	else if (strcmp(k, "smtp_password_file") == 0)
		*rc = set_str(&mc.password_file, v);
	else if (strcmp(k, "smtp_ca_file") == 0)
		*rc = set_str(&mc.ca_file, v);
	else if (strcmp(k, "mail_from") == 0)
		*rc = strchr(v, '@') == NULL || strpbrk(v, " <>\r\n\"") != NULL ?
		    -1 : set_str(&mc.from, v);
	else if (strcmp(k, "sendmail") == 0)
		*rc = *v != '\0' && *v != '/' ? -1 : set_str(&mc.sendmail, v);
	else if (strcmp(k, "mail_batch_minutes") == 0 ||
	    strcmp(k, "mail_max_tries") == 0 ||
	    strcmp(k, "mail_retry_seconds") == 0) {
		errno = 0;
		n = strtol(v, &end, 10);
		*rc = errno != 0 || end == v || *end != '\0' || n < 1 ||
		    n > 10080 ? -1 : 0;
		if (*rc == 0 && k[5] == 'b')
			mc.batch_minutes = (int)n;
		else if (*rc == 0 && k[5] == 'm')
			mc.max_tries = (int)n;
		else if (*rc == 0)
			mc.retry_first = (int)n;
	} else
		return 0;
	return 1;
}

bool
mail_configured(void)
{
	return mc.smtp_url != NULL || mc.sendmail != NULL;
}

int
mail_batch_minutes(void)
{
	return mc.batch_minutes;
}

/* The sender's address: mail_from, or hearth@<public host>. */
static const char *
mail_from(void)
{
	static char def[300];

	if (mc.from != NULL)
		return mc.from;
	if (def[0] == '\0')
		snprintf(def, sizeof def, "hearth@%s", mail_host());
	return def;
}

const char *
mail_host(void)
{
	static char name[256];

	if (srv->cfg.public_host != NULL)
		return srv->cfg.public_host;
	if (name[0] == '\0' && gethostname(name, sizeof name) != 0)
		snprintf(name, sizeof name, "localhost");
	name[sizeof name - 1] = '\0';
	return name;
}

/* "ssh -p PORT HOST" (no -p for 22): how a member connects. */
void
mail_connect_line(char *out, size_t len)
{
	int port = srv->cfg.public_port > 0 ? srv->cfg.public_port :
	    srv->cfg.listen_port;
	const char *host = srv->cfg.public_host;

	if (host == NULL)
		host = strcmp(srv->cfg.listen_host, "0.0.0.0") == 0 ||
		    strcmp(srv->cfg.listen_host, "::") == 0 ||
		    srv->cfg.listen_host[0] == '\0' ? mail_host() :
		    srv->cfg.listen_host;
	if (port == 22)
		snprintf(out, len, "ssh %s", host);
	else
		snprintf(out, len, "ssh -p %d %s", port, host);
}

/* The password file: readable by hearthd's user only, or refused. */
static int
read_password(char *err, size_t len)
{
	struct stat st;
	FILE *f;
	char line[512];

	if (mc.password_file == NULL)
		return 0;
	if ((f = fopen(mc.password_file, "r")) == NULL) {
		/* not there (yet): no e-mail is sent, and the log says why */
		log_error(0, "mail: %s: %s; no e-mail is sent until it can be "
		    "read (then restart hearthd)", mc.password_file,
		    strerror(errno));
		free(mc.smtp_url);
		mc.smtp_url = NULL;
		return 0;
	}
	if (fstat(fileno(f), &st) != 0 || (st.st_mode & 077) != 0) {
		snprintf(err, len, "%s: must be readable by hearthd's user "
		    "only (chmod 600)", mc.password_file);
		fclose(f);
		return -1;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	free(mc.password);
	mc.password = xstrdup(line);
	explicit_bzero(line, sizeof line);
	return 0;
}

/* ---- the message ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(struct buf *b, const unsigned char *p, size_t n, bool wrap)
{
	size_t i, col = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_printf(b, "%c%c%c%c", b64[v >> 18 & 63], b64[v >> 12 & 63],
		    i + 1 < n ? b64[v >> 6 & 63] : '=',
		    i + 2 < n ? b64[v & 63] : '=');
		if (wrap && (col += 4) >= 76) {
			buf_puts(b, "\r\n");
			col = 0;
		}
	}
	if (wrap && col > 0)
		buf_puts(b, "\r\n");
}

/* A header's text: as it is if plain ASCII, else RFC 2047 words. */
static void
header_text(struct buf *b, const char *name, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, take;
	bool plain = true;

	for (n = 0; p[n] != '\0'; n++)
		if (p[n] < 0x20 || p[n] > 0x7e)
			plain = false;
	buf_printf(b, "%s: ", name);
	if (plain && n < 900) {
		buf_printf(b, "%s\r\n", s);
		return;
	}
	while (n > 0) {
		/* 45 bytes or fewer, never splitting a UTF-8 sequence */
		take = n < 45 ? n : 45;
		while (take < n && take > 0 && (p[take] & 0xc0) == 0x80)
			take--;
		buf_puts(b, "=?UTF-8?B?");
		base64(b, p, take, false);
		buf_puts(b, "?=");
		p += take;
		n -= take;
		buf_puts(b, n > 0 ? "\r\n " : "\r\n");
	}
}

/* Body text: CRLF lines, wrapped at MAIL_LINE, controls dropped. */
static void
body_text(struct buf *b, const char *s)
{
	const char *line = s, *nl, *sp, *cut;
	size_t len, width;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		while (len > 0) {
			/* wrap at the last space within MAIL_LINE columns */
			width = 0;
			cut = line;
			sp = NULL;
			while (cut < line + len && width < MAIL_LINE) {
				if (*cut == ' ')
					sp = cut;
				if (((unsigned char)*cut & 0xc0) != 0x80)
					width++;
				cut++;
			}
			if (cut < line + len && sp != NULL && sp > line)
				cut = sp;
			for (const char *q = line; q < cut; q++)
				if ((unsigned char)*q >= 0x20 || *q == '\t')
					buf_append(b, q, 1);
			buf_puts(b, "\r\n");
			if (cut < line + len && *cut == ' ')
				cut++;
			len -= (size_t)(cut - line);
			line = cut;
		}
		if (nl == NULL)
			break;
		if (nl == line)
			buf_puts(b, "\r\n");
		line = nl + 1;
	}
}

char *
mail_message(const struct mail_msg *m)
{
	struct buf b;
	char date[64], connect[300], boundary[40], rnd[17];
	uint8_t r[8];
	time_t t = time(NULL);
	struct tm tm;

	buf_init(&b);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	rand_bytes(r, sizeof r);
	hex_encode(r, sizeof r, rnd);
	buf_printf(&b, "From: Hearth <%s>\r\nTo: <%s>\r\n", mail_from(),
	    m->to);
	header_text(&b, "Subject", m->subject);
	buf_printf(&b, "Date: %s\r\nMessage-ID: <%s.%lld.%s@%s>\r\n", date,
	    m->kind, (long long)t, rnd, mail_host());
	if (m->thread_id != 0)
		buf_printf(&b, "References: <thread.%lld@%s>\r\n"
		    "In-Reply-To: <thread.%lld@%s>\r\n",
		    (long long)m->thread_id, mail_host(),
		    (long long)m->thread_id, mail_host());
	buf_puts(&b, "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: All\r\n");
	if (m->unsub_token != NULL)
		buf_printf(&b, "List-Unsubscribe: <mailto:%s?subject="
		    "unsubscribe%%20%s>\r\n", mail_from(), m->unsub_token);
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	if (m->ics != NULL) {
		snprintf(boundary, sizeof boundary, "hearth-%s", rnd);
		buf_printf(&b, "Content-Type: multipart/mixed; "
		    "boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary);
	}
	buf_puts(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	body_text(&b, m->body);
	mail_connect_line(connect, sizeof connect);
	buf_printf(&b, "\r\n-- \r\nHearth: connect with  %s\r\n", connect);
	buf_puts(&b, "To stop these, connect, open your Profile (p), then "
	    "E-mail (E); in the line mode 5, then m.\r\n");
	if (m->ics != NULL) {
		buf_printf(&b, "\r\n--%s\r\nContent-Type: text/calendar; "
		    "charset=UTF-8; method=PUBLISH\r\n"
		    "Content-Disposition: attachment; filename=\"event.ics\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
		base64(&b, (const unsigned char *)m->ics, strlen(m->ics), true);
		buf_printf(&b, "--%s--\r\n", boundary);
	}
	buf_append(&b, "", 1);
	return b.data;
}

int
mail_enqueue(struct call *x, int64_t member_id, const char *address,
    const char *kind, const char *message)
{
	sqlite3_stmt *st = db_stmt(srv->db, "INSERT INTO mail_queue "
	    "(member_id, address, kind, message, created_at, next_at) VALUES "
	    "(NULLIF(?1, 0), ?2, ?3, ?4, ?5, ?5)");

	sqlite3_bind_int64(st, 1, member_id);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_unix());
	if (call_step(x, st) != 0)
		return -1;
	mail_kick();
	return 0;
}

/* ---- sending, on a pool thread ---- */

static void mark_now(const char *state);

static size_t
read_cb(char *out, size_t size, size_t n, void *arg)
{
	size_t left = strlen(ms.message + ms.sent), take = size * n;

	(void)arg;
	if (left == 0) /* libcurl sends the final "." next */
		mark_now("sending");
	if (take > left)
		take = left;
	memcpy(out, ms.message + ms.sent, take);
	ms.sent += take;
	return take;
}

/* The server's responses come here: keep the last line. */
static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	size_t len = size * n, k = len;

	(void)arg;
	while (k > 0 && (p[k - 1] == '\r' || p[k - 1] == '\n'))
		k--;
	if (k > 0)
		snprintf(ms.reply, sizeof ms.reply, "%.*s", (int)k, p);
	return len;
}

static void
send_smtp(void)
{
	struct curl_slist *rcpt = NULL;
	char from[300], to[300], err[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	if (ms.curl == NULL && (ms.curl = curl_easy_init()) == NULL) {
		snprintf(ms.reply, sizeof ms.reply, "libcurl: no handle");
		return;
	}
	curl_easy_reset(ms.curl);
	snprintf(from, sizeof from, "<%.290s>", mail_from());
	snprintf(to, sizeof to, "<%.290s>", ms.address);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(ms.curl, CURLOPT_URL, mc.smtp_url);
	curl_easy_setopt(ms.curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(ms.curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(ms.curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(ms.curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(ms.curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(ms.curl, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(ms.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ms.curl, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(ms.curl, CURLOPT_TIMEOUT, 120L);
	/* A password never crosses the network in the clear. */
	curl_easy_setopt(ms.curl, CURLOPT_USE_SSL, mc.smtp_user != NULL ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (mc.ca_file != NULL)
		curl_easy_setopt(ms.curl, CURLOPT_CAINFO, mc.ca_file);
	if (mc.smtp_user != NULL) {
		curl_easy_setopt(ms.curl, CURLOPT_USERNAME, mc.smtp_user);
		curl_easy_setopt(ms.curl, CURLOPT_PASSWORD,
		    mc.password != NULL ? mc.password : "");
	}
	rc = curl_easy_perform(ms.curl);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		ms.ok = true;
	else {
		char said[sizeof ms.reply];

		snprintf(said, sizeof said, "%s", ms.reply);
		snprintf(ms.reply, sizeof ms.reply, "%.120s%s%.120s",
		    err[0] ? err : curl_easy_strerror(rc),
		    said[0] ? "; server said: " : "", said);
	}
}

static void
send_sendmail(void)
{
	int in[2], status;
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[] = { mc.sendmail, "-i", "--", ms.address, NULL };
	size_t len = strlen(ms.message), off = 0;
	ssize_t w;

	if (pipe2(in, O_CLOEXEC) != 0) {
		snprintf(ms.reply, sizeof ms.reply, "pipe: %s", strerror(errno));
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	if ((errno = posix_spawn(&pid, mc.sendmail, &fa, NULL, argv,
	    environ)) != 0) {
		snprintf(ms.reply, sizeof ms.reply, "%s: %s", mc.sendmail,
		    strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		close(in[0]);
		close(in[1]);
		return;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	while (off < len && (w = write(in[1], ms.message + off, len - off)) > 0)
		off += (size_t)w;
	if (off == len)
		mark_now("sending"); /* its end of input hands it over */
	close(in[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (off == len && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ms.ok = true;
		snprintf(ms.reply, sizeof ms.reply, "%s: exit 0", mc.sendmail);
	} else
		snprintf(ms.reply, sizeof ms.reply, "%s: %s %d", mc.sendmail,
		    WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/*
 * The row's state, from the sending thread with a connection of its own
 * (no hop to the loop first): `sending` just before the message's end goes
 * to the mail server (the final "." or sendmail's end of input), `sent`
 * the moment it is taken. A message is never sent again once `sending`,
 * so a crash cannot send it twice; the loop records the outcome again
 * (a no-op then), and does it itself if this could not.
 */
static void
mark_now(const char *state)
{
	static sqlite3 *db;
	sqlite3_stmt *st;
	bool sent = strcmp(state, "sent") == 0;

	if (db == NULL) {
		if (sqlite3_open_v2(ms.db_path, &db, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			sqlite3_close(db);
			db = NULL;
			return;
		}
		sqlite3_busy_timeout(db, 1000);
		/* no checkpoint after the commit: between "handed over" and
		 * the final "." nothing but the send (checkpoint.c's work) */
		sqlite3_exec(db, "PRAGMA synchronous = NORMAL; "
		    "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL);
	}
	if (sqlite3_prepare_v2(db, sent ? "UPDATE mail_queue SET state = "
	    "'sent', sent_at = ?2, reply = ?3, tries = tries + 1 WHERE id = ?1 "
	    "AND state IN ('queued', 'sending')" : "UPDATE mail_queue SET "
	    "state = 'sending' WHERE id = ?1 AND state = 'queued'", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, ms.id);
	if (sent) {
		sqlite3_bind_int64(st, 2, now_unix());
		sqlite3_bind_text(st, 3, ms.reply, -1, SQLITE_STATIC);
	}
	sqlite3_step(st);
	sqlite3_finalize(st);
}

static void
send_work(uv_work_t *req)
{
	(void)req;
	worker_background(); /* and sendmail after it */
	ms.ok = false;
	ms.reply[0] = '\0';
	ms.sent = 0;
	if (mc.sendmail != NULL)
		send_sendmail();
	else
		send_smtp();
	if (ms.ok)
		mark_now("sent");
}

/* Record the outcome of one send, as the server, in the group commit. */
static int
record_sent(struct call *x, void *arg)
{
	sqlite3_stmt *st;
	int64_t now = now_unix(), pause;
	int tries;

	(void)arg;
	if (ms.ok) {
		st = db_stmt(srv->db, "UPDATE mail_queue SET state = 'sent', "
		    "sent_at = ?2, reply = ?3, tries = tries + 1 WHERE id = ?1 "
		    "AND state IN ('queued', 'sending')");
		sqlite3_bind_int64(st, 1, ms.id);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_text(st, 3, ms.reply, -1, SQLITE_STATIC);
		return call_step(x, st);
	}
	st = db_stmt(srv->db, "SELECT tries FROM mail_queue WHERE id = ?");
	sqlite3_bind_int64(st, 1, ms.id);
	tries = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	tries++;
	pause = mc.retry_first;
	for (int i = 1; i < tries && pause < MAIL_RETRY_MAX; i++)
		pause *= 2;
	if (pause > MAIL_RETRY_MAX)
		pause = MAIL_RETRY_MAX;
	st = db_stmt(srv->db, "UPDATE mail_queue SET tries = ?2, next_at = ?3, "
	    "last_error = ?4, state = CASE WHEN ?2 >= ?5 THEN 'dead' ELSE "
	    "'queued' END WHERE id = ?1");
	sqlite3_bind_int64(st, 1, ms.id);
	sqlite3_bind_int(st, 2, tries);
	sqlite3_bind_int64(st, 3, now + pause);
	sqlite3_bind_text(st, 4, ms.reply, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, mc.max_tries);
	if (tries >= mc.max_tries)
		log_warn(0, "mail %lld to %s given up after %d tries: %s",
		    (long long)ms.id, ms.address, tries, ms.reply);
	else
		log_info(0, "mail %lld to %s failed (try %d, again in %lld s): "
		    "%s", (long long)ms.id, ms.address, tries, (long long)pause,
		    ms.reply);
	return call_step(x, st);
}

static void mail_tick(uv_timer_t *);

static void
send_done(uv_work_t *req, int status)
{
	(void)req;
	if (status == UV_ECANCELED)
		ms.ok = false;
	if (ms.ok)
		ms.sent_count++;
	else
		ms.failed_count++;
	dispatch_server("mail sent", record_sent, NULL);
	free(ms.address);
	free(ms.message);
	ms.address = ms.message = NULL;
	ms.busy = false;
	/* the next at once if one is due (after this turn's commit) */
	if (!srv->stopping)
		uv_timer_start(&ms.timer, mail_tick, ms.ok ? 0 : MAIL_TICK_MS,
		    MAIL_TICK_MS);
}

/* Start sending the oldest due message, if any and none is in flight. */
static void
mail_tick(uv_timer_t *t)
{
	sqlite3_stmt *st;

	(void)t;
	mail_sweep_tick();
	if (ms.busy || !mail_configured() || srv->stopping)
		return;
	st = db_stmt(srv->db, "SELECT id, address, message FROM mail_queue "
	    "WHERE state = 'queued' AND next_at <= ? ORDER BY next_at, id "
	    "LIMIT 1");
	sqlite3_bind_int64(st, 1, now_unix());
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return;
	}
	ms.id = sqlite3_column_int64(st, 0);
	ms.address = xstrdup(db_col_text(st, 1));
	ms.message = xstrdup(db_col_text(st, 2));
	sqlite3_reset(st);
	ms.busy = true;
	if (uv_queue_work(srv->loop, &ms.req, send_work, send_done) != 0) {
		ms.busy = false;
		free(ms.address);
		free(ms.message);
		ms.address = ms.message = NULL;
	}
}

void
mail_kick(void)
{
	if (ms.started && !ms.busy && !srv->stopping &&
	    !uv_is_closing((uv_handle_t *)&ms.timer))
		uv_timer_start(&ms.timer, mail_tick, 0, MAIL_TICK_MS);
}

int
mail_start(char *err, size_t len)
{
	if (read_password(err, len) != 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		snprintf(err, len, "libcurl could not start");
		return -1;
	}
	ms.db_path = xstrdup(sqlite3_db_filename(srv->db, "main"));
	/* handed over when hearthd stopped: never again, but said so */
	if (db_exec(srv->db, "UPDATE mail_queue SET state = 'sent', sent_at = "
	    "strftime('%s', 'now'), reply = 'unconfirmed: hearthd stopped "
	    "before the mail server answered' WHERE state = 'sending'") != 0) {
		snprintf(err, len, "the mail queue: %s",
		    sqlite3_errmsg(srv->db));
		return -1;
	}
	(void)mail_host(); /* its name settled before any worker asks */
	(void)mail_from();
	uv_timer_init(srv->loop, &ms.timer);
	uv_unref((uv_handle_t *)&ms.timer);
	ms.started = true;
	uv_timer_start(&ms.timer, mail_tick, MAIL_TICK_MS, MAIL_TICK_MS);
	if (mail_configured())
		log_info(0, "mail: sending through %s", mc.sendmail != NULL ?
		    mc.sendmail : mc.smtp_url);
	return 0;
}

json_t *
mail_status_json(void)
{
	sqlite3_stmt *st;
	json_t *r, *counts = json_object(), *dead = json_array();
	char when[32];

	st = db_stmt(srv->db, "SELECT state, count(*), min(created_at) FROM "
	    "mail_queue GROUP BY state");
	json_object_set_new(counts, "queued", json_integer(0));
	json_object_set_new(counts, "sent", json_integer(0));
	json_object_set_new(counts, "dead", json_integer(0));
	r = json_pack("{s:b, s:s, s:s, s:I, s:I}", "configured",
	    mail_configured(), "via", mc.sendmail != NULL ? mc.sendmail :
	    mc.smtp_url != NULL ? mc.smtp_url : "nothing (set smtp_url or "
	    "sendmail)", "from", mail_from(), "sent_since_start",
	    (json_int_t)ms.sent_count, "failed_since_start",
	    (json_int_t)ms.failed_count);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object_set_new(counts, db_col_text(st, 0),
		    json_integer(sqlite3_column_int64(st, 1)));
		if (strcmp(db_col_text(st, 0), "queued") == 0) {
			time_iso8601(sqlite3_column_int64(st, 2), when);
			json_object_set_new(r, "oldest_queued",
			    json_string(when));
		}
	}
	sqlite3_reset(st);
	json_object_set_new(r, "counts", counts);
	st = db_stmt(srv->db, "SELECT id, address, kind, tries, last_error, "
	    "created_at FROM mail_queue WHERE state = 'dead' ORDER BY id DESC "
	    "LIMIT 20");
	while (sqlite3_step(st) == SQLITE_ROW) {
		time_iso8601(sqlite3_column_int64(st, 5), when);
		json_array_append_new(dead, json_pack("{s:I, s:s, s:s, s:i, "
		    "s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "address", db_col_text(st, 1), "kind", db_col_text(st, 2),
		    "tries", sqlite3_column_int(st, 3), "error",
		    db_col_text(st, 4), "created_at", when));
	}
	sqlite3_reset(st);
	json_object_set_new(r, "dead", dead);
	return r;
}

void
mail_stop(void)
{
	if (ms.started && !uv_is_closing((uv_handle_t *)&ms.timer)) {
		uv_timer_stop(&ms.timer);
		uv_close((uv_handle_t *)&ms.timer, NULL);
	}
}
