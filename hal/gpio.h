/*
 * GPIO backends: the lane's relays, lamps and inputs as named roles.
 * Values here are always logical: 1 means active (a relay energised, a lamp
 * lit, a sensor or alarm asserted), whatever the line's electrical level;
 * active_low is the backend's business.
 */
#ifndef QRGATE_HAL_GPIO_H
#define QRGATE_HAL_GPIO_H

#include <stdbool.h>
#include <stdint.h>

enum gpio_role {
	GPIO_ENTRY_RELAY,	/* output: energised releases the entry way */
	GPIO_EXIT_RELAY,	/* output: energised releases the exit way */
	GPIO_GREEN_LED,		/* output */
	GPIO_RED_LED,		/* output */
	GPIO_BUZZER,		/* output */
	GPIO_PASSAGE_SENSOR,	/* input: active while someone is in the lane */
	GPIO_FIRE_ALARM,	/* input: active while the fire alarm sounds */
	GPIO_EXIT_BUTTON,	/* input: active while pressed */
	GPIO_TAMPER,		/* input: active while the cabinet is open */
	GPIO_WIEGAND_D0,	/* input: a card reader's D0, active in a pulse */
	GPIO_WIEGAND_D1,	/* input: its D1 */
	GPIO_WIEGAND_OUT_D0,	/* output: D0 to a door controller */
	GPIO_WIEGAND_OUT_D1,	/* output: its D1 */
	GPIO_ROLE_COUNT
};

enum gpio_bias { GPIO_BIAS_AS_IS, GPIO_BIAS_DISABLED, GPIO_BIAS_PULL_UP, GPIO_BIAS_PULL_DOWN };

struct gpio_line_config {
	bool used;		/* false: the role is not wired on this gate */
	char chip[64];		/* gpiod: chip name or path; "" = gpio.chip */
	int offset;		/* gpiod: line offset, or -1 to use name */
	char name[64];		/* gpiod: line name, when offset is -1 */
	bool active_low;
	enum gpio_bias bias;	/* inputs only */
	int debounce_us;	/* inputs only; 0 = none */
};

struct gpio_config {
	char chip[64];		/* gpiod: default chip, e.g. "gpiochip0" */
	char sim_log[256];	/* sim: file appended with output changes */
	char sim_input[256];	/* sim: FIFO read for input changes */
	struct gpio_line_config lines[GPIO_ROLE_COUNT];
};

struct gpio_event {
	enum gpio_role role;
	int value;		/* logical, 0 or 1 */
	int64_t ts_ns;		/* CLOCK_MONOTONIC */
};

struct gpio_ops {
	const char *name;

	/*
	 * Requests every used line.  Outputs are requested already inactive,
	 * so a relay is never energised, not even for an instant, by opening.
	 * Returns private state, or NULL with errno set and the reason logged.
	 */
	void *(*open)(const struct gpio_config *cfg);

	/* The fd that becomes readable when input events wait, or -1. */
	int (*fd)(void *priv);

	/* Drives an output.  Returns 0, or -1 with the reason logged. */
	int (*set)(void *priv, enum gpio_role role, int active);

	/* Reads a line's current logical value: 0, 1, or -1 on error. */
	int (*get)(void *priv, enum gpio_role role);

	/*
	 * Takes one pending input event.  Returns 1 with *ev filled, 0 when
	 * none is pending, -1 on error.
	 */
	int (*read_event)(void *priv, struct gpio_event *ev);

	/* Drives every output inactive, then releases the lines. */
	void (*close)(void *priv);
};

extern const struct gpio_ops *const gpio_backends[];
const struct gpio_ops *gpio_find(const char *name);

const char *gpio_role_name(enum gpio_role role);	/* "entry_relay" ... */
int gpio_role_from_name(const char *name);		/* -1 if unknown */
bool gpio_role_is_output(enum gpio_role role);
/*
 * Whether the role's line carries pulses that may be over before the
 * kernel reads the line (a Wiegand reader's are 50 to 100 us).  With
 * both edges asked for, the kernel tells a rising from a falling edge by
 * reading the line when its interrupt thread runs, so a pulse already
 * over is reported as two inactive edges and its bit is lost (seen in
 * the system tier).  Such a line is asked for its active edge alone,
 * which the kernel reports as such however late it reads: one event a
 * pulse, value 1, stamped when the interrupt came.
 */
bool gpio_role_pulse_input(enum gpio_role role);

#endif
