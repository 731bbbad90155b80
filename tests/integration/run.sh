#!/usr/bin/env bash
# Integration tests: the real qrgated, the file camera on images/, the sim
# GPIO, real SQLite files.  Usage: tests/integration/run.sh BUILD_DIR
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/qrgate-it.XXXXXX)
export BUILD SRCDIR WORK
. "$SRCDIR/tests/integration/lib.sh"
for f in "$SRCDIR"/tests/integration/test_*.sh; do . "$f"; done

passed=0 failed=0 skipped=0 failures=""
for t in $(declare -F | awk '{ print $3 }' | grep '^test_' | sort); do
	[ -n "${ONLY:-}" ] && [[ $t != *$ONLY* ]] && continue
	log="$WORK/$t.out"
	( set -e; trap stop_gate EXIT; cd "$WORK"; "$t" ) >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $t"
	elif [ $rc -eq 77 ]; then
		# A test that cannot run here says why on its last line
		# (skip_test in lib.sh; never in CI).
		skipped=$((skipped + 1))
		echo "ok - $t # SKIP $(tail -1 "$log")"
	else
		failed=$((failed + 1))
		failures="$failures $t"
		echo "not ok - $t"
		sed 's/^/    /' "$log" | tail -20
		if [ -n "$T" ] && [ -f "$WORK/${t#test_}/qrgated.log" ]; then
			echo "    --- qrgated log:"; tail -15 "$WORK/${t#test_}/qrgated.log" | sed 's/^/    /'
		fi
	fi
done
[ $failed -eq 0 ] && rm -rf "$WORK"
echo "integration: $passed passed, $failed failed$([ $skipped -eq 0 ] || echo ", $skipped skipped")"
[ $failed -eq 0 ]
