/*
 * The people list's storage (agg_people.h): one SQL text for both
 * databases, every row checked as a gate checks it before it is kept, so
 * that a list the aggregator sends is never one a gate refuses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg_people.h"
#include "agg_xlsx.h"
#include "keyfile.h"
#include "log.h"
#include "mask.h"
#include "sitetime.h"
#include "timefmt.h"

#define PEOPLE_COLS "id, kind, subject, name, department, lanes, " \
	"valid_from_ms, valid_until_ms, status, role, serial, pubkey, " \
	"check_hash"

/* A person's row with what people_cards holds for it (p.id ...). */
#define PEOPLE_SELECT "SELECT p.id, p.kind, p.subject, p.name, " \
	"p.department, p.lanes, p.valid_from_ms, p.valid_until_ms, " \
	"p.status, p.role, p.serial, p.pubkey, p.check_hash, " \
	"COALESCE(k.send_as, ''), COALESCE(k.pin_hash, '') FROM people p " \
	"LEFT JOIN people_cards k ON k.id = p.id"

static void
people_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* A row of PEOPLE_COLS into p. */
static void
people_row(int ncol, const char *const *col, struct agg_person *p)
{
	struct credential *c = &p->c;
	int v;

	memset(p, 0, sizeof(*p));
	if (ncol < 15)
		return;
	people_copy(c->id, sizeof(c->id), col[0]);
	c->kind = (v = cred_kind_from_name(col[1] ? col[1] : "")) > 0 ?
	    v : CRED_NONE;
	people_copy(c->subject, sizeof(c->subject), col[2]);
	people_copy(c->name, sizeof(c->name), col[3]);
	people_copy(p->department, sizeof(p->department), col[4]);
	people_copy(c->lanes, sizeof(c->lanes), col[5]);
	c->valid_from_ms = col[6] ? strtoll(col[6], NULL, 10) : 0;
	c->valid_until_ms = col[7] ? strtoll(col[7], NULL, 10) : 0;
	c->status = (v = cred_status_from_name(col[8] ? col[8] : "")) >= 0 ?
	    v : CRED_REVOKED;
	c->role = (v = cred_role_from_name(col[9] ? col[9] : "")) >= 0 ?
	    v : ROLE_STAFF;
	c->serial = col[10] ? (uint32_t)strtoull(col[10], NULL, 10) : 0;
	if (col[11] != NULL && col[11][0] != '\0' &&
	    key_pk_from_text(col[11], c->pubkey) == 0)
		c->has_pubkey = true;
	people_copy(c->check_hash, sizeof(c->check_hash), col[12]);
	people_copy(c->send_as, sizeof(c->send_as), col[13]);
	people_copy(c->pin_hash, sizeof(c->pin_hash), col[14]);
}

struct people_each {
	int (*cb)(const struct agg_person *p, void *arg);
	void *arg;
};

static int
people_each_row(void *arg, int ncol, const char *const *col)
{
	struct people_each *e = arg;
	struct agg_person p;

	people_row(ncol, col, &p);
	return e->cb(&p, e->arg);
}

int
agg_people_foreach(struct agg_db *db,
    int (*cb)(const struct agg_person *p, void *arg), void *arg)
{
	struct people_each e = { cb, arg };

	return agg_db_run(db, PEOPLE_SELECT " ORDER BY p.id", NULL, 0,
	    people_each_row, &e, NULL);
}

static int
people_get_row(void *arg, int ncol, const char *const *col)
{
	people_row(ncol, col, arg);
	return 1;
}

int
agg_people_get(struct agg_db *db, const char *id, struct agg_person *p)
{
	struct agg_db_arg args[] = { AGG_S(id) };
	int rc = agg_db_run(db, PEOPLE_SELECT " WHERE p.id = $1", args, 1,
	    people_get_row, p, NULL);

	return rc == -1 ? -1 : rc == 1 ? 1 : 0;
}

int
agg_people_touch(struct agg_db *db, int64_t now_ms)
{
	struct agg_db_arg args[] = { AGG_I(now_ms) };

	return agg_db_run(db, "UPDATE people_state SET edits = edits + 1, "
	    "edited_ms = $1 WHERE id = 1", args, 1, NULL, NULL, NULL);
}

static void
people_db_error(char *err, size_t errlen)
{
	snprintf(err, errlen, "the database could not be written (see the "
	    "log)");
}

/* Another row with the card of p: its id in other, 1; 0 none; -1. */
static int
people_card_taken(struct agg_db *db, const struct agg_person *p,
    char *other, size_t len)
{
	struct agg_db_arg args[] = { AGG_S(cred_kind_name(p->c.kind)),
	    AGG_S(p->c.subject), AGG_S(p->c.id) };
	struct agg_person o;
	int rc;

	rc = agg_db_run(db, PEOPLE_SELECT " WHERE p.kind = $1 AND "
	    "p.subject = $2 AND p.id <> $3", args, 3, people_get_row, &o,
	    NULL);
	if (rc == 1)
		people_copy(other, len, o.c.id);
	return rc == -1 ? -1 : rc == 1 ? 1 : 0;
}

/* Writes p, checked, without an edit: the callers count one. */
static int
people_write(struct agg_db *db, const struct agg_person *p, int mode,
    int64_t now_ms, char *err, size_t errlen)
{
	const struct credential *c = &p->c;
	char pk[KEY_PK_TEXT] = "", other[64];
	struct agg_person old;
	int found;

	if (credential_validate(c, err, errlen) == -1)
		return -1;
	if (strlen(p->department) >= sizeof(p->department) ||
	    strpbrk(p->department, "\r\n\t") != NULL) {
		snprintf(err, errlen, "department: one line of at most %zu "
		    "bytes", sizeof(p->department) - 1);
		return -1;
	}
	if ((found = agg_people_get(db, c->id, &old)) == -1)
		goto dberr;
	/* mode: 1 create, 0 replace, -1 either (an import). */
	if (mode == 1 && found) {
		snprintf(err, errlen, "%s is there already (people edit)",
		    c->id);
		return -1;
	}
	if (mode == 0 && !found) {
		snprintf(err, errlen, "no one has the id %s", c->id);
		return -1;
	}
	switch (people_card_taken(db, p, other, sizeof(other))) {
	case -1:
		goto dberr;
	case 1:
		/* The subject is not said: a CCCD's is a citizen number. */
		snprintf(err, errlen, "the same %s%scard as %s",
		    c->kind == CRED_CARD ? "" : cred_kind_name(c->kind),
		    c->kind == CRED_CARD ? "" : " ", other);
		return -1;
	}
	if (c->has_pubkey)
		key_pk_to_text(c->pubkey, pk);
	{
		struct agg_db_arg args[] = { AGG_S(c->id),
		    AGG_S(cred_kind_name(c->kind)), AGG_S(c->subject),
		    AGG_S(c->name), AGG_S(p->department), AGG_S(c->lanes),
		    AGG_I(c->valid_from_ms), AGG_I(c->valid_until_ms),
		    AGG_S(cred_status_name(c->status)),
		    AGG_S(cred_role_name(c->role)), AGG_I(c->serial),
		    AGG_S(pk), AGG_S(c->check_hash), AGG_I(now_ms) };

		if (agg_db_run(db, "INSERT INTO people (" PEOPLE_COLS
		    ", changed_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
		    "$10, $11, $12, $13, $14) ON CONFLICT (id) DO UPDATE SET "
		    "kind = $2, subject = $3, name = $4, department = $5, "
		    "lanes = $6, valid_from_ms = $7, valid_until_ms = $8, "
		    "status = $9, role = $10, serial = $11, pubkey = $12, "
		    "check_hash = $13, changed_ms = $14", args, 14, NULL, NULL,
		    NULL) == -1)
			goto dberr;
	}
	{
		struct agg_db_arg args[] = { AGG_S(c->id), AGG_S(c->send_as),
		    AGG_S(c->pin_hash) };

		if (agg_db_run(db, "INSERT INTO people_cards (id, send_as, "
		    "pin_hash) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE "
		    "SET send_as = $2, pin_hash = $3", args, 3, NULL, NULL,
		    NULL) == -1)
			goto dberr;
	}
	return 0;
dberr:
	people_db_error(err, errlen);
	return -1;
}

/* The change's edit, once it was written (rc 0). */
static int
people_edited(struct agg_db *db, int rc, int64_t now_ms, char *err,
    size_t errlen)
{
	if (rc == -1)
		return -1;
	if (agg_people_touch(db, now_ms) == -1) {
		people_db_error(err, errlen);
		return -1;
	}
	return 0;
}

int
agg_people_put(struct agg_db *db, const struct agg_person *p, bool create,
    int64_t now_ms, char *err, size_t errlen)
{
	return people_edited(db, people_write(db, p, create ? 1 : 0, now_ms,
	    err, errlen), now_ms, err, errlen);
}

/* The row of id into p.  0, or -1 with the reason in err. */
static int
people_read(struct agg_db *db, const char *id, struct agg_person *p,
    char *err, size_t errlen)
{
	int rc;

	if ((rc = agg_people_get(db, id, p)) == 1)
		return 0;
	if (rc == 0)
		snprintf(err, errlen, "no one has the id %s", id);
	else
		people_db_error(err, errlen);
	return -1;
}

int
agg_people_set_status(struct agg_db *db, const char *id,
    enum cred_status st, int64_t now_ms, char *err, size_t errlen)
{
	struct agg_person p;

	if (people_read(db, id, &p, err, errlen) == -1)
		return -1;
	p.c.status = st;
	return people_edited(db, people_write(db, &p, 0, now_ms, err, errlen),
	    now_ms, err, errlen);
}

int
agg_people_new_serial(struct agg_db *db, const char *id, uint32_t *serial,
    int64_t now_ms, char *err, size_t errlen)
{
	struct agg_person p;

	if (people_read(db, id, &p, err, errlen) == -1)
		return -1;
	if (p.c.kind != CRED_SIGNED) {
		snprintf(err, errlen, "%s is a %s credential: only a signed one "
		    "has a badge serial", id, cred_kind_name(p.c.kind));
		return -1;
	}
	if (p.c.serial == UINT32_MAX) {
		snprintf(err, errlen, "%s: no serial left", id);
		return -1;
	}
	*serial = ++p.c.serial;
	return people_edited(db, people_write(db, &p, 0, now_ms, err, errlen),
	    now_ms, err, errlen);
}

struct people_import {
	struct agg_db *db;
	const char *dept;
	int64_t now_ms;
};

static int
people_import_row(const struct credential *c, int line, void *arg,
    char *msg, size_t msglen)
{
	struct people_import *im = arg;
	struct agg_person p = { .c = *c }, old;

	(void)line;
	/* --department, else the list's own group column (a gate's
	 * credential list and the people list are one format), else
	 * what the person had. */
	if (im->dept != NULL)
		people_copy(p.department, sizeof(p.department), im->dept);
	else if (c->group[0] != '\0')
		people_copy(p.department, sizeof(p.department), c->group);
	else if (agg_people_get(im->db, c->id, &old) == 1)
		memcpy(p.department, old.department, sizeof(p.department));
	return people_write(im->db, &p, -1, im->now_ms, msg, msglen);
}

/*
 * An XLSX workbook (by its zip magic, not its name) as the CSV text of
 * its first sheet in *csv, opened as *f; 0 when f is no workbook (f is
 * then at its start), 1, or -1 with the problem in err.
 */
static int
people_xlsx(FILE **f, const char *fname, char **csv, char *err,
    size_t errlen)
{
	char magic[4], why[256], *buf = NULL, *p;
	size_t len = 0, size = 0, n, csvlen;
	int rc;

	*csv = NULL;
	n = fread(magic, 1, sizeof(magic), *f);
	if (!agg_xlsx_is(magic, n))
		return fseek(*f, 0, SEEK_SET) == 0 ? 0 : -1;
	if (fseek(*f, 0, SEEK_SET) != 0)
		return -1;
	do {
		if (len == size) {
			size = size ? size * 2 : 65536;
			if (size > AGG_XLSX_MAX_BYTES + 1)
				size = AGG_XLSX_MAX_BYTES + 1;
			if (len == size ||
			    (p = realloc(buf, size)) == NULL) {
				free(buf);
				snprintf(err, errlen, "%s: the workbook is "
				    "too large", fname);
				return -1;
			}
			buf = p;
		}
		len += n = fread(buf + len, 1, size - len, *f);
	} while (n > 0);
	rc = agg_xlsx_csv(buf, len, csv, &csvlen, why, sizeof(why));
	free(buf);
	if (rc == -1) {
		snprintf(err, errlen, "%s: %s", fname, why);
		return -1;
	}
	if ((*f = fmemopen(*csv, csvlen, "r")) == NULL) {
		free(*csv);
		snprintf(err, errlen, "%s: %s", fname, strerror(errno));
		return -1;
	}
	return 1;
}

int
agg_people_import(struct agg_db *db, FILE *f, const char *fname,
    const char *dept, int64_t now_ms, char *err, size_t errlen)
{
	struct people_import im = { db, dept, now_ms };
	char *csv, sheet[256];
	int n, xlsx;

	if ((xlsx = people_xlsx(&f, fname, &csv, err, errlen)) == -1)
		return -1;
	/* The CSV reader's "FILE:LINE:" is "FILE: sheet row LINE:" here. */
	snprintf(sheet, sizeof(sheet), "%s: sheet row", fname);
	n = cred_csv_read(f, xlsx ? sheet : fname, people_import_row, &im,
	    err, errlen);
	if (xlsx) {
		fclose(f);
		free(csv);
		if (n == -1 && strncmp(err, sheet, strlen(sheet)) == 0 &&
		    err[strlen(sheet)] == ':')
			err[strlen(sheet)] = ' ';
	}
	if (people_edited(db, n == -1 ? -1 : 0, now_ms, err, errlen) == -1)
		return -1;
	return n;
}

json_t *
agg_person_json(const struct agg_person *p, bool full)
{
	const struct credential *c = &p->c;
	char subject[64], from[TIMEFMT_LEN] = "", until[TIMEFMT_LEN] = "";
	char send_as[WIEGAND_TEXT_MAX];
	json_t *o;

	/* send_as is a card number like a subject: shown as subjects are. */
	if (full) {
		people_copy(subject, sizeof(subject), c->subject);
		people_copy(send_as, sizeof(send_as), c->send_as);
	} else {
		mask_subject(MASK_LAST4, c->subject, subject, sizeof(subject));
		mask_subject(MASK_LAST4, c->send_as, send_as, sizeof(send_as));
	}
	if (c->valid_from_ms != 0)
		timefmt_format(c->valid_from_ms, from, sizeof(from));
	if (c->valid_until_ms != 0)
		timefmt_format(c->valid_until_ms, until, sizeof(until));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, "
	    "s:s, s:s, s:I}", "id", c->id, "kind", cred_kind_name(c->kind),
	    "subject", subject, "name", c->name, "department", p->department,
	    "lanes", c->lanes, "valid_from", from, "valid_from_ms",
	    (json_int_t)c->valid_from_ms, "valid_until", until,
	    "valid_until_ms", (json_int_t)c->valid_until_ms,
	    "status", cred_status_name(c->status),
	    "role", cred_role_name(c->role), "serial", (json_int_t)c->serial);
	/* Whether there is a PIN, never its hash. */
	if (o != NULL && (json_object_set_new(o, "send_as",
	    json_string(send_as)) == -1 || json_object_set_new(o, "pin",
	    json_boolean(c->pin_hash[0] != '\0')) == -1)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

struct people_json {
	json_t *list;
	bool full;
};

static int
people_json_row(const struct agg_person *p, void *arg)
{
	struct people_json *j = arg;

	return json_array_append_new(j->list, agg_person_json(p, j->full));
}

json_t *
agg_people_list(struct agg_db *db, bool full)
{
	struct people_json j = { json_array(), full };

	if (j.list == NULL || agg_people_foreach(db, people_json_row,
	    &j) != 0) {
		json_decref(j.list);
		return NULL;
	}
	return j.list;
}

static int
people_state_row(void *arg, int ncol, const char *const *col)
{
	struct agg_people_state *st = arg;

	if (ncol >= 4) {
		st->edits = col[0] ? strtoll(col[0], NULL, 10) : 0;
		st->pushed_edits = col[1] ? strtoll(col[1], NULL, 10) : 0;
		st->version = col[2] ? strtoll(col[2], NULL, 10) : 0;
		st->pushed_ms = col[3] ? strtoll(col[3], NULL, 10) : 0;
	}
	return 1;
}

int
agg_people_state(struct agg_db *db, struct agg_people_state *st)
{
	memset(st, 0, sizeof(*st));
	return agg_db_run(db, "SELECT edits, pushed_edits, version, pushed_ms "
	    "FROM people_state WHERE id = 1", NULL, 0, people_state_row, st,
	    NULL) == -1 ? -1 : 0;
}

int
agg_people_name(struct agg_db *db, const char *id, char *name,
    size_t namelen, char *dept, size_t deptlen)
{
	struct agg_person p;
	int rc;

	name[0] = dept[0] = '\0';
	if (id == NULL || id[0] == '\0')
		return 0;
	if ((rc = agg_people_get(db, id, &p)) == 1) {
		people_copy(name, namelen, p.c.name);
		people_copy(dept, deptlen, p.department);
	}
	return rc;
}

/* A time member: ms, or text in the site's zone; absent or "": 0. */
static int
person_time(const json_t *o, const char *key, int64_t *ms, char *err,
    size_t errlen)
{
	const json_t *v = json_object_get(o, key);
	char why[200];

	*ms = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*ms = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && json_string_value(v)[0] == '\0')
		return 0;
	if (json_is_string(v) && sitetime_parse(json_string_value(v), ms, why,
	    sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s: a date (YYYY-MM-DD), a time or "
	    "milliseconds", key);
	return -1;
}

/* A text member into dst, which must hold it; absent: def. */
static int
person_text(const json_t *o, const char *key, char *dst, size_t size,
    const char *def, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		people_copy(dst, size, def);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= size) {
		snprintf(err, errlen, "%s: text of at most %zu bytes", key,
		    size - 1);
		return -1;
	}
	people_copy(dst, size, json_string_value(v));
	return 0;
}

/*
 * "pin": a card's PIN as typed, 4 to 8 digits, hashed at once (only the
 * hash is kept); "" or absent: none.
 */
static int
person_pin(const json_t *o, char *hash, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, "pin");

	hash[0] = '\0';
	if (v == NULL || json_is_null(v) ||
	    (json_is_string(v) && json_string_value(v)[0] == '\0'))
		return 0;
	if (!json_is_string(v) || !cred_pin_valid(json_string_value(v))) {
		snprintf(err, errlen, "pin: %d to %d digits", CRED_PIN_MIN_DIGITS,
		    CRED_PIN_MAX_DIGITS);
		return -1;
	}
	if (cred_pin_hash(json_string_value(v), hash) == -1) {
		snprintf(err, errlen, "pin: cannot hash it");
		return -1;
	}
	return 0;
}

int
agg_person_from_json(const json_t *o, struct agg_person *p, char *err,
    size_t errlen)
{
	struct credential *c = &p->c;
	char kind[16], status[16], role[16], card[WIEGAND_TEXT_MAX];
	int v;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(o)) {
		snprintf(err, errlen, "a JSON object is needed");
		return -1;
	}
	if (person_text(o, "id", c->id, sizeof(c->id), "", err, errlen) ||
	    person_text(o, "kind", kind, sizeof(kind), "signed", err,
	    errlen) ||
	    person_text(o, "subject", c->subject, sizeof(c->subject), "", err,
	    errlen) ||
	    person_text(o, "name", c->name, sizeof(c->name), "", err,
	    errlen) ||
	    person_text(o, "department", p->department,
	    sizeof(p->department), "", err, errlen) ||
	    person_text(o, "lanes", c->lanes, sizeof(c->lanes), "*", err,
	    errlen) ||
	    person_text(o, "status", status, sizeof(status), "active", err,
	    errlen) ||
	    person_text(o, "role", role, sizeof(role), "staff", err,
	    errlen) ||
	    person_text(o, "send_as", c->send_as, sizeof(c->send_as), "", err,
	    errlen) ||
	    person_pin(o, c->pin_hash, err, errlen) ||
	    person_time(o, "valid_from", &c->valid_from_ms, err, errlen) ||
	    person_time(o, "valid_until", &c->valid_until_ms, err, errlen))
		return -1;
	{
		const json_t *v = json_object_get(o, "serial");

		if (v != NULL && (!json_is_integer(v) ||
		    json_integer_value(v) < 0 ||
		    json_integer_value(v) > UINT32_MAX)) {
			snprintf(err, errlen, "serial: 0 to 4294967295");
			return -1;
		}
		c->serial = (uint32_t)json_integer_value(v);
	}
	/* A signed badge's subject is the id its token carries. */
	if (c->subject[0] == '\0' && strcmp(kind, "signed") == 0)
		people_copy(c->subject, sizeof(c->subject), c->id);
	if ((v = cred_kind_from_name(kind)) <= CRED_NONE) {
		snprintf(err, errlen, "kind: badge, cccd, signed, dynamic, "
		    "visitor or card");
		return -1;
	}
	c->kind = v;
	/* People type cards: hex in either case is the card.  What is no
	 * card stays as typed, for credential_validate() to say so. */
	if (c->kind == CRED_CARD && credential_card_text_normalise(c->subject,
	    card, sizeof(card)) == 0)
		people_copy(c->subject, sizeof(c->subject), card);
	if (c->send_as[0] != '\0' && credential_card_text_normalise(c->send_as,
	    card, sizeof(card)) == 0)
		people_copy(c->send_as, sizeof(c->send_as), card);
	if ((v = cred_status_from_name(status)) < 0) {
		snprintf(err, errlen, "status: active, suspended or revoked");
		return -1;
	}
	c->status = v;
	if ((v = cred_role_from_name(role)) < 0) {
		snprintf(err, errlen, "role: staff or visitor");
		return -1;
	}
	c->role = v;
	return 0;
}

int
agg_person_edit(struct agg_db *db, const char *id, const json_t *changes,
    struct agg_person *p, char *err, size_t errlen)
{
	struct agg_person old;
	const char *k;
	json_t *doc, *v;
	int rc;

	if ((rc = agg_people_get(db, id, &old)) != 1) {
		snprintf(err, errlen, rc == 0 ? "no one has the id %s" :
		    "the database could not be read (%s)", id);
		return -1;
	}
	/* Full: the subject is written back as it is; times as ms, since
	 * the text is UTC, which the site's zone would read otherwise. */
	if ((doc = agg_person_json(&old, true)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_set_new(doc, "valid_from", json_integer(old.c.valid_from_ms));
	json_object_set_new(doc, "valid_until",
	    json_integer(old.c.valid_until_ms));
	/* The old row says whether it has a PIN; only a change sets one. */
	json_object_del(doc, "pin");
	json_object_foreach((json_t *)changes, k, v)
		if (strcmp(k, "id") != 0)
			json_object_set(doc, k, v);
	rc = agg_person_from_json(doc, p, err, errlen);
	json_decref(doc);
	if (rc == -1)
		return -1;
	/* What a form does not carry stays: the key and the card's hash. */
	p->c.has_pubkey = old.c.has_pubkey;
	memcpy(p->c.pubkey, old.c.pubkey, sizeof(p->c.pubkey));
	memcpy(p->c.check_hash, old.c.check_hash, sizeof(p->c.check_hash));
	/* A PIN belongs to a card: it stays while the person keeps one. */
	if (json_object_get(changes, "pin") == NULL && p->c.kind == CRED_CARD)
		memcpy(p->c.pin_hash, old.c.pin_hash, sizeof(p->c.pin_hash));
	return 0;
}
