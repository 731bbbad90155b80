#include "types.h"

#include <string.h>

static const char *const cred_kind_names[CRED_KIND_COUNT] = {
	"none", "badge", "cccd", "signed", "dynamic", "visitor", "card",
};
static const char *const cred_status_names[CRED_STATUS_COUNT] = {
	"active", "suspended", "revoked",
};
static const char *const direction_names[DIR_COUNT] = { "entry", "exit" };
static const char *const event_type_names[EV_TYPE_COUNT] = {
	"scan", "button", "remote", "alarm",
};
static const char *const result_names[RES_COUNT] = {
	"granted", "denied", "alarm",
};
static const char *const reason_names[REASON_COUNT] = {
	"granted", "unknown", "expired", "not-yet-valid", "suspended",
	"revoked", "wrong-direction", "wrong-lane", "malformed", "too-long",
	"unknown-format", "kind-disabled", "lane-locked", "lane-busy",
	"store-error", "exit-button", "remote-open", "fire-alarm-on",
	"fire-alarm-off", "forced", "held-open", "bad-signature",
	"serial-revoked", "replayed", "clock-unsynced", "anti-passback",
	"visitors-only", "slowed", "repeated-denials", "tamper-on",
	"tamper-off", "pin-required", "fire-loop-fault", "fire-loop-ok",
	"tamper-loop-fault", "tamper-loop-ok", "outside-schedule",
	"open-schedule-on", "open-schedule-off",
};
static const char *const cred_role_names[ROLE_COUNT] = { "staff", "visitor" };
static const char *const passage_names[PASSAGE_COUNT] = {
	"none", "pending", "passed", "not-passed", "unsensed",
};

static const char *
name_of(const char *const *names, int count, int v)
{
	return (v >= 0 && v < count) ? names[v] : "?";
}

static int
value_of(const char *const *names, int count, const char *s)
{
	for (int i = 0; i < count; i++)
		if (s != NULL && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

#define NAMED(type, table, count)					\
	const char *type##_name(enum type v)				\
	{ return name_of(table, count, (int)v); }			\
	int type##_from_name(const char *s)				\
	{ return value_of(table, count, s); }

NAMED(cred_kind, cred_kind_names, CRED_KIND_COUNT)
NAMED(cred_status, cred_status_names, CRED_STATUS_COUNT)
NAMED(direction, direction_names, DIR_COUNT)
NAMED(event_type, event_type_names, EV_TYPE_COUNT)
NAMED(result, result_names, RES_COUNT)
NAMED(reason, reason_names, REASON_COUNT)
NAMED(passage, passage_names, PASSAGE_COUNT)
NAMED(cred_role, cred_role_names, ROLE_COUNT)
