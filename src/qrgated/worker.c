/*
 * The loop's worker threads (worker.h).
 */
#include <errno.h>
#include <signal.h>

#include "worker.h"

int
worker_start(struct worker *w, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int e;

	w->pending = w->stop = false;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* The loop takes every signal through its signalfd: the thread
	 * must take none, so it is made with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		errno = e;
		return -1;
	}
	return 0;
}

void
worker_post_locked(struct worker *w)
{
	w->pending = true;
	pthread_cond_signal(&w->cv);
}

bool
worker_wait(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	while (!w->pending && !w->stop)
		pthread_cond_wait(&w->cv, &w->mu);
	if (w->stop) {
		pthread_mutex_unlock(&w->mu);
		return false;
	}
	w->pending = false;
	return true;
}

void
worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}
