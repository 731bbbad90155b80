/*
 * The visitor desk: the register of visitors (the visitors table, one SQL
 * text for both backends) and the passes made from it.  A pass is a
 * visitor token (token.h, docs/tokens.md) signed with the site's visitor
 * key: every gate whose security.visitor_key is its public half grants it
 * with no credential, even one cut off from the broker.  The pass is made
 * again from its row whenever it is shown (Ed25519 is deterministic, so it
 * is the same text every time): nothing secret is stored.
 *
 * The document number (the CCCD's 12 digits, or a passport's) is personal
 * data: stored whole, shown masked ("********1234") unless the caller asks
 * for it whole (the tracer role, audited by the web side).  It never
 * appears in an id, a pass, a topic or a log line.
 */
#ifndef QRGATE_AGG_VISITOR_H
#define QRGATE_AGG_VISITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "agg_db.h"
#include "token.h"

/* "V-YYYYMMDD-NNNN", the day in site.timezone, and its NUL. */
#define AGG_VISITOR_ID_LEN	(TOKEN_ID_MAX + 1)

struct agg_visitor {
	char id[AGG_VISITOR_ID_LEN];	/* set by agg_visitor_add() */
	char name[128];			/* UTF-8 */
	char doc_kind[16];		/* "cccd" or "other" */
	char doc_number[64];		/* cccd: 12 digits */
	char host[128];			/* whom they visit */
	char purpose[256];
	char lanes[TOKEN_LANES_MAX + 1];	/* "" at add: the default */
	int64_t from_ms, until_ms;	/* UTC ms; 0 at add: the defaults */
	char registered_by[64];		/* a user's name, or "cli:USER" */
	int64_t registered_ms;
	int64_t cancelled_ms;		/* 0: not cancelled */
	char cancelled_by[64];
};

/* What a desk may issue: the aggregator's [visitor] settings. */
struct agg_visitor_policy {
	const char *default_lanes;	/* "*" */
	int64_t max_s;			/* the longest pass (the gates'
					 * policy.visitor_max_s) */
};

/*
 * Reads the text of a CCCD's QR code (payload_cccd.c's format:
 * ID12|oldID|name|DDMMYYYY|sex|address|DDMMYYYY...) into v's document
 * (kind cccd) and name.  Returns 0, or -1 with a message that never
 * repeats the text.
 */
int agg_visitor_from_cccd(struct agg_visitor *v, const char *text,
    char *err, size_t errlen);

/*
 * Checks v (as a person filled it), fills the defaults (from now, until
 * the next midnight in site.timezone, the default lanes), gives it the
 * day's next id and stores it.  Returns 0, or -1 with a message in err
 * (*db_error set when the database failed rather than the input).
 */
int agg_visitor_add(struct agg_db *db, const struct agg_visitor_policy *p,
    struct agg_visitor *v, int64_t now_ms, char *err, size_t errlen,
    bool *db_error);

/* Reads the visitor id.  1 found, 0 none, -1 database error. */
int agg_visitor_get(struct agg_db *db, const char *id, struct agg_visitor *v);

/*
 * Cancels the visitor id, by by.  1 cancelled now, 0 no such visitor or
 * already cancelled, -1 database error.  The people list sent to the
 * gates then carries the pass as a revoked credential of kind visitor
 * (agg_visitor_cancelled()), which a gate that takes it denies: a gate cut
 * off from the broker honours the pass until it expires.
 */
/*
 * Appends to rows, as credential_json() writes them, each pass cancelled
 * that has not yet expired at now_ms: a revoked credential of kind
 * visitor, the visit id its id and subject.  Passes past their end are
 * left out (every gate denies them anyway).  0, or -1 (database error).
 */
int agg_visitor_cancelled(struct agg_db *db, int64_t now_ms, json_t *rows);

int agg_visitor_cancel(struct agg_db *db, const char *id, const char *by,
    int64_t now_ms);

/*
 * The visitors whose visit overlaps [from_ms, to_ms) (0, 0: all), newest
 * first, as an array of objects; the document whole only with full.
 * NULL on a database error.
 */
json_t *agg_visitor_list(struct agg_db *db, int64_t from_ms, int64_t to_ms,
    bool full, int64_t now_ms);

/* One visitor as the list shows it. */
json_t *agg_visitor_json(const struct agg_visitor *v, bool full,
    int64_t now_ms);

/*
 * The pass of v, signed with the visitor key sk, in out (TOKEN_TEXT_MAX).
 * Returns its length, or -1.
 */
int agg_visitor_pass(const struct agg_visitor *v,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen);

/* Writes doc masked to out: all but its last four characters as '*'. */
void agg_visitor_mask(const char *doc, char *out, size_t outlen);

/*
 * The register of list (agg_visitor_list()'s array) for the authorities,
 * as CSV (RFC 4180, times in site.timezone) or as an XLSX workbook, in a
 * malloc'd buffer.  Returns 0, or -1 (logged).
 */
int agg_visitor_csv(json_t *list, char **data, size_t *len);
int agg_visitor_xlsx(json_t *list, char **data, size_t *len);

#endif
