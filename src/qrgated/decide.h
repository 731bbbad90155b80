/*
 * The decision: known, valid, allowed on this lane this way now?  A pure
 * function of its inputs, so every rule is tested without a camera, a
 * database or a clock.
 */
#ifndef QRGATE_DECIDE_H
#define QRGATE_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "credential.h"
#include "payload.h"
#include "types.h"

/*
 * What this lane accepts (the policy.* settings).  enum policy_accept and
 * enum antipassback are config.h's.
 */
struct decide_policy {
	enum policy_accept accept[CRED_KIND_COUNT];	/* per kind */
	bool unsynced_dynamic;		/* dynamic tokens on an unsynced clock */
	enum antipassback antipassback;
	int64_t antipassback_ms;	/* timed: the shortest re-entry */
	int64_t visitor_max_s;		/* the longest visitor pass */
};

/*
 * A stored credential's schedule at the time of the decision, as the gate
 * found it (schedule.h: its own profile, else its group's, evaluated in
 * site.timezone).
 */
enum decide_schedule {
	DECIDE_SCHED_NONE,		/* no schedule: any time */
	DECIDE_SCHED_OPEN,		/* its profile admits now */
	DECIDE_SCHED_CLOSED,		/* it does not, or names a profile
					 * the gate does not hold, or the
					 * time could not be converted */
};

/*
 * How far a visitor pass's not-before may be ahead of the gate's clock:
 * the desk's clock and the gate's differ by a few seconds, and a pass is
 * made to be used at once.
 */
#define DECIDE_VISITOR_SKEW_MS	60000

struct decide_input {
	int match;			/* payload_parse() result */
	const struct payload *payload;	/* valid when match is PAYLOAD_OK */
	bool too_long;			/* over decoder.max_payload */
	const struct credential *cred;	/* NULL: none stored for it */
	int64_t now_ms;			/* UTC: the gate's time, never
					 * below its floor (gatetime.h) */
	const char *lane;		/* this gate's lane name */
	enum direction dir;		/* the way the code was shown for */
	bool lockdown;			/* the lane is locked by an operator */
	const struct decide_policy *policy;

	bool slowed;			/* the code was denied too often */
	bool sig_ok;			/* signed, dynamic, visitor: the
					 * token's signature verified */
	bool pin_ok;			/* card: the credential's PIN was
					 * typed within policy.pin_window_s
					 * and verified (cred_pin_verify());
					 * unused when it has none */
	bool card_mismatch;		/* cccd: the credential has a check
					 * hash the card's other fields do
					 * not match (or no key to check) */
	bool clock_synced;		/* dynamic, visitor, a credential
					 * with a schedule: the clock is
					 * trusted: synchronised and not
					 * behind the time floor */
	enum decide_schedule schedule;	/* the credential's schedule now */
	int64_t step_now;		/* dynamic: the current time step */
	int64_t last_step;		/* dynamic: the highest step already
					 * granted; -1 none */
	bool has_last_grant;		/* the credential's last grant that
					 * was not 'not-passed' ... */
	enum direction last_grant_dir;	/* ... its way */
	int64_t last_grant_ms;		/* ... and time (UTC ms) */

	bool store_failed;		/* the store could not answer the
					 * credential's lookup or its facts
					 * (asked only once rules 1-4 and 7
					 * pass) */
	bool lane_busy;			/* this way is still released for
					 * the one granted before */
};

struct decision {
	enum result result;		/* RES_GRANTED or RES_DENIED */
	enum reason reason;
	bool passback_alarm;		/* soft anti-passback: granted, and the
					 * gate logs an anti-passback alarm
					 * row after the grant */
};

/*
 * Applies the rules in a fixed order; the first that fails is the reason
 * given:
 *
 *  1. too-long		over decoder.max_payload
 *  2. unknown-format	no parser knows the payload
 *  3. malformed		a parser claimed it but found it invalid
 *  4. kind-disabled	policy accepts this kind from nobody
 *  5. store-error	the store could not answer (store_failed): nobody
 *			gets in on a guess.  Before lane-locked because
 *			nothing the lookup would have said can be trusted,
 *			and the gate has always answered so.
 *  6. lane-locked	operator lockdown
 *  7. slowed		the code was denied too often lately (no lookup)
 *  8. unknown		no credential of this kind and subject; cccd:
 *			or one enrolled from another card (card_mismatch).
 *			A visitor pass needs none: its signature, times and
 *			lanes are the credential, and a row of kind visitor
 *			for its id only cancels it (rules 11 and 13)
 *  9. visitors-only	the kind is accepted from visitors, the holder is
 *			staff
 * 10. bad-signature	signed, dynamic, visitor: the signature does not
 *			verify
 * 10b. pin-required	card: the credential has a PIN, and it was not
 *			typed in time or did not match (pin_ok unset).
 *			A card alone is a plain badge: copied as easily
 *			(a 125 kHz card in seconds), so the PIN is what
 *			makes it one person's
 * 11. revoked		(also a status this program does not know)
 * 12. serial-revoked	signed: the token's serial is not the credential's
 * 13. suspended
 * 14. clock-unsynced	dynamic, the clock is not trusted (not
 *			synchronised, or behind the gate's time floor), and
 *			policy does not accept them so (unsynced_dynamic);
 *			visitor: the clock is not trusted, whatever the
 *			policy: the pass's times are all that limits it
 * 15. not-yet-valid	before valid_from; dynamic: a step after the
 *			current one + 1; visitor: before the pass's
 *			not-before less DECIDE_VISITOR_SKEW_MS
 * 16. expired		from valid_until on; signed: from the token's
 *			expiry on; dynamic: a step before the current one - 1;
 *			visitor: from the pass's expiry on, or a pass longer
 *			than visitor_max_s (a validity the site does not
 *			give is not honoured)
 * 17. replayed		dynamic: a step no later than the last granted
 * 17b. outside-schedule	entries only (an exit is never refused, as
 *			with anti-passback): the credential has a schedule
 *			(a visitor's pass: its row's, else the site's
 *			policy.visitor_schedule, as the gate finds it)
 *			and it does not admit now (DECIDE_SCHED_CLOSED: a
 *			profile the gate does not hold closes too).
 *			clock-unsynced instead, whatever the schedule says,
 *			when the clock is not trusted: a clock that may be
 *			wrong must never turn a closed period into an open
 *			one, and the worker and the guard are told the
 *			clock is at fault, not the shift.  A credential
 *			without a schedule is not concerned.  After the
 *			credential's own validity, before where and which
 *			way: a shift says when, the lanes where
 * 18. wrong-lane	the lanes list does not name this lane (a visitor
 *			pass's own list, not its cancelling row's)
 * 19. wrong-direction	... names it, but not this way
 * 20. anti-passback	entries only (an exit is never refused): hard, the
 *			last grant was an entry; timed, an entry within
 *			antipassback_ms.  soft grants, with passback_alarm.
 * 21. lane-busy	everything else grants, but the way is still
 *			released for the one before (lane_busy): people
 *			first, one at a time.  A soft anti-passback alarm
 *			is not raised for a grant that did not happen.
 * 22. granted
 *
 * One more rule cannot be an input: the row of a grant is written before
 * the relay moves (log before relay), and that write is the decision's
 * own, so its failure is known only after decide().  decide_unlogged()
 * maps it.
 */
void decide(const struct decide_input *in, struct decision *out);

/*
 * 23. store-error	the row of decision d could not be written: a grant
 *			that cannot be logged is not a grant, and becomes a
 *			denial (no alarm).  A denial stays as it was, kept
 *			for when the store is back.
 */
void decide_unlogged(struct decision *d);

/*
 * Checks a credential's lanes list against this lane and way.  Returns
 * REASON_GRANTED when allowed, else REASON_WRONG_LANE (no item names this
 * lane) or REASON_WRONG_DIRECTION (the lane is named, but not this way).
 */
enum reason decide_lanes_check(const char *lanes, const char *lane, enum direction dir);

#endif
