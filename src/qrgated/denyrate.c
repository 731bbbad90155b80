/*
 * Repeated-denial counting (denyrate.h).  The table is small and scanned
 * whole: 64 slots of a few dozen bytes, once per denial.
 */
#include <string.h>

#include "denyrate.h"

#define NS_PER_S	1000000000LL

void
denyrate_configure(struct denyrate *d, int window_s, int code_max,
    int lane_max, int slow_s)
{
	d->window_ns = (window_s > 0 ? window_s : 1) * NS_PER_S;
	d->slow_ns = (slow_s > 0 ? slow_s : 0) * NS_PER_S;
	d->code_max = code_max > 0 ? (uint32_t)code_max : 0;
	d->lane_max = lane_max > 0 ? (uint32_t)lane_max : 0;
}

static struct denyrate_code *
denyrate_find(const struct denyrate *d, const uint8_t fp[DENYRATE_FP])
{
	for (int i = 0; i < DENYRATE_SLOTS; i++)
		if (d->code[i].used &&
		    memcmp(d->code[i].fp, fp, DENYRATE_FP) == 0)
			return (struct denyrate_code *)&d->code[i];
	return NULL;
}

bool
denyrate_slowed(const struct denyrate *d, const uint8_t fp[DENYRATE_FP],
    int64_t now_ns)
{
	const struct denyrate_code *c = denyrate_find(d, fp);

	return c != NULL && now_ns < c->slowed_until_ns;
}

/* A free slot, else the one denied longest ago. */
static struct denyrate_code *
denyrate_slot(struct denyrate *d, const uint8_t fp[DENYRATE_FP], bool *fresh)
{
	struct denyrate_code *c, *oldest = &d->code[0];

	*fresh = false;
	if ((c = denyrate_find(d, fp)) != NULL)
		return c;
	*fresh = true;
	for (int i = 0; i < DENYRATE_SLOTS; i++) {
		c = &d->code[i];
		if (!c->used) {
			oldest = c;
			break;
		}
		if (c->last_ns < oldest->last_ns)
			oldest = c;
	}
	memset(oldest, 0, sizeof(*oldest));
	memcpy(oldest->fp, fp, DENYRATE_FP);
	oldest->used = true;
	return oldest;
}

/*
 * Counts one into a window starting at *start; returns true when the
 * count reaches max for the first time in the window.
 */
static bool
denyrate_window_add(const struct denyrate *d, int64_t *start, uint32_t *count,
    bool *alarmed, bool fresh, uint32_t max, int64_t now_ns)
{
	if (fresh || now_ns - *start >= d->window_ns || now_ns < *start) {
		*start = now_ns;
		*count = 0;
		*alarmed = false;
	}
	if (*count < UINT32_MAX)
		(*count)++;
	if (max == 0 || *alarmed || *count < max)
		return false;
	*alarmed = true;
	return true;
}

int
denyrate_count(struct denyrate *d, const uint8_t fp[DENYRATE_FP],
    int64_t now_ns)
{
	struct denyrate_code *c;
	int ret = 0;
	bool fresh;

	if (denyrate_window_add(d, &d->lane_window_ns, &d->lane_count,
	    &d->lane_alarmed, !d->lane_used, d->lane_max, now_ns))
		ret |= DENYRATE_LANE_ALARM;
	d->lane_used = true;

	c = denyrate_slot(d, fp, &fresh);
	c->last_ns = now_ns;
	/* A slowed code has had its alarm: it counts again once free. */
	if (now_ns < c->slowed_until_ns)
		return ret;
	if (denyrate_window_add(d, &c->window_ns, &c->count, &c->alarmed,
	    fresh, d->code_max, now_ns)) {
		c->slowed_until_ns = now_ns + d->slow_ns;
		ret |= DENYRATE_CODE_ALARM;
	}
	return ret;
}
