/*
 * The aggregator benchmark's load: GATES simulated gates each publishing
 * one event document a second (as qrgated does, QoS 1, seq per gate)
 * for SECONDS, over CLIENTS broker connections.  Each document's ts_ms is
 * the time it is published, so the aggregator's received_ms - ts_ms is
 * its lag behind the broker.  Prints what it published.
 *
 *	agg_load HOST PORT GATES SECONDS [CLIENTS]
 *
 * A tool, not the daemon: it uses libmosquitto's own thread and paces
 * itself with clock_nanosleep.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t acked;

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	(void)arg;
	(void)mid;
	__atomic_add_fetch(&acked, 1, __ATOMIC_RELAXED);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int
main(int argc, char **argv)
{
	struct mosquitto **m;
	struct timespec next;
	int64_t *seq, published = 0, t0;
	int gates, seconds, clients, port;
	char topic[128], doc[768];

	if (argc < 5) {
		fprintf(stderr, "usage: agg_load HOST PORT GATES SECONDS "
		    "[CLIENTS]\n");
		return 2;
	}
	port = atoi(argv[2]);
	gates = atoi(argv[3]);
	seconds = atoi(argv[4]);
	clients = argc > 5 ? atoi(argv[5]) : 10;
	if (gates < 1 || seconds < 1 || clients < 1)
		return 2;
	rng ^= (uint64_t)now_ms();
	mosquitto_lib_init();
	m = calloc(clients, sizeof(*m));
	seq = calloc(gates, sizeof(*seq));
	for (int c = 0; c < clients; c++) {
		char id[32];

		snprintf(id, sizeof(id), "agg-load-%d", c);
		if ((m[c] = mosquitto_new(id, true, NULL)) == NULL ||
		    mosquitto_max_inflight_messages_set(m[c], 200) != 0 ||
		    (mosquitto_publish_callback_set(m[c], on_publish), 0) ||
		    mosquitto_connect(m[c], argv[1], port, 30) != 0 ||
		    mosquitto_loop_start(m[c]) != 0) {
			fprintf(stderr, "agg_load: cannot connect\n");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	t0 = now_ms();
	/* Each second every gate publishes once, spread over the second in
	 * 100 slices. */
	for (int s = 0; s < seconds; s++) {
		for (int slice = 0; slice < 100; slice++) {
			for (int g = slice; g < gates; g += 100) {
				uint64_t r = xorshift();
				int person = (int)(r % 50000);
				int n;

				seq[g]++;
				snprintf(topic, sizeof(topic),
				    "qrgate/bench/gate-%04d/events", g);
				n = snprintf(doc, sizeof(doc),
				    "{\"event_id\":\"%016" PRIx64 "%016" PRIx64
				    "\",\"seq\":%" PRId64 ",\"rev\":0,"
				    "\"time\":\"t\",\"ts_ms\":%" PRId64 ","
				    "\"gate\":\"gate-%04d\",\"site\":\"bench\","
				    "\"lane\":\"1\",\"direction\":\"%s\","
				    "\"type\":\"scan\",\"kind\":\"badge\","
				    "\"subject\":\"**%04d\","
				    "\"credential_id\":\"W-%05d\","
				    "\"result\":\"%s\",\"reason\":\"%s\","
				    "\"passage\":\"%s\",\"decode_us\":4000,"
				    "\"latency_us\":4200}", xorshift(), r,
				    seq[g], now_ms(), g,
				    (r >> 20) & 1 ? "entry" : "exit",
				    person % 10000, person,
				    r % 20 == 0 ? "denied" : "granted",
				    r % 20 == 0 ? "expired" : "granted",
				    r % 20 == 0 ? "none" : "passed");
				if (mosquitto_publish(m[g % clients], NULL,
				    topic, n, doc, 1, false) == 0)
					published++;
			}
			next.tv_nsec += 10000000;
			if (next.tv_nsec >= 1000000000) {
				next.tv_nsec -= 1000000000;
				next.tv_sec++;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
			    NULL);
		}
	}
	/* Every PUBACK back before disconnecting (60 s at most). */
	for (int i = 0; i < 6000 && __atomic_load_n(&acked, __ATOMIC_RELAXED) <
	    published; i++) {
		struct timespec d = { 0, 10000000 };

		nanosleep(&d, NULL);
	}
	for (int c = 0; c < clients; c++) {
		mosquitto_disconnect(m[c]);
		mosquitto_loop_stop(m[c], false);
		mosquitto_destroy(m[c]);
	}
	printf("published %" PRId64 " events (%" PRId64 " acknowledged) from "
	    "%d gates in %.1f s\n", published, acked, gates,
	    (now_ms() - t0) / 1000.0);
	mosquitto_lib_cleanup();
	free(m);
	free(seq);
	return 0;
}
