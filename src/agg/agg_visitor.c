/*
 * The visitor register and its passes (agg_visitor.h).  Every text a
 * person typed or a scanner sent is checked here, before it is bound:
 * UTF-8, no control characters, within its column's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_people.h"
#include "agg_visitor.h"
#include "credential.h"
#include "log.h"
#include "sitetime.h"
#include "timefmt.h"
#include "util.h"

#define AGG_CCCD_LEN	12
/* The day's ids: V-YYYYMMDD-0001 to -9999. */
#define AGG_VISITOR_DAY_MAX	9999

/* Every column, in the order agg_visitor_of_row() reads them. */
#define AGG_VISITOR_COLUMNS \
    "id, name, doc_kind, doc_number, host, purpose, lanes, from_ms, " \
    "until_ms, registered_by, registered_ms, cancelled_ms, cancelled_by"

/* Whether s is UTF-8 of 0 to max - 1 bytes with no control character. */
static bool
agg_visitor_text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	json_t *j;

	if (n == max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	/* jansson refuses text that is not UTF-8. */
	if ((j = json_stringn(s, n)) == NULL)
		return false;
	json_decref(j);
	return true;
}

static bool
agg_visitor_digits(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789") == n;
}

int
agg_visitor_from_cccd(struct agg_visitor *v, const char *text, char *err,
    size_t errlen)
{
	const char *old, *name, *end;
	size_t n;

	/* ID12|oldID|name|...: the number, then the name, is all a desk
	 * keeps; the address and dates are not its business. */
	if (text == NULL || strlen(text) < AGG_CCCD_LEN + 1 ||
	    strspn(text, "0123456789") != AGG_CCCD_LEN ||
	    text[AGG_CCCD_LEN] != '|' ||
	    (name = strchr(old = text + AGG_CCCD_LEN + 1, '|')) == NULL ||
	    (end = strchr(++name, '|')) == NULL) {
		snprintf(err, errlen, "not the QR code of a CCCD (12 digits, "
		    "then |old number|name|...)");
		return -1;
	}
	(void)old;
	n = (size_t)(end - name);
	if (n == 0 || n >= sizeof(v->name)) {
		snprintf(err, errlen, "the CCCD's name is empty or longer than "
		    "%zu bytes", sizeof(v->name) - 1);
		return -1;
	}
	memcpy(v->name, name, n);
	v->name[n] = '\0';
	if (!agg_visitor_text_ok(v->name, sizeof(v->name))) {
		v->name[0] = '\0';
		snprintf(err, errlen, "the CCCD's name is not UTF-8 text");
		return -1;
	}
	memcpy(v->doc_number, text, AGG_CCCD_LEN);
	v->doc_number[AGG_CCCD_LEN] = '\0';
	snprintf(v->doc_kind, sizeof(v->doc_kind), "cccd");
	return 0;
}

/* The checks of what a person gave, before the defaults. */
static int
agg_visitor_check(const struct agg_visitor *v, char *err, size_t errlen)
{
	if (v->name[0] == '\0' || !agg_visitor_text_ok(v->name,
	    sizeof(v->name))) {
		snprintf(err, errlen, "name: 1 to %zu bytes of text",
		    sizeof(v->name) - 1);
		return -1;
	}
	if (strcmp(v->doc_kind, "cccd") == 0) {
		if (!agg_visitor_digits(v->doc_number, AGG_CCCD_LEN)) {
			snprintf(err, errlen, "document: a CCCD number is "
			    "exactly 12 digits");
			return -1;
		}
	} else if (strcmp(v->doc_kind, "other") == 0) {
		if (v->doc_number[0] == '\0' ||
		    !agg_visitor_text_ok(v->doc_number,
		    sizeof(v->doc_number))) {
			snprintf(err, errlen, "document: 1 to %zu bytes of "
			    "text", sizeof(v->doc_number) - 1);
			return -1;
		}
	} else {
		snprintf(err, errlen, "document kind: cccd or other");
		return -1;
	}
	if (v->host[0] == '\0' || !agg_visitor_text_ok(v->host,
	    sizeof(v->host))) {
		snprintf(err, errlen, "host: 1 to %zu bytes of text",
		    sizeof(v->host) - 1);
		return -1;
	}
	if (!agg_visitor_text_ok(v->purpose, sizeof(v->purpose))) {
		snprintf(err, errlen, "purpose: at most %zu bytes of text",
		    sizeof(v->purpose) - 1);
		return -1;
	}
	if (v->lanes[0] != '\0' && !token_lanes_ok(v->lanes,
	    strlen(v->lanes))) {
		snprintf(err, errlen, "lanes: 1 to %d characters, no blanks "
		    "(*, A, A:entry,B)", TOKEN_LANES_MAX);
		return -1;
	}
	if (!agg_visitor_text_ok(v->registered_by, sizeof(v->registered_by))) {
		snprintf(err, errlen, "registered by: not text");
		return -1;
	}
	return 0;
}

/* The defaults and the times' own rules. */
static int
agg_visitor_times(const struct agg_visitor_policy *p, struct agg_visitor *v,
    int64_t now_ms, char *err, size_t errlen)
{
	char msg[160];

	if (v->lanes[0] == '\0')
		snprintf(v->lanes, sizeof(v->lanes), "%s", p->default_lanes);
	if (!token_lanes_ok(v->lanes, strlen(v->lanes))) {
		snprintf(err, errlen, "visitor.lanes: 1 to %d characters, no "
		    "blanks", TOKEN_LANES_MAX);
		return -1;
	}
	/* Whole seconds, as the pass carries them. */
	if (v->from_ms == 0)
		v->from_ms = now_ms;
	v->from_ms -= v->from_ms % 1000;
	if (v->until_ms == 0 && sitetime_day_end(v->from_ms, &v->until_ms,
	    msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "until: %s: give it", msg);
		return -1;
	}
	v->until_ms -= v->until_ms % 1000;
	if (v->until_ms <= v->from_ms || v->until_ms <= now_ms) {
		snprintf(err, errlen, "until: not after from and now");
		return -1;
	}
	if (v->until_ms / 1000 > UINT32_MAX) {
		snprintf(err, errlen, "until: after 2106");
		return -1;
	}
	if ((v->until_ms - v->from_ms) / 1000 > p->max_s) {
		snprintf(err, errlen, "the visit is longer than the %lld s "
		    "the gates honour (visitor.max_s)", (long long)p->max_s);
		return -1;
	}
	return 0;
}

/* "V-YYYYMMDD-" of the site's day holding now_ms. */
static void
agg_visitor_day_prefix(int64_t now_ms, char *out, size_t len)
{
	char t[TIMEFMT_LEN];

	/* "2026-12-07 09:30:00 +07": the local date comes first. */
	sitetime_format(now_ms, t, sizeof(t));
	snprintf(out, len, "V-%.4s%.2s%.2s-", t, t + 5, t + 8);
}

int
agg_visitor_add(struct agg_db *db, const struct agg_visitor_policy *p,
    struct agg_visitor *v, int64_t now_ms, char *err, size_t errlen,
    bool *db_error)
{
	char prefix[24], like[32];
	int64_t n, changes = 0;

	*db_error = false;
	if (agg_visitor_check(v, err, errlen) == -1 ||
	    agg_visitor_times(p, v, now_ms, err, errlen) == -1)
		return -1;
	v->registered_ms = now_ms;
	v->cancelled_ms = 0;
	v->cancelled_by[0] = '\0';
	agg_visitor_day_prefix(now_ms, prefix, sizeof(prefix));
	snprintf(like, sizeof(like), "%s%%", prefix);
	/*
	 * The day's next number.  Two desks may take the same one at once:
	 * the id is the key, so the second insert changes nothing and
	 * tries the number after.
	 */
	if (agg_db_int(db, "SELECT count(*) FROM visitors WHERE id LIKE $1",
	    (struct agg_db_arg[]){ AGG_S(like) }, 1, &n) == -1)
		goto dberr;
	for (int tries = 0; tries < 8 && changes == 0; tries++) {
		int seq;

		if (n < 0 || n + 1 + tries > AGG_VISITOR_DAY_MAX) {
			snprintf(err, errlen, "the day's %d visitor ids are "
			    "all taken", AGG_VISITOR_DAY_MAX);
			return -1;
		}
		seq = (int)n + 1 + tries;
		snprintf(v->id, sizeof(v->id), "%.12s%04d", prefix, seq % 10000);
		if (agg_db_run(db, "INSERT INTO visitors (id, name, doc_kind, "
		    "doc_number, host, purpose, lanes, from_ms, until_ms, "
		    "registered_by, registered_ms) VALUES ($1, $2, $3, $4, $5, "
		    "$6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
		    (struct agg_db_arg[]){ AGG_S(v->id), AGG_S(v->name),
		    AGG_S(v->doc_kind), AGG_S(v->doc_number), AGG_S(v->host),
		    AGG_S(v->purpose), AGG_S(v->lanes), AGG_I(v->from_ms),
		    AGG_I(v->until_ms), AGG_S(v->registered_by),
		    AGG_I(v->registered_ms) }, 11, NULL, NULL, &changes) == -1)
			goto dberr;
	}
	if (changes == 1)
		return 0;
dberr:
	*db_error = true;
	v->id[0] = '\0';
	snprintf(err, errlen, "the database could not store the visitor");
	return -1;
}

static int64_t
agg_visitor_num(const char *s)
{
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* One row, in agg_visitor_columns' order. */
static void
agg_visitor_of_row(struct agg_visitor *v, int ncol, const char *const *col)
{
	memset(v, 0, sizeof(*v));
	if (ncol < 13)
		return;
	snprintf(v->id, sizeof(v->id), "%s", col[0] ? col[0] : "");
	snprintf(v->name, sizeof(v->name), "%s", col[1] ? col[1] : "");
	snprintf(v->doc_kind, sizeof(v->doc_kind), "%s", col[2] ? col[2] : "");
	snprintf(v->doc_number, sizeof(v->doc_number), "%s",
	    col[3] ? col[3] : "");
	snprintf(v->host, sizeof(v->host), "%s", col[4] ? col[4] : "");
	snprintf(v->purpose, sizeof(v->purpose), "%s", col[5] ? col[5] : "");
	snprintf(v->lanes, sizeof(v->lanes), "%s", col[6] ? col[6] : "");
	v->from_ms = agg_visitor_num(col[7]);
	v->until_ms = agg_visitor_num(col[8]);
	snprintf(v->registered_by, sizeof(v->registered_by), "%s",
	    col[9] ? col[9] : "");
	v->registered_ms = agg_visitor_num(col[10]);
	v->cancelled_ms = agg_visitor_num(col[11]);
	snprintf(v->cancelled_by, sizeof(v->cancelled_by), "%s",
	    col[12] ? col[12] : "");
}

static int
agg_visitor_get_row(void *arg, int ncol, const char *const *col)
{
	agg_visitor_of_row(arg, ncol, col);
	return 1;
}

int
agg_visitor_get(struct agg_db *db, const char *id, struct agg_visitor *v)
{
	int rc;

	rc = agg_db_run(db, "SELECT " AGG_VISITOR_COLUMNS " FROM visitors "
	    "WHERE id = $1", (struct agg_db_arg[]){ AGG_S(id) }, 1,
	    agg_visitor_get_row, v, NULL);
	return rc == -1 ? -1 : rc == 1 ? 1 : 0;
}

int
agg_visitor_cancel(struct agg_db *db, const char *id, const char *by,
    int64_t now_ms)
{
	int64_t changes = 0;

	if (agg_db_run(db, "UPDATE visitors SET cancelled_ms = $1, "
	    "cancelled_by = $2 WHERE id = $3 AND cancelled_ms IS NULL",
	    (struct agg_db_arg[]){ AGG_I(now_ms), AGG_S(by), AGG_S(id) }, 3,
	    NULL, NULL, &changes) == -1)
		return -1;
	if (changes == 0)
		return 0;
	return agg_people_touch(db, now_ms) == -1 ? -1 : 1;
}

static int
visitor_cancelled_row(void *arg, int ncol, const char *const *col)
{
	json_t *rows = arg;
	struct credential c = { .kind = CRED_VISITOR, .status = CRED_REVOKED,
	    .role = ROLE_VISITOR };

	if (ncol != 4)
		return -1;
	snprintf(c.id, sizeof(c.id), "%s", col[0] ? col[0] : "");
	snprintf(c.subject, sizeof(c.subject), "%s", c.id);
	snprintf(c.lanes, sizeof(c.lanes), "%s", col[1] ? col[1] : "*");
	c.valid_from_ms = agg_visitor_num(col[2]);
	c.valid_until_ms = agg_visitor_num(col[3]);
	return json_array_append_new(rows, credential_json(&c)) == 0 ? 0 : -1;
}

int
agg_visitor_cancelled(struct agg_db *db, int64_t now_ms, json_t *rows)
{
	return agg_db_run(db, "SELECT id, lanes, from_ms, until_ms FROM "
	    "visitors WHERE cancelled_ms IS NOT NULL AND until_ms > $1 "
	    "ORDER BY id", (struct agg_db_arg[]){ AGG_I(now_ms) }, 1,
	    visitor_cancelled_row, rows, NULL) == 0 ? 0 : -1;
}

void
agg_visitor_mask(const char *doc, char *out, size_t outlen)
{
	size_t n = strlen(doc), keep = n > 4 ? 4 : 0, i;

	if (outlen == 0)
		return;
	/* Four characters or fewer: masked whole, as the gates do. */
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = i < n - keep ? '*' : doc[i];
	out[i] = '\0';
}

static void
agg_visitor_set_time(json_t *o, const char *key, const char *key_ms,
    int64_t ms)
{
	char t[TIMEFMT_LEN];

	if (ms == 0) {
		json_object_set_new(o, key, json_string(""));
		json_object_set_new(o, key_ms, json_null());
		return;
	}
	json_object_set_new(o, key, json_string(timefmt_format(ms, t,
	    sizeof(t))));
	json_object_set_new(o, key_ms, json_integer(ms));
}

json_t *
agg_visitor_json(const struct agg_visitor *v, bool full, int64_t now_ms)
{
	char masked[sizeof(v->doc_number)];
	const char *status;
	json_t *o;

	if (v->cancelled_ms != 0)
		status = "cancelled";
	else if (now_ms >= v->until_ms)
		status = "expired";
	else if (now_ms < v->from_ms)
		status = "upcoming";
	else
		status = "valid";
	agg_visitor_mask(v->doc_number, masked, sizeof(masked));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", v->id, "status", status, "name", v->name,
	    "document_kind", v->doc_kind,
	    "document", full ? v->doc_number : masked,
	    "host", v->host, "purpose", v->purpose, "lanes", v->lanes,
	    "registered_by", v->registered_by);
	if (o == NULL)
		return NULL;
	agg_visitor_set_time(o, "from", "from_ms", v->from_ms);
	agg_visitor_set_time(o, "until", "until_ms", v->until_ms);
	agg_visitor_set_time(o, "registered", "registered_ms",
	    v->registered_ms);
	agg_visitor_set_time(o, "cancelled", "cancelled_ms", v->cancelled_ms);
	json_object_set_new(o, "cancelled_by", json_string(v->cancelled_by));
	return o;
}

struct agg_visitor_list_ctx {
	json_t *rows;
	bool full;
	int64_t now_ms;
};

static int
agg_visitor_list_row(void *arg, int ncol, const char *const *col)
{
	struct agg_visitor_list_ctx *c = arg;
	struct agg_visitor v;
	json_t *o;

	agg_visitor_of_row(&v, ncol, col);
	if ((o = agg_visitor_json(&v, c->full, c->now_ms)) == NULL)
		return -1;
	json_array_append_new(c->rows, o);
	return 0;
}

json_t *
agg_visitor_list(struct agg_db *db, int64_t from_ms, int64_t to_ms,
    bool full, int64_t now_ms)
{
	struct agg_visitor_list_ctx c = { json_array(), full, now_ms };

	if (to_ms <= 0)
		to_ms = INT64_MAX;
	if (c.rows == NULL || agg_db_run(db, "SELECT " AGG_VISITOR_COLUMNS
	    " FROM visitors WHERE until_ms > $1 AND from_ms < $2 ORDER BY "
	    "registered_ms DESC, id DESC", (struct agg_db_arg[]){
	    AGG_I(from_ms), AGG_I(to_ms) }, 2, agg_visitor_list_row, &c,
	    NULL) != 0) {
		json_decref(c.rows);
		return NULL;
	}
	return c.rows;
}

int
agg_visitor_pass(const struct agg_visitor *v,
    const uint8_t sk[TOKEN_SK_BYTES], char *out, size_t outlen)
{
	return token_visitor_make(v->id, v->from_ms / 1000, v->until_ms / 1000,
	    v->lanes, sk, out, outlen);
}
