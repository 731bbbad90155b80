/*
 * The lane's screen drawn into a buffer of pixels (issue 19): a view of
 * what the lane knows (a state, a reason, a way, the holder's initials)
 * becomes a picture, with every word from screen_msg.h and none baked
 * into an image.  Not hardware: a hal/screen.h backend shows the result.
 *
 * Private to the daemon's screen and its tests: the fit report exists so
 * that test_screen_draw can assert, with pango's own measures, that every
 * message fits every screen size the gate supports.
 */
#ifndef QRGATE_SCREEN_DRAW_H
#define QRGATE_SCREEN_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "screen_msg.h"
#include "types.h"

/* The font: Debian's fonts-noto-core has every Vietnamese glyph. */
#define SCREEN_FONT		"Noto Sans"
#define SCREEN_INITIALS_MAX	32

/*
 * What to draw.  Zero-initialised, then the members the state uses.
 * There is no member for a holder's name: only its initials, through
 * screen_view_holder(), so a full name cannot reach the screen.
 */
struct screen_view {
	enum screen_state state;
	enum screen_lang lang;
	const char *gate;	/* the gate's name, top bar; NULL none */
	const char *clock;	/* the site's time, "07:42", top bar; NULL none */
	enum direction dir;	/* granted: the way released */
	enum reason reason;	/* denied: why */
	char initials[SCREEN_INITIALS_MAX];	/* granted */
};

/*
 * Sets v's initials from a holder's name as the journal shows it
 * (mask_name_initials(): "Nguyễn Văn An" -> "N. V. A."); NULL or "" for
 * none.
 */
void screen_view_holder(struct screen_view *v, const char *name);

/* One text as drawn: where it had to stay and where pango put it. */
struct screen_fit_text {
	const char *text;
	int box_x, box_y, box_w, box_h;	/* its box, screen pixels */
	int ink_x, ink_y, ink_w, ink_h;	/* pango's ink extents, screen
					 * pixels: what is actually inked */
	double size_px;		/* the font size it was drawn at */
	double nominal_px;	/* the size it was meant to have */
	bool fits;		/* ink and logical extents inside the box,
				 * no word broken across lines */
	bool word_broken;	/* a line starts inside a word */
	int unknown_glyphs;	/* characters the font has no glyph for */
};

#define SCREEN_FIT_MAX	8

struct screen_fit {
	int n;
	struct screen_fit_text t[SCREEN_FIT_MAX];
};

/*
 * Draws v into argb: width x height pixels of cairo's ARGB32 (native
 * 0xAARRGGBB, opaque), stride bytes a row (a multiple of 4, >= 4 *
 * width).  Each text starts at a size proportional to the screen and
 * shrinks until pango says it fits its box; what still does not fit at
 * the smallest size allowed is clipped to its box, never drawn over
 * another.  fit, if not NULL, receives every text's measures.  Returns
 * 0, 1 when some text did not fit, or -1 when nothing could be drawn
 * (a size or stride cairo refuses, no memory).
 */
int screen_draw(const struct screen_view *v, uint8_t *argb, int width,
    int height, int stride, struct screen_fit *fit);

#endif
