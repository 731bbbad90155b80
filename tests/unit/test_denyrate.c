/*
 * Repeated denials: the per-code alarm and slow-down, the lane's alarm,
 * the windows, and the fixed table under more codes than it holds.  Times
 * are given, never measured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "denyrate.h"

#define S	1000000000LL

static void
fp_of(int n, uint8_t fp[DENYRATE_FP])
{
	memset(fp, 0, DENYRATE_FP);
	memcpy(fp, &n, sizeof(n));
	fp[DENYRATE_FP - 1] = 0x5a;
}

/* window 60 s, 5 of a code, 20 on the lane, slowed 30 s. */
static void
test_code_alarm_and_slowed(void **state)
{
	struct denyrate d;
	uint8_t a[DENYRATE_FP], b[DENYRATE_FP];

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 5, 0, 30);
	fp_of(1, a);
	fp_of(2, b);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(denyrate_count(&d, a, 100 * S + i * S), 0);
		assert_false(denyrate_slowed(&d, a, 100 * S + i * S));
	}
	/* The fifth: one alarm, and slowed from now on. */
	assert_int_equal(denyrate_count(&d, a, 104 * S), DENYRATE_CODE_ALARM);
	assert_true(denyrate_slowed(&d, a, 104 * S));
	assert_true(denyrate_slowed(&d, a, 134 * S - 1));
	assert_false(denyrate_slowed(&d, a, 134 * S));
	/* Another code is not slowed by it. */
	assert_false(denyrate_slowed(&d, b, 104 * S));
	/* Further denials while slowed raise nothing more. */
	for (int i = 0; i < 20; i++)
		assert_int_equal(denyrate_count(&d, a, 105 * S + i * S / 10), 0);
	assert_true(denyrate_slowed(&d, a, 120 * S));
}

static void
test_window_restarts(void **state)
{
	struct denyrate d;
	uint8_t a[DENYRATE_FP];

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 3, 0, 30);
	fp_of(1, a);
	/* Two, then the window ends: the count starts again. */
	assert_int_equal(denyrate_count(&d, a, 0), 0);
	assert_int_equal(denyrate_count(&d, a, 59 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 60 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 61 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 62 * S), DENYRATE_CODE_ALARM);
	/* Once the slow-down is over, a new window may alarm again. */
	assert_false(denyrate_slowed(&d, a, 92 * S));
	assert_int_equal(denyrate_count(&d, a, 130 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 131 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 132 * S), DENYRATE_CODE_ALARM);
	/* A clock going backwards starts a window, it does not stall. */
	assert_int_equal(denyrate_count(&d, a, 500 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 400 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 401 * S), 0);
	assert_int_equal(denyrate_count(&d, a, 402 * S), DENYRATE_CODE_ALARM);
}

static void
test_lane_alarm_once_per_window(void **state)
{
	struct denyrate d;
	uint8_t fp[DENYRATE_FP];
	int alarms = 0, r;

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 0, 10, 30);
	for (int i = 0; i < 30; i++) {
		fp_of(i, fp);
		r = denyrate_count(&d, fp, i * S);
		assert_int_equal(r & DENYRATE_CODE_ALARM, 0);
		if (r & DENYRATE_LANE_ALARM) {
			assert_int_equal(i, 9);
			alarms++;
		}
		assert_false(denyrate_slowed(&d, fp, i * S));
	}
	assert_int_equal(alarms, 1);
	/* The next window alarms again at its tenth denial. */
	for (int i = 0; i < 10; i++) {
		fp_of(i, fp);
		r = denyrate_count(&d, fp, 60 * S + i * S);
		assert_int_equal(r, i == 9 ? DENYRATE_LANE_ALARM : 0);
	}
}

static void
test_both_alarms_at_once(void **state)
{
	struct denyrate d;
	uint8_t a[DENYRATE_FP];

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 2, 2, 30);
	fp_of(1, a);
	assert_int_equal(denyrate_count(&d, a, S), 0);
	assert_int_equal(denyrate_count(&d, a, 2 * S),
	    DENYRATE_CODE_ALARM | DENYRATE_LANE_ALARM);
}

static void
test_off(void **state)
{
	struct denyrate d;
	uint8_t a[DENYRATE_FP];

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 0, 0, 30);
	fp_of(1, a);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(denyrate_count(&d, a, i), 0);
	assert_false(denyrate_slowed(&d, a, 1000));
	/* Slowed for 0 s: the alarm, but no slow-down. */
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 2, 0, 0);
	assert_int_equal(denyrate_count(&d, a, S), 0);
	assert_int_equal(denyrate_count(&d, a, S), DENYRATE_CODE_ALARM);
	assert_false(denyrate_slowed(&d, a, S));
}

/* More codes than slots: the one denied longest ago makes room. */
static void
test_table_evicts_oldest(void **state)
{
	struct denyrate d;
	uint8_t fp[DENYRATE_FP], hot[DENYRATE_FP];

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 3600, 3, 0, 600);
	fp_of(-1, hot);
	assert_int_equal(denyrate_count(&d, hot, 0), 0);
	assert_int_equal(denyrate_count(&d, hot, 1), 0);
	assert_int_equal(denyrate_count(&d, hot, 2), DENYRATE_CODE_ALARM);
	/* 1000 other codes, each denied once after it, while hot keeps
	 * being shown: hot is never the oldest, so it stays slowed. */
	for (int i = 0; i < 1000; i++) {
		fp_of(i, fp);
		assert_int_equal(denyrate_count(&d, fp, 10 + 2 * i), 0);
		assert_int_equal(denyrate_count(&d, hot, 11 + 2 * i), 0);
	}
	assert_true(denyrate_slowed(&d, hot, 3000));
	/* A code shown twice, evicted, comes back counted from zero. */
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 3600, 3, 0, 600);
	fp_of(-2, hot);
	assert_int_equal(denyrate_count(&d, hot, 0), 0);
	assert_int_equal(denyrate_count(&d, hot, 1), 0);
	for (int i = 0; i < DENYRATE_SLOTS; i++) {
		fp_of(i, fp);
		denyrate_count(&d, fp, 10 + i);
	}
	assert_int_equal(denyrate_count(&d, hot, 100), 0);
	assert_int_equal(denyrate_count(&d, hot, 101), 0);
	assert_int_equal(denyrate_count(&d, hot, 102), DENYRATE_CODE_ALARM);
}

/* New limits keep what was counted. */
static void
test_configure_keeps_counts(void **state)
{
	struct denyrate d;
	uint8_t a[DENYRATE_FP];

	(void)state;
	memset(&d, 0, sizeof(d));
	denyrate_configure(&d, 60, 5, 0, 30);
	fp_of(1, a);
	assert_int_equal(denyrate_count(&d, a, S), 0);
	assert_int_equal(denyrate_count(&d, a, 2 * S), 0);
	denyrate_configure(&d, 60, 3, 0, 30);
	assert_int_equal(denyrate_count(&d, a, 3 * S), DENYRATE_CODE_ALARM);
	/* Limits out of range are clamped, not trusted. */
	denyrate_configure(&d, -5, -1, -1, -1);
	assert_true(d.window_ns > 0);
	assert_int_equal(d.code_max, 0);
	assert_int_equal(d.lane_max, 0);
	assert_int_equal(d.slow_ns, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_alarm_and_slowed),
		cmocka_unit_test(test_window_restarts),
		cmocka_unit_test(test_lane_alarm_once_per_window),
		cmocka_unit_test(test_both_alarms_at_once),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_table_evicts_oldest),
		cmocka_unit_test(test_configure_keeps_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
