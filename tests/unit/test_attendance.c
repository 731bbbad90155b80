/*
 * Shift days from passages (src/agg/attendance.c): the ends of the
 * grace intervals and of a day's window, a passage after midnight, the
 * night shift 22:00-06:00, a missing out-punch, two in-punches, a denied
 * passage, HR's corrections, and the nights when Europe/Berlin changes
 * its clocks.  Passages are written as local times of the zone in use
 * (sitetime_parse()), the figures worked out by hand in each comment;
 * so each test chooses its zone before it reads its passages' times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "attendance.h"
#include "sitetime.h"

static void
zone(const char *name)
{
	char msg[200] = "";

	assert_int_equal(sitetime_zone_use(name, msg, sizeof(msg)), 0);
}

/* A local time with an explicit offset or in the zone in use. */
static int64_t
at(const char *s)
{
	char msg[200] = "";
	int64_t ms = -1;
	int rc = sitetime_parse(s, &ms, msg, sizeof(msg));

	if (rc != 0)
		print_message("%s: %s\n", s, msg);
	assert_int_equal(rc, 0);
	return ms;
}

#define IN(t)	{ at(t), true, true }
#define OUT(t)	{ at(t), false, true }

/* 08:00-17:00, an hour's break, 5 minutes of grace, Monday to Friday. */
static const struct att_shift day_shift = {
	"day", 8 * 60, 17 * 60, 60, 5, 0x1f
};
/* 22:00-06:00, half an hour's break, 10 of grace, every day. */
static const struct att_shift night_shift = {
	"night", 22 * 60, 6 * 60, 30, 10, 0x7f
};

static int
days(const struct att_shift *s, const char *from, const char *to,
    const struct att_passage *p, size_t np, const struct att_correction *c,
    size_t nc, struct att_day *out)
{
	return att_days(s, from, to, p, np, c, nc, out, 16);
}

/* Grace is a threshold: 5:59 late is on time (whole minutes: 5), 6:00
 * is 6 late; leaving 5 minutes early is on time, 6 is 6 early. */
static void
test_grace_ends(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_passage on_time[] = {
		IN("2026-11-23 08:05:59"), OUT("2026-11-23 16:55:00"),
	};
	struct att_passage off[] = {
		IN("2026-11-23 08:06:00"), OUT("2026-11-23 16:54:00"),
	};
	struct att_day d[16];

	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-23",
	    on_time, 2, NULL, 0, d), 1);
	assert_string_equal(d[0].day, "2026-11-23");
	assert_int_equal(d[0].late_min, 0);
	assert_int_equal(d[0].early_min, 0);
	/* 08:05:59 to 16:55:00 is 529 whole minutes, less 60. */
	assert_int_equal(d[0].worked_min, 469);
	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-23", off, 2,
	    NULL, 0, d), 1);
	assert_int_equal(d[0].late_min, 6);
	assert_int_equal(d[0].early_min, 6);
	assert_int_equal(d[0].worked_min, 468);
}

/*
 * The day shift's windows meet halfway between 17:00 and 08:00: at
 * 00:30.  An exit at 00:29:59 is Monday's overtime; one at 00:30:00 is
 * Tuesday's, where it is an out without an in.
 */
static void
test_window_ends_and_midnight(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_passage before[] = {
		IN("2026-11-23 07:58"), OUT("2026-11-24 00:29:59"),
	};
	struct att_passage after[] = {
		IN("2026-11-23 07:58"), OUT("2026-11-24 00:30:00"),
	};
	struct att_day d[16];
	int64_t lo, hi;

	assert_int_equal(att_range(&day_shift, "2026-11-23", "2026-11-24",
	    &lo, &hi), 0);
	assert_int_equal(lo, at("2026-11-23 00:30"));
	assert_int_equal(hi, at("2026-11-25 00:30"));
	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-24", before,
	    2, NULL, 0, d), 2);
	assert_int_equal(d[0].last_out_ms, at("2026-11-24 00:29:59"));
	assert_false(d[0].missing_out);
	/* 07:58 to 00:29:59: 991 whole minutes, less 60. */
	assert_int_equal(d[0].worked_min, 931);
	assert_int_equal(d[1].passages, 0);
	assert_true(d[1].absent);
	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-24", after,
	    2, NULL, 0, d), 2);
	assert_true(d[0].missing_out);
	assert_int_equal(d[0].worked_min, 0);
	assert_int_equal(d[1].passages, 1);
	assert_true(d[1].missing_in);
	assert_false(d[1].absent);
	/* Out at 00:30, 16 h before Tuesday's 17:00: left early. */
	assert_int_equal(d[1].early_min, 990);
}

/* 22:00-06:00 belongs to the day it starts: in Monday 21:55, out
 * Tuesday 06:02 is Monday's 487 minutes less 30; Tuesday is absent. */
static void
test_night_shift(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_passage p[] = {
		IN("2026-11-23 21:55"), OUT("2026-11-24 06:02"),
		IN("2026-11-24 22:20"), OUT("2026-11-25 05:40"),
	};
	struct att_day d[16];

	assert_int_equal(days(&night_shift, "2026-11-23", "2026-11-25", p, 4,
	    NULL, 0, d), 3);
	assert_int_equal(d[0].start_ms, at("2026-11-23 22:00"));
	assert_int_equal(d[0].end_ms, at("2026-11-24 06:00"));
	assert_int_equal(d[0].first_in_ms, at("2026-11-23 21:55"));
	assert_int_equal(d[0].last_out_ms, at("2026-11-24 06:02"));
	assert_int_equal(d[0].worked_min, 457);
	assert_int_equal(d[0].late_min, 0);
	assert_int_equal(d[0].early_min, 0);
	/* Tuesday: 20 late, 20 early (grace 10), 440 - 30 worked. */
	assert_int_equal(d[1].late_min, 20);
	assert_int_equal(d[1].early_min, 20);
	assert_int_equal(d[1].worked_min, 410);
	assert_true(d[2].absent);
}

/* In, and no out: a missing punch, no worked time, not absent. */
static void
test_missing_out(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_passage p[] = { IN("2026-11-23 07:55") };
	struct att_day d[16];

	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-23", p, 1,
	    NULL, 0, d), 1);
	assert_true(d[0].missing_out);
	assert_false(d[0].missing_in);
	assert_false(d[0].absent);
	assert_int_equal(d[0].last_out_ms, -1);
	assert_int_equal(d[0].worked_min, 0);
}

/* A badge shown twice at the entry: the first is first_in, no missing
 * punch; a denied exit in between counts for nothing. */
static void
test_two_in_punches(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_passage p[] = {
		IN("2026-11-23 08:20"), IN("2026-11-23 07:50"),
		{ at("2026-11-23 12:00"), false, false },
		OUT("2026-11-23 17:00"),
	};
	struct att_day d[16];

	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-23", p, 4,
	    NULL, 0, d), 1);
	assert_int_equal(d[0].passages, 3);
	assert_int_equal(d[0].first_in_ms, at("2026-11-23 07:50"));
	assert_false(d[0].missing_in);
	assert_false(d[0].missing_out);
	assert_int_equal(d[0].late_min, 0);
	assert_int_equal(d[0].worked_min, 490);
}

/* HR's corrections: the forgotten out-punch given, a day excused, and a
 * later correction of the same field winning; a Saturday off is not
 * absent. */
static void
test_corrections(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_passage p[] = { IN("2026-11-23 08:00") };
	struct att_correction c[] = {
		{ "2026-11-23", ATT_LAST_OUT, 0 },
		{ "2026-11-23", ATT_LAST_OUT, 0 },
		{ "2026-11-24", ATT_EXCUSED, 0 },
	};
	struct att_day d[16];

	c[0].value_ms = at("2026-11-23 16:00");
	c[1].value_ms = at("2026-11-23 17:30");
	assert_int_equal(days(&day_shift, "2026-11-23", "2026-11-28", p, 1,
	    c, 3, d), 6);
	assert_true(d[0].corrected);
	assert_false(d[0].missing_out);
	assert_int_equal(d[0].last_out_ms, at("2026-11-23 17:30"));
	assert_int_equal(d[0].worked_min, 510);
	assert_int_equal(d[0].early_min, 0);
	assert_true(d[1].corrected);
	assert_false(d[1].absent);
	assert_true(d[2].absent);
	assert_false(d[2].corrected);
	assert_false(d[5].working);
	assert_false(d[5].absent);
	/* The passages themselves are as they were. */
	assert_int_equal(p[0].ts_ms, at("2026-11-23 08:00"));
}

/*
 * Europe/Berlin: the night of 24 to 25 October 2026 has 25 hours, the
 * night of 28 to 29 March 26; a full night shift is 9 and 7 hours of
 * real time, and the windows still meet halfway.
 */
static void
test_dst_zone(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	struct att_passage autumn[] = {
		IN("2026-10-24 22:00"), OUT("2026-10-25 06:00"),
	};
	struct att_passage spring[] = {
		IN("2026-03-28 22:00"), OUT("2026-03-29 06:00"),
	};
	struct att_day d[16];

	assert_int_equal(days(&night_shift, "2026-10-24", "2026-10-24",
	    autumn, 2, NULL, 0, d), 1);
	assert_int_equal(d[0].start_ms, at("2026-10-24T20:00:00Z"));
	assert_int_equal(d[0].end_ms, at("2026-10-25T05:00:00Z"));
	assert_int_equal(d[0].worked_min, 540 - 30);
	assert_int_equal(d[0].late_min, 0);
	assert_int_equal(d[0].early_min, 0);
	assert_int_equal(days(&night_shift, "2026-03-28", "2026-03-28",
	    spring, 2, NULL, 0, d), 1);
	assert_int_equal(d[0].end_ms, at("2026-03-29T04:00:00Z"));
	assert_int_equal(d[0].worked_min, 420 - 30);
	assert_int_equal(d[0].early_min, 0);
}

/* Bad dates, a range backwards, one longer than the room given. */
static void
test_bad_input(void **state)
{
	(void)state;
	zone("Asia/Ho_Chi_Minh");
	struct att_day d[16];
	struct att_shift s = day_shift;
	char err[100];
	unsigned w;
	int m;

	assert_int_equal(days(&day_shift, "2026-11-31", "2026-12-01", NULL, 0,
	    NULL, 0, d), -1);
	assert_int_equal(days(&day_shift, "2026-11-24", "2026-11-23", NULL, 0,
	    NULL, 0, d), -1);
	assert_int_equal(days(&day_shift, "2026-11-01", "2026-11-30", NULL, 0,
	    NULL, 0, d), -1);
	assert_int_equal(att_hhmm_parse("22:00", &m), 0);
	assert_int_equal(m, 1320);
	assert_int_equal(att_hhmm_parse("24:00", &m), -1);
	assert_int_equal(att_hhmm_parse("8:00", &m), -1);
	assert_int_equal(att_days_parse("12345", &w), 0);
	assert_int_equal(w, 0x1f);
	assert_int_equal(att_days_parse("08", &w), -1);
	assert_int_equal(att_shift_check(&s, err, sizeof(err)), 0);
	s.break_min = 9 * 60;
	assert_int_equal(att_shift_check(&s, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace_ends),
		cmocka_unit_test(test_window_ends_and_midnight),
		cmocka_unit_test(test_night_shift),
		cmocka_unit_test(test_missing_out),
		cmocka_unit_test(test_two_in_punches),
		cmocka_unit_test(test_corrections),
		cmocka_unit_test(test_dst_zone),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
