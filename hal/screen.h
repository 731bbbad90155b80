/*
 * Screen backends: where a finished picture of the lane's screen goes (a
 * panel through KMS, a PNG file for the tests and the demo).  A backend
 * only shows pixels it is given; what to draw is the daemon's business
 * (screen_draw.h), so every backend shows the same picture and the file
 * backend's PNG is what a panel would show.
 *
 * A backend is a const struct screen_ops over an opaque private pointer,
 * as camera.h's.  Showing a picture may take milliseconds (a PNG is
 * compressed, a panel's buffer is copied): the daemon calls show() only
 * after the relay has been driven, never before, so a screen can never
 * delay a passage.
 */
#ifndef QRGATE_HAL_SCREEN_H
#define QRGATE_HAL_SCREEN_H

#include <stdint.h>

struct screen_config {
	const char *path;	/* file: the directory the PNGs go to;
				 * drm: the card, "" for /dev/dri/card0;
				 * none: unused */
	int width;		/* the picture's size in pixels, as the
				 * daemon will draw it */
	int height;
};

/*
 * One finished picture: 32 bits a pixel, each a native-endian uint32_t
 * 0xAARRGGBB (cairo's ARGB32, the same bytes as DRM's XRGB8888 on a
 * little-endian Pi), opaque.  The pixels stay the caller's; a backend
 * copies what it keeps.
 */
struct screen_image {
	const uint8_t *argb;	/* top-left pixel */
	int width;
	int height;
	int stride;		/* bytes from one row to the next, >= 4 * width */
	const char *name;	/* what the picture shows, a short ASCII word
				 * ("idle", "granted"): the file backend names
				 * its PNG after it */
};

struct screen_ops {
	const char *name;	/* "none", "file", "drm" */

	/*
	 * Opens the output for pictures of cfg's size.  Returns private
	 * state, or NULL with errno set and the reason logged.
	 */
	void *(*open)(const struct screen_config *cfg);

	/*
	 * Shows img, whose size is the one open() was given.  Returns 0,
	 * or -1 with the reason logged (the next picture is tried anyway:
	 * a screen is never worth stopping the gate for).
	 */
	int (*show)(void *priv, const struct screen_image *img);

	/* Releases the output and frees everything; priv may be NULL. */
	void (*close)(void *priv);
};

/*
 * NULL-terminated: "none" always, then only the backends whose libraries
 * were found at build.
 */
extern const struct screen_ops *const screen_backends[];

/* The backend called name, or NULL. */
const struct screen_ops *screen_find(const char *name);

#endif
