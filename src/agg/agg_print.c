/*
 * Badge cards and the muster list, drawn with cairo (agg_print.h).  One
 * drawing of a card serves the PDF sheet and the PNG: the PNG is the same
 * card on an image surface scaled to its dots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>

#include "agg_print.h"
#include "qrpng.h"
#include "sitetime.h"

#define A4_W		595.28
#define A4_H		841.89
#define PRINT_FONT	"DejaVu Sans"
#define CARD_PAD	10.0
#define CARD_QR		112.0	/* the code, quiet zone included */

/* Sets the font and a size at which text fits width (down to 6 pt). */
static void
print_fit(cairo_t *cr, const char *text, double size, double width,
    cairo_font_weight_t weight)
{
	cairo_text_extents_t ext;

	cairo_select_font_face(cr, PRINT_FONT, CAIRO_FONT_SLANT_NORMAL, weight);
	for (; size > 6.0; size -= 0.5) {
		cairo_set_font_size(cr, size);
		cairo_text_extents(cr, text, &ext);
		if (ext.x_advance <= width)
			return;
	}
	cairo_set_font_size(cr, 6.0);
}

static void
print_text(cairo_t *cr, double x, double y, const char *text, double size,
    double width, cairo_font_weight_t weight)
{
	print_fit(cr, text, size, width, weight);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, text);
}

/* The code of text in a square of side at (x, y), quiet zone included. */
static int
print_qr(cairo_t *cr, double x, double y, double side, const char *text,
    char *err, size_t errlen)
{
	uint8_t *m;
	double mod;
	int w;

	if ((m = qrpng_modules(text, &w, err, errlen)) == NULL)
		return -1;
	mod = side / (w + 2 * QRPNG_QUIET);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, side, side);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < w; r++)
		for (int c = 0; c < w; c++)
			if (m[r * w + c])
				cairo_rectangle(cr, x + (c + QRPNG_QUIET) * mod,
				    y + (r + QRPNG_QUIET) * mod, mod, mod);
	/* One fill: the modules' edges meet without hairline gaps. */
	cairo_fill(cr);
	free(m);
	return 0;
}

/* One card with its top left at (x, y). */
static int
print_card(cairo_t *cr, double x, double y, const struct agg_card *card,
    char *err, size_t errlen)
{
	double text_w = AGG_CARD_W - CARD_QR - 2 * CARD_PAD;
	double photo_w = 52, photo_h = 66;

	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, AGG_CARD_W, AGG_CARD_H);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	cairo_set_line_width(cr, 0.5);
	cairo_rectangle(cr, x + 0.25, y + 0.25, AGG_CARD_W - 0.5,
	    AGG_CARD_H - 0.5);
	cairo_stroke(cr);
	/* The photo box, for a photo glued on or printed later. */
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_dash(cr, (const double[]){ 3, 2 }, 2, 0);
	cairo_rectangle(cr, x + CARD_PAD, y + CARD_PAD, photo_w, photo_h);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	print_text(cr, x + CARD_PAD + 12, y + CARD_PAD + photo_h / 2 + 3,
	    "photo", 7, photo_w, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_source_rgb(cr, 0, 0, 0);
	print_text(cr, x + CARD_PAD, y + CARD_PAD + photo_h + 20,
	    card->name, 12, text_w, CAIRO_FONT_WEIGHT_BOLD);
	print_text(cr, x + CARD_PAD, y + CARD_PAD + photo_h + 36,
	    card->department != NULL ? card->department : "", 9, text_w,
	    CAIRO_FONT_WEIGHT_NORMAL);
	print_text(cr, x + CARD_PAD, y + CARD_PAD + photo_h + 52, card->id, 9,
	    text_w, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_restore(cr);
	return print_qr(cr, x + AGG_CARD_W - CARD_QR - CARD_PAD / 2,
	    y + (AGG_CARD_H - CARD_QR) / 2, CARD_QR, card->token, err, errlen);
}

/* cairo's writer for a PDF into a stdio stream (a file, a memstream). */
static cairo_status_t
print_write(void *arg, const unsigned char *data, unsigned int len)
{
	return fwrite(data, 1, len, arg) == len ? CAIRO_STATUS_SUCCESS :
	    CAIRO_STATUS_WRITE_ERROR;
}

static cairo_surface_t *
print_pdf_surface(FILE *f)
{
	return cairo_pdf_surface_create_for_stream(print_write, f, A4_W, A4_H);
}

/* The surface's and the context's state as one error. */
static int
print_status(cairo_surface_t *s, cairo_t *cr, const char *path, char *err,
    size_t errlen)
{
	cairo_status_t st = cr != NULL ? cairo_status(cr) :
	    cairo_surface_status(s);

	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	if (st == CAIRO_STATUS_SUCCESS)
		return 0;
	snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(st));
	return -1;
}

int
agg_print_cards_pdf(FILE *f, const char *path, const struct agg_card *cards,
    size_t n, char *err, size_t errlen)
{
	const size_t per = AGG_CARDS_COLS * AGG_CARDS_ROWS;
	cairo_surface_t *s = print_pdf_surface(f);
	cairo_t *cr = cairo_create(s);
	int rc = print_status(s, cr, path, err, errlen);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t k = i % per;

		if (i > 0 && k == 0)
			cairo_show_page(cr);
		rc = print_card(cr, AGG_CARDS_X + (double)(k % AGG_CARDS_COLS) *
		    AGG_CARD_W, AGG_CARDS_Y + (double)(k / AGG_CARDS_COLS) *
		    AGG_CARD_H, &cards[i], err, errlen);
	}
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (rc == 0)
		rc = print_status(s, NULL, path, err, errlen);
	cairo_surface_destroy(s);
	return rc;
}

int
agg_print_card_png(const char *path, const struct agg_card *card, int dpi,
    char *err, size_t errlen)
{
	double k = dpi / 72.0;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
	    (int)(AGG_CARD_W * k + 0.5), (int)(AGG_CARD_H * k + 0.5));
	cairo_t *cr = cairo_create(s);
	int rc = print_status(s, cr, path, err, errlen);

	if (rc == 0) {
		cairo_scale(cr, k, k);
		rc = print_card(cr, 0, 0, card, err, errlen);
	}
	if (rc == 0 && cairo_surface_write_to_png(s, path) !=
	    CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: cannot write the PNG", path);
		rc = -1;
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return rc;
}

/* The muster list's page state. */
struct muster_page {
	cairo_t *cr;
	double y;
	int page;
	const char *title;
};

#define MUSTER_X	42.0
#define MUSTER_TOP	50.0
#define MUSTER_BOTTOM	800.0
#define MUSTER_LINE	15.0

static void
muster_head(struct muster_page *p)
{
	char n[32];

	cairo_set_source_rgb(p->cr, 0, 0, 0);
	print_text(p->cr, MUSTER_X, MUSTER_TOP, p->title, 14, A4_W - 2 *
	    MUSTER_X - 40, CAIRO_FONT_WEIGHT_BOLD);
	snprintf(n, sizeof(n), "page %d", ++p->page);
	print_text(p->cr, A4_W - MUSTER_X - 40, MUSTER_TOP, n, 8, 40,
	    CAIRO_FONT_WEIGHT_NORMAL);
	p->y = MUSTER_TOP + 2 * MUSTER_LINE;
}

/* Room for lines more, else a new page. */
static void
muster_room(struct muster_page *p, int lines)
{
	if (p->y + lines * MUSTER_LINE <= MUSTER_BOTTOM)
		return;
	cairo_show_page(p->cr);
	muster_head(p);
}

static const char *
muster_str(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));

	return s != NULL ? s : "";
}

/* Orders rows by site, department, name, id. */
static int
muster_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	static const char *const keys[] = { "site", "department", "name",
	    "credential_id" };
	int c = 0;

	for (size_t i = 0; c == 0 && i < 4; i++)
		c = strcmp(muster_str(x, keys[i]), muster_str(y, keys[i]));
	return c;
}

/* One person's line: a box to tick, name, id, where and since when. */
static void
muster_line(struct muster_page *p, const json_t *row)
{
	const char *name = muster_str(row, "name");
	const json_t *ms = json_object_get(row, "since_ms");
	char where[160], since[64] = "";

	/* The site's time, as the people reading it keep it. */
	if (json_is_integer(ms))
		sitetime_format(json_integer_value(ms), since, sizeof(since));
	snprintf(where, sizeof(where), "%s %s  %s", muster_str(row, "gate"),
	    muster_str(row, "lane"), since);
	cairo_set_line_width(p->cr, 0.6);
	cairo_rectangle(p->cr, MUSTER_X, p->y - 8, 8, 8);
	cairo_stroke(p->cr);
	print_text(p->cr, MUSTER_X + 16, p->y, name[0] != '\0' ? name :
	    "(not in the people list)", 10, 190, CAIRO_FONT_WEIGHT_NORMAL);
	print_text(p->cr, MUSTER_X + 212, p->y, muster_str(row,
	    "credential_id"), 9, 110, CAIRO_FONT_WEIGHT_NORMAL);
	print_text(p->cr, MUSTER_X + 330, p->y, where, 8, 180,
	    CAIRO_FONT_WEIGHT_NORMAL);
	p->y += MUSTER_LINE;
}

json_t *
agg_muster(const struct agg_query_ctx *q, const char *site)
{
	json_t *doc = agg_query_inside(q, site), *list, *sorted;
	json_t **rows;
	size_t n;

	if (doc == NULL)
		return NULL;
	list = json_object_get(doc, "inside");
	n = json_array_size(list);
	if ((rows = calloc(n + 1, sizeof(*rows))) == NULL ||
	    (sorted = json_array()) == NULL) {
		free(rows);
		json_decref(doc);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		rows[i] = json_array_get(list, i);
	qsort(rows, n, sizeof(*rows), muster_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, rows[i]);
	free(rows);
	json_object_set_new(doc, "inside", sorted);
	return doc;
}

int
agg_print_muster_pdf(FILE *f, const char *path, const json_t *inside,
    const char *title, char *err, size_t errlen)
{
	const json_t *list = json_object_get(inside, "inside");
	size_t n = json_array_size(list);
	cairo_surface_t *s = print_pdf_surface(f);
	struct muster_page p = { cairo_create(s), 0, 0, title };
	char group[256], last[256] = "", line[300];
	int rc = print_status(s, p.cr, path, err, errlen);

	if (rc == 0) {
		muster_head(&p);
		snprintf(line, sizeof(line), "%zu inside", n);
		print_text(p.cr, MUSTER_X, p.y, line, 11, 300,
		    CAIRO_FONT_WEIGHT_NORMAL);
		p.y += MUSTER_LINE;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *row = json_array_get(list, i);
		const char *dept = muster_str(row, "department");

		snprintf(group, sizeof(group), "%s  /  %s",
		    muster_str(row, "site"), dept[0] != '\0' ? dept :
		    "(no department)");
		if (strcmp(group, last) != 0) {
			muster_room(&p, 3);
			p.y += MUSTER_LINE / 2;
			print_text(p.cr, MUSTER_X, p.y, group, 11, A4_W - 2 *
			    MUSTER_X, CAIRO_FONT_WEIGHT_BOLD);
			p.y += MUSTER_LINE;
			snprintf(last, sizeof(last), "%s", group);
		}
		muster_room(&p, 1);
		muster_line(&p, row);
	}
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	if (rc == 0)
		rc = print_status(s, NULL, path, err, errlen);
	cairo_surface_destroy(s);
	return rc;
}
