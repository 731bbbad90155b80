/*
 * gate_meta (schema version 5): one integer per key, for what the gate
 * must remember about itself across restarts, such as its time floor
 * (gatetime.h).  Written once a minute at most, so the statements are
 * prepared where used.
 */
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

int
store_meta_get(struct store *st, const char *key, int64_t *value)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT value FROM gate_meta WHERE key = ?1",
	    -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: gate_meta: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
		log_warnx("%s: gate_meta: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*value = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		log_warnx("%s: gate_meta: %s: %s", store_db_name(db),
		    key, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_meta_set(struct store *st, const char *key, int64_t value)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO gate_meta (key, value)"
	    " VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
	    -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: gate_meta: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, value) != SQLITE_OK) {
		log_warnx("%s: gate_meta: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		log_warnx("%s: gate_meta: %s: %s", store_db_name(db),
		    key, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
