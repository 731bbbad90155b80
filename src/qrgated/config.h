/*
 * The gate's configuration.  One table of settings (config.c), read by the
 * settings engine (settings.h), serves the INI file, `-o section.key=value`,
 * `qrgated -n`, the annotated example config and the MQTT config push
 * (push.c): each setting is one line there
 * with its type, range, default and meaning.  A struct config is plain data
 * with fixed-size strings, so a new config is built aside and swapped in
 * with one assignment: never half-applied.
 */
#ifndef QRGATE_CONFIG_H
#define QRGATE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "eol.h"
#include "gpio.h"
#include "log.h"
#include "mask.h"
#include "reader.h"
#include "screen_msg.h"
#include "settings.h"
#include "sitetime.h"
#include "store.h"
#include "types.h"

enum mqtt_protocol { MQTT_PROTO_311, MQTT_PROTO_5 };

/* Whether a kind of credential is accepted: never, from anyone, or only
 * from credentials whose role is visitor. */
enum policy_accept { ACCEPT_NO, ACCEPT_YES, ACCEPT_VISITORS };

/* Anti-passback: a second entry without an exit in between is refused
 * (hard), granted and flagged with an alarm row (soft), or refused when
 * it comes within policy.antipassback_s of the last entry (timed). */
enum antipassback { APB_OFF, APB_HARD, APB_SOFT, APB_TIMED };

/* Whether the kernel's clock is synchronised: asked of the kernel
 * (adjtimex), or taken as given (tests; gates with a trusted clock). */
enum clock_sync_source { CLOCK_SYNC_KERNEL, CLOCK_SYNC_ASSUME_SYNCED,
	CLOCK_SYNC_ASSUME_UNSYNCED };

/* The MQTT uplink's settings, apart so the client can keep a copy of them. */
struct config_mqtt {
	bool enabled;
	char host[256];
	int port;
	int keepalive_s;
	char client_id[64];	/* "": gate.id */
	char username[64];
	char password[128];
	enum mqtt_protocol protocol;
	bool tls;
	char ca_file[256];
	char cert_file[256];
	char key_file[256];
	int cert_warn_days;	/* "cert-expiring" this many days ahead */
	char topic_prefix[64];	/* topics: <prefix>/<site>/<gate>/... */
	int heartbeat_s;
	int outbox_max;		/* rows; "outbox-full" when reached */
	int inflight_max;	/* outbox rows published, not yet acknowledged */
	bool ha_discovery;
};

/* wiegand.out: what is sent on to a door controller. */
enum { WIEGAND_OUT_OFF, WIEGAND_OUT_GRANT, WIEGAND_OUT_VALID };

struct config {
	struct {
		char id[64];
		char site[64];
		char lane[32];
	} gate;
	struct {
		/* the zone of times people type and read */
		char timezone[SITETIME_ZONE_LEN];
	} site;
	struct {
		char backend[16];	/* file, v4l2, libcamera */
		char source[1024];
		int fps;
		bool loop;
		int width;
		int height;
		enum direction direction;	/* the way codes shown here open */
		int stall_ms;		/* no frame this long: frozen; 0 off */
		int same_frames;	/* this many identical: frozen; 0 off */
		int max_exposure_us;	/* libcamera exposure cap; 0 auto */
	} camera;
	/*
	 * One reader beside the camera (hal/reader.h).  Several would be
	 * [reader2] ... sections of the same keys, each a struct like this
	 * one; one is what a lane has today.
	 */
	struct {
		char backend[16];	/* none, evdev, tty */
		char device[256];
		int baud;		/* tty */
		enum reader_framing framing;	/* tty */
		int timeout_ms;		/* the pause that ends a code */
		enum direction direction;	/* the way its codes open */
	} reader;
	struct {
		char backend[16];	/* zbar, zxing, cascade */
		int max_payload;	/* bytes; longer codes: too-long */
		int holdoff_ms;
	} decoder;
	/* The lane's screen (hal/screen.h, gate_screen.c). */
	struct {
		char backend[16];	/* none, file, drm */
		char directory[256];	/* file: where the PNGs go */
		char device[256];	/* drm: the card */
		int width;		/* pixels */
		int height;
		enum screen_lang language;
		int hold_ms;		/* a decision's screen stays this long */
		int offline_s;		/* uplink down this long: "offline" */
	} screen;
	/* The lane's voice (hal/sound.h, gate_sound.c); its language is
	 * screen.language. */
	struct {
		char backend[16];	/* none, file, alsa */
		char device[256];	/* alsa: the PCM */
		char directory[256];	/* file: where the WAVs go */
		int volume;		/* percent */
		char quiet_hours[16];	/* "HH:MM-HH:MM" site time, or "" */
	} sound;
	struct {
		bool entry;		/* this gate runs the entry way */
		bool exit;		/* ... and/or the exit way */
		int pulse_ms;		/* released at most this long */
		int deny_ms;		/* red lamp after a denial */
		int buzzer_ms;		/* buzzer beep after a denial */
		int held_open_s;	/* passage sensor active longer: alarm */
		char open_schedule[32];	/* a schedule's name: every way held
					 * free during it; "": none */
	} lane;
	struct {
		enum policy_accept badge;	/* plain printed badge ids */
		enum policy_accept cccd;	/* CCCD chip-ID codes */
		enum policy_accept signed_badge;	/* issuer-signed badges */
		enum policy_accept dynamic;	/* worker-signed time steps */
		enum policy_accept card;	/* Wiegand cards */
		int pin_window_s;	/* card + PIN: the PIN within this */
		int token_step_s;	/* dynamic tokens' step length */
		bool unsynced_dynamic;	/* accept dynamic tokens while the
					 * clock is not synchronised */
		enum clock_sync_source clock;
		enum antipassback antipassback;
		int antipassback_s;	/* timed: the shortest re-entry */
		int deny_window_s;	/* repeated denials are counted over */
		int deny_code_max;	/* this many of one code: alarm, slowed */
		int deny_lane_max;	/* this many on the lane: alarm */
		int deny_slow_s;	/* a slowed code is ignored this long */
		int visitor_max_s;	/* the longest visitor pass honoured */
		char visitor_schedule[32];	/* a schedule's name: visitors'
						 * passes admitted in it; "": any time */
	} policy;
	struct {
		char issuer_key[64];	/* base64 Ed25519 public key of the
					 * badge issuer; "": none */
		char admin_key[64];	/* ... of the site admin, who signs
					 * pushes and commands; "": none */
		char credentials_key[64];	/* ... that signs credential
						 * lists only; "": none */
		bool unsigned_pushes;	/* lab only: accept unsigned pushes */
		char cccd_key_file[256];	/* the site's CCCD check key;
						 * "": none */
		char visitor_key[64];	/* base64 Ed25519 public key of the
					 * visitor desk; "": no passes */
	} security;
	struct {
		char backend[16];	/* gpiod, sim */
		struct gpio_config hw;	/* chip, sim files, each role's line */
	} gpio;
	struct {
		char formats[96];	/* wiegand_format_list_parse() */
		int raw_min_bits;	/* other lengths kept as raw cards */
		int raw_max_bits;
		int gap_ms;		/* silence that ends a frame */
		enum direction direction;	/* the way its cards open */
		int out;		/* WIEGAND_OUT_OFF, _GRANT, _VALID */
		char out_format[16];	/* "card", or a format's name */
		int out_facility;	/* for a format that has one, when the
					 * card sent has none */
		int out_pulse_us;
		int out_interval_us;
	} wiegand;
	/* End-of-line supervised loops read through an ADC (eol.h,
	 * gate_eol.c). */
	struct {
		char fire_loop[256];	/* its IIO raw file; "": none */
		char tamper_loop[256];
		struct eol_levels levels;
		int period_ms;		/* between two readings */
		int samples;		/* readings in a row that make a state */
	} supervision;
	struct {
		char path[256];
		enum store_sync synchronous;
		int retention_days;
		enum mask_mode mask;
		bool name_initials;	/* names in logs and MQTT as initials */
		bool trace_full;	/* also keep the full subject, for a
					 * tracing role (qrgatectl events
					 * --trace); off by default */
	} store;
	struct {
		char socket[256];
		char group[64];		/* may use the socket besides root */
	} control;
	struct {
		enum log_level level;
	} log;
	struct config_mqtt mqtt;
};

/*
 * Every problem found in one load, each "FILE:LINE: message": the engine's
 * list, under the name the gate's callers use.  count may exceed
 * CONFIG_MAX_ERRORS.
 */
#define CONFIG_MAX_ERRORS SETTINGS_MAX_ERRORS
#define config_errors settings_errors

/* Fills c with every setting's default. */
void config_defaults(struct config *c);

/*
 * Loads path (NULL: defaults only) over the defaults, then each override
 * "section.key=value" in order.  Unknown sections or keys, bad values and
 * out-of-range numbers are all errors, all reported.  Returns 0 with *c
 * replaced, or -1 with *c untouched and errs filled.
 */
int config_load(struct config *c, const char *path,
    const char *const *overrides, int n_overrides, struct config_errors *errs);

/*
 * The checks between settings that config_load() makes, for a config
 * built otherwise (the MQTT config push) whose every value config_set()
 * took.  Each problem goes to errs as "where: message".  Returns their
 * number (0: fine).
 */
int config_check(const struct config *c, const char *where,
    struct config_errors *errs);

/*
 * Sets one setting from its text form.  Returns 0, or -1 with a message in
 * err (without file or line: the caller knows where the text came from).
 */
int config_set(struct config *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen);

/* Writes an annotated INI file of every setting at its default. */
void config_write_example(FILE *f);

/*
 * qrgated -n: the files, directories and device nodes c names are there
 * (config_probe.c).  0, or -1 with each one missing said on out.
 */
int config_probe(const struct config *c, FILE *out);

#endif
