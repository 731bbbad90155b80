/*
 * The decision: known, valid, allowed on this lane this way now?  A pure
 * function of its inputs, so every rule is tested without a camera, a
 * database or a clock.
 */
#ifndef QRGATE_DECIDE_H
#define QRGATE_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "credential.h"
#include "payload.h"
#include "types.h"

struct decide_policy {
	bool kind_enabled[CRED_KIND_COUNT];	/* which kinds this gate takes */
};

struct decide_input {
	int match;			/* payload_parse() result */
	const struct payload *payload;	/* valid when match is PAYLOAD_OK */
	bool too_long;			/* over decoder.max_payload */
	const struct credential *cred;	/* NULL: none stored for it */
	int64_t now_ms;			/* UTC */
	const char *lane;		/* this gate's lane name */
	enum direction dir;		/* the way the code was shown for */
	bool lockdown;			/* the lane is locked by an operator */
	const struct decide_policy *policy;
};

struct decision {
	enum result result;		/* RES_GRANTED or RES_DENIED */
	enum reason reason;
};

/*
 * Applies the rules in a fixed order (too-long, unknown-format, malformed,
 * kind-disabled, lane-locked, unknown, revoked, suspended, not-yet-valid,
 * expired, wrong-lane, wrong-direction, granted): the first that fails is
 * the reason given.
 */
void decide(const struct decide_input *in, struct decision *out);

/*
 * Checks a credential's lanes list against this lane and way.  Returns
 * REASON_GRANTED when allowed, else REASON_WRONG_LANE (no item names this
 * lane) or REASON_WRONG_DIRECTION (the lane is named, but not this way).
 */
enum reason decide_lanes_check(const char *lanes, const char *lane, enum direction dir);

#endif
