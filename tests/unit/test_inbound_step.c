/*
 * Steps from the site's other gates (inbound_step): the parser on every
 * malformed shape, every truncation and random bytes, the message the
 * gate publishes read back, and the handler against a real gate and
 * store: a step is recorded only for a dynamic credential held here, only
 * upwards, and only when it is a step this gate would take now.
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

#include "clock.h"
#include "gate.h"
#include "inbound.h"
#include "mqtt_msg.h"
#include "token.h"

#include "gate_fixture.h"
#include "util.h"

static int
parse(const char *text, struct inbound_step *st)
{
	char err[128];

	memset(st, 0x55, sizeof(*st));
	return inbound_step_parse((const uint8_t *)text, strlen(text), st,
	    err, sizeof(err));
}

static void
test_step_parse_good(void **state)
{
	struct inbound_step st;

	(void)state;
	assert_int_equal(parse("{\"credential_id\":\"D-0101\","
	    "\"step\":59876543}", &st), 0);
	assert_string_equal(st.credential_id, "D-0101");
	assert_int_equal(st.step, 59876543);
	/* The order of members does not matter; the range's ends do. */
	assert_int_equal(parse("{\"step\":0,\"credential_id\":\"x\"}", &st), 0);
	assert_int_equal(st.step, 0);
	assert_int_equal(parse("{\"credential_id\":\"Nguyễn-1\","
	    "\"step\":4294967295}", &st), 0);
	assert_int_equal(st.step, UINT32_MAX);
	assert_string_equal(st.credential_id, "Nguyễn-1");
	/* 63 bytes: the longest id the store holds. */
	char text[160], id[64];

	memset(id, 'a', 63);
	id[63] = '\0';
	snprintf(text, sizeof(text), "{\"credential_id\":\"%s\",\"step\":1}",
	    id);
	assert_int_equal(parse(text, &st), 0);
	assert_string_equal(st.credential_id, id);
}

static void
test_step_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"null",
		"[]",
		"\"step\"",
		"{}",
		"{\"credential_id\":\"D-1\"}",
		"{\"step\":1}",
		"{\"credential_id\":\"D-1\",\"step\":1,\"gate\":\"g\"}",
		"{\"credential_id\":\"D-1\",\"step\":1,\"step\":2}",
		"{\"credential_id\":\"\",\"step\":1}",
		"{\"credential_id\":1,\"step\":1}",
		"{\"credential_id\":null,\"step\":1}",
		"{\"credential_id\":\"D-1\",\"step\":-1}",
		"{\"credential_id\":\"D-1\",\"step\":4294967296}",
		"{\"credential_id\":\"D-1\",\"step\":99999999999999999999}",
		"{\"credential_id\":\"D-1\",\"step\":1.0}",
		"{\"credential_id\":\"D-1\",\"step\":\"1\"}",
		"{\"credential_id\":\"D-1\",\"step\":true}",
		"{\"credential_id\":\"D\\u0000-1\",\"step\":1}",
		"{\"credential_id\":\"D\\n1\",\"step\":1}",
		"{\"credential_id\":\"D\\u007f1\",\"step\":1}",
		"{\"credential_id\":\"\xff\xfe\",\"step\":1}",
		"{\"credential_id\":\"D-1\",\"step\":1} trailing",
	};
	struct inbound_step st;
	char text[400], id[65];

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++)
		if (parse(bad[i], &st) != -1)
			fail_msg("taken: %s", bad[i]);
	/* 64 bytes: one more than the store holds. */
	memset(id, 'a', 64);
	id[64] = '\0';
	snprintf(text, sizeof(text), "{\"credential_id\":\"%s\",\"step\":1}",
	    id);
	assert_int_equal(parse(text, &st), -1);
	/* Over INBOUND_STEP_MAX bytes, however well formed. */
	snprintf(text, sizeof(text), "{\"credential_id\":\"a\",\"step\":1%*s}",
	    INBOUND_STEP_MAX, "");
	assert_true(strlen(text) > INBOUND_STEP_MAX);
	assert_int_equal(parse(text, &st), -1);
}

/* What the gate publishes is what the others read, and no prefix of it
 * is taken; nor are random bytes (under ASan: nothing read out of
 * bounds, whatever comes). */
static void
test_step_parse_roundtrip_and_noise(void **state)
{
	struct inbound_step st;
	uint8_t buf[INBOUND_STEP_MAX + 8];
	char err[128], *text;
	size_t len;
	int taken = 0;

	(void)state;
	err[0] = '\0';
	text = mqtt_msg_text(mqtt_msg_step("W-0101/β", 4000000000u), &len);
	assert_non_null(text);
	assert_int_equal(inbound_step_parse((const uint8_t *)text, len, &st,
	    err, sizeof(err)), 0);
	assert_string_equal(st.credential_id, "W-0101/β");
	assert_int_equal(st.step, 4000000000u);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(inbound_step_parse((const uint8_t *)text, n,
		    &st, err, sizeof(err)), -1);
	free(text);
	for (int i = 0; i < 20000; i++) {
		size_t n = randombytes_uniform(sizeof(buf) + 1);

		randombytes_buf(buf, n);
		/* Half of them shaped like a message, to get past the
		 * first checks. */
		if (i % 2 == 0 && n > 40) {
			memcpy(buf, "{\"credential_id\":\"", 18);
			buf[n - 1] = '}';
		}
		if (inbound_step_parse(buf, n, &st, err, sizeof(err)) == 0) {
			taken++;
			assert_true(strlen(st.credential_id) > 0);
			assert_true(strlen(st.credential_id) < 64);
		}
		assert_true(strlen(err) < sizeof(err));
	}
	assert_int_equal(taken, 0);
}

static void
cred_add(struct gate_fx *fx, const char *id, enum cred_kind kind,
    const char *subject)
{
	struct credential c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.kind = kind;
	snprintf(c.subject, sizeof(c.subject), "%s", subject);
	c.status = CRED_ACTIVE;
	snprintf(c.lanes, sizeof(c.lanes), "*");
	c.has_pubkey = kind == CRED_DYNAMIC;
	randombytes_buf(c.pubkey, sizeof(c.pubkey));
	assert_int_equal(store_credential_put(fx->gate.store, &c), 0);
}

static enum inbound_step_result
step_in(struct gate_fx *fx, const char *id, int64_t step, bool retained)
{
	char text[200];

	snprintf(text, sizeof(text), "{\"credential_id\":\"%s\",\"step\":%lld}",
	    id, (long long)step);
	return inbound_step(&fx->gate, "gate-b", (const uint8_t *)text,
	    strlen(text), retained);
}

static int64_t
recorded(struct gate_fx *fx, const char *id)
{
	int64_t step = -1;

	assert_int_not_equal(store_token_step_get(fx->gate.store, id, &step),
	    -1);
	return step;
}

static void
test_step_handler(void **state)
{
	struct gate_fx *fx = *state;
	int64_t now;

	cred_add(fx, "D-0101", CRED_DYNAMIC, "W-0101");
	cred_add(fx, "B-0001", CRED_BADGE, "W-0001");
	/* The steps below are at least 3 away from the window's ends, or
	 * inside it: true whatever step the clock is at in between. */
	now = token_step_of(clock_utc_ms() / 1000,
	    fx->gate.cfg.policy.token_step_s);

	assert_int_equal(step_in(fx, "D-0101", now, false),
	    INBOUND_STEP_RAISED);
	assert_int_equal(recorded(fx, "D-0101"), now);
	/* Never lowered. */
	assert_int_equal(step_in(fx, "D-0101", now - 1, false),
	    INBOUND_STEP_RAISED);
	assert_int_equal(recorded(fx, "D-0101"), now);
	/* Ahead of this gate's clock: refused, so nobody can lock a worker
	 * out in advance. */
	assert_int_equal(step_in(fx, "D-0101", now + 3, false),
	    INBOUND_STEP_REFUSED);
	assert_int_equal(step_in(fx, "D-0101", UINT32_MAX, false),
	    INBOUND_STEP_REFUSED);
	assert_int_equal(recorded(fx, "D-0101"), now);
	/* Expired: nothing to do. */
	assert_int_equal(step_in(fx, "D-0101", now - 3, false),
	    INBOUND_STEP_IGNORED);
	/* Not a dynamic credential held here: nothing recorded. */
	assert_int_equal(step_in(fx, "B-0001", now, false),
	    INBOUND_STEP_IGNORED);
	assert_int_equal(recorded(fx, "B-0001"), -1);
	assert_int_equal(step_in(fx, "D-9999", now, false),
	    INBOUND_STEP_IGNORED);
	assert_int_equal(recorded(fx, "D-9999"), -1);
	/* Retained: somebody else's. */
	assert_int_equal(step_in(fx, "D-0101", now, true),
	    INBOUND_STEP_REFUSED);
	assert_int_equal(inbound_step(&fx->gate, "gate-b",
	    (const uint8_t *)"{]", 2, false), INBOUND_STEP_REFUSED);
	assert_int_equal(recorded(fx, "D-0101"), now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_parse_good),
		cmocka_unit_test(test_step_parse_bad),
		cmocka_unit_test(test_step_parse_roundtrip_and_noise),
		cmocka_unit_test_setup_teardown(test_step_handler,
		    gate_fx_setup, gate_fx_teardown),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
