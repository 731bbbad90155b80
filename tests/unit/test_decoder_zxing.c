/*
 * The zxing-cpp decoder and the cascade on the committed test frames
 * (images/, under $QRGATE_SRCDIR or .) and on frames drawn here from
 * libqrencode's modules: every payload must come back byte for byte from
 * every backend, NULs and invalid UTF-8 included; the cascade must also
 * read what it exists for (a dark-mode code, a code of 2 pixels a module,
 * a code held up in the same place) and find nothing where there is
 * nothing.
 *
 * zxing-cpp is part of every CI build: a build without it fails here in CI,
 * and says why elsewhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "decoder.h"
#include "image.h"
#include "util.h"

#ifdef CONFIG_DECODER_ZXING

/* The source is UTF-8, so this literal is the UTF-8 bytes qrframe encoded. */
#define CCCD_NHUNG "079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|" \
	"Nữ|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|01022021"

static const struct decoder_ops *const all[] = {
	&decoder_zbar_ops, &decoder_zxing_ops, &decoder_cascade_ops,
};
#define N_ALL (nitems(all))

static void
load(const char *name, struct image *img)
{
	const char *dir = getenv("QRGATE_SRCDIR");
	char path[1024], err[256];

	snprintf(path, sizeof(path), "%s/images/%s", dir ? dir : ".", name);
	if (image_load(path, img, err, sizeof(err)) == -1)
		fail_msg("%s: %s", path, err);
}

/* Decodes img with ops, freshly opened; returns the count, copies code 0. */
static int
scan_image(const struct decoder_ops *ops, const struct image *img,
    int stride, uint8_t *first, size_t *first_len)
{
	struct frame f = { .y = img->y, .width = img->width,
	    .height = img->height, .stride = stride };
	struct decode_result r;
	void *priv = ops->open();
	int n;

	assert_non_null(priv);
	n = ops->scan(priv, &f, &r);
	assert_int_equal(n, n < 0 ? -1 : r.count);
	if (n > 0 && first != NULL) {
		memcpy(first, r.codes[0].data, r.codes[0].len);
		*first_len = r.codes[0].len;
	}
	ops->close(priv);
	return n;
}

/*
 * Draws data as a QR code (8-bit mode, level M) of px pixels a module
 * with a 4-module quiet zone, centred on a w x h grey frame; inverted
 * draws light modules on dark, as a phone in dark mode shows them.
 */
static void
draw(struct image *img, const uint8_t *data, size_t len, int w, int h,
    int px, int inverted)
{
	QRcode *qr = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M);
	int side, x0, y0;

	assert_non_null(qr);
	side = (qr->width + 8) * px;
	assert_true(side <= w && side <= h);
	img->width = w;
	img->height = h;
	assert_non_null(img->y = malloc((size_t)w * h));
	memset(img->y, 128, (size_t)w * h);
	x0 = (w - side) / 2;
	y0 = (h - side) / 2;
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++) {
			int mx = x / px - 4, my = y / px - 4, dark = 0;

			if (mx >= 0 && my >= 0 && mx < qr->width && my < qr->width)
				dark = qr->data[my * qr->width + mx] & 1;
			img->y[(size_t)(y0 + y) * w + x0 + x] =
			    (dark ^ inverted) ? 30 : 220;
		}
	QRcode_free(qr);
}

static void
test_table(void **state)
{
	(void)state;
	assert_ptr_equal(decoder_find("zxing"), &decoder_zxing_ops);
	assert_ptr_equal(decoder_find("cascade"), &decoder_cascade_ops);
	assert_ptr_equal(decoder_find("zbar"), &decoder_zbar_ops);
	/* The bench's baseline is no backend a config may name. */
	assert_null(decoder_find("zxing-harder"));
}

/* Every payload of images/, from every backend, byte for byte. */
static void
test_images_exact(void **state)
{
	static const struct {
		const char *file, *want;
		size_t len;
	} cases[] = {
		{ "badge-W0001.png", "W-0001", 6 },
		{ "badge-W0001.pgm", "W-0001", 6 },
		{ "badge-W0001.jpg", "W-0001", 6 },
		{ "rotated-W0001.png", "W-0001", 6 },
		{ "cccd-nhung.png", CCCD_NHUNG, sizeof(CCCD_NHUNG) - 1 },
		{ "url.png", "https://example.com/promo", 25 },
		{ "hostile-nul.png", "W-0001\0admin", 12 },
		{ "hostile-utf8.png", "W-\xc3\x28\xff\xfe" "01", 8 },
		{ "hostile-sql.png", "W-0001'; DROP TABLE events; --", 30 },
	};
	uint8_t got[4096];
	size_t len;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		struct image img;

		load(cases[i].file, &img);
		for (size_t k = 0; k < N_ALL; k++) {
			len = 0;
			if (scan_image(all[k], &img, img.width, got, &len) != 1)
				fail_msg("%s: %s read no code", cases[i].file,
				    all[k]->name);
			assert_int_equal(len, cases[i].len);
			assert_memory_equal(got, cases[i].want, len);
		}
		image_free(&img);
	}
}

/* The longest code of images/ (version 40): 2,900 bytes, all of them. */
static void
test_long(void **state)
{
	uint8_t *got = malloc(4096);
	struct image img;
	size_t len;

	(void)state;
	assert_non_null(got);
	load("hostile-long.png", &img);
	for (size_t k = 0; k < 2; k++) {	/* zxing, cascade */
		len = 0;
		assert_int_equal(scan_image(all[k + 1], &img, img.width, got,
		    &len), 1);
		assert_int_equal(len, 2900);
		assert_memory_equal(got, "W-00010123456789", 16);
		for (size_t i = 6; i < len; i++)
			assert_int_equal(got[i], '0' + (i - 6) % 10);
	}
	image_free(&img);
	free(got);
}

/* Every byte value, NUL first, from every backend. */
static void
test_binary(void **state)
{
	uint8_t data[256], got[512];
	struct image img;
	size_t len;

	(void)state;
	for (int i = 0; i < 256; i++)
		data[i] = (uint8_t)i;
	draw(&img, data, sizeof(data), 800, 800, 4, 0);
	for (size_t k = 0; k < N_ALL; k++) {
		len = 0;
		if (scan_image(all[k], &img, img.width, got, &len) != 1)
			fail_msg("%s read no code", all[k]->name);
		assert_int_equal(len, sizeof(data));
		assert_memory_equal(got, data, sizeof(data));
	}
	image_free(&img);
}

static void
test_nothing(void **state)
{
	static const char *const files[] = { "blank.png", "noise.pgm" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct image img;

		load(files[i], &img);
		for (size_t k = 0; k < N_ALL; k++)
			assert_int_equal(scan_image(all[k], &img, img.width,
			    NULL, NULL), 0);
		image_free(&img);
	}
}

/* A V4L2-like frame with padded rows reads the same as a packed one. */
static void
test_stride(void **state)
{
	struct image img, wide;
	uint8_t got[64];
	size_t len;
	int stride;

	(void)state;
	load("badge-W0001.png", &img);
	stride = img.width + 64;
	wide.width = img.width;
	wide.height = img.height;
	assert_non_null(wide.y = malloc((size_t)stride * img.height));
	memset(wide.y, 0, (size_t)stride * img.height);
	for (int y = 0; y < img.height; y++)
		memcpy(wide.y + (size_t)y * stride, img.y + (size_t)y * img.width,
		    img.width);
	for (size_t k = 1; k < N_ALL; k++) {
		assert_int_equal(scan_image(all[k], &wide, stride, got, &len), 1);
		assert_int_equal(len, 6);
		assert_memory_equal(got, "W-0001", 6);
	}
	image_free(&wide);
	image_free(&img);
}

static void
test_bad_frames(void **state)
{
	uint8_t px[64] = { 0 };
	struct frame bad[] = {
		{ .y = NULL, .width = 8, .height = 8, .stride = 8 },
		{ .y = px, .width = 0, .height = 8, .stride = 8 },
		{ .y = px, .width = 8, .height = -1, .stride = 8 },
		{ .y = px, .width = 8, .height = 8, .stride = 4 },
	};
	struct decode_result r;

	(void)state;
	for (size_t k = 1; k < N_ALL; k++) {
		void *priv = all[k]->open();

		assert_non_null(priv);
		for (size_t i = 0; i < nitems(bad); i++) {
			r.count = 5;
			assert_int_equal(all[k]->scan(priv, &bad[i], &r), -1);
			assert_int_equal(r.count, 0);
		}
		assert_int_equal(all[k]->scan(priv, NULL, &r), -1);
		/* A tiny frame is no error, and holds no code. */
		bad[0].y = px;
		assert_int_equal(all[k]->scan(priv, &bad[0], &r), 0);
		bad[0].y = NULL;
		all[k]->close(priv);
	}
	all[1]->close(NULL);
	all[2]->close(NULL);
}

/*
 * What the cascade is for: a dark-mode code (zxing-cpp 1.x alone reads
 * none; 2.x tries the inverted image itself) and a small code of 2 pixels
 * a module, enlarged where it is.
 */
static void
test_cascade_inverted_small(void **state)
{
	static const uint8_t badge[] = "W-0042";
	struct image img;
	uint8_t got[64];
	size_t len;

	(void)state;
	draw(&img, badge, 6, 640, 480, 4, 1);
#if QRGATE_ZXING_API >= 2
	assert_int_equal(scan_image(&decoder_zxing_ops, &img, img.width,
	    NULL, NULL), 1);
#else
	assert_int_equal(scan_image(&decoder_zxing_ops, &img, img.width,
	    NULL, NULL), 0);
#endif
	len = 0;
	assert_int_equal(scan_image(&decoder_cascade_ops, &img, img.width,
	    got, &len), 1);
	assert_int_equal(len, 6);
	assert_memory_equal(got, badge, 6);
	image_free(&img);

	draw(&img, badge, 6, 640, 480, 2, 0);
	len = 0;
	assert_int_equal(scan_image(&decoder_cascade_ops, &img, img.width,
	    got, &len), 1);
	assert_int_equal(len, 6);
	assert_memory_equal(got, badge, 6);
	image_free(&img);
}

/*
 * One cascade over a stream: a code, the same code again (read from the
 * region kept from the last frame), a frame without it (nothing: the kept
 * region never yields a code that is not there), then another code
 * elsewhere in a frame of another size.
 */
static void
test_cascade_stream(void **state)
{
	static const uint8_t a[] = "W-0001", b[] = "W-0002";
	struct image img1, img2, blank;
	struct decode_result r;
	struct frame f;
	void *priv = decoder_cascade_ops.open();

	(void)state;
	assert_non_null(priv);
	draw(&img1, a, 6, 640, 480, 3, 0);
	draw(&img2, b, 6, 320, 240, 2, 0);
	load("blank.png", &blank);
	for (int i = 0; i < 3; i++) {
		f = (struct frame){ .y = img1.y, .width = 640, .height = 480,
		    .stride = 640, .seq = (uint64_t)i };
		assert_int_equal(decoder_cascade_ops.scan(priv, &f, &r), 1);
		assert_int_equal(r.codes[0].len, 6);
		assert_memory_equal(r.codes[0].data, a, 6);
	}
	f = (struct frame){ .y = blank.y, .width = blank.width,
	    .height = blank.height, .stride = blank.width, .seq = 3 };
	assert_int_equal(decoder_cascade_ops.scan(priv, &f, &r), 0);
	f = (struct frame){ .y = img2.y, .width = 320, .height = 240,
	    .stride = 320, .seq = 4 };
	assert_int_equal(decoder_cascade_ops.scan(priv, &f, &r), 1);
	assert_memory_equal(r.codes[0].data, b, 6);
	decoder_cascade_ops.close(priv);
	image_free(&img1);
	image_free(&img2);
	image_free(&blank);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_images_exact),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_stride),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_cascade_inverted_small),
		cmocka_unit_test(test_cascade_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !CONFIG_DECODER_ZXING */

static void
test_zxing_built(void **state)
{
	(void)state;
	fail_msg("this build has no zxing-cpp decoder (libzxing-dev and a C++ "
	    "compiler are needed), and CI must test it");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zxing_built),
	};
	const char *ci = getenv("CI");

	if (ci == NULL || strcmp(ci, "true") != 0) {
		printf("test_decoder_zxing: this build has no zxing-cpp decoder "
		    "(pkg-config found no zxing, or no C++ compiler): nothing "
		    "to test here; in CI this fails\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
