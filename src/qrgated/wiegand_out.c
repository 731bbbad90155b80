/*
 * Wiegand out (wiegand_out.h says how the timing is kept).
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "util.h"
#include "wiegand_out.h"

static const enum gpio_role wiegand_out_line[2] = {
	GPIO_WIEGAND_OUT_D0, GPIO_WIEGAND_OUT_D1
};

static void
wiegand_out_arm(struct wiegand_out *w, int64_t at_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* 0 disarms: an instant already past is 1 ns, fired at once. */
	if (at_ns <= 0)
		at_ns = 1;
	its.it_value.tv_sec = at_ns / 1000000000;
	its.it_value.tv_nsec = at_ns % 1000000000;
	if (timerfd_settime(w->tfd.fd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		log_warn("wiegand out: timer");
}

/* Takes the next queued card, if any, and plans it to start at t0_ns. */
static void
wiegand_out_start(struct wiegand_out *w, int64_t t0_ns)
{
	struct wiegand_card c;
	int n;

	while (w->nqueue > 0) {
		c = w->queue[0];
		memmove(w->queue, w->queue + 1, --w->nqueue * sizeof(c));
		n = wiegand_plan(c.bits, c.nbits, &w->conf, w->plan,
		    nitems(w->plan));
		if (n <= 0) {
			log_warnx("wiegand out: a card of %u bits cannot be "
			    "sent", c.nbits);
			continue;
		}
		w->nplan = (unsigned)n;
		w->next = 0;
		w->t0_ns = t0_ns;
		wiegand_out_arm(w, w->t0_ns);
		return;
	}
}

/* One pulse: the line low for the pulse's width, the clock read. */
static void
wiegand_out_pulse(struct wiegand_out *w, const struct wiegand_pulse *p)
{
	int64_t start, late;

	start = clock_mono_ns();
	late = start - (w->t0_ns + p->start_ns);
	if (late > w->late_max_ns)
		w->late_max_ns = late;
	if (w->gpio == NULL)
		return;
	w->gpio->set(w->gpio_priv, wiegand_out_line[p->line], 1);
	/* Counted from when the line is low, not from when it was asked:
	 * the pulse is never narrower than the setting. */
	start = clock_mono_ns();
	while (clock_mono_ns() - start < w->conf.pulse_ns)
		;
	w->gpio->set(w->gpio_priv, wiegand_out_line[p->line], 0);
}

static void
wiegand_out_fire(struct loop *l, struct loop_fd *fd, uint32_t events)
{
	struct wiegand_out *w = container_of(fd, struct wiegand_out, tfd);
	uint64_t expired;
	int64_t now, at;

	(void)l;
	(void)events;
	if (read(fd->fd, &expired, sizeof(expired)) == -1 && errno != EAGAIN)
		log_warn("wiegand out: timer");
	if (w->next >= w->nplan)
		return;
	wiegand_out_pulse(w, &w->plan[w->next++]);
	if (w->next < w->nplan) {
		/* On time, or, after a late wake-up, no sooner than the
		 * shortest interval a receiver takes after this pulse. */
		now = clock_mono_ns();
		at = w->t0_ns + w->plan[w->next].start_ns;
		if (at < now + WIEGAND_OUT_MIN_GAP_NS)
			at = now + WIEGAND_OUT_MIN_GAP_NS;
		wiegand_out_arm(w, at);
		return;
	}
	w->frames++;
	w->nplan = w->next = 0;
	/* The receiver ends a frame on silence: the next card after a
	 * gap it cannot take for an interval. */
	wiegand_out_start(w, clock_mono_ns() + WIEGAND_OUT_FRAME_GAP_NS);
}

int
wiegand_out_open(struct wiegand_out *w, struct loop *l,
    const struct wiegand_plan_conf *conf)
{
	memset(w, 0, sizeof(*w));
	w->loop = l;
	w->conf = *conf;
	w->tfd.cb = wiegand_out_fire;
	w->tfd.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->tfd.fd == -1) {
		log_warn("wiegand out: timerfd");
		return -1;
	}
	if (loop_fd_add(l, &w->tfd, EPOLLIN) == -1) {
		close(w->tfd.fd);
		w->tfd.fd = -1;
		return -1;
	}
	return 0;
}

void
wiegand_out_gpio(struct wiegand_out *w, const struct gpio_ops *gpio,
    void *priv)
{
	w->gpio = gpio;
	w->gpio_priv = priv;
}

int
wiegand_out_send(struct wiegand_out *w, const struct wiegand_card *card)
{
	if (w->tfd.fd == -1 || w->nqueue == WIEGAND_OUT_QUEUE) {
		w->dropped++;
		log_warnx("wiegand out: %s: a card not sent",
		    w->tfd.fd == -1 ? "not open" : "queue full");
		return -1;
	}
	w->queue[w->nqueue++] = *card;
	if (!wiegand_out_busy(w))
		wiegand_out_start(w, clock_mono_ns());
	return 0;
}

bool
wiegand_out_busy(const struct wiegand_out *w)
{
	return w->next < w->nplan;
}

void
wiegand_out_close(struct wiegand_out *w)
{
	if (w->tfd.fd == -1)
		return;
	if (w->gpio != NULL) {
		w->gpio->set(w->gpio_priv, GPIO_WIEGAND_OUT_D0, 0);
		w->gpio->set(w->gpio_priv, GPIO_WIEGAND_OUT_D1, 0);
	}
	loop_fd_del(w->loop, &w->tfd);
	close(w->tfd.fd);
	w->tfd.fd = -1;
	w->nqueue = w->nplan = w->next = 0;
}
