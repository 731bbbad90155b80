#!/usr/bin/env bash
# Puts two bench_decode runs on the same frames side by side: the cascade
# as built on Debian 12 (zxing-cpp 1.4 inside) and on Debian 13 (2.3
# inside), against zxing-cpp 2.3 alone, fast and try-harder, which is what
# a current Raspberry Pi OS offers without qrgate.  Figures, no verdict.
#
#   tests/bench/decode_versus.sh BOOKWORM_OUTPUT TRIXIE_OUTPUT
set -u
[ $# -eq 2 ] || { echo "usage: $0 BOOKWORM_OUTPUT TRIXIE_OUTPUT" >&2; exit 2; }
awk '
# A decoder row: its name, then found exact false mean p99 free [first
# read]; kept as found, mean, free ("-": no code-free frame), p99, first read.
function row(line, prefix,   rest, f) {
	rest = substr(line, length(prefix) + 1)
	split(rest, f, " ")
	return f[1] " " f[4] " " (f[6] == "0.00" ? "-" : f[6]) " " f[5] (f[7] != "" ? " " f[7] : "")
}
FNR == 1 { file++ }
/^-- / { set = $2; sub(/:$/, "", set); if (file == 1) order[++nsets] = set; next }
{
	for (d = 1; d <= 3; d++) {
		name = d == 1 ? "qrgated cascade" : d == 2 ? "zxing-cpp fast" : "zxing-cpp try-harder"
		prefix = "   " name
		if (index($0, prefix) == 1 && substr($0, length(prefix) + 1) ~ /^ +[0-9]/)
			fig[file, set, name] = row($0, prefix)
	}
}
END {
	printf "   %-12s %-22s %6s %8s %9s %8s %10s\n", "frames", "decoder", "found", "mean ms", "free ms", "p99 ms", "first read"
	for (i = 1; i <= nsets; i++) {
		s = order[i]
		show(s, "cascade, zxing-cpp 1.4", fig[1, s, "qrgated cascade"])
		show(s, "cascade, zxing-cpp 2.3", fig[2, s, "qrgated cascade"])
		show(s, "zxing-cpp 2.3 fast", fig[2, s, "zxing-cpp fast"])
		show(s, "zxing-cpp 2.3 harder", fig[2, s, "zxing-cpp try-harder"])
		ratio(s, fig[2, s, "qrgated cascade"], fig[2, s, "zxing-cpp fast"], "2.3 fast")
		ratio(s, fig[2, s, "qrgated cascade"], fig[2, s, "zxing-cpp try-harder"], "2.3 try-harder")
	}
}
function show(s, label, v,   f) {
	if (v == "") { printf "   %-12s %-22s (not measured)\n", s, label; return }
	split(v, f, " ")
	printf "   %-12s %-22s %6s %8s %9s %8s %10s\n", s, label, f[1], f[2], f[3], f[4], f[5]
}
function ratio(s, a, b, label,   x, y) {
	if (a == "" || b == "") return
	split(a, x, " "); split(b, y, " ")
	printf "   %-12s cascade (2.3) vs zxing-cpp %s: found %+d, mean time %.2fx%s\n", s, label,
	    x[1] - y[1], (y[2] > 0 ? x[2] / y[2] : 0), (y[3] != "-" && y[3] > 0 ? sprintf(", code-free time %.2fx", x[3] / y[3]) : "")
}' "$1" "$2"
