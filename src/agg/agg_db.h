/*
 * The aggregator's storage: one small interface over SQLite and PostgreSQL
 * (libpq), after hostap's driver ops.  Both backends run the very same SQL
 * text: placeholders are written $1, $2 ... which PostgreSQL numbers and
 * SQLite takes as named parameters "$1", "$2", bound by name.  Only what
 * both accept is used (ON CONFLICT, partial indexes, CASE, BIGINT).
 *
 * A connection string picks the backend: "postgresql://..." or
 * "postgres://..." (anything libpq takes as a URI) is PostgreSQL;
 * "sqlite:PATH" or a bare PATH is SQLite.
 */
#ifndef QRGATE_AGG_DB_H
#define QRGATE_AGG_DB_H

#include <stdbool.h>
#include <stdint.h>

struct agg_db;

/* One bound parameter: text, or an integer when s is NULL. */
struct agg_db_arg {
	const char *s;
	int64_t i;
};

#define AGG_S(x)	((struct agg_db_arg){ .s = (x) })
#define AGG_I(x)	((struct agg_db_arg){ .s = NULL, .i = (x) })

/*
 * Called once per result row with the columns as text (NULL for SQL NULL).
 * Returns 0 to go on, anything else to stop (then returned by the query).
 */
typedef int (*agg_db_row_fn)(void *arg, int ncol, const char *const *col);

/* A backend, over its own opaque handle. */
struct agg_db_ops {
	const char *name;
	/* Whether conn names this backend. */
	bool (*match)(const char *conn);
	/* Opens; NULL with the reason logged. */
	void *(*open)(const char *conn, bool read_only);
	void (*close)(void *h);
	/*
	 * Runs one statement, calling cb per row when cb is not NULL, and
	 * sets *changes (when not NULL) to the rows an INSERT, UPDATE or
	 * DELETE touched.  0, the callback's non-zero stop value, or -1 on a
	 * database error (logged with the statement).
	 */
	int (*run)(void *h, const char *sql, const struct agg_db_arg *args,
	    int nargs, agg_db_row_fn cb, void *arg, int64_t *changes);
};

extern const struct agg_db_ops agg_db_sqlite_ops;
extern const struct agg_db_ops agg_db_pg_ops;

/*
 * Opens the database conn names and creates its schema (unless
 * read_only).  NULL with the reason logged.
 */
struct agg_db *agg_db_open(const char *conn, bool read_only);
void agg_db_close(struct agg_db *db);
/* "sqlite" or "postgresql". */
const char *agg_db_backend(const struct agg_db *db);

/* As ops->run.  A query without rows passes cb NULL. */
int agg_db_run(struct agg_db *db, const char *sql,
    const struct agg_db_arg *args, int nargs, agg_db_row_fn cb, void *arg,
    int64_t *changes);

/* The first column of the first row as an integer: 1 found, 0 no row, -1. */
int agg_db_int(struct agg_db *db, const char *sql,
    const struct agg_db_arg *args, int nargs, int64_t *out);

/* BEGIN, COMMIT, ROLLBACK: 0 or -1. */
int agg_db_begin(struct agg_db *db);
int agg_db_commit(struct agg_db *db);
void agg_db_rollback(struct agg_db *db);

#endif
