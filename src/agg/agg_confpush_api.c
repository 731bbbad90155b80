/*
 * The two ways into config pushes (agg_confpush.h): the page's API (IT's
 * config-check, config-push, config-upload and config-pushes) and the
 * CLI's config-check.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agg_api.h"
#include "agg_confpush.h"
#include "agg_json.h"

/* All of path, at most AGG_CONFPUSH_TEXT_MAX + 1 bytes (more is refused by
 * the check), malloc'd. */
static char *
confpush_file(const char *path, size_t *len)
{
	char *buf;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgate-aggregator: %s: cannot open\n", path);
		return NULL;
	}
	if ((buf = malloc(AGG_CONFPUSH_TEXT_MAX + 2)) != NULL)
		*len = fread(buf, 1, AGG_CONFPUSH_TEXT_MAX + 1, f);
	fclose(f);
	return buf;
}

int
agg_confpush_cli(const char *dbconn, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "site", required_argument, NULL, 's' },
		{ "gate", required_argument, NULL, 'g' },
		{ "db", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *site = NULL;
	json_t *gates = NULL, *res, *e, *m;
	struct agg_db *db;
	char *text, *line;
	size_t i, len = 0;
	int ch, status;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			site = optarg;
			break;
		case 'g':
			if (gates == NULL)
				gates = json_array();
			json_array_append_new(gates, json_string(optarg));
			break;
		case 'D':
			dbconn = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || site == NULL)
		goto usage;
	if ((text = confpush_file(argv[optind], &len)) == NULL) {
		json_decref(gates);
		return 1;
	}
	if ((db = agg_db_open(dbconn, true)) == NULL) {
		free(text);
		json_decref(gates);
		return 1;
	}
	res = agg_confpush_prepare(db, site, gates, argv[optind], text, len,
	    &status);
	agg_db_close(db);
	free(text);
	json_decref(gates);
	if (res == NULL)
		return 1;
	json_array_foreach(json_object_get(res, "errors"), i, e)
		fprintf(stderr, "%s\n", agg_json_str(e, "error"));
	if (agg_json_str(res, "error") != NULL)
		fprintf(stderr, "qrgate-aggregator config-check: %s\n",
		    agg_json_str(res, "error"));
	json_array_foreach(json_object_get(res, "messages"), i, m) {
		json_t *msg = json_pack("{s:O, s:O}", "topic",
		    json_object_get(m, "topic"), "body", json_object_get(m,
		    "body"));

		if ((line = json_dumps(msg, JSON_COMPACT)) != NULL)
			printf("%s\n", line);
		free(line);
		json_decref(msg);
	}
	json_decref(res);
	return status == 200 ? 0 : 1;
usage:
	json_decref(gates);
	fprintf(stderr, "usage: qrgate-aggregator config-check --site SITE "
	    "[--gate GATE]... [--db CONN] FILE\n");
	return 2;
}

/*
 * The settings' problems of a refusal as one text too, a line each
 * ("config:LINE: ..."), which the page shows as they are.
 */
static void
confpush_api_errors_text(json_t *res)
{
	json_t *errors = json_object_get(res, "errors"), *e;
	char *text = NULL;
	size_t i, len = 0;
	FILE *f;

	if (errors == NULL || (f = open_memstream(&text, &len)) == NULL)
		return;
	json_array_foreach(errors, i, e)
		fprintf(f, "%s%s", i > 0 ? "\n" : "", agg_json_str(e, "error"));
	fclose(f);
	json_object_set_new(res, "error", json_string(text != NULL ? text :
	    ""));
	free(text);
}

/* "SITE/TARGET vN, ..." of what was pushed, for the audit row. */
static void
confpush_api_audit(struct agg_web_reply *r, const char *how,
    const char *site, json_t *list, const char *member)
{
	size_t off, i;
	json_t *p;

	off = (size_t)snprintf(r->audit, sizeof(r->audit), "%s:", how);
	json_array_foreach(list, i, p) {
		if (off >= sizeof(r->audit))
			break;
		off += (size_t)snprintf(r->audit + off, sizeof(r->audit) - off,
		    "%s %s/%s version %lld", i > 0 ? "," : "", site,
		    agg_json_str(p, member), (long long)json_integer_value(
		    json_object_get(p, "version")));
	}
}

int
agg_confpush_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	const json_t *gates = NULL;
	const char *site, *text, *gate;
	json_t *body, *m;
	size_t i;

	if (strcmp(c->what, "config-pushes") == 0) {
		r->json = agg_confpush_list(a, agg_web_query_get(c->q, "site"),
		    &r->status);
		return r->json != NULL ? 0 : -1;
	}
	if ((body = agg_api_body(c, r)) == NULL)
		return 0;
	site = agg_json_str(body, "site");
	text = agg_json_str(body, "text");
	gate = agg_json_str(body, "gate");
	/* "all": the whole site; else "gates", or one "gate" (upload). */
	if (!json_is_true(json_object_get(body, "all"))) {
		gates = json_object_get(body, "gates");
		if (gates == NULL && strcmp(c->what, "config-upload") != 0)
			gates = json_null();
	} else
		gate = NULL;
	if (strcmp(c->what, "config-upload") == 0) {
		const char *env = agg_json_str(body, "signed");

		if (env == NULL || (gate == NULL &&
		    !json_is_true(json_object_get(body, "all")))) {
			json_decref(body);
			return agg_api_bad(r, "site, gate (or all) and signed, "
			    "the signed message, are needed");
		}
		r->json = agg_confpush_upload(a, site, gate, env, strlen(env),
		    c->who->name, &r->status);
		if (r->json != NULL && r->status == 200)
			confpush_api_audit(r, "config push signed offline",
			    site, json_object_get(r->json, "pushes"), "target");
	} else if (text == NULL) {
		json_decref(body);
		return agg_api_bad(r, "text, the settings, is needed");
	} else if (strcmp(c->what, "config-check") == 0) {
		r->json = agg_confpush_prepare(a->db, site, gates, "config",
		    text, strlen(text), &r->status);
		/* Each message as the text to sign, byte for byte. */
		json_array_foreach(json_object_get(r->json, "messages"), i, m) {
			json_t *msg = json_pack("{s:O, s:O}", "topic",
			    json_object_get(m, "topic"), "body",
			    json_object_get(m, "body"));
			char *t = json_dumps(msg, JSON_COMPACT);

			json_object_set_new(m, "message", json_string(t));
			free(t);
			json_decref(msg);
		}
		if (r->json != NULL && r->status == 200)
			confpush_api_audit(r, "config push checked (its "
			    "unsigned message offered)", site, json_object_get(r->json,
			    "messages"), "target");
	} else if (strcmp(c->what, "config-push") == 0) {
		r->json = agg_confpush_send(a, site, gates, text, strlen(text),
		    c->who->name, &r->status);
		if (r->json != NULL && r->status == 200)
			confpush_api_audit(r, "config push signed here", site,
			    json_object_get(r->json, "pushes"), "target");
	} else {
		json_decref(body);
		r->status = 404;
		r->json = json_pack("{s:s}", "error", "no such question");
		return r->json != NULL ? 0 : -1;
	}
	if (r->json != NULL && r->status == 400)
		confpush_api_errors_text(r->json);
	json_decref(body);
	return r->json != NULL ? 0 : -1;
}
