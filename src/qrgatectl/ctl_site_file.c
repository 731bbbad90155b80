/*
 * How qrgatectl site writes a file: whole or not at all (a temporary file
 * renamed into place), with its mode set before anything is in it, and
 * never over a file already there unless --force, since a key lost to a
 * second "site init" would take every gate of the site off the broker.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_site.h"

bool
site_name_ok(const char *name, size_t max)
{
	size_t n = strlen(name);

	if (n == 0 || n > max)
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

bool
site_file_exists(const struct site *s, const char *rel)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
	return lstat(path, &st) == 0;
}

int
site_dir_make(const struct site *s, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "qrgatectl: site: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
site_file_write(const struct site *s, const char *rel, const void *data,
    size_t len, mode_t mode, gid_t group)
{
	char path[1024], tmp[1100];
	const char *p = data;
	ssize_t w;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
	if (!s->force && site_file_exists(s, rel)) {
		fprintf(stderr, "qrgatectl: site: %s is there already "
		    "(--force to replace it)\n", path);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)unlink(tmp);
	/* O_EXCL: not through a link someone left at the temporary name. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		goto fail;
	if (fchmod(fd, mode) == -1)	/* whatever the umask */
		goto fail_fd;
	if (group != (gid_t)-1 && fchown(fd, (uid_t)-1, group) == -1)
		goto fail_fd;
	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail_fd;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail_tmp;
	}
	if (rename(tmp, path) == -1)
		goto fail_tmp;
	return 0;
fail_fd:
	e = errno;
	close(fd);
	errno = e;
fail_tmp:
	fprintf(stderr, "qrgatectl: site: %s: %s\n", path, strerror(errno));
	(void)unlink(tmp);
	return -1;
fail:
	fprintf(stderr, "qrgatectl: site: %s: %s\n", path, strerror(errno));
	return -1;
}

int
site_text_write(const struct site *s, const char *rel, char *text,
    size_t len, mode_t mode)
{
	int r;

	if (text == NULL) {
		fprintf(stderr, "qrgatectl: site: out of memory\n");
		return -1;
	}
	r = site_file_write(s, rel, text, len, mode, (gid_t)-1);
	free(text);
	return r;
}
