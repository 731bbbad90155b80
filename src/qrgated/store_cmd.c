/*
 * The MQTT commands executed (schema version 4), kept until each one's
 * expiry is behind the gate's time floor (gatetime.h): an executed
 * command's id is refused while the command could still be valid, across
 * restarts and clock steps too.  Commands come a few a day, so the
 * statements are prepared where used.
 */
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

/* Runs sql with ?1 = id (when not NULL) and then v bound.  Returns 1 for a
 * row, 0 for none, -1 on error (logged). */
static int
store_cmd_run(struct store *st, const char *sql, const char *id, int64_t v)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc, n = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: commands: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return -1;
	}
	if ((id != NULL && sqlite3_bind_text(s, n++, id, -1,
	    SQLITE_STATIC) != SQLITE_OK) ||
	    (sqlite3_bind_parameter_count(s) >= n &&
	    sqlite3_bind_int64(s, n, v) != SQLITE_OK)) {
		log_warnx("%s: commands: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("%s: commands: %s", store_db_name(db),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_cmd_seen(struct store *st, const char *id)
{
	/* A row past its expiry only waits for the next purge; the command's
	 * own expiry refuses it anyway. */
	return store_cmd_run(st, "SELECT 1 FROM cmd_done WHERE id = ?1", id, 0);
}

int
store_cmd_record(struct store *st, const char *id, int64_t expires_ms,
    int64_t forget_ms)
{
	if (store_cmd_run(st, "INSERT OR REPLACE INTO cmd_done (id, expires_ms)"
	    " VALUES (?1, ?2)", id, expires_ms) == -1)
		return -1;
	/* forget_ms is the caller's, never the wall clock: a clock stepped
	 * forward must not forget an id it would accept again once the
	 * clock is back. */
	return store_cmd_run(st, "DELETE FROM cmd_done WHERE expires_ms < ?1",
	    NULL, forget_ms) == -1 ? -1 : 0;
}
