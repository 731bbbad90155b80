/*
 * The store's schema, its migrations and the rules a credential row obeys
 * (credential_validate(), declared in store.h), apart from the
 * statements that use them.  The schema version lives in PRAGMA
 * user_version.
 */
#ifndef QRGATE_STORE_SCHEMA_H
#define QRGATE_STORE_SCHEMA_H

#include <sqlite3.h>

#define STORE_SCHEMA_VERSION 9

/*
 * The credentials table's columns and constraints, from its opening
 * parenthesis: the schema creates the table with it and credential sync
 * (store_sync.c) its staging copy, which becomes the table by renaming, so
 * the two can never differ.
 */
#define STORE_CRED_TABLE_BODY \
	"("								\
	"  id TEXT PRIMARY KEY,"					\
	"  kind TEXT NOT NULL"						\
	"    CHECK(kind IN ('badge','cccd','signed','dynamic','visitor',"	\
	"      'card')),"							\
	"  subject TEXT NOT NULL,"					\
	"  name TEXT NOT NULL DEFAULT '',"				\
	"  valid_from INTEGER NOT NULL DEFAULT 0,"			\
	"  valid_until INTEGER NOT NULL DEFAULT 0,"			\
	"  status TEXT NOT NULL"					\
	"    CHECK(status IN ('active','suspended','revoked')),"	\
	"  lanes TEXT NOT NULL DEFAULT '*',"				\
	"  role TEXT NOT NULL DEFAULT 'staff'"				\
	"    CHECK(role IN ('staff','visitor')),"			\
	"  serial INTEGER NOT NULL DEFAULT 0"				\
	"    CHECK(serial BETWEEN 0 AND 4294967295),"			\
	"  pubkey TEXT NOT NULL DEFAULT '',"				\
	"  check_hash TEXT NOT NULL DEFAULT '',"			\
	"  send_as TEXT NOT NULL DEFAULT '',"				\
	"  pin_hash TEXT NOT NULL DEFAULT '',"				\
	"  grp TEXT NOT NULL DEFAULT '',"				\
	"  schedule TEXT NOT NULL DEFAULT '',"				\
	"  UNIQUE(kind, subject)"					\
	")"

/* Every column of credentials, in the order the store binds them. */
#define STORE_CRED_COLUMNS \
	"id, kind, subject, name, valid_from, valid_until, status, lanes, " \
	"role, serial, pubkey, check_hash, send_as, pin_hash, grp, schedule"

/*
 * Brings the database up to STORE_SCHEMA_VERSION in one transaction, so
 * a crash leaves either the old schema or the new one.  Returns 0, or -1
 * with the reason logged (a newer schema than this program knows is an
 * error, never downgraded).
 */
int store_schema_apply(sqlite3 *db, const char *path);

/*
 * For read-only opens, which must not create anything: 0 if the database
 * is at exactly STORE_SCHEMA_VERSION, else -1 with the reason logged.
 */
int store_schema_verify(sqlite3 *db, const char *path);

#endif
