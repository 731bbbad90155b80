/*
 * Attendance at the aggregator (issue 20): the shifts, which shift a
 * person or a department works, HR's corrections, and the report built
 * from the events table by attendance.c.  Departments are the people
 * list's department field: a person's own assignment wins over their
 * department's; a person with neither is not in the report.
 *
 * A correction is a row of its own (who, why, when), never a change of
 * an event: the report applies the corrections on top of the passages,
 * and the passages stay as the gates sent them.  The changes run in the
 * caller's transaction, which also writes the audit row (as people's).
 */
#ifndef QRGATE_AGG_ATTENDANCE_PUB_H
#define QRGATE_AGG_ATTENDANCE_PUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "agg_db.h"
#include "attendance.h"

/* Adds the shift, or replaces the one of its name: 0, or -1 with err. */
int agg_shift_put(struct agg_db *db, const struct att_shift *s,
    int64_t now_ms, char *err, size_t errlen);

/* [{name, start, end, break_min, grace_min, days}]; NULL on error. */
json_t *agg_shift_list(struct agg_db *db);

/*
 * Assigns shift to the person id (group false) or the department
 * (group true); shift "" takes the assignment away.  0, or -1 with err
 * (no such shift or person, a database error).
 */
int agg_shift_assign(struct agg_db *db, bool group, const char *target,
    const char *shift, char *err, size_t errlen);

/* "first_in", "last_out", "excused": 0 with *f set, or -1. */
int agg_att_field_parse(const char *s, enum att_field *f);

/*
 * HR's correction of person's shift day (YYYY-MM-DD): field, its value
 * (first_in, last_out: an instant; excused: ignored), who made it and
 * why (required).  0, or -1 with err.
 */
int agg_att_correct(struct agg_db *db, const char *person, const char *day,
    enum att_field field, int64_t value_ms, const char *who,
    const char *why, int64_t now_ms, char *err, size_t errlen);

/*
 * The report from .. to (local dates, inclusive): one object a person
 * and day, in person then day order, each {day, person, name,
 * department, shift, first_in, last_out (local "YYYY-MM-DD HH:MM:SS" or
 * ""), first_in_ms, last_out_ms (or null), worked_min, late_min,
 * early_min, missing ("in", "out", "in,out" or ""), absent, corrected,
 * working (0 or 1)}.  group and person (NULL: all) narrow it.  Returns the
 * array, or NULL with err set (*bad true: the input, else the database).
 */
json_t *agg_attendance_report(struct agg_db *db, const char *from,
    const char *to, const char *group, const char *person, bool *bad,
    char *err, size_t errlen);

/* The report's columns for CSV and XLSX, in order. */
extern const char *const agg_attendance_cols[];
extern const size_t agg_attendance_ncols;

/* The report as CSV text (formula-safe, agg_csv.h) or an XLSX workbook
 * (typed cells, the header frozen), malloc'd into *data.  0, or -1. */
int agg_attendance_csv(json_t *rows, char **data, size_t *len);
int agg_attendance_xlsx(json_t *rows, char **data, size_t *len);

#endif
