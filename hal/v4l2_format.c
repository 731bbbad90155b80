#include "v4l2_format.h"

#include <linux/videodev2.h>

/*
 * A row is never more than this many times its packed size: it bounds
 * y_bytes so that it fits a 32-bit size_t whatever the driver returns.
 */
#define V4L2_MAX_STRIDE_FACTOR 4

int
v4l2_layout_from_format(uint32_t fourcc, uint32_t width, uint32_t height,
    uint32_t bytesperline, struct v4l2_layout *out)
{
	size_t row;

	if (width == 0 || height == 0 || width > V4L2_MAX_SIDE ||
	    height > V4L2_MAX_SIDE)
		return -1;
	switch (fourcc) {
	case V4L2_PIX_FMT_GREY:
	case V4L2_PIX_FMT_NV12:
		/* NV12's first plane is the Y plane, one byte a pixel. */
		row = width;
		out->convert = false;
		break;
	case V4L2_PIX_FMT_YUYV:
		row = (size_t)width * 2;
		out->convert = true;
		break;
	default:
		return -1;
	}
	if (bytesperline == 0)
		bytesperline = (uint32_t)row;
	if (bytesperline < row || bytesperline > row * V4L2_MAX_STRIDE_FACTOR)
		return -1;
	out->fourcc = fourcc;
	out->width = (int)width;
	out->height = (int)height;
	out->stride = bytesperline;
	out->y_bytes = out->stride * (height - 1) + row;
	return 0;
}

void
v4l2_yuyv_to_y(const uint8_t *src, size_t src_stride, int width, int height,
    uint8_t *dst)
{
	for (int r = 0; r < height; r++) {
		const uint8_t *s = src + (size_t)r * src_stride;
		uint8_t *d = dst + (size_t)r * width;

		for (int x = 0; x < width; x++)
			d[x] = s[2 * x];
	}
}

int64_t
v4l2_timestamp_ns(uint32_t flags, int64_t sec, int64_t usec)
{
	if ((flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) !=
	    V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
		return -1;
	if (sec < 0 || usec < 0 || usec >= 1000000 ||
	    sec > INT64_MAX / 1000000000 - 1)
		return -1;
	return sec * 1000000000 + usec * 1000;
}

void
v4l2_fourcc_str(uint32_t fourcc, char buf[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((fourcc >> (8 * i)) & 0xff);

		buf[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	buf[4] = '\0';
}
