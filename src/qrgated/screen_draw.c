/*
 * The screen's pictures, drawn with cairo and laid out with pango.
 *
 * Why proportions, not pixels: the gate drives whatever panel a site
 * has, from a 480x320 SPI panel to an 800x480 DSI one or HDMI, so every
 * box and every nominal font size is a fraction of the screen's height
 * (or width, where the row is the limit), and a text then shrinks until
 * pango says it fits.  A message is never cut short with "...": a
 * worker must read the whole reason, so the test asserts that every
 * message fits at its size, and the renderer clips to the box only as a
 * last guard.
 *
 * Why the ink extents too: Vietnamese stacks two marks on a capital
 * ("Ấ", "Ể"), which rise above the font's logical ascent; a text that
 * fits by its logical box alone could still lose its marks to the box
 * above.  A text fits when both its logical and its ink extents are
 * inside its box.
 *
 * Layout: landscape, in rows and columns.  A top bar (gate, clock) on the
 * screens a worker waits at; a picture on the left (the frame the code
 * goes in, a tick, a cross, a padlock ...), drawn with cairo paths so
 * that nothing here is an image with words in it; the words on the
 * right, stacked in boxes of fixed shares of the height.
 */
#include <math.h>
#include <string.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "mask.h"
#include "screen_draw.h"

/* Colours, 0xRRGGBB. */
#define C_WHITE		0xffffff
#define C_IDLE_BG	0x0d2b45
#define C_ACCENT	0x4fc3f7
#define C_GRANTED_BG	0x1b7a34
#define C_DENIED_BG	0xc62828
#define C_FIRE_BG	0x8e0000
#define C_FIRE_TEXT	0xffeb3b
#define C_LOCKED_BG	0x263238
#define C_CAMERA_BG	0x4e4a46
#define C_BANNER_BG	0xffa000
#define C_BANNER_TEXT	0x1a1a1a

/* A text may shrink to this share of its nominal size, then it is cut. */
#define FIT_MIN_SHARE	0.4
/* Each try is this much smaller than the one before. */
#define FIT_STEP	0.94

struct draw {
	cairo_t *cr;
	int w, h;
	double m;		/* the margin, between boxes and at edges */
	struct screen_fit *fit;
	bool all_fit;
};

/* A text's box, its nominal size as a share of the screen height. */
struct text_spec {
	const char *text;
	double share;		/* of the column's height */
	double size;		/* nominal font size, share of screen height */
	bool bold;
	unsigned colour;
};

static void
draw_colour(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0,
	    ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

/* True when a line of l starts inside a word (pango broke a word). */
static bool
text_word_broken(PangoLayout *l)
{
	const char *s = pango_layout_get_text(l);
	int n = pango_layout_get_line_count(l);

	for (int i = 1; i < n; i++) {
		PangoLayoutLine *line = pango_layout_get_line_readonly(l, i);
		int at = line->start_index;

		if (at > 0 && s[at - 1] != ' ' && s[at - 1] != '\n' &&
		    s[at - 1] != '-' && s[at - 1] != '/')
			return true;
	}
	return false;
}

/*
 * Lays text out in a box bw x bh at size px.  Returns whether it fits;
 * *dx, *dy: where to put the layout's origin in the box so that its ink
 * and logical extents, together, are centred in it.
 */
static bool
text_try(PangoLayout *l, PangoFontDescription *fd, double px, double bw,
    double bh, double *dx, double *dy, PangoRectangle *ink)
{
	PangoRectangle lg;
	int left, right, top, bottom;

	pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_layout_get_pixel_extents(l, ink, &lg);
	left = ink->width > 0 && ink->x < lg.x ? ink->x : lg.x;
	right = ink->width > 0 && ink->x + ink->width > lg.x + lg.width ?
	    ink->x + ink->width : lg.x + lg.width;
	top = ink->height > 0 && ink->y < lg.y ? ink->y : lg.y;
	bottom = ink->height > 0 && ink->y + ink->height > lg.y + lg.height ?
	    ink->y + ink->height : lg.y + lg.height;
	*dx = left < 0 ? -left : 0;
	if (right + *dx > bw)
		*dx = bw - right;
	*dy = (bh - (bottom - top)) / 2 - top;
	return right - left <= bw && bottom - top <= bh && !text_word_broken(l);
}

/*
 * Draws text in the box (x, y, bw, bh), centred or left aligned, at the
 * largest size from size_px down that fits, and reports it.
 */
static void
draw_text(struct draw *d, const char *text, double x, double y, double bw,
    double bh, double size_px, bool bold, bool centre, unsigned colour)
{
	PangoLayout *l;
	PangoFontDescription *fd;
	PangoRectangle ink;
	double px = size_px, dx = 0, dy = 0;
	bool fits;

	if (text == NULL || text[0] == '\0' || bw < 1 || bh < 1)
		return;
	l = pango_cairo_create_layout(d->cr);
	fd = pango_font_description_from_string(SCREEN_FONT);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD :
	    PANGO_WEIGHT_NORMAL);
	pango_layout_set_text(l, text, -1);
	pango_layout_set_width(l, (int)(bw * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD);
	pango_layout_set_alignment(l, centre ? PANGO_ALIGN_CENTER :
	    PANGO_ALIGN_LEFT);
	while (!(fits = text_try(l, fd, px, bw, bh, &dx, &dy, &ink)) &&
	    px * FIT_STEP >= size_px * FIT_MIN_SHARE)
		px *= FIT_STEP;

	cairo_save(d->cr);
	cairo_rectangle(d->cr, x, y, bw, bh);
	cairo_clip(d->cr);
	draw_colour(d->cr, colour);
	cairo_move_to(d->cr, x + dx, y + dy);
	pango_cairo_show_layout(d->cr, l);
	cairo_restore(d->cr);

	if (!fits)
		d->all_fit = false;
	if (d->fit != NULL && d->fit->n < SCREEN_FIT_MAX) {
		struct screen_fit_text *t = &d->fit->t[d->fit->n++];

		t->text = text;
		t->box_x = (int)floor(x);
		t->box_y = (int)floor(y);
		t->box_w = (int)ceil(x + bw) - t->box_x;
		t->box_h = (int)ceil(y + bh) - t->box_y;
		t->ink_x = (int)floor(x + dx) + ink.x;
		t->ink_y = (int)floor(y + dy) + ink.y;
		t->ink_w = ink.width;
		t->ink_h = ink.height;
		t->size_px = px;
		t->nominal_px = size_px;
		t->fits = fits;
		t->word_broken = text_word_broken(l);
		t->unknown_glyphs = pango_layout_get_unknown_glyphs_count(l);
	}
	pango_font_description_free(fd);
	g_object_unref(l);
}

/* Texts stacked in a column (x, y, cw, ch), each in its share of it. */
static void
draw_column(struct draw *d, const struct text_spec *t, int n, double x,
    double y, double cw, double ch, bool centre)
{
	double at = y;

	for (int i = 0; i < n; i++) {
		double bh = ch * t[i].share;

		draw_text(d, t[i].text, x, at, cw, bh, d->h * t[i].size,
		    t[i].bold, centre, t[i].colour);
		at += bh;
	}
}

/* The top bar: the gate's name left, the clock right.  Its height. */
static double
draw_top_bar(struct draw *d, const struct screen_view *v, unsigned colour)
{
	double bar = d->h * 0.13, size = bar * 0.5;

	draw_text(d, v->gate, d->m, 0, d->w * 0.68 - d->m, bar, size, false,
	    false, colour);
	draw_text(d, v->clock, d->w * 0.72, 0, d->w * 0.28 - d->m, bar, size,
	    true, false, colour);
	cairo_save(d->cr);
	cairo_set_source_rgba(d->cr, 1, 1, 1, 0.25);
	cairo_rectangle(d->cr, d->m, bar - 2, d->w - 2 * d->m, 2);
	cairo_fill(d->cr);
	cairo_restore(d->cr);
	return bar;
}

static void
pen(struct draw *d, double width, unsigned colour)
{
	draw_colour(d->cr, colour);
	cairo_set_line_width(d->cr, width);
	cairo_set_line_cap(d->cr, CAIRO_LINE_CAP_ROUND);
	cairo_set_line_join(d->cr, CAIRO_LINE_JOIN_ROUND);
}

/* The frame where the code goes: four corners of a square, side s. */
static void
icon_frame(struct draw *d, double x, double y, double s)
{
	double c = s * 0.28;

	pen(d, s * 0.05, C_ACCENT);
	cairo_move_to(d->cr, x, y + c);
	cairo_line_to(d->cr, x, y);
	cairo_line_to(d->cr, x + c, y);
	cairo_move_to(d->cr, x + s - c, y);
	cairo_line_to(d->cr, x + s, y);
	cairo_line_to(d->cr, x + s, y + c);
	cairo_move_to(d->cr, x + s, y + s - c);
	cairo_line_to(d->cr, x + s, y + s);
	cairo_line_to(d->cr, x + s - c, y + s);
	cairo_move_to(d->cr, x + c, y + s);
	cairo_line_to(d->cr, x, y + s);
	cairo_line_to(d->cr, x, y + s - c);
	cairo_stroke(d->cr);
	/* A QR code's three finder squares, faintly, to say what goes in. */
	cairo_set_source_rgba(d->cr, 1, 1, 1, 0.35);
	cairo_set_line_width(d->cr, s * 0.03);
	for (int i = 0; i < 3; i++) {
		double fx = x + s * (i == 1 ? 0.6 : 0.18);
		double fy = y + s * (i == 2 ? 0.6 : 0.18);

		cairo_rectangle(d->cr, fx, fy, s * 0.22, s * 0.22);
		cairo_stroke(d->cr);
		cairo_rectangle(d->cr, fx + s * 0.07, fy + s * 0.07,
		    s * 0.08, s * 0.08);
		cairo_fill(d->cr);
	}
}

/* An arrow of length len at (x, y), pointing at angle a (radians). */
static void
icon_arrow(struct draw *d, double x, double y, double len, double a,
    unsigned colour)
{
	double hw = len * 0.32;

	cairo_save(d->cr);
	cairo_translate(d->cr, x, y);
	cairo_rotate(d->cr, a);
	pen(d, len * 0.12, colour);
	cairo_move_to(d->cr, -len / 2, 0);
	cairo_line_to(d->cr, len / 2, 0);
	cairo_move_to(d->cr, len / 2 - hw, -hw);
	cairo_line_to(d->cr, len / 2, 0);
	cairo_line_to(d->cr, len / 2 - hw, hw);
	cairo_stroke(d->cr);
	cairo_restore(d->cr);
}

/* A ring of diameter s, and a tick or a cross in it. */
static void
icon_ring(struct draw *d, double x, double y, double s, bool tick)
{
	double cx = x + s / 2, cy = y + s / 2, r = s * 0.44;

	pen(d, s * 0.07, C_WHITE);
	cairo_arc(d->cr, cx, cy, r, 0, 2 * M_PI);
	cairo_stroke(d->cr);
	pen(d, s * 0.1, C_WHITE);
	if (tick) {
		cairo_move_to(d->cr, cx - r * 0.5, cy + r * 0.02);
		cairo_line_to(d->cr, cx - r * 0.12, cy + r * 0.4);
		cairo_line_to(d->cr, cx + r * 0.55, cy - r * 0.38);
	} else {
		cairo_move_to(d->cr, cx - r * 0.42, cy - r * 0.42);
		cairo_line_to(d->cr, cx + r * 0.42, cy + r * 0.42);
		cairo_move_to(d->cr, cx + r * 0.42, cy - r * 0.42);
		cairo_line_to(d->cr, cx - r * 0.42, cy + r * 0.42);
	}
	cairo_stroke(d->cr);
}

/* A padlock in a square of side s. */
static void
icon_padlock(struct draw *d, double x, double y, double s)
{
	pen(d, s * 0.08, C_WHITE);
	cairo_arc(d->cr, x + s / 2, y + s * 0.42, s * 0.22, M_PI, 2 * M_PI);
	cairo_line_to(d->cr, x + s * 0.72, y + s * 0.48);
	cairo_move_to(d->cr, x + s * 0.28, y + s * 0.48);
	cairo_line_to(d->cr, x + s * 0.28, y + s * 0.42);
	cairo_stroke(d->cr);
	cairo_rectangle(d->cr, x + s * 0.15, y + s * 0.48, s * 0.7, s * 0.45);
	cairo_fill(d->cr);
}

/* A camera, struck through, in a square of side s. */
static void
icon_camera(struct draw *d, double x, double y, double s)
{
	pen(d, s * 0.06, C_WHITE);
	cairo_rectangle(d->cr, x + s * 0.1, y + s * 0.3, s * 0.8, s * 0.5);
	cairo_move_to(d->cr, x + s * 0.35, y + s * 0.3);
	cairo_line_to(d->cr, x + s * 0.42, y + s * 0.2);
	cairo_line_to(d->cr, x + s * 0.58, y + s * 0.2);
	cairo_line_to(d->cr, x + s * 0.65, y + s * 0.3);
	cairo_stroke(d->cr);
	cairo_arc(d->cr, x + s / 2, y + s * 0.55, s * 0.14, 0, 2 * M_PI);
	cairo_stroke(d->cr);
	pen(d, s * 0.08, C_DENIED_BG);
	cairo_move_to(d->cr, x + s * 0.1, y + s * 0.1);
	cairo_line_to(d->cr, x + s * 0.9, y + s * 0.9);
	cairo_stroke(d->cr);
}

/* A warning triangle with "!" in a square of side s. */
static void
icon_warning(struct draw *d, double x, double y, double s, unsigned colour)
{
	pen(d, s * 0.07, colour);
	cairo_move_to(d->cr, x + s / 2, y + s * 0.08);
	cairo_line_to(d->cr, x + s * 0.95, y + s * 0.88);
	cairo_line_to(d->cr, x + s * 0.05, y + s * 0.88);
	cairo_close_path(d->cr);
	cairo_stroke(d->cr);
	cairo_move_to(d->cr, x + s / 2, y + s * 0.35);
	cairo_line_to(d->cr, x + s / 2, y + s * 0.62);
	cairo_stroke(d->cr);
	cairo_arc(d->cr, x + s / 2, y + s * 0.75, s * 0.045, 0, 2 * M_PI);
	cairo_fill(d->cr);
}

static void
draw_background(struct draw *d, unsigned colour)
{
	draw_colour(d->cr, colour);
	cairo_paint(d->cr);
}

/*
 * The left picture's square for a content area from y0 to y1: its side,
 * and where the words' column starts.
 */
static double
icon_side(const struct draw *d, double y0, double y1)
{
	double s = (y1 - y0) * 0.62;

	return s < d->w * 0.26 ? s : d->w * 0.26;
}

/* A picture on the left, the texts on the right: most screens. */
static void
draw_icon_and_texts(struct draw *d, double y0, double y1, enum screen_state icon,
    const struct text_spec *t, int n)
{
	double s = icon_side(d, y0, y1);
	double ix = d->m * 1.5, iy = y0 + (y1 - y0 - s) / 2;
	double tx = ix + s + d->m * 1.5;

	switch (icon) {
	case SCREEN_GRANTED:
		icon_ring(d, ix, iy, s, true);
		break;
	case SCREEN_DENIED:
		icon_ring(d, ix, iy, s, false);
		break;
	case SCREEN_LOCKED_DOWN:
		icon_padlock(d, ix, iy, s);
		break;
	case SCREEN_CAMERA_FAULT:
		icon_camera(d, ix, iy, s);
		break;
	case SCREEN_FIRE_ALARM:
		icon_warning(d, ix, iy, s, C_FIRE_TEXT);
		break;
	default:
		break;
	}
	draw_column(d, t, n, tx, y0, d->w - tx - d->m, y1 - y0, false);
}

/* The idle screen, and the offline one: idle with a banner under it. */
static void
draw_idle(struct draw *d, const struct screen_view *v, bool offline)
{
	struct screen_words w = screen_msg_state(SCREEN_IDLE, v->lang);
	double y0, y1 = d->h - d->m, s, fx, fy, tx, tw;

	draw_background(d, C_IDLE_BG);
	y0 = draw_top_bar(d, v, C_WHITE) + d->m;
	if (offline) {
		struct screen_words o = screen_msg_state(SCREEN_OFFLINE, v->lang);
		double bh = d->h * 0.2, by = d->h - bh;
		struct text_spec t[] = {
			{ o.title, 0.5, 0.065, true, C_BANNER_TEXT },
			{ o.hint, 0.5, 0.05, false, C_BANNER_TEXT },
		};

		draw_colour(d->cr, C_BANNER_BG);
		cairo_rectangle(d->cr, 0, by, d->w, bh);
		cairo_fill(d->cr);
		draw_column(d, t, 2, d->m, by + d->m * 0.3, d->w - 2 * d->m,
		    bh - d->m * 0.6, true);
		y1 = by - d->m;
	}
	/* The frame, large: it is what the worker aims at. */
	s = (y1 - y0) * 0.9;
	if (s > d->w * 0.4)
		s = d->w * 0.4;
	fx = d->m * 2;
	fy = y0 + (y1 - y0 - s) / 2;
	icon_frame(d, fx, fy, s);
	tx = fx + s + d->m * 2;
	tw = d->w - tx - d->m;
	{
		struct text_spec t[] = {
			{ w.title, 0.55, 0.1, true, C_WHITE },
			{ w.hint, 0.25, 0.05, false, C_WHITE },
		};

		draw_column(d, t, 2, tx, y0, tw, y1 - y0, false);
	}
	/* An arrow from the words to the frame. */
	icon_arrow(d, tx + tw * 0.3, y0 + (y1 - y0) * 0.9, (y1 - y0) * 0.16,
	    M_PI, C_ACCENT);
}

static void
draw_granted(struct draw *d, const struct screen_view *v)
{
	struct screen_words w = screen_msg_state(SCREEN_GRANTED, v->lang);
	double y0 = d->m, y1 = d->h - d->m;
	double s = icon_side(d, y0, y1);
	double ix = d->m * 1.5, iy = y0 + (y1 - y0 - s) / 2;
	struct text_spec t[] = {
		{ w.title, 0.14, 0.065, false, C_WHITE },
		{ screen_msg_way(v->dir, v->lang), 0.3, 0.15, true, C_WHITE },
		{ v->initials, 0.36, 0.16, true, C_WHITE },
		{ w.hint, 0.2, 0.055, false, C_WHITE },
	};

	draw_background(d, C_GRANTED_BG);
	icon_ring(d, ix, iy - s * 0.18, s * 0.8, true);
	/* The way: ahead, through the gate. */
	icon_arrow(d, ix + s * 0.4, iy + s * 0.95, s * 0.45, -M_PI / 2, C_WHITE);
	draw_column(d, t, (int)(sizeof(t) / sizeof(t[0])), ix + s + d->m * 1.5,
	    y0, d->w - (ix + s + d->m * 1.5) - d->m, y1 - y0, false);
}

int
screen_draw(const struct screen_view *v, uint8_t *argb, int width,
    int height, int stride, struct screen_fit *fit)
{
	struct draw d = { .w = width, .h = height, .fit = fit, .all_fit = true };
	struct screen_words w = screen_msg_state(v->state, v->lang);
	cairo_surface_t *s;
	int rc;

	if (fit != NULL)
		memset(fit, 0, sizeof(*fit));
	if (width <= 0 || height <= 0 || stride % 4 != 0 ||
	    stride < cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, width) ||
	    w.title == NULL)
		return -1;
	s = cairo_image_surface_create_for_data(argb, CAIRO_FORMAT_ARGB32,
	    width, height, stride);
	d.cr = cairo_create(s);
	if (cairo_status(d.cr) != CAIRO_STATUS_SUCCESS) {
		cairo_destroy(d.cr);
		cairo_surface_destroy(s);
		return -1;
	}
	d.m = (width < height ? width : height) * 0.04;

	switch (v->state) {
	case SCREEN_IDLE:
	case SCREEN_OFFLINE:
		draw_idle(&d, v, v->state == SCREEN_OFFLINE);
		break;
	case SCREEN_GRANTED:
		draw_granted(&d, v);
		break;
	case SCREEN_DENIED: {
		struct text_spec t[] = {
			{ w.title, 0.22, 0.075, false, C_WHITE },
			{ screen_msg_reason(v->reason, v->lang), 0.52, 0.12,
			    true, C_WHITE },
			{ w.hint, 0.26, 0.055, false, C_WHITE },
		};

		draw_background(&d, C_DENIED_BG);
		draw_icon_and_texts(&d, d.m, height - d.m, SCREEN_DENIED, t, 3);
		break;
	}
	case SCREEN_FIRE_ALARM: {
		struct text_spec t[] = {
			{ w.title, 0.4, 0.16, true, C_FIRE_TEXT },
			{ w.hint, 0.6, 0.07, false, C_WHITE },
		};

		draw_background(&d, C_FIRE_BG);
		draw_icon_and_texts(&d, d.m, height - d.m, SCREEN_FIRE_ALARM,
		    t, 2);
		break;
	}
	case SCREEN_LOCKED_DOWN:
	case SCREEN_CAMERA_FAULT: {
		struct text_spec t[] = {
			{ w.title, 0.45, 0.11, true, C_WHITE },
			{ w.hint, 0.55, 0.065, false, C_WHITE },
		};
		double y0;

		draw_background(&d, v->state == SCREEN_LOCKED_DOWN ?
		    C_LOCKED_BG : C_CAMERA_BG);
		y0 = draw_top_bar(&d, v, C_WHITE) + d.m;
		draw_icon_and_texts(&d, y0, height - d.m, v->state, t, 2);
		break;
	}
	default:
		break;
	}

	cairo_surface_flush(s);
	rc = cairo_status(d.cr) == CAIRO_STATUS_SUCCESS ? (d.all_fit ? 0 : 1) : -1;
	cairo_destroy(d.cr);
	cairo_surface_destroy(s);
	return rc;
}

void
screen_view_holder(struct screen_view *v, const char *name)
{
	mask_name_initials(name, v->initials, sizeof(v->initials));
}
