/*
 * The simulated GPIO backend: its log and FIFO formats are what the
 * integration tests read and write, so they are checked byte for byte.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gpio.h"
#include "log.h"

extern const struct gpio_ops gpio_sim_ops;

#define LOG_LINES_MAX	64

struct log_line {
	int64_t ns;
	char role[32];
	int value;
};

struct fixture {
	char dir[64];
	char log[128];
	char fifo[128];
	struct gpio_config cfg;
	void *priv;
	int wfd;		/* the test's write end of the FIFO */
};

/* The backend under test, as the daemon finds it: by name. */
static const struct gpio_ops *ops;

static void
fixture_config(struct fixture *fx)
{
	memset(&fx->cfg, 0, sizeof(fx->cfg));
	snprintf(fx->cfg.sim_log, sizeof(fx->cfg.sim_log), "%s", fx->log);
	snprintf(fx->cfg.sim_input, sizeof(fx->cfg.sim_input), "%s", fx->fifo);
	/* Three outputs and two inputs wired; the rest are not. */
	fx->cfg.lines[GPIO_ENTRY_RELAY].used = true;
	fx->cfg.lines[GPIO_EXIT_RELAY].used = true;
	fx->cfg.lines[GPIO_RED_LED].used = true;
	fx->cfg.lines[GPIO_PASSAGE_SENSOR].used = true;
	fx->cfg.lines[GPIO_FIRE_ALARM].used = true;
}

static int
setup_dir(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_gpio_sim.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->log, sizeof(fx->log), "%s/gpio.log", fx->dir);
	snprintf(fx->fifo, sizeof(fx->fifo), "%s/gpio.in", fx->dir);
	fixture_config(fx);
	fx->wfd = -1;
	*state = fx;
	return 0;
}

/* Opens the backend and the test's write end of its FIFO. */
static int
setup_open(void **state)
{
	struct fixture *fx;

	setup_dir(state);
	fx = *state;
	fx->priv = ops->open(&fx->cfg);
	assert_non_null(fx->priv);
	fx->wfd = open(fx->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_int_not_equal(fx->wfd, -1);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char path[192];

	if (fx->priv != NULL)
		ops->close(fx->priv);
	if (fx->wfd != -1)
		close(fx->wfd);
	unlink(fx->log);
	unlink(fx->fifo);
	snprintf(path, sizeof(path), "%s/plain", fx->dir);
	unlink(path);
	assert_int_equal(rmdir(fx->dir), 0);
	free(fx);
	return 0;
}

/*
 * Reads the whole sim log, checking that every line is exactly
 * "<ns> <role> <0|1>" and that the times never go back.
 */
static int
log_read(const char *path, struct log_line *lines)
{
	char buf[8192], *p, *nl;
	ssize_t n;
	int fd, count = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_int_not_equal(fd, -1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0 && n < (ssize_t)sizeof(buf) - 1);
	buf[n] = '\0';
	if (n > 0)
		assert_int_equal(buf[n - 1], '\n');
	for (p = buf; *p != '\0'; p = nl + 1) {
		struct log_line *l = &lines[count];
		int used = 0;

		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		assert_true(count < LOG_LINES_MAX);
		assert_int_equal(sscanf(p, "%" SCNd64 " %31s %d%n", &l->ns,
		    l->role, &l->value, &used), 3);
		assert_int_equal(used, (int)strlen(p));
		assert_true(l->ns > 0);
		assert_true(l->value == 0 || l->value == 1);
		assert_int_not_equal(gpio_role_from_name(l->role), -1);
		assert_true(gpio_role_is_output(gpio_role_from_name(l->role)));
		if (count > 0)
			assert_true(l->ns >= lines[count - 1].ns);
		count++;
	}
	return count;
}

static void
assert_log_line(const struct log_line *l, const char *role, int value)
{
	assert_string_equal(l->role, role);
	assert_int_equal(l->value, value);
}

static void
fifo_write(struct fixture *fx, const void *s, size_t len)
{
	assert_int_equal(write(fx->wfd, s, len), (ssize_t)len);
}

static void
fifo_puts(struct fixture *fx, const char *s)
{
	fifo_write(fx, s, strlen(s));
}

static bool
fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* Open descriptors of this process: a failed open must leave none. */
static int
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
event_expect(struct fixture *fx, enum gpio_role role, int value)
{
	struct gpio_event ev;
	int64_t before = now_ns();

	memset(&ev, 0xa5, sizeof(ev));
	assert_int_equal(ops->read_event(fx->priv, &ev), 1);
	assert_string_equal(gpio_role_name(ev.role), gpio_role_name(role));
	assert_int_equal(ev.value, value);
	assert_true(ev.ts_ns >= before && ev.ts_ns <= now_ns());
	assert_int_equal(ops->get(fx->priv, role), value);
}

static void
event_none(struct fixture *fx)
{
	struct gpio_event ev;

	assert_int_equal(ops->read_event(fx->priv, &ev), 0);
}

static void
test_find(void **state)
{
	(void)state;
	assert_ptr_equal(gpio_find("sim"), &gpio_sim_ops);
	assert_string_equal(gpio_find("sim")->name, "sim");
	assert_null(gpio_find("Sim"));
	assert_null(gpio_find(""));
	assert_null(gpio_find("sim "));
#ifdef CONFIG_GPIO_GPIOD
	assert_non_null(gpio_find("gpiod"));
#else
	assert_null(gpio_find("gpiod"));
#endif
}

static void
test_open_logs_safe_state(void **state)
{
	struct fixture *fx = *state;
	struct log_line l[LOG_LINES_MAX];
	struct stat st;

	assert_string_equal(ops->name, "sim");
	assert_int_equal(log_read(fx->log, l), 3);
	assert_log_line(&l[0], "entry_relay", 0);
	assert_log_line(&l[1], "exit_relay", 0);
	assert_log_line(&l[2], "red_led", 0);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		assert_int_equal(ops->get(fx->priv, r), 0);
	assert_int_equal(stat(fx->fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_not_equal(ops->fd(fx->priv), -1);
	assert_false(fd_readable(ops->fd(fx->priv)));
	event_none(fx);
}

static void
test_set_logs_changes_only(void **state)
{
	struct fixture *fx = *state;
	struct log_line l[LOG_LINES_MAX];

	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 1), 0);
	assert_int_equal(log_read(fx->log, l), 4);
	assert_log_line(&l[3], "entry_relay", 1);
	assert_int_equal(ops->get(fx->priv, GPIO_ENTRY_RELAY), 1);

	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 1), 0);
	assert_int_equal(log_read(fx->log, l), 4);

	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 0), 0);
	assert_int_equal(log_read(fx->log, l), 5);
	assert_log_line(&l[4], "entry_relay", 0);
	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 0), 0);
	assert_int_equal(log_read(fx->log, l), 5);

	/* Any nonzero value means active and is logged as 1. */
	assert_int_equal(ops->set(fx->priv, GPIO_RED_LED, 7), 0);
	assert_int_equal(log_read(fx->log, l), 6);
	assert_log_line(&l[5], "red_led", 1);
	assert_int_equal(ops->get(fx->priv, GPIO_RED_LED), 1);
	assert_int_equal(ops->get(fx->priv, GPIO_EXIT_RELAY), 0);
}

static void
test_set_unused_and_invalid(void **state)
{
	struct fixture *fx = *state;
	struct log_line l[LOG_LINES_MAX];

	/* An output not wired on this gate: accepted, nothing happens. */
	assert_int_equal(ops->set(fx->priv, GPIO_GREEN_LED, 1), 0);
	assert_int_equal(ops->get(fx->priv, GPIO_GREEN_LED), 0);
	assert_int_equal(ops->set(fx->priv, GPIO_BUZZER, 1), 0);
	assert_int_equal(ops->get(fx->priv, GPIO_BUZZER), 0);

	/* Inputs cannot be driven, and roles out of range are refused. */
	assert_int_equal(ops->set(fx->priv, GPIO_PASSAGE_SENSOR, 1), -1);
	assert_int_equal(ops->get(fx->priv, GPIO_PASSAGE_SENSOR), 0);
	assert_int_equal(ops->set(fx->priv, GPIO_ROLE_COUNT, 1), -1);
	assert_int_equal(ops->set(fx->priv, (enum gpio_role)-1, 1), -1);
	assert_int_equal(ops->get(fx->priv, GPIO_ROLE_COUNT), -1);
	assert_int_equal(ops->get(fx->priv, (enum gpio_role)-1), -1);
	assert_int_equal(ops->get(fx->priv, GPIO_EXIT_BUTTON), 0);

	assert_int_equal(log_read(fx->log, l), 3);
}

static void
test_fifo_event(void **state)
{
	struct fixture *fx = *state;
	int fd = ops->fd(fx->priv);

	fifo_puts(fx, "passage_sensor 1\n");
	assert_true(fd_readable(fd));
	event_expect(fx, GPIO_PASSAGE_SENSOR, 1);
	event_none(fx);
	assert_false(fd_readable(fd));

	/* Inputs report edges: the same value again is no event. */
	fifo_puts(fx, "passage_sensor 1\n");
	assert_true(fd_readable(fd));
	event_none(fx);
	assert_int_equal(ops->get(fx->priv, GPIO_PASSAGE_SENSOR), 1);

	fifo_puts(fx, "passage_sensor 0\n");
	event_expect(fx, GPIO_PASSAGE_SENSOR, 0);
	event_none(fx);
}

static void
test_fifo_two_lines_one_write(void **state)
{
	struct fixture *fx = *state;

	fifo_puts(fx, "passage_sensor 1\n");
	event_expect(fx, GPIO_PASSAGE_SENSOR, 1);
	fifo_puts(fx, "fire_alarm 1\npassage_sensor 0\n");
	event_expect(fx, GPIO_FIRE_ALARM, 1);
	event_expect(fx, GPIO_PASSAGE_SENSOR, 0);
	event_none(fx);
	assert_int_equal(ops->get(fx->priv, GPIO_FIRE_ALARM), 1);
}

static void
test_fifo_partial_line(void **state)
{
	struct fixture *fx = *state;

	fifo_puts(fx, "passage_sen");
	assert_true(fd_readable(ops->fd(fx->priv)));
	event_none(fx);
	assert_int_equal(ops->get(fx->priv, GPIO_PASSAGE_SENSOR), 0);
	fifo_puts(fx, "sor 1\nfire_al");
	event_expect(fx, GPIO_PASSAGE_SENSOR, 1);
	event_none(fx);
	fifo_puts(fx, "arm 1\n");
	event_expect(fx, GPIO_FIRE_ALARM, 1);
	event_none(fx);
}

static void
test_fifo_garbage_skipped(void **state)
{
	struct fixture *fx = *state;
	struct log_line l[LOG_LINES_MAX];
	static const char nul_line[] = "fire\0alarm 1\nfire_alarm\0 1\n";

	fifo_puts(fx,
	    "bogus 1\n"			/* no such role */
	    "entry_relay 1\n"		/* an output */
	    "fire_alarm 7\n"		/* bad value */
	    "fire_alarm -1\n"
	    "fire_alarm 01\n"
	    "exit_button 1\n"		/* not used on this gate */
	    "\n"			/* blank: ignored */
	    "passage_sensor\n"		/* no value */
	    "passage_sensor 1 1\n"	/* trailing junk */
	    "1 passage_sensor\n"
	    "PASSAGE_SENSOR 1\n");
	fifo_write(fx, nul_line, sizeof(nul_line) - 1);
	event_none(fx);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		assert_int_equal(ops->get(fx->priv, r), 0);
	/* The output named in the FIFO was not driven. */
	assert_int_equal(log_read(fx->log, l), 3);

	fifo_puts(fx, "bogus 1\nfire_alarm 1\n");
	event_expect(fx, GPIO_FIRE_ALARM, 1);
	event_none(fx);
}

static void
test_fifo_overlong_line_discarded(void **state)
{
	struct fixture *fx = *state;
	char line[1000];

	/* The valid-looking tail belongs to the long line: no event. */
	memset(line, 'x', sizeof(line));
	fifo_write(fx, line, sizeof(line));
	event_none(fx);
	fifo_write(fx, line, sizeof(line));
	fifo_puts(fx, " fire_alarm 1\npassage_sensor 1\n");
	event_expect(fx, GPIO_PASSAGE_SENSOR, 1);
	event_none(fx);
	assert_int_equal(ops->get(fx->priv, GPIO_FIRE_ALARM), 0);

	/* A long line with its newline in one read, then a good one. */
	memset(line, ' ', sizeof(line));
	memcpy(line + sizeof(line) - 14, "fire_alarm 1\n", 13);
	fifo_write(fx, line, sizeof(line) - 1);
	fifo_puts(fx, "passage_sensor 0\n");
	event_expect(fx, GPIO_PASSAGE_SENSOR, 0);
	event_none(fx);
	assert_int_equal(ops->get(fx->priv, GPIO_FIRE_ALARM), 0);
}

static void
test_close_drives_outputs_inactive(void **state)
{
	struct fixture *fx = *state;
	struct log_line l[LOG_LINES_MAX];
	int last[GPIO_ROLE_COUNT];
	int n;

	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 1), 0);
	assert_int_equal(ops->set(fx->priv, GPIO_RED_LED, 1), 0);
	assert_int_equal(log_read(fx->log, l), 5);
	ops->close(fx->priv);
	fx->priv = NULL;

	/* Only the two active outputs change, so only they are logged. */
	n = log_read(fx->log, l);
	assert_int_equal(n, 7);
	assert_log_line(&l[5], "entry_relay", 0);
	assert_log_line(&l[6], "red_led", 0);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		last[r] = -1;
	for (int i = 0; i < n; i++)
		last[gpio_role_from_name(l[i].role)] = l[i].value;
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		if (fx->cfg.lines[r].used && gpio_role_is_output(r))
			assert_int_equal(last[r], 0);
		else
			assert_int_equal(last[r], -1);
	}
}

static void
test_reopen_appends(void **state)
{
	struct fixture *fx = *state;
	struct log_line l[LOG_LINES_MAX];

	assert_int_equal(ops->set(fx->priv, GPIO_EXIT_RELAY, 1), 0);
	ops->close(fx->priv);
	close(fx->wfd);
	fx->wfd = -1;

	/* The FIFO left behind is reused, and the log grows. */
	fx->priv = ops->open(&fx->cfg);
	assert_non_null(fx->priv);
	assert_int_equal(log_read(fx->log, l), 8);
	assert_log_line(&l[3], "exit_relay", 1);
	assert_log_line(&l[4], "exit_relay", 0);
	assert_log_line(&l[5], "entry_relay", 0);
	assert_log_line(&l[6], "exit_relay", 0);
	assert_log_line(&l[7], "red_led", 0);
	fx->wfd = open(fx->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_int_not_equal(fx->wfd, -1);
	fifo_puts(fx, "fire_alarm 1\n");
	event_expect(fx, GPIO_FIRE_ALARM, 1);
}

static void
test_writer_close_is_no_eof(void **state)
{
	struct fixture *fx = *state;

	fifo_puts(fx, "fire_alarm 1\n");
	close(fx->wfd);
	fx->wfd = -1;
	event_expect(fx, GPIO_FIRE_ALARM, 1);
	event_none(fx);
	/* With every writer gone the fd must not spin as readable. */
	assert_false(fd_readable(ops->fd(fx->priv)));
}

static void
test_existing_fifo_reused(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(mkfifo(fx->fifo, 0600), 0);
	fx->priv = ops->open(&fx->cfg);
	assert_non_null(fx->priv);
	fx->wfd = open(fx->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_int_not_equal(fx->wfd, -1);
	fifo_puts(fx, "passage_sensor 1\n");
	event_expect(fx, GPIO_PASSAGE_SENSOR, 1);
}

static void
test_open_errors(void **state)
{
	struct fixture *fx = *state;
	char plain[192];
	int fd, fds = fd_count();

	errno = 0;
	assert_null(ops->open(NULL));
	assert_int_equal(errno, EINVAL);

	/* The input path exists and is a regular file. */
	snprintf(plain, sizeof(plain), "%s/plain", fx->dir);
	fd = open(plain, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_int_not_equal(fd, -1);
	close(fd);
	snprintf(fx->cfg.sim_input, sizeof(fx->cfg.sim_input), "%s", plain);
	errno = 0;
	assert_null(ops->open(&fx->cfg));
	assert_int_equal(errno, EINVAL);

	/* The log's directory does not exist. */
	snprintf(fx->cfg.sim_input, sizeof(fx->cfg.sim_input), "%s", fx->fifo);
	snprintf(fx->cfg.sim_log, sizeof(fx->cfg.sim_log), "%s/no/such.log",
	    fx->dir);
	errno = 0;
	assert_null(ops->open(&fx->cfg));
	assert_int_equal(errno, ENOENT);

	/* The FIFO's directory does not exist. */
	snprintf(fx->cfg.sim_log, sizeof(fx->cfg.sim_log), "%s", fx->log);
	snprintf(fx->cfg.sim_input, sizeof(fx->cfg.sim_input), "%s/no/in",
	    fx->dir);
	errno = 0;
	assert_null(ops->open(&fx->cfg));
	assert_int_equal(errno, ENOENT);

	/* Whatever was opened before the failure was closed again. */
	assert_int_equal(fd_count(), fds);
}

static void
test_memory_only(void **state)
{
	struct fixture *fx = *state;
	struct gpio_event ev;
	struct stat st;

	fx->cfg.sim_log[0] = '\0';
	fx->cfg.sim_input[0] = '\0';
	fx->priv = ops->open(&fx->cfg);
	assert_non_null(fx->priv);
	assert_int_equal(ops->fd(fx->priv), -1);
	assert_int_equal(ops->read_event(fx->priv, &ev), 0);
	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 1), 0);
	assert_int_equal(ops->get(fx->priv, GPIO_ENTRY_RELAY), 1);
	assert_int_equal(ops->set(fx->priv, GPIO_ENTRY_RELAY, 0), 0);
	assert_int_equal(ops->get(fx->priv, GPIO_ENTRY_RELAY), 0);
	ops->close(fx->priv);
	fx->priv = NULL;
	assert_int_equal(stat(fx->log, &st), -1);
	assert_int_equal(stat(fx->fifo, &st), -1);
}

#ifdef CONFIG_GPIO_GPIOD
/*
 * The gpiod backend needs a chip to do anything real (the system tests
 * give it gpio-sim); without one, every way of failing must fail cleanly:
 * NULL, errno set, nothing left open.
 */
extern const struct gpio_ops gpio_gpiod_ops;

/* Formats into a fixed config field, failing the test if it does not fit. */
static void __attribute__((format(printf, 3, 4)))
str_set(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < size);
}

static void
gpiod_open_fails(struct gpio_config *cfg, int want_errno)
{
	errno = 0;
	assert_null(gpio_gpiod_ops.open(cfg));
	if (want_errno != 0)
		assert_int_equal(errno, want_errno);
	else
		assert_int_not_equal(errno, 0);
}

static void
test_gpiod_nothing_used(void **state)
{
	struct gpio_config cfg;
	struct gpio_event ev;
	void *priv;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	priv = gpio_gpiod_ops.open(&cfg);
	assert_non_null(priv);
	assert_string_equal(gpio_gpiod_ops.name, "gpiod");
	assert_int_equal(gpio_gpiod_ops.fd(priv), -1);
	assert_int_equal(gpio_gpiod_ops.read_event(priv, &ev), 0);
	assert_int_equal(gpio_gpiod_ops.set(priv, GPIO_ENTRY_RELAY, 1), 0);
	assert_int_equal(gpio_gpiod_ops.get(priv, GPIO_ENTRY_RELAY), 0);
	assert_int_equal(gpio_gpiod_ops.set(priv, GPIO_FIRE_ALARM, 1), -1);
	assert_int_equal(gpio_gpiod_ops.get(priv, GPIO_ROLE_COUNT), -1);
	gpio_gpiod_ops.close(priv);
}

static void
test_gpiod_open_errors(void **state)
{
	struct fixture *fx = *state;
	struct gpio_config cfg;
	struct gpio_line_config *lc = &cfg.lines[GPIO_ENTRY_RELAY];
	char plain[192];
	int fd, fds = fd_count();

	memset(&cfg, 0, sizeof(cfg));
	lc->used = true;
	lc->offset = 3;

	/* A chip path that does not exist, and one that is no chip. */
	str_set(cfg.chip, sizeof(cfg.chip), "%s/gpiochip9", fx->dir);
	gpiod_open_fails(&cfg, ENOENT);
	snprintf(plain, sizeof(plain), "%s/plain", fx->dir);
	fd = open(plain, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_int_not_equal(fd, -1);
	close(fd);
	str_set(cfg.chip, sizeof(cfg.chip), "%s", plain);
	gpiod_open_fails(&cfg, 0);

	/* Neither a /dev name nor any chip's label. */
	str_set(cfg.chip, sizeof(cfg.chip), "qrgate-no-such-chip-label");
	gpiod_open_fails(&cfg, ENOENT);

	/* A line given by offset needs a chip. */
	cfg.chip[0] = '\0';
	gpiod_open_fails(&cfg, EINVAL);

	/* Offset -1 needs a name, and the name must exist somewhere. */
	lc->offset = -1;
	gpiod_open_fails(&cfg, EINVAL);
	str_set(lc->name, sizeof(lc->name), "qrgate-no-such-line");
	gpiod_open_fails(&cfg, ENOENT);

	/* The per-line chip wins over the default one. */
	str_set(cfg.chip, sizeof(cfg.chip), "%s", plain);
	str_set(lc->chip, sizeof(lc->chip), "%s/gpiochip9", fx->dir);
	lc->offset = 0;
	gpiod_open_fails(&cfg, ENOENT);

	assert_int_equal(fd_count(), fds);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test_setup_teardown(test_open_logs_safe_state,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_set_logs_changes_only,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_set_unused_and_invalid,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_event,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_two_lines_one_write,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_partial_line,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_garbage_skipped,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(
		    test_fifo_overlong_line_discarded, setup_open, teardown),
		cmocka_unit_test_setup_teardown(
		    test_close_drives_outputs_inactive, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_appends,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_writer_close_is_no_eof,
		    setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_existing_fifo_reused,
		    setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors,
		    setup_dir, teardown),
		cmocka_unit_test_setup_teardown(test_memory_only,
		    setup_dir, teardown),
#ifdef CONFIG_GPIO_GPIOD
		cmocka_unit_test(test_gpiod_nothing_used),
		cmocka_unit_test_setup_teardown(test_gpiod_open_errors,
		    setup_dir, teardown),
#endif
	};

	/* The hostile lines above are meant to be warned about; keep quiet. */
	log_init("test_gpio_sim", LOG_LVL_ERR);
	if ((ops = gpio_find("sim")) == NULL) {
		fprintf(stderr, "no \"sim\" GPIO backend\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
