/*
 * recur.c: how events repeat. A rule is one of the words events carry in
 * the protocol and the database: none, weekly, fortnightly, monthly.
 * Weekly and fortnightly series repeat every 7 or 14 days at the same
 * wall-clock time of the series' zone (recur_zone: the server's `timezone`
 * setting; UTC until one is given), so a 14:00 GMT drop-in is at 14:00 BST
 * in summer; monthly ones on the same day of the month at the same
 * wall-clock time, skipping months without that day, as RFC 5545's
 * RRULE:FREQ=MONTHLY does (a series on the 31st meets seven months a
 * year). A wall-clock time a spring-forward skips is read as the hour
 * after; one a fall-back repeats as its second (standard time) instance.
 * No series goes past TIME_MAX. The server (event lists, reminders,
 * iCalendar) and the client (the programme's week) read series only
 * through here.
 *
 * A word that is not a rule (recur_valid says so) is read as "none".
 */
#include <string.h>
#include <time.h>

#include "common.h"

const char *const recur_rules[] = { "none", "weekly", "fortnightly",
	"monthly", NULL };

/* What each of recur_rules means, in the same order. */
struct rule {
	int64_t period;	/* seconds between starts; 0: by months or none */
	int months;	/* months between starts; 0: by period or none */
	const char *rrule;
};

static const struct rule rules[] = {
	{ 0, 0, NULL },				/* none */
	{ 7 * 86400, 0, "FREQ=WEEKLY" },		/* weekly */
	{ 14 * 86400, 0, "FREQ=WEEKLY;INTERVAL=2" },	/* fortnightly */
	{ 0, 1, "FREQ=MONTHLY" },			/* monthly */
};
_Static_assert(sizeof rules / sizeof rules[0] + 1 ==
    sizeof recur_rules / sizeof recur_rules[0], "a meaning for each rule");

/* Seconds east of UTC of the series' zone at t; NULL: UTC. */
static int32_t (*zone_off)(int64_t t);

void
recur_zone(int32_t (*off)(int64_t t))
{
	zone_off = off;
}

/* Wall-clock time of t in the zone, counted as if it were UTC. */
static int64_t
to_local(int64_t t)
{
	return zone_off != NULL ? t + zone_off(t) : t;
}

/* The instant of wall-clock time l in the zone (see the top). */
static int64_t
to_utc(int64_t l)
{
	int64_t t;

	if (zone_off == NULL)
		return l;
	t = l - zone_off(l);
	return l - zone_off(t);
}

/* The rule named word, or NULL. */
static const struct rule *
rule_find(const char *word)
{
	for (size_t i = 0; word != NULL && recur_rules[i] != NULL; i++) {
		if (strcmp(word, recur_rules[i]) == 0)
			return &rules[i];
	}
	return NULL;
}

/* The rule named word; "none" for anything else. */
static const struct rule *
rule_of(const char *word)
{
	const struct rule *r = rule_find(word);

	return r != NULL ? r : &rules[0];
}

bool
recur_valid(const char *word)
{
	return rule_find(word) != NULL;
}

bool
recur_repeats(const char *word)
{
	return rule_of(word) != &rules[0];
}

const char *
recur_rrule(const char *word)
{
	return rule_of(word)->rrule;
}

/* A series' first start taken apart: month count since year 0, day, time. */
struct first {
	int64_t month;	/* year * 12 + month - 1 */
	int mday;
	int64_t sod;	/* seconds into the day */
};

static void
first_split(int64_t first, struct first *f)
{
	time_t t = (time_t)first;
	struct tm tm;

	gmtime_r(&t, &tm);
	f->month = (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
	f->mday = tm.tm_mday;
	f->sod = first - time_from_utc(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, 0, 0, 0);
}

/* The last month index a series may reach (December 9999). */
#define LAST_MONTH (9999LL * 12 + 11)

/* Start of month-slot k of a monthly series; -1 if that month lacks it. */
static int64_t
month_slot(const struct first *f, int64_t k)
{
	int64_t m = f->month + k;
	int y = (int)(m / 12), mo = (int)(m % 12) + 1;

	if (m > LAST_MONTH || f->mday > time_month_days(y, mo))
		return -1;
	return time_from_utc(y, mo, f->mday, 0, 0, 0) + f->sod;
}

/* Start of slot k in wall-clock terms (see to_local); -1 if none. */
static int64_t
nth_local(const struct rule *r, int64_t lfirst, int64_t k)
{
	struct first f;

	if (k == 0)
		return lfirst;
	if (r->period > 0)
		return k <= (TIME_MAX - lfirst) / r->period ?
		    lfirst + k * r->period : -1;
	if (r->months == 0 || k > LAST_MONTH)
		return -1;
	first_split(lfirst, &f);
	return month_slot(&f, k);
}

int64_t
recur_nth(const char *word, int64_t first, int64_t k)
{
	int64_t l, t;

	if (k < 0 || first < 0 || first > TIME_MAX)
		return -1;
	if (k == 0)
		return first;
	if ((l = nth_local(rule_of(word), to_local(first), k)) < 0)
		return -1;
	t = to_utc(l);
	return t >= 0 && t <= TIME_MAX ? t : -1;
}

int64_t
recur_next(const char *word, int64_t first, int64_t at)
{
	const struct rule *r = rule_of(word);
	struct first f;
	time_t a;
	struct tm tm;
	int64_t k, t, lfirst, lat;

	if (first < 0 || first > TIME_MAX)
		return -1;
	if (at <= first)
		return first;
	if (at > TIME_MAX)
		return -1;
	lfirst = to_local(first);
	lat = to_local(at);
	if (r->period > 0) {
		/* a slot or so early: zone offsets differ by less than one */
		k = lat > lfirst ? (lat - lfirst) / r->period : 0;
		k = k > 0 ? k - 1 : 0;
		for (int i = 0; i < 4; i++, k++) {
			t = recur_nth(word, first, k);
			if (t < 0 || t >= at)
				return t;
		}
		return -1;
	}
	if (r->months == 0)
		return -1;
	/* From the month before at's on: at most two lack a day in a row. */
	first_split(lfirst, &f);
	a = (time_t)lat;
	gmtime_r(&a, &tm);
	k = (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon - f.month - 1;
	for (k = k > 0 ? k : 0; f.month + k <= LAST_MONTH; k++) {
		if ((t = month_slot(&f, k)) >= 0 && (t = to_utc(t)) >= at)
			return t <= TIME_MAX ? t : -1;
	}
	return -1;
}

int64_t
recur_upcoming(const char *word, int64_t first, int64_t duration,
    int64_t now)
{
	return recur_next(word, first, now - (duration > 0 ? duration : 0) +
	    1);
}

size_t
recur_between(const char *word, int64_t first, int64_t from, int64_t to,
    int64_t *out, size_t max)
{
	size_t n = 0;
	int64_t t = recur_next(word, first, from);

	while (t >= 0 && t < to && n < max) {
		out[n++] = t;
		t = recur_next(word, first, t + 1);
	}
	return n;
}

int64_t
recur_end(const char *word, int64_t first, int64_t duration)
{
	return recur_repeats(word) ? TIME_MAX : first + duration;
}
