/*
 * The hold-off: one decision per code held in view, a new one after the
 * window, and a bounded table that forgets the least recently seen code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "holdoff.h"

#define MS	INT64_C(1000000)
#define T0	(INT64_C(5000) * MS)	/* an arbitrary monotonic start */

static bool
admit_str(struct holdoff *h, const char *s, int64_t now)
{
	return holdoff_admit(h, (const uint8_t *)s, strlen(s), now);
}

static void
test_first_sighting_admitted_repeat_held(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 1000);
	assert_true(admit_str(&h, "W-0001", T0));
	assert_false(admit_str(&h, "W-0001", T0));
	assert_false(admit_str(&h, "W-0001", T0 + 999 * MS));
}

static void
test_new_decision_after_window(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 1000);
	assert_true(admit_str(&h, "W-0001", T0));
	/* The window is measured from the last sighting, inclusive end. */
	assert_false(admit_str(&h, "W-0001", T0 + 1000 * MS - 1));
	assert_true(admit_str(&h, "W-0001", T0 + 2000 * MS));
	assert_false(admit_str(&h, "W-0001", T0 + 2500 * MS));
	assert_true(admit_str(&h, "W-0001", T0 + 3500 * MS));
}

static void
test_window_boundary(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 1000);
	assert_true(admit_str(&h, "W-0001", T0));
	/* Exactly one window after the last sighting: decided again. */
	assert_true(admit_str(&h, "W-0001", T0 + 1000 * MS));
}

static void
test_held_in_view_yields_one_decision(void **state)
{
	struct holdoff h;
	int admitted = 0;

	(void)state;
	holdoff_init(&h, 1000);
	/* Seen every 500 ms for a minute: each sighting restarts the window. */
	for (int64_t t = 0; t < 60000; t += 500)
		admitted += admit_str(&h, "W-0001", T0 + t * MS);
	assert_int_equal(admitted, 1);
	/* Taken away for longer than the window, then shown again. */
	assert_true(admit_str(&h, "W-0001", T0 + 61000 * MS));
}

static void
test_codes_are_independent(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 1000);
	assert_true(admit_str(&h, "W-0001", T0));
	assert_true(admit_str(&h, "W-0002", T0 + 1 * MS));
	assert_false(admit_str(&h, "W-0001", T0 + 2 * MS));
	assert_false(admit_str(&h, "W-0002", T0 + 3 * MS));
}

static void
test_whole_payload_is_the_key(void **state)
{
	static const uint8_t nul[] = { 'W', '-', '0', '0', '0', '1', 0,
	    'a', 'd', 'm', 'i', 'n' };
	static const uint8_t empty[1];
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 1000);
	assert_true(admit_str(&h, "W-0001", T0));
	/* Bytes after a NUL count: this is another code. */
	assert_true(holdoff_admit(&h, nul, sizeof(nul), T0));
	assert_false(holdoff_admit(&h, nul, sizeof(nul), T0 + MS));
	/* Its first six bytes are W-0001, which is held. */
	assert_false(holdoff_admit(&h, nul, 6, T0 + MS));
	/* The empty payload is a code like any other. */
	assert_true(holdoff_admit(&h, empty, 0, T0));
	assert_false(holdoff_admit(&h, empty, 0, T0 + MS));
}

static void
test_window_zero_admits_everything(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 0);
	for (int i = 0; i < 5; i++)
		assert_true(admit_str(&h, "W-0001", T0));
	/* A negative window is no window either. */
	holdoff_init(&h, -5);
	assert_true(admit_str(&h, "W-0001", T0));
	assert_true(admit_str(&h, "W-0001", T0));
}

/* A new window (a reload) keeps every code in view held. */
static void
test_window_set_keeps_codes(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 3000);
	assert_true(admit_str(&h, "W-0001", T0));
	holdoff_window_set(&h, 3000);
	assert_false(admit_str(&h, "W-0001", T0 + 100 * MS));
	/* A shorter window applies from the last sighting on. */
	holdoff_window_set(&h, 1000);
	assert_int_equal(h.window_ns, 1000 * MS);
	assert_false(admit_str(&h, "W-0001", T0 + 900 * MS));
	assert_true(admit_str(&h, "W-0001", T0 + 1900 * MS));
	/* Window 0 decides every sighting; a window again holds again. */
	holdoff_window_set(&h, 0);
	assert_true(admit_str(&h, "W-0001", T0 + 1901 * MS));
	holdoff_window_set(&h, 1000);
	assert_false(admit_str(&h, "W-0001", T0 + 2000 * MS));
}

static void
fill(struct holdoff *h, int n, int64_t t)
{
	char id[16];

	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "W-%04d", i);
		assert_true(admit_str(h, id, t + i * MS));
	}
}

static void
test_full_table_reuses_least_recent(void **state)
{
	struct holdoff h;
	char id[16];

	(void)state;
	holdoff_init(&h, 10000);
	fill(&h, HOLDOFF_SLOTS, T0);
	/* All held; each refresh keeps the order W-0000 oldest ... */
	for (int i = 0; i < HOLDOFF_SLOTS; i++) {
		snprintf(id, sizeof(id), "W-%04d", i);
		assert_false(admit_str(&h, id, T0 + (100 + i) * MS));
	}
	/* ... until W-0000 is seen again: now W-0001 is the oldest. */
	assert_false(admit_str(&h, "W-0000", T0 + 200 * MS));
	assert_true(admit_str(&h, "X-NEW", T0 + 300 * MS));
	/* W-0001 lost its slot: it is decided again although in its window. */
	assert_true(admit_str(&h, "W-0001", T0 + 400 * MS));
	/* That evicted the next oldest, W-0002; W-0000 and X-NEW remain. */
	assert_false(admit_str(&h, "W-0000", T0 + 500 * MS));
	assert_false(admit_str(&h, "X-NEW", T0 + 500 * MS));
	assert_true(admit_str(&h, "W-0002", T0 + 600 * MS));
}

static void
test_eviction_takes_oldest_sighting(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 10000);
	fill(&h, HOLDOFF_SLOTS, T0);
	/* W-0000 is the oldest; a new code replaces it. */
	assert_true(admit_str(&h, "X-NEW", T0 + 100 * MS));
	assert_false(admit_str(&h, "W-0001", T0 + 101 * MS));
	assert_true(admit_str(&h, "W-0000", T0 + 102 * MS));
}

static void
test_clock_edge_cases(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 1000);
	/* A sighting at time 0 is still recorded. */
	assert_true(admit_str(&h, "W-0001", 0));
	assert_false(admit_str(&h, "W-0001", 0));
	assert_false(admit_str(&h, "W-0001", 500 * MS));
	/* A clock that steps back keeps the code held, not decided again. */
	assert_true(admit_str(&h, "W-0002", T0));
	assert_false(admit_str(&h, "W-0002", T0 - 5000 * MS));
}

/* A credential list changed: the denied codes in view are decided again,
 * the granted ones stay held, so that none opens the way twice. */
static void
test_forget_denied_keeps_granted(void **state)
{
	struct holdoff h;

	(void)state;
	holdoff_init(&h, 3000);
	assert_true(admit_str(&h, "W-0001", T0));
	holdoff_granted(&h, (const uint8_t *)"W-0001", 6);
	assert_true(admit_str(&h, "W-9999", T0));
	holdoff_forget_denied(&h);
	assert_false(admit_str(&h, "W-0001", T0 + 100 * MS));
	assert_true(admit_str(&h, "W-9999", T0 + 100 * MS));
	assert_false(admit_str(&h, "W-9999", T0 + 200 * MS));
	/* A grant is of one decision: decided again after its window, the
	 * code is forgettable until granted again. */
	assert_true(admit_str(&h, "W-0001", T0 + 4000 * MS));
	holdoff_forget_denied(&h);
	assert_true(admit_str(&h, "W-0001", T0 + 4100 * MS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_sighting_admitted_repeat_held),
		cmocka_unit_test(test_new_decision_after_window),
		cmocka_unit_test(test_window_boundary),
		cmocka_unit_test(test_held_in_view_yields_one_decision),
		cmocka_unit_test(test_codes_are_independent),
		cmocka_unit_test(test_whole_payload_is_the_key),
		cmocka_unit_test(test_window_zero_admits_everything),
		cmocka_unit_test(test_window_set_keeps_codes),
		cmocka_unit_test(test_full_table_reuses_least_recent),
		cmocka_unit_test(test_eviction_takes_oldest_sighting),
		cmocka_unit_test(test_clock_edge_cases),
		cmocka_unit_test(test_forget_denied_keeps_granted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
