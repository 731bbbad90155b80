/*
 * Attendance in the console's API (agg_attendance.h), for HR and admin
 * (agg_web_roles.c):
 *
 *	GET  attendance ?from=DATE&to=DATE[&group=G][&person=ID]
 *	     [&format=csv|xlsx]		{from, to, rows}, or the file
 *	GET  attendance-shifts		the shifts
 *	POST attendance-correct {person, day, field, value, why}
 *					HR's correction, by the session's user
 */
#include <stdio.h>
#include <string.h>

#include "agg_api.h"
#include "agg_attendance.h"
#include "clock.h"
#include "sitetime.h"

static int
att_api_report(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	const char *from = agg_web_query_get(c->q, "from");
	const char *to = agg_web_query_get(c->q, "to");
	const char *fmt = agg_web_query_get(c->q, "format");
	char err[200];
	json_t *rows;
	bool bad;
	int rc;

	if (fmt != NULL && strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0)
		return agg_api_bad(r, "format: csv or xlsx");
	if ((rows = agg_attendance_report(a->db, from, to,
	    agg_web_query_get(c->q, "group"),
	    agg_web_query_get(c->q, "person"), &bad, err,
	    sizeof(err))) == NULL)
		return bad ? agg_api_bad(r, err) : -1;
	if (fmt == NULL) {
		r->json = json_pack("{s:s, s:s, s:o}", "from", from, "to", to,
		    "rows", rows);
		return r->json != NULL ? 0 : -1;
	}
	rc = strcmp(fmt, "xlsx") == 0 ? agg_attendance_xlsx(rows, &r->data,
	    &r->len) : agg_attendance_csv(rows, &r->data, &r->len);
	json_decref(rows);
	if (rc == -1)
		return -1;
	snprintf(r->type, sizeof(r->type), "%s", strcmp(fmt, "xlsx") == 0 ?
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" :
	    "text/csv; charset=utf-8");
	snprintf(r->filename, sizeof(r->filename), "attendance-%.10s-%.10s.%s",
	    from, to, fmt);
	return 0;
}

static int
att_api_correct(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	json_t *b = agg_api_body(c, r);
	const char *person, *day, *field, *value, *why;
	enum att_field f;
	char err[200];
	int64_t ms = 0;

	if (b == NULL)
		return 0;
	person = json_string_value(json_object_get(b, "person"));
	day = json_string_value(json_object_get(b, "day"));
	field = json_string_value(json_object_get(b, "field"));
	value = json_string_value(json_object_get(b, "value"));
	why = json_string_value(json_object_get(b, "why"));
	if (person == NULL || day == NULL || field == NULL ||
	    agg_att_field_parse(field, &f) == -1) {
		json_decref(b);
		return agg_api_bad(r, "person, day and field (first_in, "
		    "last_out or excused) are needed");
	}
	if (f != ATT_EXCUSED && (value == NULL ||
	    sitetime_parse(value, &ms, err, sizeof(err)) == -1)) {
		json_decref(b);
		return agg_api_bad(r, "value: a time");
	}
	if (agg_att_correct(a->db, person, day, f, ms, c->who->name, why,
	    clock_utc_ms(), err, sizeof(err)) == -1) {
		json_decref(b);
		return strcmp(err, "database error") == 0 ? -1 :
		    agg_api_bad(r, err);
	}
	snprintf(r->audit, sizeof(r->audit), "attendance correct %s %s %s: "
	    "%.120s", person, day, field, why);
	json_decref(b);
	r->json = json_pack("{s:b}", "ok", 1);
	return r->json != NULL ? 0 : -1;
}

int
agg_attendance_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r)
{
	if (strcmp(c->what, "attendance") == 0)
		return att_api_report(a, c, r);
	if (strcmp(c->what, "attendance-shifts") == 0) {
		r->json = agg_shift_list(a->db);
		return r->json != NULL ? 0 : -1;
	}
	if (strcmp(c->what, "attendance-correct") == 0)
		return att_api_correct(a, c, r);
	r->status = 404;
	r->json = json_pack("{s:s}", "error", "no such question");
	return r->json != NULL ? 0 : -1;
}
