/*
 * Keyboard-wedge scanners through evdev (libevdev).  The device is
 * grabbed (EVIOCGRAB) for this process alone: the codes it types reach no
 * console, no login prompt and no other program, and nobody else can
 * read them.  Key events become bytes in reader_wedge.c; their kernel
 * timestamps, on CLOCK_MONOTONIC, measure the pause between two keys, so
 * a loop that wakes late does not glue two codes together.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libevdev/libevdev.h>

#include "log.h"
#include "reader.h"
#include "reader_wedge.h"

struct reader_evdev {
	int fd;
	struct libevdev *dev;
	struct reader_wedge w;
	bool held;		/* ev was read but not yet taken: a pause
				 * ended the code before it */
	struct input_event ev;
	char device[256];
};

static void *
reader_evdev_open(const struct reader_config *cfg)
{
	struct reader_evdev *r;
	int rc;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("reader: %s", cfg->device);
		return NULL;
	}
	snprintf(r->device, sizeof(r->device), "%s", cfg->device);
	reader_wedge_init(&r->w, cfg->max_payload, cfg->timeout_ms);
	r->fd = open(cfg->device, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd == -1) {
		log_warn("reader: %s", cfg->device);
		free(r);
		return NULL;
	}
	if ((rc = libevdev_new_from_fd(r->fd, &r->dev)) < 0) {
		errno = -rc;
		log_warn("reader: %s: not an input device", cfg->device);
		goto fail;
	}
	if (!libevdev_has_event_type(r->dev, EV_KEY)) {
		log_warnx("reader: %s (%s): has no keys", cfg->device,
		    libevdev_get_name(r->dev));
		errno = ENODEV;
		goto fail;
	}
	/* Held by someone else (another qrgated, a test): not ours. */
	if ((rc = libevdev_grab(r->dev, LIBEVDEV_GRAB)) < 0) {
		errno = -rc;
		log_warn("reader: %s: cannot grab it", cfg->device);
		goto fail;
	}
	if ((rc = libevdev_set_clock_id(r->dev, CLOCK_MONOTONIC)) < 0) {
		errno = -rc;
		log_warn("reader: %s: monotonic timestamps", cfg->device);
		goto fail;
	}
	log_info("reader: %s: %s, grabbed", cfg->device,
	    libevdev_get_name(r->dev));
	return r;
fail:
	rc = errno;
	libevdev_free(r->dev);
	close(r->fd);
	free(r);
	errno = rc;
	return NULL;
}

static int
reader_evdev_fd(void *priv)
{
	return ((struct reader_evdev *)priv)->fd;
}

/*
 * The next event: the one held back, or one from the device.  1, 0 when
 * none waits, -1 when the device failed.  Events the kernel dropped (its
 * buffer overran: SYN_DROPPED) leave a code with holes: it is forgotten.
 */
static int
reader_evdev_next(struct reader_evdev *r)
{
	int rc;

	if (r->held) {
		r->held = false;
		return 1;
	}
	while ((rc = libevdev_next_event(r->dev, LIBEVDEV_READ_FLAG_NORMAL,
	    &r->ev)) == LIBEVDEV_READ_STATUS_SYNC) {
		log_warnx("reader: %s: key events lost; the code being "
		    "typed is dropped", r->device);
		reader_frame_drop(&r->w.fr);
		/* The device's state after the loss; then the events
		 * queued after it, read as usual. */
		while ((rc = libevdev_next_event(r->dev,
		    LIBEVDEV_READ_FLAG_SYNC, &r->ev)) ==
		    LIBEVDEV_READ_STATUS_SYNC)
			;
		/* The shift keys as the device now has them. */
		r->w.shift[0] = libevdev_get_event_value(r->dev, EV_KEY,
		    KEY_LEFTSHIFT) == 1;
		r->w.shift[1] = libevdev_get_event_value(r->dev, EV_KEY,
		    KEY_RIGHTSHIFT) == 1;
		if (rc != -EAGAIN && rc < 0)
			break;
	}
	if (rc == LIBEVDEV_READ_STATUS_SUCCESS)
		return 1;
	if (rc == -EAGAIN)
		return 0;
	errno = -rc;
	log_warn("reader: %s", r->device);
	return -1;
}

static int
reader_evdev_read(void *priv, int64_t now_ns, struct reader_presentation *out)
{
	struct reader_evdev *r = priv;
	int64_t ts;
	int rc;

	while ((rc = reader_evdev_next(r)) == 1) {
		if (r->ev.type != EV_KEY)
			continue;
		ts = (int64_t)r->ev.input_event_sec * 1000000000 +
		    (int64_t)r->ev.input_event_usec * 1000;
		switch (reader_wedge_key(&r->w, r->ev.code, r->ev.value, ts)) {
		case READER_WEDGE_PAUSED:
			r->held = true;
			/* FALLTHROUGH */
		case READER_WEDGE_ENDED:
			reader_frame_take(&r->w.fr, out);
			return READER_PRESENTED;
		}
	}
	if (rc == -1) {
		reader_frame_drop(&r->w.fr);
		return READER_ERROR;
	}
	if (reader_frame_expire(&r->w.fr, now_ns)) {
		reader_frame_take(&r->w.fr, out);
		return READER_PRESENTED;
	}
	return READER_NONE;
}

static int64_t
reader_evdev_deadline(void *priv)
{
	return reader_frame_deadline(&((struct reader_evdev *)priv)->w.fr);
}

static void
reader_evdev_close(void *priv)
{
	struct reader_evdev *r = priv;

	if (r == NULL)
		return;
	(void)libevdev_grab(r->dev, LIBEVDEV_UNGRAB);
	libevdev_free(r->dev);
	close(r->fd);
	free(r);
}

const struct reader_ops reader_evdev_ops = {
	.name = "evdev",
	.source = "scanner",
	.open = reader_evdev_open,
	.fd = reader_evdev_fd,
	.read = reader_evdev_read,
	.deadline_ns = reader_evdev_deadline,
	.close = reader_evdev_close,
};
