/*
 * A fresh directory holding a database path, for the store's tests; the
 * teardown removes the database with its WAL and shared memory, and
 * whatever else a test wrote there.  Include it after <cmocka.h>: the
 * helpers assert.  Each test program is one translation unit, so the
 * helpers are static; those a test may not use are marked unused.
 */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credential.h"
#include "store.h"

struct store_fx {
	char dir[64];
	char db[PATH_MAX];	/* dir/gate.db, not yet made */
	char file[PATH_MAX];	/* the last other file a test wrote there */
};

static int
store_fx_setup(void **state)
{
	struct store_fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/qrgate-store.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/gate.db", fx->dir);
	*state = fx;
	return 0;
}

static int
store_fx_teardown(void **state)
{
	struct store_fx *fx = *state;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%.63s/%.255s", fx->dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* The test's database, opened for writing; the test fails if it cannot. */
static __attribute__((unused)) struct store *
store_fx_open(const struct store_fx *fx, enum store_sync sync)
{
	struct store *st = store_open(fx->db, sync, false);

	assert_non_null(st);
	return st;
}

/* Field by field: struct copies need not keep padding bytes. */
/* PRAGMA quick_check on the file, read-only (store_probe()): it is sound. */
static __attribute__((unused)) void
store_fx_assert_sound(const struct store_fx *fx)
{
	char err[256];

	assert_int_equal(store_probe(fx->db, err, sizeof(err)), 0);
}

static __attribute__((unused)) void
cred_assert_equal(const struct credential *a, const struct credential *b)
{
	assert_string_equal(a->id, b->id);
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->subject, b->subject);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->valid_from_ms, b->valid_from_ms);
	assert_int_equal(a->valid_until_ms, b->valid_until_ms);
	assert_int_equal(a->status, b->status);
	assert_string_equal(a->lanes, b->lanes);
	assert_int_equal(a->role, b->role);
	assert_int_equal(a->serial, b->serial);
	assert_int_equal(a->has_pubkey, b->has_pubkey);
	if (a->has_pubkey)
		assert_memory_equal(a->pubkey, b->pubkey, sizeof(a->pubkey));
	assert_string_equal(a->check_hash, b->check_hash);
	assert_string_equal(a->send_as, b->send_as);
	assert_string_equal(a->pin_hash, b->pin_hash);
	assert_string_equal(a->group, b->group);
	assert_string_equal(a->schedule, b->schedule);
}

#endif
