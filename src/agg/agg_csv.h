/*
 * CSV cells as the aggregator writes them, for the CLI's tables and the
 * visitor register alike: RFC 4180, and a cell that a spreadsheet would
 * run as a formula is prefixed with a quote.
 */
#ifndef QRGATE_AGG_CSV_H
#define QRGATE_AGG_CSV_H

#include <stdio.h>

void agg_csv_cell(FILE *f, const char *s);

#endif
