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
