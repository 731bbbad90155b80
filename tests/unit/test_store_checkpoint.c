/*
 * The daemon checkpoints the WAL itself (store_checkpoint.c): once
 * deferred, no commit checkpoints, however long the WAL grows, and a
 * checkpoint called later copies it all, after which the WAL starts again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "store_fixture.h"

#define PAST_SQLITE 1200	/* frames: SQLite checkpoints at 1000 */
#define FRAME_BYTES (4096 + 24)	/* a page and its frame header */

static void
append(struct store *st, int i)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = 1000 + i;
	snprintf(ev.gate, sizeof(ev.gate), "gate-1");
	snprintf(ev.lane, sizeof(ev.lane), "A");
	ev.direction = DIR_ENTRY;
	ev.type = EV_SCAN;
	ev.kind = CRED_BADGE;
	snprintf(ev.subject, sizeof(ev.subject), "W%04d", i);
	ev.result = RES_DENIED;
	ev.reason = REASON_UNKNOWN;
	ev.passage = PASSAGE_NONE;
	snprintf(ev.payload_hash, sizeof(ev.payload_hash), "0123456789abcdef");
	assert_int_equal(store_event_append(st, &ev), 0);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void
test_deferred_then_checkpointed(void **state)
{
	struct store_fx *fx = *state;
	struct store *st = store_fx_open(fx, STORE_SYNC_FULL);
	char wal[PATH_MAX + 8];
	struct event ev;
	char want[16];
	int n = 0;

	store_checkpoint_defer(st);
	while (store_wal_frames(st) < PAST_SQLITE && n < 10 * PAST_SQLITE)
		append(st, n++);
	assert_true(store_wal_frames(st) >= PAST_SQLITE);
	/* Had SQLite checkpointed at 1000 frames, the WAL would have
	 * started again from its beginning and be shorter than this. */
	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	assert_true(file_size(wal) >= (off_t)PAST_SQLITE * FRAME_BYTES);

	assert_int_equal(store_checkpoint(st), 0);
	assert_int_equal(store_wal_frames(st), 0);
	append(st, n++);
	/* One row: a few pages, written at the WAL's beginning again. */
	assert_true(store_wal_frames(st) > 0);
	assert_true(store_wal_frames(st) < 16);
	/* Nothing lost on the way: the first row and the last. */
	assert_int_equal(store_event_get(st, 1, &ev), 1);
	assert_string_equal(ev.subject, "W0000");
	assert_int_equal(store_event_get(st, n, &ev), 1);
	snprintf(want, sizeof(want), "W%04d", n - 1);
	assert_string_equal(ev.subject, want);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deferred_then_checkpointed,
		    store_fx_setup, store_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
