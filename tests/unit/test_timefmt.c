#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timefmt.h"
#include "util.h"

/* 2024-02-29T00:00:00Z */
#define LEAP_DAY_MS	INT64_C(1709164800000)

static int64_t
parse_ok(const char *s)
{
	int64_t ms = -12345;

	assert_int_equal(timefmt_parse(s, &ms), 0);
	return ms;
}

static void
test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2024-02-29"), LEAP_DAY_MS);
	assert_int_equal(parse_ok("2024-02-29T12:34:56Z"),
	    LEAP_DAY_MS + (12 * 3600 + 34 * 60 + 56) * 1000);
	assert_int_equal(parse_ok("2024-02-29 12:34:56"),
	    LEAP_DAY_MS + (12 * 3600 + 34 * 60 + 56) * 1000);
	assert_int_equal(parse_ok("2024-02-29T12:34:56.789Z"),
	    LEAP_DAY_MS + (12 * 3600 + 34 * 60 + 56) * 1000 + 789);
	assert_int_equal(parse_ok("1970-01-01"), 0);
	assert_int_equal(parse_ok("2000-01-01T00:00:00Z"),
	    INT64_C(946684800000));
	assert_int_equal(parse_ok("1709164800000"), LEAP_DAY_MS);
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"),
	    INT64_C(253402300799999));
}

static void
test_leap_days(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(timefmt_parse("2024-02-29", &ms), 0);
	assert_int_equal(timefmt_parse("2000-02-29", &ms), 0);
	assert_int_equal(timefmt_parse("2023-02-29", &ms), -1);
	assert_int_equal(timefmt_parse("1900-02-29", &ms), -1);
	assert_int_equal(timefmt_parse("2100-02-29", &ms), -1);
	assert_int_equal(timefmt_parse("2024-02-30", &ms), -1);
	assert_int_equal(timefmt_parse("2024-04-31", &ms), -1);
	assert_int_equal(timefmt_parse("2024-04-30", &ms), 0);
	assert_int_equal(timefmt_parse("2024-12-31", &ms), 0);
}

static void
test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "-5", "+5", "5 ", " 5", "12a", "0x10",
		"99999999999999999999",		/* over int64 */
		"2024-2-29", "24-02-29", "2024/02/29", "2024-02-29x",
		" 2024-02-29", "2024-02-29 ", "2024-02-29T",
		"2024-02-29T12:34:56",		/* ISO without Z: local */
		"2024-02-29T12:34Z", "2024-02-29T12:34:56z",
		"2024-02-29 12:34:56Z", "2024-02-29T12:34:56.78Z",
		"2024-02-29T12:34:56.7890Z", "2024-02-29T12:34:56+07:00",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
		"2024-02-29T24:00:00Z", "2024-02-29T12:60:00Z",
		"2024-02-29T12:00:60Z", "1969-12-31", "0000-01-01",
		"2024-02-29\n", "2024-02-29\t",
	};
	int64_t ms = 42;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		if (timefmt_parse(bad[i], &ms) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
	/* Four digits alone are a count of milliseconds, not a year. */
	assert_int_equal(parse_ok("2024"), 2024);
	assert_int_equal(timefmt_parse(NULL, &ms), -1);
	assert_int_equal(ms, 42);
}

static void
test_format(void **state)
{
	char buf[TIMEFMT_LEN];

	(void)state;
	assert_string_equal(timefmt_format(0, buf, sizeof(buf)),
	    "1970-01-01T00:00:00.000Z");
	assert_string_equal(timefmt_format(LEAP_DAY_MS + 45296789, buf,
	    sizeof(buf)), "2024-02-29T12:34:56.789Z");
	assert_string_equal(timefmt_format_sec(LEAP_DAY_MS + 45296789, buf,
	    sizeof(buf)), "2024-02-29 12:34:56");
	/* Before the epoch the milliseconds still count forward. */
	assert_string_equal(timefmt_format(-1, buf, sizeof(buf)),
	    "1969-12-31T23:59:59.999Z");
	/* A short buffer is cut, never overrun. */
	assert_string_equal(timefmt_format(0, buf, 5), "1970");
}

static void
test_round_trip(void **state)
{
	static const int64_t ms[] = {
		0, 1, 999, 1000, LEAP_DAY_MS, LEAP_DAY_MS - 1,
		LEAP_DAY_MS + 86399999, INT64_C(946684800000),
		INT64_C(1767225599123), INT64_C(253402300799999),
	};
	char buf[TIMEFMT_LEN];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < nitems(ms); i++) {
		timefmt_format(ms[i], buf, sizeof(buf));
		assert_int_equal(timefmt_parse(buf, &back), 0);
		assert_int_equal(back, ms[i]);
		/* The table form loses only the milliseconds. */
		timefmt_format_sec(ms[i], buf, sizeof(buf));
		assert_int_equal(timefmt_parse(buf, &back), 0);
		assert_int_equal(back, ms[i] - ms[i] % 1000);
	}
}

static void
test_relative(void **state)
{
	const int64_t now = LEAP_DAY_MS + 123;
	int64_t ms;

	(void)state;
	assert_int_equal(timefmt_parse_since("-30s", now, &ms), 0);
	assert_int_equal(ms, now - 30 * 1000);
	assert_int_equal(timefmt_parse_since("-15m", now, &ms), 0);
	assert_int_equal(ms, now - 15 * 60 * 1000);
	assert_int_equal(timefmt_parse_since("-2h", now, &ms), 0);
	assert_int_equal(ms, now - 2 * 3600 * 1000);
	assert_int_equal(timefmt_parse_since("-7d", now, &ms), 0);
	assert_int_equal(ms, now - INT64_C(7) * 86400 * 1000);
	assert_int_equal(timefmt_parse_since("-0h", now, &ms), 0);
	assert_int_equal(ms, now);
	assert_int_equal(timefmt_parse_since("-999999999d", now, &ms), 0);
	assert_int_equal(ms, now - INT64_C(999999999) * 86400 * 1000);

	/* Absolute times are still accepted. */
	assert_int_equal(timefmt_parse_since("2024-02-29", now, &ms), 0);
	assert_int_equal(ms, LEAP_DAY_MS);

	ms = 7;
	assert_int_equal(timefmt_parse_since("-", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-m", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-15", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-15x", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-15M", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("--5m", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-1.5h", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("- 5m", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-5m ", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("15m", now, &ms), -1);
	assert_int_equal(timefmt_parse_since("-1234567890d", now, &ms), -1);
	assert_int_equal(timefmt_parse_since(NULL, now, &ms), -1);
	assert_int_equal(ms, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_leap_days),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_relative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
