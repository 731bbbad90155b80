/*
 * qrgatectl cred add|del|list|import|enroll-cccd: the credential list.
 * Writing commands create the database if need be, so the list can be loaded
 * before the daemon first runs; list only reads.
 */
#include "ctl.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cccd_check.h"
#include "ctl_table.h"
#include "keyfile.h"
#include "payload.h"
#include "sitetime.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#define CRED_COLS	15

static const char *const cred_heads[CRED_COLS] = {
	"ID", "KIND", "SUBJECT", "NAME", "FROM", "UNTIL", "STATUS", "LANES",
	"ROLE", "SERIAL", "PUBKEY", "GROUP", "SCHEDULE", "SEND_AS", "PIN",
};

_Static_assert(CRED_COLS <= CTL_TABLE_COLS, "cred table too wide");

/* Two passes, as in `events`: measure, then print. */
struct cred_table {
	struct ctl_table tab;
	bool measuring;
};

void
ctl_cred_usage(FILE *f)
{
	fprintf(f, "usage: qrgatectl cred add ID KIND SUBJECT [--name N] "
	    "[--from T] [--until T]\n"
	    "                      [--status S] [--lanes L] [--role R] "
	    "[--serial N] [--pubkey K]\n"
	    "                      [--send-as CARD] [--pin -] [--group G] "
	    "[--schedule NAME]\n"
	    "       qrgatectl cred del ID\n"
	    "       qrgatectl cred list [--json|--csv]\n"
	    "       qrgatectl cred import FILE.csv\n"
	    "       qrgatectl cred enroll-cccd ID --scan IMAGE|--text QRTEXT|-"
	    "\n                      [--name N] [--from T] [--until T] "
	    "[--status S] [--lanes L] [--role R]\n"
	    "  KIND is badge, cccd, signed, dynamic, visitor or card; S is active,\n"
	    "  suspended or revoked (default active); R is staff (default) or visitor; "
	    "K is a public key\n  (44 characters of base64; dynamic needs "
	    "one);\n"
	    "  CARD (a card's SUBJECT, --send-as) is h10301:FACILITY:NUMBER (also h10306,\n"
	    "  c1k35, h10304), h10302:NUMBER or raw:NBITS:HEX; --pin - reads a PIN of\n"
	    "  4 to 8 digits from stdin (card only);\n"
	    "  L is \"*\" (default) or items LANE[:entry|exit] joined by "
	    "commas;\n"
	    "  T is YYYY-MM-DD[THH:MM[:SS]] in site.timezone, or with Z or an "
	    "offset\n  (+07:00), or ms since the epoch\n");
}

struct store *
ctl_store_open(struct ctl *c, bool read_only)
{
	const char *path = c->cfg.store.path;

	if (read_only && access(path, R_OK) == -1) {
		fprintf(stderr, "qrgatectl: cannot open %s: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	return store_open(path, c->cfg.store.synchronous, read_only);
}

/* Copies an argument into a field; -1 if it does not fit. */
static int
cred_arg_copy(char *dst, size_t size, const char *what, const char *v)
{
	if (strlen(v) >= size) {
		fprintf(stderr, "qrgatectl: cred: %s longer than %zu bytes\n",
		    what, size - 1);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
cred_arg_time(int64_t *ms, const char *what, const char *v)
{
	char msg[200];

	if (*v == '\0') {
		*ms = 0;
		return 0;
	}
	if (sitetime_parse(v, ms, msg, sizeof(msg)) == -1) {
		fprintf(stderr, "qrgatectl: cred: %s: %s\n", what, msg);
		return -1;
	}
	return 0;
}

static int
cred_arg_serial(uint32_t *serial, const char *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 ||
	    n > UINT32_MAX) {
		fprintf(stderr, "qrgatectl: cred: --serial '%s' is not a "
		    "number from 0 to 4294967295\n", v);
		return -1;
	}
	*serial = (uint32_t)n;
	return 0;
}

/* A card as typed into its canonical text; what to type if it is not. */
static int
cred_arg_card(char *dst, size_t size, const char *what, const char *v)
{
	if (credential_card_text_normalise(v, dst, size) == -1) {
		fprintf(stderr, "qrgatectl: cred: %s '%.63s' is not a card: "
		    "expected " CRED_CARD_FORM "\n", what, v);
		return -1;
	}
	return 0;
}

/*
 * --pin -: one line of stdin, so that the PIN stays out of ps and the
 * shell's history, hashed at once (cred_pin.h) and wiped.  Only the hash
 * is kept.
 */
static int
cred_arg_pin(char *hash, const char *v)
{
	char line[64];
	int r = 0;

	if (strcmp(v, "-") != 0) {
		fprintf(stderr, "qrgatectl: cred: --pin takes \"-\" and reads "
		    "the PIN from stdin, never from the command line\n");
		return -1;
	}
	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "qrgatectl: cred: --pin -: nothing on stdin\n");
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (!cred_pin_valid(line)) {
		fprintf(stderr, "qrgatectl: cred: a PIN is %d to %d digits\n",
		    CRED_PIN_MIN_DIGITS, CRED_PIN_MAX_DIGITS);
		r = -1;
	} else if (cred_pin_hash(line, hash) == -1) {
		fprintf(stderr, "qrgatectl: cred: cannot hash the PIN\n");
		r = -1;
	}
	sodium_memzero(line, sizeof(line));
	return r;
}

/* What add and enroll-cccd read from their arguments. */
struct cred_args {
	struct credential cr;
	const char *pos[3];
	int npos;
	bool has_name;
	const char *scan;	/* enroll-cccd: --scan IMAGE */
	const char *text;	/* ... or --text QRTEXT, "-" for stdin */
};

/* The options of add (and of enroll-cccd when enroll).  Returns 0, or the
 * exit status. */
static int
cred_args_read(struct cred_args *a, int argc, char **argv, bool enroll)
{
	struct credential *cr = &a->cr;
	const char *v;
	int status, role;

	memset(a, 0, sizeof(*a));
	cr->status = CRED_ACTIVE;
	snprintf(cr->lanes, sizeof(cr->lanes), "*");
	for (int i = 1; i < argc; i++) {
		if ((v = ctl_opt(argc, argv, &i, "--name")) != NULL) {
			if (cred_arg_copy(cr->name, sizeof(cr->name), "name",
			    v) == -1)
				return 1;
			a->has_name = true;
		} else if ((v = ctl_opt(argc, argv, &i, "--from")) != NULL) {
			if (cred_arg_time(&cr->valid_from_ms, "--from",
			    v) == -1)
				return 2;
		} else if ((v = ctl_opt(argc, argv, &i, "--until")) != NULL) {
			if (cred_arg_time(&cr->valid_until_ms, "--until",
			    v) == -1)
				return 2;
		} else if ((v = ctl_opt(argc, argv, &i, "--status")) != NULL) {
			if ((status = cred_status_from_name(v)) == -1) {
				fprintf(stderr, "qrgatectl: cred: status '%s' "
				    "is not active, suspended or revoked\n", v);
				return 2;
			}
			cr->status = status;
		} else if ((v = ctl_opt(argc, argv, &i, "--role")) != NULL) {
			if ((role = cred_role_from_name(v)) == -1) {
				fprintf(stderr, "qrgatectl: cred: role '%s' "
				    "is not staff or visitor\n", v);
				return 2;
			}
			cr->role = role;
		} else if ((v = ctl_opt(argc, argv, &i, "--lanes")) != NULL) {
			if (cred_arg_copy(cr->lanes, sizeof(cr->lanes), "lanes",
			    v) == -1)
				return 1;
		} else if (!enroll &&
		    (v = ctl_opt(argc, argv, &i, "--serial")) != NULL) {
			if (cred_arg_serial(&cr->serial, v) == -1)
				return 2;
		} else if (!enroll &&
		    (v = ctl_opt(argc, argv, &i, "--pubkey")) != NULL) {
			if (key_pk_from_text(v, cr->pubkey) == -1) {
				fprintf(stderr, "qrgatectl: cred: --pubkey is "
				    "not a public key\n");
				return 2;
			}
			cr->has_pubkey = true;
		} else if ((v = ctl_opt(argc, argv, &i, "--group")) != NULL) {
			if (cred_arg_copy(cr->group, sizeof(cr->group), "group",
			    v) == -1)
				return 1;
		} else if ((v = ctl_opt(argc, argv, &i, "--schedule")) != NULL) {
			if (cred_arg_copy(cr->schedule, sizeof(cr->schedule),
			    "schedule", v) == -1)
				return 1;
		} else if ((v = ctl_opt(argc, argv, &i, "--send-as")) != NULL) {
			if (cred_arg_card(cr->send_as, sizeof(cr->send_as),
			    "--send-as", v) == -1)
				return 2;
		} else if (!enroll &&
		    (v = ctl_opt(argc, argv, &i, "--pin")) != NULL) {
			if (cred_arg_pin(cr->pin_hash, v) == -1)
				return 2;
		} else if (enroll &&
		    (v = ctl_opt(argc, argv, &i, "--scan")) != NULL)
			a->scan = v;
		else if (enroll &&
		    (v = ctl_opt(argc, argv, &i, "--text")) != NULL)
			a->text = v;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return 2;
		else if (a->npos < (enroll ? 1 : 3))
			a->pos[a->npos++] = argv[i];
		else
			return 2;
	}
	return a->npos == (enroll ? 1 : 3) ? 0 : 2;
}

/* Checks and writes cr: the last step of add and enroll-cccd. */
static int
cred_put(struct ctl *c, const struct credential *cr)
{
	struct credential other;
	char err[256];
	struct store *st;
	int ret;

	if (credential_validate(cr, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: cred: %s\n", err);
		return 1;
	}
	if ((st = ctl_store_open(c, false)) == NULL)
		return 1;
	/* The usual refusal, said here rather than in put's log line. */
	if (store_credential_find(st, cr->kind, cr->subject, &other) == 1 &&
	    strcmp(other.id, cr->id) != 0) {
		fprintf(stderr, "qrgatectl: cred: %s %s already belongs to "
		    "credential %s\n", cred_kind_name(cr->kind), cr->subject,
		    other.id);
		ret = 1;
	} else
		ret = store_credential_put(st, cr) == 0 ? 0 : 1;
	store_close(st);
	return ret;
}

static int
cred_add(struct ctl *c, int argc, char **argv)
{
	struct cred_args a;
	int kind, r;

	if ((r = cred_args_read(&a, argc, argv, false)) != 0) {
		if (r == 2)
			ctl_cred_usage(stderr);
		return r;
	}
	kind = cred_kind_from_name(a.pos[1]);
	if (kind <= CRED_NONE) {
		fprintf(stderr, "qrgatectl: cred: kind '%s' is not badge, "
		    "cccd, signed, dynamic, visitor or card\n", a.pos[1]);
		return 2;
	}
	a.cr.kind = kind;
	if (cred_arg_copy(a.cr.id, sizeof(a.cr.id), "id", a.pos[0]) == -1)
		return 1;
	if (kind == CRED_CARD) {
		if (cred_arg_card(a.cr.subject, sizeof(a.cr.subject),
		    "subject", a.pos[2]) == -1)
			return 2;
	} else if (cred_arg_copy(a.cr.subject, sizeof(a.cr.subject),
	    "subject", a.pos[2]) == -1)
		return 1;
	return cred_put(c, &a.cr);
}

/* The card's code as text: --text's value, or one line of stdin for "-"
 * (a handheld scanner types it there; it stays out of ps and history). */
static int
cred_enroll_text(const char *text, struct payload *pl)
{
	char line[2048];
	size_t n;
	int r;

	if (strcmp(text, "-") != 0)
		r = payload_parse((const uint8_t *)text, strlen(text), pl);
	else {
		if (fgets(line, sizeof(line), stdin) == NULL) {
			fprintf(stderr, "qrgatectl: cred: --text -: nothing "
			    "on stdin\n");
			return -1;
		}
		n = strcspn(line, "\r\n");
		r = payload_parse((const uint8_t *)line, n, pl);
		sodium_memzero(line, sizeof(line));
	}
	if (r != PAYLOAD_OK || pl->kind != CRED_CCCD) {
		fprintf(stderr, "qrgatectl: cred: --text is not a CCCD card's "
		    "code (number|old id|name|DDMMYYYY|sex|address|"
		    "DDMMYYYY)\n");
		return -1;
	}
	return 0;
}

/*
 * enroll-cccd: a CCCD credential from the card itself, its check hash
 * made with the site's key, so that at the gate a code made up from the
 * number alone does not open.  No key, no enrolment: a credential without
 * its hash would open for any code that carries the number.
 */
static int
cred_enroll_cccd(struct ctl *c, int argc, char **argv)
{
	const char *keyfile = c->cfg.security.cccd_key_file;
	uint8_t key[KEY_SECRET_BYTES];
	struct cred_args a;
	struct payload pl;
	char err[512];
	int r;

	if ((r = cred_args_read(&a, argc, argv, true)) != 0 ||
	    (a.scan == NULL) == (a.text == NULL)) {
		ctl_cred_usage(stderr);
		return r == 0 ? 2 : r;
	}
	if (keyfile[0] == '\0') {
		fprintf(stderr, "qrgatectl: cred: enroll-cccd needs the site's "
		    "CCCD check key: set security.cccd_key_file (make one "
		    "with qrgatectl keygen --secret FILE)\n");
		return 1;
	}
	if (key_secret_read(keyfile, key, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: cred: %s\n", err);
		return 1;
	}
	memset(&pl, 0, sizeof(pl));
	if (a.scan != NULL &&
	    ctl_scan_cccd(c, a.scan, &pl, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: cred: %s\n", err);
		r = 1;
	} else if (a.text != NULL && cred_enroll_text(a.text, &pl) == -1)
		r = 1;
	if (r == 0) {
		a.cr.kind = CRED_CCCD;
		if (cred_arg_copy(a.cr.id, sizeof(a.cr.id), "id",
		    a.pos[0]) == -1)
			r = 1;
	}
	if (r == 0) {
		memcpy(a.cr.subject, pl.subject, sizeof(pl.subject));
		if (!a.has_name)
			memcpy(a.cr.name, pl.name, sizeof(pl.name));
		cccd_check_hash(key, &pl, a.cr.check_hash);
		r = cred_put(c, &a.cr);
	}
	if (r == 0)
		printf("enrolled %s: cccd ********%s, %s\n", a.cr.id,
		    pl.subject + 8, a.cr.name);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&pl, sizeof(pl));
	return r;
}

static int
cred_del(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	int rc;

	if (argc != 2) {
		ctl_cred_usage(stderr);
		return 2;
	}
	if ((st = ctl_store_open(c, false)) == NULL)
		return 1;
	rc = store_credential_delete(st, argv[1]);
	store_close(st);
	if (rc == 0)
		fprintf(stderr, "qrgatectl: cred: no credential '%s'\n",
		    argv[1]);
	return rc == 1 ? 0 : 1;
}

static void
cred_time(int64_t ms, char *buf, size_t len)
{
	if (ms == 0)
		snprintf(buf, len, "-");
	else
		sitetime_format(ms, buf, len);
}

static int
cred_table_cb(const struct credential *cr, void *arg)
{
	struct cred_table *t = arg;
	char from[TIMEFMT_LEN], until[TIMEFMT_LEN], serial[16];
	char pk[KEY_PK_TEXT] = "-";
	const char *raw[CRED_COLS];

	cred_time(cr->valid_from_ms, from, sizeof(from));
	cred_time(cr->valid_until_ms, until, sizeof(until));
	raw[0] = cr->id;
	raw[1] = cred_kind_name(cr->kind);
	raw[2] = cr->subject;
	raw[3] = cr->name[0] != '\0' ? cr->name : "-";
	raw[4] = from;
	raw[5] = until;
	raw[6] = cred_status_name(cr->status);
	/* An empty list allows no lane: show that, not a blank. */
	raw[7] = cr->lanes[0] != '\0' ? cr->lanes : "(none)";
	snprintf(serial, sizeof(serial), "%lu", (unsigned long)cr->serial);
	if (cr->has_pubkey)
		key_pk_to_text(cr->pubkey, pk);
	raw[8] = cred_role_name(cr->role);
	raw[9] = serial;
	raw[10] = pk;
	raw[11] = cr->group[0] != '\0' ? cr->group : "-";
	raw[12] = cr->schedule[0] != '\0' ? cr->schedule : "-";
	raw[13] = cr->send_as[0] != '\0' ? cr->send_as : "-";
	/* Whether there is one, never its hash. */
	raw[14] = cr->pin_hash[0] != '\0' ? "yes" : "-";
	if (t->measuring)
		ctl_table_measure(&t->tab, raw);
	else
		ctl_table_row(&t->tab, raw);
	return 0;
}

static int
cred_json_cb(const struct credential *cr, void *arg)
{
	json_t *o = json_object();
	int *failed = arg;
	char pk[KEY_PK_TEXT] = "";

	if (cr->has_pubkey)
		key_pk_to_text(cr->pubkey, pk);
	if (o == NULL ||
	    json_object_set_new(o, "id", ctl_json_text(cr->id)) == -1 ||
	    json_object_set_new(o, "kind",
	    json_string(cred_kind_name(cr->kind))) == -1 ||
	    json_object_set_new(o, "subject",
	    ctl_json_text(cr->subject)) == -1 ||
	    json_object_set_new(o, "name", ctl_json_text(cr->name)) == -1 ||
	    json_object_set_new(o, "valid_from",
	    json_integer(cr->valid_from_ms)) == -1 ||
	    json_object_set_new(o, "valid_until",
	    json_integer(cr->valid_until_ms)) == -1 ||
	    json_object_set_new(o, "status",
	    json_string(cred_status_name(cr->status))) == -1 ||
	    json_object_set_new(o, "lanes", ctl_json_text(cr->lanes)) == -1 ||
	    json_object_set_new(o, "role",
	    json_string(cred_role_name(cr->role))) == -1 ||
	    json_object_set_new(o, "serial", json_integer(cr->serial)) == -1 ||
	    json_object_set_new(o, "pubkey", json_string(pk)) == -1 ||
	    json_object_set_new(o, "check_hash",
	    json_string(cr->check_hash)) == -1 ||
	    json_object_set_new(o, "send_as", json_string(cr->send_as)) == -1 ||
	    json_object_set_new(o, "group", ctl_json_text(cr->group)) == -1 ||
	    json_object_set_new(o, "schedule",
	    json_string(cr->schedule)) == -1 ||
	    json_object_set_new(o, "pin",
	    json_boolean(cr->pin_hash[0] != '\0')) == -1 ||
	    json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) == -1) {
		fprintf(stderr, "qrgatectl: cannot write credential as JSON\n");
		json_decref(o);
		*failed = 1;
		return 1;
	}
	putchar('\n');
	json_decref(o);
	return 0;
}

static int
cred_list(struct ctl *c, int argc, char **argv)
{
	struct cred_table t;
	int rc, failed = 0;
	bool json = false, csv = false;
	struct store *st;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && !csv)
			json = true;
		else if (strcmp(argv[i], "--csv") == 0 && !json)
			csv = true;
		else {
			ctl_cred_usage(stderr);
			return 2;
		}
	}
	if ((st = ctl_store_open(c, true)) == NULL)
		return 1;
	if (json)
		rc = store_credential_foreach(st, cred_json_cb, &failed);
	else if (csv)
		rc = store_credential_export_csv(st, stdout);
	else {
		/* Control characters show as ' ': names may span lines. */
		ctl_table_init(&t.tab, CRED_COLS, cred_heads, NULL, ' ');
		t.measuring = true;
		rc = store_credential_foreach(st, cred_table_cb, &t);
		if (rc == 0) {
			ctl_table_row(&t.tab, cred_heads);
			t.measuring = false;
			rc = store_credential_foreach(st, cred_table_cb, &t);
		}
	}
	store_close(st);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "qrgatectl: cred: %s\n", strerror(errno));
		return 1;
	}
	return rc == -1 || failed ? 1 : 0;
}

static int
cred_import(struct ctl *c, int argc, char **argv)
{
	struct store *st;
	char err[512];
	FILE *f;
	int n;

	if (argc != 2) {
		ctl_cred_usage(stderr);
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "qrgatectl: cannot open %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if ((st = ctl_store_open(c, false)) == NULL) {
		fclose(f);
		return 1;
	}
	n = store_credential_import_csv(st, f, argv[1], err, sizeof(err));
	store_close(st);
	fclose(f);
	if (n == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		return 1;
	}
	printf("imported %d credentials\n", n);
	return 0;
}

int
ctl_cred(struct ctl *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctl *, int, char **);
	} cmds[] = {
		{ "add", cred_add },
		{ "del", cred_del },
		{ "list", cred_list },
		{ "import", cred_import },
		{ "enroll-cccd", cred_enroll_cccd },
	};

	if (argc < 2) {
		ctl_cred_usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < nitems(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		ctl_cred_usage(stderr);
		return 0;
	}
	ctl_cred_usage(stderr);
	return 2;
}
