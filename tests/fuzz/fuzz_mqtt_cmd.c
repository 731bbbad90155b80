/*
 * The MQTT handler of a command (.../cmd) that is not retained, the kind
 * that acts (a command carries an expiry within minutes of FUZZ_NOW_MS to
 * be executed), on a real gate (fuzz_gate.h).
 */
// fuzz-ldflags: -Wl,--wrap=clock_utc_ms,--wrap=open,--wrap=open64,--wrap=mkfifo
#define FUZZ_GATE_RUN(g, d, n)	inbound_cmd(g, d, n, false)

#include "clock.h"
#include "fuzz_gate.h"
