/* The event loop: timer order, re-arming, cancelling, fd dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

struct tick {
	struct loop_timer t;
	int fired;
	int order;
};

static int order_counter;

static void
tick_cb(struct loop *l, struct loop_timer *t)
{
	struct tick *k = (struct tick *)t;

	(void)l;
	k->fired++;
	k->order = ++order_counter;
}

static void
test_timers_fire_in_deadline_order(void **state)
{
	struct loop l;
	struct tick a = { .t.cb = tick_cb }, b = { .t.cb = tick_cb }, c = { .t.cb = tick_cb };

	(void)state;
	order_counter = 0;
	assert_int_equal(loop_init(&l), 0);
	loop_timer_set(&l, &a.t, 30);
	loop_timer_set(&l, &b.t, 10);
	loop_timer_set(&l, &c.t, 20);
	assert_true(loop_timer_remaining(&a.t) > loop_timer_remaining(&b.t));
	while (a.fired + b.fired + c.fired < 3)
		assert_int_equal(loop_once(&l, 100), 0);
	assert_int_equal(b.order, 1);
	assert_int_equal(c.order, 2);
	assert_int_equal(a.order, 3);
	assert_int_equal(loop_timer_remaining(&a.t), -1);
	assert_null(l.timers);
	loop_done(&l);
}

static void
test_timer_cancel_and_rearm(void **state)
{
	struct loop l;
	struct tick a = { .t.cb = tick_cb }, b = { .t.cb = tick_cb };

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	loop_timer_set(&l, &a.t, 5);
	loop_timer_set(&l, &b.t, 10);
	loop_timer_cancel(&l, &a.t);
	loop_timer_cancel(&l, &a.t);	/* twice is harmless */
	loop_timer_set(&l, &b.t, 15);	/* re-arming moves, not duplicates */
	while (b.fired == 0)
		assert_int_equal(loop_once(&l, 100), 0);
	assert_int_equal(a.fired, 0);
	assert_int_equal(b.fired, 1);
	assert_null(l.timers);
	loop_done(&l);
}

struct pipe_fd {
	struct loop_fd f;
	int reads;
	struct pipe_fd *victim;	/* deleted by this one's callback */
};

static void
pipe_cb(struct loop *l, struct loop_fd *f, uint32_t events)
{
	struct pipe_fd *p = (struct pipe_fd *)f;
	char c;

	assert_true(events & EPOLLIN);
	assert_int_equal(read(f->fd, &c, 1), 1);
	p->reads++;
	if (p->victim != NULL)
		loop_fd_del(l, &p->victim->f);
}

static void
test_fd_dispatch_and_delete_in_round(void **state)
{
	struct loop l;
	int p1[2], p2[2];
	struct pipe_fd a = { .f.cb = pipe_cb }, b = { .f.cb = pipe_cb };

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	a.f.fd = p1[0];
	b.f.fd = p2[0];
	a.victim = &b;
	b.victim = &a;
	assert_int_equal(loop_fd_add(&l, &a.f, EPOLLIN), 0);
	assert_int_equal(loop_fd_add(&l, &b.f, EPOLLIN), 0);
	assert_int_equal(write(p1[1], "x", 1), 1);
	assert_int_equal(write(p2[1], "y", 1), 1);
	assert_int_equal(loop_once(&l, 1000), 0);
	/* Both were ready in one round; whichever ran first removed the
	 * other, whose event must then not be dispatched. */
	assert_int_equal(a.reads + b.reads, 1);
	for (int i = 0; i < 2; i++) {
		close(p1[i]);
		close(p2[i]);
	}
	loop_done(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_timer_cancel_and_rearm),
		cmocka_unit_test(test_fd_dispatch_and_delete_in_round),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
