/*
 * The small vocabularies every part of the gate shares: credential kinds,
 * directions, results, reasons and passage outcomes.  Their names are part
 * of the log schema and of the MQTT messages, so they never change once
 * released; new values are only appended.
 */
#ifndef QRGATE_TYPES_H
#define QRGATE_TYPES_H

enum cred_kind {
	CRED_NONE,		/* no credential: unreadable or unknown format */
	CRED_BADGE,		/* a plain printed badge id */
	CRED_CCCD,		/* Vietnamese chip ID card (can cuoc cong dan) */
	CRED_SIGNED,		/* a badge token signed by the site's issuer key */
	CRED_DYNAMIC,		/* a time-step token signed by the worker's key */
	CRED_VISITOR,		/* a visitor's pass signed by the site's
				 * visitor key: no credential row needed */
	CRED_CARD,		/* a Wiegand card: its text as
				 * wiegand_card_print() writes it */
	CRED_KIND_COUNT
};

enum cred_status { CRED_ACTIVE, CRED_SUSPENDED, CRED_REVOKED, CRED_STATUS_COUNT };

/* Who holds a credential: policy may accept a kind only from visitors. */
enum cred_role { ROLE_STAFF, ROLE_VISITOR, ROLE_COUNT };

enum direction { DIR_ENTRY, DIR_EXIT, DIR_COUNT };

/* What happened: a decision on a code, or something the lane did. */
enum event_type {
	EV_SCAN,		/* a code was decided */
	EV_BUTTON,		/* the exit button released the exit way */
	EV_REMOTE,		/* an operator opened a way (control socket) */
	EV_ALARM,		/* fire alarm, forced or held-open lane */
	EV_TYPE_COUNT
};

enum result { RES_GRANTED, RES_DENIED, RES_ALARM, RES_COUNT };

enum reason {
	REASON_GRANTED,		/* valid and allowed */
	REASON_UNKNOWN,		/* well formed, but no such credential */
	REASON_EXPIRED,		/* past valid_until */
	REASON_NOT_YET_VALID,	/* before valid_from */
	REASON_SUSPENDED,
	REASON_REVOKED,
	REASON_WRONG_DIRECTION,	/* not allowed this way */
	REASON_WRONG_LANE,	/* not allowed on this lane */
	REASON_MALFORMED,	/* looks like a known kind, but invalid */
	REASON_TOO_LONG,	/* payload over decoder.max_payload */
	REASON_UNKNOWN_FORMAT,	/* no parser recognises it */
	REASON_KIND_DISABLED,	/* this gate does not accept the kind */
	REASON_LANE_LOCKED,	/* lockdown */
	REASON_LANE_BUSY,	/* the way is still released for someone */
	REASON_STORE_ERROR,	/* the log could not be written: fail secure */
	REASON_EXIT_BUTTON,
	REASON_REMOTE_OPEN,
	REASON_FIRE_ALARM_ON,
	REASON_FIRE_ALARM_OFF,
	REASON_FORCED,		/* passage without a grant */
	REASON_HELD_OPEN,	/* passage sensor active too long */
	REASON_BAD_SIGNATURE,	/* a token whose signature does not verify */
	REASON_SERIAL_REVOKED,	/* a badge token of a serial no longer issued */
	REASON_REPLAYED,	/* a dynamic token (or older) already used */
	REASON_CLOCK_UNSYNCED,	/* dynamic tokens need a synchronised clock;
				 * also the alarm */
	REASON_ANTI_PASSBACK,	/* re-entry refused (hard, timed); the alarm
				 * row of a soft anti-passback grant */
	REASON_VISITORS_ONLY,	/* this kind is accepted only from visitors */
	REASON_SLOWED,		/* denied too often: ignored for a while */
	REASON_REPEATED_DENIALS,	/* the alarm for that */
	REASON_TAMPER_ON,	/* the cabinet opened, or its switch's wire cut */
	REASON_TAMPER_OFF,
	REASON_PIN_REQUIRED,	/* a card whose credential has a PIN, without
				 * the PIN typed in time */
	REASON_FIRE_LOOP_FAULT,	/* the fire alarm's supervised loop is cut,
				 * shorted or unreadable: the exit is freed */
	REASON_FIRE_LOOP_OK,
	REASON_TAMPER_LOOP_FAULT,	/* the tamper loop likewise: counts as
					 * the cabinet open */
	REASON_TAMPER_LOOP_OK,
	REASON_OUTSIDE_SCHEDULE,	/* an entry outside the credential's
					 * schedule (schedule.h) */
	REASON_OPEN_SCHEDULE_ON,	/* lane.open_schedule began: every
					 * way held free */
	REASON_OPEN_SCHEDULE_OFF,	/* ... and ended (or the clock lost
					 * trust, or a lockdown) */
	REASON_COUNT
};

enum passage {
	PASSAGE_NONE,		/* nothing was released: a denial or alarm */
	PASSAGE_PENDING,	/* released, waiting for the passage sensor */
	PASSAGE_PASSED,		/* the sensor saw someone pass */
	PASSAGE_NOT_PASSED,	/* the window closed without a passage */
	PASSAGE_UNSENSED,	/* no passage sensor wired: window elapsed */
	PASSAGE_COUNT
};

const char *cred_kind_name(enum cred_kind k);		/* "badge" */
const char *cred_status_name(enum cred_status s);	/* "active" */
const char *direction_name(enum direction d);		/* "entry" */
const char *event_type_name(enum event_type t);		/* "scan" */
const char *result_name(enum result r);			/* "granted" */
const char *reason_name(enum reason r);			/* "not-yet-valid" */
const char *passage_name(enum passage p);		/* "not-passed" */
const char *cred_role_name(enum cred_role r);		/* "visitor" */

/* Each returns the value whose name is s, or -1. */
int cred_kind_from_name(const char *s);
int cred_status_from_name(const char *s);
int direction_from_name(const char *s);
int event_type_from_name(const char *s);
int result_from_name(const char *s);
int reason_from_name(const char *s);
int passage_from_name(const char *s);
int cred_role_from_name(const char *s);

#endif
