/*
 * The store's tables for credential sync and config pushes (store_sync.h).
 *
 * sync_state: one row (id 1).
 *   cred_version      INTEGER  the live credential set's version; 0: none
 *   staging_version   INTEGER  the snapshot in credentials_staging; 0: none
 *   staging_chunks    INTEGER  how many chunks that snapshot has
 *   rejected_version  INTEGER  the last snapshot refused for a bad row
 * sync_chunks: the chunks of the staging snapshot already staged.
 *   chunk             INTEGER  primary key, 0-based
 *   rows              INTEGER  credentials it held
 * sync_pushes: the config push accepted last, per scope.
 *   scope             TEXT     'site' or 'gate'
 *   version           INTEGER  > 0
 *   document          TEXT     the JSON document as accepted
 *   applied_ms        INTEGER  UTC ms
 * credentials_staging: a snapshot being assembled, exactly the shape of
 *   credentials (store_schema.c), since it becomes that table by renaming.
 *
 * The swap renames tables rather than copying rows: with 100,000 rows a
 * copy would hold the write lock, and the event loop, for seconds.  The
 * store's prepared lookup names the table "credentials" in its SQL text,
 * so after the schema change SQLite prepares it again against whichever
 * table has that name by then (sqlite3_prepare_v3 keeps the text).
 */
#include "store_sync.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "keyfile.h"
#include "log.h"
#include "store_private.h"
#include "store_schema.h"

/*
 * The credentials table of store_schema.c under another name, from the
 * same text: it is renamed to credentials at the swap.  A unit test
 * compares the two.
 */
#define SYNC_STAGING_CREATE \
	"CREATE TABLE credentials_staging " STORE_CRED_TABLE_BODY ";"

#define SYNC_CRED_COLUMNS STORE_CRED_COLUMNS
#define SYNC_CRED_VALUES \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, " \
	"?15, ?16)"

static const char sync_schema[] =
	"CREATE TABLE IF NOT EXISTS sync_state ("
	"  id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  cred_version INTEGER NOT NULL DEFAULT 0,"
	"  staging_version INTEGER NOT NULL DEFAULT 0,"
	"  staging_chunks INTEGER NOT NULL DEFAULT 0,"
	"  rejected_version INTEGER NOT NULL DEFAULT 0"
	");"
	"INSERT OR IGNORE INTO sync_state (id) VALUES (1);"
	"CREATE TABLE IF NOT EXISTS sync_chunks ("
	"  chunk INTEGER PRIMARY KEY,"
	"  rows INTEGER NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS sync_pushes ("
	"  scope TEXT PRIMARY KEY CHECK(scope IN ('site','gate')),"
	"  version INTEGER NOT NULL,"
	"  document TEXT NOT NULL,"
	"  applied_ms INTEGER NOT NULL"
	");"
	/* The schema 3 migration drops a staging table of the old shape:
	 * then its snapshot is forgotten, to be sent again. */
	"UPDATE sync_state SET staging_version = 0, staging_chunks = 0"
	" WHERE staging_version != 0 AND NOT EXISTS (SELECT 1 FROM"
	" sqlite_master WHERE name = 'credentials_staging');"
	"DELETE FROM sync_chunks WHERE NOT EXISTS (SELECT 1 FROM"
	" sqlite_master WHERE name = 'credentials_staging');";

/* Undoes the open transaction, if SQLite has not already. */
static void
sync_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_sync_init(struct store *st)
{
	sqlite3 *db = store_db(st);

	if (store_exec(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (store_exec(db, sync_schema) == -1) {
		sync_rollback(db);
		return -1;
	}
	return store_exec(db, "COMMIT");
}

/* Reads sync_state's row (inside or outside a transaction). */
static int
sync_state_row(sqlite3 *db, struct sync_state *out)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(db, "SELECT cred_version, staging_version,"
	    " staging_chunks, rejected_version FROM sync_state WHERE id = 1",
	    &s) == -1)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->cred_version = sqlite3_column_int64(s, 0);
		out->staging_version = sqlite3_column_int64(s, 1);
		out->staging_chunks = sqlite3_column_int(s, 2);
		out->rejected_version = sqlite3_column_int64(s, 3);
	} else
		log_warnx("%s: sync state: %s", sqlite3_db_filename(db, "main"),
		    rc == SQLITE_DONE ? "no row (store_sync_init not run)" :
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
sync_state_read(sqlite3 *db, struct sync_state *out)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sync_state_row(db, out) == -1)
		return -1;
	if (store_prepare(db, "SELECT count(*), coalesce(sum(rows), 0)"
	    " FROM sync_chunks", &s) == -1)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->staged = sqlite3_column_int(s, 0);
		out->staged_rows = sqlite3_column_int64(s, 1);
	} else
		log_warnx("%s: sync chunks: %s", sqlite3_db_filename(db, "main"),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_sync_state(struct store *st, struct sync_state *out)
{
	return sync_state_read(store_db(st), out);
}

int
store_sync_chunk_staged(struct store *st, int chunk)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(db, "SELECT 1 FROM sync_chunks WHERE chunk = ?1",
	    &s) == -1)
		return -1;
	sqlite3_bind_int(s, 1, chunk);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("%s: sync chunks: %s", sqlite3_db_filename(db, "main"),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Sets the staging snapshot's fields of sync_state: version and chunks,
 * and rejected when > 0.  Inside the caller's transaction.
 */
static int
sync_state_staging_set(sqlite3 *db, int64_t version, int chunks,
    int64_t rejected)
{
	sqlite3_stmt *s;
	int ret;

	if (store_prepare(db, "UPDATE sync_state SET staging_version = ?1,"
	    " staging_chunks = ?2, rejected_version = CASE WHEN ?3 > 0"
	    " THEN ?3 ELSE rejected_version END WHERE id = 1", &s) == -1)
		return -1;
	sqlite3_bind_int64(s, 1, version);
	sqlite3_bind_int(s, 2, chunks);
	sqlite3_bind_int64(s, 3, rejected);
	ret = store_step_done(db, s);
	sqlite3_finalize(s);
	return ret;
}

/* Drops the staging snapshot.  Inside the caller's transaction. */
static int
sync_staging_drop(sqlite3 *db)
{
	return store_exec(db, "DROP TABLE IF EXISTS credentials_staging;"
	    "DELETE FROM sync_chunks;");
}

/* The id of the credential holding (kind, subject) in the live set or
 * the staging one, into id; "" when none. */
static void
sync_owner(sqlite3 *db, bool staging, const struct credential *c, char *id,
    size_t idlen)
{
	sqlite3_stmt *s;

	id[0] = '\0';
	if (store_prepare(db, staging ?
	    "SELECT id FROM credentials_staging WHERE kind = ?1 AND subject = ?2" :
	    "SELECT id FROM credentials WHERE kind = ?1 AND subject = ?2",
	    &s) == -1)
		return;
	sqlite3_bind_text(s, 1, cred_kind_name(c->kind), -1, SQLITE_STATIC);
	BIND_FIELD(s, 2, c->subject);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(id, idlen, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
}

/*
 * Writes c with s (an INSERT or UPDATE bound as SYNC_CRED_COLUMNS).
 * Returns 0; 1 when the row was refused, with the reason told to error;
 * -1 on a failure of the database itself (logged).
 */
static int
sync_write(sqlite3 *db, sqlite3_stmt *s, bool staging, enum sync_op op,
    size_t index, const struct credential *c,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg)
{
	char msg[256], owner[64];
	int rc, ext;

	if (store_credential_bind(s, c) == -1) {
		log_warnx("%s: sync: %s", sqlite3_db_filename(db, "main"),
		    sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(s);
	ext = sqlite3_extended_errcode(db);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE) {
		if (op == SYNC_UPDATE && sqlite3_changes(db) == 0) {
			snprintf(msg, sizeof(msg), "no credential %s", c->id);
			error(arg, op, index, msg);
			return 1;
		}
		return 0;
	}
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
		snprintf(msg, sizeof(msg), staging ?
		    "id %s is listed twice in this snapshot" :
		    "credential %s exists already (update it instead)", c->id);
		error(arg, op, index, msg);
		return 1;
	}
	if (ext == SQLITE_CONSTRAINT_UNIQUE) {
		sync_owner(db, staging, c, owner, sizeof(owner));
		snprintf(msg, sizeof(msg), "%s %s already belongs to "
		    "credential %s", cred_kind_name(c->kind), c->subject,
		    owner[0] != '\0' ? owner : "?");
		error(arg, op, index, msg);
		return 1;
	}
	log_warnx("%s: sync: credential %s: %s", sqlite3_db_filename(db, "main"),
	    c->id, sqlite3_errmsg(db));
	return -1;
}

int
store_sync_chunk_put(struct store *st, int64_t version, int chunks,
    int chunk, const struct credential *c, size_t n,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *ins = NULL, *mark = NULL;
	struct sync_state state;
	int refused = 0, r;

	if (store_exec(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (sync_state_row(db, &state) == -1)
		goto fail;
	if (state.staging_version != version) {
		/* A newer snapshot makes the half-staged one useless. */
		if (sync_staging_drop(db) == -1 ||
		    store_exec(db, SYNC_STAGING_CREATE) == -1 ||
		    sync_state_staging_set(db, version, chunks, 0) == -1)
			goto fail;
	}
	if (store_prepare(db, "INSERT INTO credentials_staging ("
	    SYNC_CRED_COLUMNS ") " SYNC_CRED_VALUES, &ins) == -1)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		/* A refused row aborts only its own statement: go on, so
		 * that every refused row is told. */
		if ((r = sync_write(db, ins, true, SYNC_ADD, i, &c[i], error,
		    arg)) == -1)
			goto fail;
		refused += r;
	}
	if (refused > 0)
		goto fail;
	if (store_prepare(db, "INSERT INTO sync_chunks (chunk, rows)"
	    " VALUES (?1, ?2)", &mark) == -1)
		goto fail;
	sqlite3_bind_int(mark, 1, chunk);
	sqlite3_bind_int64(mark, 2, (int64_t)n);
	if (store_step_done(db, mark) == -1 || store_exec(db, "COMMIT") == -1)
		goto fail;
	sqlite3_finalize(ins);
	sqlite3_finalize(mark);
	return 0;
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(mark);
	sync_rollback(db);
	return -1;
}

int
store_sync_swap(struct store *st, int64_t version, int64_t *rows,
    int64_t *lock_us)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	struct sync_state state;
	int64_t t0;

	if (store_exec(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	t0 = clock_mono_ns();
	if (sync_state_read(db, &state) == -1)
		goto fail;
	if (state.staging_version != version ||
	    state.staged != state.staging_chunks) {
		log_warnx("%s: sync: snapshot %lld is not completely staged",
		    sqlite3_db_filename(db, "main"), (long long)version);
		goto fail;
	}
	/*
	 * The old set is dropped later, by store_sync_cleanup(): freeing
	 * 100,000 rows' pages takes several times as long as the renames
	 * (tests/bench/bench_creds.c), and gate decisions should not wait
	 * for it.  One a cleanup never reached goes first.
	 */
	if (store_exec(db, "DROP TABLE IF EXISTS credentials_old;"
	    "ALTER TABLE credentials RENAME TO credentials_old;"
	    "ALTER TABLE credentials_staging RENAME TO credentials;"
	    "DELETE FROM sync_chunks;") == -1)
		goto fail;
	if (store_prepare(db, "UPDATE sync_state SET cred_version = ?1,"
	    " staging_version = 0, staging_chunks = 0 WHERE id = 1", &s) == -1)
		goto fail;
	sqlite3_bind_int64(s, 1, version);
	if (store_step_done(db, s) == -1 || store_exec(db, "COMMIT") == -1)
		goto fail;
	sqlite3_finalize(s);
	*rows = state.staged_rows;
	*lock_us = (clock_mono_ns() - t0) / 1000;
	return 0;
fail:
	sqlite3_finalize(s);
	sync_rollback(db);
	return -1;
}

int
store_sync_cleanup(struct store *st)
{
	return store_exec(store_db(st), "DROP TABLE IF EXISTS credentials_old");
}

int
store_sync_staging_discard(struct store *st, int64_t rejected)
{
	sqlite3 *db = store_db(st);

	if (store_exec(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (sync_staging_drop(db) == -1 ||
	    sync_state_staging_set(db, 0, 0, rejected) == -1 ||
	    store_exec(db, "COMMIT") == -1) {
		sync_rollback(db);
		return -1;
	}
	return 0;
}

/* Deletes each id of p->remove.  Returns the number refused, or -1. */
static int
sync_patch_remove(sqlite3 *db, const struct sync_patch *p,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg)
{
	sqlite3_stmt *s;
	char msg[128];
	int refused = 0;

	if (store_prepare(db, "DELETE FROM credentials WHERE id = ?1", &s) == -1)
		return -1;
	for (size_t i = 0; i < p->n_remove; i++) {
		sqlite3_bind_text(s, 1, p->remove[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			log_warnx("%s: sync: %s", sqlite3_db_filename(db, "main"),
			    sqlite3_errmsg(db));
			sqlite3_finalize(s);
			return -1;
		}
		if (sqlite3_changes(db) == 0) {
			snprintf(msg, sizeof(msg), "no credential %.63s",
			    p->remove[i]);
			error(arg, SYNC_REMOVE, i, msg);
			refused++;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return refused;
}

/* Writes each of c[0..n) with sql.  Returns the number refused, or -1. */
static int
sync_patch_write(sqlite3 *db, const char *sql, enum sync_op op,
    const struct credential *c, size_t n,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg)
{
	sqlite3_stmt *s;
	int refused = 0, r;

	if (store_prepare(db, sql, &s) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((r = sync_write(db, s, false, op, i, &c[i], error,
		    arg)) == -1) {
			sqlite3_finalize(s);
			return -1;
		}
		refused += r;
	}
	sqlite3_finalize(s);
	return refused;
}

int
store_sync_patch(struct store *st, const struct sync_patch *p,
    void (*error)(void *, enum sync_op, size_t, const char *), void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s = NULL;
	struct sync_state state;
	int r[3];

	if (store_exec(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (sync_state_row(db, &state) == -1)
		goto fail;
	if (p->version <= state.cred_version) {
		log_warnx("%s: sync: patch %lld is not newer than %lld",
		    sqlite3_db_filename(db, "main"), (long long)p->version,
		    (long long)state.cred_version);
		goto fail;
	}
	r[0] = sync_patch_remove(db, p, error, arg);
	r[1] = r[0] == -1 ? -1 : sync_patch_write(db, "UPDATE credentials SET"
	    " kind = ?2, subject = ?3, name = ?4, valid_from = ?5,"
	    " valid_until = ?6, status = ?7, lanes = ?8, role = ?9,"
	    " serial = ?10, pubkey = ?11, check_hash = ?12, send_as = ?13,"
	    " pin_hash = ?14, grp = ?15, schedule = ?16 WHERE id = ?1",
	    SYNC_UPDATE, p->update, p->n_update, error, arg);
	r[2] = r[1] == -1 ? -1 : sync_patch_write(db, "INSERT INTO credentials ("
	    SYNC_CRED_COLUMNS ") " SYNC_CRED_VALUES,
	    SYNC_ADD, p->add, p->n_add, error, arg);
	if (r[0] != 0 || r[1] != 0 || r[2] != 0)
		goto fail;
	/* A snapshot older than the set it would replace is of no use. */
	if (state.staging_version != 0 && state.staging_version <= p->version &&
	    (sync_staging_drop(db) == -1 ||
	    sync_state_staging_set(db, 0, 0, 0) == -1))
		goto fail;
	if (store_prepare(db, "UPDATE sync_state SET cred_version = ?1"
	    " WHERE id = 1", &s) == -1)
		goto fail;
	sqlite3_bind_int64(s, 1, p->version);
	if (store_step_done(db, s) == -1 || store_exec(db, "COMMIT") == -1)
		goto fail;
	sqlite3_finalize(s);
	return 0;
fail:
	sqlite3_finalize(s);
	sync_rollback(db);
	return -1;
}

int
store_sync_push_put(struct store *st, const char *scope, int64_t version,
    const char *document)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret;

	if (store_prepare(db, "INSERT INTO sync_pushes (scope, version, document,"
	    " applied_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(scope) DO UPDATE"
	    " SET version = excluded.version, document = excluded.document,"
	    " applied_ms = excluded.applied_ms", &s) == -1)
		return -1;
	sqlite3_bind_text(s, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, version);
	sqlite3_bind_text(s, 3, document, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, clock_utc_ms());
	ret = store_step_done(db, s);
	sqlite3_finalize(s);
	return ret;
}

int
store_sync_push_get(struct store *st, const char *scope, int64_t *version,
    char **document)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	const unsigned char *text;
	int rc, ret = -1;

	*document = NULL;
	if (store_prepare(db, "SELECT version, document FROM sync_pushes"
	    " WHERE scope = ?1", &s) == -1)
		return -1;
	sqlite3_bind_text(s, 1, scope, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int64(s, 0);
		text = sqlite3_column_text(s, 1);
		if ((*document = strdup(text != NULL ? (const char *)text :
		    "")) == NULL)
			log_warn("sync: push");
		else
			ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else
		log_warnx("%s: sync pushes: %s", sqlite3_db_filename(db, "main"),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}
