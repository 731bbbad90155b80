#!/usr/bin/env bash
# What a decision costs the SD card: the bytes the gate writes to its disk
# per decision, counted in the write log of the power-cut tier
# (tests/powercut: ext4 over dm-log-writes in qemu), with
# store.synchronous = full (as shipped) and the baseline normal, in the same
# run.  A stream of grants without pushes, long enough for WAL checkpoints
# (the daemon's, at 1000 WAL pages on a lane that never rests) to be in
# it.  Everything the disk took counts: WAL, checkpoints, ext4's journal.
# Usage: tests/bench/bench_powercut.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
POWERCUT_CUTS=0 POWERCUT_BYTES=1 POWERCUT_PUSHES=0 \
	POWERCUT_SECONDS=${QRGATE_BENCH_POWERCUT_S:-120} POWERCUT_VARIANTS="full normal" \
	"$SRCDIR/tests/powercut/run.sh" "$BUILD" | grep '^powercut: \(full\|normal\|bytes\|skipped\|cannot\)'
