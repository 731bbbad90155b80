/*
 * The configuration: defaults, the INI loader and its error messages (file
 * and line of every mistake, not only the first), -o overrides, the checks
 * between settings, the GPIO line specs, and the committed example and demo
 * configs, which must never drift from the table of settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "confpush.h"
#include "gpio_linespec.h"

#define FILES_MAX	8

/* A fresh directory per test, with the files the test wrote in it. */
struct fixture {
	char dir[64];
	char files[FILES_MAX][128];
	int n_files;
};

static int
fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	for (int i = 0; i < fx->n_files; i++)
		unlink(fx->files[i]);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Writes len bytes of text to a new file in the test's directory. */
static const char *
fixture_write_bytes(struct fixture *fx, const char *name, const char *text,
    size_t len)
{
	char tmp[sizeof(fx->files[0])], *path;
	FILE *f;

	assert_true(fx->n_files < FILES_MAX);
	snprintf(tmp, sizeof(tmp), "%s/%s", fx->dir, name);
	path = fx->files[fx->n_files++];
	memcpy(path, tmp, sizeof(tmp));
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *
fixture_write(struct fixture *fx, const char *name, const char *text)
{
	return fixture_write_bytes(fx, name, text, strlen(text));
}

/* Asserts that errs holds exactly the n messages given. */
static void
assert_errors(const struct config_errors *errs, int n, ...)
{
	va_list ap;

	for (int i = 0; i < errs->count && i < CONFIG_MAX_ERRORS; i++)
		print_message("error %d: %s\n", i, errs->msg[i]);
	assert_int_equal(errs->count, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(errs->msg[i], va_arg(ap, const char *));
	va_end(ap);
}

static const char *
srcdir(void)
{
	const char *d = getenv("QRGATE_SRCDIR");

	return d != NULL && d[0] != '\0' ? d : ".";
}

static void
test_defaults(void **state)
{
	struct config c, d;
	struct config_errors errs;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(config_load(&c, NULL, NULL, 0, &errs), 0);
	assert_int_equal(errs.count, 0);

	assert_string_equal(c.gate.id, "gate1");
	assert_string_equal(c.gate.site, "site1");
	assert_string_equal(c.gate.lane, "1");
	assert_string_equal(c.site.timezone, "Asia/Ho_Chi_Minh");
	assert_string_equal(c.camera.backend, "v4l2");
	assert_string_equal(c.camera.source, "/dev/video0");
	assert_int_equal(c.camera.fps, 15);
	assert_false(c.camera.loop);
	assert_int_equal(c.camera.width, 640);
	assert_int_equal(c.camera.height, 480);
	assert_int_equal(c.camera.direction, DIR_ENTRY);
	assert_string_equal(c.decoder.backend, "zbar");
	assert_int_equal(c.decoder.max_payload, 1024);
	assert_int_equal(c.decoder.holdoff_ms, 3000);
	assert_true(c.lane.entry);
	assert_false(c.lane.exit);
	assert_int_equal(c.lane.pulse_ms, 5000);
	assert_int_equal(c.lane.deny_ms, 1500);
	assert_int_equal(c.lane.buzzer_ms, 200);
	assert_int_equal(c.lane.held_open_s, 30);
	assert_false(c.policy.badge);
	/* The number is on the card and on every photocopy of it. */
	assert_int_equal(c.policy.cccd, ACCEPT_VISITORS);
	assert_string_equal(c.security.cccd_key_file, "");
	assert_string_equal(c.gpio.backend, "gpiod");
	assert_string_equal(c.gpio.hw.chip, "gpiochip0");
	assert_string_equal(c.gpio.hw.sim_log, "");
	assert_string_equal(c.gpio.hw.sim_input, "");
	assert_string_equal(c.store.path, "/var/lib/qrgate/qrgate.db");
	assert_int_equal(c.store.synchronous, STORE_SYNC_FULL);
	assert_int_equal(c.store.retention_days, 30);
	assert_int_equal(c.store.mask, MASK_LAST4);
	assert_string_equal(c.control.socket, "/run/qrgate/control.sock");
	assert_string_equal(c.control.group, "");
	assert_int_equal(c.log.level, LOG_LVL_INFO);

	/* Every role's default line. */
	static const struct {
		enum gpio_role role;
		int offset;
		bool active_low;
		enum gpio_bias bias;
		int debounce;
	} lines[] = {
		{ GPIO_ENTRY_RELAY, 17, false, GPIO_BIAS_AS_IS, 0 },
		{ GPIO_EXIT_RELAY, 27, false, GPIO_BIAS_AS_IS, 0 },
		{ GPIO_GREEN_LED, 22, false, GPIO_BIAS_AS_IS, 0 },
		{ GPIO_RED_LED, 23, false, GPIO_BIAS_AS_IS, 0 },
		{ GPIO_BUZZER, 24, false, GPIO_BIAS_AS_IS, 0 },
		{ GPIO_PASSAGE_SENSOR, 5, true, GPIO_BIAS_PULL_UP, 0 },
		{ GPIO_FIRE_ALARM, 6, false, GPIO_BIAS_PULL_UP, 0 },
		{ GPIO_EXIT_BUTTON, 13, true, GPIO_BIAS_PULL_UP, 20000 },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const struct gpio_line_config *lc = &c.gpio.hw.lines[lines[i].role];

		assert_true(lc->used);
		assert_string_equal(lc->chip, "");
		assert_int_equal(lc->offset, lines[i].offset);
		assert_int_equal(lc->active_low, lines[i].active_low);
		assert_int_equal(lc->bias, lines[i].bias);
		assert_int_equal(lc->debounce_us, lines[i].debounce);
	}

	/* config_defaults() gives what a load without a file gives. */
	config_defaults(&d);
	assert_memory_equal(&c, &d, sizeof(c));
}

static void
test_good_file(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	const char *path = fixture_write(fx, "good.conf",
	    "; a comment\n"
	    "# another\n"
	    "[gate]\n"
	    "id = north-1\n"
	    "site=hq\n"
	    "lane = B\n"
	    "\n"
	    "[camera]\n"
	    "backend = file\n"
	    "source = /srv/frames\n"
	    "fps = 120\n"
	    "loop = yes\n"
	    "width = 0\n"
	    "height = 4096\n"
	    "direction = exit\n"
	    "[decoder]\n"
	    "backend = zbar\n"
	    "max_payload = 16\n"
	    "holdoff_ms = 0\n"
	    "[lane]\n"
	    "entry = off\n"
	    "exit = ON\n"
	    "pulse_ms = 100\n"
	    "deny_ms = 10000\n"
	    "buzzer_ms = 0\n"
	    "held_open_s = 3600\n"
	    "[policy]\n"
	    "badge = 1\n"
	    "cccd = 0\n"
	    "[gpio]\n"
	    "backend = sim\n"
	    "chip = /dev/gpiochip4\n"
	    "sim_log = /tmp/gpio.log\n"
	    "sim_input = /tmp/gpio.in\n"
	    "entry_relay =\n"
	    "exit_relay = gpiochip1:7 active-low\n"
	    "green_led = LED_GREEN\n"
	    "passage_sensor = 5 pull-down debounce=1000\n"
	    "fire_alarm = 6 bias-disable\n"
	    "[store]\n"
	    "path = /data/q.db\n"
	    "synchronous = normal\n"
	    "retention_days = 3650\n"
	    "mask = none\n"
	    "[control]\n"
	    "socket = /run/q.sock\n"
	    "group = qrgate\n"
	    "[log]\n"
	    "level = debug\n");

	assert_int_equal(config_load(&c, path, NULL, 0, &errs), 0);
	assert_int_equal(errs.count, 0);
	assert_string_equal(c.gate.id, "north-1");
	assert_string_equal(c.gate.site, "hq");
	assert_string_equal(c.gate.lane, "B");
	assert_string_equal(c.camera.backend, "file");
	assert_string_equal(c.camera.source, "/srv/frames");
	assert_int_equal(c.camera.fps, 120);
	assert_true(c.camera.loop);
	assert_int_equal(c.camera.width, 0);
	assert_int_equal(c.camera.height, 4096);
	assert_int_equal(c.camera.direction, DIR_EXIT);
	assert_int_equal(c.decoder.max_payload, 16);
	assert_int_equal(c.decoder.holdoff_ms, 0);
	assert_false(c.lane.entry);
	assert_true(c.lane.exit);
	assert_int_equal(c.lane.pulse_ms, 100);
	assert_int_equal(c.lane.deny_ms, 10000);
	assert_int_equal(c.lane.buzzer_ms, 0);
	assert_int_equal(c.lane.held_open_s, 3600);
	assert_true(c.policy.badge);
	assert_false(c.policy.cccd);
	assert_string_equal(c.gpio.backend, "sim");
	assert_string_equal(c.gpio.hw.chip, "/dev/gpiochip4");
	assert_string_equal(c.gpio.hw.sim_log, "/tmp/gpio.log");
	assert_string_equal(c.gpio.hw.sim_input, "/tmp/gpio.in");
	assert_false(c.gpio.hw.lines[GPIO_ENTRY_RELAY].used);
	assert_true(c.gpio.hw.lines[GPIO_EXIT_RELAY].used);
	assert_string_equal(c.gpio.hw.lines[GPIO_EXIT_RELAY].chip, "gpiochip1");
	assert_int_equal(c.gpio.hw.lines[GPIO_EXIT_RELAY].offset, 7);
	assert_true(c.gpio.hw.lines[GPIO_EXIT_RELAY].active_low);
	assert_int_equal(c.gpio.hw.lines[GPIO_GREEN_LED].offset, -1);
	assert_string_equal(c.gpio.hw.lines[GPIO_GREEN_LED].name, "LED_GREEN");
	assert_int_equal(c.gpio.hw.lines[GPIO_PASSAGE_SENSOR].bias,
	    GPIO_BIAS_PULL_DOWN);
	assert_int_equal(c.gpio.hw.lines[GPIO_PASSAGE_SENSOR].debounce_us, 1000);
	assert_false(c.gpio.hw.lines[GPIO_PASSAGE_SENSOR].active_low);
	assert_int_equal(c.gpio.hw.lines[GPIO_FIRE_ALARM].bias,
	    GPIO_BIAS_DISABLED);
	/* Not named in the file: still the default. */
	assert_int_equal(c.gpio.hw.lines[GPIO_RED_LED].offset, 23);
	assert_string_equal(c.store.path, "/data/q.db");
	assert_int_equal(c.store.synchronous, STORE_SYNC_NORMAL);
	assert_int_equal(c.store.retention_days, 3650);
	assert_int_equal(c.store.mask, MASK_NONE);
	assert_string_equal(c.control.socket, "/run/q.sock");
	assert_string_equal(c.control.group, "qrgate");
	assert_int_equal(c.log.level, LOG_LVL_DEBUG);
}

/* One file with one mistake of each kind: every one reported, in order. */
static void
test_every_error_with_its_line(void **state)
{
	struct fixture *fx = *state;
	struct config c, before;
	struct config_errors errs;
	char e[12][320];
	const char *path = fixture_write(fx, "bad.conf",
	    "# every kind of mistake\n"				/* 1 */
	    "[gate]\n"						/* 2 */
	    "idd = x\n"						/* 3 */
	    "id = fine\n"					/* 4 */
	    "[camera]\n"					/* 5 */
	    "fps = abc\n"					/* 6 */
	    "width = 5000\n"					/* 7 */
	    "loop = maybe\n"					/* 8 */
	    "backend = usb\n"					/* 9 */
	    "[gatee]\n"						/* 10 */
	    "a = 1\n"						/* 11 */
	    "b = 2\n"						/* 12 */
	    "[gpio]\n"						/* 13 */
	    "entry_relay = 17 sideways\n"			/* 14 */
	    "red_led = 23 pull-up\n"				/* 15 */
	    "this is not ini\n"					/* 16 */
	    "[control]\n"					/* 17 */
	    "group = ggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "ggggggggggggggggggggg\n"				/* 18 */
	    "[lane]\n"						/* 19 */
	    "pulse_ms = 99999999999999999999\n"			/* 20 */
	    "deny_ms = 5x\n");					/* 21 */

	config_defaults(&c);
	snprintf(c.gate.id, sizeof(c.gate.id), "sentinel");
	before = c;
	snprintf(e[0], sizeof(e[0]), "%s:3: unknown key gate.idd", path);
	snprintf(e[1], sizeof(e[1]), "%s:6: camera.fps: \"abc\" is not an "
	    "integer", path);
	snprintf(e[2], sizeof(e[2]), "%s:7: camera.width: 5000 is out of "
	    "range 0..4096", path);
	snprintf(e[3], sizeof(e[3]), "%s:8: camera.loop: \"maybe\" is not a "
	    "boolean (true/false/yes/no/on/off/1/0)", path);
	snprintf(e[4], sizeof(e[4]), "%s:9: camera.backend: \"usb\" is not "
	    "one of file, v4l2, libcamera", path);
	snprintf(e[5], sizeof(e[5]), "%s:10: unknown section [gatee]", path);
	snprintf(e[6], sizeof(e[6]), "%s:14: gpio.entry_relay: unknown flag "
	    "\"sideways\" (active-low, pull-up, pull-down, bias-disable, "
	    "debounce=US)", path);
	snprintf(e[7], sizeof(e[7]), "%s:15: gpio.red_led: pull-up is for "
	    "input lines only", path);
	snprintf(e[8], sizeof(e[8]), "%s:16: syntax error", path);
	snprintf(e[9], sizeof(e[9]), "%s:18: control.group: "
	    "\"gggggggggggggggggggggggggggggggggggggggg...\" is too long "
	    "(70 characters, at most 63)", path);
	snprintf(e[10], sizeof(e[10]), "%s:20: lane.pulse_ms: "
	    "99999999999999999999 is out of range 100..60000", path);
	snprintf(e[11], sizeof(e[11]), "%s:21: lane.deny_ms: \"5x\" is not an "
	    "integer", path);

	assert_int_equal(config_load(&c, path, NULL, 0, &errs), -1);
	assert_errors(&errs, 12, e[0], e[1], e[2], e[3], e[4], e[5], e[6],
	    e[7], e[8], e[9], e[10], e[11]);
	/* Nothing of the file reached the caller's config. */
	assert_memory_equal(&c, &before, sizeof(c));
}

static void
test_error_kinds_alone(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char want[320];
	const char *p;

	config_defaults(&c);

	/* A bad line spec: no line after the chip. */
	p = fixture_write(fx, "spec.conf", "[gpio]\n\nbuzzer = gpiochip0:\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	snprintf(want, sizeof(want), "%s:3: gpio.buzzer: \"gpiochip0:\": no "
	    "line after the chip", p);
	assert_errors(&errs, 1, want);

	/* A key before any section. */
	p = fixture_write(fx, "nosect.conf", "fps = 5\n[camera]\nfps = 6\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	snprintf(want, sizeof(want), "%s:1: fps is outside any [section]", p);
	assert_errors(&errs, 1, want);

	/* A section header inih cannot read. */
	p = fixture_write(fx, "bracket.conf", "[camera]\nfps = 6\n[lane\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	snprintf(want, sizeof(want), "%s:3: syntax error", p);
	assert_errors(&errs, 1, want);

	/* A file that does not exist. */
	snprintf(want, sizeof(want), "%s/missing.conf", fx->dir);
	assert_int_equal(config_load(&c, want, NULL, 0, &errs), -1);
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(errs.msg[0], "missing.conf: cannot open: "));

	/* Empty where a value is needed, and a control byte. */
	p = fixture_write(fx, "empty.conf",
	    "[gate]\nid =\nsite = a\033[2Jb\n[camera]\nfps =\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	assert_int_equal(errs.count, 3);
	snprintf(want, sizeof(want), "%s:2: gate.id: must not be empty", p);
	assert_string_equal(errs.msg[0], want);
	/* The escape is shown as '?', never passed on to a terminal. */
	snprintf(want, sizeof(want), "%s:3: gate.site: \"a?[2Jb\" contains a "
	    "control character", p);
	assert_string_equal(errs.msg[1], want);
	snprintf(want, sizeof(want), "%s:5: camera.fps: \"\" is not an "
	    "integer", p);
	assert_string_equal(errs.msg[2], want);
}

/* An unknown section is reported once, at its header, not per key. */
static void
test_unknown_section_once(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char w1[320], w2[320];
	const char *p = fixture_write(fx, "sect.conf",
	    "[modbus]\nhost = a\nport = 1\n[gate]\nid = x\n[modbus]\nuser = u\n");

	config_defaults(&c);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	snprintf(w1, sizeof(w1), "%s:1: unknown section [modbus]", p);
	snprintf(w2, sizeof(w2), "%s:6: unknown section [modbus]", p);
	assert_errors(&errs, 2, w1, w2);
}

static void
test_many_errors_counted(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char text[4096], want[320];
	size_t n = 0;
	const char *p;

	n += snprintf(text + n, sizeof(text) - n, "[camera]\n");
	for (int i = 0; i < 40; i++)
		n += snprintf(text + n, sizeof(text) - n, "fps = %d\n", 2000 + i);
	p = fixture_write(fx, "many.conf", text);
	config_defaults(&c);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	assert_int_equal(errs.count, 40);
	snprintf(want, sizeof(want), "%s:2: camera.fps: 2000 is out of range "
	    "1..1000", p);
	assert_string_equal(errs.msg[0], want);
	snprintf(want, sizeof(want), "%s:%d: camera.fps: %d is out of range "
	    "1..1000", p, CONFIG_MAX_ERRORS + 1, 2000 + CONFIG_MAX_ERRORS - 1);
	assert_string_equal(errs.msg[CONFIG_MAX_ERRORS - 1], want);
}

static void
test_key_twice_last_wins(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	const char *p = fixture_write(fx, "twice.conf",
	    "[camera]\nfps = 5\nfps = 7\n[gate]\nid = a\n[camera]\nfps = 9\n"
	    "[gate]\nid = b\n");

	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_int_equal(c.camera.fps, 9);
	assert_string_equal(c.gate.id, "b");
}

/* Indented lines continue a value; the pieces are joined as they are. */
static void
test_continuation_and_long_lines(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char text[4096], want[320], longv[1300], src[1001];
	const char *p;

	p = fixture_write(fx, "cont.conf",
	    "[camera]\n"
	    "source = a.png,\n"
	    "  b.png,\n"
	    "# a comment between the pieces\n"
	    "\tc.png\n"
	    "fps = 5\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_string_equal(c.camera.source, "a.png,b.png,c.png");
	assert_int_equal(c.camera.fps, 5);

	/* An indented key is read as the value's continuation, and said so. */
	p = fixture_write(fx, "indent.conf",
	    "[camera]\nfps = 5\n  width = 3\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	snprintf(want, sizeof(want), "%s:2: camera.fps: \"5width = 3\" is not "
	    "an integer (an indented line continues the value above it)", p);
	assert_errors(&errs, 1, want);

	/* The first key of a section may be indented. */
	p = fixture_write(fx, "indent2.conf", "[camera]\n  fps = 6\n");
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_int_equal(c.camera.fps, 6);

	/*
	 * A line longer than inih's buffer (200): read whole, as inih would
	 * read a short one, up to the longest value a setting takes (1023
	 * for camera.source) with its key.
	 */
	memset(src, 'y', sizeof(src) - 1);
	src[0] = '/';
	src[sizeof(src) - 1] = '\0';
	snprintf(text, sizeof(text), "[camera]\nsource   =   %s   ; why\n"
	    "fps = 5\n", src);
	p = fixture_write(fx, "long1000.conf", text);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_string_equal(c.camera.source, src);
	assert_int_equal(c.camera.fps, 5);
	/* Continued by a long indented line; a long comment is one. */
	snprintf(text, sizeof(text), "[camera]\nsource = a,\n  %.900s\n"
	    "# %s\n%300s\nfps = 6\n", src, src, "");
	p = fixture_write(fx, "longcont.conf", text);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_int_equal((int)strlen(c.camera.source), 2 + 900);
	assert_int_equal(strncmp(c.camera.source, "a,/yyy", 6), 0);
	assert_int_equal(c.camera.fps, 6);
	/* A value longer than the setting takes: said so, with its line. */
	snprintf(text, sizeof(text), "[camera]\nsource = %s%s\n", src,
	    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
	p = fixture_write(fx, "toolong.conf", text);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	assert_non_null(strstr(errs.msg[0], ":2: camera.source: "));

	/* A line longer than that: reported, never cut silently. */
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	snprintf(text, sizeof(text), "[gate]\nid = a\n[camera]\nsource = /%s\n"
	    "fps = 5000\n", longv);
	p = fixture_write(fx, "long.conf", text);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	assert_int_equal(errs.count, 2);
	assert_non_null(strstr(errs.msg[0], ":4: line longer than "));
	snprintf(want, sizeof(want), "%s:5: camera.fps: 5000 is out of range "
	    "1..1000", p);
	assert_string_equal(errs.msg[1], want);

	/* A NUL byte in a line. */
	static const char nul[] = "[gate]\nid = a\0b\nsite = s\n";
	p = fixture_write_bytes(fx, "nul.conf", nul, sizeof(nul) - 1);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), -1);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", p);
	assert_errors(&errs, 1, want);
}

static void
test_overrides(void **state)
{
	struct fixture *fx = *state;
	struct config c, before;
	struct config_errors errs;
	const char *p = fixture_write(fx, "o.conf",
	    "[camera]\nfps = 10\nwidth = 320\n");
	const char *const good[] = {
		"camera.fps=20", "gate.id=from-o", "camera.fps=30",
		"gpio.exit_relay=", "camera.source=a=b",
	};
	const char *const bad[] = {
		"camera.fps=5000", "gate.idd=1", "gatee.id=1", "camera.fps",
		"nodot=1", "lane.entry=maybe",
	};

	assert_int_equal(config_load(&c, p, good, 5, &errs), 0);
	assert_int_equal(c.camera.fps, 30);	/* the last -o wins */
	assert_int_equal(c.camera.width, 320);	/* from the file */
	assert_string_equal(c.gate.id, "from-o");
	assert_false(c.gpio.hw.lines[GPIO_EXIT_RELAY].used);
	assert_string_equal(c.camera.source, "a=b");

	/* Overrides work without a file too. */
	assert_int_equal(config_load(&c, NULL, good, 1, &errs), 0);
	assert_int_equal(c.camera.fps, 20);
	assert_int_equal(c.camera.width, 640);

	before = c;
	assert_int_equal(config_load(&c, p, bad, 6, &errs), -1);
	assert_errors(&errs, 6,
	    "-o camera.fps=5000: camera.fps: 5000 is out of range 1..1000",
	    "-o gate.idd=1: unknown key gate.idd",
	    "-o gatee.id=1: unknown section [gatee]",
	    "-o camera.fps: expected section.key=value",
	    "-o nodot=1: expected section.key=value",
	    "-o lane.entry=maybe: lane.entry: \"maybe\" is not a boolean "
	    "(true/false/yes/no/on/off/1/0)");
	assert_memory_equal(&c, &before, sizeof(c));
}

static void
test_cross_checks(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char want[320];
	const char *p = fixture_write(fx, "x.conf", "[gate]\nid = x\n");
	const char *const none[] = { "lane.entry=false" };
	const char *const dir[] = { "lane.exit=true", "lane.entry=false" };
	const char *const dir_ok[] = { "lane.exit=true", "lane.entry=false",
	    "camera.direction=exit" };
	const char *const sim[] = { "gpio.backend=sim" };
	const char *const sim_ok[] = { "gpio.backend=sim",
	    "gpio.sim_log=/tmp/x", "gpio.entry_relay=" };
	const char *const relay[] = { "gpio.entry_relay=" };
	const char *const relay2[] = { "lane.exit=true", "gpio.exit_relay=" };
	const char *const fast[] = { "camera.backend=v4l2", "camera.fps=240" };
	const char *const fast_ok[] = { "camera.backend=file", "camera.fps=240",
	    "gpio.backend=sim", "gpio.sim_log=/tmp/x" };

	config_defaults(&c);
	assert_int_equal(config_load(&c, p, none, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: lane.entry and lane.exit are both "
	    "false: the lane runs no way", p);
	assert_errors(&errs, 1, want);

	assert_int_equal(config_load(&c, p, dir, 2, &errs), -1);
	snprintf(want, sizeof(want), "%s: camera.direction is entry, but "
	    "lane.entry is false", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, dir_ok, 3, &errs), 0);

	assert_int_equal(config_load(&c, p, sim, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: gpio.sim_log must be set when "
	    "gpio.backend is sim", p);
	assert_errors(&errs, 1, want);
	/* With sim, an unwired relay is fine: nothing is driven. */
	assert_int_equal(config_load(&c, p, sim_ok, 3, &errs), 0);

	assert_int_equal(config_load(&c, p, relay, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: lane.entry is true, but "
	    "gpio.entry_relay is not wired", p);
	assert_errors(&errs, 1, want);

	assert_int_equal(config_load(&c, NULL, relay2, 2, &errs), -1);
	assert_errors(&errs, 1, "config: lane.exit is true, but "
	    "gpio.exit_relay is not wired");

	/* Past 120 fps only replayed files. */
	assert_int_equal(config_load(&c, p, fast, 2, &errs), -1);
	snprintf(want, sizeof(want), "%s: camera.fps 240: at most 120 from a "
	    "camera (only the file backend replays faster)", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, fast_ok, 4, &errs), 0);
	assert_int_equal(c.camera.fps, 240);
}

/* [reader]: its defaults, its values, and the checks between settings. */
/*
 * [wiegand]: a reader is two lines, an output to a controller two more,
 * its pulses must leave a receiver its shortest gap; the formats are
 * names the codec knows, each once, with the file's line.
 */
static void
test_wiegand_settings(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char want[320];
	const char *p = fixture_write(fx, "w.conf", "[gate]\nid = x\n");
	const char *const half[] = { "gpio.wiegand_d0=17" };
	const char *const both[] = { "gpio.wiegand_d0=17", "gpio.wiegand_d1=18" };
	const char *const out[] = { "wiegand.out=grant", "gpio.wiegand_out_d0=20" };
	const char *const out_ok[] = { "wiegand.out=valid",
	    "gpio.wiegand_out_d0=20", "gpio.wiegand_out_d1=21" };
	const char *const tight[] = { "wiegand.out_pulse_us=900",
	    "wiegand.out_interval_us=1000" };
	const char *const fmt_bad = fixture_write(fx, "f.conf",
	    "[gate]\nid = x\n[wiegand]\nformats = h10301,h10301\n");
	const char *const fmt_ok[] = { "wiegand.formats=h10302,h10301" };
	const char *const outfmt_raw[] = { "wiegand.out_format=raw" };

	config_defaults(&c);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_string_equal(c.wiegand.formats, "h10301,h10306,c1k35,h10304");
	assert_int_equal(c.wiegand.out, WIEGAND_OUT_OFF);
	assert_int_equal(c.wiegand.gap_ms, 25);

	assert_int_equal(config_load(&c, p, half, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: gpio.wiegand_d0 and gpio.wiegand_d1: "
	    "a reader needs both, or neither", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, both, 2, &errs), 0);

	assert_int_equal(config_load(&c, p, out, 2, &errs), -1);
	snprintf(want, sizeof(want), "%s: wiegand.out is not off, but "
	    "gpio.wiegand_out_d0 and gpio.wiegand_out_d1 are not both wired", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, out_ok, 3, &errs), 0);
	assert_int_equal(c.wiegand.out, WIEGAND_OUT_VALID);

	assert_int_equal(config_load(&c, p, tight, 2, &errs), -1);
	snprintf(want, sizeof(want), "%s: wiegand.out_interval_us 1000: at "
	    "least 120 more than wiegand.out_pulse_us (900)", p);
	assert_errors(&errs, 1, want);

	/* A format twice: refused with its line; the old config is kept. */
	assert_int_equal(config_load(&c, fmt_bad, NULL, 0, &errs), -1);
	assert_int_equal(errs.count, 1);
	assert_non_null(strstr(errs.msg[0], ":4:"));
	assert_non_null(strstr(errs.msg[0], "is not a list of card formats"));
	assert_string_equal(c.wiegand.formats, "h10301,h10306,c1k35,h10304");
	assert_int_equal(config_load(&c, p, fmt_ok, 1, &errs), 0);
	assert_string_equal(c.wiegand.formats, "h10302,h10301");
	assert_int_equal(config_load(&c, p, outfmt_raw, 1, &errs), -1);
}

/*
 * [supervision]: off by default; the three levels one setting, refused
 * out of order with the file's line (and the config kept); a loop and
 * its GPIO line both wired refused; the paths refused in a push.
 */
static void
test_supervision_settings(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char want[320], err[320];
	const char *p = fixture_write(fx, "s.conf", "[gate]\nid = x\n");
	const char *bad = fixture_write(fx, "b.conf",
	    "[gate]\nid = x\n[supervision]\nperiod_ms = 50\n"
	    "levels = 100 400 400\n");
	const char *const fire[] = { "supervision.fire_loop=/sys/x_raw" };
	const char *const fire_ok[] = { "supervision.fire_loop=/sys/x_raw",
	    "gpio.fire_alarm=", "supervision.levels=10,20, 30",
	    "supervision.samples=5" };
	const char *const tamper[] = { "supervision.tamper_loop=/sys/x_raw",
	    "gpio.tamper=16" };
	const char *const same[] = { "supervision.fire_loop=/sys/x_raw",
	    "gpio.fire_alarm=", "supervision.tamper_loop=/sys/x_raw" };

	config_defaults(&c);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_string_equal(c.supervision.fire_loop, "");
	assert_string_equal(c.supervision.tamper_loop, "");
	assert_int_equal(c.supervision.levels.short_below, 256);
	assert_int_equal(c.supervision.levels.normal_below, 597);
	assert_int_equal(c.supervision.levels.active_below, 853);
	assert_int_equal(c.supervision.period_ms, 100);
	assert_int_equal(c.supervision.samples, 3);

	assert_int_equal(config_load(&c, bad, NULL, 0, &errs), -1);
	snprintf(want, sizeof(want), "%s:5: supervision.levels: 100 400 400: "
	    "the thresholds must increase (short below the first, normal "
	    "below the second, active below the third, open from it up)",
	    bad);
	assert_errors(&errs, 1, want);
	assert_int_equal(c.supervision.levels.normal_below, 597);
	assert_int_equal(config_set(&c, "supervision", "levels", "1 2", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "three whole numbers expected"));
	assert_int_equal(config_set(&c, "supervision", "levels", "1 2 3 4",
	    err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "supervision", "levels", "1 2x 3",
	    err, sizeof(err)), -1);

	assert_int_equal(config_load(&c, p, fire, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: supervision.fire_loop is set, but "
	    "gpio.fire_alarm is wired too: set gpio.fire_alarm to empty", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, fire_ok, 4, &errs), 0);
	assert_string_equal(c.supervision.fire_loop, "/sys/x_raw");
	assert_int_equal(c.supervision.levels.short_below, 10);
	assert_int_equal(c.supervision.levels.normal_below, 20);
	assert_int_equal(c.supervision.levels.active_below, 30);
	assert_int_equal(c.supervision.samples, 5);
	assert_int_equal(config_load(&c, p, tamper, 2, &errs), -1);
	snprintf(want, sizeof(want), "%s: supervision.tamper_loop is set, but "
	    "gpio.tamper is wired too: set gpio.tamper to empty", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, same, 3, &errs), -1);
	snprintf(want, sizeof(want), "%s: supervision.fire_loop and "
	    "supervision.tamper_loop name the same input", p);
	assert_errors(&errs, 1, want);

	/* A path names this gate's hardware: never from a push. */
	assert_non_null(confpush_refused("supervision", "fire_loop"));
	assert_non_null(confpush_refused("supervision", "tamper_loop"));
	assert_null(confpush_refused("supervision", "levels"));
}

static void
test_reader_settings(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	char want[320];
	const char *p = fixture_write(fx, "r.conf", "[reader]\n"
	    "backend = tty\ndevice = /dev/ttyACM0\nbaud = 115200\n"
	    "framing = idle\ntimeout_ms = 50\ndirection = entry\n");
	const char *const nodev[] = { "reader.device=" };
	const char *const way[] = { "reader.direction=exit" };
	const char *const way_ok[] = { "reader.direction=exit",
	    "lane.exit=true" };
	const char *const bad[] = { "reader.backend=hid", "reader.baud=300",
	    "reader.framing=crlf", "reader.timeout_ms=5" };

	assert_int_equal(config_load(&c, NULL, NULL, 0, &errs), 0);
	assert_string_equal(c.reader.backend, "none");
	assert_string_equal(c.reader.device, "");
	assert_int_equal(c.reader.baud, 9600);
	assert_int_equal(c.reader.framing, READER_FRAME_LINE);
	assert_int_equal(c.reader.timeout_ms, 100);
	assert_int_equal(c.reader.direction, DIR_ENTRY);

	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_string_equal(c.reader.backend, "tty");
	assert_string_equal(c.reader.device, "/dev/ttyACM0");
	assert_int_equal(c.reader.baud, 115200);
	assert_int_equal(c.reader.framing, READER_FRAME_IDLE);
	assert_int_equal(c.reader.timeout_ms, 50);

	assert_int_equal(config_load(&c, p, nodev, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: reader.device must be set when "
	    "reader.backend is tty", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, way, 1, &errs), -1);
	snprintf(want, sizeof(want), "%s: reader.direction is exit, but "
	    "lane.exit is false", p);
	assert_errors(&errs, 1, want);
	assert_int_equal(config_load(&c, p, way_ok, 2, &errs), 0);
	assert_int_equal(c.reader.direction, DIR_EXIT);

	assert_int_equal(config_load(&c, p, bad, 4, &errs), -1);
	assert_errors(&errs, 4,
	    "-o reader.backend=hid: reader.backend: \"hid\" is not one of "
	    "none, evdev, tty",
	    "-o reader.baud=300: reader.baud: 300 is out of range 1200..921600",
	    "-o reader.framing=crlf: reader.framing: \"crlf\" is not one of "
	    "line, idle",
	    "-o reader.timeout_ms=5: reader.timeout_ms: 5 is out of range "
	    "10..5000");
}

static void
test_config_set_values(void **state)
{
	struct config c;
	char err[320];
	static const char *const not_ints[] = {
		"+5", " 5", "5 ", "0x10", "5.0", "", "-", "1e2",
	};

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_set(&c, "camera", "fps", "1", err,
	    sizeof(err)), 0);
	assert_int_equal(c.camera.fps, 1);
	assert_int_equal(config_set(&c, "camera", "fps", "0", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "camera.fps: 0 is out of range 1..1000");
	assert_int_equal(config_set(&c, "camera", "fps", "-7", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "camera.fps: -7 is out of range 1..1000");
	assert_int_equal(config_set(&c, "decoder", "holdoff_ms",
	    "-99999999999999999999", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "decoder", "holdoff_ms", "4294967296",
	    err, sizeof(err)), -1);
	for (size_t i = 0; i < sizeof(not_ints) / sizeof(not_ints[0]); i++) {
		assert_int_equal(config_set(&c, "camera", "fps", not_ints[i],
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is not an integer"));
	}
	assert_int_equal(c.camera.fps, 1);	/* failures change nothing */

	static const char *const yes[] = { "true", "yes", "on", "1", "TRUE" };
	static const char *const no[] = { "false", "no", "off", "0", "Off" };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(config_set(&c, "lane", "exit", yes[i], err,
		    sizeof(err)), 0);
		assert_true(c.lane.exit);
		assert_int_equal(config_set(&c, "lane", "exit", no[i], err,
		    sizeof(err)), 0);
		assert_false(c.lane.exit);
	}
	assert_int_equal(config_set(&c, "lane", "exit", "2", err,
	    sizeof(err)), -1);
	assert_int_equal(config_set(&c, "lane", "exit", "", err,
	    sizeof(err)), -1);

	/* Every enum, by its names. */
	assert_int_equal(config_set(&c, "log", "level", "error", err,
	    sizeof(err)), 0);
	assert_int_equal(c.log.level, LOG_LVL_ERR);
	assert_int_equal(config_set(&c, "log", "level", "warn", err,
	    sizeof(err)), 0);
	assert_int_equal(c.log.level, LOG_LVL_WARN);
	assert_int_equal(config_set(&c, "log", "level", "INFO", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "log.level: \"INFO\" is not one of error, "
	    "warn, info, debug");
	assert_int_equal(config_set(&c, "camera", "backend", "libcamera", err,
	    sizeof(err)), 0);
	assert_string_equal(c.camera.backend, "libcamera");
	assert_int_equal(config_set(&c, "decoder", "backend", "zxing", err,
	    sizeof(err)), 0);
	assert_string_equal(c.decoder.backend, "zxing");
	assert_int_equal(config_set(&c, "decoder", "backend", "quirc", err,
	    sizeof(err)), -1);
	assert_string_equal(c.decoder.backend, "zxing");

	/* Strings: exactly the field, never cut. */
	char id[65];
	memset(id, 'a', 64);
	id[64] = '\0';
	assert_int_equal(config_set(&c, "gate", "id", id, err, sizeof(err)), -1);
	assert_string_equal(c.gate.id, "gate1");
	id[63] = '\0';
	assert_int_equal(config_set(&c, "gate", "id", id, err, sizeof(err)), 0);
	assert_string_equal(c.gate.id, id);
	char lane[33];
	memset(lane, 'l', 32);
	lane[32] = '\0';
	assert_int_equal(config_set(&c, "gate", "lane", lane, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "gate.lane: \"llllllllllllllllllllllllllllll"
	    "ll\" is too long (32 characters, at most 31)");

	/* Every role is a gpio key named after it; "" unwires it.  Every
	 * line is wired by default but what most gates lack: the tamper
	 * switch (its line would float into a standing alarm) and Wiegand
	 * readers and controllers. */
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		assert_int_equal(c.gpio.hw.lines[r].used, r != GPIO_TAMPER &&
		    r != GPIO_WIEGAND_D0 && r != GPIO_WIEGAND_D1 &&
		    r != GPIO_WIEGAND_OUT_D0 && r != GPIO_WIEGAND_OUT_D1);
		assert_int_equal(config_set(&c, "gpio", gpio_role_name(r), "",
		    err, sizeof(err)), 0);
		assert_false(c.gpio.hw.lines[r].used);
		/* Bias: inputs only. */
		assert_int_equal(config_set(&c, "gpio", gpio_role_name(r),
		    "4 pull-down", err, sizeof(err)),
		    gpio_role_is_output(r) ? -1 : 0);
	}

	/* A hostile, very long unknown key is cut in the message. */
	char key[400];
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(config_set(&c, "gate", key, "1", err, sizeof(err)), -1);
	assert_true(strlen(err) < 100);
	assert_non_null(strstr(err, "unknown key gate.kkk"));
}

static void
test_linespec_round_trip(void **state)
{
	static const struct {
		const char *spec;
		bool input;
	} specs[] = {
		{ "17", false },
		{ "gpiochip1:5 active-low pull-up debounce=1000", true },
		{ "RELAY_1", false },
		{ "", false },
		{ "/dev/gpiochip2:GPIO17 active-low", false },
		{ "0 bias-disable", true },
		{ "65535 pull-down debounce=1000000", true },
		{ "line.a-b_c", true },
	};
	struct gpio_line_config lc;
	char err[200], buf[200];

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		memset(&lc, 0x5a, sizeof(lc));
		assert_int_equal(gpio_linespec_parse(specs[i].spec,
		    specs[i].input, &lc, err, sizeof(err)), 0);
		assert_int_equal(gpio_linespec_format(&lc, buf, sizeof(buf)), 0);
		assert_string_equal(buf, specs[i].spec);
	}

	assert_int_equal(gpio_linespec_parse("", false, &lc, err, sizeof(err)),
	    0);
	assert_false(lc.used);
	assert_int_equal(gpio_linespec_parse("  \t ", false, &lc, err,
	    sizeof(err)), 0);
	assert_false(lc.used);

	assert_int_equal(gpio_linespec_parse("RELAY_1", false, &lc, err,
	    sizeof(err)), 0);
	assert_true(lc.used);
	assert_int_equal(lc.offset, -1);
	assert_string_equal(lc.name, "RELAY_1");
	assert_string_equal(lc.chip, "");

	/* The line comes first ... */
	assert_int_equal(gpio_linespec_parse("  debounce=7\tpull-up  "
	    "gpiochip1:5 active-low", true, &lc, err, sizeof(err)), -1);
	/* ... then flags in any order, blanks anywhere; printed in order. */
	assert_int_equal(gpio_linespec_parse(" gpiochip1:5  debounce=7\t"
	    "pull-up active-low ", true, &lc, err, sizeof(err)), 0);
	assert_int_equal(gpio_linespec_format(&lc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "gpiochip1:5 active-low pull-up debounce=7");
	assert_string_equal(lc.chip, "gpiochip1");
	assert_int_equal(lc.offset, 5);
	assert_true(lc.active_low);
	assert_int_equal(lc.bias, GPIO_BIAS_PULL_UP);
	assert_int_equal(lc.debounce_us, 7);

	/* A buffer too small is said so. */
	assert_int_equal(gpio_linespec_format(&lc, buf, 8), -1);
}

static void
test_linespec_rejects(void **state)
{
	static const struct {
		const char *spec;
		bool input;
		const char *err;
	} bad[] = {
		{ "17 sideways", true, "unknown flag \"sideways\" (active-low, "
		    "pull-up, pull-down, bias-disable, debounce=US)" },
		{ "5 debounce=x", true, "\"debounce=x\": debounce must be "
		    "microseconds, 0..1000000" },
		{ "debounce=x", true, "\"debounce=x\" is neither a line offset "
		    "nor a line name" },
		{ "gpiochip0:", false, "\"gpiochip0:\": no line after the chip" },
		{ ":5", false, "\":5\": empty chip before ':'" },
		{ "5 debounce=", true, "\"debounce=\": debounce must be "
		    "microseconds, 0..1000000" },
		{ "5 debounce=1000001", true, "\"debounce=1000001\": debounce "
		    "must be microseconds, 0..1000000" },
		{ "5 debounce=-1", true, "\"debounce=-1\": debounce must be "
		    "microseconds, 0..1000000" },
		{ "65536", false, "\"65536\" is not a line offset (0..65535)" },
		{ "5x", false, "\"5x\" is not a line offset (0..65535)" },
		{ "-5", false, "\"-5\" is neither a line offset nor a line name" },
		{ "a:b:5", false, "\"a:b:5\": more than one ':'" },
		{ "23 pull-up", false, "pull-up is for input lines only" },
		{ "23 debounce=5", false, "debounce is for input lines only" },
		{ "5 pull-up pull-down", true, "pull-down: more than one bias "
		    "flag" },
		{ "5 active-low active-low", true, "active-low given twice" },
		{ "5 debounce=1 debounce=2", true, "debounce given twice" },
		{ "gpio\x01:5", false, "\"gpio?:5\": control character in the "
		    "chip name" },
	};
	struct gpio_line_config lc, before;
	char err[200];

	(void)state;
	memset(&before, 0x33, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lc = before;
		assert_int_equal(gpio_linespec_parse(bad[i].spec, bad[i].input,
		    &lc, err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
		/* A spec that fails leaves *out as it was. */
		assert_memory_equal(&lc, &before, sizeof(lc));
	}

	/* A hostile spec of any length: no overflow, a short message. */
	char big[5000];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(gpio_linespec_parse(big, true, &lc, err, sizeof(err)),
	    -1);
	assert_true(strlen(err) < 120);
	big[3] = ':';
	assert_int_equal(gpio_linespec_parse(big, true, &lc, err, sizeof(err)),
	    -1);
	assert_true(strlen(err) < 120);
}

/* The committed example is exactly what the table writes, and loads. */
static void
test_example_matches_table(void **state)
{
	struct fixture *fx = *state;
	struct config c, d;
	struct config_errors errs;
	char path[512], *want = NULL, *have;
	size_t want_len = 0, have_len;
	FILE *f, *mem;
	long size;

	mem = open_memstream(&want, &want_len);
	assert_non_null(mem);
	config_write_example(mem);
	assert_int_equal(fclose(mem), 0);

	snprintf(path, sizeof(path), "%s/config/qrgate.conf", srcdir());
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (set QRGATE_SRCDIR to the source tree)",
		    path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	have = malloc(size);
	assert_non_null(have);
	have_len = fread(have, 1, size, f);
	fclose(f);
	if (have_len != want_len || memcmp(have, want, want_len) != 0)
		fail_msg("%s differs from config_write_example(); regenerate "
		    "it", path);
	free(have);

	/* It loads, and gives every default. */
	assert_int_equal(config_load(&c, path, NULL, 0, &errs), 0);
	assert_int_equal(errs.count, 0);
	config_defaults(&d);
	assert_memory_equal(&c, &d, sizeof(c));

	/* So does the example written into a fresh file. */
	const char *p = fixture_write_bytes(fx, "example.conf", want, want_len);
	assert_int_equal(config_load(&c, p, NULL, 0, &errs), 0);
	assert_memory_equal(&c, &d, sizeof(c));
	free(want);

	/* Every line of it fits in 80 columns. */
	f = fopen(path, "r");
	assert_non_null(f);
	char line[256];
	while (fgets(line, sizeof(line), f) != NULL)
		assert_true(strlen(line) <= 81);
	fclose(f);
}

static void
test_demo_config(void **state)
{
	struct config c;
	struct config_errors errs;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/config/demo.conf", srcdir());
	assert_int_equal(config_load(&c, path, NULL, 0, &errs), 0);
	assert_int_equal(errs.count, 0);
	assert_string_equal(c.gate.id, "demo-gate");
	assert_string_equal(c.gate.site, "demo-site");
	assert_string_equal(c.gate.lane, "1");
	assert_string_equal(c.camera.backend, "file");
	assert_string_equal(c.camera.source,
	    "images/badge-W0001.png,images/blank.png,images/badge-W9999.png,"
	    "images/cccd-nhung.png,images/cccd-forged.png,"
	    "images/hostile-sql.png,"
	    "images/badge-W0002.png,images/badge-W0003.png,"
	    "images/hostile-shell.png,images/url.png");
	assert_int_equal(c.camera.fps, 2);
	assert_false(c.camera.loop);
	assert_int_equal(c.decoder.holdoff_ms, 3000);
	assert_true(c.lane.entry);
	assert_false(c.lane.exit);
	assert_int_equal(c.lane.pulse_ms, 1000);
	assert_int_equal(c.lane.deny_ms, 300);
	assert_int_equal(c.lane.buzzer_ms, 100);
	assert_true(c.policy.badge);
	assert_int_equal(c.policy.cccd, ACCEPT_VISITORS);
	assert_string_equal(c.security.cccd_key_file, "build/demo/cccd.key");
	assert_string_equal(c.gpio.backend, "sim");
	assert_string_equal(c.gpio.hw.sim_log, "build/demo/gpio.log");
	assert_string_equal(c.gpio.hw.sim_input, "build/demo/gpio.in");
	assert_string_equal(c.store.path, "build/demo/qrgate.db");
	assert_int_equal(c.store.synchronous, STORE_SYNC_FULL);
	assert_string_equal(c.control.socket, "build/demo/control.sock");
	assert_int_equal(c.log.level, LOG_LVL_INFO);
}

/*
 * site.timezone is checked against the system's zoneinfo when the file is
 * read: a name that is no zone is a mistake with its file and line, not a
 * surprise in the first time a person types.
 */
static void
test_site_timezone(void **state)
{
	struct fixture *fx = *state;
	struct config c;
	struct config_errors errs;
	const char *path;
	char want[2][320];

	path = fixture_write(fx, "tz.conf", "[site]\ntimezone = Europe/Berlin\n");
	assert_int_equal(config_load(&c, path, NULL, 0, &errs), 0);
	assert_string_equal(c.site.timezone, "Europe/Berlin");

	path = fixture_write(fx, "badtz.conf", "[gate]\nid = g\n[site]\n"
	    "timezone = Asia/Saigon_City\n\n[lane]\n\n[site]\n"
	    "timezone = ../../etc/passwd\n");
	assert_int_equal(config_load(&c, path, NULL, 0, &errs), -1);
	snprintf(want[0], sizeof(want[0]), "%s:4: site.timezone: "
	    "\"Asia/Saigon_City\" is not a time zone in the zoneinfo "
	    "(%s/Asia/Saigon_City: No such file or directory)", path,
	    getenv("TZDIR") != NULL && getenv("TZDIR")[0] != '\0' ?
	    getenv("TZDIR") : "/usr/share/zoneinfo");
	snprintf(want[1], sizeof(want[1]), "%s:9: site.timezone: "
	    "\"../../etc/passwd\" is not a time zone name (such as "
	    "Asia/Ho_Chi_Minh or Europe/Berlin)", path);
	assert_errors(&errs, 2, want[0], want[1]);

	/* The same check for -o, and for a file of the zoneinfo directory
	 * that is no zone. */
	{
		const char *o[] = { "site.timezone=zone1970.tab" };

		assert_int_equal(config_load(&c, NULL, o, 1, &errs), -1);
		assert_int_equal(errs.count, 1);
		assert_non_null(strstr(errs.msg[0], "site.timezone: "
		    "\"zone1970.tab\" is not a time zone in the zoneinfo"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_site_timezone,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_good_file,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_every_error_with_its_line,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_error_kinds_alone,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section_once,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_many_errors_counted,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_key_twice_last_wins,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_continuation_and_long_lines,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_overrides,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reader_settings,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_wiegand_settings,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_supervision_settings,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cross_checks,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test(test_config_set_values),
		cmocka_unit_test(test_linespec_round_trip),
		cmocka_unit_test(test_linespec_rejects),
		cmocka_unit_test_setup_teardown(test_example_matches_table,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test(test_demo_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
