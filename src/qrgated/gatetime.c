/* What the gate believes now is (gatetime.h): the pure rules. */
#include "gatetime.h"

static int64_t
gatetime_max(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t
gatetime_floor_start(int64_t saved_ms, int64_t newest_ms)
{
	if (saved_ms <= 0)
		return gatetime_max(newest_ms, 0);
	if (newest_ms > saved_ms + GATETIME_SAVE_MS)
		newest_ms = saved_ms + GATETIME_SAVE_MS;
	return gatetime_max(saved_ms, newest_ms);
}

void
gatetime_init(struct gatetime *t, int64_t floor_ms)
{
	t->floor_ms = gatetime_max(floor_ms, 0);
	t->synced = false;
	t->behind = false;
	t->raised = false;
}

int64_t
gatetime_now(const struct gatetime *t, int64_t wall_ms)
{
	return gatetime_max(wall_ms, t->floor_ms);
}

bool
gatetime_observe(struct gatetime *t, int64_t wall_ms, bool synced)
{
	t->synced = synced;
	t->behind = wall_ms < t->floor_ms;
	if (synced && wall_ms > t->floor_ms) {
		t->floor_ms = wall_ms;
		t->raised = true;
	}
	return gatetime_trusted(t);
}

bool
gatetime_trusted(const struct gatetime *t)
{
	return t->synced && !t->behind;
}

const char *
gatetime_why(const struct gatetime *t)
{
	if (t->behind)
		return "behind the time floor";
	if (!t->synced)
		return "not synchronised";
	return "";
}

int64_t
gatetime_retention_cutoff(int64_t now_ms, int64_t newest_ms,
    int64_t window_ms)
{
	int64_t from = newest_ms < now_ms ? newest_ms : now_ms;

	if (newest_ms <= 0 || window_ms <= 0 || from - window_ms <= 0)
		return 0;
	return from - window_ms;
}
