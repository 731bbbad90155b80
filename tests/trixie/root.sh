#!/usr/bin/env bash
# Makes the Debian 13 (trixie) root that CI builds and tests qrgate in: the
# userland of today's Raspberry Pi OS (libgpiod 2, libcamera 0.4,
# zxing-cpp 2), from the mirror this machine's apt already uses.
#
#   tests/trixie/root.sh DIR PACKAGE...
#
# The root is DIR/root, made by mmdebstrap with PACKAGE... (a name:arm64
# enables arm64 beside amd64).  DIR/packages keeps the list it was made
# with: while that list is the same the root is kept, and when it changes
# the root is made again (into a new directory, renamed into place only
# when complete, so an interrupted run never leaves half a root behind).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR PACKAGE..." >&2; exit 2; }
DIR=$1
shift
SUITE=trixie
want=$(printf '%s\n' "$SUITE" "$@" | LC_ALL=C sort -u)
if [ -f "$DIR/packages" ] && [ "$(cat "$DIR/packages")" = "$want" ] &&
   [ -x "$DIR/root/usr/bin/make" ]; then
	echo "trixie root: $DIR/root is up to date"
	exit 0
fi
command -v mmdebstrap >/dev/null || { echo "trixie root: mmdebstrap is not installed (make deps-trixie)" >&2; exit 2; }

# The Debian mirror apt reads here (the first that serves the main archive).
MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
	awk '$2 !~ /-(security|updates|backports)$/ { print $1; exit }')
[ -n "$MIRROR" ] || { echo "trixie root: no Debian mirror found in apt's sources" >&2; exit 2; }

archs=amd64
case " $* " in *:arm64*) archs=amd64,arm64 ;; esac
include=$(printf '%s,' "$@")
mkdir -p "$DIR"
rm -rf "$DIR/root.new" "$DIR/root.old"
echo "trixie root: making $DIR/root from $MIRROR ($archs, $# packages)"
t0=$SECONDS
mmdebstrap --quiet --variant=apt --architectures="$archs" --components=main \
	--include="${include%,}" "$SUITE" "$DIR/root.new" "$MIRROR"
[ -d "$DIR/root" ] && mv "$DIR/root" "$DIR/root.old"
mv "$DIR/root.new" "$DIR/root"
rm -rf "$DIR/root.old"
printf '%s\n' "$want" >"$DIR/packages"
echo "trixie root: made in $((SECONDS - t0)) s"
