/*
 * The store's schedules (schema version 9, schedule.h): the profiles by
 * name, each group's, and the site's holiday dates, kept on the gate so
 * that they apply offline.  Every function logs SQLite's message once
 * and returns -1 on a database failure.
 */
#ifndef QRGATE_STORE_SCHEDULE_H
#define QRGATE_STORE_SCHEDULE_H

#include <stddef.h>

#include "credential.h"
#include "schedule.h"
#include "store.h"

/*
 * Stores the profile name with its text after schedule_parse() reads it,
 * replacing one of that name.  0, or -1 with the reason in err (a text
 * or name refused, or the database).
 */
int store_schedule_put(struct store *st, const char *name, const char *text,
    char *err, size_t errlen);
/* 1 deleted, 0 none of that name, -1 error. */
int store_schedule_delete(struct store *st, const char *name);
/* 1 found and read into s, 0 none of that name, -1 error (a stored text
 * that no longer reads is one, logged). */
int store_schedule_get(struct store *st, const char *name, struct schedule *s);
/* Calls cb for each profile in name order until cb returns non-zero.
 * 0 or -1. */
int store_schedule_foreach(struct store *st,
    int (*cb)(const char *name, const char *text, void *arg), void *arg);

/* Gives group the profile name; name "" takes its schedule away.  0 or
 * -1 (err: a name that is not a schedule's). */
int store_schedule_group_set(struct store *st, const char *group,
    const char *name, char *err, size_t errlen);
/* Calls cb for each group's profile in group order.  0 or -1. */
int store_schedule_group_foreach(struct store *st,
    int (*cb)(const char *group, const char *name, void *arg), void *arg);

/* Adds the date "YYYY-MM-DD" (named, for people) to the holidays, or
 * renames it.  0, or -1 with the reason in err. */
int store_holiday_add(struct store *st, const char *day, const char *name,
    char *err, size_t errlen);
/* 1 deleted, 0 not a holiday, -1 error. */
int store_holiday_delete(struct store *st, const char *day);
/* Calls cb for each holiday in date order.  0 or -1. */
int store_holiday_foreach(struct store *st,
    int (*cb)(const char *day, const char *name, void *arg), void *arg);
/* Reads every holiday into h.  0, or -1 (also: more than h holds). */
int store_holidays_load(struct store *st, struct sched_holidays *h);

/* A name and its value: a profile's text, a group's profile, a holiday's
 * description. */
struct sched_pair {
	const char *key;
	const char *value;
};

/* The gate_meta key of the version of the schedules pushed last. */
#define STORE_SCHEDULES_VERSION	"schedules_version"

/*
 * Replaces every schedule, group and holiday with those given, and
 * records version, in one transaction: all of them, or nothing.  Each
 * must have been checked (schedule_parse(), schedule_name_valid(),
 * schedule_holiday_add()).  0, or -1 with SQLite's message in err.
 */
int store_schedule_replace(struct store *st, int64_t version,
    const struct sched_pair *schedules, size_t nschedules,
    const struct sched_pair *groups, size_t ngroups,
    const struct sched_pair *holidays, size_t nholidays,
    char *err, size_t errlen);

/*
 * The schedule that applies to c: its own, else its group's.  Returns 0
 * none, 1 one (in s), 2 one named that the store does not hold (name in
 * s->name), -1 error.
 */
int store_credential_schedule(struct store *st, const struct credential *c,
    struct schedule *s);

#endif
