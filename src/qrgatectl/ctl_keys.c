/*
 * qrgatectl keygen, badge, token and visitor-pass: Ed25519 key pairs (and
 * site secrets, such as the CCCD check key) and the signed tokens made
 * with them, for a badge printer (badge, with the site's issuer key), for
 * a visitor desk without the site console (visitor-pass, with the site's
 * visitor key) and for testing phones and gates (token, with a worker's
 * key).  None of them needs the daemon or the database.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ctl.h"
#include "keyfile.h"
#include "mask.h"
#include "qrpng.h"
#include "sitetime.h"
#include "timefmt.h"
#include "token.h"

#define KEYS_SCALE_DEFAULT	8
/* The range of policy.token_step_s. */
#define KEYS_STEP_MIN		5
#define KEYS_STEP_MAX		300

/* What badge and token share: where the token goes. */
struct keys_out {
	const char *key_path;
	const char *png_path;
	int scale;
	bool show;
};

/* A decimal number in lo..hi, all of s; -1 if not. */
static int
keys_num(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
	char *end;
	long long n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*v = n;
	return 0;
}

/*
 * A time in Unix seconds: digits alone are seconds (not the milliseconds
 * of timefmt_parse(), since token times are whole seconds) and must fit
 * the token's 32 bits, so that milliseconds are refused rather than read
 * as a time in 1970; anything else is a time as sitetime_parse() reads
 * it: local in site.timezone, or with Z or an offset.  -1, with what is
 * accepted said on stderr.
 */
static int
keys_time(const char *cmd, const char *s, int64_t *sec)
{
	char msg[200];
	int64_t ms;

	if (s[0] >= '0' && s[0] <= '9' && s[strspn(s, "0123456789")] == '\0') {
		if (keys_num(s, 0, UINT32_MAX, sec) == 0)
			return 0;
	} else if (sitetime_parse(s, &ms, msg, sizeof(msg)) == -1) {
		/* Its reason (a day that does not exist, a local time the
		 * clocks skip), then the forms accepted. */
		fprintf(stderr, "qrgatectl: %s: %s\n", cmd, msg);
	} else if (ms >= 0 && ms / 1000 <= UINT32_MAX) {
		*sec = ms / 1000;
		return 0;
	}
	fprintf(stderr, "qrgatectl: %s: bad time '%s': expected seconds "
	    "since 1970 (0..%" PRIu32 ", not milliseconds), or "
	    "YYYY-MM-DD[THH:MM[:SS]] in site.timezone or with Z or an offset "
	    "(+07:00), before 2106-02-07\n", cmd, s, UINT32_MAX);
	return -1;
}

/* Whether argv[*i] is an option both commands take; -1 for a bad value. */
static int
keys_out_opt(int argc, char **argv, int *i, struct keys_out *o)
{
	const char *v;
	int64_t n;

	if ((v = ctl_opt(argc, argv, i, "--key")) != NULL)
		o->key_path = v;
	else if ((v = ctl_opt(argc, argv, i, "--png")) != NULL)
		o->png_path = v;
	else if ((v = ctl_opt(argc, argv, i, "--scale")) != NULL) {
		if (keys_num(v, 1, QRPNG_SCALE_MAX, &n) == -1) {
			fprintf(stderr, "qrgatectl: --scale %s not in 1..%d\n",
			    v, QRPNG_SCALE_MAX);
			return -1;
		}
		o->scale = (int)n;
	} else if (strcmp(argv[*i], "--show") == 0)
		o->show = true;
	else
		return 0;
	return 1;
}

/* Prints the token, draws it and writes its PNG as asked. */
static int
keys_emit(const struct keys_out *o, const char *text)
{
	char err[512];

	printf("%s\n", text);
	if (o->show || isatty(STDOUT_FILENO)) {
		fflush(stdout);
		if (qrpng_draw(stdout, text, err, sizeof(err)) == -1) {
			fprintf(stderr, "qrgatectl: %s\n", err);
			return 1;
		}
	}
	if (o->png_path != NULL &&
	    qrpng_write(o->png_path, text, o->scale, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		return 1;
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "qrgatectl: stdout: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int
keys_id_check(const char *id)
{
	if (token_id_ok(id, strlen(id)))
		return 0;
	fprintf(stderr, "qrgatectl: id must be 1 to %d printable ASCII "
	    "characters, without spaces\n", TOKEN_ID_MAX);
	return -1;
}

static int
keys_sk_load(const char *path, uint8_t sk[TOKEN_SK_BYTES])
{
	char err[512];

	if (key_sk_read(path, sk, err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: %s\n", err);
		return -1;
	}
	return 0;
}

int
ctl_keygen(struct ctl *c, int argc, char **argv)
{
	uint8_t sk[TOKEN_SK_BYTES];
	char err[512], pk_text[KEY_PK_TEXT];

	(void)c;
	if (argc == 3 && strcmp(argv[1], "--secret") == 0 &&
	    argv[2][0] != '-') {
		/* A site secret: nothing of it is printed. */
		if (key_secret_create(argv[2], err, sizeof(err)) == -1) {
			fprintf(stderr, "qrgatectl: keygen: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: qrgatectl keygen [--secret] FILE\n");
		return 2;
	}
	if (key_pair_create(argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "qrgatectl: keygen: %s\n", err);
		return 1;
	}
	/* Read back, so what is printed is what the file holds. */
	if (keys_sk_load(argv[1], sk) == -1)
		return 1;
	key_pk_to_text(sk + 32, pk_text);
	sodium_memzero(sk, sizeof(sk));
	printf("%s\n", pk_text);
	return fflush(stdout) == EOF ? 1 : 0;
}

static void
keys_badge_usage(void)
{
	fprintf(stderr, "usage: qrgatectl badge ID --key FILE --serial N "
	    "--expires T\n"
	    "                       [--allow-expired] [--png FILE] [--scale N] [--show]\n"
	    "  T is Unix seconds, or YYYY-MM-DD[THH:MM[:SS]] in site.timezone,\n"
	    "  or with Z or an offset (+07:00); in the future unless --allow-expired\n");
}

int
ctl_badge(struct ctl *c, int argc, char **argv)
{
	struct keys_out o = { .scale = KEYS_SCALE_DEFAULT };
	const char *id = NULL, *v;
	uint8_t sk[TOKEN_SK_BYTES];
	char text[TOKEN_TEXT_MAX];
	int64_t serial = -1, expires = -1;
	const char *expires_arg = NULL;
	bool allow_expired = false;
	int r;

	(void)c;
	for (int i = 1; i < argc; i++) {
		if ((r = keys_out_opt(argc, argv, &i, &o)) == -1)
			return 2;
		if (r == 1)
			continue;
		if ((v = ctl_opt(argc, argv, &i, "--serial")) != NULL) {
			if (keys_num(v, 0, UINT32_MAX, &serial) == -1) {
				fprintf(stderr, "qrgatectl: badge: serial %s "
				    "not in 0..%" PRIu32 "\n", v, UINT32_MAX);
				return 2;
			}
		} else if ((v = ctl_opt(argc, argv, &i, "--expires")) != NULL) {
			if (keys_time("badge", v, &expires) == -1)
				return 2;
			expires_arg = v;
		} else if (strcmp(argv[i], "--allow-expired") == 0) {
			allow_expired = true;
		} else if (argv[i][0] == '-' || id != NULL) {
			keys_badge_usage();
			return 2;
		} else
			id = argv[i];
	}
	if (id == NULL || o.key_path == NULL || serial < 0 || expires < 0) {
		keys_badge_usage();
		return 2;
	}
	/* A badge already expired is denied at every gate: printed by
	 * mistake (a wrong year), it would be handed out and fail at the
	 * turnstile.  Refused, unless asked for (tests of the denial). */
	if (expires <= (int64_t)time(NULL) && !allow_expired) {
		fprintf(stderr, "qrgatectl: badge: --expires %s is in the past: "
		    "every gate would deny this badge (--allow-expired makes "
		    "it anyway)\n", expires_arg);
		return 2;
	}
	if (keys_id_check(id) == -1)
		return 2;
	if (keys_sk_load(o.key_path, sk) == -1)
		return 1;
	r = token_badge_make(id, (uint32_t)serial, expires, sk, text,
	    sizeof(text));
	sodium_memzero(sk, sizeof(sk));
	if (r == -1) {
		fprintf(stderr, "qrgatectl: badge: cannot make the token\n");
		return 1;
	}
	return keys_emit(&o, text);
}

static void
keys_token_usage(void)
{
	fprintf(stderr, "usage: qrgatectl token ID --key FILE [--step-s S] "
	    "[--at T]\n"
	    "                       [--png FILE] [--scale N] [--show]\n"
	    "  S in %d..%d (default %d); T is Unix seconds or a time, in "
	    "site.timezone\n  or with Z or an offset (default now)\n", KEYS_STEP_MIN, KEYS_STEP_MAX, TOKEN_STEP_S);
}

int
ctl_token(struct ctl *c, int argc, char **argv)
{
	struct keys_out o = { .scale = KEYS_SCALE_DEFAULT };
	const char *id = NULL, *v;
	uint8_t sk[TOKEN_SK_BYTES];
	char text[TOKEN_TEXT_MAX];
	int64_t step_s = TOKEN_STEP_S, at = (int64_t)time(NULL);
	int r;

	(void)c;
	for (int i = 1; i < argc; i++) {
		if ((r = keys_out_opt(argc, argv, &i, &o)) == -1)
			return 2;
		if (r == 1)
			continue;
		if ((v = ctl_opt(argc, argv, &i, "--step-s")) != NULL) {
			if (keys_num(v, KEYS_STEP_MIN, KEYS_STEP_MAX,
			    &step_s) == -1) {
				fprintf(stderr, "qrgatectl: token: --step-s %s "
				    "not in %d..%d\n", v, KEYS_STEP_MIN,
				    KEYS_STEP_MAX);
				return 2;
			}
		} else if ((v = ctl_opt(argc, argv, &i, "--at")) != NULL) {
			if (keys_time("token", v, &at) == -1)
				return 2;
		} else if (argv[i][0] == '-' || id != NULL) {
			keys_token_usage();
			return 2;
		} else
			id = argv[i];
	}
	if (id == NULL || o.key_path == NULL) {
		keys_token_usage();
		return 2;
	}
	if (keys_id_check(id) == -1)
		return 2;
	if (keys_sk_load(o.key_path, sk) == -1)
		return 1;
	r = token_dynamic_make(id, token_step_of(at, (int)step_s), sk, text,
	    sizeof(text));
	sodium_memzero(sk, sizeof(sk));
	if (r == -1) {
		fprintf(stderr, "qrgatectl: token: cannot make the token\n");
		return 1;
	}
	return keys_emit(&o, text);
}

static void
keys_visitor_usage(void)
{
	fprintf(stderr, "usage: qrgatectl visitor-pass ID --key FILE "
	    "[--lanes L] [--from T] [--until T]\n"
	    "                       [--png FILE] [--scale N] [--show]\n"
	    "  ID is the desk's number for the visit (V-20261207-0003), never "
	    "a citizen number;\n  L the lanes (default *); --from defaults to "
	    "now, --until to the end of the\n  day in site.timezone\n");
}

int
ctl_visitor_pass(struct ctl *c, int argc, char **argv)
{
	struct keys_out o = { .scale = KEYS_SCALE_DEFAULT };
	const char *id = NULL, *lanes = "*", *v;
	uint8_t sk[TOKEN_SK_BYTES];
	char text[TOKEN_TEXT_MAX], msg[200];
	int64_t from = (int64_t)time(NULL), until = -1, end_ms;
	int r;

	(void)c;
	for (int i = 1; i < argc; i++) {
		if ((r = keys_out_opt(argc, argv, &i, &o)) == -1)
			return 2;
		if (r == 1)
			continue;
		if ((v = ctl_opt(argc, argv, &i, "--lanes")) != NULL)
			lanes = v;
		else if ((v = ctl_opt(argc, argv, &i, "--from")) != NULL) {
			if (keys_time("visitor-pass", v, &from) == -1)
				return 2;
		} else if ((v = ctl_opt(argc, argv, &i, "--until")) != NULL) {
			if (keys_time("visitor-pass", v, &until) == -1)
				return 2;
		} else if (argv[i][0] == '-' || id != NULL) {
			keys_visitor_usage();
			return 2;
		} else
			id = argv[i];
	}
	if (id == NULL || o.key_path == NULL) {
		keys_visitor_usage();
		return 2;
	}
	if (until < 0) {
		if (sitetime_day_end(from * 1000, &end_ms, msg,
		    sizeof(msg)) == -1) {
			fprintf(stderr, "qrgatectl: visitor-pass: %s: give "
			    "--until\n", msg);
			return 2;
		}
		until = end_ms / 1000;
	}
	if (until <= from) {
		fprintf(stderr, "qrgatectl: visitor-pass: --until is not after "
		    "--from\n");
		return 2;
	}
	if (!token_lanes_ok(lanes, strlen(lanes))) {
		fprintf(stderr, "qrgatectl: visitor-pass: --lanes: 1 to %d "
		    "printable characters, no spaces (A:entry,B or *)\n",
		    TOKEN_LANES_MAX);
		return 2;
	}
	if (keys_id_check(id) == -1)
		return 2;
	if (mask_has_citizen_number(id)) {
		fprintf(stderr, "qrgatectl: visitor-pass: the id holds a "
		    "citizen number: use the desk's own number\n");
		return 2;
	}
	if (keys_sk_load(o.key_path, sk) == -1)
		return 1;
	r = token_visitor_make(id, from, until, lanes, sk, text, sizeof(text));
	sodium_memzero(sk, sizeof(sk));
	if (r == -1) {
		fprintf(stderr, "qrgatectl: visitor-pass: cannot make the "
		    "pass\n");
		return 1;
	}
	return keys_emit(&o, text);
}
