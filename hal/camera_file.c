/*
 * The file camera: still images replayed as frames at a fixed rate, for
 * the demo, the integration tests and `qrgated` on a bench without a
 * camera.  Every image is decoded at open, so handing out a frame costs
 * nothing and its timestamp is the moment it was handed out.  Frames come
 * in order, one per timer period, never skipped, so that every image gets
 * its decision even when the daemon falls behind.
 */
#include <sys/stat.h>
#include <sys/timerfd.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "log.h"
#include "camera.h"
#include "util.h"

struct file_cam {
	struct image *frames;
	size_t nframes;
	size_t next;		/* index of the next frame to hand out */
	uint64_t seq;
	int tfd;
	long long period_ns;
	bool loop;
	bool ended;
};

/* A growing list of paths. */
struct file_list {
	char **paths;
	size_t n;
	size_t cap;
};

static void
file_list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->n = l->cap = 0;
}

/* Takes p, which must come from malloc; frees it on failure. */
static int
file_list_add(struct file_list *l, char *p)
{
	char **np;

	if (p == NULL)
		return -1;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;

		if ((np = reallocarray(l->paths, ncap, sizeof(*np))) == NULL) {
			free(p);
			return -1;
		}
		l->paths = np;
		l->cap = ncap;
	}
	l->paths[l->n++] = p;
	return 0;
}

static int
file_name_is_image(const char *name)
{
	static const char *const exts[] = { ".png", ".jpg", ".jpeg", ".pgm" };
	size_t len = strlen(name), el;

	/* Hidden files are editor and copy debris (._x.jpg), not frames. */
	if (name[0] == '.')
		return 0;
	for (size_t i = 0; i < nitems(exts); i++) {
		el = strlen(exts[i]);
		if (len > el && strcasecmp(name + len - el, exts[i]) == 0)
			return 1;
	}
	return 0;
}

static int
file_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
file_list_dir(struct file_list *l, const char *dir)
{
	struct dirent *de;
	char *p;
	size_t first = l->n;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		log_warn("camera file: %s", dir);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!file_name_is_image(de->d_name))
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) == -1)
			p = NULL;
		if (file_list_add(l, p) == -1) {
			log_warn("camera file: %s", dir);
			closedir(d);
			return -1;
		}
	}
	if (errno != 0) {
		log_warn("camera file: %s", dir);
		closedir(d);
		return -1;
	}
	closedir(d);
	/* Names differ only after the common "dir/" prefix. */
	if (l->n > first)
		qsort(l->paths + first, l->n - first, sizeof(*l->paths),
		    file_name_cmp);
	return 0;
}

static int
file_list_split(struct file_list *l, const char *source)
{
	const char *s = source, *comma;
	size_t n;

	for (;;) {
		comma = strchr(s, ',');
		n = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (n == 0) {
			log_warnx("camera file: empty name in list \"%s\"",
			    source);
			errno = EINVAL;
			return -1;
		}
		if (file_list_add(l, strndup(s, n)) == -1) {
			log_warn("camera file");
			return -1;
		}
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

static int
file_list_collect(struct file_list *l, const char *source)
{
	struct stat st;

	if (strchr(source, ',') != NULL)
		return file_list_split(l, source);
	if (stat(source, &st) == -1) {
		log_warn("camera file: %s", source);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return file_list_dir(l, source);
	if (file_list_add(l, strdup(source)) == -1) {
		log_warn("camera file");
		return -1;
	}
	return 0;
}

static void file_cam_close(void *priv);

static void *
file_cam_open(const struct camera_config *cfg)
{
	struct file_list l = { NULL, 0, 0 };
	struct file_cam *c = NULL;
	char err[512];
	int saved;

	if (cfg == NULL || cfg->source == NULL || cfg->source[0] == '\0') {
		log_warnx("camera file: no source given");
		errno = EINVAL;
		return NULL;
	}
	if (cfg->fps <= 0) {
		log_warnx("camera file: frame rate %d must be positive",
		    cfg->fps);
		errno = EINVAL;
		return NULL;
	}
	if (file_list_collect(&l, cfg->source) == -1)
		goto fail;
	if (l.n == 0) {
		log_warnx("camera file: %s: no .png, .jpg, .jpeg or .pgm files",
		    cfg->source);
		errno = ENOENT;
		goto fail;
	}

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("camera file");
		goto fail;
	}
	c->tfd = -1;
	if ((c->frames = calloc(l.n, sizeof(*c->frames))) == NULL) {
		log_warn("camera file");
		goto fail;
	}
	c->loop = cfg->loop;
	c->period_ns = 1000000000LL / cfg->fps;
	if (c->period_ns == 0)
		c->period_ns = 1;
	for (size_t i = 0; i < l.n; i++) {
		if (image_load(l.paths[i], &c->frames[i], err,
		    sizeof(err)) == -1) {
			log_warnx("camera file: %s", err);
			errno = EINVAL;
			goto fail;
		}
		c->nframes = i + 1;
	}
	/* Created now so fd() is valid before start(); armed by start(). */
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->tfd == -1) {
		log_warn("camera file: timerfd_create");
		goto fail;
	}
	log_debug("camera file: %zu frames from %s", c->nframes, cfg->source);
	file_list_free(&l);
	return c;

fail:
	saved = errno;
	file_list_free(&l);
	file_cam_close(c);
	errno = saved;
	return NULL;
}

static int
file_cam_arm(struct file_cam *c, long long ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ns / 1000000000;
	its.it_value.tv_nsec = ns % 1000000000;
	its.it_interval = its.it_value;
	if (timerfd_settime(c->tfd, 0, &its, NULL) == -1) {
		log_warn("camera file: timerfd_settime");
		return -1;
	}
	return 0;
}

static int
file_cam_start(void *priv)
{
	struct file_cam *c = priv;

	if (c->ended)
		return 0;
	/* The first frame comes one period after start, like a camera's. */
	return file_cam_arm(c, c->period_ns);
}

static int
file_cam_fd(void *priv)
{
	struct file_cam *c = priv;

	return c->tfd;
}

static int
file_cam_next(void *priv, struct frame *out)
{
	struct file_cam *c = priv;
	struct timespec now;
	const struct image *img;
	uint64_t expired;
	ssize_t n;

	/* Disarming also clears pending expirations: the fd goes quiet. */
	if (c->ended) {
		(void)file_cam_arm(c, 0);
		return CAMERA_END;
	}
	do
		n = read(c->tfd, &expired, sizeof(expired));
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return CAMERA_NONE;
	if (n != (ssize_t)sizeof(expired)) {
		log_warn("camera file: timerfd read");
		return CAMERA_ERROR;
	}

	/* However many periods passed, one frame: replay never skips. */
	img = &c->frames[c->next];
	clock_gettime(CLOCK_MONOTONIC, &now);
	out->y = img->y;
	out->width = img->width;
	out->height = img->height;
	out->stride = img->width;
	out->ts_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	out->seq = c->seq++;

	if (++c->next == c->nframes) {
		c->next = 0;
		/*
		 * The frame handed out stays valid: frames are freed only
		 * by close().  The timer runs on, so that a caller taking
		 * one frame a wake-up is woken again to be told the end.
		 */
		if (!c->loop)
			c->ended = true;
	}
	return CAMERA_FRAME;
}

static void
file_cam_close(void *priv)
{
	struct file_cam *c = priv;

	if (c == NULL)
		return;
	if (c->tfd != -1)
		close(c->tfd);
	if (c->frames != NULL)
		for (size_t i = 0; i < c->nframes; i++)
			image_free(&c->frames[i]);
	free(c->frames);
	free(c);
}

const struct camera_ops camera_file_ops = {
	.name = "file",
	.live = false,
	.open = file_cam_open,
	.start = file_cam_start,
	.fd = file_cam_fd,
	.next = file_cam_next,
	.close = file_cam_close,
};
