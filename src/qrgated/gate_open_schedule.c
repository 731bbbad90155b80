/*
 * Normally-open periods (lane.open_schedule, docs/schedules.md): during a
 * schedule, a shift change say, every way of the lane is held free, as an
 * operator's release holds it, and a row is logged where that starts and
 * ends (open-schedule-on, open-schedule-off), so the log shows who could
 * pass unchecked, and when.  Checked with the clock each second.
 *
 * The schedule obeys the gate's time model: an untrusted clock never
 * opens the lane, and one that loses trust during the period closes it.
 * A lockdown closes it too: an operator who locks the lane means it.  A
 * schedule the gate does not hold, or a store that cannot answer, keeps
 * the lane as a gate that cannot tell should: locked.
 */
#include <string.h>

#include "gate_private.h"
#include "log.h"
#include "schedule.h"
#include "store_schedule.h"

/* Says once, until it changes, why the lane stays locked. */
static bool
gate_open_schedule_no(struct gate *g, int why, const char *fmt)
{
	if (g->open_sched_told != why)
		log_warnx(fmt, g->cfg.lane.open_schedule);
	g->open_sched_told = why;
	return false;
}

/* Whether the lane should be held free now. */
static bool
gate_open_schedule_wanted(struct gate *g)
{
	const char *name = g->cfg.lane.open_schedule;
	struct sched_holidays h;
	struct schedule s;
	bool open = false;
	int r;

	if (name[0] == '\0')
		return false;
	if ((r = store_schedule_get(g->store, name, &s)) != 1)
		return gate_open_schedule_no(g, 1, r == 0 ?
		    "lane.open_schedule: %s is not on this gate: the lane "
		    "stays locked" : "lane.open_schedule: %s could not be "
		    "read: the lane stays locked");
	if (store_holidays_load(g->store, &h) == 0)
		open = schedule_open_at(&s, &h, gate_clock_now(g)) == 1;
	if (!open) {
		g->open_sched_told = 0;
		return false;
	}
	if (!gate_clock_check(g))
		return gate_open_schedule_no(g, 2, "lane.open_schedule: %s "
		    "would open, but the clock is not trusted: the lane "
		    "stays locked");
	if (g->lockdown)
		return gate_open_schedule_no(g, 3, "lane.open_schedule: %s "
		    "would open, but the lane is locked down");
	/* Held free is a grant to whoever comes: none that the log cannot
	 * take, as a code is denied store-error then. */
	if (g->store_alarm)
		return gate_open_schedule_no(g, 4, "lane.open_schedule: %s "
		    "would open, but the log cannot be written: the lane "
		    "stays locked");
	g->open_sched_told = 0;
	return true;
}

/* The row where the period starts or ends: 0, or -1 if only kept. */
static int
gate_open_schedule_row(struct gate *g, bool on, struct event *ev)
{
	gate_event_init(g, ev, EV_ALARM, g->cfg.camera.direction);
	ev->result = RES_ALARM;
	ev->reason = on ? REASON_OPEN_SCHEDULE_ON : REASON_OPEN_SCHEDULE_OFF;
	return gate_event_commit(g, ev);
}

void
gate_open_schedule_tick(struct gate *g)
{
	bool want = gate_open_schedule_wanted(g);
	struct event ev;

	if (want == g->lane.sched_hold)
		return;
	/*
	 * Opening, as a grant, is committed before the ways move, and not
	 * done if its row could not be written: that row is kept for the
	 * journal with an off row after it, so the log never shows a
	 * period open that was not (store_alarm then keeps the lane
	 * locked).  Locking moves the ways first: people before the log.
	 */
	if (want && gate_open_schedule_row(g, true, &ev) == -1) {
		(void)gate_open_schedule_row(g, false, &ev);
		return;
	}
	lane_hold_schedule(&g->lane, want);
	if (!want)
		(void)gate_open_schedule_row(g, false, &ev);
	log_info("lane.open_schedule %s: every way %s [seq %lld]",
	    g->cfg.lane.open_schedule, want ? "held free" : "locked again",
	    (long long)ev.seq);
	gate_screen_lane(g);
}
