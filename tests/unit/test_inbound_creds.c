/*
 * Credential snapshots and patches (inbound_credentials_set/_patch) against
 * a real gate and a real SQLite file: chunks in any order, the atomic swap
 * seen through the store's own lookup, interrupted, superseded and bad
 * snapshots, restarts, and a 100,000-credential list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "inbound.h"
#include "keyfile.h"
#include "store_private.h"
#include "store_sync.h"

#include "gate_fixture.h"
#include "util.h"

/*
 * One chunk of a snapshot of badges: rows [from, to), ids "C<n>",
 * subjects "<tag><n>", so that two snapshots with different tags share
 * their ids but not their cards.  A malloc'd string.
 */
static char *
chunk_json(int64_t version, int chunk, int chunks, const char *tag, int from,
    int to, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	fprintf(f, "{\"version\": %lld, \"chunk\": %d, \"chunks\": %d, "
	    "\"credentials\": [", (long long)version, chunk, chunks);
	for (int i = from; i < to; i++)
		fprintf(f, "%s{\"id\": \"C%d\", \"kind\": \"badge\", "
		    "\"subject\": \"%s%d\", \"name\": \"Person %d\", "
		    "\"valid_from\": 0, \"valid_until\": \"2099-01-01\", "
		    "\"status\": \"active\", \"lanes\": \"*\"}",
		    i > from ? ", " : "", i, tag, i, i);
	fprintf(f, "]}");
	assert_int_equal(fclose(f), 0);
	*len = n;
	return buf;
}

static json_t *
send_chunk(struct gate_fx *fx, int64_t version, int chunk, int chunks,
    const char *tag, int from, int to)
{
	size_t len;
	char *doc = chunk_json(version, chunk, chunks, tag, from, to, &len);
	json_t *res = inbound_credentials_set(&fx->gate, (const uint8_t *)doc,
	    len);

	free(doc);
	assert_non_null(res);
	return res;
}

static json_t *
send_text(struct gate_fx *fx, bool patch, const char *doc)
{
	json_t *res = (patch ? inbound_credentials_patch :
	    inbound_credentials_set)(&fx->gate, (const uint8_t *)doc,
	    strlen(doc));

	assert_non_null(res);
	return res;
}

static bool
res_ok(const json_t *res)
{
	return json_is_true(json_object_get(res, "ok"));
}

static const char *
res_ignored(const json_t *res)
{
	const char *s = json_string_value(json_object_get(res, "ignored"));

	return s != NULL ? s : "";
}

static json_int_t
res_int(const json_t *res, const char *name)
{
	return json_integer_value(json_object_get(res, name));
}

/* Asserts res is ok, then frees it. */
static void
ok(json_t *res)
{
	if (!res_ok(res)) {
		char *s = json_dumps(res, 0);

		fail_msg("not ok: %s", s);
	}
	json_decref(res);
}

/* The error of res at index i that names row index (and chunk), or NULL. */
static const char *
res_row_error(const json_t *res, const char *op, int chunk, int index)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(res, "errors"), i, e) {
		if (json_integer_value(json_object_get(e, "index")) != index ||
		    !json_is_integer(json_object_get(e, "index")))
			continue;
		if (chunk >= 0 &&
		    json_integer_value(json_object_get(e, "chunk")) != chunk)
			continue;
		if (op != NULL && (json_string_value(json_object_get(e, "op")) ==
		    NULL || strcmp(json_string_value(json_object_get(e, "op")),
		    op) != 0))
			continue;
		return json_string_value(json_object_get(e, "error"));
	}
	return NULL;
}

/* 1 when the badge subject is a credential in the live set. */
static int
find(struct gate_fx *fx, const char *subject)
{
	struct credential c;

	return store_credential_find(fx->gate.store, CRED_BADGE, subject, &c);
}

static int64_t
count(struct gate_fx *fx, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(fx->gate.store), sql, -1,
	    &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static bool
staging_exists(struct gate_fx *fx)
{
	return count(fx, "SELECT count(*) FROM sqlite_master WHERE"
	    " name = 'credentials_staging'") == 1;
}

static bool
old_set_exists(struct gate_fx *fx)
{
	return count(fx, "SELECT count(*) FROM sqlite_master WHERE"
	    " name = 'credentials_old'") == 1;
}

/* Version 1: C0..C(n-1) as A0..A(n-1). */
static void
install_v1(struct gate_fx *fx, int n)
{
	json_t *res = send_chunk(fx, 1, 0, 1, "A", 0, n);

	assert_true(res_ok(res));
	assert_int_equal(res_int(res, "applied"), n);
	json_decref(res);
	assert_int_equal(fx->gate.cred_version, 1);
}

static void
test_snapshot_chunks_any_order(void **state)
{
	struct gate_fx *fx = *state;
	struct sync_state st;
	json_t *res;

	install_v1(fx, 30);
	assert_int_equal(find(fx, "A5"), 1);

	/* Version 2 in three chunks, the last one first. */
	res = send_chunk(fx, 2, 2, 3, "B", 20, 30);
	assert_true(res_ok(res));
	assert_int_equal(res_int(res, "staged"), 10);
	assert_null(json_object_get(res, "applied"));
	json_decref(res);
	assert_int_equal(find(fx, "A25"), 1);
	assert_int_equal(find(fx, "B25"), 0);
	ok(send_chunk(fx, 2, 0, 3, "B", 0, 10));
	assert_int_equal(find(fx, "A5"), 1);
	assert_int_equal(find(fx, "B5"), 0);
	assert_int_equal(fx->gate.cred_version, 1);
	assert_int_equal(store_sync_state(fx->gate.store, &st), 0);
	assert_int_equal(st.staging_version, 2);
	assert_int_equal(st.staged, 2);

	/* The last one swaps the whole set in at once. */
	res = send_chunk(fx, 2, 1, 3, "B", 10, 20);
	assert_true(res_ok(res));
	assert_int_equal(res_int(res, "applied"), 30);
	assert_int_equal(res_int(res, "version"), 2);
	json_decref(res);
	for (int i = 0; i < 30; i += 7) {
		char a[16], b[16];

		snprintf(a, sizeof(a), "A%d", i);
		snprintf(b, sizeof(b), "B%d", i);
		assert_int_equal(find(fx, a), 0);
		assert_int_equal(find(fx, b), 1);
	}
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 30);
	assert_int_equal(fx->gate.cred_version, 2);
	assert_false(staging_exists(fx));
	/* The old set is kept aside until the loop has run a little. */
	assert_true(old_set_exists(fx));
	for (int i = 0; i < 100 && old_set_exists(fx); i++)
		assert_int_equal(loop_once(&fx->loop, 50), 0);
	assert_false(old_set_exists(fx));
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 30);
	assert_int_equal(store_sync_state(fx->gate.store, &st), 0);
	assert_int_equal(st.cred_version, 2);
	assert_int_equal(st.staging_version, 0);
}

/*
 * The store's own prepared statements name the table: after the rename
 * they work on the new table, not the one renamed away.
 */
static void
test_snapshot_store_statements(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c, got;

	install_v1(fx, 3);
	assert_int_equal(find(fx, "A1"), 1);	/* prepared and used */
	ok(send_chunk(fx, 2, 0, 1, "B", 0, 3));
	assert_int_equal(find(fx, "A1"), 0);
	assert_int_equal(find(fx, "B1"), 1);

	memset(&c, 0, sizeof(c));
	strcpy(c.id, "NEW");
	c.kind = CRED_BADGE;
	strcpy(c.subject, "N1");
	strcpy(c.lanes, "*");
	assert_int_equal(store_credential_put(fx->gate.store, &c), 0);
	assert_int_equal(store_credential_find(fx->gate.store, CRED_BADGE, "N1",
	    &got), 1);
	assert_string_equal(got.id, "NEW");
	assert_int_equal(store_credential_delete(fx->gate.store, "C0"), 1);

	/* And again over a table that was itself a staging table, before
	 * the loop dropped the set the first swap replaced. */
	assert_true(old_set_exists(fx));
	ok(send_chunk(fx, 3, 0, 1, "D", 0, 2));
	assert_int_equal(find(fx, "N1"), 0);
	assert_int_equal(find(fx, "D1"), 1);
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 2);
}

/* The staging table is the credentials table under another name. */
static void
test_staging_schema(void **state)
{
	struct gate_fx *fx = *state;
	sqlite3 *db = store_db(fx->gate.store);
	sqlite3_stmt *s;
	char sql[2][2048];
	const char *q[2] = {
		"SELECT sql FROM sqlite_master WHERE name = 'credentials'",
		"SELECT sql FROM sqlite_master WHERE name = 'credentials_staging'",
	};

	ok(send_chunk(fx, 1, 0, 2, "A", 0, 3));
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_prepare_v2(db, q[i], -1, &s, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		snprintf(sql[i], sizeof(sql[i]), "%s",
		    strchr((const char *)sqlite3_column_text(s, 0), '('));
		sqlite3_finalize(s);
	}
	assert_string_equal(sql[0], sql[1]);
}

static void
test_snapshot_interrupted(void **state)
{
	struct gate_fx *fx = *state;
	json_t *res;

	install_v1(fx, 10);
	ok(send_chunk(fx, 2, 0, 3, "B", 0, 3));
	ok(send_chunk(fx, 2, 2, 3, "B", 6, 10));
	/* Chunk 1 never comes: the old set stays, also across a restart. */
	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(fx->gate.cred_version, 1);
	assert_int_equal(find(fx, "A1"), 1);
	assert_int_equal(find(fx, "B1"), 0);

	/* A complete newer snapshot replaces it... */
	res = send_chunk(fx, 3, 0, 1, "D", 0, 4);
	assert_int_equal(res_int(res, "applied"), 4);
	json_decref(res);
	assert_int_equal(find(fx, "D1"), 1);
	assert_int_equal(find(fx, "A1"), 0);
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 4);

	/* ...and the missing chunk, arriving late, is stale. */
	res = send_chunk(fx, 2, 1, 3, "B", 3, 6);
	assert_false(res_ok(res));
	assert_string_equal(res_ignored(res), "stale");
	assert_int_equal(res_int(res, "current"), 3);
	json_decref(res);
	assert_int_equal(find(fx, "B4"), 0);
}

/* A half-staged snapshot survives a restart and completes after it. */
static void
test_snapshot_resumes_after_restart(void **state)
{
	struct gate_fx *fx = *state;
	json_t *res;

	install_v1(fx, 4);
	ok(send_chunk(fx, 2, 1, 2, "B", 2, 4));
	gate_fx_close(fx);
	gate_fx_open(fx);
	res = send_chunk(fx, 2, 0, 2, "B", 0, 2);
	assert_int_equal(res_int(res, "applied"), 4);
	json_decref(res);
	assert_int_equal(fx->gate.cred_version, 2);

	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(fx->gate.cred_version, 2);
	assert_int_equal(find(fx, "B3"), 1);
}

static void
test_snapshot_superseded(void **state)
{
	struct gate_fx *fx = *state;
	struct sync_state st;
	json_t *res;

	install_v1(fx, 4);
	ok(send_chunk(fx, 2, 0, 2, "B", 0, 2));
	/* Version 3 starts while 2 is half staged: 2 is dropped. */
	ok(send_chunk(fx, 3, 0, 2, "D", 0, 2));
	assert_int_equal(store_sync_state(fx->gate.store, &st), 0);
	assert_int_equal(st.staging_version, 3);
	assert_int_equal(st.staged, 1);
	assert_int_equal(st.staged_rows, 2);

	res = send_chunk(fx, 2, 1, 2, "B", 2, 4);
	assert_false(res_ok(res));
	assert_string_equal(res_ignored(res), "superseded");
	json_decref(res);
	assert_int_equal(find(fx, "A1"), 1);

	res = send_chunk(fx, 3, 1, 2, "D", 2, 4);
	assert_int_equal(res_int(res, "applied"), 4);
	json_decref(res);
	assert_int_equal(find(fx, "D0"), 1);
	assert_int_equal(find(fx, "D3"), 1);
	assert_int_equal(find(fx, "B0"), 0);
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 4);
}

static void
test_snapshot_duplicate_and_stale(void **state)
{
	struct gate_fx *fx = *state;
	json_t *res;

	install_v1(fx, 4);
	ok(send_chunk(fx, 2, 0, 2, "B", 0, 2));
	res = send_chunk(fx, 2, 0, 2, "B", 0, 2);
	assert_false(res_ok(res));
	assert_string_equal(res_ignored(res), "duplicate");
	json_decref(res);
	ok(send_chunk(fx, 2, 1, 2, "B", 2, 4));
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 4);

	/* Every chunk of a version in use, and older ones: stale. */
	res = send_chunk(fx, 2, 1, 2, "B", 2, 4);
	assert_string_equal(res_ignored(res), "stale");
	json_decref(res);
	res = send_chunk(fx, 1, 0, 1, "X", 0, 4);
	assert_string_equal(res_ignored(res), "stale");
	assert_int_equal(res_int(res, "current"), 2);
	json_decref(res);
	assert_int_equal(find(fx, "X1"), 0);
	assert_int_equal(fx->gate.cred_version, 2);
}

static void
test_snapshot_bad_row_rejects_version(void **state)
{
	struct gate_fx *fx = *state;
	struct sync_state st;
	json_t *res;

	install_v1(fx, 4);
	ok(send_chunk(fx, 2, 0, 3, "B", 0, 2));
	res = send_text(fx, false, "{\"version\": 2, \"chunk\": 1, \"chunks\": 3,"
	    " \"credentials\": ["
	    "{\"id\": \"ok1\", \"kind\": \"badge\", \"subject\": \"S1\","
	    " \"status\": \"active\"},"
	    "{\"id\": \"c1\", \"kind\": \"cccd\", \"subject\": \"123\","
	    " \"status\": \"active\"},"
	    "{\"id\": \"c2\", \"kind\": \"badge\", \"subject\": \"S2\","
	    " \"status\": \"active\", \"valid_untill\": 5},"
	    "{\"id\": \"c3\", \"kind\": \"badge\", \"subject\": \"S3\"},"
	    "{\"id\": \"c4\", \"kind\": \"badge\", \"subject\": \"S4\","
	    " \"status\": \"active\", \"valid_from\": \"2030-01-01\","
	    " \"valid_until\": \"2020-01-01\"},"
	    "{\"id\": \"c5\", \"kind\": \"badge\", \"subject\": \"S5\","
	    " \"status\": \"active\", \"lanes\": \"A:sideways\"},"
	    "{\"id\": \"c6\", \"kind\": \"ticket\", \"subject\": \"S6\","
	    " \"status\": \"active\"},"
	    "{\"id\": \"c7\", \"kind\": \"badge\", \"subject\": \"S7\","
	    " \"status\": \"active\", \"valid_from\": \"yesterday\"},"
	    "7]}");
	assert_false(res_ok(res));
	assert_int_equal(res_int(res, "error_count"), 8);
	assert_null(res_row_error(res, NULL, 1, 0));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 1), "12 digits"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 2),
	    "valid_untill: unknown member"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 3), "status"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 4), "not after"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 5), "direction"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 6), "kind"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 7), "valid_from"));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 8), "object"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(res, "errors"), 0), "id")), "c1");
	json_decref(res);

	/* The staged chunk 0 is gone; the rest of version 2 is ignored. */
	assert_false(staging_exists(fx));
	assert_int_equal(store_sync_state(fx->gate.store, &st), 0);
	assert_int_equal(st.staging_version, 0);
	assert_int_equal(st.rejected_version, 2);
	res = send_chunk(fx, 2, 2, 3, "B", 2, 4);
	assert_string_equal(res_ignored(res), "rejected");
	json_decref(res);
	assert_false(staging_exists(fx));
	assert_int_equal(find(fx, "A1"), 1);
	assert_int_equal(find(fx, "B1"), 0);
	assert_int_equal(fx->gate.cred_version, 1);

	/* A corrected list comes as a new version. */
	ok(send_chunk(fx, 3, 0, 1, "B", 0, 4));
	assert_int_equal(find(fx, "B1"), 1);
}

/* Rows valid alone that the list cannot hold together. */
static void
test_snapshot_duplicates_across_chunks(void **state)
{
	struct gate_fx *fx = *state;
	json_t *res;

	install_v1(fx, 4);
	ok(send_chunk(fx, 2, 0, 2, "B", 0, 3));
	res = send_chunk(fx, 2, 1, 2, "Z", 2, 4);	/* C2 again */
	assert_false(res_ok(res));
	assert_non_null(strstr(res_row_error(res, NULL, 1, 0), "listed twice"));
	json_decref(res);
	assert_false(staging_exists(fx));

	/* The same card under two ids, in one chunk. */
	res = send_text(fx, false, "{\"version\": 3, \"chunk\": 0, \"chunks\": 1,"
	    " \"credentials\": ["
	    "{\"id\": \"x1\", \"kind\": \"badge\", \"subject\": \"S\","
	    " \"status\": \"active\"},"
	    "{\"id\": \"x2\", \"kind\": \"badge\", \"subject\": \"S\","
	    " \"status\": \"active\"}]}");
	assert_false(res_ok(res));
	assert_non_null(strstr(res_row_error(res, NULL, 0, 1),
	    "already belongs to credential x1"));
	json_decref(res);
	assert_int_equal(find(fx, "A1"), 1);
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 4);
}

static void
test_snapshot_malformed(void **state)
{
	struct gate_fx *fx = *state;
	static const char *const bad[] = {
		"nope",
		"[]",
		"{\"chunk\": 0, \"chunks\": 1, \"credentials\": []}",
		"{\"version\": 0, \"chunk\": 0, \"chunks\": 1, \"credentials\": []}",
		"{\"version\": \"5\", \"chunk\": 0, \"chunks\": 1, \"credentials\": []}",
		"{\"version\": 5, \"chunk\": 1, \"chunks\": 1, \"credentials\": []}",
		"{\"version\": 6, \"chunk\": -1, \"chunks\": 1, \"credentials\": []}",
		"{\"version\": 7, \"chunk\": 0, \"chunks\": 0, \"credentials\": []}",
		"{\"version\": 8, \"chunk\": 0, \"credentials\": []}",
		"{\"version\": 9, \"chunk\": 0, \"chunks\": 1}",
		"{\"version\": 10, \"chunk\": 0, \"chunks\": 1, \"credentials\": {}}",
		"{\"version\": 11, \"chunk\": 0, \"chunks\": 1, \"credentials\": [],"
		    " \"more\": 1}",
	};
	size_t big = 4 * 1024 * 1024 + 1;
	char *huge;
	json_t *res;

	install_v1(fx, 3);
	for (size_t i = 0; i < nitems(bad); i++) {
		res = send_text(fx, false, bad[i]);
		if (res_ok(res) || res_int(res, "error_count") == 0)
			fail_msg("accepted: %s", bad[i]);
		json_decref(res);
	}
	assert_non_null(huge = malloc(big));
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	res = inbound_credentials_set(&fx->gate, (const uint8_t *)huge, big);
	assert_false(res_ok(res));
	json_decref(res);
	free(huge);

	assert_int_equal(fx->gate.cred_version, 1);
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 3);

	/* An empty snapshot is a list with nobody on it. */
	res = send_text(fx, false, "{\"version\": 20, \"chunk\": 0, \"chunks\": 1,"
	    " \"credentials\": []}");
	assert_int_equal(res_int(res, "applied"), 0);
	json_decref(res);
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 0);
}

/* Times as ms or text, and every field of a row as it is stored. */
static void
test_snapshot_row_fields(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c;

	ok(send_text(fx, false, "{\"version\": 4, \"chunk\": 0, \"chunks\": 1,"
	    " \"credentials\": [{\"id\": \"cc\", \"kind\": \"cccd\","
	    " \"subject\": \"001234567890\", \"name\": \"Nguy\\u1ec5n V\\u0103n A\","
	    " \"valid_from\": \"2024-01-01\","
	    " \"valid_until\": \"2030-06-30T12:00:00Z\","
	    " \"status\": \"suspended\", \"lanes\": \"A:entry,B\"},"
	    " {\"id\": \"b\", \"kind\": \"badge\", \"subject\": \"W1\","
	    " \"valid_from\": 1700000000000, \"valid_until\": null,"
	    " \"status\": \"revoked\"}]}"));
	assert_int_equal(store_credential_find(fx->gate.store, CRED_CCCD,
	    "001234567890", &c), 1);
	assert_string_equal(c.id, "cc");
	assert_string_equal(c.name, "Nguy\xe1\xbb\x85n V\xc4\x83n A");
	assert_int_equal(c.valid_from_ms, 1704067200000LL);
	assert_int_equal(c.valid_until_ms, 1909051200000LL);
	assert_int_equal(c.status, CRED_SUSPENDED);
	assert_string_equal(c.lanes, "A:entry,B");
	assert_int_equal(store_credential_find(fx->gate.store, CRED_BADGE, "W1",
	    &c), 1);
	assert_int_equal(c.valid_from_ms, 1700000000000LL);
	assert_int_equal(c.valid_until_ms, 0);
	assert_int_equal(c.status, CRED_REVOKED);
	assert_string_equal(c.lanes, "*");
}

/* 100,000 credentials in 10 chunks of 10,000, built in memory. */
static void
test_snapshot_100k(void **state)
{
	struct gate_fx *fx = *state;
	json_t *res;

	install_v1(fx, 5);
	for (int k = 9; k >= 0; k--) {
		res = send_chunk(fx, 2, k, 10, "B", k * 10000, (k + 1) * 10000);
		assert_true(res_ok(res));
		if (k > 0) {
			assert_int_equal(res_int(res, "staged"), 10000);
			assert_int_equal(find(fx, "A1"), 1);
		} else
			assert_int_equal(res_int(res, "applied"), 100000);
		json_decref(res);
	}
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 100000);
	assert_int_equal(find(fx, "A1"), 0);
	assert_int_equal(find(fx, "B0"), 1);
	assert_int_equal(find(fx, "B54321"), 1);
	assert_int_equal(find(fx, "B99999"), 1);
	assert_int_equal(fx->gate.cred_version, 2);
}

static void
test_patch(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c;
	json_t *res;

	install_v1(fx, 5);
	res = send_text(fx, true, "{\"version\": 2,"
	    " \"add\": [{\"id\": \"N1\", \"kind\": \"badge\", \"subject\": \"N1\","
	    " \"status\": \"active\"},"
	    " {\"id\": \"N3\", \"kind\": \"badge\", \"subject\": \"A3\","
	    " \"status\": \"active\"}],"
	    " \"update\": [{\"id\": \"C1\", \"kind\": \"badge\", \"subject\": \"A1\","
	    " \"name\": \"Renamed\", \"status\": \"suspended\"}],"
	    " \"remove\": [\"C2\", \"C3\"]}");
	assert_true(res_ok(res));
	assert_int_equal(json_array_size(json_object_get(res, "added")), 2);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(res, "updated"), 0)), "C1");
	assert_int_equal(json_array_size(json_object_get(res, "removed")), 2);
	json_decref(res);
	assert_int_equal(fx->gate.cred_version, 2);
	assert_int_equal(find(fx, "N1"), 1);
	assert_int_equal(find(fx, "A2"), 0);
	/* A3's card moved from the removed C3 to N3 in the same patch. */
	assert_int_equal(store_credential_find(fx->gate.store, CRED_BADGE, "A3",
	    &c), 1);
	assert_string_equal(c.id, "N3");
	assert_int_equal(store_credential_find(fx->gate.store, CRED_BADGE, "A1",
	    &c), 1);
	assert_string_equal(c.name, "Renamed");
	assert_int_equal(c.status, CRED_SUSPENDED);

	/* A patch moves the version: a snapshot it outdates is stale. */
	res = send_chunk(fx, 2, 0, 1, "X", 0, 2);
	assert_string_equal(res_ignored(res), "stale");
	json_decref(res);
	res = send_text(fx, true, "{\"version\": 2, \"remove\": [\"C0\"]}");
	assert_string_equal(res_ignored(res), "stale");
	json_decref(res);
	assert_int_equal(find(fx, "A0"), 1);
}

/* The desk cancels a visitor pass: a revoked row of kind visitor. */
static void
test_patch_cancels_visitor_pass(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c;
	json_t *res;

	install_v1(fx, 1);
	res = send_text(fx, true, "{\"version\": 2,"
	    " \"add\": [{\"id\": \"V-20261207-0003\", \"kind\": \"visitor\","
	    " \"subject\": \"V-20261207-0003\", \"status\": \"revoked\","
	    " \"role\": \"visitor\"}]}");
	assert_true(res_ok(res));
	json_decref(res);
	assert_int_equal(store_credential_find(fx->gate.store, CRED_VISITOR,
	    "V-20261207-0003", &c), 1);
	assert_int_equal(c.status, CRED_REVOKED);
	/* A visitor row's subject is a pass id: no blanks. */
	res = send_text(fx, true, "{\"version\": 3,"
	    " \"add\": [{\"id\": \"V2\", \"kind\": \"visitor\","
	    " \"subject\": \"V 2\", \"status\": \"revoked\"}]}");
	assert_false(res_ok(res));
	json_decref(res);
}

static void
test_patch_bad_changes_nothing(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c;
	json_t *res;

	install_v1(fx, 5);
	/* Each error a different kind; all are listed. */
	res = send_text(fx, true, "{\"version\": 2,"
	    " \"add\": [{\"id\": \"N1\", \"kind\": \"badge\", \"subject\": \"N1\","
	    " \"status\": \"active\"},"
	    " {\"id\": \"C4\", \"kind\": \"badge\", \"subject\": \"Z4\","
	    " \"status\": \"active\"},"
	    " {\"id\": \"N2\", \"kind\": \"badge\", \"subject\": \"A0\","
	    " \"status\": \"active\"}],"
	    " \"update\": [{\"id\": \"C1\", \"kind\": \"badge\", \"subject\": \"A1\","
	    " \"name\": \"Renamed\", \"status\": \"revoked\"},"
	    " {\"id\": \"nobody\", \"kind\": \"badge\", \"subject\": \"Q\","
	    " \"status\": \"active\"}],"
	    " \"remove\": [\"C2\", \"ghost\"]}");
	assert_false(res_ok(res));
	assert_int_equal(res_int(res, "error_count"), 4);
	assert_non_null(strstr(res_row_error(res, "add", -1, 1), "exists"));
	assert_non_null(strstr(res_row_error(res, "add", -1, 2),
	    "already belongs to credential C0"));
	assert_non_null(strstr(res_row_error(res, "update", -1, 1),
	    "no credential nobody"));
	assert_non_null(strstr(res_row_error(res, "remove", -1, 1),
	    "no credential ghost"));
	json_decref(res);

	/* Nothing of it happened. */
	assert_int_equal(fx->gate.cred_version, 1);
	assert_int_equal(find(fx, "N1"), 0);
	assert_int_equal(find(fx, "A2"), 1);
	assert_int_equal(store_credential_find(fx->gate.store, CRED_BADGE, "A1",
	    &c), 1);
	assert_string_equal(c.name, "Person 1");
	assert_int_equal(count(fx, "SELECT cred_version FROM sync_state"), 1);

	/* Invalid rows and an id named twice: refused before the store. */
	res = send_text(fx, true, "{\"version\": 2,"
	    " \"add\": [{\"id\": \"N1\", \"kind\": \"cccd\", \"subject\": \"N1\","
	    " \"status\": \"active\"}],"
	    " \"update\": [{\"id\": \"C1\", \"kind\": \"badge\", \"subject\": \"A1\","
	    " \"status\": \"active\"}],"
	    " \"remove\": [\"C1\", 5, \"\"]}");
	assert_false(res_ok(res));
	assert_non_null(res_row_error(res, "add", -1, 0));
	assert_non_null(res_row_error(res, "remove", -1, 1));
	assert_non_null(res_row_error(res, "remove", -1, 2));
	json_decref(res);
	res = send_text(fx, true, "{\"version\": 2,"
	    " \"update\": [{\"id\": \"C1\", \"kind\": \"badge\", \"subject\": \"A1\","
	    " \"status\": \"active\"}], \"remove\": [\"C1\"]}");
	assert_false(res_ok(res));
	assert_int_equal(res_int(res, "error_count"), 1);
	json_decref(res);
	res = send_text(fx, true, "{\"version\": 2, \"add\": {}, \"drop\": []}");
	assert_false(res_ok(res));
	assert_int_equal(res_int(res, "error_count"), 2);
	json_decref(res);
	assert_int_equal(find(fx, "A1"), 1);
	assert_int_equal(fx->gate.cred_version, 1);
}

/* A patch newer than a half-staged snapshot makes that snapshot useless. */
static void
test_patch_drops_older_staging(void **state)
{
	struct gate_fx *fx = *state;
	struct sync_state st;
	json_t *res;

	install_v1(fx, 3);
	ok(send_chunk(fx, 2, 0, 2, "B", 0, 2));
	ok(send_text(fx, true, "{\"version\": 5, \"remove\": [\"C0\"]}"));
	assert_int_equal(store_sync_state(fx->gate.store, &st), 0);
	assert_int_equal(st.staging_version, 0);
	assert_false(staging_exists(fx));
	res = send_chunk(fx, 2, 1, 2, "B", 2, 3);
	assert_string_equal(res_ignored(res), "stale");
	json_decref(res);
	assert_int_equal(find(fx, "A0"), 0);
	assert_int_equal(find(fx, "A1"), 1);
	gate_fx_close(fx);
	gate_fx_open(fx);
	assert_int_equal(fx->gate.cred_version, 5);
}

/*
 * Issue 12, row 5: an id that holds a citizen number would be published
 * with every event.  Lists and patches refuse it, and the refusal, which
 * is published too, does not echo it.  A cccd row carries its check hash,
 * never the card's fields.
 */
static void
test_citizen_number_ids(void **state)
{
	static const char hash[] =
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	struct gate_fx *fx = *state;
	struct credential c;
	char doc[1024], *text;
	json_t *res;

	install_v1(fx, 2);
	res = send_text(fx, false, "{\"version\": 2, \"chunk\": 0, "
	    "\"chunks\": 1, \"credentials\": ["
	    "{\"id\": \"C-079190001234\", \"kind\": \"cccd\","
	    " \"subject\": \"079190001234\", \"status\": \"active\"},"
	    "{\"id\": \"C-0791-9000-1234\", \"kind\": \"cccd\","
	    " \"subject\": \"079190001234\", \"status\": \"active\"},"
	    "{\"id\": \"B001201009876\", \"kind\": \"badge\","
	    " \"subject\": \"B-1\", \"status\": \"active\"}]}");
	assert_false(res_ok(res));
	assert_int_equal(res_int(res, "error_count"), 3);
	assert_non_null(strstr(res_row_error(res, NULL, 0, 0), "12 digits"));
	assert_non_null(strstr(res_row_error(res, NULL, 0, 1),
	    "citizen number"));
	assert_non_null(strstr(res_row_error(res, NULL, 0, 2), "12 digits"));
	text = json_dumps(res, 0);
	assert_non_null(text);
	if (strstr(text, "079190001234") != NULL ||
	    strstr(text, "001201009876") != NULL)
		fail_msg("a citizen number in the result: %s", text);
	free(text);
	json_decref(res);
	assert_int_equal(fx->gate.cred_version, 1);

	res = send_text(fx, true, "{\"version\": 2, \"add\": [{\"id\":"
	    " \"V-079190001234\", \"kind\": \"cccd\", \"subject\":"
	    " \"079190001234\", \"status\": \"active\"}]}");
	assert_false(res_ok(res));
	assert_non_null(strstr(res_row_error(res, "add", -1, 0), "12 digits"));
	assert_null(json_object_get(json_array_get(json_object_get(res,
	    "errors"), 0), "id"));
	json_decref(res);

	/* A check hash: 64 hex digits, on a cccd row only. */
	snprintf(doc, sizeof(doc), "{\"version\": 2, \"add\": ["
	    "{\"id\": \"V-1\", \"kind\": \"cccd\", \"subject\":"
	    " \"079190001234\", \"status\": \"active\", \"check_hash\":"
	    " \"%s\"},"
	    "{\"id\": \"V-2\", \"kind\": \"cccd\", \"subject\":"
	    " \"079190001235\", \"status\": \"active\", \"check_hash\":"
	    " \"Nguyen Van A|01011990\"},"
	    "{\"id\": \"B-2\", \"kind\": \"badge\", \"subject\": \"B-2\","
	    " \"status\": \"active\", \"check_hash\": \"%s\"}]}", hash, hash);
	res = send_text(fx, true, doc);
	assert_false(res_ok(res));
	assert_int_equal(res_int(res, "error_count"), 2);
	assert_non_null(strstr(res_row_error(res, "add", -1, 1), "check_hash"));
	assert_non_null(strstr(res_row_error(res, "add", -1, 2),
	    "only a cccd"));
	json_decref(res);

	snprintf(doc, sizeof(doc), "{\"version\": 2, \"add\": ["
	    "{\"id\": \"V-1\", \"kind\": \"cccd\", \"subject\":"
	    " \"079190001234\", \"status\": \"active\", \"check_hash\":"
	    " \"%s\"}]}", hash);
	ok(send_text(fx, true, doc));
	assert_int_equal(store_credential_find(fx->gate.store, CRED_CCCD,
	    "079190001234", &c), 1);
	assert_string_equal(c.id, "V-1");
	assert_string_equal(c.check_hash, hash);
}

/* Schema 3's members: role, serial, pubkey, on add and on update. */
static void
test_policy_members(void **state)
{
	struct gate_fx *fx = *state;
	struct credential c;
	uint8_t key[32];
	char pk[KEY_PK_TEXT], doc[1024];

	memset(key, 0x42, sizeof(key));
	key_pk_to_text(key, pk);
	snprintf(doc, sizeof(doc), "{\"version\": 4, \"chunk\": 0, "
	    "\"chunks\": 1, \"credentials\": ["
	    "{\"id\": \"d\", \"kind\": \"dynamic\", \"subject\": \"W-1\","
	    " \"status\": \"active\", \"role\": \"visitor\","
	    " \"pubkey\": \"%s\"},"
	    "{\"id\": \"s\", \"kind\": \"signed\", \"subject\": \"W-1\","
	    " \"status\": \"active\", \"serial\": 4294967295}]}", pk);
	ok(send_text(fx, false, doc));
	assert_int_equal(store_credential_find(fx->gate.store, CRED_DYNAMIC,
	    "W-1", &c), 1);
	assert_int_equal(c.role, ROLE_VISITOR);
	assert_true(c.has_pubkey);
	assert_memory_equal(c.pubkey, key, sizeof(key));
	assert_int_equal(store_credential_find(fx->gate.store, CRED_SIGNED,
	    "W-1", &c), 1);
	assert_int_equal(c.role, ROLE_STAFF);
	assert_int_equal(c.serial, UINT32_MAX);
	assert_false(c.has_pubkey);

	/* An update replaces them: a new serial revokes the old badge. */
	ok(send_text(fx, true, "{\"version\": 5, \"update\": [{\"id\": \"s\","
	    " \"kind\": \"signed\", \"subject\": \"W-1\", \"status\": \"active\","
	    " \"serial\": 2, \"role\": \"visitor\"}]}"));
	assert_int_equal(store_credential_find(fx->gate.store, CRED_SIGNED,
	    "W-1", &c), 1);
	assert_int_equal(c.serial, 2);
	assert_int_equal(c.role, ROLE_VISITOR);
}

static void
test_policy_members_bad(void **state)
{
	static const struct {
		const char *row;
		const char *error;
	} bad[] = {
		{ "\"kind\": \"dynamic\"", "needs a pubkey" },
		{ "\"kind\": \"dynamic\", \"pubkey\": \"\"", "needs a pubkey" },
		/* 31 and 33 bytes, and not base64 at all. */
		{ "\"kind\": \"dynamic\", \"pubkey\": "
		  "\"QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQg==\"", "pubkey" },
		{ "\"kind\": \"dynamic\", \"pubkey\": "
		  "\"QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC\"", "pubkey" },
		{ "\"kind\": \"dynamic\", \"pubkey\": \"not a key\"", "pubkey" },
		{ "\"kind\": \"dynamic\", \"pubkey\": 5", "pubkey" },
		{ "\"kind\": \"signed\", \"serial\": -1", "serial" },
		{ "\"kind\": \"signed\", \"serial\": 4294967296", "serial" },
		{ "\"kind\": \"signed\", \"serial\": \"7\"", "serial" },
		{ "\"kind\": \"signed\", \"serial\": 1.5", "serial" },
		{ "\"kind\": \"badge\", \"role\": \"admin\"", "role" },
		{ "\"kind\": \"badge\", \"role\": null", "role" },
		{ "\"kind\": \"qr\"", "kind" },
	};
	struct gate_fx *fx = *state;
	char doc[512];
	const char *e;
	json_t *res;

	for (size_t i = 0; i < nitems(bad); i++) {
		snprintf(doc, sizeof(doc), "{\"version\": %zu, \"add\": [{\"id\":"
		    " \"x\", \"subject\": \"W-1\", \"status\": \"active\", %s}]}",
		    i + 1, bad[i].row);
		res = send_text(fx, true, doc);
		assert_false(res_ok(res));
		e = res_row_error(res, "add", -1, 0);
		if (e == NULL || strstr(e, bad[i].error) == NULL)
			fail_msg("row %zu: error '%s', expected '%s'", i,
			    e != NULL ? e : "(none)", bad[i].error);
		json_decref(res);
	}
	assert_int_equal(count(fx, "SELECT count(*) FROM credentials"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_chunks_any_order,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_store_statements,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_staging_schema,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_interrupted,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_snapshot_resumes_after_restart, gate_fx_setup,
		    gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_superseded,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_duplicate_and_stale,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_snapshot_bad_row_rejects_version, gate_fx_setup,
		    gate_fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_snapshot_duplicates_across_chunks, gate_fx_setup,
		    gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_malformed,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_row_fields,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_100k,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_patch,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_patch_cancels_visitor_pass,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_patch_bad_changes_nothing,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_policy_members,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_citizen_number_ids,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_policy_members_bad,
		    gate_fx_setup, gate_fx_teardown),
		cmocka_unit_test_setup_teardown(test_patch_drops_older_staging,
		    gate_fx_setup, gate_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
