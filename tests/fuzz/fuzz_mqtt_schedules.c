/*
 * The MQTT handler of a schedules document (.../schedules/set,
 * inbound_sched.c), on a real gate (fuzz_gate.h).
 */
// fuzz-ldflags: -Wl,--wrap=clock_utc_ms,--wrap=open,--wrap=open64,--wrap=mkfifo
#define FUZZ_GATE_RUN(g, d, n)	inbound_schedules_set(g, d, n)

#include "clock.h"
#include "fuzz_gate.h"
