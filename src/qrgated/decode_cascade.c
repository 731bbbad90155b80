/*
 * The cascade decoder, qrgated's own decoding path: decode where a code is,
 * at the size and in the polarity it needs, and nowhere else.
 *
 * Each frame:
 *  1. the region where the last code was read, if that was in the last
 *     TRACK_FRAMES frames and the finder scan of that region alone still
 *     sees a finder pattern there: a code held up stays where it was, and
 *     a code gone costs a scan of a fraction of the frame, not a decoding;
 *  2. the regions decode_find.c finds from finder patterns, each cut out,
 *     inverted when its finders are light on dark (zxing-cpp 1.4 reads
 *     only dark on light), enlarged twice when its modules are under 4.5
 *     pixels (zxing's binariser and sampling lose small modules; enlarged,
 *     the same code reads) and halved when over 8, then read by zxing-cpp;
 *     then each region not enlarged once more, smoothed, as the sensor's
 *     noise on modules a few pixels wide misleads the same binariser and
 *     sampling (enlarging already smooths the others);
 *  3. finder patterns but no region: a square about each of the patterns
 *     seen on the most rows, large enough for a small code on any side of
 *     it, as the code's other finders did not pass the cheap test; then
 *     zxing-cpp on the frame halved, which finds large and blurred codes;
 *     no finder pattern at all: nothing more, so a frame without a code
 *     costs the finder scan alone;
 *  4. regions but no code read there: zxing-cpp on the whole frame, then
 *     zbar on each region of three finders (zbar reads some damaged and
 *     distorted codes zxing-cpp does not; on a region it costs a
 *     fraction of a whole frame).
 * The choices and their order are what tests/bench/ measured paying
 * (see docs/decoding.md).  Every code comes from zxing-cpp's or zbar's own
 * decoding after its error correction; nothing here invents or repairs
 * bytes, and a code's bytes are never changed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode_find.h"
#include "decoder.h"
#include "log.h"

#ifdef CONFIG_DECODER_ZXING

#define TRACK_FRAMES 15		/* half a second at 30 fps */
#define MAX_ENLARGE (2048 * 2048)	/* pixels of a region enlarged */
#define LONE_MAX 2		/* regions tried about lone finder patterns */

struct cascade {
	void *zx;
	void *zb;
	struct decode_find *find;
	uint8_t *buf;		/* a region, resampled */
	size_t cap;
	struct decode_region last;
	int last_age;		/* frames since the last read; -1: none */
};

static void cascade_close(void *priv);

static void *
cascade_open(void)
{
	struct cascade *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		log_warn("cascade: calloc");
		return NULL;
	}
	c->last_age = -1;
	if ((c->zx = decoder_zxing_ops.open()) == NULL ||
	    (c->zb = decoder_zbar_ops.open()) == NULL ||
	    (c->find = decode_find_new()) == NULL) {
		cascade_close(c);
		return NULL;
	}
	return c;
}

static int
cascade_reserve(struct cascade *c, size_t need)
{
	uint8_t *p;

	if (need <= c->cap)
		return 0;
	if ((p = realloc(c->buf, need)) == NULL) {
		log_warn("cascade: %zu bytes", need);
		return -1;
	}
	c->buf = p;
	c->cap = need;
	return 0;
}

/*
 * One row of the [1 2 1] by [1 2 1] smoothing of rows a, s, b (w pixels,
 * at least 2) into d, the edge pixels repeated.  It takes the sensor's
 * noise off a module at least 4.5 pixels wide and leaves its middle.
 */
static void
cascade_smooth(const uint8_t *a, const uint8_t *s, const uint8_t *b,
    uint8_t *d, int w, uint8_t inv)
{
#define COL(x) (a[x] + 2 * s[x] + b[x])
	d[0] = (uint8_t)(((3 * COL(0) + COL(1) + 8) >> 4) ^ inv);
	for (int x = 1; x + 1 < w; x++)
		d[x] = (uint8_t)(((COL(x - 1) + 2 * COL(x) + COL(x + 1) + 8) >>
		    4) ^ inv);
	d[w - 1] = (uint8_t)(((COL(w - 2) + 3 * COL(w - 1) + 8) >> 4) ^ inv);
#undef COL
}

/*
 * Cuts the region out of f into *out: scale 2 enlarges bilinearly, scale
 * -2 averages 2x2 blocks, 0 smooths at the same size, 1 copies only to
 * invert (else *out points into f itself).
 */
static int
cascade_cut(struct cascade *c, const struct frame *f,
    const struct decode_region *r, int scale, struct frame *out)
{
	int w = r->x1 - r->x0, h = r->y1 - r->y0, ow, oh;
	uint8_t inv = r->inverted ? 0xff : 0;
	const uint8_t *src = f->y + (size_t)r->y0 * f->stride + r->x0;

	*out = *f;
	if (scale == 1 && !r->inverted) {
		out->y = src;
		out->width = w;
		out->height = h;
		return 0;
	}
	ow = scale == 2 ? 2 * w : scale == -2 ? w / 2 : w;
	oh = scale == 2 ? 2 * h : scale == -2 ? h / 2 : h;
	if (ow < 8 || oh < 8 || cascade_reserve(c, (size_t)ow * oh) == -1)
		return -1;
	for (int y = 0; y < oh; y++) {
		uint8_t *d = c->buf + (size_t)y * ow;

		if (scale == 1) {
			const uint8_t *s = src + (size_t)y * f->stride;

			for (int x = 0; x < ow; x++)
				d[x] = s[x] ^ inv;
		} else if (scale == 0) {
			const uint8_t *s = src + (size_t)y * f->stride;
			const uint8_t *a = y > 0 ? s - f->stride : s;
			const uint8_t *b = y + 1 < h ? s + f->stride : s;

			cascade_smooth(a, s, b, d, w, inv);
		} else if (scale == -2) {
			const uint8_t *s = src + (size_t)2 * y * f->stride;

			for (int x = 0; x < ow; x++)
				d[x] = (uint8_t)(((s[2 * x] + s[2 * x + 1] +
				    s[f->stride + 2 * x] +
				    s[f->stride + 2 * x + 1] + 2) >> 2) ^ inv);
		} else {
			/* Output pixel centres fall at quarter positions
			 * between source pixels: weights 3:1. */
			int sy = (y - 1) / 2, fy = y & 1 ? 1 : 3;
			int sy0 = sy < 0 ? 0 : sy, sy1 = sy + 1 >= h ? h - 1 : sy + 1;
			const uint8_t *r0 = src + (size_t)sy0 * f->stride;
			const uint8_t *r1 = src + (size_t)sy1 * f->stride;

			if (y == 0)
				fy = 0, r1 = r0;
			for (int x = 0; x < ow; x++) {
				int sx = (x - 1) / 2, fx = x & 1 ? 1 : 3;
				int sx0 = sx < 0 ? 0 : sx;
				int sx1 = sx + 1 >= w ? w - 1 : sx + 1;
				int a, b;

				if (x == 0)
					fx = 0, sx1 = sx0;
				a = r0[sx0] * (4 - fx) + r0[sx1] * fx;
				b = r1[sx0] * (4 - fx) + r1[sx1] * fx;
				d[x] = (uint8_t)(((a * (4 - fy) + b * fy + 8) >> 4) ^ inv);
			}
		}
	}
	out->y = c->buf;
	out->width = ow;
	out->height = oh;
	out->stride = ow;
	return 0;
}

/*
 * The scale a region is read at first: enlarged twice when its modules
 * are under 4.5 pixels (zxing's binariser and sampling lose small
 * modules; enlarged, the same code reads), halved when over 8.  A region
 * the size of a large still image is not enlarged: four times its pixels
 * would be memory and time for nothing.
 */
static int
cascade_scale(const struct decode_region *r)
{
	int scale = r->module < 4.5f ? 2 : r->module > 8 ? -2 : 1;

	if (scale == 2 && (size_t)(r->x1 - r->x0) * (size_t)(r->y1 - r->y0) >
	    MAX_ENLARGE)
		scale = 1;
	return scale;
}

static int
cascade_region(struct cascade *c, const struct frame *f,
    const struct decode_region *r, int scale, bool zbar,
    struct decode_result *out)
{
	struct frame cut;

	if (cascade_cut(c, f, r, scale, &cut) == -1)
		return 0;
	if (!zbar)
		return decoder_zxing_ops.scan(c->zx, &cut, out) > 0 ?
		    out->count : 0;
	return decoder_zbar_ops.scan(c->zb, &cut, out) > 0 ? out->count : 0;
}

/*
 * Whether a finder pattern is still in region r: the finder scan of the
 * region alone, a fraction of the frame's, is far cheaper than zxing-cpp
 * on it, and a code that has left the region (the gate's usual frame,
 * and every frame without a code) then costs no decoding there.
 */
static bool
cascade_still(struct cascade *c, const struct frame *f,
    const struct decode_region *r)
{
	struct decode_region reg[DECODE_FIND_MAX];
	struct frame sub = *f;

	sub.y = f->y + (size_t)r->y0 * f->stride + r->x0;
	sub.width = r->x1 - r->x0;
	sub.height = r->y1 - r->y0;
	return decode_find_regions(c->find, &sub, reg, DECODE_FIND_MAX) >= 0 &&
	    decode_find_patterns(c->find) > 0;
}

static int
cascade_found(struct cascade *c, const struct decode_region *r, int n)
{
	c->last = *r;
	c->last_age = 0;
	return n;
}

static int
cascade_scan(void *priv, const struct frame *f, struct decode_result *out)
{
	struct cascade *c = priv;
	struct decode_region reg[DECODE_FIND_MAX], half;
	struct frame cut;
	int n, k;

	out->count = 0;
	if (f == NULL || f->y == NULL || f->width <= 0 || f->height <= 0 ||
	    f->stride < f->width)
		return decoder_zxing_ops.scan(c->zx, f, out);	/* says why */
	if (c->last_age >= 0 && c->last_age < TRACK_FRAMES &&
	    c->last.x1 <= f->width && c->last.y1 <= f->height) {
		if (cascade_still(c, f, &c->last) &&
		    (k = cascade_region(c, f, &c->last,
		    cascade_scale(&c->last), false, out)) > 0)
			return cascade_found(c, &c->last, k);
		c->last_age++;
	}
	if ((n = decode_find_regions(c->find, f, reg, DECODE_FIND_MAX)) < 0)
		return decoder_zxing_ops.scan(c->zx, f, out);
	for (int i = 0; i < n; i++)
		if ((k = cascade_region(c, f, &reg[i], cascade_scale(&reg[i]),
		    false, out)) > 0)
			return cascade_found(c, &reg[i], k);
	/*
	 * Smoothed, a region of modules of 4.5 pixels and over that did not
	 * read often does: zxing-cpp samples each module at one pixel and
	 * binarises against a local mean, and the sensor's noise flips both
	 * where the modules are dim or blurred.  Modules that large lose
	 * nothing to the smoothing; smaller ones were enlarged, and
	 * bilinear enlarging has smoothed them already.
	 */
	for (int i = 0; i < n; i++)
		if (cascade_scale(&reg[i]) != 2 &&
		    (k = cascade_region(c, f, &reg[i], 0, false, out)) > 0)
			return cascade_found(c, &reg[i], k);
	if (n == 0) {
		/*
		 * Finder patterns that made no region: a code whose other
		 * corners did not pass the cheap test, blurred, shadowed or
		 * noisy; zxing-cpp finds them again in a square about the
		 * pattern, at the pattern's module size, and a large code
		 * in the halved frame.  Only the LONE_MAX patterns seen on
		 * the most rows, the likeliest real, bound the cost.  None
		 * at all: no code either, and the frame has cost the finder
		 * scan alone.
		 */
		if (decode_find_patterns(c->find) == 0)
			return 0;
		n = decode_find_lone(c->find, f, reg, LONE_MAX);
		for (int i = 0; i < n; i++)
			if ((k = cascade_region(c, f, &reg[i],
			    cascade_scale(&reg[i]), false, out)) > 0)
				return cascade_found(c, &reg[i], k);
		half = (struct decode_region){ .x1 = f->width,
		    .y1 = f->height, .module = 9 };
		if (f->width >= 320 && f->height >= 240 &&
		    cascade_cut(c, f, &half, -2, &cut) == 0)
			return decoder_zxing_ops.scan(c->zx, &cut, out);
		return decoder_zxing_ops.scan(c->zx, f, out);
	}
	/*
	 * Finder patterns, but no code read where they are: the whole
	 * frame, then zbar where three finders are.
	 */
	if (decoder_zxing_ops.scan(c->zx, f, out) > 0)
		return out->count;
	for (int i = 0; i < n; i++)
		if (reg[i].finders == 3 &&
		    (k = cascade_region(c, f, &reg[i], cascade_scale(&reg[i]),
		    true, out)) > 0)
			return cascade_found(c, &reg[i], k);
	return 0;
}

static void
cascade_close(void *priv)
{
	struct cascade *c = priv;

	if (c == NULL)
		return;
	if (c->zx != NULL)
		decoder_zxing_ops.close(c->zx);
	if (c->zb != NULL)
		decoder_zbar_ops.close(c->zb);
	decode_find_free(c->find);
	free(c->buf);
	free(c);
}

const struct decoder_ops decoder_cascade_ops = {
	.name = "cascade",
	.open = cascade_open,
	.scan = cascade_scan,
	.close = cascade_close,
};

#endif /* CONFIG_DECODER_ZXING */
