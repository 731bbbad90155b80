/*
 * Compares what a display showed (a PPM, as qemu's QMP screendump writes
 * it) with a PNG of the same screen (qrgatectl screen --png), pixel by
 * pixel, for the system tier's screen phase.  Prints one line:
 *
 *   WxH: N pixels differ (largest channel difference D) [in X0,Y0-X1,Y1]
 *
 * and exits 0 when both pictures have the same size, 1 when not (or
 * unreadable: said on stderr).  Whether N may be above 0 is the test's to
 * judge.  A test tool, not part of the gate.
 *
 *   screencmp SHOWN.ppm EXPECTED.png
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

struct picture {
	int w, h;
	uint8_t *rgb;	/* w * h * 3 */
};

/* A binary PPM (P6, maxval 255). */
static int
ppm_read(const char *path, struct picture *p)
{
	FILE *f = fopen(path, "rb");
	int maxval, c;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	if (fscanf(f, "P6 %d %d %d", &p->w, &p->h, &maxval) != 3 ||
	    maxval != 255 || p->w <= 0 || p->h <= 0 || p->w > 8192 ||
	    p->h > 8192 || (c = fgetc(f)) == EOF || (c != '\n' && c != ' ')) {
		fprintf(stderr, "%s: not a P6 PPM of maxval 255\n", path);
		fclose(f);
		return -1;
	}
	p->rgb = malloc((size_t)p->w * p->h * 3);
	if (p->rgb == NULL ||
	    fread(p->rgb, 3, (size_t)p->w * p->h, f) != (size_t)p->w * p->h) {
		fprintf(stderr, "%s: short\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Any PNG, through libpng's simplified API, as 8-bit RGB. */
static int
png_read(const char *path, struct picture *p)
{
	png_image img;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		fprintf(stderr, "%s: %s\n", path, img.message);
		return -1;
	}
	img.format = PNG_FORMAT_RGB;
	p->w = (int)img.width;
	p->h = (int)img.height;
	p->rgb = malloc(PNG_IMAGE_SIZE(img));
	if (p->rgb == NULL ||
	    !png_image_finish_read(&img, NULL, p->rgb, 0, NULL)) {
		fprintf(stderr, "%s: %s\n", path, img.message);
		png_image_free(&img);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct picture a, b;
	int x0 = -1, y0 = -1, x1 = -1, y1 = -1, maxd = 0;
	long n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: screencmp SHOWN.ppm EXPECTED.png\n");
		return 2;
	}
	if (ppm_read(argv[1], &a) == -1 || png_read(argv[2], &b) == -1)
		return 1;
	if (a.w != b.w || a.h != b.h) {
		printf("%dx%d shown, %dx%d expected\n", a.w, a.h, b.w, b.h);
		return 1;
	}
	for (int y = 0; y < a.h; y++) {
		for (int x = 0; x < a.w; x++) {
			const uint8_t *pa = a.rgb + ((size_t)y * a.w + x) * 3;
			const uint8_t *pb = b.rgb + ((size_t)y * b.w + x) * 3;
			int d = 0;

			for (int c = 0; c < 3; c++) {
				int e = abs(pa[c] - pb[c]);

				d = e > d ? e : d;
			}
			if (d == 0)
				continue;
			n++;
			maxd = d > maxd ? d : maxd;
			if (x0 == -1 || x < x0)
				x0 = x;
			if (x > x1)
				x1 = x;
			if (y0 == -1)
				y0 = y;
			y1 = y;
		}
	}
	printf("%dx%d: %ld pixels differ (largest channel difference %d)",
	    a.w, a.h, n, maxd);
	if (n > 0)
		printf(" in %d,%d-%d,%d", x0, y0, x1, y1);
	printf("\n");
	free(a.rgb);
	free(b.rgb);
	return 0;
}
