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
	bool jpeg;		/* each buffer is a JPEG to decode (MJPEG);
				 * stride and y_bytes are then 0 */
};

/*
 * Fills *out for a format the driver returned from VIDIOC_S_FMT.  GREY,
 * YUYV, NV12, MJPEG and JPEG are accepted; bytesperline 0 means rows are
 * packed (and is what compressed formats have).  Returns 0, or -1 if the
 * format is unsupported or inconsistent.
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

/*
 * An MJPEG stream's frames decoded to one reused Y plane.  A corrupt frame
 * (torn by a lost USB packet, cut short) is skipped and counted, never an
 * error by itself: only when every frame for V4L2_MJPEG_BAD_NS has been
 * corrupt does the camera give up.  Embedded by the caller.
 */
#define V4L2_MJPEG_BAD_NS	(2LL * 1000000000)

struct v4l2_mjpeg {
	uint8_t *plane;		/* the last good frame, width bytes a row */
	size_t cap;		/* bytes allocated at plane */
	int width;		/* the size negotiated: a frame of another */
	int height;		/* size is corrupt */
	uint64_t good;		/* frames decoded */
	uint64_t corrupt;	/* frames skipped */
	int64_t bad_since_ns;	/* first corrupt frame since the last good
				 * one, or -1 */
	char why[160];		/* what was wrong with the last corrupt one */
};

void v4l2_mjpeg_init(struct v4l2_mjpeg *m, int width, int height);

/*
 * Decodes the len bytes of one buffer, received at now_ns (CLOCK_MONOTONIC).
 * Returns 1 with the frame in m->plane; 0 if it was corrupt (skipped, m->why
 * says why); -1 if it was corrupt and so was every frame since
 * V4L2_MJPEG_BAD_NS or more ago.
 */
int v4l2_mjpeg_decode(struct v4l2_mjpeg *m, const uint8_t *buf, size_t len,
    int64_t now_ns);

/* Frees the plane; m may be used again after v4l2_mjpeg_init(). */
void v4l2_mjpeg_free(struct v4l2_mjpeg *m);

#endif
