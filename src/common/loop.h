/*
 * The daemon's one event loop, after OpenWrt's uloop: callers embed a
 * struct loop_fd or struct loop_timer in their own structs, so the loop
 * allocates nothing.  Timers are deadlines on CLOCK_MONOTONIC folded into
 * epoll_wait()'s timeout; nothing in the daemon sleeps.
 */
#ifndef QRGATE_LOOP_H
#define QRGATE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

struct loop_fd {
	int fd;
	void (*cb)(struct loop *l, struct loop_fd *f, uint32_t events);
};

struct loop_timer {
	void (*cb)(struct loop *l, struct loop_timer *t);
	int64_t deadline_ns;	/* private */
	bool pending;		/* private: on the loop's list */
	struct loop_timer *next;	/* private */
};

#define LOOP_BATCH 16

struct loop {
	int epfd;
	bool stop;
	struct loop_timer *timers;	/* pending, soonest first */
	/* The round being dispatched, so loop_fd_del() can drop events of an
	 * fd removed by an earlier callback of the same round. */
	void *batch[LOOP_BATCH];
	int batch_n;
};

int loop_init(struct loop *l);
void loop_done(struct loop *l);

/* events: EPOLLIN, EPOLLOUT... Returns 0 or -1. */
int loop_fd_add(struct loop *l, struct loop_fd *f, uint32_t events);
int loop_fd_mod(struct loop *l, struct loop_fd *f, uint32_t events);
void loop_fd_del(struct loop *l, struct loop_fd *f);

/* (Re)arms t to fire once, ms from now. */
void loop_timer_set(struct loop *l, struct loop_timer *t, int64_t ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
/* Milliseconds until t fires, or -1 if it is not pending. */
int64_t loop_timer_remaining(const struct loop_timer *t);

/* Runs until loop_stop().  Returns 0, or -1 if epoll itself failed. */
int loop_run(struct loop *l);
/* Runs one round: waits at most max_ms (-1: until something), then
 * dispatches.  For tests. */
int loop_once(struct loop *l, int max_ms);
void loop_stop(struct loop *l);

#endif
