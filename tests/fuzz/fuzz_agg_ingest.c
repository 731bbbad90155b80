/*
 * agg_ingest_message(): what the site aggregator takes from every gate's
 * events, status and alarm topics, into a real SQLite database (the
 * aggregator's sqlite: backend).  The first byte picks the topic (0
 * events, 1 status, 2 alarm) and, with bit 2, a retained message; the
 * rest is the payload, on the topic of site1/gate1.  After an input that
 * committed anything the database is put back (a copy of the empty one,
 * made once), so that every input meets the same one; the clock is pinned (fuzz-ldflags) so that ages
 * and staleness mean the same in every run.
 */
// fuzz-ldflags: -Wl,--wrap=clock_utc_ms
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "agg.h"
#include "clock.h"
#include "fuzz.h"

/* 2026-01-01T00:00:00Z. */
#define FUZZ_NOW_MS	1767225600000LL

static struct loop loop;
static struct agg agg;
static char db_path[PATH_MAX];
static uint8_t *db0;		/* the empty database, schema made */
static size_t db0_len;
static sqlite3 *watch;
static int version0;

int64_t __wrap_clock_utc_ms(void);

int64_t
__wrap_clock_utc_ms(void)
{
	return FUZZ_NOW_MS;
}

static int
data_version(void)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(watch, "PRAGMA data_version", -1, &s, NULL) !=
	    SQLITE_OK)
		abort();
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v == -1)
		abort();
	return v;
}

static void
agg_make(void)
{
	fuzz_dir_clear();
	if (db0 != NULL)
		fuzz_file_write(db_path, db0, db0_len);
	memset(&agg.stats, 0, sizeof(agg.stats));
	agg.headcount_dirty = false;
	if ((agg.db = agg_db_open(agg.cfg.db, false)) == NULL ||
	    sqlite3_open_v2(db_path, &watch, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		abort();
	version0 = data_version();
}

static void
agg_unmake(void)
{
	sqlite3_close(watch);
	watch = NULL;
	agg_db_close(agg.db);
	agg.db = NULL;
}

static void
fuzz_agg_exit(void)
{
	agg_unmake();
	loop_done(&loop);
	fuzz_dir_remove();
	free(db0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	if (clock_utc_ms() != FUZZ_NOW_MS) {
		fprintf(stderr, "fuzz agg: not linked with --wrap\n");
		abort();
	}
	fuzz_dir_make("fuzz-agg");
	fuzz_path(db_path, sizeof(db_path), "agg.db");
	agg_config_defaults(&agg.cfg);
	snprintf(agg.cfg.db, sizeof(agg.cfg.db), "sqlite:%s", db_path);
	if (loop_init(&loop) == -1)
		abort();
	agg.loop = &loop;
	agg_make();
	agg_unmake();
	db0 = fuzz_file_read(db_path, &db0_len);
	agg_make();
	atexit(fuzz_agg_exit);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 1)
		return 0;
	if (agg_ingest_message(&agg, (enum agg_topic)(data[0] % 3), "site1",
	    "gate1", (const char *)data + 1, len - 1, (data[0] & 4) != 0) != 0)
		abort();	/* a database error on a healthy database */
	if (agg.headcount_dirty || data_version() != version0) {
		agg_unmake();
		agg_make();
	}
	return 0;
}
