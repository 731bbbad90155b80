/*
 * qrgatectl screen STATE [--reason R|all] [--way entry|exit] [--name NAME]
 * [--clock HH:MM] [--png FILE] [--bench N]: draws one of the lane's screens exactly as
 * the daemon does (screen_draw(), at screen.width x screen.height, in
 * screen.language), to look at one without a gate, a panel or a code,
 * and to time the drawing: --bench draws it N times and prints the
 * times, the figure that says whether the daemon's screen thread keeps
 * up (it draws after the relay, so it never delays one).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctl.h"
#include "screen_draw.h"
#include "screen_msg.h"
#include "sitetime.h"

#ifdef CONFIG_SCREEN
#include <cairo.h>

#define BENCH_MAX	100000

static int
ctl_screen_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Draws v n times; prints the first draw (the fonts loaded) and the rest. */
static int
ctl_screen_bench(struct screen_view *v, uint8_t *px, int w, int h, int n,
    bool every)
{
	int64_t *t = calloc((size_t)n, sizeof(*t));

	if (t == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int64_t t0;

		if (every)
			v->reason = (enum reason)(i % REASON_COUNT);
		t0 = clock_mono_ns();
		if (screen_draw(v, px, w, h, w * 4, NULL) == -1) {
			fprintf(stderr, "qrgatectl: the screen could not be drawn\n");
			free(t);
			return 1;
		}
		t[i] = clock_mono_ns() - t0;
	}
	printf("screen %s%s %dx%d %s: first draw %.2f ms (fonts loaded)",
	    screen_state_name(v->state), every ? " (every reason in turn)" : "",
	    w, h, screen_lang_name(v->lang), t[0] / 1e6);
	if (n > 1) {
		int m = n - 1;

		qsort(t + 1, (size_t)m, sizeof(*t), ctl_screen_cmp);
		printf("; %d more: median %.2f ms, p99 %.2f ms, max %.2f ms",
		    m, t[1 + m / 2] / 1e6, t[1 + (m * 99) / 100] / 1e6,
		    t[n - 1] / 1e6);
	}
	printf("\n");
	free(t);
	return 0;
}

/* Writes the picture as a PNG; prints how long that took with --bench. */
static int
ctl_screen_png(uint8_t *px, int w, int h, const char *path, bool timed)
{
	cairo_surface_t *s = cairo_image_surface_create_for_data(px,
	    CAIRO_FORMAT_ARGB32, w, h, w * 4);
	int64_t t0 = clock_mono_ns();
	cairo_status_t st = cairo_surface_write_to_png(s, path);

	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "qrgatectl: %s: %s\n", path,
		    cairo_status_to_string(st));
		return 1;
	}
	if (timed)
		printf("PNG written in %.2f ms: %s\n",
		    (clock_mono_ns() - t0) / 1e6, path);
	return 0;
}

int
ctl_screen(struct ctl *c, int argc, char **argv)
{
	struct screen_view v = { .lang = c->cfg.screen.language,
	    .gate = c->cfg.gate.id, .dir = DIR_ENTRY,
	    .reason = REASON_EXPIRED };
	char now[40], clock[6];
	int w = c->cfg.screen.width, h = c->cfg.screen.height, n = 0, st;
	bool every = false;
	const char *png = NULL, *val;
	uint8_t *px;
	int rc;

	if (argc < 2 || (st = screen_state_from_name(argv[1])) == -1) {
		fprintf(stderr, "usage: qrgatectl screen idle|granted|denied|"
		    "fire-alarm|locked-down|camera-fault|offline [--reason R|all] "
		    "[--way entry|exit] [--name NAME] [--clock HH:MM] "
		    "[--png FILE] [--bench N]\n");
		return 2;
	}
	v.state = (enum screen_state)st;
	screen_view_holder(&v, "Nguyễn Văn An");
	/* The site's time now, as the daemon's clock shows it ("HH:MM" of
	 * sitetime_format()); --clock fixes it, for pictures that must not
	 * change (docs, tests). */
	sitetime_format(clock_utc_ms(), now, sizeof(now));
	snprintf(clock, sizeof(clock), "%.5s", now + 11);
	v.clock = clock;
	for (int i = 2; i < argc; i++) {
		if ((val = ctl_opt(argc, argv, &i, "--reason")) != NULL) {
			/* --bench on every reason in turn: each draw
			 * lays out other words, as the daemon's do. */
			if (strcmp(val, "all") == 0)
				every = true;
			else if (reason_from_name(val) == -1) {
				fprintf(stderr, "qrgatectl: no reason '%s'\n", val);
				return 2;
			}
			else
				v.reason = (enum reason)reason_from_name(val);
		} else if ((val = ctl_opt(argc, argv, &i, "--way")) != NULL) {
			if (direction_from_name(val) == -1) {
				fprintf(stderr, "qrgatectl: no way '%s'\n", val);
				return 2;
			}
			v.dir = (enum direction)direction_from_name(val);
		} else if ((val = ctl_opt(argc, argv, &i, "--clock")) != NULL) {
			if (strlen(val) != 5 || val[2] != ':' ||
			    strspn(val, "0123456789:") != 5) {
				fprintf(stderr, "qrgatectl: --clock HH:MM\n");
				return 2;
			}
			snprintf(clock, sizeof(clock), "%s", val);
		} else if ((val = ctl_opt(argc, argv, &i, "--name")) != NULL)
			screen_view_holder(&v, val);
		else if ((val = ctl_opt(argc, argv, &i, "--png")) != NULL)
			png = val;
		else if ((val = ctl_opt(argc, argv, &i, "--bench")) != NULL) {
			n = atoi(val);
			if (n < 1 || n > BENCH_MAX) {
				fprintf(stderr, "qrgatectl: --bench 1 to %d\n",
				    BENCH_MAX);
				return 2;
			}
		} else {
			fprintf(stderr, "qrgatectl: screen: unknown argument "
			    "'%s'\n", argv[i]);
			return 2;
		}
	}
	if ((px = calloc((size_t)w * h, 4)) == NULL) {
		fprintf(stderr, "qrgatectl: out of memory\n");
		return 1;
	}
	if (n > 0)
		rc = ctl_screen_bench(&v, px, w, h, n, every);
	else if ((rc = screen_draw(&v, px, w, h, w * 4, NULL)) == -1)
		fprintf(stderr, "qrgatectl: the screen could not be drawn\n");
	else if (rc == 1)
		fprintf(stderr, "qrgatectl: a text did not fit and was cut\n");
	rc = rc == -1 ? 1 : 0;
	if (rc == 0 && png != NULL)
		rc = ctl_screen_png(px, w, h, png, n > 0);
	free(px);
	return rc;
}

#else /* !CONFIG_SCREEN */

int
ctl_screen(struct ctl *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	fprintf(stderr, "qrgatectl: this build has no screen (cairo and pango "
	    "were not found when it was built)\n");
	return 1;
}

#endif
