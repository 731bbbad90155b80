#!/usr/bin/env bash
# `make bench`: figures and ratios against baselines measured in the same
# run.  These machines are noisy: compare within a run, never across runs.
# Benchmarks print; they never pass or fail.  Usage: tests/bench/run.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../.."
export BUILD QRGATE_SRCDIR=$PWD
CORPUS=${QRGATE_CORPUS:-../shared/corpus/qr-photos}

echo "== decoding: every baseline and qrgated's own path (decoder.backend = cascade), in-process, on the same frames"
# Camera-like frames and approach sequences, made here (never committed);
# made again only when their generator changed.
FRAMES=$BUILD/bench/frames
if [ ! -e "$FRAMES/frames.txt" ] || [ "$BUILD/bench/bench_frames" -nt "$FRAMES/frames.txt" ]; then
	rm -rf "$FRAMES"
	mkdir -p "$FRAMES"
	"$BUILD/bench/bench_frames" "$FRAMES"
fi
if [ -d "$CORPUS" ]; then
	corpus=$CORPUS
else
	echo "decode qr-photos: skipped: $CORPUS not found"
	corpus=-
fi
"$BUILD/bench/bench_decode" "$FRAMES" "$corpus" cascade | tee "$BUILD/bench/decode-bookworm.txt"

# The same frames again, built and run in the Debian 13 root (make
# deps-trixie): there zxing-cpp is 2.3, what a current Raspberry Pi OS
# has, and the cascade's own zxing-cpp stage is 2.3 too.
TRIXIE_ROOT=$BUILD/sysroot-trixie/root
if [ -x "$BUILD/trixie/bench/bench_decode" ] && [ -x "$TRIXIE_ROOT/usr/bin/make" ]; then
	echo "== decoding on Debian 13 (zxing-cpp $(tests/trixie/enter.sh "$TRIXIE_ROOT" pkg-config --modversion zxing)): the same frames, every baseline again"
	tests/trixie/enter.sh "$TRIXIE_ROOT" "$BUILD/trixie/bench/bench_decode" "$FRAMES" "$corpus" cascade |
		tee "$BUILD/bench/decode-trixie.txt"
	echo "== the cascade on each userland against zxing-cpp 2.3 alone (found, mean ms, code-free ms)"
	tests/bench/decode_versus.sh "$BUILD/bench/decode-bookworm.txt" "$BUILD/bench/decode-trixie.txt"
else
	echo "decoding on Debian 13: skipped: no Debian 13 root or build (make deps-trixie; make bench builds it)"
fi
tests/bench/decode_gate.sh "$BUILD" "$FRAMES" "${QRGATE_SOAK_S:-120}"

echo "== durable log (FULL = default; baseline NORMAL)"
"$BUILD/bench/bench_store" 2000

echo "== credential snapshot: 100,000 credentials in 10 chunks"
"$BUILD/bench/bench_creds" 100000 10

for b in tests/bench/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== ${b#tests/bench/}"
	bash "$b" "$BUILD"
done
