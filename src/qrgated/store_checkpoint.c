/*
 * WAL checkpoints at the daemon's moment, not SQLite's.
 *
 * By default SQLite checkpoints inside whichever commit takes the WAL past
 * 1000 pages: it copies those pages into the database and syncs it before
 * the commit returns.  On a gate that commit is as likely as not a grant's,
 * so every few hundred grants a worker would wait for a checkpoint before
 * the relay moves.  The daemon's connection turns that off and checkpoints
 * from a timer instead (gate.c), while the lane is quiet.
 */
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

/* Replaces SQLite's automatic checkpoint: only counts. */
static int
store_wal_committed(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *st = arg;

	(void)db;
	(void)name;
	st->wal_frames = frames;
	return SQLITE_OK;
}

void
store_checkpoint_defer(struct store *st)
{
	sqlite3_wal_hook(st->db, store_wal_committed, st);
}

int
store_wal_frames(const struct store *st)
{
	return st->wal_frames;
}

int
store_checkpoint(struct store *st)
{
	int log_frames, done;

	/* Passive: copies what no reader still needs and never waits for
	 * a reader or a writer, so it cannot stall the loop on a lock. */
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &log_frames, &done) != SQLITE_OK) {
		log_warnx("%s: checkpoint: %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	/* The WAL starts again from its beginning at the next commit once
	 * every frame is in the database; until then it keeps its length. */
	st->wal_frames = done == log_frames ? 0 : log_frames;
	return 0;
}
