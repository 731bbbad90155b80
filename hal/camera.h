/*
 * Camera backends.  A backend is a const struct camera_ops over an opaque
 * private pointer, in the manner of hostap's wpa_driver_ops.  The daemon
 * polls camera_ops.fd() for readability and then calls next() until it says
 * there is nothing more, so a backend never blocks the event loop.
 */
#ifndef QRGATE_HAL_CAMERA_H
#define QRGATE_HAL_CAMERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One 8-bit luminance plane.  The pixels belong to the backend and stay
 * valid until the next call of next() or close() on the same camera.
 */
struct frame {
	const uint8_t *y;	/* top-left pixel */
	int width;
	int height;
	int stride;		/* bytes from one row to the next, >= width */
	int64_t ts_ns;		/* CLOCK_MONOTONIC time of capture */
	uint64_t seq;		/* 0, 1, 2 ... per opened camera */
};

struct camera_config {
	const char *source;	/* file backend: a directory, a file, or a
				 * comma-separated list of files;
				 * v4l2: a device path such as /dev/video0;
				 * libcamera: a camera's index ("0", "1") or
				 * id, "" or a /dev path for the first */
	int fps;		/* frames a second wanted */
	bool loop;		/* file backend: start again after the last */
	int width;		/* v4l2, libcamera: wanted size, 0 for the
				 * driver's */
	int height;
	int max_exposure_us;	/* libcamera: longest exposure against motion
				 * blur, in microseconds; 0 leaves auto
				 * exposure alone */
};

enum camera_next {
	CAMERA_FRAME = 1,	/* *out holds a new frame */
	CAMERA_NONE = 0,	/* nothing now; poll fd() again */
	CAMERA_END = -2,	/* file backend without loop: no more frames */
	CAMERA_ERROR = -1,	/* device failure; errno set, log done */
};

struct camera_ops {
	const char *name;

	/*
	 * True for a camera that films a scene (v4l2, libcamera): a live
	 * sensor's noise makes consecutive frames differ, so a run of
	 * identical frames means it froze.  False for the file backend, which
	 * replays the same pixels by design.
	 */
	bool live;

	/*
	 * Opens the source and checks it can deliver frames.  Returns the
	 * backend's private state, or NULL with errno set and the reason
	 * logged.
	 */
	void *(*open)(const struct camera_config *cfg);

	/* Starts streaming.  Returns 0, or -1 with the reason logged. */
	int (*start)(void *priv);

	/* The fd that becomes readable when next() may have a frame. */
	int (*fd)(void *priv);

	/*
	 * Hands out the newest frame, if any (a backend drops older ones it
	 * has queued, so the decoder never works on a stale frame).  Returns
	 * an enum camera_next.  At most one frame per wakeup: after handing
	 * one out, the next call says CAMERA_NONE (or CAMERA_END), so a camera
	 * faster than the decoder cannot keep the loop from its other fds.
	 */
	int (*next)(void *priv, struct frame *out);

	/* Stops streaming and frees everything; priv may be NULL. */
	void (*close)(void *priv);
};

/* NULL-terminated; only the backends whose libraries were found at build. */
extern const struct camera_ops *const camera_backends[];

/* The backend called name, or NULL. */
const struct camera_ops *camera_find(const char *name);

#endif
