#include "store.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_outbox.h"
#include "store_private.h"
#include "store_schema.h"
#include "util.h"

/* The CLI may read while the daemon writes: wait for the lock this long. */
#define STORE_BUSY_MS 5000

#define CRED_COLUMNS STORE_CRED_COLUMNS
#define EVENT_COLUMNS \
	"seq, event_id, ts_ms, gate, lane, direction, type, kind, " \
	"credential_id, subject, result, reason, passage, decode_us, " \
	"latency_us, payload_hash, subject_full, source"

/*
 * A credential is replaced by id.  An upsert rather than INSERT OR
 * REPLACE: REPLACE would also quietly delete a *different* credential
 * holding the same (kind, subject), where this fails on UNIQUE instead.
 */
static const char *const store_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_CRED_FIND] = "SELECT " CRED_COLUMNS
	    " FROM credentials WHERE kind = ?1 AND subject = ?2",
	[ST_CRED_PUT] = "INSERT INTO credentials (" CRED_COLUMNS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,"
	    " subject = excluded.subject, name = excluded.name,"
	    " valid_from = excluded.valid_from,"
	    " valid_until = excluded.valid_until,"
	    " status = excluded.status, lanes = excluded.lanes,"
	    " role = excluded.role, serial = excluded.serial,"
	    " pubkey = excluded.pubkey, check_hash = excluded.check_hash,"
	    " send_as = excluded.send_as, pin_hash = excluded.pin_hash,"
	    " grp = excluded.grp, schedule = excluded.schedule",
	[ST_EV_INSERT] = "INSERT INTO events (event_id, ts_ms, gate, lane,"
	    " direction, type, kind, credential_id, subject, result, reason,"
	    " passage, decode_us, latency_us, payload_hash, subject_full,"
	    " source)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17)",
	[ST_EV_PASSAGE] = "UPDATE events SET passage = ?1 WHERE seq = ?2",
	[ST_EV_GET] = "SELECT " EVENT_COLUMNS " FROM events WHERE seq = ?1",
	[ST_DATA_VERSION] = "PRAGMA data_version",
};


/*
 * Steps a statement that returns no rows, then resets it for reuse.
 * Returns SQLite's result; on failure the message is kept in st.
 */
int
store_run(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		st->errcode = sqlite3_extended_errcode(st->db);
		snprintf(st->errmsg, sizeof(st->errmsg), "%s",
		    sqlite3_errmsg(st->db));
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

void
store_fail_bind(struct store *st, sqlite3_stmt *s)
{
	st->errcode = sqlite3_extended_errcode(st->db);
	snprintf(st->errmsg, sizeof(st->errmsg), "%s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

const char *
store_db_name(sqlite3 *db)
{
	const char *name = sqlite3_db_filename(db, "main");

	return name != NULL && name[0] != '\0' ? name : "store";
}

int
store_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("%s: %s", store_db_name(db),
		    msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(db, sql, -1, s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", store_db_name(db), sqlite3_errmsg(db));
		*s = NULL;
		return -1;
	}
	return 0;
}

int
store_step_done(sqlite3 *db, sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE) {
		log_warnx("%s: %s", store_db_name(db), sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The file of f, from the name SQLite resolved at open (absolute). */
static int
store_file_name(struct store *st, enum store_file f, char *buf, size_t len)
{
	static const char *const suffix[SF_COUNT] = {
		[SF_DB] = "", [SF_WAL] = "-wal", [SF_SHM] = "-shm",
	};
	const char *db = sqlite3_db_filename(st->db, "main");
	int n;

	if (db == NULL || db[0] == '\0')
		return -1;
	n = snprintf(buf, len, "%s%s", db, suffix[f]);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Notes which files are there at open, and which inodes they are. */
static void
store_files_record(struct store *st)
{
	char name[PATH_MAX];
	struct stat sb;

	for (int f = 0; f < SF_COUNT; f++) {
		st->files[f].present = store_file_name(st, f, name,
		    sizeof(name)) == 0 && stat(name, &sb) == 0;
		if (st->files[f].present) {
			st->files[f].dev = sb.st_dev;
			st->files[f].ino = sb.st_ino;
		}
	}
}

/*
 * An open connection goes on reading and writing a deleted or replaced
 * file without an error: SQLite holds the inode, not the name.  What it
 * writes then is lost at the next start, and a second connection (the
 * CLI, a restart) opens another database under the same name.  So the
 * names are looked up again and must still lead to the inodes opened.
 * Three stat() calls: a few microseconds beside a commit's fsync.
 */
int
store_files_check(struct store *st)
{
	static const char *const what[SF_COUNT] = {
		[SF_DB] = "the database file", [SF_WAL] = "its -wal file",
		[SF_SHM] = "its -shm file",
	};
	char name[PATH_MAX];
	struct stat sb;
	int r;

	for (int f = 0; f < SF_COUNT; f++) {
		if (!st->files[f].present ||
		    store_file_name(st, f, name, sizeof(name)) == -1)
			continue;
		if ((r = stat(name, &sb)) == 0 && sb.st_dev == st->files[f].dev &&
		    sb.st_ino == st->files[f].ino)
			continue;
		st->gone = true;
		st->errcode = SQLITE_IOERR;
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what[f],
		    r == 0 ? "replaced by another file" :
		    errno == ENOENT ? "deleted or moved" : strerror(errno));
		return -1;
	}
	st->gone = false;
	return 0;
}

int
store_begin(struct store *st)
{
	/* A row written into a file that is gone would be lost at the next
	 * start while the gate believes it durable: refused instead. */
	if (store_files_check(st) == -1)
		return -1;
	return store_run(st, st->stmt[ST_BEGIN]) == SQLITE_DONE ? 0 : -1;
}

int
store_commit(struct store *st)
{
	return store_run(st, st->stmt[ST_COMMIT]) == SQLITE_DONE ? 0 : -1;
}

int
store_data_version(struct store *st, int64_t *v)
{
	sqlite3_stmt *s = st->stmt[ST_DATA_VERSION];

	if (sqlite3_step(s) != SQLITE_ROW) {
		store_fail_bind(st, s);
		return -1;
	}
	*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* Undoes an open transaction, if any, keeping the first error's message. */
void
store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	sqlite3_step(st->stmt[ST_ROLLBACK]);
	sqlite3_reset(st->stmt[ST_ROLLBACK]);
}

/* Binds a fixed-size field: never reads past it, even unterminated. */
int
store_bind_field(sqlite3_stmt *s, int i, const char *v, size_t size)
{
	return sqlite3_bind_text(s, i, v, (int)strnlen(v, size), SQLITE_STATIC);
}

int
store_bind_name(sqlite3_stmt *s, int i, const char *name)
{
	return sqlite3_bind_text(s, i, name, (int)strlen(name), SQLITE_STATIC);
}

/*
 * Copies a text column into a fixed-size field, cut if need be at a
 * UTF-8 character boundary so the copy stays valid text.
 */
void
store_column_copy(sqlite3_stmt *s, int col, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);

	if (v == NULL)
		n = 0;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && (v[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(dst, v, n);
	dst[n] = '\0';
}

/* The enum whose name a column holds, or -1 for a name not known. */
int
store_column_enum(sqlite3_stmt *s, int col, int (*from_name)(const char *))
{
	const unsigned char *v = sqlite3_column_text(s, col);

	return v == NULL ? -1 : from_name((const char *)v);
}

static int
store_event_row(struct store *st, sqlite3_stmt *s, struct event *ev)
{
	int dir, type, kind, result, reason, passage;

	memset(ev, 0, sizeof(*ev));
	ev->seq = sqlite3_column_int64(s, 0);
	COLUMN_COPY(s, 1, ev->event_id);
	ev->ts_ms = sqlite3_column_int64(s, 2);
	COLUMN_COPY(s, 3, ev->gate);
	COLUMN_COPY(s, 4, ev->lane);
	dir = store_column_enum(s, 5, direction_from_name);
	type = store_column_enum(s, 6, event_type_from_name);
	kind = store_column_enum(s, 7, cred_kind_from_name);
	COLUMN_COPY(s, 8, ev->credential_id);
	COLUMN_COPY(s, 9, ev->subject);
	result = store_column_enum(s, 10, result_from_name);
	reason = store_column_enum(s, 11, reason_from_name);
	passage = store_column_enum(s, 12, passage_from_name);
	ev->decode_us = sqlite3_column_int64(s, 13);
	ev->latency_us = sqlite3_column_int64(s, 14);
	COLUMN_COPY(s, 15, ev->payload_hash);
	COLUMN_COPY(s, 16, ev->subject_full);
	COLUMN_COPY(s, 17, ev->source);
	if (dir == -1 || type == -1 || kind == -1 || result == -1 ||
	    reason == -1 || passage == -1) {
		log_warnx("%s: event %lld: a name this program does not know",
		    st->path, (long long)ev->seq);
		return -1;
	}
	ev->direction = dir;
	ev->type = type;
	ev->kind = kind;
	ev->result = result;
	ev->reason = reason;
	ev->passage = passage;
	return 0;
}

static int
store_pragma(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("%s: %s: %s", st->path, sql,
		    msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* journal_mode answers with the mode it ended up in. */
static int
store_wal_enable(struct store *st)
{
	sqlite3_stmt *s;
	const unsigned char *mode;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_step(s) != SQLITE_ROW)
		log_warnx("%s: journal_mode: %s", st->path,
		    sqlite3_errmsg(st->db));
	else {
		mode = sqlite3_column_text(s, 0);
		if (mode == NULL || strcmp((const char *)mode, "wal") != 0)
			log_warnx("%s: journal_mode is %s, not wal", st->path,
			    mode != NULL ? (const char *)mode : "unknown");
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

struct store *
store_open(const char *path, enum store_sync sync, bool read_only)
{
	struct store *st;
	int flags;

	/* randombytes_buf() needs it; later calls are cheap no-ops. */
	if (sodium_init() < 0) {
		log_warnx("libsodium could not be initialised");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		log_warn("store_open");
		free(st);
		return NULL;
	}
	flags = read_only ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		log_warnx("cannot open %s: %s", path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	if (!read_only && store_wal_enable(st) == -1)
		goto fail;
	if (store_pragma(st, sync == STORE_SYNC_NORMAL ?
	    "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL") == -1 ||
	    store_pragma(st, "PRAGMA foreign_keys = ON") == -1)
		goto fail;
	if (read_only ? store_schema_verify(st->db, path) == -1 :
	    store_schema_apply(st->db, path) == -1)
		goto fail;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
		    NULL) != SQLITE_OK) {
			log_warnx("%s: %s", path, sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	store_files_record(st);
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/* Events. */

static int
store_event_valid(const struct event *ev)
{
	return (unsigned int)ev->direction < DIR_COUNT &&
	    (unsigned int)ev->type < EV_TYPE_COUNT &&
	    (unsigned int)ev->kind < CRED_KIND_COUNT &&
	    (unsigned int)ev->result < RES_COUNT &&
	    (unsigned int)ev->reason < REASON_COUNT &&
	    (unsigned int)ev->passage < PASSAGE_COUNT;
}

static int
store_event_bind(sqlite3_stmt *s, const struct event *ev)
{
	return BIND_FIELD(s, 1, ev->event_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, ev->ts_ms) != SQLITE_OK ||
	    BIND_FIELD(s, 3, ev->gate) != SQLITE_OK ||
	    BIND_FIELD(s, 4, ev->lane) != SQLITE_OK ||
	    store_bind_name(s, 5, direction_name(ev->direction)) != SQLITE_OK ||
	    store_bind_name(s, 6, event_type_name(ev->type)) != SQLITE_OK ||
	    store_bind_name(s, 7, cred_kind_name(ev->kind)) != SQLITE_OK ||
	    BIND_FIELD(s, 8, ev->credential_id) != SQLITE_OK ||
	    BIND_FIELD(s, 9, ev->subject) != SQLITE_OK ||
	    store_bind_name(s, 10, result_name(ev->result)) != SQLITE_OK ||
	    store_bind_name(s, 11, reason_name(ev->reason)) != SQLITE_OK ||
	    store_bind_name(s, 12, passage_name(ev->passage)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 13, ev->decode_us) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 14, ev->latency_us) != SQLITE_OK ||
	    BIND_FIELD(s, 15, ev->payload_hash) != SQLITE_OK ||
	    BIND_FIELD(s, 16, ev->subject_full) != SQLITE_OK ||
	    BIND_FIELD(s, 17, ev->source) != SQLITE_OK ? -1 : 0;
}

/* Appends ev and, when step >= 0, records it for ev's credential. */
static int
store_event_write(struct store *st, struct event *ev, int64_t step)
{
	sqlite3_stmt *s = st->stmt[ST_EV_INSERT];
	unsigned char id[16];
	int64_t seq;

	if (!store_event_valid(ev)) {
		log_warnx("%s: event with a field out of range not written",
		    st->path);
		return -1;
	}
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(ev->event_id, sizeof(ev->event_id), id, sizeof(id));

	/*
	 * An explicit transaction, so the row and the seq read back belong
	 * together; COMMIT returns once the WAL is synced (synchronous=FULL).
	 */
	if (store_begin(st) == -1)
		goto fail;
	if (store_event_bind(s, ev) == -1) {
		store_fail_bind(st, s);
		goto fail;
	}
	if (store_run(st, s) != SQLITE_DONE)
		goto fail;
	seq = sqlite3_last_insert_rowid(st->db);
	/* Its MQTT message is queued by the same commit, or not at all. */
	if (store_outbox_add(st, seq, OUTBOX_REV_DECISION, st->errmsg,
	    sizeof(st->errmsg)) == -1)
		goto fail;
	if (step >= 0 && store_token_step_put(st, ev->credential_id, step,
	    st->errmsg, sizeof(st->errmsg)) == -1)
		goto fail;
	if (store_commit(st) == -1)
		goto fail;
	ev->seq = seq;
	return 0;
fail:
	log_warnx("%s: event not written: %s", st->path, st->errmsg);
	store_rollback(st);
	return -1;
}

int
store_event_append(struct store *st, struct event *ev)
{
	return store_event_write(st, ev, -1);
}

int
store_event_append_step(struct store *st, struct event *ev, uint32_t step)
{
	if (ev->credential_id[0] == '\0') {
		log_warnx("%s: a token step without its credential", st->path);
		return -1;
	}
	return store_event_write(st, ev, step);
}

int
store_event_set_passage(struct store *st, int64_t seq, enum passage p)
{
	sqlite3_stmt *s = st->stmt[ST_EV_PASSAGE];

	if ((unsigned int)p >= PASSAGE_COUNT) {
		log_warnx("%s: passage %d out of range", st->path, (int)p);
		return -1;
	}
	/* The update and the message that announces it: one commit. */
	if (store_begin(st) == -1)
		goto fail;
	if (store_bind_name(s, 1, passage_name(p)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, seq) != SQLITE_OK) {
		store_fail_bind(st, s);
		goto fail;
	}
	if (store_run(st, s) != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		store_rollback(st);
		log_warnx("%s: passage: no event %lld", st->path,
		    (long long)seq);
		return -1;
	}
	if (store_outbox_add(st, seq, OUTBOX_REV_PASSAGE, st->errmsg,
	    sizeof(st->errmsg)) == -1 || store_commit(st) == -1)
		goto fail;
	return 0;
fail:
	log_warnx("%s: passage of event %lld: %s", st->path, (long long)seq,
	    st->errmsg);
	store_rollback(st);
	return -1;
}

int64_t
store_event_pending_first(struct store *st)
{
	sqlite3_stmt *s;
	int64_t seq = -1;
	int rc;

	/* Only at start, so a scan is fine and no index is kept for it. */
	if (sqlite3_prepare_v2(st->db, "SELECT seq FROM events WHERE "
	    "passage = 'pending' ORDER BY seq LIMIT 1", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: pending passages: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		seq = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		seq = 0;
	else
		log_warnx("%s: pending passages: %s", st->path, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return seq;
}

int64_t
store_event_first_seq(struct store *st)
{
	sqlite3_stmt *s;
	int64_t seq = -1;
	int rc;

	/* seq is the rowid: min() reads one end of the table. */
	if (sqlite3_prepare_v2(st->db, "SELECT min(seq) FROM events", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		seq = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return seq;
}

int
store_event_get(struct store *st, int64_t seq, struct event *ev)
{
	sqlite3_stmt *s = st->stmt[ST_EV_GET];
	int rc, ret;

	if (sqlite3_bind_int64(s, 1, seq) != SQLITE_OK) {
		store_fail_bind(st, s);
		log_warnx("%s: event %lld: %s", st->path, (long long)seq,
		    st->errmsg);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = store_event_row(st, s, ev) == 0 ? 1 : 0;
	else if (rc == SQLITE_DONE)
		ret = 0;
	else {
		log_warnx("%s: event %lld: %s", st->path, (long long)seq,
		    sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int
store_event_foreach(struct store *st, int64_t since_ms,
    int (*cb)(const struct event *ev, void *arg), void *arg)
{
	sqlite3_stmt *s;
	struct event ev;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT " EVENT_COLUMNS
	    " FROM events WHERE ts_ms >= ?1 ORDER BY seq", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_bind_int64(s, 1, since_ms) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (store_event_row(st, s, &ev) == -1) {
			ret = -1;
			break;
		}
		if (cb(&ev, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("%s: list events: %s", st->path,
		    sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

int
store_event_purge(struct store *st, int64_t before_ms)
{
	sqlite3_stmt *s;
	int ret = -1;

	/* An event the outbox still has to send stays until it is sent. */
	if (sqlite3_prepare_v2(st->db, "DELETE FROM events WHERE ts_ms < ?1"
	    " AND seq NOT IN (SELECT seq FROM outbox)", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_bind_int64(s, 1, before_ms) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE)
		ret = sqlite3_changes(st->db);
	else
		log_warnx("%s: purge events: %s", st->path,
		    sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return ret;
}

/* Runs sql, which returns one integer, with ?1 = v when it has one. */
static int
store_event_int(struct store *st, const char *sql, int64_t v, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_bind_parameter_count(s) > 0 &&
	    sqlite3_bind_int64(s, 1, v) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_ROW)
		log_warnx("%s: %s", st->path, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_event_newest_ts(struct store *st, int64_t *ts_ms)
{
	int64_t v = 0;

	/* max() of an empty table is NULL, which reads as 0. */
	if (store_event_int(st, "SELECT max(ts_ms) FROM events", 0, &v) == -1)
		return -1;
	if (v <= 0)
		return 0;
	*ts_ms = v;
	return 1;
}

int
store_event_held(struct store *st, int64_t before_ms)
{
	int64_t n = 0;

	if (store_event_int(st, "SELECT count(*) FROM events WHERE ts_ms < ?1"
	    " AND seq IN (SELECT seq FROM outbox)", before_ms, &n) == -1)
		return -1;
	return (int)n;
}

/* What SQLite's failure says of the file: 1 not a database or corrupt. */
static int
store_probe_fail(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	int rc = sqlite3_extended_errcode(db) & 0xff;

	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
	return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ? 1 : -1;
}

int
store_probe(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	const unsigned char *v;
	struct stat sb;
	int fd, ret;

	/* The system's reason first: SQLite would only say "unable to open
	 * database file" for a permission or a missing directory. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ret = db != NULL ? store_probe_fail(db, path, err, errlen) : -1;
		if (db == NULL)
			snprintf(err, errlen, "%s: out of memory", path);
		sqlite3_close(db);
		return ret;
	}
	/* The header and the schema are read at prepare, every page at step. */
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) !=
	    SQLITE_OK)
		ret = store_probe_fail(db, path, err, errlen);
	else if (sqlite3_step(s) != SQLITE_ROW)
		ret = store_probe_fail(db, path, err, errlen);
	else if ((v = sqlite3_column_text(s, 0)) != NULL &&
	    strcmp((const char *)v, "ok") == 0)
		ret = 0;
	else {
		/* One row per fault: the first says enough. */
		snprintf(err, errlen, "%s: quick_check: %s", path,
		    v != NULL ? (const char *)v : "?");
		ret = 1;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* quick_check's rows may hold newlines: one log line. */
	for (char *c = err; ret != 0 && *c != '\0'; c++)
		if (*c == '\n')
			*c = ' ';
	return ret;
}

int
store_aside_name(const char *path, int64_t when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	char stamp[32];
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -1;
	n = snprintf(buf, len, "%s.unreadable-%s", path, stamp);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
store_set_aside(const char *path, int64_t when, char *aside, size_t len)
{
	/* The database last: a -wal or -journal left under the name would be
	 * played into the fresh database made there. */
	static const char *const suffix[] = { "-journal", "-wal", "-shm", "" };
	char from[PATH_MAX], to[PATH_MAX];
	struct stat sb;

	if (store_aside_name(path, when, aside, len) == -1 ||
	    strlen(aside) + 8 >= sizeof(to)) {
		log_warnx("%s: no name to set it aside", path);
		return -1;
	}
	/* An earlier copy is evidence too: never renamed over. */
	if (lstat(aside, &sb) == 0) {
		log_warnx("%s: %s exists already", path, aside);
		return -1;
	}
	for (size_t i = 0; i < nitems(suffix); i++) {
		snprintf(from, sizeof(from), "%s%s", path, suffix[i]);
		snprintf(to, sizeof(to), "%s%s", aside, suffix[i]);
		if (rename(from, to) == -1 && errno != ENOENT) {
			log_warn("%s: cannot set it aside as %s", from, to);
			return -1;
		}
	}
	return 0;
}

const char *
store_errmsg(const struct store *st)
{
	return st->errmsg;
}

struct sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

int
store_ping(struct store *st)
{
	if (store_files_check(st) == -1)
		return -1;
	/* Reads the database header, through the same connection and locks
	 * as every append. */
	if (sqlite3_exec(st->db, "PRAGMA schema_version;", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		st->errcode = sqlite3_extended_errcode(st->db);
		snprintf(st->errmsg, sizeof(st->errmsg), "%s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}
