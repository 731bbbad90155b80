/*
 * The visitor register for the authorities (agg_visitor.h): one row per
 * visit, as CSV or as an XLSX workbook (libxlsxwriter), with the times in
 * the site's zone and its offset, as people read them.  The document is
 * as the list gave it: masked, or whole for the tracer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "agg_csv.h"
#include "agg_visitor.h"
#include "log.h"
#include "readfile.h"
#include "sitetime.h"
#include "timefmt.h"
#include "util.h"

/* The largest workbook read back: some hundred thousand passes. */
#define VISITOR_XLSX_MAX	(64u << 20)

/* The register's columns: a heading, and the list's key it shows (a key
 * ending in _ms is a time). */
static const struct {
	const char *heading;
	const char *key;
} agg_register_cols[] = {
	{ "id", "id" },
	{ "name", "name" },
	{ "document_kind", "document_kind" },
	{ "document", "document" },
	{ "host", "host" },
	{ "purpose", "purpose" },
	{ "lanes", "lanes" },
	{ "from", "from_ms" },
	{ "until", "until_ms" },
	{ "registered_by", "registered_by" },
	{ "registered", "registered_ms" },
	{ "cancelled", "cancelled_ms" },
	{ "cancelled_by", "cancelled_by" },
};

/* The text of one cell: a time in the site's zone, or the text. */
static const char *
agg_register_cell(json_t *row, size_t col, char *buf, size_t len)
{
	const char *key = agg_register_cols[col].key;
	json_t *v = json_object_get(row, key);
	size_t n = strlen(key);

	if (n > 3 && strcmp(key + n - 3, "_ms") == 0)
		return json_is_integer(v) ? sitetime_format(
		    json_integer_value(v), buf, len) : "";
	return json_is_string(v) ? json_string_value(v) : "";
}

int
agg_visitor_csv(json_t *list, char **data, size_t *len)
{
	char buf[TIMEFMT_LEN];
	json_t *row;
	size_t i, c;
	FILE *f;

	*data = NULL;
	*len = 0;
	if ((f = open_memstream(data, len)) == NULL) {
		log_warn("visitor register");
		return -1;
	}
	for (c = 0; c < nitems(agg_register_cols); c++) {
		if (c > 0)
			fputc(',', f);
		agg_csv_cell(f, agg_register_cols[c].heading);
	}
	fputs("\r\n", f);
	json_array_foreach(list, i, row) {
		for (c = 0; c < nitems(agg_register_cols); c++) {
			if (c > 0)
				fputc(',', f);
			agg_csv_cell(f, agg_register_cell(row, c, buf,
			    sizeof(buf)));
		}
		fputs("\r\n", f);
	}
	if (fclose(f) == EOF) {
		log_warn("visitor register");
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

/* Writes the workbook of list to path; 0 or -1 (logged). */
static int
agg_register_workbook(json_t *list, const char *path)
{
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head;
	lxw_error e;
	char buf[TIMEFMT_LEN];
	json_t *row;
	size_t i, c;

	if ((wb = workbook_new(path)) == NULL) {
		log_warnx("visitor register: cannot make a workbook");
		return -1;
	}
	ws = workbook_add_worksheet(wb, "Visitors");
	head = workbook_add_format(wb);
	format_set_bold(head);
	for (c = 0; c < nitems(agg_register_cols); c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c,
		    agg_register_cols[c].heading, head);
	/* Strings only, so that no cell is ever taken for a formula. */
	json_array_foreach(list, i, row)
		for (c = 0; c < nitems(agg_register_cols); c++)
			worksheet_write_string(ws, (lxw_row_t)(i + 1),
			    (lxw_col_t)c, agg_register_cell(row, c, buf,
			    sizeof(buf)), NULL);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, (lxw_col_t)(nitems(agg_register_cols) - 1),
	    20, NULL);
	if ((e = workbook_close(wb)) != LXW_NO_ERROR) {
		log_warnx("visitor register: %s", lxw_strerror(e));
		return -1;
	}
	return 0;
}

int
agg_visitor_xlsx(json_t *list, char **data, size_t *len)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int fd, rc;

	*data = NULL;
	*len = 0;
	/* libxlsxwriter 1.1.4 (Debian 12) writes to a file only: a private
	 * one, read back and removed. */
	snprintf(path, sizeof(path), "%s/qrgate-visitors.XXXXXX",
	    dir != NULL && dir[0] == '/' ? dir : "/tmp");
	if ((fd = mkstemp(path)) == -1) {
		log_warn("visitor register: %s", path);
		return -1;
	}
	close(fd);
	rc = agg_register_workbook(list, path);
	if (rc == 0 && (rc = read_file(path, VISITOR_XLSX_MAX, data, len)) == -1)
		log_warn("visitor register: %s", path);
	unlink(path);
	return rc;
}
