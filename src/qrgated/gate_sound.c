/*
 * The lane's voice (issue 19): after each decision a short prompt ("Mời
 * vào", "Thẻ hết hạn"), and when the lane's state changes (fire alarm,
 * lockdown, lost camera) the prompt for it.  The buzzer and the lamps
 * are untouched: a site without sound keeps them, and so does one with.
 *
 * Why a thread, and the same pattern as the screen's (gate_screen.c):
 * synthesising takes milliseconds a prompt and playing takes as long as
 * the prompt lasts, and neither may hold the loop.  The thread first
 * speaks every prompt of the gate's language once into a cache of PCM
 * clips (sound_synth.c; about 1 ms a prompt on a desktop, so the few
 * tens of them are ready long before the first code is shown), then
 * plays the newest request.  The loop only fills in a request under a
 * mutex and signals.  A request replaced before the thread took it is
 * never played, and one that comes while a clip plays cuts it: the
 * newest decision wins.  Every request is made after the relay has been
 * driven (the callers say so), so a prompt can never delay a passage;
 * the thread's log line gives the monotonic time it was asked and
 * started, which the tests compare with the relay's.
 *
 * Quiet hours are decided in the loop, when asked: a prompt of a quiet
 * minute is never handed to the thread at all.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gate_private.h"
#include "log.h"
#include "sitetime.h"
#include "sound.h"
#include "sound_msg.h"
#include "sound_quiet.h"
#include "sound_synth.h"
#include "util.h"
#include "worker.h"

struct sound_req {
	int prompt;		/* sound_msg.h's id */
	int64_t asked_ns;	/* CLOCK_MONOTONIC: when the loop asked */
};

struct gate_sound {
	struct gate *g;
	const struct sound_ops *ops;
	void *priv;
	enum screen_lang lang;
	int volume;
	struct sound_quiet quiet;
	enum screen_state lane;		/* the lane's state last spoken */
	uint64_t quiet_skipped;		/* loop only */

	/* The thread's alone: filled before it plays anything. */
	struct sound_pcm clips[SOUND_PROMPT_COUNT];

	struct worker w;
	/* Under w.mu. */
	bool ready;			/* the clips are made */
	struct sound_req req;
	int prompts;			/* clips made */
	int64_t synth_us;		/* making them took */
	uint64_t played;
	uint64_t cut;
	uint64_t failed;
};

/* Whether the site's clock is in sound.quiet_hours now. */
static bool
gate_sound_quiet_now(const struct gate_sound *s)
{
	char t[64];
	int h, m;

	if (!s->quiet.set)
		return false;
	/* "YYYY-MM-DD HH:MM:SS +07": the site's hours and minutes. */
	sitetime_format(gate_clock_now(s->g), t, sizeof(t));
	if (strlen(t) < 16 || sscanf(t + 11, "%2d:%2d", &h, &m) != 2)
		return false;
	return sound_quiet_in(&s->quiet, h * 60 + m);
}

/* Hands prompt to the thread, replacing (or cutting) the one before. */
static void
gate_sound_ask(struct gate_sound *s, int prompt)
{
	char name[64];

	if (prompt < 0)
		return;
	if (gate_sound_quiet_now(s)) {
		s->quiet_skipped++;
		log_debug("sound: %s not played: quiet hours (%s)",
		    sound_prompt_name(prompt, name, sizeof(name)),
		    s->g->cfg.sound.quiet_hours);
		return;
	}
	pthread_mutex_lock(&s->w.mu);
	s->req.prompt = prompt;
	s->req.asked_ns = clock_mono_ns();
	worker_post_locked(&s->w);
	pthread_mutex_unlock(&s->w.mu);
}

#ifdef CONFIG_SOUND
/* Every prompt of the gate's language, once, into s->clips. */
static void
gate_sound_synthesise(struct gate_sound *s)
{
	int64_t t0 = clock_mono_ns(), t1;
	size_t frames = 0;
	int n = 0;

	if (sound_synth_open(screen_lang_name(s->lang)) == 0) {
		for (int id = 0; id < SOUND_PROMPT_COUNT; id++) {
			if (sound_synth_say(sound_prompt_text(id, s->lang),
			    s->volume, &s->clips[id]) == 0) {
				n++;
				frames += s->clips[id].frames;
			}
		}
		sound_synth_close();
	}
	t1 = clock_mono_ns();
	log_info("sound: %d of %d prompts in %s synthesised in %.1f ms "
	    "(%.2f ms a prompt), %.1f s of sound", n, SOUND_PROMPT_COUNT,
	    screen_lang_name(s->lang), (t1 - t0) / 1e6,
	    (t1 - t0) / 1e6 / SOUND_PROMPT_COUNT,
	    n > 0 ? (double)frames / s->clips[0].rate : 0.0);
	pthread_mutex_lock(&s->w.mu);
	s->ready = true;
	s->prompts = n;
	s->synth_us = (t1 - t0) / 1000;
	pthread_mutex_unlock(&s->w.mu);
}

/* play()'s cut: a newer prompt waits, or the gate closes. */
static bool
gate_sound_cut(void *arg)
{
	struct gate_sound *s = arg;
	bool cut;

	pthread_mutex_lock(&s->w.mu);
	cut = s->w.pending || s->w.stop;
	pthread_mutex_unlock(&s->w.mu);
	return cut;
}

/* Plays r's clip; the thread's job once the clips are made. */
static void
gate_sound_play(struct gate_sound *s, const struct sound_req *r)
{
	const struct sound_pcm *pcm = &s->clips[r->prompt];
	char name[64];
	struct sound_clip clip = { .samples = pcm->samples,
	    .frames = pcm->frames, .rate = pcm->rate,
	    .name = sound_prompt_name(r->prompt, name, sizeof(name)) };
	int64_t t0 = clock_mono_ns(), t1;
	int rc;

	if (pcm->samples == NULL) {
		log_warnx("sound: %s has no clip", clip.name);
		rc = -1;
	} else {
		log_debug("sound: %s started: asked at %lld ns, started at "
		    "%lld ns, %lld ms long", clip.name, (long long)r->asked_ns,
		    (long long)t0,
		    (long long)(pcm->frames * 1000 / (size_t)pcm->rate));
		rc = s->ops->play(s->priv, &clip, gate_sound_cut, s);
		t1 = clock_mono_ns();
		log_debug("sound: %s %s at %lld ns, after %lld ms", clip.name,
		    rc == 0 ? "ended" : rc == 1 ? "cut by a newer prompt" :
		    "failed", (long long)t1, (long long)((t1 - t0) / 1000000));
	}
	pthread_mutex_lock(&s->w.mu);
	if (rc == 0)
		s->played++;
	else if (rc == 1)
		s->cut++;
	else
		s->failed++;
	pthread_mutex_unlock(&s->w.mu);
}
#endif

static void *
gate_sound_thread(void *arg)
{
	struct gate_sound *s = arg;
	struct sound_req r;

#ifdef CONFIG_SOUND
	gate_sound_synthesise(s);
#endif
	while (worker_wait(&s->w)) {
		r = s->req;
		pthread_mutex_unlock(&s->w.mu);
#ifdef CONFIG_SOUND
		gate_sound_play(s, &r);
#else
		(void)r;
#endif
	}
	return NULL;
}

/* The lane's state a prompt is spoken for, first what matters most. */
static enum screen_state
gate_sound_lane_state(const struct gate *g)
{
	if (g->lane.fire)
		return SCREEN_FIRE_ALARM;
	if (g->lockdown)
		return SCREEN_LOCKED_DOWN;
	if (g->camera_alarm)
		return SCREEN_CAMERA_FAULT;
	return SCREEN_IDLE;
}

void
gate_sound_open(struct gate *g)
{
	const struct config *cfg = &g->cfg;
	struct sound_config sc = { .path = strcmp(cfg->sound.backend,
	    "alsa") == 0 ? cfg->sound.device : cfg->sound.directory };
	struct gate_sound *s;
	char msg[128];

	g->sound = NULL;
	if (strcmp(cfg->sound.backend, "none") == 0)
		return;
#ifndef CONFIG_SOUND
	/* The setting's choices are every backend there is; this build
	 * has no espeak-ng and ALSA. */
	log_warnx("sound: backend %s is not built in (no espeak-ng and "
	    "alsa); no sound", cfg->sound.backend);
	return;
#endif
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("sound");
		return;
	}
	s->g = g;
	s->lang = cfg->screen.language;
	s->volume = cfg->sound.volume;
	s->lane = SCREEN_IDLE;
	/* The table checked it: a failure here is a bug, and no quiet. */
	if (sound_quiet_parse(cfg->sound.quiet_hours, &s->quiet, msg,
	    sizeof(msg)) == -1)
		log_warnx("sound: quiet_hours: %s", msg);
	if ((s->ops = sound_find(cfg->sound.backend)) == NULL) {
		log_warnx("sound: backend %s is not built in; no sound",
		    cfg->sound.backend);
		free(s);
		return;
	}
	if ((s->priv = s->ops->open(&sc)) == NULL) {
		log_warnx("sound: %s not opened; no sound", cfg->sound.backend);
		free(s);
		return;
	}
	if (worker_start(&s->w, gate_sound_thread, s) == -1) {
		log_warn("sound: no thread");
		s->ops->close(s->priv);
		free(s);
		return;
	}
	g->sound = s;
	log_info("sound: %s%s%s, %s, volume %d%%%s%s", cfg->sound.backend,
	    sc.path[0] != '\0' ? " " : "", sc.path,
	    screen_lang_name(s->lang), s->volume,
	    s->quiet.set ? ", quiet " : "",
	    s->quiet.set ? cfg->sound.quiet_hours : "");
	/* A gate that starts in a fire alarm or a lockdown says so. */
	gate_sound_lane(g);
}

void
gate_sound_close(struct gate *g)
{
	struct gate_sound *s = g->sound;

	if (s == NULL)
		return;
	worker_stop(&s->w);
	s->ops->close(s->priv);
	for (int id = 0; id < SOUND_PROMPT_COUNT; id++)
		free(s->clips[id].samples);
	free(s);
	g->sound = NULL;
}

void
gate_sound_decision(struct gate *g, const struct event *ev)
{
	struct gate_sound *s = g->sound;

	if (s == NULL)
		return;
	/* The fire alarm's prompt stands: every way is free anyway. */
	if (g->lane.fire)
		return;
	gate_sound_ask(s, ev->result == RES_GRANTED ?
	    sound_prompt_way(ev->direction) : sound_prompt_reason(ev->reason));
}

void
gate_sound_lane(struct gate *g)
{
	struct gate_sound *s = g->sound;
	enum screen_state was, now;

	if (s == NULL)
		return;
	was = s->lane;
	now = gate_sound_lane_state(g);
	if (now == was)
		return;
	s->lane = now;
	/* Back to idle says nothing, but for the fire alarm's end. */
	if (now != SCREEN_IDLE)
		gate_sound_ask(s, sound_prompt_state(now));
	else if (was == SCREEN_FIRE_ALARM)
		gate_sound_ask(s, sound_prompt_reason(REASON_FIRE_ALARM_OFF));
}

void
gate_sound_status(const struct gate *g, json_t *status)
{
	struct gate_sound *s = g->sound;
	json_t *o;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->w.mu);
	o = json_pack("{s:s, s:s, s:b, s:i, s:f, s:I, s:I, s:I, s:I}",
	    "backend", g->cfg.sound.backend,
	    "language", screen_lang_name(s->lang),
	    "ready", s->ready, "prompts", s->prompts,
	    "synth_ms", s->synth_us / 1000.0,
	    "played", (json_int_t)s->played, "cut", (json_int_t)s->cut,
	    "failed", (json_int_t)s->failed,
	    "quiet", (json_int_t)s->quiet_skipped);
	pthread_mutex_unlock(&s->w.mu);
	if (o != NULL)
		json_object_set_new(status, "sound", o);
}
