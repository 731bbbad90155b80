/*
 * The lane's prompts are total: every reason of types.h, every lane
 * state and every way has a prompt in every language, none empty, each
 * with its own name; the ids cover the clips' array exactly.  The tables
 * are walked by their enums, so a reason appended to types.h without a
 * prompt fails this test by its name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sound_msg.h"
#include "types.h"

static void
assert_prompt(int id, enum screen_lang lang)
{
	const char *s = sound_prompt_text(id, lang);
	char name[64];

	if (s == NULL || s[0] == '\0')
		fail_msg("%s has no prompt in %s",
		    sound_prompt_name(id, name, sizeof(name)),
		    screen_lang_name(lang));
}

static void
test_every_reason(void **state)
{
	(void)state;
	for (int l = 0; l < SCREEN_LANG_COUNT; l++)
		for (int r = 0; r < REASON_COUNT; r++)
			assert_prompt(sound_prompt_reason((enum reason)r),
			    (enum screen_lang)l);
}

static void
test_every_state_and_way(void **state)
{
	(void)state;
	for (int l = 0; l < SCREEN_LANG_COUNT; l++) {
		for (int s = 0; s < SCREEN_STATE_COUNT; s++)
			assert_prompt(sound_prompt_state((enum screen_state)s),
			    (enum screen_lang)l);
		for (int d = 0; d < DIR_COUNT; d++)
			assert_prompt(sound_prompt_way((enum direction)d),
			    (enum screen_lang)l);
	}
}

/* Every id is reached once, and each has a name of its own (the file
 * backend's WAVs and the log are named by it). */
static void
test_ids_and_names(void **state)
{
	char seen[SOUND_PROMPT_COUNT] = { 0 };
	char a[64], b[64];
	int id;

	(void)state;
	for (int r = 0; r < REASON_COUNT; r++)
		seen[sound_prompt_reason((enum reason)r)]++;
	for (int s = 0; s < SCREEN_STATE_COUNT; s++)
		seen[sound_prompt_state((enum screen_state)s)]++;
	for (int d = 0; d < DIR_COUNT; d++)
		seen[sound_prompt_way((enum direction)d)]++;
	for (id = 0; id < SOUND_PROMPT_COUNT; id++) {
		assert_int_equal(seen[id], 1);
		sound_prompt_name(id, a, sizeof(a));
		assert_string_not_equal(a, "?");
		assert_null(strchr(a, ' '));
		for (int j = 0; j < id; j++)
			assert_string_not_equal(a,
			    sound_prompt_name(j, b, sizeof(b)));
	}
	assert_string_equal(sound_prompt_name(sound_prompt_reason(
	    REASON_EXPIRED), a, sizeof(a)), "reason-expired");
	assert_string_equal(sound_prompt_name(sound_prompt_state(
	    SCREEN_FIRE_ALARM), a, sizeof(a)), "state-fire-alarm");
	assert_string_equal(sound_prompt_name(sound_prompt_way(DIR_ENTRY), a,
	    sizeof(a)), "way-entry");
}

static void
test_out_of_range(void **state)
{
	char a[64];

	(void)state;
	assert_int_equal(sound_prompt_reason(REASON_COUNT), -1);
	assert_int_equal(sound_prompt_state(SCREEN_STATE_COUNT), -1);
	assert_int_equal(sound_prompt_way(DIR_COUNT), -1);
	assert_null(sound_prompt_text(SOUND_PROMPT_COUNT, SCREEN_LANG_VI));
	assert_null(sound_prompt_text(-1, SCREEN_LANG_VI));
	assert_null(sound_prompt_text(0, SCREEN_LANG_COUNT));
	assert_string_equal(sound_prompt_name(SOUND_PROMPT_COUNT, a,
	    sizeof(a)), "?");
}

/* The issue's own words. */
static void
test_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(sound_prompt_text(sound_prompt_way(DIR_ENTRY),
	    SCREEN_LANG_VI), "Mời vào");
	assert_string_equal(sound_prompt_text(sound_prompt_reason(
	    REASON_EXPIRED), SCREEN_LANG_VI), "Thẻ hết hạn");
	assert_string_equal(sound_prompt_text(sound_prompt_reason(
	    REASON_WRONG_LANE), SCREEN_LANG_VI), "Sai làn");
	assert_string_equal(sound_prompt_text(sound_prompt_reason(
	    REASON_REPLAYED), SCREEN_LANG_VI), "Mã đã được dùng");
	assert_string_equal(sound_prompt_text(sound_prompt_reason(
	    REASON_CLOCK_UNSYNCED), SCREEN_LANG_VI), "Đồng hồ chưa đồng bộ");
	assert_string_equal(sound_prompt_text(sound_prompt_state(
	    SCREEN_FIRE_ALARM), SCREEN_LANG_VI), "Có cháy, mời ra ngoài");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reason),
		cmocka_unit_test(test_every_state_and_way),
		cmocka_unit_test(test_ids_and_names),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_vietnamese),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
