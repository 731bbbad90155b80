/*
 * The Wiegand output planner: a frame turned into the pulses that send
 * it, each a line (0: D0 for a 0, 1: D1 for a 1) pulled low from its
 * start for the pulse width.  Pulses start one interval apart, start to
 * start, the first at offset 0.  The output backend keeps the times.
 */
#ifndef QRGATE_WIEGAND_PLAN_H
#define QRGATE_WIEGAND_PLAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * The defaults: within the 50-100 us pulse width and 1-2 ms interval
 * readers and controllers use (the interface allows 20-100 us and 200 us
 * to 20 ms), at the middle of the width so that a pulse held longer or
 * cut shorter by user-space timing still reads, and at the long end of
 * the interval so that the gap between pulses dwarfs that jitter.
 */
#define WIEGAND_PULSE_NS_DEFAULT	INT64_C(80000)
#define WIEGAND_INTERVAL_NS_DEFAULT	INT64_C(2000000)

/* A second: far past the interface's 20 ms, and a bound on the plan's
 * times. */
#define WIEGAND_INTERVAL_NS_MAX		INT64_C(1000000000)

struct wiegand_plan_conf {
	int64_t pulse_ns;	/* how long a line is held low */
	int64_t interval_ns;	/* from one pulse's start to the next's */
};

struct wiegand_pulse {
	int line;		/* 0: D0, 1: D1 */
	int64_t start_ns;	/* from the first pulse's start */
};

void wiegand_plan_conf_default(struct wiegand_plan_conf *conf);

/*
 * The pulses of nbits bits (packed as in wiegand.h) into out, which
 * holds outlen.  Returns nbits, or -1 if nbits is 0 or over
 * WIEGAND_MAX_BITS, out is too small, or conf is not sensible (a pulse
 * not positive or not shorter than the interval, an interval over
 * WIEGAND_INTERVAL_NS_MAX).
 */
int wiegand_plan(const uint8_t *bits, unsigned nbits,
    const struct wiegand_plan_conf *conf, struct wiegand_pulse *out,
    size_t outlen);

/* How long sending nbits takes, to the end of the last pulse. */
int64_t wiegand_plan_duration(unsigned nbits,
    const struct wiegand_plan_conf *conf);

#endif
