/*
 * How long a durable log append takes: store_event_append with
 * synchronous=FULL (the default: every row on disk before the relay moves)
 * against synchronous=NORMAL, the baseline, in the same run on the same
 * disk.  Prints figures, never passes or fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "loop.h"
#include "store.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Appends n rows; fills us[] with each append's time.  Returns 0 or -1. */
static int
bench_appends(const char *path, enum store_sync sync, int n, int64_t *us)
{
	struct store *st = store_open(path, sync, false);
	struct event ev;

	if (st == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		int64_t t0;

		memset(&ev, 0, sizeof(ev));
		ev.ts_ms = clock_utc_ms();
		strcpy(ev.gate, "bench");
		strcpy(ev.lane, "1");
		strcpy(ev.credential_id, "W-0001");
		strcpy(ev.subject, "**0001");
		ev.kind = CRED_BADGE;
		ev.passage = PASSAGE_PENDING;
		t0 = clock_mono_ns();
		if (store_event_append(st, &ev) == -1) {
			store_close(st);
			return -1;
		}
		us[i] = (clock_mono_ns() - t0) / 1000;
	}
	store_close(st);
	return 0;
}

static void
report(const char *name, int64_t *us, int n, double base_mean)
{
	double mean = 0;

	for (int i = 0; i < n; i++)
		mean += us[i];
	mean /= n;
	qsort(us, n, sizeof(*us), cmp_i64);
	printf("store append %-7s n=%d mean %7.1f us  p50 %6lld us  p99 %6lld us",
	    name, n, mean, (long long)us[n / 2], (long long)us[n * 99 / 100]);
	if (base_mean > 0)
		printf("  (%.2fx the NORMAL baseline)", mean / base_mean);
	printf("\n");
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/qrgate-bench.XXXXXX", path[300];
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int64_t *full = calloc(n, sizeof(*full)), *normal = calloc(n, sizeof(*normal));
	double base = 0;

	log_init("bench_store", LOG_LVL_WARN);
	if (n <= 0 || full == NULL || normal == NULL || mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/normal.db", dir);
	if (bench_appends(path, STORE_SYNC_NORMAL, n, normal) == -1)
		return 1;
	snprintf(path, sizeof(path), "%s/full.db", dir);
	if (bench_appends(path, STORE_SYNC_FULL, n, full) == -1)
		return 1;
	for (int i = 0; i < n; i++)
		base += normal[i];
	base /= n;
	report("NORMAL", normal, n, 0);
	report("FULL", full, n, base);
	free(full);
	free(normal);
	return 0;
}
