# What the judges of the qemu tiers (tests/vm/check.sh,
# tests/powercut/check.sh) share: one line per check, "ok - ..." or
# "not ok - ..." with a detail under it, counted in passed and failed; and
# the guest's facts, one "NAME VALUE..." line each in $OUT/facts.
passed=0 failed=0

# ok WHAT [N]: passed, counting N (1) tests.
ok() { passed=$((passed + ${2:-1})); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf '    %s\n' "$2"
	return 0
}

# fact NAME: the value of the last fact NAME ("" when the guest never
# wrote it).
fact() { awk -v n="$1" '$1 == n { sub(/^[^ ]* ?/, ""); v = $0 } END { print v }' "$OUT/facts" 2>/dev/null; }
