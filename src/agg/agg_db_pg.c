/*
 * The PostgreSQL backend (libpq): one connection, statements prepared once
 * by the address of their SQL text, parameters sent as text.  Calls wait
 * for the server, so a database on the same LAN is assumed: every
 * statement is one index lookup or one row.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "agg_db.h"
#include "log.h"
#include "util.h"

#define PG_CACHE 48
#define PG_ARGS 24

struct agg_pg {
	PGconn *conn;
	const char *cache_sql[PG_CACHE];
};

static bool
agg_pg_match(const char *conn)
{
	return strncmp(conn, "postgresql://", 13) == 0 ||
	    strncmp(conn, "postgres://", 11) == 0;
}

/* "relation already exists, skipping" is no news. */
static void
agg_pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void
agg_pg_close(void *h)
{
	struct agg_pg *p = h;

	if (p == NULL)
		return;
	PQfinish(p->conn);
	free(p);
}

static void *
agg_pg_open(const char *conn, bool read_only)
{
	struct agg_pg *p;
	PGresult *r;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warn("db");
		return NULL;
	}
	p->conn = PQconnectdb(conn);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		log_warnx("db: postgresql: %s", PQerrorMessage(p->conn));
		agg_pg_close(p);
		return NULL;
	}
	PQsetNoticeProcessor(p->conn, agg_pg_notice, NULL);
	if (read_only) {
		r = PQexec(p->conn, "SET default_transaction_read_only = on");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_warnx("db: postgresql: %s",
			    PQerrorMessage(p->conn));
			PQclear(r);
			agg_pg_close(p);
			return NULL;
		}
		PQclear(r);
	}
	return p;
}

/* The cached statement's name, preparing it the first time; NULL: run it
 * unprepared (the cache is full). */
static int
agg_pg_prepare(struct agg_pg *p, const char *sql, char *name, size_t len)
{
	PGresult *r;
	int i;

	for (i = 0; i < PG_CACHE && p->cache_sql[i] != NULL; i++)
		if (p->cache_sql[i] == sql) {
			snprintf(name, len, "qg%d", i);
			return 1;
		}
	if (i == PG_CACHE)
		return 0;
	snprintf(name, len, "qg%d", i);
	r = PQprepare(p->conn, name, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_warnx("db: postgresql: %s: %s",
		    PQresultErrorMessage(r), sql);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	p->cache_sql[i] = sql;
	return 1;
}

static int
agg_pg_run(void *h, const char *sql, const struct agg_db_arg *args,
    int nargs, agg_db_row_fn cb, void *arg, int64_t *changes)
{
	struct agg_pg *p = h;
	char num[PG_ARGS][24], name[16];
	const char *val[PG_ARGS], *col[32];
	PGresult *r;
	ExecStatusType st;
	int prepared, stop = 0, rows, n;

	/*
	 * A server restarted, or a connection cut: connect again (the
	 * prepared statements went with the old session).
	 */
	if (PQstatus(p->conn) != CONNECTION_OK) {
		PQreset(p->conn);
		if (PQstatus(p->conn) != CONNECTION_OK) {
			log_warnx("db: postgresql: %s", PQerrorMessage(p->conn));
			return -1;
		}
		memset(p->cache_sql, 0, sizeof(p->cache_sql));
		log_info("db: postgresql: connected again");
	}
	if (nargs > PG_ARGS) {
		log_warnx("db: %d parameters: at most %d", nargs, PG_ARGS);
		return -1;
	}
	for (int i = 0; i < nargs; i++) {
		if (args[i].s != NULL)
			val[i] = args[i].s;
		else {
			snprintf(num[i], sizeof(num[i]), "%" PRId64,
			    args[i].i);
			val[i] = num[i];
		}
	}
	/* Transaction control is not worth a prepared statement. */
	if (nargs == 0 && cb == NULL)
		prepared = 0;
	else if ((prepared = agg_pg_prepare(p, sql, name,
	    sizeof(name))) == -1)
		return -1;
	if (prepared)
		r = PQexecPrepared(p->conn, name, nargs, val, NULL, NULL, 0);
	else
		r = PQexecParams(p->conn, sql, nargs, NULL, val, NULL, NULL,
		    0);
	st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		log_warnx("db: postgresql: %s: %s", PQresultErrorMessage(r),
		    sql);
		PQclear(r);
		return -1;
	}
	rows = PQntuples(r);
	n = PQnfields(r);
	if (n > (int)nitems(col))
		n = nitems(col);
	for (int i = 0; cb != NULL && i < rows && stop == 0; i++) {
		for (int j = 0; j < n; j++)
			col[j] = PQgetisnull(r, i, j) ? NULL :
			    PQgetvalue(r, i, j);
		stop = cb(arg, n, col);
	}
	if (changes != NULL) {
		const char *t = PQcmdTuples(r);

		*changes = t[0] != '\0' ? strtoll(t, NULL, 10) : 0;
	}
	PQclear(r);
	return stop;
}

const struct agg_db_ops agg_db_pg_ops = {
	.name = "postgresql",
	.match = agg_pg_match,
	.open = agg_pg_open,
	.close = agg_pg_close,
	.run = agg_pg_run,
};
