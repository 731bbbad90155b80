/*
 * The V4L2 camera: single-planar capture with mmap streaming, the way
 * the kernel's own capture example does it.  The device is non-blocking;
 * the daemon polls its fd and next() drains every filled buffer, keeping
 * only the newest, so the decoder never works on a stale frame.  Raw
 * formats are preferred; MJPEG, which cheap USB webcams offer at the
 * sizes worth having, is decoded to its Y plane with libjpeg-turbo.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "log.h"
#include "camera.h"
#include "util.h"
#include "v4l2_format.h"

#define V4L2_CAM_BUFFERS	4

/* Corrupt MJPEG frames are reported at most this often. */
#define V4L2_CAM_CORRUPT_LOG_NS	(60LL * 1000000000)

struct v4l2_cam_buf {
	void *start;
	size_t length;
};

struct v4l2_cam {
	int fd;
	char path[128];
	struct v4l2_layout layout;
	struct v4l2_cam_buf *bufs;
	unsigned nbufs;
	uint8_t *ybuf;		/* the Y plane copied out of YUYV */
	struct v4l2_mjpeg mjpeg;	/* the Y plane decoded from MJPEG */
	uint64_t corrupt_logged;	/* mjpeg.corrupt when last reported */
	int64_t corrupt_log_ns;	/* when that was */
	int held;		/* buffer handed out with the last frame, or -1 */
	bool gave;		/* the last call handed out a frame */
	bool streaming;
	uint64_t seq;
};

/*
 * In order of preference: the raw formats cost a copy at most, a JPEG
 * costs a decode (a few milliseconds a frame at 640x480 on a Pi).  JPEG is
 * what some older drivers (gspca) call the same thing as MJPEG.
 */
static const uint32_t v4l2_cam_formats[] = {
	V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12,
	V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_JPEG,
};
#define V4L2_CAM_NFORMATS	nitems(v4l2_cam_formats)

static int
v4l2_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r == -1 && errno == EINTR);
	return r;
}

static int64_t
v4l2_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Sets fourcc at w x h.  Returns 1 with *fmt as the driver took it, 0 if the
 * driver does not offer the format (it answers with another one), or -1
 * on failure.
 */
static int
v4l2_cam_try_format(struct v4l2_cam *c, uint32_t fourcc, uint32_t w,
    uint32_t h, struct v4l2_format *fmt)
{
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt->fmt.pix.width = w;
	fmt->fmt.pix.height = h;
	fmt->fmt.pix.pixelformat = fourcc;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	/* 0 asks the driver for its own row length. */
	fmt->fmt.pix.bytesperline = 0;
	if (v4l2_ioctl(c->fd, VIDIOC_S_FMT, fmt) == -1) {
		if (errno == EINVAL)
			return 0;
		log_warn("camera v4l2: %s: VIDIOC_S_FMT", c->path);
		return -1;
	}
	/* A driver answers an unsupported format with another one. */
	if (fmt->fmt.pix.pixelformat != fourcc)
		return 0;
	/* With alternate fields each buffer holds half a frame. */
	if (fmt->fmt.pix.field == V4L2_FIELD_ALTERNATE)
		return 0;
	return 1;
}

/*
 * Tries the formats we can turn into a Y plane, in order of cost, first at
 * exactly the size asked, then at whatever size the driver makes of it: a
 * webcam typically offers YUYV only up to 640x480 and MJPEG at every size,
 * and 1280x720 in MJPEG beats YUYV shrunk to 640x480.
 */
static int
v4l2_cam_set_format(struct v4l2_cam *c, const struct camera_config *cfg)
{
	struct v4l2_format fmt;
	uint32_t w, h;
	char fcc[5];
	int r;

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (v4l2_ioctl(c->fd, VIDIOC_G_FMT, &fmt) == -1) {
		log_warn("camera v4l2: %s: VIDIOC_G_FMT", c->path);
		return -1;
	}
	w = cfg->width > 0 ? (uint32_t)cfg->width : fmt.fmt.pix.width;
	h = cfg->height > 0 ? (uint32_t)cfg->height : fmt.fmt.pix.height;

	for (int exact = 1; exact >= 0; exact--) {
		for (size_t i = 0; i < V4L2_CAM_NFORMATS; i++) {
			if ((r = v4l2_cam_try_format(c, v4l2_cam_formats[i], w,
			    h, &fmt)) == -1)
				return -1;
			if (r == 0 || (exact && (fmt.fmt.pix.width != w ||
			    fmt.fmt.pix.height != h)))
				continue;
			goto found;
		}
	}
	log_warnx("camera v4l2: %s: supports none of GREY, YUYV, NV12, MJPG",
	    c->path);
	errno = EINVAL;
	return -1;

found:
	v4l2_fourcc_str(fmt.fmt.pix.pixelformat, fcc);
	if (v4l2_layout_from_format(fmt.fmt.pix.pixelformat,
	    fmt.fmt.pix.width, fmt.fmt.pix.height, fmt.fmt.pix.bytesperline,
	    &c->layout) == -1) {
		log_warnx("camera v4l2: %s: unusable %s format %ux%u, %u bytes "
		    "a line", c->path, fcc, fmt.fmt.pix.width,
		    fmt.fmt.pix.height, fmt.fmt.pix.bytesperline);
		errno = EINVAL;
		return -1;
	}
	if (cfg->width > 0 && cfg->height > 0 &&
	    (fmt.fmt.pix.width != w || fmt.fmt.pix.height != h))
		log_info("camera v4l2: %s: %ux%u asked, driver gave %ux%u",
		    c->path, w, h, fmt.fmt.pix.width, fmt.fmt.pix.height);
	if (c->layout.jpeg)
		log_info("camera v4l2: %s: %s %ux%u, each frame decoded: no "
		    "raw format offered at this size", c->path, fcc,
		    fmt.fmt.pix.width, fmt.fmt.pix.height);
	else
		log_debug("camera v4l2: %s: %s %ux%u, %zu bytes a line",
		    c->path, fcc, fmt.fmt.pix.width, fmt.fmt.pix.height,
		    c->layout.stride);
	return 0;
}

/* The frame rate is a wish: many drivers cannot set it. */
static void
v4l2_cam_set_fps(struct v4l2_cam *c, int fps)
{
	struct v4l2_streamparm parm;

	if (fps <= 0)
		return;
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (v4l2_ioctl(c->fd, VIDIOC_G_PARM, &parm) == -1 ||
	    (parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) == 0) {
		log_debug("camera v4l2: %s: frame rate cannot be set",
		    c->path);
		return;
	}
	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = (uint32_t)fps;
	if (v4l2_ioctl(c->fd, VIDIOC_S_PARM, &parm) == -1)
		log_debug("camera v4l2: %s: VIDIOC_S_PARM failed", c->path);
	else if (parm.parm.capture.timeperframe.numerator != 0)
		log_debug("camera v4l2: %s: %u/%u s a frame", c->path,
		    parm.parm.capture.timeperframe.numerator,
		    parm.parm.capture.timeperframe.denominator);
}

static int
v4l2_cam_qbuf(struct v4l2_cam *c, unsigned index)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	b.index = index;
	if (v4l2_ioctl(c->fd, VIDIOC_QBUF, &b) == -1) {
		log_warn("camera v4l2: %s: VIDIOC_QBUF", c->path);
		return -1;
	}
	return 0;
}

static int
v4l2_cam_map(struct v4l2_cam *c)
{
	struct v4l2_requestbuffers req;
	struct v4l2_buffer b;

	memset(&req, 0, sizeof(req));
	req.count = V4L2_CAM_BUFFERS;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_MMAP;
	if (v4l2_ioctl(c->fd, VIDIOC_REQBUFS, &req) == -1) {
		log_warn("camera v4l2: %s: VIDIOC_REQBUFS", c->path);
		return -1;
	}
	/* One buffer for the driver to fill while we hold the other. */
	if (req.count < 2 || req.count > VIDEO_MAX_FRAME) {
		log_warnx("camera v4l2: %s: driver gave %u buffers", c->path,
		    req.count);
		errno = ENOMEM;
		return -1;
	}
	if ((c->bufs = calloc(req.count, sizeof(*c->bufs))) == NULL) {
		log_warn("camera v4l2: %s", c->path);
		return -1;
	}
	for (unsigned i = 0; i < req.count; i++) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (v4l2_ioctl(c->fd, VIDIOC_QUERYBUF, &b) == -1) {
			log_warn("camera v4l2: %s: VIDIOC_QUERYBUF", c->path);
			return -1;
		}
		if (b.length == 0 || b.length < c->layout.y_bytes) {
			log_warnx("camera v4l2: %s: buffer of %u bytes, "
			    "frame needs %zu", c->path, b.length,
			    c->layout.y_bytes);
			errno = EINVAL;
			return -1;
		}
		c->bufs[i].start = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
		    MAP_SHARED, c->fd, b.m.offset);
		if (c->bufs[i].start == MAP_FAILED) {
			c->bufs[i].start = NULL;
			log_warn("camera v4l2: %s: mmap", c->path);
			return -1;
		}
		c->bufs[i].length = b.length;
		c->nbufs = i + 1;
	}
	for (unsigned i = 0; i < c->nbufs; i++)
		if (v4l2_cam_qbuf(c, i) == -1)
			return -1;
	return 0;
}

static void v4l2_cam_close(void *priv);

/*
 * A buffer flagged as an error, or shorter than the frame (for MJPEG:
 * empty, or longer than the buffer), may hold a torn image.
 */
static bool
v4l2_cam_buf_ok(const struct v4l2_cam *c, const struct v4l2_buffer *b)
{
	if ((b->flags & V4L2_BUF_FLAG_ERROR) != 0)
		return false;
	if (c->layout.jpeg)
		return b->bytesused > 0 &&
		    b->bytesused <= c->bufs[b->index].length;
	return b->bytesused >= c->layout.y_bytes;
}

/*
 * A corrupt MJPEG frame is normal now and then (a USB packet lost), so
 * the first one is reported and then at most one line a minute says how
 * many more there were.
 */
static void
v4l2_cam_corrupt_report(struct v4l2_cam *c, int64_t now)
{
	log_debug("camera v4l2: %s: corrupt MJPEG frame skipped: %s",
	    c->path, c->mjpeg.why);
	if (c->corrupt_logged != 0 &&
	    now - c->corrupt_log_ns < V4L2_CAM_CORRUPT_LOG_NS)
		return;
	log_warnx("camera v4l2: %s: %llu corrupt MJPEG frame%s skipped since "
	    "open (last: %s)", c->path, (unsigned long long)c->mjpeg.corrupt,
	    c->mjpeg.corrupt == 1 ? "" : "s", c->mjpeg.why);
	c->corrupt_logged = c->mjpeg.corrupt;
	c->corrupt_log_ns = now;
}

/*
 * Decodes the newest buffer, already given back to the driver's queue
 * once this returns.  Returns an enum camera_next.
 */
static int
v4l2_cam_next_jpeg(struct v4l2_cam *c, const struct v4l2_buffer *b,
    struct frame *out)
{
	int64_t now = v4l2_now_ns();
	int r;

	/* libjpeg reads the buffer as it is: the length is bytesused. */
	r = v4l2_mjpeg_decode(&c->mjpeg, c->bufs[b->index].start, b->bytesused,
	    now);
	if (v4l2_cam_qbuf(c, b->index) == -1)
		return CAMERA_ERROR;
	if (r == -1) {
		log_warnx("camera v4l2: %s: every MJPEG frame for %lld ms was "
		    "corrupt (last: %s)", c->path,
		    V4L2_MJPEG_BAD_NS / 1000000, c->mjpeg.why);
		errno = EIO;
		return CAMERA_ERROR;
	}
	if (r == 0) {
		v4l2_cam_corrupt_report(c, now);
		return CAMERA_NONE;
	}
	out->y = c->mjpeg.plane;
	out->stride = c->layout.width;
	return CAMERA_FRAME;
}

static void *
v4l2_cam_open(const struct camera_config *cfg)
{
	struct v4l2_capability cap;
	struct v4l2_cam *c;
	uint32_t caps;
	int saved;

	if (cfg == NULL || cfg->source == NULL || cfg->source[0] == '\0') {
		log_warnx("camera v4l2: no device given");
		errno = EINVAL;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("camera v4l2");
		return NULL;
	}
	c->fd = -1;
	c->held = -1;
	snprintf(c->path, sizeof(c->path), "%s", cfg->source);
	if ((c->fd = open(cfg->source, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		log_warn("camera v4l2: %s", cfg->source);
		goto fail;
	}

	memset(&cap, 0, sizeof(cap));
	if (v4l2_ioctl(c->fd, VIDIOC_QUERYCAP, &cap) == -1) {
		log_warn("camera v4l2: %s: VIDIOC_QUERYCAP", c->path);
		goto fail;
	}
	/* device_caps describe this node; capabilities the whole device. */
	caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ?
	    cap.device_caps : cap.capabilities;
	if ((caps & V4L2_CAP_VIDEO_CAPTURE) == 0 ||
	    (caps & V4L2_CAP_STREAMING) == 0) {
		log_warnx("camera v4l2: %s: not a streaming capture device",
		    c->path);
		errno = ENODEV;
		goto fail;
	}

	if (v4l2_cam_set_format(c, cfg) == -1)
		goto fail;
	v4l2_cam_set_fps(c, cfg->fps);
	if (c->layout.jpeg)
		v4l2_mjpeg_init(&c->mjpeg, c->layout.width, c->layout.height);
	else if (c->layout.convert) {
		c->ybuf = malloc((size_t)c->layout.width * c->layout.height);
		if (c->ybuf == NULL) {
			log_warn("camera v4l2: %s", c->path);
			goto fail;
		}
	}
	if (v4l2_cam_map(c) == -1)
		goto fail;
	return c;

fail:
	saved = errno;
	v4l2_cam_close(c);
	errno = saved;
	return NULL;
}

static int
v4l2_cam_start(void *priv)
{
	struct v4l2_cam *c = priv;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (c->streaming)
		return 0;
	if (v4l2_ioctl(c->fd, VIDIOC_STREAMON, &type) == -1) {
		log_warn("camera v4l2: %s: VIDIOC_STREAMON", c->path);
		return -1;
	}
	c->streaming = true;
	return 0;
}

static int
v4l2_cam_fd(void *priv)
{
	struct v4l2_cam *c = priv;

	return c->fd;
}

static int
v4l2_cam_next(void *priv, struct frame *out)
{
	struct v4l2_cam *c = priv;
	struct v4l2_buffer b, newest;
	bool have = false;
	uint8_t *px;
	int64_t ts;
	int r;

	if (c->held >= 0) {
		unsigned i = (unsigned)c->held;

		c->held = -1;
		if (v4l2_cam_qbuf(c, i) == -1)
			return CAMERA_ERROR;
	}
	if (!c->streaming)
		return CAMERA_NONE;
	/*
	 * One frame per readiness: the daemon calls next() until it says
	 * none, and a camera that fills buffers faster than frames are
	 * decoded always has a newer one, which would keep the loop here and
	 * starve every other fd and timer (the control socket, the inputs,
	 * the end of a relay pulse).  The fd stays readable, so the loop
	 * comes back as soon as the others have had their turn.
	 */
	if (c->gave) {
		c->gave = false;
		return CAMERA_NONE;
	}

	for (;;) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		if (v4l2_ioctl(c->fd, VIDIOC_DQBUF, &b) == -1) {
			if (errno == EAGAIN)
				break;
			log_warn("camera v4l2: %s: VIDIOC_DQBUF", c->path);
			if (have)
				(void)v4l2_cam_qbuf(c, newest.index);
			return CAMERA_ERROR;
		}
		if (b.index >= c->nbufs) {
			log_warnx("camera v4l2: %s: driver returned buffer %u "
			    "of %u", c->path, b.index, c->nbufs);
			if (have)
				(void)v4l2_cam_qbuf(c, newest.index);
			errno = EIO;
			return CAMERA_ERROR;
		}
		/*
		 * A torn buffer goes straight back.  A failed QBUF means the
		 * device is going away; close() takes every buffer back with
		 * STREAMOFF.
		 */
		if (!v4l2_cam_buf_ok(c, &b)) {
			log_debug("camera v4l2: %s: dropped a bad buffer",
			    c->path);
			if (v4l2_cam_qbuf(c, b.index) == -1)
				return CAMERA_ERROR;
			continue;
		}
		if (have && v4l2_cam_qbuf(c, newest.index) == -1)
			return CAMERA_ERROR;
		newest = b;
		have = true;
	}
	if (!have)
		return CAMERA_NONE;

	ts = v4l2_timestamp_ns(newest.flags, newest.timestamp.tv_sec,
	    newest.timestamp.tv_usec);
	if (ts < 0)
		ts = v4l2_now_ns();
	px = c->bufs[newest.index].start;
	if (c->layout.jpeg) {
		/* A corrupt frame is not one: the next one is 1/fps away. */
		if ((r = v4l2_cam_next_jpeg(c, &newest, out)) != CAMERA_FRAME)
			return r;
	} else if (c->layout.convert) {
		v4l2_yuyv_to_y(px, c->layout.stride, c->layout.width,
		    c->layout.height, c->ybuf);
		/* The copy is ours, so the driver can have its buffer now. */
		if (v4l2_cam_qbuf(c, newest.index) == -1)
			return CAMERA_ERROR;
		out->y = c->ybuf;
		out->stride = c->layout.width;
	} else {
		c->held = (int)newest.index;
		out->y = px;
		out->stride = (int)c->layout.stride;
	}
	out->width = c->layout.width;
	out->height = c->layout.height;
	out->ts_ns = ts;
	out->seq = c->seq++;
	c->gave = true;
	return CAMERA_FRAME;
}

static void
v4l2_cam_close(void *priv)
{
	struct v4l2_cam *c = priv;
	struct v4l2_requestbuffers req;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (c == NULL)
		return;
	if (c->fd != -1 && c->streaming) {
		/* STREAMOFF takes back every buffer, the held one too. */
		if (v4l2_ioctl(c->fd, VIDIOC_STREAMOFF, &type) == -1)
			log_warn("camera v4l2: %s: VIDIOC_STREAMOFF", c->path);
	}
	c->held = -1;
	if (c->mjpeg.corrupt > 0)
		log_info("camera v4l2: %s: %llu of %llu MJPEG frames were "
		    "corrupt", c->path, (unsigned long long)c->mjpeg.corrupt,
		    (unsigned long long)(c->mjpeg.corrupt + c->mjpeg.good));
	v4l2_mjpeg_free(&c->mjpeg);
	for (unsigned i = 0; i < c->nbufs; i++)
		if (c->bufs[i].start != NULL)
			munmap(c->bufs[i].start, c->bufs[i].length);
	if (c->fd != -1 && c->bufs != NULL) {
		/* Buffers can only be freed once none is mapped. */
		memset(&req, 0, sizeof(req));
		req.count = 0;
		req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		req.memory = V4L2_MEMORY_MMAP;
		(void)v4l2_ioctl(c->fd, VIDIOC_REQBUFS, &req);
	}
	if (c->fd != -1)
		close(c->fd);
	free(c->bufs);
	free(c->ybuf);
	free(c);
}

const struct camera_ops camera_v4l2_ops = {
	.name = "v4l2",
	.live = true,
	.open = v4l2_cam_open,
	.start = v4l2_cam_start,
	.fd = v4l2_cam_fd,
	.next = v4l2_cam_next,
	.close = v4l2_cam_close,
};
