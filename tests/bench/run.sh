#!/usr/bin/env bash
# `make bench`: figures and ratios against baselines measured in the same
# run.  These machines are noisy: compare within a run, never across runs.
# Benchmarks print; they never pass or fail.  Usage: tests/bench/run.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
cd "$(dirname "$0")/../.."
export BUILD QRGATE_SRCDIR=$PWD
CORPUS=${QRGATE_CORPUS:-../shared/corpus/qr-photos}

# decode_stats LABEL FILE...: qrgated's own decoding path (qrgatectl scan),
# against zbarimg on the same files as the baseline.
decode_stats() {
	local label=$1
	shift
	"$BUILD/qrgatectl" scan --json "$@" 2>/dev/null | jq -s -r --arg l "$label" '
		[.[] | .decode_us] | sort as $t | ($t | length) as $n |
		"decode \($l): \($n) frames, mean \(($t | add / $n / 1000 * 100 | round) / 100) ms, p50 \($t[$n / 2 | floor] / 1000) ms, p99 \($t[($n * 99 / 100) | floor] / 1000) ms"'
	local t0 t1
	t0=$(date +%s%N)
	zbarimg -q --raw -Sdisable -Sqrcode.enable "$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	local t2 t3
	t2=$(date +%s%N)
	"$BUILD/qrgatectl" scan "$@" >/dev/null 2>&1
	t3=$(date +%s%N)
	awk -v a=$(((t3 - t2) / 1000)) -v b=$(((t1 - t0) / 1000)) -v n=$# -v l="$label" \
	    'BEGIN { printf "decode %s: whole run (load + decode) %.2f ms/frame, zbarimg QR-only %.2f ms/frame: %.2fx the baseline\n", l, a / n / 1000, b / n / 1000, a / b }'
}

echo "== decoding (qrgatectl scan = the daemon's path; baseline zbarimg)"
decode_stats "images/" images/*.png images/*.pgm images/*.jpg
if [ -d "$CORPUS" ]; then
	decode_stats "qr-photos" "$CORPUS"/*/*.png
else
	echo "decode qr-photos: skipped: $CORPUS not found"
fi

echo "== durable log (FULL = default; baseline NORMAL)"
"$BUILD/bench/bench_store" 2000

echo "== credential snapshot: 100,000 credentials in 10 chunks"
"$BUILD/bench/bench_creds" 100000 10

for b in tests/bench/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== ${b#tests/bench/}"
	bash "$b" "$BUILD"
done
