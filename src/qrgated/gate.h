/*
 * The gate: camera frames -> QR codes -> decision -> durable log -> relay.
 * It owns every open resource (camera, GPIO, decoder, store) and wires them
 * to the one event loop.  The lane (lane.c) drives the outputs; the gate
 * decides and logs.
 *
 * Errors, in every gate*.c file: a function returns -1 (NULL for a
 * pointer), and the reason is logged once, by the function that knows
 * it: the store, the HAL backends (a relay that does not move) and the
 * loop log their own failures, and the gate only acts on them (a row
 * kept, a way left locked, an alarm raised); the lines it writes then
 * say what became of the row, not why the store failed.  Two answers
 * say why to the caller instead, for an operator: gate_reload() and
 * gate_remote_open() in err, and gate_open_unscanned() in errno.
 * gate_healthy() is a question, not a failure: false with why.
 */
#ifndef QRGATE_GATE_H
#define QRGATE_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "analog.h"
#include "camera.h"
#include "gpio.h"
#include "reader.h"
#include "camera_health.h"
#include "clocksync.h"
#include "config.h"
#include "decide.h"
#include "decoder.h"
#include "denyrate.h"
#include "wiegand_frame.h"
#include "wiegand_keypad.h"
#include "wiegand_out.h"
#include "gatetime.h"
#include "holdoff.h"
#include "lane.h"
#include "loop.h"
#include "store.h"

/* CAM_FROZEN: stalled or repeating its picture; its frames are not used. */
enum camera_state { CAM_STARTING, CAM_RUNNING, CAM_ENDED, CAM_FAILED, CAM_FROZEN };

/* A reader (gate_reader.c): off when none is configured; failed while
 * it cannot be opened or after it went, tried again every 2 s. */
enum gate_reader_state { GATE_READER_OFF, GATE_READER_RUNNING,
	GATE_READER_FAILED };

struct gate_reader {
	struct gate *g;
	const struct reader_ops *ops;	/* NULL: reader.backend none */
	void *priv;
	struct loop_fd fd;
	struct loop_timer gap;		/* the pause that ends a code */
	struct loop_timer retry;
	enum gate_reader_state state;
	bool alarm;			/* the "reader" alarm raised */
	uint64_t codes;			/* codes it read */
};

/* The end-of-line supervised loops (gate_eol.c), each read through an
 * ADC: the fire alarm's and the tamper switch's. */
enum gate_eol_loop { GATE_EOL_FIRE, GATE_EOL_TAMPER, GATE_EOL_COUNT };

struct gate_eol {
	struct gate *g;
	enum gate_eol_loop which;
	const struct analog_ops *ops;
	void *priv;		/* NULL: no loop configured */
	struct eol eol;		/* its readings, debounced */
	struct loop_timer tick;	/* the next reading */
	bool fault;		/* its fault alarm is raised */
	bool active;		/* it holds its alarm on (fire, tamper) */
	char why[160];		/* the last failed reading's reason */
	uint64_t readings;	/* taken, and of them failed: a loop that */
	uint64_t failed;	/* ... fails now and then shows it here */
};

struct gate_counters {
	uint64_t frames;
	uint64_t codes;		/* codes decided (after the hold-off) */
	uint64_t grants;
	uint64_t denials;
	uint64_t alarms;
	uint64_t store_errors;
	uint64_t wiegand_noise;	/* reader frames that were no card nor key */
	uint64_t frames_undecoded;	/* while a card came in or went out */
};

/*
 * What the gate tells an uplink (the MQTT client) when one is attached.
 * Every member may be NULL.  A hook only takes note: the gate never waits
 * on the network.
 */
struct gate_uplink {
	/* Rows were queued in the outbox: an event or a passage committed. */
	void (*rows)(void *arg);
	/* An alarm that is not a log row: "camera" lost (active) or back,
	 * "database" trouble or over. */
	void (*alarm)(void *arg, const char *name, bool active,
	    const char *detail);
	/* A reload applied cfg (g->cfg is already cfg). */
	void (*config)(void *arg, const struct config *cfg);
	/* Adds the uplink's own state to a status document. */
	void (*status)(void *arg, json_t *status);
	/* A dynamic token's step was granted here, its row committed: the
	 * site's other gates are told (after the relay moved). */
	void (*step)(void *arg, const char *credential_id, uint32_t step);
	void *arg;
};

/* Recent decode times, for the status's p50 and p99. */
#define GATE_DECODE_RING 128

/*
 * Log rows the store refused (a full disk, a file gone), kept in memory
 * until it takes them again (gate_log.c).  Bounded: past GATE_KEPT_MAX a
 * row is only in the journal, as every kept row also is.
 */
#define GATE_KEPT_MAX 64

struct gate_kept {
	struct event ev;	/* ev.seq: a stand-in below 0 for a row not
				 * written; the row's own for a passage */
	bool passage_only;	/* only ev.passage of row ev.seq is kept */
};

/* The lane's screen (gate_screen.c) and voice (gate_sound.c): private
 * to each. */
struct gate_screen;
struct gate_sound;

/* gate_meta: when the database was set aside (gate.c gate_store_open()). */
#define GATE_ASIDE_KEY "store_set_aside_s"

struct gate {
	struct config cfg;
	struct loop *loop;

	const struct camera_ops *cam;
	void *cam_priv;
	struct loop_fd cam_fd;
	enum camera_state cam_state;
	struct loop_timer cam_retry;
	struct camera_health cam_health;
	struct loop_timer cam_tick;	/* camera_health_tick() */

	const struct gpio_ops *gpio;
	void *gpio_priv;
	struct loop_fd gpio_fd;

	const struct decoder_ops *dec;
	void *dec_priv;

	struct gate_reader reader;	/* [reader]; one a lane for now */

	struct store *store;
	struct holdoff holdoff;
	struct lane lane;
	bool lockdown;
	bool tamper;		/* the tamper switch is active */
	struct loop_timer retention;
	struct loop_timer checkpoint;	/* the WAL's, see gate_checkpoint() */
	int64_t last_decision_ns;	/* 0: none yet */

	struct gate_counters n;
	int64_t last_decode_us;
	int64_t last_frame_ns;	/* capture time of the newest frame, 0: none */
	int64_t started_ns;
	int32_t decode_ring[GATE_DECODE_RING];
	uint64_t decode_n;	/* frames timed; the ring keeps the last ones */

	struct gate_uplink up;
	bool camera_alarm;	/* "camera" (lost, frozen) raised, not cleared */
	bool store_alarm;	/* "database" likewise */
	bool store_gone;	/* the last store_ping() failed */
	char store_aside[300];	/* where the database found unreadable at
				 * start was moved; "" none, or once a
				 * credential list arrived.  Noted in
				 * gate_meta GATE_ASIDE_KEY (UTC seconds of
				 * its name; 0 over) across restarts. */
	struct gate_kept kept[GATE_KEPT_MAX];	/* oldest first from kept_first */
	int kept_first, kept_n;
	int64_t kept_seq;	/* the last stand-in seq handed out (< 0) */
	struct loop_timer store_tick;	/* gate_store_tick() */
	bool clock_alarm;	/* "clock": the clock is not trusted
				 * (gate_clock.c), not yet cleared */
	struct clocksync clock;
	struct gatetime time;	/* the gate's now and its floor */
	struct loop_timer clock_tick;	/* gate_clock.c, every second */
	int open_sched_told;	/* why lane.open_schedule last stayed shut,
				 * as logged (gate_open_schedule.c) */
	int64_t floor_saved_ns;	/* when the floor was last written down
				 * (monotonic); 0: not in this run */
	struct denyrate deny;	/* repeated denials (gate_scan.c) */
	bool has_issuer_pk;	/* security.issuer_key is a key */
	uint8_t issuer_pk[32];
	bool has_visitor_pk;	/* security.visitor_key is a key */
	uint8_t visitor_pk[32];
	bool has_cccd_key;	/* security.cccd_key_file was read */
	uint8_t cccd_key[32];	/* ... the site's CCCD check key */
	int64_t config_version;
	int64_t cred_version;
	int64_t sched_version;	/* of the schedules pushed last; 0 none */
	/* The credentials the hold-off last saw (gate_scan.c): a change
	 * decides again the codes in view that were denied. */
	int64_t held_cred_version;
	int64_t held_data_version;
	struct inbound_state *inbound;
	/* A Wiegand reader on gpio.wiegand_d0/d1 (gate_wiegand.c). */
	struct wiegand_asm wg_asm;
	struct wiegand_decode_conf wg_decode;
	struct loop_timer wg_timer;	/* the open frame's gap */
	/* A card whose credential has a PIN, waiting for it on the
	 * reader's keypad until wg_pin_timer (policy.pin_window_s). */
	bool wg_waiting;
	struct wiegand_card wg_card;
	struct wiegand_pin wg_pin;
	struct loop_timer wg_pin_timer;
	struct wiegand_out wg_out;	/* wiegand.out: to a controller */
	struct gate_screen *screen;	/* NULL: screen.backend none, or
					 * none could be opened */
	struct gate_sound *sound;	/* NULL: sound.backend none, or
					 * none could be opened */
	int64_t uplink_lost_ns;	/* CLOCK_MONOTONIC: since when the uplink
				 * wants its broker and has none; 0 while
				 * connected, or with no uplink */
	struct gate_eol eol[GATE_EOL_COUNT];	/* [supervision] */
};

/*
 * Opens the store, the GPIO (outputs safe), the decoder and the camera, and
 * registers them with the loop.  Returns 0, or -1 with everything that was
 * opened closed again and the reason logged.
 */
int gate_open(struct gate *g, struct loop *l, const struct config *cfg);

/* Relays safe, then closes everything.  Safe to call twice. */
void gate_close(struct gate *g);

/* Only the outputs: for the fatal path, where nothing else can be trusted. */
void gate_make_safe(struct gate *g);

/*
 * Applies a new config as one step: either all of it takes effect or none,
 * and then err says why.  Returns 0 or -1.
 */
int gate_reload(struct gate *g, const struct config *cfg, char *err, size_t errlen);

/*
 * The uplink (mqtt.c) says whether it is offline: it wants its broker and
 * has no connection.  The screen says so after screen.offline_s.
 */
void gate_uplink_offline(struct gate *g, bool offline);

/* An operator opens dir for one passage (logged as remote-open). */
int gate_remote_open(struct gate *g, enum direction dir, char *err, size_t errlen);

/*
 * True while the gate works: frames arrive (or a file camera has played
 * its frames out) and the database answers and is still the file opened
 * (store_ping).  Otherwise why says what is wrong.  For the systemd
 * watchdog.
 */
bool gate_healthy(const struct gate *g, char *why, size_t whylen);

/*
 * Sets or clears operator lockdown: every code is denied lane-locked.
 * Setting it also ends a release (gate_set_release), so every way locks
 * unless the fire alarm holds it free.
 */
void gate_set_lockdown(struct gate *g, bool on);

/*
 * The gate's time (gate_clock.c, after gatetime.h).  gate_clock_open()
 * takes the floor from the store and starts the once-a-second check;
 * gate_clock_close() writes the floor down.  Both 0 or -1.
 */
int gate_clock_open(struct gate *g);
void gate_clock_close(struct gate *g);
/* What the gate believes now is, UTC ms: never below the floor. */
int64_t gate_clock_now(const struct gate *g);
/* The latest time the gate trusted, UTC ms (0: none yet). */
int64_t gate_clock_floor(const struct gate *g);
/*
 * Reads the clock (its synchronisation at most once a second), raises
 * the floor if the clock is trusted, and raises or clears the "clock"
 * alarm.  Returns whether the clock is trusted.
 */
bool gate_clock_check(struct gate *g);
/* Adds "clock" to a status document. */
void gate_clock_status(const struct gate *g, json_t *status);

/*
 * Holds every enabled way free (an operator's release), or ends that
 * hold.  The fire alarm frees the ways whatever this says.
 */
void gate_set_release(struct gate *g, bool on);

/* The gate's state for `qrgatectl status` (a new reference). */
json_t *gate_status_json(const struct gate *g);

const char *camera_state_name(enum camera_state s);
const char *gate_reader_state_name(enum gate_reader_state s);

#endif
