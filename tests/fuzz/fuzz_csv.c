/*
 * store_credential_import_csv(): the credential list IT hands over as a
 * CSV file (qrgatectl cred import), into a real SQLite store that holds
 * a few credentials already (config/demo-credentials.csv).  An import is
 * every row or none: when it fails, nothing may have been committed
 * (PRAGMA data_version on a second connection says), and its error must
 * name the file and line.  After an import that changed the store, the
 * store is made again, so that every input meets the same one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "fuzz.h"

#define FUZZ_CSV_NAME	"creds.csv"

static char db_path[PATH_MAX], seed_csv[PATH_MAX];
static struct store *st;
static sqlite3 *watch;
static int version0;

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
store_make(void)
{
	char err[320];
	FILE *f;

	fuzz_dir_clear();
	if ((st = store_open(db_path, STORE_SYNC_NORMAL, false)) == NULL ||
	    (f = fopen(seed_csv, "r")) == NULL)
		abort();
	if (store_credential_import_csv(st, f, seed_csv, err, sizeof(err)) <
	    1) {
		fprintf(stderr, "fuzz csv: %s\n", err);
		abort();
	}
	fclose(f);
	if (sqlite3_open_v2(db_path, &watch, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		abort();
	version0 = data_version();
}

static void
store_unmake(void)
{
	sqlite3_close(watch);
	watch = NULL;
	store_close(st);
	st = NULL;
}

static void
fuzz_csv_exit(void)
{
	store_unmake();
	fuzz_dir_remove();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *src = getenv("QRGATE_SRCDIR");

	(void)argc;
	(void)argv;
	if (src == NULL || *src == '\0')
		src = FUZZ_SRCDIR;
	snprintf(seed_csv, sizeof(seed_csv), "%s/config/demo-credentials.csv",
	    src);
	fuzz_log_quiet();
	fuzz_dir_make("fuzz-csv");
	fuzz_path(db_path, sizeof(db_path), "store.db");
	store_make();
	atexit(fuzz_csv_exit);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char err[320];
	FILE *f;
	int n;

	/* glibc's fmemopen() refuses an empty buffer. */
	if (len == 0)
		return 0;
	if ((f = fmemopen((void *)data, len, "r")) == NULL)
		abort();
	err[0] = '\0';
	n = store_credential_import_csv(st, f, FUZZ_CSV_NAME, err,
	    sizeof(err));
	fclose(f);
	if (n == -1) {
		if (strncmp(err, FUZZ_CSV_NAME ":", strlen(FUZZ_CSV_NAME ":")) !=
		    0 || data_version() != version0)
			abort();
		return 0;
	}
	if (n < 0)
		abort();
	if (data_version() != version0) {
		store_unmake();
		store_make();
	}
	return 0;
}
