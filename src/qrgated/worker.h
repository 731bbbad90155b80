/*
 * A thread that works for the loop on the newest of its requests: the
 * screen's drawing (gate_screen.c), the voice's synthesis and playback
 * (gate_sound.c).  The loop posts under the worker's mutex and never
 * waits for the thread; a request the thread has not taken yet is
 * replaced, so the newest decision wins.  The thread takes no signal:
 * the loop's signalfd takes them all.
 */
#ifndef QRGATE_WORKER_H
#define QRGATE_WORKER_H

#include <pthread.h>
#include <stdbool.h>

struct worker {
	pthread_t thread;
	pthread_mutex_t mu;	/* guards pending, stop and the owner's
				 * request and counters */
	pthread_cond_t cv;
	bool pending;		/* a request waits for the thread */
	bool stop;		/* worker_stop() was called */
};

/* Starts fn(arg) on a new thread, every signal blocked in it.  0, or -1
 * with errno set and nothing left to undo. */
int worker_start(struct worker *w, void *(*fn)(void *), void *arg);

/* With w->mu held, the owner's request just filled in: wakes the thread. */
void worker_post_locked(struct worker *w);

/*
 * The thread's wait for work: locks w->mu and waits for a request or
 * the stop.  true with w->mu still held and the request marked taken
 * (the thread copies it, then unlocks); false, w->mu released, when the
 * thread must end.
 */
bool worker_wait(struct worker *w);

/* Asks the thread to end, waits for it, frees what worker_start made. */
void worker_stop(struct worker *w);

#endif
