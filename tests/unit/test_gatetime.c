/*
 * The gate's time (gatetime.h) with made-up clocks: the floor at start,
 * now never below the floor, the floor raised only by a trusted clock,
 * and the retention cutoff counted from the newest row.  The clock steps
 * are those of issue 12: 200 days back (a Pi without a real-time clock),
 * 40 days ahead, 20 minutes ahead and back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gatetime.h"

#define MIN	(60 * 1000LL)
#define DAY	(86400 * 1000LL)
/* 2026-12-07T00:00:00Z, the real time of these tests. */
#define REAL	1796601600000LL

static void
test_floor_start(void **state)
{
	(void)state;
	/* Nothing at all: no floor. */
	assert_int_equal(gatetime_floor_start(0, 0), 0);
	/* A database from before the floor: the newest row counts fully. */
	assert_int_equal(gatetime_floor_start(0, REAL), REAL);
	/* The floor written down, no row since. */
	assert_int_equal(gatetime_floor_start(REAL, 0), REAL);
	assert_int_equal(gatetime_floor_start(REAL, REAL - DAY), REAL);
	/* Rows written by a trusted clock after the last write lift it. */
	assert_int_equal(gatetime_floor_start(REAL, REAL + 30000),
	    REAL + 30000);
	/* Rows stamped by a clock 40 days ahead lift it by one save period
	 * at most, and no more however often the gate restarts. */
	assert_int_equal(gatetime_floor_start(REAL, REAL + 40 * DAY),
	    REAL + GATETIME_SAVE_MS);
}

static void
test_now_never_below_floor(void **state)
{
	struct gatetime t;

	(void)state;
	gatetime_init(&t, REAL);
	assert_int_equal(gatetime_now(&t, REAL - 200 * DAY), REAL);
	assert_int_equal(gatetime_now(&t, REAL + 5), REAL + 5);
	gatetime_init(&t, 0);
	assert_int_equal(gatetime_now(&t, REAL), REAL);
	gatetime_init(&t, -5);
	assert_int_equal(t.floor_ms, 0);
}

/* Issue 12, row 1: 200 days back after a run at the real time. */
static void
test_clock_set_back_is_not_trusted(void **state)
{
	struct gatetime t;
	int64_t expired = REAL - 10 * DAY;	/* a badge's valid_until */

	(void)state;
	gatetime_init(&t, REAL);
	/* Even with the clock taken as synchronised (policy.clock = synced,
	 * or a lying time server). */
	assert_false(gatetime_observe(&t, REAL - 200 * DAY, true));
	assert_true(t.behind);
	assert_false(gatetime_trusted(&t));
	assert_string_equal(gatetime_why(&t), "behind the time floor");
	assert_int_equal(t.floor_ms, REAL);
	assert_false(t.raised);
	/* The gate's now is still past the expiry: it stays expired. */
	assert_true(gatetime_now(&t, REAL - 200 * DAY) >= expired);
}

static void
test_floor_rises_only_when_trusted(void **state)
{
	struct gatetime t;

	(void)state;
	gatetime_init(&t, REAL);
	/* Not synchronised: the floor stays, whatever the clock says. */
	assert_false(gatetime_observe(&t, REAL + 40 * DAY, false));
	assert_false(t.behind);
	assert_string_equal(gatetime_why(&t), "not synchronised");
	assert_int_equal(t.floor_ms, REAL);
	assert_false(t.raised);
	/* Synchronised and ahead of the floor: it follows. */
	assert_true(gatetime_observe(&t, REAL + MIN, true));
	assert_string_equal(gatetime_why(&t), "");
	assert_int_equal(t.floor_ms, REAL + MIN);
	assert_true(t.raised);
	/* Never down. */
	assert_false(gatetime_observe(&t, REAL, true));
	assert_int_equal(t.floor_ms, REAL + MIN);
}

/*
 * Issue 12, row 9, with the step taken as trusted: 20 minutes ahead, then
 * back.  The floor keeps the 20 minutes; the gate's now stands still
 * there (untrusted, behind the floor) until the clock catches up.
 */
static void
test_trusted_step_ahead_then_back(void **state)
{
	struct gatetime t;

	(void)state;
	gatetime_init(&t, REAL);
	assert_true(gatetime_observe(&t, REAL + 20 * MIN, true));
	assert_false(gatetime_observe(&t, REAL + MIN, true));
	assert_int_equal(gatetime_now(&t, REAL + MIN), REAL + 20 * MIN);
	/* A command that expired at REAL + 5 min stays expired. */
	assert_true(gatetime_now(&t, REAL + MIN) > REAL + 5 * MIN);
	assert_true(gatetime_observe(&t, REAL + 21 * MIN, true));
	assert_int_equal(gatetime_now(&t, REAL + 21 * MIN), REAL + 21 * MIN);
}

/* Issue 12, row 1b: the window counts back from the newest row. */
static void
test_retention_cutoff(void **state)
{
	(void)state;
	/* 40 days ahead, newest row at the real time: 30 days before it. */
	assert_int_equal(gatetime_retention_cutoff(REAL + 40 * DAY, REAL,
	    30 * DAY), REAL - 30 * DAY);
	/* The clock behind the newest row: from now. */
	assert_int_equal(gatetime_retention_cutoff(REAL, REAL + DAY,
	    30 * DAY), REAL - 30 * DAY);
	/* No row, or a window longer than all time: nothing. */
	assert_int_equal(gatetime_retention_cutoff(REAL, 0, 30 * DAY), 0);
	assert_int_equal(gatetime_retention_cutoff(20 * DAY, 10 * DAY,
	    30 * DAY), 0);
	assert_int_equal(gatetime_retention_cutoff(REAL, REAL, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor_start),
		cmocka_unit_test(test_now_never_below_floor),
		cmocka_unit_test(test_clock_set_back_is_not_trusted),
		cmocka_unit_test(test_floor_rises_only_when_trusted),
		cmocka_unit_test(test_trusted_step_ahead_then_back),
		cmocka_unit_test(test_retention_cutoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
