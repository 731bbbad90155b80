/*
 * Output helpers shared by qrgatectl's listing subcommands (cred list,
 * events): an aligned text table, text for JSON, and CSV fields.
 *
 * A table is printed in two passes over its rows, so a long listing needs
 * no memory: first every row goes to ctl_table_measure(), then the header
 * and every row again go to ctl_table_row().
 */
#ifndef QRGATE_CTL_TABLE_H
#define QRGATE_CTL_TABLE_H

#include <stdbool.h>

#include <jansson.h>

#define CTL_TABLE_COLS	16	/* the most columns a table may have */

struct ctl_table {
	int ncols;
	const bool *right;	/* ncols flags: aligned on the right; or NULL */
	char ctrl;		/* what a control character is shown as */
	int width[CTL_TABLE_COLS];	/* in characters, widest cell so far */
};

/*
 * Starts a table of ncols (1 to CTL_TABLE_COLS) columns, each as wide as
 * its head; right must outlive the table.  The heads are printed as the
 * first row of the second pass.
 */
void ctl_table_init(struct ctl_table *t, int ncols,
    const char *const *heads, const bool *right, char ctrl);

/* Width in characters of a cell: UTF-8 sequences count as one each. */
int ctl_table_cell(const char *s);

/* First pass: widens the columns to fit a row of t->ncols cells. */
void ctl_table_measure(struct ctl_table *t, const char *const *cells);

/*
 * Second pass: prints a row of t->ncols cells to stdout, padded to the
 * measured widths and separated by two spaces, with control characters
 * shown as t->ctrl.  The last column is not padded unless right-aligned.
 */
void ctl_table_row(const struct ctl_table *t, const char *const *cells);

/*
 * A JSON string for text read back from the database: jansson refuses
 * invalid UTF-8, so then every byte outside ASCII becomes '?'.  NULL only
 * when out of memory (json_object_set_new() then fails as it should).
 */
json_t *ctl_json_text(const char *s);

/*
 * Prints one CSV field to stdout (RFC 4180: quoted when it holds a
 * separator, a quote or a line break), then "," or, for the last field of
 * a record, "\r\n".
 */
void ctl_csv_field(const char *s, bool last);

#endif
