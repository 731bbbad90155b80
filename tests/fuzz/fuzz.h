/*
 * What the fuzz targets share: a private directory made once per process
 * and removed at its exit, and a quiet log.  Each target is one
 * translation unit, so the helpers are static.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static char fuzz_dir[PATH_MAX];

/* Removes every file in the private directory. */
__attribute__((unused)) static void
fuzz_dir_clear(void)
{
	char path[PATH_MAX + 260];
	struct dirent *de;
	DIR *d;

	if (fuzz_dir[0] == '\0' || (d = opendir(fuzz_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* ... and then the directory. */
__attribute__((unused)) static void
fuzz_dir_remove(void)
{
	fuzz_dir_clear();
	if (fuzz_dir[0] != '\0')
		rmdir(fuzz_dir);
	fuzz_dir[0] = '\0';
}

/*
 * Makes the private directory and returns its path; aborts when it
 * cannot, since no input could then be run.  It goes in $FUZZ_TMPDIR, else
 * /dev/shm, else $TMPDIR, else /tmp: the targets with a database commit
 * thousands of times a second, and on tmpfs an fsync costs nothing.
 */
__attribute__((unused)) static const char *
fuzz_dir_make(const char *name)
{
	const char *tmp = getenv("FUZZ_TMPDIR");

	if (fuzz_dir[0] != '\0')
		return fuzz_dir;
	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
		    getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/qrgate-%s.XXXXXX", tmp, name);
	if (mkdtemp(fuzz_dir) == NULL) {
		perror(fuzz_dir);
		abort();
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir;
}

/* A path in the private directory. */
__attribute__((unused)) static void
fuzz_path(char *buf, size_t len, const char *file)
{
	snprintf(buf, len, "%s/%s", fuzz_dir, file);
}

/* Writes len bytes to path, replacing it.  Aborts on failure. */
__attribute__((unused)) static void
fuzz_file_write(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (len > 0 && fwrite(data, 1, len, f) != len) ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* Only errors: a warning per rejected input would drown libFuzzer's
 * own lines and slow every run down. */
__attribute__((unused)) static void
fuzz_log_quiet(void)
{
	log_init("fuzz", LOG_LVL_ERR);
}

/* Reads a whole file into a new buffer.  Aborts on failure. */
__attribute__((unused)) static uint8_t *
fuzz_file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		abort();
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A NUL-terminated copy of the input, for the parsers of C strings. */
__attribute__((unused)) static char *
fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

#endif /* FUZZ_H */
