/*
 * The cascade decoder, qrgated's own decoding path: decode where a code is,
 * at the size and in the polarity it needs, and nowhere else.
 *
 * Each frame:
 *  1. the region where the last code was read, if that was in the last
 *     TRACK_FRAMES frames: a code held up stays where it was;
 *  2. the regions decode_find.c finds from finder patterns, each cut out,
 *     inverted when its finders are light on dark (zxing-cpp 1.4 reads
 *     only dark on light), enlarged twice when its modules are under 4.5
 *     pixels (zxing's binariser and sampling lose small modules; enlarged,
 *     the same code reads) and halved when over 8, then read by zxing-cpp;
 *  3. finder patterns but no region: zxing-cpp on the frame halved, which
 *     finds large and blurred codes whose other corners did not pass;
 *     no finder pattern at all: nothing more, so a frame without a code
 *     costs the finder scan alone;
 *  4. regions but no code read there: zxing-cpp on the whole frame, then
 *     zbar on each region of three finders (zbar reads some damaged and
 *     distorted codes zxing-cpp does not; on a region it costs a
 *     fraction of a whole frame).
 * The choices and their order are what tests/bench/ measured paying
 * (see the README).  Every code comes from zxing-cpp's or zbar's own
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
 * Cuts the region out of f into *out: scale 2 enlarges bilinearly, scale
 * -2 averages 2x2 blocks, 1 copies only to invert (else *out points into
 * f itself).
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

static int
cascade_region(struct cascade *c, const struct frame *f,
    const struct decode_region *r, bool zbar, struct decode_result *out)
{
	struct frame cut;
	int scale = r->module < 4.5f ? 2 : r->module > 8 ? -2 : 1;

	/* A region the size of a large still image is not enlarged: four
	 * times its pixels would be memory and time for nothing. */
	if (scale == 2 && (size_t)(r->x1 - r->x0) * (size_t)(r->y1 - r->y0) >
	    MAX_ENLARGE)
		scale = 1;

	if (cascade_cut(c, f, r, scale, &cut) == -1)
		return 0;
	if (!zbar)
		return decoder_zxing_ops.scan(c->zx, &cut, out) > 0 ?
		    out->count : 0;
	return decoder_zbar_ops.scan(c->zb, &cut, out) > 0 ? out->count : 0;
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
		if ((k = cascade_region(c, f, &c->last, false, out)) > 0)
			return cascade_found(c, &c->last, k);
		c->last_age++;
	}
	if ((n = decode_find_regions(c->find, f, reg, DECODE_FIND_MAX)) < 0)
		return decoder_zxing_ops.scan(c->zx, f, out);
	for (int i = 0; i < n; i++)
		if ((k = cascade_region(c, f, &reg[i], false, out)) > 0)
			return cascade_found(c, &reg[i], k);
	if (n == 0) {
		/*
		 * Finder patterns that made no region: a large or blurred
		 * code whose other corners did not pass the cheap test, and
		 * the halved frame finds it.  None at all: no code either,
		 * and the frame has cost the finder scan alone.
		 */
		if (decode_find_patterns(c->find) == 0)
			return 0;
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
		    (k = cascade_region(c, f, &reg[i], true, out)) > 0)
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
