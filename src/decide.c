/*
 * The decision rules, in the order decide.h documents.  Every doubtful
 * input (a missing payload or policy, a kind out of range) denies: a gate
 * that cannot tell stays shut.
 */
#include <string.h>

#include "decide.h"

static void
decide_set(struct decision *out, enum reason reason)
{
	out->result = reason == REASON_GRANTED ? RES_GRANTED : RES_DENIED;
	out->reason = reason;
}

static enum reason
decide_reason(const struct decide_input *in)
{
	const struct credential *c = in->cred;
	enum cred_kind kind;

	if (in->too_long)
		return REASON_TOO_LONG;
	if (in->match == PAYLOAD_MALFORMED)
		return REASON_MALFORMED;
	if (in->match != PAYLOAD_OK || in->payload == NULL)
		return REASON_UNKNOWN_FORMAT;

	kind = in->payload->kind;
	if (in->policy == NULL || kind <= CRED_NONE || kind >= CRED_KIND_COUNT ||
	    !in->policy->kind_enabled[kind])
		return REASON_KIND_DISABLED;
	if (in->lockdown)
		return REASON_LANE_LOCKED;

	/*
	 * A credential of another kind is not this payload's, even with the
	 * same subject: a printed badge carrying a citizen's number must not
	 * open as that citizen's ID card.
	 */
	if (c == NULL || c->kind != kind)
		return REASON_UNKNOWN;
	if (c->status == CRED_REVOKED)
		return REASON_REVOKED;
	if (c->status == CRED_SUSPENDED)
		return REASON_SUSPENDED;
	if (c->status != CRED_ACTIVE)
		return REASON_REVOKED;	/* a status we do not know */
	if (c->valid_from_ms != 0 && in->now_ms < c->valid_from_ms)
		return REASON_NOT_YET_VALID;
	if (c->valid_until_ms != 0 && in->now_ms >= c->valid_until_ms)
		return REASON_EXPIRED;
	return decide_lanes_check(c->lanes, in->lane, in->dir);
}

void
decide(const struct decide_input *in, struct decision *out)
{
	decide_set(out, decide_reason(in));
}

/* Trims spaces and tabs from both ends of [*p, *p + *n). */
static void
decide_trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
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
			decide_trim(&way, &wn);
		}
		decide_trim(&item, &n);

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
