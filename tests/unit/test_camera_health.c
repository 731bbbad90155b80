/*
 * Camera health with synthetic frames and explicit times: stalls found on
 * time and not before, a late tick forgiven, identical frames found on the
 * same_frames-th, noise and flat pictures never called frozen, recovery.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "camera_health.h"

#define MS 1000000LL
#define W 64
#define H 48
#define STRIDE 80	/* padded rows: the padding is no part of the picture */

struct pic {
	uint8_t px[STRIDE * H];
	struct frame f;
	uint32_t rng;
};

static void
pic_init(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			p->px[y * STRIDE + x] =
			    (uint8_t)(40 + (x * 3 + y * 2) % 160);
	p->f.y = p->px;
	p->f.width = W;
	p->f.height = H;
	p->f.stride = STRIDE;
	p->rng = 12345;
}

static uint32_t
pic_rand(struct pic *p)
{
	p->rng = p->rng * 1103515245u + 12345u;
	return p->rng >> 16;
}

/*
 * A live sensor: the scene plus a level of noise on a few pixels.  The
 * random ones stay off the sampled rows, so that they can never undo the
 * one change a sampled row always gets: the test does not rely on luck.
 */
static void
pic_noise(struct pic *p)
{
	int y, x;

	for (int i = 0; i < 8; i++) {
		y = (int)(pic_rand(p) % H);
		x = (int)(pic_rand(p) % W);
		if (y % CAMERA_HEALTH_ROW_STEP == 0)
			y++;
		p->px[y * STRIDE + x] ^= 1;
	}
	y = (int)(pic_rand(p) % (H / CAMERA_HEALTH_ROW_STEP)) *
	    CAMERA_HEALTH_ROW_STEP;
	x = (int)(pic_rand(p) % W);
	p->px[y * STRIDE + x]++;
}

static enum camera_fault
feed(struct camera_health *h, struct pic *p)
{
	p->f.seq++;
	return camera_health_frame(h, &p->f);
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void
test_stall_on_time(void **state)
{
	struct camera_health h;
	int64_t t;

	(void)state;
	camera_health_init(&h, 3000, 30);
	assert_false(camera_health_faulty(&h));
	camera_health_start(&h, 1000 * MS);
	/* Ticks every 500 ms, no frame: nothing before 3000 ms. */
	for (t = 1500; t < 4000; t += 500) {
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
		assert_false(camera_health_faulty(&h));
	}
	assert_int_equal(camera_health_tick(&h, 4000 * MS), CAMERA_STALLED);
	assert_true(camera_health_faulty(&h));
	assert_int_equal(camera_health_fault(&h), CAMERA_STALLED);
	/* Said once per stall_ms while the camera stays silent. */
	for (t = 4500; t < 7000; t += 500)
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
	assert_true(camera_health_faulty(&h));
	assert_int_equal(camera_health_tick(&h, 7000 * MS), CAMERA_STALLED);
}

static void
test_stall_first_tick_starts_clock(void **state)
{
	struct camera_health h;

	(void)state;
	/* Without start(), the first tick starts the clock. */
	camera_health_init(&h, 1000, 0);
	assert_int_equal(camera_health_tick(&h, 50000 * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 50400 * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 50800 * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 51000 * MS), CAMERA_STALLED);
}

static void
test_frames_keep_it_alive(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 30);
	camera_health_start(&h, 0);
	/* One frame every 2.5 s: slow, but never a stall. */
	for (int64_t t = 500; t <= 60000; t += 500) {
		if (t % 2500 == 0) {
			pic_noise(&p);
			assert_int_equal(feed(&h, &p), CAMERA_OK);
		}
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
		assert_false(camera_health_faulty(&h));
	}
}

static void
test_stall_measured_from_last_frame(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 30);
	camera_health_start(&h, 0);
	assert_int_equal(camera_health_tick(&h, 500 * MS), CAMERA_OK);
	feed(&h, &p);
	/* Seen by the tick at 1000 ms: the stall is 3000 ms after that. */
	for (int64_t t = 1000; t < 4000; t += 500)
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 4000 * MS), CAMERA_STALLED);
}

static void
test_stall_recovers_on_frame(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 2000, 30);
	camera_health_start(&h, 0);
	for (int64_t t = 500; t < 2000; t += 500)
		camera_health_tick(&h, t * MS);
	assert_int_equal(camera_health_tick(&h, 2000 * MS), CAMERA_STALLED);
	/* Reopened: start() does not clear the fault, a frame does. */
	camera_health_start(&h, 2100 * MS);
	assert_true(camera_health_faulty(&h));
	assert_int_equal(camera_health_tick(&h, 2500 * MS), CAMERA_OK);
	assert_true(camera_health_faulty(&h));
	/* The same picture as before the stall: a new frame all the same. */
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	assert_int_equal(camera_health_fault(&h), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 3000 * MS), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
}

static void
test_late_tick_forgiven(void **state)
{
	struct camera_health h;

	(void)state;
	camera_health_init(&h, 3000, 30);
	camera_health_start(&h, 0);
	assert_int_equal(camera_health_tick(&h, 500 * MS), CAMERA_OK);
	/* The loop was held up for 4 s: that is no news of the camera. */
	assert_int_equal(camera_health_tick(&h, 4500 * MS), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	/* The clock started again at 4500. */
	for (int64_t t = 5000; t < 7500; t += 500)
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 7500 * MS), CAMERA_STALLED);
	/* Exactly stall_ms / 2 between ticks is still on time. */
	camera_health_init(&h, 3000, 30);
	camera_health_start(&h, 0);
	assert_int_equal(camera_health_tick(&h, 1500 * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 3000 * MS), CAMERA_STALLED);
}

static void
test_period(void **state)
{
	struct camera_health h;

	(void)state;
	camera_health_init(&h, 3000, 30);
	assert_int_equal(camera_health_period_ms(&h), 750);
	camera_health_init(&h, 1000, 30);
	assert_int_equal(camera_health_period_ms(&h), 250);
	camera_health_init(&h, 0, 30);
	assert_int_equal(camera_health_period_ms(&h), 0);
	camera_health_init(&h, -1, 30);
	assert_int_equal(camera_health_period_ms(&h), 0);
}

/* Ticks at the period with a few ms of lateness each still find a stall. */
static void
test_stall_with_jittery_ticks(void **state)
{
	struct camera_health h;
	int64_t t = 0;
	int n = 0;

	(void)state;
	camera_health_init(&h, 1000, 30);
	camera_health_start(&h, 0);
	while (camera_health_tick(&h, t * MS) != CAMERA_STALLED) {
		t += camera_health_period_ms(&h) + 20;
		assert_true(++n < 10);
	}
	assert_true(t >= 1000 && t < 1000 + 270);
}

static void
test_stall_off(void **state)
{
	struct camera_health h;

	(void)state;
	camera_health_init(&h, 0, 30);
	camera_health_start(&h, 0);
	for (int64_t t = 0; t < 100000; t += 500)
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	camera_health_init(&h, -5, 30);
	for (int64_t t = 0; t < 100000; t += 500)
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
}

static void
test_frozen_on_30th(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, CAMERA_HEALTH_SAME_FRAMES);
	assert_int_equal(CAMERA_HEALTH_SAME_FRAMES, 30);
	for (int i = 1; i < 30; i++) {
		assert_int_equal(feed(&h, &p), CAMERA_OK);
		assert_false(camera_health_faulty(&h));
	}
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
	assert_true(camera_health_faulty(&h));
	assert_int_equal(camera_health_fault(&h), CAMERA_FROZEN);
	/* Reported once; the fault stays while the picture does. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_true(camera_health_faulty(&h));
	/* The first frame that differs clears it. */
	pic_noise(&p);
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	/* And the count starts again from that frame, the first of 30. */
	for (int i = 2; i < 30; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
}

static void
test_noise_never_frozen(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 2);
	/* Even at the strictest setting, two in a row. */
	for (int i = 0; i < 1000; i++) {
		pic_noise(&p);
		assert_int_equal(feed(&h, &p), CAMERA_OK);
		assert_false(camera_health_faulty(&h));
	}
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
}

static void
test_interrupted_run(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 10);
	for (int round = 0; round < 20; round++) {
		for (int i = 1; i < 10; i++)
			assert_int_equal(feed(&h, &p), CAMERA_OK);
		pic_noise(&p);
	}
	assert_false(camera_health_faulty(&h));
}

static void
test_sample_rows_only(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 3);
	feed(&h, &p);
	feed(&h, &p);
	/*
	 * Changes between the sampled rows and in the row padding are not
	 * seen: the sample is sparse by design.
	 */
	p.px[5 * STRIDE + 7] ^= 0x40;
	p.px[17 * STRIDE + W + 3] ^= 0x40;
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
	/* A change in a sampled row is. */
	p.px[2 * CAMERA_HEALTH_ROW_STEP * STRIDE + W - 1] ^= 0x01;
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
}

static void
test_size_change_differs(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 3);
	feed(&h, &p);
	feed(&h, &p);
	/* The same sampled bytes, another size: not the same picture. */
	p.f.height = H - 1;
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
}

static void
test_flat_never_frozen(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 5);
	/* A covered lens: black, or levels 16 to 20 at most. */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			p.px[y * STRIDE + x] =
			    (uint8_t)(16 + (x + y) % (CAMERA_HEALTH_FLAT + 1));
	for (int i = 0; i < 100; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	memset(p.px, 0, sizeof(p.px));
	for (int i = 0; i < 100; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	memset(p.px, 255, sizeof(p.px));
	for (int i = 0; i < 100; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	/* One level more of contrast and it is a picture again. */
	p.px[0] = (uint8_t)(255 - CAMERA_HEALTH_FLAT - 1);
	for (int i = 1; i < 5; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
	/* A flat frame after a freeze differs from it: cleared. */
	memset(p.px, 0, sizeof(p.px));
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
}

static void
test_frozen_off(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	/* The file camera replays one picture: the check is off. */
	camera_health_init(&h, 3000, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	camera_health_init(&h, 3000, -1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	/* 1 counts as 2: one frame alone is identical to nothing. */
	camera_health_init(&h, 3000, 1);
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
}

static void
test_hostile_frames(void **state)
{
	struct camera_health h;
	struct pic p;
	struct frame f;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 3000, 2);
	feed(&h, &p);
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
	/* Frames with nothing to compare are no evidence, and clear it. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	f = p.f;
	f.stride = W - 1;
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	f = p.f;
	f.width = -1;
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
	/* A one-pixel frame is sampled like any other. */
	f = p.f;
	f.width = f.height = 1;
	assert_int_equal(camera_health_frame(&h, &f), CAMERA_OK);
	assert_false(camera_health_faulty(&h));
}

static void
test_stall_before_frozen(void **state)
{
	struct camera_health h;
	struct pic p;

	(void)state;
	pic_init(&p);
	camera_health_init(&h, 1000, 2);
	camera_health_start(&h, 0);
	feed(&h, &p);
	assert_int_equal(feed(&h, &p), CAMERA_FROZEN);
	for (int64_t t = 500; t < 1500; t += 500)
		assert_int_equal(camera_health_tick(&h, t * MS), CAMERA_OK);
	assert_int_equal(camera_health_tick(&h, 1500 * MS), CAMERA_STALLED);
	assert_int_equal(camera_health_fault(&h), CAMERA_STALLED);
	/* The stall ends with a frame; the same picture keeps the freeze. */
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(camera_health_fault(&h), CAMERA_FROZEN);
	pic_noise(&p);
	assert_int_equal(feed(&h, &p), CAMERA_OK);
	assert_int_equal(camera_health_fault(&h), CAMERA_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stall_on_time),
		cmocka_unit_test(test_stall_first_tick_starts_clock),
		cmocka_unit_test(test_frames_keep_it_alive),
		cmocka_unit_test(test_stall_measured_from_last_frame),
		cmocka_unit_test(test_stall_recovers_on_frame),
		cmocka_unit_test(test_late_tick_forgiven),
		cmocka_unit_test(test_stall_off),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_stall_with_jittery_ticks),
		cmocka_unit_test(test_frozen_on_30th),
		cmocka_unit_test(test_noise_never_frozen),
		cmocka_unit_test(test_interrupted_run),
		cmocka_unit_test(test_sample_rows_only),
		cmocka_unit_test(test_size_change_differs),
		cmocka_unit_test(test_flat_never_frozen),
		cmocka_unit_test(test_frozen_off),
		cmocka_unit_test(test_hostile_frames),
		cmocka_unit_test(test_stall_before_frozen),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
