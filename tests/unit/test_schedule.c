/*
 * Schedules (schedule.c, schedule_parse.c): a profile's text, strict, and
 * its evaluation at the edges: an interval's first and last minute,
 * intervals across midnight, grace on both sides (also across midnight),
 * holidays (closed, their own intervals, a night shift from a holiday's
 * eve), and the site's zone through the C library: Asia/Ho_Chi_Minh, and
 * the days Europe/Berlin and America/New_York change their clocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schedule.h"
#include "sitetime.h"
#include "timefmt.h"

static void
parse(const char *text, struct schedule *s)
{
	char msg[200] = "";
	int rc = schedule_parse("p", text, s, msg, sizeof(msg));

	if (rc != 0)
		print_message("%s: %s\n", text, msg);
	assert_int_equal(rc, 0);
}

/* Asserts that text is refused with a message that contains want. */
static void
refused(const char *text, const char *want)
{
	struct schedule s;
	char msg[200] = "";

	assert_int_equal(schedule_parse("p", text, &s, msg, sizeof(msg)), -1);
	if (strstr(msg, want) == NULL)
		print_message("%s: '%s' lacks '%s'\n", text, msg, want);
	assert_non_null(strstr(msg, want));
}

static int32_t
day_of(const char *date)
{
	int64_t ms;

	assert_int_equal(timefmt_parse(date, &ms), 0);
	return (int32_t)(ms / 86400000);
}

/* Whether s admits at local "YYYY-MM-DD HH:MM". */
static bool
open_at(const struct schedule *s, const struct sched_holidays *h,
    const char *when)
{
	char date[11];
	struct sched_local t;

	assert_int_equal(strlen(when), 16);
	memcpy(date, when, 10);
	date[10] = '\0';
	t.day = day_of(date);
	t.minute = atoi(when + 11) * 60 + atoi(when + 14);
	return schedule_open_local(s, h, &t);
}

static void
zone(const char *name)
{
	char msg[200] = "";

	assert_int_equal(sitetime_zone_use(name, msg, sizeof(msg)), 0);
}

/* Whether s admits at the UTC instant written as when. */
static int
open_utc(const struct schedule *s, const char *when)
{
	int64_t ms;

	assert_int_equal(timefmt_parse(when, &ms), 0);
	return schedule_open_at(s, NULL, ms);
}

static void
test_schedule_parse_forms(void **state)
{
	struct schedule s;

	(void)state;
	parse("mon-fri 07:00-11:30,12:30-16:00; sat 07:00-11:00; grace 15/10",
	    &s);
	assert_string_equal(s.name, "p");
	assert_int_equal(s.nspans, 3);
	assert_int_equal(s.span[0].days, 0x3e);	/* mon..fri */
	assert_int_equal(s.span[0].from, 420);
	assert_int_equal(s.span[0].to, 690);
	assert_int_equal(s.span[2].days, 0x40);
	assert_int_equal(s.grace_before, 15);
	assert_int_equal(s.grace_after, 10);

	parse("  daily 22:00-06:00 ;; holiday 22:00-00:00; grace 5 ;", &s);
	assert_int_equal(s.nspans, 2);
	assert_int_equal(s.span[0].days, 0x7f);
	assert_int_equal(s.span[1].days, SCHED_HOLIDAY_BIT);
	assert_int_equal(s.span[1].to, 1440);
	assert_int_equal(s.grace_before, 5);
	assert_int_equal(s.grace_after, 5);

	parse("fri-mon 00:00-24:00; holiday closed", &s);
	assert_int_equal(s.span[0].days, 0x63);	/* fri sat sun mon */
	parse("mon,wed,sun 08:00-09:00", &s);
	assert_int_equal(s.span[0].days, 0x0b);
}

static void
test_schedule_parse_refusals(void **state)
{
	struct schedule s;
	char msg[200];

	(void)state;
	refused("", "no interval");
	refused("holiday closed", "no interval");
	refused("grace 10", "no interval");
	refused("mon-fri", "is not DAYS");
	refused("mon-fri 7:00-16:00", "not an interval");
	refused("mon-fri 07:00-16:60", "not an interval");
	refused("mon-fri 24:00-06:00", "not an interval");
	refused("mon-fri 07:00-24:01", "not an interval");
	refused("mon-fri 07:00-07:00", "is empty");
	refused("mon-fri 07:00-16:00,", "a comma");
	refused("mon-fry 07:00-16:00", "is not days");
	refused("mon- 07:00-16:00", "is not days");
	refused("mon, 07:00-16:00", "is not days");
	refused("Mon 07:00-16:00", "is not days");
	refused("mon 07:00-16:00; grace 241", "grace");
	refused("mon 07:00-16:00; grace -1", "grace");
	refused("mon 07:00-16:00; grace 10/", "grace");
	refused("mon 07:00-16:00; grace 1; grace 2", "twice");
	refused("mon 07:00-16:00\n; tue 07:00-16:00", "control");
	refused("holiday open", "not an interval");
	assert_int_equal(schedule_parse("bad name", "mon 07:00-08:00", &s,
	    msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "not a schedule name"));
	assert_int_equal(schedule_parse(".hidden", "mon 07:00-08:00", &s,
	    msg, sizeof(msg)), -1);
	assert_int_equal(schedule_parse("0123456789012345678901234567890123",
	    "mon 07:00-08:00", &s, msg, sizeof(msg)), -1);
}

/* Too many intervals, an over-long text, and bytes at random: a refusal
 * with a message, never a crash (the ASan build runs this too). */
static void
test_schedule_parse_hostile(void **state)
{
	struct schedule s;
	char text[SCHED_TEXT_LEN + 8], msg[200];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text, sizeof(text), "daily ");
	for (int i = 0; i < SCHED_SPANS_MAX + 1 && n + 12 < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%02d:00-"
		    "%02d:30", i > 0 ? "," : "", i % 24, i % 24);
	assert_int_equal(schedule_parse("p", text, &s, msg, sizeof(msg)), -1);
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(schedule_parse("p", text, &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "at most"));

	srand(20);
	for (int round = 0; round < 20000; round++) {
		static const char alphabet[] = "monfriwedsatsundailyholiday "
		    "grace0123456789:-,;/\t\x01\xff";
		size_t len = (size_t)rand() % 40;

		for (size_t i = 0; i < len; i++)
			text[i] = alphabet[(size_t)rand() %
			    (sizeof(alphabet) - 1)];
		text[len] = '\0';
		msg[0] = '\0';
		if (schedule_parse("p", text, &s, msg, sizeof(msg)) == -1)
			assert_true(msg[0] != '\0');
		else
			assert_true(s.nspans > 0 && s.nspans <= SCHED_SPANS_MAX);
	}
}

static void
test_schedule_interval_ends(void **state)
{
	struct schedule s;

	(void)state;
	/* 2026-12-07 is a Monday, 2026-12-12 a Saturday. */
	parse("mon-fri 07:00-11:30,12:30-16:00", &s);
	assert_false(open_at(&s, NULL, "2026-12-07 06:59"));
	assert_true(open_at(&s, NULL, "2026-12-07 07:00"));
	assert_true(open_at(&s, NULL, "2026-12-07 11:29"));
	assert_false(open_at(&s, NULL, "2026-12-07 11:30"));
	assert_false(open_at(&s, NULL, "2026-12-07 12:29"));
	assert_true(open_at(&s, NULL, "2026-12-07 12:30"));
	assert_true(open_at(&s, NULL, "2026-12-11 15:59"));
	assert_false(open_at(&s, NULL, "2026-12-11 16:00"));
	assert_false(open_at(&s, NULL, "2026-12-12 08:00"));
	assert_false(open_at(&s, NULL, "2026-12-13 08:00"));

	parse("sat 00:00-24:00", &s);
	assert_false(open_at(&s, NULL, "2026-12-11 23:59"));
	assert_true(open_at(&s, NULL, "2026-12-12 00:00"));
	assert_true(open_at(&s, NULL, "2026-12-12 23:59"));
	assert_false(open_at(&s, NULL, "2026-12-13 00:00"));
}

static void
test_schedule_midnight(void **state)
{
	struct schedule s;

	(void)state;
	/* A night shift that starts on weekdays: Friday's ends on Saturday,
	 * and none starts on Sunday, so Monday 05:00 is closed. */
	parse("mon-fri 22:00-06:00", &s);
	assert_false(open_at(&s, NULL, "2026-12-07 21:59"));
	assert_true(open_at(&s, NULL, "2026-12-07 22:00"));
	assert_true(open_at(&s, NULL, "2026-12-07 23:59"));
	assert_true(open_at(&s, NULL, "2026-12-08 00:00"));
	assert_true(open_at(&s, NULL, "2026-12-08 05:59"));
	assert_false(open_at(&s, NULL, "2026-12-08 06:00"));
	assert_true(open_at(&s, NULL, "2026-12-12 05:59"));
	assert_false(open_at(&s, NULL, "2026-12-12 22:00"));
	assert_false(open_at(&s, NULL, "2026-12-07 05:00"));

	/* Ending at midnight is 24:00 of that day, not a day later. */
	parse("mon 18:00-00:00", &s);
	assert_true(open_at(&s, NULL, "2026-12-07 23:59"));
	assert_false(open_at(&s, NULL, "2026-12-08 00:00"));
	assert_false(open_at(&s, NULL, "2026-12-08 18:00"));
}

static void
test_schedule_grace(void **state)
{
	struct schedule s;

	(void)state;
	parse("mon-fri 07:00-16:00; grace 15/10", &s);
	assert_false(open_at(&s, NULL, "2026-12-07 06:44"));
	assert_true(open_at(&s, NULL, "2026-12-07 06:45"));
	assert_true(open_at(&s, NULL, "2026-12-07 16:09"));
	assert_false(open_at(&s, NULL, "2026-12-07 16:10"));

	/* A grace reaches across midnight both ways: the shift at 00:00
	 * on Tuesday opens at 23:45 on Monday, and Monday's shift that ends
	 * at 23:30 stays open to 00:30 on Tuesday with a grace of 60. */
	parse("tue 00:00-06:00; grace 15", &s);
	assert_false(open_at(&s, NULL, "2026-12-07 23:44"));
	assert_true(open_at(&s, NULL, "2026-12-07 23:45"));
	parse("mon 20:00-23:30; grace 60", &s);
	assert_true(open_at(&s, NULL, "2026-12-08 00:29"));
	assert_false(open_at(&s, NULL, "2026-12-08 00:30"));
	/* The longest interval and the longest grace: Saturday 23:59 to
	 * Sunday 23:58, open until Monday 03:58. */
	parse("sat 23:59-23:58; grace 240", &s);
	assert_true(open_at(&s, NULL, "2026-12-14 03:57"));
	assert_false(open_at(&s, NULL, "2026-12-14 03:58"));
	assert_true(open_at(&s, NULL, "2026-12-12 19:59"));
	assert_false(open_at(&s, NULL, "2026-12-12 19:58"));
}

static void
test_schedule_holidays(void **state)
{
	struct sched_holidays h = { 0 };
	struct schedule s;
	char msg[200];

	(void)state;
	/* Two holidays in a row, Monday and Tuesday (a lunar holiday is
	 * entered as its dates of that year). */
	assert_int_equal(schedule_holiday_add(&h, "2026-12-08", msg,
	    sizeof(msg)), 0);
	assert_int_equal(schedule_holiday_add(&h, "2026-12-07", msg,
	    sizeof(msg)), 0);
	assert_int_equal(schedule_holiday_add(&h, "2026-12-08", msg,
	    sizeof(msg)), 0);
	assert_int_equal(h.n, 2);
	assert_true(h.day[0] < h.day[1]);
	assert_int_equal(schedule_holiday_add(&h, "2026-02-30", msg,
	    sizeof(msg)), -1);
	assert_non_null(strstr(msg, "not a date"));
	assert_int_equal(schedule_holiday_add(&h, "2026-12-08 ", msg,
	    sizeof(msg)), -1);

	/* No holiday intervals: closed all the holiday. */
	parse("mon-fri 07:00-16:00; grace 15", &s);
	assert_false(open_at(&s, &h, "2026-12-08 07:00"));
	assert_false(open_at(&s, &h, "2026-12-08 06:50"));
	assert_true(open_at(&s, &h, "2026-12-09 07:00"));
	assert_true(open_at(&s, NULL, "2026-12-08 07:00"));

	/* Holiday intervals replace the weekday's. */
	parse("mon-fri 07:00-16:00; holiday 08:00-12:00", &s);
	assert_false(open_at(&s, &h, "2026-12-08 07:30"));
	assert_true(open_at(&s, &h, "2026-12-08 08:00"));
	assert_false(open_at(&s, &h, "2026-12-08 12:00"));
	assert_true(open_at(&s, NULL, "2026-12-08 15:00"));

	/* A night shift from a holiday's eve runs to its end; none starts
	 * on the holiday itself. */
	parse("daily 22:00-06:00", &s);
	assert_true(open_at(&s, &h, "2026-12-06 23:00"));
	assert_true(open_at(&s, &h, "2026-12-07 00:30"));
	assert_true(open_at(&s, &h, "2026-12-07 05:59"));
	assert_false(open_at(&s, &h, "2026-12-07 06:00"));
	assert_false(open_at(&s, &h, "2026-12-07 22:00"));
	assert_false(open_at(&s, &h, "2026-12-08 01:00"));
	assert_false(open_at(&s, &h, "2026-12-09 01:00"));
	assert_true(open_at(&s, &h, "2026-12-09 22:00"));
}

static void
test_schedule_zone_default(void **state)
{
	struct schedule s;

	(void)state;
	zone(SITETIME_DEFAULT_ZONE);
	parse("mon-fri 07:00-16:00", &s);
	/* +07 all year: Tuesday 2026-12-08 07:00 is 00:00Z. */
	assert_int_equal(open_utc(&s, "2026-12-07T23:59:59Z"), 0);
	assert_int_equal(open_utc(&s, "2026-12-08T00:00:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-12-08T08:59:59Z"), 1);
	assert_int_equal(open_utc(&s, "2026-12-08T09:00:00Z"), 0);
	/* Friday 23:00Z is Saturday 06:00 there. */
	assert_int_equal(open_utc(&s, "2026-12-11T08:00:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-12-12T01:00:00Z"), 0);
}

static void
test_schedule_zone_dst(void **state)
{
	struct schedule s;

	(void)state;
	zone("Europe/Berlin");
	/* Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST.  A shift to
	 * 02:30 ends at the jump. */
	parse("sun 01:00-02:30", &s);
	assert_int_equal(open_utc(&s, "2026-03-29T00:00:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-29T00:59:59Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-29T01:00:00Z"), 0);
	/* The same wall clock on both sides of the change: 07:00 is 06:00Z
	 * on the Friday before and 05:00Z on the Monday after. */
	parse("mon-fri 07:00-16:00", &s);
	assert_int_equal(open_utc(&s, "2026-03-27T05:59:59Z"), 0);
	assert_int_equal(open_utc(&s, "2026-03-27T06:00:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-30T04:59:59Z"), 0);
	assert_int_equal(open_utc(&s, "2026-03-30T05:00:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-30T13:59:59Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-30T14:00:00Z"), 0);
	/* Sunday 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:15 comes
	 * twice and is inside 02:00-02:30 both times. */
	parse("sun 02:00-02:30", &s);
	assert_int_equal(open_utc(&s, "2026-10-24T23:59:59Z"), 0);
	assert_int_equal(open_utc(&s, "2026-10-25T00:15:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-10-25T00:45:00Z"), 0);
	assert_int_equal(open_utc(&s, "2026-10-25T01:15:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-10-25T01:30:00Z"), 0);

	zone("America/New_York");
	/* Sunday 2026-03-08: 02:00 EST becomes 03:00 EDT; a night shift
	 * from Saturday 22:00 to 06:00 lasts seven hours of real time. */
	parse("sat 22:00-06:00", &s);
	assert_int_equal(open_utc(&s, "2026-03-08T02:59:59Z"), 0);
	assert_int_equal(open_utc(&s, "2026-03-08T03:00:00Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-08T09:59:59Z"), 1);
	assert_int_equal(open_utc(&s, "2026-03-08T10:00:00Z"), 0);
	zone(SITETIME_DEFAULT_ZONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_parse_forms),
		cmocka_unit_test(test_schedule_parse_refusals),
		cmocka_unit_test(test_schedule_parse_hostile),
		cmocka_unit_test(test_schedule_interval_ends),
		cmocka_unit_test(test_schedule_midnight),
		cmocka_unit_test(test_schedule_grace),
		cmocka_unit_test(test_schedule_holidays),
		cmocka_unit_test(test_schedule_zone_default),
		cmocka_unit_test(test_schedule_zone_dst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
