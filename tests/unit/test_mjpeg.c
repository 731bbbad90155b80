/*
 * MJPEG frames to a Y plane: image_jpeg_decode_grey() and the V4L2
 * camera's corrupt-frame rule (v4l2_mjpeg_*), on JPEGs made here with
 * libjpeg's compress API the way webcams make them (4:2:2, standard
 * Huffman tables, often left out of the frame), then cut, padded,
 * corrupted and replaced by garbage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "v4l2_format.h"
#include "image.h"
#include "util.h"

#define SEC 1000000000LL

struct jbuf {
	uint8_t *p;
	size_t len;
};

/* 8x8 blocks of flat grey, so that JPEG keeps them nearly exact. */
static uint8_t
scene(int x, int y, int shift)
{
	return (uint8_t)(30 + 50 * ((x / 8 + y / 8 + shift) % 4));
}

/*
 * A w x h JPEG of scene(): grey (one component) or, like a webcam, YCbCr
 * 4:2:2 made from RGB with some colour on top of the grey levels.
 */
static struct jbuf
jpeg_make(int w, int h, bool colour, int shift)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned char *out = NULL;
	unsigned long outlen = 0;
	int comps = colour ? 3 : 1;
	uint8_t *row = malloc((size_t)w * comps);
	struct jbuf j;

	assert_non_null(row);
	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &out, &outlen);
	ci.image_width = (JDIMENSION)w;
	ci.image_height = (JDIMENSION)h;
	ci.input_components = comps;
	ci.in_color_space = colour ? JCS_RGB : JCS_GRAYSCALE;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 90, TRUE);
	if (colour) {
		/* 4:2:2, what UVC webcams send. */
		ci.comp_info[0].h_samp_factor = 2;
		ci.comp_info[0].v_samp_factor = 1;
	}
	jpeg_start_compress(&ci, TRUE);
	while (ci.next_scanline < ci.image_height) {
		int y = (int)ci.next_scanline;

		for (int x = 0; x < w; x++) {
			uint8_t v = scene(x, y, shift);

			if (colour) {
				/* Reddish, with green and blue taken so that
				 * the luma (0.299 R + 0.587 G + 0.114 B)
				 * stays v to within 0.2. */
				row[x * 3] = (uint8_t)(v + 20);
				row[x * 3 + 1] = (uint8_t)(v - 6);
				row[x * 3 + 2] = (uint8_t)(v - 20);
			} else
				row[x] = v;
		}
		jpeg_write_scanlines(&ci, &row, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	free(row);
	j.p = out;
	j.len = outlen;
	return j;
}

/* The length of the marker segment at p (FF xx LL LL ...), 2 + LLLL. */
static size_t
seg_len(const uint8_t *p)
{
	return 2 + (((size_t)p[2] << 8) | p[3]);
}

/*
 * Copies j without its DHT segments, as a webcam's MJPEG frame comes.
 * Returns the number of tables segments left out.
 */
static int
strip_dht(const struct jbuf *j, struct jbuf *out)
{
	size_t i = 2, o = 2;
	int n = 0;

	out->p = malloc(j->len);
	assert_non_null(out->p);
	memcpy(out->p, j->p, 2);
	while (i + 4 <= j->len) {
		assert_int_equal(j->p[i], 0xff);
		if (j->p[i + 1] == 0xda) {
			/* The scan: everything from here on, as it is. */
			memcpy(out->p + o, j->p + i, j->len - i);
			o += j->len - i;
			break;
		}
		if (j->p[i + 1] == 0xc4)
			n++;
		else {
			memcpy(out->p + o, j->p + i, seg_len(j->p + i));
			o += seg_len(j->p + i);
		}
		i += seg_len(j->p + i);
	}
	out->len = o;
	return n;
}

/* Whether a DHT marker comes before the scan. */
static bool
has_dht(const struct jbuf *j)
{
	for (size_t i = 2; i + 4 <= j->len && j->p[i + 1] != 0xda;
	    i += seg_len(j->p + i))
		if (j->p[i + 1] == 0xc4)
			return true;
	return false;
}

/* Offset of the SOF0 segment. */
static size_t
find_sof(const struct jbuf *j)
{
	for (size_t i = 2; i + 4 <= j->len && j->p[i + 1] != 0xda;
	    i += seg_len(j->p + i))
		if (j->p[i + 1] == 0xc0)
			return i;
	fail_msg("no SOF0");
	return 0;
}

/* j with n bytes of v inserted before its end marker. */
static struct jbuf
pad_before_eoi(const struct jbuf *j, size_t n, uint8_t v)
{
	struct jbuf o;

	assert_int_equal(j->p[j->len - 2], 0xff);
	assert_int_equal(j->p[j->len - 1], 0xd9);
	o.len = j->len + n;
	o.p = malloc(o.len);
	assert_non_null(o.p);
	memcpy(o.p, j->p, j->len - 2);
	memset(o.p + j->len - 2, v, n);
	memcpy(o.p + j->len - 2 + n, j->p + j->len - 2, 2);
	return o;
}

/* Decodes with image_load_mem(), the stills' path, for reference. */
static struct image
ref_decode(const struct jbuf *j)
{
	struct image img;
	char err[256];

	assert_int_equal(image_load_mem(j->p, j->len, &img, err, sizeof(err)),
	    0);
	return img;
}

static void
expect_scene(const uint8_t *plane, int w, int h, int shift)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int d = plane[y * w + x] - scene(x, y, shift);

			if (d < -4 || d > 4)
				fail_msg("pixel %d,%d is %d, want %d", x, y,
				    plane[y * w + x], scene(x, y, shift));
		}
}

static void
test_decode_grey(void **state)
{
	struct jbuf j = jpeg_make(64, 48, false, 0);
	struct image ref = ref_decode(&j);
	uint8_t *plane = NULL;
	size_t cap = 0;
	int w = 0, h = 0;
	char err[256];

	(void)state;
	assert_int_equal(image_jpeg_decode_grey(j.p, j.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), 0);
	assert_int_equal(w, 64);
	assert_int_equal(h, 48);
	assert_int_equal(cap, 64 * 48);
	expect_scene(plane, w, h, 0);
	/* The same pixels as the stills' path. */
	assert_memory_equal(plane, ref.y, 64 * 48);
	image_free(&ref);
	free(plane);
	free(j.p);
}

static void
test_decode_webcam_422(void **state)
{
	struct jbuf j = jpeg_make(96, 64, true, 1);
	struct image ref = ref_decode(&j);
	uint8_t *plane = NULL;
	size_t cap = 0;
	int w = 96, h = 64;
	char err[256];

	(void)state;
	assert_int_equal(image_jpeg_decode_grey(j.p, j.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), 0);
	assert_int_equal(w, 96);
	assert_int_equal(h, 64);
	expect_scene(plane, w, h, 1);
	assert_memory_equal(plane, ref.y, 96 * 64);
	image_free(&ref);
	free(plane);
	free(j.p);
}

/* libjpeg-turbo supplies the standard tables a frame leaves out. */
static void
test_decode_without_dht(void **state)
{
	(void)state;
	for (int colour = 0; colour < 2; colour++) {
		struct jbuf j = jpeg_make(64, 48, colour, 2), s;
		uint8_t *plane = NULL;
		size_t cap = 0;
		int w = 0, h = 0;
		char err[256];
		struct image ref = ref_decode(&j);

		/* Grey has one DC and one AC table, colour two of each;
		 * libjpeg writes them in one or more segments. */
		assert_true(has_dht(&j));
		assert_true(strip_dht(&j, &s) >= 1);
		assert_false(has_dht(&s));
		assert_true(s.len < j.len);
		assert_int_equal(image_jpeg_decode_grey(s.p, s.len, &plane,
		    &cap, &w, &h, err, sizeof(err)), 0);
		assert_int_equal(w, 64);
		assert_int_equal(h, 48);
		/* Bit for bit the frame with its tables. */
		assert_memory_equal(plane, ref.y, 64 * 48);
		expect_scene(plane, w, h, 2);
		image_free(&ref);
		free(plane);
		free(s.p);
		free(j.p);
	}
}

static void
test_buffer_reused(void **state)
{
	struct jbuf a = jpeg_make(64, 48, true, 0);
	struct jbuf b = jpeg_make(64, 48, true, 3);
	struct jbuf small = jpeg_make(32, 16, false, 1);
	struct jbuf big = jpeg_make(128, 96, true, 2);
	uint8_t *plane = NULL, *first;
	size_t cap = 0;
	int w = 0, h = 0;
	char err[256];

	(void)state;
	assert_int_equal(image_jpeg_decode_grey(a.p, a.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), 0);
	first = plane;
	assert_int_equal(cap, 64 * 48);
	/* The next frame goes where the last one was. */
	assert_int_equal(image_jpeg_decode_grey(b.p, b.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), 0);
	assert_ptr_equal(plane, first);
	assert_int_equal(cap, 64 * 48);
	expect_scene(plane, 64, 48, 3);
	/* Smaller: same buffer, never shrunk. */
	w = h = 0;
	assert_int_equal(image_jpeg_decode_grey(small.p, small.len, &plane,
	    &cap, &w, &h, err, sizeof(err)), 0);
	assert_ptr_equal(plane, first);
	assert_int_equal(cap, 64 * 48);
	assert_int_equal(w, 32);
	assert_int_equal(h, 16);
	expect_scene(plane, 32, 16, 1);
	/* Larger: grown. */
	w = h = 0;
	assert_int_equal(image_jpeg_decode_grey(big.p, big.len, &plane, &cap,
	    &w, &h, err, sizeof(err)), 0);
	assert_int_equal(cap, 128 * 96);
	expect_scene(plane, 128, 96, 2);
	free(plane);
	free(a.p);
	free(b.p);
	free(small.p);
	free(big.p);
}

static void
test_expected_size(void **state)
{
	struct jbuf j = jpeg_make(32, 16, false, 0);
	uint8_t *plane = NULL;
	size_t cap = 0;
	int w = 64, h = 48;
	char err[256];

	(void)state;
	/* Refused from the header: nothing allocated. */
	assert_int_equal(image_jpeg_decode_grey(j.p, j.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), -1);
	assert_null(plane);
	assert_int_equal(cap, 0);
	assert_non_null(strstr(err, "expected"));
	w = 32;
	h = 16;
	assert_int_equal(image_jpeg_decode_grey(j.p, j.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), 0);
	w = -1;
	assert_int_equal(image_jpeg_decode_grey(j.p, j.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), -1);
	free(plane);
	free(j.p);
}

static void
test_truncated(void **state)
{
	struct jbuf j = jpeg_make(64, 48, true, 0);
	struct jbuf good = jpeg_make(64, 48, true, 1);
	size_t cuts[] = { 3, 20, 150, j.len / 2, j.len - 40, j.len - 3 };
	uint8_t *plane = NULL;
	size_t cap = 0;
	char err[256];
	int w, h;

	(void)state;
	for (size_t i = 0; i < nitems(cuts); i++) {
		w = h = 0;
		err[0] = '\0';
		assert_int_equal(image_jpeg_decode_grey(j.p, cuts[i], &plane,
		    &cap, &w, &h, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "JPEG"));
		/* The buffer stays usable for the next frame. */
		w = h = 0;
		assert_int_equal(image_jpeg_decode_grey(good.p, good.len,
		    &plane, &cap, &w, &h, err, sizeof(err)), 0);
		expect_scene(plane, 64, 48, 1);
	}
	free(plane);
	free(j.p);
	free(good.p);
}

/*
 * Padding between the last row and the end marker changes no pixel, and
 * webcams send it; the stills' path stays strict.  A frame without its end
 * marker is refused: libjpeg reads ahead for the last rows and finds the
 * data cut before it has them, which is what a torn frame looks like.
 */
static void
test_after_last_row(void **state)
{
	struct jbuf j = jpeg_make(64, 48, true, 0);
	struct jbuf padded = pad_before_eoi(&j, 5, 0x00);
	struct image ref = ref_decode(&j), img;
	uint8_t *plane = NULL;
	size_t cap = 0;
	char err[256];
	int w = 0, h = 0;

	(void)state;
	assert_int_equal(image_jpeg_decode_grey(padded.p, padded.len, &plane,
	    &cap, &w, &h, err, sizeof(err)), 0);
	assert_memory_equal(plane, ref.y, 64 * 48);
	assert_int_equal(image_load_mem(padded.p, padded.len, &img, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "extraneous"));
	assert_int_equal(image_jpeg_decode_grey(j.p, j.len - 2, &plane, &cap,
	    &w, &h, err, sizeof(err)), -1);
	image_free(&ref);
	free(plane);
	free(padded.p);
	free(j.p);
}

static void
test_garbage(void **state)
{
	struct jbuf j = jpeg_make(64, 48, true, 0), c;
	uint8_t junk[4096];
	uint32_t r = 99;
	uint8_t *plane = NULL;
	size_t cap = 0, sof;
	char err[256];
	int w, h;

	(void)state;
	for (size_t i = 0; i < sizeof(junk); i++) {
		r = r * 1103515245u + 12345u;
		junk[i] = (uint8_t)(r >> 16);
	}
	w = h = 0;
	assert_int_equal(image_jpeg_decode_grey(junk, sizeof(junk), &plane,
	    &cap, &w, &h, err, sizeof(err)), -1);
	/* Garbage behind a start-of-image marker. */
	junk[0] = 0xff;
	junk[1] = 0xd8;
	junk[2] = 0xff;
	assert_int_equal(image_jpeg_decode_grey(junk, sizeof(junk), &plane,
	    &cap, &w, &h, err, sizeof(err)), -1);
	memset(junk + 3, 0, sizeof(junk) - 3);
	assert_int_equal(image_jpeg_decode_grey(junk, sizeof(junk), &plane,
	    &cap, &w, &h, err, sizeof(err)), -1);
	assert_int_equal(image_jpeg_decode_grey(NULL, 0, &plane, &cap, &w, &h,
	    err, sizeof(err)), -1);
	assert_int_equal(image_jpeg_decode_grey(j.p, 0, &plane, &cap, &w, &h,
	    err, sizeof(err)), -1);
	/* A PNG or anything else is not a frame. */
	assert_int_equal(image_jpeg_decode_grey((const uint8_t *)"\x89PNG\r\n",
	    6, &plane, &cap, &w, &h, err, sizeof(err)), -1);

	/* An end marker in the middle of the scan: rows would be made up. */
	c.len = j.len;
	c.p = malloc(c.len);
	assert_non_null(c.p);
	memcpy(c.p, j.p, j.len);
	c.p[j.len - 60] = 0xff;
	c.p[j.len - 59] = 0xd9;
	assert_int_equal(image_jpeg_decode_grey(c.p, c.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), -1);

	/* A hostile header: refused before anything is allocated. */
	free(plane);
	plane = NULL;
	cap = 0;
	memcpy(c.p, j.p, j.len);
	sof = find_sof(&c);
	c.p[sof + 5] = 0xea;	/* 60000 rows */
	c.p[sof + 6] = 0x60;
	c.p[sof + 7] = 0xea;
	c.p[sof + 8] = 0x60;
	assert_int_equal(image_jpeg_decode_grey(c.p, c.len, &plane, &cap, &w,
	    &h, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	assert_null(plane);
	assert_int_equal(cap, 0);
	free(c.p);
	free(j.p);
}

static void
test_mjpeg_stream(void **state)
{
	struct jbuf a = jpeg_make(64, 48, true, 0);
	struct jbuf b = jpeg_make(64, 48, true, 1);
	struct jbuf other = jpeg_make(32, 16, true, 0), s;
	struct v4l2_mjpeg m;

	(void)state;
	strip_dht(&b, &s);
	v4l2_mjpeg_init(&m, 64, 48);
	assert_int_equal(m.bad_since_ns, -1);
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, a.len, 1 * SEC), 1);
	expect_scene(m.plane, 64, 48, 0);
	assert_int_equal(v4l2_mjpeg_decode(&m, s.p, s.len, 1 * SEC), 1);
	expect_scene(m.plane, 64, 48, 1);

	/* Corrupt frames are skipped... */
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, a.len / 2, 10 * SEC), 0);
	assert_non_null(strstr(m.why, "JPEG"));
	assert_int_equal(v4l2_mjpeg_decode(&m, other.p, other.len,
	    10 * SEC + 1), 0);
	assert_non_null(strstr(m.why, "expected"));
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, 2, 11 * SEC), 0);
	assert_int_equal(m.corrupt, 3);
	/* ... a good one in between starts the count again ... */
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, a.len, 11 * SEC + 999), 1);
	assert_int_equal(m.bad_since_ns, -1);
	assert_int_equal(m.good, 3);
	/* ... and only 2 s of nothing but corrupt frames is an error. */
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, 100, 20 * SEC), 0);
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, 100, 21 * SEC), 0);
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, 100, 22 * SEC - 1), 0);
	assert_int_equal(v4l2_mjpeg_decode(&m, a.p, 100, 22 * SEC), -1);
	assert_int_equal(m.corrupt, 7);
	v4l2_mjpeg_free(&m);
	assert_null(m.plane);
	v4l2_mjpeg_free(&m);
	free(a.p);
	free(b.p);
	free(s.p);
	free(other.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_grey),
		cmocka_unit_test(test_decode_webcam_422),
		cmocka_unit_test(test_decode_without_dht),
		cmocka_unit_test(test_buffer_reused),
		cmocka_unit_test(test_expected_size),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_after_last_row),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_mjpeg_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
