/*
 * The libgpiod 1.6 calls of the gpiod backend (gpio_gpiod.c holds what
 * both APIs share), Debian 12's version.  Each line is requested on its
 * own and has its own event fd.
 *
 * Debounce: the 1.6 API has none, so it is done here: the first edge of a
 * burst is reported at once, further edges within debounce_us of it are
 * ignored, and when the window closes the line is sampled once (a timerfd
 * in the same epoll set) and a level that differs from the one reported
 * becomes an event.  A glitch shorter than the window thus shows as a
 * short pulse, never as a stuck level.
 *
 * The pulse inputs (a Wiegand reader's wires) are read on a thread of
 * their own, gpio_gpiod_pump.c, whose queue is one more source here: the
 * kernel keeps only 16 edges a line for this API.
 */
#include <sys/timerfd.h>

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "gpio_gpiod.h"
#include "gpio_gpiod_pump.h"

#if GPIO_GPIOD_V2
#error "gpio_gpiod_v1.c is for libgpiod 1.x: QRGATE_GPIOD_API must be 1"
#endif

#define GPIO_GPIOD_TIMER_TAG	0xffffu
#define GPIO_GPIOD_PUMP_TAG	0xfffeu

/* The library loaded at run time, which may not be the one built against. */
const char *
gpio_gpiod_lib_version(void)
{
	return gpiod_version_string();
}

bool
gpio_gpiod_chip_label_is(struct gpiod_chip *chip, const char *label)
{
	return strcmp(gpiod_chip_label(chip), label) == 0;
}

int
gpio_gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	return (int)gpiod_chip_num_lines(chip);
}

int
gpio_gpiod_offset_from_name(struct gpiod_chip *chip, const char *name)
{
	struct gpiod_line *line;

	if ((line = gpiod_chip_find_line(chip, name)) == NULL)
		return -1;
	return (int)gpiod_line_offset(line);
}

static int
gpio_gpiod_flags(const struct gpio_gpiod_line *l, bool output)
{
	int flags = l->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

	if (output)
		return flags;
	switch (l->bias) {
	case GPIO_BIAS_DISABLED:
		return flags | GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
	case GPIO_BIAS_PULL_UP:
		return flags | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	case GPIO_BIAS_PULL_DOWN:
		return flags | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	default:
		return flags;
	}
}

int
gpio_gpiod_lines_request(struct gpio_gpiod *g)
{
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];
		bool output = gpio_role_is_output(r);
		int ret;

		if (!l->used)
			continue;
		if ((l->line = gpiod_chip_get_line(g->chips[l->chip].chip,
		    l->offset)) == NULL) {
			log_warn("gpio gpiod: %s line %u (%s)",
			    gpio_gpiod_chip_path_of(g, r), l->offset,
			    gpio_role_name(r));
			return -1;
		}
		/*
		 * The default value is logical: with the active-low flag the
		 * kernel drives the line high, so 0 is inactive either way.
		 */
		if (output)
			ret = gpiod_line_request_output_flags(l->line,
			    GPIO_GPIOD_CONSUMER, gpio_gpiod_flags(l, true), 0);
		else if (l->active_edge)
			/* Logical with the active-low flag, as reported. */
			ret = gpiod_line_request_rising_edge_events_flags(
			    l->line, GPIO_GPIOD_CONSUMER,
			    gpio_gpiod_flags(l, false));
		else
			ret = gpiod_line_request_both_edges_events_flags(
			    l->line, GPIO_GPIOD_CONSUMER,
			    gpio_gpiod_flags(l, false));
		if (ret == -1) {
			log_warn("gpio gpiod: %s line %u (%s): request %s",
			    gpio_gpiod_chip_path_of(g, r), l->offset,
			    gpio_role_name(r), output ? "output" : "input");
			return -1;
		}
		l->requested = true;
	}
	return 0;
}

/* Adds what becomes readable on input events to the epoll set. */
int
gpio_gpiod_sources_add(struct gpio_gpiod *g)
{
	int pulse_fds[GPIO_ROLE_COUNT];
	bool debounce = false, pulses = false;

	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];

		pulse_fds[r] = -1;
		if (!l->used || gpio_role_is_output(r))
			continue;
		if (l->debounce_us > 0)
			debounce = true;
		if (l->active_edge) {
			pulse_fds[r] = gpiod_line_event_get_fd(l->line);
			pulses = true;
		} else if (gpio_gpiod_epoll_add(g,
		    gpiod_line_event_get_fd(l->line), (uint32_t)r,
		    gpio_role_name(r)) == -1)
			return -1;
	}
	if (pulses && ((g->pump = gpio_gpiod_pump_start(pulse_fds)) == NULL ||
	    gpio_gpiod_epoll_add(g, gpio_gpiod_pump_fd(g->pump),
	    GPIO_GPIOD_PUMP_TAG, "edge reader") == -1))
		return -1;
	if (!debounce)
		return 0;
	g->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (g->tfd == -1) {
		log_warn("gpio gpiod: debounce timer");
		return -1;
	}
	return gpio_gpiod_epoll_add(g, g->tfd, GPIO_GPIOD_TIMER_TAG,
	    "debounce timer");
}

int
gpio_gpiod_line_set(struct gpio_gpiod *g, enum gpio_role r, int value)
{
	return gpiod_line_set_value(g->lines[r].line, value);
}

int
gpio_gpiod_line_get(struct gpio_gpiod *g, enum gpio_role r)
{
	return gpiod_line_get_value(g->lines[r].line);
}

/* Arms the timer for the earliest pending sample, or disarms it. */
static int
gpio_gpiod_timer_arm(struct gpio_gpiod *g)
{
	struct itimerspec its;
	int64_t at = 0;

	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		int64_t t = g->lines[r].recheck_ns;

		if (t != 0 && (at == 0 || t < at))
			at = t;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = at / 1000000000;
	its.it_value.tv_nsec = at % 1000000000;
	if (timerfd_settime(g->tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1) {
		log_warn("gpio gpiod: debounce timer");
		return -1;
	}
	return 0;
}

/*
 * The debounce window of some line closed: its settled level, if it is not
 * the one reported, is the event.  One event per call; the timer is armed
 * again, at once if more lines wait.
 */
static int
gpio_gpiod_timer_read(struct gpio_gpiod *g, struct gpio_event *ev)
{
	uint64_t expirations;
	int64_t now = gpio_gpiod_now_ns();
	int ret = 0;

	if (read(g->tfd, &expirations, sizeof(expirations)) == -1 &&
	    errno != EAGAIN) {
		log_warn("gpio gpiod: debounce timer");
		return -1;
	}
	for (int r = 0; r < GPIO_ROLE_COUNT && ret == 0; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];
		int v;

		if (l->recheck_ns == 0 || l->recheck_ns > now)
			continue;
		l->recheck_ns = 0;
		if ((v = gpiod_line_get_value(l->line)) == -1) {
			log_warn("gpio gpiod: %s line %u (%s): read",
			    gpio_gpiod_chip_path_of(g, r), l->offset,
			    gpio_role_name(r));
			ret = -1;
		} else if (v != l->value) {
			l->value = v;
			l->edge_ns = now;
			ev->role = r;
			ev->value = v;
			ev->ts_ns = now;
			ret = 1;
		}
	}
	if (gpio_gpiod_timer_arm(g) == -1)
		return -1;
	return ret;
}

/*
 * Passes an edge at ts on role r's line when it opens a new debounce
 * window: returns 1 to go on, 0 when it falls inside the window of the
 * last one (the level is then sampled when the window closes), -1 on
 * failure.
 */
static int
gpio_gpiod_debounce(struct gpio_gpiod *g, enum gpio_role r, int64_t ts)
{
	struct gpio_gpiod_line *l = &g->lines[r];

	if (l->debounce_us > 0 && l->edge_ns != 0 &&
	    ts - l->edge_ns < (int64_t)l->debounce_us * 1000) {
		/* Inside the window: sample the level when it closes. */
		if (l->recheck_ns == 0) {
			l->recheck_ns = l->edge_ns +
			    (int64_t)l->debounce_us * 1000;
			if (gpio_gpiod_timer_arm(g) == -1)
				return -1;
		}
		return 0;
	}
	l->edge_ns = ts;
	return 1;
}

/* One edge of a pulse input, from the edge reader's queue. */
static int
gpio_gpiod_pump_read(struct gpio_gpiod *g, struct gpio_event *ev)
{
	struct gpio_gpiod_pump_edge e;
	unsigned lost;
	int64_t ts;
	int ret;

	ret = gpio_gpiod_pump_take(g->pump, &e, &lost);
	if (lost > 0)
		log_warnx("gpio gpiod: %u pulse edges dropped: the loop "
		    "left %d waiting", lost, GPIO_GPIOD_PUMP_EDGES);
	if (ret != 1)
		return ret;
	ts = gpio_gpiod_event_ts(e.ts_ns);
	if ((ret = gpio_gpiod_debounce(g, e.role, ts)) != 1)
		return ret;
	return gpio_gpiod_edge(g, e.role, e.rising, ts, ev);
}

/*
 * Reads one edge of role tag's line.  With the active-low flag, v1 kernels
 * report edges of the logical value, as v2 ones do.
 */
int
gpio_gpiod_source_read(struct gpio_gpiod *g, uint32_t tag,
    struct gpio_event *ev)
{
	struct gpiod_line_event e;
	struct gpio_gpiod_line *l;
	int64_t ts;
	int ret;

	if (tag == GPIO_GPIOD_TIMER_TAG)
		return gpio_gpiod_timer_read(g, ev);
	if (tag == GPIO_GPIOD_PUMP_TAG)
		return gpio_gpiod_pump_read(g, ev);
	if (tag >= GPIO_ROLE_COUNT || !g->lines[tag].used ||
	    gpio_role_is_output(tag))
		return 0;
	l = &g->lines[tag];
	if (gpiod_line_event_read(l->line, &e) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		log_warn("gpio gpiod: %s line %u (%s): read event",
		    gpio_gpiod_chip_path_of(g, tag), l->offset,
		    gpio_role_name(tag));
		return -1;
	}
	ts = gpio_gpiod_event_ts((int64_t)e.ts.tv_sec * 1000000000 +
	    e.ts.tv_nsec);
	if ((ret = gpio_gpiod_debounce(g, tag, ts)) != 1)
		return ret;
	return gpio_gpiod_edge(g, tag,
	    e.event_type == GPIOD_LINE_EVENT_RISING_EDGE, ts, ev);
}

void
gpio_gpiod_lines_release(struct gpio_gpiod *g)
{
	/* First: the thread reads the lines' fds. */
	gpio_gpiod_pump_stop(g->pump);
	g->pump = NULL;
	if (g->tfd != -1)
		close(g->tfd);
	g->tfd = -1;
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];

		if (l->requested)
			gpiod_line_release(l->line);
		l->requested = false;
		l->line = NULL;
	}
}
