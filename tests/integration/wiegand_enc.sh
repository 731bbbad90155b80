# Wiegand frames worked out in bash, apart from qrgated's codec, for the
# tests that send cards to it: the integration tier (test_wiegand.sh) and
# the system tier (tests/vm/run.sh, for the guest's reader).

# The frame of an H10301 card:
# even parity over the first 12 data bits, 8 facility and 16 card bits,
# odd parity over the last 12.
h10301_bits() {	# h10301_bits FACILITY CARD
	local data="" i ones p1 p2
	for ((i = 7; i >= 0; i--)); do data+=$(( ($1 >> i) & 1 )); done
	for ((i = 15; i >= 0; i--)); do data+=$(( ($2 >> i) & 1 )); done
	ones=$(printf '%s' "${data:0:12}" | tr -d 0 | wc -c)
	p1=$((ones % 2))
	ones=$(printf '%s' "${data:12:12}" | tr -d 0 | wc -c)
	p2=$(( (ones + 1) % 2 ))
	printf '%s%s%s' "$p1" "$data" "$p2"
}

# The frame of an H10304 card: even parity over the first 18 data bits,
# 16 facility and 19 card bits, odd parity over the last 18.
h10304_bits() {	# h10304_bits FACILITY CARD
	local data="" i ones p1 p2
	for ((i = 15; i >= 0; i--)); do data+=$(( ($1 >> i) & 1 )); done
	for ((i = 18; i >= 0; i--)); do data+=$(( ($2 >> i) & 1 )); done
	ones=$(printf '%s' "${data:0:18}" | tr -d 0 | wc -c)
	p1=$((ones % 2))
	ones=$(printf '%s' "${data:17:18}" | tr -d 0 | wc -c)
	p2=$(( (ones + 1) % 2 ))
	printf '%s%s%s' "$p1" "$data" "$p2"
}
