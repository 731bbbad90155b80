/*
 * An analog input through Linux IIO's sysfs files: in_voltageN_raw holds
 * one conversion, made when the file is read.
 *
 * The file is opened for each sample rather than once: a driver unbound
 * and bound again (a HAT's module reloaded) makes a new file, and an fd
 * kept on the old one would fail for ever.  Ten opens a second of a sysfs
 * file cost nothing a Pi notices.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analog.h"

struct analog_iio {
	char path[256];
};

static void *
analog_iio_open(const char *path)
{
	struct analog_iio *a;

	if (strlen(path) >= sizeof(a->path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	snprintf(a->path, sizeof(a->path), "%s", path);
	return a;
}

/* A decimal integer, optionally signed (a differential channel can read
 * below zero), then at most blank space and a newline. */
static int
analog_iio_parse(const char *s, int32_t *raw)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno != 0 || v < INT32_MIN || v > INT32_MAX)
		return -1;
	end += strspn(end, " \t\r\n");
	if (*end != '\0')
		return -1;
	*raw = (int32_t)v;
	return 0;
}

static int
analog_iio_read(void *priv, int32_t *raw, char *why, size_t whylen)
{
	struct analog_iio *a = priv;
	char buf[32];
	ssize_t n;
	int fd;

	/* O_NONBLOCK, which a sysfs file ignores: a FIFO named by mistake
	 * would otherwise hold the loop in open() until a writer came. */
	if ((fd = open(a->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s: %s", a->path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n == -1)
		snprintf(why, whylen, "%s: %s", a->path, strerror(errno));
	close(fd);
	if (n == -1)
		return -1;
	buf[n] = '\0';
	/* A full buffer is more than any ADC's number: garbage. */
	if (n == (ssize_t)sizeof(buf) - 1 || analog_iio_parse(buf, raw) == -1) {
		snprintf(why, whylen, "%s: not a number (%zd bytes read)",
		    a->path, n);
		return -1;
	}
	return 0;
}

static void
analog_iio_close(void *priv)
{
	free(priv);
}

const struct analog_ops analog_iio_ops = {
	.name = "iio",
	.open = analog_iio_open,
	.read = analog_iio_read,
	.close = analog_iio_close,
};
