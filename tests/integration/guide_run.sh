#!/usr/bin/env bash
# Runs docs/site-setup.md as written, inside `unshare --net --mount` (a
# network of its own, where the server's address 192.168.1.10 is on
# loopback).  Usage: guide_run.sh GUIDE BUILD SRCDIR DIR
#
# Each machine of the guide (server, gate-a, gate-b, admin) is a mount
# namespace, entered again for each of its blocks, over directories of
# its own under DIR/machines: /etc/qrgate, /etc/mosquitto, /var/lib/qrgate
# and /var/lib/qrgate-aggregator (the units' StateDirectory=),
# /var/lib/mosquitto, /var/log/mosquitto, /run/qrgate, /run/mosquitto and
# /etc/hosts, /etc/group (with the group qrgate, as the package makes it).
# Played here: `apt install` (checks the package names and that the
# other packages are installed; the deb tier installs the real packages),
# `scp` (a copy into the other machine's directories) and `systemctl`
# (the unit's ExecStart= run in the background, the aggregator with the
# page's files from the tree).  A block tagged `your-camera` runs, then
# the gate gets a file camera and simulated GPIO after it; one tagged
# `retry` is run again until it succeeds, for 20 s (a person showing a
# badge).
set -eu
GUIDE=$1 BUILD=$2 SRCDIR=$3 DIR=$4
M=$DIR/machines
SERVER_IP=192.168.1.10
BINDS="etc/qrgate etc/mosquitto var/lib/qrgate var/lib/qrgate-aggregator var/lib/mosquitto var/log/mosquitto run/qrgate run/mosquitto"

ip link set lo up
ip addr add "$SERVER_IP/32" dev lo

# The programs where the packages put them: on PATH.
mkdir -p "$DIR/bin"
ln -sf "$BUILD/qrgated" "$BUILD/qrgatectl" "$BUILD/qrgate-aggregator" "$DIR/bin/"
export PATH="$DIR/bin:$PATH"

# A fresh machine: what Debian and the packages leave.
machine_init() {
	local m=$M/$1 d
	for d in $BINDS home; do mkdir -p "$m/$d"; done
	cp /etc/hosts "$m/etc/hosts"
	cp /etc/passwd "$m/etc/passwd"
	cp /etc/group "$m/etc/group"
	getent group qrgate >/dev/null || echo "qrgate:x:989:" >>"$m/etc/group"
	# mosquitto's own files, as its package installs them.
	cp /etc/mosquitto/mosquitto.conf "$m/etc/mosquitto/"
	mkdir -p "$m/etc/mosquitto/conf.d"
	chown mosquitto "$m/var/lib/mosquitto" "$m/var/log/mosquitto" "$m/run/mosquitto"
	# qrgate's default config, its conffile.
	cp "$SRCDIR/config/qrgate.conf" "$m/etc/qrgate/"
}

# The mount points, made where this machine has none (removed after).
for d in $BINDS; do
	if [ ! -d "/$d" ]; then
		mkdir -p "/$d"
		echo "/$d" >>"$DIR/made-dirs"
	fi
done
for m in server gate-a gate-b admin; do machine_init "$m"; done

# The shims, sourced by each block's shell.
cat >"$DIR/shims.sh" <<'SHIMS'
apt() {
	local a name
	[ "$1" = install ] || { echo "apt (guide test): only install" >&2; return 1; }
	shift
	for a; do
		case $a in
		-y) ;;
		./*.deb)
			name=${a#./}
			name=${name%%_*}
			case $name in
			qrgate|qrgate-aggregator) echo "$name" >>"$MACHINE_DIR/installed" ;;
			*) echo "apt (guide test): not a package of this tree: $a" >&2; return 1 ;;
			esac ;;
		*) dpkg -s "$a" >/dev/null 2>&1 ||
			{ echo "apt (guide test): $a is not installed here" >&2; return 1; } ;;
		esac
	done
}

scp() {
	local args=() a dest host path
	for a; do [ "$a" = -r ] || args+=("$a"); done
	dest=${args[-1]}
	unset 'args[-1]'
	host=${dest%%:*}
	host=${host#*@}
	path=${dest#*:}
	[ -d "$GUIDE_M/$host" ] || { echo "scp (guide test): no machine $host" >&2; return 1; }
	cp -r "${args[@]}" "$GUIDE_M/$host$path"
}

# unit_start UNIT start|restart|enable: the unit's ExecStartPre= and
# ExecStart=, as its file says.
unit_start() {
	local unit=$1 file line pre=() cmd=() extra=() pid
	case $unit in
	mosquitto) cmd=(mosquitto -c /etc/mosquitto/mosquitto.conf) ;;
	qrgated|qrgate-aggregator)
		file=$GUIDE_SRCDIR/systemd/$unit.service
		line=$(sed -n 's/^ExecStartPre=//p' "$file")
		[ -z "$line" ] || read -ra pre <<<"$line"
		read -ra cmd <<<"$(sed -n 's/^ExecStart=//p' "$file")"
		[ -z "$line" ] || pre[0]=$(basename "${pre[0]}")
		cmd[0]=$(basename "${cmd[0]}")
		[ "$unit" = qrgate-aggregator ] &&
			extra=(-o "web.web_root=$GUIDE_SRCDIR/src/agg/web")
		;;
	*) echo "systemctl (guide test): no unit $unit" >&2; return 1 ;;
	esac
	if [ -f "$MACHINE_DIR/$unit.pid" ] && kill -0 "$(cat "$MACHINE_DIR/$unit.pid")" 2>/dev/null; then
		# start on a running unit does nothing, as systemd's.
		[ "$2" = restart ] || return 0
		kill "$(cat "$MACHINE_DIR/$unit.pid")"
		sleep 0.5
	fi
	[ ${#pre[@]} -eq 0 ] || "${pre[@]}" "${extra[@]}" >/dev/null
	"${cmd[@]}" "${extra[@]}" >>"$MACHINE_DIR/$unit.log" 2>&1 &
	pid=$!
	echo "$pid" >"$MACHINE_DIR/$unit.pid"
	echo "$pid" >>"$GUIDE_DIR/pids"
	# Started, as systemd would report it, or failed.
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || { tail -5 "$MACHINE_DIR/$unit.log" >&2; return 1; }
		case $unit in
		qrgated) qrgatectl -c /etc/qrgate/qrgate.conf status >/dev/null 2>&1 && return 0 ;;
		# The guide's ports: the broker's TLS listener, the page.
		mosquitto) (exec 3<>/dev/tcp/127.0.0.1/8883) 2>/dev/null && return 0 ;;
		qrgate-aggregator) (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && return 0 ;;
		esac
		sleep 0.2
	done
	echo "systemctl (guide test): $unit did not answer" >&2
	tail -5 "$MACHINE_DIR/$unit.log" >&2
	return 1
}

systemctl() {
	local verb=$1 u
	shift
	case $verb in
	enable) [ "${1:-}" = --now ] || return 0; shift ;;
	start|restart) ;;
	*) echo "systemctl (guide test): no $verb" >&2; return 1 ;;
	esac
	for u; do unit_start "${u%.service}" "$verb"; done
}
SHIMS

# run_block MACHINE FILE: the block on that machine, in its own namespace.
run_block() {
	local m=$1 file=$2
	unshare --mount --propagation private -- bash -c '
		set -e
		for d in '"$BINDS"'; do mount --bind "$1/$d" "/$d"; done
		for f in hosts passwd group; do mount --bind "$1/etc/$f" "/etc/$f"; done
		cd "$1/home"
		source "$2/shims.sh"
		set -x
		source "$3"' guide "$M/$m" "$DIR" "$file" >>"$DIR/$m.out" 2>&1
}

export GUIDE_M=$M GUIDE_SRCDIR=$SRCDIR GUIDE_DIR=$DIR
cleanup() {
	[ -f "$DIR/pids" ] && xargs -r kill <"$DIR/pids" 2>/dev/null
	sleep 0.5
	[ -f "$DIR/made-dirs" ] && xargs -r rmdir <"$DIR/made-dirs" 2>/dev/null
	true
}
trap cleanup EXIT

# The blocks, in order: ```sh MACHINE [TAG] ... ```.
awk -v dir="$DIR/blocks" '
	/^```sh / { n++; f = sprintf("%s/%02d-%s", dir, n, $2 (NF > 2 ? "." $3 : "")); next }
	/^```/ { f = ""; next }
	f != "" { print > f }' "$GUIDE" 2>/dev/null || true
ls "$DIR/blocks" >/dev/null
for file in "$DIR"/blocks/*; do
	name=${file##*/}
	m=${name#*-}
	m=${m%%.*}
	tag=${name#*.}
	[ "$tag" = "$name" ] && tag=""
	export MACHINE_DIR=$M/$m
	echo "== block $name" >>"$DIR/$m.out"
	case $tag in
	retry)
		ok=0
		for _ in $(seq 1 20); do
			if run_block "$m" "$file"; then ok=1; break; fi
			sleep 1
		done
		[ $ok -eq 1 ] || { echo "block $name failed for 20 s"; tail -15 "$DIR/$m.out"; exit 1; } ;;
	*)
		run_block "$m" "$file" || { echo "block $name failed"; tail -15 "$DIR/$m.out"; exit 1; } ;;
	esac
	if [ "$tag" = your-camera ]; then
		case $m in
		gate-a) img=badge-W0001.png ;;
		*) img=badge-W0002.png ;;
		esac
		cat >>"$M/$m/etc/qrgate/qrgate.conf" <<EOF
# The guide test's camera and GPIO, in place of the gate's own.
[camera]
backend = file
source = $SRCDIR/images/$img
loop = true
fps = 4
[gpio]
backend = sim
sim_log = /run/qrgate/gpio.log
sim_input = /run/qrgate/gpio.in
EOF
	fi
done

# What the guide promises, seen from outside it.
on() { local m=$1; shift; unshare --mount -- bash -c '
	for d in '"$BINDS"'; do mount --bind "$1/$d" "/$d"; done
	for f in hosts passwd group; do mount --bind "$1/etc/$f" "/etc/$f"; done
	shift; "$@"' guide "$M/$m" "$@"; }
for g in gate-a gate-b; do
	st=$(on "$g" qrgatectl -c /etc/qrgate/qrgate.conf status --json)
	jq -e '.mqtt.state == "connected"' <<<"$st" >/dev/null ||
		{ echo "$g: not connected: $(jq -c .mqtt <<<"$st")"; exit 1; }
	echo "$g: $(jq -c '{mqtt: .mqtt.state, creds: .credentials}' <<<"$st")"
done
on server qrgate-aggregator -c /etc/qrgate/aggregator.conf gates >"$DIR/gates.txt"
cat "$DIR/gates.txt"
for _ in $(seq 1 40); do
	on server qrgate-aggregator -c /etc/qrgate/aggregator.conf events --json >"$DIR/events.json"
	jq -e 'any(.[]; .gate == "gate-b" and .result == "granted")' "$DIR/events.json" >/dev/null && break
	sleep 0.5
done
jq -r '.[] | [.gate, .direction, .credential_id, .result, .reason] | @tsv' "$DIR/events.json" | sort | uniq -c
echo "guide: every block ran"
