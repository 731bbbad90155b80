#include "lane.h"

#include <stddef.h>

#include "log.h"
#include "util.h"

static const enum gpio_role way_relay[DIR_COUNT] = {
	[DIR_ENTRY] = GPIO_ENTRY_RELAY,
	[DIR_EXIT] = GPIO_EXIT_RELAY,
};

const char *
way_state_name(enum way_state s)
{
	switch (s) {
	case WAY_LOCKED:
		return "locked";
	case WAY_RELEASED:
		return "released";
	case WAY_FREE:
		return "free";
	}
	return "?";
}

static int
lane_output(struct lane *ln, enum gpio_role role, int active)
{
	return ln->gpio->set(ln->gpio_priv, role, active);
}

/* Green shows while any way is open to pass, for a grant or the alarm. */
static void
lane_green_update(struct lane *ln)
{
	int open = 0;

	for (int d = 0; d < DIR_COUNT; d++)
		if (ln->way[d].state != WAY_LOCKED)
			open = 1;
	lane_output(ln, GPIO_GREEN_LED, open);
}

/* Locks a released way and reports how its passage ended. */
static void
lane_way_finish(struct lane_way *w, enum passage p)
{
	struct lane *ln = w->lane;
	int64_t seq = w->seq;

	loop_timer_cancel(ln->loop, &w->window);
	w->state = WAY_LOCKED;
	w->seq = 0;
	w->entered = false;
	if (lane_output(ln, way_relay[w->dir], 0) == -1)
		log_warnx("lane: %s relay did not drop", direction_name(w->dir));
	lane_green_update(ln);
	if (ln->hooks.passage != NULL)
		ln->hooks.passage(ln->hooks.arg, w->dir, seq, p);
}

static void
lane_window_expired(struct loop *l, struct loop_timer *t)
{
	struct lane_way *w = container_of(t, struct lane_way, window);
	enum passage p;

	(void)l;
	if (w->entered)
		p = PASSAGE_PASSED;
	else if (w->lane->p.have_sensor)
		p = PASSAGE_NOT_PASSED;
	else
		p = PASSAGE_UNSENSED;
	lane_way_finish(w, p);
}

static void
lane_red_off(struct loop *l, struct loop_timer *t)
{
	struct lane *ln = container_of(t, struct lane, red_off);

	(void)l;
	lane_output(ln, GPIO_RED_LED, 0);
}

static void
lane_buzzer_off(struct loop *l, struct loop_timer *t)
{
	struct lane *ln = container_of(t, struct lane, buzzer_off);

	(void)l;
	lane_output(ln, GPIO_BUZZER, 0);
}

static void
lane_held_open(struct loop *l, struct loop_timer *t)
{
	struct lane *ln = container_of(t, struct lane, held_open);

	(void)l;
	if (ln->hooks.alarm != NULL)
		ln->hooks.alarm(ln->hooks.arg, REASON_HELD_OPEN);
}

void
lane_init(struct lane *ln, struct loop *l, const struct gpio_ops *gpio,
    void *gpio_priv, const struct lane_params *p, const struct lane_hooks *h)
{
	*ln = (struct lane){
		.loop = l, .gpio = gpio, .gpio_priv = gpio_priv,
		.p = *p, .hooks = *h,
	};
	for (int d = 0; d < DIR_COUNT; d++) {
		ln->way[d].lane = ln;
		ln->way[d].dir = d;
		ln->way[d].state = WAY_LOCKED;
		ln->way[d].window.cb = lane_window_expired;
	}
	ln->held_open.cb = lane_held_open;
	ln->red_off.cb = lane_red_off;
	ln->buzzer_off.cb = lane_buzzer_off;
}

void
lane_params_set(struct lane *ln, const struct lane_params *p)
{
	ln->p = *p;
}

void
lane_gpio_set(struct lane *ln, const struct gpio_ops *gpio, void *gpio_priv)
{
	ln->gpio = gpio;
	ln->gpio_priv = gpio_priv;
}

bool
lane_way_enabled(const struct lane *ln, enum direction dir)
{
	return ln->p.way_enabled[dir];
}

bool
lane_way_busy(const struct lane *ln, enum direction dir)
{
	return ln->way[dir].state == WAY_RELEASED;
}

int
lane_release(struct lane *ln, enum direction dir, int64_t seq)
{
	struct lane_way *w = &ln->way[dir];

	if (!ln->p.way_enabled[dir] || w->state == WAY_RELEASED)
		return -1;
	if (w->state == WAY_FREE) {
		/* The fire alarm holds the way open already: nothing to move,
		 * and nobody can be held to one passage. */
		if (ln->hooks.passage != NULL)
			ln->hooks.passage(ln->hooks.arg, dir, seq, PASSAGE_UNSENSED);
		return 0;
	}
	if (lane_output(ln, way_relay[dir], 1) == -1) {
		lane_output(ln, way_relay[dir], 0);
		return -1;
	}
	w->state = WAY_RELEASED;
	w->seq = seq;
	w->entered = false;
	loop_timer_set(ln->loop, &w->window, ln->p.pulse_ms);
	lane_green_update(ln);
	return 0;
}

void
lane_deny(struct lane *ln)
{
	if (ln->p.deny_ms > 0) {
		lane_output(ln, GPIO_RED_LED, 1);
		loop_timer_set(ln->loop, &ln->red_off, ln->p.deny_ms);
	}
	if (ln->p.buzzer_ms > 0) {
		lane_output(ln, GPIO_BUZZER, 1);
		loop_timer_set(ln->loop, &ln->buzzer_off, ln->p.buzzer_ms);
	}
}

/* Whether something holds every way free: the fire alarm, an operator,
 * a normally-open period. */
static bool
lane_all_held(const struct lane *ln)
{
	return ln->fire || ln->hold || ln->sched_hold;
}

/* Frees every enabled way while the fire alarm, an operator's hold or a
 * normally-open period wants it, and the exit while the fire loop is
 * faulty, and locks them again once nothing does. */
static void
lane_free_update(struct lane *ln)
{
	for (int d = 0; d < DIR_COUNT; d++) {
		struct lane_way *w = &ln->way[d];
		bool on = lane_all_held(ln) ||
		    (d == DIR_EXIT && ln->exit_hold);

		if (!ln->p.way_enabled[d])
			continue;
		if (on && w->state != WAY_FREE) {
			int64_t seq = w->seq;
			bool was_released = w->state == WAY_RELEASED;

			/* People first: the relay is driven before anything
			 * is logged, and a released way stays energised. */
			lane_output(ln, way_relay[d], 1);
			loop_timer_cancel(ln->loop, &w->window);
			w->state = WAY_FREE;
			w->seq = 0;
			if (was_released && ln->hooks.passage != NULL)
				ln->hooks.passage(ln->hooks.arg, w->dir, seq,
				    w->entered ? PASSAGE_PASSED : PASSAGE_UNSENSED);
			w->entered = false;
		} else if (!on && w->state == WAY_FREE) {
			lane_output(ln, way_relay[d], 0);
			w->state = WAY_LOCKED;
		}
	}
	lane_green_update(ln);
}

static void
lane_fire(struct lane *ln, bool on)
{
	if (on == ln->fire)
		return;
	ln->fire = on;
	lane_free_update(ln);
	if (ln->hooks.alarm != NULL)
		ln->hooks.alarm(ln->hooks.arg, on ? REASON_FIRE_ALARM_ON : REASON_FIRE_ALARM_OFF);
}

void
lane_hold(struct lane *ln, bool on)
{
	if (on == ln->hold)
		return;
	ln->hold = on;
	lane_free_update(ln);
}

void
lane_hold_schedule(struct lane *ln, bool on)
{
	if (on == ln->sched_hold)
		return;
	ln->sched_hold = on;
	lane_free_update(ln);
}

void
lane_hold_exit(struct lane *ln, bool on)
{
	if (on == ln->exit_hold)
		return;
	ln->exit_hold = on;
	lane_free_update(ln);
}

/* The sensor went active: someone entered a released way, or forced it. */
static void
lane_sensor(struct lane *ln, bool active)
{
	if (active == ln->sensor)
		return;
	ln->sensor = active;
	if (!active) {
		loop_timer_cancel(ln->loop, &ln->held_open);
		/* The person cleared the lane: lock the way they used. */
		for (int d = 0; d < DIR_COUNT; d++)
			if (ln->way[d].state == WAY_RELEASED && ln->way[d].entered) {
				lane_way_finish(&ln->way[d], PASSAGE_PASSED);
				break;
			}
		return;
	}
	loop_timer_set(ln->loop, &ln->held_open, (int64_t)ln->p.held_open_s * 1000);
	/* With a way free the sensor cannot tell a passage through it from
	 * one forced through the other. */
	if (lane_all_held(ln) ||
	    (ln->exit_hold && ln->p.way_enabled[DIR_EXIT]))
		return;
	for (int d = 0; d < DIR_COUNT; d++)
		if (ln->way[d].state == WAY_RELEASED && !ln->way[d].entered) {
			ln->way[d].entered = true;
			return;
		}
	if (ln->hooks.alarm != NULL)
		ln->hooks.alarm(ln->hooks.arg, REASON_FORCED);
}

void
lane_input(struct lane *ln, const struct gpio_event *ev)
{
	switch (ev->role) {
	case GPIO_FIRE_ALARM:
		lane_fire(ln, ev->value != 0);
		break;
	case GPIO_PASSAGE_SENSOR:
		lane_sensor(ln, ev->value != 0);
		break;
	case GPIO_EXIT_BUTTON:
		if (ev->value != 0 && ln->hooks.button != NULL)
			ln->hooks.button(ln->hooks.arg);
		break;
	default:
		log_warnx("lane: event on output line %s ignored", gpio_role_name(ev->role));
		break;
	}
}

void
lane_safe(struct lane *ln)
{
	for (int d = 0; d < DIR_COUNT; d++) {
		loop_timer_cancel(ln->loop, &ln->way[d].window);
		ln->way[d].state = WAY_LOCKED;
	}
	loop_timer_cancel(ln->loop, &ln->held_open);
	loop_timer_cancel(ln->loop, &ln->red_off);
	loop_timer_cancel(ln->loop, &ln->buzzer_off);
	/* Forget the inputs too: whoever reopens the lines feeds their
	 * current state again, and an alarm still sounding frees the ways. */
	ln->fire = false;
	ln->hold = false;
	ln->sched_hold = false;
	ln->exit_hold = false;
	ln->sensor = false;
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		if (gpio_role_is_output(r))
			lane_output(ln, r, 0);
}
