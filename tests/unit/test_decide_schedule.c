/*
 * Rule 17b (decide.h): a credential's schedule refuses an entry outside
 * it, never an exit; an untrusted clock refuses every entry of a
 * credential with a schedule, open or not, and no other; and the rule's
 * place between the credential's validity and its lanes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decide_fixture.h"
#include "screen_msg.h"
#include "sound_msg.h"

static void
test_schedule_entry(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.schedule = DECIDE_SCHED_OPEN;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	assert_int_equal(run(&f), REASON_OUTSIDE_SCHEDULE);
	f.in.schedule = 9;	/* a value nobody gave: closed */
	assert_int_equal(run(&f), REASON_OUTSIDE_SCHEDULE);
	f.in.schedule = DECIDE_SCHED_NONE;
	assert_int_equal(run(&f), REASON_GRANTED);
}

/* Leaving is never refused by a schedule, nor by the clock for one. */
static void
test_schedule_exit(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	strcpy(f.cred.lanes, "A");
	f.in.dir = DIR_EXIT;
	f.in.schedule = DECIDE_SCHED_CLOSED;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_schedule_untrusted_clock(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.clock_synced = false;
	/* Without a schedule the clock is not this rule's concern. */
	assert_int_equal(run(&f), REASON_GRANTED);
	/* With one, open or closed by the clock's say-so, no entry. */
	f.in.schedule = DECIDE_SCHED_OPEN;
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
}

static void
test_schedule_order(void **state)
{
	struct fixture f;

	(void)state;
	/* The credential's own validity comes first ... */
	fixture_init(&f);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	f.in.now_ms = f.cred.valid_until_ms;
	assert_int_equal(run(&f), REASON_EXPIRED);
	fixture_init(&f);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	f.cred.status = CRED_SUSPENDED;
	assert_int_equal(run(&f), REASON_SUSPENDED);
	/* ... then the schedule, before the lanes, anti-passback and a
	 * busy way. */
	fixture_init(&f);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_OUTSIDE_SCHEDULE);
	fixture_init(&f);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	f.policy.antipassback = APB_HARD;
	f.in.has_last_grant = true;
	f.in.last_grant_dir = DIR_ENTRY;
	f.in.lane_busy = true;
	assert_int_equal(run(&f), REASON_OUTSIDE_SCHEDULE);
	f.in.schedule = DECIDE_SCHED_OPEN;
	assert_int_equal(run(&f), REASON_ANTI_PASSBACK);
}

/* The worker is told why, in both languages, on screen and aloud. */
static void
test_schedule_words(void **state)
{
	(void)state;
	assert_string_equal(reason_name(REASON_OUTSIDE_SCHEDULE),
	    "outside-schedule");
	assert_int_equal(reason_from_name("outside-schedule"),
	    REASON_OUTSIDE_SCHEDULE);
	assert_string_equal(screen_msg_reason(REASON_OUTSIDE_SCHEDULE,
	    SCREEN_LANG_VI), "Ngoài giờ được phép vào");
	assert_string_equal(screen_msg_reason(REASON_OUTSIDE_SCHEDULE,
	    SCREEN_LANG_EN), "Outside your hours");
	assert_true(sound_prompt_reason(REASON_OUTSIDE_SCHEDULE) >= 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_entry),
		cmocka_unit_test(test_schedule_exit),
		cmocka_unit_test(test_schedule_untrusted_clock),
		cmocka_unit_test(test_schedule_order),
		cmocka_unit_test(test_schedule_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
