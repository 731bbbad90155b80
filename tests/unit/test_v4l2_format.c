/*
 * The V4L2 camera's pixel layouts and conversions, which need no device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <linux/videodev2.h>

#include "v4l2_format.h"

static void
test_layout_grey(void **state)
{
	struct v4l2_layout l;

	(void)state;
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 640, 480,
	    640, &l), 0);
	assert_int_equal(l.fourcc, V4L2_PIX_FMT_GREY);
	assert_int_equal(l.width, 640);
	assert_int_equal(l.height, 480);
	assert_int_equal(l.stride, 640);
	assert_int_equal(l.y_bytes, 640 * 480);
	assert_false(l.convert);

	/* Padded rows: the last one need not be padded. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 600, 4,
	    640, &l), 0);
	assert_int_equal(l.stride, 640);
	assert_int_equal(l.y_bytes, 640 * 3 + 600);

	/* bytesperline 0: rows are packed. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 320, 240,
	    0, &l), 0);
	assert_int_equal(l.stride, 320);
}

static void
test_layout_yuyv(void **state)
{
	struct v4l2_layout l;

	(void)state;
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_YUYV, 640, 480,
	    1280, &l), 0);
	assert_int_equal(l.stride, 1280);
	assert_int_equal(l.y_bytes, 1280 * 480);
	assert_true(l.convert);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_YUYV, 640, 480,
	    0, &l), 0);
	assert_int_equal(l.stride, 1280);
	/* A row shorter than two bytes a pixel cannot be YUYV. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_YUYV, 640, 480,
	    1000, &l), -1);
}

static void
test_layout_nv12(void **state)
{
	struct v4l2_layout l;

	(void)state;
	/* Only the first plane, Y, is used: the chroma may be absent. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_NV12, 1920,
	    1080, 1920, &l), 0);
	assert_int_equal(l.stride, 1920);
	assert_int_equal(l.y_bytes, 1920 * 1080);
	assert_false(l.convert);
}

static void
test_layout_mjpeg(void **state)
{
	struct v4l2_layout l;

	(void)state;
	/* A buffer is one JPEG: no rows to check, decoded to our plane. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_MJPEG, 1280, 720,
	    0, &l), 0);
	assert_int_equal(l.fourcc, V4L2_PIX_FMT_MJPEG);
	assert_int_equal(l.width, 1280);
	assert_int_equal(l.height, 720);
	assert_int_equal(l.stride, 0);
	assert_int_equal(l.y_bytes, 0);
	assert_true(l.convert);
	assert_true(l.jpeg);
	/* Whatever bytesperline a driver puts there means nothing. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_JPEG, 640, 480,
	    12345, &l), 0);
	assert_true(l.jpeg);
	/* A raw format after it is not one. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_YUYV, 640, 480,
	    0, &l), 0);
	assert_false(l.jpeg);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 640, 480,
	    0, &l), 0);
	assert_false(l.jpeg);
	assert_false(l.convert);
}

static void
test_layout_refused(void **state)
{
	struct v4l2_layout l;

	(void)state;
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_H264, 640, 480,
	    0, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_MJPEG, 0, 480,
	    0, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_MJPEG,
	    V4L2_MAX_SIDE + 1, 480, 0, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_RGB24, 640, 480,
	    1920, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 0, 480,
	    0, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 640, 0,
	    640, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 640, 480,
	    639, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY,
	    V4L2_MAX_SIDE + 1, 480, 0, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 640,
	    V4L2_MAX_SIDE + 1, 0, &l), -1);
	/* A hostile row length would make y_bytes overflow. */
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_GREY, 640, 480,
	    UINT32_MAX, &l), -1);
	assert_int_equal(v4l2_layout_from_format(V4L2_PIX_FMT_YUYV,
	    UINT32_MAX, 2, 0, &l), -1);
}

static void
test_yuyv_to_y(void **state)
{
	/* 4x2 pixels, rows padded to 12 bytes with 0xee. */
	const uint8_t src[24] = {
		10, 128, 11, 129, 12, 130, 13, 131, 0xee, 0xee, 0xee, 0xee,
		20, 90, 21, 91, 22, 92, 23, 93, 0xee, 0xee, 0xee, 0xee,
	};
	const uint8_t want[8] = { 10, 11, 12, 13, 20, 21, 22, 23 };
	uint8_t dst[9];

	(void)state;
	memset(dst, 0x55, sizeof(dst));
	v4l2_yuyv_to_y(src, 12, 4, 2, dst);
	assert_memory_equal(dst, want, sizeof(want));
	/* Not one byte past the packed plane. */
	assert_int_equal(dst[8], 0x55);
}

static void
test_timestamp(void **state)
{
	uint32_t mono = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;

	(void)state;
	assert_int_equal(v4l2_timestamp_ns(mono, 12, 345678),
	    12345678000LL);
	/* Other flags do not matter, only the timestamp type. */
	assert_int_equal(v4l2_timestamp_ns(mono | V4L2_BUF_FLAG_KEYFRAME |
	    V4L2_BUF_FLAG_TSTAMP_SRC_SOE, 1, 0), 1000000000LL);
	assert_int_equal(v4l2_timestamp_ns(V4L2_BUF_FLAG_TIMESTAMP_UNKNOWN,
	    12, 345678), -1);
	assert_int_equal(v4l2_timestamp_ns(V4L2_BUF_FLAG_TIMESTAMP_COPY, 12,
	    345678), -1);
	assert_int_equal(v4l2_timestamp_ns(mono, -1, 0), -1);
	assert_int_equal(v4l2_timestamp_ns(mono, 1, 1000000), -1);
	assert_int_equal(v4l2_timestamp_ns(mono, INT64_MAX, 0), -1);
}

static void
test_fourcc_str(void **state)
{
	char s[5];

	(void)state;
	v4l2_fourcc_str(V4L2_PIX_FMT_YUYV, s);
	assert_string_equal(s, "YUYV");
	v4l2_fourcc_str(V4L2_PIX_FMT_GREY, s);
	assert_string_equal(s, "GREY");
	v4l2_fourcc_str(0x00ff4142, s);
	assert_string_equal(s, "BA??");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_grey),
		cmocka_unit_test(test_layout_yuyv),
		cmocka_unit_test(test_layout_nv12),
		cmocka_unit_test(test_layout_mjpeg),
		cmocka_unit_test(test_layout_refused),
		cmocka_unit_test(test_yuyv_to_y),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_fourcc_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
