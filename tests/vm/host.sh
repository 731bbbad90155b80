# What the host side of the qemu tiers (tests/vm, tests/powercut) shares.

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# host_broker_start WORK: a Mosquitto broker on a free loopback port, for
# the guest to reach at 10.0.2.2; sets PORT and BROKER_PID (the caller
# kills it).  Its config and log are in WORK.  1 when none would start.
host_broker_start() {
	local try i
	for try in 1 2 3 4 5; do
		PORT=$(( 20000 + (RANDOM * 7 + $$) % 30000 ))
		port_free "$PORT" || continue
		printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$PORT" >"$1/mosquitto.conf"
		mosquitto -c "$1/mosquitto.conf" >"$1/mosquitto.log" 2>&1 &
		BROKER_PID=$!
		for i in $(seq 1 100); do
			port_open "$PORT" && break
			kill -0 "$BROKER_PID" 2>/dev/null || break
			sleep 0.05
		done
		port_open "$PORT" && return 0
		kill "$BROKER_PID" 2>/dev/null
		BROKER_PID=""
	done
	return 1
}

# vm_boot TIMEOUT CACHE ABI INITRAMFS SHARE CONSOLE [QEMU_ARGS...]: Debian's
# kernel under TCG (nested KVM on these machines cannot run a guest; the
# ELF vmlinux boots directly, through qemu's PVH entry), the share at
# /host, the console into CONSOLE without its CRs.  A dying /init panics,
# and panic=-1 with -no-reboot ends qemu; timeout bounds everything else.
# Returns qemu's status (124 or 137: stopped at TIMEOUT).  VM_ACCEL,
# VM_APPEND: as tests/vm/run.sh says; VM_CMDLINE: more kernel arguments
# the tier itself needs.
vm_boot() {
	local timeout=$1 cache=$2 abi=$3 initrd=$4 share=$5 console=$6
	shift 6
	timeout -k 5 "$timeout" qemu-system-x86_64 -accel "${VM_ACCEL:-tcg}" -m 768 -smp 2 \
		-kernel "$cache/$abi/vmlinux" -initrd "$initrd" \
		-append "console=ttyS0 ${VM_APPEND:-quiet} panic=-1 ${VM_CMDLINE:-}" \
		-nographic -no-reboot -monitor none -serial stdio \
		-nic user,model=virtio-net-pci \
		-virtfs "local,path=$share,mount_tag=hostshare,security_model=none" \
		"$@" </dev/null 2>&1 | tr -d '\r' >"$console"
	return "${PIPESTATUS[0]}"
}

# screen_dumps PIPE DIR: serves the guest's requests for what its display
# shows: for each DIR/NAME.dump-req, QMP's screendump into DIR/NAME.ppm,
# then DIR/NAME.dump-done.  PIPE.in and PIPE.out are the FIFOs of qemu's
# "-chardev pipe,path=PIPE" QMP monitor (qemu opens both read-write, so
# these opens wait for qemu, never the other way).  Runs until killed.
screen_dumps() {
	local req name line
	exec 7>"$1.in" 8<"$1.out"
	# The greeting, then capabilities negotiation.
	read -r -t 60 -u 8 line || return 1
	echo '{"execute":"qmp_capabilities"}' >&7
	read -r -t 10 -u 8 line || return 1
	while :; do
		for req in "$2"/*.dump-req; do
			[ -e "$req" ] || continue
			name=$(basename "$req" .dump-req)
			printf '{"execute":"screendump","arguments":{"filename":"%s"}}\n' \
				"$2/$name.ppm" >&7
			# Replies and events come one a line; the command's
			# reply has "return" or "error".
			while read -r -t 20 -u 8 line; do
				echo "$name: $line"
				case $line in *'"return"'*|*'"error"'*) break;; esac
			done
			mv "$req" "$2/$name.dump-done"
		done
		sleep 0.05
	done
}
