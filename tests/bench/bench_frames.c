/*
 * bench_frames: makes the decoding bench's camera-like frames.
 *
 *   bench_frames OUTDIR [SEED]
 *
 * Writes grey PGM frames and OUTDIR/frames.txt, one line per frame:
 * "FILE SET HEX name=value...", where SET is cam640, cam720 or seqNN (an
 * approach sequence, its frames in order), HEX the bytes of the code in
 * the frame, or "-" for a frame without one, and the rest what made the
 * frame (pixels per module, angle, grey levels, blur, noise).  Codes are encoded by libqrencode
 * in 8-bit mode, so HEX is exactly what a decoder must return.
 *
 * A frame is a cluttered, unevenly lit background (rectangles and bars of
 * print-like contrast, where a misread would show) and one code of varied
 * module size, angle, contrast, defocus, motion blur and sensor noise;
 * some are dark-mode (light modules on dark), some are dim, some have no
 * code.  An approach sequence is 30 frames at 30 fps of one code coming
 * from 1.5 to 6 pixels per module with fading motion blur and a little
 * drift, the way a worker walks up to the gate.  A fixed seed makes the
 * same frames every run; another SEED (a number) makes other frames of the
 * same kinds, to check that a decoder's gain is not one set's luck.  A
 * bench tool, not part of the gate.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#define CAM_FRAMES	120	/* of each size */
#define SEQUENCES	12
#define SEQ_FRAMES	30

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static double
uni(double lo, double hi)
{
	return lo + (hi - lo) * (rng() / 4294967296.0);
}

static double
gauss(void)
{
	double u = uni(1e-9, 1), v = uni(0, 1);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

struct scene {
	int w, h;
	const QRcode *qr;	/* NULL: no code */
	double cx, cy;		/* centre of the code, pixels */
	double ppm;		/* pixels per module */
	double angle;		/* radians */
	double mx, my;		/* motion during the exposure, pixels */
	int dark, light;
	int invert;		/* light modules on a dark quiet zone */
	double defocus;		/* gaussian sigma, pixels */
	double noise;		/* gaussian sigma, grey levels */
	double gain_lo;		/* illumination falls to this across the frame */
};

/* 1 dark, 0 light, -1 outside the code and its quiet zone. */
static int
scene_module(const struct scene *s, double x, double y)
{
	int n = s->qr->width, qz = 4;
	double c = cos(s->angle), sn = sin(s->angle);
	double dx = x - s->cx, dy = y - s->cy;
	double u = (c * dx + sn * dy) / s->ppm + n / 2.0;
	double v = (-sn * dx + c * dy) / s->ppm + n / 2.0;
	int mu = (int)floor(u), mv = (int)floor(v);

	if (mu < -qz || mv < -qz || mu >= n + qz || mv >= n + qz)
		return -1;
	if (mu < 0 || mv < 0 || mu >= n || mv >= n)
		return s->invert;
	return (s->qr->data[mv * n + mu] & 1) ^ s->invert;
}

static void
background(uint8_t *px, int w, int h)
{
	int base = (int)uni(90, 200);

	for (int i = 0; i < w * h; i++)
		px[i] = (uint8_t)base;
	/* Print-like clutter: boxes, and bars like lines of text. */
	for (int k = 0; k < 25; k++) {
		int bw = (int)uni(4, w / 4), bh = (int)uni(2, h / 4);
		int x0 = (int)uni(0, w - bw), y0 = (int)uni(0, h - bh);
		int g = (int)uni(10, 250);

		if (rng() % 2) {
			bh = (int)uni(2, 6);
			bw = (int)uni(20, w / 3);
		}
		for (int y = y0; y < y0 + bh && y < h; y++)
			for (int x = x0; x < x0 + bw && x < w; x++)
				px[y * w + x] = (uint8_t)g;
	}
}

static void
blur(double *img, int w, int h, double sigma)
{
	int r = (int)ceil(sigma * 3);
	double k[64], sum = 0;
	double *tmp;

	if (sigma < 0.3 || r > 31 || (tmp = malloc(sizeof(*tmp) * w * h)) == NULL)
		return;
	for (int i = -r; i <= r; i++)
		sum += k[i + r] = exp(-i * i / (2 * sigma * sigma));
	for (int i = 0; i <= 2 * r; i++)
		k[i] /= sum;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;

			for (int i = -r; i <= r; i++) {
				int xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;

				a += k[i + r] * img[y * w + xx];
			}
			tmp[y * w + x] = a;
		}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double a = 0;

			for (int i = -r; i <= r; i++) {
				int yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;

				a += k[i + r] * tmp[yy * w + x];
			}
			img[y * w + x] = a;
		}
	free(tmp);
}

/* Renders the scene over bg into out (w * h bytes). */
static void
render(const struct scene *s, const uint8_t *bg, uint8_t *out)
{
	int w = s->w, h = s->h, steps;
	double *img = malloc(sizeof(*img) * w * h);
	double reach;

	if (img == NULL) {
		perror("bench_frames");
		exit(1);
	}
	for (int i = 0; i < w * h; i++)
		img[i] = bg[i];
	if (s->qr != NULL) {
		reach = (s->qr->width / 2.0 + 5) * s->ppm * 1.5 +
		    fabs(s->mx) + fabs(s->my);
		steps = 1 + (int)ceil(hypot(s->mx, s->my));
		if (steps > 12)
			steps = 12;
		for (int y = (int)(s->cy - reach); y < s->cy + reach; y++) {
			if (y < 0 || y >= h)
				continue;
			for (int x = (int)(s->cx - reach); x < s->cx + reach; x++) {
				double a = 0;
				int n = 0;

				if (x < 0 || x >= w)
					continue;
				/* 3x3 samples a pixel, steps along the motion. */
				for (int t = 0; t < steps; t++)
					for (int sy = 0; sy < 3; sy++)
						for (int sx = 0; sx < 3; sx++) {
							double f = steps > 1 ? (double)t / (steps - 1) - 0.5 : 0;
							int m = scene_module(s,
							    x + (sx + 0.5) / 3 - f * s->mx,
							    y + (sy + 0.5) / 3 - f * s->my);

							a += m < 0 ? bg[y * w + x] :
							    m ? s->dark : s->light;
							n++;
						}
				img[y * w + x] = a / n;
			}
		}
	}
	blur(img, w, h, s->defocus);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double g = 1 - (1 - s->gain_lo) * ((double)x / w + (double)y / h) / 2;
			double v = img[y * w + x] * g + s->noise * gauss();

			out[y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
		}
	free(img);
}

static void
payload(uint8_t *buf, size_t *len)
{
	static const char alnum[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	int kind = rng() % 6;

	if (kind <= 2) {		/* a badge */
		*len = (size_t)snprintf((char *)buf, 64, "W%04u", rng() % 10000);
	} else if (kind == 3) {		/* a URL */
		*len = (size_t)snprintf((char *)buf, 128,
		    "https://gate.example/t/%08x%08x", rng(), rng());
	} else if (kind == 4) {		/* a CCCD-like record */
		*len = (size_t)snprintf((char *)buf, 200,
		    "0791900%05u|1234567%02u|Nguyen Van A|15081990|Nam|"
		    "12 Le Loi, Quan 1, TP. HCM|01022021", rng() % 100000,
		    rng() % 100);
	} else {			/* binary: NULs and invalid UTF-8 */
		*len = 8 + rng() % 24;
		for (size_t i = 0; i < *len; i++)
			buf[i] = i % 5 == 1 ? 0 : i % 5 == 3 ? 0xff :
			    (uint8_t)alnum[rng() % 62];
	}
}

static QRcode *
encode(const uint8_t *data, size_t len)
{
	static const QRecLevel lv[] = { QR_ECLEVEL_L, QR_ECLEVEL_M,
	    QR_ECLEVEL_M, QR_ECLEVEL_Q };
	QRcode *qr = QRcode_encodeData((int)len, data, 0, lv[rng() % 4]);

	if (qr == NULL) {
		perror("bench_frames: QRcode_encodeData");
		exit(1);
	}
	return qr;
}

static void
write_frame(FILE *list, const char *dir, const char *name, const char *set,
    const struct scene *s, const uint8_t *bg, const uint8_t *data,
    size_t len)
{
	char path[4096];
	uint8_t *px = malloc((size_t)s->w * s->h);
	FILE *f;

	if (px == NULL) {
		perror("bench_frames");
		exit(1);
	}
	render(s, bg, px);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fprintf(f, "P5\n%d %d\n255\n", s->w, s->h) < 0 ||
	    fwrite(px, 1, (size_t)s->w * s->h, f) != (size_t)s->w * s->h ||
	    fclose(f) != 0) {
		fprintf(stderr, "bench_frames: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	free(px);
	fprintf(list, "%s %s ", name, set);
	if (s->qr == NULL)
		fputc('-', list);
	for (size_t i = 0; s->qr != NULL && i < len; i++)
		fprintf(list, "%02x", data[i]);
	/* What made the frame hard, for a reader of the list. */
	fprintf(list, " ppm=%.1f angle=%.0f dark=%d light=%d invert=%d "
	    "defocus=%.1f motion=%.1f noise=%.1f gain=%.2f\n", s->ppm,
	    s->angle * 180 / M_PI, s->dark, s->light, s->invert, s->defocus,
	    hypot(s->mx, s->my), s->noise, s->gain_lo);
}

static void
contrast(struct scene *s)
{
	if (rng() % 5 == 0) {		/* dim */
		s->dark = (int)uni(5, 30);
		s->light = s->dark + (int)uni(25, 60);
	} else {
		s->dark = (int)uni(10, 100);
		s->light = s->dark + (int)uni(40, 240 - s->dark);
	}
	s->gain_lo = rng() % 3 == 0 ? uni(0.45, 0.8) : 1;
}

static void
camera_frames(FILE *list, const char *dir, int w, int h, const char *set)
{
	uint8_t *bg = malloc((size_t)w * h), data[256];
	size_t len;
	char name[64];

	if (bg == NULL)
		exit(1);
	for (int i = 0; i < CAM_FRAMES; i++) {
		struct scene s = { .w = w, .h = h };
		QRcode *qr = NULL;

		background(bg, w, h);
		payload(data, &len);
		if (rng() % 100 >= 15) {
			qr = encode(data, len);
			s.qr = qr;
		}
		s.ppm = uni(1.4, 7);
		s.angle = uni(0, 2 * M_PI);
		s.cx = uni(w * 0.3, w * 0.7);
		s.cy = uni(h * 0.3, h * 0.7);
		s.invert = rng() % 100 < 12;
		s.defocus = uni(0, 1.6);
		s.noise = uni(0, 12);
		if (rng() % 4 == 0) {
			s.mx = uni(-6, 6);
			s.my = uni(-3, 3);
		}
		contrast(&s);
		snprintf(name, sizeof(name), "%s-%03d.pgm", set, i);
		write_frame(list, dir, name, set, &s, bg, data, len);
		QRcode_free(qr);
	}
	free(bg);
}

static void
sequences(FILE *list, const char *dir)
{
	uint8_t data[256];
	size_t len;
	char name[64], set[16];

	for (int q = 0; q < SEQUENCES; q++) {
		int w = q % 2 ? 1280 : 640, h = q % 2 ? 720 : 480;
		uint8_t *bg = malloc((size_t)w * h);
		struct scene s = { .w = w, .h = h };
		double vx = uni(-2, 2), vy = uni(-1.5, 1.5), blur0 = uni(3, 9);
		double dir_a = uni(0, 2 * M_PI);

		if (bg == NULL)
			exit(1);
		background(bg, w, h);
		/* Badges mostly, as a gate sees them. */
		do
			payload(data, &len);
		while (len > 40);
		s.qr = encode(data, len);
		s.angle = uni(-0.5, 0.5) + (rng() % 4) * M_PI / 2;
		s.cx = uni(w * 0.35, w * 0.65);
		s.cy = uni(h * 0.35, h * 0.65);
		s.invert = q % 6 == 5;
		s.noise = uni(2, 9);
		s.defocus = uni(0.3, 1.0);
		contrast(&s);
		snprintf(set, sizeof(set), "seq%02d", q);
		for (int i = 0; i < SEQ_FRAMES; i++) {
			double t = (double)i / (SEQ_FRAMES - 1);
			double mb = blur0 * pow(1 - t, 2);

			s.ppm = 1.5 * pow(4.0, t);
			s.mx = mb * cos(dir_a);
			s.my = mb * sin(dir_a);
			s.cx += vx + uni(-1, 1);
			s.cy += vy + uni(-1, 1);
			s.angle += uni(-0.01, 0.01);
			snprintf(name, sizeof(name), "%s-%02d.pgm", set, i);
			write_frame(list, dir, name, set, &s, bg, data, len);
		}
		QRcode_free((QRcode *)s.qr);
		free(bg);
	}
}

int
main(int argc, char **argv)
{
	char path[4096];
	FILE *list;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: bench_frames OUTDIR [SEED]\n");
		return 2;
	}
	if (argc == 3) {
		/* Mixed so that near seeds start far apart; never 0, which
		 * xorshift would keep. */
		rng_state ^= strtoull(argv[2], NULL, 0) * 0xbf58476d1ce4e5b9ULL;
		if (rng_state == 0)
			rng_state = 1;
		for (int i = 0; i < 8; i++)
			rng();
	}
	snprintf(path, sizeof(path), "%s/frames.txt", argv[1]);
	if ((list = fopen(path, "w")) == NULL) {
		fprintf(stderr, "bench_frames: %s: %s\n", path, strerror(errno));
		return 1;
	}
	camera_frames(list, argv[1], 640, 480, "cam640");
	camera_frames(list, argv[1], 1280, 720, "cam720");
	sequences(list, argv[1]);
	if (fclose(list) != 0) {
		perror("bench_frames");
		return 1;
	}
	return 0;
}
