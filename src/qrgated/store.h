/*
 * The gate's SQLite database: credentials, and the entry/exit log.
 * The log is the product's core record: an append is committed durably
 * (WAL, synchronous=FULL by default) before store_event_append() returns,
 * so a grant is on disk before the relay moves.  Every statement binds its
 * parameters; no SQL is ever built from text that came from outside.
 *
 * Errors, in every store*.c file: a function returns -1 (NULL for a
 * pointer) and the store has logged why, once, with the database's name;
 * callers do not log SQLite's message again.  Two kinds of answer are
 * not the store failing, and say why to the caller instead: a check of an
 * operator's input (credential_validate(),
 * store_credential_import_csv(), store_probe(), the sync's refused rows:
 * the reason to the caller, for the CLI or the push result), and
 * store_ping(), the watch each second, whose reason (store_errmsg()) its
 * caller logs when the answer changes rather than every second.
 */
#ifndef QRGATE_STORE_H
#define QRGATE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "credential.h"
#include "types.h"

struct store;

enum store_sync { STORE_SYNC_FULL, STORE_SYNC_NORMAL };

/* One row of the log. */
struct event {
	int64_t seq;		/* per-gate, strictly increasing, never reused */
	char event_id[33];	/* 32 hex digits, random: unique everywhere */
	int64_t ts_ms;		/* UTC, ms */
	char gate[64];
	char lane[32];
	enum direction direction;
	enum event_type type;
	enum cred_kind kind;
	char credential_id[64];	/* "" when no credential matched */
	char subject[64];	/* already masked */
	enum result result;
	enum reason reason;
	enum passage passage;
	int64_t decode_us;	/* -1 when not a scan */
	int64_t latency_us;	/* frame capture to decision; -1 if none */
	char payload_hash[17];	/* 16 hex digits of BLAKE2b of the payload,
				 * "" when none: lets repeated unknown codes be
				 * told apart without keeping their bytes */
	char subject_full[64];	/* unmasked, only with store.trace_full;
				 * else "".  Never published. */
	char source[16];	/* how its code was read: "camera",
				 * "scanner"; "" for a row of no code */
};

/* A credential's last grant that counts for anti-passback. */
struct store_grant {
	int64_t seq;
	int64_t ts_ms;
	enum direction direction;
};

/*
 * Opens (creating if needed) the database and its schema.  read_only opens
 * without creating anything, for the CLI.  Returns NULL with the reason
 * logged.
 */
struct store *store_open(const char *path, enum store_sync sync, bool read_only);
void store_close(struct store *st);

/*
 * SQLite's data_version: it changes when another process (qrgatectl cred)
 * has written the database, never for this one's own writes.  0, or -1.
 */
int store_data_version(struct store *st, int64_t *v);

/* 1 found (*out filled), 0 no such credential, -1 error. */
int store_credential_find(struct store *st, enum cred_kind kind,
    const char *subject, struct credential *out);
/* Inserts or replaces by id.  0 or -1. */
int store_credential_put(struct store *st, const struct credential *c);
/* 1 deleted, 0 no such id, -1 error. */
int store_credential_delete(struct store *st, const char *id);
/* Calls cb for each credential in id order until cb returns non-zero. */
int store_credential_foreach(struct store *st,
    int (*cb)(const struct credential *c, void *arg), void *arg);
/*
 * Imports a CSV file (header line: id,kind,subject,name,valid_from,
 * valid_until,status,lanes, optionally followed by role,serial,pubkey;
 * times as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ or empty) in one
 * transaction: every row or none.  On a bad row returns -1
 * with "FILE:LINE: message" in err.  Returns the number of rows imported.
 */
int store_credential_import_csv(struct store *st, FILE *f, const char *fname,
    char *err, size_t errlen);

/*
 * Writes every credential as CSV that store_credential_import_csv() reads
 * back unchanged (all 14 columns, times with their milliseconds).  0 or -1.
 */
int store_credential_export_csv(struct store *st, FILE *f);

/*
 * Appends ev to the log and commits it.  Fills ev->seq and ev->event_id.
 * Returns 0 once the row is durable, -1 if it could not be written.
 */
int store_event_append(struct store *st, struct event *ev);
/*
 * As store_event_append(), and in the same transaction records step as
 * the highest dynamic step used by credential ev->credential_id (a lower
 * step than the one recorded leaves it): the grant and the step are
 * durable together or not at all.
 */
int store_event_append_step(struct store *st, struct event *ev,
    uint32_t step);
/*
 * The highest dynamic step recorded for credential id: 1 with *step, 0
 * none, -1 error.
 */
int store_token_step_get(struct store *st, const char *id, int64_t *step);
/*
 * Another gate of the site granted step of dynamic credential id: raises
 * its recorded step to max(recorded, step), so this gate refuses that step
 * too.  Only for a dynamic credential this gate holds: 1 raised (or
 * already as high), 0 no such dynamic credential, -1 error.
 */
int store_token_step_raise(struct store *st, const char *id, uint32_t step);
/*
 * Credential id's last granted scan whose way was not left unused
 * (passage other than 'not-passed'): 1 with *out, 0 none, -1 error.
 */
int store_event_last_grant(struct store *st, const char *id,
    struct store_grant *out);
/* Records how a released way ended.  0 or -1. */
int store_event_set_passage(struct store *st, int64_t seq, enum passage p);

/*
 * The oldest event whose passage is still pending: its seq, 0 when there
 * is none, -1 on error.
 */
int64_t store_event_pending_first(struct store *st);
/* The oldest seq the log still holds (retention deletes from the old
 * end), 0 when it holds none, -1 when it cannot be read. */
int64_t store_event_first_seq(struct store *st);

/* Whether command id was executed and has not expired: 1, 0, or -1. */
int store_cmd_seen(struct store *st, const char *id);

/*
 * Records command id as executed until expires_ms, durably, and forgets
 * those whose expiry is before forget_ms (the caller's proof that they
 * can never be valid again: inbound_cmd.c).  Returns 0 or -1.
 */
int store_cmd_record(struct store *st, const char *id, int64_t expires_ms,
    int64_t forget_ms);
/*
 * Reads event seq.  1 found (*ev filled), 0 no such event or one this
 * program cannot read (logged), -1 error.
 */
int store_event_get(struct store *st, int64_t seq, struct event *ev);
/* Calls cb for each event with ts_ms >= since_ms, oldest first. */
int store_event_foreach(struct store *st, int64_t since_ms,
    int (*cb)(const struct event *ev, void *arg), void *arg);
/*
 * Deletes events older than before_ms, except those the MQTT outbox still
 * has to send.  Returns rows deleted, or -1.
 */
int store_event_purge(struct store *st, int64_t before_ms);

/*
 * The newest log row's time (the highest ts_ms): 1 with *ts_ms, 0 when the
 * log is empty, -1 on error.
 */
int store_event_newest_ts(struct store *st, int64_t *ts_ms);
/*
 * How many events older than before_ms store_event_purge() keeps because
 * the outbox still has to send them: the count, or -1.
 */
int store_event_held(struct store *st, int64_t before_ms);

/*
 * gate_meta (store_meta.c): one integer per key, such as "time_floor_ms".
 * store_meta_get(): 1 with *value, 0 no such key, -1 error.
 * store_meta_set(): inserts or replaces, committed.  0 or -1.
 */
int store_meta_get(struct store *st, const char *key, int64_t *value);
int store_meta_set(struct store *st, const char *key, int64_t value);

/*
 * 0 when the database answers a trivial query at once and its files
 * (database, -wal, -shm) are still those opened; -1 otherwise, the reason
 * for store_errmsg().  Until a check finds them back, nothing is written
 * and no credential is found (-1).
 */
int store_ping(struct store *st);
/* The message of the store's last failure (SQLite's, or a file gone). */
const char *store_errmsg(const struct store *st);

/*
 * Checkpoints (store_checkpoint.c): after store_checkpoint_defer() no commit
 * on this connection checkpoints the WAL, however long it grows; the owner
 * calls store_checkpoint() (passive, returns 0 or -1) at quiet moments.
 * store_wal_frames(): frames in the WAL after the last commit, 0 after a
 * checkpoint that copied them all.
 */
void store_checkpoint_defer(struct store *st);
int store_checkpoint(struct store *st);
int store_wal_frames(const struct store *st);

/*
 * Whether the file at path is a database SQLite can read whole, opened
 * read-only (nothing is written, created or moved): 0 it is, 1 it is not
 * a database or is corrupt (SQLITE_NOTADB, SQLITE_CORRUPT, or PRAGMA
 * quick_check finds a fault), -1 it could not be told (no such file or
 * directory, permissions, an I/O error).  The reason in err for 1 and -1.
 * quick_check reads every page: seconds for a month's log on a Pi.
 */
int store_probe(const char *path, char *err, size_t errlen);
/*
 * Moves the database at path, with its -wal, -shm and -journal if there,
 * aside to store_aside_name(path, when), each file keeping its suffix so
 * SQLite can open the copy with its WAL.  Never over an earlier copy;
 * nothing is deleted.  0 with the new name of the database in aside, or
 * -1 logged.
 */
int store_set_aside(const char *path, int64_t when, char *aside, size_t len);
/* "PATH.unreadable-YYYYmmddTHHMMSSZ", when in UTC seconds.  0 or -1. */
int store_aside_name(const char *path, int64_t when, char *buf, size_t len);

#endif
