/* The gate's writing of log rows and of its human-readable decision lines. */
#ifndef QRGATE_GATE_LOG_H
#define QRGATE_GATE_LOG_H

#include "gate.h"

/* Fills the fields every row shares: time, gate, lane, dir, type. */
void gate_event_init(const struct gate *g, struct event *ev, enum event_type type,
    enum direction dir);
/* Appends ev durably.  Returns 0, or -1 (counted, logged). */
int gate_event_commit(struct gate *g, struct event *ev);
/*
 * As gate_event_commit(), and when step >= 0 records it as the dynamic
 * step used by ev's credential, in the same transaction.
 */
int gate_event_commit_step(struct gate *g, struct event *ev, int64_t step);
/* Records how the way released for row seq ended.  0 or -1 (counted). */
int gate_passage_commit(struct gate *g, int64_t seq, enum passage p);

/*
 * At start: a way released when the last run ended (a kill, a power cut,
 * a stop inside pulse_ms) has no sensor reading to come.  Each such row's
 * passage becomes unsensed, and is announced like any other.  Returns 0
 * or -1.
 */
int gate_close_pending_passages(struct gate *g);
/* Tells the uplink, if any, of an alarm that is not a log row. */
void gate_uplink_alarm(struct gate *g, const char *name, bool active,
    const char *detail);
/*
 * One line per decision, for the journal and the demo.  relay_us: from the
 * frame's capture to the relay moved, for a grant; -1 otherwise.
 */
void gate_log_decision(const struct gate *g, const struct event *ev,
    const char *name, int64_t relay_us);

/* The lane's hooks. */
void gate_on_passage(void *arg, enum direction dir, int64_t seq, enum passage p);
void gate_on_alarm(void *arg, enum reason reason);
void gate_on_button(void *arg);

int gate_open_unscanned(struct gate *g, enum direction dir, enum event_type type,
    enum reason reason);

void gate_scan_frame(struct gate *g, const struct frame *f);

/*
 * What the scans take from cfg once rather than per code: the repeated-
 * denial limits (their counts kept across a reload) and the issuer key.
 * At gate_open() and at each gate_reload().
 */
void gate_scan_configure(struct gate *g, const struct config *cfg);

#endif
