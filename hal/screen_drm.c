/*
 * The KMS screen: each picture copied into a dumb buffer scanned out by
 * the card's first connected connector, at its mode of the screen's size
 * (screen.width x screen.height), else at its preferred mode.  Dumb
 * buffers work on every KMS driver: HDMI and DSI on the Pi (vc4), the
 * kernel's small SPI panel drivers (tinydrm, panel-mipi-dbi), qemu's
 * bochs-display.  No GPU, no compositor: qrgated must be the card's
 * only master (nothing else on the panel, as on a gate).
 *
 * One buffer, written in place: a picture is copied while the panel
 * scans it out, so a change may tear for one frame.  On a screen that
 * changes a few times a minute that is not worth a page flip and its
 * event (a second buffer and a wait on the card's fd); it can come when
 * a panel shows it.
 *
 * A picture of another size than the mode is centred (cut where it is
 * larger), the rest black: screen.width and screen.height should be the
 * panel's, and the log says so at open.
 *
 * The system tier shows it on qemu's bochs-display and compares the
 * display, dumped by qemu, with the file backend's picture; built when
 * pkg-config finds libdrm.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "log.h"
#include "screen.h"

struct drm_screen {
	int fd;
	uint32_t conn_id;
	uint32_t crtc_id;
	drmModeModeInfo mode;
	drmModeCrtc *saved;	/* the CRTC as found, put back at close */
	uint32_t handle;	/* the dumb buffer */
	uint32_t fb_id;
	uint32_t pitch;
	uint64_t size;
	uint8_t *map;
};

/*
 * The connector's mode of the screen's size (w x h), so that a display
 * offering several (an HDMI monitor, qemu's bochs-display) shows the
 * pictures whole and unscaled; else its preferred mode, else its first.
 */
static const drmModeModeInfo *
drm_screen_mode(const drmModeConnector *c, int w, int h)
{
	for (int i = 0; i < c->count_modes; i++)
		if (c->modes[i].hdisplay == w && c->modes[i].vdisplay == h)
			return &c->modes[i];
	for (int i = 0; i < c->count_modes; i++)
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			return &c->modes[i];
	return c->count_modes > 0 ? &c->modes[0] : NULL;
}

/* A CRTC for connector c: its encoder's, or the first one any of its
 * encoders can drive.  0 if none. */
static uint32_t
drm_screen_crtc(int fd, const drmModeRes *res, const drmModeConnector *c)
{
	drmModeEncoder *e;
	uint32_t id = 0;

	if (c->encoder_id != 0 && (e = drmModeGetEncoder(fd, c->encoder_id)) != NULL) {
		id = e->crtc_id;
		drmModeFreeEncoder(e);
		if (id != 0)
			return id;
	}
	for (int i = 0; i < c->count_encoders && id == 0; i++) {
		if ((e = drmModeGetEncoder(fd, c->encoders[i])) == NULL)
			continue;
		for (int j = 0; j < res->count_crtcs; j++)
			if (e->possible_crtcs & (1u << j)) {
				id = res->crtcs[j];
				break;
			}
		drmModeFreeEncoder(e);
	}
	return id;
}

/* The first connected connector with a mode and a CRTC, its mode the
 * screen's size w x h where it has one.  0 or -1. */
static int
drm_screen_find(struct drm_screen *ds, const char *dev, int w, int h)
{
	drmModeRes *res = drmModeGetResources(ds->fd);
	int rc = -1;

	if (res == NULL) {
		log_warn("screen drm: %s: not a KMS device", dev);
		return -1;
	}
	for (int i = 0; i < res->count_connectors && rc == -1; i++) {
		drmModeConnector *c = drmModeGetConnector(ds->fd,
		    res->connectors[i]);
		const drmModeModeInfo *m;

		if (c == NULL)
			continue;
		if (c->connection == DRM_MODE_CONNECTED &&
		    (m = drm_screen_mode(c, w, h)) != NULL &&
		    (ds->crtc_id = drm_screen_crtc(ds->fd, res, c)) != 0) {
			ds->conn_id = c->connector_id;
			ds->mode = *m;
			rc = 0;
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	if (rc == -1)
		log_warnx("screen drm: %s: no connected display with a mode", dev);
	return rc;
}

/* The dumb buffer at the mode's size, mapped and added as a framebuffer. */
static int
drm_screen_buffer(struct drm_screen *ds, const char *dev)
{
	struct drm_mode_create_dumb cr = { .width = ds->mode.hdisplay,
	    .height = ds->mode.vdisplay, .bpp = 32 };
	struct drm_mode_map_dumb mr = { 0 };
	void *p;

	if (drmIoctl(ds->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cr) == -1) {
		log_warn("screen drm: %s: no dumb buffer", dev);
		return -1;
	}
	ds->handle = cr.handle;
	ds->pitch = cr.pitch;
	ds->size = cr.size;
	/* XRGB8888: the bytes of cairo's ARGB32 on a little-endian CPU. */
	if (drmModeAddFB(ds->fd, cr.width, cr.height, 24, 32, cr.pitch,
	    cr.handle, &ds->fb_id) != 0) {
		log_warn("screen drm: %s: framebuffer", dev);
		return -1;
	}
	mr.handle = cr.handle;
	if (drmIoctl(ds->fd, DRM_IOCTL_MODE_MAP_DUMB, &mr) == -1) {
		log_warn("screen drm: %s: map", dev);
		return -1;
	}
	p = mmap(NULL, ds->size, PROT_READ | PROT_WRITE, MAP_SHARED, ds->fd,
	    (off_t)mr.offset);
	if (p == MAP_FAILED) {
		log_warn("screen drm: %s: mmap", dev);
		return -1;
	}
	ds->map = p;
	memset(ds->map, 0, ds->size);
	return 0;
}

static void
drm_screen_close(void *priv)
{
	struct drm_screen *ds = priv;

	if (ds == NULL)
		return;
	if (ds->saved != NULL) {
		drmModeSetCrtc(ds->fd, ds->saved->crtc_id, ds->saved->buffer_id,
		    ds->saved->x, ds->saved->y, &ds->conn_id, 1,
		    ds->saved->mode_valid ? &ds->saved->mode : NULL);
		drmModeFreeCrtc(ds->saved);
	}
	if (ds->map != NULL)
		munmap(ds->map, ds->size);
	if (ds->fb_id != 0)
		drmModeRmFB(ds->fd, ds->fb_id);
	if (ds->handle != 0) {
		struct drm_mode_destroy_dumb d = { .handle = ds->handle };

		drmIoctl(ds->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	if (ds->fd >= 0)
		close(ds->fd);
	free(ds);
}

static void *
drm_screen_open(const struct screen_config *cfg)
{
	const char *dev = cfg->path != NULL && cfg->path[0] != '\0' ?
	    cfg->path : "/dev/dri/card0";
	struct drm_screen *ds = calloc(1, sizeof(*ds));
	uint64_t dumb = 0;

	if (ds == NULL) {
		log_warn("screen drm");
		return NULL;
	}
	if ((ds->fd = open(dev, O_RDWR | O_CLOEXEC)) == -1) {
		log_warn("screen drm: %s", dev);
		free(ds);
		return NULL;
	}
	if (drmGetCap(ds->fd, DRM_CAP_DUMB_BUFFER, &dumb) != 0 || dumb == 0) {
		log_warnx("screen drm: %s: no dumb buffers", dev);
		goto fail;
	}
	if (drm_screen_find(ds, dev, cfg->width, cfg->height) == -1 ||
	    drm_screen_buffer(ds, dev) == -1)
		goto fail;
	ds->saved = drmModeGetCrtc(ds->fd, ds->crtc_id);
	if (drmModeSetCrtc(ds->fd, ds->crtc_id, ds->fb_id, 0, 0, &ds->conn_id,
	    1, &ds->mode) != 0) {
		/* Another master (a compositor, a console) holds the card. */
		log_warn("screen drm: %s: the display cannot be set", dev);
		goto fail;
	}
	log_info("screen drm: %s: %dx%d (%s)%s", dev, ds->mode.hdisplay,
	    ds->mode.vdisplay, ds->mode.name,
	    ds->mode.hdisplay != cfg->width || ds->mode.vdisplay != cfg->height ?
	    "; screen.width and screen.height differ: pictures centred" : "");
	return ds;
fail:
	{
		int e = errno;

		drm_screen_close(ds);
		errno = e != 0 ? e : ENODEV;
	}
	return NULL;
}

static int
drm_screen_show(void *priv, const struct screen_image *img)
{
	struct drm_screen *ds = priv;
	int mw = ds->mode.hdisplay, mh = ds->mode.vdisplay;
	int w = img->width < mw ? img->width : mw;
	int h = img->height < mh ? img->height : mh;
	/* Centred: where the picture starts on the mode, and in itself. */
	int dx = (mw - w) / 2, dy = (mh - h) / 2;
	int sx = (img->width - w) / 2, sy = (img->height - h) / 2;

	if (img->stride < 4 * img->width)
		return -1;
	for (int y = 0; y < h; y++)
		memcpy(ds->map + (size_t)(dy + y) * ds->pitch + (size_t)dx * 4,
		    img->argb + (size_t)(sy + y) * img->stride + (size_t)sx * 4,
		    (size_t)w * 4);
	/* A driver that does not scan the buffer out directly (qemu's,
	 * SPI panels through their shadow buffer) is told what changed. */
	drmModeDirtyFB(ds->fd, ds->fb_id, NULL, 0);
	return 0;
}

const struct screen_ops screen_drm_ops = {
	.name = "drm",
	.open = drm_screen_open,
	.show = drm_screen_show,
	.close = drm_screen_close,
};
