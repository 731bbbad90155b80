# Figures of a sorted list, for the bench scripts (sourced).

# relay_times LOG FILE: the "relay N ms" of each GRANTED line of the
# daemon's LOG, sorted, into FILE; prints how many.
relay_times() {
	awk '/GRANTED/ && match($0, /relay [0-9.]+ ms/) {
		split(substr($0, RSTART, RLENGTH), a, " "); print a[2] }' "$1" |
		sort -n >"$2"
	wc -l <"$2"
}

# pct FILE P: the P-th percentile of FILE's sorted values (nearest rank;
# 100 is the largest).
pct() {
	local n
	n=$(wc -l <"$1")
	sed -n "$(( (n * $2 + 99) / 100 ))p" "$1"
}

# screen_shown LOG: for each decision's screen the daemon's debug line
# reported, the milliseconds from its request (made right after the
# relay or the red lamp moved) to the picture on the display.
screen_shown() {
	sed -n 's/.*screen: \(granted\|denied\) shown: asked at \([0-9]*\) ns, .* shown at \([0-9]*\) ns.*/\2 \3/p' "$1" |
		awk '{ printf "%.1f\n", ($2 - $1) / 1e6 }' | sort -n
}
