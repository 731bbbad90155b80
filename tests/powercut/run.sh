#!/usr/bin/env bash
# The power-cut tier: the gate's database (and the site aggregator's) on
# ext4 over dm-log-writes in Debian's kernel under qemu, the write log then
# replayed on the host onto a copy of the original disk up to each cut
# point, every flush and every mark, and the disk judged there as a power
# cut would have left it (check.sh).
#
#   tests/powercut/run.sh BUILD_DIR
#
# One guest runs three variants of the same stream of grants and pushes
# (tests/powercut/guest/main.sh): "full", the gate as shipped, which must
# pass at every cut; "normal", store.synchronous = normal, and
# "relayfirst", a daemon that drives the relay before its commit, where the
# checks must find pulses whose rows were lost, or the tier could not tell
# them apart.  Prints "ok - ..." / "not ok - ..." lines and "powercut: N
# passed, M failed"; exits 0 or 1, or 77 (skipped) outside CI where qemu
# or the kernel packages are missing.
#
# Environment: POWERCUT_CUTS, the cut points checked on the full variant's
# gate log (240; "all" for every one), POWERCUT_SECONDS, the stream's
# length per variant in the guest (30), POWERCUT_VARIANTS (full normal
# relayfirst), POWERCUT_PUSHES, the signed pushes of each kind sent in it
# (two a second), POWERCUT_KEEP=1 keeps the work directory,
# POWERCUT_BYTES=1 prints the bytes written per decision (make bench, with
# POWERCUT_CUTS=0: no cut judged).
set -u
START=$SECONDS
BUILD=$(cd "${1:-build}" && pwd)
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
PCDIR=$SRCDIR/tests/powercut
VMDIR=$SRCDIR/tests/vm
CACHE=$BUILD/vm
PCB=$BUILD/powercut
SECONDS_PER=${POWERCUT_SECONDS:-30}
VARIANTS=${POWERCUT_VARIANTS:-full normal relayfirst}
# Boot and set-up take about a minute under TCG, each variant its stream
# and a few seconds more.
TIMEOUT=$(( 120 + $(set -- $VARIANTS; echo $#) * (SECONDS_PER + 40) ))

unavailable() {
	if [ "${CI:-}" = true ]; then
		echo "powercut: cannot run in CI: $*"
		echo "powercut: 0 passed, 1 failed"
		exit 1
	fi
	echo "powercut: skipped: $*"
	exit 77
}
broken() { echo "powercut: $*"; echo "powercut: 0 passed, 1 failed"; exit 1; }

for t in qemu-system-x86_64 cpio gzip depmod modprobe mosquitto mosquitto_sub \
	mosquitto_pub gpioinfo dmsetup mkfs.ext4 e2fsck debugfs sqlite3 timeout; do
	command -v "$t" >/dev/null 2>&1 || unavailable "$t is not installed"
done
[ -x /bin/busybox ] || unavailable "busybox-static is not installed"
for f in qrgated qrgatectl qrgate-aggregator powercut/dmlog powercut/pcmark \
	powercut/qrgated-relay-first; do
	[ -x "$BUILD/$f" ] || broken "$BUILD/$f missing: build first (make all powercut-build)"
done

ABI=$("$VMDIR/kernel.sh" "$CACHE")
case $? in
0)	ABI=${ABI##*$'\n'} ;;
3)	unavailable "no kernel to boot (make deps-vm)" ;;
*)	broken "the guest kernel could not be prepared" ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qrgate-powercut.XXXXXX")
BROKER_PID=""
KEEP_WORK=1	# until the checks have passed
cleanup() {
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${POWERCUT_KEEP:-}" = 1 ] || [ "$KEEP_WORK" = 1 ]; then
		echo "powercut: work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

SHARE=$WORK/share
mkdir -p "$SHARE/in" "$SHARE/out"

# The admin key the gates trust, and for each variant its stream of
# signed pushes: config push and credential patch version N alternate, as
# in the kill -9 test (tests/integration/lib_crash.sh).
. "$SRCDIR/tests/integration/lib_crash.sh"
"$BUILD/qrgatectl" keygen "$WORK/admin.key" >/dev/null || broken "keygen failed"
PUSHES=${POWERCUT_PUSHES:-$(( SECONDS_PER * 2 ))}
for v in $VARIANTS; do
	mkdir -p "$SHARE/in/$v"
	for ((n = 1; n <= PUSHES; n++)); do
		crash_config_doc "$n" >"$WORK/config.body"
		crash_patch_doc "$n" >"$WORK/patch.body"
		for kind in config patch; do
			"$BUILD/qrgatectl" push "$kind" --key "$WORK/admin.key" --prefix qrgate \
			    --site vm-site --gate "pc-$v" --body "$WORK/$kind.body" --print \
			    >"$SHARE/in/$v/$kind.$n" || broken "qrgatectl push $kind failed"
		done
	done
done
{
	cat "$SRCDIR/config/demo-credentials.csv"
	for ((i = 1; i <= CRASH_PATCH_ROWS; i++)); do
		printf 'CP-%02d,badge,CP-%02d,initial,,,active,*,staff,0,\n' "$i" "$i"
	done
} >"$SHARE/in/credentials.csv"

# The disks: each data disk made ext4 here and copied as it was before the
# guest touched it (what the log replays onto); each log disk sparse.
DRIVES=()
disk_pair() {	# disk_pair SERIAL
	truncate -s 64M "$WORK/$1-data.img"
	mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 \
	    "$WORK/$1-data.img" || broken "mkfs.ext4 failed"
	cp --sparse=always "$WORK/$1-data.img" "$WORK/$1-orig.img"
	truncate -s 2G "$WORK/$1-log.img"
	for part in data log; do
		DRIVES+=(-drive "file=$WORK/$1-$part.img,format=raw,if=none,id=$1-$part"
		    -device "virtio-blk-pci,drive=$1-$part,serial=$1-$part")
	done
}
for v in $VARIANTS; do disk_pair "$v"; done
case " $VARIANTS " in *" full "*) disk_pair agg ;; esac

ROOT=$WORK/root
mkdir -p "$ROOT/vm/guest" "$ROOT/vm/images"
cp "$VMDIR/guest/init" "$ROOT/init"
cp "$VMDIR/guest/lib.sh" "$VMDIR/guest/gpio.sh" "$ROOT/vm/guest/"
cp "$PCDIR/guest/main.sh" "$ROOT/vm/guest/main.sh"
cp "$SRCDIR/images/blank.png" "$SRCDIR/images/badge-W0001.png" "$ROOT/vm/images/"
VM_EXTRA_MODULES="dm-log-writes ext4 virtio_blk" "$VMDIR/initramfs.sh" "$ABI" \
	"$CACHE/$ABI" "$ROOT" "$WORK/initramfs.gz" \
	"$BUILD/qrgated" "$BUILD/qrgatectl" "$BUILD/qrgate-aggregator" \
	"$PCB/qrgated-relay-first" "$PCB/pcmark" "$(command -v dmsetup)" \
	"$(command -v gpioinfo)" "$(command -v mosquitto_pub)" "$(command -v mosquitto_sub)" ||
	broken "the initramfs could not be made"

. "$VMDIR/host.sh"
host_broker_start "$WORK" || broken "the host's broker did not start"
cat >"$SHARE/in/params" <<EOF
MQTT_PORT=$PORT
VARIANTS='$VARIANTS'
DURATION_S=$SECONDS_PER
FPS=8
PUSH_GAP=0.5
ADMIN_PUB='$(cat "$WORK/admin.key.pub")'
EOF

echo "powercut: kernel $ABI; booting (${VM_ACCEL:-tcg}), $SECONDS_PER s a variant: $VARIANTS"
t0=$SECONDS
vm_boot "$TIMEOUT" "$CACHE" "$ABI" "$WORK/initramfs.gz" "$SHARE" "$WORK/console.log" \
	"${DRIVES[@]}"
rc=$?
grep '^guest: ' "$WORK/console.log"
echo "powercut: guest ran $((SECONDS - t0)) s (qemu exit $rc)"
[ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "powercut: the guest was stopped after $TIMEOUT s"
kill "$BROKER_PID" 2>/dev/null
BROKER_PID=""

"$PCDIR/check.sh" "$BUILD" "$WORK" "$VARIANTS"
result=$?
if [ $result -ne 0 ]; then
	echo "    --- guest log (last 30 lines):"
	tail -30 "$SHARE/out/guest.log" 2>/dev/null | sed 's/^/    /'
else
	KEEP_WORK=0
fi
echo "powercut: $((SECONDS - START)) s in all"
exit $result
