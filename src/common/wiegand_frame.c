/*
 * Edges into frames.  Each check looks at one edge and the one before
 * it, so the assembler holds nothing but the frame being gathered.
 */
#include <limits.h>
#include <string.h>

#include "wiegand_frame.h"

void
wiegand_frame_conf_default(struct wiegand_frame_conf *conf)
{
	conf->gap_ns = WIEGAND_GAP_NS_DEFAULT;
	conf->min_bits = WIEGAND_MIN_BITS_DEFAULT;
	conf->max_bits = WIEGAND_MAX_BITS;
	conf->min_spacing_ns = WIEGAND_SPACING_NS_DEFAULT;
}

int
wiegand_asm_init(struct wiegand_asm *a, const struct wiegand_frame_conf *conf)
{
	if (conf->gap_ns <= 0 || conf->max_bits == 0 ||
	    conf->max_bits > WIEGAND_MAX_BITS || conf->min_spacing_ns < 0)
		return -1;
	memset(a, 0, sizeof(*a));
	a->conf = *conf;
	return 0;
}

/* Ends the open frame into *done. */
static void
asm_close(struct wiegand_asm *a, struct wiegand_frame *done)
{
	struct wiegand_frame *f = &a->cur;

	if (f->edges < a->conf.min_bits)
		f->flags |= WIEGAND_FRAME_SHORT;
	if (f->edges > a->conf.max_bits)
		f->flags |= WIEGAND_FRAME_LONG;
	*done = *f;
	a->open = false;
}

int
wiegand_asm_edge(struct wiegand_asm *a, int line, int64_t ts_ns,
    struct wiegand_frame *done)
{
	struct wiegand_frame *f = &a->cur;
	int ended = 0;

	if (line != 0 && line != 1)
		return -1;
	if (a->open && ts_ns - f->last_ns >= a->conf.gap_ns) {
		asm_close(a, done);
		ended = 1;
	} else if (a->open && ts_ns - f->first_ns >
	    (int64_t)a->conf.max_bits * WIEGAND_INTERVAL_NS_LONGEST) {
		/* Edges that never leave a gap (a line picking up mains hum)
		 * would hold one frame open for ever, and nothing would be
		 * reported: no frame lasts longer than its bits at the
		 * longest interval, so this one is noise, ended here. */
		f->flags |= WIEGAND_FRAME_LONG;
		asm_close(a, done);
		ended = 1;
	}
	if (!a->open) {
		memset(f, 0, sizeof(*f));
		f->first_ns = ts_ns;
		a->open = true;
	} else {
		int64_t dt = ts_ns - f->last_ns;

		if (dt < 0)
			f->flags |= WIEGAND_FRAME_ORDER;
		else if (line != a->last_line &&
		    (dt == 0 || dt < a->conf.min_spacing_ns))
			f->flags |= WIEGAND_FRAME_BOTH;
		else if (line == a->last_line && dt < a->conf.min_spacing_ns)
			f->flags |= WIEGAND_FRAME_FAST;
	}
	if (f->edges < a->conf.max_bits) {
		if (line)
			f->bits[f->nbits / 8] |=
			    (uint8_t)(0x80 >> (f->nbits % 8));
		f->nbits++;
	}
	if (f->edges < UINT_MAX)
		f->edges++;
	if (ts_ns > f->last_ns || f->edges == 1)
		f->last_ns = ts_ns;
	a->last_line = line;
	return ended;
}

int64_t
wiegand_asm_deadline(const struct wiegand_asm *a)
{
	if (!a->open)
		return -1;
	return a->cur.last_ns + a->conf.gap_ns;
}

int64_t
wiegand_asm_started(const struct wiegand_asm *a)
{
	return a->open ? a->cur.first_ns : -1;
}

int
wiegand_asm_expire(struct wiegand_asm *a, int64_t now_ns,
    struct wiegand_frame *done)
{
	if (!a->open || now_ns < wiegand_asm_deadline(a))
		return 0;
	asm_close(a, done);
	return 1;
}
