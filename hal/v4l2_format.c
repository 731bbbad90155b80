#include "v4l2_format.h"

#include <stdlib.h>
#include <string.h>

#include <linux/videodev2.h>

#include "image.h"

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
	out->jpeg = false;
	switch (fourcc) {
	case V4L2_PIX_FMT_MJPEG:
	case V4L2_PIX_FMT_JPEG:
		/*
		 * A buffer holds one JPEG of any length up to its size, so
		 * there is no row length and no minimum to check here; the
		 * decoder checks everything.
		 */
		out->fourcc = fourcc;
		out->width = (int)width;
		out->height = (int)height;
		out->stride = 0;
		out->y_bytes = 0;
		out->convert = true;
		out->jpeg = true;
		return 0;
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

void
v4l2_mjpeg_init(struct v4l2_mjpeg *m, int width, int height)
{
	memset(m, 0, sizeof(*m));
	m->width = width;
	m->height = height;
	m->bad_since_ns = -1;
}

int
v4l2_mjpeg_decode(struct v4l2_mjpeg *m, const uint8_t *buf, size_t len,
    int64_t now_ns)
{
	int w = m->width, h = m->height;

	/*
	 * The plane is both the output and the buffer decoded into, so a
	 * corrupt frame leaves it undefined; nobody reads it before the next
	 * good frame, because only a good frame is handed out.
	 */
	if (image_jpeg_decode_grey(buf, len, &m->plane, &m->cap, &w, &h,
	    m->why, sizeof(m->why)) == 0) {
		m->good++;
		m->bad_since_ns = -1;
		return 1;
	}
	m->corrupt++;
	if (m->bad_since_ns < 0)
		m->bad_since_ns = now_ns;
	return now_ns - m->bad_since_ns >= V4L2_MJPEG_BAD_NS ? -1 : 0;
}

void
v4l2_mjpeg_free(struct v4l2_mjpeg *m)
{
	free(m->plane);
	m->plane = NULL;
	m->cap = 0;
}
