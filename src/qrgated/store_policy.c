/*
 * What the decision policy remembers in the store (schema version 3): the
 * highest dynamic step each credential has used (here or, over MQTT, at
 * another gate of the site), and its last grant for anti-passback.  Each runs once per scan of a known token or credential,
 * a few tens of microseconds: prepared where used, like the outbox's.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

int
store_token_step_put(struct store *st, const char *id, int64_t step,
    char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret = -1;

	/* max(): a late grant of an older step never lowers the mark. */
	if (sqlite3_prepare_v2(db, "INSERT INTO token_steps (credential_id,"
	    " step) VALUES (?1, ?2) ON CONFLICT(credential_id) DO UPDATE"
	    " SET step = max(step, excluded.step)", -1, &s,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "token step: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 2, step) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE)
		ret = 0;
	else
		snprintf(err, errlen, "token step: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}

int
store_token_step_get(struct store *st, const char *id, int64_t *step)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT step FROM token_steps"
	    " WHERE credential_id = ?1", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: token step: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*step = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		log_warnx("%s: token step: %s", store_db_name(db),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_token_step_raise(struct store *st, const char *id, uint32_t step)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret = -1;

	/*
	 * One statement, its own commit: a step from another gate is only
	 * recorded for a dynamic credential this gate holds, so a stranger's
	 * ids never fill the table, and max() never lowers the mark.
	 */
	if (sqlite3_prepare_v2(db, "INSERT INTO token_steps (credential_id,"
	    " step) SELECT id, ?2 FROM credentials WHERE id = ?1"
	    " AND kind = 'dynamic' ON CONFLICT(credential_id) DO UPDATE"
	    " SET step = max(step, excluded.step)", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: token step: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 2, step) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE)
		ret = sqlite3_changes(db) > 0 ? 1 : 0;
	else
		log_warnx("%s: token step: %s", store_db_name(db),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}

int
store_event_last_grant(struct store *st, const char *id,
    struct store_grant *out)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	const unsigned char *dir;
	int rc, d, ret = -1;

	/*
	 * Walks the credential's rows newest first on the (credential_id,
	 * seq) index.  A way released but not used ('not-passed') is no
	 * passage: the holder is still on the side they were.
	 */
	if (sqlite3_prepare_v2(db, "SELECT seq, ts_ms, direction FROM events"
	    " WHERE credential_id = ?1 AND type = 'scan'"
	    " AND result = 'granted' AND passage != 'not-passed'"
	    " ORDER BY seq DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: last grant: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		dir = sqlite3_column_text(s, 2);
		d = dir != NULL ? direction_from_name((const char *)dir) : -1;
		if (d == -1)
			log_warnx("%s: last grant: event %lld has no direction"
			    " this program knows", store_db_name(db),
			    (long long)sqlite3_column_int64(s, 0));
		else {
			out->seq = sqlite3_column_int64(s, 0);
			out->ts_ms = sqlite3_column_int64(s, 1);
			out->direction = d;
			ret = 1;
		}
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else
		log_warnx("%s: last grant: %s", store_db_name(db),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}
