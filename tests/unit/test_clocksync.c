/*
 * The clock's synchronisation: the sources that are taken as given, and
 * the kernel asked at most once a second (a stand-in for adjtimex counts
 * the questions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clocksync.h"

#define S	1000000000LL

static int asked;
static bool answer;

static bool
fake_kernel(void)
{
	asked++;
	return answer;
}

static void
fake_init(struct clocksync *c, bool synced)
{
	clocksync_init(c);
	c->query = fake_kernel;
	asked = 0;
	answer = synced;
}

static void
test_given_sources(void **state)
{
	struct clocksync c;

	(void)state;
	fake_init(&c, false);
	assert_true(clocksync_get(&c, CLOCK_SYNC_ASSUME_SYNCED, 0));
	fake_init(&c, true);
	assert_false(clocksync_get(&c, CLOCK_SYNC_ASSUME_UNSYNCED, 0));
	/* The kernel is not asked for either. */
	assert_int_equal(asked, 0);
}

static void
test_kernel_asked_once_a_second(void **state)
{
	struct clocksync c;

	(void)state;
	fake_init(&c, false);
	assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL, 5 * S));
	assert_int_equal(asked, 1);
	/* Within the second: the last answer, even if the kernel changed. */
	answer = true;
	for (int i = 0; i < 100; i++)
		assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL,
		    5 * S + i * (S / 100)));
	assert_int_equal(asked, 1);
	/* A second later it is asked again. */
	assert_true(clocksync_get(&c, CLOCK_SYNC_KERNEL, 6 * S));
	assert_int_equal(asked, 2);
	answer = false;
	assert_true(clocksync_get(&c, CLOCK_SYNC_KERNEL, 7 * S - 1));
	assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL, 7 * S));
	assert_int_equal(asked, 3);
	/* Time going backwards asks again rather than trusting forever. */
	assert_false(clocksync_get(&c, CLOCK_SYNC_KERNEL, 1));
	assert_int_equal(asked, 4);
}

/* The real adjtimex: it answers, whatever the machine's clock state. */
static void
test_kernel_answers(void **state)
{
	struct clocksync c;
	bool a;

	(void)state;
	clocksync_init(&c);
	assert_ptr_equal(c.query, clocksync_kernel);
	a = clocksync_get(&c, CLOCK_SYNC_KERNEL, 0);
	assert_int_equal(a, clocksync_kernel());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_given_sources),
		cmocka_unit_test(test_kernel_asked_once_a_second),
		cmocka_unit_test(test_kernel_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
