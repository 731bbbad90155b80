/*
 * Config pushes as the aggregator makes them (confpush.h): a piece of
 * INI read through the gate's own table, each problem at its line, the
 * gate's rules of what a push may not set, the document; and the check
 * of a message signed offline (seal_verify.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "confpush.h"
#include "seal.h"
#include "seal_verify.h"

static int
read_text(const char *text, json_t *settings, struct settings_errors *errs)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n;

	assert_non_null(f);
	n = confpush_read(f, "push.ini", settings, errs);
	fclose(f);
	return n;
}

static void
test_confpush_read_ok(void **state)
{
	struct settings_errors errs;
	json_t *s = json_object();
	char *body;

	(void)state;
	assert_int_equal(read_text("# a comment\n[lane]\ndeny_ms = 200\n"
	    "[policy]\nantipassback = soft\n[lane]\ndeny_ms = 300\n", s,
	    &errs), 0);
	/* The last of a key said twice, as in a file; values as text. */
	body = confpush_body(7, s);
	assert_string_equal(body, "{\"settings\":{\"lane.deny_ms\":\"300\","
	    "\"policy.antipassback\":\"soft\"},\"version\":7}");
	free(body);
	json_decref(s);
}

static void
test_confpush_read_errors(void **state)
{
	struct settings_errors errs;
	json_t *s = json_object();

	(void)state;
	assert_int_equal(read_text("[lane]\ndeny_ms = 200\npulse_ms = 0\n"
	    "[security]\nadmin_key = x\n[camera]\nsource = /dev/video9\n"
	    "[nosuch]\nx = 1\n[policy]\nantipassback = sideways\n", s,
	    &errs), 5);
	assert_string_equal(errs.msg[0],
	    "push.ini:3: lane.pulse_ms: 0 is out of range 100..60000");
	/* Refused by the gate's rules, after the table took the value (a
	 * key the table does not know is told as such). */
	assert_non_null(strstr(errs.msg[1], "push.ini:5: security.admin_key: "
	    "holds the keys"));
	assert_non_null(strstr(errs.msg[2], "push.ini:7: camera.source: "
	    "names a device or file of this gate: set it in the gate's "
	    "config file"));
	assert_string_equal(errs.msg[3], "push.ini:8: unknown section "
	    "[nosuch]");
	assert_non_null(strstr(errs.msg[4], "push.ini:11: "
	    "policy.antipassback: \"sideways\""));
	json_decref(s);
}

static void
test_confpush_refused(void **state)
{
	(void)state;
	assert_non_null(confpush_refused("gpio", "chip"));
	assert_non_null(confpush_refused("mqtt", "host"));
	assert_non_null(confpush_refused("gate", "id"));
	assert_null(confpush_refused("gate", "lane"));
	assert_null(confpush_refused("lane", "deny_ms"));
}

static void
test_confpush_topic(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(confpush_topic("s1", "g7", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "s1/g7/config/set");
	assert_int_equal(confpush_topic("s1", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "s1/all/config/set");
	assert_int_equal(confpush_topic("a-very-long-site-name", "g", buf,
	    sizeof(buf)), -1);
}

static void
test_seal_verify(void **state)
{
	const char *body = "{\"settings\":{},\"version\":3}";
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	char err[256], *env, *out = NULL, *bad;
	size_t len;

	(void)state;
	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	env = signed_msg_seal("s1/all/config/set", (const uint8_t *)body,
	    strlen(body), sk, err, sizeof(err));
	assert_non_null(env);
	assert_int_equal(seal_verify("s1/all/config/set", env, strlen(env), pk,
	    &out, &len, err, sizeof(err)), 0);
	assert_string_equal(out, body);
	assert_int_equal(len, strlen(body));
	free(out);
	/* Another key, another topic. */
	assert_int_equal(seal_verify("s1/all/config/set", env, strlen(env),
	    pk2, &out, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not the admin key's"));
	assert_int_equal(seal_verify("s1/g1/config/set", env, strlen(env), pk,
	    &out, &len, err, sizeof(err)), -1);
	/* Unsigned, or with a member more. */
	assert_int_equal(seal_verify("s1/all/config/set", body, strlen(body),
	    pk, &out, &len, err, sizeof(err)), -1);
	bad = malloc(strlen(env) + 16);
	sprintf(bad, "%.*s,\"x\":1}", (int)strlen(env) - 1, env);
	assert_int_equal(seal_verify("s1/all/config/set", bad, strlen(bad), pk,
	    &out, &len, err, sizeof(err)), -1);
	free(bad);
	free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confpush_read_ok),
		cmocka_unit_test(test_confpush_read_errors),
		cmocka_unit_test(test_confpush_refused),
		cmocka_unit_test(test_confpush_topic),
		cmocka_unit_test(test_seal_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
