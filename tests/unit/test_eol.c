/*
 * End-of-line supervision: the classifier's thresholds at each edge, the
 * debounce of readings in a row (a glitch changes nothing, a reading
 * that failed is a state of its own), the levels' parser, and the IIO
 * sysfs backend reading a file that stands for in_voltageN_raw (a
 * number, garbage, the file gone, a FIFO).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analog.h"
#include "eol.h"
#include "util.h"

static const struct eol_levels lv = { 256, 597, 853 };

static void
test_classify_edges(void **state)
{
	(void)state;
	assert_int_equal(eol_classify(&lv, INT32_MIN), EOL_SHORT);
	assert_int_equal(eol_classify(&lv, 0), EOL_SHORT);
	assert_int_equal(eol_classify(&lv, 255), EOL_SHORT);
	assert_int_equal(eol_classify(&lv, 256), EOL_NORMAL);
	assert_int_equal(eol_classify(&lv, 512), EOL_NORMAL);
	assert_int_equal(eol_classify(&lv, 596), EOL_NORMAL);
	assert_int_equal(eol_classify(&lv, 597), EOL_ACTIVE);
	assert_int_equal(eol_classify(&lv, 852), EOL_ACTIVE);
	assert_int_equal(eol_classify(&lv, 853), EOL_OPEN);
	assert_int_equal(eol_classify(&lv, 1023), EOL_OPEN);
	assert_int_equal(eol_classify(&lv, INT32_MAX), EOL_OPEN);
	assert_true(eol_state_fault(EOL_SHORT));
	assert_true(eol_state_fault(EOL_OPEN));
	assert_true(eol_state_fault(EOL_UNREADABLE));
	assert_false(eol_state_fault(EOL_NORMAL));
	assert_false(eol_state_fault(EOL_ACTIVE));
	assert_false(eol_state_fault(EOL_UNKNOWN));
	assert_string_equal(eol_state_name(EOL_UNREADABLE), "unreadable");
	assert_string_equal(eol_state_name(EOL_OPEN), "open");
}

/* Readings (ok, raw) in turn; the state after each, as a string of the
 * states' first letters ('u'nknown, 'n'ormal, 'a'ctive, 's'hort,
 * 'o'pen, 'r' unreadable) and '!' after each reported change. */
static void
run(int samples, const char *readings, char *out, size_t outlen)
{
	struct eol e;
	size_t n = 0;
	char *s = strdup(readings), *tok, *save = NULL;

	assert_non_null(s);
	eol_init(&e, &lv, samples);
	for (tok = strtok_r(s, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		bool ok = strcmp(tok, "x") != 0;
		bool changed = eol_sample(&e, ok, ok ? atoi(tok) : 0);

		assert_true(n + 3 < outlen);
		out[n++] = e.state == EOL_UNREADABLE ? 'r' :
		    eol_state_name(e.state)[0];
		if (changed)
			out[n++] = '!';
	}
	out[n] = '\0';
	free(s);
}

static void
test_debounce(void **state)
{
	char got[64];

	(void)state;
	/* Three in a row make a state, the first one included. */
	run(3, "512 512 512 512", got, sizeof(got));
	assert_string_equal(got, "uun!n");
	/* A glitch, or two, changes nothing. */
	run(3, "512 512 512 700 512 700 700 512 512", got, sizeof(got));
	assert_string_equal(got, "uun!nnnnnn");
	/* Three of another state do. */
	run(3, "512 512 512 700 700 700 1023 1023 0 0 0", got, sizeof(got));
	assert_string_equal(got, "uun!nna!aaaas!");
	/* A run broken by another state starts again. */
	run(2, "512 512 700 1023 700 700", got, sizeof(got));
	assert_string_equal(got, "un!nnna!");
	/* One reading is enough when samples is 1, and 0 means 1. */
	run(1, "512 700 512", got, sizeof(got));
	assert_string_equal(got, "n!a!n!");
	run(0, "700", got, sizeof(got));
	assert_string_equal(got, "a!");
}

/* A reading that failed is a state of its own, debounced as the others,
 * and reported once however long it lasts; the last good value stays. */
static void
test_read_errors(void **state)
{
	struct eol e;
	char got[64];
	int changes = 0;

	(void)state;
	run(3, "512 512 512 x x 512 x x x x x x 512 512 512", got,
	    sizeof(got));
	assert_string_equal(got, "uun!nnnnnr!rrrrrn!");
	eol_init(&e, &lv, 3);
	assert_false(e.have_raw);
	assert_false(eol_sample(&e, false, 0));
	assert_false(e.have_raw);
	for (int i = 0; i < 1000; i++)
		changes += eol_sample(&e, false, 0);
	assert_int_equal(changes, 1);
	assert_int_equal(e.state, EOL_UNREADABLE);
	assert_false(eol_sample(&e, true, 600));
	assert_true(e.have_raw);
	assert_int_equal(e.raw, 600);
	assert_int_equal(e.state, EOL_UNREADABLE);
}

static void
test_levels_parse(void **state)
{
	struct eol_levels l = { 1, 2, 3 };
	char msg[200];

	(void)state;
	assert_int_equal(eol_levels_parse("256 597 853", &l, msg,
	    sizeof(msg)), 0);
	assert_int_equal(l.short_below, 256);
	assert_int_equal(l.normal_below, 597);
	assert_int_equal(l.active_below, 853);
	assert_int_equal(eol_levels_parse(" -10,\t0 , 4095 ", &l, msg,
	    sizeof(msg)), 0);
	assert_int_equal(l.short_below, -10);
	assert_int_equal(l.active_below, 4095);
	/* Out of order, or equal: refused, l as it was. */
	assert_int_equal(eol_levels_parse("100 50 900", &l, msg, sizeof(msg)),
	    -1);
	assert_non_null(strstr(msg, "100 50 900: the thresholds must "
	    "increase"));
	assert_int_equal(eol_levels_parse("100 900 900", &l, msg,
	    sizeof(msg)), -1);
	assert_int_equal(l.short_below, -10);
	/* Not three numbers. */
	static const char *const bad[] = { "", "1 2", "1 2 3 4", "a b c",
	    "1 2 3x", "1.5 2 3", "1 2 99999999999", "1;2;3" };
	for (size_t i = 0; i < nitems(bad); i++) {
		assert_int_equal(eol_levels_parse(bad[i], &l, msg,
		    sizeof(msg)), -1);
		assert_non_null(strstr(msg, "three whole numbers expected"));
	}
}

/* The IIO backend on a plain file: as the kernel's, read afresh each
 * time, and a failure is a -1 with why, never a value. */
static void
test_iio_backend(void **state)
{
	char dir[] = "/tmp/test_eol.XXXXXX", path[64], why[200];
	void *a;
	int32_t raw = -7;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/in_voltage0_raw", dir);
	assert_non_null(a = analog_iio_ops.open(path));
	/* Not there yet: a driver not loaded. */
	assert_int_equal(analog_iio_ops.read(a, &raw, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "No such file"));
	assert_int_equal(raw, -7);

	static const struct { const char *text; int ok; int32_t v; } cases[] = {
		{ "512\n", 1, 512 }, { "0", 1, 0 }, { "-12\n", 1, -12 },
		{ "4095 \n", 1, 4095 }, { "", 0, 0 }, { "\n", 0, 0 },
		{ "abc\n", 0, 0 }, { "12abc\n", 0, 0 }, { "1 2\n", 0, 0 },
		{ "99999999999\n", 0, 0 },
		{ "000000000000000000000000000000000000000001\n", 0, 0 },
	};
	for (size_t i = 0; i < nitems(cases); i++) {
		assert_non_null(f = fopen(path, "w"));
		fputs(cases[i].text, f);
		assert_int_equal(fclose(f), 0);
		raw = -7;
		if (cases[i].ok) {
			assert_int_equal(analog_iio_ops.read(a, &raw, why,
			    sizeof(why)), 0);
			assert_int_equal(raw, cases[i].v);
		} else {
			assert_int_equal(analog_iio_ops.read(a, &raw, why,
			    sizeof(why)), -1);
			assert_non_null(strstr(why, "not a number"));
			assert_int_equal(raw, -7);
		}
	}
	assert_int_equal(unlink(path), 0);
	assert_int_equal(analog_iio_ops.read(a, &raw, why, sizeof(why)), -1);
	/* A FIFO named by mistake: a reading error at once, not a loop
	 * blocked for ever in open() waiting for a writer (the alarm ends
	 * the test if it does). */
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5);
	assert_int_equal(analog_iio_ops.read(a, &raw, why, sizeof(why)), -1);
	alarm(0);
	assert_int_equal(raw, -7);
	assert_int_equal(unlink(path), 0);
	analog_iio_ops.close(a);
	analog_iio_ops.close(NULL);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_edges),
		cmocka_unit_test(test_debounce),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_levels_parse),
		cmocka_unit_test(test_iio_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
