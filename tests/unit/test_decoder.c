/*
 * The zbar decoder on the committed test frames (images/), loaded with
 * image_load() as the daemon's file camera and `qrgatectl scan` do: every
 * payload must come back byte for byte, NULs and invalid UTF-8 included,
 * and code-free frames must yield nothing.  The images are found under
 * $QRGATE_SRCDIR/images, or ./images when it is not set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <malloc.h>
#include <qrencode.h>
#if defined(__SANITIZE_ADDRESS__)
/* libasan's, from <sanitizer/allocator_interface.h>, which gcc 12 lacks. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "decoder.h"
#include "image.h"

extern const struct decoder_ops decoder_zbar_ops;

/* The source is UTF-8, so this literal is the UTF-8 bytes qrframe encoded. */
#define CCCD_NHUNG "079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|" \
	"Nữ|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|01022021"

struct fixture {
	const struct decoder_ops *ops;
	void *priv;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->ops = &decoder_zbar_ops;
	if ((fx->priv = fx->ops->open()) == NULL) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	fx->ops->close(fx->priv);
	free(fx);
	return 0;
}

static void
load(const char *name, struct image *img)
{
	const char *dir = getenv("QRGATE_SRCDIR");
	char path[1024], err[256];

	snprintf(path, sizeof(path), "%s/images/%s", dir ? dir : ".", name);
	if (image_load(path, img, err, sizeof(err)) == -1)
		fail_msg("%s: %s", path, err);
}

static struct frame
frame_of(const struct image *img)
{
	struct frame f = {
		.y = img->y, .width = img->width, .height = img->height,
		.stride = img->width,
	};

	return f;
}

/* Decodes images/name and returns the number of codes. */
static int
scan_file(struct fixture *fx, const char *name, struct decode_result *r)
{
	struct image img;
	struct frame f;
	int n;

	load(name, &img);
	f = frame_of(&img);
	n = fx->ops->scan(fx->priv, &f, r);
	image_free(&img);
	assert_int_equal(n, r->count);
	return n;
}

static void
expect_one(struct fixture *fx, const char *name, const void *want, size_t len)
{
	struct decode_result r;

	assert_int_equal(scan_file(fx, name, &r), 1);
	assert_int_equal(r.codes[0].len, len);
	assert_memory_equal(r.codes[0].data, want, len);
}

static void
test_find(void **state)
{
	(void)state;
	assert_ptr_equal(decoder_find("zbar"), &decoder_zbar_ops);
	assert_string_equal(decoder_zbar_ops.name, "zbar");
	assert_null(decoder_find("zxing-none"));
	assert_null(decoder_find(""));
	assert_null(decoder_find(NULL));
	/* The table is NULL-terminated and every entry is complete. */
	for (int i = 0; decoder_backends[i] != NULL; i++) {
		assert_non_null(decoder_backends[i]->open);
		assert_non_null(decoder_backends[i]->scan);
		assert_non_null(decoder_backends[i]->close);
		assert_ptr_equal(decoder_find(decoder_backends[i]->name),
		    decoder_backends[i]);
	}
}

static void
test_badges(void **state)
{
	struct fixture *fx = *state;

	expect_one(fx, "badge-W0001.png", "W-0001", 6);
	expect_one(fx, "badge-W0001.pgm", "W-0001", 6);
	expect_one(fx, "badge-W0001.jpg", "W-0001", 6);
	expect_one(fx, "badge-W9999.png", "W-9999", 6);
	expect_one(fx, "rotated-W0001.png", "W-0001", 6);
}

static void
test_utf8_cccd(void **state)
{
	expect_one(*state, "cccd-nhung.png", CCCD_NHUNG, strlen(CCCD_NHUNG));
}

static void
test_hostile_bytes(void **state)
{
	static const uint8_t nul[] = "W-0001\0admin";
	static const uint8_t bad[] = { 'W', '-', 0xc3, 0x28, 0xff, 0xfe,
	    '0', '1' };
	struct fixture *fx = *state;

	expect_one(fx, "hostile-nul.png", nul, 12);
	expect_one(fx, "hostile-utf8.png", bad, sizeof(bad));
	expect_one(fx, "hostile-shell.png",
	    "$(reboot)`rm -rf /`;|& cat /etc/shadow", 38);
}

static void
test_long_payload(void **state)
{
	uint8_t want[2900];

	memcpy(want, "W-0001", 6);
	for (size_t i = 6; i < sizeof(want); i++)
		want[i] = (uint8_t)('0' + (i - 6) % 10);
	expect_one(*state, "hostile-long.png", want, sizeof(want));
}

static void
test_no_code(void **state)
{
	struct fixture *fx = *state;
	struct decode_result r;

	assert_int_equal(scan_file(fx, "blank.png", &r), 0);
	assert_int_equal(scan_file(fx, "noise.pgm", &r), 0);
	/* A frame after a frame with a code holds nothing stale. */
	assert_int_equal(scan_file(fx, "badge-W0001.png", &r), 1);
	assert_int_equal(scan_file(fx, "blank.png", &r), 0);
}

static void
test_strided_frame(void **state)
{
	struct fixture *fx = *state;
	struct decode_result r;
	struct image img;
	struct frame f;
	uint8_t *wide;
	int stride;

	/* Twice: the packing buffer is reused, and then grown. */
	for (int pad = 64; pad <= 1024; pad *= 16) {
		load("cccd-nhung.png", &img);
		stride = img.width + pad;
		wide = malloc((size_t)stride * img.height);
		assert_non_null(wide);
		/* The padding is black: it must not be read as pixels. */
		memset(wide, 0, (size_t)stride * img.height);
		for (int y = 0; y < img.height; y++)
			memcpy(wide + (size_t)y * stride,
			    img.y + (size_t)y * img.width, img.width);
		f = frame_of(&img);
		f.y = wide;
		f.stride = stride;
		assert_int_equal(fx->ops->scan(fx->priv, &f, &r), 1);
		assert_int_equal(r.codes[0].len, strlen(CCCD_NHUNG));
		assert_memory_equal(r.codes[0].data, CCCD_NHUNG,
		    strlen(CCCD_NHUNG));
		free(wide);
		image_free(&img);
	}
}

/* Tiles n copies of badge images into one frame, cols across. */
static uint8_t *
tile(const char *const *names, int n, int cols, struct frame *f)
{
	struct image img;
	uint8_t *buf = NULL;
	int rows = (n + cols - 1) / cols;

	for (int i = 0; i < n; i++) {
		load(names[i], &img);
		if (buf == NULL) {
			f->width = img.width * cols;
			f->height = img.height * rows;
			f->stride = f->width;
			buf = malloc((size_t)f->width * f->height);
			assert_non_null(buf);
			memset(buf, 150, (size_t)f->width * f->height);
		}
		for (int y = 0; y < img.height; y++)
			memcpy(buf + (size_t)(i / cols * img.height + y) *
			    f->stride + (size_t)(i % cols) * img.width,
			    img.y + (size_t)y * img.width, img.width);
		image_free(&img);
	}
	f->y = buf;
	return buf;
}

static void
test_several_codes(void **state)
{
	static const char *const names[] = {
		"badge-W0001.png", "badge-W0002.png",
	};
	struct fixture *fx = *state;
	struct decode_result r;
	struct frame f = { 0 };
	uint8_t *buf = tile(names, 2, 2, &f);
	int seen = 0;

	assert_int_equal(fx->ops->scan(fx->priv, &f, &r), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(r.codes[i].len, 6);
		if (memcmp(r.codes[i].data, "W-0001", 6) == 0)
			seen |= 1;
		else if (memcmp(r.codes[i].data, "W-0002", 6) == 0)
			seen |= 2;
	}
	assert_int_equal(seen, 3);
	free(buf);
}

static void
test_too_many_codes(void **state)
{
	static const char *const names[] = {
		"badge-W0001.png", "badge-W0002.png", "badge-W0003.png",
		"badge-W0004.png", "badge-W0005.png", "badge-W9999.png",
		"badge-W0001.png", "badge-W0002.png", "badge-W0003.png",
	};
	struct fixture *fx = *state;
	struct decode_result r;
	struct frame f = { 0 };
	uint8_t *buf = tile(names, 9, 3, &f);

	/* Nine codes in view: the first DECODE_MAX_CODES are returned. */
	assert_int_equal(fx->ops->scan(fx->priv, &f, &r), DECODE_MAX_CODES);
	for (int i = 0; i < r.count; i++) {
		assert_int_equal(r.codes[i].len, 6);
		assert_memory_equal(r.codes[i].data, "W-", 2);
	}
	free(buf);
}

static void
test_bad_frames(void **state)
{
	struct fixture *fx = *state;
	struct decode_result r;
	uint8_t px[64 * 64];
	struct frame ok = { .y = px, .width = 64, .height = 64, .stride = 64 };
	struct frame f;

	memset(px, 128, sizeof(px));
	assert_int_equal(fx->ops->scan(fx->priv, &ok, &r), 0);
	assert_int_equal(r.count, 0);

	r.count = 5;
	f = ok;
	f.stride = 63;
	assert_int_equal(fx->ops->scan(fx->priv, &f, &r), -1);
	assert_int_equal(r.count, 0);
	f = ok;
	f.width = 0;
	assert_int_equal(fx->ops->scan(fx->priv, &f, &r), -1);
	f = ok;
	f.height = -1;
	assert_int_equal(fx->ops->scan(fx->priv, &f, &r), -1);
	f = ok;
	f.y = NULL;
	assert_int_equal(fx->ops->scan(fx->priv, &f, &r), -1);
	/* The decoder still works after refusing frames. */
	assert_int_equal(scan_file(fx, "badge-W0001.png", &r), 1);
}

/* Bytes the heap holds now: ASan's allocator counts its own. */
static size_t
heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/*
 * zbar keeps every symbol it read a code into (mchehab/zbar#258); the
 * decoder renews its scanner so that a gate reading codes for years does
 * not grow.  Reads one small code 3,000 times: what the heap holds must
 * not grow with the reads (zbar alone would keep about 150 bytes each).
 */
static void
test_memory_bounded(void **state)
{
	struct fixture *fx = *state;
	QRcode *qr = QRcode_encodeString8bit("W0001", 1, QR_ECLEVEL_M);
	enum { SCALE = 2, QUIET = 4 };
	struct decode_result r;
	struct frame f;
	uint8_t *px;
	size_t before = 0;

	assert_non_null(qr);
	f.width = f.height = f.stride = (qr->width + 2 * QUIET) * SCALE;
	assert_non_null(px = malloc((size_t)f.width * f.height));
	memset(px, 255, (size_t)f.width * f.height);
	for (int y = 0; y < f.height; y++)
		for (int x = 0; x < f.width; x++) {
			int my = y / SCALE - QUIET, mx = x / SCALE - QUIET;

			if (my >= 0 && my < qr->width && mx >= 0 &&
			    mx < qr->width && (qr->data[my * qr->width + mx] & 1))
				px[(size_t)y * f.stride + x] = 0;
		}
	f.y = px;
	for (int i = 0; i < 3000; i++) {
		if (i == 500)
			before = heap_in_use();
		assert_int_equal(fx->ops->scan(fx->priv, &f, &r), 1);
		assert_memory_equal(r.codes[0].data, "W0001", 5);
	}
	/* 2,500 reads; zbar alone would have kept some 370 kB. */
	assert_true(heap_in_use() < before + 64 * 1024);
	free(px);
	QRcode_free(qr);
}

static void
test_close_null(void **state)
{
	(void)state;
	decoder_zbar_ops.close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_close_null),
		cmocka_unit_test_setup_teardown(test_badges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf8_cccd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strided_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_bounded, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
