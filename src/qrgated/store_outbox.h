/*
 * The MQTT outbox (schema version 2): the messages still to be published,
 * one row per decision and one per passage update, in sending order.  A
 * row is added inside the transaction that writes its event, so the event
 * and its message are durable together; the MQTT client reads the rows in
 * order, builds each message from the event as it is then, and deletes a
 * row once the broker has acknowledged it.  Nothing is ever dropped to make
 * room: when the outbox is full, events are still logged but no longer
 * queued.
 */
#ifndef QRGATE_STORE_OUTBOX_H
#define QRGATE_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* rev of a row: the decision itself, or the update of its passage. */
#define OUTBOX_REV_DECISION 0
#define OUTBOX_REV_PASSAGE 1

/* Sets the cap; 0 queues nothing.  Rows already queued stay.  0 or -1. */
int store_outbox_set_max(struct store *st, int64_t max);

/* The rows waiting and the cap.  0 or -1. */
int store_outbox_depth(struct store *st, int64_t *depth, int64_t *max);

/*
 * Calls cb for at most max rows with id > after_id, oldest first, with the
 * event each refers to; ev is NULL when that event cannot be read (written
 * by a newer program).  Stops early when cb returns non-zero.  Returns the
 * number of rows cb was called for, or -1.
 */
int store_outbox_next(struct store *st, int64_t after_id, int max,
    int (*cb)(int64_t id, int rev, const struct event *ev, void *arg),
    void *arg);

/* Deletes rows ids[0..n-1] in one transaction.  0 or -1. */
int store_outbox_delete(struct store *st, const int64_t *ids, int n);

#endif
