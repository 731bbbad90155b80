/*
 * The serial scanner backend (hal/reader_tty.c) over a pty pair: the test
 * writes to the master what a scanner would send, the backend reads the
 * slave in raw mode.  Both framings, a line ended by silence, an
 * over-long code, binary junk that a cooked tty would have eaten (XON,
 * XOFF, ^C, DEL, NUL), and a hang-up.  Time is the test's: the backend is
 * handed "now", so no test waits for a timeout to pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "reader.h"

#define MS	INT64_C(1000000)
#define T0	(INT64_C(9000) * MS)
#define GAP_MS	100

struct pty_fx {
	int master;
	char slave[64];
	const struct reader_ops *ops;
	void *r;
};

static int
pty_setup(void **state)
{
	struct pty_fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(fx->master >= 0);
	assert_int_equal(grantpt(fx->master), 0);
	assert_int_equal(unlockpt(fx->master), 0);
	assert_int_equal(ptsname_r(fx->master, fx->slave, sizeof(fx->slave)), 0);
	assert_non_null(fx->ops = reader_find("tty"));
	*state = fx;
	return 0;
}

static int
pty_teardown(void **state)
{
	struct pty_fx *fx = *state;

	fx->ops->close(fx->r);
	if (fx->master >= 0)
		close(fx->master);
	free(fx);
	return 0;
}

static void
pty_open(struct pty_fx *fx, enum reader_framing framing, size_t max)
{
	struct reader_config cfg = {
		.device = fx->slave, .baud = 9600, .framing = framing,
		.timeout_ms = GAP_MS, .max_payload = max,
	};

	assert_non_null(fx->r = fx->ops->open(&cfg));
}

/*
 * Writes n bytes as the scanner, then waits until the slave holds them
 * all, so that the backend's next read() finds every one (a pty hands
 * bytes over asynchronously).  Bounded: 5 s.
 */
static void
pty_send(struct pty_fx *fx, const void *buf, size_t n)
{
	int fd = fx->ops->fd(fx->r), avail = 0;

	assert_int_equal(write(fx->master, buf, n), (ssize_t)n);
	for (int i = 0; i < 500; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_int_equal(ioctl(fd, FIONREAD, &avail), 0);
		if (avail >= (int)n)
			return;
		(void)poll(&p, 1, 10);
	}
	fail_msg("the pty held %d of %zu bytes", avail, n);
}

static void
pty_send_str(struct pty_fx *fx, const char *s)
{
	pty_send(fx, s, strlen(s));
}

static void
expect_code(struct pty_fx *fx, int64_t now, const void *want, size_t len,
    bool too_long)
{
	struct reader_presentation p;

	assert_int_equal(fx->ops->read(fx->r, now, &p), READER_PRESENTED);
	assert_int_equal(p.kind, READER_CODE);
	assert_int_equal(p.len, len);
	assert_memory_equal(p.data, want, len);
	assert_int_equal(p.too_long, too_long);
}

static void
expect_none(struct pty_fx *fx, int64_t now)
{
	struct reader_presentation p;

	assert_int_equal(fx->ops->read(fx->r, now, &p), READER_NONE);
}

static void
test_line_framing_cr_lf_and_empty_lines(void **state)
{
	struct pty_fx *fx = *state;

	pty_open(fx, READER_FRAME_LINE, 1024);
	pty_send_str(fx, "W-0001\r\nW-0002\n\r\n\rW-0003\r");
	expect_code(fx, T0, "W-0001", 6, false);
	expect_code(fx, T0, "W-0002", 6, false);
	expect_code(fx, T0, "W-0003", 6, false);
	expect_none(fx, T0);
	assert_int_equal(fx->ops->deadline_ns(fx->r), 0);
}

static void
test_line_without_its_end_is_ended_by_silence(void **state)
{
	struct pty_fx *fx = *state;

	pty_open(fx, READER_FRAME_LINE, 1024);
	pty_send_str(fx, "W-0001");
	expect_none(fx, T0);
	assert_int_equal(fx->ops->deadline_ns(fx->r), T0 + GAP_MS * MS);
	expect_none(fx, T0 + (GAP_MS - 1) * MS);
	expect_code(fx, T0 + GAP_MS * MS, "W-0001", 6, false);
	assert_int_equal(fx->ops->deadline_ns(fx->r), 0);
	/* Its end coming later is an empty line, no code. */
	pty_send_str(fx, "\r\n");
	expect_none(fx, T0 + 500 * MS);
}

static void
test_idle_framing_keeps_cr_lf_and_ends_by_silence(void **state)
{
	struct pty_fx *fx = *state;
	struct reader_presentation p;

	pty_open(fx, READER_FRAME_IDLE, 1024);
	pty_send_str(fx, "A\r\nB");
	expect_none(fx, T0);
	expect_none(fx, T0 + (GAP_MS - 1) * MS);
	assert_int_equal(fx->ops->read(fx->r, T0 + GAP_MS * MS, &p),
	    READER_PRESENTED);
	assert_int_equal(p.len, 4);
	assert_memory_equal(p.data, "A\r\nB", 4);
	/* Stamped with its last byte's arrival, not with the silence. */
	assert_int_equal(p.ts_ns, T0);
	/* Two codes with silence between them, the second read only after
	 * the first's silence was over: two codes, never one. */
	pty_send_str(fx, "CD");
	expect_none(fx, T0 + 1000 * MS);
	pty_send_str(fx, "EF");
	expect_code(fx, T0 + 1000 * MS + GAP_MS * MS + 5 * MS, "CD", 2, false);
	expect_none(fx, T0 + 1000 * MS + GAP_MS * MS + 5 * MS);
	expect_code(fx, T0 + 2000 * MS, "EF", 2, false);
}

static void
test_over_long_code_cut_and_marked(void **state)
{
	struct pty_fx *fx = *state;
	char big[300];

	pty_open(fx, READER_FRAME_LINE, 16);
	memset(big, 'x', sizeof(big));
	memcpy(big, "W-0001", 6);
	pty_send(fx, big, sizeof(big));
	pty_send_str(fx, "\nW-0002\n");
	/* The first 16 bytes only, refused as too long; the rest of the
	 * line is dropped, and the next line is whole. */
	expect_code(fx, T0, "W-0001xxxxxxxxxx", 16, true);
	expect_code(fx, T0, "W-0002", 6, false);
	/* Exactly the bound is not too long. */
	pty_send_str(fx, "0123456789abcdef\n");
	expect_code(fx, T0, "0123456789abcdef", 16, false);
	expect_none(fx, T0);
}

static void
test_binary_junk_passes_raw(void **state)
{
	struct pty_fx *fx = *state;
	/* NUL, 0xff, XON, XOFF, ^C, DEL, ESC, ^D, ^Z: a cooked tty would
	 * stop the flow, send signals or end the file on these. */
	static const uint8_t junk[] = { 0x00, 0xff, 0x11, 0x13, 0x03, 0x7f,
	    0x1b, 0x04, 0x1a, 'x', 0x80 };
	uint8_t line[sizeof(junk) + 1];

	pty_open(fx, READER_FRAME_LINE, 1024);
	memcpy(line, junk, sizeof(junk));
	line[sizeof(junk)] = '\n';
	pty_send(fx, line, sizeof(line));
	pty_send_str(fx, "W-0001\n");
	expect_code(fx, T0, junk, sizeof(junk), false);
	expect_code(fx, T0, "W-0001", 6, false);
	expect_none(fx, T0);
}

static void
test_hangup_is_an_error(void **state)
{
	struct pty_fx *fx = *state;
	struct reader_presentation p;

	pty_open(fx, READER_FRAME_LINE, 1024);
	pty_send_str(fx, "W-00");
	expect_none(fx, T0);
	close(fx->master);
	fx->master = -1;
	assert_int_equal(fx->ops->read(fx->r, T0, &p), READER_ERROR);
}

static void
test_open_refuses_bad_rate_and_non_tty(void **state)
{
	struct pty_fx *fx = *state;
	struct reader_config cfg = {
		.device = fx->slave, .baud = 12345, .timeout_ms = GAP_MS,
		.max_payload = 1024,
	};

	assert_null(fx->ops->open(&cfg));
	cfg.baud = 9600;
	cfg.device = "/dev/null";
	assert_null(fx->ops->open(&cfg));
	cfg.device = "/nonexistent/tty";
	assert_null(fx->ops->open(&cfg));
	assert_int_equal(errno, ENOENT);
	assert_null(reader_find("none"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_line_framing_cr_lf_and_empty_lines, pty_setup, pty_teardown),
		cmocka_unit_test_setup_teardown(test_line_without_its_end_is_ended_by_silence, pty_setup, pty_teardown),
		cmocka_unit_test_setup_teardown(test_idle_framing_keeps_cr_lf_and_ends_by_silence, pty_setup, pty_teardown),
		cmocka_unit_test_setup_teardown(test_over_long_code_cut_and_marked, pty_setup, pty_teardown),
		cmocka_unit_test_setup_teardown(test_binary_junk_passes_raw, pty_setup, pty_teardown),
		cmocka_unit_test_setup_teardown(test_hangup_is_an_error, pty_setup, pty_teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_bad_rate_and_non_tty, pty_setup, pty_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
