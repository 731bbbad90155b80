/*
 * qrgate-aggregator attendance (agg_attendance.h):
 *
 *	attendance --from DATE --to DATE [--group G] [--person ID]
 *	    [--format table|csv|xlsx|json] [--out FILE]
 *	attendance shift NAME --start HH:MM --end HH:MM [--break MIN]
 *	    [--grace MIN] [--days 12345]
 *	attendance shifts [--json]
 *	attendance assign SHIFT --person ID | --group DEPARTMENT
 *	attendance correct PERSON DAY --first-in T | --last-out T | --excused
 *	    --why TEXT
 *
 * The report reads the database read-only; a change is one transaction
 * with its audit row, as people's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg_attendance.h"
#include "agg_cli.h"
#include "agg_users.h"
#include "clock.h"
#include "sitetime.h"

struct att_opts {
	const char *db, *from, *to, *group, *person, *format, *out;
	const char *start, *end, *brk, *grace, *days, *why;
	const char *first_in, *last_out;
	bool excused, json;
};

static void
att_usage(void)
{
	fprintf(stderr,
	    "usage: qrgate-aggregator attendance --from DATE --to DATE "
	    "[--group G] [--person ID]\n"
	    "           [--format table|csv|xlsx|json] [--out FILE]\n"
	    "       qrgate-aggregator attendance shift NAME --start HH:MM "
	    "--end HH:MM\n"
	    "           [--break MIN] [--grace MIN] [--days 12345]\n"
	    "       qrgate-aggregator attendance shifts [--json]\n"
	    "       qrgate-aggregator attendance assign SHIFT --person ID | "
	    "--group DEPARTMENT\n"
	    "       qrgate-aggregator attendance correct PERSON DAY "
	    "--first-in T | --last-out T |\n"
	    "           --excused --why TEXT\n");
}

static int
att_parse(int argc, char **argv, struct att_opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "person", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ "start", required_argument, NULL, 's' },
		{ "end", required_argument, NULL, 'e' },
		{ "break", required_argument, NULL, 'b' },
		{ "grace", required_argument, NULL, 'G' },
		{ "days", required_argument, NULL, 'd' },
		{ "why", required_argument, NULL, 'w' },
		{ "first-in", required_argument, NULL, 'i' },
		{ "last-out", required_argument, NULL, 'l' },
		{ "excused", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'D': o->db = optarg; break;
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'g': o->group = optarg; break;
		case 'p': o->person = optarg; break;
		case 'F': o->format = optarg; break;
		case 'o': o->out = optarg; break;
		case 's': o->start = optarg; break;
		case 'e': o->end = optarg; break;
		case 'b': o->brk = optarg; break;
		case 'G': o->grace = optarg; break;
		case 'd': o->days = optarg; break;
		case 'w': o->why = optarg; break;
		case 'i': o->first_in = optarg; break;
		case 'l': o->last_out = optarg; break;
		case 'x': o->excused = true; break;
		case 'J': o->json = true; break;
		default: return -1;
		}
	}
	return optind;
}

/* A whole number of minutes 0..1440, or -1. */
static int
att_minutes(const char *s, int dflt)
{
	char *end;
	long v;

	if (s == NULL)
		return dflt;
	v = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && v >= 0 && v <= 1440 ? (int)v :
	    -1;
}

/* Writes len bytes of data to path, or stdout when path is NULL. */
static int
att_write(const char *path, const char *data, size_t len)
{
	FILE *f = path != NULL ? fopen(path, "wb") : stdout;
	int rc = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	if (fwrite(data, 1, len, f) != len)
		rc = -1;
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
		rc = -1;
	if (rc == -1)
		perror(path != NULL ? path : "stdout");
	return rc;
}

static int
att_report(struct agg_db *db, const struct att_opts *o)
{
	/* A table for a terminal; a file or a pipe takes CSV. */
	const char *fmt = o->format != NULL ? o->format :
	    o->out == NULL && isatty(1) ? "table" : "csv";
	char err[200], *data = NULL;
	size_t len = 0;
	json_t *rows;
	bool bad;
	int rc = 0;

	if (strcmp(fmt, "table") != 0 && strcmp(fmt, "csv") != 0 &&
	    strcmp(fmt, "xlsx") != 0 && strcmp(fmt, "json") != 0) {
		fprintf(stderr, "qrgate-aggregator attendance: --format is "
		    "table, csv, xlsx or json\n");
		return 2;
	}
	if (strcmp(fmt, "table") == 0 && o->out != NULL) {
		fprintf(stderr, "qrgate-aggregator attendance: a table is "
		    "for the terminal: --format csv, xlsx or json to a "
		    "file\n");
		return 2;
	}
	if (strcmp(fmt, "xlsx") == 0 && o->out == NULL && isatty(1)) {
		fprintf(stderr, "qrgate-aggregator attendance: a workbook "
		    "goes to --out FILE, not to a terminal\n");
		return 2;
	}
	if ((rows = agg_attendance_report(db, o->from, o->to, o->group,
	    o->person, &bad, err, sizeof(err))) == NULL) {
		fprintf(stderr, "qrgate-aggregator attendance: %s\n", err);
		return bad ? 2 : 1;
	}
	if (strcmp(fmt, "table") == 0) {
		agg_print_rows(rows, OUT_TABLE);
		json_decref(rows);
		return 0;
	}
	if (strcmp(fmt, "json") == 0) {
		data = json_dumps(rows, JSON_INDENT(2));
		len = data != NULL ? strlen(data) : 0;
		rc = data != NULL ? 0 : -1;
	} else if (strcmp(fmt, "xlsx") == 0)
		rc = agg_attendance_xlsx(rows, &data, &len);
	else
		rc = agg_attendance_csv(rows, &data, &len);
	if (rc == 0)
		rc = att_write(o->out, data, len);
	free(data);
	json_decref(rows);
	return rc == 0 ? 0 : 1;
}

static int
att_shift_cmd(struct agg_db *db, const struct att_opts *o, const char *name,
    char *detail, size_t dlen)
{
	struct att_shift s = { .days = 0x1f };
	char err[200];

	snprintf(s.name, sizeof(s.name), "%s", name);
	if (o->start == NULL || o->end == NULL ||
	    att_hhmm_parse(o->start, &s.start_min) == -1 ||
	    att_hhmm_parse(o->end, &s.end_min) == -1) {
		fprintf(stderr, "qrgate-aggregator attendance shift: --start "
		    "and --end are HH:MM\n");
		return 2;
	}
	s.break_min = att_minutes(o->brk, 0);
	s.grace_min = att_minutes(o->grace, 0);
	if (o->days != NULL && att_days_parse(o->days, &s.days) == -1)
		s.days = 0;
	if (agg_shift_put(db, &s, clock_utc_ms(), err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator attendance shift: %s\n",
		    err);
		return 1;
	}
	snprintf(detail, dlen, "shift %s %s-%s break %d grace %d", s.name,
	    o->start, o->end, s.break_min, s.grace_min);
	return 0;
}

static int
att_assign_cmd(struct agg_db *db, const struct att_opts *o,
    const char *shift, char *detail, size_t dlen)
{
	char err[200];

	if ((o->person == NULL) == (o->group == NULL)) {
		att_usage();
		return 2;
	}
	if (agg_shift_assign(db, o->group != NULL, o->group != NULL ?
	    o->group : o->person, shift, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator attendance assign: %s\n",
		    err);
		return 1;
	}
	snprintf(detail, dlen, "assign %s to %s %s", shift, o->group != NULL ?
	    "department" : "person", o->group != NULL ? o->group : o->person);
	return 0;
}

static int
att_correct_cmd(struct agg_db *db, const struct att_opts *o,
    const char *person, const char *day, char *detail, size_t dlen)
{
	enum att_field f;
	const char *v = o->first_in != NULL ? o->first_in : o->last_out;
	char err[200], who[80];
	const char *user = getenv("SUDO_USER");
	int64_t ms = 0;

	if ((o->first_in != NULL) + (o->last_out != NULL) + o->excused != 1) {
		att_usage();
		return 2;
	}
	f = o->first_in != NULL ? ATT_FIRST_IN : o->last_out != NULL ?
	    ATT_LAST_OUT : ATT_EXCUSED;
	if (v != NULL && sitetime_parse(v, &ms, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator attendance correct: %s\n",
		    err);
		return 2;
	}
	if (user == NULL)
		user = getenv("USER");
	snprintf(who, sizeof(who), "cli:%s", user != NULL ? user : "?");
	if (agg_att_correct(db, person, day, f, ms, who, o->why,
	    clock_utc_ms(), err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgate-aggregator attendance correct: %s\n",
		    err);
		return 1;
	}
	snprintf(detail, dlen, "correct %s %s %s%s%s: %s", person, day,
	    f == ATT_FIRST_IN ? "first_in" : f == ATT_LAST_OUT ? "last_out" :
	    "excused", v != NULL ? " " : "", v != NULL ? v : "", o->why);
	return 0;
}

int
agg_attendance_cli(const struct agg_config *cfg, int argc, char **argv)
{
	struct att_opts o = { 0 };
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "";
	struct agg_db *db;
	char detail[400];
	int first, nargs, rc;
	bool change;

	if ((first = att_parse(argc, argv, &o)) == -1) {
		att_usage();
		return 2;
	}
	/* getopt moved the operands last: the command, then its own. */
	nargs = argc - first;
	if (sub[0] != '\0')
		nargs--, first++;
	if ((sub[0] == '\0' && (nargs != 0 || o.from == NULL ||
	    o.to == NULL)) || (strcmp(sub, "shift") == 0 && nargs != 1) ||
	    (strcmp(sub, "shifts") == 0 && nargs != 0) ||
	    (strcmp(sub, "assign") == 0 && nargs != 1) ||
	    (strcmp(sub, "correct") == 0 && nargs != 2)) {
		att_usage();
		return 2;
	}
	change = strcmp(sub, "shift") == 0 || strcmp(sub, "assign") == 0 ||
	    strcmp(sub, "correct") == 0;
	if (sub[0] != '\0' && !change && strcmp(sub, "shifts") != 0) {
		fprintf(stderr, "qrgate-aggregator attendance: no command "
		    "\"%s\"\n", sub);
		att_usage();
		return 2;
	}
	if ((db = agg_db_open(o.db != NULL ? o.db : cfg->db, !change)) ==
	    NULL)
		return 1;
	if (!change) {
		if (sub[0] == '\0')
			rc = att_report(db, &o);
		else {
			json_t *list = agg_shift_list(db);

			rc = list != NULL ? 0 : 1;
			if (list != NULL && o.json) {
				json_dumpf(list, stdout, JSON_INDENT(2));
				putchar('\n');
			} else if (list != NULL)
				agg_print_rows(list, OUT_TABLE);
			json_decref(list);
		}
		agg_db_close(db);
		return rc;
	}
	if (agg_db_begin(db) == -1) {
		agg_db_close(db);
		return 1;
	}
	if (strcmp(sub, "shift") == 0)
		rc = att_shift_cmd(db, &o, argv[first], detail,
		    sizeof(detail));
	else if (strcmp(sub, "assign") == 0)
		rc = att_assign_cmd(db, &o, argv[first], detail,
		    sizeof(detail));
	else
		rc = att_correct_cmd(db, &o, argv[first], argv[first + 1],
		    detail, sizeof(detail));
	if (rc == 0 && (agg_audit_add(db, clock_utc_ms(), NULL, "attendance",
	    detail) == -1 || agg_db_commit(db) == -1))
		rc = 1;
	if (rc != 0)
		agg_db_rollback(db);
	agg_db_close(db);
	return rc;
}
