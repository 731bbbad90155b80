/*
 * CSV import and export of a gate's credentials (RFC 4180); the reader
 * is the shared one (cred_csv.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keyfile.h"
#include "store.h"
#include "store_private.h"
#include "timefmt.h"

static int
csv_import_row(const struct credential *c, int line, void *arg, char *msg,
    size_t msglen)
{
	(void)line;
	return store_credential_write(arg, c, msg, msglen);
}

int
store_credential_import_csv(struct store *st, FILE *f, const char *fname,
    char *err, size_t errlen)
{
	int n;

	if (store_begin(st) == -1) {
		snprintf(err, errlen, "%s: %s", fname, store_errmsg(st));
		return -1;
	}
	if ((n = cred_csv_read(f, fname, csv_import_row, st, err,
	    errlen)) == -1) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) == -1) {
		snprintf(err, errlen, "%s: %s", fname, store_errmsg(st));
		store_rollback(st);
		return -1;
	}
	return n;
}

/* One field, quoted when it holds a separator, a quote or a line break. */
static void
csv_field_write(FILE *f, const char *v, bool last)
{
	if (strpbrk(v, ",\"\r\n") == NULL)
		fputs(v, f);
	else {
		putc('"', f);
		for (; *v != '\0'; v++) {
			if (*v == '"')
				putc('"', f);
			putc(*v, f);
		}
		putc('"', f);
	}
	fputs(last ? "\r\n" : ",", f);
}

static void
csv_time_write(FILE *f, int64_t ms)
{
	char buf[TIMEFMT_LEN];

	if (ms == 0)
		buf[0] = '\0';
	else
		timefmt_format(ms, buf, sizeof(buf));
	csv_field_write(f, buf, false);
}

static int
csv_export_row(const struct credential *c, void *arg)
{
	FILE *f = arg;
	char serial[16], pk[KEY_PK_TEXT] = "";

	if (c->has_pubkey)
		key_pk_to_text(c->pubkey, pk);
	snprintf(serial, sizeof(serial), "%lu", (unsigned long)c->serial);
	csv_field_write(f, c->id, false);
	csv_field_write(f, cred_kind_name(c->kind), false);
	csv_field_write(f, c->subject, false);
	csv_field_write(f, c->name, false);
	csv_time_write(f, c->valid_from_ms);
	csv_time_write(f, c->valid_until_ms);
	csv_field_write(f, cred_status_name(c->status), false);
	csv_field_write(f, c->lanes, false);
	csv_field_write(f, cred_role_name(c->role), false);
	csv_field_write(f, serial, false);
	csv_field_write(f, pk, false);
	csv_field_write(f, c->check_hash, false);
	csv_field_write(f, c->send_as, false);
	csv_field_write(f, c->pin_hash, false);
	csv_field_write(f, c->group, false);
	csv_field_write(f, c->schedule, true);
	return ferror(f) ? 1 : 0;
}

int
store_credential_export_csv(struct store *st, FILE *f)
{
	for (int i = 0; i < CRED_CSV_FIELDS; i++)
		fprintf(f, "%s%s", cred_csv_header[i], i + 1 < CRED_CSV_FIELDS ? "," :
		    "\r\n");
	if (store_credential_foreach(st, csv_export_row, f) == -1 ||
	    ferror(f))
		return -1;
	return 0;
}
