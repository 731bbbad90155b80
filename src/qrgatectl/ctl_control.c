/* qrgatectl's requests to the running daemon over its control socket. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "sitetime.h"
#include "timefmt.h"

/* How long qrgatectl waits for the daemon's answer. */
#define CTL_REPLY_TIMEOUT_S 10

/* Sends one request line; returns the daemon's JSON reply or NULL. */
static json_t *
ctl_request(const struct ctl *c, const char *line)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = c->cfg.control.socket;
	char buf[8192];
	size_t len = 0;
	ssize_t n = 0;
	json_error_t jerr;
	json_t *reply;
	struct timeval timeout = { .tv_sec = CTL_REPLY_TIMEOUT_S };
	int s, saved;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "qrgatectl: socket path too long: %s\n", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	/*
	 * A daemon that never answers must not hang a script: nor one that
	 * accepts and stays silent (the receive timeout), nor one whose
	 * loop no longer accepts, whose full backlog makes connect() wait
	 * (the send timeout bounds that wait on a Unix socket).
	 */
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) == -1 ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		saved = errno;
		if (saved == EAGAIN || saved == EWOULDBLOCK)
			fprintf(stderr, "qrgatectl: qrgated did not answer within "
			    "%d s\n", CTL_REPLY_TIMEOUT_S);
		else
			fprintf(stderr, "qrgatectl: cannot reach qrgated at %s: "
			    "%s\n", path, strerror(saved));
		if (s != -1)
			close(s);
		return NULL;
	}
	if (write(s, line, strlen(line)) == -1 || write(s, "\n", 1) == -1) {
		fprintf(stderr, "qrgatectl: %s: %s\n", path, strerror(errno));
		close(s);
		return NULL;
	}
	while (len < sizeof(buf) - 1 && (n = read(s, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	saved = errno;
	close(s);
	buf[len] = '\0';
	if (n == -1 && (saved == EAGAIN || saved == EWOULDBLOCK)) {
		fprintf(stderr, "qrgatectl: qrgated did not answer within %d s\n",
		    CTL_REPLY_TIMEOUT_S);
		return NULL;
	}
	if ((reply = json_loads(buf, 0, &jerr)) == NULL)
		fprintf(stderr, "qrgatectl: qrgated did not answer (%s)\n",
		    len == 0 ? "connection closed: not allowed?" : jerr.text);
	return reply;
}

/* Prints an {"ok": ...} reply; returns the exit status. */
static int
ctl_print_result(json_t *reply)
{
	int ok;

	if (reply == NULL)
		return 1;
	ok = json_is_true(json_object_get(reply, "ok"));
	if (ok) {
		char *text = json_dumps(reply, JSON_COMPACT);

		printf("%s\n", text);
		free(text);
	} else {
		fprintf(stderr, "qrgatectl: %s\n",
		    json_string_value(json_object_get(reply, "error")));
	}
	json_decref(reply);
	return ok ? 0 : 1;
}

/* A push's last result: "applied", "refused (reason: error)"... */
static void
ctl_status_last(const json_t *last)
{
	const char *reason = json_string_value(json_object_get(last, "reason"));
	const char *error = json_string_value(json_object_get(last, "error"));
	const json_t *v = json_object_get(last, "version");
	char when[TIMEFMT_LEN];

	if (last == NULL)
		return;
	printf("; last push: %s version ", json_string_value(json_object_get(
	    last, "scope")));
	if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else
		printf("?");
	printf(" %s", json_string_value(json_object_get(last, "result")));
	if (reason != NULL)
		printf(" (%s%s%s)", reason, error != NULL ? ": " : "",
		    error != NULL ? error : "");
	printf(" at %s", sitetime_format(json_integer_value(json_object_get(
	    last, "ts_ms")), when, sizeof(when)));
}

/* The config and credential versions held, and what the last push of
 * each came to. */
static void
ctl_status_pushes(const json_t *st)
{
	const json_t *cfg = json_object_get(st, "config");
	const json_t *cr = json_object_get(st, "credentials");

	if (cfg != NULL) {
		printf("config    gate push version %lld, site push version "
		    "%lld", (long long)json_integer_value(json_object_get(cfg,
		    "gate_version")), (long long)json_integer_value(
		    json_object_get(cfg, "site_version")));
		ctl_status_last(json_object_get(cfg, "last"));
		printf("\n");
	}
	if (cr != NULL) {
		printf("creds     list version %lld", (long long)
		    json_integer_value(json_object_get(cr, "version")));
		ctl_status_last(json_object_get(cr, "last"));
		printf("\n");
	}
}

static void
ctl_status_human(json_t *st)
{
	json_t *cam = json_object_get(st, "camera"), *n = json_object_get(st, "counters");
	json_t *ways = json_object_get(st, "ways"), *v;
	const char *k;
	size_t i;

	printf("gate      %s (site %s, lane %s), qrgated %s, up %llds\n",
	    json_string_value(json_object_get(st, "gate")),
	    json_string_value(json_object_get(st, "site")),
	    json_string_value(json_object_get(st, "lane")),
	    json_string_value(json_object_get(st, "version")),
	    (long long)json_integer_value(json_object_get(st, "uptime_s")));
	printf("camera    %s, %s (codes open the %s way)\n",
	    json_string_value(json_object_get(cam, "backend")),
	    json_string_value(json_object_get(cam, "state")),
	    json_string_value(json_object_get(cam, "direction")));
	json_array_foreach(json_object_get(st, "readers"), i, v)
		printf("reader    %s: %s %s, %s, %lld codes read (codes open "
		    "the %s way)\n",
		    json_string_value(json_object_get(v, "name")),
		    json_string_value(json_object_get(v, "backend")),
		    json_string_value(json_object_get(v, "device")),
		    json_string_value(json_object_get(v, "state")),
		    (long long)json_integer_value(json_object_get(v, "codes")),
		    json_string_value(json_object_get(v, "direction")));
	if ((v = json_object_get(st, "wiegand")) != NULL) {
		if (json_is_true(json_object_get(v, "reader")))
			printf("reader    wiegand: cards open the %s way; %lld "
			    "frames of noise\n", json_string_value(
			    json_object_get(v, "direction")), (long long)
			    json_integer_value(json_object_get(v, "noise")));
		if (json_is_true(json_object_get(v, "out")))
			printf("wiegand   out: %lld cards sent, %lld dropped, "
			    "a pulse at most %lld us late\n",
			    (long long)json_integer_value(json_object_get(v,
			    "sent")), (long long)json_integer_value(
			    json_object_get(v, "dropped")), (long long)
			    json_integer_value(json_object_get(v,
			    "late_max_us")));
	}
	json_object_foreach(ways, k, v)
		printf("way       %-5s %s\n", k, json_string_value(v));
	printf("alarms    fire %s, lockdown %s, passage sensor %s\n",
	    json_is_true(json_object_get(st, "fire_alarm")) ? "ON" : "off",
	    json_is_true(json_object_get(st, "lockdown")) ? "ON" : "off",
	    json_is_true(json_object_get(st, "passage_sensor")) ? "active" : "clear");
	if ((v = json_object_get(st, "tamper")) != NULL)
		printf("tamper    %s\n", json_is_true(v) ? "OPEN (alarm)" :
		    "shut");
	/* The raw reading is what a site sets supervision.levels from. */
	json_object_foreach(json_object_get(st, "supervision"), k, v) {
		json_t *raw = json_object_get(v, "raw");
		char rs[24] = "none";

		if (json_is_integer(raw))
			snprintf(rs, sizeof(rs), "%lld",
			    (long long)json_integer_value(raw));
		printf("loop      %s %s, raw %s%s\n", k,
		    json_string_value(json_object_get(v, "state")), rs,
		    json_is_true(json_object_get(v, "fault")) ?
		    " (ALARM: the wire cannot be trusted)" : "");
	}
	if ((v = json_object_get(st, "clock")) != NULL) {
		json_int_t floor = json_integer_value(json_object_get(v,
		    "floor_ms"));
		char when[TIMEFMT_LEN];

		printf("clock     %s%s; time floor %s\n",
		    json_is_true(json_object_get(v, "synced")) ?
		    "synchronised" : "not synchronised",
		    json_is_true(json_object_get(v, "behind_floor")) ?
		    ", behind the time floor" : "", floor > 0 ?
		    timefmt_format(floor, when, sizeof(when)) : "none");
	}
	if ((v = json_object_get(json_object_get(st, "mqtt"), "cert")) != NULL)
		printf("cert      client certificate until %s, %lld days left%s\n",
		    json_string_value(json_object_get(v, "not_after")),
		    (long long)json_integer_value(json_object_get(v,
		    "days_left")), json_is_true(json_object_get(v, "expiring")) ?
		    ": ALARM cert-expiring, renew it" : "");
	ctl_status_pushes(st);
	printf("counters ");
	json_object_foreach(n, k, v)
		printf(" %s %lld", k, (long long)json_integer_value(v));
	printf("\n");
}

int
ctl_status(struct ctl *c, int argc, char **argv)
{
	bool as_json = argc == 2 && strcmp(argv[1], "--json") == 0;
	json_t *st;

	if (argc > 2 || (argc == 2 && !as_json)) {
		fprintf(stderr, "usage: qrgatectl status [--json]\n");
		return 2;
	}
	if ((st = ctl_request(c, "status")) == NULL)
		return 1;
	if (as_json) {
		char *text = json_dumps(st, JSON_COMPACT);

		printf("%s\n", text);
		free(text);
	} else {
		ctl_status_human(st);
	}
	json_decref(st);
	return 0;
}

int
ctl_open(struct ctl *c, int argc, char **argv)
{
	char line[32];

	if (argc != 2 || (strcmp(argv[1], "entry") != 0 && strcmp(argv[1], "exit") != 0)) {
		fprintf(stderr, "usage: qrgatectl open entry|exit\n");
		return 2;
	}
	snprintf(line, sizeof(line), "open %s", argv[1]);
	return ctl_print_result(ctl_request(c, line));
}

int
ctl_lockdown(struct ctl *c, int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: qrgatectl %s\n", argv[0]);
		return 2;
	}
	return ctl_print_result(ctl_request(c, argv[0]));
}
