/*
 * Opening, closing and reconfiguring the gate's resources, and feeding the
 * loop's camera and GPIO events to the scan path and the lane.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "clock.h"
#include "gate.h"
#include "gate_private.h"
#include "inbound.h"
#include "log.h"
#include "store_outbox.h"
#include "store_sync.h"
#include "timefmt.h"
#include "util.h"

#define CAMERA_RETRY_MS 2000
#define RETENTION_PERIOD_MS (24LL * 3600 * 1000)
#define RETENTION_RETRY_MS (3600LL * 1000)	/* while the clock is untrusted */
#define CHECKPOINT_PERIOD_MS 1000
#define CHECKPOINT_QUIET_MS 1000	/* since the last decision */
#define CHECKPOINT_FRAMES 256		/* 1 MB of WAL: a few ms to copy */
#define CHECKPOINT_FORCE 1000		/* SQLite's own threshold */

const char *
camera_state_name(enum camera_state s)
{
	switch (s) {
	case CAM_STARTING:
		return "starting";
	case CAM_RUNNING:
		return "running";
	case CAM_ENDED:
		return "ended";
	case CAM_FAILED:
		return "failed";
	case CAM_FROZEN:
		return "frozen";
	}
	return "?";
}

static void
gate_lane_params(const struct config *cfg, struct lane_params *p)
{
	*p = (struct lane_params){
		.way_enabled = { [DIR_ENTRY] = cfg->lane.entry, [DIR_EXIT] = cfg->lane.exit },
		.pulse_ms = cfg->lane.pulse_ms,
		.deny_ms = cfg->lane.deny_ms,
		.buzzer_ms = cfg->lane.buzzer_ms,
		.held_open_s = cfg->lane.held_open_s,
		.have_sensor = cfg->gpio.hw.lines[GPIO_PASSAGE_SENSOR].used,
	};
}

/* Raises or clears the one "camera" alarm (lost, frozen), once each way. */
static void
gate_camera_alarm(struct gate *g, bool active, const char *detail)
{
	if (g->camera_alarm == active)
		return;
	g->camera_alarm = active;
	gate_uplink_alarm(g, "camera", active, detail);
	gate_screen_lane(g);
	gate_sound_lane(g);
}

/*
 * The health check for a new camera (or new settings): the identical-frame
 * rule only for a live camera, since the file camera replays its pictures.
 */
static void
gate_camera_health_init(struct gate *g, const struct camera_ops *cam,
    const struct config *cfg)
{
	camera_health_init(&g->cam_health, cfg->camera.stall_ms,
	    cam->live ? cfg->camera.same_frames : 0);
	loop_timer_cancel(g->loop, &g->cam_tick);
	if (camera_health_period_ms(&g->cam_health) > 0)
		loop_timer_set(g->loop, &g->cam_tick,
		    camera_health_period_ms(&g->cam_health));
}

/*
 * Feeds f to the health check.  Returns whether its frames may be used:
 * while the camera is frozen none is decoded, so no code is decided and
 * the lanes stay locked.
 */
static bool
gate_camera_healthy(struct gate *g, const struct frame *f)
{
	bool was = camera_health_faulty(&g->cam_health);

	if (camera_health_frame(&g->cam_health, f) == CAMERA_FROZEN) {
		log_warnx("camera: frozen: %d identical frames; lanes locked "
		    "until the picture changes", g->cfg.camera.same_frames);
		gate_camera_alarm(g, true, "frozen");
	} else if (was && !camera_health_faulty(&g->cam_health)) {
		log_info("camera: live again");
		gate_camera_alarm(g, false, "live again");
	}
	if (camera_health_faulty(&g->cam_health)) {
		g->cam_state = CAM_FROZEN;
		return false;
	}
	return true;
}

static void
gate_camera_stop(struct gate *g)
{
	if (g->cam_priv == NULL)
		return;
	loop_fd_del(g->loop, &g->cam_fd);
	g->cam->close(g->cam_priv);
	g->cam_priv = NULL;
	g->cam_fd.fd = -1;
}

static void
gate_camera_event(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct gate *g = container_of(fd, struct gate, cam_fd);
	struct frame f;
	int r;

	(void)events;
	/*
	 * One frame a call: a decoding slower than the frame period would
	 * find the next frame ready every time, and a loop taking frames
	 * until none is left would never end, starving every other source
	 * (signals, the relay's timers, a card's edges, the control
	 * socket).  The fd stays readable; the loop comes back.
	 */
	if ((r = g->cam->next(g->cam_priv, &f)) == CAMERA_FRAME &&
	    gate_camera_healthy(g, &f)) {
		g->cam_state = CAM_RUNNING;
		gate_scan_frame(g, &f);
	}
	if (r == CAMERA_END) {
		log_info("camera: no more frames");
		gate_camera_stop(g);
		g->cam_state = CAM_ENDED;
	} else if (r == CAMERA_ERROR) {
		/* The lanes stay locked (no frames, no grants) until the
		 * camera is back. */
		log_warnx("camera: lost; retrying every %d ms", CAMERA_RETRY_MS);
		gate_camera_stop(g);
		g->cam_state = CAM_FAILED;
		loop_timer_set(l, &g->cam_retry, CAMERA_RETRY_MS);
		gate_camera_alarm(g, true, "lost");
	}
}

/* Opens and starts cam with cfg's camera settings.  Returns priv or NULL. */
static void *
gate_camera_open(const struct camera_ops *cam, const struct config *cfg)
{
	struct camera_config cc = {
		.source = cfg->camera.source,
		.fps = cfg->camera.fps,
		.loop = cfg->camera.loop,
		.width = cfg->camera.width,
		.height = cfg->camera.height,
		.max_exposure_us = cfg->camera.max_exposure_us,
	};
	void *priv = cam->open(&cc);

	if (priv == NULL)
		return NULL;
	if (cam->start(priv) == -1) {
		cam->close(priv);
		return NULL;
	}
	return priv;
}

static int
gate_camera_attach(struct gate *g, const struct camera_ops *cam, void *priv)
{
	g->cam = cam;
	g->cam_priv = priv;
	g->cam_fd.fd = cam->fd(priv);
	g->cam_fd.cb = gate_camera_event;
	/* A frozen camera reopened stays frozen until it delivers. */
	g->cam_state = camera_health_faulty(&g->cam_health) ? CAM_FROZEN :
	    CAM_STARTING;
	camera_health_start(&g->cam_health, clock_mono_ns());
	if (loop_fd_add(g->loop, &g->cam_fd, EPOLLIN) == -1) {
		gate_camera_stop(g);
		g->cam_state = CAM_FAILED;
		return -1;
	}
	return 0;
}

static void
gate_camera_retry(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, cam_retry);
	void *priv = gate_camera_open(g->cam, &g->cfg);

	if (priv == NULL || gate_camera_attach(g, g->cam, priv) == -1) {
		loop_timer_set(l, t, CAMERA_RETRY_MS);
		return;
	}
	log_info("camera: back");
	gate_camera_alarm(g, false, "back");
}

/*
 * The stall check.  A camera without frames is closed and opened again,
 * once per camera.stall_ms while it stays silent: that is what unsticks a
 * hung driver or pipeline short of unplugging it.
 */
static void
gate_camera_tick(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, cam_tick);
	void *priv;

	loop_timer_set(l, t, camera_health_period_ms(&g->cam_health));
	if (g->cam_priv == NULL ||
	    camera_health_tick(&g->cam_health, clock_mono_ns()) != CAMERA_STALLED)
		return;
	log_warnx("camera: no frame for %d ms: frozen; lanes locked, "
	    "reopening it", g->cfg.camera.stall_ms);
	gate_camera_alarm(g, true, "frozen");
	gate_camera_stop(g);
	priv = gate_camera_open(g->cam, &g->cfg);
	if (priv == NULL || gate_camera_attach(g, g->cam, priv) == -1) {
		log_warnx("camera: lost; retrying every %d ms", CAMERA_RETRY_MS);
		g->cam_state = CAM_FAILED;
		loop_timer_set(l, &g->cam_retry, CAMERA_RETRY_MS);
	}
}

/* The tamper switch is the gate's, not the lane's: an alarm while the
 * cabinet is open, the ways as they were. */
void
gate_gpio_input(struct gate *g, const struct gpio_event *ev)
{
	if (ev->role != GPIO_TAMPER) {
		lane_input(&g->lane, ev);
		return;
	}
	if ((ev->value != 0) == g->tamper)
		return;
	g->tamper = ev->value != 0;
	gate_on_alarm(g, g->tamper ? REASON_TAMPER_ON : REASON_TAMPER_OFF);
}

static void
gate_gpio_event(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct gate *g = container_of(fd, struct gate, gpio_fd);
	struct gpio_event ev, wg[64];
	int r, n = 0;

	(void)l;
	(void)events;
	/* A reader's pulses go as one batch, so that they can be put in
	 * the kernel's order (gate_wiegand.c). */
	while ((r = g->gpio->read_event(g->gpio_priv, &ev)) == 1) {
		if (ev.role != GPIO_WIEGAND_D0 && ev.role != GPIO_WIEGAND_D1) {
			gate_gpio_input(g, &ev);
			continue;
		}
		wg[n++] = ev;
		if (n == (int)nitems(wg)) {
			gate_wiegand_edges(g, wg, n);
			n = 0;
		}
	}
	if (n > 0)
		gate_wiegand_edges(g, wg, n);
	if (r == -1)
		log_warnx("gpio: reading input events failed");
}

static int
gate_gpio_attach(struct gate *g, const struct gpio_ops *gpio, void *priv)
{
	g->gpio = gpio;
	g->gpio_priv = priv;
	wiegand_out_gpio(&g->wg_out, gpio, priv);
	g->gpio_fd.fd = gpio->fd(priv);
	g->gpio_fd.cb = gate_gpio_event;
	if (g->gpio_fd.fd >= 0 && loop_fd_add(g->loop, &g->gpio_fd, EPOLLIN) == -1)
		return -1;
	return 0;
}

static void
gate_gpio_detach(struct gate *g)
{
	if (g->gpio_priv == NULL)
		return;
	if (g->gpio_fd.fd >= 0)
		loop_fd_del(g->loop, &g->gpio_fd);
	/* A card half sent is cut: the controller takes it for noise. */
	wiegand_out_gpio(&g->wg_out, NULL, NULL);
	g->gpio->close(g->gpio_priv);
	g->gpio_priv = NULL;
	g->gpio_fd.fd = -1;
}

/* Inputs already active at start (a fire alarm sounding while the gate
 * boots, a cabinet left open) are taken as if they had just changed.
 * The tamper switch is taken as it is, either way: lines opened again
 * after a reload may find the cabinet shut since, or no switch at all. */
static void
gate_gpio_sync_inputs(struct gate *g)
{
	static const enum gpio_role inputs[] = { GPIO_FIRE_ALARM,
	    GPIO_PASSAGE_SENSOR, GPIO_TAMPER };

	for (size_t i = 0; i < nitems(inputs); i++) {
		struct gpio_event ev = { .role = inputs[i], .ts_ns = clock_mono_ns() };

		/* A tamper loop (gate_eol.c) holds the tamper state then. */
		if (inputs[i] == GPIO_TAMPER &&
		    g->cfg.supervision.tamper_loop[0] != '\0')
			continue;
		ev.value = g->cfg.gpio.hw.lines[inputs[i]].used ?
		    g->gpio->get(g->gpio_priv, inputs[i]) : 0;
		if (ev.value == 1 || (inputs[i] == GPIO_TAMPER && ev.value == 0))
			gate_gpio_input(g, &ev);
	}
	gate_eol_sync(g);
}

/*
 * Retention deletes only what the gate's own time says is old, so it waits
 * while that time is in doubt (the clock not synchronised, or behind the
 * floor), and counts the window back from the newest row when that is
 * earlier than now: a clock set forward cannot make the whole log look
 * old.  A row the outbox still has to send stays whatever its age
 * (store_event_purge()).
 */
static void
gate_retention(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, retention);
	int64_t window = (int64_t)g->cfg.store.retention_days * 86400000;
	int64_t newest = 0, cutoff;
	char when[TIMEFMT_LEN];
	int n, held;

	if (!gate_clock_check(g)) {
		log_info("store: retention skipped: the clock is %s; "
		    "nothing deleted, next try in an hour",
		    gatetime_why(&g->time));
		loop_timer_set(l, t, RETENTION_RETRY_MS);
		return;
	}
	if (store_event_newest_ts(g->store, &newest) == -1) {
		loop_timer_set(l, t, RETENTION_RETRY_MS);
		return;
	}
	loop_timer_set(l, t, RETENTION_PERIOD_MS);
	if ((cutoff = gatetime_retention_cutoff(gate_clock_now(g), newest,
	    window)) == 0)
		return;
	timefmt_format(cutoff, when, sizeof(when));
	n = store_event_purge(g->store, cutoff);
	held = store_event_held(g->store, cutoff);
	if (n > 0)
		log_info("store: purged %d events from before %s (%d days "
		    "before the newest row or now, whichever is earlier)", n,
		    when, g->cfg.store.retention_days);
	if (held > 0)
		log_info("store: retention kept %d events from before %s: "
		    "not yet delivered", held, when);
}

/*
 * The WAL is checkpointed here rather than inside whichever commit crosses
 * SQLite's threshold, which could be a grant's with the worker waiting
 * (store_checkpoint.c).  A passive checkpoint once the WAL holds a
 * megabyte and no code was decided for a second; past SQLite's own
 * threshold, even on a lane that never rests, so the WAL cannot grow
 * without end.
 */
static void
gate_checkpoint(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, checkpoint);
	int frames = store_wal_frames(g->store);
	bool quiet = clock_mono_ns() - g->last_decision_ns >=
	    CHECKPOINT_QUIET_MS * 1000000LL;

	if (frames >= CHECKPOINT_FORCE || (frames >= CHECKPOINT_FRAMES && quiet))
		(void)store_checkpoint(g->store);
	loop_timer_set(l, t, CHECKPOINT_PERIOD_MS);
}

/* With MQTT off nothing is queued: no outbox grows with nobody to send it. */
static int
gate_outbox_cap(struct store *st, const struct config *cfg)
{
	return store_outbox_set_max(st, cfg->mqtt.enabled ?
	    cfg->mqtt.outbox_max : 0);
}

/* The store, and what the gate reads from it at start. */
static int
gate_store_init(struct gate *g, const struct config *cfg)
{
	g->store = store_open(cfg->store.path, cfg->store.synchronous, false);
	if (g->store == NULL)
		return -1;
	store_checkpoint_defer(g->store);
	if (store_sync_init(g->store) == -1 ||
	    gate_outbox_cap(g->store, cfg) == -1 ||
	    gate_clock_open(g) == -1 ||
	    gate_close_pending_passages(g) == -1) {
		store_close(g->store);
		g->store = NULL;
		return -1;
	}
	return 0;
}

/*
 * A database SQLite cannot read (not a database, corrupt) would keep the
 * daemon from starting, and systemd would start it again and again with
 * every relay de-energised: the exit locked until someone mends the
 * file.  So it is moved aside, kept (evidence, perhaps recoverable), and
 * the gate starts on a fresh database with the "database" alarm up until
 * a credential list arrives (gate_store_tick()).  The whole file is
 * checked only once the open failed: quick_check reads every page, some
 * seconds for a month's log on a Pi, too long for every start with the
 * ways locked.  A file that cannot be opened at all (permissions, no
 * directory) is a fault of the install, not of the file: left alone.
 */
static int
gate_store_open(struct gate *g, const struct config *cfg)
{
	char why[512];
	int64_t when;
	int r;

	if (gate_store_init(g, cfg) == 0) {
		/* Set aside at an earlier start, and no list since: the alarm
		 * again, so a restart does not hide that nobody is known. */
		if (store_meta_get(g->store, GATE_ASIDE_KEY, &when) == 1 &&
		    when > 0 && store_aside_name(cfg->store.path, when,
		    g->store_aside, sizeof(g->store_aside)) == -1)
			g->store_aside[0] = '\0';
		return 0;
	}
	if ((r = store_probe(cfg->store.path, why, sizeof(why))) != 1) {
		if (r == -1)
			log_warnx("store: %s", why);
		return -1;
	}
	log_warnx("store: not a readable database: %s", why);
	when = (int64_t)time(NULL);
	if (store_set_aside(cfg->store.path, when, g->store_aside,
	    sizeof(g->store_aside)) == -1)
		return -1;
	log_warnx("store: the unreadable database is kept as %s; starting on "
	    "an empty one: no credentials (every code unknown) until a list "
	    "arrives, exits open", g->store_aside);
	if (gate_store_init(g, cfg) == -1)
		return -1;
	/* Not noted (the store logged why): the alarm then ends at a
	 * restart. */
	(void)store_meta_set(g->store, GATE_ASIDE_KEY, when);
	return 0;
}

int
gate_open(struct gate *g, struct loop *l, const struct config *cfg)
{
	struct lane_params lp;
	struct lane_hooks hooks = {
		.passage = gate_on_passage, .alarm = gate_on_alarm,
		.button = gate_on_button, .arg = g,
	};
	const struct camera_ops *cam;
	const struct gpio_ops *gpio;
	struct wiegand_plan_conf pc;
	void *priv;

	memset(g, 0, sizeof(*g));
	g->cfg = *cfg;
	g->loop = l;
	g->cam_fd.fd = g->gpio_fd.fd = g->wg_out.tfd.fd = -1;
	g->cam_retry.cb = gate_camera_retry;
	g->cam_tick.cb = gate_camera_tick;
	g->retention.cb = gate_retention;
	g->checkpoint.cb = gate_checkpoint;
	g->store_tick.cb = gate_store_tick;
	g->started_ns = clock_mono_ns();

	/* GPIO first: the relays are in their safe state before anything
	 * else can fail or take time. */
	if ((gpio = gpio_find(cfg->gpio.backend)) == NULL) {
		log_warnx("gpio: backend %s is not built in", cfg->gpio.backend);
		return -1;
	}
	if ((priv = gpio->open(&cfg->gpio.hw)) == NULL)
		return -1;
	gate_lane_params(cfg, &lp);
	lane_init(&g->lane, l, gpio, priv, &lp, &hooks);
	if (gate_gpio_attach(g, gpio, priv) == -1)
		goto fail;

	if (gate_store_open(g, cfg) == -1)
		goto fail;

	if ((g->dec = decoder_find(cfg->decoder.backend)) == NULL) {
		log_warnx("decoder: backend %s is not built in", cfg->decoder.backend);
		goto fail;
	}
	if ((g->dec_priv = g->dec->open()) == NULL)
		goto fail;
	holdoff_init(&g->holdoff, cfg->decoder.holdoff_ms);
	gate_scan_configure(g, cfg);
	if (gate_wiegand_configure(g, cfg) == -1)
		log_warnx("wiegand: wiegand.formats \"%s\" unusable",
		    cfg->wiegand.formats);
	pc = g->wg_out.conf;	/* set by gate_wiegand_configure() */
	if (wiegand_out_open(&g->wg_out, l, &pc) == -1)
		goto fail;
	wiegand_out_gpio(&g->wg_out, g->gpio, g->gpio_priv);

	if ((cam = camera_find(cfg->camera.backend)) == NULL) {
		log_warnx("camera: backend %s is not built in", cfg->camera.backend);
		goto fail;
	}
	if ((priv = gate_camera_open(cam, cfg)) == NULL)
		goto fail;
	gate_camera_health_init(g, cam, cfg);
	if (gate_camera_attach(g, cam, priv) == -1)
		goto fail;
	gate_reader_open(g);
	gate_eol_open(g);

	gate_gpio_sync_inputs(g);
	gate_screen_open(g);
	gate_sound_open(g);
	loop_timer_set(l, &g->retention, 0);
	loop_timer_set(l, &g->checkpoint, CHECKPOINT_PERIOD_MS);
	loop_timer_set(l, &g->store_tick, 0);
	return 0;
fail:
	gate_close(g);
	return -1;
}

void
gate_make_safe(struct gate *g)
{
	if (g->gpio_priv != NULL)
		lane_safe(&g->lane);
}

void
gate_close(struct gate *g)
{
	gate_make_safe(g);
	loop_timer_cancel(g->loop, &g->cam_retry);
	loop_timer_cancel(g->loop, &g->cam_tick);
	loop_timer_cancel(g->loop, &g->retention);
	loop_timer_cancel(g->loop, &g->checkpoint);
	loop_timer_cancel(g->loop, &g->store_tick);
	loop_timer_cancel(g->loop, &g->wg_timer);
	loop_timer_cancel(g->loop, &g->wg_pin_timer);
	gate_eol_close(g);
	wiegand_out_close(&g->wg_out);
	gate_kept_close(g);
	gate_clock_close(g);
	gate_camera_stop(g);
	gate_reader_close(g);
	gate_screen_close(g);
	gate_sound_close(g);
	if (g->dec_priv != NULL)
		g->dec->close(g->dec_priv);
	g->dec_priv = NULL;
	if (g->store != NULL)
		store_close(g->store);
	g->store = NULL;
	gate_gpio_detach(g);
}

static bool
gate_section_changed(const void *a, const void *b, size_t len)
{
	return memcmp(a, b, len) != 0;
}

int
gate_reload(struct gate *g, const struct config *cfg, char *err, size_t errlen)
{
	const struct camera_ops *cam = NULL;
	const struct decoder_ops *dec = NULL;
	const struct gpio_ops *gpio = NULL;
	void *cam_priv = NULL, *dec_priv = NULL, *gpio_priv = NULL;
	bool cam_changed = gate_section_changed(&g->cfg.camera, &cfg->camera, sizeof(cfg->camera));
	bool gpio_changed = gate_section_changed(&g->cfg.gpio, &cfg->gpio, sizeof(cfg->gpio));
	bool dec_changed = strcmp(g->cfg.decoder.backend, cfg->decoder.backend) != 0;
	/* max_payload bounds the reader's codes too. */
	bool reader_changed = gate_section_changed(&g->cfg.reader, &cfg->reader,
	    sizeof(cfg->reader)) ||
	    g->cfg.decoder.max_payload != cfg->decoder.max_payload;
	/* The screen's top bar names the gate. */
	bool screen_changed = gate_section_changed(&g->cfg.screen,
	    &cfg->screen, sizeof(cfg->screen)) ||
	    strcmp(g->cfg.gate.id, cfg->gate.id) != 0;
	/* The prompts are spoken in the screen's language. */
	bool sound_changed = gate_section_changed(&g->cfg.sound,
	    &cfg->sound, sizeof(cfg->sound)) ||
	    g->cfg.screen.language != cfg->screen.language;
	bool eol_changed = gate_section_changed(&g->cfg.supervision,
	    &cfg->supervision, sizeof(cfg->supervision));
	struct lane_params lp;

	if (strcmp(g->cfg.store.path, cfg->store.path) != 0 ||
	    strcmp(g->cfg.control.socket, cfg->control.socket) != 0 ||
	    strcmp(g->cfg.control.group, cfg->control.group) != 0) {
		snprintf(err, errlen, "store.path and control.* take effect only at a restart");
		return -1;
	}
	/* Everything that can fail is opened aside first; the running gate is
	 * touched only when all of it is ready. */
	if (cam_changed) {
		if ((cam = camera_find(cfg->camera.backend)) == NULL ||
		    (cam_priv = gate_camera_open(cam, cfg)) == NULL) {
			snprintf(err, errlen, "camera %s %s could not be opened",
			    cfg->camera.backend, cfg->camera.source);
			return -1;
		}
	}
	if (dec_changed) {
		if ((dec = decoder_find(cfg->decoder.backend)) == NULL ||
		    (dec_priv = dec->open()) == NULL) {
			snprintf(err, errlen, "decoder %s could not be opened", cfg->decoder.backend);
			goto fail;
		}
	}
	if (gpio_changed) {
		if ((gpio = gpio_find(cfg->gpio.backend)) == NULL) {
			snprintf(err, errlen, "gpio backend %s is not built in", cfg->gpio.backend);
			goto fail;
		}
		/* GPIO lines are exclusive: the old request must go before the
		 * new one can take them.  The relays are safe meanwhile. */
		gate_make_safe(g);
		gate_gpio_detach(g);
		if ((gpio_priv = gpio->open(&cfg->gpio.hw)) == NULL) {
			/* Put the old lines back: the gate keeps running
			 * exactly as it was. */
			const struct gpio_ops *old = g->gpio;
			void *p = old->open(&g->cfg.gpio.hw);

			if (p == NULL)
				fatalx("gpio: neither the new nor the old lines can be opened");
			gate_gpio_attach(g, old, p);
			lane_gpio_set(&g->lane, old, p);
			gate_gpio_sync_inputs(g);
			snprintf(err, errlen, "gpio lines of the new config could not be opened");
			goto fail;
		}
	}

	if (cam_changed) {
		loop_timer_cancel(g->loop, &g->cam_retry);
		gate_camera_stop(g);
		/* Another camera, or other rules: its health starts afresh. */
		if (g->camera_alarm)
			gate_camera_alarm(g, false, "camera reconfigured");
		gate_camera_health_init(g, cam, cfg);
		gate_camera_attach(g, cam, cam_priv);
	}
	if (dec_changed) {
		g->dec->close(g->dec_priv);
		g->dec = dec;
		g->dec_priv = dec_priv;
	}
	if (gpio_changed) {
		gate_gpio_attach(g, gpio, gpio_priv);
		lane_gpio_set(&g->lane, gpio, gpio_priv);
	}
	g->cfg = *cfg;
	/*
	 * The reader is not opened aside: its device is the old one's as
	 * often as not, and an evdev grab is exclusive.  One that cannot be
	 * opened is tried again (gate_reader.c) and fails no reload.
	 */
	if (reader_changed) {
		gate_reader_close(g);
		gate_reader_open(g);
	}
	if (screen_changed) {
		gate_screen_close(g);
		gate_screen_open(g);
	}
	if (sound_changed) {
		gate_sound_close(g);
		gate_sound_open(g);
	}
	log_set_level(cfg->log.level);
	gate_lane_params(cfg, &lp);
	lane_params_set(&g->lane, &lp);
	/* The codes in view stay in view: a reload (a SIGHUP, a push) is
	 * not a new showing, and forgetting them would grant again. */
	holdoff_window_set(&g->holdoff, cfg->decoder.holdoff_ms);
	gate_scan_configure(g, cfg);
	if (gate_wiegand_configure(g, cfg) == -1)
		log_warnx("wiegand: wiegand.formats \"%s\" unusable",
		    cfg->wiegand.formats);
	if (eol_changed)
		gate_eol_reconfigure(g);
	if (gpio_changed)
		gate_gpio_sync_inputs(g);
	/* A cap that cannot be written leaves the old one: logged, harmless. */
	gate_outbox_cap(g->store, cfg);
	if (g->up.config != NULL)
		g->up.config(g->up.arg, cfg);
	return 0;
fail:
	if (cam_priv != NULL)
		cam->close(cam_priv);
	if (dec_priv != NULL)
		dec->close(dec_priv);
	return -1;
}

int
gate_remote_open(struct gate *g, enum direction dir, char *err, size_t errlen)
{
	if (!lane_way_enabled(&g->lane, dir)) {
		snprintf(err, errlen, "the %s way is not enabled on this gate", direction_name(dir));
		return -1;
	}
	if (lane_way_busy(&g->lane, dir)) {
		snprintf(err, errlen, "the %s way is already released", direction_name(dir));
		return -1;
	}
	if (gate_open_unscanned(g, dir, EV_REMOTE, REASON_REMOTE_OPEN) == -1) {
		if (errno == EIO)
			snprintf(err, errlen, "the log cannot be written: the "
			    "%s way stays locked", direction_name(dir));
		else
			snprintf(err, errlen, "the %s way could not be released",
			    direction_name(dir));
		return -1;
	}
	return 0;
}

void
gate_set_lockdown(struct gate *g, bool on)
{
	if (g->lockdown != on)
		log_warnx("lockdown %s", on ? "on: every code is denied" : "off");
	g->lockdown = on;
	/*
	 * A lockdown locks: a release from whoever (a remote command)
	 * ends with it, or the ways would stay free under a lockdown that
	 * says otherwise.  The fire alarm is no operator's to end: while it
	 * sounds, every way stays free whatever lockdown says.
	 */
	if (on)
		gate_set_release(g, false);
	gate_screen_lane(g);
	gate_sound_lane(g);
}

void
gate_uplink_offline(struct gate *g, bool offline)
{
	if (offline == (g->uplink_lost_ns != 0))
		return;
	g->uplink_lost_ns = offline ? clock_mono_ns() : 0;
	gate_screen_lane(g);
}

void
gate_set_release(struct gate *g, bool on)
{
	if (g->lane.hold != on)
		log_warnx("release %s", on ? "on: every way is held free" :
		    "off");
	lane_hold(&g->lane, on);
}

static int
gate_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* p50 and p99 of the recent decode times, -1 before the first frame. */
static void
gate_decode_percentiles(const struct gate *g, json_int_t *p50, json_int_t *p99)
{
	int32_t t[GATE_DECODE_RING];
	size_t n = g->decode_n < GATE_DECODE_RING ? g->decode_n : GATE_DECODE_RING;

	*p50 = *p99 = -1;
	if (n == 0)
		return;
	memcpy(t, g->decode_ring, n * sizeof(t[0]));
	qsort(t, n, sizeof(t[0]), gate_cmp_i32);
	*p50 = t[n / 2];
	*p99 = t[n * 99 / 100];
}

json_t *
gate_status_json(const struct gate *g)
{
	json_t *ways = json_object(), *st;
	json_int_t p50, p99;
	int64_t first;

	for (int d = 0; d < DIR_COUNT; d++)
		if (lane_way_enabled(&g->lane, d))
			json_object_set_new(ways, direction_name(d),
			    json_string(way_state_name(g->lane.way[d].state)));
	gate_decode_percentiles(g, &p50, &p99);
	st = json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s, s:s}, s:o, s:b, s:b, s:b,"
	    " s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:{s:I, s:I}, s:I, s:I}",
	    "gate", g->cfg.gate.id,
	    "site", g->cfg.gate.site,
	    "lane", g->cfg.gate.lane,
	    "version", QRGATE_VERSION,
	    "uptime_s", (json_int_t)((clock_mono_ns() - g->started_ns) / 1000000000),
	    "camera", "backend", g->cam->name, "state", camera_state_name(g->cam_state),
	    "direction", direction_name(g->cfg.camera.direction),
	    "ways", ways,
	    "fire_alarm", g->lane.fire,
	    "lockdown", g->lockdown,
	    "passage_sensor", g->lane.sensor,
	    "counters",
	    "frames", (json_int_t)g->n.frames, "codes", (json_int_t)g->n.codes,
	    "grants", (json_int_t)g->n.grants, "denials", (json_int_t)g->n.denials,
	    "alarms", (json_int_t)g->n.alarms, "store_errors", (json_int_t)g->n.store_errors,
	    "last_decode_us", (json_int_t)g->last_decode_us,
	    "decode_us", "p50", p50, "p99", p99,
	    "config_version", (json_int_t)g->config_version,
	    "cred_version", (json_int_t)g->cred_version);
	if (st != NULL && (g->cfg.gpio.hw.lines[GPIO_TAMPER].used ||
	    g->cfg.supervision.tamper_loop[0] != '\0'))
		json_object_set_new(st, "tamper", json_boolean(g->tamper));
	if (st != NULL)
		gate_eol_status(g, st);
	if (st != NULL && (g->cfg.gpio.hw.lines[GPIO_WIEGAND_D0].used ||
	    g->cfg.wiegand.out != WIEGAND_OUT_OFF))
		json_object_set_new(st, "wiegand", json_pack("{s:b, s:s, s:I,"
		    " s:I, s:b, s:I, s:I, s:I}",
		    "reader", g->cfg.gpio.hw.lines[GPIO_WIEGAND_D0].used,
		    "direction", direction_name(g->cfg.wiegand.direction),
		    "noise", (json_int_t)g->n.wiegand_noise,
		    "frames_undecoded", (json_int_t)g->n.frames_undecoded,
		    "out", g->cfg.wiegand.out != WIEGAND_OUT_OFF,
		    "sent", (json_int_t)g->wg_out.frames,
		    "dropped", (json_int_t)g->wg_out.dropped,
		    "late_max_us", (json_int_t)(g->wg_out.late_max_ns / 1000)));
	/* The "database" alarm and the rows it keeps waiting, for
	 * `qrgatectl status` where no uplink shows them. */
	if (st != NULL)
		json_object_set_new(st, "store", json_pack("{s:b, s:i, s:s?}",
		    "alarm", g->store_alarm, "kept", g->kept_n, "set_aside",
		    g->store_aside[0] != '\0' ? g->store_aside : NULL));
	/* Where the log starts: an aggregator that first hears of this
	 * gate later knows which older events it missed and which are gone. */
	if (st != NULL && (first = store_event_first_seq(g->store)) > 0)
		json_object_set_new(st, "seq_first", json_integer(first));
	if (st != NULL)
		gate_reader_status(g, st);
	if (st != NULL)
		gate_screen_status(g, st);
	if (st != NULL)
		gate_sound_status(g, st);
	if (st != NULL)
		gate_clock_status(g, st);
	if (st != NULL)
		inbound_status(g, st);
	if (st != NULL && g->up.status != NULL)
		g->up.status(g->up.arg, st);
	return st;
}

/* A camera is stale after this long without a frame, or 10 frame periods
 * at a very low rate, whichever is longer. */
#define CAMERA_STALE_MS 5000

bool
gate_healthy(const struct gate *g, char *why, size_t whylen)
{
	int64_t last = g->last_frame_ns != 0 ? g->last_frame_ns : g->started_ns;
	int64_t stale_ms = 10000 / g->cfg.camera.fps;

	if (stale_ms < CAMERA_STALE_MS)
		stale_ms = CAMERA_STALE_MS;
	if (g->cam_state == CAM_FAILED) {
		snprintf(why, whylen, "camera lost");
		return false;
	}
	/* A frozen picture is as blind as no picture: let systemd restart us
	 * if reopening the camera did not bring it back. */
	if (g->cam_state == CAM_FROZEN) {
		snprintf(why, whylen, "camera frozen");
		return false;
	}
	if (g->cam_state != CAM_ENDED &&
	    clock_mono_ns() - last > stale_ms * 1000000) {
		snprintf(why, whylen, "no frame for %lld ms",
		    (long long)((clock_mono_ns() - last) / 1000000));
		return false;
	}
	/* A file deleted or replaced under the gate is "does not answer"
	 * too: a restart opens whatever is at store.path then.  A full disk
	 * is not: the daemon keeps opening exits, a restart could not. */
	if (store_ping(g->store) == -1) {
		snprintf(why, whylen, "the database does not answer: %s",
		    store_errmsg(g->store));
		return false;
	}
	return true;
}
