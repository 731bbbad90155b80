#!/bin/bash
# The real-photo corpus: decodes 137 photographs and scans of QR codes with
# `qrgatectl scan --json` (the daemon's own image and decoder path) and
# compares each file's codes with the exact expected text beside it.
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
# It passes when found reaches zbarimg's 104 and nothing is wrong.  zbarimg
# (QR only, its default character-set guessing) is run on every file too
# and its figures printed alongside.  Exit 77 means skipped.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
qrgatectl=$(realpath -m "$1")/qrgatectl
cd "$(dirname "$0")/../.."

MIN_FOUND=104
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

# One JSON line per file, in argument order.  A file that fails to load
# makes qrgatectl exit 1, which the per-file check below reports.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
"$qrgatectl" scan --json "${files[@]}" >"$results" || true
if [ "$(wc -l <"$results")" -ne "$total" ]; then
	echo "corpus: FAILED: qrgatectl printed $(wc -l <"$results") lines for $total files" >&2
	echo "corpus: 0 passed, 1 failed"
	exit 1
fi

found=0 exact=0 other=0 wrong=0 errors=0
zfound=0 zexact=0 zbarimg=yes
command -v zbarimg >/dev/null || zbarimg=
i=0
while IFS= read -r line; do
	f=${files[$i]}
	i=$((i + 1))
	txt=${f%.png}.txt
	want=$(hex_of_file "$txt")

	if [[ $line != "{\"file\":\"$f\","* ]] || [[ $line == *'"error":'* ]]; then
		echo "corpus: $f: $line" >&2
		errors=$((errors + 1))
		continue
	fi
	codes=$(grep -o '"hex":"[0-9a-f]*"' <<<"$line" | cut -d'"' -f4 || true)
	if [ -n "$codes" ]; then
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
				echo "corpus: wrong: $f: $line" >&2
				wrong=$((wrong + 1))
			else
				found=$((found + 1))
				other=$((other + 1))
			fi
		fi
	fi

	if [ -n "$zbarimg" ]; then
		# --raw prints each code followed by a newline; exit 4: none.
		if zout=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$f" 2>/dev/null |
		    od -An -v -tx1 | tr -d ' \n') && [ -n "$zout" ]; then
			zfound=$((zfound + 1))
			if [ "$zout" = "${want}0a" ]; then
				zexact=$((zexact + 1))
			fi
		fi
	fi
done <"$results"

echo "corpus: qrgatectl: found $found of $total, byte-exact $exact," \
	"other-charset $other, wrong $wrong, errors $errors"
if [ -n "$zbarimg" ]; then
	echo "corpus: zbarimg:   found $zfound of $total, byte-exact $zexact" \
		"(character sets guessed)"
else
	echo "corpus: zbarimg not installed: no reference figures"
fi

if [ "$found" -ge "$MIN_FOUND" ] && [ "$wrong" -eq 0 ] && [ "$errors" -eq 0 ]; then
	echo "corpus: 1 passed, 0 failed"
	exit 0
fi
echo "corpus: FAILED: need found >= $MIN_FOUND, wrong 0 and errors 0" >&2
echo "corpus: 0 passed, 1 failed"
exit 1
