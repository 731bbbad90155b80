# The guide docs/site-setup.md, "Set up a site", run as written, so that
# it cannot go stale: guide_run.sh says how (a network and machines of
# its own; apt, scp and systemctl played; file cameras where the guide
# says "your camera").

test_guide_set_up_a_site() {
	T="$WORK/guide"
	mkdir -p "$T/blocks"
	unshare --net --mount --propagation private -- bash "$SRCDIR/tests/integration/guide_run.sh" \
		"$SRCDIR/docs/site-setup.md" "$BUILD" "$SRCDIR" "$T" >"$T/run.out" 2>&1 ||
		{ tail -25 "$T/run.out"; return 1; }
	expect_grep "^guide: every block ran" "$T/run.out"
	# Every machine of the guide had its part: four, a dozen blocks.
	[ "$(ls "$T/blocks" | wc -l)" -ge 12 ] || { echo "    only $(ls "$T/blocks" | wc -l) blocks"; return 1; }
	for m in server gate-a gate-b admin; do
		ls "$T/blocks" | grep -q -- "-$m" || { echo "    no block for $m"; return 1; }
	done
	# Both gates on the TLS broker, both at the aggregator, each person
	# let through where the list (pushed site-wide) says.
	expect_grep '^gate-a: {"mqtt":"connected"' "$T/run.out"
	expect_grep '^gate-b: {"mqtt":"connected"' "$T/run.out"
	expect_grep "^hanoi  *gate-a  .* online " "$T/run.out"
	expect_grep "^hanoi  *gate-b  .* online " "$T/run.out"
	expect_grep "gate-a	entry	W-0001	granted	granted$" "$T/run.out"
	expect_grep "gate-b	exit	W-0002	granted	granted$" "$T/run.out"
}
