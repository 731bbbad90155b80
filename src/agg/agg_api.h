/*
 * The aggregator's side of the console's API: one table in agg_api.c,
 * a what-prefix and its handler per line, each part's handlers in a file
 * of its own (agg_users.c, agg_people.c...).  The web side has already
 * checked the session, the caller's roles (agg_web_roles.c) and, for a
 * POST, its CSRF token.
 *
 * A handler fills r (json, or a file: see struct agg_web_reply) and
 * returns 0, or -1 for a 500 (logged).  Bad input is r->status 400 with
 * {"error"}: agg_api_bad().  The dispatcher writes the audit row: the
 * handler's r->audit when set, else "POST what" for a successful POST;
 * a handler sets r->audit for a GET that shows full subjects.  An audit
 * text never holds a full subject or a citizen number.
 */
#ifndef QRGATE_AGG_API_H
#define QRGATE_AGG_API_H

#include <jansson.h>

#include "agg.h"
#include "agg_web.h"

typedef int (*agg_api_fn)(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r);

/* 400 with {"error": why}; returns 0 (a handler's "return agg_api_bad"). */
int agg_api_bad(struct agg_web_reply *r, const char *why);

/* A POST's body as a JSON object, or NULL with a 400 set in r. */
json_t *agg_api_body(const struct agg_web_call *c, struct agg_web_reply *r);

/* The handlers of each part. */
int agg_users_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r);
int agg_visitor_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r);
/* people, people-*, muster, muster-pdf (agg_people_api.c). */
int agg_people_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r);
/* attendance, attendance-* (agg_attendance_api.c). */
int agg_attendance_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r);
int agg_confpush_api(struct agg *a, const struct agg_web_call *c,
    struct agg_web_reply *r);

#endif
