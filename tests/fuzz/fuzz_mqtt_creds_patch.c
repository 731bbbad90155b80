/*
 * The MQTT handler of a credential patch (.../credentials/patch), on a
 * real gate (fuzz_gate.h).
 */
// fuzz-ldflags: -Wl,--wrap=clock_utc_ms,--wrap=open,--wrap=open64,--wrap=mkfifo
#define FUZZ_GATE_RUN(g, d, n)	inbound_credentials_patch(g, d, n)

#include "clock.h"
#include "fuzz_gate.h"
