/*
 * The decision rules: one test per reason, the order between rules when
 * several fail at once, the validity boundaries, and the lanes lists.
 * The rules of signed credentials and policy are in test_decide_policy.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decide_fixture.h"
#include "util.h"

static void
test_granted(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	assert_int_equal(run(&f), REASON_GRANTED);
	f.payload.kind = f.cred.kind = CRED_CCCD;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* No bounds at all. */
	f.cred.valid_from_ms = f.cred.valid_until_ms = 0;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_too_long(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.too_long = true;
	assert_int_equal(run(&f), REASON_TOO_LONG);
	/* It wins over every other rule. */
	f.in.match = PAYLOAD_PASS;
	f.in.payload = NULL;
	f.in.cred = NULL;
	f.in.lockdown = true;
	f.in.policy = NULL;
	assert_int_equal(run(&f), REASON_TOO_LONG);
	f.in.match = PAYLOAD_MALFORMED;
	assert_int_equal(run(&f), REASON_TOO_LONG);
}

static void
test_unknown_format(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.match = PAYLOAD_PASS;
	f.payload.kind = CRED_NONE;
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_UNKNOWN_FORMAT);
	/* OK without a payload, or a result no parser returns. */
	fixture_init(&f);
	f.in.payload = NULL;
	assert_int_equal(run(&f), REASON_UNKNOWN_FORMAT);
	fixture_init(&f);
	f.in.match = 7;
	assert_int_equal(run(&f), REASON_UNKNOWN_FORMAT);
}

static void
test_malformed(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.match = PAYLOAD_MALFORMED;
	f.payload.kind = CRED_CCCD;
	assert_int_equal(run(&f), REASON_MALFORMED);
	/* Before kind-disabled and lockdown. */
	f.policy.accept[CRED_CCCD] = ACCEPT_NO;
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_MALFORMED);
}

static void
test_kind_disabled(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.policy.accept[CRED_BADGE] = ACCEPT_NO;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	/* Before lockdown and unknown. */
	f.in.lockdown = true;
	f.in.cred = NULL;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	/* The other kind is still taken. */
	fixture_init(&f);
	f.policy.accept[CRED_BADGE] = ACCEPT_NO;
	f.payload.kind = f.cred.kind = CRED_CCCD;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* No policy, or a kind out of range, takes nothing. */
	fixture_init(&f);
	f.in.policy = NULL;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	fixture_init(&f);
	f.payload.kind = CRED_NONE;
	f.policy.accept[CRED_NONE] = ACCEPT_YES;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	f.payload.kind = CRED_KIND_COUNT;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
	/* An accept value out of range takes nothing either. */
	fixture_init(&f);
	f.policy.accept[CRED_BADGE] = (enum policy_accept)7;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
}

static void
test_lane_locked(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
	/* Before unknown and revoked. */
	f.in.cred = NULL;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
	f.in.cred = &f.cred;
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
}

/* Rule 5: a store that cannot answer denies, ahead of a lockdown. */
static void
test_store_error(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.store_failed = true;
	assert_int_equal(run(&f), REASON_STORE_ERROR);
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_STORE_ERROR);
	/* Rules 1-4 come first: the lookup is not even asked then. */
	f.in.too_long = true;
	assert_int_equal(run(&f), REASON_TOO_LONG);
	f.in.too_long = false;
	f.policy.accept[CRED_BADGE] = ACCEPT_NO;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
}

/* Rule 21: a busy way turns only a grant away; a denial keeps its reason. */
static void
test_lane_busy(void **state)
{
	struct fixture f;
	struct decision d;

	(void)state;
	fixture_init(&f);
	f.in.lane_busy = true;
	assert_int_equal(run(&f), REASON_LANE_BUSY);
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_REVOKED);
	f.cred.status = CRED_ACTIVE;
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
	f.in.lockdown = false;
	f.in.store_failed = true;
	assert_int_equal(run(&f), REASON_STORE_ERROR);
	f.in.store_failed = false;
	/* Soft anti-passback: no grant, so no alarm either. */
	f.policy.antipassback = APB_SOFT;
	f.in.has_last_grant = true;
	f.in.last_grant_dir = DIR_ENTRY;
	f.in.last_grant_ms = NOW - 1000;
	decide(&f.in, &d);
	assert_int_equal(d.reason, REASON_LANE_BUSY);
	assert_false(d.passback_alarm);
	f.in.lane_busy = false;
	decide(&f.in, &d);
	assert_int_equal(d.reason, REASON_GRANTED);
	assert_true(d.passback_alarm);
}

/* Rule 23: a grant whose row cannot be written is a store-error denial. */
static void
test_unlogged(void **state)
{
	struct fixture f;
	struct decision d;

	(void)state;
	fixture_init(&f);
	f.policy.antipassback = APB_SOFT;
	f.in.has_last_grant = true;
	f.in.last_grant_dir = DIR_ENTRY;
	f.in.last_grant_ms = NOW - 1000;
	decide(&f.in, &d);
	assert_int_equal(d.result, RES_GRANTED);
	decide_unlogged(&d);
	assert_int_equal(d.result, RES_DENIED);
	assert_int_equal(d.reason, REASON_STORE_ERROR);
	assert_false(d.passback_alarm);
	/* A denial is kept as it was. */
	f.cred.status = CRED_SUSPENDED;
	decide(&f.in, &d);
	decide_unlogged(&d);
	assert_int_equal(d.result, RES_DENIED);
	assert_int_equal(d.reason, REASON_SUSPENDED);
}

static void
test_unknown(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.cred = NULL;
	assert_int_equal(run(&f), REASON_UNKNOWN);
	/* A stored credential of another kind is not this payload's. */
	fixture_init(&f);
	f.cred.kind = CRED_CCCD;
	assert_int_equal(run(&f), REASON_UNKNOWN);
}

static void
test_revoked(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_REVOKED);
	/* Revoked and expired, before validity and lanes. */
	f.in.now_ms = f.cred.valid_until_ms + 1;
	assert_int_equal(run(&f), REASON_REVOKED);
	f.in.now_ms = f.cred.valid_from_ms - 1;
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_REVOKED);
	/* A status out of range is not taken for active. */
	fixture_init(&f);
	f.cred.status = CRED_STATUS_COUNT;
	assert_int_equal(run(&f), REASON_REVOKED);
}

static void
test_suspended(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.cred.status = CRED_SUSPENDED;
	assert_int_equal(run(&f), REASON_SUSPENDED);
	f.in.now_ms = f.cred.valid_from_ms - 1;
	assert_int_equal(run(&f), REASON_SUSPENDED);
	f.in.now_ms = f.cred.valid_until_ms;
	f.in.dir = DIR_EXIT;
	assert_int_equal(run(&f), REASON_SUSPENDED);
}

static void
test_not_yet_valid(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.now_ms = f.cred.valid_from_ms - 1;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
	/* valid_from is inclusive. */
	f.in.now_ms = f.cred.valid_from_ms;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* Before expired (an inverted window) and lanes. */
	f.cred.valid_until_ms = f.cred.valid_from_ms - 10;
	f.in.now_ms = f.cred.valid_from_ms - 1;
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);
	/* 0 is no lower bound, even for a time before the epoch. */
	fixture_init(&f);
	f.cred.valid_from_ms = 0;
	f.in.now_ms = -5;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_expired(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	/* valid_until is exclusive. */
	f.in.now_ms = f.cred.valid_until_ms;
	assert_int_equal(run(&f), REASON_EXPIRED);
	f.in.now_ms = f.cred.valid_until_ms - 1;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.in.now_ms = f.cred.valid_until_ms + 86400000;
	assert_int_equal(run(&f), REASON_EXPIRED);
	/* Before the lanes. */
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_EXPIRED);
	/* 0 is no upper bound. */
	f.cred.valid_until_ms = 0;
	f.in.lane = "A";
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_wrong_lane_direction(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_WRONG_LANE);
	f.in.lane = "A";
	f.in.dir = DIR_EXIT;
	assert_int_equal(run(&f), REASON_WRONG_DIRECTION);
	f.cred.lanes[0] = '\0';
	assert_int_equal(run(&f), REASON_WRONG_LANE);
	strcpy(f.cred.lanes, "*");
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_lanes_table(void **state)
{
	static const struct {
		const char *lanes;
		const char *lane;
		enum direction dir;
		enum reason want;
	} t[] = {
		{ "*", "A", DIR_ENTRY, REASON_GRANTED },
		{ "*", "Gate-7", DIR_EXIT, REASON_GRANTED },
		{ "A", "A", DIR_ENTRY, REASON_GRANTED },
		{ "A", "A", DIR_EXIT, REASON_GRANTED },
		{ "A", "B", DIR_ENTRY, REASON_WRONG_LANE },
		{ "A:entry", "A", DIR_ENTRY, REASON_GRANTED },
		{ "A:entry", "A", DIR_EXIT, REASON_WRONG_DIRECTION },
		{ "A:entry", "B", DIR_ENTRY, REASON_WRONG_LANE },
		{ "A:exit", "A", DIR_EXIT, REASON_GRANTED },
		{ "B,A:exit", "A", DIR_EXIT, REASON_GRANTED },
		{ "B,A:exit", "A", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "B,A:exit", "B", DIR_ENTRY, REASON_GRANTED },
		{ "B,A:exit", "B", DIR_EXIT, REASON_GRANTED },
		{ "B,A:exit", "C", DIR_ENTRY, REASON_WRONG_LANE },
		{ " A : entry ", "A", DIR_ENTRY, REASON_GRANTED },
		{ " A : entry ", "A", DIR_EXIT, REASON_WRONG_DIRECTION },
		{ "\tA\t,\tB:exit\t", "B", DIR_EXIT, REASON_GRANTED },
		{ "", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ " ", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ ",,", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ ",,A,,", "A", DIR_ENTRY, REASON_GRANTED },
		{ "*:exit", "Z", DIR_EXIT, REASON_GRANTED },
		{ "*:exit", "Z", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "A:entry,A:exit", "A", DIR_EXIT, REASON_GRANTED },
		{ "A:entry,*", "A", DIR_EXIT, REASON_GRANTED },
		{ "A:entry,B:exit", "A", DIR_EXIT, REASON_WRONG_DIRECTION },
		{ "A:entry,B:exit", "B", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "AB", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ "A", "AB", DIR_ENTRY, REASON_WRONG_LANE },
		{ "a", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ "A B", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ "**", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ "A:entr", "A", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "A:entryx", "A", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "A:ENTRY", "A", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "A:sideways", "A", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "A:", "A", DIR_ENTRY, REASON_WRONG_DIRECTION },
		{ "A:entry:exit", "A", DIR_EXIT, REASON_WRONG_DIRECTION },
		{ ":entry", "A", DIR_ENTRY, REASON_WRONG_LANE },
		{ "*", "", DIR_ENTRY, REASON_WRONG_LANE },
		{ "A", "A", DIR_COUNT, REASON_WRONG_LANE },
	};

	(void)state;
	for (size_t i = 0; i < nitems(t); i++) {
		enum reason r = decide_lanes_check(t[i].lanes, t[i].lane,
		    t[i].dir);

		if (r != t[i].want)
			fail_msg("\"%s\" on %s %s: got %s, want %s",
			    t[i].lanes, t[i].lane, direction_name(t[i].dir),
			    reason_name(r), reason_name(t[i].want));
	}
	assert_int_equal(decide_lanes_check(NULL, "A", DIR_ENTRY),
	    REASON_WRONG_LANE);
	assert_int_equal(decide_lanes_check("*", NULL, DIR_ENTRY),
	    REASON_WRONG_LANE);
}

static void
test_lanes_long(void **state)
{
	char lanes[128], copy[128];

	(void)state;
	/* A full 127-byte list whose last item is the one that allows. */
	memset(lanes, 0, sizeof(lanes));
	while (strlen(lanes) + 7 <= 105)
		strcat(lanes, "X:exit,");
	while (strlen(lanes) < 116)
		strcat(lanes, " ");
	strcat(lanes, "LANE-9:exit");
	assert_int_equal(strlen(lanes), 127);
	memcpy(copy, lanes, sizeof(lanes));
	assert_int_equal(decide_lanes_check(lanes, "LANE-9", DIR_EXIT),
	    REASON_GRANTED);
	assert_int_equal(decide_lanes_check(lanes, "LANE-9", DIR_ENTRY),
	    REASON_WRONG_DIRECTION);
	assert_int_equal(decide_lanes_check(lanes, "LANE-", DIR_EXIT),
	    REASON_WRONG_LANE);
	/* The list is read, never written. */
	assert_memory_equal(lanes, copy, sizeof(lanes));

	/* A lane name longer than any buffer is compared whole. */
	memset(lanes, 'L', 127);
	lanes[127] = '\0';
	memcpy(copy, lanes, sizeof(lanes));
	copy[126] = '\0';
	assert_int_equal(decide_lanes_check(lanes, copy, DIR_ENTRY),
	    REASON_WRONG_LANE);
	assert_int_equal(decide_lanes_check(copy, lanes, DIR_ENTRY),
	    REASON_WRONG_LANE);
	assert_int_equal(decide_lanes_check(lanes, lanes, DIR_ENTRY),
	    REASON_GRANTED);
}

/*
 * A CCCD whose other fields do not match its enrolled card is unknown:
 * after the kind and lockdown rules (they say nothing of the card), before
 * every rule about the credential (which would tell a forger that the
 * number is enrolled, and whose holder it is).
 */
static void
test_cccd_card_mismatch(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.payload.kind = f.cred.kind = CRED_CCCD;
	f.in.card_mismatch = true;
	assert_int_equal(run(&f), REASON_UNKNOWN);
	f.cred.status = CRED_SUSPENDED;
	f.policy.accept[CRED_CCCD] = ACCEPT_VISITORS;
	assert_int_equal(run(&f), REASON_UNKNOWN);
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
	/* Only a CCCD has a card to match. */
	fixture_init(&f);
	f.in.card_mismatch = true;
	assert_int_equal(run(&f), REASON_GRANTED);
	fixture_init(&f);
	f.payload.kind = f.cred.kind = CRED_CCCD;
	assert_int_equal(run(&f), REASON_GRANTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_granted),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_unknown_format),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_kind_disabled),
		cmocka_unit_test(test_lane_locked),
		cmocka_unit_test(test_store_error),
		cmocka_unit_test(test_lane_busy),
		cmocka_unit_test(test_unlogged),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_suspended),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_wrong_lane_direction),
		cmocka_unit_test(test_lanes_table),
		cmocka_unit_test(test_lanes_long),
		cmocka_unit_test(test_cccd_card_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
