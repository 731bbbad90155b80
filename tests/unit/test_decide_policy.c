/*
 * The rules of signed credentials and policy (decide.h, rules 6, 8, 9, 11,
 * 13-16 and 19): each reason, its boundaries, and its place in the order
 * against the rules either side of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decide_fixture.h"
#include "util.h"

#define STEP	56666666	/* NOW / 30 s */

/*
 * A token of kind (signed or dynamic) whose every fact is good: signature
 * verified, serial current, not expired, the current step never used.
 */
static void
token_init(struct fixture *f, enum cred_kind kind)
{
	fixture_init(f);
	f->payload.kind = f->cred.kind = kind;
	f->payload.token.type = kind == CRED_SIGNED ? TOKEN_BADGE :
	    TOKEN_DYNAMIC;
	strcpy(f->payload.token.id, "W-0001");
	f->payload.token.serial = f->cred.serial = 3;
	f->payload.token.expires_s = NOW / 1000 + 3600;
	f->payload.token.step = STEP;
	f->cred.has_pubkey = kind == CRED_DYNAMIC;
	f->in.sig_ok = true;
	f->in.step_now = STEP;
	f->in.last_step = STEP - 5;
}

/* Granted with the soft anti-passback alarm? */
static bool
run_alarm(const struct fixture *f)
{
	struct decision d;

	decide(&f->in, &d);
	assert_int_equal(d.reason, REASON_GRANTED);
	return d.passback_alarm;
}

static void
test_kinds_disabled(void **state)
{
	struct fixture f;

	(void)state;
	/* Each new kind is disabled on its own, before the rules after. */
	token_init(&f, CRED_DYNAMIC);
	f.policy.accept[CRED_DYNAMIC] = ACCEPT_NO;
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	f.payload.kind = f.cred.kind = CRED_SIGNED;
	assert_int_equal(run(&f), REASON_GRANTED);
	token_init(&f, CRED_SIGNED);
	f.policy.accept[CRED_SIGNED] = ACCEPT_NO;
	f.in.slowed = true;
	f.in.sig_ok = false;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
}

static void
test_slowed(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.slowed = true;
	assert_int_equal(run(&f), REASON_SLOWED);
	/* Before unknown: a slowed code is not even looked up. */
	f.in.cred = NULL;
	assert_int_equal(run(&f), REASON_SLOWED);
	/* After lane-locked and kind-disabled. */
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
	f.policy.accept[CRED_BADGE] = ACCEPT_NO;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
}

static void
test_visitors_only(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.policy.accept[CRED_BADGE] = ACCEPT_VISITORS;
	f.cred.role = ROLE_STAFF;
	assert_int_equal(run(&f), REASON_VISITORS_ONLY);
	f.cred.role = ROLE_VISITOR;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* A role out of range is no visitor. */
	f.cred.role = ROLE_COUNT;
	assert_int_equal(run(&f), REASON_VISITORS_ONLY);
	/* After unknown, before bad-signature and revoked. */
	fixture_init(&f);
	f.policy.accept[CRED_BADGE] = ACCEPT_VISITORS;
	f.in.cred = NULL;
	assert_int_equal(run(&f), REASON_UNKNOWN);
	token_init(&f, CRED_SIGNED);
	f.policy.accept[CRED_SIGNED] = ACCEPT_VISITORS;
	f.in.sig_ok = false;
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_VISITORS_ONLY);
	/* yes takes staff and visitors alike. */
	fixture_init(&f);
	f.cred.role = ROLE_VISITOR;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_bad_signature(void **state)
{
	static const enum cred_kind kinds[] = { CRED_SIGNED, CRED_DYNAMIC };
	struct fixture f;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		token_init(&f, kinds[i]);
		assert_int_equal(run(&f), REASON_GRANTED);
		f.in.sig_ok = false;
		assert_int_equal(run(&f), REASON_BAD_SIGNATURE);
		/* Before revoked and everything after it. */
		f.cred.status = CRED_REVOKED;
		f.in.lane = "B";
		assert_int_equal(run(&f), REASON_BAD_SIGNATURE);
		/* After unknown. */
		f.in.cred = NULL;
		assert_int_equal(run(&f), REASON_UNKNOWN);
	}
	/* A plain badge has no signature to check. */
	fixture_init(&f);
	f.in.sig_ok = false;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_serial_revoked(void **state)
{
	struct fixture f;

	(void)state;
	token_init(&f, CRED_SIGNED);
	f.payload.token.serial = 2;
	assert_int_equal(run(&f), REASON_SERIAL_REVOKED);
	f.payload.token.serial = 4;
	assert_int_equal(run(&f), REASON_SERIAL_REVOKED);
	/* After revoked, before suspended and expiry. */
	f.cred.status = CRED_SUSPENDED;
	f.payload.token.expires_s = 1;
	assert_int_equal(run(&f), REASON_SERIAL_REVOKED);
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_REVOKED);
	/* Only signed badges carry serials. */
	token_init(&f, CRED_DYNAMIC);
	f.payload.token.serial = 9;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_clock_unsynced(void **state)
{
	struct fixture f;

	(void)state;
	token_init(&f, CRED_DYNAMIC);
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
	/* Before not-yet-valid, expired, replayed and the lanes. */
	f.payload.token.step = STEP + 5;
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
	/* After suspended. */
	f.cred.status = CRED_SUSPENDED;
	assert_int_equal(run(&f), REASON_SUSPENDED);
	/* Policy may accept them anyway. */
	token_init(&f, CRED_DYNAMIC);
	f.in.clock_synced = false;
	f.policy.unsynced_dynamic = true;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* Other kinds do not depend on the clock's synchronisation. */
	token_init(&f, CRED_SIGNED);
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_GRANTED);
	fixture_init(&f);
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_dynamic_steps(void **state)
{
	static const struct {
		int64_t step;
		enum reason want;
	} cases[] = {
		{ STEP - 2, REASON_EXPIRED },
		{ STEP - 1, REASON_GRANTED },
		{ STEP, REASON_GRANTED },
		{ STEP + 1, REASON_GRANTED },
		{ STEP + 2, REASON_NOT_YET_VALID },
		{ 0, REASON_EXPIRED },
		{ UINT32_MAX, REASON_NOT_YET_VALID },
	};
	struct fixture f;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		token_init(&f, CRED_DYNAMIC);
		f.payload.token.step = (uint32_t)cases[i].step;
		assert_int_equal(run(&f), cases[i].want);
	}
	/* The credential's own window comes first. */
	token_init(&f, CRED_DYNAMIC);
	f.payload.token.step = STEP - 2;
	f.in.now_ms = f.cred.valid_from_ms - 1;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
	token_init(&f, CRED_DYNAMIC);
	f.payload.token.step = STEP + 2;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
	f.in.now_ms = f.cred.valid_until_ms;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
	/* A step before zero does not wrap. */
	token_init(&f, CRED_DYNAMIC);
	f.in.step_now = 0;
	f.in.last_step = -1;
	f.payload.token.step = 0;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.payload.token.step = UINT32_MAX;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
}

static void
test_replayed(void **state)
{
	struct fixture f;

	(void)state;
	token_init(&f, CRED_DYNAMIC);
	f.in.last_step = STEP;
	assert_int_equal(run(&f), REASON_REPLAYED);
	/* An older step than the last one used is no better. */
	f.payload.token.step = STEP - 1;
	assert_int_equal(run(&f), REASON_REPLAYED);
	/* The next step is fresh. */
	f.payload.token.step = STEP + 1;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* Never used: -1. */
	f.payload.token.step = STEP;
	f.in.last_step = -1;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* After expired, before the lanes. */
	f.in.last_step = STEP + 10;
	f.payload.token.step = STEP - 2;
	assert_int_equal(run(&f), REASON_EXPIRED);
	f.payload.token.step = STEP;
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_REPLAYED);
	/* Signed badges may be shown again and again. */
	token_init(&f, CRED_SIGNED);
	f.in.last_step = STEP + 10;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_signed_expiry(void **state)
{
	struct fixture f;

	(void)state;
	token_init(&f, CRED_SIGNED);
	/* The token's expiry is exclusive, like valid_until. */
	f.payload.token.expires_s = NOW / 1000;
	assert_int_equal(run(&f), REASON_EXPIRED);
	f.payload.token.expires_s = NOW / 1000 + 1;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.payload.token.expires_s = 0;
	assert_int_equal(run(&f), REASON_EXPIRED);
	/* Before the lanes; after not-yet-valid. */
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_EXPIRED);
	f.in.now_ms = f.cred.valid_from_ms - 1;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
}

/* A badge whose last grant was way dir, ago_ms before NOW. */
static void
passback_init(struct fixture *f, enum antipassback mode, enum direction dir,
    int64_t ago_ms)
{
	fixture_init(f);
	f->cred.valid_until_ms = 0;
	strcpy(f->cred.lanes, "*");
	f->policy.antipassback = mode;
	f->policy.antipassback_ms = 300000;
	f->in.has_last_grant = true;
	f->in.last_grant_dir = dir;
	f->in.last_grant_ms = NOW - ago_ms;
}

static void
test_antipassback(void **state)
{
	struct fixture f;

	(void)state;
	/* hard: a second entry without an exit. */
	passback_init(&f, APB_HARD, DIR_ENTRY, 86400000);
	assert_int_equal(run(&f), REASON_ANTI_PASSBACK);
	passback_init(&f, APB_HARD, DIR_EXIT, 1);
	assert_false(run_alarm(&f));
	passback_init(&f, APB_HARD, DIR_ENTRY, 1);
	f.in.has_last_grant = false;
	assert_false(run_alarm(&f));
	/* An exit is never refused, whatever came before. */
	passback_init(&f, APB_HARD, DIR_EXIT, 1);
	f.in.dir = DIR_EXIT;
	assert_false(run_alarm(&f));
	passback_init(&f, APB_HARD, DIR_ENTRY, 1);
	f.in.dir = DIR_EXIT;
	assert_false(run_alarm(&f));
	/* The last rule: every other reason comes first. */
	passback_init(&f, APB_HARD, DIR_ENTRY, 1);
	strcpy(f.cred.lanes, "B");
	assert_int_equal(run(&f), REASON_WRONG_LANE);

	/* soft: granted, with the alarm. */
	passback_init(&f, APB_SOFT, DIR_ENTRY, 1);
	assert_true(run_alarm(&f));
	passback_init(&f, APB_SOFT, DIR_EXIT, 1);
	assert_false(run_alarm(&f));
	passback_init(&f, APB_SOFT, DIR_ENTRY, 1);
	f.in.dir = DIR_EXIT;
	assert_false(run_alarm(&f));
	passback_init(&f, APB_SOFT, DIR_ENTRY, 1);
	f.cred.status = CRED_SUSPENDED;
	assert_int_equal(run(&f), REASON_SUSPENDED);

	/* timed: an entry within antipassback_ms of the last. */
	passback_init(&f, APB_TIMED, DIR_ENTRY, 299999);
	assert_int_equal(run(&f), REASON_ANTI_PASSBACK);
	passback_init(&f, APB_TIMED, DIR_ENTRY, 0);
	assert_int_equal(run(&f), REASON_ANTI_PASSBACK);
	passback_init(&f, APB_TIMED, DIR_ENTRY, 300000);
	assert_false(run_alarm(&f));
	passback_init(&f, APB_TIMED, DIR_EXIT, 1);
	assert_false(run_alarm(&f));
	/* A last grant "in the future" (the clock was set back). */
	passback_init(&f, APB_TIMED, DIR_ENTRY, -1000);
	assert_false(run_alarm(&f));

	/* off, or a mode out of range: nothing. */
	passback_init(&f, APB_OFF, DIR_ENTRY, 1);
	assert_false(run_alarm(&f));
	passback_init(&f, (enum antipassback)9, DIR_ENTRY, 1);
	assert_false(run_alarm(&f));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_disabled),
		cmocka_unit_test(test_slowed),
		cmocka_unit_test(test_visitors_only),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_serial_revoked),
		cmocka_unit_test(test_clock_unsynced),
		cmocka_unit_test(test_dynamic_steps),
		cmocka_unit_test(test_replayed),
		cmocka_unit_test(test_signed_expiry),
		cmocka_unit_test(test_antipassback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
