/*
 * Masking of subjects: how much of an id the log may show, short and
 * non-ASCII subjects, and truncation into small buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mask.h"

static void
assert_mask(enum mask_mode mode, const char *subject, const char *want)
{
	char out[128];

	memset(out, 0x5a, sizeof(out));
	mask_subject(mode, subject, out, sizeof(out));
	assert_string_equal(out, want);
}

static void
test_last4(void **state)
{
	(void)state;
	assert_mask(MASK_LAST4, "079190001234", "********1234");
	assert_mask(MASK_LAST4, "W-0001", "**0001");
	assert_mask(MASK_LAST4, "12345", "*2345");
	/* Four characters or fewer are never shown whole. */
	assert_mask(MASK_LAST4, "W01", "***");
	assert_mask(MASK_LAST4, "1234", "****");
	assert_mask(MASK_LAST4, "A", "*");
	assert_mask(MASK_LAST4, "", "");
	assert_mask(MASK_LAST4, NULL, "");
}

static void
test_last4_non_ascii(void **state)
{
	(void)state;
	/* "Đức" is 6 bytes; "x1234é" ends in a 2-byte character. */
	assert_mask(MASK_LAST4, "Đức", "******");
	assert_mask(MASK_LAST4, "Đ12345678", "**********");
	assert_mask(MASK_LAST4, "x1234é", "*******");
	assert_mask(MASK_LAST4, "12345678\xff", "*********");
}

static void
test_none(void **state)
{
	(void)state;
	assert_mask(MASK_NONE, "079190001234", "079190001234");
	assert_mask(MASK_NONE, "W01", "W01");
	assert_mask(MASK_NONE, "Đức", "Đức");
	assert_mask(MASK_NONE, "", "");
	assert_mask(MASK_NONE, NULL, "");
}

static void
test_unknown_mode(void **state)
{
	(void)state;
	/* A mode this build does not know shows nothing of the subject. */
	assert_mask(MASK_MODE_COUNT, "079190001234", "************");
	assert_mask((enum mask_mode)-1, "W-0001", "******");
}

static void
test_truncation(void **state)
{
	char out[8];

	(void)state;
	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_LAST4, "079190001234", out, 5);
	assert_string_equal(out, "****");
	assert_int_equal((unsigned char)out[5], 0x5a);

	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_LAST4, "079190001234", out, sizeof(out));
	assert_string_equal(out, "*******");

	/* Room for 7 of 10: the masked prefix and one shown digit. */
	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_LAST4, "0791901234", out, sizeof(out));
	assert_string_equal(out, "******1");

	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_NONE, "079190001234", out, sizeof(out));
	assert_string_equal(out, "0791900");

	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_NONE, "079190001234", out, 1);
	assert_int_equal(out[0], '\0');
	assert_int_equal((unsigned char)out[1], 0x5a);

	/* No room at all: nothing is written. */
	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_LAST4, "079190001234", out, 0);
	assert_int_equal((unsigned char)out[0], 0x5a);
	mask_subject(MASK_LAST4, "079190001234", NULL, 16);

	/* Exactly fitting. */
	memset(out, 0x5a, sizeof(out));
	mask_subject(MASK_LAST4, "W-0001", out, 7);
	assert_string_equal(out, "**0001");
}

static void
initials_is(const char *name, const char *want)
{
	char out[64];

	memset(out, 0x5a, sizeof(out));
	mask_name_initials(name, out, sizeof(out));
	assert_string_equal(out, want);
}

static void
test_initials(void **state)
{
	(void)state;
	initials_is("Nguyen Van An", "N. V. A.");
	/* The whole first character, of 2, 3 or 4 bytes. */
	initials_is("Nguyễn Thị Hồng Nhung", "N. T. H. N.");
	initials_is("Đặng Ánh", "Đ. Á.");
	initials_is("ấn", "ấ.");
	initials_is("\xf0\x9f\x98\x80x y", "\xf0\x9f\x98\x80. y.");
	/* Spaces, tabs and line breaks between and around the words. */
	initials_is("  Lê\t\tVăn \r\n Cường  ", "L. V. C.");
	initials_is("An", "A.");
	initials_is("", "");
	initials_is("   ", "");
	initials_is(NULL, "");
	/* A broken or truncated character shows as '?', never half of it. */
	initials_is("\xff\xfe An", "?. A.");
	initials_is("\xe1\xba Bình", "?. B.");
	initials_is("\xc0\x80x", "?.");
	initials_is("\xed\xa0\x80 x", "?. x.");
}

static void
test_initials_truncation(void **state)
{
	char out[16];

	(void)state;
	/* "N. V. A." needs 9 bytes: with 8 the last initial is left out. */
	mask_name_initials("Nguyen Van An", out, 9);
	assert_string_equal(out, "N. V. A.");
	mask_name_initials("Nguyen Van An", out, 8);
	assert_string_equal(out, "N. V.");
	/* A character never cut: Ễ is 3 bytes, and "Ễ." 5 with the NUL. */
	mask_name_initials("Ễ", out, 4);
	assert_string_equal(out, "");
	mask_name_initials("Ễ", out, 5);
	assert_string_equal(out, "\xe1\xbb\x84.");
	mask_name_initials("A", out, 1);
	assert_string_equal(out, "");
	memset(out, 0x5a, sizeof(out));
	mask_name_initials("A", out, 0);
	assert_int_equal((unsigned char)out[0], 0x5a);
	mask_name_initials("A", NULL, 16);
}

/* What may not be published: any run of 12 digits, wherever it sits. */
static void
test_citizen_number(void **state)
{
	(void)state;
	assert_true(mask_has_citizen_number("079190001234"));
	assert_true(mask_has_citizen_number("C-079190001234"));
	assert_true(mask_has_citizen_number("x0791900012345y"));
	assert_false(mask_has_citizen_number("C-07919000123"));
	assert_false(mask_has_citizen_number("0791-9000-1234"));
	assert_false(mask_has_citizen_number("********1234"));
	assert_false(mask_has_citizen_number(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last4),
		cmocka_unit_test(test_last4_non_ascii),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_unknown_mode),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_citizen_number),
		cmocka_unit_test(test_initials),
		cmocka_unit_test(test_initials_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
