/*
 * qrgate-aggregator people ... and muster: HR's list from a shell.  The
 * commands write the database only; the running daemon sends each change
 * to the gates (agg_people_push.c) within a second, so they work whether
 * the daemon runs or not, and a change made while it is down goes out
 * when it starts.
 *
 *	people add ID --name N [--kind K] [--subject S] [--department D]
 *	    [--lanes L] [--from T] [--until T] [--role R] [--send-as CARD]
 *	    [--pin -]
 *	people edit ID [the same options: those given change]
 *	people suspend|revoke|activate ID
 *	people import FILE.csv|FILE.xlsx [--department D]
 *	people list [--department D] [--full] [--csv|--json]
 *	people badge ID... [--new-serial] [--pdf FILE] [--png DIR]
 *	people versions [--json]
 *	muster [--site S] [--pdf FILE] [--csv|--json]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "agg_cli.h"
#include "agg_csv.h"
#include "agg_db.h"
#include "agg_people.h"
#include "agg_print.h"
#include "agg_query.h"
#include "agg_users.h"
#include "clock.h"
#include "keyfile.h"
#include "sitetime.h"
#include "token.h"

struct people_opts {
	const char *db, *name, *kind, *subject, *dept, *lanes, *from, *until;
	const char *role, *pdf, *png, *site, *send_as, *pin;
	bool full, new_serial, csv, json;
};

static void
people_usage(void)
{
	fprintf(stderr, "usage: qrgate-aggregator people add ID --name N "
	    "[--kind K] [--subject S] [--department D]\n"
	    "           [--lanes L] [--from T] [--until T] [--role R]\n"
	    "           [--send-as CARD] [--pin -]\n"
	    "       qrgate-aggregator people edit ID [the same options]\n"
	    "       qrgate-aggregator people suspend|revoke|activate ID\n"
	    "       qrgate-aggregator people import FILE.csv|FILE.xlsx "
	    "[--department D]\n"
	    "       qrgate-aggregator people list [--department D] [--full] "
	    "[--csv|--json]\n"
	    "       qrgate-aggregator people badge ID... [--new-serial] "
	    "[--pdf FILE] [--png DIR]\n"
	    "       qrgate-aggregator people versions [--json]\n");
}

static int
people_parse(int argc, char **argv, struct people_opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "subject", required_argument, NULL, 'S' },
		{ "department", required_argument, NULL, 'd' },
		{ "lanes", required_argument, NULL, 'l' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "role", required_argument, NULL, 'r' },
		{ "pdf", required_argument, NULL, 'p' },
		{ "png", required_argument, NULL, 'P' },
		{ "site", required_argument, NULL, 's' },
		{ "send-as", required_argument, NULL, 'A' },
		{ "pin", required_argument, NULL, 'I' },
		{ "full", no_argument, NULL, 'F' },
		{ "new-serial", no_argument, NULL, 'N' },
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'D': o->db = optarg; break;
		case 'n': o->name = optarg; break;
		case 'k': o->kind = optarg; break;
		case 'S': o->subject = optarg; break;
		case 'd': o->dept = optarg; break;
		case 'l': o->lanes = optarg; break;
		case 'f': o->from = optarg; break;
		case 'u': o->until = optarg; break;
		case 'r': o->role = optarg; break;
		case 'p': o->pdf = optarg; break;
		case 'P': o->png = optarg; break;
		case 's': o->site = optarg; break;
		case 'A': o->send_as = optarg; break;
		case 'I': o->pin = optarg; break;
		case 'F': o->full = true; break;
		case 'N': o->new_serial = true; break;
		case 'C': o->csv = true; break;
		case 'J': o->json = true; break;
		default: return -1;
		}
	}
	return optind;
}

/* The options given, over the person's JSON (a new one: {"id": id}). */
static int
people_merge(const struct people_opts *o, json_t *doc)
{
	const char *keys[] = { "name", "kind", "subject", "department",
	    "lanes", "valid_from", "valid_until", "role", "send_as" };
	const char *vals[] = { o->name, o->kind, o->subject, o->dept,
	    o->lanes, o->from, o->until, o->role, o->send_as };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (vals[i] != NULL && json_object_set_new(doc, keys[i],
		    json_string(vals[i])) == -1)
			return -1;
	return 0;
}

/*
 * --pin -: the PIN from one line of stdin, out of ps and the shell's
 * history, into doc's "pin" (agg_person_from_json() hashes it), the copy
 * here wiped.  An empty line takes the PIN away.
 */
static int
people_pin(const char *v, json_t *doc)
{
	char line[64];
	int rc;

	if (strcmp(v, "-") != 0) {
		fprintf(stderr, "qrgate-aggregator people: --pin takes \"-\" "
		    "and reads the PIN from stdin, never from the command "
		    "line\n");
		return -1;
	}
	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "qrgate-aggregator people: --pin -: nothing on "
		    "stdin\n");
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	rc = json_object_set_new(doc, "pin", json_string(line));
	sodium_memzero(line, sizeof(line));
	return rc;
}

static int
people_add_edit(struct agg_db *db, const struct people_opts *o,
    const char *id, bool create)
{
	struct agg_person p;
	char err[300];
	json_t *doc;
	int rc;

	if (create && o->name == NULL) {
		fprintf(stderr, "qrgate-aggregator people add: --name is "
		    "needed\n");
		return 2;
	}
	if ((doc = json_pack("{s:s}", "id", id)) == NULL ||
	    people_merge(o, doc) == -1 ||
	    (o->pin != NULL && people_pin(o->pin, doc) == -1)) {
		json_decref(doc);
		return 1;
	}
	rc = create ? agg_person_from_json(doc, &p, err, sizeof(err)) :
	    agg_person_edit(db, id, doc, &p, err, sizeof(err));
	json_decref(doc);
	if (rc == -1 || agg_people_put(db, &p, create, clock_utc_ms(), err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator people %s: %s\n", create ?
		    "add" : "edit", err);
		return 1;
	}
	return 0;
}

static int
people_status(struct agg_db *db, const char *id, enum cred_status st)
{
	char err[300];

	if (agg_people_set_status(db, id, st, clock_utc_ms(), err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator people %s: %s\n",
		    cred_status_name(st), err);
		return 1;
	}
	return 0;
}

static int
people_import(struct agg_db *db, const struct people_opts *o,
    const char *path)
{
	char err[512];
	FILE *f;
	int n;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgate-aggregator people import: %s: %s\n",
		    path, strerror(errno));
		return 1;
	}
	n = agg_people_import(db, f, path, o->dept, clock_utc_ms(), err,
	    sizeof(err));
	fclose(f);
	if (n == -1) {
		fprintf(stderr, "qrgate-aggregator people import: %s\n", err);
		return 1;
	}
	fprintf(stderr, "qrgate-aggregator people import: %d people\n", n);
	return 0;
}

/* A CSV cell (agg_csv.c's quoting), then its separator. */
static void
people_csv_cell(const char *s, bool last)
{
	agg_csv_cell(stdout, s);
	putchar(last ? '\n' : ',');
}

static int
people_list(struct agg_db *db, const struct people_opts *o)
{
	static const char *const cols[] = { "id", "kind", "subject", "name",
	    "department", "status", "serial", "lanes", "valid_until" };
	const size_t ncol = sizeof(cols) / sizeof(cols[0]);
	json_t *list = agg_people_list(db, o->full), *row, *keep;
	char cell[160];
	size_t i;

	if (list == NULL)
		return 1;
	keep = json_array();
	json_array_foreach(list, i, row)
		if (o->dept == NULL || strcmp(o->dept, json_string_value(
		    json_object_get(row, "department"))) == 0)
			json_array_append(keep, row);
	json_decref(list);
	if (o->json) {
		json_dumpf(keep, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(keep);
		return 0;
	}
	for (size_t c = 0; c < ncol; c++) {
		if (o->csv)
			people_csv_cell(cols[c], c + 1 == ncol);
		else
			printf("%-*s%s", c == 3 ? 24 : 12, cols[c],
			    c + 1 == ncol ? "\n" : " ");
	}
	json_array_foreach(keep, i, row) {
		for (size_t c = 0; c < ncol; c++) {
			json_t *v = json_object_get(row, cols[c]);

			if (json_is_integer(v))
				snprintf(cell, sizeof(cell), "%lld",
				    (long long)json_integer_value(v));
			else
				snprintf(cell, sizeof(cell), "%s",
				    json_string_value(v) ? json_string_value(v) :
				    "");
			if (o->csv)
				people_csv_cell(cell, c + 1 == ncol);
			else
				printf("%-*s%s", c == 3 ? 24 : 12, cell,
				    c + 1 == ncol ? "\n" : " ");
		}
	}
	json_decref(keep);
	return 0;
}

static int
people_badge(struct agg_db *db, const struct agg_config *cfg,
    const struct people_opts *o, char *const *ids, int n)
{
	json_t *out = json_array();
	char err[512];
	FILE *pdf = NULL;
	size_t i;
	json_t *b;
	int rc;

	if (o->pdf != NULL && (pdf = fopen(o->pdf, "wb")) == NULL) {
		fprintf(stderr, "qrgate-aggregator people badge: %s: %s\n",
		    o->pdf, strerror(errno));
		json_decref(out);
		return 1;
	}
	rc = agg_people_badges(db, cfg, ids, n, o->new_serial, pdf, o->png,
	    out, err, sizeof(err));
	if (pdf != NULL && fclose(pdf) != 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s: %s", o->pdf, strerror(errno));
		rc = -1;
	}
	if (rc == -1) {
		fprintf(stderr, "qrgate-aggregator people badge: %s\n", err);
		if (pdf != NULL)
			unlink(o->pdf);
		json_decref(out);
		return 1;
	}
	if (o->json) {
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		json_array_foreach(out, i, b)
			printf("%s serial %lld %s\n", json_string_value(
			    json_object_get(b, "id")), (long long)
			    json_integer_value(json_object_get(b, "serial")),
			    json_string_value(json_object_get(b, "token")));
	json_decref(out);
	return 0;
}

static int
people_versions(struct agg_db *db, const struct people_opts *o)
{
	json_t *doc = agg_people_versions(db), *g;
	size_t i;

	if (doc == NULL)
		return 1;
	if (o->json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("list version %lld%s\n", (long long)json_integer_value(
		    json_object_get(doc, "version")),
		    json_is_true(json_object_get(doc, "pending")) ?
		    " (a change waits to be sent)" : "");
		json_array_foreach(json_object_get(doc, "gates"), i, g) {
			json_t *v = json_object_get(g, "version");
			char ver[32] = "none";

			if (json_is_integer(v))
				snprintf(ver, sizeof(ver), "%lld",
				    (long long)json_integer_value(v));
			printf("%s/%s %s holds version %s%s\n",
			    json_string_value(json_object_get(g, "site")),
			    json_string_value(json_object_get(g, "gate")),
			    json_string_value(json_object_get(g, "state")), ver,
			    json_is_true(json_object_get(g, "current")) ? "" :
			    " (behind)");
		}
	}
	json_decref(doc);
	return 0;
}

int
agg_people_cli(const struct agg_config *cfg, int argc, char **argv)
{
	struct people_opts o = { 0 };
	struct agg_db *db;
	const char *sub;
	char detail[200];
	int first, nargs, rc;
	bool change;

	if (argc < 2) {
		people_usage();
		return 2;
	}
	sub = argv[1];
	if ((first = people_parse(argc - 1, argv + 1, &o)) == -1) {
		people_usage();
		return 2;
	}
	first++;
	nargs = argc - first;
	if (((strcmp(sub, "list") == 0 || strcmp(sub, "versions") == 0) &&
	    nargs != 0) || ((strcmp(sub, "add") == 0 ||
	    strcmp(sub, "edit") == 0 || strcmp(sub, "suspend") == 0 ||
	    strcmp(sub, "revoke") == 0 || strcmp(sub, "activate") == 0 ||
	    strcmp(sub, "import") == 0) && nargs != 1) ||
	    (strcmp(sub, "badge") == 0 && nargs < 1)) {
		people_usage();
		return 2;
	}
	change = strcmp(sub, "list") != 0 && strcmp(sub, "versions") != 0 &&
	    (strcmp(sub, "badge") != 0 || o.new_serial);
	if ((db = agg_db_open(o.db != NULL ? o.db : cfg->db,
	    false)) == NULL)
		return 1;
	/* A change: one transaction with its audit row, as the page's. */
	if (change && agg_db_begin(db) == -1) {
		agg_db_close(db);
		return 1;
	}
	if (strcmp(sub, "add") == 0 || strcmp(sub, "edit") == 0)
		rc = people_add_edit(db, &o, argv[first], sub[0] == 'a');
	else if (strcmp(sub, "suspend") == 0)
		rc = people_status(db, argv[first], CRED_SUSPENDED);
	else if (strcmp(sub, "revoke") == 0)
		rc = people_status(db, argv[first], CRED_REVOKED);
	else if (strcmp(sub, "activate") == 0)
		rc = people_status(db, argv[first], CRED_ACTIVE);
	else if (strcmp(sub, "import") == 0)
		rc = people_import(db, &o, argv[first]);
	else if (strcmp(sub, "list") == 0)
		rc = people_list(db, &o);
	else if (strcmp(sub, "badge") == 0)
		rc = people_badge(db, cfg, &o, argv + first, nargs);
	else if (strcmp(sub, "versions") == 0)
		rc = people_versions(db, &o);
	else {
		fprintf(stderr, "qrgate-aggregator people: no command "
		    "\"%s\"\n", sub);
		people_usage();
		rc = 2;
	}
	if (change) {
		snprintf(detail, sizeof(detail), "people %s%s %s", sub,
		    o.new_serial ? " --new-serial" : "", argv[first]);
		if (rc == 0 && (agg_audit_add(db, clock_utc_ms(), NULL,
		    "people", detail) == -1 || agg_db_commit(db) == -1))
			rc = 1;
		if (rc != 0)
			agg_db_rollback(db);
	}
	agg_db_close(db);
	return rc;
}

int
agg_muster_cli(const struct agg_config *cfg, int argc, char **argv)
{
	struct people_opts o = { 0 };
	struct agg_query_ctx ctx = {
		.tracing = false, .heartbeat_s = cfg->heartbeat_s,
		.inside_hours = cfg->inside_hours, .now_ms = clock_utc_ms(),
	};
	char title[200], now[64], err[300];
	json_t *doc, *row;
	size_t i;
	int rc = 0;

	if (people_parse(argc, argv, &o) != argc) {
		fprintf(stderr, "usage: qrgate-aggregator muster [--site S] "
		    "[--pdf FILE] [--csv|--json]\n");
		return 2;
	}
	if ((ctx.db = agg_db_open(o.db != NULL ? o.db : cfg->db, true)) ==
	    NULL)
		return 1;
	doc = agg_muster(&ctx, o.site != NULL ? o.site : "");
	agg_db_close(ctx.db);
	if (doc == NULL)
		return 1;
	sitetime_format(ctx.now_ms, now, sizeof(now));
	snprintf(title, sizeof(title), "Muster list%s%s, %s",
	    o.site != NULL ? ": " : "", o.site != NULL ? o.site : "", now);
	if (o.pdf != NULL) {
		FILE *f = fopen(o.pdf, "wb");

		if (f == NULL) {
			snprintf(err, sizeof(err), "%s: %s", o.pdf,
			    strerror(errno));
			rc = 1;
		} else {
			if (agg_print_muster_pdf(f, o.pdf, doc, title, err,
			    sizeof(err)) == -1)
				rc = 1;
			if (fclose(f) != 0 && rc == 0) {
				snprintf(err, sizeof(err), "%s: %s", o.pdf,
				    strerror(errno));
				rc = 1;
			}
		}
		if (rc != 0)
			fprintf(stderr, "qrgate-aggregator muster: %s\n", err);
	} else if (o.json) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (o.pdf == NULL) {
		if (o.csv)
			printf("site,department,name,credential_id,gate,lane,"
			    "since\n");
		json_array_foreach(json_object_get(doc, "inside"), i, row) {
			const char *k[] = { "site", "department", "name",
			    "credential_id", "gate", "lane", "since" };

			for (size_t c = 0; c < 7; c++) {
				const char *v = json_string_value(
				    json_object_get(row, k[c]));

				if (o.csv)
					people_csv_cell(v ? v : "", c == 6);
				else
					printf("%s%s", v ? v : "-", c == 6 ?
					    "\n" : "  ");
			}
		}
		if (!o.csv)
			printf("total %lld\n", (long long)json_integer_value(
			    json_object_get(doc, "total")));
	}
	json_decref(doc);
	return rc;
}
