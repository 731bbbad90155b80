/*
 * The SQLite backend: one connection in WAL mode, so the CLI reads while
 * the daemon writes.  Statements are prepared once and kept by the
 * address of their SQL text, which is always a constant of the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "agg_db.h"
#include "log.h"
#include "util.h"

#define SQLITE_CACHE 48

struct agg_sqlite {
	sqlite3 *db;
	const char *cache_sql[SQLITE_CACHE];
	sqlite3_stmt *cache_stmt[SQLITE_CACHE];
};

static bool
agg_sqlite_match(const char *conn)
{
	/* Whatever is not a URI of another backend is a path. */
	return strstr(conn, "://") == NULL;
}

static const char *
agg_sqlite_path(const char *conn)
{
	return strncmp(conn, "sqlite:", 7) == 0 ? conn + 7 : conn;
}

static void
agg_sqlite_close(void *h)
{
	struct agg_sqlite *s = h;

	if (s == NULL)
		return;
	for (int i = 0; i < SQLITE_CACHE; i++)
		sqlite3_finalize(s->cache_stmt[i]);
	sqlite3_close(s->db);
	free(s);
}

static void *
agg_sqlite_open(const char *conn, bool read_only)
{
	const char *path = agg_sqlite_path(conn);
	struct agg_sqlite *s;
	int flags = read_only ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	char *err = NULL;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("db");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		log_warnx("db: %s: %s", path, s->db != NULL ?
		    sqlite3_errmsg(s->db) : "out of memory");
		agg_sqlite_close(s);
		return NULL;
	}
	/*
	 * The CLI may read while the daemon commits: a reader waits a
	 * moment for the writer rather than fail at once.
	 */
	sqlite3_busy_timeout(s->db, 5000);
	if (!read_only && sqlite3_exec(s->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;", NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("db: %s: %s", path, err);
		sqlite3_free(err);
		agg_sqlite_close(s);
		return NULL;
	}
	return s;
}

static sqlite3_stmt *
agg_sqlite_prepare(struct agg_sqlite *s, const char *sql)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < SQLITE_CACHE && s->cache_sql[i] != NULL; i++)
		if (s->cache_sql[i] == sql)
			return s->cache_stmt[i];
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("db: %s: %s", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	if (i < SQLITE_CACHE) {
		s->cache_sql[i] = sql;
		s->cache_stmt[i] = st;
	}
	return st;
}

static int
agg_sqlite_run(void *h, const char *sql, const struct agg_db_arg *args,
    int nargs, agg_db_row_fn cb, void *arg, int64_t *changes)
{
	struct agg_sqlite *s = h;
	const char *col[32];
	sqlite3_stmt *st;
	bool cached;
	char name[16];
	int rc, stop = 0, n, idx;

	if ((st = agg_sqlite_prepare(s, sql)) == NULL)
		return -1;
	cached = false;
	for (int i = 0; i < SQLITE_CACHE; i++)
		if (s->cache_stmt[i] == st)
			cached = true;
	for (int i = 0; i < nargs; i++) {
		snprintf(name, sizeof(name), "$%d", i + 1);
		if ((idx = sqlite3_bind_parameter_index(st, name)) == 0)
			continue;	/* not used by this statement */
		if (args[i].s != NULL)
			rc = sqlite3_bind_text(st, idx, args[i].s, -1,
			    SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_int64(st, idx, args[i].i);
		if (rc != SQLITE_OK) {
			log_warnx("db: bind: %s", sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cb == NULL || stop != 0)
			continue;
		n = sqlite3_column_count(st);
		if (n > (int)nitems(col))
			n = nitems(col);
		for (int i = 0; i < n; i++)
			col[i] = (const char *)sqlite3_column_text(st, i);
		if ((stop = cb(arg, n, col)) != 0)
			break;
	}
	if (stop == 0 && rc != SQLITE_DONE) {
		log_warnx("db: %s: %s", sqlite3_errmsg(s->db), sql);
		goto fail;
	}
	if (changes != NULL)
		*changes = sqlite3_changes(s->db);
	if (cached) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else
		sqlite3_finalize(st);
	return stop;
fail:
	if (cached) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else
		sqlite3_finalize(st);
	return -1;
}

const struct agg_db_ops agg_db_sqlite_ops = {
	.name = "sqlite",
	.match = agg_sqlite_match,
	.open = agg_sqlite_open,
	.close = agg_sqlite_close,
	.run = agg_sqlite_run,
};
