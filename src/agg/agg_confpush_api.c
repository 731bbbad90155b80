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
