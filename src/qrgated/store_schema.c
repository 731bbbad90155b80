#include "store_schema.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cccd_check.h"
#include "log.h"
#include "mask.h"
#include "store.h"
#include "token.h"

/* The credentials' columns from schema 5 to 6, which the rebuilds
 * copy: STORE_CRED_COLUMNS grows with later schemas. */
#define STORE_CRED_COLUMNS_V5 \
	"id, kind, subject, name, valid_from, valid_until, status, lanes, " \
	"role, serial, pubkey, check_hash"
/* ... and from schema 8 to 9. */
#define STORE_CRED_COLUMNS_V8 \
	STORE_CRED_COLUMNS_V5 ", send_as, pin_hash"

/*
 * Schema version 1.  docs/log.md copies this block: column names are part
 * of the product (qrgatectl events --json/--csv print them as they are).
 *
 * credentials: who may pass.  One row per credential IT issued.
 *   id             TEXT     primary key: IT's key, at most 63 bytes
 *   kind           TEXT     'badge' or 'cccd'
 *   subject        TEXT     badge id, or the 12-digit CCCD number
 *   name           TEXT     display name, UTF-8
 *   valid_from     INTEGER  UTC ms; 0: no lower bound
 *   valid_until    INTEGER  UTC ms, exclusive; 0: no upper bound
 *   status         TEXT     'active', 'suspended' or 'revoked'
 *   lanes          TEXT     where it may be used: "*", "A:entry,B", ...;
 *                           '' is nowhere
 *   UNIQUE(kind, subject): one card is one credential.
 *
 * events: the entry/exit log, append-only apart from passage.
 *   seq            INTEGER  strictly increasing, never reused:
 *                           AUTOINCREMENT keeps it growing even after
 *                           retention empties the table
 *   event_id       TEXT     32 random hex digits, unique across gates
 *   ts_ms          INTEGER  UTC ms of the decision; indexed
 *   gate, lane     TEXT     where
 *   direction      TEXT     'entry' or 'exit'
 *   type           TEXT     'scan', 'button', 'remote', 'alarm'
 *   kind           TEXT     'none', 'badge', 'cccd'
 *   credential_id  TEXT     '' when no credential matched
 *   subject        TEXT     masked as the site configures
 *   result         TEXT     'granted', 'denied', 'alarm'
 *   reason         TEXT     'granted', 'unknown', 'expired', ...
 *                           (reason_name() in types.c)
 *   passage        TEXT     'none', 'pending', 'passed', 'not-passed',
 *                           'unsensed': how a released way ended
 *   decode_us      INTEGER  decode time; -1 when not a scan
 *   latency_us     INTEGER  frame capture to decision; -1 if none
 *   payload_hash   TEXT     16 hex digits of BLAKE2b of the code, or ''
 *
 * Schema version 2 adds the MQTT outbox: what is still to be published.
 *
 * outbox: one row per message not yet acknowledged by the broker.
 *   id             INTEGER  AUTOINCREMENT: the order of sending
 *   seq            INTEGER  the event the message is built from (when it
 *                           is sent, from the row as it is then)
 *   rev            INTEGER  0 for the decision, 1 for its passage update
 *   Events still referenced here are never purged.
 *
 * outbox_meta: one row.  depth counts the outbox rows (kept by the
 * triggers, so it costs no scan); max is the cap, 0 while MQTT is off: an
 * outbox row is added only while depth < max.
 *
 * Schema version 3 adds signed credentials and the policy's memory.
 *
 * credentials gains (the table is rebuilt, rows copied, so that its kind
 * CHECK can allow the new kinds):
 *   kind           TEXT     also 'signed' (an issuer-signed badge token)
 *                           and 'dynamic' (a worker-signed time step);
 *                           subject is then the id the token carries
 *   role           TEXT     'staff' (default) or 'visitor': policy may
 *                           accept a kind only from visitors
 *   serial         INTEGER  signed: the badge serial now issued, 0..2^32-1;
 *                           a token of another serial is serial-revoked
 *   pubkey         TEXT     dynamic: the worker's Ed25519 public key, 44
 *                           characters of base64 (needed); other kinds
 *                           have '' or a key they do not use
 *
 * events.kind may be 'signed' or 'dynamic' too, and events gains:
 *   subject_full   TEXT     the subject unmasked, only while
 *                           store.trace_full is on; '' otherwise.  Never
 *                           published over MQTT.
 *   and an index on (credential_id, seq), for the anti-passback lookup
 *   of a credential's last grant.
 *
 * token_steps: the highest dynamic step granted per credential, written in
 * the transaction of its grant row, so a token is never used twice, even
 * across a restart.
 *   credential_id  TEXT     primary key
 *   step           INTEGER  Unix time / policy.token_step_s
 *
 * Schema version 4: cmd_done, the ids of the MQTT commands executed, each
 * kept until its command's expiry has passed, so a copied command cannot
 * be replayed, not even after a restart.
 *   id             TEXT     primary key: the command's id
 *   expires_ms     INTEGER  UTC ms: the command's own expiry
 *
 * Schema version 5: what the gate must believe across restarts and clock
 * steps, and the proof that a scanned CCCD is the card enrolled.
 *   credentials gains
 *     check_hash   TEXT     cccd: hex of a keyed hash of the card's other
 *                           fields (name, date of birth, issue date), so
 *                           a code made up from the number alone does not
 *                           match; '' when none was enrolled
 *   gate_meta: one integer per key, e.g. time_floor_ms, the latest time
 *   the gate trusted (UTC ms); its notion of now never falls below it.
 *     key          TEXT     primary key
 *     value        INTEGER
 *
 * Schema version 6: credentials.kind may be 'visitor' (the table is
 * rebuilt, as at 4 -> 5, for its CHECK): a row of a visitor pass's id,
 * which the gate grants with no row, and which such a row, revoked or
 * suspended, cancels.  events.kind may be 'visitor' too.
 *
 * Schema version 7: events gains
 *   source         TEXT     how the code of a scan row was read: 'camera'
 *                           or 'scanner' (a reader's, hal/reader.h);
 *                           '' for a row of no code (button, remote,
 *                           lane alarms).  Rows from before are scans of
 *                           the camera, the only input there was.
 * Schema version 8: cards, and what any credential is sent on as.
 *   credentials.kind may be 'card' (the table is rebuilt, as at 4 -> 5):
 *   subject is then the card's text, e.g. 'h10301:12:3456'; and
 *   credentials gains
 *     send_as      TEXT     any kind: the card text sent on to a
 *                           controller as Wiegand after a grant; ''
 *                           none
 *     pin_hash     TEXT     card: the Argon2id hash of its PIN
 *                           (cred_pin.h), never the PIN; '' none
 *   events.kind may be 'card' too.
 * Schema version 9: schedules (schedule.h, docs/schedules.md).
 *   credentials gains (rebuilt, as at 4 -> 5)
 *     grp          TEXT     the holder's group (a department): its
 *                           schedule applies when the credential names
 *                           none ('group' is an SQL keyword)
 *     schedule     TEXT     the name of the credential's schedule; ''
 *                           none of its own
 *   schedules: the profiles, by name, as the text schedule_parse() reads
 *     name         TEXT     primary key
 *     text         TEXT     e.g. 'mon-fri 07:00-16:00; grace 15'
 *   schedule_groups: a group's schedule
 *     grp          TEXT     primary key
 *     schedule     TEXT     a schedule's name
 *   holidays: the site's holiday dates, local
 *     day          TEXT     primary key, 'YYYY-MM-DD'
 *     name         TEXT     what it is, for people; '' none
 *
 * Each entry of migrations[] takes the schema from version i to i + 1 and
 * ends by recording the new version, inside the caller's transaction.
 */
static const char *const store_migrations[STORE_SCHEMA_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE credentials ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK(kind IN ('badge','cccd')),"
	"  subject TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  valid_from INTEGER NOT NULL DEFAULT 0,"
	"  valid_until INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL"
	"    CHECK(status IN ('active','suspended','revoked')),"
	"  lanes TEXT NOT NULL DEFAULT '*',"
	"  UNIQUE(kind, subject)"
	");"
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  event_id TEXT NOT NULL UNIQUE,"
	"  ts_ms INTEGER NOT NULL,"
	"  gate TEXT NOT NULL,"
	"  lane TEXT NOT NULL,"
	"  direction TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  credential_id TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  result TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  passage TEXT NOT NULL,"
	"  decode_us INTEGER NOT NULL,"
	"  latency_us INTEGER NOT NULL,"
	"  payload_hash TEXT NOT NULL"
	");"
	"CREATE INDEX events_ts_ms ON events(ts_ms);"
	"PRAGMA user_version = 1;",

	/* 1 -> 2 */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  seq INTEGER NOT NULL REFERENCES events(seq),"
	"  rev INTEGER NOT NULL DEFAULT 0"
	");"
	/* For the purge's NOT IN and the foreign key's check on delete. */
	"CREATE INDEX outbox_seq ON outbox(seq);"
	"CREATE TABLE outbox_meta ("
	"  one INTEGER PRIMARY KEY CHECK(one = 1),"
	"  depth INTEGER NOT NULL,"
	"  max INTEGER NOT NULL"
	");"
	"INSERT INTO outbox_meta VALUES (1, 0, 0);"
	"CREATE TRIGGER outbox_added AFTER INSERT ON outbox BEGIN"
	"  UPDATE outbox_meta SET depth = depth + 1;"
	" END;"
	"CREATE TRIGGER outbox_removed AFTER DELETE ON outbox BEGIN"
	"  UPDATE outbox_meta SET depth = depth - 1;"
	" END;"
	"PRAGMA user_version = 2;",

	/* 2 -> 3.  A staging snapshot of the old shape would become the
	 * credentials table at its swap: it goes (store_sync_init() resets
	 * its state), and the sender's next snapshot is staged anew. */
	"CREATE TABLE credentials_v3 ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL"
	"    CHECK(kind IN ('badge','cccd','signed','dynamic')),"
	"  subject TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  valid_from INTEGER NOT NULL DEFAULT 0,"
	"  valid_until INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL"
	"    CHECK(status IN ('active','suspended','revoked')),"
	"  lanes TEXT NOT NULL DEFAULT '*',"
	"  role TEXT NOT NULL DEFAULT 'staff'"
	"    CHECK(role IN ('staff','visitor')),"
	"  serial INTEGER NOT NULL DEFAULT 0"
	"    CHECK(serial BETWEEN 0 AND 4294967295),"
	"  pubkey TEXT NOT NULL DEFAULT '',"
	"  UNIQUE(kind, subject)"
	");"
	"INSERT INTO credentials_v3 (id, kind, subject, name, valid_from,"
	"  valid_until, status, lanes)"
	" SELECT id, kind, subject, name, valid_from, valid_until, status,"
	"  lanes FROM credentials;"
	"DROP TABLE credentials;"
	"ALTER TABLE credentials_v3 RENAME TO credentials;"
	"DROP TABLE IF EXISTS credentials_staging;"
	"DROP TABLE IF EXISTS credentials_old;"
	"ALTER TABLE events ADD COLUMN subject_full TEXT NOT NULL DEFAULT '';"
	"CREATE INDEX events_credential ON events(credential_id, seq);"
	"CREATE TABLE token_steps ("
	"  credential_id TEXT PRIMARY KEY,"
	"  step INTEGER NOT NULL"
	");"
	"PRAGMA user_version = 3;",
	/* 3 -> 4 */
	"CREATE TABLE cmd_done ("
	"  id TEXT PRIMARY KEY,"
	"  expires_ms INTEGER NOT NULL"
	");"
	"PRAGMA user_version = 4;",
	/* 4 -> 5.  The table is rebuilt rather than altered, so that its
	 * text stays the staging copy's (store_sync.c swaps them); a staged
	 * snapshot of the old shape goes, as at 2 -> 3. */
	"CREATE TABLE credentials_v5 " STORE_CRED_TABLE_BODY ";"
	"INSERT INTO credentials_v5 (id, kind, subject, name, valid_from,"
	"  valid_until, status, lanes, role, serial, pubkey)"
	" SELECT id, kind, subject, name, valid_from, valid_until, status,"
	"  lanes, role, serial, pubkey FROM credentials;"
	"DROP TABLE credentials;"
	"ALTER TABLE credentials_v5 RENAME TO credentials;"
	"DROP TABLE IF EXISTS credentials_staging;"
	"DROP TABLE IF EXISTS credentials_old;"
	"CREATE TABLE gate_meta ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	");"
	"PRAGMA user_version = 5;",
	/* 5 -> 6, as 4 -> 5. */
	"CREATE TABLE credentials_v6 " STORE_CRED_TABLE_BODY ";"
	"INSERT INTO credentials_v6 (" STORE_CRED_COLUMNS_V5 ")"
	" SELECT " STORE_CRED_COLUMNS_V5 " FROM credentials;"
	"DROP TABLE credentials;"
	"ALTER TABLE credentials_v6 RENAME TO credentials;"
	"DROP TABLE IF EXISTS credentials_staging;"
	"DROP TABLE IF EXISTS credentials_old;"
	"PRAGMA user_version = 6;",
	/* 6 -> 7 */
	"ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT '';"
	"UPDATE events SET source = 'camera' WHERE type = 'scan';"
	"PRAGMA user_version = 7;",
	/* 7 -> 8, as 4 -> 5. */
	"CREATE TABLE credentials_v8 " STORE_CRED_TABLE_BODY ";"
	"INSERT INTO credentials_v8 (" STORE_CRED_COLUMNS_V5 ")"
	" SELECT " STORE_CRED_COLUMNS_V5 " FROM credentials;"
	"DROP TABLE credentials;"
	"ALTER TABLE credentials_v8 RENAME TO credentials;"
	"DROP TABLE IF EXISTS credentials_staging;"
	"DROP TABLE IF EXISTS credentials_old;"
	"PRAGMA user_version = 8;",
	/* 8 -> 9, as 4 -> 5. */
	"CREATE TABLE credentials_v9 " STORE_CRED_TABLE_BODY ";"
	"INSERT INTO credentials_v9 (" STORE_CRED_COLUMNS_V8 ")"
	" SELECT " STORE_CRED_COLUMNS_V8 " FROM credentials;"
	"DROP TABLE credentials;"
	"ALTER TABLE credentials_v9 RENAME TO credentials;"
	"DROP TABLE IF EXISTS credentials_staging;"
	"DROP TABLE IF EXISTS credentials_old;"
	"CREATE TABLE schedules ("
	"  name TEXT PRIMARY KEY,"
	"  text TEXT NOT NULL"
	");"
	"CREATE TABLE schedule_groups ("
	"  grp TEXT PRIMARY KEY,"
	"  schedule TEXT NOT NULL"
	");"
	"CREATE TABLE holidays ("
	"  day TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL DEFAULT ''"
	");"
	"PRAGMA user_version = 9;",
};

static int
store_schema_version(sqlite3 *db, const char *path, int *version)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	else
		log_warnx("%s: %s", path, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int
store_schema_exec(sqlite3 *db, const char *path, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("%s: %s", path,
		    msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_schema_apply(sqlite3 *db, const char *path)
{
	int version;

	/*
	 * IMMEDIATE takes the write lock before the version is read, so two
	 * processes opening a new database at once cannot both create it.
	 */
	if (store_schema_exec(db, path, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (store_schema_version(db, path, &version) == -1)
		goto fail;
	if (version < 0 || version > STORE_SCHEMA_VERSION) {
		log_warnx("%s: schema version %d, this program knows %d",
		    path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	for (; version < STORE_SCHEMA_VERSION; version++)
		if (store_schema_exec(db, path,
		    store_migrations[version]) == -1)
			goto fail;
	if (store_schema_exec(db, path, "COMMIT") == -1)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_schema_verify(sqlite3 *db, const char *path)
{
	int version;

	if (store_schema_version(db, path, &version) == -1)
		return -1;
	if (version != STORE_SCHEMA_VERSION) {
		log_warnx("%s: schema version %d, this program knows %d%s",
		    path, version, STORE_SCHEMA_VERSION,
		    version == 0 ? " (not a qrgate database)" : "");
		return -1;
	}
	return 0;
}
