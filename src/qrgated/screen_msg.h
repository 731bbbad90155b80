/*
 * Every word the lane's screen shows, in one table with both languages
 * (issue 19): what a worker reads after a decision, and what the lane
 * says while it is not waiting for a code.  Keyed by what the gate
 * already knows (enum reason, enum direction, enum screen_state), so a
 * screen is chosen without any text of its own, and a reason appended to
 * types.h without words here fails test_screen_msg.
 *
 * The words are for the worker at the gate, not for the log: plain,
 * short, without the log's names ("Thẻ đã hết hạn", never "expired").
 */
#ifndef QRGATE_SCREEN_MSG_H
#define QRGATE_SCREEN_MSG_H

#include "types.h"

/* The screen's language, per gate (screen.language). */
enum screen_lang { SCREEN_LANG_VI, SCREEN_LANG_EN, SCREEN_LANG_COUNT };

/* What the lane shows; each state is one screen. */
enum screen_state {
	SCREEN_IDLE,		/* waiting for a code */
	SCREEN_GRANTED,		/* a way released: the holder's initials */
	SCREEN_DENIED,		/* refused: the reason in words */
	SCREEN_FIRE_ALARM,	/* every way free: evacuate */
	SCREEN_LOCKED_DOWN,	/* operator lockdown: every code refused */
	SCREEN_CAMERA_FAULT,	/* the camera is lost or frozen */
	SCREEN_OFFLINE,		/* no uplink: the gate still decides on
				 * its own list, and says so */
	SCREEN_STATE_COUNT
};

/*
 * A state's words: a title in large type, and a hint under it, the one
 * thing a worker should do (may be "" when the title says all).
 */
struct screen_words {
	const char *title;
	const char *hint;
};

/* "vi", "en"; -1 for any other name. */
const char *screen_lang_name(enum screen_lang lang);
int screen_lang_from_name(const char *name);
/* "idle", "granted" ...: the name a screen's PNG is written under. */
const char *screen_state_name(enum screen_state s);
int screen_state_from_name(const char *name);

/*
 * The words of a state in lang.  Out of range (a lang or state this
 * build does not know) gives the NULL members the totality test looks
 * for; the renderer never passes such values.
 */
struct screen_words screen_msg_state(enum screen_state s, enum screen_lang lang);

/* A reason in plain words ("Thẻ đã hết hạn"), or NULL out of range. */
const char *screen_msg_reason(enum reason r, enum screen_lang lang);

/* The granted screen's way ("Mời vào"), or NULL out of range. */
const char *screen_msg_way(enum direction d, enum screen_lang lang);

#endif
