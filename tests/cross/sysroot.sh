#!/usr/bin/env bash
# Unpacks a target's libraries and headers into a sysroot, for a target
# whose -dev packages cannot be installed beside the host's through
# multiarch: a Multi-Arch: same package must have the same version for
# every architecture, and Debian 12's armhf security updates can run
# behind amd64's (seen: linux-libc-dev 6.1.192 on amd64, not yet built for
# armhf).  The target's C library comes from the cross compiler's own
# packages, so it is left out here.
# Usage: tests/cross/sysroot.sh ARCH DIR PACKAGE...   (DIR/root is the sysroot)
set -eu
arch=$1 dir=$2
shift 2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
want="$arch $*"
if [ -f "$dir/packages" ] && [ "$(cat "$dir/packages")" = "$want" ]; then
	exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	$SUDO dpkg --add-architecture "$arch"
	$SUDO apt-get update -qq || echo "sysroot: apt-get update had errors; using the indexes that did download"
fi
toolchain='^(libc6|libc6-dev|libc-dev-bin|linux-libc-dev|rpcsvc-proto|libcrypt-dev|libcrypt1|libnsl-dev|libnsl2|libtirpc-dev|libtirpc3|gcc-12-base|libgcc-s1|libstdc\+\+6|libelogind0):'
list=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances $(printf "%s:$arch " "$@") 2>/dev/null |
	grep -v '^ ' | grep ":$arch\$" | grep -Ev "$toolchain" | sort -u)
[ -n "$list" ] || { echo "sysroot: apt knows no $arch packages (is the $arch index there?)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/debs"
(cd "$dir/debs" && apt-get download -qq $list 2>&1 | grep -v 'unsandboxed' || true)
n=0
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "sysroot: no packages downloaded" >&2; exit 1; }
rm -rf "$dir/debs"
echo "$want" >"$dir/packages"
echo "sysroot: $n $arch packages unpacked in $dir/root"
