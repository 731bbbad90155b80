/*
 * Attendance's storage and report (agg_attendance.h): shifts,
 * assignments and corrections in their own tables, one SQL text for both
 * databases; the figures are attendance.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg_attendance.h"
#include "log.h"
#include "util.h"

/* One person of the report with the shift they work. */
struct att_person {
	char id[64];
	char name[128];
	char dept[64];
	struct att_shift shift;
};

struct att_people {
	struct att_person *v;
	size_t n, size;
};

/* The passages or corrections of one person. */
struct att_rows {
	struct att_passage *p;
	size_t np, psize;
	struct att_correction *c;
	size_t nc, csize;
};

static void
att_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

static int
att_int(const char *s)
{
	return s != NULL ? atoi(s) : 0;
}

static void
att_days_text(unsigned days, char *buf, size_t len)
{
	size_t n = 0;

	for (int i = 0; i < 7 && n + 1 < len; i++)
		if (days & (1u << i))
			buf[n++] = (char)('1' + i);
	buf[n] = '\0';
}

int
agg_shift_put(struct agg_db *db, const struct att_shift *s, int64_t now_ms,
    char *err, size_t errlen)
{
	char days[8];
	struct agg_db_arg a[] = {
		AGG_S(s->name), AGG_I(s->start_min), AGG_I(s->end_min),
		AGG_I(s->break_min), AGG_I(s->grace_min), AGG_S(days),
		AGG_I(now_ms),
	};

	if (att_shift_check(s, err, errlen) == -1)
		return -1;
	att_days_text(s->days, days, sizeof(days));
	if (agg_db_run(db, "INSERT INTO shifts (name, start_min, end_min, "
	    "break_min, grace_min, days, changed_ms) VALUES ($1, $2, $3, $4, "
	    "$5, $6, $7) ON CONFLICT (name) DO UPDATE SET "
	    "start_min = excluded.start_min, end_min = excluded.end_min, "
	    "break_min = excluded.break_min, grace_min = excluded.grace_min, "
	    "days = excluded.days, changed_ms = excluded.changed_ms", a,
	    (int)nitems(a), NULL, NULL, NULL) == -1) {
		snprintf(err, errlen, "database error");
		return -1;
	}
	return 0;
}

static void
att_hhmm(int min, char *buf, size_t len)
{
	snprintf(buf, len, "%02d:%02d", (min / 60) % 24, min % 60);
}

static int
att_shift_row(void *arg, int ncol, const char *const *col)
{
	char start[8], end[8];

	if (ncol < 6)
		return 0;
	att_hhmm(att_int(col[1]), start, sizeof(start));
	att_hhmm(att_int(col[2]), end, sizeof(end));
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:i, "
	    "s:i, s:s}", "name", col[0] ? col[0] : "", "start", start, "end",
	    end, "break_min", att_int(col[3]), "grace_min", att_int(col[4]),
	    "days", col[5] ? col[5] : ""));
}

json_t *
agg_shift_list(struct agg_db *db)
{
	json_t *list = json_array();

	if (list == NULL || agg_db_run(db, "SELECT name, start_min, end_min, "
	    "break_min, grace_min, days FROM shifts ORDER BY name", NULL, 0,
	    att_shift_row, list, NULL) != 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

int
agg_shift_assign(struct agg_db *db, bool group, const char *target,
    const char *shift, char *err, size_t errlen)
{
	struct agg_db_arg a[] = {
		AGG_S(group ? "group" : "person"), AGG_S(target), AGG_S(shift),
	};
	/* PostgreSQL types every parameter sent: each query its own. */
	struct agg_db_arg one_shift[] = { AGG_S(shift) };
	struct agg_db_arg one_person[] = { AGG_S(target) };
	int64_t n;
	int rc;

	if (target[0] == '\0') {
		snprintf(err, errlen, "no %s named", group ? "department" :
		    "person");
		return -1;
	}
	if (shift[0] == '\0')
		rc = agg_db_run(db, "DELETE FROM shift_assign WHERE kind = $1 "
		    "AND target = $2", a, 2, NULL, NULL, NULL);
	else {
		if ((rc = agg_db_int(db, "SELECT count(*) FROM shifts WHERE "
		    "name = $1", one_shift, 1, &n)) != -1 && n == 0) {
			snprintf(err, errlen, "no shift \"%s\"", shift);
			return -1;
		}
		if (rc != -1 && !group && (rc = agg_db_int(db, "SELECT "
		    "count(*) FROM people WHERE id = $1", one_person, 1, &n)) != -1 &&
		    n == 0) {
			snprintf(err, errlen, "no person \"%s\"", target);
			return -1;
		}
		if (rc != -1)
			rc = agg_db_run(db, "INSERT INTO shift_assign (kind, "
			    "target, shift) VALUES ($1, $2, $3) ON CONFLICT "
			    "(kind, target) DO UPDATE SET shift = "
			    "excluded.shift", a, 3, NULL, NULL, NULL);
	}
	if (rc == -1) {
		snprintf(err, errlen, "database error");
		return -1;
	}
	return 0;
}

static const char *const att_field_names[] = {
	[ATT_FIRST_IN] = "first_in",
	[ATT_LAST_OUT] = "last_out",
	[ATT_EXCUSED] = "excused",
};

int
agg_att_field_parse(const char *s, enum att_field *f)
{
	for (size_t i = 0; i < nitems(att_field_names); i++)
		if (strcmp(s, att_field_names[i]) == 0) {
			*f = (enum att_field)i;
			return 0;
		}
	return -1;
}

/* Whether s is a calendar date YYYY-MM-DD. */
static bool
att_date_ok(const char *s)
{
	struct att_shift any = { "x", 0, 60, 0, 0, 0x7f };
	int64_t lo, hi;

	return att_range(&any, s, s, &lo, &hi) == 0;
}

int
agg_att_correct(struct agg_db *db, const char *person, const char *day,
    enum att_field field, int64_t value_ms, const char *who,
    const char *why, int64_t now_ms, char *err, size_t errlen)
{
	struct agg_db_arg a[] = {
		AGG_S(person), AGG_S(day), AGG_S(att_field_names[field]),
		AGG_I(field == ATT_EXCUSED ? 0 : value_ms), AGG_S(who),
		AGG_S(why), AGG_I(now_ms),
	};
	int64_t n;
	int rc;

	if (!att_date_ok(day)) {
		snprintf(err, errlen, "the day is YYYY-MM-DD");
		return -1;
	}
	if (why == NULL || why[0] == '\0') {
		snprintf(err, errlen, "a correction needs a reason (--why)");
		return -1;
	}
	if ((rc = agg_db_int(db, "SELECT count(*) FROM people WHERE id = $1",
	    a, 1, &n)) != -1 && n == 0) {
		snprintf(err, errlen, "no person \"%s\"", person);
		return -1;
	}
	if (rc != -1)
		rc = agg_db_run(db, "INSERT INTO attendance_corrections (id, "
		    "person, day, field, value_ms, who, why, ts_ms) SELECT "
		    "COALESCE(MAX(id), 0) + 1, CAST($1 AS TEXT), "
		    "CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS BIGINT), "
		    "CAST($5 AS TEXT), CAST($6 AS TEXT), CAST($7 AS BIGINT) "
		    "FROM attendance_corrections", a, (int)nitems(a), NULL,
		    NULL, NULL);
	if (rc == -1) {
		snprintf(err, errlen, "database error");
		return -1;
	}
	return 0;
}

static int
att_person_row(void *arg, int ncol, const char *const *col)
{
	struct att_people *pp = arg;
	struct att_person *p;

	if (ncol < 9)
		return 0;
	if (pp->n == pp->size) {
		size_t size = pp->size ? pp->size * 2 : 64;
		struct att_person *v = realloc(pp->v, size * sizeof(*v));

		if (v == NULL)
			return -1;
		pp->v = v;
		pp->size = size;
	}
	p = &pp->v[pp->n++];
	memset(p, 0, sizeof(*p));
	att_copy(p->id, sizeof(p->id), col[0]);
	att_copy(p->name, sizeof(p->name), col[1]);
	att_copy(p->dept, sizeof(p->dept), col[2]);
	att_copy(p->shift.name, sizeof(p->shift.name), col[3]);
	p->shift.start_min = att_int(col[4]);
	p->shift.end_min = att_int(col[5]);
	p->shift.break_min = att_int(col[6]);
	p->shift.grace_min = att_int(col[7]);
	if (att_days_parse(col[8] ? col[8] : "", &p->shift.days) == -1)
		p->shift.days = 0;
	return 0;
}

static int
att_passage_row(void *arg, int ncol, const char *const *col)
{
	struct att_rows *r = arg;

	if (ncol < 3)
		return 0;
	if (r->np == r->psize) {
		size_t size = r->psize ? r->psize * 2 : 256;
		struct att_passage *v = realloc(r->p, size * sizeof(*v));

		if (v == NULL)
			return -1;
		r->p = v;
		r->psize = size;
	}
	r->p[r->np++] = (struct att_passage){
		.ts_ms = col[0] ? strtoll(col[0], NULL, 10) : 0,
		.entry = col[1] != NULL && strcmp(col[1], "entry") == 0,
		.granted = col[2] != NULL && strcmp(col[2], "granted") == 0,
	};
	return 0;
}

static int
att_correction_row(void *arg, int ncol, const char *const *col)
{
	struct att_rows *r = arg;
	enum att_field f;

	if (ncol < 3 || agg_att_field_parse(col[1] ? col[1] : "", &f) == -1)
		return 0;
	if (r->nc == r->csize) {
		size_t size = r->csize ? r->csize * 2 : 16;
		struct att_correction *v = realloc(r->c, size * sizeof(*v));

		if (v == NULL)
			return -1;
		r->c = v;
		r->csize = size;
	}
	memset(&r->c[r->nc], 0, sizeof(r->c[r->nc]));
	att_copy(r->c[r->nc].day, sizeof(r->c[r->nc].day), col[0]);
	r->c[r->nc].field = f;
	r->c[r->nc].value_ms = col[2] ? strtoll(col[2], NULL, 10) : 0;
	r->nc++;
	return 0;
}

/* An instant as the site's local "YYYY-MM-DD HH:MM:SS", or "" for -1. */
static json_t *
att_local(int64_t ms)
{
	char buf[32] = "";
	struct tm tm;
	time_t t = (time_t)(ms / 1000);

	if (ms != -1 && localtime_r(&t, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return json_string(buf);
}

static json_t *
att_day_json(const struct att_person *p, const struct att_day *d)
{
	const char *missing = d->missing_in && d->missing_out ? "in,out" :
	    d->missing_in ? "in" : d->missing_out ? "out" : "";
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "day", json_string(d->day));
	json_object_set_new(o, "person", json_string(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "department", json_string(p->dept));
	json_object_set_new(o, "shift", json_string(p->shift.name));
	json_object_set_new(o, "first_in", att_local(d->first_in_ms));
	json_object_set_new(o, "last_out", att_local(d->last_out_ms));
	json_object_set_new(o, "worked_min", json_integer(d->worked_min));
	json_object_set_new(o, "late_min", json_integer(d->late_min));
	json_object_set_new(o, "early_min", json_integer(d->early_min));
	json_object_set_new(o, "missing", json_string(missing));
	json_object_set_new(o, "absent", json_integer(d->absent));
	json_object_set_new(o, "corrected", json_integer(d->corrected));
	json_object_set_new(o, "working", json_integer(d->working));
	json_object_set_new(o, "first_in_ms", d->first_in_ms == -1 ?
	    json_null() : json_integer(d->first_in_ms));
	json_object_set_new(o, "last_out_ms", d->last_out_ms == -1 ?
	    json_null() : json_integer(d->last_out_ms));
	return o;
}

/* One person's days appended to rows: 0, -1 database, -2 bad range. */
static int
att_person_days(struct agg_db *db, const struct att_person *p,
    const char *from, const char *to, struct att_day *days, json_t *rows)
{
	struct agg_db_arg a[] = { AGG_S(p->id), AGG_I(0), AGG_I(0) };
	struct agg_db_arg fa[] = { AGG_S(p->id), AGG_S(from), AGG_S(to) };
	struct att_rows r = { 0 };
	int n, rc = -1;

	if (att_range(&p->shift, from, to, &a[1].i, &a[2].i) == -1)
		return -2;
	/* A way released but not taken is no passage. */
	if (agg_db_run(db, "SELECT ts_ms, direction, result FROM events "
	    "WHERE credential_id = $1 AND ts_ms >= CAST($2 AS BIGINT) AND "
	    "ts_ms < CAST($3 AS BIGINT) AND passage <> 'not-passed' "
	    "ORDER BY ts_ms, event_id", a, 3, att_passage_row, &r, NULL) !=
	    0 || agg_db_run(db, "SELECT day, field, value_ms FROM "
	    "attendance_corrections WHERE person = $1 AND day >= $2 AND "
	    "day <= $3 ORDER BY id", fa, 3, att_correction_row, &r, NULL) != 0)
		goto out;
	if ((n = att_days(&p->shift, from, to, r.p, r.np, r.c, r.nc, days,
	    ATT_MAX_DAYS)) < 0) {
		rc = -2;
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (json_array_append_new(rows, att_day_json(p, &days[i])) ==
		    -1)
			goto out;
	rc = 0;
out:
	free(r.p);
	free(r.c);
	return rc;
}

json_t *
agg_attendance_report(struct agg_db *db, const char *from, const char *to,
    const char *group, const char *person, bool *bad, char *err,
    size_t errlen)
{
	struct agg_db_arg a[] = {
		AGG_S(group != NULL ? group : ""),
		AGG_S(person != NULL ? person : ""),
	};
	struct att_people pp = { 0 };
	struct att_day *days = NULL;
	json_t *rows = NULL;
	int rc = 0;

	*bad = false;
	if (from == NULL || to == NULL || !att_date_ok(from) ||
	    !att_date_ok(to)) {
		*bad = true;
		snprintf(err, errlen, "from and to are dates YYYY-MM-DD");
		return NULL;
	}
	/* A person's own shift first, else their department's. */
	if (agg_db_run(db, "SELECT p.id, p.name, p.department, s.name, "
	    "s.start_min, s.end_min, s.break_min, s.grace_min, s.days "
	    "FROM people p LEFT JOIN shift_assign ap ON ap.kind = 'person' "
	    "AND ap.target = p.id LEFT JOIN shift_assign ag ON "
	    "ag.kind = 'group' AND ag.target = p.department JOIN shifts s ON "
	    "s.name = COALESCE(ap.shift, ag.shift) WHERE (CAST($1 AS TEXT) = "
	    "'' OR p.department = $1) AND (CAST($2 AS TEXT) = '' OR "
	    "p.id = $2) ORDER BY p.id", a, 2, att_person_row, &pp, NULL) != 0) {
		snprintf(err, errlen, "database error");
		goto out;
	}
	if ((days = calloc(ATT_MAX_DAYS, sizeof(*days))) == NULL ||
	    (rows = json_array()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < pp.n && rc == 0; i++)
		rc = att_person_days(db, &pp.v[i], from, to, days, rows);
	if (rc == -2) {
		*bad = true;
		snprintf(err, errlen, "from must not be after to, nor more "
		    "than %d days before it", ATT_MAX_DAYS);
	} else if (rc == -1)
		snprintf(err, errlen, "database error");
	if (rc != 0) {
		json_decref(rows);
		rows = NULL;
	}
out:
	free(pp.v);
	free(days);
	return rows;
}
