/*
 * qrframe: makes a camera-like test frame holding one QR code (or none).
 *
 *   qrframe [options] OUTPUT.{png,pgm,jpg}
 *
 * The code is encoded by libqrencode in 8-bit mode, so the bytes given are
 * exactly the bytes a decoder should return.  It is drawn as square
 * modules on a grey background, then optionally rotated (bilinear),
 * blurred (box) and given gaussian noise from a fixed seed.  The same
 * arguments always give the same file.  A test tool, not part of the gate.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <qrencode.h>

#include "image.h"

struct opts {
	const char *text, *data_file, *out;
	int none;
	int w, h, scale, cx, cy, quiet;
	QRecLevel level;
	int bg, dark, light, invert;
	double noise, rotate;
	int blur;
	uint64_t seed;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: qrframe (--text S | --data-file F | --none) [--size WxH]\n"
	    "       [--scale N] [--center X,Y] [--level L|M|Q|H] [--bg N]\n"
	    "       [--dark N] [--light N] [--invert] [--noise SIGMA] [--seed N]\n"
	    "       [--blur R] [--rotate DEG] [--quiet N] OUTPUT.{png,pgm,jpg}\n");
	exit(2);
}

static long
num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "qrframe: %s: %s not in %ld..%ld\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static double
real(const char *s, double lo, double hi, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
		fprintf(stderr, "qrframe: %s: %s not in %g..%g\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* splitmix64: a tiny generator that is the same on every platform. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
rng_gauss(uint64_t *s)
{
	/* Box-Muller; u1 is in (0, 1] so log() is finite. */
	double u1 = ((rng_next(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
	double u2 = (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static uint8_t
clamp8(double v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)lrint(v);
}

/* The code with its quiet zone, side*side pixels. */
static uint8_t *
render_code(const struct opts *o, const QRcode *qr, int *side)
{
	int mods = qr->width + 2 * o->quiet, s = mods * o->scale;
	int dark = o->invert ? o->light : o->dark;
	int light = o->invert ? o->dark : o->light;
	uint8_t *p;

	if ((p = malloc((size_t)s * s)) == NULL) {
		perror("malloc");
		exit(1);
	}
	for (int y = 0; y < s; y++)
		for (int x = 0; x < s; x++) {
			int mx = x / o->scale - o->quiet, my = y / o->scale - o->quiet;
			int on = mx >= 0 && my >= 0 && mx < qr->width &&
			    my < qr->width && (qr->data[my * qr->width + mx] & 1);
			p[y * s + x] = (uint8_t)(on ? dark : light);
		}
	*side = s;
	return p;
}

/* A code pixel, or the background outside the code. */
static double
code_at(const uint8_t *c, int s, int x, int y, int bg)
{
	return (x < 0 || y < 0 || x >= s || y >= s) ? bg : c[y * s + x];
}

static void
place_code(const struct opts *o, uint8_t *img, const uint8_t *c, int s)
{
	double a = o->rotate * M_PI / 180.0, ca = cos(a), sa = sin(a);
	int ox = o->cx - s / 2, oy = o->cy - s / 2;

	if (o->rotate == 0) {
		for (int y = 0; y < s; y++)
			memcpy(img + (size_t)(oy + y) * o->w + ox, c + y * s, s);
		return;
	}
	/* Each frame pixel samples the code at its unrotated position. */
	for (int y = 0; y < o->h; y++)
		for (int x = 0; x < o->w; x++) {
			double dx = x - o->cx, dy = y - o->cy;
			double u = ca * dx + sa * dy + o->cx - ox;
			double v = -sa * dx + ca * dy + o->cy - oy;
			int iu = (int)floor(u), iv = (int)floor(v);
			double fu = u - iu, fv = v - iv;

			if (iu < -1 || iv < -1 || iu >= s || iv >= s)
				continue;
			img[(size_t)y * o->w + x] = clamp8(
			    (1 - fv) * ((1 - fu) * code_at(c, s, iu, iv, o->bg) +
			    fu * code_at(c, s, iu + 1, iv, o->bg)) +
			    fv * ((1 - fu) * code_at(c, s, iu, iv + 1, o->bg) +
			    fu * code_at(c, s, iu + 1, iv + 1, o->bg)));
		}
}

/* Separable box blur; edge pixels are repeated. */
static void
box_blur(uint8_t *img, int w, int h, int r)
{
	uint8_t *tmp = malloc((size_t)w * h);

	if (tmp == NULL) {
		perror("malloc");
		exit(1);
	}
	for (int pass = 0; pass < 2; pass++) {
		const uint8_t *src = pass ? tmp : img;
		uint8_t *dst = pass ? img : tmp;

		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int sum = 0;

				for (int k = -r; k <= r; k++) {
					int xx = pass ? x : x + k, yy = pass ? y + k : y;

					xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
					yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
					sum += src[(size_t)yy * w + xx];
				}
				dst[(size_t)y * w + x] = clamp8((double)sum / (2 * r + 1));
			}
	}
	free(tmp);
}

static void
write_png(FILE *f, const uint8_t *img, int w, int h)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING,
	    NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;

	if (info == NULL || setjmp(png_jmpbuf(png))) {
		fprintf(stderr, "qrframe: cannot write PNG\n");
		exit(1);
	}
	png_init_io(png, f);
	png_set_compression_level(png, 9);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < h; y++)
		png_write_row(png, img + (size_t)y * w);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
}

static void
write_jpeg(FILE *f, uint8_t *img, int w, int h)
{
	struct jpeg_compress_struct cj;
	struct jpeg_error_mgr jerr;

	cj.err = jpeg_std_error(&jerr);	/* errors exit: fine for a tool */
	jpeg_create_compress(&cj);
	jpeg_stdio_dest(&cj, f);
	cj.image_width = (JDIMENSION)w;
	cj.image_height = (JDIMENSION)h;
	cj.input_components = 1;
	cj.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&cj);
	jpeg_set_quality(&cj, 90, TRUE);
	jpeg_start_compress(&cj, TRUE);
	while (cj.next_scanline < cj.image_height) {
		JSAMPROW row = img + (size_t)cj.next_scanline * w;

		jpeg_write_scanlines(&cj, &row, 1);
	}
	jpeg_finish_compress(&cj);
	jpeg_destroy_compress(&cj);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "text", required_argument, NULL, 't' },
		{ "data-file", required_argument, NULL, 'f' },
		{ "none", no_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'k' },
		{ "center", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "bg", required_argument, NULL, 'b' },
		{ "dark", required_argument, NULL, 'd' },
		{ "light", required_argument, NULL, 'L' },
		{ "invert", no_argument, NULL, 'i' },
		{ "noise", required_argument, NULL, 'N' },
		{ "seed", required_argument, NULL, 'S' },
		{ "blur", required_argument, NULL, 'B' },
		{ "rotate", required_argument, NULL, 'r' },
		{ "quiet", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .w = 640, .h = 480, .scale = 4, .cx = -1, .cy = -1,
	    .quiet = 4, .level = QR_ECLEVEL_M, .bg = 150, .dark = 20,
	    .light = 235, .seed = 1 };
	const char *ext;
	uint8_t *img, *data = NULL;
	size_t len = 0;
	FILE *f;
	int ch, end, sources = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': o.text = optarg; sources++; break;
		case 'f': o.data_file = optarg; sources++; break;
		case 'n': o.none = 1; sources++; break;
		case 's':
			if (sscanf(optarg, "%dx%d%n", &o.w, &o.h, &end) != 2 ||
			    optarg[end] != '\0' || o.w < 1 ||
			    o.h < 1 || o.w > IMAGE_MAX_SIDE || o.h > IMAGE_MAX_SIDE)
				usage();
			break;
		case 'k': o.scale = (int)num(optarg, 1, 64, "--scale"); break;
		case 'c':
			if (sscanf(optarg, "%d,%d%n", &o.cx, &o.cy, &end) != 2 ||
			    optarg[end] != '\0' || o.cx < 0 || o.cy < 0)
				usage();
			break;
		case 'l':
			if (strlen(optarg) != 1 || strchr("LMQH", optarg[0]) == NULL)
				usage();
			o.level = optarg[0] == 'L' ? QR_ECLEVEL_L :
			    optarg[0] == 'M' ? QR_ECLEVEL_M :
			    optarg[0] == 'Q' ? QR_ECLEVEL_Q : QR_ECLEVEL_H;
			break;
		case 'b': o.bg = (int)num(optarg, 0, 255, "--bg"); break;
		case 'd': o.dark = (int)num(optarg, 0, 255, "--dark"); break;
		case 'L': o.light = (int)num(optarg, 0, 255, "--light"); break;
		case 'i': o.invert = 1; break;
		case 'N': o.noise = real(optarg, 0, 128, "--noise"); break;
		case 'S': o.seed = (uint64_t)num(optarg, 0, INT32_MAX, "--seed"); break;
		case 'B': o.blur = (int)num(optarg, 0, 32, "--blur"); break;
		case 'r': o.rotate = real(optarg, -360, 360, "--rotate"); break;
		case 'q': o.quiet = (int)num(optarg, 0, 64, "--quiet"); break;
		default: usage();
		}
	}
	if (sources != 1 || optind != argc - 1)
		usage();
	o.out = argv[optind];
	if (o.cx < 0)
		o.cx = o.w / 2, o.cy = o.h / 2;
	if ((ext = strrchr(o.out, '.')) == NULL ||
	    (strcmp(ext, ".png") && strcmp(ext, ".pgm") && strcmp(ext, ".jpg"))) {
		fprintf(stderr, "qrframe: %s: name must end in .png, .pgm or .jpg\n",
		    o.out);
		return 2;
	}
	if (o.text != NULL) {
		data = (uint8_t *)strdup(o.text);
		len = strlen(o.text);
	} else if (o.data_file != NULL)
		data = read_file(o.data_file, &len);

	if ((img = malloc((size_t)o.w * o.h)) == NULL) {
		perror("malloc");
		return 1;
	}
	memset(img, o.bg, (size_t)o.w * o.h);
	if (!o.none) {
		QRcode *qr = QRcode_encodeData((int)len, data, 0, o.level);
		double a = o.rotate * M_PI / 180.0, half;
		uint8_t *code;
		int s;

		if (qr == NULL) {
			fprintf(stderr, "qrframe: cannot encode %zu bytes: %s\n",
			    len, strerror(errno));
			return 1;
		}
		code = render_code(&o, qr, &s);
		/* The whole code, rotated, must lie inside the frame. */
		half = s / 2.0 * (fabs(cos(a)) + fabs(sin(a)));
		if (o.cx - half < 0 || o.cy - half < 0 ||
		    o.cx + half > o.w || o.cy + half > o.h) {
			fprintf(stderr, "qrframe: a %dx%d code (version %d) does "
			    "not fit in %dx%d at %d,%d\n", s, s, qr->version,
			    o.w, o.h, o.cx, o.cy);
			return 1;
		}
		place_code(&o, img, code, s);
		free(code);
		QRcode_free(qr);
	}
	if (o.blur > 0)
		box_blur(img, o.w, o.h, o.blur);
	if (o.noise > 0)
		for (size_t i = 0; i < (size_t)o.w * o.h; i++)
			img[i] = clamp8(img[i] + o.noise * rng_gauss(&o.seed));

	if ((f = fopen(o.out, "wb")) == NULL) {
		perror(o.out);
		return 1;
	}
	if (strcmp(ext, ".png") == 0)
		write_png(f, img, o.w, o.h);
	else if (strcmp(ext, ".jpg") == 0)
		write_jpeg(f, img, o.w, o.h);
	else {
		fprintf(f, "P5\n%d %d\n255\n", o.w, o.h);
		fwrite(img, 1, (size_t)o.w * o.h, f);
	}
	if (fclose(f) != 0) {
		perror(o.out);
		return 1;
	}
	free(img);
	free(data);
	return 0;
}
