/*
 * The site's people at the aggregator: the credential list HR keeps (the
 * gates keep their own copy, as before), each row a gate's credential
 * (credential.h) with a department.  Every change counts one edit
 * (people_state.edits); the daemon sends the whole list to every gate of
 * the site when the edits move past what it last sent
 * (agg_people_push.c), signed with the aggregator's credentials key.
 *
 * The changes run inside the caller's transaction (the web's dispatcher
 * opens one per POST with its audit row; the CLI one per command): a
 * change that fails leaves its rows to the caller's rollback.
 *
 * A list, not patches: a snapshot is the same whatever a gate missed, so
 * a gate that was offline for three changes takes the fourth whole, and
 * the broker keeps the last one (retained) for a gate that starts later.
 */
#ifndef QRGATE_AGG_PEOPLE_H
#define QRGATE_AGG_PEOPLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "agg_config.h"
#include "agg_db.h"
#include "credential.h"

#define AGG_DEPT_MAX	64

struct agg_person {
	struct credential c;
	char department[AGG_DEPT_MAX];
};

/* What has been changed and what was sent (people_state). */
struct agg_people_state {
	int64_t edits;		/* changes made */
	int64_t pushed_edits;	/* the edits the last list sent held */
	int64_t version;	/* the credential version last sent */
	int64_t pushed_ms;
};

/*
 * Adds p (create: its id must be new) or replaces the row of its id
 * (create false: it must exist), checked with credential_validate() and
 * that no other row holds the same card (kind and subject).  One edit.
 * 0, or -1 with the reason in err (a database error: logged, and said).
 */
int agg_people_put(struct agg_db *db, const struct agg_person *p,
    bool create, int64_t now_ms, char *err, size_t errlen);

/* The row of id: 1 found, 0 not, -1 database error. */
int agg_people_get(struct agg_db *db, const char *id, struct agg_person *p);

/* Sets the status of id ("active", "suspended", "revoked").  One edit.
 * 0, or -1 with the reason in err. */
int agg_people_set_status(struct agg_db *db, const char *id,
    enum cred_status st, int64_t now_ms, char *err, size_t errlen);

/*
 * A new badge serial for id, a signed credential (a lost badge: every
 * token of the old serial is then denied serial-revoked at each gate
 * that took the list).  *serial: the new one.  One edit.  0, or -1.
 */
int agg_people_new_serial(struct agg_db *db, const char *id,
    uint32_t *serial, int64_t now_ms, char *err, size_t errlen);

/*
 * Imports the credential CSV (cred_csv_read(), the one qrgatectl push
 * --csv reads): each row added, or replaced by id
 * (keeping its department unless dept is not NULL).  One edit.  Returns
 * the rows, or -1 with "FILE:LINE: problem" in err (roll back: rows
 * before it may be written).
 */
int agg_people_import(struct agg_db *db, FILE *f, const char *fname,
    const char *dept, int64_t now_ms, char *err, size_t errlen);

/*
 * Every person, in id order, as objects {id, kind, subject, name,
 * department, lanes, valid_from(_ms), valid_until(_ms), status, role,
 * serial}; subject masked (mask.h) unless full.  NULL on a database error.
 */
json_t *agg_people_list(struct agg_db *db, bool full);

/* Calls cb for each person in id order until it returns non-zero (then
 * returned).  -1 on a database error. */
int agg_people_foreach(struct agg_db *db,
    int (*cb)(const struct agg_person *p, void *arg), void *arg);

int agg_people_state(struct agg_db *db, struct agg_people_state *st);

/* One edit more (0, or -1): the daemon's next tick sends the list.  Every
 * change of what the list holds calls it: people's, and a visitor pass
 * cancelled (agg_visitor_cancel()). */
int agg_people_touch(struct agg_db *db, int64_t now_ms);

/* The name and department of credential id, "" when unknown.  1 found,
 * 0 not, -1 database error. */
int agg_people_name(struct agg_db *db, const char *id, char *name,
    size_t namelen, char *dept, size_t deptlen);

/* The person as JSON for the web API and --json (subject as given). */
json_t *agg_person_json(const struct agg_person *p, bool full);

/*
 * A person from a JSON object (the web API's body): id, kind, subject,
 * name, department, lanes, valid_from, valid_until (ms or text in the
 * site's zone, or empty), status, role.  0, or -1 with the reason in err.
 */
int agg_person_from_json(const json_t *o, struct agg_person *p, char *err,
    size_t errlen);

/*
 * The person id with the members of changes (as agg_person_from_json()
 * reads them; "id" is not changed) over what is stored; the serial,
 * status, key and check hash stay unless changes says otherwise (the key
 * and hash always stay).  0, or -1 with the reason in err.
 */
int agg_person_edit(struct agg_db *db, const char *id, const json_t *changes,
    struct agg_person *p, char *err, size_t errlen);

/*
 * Badges for the n people ids (agg_badge.c), each a signed credential:
 * with new_serial each gets a new serial first (one edit each).  Each
 * badge's {id, name, serial, token} goes into out; with pdf the sheet of
 * cards is written to that stream, with png a card DIR/ID.png each.  0, or -1 with
 * err set (the serials changed before the problem stay changed).
 */
int agg_people_badges(struct agg_db *db, const struct agg_config *cfg,
    char *const *ids, int n, bool new_serial, FILE *pdf,
    const char *png, json_t *out, char *err, size_t errlen);

/*
 * What the gates hold (agg_people_push.c): {version: last sent, pending:
 * a change not sent yet, edits, pushed_ms, gates: [{site, gate, state,
 * version (null: none said), current: version is the one sent}]}.  NULL
 * on a database error.
 */
json_t *agg_people_versions(struct agg_db *db);

#endif
