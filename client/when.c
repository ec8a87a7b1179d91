/*
 * when.c: every time shown to the member, in the member's time zone with
 * its abbreviation ("14:00 BST"). The server speaks UTC (ISO 8601); the
 * member's zone (an IANA name, checked by the server against zoneinfo)
 * arrives with their member object and becomes this process's TZ, so the
 * C library's tzdata rules give summer time. The TUI's screens use the
 * short and human forms; the line mode speaks ("Sunday 6 December, 2 pm
 * GMT"). Times the member types ("2026-07-12 14:00") are read in the
 * same zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "client.h"

static char zone[80] = "UTC";

void
when_zone(const char *name)
{
	if (name == NULL || *name == '\0' || strlen(name) >= sizeof zone ||
	    strchr(name, ',') != NULL)
		name = "UTC";
	snprintf(zone, sizeof zone, "%s", name);
	{
		/* ":" says a zoneinfo file, never a POSIX rule */
		char tz[sizeof zone + 1];
		snprintf(tz, sizeof tz, ":%s", zone);
		setenv("TZ", tz, 1);
	}
	tzset();
}

/* The zone repeating events keep their wall-clock time in (the server's
 * `timezone` setting, sent as the member's "events_timezone"): recur.c
 * asks it for offsets, so the programme's week places each occurrence
 * where the server does. */
static char series[80] = "UTC";

/* Seconds east of UTC at t in the series' zone. */
static int32_t
series_off(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char tz[sizeof zone + 1];
	bool ok;

	if (strcmp(series, "UTC") == 0)
		return 0;
	if (strcmp(series, zone) == 0)
		ok = localtime_r(&tt, &tm) != NULL;
	else {
		/* one process, one thread: borrow TZ for the other zone */
		snprintf(tz, sizeof tz, ":%s", series);
		setenv("TZ", tz, 1);
		tzset();
		ok = localtime_r(&tt, &tm) != NULL;
		snprintf(tz, sizeof tz, ":%s", zone);
		setenv("TZ", tz, 1);
		tzset();
	}
	if (!ok)
		return 0;
	return (int32_t)(time_from_utc(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) - t);
}

void
when_member(json_t *member)
{
	const char *z = js(member, "timezone"), *ev = js(member,
	    "events_timezone");

	if (*z != '\0')
		when_zone(z);
	if (*ev != '\0' && strlen(ev) < sizeof series && strchr(ev, ',') ==
	    NULL) {
		snprintf(series, sizeof series, "%s", ev);
		recur_zone(series_off);
	}
}

void
when_changed(const char *name)
{
	when_zone(name);
	if (g_me != NULL)
		json_object_set_new(g_me, "timezone", json_string(zone));
}

const char *
when_zone_name(void)
{
	return zone;
}

bool
when_local(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	return localtime_r(&tt, tm) != NULL;
}

void
when_format(int64_t t, const char *fmt, char *out, size_t len)
{
	struct tm tm;

	if (len == 0)
		return;
	if (!when_local(t, &tm) || strftime(out, len, fmt, &tm) == 0)
		snprintf(out, len, "?");
}

/* True if t falls in the current year, in the member's zone. */
static bool
this_year(const struct tm *tm)
{
	struct tm now;

	return when_local(now_unix(), &now) && now.tm_year == tm->tm_year;
}

void
when_abbrev(int64_t t, char *out, size_t len)
{
	when_format(t, "%Z", out, len);
}

void
when_short(const char *iso, char *out, size_t len)
{
	int64_t t = time_from_iso8601(iso);
	struct tm tm;

	if (t == 0 || !when_local(t, &tm)) {
		snprintf(out, len, "%s", iso);
		return;
	}
	when_format(t, this_year(&tm) ? "%d %b %H:%M %Z" :
	    "%d %b %Y %H:%M %Z", out, len);
	if (out[0] == '0')
		memmove(out, out + 1, strlen(out));
}

void
when_human(int64_t t, char *out, size_t len)
{
	struct tm tm;
	char day[8];

	if (t == 0 || !when_local(t, &tm)) {
		snprintf(out, len, "?");
		return;
	}
	when_format(t, "%a", day, sizeof day);
	snprintf(out, len, "%s %d ", day, tm.tm_mday);
	when_format(t, this_year(&tm) ? "%b %H:%M %Z" : "%b %Y %H:%M %Z",
	    out + strlen(out), len - strlen(out));
}

/* An ISO time through fmt; not one: as it came ("?" when empty). */
static void
from_iso(const char *iso, char *out, size_t len,
    void (*fmt)(int64_t, char *, size_t))
{
	int64_t t = time_from_iso8601(iso);

	if (t == 0)
		snprintf(out, len, "%s", *iso != '\0' ? iso : "?");
	else
		fmt(t, out, len);
}

void
when_human_iso(const char *iso, char *out, size_t len)
{
	from_iso(iso, out, len, when_human);
}

void
when_clock_spoken(int64_t t, char *out, size_t len)
{
	struct tm tm;
	char z[16];
	int h;

	if (!when_local(t, &tm)) {
		snprintf(out, len, "?");
		return;
	}
	when_abbrev(t, z, sizeof z);
	h = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
	if (tm.tm_hour == 12 && tm.tm_min == 0)
		snprintf(out, len, "noon %s", z);
	else if (tm.tm_hour == 0 && tm.tm_min == 0)
		snprintf(out, len, "midnight %s", z);
	else if (tm.tm_min == 0)
		snprintf(out, len, "%d %s %s", h, tm.tm_hour < 12 ? "am" :
		    "pm", z);
	else
		snprintf(out, len, "%d:%02d %s %s", h, tm.tm_min,
		    tm.tm_hour < 12 ? "am" : "pm", z);
}

void
when_spoken(int64_t t, char *out, size_t len)
{
	struct tm tm;
	char day[16], month[16], clock[40];

	if (t == 0 || !when_local(t, &tm)) {
		snprintf(out, len, "?");
		return;
	}
	when_format(t, "%A", day, sizeof day);
	when_format(t, "%B", month, sizeof month);
	when_clock_spoken(t, clock, sizeof clock);
	if (this_year(&tm))
		snprintf(out, len, "%s %d %s, %s", day, tm.tm_mday, month,
		    clock);
	else
		snprintf(out, len, "%s %d %s %d, %s", day, tm.tm_mday, month,
		    tm.tm_year + 1900, clock);
}

void
when_spoken_iso(const char *iso, char *out, size_t len)
{
	from_iso(iso, out, len, when_spoken);
}

void
when_typed(int64_t t, char *out, size_t len)
{
	when_format(t, "%Y-%m-%d %H:%M", out, len);
}

int64_t
when_day_start(int64_t t)
{
	struct tm tm;
	time_t d;

	if (!when_local(t, &tm))
		return t;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	d = mktime(&tm);
	return d == (time_t)-1 ? t : (int64_t)d;
}

int64_t
when_add_days(int64_t day_start, int days)
{
	struct tm tm;
	time_t d;

	if (!when_local(day_start, &tm))
		return day_start + days * 86400LL;
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	d = mktime(&tm);
	return d == (time_t)-1 ? day_start + days * 86400LL : (int64_t)d;
}

/* One of a few buffers in turn, so several times fit in one printf. */
static char *
ring(void)
{
	static char bufs[8][80];
	static unsigned next;

	return bufs[next++ % 8];
}

const char *
when_say(const char *iso)
{
	char *b = ring();

	when_spoken_iso(iso, b, 80);
	return b;
}

const char *
when_show(const char *iso)
{
	char *b = ring();

	when_short(iso, b, 80);
	return b;
}

int
when_parse_typed(const char *s, int64_t *out)
{
	const char *p;
	struct tm tm;
	time_t wall;
	int rc = time_parse(s, TIME_TYPED, out);

	if (rc != TIME_OK)
		return rc;
	/* an explicit zone (Z, UTC, +01:00, -05:30) is taken as typed */
	for (p = s; *p == ' ' || (*p >= '0' && *p <= '9') || *p == '-'; p++)
		;
	if (strchr(p, 'Z') != NULL || strchr(p, 'z') != NULL ||
	    strstr(p, "UTC") != NULL || strchr(p, '+') != NULL ||
	    strchr(p, '-') != NULL)
		return TIME_OK;
	/* else the wall-clock time is the member's */
	wall = (time_t)*out;
	if (gmtime_r(&wall, &tm) == NULL)
		return TIME_E_SHAPE;
	tm.tm_isdst = -1;
	if ((wall = mktime(&tm)) == (time_t)-1)
		return TIME_E_RANGE;
	*out = (int64_t)wall;
	return TIME_OK;
}

/*
 * The clock time of a series, as its next year of starts show it: "2 pm
 * GMT" while the zone stays; "2 pm (GMT in winter, BST in summer)" when
 * the starts cross a clock change at the same wall time; "2 pm GMT, 3 pm
 * BST in summer" when they move on the member's clock (the series keeps
 * the server's zone, the member reads another).
 */
static void
series_clock(const char *rec, int64_t first, char *out, size_t len)
{
	char c0[40], c[40], z0[16], z[16], other[40] = "", oz[16] = "";
	int64_t tk;
	struct tm tm;
	bool moved = false, dst0;
	char *sp;

	when_clock_spoken(first, c0, sizeof c0);
	when_abbrev(first, z0, sizeof z0);
	dst0 = when_local(first, &tm) && tm.tm_isdst > 0;
	for (int64_t k = 1; k <= 53 && other[0] == '\0'; k++) {
		if ((tk = recur_nth(rec, first, k)) < 0 ||
		    tk > first + 366 * 86400LL)
			continue;
		when_abbrev(tk, z, sizeof z);
		if (strcmp(z, z0) == 0)
			continue;
		when_clock_spoken(tk, c, sizeof c);
		snprintf(other, sizeof other, "%s", c);
		snprintf(oz, sizeof oz, "%s", z);
		/* the same wall time, only the abbreviation differs? */
		sp = strrchr(c, ' ');
		moved = sp == NULL || strrchr(c0, ' ') == NULL ||
		    (size_t)(sp - c) != (size_t)(strrchr(c0, ' ') - c0) ||
		    strncmp(c, c0, (size_t)(sp - c)) != 0;
	}
	if (other[0] == '\0') {
		snprintf(out, len, "%s", c0);
		return;
	}
	if (moved) {
		snprintf(out, len, "%s, %s in %s", c0, other, dst0 ? "winter" :
		    "summer");
		return;
	}
	*strrchr(c0, ' ') = '\0';
	snprintf(out, len, "%s (%s in winter, %s in summer)", c0,
	    dst0 ? oz : z0, dst0 ? z0 : oz);
}

void
when_series_words(const char *rec, int64_t t, char *out, size_t len)
{
	struct tm tm;
	char day[16], hm[96];
	int d;
	const char *th;

	when_local(t, &tm);
	when_format(t, "%A", day, sizeof day);
	series_clock(rec, t, hm, sizeof hm);
	d = tm.tm_mday;
	th = d % 10 == 1 && d != 11 ? "st" : d % 10 == 2 && d != 12 ? "nd" :
	    d % 10 == 3 && d != 13 ? "rd" : "th";
	if (strcmp(rec, "weekly") == 0)
		snprintf(out, len, "every week, on %ss at %s", day, hm);
	else if (strcmp(rec, "fortnightly") == 0)
		snprintf(out, len, "every two weeks, on %ss at %s", day,
		    hm);
	else if (strcmp(rec, "monthly") == 0)
		snprintf(out, len, "every month on the %d%s at %s (months "
		    "without that day are skipped)", d, th, hm);
	else
		snprintf(out, len, "does not repeat");
}
