#!/bin/bash
# The real-photo corpus: decodes 137 photographs and scans of QR codes with
# `qrgatectl scan --json` (the daemon's own image and decoder path), once
# per decoder backend (decoder.backend in a config of its own), and compares each file's
# codes with the exact expected text beside it.
#
#   tests/corpus/run.sh BUILD_DIR
#
# The corpus is ../shared/corpus/qr-photos from the repository root, or
# $QRGATE_CORPUS.  Figures:
#   found       a code whose bytes equal the expected text; or, when the
#               expected text is not UTF-8, any code; or a code in another
#               character set (see below)
#   byte-exact  a code whose bytes equal the expected text
#   other-charset  the expected text is non-ASCII UTF-8 and the code's bytes
#               are not UTF-8 but valid Shift_JIS (CP932): a Japanese code
#               in byte or Kanji mode.  The decoder hands back the bytes as
#               encoded and never guesses a character set, so these cannot
#               equal the UTF-8 transcription, and they are not misreads.
#   wrong       any other code that differs from the expectation: a misread
# Each backend passes when found reaches its reference count and nothing is
# wrong: zbar 104 (zbarimg's count, the corpus README), zxing 110 (Debian's
# zxing-cpp 1.4 on these images), cascade 122 (upstream zxing-cpp's own
# test thresholds).  A backend not in this build fails in CI and is
# skipped with a reason elsewhere.  zbarimg (QR only, its default
# character-set guessing) is run on every file too and its figures printed
# alongside.  Exit 77 means skipped.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
qrgatectl=$(realpath -m "$1")/qrgatectl
cd "$(dirname "$0")/../.."

BACKENDS="zbar:104 zxing:110 cascade:122"
corpus=${QRGATE_CORPUS:-../shared/corpus/qr-photos}

if [ ! -d "$corpus" ]; then
	if [ "${CI:-}" = true ]; then
		echo "corpus: FAILED: $corpus not found; CI must provide it" >&2
		echo "corpus: 0 passed, 1 failed"
		exit 1
	fi
	echo "corpus: SKIPPED: $corpus not found (it is always present in CI)"
	exit 77
fi
if [ ! -x "$qrgatectl" ]; then
	echo "corpus: FAILED: $qrgatectl not built" >&2
	echo "corpus: 0 passed, 1 failed"
	exit 1
fi

files=("$corpus"/*/*.png)
total=${#files[@]}

hex_of_file() { od -An -v -tx1 "$1" | tr -d ' \n'; }
# Whether stdin is well-formed UTF-8 (glibc's iconv refuses anything else).
is_utf8() { iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; }
hex_bytes() { printf '%b' "$(sed 's/../\\x&/g' <<<"$1")"; }
hex_is_utf8() { hex_bytes "$1" | is_utf8; }
hex_is_sjis() { hex_bytes "$1" | iconv -f CP932 -t UTF-8 >/dev/null 2>&1; }
is_ascii() { [ "$(LC_ALL=C tr -d '\000-\177' <"$1" | wc -c)" -eq 0 ]; }

# corpus_backend NAME MIN: one backend's figures (a config file of one line
# picks it); returns 0 when it passes, 2 when it is not in this build.
corpus_backend() {
	local backend=$1 min=$2 results line f txt want codes misread c i=0
	local found=0 exact=0 other=0 wrong=0 errors=0

	# One JSON line per file, in argument order.  A file that fails to
	# load makes qrgatectl exit 1, which the per-file check reports.
	results=$(mktemp)
	printf '[decoder]\nbackend = %s\n' "$backend" >"$results.conf"
	"$qrgatectl" -c "$results.conf" scan --json "${files[@]}" \
	    >"$results" 2>"$results.err" || true
	rm -f "$results.conf"
	if grep -q 'no decoder called' "$results.err"; then
		rm -f "$results" "$results.err"
		if [ "${CI:-}" = true ]; then
			echo "corpus: $backend: FAILED: not in this build; CI must build it" >&2
			return 1
		fi
		echo "corpus: $backend: skipped: not in this build (its library was not found)"
		return 2
	fi
	if [ "$(wc -l <"$results")" -ne "$total" ]; then
		echo "corpus: $backend: FAILED: qrgatectl printed $(wc -l <"$results") lines for $total files" >&2
		rm -f "$results" "$results.err"
		return 1
	fi
	while IFS= read -r line; do
		f=${files[$i]}
		i=$((i + 1))
		txt=${f%.png}.txt
		want=$(hex_of_file "$txt")

		if [[ $line != "{\"file\":\"$f\","* ]] || [[ $line == *'"error":'* ]]; then
			echo "corpus: $backend: $f: $line" >&2
			errors=$((errors + 1))
			continue
		fi
		codes=$(grep -o '"hex":"[0-9a-f]*"' <<<"$line" | cut -d'"' -f4 || true)
		[ -n "$codes" ] || continue
		if grep -qx "$want" <<<"$codes"; then
			found=$((found + 1))
			exact=$((exact + 1))
		elif ! is_utf8 <"$txt"; then
			found=$((found + 1))
		else
			misread=
			while IFS= read -r c; do
				if is_ascii "$txt" || hex_is_utf8 "$c" ||
				    ! hex_is_sjis "$c"; then
					misread=yes
				fi
			done <<<"$codes"
			if [ -n "$misread" ]; then
				echo "corpus: $backend: wrong: $f: $line" >&2
				wrong=$((wrong + 1))
			else
				found=$((found + 1))
				other=$((other + 1))
			fi
		fi
	done <"$results"
	rm -f "$results" "$results.err"
	printf 'corpus: %-8s found %d of %d (reference %d), byte-exact %d, other-charset %d, wrong %d, errors %d\n' \
	    "$backend" "$found" "$total" "$min" "$exact" "$other" "$wrong" "$errors"
	if [ "$found" -ge "$min" ] && [ "$wrong" -eq 0 ] && [ "$errors" -eq 0 ]; then
		return 0
	fi
	echo "corpus: $backend: FAILED: need found >= $min, wrong 0 and errors 0" >&2
	return 1
}

passed=0 failed=0
for b in $BACKENDS; do
	rc=0
	corpus_backend "${b%%:*}" "${b##*:}" || rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	2) ;;
	*) failed=$((failed + 1)) ;;
	esac
done

if command -v zbarimg >/dev/null; then
	zfound=0 zexact=0
	for f in "${files[@]}"; do
		want=$(hex_of_file "${f%.png}.txt")
		# --raw prints each code followed by a newline; exit 4: none.
		if zout=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$f" 2>/dev/null |
		    od -An -v -tx1 | tr -d ' \n') && [ -n "$zout" ]; then
			zfound=$((zfound + 1))
			if [ "$zout" = "${want}0a" ]; then
				zexact=$((zexact + 1))
			fi
		fi
	done
	echo "corpus: zbarimg:  found $zfound of $total, byte-exact $zexact" \
		"(character sets guessed)"
else
	echo "corpus: zbarimg not installed: no reference figures"
fi

echo "corpus: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
