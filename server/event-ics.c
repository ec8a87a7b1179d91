/*
 * event-ics.c: a member's programme as an iCalendar (RFC 5545) file, the
 * events they host or are going to (or may), for `ssh host calendar`
 * (sshd.c).
 */
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

static void
ics_time(char out[20], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

#define ICS_SQL_LEN (sizeof EVENT_SELECT + 256)
static char *ics_calendar(char sql[ICS_SQL_LEN], const char *where,
    int64_t id);

/* The events the member hosts or is going (or may go) to, at most 1,000. */
char *
event_ics(int64_t member_id)
{
	static char sql[ICS_SQL_LEN];

	return ics_calendar(sql, "WHERE e.id IN (SELECT event_id FROM event_hosts "
	    "WHERE member_id = ?1 UNION SELECT event_id FROM event_rsvps "
	    "WHERE member_id = ?1 AND status IN ('going', 'maybe')) ORDER BY "
	    "e.starts_at, e.id LIMIT 1000", member_id);
}

/* One event, as a calendar of its own (an e-mail's attachment). */
char *
event_ics_one(int64_t event_id)
{
	static char sql[ICS_SQL_LEN];

	return ics_calendar(sql, "WHERE e.id = ?1", event_id);
}

/* sql: the caller's own static buffer (db_stmt caches by its address). */
static char *
ics_calendar(char sql[ICS_SQL_LEN], const char *where, int64_t id)
{
	sqlite3_stmt *st;
	struct buf b;
	struct event e;
	char *line, stamp[20], t1[20], t2[20], *out;
	int64_t now = now_unix();

	buf_init(&b);
	buf_puts(&b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//Hearth//Hearth " HEARTH_VERSION "//EN\r\n"
	    "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
	    "X-WR-CALNAME:Hearth events\r\n");
	ics_time(stamp, now);
	if (sql[0] == '\0')
		snprintf(sql, ICS_SQL_LEN, "%s%s", EVENT_SELECT, where);
	st = db_stmt(srv->db, sql);
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		event_from_row(st, &e);
		buf_puts(&b, "BEGIN:VEVENT\r\n");
		line = xasprintf("UID:event-%lld@hearth", (long long)e.id);
		ics_line(&b, line);
		free(line);
		buf_printf(&b, "DTSTAMP:%s\r\n", stamp);
		ics_time(t1, e.starts);
		buf_printf(&b, "DTSTART:%s\r\n", t1);
		if (e.duration % 60 == 0)
			buf_printf(&b, "DURATION:PT%lldM\r\n",
			    (long long)(e.duration / 60));
		else
			buf_printf(&b, "DURATION:PT%lldS\r\n",
			    (long long)e.duration);
		if (recur_rrule(e.recurrence) != NULL)
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
			char *d = xasprintf("%s%s%s on Hearth", e.description,
			    e.description[0] ? "\n\n" : "", e.slug ?
			    e.slug : "Everyone");

			line = ics_text("DESCRIPTION", d);
			free(d);
		}
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
