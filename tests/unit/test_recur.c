/*
 * test_recur.c: the recurrence rules events use (none, weekly, fortnightly,
 * monthly): the k-th start, the next start at or after a time, the one not
 * yet over, the starts in a window, monthly series on days some months lack
 * (the 29th, 30th, 31st), times given with offsets around a change of
 * summer time, and the end of a series.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

#define DAY 86400LL
#define WEEK (7 * DAY)

/* A wire time that must read. */
static int64_t
at(const char *iso)
{
	int64_t t;

	if (time_parse(iso, TIME_WIRE, &t) != TIME_OK)
		fail_msg("test time \"%s\" does not read", iso);
	return t;
}

/* t as ISO 8601, for comparing with what a person would write. */
static const char *
iso(int64_t t)
{
	static char out[4][32];
	static int i;

	i = (i + 1) % 4;
	if (t < 0)
		return "-1";
	time_iso8601(t, out[i]);
	return out[i];
}

static void
test_words(void **state)
{
	size_t n = 0;

	while (recur_rules[n] != NULL)
		assert_true(recur_valid(recur_rules[n++]));
	assert_int_equal(n, 4);
	assert_string_equal(recur_rules[0], "none");
	assert_false(recur_valid("Weekly"));
	assert_false(recur_valid("daily"));
	assert_false(recur_valid(""));
	assert_false(recur_valid(NULL));
	assert_false(recur_repeats("none"));
	assert_false(recur_repeats("daily"));
	assert_true(recur_repeats("weekly"));
	assert_true(recur_repeats("fortnightly"));
	assert_true(recur_repeats("monthly"));
	assert_null(recur_rrule("none"));
	assert_null(recur_rrule("yearly"));
	assert_string_equal(recur_rrule("weekly"), "FREQ=WEEKLY");
	assert_string_equal(recur_rrule("fortnightly"),
	    "FREQ=WEEKLY;INTERVAL=2");
	assert_string_equal(recur_rrule("monthly"), "FREQ=MONTHLY");
}

static void
test_none(void **state)
{
	int64_t first = at("2026-12-01T15:00:00Z"), out[4];

	assert_int_equal(recur_nth("none", first, 0), first);
	assert_int_equal(recur_nth("none", first, 1), -1);
	assert_int_equal(recur_next("none", first, first - 1), first);
	assert_int_equal(recur_next("none", first, first), first);
	assert_int_equal(recur_next("none", first, first + 1), -1);
	/* running until its end, then over */
	assert_int_equal(recur_upcoming("none", first, 3600, first + 3599),
	    first);
	assert_int_equal(recur_upcoming("none", first, 3600, first + 3600),
	    -1);
	assert_int_equal(recur_between("none", first, first - DAY,
	    first + DAY, out, 4), 1);
	assert_int_equal(out[0], first);
	assert_int_equal(recur_between("none", first, first + 1, first + DAY,
	    out, 4), 0);
	/* a word that is not a rule repeats never */
	assert_int_equal(recur_next("daily", first, first + 1), -1);
}

static void
test_weekly(void **state)
{
	int64_t first = at("2026-12-01T15:00:00Z"), out[8];

	assert_int_equal(recur_nth("weekly", first, 3), first + 3 * WEEK);
	assert_int_equal(recur_next("weekly", first, first + 1), first +
	    WEEK);
	assert_int_equal(recur_next("weekly", first, first + WEEK), first +
	    WEEK);
	assert_int_equal(recur_next("weekly", first, first + 52 * WEEK - 5),
	    first + 52 * WEEK);
	assert_int_equal(recur_nth("fortnightly", first, 3), first +
	    6 * WEEK);
	assert_int_equal(recur_next("fortnightly", first, first + WEEK),
	    first + 2 * WEEK);
	/* the occurrence under way is the upcoming one until it ends */
	assert_int_equal(recur_upcoming("weekly", first, 5400, first + WEEK +
	    5399), first + WEEK);
	assert_int_equal(recur_upcoming("weekly", first, 5400, first + WEEK +
	    5400), first + 2 * WEEK);
	assert_int_equal(recur_upcoming("weekly", first, 5400, first - DAY),
	    first);
	/* a window: [from, to) */
	assert_int_equal(recur_between("weekly", first, first, first +
	    4 * WEEK, out, 8), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], first + i * WEEK);
	assert_int_equal(recur_between("weekly", first, first + 1, first +
	    4 * WEEK + 1, out, 8), 4);
	assert_int_equal(out[0], first + WEEK);
	assert_int_equal(out[3], first + 4 * WEEK);
	/* at most max */
	assert_int_equal(recur_between("weekly", first, first, first +
	    100 * WEEK, out, 3), 3);
	assert_int_equal(out[2], first + 2 * WEEK);
	/* a calendar week before the series has nothing */
	assert_int_equal(recur_between("weekly", first, first - WEEK, first,
	    out, 8), 0);
}

/* The starts of a monthly series within a year, as text. */
static void
monthly_year(const char *first, int year, const char *want)
{
	char from[32], to[32], got[400] = "";
	int64_t out[16];
	size_t n;

	snprintf(from, sizeof from, "%04d-01-01T00:00:00Z", year);
	snprintf(to, sizeof to, "%04d-01-01T00:00:00Z", year + 1);
	n = recur_between("monthly", at(first), at(from), at(to), out, 16);
	for (size_t i = 0; i < n; i++) {
		strcat(got, i ? " " : "");
		strncat(got, iso(out[i]) + 5, 5);
	}
	assert_string_equal(got, want);
}

static void
test_monthly_month_end(void **state)
{
	int64_t first = at("2026-01-31T10:00:00Z");

	/* the 31st: seven months a year, like RRULE */
	monthly_year("2026-01-31T10:00:00Z", 2026,
	    "01-31 03-31 05-31 07-31 08-31 10-31 12-31");
	monthly_year("2026-01-31T10:00:00Z", 2027,
	    "01-31 03-31 05-31 07-31 08-31 10-31 12-31");
	assert_int_equal(recur_nth("monthly", first, 1), -1); /* February */
	assert_string_equal(iso(recur_nth("monthly", first, 2)),
	    "2026-03-31T10:00:00Z");
	/* from inside February, the next is 31 March */
	assert_string_equal(iso(recur_next("monthly", first,
	    at("2026-02-01T00:00:00Z"))), "2026-03-31T10:00:00Z");
	assert_string_equal(iso(recur_next("monthly", first,
	    at("2026-03-31T10:00:01Z"))), "2026-05-31T10:00:00Z");
	/* the 30th: every month but February */
	monthly_year("2026-01-30T08:15:00Z", 2026,
	    "01-30 03-30 04-30 05-30 06-30 07-30 08-30 09-30 10-30 11-30 "
	    "12-30");
	/* the 29th: February only in leap years */
	monthly_year("2026-01-29T08:15:00Z", 2027,
	    "01-29 03-29 04-29 05-29 06-29 07-29 08-29 09-29 10-29 11-29 "
	    "12-29");
	monthly_year("2026-01-29T08:15:00Z", 2028,
	    "01-29 02-29 03-29 04-29 05-29 06-29 07-29 08-29 09-29 10-29 "
	    "11-29 12-29");
	/* the 28th: every month */
	monthly_year("2026-05-28T23:59:59Z", 2026,
	    "05-28 06-28 07-28 08-28 09-28 10-28 11-28 12-28");
}

static void
test_monthly(void **state)
{
	int64_t first = at("2026-01-15T09:30:00Z");

	/* the time of day stays, across the year's end too */
	assert_string_equal(iso(recur_next("monthly", first,
	    at("2026-06-20T00:00:00Z"))), "2026-07-15T09:30:00Z");
	assert_string_equal(iso(recur_next("monthly", first,
	    at("2026-07-15T09:30:00Z"))), "2026-07-15T09:30:00Z");
	assert_string_equal(iso(recur_next("monthly", first,
	    at("2026-12-15T09:30:01Z"))), "2027-01-15T09:30:00Z");
	assert_string_equal(iso(recur_nth("monthly", first, 12 * 10 + 1)),
	    "2036-02-15T09:30:00Z");
	/* under way until its end */
	assert_string_equal(iso(recur_upcoming("monthly", first, 3600,
	    at("2026-03-15T10:29:59Z"))), "2026-03-15T09:30:00Z");
	assert_string_equal(iso(recur_upcoming("monthly", first, 3600,
	    at("2026-03-15T10:30:00Z"))), "2026-04-15T09:30:00Z");
}

static void
test_offsets(void **state)
{
	/*
	 * Times are kept in UTC: a weekly event set for 19:00 in Paris in
	 * winter (+01:00) stays at 18:00 UTC after the clocks change on 29
	 * March 2026, which is 20:00 there in summer.
	 */
	int64_t first = at("2026-03-26T19:00+01:00");

	assert_string_equal(iso(first), "2026-03-26T18:00:00Z");
	assert_int_equal(recur_next("weekly", first, first + 1),
	    at("2026-04-02T20:00+02:00"));
	/* a monthly one set late on the 31st east of UTC is on the 30th UTC */
	first = at("2026-01-31T00:30+01:00");
	assert_string_equal(iso(first), "2026-01-30T23:30:00Z");
	assert_string_equal(iso(recur_nth("monthly", first, 2)),
	    "2026-03-30T23:30:00Z");
	assert_int_equal(recur_nth("monthly", first, 1), -1);
}

static void
test_series_end(void **state)
{
	int64_t first = at("2026-12-01T15:00:00Z"), out[8];

	assert_int_equal(recur_end("none", first, 3600), first + 3600);
	assert_int_equal(recur_end("weekly", first, 3600), TIME_MAX);
	assert_int_equal(recur_end("monthly", first, 3600), TIME_MAX);
	assert_int_equal(recur_end("daily", first, 3600), first + 3600);
	/* no occurrence after the last second we know */
	first = at("9999-12-17T12:00:00Z");
	assert_string_equal(iso(recur_next("weekly", first, first + 1)),
	    "9999-12-24T12:00:00Z");
	assert_string_equal(iso(recur_next("weekly", first, first + WEEK +
	    1)), "9999-12-31T12:00:00Z");
	assert_int_equal(recur_next("weekly", first, first + 2 * WEEK + 1),
	    -1);
	assert_string_equal(iso(recur_next("fortnightly", first, first + 1)),
	    "9999-12-31T12:00:00Z");
	assert_int_equal(recur_next("fortnightly", first, first + 2 * WEEK +
	    1), -1);
	assert_int_equal(recur_nth("weekly", first, 3), -1);
	assert_int_equal(recur_nth("weekly", first, INT64_MAX / 2), -1);
	assert_int_equal(recur_next("weekly", first, TIME_MAX + 1), -1);
	assert_int_equal(recur_between("weekly", first, first, INT64_MAX,
	    out, 8), 3);
	assert_int_equal(recur_upcoming("weekly", first, 3600,
	    at("9999-12-31T12:59:59Z")), at("9999-12-31T12:00:00Z"));
	assert_int_equal(recur_upcoming("weekly", first, 3600,
	    at("9999-12-31T13:00:00Z")), -1);
	first = at("9999-10-31T12:00:00Z");
	assert_string_equal(iso(recur_next("monthly", first, first + 1)),
	    "9999-12-31T12:00:00Z");
	assert_int_equal(recur_next("monthly", first,
	    at("9999-12-31T12:00:01Z")), -1);
	assert_int_equal(recur_nth("monthly", first, 3), -1);
	assert_int_equal(recur_between("monthly", first, first, INT64_MAX,
	    out, 8), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_weekly),
		cmocka_unit_test(test_monthly_month_end),
		cmocka_unit_test(test_monthly),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_series_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
