/*
 * Private to the libgpiod 1.6 backend: a thread that reads the edges of
 * the pulse inputs (a Wiegand reader's D0 and D1) as they come, for the
 * loop to take later.
 *
 * Why a thread: the 1.6 API asks the kernel's v1 line-event interface,
 * which keeps 16 edges a line and drops the newest after that.  A 26-bit
 * card carries up to 26 pulses on one wire at 1 to 2 ms, and the loop can
 * be busy longer than 32 ms (a camera frame being decoded), so a card
 * read by the loop alone comes in short.  libgpiod 2 asks the v2
 * interface for a buffer of 1024 (gpio_gpiod_v2.c) and needs none of this.
 */
#ifndef QRGATE_HAL_GPIO_GPIOD_PUMP_H
#define QRGATE_HAL_GPIO_GPIOD_PUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "gpio.h"

/* Edges kept for the loop: a second of a reader's pulses at 1 ms, many
 * cards. */
#define GPIO_GPIOD_PUMP_EDGES	1024

struct gpio_gpiod_pump;

struct gpio_gpiod_pump_edge {
	enum gpio_role role;
	bool rising;
	int64_t ts_ns;		/* the kernel's timestamp */
};

/*
 * Starts the thread on the event fds of the roles whose fds[r] is not -1
 * (it reads them; the caller keeps them open until the stop).  NULL, with
 * the reason logged, on failure.
 */
struct gpio_gpiod_pump *gpio_gpiod_pump_start(const int fds[GPIO_ROLE_COUNT]);

/* Readable while edges wait: the fd for the loop's epoll set. */
int gpio_gpiod_pump_fd(const struct gpio_gpiod_pump *p);

/*
 * Takes the oldest edge: 1 with *e filled, 0 when none waits, -1 if the
 * thread has failed (logged).  Edges dropped because the loop let
 * GPIO_GPIOD_PUMP_EDGES pile up are counted in *lost (reset by the call).
 */
int gpio_gpiod_pump_take(struct gpio_gpiod_pump *p,
    struct gpio_gpiod_pump_edge *e, unsigned *lost);

/* Ends the thread and frees what the start made; NULL is a no-op. */
void gpio_gpiod_pump_stop(struct gpio_gpiod_pump *p);

#endif /* QRGATE_HAL_GPIO_GPIOD_PUMP_H */
