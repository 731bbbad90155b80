/*
 * Wiegand out: a card sent on two GPIO outputs to an existing door
 * controller's reader input, as a reader would send it.
 *
 * How the timing is kept in user space, on the gate's one loop: each
 * pulse starts at an absolute CLOCK_MONOTONIC time from a timerfd, so
 * a late wake-up delays one pulse and never the ones after it; its width
 * (80 us by default) is held by reading the clock until it has passed,
 * since no timer wakes a process that precisely.  A frame of 26 bits
 * costs the loop 26 such waits of a pulse's width, about 2 ms in all,
 * spread over its 52 ms; while it goes out the gate decodes no frame
 * (gate_scan_frame()), the loop's longest work.  A late wake-up stretches an interval, which
 * the interface tolerates (SIA AC-01: 200 us to 20 ms between pulses);
 * a frame that a late wake-up would stretch past the reader's gap is
 * not possible below the 20 ms bound, which the setting keeps to.
 */
#ifndef QRGATE_WIEGAND_OUT_H
#define QRGATE_WIEGAND_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "gpio.h"
#include "loop.h"
#include "wiegand.h"
#include "wiegand_plan.h"

/* After a pulse ends, the least time before the next starts: the
 * interface's shortest interval (200 us) less a pulse. */
#define WIEGAND_OUT_MIN_GAP_NS	INT64_C(120000)

/* Between two cards: well past the 20 ms a receiver may wait between
 * pulses, so that it ends the first frame before the second starts. */
#define WIEGAND_OUT_FRAME_GAP_NS	INT64_C(100000000)

/* Frames waiting while one is sent: a grant per second is the most a
 * lane makes; more is dropped, logged. */
#define WIEGAND_OUT_QUEUE	4

struct wiegand_out {
	struct loop *loop;
	const struct gpio_ops *gpio;
	void *gpio_priv;
	struct wiegand_plan_conf conf;
	struct loop_fd tfd;		/* the timerfd, on the loop */
	struct wiegand_pulse plan[WIEGAND_MAX_BITS];
	unsigned nplan, next;		/* the frame being sent */
	int64_t t0_ns;			/* its first pulse's start */
	struct wiegand_card queue[WIEGAND_OUT_QUEUE];
	unsigned nqueue;
	/* For the status and make bench: how late pulses started. */
	int64_t late_max_ns;
	uint64_t frames, dropped;
};

/* Opens the timerfd on l.  0, or -1 logged. */
int wiegand_out_open(struct wiegand_out *w, struct loop *l,
    const struct wiegand_plan_conf *conf);
/* The lines to drive: the gate's GPIO, after each (re)open. */
void wiegand_out_gpio(struct wiegand_out *w, const struct gpio_ops *gpio,
    void *priv);
/* Sends card (its bits as encoded) after the frames already queued.
 * 0, or -1 if the queue is full (logged). */
int wiegand_out_send(struct wiegand_out *w, const struct wiegand_card *card);
/* Whether a frame is being sent. */
bool wiegand_out_busy(const struct wiegand_out *w);
/* Both lines idle, the queue emptied, the timerfd closed. */
void wiegand_out_close(struct wiegand_out *w);

#endif
