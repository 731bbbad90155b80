#!/usr/bin/env bash
# Packs the guest's initramfs from what Debian installed on this machine:
# busybox-static, the kernel modules the tests load (with their
# dependencies, as modprobe resolves them), the tools the guest runs with
# the shared libraries ldd finds for them, and the tier's own files.
#
#   [VM_USERLAND=DIR] tests/vm/initramfs.sh ABI MODDIR ROOT OUT PROGRAM...
#
# MODDIR holds the out-of-tree gpio-sim.ko and vimc.ko (kernel.sh); ROOT is
# a directory whose contents are copied over the tree as they are (the
# guest scripts, test data); each PROGRAM is copied to /usr/bin in the
# guest, with its libraries, and each at:PATH to PATH, with its libraries
# if it has any; own:PATH is a program of this build, outside any userland,
# copied to /usr/bin with its libraries.  OUT is a gzip'd newc cpio.
#
# With VM_USERLAND=DIR, a Debian root (e.g. trixie's, tests/trixie), the
# guest's userland is that root's: every PROGRAM and at:PATH is a path in
# DIR, and the libraries of everything, own:PATH included, are the ones
# ldd finds in DIR (run there with chroot; the build's programs are seen
# there through a bind mount in a private mount namespace, so nothing is
# ever written to DIR).  busybox and the kernel modules stay this
# machine's: the kernel is.
set -eu
ABI=$1 MODDIR=$2 EXTRA=$3 OUT=$4
shift 4

die() { echo "vm initramfs: $*" >&2; exit 2; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/qrgate-vm-root.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

# Debian is usr-merged: /lib, /bin and /sbin are links into /usr, and ldd
# names libraries by either path.
mkdir -p "$STAGE"/usr/bin "$STAGE"/usr/sbin "$STAGE"/usr/lib/x86_64-linux-gnu \
	"$STAGE"/usr/lib64 "$STAGE"/proc "$STAGE"/sys "$STAGE"/dev "$STAGE"/tmp \
	"$STAGE"/run "$STAGE"/host "$STAGE"/etc
ln -s usr/bin "$STAGE/bin"
ln -s usr/sbin "$STAGE/sbin"
ln -s usr/lib "$STAGE/lib"
ln -s usr/lib64 "$STAGE/lib64"

# busybox must be the static one: the guest has no library of its own.
BB=/bin/busybox
[ -x "$BB" ] || die "$BB missing (package busybox-static)"
if ldd "$BB" >/dev/null 2>&1; then
	die "$BB is dynamically linked: install busybox-static"
fi
cp "$BB" "$STAGE/usr/bin/busybox"

U=${VM_USERLAND:-}
if [ -n "$U" ]; then
	U=$(cd "$U" && pwd) || die "$VM_USERLAND: no such directory"
	[ -x "$U/usr/bin/ldd" ] || die "$U: not a Debian root with ldd (libc-bin)"
fi

# The libraries ldd finds for PATH (in the userland when there is one), one
# path a line.  own:PATH: a file outside the userland, which ldd sees in it
# at /var/tmp/qrgate-own/NAME, a bind mount of its directory that only
# this command's private mount namespace has.
libs_of() {
	local out
	case $1 in
	own:*)	if [ -n "$U" ]; then
			out=$(unshare --mount --propagation private -- /bin/sh -c '
				mount -t tmpfs -o size=1m,mode=755 none "$1/var/tmp" &&
				mkdir "$1/var/tmp/qrgate-own" &&
				mount --bind -o ro "$(dirname "$2")" "$1/var/tmp/qrgate-own" &&
				exec chroot "$1" ldd "/var/tmp/qrgate-own/$(basename "$2")"' \
				sh "$U" "${1#own:}" 2>&1)
		else
			out=$(ldd "${1#own:}" 2>&1)
		fi;;
	*)	if [ -n "$U" ]; then out=$(chroot "$U" ldd "$1" 2>&1)
		else out=$(ldd "$1" 2>&1); fi;;
	esac
	if printf '%s\n' "$out" | grep -q 'not found'; then
		die "$1: a library is missing: $(printf '%s\n' "$out" | grep 'not found' | head -1)"
	fi
	printf '%s\n' "$out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# src_of PATH: where PATH of the guest is on this machine: in the userland
# when there is one, its links resolved there (an absolute link must not
# lead out of it).
src_of() {
	if [ -n "$U" ]; then
		printf '%s%s\n' "$U" "$(chroot "$U" readlink -e "$1")"
	else
		printf '%s\n' "$1"
	fi
}

# copy_file PATH: copies PATH to the same path in the guest, following
# links.
copy_file() {
	local dst=$STAGE$1 src
	[ -e "$dst" ] && return 0
	src=$(src_of "$1")
	[ -e "$src" ] || die "$1: no such file${U:+ in $U}"
	mkdir -p "$(dirname "$dst")"
	cp -L "$src" "$dst"
}

# copy_program PATH: the program, to /usr/bin, and every library ldd finds
# for it, to the library's own path.  own:PATH: a program of this build.
copy_program() {
	local prog lib libs
	case $1 in
	own:*)	prog=${1#own:};;
	*)	prog=$(src_of "$1");;
	esac
	[ -f "$prog" ] && [ -x "$prog" ] || die "$1: no such program${U:+ in $U}"
	libs=$(libs_of "$1") || exit 2
	# By the name asked for: a link resolved in the userland (arecord
	# is aplay) keeps the name the program answers to.
	cp -L "$prog" "$STAGE/usr/bin/$(basename "${1#own:}")"
	for lib in $libs; do
		copy_file "$lib"
	done
}

# copy_at PATH: a file at its own path in the guest, with the libraries ldd
# finds for it when it is a program or a library.
copy_at() {
	local lib libs
	copy_file "$1"
	libs=$(libs_of "$1") || exit 2
	for lib in $libs; do
		copy_file "$lib"
	done
}

for p in "$@"; do
	case $p in
	at:*)	copy_at "${p#at:}";;
	*)	copy_program "$p";;
	esac
done
# The zone site.timezone names by default: qrgated and the aggregator
# check it against the zoneinfo when they read their config.
copy_file /usr/share/zoneinfo/Asia/Ho_Chi_Minh

# Modules: each wanted one with what it depends on.  The out-of-tree ones
# go to extra/; their dependencies come from Debian's tree.
# VM_EXTRA_MODULES: more, for a tier of its own (the power-cut tier's
# device mapper and ext4).
MODS="configfs vivid 9p 9pnet_virtio virtio_pci virtio_net uinput evdev bochs snd-aloop ${VM_EXTRA_MODULES:-}"
KDIR=/lib/modules/$ABI
want_module() {
	modprobe -S "$ABI" --show-depends "$1" 2>/dev/null |
		awk '$1 == "insmod" { print $2 }'
}
mods=""
for m in $MODS $(modinfo -F depends "$MODDIR/gpio-sim.ko" "$MODDIR/vimc.ko" | tr ',' ' '); do
	found=$(want_module "$m")
	[ -n "$found" ] || modinfo -S "$ABI" -F filename "$m" 2>/dev/null | grep -q '^(builtin)$' ||
		die "module $m not found for $ABI"
	mods="$mods $found"
done
for f in $(printf '%s\n' $mods | sort -u); do
	mkdir -p "$(dirname "$STAGE$f")"
	cp -L "$f" "$STAGE$f"
done
mkdir -p "$STAGE$KDIR/extra"
cp "$MODDIR/gpio-sim.ko" "$MODDIR/vimc.ko" "$STAGE$KDIR/extra/"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$KDIR/$f" ] && cp "$KDIR/$f" "$STAGE$KDIR/"
done
depmod -b "$STAGE" "$ABI" || die "depmod failed"

cp -a "$EXTRA"/. "$STAGE"/

# gzip -1: the guest unpacks it in a fraction of a second either way, and
# this side packs it three times faster than at the default level.
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$OUT"
