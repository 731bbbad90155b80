/*
 * A directory of numbered files (filedir.h).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filedir.h"
#include "log.h"

/* The number a "NNNNNN-what.EXT" name starts with, or 0. */
static unsigned long
filedir_number(const struct filedir *d, const char *name)
{
	const char *dot;
	char *end;
	unsigned long n;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	n = strtoul(name, &end, 10);
	if (*end != '-' || (dot = strrchr(end, '.')) == NULL ||
	    strcmp(dot + 1, d->ext) != 0)
		return 0;
	return n;
}

int
filedir_open(struct filedir *d, const char *path, const char *ext,
    const char *who, const char *key)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;

	memset(d, 0, sizeof(*d));
	if (path == NULL || path[0] == '\0') {
		log_warnx("%s: no directory (%s)", who, key);
		errno = EINVAL;
		return -1;
	}
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		log_warn("%s: %s", who, path);
		return -1;
	}
	if (access(path, W_OK | X_OK) == -1) {
		log_warn("%s: %s", who, path);
		return -1;
	}
	if (snprintf(d->dir, sizeof(d->dir), "%s", path) >=
	    (int)sizeof(d->dir)) {
		log_warnx("%s: %s: path too long", who, path);
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(d->ext, sizeof(d->ext), "%s", ext);
	d->next = 1;
	if ((dir = opendir(path)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			unsigned long n = filedir_number(d, de->d_name);

			if (n >= d->next)
				d->next = n + 1;
		}
		closedir(dir);
	}
	return 0;
}

void
filedir_name(struct filedir *d, const char *what)
{
	snprintf(d->path, sizeof(d->path), "%s/%06lu-%s.%s", d->dir, d->next,
	    what, d->ext);
	snprintf(d->tmp, sizeof(d->tmp), "%s.tmp", d->path);
}

int
filedir_commit(struct filedir *d, const char *who)
{
	if (rename(d->tmp, d->path) == -1) {
		log_warn("%s: %s", who, d->path);
		unlink(d->tmp);
		return -1;
	}
	d->next++;
	return 0;
}
