#!/usr/bin/env bash
# Makes a Debian root with mmdebstrap, as tests/trixie/root.sh does, for
# the package tier: a Debian 12 root the packages are installed in
# (tests/deb/run.sh), and cross-build roots where dpkg-buildpackage -a
# ARCH finds every build-dependency installed for ARCH (multiarch), which
# this machine cannot hold beside its own -dev packages (libpq-dev and
# libzbar-dev are not Multi-Arch: same).
#
#   tests/deb/root.sh DIR SUITE ARCHS PACKAGE...
#
# The root is DIR/root (ARCHS: amd64, or amd64,arm64 ...).  DIR/packages
# keeps what it was made with: while that is the same the root is kept;
# otherwise it is made again in DIR/root.new, renamed into place only when
# complete.  Only the suite itself is used (no security or updates
# archive), so that every architecture's packages are of one version.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 DIR SUITE ARCHS PACKAGE..." >&2; exit 2; }
DIR=$1 SUITE=$2 ARCHS=$3
shift 3
want=$(printf '%s\n' "$SUITE" "$ARCHS" "$@" | LC_ALL=C sort -u)
if [ -f "$DIR/packages" ] && [ "$(cat "$DIR/packages")" = "$want" ] &&
   [ -x "$DIR/root/usr/bin/apt-get" ]; then
	echo "deb root: $DIR/root is up to date"
	exit 0
fi
command -v mmdebstrap >/dev/null || { echo "deb root: mmdebstrap is not installed (make deps)" >&2; exit 2; }

# The Debian mirror apt reads here (the first that serves the main archive).
MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
	awk '$2 !~ /-(security|updates|backports)$/ { print $1; exit }')
[ -n "$MIRROR" ] || { echo "deb root: no Debian mirror found in apt's sources" >&2; exit 2; }

include=$(printf '%s,' "$@")
mkdir -p "$DIR"
rm -rf "$DIR/root.new" "$DIR/root.old"
echo "deb root: making $DIR/root ($SUITE, $ARCHS, $# packages) from $MIRROR"
t0=$SECONDS
mmdebstrap --quiet --variant=apt --architectures="$ARCHS" --components=main \
	--include="${include%,}" "$SUITE" "$DIR/root.new" "$MIRROR"
[ -d "$DIR/root" ] && mv "$DIR/root" "$DIR/root.old"
mv "$DIR/root.new" "$DIR/root"
rm -rf "$DIR/root.old"
printf '%s\n' "$want" >"$DIR/packages"
echo "deb root: made in $((SECONDS - t0)) s"
