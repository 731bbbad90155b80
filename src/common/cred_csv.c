/*
 * The credential CSV's reader (RFC 4180), shared by the gate's import,
 * qrgatectl's push and the aggregator's people import.  A record is read
 * a byte at a time into fixed buffers a little larger than any credential
 * field, so an over-long field is reported by name instead of silently
 * cut.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "keyfile.h"
#include "sitetime.h"
#include "timefmt.h"

/* The first 8 columns are needed; role, serial and pubkey (schema 3)
 * may follow, then check_hash (schema 5), then send_as and pin_hash
 * (schema 7), then group and schedule (schema 9), so older lists still
 * import. */
#define CSV_FIELDS	CRED_CSV_FIELDS
#define CSV_FIELDS_V7	14
#define CSV_FIELDS_V5	12
#define CSV_FIELDS_V3	11
#define CSV_FIELDS_V1	8
#define CSV_FIELD_MAX	256

struct csv_record {
	int line;			/* physical line it starts on */
	int nfields;
	char field[CSV_FIELDS][CSV_FIELD_MAX];
	size_t len[CSV_FIELDS];		/* true length, even if cut */
};

const char *const cred_csv_header[CSV_FIELDS] = {
	"id", "kind", "subject", "name", "valid_from", "valid_until",
	"status", "lanes", "role", "serial", "pubkey", "check_hash",
	"send_as", "pin_hash", "group", "schedule",
};

static int
csv_field_add(struct csv_record *r, int c, const char **msg)
{
	size_t *n = &r->len[r->nfields];

	if (c == '\0') {
		*msg = "NUL byte in a field";
		return -1;
	}
	if (*n < CSV_FIELD_MAX - 1) {
		r->field[r->nfields][*n] = (char)c;
		r->field[r->nfields][*n + 1] = '\0';
	}
	(*n)++;
	return 0;
}

static int
csv_field_next(struct csv_record *r, const char **msg)
{
	if (r->nfields + 1 >= CSV_FIELDS) {
		*msg = "more than 16 fields";
		return -1;
	}
	r->nfields++;
	r->len[r->nfields] = 0;
	r->field[r->nfields][0] = '\0';
	return 0;
}

/* After a field: CRLF or LF ends the record. */
static int
csv_line_end(FILE *f, int c, int *line, const char **msg)
{
	if (c == '\r' && (c = getc(f)) != '\n') {
		*msg = "carriage return without a line feed";
		return -1;
	}
	if (c == '\n')
		(*line)++;
	return 0;
}

/*
 * Reads one record.  Returns 1 with r filled, 0 at the end of the file,
 * -1 on malformed CSV with *msg set.  *line counts physical lines.
 */
static int
csv_read(FILE *f, int *line, struct csv_record *r, const char **msg)
{
	enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN } state = FIELD_START;
	int c;

	if ((c = getc(f)) == EOF)
		return 0;
	ungetc(c, f);
	r->line = *line;
	r->nfields = 0;
	r->len[0] = 0;
	r->field[0][0] = '\0';
	for (;;) {
		c = getc(f);
		switch (state) {
		case FIELD_START:
			if (c == '"') {
				state = QUOTED;
				continue;
			}
			/* FALLTHROUGH */
		case UNQUOTED:
			if (c == '"') {
				*msg = "quote inside an unquoted field";
				return -1;
			}
			break;
		case QUOTED:
			if (c == EOF) {
				*msg = "quoted field not closed";
				return -1;
			}
			if (c == '"')
				state = QUOTE_SEEN;
			else {
				if (c == '\n')
					(*line)++;
				if (csv_field_add(r, c, msg) == -1)
					return -1;
			}
			continue;
		case QUOTE_SEEN:
			if (c == '"') {
				state = QUOTED;
				if (csv_field_add(r, c, msg) == -1)
					return -1;
				continue;
			}
			if (c != ',' && c != '\r' && c != '\n' && c != EOF) {
				*msg = "text after a closing quote";
				return -1;
			}
			break;
		}
		/* Outside quotes: a separator, the end, or field text. */
		if (c == ',') {
			if (csv_field_next(r, msg) == -1)
				return -1;
			state = FIELD_START;
		} else if (c == '\r' || c == '\n' || c == EOF) {
			r->nfields++;
			if (c != EOF && csv_line_end(f, c, line, msg) == -1)
				return -1;
			return 1;
		} else {
			if (csv_field_add(r, c, msg) == -1)
				return -1;
			state = UNQUOTED;
		}
	}
}

static int
csv_header_valid(struct csv_record *r)
{
	if (r->nfields != CSV_FIELDS && r->nfields != CSV_FIELDS_V7 &&
	    r->nfields != CSV_FIELDS_V5 &&
	    r->nfields != CSV_FIELDS_V3 && r->nfields != CSV_FIELDS_V1)
		return 0;
	for (int i = 0; i < r->nfields; i++) {
		const char *p = r->field[i];
		size_t n = strlen(p);

		/* Spaces around the names are tolerated. */
		while (*p == ' ' || *p == '\t') {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n != strlen(cred_csv_header[i]) ||
		    strncmp(p, cred_csv_header[i], n) != 0)
			return 0;
	}
	return 1;
}

static int
csv_time(const char *name, const char *v, int64_t *ms, char *msg,
    size_t msglen)
{
	char why[200];

	if (*v == '\0') {
		*ms = 0;
		return 0;
	}
	/* People write these lists: their times read as the CLI's do. */
	if (sitetime_parse(v, ms, why, sizeof(why)) == -1) {
		snprintf(msg, msglen, "%s: %s", name, why);
		return -1;
	}
	return 0;
}

/* role, serial, pubkey, check_hash, send_as, pin_hash, group and
 * schedule, when the list has them. */
static int
csv_policy_fields(const struct csv_record *r, struct credential *c,
    char *msg, size_t msglen)
{
	const char *serial = r->field[9];
	unsigned long long v;
	char *end;
	int role;

	c->role = ROLE_STAFF;
	if (r->nfields == CSV_FIELDS_V1)
		return 0;
	if (r->field[8][0] != '\0') {
		if ((role = cred_role_from_name(r->field[8])) == -1) {
			snprintf(msg, msglen, "role '%.15s' is not staff or "
			    "visitor", r->field[8]);
			return -1;
		}
		c->role = role;
	}
	if (serial[0] != '\0') {
		errno = 0;
		v = strtoull(serial, &end, 10);
		if (serial[0] < '0' || serial[0] > '9' || *end != '\0' ||
		    errno != 0 || v > UINT32_MAX) {
			snprintf(msg, msglen, "serial '%.15s' is not a number "
			    "from 0 to 4294967295", serial);
			return -1;
		}
		c->serial = (uint32_t)v;
	}
	if (r->field[10][0] != '\0') {
		if (key_pk_from_text(r->field[10], c->pubkey) == -1) {
			snprintf(msg, msglen, "pubkey is not a public key "
			    "(44 characters of base64)");
			return -1;
		}
		c->has_pubkey = true;
	}
	/* Their lengths were checked with the others'; their forms by
	 * validate. */
	if (r->nfields >= CSV_FIELDS_V5)
		memcpy(c->check_hash, r->field[11], r->len[11] + 1);
	if (r->nfields == CSV_FIELDS) {
		memcpy(c->group, r->field[14], r->len[14] + 1);
		memcpy(c->schedule, r->field[15], r->len[15] + 1);
	}
	if (r->nfields >= CSV_FIELDS_V7) {
		if (credential_card_text_normalise(r->field[12], c->send_as,
		    sizeof(c->send_as)) == -1)
			memcpy(c->send_as, r->field[12], r->len[12] + 1);
		memcpy(c->pin_hash, r->field[13], r->len[13] + 1);
	}
	return 0;
}

/* Turns a record into a credential, checking it as the stores do. */
static int
csv_credential(const struct csv_record *r, int nfields, struct credential *c,
    char *msg, size_t msglen)
{
	static const size_t size[CSV_FIELDS] = {
		sizeof(c->id), 16, sizeof(c->subject), sizeof(c->name),
		TIMEFMT_LEN, TIMEFMT_LEN, 16, sizeof(c->lanes), 16, 16,
		KEY_PK_TEXT + 4, sizeof(c->check_hash), sizeof(c->send_as),
		sizeof(c->pin_hash), sizeof(c->group), sizeof(c->schedule),
	};
	int kind, status;

	if (r->nfields != nfields) {
		snprintf(msg, msglen, "expected %d fields, found %d",
		    nfields, r->nfields);
		return -1;
	}
	for (int i = 0; i < r->nfields; i++) {
		if (r->len[i] >= size[i]) {
			snprintf(msg, msglen, "%s longer than %zu bytes",
			    cred_csv_header[i], size[i] - 1);
			return -1;
		}
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->id, r->field[0], r->len[0] + 1);
	memcpy(c->subject, r->field[2], r->len[2] + 1);
	memcpy(c->name, r->field[3], r->len[3] + 1);
	memcpy(c->lanes, r->field[7], r->len[7] + 1);
	kind = cred_kind_from_name(r->field[1]);
	if (kind <= CRED_NONE) {
		snprintf(msg, msglen, "kind '%.15s' is not badge, cccd, signed, "
		    "dynamic, visitor or card", r->field[1]);
		return -1;
	}
	c->kind = kind;
	if ((status = cred_status_from_name(r->field[6])) == -1) {
		snprintf(msg, msglen, "status '%.15s' is not active, suspended "
		    "or revoked", r->field[6]);
		return -1;
	}
	c->status = status;
	/* People type cards: hex in either case reads as the card. */
	if (c->kind == CRED_CARD)
		(void)credential_card_text_normalise(r->field[2], c->subject,
		    sizeof(c->subject));
	if (csv_time("valid_from", r->field[4], &c->valid_from_ms, msg,
	    msglen) == -1 ||
	    csv_time("valid_until", r->field[5], &c->valid_until_ms, msg,
	    msglen) == -1 || csv_policy_fields(r, c, msg, msglen) == -1)
		return -1;
	return credential_validate(c, msg, msglen);
}

/* Skips a UTF-8 byte order mark, which spreadsheet exports often add. */
static int
csv_skip_bom(FILE *f)
{
	int c = getc(f);

	if (c != 0xef) {
		if (c != EOF)
			ungetc(c, f);
		return 0;
	}
	return getc(f) == 0xbb && getc(f) == 0xbf ? 0 : -1;
}

int
cred_csv_read(FILE *f, const char *fname,
    int (*row)(const struct credential *c, int line, void *arg, char *msg,
    size_t msglen), void *arg, char *err, size_t errlen)
{
	struct csv_record r;
	struct credential c;
	const char *syntax = NULL;
	char msg[256];
	int line = 1, n = 0, rc, nfields;

	if (csv_skip_bom(f) == -1 ||
	    csv_read(f, &line, &r, &syntax) != 1 || !csv_header_valid(&r)) {
		snprintf(err, errlen, "%s:1: the first line must be "
		    "id,kind,subject,name,valid_from,valid_until,status,lanes"
		    "[,role,serial,pubkey[,check_hash[,send_as,pin_hash"
		    "[,group,schedule]]]]",
		    fname);
		return -1;
	}
	nfields = r.nfields;
	while ((rc = csv_read(f, &line, &r, &syntax)) == 1) {
		/* A blank line is no record; spreadsheets leave them. */
		if (r.nfields == 1 && r.len[0] == 0)
			continue;
		if (csv_credential(&r, nfields, &c, msg, sizeof(msg)) == -1 ||
		    row(&c, r.line, arg, msg, sizeof(msg)) == -1)
			goto fail;
		n++;
	}
	if (rc == -1) {
		snprintf(msg, sizeof(msg), "%s", syntax);
		goto fail;
	}
	if (ferror(f)) {
		snprintf(msg, sizeof(msg), "read error");
		r.line = line;
		goto fail;
	}
	return n;
fail:
	snprintf(err, errlen, "%s:%d: %s", fname, r.line, msg);
	return -1;
}

