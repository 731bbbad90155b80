#ifndef AGG_XLSX_H
#define AGG_XLSX_H

/*
 * HR's people list as an XLSX workbook: its first worksheet turned into
 * the CSV text cred_csv_read() takes, line N of the text being sheet row
 * N (a row the sheet leaves out is a blank line), so that the CSV's
 * checks and its FILE:LINE errors hold for the sheet too.
 */

#include <stdbool.h>
#include <stddef.h>

/* The most a workbook, or one of its parts unpacked, may hold. */
#define AGG_XLSX_MAX_BYTES	(16 * 1024 * 1024)
/* The highest sheet row, and column, read. */
#define AGG_XLSX_MAX_ROWS	100000
#define AGG_XLSX_MAX_COLS	64

/* Whether buf starts as a zip file does ("PK\3\4"). */
bool agg_xlsx_is(const void *buf, size_t len);

/*
 * The first worksheet of the workbook in buf as CSV text in *csv
 * (malloc'd, NUL-terminated, *csvlen bytes).  0, or -1 with the problem
 * in err.
 */
int agg_xlsx_csv(const void *buf, size_t len, char **csv, size_t *csvlen,
    char *err, size_t errlen);

#endif
