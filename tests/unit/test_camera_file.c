/*
 * The file camera: frames in name order from a directory, one per timer
 * expiry, never skipped; the end or a loop; lists; refused sources.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "camera.h"

extern const struct camera_ops camera_file_ops;

static const struct camera_ops *ops = &camera_file_ops;
static char tmpdir[] = "/tmp/qrgate-test-camfile-XXXXXX";

/* The three frames, in name order; written in another order. */
struct frame_spec {
	const char *name;
	int width;
	int height;
	int base;		/* pixel i is base + i */
};

static const struct frame_spec specs[3] = {
	{ "a.pgm", 4, 3, 10 },
	{ "b.pgm", 5, 2, 60 },
	{ "c.pgm", 3, 3, 120 },
};

static char *
path_in(const char *dir, const char *name)
{
	static char path[2][512];
	static int which;

	/* Two buffers, so two paths can be used in one call. */
	which ^= 1;
	if (name == NULL)
		snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, dir);
	else
		snprintf(path[which], sizeof(path[which]), "%s/%s/%s", tmpdir,
		    dir, name);
	return path[which];
}

static void
file_put(const char *dir, const char *name, const void *d, size_t n)
{
	FILE *f = fopen(path_in(dir, name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void
pgm_put(const char *dir, const struct frame_spec *s)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "P5\n%d %d\n255\n", s->width,
	    s->height);

	for (int i = 0; i < s->width * s->height; i++)
		buf[n++] = (char)(s->base + i);
	file_put(dir, s->name, buf, (size_t)n);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (mkdir(path_in("frames", NULL), 0700) == -1 ||
	    mkdir(path_in("empty", NULL), 0700) == -1 ||
	    mkdir(path_in("corrupt", NULL), 0700) == -1 ||
	    mkdir(path_in("mixed", NULL), 0700) == -1)
		return -1;
	pgm_put("frames", &specs[2]);
	pgm_put("frames", &specs[0]);
	pgm_put("frames", &specs[1]);
	/* Not frames: no image extension, or hidden. */
	file_put("frames", "notes.txt", "not an image\n", 13);
	file_put("frames", "a.pgm.bak", "junk", 4);
	file_put("frames", ".hidden.pgm", "junk", 4);

	/* A good frame and one that is not an image at all. */
	pgm_put("corrupt", &specs[0]);
	file_put("corrupt", "z.png", "\x89PNG\r\n\x1a\nnot really", 19);

	/* Extensions in any case. */
	pgm_put("mixed", &(struct frame_spec){ "X.PGM", 2, 2, 200 });
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void *
cam_open(const char *source, int fps, bool loop)
{
	struct camera_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.source = source;
	cfg.fps = fps;
	cfg.loop = loop;
	return ops->open(&cfg);
}

/*
 * The next result other than CAMERA_NONE.  The poll timeout is only a
 * bound so that a broken timer fails the test instead of hanging it.
 */
static int
cam_wait(void *cam, struct frame *f)
{
	struct pollfd pfd;
	int r;

	pfd.fd = ops->fd(cam);
	pfd.events = POLLIN;
	for (int i = 0; i < 100; i++) {
		if ((r = ops->next(cam, f)) != CAMERA_NONE)
			return r;
		assert_int_equal(poll(&pfd, 1, 10000), 1);
	}
	fail_msg("the camera stays readable without a frame");
	return CAMERA_ERROR;
}

static void
expect_frame(void *cam, const struct frame_spec *s, uint64_t seq,
    int64_t *last_ts)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(cam_wait(cam, &f), CAMERA_FRAME);
	assert_int_equal(f.seq, seq);
	assert_int_equal(f.width, s->width);
	assert_int_equal(f.height, s->height);
	assert_int_equal(f.stride, s->width);
	assert_non_null(f.y);
	for (int i = 0; i < s->width * s->height; i++)
		assert_int_equal(f.y[i], (uint8_t)(s->base + i));
	assert_true(f.ts_ns > *last_ts);
	*last_ts = f.ts_ns;
}

static void
expect_end(void *cam)
{
	struct pollfd pfd;
	struct frame f;

	assert_int_equal(ops->next(cam, &f), CAMERA_END);
	assert_int_equal(ops->next(cam, &f), CAMERA_END);
	/*
	 * The timer is disarmed: nothing wakes the loop any more, though an
	 * armed one would have expired many times over in this wait.
	 */
	pfd.fd = ops->fd(cam);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 20), 0);
}

static void
test_dir_in_name_order(void **state)
{
	struct frame f;
	int64_t ts = 0;
	void *cam;

	(void)state;
	cam = cam_open(path_in("frames", NULL), 1000, false);
	assert_non_null(cam);
	assert_string_equal(ops->name, "file");
	assert_true(ops->fd(cam) >= 0);
	/* Not started: the timer is not armed, so nothing is due. */
	assert_int_equal(ops->next(cam, &f), CAMERA_NONE);
	assert_int_equal(ops->start(cam), 0);
	for (int i = 0; i < 3; i++)
		expect_frame(cam, &specs[i], (uint64_t)i, &ts);
	expect_end(cam);
	ops->close(cam);
}

static void
test_dir_loop(void **state)
{
	int64_t ts = 0;
	void *cam;

	(void)state;
	cam = cam_open(path_in("frames", NULL), 1000, true);
	assert_non_null(cam);
	assert_int_equal(ops->start(cam), 0);
	for (int i = 0; i < 7; i++)
		expect_frame(cam, &specs[i % 3], (uint64_t)i, &ts);
	ops->close(cam);
}

static void
test_no_skipping(void **state)
{
	int64_t ts = 0;
	void *cam;

	(void)state;
	cam = cam_open(path_in("frames", NULL), 1000, false);
	assert_non_null(cam);
	assert_int_equal(ops->start(cam), 0);
	/*
	 * Let the timer expire many times before asking: the replay still
	 * hands out every frame, in order, one per call.
	 */
	assert_int_equal(poll(NULL, 0, 30), 0);
	for (int i = 0; i < 3; i++)
		expect_frame(cam, &specs[i], (uint64_t)i, &ts);
	expect_end(cam);
	ops->close(cam);
}

static void
test_list(void **state)
{
	char list[1100];
	int64_t ts = 0;
	void *cam;

	(void)state;
	/* A list keeps its own order. */
	snprintf(list, sizeof(list), "%s,%s", path_in("frames", "c.pgm"),
	    path_in("frames", "a.pgm"));
	cam = cam_open(list, 1000, false);
	assert_non_null(cam);
	assert_int_equal(ops->start(cam), 0);
	expect_frame(cam, &specs[2], 0, &ts);
	expect_frame(cam, &specs[0], 1, &ts);
	expect_end(cam);
	ops->close(cam);
}

static void
test_single_file(void **state)
{
	int64_t ts = 0;
	void *cam;

	(void)state;
	cam = cam_open(path_in("frames", "b.pgm"), 1000, true);
	assert_non_null(cam);
	assert_int_equal(ops->start(cam), 0);
	expect_frame(cam, &specs[1], 0, &ts);
	expect_frame(cam, &specs[1], 1, &ts);
	ops->close(cam);
}

static void
test_extension_case(void **state)
{
	const struct frame_spec x = { "X.PGM", 2, 2, 200 };
	int64_t ts = 0;
	void *cam;

	(void)state;
	cam = cam_open(path_in("mixed", NULL), 1000, false);
	assert_non_null(cam);
	assert_int_equal(ops->start(cam), 0);
	expect_frame(cam, &x, 0, &ts);
	expect_end(cam);
	ops->close(cam);
}

static void
expect_open_fails(const char *source, int fps)
{
	errno = 0;
	assert_null(cam_open(source, fps, false));
	assert_int_not_equal(errno, 0);
}

static void
test_refused(void **state)
{
	char list[1100];

	(void)state;
	expect_open_fails(path_in("empty", NULL), 10);
	expect_open_fails(path_in("corrupt", NULL), 10);
	expect_open_fails(path_in("nosuchdir", NULL), 10);
	expect_open_fails(path_in("frames", "notes.txt"), 10);
	expect_open_fails("", 10);
	expect_open_fails(NULL, 10);
	expect_open_fails(path_in("frames", NULL), 0);
	expect_open_fails(path_in("frames", NULL), -5);

	snprintf(list, sizeof(list), "%s,%s", path_in("frames", "a.pgm"),
	    path_in("frames", "missing.pgm"));
	expect_open_fails(list, 10);
	snprintf(list, sizeof(list), "%s,,%s", path_in("frames", "a.pgm"),
	    path_in("frames", "b.pgm"));
	expect_open_fails(list, 10);
	snprintf(list, sizeof(list), "%s,", path_in("frames", "a.pgm"));
	expect_open_fails(list, 10);
	/* A directory is not a file of a list. */
	snprintf(list, sizeof(list), "%s,%s", path_in("frames", "a.pgm"),
	    path_in("frames", NULL));
	expect_open_fails(list, 10);

	ops->close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_in_name_order),
		cmocka_unit_test(test_dir_loop),
		cmocka_unit_test(test_no_skipping),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_single_file),
		cmocka_unit_test(test_extension_case),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
