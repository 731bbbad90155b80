/*
 * The outbox table's statements.  They run rarely enough (a batch of rows
 * per round trip to the broker) to be prepared where they are used.
 */
#include "store_outbox.h"

#include <sqlite3.h>
#include <stdio.h>

#include "log.h"
#include "store_private.h"

static sqlite3_stmt *
store_outbox_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: outbox: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		return NULL;
	}
	return s;
}

int
store_outbox_add(struct store *st, int64_t seq, int rev, char *err,
    size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret = -1;

	/* One statement decides and inserts: no room, no row. */
	if (sqlite3_prepare_v2(db, "INSERT INTO outbox (seq, rev)"
	    " SELECT ?1, ?2 FROM outbox_meta WHERE depth < max", -1, &s,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_bind_int64(s, 1, seq) == SQLITE_OK &&
	    sqlite3_bind_int(s, 2, rev) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE)
		ret = sqlite3_changes(db) > 0 ? 1 : 0;
	else
		snprintf(err, errlen, "outbox: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}

int
store_outbox_set_max(struct store *st, int64_t max)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret = -1;

	if ((s = store_outbox_prepare(db,
	    "UPDATE outbox_meta SET max = ?1")) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 1, max < 0 ? 0 : max) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE)
		ret = 0;
	else
		log_warnx("%s: outbox: %s", store_db_name(db),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}

int
store_outbox_depth(struct store *st, int64_t *depth, int64_t *max)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret = -1;

	if ((s = store_outbox_prepare(db,
	    "SELECT depth, max FROM outbox_meta")) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*depth = sqlite3_column_int64(s, 0);
		*max = sqlite3_column_int64(s, 1);
		ret = 0;
	} else
		log_warnx("%s: outbox: %s", store_db_name(db),
		    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return ret;
}

int
store_outbox_next(struct store *st, int64_t after_id, int max,
    int (*cb)(int64_t id, int rev, const struct event *ev, void *arg),
    void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	struct event ev;
	int rc, n = 0;

	if ((s = store_outbox_prepare(db, "SELECT id, seq, rev FROM outbox"
	    " WHERE id > ?1 ORDER BY id LIMIT ?2")) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 1, after_id) != SQLITE_OK ||
	    sqlite3_bind_int(s, 2, max) != SQLITE_OK) {
		sqlite3_finalize(s);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int found = store_event_get(st, sqlite3_column_int64(s, 1), &ev);

		if (found == -1)
			break;
		n++;
		if (cb(id, sqlite3_column_int(s, 2), found == 1 ? &ev : NULL,
		    arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		log_warnx("%s: outbox: %s", store_db_name(db),
		    sqlite3_errmsg(db));
		n = -1;
	}
	sqlite3_finalize(s);
	return n;
}

int
store_outbox_delete(struct store *st, const int64_t *ids, int n)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int i;

	if (n <= 0)
		return 0;
	if ((s = store_outbox_prepare(db,
	    "DELETE FROM outbox WHERE id = ?1")) == NULL)
		return -1;
	/* One transaction, one sync, for the whole batch. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if (sqlite3_bind_int64(s, 1, ids[i]) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		s = NULL;
		goto fail;
	}
	return 0;
fail:
	log_warnx("%s: outbox: delete: %s", store_db_name(db),
	    sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
