#!/usr/bin/env bash
# Boots the installed package with systemd: a copy of the Debian 12 root
# of tests/deb/base-root.sh (systemd, Debian's kernel and its initramfs)
# gets qrgate and qrgate-aggregator installed from their .debs (one host
# with both: the two units must not share a state directory), a gate
# config on the file camera
# and the simulated GPIO, becomes an ext4 disk, and boots in qemu (TCG).
# tests/deb/vmcheck.sh, a unit in the guest, reports on the console:
# qrgated active on the first boot, a reboot, active again, the entry relay
# energised by the fire alarm and de-energised by `systemctl stop`.
#
#   tests/deb/boot.sh BUILD DEB_DIR VERSION   (as root)
#
# Prints "ok - ..." / "FAIL - ..." lines; exits 0 when every check passed.
set -u
BUILD=$1 DEBS=$(realpath "$2") VERSION=$3
cd "$(dirname "$0")/../.." || exit 2
ARCH=$(dpkg --print-architecture)
BASE=$BUILD/deb/sysroot-bookworm
WORK=$BUILD/deb/sysroot-vm-run
fails=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }

tests/deb/base-root.sh "$BUILD" "$DEBS" "$VERSION" || exit 1
rm -rf "$WORK"
cp -a "$BASE/root" "$WORK"

# The package, as a site installs it, and a gate that runs without a
# camera or GPIO chip: the file camera on one of images/, the sim GPIO
# (its outputs logged, its inputs read from a FIFO).
cp images/blank.png "$WORK/etc/qrgate-frame.png"
install -m 755 tests/deb/vmcheck.sh "$WORK/usr/local/sbin/qrgate-vmcheck"
cat >"$WORK/etc/systemd/system/qrgate-vmcheck.service" <<'UNIT'
[Unit]
Description=tests/deb/boot.sh: report on qrgated
After=qrgated.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/qrgate-vmcheck
[Install]
WantedBy=multi-user.target
UNIT
tests/trixie/enter.sh "$WORK" /bin/sh -ec "
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $DEBS/qrgate_${VERSION}_$ARCH.deb \
		$DEBS/qrgate-aggregator_${VERSION}_$ARCH.deb </dev/null >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; exit 1; }
	sed -i 's|^backend = v4l2|backend = file|; s|^source = /dev/video0|source = /etc/qrgate-frame.png|;
		s|^loop = false|loop = true|; s|^backend = gpiod|backend = sim|;
		s|^sim_log =\$|sim_log = /var/lib/qrgate/gpio.log|;
		s|^sim_input =\$|sim_input = /var/lib/qrgate/gpio.in|' /etc/qrgate/qrgate.conf
	install -d -o qrgate -g qrgate -m 750 /var/lib/qrgate
	mkfifo -m 660 /var/lib/qrgate/gpio.in
	chown qrgate:qrgate /var/lib/qrgate/gpio.in
	systemctl enable qrgate-vmcheck.service
	systemctl mask systemd-networkd-wait-online.service
	echo qrgate-vm >/etc/hostname
	echo '/dev/vda / ext4 rw 0 1' >/etc/fstab
" || { fail "install the packages in the guest's root"; exit 1; }
ok "qrgate and qrgate-aggregator $VERSION installed in the guest's root"

IMG=$BUILD/deb/vm.img
rm -f "$IMG"
mke2fs -q -t ext4 -d "$WORK" -L root "$IMG" 2G || { fail "make the disk"; exit 1; }
kernel=$(ls "$WORK"/boot/vmlinuz-* | tail -1)
initrd=$(ls "$WORK"/boot/initrd.img-* | tail -1)
cp "$kernel" "$initrd" "$BUILD/deb/"
rm -rf "$WORK"
LOG=$BUILD/deb/vm.log
t0=$SECONDS
timeout "${VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nographic -nic none \
	-kernel "$BUILD/deb/${kernel##*/}" -initrd "$BUILD/deb/${initrd##*/}" \
	-append "root=/dev/vda rw console=ttyS0 quiet panic=-1" \
	-drive file="$IMG",format=raw,if=virtio </dev/null 2>&1 | tr -d '\r' >"$LOG"
echo "deb vm: two boots in $((SECONDS - t0)) s (console: $LOG)"
# A line may follow the console's escapes or a login prompt.
said() { grep -q "qrgate-vm: $1\$" "$LOG"; }
for n in 1 2; do
	said "boot $n is-active active" && ok "boot $n: qrgated is active" || fail "boot $n: qrgated is active"
	said "boot $n is-enabled enabled" && ok "boot $n: qrgated is enabled" || fail "boot $n: qrgated is enabled"
	said "boot $n user qrgate" && ok "boot $n: qrgated runs as qrgate" || fail "boot $n: qrgated runs as qrgate"
	said "boot $n restarts 0" && ok "boot $n: no restart" || fail "boot $n: no restart"
	said "boot $n aggregator active 0" && ok "boot $n: qrgate-aggregator is active, no restart" ||
		fail "boot $n: qrgate-aggregator is active, no restart"
	said "boot $n owners qrgate" && ok "boot $n: the gate's database still belongs to qrgate" ||
		fail "boot $n: the gate's database still belongs to qrgate"
done
said "boot 2 alarm entry_relay 1" && ok "the fire alarm energises the entry relay" ||
	fail "the fire alarm energises the entry relay"
said "boot 2 stopped inactive entry_relay 0" && ok "systemctl stop: the entry relay de-energised" ||
	fail "systemctl stop: the entry relay de-energised"
said "boot 2 journal 1 1" && ok "the journal says the relays were de-energised, at the reboot and at the stop" ||
	fail "the journal says the relays were de-energised, at the reboot and at the stop"
said "done" && ok "the guest powered off after its checks" || fail "the guest powered off after its checks"
[ $fails -eq 0 ] || grep -E 'qrgate|Failed|error' "$LOG" | tail -n 30 | sed 's/^/    /'
rm -f "$IMG"
[ $fails -eq 0 ]
