/*
 * test_timeutil.c: the ISO 8601 reader (the protocol's form and what people
 * type), checked against libc's timegm; leap years, offsets across midnight
 * and the year's end, the edges of the range, and the junk it must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common.h"

/* Unix time of a UTC date and time, by libc (the reader's oracle). */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

/* s reads as want in form. */
static void
reads(const char *s, enum time_form form, int64_t want)
{
	int64_t t = -12345;
	int rc = time_parse(s, form, &t);

	if (rc != TIME_OK)
		fail_msg("\"%s\" refused: %s", s, time_parse_error(rc));
	if (t != want)
		fail_msg("\"%s\" read as %lld, not %lld", s, (long long)t,
		    (long long)want);
}

/* s is refused in form with err, and *out is left alone. */
static void
refused(const char *s, enum time_form form, int err)
{
	int64_t t = -12345;
	int rc = time_parse(s, form, &t);

	if (rc != err)
		fail_msg("\"%s\": got %d (%s), not %d (%s)", s, rc,
		    time_parse_error(rc), err, time_parse_error(err));
	assert_int_equal(t, -12345);
}

static void
test_wire_valid(void **state)
{
	int64_t three = utc(2026, 12, 1, 15, 0, 0);

	assert_int_equal(three, 1796137200);
	reads("2026-12-01T15:00:00Z", TIME_WIRE, three);
	reads("2026-12-01T15:00Z", TIME_WIRE, three);
	reads("2026-12-01T15:00:59Z", TIME_WIRE, three + 59);
	reads("2026-12-01T16:00+01:00", TIME_WIRE, three);
	reads("2026-12-01T16:00:00+01:00", TIME_WIRE, three);
	reads("2026-12-01T09:30-05:30", TIME_WIRE, three);
	reads("2026-12-01T15:00+00:00", TIME_WIRE, three);
	reads("2026-12-01T15:00-00:00", TIME_WIRE, three);
	reads("2026-12-02T14:59+23:59", TIME_WIRE, three);
	reads("1970-01-01T00:00:00Z", TIME_WIRE, 0);
	reads("9999-12-31T23:59:59Z", TIME_WIRE, TIME_MAX);
	reads("2038-01-19T03:14:08Z", TIME_WIRE, 2147483648LL);
}

static void
test_offsets_across_midnight(void **state)
{
	/* the local date is the day after (or before) the UTC one */
	reads("2026-12-02T00:30+01:00", TIME_WIRE, utc(2026, 12, 1, 23, 30,
	    0));
	reads("2026-12-01T22:00-05:00", TIME_WIRE, utc(2026, 12, 2, 3, 0,
	    0));
	/* and the year */
	reads("2026-12-31T22:00-05:00", TIME_WIRE, utc(2027, 1, 1, 3, 0, 0));
	reads("2027-01-01T00:15+02:00", TIME_WIRE, utc(2026, 12, 31, 22, 15,
	    0));
	/* and into a leap day, and out of one */
	reads("2024-03-01T00:30+01:00", TIME_WIRE, utc(2024, 2, 29, 23, 30,
	    0));
	assert_int_equal(utc(2024, 2, 29, 23, 30, 0), 1709249400);
	reads("2024-02-29T23:30-01:00", TIME_WIRE, utc(2024, 3, 1, 0, 30,
	    0));
	/* an offset may not carry a time out of the range */
	refused("1970-01-01T00:30+01:00", TIME_WIRE, TIME_E_RANGE);
	refused("9999-12-31T23:30-01:00", TIME_WIRE, TIME_E_RANGE);
}

static void
test_leap_years(void **state)
{
	reads("2024-02-29T12:00Z", TIME_WIRE, utc(2024, 2, 29, 12, 0, 0));
	reads("2000-02-29T12:00Z", TIME_WIRE, utc(2000, 2, 29, 12, 0, 0));
	reads("2400-02-29T12:00Z", TIME_WIRE, utc(2400, 2, 29, 12, 0, 0));
	refused("2023-02-29T12:00Z", TIME_WIRE, TIME_E_DAY);
	refused("2100-02-29T12:00Z", TIME_WIRE, TIME_E_DAY);
	refused("2024-02-30T12:00Z", TIME_WIRE, TIME_E_DAY);
	assert_int_equal(time_month_days(2024, 2), 29);
	assert_int_equal(time_month_days(2023, 2), 28);
	assert_int_equal(time_month_days(2000, 2), 29);
	assert_int_equal(time_month_days(1900, 2), 28);
	assert_int_equal(time_month_days(2026, 1), 31);
	assert_int_equal(time_month_days(2026, 4), 30);
	assert_int_equal(time_month_days(2026, 12), 31);
}

static void
test_wire_refused(void **state)
{
	refused("", TIME_WIRE, TIME_E_SHAPE);
	refused("tomorrow", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T15Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01 15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01t15:00z", TIME_WIRE, TIME_E_SHAPE);
	refused(" 2026-12-01T15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-1-01T15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-1T15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T9:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T15:0Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T15:00:0Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T15:000Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T15:00:00.5Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026-12-01T15:00:00,5Z", TIME_WIRE, TIME_E_SHAPE);
	refused("20261201T150000Z", TIME_WIRE, TIME_E_SHAPE);
	refused("+2026-12-01T15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("12026-12-01T15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("2026/12/01T15:00Z", TIME_WIRE, TIME_E_SHAPE);
	refused("1969-12-31T23:59:59Z", TIME_WIRE, TIME_E_YEAR);
	refused("0000-01-01T00:00Z", TIME_WIRE, TIME_E_YEAR);
	refused("2026-13-01T15:00Z", TIME_WIRE, TIME_E_MONTH);
	refused("2026-00-01T15:00Z", TIME_WIRE, TIME_E_MONTH);
	refused("2026-12-00T15:00Z", TIME_WIRE, TIME_E_DAY);
	refused("2026-12-32T15:00Z", TIME_WIRE, TIME_E_DAY);
	refused("2026-04-31T15:00Z", TIME_WIRE, TIME_E_DAY);
	refused("2026-02-31T10:00Z", TIME_WIRE, TIME_E_DAY);
	refused("2026-12-01T24:00Z", TIME_WIRE, TIME_E_HOUR);
	refused("2026-12-01T24:00:00Z", TIME_WIRE, TIME_E_HOUR);
	refused("2026-12-01T99:00Z", TIME_WIRE, TIME_E_HOUR);
	refused("2026-12-01T15:60Z", TIME_WIRE, TIME_E_MINUTE);
	refused("2026-12-01T15:00:60Z", TIME_WIRE, TIME_E_SECOND);
	refused("2026-12-01T15:00", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00:00", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00 UTC", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00+01", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00+0100", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00+1:00", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00z", TIME_WIRE, TIME_E_ZONE);
	refused("2026-12-01T15:00+24:00", TIME_WIRE, TIME_E_OFFSET);
	refused("2026-12-01T15:00-01:60", TIME_WIRE, TIME_E_OFFSET);
	refused("2026-12-01T15:00:00Zjunk", TIME_WIRE, TIME_E_TRAILING);
	refused("2026-12-01T15:00:00Z ", TIME_WIRE, TIME_E_TRAILING);
	refused("2026-12-01T15:00+01:00:00", TIME_WIRE, TIME_E_TRAILING);
	refused("2026-12-01T15:00+01:00Z", TIME_WIRE, TIME_E_TRAILING);
}

static void
test_typed(void **state)
{
	int64_t three = utc(2026, 12, 1, 15, 0, 0);

	/* what the forms and the line mode have always taken */
	reads("2026-12-01 15:00", TIME_TYPED, three);
	reads("2026-12-01T15:00", TIME_TYPED, three);
	reads("  2026-12-01 15:00", TIME_TYPED, three);
	reads("2026-12-01   15:00", TIME_TYPED, three);
	reads("2026-12-01 15:00:00Z", TIME_TYPED, three);
	reads("2026-12-01 16:00+01:00", TIME_TYPED, three);
	reads("2026-12-1 15:00", TIME_TYPED, three);
	reads("2026-12-01 9:05", TIME_TYPED, utc(2026, 12, 1, 9, 5, 0));
	reads("2026-3-7 9:05", TIME_TYPED, utc(2026, 3, 7, 9, 5, 0));
	/* and now also */
	reads("2026-12-01 15:00  ", TIME_TYPED, three);
	reads("2026-12-01 15:00 UTC", TIME_TYPED, three);
	reads("2026-12-01 15:00 utc", TIME_TYPED, three);
	reads("2026-12-01 15:00z", TIME_TYPED, three);
	reads("2026-12-01t15:00", TIME_TYPED, three);
	reads("2026-12-01 16:00 +01:00", TIME_TYPED, three);
	reads("2026-12-01 16:00 +0100", TIME_TYPED, three);
	reads("2026-12-02 00:30 +01:00", TIME_TYPED, utc(2026, 12, 1, 23, 30,
	    0));
	reads("\t2026-12-01 15:00\t", TIME_TYPED, three);
	/* but not junk */
	refused("", TIME_TYPED, TIME_E_SHAPE);
	refused("   ", TIME_TYPED, TIME_E_SHAPE);
	refused("next tuesday", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01 ", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01 15", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01 9:5", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01 15:00:5", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01 15.00", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-01T 15:00", TIME_TYPED, TIME_E_SHAPE);
	refused("26-12-01 15:00", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-12-001 15:00", TIME_TYPED, TIME_E_SHAPE);
	refused("2026-02-30 10:00", TIME_TYPED, TIME_E_DAY);
	refused("2026-12-01 24:00", TIME_TYPED, TIME_E_HOUR);
	refused("2026-12-01 15:61", TIME_TYPED, TIME_E_MINUTE);
	refused("2026-12-01 15:00 tomorrow", TIME_TYPED, TIME_E_TRAILING);
	refused("2026-12-01 15:00 pm", TIME_TYPED, TIME_E_TRAILING);
	refused("2026-12-01 15:00 UTC+1", TIME_TYPED, TIME_E_TRAILING);
	refused("2026-12-01 15:00 Z Z", TIME_TYPED, TIME_E_TRAILING);
	refused("2026-12-01 15:00 +1", TIME_TYPED, TIME_E_ZONE);
	refused("2026-12-01 15:00 UT", TIME_TYPED, TIME_E_ZONE);
	refused("2026-12-01 15:00 +25:00", TIME_TYPED, TIME_E_OFFSET);
}

static void
test_round_trip(void **state)
{
	char iso[32];
	int64_t t, back;

	/* every 31,000,093 seconds (a year or so) from 1970 to 9999 */
	for (t = 0; t <= TIME_MAX; t += 1000003LL * 31) {
		time_iso8601(t, iso);
		assert_int_equal(time_parse(iso, TIME_WIRE, &back), TIME_OK);
		assert_int_equal(back, t);
	}
	time_iso8601(TIME_MAX, iso);
	assert_string_equal(iso, "9999-12-31T23:59:59Z");
	/* time_from_utc agrees with libc on every day of a leap year */
	for (int mo = 1; mo <= 12; mo++) {
		for (int d = 1; d <= time_month_days(2028, mo); d++)
			assert_int_equal(time_from_utc(2028, mo, d, 13, 7, 9),
			    utc(2028, mo, d, 13, 7, 9));
	}
}

static void
test_from_iso8601(void **state)
{
	assert_int_equal(time_from_iso8601("2026-12-01T15:00:00Z"),
	    1796137200);
	assert_int_equal(time_from_iso8601("2026-12-01T16:00+01:00"),
	    1796137200);
	assert_int_equal(time_from_iso8601("2026-12-01 15:00"), 0);
	assert_int_equal(time_from_iso8601("2026-02-30T15:00Z"), 0);
	assert_int_equal(time_from_iso8601(""), 0);
	assert_int_equal(time_from_iso8601(NULL), 0);
}

static void
test_error_words(void **state)
{
	for (int a = TIME_E_SHAPE; a <= TIME_E_RANGE; a++) {
		assert_true(strlen(time_parse_error(a)) > 10);
		for (int b = TIME_E_SHAPE; b < a; b++)
			assert_string_not_equal(time_parse_error(a),
			    time_parse_error(b));
	}
	assert_non_null(time_parse_error(-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_valid),
		cmocka_unit_test(test_offsets_across_midnight),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_wire_refused),
		cmocka_unit_test(test_typed),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_from_iso8601),
		cmocka_unit_test(test_error_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
