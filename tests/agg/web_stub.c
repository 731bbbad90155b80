/*
 * A stand-in aggregator for the web side's tests: agg_web on our loop with
 * fixed data behind struct agg_web_source, and a FIFO through which a test
 * changes that data and has it published, one command a line:
 *
 *	event|gate|alarm|headcount JSON	apply to the data, then publish
 *	flood N BYTES			publish N events of about BYTES each
 *	fail WHAT			answer /api/WHAT with 500 (none: stop)
 *	quit				stop
 *
 * It prints "port N" once it serves.  With --hash-password it reads one
 * password line from standard input and prints its crypto_pwhash_str().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <sodium.h>

#include "agg_web.h"
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "util.h"

struct stub {
	struct loop loop;
	struct agg_web *web;
	struct loop_fd fifo;
	char line[65536];
	size_t n;
	json_t *gates, *alarms, *headcount, *recent;
	/* A flood goes out FLOOD_ROUND events a loop round, as a busy
	 * broker's messages would. */
	struct loop_timer flood;
	int flood_left, flood_sent;
	char *flood_pad;
	char failing[32];	/* the question answered 500 */
};

#define FLOOD_ROUND 10

/* The shapes are qrgate-aggregator's (src/agg/agg_query.c). */
static json_t *
stub_gate(const char *gate, const char *site, bool stale, int64_t ago_s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:I, s:i, s:i}",
	    "site", site, "gate", gate, "lane", "1", "state", "online",
	    "clean", 0, "stale", stale, "version", "0.1.0",
	    "heartbeat_ms", (json_int_t)(clock_utc_ms() - ago_s * 1000),
	    "gaps_open", 0, "missing", 0);
}

static void
stub_data(struct stub *s)
{
	s->gates = json_pack("[o, o, o, o]",
	    stub_gate("north-1", "hq", false, 2),
	    stub_gate("north-2", "hq", false, 4),
	    stub_gate("dock-1", "hq", true, 95),
	    stub_gate("east-1", "depot", false, 1));
	s->alarms = json_array();
	s->headcount = json_pack("{s:{s:i, s:i}, s:i}", "headcount",
	    "hq", 127, "depot", 18, "total", 145);
	s->recent = json_array();
}

/* Index of the element of arr with o's site, gate and key; -1 if none. */
static int
stub_find(json_t *arr, json_t *o, const char *key)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_equal(json_object_get(e, "site"), json_object_get(o, "site")) &&
		    json_equal(json_object_get(e, "gate"), json_object_get(o, "gate")) &&
		    json_equal(json_object_get(e, key), json_object_get(o, key)))
			return (int)i;
	return -1;
}

static void
stub_apply(struct stub *s, const char *type, json_t *o)
{
	int i;

	if (strcmp(type, "event") == 0) {
		json_array_insert(s->recent, 0, o);
		if (json_array_size(s->recent) > 50)
			json_array_remove(s->recent, 50);
	} else if (strcmp(type, "gate") == 0) {
		if ((i = stub_find(s->gates, o, "gate")) >= 0)
			json_object_update(json_array_get(s->gates, (size_t)i), o);
		else
			json_array_append(s->gates, o);
	} else if (strcmp(type, "alarm") == 0) {
		i = stub_find(s->alarms, o, "alarm");
		if (json_is_true(json_object_get(o, "active"))) {
			json_t *a = json_deep_copy(o);

			json_object_set(a, "began_ms", json_object_get(o, "ts_ms"));
			if (i >= 0)
				json_array_set_new(s->alarms, (size_t)i, a);
			else
				json_array_append_new(s->alarms, a);
		} else if (i >= 0)
			json_array_remove(s->alarms, (size_t)i);
	} else if (strcmp(type, "headcount") == 0) {
		json_decref(s->headcount);
		s->headcount = json_incref(o);
	}
}

static void
stub_flood_cb(struct loop *l, struct loop_timer *t)
{
	struct stub *s = container_of(t, struct stub, flood);
	json_t *o;

	for (int i = 0; i < FLOOD_ROUND && s->flood_left > 0; i++) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "gate",
		    "flood", "site", "hq", "result", "denied", "reason",
		    "unknown", "direction", "entry", "subject", s->flood_pad,
		    "seq", s->flood_sent++);
		agg_web_publish(s->web, "event", o);
		json_decref(o);
		s->flood_left--;
	}
	if (s->flood_left > 0) {
		loop_timer_set(l, t, 0);
		return;
	}
	free(s->flood_pad);
	s->flood_pad = NULL;
	log_info("stub: flooded %d events", s->flood_sent);
}

static void
stub_flood(struct stub *s, int n, int bytes)
{
	if (s->flood_pad != NULL || (s->flood_pad = malloc((size_t)bytes + 1)) == NULL)
		return;
	memset(s->flood_pad, 'x', (size_t)bytes);
	s->flood_pad[bytes] = '\0';
	s->flood_left = n;
	s->flood_sent = 0;
	s->flood.cb = stub_flood_cb;
	loop_timer_set(&s->loop, &s->flood, 0);
}

static void
stub_command(struct stub *s, char *line)
{
	char *sp = strchr(line, ' ');
	json_error_t err;
	json_t *o;
	int n, bytes;

	if (strcmp(line, "quit") == 0) {
		loop_stop(&s->loop);
		return;
	}
	if (sscanf(line, "flood %d %d", &n, &bytes) == 2 && n > 0 &&
	    bytes > 0 && bytes < 100000) {
		stub_flood(s, n, bytes);
		return;
	}
	if (sp == NULL) {
		log_warnx("stub: bad command \"%s\"", line);
		return;
	}
	*sp = '\0';
	/* "fail WHAT": the API answers 500 for WHAT ("none": for nothing). */
	if (strcmp(line, "fail") == 0) {
		snprintf(s->failing, sizeof(s->failing), "%s", sp + 1);
		log_info("stub: failing %s", s->failing);
		return;
	}
	if ((o = json_loads(sp + 1, 0, &err)) == NULL) {
		log_warnx("stub: %s: %s", line, err.text);
		return;
	}
	stub_apply(s, line, o);
	agg_web_publish(s->web, line, o);
	json_decref(o);
	log_info("stub: published %s", line);
}

static void
stub_fifo_cb(struct loop *l, struct loop_fd *f, uint32_t events)
{
	struct stub *s = container_of(f, struct stub, fifo);
	ssize_t r;
	char *nl;

	(void)l;
	(void)events;
	r = read(f->fd, s->line + s->n, sizeof(s->line) - 1 - s->n);
	if (r <= 0)
		return;
	s->n += (size_t)r;
	s->line[s->n] = '\0';
	while ((nl = strchr(s->line, '\n')) != NULL) {
		*nl = '\0';
		stub_command(s, s->line);
		s->n -= (size_t)(nl + 1 - s->line);
		memmove(s->line, nl + 1, s->n + 1);
	}
	if (s->n == sizeof(s->line) - 1)
		s->n = 0;	/* a line too long: dropped */
}

static json_t *
stub_api(void *arg, const char *what, const struct agg_web_query *q,
    int *status)
{
	struct stub *s = arg;
	const char *limit = agg_web_query_get(q, "limit");

	*status = 200;
	if (strcmp(what, s->failing) == 0)
		return NULL;
	if (strcmp(what, "gates") == 0)
		return json_incref(s->gates);
	if (strcmp(what, "alarms") == 0)
		return json_incref(s->alarms);
	if (strcmp(what, "headcount") == 0)
		return json_incref(s->headcount);
	if (strcmp(what, "recent") == 0) {
		if (limit != NULL && strspn(limit, "0123456789") != strlen(limit)) {
			*status = 400;
			return json_pack("{s:s}", "error", "limit: not a number");
		}
		return json_incref(s->recent);
	}
	if (strcmp(what, "fail") == 0)
		return NULL;
	*status = 404;
	return json_pack("{s:s}", "error", "unknown query");
}

static int
stub_hash_password(void)
{
	char pw[256], hash[crypto_pwhash_STRBYTES];
	size_t n;

	if (sodium_init() == -1 || fgets(pw, sizeof(pw), stdin) == NULL)
		return 1;
	n = strcspn(pw, "\r\n");
	pw[n] = '\0';
	if (n == 0 || crypto_pwhash_str(hash, pw, n,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "web_stub: could not hash the password\n");
		return 1;
	}
	sodium_memzero(pw, sizeof(pw));
	printf("%s\n", hash);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "password-hash", required_argument, NULL, 'P' },
		{ "web-root", required_argument, NULL, 'w' },
		{ "fifo", required_argument, NULL, 'f' },
		{ "hash-password", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct agg_web_config cfg = { .bind = "127.0.0.1", .port = 0,
	    .web_root = "src/agg/web" };
	struct agg_web_source src;
	struct stub *s;
	const char *fifo = NULL;
	int c, rc = 0;

	log_init("web_stub", LOG_LVL_INFO);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			snprintf(cfg.bind, sizeof(cfg.bind), "%s", optarg);
			break;
		case 'p':
			cfg.port = atoi(optarg);
			break;
		case 'P':
			snprintf(cfg.password_hash, sizeof(cfg.password_hash),
			    "%s", optarg);
			break;
		case 'w':
			snprintf(cfg.web_root, sizeof(cfg.web_root), "%s", optarg);
			break;
		case 'f':
			fifo = optarg;
			break;
		case 'H':
			return stub_hash_password();
		default:
			return 2;
		}
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || loop_init(&s->loop) == -1)
		return 1;
	stub_data(s);
	src.api = stub_api;
	src.arg = s;
	s->fifo.fd = -1;
	/* Read and write, so the FIFO never reads end-of-file between the
	 * test's writers. */
	if (fifo != NULL) {
		s->fifo.fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		s->fifo.cb = stub_fifo_cb;
		if (s->fifo.fd == -1 || loop_fd_add(&s->loop, &s->fifo, EPOLLIN) == -1) {
			log_warn("stub: %s", fifo);
			return 1;
		}
	}
	if ((s->web = agg_web_start(&s->loop, &cfg, &src)) == NULL) {
		rc = 1;
		goto done;
	}
	printf("port %d\n", agg_web_port(s->web));
	fflush(stdout);
	if (loop_run(&s->loop) == -1)
		rc = 1;
	agg_web_stop(s->web);
	loop_timer_cancel(&s->loop, &s->flood);
	free(s->flood_pad);
done:
	if (s->fifo.fd != -1)
		close(s->fifo.fd);
	json_decref(s->gates);
	json_decref(s->alarms);
	json_decref(s->headcount);
	json_decref(s->recent);
	loop_done(&s->loop);
	free(s);
	return rc;
}
