/*
 * qrgatectl push: what IT sends a gate over MQTT (a config push, a
 * credential snapshot or patch, a command), signed with the site admin's
 * secret key (signed_msg.h) and published at QoS 1; a credential list in
 * CSV goes as the chunks ctl_push_csv.c makes of it.  A short-lived client
 * of its own, so it runs libmosquitto's own loop; it returns once the
 * broker acknowledged every message or, with --wait-result, once the gate
 * answered on the result topic (subscribed before publishing, so that
 * the answer cannot come first).
 *
 * A site-wide push with --wait-result waits for every gate of the site:
 * those are the gates whose status the broker keeps (each gate publishes
 * it retained, so it comes with the subscription, before the broker
 * acknowledges the push), and any other that answers.  Each gate's answer
 * is one line; a gate that did not answer in time is one too.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>
#include <sodium.h>

#include "ctl.h"
#include "ctl_push.h"
#include "keyfile.h"
#include "signed_msg.h"
#include "util.h"

/* The largest body read: a credential chunk is at most 4 MiB. */
#define PUSH_BODY_MAX		(16 * 1024 * 1024)
#define PUSH_EXPIRES_MAX_S	600	/* what a gate accepts at most */

enum push_kind {
	K_CONFIG, K_SITE_CONFIG, K_CREDENTIALS, K_SITE_CREDENTIALS, K_PATCH,
	K_CMD,
};

static const struct {
	const char *name;
	const char *set;	/* the topic's tail */
	const char *result;
} push_kinds[] = {
	[K_CONFIG] = { "config", "config/set", "config/result" },
	[K_SITE_CONFIG] = { "site-config", "config/set", "config/result" },
	[K_CREDENTIALS] = { "credentials", "credentials/set",
	    "credentials/result" },
	[K_SITE_CREDENTIALS] = { "site-credentials", "credentials/set",
	    "credentials/result" },
	[K_PATCH] = { "patch", "credentials/patch", "credentials/result" },
	[K_CMD] = { "cmd", "cmd", "cmd/result" },
};

struct push_opts {
	enum push_kind kind;
	const char *key, *body_path, *host, *cafile, *cert, *keyfile;
	const char *prefix, *site, *gate, *id, *csv;
	int port, timeout_s, expires_in_s;
	int64_t cred_version;	/* --version; 0: the time */
	long chunk_rows;
	bool tls, gate_given, wait, print;
};

/* What the callbacks see. */
struct push_client {
	const char *prefix, *site;
	const char *result_topic;
	const char *status_topic;	/* site-wide: the gates' statuses */
	const char *gate;	/* the gate whose answer ends it; NULL: all */
	int *mids;		/* of the messages sent, in order */
	int n_mids, n_acked;
	int subs_wanted, subs_acked;
	bool connected, subscribed, acked, lost, answered;
	int conn_rc;
	/* What identifies our message in a result: its id or its version. */
	const char *id;
	json_int_t version;
	/* A list in chunks: a gate has answered once it applied the last
	 * chunk or refused one, not at its first "staged". */
	bool chunked;
	json_t *known;		/* gate: the state its status says */
	json_t *answers;	/* gate: its answer */
};

static bool
push_kind_site(enum push_kind k)
{
	return k == K_SITE_CONFIG || k == K_SITE_CREDENTIALS;
}

static void
push_usage(void)
{
	fprintf(stderr,
	    "usage: qrgatectl push config|site-config|credentials|"
	    "site-credentials|patch [FILE] OPTIONS\n"
	    "       qrgatectl push credentials|site-credentials --csv FILE "
	    "[--version N] [--chunk-rows N] OPTIONS\n"
	    "       qrgatectl push cmd open entry|exit|lockdown|release|normal "
	    "[--expires-in S] [--id ID] OPTIONS\n"
	    "options: --key ADMIN_SK_FILE [--host H] [--port P] [--cafile F "
	    "--cert F --keyfile F]\n"
	    "         [--prefix P] [--site S] [--gate G | --all] [--body FILE] "
	    "[--wait-result] [--timeout S] [--print]\n");
}

/* All of path ("-": stdin), at most PUSH_BODY_MAX bytes, malloc'd. */
static char *
push_read(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;

	if (f == NULL) {
		fprintf(stderr, "qrgatectl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (n == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > PUSH_BODY_MAX + 1 ||
			    (p = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "qrgatectl: %s: more than %d "
				    "bytes\n", path, PUSH_BODY_MAX);
				goto fail;
			}
			buf = p;
		}
		n += r = fread(buf + n, 1, cap - n, f);
	} while (r > 0);
	if (ferror(f)) {
		fprintf(stderr, "qrgatectl: %s: read error\n", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

/* The body of a command from its arguments, e.g. "open entry". */
static char *
push_cmd_body(const struct push_opts *o, int argc, char **argv, size_t *len)
{
	char id[40];
	uint8_t rnd[8];
	struct timespec now;
	int64_t expires;
	json_t *doc;
	char *text;

	if (o->id == NULL) {
		randombytes_buf(rnd, sizeof(rnd));
		strcpy(id, "ctl-");
		sodium_bin2hex(id + 4, sizeof(id) - 4, rnd, sizeof(rnd));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	expires = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 +
	    (int64_t)o->expires_in_s * 1000;
	doc = json_pack("{s:s, s:s, s:I}", "id", o->id != NULL ? o->id : id,
	    "cmd", argv[0], "expires", (json_int_t)expires);
	if (doc != NULL && argc == 2)
		json_object_set_new(doc, "way", json_string(argv[1]));
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		return NULL;
	}
	*len = strlen(text);
	return text;
}

static void
push_on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct push_client *pc = arg;

	(void)mosq;
	pc->conn_rc = rc;
	pc->connected = rc == 0;
	if (rc != 0)
		pc->lost = true;
}

static void
push_on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	struct push_client *pc = arg;

	(void)mosq;
	(void)rc;
	pc->lost = true;
}

static void
push_on_subscribe(struct mosquitto *mosq, void *arg, int mid, int n,
    const int *qos)
{
	struct push_client *pc = arg;

	(void)mosq;
	(void)mid;
	/* 0x80: the broker refused the subscription (its ACL). */
	if (n != 1 || qos[0] == 0x80)
		pc->lost = true;
	else if (++pc->subs_acked == pc->subs_wanted)
		pc->subscribed = true;
}

/* Whether every gate waited for has answered, once all was sent. */
static void
push_check_answered(struct push_client *pc)
{
	const char *gate;
	json_t *v;

	if (!pc->acked)
		return;
	if (pc->gate != NULL) {
		pc->answered = json_object_get(pc->answers, pc->gate) != NULL;
		return;
	}
	if (json_object_size(pc->known) == 0)
		return;
	json_object_foreach(pc->known, gate, v)
		if (json_object_get(pc->answers, gate) == NULL)
			return;
	pc->answered = true;
}

static void
push_on_publish(struct mosquitto *mosq, void *arg, int mid)
{
	struct push_client *pc = arg;

	(void)mosq;
	for (int i = 0; i < pc->n_mids; i++)
		if (pc->mids[i] == mid && ++pc->n_acked == pc->n_mids)
			pc->acked = true;
	push_check_answered(pc);
}

/* The gate of <prefix>/<site>/<gate>/..., into buf; -1 if none. */
static int
push_topic_gate(const struct push_client *pc, const char *topic, char *buf,
    size_t len)
{
	size_t pl = strlen(pc->prefix), sl = strlen(pc->site), n;
	const char *g = topic + pl + 1 + sl + 1, *end;

	if (strlen(topic) <= pl + sl + 2 || (end = strchr(g, '/')) == NULL ||
	    (n = (size_t)(end - g)) == 0 || n >= len)
		return -1;
	memcpy(buf, g, n);
	buf[n] = '\0';
	return 0;
}

/* Whether an answer is a gate's last word on what was sent. */
static bool
push_answer_final(const struct push_client *pc, const json_t *doc)
{
	const char *ignored = json_string_value(json_object_get(doc,
	    "ignored"));

	if (!pc->chunked)
		return true;
	if (json_is_true(json_object_get(doc, "ok")))
		return json_object_get(doc, "applied") != NULL;
	/* A chunk the broker delivered twice says nothing of the list. */
	return ignored == NULL || strcmp(ignored, "duplicate") != 0;
}

static bool
push_topic_is(const char *sub, const char *topic)
{
	bool match = false;

	return sub != NULL && mosquitto_topic_matches_sub(sub, topic,
	    &match) == MOSQ_ERR_SUCCESS && match;
}

/*
 * A result on our topic is ours when it names our id or version, or
 * neither: a message refused before its handler (a bad signature) has
 * nothing to name it by.  A status tells a gate of the site.
 */
static void
push_on_message(struct mosquitto *mosq, void *arg,
    const struct mosquitto_message *msg)
{
	struct push_client *pc = arg;
	char gate[128];
	json_t *doc, *id, *v;
	const char *state;

	(void)mosq;
	if (push_topic_gate(pc, msg->topic, gate, sizeof(gate)) == -1)
		return;
	doc = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return;
	}
	if (push_topic_is(pc->status_topic, msg->topic)) {
		state = json_string_value(json_object_get(doc, "state"));
		json_object_set_new(pc->known, gate,
		    json_string(state != NULL ? state : "unknown"));
		json_decref(doc);
		push_check_answered(pc);
		return;
	}
	if (pc->n_mids == 0 || !push_topic_is(pc->result_topic, msg->topic) ||
	    json_object_get(pc->answers, gate) != NULL) {
		json_decref(doc);
		return;
	}
	id = json_object_get(doc, "id");
	v = json_object_get(doc, "version");
	if ((json_is_string(id) && (pc->id == NULL ||
	    strcmp(json_string_value(id), pc->id) != 0)) ||
	    (json_is_integer(v) && json_integer_value(v) != pc->version) ||
	    !push_answer_final(pc, doc)) {
		json_decref(doc);
		return;
	}
	json_object_set_new(pc->answers, gate, doc);
	push_check_answered(pc);
}

/* Runs libmosquitto's loop until *flag, a lost connection or deadline;
 * quiet: the deadline is no error of its own. */
static int
push_loop_until(struct mosquitto *mosq, struct push_client *pc,
    const bool *flag, const struct timespec *deadline, const char *what,
    bool quiet)
{
	struct timespec now;
	int rc;

	while (!*flag && !pc->lost) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline->tv_sec || (now.tv_sec ==
		    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec)) {
			if (!quiet)
				fprintf(stderr, "qrgatectl: timed out waiting "
				    "for %s\n", what);
			return -1;
		}
		rc = mosquitto_loop(mosq, 100, 1);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "qrgatectl: waiting for %s: %s\n", what,
			    mosquitto_strerror(rc));
			return -1;
		}
	}
	if (!*flag) {
		fprintf(stderr, "qrgatectl: waiting for %s: %s\n", what,
		    pc->conn_rc != 0 ? mosquitto_connack_string(pc->conn_rc) :
		    "the broker refused or closed the connection");
		return -1;
	}
	return 0;
}

static int
push_subscribe(struct mosquitto *mosq, struct push_client *pc,
    const char *topic)
{
	int rc;

	if ((rc = mosquitto_subscribe(mosq, NULL, topic, 1)) !=
	    MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: subscribe %s: %s\n", topic,
		    mosquitto_strerror(rc));
		return -1;
	}
	pc->subs_wanted++;
	return 0;
}

/*
 * Publishes each of the n envelopes env on topic, in order; with o->wait,
 * waits for the answers (pc->answers).  0 once sent (and, with o->wait,
 * answered, or for a site-wide push once the time was up), else 1.
 */
static int
push_send(const struct ctl *c, const struct push_opts *o, const char *topic,
    char *const *env, int n, struct push_client *pc)
{
	const struct config_mqtt *mc = &c->cfg.mqtt;
	struct mosquitto *mosq;
	struct timespec deadline;
	char client_id[64];
	int rc, status = 1;

	snprintf(client_id, sizeof(client_id), "qrgatectl-push-%ld",
	    (long)getpid());
	if ((pc->mids = calloc((size_t)n, sizeof(*pc->mids))) == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		return 1;
	}
	mosquitto_lib_init();
	if ((mosq = mosquitto_new(client_id, true, pc)) == NULL) {
		fprintf(stderr, "qrgatectl: mosquitto_new: %s\n",
		    strerror(errno));
		goto done;
	}
	mosquitto_connect_callback_set(mosq, push_on_connect);
	mosquitto_disconnect_callback_set(mosq, push_on_disconnect);
	mosquitto_subscribe_callback_set(mosq, push_on_subscribe);
	mosquitto_publish_callback_set(mosq, push_on_publish);
	mosquitto_message_callback_set(mosq, push_on_message);
	if (mc->username[0] != '\0' && (rc = mosquitto_username_pw_set(mosq,
	    mc->username, mc->password[0] != '\0' ? mc->password : NULL)) !=
	    MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: %s\n", mosquitto_strerror(rc));
		goto done;
	}
	/* Without a CA file, the system's CAs; libmosquitto checks the
	 * broker's name against o->host. */
	if (o->tls && (rc = mosquitto_tls_set(mosq, o->cafile,
	    o->cafile == NULL ? "/etc/ssl/certs" : NULL, o->cert, o->keyfile,
	    NULL)) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: TLS: %s\n", mosquitto_strerror(rc));
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += o->timeout_s;
	if ((rc = mosquitto_connect(mosq, o->host, o->port, 30)) !=
	    MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: %s:%d: %s\n", o->host, o->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
		goto done;
	}
	if (push_loop_until(mosq, pc, &pc->connected, &deadline,
	    "the broker's CONNACK", false) == -1)
		goto done;
	if (o->wait) {
		if (push_subscribe(mosq, pc, pc->result_topic) == -1 ||
		    (pc->status_topic != NULL &&
		    push_subscribe(mosq, pc, pc->status_topic) == -1))
			goto done;
		if (push_loop_until(mosq, pc, &pc->subscribed, &deadline,
		    "the subscription to the result", false) == -1)
			goto done;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = mosquitto_publish(mosq, &pc->mids[i], topic,
		    (int)strlen(env[i]), env[i], 1, false)) !=
		    MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "qrgatectl: publish %s: %s\n", topic,
			    mosquitto_strerror(rc));
			goto done;
		}
		pc->n_mids = i + 1;
	}
	if (push_loop_until(mosq, pc, &pc->acked, &deadline,
	    "the broker's PUBACK", false) == -1)
		goto done;
	push_check_answered(pc);
	if (!o->wait) {
		status = 0;
		goto done;
	}
	/* Site-wide, the time running out is an answer too: which gates
	 * gave none is printed. */
	if (push_loop_until(mosq, pc, &pc->answered, &deadline,
	    "the gate's result", pc->gate == NULL) == -1 &&
	    (pc->gate != NULL || pc->lost))
		goto done;
	status = 0;
done:
	if (mosq != NULL) {
		if (pc->connected && !pc->lost)
			mosquitto_disconnect(mosq);
		mosquitto_destroy(mosq);
	}
	mosquitto_lib_cleanup();
	return status;
}

/*
 * A site-wide push's answers, one line per gate in name order: the
 * gate's answer with its name, or that it gave none.  The exit status:
 * 1 when a gate refused or did not answer, or no gate is known.
 */
static int
push_print_site(const struct push_opts *o, struct push_client *pc)
{
	json_t *gates = json_array(), *line, *a, *v;
	const char *gate;
	char *text;
	size_t i;
	int status = 0;

	json_object_foreach(pc->known, gate, v)
		json_array_append_new(gates, json_string(gate));
	json_object_foreach(pc->answers, gate, v)
		if (json_object_get(pc->known, gate) == NULL)
			json_array_append_new(gates, json_string(gate));
	if (json_array_size(gates) == 0) {
		fprintf(stderr, "qrgatectl: no gate of site %s answered, and "
		    "none has a status on the broker\n", o->site);
		json_decref(gates);
		return 1;
	}
	/* Sorted by name: a few gates, an insertion sort is enough. */
	for (i = 1; i < json_array_size(gates); i++)
		for (size_t k = i; k > 0 && strcmp(json_string_value(
		    json_array_get(gates, k - 1)), json_string_value(
		    json_array_get(gates, k))) > 0; k--) {
			v = json_incref(json_array_get(gates, k));
			json_array_set(gates, k, json_array_get(gates, k - 1));
			json_array_set_new(gates, k - 1, v);
		}
	json_array_foreach(gates, i, v) {
		gate = json_string_value(v);
		line = json_pack("{s:s}", "gate", gate);
		if ((a = json_object_get(pc->answers, gate)) != NULL)
			json_object_update(line, a);
		else {
			char why[96];

			snprintf(why, sizeof(why), "no answer within %d s%s",
			    o->timeout_s, json_object_get(pc->known, gate) !=
			    NULL && strcmp(json_string_value(json_object_get(
			    pc->known, gate)), "online") != 0 ?
			    " (the gate is offline)" : "");
			json_object_set_new(line, "ok", json_false());
			json_object_set_new(line, "reason",
			    json_string("no-answer"));
			json_object_set_new(line, "error", json_string(why));
		}
		if (!json_is_true(json_object_get(line, "ok")))
			status = 1;
		text = json_dumps(line, JSON_COMPACT);
		printf("%s\n", text != NULL ? text : "");
		free(text);
		json_decref(line);
	}
	json_decref(gates);
	return status;
}

/*
 * Reads the options after the kind.  Returns the index of the first
 * argument that is not an option, or -1 (usage told).
 */
static int
push_opts_parse(const struct ctl *c, struct push_opts *o, int argc,
    char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "cafile", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "keyfile", required_argument, NULL, 'K' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "site", required_argument, NULL, 's' },
		{ "gate", required_argument, NULL, 'g' },
		{ "all", no_argument, NULL, 'a' },
		{ "body", required_argument, NULL, 'b' },
		{ "id", required_argument, NULL, 'i' },
		{ "expires-in", required_argument, NULL, 'e' },
		{ "wait-result", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "print", no_argument, NULL, 'n' },
		{ "csv", required_argument, NULL, 'c' },
		{ "version", required_argument, NULL, 'V' },
		{ "chunk-rows", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct config_mqtt *mc = &c->cfg.mqtt;
	char *end;
	long v;
	int ch;

	o->host = mc->host;
	o->port = mc->port;
	if ((o->tls = mc->tls)) {
		o->cafile = mc->ca_file[0] != '\0' ? mc->ca_file : NULL;
		o->cert = mc->cert_file[0] != '\0' ? mc->cert_file : NULL;
		o->keyfile = mc->key_file[0] != '\0' ? mc->key_file : NULL;
	}
	o->prefix = mc->topic_prefix;
	o->site = c->cfg.gate.site;
	o->gate = c->cfg.gate.id;
	o->timeout_s = 10;
	o->expires_in_s = 60;
	/* Options may follow the arguments: "push cmd open entry --key K". */
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			o->key = optarg;
			break;
		case 'H':
			o->host = optarg;
			break;
		case 'A':
			o->cafile = optarg;
			o->tls = true;
			break;
		case 'C':
			o->cert = optarg;
			break;
		case 'K':
			o->keyfile = optarg;
			break;
		case 'P':
			o->prefix = optarg;
			break;
		case 's':
			o->site = optarg;
			break;
		case 'g':
			o->gate = optarg;
			o->gate_given = true;
			break;
		case 'a':
			if (o->kind == K_CONFIG)
				o->kind = K_SITE_CONFIG;
			else if (o->kind == K_CREDENTIALS)
				o->kind = K_SITE_CREDENTIALS;
			else if (!push_kind_site(o->kind)) {
				fprintf(stderr, "qrgatectl: --all is for config "
				    "pushes and credential lists only\n");
				return -1;
			}
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 'V':
		case 'r':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v < 1 ||
			    (ch == 'r' && v > PUSH_CHUNK_ROWS_MAX)) {
				fprintf(stderr, "qrgatectl: %s: out of range\n",
				    optarg);
				return -1;
			}
			if (ch == 'V')
				o->cred_version = v;
			else
				o->chunk_rows = v;
			break;
		case 'b':
			o->body_path = optarg;
			break;
		case 'i':
			o->id = optarg;
			break;
		case 'w':
			o->wait = true;
			break;
		case 'n':
			o->print = true;
			break;
		case 'p':
		case 't':
		case 'e':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v < 1 ||
			    v > (ch == 'p' ? 65535 : ch == 'e' ?
			    PUSH_EXPIRES_MAX_S : 3600)) {
				fprintf(stderr, "qrgatectl: %s: out of range\n",
				    optarg);
				return -1;
			}
			if (ch == 'p')
				o->port = (int)v;
			else if (ch == 't')
				o->timeout_s = (int)v;
			else
				o->expires_in_s = (int)v;
			break;
		default:
			push_usage();
			return -1;
		}
	}
	if (o->key == NULL) {
		fprintf(stderr, "qrgatectl: push: --key ADMIN_SK_FILE is needed\n");
		return -1;
	}
	if (o->site[0] == '\0' || o->prefix[0] == '\0' ||
	    (!push_kind_site(o->kind) && o->gate[0] == '\0')) {
		fprintf(stderr, "qrgatectl: push: --prefix, --site and --gate (or "
		    "--all) are needed\n");
		return -1;
	}
	if (o->csv != NULL && o->kind != K_CREDENTIALS &&
	    o->kind != K_SITE_CREDENTIALS) {
		fprintf(stderr, "qrgatectl: push: --csv is for credentials and "
		    "site-credentials\n");
		return -1;
	}
	if (o->csv == NULL && (o->cred_version != 0 || o->chunk_rows != 0)) {
		fprintf(stderr, "qrgatectl: push: --version and --chunk-rows go "
		    "with --csv\n");
		return -1;
	}
	if ((o->cert == NULL) != (o->keyfile == NULL)) {
		fprintf(stderr, "qrgatectl: push: --cert and --keyfile go "
		    "together\n");
		return -1;
	}
	return optind;
}

/*
 * The default version of a list sent from a CSV: the UTC time as
 * YYYYMMDDHHMMSS, which grows with each push made a second or more after
 * the last and reads as the time it was made in `status`.
 */
static int64_t
push_time_version(void)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	return ((((((int64_t)tm.tm_year + 1900) * 100 + tm.tm_mon + 1) * 100 +
	    tm.tm_mday) * 100 + tm.tm_hour) * 100 + tm.tm_min) * 100 +
	    tm.tm_sec;
}

/* The message bodies: a command's from its arguments, a CSV's chunks, or
 * the one document of a file.  0, or the exit status. */
static int
push_bodies(struct push_opts *o, int argc, char **argv,
    struct push_chunks *b)
{
	const char *path;
	size_t len = 0;
	char *body;

	memset(b, 0, sizeof(*b));
	if (o->csv != NULL) {
		if (argc > 0 || o->body_path != NULL) {
			push_usage();
			return 2;
		}
		if (o->cred_version == 0)
			o->cred_version = push_time_version();
		return push_csv_chunks(o->csv, o->cred_version,
		    o->chunk_rows != 0 ? (size_t)o->chunk_rows :
		    PUSH_CHUNK_ROWS, b) == 0 ? 0 : 1;
	}
	if (o->kind == K_CMD && o->body_path == NULL) {
		/* "open" takes a way; the others nothing. */
		if (argc < 1 || argc > 2 ||
		    (strcmp(argv[0], "open") == 0) != (argc == 2)) {
			push_usage();
			return 2;
		}
		body = push_cmd_body(o, argc, argv, &len);
	} else {
		path = o->body_path != NULL ? o->body_path : argc > 0 ? argv[0] :
		    "-";
		if (argc > (o->body_path != NULL ? 0 : 1)) {
			push_usage();
			return 2;
		}
		body = push_read(path, &len);
	}
	if (body == NULL || (b->body = calloc(1, sizeof(*b->body))) == NULL ||
	    (b->len = calloc(1, sizeof(*b->len))) == NULL) {
		free(body);
		push_chunks_free(b);
		return 1;
	}
	b->body[0] = body;
	b->len[0] = len;
	b->n = 1;
	return 0;
}

int
ctl_push(struct ctl *c, int argc, char **argv)
{
	struct push_opts o = { 0 };
	struct push_client pc = { 0 };
	struct push_chunks b;
	char topic[512], full[600], result_topic[600], status_topic[600];
	char err[256], **env = NULL;
	uint8_t sk[64];
	size_t k;
	json_t *doc;
	int first, status = 1, n = 0;

	if (argc < 2) {
		push_usage();
		return 2;
	}
	for (k = 0; k < nitems(push_kinds); k++)
		if (strcmp(argv[1], push_kinds[k].name) == 0)
			break;
	if (k == nitems(push_kinds)) {
		push_usage();
		return 2;
	}
	o.kind = (enum push_kind)k;
	/*
	 * From the kind on, and with getopt's state started afresh (optind
	 * 0), so that options may come after the arguments: qrgatectl's own
	 * getopt stops at the first argument, and glibc would keep that.
	 */
	argc--;
	argv++;
	optind = 0;
	if ((first = push_opts_parse(c, &o, argc, argv)) == -1)
		return 2;
	argc -= first;
	argv += first;
	/* Nothing is sent of a list with a bad row: the reading says
	 * FILE:LINE and stops here. */
	if ((status = push_bodies(&o, argc, argv, &b)) != 0)
		return status;
	status = 1;

	snprintf(topic, sizeof(topic), "%s/%s/%s", o.site,
	    push_kind_site(o.kind) ? "all" : o.gate, push_kinds[o.kind].set);
	/* The site-wide push is answered by every gate, or the one named. */
	snprintf(result_topic, sizeof(result_topic), "%s/%s/%s/%s", o.prefix,
	    o.site, push_kind_site(o.kind) && !o.gate_given ? "+" : o.gate,
	    push_kinds[o.kind].result);
	snprintf(status_topic, sizeof(status_topic), "%s/%s/+/status",
	    o.prefix, o.site);
	if (sodium_init() < 0 || key_sk_read(o.key, sk, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		goto done;
	}
	if ((env = calloc((size_t)b.n, sizeof(*env))) == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		goto done;
	}
	for (n = 0; n < b.n; n++)
		if ((env[n] = signed_msg_seal(topic, (const uint8_t *)b.body[n],
		    b.len[n], sk, err, sizeof(err))) == NULL)
			break;
	sodium_memzero(sk, sizeof(sk));
	if (n < b.n) {
		fprintf(stderr, "qrgatectl: push: %s\n", err);
		goto done;
	}
	if (o.print) {
		for (int i = 0; i < n; i++)
			printf("%s\n", env[i]);
		status = 0;
		goto done;
	}
	if (o.csv != NULL)
		fprintf(stderr, "qrgatectl: push: %zu credentials of %s, version "
		    "%lld, in %d chunk%s to %s\n", b.rows, o.csv,
		    (long long)o.cred_version, b.n, b.n == 1 ? "" : "s", topic);

	/* What the gate's result will name: the id or the version. */
	if ((doc = json_loadb(b.body[0], b.len[0], 0, NULL)) != NULL) {
		if (json_is_string(json_object_get(doc, "id")))
			pc.id = strdup(json_string_value(json_object_get(doc,
			    "id")));
		pc.version = json_integer_value(json_object_get(doc, "version"));
		json_decref(doc);
	}
	pc.prefix = o.prefix;
	pc.site = o.site;
	pc.result_topic = result_topic;
	pc.chunked = o.csv != NULL;
	pc.known = json_object();
	pc.answers = json_object();
	if (push_kind_site(o.kind) && !o.gate_given)
		pc.status_topic = status_topic;
	else
		pc.gate = o.gate;
	snprintf(full, sizeof(full), "%s/%s", o.prefix, topic);
	status = push_send(c, &o, full, env, n, &pc);
	if (status == 0 && o.wait && pc.gate == NULL)
		status = push_print_site(&o, &pc);
	else if (status == 0 && o.wait) {
		json_t *res = json_object_get(pc.answers, pc.gate);
		char *text = json_dumps(res, JSON_COMPACT);

		printf("%s\n", text != NULL ? text : "");
		free(text);
		if (!json_is_true(json_object_get(res, "ok")))
			status = 1;
	}
	json_decref(pc.known);
	json_decref(pc.answers);
	free(pc.mids);
	free((char *)pc.id);
done:
	for (int i = 0; env != NULL && i < n; i++)
		free(env[i]);
	free(env);
	push_chunks_free(&b);
	return status;
}
