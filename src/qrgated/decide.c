/*
 * The decision rules, in the order decide.h documents.  Every doubtful
 * input (a missing payload or policy, a kind out of range) denies: a gate
 * that cannot tell stays shut.
 */
#include <string.h>

#include "decide.h"
#include "span.h"

/* Rule 15.  One step either way covers a phone's clock skew. */
static bool
decide_not_yet_valid(const struct decide_input *in,
    const struct credential *c, enum cred_kind kind)
{
	if (c->valid_from_ms != 0 && in->now_ms < c->valid_from_ms)
		return true;
	return kind == CRED_DYNAMIC &&
	    (int64_t)in->payload->token.step > in->step_now + 1;
}

/* Rule 16: the credential's end, or the token's own. */
static bool
decide_expired(const struct decide_input *in, const struct credential *c,
    enum cred_kind kind)
{
	const struct token *t = &in->payload->token;

	if (c->valid_until_ms != 0 && in->now_ms >= c->valid_until_ms)
		return true;
	if (kind == CRED_SIGNED)
		return in->now_ms >= t->expires_s * 1000;
	return kind == CRED_DYNAMIC && (int64_t)t->step < in->step_now - 1;
}

/*
 * Rule 20.  Only an entry is ever refused: refusing an exit would trap
 * someone inside.  A last grant later than now (the clock was set back)
 * is not held against the holder.
 */
static bool
decide_passback(const struct decide_input *in)
{
	int64_t since = in->now_ms - in->last_grant_ms;

	if (in->dir != DIR_ENTRY || !in->has_last_grant ||
	    in->last_grant_dir != DIR_ENTRY)
		return false;
	switch (in->policy->antipassback) {
	case APB_HARD:
	case APB_SOFT:
		return true;
	case APB_TIMED:
		return since >= 0 && since < in->policy->antipassback_ms;
	default:
		return false;
	}
}

/*
 * Rule 17b.  Only an entry is refused, for the reason rule 20 gives; an
 * untrusted clock refuses whatever the schedule says, so that no wrong
 * clock opens a closed period.
 */
static enum reason
decide_schedule(const struct decide_input *in)
{
	if (in->schedule == DECIDE_SCHED_NONE || in->dir != DIR_ENTRY)
		return REASON_GRANTED;
	if (!in->clock_synced)
		return REASON_CLOCK_UNSYNCED;
	if (in->schedule != DECIDE_SCHED_OPEN)
		return REASON_OUTSIDE_SCHEDULE;
	return REASON_GRANTED;
}

/* Rules 18 to 22: where, which way, anti-passback, a busy way. */
static enum reason
decide_admit(const struct decide_input *in, const char *lanes, bool *alarm)
{
	enum reason r;

	if ((r = decide_lanes_check(lanes, in->lane, in->dir)) != REASON_GRANTED)
		return r;
	if (decide_passback(in)) {
		if (in->policy->antipassback != APB_SOFT)
			return REASON_ANTI_PASSBACK;
		*alarm = true;
	}
	if (in->lane_busy)
		return REASON_LANE_BUSY;
	return REASON_GRANTED;
}

/*
 * Rules 10 to 22 for a visitor pass: the pass is its own credential.  A
 * row of its kind, when a desk pushed one, can only take it away.
 */
static enum reason
decide_visitor(const struct decide_input *in, bool *alarm)
{
	const struct credential *c = in->cred;
	const struct token *t = &in->payload->token;
	enum reason r;

	if (!in->sig_ok)
		return REASON_BAD_SIGNATURE;
	if (c != NULL && c->kind == CRED_VISITOR) {
		if (c->status == CRED_SUSPENDED)
			return REASON_SUSPENDED;
		if (c->status != CRED_ACTIVE)
			return REASON_REVOKED;
	}
	if (!in->clock_synced)
		return REASON_CLOCK_UNSYNCED;
	if (in->now_ms < t->not_before_s * 1000 - DECIDE_VISITOR_SKEW_MS)
		return REASON_NOT_YET_VALID;
	if (in->now_ms >= t->expires_s * 1000 ||
	    t->expires_s - t->not_before_s > in->policy->visitor_max_s)
		return REASON_EXPIRED;
	if ((r = decide_schedule(in)) != REASON_GRANTED)
		return r;
	return decide_admit(in, t->lanes, alarm);
}

static enum reason
decide_reason(const struct decide_input *in, bool *alarm)
{
	const struct credential *c = in->cred;
	enum policy_accept accept;
	enum cred_kind kind;
	enum reason r;

	if (in->too_long)
		return REASON_TOO_LONG;
	if (in->match == PAYLOAD_MALFORMED)
		return REASON_MALFORMED;
	if (in->match != PAYLOAD_OK || in->payload == NULL)
		return REASON_UNKNOWN_FORMAT;

	kind = in->payload->kind;
	if (in->policy == NULL || kind <= CRED_NONE || kind >= CRED_KIND_COUNT)
		return REASON_KIND_DISABLED;
	accept = in->policy->accept[kind];
	if (accept != ACCEPT_YES && accept != ACCEPT_VISITORS)
		return REASON_KIND_DISABLED;
	if (in->store_failed)
		return REASON_STORE_ERROR;
	if (in->lockdown)
		return REASON_LANE_LOCKED;
	if (in->slowed)
		return REASON_SLOWED;
	if (kind == CRED_VISITOR)
		return decide_visitor(in, alarm);

	/*
	 * A credential of another kind is not this payload's, even with the
	 * same subject: a printed badge carrying a citizen's number must not
	 * open as that citizen's ID card.
	 */
	if (c == NULL || c->kind != kind)
		return REASON_UNKNOWN;
	/*
	 * A code whose number is an enrolled card's but whose name or dates
	 * are not that card's was made up from the number: no card known.
	 */
	if (kind == CRED_CCCD && in->card_mismatch)
		return REASON_UNKNOWN;
	if (accept == ACCEPT_VISITORS && c->role != ROLE_VISITOR)
		return REASON_VISITORS_ONLY;
	if ((kind == CRED_SIGNED || kind == CRED_DYNAMIC) && !in->sig_ok)
		return REASON_BAD_SIGNATURE;
	/* The second factor, where the credential asks for one: its
	 * absence denies, so a reader that cannot take a PIN never lets a
	 * card with one in. */
	if (kind == CRED_CARD && c->pin_hash[0] != '\0' && !in->pin_ok)
		return REASON_PIN_REQUIRED;
	if (c->status == CRED_REVOKED)
		return REASON_REVOKED;
	if (c->status != CRED_ACTIVE && c->status != CRED_SUSPENDED)
		return REASON_REVOKED;	/* a status we do not know */
	if (kind == CRED_SIGNED && in->payload->token.serial != c->serial)
		return REASON_SERIAL_REVOKED;
	if (c->status == CRED_SUSPENDED)
		return REASON_SUSPENDED;
	if (kind == CRED_DYNAMIC && !in->clock_synced &&
	    !in->policy->unsynced_dynamic)
		return REASON_CLOCK_UNSYNCED;
	if (decide_not_yet_valid(in, c, kind))
		return REASON_NOT_YET_VALID;
	if (decide_expired(in, c, kind))
		return REASON_EXPIRED;
	if (kind == CRED_DYNAMIC && in->last_step >= 0 &&
	    (int64_t)in->payload->token.step <= in->last_step)
		return REASON_REPLAYED;
	if ((r = decide_schedule(in)) != REASON_GRANTED)
		return r;
	return decide_admit(in, c->lanes, alarm);
}

void
decide(const struct decide_input *in, struct decision *out)
{
	bool alarm = false;

	out->reason = decide_reason(in, &alarm);
	out->result = out->reason == REASON_GRANTED ? RES_GRANTED : RES_DENIED;
	out->passback_alarm = out->reason == REASON_GRANTED && alarm;
}

void
decide_unlogged(struct decision *d)
{
	if (d->result != RES_GRANTED)
		return;
	d->result = RES_DENIED;
	d->reason = REASON_STORE_ERROR;
	d->passback_alarm = false;
}

static int
decide_span_is(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

/*
 * The list is read in place, item by item, as spans of the caller's
 * string: nothing is copied or written, so no item can be truncated into
 * a different lane name.
 */
enum reason
decide_lanes_check(const char *lanes, const char *lane, enum direction dir)
{
	const char *item = lanes;
	int named = 0;

	if (lanes == NULL || lane == NULL || *lane == '\0' ||
	    (dir != DIR_ENTRY && dir != DIR_EXIT))
		return REASON_WRONG_LANE;

	while (*item != '\0') {
		const char *end = strchr(item, ',');
		const char *colon, *way = NULL;
		size_t n, wn = 0;

		n = end != NULL ? (size_t)(end - item) : strlen(item);
		colon = memchr(item, ':', n);
		if (colon != NULL) {
			way = colon + 1;
			wn = n - (size_t)(way - item);
			n = (size_t)(colon - item);
			span_trim(&way, &wn);
		}
		span_trim(&item, &n);

		if (decide_span_is(item, n, "*") ||
		    decide_span_is(item, n, lane)) {
			if (way == NULL ||
			    decide_span_is(way, wn, direction_name(dir)))
				return REASON_GRANTED;
			named = 1;
		}
		if (end == NULL)
			break;
		item = end + 1;
	}
	return named ? REASON_WRONG_DIRECTION : REASON_WRONG_LANE;
}
