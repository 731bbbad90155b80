/*
 * The gate's end-of-line supervised loops (eol.h): the fire alarm's and
 * the tamper switch's, each read through an ADC (hal/analog.h) on a timer
 * of the loop, since an IIO value cannot be poll()ed.
 *
 * What each state does:
 * - active acts as the loop's GPIO input would (gpio.fire_alarm: every
 *   way freed; gpio.tamper: the tamper alarm), through the same paths;
 * - a fault (short, open, unreadable) raises the loop's own alarm
 *   (fire-loop-fault / -ok, tamper-loop-fault / -ok), and:
 *   - fire: the gate can no longer see the fire panel, and an exit must
 *     never hold anyone in, so the exit way is held free while the fault
 *     lasts; the entry way is left as it is, and a fire alarm already on
 *     stays on (a loop that burns through in the fire it reports must
 *     not lock the lane again).  The fire alarm ends only on a reading
 *     of normal.
 *   - tamper: a cut or shorted wire is what someone defeating the
 *     switch does, so it counts as the cabinet open: the tamper alarm
 *     too, besides the fault's.
 * A loop read as normal again ends both.  Unknown (too few readings yet)
 * does nothing.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "gate.h"
#include "gate_private.h"
#include "log.h"
#include "util.h"

static const char *const gate_eol_names[GATE_EOL_COUNT] = {
	[GATE_EOL_FIRE] = "fire_loop",
	[GATE_EOL_TAMPER] = "tamper_loop",
};

static const char *
gate_eol_path(const struct config *cfg, enum gate_eol_loop which)
{
	return which == GATE_EOL_FIRE ? cfg->supervision.fire_loop :
	    cfg->supervision.tamper_loop;
}

/* Feeds the alarm the loop stands for, as its GPIO input would. */
static void
gate_eol_feed(struct gate_eol *e)
{
	struct gpio_event ev = { .value = e->active, .ts_ns = clock_mono_ns() };

	if (e->which == GATE_EOL_FIRE) {
		ev.role = GPIO_FIRE_ALARM;
		lane_input(&e->g->lane, &ev);
	} else {
		ev.role = GPIO_TAMPER;
		gate_gpio_input(e->g, &ev);
	}
}

static void
gate_eol_fault_set(struct gate_eol *e, bool on)
{
	struct gate *g = e->g;
	bool fire = e->which == GATE_EOL_FIRE;

	if (on == e->fault)
		return;
	e->fault = on;
	/* People first: the exit is free before anything is logged. */
	if (fire && on)
		lane_hold_exit(&g->lane, true);
	gate_on_alarm(g, fire ? (on ? REASON_FIRE_LOOP_FAULT :
	    REASON_FIRE_LOOP_OK) : (on ? REASON_TAMPER_LOOP_FAULT :
	    REASON_TAMPER_LOOP_OK));
	if (fire && !on)
		lane_hold_exit(&g->lane, false);
}

/* Acts on the loop's new state s; "no loop" is applied as normal. */
static void
gate_eol_apply(struct gate_eol *e, enum eol_state s)
{
	bool fault = eol_state_fault(s);
	bool active;

	if (s == EOL_UNKNOWN)
		return;
	if (e->which == GATE_EOL_FIRE)
		active = s == EOL_ACTIVE || (fault && e->active);
	else
		active = s == EOL_ACTIVE || fault;
	if (fault)
		gate_eol_fault_set(e, true);
	if (active != e->active) {
		e->active = active;
		gate_eol_feed(e);
	}
	if (!fault)
		gate_eol_fault_set(e, false);
}

static void
gate_eol_tick(struct loop *l, struct loop_timer *t)
{
	struct gate_eol *e = container_of(t, struct gate_eol, tick);
	const struct config *cfg = &e->g->cfg;
	int32_t raw = 0;
	bool ok;
	char why[sizeof(e->why)];

	loop_timer_set(l, t, cfg->supervision.period_ms);
	ok = e->ops->read(e->priv, &raw, why, sizeof(why)) == 0;
	e->readings++;
	if (!ok) {
		e->failed++;
		snprintf(e->why, sizeof(e->why), "%s", why);
	}
	if (!eol_sample(&e->eol, ok, raw))
		return;
	/* Once per change of state, never per reading. */
	if (e->eol.state == EOL_UNREADABLE)
		log_warnx("supervision: %s: unreadable: %s",
		    gate_eol_names[e->which], e->why);
	else if (eol_state_fault(e->eol.state))
		log_warnx("supervision: %s: %s circuit (raw %d)",
		    gate_eol_names[e->which], eol_state_name(e->eol.state),
		    (int)raw);
	else
		log_info("supervision: %s: %s (raw %d)",
		    gate_eol_names[e->which], eol_state_name(e->eol.state),
		    (int)raw);
	gate_eol_apply(e, e->eol.state);
}

/* Starts loop e as cfg says, or leaves it off. */
static void
gate_eol_start(struct gate_eol *e, const struct config *cfg)
{
	const char *path = gate_eol_path(cfg, e->which);

	eol_init(&e->eol, &cfg->supervision.levels, cfg->supervision.samples);
	e->why[0] = '\0';
	if (path[0] == '\0')
		return;
	e->ops = &analog_iio_ops;
	if ((e->priv = e->ops->open(path)) == NULL) {
		/* Out of memory: as a loop that cannot be read. */
		log_warn("supervision: %s: %s", gate_eol_names[e->which], path);
		gate_eol_apply(e, EOL_UNREADABLE);
		return;
	}
	loop_timer_set(e->g->loop, &e->tick, 0);
}

static void
gate_eol_stop(struct gate_eol *e)
{
	loop_timer_cancel(e->g->loop, &e->tick);
	if (e->priv != NULL)
		e->ops->close(e->priv);
	e->priv = NULL;
}

void
gate_eol_open(struct gate *g)
{
	for (int i = 0; i < GATE_EOL_COUNT; i++) {
		struct gate_eol *e = &g->eol[i];

		*e = (struct gate_eol){ .g = g, .which = i };
		e->tick.cb = gate_eol_tick;
		gate_eol_start(e, &g->cfg);
	}
}

void
gate_eol_close(struct gate *g)
{
	for (int i = 0; i < GATE_EOL_COUNT; i++)
		if (g->eol[i].g != NULL)
			gate_eol_stop(&g->eol[i]);
}

/*
 * New settings: each loop read afresh, its alarms kept until its first
 * state says otherwise.  A loop no longer configured ends what it had
 * raised, as a loop read normal would.
 */
void
gate_eol_reconfigure(struct gate *g)
{
	for (int i = 0; i < GATE_EOL_COUNT; i++) {
		struct gate_eol *e = &g->eol[i];

		gate_eol_stop(e);
		if (gate_eol_path(&g->cfg, i)[0] == '\0')
			gate_eol_apply(e, EOL_NORMAL);
		gate_eol_start(e, &g->cfg);
	}
}

/* The lane forgot its inputs (lane_safe(), GPIO lines reopened): what
 * the loops hold is given to it again. */
void
gate_eol_sync(struct gate *g)
{
	for (int i = 0; i < GATE_EOL_COUNT; i++) {
		struct gate_eol *e = &g->eol[i];

		if (e->g == NULL)
			continue;
		if (e->which == GATE_EOL_FIRE && e->fault)
			lane_hold_exit(&g->lane, true);
		if (e->active)
			gate_eol_feed(e);
	}
}

void
gate_eol_status(const struct gate *g, json_t *status)
{
	json_t *o = NULL;

	for (int i = 0; i < GATE_EOL_COUNT; i++) {
		const struct gate_eol *e = &g->eol[i];

		if (e->g == NULL || gate_eol_path(&g->cfg, i)[0] == '\0')
			continue;
		if (o == NULL && (o = json_object()) == NULL)
			return;
		json_object_set_new(o, gate_eol_names[i], json_pack(
		    "{s:s, s:b, s:o, s:I, s:I}", "state",
		    eol_state_name(e->eol.state), "fault", e->fault, "raw",
		    e->eol.have_raw ? json_integer(e->eol.raw) : json_null(),
		    "readings", (json_int_t)e->readings,
		    "failed", (json_int_t)e->failed));
	}
	if (o != NULL)
		json_object_set_new(status, "supervision", o);
}
