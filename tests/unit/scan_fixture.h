/*
 * A gate that scans what the test says: the gate fixture's real gate with
 * a stand-in decoder that "finds" next_code in any frame, and an uplink
 * that records the alarms raised.  For the tests of the scan path
 * (test_gate_policy, test_gate_store).  Include it after gate_fixture.h.
 */
#ifndef SCAN_FIXTURE_H
#define SCAN_FIXTURE_H

#include <sqlite3.h>

#include "clock.h"
#include "gate_private.h"
#include "holdoff.h"
#include "store_private.h"

/* What the stand-in decoder finds in the next frame: one code, or none. */
static const char *next_code;

static int
scan_fx_decode(void *priv, const struct frame *f, struct decode_result *out)
{
	(void)priv;
	(void)f;
	out->count = 0;
	if (next_code == NULL)
		return 0;
	out->codes[0].data = (const uint8_t *)next_code;
	out->codes[0].len = strlen(next_code);
	out->count = 1;
	return 1;
}

static const struct decoder_ops scan_fx_decoder = { .name = "fake",
	.scan = scan_fx_decode };
/* The gate's own decoder, put back for gate_close(). */
static const struct decoder_ops *scan_fx_real_decoder;

/* The uplink's alarms, as "name:active" joined by spaces. */
static char alarms[256];

static void
scan_fx_alarm(void *arg, const char *name, bool active, const char *detail)
{
	(void)arg;
	(void)detail;
	snprintf(alarms + strlen(alarms), sizeof(alarms) - strlen(alarms),
	    "%s%s:%d", alarms[0] != '\0' ? " " : "", name, active);
}

/* Puts the stand-in decoder and the alarm recorder in; no hold-off. */
static void
scan_fx_attach(struct gate_fx *fx)
{
	scan_fx_real_decoder = fx->gate.dec;
	fx->gate.dec = &scan_fx_decoder;
	fx->gate.up.alarm = scan_fx_alarm;
	holdoff_init(&fx->gate.holdoff, 0);
	alarms[0] = '\0';
	next_code = NULL;
}

static void
scan_fx_detach(struct gate_fx *fx)
{
	fx->gate.dec = scan_fx_real_decoder;
}

/* Shows code (NULL: nothing) to the gate in one frame. */
static void
show(struct gate_fx *fx, const char *code)
{
	static const uint8_t pixel;
	struct frame f = { .y = &pixel, .width = 1, .height = 1, .stride = 1 };

	f.ts_ns = clock_mono_ns();
	next_code = code;
	gate_scan_frame(&fx->gate, &f);
}

/*
 * The column col of the log rows that match where, in seq order, joined
 * by spaces, as the gate's own connection reads them.
 */
static const char *
rows_where(struct gate_fx *fx, const char *col, const char *where)
{
	static char out[1024];
	char sql[512];
	sqlite3_stmt *s;

	out[0] = '\0';
	snprintf(sql, sizeof(sql), "SELECT %s FROM events WHERE %s ORDER BY seq",
	    col, where);
	assert_int_equal(sqlite3_prepare_v2(store_db(fx->gate.store), sql, -1,
	    &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
		    out[0] != '\0' ? " " : "",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

static __attribute__((unused)) const char *
rows(struct gate_fx *fx, const char *col)
{
	return rows_where(fx, col, "1");
}

#endif
