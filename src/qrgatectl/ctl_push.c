/*
 * qrgatectl push: what IT sends a gate over MQTT (a config push, a
 * credential snapshot or patch, a command), signed with the site admin's
 * secret key (signed_msg.h) and published at QoS 1 (ctl_push_send.c); a
 * credential list in CSV goes as the chunks ctl_push_csv.c makes of it.
 * This file reads the options and the documents, and seals them.
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
#include <sodium.h>

#include "ctl.h"
#include "ctl_push.h"
#include "keyfile.h"
#include "signed_msg.h"
#include "util.h"

/* The largest body read: a credential chunk is at most 4 MiB. */
#define PUSH_BODY_MAX		(16 * 1024 * 1024)
#define PUSH_EXPIRES_MAX_S	600	/* what a gate accepts at most */

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
	[K_SCHEDULES] = { "schedules", "schedules/set", "schedules/result" },
	[K_SITE_SCHEDULES] = { "site-schedules", "schedules/set",
	    "schedules/result" },
};

static bool
push_kind_site(enum push_kind k)
{
	return k == K_SITE_CONFIG || k == K_SITE_CREDENTIALS ||
	    k == K_SITE_SCHEDULES;
}

void
ctl_push_usage(FILE *f)
{
	fprintf(f,
	    "usage: qrgatectl push config|site-config|credentials|"
	    "site-credentials|patch [FILE] OPTIONS\n"
	    "       qrgatectl push schedules|site-schedules FILE OPTIONS   "
	    "(FILE: qrgatectl schedule export)\n"
	    "       qrgatectl push credentials|site-credentials --csv FILE "
	    "[--version N] [--chunk-rows N] OPTIONS\n"
	    "       qrgatectl push cmd open entry|exit|lockdown|release|normal "
	    "[--expires-in S] [--id ID] OPTIONS\n"
	    "options: --key ADMIN_SK_FILE [--host H] [--port P] [--cafile F "
	    "--cert F --keyfile F]\n"
	    "         [--prefix P] [--site S] [--gate G | --all] [--body FILE] "
	    "[--wait-result] [--timeout S] [--print]\n"
	    "       qrgatectl push config|site-config --sign-only MESSAGE "
	    "--key ADMIN_SK_FILE\n");
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
		{ "sign-only", required_argument, NULL, 'S' },
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
			else if (o->kind == K_SCHEDULES)
				o->kind = K_SITE_SCHEDULES;
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
		case 'S':
			o->sign_only = optarg;
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
			ctl_push_usage(stderr);
			return -1;
		}
	}
	if (o->key == NULL) {
		fprintf(stderr, "qrgatectl: push: --key ADMIN_SK_FILE is needed\n");
		return -1;
	}
	/* Signing offline needs no broker: the message names its topic. */
	if (o->sign_only != NULL) {
		if (o->kind != K_CONFIG && o->kind != K_SITE_CONFIG) {
			fprintf(stderr, "qrgatectl: push: --sign-only is for "
			    "config and site-config\n");
			return -1;
		}
		return optind;
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
			ctl_push_usage(stderr);
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
			ctl_push_usage(stderr);
			return 2;
		}
		body = push_cmd_body(o, argc, argv, &len);
	} else {
		path = o->body_path != NULL ? o->body_path : argc > 0 ? argv[0] :
		    "-";
		if (argc > (o->body_path != NULL ? 0 : 1)) {
			ctl_push_usage(stderr);
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

/*
 * Whether doc is a config push document (push.h): an object of a version
 * and settings.  What the gate checks beyond that is its answer's.
 */
static bool
push_is_config_doc(const json_t *doc)
{
	const json_t *v = json_object_get(doc, "version");

	return json_is_object(doc) && json_object_size(doc) == 2 &&
	    json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_is_object(json_object_get(doc, "settings"));
}

/*
 * --sign-only: the unsigned message the aggregator's page offers when it
 * does not hold the admin key, {"topic": "SITE/GATE/config/set", "body":
 * "<the push document>"}, signed here, offline, with the key.  What is
 * signed is shown on stderr first, setting by setting, for the person
 * holding the key to read; the envelope (signed_msg.h) goes to stdout, to
 * be uploaded to the page, which publishes it as it is.  Nothing is sent.
 */
static int
push_sign_only(const struct push_opts *o)
{
	const char *topic, *body, *key, *tail;
	json_t *msg, *doc = NULL, *v;
	char err[256], *text = NULL, *env = NULL;
	uint8_t sk[64];
	size_t len, tl, blen = 0;
	int status = 1;

	if ((text = push_read(o->sign_only, &len)) == NULL)
		return 1;
	msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	topic = json_string_value(json_object_get(msg, "topic"));
	body = json_string_value(json_object_get(msg, "body"));
	if (body != NULL) {
		blen = json_string_length(json_object_get(msg, "body"));
		doc = json_loadb(body, blen, JSON_REJECT_DUPLICATES, NULL);
	}
	tail = o->kind == K_SITE_CONFIG ? "/all/config/set" : "/config/set";
	tl = topic != NULL ? strlen(topic) : 0;
	if (topic == NULL || !push_is_config_doc(doc) || tl <= strlen(tail) ||
	    strcmp(topic + tl - strlen(tail), tail) != 0 ||
	    (o->kind == K_CONFIG && strstr(topic, "/all/") != NULL) ||
	    json_object_size(msg) != 2) {
		fprintf(stderr, "qrgatectl: %s: not an unsigned %s push "
		    "({\"topic\": \"SITE/%s/config/set\", \"body\": "
		    "\"<push document>\"})\n", o->sign_only,
		    push_kinds[o->kind].name,
		    o->kind == K_SITE_CONFIG ? "all" : "GATE");
		goto done;
	}
	fprintf(stderr, "signing for %s: version %lld\n", topic,
	    (long long)json_integer_value(json_object_get(doc, "version")));
	json_object_foreach(json_object_get(doc, "settings"), key, v) {
		char *vt = json_dumps(v, JSON_ENCODE_ANY);

		fprintf(stderr, "  %s = %s\n", key, vt != NULL ? vt : "?");
		free(vt);
	}
	if (sodium_init() < 0 || key_sk_read(o->key, sk, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		goto done;
	}
	env = signed_msg_seal(topic, (const uint8_t *)body, blen, sk,
	    err, sizeof(err));
	sodium_memzero(sk, sizeof(sk));
	if (env == NULL) {
		fprintf(stderr, "qrgatectl: push: %s\n", err);
		goto done;
	}
	printf("%s\n", env);
	status = 0;
done:
	free(env);
	json_decref(doc);
	json_decref(msg);
	free(text);
	return status;
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
		ctl_push_usage(stderr);
		return 2;
	}
	for (k = 0; k < nitems(push_kinds); k++)
		if (strcmp(argv[1], push_kinds[k].name) == 0)
			break;
	if (k == nitems(push_kinds)) {
		ctl_push_usage(stderr);
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
	if (o.sign_only != NULL) {
		if (argc > 0) {
			ctl_push_usage(stderr);
			return 2;
		}
		return push_sign_only(&o);
	}
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
