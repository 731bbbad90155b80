#!/usr/bin/env bash
# The guest kernel for the system tests: Debian's own, with the two modules
# its config leaves out (gpio-sim and vimc) built out of tree from Debian's
# linux-source package against the matching linux-headers.
#
#   tests/vm/kernel.sh CACHE_DIR
#
# Picks the newest installed kernel whose headers and modules are installed
# too (or the one named by $VM_KERNEL, e.g. 6.1.0-56-amd64), and leaves in
# CACHE_DIR/<abi>/:
#   vmlinux          the uncompressed ELF kernel: qemu boots it directly,
#                    in half the time the bzImage takes under TCG
#   gpio-sim.ko      gpio-sim, with kernel/irq/irq_sim.c linked in
#   vimc.ko
#   stamp            what they were built from; a different stamp rebuilds
# and prints the abi on its last line.  Exits 3 with the reason on stderr
# when no usable kernel is installed, 1 when the modules do not build.
set -eu
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)

die() { echo "vm kernel: $*" >&2; exit 1; }
none() { echo "vm kernel: $*" >&2; exit 3; }

abi_usable() {
	local abi=$1 series
	series=$(printf '%s\n' "$abi" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
	[ -f "/boot/vmlinuz-$abi" ] &&
	[ -f "/lib/modules/$abi/build/Makefile" ] &&
	[ -f "/lib/modules/$abi/modules.dep" ] &&
	[ -n "$series" ] && [ -f "/usr/src/linux-source-$series.tar.xz" ]
}

if [ -n "${VM_KERNEL:-}" ]; then
	ABI=$VM_KERNEL
	abi_usable "$ABI" || none "kernel $ABI: image, headers or linux-source missing"
else
	ABI=""
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V -r); do
		if abi_usable "$v"; then ABI=$v; break; fi
	done
	[ -n "$ABI" ] || none "no kernel with its image, headers, modules and linux-source installed"
fi
SERIES=$(printf '%s\n' "$ABI" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
SRC_TAR=/usr/src/linux-source-$SERIES.tar.xz
OUT=$CACHE/$ABI

# Two runs sharing the cache build it once.
exec 9>"$CACHE/.lock-$ABI"
flock 9

# The modules must match the image exactly; the source only in its series,
# but a new source package is still a reason to rebuild.
stamp=$(printf 'abi %s\nimage %s\nsource %s\nheaders %s\n' "$ABI" \
	"$(stat -c '%s %Y' "/boot/vmlinuz-$ABI")" \
	"$(stat -c '%s %Y' "$SRC_TAR")" \
	"$(stat -c '%s %Y' "/lib/modules/$ABI/build/Makefile")")
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ] &&
   [ -f "$OUT/vmlinux" ] && [ -f "$OUT/gpio-sim.ko" ] && [ -f "$OUT/vimc.ko" ]; then
	echo "$ABI"
	exit 0
fi

echo "vm kernel: building gpio-sim and vimc for $ABI (once; cached in $OUT)" >&2
rm -rf "$OUT"
mkdir -p "$OUT"
WORK=$(mktemp -d "$OUT/src.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Only the few files needed: the archive is 140 MB of xz.
top=linux-source-$SERIES
tar -xJf "$SRC_TAR" -C "$WORK" \
	"$top/drivers/gpio/gpio-sim.c" "$top/drivers/gpio/gpiolib.h" \
	"$top/kernel/irq/irq_sim.c" "$top/scripts/extract-vmlinux" \
	--wildcards "$top/drivers/media/test-drivers/vimc/*" ||
	die "$SRC_TAR: cannot extract the module sources"
S=$WORK/$top

# gpio-sim needs the interrupt simulator, which this config leaves out too.
# It is linked into the same module (whose name must differ from each of
# its objects').  irq_to_desc() is not exported to modules, but
# generic_handle_irq() does the same for an irq number.
mkdir -p "$WORK/gpio-sim"
cp "$S/drivers/gpio/gpio-sim.c" "$WORK/gpio-sim/gpio-sim-core.c"
cp "$S/drivers/gpio/gpiolib.h" "$WORK/gpio-sim/"
sed 's/handle_simple_irq(irq_to_desc(\([a-z_]*\)))/generic_handle_irq(\1)/' \
	"$S/kernel/irq/irq_sim.c" >"$WORK/gpio-sim/irq_sim.c"
grep -q 'generic_handle_irq(' "$WORK/gpio-sim/irq_sim.c" ||
	die "irq_sim.c: the irq_to_desc() call to replace was not found"
printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-core.o irq_sim.o\n' >"$WORK/gpio-sim/Kbuild"

KB=/lib/modules/$ABI/build
jobs=$(nproc 2>/dev/null || echo 2)
make -s -C "$KB" M="$WORK/gpio-sim" -j"$jobs" modules >"$WORK/gpio-sim.log" 2>&1 ||
	{ tail -20 "$WORK/gpio-sim.log" >&2; die "gpio-sim did not build"; }
make -s -C "$KB" M="$S/drivers/media/test-drivers/vimc" CONFIG_VIDEO_VIMC=m \
	-j"$jobs" modules >"$WORK/vimc.log" 2>&1 ||
	{ tail -20 "$WORK/vimc.log" >&2; die "vimc did not build"; }
cp "$WORK/gpio-sim/gpio-sim.ko" "$S/drivers/media/test-drivers/vimc/vimc.ko" "$OUT/"
# As Debian ships its modules: without debug information (a third the size).
strip --strip-debug "$OUT/gpio-sim.ko" "$OUT/vimc.ko"

# TCG boots the ELF vmlinux in half the time of the compressed bzImage.
sh "$S/scripts/extract-vmlinux" "/boot/vmlinuz-$ABI" >"$OUT/vmlinux" ||
	die "cannot extract vmlinux from /boot/vmlinuz-$ABI"
printf '%s\n' "$stamp" >"$OUT/stamp"
echo "$ABI"
