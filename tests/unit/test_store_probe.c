/*
 * store_probe() and store_set_aside(): what qrgated does with a database
 * it cannot read at start.  The probe tells a file SQLite finds is not a
 * database or corrupt (1) from one it cannot open at all (-1: a fault of
 * the install, left alone), and changes nothing; set aside moves the
 * file with its -wal and -shm under one new name, never over an earlier
 * one, and deletes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store_fixture.h"
#include "store_private.h"

/* Writes text to path, replacing it. */
static void
file_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The bytes of path into buf (at most len - 1), NUL-terminated; -1: none. */
static long
file_get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

static bool
file_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* A sound database with rows on many pages, its WAL folded in. */
static void
db_make(const char *path, int rows)
{
	struct store *st = store_open(path, STORE_SYNC_NORMAL, false);
	char sql[512];

	assert_non_null(st);
	assert_int_equal(sqlite3_exec(store_db(st), "BEGIN", NULL, NULL,
	    NULL), SQLITE_OK);
	for (int i = 0; i < rows; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO events (event_id,"
		    " ts_ms, gate, lane, direction, type, kind, credential_id,"
		    " subject, result, reason, passage, decode_us, latency_us,"
		    " payload_hash) VALUES ('%032d', %d, 'g', '1', 'entry',"
		    " 'scan', 'badge', 'B-%d', 'W-0***', 'granted', 'ok',"
		    " 'passed', 1, 1, '')", i, i, i);
		assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL,
		    NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_exec(store_db(st), "COMMIT;"
	    " PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), SQLITE_OK);
	store_close(st);
}

static void
test_probe_sound(void **state)
{
	struct store_fx *fx = *state;
	char err[512] = "";

	db_make(fx->db, 10);
	assert_int_equal(store_probe(fx->db, err, sizeof(err)), 0);
}

/* Garbage where the database was: 1, "file is not a database". */
static void
test_probe_not_a_database(void **state)
{
	static const char garbage[] = "not a database, but evidence\n";
	struct store_fx *fx = *state;
	char err[512] = "", buf[128];

	file_put(fx->db, garbage);
	assert_int_equal(store_probe(fx->db, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "file is not a database"));
	assert_int_equal(file_get(fx->db, buf, sizeof(buf)),
	    (long)strlen(garbage));
	assert_string_equal(buf, garbage);
}

/*
 * A data page overwritten, the header and schema sound: the open itself
 * succeeds, only reading the whole file finds it (the gate probes only
 * once its start failed, see gate_store_open()).
 */
static void
test_probe_corrupt_page(void **state)
{
	struct store_fx *fx = *state;
	struct store *st;
	char err[512] = "", junk[4096];
	struct stat sb;
	FILE *f;
	long pages;

	db_make(fx->db, 3000);
	assert_int_equal(stat(fx->db, &sb), 0);
	pages = sb.st_size / 4096;
	assert_true(pages > 20);
	memset(junk, 0xa5, sizeof(junk));
	assert_non_null(f = fopen(fx->db, "r+"));
	assert_int_equal(fseek(f, (pages / 2) * 4096L, SEEK_SET), 0);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	assert_int_equal(fclose(f), 0);

	assert_non_null(st = store_open(fx->db, STORE_SYNC_NORMAL, true));
	store_close(st);
	assert_int_equal(store_probe(fx->db, err, sizeof(err)), 1);
	assert_non_null(strstr(err, fx->db));
}

/* The header sound, the schema after it garbage: SQLITE_CORRUPT ("database
 * disk image is malformed") as soon as the schema is read. */
static void
test_probe_corrupt_schema(void **state)
{
	struct store_fx *fx = *state;
	char err[512] = "", junk[4096 - 100];
	FILE *f;

	db_make(fx->db, 10);
	memset(junk, 0xa5, sizeof(junk));
	assert_non_null(f = fopen(fx->db, "r+"));
	assert_int_equal(fseek(f, 100, SEEK_SET), 0);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(store_probe(fx->db, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "malformed"));
}

/* No file, no directory, a directory: -1, the system's reason, nothing
 * made. */
static void
test_probe_install_faults(void **state)
{
	struct store_fx *fx = *state;
	char err[512] = "", path[PATH_MAX + 16];

	assert_int_equal(store_probe(fx->db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_false(file_exists(fx->db));
	snprintf(path, sizeof(path), "%s/nowhere/gate.db", fx->dir);
	assert_int_equal(store_probe(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(mkdir(fx->db, 0700), 0);
	assert_int_equal(store_probe(fx->db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(rmdir(fx->db), 0);
}

/* The database, -wal and -shm under one new name each with its suffix;
 * nothing left under the old name, nothing lost. */
static void
test_set_aside(void **state)
{
	struct store_fx *fx = *state;
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char aside[PATH_MAX], from[PATH_MAX + 8], to[PATH_MAX + 8];
	char buf[64];
	const char *stamp;

	for (int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s%s", fx->db, sfx[i]);
		file_put(from, sfx[i][0] != '\0' ? sfx[i] : "db");
	}
	assert_int_equal(store_set_aside(fx->db, time(NULL), aside,
	    sizeof(aside)), 0);
	assert_int_equal(strncmp(aside, fx->db, strlen(fx->db)), 0);
	stamp = aside + strlen(fx->db);
	assert_int_equal(strncmp(stamp, ".unreadable-", 12), 0);
	stamp += 12;
	assert_int_equal(strlen(stamp), 16);
	assert_int_equal(strspn(stamp, "0123456789"), 8);
	assert_int_equal(stamp[8], 'T');
	assert_int_equal(strspn(stamp + 9, "0123456789"), 6);
	assert_int_equal(stamp[15], 'Z');
	for (int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s%s", fx->db, sfx[i]);
		snprintf(to, sizeof(to), "%s%s", aside, sfx[i]);
		assert_false(file_exists(from));
		assert_true(file_get(to, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, sfx[i][0] != '\0' ? sfx[i] : "db");
	}
}

/*
 * An earlier copy under the name it would take is never renamed over:
 * -1, and the database stays where it is.
 */
static void
test_set_aside_never_over(void **state)
{
	struct store_fx *fx = *state;
	char aside[PATH_MAX], name[PATH_MAX], buf[64];
	time_t now = time(NULL);

	assert_int_equal(store_aside_name(fx->db, now, name, sizeof(name)), 0);
	file_put(name, "earlier");
	file_put(fx->db, "now");
	assert_int_equal(store_set_aside(fx->db, now, aside,
	    sizeof(aside)), -1);
	assert_true(file_get(fx->db, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "now");
	assert_true(file_get(name, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "earlier");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, store_fx_setup, \
    store_fx_teardown)
		T(test_probe_sound),
		T(test_probe_not_a_database),
		T(test_probe_corrupt_page),
		T(test_probe_corrupt_schema),
		T(test_probe_install_faults),
		T(test_set_aside),
		T(test_set_aside_never_over),
#undef T
	};

	log_init("test_store_probe", LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
