/*
 * The image loaders: image_load_mem() (PNG, JPEG, binary PGM, told apart
 * by their first bytes) and image_jpeg_decode_grey() (a camera's MJPEG
 * frame), on files and frames from anywhere.
 *
 * A header may claim up to IMAGE_MAX_SIDE x IMAGE_MAX_SIDE pixels, which
 * the loaders allocate and decode: real, but then the fuzzer measures
 * malloc and memset.  So an input whose header asks for more than
 * FUZZ_MAX_PIXELS (and not more than IMAGE_MAX_SIDE a side, which the
 * loaders must refuse before allocating, and which is still run) is
 * skipped; libjpeg itself reads the JPEG header for that, so the check
 * sees what the loader will see.  A PGM's raster must be in the input,
 * so it needs no cap.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "image.h"
#include "fuzz.h"

#define FUZZ_MAX_PIXELS	(1024 * 1024)

struct hdr_err {
	struct jpeg_error_mgr mgr;
	jmp_buf jb;
};

static void
hdr_error_exit(j_common_ptr ci)
{
	longjmp(((struct hdr_err *)ci->err)->jb, 1);
}

static void
hdr_message(j_common_ptr ci)
{
	(void)ci;
}

/* Whether a size is worth decoding: small, or refused before any malloc. */
static int
size_ok(unsigned long w, unsigned long h)
{
	return w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE ||
	    w * h <= FUZZ_MAX_PIXELS;
}

/* The JPEG's size as libjpeg reads it; unreadable headers pass. */
static int
jpeg_size_ok(const uint8_t *buf, size_t len)
{
	struct jpeg_decompress_struct ci;
	struct hdr_err e;
	int ok = 1;

	memset(&ci, 0, sizeof(ci));
	ci.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = hdr_error_exit;
	e.mgr.output_message = hdr_message;
	if (setjmp(e.jb) != 0) {
		jpeg_destroy_decompress(&ci);
		return 1;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, buf, (unsigned long)len);
	if (jpeg_read_header(&ci, TRUE) == JPEG_HEADER_OK)
		ok = size_ok(ci.image_width, ci.image_height);
	jpeg_destroy_decompress(&ci);
	return ok;
}

/* A PNG's IHDR, which libpng insists comes first, at a fixed place. */
static int
png_size_ok(const uint8_t *buf, size_t len)
{
	unsigned long w, h;

	if (len < 24)
		return 1;
	w = (unsigned long)buf[16] << 24 | (unsigned long)buf[17] << 16 |
	    (unsigned long)buf[18] << 8 | buf[19];
	h = (unsigned long)buf[20] << 24 | (unsigned long)buf[21] << 16 |
	    (unsigned long)buf[22] << 8 | buf[23];
	return size_ok(w, h);
}

static void
check_image(const struct image *img)
{
	if (img->y == NULL || img->width < 1 || img->height < 1 ||
	    img->width > IMAGE_MAX_SIDE || img->height > IMAGE_MAX_SIDE)
		abort();
	volatile unsigned sum = 0;

	/* Every byte is read, so ASan catches a plane shorter than its
	 * width times its height. */
	for (size_t i = 0; i < (size_t)img->width * img->height; i++)
		sum += img->y[i];
	(void)sum;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct image img;
	char err[256];
	uint8_t *plane = NULL;
	size_t cap = 0;
	int w = 0, h = 0, w0, h0;

	if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 &&
	    !jpeg_size_ok(data, len))
		return 0;
	if (len >= 8 && data[0] == 0x89 && !png_size_ok(data, len))
		return 0;

	err[0] = '\0';
	if (image_load_mem(data, len, &img, err, sizeof(err)) == 0) {
		check_image(&img);
		image_free(&img);
	} else if (img.y != NULL || err[0] == '\0')
		abort();	/* no partial image, and a reason */

	if (len < 2 || data[0] != 0xff || data[1] != 0xd8)
		return 0;
	/* Any size, then the same buffer again for a frame that must have
	 * the size just found, and for one that must be 1 pixel wider. */
	if (image_jpeg_decode_grey(data, len, &plane, &cap, &w, &h, err,
	    sizeof(err)) == 0) {
		if (w < 1 || h < 1 || plane == NULL ||
		    cap < (size_t)w * (size_t)h)
			abort();
		w0 = w;
		h0 = h;
		if (image_jpeg_decode_grey(data, len, &plane, &cap, &w, &h,
		    err, sizeof(err)) != 0 || w != w0 || h != h0)
			abort();
		w = w0 + 1;
		if (image_jpeg_decode_grey(data, len, &plane, &cap, &w, &h,
		    err, sizeof(err)) == 0)
			abort();
	}
	free(plane);
	return 0;
}
