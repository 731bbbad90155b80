/*
 * The gate's table of settings, and what only the gate checks: the checks
 * between settings that a file, -o and the MQTT config push all pass.
 * The settings engine (settings.c) reads the table for the defaults, one
 * value from text, the INI loader with -o overrides and the annotated
 * example config.  Adding a setting is one line in config_settings[] (and
 * its field in struct config); the file, -o, the example and the checks all
 * follow from that line.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "config.h"
#include "confpush.h"
#include "gpio_linespec.h"
#include "settings.h"
#include "sound_quiet.h"
#include "wiegand.h"

/* Enums are stored through an int, so they must be the size of one. */
_Static_assert(sizeof(enum direction) == sizeof(int), "enum direction");
_Static_assert(sizeof(enum store_sync) == sizeof(int), "enum store_sync");
_Static_assert(sizeof(enum mask_mode) == sizeof(int), "enum mask_mode");
_Static_assert(sizeof(enum log_level) == sizeof(int), "enum log_level");
_Static_assert(sizeof(enum mqtt_protocol) == sizeof(int), "enum mqtt_protocol");
_Static_assert(sizeof(enum policy_accept) == sizeof(int), "enum policy_accept");
_Static_assert(sizeof(enum antipassback) == sizeof(int), "enum antipassback");
_Static_assert(sizeof(enum clock_sync_source) == sizeof(int), "enum clock_sync_source");
_Static_assert(sizeof(enum reader_framing) == sizeof(int), "enum reader_framing");
_Static_assert(sizeof(enum screen_lang) == sizeof(int), "enum screen_lang");

static const struct setting_choice choices_camera_backend[] = {
	{ "file", 0 }, { "v4l2", 0 }, { "libcamera", 0 }, { NULL, 0 }
};
static const struct setting_choice choices_direction[] = {
	{ "entry", DIR_ENTRY }, { "exit", DIR_EXIT }, { NULL, 0 }
};
static const struct setting_choice choices_wiegand_out[] = {
	{ "off", WIEGAND_OUT_OFF }, { "grant", WIEGAND_OUT_GRANT },
	{ "valid", WIEGAND_OUT_VALID }, { NULL, 0 }
};
static const struct setting_choice choices_decoder_backend[] = {
	{ "zbar", 0 }, { "zxing", 0 }, { "cascade", 0 }, { NULL, 0 }
};
static const struct setting_choice choices_reader_backend[] = {
	{ "none", 0 }, { "evdev", 0 }, { "tty", 0 }, { NULL, 0 }
};
static const struct setting_choice choices_screen_backend[] = {
	{ "none", 0 }, { "file", 0 }, { "drm", 0 }, { NULL, 0 }
};
static const struct setting_choice choices_sound_backend[] = {
	{ "none", 0 }, { "file", 0 }, { "alsa", 0 }, { NULL, 0 }
};
static const struct setting_choice choices_screen_language[] = {
	{ "vi", SCREEN_LANG_VI }, { "en", SCREEN_LANG_EN }, { NULL, 0 }
};
static const struct setting_choice choices_framing[] = {
	{ "line", READER_FRAME_LINE }, { "idle", READER_FRAME_IDLE },
	{ NULL, 0 }
};
static const struct setting_choice choices_gpio_backend[] = {
	{ "gpiod", 0 }, { "sim", 0 }, { NULL, 0 }
};
static const struct setting_choice choices_sync[] = {
	{ "full", STORE_SYNC_FULL }, { "normal", STORE_SYNC_NORMAL },
	{ NULL, 0 }
};
static const struct setting_choice choices_mask[] = {
	{ "last4", MASK_LAST4 }, { "none", MASK_NONE }, { NULL, 0 }
};
/* true and false still read as before the visitors choice existed. */
static const struct setting_choice choices_accept[] = {
	{ "no", ACCEPT_NO }, { "yes", ACCEPT_YES },
	{ "visitors", ACCEPT_VISITORS }, { "false", ACCEPT_NO },
	{ "true", ACCEPT_YES }, { "off", ACCEPT_NO }, { "on", ACCEPT_YES },
	{ "0", ACCEPT_NO }, { "1", ACCEPT_YES }, { NULL, 0 }
};
static const struct setting_choice choices_apb[] = {
	{ "off", APB_OFF }, { "hard", APB_HARD }, { "soft", APB_SOFT },
	{ "timed", APB_TIMED }, { NULL, 0 }
};
static const struct setting_choice choices_clock[] = {
	{ "kernel", CLOCK_SYNC_KERNEL }, { "synced", CLOCK_SYNC_ASSUME_SYNCED },
	{ "unsynced", CLOCK_SYNC_ASSUME_UNSYNCED }, { NULL, 0 }
};
static const struct setting_choice choices_log_level[] = {
	{ "error", LOG_LVL_ERR }, { "warn", LOG_LVL_WARN },
	{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG }, { NULL, 0 }
};
static const struct setting_choice choices_mqtt_protocol[] = {
	{ "3.1.1", MQTT_PROTO_311 }, { "5", MQTT_PROTO_5 }, { NULL, 0 }
};

/* A GPIO line spec: gpio_linespec.h reads it, for an input or an output
 * as its role says. */
static int
setting_line_set(const struct setting *s, void *base, const char *v,
    char *msg, size_t len)
{
	void *line = (char *)base + s->offset;

	return gpio_linespec_parse(v, !gpio_role_is_output(s->arg), line,
	    msg, len);
}

/* The type lines of a GPIO line spec in the example. */
static void
setting_line_describe(const struct setting *s, FILE *f)
{
	if (gpio_role_is_output(s->arg))
		fprintf(f, "# output line: [CHIP:]LINE [active-low], "
		    "or empty\n");
	else
		fprintf(f, "# input line: [CHIP:]LINE [active-low] "
		    "[pull-up|pull-down|bias-disable]\n"
		    "#   [debounce=US], or empty\n");
}

static const struct setting_ops setting_line_ops = {
	.set = setting_line_set,
	.describe = setting_line_describe,
};

/*
 * camera.source: a list with an empty name (a trailing comma, ",,") would
 * pass the check and stop the file camera at start; refused here, with
 * its line.  A device's path has no comma, so this holds for every backend.
 */
static int
setting_source_check(const char *v, char *msg, size_t len)
{
	size_t n = strlen(v);

	if (strchr(v, ',') == NULL)
		return 0;
	if (v[0] == ',' || v[n - 1] == ',' || strstr(v, ",,") != NULL) {
		snprintf(msg, len, "an empty name in the list (a comma "
		    "at its start or end, or two together)");
		return -1;
	}
	return 0;
}

/* sound.quiet_hours: "HH:MM-HH:MM" or empty. */
static int
setting_quiet_check(const char *v, char *msg, size_t len)
{
	struct sound_quiet q;

	return sound_quiet_parse(v, &q, msg, len);
}

/* wiegand.formats: names the codec knows, each once. */
static int
setting_formats_check(const char *v, char *msg, size_t len)
{
	struct wiegand_decode_conf c;

	wiegand_decode_conf_default(&c);
	if (wiegand_format_list_parse(v, &c) == 0)
		return 0;
	snprintf(msg, len, "\"%s\" is not a list of card formats: names "
	    "from h10301, h10306, c1k35, h10304, h10302, separated by "
	    "commas, each once", v);
	return -1;
}

/* wiegand.out_format: "card" or a format's name, raw not among them. */
static int
setting_out_format_check(const char *v, char *msg, size_t len)
{
	int f = wiegand_format_by_name(v);

	if (strcmp(v, "card") == 0 || (f >= 0 && f != WIEGAND_RAW))
		return 0;
	snprintf(msg, len, "\"%s\" is not card, h10301, h10306, c1k35, "
	    "h10304 or h10302", v);
	return -1;
}

/* supervision.levels: three thresholds that only mean something
 * together, so one setting, whose order is checked on its own line and
 * which a push changes in one step. */
static int
setting_levels_set(const struct setting *s, void *base, const char *v,
    char *msg, size_t len)
{
	return eol_levels_parse(v, (struct eol_levels *)((char *)base +
	    s->offset), msg, len);
}

static void
setting_levels_describe(const struct setting *s, FILE *f)
{
	(void)s;
	fprintf(f, "# three raw ADC values, increasing: SHORT NORMAL ACTIVE\n");
}

static const struct setting_ops setting_levels_ops = {
	.set = setting_levels_set,
	.describe = setting_levels_describe,
};

#define FIELD_SIZE(f)	sizeof(((struct config *)0)->f)

#define S_STRING(sec, k, f, ne, d, m) { .section = sec, .key = k, \
	.type = SETTING_STRING, .offset = offsetof(struct config, f), \
	.size = FIELD_SIZE(f), .nonempty = ne, .def = d, .meaning = m }
#define S_INT(sec, k, f, lo, hi, d, m) { .section = sec, .key = k, \
	.type = SETTING_INT, .offset = offsetof(struct config, f), \
	.min = lo, .max = hi, .def = d, .meaning = m }
#define S_BOOL(sec, k, f, d, m) { .section = sec, .key = k, \
	.type = SETTING_BOOL, .offset = offsetof(struct config, f), \
	.def = d, .meaning = m }
#define S_ENUM(sec, k, f, ch, d, m) { .section = sec, .key = k, \
	.type = SETTING_ENUM, .offset = offsetof(struct config, f), \
	.choices = ch, .def = d, .meaning = m }
#define S_ENUM_TEXT(sec, k, f, ch, d, m) { .section = sec, .key = k, \
	.type = SETTING_ENUM, .offset = offsetof(struct config, f), \
	.size = FIELD_SIZE(f), .choices = ch, .def = d, .meaning = m }
#define S_ZONE(sec, k, f, d, m) { .section = sec, .key = k, \
	.type = SETTING_CUSTOM, .offset = offsetof(struct config, f), \
	.size = FIELD_SIZE(f), .ops = &sitetime_setting_ops, .def = d, \
	.meaning = m }
#define S_LINE(k, r, d, m) { .section = "gpio", .key = k, \
	.type = SETTING_CUSTOM, .offset = offsetof(struct config, gpio.hw.lines[r]), \
	.ops = &setting_line_ops, .arg = r, .def = d, .meaning = m }

static const struct setting_section config_sections[] = {
	{ "gate", "Who this gate is." },
	{ "site", "What every gate of the site shares." },
	{ "camera", "Where the frames come from." },
	{ "reader", "A code reader beside the camera: a USB scanner that types "
	    "as a keyboard (evdev) or a serial one (tty).  Its codes are "
	    "decided exactly as the camera's: the same hold-off, limits, "
	    "rules and log, the row's source saying scanner." },
	{ "decoder", "Reading QR codes from the frames." },
	{ "screen", "The lane's screen: what the worker reads after each "
	    "decision (the reason of a denial in plain words, the holder's "
	    "initials on a grant) and while the lane waits, is locked, has "
	    "lost its camera or is in a fire alarm.  Drawn after the relay "
	    "has moved, on a thread of its own: a screen never delays a "
	    "passage." },
	{ "sound", "The lane's voice: a short prompt after each decision "
	    "(\"Mời vào\", \"Thẻ hết hạn\") and when the lane enters a "
	    "fire alarm, a lockdown or loses its camera, in screen.language.  "
	    "Spoken by espeak-ng once into clips at start, played after the "
	    "relay has moved, on a thread of its own; a newer prompt cuts "
	    "the one playing.  The buzzer stays either way." },
	{ "lane", "The ways this lane runs, and how long each output acts." },
	{ "policy", "What this lane accepts: the kinds of credential (each "
	    "no, yes, or visitors: only from credentials whose role is "
	    "visitor), anti-passback, and how repeated denials are slowed "
	    "down." },
	{ "security", "The keys this gate trusts.  Public keys are 44 "
	    "characters of base64, as `qrgatectl keygen` writes them." },
	{ "gpio", "The lane's relays, lamps and inputs.  Each role is one line "
	    "spec: [CHIP:]LINE [FLAG...], where LINE is a line offset or a "
	    "line name and CHIP a chip name or path (default: gpio.chip).  "
	    "Flags: active-low; for inputs also pull-up, pull-down or "
	    "bias-disable, and debounce=MICROSECONDS.  An empty value means "
	    "the role is not wired on this gate." },
	{ "wiegand", "Card readers on gpio.wiegand_d0 and gpio.wiegand_d1: "
	    "the card formats read, most preferred first where two share a "
	    "length, and how a frame ends." },
	{ "supervision", "End-of-line supervised loops, where an ADC reads "
	    "them (an MCP3008 HAT with the kernel's mcp320x driver, or any "
	    "other IIO ADC): a resistor at the loop's far end lets the "
	    "voltage tell a short circuit, the contact at rest, the contact "
	    "changed and a cut wire apart.  Each loop is sampled every "
	    "period_ms.  A loop replaces its gpio line: supervision.fire_loop "
	    "for gpio.fire_alarm, supervision.tamper_loop for gpio.tamper." },
	{ "store", "The database of credentials and the entry/exit log." },
	{ "control", "The local control socket that qrgatectl uses." },
	{ "log", "Logging." },
	{ "mqtt", "The MQTT uplink: decisions, status and alarms out to the "
	    "site's broker; config pushes, credential lists and commands in.  "
	    "Topics are <topic_prefix>/<gate.site>/<gate.id>/...  Events wait "
	    "in an outbox in the database until the broker acknowledges them, "
	    "so an outage loses none." },
};

static const struct setting config_settings[] = {
	S_STRING("gate", "id", gate.id, true, "gate1",
	    "This gate's id in logs and MQTT topics."),
	S_STRING("gate", "site", gate.site, true, "site1",
	    "The site this gate belongs to, in logs and MQTT topics."),
	S_STRING("gate", "lane", gate.lane, true, "1",
	    "This gate's lane name, matched against the lanes list of each "
	    "credential."),

	S_ZONE("site", "timezone", site.timezone, SITETIME_DEFAULT_ZONE,
	    "The time zone of the times people type and read: qrgatectl "
	    "reads a time without Z or an offset (cred --from/--until, the "
	    "CSV import, events --since, floor --set, badge and token times) "
	    "in it, and shows times in its tables with their offset.  What is "
	    "stored, signed and sent stays UTC."),

	S_ENUM_TEXT("camera", "backend", camera.backend, choices_camera_backend,
	    "v4l2",
	    "Where frames come from: file (still images), v4l2 (a video "
	    "device) or libcamera (accepted here; the daemon says whether it "
	    "was built in)."),
	{ .section = "camera", .key = "source", .type = SETTING_STRING,
	  .offset = offsetof(struct config, camera.source),
	  .size = FIELD_SIZE(camera.source), .nonempty = true,
	  .check = setting_source_check, .def = "/dev/video0",
	  .meaning = "For v4l2, the device; for file, a directory, one image "
	  "file or a comma-separated list of image files." },
	S_INT("camera", "fps", camera.fps, 1, 1000, "15",
	    "Frames captured (or replayed) per second: at most 120 from a "
	    "camera; the file backend replays up to 1000, for benches."),
	S_BOOL("camera", "loop", camera.loop, "false",
	    "file backend: replay the images forever instead of stopping "
	    "after the last one."),
	S_INT("camera", "width", camera.width, 0, 4096, "640",
	    "Capture width in pixels (0: the driver's choice)."),
	S_INT("camera", "height", camera.height, 0, 4096, "480",
	    "Capture height in pixels (0: the driver's choice)."),
	S_ENUM("camera", "direction", camera.direction, choices_direction,
	    "entry",
	    "The way that codes shown to this camera open."),
	S_INT("camera", "stall_ms", camera.stall_ms, 0, 600000, "3000",
	    "A camera that delivers no frame for this long is frozen: the "
	    "lanes stay locked and it is closed and opened again (0: never; "
	    "otherwise at least 1000 and three frame periods)."),
	S_INT("camera", "same_frames", camera.same_frames, 0, 100000, "30",
	    "A live camera (v4l2, libcamera) that delivers this many identical "
	    "frames in a row is frozen: the lanes stay locked until the "
	    "picture changes (0: never)."),
	S_INT("camera", "max_exposure_us", camera.max_exposure_us, 0, 1000000, "0",
	    "libcamera: the longest exposure in microseconds, against motion "
	    "blur of a worker walking up (0: leave auto exposure alone)."),

	S_ENUM_TEXT("reader", "backend", reader.backend, choices_reader_backend,
	    "none",
	    "none; evdev, a keyboard-wedge USB scanner, grabbed so that what "
	    "it types reaches nothing else; or tty, a serial scanner (RS-232, "
	    "USB-CDC).  A reader that cannot be opened, or is unplugged, is "
	    "tried again every two seconds; the camera goes on meanwhile."),
	S_STRING("reader", "device", reader.device, false, "",
	    "The reader's device: for evdev /dev/input/by-id/...-event-kbd "
	    "(or /dev/input/eventN), for tty /dev/ttyUSB0, /dev/ttyACM0 or "
	    "/dev/serial/by-id/...; needed unless reader.backend is none."),
	S_INT("reader", "baud", reader.baud, 1200, 921600, "9600",
	    "tty: the line's speed, a standard rate (8 data bits, no parity, "
	    "one stop bit, no flow control)."),
	S_ENUM("reader", "framing", reader.framing, choices_framing, "line",
	    "tty: line ends a code at a CR or LF (the scanners' usual "
	    "suffix); idle ends it after reader.timeout_ms of silence, every "
	    "byte being part of the code.  A line without its end is ended "
	    "by the same silence."),
	S_INT("reader", "timeout_ms", reader.timeout_ms, 10, 5000, "100",
	    "Milliseconds of silence that end a code: between two keys of a "
	    "USB scanner (which types a code in a few milliseconds a key and "
	    "ends it with Enter), or between bytes of a serial one."),
	S_ENUM("reader", "direction", reader.direction, choices_direction,
	    "entry",
	    "The way that codes read by this reader open."),

	S_ENUM_TEXT("decoder", "backend", decoder.backend,
	    choices_decoder_backend, "zbar",
	    "The QR code decoder."),
	S_INT("decoder", "max_payload", decoder.max_payload, 16, 2953, "1024",
	    "The longest code accepted, in bytes; a longer one is denied as "
	    "too long."),
	S_INT("decoder", "holdoff_ms", decoder.holdoff_ms, 0, 600000, "3000",
	    "Milliseconds during which the same code, seen again, is ignored, "
	    "so that one showing is decided once."),

	S_ENUM_TEXT("screen", "backend", screen.backend, choices_screen_backend,
	    "none",
	    "none: no screen; file: each screen written as a PNG into "
	    "screen.directory (tests, the demo); drm: a panel or monitor "
	    "through KMS (screen.device; builds with libdrm).  A build "
	    "without cairo and pango has only none."),
	S_STRING("screen", "directory", screen.directory, false, "",
	    "file: the directory the PNGs go to, named NNNNNN-what.png in "
	    "the order shown; needed when screen.backend is file."),
	S_STRING("screen", "device", screen.device, true, "/dev/dri/card0",
	    "drm: the KMS card; its first connected display is used, at its "
	    "preferred mode (screen.width and screen.height should be that "
	    "mode's: a picture of another size is centred)."),
	S_INT("screen", "width", screen.width, 160, 4096, "800",
	    "The screen's width in pixels."),
	S_INT("screen", "height", screen.height, 120, 4096, "480",
	    "The screen's height in pixels."),
	S_ENUM("screen", "language", screen.language, choices_screen_language,
	    "vi",
	    "The language of every word on the screen, and of the voice's "
	    "prompts (sound.backend): vi (Vietnamese) or en (English)."),
	S_INT("screen", "hold_ms", screen.hold_ms, 500, 60000, "3000",
	    "How long a grant's or a denial's screen stays before the lane's "
	    "own (idle, locked ...) comes back, unless another decision or "
	    "the fire alarm replaces it first."),
	S_INT("screen", "offline_s", screen.offline_s, 0, 86400, "60",
	    "Seconds the MQTT uplink may be without its broker before the "
	    "idle screen says the gate is offline (it still decides on its "
	    "own list): a broker's restart shows nothing."),

	S_ENUM_TEXT("sound", "backend", sound.backend, choices_sound_backend,
	    "none",
	    "none: no voice (the buzzer alone); file: each prompt played "
	    "written as a WAV into sound.directory (tests, the demo); alsa: "
	    "played on the ALSA PCM sound.device.  A build without "
	    "espeak-ng and alsa has only none."),
	S_STRING("sound", "device", sound.device, true, "default",
	    "alsa: the PCM the prompts are played on: default, a card "
	    "(plughw:1,0), the loopback (plughw:Loopback,0)."),
	S_STRING("sound", "directory", sound.directory, false, "",
	    "file: the directory the WAVs go to, named NNNNNN-prompt.wav in "
	    "the order played; needed when sound.backend is file."),
	S_INT("sound", "volume", sound.volume, 0, 100, "80",
	    "Percent of the synthesised voice's loudness: each sample is "
	    "scaled by it (the card's own mixer is left as it is)."),
	{ .section = "sound", .key = "quiet_hours", .type = SETTING_STRING,
	  .offset = offsetof(struct config, sound.quiet_hours),
	  .size = FIELD_SIZE(sound.quiet_hours),
	  .check = setting_quiet_check, .def = "",
	  .meaning = "HH:MM-HH:MM in the site's time (site.timezone): no "
	  "prompt is spoken from the first minute up to the second, which "
	  "may be past midnight (22:00-06:00); the buzzer and the lamps "
	  "stay.  Empty: never quiet." },

	S_BOOL("lane", "entry", lane.entry, "true",
	    "This gate runs the entry way."),
	S_BOOL("lane", "exit", lane.exit, "false",
	    "This gate runs the exit way."),
	S_INT("lane", "pulse_ms", lane.pulse_ms, 100, 60000, "5000",
	    "Milliseconds a way stays released at most: it closes as soon as "
	    "the passage sensor reports the passage, or after this long."),
	S_INT("lane", "deny_ms", lane.deny_ms, 0, 10000, "1500",
	    "Milliseconds the red lamp stays lit after a denial."),
	S_INT("lane", "buzzer_ms", lane.buzzer_ms, 0, 5000, "200",
	    "Milliseconds the buzzer sounds after a denial (0: silent)."),
	S_INT("lane", "held_open_s", lane.held_open_s, 1, 3600, "30",
	    "Seconds the passage sensor may stay active before the lane "
	    "raises a held-open alarm."),
	S_STRING("lane", "open_schedule", lane.open_schedule, false, "",
	    "The name of a schedule (qrgatectl schedule) during which every "
	    "way is held free, as for a shift change: logged where it starts "
	    "and ends (open-schedule-on, open-schedule-off).  Never on a "
	    "clock that is not trusted, nor in a lockdown.  Empty: none."),

	S_ENUM("policy", "badge", policy.badge, choices_accept, "no",
	    "Plain printed badge ids.  Anyone can copy one, so they are off "
	    "by default."),
	S_ENUM("policy", "cccd", policy.cccd, choices_accept, "visitors",
	    "The QR codes of Vietnamese chip ID cards (CCCD).  The number is "
	    "printed on the card and photocopied everywhere, so by default "
	    "they are taken only from visitors; staff carry signed or "
	    "dynamic tokens."),
	S_ENUM("policy", "signed", policy.signed_badge, choices_accept, "yes",
	    "Badge tokens signed by the issuer key (security.issuer_key); "
	    "a lost badge is revoked by issuing a new serial."),
	S_ENUM("policy", "dynamic", policy.dynamic, choices_accept, "yes",
	    "Dynamic tokens from a worker's phone, signed by the worker's own "
	    "key, valid for one time step and only once."),
	S_ENUM("policy", "card", policy.card, choices_accept, "yes",
	    "Cards read by a Wiegand reader.  A card's number is as easy to "
	    "copy as a printed badge's, but a card reaches the gate only "
	    "through a reader the site wired for its cards, so they are on "
	    "by default; a credential with a PIN needs the PIN too."),
	S_INT("policy", "pin_window_s", policy.pin_window_s, 1, 120, "10",
	    "Seconds after a card within which its PIN must be typed, when "
	    "the credential has one; later, the card is denied."),
	S_INT("policy", "token_step_s", policy.token_step_s, 5, 300, "30",
	    "Seconds in one time step of dynamic tokens.  The current step "
	    "and one step either side (clock skew) are accepted."),
	S_ENUM("policy", "clock", policy.clock, choices_clock, "kernel",
	    "Whether the clock is synchronised: kernel asks the kernel (NTP "
	    "sets it); synced or unsynced take it as given.  Only a "
	    "synchronised clock raises the gate's time floor, passes "
	    "dynamic tokens and lets retention run."),
	S_BOOL("policy", "unsynced_dynamic", policy.unsynced_dynamic, "false",
	    "Accept dynamic tokens while the clock is not synchronised.  "
	    "Otherwise they are denied clock-unsynced and the alarm is "
	    "raised."),
	S_ENUM("policy", "antipassback", policy.antipassback, choices_apb,
	    "off",
	    "Per credential: hard refuses a second entry without an exit; "
	    "soft grants it with an anti-passback alarm; timed refuses "
	    "re-entry within policy.antipassback_s.  Exits are never "
	    "refused: nobody is trapped inside."),
	S_INT("policy", "antipassback_s", policy.antipassback_s, 1, 86400,
	    "300",
	    "timed: seconds after an entry before the same credential may "
	    "enter again."),
	S_INT("policy", "deny_window_s", policy.deny_window_s, 1, 3600, "60",
	    "Seconds over which repeated denials are counted."),
	S_INT("policy", "deny_code_max", policy.deny_code_max, 0, 1000, "5",
	    "Denials of one code within the window that raise the "
	    "repeated-denials alarm and slow that code down (0: off)."),
	S_INT("policy", "deny_lane_max", policy.deny_lane_max, 0, 10000,
	    "20",
	    "Denials on the lane within the window that raise the "
	    "repeated-denials alarm (0: off)."),
	S_INT("policy", "deny_slow_s", policy.deny_slow_s, 0, 3600, "30",
	    "Seconds a slowed code is ignored (denied slowed, without a "
	    "lookup)."),
	S_INT("policy", "visitor_max_s", policy.visitor_max_s, 60, 2678400,
	    "86400",
	    "The longest visitor pass honoured, from its not-before to its "
	    "expiry, in seconds: a longer one is denied expired, so that a "
	    "pass made by mistake (or with a stolen desk key) for months "
	    "opens nothing."),
	S_STRING("policy", "visitor_schedule", policy.visitor_schedule, false,
	    "", "The name of a schedule (qrgatectl schedule) outside which a "
	    "visitor's pass is refused outside-schedule on entry, as a "
	    "contractor's badge with that schedule would be (valid 08:00-17:00 "
	    "on working days, say); a visitor row's own schedule or group "
	    "wins.  Empty: a pass is valid all through its validity."),

	S_STRING("security", "issuer_key", security.issuer_key, false, "",
	    "The site's badge issuer public key.  Empty: signed badges are "
	    "denied bad-signature."),
	S_STRING("security", "admin_key", security.admin_key, false, "",
	    "The site admin's public key: config pushes, credential lists "
	    "and commands over MQTT must be signed by it.  Empty: they are "
	    "all refused."),
	S_STRING("security", "credentials_key", security.credentials_key,
	    false, "",
	    "A public key whose signature the gate takes on credential lists "
	    "only (the aggregator's, so that it can push the people list "
	    "without the admin key), never on config pushes or commands.  "
	    "The admin key still signs lists too.  Empty: none."),
	S_STRING("security", "cccd_key_file", security.cccd_key_file, false,
	    "",
	    "The file of the site's CCCD check key (qrgatectl keygen "
	    "--secret), readable by its owner only.  A CCCD credential "
	    "enrolled from its card matches only that card's name, birth and "
	    "issue dates, checked with this key.  Empty or unreadable: such "
	    "credentials are denied unknown."),
	S_STRING("security", "visitor_key", security.visitor_key, false, "",
	    "The visitor desk's public key: visitor passes signed by it are "
	    "granted without a credential row, on a trusted clock, within "
	    "their times and lanes.  Empty: visitor passes are denied "
	    "kind-disabled."),
	S_BOOL("security", "unsigned_pushes", security.unsigned_pushes,
	    "false",
	    "Accept unsigned pushes and commands.  For a lab bench only: "
	    "anyone who can write to the broker then controls the gate."),

	S_ENUM_TEXT("gpio", "backend", gpio.backend, choices_gpio_backend,
	    "gpiod",
	    "How the lines are driven: gpiod (the kernel's GPIO character "
	    "device) or sim (a simulation through files, for tests and the "
	    "demo)."),
	S_STRING("gpio", "chip", gpio.hw.chip, true, "gpiochip0",
	    "gpiod: the chip of every line that names none of its own, as a "
	    "name (gpiochip0) or a path."),
	S_STRING("gpio", "sim_log", gpio.hw.sim_log, false, "",
	    "sim: the file that every output change is appended to; needed "
	    "when gpio.backend is sim."),
	S_STRING("gpio", "sim_input", gpio.hw.sim_input, false, "",
	    "sim: the FIFO read for input changes (empty: no inputs)."),
	S_LINE("entry_relay", GPIO_ENTRY_RELAY, "17",
	    "Output: the relay that releases the entry way while energised."),
	S_LINE("exit_relay", GPIO_EXIT_RELAY, "27",
	    "Output: the relay that releases the exit way while energised."),
	S_LINE("green_led", GPIO_GREEN_LED, "22",
	    "Output: the green lamp, lit while a way is released."),
	S_LINE("red_led", GPIO_RED_LED, "23",
	    "Output: the red lamp, lit after a denial."),
	S_LINE("buzzer", GPIO_BUZZER, "24",
	    "Output: the buzzer, sounded after a denial."),
	S_LINE("passage_sensor", GPIO_PASSAGE_SENSOR, "5 active-low pull-up",
	    "Input: the passage sensor, active while someone is in the lane."),
	S_LINE("fire_alarm", GPIO_FIRE_ALARM, "6 pull-up",
	    "Input: the fire alarm.  A normally-closed alarm contact holds the "
	    "line low; an alarm or a cut wire lets it rise, so the lane is "
	    "released (fail-safe for people)."),
	S_LINE("exit_button", GPIO_EXIT_BUTTON,
	    "13 active-low pull-up debounce=20000",
	    "Input: the exit button, which releases the exit way while "
	    "pressed."),
	S_LINE("tamper", GPIO_TAMPER, "",
	    "Input: the cabinet's tamper switch, e.g. \"16 pull-up "
	    "debounce=20000\" for a normally-closed switch that holds the "
	    "line low while the door is shut: opening the cabinet, or "
	    "cutting its wire, lets the line rise.  An alarm while active "
	    "(tamper-on, tamper-off); the lane is not affected.  Empty: "
	    "no switch wired."),
	S_LINE("wiegand_d0", GPIO_WIEGAND_D0, "",
	    "Input: a Wiegand card reader's D0 wire, e.g. \"17 active-low "
	    "bias-disable\" (the reader holds it high and pulls it low for "
	    "each 0; no debounce: pulses last 50 to 100 microseconds).  On "
	    "the same chip as wiegand_d1, so that the kernel orders their "
	    "pulses.  Empty: no reader."),
	S_LINE("wiegand_d1", GPIO_WIEGAND_D1, "",
	    "Input: the reader's D1 wire, pulled low for each 1."),
	S_LINE("wiegand_out_d0", GPIO_WIEGAND_OUT_D0, "",
	    "Output: D0 to an existing door controller's reader input.  "
	    "Empty: none."),
	S_LINE("wiegand_out_d1", GPIO_WIEGAND_OUT_D1, "",
	    "Output: D1 to that controller."),

	{ .section = "wiegand", .key = "formats", .type = SETTING_STRING,
	  .offset = offsetof(struct config, wiegand.formats),
	  .size = FIELD_SIZE(wiegand.formats), .check = setting_formats_check,
	  .def = "h10301,h10306,c1k35,h10304",
	  .meaning = "The card formats read, by name, most preferred first: "
	  "h10301 (26 bits), h10306 (34), c1k35 (35, Corporate 1000), "
	  "h10304 (37, 16-bit facility), h10302 (37, card number only).  "
	  "Of two formats of one length only the first listed is tried; a "
	  "frame that fails its parity is noise, never read another way." },
	S_INT("wiegand", "raw_min_bits", wiegand.raw_min_bits, 1, 128, "32",
	    "Frames of a length no listed format has, from this many bits "
	    "to wiegand.raw_max_bits, are kept whole as raw cards: readers "
	    "that send a card's UID send 32 to 64 bits."),
	S_INT("wiegand", "raw_max_bits", wiegand.raw_max_bits, 0, 128, "64",
	    "The longest raw card; below wiegand.raw_min_bits, no raw cards."),
	S_ENUM("wiegand", "direction", wiegand.direction, choices_direction,
	    "entry", "The way that cards read by the Wiegand reader open."),
	S_ENUM("wiegand", "out", wiegand.out, choices_wiegand_out, "off",
	    "What is sent on gpio.wiegand_out_d0/d1 to an existing door "
	    "controller, as a reader would: off; grant, after each grant "
	    "(its row written, the relay moved), the credential's send_as, "
	    "or a card credential's own card; valid, the same for every "
	    "presentation of a known credential, granted or not, for a "
	    "controller that decides itself (pass-through)."),
	{ .section = "wiegand", .key = "out_format", .type = SETTING_STRING,
	  .offset = offsetof(struct config, wiegand.out_format),
	  .size = FIELD_SIZE(wiegand.out_format), .nonempty = true,
	  .check = setting_out_format_check, .def = "card",
	  .meaning = "The format cards are sent in: card, each as its text "
	  "says; or h10301, h10306, c1k35, h10304, h10302, the card's number "
	  "(and facility, else wiegand.out_facility) in that format, as the "
	  "controller expects.  A number that does not fit is not sent "
	  "(logged)." },
	S_INT("wiegand", "out_facility", wiegand.out_facility, 0, 65535, "0",
	    "The facility code sent with a card that has none."),
	S_INT("wiegand", "out_pulse_us", wiegand.out_pulse_us, 20, 1000, "80",
	    "Microseconds each output pulse is held low (readers send 50 to "
	    "100)."),
	S_INT("wiegand", "out_interval_us", wiegand.out_interval_us, 200,
	    20000, "2000",
	    "Microseconds from one pulse's start to the next's (readers send "
	    "1000 to 2000; the interface allows 200 to 20000)."),
	S_INT("wiegand", "gap_ms", wiegand.gap_ms, 2, 1000, "25",
	    "Milliseconds of silence that end a frame: past the 20 ms the "
	    "Wiegand interface allows between pulses, shorter than the pause "
	    "between two keys of a keypad."),

	S_STRING("supervision", "fire_loop", supervision.fire_loop, false, "",
	    "The fire alarm's supervised loop: its ADC channel's raw file, "
	    "e.g. /sys/bus/iio/devices/iio:device0/in_voltage0_raw.  Active: "
	    "as gpio.fire_alarm, every way freed.  Cut, shorted or "
	    "unreadable: the fire-loop alarm (fire-loop-fault, "
	    "fire-loop-ok) and the exit way held free while it lasts (a fire "
	    "alarm already on stays on).  Empty: none; gpio.fire_alarm must "
	    "then be empty."),
	S_STRING("supervision", "tamper_loop", supervision.tamper_loop, false,
	    "",
	    "The cabinet's tamper switch as a supervised loop, as fire_loop. "
	    " Active: the tamper alarm, as gpio.tamper.  Cut, shorted or "
	    "unreadable: the tamper-loop alarm (tamper-loop-fault, "
	    "tamper-loop-ok), and the tamper alarm too.  Empty: none; "
	    "gpio.tamper must then be empty."),
	{ .section = "supervision", .key = "levels", .type = SETTING_CUSTOM,
	  .offset = offsetof(struct config, supervision.levels),
	  .ops = &setting_levels_ops, .def = "256 597 853",
	  .meaning = "Thresholds in raw ADC units: below the first a short "
	  "circuit, below the second normal, below the third active, from it "
	  "up an open circuit.  The default fits a 10-bit ADC at 3.3 V with "
	  "4.7 kohm from 3.3 V to the input and a loop of 4.7 kohm in series "
	  "with a normally-closed contact bridged by 4.7 kohm (normal reads "
	  "about 512, active 682, open 1023, short 0); qrgatectl status "
	  "shows each loop's last reading, to set them from." },
	S_INT("supervision", "period_ms", supervision.period_ms, 10, 10000,
	    "100",
	    "Milliseconds between two readings of each loop (an IIO value "
	    "cannot be waited on: it is sampled)."),
	S_INT("supervision", "samples", supervision.samples, 1, 100, "3",
	    "Readings in a row that must agree before a loop's state counts, "
	    "so that a glitch changes nothing: a change takes effect after "
	    "samples x period_ms."),

	S_STRING("store", "path", store.path, true, "/var/lib/qrgate/qrgate.db",
	    "The SQLite database of credentials and the entry/exit log."),
	S_ENUM("store", "synchronous", store.synchronous, choices_sync, "full",
	    "full: every log row is on disk before the relay moves; normal: "
	    "faster, but a power cut may lose the last rows."),
	S_INT("store", "retention_days", store.retention_days, 1, 3650, "30",
	    "Days the entry/exit log is kept before old rows are purged, "
	    "counted back from the newest row (or now, if earlier); only "
	    "while the clock is trusted, and never a row not yet "
	    "delivered."),
	S_ENUM("store", "mask", store.mask, choices_mask, "last4",
	    "How a credential's subject (an ID number) is written in the log: "
	    "last4 keeps only its last four characters, none keeps it whole."),
	S_BOOL("store", "name_initials", store.name_initials, "true",
	    "Write holders' names in the journal and MQTT as initials only."),
	S_BOOL("store", "trace_full", store.trace_full, "false",
	    "Also keep each event's full subject, for contact tracing "
	    "(qrgatectl events --trace).  Off: only the masked subject is "
	    "ever stored."),

	S_STRING("control", "socket", control.socket, true,
	    "/run/qrgate/control.sock",
	    "The control socket that qrgatectl talks to."),
	S_STRING("control", "group", control.group, false, "",
	    "A group, besides root, allowed to use the control socket (empty: "
	    "the daemon's own group)."),

	S_ENUM("log", "level", log.level, choices_log_level, "info",
	    "The most verbose messages logged."),

	S_BOOL("mqtt", "enabled", mqtt.enabled, "false",
	    "Connect to the broker.  When false, nothing is queued either."),
	S_STRING("mqtt", "host", mqtt.host, true, "localhost",
	    "The broker: an address or a host name (resolved without "
	    "stopping the gate)."),
	S_INT("mqtt", "port", mqtt.port, 1, 65535, "1883",
	    "The broker's port (8883 is the usual one for TLS)."),
	S_INT("mqtt", "keepalive_s", mqtt.keepalive_s, 5, 3600, "30",
	    "Seconds between keepalive pings; a broker silent for twice this "
	    "long, or a connection not set up within it, is dropped and "
	    "retried."),
	S_STRING("mqtt", "client_id", mqtt.client_id, false, "",
	    "The MQTT client id (empty: gate.id)."),
	S_STRING("mqtt", "username", mqtt.username, false, "",
	    "User name for the broker (empty: none; with TLS client "
	    "certificates the broker takes the certificate's name)."),
	S_STRING("mqtt", "password", mqtt.password, false, "",
	    "Password for the broker (empty: none).  Keep this file "
	    "readable by the daemon only when it is set."),
	S_ENUM("mqtt", "protocol", mqtt.protocol, choices_mqtt_protocol,
	    "3.1.1",
	    "MQTT protocol version."),
	S_BOOL("mqtt", "tls", mqtt.tls, "false",
	    "Connect over TLS; the broker's certificate must be signed by "
	    "mqtt.ca_file and name mqtt.host."),
	S_STRING("mqtt", "ca_file", mqtt.ca_file, false, "",
	    "TLS: the CA certificate(s) the broker's certificate must chain "
	    "to (PEM); needed when mqtt.tls is true."),
	S_STRING("mqtt", "cert_file", mqtt.cert_file, false, "",
	    "TLS: this gate's client certificate (PEM), whose common name "
	    "should be gate.id (empty: none)."),
	S_STRING("mqtt", "key_file", mqtt.key_file, false, "",
	    "TLS: the private key of mqtt.cert_file (PEM, unencrypted)."),
	S_INT("mqtt", "cert_warn_days", mqtt.cert_warn_days, 0, 3650, "30",
	    "Days before mqtt.cert_file expires when the gate raises the "
	    "\"cert-expiring\" alarm (0: never)."),
	S_STRING("mqtt", "topic_prefix", mqtt.topic_prefix, true, "qrgate",
	    "The first level(s) of every topic."),
	S_INT("mqtt", "heartbeat_s", mqtt.heartbeat_s, 5, 3600, "30",
	    "Seconds between the retained status messages."),
	S_INT("mqtt", "outbox_max", mqtt.outbox_max, 10, 100000000, "1000000",
	    "Messages the outbox holds at most.  At 90% the gate raises "
	    "outbox-near-full; when full it raises outbox-full and stops "
	    "queueing, but keeps logging every decision."),
	S_INT("mqtt", "inflight_max", mqtt.inflight_max, 1, 1000, "20",
	    "Outbox messages published and not yet acknowledged at most."),
	S_BOOL("mqtt", "ha_discovery", mqtt.ha_discovery, "false",
	    "Publish Home Assistant discovery configs (a lock per way, "
	    "sensors for the last decision, grants and denials)."),
};


static const struct settings config_table = {
	.sections = config_sections, .nsections = nitems(config_sections),
	.settings = config_settings, .nsettings = nitems(config_settings),
};

/* For what checks a gate's config without being the gate (confpush.h). */
const struct settings *const gate_settings = &config_table;
const size_t gate_config_size = sizeof(struct config);

int
config_set(struct config *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	return settings_set(&config_table, c, section, key, value, err,
	    errlen);
}

void
config_defaults(struct config *c)
{
	settings_defaults(&config_table, c, sizeof(*c));
}

/* A topic level: MQTT gives '/', '+' and '#' their own meanings. */
static bool
config_topic_level_ok(const char *s)
{
	return strpbrk(s, "/+#") == NULL;
}

static void
config_check_mqtt(const struct config *c, const char *where,
    struct config_errors *errs)
{
	const char *p = c->mqtt.topic_prefix;
	size_t n = strlen(p);

	if (!config_topic_level_ok(c->gate.id) ||
	    !config_topic_level_ok(c->gate.site))
		settings_error_add(errs, "%s: gate.id and gate.site are MQTT topic "
		    "levels: no '/', '+' or '#'", where);
	/* <prefix>/<site>/all/... is the site-wide topic of every gate. */
	if (strcmp(c->gate.id, "all") == 0)
		settings_error_add(errs, "%s: gate.id \"all\" names every gate of "
		    "the site in MQTT topics", where);
	if (strpbrk(p, "+#") != NULL || p[0] == '/' || p[n - 1] == '/' ||
	    strstr(p, "//") != NULL)
		settings_error_add(errs, "%s: mqtt.topic_prefix: levels without "
		    "'+' or '#', none of them empty", where);
	if (c->mqtt.tls && c->mqtt.ca_file[0] == '\0')
		settings_error_add(errs, "%s: mqtt.tls is true, but mqtt.ca_file is "
		    "not set", where);
	if ((c->mqtt.cert_file[0] == '\0') != (c->mqtt.key_file[0] == '\0'))
		settings_error_add(errs, "%s: mqtt.cert_file and mqtt.key_file go "
		    "together", where);
	if ((c->mqtt.cert_file[0] != '\0') && !c->mqtt.tls)
		settings_error_add(errs, "%s: mqtt.cert_file is set, but mqtt.tls "
		    "is false", where);
	/* MQTT 3.1.1 has no password without a user name. */
	if (c->mqtt.password[0] != '\0' && c->mqtt.username[0] == '\0')
		settings_error_add(errs, "%s: mqtt.password is set without "
		    "mqtt.username", where);
}

/*
 * Checks between settings.  They run only on a config whose every value
 * was read: a value that failed would leave its default in place and make
 * these report mistakes that were never written.
 */
static void
config_between_check(const struct config *c, const char *where,
    struct config_errors *errs)
{
	static const struct {
		const char *way;
		enum direction dir;
		enum gpio_role relay;
	} ways[] = {
		{ "entry", DIR_ENTRY, GPIO_ENTRY_RELAY },
		{ "exit", DIR_EXIT, GPIO_EXIT_RELAY },
	};

	if (!c->lane.entry && !c->lane.exit)
		settings_error_add(errs, "%s: lane.entry and lane.exit are both "
		    "false: the lane runs no way", where);
	for (size_t i = 0; i < nitems(ways); i++) {
		bool runs = ways[i].dir == DIR_ENTRY ? c->lane.entry :
		    c->lane.exit;

		if (c->camera.direction == ways[i].dir && !runs &&
		    (c->lane.entry || c->lane.exit))
			settings_error_add(errs, "%s: camera.direction is %s, "
			    "but lane.%s is false", where, ways[i].way,
			    ways[i].way);
		if (runs && strcmp(c->gpio.backend, "gpiod") == 0 &&
		    !c->gpio.hw.lines[ways[i].relay].used)
			settings_error_add(errs, "%s: lane.%s is true, but "
			    "gpio.%s is not wired", where, ways[i].way,
			    gpio_role_name(ways[i].relay));
	}
	/* A reader is two lines, and the controller's input two lines. */
	if (c->gpio.hw.lines[GPIO_WIEGAND_D0].used !=
	    c->gpio.hw.lines[GPIO_WIEGAND_D1].used)
		settings_error_add(errs, "%s: gpio.wiegand_d0 and "
		    "gpio.wiegand_d1: a reader needs both, or neither", where);
	if (c->wiegand.out != WIEGAND_OUT_OFF &&
	    (!c->gpio.hw.lines[GPIO_WIEGAND_OUT_D0].used ||
	    !c->gpio.hw.lines[GPIO_WIEGAND_OUT_D1].used))
		settings_error_add(errs, "%s: wiegand.out is not off, but "
		    "gpio.wiegand_out_d0 and gpio.wiegand_out_d1 are not both "
		    "wired", where);
	/* After a pulse, the least a receiver takes before the next. */
	if (c->wiegand.out_interval_us - c->wiegand.out_pulse_us < 120)
		settings_error_add(errs, "%s: wiegand.out_interval_us %d: at "
		    "least 120 more than wiegand.out_pulse_us (%d)", where,
		    c->wiegand.out_interval_us, c->wiegand.out_pulse_us);
	/* Past 120 fps a camera setting is a typing error; replayed files
	 * go faster so that a bench can show a million frames in an hour. */
	if (c->camera.fps > 120 && strcmp(c->camera.backend, "file") != 0)
		settings_error_add(errs, "%s: camera.fps %d: at most 120 from a "
		    "camera (only the file backend replays faster)", where,
		    c->camera.fps);
	/* The stall check ticks every quarter of stall_ms, and a camera
	 * that is only slow must never look stalled. */
	if (c->camera.stall_ms != 0 && (c->camera.stall_ms < 1000 ||
	    c->camera.stall_ms < 3 * 1000 / c->camera.fps))
		settings_error_add(errs, "%s: camera.stall_ms %d: 0 (off), or at "
		    "least 1000 and three frame periods (%d at %d fps)", where,
		    c->camera.stall_ms, 3 * 1000 / c->camera.fps,
		    c->camera.fps);
	if (strcmp(c->reader.backend, "none") != 0) {
		bool runs = c->reader.direction == DIR_ENTRY ? c->lane.entry :
		    c->lane.exit;

		if (c->reader.device[0] == '\0')
			settings_error_add(errs, "%s: reader.device must be "
			    "set when reader.backend is %s", where,
			    c->reader.backend);
		if (!runs && (c->lane.entry || c->lane.exit))
			settings_error_add(errs, "%s: reader.direction is %s, "
			    "but lane.%s is false", where,
			    direction_name(c->reader.direction),
			    direction_name(c->reader.direction));
	}
	if (strcmp(c->screen.backend, "file") == 0 &&
	    c->screen.directory[0] == '\0')
		settings_error_add(errs, "%s: screen.directory must be set "
		    "when screen.backend is file", where);
	if (strcmp(c->sound.backend, "file") == 0 &&
	    c->sound.directory[0] == '\0')
		settings_error_add(errs, "%s: sound.directory must be set "
		    "when sound.backend is file", where);
	/* One input for each alarm: two could disagree. */
	if (c->supervision.fire_loop[0] != '\0' &&
	    c->gpio.hw.lines[GPIO_FIRE_ALARM].used)
		settings_error_add(errs, "%s: supervision.fire_loop is set, but "
		    "gpio.fire_alarm is wired too: set gpio.fire_alarm to empty",
		    where);
	if (c->supervision.tamper_loop[0] != '\0' &&
	    c->gpio.hw.lines[GPIO_TAMPER].used)
		settings_error_add(errs, "%s: supervision.tamper_loop is set, "
		    "but gpio.tamper is wired too: set gpio.tamper to empty",
		    where);
	if (c->supervision.fire_loop[0] != '\0' &&
	    strcmp(c->supervision.fire_loop, c->supervision.tamper_loop) == 0)
		settings_error_add(errs, "%s: supervision.fire_loop and "
		    "supervision.tamper_loop name the same input", where);
	if (strcmp(c->gpio.backend, "sim") == 0 && c->gpio.hw.sim_log[0] == '\0')
		settings_error_add(errs, "%s: gpio.sim_log must be set when "
		    "gpio.backend is sim", where);
	if (c->mqtt.enabled)
		config_check_mqtt(c, where, errs);
}

int
config_check(const struct config *c, const char *where,
    struct config_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	config_between_check(c, where, errs);
	return errs->count;
}

int
config_load(struct config *c, const char *path,
    const char *const *overrides, int n_overrides, struct config_errors *errs)
{
	struct config_errors own;
	struct config n;

	if (errs == NULL)
		errs = &own;
	config_defaults(&n);
	if (settings_load(&config_table, &n, path, overrides, n_overrides,
	    errs) == 0)
		config_between_check(&n, path != NULL ? path : "config", errs);
	if (errs->count != 0)
		return -1;
	*c = n;
	return 0;
}

void
config_write_example(FILE *f)
{
	fprintf(f,
	    "# qrgate configuration: every setting, each at its default.\n"
	    "#\n"
	    "# Generated from the table of settings in src/config.c by\n"
	    "# config_write_example(); change the table, not this file.  "
	    "Every value\n"
	    "# below is the default, so a file that sets only what differs "
	    "works\n"
	    "# the same.\n"
	    "#\n"
	    "# Syntax: [section] lines, then \"key = value\" lines.  A line "
	    "that starts\n"
	    "# with '#' or ';' is a comment.  An indented line continues the "
	    "value of\n"
	    "# the setting above it; the pieces are joined without spaces, "
	    "so end a\n"
	    "# line of a comma-separated list with its comma.  Any setting "
	    "can also\n"
	    "# be given to qrgated as -o section.key=value.\n");
	settings_example_write(&config_table, f);
}
