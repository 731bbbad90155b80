/*
 * The gate's private API, for gate*.c only (and the tests that drive a
 * gate from inside): the writing of log rows (gate_log.c), the decision
 * lines, the lane's hooks and the scan (gate_scan.c).  gate.h is what
 * the rest of the daemon uses.
 */
#ifndef QRGATE_GATE_PRIVATE_H
#define QRGATE_GATE_PRIVATE_H

#include "gate.h"

/*
 * lane.open_schedule, each second (gate_open_schedule.c): holds every way
 * free while the schedule admits, on a trusted clock and out of a
 * lockdown, and logs where that starts and ends.
 */
void gate_open_schedule_tick(struct gate *g);

/* Fills the fields every row shares: time, gate, lane, dir, type. */
void gate_event_init(const struct gate *g, struct event *ev, enum event_type type,
    enum direction dir);
/*
 * Appends ev durably.  Returns 0, or -1 (counted, the store's log line,
 * "database" raised) with ev kept as it is by gate_event_keep().
 */
int gate_event_commit(struct gate *g, struct event *ev);
/*
 * Appends ev durably, and when step >= 0 records it as the dynamic step
 * used by ev's credential, in the same transaction.  Returns 0, or -1
 * (counted, the store's log line, "database" raised) with nothing kept:
 * the caller decides what the row says now (a grant that cannot be
 * logged is not a grant) and keeps that.
 */
int gate_event_commit_step(struct gate *g, struct event *ev, int64_t step);
/*
 * Keeps a row the store refused, to be written when it answers again
 * (gate_store_tick), and writes it to the journal as one line.  ev->seq
 * gets a stand-in below 0, which the lane may carry as a released way's
 * seq: its passage is recorded on the kept row.
 */
void gate_event_keep(struct gate *g, struct event *ev);
/*
 * Records how the way released for row seq ended.  0 or -1 (counted; the
 * update kept like a row).
 */
int gate_passage_commit(struct gate *g, int64_t seq, enum passage p);
/*
 * The store's watch, each second from the loop: raises "database" when
 * its files are gone or it does not answer, writes the kept rows when it
 * does, and clears the alarm once none waits.
 */
void gate_store_tick(struct loop *l, struct loop_timer *t);
/* At close: a last try at the kept rows, and a count of those lost. */
void gate_kept_close(struct gate *g);

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

/*
 * Opens dir without a code (exit button, remote open): an exit whatever
 * the store says, an entry only once its row is written.  0, or -1 with
 * errno EBUSY, EIO or ENODEV (see gate_log.c).
 */
int gate_open_unscanned(struct gate *g, enum direction dir, enum event_type type,
    enum reason reason);

/*
 * One code, from whichever input read it: the camera's decoder or a
 * reader.  The same hold-off, rules, row and relay for every input.
 */
struct gate_code {
	const uint8_t *data;
	size_t len;
	bool too_long;		/* the reader cut it at max_payload */
	int64_t ts_ns;		/* CLOCK_MONOTONIC: when it was read (the
				 * frame's capture, the reader's last byte);
				 * the row's latency counts from it */
	int64_t decode_us;	/* the gate's decoding time; 0 for a reader */
	enum direction direction;	/* the way it opens */
	const char *source;	/* the row's source: "camera", "scanner",
				 * "wiegand" */
	/* A Wiegand reader's frame: a card, decided as a card and never
	 * parsed as bytes (a QR code that spells a card's text is not the
	 * card), or a frame that is no card (misread: malformed).  data
	 * is then the card's text, or the frame's bits. */
	const struct wiegand_card *card;
	bool misread;
	const char *pin;	/* the PIN typed after the card, or NULL */
};

/* Decodes f and decides each code found (gate_scan_code). */
void gate_scan_frame(struct gate *g, const struct frame *f);
/*
 * One code read otherwise (a reader): hold-off, decision, row, relay, as
 * each of a frame's codes, a changed credential list noted first.
 */
void gate_scan_code(struct gate *g, const struct gate_code *c);

/*
 * The reader of g->cfg.reader (gate_reader.c): opened, its fd on the
 * loop.  One that cannot be opened is logged and tried again every 2 s:
 * the camera goes on meanwhile, so this never fails.
 */
void gate_reader_open(struct gate *g);
void gate_reader_close(struct gate *g);
/* Adds "readers" to a status document. */
void gate_reader_status(const struct gate *g, json_t *status);

/*
 * The Wiegand reader (gate_wiegand.c): _configure() at open and reload
 * (-1 if cfg's formats do not parse; the loader checked them); _edges()
 * takes a batch of GPIO events of its two lines, in any order.
 */
int gate_wiegand_configure(struct gate *g, const struct config *cfg);
/* After a decision on cred (NULL: none found): its card sent on to a
 * door controller, as wiegand.out says. */
void gate_wiegand_send_on(struct gate *g, const struct credential *cred,
    bool granted);
void gate_wiegand_edges(struct gate *g, struct gpio_event *ev, int n);
/* Whether a card is coming in now: a frame open for less than the
 * longest card takes (gate_wiegand.c says why the bound). */
bool gate_wiegand_arriving(const struct gate *g);

/*
 * An input's change, from a GPIO line or a supervised loop standing for
 * one: the tamper switch's is the gate's, the others the lane's.
 */
void gate_gpio_input(struct gate *g, const struct gpio_event *ev);

/*
 * The supervised loops (gate_eol.c): _open() starts those g->cfg names,
 * _reconfigure() after a reload changed [supervision] (g->cfg is the new
 * config), _sync() gives the lane again what they hold after it forgot
 * its inputs, _close() stops them without a row.
 */
void gate_eol_open(struct gate *g);
void gate_eol_reconfigure(struct gate *g);
void gate_eol_sync(struct gate *g);
void gate_eol_close(struct gate *g);
/* Adds "supervision" to a status document, if a loop is configured. */
void gate_eol_status(const struct gate *g, json_t *status);

/*
 * What the scans take from cfg once rather than per code: the repeated-
 * denial limits (their counts kept across a reload) and the issuer key.
 * At gate_open() and at each gate_reload().
 */
void gate_scan_configure(struct gate *g, const struct config *cfg);

/*
 * The lane's screen (gate_screen.c), drawn and shown on a thread of its
 * own.  _open() shows the lane's screen (idle ...); one that cannot be
 * opened is logged, and the gate runs without it: never a failure.
 * _decision() shows a decision's screen for screen.hold_ms: call it only
 * after the relay has been driven.  _lane() follows a change of the
 * lane's state (fire alarm, lockdown, camera).  name: the holder's
 * name, of which only the initials go further.
 */
void gate_screen_open(struct gate *g);
void gate_screen_close(struct gate *g);
void gate_screen_decision(struct gate *g, const struct event *ev,
    const char *name);
void gate_screen_lane(struct gate *g);
/* Adds "screen" to a status document (nothing without a screen). */
void gate_screen_status(const struct gate *g, json_t *status);

/*
 * The lane's voice (gate_sound.c): prompts synthesised once and played
 * on a thread of its own, the newest cutting the one before.  _open()
 * starts the thread, which makes every clip of the gate's language
 * before it plays any; one that cannot be opened is logged, and the
 * gate runs without it (the buzzer stays).  _decision() speaks a
 * decision's prompt: call it only after the relay has been driven.
 * _lane() follows a change of the lane's state, as the screen's does.
 * Nothing is spoken during sound.quiet_hours.
 */
void gate_sound_open(struct gate *g);
void gate_sound_close(struct gate *g);
void gate_sound_decision(struct gate *g, const struct event *ev);
void gate_sound_lane(struct gate *g);
/* Adds "sound" to a status document (nothing without sound). */
void gate_sound_status(const struct gate *g, json_t *status);

#endif
