/*
 * read_file(): a regular file whole and NUL-terminated; a directory, a
 * FIFO, a file over the bound and a missing one refused with errno, and
 * nothing left allocated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "readfile.h"

struct dir {
	char path[64];
	char file[96];
};

static int
setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	snprintf(d->path, sizeof(d->path), "/tmp/qrgate-readfile.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->file, sizeof(d->file), "%s/f", d->path);
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct dir *d = *state;
	char fifo[128];

	snprintf(fifo, sizeof(fifo), "%s/fifo", d->path);
	unlink(fifo);
	unlink(d->file);
	rmdir(d->path);
	free(d);
	return 0;
}

static void
put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
test_whole_and_terminated(void **state)
{
	struct dir *d = *state;
	char *data = (char *)1;
	size_t len = 99;

	put(d->file, "a\0b\n", 4);
	assert_int_equal(read_file(d->file, 4, &data, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "a\0b\n", 5);	/* and its NUL */
	free(data);

	put(d->file, "", 0);
	assert_int_equal(read_file(d->file, 4, &data, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
}

static void
test_refused(void **state)
{
	struct dir *d = *state;
	char *data = (char *)1, fifo[128];
	size_t len = 0;

	put(d->file, "12345", 5);
	errno = 0;
	assert_int_equal(read_file(d->file, 4, &data, &len), -1);
	assert_int_equal(errno, EFBIG);
	assert_null(data);

	data = (char *)1;
	assert_int_equal(read_file(d->path, 1 << 20, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(data);

	/* A FIFO with no writer: a plain open() would wait for one
	 * forever (the alarm ends the test instead). */
	snprintf(fifo, sizeof(fifo), "%s/fifo", d->path);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	data = (char *)1;
	alarm(10);
	assert_int_equal(read_file(fifo, 1 << 20, &data, &len), -1);
	alarm(0);
	assert_int_equal(errno, EINVAL);
	assert_null(data);

	data = (char *)1;
	unlink(d->file);
	assert_int_equal(read_file(d->file, 4, &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whole_and_terminated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
