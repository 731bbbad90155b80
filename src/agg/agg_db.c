/*
 * Picking the backend from the connection string, and the schema, which is
 * one text for both backends.
 */
#include <stdlib.h>
#include <string.h>

#include "agg_db.h"
#include "log.h"

struct agg_db {
	const struct agg_db_ops *ops;
	void *h;
};

/* PostgreSQL first: a bare path is SQLite's. */
static const struct agg_db_ops *const agg_db_backends[] = {
	&agg_db_pg_ops,
	&agg_db_sqlite_ops,
	NULL
};

/*
 * Times are milliseconds since the epoch, UTC, as the gates send them;
 * received_ms is the aggregator's clock when the event first arrived (its
 * lag).  Names (direction, result, reason...) are stored as the gates
 * publish them, so a new reason needs no migration.  subject is masked as
 * the gate masked it; subject_full is filled only with the tracing role.
 */
static const char *const agg_db_schema[] = {
	"CREATE TABLE IF NOT EXISTS events ("
	" event_id TEXT PRIMARY KEY,"
	" site TEXT NOT NULL, gate TEXT NOT NULL, lane TEXT NOT NULL,"
	" seq BIGINT NOT NULL, rev INTEGER NOT NULL, ts_ms BIGINT NOT NULL,"
	" direction TEXT NOT NULL, type TEXT NOT NULL, kind TEXT NOT NULL,"
	" subject TEXT NOT NULL, credential_id TEXT NOT NULL,"
	" subject_full TEXT,"
	" result TEXT NOT NULL, reason TEXT NOT NULL, passage TEXT NOT NULL,"
	" decode_us BIGINT NOT NULL, latency_us BIGINT NOT NULL,"
	" received_ms BIGINT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS events_gate_ts ON events (site, gate, ts_ms)",
	"CREATE INDEX IF NOT EXISTS events_subject ON events (subject, ts_ms)",
	/* A holder's events by time, covering what attendance reads of
	 * each (agg_attendance.c): the month of 10,000 workers then reads
	 * the index alone, not one table page per passage (make bench, 10 M
	 * events: 44 s to 14 s on SQLite, 26 s to 14 s on PostgreSQL).  It
	 * took the place of events_cred (credential_id, ts_ms), whose
	 * queries it serves. */
	"CREATE INDEX IF NOT EXISTS events_cred_att ON events (credential_id, "
	"ts_ms, event_id, direction, result, passage)",
	"DROP INDEX IF EXISTS events_cred",
	"CREATE INDEX IF NOT EXISTS events_ts ON events (ts_ms)",
	"CREATE TABLE IF NOT EXISTS gates ("
	" site TEXT NOT NULL, gate TEXT NOT NULL, lane TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'unknown',"
	" clean INTEGER NOT NULL DEFAULT 0, stale INTEGER NOT NULL DEFAULT 0,"
	" version TEXT NOT NULL DEFAULT '',"
	" heartbeat_ms BIGINT NOT NULL DEFAULT 0,"
	" changed_ms BIGINT NOT NULL DEFAULT 0,"
	" max_seq BIGINT NOT NULL DEFAULT 0,"
	" status TEXT,"
	" PRIMARY KEY (site, gate))",
	/* A gap is the seqs first_seq..last_seq still missing; closed_ms is
	 * set once the last of them arrived. */
	"CREATE TABLE IF NOT EXISTS gaps ("
	" site TEXT NOT NULL, gate TEXT NOT NULL,"
	" first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL,"
	" missing BIGINT NOT NULL, opened_ms BIGINT NOT NULL,"
	" closed_ms BIGINT)",
	"CREATE INDEX IF NOT EXISTS gaps_gate ON gaps (site, gate, first_seq)",
	"CREATE TABLE IF NOT EXISTS alarms ("
	" site TEXT NOT NULL, gate TEXT NOT NULL, lane TEXT NOT NULL,"
	" alarm TEXT NOT NULL, detail TEXT NOT NULL,"
	" event_id TEXT NOT NULL DEFAULT '',"
	" began_ms BIGINT NOT NULL, ended_ms BIGINT,"
	" received_ms BIGINT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS alarms_gate"
	" ON alarms (site, gate, alarm, ended_ms)",
	"CREATE INDEX IF NOT EXISTS alarms_event ON alarms (event_id)",
	/* Each holder's last passage at each site, kept as events arrive:
	 * who is inside is then a look at this, not at every event. */
	"CREATE TABLE IF NOT EXISTS presence ("
	" site TEXT NOT NULL, credential_id TEXT NOT NULL, subject TEXT NOT NULL,"
	" subject_full TEXT, gate TEXT NOT NULL, lane TEXT NOT NULL,"
	" direction TEXT NOT NULL, ts_ms BIGINT NOT NULL,"
	" event_id TEXT NOT NULL,"
	" PRIMARY KEY (site, credential_id, subject))",
	"CREATE INDEX IF NOT EXISTS presence_in ON presence (direction, ts_ms)",
	/* The console's accounts (agg_users.c): roles as AGG_ROLE_* bits,
	 * the password as crypto_pwhash_str().  A session is kept by the
	 * digest of its cookie's token, never the token. */
	"CREATE TABLE IF NOT EXISTS users ("
	" id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" roles INTEGER NOT NULL, hash TEXT NOT NULL,"
	" disabled INTEGER NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS sessions ("
	" id TEXT PRIMARY KEY, user_id BIGINT NOT NULL, csrf TEXT NOT NULL,"
	" created_ms BIGINT NOT NULL, seen_ms BIGINT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id)",
	/* Every write through the console or the user commands, and every
	 * view of full subjects: who, when, what. */
	"CREATE TABLE IF NOT EXISTS audit ("
	" id BIGINT PRIMARY KEY, ts_ms BIGINT NOT NULL,"
	" user_id BIGINT NOT NULL, user_name TEXT NOT NULL,"
	" what TEXT NOT NULL, detail TEXT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS audit_ts ON audit (ts_ms)",
	/* The visitor register (agg_visitor.h): the document whole, shown
	 * masked but to the tracer; cancelled_ms NULL while the pass holds. */
	"CREATE TABLE IF NOT EXISTS visitors ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL,"
	" doc_kind TEXT NOT NULL, doc_number TEXT NOT NULL,"
	" host TEXT NOT NULL, purpose TEXT NOT NULL, lanes TEXT NOT NULL,"
	" from_ms BIGINT NOT NULL, until_ms BIGINT NOT NULL,"
	" registered_by TEXT NOT NULL, registered_ms BIGINT NOT NULL,"
	" cancelled_ms BIGINT, cancelled_by TEXT)",
	"CREATE INDEX IF NOT EXISTS visitors_visit ON visitors (until_ms, from_ms)",
	/* The site's people (agg_people.h): each a gate's credential with a
	 * department.  people_state's one row counts the edits and what the
	 * daemon last sent the gates. */
	"CREATE TABLE IF NOT EXISTS people ("
	" id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL,"
	" name TEXT NOT NULL DEFAULT '', department TEXT NOT NULL DEFAULT '',"
	" lanes TEXT NOT NULL DEFAULT '*',"
	" valid_from_ms BIGINT NOT NULL DEFAULT 0,"
	" valid_until_ms BIGINT NOT NULL DEFAULT 0,"
	" status TEXT NOT NULL DEFAULT 'active',"
	" role TEXT NOT NULL DEFAULT 'staff', serial BIGINT NOT NULL DEFAULT 0,"
	" pubkey TEXT NOT NULL DEFAULT '', check_hash TEXT NOT NULL DEFAULT '',"
	" changed_ms BIGINT NOT NULL DEFAULT 0,"
	" UNIQUE (kind, subject))",
	"CREATE INDEX IF NOT EXISTS people_dept ON people (department, name)",
	/* What a person's credential is sent on as (a card text) and the
	 * hash of a card's PIN (cred_pin.h), never the PIN: beside people
	 * rather than in it, so that a database made before them gains
	 * them here, with no ALTER either database would take twice. */
	"CREATE TABLE IF NOT EXISTS people_cards ("
	" id TEXT PRIMARY KEY, send_as TEXT NOT NULL DEFAULT '',"
	" pin_hash TEXT NOT NULL DEFAULT '')",
	"CREATE TABLE IF NOT EXISTS people_state ("
	" id INTEGER PRIMARY KEY, edits BIGINT NOT NULL DEFAULT 0,"
	" edited_ms BIGINT NOT NULL DEFAULT 0,"
	" pushed_edits BIGINT NOT NULL DEFAULT 0,"
	" version BIGINT NOT NULL DEFAULT 0,"
	" pushed_ms BIGINT NOT NULL DEFAULT 0)",
	"INSERT INTO people_state (id) VALUES (1) ON CONFLICT (id) DO NOTHING",
	/* The config pushes sent from here (agg_confpush.c): target is a
	 * gate, or "all" for the whole site; signed_by "aggregator" or
	 * "offline"; body the push document as published. */
	"CREATE TABLE IF NOT EXISTS config_pushes ("
	" site TEXT NOT NULL, target TEXT NOT NULL, version BIGINT NOT NULL,"
	" signed_by TEXT NOT NULL, who TEXT NOT NULL, sent_ms BIGINT NOT NULL,"
	" body TEXT NOT NULL, PRIMARY KEY (site, target, version))",
	/* Attendance (agg_attendance.h): shifts, who works which (kind
	 * "person" or "group", a department), and HR's corrections, rows of
	 * their own that never alter an event.  Times of day in minutes
	 * after local midnight; days the working weekdays, 1 Monday. */
	"CREATE TABLE IF NOT EXISTS shifts ("
	" name TEXT PRIMARY KEY, start_min INTEGER NOT NULL,"
	" end_min INTEGER NOT NULL, break_min INTEGER NOT NULL DEFAULT 0,"
	" grace_min INTEGER NOT NULL DEFAULT 0,"
	" days TEXT NOT NULL DEFAULT '12345',"
	" changed_ms BIGINT NOT NULL DEFAULT 0)",
	"CREATE TABLE IF NOT EXISTS shift_assign ("
	" kind TEXT NOT NULL, target TEXT NOT NULL, shift TEXT NOT NULL,"
	" PRIMARY KEY (kind, target))",
	"CREATE TABLE IF NOT EXISTS attendance_corrections ("
	" id BIGINT PRIMARY KEY, person TEXT NOT NULL, day TEXT NOT NULL,"
	" field TEXT NOT NULL, value_ms BIGINT NOT NULL DEFAULT 0,"
	" who TEXT NOT NULL, why TEXT NOT NULL, ts_ms BIGINT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS attendance_corrections_day"
	" ON attendance_corrections (person, day)",
	NULL
};

/*
 * The schema in one transaction: a power cut while the first start makes
 * it leaves all of it or none (tests/powercut), never a database with
 * some tables that a query then resolves elsewhere.
 */
static int
agg_db_schema_create(struct agg_db *db)
{
	if (agg_db_begin(db) == -1)
		return -1;
	for (int i = 0; agg_db_schema[i] != NULL; i++)
		if (agg_db_run(db, agg_db_schema[i], NULL, 0, NULL, NULL,
		    NULL) == -1) {
			agg_db_rollback(db);
			return -1;
		}
	return agg_db_commit(db);
}

struct agg_db *
agg_db_open(const char *conn, bool read_only)
{
	const struct agg_db_ops *const *o;
	struct agg_db *db;

	for (o = agg_db_backends; *o != NULL && !(*o)->match(conn); o++)
		;
	if (*o == NULL) {
		log_warnx("db: no backend for \"%s\"", conn);
		return NULL;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		log_warn("db");
		return NULL;
	}
	db->ops = *o;
	if ((db->h = db->ops->open(conn, read_only)) == NULL) {
		free(db);
		return NULL;
	}
	if (!read_only && agg_db_schema_create(db) == -1) {
		agg_db_close(db);
		return NULL;
	}
	return db;
}

void
agg_db_close(struct agg_db *db)
{
	if (db == NULL)
		return;
	db->ops->close(db->h);
	free(db);
}

const char *
agg_db_backend(const struct agg_db *db)
{
	return db->ops->name;
}

int
agg_db_run(struct agg_db *db, const char *sql, const struct agg_db_arg *args,
    int nargs, agg_db_row_fn cb, void *arg, int64_t *changes)
{
	return db->ops->run(db->h, sql, args, nargs, cb, arg, changes);
}

static int
agg_db_int_row(void *arg, int ncol, const char *const *col)
{
	int64_t *out = arg;

	if (ncol < 1 || col[0] == NULL)
		*out = 0;
	else
		*out = strtoll(col[0], NULL, 10);
	return 1;
}

int
agg_db_int(struct agg_db *db, const char *sql, const struct agg_db_arg *args,
    int nargs, int64_t *out)
{
	int rc = agg_db_run(db, sql, args, nargs, agg_db_int_row, out, NULL);

	return rc == -1 ? -1 : rc == 1 ? 1 : 0;
}

int
agg_db_begin(struct agg_db *db)
{
	return agg_db_run(db, "BEGIN", NULL, 0, NULL, NULL, NULL);
}

int
agg_db_commit(struct agg_db *db)
{
	return agg_db_run(db, "COMMIT", NULL, 0, NULL, NULL, NULL);
}

void
agg_db_rollback(struct agg_db *db)
{
	(void)agg_db_run(db, "ROLLBACK", NULL, 0, NULL, NULL, NULL);
}
