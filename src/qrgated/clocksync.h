/*
 * Whether the clock can be trusted for dynamic tokens: the kernel says so
 * (adjtimex(2) answers TIME_ERROR while NTP has not synchronised it), or
 * policy.clock takes it as given.  The kernel is asked at most once a
 * second, however many codes are shown.
 */
#ifndef QRGATE_CLOCKSYNC_H
#define QRGATE_CLOCKSYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct clocksync {
	bool known;		/* the kernel has been asked */
	bool synced;		/* its last answer */
	int64_t asked_ns;	/* when (monotonic) */
	/* Asks the kernel; clocksync_kernel unless a test replaces it. */
	bool (*query)(void);
};

/* True unless adjtimex(2) answers TIME_ERROR or fails (logged once). */
bool clocksync_kernel(void);

/*
 * Whether the clock counts as synchronised now: per source, or the
 * kernel's answer, asked again when the last is a second old.
 */
bool clocksync_get(struct clocksync *c, enum clock_sync_source source,
    int64_t now_ns);

#endif
