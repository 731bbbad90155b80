/*
 * clock.h: the two clocks the tree reads.  Apart from the event loop so
 * that a program that only reads a clock (qrgatectl) does not link the
 * loop.
 */
#ifndef QRGATE_CLOCK_H
#define QRGATE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds: deadlines and durations. */
int64_t clock_mono_ns(void);
/* CLOCK_REALTIME in milliseconds since the epoch: what a record says. */
int64_t clock_utc_ms(void);

#endif
