/*
 * The lane: one physical passage with up to two ways (entry, exit), each
 * with its own relay.  A way is locked until a grant releases it; it locks
 * again when the passage sensor reports that someone went through, or when
 * its window (lane.pulse_ms) closes.  The fire alarm frees every way while
 * it is active.  The lane drives the outputs and reads the inputs; what is
 * logged is the gate's business, reached through struct lane_hooks.
 */
#ifndef QRGATE_LANE_H
#define QRGATE_LANE_H

#include <stdbool.h>
#include <stdint.h>

#include "gpio.h"
#include "loop.h"
#include "types.h"

struct lane_params {
	bool way_enabled[DIR_COUNT];
	int pulse_ms;
	int deny_ms;
	int buzzer_ms;
	int held_open_s;
	bool have_sensor;	/* a passage sensor is wired */
};

struct lane_hooks {
	/* A released way ended: passed, not-passed or unsensed. */
	void (*passage)(void *arg, enum direction dir, int64_t seq, enum passage p);
	/* Something to log: fire alarm on/off, forced, held-open. */
	void (*alarm)(void *arg, enum reason reason);
	/* The exit button was pressed. */
	void (*button)(void *arg);
	void *arg;
};

enum way_state { WAY_LOCKED, WAY_RELEASED, WAY_FREE };

struct lane;

struct lane_way {
	struct lane *lane;
	enum direction dir;
	enum way_state state;
	int64_t seq;		/* log row of the grant being passed */
	bool entered;		/* the sensor saw someone since release */
	struct loop_timer window;
};

struct lane {
	struct loop *loop;
	const struct gpio_ops *gpio;
	void *gpio_priv;
	struct lane_params p;
	struct lane_hooks hooks;
	struct lane_way way[DIR_COUNT];
	bool fire;		/* the fire alarm is active */
	bool hold;		/* an operator holds every way free */
	bool sched_hold;	/* lane.open_schedule holds every way free */
	bool exit_hold;		/* the exit way is held free: the fire
				 * loop cannot be seen (gate_eol.c) */
	bool sensor;		/* the passage sensor is active */
	struct loop_timer held_open;
	struct loop_timer red_off;
	struct loop_timer buzzer_off;
};

void lane_init(struct lane *ln, struct loop *l, const struct gpio_ops *gpio,
    void *gpio_priv, const struct lane_params *p, const struct lane_hooks *h);
/* Takes new timings and ways (a config reload); released ways finish. */
void lane_params_set(struct lane *ln, const struct lane_params *p);
/* Swaps the GPIO backend (a config reload reopened it). */
void lane_gpio_set(struct lane *ln, const struct gpio_ops *gpio, void *gpio_priv);

/* True when dir is enabled on this lane. */
bool lane_way_enabled(const struct lane *ln, enum direction dir);
/* True when dir is released for someone who has not passed yet. */
bool lane_way_busy(const struct lane *ln, enum direction dir);

/*
 * Releases dir for one passage, for the grant logged as row seq.  The
 * caller has already committed that row.  Returns 0, or -1 if the relay
 * could not be driven (the way stays locked).
 */
int lane_release(struct lane *ln, enum direction dir, int64_t seq);

/*
 * Holds every enabled way free, as the fire alarm does, until called
 * with false (an operator's release command).  The ways lock again only
 * when neither the hold nor the fire alarm wants them free.
 */
void lane_hold(struct lane *ln, bool on);

/* The same for lane.open_schedule, apart from an operator's hold, so that
 * neither ends the other's. */
void lane_hold_schedule(struct lane *ln, bool on);

/*
 * Holds the exit way alone free, until called with false: while the
 * fire alarm's supervised loop is faulty the gate cannot know there is
 * no fire, and an exit must never be what holds someone in.  The entry
 * way is left as it is.
 */
void lane_hold_exit(struct lane *ln, bool on);

/* Shows a denial: red lamp and buzzer. */
void lane_deny(struct lane *ln);

/* Feeds one input event from the GPIO backend. */
void lane_input(struct lane *ln, const struct gpio_event *ev);

/*
 * Puts every output in its safe state (relays de-energised, lamps off) and
 * cancels every timer, without telling the hooks.  For shutdown and faults.
 */
void lane_safe(struct lane *ln);

const char *way_state_name(enum way_state s);

#endif
