/*
 * The attendance report as CSV and as an XLSX workbook (agg_attendance.h).
 * The CSV is the CLI's, formula-safe (agg_csv.h).  The workbook types
 * its cells, so that HR's spreadsheet sums minutes and sorts days
 * without a conversion: the day a date, first_in and last_out date-times
 * (the site's local time, as the CSV writes them), the minutes and the
 * 0/1 flags numbers, every other cell a string (never a formula).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "agg_attendance.h"
#include "agg_csv.h"
#include "log.h"
#include "readfile.h"
#include "util.h"

/* The largest workbook read back: 10,000 people over a month. */
#define ATT_XLSX_MAX	(256u << 20)

const char *const agg_attendance_cols[] = {
	"day", "person", "name", "department", "shift", "first_in",
	"last_out", "worked_min", "late_min", "early_min", "missing",
	"absent", "corrected",
};
const size_t agg_attendance_ncols = nitems(agg_attendance_cols);

/* A cell's text, as the CSV has it. */
static const char *
att_cell(json_t *row, size_t c, char *buf, size_t len)
{
	json_t *v = json_object_get(row, agg_attendance_cols[c]);

	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return json_is_string(v) ? json_string_value(v) : "";
}

int
agg_attendance_csv(json_t *rows, char **data, size_t *len)
{
	char buf[32];
	json_t *row;
	size_t i, c;
	FILE *f;

	*data = NULL;
	*len = 0;
	if ((f = open_memstream(data, len)) == NULL) {
		log_warn("attendance");
		return -1;
	}
	for (c = 0; c < agg_attendance_ncols; c++) {
		if (c > 0)
			fputc(',', f);
		agg_csv_cell(f, agg_attendance_cols[c]);
	}
	fputs("\r\n", f);
	json_array_foreach(rows, i, row) {
		for (c = 0; c < agg_attendance_ncols; c++) {
			if (c > 0)
				fputc(',', f);
			agg_csv_cell(f, att_cell(row, c, buf, sizeof(buf)));
		}
		fputs("\r\n", f);
	}
	if (fclose(f) == EOF) {
		log_warn("attendance");
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

/* "YYYY-MM-DD[ HH:MM:SS]" into dt: 0, or -1 ("" included). */
static int
att_datetime(const char *s, lxw_datetime *dt)
{
	int y, mo, d, h = 0, mi = 0, se = 0;

	memset(dt, 0, sizeof(*dt));
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi,
	    &se) < 3)
		return -1;
	dt->year = y;
	dt->month = mo;
	dt->day = d;
	dt->hour = h;
	dt->min = mi;
	dt->sec = se;
	return 0;
}

/* Writes the workbook of rows to path; 0 or -1 (logged). */
static int
att_workbook(json_t *rows, const char *path)
{
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *date, *stamp;
	lxw_datetime dt;
	lxw_error e;
	json_t *row, *v;
	const char *key;
	size_t i, c;
	lxw_row_t r;

	if ((wb = workbook_new(path)) == NULL) {
		log_warnx("attendance: cannot make a workbook");
		return -1;
	}
	ws = workbook_add_worksheet(wb, "Attendance");
	head = workbook_add_format(wb);
	format_set_bold(head);
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	stamp = workbook_add_format(wb);
	format_set_num_format(stamp, "yyyy-mm-dd hh:mm:ss");
	for (c = 0; c < agg_attendance_ncols; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c,
		    agg_attendance_cols[c], head);
	json_array_foreach(rows, i, row) {
		r = (lxw_row_t)(i + 1);
		for (c = 0; c < agg_attendance_ncols; c++) {
			key = agg_attendance_cols[c];
			v = json_object_get(row, key);
			if (json_is_integer(v))
				worksheet_write_number(ws, r, (lxw_col_t)c,
				    (double)json_integer_value(v), NULL);
			else if ((c == 0 || strcmp(key, "first_in") == 0 ||
			    strcmp(key, "last_out") == 0) &&
			    att_datetime(json_string_value(v) ?
			    json_string_value(v) : "", &dt) == 0)
				worksheet_write_datetime(ws, r, (lxw_col_t)c,
				    &dt, c == 0 ? date : stamp);
			else if (json_is_string(v) &&
			    json_string_length(v) > 0)
				worksheet_write_string(ws, r, (lxw_col_t)c,
				    json_string_value(v), NULL);
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, (lxw_col_t)(agg_attendance_ncols - 1), 18,
	    NULL);
	if ((e = workbook_close(wb)) != LXW_NO_ERROR) {
		log_warnx("attendance: %s", lxw_strerror(e));
		return -1;
	}
	return 0;
}

int
agg_attendance_xlsx(json_t *rows, char **data, size_t *len)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int fd, rc;

	*data = NULL;
	*len = 0;
	/* libxlsxwriter 1.1.4 (Debian 12) writes to a file only: a private
	 * one, read back and removed (as the visitor register). */
	snprintf(path, sizeof(path), "%s/qrgate-attendance.XXXXXX",
	    dir != NULL && dir[0] == '/' ? dir : "/tmp");
	if ((fd = mkstemp(path)) == -1) {
		log_warn("attendance: %s", path);
		return -1;
	}
	close(fd);
	rc = att_workbook(rows, path);
	if (rc == 0 && (rc = read_file(path, ATT_XLSX_MAX, data, len)) == -1)
		log_warn("attendance: %s", path);
	unlink(path);
	return rc;
}
