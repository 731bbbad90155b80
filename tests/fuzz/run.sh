#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/fuzz_*.c), two at a time.
#
#   tests/fuzz/run.sh BUILD [TARGET...]          the check tier: builds them
#	(make fuzz-build), then each FUZZ_CHECK_SECONDS (8) over a fresh
#	copy of its seeds
#   tests/fuzz/run.sh --long BUILD [TARGET...]   make fuzz: each
#	FUZZ_SECONDS (600) over its corpus in BUILD/fuzz/corpus/, which
#	keeps growing from run to run
#
# Prints per target the executions and the coverage reached; any crash,
# leak, timeout or sanitizer report fails the target, and the reproducer's
# path is printed.  Ends with "fuzz: N passed, M failed".  Exits 77 (a
# skip; tests/run.sh makes it a failure in CI) when clang or its fuzzer
# runtime is missing.
set -u
long=false
if [ "${1:-}" = --long ]; then
	long=true
	shift
fi
BUILD=${1:-build}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/../.."
export QRGATE_SRCDIR=$PWD
FUZZ=$BUILD/fuzz
jobs=${FUZZ_JOBS:-2}
if $long; then
	secs=${FUZZ_SECONDS:-600}
else
	secs=${FUZZ_CHECK_SECONDS:-8}
fi

# clang, and a libFuzzer runtime it can link (Debian: libclang-rt-14-dev).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
	>"$probe/p.c"
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
	echo "fuzz: skipped: no clang (make deps installs it)"
	exit 77
fi
if ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer,address,undefined "$probe/p.c" \
    -o "$probe/p" >"$probe/log" 2>&1; then
	echo "fuzz: skipped: clang cannot link -fsanitize=fuzzer (libclang-rt-14-dev?):"
	tail -3 "$probe/log"
	exit 77
fi

if ! $long; then
	if ! MAKEFLAGS= make -s -j"$jobs" BUILD="$BUILD" fuzz-build >"$probe/build" 2>&1; then
		cat "$probe/build"
		echo "fuzz: the targets do not build"
		echo "fuzz: 0 passed, 1 failed"
		exit 1
	fi
fi

if [ $# -gt 0 ]; then
	targets=("$@")
else
	# fuzz-build made every target this host has the libraries for
	# (fuzz_agg_ingest needs the aggregator's).
	targets=()
	for src in tests/fuzz/fuzz_*.c; do
		t=$(basename "$src" .c)
		if [ -x "$FUZZ/$t" ]; then
			targets+=("$t")
		else
			echo "fuzz: $t: not built here: its libraries are missing"
		fi
	done
fi

# run_one TARGET LOG: one target, libFuzzer's output in LOG; its status.
run_one() {
	local t=$1 log=$2 corpus
	if $long; then
		corpus=$FUZZ/corpus/$t
		mkdir -p "$corpus"
	else
		corpus=$FUZZ/check/$t
		rm -rf "$corpus"
		mkdir -p "$corpus"
	fi
	# The seeds are copied, so what the run adds stays out of the tree.
	if [ -d "tests/fuzz/seeds/$t" ]; then
		cp -n tests/fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null
	fi
	mkdir -p "$FUZZ/crash/$t"
	"$FUZZ/$t" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 \
		-print_final_stats=1 -artifact_prefix="$FUZZ/crash/$t/" \
		"$corpus" >"$log" 2>&1
}

# report TARGET LOG STATUS: one line, and the story of a failure.
report() {
	local t=$1 log=$2 rc=$3 execs cov ft artifact
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(sed -n 's/^#[0-9]*.*cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' "$log" | tail -1)
	ft=${cov#* }
	cov=${cov% *}
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
		printf 'fuzz: %-26s ok      %9s execs  cov %-5s ft %s\n' \
			"$t" "${execs:-?}" "${cov:-?}" "${ft:-?}"
		return 0
	fi
	printf 'fuzz: %-26s FAILED  %9s execs  (exit %d)\n' "$t" "${execs:-?}" "$rc"
	grep -E '^(==[0-9]+==|SUMMARY|[^ ]*runtime error|    #[0-9]+ )' "$log" | head -40
	tail -5 "$log"
	if [ -n "$artifact" ]; then
		echo "fuzz: reproducer: $artifact"
		echo "fuzz: replay with: $FUZZ/$t $artifact"
	fi
	return 1
}

# Apart, so that `make check` may run while `make fuzz` does.
if $long; then
	logs=$FUZZ/logs/long
else
	logs=$FUZZ/logs/check
fi
mkdir -p "$logs"
passed=0 failed=0
i=0
while [ $i -lt ${#targets[@]} ]; do
	batch=("${targets[@]:i:jobs}")
	pids=()
	for t in "${batch[@]}"; do
		if [ ! -x "$FUZZ/$t" ]; then
			pids+=("")
			continue
		fi
		run_one "$t" "$logs/$t.log" &
		pids+=($!)
	done
	for k in "${!batch[@]}"; do
		t=${batch[$k]}
		if [ -z "${pids[$k]}" ]; then
			echo "fuzz: $t: not built"
			failed=$((failed + 1))
			continue
		fi
		wait "${pids[$k]}"
		if report "$t" "$logs/$t.log" $?; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	i=$((i + jobs))
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
