/*
 * The lane's screen (issue 19): after each decision, the words for it
 * (a grant's way and initials, a denial's reason), and between them the
 * lane's own screen: idle, or the fire alarm, a lockdown, a lost camera.
 *
 * Why a thread: drawing 800x480 with pango and writing it out (a PNG, a
 * panel's buffer) takes milliseconds, more on a Pi, and a worker who
 * shows a code while the screen of the one before is being drawn must
 * not wait for it.  The loop only fills in a request and signals; the
 * thread draws the newest request and shows it.  A request replaced
 * before the thread took it is never drawn: only the last screen
 * matters.  Every request is made after the relay has been driven (the
 * callers say so), so a screen can never delay a passage; the thread's
 * log line gives the monotonic time it started drawing, which the tests
 * compare with the relay's.
 *
 * Only this file touches pango and the screen backends, and only on the
 * thread (pango's font map is per thread); the loop's side is plain
 * data under one mutex.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gate_private.h"
#include "log.h"
#include "screen.h"
#include "screen_msg.h"
#include "sitetime.h"
#include "util.h"
#include "worker.h"

#ifdef CONFIG_SCREEN
#include "screen_draw.h"
#endif

/* What to draw: a screen_view without pointers, copied to the thread. */
struct screen_req {
	enum screen_state state;
	enum screen_lang lang;
	enum direction dir;
	enum reason reason;
	char initials[32];
	char gate[64];
	char clock[8];		/* "HH:MM", the site's time */
	int64_t asked_ns;	/* CLOCK_MONOTONIC: when the loop asked */
};

struct gate_screen {
	struct gate *g;
	const struct screen_ops *ops;
	void *priv;
	int width, height;
	uint8_t *pixels;
	struct loop_timer hold;		/* a decision's screen ends */
	struct loop_timer minute;	/* the clock on the screen moves */
	struct loop_timer offline;	/* screen.offline_s since the uplink
					 * lost its broker */
	bool holding;			/* a decision's screen is up */
	enum screen_state base;		/* the lane's own screen, last shown */

	struct worker w;
	/* Under w.mu. */
	struct screen_req req;
	uint64_t shown;
	uint64_t failed;
	int64_t last_draw_us;
	int64_t max_draw_us;
};

/*
 * Nanoseconds until the uplink has been without its broker for
 * screen.offline_s: <= 0 once it has, and INT64_MAX while it is
 * connected or there is none.
 */
static int64_t
gate_screen_offline_in(const struct gate *g)
{
	if (g->uplink_lost_ns == 0)
		return INT64_MAX;
	return g->uplink_lost_ns + (int64_t)g->cfg.screen.offline_s *
	    1000000000 - clock_mono_ns();
}

/*
 * The lane's own screen: what matters most to a worker first.  Offline
 * last: the gate still decides on its own list, so the idle screen with
 * a banner.
 */
static enum screen_state
gate_screen_base(const struct gate *g)
{
	if (g->lane.fire)
		return SCREEN_FIRE_ALARM;
	if (g->lockdown)
		return SCREEN_LOCKED_DOWN;
	if (g->camera_alarm)
		return SCREEN_CAMERA_FAULT;
	if (gate_screen_offline_in(g) <= 0)
		return SCREEN_OFFLINE;
	return SCREEN_IDLE;
}

/* The offline screen comes when screen.offline_s is over, not later. */
static void
gate_screen_offline_arm(struct gate_screen *s)
{
	int64_t in = gate_screen_offline_in(s->g);

	if (in == INT64_MAX || in <= 0)
		loop_timer_cancel(s->g->loop, &s->offline);
	else
		loop_timer_set(s->g->loop, &s->offline, in / 1000000 + 1);
}

/* A request with what every screen shows: gate, clock, language. */
static void
gate_screen_req_init(const struct gate *g, struct screen_req *r,
    enum screen_state state)
{
	char t[64];

	memset(r, 0, sizeof(*r));
	r->state = state;
	r->lang = g->cfg.screen.language;
	snprintf(r->gate, sizeof(r->gate), "%s", g->cfg.gate.id);
	/* "YYYY-MM-DD HH:MM:SS +07": the hours and minutes. */
	sitetime_format(gate_clock_now(g), t, sizeof(t));
	if (strlen(t) >= 16)
		snprintf(r->clock, sizeof(r->clock), "%.5s", t + 11);
	r->asked_ns = clock_mono_ns();
}

/* Hands r to the thread, replacing a request it has not taken yet. */
static void
gate_screen_ask(struct gate_screen *s, const struct screen_req *r)
{
	pthread_mutex_lock(&s->w.mu);
	s->req = *r;
	worker_post_locked(&s->w);
	pthread_mutex_unlock(&s->w.mu);
}

/* The next whole minute of the clock, from now. */
static int
gate_screen_ms_to_minute(const struct gate *g)
{
	int64_t now = gate_clock_now(g);

	return (int)(60000 - now % 60000);
}

static void
gate_screen_show_base(struct gate_screen *s)
{
	struct screen_req r;

	s->holding = false;
	s->base = gate_screen_base(s->g);
	gate_screen_req_init(s->g, &r, s->base);
	gate_screen_ask(s, &r);
	loop_timer_set(s->g->loop, &s->minute, gate_screen_ms_to_minute(s->g));
}

static void
gate_screen_hold_end(struct loop *l, struct loop_timer *t)
{
	struct gate_screen *s = container_of(t, struct gate_screen, hold);

	(void)l;
	gate_screen_show_base(s);
}

static void
gate_screen_offline_due(struct loop *l, struct loop_timer *t)
{
	struct gate_screen *s = container_of(t, struct gate_screen, offline);

	(void)l;
	gate_screen_lane(s->g);
}

static void
gate_screen_minute(struct loop *l, struct loop_timer *t)
{
	struct gate_screen *s = container_of(t, struct gate_screen, minute);

	/* A decision's screen has no clock; the base after it will. */
	if (s->holding) {
		loop_timer_set(l, t, gate_screen_ms_to_minute(s->g));
		return;
	}
	gate_screen_show_base(s);
}

#ifdef CONFIG_SCREEN
/* Draws r and shows it; the thread's one job. */
static void
gate_screen_draw_show(struct gate_screen *s, const struct screen_req *r)
{
	struct screen_view v = { .state = r->state, .lang = r->lang,
	    .gate = r->gate, .clock = r->clock[0] != '\0' ? r->clock : NULL,
	    .dir = r->dir, .reason = r->reason };
	struct screen_image img = { .argb = s->pixels, .width = s->width,
	    .height = s->height, .stride = s->width * 4,
	    .name = screen_state_name(r->state) };
	int64_t t0 = clock_mono_ns(), t1, t2;
	int rc;

	/* Initials only: the request never held a name. */
	snprintf(v.initials, sizeof(v.initials), "%s", r->initials);
	rc = screen_draw(&v, s->pixels, s->width, s->height, s->width * 4,
	    NULL);
	t1 = clock_mono_ns();
	if (rc == 1)
		log_warnx("screen: %s: a text did not fit %dx%d and was cut",
		    img.name, s->width, s->height);
	if (rc == -1 || s->ops->show(s->priv, &img) == -1) {
		if (rc == -1)
			log_warnx("screen: %s could not be drawn", img.name);
		pthread_mutex_lock(&s->w.mu);
		s->failed++;
		pthread_mutex_unlock(&s->w.mu);
		return;
	}
	t2 = clock_mono_ns();
	log_debug("screen: %s shown: asked at %lld ns, drawn from %lld ns, "
	    "shown at %lld ns (draw %.1f ms, show %.1f ms)", img.name,
	    (long long)r->asked_ns, (long long)t0, (long long)t2,
	    (t1 - t0) / 1e6, (t2 - t1) / 1e6);
	pthread_mutex_lock(&s->w.mu);
	s->shown++;
	s->last_draw_us = (t1 - t0) / 1000;
	if (s->last_draw_us > s->max_draw_us)
		s->max_draw_us = s->last_draw_us;
	pthread_mutex_unlock(&s->w.mu);
}
#endif

static void *
gate_screen_thread(void *arg)
{
	struct gate_screen *s = arg;
	struct screen_req r;

	while (worker_wait(&s->w)) {
		r = s->req;
		pthread_mutex_unlock(&s->w.mu);
#ifdef CONFIG_SCREEN
		gate_screen_draw_show(s, &r);
#else
		(void)r;
#endif
	}
	return NULL;
}

void
gate_screen_open(struct gate *g)
{
	const struct config *cfg = &g->cfg;
	struct screen_config sc = { .path = strcmp(cfg->screen.backend,
	    "drm") == 0 ? cfg->screen.device : cfg->screen.directory,
	    .width = cfg->screen.width, .height = cfg->screen.height };
	struct gate_screen *s;

	g->screen = NULL;
	if (strcmp(cfg->screen.backend, "none") == 0)
		return;
#ifndef CONFIG_SCREEN
	/* The setting's choices are every backend there is; this build
	 * has no cairo and pango to draw with. */
	log_warnx("screen: backend %s is not built in (no cairo and pango); "
	    "no screen", cfg->screen.backend);
	return;
#endif
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("screen");
		return;
	}
	s->g = g;
	s->width = sc.width;
	s->height = sc.height;
	s->hold.cb = gate_screen_hold_end;
	s->minute.cb = gate_screen_minute;
	s->offline.cb = gate_screen_offline_due;
	if ((s->ops = screen_find(cfg->screen.backend)) == NULL) {
		log_warnx("screen: backend %s is not built in; no screen",
		    cfg->screen.backend);
		free(s);
		return;
	}
	if ((s->pixels = calloc((size_t)s->width * s->height, 4)) == NULL) {
		log_warn("screen: %dx%d", s->width, s->height);
		free(s);
		return;
	}
	if ((s->priv = s->ops->open(&sc)) == NULL) {
		log_warnx("screen: %s not opened; no screen", cfg->screen.backend);
		free(s->pixels);
		free(s);
		return;
	}
	if (worker_start(&s->w, gate_screen_thread, s) == -1) {
		log_warn("screen: no thread");
		s->ops->close(s->priv);
		free(s->pixels);
		free(s);
		return;
	}
	g->screen = s;
	log_info("screen: %s %dx%d, %s", cfg->screen.backend, s->width,
	    s->height, screen_lang_name(cfg->screen.language));
	gate_screen_show_base(s);
	gate_screen_offline_arm(s);
}

void
gate_screen_close(struct gate *g)
{
	struct gate_screen *s = g->screen;

	if (s == NULL)
		return;
	loop_timer_cancel(g->loop, &s->hold);
	loop_timer_cancel(g->loop, &s->minute);
	loop_timer_cancel(g->loop, &s->offline);
	worker_stop(&s->w);
	s->ops->close(s->priv);
	free(s->pixels);
	free(s);
	g->screen = NULL;
}

void
gate_screen_decision(struct gate *g, const struct event *ev, const char *name)
{
	struct gate_screen *s = g->screen;
	struct screen_req r;

	if (s == NULL)
		return;
	gate_screen_req_init(g, &r, ev->result == RES_GRANTED ?
	    SCREEN_GRANTED : SCREEN_DENIED);
	r.dir = ev->direction;
	r.reason = ev->reason;
	/* The holder's initials as the journal shows them, never more. */
	if (ev->result == RES_GRANTED && name != NULL)
		mask_name_initials(name, r.initials, sizeof(r.initials));
	/* The fire alarm's screen stays: every way is free anyway. */
	if (gate_screen_base(g) == SCREEN_FIRE_ALARM)
		return;
	s->holding = true;
	gate_screen_ask(s, &r);
	loop_timer_set(g->loop, &s->hold, g->cfg.screen.hold_ms);
}

void
gate_screen_lane(struct gate *g)
{
	struct gate_screen *s = g->screen;

	if (s == NULL)
		return;
	gate_screen_offline_arm(s);
	if (gate_screen_base(g) == s->base)
		return;
	/* The lane's state outranks a decision's screen still up. */
	loop_timer_cancel(g->loop, &s->hold);
	gate_screen_show_base(s);
}

void
gate_screen_status(const struct gate *g, json_t *status)
{
	struct gate_screen *s = g->screen;
	json_t *o;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->w.mu);
	o = json_pack("{s:s, s:s, s:I, s:I, s:f, s:f}",
	    "backend", g->cfg.screen.backend,
	    "showing", screen_state_name(s->holding ? s->req.state : s->base),
	    "shown", (json_int_t)s->shown, "failed", (json_int_t)s->failed,
	    "last_draw_ms", s->last_draw_us / 1000.0,
	    "max_draw_ms", s->max_draw_us / 1000.0);
	pthread_mutex_unlock(&s->w.mu);
	if (o != NULL)
		json_object_set_new(status, "screen", o);
}
