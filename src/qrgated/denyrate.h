/*
 * Repeated denials: a code shown again and again (someone trying copies,
 * or a broken badge) and a lane denying much more than usual.  Counted in
 * a fixed table that never allocates, over windows of policy.deny_window_s
 * that start at the first denial they count (a tumbling window: cheap,
 * and at most twice as lenient as a sliding one).
 *
 * At deny_code_max denials of one code in its window the code raises one
 * alarm and is slowed for deny_slow_s: denied "slowed" without a lookup.
 * At deny_lane_max denials on the lane in the lane's window, one alarm for
 * that window.  Times are the caller's monotonic ns, so tests need no
 * clock.
 */
#ifndef QRGATE_DENYRATE_H
#define QRGATE_DENYRATE_H

#include <stdbool.h>
#include <stdint.h>

#define DENYRATE_FP	8	/* bytes of a code's fingerprint */
#define DENYRATE_SLOTS	64	/* codes tracked at once */

struct denyrate_code {
	uint8_t fp[DENYRATE_FP];
	bool used;
	bool alarmed;		/* this window's alarm is raised */
	uint32_t count;		/* denials in the window */
	int64_t window_ns;	/* when the window started */
	int64_t last_ns;	/* the latest denial: the oldest is evicted */
	int64_t slowed_until_ns;
};

struct denyrate {
	int64_t window_ns;
	int64_t slow_ns;
	uint32_t code_max;	/* 0: off */
	uint32_t lane_max;	/* 0: off */
	struct denyrate_code code[DENYRATE_SLOTS];
	uint32_t lane_count;
	int64_t lane_window_ns;
	bool lane_used;
	bool lane_alarmed;
};

/* What denyrate_count() asks the gate to log. */
#define DENYRATE_CODE_ALARM	0x1
#define DENYRATE_LANE_ALARM	0x2

/* New limits, keeping what was counted (a config reload). */
void denyrate_configure(struct denyrate *d, int window_s, int code_max,
    int lane_max, int slow_s);

/* True while the code fp is slowed. */
bool denyrate_slowed(const struct denyrate *d, const uint8_t fp[DENYRATE_FP],
    int64_t now_ns);

/*
 * Counts one denial of code fp.  Returns DENYRATE_CODE_ALARM when this
 * denial reaches deny_code_max (the code is slowed from now on) and/or
 * DENYRATE_LANE_ALARM when it reaches deny_lane_max; each at most once a
 * window.  A denial of a slowed code counts for the lane only.
 */
int denyrate_count(struct denyrate *d, const uint8_t fp[DENYRATE_FP],
    int64_t now_ns);

#endif
