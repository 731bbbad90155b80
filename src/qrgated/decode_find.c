/*
 * Finder patterns, found the way zxing and zbar find them (runs of dark
 * and light in the proportions 1:1:3:1:1 along a line through the
 * pattern's centre, whatever the code's angle), but only as a cheap first
 * look: every other row, a threshold from a running mean so that uneven
 * light and dim frames binarise as well as bright ones, and both
 * polarities at once, so that a dark-mode code is seen as such.  A hit is
 * kept only when a column through it shows the same proportions, and a
 * region only when three (or two) such patterns of one size lie as a
 * code's corners would.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode_find.h"
#include "log.h"

#define ROW_STEP	3	/* rows scanned: every ROW_STEP-th */
#define MAX_HITS	8192
#define MAX_CLUSTERS	512
#define MIN_CONTRAST	40	/* of 4 summed pixels, so 10 grey levels */
#define LONE_REACH	32	/* modules around a lone pattern */

struct hit {
	float x, y, u;
	bool inverted;
};

struct cluster {
	float sx, sy, su;	/* sums */
	int n;
	float last_y;
	bool inverted;
	bool confirmed;
};

struct decode_find {
	int32_t *sum;		/* a row's prefix sums */
	uint16_t *v;		/* a row, 2x2 summed */
	int *runs;
	uint8_t *run_dark;
	int cap;
	struct hit hits[MAX_HITS];
	int n_hits;
	struct cluster cl[MAX_CLUSTERS];
	int n_cl;
	int n_ok;		/* confirmed by the last scan */
};

struct decode_find *
decode_find_new(void)
{
	struct decode_find *df = calloc(1, sizeof(*df));

	if (df == NULL)
		log_warn("decode: finder");
	return df;
}

void
decode_find_free(struct decode_find *df)
{
	if (df == NULL)
		return;
	free(df->sum);
	free(df->v);
	free(df->runs);
	free(df->run_dark);
	free(df);
}

static int
find_reserve(struct decode_find *df, int w)
{
	if (w + 1 <= df->cap)
		return 0;
	free(df->sum);
	free(df->v);
	free(df->runs);
	free(df->run_dark);
	df->sum = malloc(sizeof(*df->sum) * (w + 1));
	df->v = malloc(sizeof(*df->v) * (w + 1));
	df->runs = malloc(sizeof(*df->runs) * (w + 1));
	df->run_dark = malloc(2 * (size_t)(w + 1));
	if (df->sum == NULL || df->v == NULL || df->runs == NULL ||
	    df->run_dark == NULL) {
		log_warn("decode: finder row buffers");
		df->cap = 0;
		return -1;
	}
	df->cap = w + 1;
	return 0;
}

/* Whether five runs from r are 1:1:3:1:1; sets *u to the module size. */
static bool
find_ratio(const int *r, float *u)
{
	int total = r[0] + r[1] + r[2] + r[3] + r[4];
	float m = total / 7.0f;

	if (total < 9)
		return false;
	for (int i = 0; i < 5; i++) {
		float want = i == 2 ? 3 * m : m;
		float tol = i == 2 ? 1.2f * m : 0.75f * m;

		if (fabsf(r[i] - want) > tol)
			return false;
	}
	*u = m;
	return true;
}

static void
find_row(struct decode_find *df, const struct frame *f, int y)
{
	const uint8_t *restrict a = f->y + (size_t)y * f->stride;
	const uint8_t *restrict b = a + f->stride;
	int w = f->width - 1, win = f->width / 40 < 12 ? 12 : f->width / 40;
	int nr = 0, dark = 0, recip = 65536 / (2 * win + 1);
	uint8_t *restrict d = df->run_dark + f->width + 1;
	uint16_t *restrict v = df->v;
	int32_t *restrict sum = df->sum;

	/* 2x2 sums smooth the sensor's noise before thresholding.  The loops
	 * are kept simple enough for the compiler to vectorise, and work
	 * through local pointers: a byte stored through d may alias anything,
	 * and would otherwise reload df's on every pixel. */
	for (int x = 0; x < w; x++)
		v[x] = (uint16_t)(a[x] + a[x + 1] + b[x] + b[x + 1]);
	sum[0] = 0;
	for (int x = 0; x < w; x++)
		sum[x + 1] = sum[x] + v[x];
	/* 1 dark, 0 light, 2 within the dead band around the local mean.
	 * In 32 bits: a window's sum times its reciprocal is at most 1020
	 * times 65536, and mean * 6554 >> 16 is mean / 10 for a mean up to
	 * 1020. */
	for (int x = win; x < w - win; x++) {
		int mean = ((sum[x + win + 1] - sum[x - win]) * recip) >> 16;
		int tenth = (mean * 6554) >> 16;
		int band = tenth > MIN_CONTRAST / 2 ? tenth : MIN_CONTRAST / 2;

		d[x] = v[x] + band < mean ? 1 : v[x] > mean + band ? 0 : 2;
	}
	for (int x = 0; x < w; x++) {
		int lo, hi, mean, band;

		if (x == win && w - win > win)
			x = w - win;
		lo = x - win < 0 ? 0 : x - win;
		hi = x + win >= w ? w - 1 : x + win;
		mean = (sum[hi + 1] - sum[lo]) / (hi + 1 - lo);
		band = mean / 10 > MIN_CONTRAST / 2 ? mean / 10 :
		    MIN_CONTRAST / 2;
		d[x] = v[x] + band < mean ? 1 : v[x] > mean + band ? 0 : 2;
	}
	/* A flat start is called light; the dead band keeps the last.  Only
	 * a change of colour costs more than a compare. */
	dark = d[0] == 1;
	for (int x = 1, start = 0; x <= w; x++) {
		if (x < w && (d[x] == 2 || d[x] == dark))
			continue;
		df->run_dark[nr] = (uint8_t)dark;
		df->runs[nr++] = x - start;
		start = x;
		if (x < w)
			dark = d[x];
	}
	for (int i = 0, x = 0; i + 4 < nr && df->n_hits < MAX_HITS;
	    x += df->runs[i++]) {
		float u;

		if (!find_ratio(df->runs + i, &u))
			continue;
		df->hits[df->n_hits++] = (struct hit){
			.x = x + df->runs[i] + df->runs[i + 1] +
			    df->runs[i + 2] / 2.0f,
			.y = (float)y + 0.5f,
			.u = u,
			.inverted = df->run_dark[i] == 0,
		};
	}
}

/*
 * Whether the column through (x, y) crosses a finder of module size u and
 * the given polarity: its runs, thresholded halfway between the darkest
 * and the lightest pixel near the centre, are 1:1:3:1:1 around y.
 */
static bool
find_cross(const struct frame *f, float fx, float fy, float u, bool inv,
    float *cy)
{
	int x = (int)fx, yc = (int)fy, reach = (int)(u * 6) + 3;
	int y0 = yc - reach < 0 ? 0 : yc - reach;
	int y1 = yc + reach >= f->height ? f->height - 1 : yc + reach;
	int lo = 255, hi = 0, thr, r[5] = { 0 }, y;

	if (x < 0 || x >= f->width)
		return false;
	for (y = y0; y <= y1; y++) {
		int p = f->y[(size_t)y * f->stride + x];

		lo = p < lo ? p : lo;
		hi = p > hi ? p : hi;
	}
	if (hi - lo < MIN_CONTRAST / 4)
		return false;
	thr = (lo + hi) / 2;
#define DARK(yy) ((f->y[(size_t)(yy) * f->stride + x] < thr) != inv)
	if (!DARK(yc))
		return false;
	/* Out from the centre: the middle run, then two runs either side. */
	for (y = yc; y >= y0 && DARK(y); y--)
		r[2]++;
	for (; y >= y0 && !DARK(y); y--)
		r[1]++;
	for (; y >= y0 && DARK(y); y--)
		r[0]++;
	{
		int top = y + 1 + r[0] + r[1];

		for (y = yc + 1; y <= y1 && DARK(y); y++)
			r[2]++;
		for (; y <= y1 && !DARK(y); y++)
			r[3]++;
		for (; y <= y1 && DARK(y); y++)
			r[4]++;
		*cy = top + r[2] / 2.0f;
	}
#undef DARK
	{
		float m;

		return find_ratio(r, &m) && m > u * 0.5f && m < u * 2;
	}
}

/*
 * Groups hits, which come row by row, into patterns: a hit joins a
 * pattern of its polarity and size seen on one of the last two scanned
 * rows near the same column.  Only those recent patterns are searched.
 */
static void
find_cluster(struct decode_find *df)
{
	int act[MAX_CLUSTERS], n_act = 0;
	float row = -1;

	df->n_cl = 0;
	for (int i = 0; i < df->n_hits; i++) {
		struct hit *h = &df->hits[i];
		int k, j;

		if (h->y != row) {
			int keep = 0;

			for (j = 0; j < n_act; j++)
				if (h->y - df->cl[act[j]].last_y <=
				    2 * ROW_STEP + 0.5f)
					act[keep++] = act[j];
			n_act = keep;
			row = h->y;
		}
		for (j = 0, k = -1; j < n_act; j++) {
			struct cluster *c = &df->cl[act[j]];
			float cu = c->su / c->n, cx = c->sx / c->n;

			if (c->inverted == h->inverted && c->last_y < h->y &&
			    fabsf(cx - h->x) <= (cu > 2 ? cu : 2) &&
			    fabsf(cu - h->u) <= cu * 0.5f) {
				k = act[j];
				break;
			}
		}
		if (k < 0) {
			if (df->n_cl == MAX_CLUSTERS)
				continue;
			k = df->n_cl++;
			df->cl[k] = (struct cluster){ .inverted = h->inverted };
			act[n_act++] = k;
		}
		df->cl[k].sx += h->x;
		df->cl[k].sy += h->y;
		df->cl[k].su += h->u;
		df->cl[k].n++;
		df->cl[k].last_y = h->y;
	}
}

static void
find_region(const struct frame *f, const struct cluster *const *p, int n,
    struct decode_region *r)
{
	float x[4], y[4], u = 0, minx, maxx, miny, maxy, margin;
	int np = n;

	for (int i = 0; i < n; i++) {
		x[i] = p[i]->sx / p[i]->n;
		y[i] = p[i]->sy / p[i]->n;
		u += p[i]->su / p[i]->n / n;
	}
	if (n == 3) {
		/* The fourth corner, opposite the corner with the right angle
		 * (the one facing the longest side). */
		float d01 = hypotf(x[0] - x[1], y[0] - y[1]);
		float d02 = hypotf(x[0] - x[2], y[0] - y[2]);
		float d12 = hypotf(x[1] - x[2], y[1] - y[2]);
		int c = d12 >= d01 && d12 >= d02 ? 0 : d02 >= d01 ? 1 : 2;
		int a = (c + 1) % 3, b = (c + 2) % 3;

		x[3] = x[a] + x[b] - x[c];
		y[3] = y[a] + y[b] - y[c];
		np = 4;
	}
	minx = maxx = x[0];
	miny = maxy = y[0];
	for (int i = 1; i < np; i++) {
		minx = fminf(minx, x[i]);
		maxx = fmaxf(maxx, x[i]);
		miny = fminf(miny, y[i]);
		maxy = fmaxf(maxy, y[i]);
	}
	/* From a finder's centre to the code's edge is 3.5 modules, then 4
	 * of quiet zone: 8.5, and some for a rotated code.  Two finders say
	 * nothing of which side the code lies on: as far again either way. */
	margin = 10 * u;
	if (n == 2)
		margin += fmaxf(maxx - minx, maxy - miny);
	r->x0 = (int)fmaxf(0, minx - margin);
	r->y0 = (int)fmaxf(0, miny - margin);
	r->x1 = (int)fminf((float)f->width, maxx + margin);
	r->y1 = (int)fminf((float)f->height, maxy + margin);
	r->module = u;
	r->inverted = p[0]->inverted;
	r->finders = n;
}

static bool
find_compatible(const struct cluster *a, const struct cluster *b)
{
	float ua = a->su / a->n, ub = b->su / b->n;
	float d = hypotf(a->sx / a->n - b->sx / b->n,
	    a->sy / a->n - b->sy / b->n);
	float u = (ua + ub) / 2;

	/* Finders of one code: one size, one polarity, 14 to 170 modules
	 * apart (versions 1 to 40, across the diagonal). */
	return a->inverted == b->inverted && ua < ub * 1.6f && ub < ua * 1.6f &&
	    d >= 12 * u && d <= 240 * u;
}

int
decode_find_regions(struct decode_find *df, const struct frame *f,
    struct decode_region *out, int max)
{
	const struct cluster *ok[MAX_CLUSTERS], *tri[3];
	int n_ok = 0, n_out = 0;

	if (f == NULL || f->y == NULL || f->width < 8 || f->height < 8 ||
	    f->stride < f->width) {
		errno = EINVAL;
		return -1;
	}
	df->n_ok = 0;
	if (find_reserve(df, f->width) == -1)
		return -1;
	df->n_hits = 0;
	for (int y = 0; y + 1 < f->height; y += ROW_STEP)
		find_row(df, f, y);
	find_cluster(df);
	for (int k = 0; k < df->n_cl; k++) {
		struct cluster *c = &df->cl[k];
		float cy;

		/* A finder's centre spans three modules of rows: one hit is
		 * noise unless the modules are that small. */
		c->confirmed = (c->n >= 2 || c->su / c->n < 2.2f) &&
		    find_cross(f, c->sx / c->n, c->sy / c->n, c->su / c->n,
		    c->inverted, &cy);
		if (c->confirmed) {
			c->sy = cy * c->n;
			ok[n_ok++] = c;
		}
	}
	df->n_ok = n_ok;
	/* Threes first: a whole code's corners. */
	for (int i = 0; i < n_ok && n_out < max; i++)
		for (int j = i + 1; j < n_ok && n_out < max; j++) {
			if (!find_compatible(ok[i], ok[j]))
				continue;
			for (int k = j + 1; k < n_ok && n_out < max; k++) {
				if (!find_compatible(ok[i], ok[k]) ||
				    !find_compatible(ok[j], ok[k]))
					continue;
				tri[0] = ok[i], tri[1] = ok[j], tri[2] = ok[k];
				find_region(f, tri, 3, &out[n_out++]);
			}
		}
	if (n_out > 0)
		return n_out;
	for (int i = 0; i < n_ok && n_out < max; i++)
		for (int j = i + 1; j < n_ok && n_out < max; j++) {
			if (!find_compatible(ok[i], ok[j]))
				continue;
			tri[0] = ok[i], tri[1] = ok[j];
			find_region(f, tri, 2, &out[n_out++]);
		}
	return n_out;
}

int
decode_find_patterns(const struct decode_find *df)
{
	return df->n_ok;
}

int
decode_find_lone(const struct decode_find *df, const struct frame *f,
    struct decode_region *out, int max)
{
	const struct cluster *best[DECODE_FIND_MAX];
	int n = 0;

	if (max > DECODE_FIND_MAX)
		max = DECODE_FIND_MAX;
	/* The patterns seen on the most rows are the likeliest real. */
	for (int k = 0; k < df->n_cl; k++) {
		const struct cluster *c = &df->cl[k];
		int i;

		if (!c->confirmed)
			continue;
		for (i = n; i > 0 && best[i - 1]->n < c->n; i--)
			if (i < max)
				best[i] = best[i - 1];
		if (i < max) {
			best[i] = c;
			n += n < max;
		}
	}
	for (int i = 0; i < n; i++) {
		/* From the pattern's centre across a code of 33 modules
		 * (version 4) is 29.5 modules, and some of its quiet zone;
		 * the code may lie to any side. */
		float u = best[i]->su / best[i]->n, reach = LONE_REACH * u;
		float x = best[i]->sx / best[i]->n, y = best[i]->sy / best[i]->n;

		out[i] = (struct decode_region){
			.x0 = (int)fmaxf(0, x - reach),
			.y0 = (int)fmaxf(0, y - reach),
			.x1 = (int)fminf((float)f->width, x + reach),
			.y1 = (int)fminf((float)f->height, y + reach),
			.module = u,
			.inverted = best[i]->inverted,
			.finders = 1,
		};
	}
	return n;
}
