/*
 * qrgate-aggregator visitor add|list|cancel|pass|export: the visitor desk
 * from a shell, on the database directly (agg_visitor.h), for a site
 * before its console or a desk without a browser.  A USB scanner types
 * the CCCD's QR text and Enter: `--cccd -` reads that line from stdin.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "agg_cli.h"
#include "agg_users.h"
#include "agg_visitor.h"
#include "clock.h"
#include "keyfile.h"
#include "qrpng.h"
#include "sitetime.h"
#include "util.h"

#define AGG_PASS_SCALE	8

struct agg_vopts {
	const char *db, *name, *doc, *doc_kind, *cccd, *host, *purpose;
	const char *lanes, *from, *to, *png, *xlsx;
	bool full, csv, json;
};

static void
agg_visitor_usage(void)
{
	fprintf(stderr,
	    "usage: qrgate-aggregator visitor add (--cccd TEXT|- | --name N "
	    "--document D\n"
	    "           [--document-kind cccd|other]) --host H [--purpose P] "
	    "[--lanes L]\n"
	    "           [--from T] [--until T] [--png FILE] [--json]\n"
	    "       qrgate-aggregator visitor list [--from T] [--to T] [--full] "
	    "[--csv|--json]\n"
	    "       qrgate-aggregator visitor cancel ID\n"
	    "       qrgate-aggregator visitor pass ID [--png FILE]\n"
	    "       qrgate-aggregator visitor export (--csv | --xlsx FILE) "
	    "[--from T] [--to T] [--full]\n");
}

static int
agg_visitor_opts(int argc, char **argv, struct agg_vopts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "name", required_argument, NULL, 'n' },
		{ "document", required_argument, NULL, 'd' },
		{ "document-kind", required_argument, NULL, 'k' },
		{ "cccd", required_argument, NULL, 'c' },
		{ "host", required_argument, NULL, 'H' },
		{ "purpose", required_argument, NULL, 'p' },
		{ "lanes", required_argument, NULL, 'l' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 't' },
		{ "to", required_argument, NULL, 't' },
		{ "png", required_argument, NULL, 'P' },
		{ "xlsx", required_argument, NULL, 'X' },
		{ "full", no_argument, NULL, 'F' },
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
		case 'd': o->doc = optarg; break;
		case 'k': o->doc_kind = optarg; break;
		case 'c': o->cccd = optarg; break;
		case 'H': o->host = optarg; break;
		case 'p': o->purpose = optarg; break;
		case 'l': o->lanes = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'P': o->png = optarg; break;
		case 'X': o->xlsx = optarg; break;
		case 'F': o->full = true; break;
		case 'C': o->csv = true; break;
		case 'J': o->json = true; break;
		default: return -1;
		}
	}
	return optind;
}

/* A time a person typed, in site.timezone; 0 when not given. */
static int
agg_visitor_time(const char *opt, const char *v, int64_t *ms)
{
	char msg[200];

	*ms = 0;
	if (v == NULL)
		return 0;
	if (sitetime_parse(v, ms, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "qrgate-aggregator visitor: %s: %s\n", opt, msg);
		return -1;
	}
	return 0;
}

/* Copies a person's text into a field, refusing what does not fit. */
static int
agg_visitor_field(const char *what, const char *v, char *dst, size_t len)
{
	if (v == NULL)
		return 0;
	if (strlen(v) >= len) {
		fprintf(stderr, "qrgate-aggregator visitor: %s: longer than "
		    "%zu bytes\n", what, len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", v);
	return 0;
}

/* The CCCD's QR text: given, or one line of stdin (a USB scanner). */
static int
agg_visitor_cccd(const char *arg, struct agg_visitor *v)
{
	char line[1024], err[200];
	const char *text = arg;

	if (strcmp(arg, "-") == 0) {
		if (fgets(line, sizeof(line), stdin) == NULL) {
			fprintf(stderr, "qrgate-aggregator visitor: --cccd -: "
			    "nothing on stdin\n");
			return -1;
		}
		line[strcspn(line, "\r\n")] = '\0';
		text = line;
	}
	if (agg_visitor_from_cccd(v, text, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator visitor: --cccd: %s\n", err);
		return -1;
	}
	sodium_memzero(line, sizeof(line));
	return 0;
}

/* The pass of v: printed, and as a PNG when asked.  No key: said. */
static int
agg_visitor_show_pass(const struct agg_config *cfg,
    const struct agg_visitor *v, const char *png, bool quiet)
{
	uint8_t sk[TOKEN_SK_BYTES];
	char text[TOKEN_TEXT_MAX], err[512];
	int r;

	if (cfg->visitor.key_file[0] == '\0') {
		fprintf(stderr, "qrgate-aggregator visitor: no visitor.key_file: "
		    "no pass made\n");
		return 1;
	}
	if (key_sk_read(cfg->visitor.key_file, sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator visitor: %s\n", err);
		return 1;
	}
	r = agg_visitor_pass(v, sk, text, sizeof(text));
	sodium_memzero(sk, sizeof(sk));
	if (r == -1) {
		fprintf(stderr, "qrgate-aggregator visitor: cannot make the "
		    "pass of %s\n", v->id);
		return 1;
	}
	if (!quiet)
		printf("%s\n", text);
	if (png != NULL && qrpng_write(png, text, AGG_PASS_SCALE, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator visitor: %s\n", err);
		return 1;
	}
	return 0;
}

static int
agg_visitor_add_cmd(const struct agg_config *cfg, struct agg_db *db,
    const struct agg_vopts *o)
{
	struct agg_visitor_policy p = { cfg->visitor.lanes, cfg->visitor.max_s };
	struct agg_visitor v;
	struct passwd *pw = getpwuid(geteuid());
	char err[256];
	bool dberr;
	json_t *j;
	int rc;

	memset(&v, 0, sizeof(v));
	if (o->cccd != NULL) {
		if (agg_visitor_cccd(o->cccd, &v) == -1)
			return 2;
	} else {
		snprintf(v.doc_kind, sizeof(v.doc_kind), "%s",
		    o->doc_kind != NULL ? o->doc_kind : "cccd");
		if (agg_visitor_field("--document", o->doc, v.doc_number,
		    sizeof(v.doc_number)) == -1)
			return 2;
	}
	/* A name typed over the card's, e.g. its Latin spelling. */
	if (agg_visitor_field("--name", o->name, v.name, sizeof(v.name)) == -1 ||
	    agg_visitor_field("--host", o->host, v.host, sizeof(v.host)) == -1 ||
	    agg_visitor_field("--purpose", o->purpose, v.purpose,
	    sizeof(v.purpose)) == -1 ||
	    agg_visitor_field("--lanes", o->lanes, v.lanes,
	    sizeof(v.lanes)) == -1 ||
	    agg_visitor_time("--from", o->from, &v.from_ms) == -1 ||
	    agg_visitor_time("--until", o->to, &v.until_ms) == -1)
		return 2;
	snprintf(v.registered_by, sizeof(v.registered_by), "cli:%s",
	    pw != NULL ? pw->pw_name : "?");
	if (agg_visitor_add(db, &p, &v, clock_utc_ms(), err, sizeof(err),
	    &dberr) == -1) {
		fprintf(stderr, "qrgate-aggregator visitor add: %s\n", err);
		return dberr ? 1 : 2;
	}
	if (o->json) {
		j = agg_visitor_json(&v, false, clock_utc_ms());
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else
		printf("%s\n", v.id);
	rc = agg_visitor_show_pass(cfg, &v, o->png, o->json);
	sodium_memzero(&v, sizeof(v));
	return rc;
}

static int
agg_visitor_list_cmd(struct agg_db *db, const struct agg_vopts *o,
    const char *cmd)
{
	int64_t from, to;
	char *data;
	size_t len;
	json_t *rows;
	int rc = 0;

	if (agg_visitor_time("--from", o->from, &from) == -1 ||
	    agg_visitor_time("--to", o->to, &to) == -1)
		return 2;
	if ((rows = agg_visitor_list(db, from, to, o->full,
	    clock_utc_ms())) == NULL)
		return 1;
	/* Documents whole are audited from the shell as from the page. */
	if (o->full && json_array_size(rows) > 0) {
		char detail[128];

		snprintf(detail, sizeof(detail), "%s the visitor register with "
		    "documents whole (%zu)", strcmp(cmd, "export") == 0 ?
		    "exported" : "viewed", json_array_size(rows));
		if (agg_audit_add(db, clock_utc_ms(), NULL, "visitors",
		    detail) == -1) {
			json_decref(rows);
			return 1;
		}
	}
	if (strcmp(cmd, "export") == 0) {
		FILE *f = NULL;

		if (o->xlsx != NULL) {
			rc = agg_visitor_xlsx(rows, &data, &len);
			if (rc == 0 && (f = fopen(o->xlsx, "wb")) == NULL)
				rc = -1;
			else if (rc == 0 && (fwrite(data, 1, len, f) != len ||
			    ferror(f)))
				rc = -1;
			if (f != NULL && fclose(f) == EOF)
				rc = -1;
			if (rc == -1)
				perror(o->xlsx);
		} else {
			rc = agg_visitor_csv(rows, &data, &len);
			if (rc == 0 && fwrite(data, 1, len, stdout) != len)
				rc = -1;
		}
		free(data);
		json_decref(rows);
		return rc == 0 ? 0 : 1;
	}
	if (o->json) {
		json_dumpf(rows, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		agg_print_rows(rows, o->csv ? OUT_CSV : OUT_TABLE);
	json_decref(rows);
	return 0;
}

int
agg_visitor_cli_run(const struct agg_config *cfg, int argc, char **argv)
{
	struct agg_vopts o = { 0 };
	struct passwd *pw = getpwuid(geteuid());
	struct agg_visitor v;
	struct agg_db *db;
	const char *cmd;
	char by[64];
	int first, rc;

	/* argv[0] is "visitor", argv[1] the subcommand. */
	if (argc < 2) {
		agg_visitor_usage();
		return 2;
	}
	cmd = argv[1];
	if ((first = agg_visitor_opts(argc - 1, argv + 1, &o)) == -1) {
		agg_visitor_usage();
		return 2;
	}
	first++;
	if (strcmp(cmd, "add") == 0 ? first != argc ||
	    (o.cccd == NULL && (o.name == NULL || o.doc == NULL)) ||
	    o.host == NULL :
	    strcmp(cmd, "list") == 0 ? first != argc :
	    strcmp(cmd, "export") == 0 ? first != argc ||
	    (o.xlsx == NULL) == !o.csv :
	    strcmp(cmd, "cancel") == 0 || strcmp(cmd, "pass") == 0 ?
	    first != argc - 1 : true) {
		agg_visitor_usage();
		return 2;
	}
	/* Read only, but for writes and the audit row of --full. */
	if ((db = agg_db_open(o.db != NULL ? o.db : cfg->db, !o.full &&
	    (strcmp(cmd, "list") == 0 || strcmp(cmd, "export") == 0 ||
	    strcmp(cmd, "pass") == 0))) == NULL)
		return 1;
	if (strcmp(cmd, "add") == 0)
		rc = agg_visitor_add_cmd(cfg, db, &o);
	else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "export") == 0)
		rc = agg_visitor_list_cmd(db, &o, cmd);
	else if (strcmp(cmd, "cancel") == 0) {
		snprintf(by, sizeof(by), "cli:%s", pw != NULL ? pw->pw_name :
		    "?");
		rc = agg_visitor_cancel(db, argv[first], by, clock_utc_ms());
		if (rc == 0)
			fprintf(stderr, "qrgate-aggregator visitor cancel: no "
			    "visitor %s, or already cancelled\n", argv[first]);
		rc = rc == 1 ? 0 : rc == 0 ? 3 : 1;
	} else if ((rc = agg_visitor_get(db, argv[first], &v)) == -1)
		rc = 1;
	else if (rc == 0) {
		fprintf(stderr, "qrgate-aggregator visitor pass: no visitor "
		    "%s\n", argv[first]);
		rc = 3;
	} else if (v.cancelled_ms != 0) {
		fprintf(stderr, "qrgate-aggregator visitor pass: %s is "
		    "cancelled\n", v.id);
		rc = 3;
	} else
		rc = agg_visitor_show_pass(cfg, &v, o.png, false);
	agg_db_close(db);
	return rc;
}
