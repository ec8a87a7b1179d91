/*
 * timeutil.c: clocks, ISO 8601, durations, and the shapes of names
 * (handles, slugs).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Format t for people, in UTC: "Sun 6 Dec 14:00 UTC". */
void
time_human(int64_t t, char out[32])
{
	if (!time_format(t, "%a %e %b %H:%M UTC", out))
		snprintf(out, 32, "?");
	else if (out[4] == ' ') /* %e pads a one-digit day */
		memmove(out + 4, out + 5, strlen(out + 5) + 1);
}

/* "2026-11-24T15:00:00Z" as seconds since the epoch (0 if unreadable). */
int64_t
time_from_iso8601(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec = 0;

	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) < 5)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
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
