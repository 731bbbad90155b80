/*
 * The screen's words are total: every reason of types.h (what decide()
 * and the lane can say), every way and every screen state has words in
 * every language, and none is empty.  The tables are walked by their
 * enums, so a reason appended to types.h without words here fails this
 * test by its name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "screen_msg.h"
#include "types.h"

static void
assert_words(const char *what, const char *name, enum screen_lang lang,
    const char *s)
{
	if (s == NULL || s[0] == '\0')
		fail_msg("%s %s has no words in %s", what, name,
		    screen_lang_name(lang));
}

static void
test_every_reason(void **state)
{
	(void)state;
	for (int l = 0; l < SCREEN_LANG_COUNT; l++)
		for (int r = 0; r < REASON_COUNT; r++)
			assert_words("reason", reason_name((enum reason)r),
			    (enum screen_lang)l,
			    screen_msg_reason((enum reason)r, (enum screen_lang)l));
}

static void
test_every_state(void **state)
{
	(void)state;
	for (int l = 0; l < SCREEN_LANG_COUNT; l++)
		for (int s = 0; s < SCREEN_STATE_COUNT; s++) {
			struct screen_words w = screen_msg_state(
			    (enum screen_state)s, (enum screen_lang)l);

			assert_words("state title", screen_state_name(s),
			    (enum screen_lang)l, w.title);
			assert_words("state hint", screen_state_name(s),
			    (enum screen_lang)l, w.hint);
			assert_string_not_equal(screen_state_name(s), "?");
			assert_int_equal(screen_state_from_name(
			    screen_state_name(s)), s);
		}
}

static void
test_every_way(void **state)
{
	(void)state;
	for (int l = 0; l < SCREEN_LANG_COUNT; l++)
		for (int d = 0; d < DIR_COUNT; d++)
			assert_words("way", direction_name((enum direction)d),
			    (enum screen_lang)l,
			    screen_msg_way((enum direction)d, (enum screen_lang)l));
}

/* The issue's own words, and Vietnamese written with its marks. */
static void
test_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(screen_msg_reason(REASON_EXPIRED, SCREEN_LANG_VI),
	    "Thẻ đã hết hạn");
	assert_string_equal(screen_msg_reason(REASON_WRONG_LANE, SCREEN_LANG_VI),
	    "Sai làn");
	assert_string_equal(screen_msg_reason(REASON_REPLAYED, SCREEN_LANG_VI),
	    "Mã đã được dùng");
	assert_string_equal(screen_msg_reason(REASON_CLOCK_UNSYNCED,
	    SCREEN_LANG_VI), "Đồng hồ chưa đồng bộ");
	assert_string_equal(screen_msg_state(SCREEN_IDLE, SCREEN_LANG_VI).title,
	    "Đưa mã QR vào khung");
	assert_string_equal(screen_msg_reason(REASON_EXPIRED, SCREEN_LANG_EN),
	    "Badge has expired");
}

static void
test_out_of_range(void **state)
{
	(void)state;
	assert_null(screen_msg_reason(REASON_COUNT, SCREEN_LANG_VI));
	assert_null(screen_msg_reason(REASON_EXPIRED, SCREEN_LANG_COUNT));
	assert_null(screen_msg_way(DIR_COUNT, SCREEN_LANG_EN));
	assert_null(screen_msg_state(SCREEN_STATE_COUNT, SCREEN_LANG_VI).title);
	assert_string_equal(screen_state_name(SCREEN_STATE_COUNT), "?");
	assert_int_equal(screen_state_from_name("happy"), -1);
}

static void
test_lang_names(void **state)
{
	(void)state;
	assert_int_equal(screen_lang_from_name("vi"), SCREEN_LANG_VI);
	assert_int_equal(screen_lang_from_name("en"), SCREEN_LANG_EN);
	assert_int_equal(screen_lang_from_name("fr"), -1);
	assert_int_equal(screen_lang_from_name(NULL), -1);
	assert_string_equal(screen_lang_name(SCREEN_LANG_VI), "vi");
	assert_string_equal(screen_lang_name(SCREEN_LANG_COUNT), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reason),
		cmocka_unit_test(test_every_state),
		cmocka_unit_test(test_every_way),
		cmocka_unit_test(test_vietnamese),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_lang_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
