/*
 * The file screen: each picture written as a PNG into a directory, for
 * the tests and the demo, named NNNNNN-what.png ("000003-granted.png")
 * in the order shown (filedir.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cairo.h>

#include "filedir.h"
#include "log.h"
#include "screen.h"

struct file_screen {
	struct filedir files;
	int width;
	int height;
};

static void *
file_screen_open(const struct screen_config *cfg)
{
	struct file_screen *fs;

	if (cfg->width <= 0 || cfg->height <= 0) {
		log_warnx("screen file: no size (%dx%d)", cfg->width, cfg->height);
		errno = EINVAL;
		return NULL;
	}
	if ((fs = calloc(1, sizeof(*fs))) == NULL) {
		log_warn("screen file");
		return NULL;
	}
	if (filedir_open(&fs->files, cfg->path, "png", "screen file",
	    "screen.directory") == -1) {
		free(fs);
		return NULL;
	}
	fs->width = cfg->width;
	fs->height = cfg->height;
	return fs;
}

static int
file_screen_show(void *priv, const struct screen_image *img)
{
	struct file_screen *fs = priv;
	cairo_surface_t *s;
	cairo_status_t st;

	if (img->width != fs->width || img->height != fs->height ||
	    img->stride < 4 * img->width || img->stride % 4 != 0) {
		log_warnx("screen file: a %dx%d picture (stride %d) for a "
		    "%dx%d screen", img->width, img->height, img->stride,
		    fs->width, fs->height);
		return -1;
	}
	filedir_name(&fs->files, img->name != NULL ? img->name : "screen");
	/* cairo only reads the pixels to write them: the cast is safe. */
	s = cairo_image_surface_create_for_data((unsigned char *)img->argb,
	    CAIRO_FORMAT_ARGB32, img->width, img->height, img->stride);
	st = cairo_surface_status(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png(s, fs->files.tmp);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_warnx("screen file: %s: %s", fs->files.tmp,
		    cairo_status_to_string(st));
		unlink(fs->files.tmp);
		return -1;
	}
	return filedir_commit(&fs->files, "screen file");
}

static void
file_screen_close(void *priv)
{
	free(priv);
}

const struct screen_ops screen_file_ops = {
	.name = "file",
	.open = file_screen_open,
	.show = file_screen_show,
	.close = file_screen_close,
};
