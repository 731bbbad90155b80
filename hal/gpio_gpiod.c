/*
 * The libgpiod backend: the lane's lines on a GPIO character device.
 *
 * libgpiod 1.6 (Debian 12) and 2.x have different APIs; the Makefile
 * defines QRGATE_GPIOD_API to the major version pkg-config reports and
 * builds, beside this file, the one of gpio_gpiod_v1.c and gpio_gpiod_v2.c
 * that holds the few functions touching that library.  What both share is
 * here once: finding chips and lines, the epoll fd the loop polls, and
 * turning edges into events.
 *
 * Inputs report edges of their logical value, as the sim backend does: an
 * edge that repeats the value last reported is dropped, so a missed or
 * doubled kernel event never reaches the lane as a second "press".
 * Debounce is the kernel's with libgpiod 2.x and done in software with
 * 1.6; see gpio_gpiod_v1.c.
 */
#include <sys/epoll.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "gpio_gpiod.h"

/* Bounds one read_event() call should a source stay readable but empty. */
#define GPIO_GPIOD_READ_TRIES	64

int64_t
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
int64_t
gpio_gpiod_event_ts(int64_t ts)
{
	int64_t now = gpio_gpiod_now_ns();

	return (ts <= 0 || ts > now) ? now : ts;
}

const char *
gpio_gpiod_chip_path_of(struct gpio_gpiod *g, enum gpio_role r)
{
	return g->chips[g->lines[r].chip].path;
}

static bool
gpio_gpiod_role_valid(int role)
{
	return role >= 0 && role < GPIO_ROLE_COUNT;
}

/*
 * Takes one edge of an input, once past any debounce: returns 1 with *ev
 * filled when it changes the reported value, or is a pulse line's, 0 when
 * it is dropped.
 */
int
gpio_gpiod_edge(struct gpio_gpiod *g, enum gpio_role r, int value,
    int64_t ts, struct gpio_event *ev)
{
	struct gpio_gpiod_line *l = &g->lines[r];

	/* Only its active edges are asked for: each one is a pulse, its
	 * line at rest again by now or soon, so none repeats another. */
	if (l->active_edge) {
		ev->role = r;
		ev->value = 1;
		ev->ts_ns = ts;
		return 1;
	}
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
int
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
		l->active_edge = gpio_role_pulse_input(r);
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
	/* Which libgpiod runs: the system tests check it. */
	log_info("gpio gpiod: libgpiod %s, API %d, %d chips",
	    gpio_gpiod_lib_version(), QRGATE_GPIOD_API, g->nchips);
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
