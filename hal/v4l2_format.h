/*
 * The pixel layouts the V4L2 camera accepts, and the conversions to one Y
 * plane, as pure functions so they can be tested without a device.
 */
#ifndef QRGATE_HAL_V4L2_FORMAT_H
#define QRGATE_HAL_V4L2_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frames larger than this in either side are refused. */
#define V4L2_MAX_SIDE 8192

struct v4l2_layout {
	uint32_t fourcc;
	int width;
	int height;
	size_t stride;		/* bytes from one row of the buffer to the next */
	size_t y_bytes;		/* bytes of the buffer the Y samples span */
	bool convert;		/* Y must be copied out (packed YUYV) */
};

/*
 * Fills *out for a format the driver returned from VIDIOC_S_FMT.  GREY,
 * YUYV and NV12 are accepted; bytesperline 0 means rows are packed.
 * Returns 0, or -1 if the format is unsupported or inconsistent.
 */
int v4l2_layout_from_format(uint32_t fourcc, uint32_t width, uint32_t height,
    uint32_t bytesperline, struct v4l2_layout *out);

/*
 * Copies the Y samples of a packed YUYV image (Y0 U Y1 V ...) into dst,
 * width bytes a row, rows packed.
 */
void v4l2_yuyv_to_y(const uint8_t *src, size_t src_stride, int width,
    int height, uint8_t *dst);

/*
 * The CLOCK_MONOTONIC time in nanoseconds of a buffer with these
 * v4l2_buffer flags and timestamp, or -1 if its clock is another one.
 */
int64_t v4l2_timestamp_ns(uint32_t flags, int64_t sec, int64_t usec);

/* The fourcc as four printable characters, e.g. "YUYV". */
void v4l2_fourcc_str(uint32_t fourcc, char buf[5]);

#endif
