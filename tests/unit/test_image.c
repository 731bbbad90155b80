/*
 * image_load(): PNG of every colour type, JPEG and PGM made here with the
 * libraries' own writers, then cut, corrupted and oversized versions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "image.h"
#include "util.h"

static char tmpdir[] = "/tmp/qrgate-test-image-XXXXXX";

struct membuf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

static void
membuf_append(struct membuf *m, const void *d, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	memcpy(m->p + m->len, d, n);
	m->len += n;
}

static void
png_test_write(png_structp png, png_bytep d, size_t n)
{
	membuf_append(png_get_io_ptr(png), d, n);
}

static void
png_test_flush(png_structp png)
{
	(void)png;
}

/*
 * A PNG in memory.  raw holds the rows exactly as PNG stores them (packed
 * below 8 bits, big-endian at 16).
 */
static struct membuf
png_make(int w, int h, int ctype, int depth, int interlace,
    const png_color *pal, int npal, const uint8_t *trns, int ntrns,
    const uint8_t *raw)
{
	struct membuf m = { NULL, 0, 0 };
	png_structp png;
	png_infop info;
	png_bytep *rows;
	int channels;
	size_t rowbytes;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	assert_non_null(png);
	info = png_create_info_struct(png);
	assert_non_null(info);
	rows = calloc((size_t)h, sizeof(*rows));
	assert_non_null(rows);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng could not write the test image");
	png_set_write_fn(png, &m, png_test_write, png_test_flush);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype,
	    interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pal != NULL)
		png_set_PLTE(png, info, pal, npal);
	if (trns != NULL)
		png_set_tRNS(png, info, trns, ntrns, NULL);
	switch (ctype) {
	case PNG_COLOR_TYPE_RGB: channels = 3; break;
	case PNG_COLOR_TYPE_RGBA: channels = 4; break;
	case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
	default: channels = 1; break;
	}
	rowbytes = ((size_t)w * channels * depth + 7) / 8;
	for (int y = 0; y < h; y++)
		rows[y] = (png_bytep)raw + (size_t)y * rowbytes;
	png_write_info(png, info);
	if (interlace != PNG_INTERLACE_NONE)
		png_set_interlace_handling(png);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	return m;
}

static struct membuf
jpeg_make(int w, int h, int components, const uint8_t *raw)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned char *out = NULL;
	unsigned long outlen = 0;
	struct membuf m = { NULL, 0, 0 };

	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &out, &outlen);
	ci.image_width = (JDIMENSION)w;
	ci.image_height = (JDIMENSION)h;
	ci.input_components = components;
	ci.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 100, TRUE);
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		JSAMPROW row = (JSAMPROW)raw +
		    (size_t)ci.next_scanline * w * components;

		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	membuf_append(&m, out, outlen);
	free(out);
	return m;
}

static char *
tmp_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static const char *
file_write(const char *name, const void *d, size_t n)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Loads from memory and from a file; both must give the same image. */
static void
load_both(const struct membuf *m, const char *name, struct image *img)
{
	struct image fimg;
	char err[256] = "";

	assert_int_equal(image_load_mem(m->p, m->len, img, err, sizeof(err)), 0);
	assert_non_null(img->y);
	assert_int_equal(image_load(file_write(name, m->p, m->len), &fimg, err,
	    sizeof(err)), 0);
	assert_int_equal(fimg.width, img->width);
	assert_int_equal(fimg.height, img->height);
	assert_memory_equal(fimg.y, img->y, (size_t)img->width * img->height);
	image_free(&fimg);
}

/* A refused image leaves a reason and nothing allocated behind. */
static void
expect_refused(const void *buf, size_t len)
{
	struct image img;
	char err[256] = "";

	img.y = (uint8_t *)&img;
	img.width = img.height = 7;
	assert_int_equal(image_load_mem(buf, len, &img, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n'));
	assert_null(img.y);
	assert_int_equal(img.width, 0);
	assert_int_equal(img.height, 0);
}

static void
expect_pixel(const struct image *img, int x, int y, int want, int tol)
{
	int got = img->y[(size_t)y * img->width + x];

	if (got < want - tol || got > want + tol)
		fail_msg("pixel (%d,%d) is %d, want %d +- %d", x, y, got, want,
		    tol);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	struct dirent *de;
	DIR *d;

	(void)state;
	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlink(tmp_path(de->d_name));
	closedir(d);
	return rmdir(tmpdir);
}

static void
test_png_grey8(void **state)
{
	uint8_t raw[16 * 8];
	struct membuf m;
	struct image img;

	(void)state;
	for (int y = 0; y < 8; y++)
		for (int x = 0; x < 16; x++)
			raw[y * 16 + x] = (uint8_t)(x * 16 + y);
	m = png_make(16, 8, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "grey8.png", &img);
	assert_int_equal(img.width, 16);
	assert_int_equal(img.height, 8);
	assert_memory_equal(img.y, raw, sizeof(raw));
	image_free(&img);
	assert_null(img.y);
	free(m.p);
}

static void
test_png_grey8_interlaced(void **state)
{
	uint8_t raw[13 * 11];
	struct membuf m;
	struct image img;

	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 7);
	m = png_make(13, 11, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_ADAM7,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "adam7.png", &img);
	assert_int_equal(img.width, 13);
	assert_int_equal(img.height, 11);
	assert_memory_equal(img.y, raw, sizeof(raw));
	image_free(&img);
	free(m.p);
}

static void
test_png_grey1(void **state)
{
	/* Two rows of 8 one-bit pixels: 10110001 and its inverse. */
	const uint8_t raw[2] = { 0xb1, 0x4e };
	struct membuf m;
	struct image img;

	(void)state;
	m = png_make(8, 2, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "grey1.png", &img);
	assert_int_equal(img.width, 8);
	assert_int_equal(img.height, 2);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 8; x++)
			expect_pixel(&img, x, y,
			    (raw[y] >> (7 - x)) & 1 ? 255 : 0, 0);
	image_free(&img);
	free(m.p);
}

static void
test_png_rgb(void **state)
{
	uint8_t raw[8 * 2 * 3];
	/* Pure colours after the grey ramp; Rec. 709 weights, libpng's. */
	const uint8_t colours[3][3] = { { 255, 0, 0 }, { 0, 255, 0 },
	    { 0, 0, 255 } };
	const int luma[3] = { 54, 182, 18 };
	struct membuf m;
	struct image img;

	(void)state;
	memset(raw, 0, sizeof(raw));
	for (int x = 0; x < 8; x++)
		memset(raw + x * 3, x * 36, 3);
	for (int i = 0; i < 3; i++)
		memcpy(raw + 8 * 3 + i * 3, colours[i], 3);
	m = png_make(8, 2, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "rgb.png", &img);
	assert_int_equal(img.width, 8);
	assert_int_equal(img.height, 2);
	for (int x = 0; x < 8; x++)
		expect_pixel(&img, x, 0, x * 36, 0);
	for (int i = 0; i < 3; i++)
		expect_pixel(&img, i, 1, luma[i], 3);
	image_free(&img);
	free(m.p);
}

static void
test_png_rgba(void **state)
{
	uint8_t raw[6 * 1 * 4];
	struct membuf m;
	struct image img;

	(void)state;
	for (int x = 0; x < 6; x++) {
		memset(raw + x * 4, 40 * x + 10, 3);
		/* Alpha is dropped, even when fully transparent. */
		raw[x * 4 + 3] = (uint8_t)(x * 51);
	}
	m = png_make(6, 1, PNG_COLOR_TYPE_RGBA, 8, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "rgba.png", &img);
	assert_int_equal(img.width, 6);
	assert_int_equal(img.height, 1);
	for (int x = 0; x < 6; x++)
		expect_pixel(&img, x, 0, 40 * x + 10, 0);
	image_free(&img);
	free(m.p);
}

static void
test_png_grey_alpha(void **state)
{
	const uint8_t raw[] = { 0, 255, 100, 0, 200, 128, 255, 10 };
	struct membuf m;
	struct image img;

	(void)state;
	m = png_make(4, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "ga.png", &img);
	assert_int_equal(img.width, 4);
	for (int x = 0; x < 4; x++)
		expect_pixel(&img, x, 0, raw[x * 2], 0);
	image_free(&img);
	free(m.p);
}

static void
test_png_grey16(void **state)
{
	uint8_t raw[5 * 2 * 2];
	struct membuf m;
	struct image img;

	(void)state;
	for (int i = 0; i < 10; i++) {
		unsigned v = (unsigned)(i * 28) * 257;	/* exact in 8 bits */

		raw[i * 2] = (uint8_t)(v >> 8);
		raw[i * 2 + 1] = (uint8_t)v;
	}
	m = png_make(5, 2, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	load_both(&m, "grey16.png", &img);
	assert_int_equal(img.width, 5);
	assert_int_equal(img.height, 2);
	for (int i = 0; i < 10; i++)
		expect_pixel(&img, i % 5, i / 5, i * 28, 0);
	image_free(&img);
	free(m.p);
}

static void
test_png_palette(void **state)
{
	const png_color pal[4] = { { 0, 0, 0 }, { 255, 255, 255 },
	    { 128, 128, 128 }, { 255, 0, 0 } };
	/* Entry 2 fully transparent: its colour must still come through. */
	const uint8_t trns[3] = { 255, 255, 0 };
	/* 2-bit indices 0 1 2 3, 3 2 1 0. */
	const uint8_t raw[2] = { 0x1b, 0xe4 };
	const int want[4] = { 0, 255, 128, 54 };
	struct membuf m;
	struct image img;

	(void)state;
	m = png_make(4, 2, PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_NONE,
	    pal, 4, trns, 3, raw);
	load_both(&m, "palette.png", &img);
	assert_int_equal(img.width, 4);
	assert_int_equal(img.height, 2);
	for (int x = 0; x < 4; x++) {
		expect_pixel(&img, x, 0, want[x], x == 3 ? 3 : 0);
		expect_pixel(&img, 3 - x, 1, want[x], x == 3 ? 3 : 0);
	}
	image_free(&img);
	free(m.p);
}

static struct membuf
png_small(void)
{
	uint8_t raw[32 * 32];

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)((i * 2654435761u) >> 24);
	return png_make(32, 32, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
}

static void
test_png_truncated(void **state)
{
	struct membuf m = png_small();

	(void)state;
	expect_refused(m.p, 8);			/* signature only */
	expect_refused(m.p, 20);		/* inside IHDR */
	expect_refused(m.p, m.len / 2);		/* inside IDAT */
	expect_refused(m.p, m.len - 12);	/* IEND missing */
	expect_refused(m.p, m.len - 1);
	free(m.p);
}

static void
test_png_corrupt(void **state)
{
	struct membuf m = png_small();
	uint8_t *idat = memmem(m.p, m.len, "IDAT", 4);
	uint8_t junk[64];

	(void)state;
	/* A flipped byte in the image data fails the chunk's CRC. */
	assert_non_null(idat);
	idat[10] ^= 0x55;
	expect_refused(m.p, m.len);
	free(m.p);

	/* A valid signature followed by noise. */
	memcpy(junk, "\x89PNG\r\n\x1a\n", 8);
	for (size_t i = 8; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	expect_refused(junk, sizeof(junk));
}

static void
test_png_too_large(void **state)
{
	uint8_t *raw = calloc(10000, 1);
	struct membuf m;

	(void)state;
	assert_non_null(raw);
	m = png_make(10000, 1, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE,
	    NULL, 0, NULL, 0, raw);
	expect_refused(m.p, m.len);
	free(m.p);
	free(raw);
}

/* 32x32 in flat 8x8 blocks, so that JPEG keeps them nearly exact. */
static int
jpeg_block_value(int x, int y)
{
	return 30 + 50 * ((x / 8 + y / 8) % 4);
}

static void
test_jpeg_grey(void **state)
{
	uint8_t raw[32 * 32];
	struct membuf m;
	struct image img;

	(void)state;
	for (int y = 0; y < 32; y++)
		for (int x = 0; x < 32; x++)
			raw[y * 32 + x] = (uint8_t)jpeg_block_value(x, y);
	m = jpeg_make(32, 32, 1, raw);
	load_both(&m, "grey.jpg", &img);
	assert_int_equal(img.width, 32);
	assert_int_equal(img.height, 32);
	for (int y = 0; y < 32; y++)
		for (int x = 0; x < 32; x++)
			expect_pixel(&img, x, y, jpeg_block_value(x, y), 4);
	image_free(&img);
	free(m.p);
}

static void
test_jpeg_colour(void **state)
{
	uint8_t raw[24 * 16 * 3];
	struct membuf m;
	struct image img;

	(void)state;
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 24; x++)
			memset(raw + (y * 24 + x) * 3, jpeg_block_value(x, y),
			    3);
	m = jpeg_make(24, 16, 3, raw);
	load_both(&m, "colour.jpeg", &img);
	assert_int_equal(img.width, 24);
	assert_int_equal(img.height, 16);
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 24; x++)
			expect_pixel(&img, x, y, jpeg_block_value(x, y), 4);
	image_free(&img);
	free(m.p);
}

static void
test_jpeg_truncated(void **state)
{
	uint8_t raw[32 * 32];
	struct membuf m;

	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)((i * 2654435761u) >> 24);
	m = jpeg_make(32, 32, 1, raw);
	expect_refused(m.p, 3);
	expect_refused(m.p, 40);
	expect_refused(m.p, m.len / 2);
	expect_refused(m.p, m.len - 2);		/* no end marker */
	free(m.p);
}

static void
test_jpeg_garbage(void **state)
{
	uint8_t junk[256];

	(void)state;
	junk[0] = 0xff;
	junk[1] = 0xd8;
	junk[2] = 0xff;
	for (size_t i = 3; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	expect_refused(junk, sizeof(junk));
}

static void
test_jpeg_too_large(void **state)
{
	uint8_t *raw = calloc(10000 * 8, 1);
	struct membuf m;

	(void)state;
	assert_non_null(raw);
	m = jpeg_make(10000, 8, 1, raw);
	expect_refused(m.p, m.len);
	free(m.p);
	free(raw);
}

static struct membuf
pgm_make(const char *header, const uint8_t *px, size_t n)
{
	struct membuf m = { NULL, 0, 0 };

	membuf_append(&m, header, strlen(header));
	if (n > 0)
		membuf_append(&m, px, n);
	return m;
}

static void
test_pgm(void **state)
{
	const uint8_t px[8] = { 0, 1, 2, 3, 250, 251, 254, 255 };
	struct membuf m;
	struct image img;

	(void)state;
	m = pgm_make("P5\n# made by a test\n4 # width\n2\n# max\n255\n", px,
	    sizeof(px));
	load_both(&m, "comments.pgm", &img);
	assert_int_equal(img.width, 4);
	assert_int_equal(img.height, 2);
	assert_memory_equal(img.y, px, sizeof(px));
	image_free(&img);
	free(m.p);
}

static void
test_pgm_maxval(void **state)
{
	/* 20 is above maxval: invalid, read as white. */
	const uint8_t px[4] = { 0, 7, 15, 20 };
	const int want[4] = { 0, 119, 255, 255 };
	struct membuf m;
	struct image img;
	char err[128];

	(void)state;
	m = pgm_make("P5 4 1 15\n", px, sizeof(px));
	assert_int_equal(image_load_mem(m.p, m.len, &img, err, sizeof(err)), 0);
	for (int x = 0; x < 4; x++)
		expect_pixel(&img, x, 0, want[x], 0);
	image_free(&img);
	free(m.p);
}

static void
test_pgm_refused(void **state)
{
	static const char *const headers[] = {
		"P5\n4 2\n255",				/* no raster separator */
		"P5\n4 2",				/* cut in the header */
		"P5\n",
		"P54 2 255\n",				/* no space after magic */
		"P5\n100000 100000\n255\n",		/* too large */
		"P5\n8193 1\n255\n",
		"P5\n0 2\n255\n",			/* empty */
		"P5\n4 2\n65535\n",			/* 16-bit samples */
		"P5\n4 2\n0\n",
		"P5\n-4 2\n255\n",
		"P5\n99999999999999999999 2\n255\n",	/* overflow */
		"P5\n4 x\n255\n",
		"P5 # no end to this comment",
	};
	/* Enough for every header, so only the header can be refused. */
	uint8_t px[16];
	struct membuf m;

	(void)state;
	for (size_t i = 0; i < sizeof(px); i++)
		px[i] = (uint8_t)(i + 1);
	for (size_t i = 0; i < nitems(headers); i++) {
		m = pgm_make(headers[i], px, sizeof(px));
		expect_refused(m.p, m.len);
		free(m.p);
	}
	/* Seven bytes where eight are due. */
	m = pgm_make("P5\n4 2\n255\n", px, 7);
	expect_refused(m.p, m.len);
	free(m.p);
}

static void
test_garbage(void **state)
{
	const uint8_t text[] = "hello, this is not an image at all";
	const uint8_t one[1] = { 0x89 };
	uint8_t zero = 0;
	struct image img;
	char err[8];

	(void)state;
	expect_refused(text, sizeof(text));
	expect_refused(one, sizeof(one));
	expect_refused(&zero, 0);
	expect_refused(NULL, 0);
	expect_refused("P6\n1 1\n255\nabc", 14);	/* colour PPM */
	/* A short err buffer still gets a terminated reason. */
	assert_int_equal(image_load_mem(text, sizeof(text), &img, err,
	    sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	/* A caller that wants no reason may pass none. */
	assert_int_equal(image_load_mem(text, sizeof(text), &img, NULL, 0), -1);
}

static void
test_load_files_refused(void **state)
{
	struct image img;
	char err[512] = "";
	const char *path;
	int fd;

	(void)state;
	path = tmp_path("missing.png");
	assert_int_equal(image_load(path, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.png"));
	assert_null(img.y);

	err[0] = '\0';
	assert_int_equal(image_load(tmpdir, &img, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');

	err[0] = '\0';
	path = file_write("empty.pgm", "", 0);
	assert_int_equal(image_load(path, &img, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');

	/* Sparse, so it costs no disk; refused before it is read. */
	path = tmp_path("huge.pgm");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "P5 1 1 255\n", 11), 11);
	assert_int_equal(ftruncate(fd, 64 * 1024 * 1024 + 1), 0);
	close(fd);
	err[0] = '\0';
	assert_int_equal(image_load(path, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger"));
}

static void
test_free_empty(void **state)
{
	struct image img = { NULL, 0, 0 };

	(void)state;
	image_free(&img);
	image_free(NULL);
	assert_null(img.y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_grey8),
		cmocka_unit_test(test_png_grey8_interlaced),
		cmocka_unit_test(test_png_grey1),
		cmocka_unit_test(test_png_rgb),
		cmocka_unit_test(test_png_rgba),
		cmocka_unit_test(test_png_grey_alpha),
		cmocka_unit_test(test_png_grey16),
		cmocka_unit_test(test_png_palette),
		cmocka_unit_test(test_png_truncated),
		cmocka_unit_test(test_png_corrupt),
		cmocka_unit_test(test_png_too_large),
		cmocka_unit_test(test_jpeg_grey),
		cmocka_unit_test(test_jpeg_colour),
		cmocka_unit_test(test_jpeg_truncated),
		cmocka_unit_test(test_jpeg_garbage),
		cmocka_unit_test(test_jpeg_too_large),
		cmocka_unit_test(test_pgm),
		cmocka_unit_test(test_pgm_maxval),
		cmocka_unit_test(test_pgm_refused),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_load_files_refused),
		cmocka_unit_test(test_free_empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
