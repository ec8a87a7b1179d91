/*
 * event-ics.c: a member's programme as an iCalendar (RFC 5545) file, the
 * events they host or are going to (or may), for `ssh host calendar`
 * (sshd.c). Times are in UTC (calendars convert), except a repeating
 * series' DTSTART: it names the server's zone (TZID, with its VTIMEZONE)
 * so its RRULE keeps that wall-clock time across summer time, as recur.c
 * does; a zone iCalendar cannot describe stays UTC. UIDs name this server
 * (public_host), so two Hearths' event 12 never meet in one calendar; the
 * description is plain text (the Markdown taken out); and each event
 * says how to join it: the member's own ssh line, as LOCATION and URL.
 * An answer for one occurrence of a repeating event is that one time.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server.h"

/* iCalendar (RFC 5545) output: content lines folded at 75 octets. */
static void
ics_line(struct buf *b, const char *line)
{
	size_t len = strlen(line), used = 0, take, room = 75;

	while (len - used > room) {
		take = room;
		/* never split a UTF-8 sequence */
		while (take > 1 && ((unsigned char)line[used + take] & 0xC0) ==
		    0x80)
			take--;
		buf_append(b, line + used, take);
		buf_puts(b, "\r\n ");
		used += take;
		room = 74; /* the leading space counts */
	}
	buf_append(b, line + used, len - used);
	buf_puts(b, "\r\n");
}

/* A TEXT value: backslash, semicolon, comma and newline escaped. */
static char *
ics_text(const char *name, const char *s)
{
	struct buf b;
	char *out;

	buf_init(&b);
	buf_puts(&b, name);
	buf_puts(&b, ":");
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\': buf_puts(&b, "\\\\"); break;
		case ';': buf_puts(&b, "\\;"); break;
		case ',': buf_puts(&b, "\\,"); break;
		case '\n': buf_puts(&b, "\\n"); break;
		case '\r': break;
		default:
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				buf_append(&b, s, 1);
		}
	}
	buf_append(&b, "", 1);
	out = xstrdup(b.data);
	buf_free(&b);
	return out;
}

/*
 * Markdown as plain text, for DESCRIPTION: emphasis, code marks, heading
 * and quote marks and fences go; [text](url) becomes "text (url)" and an
 * image its alt text; a backslash escape keeps the character.
 */
static char *
md_plain(const char *s)
{
	struct buf b;
	bool line_start = true;
	char *out;

	buf_init(&b);
	while (*s != '\0') {
		if (line_start) {
			const char *p = s;
			while (*p == ' ')
				p++;
			if (strncmp(p, "```", 3) == 0 ||
			    strncmp(p, "~~~", 3) == 0) { /* a fence line */
				s = strchr(p, '\n');
				if (s == NULL)
					break;
				s++;
				continue;
			}
			while (*p == '#')
				p++;
			if (p != s && *p == ' ' && s[strspn(s, " ")] == '#')
				s = p + 1;
			while (*s == '>') {
				s++;
				if (*s == ' ')
					s++;
			}
			line_start = false;
			continue;
		}
		if (*s == '\\' && s[1] != '\0' && strchr("\\`*_{}[]()#+-.!~>|",
		    s[1]) != NULL) {
			buf_append(&b, s + 1, 1);
			s += 2;
		} else if (*s == '!' && s[1] == '[') {
			s++; /* an image: its alt text, as a link's text */
		} else if (*s == '[' && strchr(s, ']') != NULL &&
		    strchr(s, ']')[1] == '(' && strchr(strchr(s, ']'), ')')) {
			const char *close = strchr(s, ']');
			const char *end = strchr(close, ')');
			buf_append(&b, s + 1, (size_t)(close - s - 1));
			buf_puts(&b, " (");
			buf_append(&b, close + 2, (size_t)(end - close - 2));
			buf_puts(&b, ")");
			s = end + 1;
		} else if (*s == '*' || *s == '`' || (*s == '~' &&
		    s[1] == '~')) {
			/* emphasis and code marks; a list's "* " stays a bullet */
			if (*s == '*' && s[1] == ' ' && (b.len == 0 ||
			    b.data[b.len - 1] == '\n' || b.data[b.len - 1] ==
			    ' '))
				buf_append(&b, "-", 1);
			s += *s == '~' ? 2 : 1;
		} else if (*s == '_' && (b.len == 0 || !isalnum((unsigned
		    char)b.data[b.len - 1]) || !isalnum((unsigned char)s[1]))) {
			s++; /* _emphasis_, not snake_case */
		} else {
			if (*s == '\n')
				line_start = true;
			buf_append(&b, s, 1);
			s++;
		}
	}
	buf_append(&b, "", 1);
	out = xstrdup(b.data);
	buf_free(&b);
	return out;
}

/* This server's name for UIDs: public_host, else where members connect. */
static void
ics_host(char *out, size_t len)
{
	char line[300];
	const char *at;

	config_connect_line(&srv->cfg, "x", line, sizeof line);
	at = strrchr(line, '@');
	snprintf(out, len, "%s", at != NULL ? at + 1 : "hearth");
}

/* URL:ssh://handle@host[:port], the same place as a link. */
static char *
ssh_url(const char *handle)
{
	char host[256];
	int port = srv->cfg.public_port > 0 ? srv->cfg.public_port :
	    srv->cfg.listen_port;

	ics_host(host, sizeof host);
	if (port == 22)
		return xasprintf("URL:ssh://%s@%s", handle, host);
	return xasprintf("URL:ssh://%s@%s:%d", handle, host, port);
}

static void
ics_time(char out[20], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

/* The events the member hosts or is going (or may go) to, at most 1,000. */
char *
event_ics(int64_t member_id)
{
	return event_ics_one(member_id, 0);
}

/* The member's feed, or (event_id not 0) that one event of it. */
char *
event_ics_one(int64_t member_id, int64_t event_id)
{
	static char sql[sizeof EVENT_SELECT + 256], sql1[sizeof EVENT_SELECT +
	    256];
	sqlite3_stmt *st;
	struct buf b;
	struct event e;
	char *line, stamp[20], t1[20], t2[20], *out, host[256], join[300],
	    handle[64] = "member";
	int64_t now = now_unix(), occ;
	sqlite3_stmt *who;
	const char *tz = zone_default();
	bool tzid;

	buf_init(&b);
	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Hearth//Hearth " HEARTH_VERSION "//EN\r\n"
	    "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
	    "X-WR-CALNAME:Hearth events\r\n");
	/* series repeat in the server's zone (recur.c): say which, so
	 * calendars keep them at that wall-clock time across summer time */
	tzid = strcmp(tz, "UTC") != 0 && zone_vtimezone(tz, &b);
	ics_time(stamp, now);
	ics_host(host, sizeof host);
	who = db_stmt(srv->db, "SELECT handle FROM members WHERE id = ?");
	sqlite3_bind_int64(who, 1, member_id);
	if (sqlite3_step(who) == SQLITE_ROW)
		snprintf(handle, sizeof handle, "%s", db_col_text(who, 0));
	sqlite3_reset(who);
	config_connect_line(&srv->cfg, handle, join, sizeof join);
	/* the occurrence answered for: 0 for every one (or a host's) */
	if (sql[0] == '\0')
		snprintf(sql, sizeof sql, "%sWHERE e.id IN (SELECT event_id "
		    "FROM event_hosts WHERE member_id = ?1 UNION SELECT "
		    "event_id FROM event_rsvps WHERE member_id = ?1 AND status "
		    "IN ('going', 'maybe')) ORDER BY e.starts_at, e.id "
		    "LIMIT 1000", EVENT_SELECT);
	if (sql1[0] == '\0')
		snprintf(sql1, sizeof sql1, "%sWHERE e.id = ?2 AND e.id IN "
		    "(SELECT event_id FROM event_hosts WHERE member_id = ?1 "
		    "UNION SELECT event_id FROM event_rsvps WHERE member_id = "
		    "?1 AND status IN ('going', 'maybe'))", EVENT_SELECT);
	who = db_stmt(srv->db, "SELECT r.occurrence FROM event_rsvps r "
	    "WHERE r.event_id = ?1 AND r.member_id = ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM event_hosts h WHERE h.event_id = ?1 AND "
	    "h.member_id = ?2)");
	st = db_stmt(srv->db, event_id != 0 ? sql1 : sql);
	sqlite3_bind_int64(st, 1, member_id);
	if (event_id != 0)
		sqlite3_bind_int64(st, 2, event_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		event_from_row(st, &e);
		occ = 0;
		sqlite3_bind_int64(who, 1, e.id);
		sqlite3_bind_int64(who, 2, member_id);
		if (sqlite3_step(who) == SQLITE_ROW)
			occ = sqlite3_column_int64(who, 0);
		sqlite3_reset(who);
		buf_puts(&b, "BEGIN:VEVENT\r\n");
		if (occ != 0) {
			ics_time(t1, occ);
			line = xasprintf("UID:event-%lld-%s@%s",
			    (long long)e.id, t1, host);
		} else
			line = xasprintf("UID:event-%lld@%s", (long long)e.id,
			    host);
		ics_line(&b, line);
		free(line);
		buf_printf(&b, "DTSTAMP:%s\r\n", stamp);
		if (occ == 0 && tzid && recur_repeats(e.recurrence)) {
			/* the series keeps the zone's wall-clock time */
			time_t lt = (time_t)(e.starts + zone_offset(tz,
			    e.starts));
			struct tm tm;

			gmtime_r(&lt, &tm);
			strftime(t1, sizeof t1, "%Y%m%dT%H%M%S", &tm);
			line = xasprintf("DTSTART;TZID=%s:%s", tz, t1);
			ics_line(&b, line);
			free(line);
		} else {
			ics_time(t1, occ != 0 ? occ : e.starts);
			buf_printf(&b, "DTSTART:%s\r\n", t1);
		}
		if (e.duration % 60 == 0)
			buf_printf(&b, "DURATION:PT%lldM\r\n",
			    (long long)(e.duration / 60));
		else
			buf_printf(&b, "DURATION:PT%lldS\r\n",
			    (long long)e.duration);
		if (occ == 0 && recur_rrule(e.recurrence) != NULL)
			buf_printf(&b, "RRULE:%s\r\n",
			    recur_rrule(e.recurrence));
		ics_time(t1, e.created_at);
		ics_time(t2, e.updated_at);
		buf_printf(&b, "CREATED:%s\r\nLAST-MODIFIED:%s\r\n"
		    "SEQUENCE:%lld\r\n", t1, t2, (long long)e.sequence);
		line = ics_text("SUMMARY", e.title);
		ics_line(&b, line);
		free(line);
		{
			char *plain = md_plain(e.description);
			char *d = xasprintf("%s%s%s on Hearth. To join: %s, "
			    "then open the programme (E) and the event; its "
			    "room opens there (o).", plain, plain[0] ?
			    "\n\n" : "", e.slug ? e.slug : "Everyone", join);

			line = ics_text("DESCRIPTION", d);
			free(d);
			free(plain);
		}
		ics_line(&b, line);
		free(line);
		line = ics_text("LOCATION", join);
		ics_line(&b, line);
		free(line);
		line = ssh_url(handle);
		ics_line(&b, line);
		free(line);
		line = ics_text("CATEGORIES", e.kind);
		ics_line(&b, line);
		free(line);
		buf_printf(&b, "STATUS:%s\r\n", e.cancelled_at ? "CANCELLED" :
		    "CONFIRMED");
		buf_puts(&b, "TRANSP:OPAQUE\r\nEND:VEVENT\r\n");
		event_clear(&e);
	}
	sqlite3_reset(st);
	buf_puts(&b, "END:VCALENDAR\r\n");
	buf_append(&b, "", 1);
	out = xstrdup(b.data);
	buf_free(&b);
	return out;
}
