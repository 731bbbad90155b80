/*
 * What the MQTT inbound handlers keep in the gate's database: the
 * credential set's version, a snapshot being staged chunk by chunk, and
 * the config pushes accepted, so that all of it survives a restart.  A
 * snapshot is staged in its own table and swapped in by renaming tables in
 * one transaction, so lookups see the whole old set or the whole new one
 * and a 100,000-row list never holds the database between chunks.
 */
#ifndef QRGATE_STORE_SYNC_H
#define QRGATE_STORE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "credential.h"
#include "store.h"

/*
 * Creates this file's tables when they are missing (CREATE TABLE IF NOT
 * EXISTS, outside the store's numbered migrations).  Called from
 * gate_open() after store_open(); calling it again is harmless.  Returns
 * 0, or -1 with the reason logged.
 */
int store_sync_init(struct store *st);

/* The persisted state of credential sync. */
struct sync_state {
	int64_t cred_version;		/* the live set's; 0: never synced */
	int64_t staging_version;	/* the snapshot being staged; 0: none */
	int staging_chunks;		/* how many chunks it has */
	int staged;			/* how many of them are staged */
	int64_t staged_rows;
	int64_t rejected_version;	/* the last snapshot rejected; 0: none */
};

/* Reads the state.  0 or -1. */
int store_sync_state(struct store *st, struct sync_state *s);

/* 1 when chunk of the snapshot being staged is staged already, 0 if
 * not, -1 on error. */
int store_sync_chunk_staged(struct store *st, int chunk);

/* Which part of a message a row-level problem belongs to. */
enum sync_op { SYNC_ADD, SYNC_UPDATE, SYNC_REMOVE };

/*
 * The functions below tell each row the database refused to an error
 * callback: error(arg, op, index of the row in its list, why).
 */

/*
 * Stages chunk number chunk (of chunks) of snapshot version, n rows
 * already checked with credential_validate(), in one transaction.
 * A version other than the one being staged first discards that staging.
 * Returns 0 when staged; -1 when nothing was, with each refused row told
 * to error (a duplicate id or card) or, when no row was at fault, the
 * reason logged.
 */
int store_sync_chunk_put(struct store *st, int64_t version, int chunks,
    int chunk, const struct credential *c, size_t n,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg);

/*
 * Replaces the live credentials with the complete staged snapshot of
 * version, and records version, in one transaction; the old set is kept
 * aside for store_sync_cleanup().  *rows gets the size
 * of the new set and *lock_us how long the write lock was held.  0, or -1
 * with nothing changed and the reason logged.
 */
int store_sync_swap(struct store *st, int64_t version, int64_t *rows,
    int64_t *lock_us);

/*
 * Drops the set the last swap replaced, if it is still there.  A step of
 * its own, after the swap: it takes longer than the swap itself.  A set
 * left behind by a crash goes at the next swap.  0 or -1.
 */
int store_sync_cleanup(struct store *st);

/*
 * Discards the staged snapshot, if any.  rejected: a snapshot version
 * whose further chunks are to be ignored, or 0.  0 or -1.
 */
int store_sync_staging_discard(struct store *st, int64_t rejected);

/* One patch of the live set, applied all or nothing. */
struct sync_patch {
	int64_t version;
	const struct credential *add;		/* new ids */
	size_t n_add;
	const struct credential *update;	/* existing ids */
	size_t n_update;
	const char *const *remove;		/* existing ids */
	size_t n_remove;
};

/*
 * Removes, updates and adds (in that order, so a card may move from a
 * removed credential to a new one) and records p->version, in one
 * transaction.  Every refused row is told to error.  A staged snapshot no
 * newer than p->version is discarded with it.  Returns 0, or -1 with
 * nothing changed.
 */
int store_sync_patch(struct store *st, const struct sync_patch *p,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg);

/* Keeps an accepted config push (scope "site" or "gate").  0 or -1. */
int store_sync_push_put(struct store *st, const char *scope, int64_t version,
    const char *document);

/*
 * The push kept for scope: 1 with *version and *document (malloc'd, the
 * caller frees it), 0 when there is none, -1 on error.
 */
int store_sync_push_get(struct store *st, const char *scope, int64_t *version,
    char **document);

#endif
