/*
 * The pulse inputs' edges read on a thread (gpio_gpiod_pump.h says why):
 * the thread waits in poll() on the lines' event fds and a stop fd, reads
 * whatever the kernel holds, and queues it in a ring for the loop, whose
 * epoll set holds an eventfd that is readable exactly while the ring is
 * not empty (both changed under the mutex).
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <gpiod.h>

#include "log.h"
#include "gpio_gpiod_pump.h"

/* What one read takes: the kernel's whole buffer of a line. */
#define GPIO_GPIOD_PUMP_READ	16

struct gpio_gpiod_pump {
	pthread_t thread;
	int stop_fd;		/* the loop writes it to end the thread */
	int ready_fd;		/* readable while ring holds edges */
	int nfds;
	struct pollfd pfd[GPIO_ROLE_COUNT + 1];	/* [0]: stop_fd */
	enum gpio_role roles[GPIO_ROLE_COUNT + 1];

	pthread_mutex_t mu;	/* guards what follows */
	struct gpio_gpiod_pump_edge ring[GPIO_GPIOD_PUMP_EDGES];
	unsigned head, count;
	unsigned lost;		/* dropped on a full ring, since last taken */
	int failed;		/* 0, or the errno the thread ended on */
};

/* Under p->mu: ready_fd readable, as the ring now holds edges. */
static void
gpio_gpiod_pump_signal(struct gpio_gpiod_pump *p)
{
	uint64_t one = 1;

	if (write(p->ready_fd, &one, sizeof(one)) != sizeof(one)) {
		/* Only when the counter would overflow: readable anyway. */
	}
}

static void
gpio_gpiod_pump_queue(struct gpio_gpiod_pump *p, enum gpio_role role,
    const struct gpiod_line_event *ev, int n)
{
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < n; i++) {
		struct gpio_gpiod_pump_edge *e;

		/* A full ring drops the newest, as the kernel does. */
		if (p->count == GPIO_GPIOD_PUMP_EDGES) {
			p->lost += (unsigned)(n - i);
			break;
		}
		e = &p->ring[(p->head + p->count++) % GPIO_GPIOD_PUMP_EDGES];
		e->role = role;
		e->rising = ev[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
		e->ts_ns = (int64_t)ev[i].ts.tv_sec * 1000000000 +
		    ev[i].ts.tv_nsec;
	}
	gpio_gpiod_pump_signal(p);
	pthread_mutex_unlock(&p->mu);
}

static void
gpio_gpiod_pump_fail(struct gpio_gpiod_pump *p, int err)
{
	pthread_mutex_lock(&p->mu);
	p->failed = err;
	gpio_gpiod_pump_signal(p);
	pthread_mutex_unlock(&p->mu);
}

static void *
gpio_gpiod_pump_thread(void *arg)
{
	struct gpio_gpiod_pump *p = arg;
	struct gpiod_line_event ev[GPIO_GPIOD_PUMP_READ];

	for (;;) {
		if (poll(p->pfd, (nfds_t)p->nfds, -1) == -1) {
			if (errno == EINTR)
				continue;
			gpio_gpiod_pump_fail(p, errno);
			return NULL;
		}
		if (p->pfd[0].revents != 0)
			return NULL;
		for (int i = 1; i < p->nfds; i++) {
			int n;

			if (p->pfd[i].revents == 0)
				continue;
			n = gpiod_line_event_read_fd_multiple(p->pfd[i].fd, ev,
			    GPIO_GPIOD_PUMP_READ);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n == -1) {
				gpio_gpiod_pump_fail(p, errno);
				return NULL;
			}
			gpio_gpiod_pump_queue(p, p->roles[i], ev, n);
		}
	}
}

static void
gpio_gpiod_pump_free(struct gpio_gpiod_pump *p)
{
	if (p->stop_fd != -1)
		close(p->stop_fd);
	if (p->ready_fd != -1)
		close(p->ready_fd);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

struct gpio_gpiod_pump *
gpio_gpiod_pump_start(const int fds[GPIO_ROLE_COUNT])
{
	struct gpio_gpiod_pump *p;
	sigset_t all, old;
	int e;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warn("gpio gpiod: edge reader");
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	p->stop_fd = eventfd(0, EFD_CLOEXEC);
	p->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->stop_fd == -1 || p->ready_fd == -1) {
		log_warn("gpio gpiod: edge reader: eventfd");
		gpio_gpiod_pump_free(p);
		return NULL;
	}
	p->pfd[0].fd = p->stop_fd;
	p->pfd[0].events = POLLIN;
	p->nfds = 1;
	for (int r = 0; r < GPIO_ROLE_COUNT; r++) {
		int fl;

		if (fds[r] == -1)
			continue;
		/* poll() can say readable while a read would block. */
		if ((fl = fcntl(fds[r], F_GETFL)) == -1 ||
		    fcntl(fds[r], F_SETFL, fl | O_NONBLOCK) == -1) {
			log_warn("gpio gpiod: edge reader: %s: fcntl",
			    gpio_role_name(r));
			gpio_gpiod_pump_free(p);
			return NULL;
		}
		p->roles[p->nfds] = r;
		p->pfd[p->nfds].fd = fds[r];
		p->pfd[p->nfds++].events = POLLIN;
	}
	/* The loop takes every signal through its signalfd: the thread is
	 * made with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&p->thread, NULL, gpio_gpiod_pump_thread, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		log_warn("gpio gpiod: edge reader: thread");
		gpio_gpiod_pump_free(p);
		return NULL;
	}
	return p;
}

int
gpio_gpiod_pump_fd(const struct gpio_gpiod_pump *p)
{
	return p->ready_fd;
}

int
gpio_gpiod_pump_take(struct gpio_gpiod_pump *p,
    struct gpio_gpiod_pump_edge *e, unsigned *lost)
{
	uint64_t n;
	int ret = 0, failed;

	pthread_mutex_lock(&p->mu);
	if (p->count > 0) {
		*e = p->ring[p->head];
		p->head = (p->head + 1) % GPIO_GPIOD_PUMP_EDGES;
		p->count--;
		ret = 1;
	}
	/* Empty now: ready_fd stops being readable.  A failure is
	 * reported once, after the last edge read before it. */
	if (p->count == 0 && read(p->ready_fd, &n, sizeof(n)) == -1) {
		/* EAGAIN: it was not readable, which is what is wanted. */
	}
	*lost = p->lost;
	p->lost = 0;
	failed = p->failed;
	if (ret == 0)
		p->failed = 0;
	pthread_mutex_unlock(&p->mu);
	if (ret == 0 && failed != 0) {
		errno = failed;
		log_warn("gpio gpiod: edge reader");
		return -1;
	}
	return ret;
}

void
gpio_gpiod_pump_stop(struct gpio_gpiod_pump *p)
{
	uint64_t one = 1;

	if (p == NULL)
		return;
	if (write(p->stop_fd, &one, sizeof(one)) != sizeof(one)) {
		/* Left to end on the lines' fds, closed next (poll says
		 * POLLNVAL, the read fails): never freed under it. */
		log_warn("gpio gpiod: edge reader: stop");
		return;
	}
	pthread_join(p->thread, NULL);
	gpio_gpiod_pump_free(p);
}
