/*
 * The screen's pictures: every message of screen_msg.h fits its box at
 * the two panel sizes the gate is made for (800x480 DSI/HDMI, 480x320
 * SPI), measured with pango's own extents, ink included (Vietnamese
 * stacks marks above capitals); the font has every glyph; the granted
 * screen shows initials only; and the file backend writes a PNG of the
 * picture's size.
 *
 * Built when pkg-config finds pangocairo; elsewhere (the cross builds
 * for now) it says so and passes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <unistd.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "screen.h"
#include "screen_draw.h"
#include "screen_msg.h"
#include "util.h"

static const struct { int w, h; } sizes[] = { { 800, 480 }, { 480, 320 } };

/* A long name for the granted screen: its initials are the widest. */
#define LONG_NAME	"Nguyễn Thị Hồng Nhung Phạm Đức Ánh Ơn"
/* A gate's name as a site writes it, with Vietnamese marks. */
#define GATE_NAME	"Cổng chính - Làn 2"

/* The smallest size a text may take, as a share of the screen height:
 * below it a worker in a queue cannot read it. */
#define MIN_SIZE_SHARE	0.035

static uint8_t *
pixels(int w, int h)
{
	uint8_t *p = calloc((size_t)w * h, 4);

	assert_non_null(p);
	return p;
}

/*
 * Draws v at w x h and asserts that the words want were drawn and that
 * every text fits: inside its box by pango's ink extents, its box inside
 * the screen, no word broken, no glyph missing, not shrunk below
 * MIN_SIZE_SHARE.
 */
static void
assert_fits(const struct screen_view *v, int w, int h, const char *want)
{
	struct screen_fit fit;
	uint8_t *px = pixels(w, h);
	int rc = screen_draw(v, px, w, h, w * 4, &fit);
	bool drawn = false;

	free(px);
	if (want == NULL)
		fail_msg("%dx%d %s %s: no words to draw", w, h,
		    screen_state_name(v->state), screen_lang_name(v->lang));
	for (int i = 0; i < fit.n; i++)
		if (strcmp(fit.t[i].text, want) == 0)
			drawn = true;
	if (!drawn)
		fail_msg("%dx%d %s: \"%s\" was not drawn", w, h,
		    screen_state_name(v->state), want);
	for (int i = 0; i < fit.n; i++) {
		const struct screen_fit_text *t = &fit.t[i];
		const char *what = screen_state_name(v->state);

		if (!t->fits || t->word_broken)
			fail_msg("%dx%d %s %s: \"%s\" does not fit its box "
			    "%dx%d at %.1f px (ink %dx%d%s)", w, h, what,
			    screen_lang_name(v->lang), t->text, t->box_w,
			    t->box_h, t->size_px, t->ink_w, t->ink_h,
			    t->word_broken ? ", a word broken" : "");
		if (t->unknown_glyphs != 0)
			fail_msg("%dx%d %s: \"%s\": %d characters without a "
			    "glyph in %s", w, h, what, t->text,
			    t->unknown_glyphs, SCREEN_FONT);
		assert_true(t->ink_x >= t->box_x);
		assert_true(t->ink_y >= t->box_y);
		assert_true(t->ink_x + t->ink_w <= t->box_x + t->box_w);
		assert_true(t->ink_y + t->ink_h <= t->box_y + t->box_h);
		assert_true(t->box_x >= 0 && t->box_y >= 0);
		assert_true(t->box_x + t->box_w <= w);
		assert_true(t->box_y + t->box_h <= h);
		if (t->size_px < h * MIN_SIZE_SHARE)
			fail_msg("%dx%d %s: \"%s\" shrunk to %.1f px", w, h,
			    what, t->text, t->size_px);
	}
	assert_int_equal(rc, 0);
}

static void
view_init(struct screen_view *v, enum screen_state s, enum screen_lang l)
{
	memset(v, 0, sizeof(*v));
	v->state = s;
	v->lang = l;
	v->gate = GATE_NAME;
	v->clock = "23:59";
}

/* Every state, every reason, every way, in both languages, both sizes. */
static void
test_every_message_fits(void **state)
{
	struct screen_view v;

	(void)state;
	for (size_t z = 0; z < nitems(sizes); z++)
		for (int l = 0; l < SCREEN_LANG_COUNT; l++) {
			enum screen_lang lang = (enum screen_lang)l;

			for (int s = 0; s < SCREEN_STATE_COUNT; s++) {
				view_init(&v, (enum screen_state)s, lang);
				screen_view_holder(&v, LONG_NAME);
				assert_fits(&v, sizes[z].w, sizes[z].h,
				    screen_msg_state(v.state, lang).title);
			}
			for (int r = 0; r < REASON_COUNT; r++) {
				view_init(&v, SCREEN_DENIED, lang);
				v.reason = (enum reason)r;
				assert_fits(&v, sizes[z].w, sizes[z].h,
				    screen_msg_reason(v.reason, lang));
			}
			for (int d = 0; d < DIR_COUNT; d++) {
				view_init(&v, SCREEN_GRANTED, lang);
				v.dir = (enum direction)d;
				screen_view_holder(&v, LONG_NAME);
				assert_fits(&v, sizes[z].w, sizes[z].h,
				    screen_msg_way(v.dir, lang));
			}
		}
}

/* The reason's words are on the denied screen, and large. */
static void
test_denied_says_reason(void **state)
{
	struct screen_view v;
	struct screen_fit fit;
	uint8_t *px = pixels(800, 480);
	bool found = false;

	(void)state;
	view_init(&v, SCREEN_DENIED, SCREEN_LANG_VI);
	v.reason = REASON_EXPIRED;
	assert_int_equal(screen_draw(&v, px, 800, 480, 800 * 4, &fit), 0);
	for (int i = 0; i < fit.n; i++)
		if (strcmp(fit.t[i].text, "Thẻ đã hết hạn") == 0) {
			found = true;
			assert_true(fit.t[i].size_px >= 40);
		}
	assert_true(found);
	free(px);
}

/* Only the initials reach the screen: no word of the name is drawn. */
static void
test_granted_initials_only(void **state)
{
	struct screen_view v;
	struct screen_fit fit;
	uint8_t *px = pixels(480, 320);

	(void)state;
	view_init(&v, SCREEN_GRANTED, SCREEN_LANG_VI);
	screen_view_holder(&v, "Nguyễn Văn An");
	assert_string_equal(v.initials, "N. V. A.");
	assert_int_equal(screen_draw(&v, px, 480, 320, 480 * 4, &fit), 0);
	for (int i = 0; i < fit.n; i++) {
		assert_null(strstr(fit.t[i].text, "Nguyễn"));
		assert_null(strstr(fit.t[i].text, "An"));
	}
	screen_view_holder(&v, NULL);
	assert_string_equal(v.initials, "");
	free(px);
}

/* The background says the outcome at a glance: green, red. */
static void
test_colours(void **state)
{
	struct screen_view v;
	uint8_t *px = pixels(480, 320);
	uint32_t corner;

	(void)state;
	view_init(&v, SCREEN_GRANTED, SCREEN_LANG_EN);
	assert_int_equal(screen_draw(&v, px, 480, 320, 480 * 4, NULL), 0);
	memcpy(&corner, px + (319 * 480 + 479) * 4, 4);
	assert_true(((corner >> 8) & 0xff) > ((corner >> 16) & 0xff) * 2);
	view_init(&v, SCREEN_DENIED, SCREEN_LANG_EN);
	v.reason = REASON_WRONG_LANE;
	assert_int_equal(screen_draw(&v, px, 480, 320, 480 * 4, NULL), 0);
	memcpy(&corner, px + (319 * 480 + 479) * 4, 4);
	assert_true(((corner >> 16) & 0xff) > ((corner >> 8) & 0xff) * 2);
	free(px);
}

static void
test_bad_buffer(void **state)
{
	struct screen_view v;
	uint8_t px[64];

	(void)state;
	view_init(&v, SCREEN_IDLE, SCREEN_LANG_VI);
	assert_int_equal(screen_draw(&v, px, 4, 4, 10, NULL), -1);
	assert_int_equal(screen_draw(&v, px, 0, 4, 16, NULL), -1);
	v.state = SCREEN_STATE_COUNT;
	assert_int_equal(screen_draw(&v, px, 4, 4, 16, NULL), -1);
}

/* The file backend: a PNG of the picture's size, numbered, named. */
static void
test_file_backend(void **state)
{
	const struct screen_ops *ops = screen_find("file");
	char dir[] = "/tmp/test_screen_XXXXXX", path[512];
	struct screen_config cfg = { .width = 480, .height = 320 };
	struct screen_image img = { .width = 480, .height = 320,
	    .stride = 480 * 4, .name = "denied" };
	struct screen_view v;
	cairo_surface_t *png;
	uint8_t *px = pixels(480, 320);
	void *priv;

	(void)state;
	assert_non_null(ops);
	assert_non_null(screen_find("none"));
	assert_null(screen_find("kms"));
	assert_non_null(mkdtemp(dir));
	cfg.path = dir;
	view_init(&v, SCREEN_DENIED, SCREEN_LANG_VI);
	v.reason = REASON_REPLAYED;
	assert_int_equal(screen_draw(&v, px, 480, 320, 480 * 4, NULL), 0);
	img.argb = px;

	assert_non_null(priv = ops->open(&cfg));
	assert_int_equal(ops->show(priv, &img), 0);
	img.name = "idle";
	assert_int_equal(ops->show(priv, &img), 0);
	/* A picture of another size is refused, and nothing written. */
	img.width = 479;
	assert_int_equal(ops->show(priv, &img), -1);
	ops->close(priv);

	snprintf(path, sizeof(path), "%s/000001-denied.png", dir);
	png = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), 480);
	assert_int_equal(cairo_image_surface_get_height(png), 320);
	/* The same pixels as drawn. */
	cairo_surface_flush(png);
	assert_memory_equal(cairo_image_surface_get_data(png), px, 480 * 4);
	cairo_surface_destroy(png);
	snprintf(path, sizeof(path), "%s/000002-idle.png", dir);
	assert_int_equal(access(path, F_OK), 0);

	/* Opened again, it numbers on: the last run's screens stay. */
	assert_non_null(priv = ops->open(&cfg));
	img.width = 480;
	assert_int_equal(ops->show(priv, &img), 0);
	ops->close(priv);
	snprintf(path, sizeof(path), "%s/000003-idle.png", dir);
	assert_int_equal(access(path, F_OK), 0);

	/* No directory, no screen. */
	cfg.path = "/nonexistent/screens";
	assert_null(ops->open(&cfg));

	for (int i = 1; i <= 3; i++) {
		snprintf(path, sizeof(path), "%s/%06d-%s.png", dir, i,
		    i == 1 ? "denied" : "idle");
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
	free(px);
}

/*
 * The KMS backend, where libdrm was found.  Only its refusals are tested
 * here (no KMS device on a build machine): a path that is none, a device
 * that is no card.  The system tier's bochs-display guest will show it.
 */
static void
test_drm_refuses(void **state)
{
#ifdef CONFIG_SCREEN_DRM
	const struct screen_ops *ops = screen_find("drm");
	struct screen_config cfg = { .path = "/nonexistent/card0",
	    .width = 800, .height = 480 };

	(void)state;
	assert_non_null(ops);
	assert_null(ops->open(&cfg));
	cfg.path = "/dev/null";
	assert_null(ops->open(&cfg));
	ops->close(NULL);
#else
	(void)state;
	assert_null(screen_find("drm"));
#endif
}

/* pango and fontconfig keep caches for the process; freed for LSan. */
static int
teardown(void **state)
{
	(void)state;
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_message_fits),
		cmocka_unit_test(test_denied_says_reason),
		cmocka_unit_test(test_granted_initials_only),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_bad_buffer),
		cmocka_unit_test(test_file_backend),
		cmocka_unit_test(test_drm_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
