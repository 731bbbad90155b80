/*
 * The simulated GPIO backend: no hardware, two files.  The demo and every
 * integration test run the real daemon against it, so both file formats are
 * a public contract:
 *
 *   sim_log    appended with one line "<monotonic ns> <role> <0|1>\n" per
 *              change of a used output, starting with the inactive state of
 *              every used output at open;
 *   sim_input  a FIFO the test writes "<role> <0|1>\n" lines into, each one
 *              setting a used input; a line that changes the value is an
 *              event, as an edge on a real line would be.  A third field
 *              "+US" stamps the event US microseconds after the input
 *              event before it, instead of when it is read: a card
 *              reader's pulses, 50 us wide and 2 ms apart, written at
 *              once (the kernel stamps real ones).  Blank lines are
 *              ignored; bad ones (unknown, output or unused role, a value
 *              other than 0 or 1, over GPIO_SIM_LINE_MAX bytes) are logged
 *              and skipped.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "gpio.h"

/*
 * The longest input line kept.  Valid lines are under 20 bytes; the margin
 * only spares a writer's stray spaces, and the cap keeps a writer that never
 * sends a newline from growing the buffer without end.
 */
#define GPIO_SIM_LINE_MAX	128

struct gpio_sim {
	int log_fd;			/* -1: outputs live in memory only */
	int in_fd;			/* -1: no input FIFO */
	char log_path[256];
	char in_path[256];
	bool used[GPIO_ROLE_COUNT];
	int value[GPIO_ROLE_COUNT];	/* logical, 0 or 1 */
	char buf[GPIO_SIM_LINE_MAX];	/* a partial input line */
	size_t len;
	bool discarding;		/* inside an over-long line */
	int64_t last_in_ns;		/* the last input event's stamp */
};

static int64_t
gpio_sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool
gpio_sim_role_valid(int role)
{
	return role >= 0 && role < GPIO_ROLE_COUNT;
}

/*
 * One write() per line: with O_APPEND the line lands whole at the end of
 * the file, so a reader never sees half of it, even after a kill -9.
 */
static int
gpio_sim_log_append(struct gpio_sim *sim, enum gpio_role role, int value)
{
	char line[96];
	int n;
	ssize_t w;

	if (sim->log_fd == -1)
		return 0;
	n = snprintf(line, sizeof(line), "%" PRId64 " %s %d\n",
	    gpio_sim_now_ns(), gpio_role_name(role), value);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		log_warnx("gpio sim: %s: log line too long", sim->log_path);
		errno = EOVERFLOW;
		return -1;
	}
	do
		w = write(sim->log_fd, line, (size_t)n);
	while (w == -1 && errno == EINTR);
	if (w == -1) {
		log_warn("gpio sim: %s: write", sim->log_path);
		return -1;
	}
	if (w != n) {
		log_warnx("gpio sim: %s: short write", sim->log_path);
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Drives a used output; the value changes only once the log has it. */
static int
gpio_sim_drive(struct gpio_sim *sim, enum gpio_role role, int value)
{
	if (sim->value[role] == value)
		return 0;
	if (gpio_sim_log_append(sim, role, value) == -1)
		return -1;
	sim->value[role] = value;
	return 0;
}

/*
 * Creates the FIFO when missing and opens it for reading and writing: with
 * a write end of our own the FIFO never reports end-of-file when a test's
 * writer closes, so the fd stays quiet until the next line.
 */
static int
gpio_sim_input_open(struct gpio_sim *sim)
{
	struct stat st;
	bool created = false;
	int fd, saved;

	if (mkfifo(sim->in_path, 0660) == 0)
		created = true;
	else if (errno != EEXIST) {
		log_warn("gpio sim: mkfifo %s", sim->in_path);
		return -1;
	}
	fd = open(sim->in_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		log_warn("gpio sim: open %s", sim->in_path);
		return -1;
	}
	/* Checked on the open fd, so a file swapped in meanwhile is caught. */
	if (fstat(fd, &st) == -1) {
		saved = errno;
		log_warn("gpio sim: fstat %s", sim->in_path);
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISFIFO(st.st_mode)) {
		log_warnx("gpio sim: %s exists and is not a FIFO",
		    sim->in_path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* The umask must not lock out a test harness of the daemon's group. */
	if (created && fchmod(fd, 0660) == -1)
		log_warn("gpio sim: chmod %s", sim->in_path);
	return fd;
}

static void
gpio_sim_free(struct gpio_sim *sim)
{
	int saved = errno;

	if (sim->log_fd != -1)
		close(sim->log_fd);
	if (sim->in_fd != -1)
		close(sim->in_fd);
	free(sim);
	errno = saved;
}

static void *
gpio_sim_open(const struct gpio_config *cfg)
{
	struct gpio_sim *sim;

	if (cfg == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((sim = calloc(1, sizeof(*sim))) == NULL) {
		log_warn("gpio sim: open");
		return NULL;
	}
	sim->log_fd = sim->in_fd = -1;
	if (strlen(cfg->sim_log) >= sizeof(sim->log_path) ||
	    strlen(cfg->sim_input) >= sizeof(sim->in_path)) {
		log_warnx("gpio sim: file name too long");
		gpio_sim_free(sim);
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sim->log_path, cfg->sim_log);
	strcpy(sim->in_path, cfg->sim_input);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		sim->used[r] = cfg->lines[r].used;

	if (sim->log_path[0] != '\0') {
		sim->log_fd = open(sim->log_path,
		    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (sim->log_fd == -1) {
			log_warn("gpio sim: open %s", sim->log_path);
			gpio_sim_free(sim);
			return NULL;
		}
	}
	if (sim->in_path[0] != '\0' &&
	    (sim->in_fd = gpio_sim_input_open(sim)) == -1) {
		gpio_sim_free(sim);
		return NULL;
	}

	/* The safe state is logged too, so a test sees where the gate began. */
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		if (!sim->used[r] || !gpio_role_is_output(r))
			continue;
		if (gpio_sim_log_append(sim, r, 0) == -1) {
			gpio_sim_free(sim);
			return NULL;
		}
	}
	return sim;
}

static int
gpio_sim_fd(void *priv)
{
	struct gpio_sim *sim = priv;

	return sim->in_fd;
}

static int
gpio_sim_set(void *priv, enum gpio_role role, int active)
{
	struct gpio_sim *sim = priv;

	if (!gpio_sim_role_valid(role) || !gpio_role_is_output(role)) {
		log_warnx("gpio sim: set: %s is not an output",
		    gpio_role_name(role));
		errno = EINVAL;
		return -1;
	}
	if (!sim->used[role])
		return 0;
	return gpio_sim_drive(sim, role, active ? 1 : 0);
}

static int
gpio_sim_get(void *priv, enum gpio_role role)
{
	struct gpio_sim *sim = priv;

	if (!gpio_sim_role_valid(role)) {
		errno = EINVAL;
		return -1;
	}
	return sim->used[role] ? sim->value[role] : 0;
}

/* Copies s for a log message with anything unprintable made harmless. */
static void
gpio_sim_printable(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < dstsz; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = '\0';
}

/*
 * Parses one input line (without its newline).  Returns 1 with *ev filled
 * when it changes an input, 0 when it is blank, repeats the current value,
 * or is bad (then logged).
 */
static int
gpio_sim_line_parse(struct gpio_sim *sim, const char *line, size_t len,
    struct gpio_event *ev)
{
	char copy[GPIO_SIM_LINE_MAX], shown[GPIO_SIM_LINE_MAX];
	const char *sep = " \t\r";
	char *name, *val, *after, *extra, *save, *end;
	long long after_us = 0;
	int role, value;

	gpio_sim_printable(shown, sizeof(shown), line, len);
	if (memchr(line, '\0', len) != NULL || len >= sizeof(copy)) {
		log_warnx("gpio sim: %s: bad line \"%s\"", sim->in_path, shown);
		return 0;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	if ((name = strtok_r(copy, sep, &save)) == NULL)
		return 0;
	val = strtok_r(NULL, sep, &save);
	after = strtok_r(NULL, sep, &save);
	extra = strtok_r(NULL, sep, &save);
	if (after != NULL && (after[0] != '+' || after[1] < '0' ||
	    after[1] > '9' || (after_us = strtoll(after + 1, &end, 10)) < 0 ||
	    after_us > 10000000 || *end != '\0'))
		extra = after;
	if (val == NULL || extra != NULL) {
		log_warnx("gpio sim: %s: bad line \"%s\"", sim->in_path, shown);
		return 0;
	}
	if ((role = gpio_role_from_name(name)) == -1) {
		log_warnx("gpio sim: %s: unknown role \"%s\"", sim->in_path,
		    shown);
		return 0;
	}
	if (gpio_role_is_output(role)) {
		log_warnx("gpio sim: %s: %s is an output", sim->in_path, name);
		return 0;
	}
	if (!sim->used[role]) {
		log_warnx("gpio sim: %s: %s is not used", sim->in_path, name);
		return 0;
	}
	if (strcmp(val, "0") == 0)
		value = 0;
	else if (strcmp(val, "1") == 0)
		value = 1;
	else {
		log_warnx("gpio sim: %s: bad value in \"%s\"", sim->in_path,
		    shown);
		return 0;
	}
	if (sim->value[role] == value)
		return 0;
	sim->value[role] = value;
	ev->role = role;
	ev->value = value;
	ev->ts_ns = after != NULL && sim->last_in_ns != 0 ?
	    sim->last_in_ns + after_us * 1000 : gpio_sim_now_ns();
	sim->last_in_ns = ev->ts_ns;
	/* As the gpiod backend asks the kernel for such a line. */
	if (value == 0 && gpio_role_pulse_input(role))
		return 0;
	return 1;
}

/*
 * Takes the complete lines buffered so far until one is an event.  Returns
 * 1 with *ev filled, or 0 with at most a partial line left in the buffer.
 */
static int
gpio_sim_buf_take(struct gpio_sim *sim, struct gpio_event *ev)
{
	char *nl;
	size_t linelen;
	int ret;

	while (sim->len > 0) {
		nl = memchr(sim->buf, '\n', sim->len);
		if (nl == NULL) {
			if (sim->len < sizeof(sim->buf))
				return 0;
			/* A full buffer without a newline: drop the line. */
			log_warnx("gpio sim: %s: line over %zu bytes discarded",
			    sim->in_path, sizeof(sim->buf));
			sim->len = 0;
			sim->discarding = true;
			return 0;
		}
		linelen = (size_t)(nl - sim->buf);
		ret = gpio_sim_line_parse(sim, sim->buf, linelen, ev);
		sim->len -= linelen + 1;
		memmove(sim->buf, nl + 1, sim->len);
		if (ret == 1)
			return 1;
	}
	return 0;
}

static int
gpio_sim_read_event(void *priv, struct gpio_event *ev)
{
	struct gpio_sim *sim = priv;
	ssize_t n;

	if (sim->in_fd == -1)
		return 0;
	for (;;) {
		if (gpio_sim_buf_take(sim, ev) == 1)
			return 1;
		n = read(sim->in_fd, sim->buf + sim->len,
		    sizeof(sim->buf) - sim->len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			log_warn("gpio sim: read %s", sim->in_path);
			return -1;
		}
		/* Not while we hold a write end ourselves, but be safe. */
		if (n == 0)
			return 0;
		if (sim->discarding) {
			/* The tail of an over-long line, already reported. */
			char *nl = memchr(sim->buf, '\n', (size_t)n);

			if (nl == NULL)
				continue;
			sim->len = (size_t)n - (size_t)(nl + 1 - sim->buf);
			memmove(sim->buf, nl + 1, sim->len);
			sim->discarding = false;
		} else
			sim->len += (size_t)n;
	}
}

static void
gpio_sim_close(void *priv)
{
	struct gpio_sim *sim = priv;

	if (sim == NULL)
		return;
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		if (sim->used[r] && gpio_role_is_output(r))
			(void)gpio_sim_drive(sim, r, 0);
	gpio_sim_free(sim);
}

const struct gpio_ops gpio_sim_ops = {
	.name = "sim",
	.open = gpio_sim_open,
	.fd = gpio_sim_fd,
	.set = gpio_sim_set,
	.get = gpio_sim_get,
	.read_event = gpio_sim_read_event,
	.close = gpio_sim_close,
};
