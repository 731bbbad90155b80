#!/usr/bin/env bash
# The package tier's steps inside the Debian 12 root (tests/deb/run.sh
# enters it): install the previous release, edit its config, upgrade to
# this one, check what the packages promise, purge, and check that
# nothing is left.  One line per check, "ok - ..." or "FAIL - ...".
#
#   tests/deb/inside.sh PREV_DIR PREV_VERSION CUR_DIR CUR_VERSION
set -u
PREV=$1 PREV_V=$2 CUR=$3 CUR_V=$4
export DEBIAN_FRONTEND=noninteractive
PKGS="qrgate qrgate-aggregator"
EDIT="id = gate-east-7"
fails=0

ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
check() {	# check WHAT COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then ok "$what"; else fail "$what"; sed 's/^/    /' /tmp/check.out | tail -n 20; fi
}
version_is() {	# version_is PACKAGE VERSION
	[ "$(dpkg-query -W -f='${Status} ${Version}' "$1")" = "install ok installed $2" ]
}
enabled() {	# enabled UNIT: the wants link, and systemctl's offline answer
	[ -L "/etc/systemd/system/multi-user.target.wants/$1" ] &&
		[ "$(systemctl is-enabled "$1")" = enabled ]
}
apt_install() {	# apt_install DEB...: as docs/install.md says, never a prompt
	apt-get install -y "$@" </dev/null
}

# 1. The previous release, as a site has it.
check "apt install the previous release ($PREV_V)" \
	apt_install "$PREV/qrgate_${PREV_V}_"*.deb "$PREV/qrgate-aggregator_${PREV_V}_"*.deb
for p in $PKGS; do check "$p $PREV_V installed" version_is "$p" "$PREV_V"; done
check "the qrgate user exists" getent passwd qrgate
check "qrgate is in group gpio" sh -c 'id -nG qrgate | grep -qw gpio'
# The admin's edit of the conffile, and a database as the service makes.
check "edit /etc/qrgate/qrgate.conf" sed -i "s/^id = gate1\$/$EDIT/" /etc/qrgate/qrgate.conf
check "the edit is in place" grep -qx "$EDIT" /etc/qrgate/qrgate.conf

# 2. The upgrade: the edit kept, without a question.
check "apt install this release ($CUR_V) over it" \
	apt_install "$CUR/qrgate_${CUR_V}_"*.deb "$CUR/qrgate-aggregator_${CUR_V}_"*.deb
for p in $PKGS; do check "$p $CUR_V installed" version_is "$p" "$CUR_V"; done
check "the edited qrgate.conf survived the upgrade" grep -qx "$EDIT" /etc/qrgate/qrgate.conf
check "no .dpkg-new/.dpkg-dist/.dpkg-old beside it" \
	sh -c '! ls /etc/qrgate | grep -q "\.dpkg-"'
check "qrgate.conf is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" qrgate | grep -q "/etc/qrgate/qrgate.conf "'
check "aggregator.conf is a conffile" \
	sh -c 'dpkg-query -W -f="\${Conffiles}" qrgate-aggregator | grep -q "/etc/qrgate/aggregator.conf "'
check "the qrgate user still exists" getent passwd qrgate
check "qrgated.service installed" test -f /lib/systemd/system/qrgated.service
check "qrgated.service enabled" enabled qrgated.service
check "qrgate-aggregator.service installed" test -f /lib/systemd/system/qrgate-aggregator.service
check "qrgate-aggregator.service enabled" enabled qrgate-aggregator.service
check "the aggregator's package makes group qrgate (its key's group)" \
	sh -c 'dpkg -L qrgate-aggregator | grep -qx /usr/lib/sysusers.d/qrgate-aggregator.conf && getent group qrgate'
check "the aggregator's unit has group qrgate" \
	grep -qx SupplementaryGroups=qrgate /lib/systemd/system/qrgate-aggregator.service
check "the units run the packaged programs" \
	grep -q '^ExecStart=/usr/sbin/qrgated -c /etc/qrgate/qrgate.conf$' /lib/systemd/system/qrgated.service
check "the udev rule installed" test -f /usr/lib/udev/rules.d/60-qrgate-gpio.rules
check "the man pages installed" test -f /usr/share/man/man8/qrgated.8.gz -a \
	-f /usr/share/man/man1/qrgatectl.1.gz -a -f /usr/share/man/man5/qrgate.conf.5.gz -a \
	-f /usr/share/man/man8/qrgate-aggregator.8.gz
check "qrgated -V says $CUR_V" sh -c "qrgated -V | grep -qx 'qrgated ${CUR_V%-*}'"
check "qrgated --help" sh -c 'qrgated --help | grep -q "^usage: qrgated"'
check "qrgatectl --help" sh -c 'qrgatectl --help | grep -q "usage"'
check "qrgate-aggregator --help" sh -c 'qrgate-aggregator --help | grep -q "usage"'
check "the packaged aggregator.conf passes qrgate-aggregator -n" \
	qrgate-aggregator -n -c /etc/qrgate/aggregator.conf
check "the page is where web_root points" test -f /usr/share/qrgate/web/index.html

# 3. Purge: the config, the units' links, the state and every file gone.
files=$(dpkg -L $PKGS | sort -u)
# The state systemd would have made: the gate's, and the aggregator's
# (a DynamicUser's, in /var/lib/private behind a link).
mkdir -p /var/lib/qrgate /var/lib/private/qrgate-aggregator
echo x >/var/lib/qrgate/qrgate.db
echo x >/var/lib/private/qrgate-aggregator/aggregator.db
ln -s private/qrgate-aggregator /var/lib/qrgate-aggregator
check "apt purge" sh -c "apt-get purge -y $PKGS </dev/null"
for p in $PKGS; do
	check "$p not installed" sh -c "! dpkg-query -W -f='\${Status}' $p 2>/dev/null | grep -q installed"
done
check "/etc/qrgate is gone" test ! -e /etc/qrgate
check "/var/lib/qrgate is gone" test ! -e /var/lib/qrgate
check "/var/lib/qrgate-aggregator and its private directory are gone" \
	test ! -e /var/lib/qrgate-aggregator -a ! -L /var/lib/qrgate-aggregator -a ! -e /var/lib/private/qrgate-aggregator
left=
for f in $files; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	# A directory stays when other files are in it (/usr/share/man, and
	# /lib, a link to usr/lib); one of ours left empty is a leftover.
	[ -d "$f" ] && [ -n "$(ls -A "$f")" ] && continue
	left="$left $f"
done
check "no file of the packages is left" test -z "$left"
[ -z "$left" ] || echo "    left:$left"
stray=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path "$(pwd)" \) -prune -o \
	\( -name '*qrgate*' -print \) 2>/dev/null)
check "no file named *qrgate* anywhere (unit links, state)" test -z "$stray"
[ -z "$stray" ] || printf '    %s\n' $stray

echo "inside: $fails failed"
[ $fails -eq 0 ]
