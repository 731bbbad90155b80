/*
 * Fills a gate database with N decisions queued in the MQTT outbox,
 * through the store API (synchronous=NORMAL: this only sets up the drain
 * that tests/bench/bench_mqtt.sh measures).  Prints one line: the rows and
 * how long the fill took.  Usage: bench_outbox DB N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "store_outbox.h"

int
main(int argc, char **argv)
{
	struct store *st;
	struct event ev;
	int64_t t0, depth, max;
	long n;

	log_init("bench_outbox", LOG_LVL_WARN);
	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench_outbox DB N\n");
		return 2;
	}
	if ((st = store_open(argv[1], STORE_SYNC_NORMAL, false)) == NULL ||
	    store_outbox_set_max(st, n * 2) == -1)
		return 1;
	t0 = clock_mono_ns();
	for (long i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.ts_ms = clock_utc_ms();
		strcpy(ev.gate, "bench-gate");
		strcpy(ev.lane, "1");
		strcpy(ev.credential_id, "C-079190001234");
		strcpy(ev.subject, "********1234");
		ev.kind = CRED_CCCD;
		ev.result = i % 4 == 0 ? RES_DENIED : RES_GRANTED;
		ev.reason = i % 4 == 0 ? REASON_UNKNOWN : REASON_GRANTED;
		ev.passage = i % 4 == 0 ? PASSAGE_NONE : PASSAGE_PASSED;
		ev.decode_us = 5000 + i % 1000;
		ev.latency_us = 6000 + i % 1000;
		strcpy(ev.payload_hash, "0123456789abcdef");
		if (store_event_append(st, &ev) == -1)
			return 1;
	}
	if (store_outbox_depth(st, &depth, &max) == -1)
		return 1;
	printf("outbox filled: %lld rows in %.1f s\n", (long long)depth,
	    (clock_mono_ns() - t0) / 1e9);
	store_close(st);
	return depth == n ? 0 : 1;
}
