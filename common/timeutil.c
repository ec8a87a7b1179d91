/*
 * timeutil.c: clocks, ISO 8601, durations, and the shapes of names
 * (handles, slugs).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"

int64_t
now_unix(void)
{
	return (int64_t)time(NULL);
}

/* Milliseconds on the monotonic clock, for timeouts and rates. */
uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* strftime t (UTC) into out; false if it cannot be shown. */
static bool
time_format(int64_t t, const char *fmt, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	return gmtime_r(&tt, &tm) != NULL && strftime(out, 32, fmt, &tm) != 0;
}

/* Format t as UTC "2026-11-21T22:50:01Z". */
void
time_iso8601(int64_t t, char out[32])
{
	if (!time_format(t, "%Y-%m-%dT%H:%M:%SZ", out))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

json_t *
time_json(int64_t t)
{
	char buf[32];

	if (t <= 0)
		return json_null();
	time_iso8601(t, buf);
	return json_string(buf);
}

/* Format t for people, in UTC: "Sun 6 Dec 14:00 UTC". */
void
time_human(int64_t t, char out[32])
{
	if (!time_format(t, "%a %e %b %H:%M UTC", out))
		snprintf(out, 32, "?");
	else if (out[4] == ' ') /* %e pads a one-digit day */
		memmove(out + 4, out + 5, strlen(out + 5) + 1);
}

/* True for the Gregorian leap years. */
static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month mo (1-12) of year y. */
int
time_month_days(int y, int mo)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (mo == 2 && leap_year(y))
		return 29;
	return days[mo - 1];
}

/* Days from 0001-01-01 to 1 January of year y. */
static int64_t
days_before_year(int y)
{
	int64_t n = y - 1;

	return n * 365 + n / 4 - n / 100 + n / 400;
}

int64_t
time_from_utc(int y, int mo, int d, int h, int mi, int s)
{
	int64_t days = days_before_year(y) - days_before_year(1970);

	for (int m = 1; m < mo; m++)
		days += time_month_days(y, m);
	days += d - 1;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

/* Read between min and max digits at *p into *v; false if fewer. */
static bool
digits(const char **p, int min, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && isdigit((unsigned char)(*p)[n])) {
		*v = *v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n < min)
		return false;
	*p += n;
	return true;
}

static void
skip_blanks(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/*
 * The zone at *p into *offset (seconds east of UTC). Z, or +HH:MM and
 * -HH:MM; typed also takes z, UTC in any case, and +HHMM. Returns
 * TIME_OK, TIME_E_ZONE when there is no zone or it is malformed, or
 * TIME_E_OFFSET when it is out of range.
 */
static int
read_zone(const char **p, bool typed, int *offset)
{
	int sign, oh, om;

	*offset = 0;
	if (**p == 'Z' || (typed && **p == 'z')) {
		(*p)++;
		return TIME_OK;
	}
	if (typed && strncasecmp(*p, "UTC", 3) == 0) {
		*p += 3;
		return TIME_OK;
	}
	if (**p != '+' && **p != '-')
		return TIME_E_ZONE;
	sign = **p == '+' ? 1 : -1;
	(*p)++;
	if (!digits(p, 2, 2, &oh))
		return TIME_E_ZONE;
	if (**p == ':')
		(*p)++;
	else if (!typed)
		return TIME_E_ZONE;
	if (!digits(p, 2, 2, &om))
		return TIME_E_ZONE;
	if (oh > 23 || om > 59)
		return TIME_E_OFFSET;
	*offset = sign * (oh * 3600 + om * 60);
	return TIME_OK;
}

/*
 * The one ISO 8601 reader. TIME_WIRE takes exactly what the protocol
 * carries, YYYY-MM-DDTHH:MM[:SS] then Z or an offset +HH:MM / -HH:MM.
 * TIME_TYPED takes that and what people type: blanks around it, a space
 * (or t) for the T, a one-digit month, day or hour, and no zone (UTC).
 * Both refuse days a month does not have, hours past 23, minutes or
 * seconds past 59, years outside 1970-9999 and anything after the time.
 */
int
time_parse(const char *s, enum time_form form, int64_t *out)
{
	bool typed = form == TIME_TYPED;
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, offset = 0, rc;
	int64_t t;

	if (typed)
		skip_blanks(&p);
	if (!digits(&p, 4, 4, &y) || *p++ != '-' ||
	    !digits(&p, typed ? 1 : 2, 2, &mo) || *p++ != '-' ||
	    !digits(&p, typed ? 1 : 2, 2, &d))
		return TIME_E_SHAPE;
	if (*p == 'T' || (typed && *p == 't'))
		p++;
	else if (typed && *p == ' ')
		skip_blanks(&p);
	else
		return TIME_E_SHAPE;
	if (!digits(&p, typed ? 1 : 2, 2, &h) || *p++ != ':' ||
	    !digits(&p, 2, 2, &mi))
		return TIME_E_SHAPE;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, 2, &sec))
			return TIME_E_SHAPE;
	}
	if (isdigit((unsigned char)*p) || *p == '.' || *p == ',' ||
	    *p == ':')
		return TIME_E_SHAPE; /* a third digit, fractions */
	if (y < 1970 || y > 9999)
		return TIME_E_YEAR;
	if (mo < 1 || mo > 12)
		return TIME_E_MONTH;
	if (d < 1 || d > time_month_days(y, mo))
		return TIME_E_DAY;
	if (h > 23)
		return TIME_E_HOUR;
	if (mi > 59)
		return TIME_E_MINUTE;
	if (sec > 59)
		return TIME_E_SECOND;
	if (typed)
		skip_blanks(&p);
	if (typed && *p == '\0')
		offset = 0; /* people type UTC */
	else if (typed && strchr("Zz+-Uu", *p) == NULL)
		return TIME_E_TRAILING;
	else if ((rc = read_zone(&p, typed, &offset)) != TIME_OK)
		return rc;
	if (typed)
		skip_blanks(&p);
	if (*p != '\0')
		return TIME_E_TRAILING;
	t = time_from_utc(y, mo, d, h, mi, sec) - offset;
	if (t < 0 || t > TIME_MAX)
		return TIME_E_RANGE;
	*out = t;
	return TIME_OK;
}

const char *
time_parse_error(int err)
{
	switch (err) {
	case TIME_OK:
		return "a date and time";
	case TIME_E_SHAPE:
		return "not a date and time";
	case TIME_E_YEAR:
		return "the year must be 1970 to 9999";
	case TIME_E_MONTH:
		return "the month must be 1 to 12";
	case TIME_E_DAY:
		return "that month has no such day";
	case TIME_E_HOUR:
		return "the hour must be 0 to 23";
	case TIME_E_MINUTE:
		return "the minutes must be 00 to 59";
	case TIME_E_SECOND:
		return "the seconds must be 00 to 59";
	case TIME_E_ZONE:
		return "the zone must be Z or like +01:00";
	case TIME_E_OFFSET:
		return "the offset must be -23:59 to +23:59";
	case TIME_E_TRAILING:
		return "there is more after the time";
	case TIME_E_RANGE:
		return "in UTC it is outside 1970 to 9999";
	}
	return "not a date and time";
}

/* A time from the protocol as Unix time; 0 if it is not one. */
int64_t
time_from_iso8601(const char *s)
{
	int64_t t;

	return s != NULL && time_parse(s, TIME_WIRE, &t) == TIME_OK ? t : 0;
}

/* Seconds in "90s", "15m", "12h", "7d", "2w" or "3600" (the number < 100y). */
int64_t
parse_duration(const char *s)
{
	char *end;
	long long n;
	int64_t mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || n < 0 || n > 100LL * 365 * 86400)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0')
			return -1;
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 7 * 86400; break;
		default: return -1;
		}
	}
	return (int64_t)n * mult;
}

bool
handle_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n < 2 || n > 32 || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '-'))
			return false;
	return true;
}

/* True if s is a valid slug: 2-40 of [a-z0-9-], from a letter, no '-' last. */
bool
slug_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n < 2 || n > 40 || !(*s >= 'a' && *s <= 'z') || s[n - 1] == '-')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return false;
	return true;
}
