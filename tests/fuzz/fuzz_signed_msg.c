/*
 * signed_msg_open(): the envelope around every push and command, checked
 * with the site admin's key before any handler sees the body.  Each input
 * is opened on a config push's topic with unsigned pushes off and on.  It
 * checks what the handlers rely on:
 *	- with unsigned pushes off, a body is handed on only when signed;
 *	- an unsigned body handed on is the payload itself;
 *	- a signed one is bound to its topic: the same bytes on another
 *	  gate's topic are never taken as signed;
 *	- a body signed again with the key (signed_msg_seal) opens to the
 *	  same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "signed_msg.h"
#include "fuzz.h"

#define TOPIC		"site1/gate7/config/set"
#define OTHER_TOPIC	"site1/gate8/config/set"
#define MAX_LEN		(64 * 1024)

static struct config strict, lab;
static uint8_t pk[32], sk[64];

static void
set(struct config *c, const char *section, const char *key,
    const char *value)
{
	char err[320];

	if (config_set(c, section, key, value, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz signed_msg: %s.%s: %s\n", section, key,
		    err);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t seed[crypto_sign_SEEDBYTES] =
	    "qrgate fuzz key: not a secret!!";
	char pk_text[64];

	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
	sodium_bin2base64(pk_text, sizeof(pk_text), pk, sizeof(pk),
	    sodium_base64_VARIANT_ORIGINAL);
	config_defaults(&strict);
	set(&strict, "security", "admin_key", pk_text);
	set(&strict, "security", "unsigned_pushes", "false");
	lab = strict;
	set(&lab, "security", "unsigned_pushes", "true");
	return 0;
}

/* Seals the body again with the key: it must open to the same bytes. */
static void
check_reseal(const struct signed_msg *m)
{
	struct signed_msg m2;
	char err[256], *env;

	if ((env = signed_msg_seal(TOPIC, m->body, m->len, sk, err,
	    sizeof(err))) == NULL)
		return;		/* not UTF-8: no JSON string holds it */
	if (signed_msg_open(&strict, TOPIC, (const uint8_t *)env, strlen(env),
	    SIZE_MAX, &m2, err, sizeof(err)) != SIGNED_OK || !m2.is_signed ||
	    m2.len != m->len || memcmp(m2.body, m->body, m->len) != 0)
		abort();
	signed_msg_done(&m2);
	free(env);
}

static void
open_with(const struct config *c, const uint8_t *data, size_t len)
{
	struct signed_msg m, other;
	char err[256];
	enum signed_reason r;

	memset(&m, 0, sizeof(m));
	err[0] = '\0';
	r = signed_msg_open(c, TOPIC, data, len, MAX_LEN, &m, err,
	    sizeof(err));
	if (r != SIGNED_OK) {
		if (err[0] == '\0' || signed_reason_name(r) == NULL)
			abort();
		return;
	}
	if (m.len > 0 && m.body == NULL)
		abort();
	if (!m.is_signed) {
		if (!c->security.unsigned_pushes || m.len != len ||
		    memcmp(m.body, data, len) != 0)
			abort();
	} else {
		if (signed_msg_open(c, OTHER_TOPIC, data, len, MAX_LEN, &other,
		    err, sizeof(err)) == SIGNED_OK) {
			if (other.is_signed)
				abort();
			signed_msg_done(&other);
		}
		check_reseal(&m);
	}
	signed_msg_done(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	open_with(&strict, data, len);
	open_with(&lab, data, len);
	return 0;
}
