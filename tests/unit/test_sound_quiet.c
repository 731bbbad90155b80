/*
 * sound.quiet_hours: the window's edges, one over midnight, and the
 * spellings refused (with the message the config's error shows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sound_quiet.h"

static void
test_quiet_hours(void **state)
{
	struct sound_quiet q;
	char msg[128];

	(void)state;
	assert_int_equal(sound_quiet_parse("", &q, msg, sizeof(msg)), 0);
	assert_false(q.set);
	assert_false(sound_quiet_in(&q, 0));
	assert_int_equal(sound_quiet_parse("12:30-13:00", &q, msg,
	    sizeof(msg)), 0);
	assert_false(sound_quiet_in(&q, 12 * 60 + 29));
	assert_true(sound_quiet_in(&q, 12 * 60 + 30));
	assert_true(sound_quiet_in(&q, 12 * 60 + 59));
	assert_false(sound_quiet_in(&q, 13 * 60));
	/* Over midnight. */
	assert_int_equal(sound_quiet_parse("22:00-06:00", &q, msg,
	    sizeof(msg)), 0);
	assert_true(sound_quiet_in(&q, 23 * 60));
	assert_true(sound_quiet_in(&q, 0));
	assert_true(sound_quiet_in(&q, 5 * 60 + 59));
	assert_false(sound_quiet_in(&q, 6 * 60));
	assert_false(sound_quiet_in(&q, 21 * 60 + 59));
	/* Refused. */
	assert_int_equal(sound_quiet_parse("22:00-22:00", &q, msg,
	    sizeof(msg)), -1);
	assert_int_equal(sound_quiet_parse("24:00-06:00", &q, msg,
	    sizeof(msg)), -1);
	assert_int_equal(sound_quiet_parse("22:00", &q, msg, sizeof(msg)), -1);
	assert_int_equal(sound_quiet_parse("22:00-6:00", &q, msg,
	    sizeof(msg)), -1);
	assert_int_equal(sound_quiet_parse("22:60-06:00", &q, msg,
	    sizeof(msg)), -1);
	assert_non_null(strstr(msg, "HH:MM-HH:MM"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_hours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
