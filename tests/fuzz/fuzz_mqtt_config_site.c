/*
 * The MQTT handler of a site-wide config push
 * (qrgate/<site>/all/config/set), on a real gate (fuzz_gate.h).
 */
// fuzz-ldflags: -Wl,--wrap=clock_utc_ms,--wrap=open,--wrap=open64,--wrap=mkfifo
#define FUZZ_GATE_RUN(g, d, n)	inbound_config_set(g, PUSH_SITE, d, n)

#include "clock.h"
#include "fuzz_gate.h"
