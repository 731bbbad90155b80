/*
 * A deliberately broken qrgated for the power-cut tier: linked with
 * -Wl,--wrap=gate_event_commit_step, it drives a grant's relay before the
 * grant's row is committed, the one order the gate must never take.  The
 * tier runs it like the real daemon and must find a pulse whose row a
 * power cut lost; if it did not, the tier could not tell the orders apart
 * and its passing would prove nothing.
 */
#include "gate.h"
#include "gate_private.h"

int __real_gate_event_commit_step(struct gate *g, struct event *ev,
    int64_t step);
int __wrap_gate_event_commit_step(struct gate *g, struct event *ev,
    int64_t step);

int
__wrap_gate_event_commit_step(struct gate *g, struct event *ev, int64_t step)
{
	struct lane *ln = &g->lane;

	if (ev->type == EV_SCAN && ev->result == RES_GRANTED)
		ln->gpio->set(ln->gpio_priv, ev->direction == DIR_EXIT ?
		    GPIO_EXIT_RELAY : GPIO_ENTRY_RELAY, 1);
	return __real_gate_event_commit_step(g, ev, step);
}
