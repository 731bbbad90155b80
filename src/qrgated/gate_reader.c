/*
 * The gate's reader beside the camera (hal/reader.h): opened from the
 * [reader] settings, its fd and its pause timer on the loop, each code
 * it reads handed to the scan path (gate_scan_code) exactly as a code
 * the camera read, with its row's source saying how it was read.
 *
 * A reader is an extra way in, not the lane's eyes: one that cannot be
 * opened at start, or is unplugged, is logged and tried again every
 * READER_RETRY_MS while the camera goes on, rather than stopping the
 * gate or failing its watchdog.  Until it is back the "reader" alarm is
 * up (MQTT, the live page): the reception's scanner unplugged is for
 * someone to see, not only for the log.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "clock.h"
#include "gate.h"
#include "gate_private.h"
#include "log.h"
#include "util.h"

#define READER_RETRY_MS 2000

const char *
gate_reader_state_name(enum gate_reader_state s)
{
	switch (s) {
	case GATE_READER_OFF:
		return "off";
	case GATE_READER_RUNNING:
		return "running";
	case GATE_READER_FAILED:
		return "failed";
	}
	return "?";
}

static void
gate_reader_present(struct gate_reader *r, const struct reader_presentation *p)
{
	struct gate *g = r->g;
	struct gate_code c;

	if (p->kind != READER_CODE) {
		/* A card's bits or PIN digits: for the Wiegand backend,
		 * whose decisions are not part of this build. */
		log_warnx("reader: %s: a %s presentation, which this gate "
		    "does not decide", g->cfg.reader.device,
		    p->kind == READER_CARD ? "card" : "PIN");
		return;
	}
	r->codes++;
	c = (struct gate_code){
		.data = p->data, .len = p->len, .too_long = p->too_long,
		.ts_ns = p->ts_ns, .decode_us = 0,
		.direction = g->cfg.reader.direction,
		.source = r->ops->source,
	};
	gate_scan_code(g, &c);
}

/* Raises or clears the "reader" alarm, once each way. */
static void
gate_reader_alarm(struct gate_reader *r, bool active, const char *detail)
{
	if (r->alarm == active)
		return;
	r->alarm = active;
	gate_uplink_alarm(r->g, "reader", active, detail);
}

static void
gate_reader_stop(struct gate_reader *r)
{
	loop_timer_cancel(r->g->loop, &r->gap);
	if (r->priv == NULL)
		return;
	loop_fd_del(r->g->loop, &r->fd);
	r->ops->close(r->priv);
	r->priv = NULL;
	r->fd.fd = -1;
}

static void
gate_reader_fail(struct gate_reader *r)
{
	log_warnx("reader: %s: lost; retrying every %d ms",
	    r->g->cfg.reader.device, READER_RETRY_MS);
	gate_reader_stop(r);
	r->state = GATE_READER_FAILED;
	gate_reader_alarm(r, true, "lost");
	loop_timer_set(r->g->loop, &r->retry, READER_RETRY_MS);
}

/* Hands out every code complete now, then waits for the pause that would
 * end the one being read, if any. */
static void
gate_reader_drain(struct gate_reader *r)
{
	struct reader_presentation p;
	int64_t deadline, now;
	int rc;

	while ((rc = r->ops->read(r->priv, clock_mono_ns(), &p)) ==
	    READER_PRESENTED)
		gate_reader_present(r, &p);
	if (rc == READER_ERROR) {
		gate_reader_fail(r);
		return;
	}
	loop_timer_cancel(r->g->loop, &r->gap);
	if ((deadline = r->ops->deadline_ns(r->priv)) == 0)
		return;
	now = clock_mono_ns();
	/* Rounded up: a timer early by a fraction of a millisecond would
	 * find the pause not yet over and arm itself again for nothing. */
	loop_timer_set(r->g->loop, &r->gap, deadline <= now ? 0 :
	    (deadline - now + 999999) / 1000000);
}

static void
gate_reader_event(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct gate_reader *r = container_of(fd, struct gate_reader, fd);

	(void)l;
	(void)events;
	gate_reader_drain(r);
}

static void
gate_reader_gap(struct loop *l, struct loop_timer *t)
{
	struct gate_reader *r = container_of(t, struct gate_reader, gap);

	(void)l;
	if (r->priv != NULL)
		gate_reader_drain(r);
}

/* Opens the configured device.  0, or -1 (logged by the backend). */
static int
gate_reader_start(struct gate_reader *r)
{
	const struct config *cfg = &r->g->cfg;
	struct reader_config rc = {
		.device = cfg->reader.device,
		.baud = cfg->reader.baud,
		.framing = cfg->reader.framing,
		.timeout_ms = cfg->reader.timeout_ms,
		.max_payload = (size_t)cfg->decoder.max_payload,
	};

	if ((r->priv = r->ops->open(&rc)) == NULL)
		return -1;
	r->fd.fd = r->ops->fd(r->priv);
	r->fd.cb = gate_reader_event;
	if (loop_fd_add(r->g->loop, &r->fd, EPOLLIN) == -1) {
		r->ops->close(r->priv);
		r->priv = NULL;
		r->fd.fd = -1;
		return -1;
	}
	r->state = GATE_READER_RUNNING;
	return 0;
}

static void
gate_reader_retry(struct loop *l, struct loop_timer *t)
{
	struct gate_reader *r = container_of(t, struct gate_reader, retry);

	if (gate_reader_start(r) == -1) {
		loop_timer_set(l, t, READER_RETRY_MS);
		return;
	}
	log_info("reader: %s: back", r->g->cfg.reader.device);
	gate_reader_alarm(r, false, "back");
}

void
gate_reader_open(struct gate *g)
{
	struct gate_reader *r = &g->reader;

	r->g = g;
	r->fd.fd = -1;
	r->gap.cb = gate_reader_gap;
	r->retry.cb = gate_reader_retry;
	r->ops = NULL;
	r->state = GATE_READER_OFF;
	if (strcmp(g->cfg.reader.backend, "none") == 0)
		return;
	if ((r->ops = reader_find(g->cfg.reader.backend)) == NULL) {
		/* The setting's choices are every backend there is; one
		 * may be left out of this build (evdev without libevdev). */
		log_warnx("reader: backend %s is not built in; no reader",
		    g->cfg.reader.backend);
		r->state = GATE_READER_FAILED;
		gate_reader_alarm(r, true, "not built in");
		return;
	}
	if (gate_reader_start(r) == -1) {
		log_warnx("reader: %s: not opened; retrying every %d ms",
		    g->cfg.reader.device, READER_RETRY_MS);
		r->state = GATE_READER_FAILED;
		gate_reader_alarm(r, true, "not opened");
		loop_timer_set(g->loop, &r->retry, READER_RETRY_MS);
		return;
	}
	log_info("reader: %s %s, codes open the %s way",
	    g->cfg.reader.backend, g->cfg.reader.device,
	    direction_name(g->cfg.reader.direction));
}

void
gate_reader_close(struct gate *g)
{
	struct gate_reader *r = &g->reader;

	if (r->g == NULL)
		return;
	loop_timer_cancel(g->loop, &r->retry);
	gate_reader_stop(r);
	r->state = GATE_READER_OFF;
	gate_reader_alarm(r, false, "reader reconfigured");
}

void
gate_reader_status(const struct gate *g, json_t *status)
{
	const struct gate_reader *r = &g->reader;
	json_t *list = json_array();

	if (list == NULL)
		return;
	if (strcmp(g->cfg.reader.backend, "none") != 0)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s, s:I}", "name", "reader", "backend",
		    g->cfg.reader.backend, "device", g->cfg.reader.device,
		    "state", gate_reader_state_name(r->state), "direction",
		    direction_name(g->cfg.reader.direction), "codes",
		    (json_int_t)r->codes));
	json_object_set_new(status, "readers", list);
}
