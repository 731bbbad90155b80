#!/bin/sh
# Runs in the guest that tests/deb/boot.sh boots (Debian 12, systemd,
# qrgate installed from its .deb), as a unit after qrgated.service, once
# a boot: writes "qrgate-vm: ..." lines to the console for boot.sh to
# judge.  First boot: qrgated active, then a reboot.  Second boot: active
# again, the fire alarm (sim GPIO input) energises the entry relay,
# `systemctl stop` de-energises it (fail-secure), then a power-off.
say() { echo "qrgate-vm: $*" >/dev/ttyS0; }
STATE=/var/lib/qrgate-vmcheck
mkdir -p $STATE
n=$(( $(cat $STATE/boots 2>/dev/null || echo 0) + 1 ))
echo $n >$STATE/boots
sync

# READY=1 comes once camera, GPIO and database are up (Type=notify).
i=0
while [ $i -lt 90 ] && ! systemctl is-active --quiet qrgated; do sleep 1; i=$((i + 1)); done
say "boot $n is-active $(systemctl is-active qrgated)"
say "boot $n is-enabled $(systemctl is-enabled qrgated)"
say "boot $n user $(ps -o user= -C qrgated)"
say "boot $n restarts $(systemctl show -p NRestarts --value qrgated)"
say "boot $n aggregator $(systemctl is-active qrgate-aggregator) $(systemctl show -p NRestarts --value qrgate-aggregator)"
say "boot $n owners $(stat -c %U /var/lib/qrgate/qrgate.db | sort -u)"
relay() { awk '$2 == "entry_relay" { v = $3 } END { print v }' /var/lib/qrgate/gpio.log; }
if [ $n -eq 1 ]; then
	say "boot 1 rebooting"
	systemctl reboot
	exit 0
fi
echo "fire_alarm 1" >/var/lib/qrgate/gpio.in
sleep 2
say "boot $n alarm entry_relay $(relay)"
systemctl stop qrgated
say "boot $n stopped $(systemctl is-active qrgated) entry_relay $(relay)"
stopped() { journalctl -b "$1" -u qrgated -o cat | grep -c 'relays de-energised'; }
say "boot $n journal $(stopped -1) $(stopped 0)"
say "done"
systemctl poweroff
