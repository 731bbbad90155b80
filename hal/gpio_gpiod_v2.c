/*
 * The libgpiod 2.x calls of the gpiod backend (gpio_gpiod.c holds what
 * both APIs share).  The lines of one chip are requested together, the
 * outputs in one request and the inputs in another, and the kernel does
 * the debounce.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "gpio_gpiod.h"

#if !GPIO_GPIOD_V2
#error "gpio_gpiod_v2.c is for libgpiod 2.x: QRGATE_GPIOD_API must be 2"
#endif

/* The library loaded at run time, which may not be the one built against. */
const char *
gpio_gpiod_lib_version(void)
{
	return gpiod_api_version();
}

bool
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

int
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

int
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
	    gpiod_line_settings_set_edge_detection(ls, l->active_edge ?
	    GPIOD_LINE_EDGE_RISING : GPIOD_LINE_EDGE_BOTH) == -1 ||
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
	/* The kernel keeps 16 edges a line by default: 32 ms of a Wiegand
	 * reader's pulses while the loop decodes a frame.  1024, the most
	 * it takes, is two seconds of them. */
	if (!output)
		gpiod_request_config_set_event_buffer_size(rc, 1024);
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

int
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
int
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

int
gpio_gpiod_line_set(struct gpio_gpiod *g, enum gpio_role r, int value)
{
	struct gpio_gpiod_line *l = &g->lines[r];

	return gpiod_line_request_set_value(g->chips[l->chip].out_req,
	    l->offset, value ? GPIOD_LINE_VALUE_ACTIVE :
	    GPIOD_LINE_VALUE_INACTIVE);
}

int
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
int
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

void
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
