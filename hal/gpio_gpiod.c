/*
 * The libgpiod backend: the lane's lines on a GPIO character device.
 *
 * libgpiod 1.6 (Debian 12) and 2.x have different APIs; the Makefile
 * defines QRGATE_GPIOD_API to the major version pkg-config reports, and the few
 * functions that touch the library come in one version for each.  What
 * both share is here once: finding chips and lines, the epoll fd the loop
 * polls, and turning edges into events.
 *
 * Inputs report edges of their logical value, as the sim backend does: an
 * edge that repeats the value last reported is dropped, so a missed or
 * doubled kernel event never reaches the lane as a second "press".
 *
 * Debounce: libgpiod 2.x asks the kernel for it.  The 1.6 API has none, so
 * it is done here: the first edge of a burst is reported at once, further
 * edges within debounce_us of it are ignored, and when the window closes
 * the line is sampled once (a timerfd in the same epoll set) and a level
 * that differs from the one reported becomes an event.  A glitch shorter
 * than the window thus shows as a short pulse, never as a stuck level.
 */
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef QRGATE_GPIOD_API
#error "QRGATE_GPIOD_API must be 1 or 2: the major version of libgpiod"
#elif QRGATE_GPIOD_API >= 2
#define GPIO_GPIOD_V2	1
#else
#define GPIO_GPIOD_V2	0
#endif

#include <gpiod.h>

#include "../src/log.h"
#include "gpio.h"

#define GPIO_GPIOD_CONSUMER	"qrgated"
#define GPIO_GPIOD_PATH_MAX	96
/* Bounds one read_event() call should a source stay readable but empty. */
#define GPIO_GPIOD_READ_TRIES	64
#define GPIO_GPIOD_TIMER_TAG	0xffffu

struct gpio_gpiod_chip {
	char path[GPIO_GPIOD_PATH_MAX];
	struct gpiod_chip *chip;
#if GPIO_GPIOD_V2
	struct gpiod_line_request *out_req;
	struct gpiod_line_request *in_req;
#endif
};

struct gpio_gpiod_line {
	bool used;
	int chip;		/* index into gpio_gpiod.chips */
	unsigned int offset;
	bool active_low;
	enum gpio_bias bias;
	int debounce_us;
	int value;		/* outputs: as driven; inputs: as reported */
#if !GPIO_GPIOD_V2
	struct gpiod_line *line;
	bool requested;
	int64_t edge_ns;	/* when the value last reported began */
	int64_t recheck_ns;	/* 0, or when to sample the settled level */
#endif
};

struct gpio_gpiod {
	struct gpio_gpiod_chip chips[GPIO_ROLE_COUNT];
	int nchips;
	struct gpio_gpiod_line lines[GPIO_ROLE_COUNT];
	int epfd;		/* -1 when no input is used */
#if !GPIO_GPIOD_V2
	int tfd;		/* software debounce timer, or -1 */
#else
	struct gpiod_edge_event_buffer *evbuf;
#endif
};

static int	gpio_gpiod_epoll_add(struct gpio_gpiod *, int, uint32_t,
		    const char *);
static int	gpio_gpiod_edge(struct gpio_gpiod *, enum gpio_role, int,
		    int64_t, struct gpio_event *);

static int64_t
gpio_gpiod_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Kernels before 5.7 stamped v1 events with CLOCK_REALTIME, which is
 * always far ahead of CLOCK_MONOTONIC; such a stamp is replaced by now.
 */
static int64_t
gpio_gpiod_event_ts(int64_t ts)
{
	int64_t now = gpio_gpiod_now_ns();

	return (ts <= 0 || ts > now) ? now : ts;
}

static const char *
gpio_gpiod_chip_path_of(struct gpio_gpiod *g, enum gpio_role r)
{
	return g->chips[g->lines[r].chip].path;
}

static bool
gpio_gpiod_role_valid(int role)
{
	return role >= 0 && role < GPIO_ROLE_COUNT;
}

/* ---- The library calls, once per API. ---- */

#if GPIO_GPIOD_V2

static bool
gpio_gpiod_chip_label_is(struct gpiod_chip *chip, const char *label)
{
	struct gpiod_chip_info *info;
	bool same;

	if ((info = gpiod_chip_get_info(chip)) == NULL)
		return false;
	same = strcmp(gpiod_chip_info_get_label(info), label) == 0;
	gpiod_chip_info_free(info);
	return same;
}

static int
gpio_gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *info;
	size_t n;

	if ((info = gpiod_chip_get_info(chip)) == NULL)
		return -1;
	n = gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	return (int)n;
}

static int
gpio_gpiod_offset_from_name(struct gpiod_chip *chip, const char *name)
{
	return gpiod_chip_get_line_offset_from_name(chip, name);
}

static enum gpiod_line_bias
gpio_gpiod_bias(enum gpio_bias b)
{
	switch (b) {
	case GPIO_BIAS_DISABLED:
		return GPIOD_LINE_BIAS_DISABLED;
	case GPIO_BIAS_PULL_UP:
		return GPIOD_LINE_BIAS_PULL_UP;
	case GPIO_BIAS_PULL_DOWN:
		return GPIOD_LINE_BIAS_PULL_DOWN;
	default:
		return GPIOD_LINE_BIAS_AS_IS;
	}
}

/* Fills ls with the settings of line l. */
static int
gpio_gpiod_settings_fill(struct gpiod_line_settings *ls,
    const struct gpio_gpiod_line *l, bool output)
{
	gpiod_line_settings_reset(ls);
	gpiod_line_settings_set_active_low(ls, l->active_low);
	if (output) {
		/* Inactive from the first instant the line is ours. */
		if (gpiod_line_settings_set_direction(ls,
		    GPIOD_LINE_DIRECTION_OUTPUT) == -1 ||
		    gpiod_line_settings_set_output_value(ls,
		    GPIOD_LINE_VALUE_INACTIVE) == -1)
			return -1;
		return 0;
	}
	if (gpiod_line_settings_set_direction(ls,
	    GPIOD_LINE_DIRECTION_INPUT) == -1 ||
	    gpiod_line_settings_set_edge_detection(ls,
	    GPIOD_LINE_EDGE_BOTH) == -1 ||
	    gpiod_line_settings_set_bias(ls, gpio_gpiod_bias(l->bias)) == -1 ||
	    gpiod_line_settings_set_event_clock(ls,
	    GPIOD_LINE_CLOCK_MONOTONIC) == -1)
		return -1;
	gpiod_line_settings_set_debounce_period_us(ls,
	    (unsigned long)l->debounce_us);
	return 0;
}

/*
 * Requests every output (or every input) of chip ci in one request, left
 * in *reqp (NULL when there are none).  Returns 0, or -1 with the failure
 * logged.
 */
static int
gpio_gpiod_chip_request(struct gpio_gpiod *g, int ci, bool output,
    struct gpiod_line_request **reqp)
{
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;
	char roles[256] = "";
	int n = 0, ret = -1, saved;

	*reqp = NULL;
	if ((ls = gpiod_line_settings_new()) == NULL ||
	    (lc = gpiod_line_config_new()) == NULL ||
	    (rc = gpiod_request_config_new()) == NULL) {
		log_warn("gpio gpiod: %s: allocate request",
		    g->chips[ci].path);
		goto out;
	}
	gpiod_request_config_set_consumer(rc, GPIO_GPIOD_CONSUMER);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];
		size_t len = strlen(roles);

		if (!l->used || l->chip != ci ||
		    gpio_role_is_output(r) != output)
			continue;
		snprintf(roles + len, sizeof(roles) - len, "%s%s(%u)",
		    n > 0 ? " " : "", gpio_role_name(r), l->offset);
		if (gpio_gpiod_settings_fill(ls, l, output) == -1 ||
		    gpiod_line_config_add_line_settings(lc, &l->offset, 1,
		    ls) == -1) {
			log_warn("gpio gpiod: %s line %u (%s): settings",
			    g->chips[ci].path, l->offset, gpio_role_name(r));
			goto out;
		}
		n++;
	}
	if (n > 0 && (*reqp = gpiod_chip_request_lines(g->chips[ci].chip,
	    rc, lc)) == NULL)
		log_warn("gpio gpiod: %s: request %s %s", g->chips[ci].path,
		    output ? "outputs" : "inputs", roles);
	else
		ret = 0;
out:
	saved = errno;
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	errno = saved;
	return ret;
}

static int
gpio_gpiod_lines_request(struct gpio_gpiod *g)
{
	for (int ci = 0; ci < g->nchips; ci++) {
		struct gpio_gpiod_chip *c = &g->chips[ci];

		if (gpio_gpiod_chip_request(g, ci, true, &c->out_req) == -1 ||
		    gpio_gpiod_chip_request(g, ci, false, &c->in_req) == -1)
			return -1;
	}
	return 0;
}

/* Adds what becomes readable on input events to the epoll set. */
static int
gpio_gpiod_sources_add(struct gpio_gpiod *g)
{
	for (int ci = 0; ci < g->nchips; ci++)
		if (g->chips[ci].in_req != NULL &&
		    gpio_gpiod_epoll_add(g,
		    gpiod_line_request_get_fd(g->chips[ci].in_req),
		    (uint32_t)ci, g->chips[ci].path) == -1)
			return -1;
	if ((g->evbuf = gpiod_edge_event_buffer_new(1)) == NULL) {
		log_warn("gpio gpiod: edge event buffer");
		return -1;
	}
	return 0;
}

static int
gpio_gpiod_line_set(struct gpio_gpiod *g, enum gpio_role r, int value)
{
	struct gpio_gpiod_line *l = &g->lines[r];

	return gpiod_line_request_set_value(g->chips[l->chip].out_req,
	    l->offset, value ? GPIOD_LINE_VALUE_ACTIVE :
	    GPIOD_LINE_VALUE_INACTIVE);
}

static int
gpio_gpiod_line_get(struct gpio_gpiod *g, enum gpio_role r)
{
	struct gpio_gpiod_line *l = &g->lines[r];
	struct gpio_gpiod_chip *c = &g->chips[l->chip];
	enum gpiod_line_value v;

	v = gpiod_line_request_get_value(gpio_role_is_output(r) ?
	    c->out_req : c->in_req, l->offset);
	if (v == GPIOD_LINE_VALUE_ERROR)
		return -1;
	return v == GPIOD_LINE_VALUE_ACTIVE;
}

/*
 * Reads one edge from chip tag's input request.  With active_low set, the
 * kernel already reports edges of the logical value.
 */
static int
gpio_gpiod_source_read(struct gpio_gpiod *g, uint32_t tag,
    struct gpio_event *ev)
{
	struct gpio_gpiod_chip *c;
	struct gpiod_edge_event *e;
	unsigned int off;
	int n;

	if (tag >= (uint32_t)g->nchips || g->chips[tag].in_req == NULL)
		return 0;
	c = &g->chips[tag];
	n = gpiod_line_request_read_edge_events(c->in_req, g->evbuf, 1);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		log_warn("gpio gpiod: %s: read edge events", c->path);
		return -1;
	}
	if (n == 0 ||
	    (e = gpiod_edge_event_buffer_get_event(g->evbuf, 0)) == NULL)
		return 0;
	off = gpiod_edge_event_get_line_offset(e);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];

		if (l->used && !gpio_role_is_output(r) && l->chip == (int)tag &&
		    l->offset == off)
			return gpio_gpiod_edge(g, r,
			    gpiod_edge_event_get_event_type(e) ==
			    GPIOD_EDGE_EVENT_RISING_EDGE,
			    gpio_gpiod_event_ts(
			    (int64_t)gpiod_edge_event_get_timestamp_ns(e)), ev);
	}
	log_warnx("gpio gpiod: %s: event on unrequested line %u", c->path,
	    off);
	return 0;
}

static void
gpio_gpiod_lines_release(struct gpio_gpiod *g)
{
	if (g->evbuf != NULL)
		gpiod_edge_event_buffer_free(g->evbuf);
	g->evbuf = NULL;
	for (int ci = 0; ci < g->nchips; ci++) {
		struct gpio_gpiod_chip *c = &g->chips[ci];

		if (c->out_req != NULL)
			gpiod_line_request_release(c->out_req);
		if (c->in_req != NULL)
			gpiod_line_request_release(c->in_req);
		c->out_req = c->in_req = NULL;
	}
}

#else /* libgpiod 1.6 */

static bool
gpio_gpiod_chip_label_is(struct gpiod_chip *chip, const char *label)
{
	return strcmp(gpiod_chip_label(chip), label) == 0;
}

static int
gpio_gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	return (int)gpiod_chip_num_lines(chip);
}

static int
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

static int
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
static int
gpio_gpiod_sources_add(struct gpio_gpiod *g)
{
	bool debounce = false;

	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];

		if (!l->used || gpio_role_is_output(r))
			continue;
		if (gpio_gpiod_epoll_add(g, gpiod_line_event_get_fd(l->line),
		    (uint32_t)r, gpio_role_name(r)) == -1)
			return -1;
		if (l->debounce_us > 0)
			debounce = true;
	}
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

static int
gpio_gpiod_line_set(struct gpio_gpiod *g, enum gpio_role r, int value)
{
	return gpiod_line_set_value(g->lines[r].line, value);
}

static int
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
 * Reads one edge of role tag's line.  With the active-low flag, v1 kernels
 * report edges of the logical value, as v2 ones do.
 */
static int
gpio_gpiod_source_read(struct gpio_gpiod *g, uint32_t tag,
    struct gpio_event *ev)
{
	struct gpiod_line_event e;
	struct gpio_gpiod_line *l;

	if (tag == GPIO_GPIOD_TIMER_TAG)
		return gpio_gpiod_timer_read(g, ev);
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
	return gpio_gpiod_edge(g, tag,
	    e.event_type == GPIOD_LINE_EVENT_RISING_EDGE,
	    gpio_gpiod_event_ts((int64_t)e.ts.tv_sec * 1000000000 +
	    e.ts.tv_nsec), ev);
}

static void
gpio_gpiod_lines_release(struct gpio_gpiod *g)
{
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

#endif /* GPIO_GPIOD_V2 */

/* ---- Shared by both APIs. ---- */

/*
 * Takes one edge of an input: returns 1 with *ev filled when it changes
 * the reported value, 0 when it is dropped.
 */
static int
gpio_gpiod_edge(struct gpio_gpiod *g, enum gpio_role r, int value,
    int64_t ts, struct gpio_event *ev)
{
	struct gpio_gpiod_line *l = &g->lines[r];

#if !GPIO_GPIOD_V2
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
#else
	(void)g;
#endif
	if (value == l->value)
		return 0;
	l->value = value;
	ev->role = r;
	ev->value = value;
	ev->ts_ns = ts;
	return 1;
}

/* Matches a chip for gpio_gpiod_chip_scan(). */
static bool
gpio_gpiod_match_line(struct gpiod_chip *chip, const char *name)
{
	return gpio_gpiod_offset_from_name(chip, name) >= 0;
}

static int
gpio_gpiod_scan_filter(const struct dirent *d)
{
	return strncmp(d->d_name, "gpiochip", 8) == 0;
}

/*
 * Finds the first chip, in name order, that match() accepts, and copies its
 * path.  Returns 0, or -1 with errno ENOENT when none does.
 */
static int
gpio_gpiod_chip_scan(bool (*match)(struct gpiod_chip *, const char *),
    const char *key, char *path, size_t pathsz)
{
	struct dirent **names;
	int n, found = -1;

	if ((n = scandir("/dev", &names, gpio_gpiod_scan_filter,
	    alphasort)) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		struct gpiod_chip *chip;
		int len;

		if (found == -1) {
			len = snprintf(path, pathsz, "/dev/%s",
			    names[i]->d_name);
			if (len > 0 && (size_t)len < pathsz &&
			    (chip = gpiod_chip_open(path)) != NULL) {
				if (match(chip, key))
					found = 0;
				gpiod_chip_close(chip);
			}
		}
		free(names[i]);
	}
	free(names);
	if (found == -1)
		errno = ENOENT;
	return found;
}

/*
 * Turns a chip as configured, "gpiochip0", "/dev/gpiochip0" or a chip's
 * label, into a path.  With no chip at all, the line's name is looked up
 * on every chip.
 */
static int
gpio_gpiod_chip_path(const char *spec, const char *line_name, char *path,
    size_t pathsz)
{
	struct stat st;

	if (spec[0] == '\0') {
		if (line_name[0] == '\0') {
			errno = EINVAL;
			return -1;
		}
		return gpio_gpiod_chip_scan(gpio_gpiod_match_line, line_name,
		    path, pathsz);
	}
	if (strchr(spec, '/') != NULL) {
		snprintf(path, pathsz, "%s", spec);
		return 0;
	}
	snprintf(path, pathsz, "/dev/%s", spec);
	if (stat(path, &st) == 0)
		return 0;
	return gpio_gpiod_chip_scan(gpio_gpiod_chip_label_is, spec, path,
	    pathsz);
}

/* Returns the index of the opened chip at path, opening it if need be. */
static int
gpio_gpiod_chip_get(struct gpio_gpiod *g, const char *path, enum gpio_role r)
{
	struct gpio_gpiod_chip *c;

	for (int ci = 0; ci < g->nchips; ci++)
		if (strcmp(g->chips[ci].path, path) == 0)
			return ci;
	c = &g->chips[g->nchips];
	snprintf(c->path, sizeof(c->path), "%s", path);
	if ((c->chip = gpiod_chip_open(path)) == NULL) {
		log_warn("gpio gpiod: %s (%s): open", path, gpio_role_name(r));
		return -1;
	}
	return g->nchips++;
}

/* Opens the chip of role r and finds its line's offset. */
static int
gpio_gpiod_line_resolve(struct gpio_gpiod *g, const struct gpio_config *cfg,
    enum gpio_role r)
{
	const struct gpio_line_config *lc = &cfg->lines[r];
	struct gpio_gpiod_line *l = &g->lines[r];
	const char *spec = lc->chip[0] != '\0' ? lc->chip : cfg->chip;
	const char *name = lc->offset < 0 ? lc->name : "";
	char path[GPIO_GPIOD_PATH_MAX];
	int off, n;

	if (lc->offset < 0 && lc->name[0] == '\0') {
		log_warnx("gpio gpiod: %s: neither offset nor name given",
		    gpio_role_name(r));
		errno = EINVAL;
		return -1;
	}
	if (spec[0] == '\0' && lc->offset >= 0) {
		log_warnx("gpio gpiod: %s: line %d of which chip?",
		    gpio_role_name(r), lc->offset);
		errno = EINVAL;
		return -1;
	}
	if (gpio_gpiod_chip_path(spec, name, path, sizeof(path)) == -1) {
		if (spec[0] == '\0')
			log_warnx("gpio gpiod: %s: no chip has a line named "
			    "\"%s\"", gpio_role_name(r), name);
		else
			log_warnx("gpio gpiod: %s: no chip named or "
			    "labelled \"%s\"", gpio_role_name(r), spec);
		return -1;
	}
	if ((l->chip = gpio_gpiod_chip_get(g, path, r)) == -1)
		return -1;
	if (lc->offset >= 0) {
		n = gpio_gpiod_chip_num_lines(g->chips[l->chip].chip);
		if (n >= 0 && lc->offset >= n) {
			log_warnx("gpio gpiod: %s line %d (%s): the chip has "
			    "%d lines", path, lc->offset, gpio_role_name(r), n);
			errno = EINVAL;
			return -1;
		}
		l->offset = (unsigned int)lc->offset;
		return 0;
	}
	if ((off = gpio_gpiod_offset_from_name(g->chips[l->chip].chip,
	    lc->name)) < 0) {
		log_warnx("gpio gpiod: %s: no line named \"%s\" (%s)", path,
		    lc->name, gpio_role_name(r));
		errno = ENOENT;
		return -1;
	}
	l->offset = (unsigned int)off;
	return 0;
}

/* Two roles on one line would fight over it: refuse before requesting. */
static int
gpio_gpiod_lines_distinct(struct gpio_gpiod *g)
{
	for (int a = 0; a < GPIO_ROLE_COUNT; a++)
		for (int b = a + 1; b < GPIO_ROLE_COUNT; b++) {
			struct gpio_gpiod_line *la = &g->lines[a];
			struct gpio_gpiod_line *lb = &g->lines[b];

			if (la->used && lb->used && la->chip == lb->chip &&
			    la->offset == lb->offset) {
				log_warnx("gpio gpiod: %s line %u: used by "
				    "both %s and %s", g->chips[la->chip].path,
				    la->offset, gpio_role_name(a),
				    gpio_role_name(b));
				errno = EINVAL;
				return -1;
			}
		}
	return 0;
}

/* Adds a readable source to the epoll set, made non-blocking first. */
static int
gpio_gpiod_epoll_add(struct gpio_gpiod *g, int fd, uint32_t tag,
    const char *what)
{
	struct epoll_event e;
	int fl;

	if (fd == -1) {
		log_warnx("gpio gpiod: %s: no event fd", what);
		errno = EINVAL;
		return -1;
	}
	/* epoll can say readable while a read would still block, rarely. */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_warn("gpio gpiod: %s: fcntl", what);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.u32 = tag;
	if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &e) == -1) {
		log_warn("gpio gpiod: %s: epoll_ctl", what);
		return -1;
	}
	return 0;
}

static void
gpio_gpiod_free(struct gpio_gpiod *g)
{
	int saved = errno;

	if (g->epfd != -1)
		close(g->epfd);
	gpio_gpiod_lines_release(g);
	for (int ci = 0; ci < g->nchips; ci++)
		gpiod_chip_close(g->chips[ci].chip);
	free(g);
	errno = saved;
}

static void *
gpio_gpiod_open(const struct gpio_config *cfg)
{
	struct gpio_gpiod *g;
	bool inputs = false;

	if (cfg == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		log_warn("gpio gpiod: open");
		return NULL;
	}
	g->epfd = -1;
#if !GPIO_GPIOD_V2
	g->tfd = -1;
#endif
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		struct gpio_gpiod_line *l = &g->lines[r];
		const struct gpio_line_config *lc = &cfg->lines[r];

		if (!lc->used)
			continue;
		l->used = true;
		l->active_low = lc->active_low;
		l->bias = lc->bias;
		l->debounce_us = lc->debounce_us > 0 ? lc->debounce_us : 0;
		if (!gpio_role_is_output(r))
			inputs = true;
		if (gpio_gpiod_line_resolve(g, cfg, r) == -1)
			goto fail;
	}
	if (gpio_gpiod_lines_distinct(g) == -1 ||
	    gpio_gpiod_lines_request(g) == -1)
		goto fail;

	/* Inputs start at their current level, so events are true edges. */
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		int v;

		if (!g->lines[r].used || gpio_role_is_output(r))
			continue;
		if ((v = gpio_gpiod_line_get(g, r)) == -1) {
			log_warn("gpio gpiod: %s line %u (%s): read",
			    gpio_gpiod_chip_path_of(g, r), g->lines[r].offset,
			    gpio_role_name(r));
			goto fail;
		}
		g->lines[r].value = v;
	}
	if (inputs) {
		if ((g->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
			log_warn("gpio gpiod: epoll_create1");
			goto fail;
		}
		if (gpio_gpiod_sources_add(g) == -1)
			goto fail;
	}
	return g;
fail:
	gpio_gpiod_free(g);
	return NULL;
}

static int
gpio_gpiod_fd(void *priv)
{
	struct gpio_gpiod *g = priv;

	return g->epfd;
}

static int
gpio_gpiod_set(void *priv, enum gpio_role role, int active)
{
	struct gpio_gpiod *g = priv;
	int v = active ? 1 : 0;

	if (!gpio_gpiod_role_valid(role) || !gpio_role_is_output(role)) {
		log_warnx("gpio gpiod: set: %s is not an output",
		    gpio_role_name(role));
		errno = EINVAL;
		return -1;
	}
	if (!g->lines[role].used)
		return 0;
	if (gpio_gpiod_line_set(g, role, v) == -1) {
		log_warn("gpio gpiod: %s line %u (%s): set %d",
		    gpio_gpiod_chip_path_of(g, role), g->lines[role].offset,
		    gpio_role_name(role), v);
		return -1;
	}
	g->lines[role].value = v;
	return 0;
}

static int
gpio_gpiod_get(void *priv, enum gpio_role role)
{
	struct gpio_gpiod *g = priv;
	int v;

	if (!gpio_gpiod_role_valid(role)) {
		errno = EINVAL;
		return -1;
	}
	if (!g->lines[role].used)
		return 0;
	if ((v = gpio_gpiod_line_get(g, role)) == -1)
		log_warn("gpio gpiod: %s line %u (%s): read",
		    gpio_gpiod_chip_path_of(g, role), g->lines[role].offset,
		    gpio_role_name(role));
	return v;
}

static int
gpio_gpiod_read_event(void *priv, struct gpio_event *ev)
{
	struct gpio_gpiod *g = priv;
	struct epoll_event e;
	int n, ret;

	if (g->epfd == -1)
		return 0;
	for (int i = 0; i < GPIO_GPIOD_READ_TRIES; i++) {
		n = epoll_wait(g->epfd, &e, 1, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("gpio gpiod: epoll_wait");
			return -1;
		}
		if (n == 0)
			return 0;
		if ((ret = gpio_gpiod_source_read(g, e.data.u32, ev)) != 0)
			return ret;
	}
	/* Still readable: the loop will call again. */
	return 0;
}

static void
gpio_gpiod_close(void *priv)
{
	struct gpio_gpiod *g = priv;

	if (g == NULL)
		return;
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		if (g->lines[r].used && gpio_role_is_output(r))
			(void)gpio_gpiod_set(g, r, 0);
	gpio_gpiod_free(g);
}

const struct gpio_ops gpio_gpiod_ops = {
	.name = "gpiod",
	.open = gpio_gpiod_open,
	.fd = gpio_gpiod_fd,
	.set = gpio_gpiod_set,
	.get = gpio_gpiod_get,
	.read_event = gpio_gpiod_read_event,
	.close = gpio_gpiod_close,
};
