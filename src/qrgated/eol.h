/*
 * End-of-line supervision: what an analog reading of a supervised loop
 * means.  The loop has a resistor at its far end, so the voltage an ADC
 * reads at the gate tells four states apart (hal/analog.h):
 *
 *   raw <  short_below    a short circuit across the wires
 *   raw <  normal_below   normal: the contact at rest
 *   raw <  active_below   active: the contact changed (the fire panel's
 *                         alarm relay, the cabinet opened)
 *   raw >= active_below   an open circuit: the wire cut
 *
 * A reading that failed (the IIO file gone, not a number) is a state of
 * its own, unreadable.  Short, open and unreadable are faults: the gate
 * can no longer see what is at the end of the wire.
 *
 * A state counts only once `samples` readings in a row agree, so a
 * single glitch (a spike on a long cable, a torn read) changes nothing.
 * Until then the loop is unknown.  Pure: no clock, no I/O, no logging;
 * the gate (gate_eol.c) samples it on a timer and acts on the changes.
 */
#ifndef QRGATE_EOL_H
#define QRGATE_EOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eol_state {
	EOL_UNKNOWN,		/* not yet `samples` readings that agree */
	EOL_NORMAL,
	EOL_ACTIVE,
	EOL_SHORT,
	EOL_OPEN,
	EOL_UNREADABLE,
	EOL_STATE_COUNT
};

/* Thresholds in raw ADC units, strictly increasing. */
struct eol_levels {
	int32_t short_below;
	int32_t normal_below;
	int32_t active_below;
};

struct eol {
	struct eol_levels lv;
	int samples;		/* readings in a row that make a state */
	enum eol_state state;	/* the debounced state */
	enum eol_state seen;	/* the last reading's state */
	int run;		/* readings in a row of seen */
	int32_t raw;		/* the last good reading */
	bool have_raw;
};

/* An unknown loop, read against lv; samples at least 1. */
void eol_init(struct eol *e, const struct eol_levels *lv, int samples);

/* The state one reading means on its own. */
enum eol_state eol_classify(const struct eol_levels *lv, int32_t raw);

/*
 * Takes one reading: ok false for one that failed (raw ignored).
 * Returns true when the debounced state changed (e->state is the new
 * one).
 */
bool eol_sample(struct eol *e, bool ok, int32_t raw);

/* Short, open or unreadable: the loop cannot be trusted. */
bool eol_state_fault(enum eol_state s);

/* "normal", "active", "short", "open", "unreadable", "unknown". */
const char *eol_state_name(enum eol_state s);

/*
 * Reads "SHORT NORMAL ACTIVE": three integers separated by blank space
 * or commas, strictly increasing.  Returns 0, or -1 with msg saying why.
 */
int eol_levels_parse(const char *s, struct eol_levels *lv, char *msg,
    size_t msglen);

#endif
