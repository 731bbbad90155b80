/*
 * How long a large credential snapshot holds the gate: N credentials (by
 * default 100,000) in C chunks (10), first through inbound_credentials_set()
 * as MQTT hands them over (JSON parse, checks, one staging transaction per
 * chunk), then at the store level alone: each chunk's transaction (the
 * write lock held), the swap's and the drop of the replaced set that
 * follows it.  The baseline, in the same run on the
 * same disk, is the plain way: delete every row and insert the new list in
 * one transaction, which holds the lock (and the event loop) for the whole
 * list.  Prints figures, never passes or fails.
 *
 *	bench_creds [N [C]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "log.h"
#include "loop.h"
#include "store_private.h"
#include "store_sync.h"
#include "util.h"

static char *
chunk_json(int64_t version, int chunk, int chunks, int from, int to,
    size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (f == NULL)
		return NULL;
	fprintf(f, "{\"version\": %lld, \"chunk\": %d, \"chunks\": %d, "
	    "\"credentials\": [", (long long)version, chunk, chunks);
	for (int i = from; i < to; i++)
		fprintf(f, "%s{\"id\": \"C%07d\", \"kind\": \"cccd\", "
		    "\"subject\": \"%012lld\", \"name\": \"Nguyen Van %d\", "
		    "\"valid_from\": \"2024-01-01\", \"valid_until\": "
		    "1893456000000, \"status\": \"active\", \"lanes\": \"*\"}",
		    i > from ? ", " : "", i, (long long)version * 1000000000LL + i,
		    i);
	fprintf(f, "]}");
	if (fclose(f) != 0)
		return NULL;
	*len = n;
	return buf;
}

static void
cred_fill(struct credential *c, int64_t version, int i)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "C%07d", i);
	c->kind = CRED_CCCD;
	snprintf(c->subject, sizeof(c->subject), "%012lld",
	    (long long)version * 1000000000LL + i);
	snprintf(c->name, sizeof(c->name), "Nguyen Van %d", i);
	c->valid_until_ms = 1893456000000LL;
	strcpy(c->lanes, "*");
}

static double
ms_since(int64_t t0)
{
	return (clock_mono_ns() - t0) / 1e6;
}

/* Dropping the set a swap replaced: a loop callback of its own. */
static int
bench_cleanup(struct store *st, int n)
{
	int64_t t0 = clock_mono_ns();

	if (store_sync_cleanup(st) == -1)
		return -1;
	printf("cleanup: the replaced %d rows dropped in %.1f ms\n", n,
	    ms_since(t0));
	return 0;
}

/* Through the MQTT handler: chunk by chunk, the last one swapping. */
static int
bench_handler(struct store *st, struct loop *l, int n, int chunks)
{
	struct gate g;
	double worst = 0, total = 0;
	int per = (n + chunks - 1) / chunks;

	memset(&g, 0, sizeof(g));
	g.store = st;
	g.loop = l;
	for (int k = chunks - 1; k >= 0; k--) {
		size_t len;
		int from = k * per, to = from + per > n ? n : from + per;
		char *doc = chunk_json(2, k, chunks, from, to, &len);
		json_t *res;
		int64_t t0;
		double ms;

		if (doc == NULL)
			return -1;
		t0 = clock_mono_ns();
		res = inbound_credentials_set(&g, (const uint8_t *)doc, len);
		ms = ms_since(t0);
		if (!json_is_true(json_object_get(res, "ok"))) {
			char *s = json_dumps(res, 0);

			fprintf(stderr, "bench_creds: chunk %d: %s\n", k, s);
			return -1;
		}
		printf("handler chunk %2d: %6d rows, %6.2f MB JSON, %7.1f ms%s\n",
		    k, to - from, len / 1e6, ms, k == 0 ? " (with the swap)" : "");
		total += ms;
		if (ms > worst)
			worst = ms;
		json_decref(res);
		free(doc);
	}
	printf("handler: %d credentials in %d chunks: %.0f ms in all, the "
	    "longest pause of the event loop %.1f ms\n", n, chunks, total, worst);
	/* The loop would drop the replaced set a moment later. */
	inbound_close(&g);
	return bench_cleanup(st, n);
}

static void
bench_refused(void *arg, enum sync_op op, size_t index, const char *msg)
{
	(void)arg;
	(void)op;
	fprintf(stderr, "bench_creds: row %zu: %s\n", index, msg);
}

/* The store level alone: each chunk's transaction, then the swap's. */
static int
bench_store(struct store *st, int n, int chunks)
{
	struct credential *c = calloc((size_t)n, sizeof(*c));
	int per = (n + chunks - 1) / chunks;
	double worst = 0, total = 0;
	int64_t rows, lock_us, t0;

	if (c == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		cred_fill(&c[i], 3, i);
	for (int k = 0; k < chunks; k++) {
		int from = k * per, to = from + per > n ? n : from + per;
		double ms;

		t0 = clock_mono_ns();
		if (store_sync_chunk_put(st, 3, chunks, k, c + from,
		    (size_t)(to - from), bench_refused, NULL) == -1)
			return -1;
		ms = ms_since(t0);
		total += ms;
		if (ms > worst)
			worst = ms;
	}
	printf("store stage: %d chunks of %d rows: mean %.1f ms, longest %.1f "
	    "ms per transaction\n", chunks, per, total / chunks, worst);
	if (store_sync_swap(st, 3, &rows, &lock_us) == -1)
		return -1;
	printf("store swap: %lld rows: the write lock held %.1f ms (two "
	    "renames and the commit)\n", (long long)rows, lock_us / 1000.0);
	free(c);
	return bench_cleanup(st, n);
}

/* The baseline: replace every row in one transaction. */
static int
bench_baseline(struct store *st, int n)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	struct credential c;
	int64_t t0 = clock_mono_ns();

	if (sqlite3_exec(db, "BEGIN IMMEDIATE; DELETE FROM credentials;", NULL,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO credentials (id, kind, subject,"
	    " name, valid_from, valid_until, status, lanes) VALUES (?1, 'cccd',"
	    " ?2, ?3, 0, ?4, 'active', '*')", -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < n; i++) {
		cred_fill(&c, 4, i);
		sqlite3_bind_text(s, 1, c.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, c.subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, c.name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, c.valid_until_ms);
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	printf("baseline: delete all + insert %d rows in one transaction: the "
	    "write lock held %.1f ms\n", n, ms_since(t0));
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const files[] = {
		"gate.db", "gate.db-wal", "gate.db-shm",
	};
	char dir[] = "/tmp/qrgate-bench.XXXXXX", path[300];
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	int chunks = argc > 2 ? atoi(argv[2]) : 10;
	struct store *st;
	struct loop loop;
	int rc = 1;

	log_init("bench_creds", LOG_LVL_WARN);
	if (n <= 0 || chunks <= 0 || chunks > n || mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/gate.db", dir);
	if (loop_init(&loop) == -1 ||
	    (st = store_open(path, STORE_SYNC_FULL, false)) == NULL ||
	    store_sync_init(st) == -1)
		return 1;
	/* A live set to replace, as on a gate in service. */
	if (bench_baseline(st, n) == 0 && bench_handler(st, &loop, n, chunks) == 0 &&
	    bench_store(st, n, chunks) == 0 && bench_baseline(st, n) == 0)
		rc = 0;
	store_close(st);
	loop_done(&loop);
	for (size_t i = 0; i < nitems(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}
