/*
 * Keyboard-wedge scanners without a device (hal/reader_wedge.c): the US
 * keymap with shift, and key events cut into codes by Enter, by a pause
 * and by the bound; the evdev backend's refusals.  Key codes are written as numbers, the kernel's
 * published values (include/uapi/linux/input-event-codes.h), so that the
 * test does not share the backend's constants.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reader.h"
#include "reader_wedge.h"

#define MS	INT64_C(1000000)
#define T0	(INT64_C(7000) * MS)

enum {
	K_1 = 2, K_0 = 11, K_MINUS = 12, K_EQUAL = 13, K_TAB = 15, K_Q = 16,
	K_W = 17, K_ENTER = 28, K_LEFTCTRL = 29, K_A = 30,
	K_SEMICOLON = 39, K_APOSTROPHE = 40, K_GRAVE = 41, K_LEFTSHIFT = 42,
	K_BACKSLASH = 43, K_Z = 44, K_M = 50, K_COMMA = 51, K_DOT = 52,
	K_SLASH = 53, K_RIGHTSHIFT = 54, K_KPASTERISK = 55, K_LEFTALT = 56,
	K_SPACE = 57, K_CAPSLOCK = 58, K_F1 = 59, K_KP7 = 71, K_KP0 = 82,
	K_KPDOT = 83, K_KPENTER = 96, K_KPSLASH = 98,
};

/*
 * The US layout written out by rows, as printed on the keys: from each
 * row's first key code, the characters unshifted and shifted.
 */
static const struct {
	int first;
	const char *plain, *shifted;
} us_rows[] = {
	{ 2, "1234567890-=", "!@#$%^&*()_+" },
	{ 16, "qwertyuiop[]", "QWERTYUIOP{}" },
	{ 30, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
	{ 43, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
};

static void
test_keymap_us_layout_every_printable(void **state)
{
	int seen = 0;

	(void)state;
	for (size_t r = 0; r < sizeof(us_rows) / sizeof(us_rows[0]); r++)
		for (size_t i = 0; us_rows[r].plain[i] != '\0'; i++) {
			unsigned int code = us_rows[r].first + (unsigned)i;

			assert_int_equal(reader_wedge_char(code, false),
			    (unsigned char)us_rows[r].plain[i]);
			assert_int_equal(reader_wedge_char(code, true),
			    (unsigned char)us_rows[r].shifted[i]);
			seen += 2;
		}
	assert_int_equal(reader_wedge_char(K_SPACE, false), ' ');
	/* 94 printable characters besides the space, each on one key. */
	assert_int_equal(seen, 94);
}

static void
test_keymap_keypad_enter_and_silent_keys(void **state)
{
	(void)state;
	assert_int_equal(reader_wedge_char(K_KP7, false), '7');
	assert_int_equal(reader_wedge_char(K_KP7, true), '7');
	assert_int_equal(reader_wedge_char(K_KP0, false), '0');
	assert_int_equal(reader_wedge_char(K_KPDOT, false), '.');
	assert_int_equal(reader_wedge_char(K_KPSLASH, false), '/');
	assert_int_equal(reader_wedge_char(K_KPASTERISK, false), '*');
	assert_int_equal(reader_wedge_char(K_ENTER, false), '\n');
	assert_int_equal(reader_wedge_char(K_KPENTER, false), '\n');
	assert_int_equal(reader_wedge_char(K_TAB, false), '\t');
	/* Modifiers and function keys type nothing; nor does a code past
	 * the table or a huge one. */
	assert_int_equal(reader_wedge_char(K_LEFTSHIFT, false), -1);
	assert_int_equal(reader_wedge_char(K_LEFTCTRL, false), -1);
	assert_int_equal(reader_wedge_char(K_LEFTALT, false), -1);
	assert_int_equal(reader_wedge_char(K_CAPSLOCK, false), -1);
	assert_int_equal(reader_wedge_char(K_F1, false), -1);
	assert_int_equal(reader_wedge_char(0, false), -1);
	assert_int_equal(reader_wedge_char(0x2ff, true), -1);
	assert_int_equal(reader_wedge_char(UINT32_MAX, false), -1);
}

/* Presses and releases code at t. */
static int
tap(struct reader_wedge *w, unsigned int code, int64_t t)
{
	int r = reader_wedge_key(w, code, 1, t);

	assert_int_equal(reader_wedge_key(w, code, 0, t), READER_WEDGE_MORE);
	return r;
}

static void
assert_code(const struct reader_wedge *w, const char *want, bool too_long)
{
	struct reader_presentation p;

	reader_frame_take(&w->fr, &p);
	assert_int_equal(p.kind, READER_CODE);
	assert_int_equal(p.len, strlen(want));
	assert_memory_equal(p.data, want, p.len);
	assert_int_equal(p.too_long, too_long);
}

static void
test_wedge_shifted_code_ended_by_enter(void **state)
{
	struct reader_wedge w;
	int64_t t = T0;

	(void)state;
	reader_wedge_init(&w, 1024, 100);
	/* "W-0001": shift held for the W only, as scanners type it. */
	assert_int_equal(reader_wedge_key(&w, K_LEFTSHIFT, 1, t), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_W, t += MS), READER_WEDGE_MORE);
	assert_int_equal(reader_wedge_key(&w, K_LEFTSHIFT, 0, t), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_MINUS, t += MS), READER_WEDGE_MORE);
	for (int i = 0; i < 3; i++)
		assert_int_equal(tap(&w, K_0, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_1, t += MS), READER_WEDGE_MORE);
	assert_int_equal(reader_frame_deadline(&w.fr), t + 100 * MS);
	assert_int_equal(tap(&w, K_ENTER, t += MS), READER_WEDGE_ENDED);
	assert_code(&w, "W-0001", false);
	assert_int_equal(reader_frame_deadline(&w.fr), 0);
	/* The right shift too; an Enter alone is no code. */
	assert_int_equal(reader_wedge_key(&w, K_RIGHTSHIFT, 1, t), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_SEMICOLON, t += MS), READER_WEDGE_MORE);
	assert_int_equal(reader_wedge_key(&w, K_RIGHTSHIFT, 0, t), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_SEMICOLON, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_KPENTER, t += MS), READER_WEDGE_ENDED);
	assert_code(&w, ":;", false);
	assert_int_equal(tap(&w, K_ENTER, t += MS), READER_WEDGE_MORE);
}

static void
test_wedge_ignores_repeat_capslock_and_modifiers(void **state)
{
	struct reader_wedge w;
	int64_t t = T0;

	(void)state;
	reader_wedge_init(&w, 1024, 100);
	assert_int_equal(tap(&w, K_CAPSLOCK, t), READER_WEDGE_MORE);
	assert_int_equal(reader_wedge_key(&w, K_A, 1, t += MS), READER_WEDGE_MORE);
	assert_int_equal(reader_wedge_key(&w, K_A, 2, t += MS), READER_WEDGE_MORE);
	assert_int_equal(reader_wedge_key(&w, K_A, 2, t += MS), READER_WEDGE_MORE);
	assert_int_equal(reader_wedge_key(&w, K_A, 0, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_LEFTCTRL, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_F1, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_Z, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_ENTER, t += MS), READER_WEDGE_ENDED);
	assert_code(&w, "az", false);
}

static void
test_wedge_pause_ends_a_code(void **state)
{
	struct reader_wedge w;
	int64_t t = T0;

	(void)state;
	reader_wedge_init(&w, 1024, 100);
	assert_int_equal(tap(&w, K_Q, t), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_1, t += 99 * MS), READER_WEDGE_MORE);
	/* Silent until just before the gap: nothing ends; at the gap the
	 * code ends with the time of its last key. */
	assert_false(reader_frame_expire(&w.fr, t + 99 * MS));
	/* A key after the gap: the code before it ends, the key is not
	 * taken and is given again. */
	t += 100 * MS;
	assert_int_equal(reader_wedge_key(&w, K_M, 1, t), READER_WEDGE_PAUSED);
	assert_code(&w, "q1", false);
	assert_int_equal(reader_wedge_key(&w, K_M, 1, t), READER_WEDGE_MORE);
	assert_true(reader_frame_expire(&w.fr, t + 100 * MS));
	assert_code(&w, "m", false);
	{
		struct reader_presentation p;

		reader_frame_take(&w.fr, &p);
		assert_int_equal(p.ts_ns, t);
	}
	assert_false(reader_frame_expire(&w.fr, t + 500 * MS));
}

static void
test_wedge_bound_cuts_and_marks_too_long(void **state)
{
	struct reader_wedge w;
	char want[17];
	int64_t t = T0;

	(void)state;
	reader_wedge_init(&w, 16, 100);
	for (int i = 0; i < 40; i++)
		assert_int_equal(tap(&w, K_1, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_ENTER, t += MS), READER_WEDGE_ENDED);
	memset(want, '1', 16);
	want[16] = '\0';
	assert_code(&w, want, true);
	/* Exactly the bound is not too long, and the next code is whole. */
	for (int i = 0; i < 16; i++)
		assert_int_equal(tap(&w, K_0, t += MS), READER_WEDGE_MORE);
	assert_int_equal(tap(&w, K_ENTER, t += MS), READER_WEDGE_ENDED);
	memset(want, '0', 16);
	assert_code(&w, want, false);
}

/*
 * The evdev backend itself needs an input device: this host's container
 * has neither /dev/input nor /dev/uinput, so typing through uinput is the
 * system tier's (a guest with uinput.ko).  Here: it is built in when
 * libevdev was found, and refuses what is not an input device.
 */
static void
test_evdev_open_refuses_what_is_no_input_device(void **state)
{
	struct reader_config cfg = {
		.device = "/dev/null", .timeout_ms = 100, .max_payload = 1024,
	};
	const struct reader_ops *ops = reader_find("evdev");

	(void)state;
#ifdef CONFIG_READER_EVDEV
	assert_non_null(ops);
	assert_string_equal(ops->source, "scanner");
	assert_null(ops->open(&cfg));
	cfg.device = "/nonexistent/event0";
	assert_null(ops->open(&cfg));
	assert_int_equal(errno, ENOENT);
#else
	(void)cfg;
	assert_null(ops);
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keymap_us_layout_every_printable),
		cmocka_unit_test(test_keymap_keypad_enter_and_silent_keys),
		cmocka_unit_test(test_wedge_shifted_code_ended_by_enter),
		cmocka_unit_test(test_wedge_ignores_repeat_capslock_and_modifiers),
		cmocka_unit_test(test_wedge_pause_ends_a_code),
		cmocka_unit_test(test_wedge_bound_cuts_and_marks_too_long),
		cmocka_unit_test(test_evdev_open_refuses_what_is_no_input_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
