#include "loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

int
loop_init(struct loop *l)
{
	l->stop = false;
	l->timers = NULL;
	l->batch_n = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd == -1) {
		log_warn("epoll_create1");
		return -1;
	}
	return 0;
}

void
loop_done(struct loop *l)
{
	if (l->epfd != -1)
		close(l->epfd);
	l->epfd = -1;
	l->timers = NULL;
}

static int
loop_fd_ctl(struct loop *l, int op, struct loop_fd *f, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = f };

	if (epoll_ctl(l->epfd, op, f->fd, &ev) == -1) {
		log_warn("epoll_ctl fd %d", f->fd);
		return -1;
	}
	return 0;
}

int
loop_fd_add(struct loop *l, struct loop_fd *f, uint32_t events)
{
	return loop_fd_ctl(l, EPOLL_CTL_ADD, f, events);
}

int
loop_fd_mod(struct loop *l, struct loop_fd *f, uint32_t events)
{
	return loop_fd_ctl(l, EPOLL_CTL_MOD, f, events);
}

void
loop_fd_del(struct loop *l, struct loop_fd *f)
{
	/* An fd already closed has left the epoll set by itself. */
	if (f->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, f->fd, NULL);
	for (int i = 0; i < l->batch_n; i++)
		if (l->batch[i] == f)
			l->batch[i] = NULL;
}

void
loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	struct loop_timer **pp;

	if (!t->pending)
		return;
	for (pp = &l->timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->pending = false;
	t->next = NULL;
}

void
loop_timer_set(struct loop *l, struct loop_timer *t, int64_t ms)
{
	struct loop_timer **pp;

	loop_timer_cancel(l, t);
	t->deadline_ns = clock_mono_ns() + ms * 1000000;
	/* The list stays sorted, so the soonest deadline is always first;
	 * a gate has a handful of timers, so a list is all it needs. */
	for (pp = &l->timers; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->deadline_ns > t->deadline_ns)
			break;
	t->next = *pp;
	*pp = t;
	t->pending = true;
}

int64_t
loop_timer_remaining(const struct loop_timer *t)
{
	int64_t left;

	if (!t->pending)
		return -1;
	left = t->deadline_ns - clock_mono_ns();
	return left > 0 ? (left + 999999) / 1000000 : 0;
}

static void
loop_run_timers(struct loop *l)
{
	int64_t now = clock_mono_ns();
	struct loop_timer *t;

	while ((t = l->timers) != NULL && t->deadline_ns <= now) {
		l->timers = t->next;
		t->pending = false;
		t->next = NULL;
		t->cb(l, t);
	}
}

/* Milliseconds to the soonest timer, rounded up so it has expired when
 * epoll_wait returns; -1 when no timer is pending. */
static int
loop_next_timeout(struct loop *l, int max_ms)
{
	int64_t ms;

	if (l->timers == NULL)
		return max_ms;
	ms = (l->timers->deadline_ns - clock_mono_ns() + 999999) / 1000000;
	if (ms < 0)
		ms = 0;
	if (max_ms >= 0 && ms > max_ms)
		ms = max_ms;
	return ms > 60000 ? 60000 : (int)ms;
}

int
loop_once(struct loop *l, int max_ms)
{
	struct epoll_event evs[LOOP_BATCH];
	int n;

	n = epoll_wait(l->epfd, evs, LOOP_BATCH, loop_next_timeout(l, max_ms));
	if (n == -1) {
		if (errno == EINTR)
			return 0;
		log_warn("epoll_wait");
		return -1;
	}
	for (int i = 0; i < n; i++)
		l->batch[i] = evs[i].data.ptr;
	l->batch_n = n;
	for (int i = 0; i < n; i++) {
		struct loop_fd *f = l->batch[i];

		if (f != NULL)
			f->cb(l, f, evs[i].events);
	}
	l->batch_n = 0;
	loop_run_timers(l);
	return 0;
}

int
loop_run(struct loop *l)
{
	while (!l->stop)
		if (loop_once(l, -1) == -1)
			return -1;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}
