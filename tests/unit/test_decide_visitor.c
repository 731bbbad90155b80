/*
 * The rules of a visitor's pass (decide.h, rules 4, 8, 10, 11, 13-16 and
 * 18-21 as they read for kind visitor): granted with no credential row,
 * each reason, its boundaries, and a row of the pass's id that cancels it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decide_fixture.h"
#include "util.h"

#define NOW_S	(NOW / 1000)

/*
 * A pass whose every fact is good: signed by the desk's key, from an hour
 * ago for eight hours, lanes A and B's entry, on a trusted clock, and no
 * credential row for it.
 */
static void
visitor_init(struct fixture *f)
{
	fixture_init(f);
	f->payload.kind = CRED_VISITOR;
	strcpy(f->payload.subject, "V-20231114-0001");
	f->payload.token.type = TOKEN_VISITOR;
	strcpy(f->payload.token.id, "V-20231114-0001");
	f->payload.token.not_before_s = NOW_S - 3600;
	f->payload.token.expires_s = NOW_S - 3600 + 8 * 3600;
	strcpy(f->payload.token.lanes, "A,B:entry");
	f->policy.visitor_max_s = 86400;
	f->in.cred = NULL;
	f->in.sig_ok = true;
	f->in.clock_synced = true;
	/* The cancelling row, when a test gives it one. */
	strcpy(f->cred.id, "V-20231114-0001");
	f->cred.kind = CRED_VISITOR;
	strcpy(f->cred.subject, "V-20231114-0001");
	f->cred.role = ROLE_VISITOR;
	f->cred.valid_from_ms = f->cred.valid_until_ms = 0;
	strcpy(f->cred.lanes, "");
}

static void
test_granted_without_row(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	assert_int_equal(run(&f), REASON_GRANTED);
	/* An active row of its id (pushed, then re-activated) changes
	 * nothing, not even with lanes that would not allow it: the pass's
	 * own lanes are the ones. */
	f.cred.status = CRED_ACTIVE;
	f.in.cred = &f.cred;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_kind_disabled(void **state)
{
	struct fixture f;

	(void)state;
	/* No desk key configured: the site makes no passes. */
	visitor_init(&f);
	f.policy.accept[CRED_VISITOR] = ACCEPT_NO;
	f.in.sig_ok = false;
	assert_int_equal(run(&f), REASON_KIND_DISABLED);
}

static void
test_bad_signature(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.in.sig_ok = false;
	assert_int_equal(run(&f), REASON_BAD_SIGNATURE);
	/* Before the row: a forged pass learns nothing of cancellations,
	 * nor of the clock, the times or the lanes. */
	f.cred.status = CRED_REVOKED;
	f.in.cred = &f.cred;
	f.in.clock_synced = false;
	f.payload.token.expires_s = 1;
	strcpy(f.payload.token.lanes, "Z");
	assert_int_equal(run(&f), REASON_BAD_SIGNATURE);
}

static void
test_cancelled(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.in.cred = &f.cred;
	f.cred.status = CRED_REVOKED;
	assert_int_equal(run(&f), REASON_REVOKED);
	f.cred.status = CRED_SUSPENDED;
	assert_int_equal(run(&f), REASON_SUSPENDED);
	/* A status this program does not know cancels too. */
	f.cred.status = CRED_STATUS_COUNT;
	assert_int_equal(run(&f), REASON_REVOKED);
	/* Before the clock: a cancelled pass is cancelled on any clock. */
	f.cred.status = CRED_REVOKED;
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_REVOKED);
}

static void
test_clock_unsynced(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.in.clock_synced = false;
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
	/* policy.unsynced_dynamic is about dynamic tokens only. */
	f.policy.unsynced_dynamic = true;
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
	/* Before the times: an untrusted clock cannot tell them. */
	f.payload.token.expires_s = NOW_S - 1;
	assert_int_equal(run(&f), REASON_CLOCK_UNSYNCED);
}

static void
test_times(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	/* Not-before, with DECIDE_VISITOR_SKEW_MS of skew. */
	f.payload.token.not_before_s = NOW_S + DECIDE_VISITOR_SKEW_MS / 1000;
	f.payload.token.expires_s = f.payload.token.not_before_s + 3600;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.payload.token.not_before_s++;
	f.payload.token.expires_s++;
	assert_int_equal(run(&f), REASON_NOT_YET_VALID);

	/* The expiry is exclusive. */
	visitor_init(&f);
	f.payload.token.expires_s = NOW_S + 1;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.payload.token.expires_s = NOW_S;
	assert_int_equal(run(&f), REASON_EXPIRED);
	/* Before the lanes. */
	strcpy(f.payload.token.lanes, "Z");
	assert_int_equal(run(&f), REASON_EXPIRED);
}

static void
test_longest_pass(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	/* Exactly policy.visitor_max_s: honoured. */
	f.payload.token.expires_s = f.payload.token.not_before_s + 86400;
	assert_int_equal(run(&f), REASON_GRANTED);
	/* A second longer: not, even on its first minute. */
	f.payload.token.expires_s++;
	assert_int_equal(run(&f), REASON_EXPIRED);
	f.policy.visitor_max_s = 86401;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_lanes(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.in.lane = "C";
	assert_int_equal(run(&f), REASON_WRONG_LANE);
	f.in.lane = "B";
	assert_int_equal(run(&f), REASON_GRANTED);
	f.in.dir = DIR_EXIT;
	assert_int_equal(run(&f), REASON_WRONG_DIRECTION);
	f.in.lane = "A";
	assert_int_equal(run(&f), REASON_GRANTED);
}

/*
 * Rule 17b for a pass (policy.visitor_schedule, or its row's schedule):
 * an entry outside the schedule is refused, after the pass's own times
 * and before its lanes; leaving never is.
 */
static void
test_schedule(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.in.schedule = DECIDE_SCHED_OPEN;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	assert_int_equal(run(&f), REASON_OUTSIDE_SCHEDULE);
	f.in.lane = "C";
	assert_int_equal(run(&f), REASON_OUTSIDE_SCHEDULE);
	f.payload.token.expires_s = NOW_S - 1;
	assert_int_equal(run(&f), REASON_EXPIRED);
	visitor_init(&f);
	f.in.schedule = DECIDE_SCHED_CLOSED;
	strcpy(f.payload.token.lanes, "A");
	f.in.dir = DIR_EXIT;
	assert_int_equal(run(&f), REASON_GRANTED);
}

static void
test_passback_and_busy(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.policy.antipassback = APB_HARD;
	f.in.has_last_grant = true;
	f.in.last_grant_dir = DIR_ENTRY;
	f.in.last_grant_ms = NOW - 1000;
	assert_int_equal(run(&f), REASON_ANTI_PASSBACK);
	f.in.last_grant_dir = DIR_EXIT;
	assert_int_equal(run(&f), REASON_GRANTED);
	f.in.lane_busy = true;
	assert_int_equal(run(&f), REASON_LANE_BUSY);
}

/* The rules before the kind's own still come first. */
static void
test_earlier_rules(void **state)
{
	struct fixture f;

	(void)state;
	visitor_init(&f);
	f.in.lockdown = true;
	assert_int_equal(run(&f), REASON_LANE_LOCKED);
	f.in.store_failed = true;
	assert_int_equal(run(&f), REASON_STORE_ERROR);
	visitor_init(&f);
	f.in.slowed = true;
	assert_int_equal(run(&f), REASON_SLOWED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_granted_without_row),
		cmocka_unit_test(test_kind_disabled),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_cancelled),
		cmocka_unit_test(test_clock_unsynced),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_longest_pass),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_passback_and_busy),
		cmocka_unit_test(test_earlier_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
