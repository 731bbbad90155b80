/*
 * Wiegand out through the simulated GPIO: each card sent is read back
 * from the sim's log of output changes (their monotonic times) by a
 * decoder of its own here, not the codec's: the bits, in order, each a
 * pulse at least as wide as asked and apart from the next by at least
 * the interface's shortest interval; queued cards one after another,
 * a frame's gap apart; both lines idle at the end.  Only lower bounds,
 * which a timer that never fires early keeps under any load.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gpio.h"
#include "loop.h"
#include "wiegand.h"
#include "wiegand_out.h"

extern const struct gpio_ops gpio_sim_ops;

struct fixture {
	char dir[64];
	char log[128];
	struct gpio_config cfg;
	void *priv;
	struct loop loop;
	struct wiegand_out out;
};

/* What the log shows: every pulse's bit and start, in order; the
 * narrowest pulse; both lines idle at the end. */
struct readback {
	char bits[4 * WIEGAND_MAX_BITS + 1];
	int64_t start[4 * WIEGAND_MAX_BITS], end[4 * WIEGAND_MAX_BITS];
	int n;
	int64_t min_width;
	int idle;		/* both lines 0 at the end */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct wiegand_plan_conf pc;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_wiegand_out.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->log, sizeof(fx->log), "%s/gpio.log", fx->dir);
	snprintf(fx->cfg.sim_log, sizeof(fx->cfg.sim_log), "%s", fx->log);
	fx->cfg.lines[GPIO_WIEGAND_OUT_D0].used = true;
	fx->cfg.lines[GPIO_WIEGAND_OUT_D1].used = true;
	assert_non_null(fx->priv = gpio_sim_ops.open(&fx->cfg));
	assert_int_equal(loop_init(&fx->loop), 0);
	wiegand_plan_conf_default(&pc);
	assert_int_equal(wiegand_out_open(&fx->out, &fx->loop, &pc), 0);
	wiegand_out_gpio(&fx->out, &gpio_sim_ops, fx->priv);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	wiegand_out_close(&fx->out);
	gpio_sim_ops.close(fx->priv);
	loop_done(&fx->loop);
	unlink(fx->log);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Reads the sim log: "<ns> <role> <0|1>".  No timing assumed: the
 * cards are told apart by their lengths, which the test knows. */
static void
read_back(const char *path, struct readback *rb)
{
	FILE *f = fopen(path, "r");
	char role[32];
	long long ns;
	int v, line = -1, level[2] = { 0, 0 };

	memset(rb, 0, sizeof(*rb));
	rb->min_width = INT64_MAX;
	assert_non_null(f);
	while (fscanf(f, "%lld %31s %d", &ns, role, &v) == 3) {
		int l = strcmp(role, "wiegand_out_d0") == 0 ? 0 :
		    strcmp(role, "wiegand_out_d1") == 0 ? 1 : -1;

		assert_int_not_equal(l, -1);
		level[l] = v;
		if (v == 1) {
			/* Never both lines low at once. */
			assert_int_equal(level[!l], 0);
			assert_true(rb->n < 4 * WIEGAND_MAX_BITS);
			rb->bits[rb->n] = (char)('0' + l);
			rb->start[rb->n] = ns;
			line = l;
		} else if (line == l) {
			rb->end[rb->n] = ns;
			if (ns - rb->start[rb->n] < rb->min_width)
				rb->min_width = ns - rb->start[rb->n];
			rb->n++;
			line = -1;
		}
	}
	fclose(f);
	rb->idle = level[0] == 0 && level[1] == 0;
}

/*
 * The gaps a timer that never fires early guarantees: after each pulse
 * at least WIEGAND_OUT_MIN_GAP_NS, and between two cards (ends after
 * the lengths in nbits) at least WIEGAND_OUT_FRAME_GAP_NS.
 */
static void
assert_gaps(const struct readback *rb, const unsigned *nbits, int ncards)
{
	int i = 0;

	for (int c = 0; c < ncards; c++) {
		for (unsigned b = 1; b < nbits[c]; b++, i++)
			assert_true(rb->start[i + 1] - rb->end[i] >=
			    WIEGAND_OUT_MIN_GAP_NS);
		if (c + 1 < ncards)
			assert_true(rb->start[i + 1] - rb->end[i] >=
			    WIEGAND_OUT_FRAME_GAP_NS);
		i++;
	}
}

static void
run_until_sent(struct fixture *fx)
{
	for (int i = 0; i < 2000 && (wiegand_out_busy(&fx->out) ||
	    fx->out.nqueue > 0); i++)
		assert_int_not_equal(loop_once(&fx->loop, 100), -1);
	assert_false(wiegand_out_busy(&fx->out));
}

static void
card_text(const char *text, struct wiegand_card *c, char *bits)
{
	assert_int_equal(wiegand_card_parse(text, c), WIEGAND_OK);
	for (unsigned i = 0; i < c->nbits; i++)
		bits[i] = (char)('0' + wiegand_bit(c->bits, i));
	bits[c->nbits] = '\0';
}

static void
test_one_card_read_back(void **state)
{
	struct fixture *fx = *state;
	struct wiegand_card c;
	struct readback rb;
	char want[WIEGAND_MAX_BITS + 1];

	/* H10301, facility 1, card 1, worked by hand: even parity over
	 * the first 12 data bits (one 1: parity 1), odd over the last 12
	 * (one 1: parity 0). */
	card_text("h10301:1:1", &c, want);
	assert_string_equal(want, "10000000100000000000000010");
	assert_int_equal(wiegand_out_send(&fx->out, &c), 0);
	run_until_sent(fx);
	read_back(fx->log, &rb);
	assert_string_equal(rb.bits, want);
	assert_true(rb.min_width >= WIEGAND_PULSE_NS_DEFAULT);
	assert_gaps(&rb, &c.nbits, 1);
	assert_true(rb.idle);
	assert_int_equal(fx->out.frames, 1);
}

static void
test_queued_cards_in_order(void **state)
{
	struct fixture *fx = *state;
	struct wiegand_card a, b, c;
	struct readback rb;
	char wa[WIEGAND_MAX_BITS + 1], wb[WIEGAND_MAX_BITS + 1],
	    wc[WIEGAND_MAX_BITS + 1], all[3 * WIEGAND_MAX_BITS + 1];

	card_text("h10301:12:3456", &a, wa);
	card_text("h10304:1000:300000", &b, wb);
	card_text("raw:32:A4DCCC1D", &c, wc);
	assert_int_equal(wiegand_out_send(&fx->out, &a), 0);
	assert_int_equal(wiegand_out_send(&fx->out, &b), 0);
	assert_int_equal(wiegand_out_send(&fx->out, &c), 0);
	run_until_sent(fx);
	read_back(fx->log, &rb);
	snprintf(all, sizeof(all), "%s%s%s", wa, wb, wc);
	assert_string_equal(rb.bits, all);
	assert_gaps(&rb, (const unsigned[]){ a.nbits, b.nbits, c.nbits }, 3);
	assert_true(rb.idle);
}

static void
test_queue_bounded(void **state)
{
	struct fixture *fx = *state;
	struct wiegand_card c;
	char w[WIEGAND_MAX_BITS + 1];
	int sent = 0;

	card_text("h10301:1:2", &c, w);
	for (int i = 0; i < WIEGAND_OUT_QUEUE + 3; i++)
		sent += wiegand_out_send(&fx->out, &c) == 0;
	/* One being sent, the queue full, the rest dropped and counted. */
	assert_int_equal(sent, WIEGAND_OUT_QUEUE + 1);
	assert_int_equal(fx->out.dropped, 2);
	run_until_sent(fx);
	assert_int_equal(fx->out.frames, (uint64_t)sent);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_card_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queued_cards_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
