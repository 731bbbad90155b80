/*
 * The gate's time (gatetime.h) wired to its store and loop: the floor read
 * at start and written down once a minute while a trusted clock raises it
 * (never on a grant's path), the "clock" alarm checked every second, and
 * the clock's state in the status.
 */
#include <stddef.h>
#include <stdio.h>

#include "clock.h"
#include "gate.h"
#include "gate_private.h"
#include "log.h"
#include "timefmt.h"
#include "util.h"

#define GATE_CLOCK_TICK_MS	1000
#define GATE_FLOOR_KEY		"time_floor_ms"

/* Writes the floor down if a trusted clock raised it.  Failing is logged
 * and tried again at the next tick: the floor in memory still holds. */
static void
gate_clock_save(struct gate *g)
{
	if (!g->time.raised || g->store == NULL)
		return;
	if (store_meta_set(g->store, GATE_FLOOR_KEY, g->time.floor_ms) == -1)
		return;
	g->time.raised = false;
	g->floor_saved_ns = clock_mono_ns();
}

static void
gate_clock_tick(struct loop *l, struct loop_timer *t)
{
	struct gate *g = container_of(t, struct gate, clock_tick);

	gate_clock_check(g);
	gate_open_schedule_tick(g);
	/* The first raise of a run at once, then once a minute. */
	if (g->time.raised && (g->floor_saved_ns == 0 ||
	    clock_mono_ns() - g->floor_saved_ns >=
	    GATETIME_SAVE_MS * 1000000LL))
		gate_clock_save(g);
	loop_timer_set(l, t, GATE_CLOCK_TICK_MS);
}

int
gate_clock_open(struct gate *g)
{
	int64_t saved = 0, newest = 0;
	char when[TIMEFMT_LEN];

	if (store_meta_get(g->store, GATE_FLOOR_KEY, &saved) == -1 ||
	    store_event_newest_ts(g->store, &newest) == -1)
		return -1;
	gatetime_init(&g->time, gatetime_floor_start(saved, newest));
	g->floor_saved_ns = 0;
	if (g->time.floor_ms > 0)
		log_info("clock: time floor %s (%s); the gate's time never "
		    "goes below it", timefmt_format(g->time.floor_ms, when,
		    sizeof(when)), saved > 0 ? "written down" :
		    "the newest log row");
	g->clock_tick.cb = gate_clock_tick;
	/* The first check from the loop, once an uplink is attached to
	 * hear of the alarm. */
	loop_timer_set(g->loop, &g->clock_tick, 0);
	return 0;
}

void
gate_clock_close(struct gate *g)
{
	loop_timer_cancel(g->loop, &g->clock_tick);
	gate_clock_save(g);
}

int64_t
gate_clock_now(const struct gate *g)
{
	return gatetime_now(&g->time, clock_utc_ms());
}

int64_t
gate_clock_floor(const struct gate *g)
{
	return g->time.floor_ms;
}

/* Raises or clears the one "clock" alarm, once each way. */
static void
gate_clock_alarm(struct gate *g, bool active)
{
	const char *why = gatetime_why(&g->time);

	if (g->clock_alarm == active)
		return;
	g->clock_alarm = active;
	if (active)
		log_warnx("clock %s: dynamic tokens are denied clock-unsynced, "
		    "the time floor stays, retention waits", why);
	else
		log_info("clock synchronised again");
	gate_uplink_alarm(g, "clock", active, active ? why :
	    "synchronised again");
}

bool
gate_clock_check(struct gate *g)
{
	bool synced = clocksync_get(&g->clock, g->cfg.policy.clock,
	    clock_mono_ns());
	bool trusted = gatetime_observe(&g->time, clock_utc_ms(), synced);

	gate_clock_alarm(g, !trusted);
	return trusted;
}

void
gate_clock_status(const struct gate *g, json_t *status)
{
	json_object_set_new(status, "clock", json_pack("{s:b, s:b, s:b, s:I, "
	    "s:I}", "synced", g->time.synced, "behind_floor", g->time.behind,
	    "trusted", gatetime_trusted(&g->time),
	    "floor_ms", (json_int_t)g->time.floor_ms,
	    "now_ms", (json_int_t)gate_clock_now(g)));
}
