/*
 * What store.c shares with the store's other files (store_*.c) and with
 * nothing else: the store itself and its prepared statements, the helpers
 * that bind and read fixed-size fields, transactions, and the credential
 * write the importers run inside them.  The daemon and the CLI use store.h
 * only.
 */
#ifndef QRGATE_STORE_PRIVATE_H
#define QRGATE_STORE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "credential.h"

/*
 * The statements every append or lookup runs, prepared once at open and
 * reset after each use.  The rest (listing, purging) run rarely and are
 * prepared where they are used.
 */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_CRED_FIND,
	ST_CRED_PUT,
	ST_EV_INSERT,
	ST_EV_PASSAGE,
	ST_EV_GET,
	ST_DATA_VERSION,
	ST_COUNT
};

/*
 * The database, its -wal and its -shm as found at open: one deleted, moved
 * or replaced under a running gate is noticed by store_files_check().
 */
enum store_file { SF_DB, SF_WAL, SF_SHM, SF_COUNT };

struct store_file_id {
	bool present;		/* there at open: only those are checked */
	dev_t dev;
	ino_t ino;
};

/* Written by store_sql[] in store.c; the statements run per scan. */
struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	/* The last failure, kept because a reset or rollback replaces
	 * SQLite's own message. */
	int errcode;
	char errmsg[256];
	int wal_frames;		/* after the last commit (store_checkpoint.c) */
	struct store_file_id files[SF_COUNT];
	bool gone;		/* the last check found a file not the one
				 * opened: nothing is written, no credential
				 * is looked up */
};

/*
 * Steps a statement that returns no rows, then resets it for reuse.
 * Returns SQLite's result; on failure the message is kept in st.
 */
int store_run(struct store *st, sqlite3_stmt *s);
/* Keeps SQLite's message after a failed bind, and resets s. */
void store_fail_bind(struct store *st, sqlite3_stmt *s);
/* Binds a fixed-size field: never reads past it, even unterminated. */
int store_bind_field(sqlite3_stmt *s, int i, const char *v, size_t size);
#define BIND_FIELD(s, i, f)	store_bind_field((s), (i), (f), sizeof(f))
/* Binds a NUL-terminated name (of a kind, a status...). */
int store_bind_name(sqlite3_stmt *s, int i, const char *name);
/*
 * Copies a text column into a fixed-size field, cut if need be at a
 * UTF-8 character boundary so the copy stays valid text.
 */
void store_column_copy(sqlite3_stmt *s, int col, char *dst, size_t size);
#define COLUMN_COPY(s, col, f) \
	store_column_copy((s), (col), (f), sizeof(f))
/* The enum whose name a column holds, or -1 for a name not known. */
int store_column_enum(sqlite3_stmt *s, int col, int (*from_name)(const char *));

/*
 * 0 when the database, -wal and -shm are still the files opened; -1 when
 * one was deleted, moved or replaced (st->gone, the reason kept for
 * store_errmsg()).  Does not log.
 */
int store_files_check(struct store *st);

/*
 * The connection itself, for the store's other files (store_*.c) that keep
 * their own tables, and for the white-box tests that look at those tables
 * directly; never for the rest of the daemon.
 */
sqlite3 *store_db(struct store *st);

/*
 * The file name for the log, or "store" for a database in memory.  The
 * three below are for the store's files that keep their own tables: each
 * logs SQLite's message once, with that name, and returns 0 or -1.
 */
const char *store_db_name(sqlite3 *db);
int store_exec(sqlite3 *db, const char *sql);
/* *s is NULL after a failure. */
int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s);
/* Steps a statement that returns no row; does not reset it. */
int store_step_done(sqlite3 *db, sqlite3_stmt *s);
/*
 * Binds c as ?1..?16 in STORE_CRED_COLUMNS order (store_schema.h): the
 * credentials table and its staging copy take the same row.  0 or -1
 * (SQLite's message in the connection).
 */
int store_credential_bind(sqlite3_stmt *s, const struct credential *c);

/*
 * store_outbox.c, for store.c: inside the transaction that writes event
 * seq, queues (seq, rev) (OUTBOX_REV_*, store_outbox.h) if the outbox
 * has room.  Returns 1 queued, 0 no room (full, or the cap is 0: MQTT
 * off), -1 error with SQLite's message in err.
 */
int store_outbox_add(struct store *st, int64_t seq, int rev, char *err,
    size_t errlen);

/*
 * BEGIN IMMEDIATE and COMMIT.  0, or -1 with SQLite's message kept for
 * store_errmsg(); neither logs.
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
/* Undoes an open transaction, if any, keeping the first error's message. */
void store_rollback(struct store *st);
/*
 * Writes one credential already checked by credential_validate(),
 * inserting or replacing by id.  0, or -1 with the reason in err, worded
 * for an operator when the card already belongs to another id.  Does not
 * log.
 */
int store_credential_write(struct store *st, const struct credential *c,
    char *err, size_t errlen);
/*
 * Inside the caller's transaction: raises credential id's recorded
 * dynamic step to step (store_policy.c).  0, or -1 with SQLite's message
 * in err.
 */
int store_token_step_put(struct store *st, const char *id, int64_t step,
    char *err, size_t errlen);

#endif
