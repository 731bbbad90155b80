/*
 * The CLI's questions: qrgate-aggregator trace, inside, events, daily,
 * gates, alarms, gaps, audit.  Each reads the database directly (read only), so
 * it works whether or not the daemon runs, and prints a table, CSV or
 * JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agg_cli.h"
#include "agg_csv.h"
#include "agg_db.h"
#include "agg_query.h"
#include "agg_users.h"
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "sitetime.h"
#include "timefmt.h"
#include "util.h"

#define AGG_EXIT_NOBODY	3

static void
agg_text_of(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		buf[0] = '\0';
}

/* Milliseconds are for CSV and JSON; a table shows the text time. */
static bool
agg_column_shown(const char *key, enum agg_out out)
{
	size_t n = strlen(key);

	return out == OUT_CSV || n < 3 || strcmp(key + n - 3, "_ms") != 0;
}

/*
 * A cell's text.  In a table a time (the query's UTC text) is shown in
 * the site's zone with its offset; CSV keeps the UTC text for machines.
 */
static void
agg_cell_of(json_t *v, enum agg_out out, char *buf, size_t len)
{
	const char *s = json_string_value(v);
	int64_t ms;

	if (out != OUT_CSV && s != NULL && strchr(s, 'T') != NULL &&
	    timefmt_parse(s, &ms) == 0)
		sitetime_format(ms, buf, len);
	else
		agg_text_of(v, buf, len);
}

/* Prints an array of flat objects, the first one's keys as columns. */
void
agg_print_rows(json_t *rows, enum agg_out out)
{
	json_t *first = json_array_get(rows, 0), *row, *v;
	const char *key;
	size_t i, ncol = 0, c;
	int width[64] = { 0 };
	char cell[512];

	if (first == NULL)
		return;
	json_object_foreach(first, key, v) {
		if (ncol < 64)
			width[ncol] = (int)strlen(key);
		ncol++;
	}
	if (ncol > 64)
		ncol = 64;
	json_array_foreach(rows, i, row) {
		c = 0;
		json_object_foreach(first, key, v) {
			if (c == ncol)
				break;
			agg_cell_of(json_object_get(row, key), out, cell,
			    sizeof(cell));
			if ((int)strlen(cell) > width[c])
				width[c] = (int)strlen(cell);
			c++;
		}
	}
	for (i = 0; i <= json_array_size(rows); i++) {
		bool sep = false;

		row = i == 0 ? NULL : json_array_get(rows, i - 1);
		c = 0;
		json_object_foreach(first, key, v) {
			if (c == ncol)
				break;
			if (!agg_column_shown(key, out)) {
				c++;
				continue;
			}
			if (row == NULL)
				snprintf(cell, sizeof(cell), "%s", key);
			else
				agg_cell_of(json_object_get(row, key), out,
				    cell, sizeof(cell));
			if (out == OUT_CSV) {
				if (sep)
					putchar(',');
				agg_csv_cell(stdout, cell);
			} else
				printf("%s%-*s", sep ? "  " : "", width[c],
				    cell);
			sep = true;
			c++;
		}
		putchar('\n');
	}
}

/* One row per passage and contact (a passage alone when nobody else). */
static json_t *
agg_trace_flat(json_t *doc)
{
	json_t *rows = json_array(), *p, *c, *contacts;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "passages"), i, p) {
		contacts = json_object_get(p, "contacts");
		for (j = 0; j == 0 || j < json_array_size(contacts); j++) {
			json_t *row = json_object();

			c = json_array_get(contacts, j);
			json_object_set(row, "time", json_object_get(p, "time"));
			json_object_set(row, "ts_ms", json_object_get(p, "ts_ms"));
			json_object_set(row, "site", json_object_get(p, "site"));
			json_object_set(row, "gate", json_object_get(p, "gate"));
			json_object_set(row, "direction",
			    json_object_get(p, "direction"));
			json_object_set(row, "subject",
			    json_object_get(p, "subject"));
			json_object_set(row, "credential_id",
			    json_object_get(p, "credential_id"));
			json_object_set_new(row, "contact_subject",
			    c != NULL ? json_incref(json_object_get(c,
			    "subject")) : json_string(""));
			json_object_set_new(row, "contact_credential_id",
			    c != NULL ? json_incref(json_object_get(c,
			    "credential_id")) : json_string(""));
			if (json_object_get(c, "subject_full") != NULL)
				json_object_set(row, "contact_subject_full",
				    json_object_get(c, "subject_full"));
			json_object_set_new(row, "contact_time", c != NULL ?
			    json_incref(json_object_get(c, "time")) :
			    json_string(""));
			json_object_set_new(row, "contact_ts_ms", c != NULL ?
			    json_incref(json_object_get(c, "ts_ms")) :
			    json_null());
			json_object_set_new(row, "contact_direction",
			    c != NULL ? json_incref(json_object_get(c,
			    "direction")) : json_string(""));
			json_object_set_new(row, "delta_s", c != NULL ?
			    json_incref(json_object_get(c, "delta_s")) :
			    json_null());
			json_array_append_new(rows, row);
			if (c == NULL)
				break;
		}
	}
	return rows;
}

/* The audit table, newest first: the last limit rows (100 by default). */
static json_t *
agg_cli_audit(struct agg_db *db, const char *limit, int *status)
{
	long long n = 100;
	char *end;

	*status = 200;
	if (limit != NULL) {
		n = strtoll(limit, &end, 10);
		if (*limit == '\0' || *end != '\0' || n < 1 || n > 100000) {
			*status = 400;
			return json_pack("{s:s}", "error", "bad limit");
		}
	}
	return agg_audit_list(db, n);
}

struct agg_cli_opts {
	const char *db;
	const char *from, *to, *window, *site, *gate, *subject, *result;
	const char *date, *limit;
	bool all, people;
	enum agg_out out;
};

static int
agg_cli_parse(int argc, char **argv, struct agg_cli_opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ "site", required_argument, NULL, 's' },
		{ "gate", required_argument, NULL, 'g' },
		{ "subject", required_argument, NULL, 'S' },
		{ "result", required_argument, NULL, 'r' },
		{ "date", required_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "people", no_argument, NULL, 'P' },
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	/* 0: getopt starts afresh (main's getopt stopped at the command). */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'D': o->db = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'w': o->window = optarg; break;
		case 's': o->site = optarg; break;
		case 'g': o->gate = optarg; break;
		case 'S': o->subject = optarg; break;
		case 'r': o->result = optarg; break;
		case 'd': o->date = optarg; break;
		case 'l': o->limit = optarg; break;
		case 'a': o->all = true; break;
		case 'P': o->people = true; break;
		case 'C': o->out = OUT_CSV; break;
		case 'J': o->out = OUT_JSON; break;
		default: return -1;
		}
	}
	return optind;
}

/* The CLI's options as the web API's query string. */
static void
agg_cli_query(const struct agg_cli_opts *o, struct agg_web_query *q)
{
	const char *names[] = { "from", "to", "window", "site", "gate",
	    "subject", "result", "date", "limit" };
	const char *values[] = { o->from, o->to, o->window, o->site, o->gate,
	    o->subject, o->result, o->date, o->limit };

	q->count = 0;
	for (size_t i = 0; i < nitems(names); i++)
		if (values[i] != NULL) {
			q->name[q->count] = names[i];
			q->value[q->count++] = values[i];
		}
	if (o->all) {
		q->name[q->count] = "all";
		q->value[q->count++] = "1";
	}
}

/* Reads *v, when given, in the site's zone (sitetime.h), and points it
 * at its milliseconds in buf. */
static int
agg_cli_time(const char *cmd, const char *opt, const char **v, char *buf,
    size_t len, int64_t now_ms)
{
	char msg[200];
	int64_t ms;

	if (*v == NULL)
		return 0;
	if (sitetime_parse_since(*v, now_ms, &ms, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "qrgate-aggregator %s: %s: %s\n", cmd, opt,
		    msg);
		return -1;
	}
	snprintf(buf, len, "%lld", (long long)ms);
	*v = buf;
	return 0;
}

/*
 * A trace that found no passage of its subject says so and fails
 * (AGG_EXIT_NOBODY), so that a mistyped id is not taken for someone who
 * met nobody.  Not 1: that is a database that would not open.
 */
static int
agg_cli_nobody(const char *cmd, json_t *doc)
{
	char f[TIMEFMT_LEN], t[TIMEFMT_LEN];
	int64_t ms;

	if (strcmp(cmd, "trace") != 0 ||
	    json_array_size(json_object_get(doc, "passages")) > 0)
		return 0;
	if (timefmt_parse(json_string_value(json_object_get(doc, "from")),
	    &ms) == 0)
		sitetime_format(ms, f, sizeof(f));
	else
		snprintf(f, sizeof(f), "?");
	if (timefmt_parse(json_string_value(json_object_get(doc, "to")),
	    &ms) == 0)
		sitetime_format(ms, t, sizeof(t));
	else
		snprintf(t, sizeof(t), "?");
	fprintf(stderr, "qrgate-aggregator trace: %s has no passage between "
	    "%s and %s\n", json_string_value(json_object_get(doc, "subject")),
	    f, t);
	return AGG_EXIT_NOBODY;
}

int
agg_cli_run(const struct agg_config *cfg, int argc, char **argv)
{
	struct agg_cli_opts o = { 0 };
	struct agg_web_query q;
	struct agg_query_ctx ctx;
	const char *cmd = argv[0];
	char from[24], to[24];
	json_t *doc, *rows;
	int status, first;

	if ((first = agg_cli_parse(argc, argv, &o)) == -1)
		return 2;
	if (strcmp(cmd, "trace") == 0) {
		if (first != argc - 1) {
			fprintf(stderr, "usage: qrgate-aggregator trace SUBJECT "
			    "[--from T] [--to T] [--window 15m] [--people] "
			    "[--csv|--json]\n");
			return 2;
		}
		o.subject = argv[first];
	} else if (first != argc) {
		fprintf(stderr, "qrgate-aggregator %s: unexpected \"%s\"\n",
		    cmd, argv[first]);
		return 2;
	}
	if (strcmp(cmd, "trace") != 0 && o.people) {
		fprintf(stderr, "qrgate-aggregator %s: no --people here\n",
		    cmd);
		return 2;
	}
	if (strcmp(cmd, "events") != 0 && strcmp(cmd, "trace") != 0 &&
	    o.subject != NULL) {
		fprintf(stderr, "qrgate-aggregator %s: no --subject here\n",
		    cmd);
		return 2;
	}
	ctx = (struct agg_query_ctx){
		.tracing = cfg->tracing, .heartbeat_s = cfg->heartbeat_s,
		.inside_hours = cfg->inside_hours, .now_ms = clock_utc_ms(),
	};
	/* A person's --from and --to become the API's milliseconds here,
	 * so the web API's own reading of times does not change. */
	if (agg_cli_time(cmd, "--from", &o.from, from, sizeof(from),
	    ctx.now_ms) == -1 || agg_cli_time(cmd, "--to", &o.to, to,
	    sizeof(to), ctx.now_ms) == -1)
		return 2;
	if ((ctx.db = agg_db_open(o.db != NULL ? o.db : cfg->db, true)) ==
	    NULL)
		return 1;
	agg_cli_query(&o, &q);
	if (strcmp(cmd, "audit") == 0)
		doc = agg_cli_audit(ctx.db, o.limit, &status);
	else
		doc = agg_query_api(&ctx, cmd, &q, &status);
	agg_db_close(ctx.db);
	if (doc == NULL)
		return 1;
	if (status != 200) {
		const char *e = json_string_value(json_object_get(doc,
		    "error"));

		fprintf(stderr, "qrgate-aggregator %s: %s\n", cmd,
		    status == 404 ? "no such command" : e != NULL ? e : "?");
		json_decref(doc);
		return 2;
	}
	if (o.out == OUT_JSON) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		status = agg_cli_nobody(cmd, doc);
		json_decref(doc);
		return status;
	}
	if (strcmp(cmd, "trace") == 0 && o.people)
		rows = json_incref(json_object_get(doc, "people"));
	else if (strcmp(cmd, "trace") == 0)
		rows = agg_trace_flat(doc);
	else if (strcmp(cmd, "inside") == 0)
		rows = json_incref(json_object_get(doc, "inside"));
	else if (strcmp(cmd, "daily") == 0) {
		json_t *g;
		size_t i;

		rows = json_incref(json_object_get(doc, "gates"));
		json_array_foreach(rows, i, g) {
			char buf[512] = "", part[128];
			const char *k;
			json_t *v;

			json_object_foreach(json_object_get(g,
			    "denials_by_reason"), k, v) {
				snprintf(part, sizeof(part), "%s%s=%lld",
				    buf[0] != '\0' ? " " : "", k,
				    (long long)json_integer_value(v));
				strncat(buf, part, sizeof(buf) - strlen(buf) - 1);
			}
			json_object_set_new(g, "denials_by_reason",
			    json_string(buf));
		}
	} else if (strcmp(cmd, "gates") == 0) {
		json_t *g;
		size_t i;

		rows = json_incref(doc);
		json_array_foreach(rows, i, g)
			json_object_del(g, "status");
	} else
		rows = json_incref(doc);
	agg_print_rows(rows, o.out);
	if (strcmp(cmd, "inside") == 0 && o.out == OUT_TABLE) {
		const char *site;
		json_t *n;

		json_object_foreach(json_object_get(doc, "headcount"), site, n)
			printf("headcount %s %lld\n", site,
			    (long long)json_integer_value(n));
		printf("total %lld\n", (long long)json_integer_value(
		    json_object_get(doc, "total")));
	}
	json_decref(rows);
	status = agg_cli_nobody(cmd, doc);
	json_decref(doc);
	return status;
}
