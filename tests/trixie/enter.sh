#!/usr/bin/env bash
# Runs a command in the Debian 13 root (tests/trixie/root.sh), in the
# source tree, which it sees at the same path as here: builds and test
# output land in this tree's build/ directory.
#
#   tests/trixie/enter.sh ROOT COMMAND...
#
# A private mount namespace (unshare) holds the root's /proc, /dev, /sys,
# a fresh /tmp and the tree's bind mount, so nothing is left mounted when
# the command ends, however it ends.  ../shared, beside the tree, is
# mounted too when it is there (the QR photo corpus).  Needs root.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 ROOT COMMAND..." >&2; exit 2; }
ROOT=$(cd "$1" && pwd)
shift
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=
[ -d "$SRC/../shared" ] && SHARED=$(cd "$SRC/../shared" && pwd -P)
[ "$(id -u)" = 0 ] || { echo "trixie: entering the root needs root" >&2; exit 2; }

# The quoted command, for the shell inside.
cmd=$(printf '%q ' "$@")
exec unshare --mount --propagation private -- /bin/sh -eu -c '
	ROOT=$1 SRC=$2 SHARED=$3 CMD=$4
	# The root a mount point of its own, so that "/" inside is one: a
	# test may make its mounts private there (unshare --mount).
	mount --bind "$ROOT" "$ROOT"
	mount -t proc proc "$ROOT/proc"
	mount --rbind /dev "$ROOT/dev"
	mount --rbind /sys "$ROOT/sys"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
	mkdir -p "$ROOT$SRC"
	mount --bind "$SRC" "$ROOT$SRC"
	if [ -n "$SHARED" ]; then
		mkdir -p "$ROOT$(dirname "$SRC")/shared"
		mount --bind "$SHARED" "$ROOT$(dirname "$SRC")/shared"
	fi
	exec chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
		ONLY="${ONLY:-}" /bin/bash -c "cd $SRC && $CMD"
' sh "$ROOT" "$SRC" "$SHARED" "$cmd"
