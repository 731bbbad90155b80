/*
 * The envelope of signed pushes: sealed with signed_msg_seal() as
 * qrgatectl push does, opened with signed_msg_open() as the gate does,
 * and every way of tampering with it, moving it or leaving it out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "keyfile.h"
#include "signed_msg.h"
#include "util.h"

#define TOPIC		"site1/gate7/config/set"
#define BODY		"{\"version\":7,\"settings\":{\"lane.pulse_ms\":4000}}"
#define MAX		(64 * 1024)

struct fx {
	uint8_t pk[32], sk[64];
	uint8_t pk2[32], sk2[64];	/* someone else's */
	struct config cfg;
	struct signed_msg m;
	char err[256];
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || sodium_init() < 0)
		return -1;
	crypto_sign_keypair(fx->pk, fx->sk);
	crypto_sign_keypair(fx->pk2, fx->sk2);
	config_defaults(&fx->cfg);
	key_pk_to_text(fx->pk, fx->cfg.security.admin_key);
	fx->cfg.security.unsigned_pushes = false;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	signed_msg_done(&fx->m);
	free(fx);
	return 0;
}

/* The envelope of body for topic, signed with sk. */
static char *
seal(const char *topic, const char *body, const uint8_t *sk)
{
	char err[256];
	char *env = signed_msg_seal(topic, (const uint8_t *)body, strlen(body),
	    sk, err, sizeof(err));

	if (env == NULL)
		fail_msg("seal: %s", err);
	return env;
}

static enum signed_reason
open_on(struct fx *fx, const char *topic, const char *payload)
{
	signed_msg_done(&fx->m);
	return signed_msg_open(&fx->cfg, topic, (const uint8_t *)payload,
	    strlen(payload), MAX, &fx->m, fx->err, sizeof(fx->err));
}

/* An envelope rebuilt from members given as JSON texts (NULL: left out). */
static char *
envelope(const char *body_json, const char *sig_json)
{
	json_t *env = json_object();
	char *text;

	if (body_json != NULL)
		json_object_set_new(env, "body", json_loads(body_json,
		    JSON_DECODE_ANY, NULL));
	if (sig_json != NULL)
		json_object_set_new(env, "sig", json_loads(sig_json,
		    JSON_DECODE_ANY, NULL));
	text = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	return text;
}

/* A member of a sealed envelope, as a JSON text. */
static char *
member(const char *env_text, const char *name)
{
	json_t *env = json_loads(env_text, 0, NULL);
	char *text;

	assert_non_null(env);
	text = json_dumps(json_object_get(env, name), JSON_ENCODE_ANY);
	json_decref(env);
	return text;
}

static void
test_good_signature(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk);

	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_OK);
	assert_true(fx->m.is_signed);
	assert_int_equal(fx->m.len, strlen(BODY));
	assert_memory_equal(fx->m.body, BODY, strlen(BODY));
	free(env);
}

/* Text that needs escaping, and UTF-8, comes out byte for byte. */
static void
test_body_bytes_round_trip(void **state)
{
	struct fx *fx = *state;
	const char *body = "{\"name\":\"Nguy\xe1\xbb\x85n \\\"An\\\"\\n\",\"p\":\"a/b\"}";
	char *env = seal(TOPIC, body, fx->sk);

	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_OK);
	assert_int_equal(fx->m.len, strlen(body));
	assert_memory_equal(fx->m.body, body, strlen(body));
	free(env);
}

/* One byte changed in the body: the signature no longer verifies. */
static void
test_body_byte_flipped(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk), *bad, *sig = member(env, "sig");

	assert_non_null(bad = envelope("\"{\\\"version\\\":8,\\\"settings\\\":"
	    "{\\\"lane.pulse_ms\\\":4000}}\"", sig));
	assert_int_equal(open_on(fx, TOPIC, bad), SIGNED_BAD_SIGNATURE);
	assert_null(fx->m.body);
	free(bad);
	free(sig);
	free(env);
}

static void
test_sig_byte_flipped(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk), *sig_json, *bad, *body_json;
	uint8_t sig[64];
	char text[89];
	size_t n;

	sig_json = member(env, "sig");
	/* The quotes around the base64 are stripped by hand. */
	sig_json[strlen(sig_json) - 1] = '\0';
	assert_int_equal(sodium_base642bin(sig, sizeof(sig), sig_json + 1,
	    strlen(sig_json + 1), NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(n, 64);
	for (size_t at = 0; at < 64; at += 21) {
		char quoted[100];

		sig[at] ^= 0x01;
		sodium_bin2base64(text, sizeof(text), sig, sizeof(sig),
		    sodium_base64_VARIANT_ORIGINAL);
		sig[at] ^= 0x01;
		snprintf(quoted, sizeof(quoted), "\"%s\"", text);
		body_json = member(env, "body");
		bad = envelope(body_json, quoted);
		assert_int_equal(open_on(fx, TOPIC, bad), SIGNED_BAD_SIGNATURE);
		free(bad);
		free(body_json);
	}
	free(sig_json);
	free(env);
}

/* Signed for one topic, received on another: another gate, another site,
 * the site-wide push, another kind of message, or one byte off. */
static void
test_moved_to_another_topic(void **state)
{
	static const char *const others[] = {
		"site1/gate8/config/set", "site2/gate7/config/set",
		"site1/all/config/set", "site1/gate7/credentials/set",
		"site1/gate7/cmd", "site1/gate7/config/sET",
		"site1/gate7/config/set/", "",
	};
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk);

	for (size_t i = 0; i < nitems(others); i++)
		assert_int_equal(open_on(fx, others[i], env),
		    SIGNED_BAD_SIGNATURE);
	/* The topic and the body are kept apart: the newline between them
	 * cannot be moved. */
	free(env);
	env = seal("site1/gate7", "config/set\n" BODY, fx->sk);
	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_BAD_SIGNATURE);
	free(env);
}

static void
test_wrong_key(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk2);

	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_BAD_SIGNATURE);
	/* With that key configured, the same envelope verifies. */
	key_pk_to_text(fx->pk2, fx->cfg.security.admin_key);
	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_OK);
	free(env);
}

/* A signature over the same bytes without the context is not a push's. */
static void
test_other_context(void **state)
{
	struct fx *fx = *state;
	uint8_t sig[64];
	char text[89], quoted[100], *bad;
	const char *in = TOPIC "\n" BODY;

	crypto_sign_detached(sig, NULL, (const uint8_t *)in, strlen(in), fx->sk);
	sodium_bin2base64(text, sizeof(text), sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(quoted, sizeof(quoted), "\"%s\"", text);
	bad = envelope("\"{\\\"version\\\":7,\\\"settings\\\":{\\\"lane.pulse_ms"
	    "\\\":4000}}\"", quoted);
	assert_int_equal(open_on(fx, TOPIC, bad), SIGNED_BAD_SIGNATURE);
	free(bad);
}

static void
test_unsigned(void **state)
{
	struct fx *fx = *state;

	/* A key, unsigned pushes off: refused, whatever the payload. */
	assert_int_equal(open_on(fx, TOPIC, BODY), SIGNED_UNSIGNED);
	assert_null(fx->m.body);
	assert_int_equal(open_on(fx, TOPIC, "not json"), SIGNED_UNSIGNED);
	assert_int_equal(open_on(fx, TOPIC, "[\"body\",\"sig\"]"),
	    SIGNED_UNSIGNED);
	/* No key either: nothing can be taken. */
	fx->cfg.security.admin_key[0] = '\0';
	assert_int_equal(open_on(fx, TOPIC, BODY), SIGNED_NO_ADMIN_KEY);
	assert_null(fx->m.body);
}

static void
test_unsigned_pushes_on(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk), *bad = seal(TOPIC, BODY, fx->sk2);

	fx->cfg.security.unsigned_pushes = true;
	/* The payload itself goes to the handler, even if it is not JSON. */
	assert_int_equal(open_on(fx, TOPIC, BODY), SIGNED_OK);
	assert_false(fx->m.is_signed);
	assert_int_equal(fx->m.len, strlen(BODY));
	assert_memory_equal(fx->m.body, BODY, strlen(BODY));
	assert_int_equal(open_on(fx, TOPIC, "not json"), SIGNED_OK);
	assert_int_equal(fx->m.len, 8);
	/* A signed one is still checked. */
	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_OK);
	assert_true(fx->m.is_signed);
	assert_int_equal(open_on(fx, TOPIC, bad), SIGNED_BAD_SIGNATURE);
	assert_int_equal(open_on(fx, "site1/gate8/config/set", env),
	    SIGNED_BAD_SIGNATURE);
	/* Without a key, unsigned ones pass and signed ones cannot be
	 * checked, so they do not. */
	fx->cfg.security.admin_key[0] = '\0';
	assert_int_equal(open_on(fx, TOPIC, BODY), SIGNED_OK);
	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_NO_ADMIN_KEY);
	free(env);
	free(bad);
}

static void
test_malformed_envelopes(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk);
	char *body = member(env, "body"), *sig = member(env, "sig");
	char *cases[10];
	size_t n = 0;

	cases[n++] = envelope(body, NULL);			/* no sig */
	cases[n++] = envelope(NULL, sig);			/* no body */
	cases[n++] = envelope(BODY, sig);			/* an object */
	cases[n++] = envelope("42", sig);
	cases[n++] = envelope(body, "42");
	cases[n++] = envelope(body, "\"!!!!not base64!!!!\"");
	cases[n++] = envelope(body, "\"AAAA\"");		/* too short */
	cases[n++] = envelope(body, "null");
	/* An unknown member, which a signature would not cover. */
	cases[n] = envelope(body, sig);
	cases[n][strlen(cases[n]) - 1] = '\0';
	{
		char *more = malloc(strlen(cases[n]) + 32);

		sprintf(more, "%s,\"version\":99}", cases[n]);
		free(cases[n]);
		cases[n++] = more;
	}
	/* Twice the same member. */
	cases[n] = malloc(strlen(body) * 2 + strlen(sig) + 32);
	sprintf(cases[n], "{\"body\":%s,\"body\":%s,\"sig\":%s}", body, body,
	    sig);
	n++;
	for (size_t i = 0; i < n; i++) {
		enum signed_reason r = open_on(fx, TOPIC, cases[i]);

		/* Twice a member is not JSON that reads, so not an
		 * envelope: unsigned. */
		if (i == n - 1)
			assert_int_equal(r, SIGNED_UNSIGNED);
		else if (r != SIGNED_MALFORMED)
			fail_msg("case %zu (%s): %s", i, cases[i],
			    signed_reason_name(r));
		assert_null(fx->m.body);
		assert_true(fx->err[0] != '\0');
		free(cases[i]);
	}
	/* The last character of the base64 with bits set that no
	 * signature has: a second spelling of the same bytes. */
	sig[strlen(sig) - 4] = sig[strlen(sig) - 4] == 'B' ? 'C' : 'B';
	cases[0] = envelope(body, sig);
	assert_int_equal(open_on(fx, TOPIC, cases[0]), SIGNED_MALFORMED);
	free(cases[0]);
	free(body);
	free(sig);
	free(env);
}

static void
test_oversize(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk);

	signed_msg_done(&fx->m);
	assert_int_equal(signed_msg_open(&fx->cfg, TOPIC, (const uint8_t *)env,
	    strlen(env), strlen(env) - 1, &fx->m, fx->err, sizeof(fx->err)),
	    SIGNED_TOO_LARGE);
	assert_null(fx->m.body);
	assert_non_null(strstr(fx->err, "over the limit"));
	/* At the limit exactly, it is read. */
	assert_int_equal(signed_msg_open(&fx->cfg, TOPIC, (const uint8_t *)env,
	    strlen(env), strlen(env), &fx->m, fx->err, sizeof(fx->err)),
	    SIGNED_OK);
	free(env);
}

static void
test_bad_admin_key(void **state)
{
	struct fx *fx = *state;
	char *env = seal(TOPIC, BODY, fx->sk);

	/* Cut short by one character, then not base64. */
	fx->cfg.security.admin_key[42] = '\0';
	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_BAD_ADMIN_KEY);
	strcpy(fx->cfg.security.admin_key, "not a key");
	assert_int_equal(open_on(fx, TOPIC, env), SIGNED_BAD_ADMIN_KEY);
	/* Even where unsigned pushes are on. */
	fx->cfg.security.unsigned_pushes = true;
	assert_int_equal(open_on(fx, TOPIC, BODY), SIGNED_BAD_ADMIN_KEY);
	free(env);
}

static void
test_seal_refuses_what_json_cannot_hold(void **state)
{
	struct fx *fx = *state;
	char err[256];

	assert_null(signed_msg_seal(TOPIC, (const uint8_t *)"\xff\xfe", 2,
	    fx->sk, err, sizeof(err)));
	assert_non_null(strstr(err, "UTF-8"));
	assert_null(signed_msg_seal(TOPIC, (const uint8_t *)"a\0b", 3, fx->sk,
	    err, sizeof(err)));
}

static void
test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(signed_reason_name(SIGNED_UNSIGNED), "unsigned");
	assert_string_equal(signed_reason_name(SIGNED_BAD_SIGNATURE),
	    "bad-signature");
	assert_string_equal(signed_reason_name(SIGNED_NO_ADMIN_KEY),
	    "no-admin-key");
	assert_string_equal(signed_reason_name(SIGNED_MALFORMED), "malformed");
	assert_string_equal(signed_reason_name(SIGNED_TOO_LARGE), "too-large");
	assert_string_equal(signed_reason_name((enum signed_reason)99), "?");
}

static enum signed_reason
open_for(struct fx *fx, const char *topic, bool credentials,
    const char *payload)
{
	signed_msg_done(&fx->m);
	return signed_msg_open_for(&fx->cfg, topic, credentials,
	    (const uint8_t *)payload, strlen(payload), MAX, &fx->m, fx->err,
	    sizeof(fx->err));
}

/*
 * security.credentials_key (the aggregator's) signs credential lists and
 * nothing else: the same key on a config push or a command is a bad
 * signature, and the admin key still signs lists.
 */
static void
test_credentials_key(void **state)
{
	struct fx *fx = *state;
	const char *ctopic = "site1/all/credentials/set";
	const char *cbody = "{\"version\":3,\"chunk\":0,\"chunks\":1,"
	    "\"credentials\":[]}";
	char *list = seal(ctopic, cbody, fx->sk2);
	char *conf = seal(TOPIC, BODY, fx->sk2);
	char *cmd = seal("site1/gate7/cmd", "{\"cmd\":\"open\"}", fx->sk2);
	char *admin_list = seal(ctopic, cbody, fx->sk);

	/* Without the setting, the aggregator's key signs nothing. */
	assert_int_equal(open_for(fx, ctopic, true, list),
	    SIGNED_BAD_SIGNATURE);
	key_pk_to_text(fx->pk2, fx->cfg.security.credentials_key);
	assert_int_equal(open_for(fx, ctopic, true, list), SIGNED_OK);
	assert_true(fx->m.is_signed);
	assert_memory_equal(fx->m.body, cbody, strlen(cbody));
	assert_int_equal(open_for(fx, TOPIC, false, conf),
	    SIGNED_BAD_SIGNATURE);
	assert_int_equal(open_for(fx, "site1/gate7/cmd", false, cmd),
	    SIGNED_BAD_SIGNATURE);
	assert_int_equal(open_on(fx, ctopic, list), SIGNED_BAD_SIGNATURE);
	assert_int_equal(open_for(fx, ctopic, true, admin_list), SIGNED_OK);
	/* Without an admin key, the credentials key alone signs lists. */
	fx->cfg.security.admin_key[0] = '\0';
	assert_int_equal(open_for(fx, ctopic, true, list), SIGNED_OK);
	assert_int_equal(open_for(fx, TOPIC, false, conf),
	    SIGNED_NO_ADMIN_KEY);
	/* A key that does not read refuses every list. */
	snprintf(fx->cfg.security.credentials_key,
	    sizeof(fx->cfg.security.credentials_key), "not-a-key");
	assert_int_equal(open_for(fx, ctopic, true, list),
	    SIGNED_BAD_ADMIN_KEY);
	assert_non_null(strstr(fx->err, "credentials_key"));
	free(list);
	free(conf);
	free(cmd);
	free(admin_list);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_signature),
		T(test_body_bytes_round_trip),
		T(test_body_byte_flipped),
		T(test_sig_byte_flipped),
		T(test_moved_to_another_topic),
		T(test_wrong_key),
		T(test_other_context),
		T(test_unsigned),
		T(test_unsigned_pushes_on),
		T(test_malformed_envelopes),
		T(test_oversize),
		T(test_bad_admin_key),
		T(test_seal_refuses_what_json_cannot_hold),
		T(test_reason_names),
		T(test_credentials_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
