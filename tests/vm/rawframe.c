/*
 * rawframe: writes an image as one raw V4L2 frame, for the system tests,
 * which play it on vivid's video output so that it comes back on vivid's
 * capture (loop_video), the device qrgated reads.
 *
 *	rawframe GREY|YUYV WIDTH HEIGHT IN OUT
 *
 * The image is loaded as the daemon loads images (src/image.h), centred on
 * a white frame of WIDTH x HEIGHT (cut if larger), and written as GREY (one
 * byte a pixel) or YUYV (Y, then 128 for every chroma byte: grey).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static int
rawframe_write(FILE *f, const struct image *img, int w, int h, bool yuyv)
{
	int dx = (w - img->width) / 2, dy = (h - img->height) / 2;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int sx = x - dx, sy = y - dy;
			int v = 255;

			if (sx >= 0 && sx < img->width && sy >= 0 &&
			    sy < img->height)
				v = img->y[(size_t)sy * img->width + sx];
			if (putc(v, f) == EOF || (yuyv && putc(128, f) == EOF))
				return -1;
		}
	return 0;
}

int
main(int argc, char **argv)
{
	struct image img;
	char err[256];
	bool yuyv;
	FILE *f;
	int w, h;

	if (argc != 6 || (strcmp(argv[1], "GREY") != 0 &&
	    strcmp(argv[1], "YUYV") != 0)) {
		fprintf(stderr, "usage: rawframe GREY|YUYV WIDTH HEIGHT IN "
		    "OUT\n");
		return 2;
	}
	yuyv = strcmp(argv[1], "YUYV") == 0;
	w = atoi(argv[2]);
	h = atoi(argv[3]);
	/* YUYV pairs pixels, so its width is even. */
	if (w <= 0 || h <= 0 || w > 8192 || h > 8192 || (yuyv && w % 2 != 0)) {
		fprintf(stderr, "rawframe: bad size %sx%s\n", argv[2], argv[3]);
		return 2;
	}
	if (image_load(argv[4], &img, err, sizeof(err)) == -1) {
		fprintf(stderr, "rawframe: %s\n", err);
		return 1;
	}
	if ((f = fopen(argv[5], "wb")) == NULL) {
		fprintf(stderr, "rawframe: %s: %s\n", argv[5], strerror(errno));
		image_free(&img);
		return 1;
	}
	if (rawframe_write(f, &img, w, h, yuyv) == -1 || fclose(f) == EOF) {
		fprintf(stderr, "rawframe: %s: write failed\n", argv[5]);
		image_free(&img);
		return 1;
	}
	image_free(&img);
	return 0;
}
