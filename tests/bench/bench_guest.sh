#!/usr/bin/env bash
# A USB keyboard-wedge scanner's code and a Wiegand card to the relay, in
# the system tier's guest (Debian's kernel under qemu, TCG): a uinput
# keyboard typing $QRGATE_BENCH_HID_SCANS (30) badges to qrgated's evdev
# reader, and a card on gpio-sim lines, with the card sent on to a
# controller and its pulses read back from the kernel's GPIO trace; and
# each decision's screen on a KMS display (bochs-display), from its
# request to the picture shown.  The
# host has no uinput, hence the guest.  Emulation makes every time here
# several times a Pi's: compare these lines with each other, never with
# the host's figures (bench_scanner.sh, bench_wiegand.sh, decode_gate.sh).
# Figures, never pass or fail.  Usage: tests/bench/bench_guest.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
VM_PHASES="reader screen" VM_SCANS=${QRGATE_BENCH_HID_SCANS:-30} VM_FIGURES=1 \
	"$SRCDIR/tests/vm/run.sh" "$BUILD" 2>&1 |
	sed -n 's/^\(USB scanner\|Wiegand\|Screen\|vm: skipped\)/in the guest: \1/p'
