#!/bin/bash
# Makes every test frame in this directory with qrframe:
#
#   images/make-images.sh build/qrframe
#
# The committed images are this script's output; the file names are used
# by the demo and the integration tests.  README.md says what each holds
# and what a gate should decide on it.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 QRFRAME" >&2
	exit 2
fi
qrframe=$(realpath "$1")
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Badges: plain worker ids.
"$qrframe" --text "W-0001" badge-W0001.png
"$qrframe" --text "W-0001" badge-W0001.pgm
"$qrframe" --text "W-0001" --noise 4 badge-W0001.jpg
for id in 0002 0003 0004 0005 9999; do
	"$qrframe" --text "W-$id" "badge-W$id.png"
done

# CCCD chip-ID codes: UTF-8 with Vietnamese diacritics.
"$qrframe" --text '079190001234|123456789|Nguyễn Thị Hồng Nhung|15081990|Nữ|12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh|01022021' \
	cccd-nhung.png
"$qrframe" --text '001201009876||Trần Văn Đức|02092001|Nam|Thôn Đông, Xã Yên Phụ, Huyện Yên Phong, Bắc Ninh|10042024|extra1|extra2' \
	cccd-2024.png
"$qrframe" --text '079190001234|123456789|Nguyễn Thị Hồng Nhung|31021990|Nữ|12 Lê Lợi|01022021' \
	cccd-bad-date.png
# A code made up from cccd-nhung's number alone, with a name and dates of
# the forger's choosing.
"$qrframe" --text '079190001234||Nguyen Van A|01011990|Nam|x|01012021' \
	cccd-forged.png

"$qrframe" --text "https://example.com/promo" url.png

# Hostile payloads: the gate must treat each as data, never as code.
"$qrframe" --text "W-0001'; DROP TABLE events; --" hostile-sql.png
"$qrframe" --text '$(reboot)`rm -rf /`;|& cat /etc/shadow' hostile-shell.png
printf 'W-0001\000admin' >"$tmp/nul"
"$qrframe" --data-file "$tmp/nul" hostile-nul.png
printf 'W-\303\050\377\37601' >"$tmp/utf8"
"$qrframe" --data-file "$tmp/utf8" hostile-utf8.png
# 2,900 bytes: "W-0001" then the digits 0-9 repeated (version 40-L holds
# at most 2,953).  At 5 pixels a module the 185-module code fits in 960.
{
	printf 'W-0001'
	for ((i = 0; i < 2894; i++)); do
		printf '%d' $((i % 10))
	done
} >"$tmp/long"
"$qrframe" --data-file "$tmp/long" --level L --size 1280x960 --scale 5 \
	hostile-long.png

# Frames without a code.
"$qrframe" --none blank.png
"$qrframe" --none --noise 10 noise.pgm

# A harder frame that must still read.
"$qrframe" --text "W-0001" --rotate 20 --blur 1 --noise 3 rotated-W0001.png
