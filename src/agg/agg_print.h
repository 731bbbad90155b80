/*
 * What the aggregator prints, drawn with cairo: badge cards (a PDF sheet
 * of them, or a PNG per card) and the muster list (a PDF).  Text is drawn
 * with cairo's own text API in DejaVu Sans, which holds the precomposed
 * Vietnamese letters ("Nguyễn Thị Hồng"): names come as UTF-8 in NFC, as
 * the CSV and the page send them, so no shaping (pango) is needed.
 */
#ifndef QRGATE_AGG_PRINT_H
#define QRGATE_AGG_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "agg_query.h"

/* One card: the person and the token text its QR code carries. */
struct agg_card {
	const char *name;
	const char *id;
	const char *department;
	const char *token;
};

/*
 * Card size, ISO/IEC 7810 ID-1 (85.60 x 53.98 mm), in points; an A4
 * sheet holds AGG_CARDS_COLS x AGG_CARDS_ROWS of them, from the top left
 * at AGG_CARDS_X, AGG_CARDS_Y (points), row by row.
 */
#define AGG_CARD_W	242.6
#define AGG_CARD_H	153.0
#define AGG_CARDS_COLS	2
#define AGG_CARDS_ROWS	5
#define AGG_CARDS_X	49.0
#define AGG_CARDS_Y	38.0

/*
 * The sheets of n cards as a PDF written to f (path: its name in
 * errors).  0, or -1 with err set.
 */
int agg_print_cards_pdf(FILE *f, const char *path,
    const struct agg_card *cards, size_t n, char *err, size_t errlen);

/* One card as a PNG at path, dpi dots an inch.  0, or -1 with err set. */
int agg_print_card_png(const char *path, const struct agg_card *card,
    int dpi, char *err, size_t errlen);

/*
 * The muster list as a PDF written to f (path: its name in errors): inside is agg_query_inside()'s
 * document (its "inside" rows with name and department), title says
 * where and when, rows in agg_muster()'s order, a heading for each site
 * and department.  0, or -1 with err set.
 */
int agg_print_muster_pdf(FILE *f, const char *path, const json_t *inside,
    const char *title, char *err, size_t errlen);

/*
 * Who is inside now (agg_query_inside()), its rows ordered by site,
 * department, name and id, as the muster list reads.  NULL on a database
 * error.
 */
json_t *agg_muster(const struct agg_query_ctx *q, const char *site);

#endif
