#!/usr/bin/env bash
# System tests: Debian's own kernel in qemu (TCG), with gpio-sim, vivid and
# vimc, the real qrgated and qrgatectl inside, a Mosquitto broker on the
# host.
#
#   tests/vm/run.sh BUILD_DIR
#   VM_USERLAND=ROOT tests/vm/run.sh BUILD_DIR PROGRAMS_DIR
#
# Prepares (kernel.sh: the guest kernel and the out-of-tree modules, built
# once and cached in BUILD_DIR/vm; initramfs.sh: the guest's root), boots
# one guest that runs tests/vm/guest/*, and judges what it wrote down
# (check.sh).  Prints "ok - ..." / "not ok - ..." lines and
# "NAME: N passed, M failed"; exits 0 or 1.  Without qemu or the kernel
# packages it exits 77 (skipped), except under CI=true, where that fails.
#
# The guest's userland is this machine's (NAME "vm"), or, with
# VM_USERLAND=ROOT, the Debian root ROOT's (NAME "vm-<codename>"): the
# qrgated and qrgatectl of PROGRAMS_DIR (built in that root) and every
# tool the guest runs (gpioinfo, v4l2-ctl, media-ctl, cam, mosquitto_pub,
# libcamera's vimc IPA), with their libraries, come from ROOT.  The
# kernel, its modules and busybox stay this machine's, and so do the
# kernel cache and the test-frame maker (BUILD_DIR's).  Debian 13:
#
#   VM_USERLAND=build/sysroot-trixie/root tests/vm/run.sh build build/trixie
#
# The checks are the same on every userland, and some prove which
# libgpiod and libcamera qrgated ran with: the versions ROOT's (or this
# machine's) pkg-config reports.
#
# Environment, for debugging: VM_KERNEL=<abi> picks the kernel; VM_KEEP=1
# keeps the work directory (it is kept anyway when a check fails);
# VM_TIMEOUT limits the guest (360 s); VM_PHASES runs only some of the
# guest's phases (gpio camera reader screen sound mqtt libcamera; the checks of the others then
# fail); VM_APPEND replaces "quiet" on the kernel's command line (e.g.
# loglevel=7); VM_ACCEL=kvm where KVM can run a guest (not on these
# machines: their nested KVM cannot).  VM_SCANS: the badges the guest's
# USB scanner types (3); VM_FIGURES=1 prints the reader phases' figures
# instead of judging (make bench, with VM_PHASES=reader).
set -u
START=$SECONDS
BUILD=$(cd "${1:-build}" && pwd)
PROGS=$(cd "${2:-$BUILD}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$SRCDIR/tests/vm
CACHE=$BUILD/vm
TIMEOUT=${VM_TIMEOUT:-360}
U=""
NAME=vm
if [ -n "${VM_USERLAND:-}" ]; then
	U=$(cd "$VM_USERLAND" 2>/dev/null && pwd) || U=$VM_USERLAND
	NAME=vm-$(. "$U/etc/os-release" 2>/dev/null && echo "${VERSION_CODENAME:-other}") ||
		NAME=vm-other
fi

# Outside CI a machine without the tools skips the tier; in CI it fails.
unavailable() {
	if [ "${CI:-}" = true ]; then
		echo "$NAME: cannot run in CI: $*"
		echo "$NAME: 0 passed, 1 failed"
		exit 1
	fi
	echo "$NAME: skipped: $*"
	exit 77
}

# in_userland COMMAND...: runs COMMAND in the guest's userland.
in_userland() {
	if [ -n "$U" ]; then chroot "$U" "$@"; else "$@"; fi
}

# guest_tool NAME: the path of the tool NAME in the guest's userland.
guest_tool() {
	local d
	if [ -z "$U" ]; then
		command -v "$1"
		return
	fi
	for d in /usr/bin /usr/sbin; do
		[ -x "$U$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}

for t in qemu-system-x86_64 cpio gzip xz depmod modprobe modinfo make gcc ldd \
	mosquitto mosquitto_sub jq sqlite3 timeout ${U:+chroot unshare}; do
	command -v "$t" >/dev/null 2>&1 || unavailable "$t is not installed"
done
if [ -n "$U" ]; then
	[ -f "$U/etc/debian_version" ] && [ -x "$U/usr/bin/ldd" ] ||
		unavailable "$U is not a Debian root (VM_USERLAND)"
	[ "$(id -u)" = 0 ] || unavailable "a userland root needs root (chroot)"
fi
TOOLS=""
for t in gpioinfo v4l2-ctl mosquitto_pub media-ctl cam arecord pkg-config; do
	p=$(guest_tool "$t") || unavailable "$t is not installed${U:+ in $U}"
	[ "$t" = pkg-config ] || TOOLS="$TOOLS $p"
done
[ -x /bin/busybox ] || unavailable "busybox-static is not installed"
# libcamera's vimc IPA, where the userland's libcamera-ipa put it (0.4
# moved the proxy to libexec).
LCFILES=$(dpkg-query ${U:+--admindir="$U/var/lib/dpkg"} -L libcamera-ipa 2>/dev/null |
	grep -E '/(ipa_vimc\.so|ipa_vimc\.so\.sign|vimc_ipa_proxy|vimc\.conf)$')
[ "$(printf '%s\n' $LCFILES | wc -l)" = 4 ] ||
	unavailable "libcamera-ipa is not installed${U:+ in $U}"
for f in "$PROGS/qrgated" "$PROGS/qrgatectl" "$BUILD/libqrgate.a"; do
	if [ ! -f "$f" ]; then
		echo "$NAME: $f missing: build first (make all)"
		echo "$NAME: 0 passed, 1 failed"
		exit 1
	fi
done

# Which userland, and the versions its pkg-config reports: what qrgated
# must say it runs with.
WANT_GPIOD=$(in_userland pkg-config --modversion libgpiod 2>/dev/null)
WANT_LIBCAMERA=$(in_userland pkg-config --modversion libcamera 2>/dev/null)
echo "$NAME: userland ${U:-of this machine}: Debian $(cat "$U/etc/debian_version")," \
	"libgpiod ${WANT_GPIOD:-?}, libcamera ${WANT_LIBCAMERA:-?}," \
	"zxing-cpp $(in_userland pkg-config --modversion zxing 2>/dev/null || echo none)"
echo "$NAME: programs $PROGS"

t0=$SECONDS
ABI=$("$VMDIR/kernel.sh" "$CACHE")
krc=$?
ABI=${ABI##*$'\n'}
case $krc in
0)	;;
3)	unavailable "no kernel to boot: install linux-image-<abi>-amd64," \
	    "linux-headers-<abi>-amd64 and linux-source-<series>";;
*)	echo "$NAME: the guest kernel could not be prepared"
	echo "$NAME: 0 passed, 1 failed"
	exit 1;;
esac
echo "$NAME: kernel $ABI ($((SECONDS - t0)) s to prepare)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qrgate-vm.XXXXXX")
BROKER_PID="" SUB_PID=""
cleanup() {
	[ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${VM_KEEP:-}" = 1 ] || [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "$NAME: work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
KEEP_WORK=1	# until the checks have passed

# The frame the camera phase plays on vivid's output, in the two formats
# the capture may negotiate.
RAWFRAME=$CACHE/rawframe
if [ ! -x "$RAWFRAME" ] || [ "$VMDIR/rawframe.c" -nt "$RAWFRAME" ] ||
   [ "$BUILD/libqrgate.a" -nt "$RAWFRAME" ]; then
	gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -O2 -I"$SRCDIR/src/common" \
	    -o "$RAWFRAME" "$VMDIR/rawframe.c" "$BUILD/libqrgate.a" \
	    $(pkg-config --libs libpng libjpeg) || { echo "$NAME: rawframe did not build"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
fi
# The guest's Wiegand reader and USB scanner (tests/vm/guest/reader.sh);
# screencmp and wavstat stay on the host (check.sh).
for tool in wiegand_pulses uinput_keys screencmp wavstat; do
	if [ ! -x "$CACHE/$tool" ] || [ "$VMDIR/$tool.c" -nt "$CACHE/$tool" ]; then
		libs=""
		[ "$tool" = uinput_keys ] && libs=$(pkg-config --cflags --libs libevdev)
		[ "$tool" = screencmp ] && libs=$(pkg-config --cflags --libs libpng)
		[ "$tool" = wavstat ] && libs=-lm
		gcc -std=c11 -Wall -Wextra -O2 -o "$CACHE/$tool" "$VMDIR/$tool.c" $libs ||
			{ echo "$NAME: $tool did not build"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
	fi
done
ROOT=$WORK/root
mkdir -p "$ROOT/vm/guest" "$ROOT/vm/images" "$ROOT/vm/data" "$ROOT/vm/frames"
cp "$VMDIR/guest/init" "$ROOT/init"
cp "$VMDIR"/guest/*.sh "$ROOT/vm/guest/"
cp "$SRCDIR/images/blank.png" "$SRCDIR/images/badge-W0001.png" "$ROOT/vm/images/"
# A small blank frame for the reader phases, whose camera only has to run:
# decoding blank.png takes 60 ms under emulation, longer than libgpiod
# 1.6's kernel keeps a Wiegand reader's edges while the loop is busy
# (qrgate.conf(5), wiegand.gap_ms).
"$BUILD/qrframe" --none --size 160x120 "$ROOT/vm/images/small-blank.png" >/dev/null ||
	{ echo "$NAME: qrframe did not make a frame"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
# And a large one, which keeps the loop decoding while cards come in.
"$BUILD/qrframe" --none --size 1280x720 "$ROOT/vm/images/large-blank.png" >/dev/null ||
	{ echo "$NAME: qrframe did not make a frame"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
cp "$SRCDIR/config/demo-credentials.csv" "$ROOT/vm/data/"
# And a still picture with texture but no code: a frozen camera's (a flat
# one, such as blank.png, would be no evidence of freezing).
LC_ALL=C awk 'BEGIN { printf "P5\n640 480\n255\n"
	for (i = 0; i < 640 * 480; i++) printf "%c", 16 + (i * 7 + int(i / 640) * 13) % 224 }' \
	>"$WORK/still.pgm"
for fmt in GREY YUYV; do
	"$RAWFRAME" "$fmt" 640 480 "$SRCDIR/images/badge-W0001.png" \
	    "$ROOT/vm/frames/badge-W0001.$fmt" || exit 1
	"$RAWFRAME" "$fmt" 640 480 "$WORK/still.pgm" \
	    "$ROOT/vm/frames/still.$fmt" || exit 1
done
# The sound phase's data, from the userland: ALSA's configuration (the
# plug and hw devices libasound opens by name) and espeak-ng's phonemes
# with its Vietnamese and English dictionaries and voices.
ESPEAK=$(in_userland pkg-config --variable=libdir espeak-ng 2>/dev/null)/espeak-ng-data
mkdir -p "$ROOT/usr/share/alsa" "$ROOT$ESPEAK"
cp -a "$U/usr/share/alsa/alsa.conf" "$U/usr/share/alsa/cards" "$U/usr/share/alsa/pcm" \
	"$ROOT/usr/share/alsa/"
for f in phondata phonindex phontab intonations vi_dict en_dict lang voices; do
	[ -e "$U$ESPEAK/$f" ] && cp -a "$U$ESPEAK/$f" "$ROOT$ESPEAK/"
done
# The screen's font and fontconfig's setup, from the userland.
FONTFILES=""
for f in "$U"/etc/fonts/fonts.conf "$U"/etc/fonts/conf.d/*.conf \
	"$U"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf \
	"$U"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf; do
	[ -e "$f" ] && FONTFILES="$FONTFILES ${f#"$U"}"
done
t0=$SECONDS
VM_USERLAND=$U "$VMDIR/initramfs.sh" "$ABI" "$CACHE/$ABI" "$ROOT" "$WORK/initramfs.gz" \
	"own:$PROGS/qrgated" "own:$PROGS/qrgatectl" \
	"own:$CACHE/wiegand_pulses" "own:$CACHE/uinput_keys" $TOOLS \
	$(printf 'at:%s ' $LCFILES $FONTFILES) ||
	{ echo "$NAME: the initramfs could not be made"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
echo "$NAME: initramfs $(( $(stat -c %s "$WORK/initramfs.gz") / 1048576 )) MB ($((SECONDS - t0)) s)"

# A broker on a free loopback port, and a subscriber waiting for the
# guest's message.
. "$VMDIR/host.sh"
MQTT_TOPIC=qrgate/vm/$$
MQTT_MESSAGE="hello from the guest $RANDOM$RANDOM"
if ! host_broker_start "$WORK"; then
	echo "$NAME: the host's broker did not start"; cat "$WORK/mosquitto.log"
	echo "$NAME: 0 passed, 1 failed"; exit 1
fi
mosquitto_sub -h 127.0.0.1 -p "$PORT" -t "$MQTT_TOPIC" -C 1 -W $((TIMEOUT + 30)) \
	>"$WORK/mqtt-received" 2>"$WORK/mqtt-sub.log" &
SUB_PID=$!

# The cards the guest's reader sends, worked out apart from qrgated's
# codec; V-0001's CCCD code with its name in ASCII, as a US-layout
# scanner can type it (hal/reader_wedge.c says why).
. "$SRCDIR/tests/integration/wiegand_enc.sh"
CCCD_ASCII="079190001234|123456789|Nguyen Thi Hong Nhung|15081990|Nu|12 Le Loi, Quan 1|01022021"
SHARE=$WORK/share
mkdir -p "$SHARE/in" "$SHARE/out"
cat >"$SHARE/in/params" <<EOF
MQTT_PORT=$PORT
MQTT_TOPIC='$MQTT_TOPIC'
MQTT_MESSAGE='$MQTT_MESSAGE'
PHASES='${VM_PHASES:-gpio camera reader screen sound mqtt libcamera}'
WG_GRANT=$(h10301_bits 12 3456)
WG_REVOKED=$(h10301_bits 12 3457)
CCCD_ASCII='$CCCD_ASCII'
SCANS=${VM_SCANS:-3}
EOF

# The screen phase's display: qemu's bochs-display at the panel's size
# (its EDID then offers 800x480 first), dumped through QMP on pipes when
# the guest asks (screen_dumps, host.sh).
mkfifo "$WORK/qmp.in" "$WORK/qmp.out"
screen_dumps "$WORK/qmp" "$SHARE/out" >"$WORK/qmp.log" 2>&1 &
DUMP_PID=$!
echo "$NAME: booting (${VM_ACCEL:-tcg})"
t0=$SECONDS
# The bochs driver offers the standard modes, not qemu's EDID size: the
# kernel adds the panel's own from video= (its connector is Virtual-1).
VM_CMDLINE="video=Virtual-1:800x480" \
vm_boot "$TIMEOUT" "$CACHE" "$ABI" "$WORK/initramfs.gz" "$SHARE" "$WORK/console.log" \
	-device bochs-display,xres=800,yres=480 \
	-chardev "pipe,id=qmp,path=$WORK/qmp" -mon chardev=qmp,mode=control
rc=$?
kill "$DUMP_PID" 2>/dev/null
wait "$DUMP_PID" 2>/dev/null
BOOT_S=$((SECONDS - t0))
grep '^guest: ' "$WORK/console.log"
echo "$NAME: guest ran $BOOT_S s (qemu exit $rc)"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "$NAME: the guest was stopped after ${TIMEOUT} s"
fi
# The subscriber has had its message by now, or never will.
for i in $(seq 1 40); do kill -0 "$SUB_PID" 2>/dev/null || break; sleep 0.05; done

# make bench: the reader phases' figures, nothing judged.
if [ "${VM_FIGURES:-}" = 1 ]; then
	. "$VMDIR/figures.sh"
	. "$SRCDIR/tests/bench/lib_figures.sh"
	reader_figures "$SHARE/out" "$(sed -n 's/^sim.base //p' "$SHARE/out/facts" 2>/dev/null)"
	KEEP_WORK=0
	exit 0
fi
SCREENCMP=$CACHE/screencmp WAVSTAT=$CACHE/wavstat QMP_LOG=$WORK/qmp.log \
"$VMDIR/check.sh" "$SHARE/out" "$ABI" "$MQTT_MESSAGE" "$WORK/mqtt-received" \
	"$NAME" "$WANT_GPIOD" "$WANT_LIBCAMERA"
result=$?
if [ $result -ne 0 ]; then
	echo "    --- console (last 30 lines):"
	tail -30 "$WORK/console.log" | sed 's/^/    /'
	echo "    --- guest log (last 30 lines):"
	tail -30 "$SHARE/out/guest.log" 2>/dev/null | sed 's/^/    /'
else
	KEEP_WORK=0
fi
echo "$NAME: $((SECONDS - START)) s in all"
exit $result
