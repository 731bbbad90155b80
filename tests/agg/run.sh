#!/usr/bin/env bash
# The aggregator's tier: qrgate-aggregator against a real mosquitto on a
# loopback port, on SQLite and on a real PostgreSQL server started here;
# and a real qrgated publishing to it.  Every test_* function of
# tests/agg/test_*.sh runs once per database.  An executable test_*.sh is
# a script of its own (the web side's, against its stub): it is run, and
# its "N passed, M failed" line counted.  Outside CI it exits 77 when
# PostgreSQL or the binary is missing.  Usage: tests/agg/run.sh BUILD_DIR
set -u
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
export BUILD SRCDIR

if [ ! -x "$BUILD/qrgate-aggregator" ]; then
	echo "agg: skipped: no $BUILD/qrgate-aggregator (it needs libpq-dev, libmicrohttpd-dev and libcairo2-dev: make deps)"
	exit 77
fi
for tool in mosquitto mosquitto_pub jq sqlite3; do
	command -v "$tool" >/dev/null || { echo "agg: skipped: no $tool"; exit 77; }
done

WORK=$(mktemp -d /tmp/qrgate-agg.XXXXXX)
export WORK
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/lib_mqtt.sh"
. "$SRCDIR/tests/agg/lib.sh"
SCRIPTS=()
for f in "$SRCDIR"/tests/agg/test_*.sh; do
	if [ -x "$f" ]; then SCRIPTS+=("$f"); else . "$f"; fi
done

why=$(pg_missing)
if [ -n "$why" ]; then
	echo "agg: skipped: PostgreSQL: $why"
	rm -rf "$WORK"
	exit 77
fi
trap pg_stop EXIT
pg_start || { echo "agg: PostgreSQL would not start"; exit 1; }

passed=0 failed=0
for backend in ${AGG_BACKENDS:-sqlite pg}; do
	for t in $(declare -F | awk '{ print $3 }' | grep '^test_' | sort); do
		[ -n "${ONLY:-}" ] && [[ $t != *$ONLY* ]] && continue
		# test_pg_*: PostgreSQL's own (its server stopped and started).
		[[ $t == test_pg_* && $backend != pg ]] && continue
		log="$WORK/$t-$backend.out"
		( set -e; BACKEND=$backend; cd "$WORK"; "$t" ) >"$log" 2>&1
		if [ $? -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok - $t [$backend]"
		else
			failed=$((failed + 1))
			echo "not ok - $t [$backend]"
			sed 's/^/    /' "$log" | tail -20
			d="$WORK/${t#test_}-$backend"
			if [ -f "$d/agg.log" ]; then
				echo "    --- aggregator log:"
				tail -15 "$d/agg.log" | sed 's/^/    /'
			fi
		fi
	done
done
for f in "${SCRIPTS[@]}"; do
	[ -n "${ONLY:-}" ] && [[ $(basename "$f") != *$ONLY* ]] && continue
	out=$("$f" "$BUILD" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ $rc -eq 77 ] && continue
	p=$(printf '%s\n' "$out" | sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^.*: \([0-9]*\) passed, \([0-9]*\) failed.*$/\2/p' | tail -1)
	p=${p:-0} f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
done
[ $failed -eq 0 ] && rm -rf "$WORK"
echo "agg: $passed passed, $failed failed"
[ $failed -eq 0 ]
