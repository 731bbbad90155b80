/*
 * qrgatectl schedule: the profiles that say when a credential may enter,
 * each group's, and the site's holidays (schedule.h, store_schedule.h).
 * Files are read whole and checked before anything is written, so a
 * mistake on line 40 leaves the gate as it was, and is reported as
 * FILE:LINE.
 */
#include "ctl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "ctl_ics.h"
#include "schedule.h"
#include "sitetime.h"
#include "store.h"
#include "store_schedule.h"
#include "util.h"

/* The most lines a file may give: a site has some tens of profiles and
 * a few years of holidays. */
#define SCHED_FILE_ROWS		SCHED_HOLIDAYS_MAX
#define SCHED_LINE_MAX		(SCHED_NAME_LEN + SCHED_TEXT_LEN + 16)

void
ctl_schedule_usage(FILE *f)
{
	fprintf(f, "usage: qrgatectl schedule add NAME TEXT\n"
	    "       qrgatectl schedule del NAME\n"
	    "       qrgatectl schedule list\n"
	    "       qrgatectl schedule import FILE\n"
	    "       qrgatectl schedule check NAME [--at T]\n"
	    "       qrgatectl schedule export [--version N]\n"
	    "       qrgatectl schedule group [GROUP NAME|-]\n"
	    "       qrgatectl schedule holiday add DATE [DESCRIPTION]\n"
	    "       qrgatectl schedule holiday del DATE\n"
	    "       qrgatectl schedule holiday list\n"
	    "       qrgatectl schedule holiday import FILE.ics|FILE\n"
	    "  TEXT is items joined by ';': DAYS HH:MM-HH:MM[,HH:MM-HH:MM...] "
	    "(DAYS: mon..sun,\n  mon-fri, mon,wed, daily, holiday), "
	    "grace BEFORE[/AFTER] (minutes), holiday closed;\n"
	    "  e.g. \"mon-fri 07:00-16:00; sat 07:00-11:00; grace 15\".  "
	    "A FILE has one profile\n  a line, NAME TEXT, or one holiday a "
	    "line, YYYY-MM-DD [DESCRIPTION]; '#' starts\n  a comment.  "
	    "DATE is YYYY-MM-DD, T a time in site.timezone (default now); "
	    "export prints\n  the document qrgatectl push schedules sends "
	    "(N: by default the UTC time as YYYYMMDDHHMMSS)\n");
}

/* One line of a file: its number and its text, split at the first
 * space into key and rest. */
struct sched_row {
	int line;
	char key[SCHED_NAME_LEN];
	char rest[SCHED_TEXT_LEN];
};

struct sched_file {
	const char *path;
	size_t n;
	struct sched_row *row;
};

static void
sched_trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
}

/*
 * Reads path into rows of KEY REST, skipping blank lines and comments.
 * keylen bounds the key (a name, or a date).  0, or -1 after a message
 * naming FILE:LINE.
 */
static int
sched_file_read(const char *path, size_t keylen, struct sched_file *sf)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	int line = 0, rc = 0;
	FILE *f;

	sf->path = path;
	sf->n = 0;
	if ((sf->row = calloc(SCHED_FILE_ROWS, sizeof(*sf->row))) == NULL ||
	    (f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "qrgatectl: schedule: %s: %s\n", path,
		    strerror(errno));
		free(sf->row);
		sf->row = NULL;
		return -1;
	}
	while (rc == 0 && (got = getline(&buf, &cap, f)) != -1) {
		struct sched_row *r;
		char *sp;

		line++;
		if (memchr(buf, '\0', (size_t)got) != NULL || got >
		    SCHED_LINE_MAX) {
			fprintf(stderr, "qrgatectl: schedule: %s:%d: %s\n",
			    path, line, got > SCHED_LINE_MAX ? "line too long" :
			    "a NUL byte: not a text file");
			rc = -1;
			break;
		}
		sched_trim(buf);
		if (buf[0] == '\0' || buf[0] == '#')
			continue;
		if (sf->n >= SCHED_FILE_ROWS) {
			fprintf(stderr, "qrgatectl: schedule: %s:%d: more than "
			    "%d lines\n", path, line, SCHED_FILE_ROWS);
			rc = -1;
			break;
		}
		r = &sf->row[sf->n++];
		r->line = line;
		sp = buf + strcspn(buf, " \t");
		if ((size_t)(sp - buf) >= keylen) {
			fprintf(stderr, "qrgatectl: schedule: %s:%d: '%.40s' "
			    "is too long a first word\n", path, line, buf);
			rc = -1;
			break;
		}
		memcpy(r->key, buf, (size_t)(sp - buf));
		r->key[sp - buf] = '\0';
		sched_trim(sp);
		snprintf(r->rest, sizeof(r->rest), "%s", sp);
	}
	if (ferror(f)) {
		fprintf(stderr, "qrgatectl: schedule: %s: %s\n", path,
		    strerror(errno));
		rc = -1;
	}
	fclose(f);
	free(buf);
	if (rc == -1) {
		free(sf->row);
		sf->row = NULL;
	}
	return rc;
}

static int
sched_add(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	char err[256];
	int rc;

	if (argc != 3) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	if ((st = ctl_store_open(c, false)) == NULL)
		return 1;
	rc = store_schedule_put(st, argv[1], argv[2], err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "qrgatectl: schedule %s: %s\n", argv[1], err);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

static int
sched_del(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	int r;

	if (argc != 2) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	if ((st = ctl_store_open(c, false)) == NULL)
		return 1;
	if ((r = store_schedule_delete(st, argv[1])) == 0)
		fprintf(stderr, "qrgatectl: schedule: no schedule %s\n",
		    argv[1]);
	store_close(st);
	return r == 1 ? 0 : 1;
}

static int
sched_print_pair(const char *a, const char *b, void *arg)
{
	(void)arg;
	printf("%-20s %s\n", a, b);
	return 0;
}

static int
sched_list(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	int rc;

	(void)argv;
	if (argc != 1) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	if ((st = ctl_store_open(c, true)) == NULL)
		return 1;
	rc = store_schedule_foreach(st, sched_print_pair, NULL);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

static int
sched_import(struct ctl *c, int argc, char **argv)
{
	struct sched_file sf;
	struct schedule s;
	struct store *st;
	char err[256];
	int rc = 0;

	if (argc != 2) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	if (sched_file_read(argv[1], SCHED_NAME_LEN + 1, &sf) == -1)
		return 1;
	for (size_t i = 0; i < sf.n && rc == 0; i++)
		if (schedule_parse(sf.row[i].key, sf.row[i].rest, &s, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "qrgatectl: schedule: %s:%d: %s\n",
			    sf.path, sf.row[i].line, err);
			rc = 1;
		}
	if (rc == 0 && (st = ctl_store_open(c, false)) == NULL)
		rc = 1;
	else if (rc == 0) {
		for (size_t i = 0; i < sf.n && rc == 0; i++)
			if (store_schedule_put(st, sf.row[i].key,
			    sf.row[i].rest, err, sizeof(err)) == -1) {
				fprintf(stderr, "qrgatectl: schedule: %s:%d: "
				    "%s\n", sf.path, sf.row[i].line, err);
				rc = 1;
			}
		store_close(st);
		if (rc == 0)
			printf("%zu schedules imported\n", sf.n);
	}
	free(sf.row);
	return rc;
}

static int
sched_check(struct ctl *c, int argc, char **argv)
{
	struct sched_holidays *h;
	struct schedule s;
	struct store *st;
	const char *at = NULL;
	char msg[200];
	int64_t ms;
	int r, open;

	for (int i = 2; i < argc; i++)
		if ((at = ctl_opt(argc, argv, &i, "--at")) == NULL) {
			ctl_schedule_usage(stderr);
			return 2;
		}
	if (argc < 2) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	if (at == NULL)
		ms = clock_utc_ms();
	else if (sitetime_parse(at, &ms, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "qrgatectl: schedule: --at: %s\n", msg);
		return 2;
	}
	if ((st = ctl_store_open(c, true)) == NULL)
		return 1;
	if ((h = malloc(sizeof(*h))) == NULL ||
	    (r = store_schedule_get(st, argv[1], &s)) == -1 ||
	    store_holidays_load(st, h) == -1) {
		store_close(st);
		free(h);
		return 1;
	}
	store_close(st);
	if (r == 0) {
		fprintf(stderr, "qrgatectl: schedule: no schedule %s\n",
		    argv[1]);
		free(h);
		return 1;
	}
	open = schedule_open_at(&s, h, ms);
	free(h);
	printf("%s %s at %s\n", argv[1], open == 1 ? "open" : "closed",
	    sitetime_format(ms, msg, sizeof(msg)));
	return 0;
}

static int
sched_group(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	char err[256];
	int rc;

	if (argc != 1 && argc != 3) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	if ((st = ctl_store_open(c, argc == 1)) == NULL)
		return 1;
	if (argc == 1)
		rc = store_schedule_group_foreach(st, sched_print_pair, NULL);
	else if ((rc = store_schedule_group_set(st, argv[1],
	    strcmp(argv[2], "-") == 0 ? "" : argv[2], err,
	    sizeof(err))) == -1)
		fprintf(stderr, "qrgatectl: schedule group: %s\n", err);
	store_close(st);
	return rc == 0 ? 0 : 1;
}

/* Adds a pair to the JSON object arg; non-zero when out of memory. */
static int
sched_json_pair(const char *a, const char *b, void *arg)
{
	return json_object_set_new(arg, a, json_string(b)) == -1;
}

/*
 * The schedules, groups and holidays of this store as the document a
 * push of schedules sends (inbound_sched.c): prepared on one machine,
 * checked with schedule check, then sent to every gate of the site.
 */
static int
sched_export(struct ctl *c, int argc, char **argv)
{
	time_t now = time(NULL);
	json_t *doc, *o[3];
	int64_t version;
	const char *v = NULL;
	struct tm tm;
	struct store *st;
	char *end;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if ((v = ctl_opt(argc, argv, &i, "--version")) == NULL) {
			ctl_schedule_usage(stderr);
			return 2;
		}
	/* As qrgatectl push numbers a credential list: the UTC time as
	 * YYYYMMDDHHMMSS, which grows with each export a second apart. */
	gmtime_r(&now, &tm);
	version = ((((((int64_t)tm.tm_year + 1900) * 100 + tm.tm_mon + 1) *
	    100 + tm.tm_mday) * 100 + tm.tm_hour) * 100 + tm.tm_min) * 100 +
	    tm.tm_sec;
	if (v != NULL) {
		errno = 0;
		version = strtoll(v, &end, 10);
		if (errno != 0 || *end != '\0' || end == v || version < 1) {
			fprintf(stderr, "qrgatectl: schedule export: --version "
			    "'%s' is not a number from 1\n", v);
			return 2;
		}
	}
	if ((st = ctl_store_open(c, true)) == NULL)
		return 1;
	for (int i = 0; i < 3; i++)
		o[i] = json_object();
	if (o[0] == NULL || o[1] == NULL || o[2] == NULL ||
	    store_schedule_foreach(st, sched_json_pair, o[0]) == -1 ||
	    store_schedule_group_foreach(st, sched_json_pair, o[1]) == -1 ||
	    store_holiday_foreach(st, sched_json_pair, o[2]) == -1)
		rc = 1;
	store_close(st);
	doc = rc == 0 ? json_pack("{s:I, s:O, s:O, s:O}", "version",
	    (json_int_t)version, "schedules", o[0], "groups", o[1],
	    "holidays", o[2]) : NULL;
	for (int i = 0; i < 3; i++)
		json_decref(o[i]);
	if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(1) |
	    JSON_PRESERVE_ORDER) == -1) {
		fprintf(stderr, "qrgatectl: schedule export: failed\n");
		json_decref(doc);
		return 1;
	}
	putchar('\n');
	json_decref(doc);
	return 0;
}

/* A holiday found in a file, kept until the whole file has been read. */
struct sched_days {
	size_t n;
	struct sched_row *row;
};

/* Whether date is a date, checked as the calendar checks one. */
static int
sched_day_check(const char *date, char *msg, size_t msglen)
{
	struct sched_holidays one = { 0 };

	return schedule_holiday_add(&one, date, msg, msglen);
}

static int
sched_ics_day(const char *date, const char *summary, int line, void *arg,
    char *msg, size_t msglen)
{
	struct sched_days *d = arg;

	if (sched_day_check(date, msg, msglen) == -1)
		return -1;
	if (d->n >= SCHED_FILE_ROWS) {
		snprintf(msg, msglen, "more than %d holidays",
		    SCHED_FILE_ROWS);
		return -1;
	}
	d->row[d->n].line = line;
	snprintf(d->row[d->n].key, sizeof(d->row[d->n].key), "%s", date);
	/* A summary is for people: one line, cut to fit. */
	snprintf(d->row[d->n].rest, 128, "%s", summary);
	d->row[d->n].rest[strcspn(d->row[d->n].rest, "\r\n")] = '\0';
	d->n++;
	return 0;
}

static int
sched_holiday_import(struct ctl *c, const char *path)
{
	struct sched_days d = { 0, NULL };
	struct sched_file sf;
	struct store *st;
	char err[300];
	size_t n = strlen(path);
	int rc = 0;

	if (n > 4 && strcmp(path + n - 4, ".ics") == 0) {
		if ((d.row = calloc(SCHED_FILE_ROWS, sizeof(*d.row))) == NULL)
			return 1;
		if (ctl_ics_read(path, sched_ics_day, &d, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "qrgatectl: schedule: %s\n", err);
			free(d.row);
			return 1;
		}
	} else {
		if (sched_file_read(path, 11, &sf) == -1)
			return 1;
		d.row = sf.row;
		for (size_t i = 0; i < sf.n && rc == 0; i++) {
			if (strlen(sf.row[i].rest) > 127)
				snprintf(err, sizeof(err), "a description of "
				    "at most 127 bytes");
			if (strlen(sf.row[i].rest) > 127 ||
			    sched_day_check(sf.row[i].key, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "qrgatectl: schedule: %s:%d: "
				    "%s\n", path, sf.row[i].line, err);
				rc = 1;
			}
		}
		d.n = sf.n;
	}
	if (rc == 0 && (st = ctl_store_open(c, false)) == NULL)
		rc = 1;
	else if (rc == 0) {
		for (size_t i = 0; i < d.n && rc == 0; i++)
			if (store_holiday_add(st, d.row[i].key, d.row[i].rest,
			    err, sizeof(err)) == -1) {
				fprintf(stderr, "qrgatectl: schedule: %s:%d: "
				    "%s\n", path, d.row[i].line, err);
				rc = 1;
			}
		store_close(st);
		if (rc == 0)
			printf("%zu holidays imported\n", d.n);
	}
	free(d.row);
	return rc;
}

static int
sched_holiday(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	char err[256];
	int rc;

	if (argc >= 3 && strcmp(argv[1], "import") == 0 && argc == 3)
		return sched_holiday_import(c, argv[2]);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if ((st = ctl_store_open(c, true)) == NULL)
			return 1;
		rc = store_holiday_foreach(st, sched_print_pair, NULL);
		store_close(st);
		return rc == 0 ? 0 : 1;
	}
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "add") == 0) {
		if ((st = ctl_store_open(c, false)) == NULL)
			return 1;
		if ((rc = store_holiday_add(st, argv[2], argc == 4 ? argv[3] :
		    "", err, sizeof(err))) == -1)
			fprintf(stderr, "qrgatectl: schedule holiday: %s\n",
			    err);
		store_close(st);
		return rc == 0 ? 0 : 1;
	}
	if (argc == 3 && strcmp(argv[1], "del") == 0) {
		if ((st = ctl_store_open(c, false)) == NULL)
			return 1;
		if ((rc = store_holiday_delete(st, argv[2])) == 0)
			fprintf(stderr, "qrgatectl: schedule holiday: %s is "
			    "not a holiday\n", argv[2]);
		store_close(st);
		return rc == 1 ? 0 : 1;
	}
	ctl_schedule_usage(stderr);
	return 2;
}

int
ctl_schedule(struct ctl *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctl *, int, char **);
	} cmds[] = {
		{ "add", sched_add },
		{ "del", sched_del },
		{ "list", sched_list },
		{ "import", sched_import },
		{ "check", sched_check },
		{ "export", sched_export },
		{ "group", sched_group },
		{ "holiday", sched_holiday },
	};

	if (argc < 2) {
		ctl_schedule_usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < nitems(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		ctl_schedule_usage(stderr);
		return 0;
	}
	ctl_schedule_usage(stderr);
	return 2;
}
