#include "eol.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const eol_state_names[EOL_STATE_COUNT] = {
	"unknown", "normal", "active", "short", "open", "unreadable",
};

const char *
eol_state_name(enum eol_state s)
{
	return (s >= 0 && s < EOL_STATE_COUNT) ? eol_state_names[s] : "?";
}

bool
eol_state_fault(enum eol_state s)
{
	return s == EOL_SHORT || s == EOL_OPEN || s == EOL_UNREADABLE;
}

void
eol_init(struct eol *e, const struct eol_levels *lv, int samples)
{
	*e = (struct eol){
		.lv = *lv,
		.samples = samples < 1 ? 1 : samples,
		.state = EOL_UNKNOWN,
		.seen = EOL_UNKNOWN,
	};
}

enum eol_state
eol_classify(const struct eol_levels *lv, int32_t raw)
{
	if (raw < lv->short_below)
		return EOL_SHORT;
	if (raw < lv->normal_below)
		return EOL_NORMAL;
	if (raw < lv->active_below)
		return EOL_ACTIVE;
	return EOL_OPEN;
}

bool
eol_sample(struct eol *e, bool ok, int32_t raw)
{
	enum eol_state s = ok ? eol_classify(&e->lv, raw) : EOL_UNREADABLE;

	if (ok) {
		e->raw = raw;
		e->have_raw = true;
	}
	if (s != e->seen) {
		e->seen = s;
		e->run = 0;
	}
	/* Capped: a loop read for years must not wrap the count. */
	if (e->run < e->samples)
		e->run++;
	if (e->run < e->samples || s == e->state)
		return false;
	e->state = s;
	return true;
}

/* One integer of a list, and where the next begins. */
static int
eol_levels_next(const char **p, int32_t *v)
{
	char *end;
	long n;

	*p += strspn(*p, " \t,");
	errno = 0;
	n = strtol(*p, &end, 10);
	if (end == *p || errno != 0 || n < INT32_MIN || n > INT32_MAX ||
	    (*end != '\0' && strchr(" \t,", *end) == NULL))
		return -1;
	*v = (int32_t)n;
	*p = end;
	return 0;
}

int
eol_levels_parse(const char *s, struct eol_levels *lv, char *msg,
    size_t msglen)
{
	const char *p = s;
	struct eol_levels l;

	if (eol_levels_next(&p, &l.short_below) == -1 ||
	    eol_levels_next(&p, &l.normal_below) == -1 ||
	    eol_levels_next(&p, &l.active_below) == -1 ||
	    p[strspn(p, " \t,")] != '\0') {
		snprintf(msg, msglen, "\"%.64s\": three whole numbers expected "
		    "(short, normal and active thresholds in raw ADC units)",
		    s);
		return -1;
	}
	if (!(l.short_below < l.normal_below &&
	    l.normal_below < l.active_below)) {
		snprintf(msg, msglen, "%d %d %d: the thresholds must increase "
		    "(short below the first, normal below the second, active "
		    "below the third, open from it up)", (int)l.short_below,
		    (int)l.normal_below, (int)l.active_below);
		return -1;
	}
	*lv = l;
	return 0;
}
