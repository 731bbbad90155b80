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
