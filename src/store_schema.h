/*
 * The store's schema, its migrations and the rules a credential row obeys
 * (store_credential_validate(), declared in store.h), apart from the
 * statements that use them.  The schema version lives in PRAGMA
 * user_version.
 */
#ifndef QRGATE_STORE_SCHEMA_H
#define QRGATE_STORE_SCHEMA_H

#include <sqlite3.h>

#define STORE_SCHEMA_VERSION 2

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
