/*
 * The lane state machine against a recording fake GPIO backend and the real
 * event loop: relays, lamps, passage outcomes, alarms, the fire alarm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lane.h"
#include "loop.h"

struct fake_gpio {
	int value[GPIO_ROLE_COUNT];
	int changes[GPIO_ROLE_COUNT];
};

static int
fake_set(void *priv, enum gpio_role role, int active)
{
	struct fake_gpio *f = priv;

	if (f->value[role] != active)
		f->changes[role]++;
	f->value[role] = active;
	return 0;
}

static int
fake_get(void *priv, enum gpio_role role)
{
	return ((struct fake_gpio *)priv)->value[role];
}

static const struct gpio_ops fake_ops = { .name = "fake", .set = fake_set, .get = fake_get };

struct recorder {
	int passages;
	enum direction dir;
	int64_t seq;
	enum passage passage;
	int alarms;
	enum reason alarm;
	int buttons;
};

static void
rec_passage(void *arg, enum direction dir, int64_t seq, enum passage p)
{
	struct recorder *r = arg;

	r->passages++;
	r->dir = dir;
	r->seq = seq;
	r->passage = p;
}

static void
rec_alarm(void *arg, enum reason reason)
{
	struct recorder *r = arg;

	r->alarms++;
	r->alarm = reason;
}

static void
rec_button(void *arg)
{
	((struct recorder *)arg)->buttons++;
}

struct fixture {
	struct loop loop;
	struct fake_gpio gpio;
	struct recorder rec;
	struct lane lane;
};

static int
setup(void **state)
{
	static struct fixture fx;
	struct lane_params p = {
		.way_enabled = { true, true }, .pulse_ms = 40, .deny_ms = 20,
		.buzzer_ms = 10, .held_open_s = 1, .have_sensor = true,
	};
	struct lane_hooks h = {
		.passage = rec_passage, .alarm = rec_alarm, .button = rec_button,
	};

	memset(&fx, 0, sizeof(fx));
	assert_int_equal(loop_init(&fx.loop), 0);
	h.arg = &fx.rec;
	lane_init(&fx.lane, &fx.loop, &fake_ops, &fx.gpio, &p, &h);
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	lane_safe(&fx->lane);
	loop_done(&fx->loop);
	return 0;
}

/* Runs the loop until cond holds (each round waits for the next timer). */
#define RUN_UNTIL(fx, cond) do {					\
	for (int i_ = 0; i_ < 1000 && !(cond); i_++)			\
		assert_int_equal(loop_once(&(fx)->loop, 100), 0);	\
	assert_true(cond);						\
} while (0)

static void
input(struct fixture *fx, enum gpio_role role, int v)
{
	struct gpio_event ev = { .role = role, .value = v };

	lane_input(&fx->lane, &ev);
}

static void
test_release_then_window_closes(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(lane_release(&fx->lane, DIR_ENTRY, 7), 0);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 1);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
	assert_true(lane_way_busy(&fx->lane, DIR_ENTRY));
	/* A second release of a busy way is refused. */
	assert_int_equal(lane_release(&fx->lane, DIR_ENTRY, 8), -1);
	RUN_UNTIL(fx, fx->rec.passages == 1);
	assert_int_equal(fx->rec.seq, 7);
	assert_int_equal(fx->rec.passage, PASSAGE_NOT_PASSED);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 0);
	assert_false(lane_way_busy(&fx->lane, DIR_ENTRY));
}

static void
test_passage_locks_early(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(lane_release(&fx->lane, DIR_EXIT, 3), 0);
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	assert_int_equal(fx->rec.passages, 0);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_int_equal(fx->rec.passages, 1);
	assert_int_equal(fx->rec.dir, DIR_EXIT);
	assert_int_equal(fx->rec.passage, PASSAGE_PASSED);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
	assert_int_equal(fx->rec.alarms, 0);
}

static void
test_forced_passage_alarms(void **state)
{
	struct fixture *fx = *state;

	input(fx, GPIO_PASSAGE_SENSOR, 1);
	assert_int_equal(fx->rec.alarms, 1);
	assert_int_equal(fx->rec.alarm, REASON_FORCED);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_int_equal(fx->rec.alarms, 1);
}

static void
test_held_open_alarms(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(lane_release(&fx->lane, DIR_ENTRY, 1), 0);
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	RUN_UNTIL(fx, fx->rec.alarms == 1);
	assert_int_equal(fx->rec.alarm, REASON_HELD_OPEN);
	/* The window closed meanwhile, and someone did enter. */
	assert_int_equal(fx->rec.passage, PASSAGE_PASSED);
}

static void
test_fire_alarm_frees_and_restores(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(lane_release(&fx->lane, DIR_ENTRY, 5), 0);
	input(fx, GPIO_FIRE_ALARM, 1);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 1);
	/* The released entry way never dropped on the way to free. */
	assert_int_equal(fx->gpio.changes[GPIO_ENTRY_RELAY], 1);
	assert_int_equal(fx->rec.alarm, REASON_FIRE_ALARM_ON);
	assert_int_equal(fx->rec.passages, 1);
	assert_int_equal(fx->rec.seq, 5);
	/* Under the alarm, the window timer is gone: nothing relocks. */
	assert_int_equal(loop_once(&fx->loop, 80), 0);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	/* Nobody in the lane under alarm raises "forced". */
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_int_equal(fx->rec.alarms, 1);
	input(fx, GPIO_FIRE_ALARM, 0);
	assert_int_equal(fx->rec.alarm, REASON_FIRE_ALARM_OFF);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 0);
}

static void
test_deny_lamps_go_out(void **state)
{
	struct fixture *fx = *state;

	lane_deny(&fx->lane);
	assert_int_equal(fx->gpio.value[GPIO_RED_LED], 1);
	assert_int_equal(fx->gpio.value[GPIO_BUZZER], 1);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	RUN_UNTIL(fx, fx->gpio.value[GPIO_RED_LED] == 0);
	assert_int_equal(fx->gpio.value[GPIO_BUZZER], 0);
}

static void
test_button_and_disabled_way(void **state)
{
	struct fixture *fx = *state;
	struct lane_params p = fx->lane.p;

	input(fx, GPIO_EXIT_BUTTON, 1);
	input(fx, GPIO_EXIT_BUTTON, 0);
	assert_int_equal(fx->rec.buttons, 1);
	p.way_enabled[DIR_EXIT] = false;
	lane_params_set(&fx->lane, &p);
	assert_int_equal(lane_release(&fx->lane, DIR_EXIT, 9), -1);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
}

static void
test_hold_and_fire_alarm_overlap(void **state)
{
	struct fixture *fx = *state;

	lane_hold(&fx->lane, true);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 1);
	/* Someone walking through a held lane is not "forced". */
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_int_equal(fx->rec.alarms, 0);
	/* The fire alarm ending during a hold leaves the ways free ... */
	input(fx, GPIO_FIRE_ALARM, 1);
	input(fx, GPIO_FIRE_ALARM, 0);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	/* ... and the hold ending during a fire alarm too. */
	input(fx, GPIO_FIRE_ALARM, 1);
	lane_hold(&fx->lane, false);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	input(fx, GPIO_FIRE_ALARM, 0);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 0);
	assert_false(lane_way_busy(&fx->lane, DIR_ENTRY));
}

/*
 * A normally-open period and an operator's release are two holds: either
 * alone frees every way, the end of one leaves the other's, and
 * lane_safe() forgets both.
 */
static void
test_schedule_hold_apart_from_operator(void **state)
{
	struct fixture *fx = *state;

	lane_hold_schedule(&fx->lane, true);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 1);
	lane_hold(&fx->lane, true);
	lane_hold(&fx->lane, false);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	lane_hold(&fx->lane, true);
	lane_hold_schedule(&fx->lane, false);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 1);
	lane_hold(&fx->lane, false);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
	/* Someone walking through a lane held by a schedule is no alarm. */
	lane_hold_schedule(&fx->lane, true);
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_int_equal(fx->rec.alarms, 0);
	lane_safe(&fx->lane);
	assert_false(fx->lane.sched_hold);
}

/*
 * The exit held alone (a faulty fire loop): the exit way free, the entry
 * way still granted and locked as before; nobody in the lane is "forced",
 * since the sensor cannot tell which way they went; the fire alarm on and
 * off meanwhile leaves the exit free; lane_safe() forgets the hold.
 */
static void
test_exit_hold_frees_exit_only(void **state)
{
	struct fixture *fx = *state;

	lane_hold_exit(&fx->lane, true);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 1);
	assert_int_equal(fx->lane.way[DIR_EXIT].state, WAY_FREE);
	assert_int_equal(fx->lane.way[DIR_ENTRY].state, WAY_LOCKED);
	input(fx, GPIO_PASSAGE_SENSOR, 1);
	input(fx, GPIO_PASSAGE_SENSOR, 0);
	assert_int_equal(fx->rec.alarms, 0);
	/* A grant still opens the entry for one passage. */
	assert_int_equal(lane_release(&fx->lane, DIR_ENTRY, 3), 0);
	RUN_UNTIL(fx, fx->gpio.value[GPIO_ENTRY_RELAY] == 0);
	assert_int_equal(fx->rec.passage, PASSAGE_NOT_PASSED);
	input(fx, GPIO_FIRE_ALARM, 1);
	input(fx, GPIO_FIRE_ALARM, 0);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 1);
	assert_int_equal(fx->gpio.value[GPIO_ENTRY_RELAY], 0);
	lane_hold_exit(&fx->lane, false);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
	assert_int_equal(fx->gpio.value[GPIO_GREEN_LED], 0);
	lane_hold_exit(&fx->lane, true);
	lane_safe(&fx->lane);
	assert_false(fx->lane.exit_hold);
	assert_int_equal(fx->gpio.value[GPIO_EXIT_RELAY], 0);
}

static void
test_safe_drops_everything(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(lane_release(&fx->lane, DIR_ENTRY, 1), 0);
	lane_deny(&fx->lane);
	lane_safe(&fx->lane);
	for (int r = 0; r < GPIO_ROLE_COUNT; r++)
		assert_int_equal(fx->gpio.value[r], 0);
	assert_null(fx->loop.timers);
	assert_int_equal(fx->rec.passages, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_release_then_window_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passage_locks_early, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_passage_alarms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_open_alarms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fire_alarm_frees_and_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deny_lamps_go_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_button_and_disabled_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_and_fire_alarm_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_hold_frees_exit_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schedule_hold_apart_from_operator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_safe_drops_everything, setup, teardown),
	};

	return cmocka_run_group_tests_name("lane", tests, NULL, NULL);
}
