/*
 * The settings engine on a table of its own, apart from the gate's and
 * the aggregator's: one value from text, the loader's FILE:LINE errors in
 * line order, -o overrides, a type of the program's own, the example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "settings.h"

struct demo {
	char name[8];
	char note[16];
	int count;
	bool on;
	int mode;
	char pair[2][4];	/* "a:b" */
};

static int
demo_pair_set(const struct setting *s, void *base, const char *v, char *msg,
    size_t len)
{
	struct demo *d = base;
	const char *colon = strchr(v, ':');

	(void)s;
	if (colon == NULL || colon - v >= 4 || strlen(colon + 1) >= 4) {
		snprintf(msg, len, "not a pair");
		return -1;
	}
	snprintf(d->pair[0], sizeof(d->pair[0]), "%.*s", (int)(colon - v), v);
	snprintf(d->pair[1], sizeof(d->pair[1]), "%s", colon + 1);
	return 0;
}

static void
demo_pair_describe(const struct setting *s, FILE *f)
{
	(void)s;
	fprintf(f, "# pair: A:B\n");
}

static const struct setting_ops demo_pair_ops = {
	.set = demo_pair_set,
	.describe = demo_pair_describe,
};

static const struct setting_choice demo_modes[] = {
	{ "slow", 1 }, { "fast", 2 }, { NULL, 0 }
};

static const struct setting_section demo_sections[] = {
	{ "a", "Section a." },
	{ "b", "Section b." },
};

static const struct setting demo_settings[] = {
	{ .section = "a", .key = "name", .type = SETTING_STRING,
	  .offset = offsetof(struct demo, name), .size = 8, .nonempty = true,
	  .def = "demo", .meaning = "A name." },
	{ .section = "a", .key = "note", .type = SETTING_STRING,
	  .offset = offsetof(struct demo, note), .size = 16, .def = "",
	  .meaning = "A note." },
	{ .section = "a", .key = "count", .type = SETTING_INT,
	  .offset = offsetof(struct demo, count), .min = 1, .max = 9,
	  .def = "3", .meaning = "A count." },
	{ .section = "b", .key = "on", .type = SETTING_BOOL,
	  .offset = offsetof(struct demo, on), .def = "false",
	  .meaning = "A switch." },
	{ .section = "b", .key = "mode", .type = SETTING_ENUM,
	  .offset = offsetof(struct demo, mode), .choices = demo_modes,
	  .def = "slow", .meaning = "A mode." },
	{ .section = "b", .key = "pair", .type = SETTING_CUSTOM,
	  .offset = offsetof(struct demo, pair), .ops = &demo_pair_ops,
	  .def = "x:y", .meaning = "A pair." },
};

static const struct settings demo_table = {
	.sections = demo_sections,
	.nsections = sizeof(demo_sections) / sizeof(demo_sections[0]),
	.settings = demo_settings,
	.nsettings = sizeof(demo_settings) / sizeof(demo_settings[0]),
};

static void
expect_set_error(struct demo *d, const char *section, const char *key,
    const char *value, const char *want)
{
	char err[320];

	assert_int_equal(settings_set(&demo_table, d, section, key, value, err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_settings_set(void **state)
{
	struct demo d;
	char err[320];

	(void)state;
	settings_defaults(&demo_table, &d, sizeof(d));
	assert_string_equal(d.name, "demo");
	assert_int_equal(d.count, 3);
	assert_false(d.on);
	assert_int_equal(d.mode, 1);
	assert_string_equal(d.pair[0], "x");
	assert_string_equal(d.pair[1], "y");

	assert_int_equal(settings_set(&demo_table, &d, "b", "on", "ON", err,
	    sizeof(err)), 0);
	assert_true(d.on);
	assert_int_equal(settings_set(&demo_table, &d, "b", "mode", "fast",
	    err, sizeof(err)), 0);
	assert_int_equal(d.mode, 2);

	expect_set_error(&d, "c", "x", "1", "unknown section [c]");
	expect_set_error(&d, "a", "x\033", "1", "unknown key a.x?");
	expect_set_error(&d, "b", "on", "maybe",
	    "b.on: \"maybe\" is not a boolean (true/false/yes/no/on/off/1/0)");
	expect_set_error(&d, "a", "count", "10", "a.count: 10 is out of range 1..9");
	expect_set_error(&d, "a", "count", " 1", "a.count: \" 1\" is not an integer");
	expect_set_error(&d, "a", "name", "", "a.name: must not be empty");
	expect_set_error(&d, "a", "name", "12345678",
	    "a.name: \"12345678\" is too long (8 characters, at most 7)");
	expect_set_error(&d, "b", "mode", "medium",
	    "b.mode: \"medium\" is not one of slow, fast");
	expect_set_error(&d, "b", "pair", "xy", "b.pair: not a pair");
	/* A failed value leaves the field as it was. */
	assert_string_equal(d.name, "demo");
	assert_int_equal(d.mode, 2);
}

static void
test_settings_load(void **state)
{
	static const char text[] =
	    "[a]\n"
	    "name = ok\n"
	    "nmae = typo\n"
	    "[b]\n"
	    "pair = ab:\n"
	    "  cd\n"
	    "on = perhaps\n"
	    "[zz]\n"
	    "x = 1\n"
	    "y = 2\n";
	const char *o[] = { "a.count=7", "b.mode=fast", "a.count=0", "nodot=1" };
	char path[] = "/tmp/test_settings.XXXXXX";
	struct settings_errors errs;
	struct demo d;
	FILE *f;
	int fd;
	char want[5][320];

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);

	settings_defaults(&demo_table, &d, sizeof(d));
	assert_int_equal(settings_load(&demo_table, &d, path, o, 3, &errs), 4);
	snprintf(want[0], sizeof(want[0]), "%s:3: unknown key a.nmae", path);
	snprintf(want[1], sizeof(want[1]), "%s:7: b.on: \"perhaps\" is not a "
	    "boolean (true/false/yes/no/on/off/1/0)", path);
	snprintf(want[2], sizeof(want[2]), "%s:8: unknown section [zz]", path);
	for (int i = 0; i < 3; i++)
		assert_string_equal(errs.msg[i], want[i]);
	assert_string_equal(errs.msg[3], "-o a.count=0: a.count: 0 is out of "
	    "range 1..9");
	/* What was read is in place, the continued value joined. */
	assert_string_equal(d.name, "ok");
	assert_string_equal(d.pair[0], "ab");
	assert_string_equal(d.pair[1], "cd");
	assert_int_equal(d.count, 7);
	assert_int_equal(d.mode, 2);

	/* No file: only the overrides. */
	settings_defaults(&demo_table, &d, sizeof(d));
	assert_int_equal(settings_load(&demo_table, &d, NULL, &o[3], 1, &errs),
	    1);
	assert_string_equal(errs.msg[0], "-o nodot=1: expected "
	    "section.key=value");
	unlink(path);
	assert_int_equal(settings_load(&demo_table, &d, path, NULL, 0, &errs),
	    1);
	snprintf(want[4], sizeof(want[4]), "%s: cannot open: No such file or "
	    "directory", path);
	assert_string_equal(errs.msg[0], want[4]);
}

static void
test_settings_example(void **state)
{
	static const char want[] =
	    "\n# Section a.\n[a]\n"
	    "\n# A name.\n# text, 1 to 7 characters\nname = demo\n"
	    "\n# A note.\n# text, at most 15 characters, may be empty\nnote =\n"
	    "\n# A count.\n# integer, 1..9\ncount = 3\n"
	    "\n# Section b.\n[b]\n"
	    "\n# A switch.\n# boolean: true/false (or yes/no, on/off, 1/0)\n"
	    "on = false\n"
	    "\n# A mode.\n# one of: slow, fast\nmode = slow\n"
	    "\n# A pair.\n# pair: A:B\npair = x:y\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	settings_example_write(&demo_table, f);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void
test_settings_quote(void **state)
{
	char out[16];

	(void)state;
	settings_quote("a\tb\x7f", 40, out, sizeof(out));
	assert_string_equal(out, "a?b?");
	settings_quote("abcdefgh", 4, out, sizeof(out));
	assert_string_equal(out, "abcd...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_set),
		cmocka_unit_test(test_settings_load),
		cmocka_unit_test(test_settings_example),
		cmocka_unit_test(test_settings_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
