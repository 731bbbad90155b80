/*
 * qrgatectl push: what IT sends a gate over MQTT (a config push, a
 * credential snapshot or patch, a command), signed with the site admin's
 * secret key (signed_msg.h) and published at QoS 1.  A short-lived client
 * of its own, so it runs libmosquitto's own loop; it returns once the
 * broker acknowledged the message or, with --wait-result, once the gate
 * answered on the result topic (subscribed before publishing, so that
 * the answer cannot come first).
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
#include "keyfile.h"
#include "signed_msg.h"
#include "util.h"

/* The largest body read: a credential chunk is at most 4 MiB. */
#define PUSH_BODY_MAX		(16 * 1024 * 1024)
#define PUSH_EXPIRES_MAX_S	600	/* what a gate accepts at most */

enum push_kind { K_CONFIG, K_SITE_CONFIG, K_CREDENTIALS, K_PATCH, K_CMD };

static const struct {
	const char *name;
	const char *set;	/* the topic's tail */
	const char *result;
} push_kinds[] = {
	[K_CONFIG] = { "config", "config/set", "config/result" },
	[K_SITE_CONFIG] = { "site-config", "config/set", "config/result" },
	[K_CREDENTIALS] = { "credentials", "credentials/set",
	    "credentials/result" },
	[K_PATCH] = { "patch", "credentials/patch", "credentials/result" },
	[K_CMD] = { "cmd", "cmd", "cmd/result" },
};

struct push_opts {
	enum push_kind kind;
	const char *key, *body_path, *host, *cafile, *cert, *keyfile;
	const char *prefix, *site, *gate, *id;
	int port, timeout_s, expires_in_s;
	bool tls, gate_given, wait, print;
};

/* What the callbacks see. */
struct push_client {
	const char *result_topic;
	int mid;
	bool connected, subscribed, acked, lost, answered;
	int conn_rc;
	/* What identifies our message in a result: its id or its version. */
	const char *id;
	json_int_t version;
	json_t *result;
};

static void
push_usage(void)
{
	fprintf(stderr,
	    "usage: qrgatectl push config|site-config|credentials|patch [FILE] "
	    "OPTIONS\n"
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
	pc->subscribed = n == 1 && qos[0] != 0x80;
	if (!pc->subscribed)
		pc->lost = true;
}

static void
push_on_publish(struct mosquitto *mosq, void *arg, int mid)
{
	struct push_client *pc = arg;

	(void)mosq;
	if (mid == pc->mid)
		pc->acked = true;
}

/*
 * A result on our topic is ours when it names our id or version, or
 * neither: a message refused before its handler (a bad signature) has
 * nothing to name it by.
 */
static void
push_on_message(struct mosquitto *mosq, void *arg,
    const struct mosquitto_message *msg)
{
	struct push_client *pc = arg;
	bool match = false;
	json_t *doc, *id, *v;

	(void)mosq;
	if (pc->answered || pc->mid == 0 ||
	    mosquitto_topic_matches_sub(pc->result_topic, msg->topic,
	    &match) != MOSQ_ERR_SUCCESS || !match)
		return;
	doc = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return;
	}
	id = json_object_get(doc, "id");
	v = json_object_get(doc, "version");
	if ((json_is_string(id) && (pc->id == NULL ||
	    strcmp(json_string_value(id), pc->id) != 0)) ||
	    (json_is_integer(v) && json_integer_value(v) != pc->version)) {
		json_decref(doc);
		return;
	}
	pc->result = doc;
	pc->answered = true;
}

/* Runs libmosquitto's loop until *flag, a lost connection or deadline. */
static int
push_loop_until(struct mosquitto *mosq, struct push_client *pc,
    const bool *flag, const struct timespec *deadline, const char *what)
{
	struct timespec now;
	int rc;

	while (!*flag && !pc->lost) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline->tv_sec || (now.tv_sec ==
		    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec)) {
			fprintf(stderr, "qrgatectl: timed out waiting for %s\n",
			    what);
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

/* Publishes env on topic; prints the result with o->wait.  Exit status. */
static int
push_send(const struct ctl *c, const struct push_opts *o, const char *topic,
    const char *result_topic, const char *env, struct push_client *pc)
{
	const struct config_mqtt *mc = &c->cfg.mqtt;
	struct mosquitto *mosq;
	struct timespec deadline;
	char client_id[64];
	int rc, status = 1;

	snprintf(client_id, sizeof(client_id), "qrgatectl-push-%ld",
	    (long)getpid());
	pc->result_topic = result_topic;
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
	    "the broker's CONNACK") == -1)
		goto done;
	if (o->wait) {
		if ((rc = mosquitto_subscribe(mosq, NULL, result_topic, 1)) !=
		    MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "qrgatectl: subscribe %s: %s\n",
			    result_topic, mosquitto_strerror(rc));
			goto done;
		}
		if (push_loop_until(mosq, pc, &pc->subscribed, &deadline,
		    "the subscription to the result") == -1)
			goto done;
	}
	if ((rc = mosquitto_publish(mosq, &pc->mid, topic, (int)strlen(env),
	    env, 1, false)) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "qrgatectl: publish %s: %s\n", topic,
		    mosquitto_strerror(rc));
		goto done;
	}
	if (push_loop_until(mosq, pc, &pc->acked, &deadline,
	    "the broker's PUBACK") == -1)
		goto done;
	if (!o->wait) {
		status = 0;
		goto done;
	}
	if (push_loop_until(mosq, pc, &pc->answered, &deadline,
	    "the gate's result") == -1)
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
			else if (o->kind != K_SITE_CONFIG) {
				fprintf(stderr, "qrgatectl: --all is for site-wide "
				    "config pushes only\n");
				return -1;
			}
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
	    (o->kind != K_SITE_CONFIG && o->gate[0] == '\0')) {
		fprintf(stderr, "qrgatectl: push: --prefix, --site and --gate (or "
		    "--all) are needed\n");
		return -1;
	}
	if ((o->cert == NULL) != (o->keyfile == NULL)) {
		fprintf(stderr, "qrgatectl: push: --cert and --keyfile go "
		    "together\n");
		return -1;
	}
	return optind;
}

int
ctl_push(struct ctl *c, int argc, char **argv)
{
	struct push_opts o = { 0 };
	struct push_client pc = { 0 };
	char topic[512], full[600], result_topic[600], err[256];
	const char *path;
	char *body = NULL, *env = NULL;
	uint8_t sk[64];
	size_t len = 0, k;
	json_t *doc;
	int first, status = 1;

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

	if (o.kind == K_CMD && o.body_path == NULL) {
		/* "open" takes a way; the others nothing. */
		if (argc < 1 || argc > 2 ||
		    (strcmp(argv[0], "open") == 0) != (argc == 2)) {
			push_usage();
			return 2;
		}
		body = push_cmd_body(&o, argc, argv, &len);
	}
	else {
		path = o.body_path != NULL ? o.body_path : argc > 0 ? argv[0] :
		    "-";
		if (argc > (o.body_path != NULL ? 0 : 1)) {
			push_usage();
			return 2;
		}
		body = push_read(path, &len);
	}
	if (body == NULL)
		return 1;

	snprintf(topic, sizeof(topic), "%s/%s/%s", o.site,
	    o.kind == K_SITE_CONFIG ? "all" : o.gate, push_kinds[o.kind].set);
	/* The site-wide push is answered by every gate: the one named, or
	 * the first to answer. */
	snprintf(result_topic, sizeof(result_topic), "%s/%s/%s/%s", o.prefix,
	    o.site, o.kind == K_SITE_CONFIG && !o.gate_given ? "+" : o.gate,
	    push_kinds[o.kind].result);
	if (sodium_init() < 0 || key_sk_read(o.key, sk, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		goto done;
	}
	env = signed_msg_seal(topic, (const uint8_t *)body, len, sk, err,
	    sizeof(err));
	sodium_memzero(sk, sizeof(sk));
	if (env == NULL) {
		fprintf(stderr, "qrgatectl: push: %s\n", err);
		goto done;
	}
	if (o.print) {
		printf("%s\n", env);
		status = 0;
		goto done;
	}

	/* What the gate's result will name: the id or the version. */
	if ((doc = json_loadb(body, len, 0, NULL)) != NULL) {
		if (json_is_string(json_object_get(doc, "id")))
			pc.id = strdup(json_string_value(json_object_get(doc,
			    "id")));
		pc.version = json_integer_value(json_object_get(doc, "version"));
		json_decref(doc);
	}
	snprintf(full, sizeof(full), "%s/%s", o.prefix, topic);
	status = push_send(c, &o, full, result_topic, env, &pc);
	if (status == 0 && pc.result != NULL) {
		char *text = json_dumps(pc.result, JSON_COMPACT);

		printf("%s\n", text != NULL ? text : "");
		free(text);
		if (!json_is_true(json_object_get(pc.result, "ok")))
			status = 1;
	}
	json_decref(pc.result);
	free((char *)pc.id);
done:
	free(env);
	free(body);
	return status;
}
