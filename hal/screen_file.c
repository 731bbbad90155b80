/*
 * The file screen: each picture written as a PNG into a directory, for
 * the tests and the demo.  Files are named NNNNNN-what.png ("000003-
 * granted.png"), numbered in the order shown, so a test reads the
 * sequence of screens from a listing; the numbering goes on after the
 * highest number already there, so a restarted daemon never overwrites
 * the screens of the run before.  Each PNG is written under a temporary
 * name and renamed, so a reader never sees half a file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "log.h"
#include "screen.h"

struct file_screen {
	char dir[4096];
	int width;
	int height;
	unsigned long next;	/* the number of the next PNG */
};

/* The number a "NNNNNN-what.png" name starts with, or 0. */
static unsigned long
file_screen_number(const char *name)
{
	char *end;
	unsigned long n;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	n = strtoul(name, &end, 10);
	if (*end != '-' || strstr(end, ".png") == NULL)
		return 0;
	return n;
}

/* 0 when path is a directory this process may write in; else -1, errno. */
static int
file_screen_dir_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return access(path, W_OK | X_OK);
}

static void *
file_screen_open(const struct screen_config *cfg)
{
	struct file_screen *fs;
	struct dirent *de;
	DIR *d;

	if (cfg->path == NULL || cfg->path[0] == '\0') {
		log_warnx("screen file: no directory (screen.directory)");
		errno = EINVAL;
		return NULL;
	}
	if (cfg->width <= 0 || cfg->height <= 0) {
		log_warnx("screen file: no size (%dx%d)", cfg->width, cfg->height);
		errno = EINVAL;
		return NULL;
	}
	if (file_screen_dir_check(cfg->path) == -1) {
		log_warn("screen file: %s", cfg->path);
		return NULL;
	}
	if ((fs = calloc(1, sizeof(*fs))) == NULL) {
		log_warn("screen file");
		return NULL;
	}
	if (snprintf(fs->dir, sizeof(fs->dir), "%s", cfg->path) >=
	    (int)sizeof(fs->dir)) {
		log_warnx("screen file: %s: path too long", cfg->path);
		free(fs);
		errno = ENAMETOOLONG;
		return NULL;
	}
	fs->width = cfg->width;
	fs->height = cfg->height;
	fs->next = 1;
	if ((d = opendir(cfg->path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			unsigned long n = file_screen_number(de->d_name);

			if (n >= fs->next)
				fs->next = n + 1;
		}
		closedir(d);
	}
	return fs;
}

static int
file_screen_show(void *priv, const struct screen_image *img)
{
	struct file_screen *fs = priv;
	char path[4200], tmp[4210];
	cairo_surface_t *s;
	cairo_status_t st;

	if (img->width != fs->width || img->height != fs->height ||
	    img->stride < 4 * img->width || img->stride % 4 != 0) {
		log_warnx("screen file: a %dx%d picture (stride %d) for a "
		    "%dx%d screen", img->width, img->height, img->stride,
		    fs->width, fs->height);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%06lu-%s.png", fs->dir, fs->next,
	    img->name != NULL ? img->name : "screen");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* cairo only reads the pixels to write them: the cast is safe. */
	s = cairo_image_surface_create_for_data((unsigned char *)img->argb,
	    CAIRO_FORMAT_ARGB32, img->width, img->height, img->stride);
	st = cairo_surface_status(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png(s, tmp);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_warnx("screen file: %s: %s", tmp, cairo_status_to_string(st));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		log_warn("screen file: %s", path);
		unlink(tmp);
		return -1;
	}
	fs->next++;
	return 0;
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
