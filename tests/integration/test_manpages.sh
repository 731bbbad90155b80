# The man pages beside the code: mandoc finds nothing wrong with them, and
# they keep up with the programs: every setting `qrgated -E` prints has its
# entry in qrgate.conf(5), every command qrgatectl's usage lists has its
# entry in qrgatectl(1), and every option, command and setting of
# qrgate-aggregator has its entry in qrgate-aggregator(8).  Needs mandoc
# (the Debian package mandoc).

MANPAGES="src/qrgated/qrgated.8 src/qrgatectl/qrgatectl.1 src/qrgated/qrgate.conf.5 src/agg/qrgate-aggregator.8"

test_manpages_lint() {
	local page out rc bad=0
	command -v mandoc >/dev/null || { echo "mandoc missing (Debian package mandoc)"; return 1; }
	for page in $MANPAGES; do
		# Style suggestions (a page it cannot find for .Xr) pass;
		# warnings, errors and unsupported requests fail.
		rc=0
		out=$(mandoc -T lint -W warning "$SRCDIR/$page" 2>&1) || rc=$?
		if [ $rc -ne 0 ] || [ -n "$out" ]; then
			echo "    $page: mandoc -T lint exited $rc:"
			echo "$out" | sed 's/^/      /'
			bad=1
		fi
		# The page renders to text that starts with its own title.
		out=$(mandoc -T ascii "$SRCDIR/$page" 2>/dev/null | head -1)
		page=${page##*/}
		expect_grep "^$(echo "${page%.*}" | tr a-z A-Z)(${page##*.})" <(echo "$out") || bad=1
	done
	return $bad
}

# The settings of `PROGRAM -E` (qrgated by default), one "section.key" a
# line.
manpage_settings() {
	"$BUILD/${1:-qrgated}" -E | awk '
		/^\[[a-z_]+\]$/ { section = substr($0, 2, length($0) - 2); next }
		/^[a-z_0-9]+ =/ { print section "." $1 }'
}

# The heads of a page's list items that name a command: ".It Cm cred del
# Ar id", or ".It Xo" then ".Cm cred add", give "cred del Ar id" and
# "cred add".
manpage_items() {
	awk '/^\.It Cm / { sub(/^\.It Cm /, ""); print; xo = 0; next }
		xo && /^\.Cm / { sub(/^\.Cm /, ""); print }
		{ xo = /^\.It Xo$/ }' "$1"
}

test_manpage_lists_every_setting() {
	local conf="$SRCDIR/src/qrgated/qrgate.conf.5" ctl="$SRCDIR/src/qrgatectl/qrgatectl.1"
	local keys key n=0 bad=0 usage cmds cmd sub items d="$WORK/manpages"

	keys=$(manpage_settings)
	for key in $keys; do
		n=$((n + 1))
		if [[ $key != [a-z]*.[a-z]* ]]; then
			echo "    qrgated -E: setting '$key' outside any [section]"
			bad=1
		elif ! grep -qxF ".It Cm $key" "$conf"; then
			echo "    qrgate.conf.5 lacks '.It Cm $key'"
			bad=1
		fi
	done
	[ $n -gt 0 ] || { echo "    qrgated -E printed no settings"; return 1; }
	# And no entry for a setting that is gone.
	for key in $(sed -n 's/^\.It Cm \([a-z_]*\.[a-z_0-9]*\)$/\1/p' "$conf"); do
		if ! grep -qxF "$key" <<<"$keys"; then
			echo "    qrgate.conf.5 documents '$key', which qrgated -E does not print"
			bad=1
		fi
	done
	echo "    $n settings"

	# The commands: "  NAME ..." lines of the usage.
	usage=$("$BUILD/qrgatectl" 2>&1 || true)
	cmds=$(awk '/^  [a-z]/ { print $1 }' <<<"$usage")
	[ -n "$cmds" ] || { echo "    no commands in qrgatectl's usage: $usage"; return 1; }
	# Each command's own usage names its subcommands ("qrgatectl cred
	# add ...").  Run without arguments, against a database and a
	# socket that do not exist, so nothing real is touched.
	mkdir -p "$d"
	items=$(manpage_items "$ctl")
	for cmd in $cmds; do
		if ! grep -Eq "^$cmd( |$)" <<<"$items"; then
			echo "    qrgatectl.1 lacks the command '$cmd' (.It Cm $cmd)"
			bad=1
		fi
		usage=$("$BUILD/qrgatectl" -c /dev/null -o store.path="$d/none.db" \
			-o control.socket="$d/none.sock" "$cmd" 2>&1 </dev/null || true)
		for sub in $(sed -n "s/.*qrgatectl $cmd \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p" <<<"$usage"); do
			if ! grep -Eq "^$cmd $sub( |$)" <<<"$items"; then
				echo "    qrgatectl.1 lacks '$cmd $sub' (.It Cm $cmd $sub)"
				bad=1
			fi
		done
	done
	[ -e "$d/none.db" ] && { echo "    a usage run created a database"; bad=1; }
	return $bad
}

# qrgate-aggregator(8) against the program: every option and long option
# its usage names, every command it lists, and every setting `-E` prints,
# each has its entry; and the page has no entry for a setting or command
# that is gone.
test_manpage_aggregator() {
	local page="$SRCDIR/src/agg/qrgate-aggregator.8" agg="$BUILD/qrgate-aggregator"
	local usage keys key items opts cmds o c n=0 bad=0

	[ -x "$agg" ] || skip_test "no $agg (it needs libpq-dev, libmicrohttpd-dev and libcairo2-dev)"
	keys=$(manpage_settings qrgate-aggregator)
	for key in $keys; do
		n=$((n + 1))
		if [[ $key != [a-z]*.[a-z]* ]]; then
			echo "    qrgate-aggregator -E: setting '$key' outside any [section]"
			bad=1
		elif ! grep -qxF ".It Cm $key" "$page"; then
			echo "    qrgate-aggregator.8 lacks '.It Cm $key'"
			bad=1
		fi
	done
	[ $n -gt 0 ] || { echo "    qrgate-aggregator -E printed no settings"; return 1; }
	for key in $(sed -n 's/^\.It Cm \([a-z_]*\.[a-z_0-9]*\)$/\1/p' "$page"); do
		if ! grep -qxF "$key" <<<"$keys"; then
			echo "    qrgate-aggregator.8 documents '$key', which qrgate-aggregator -E does not print"
			bad=1
		fi
	done
	echo "    $n settings"

	# -h is no option: the program prints its usage and exits 2.
	usage=$("$agg" -h 2>&1 || true)
	# Short options: "-d", "[-c file]", "-n ... | -E" in the usage lines.
	opts=$(grep -oE '(^|[][ |])-[A-Za-z]+' <<<"$usage" | sed 's/^.*-//' | fold -w1 | sort -u)
	[ -n "$opts" ] || { echo "    no options in qrgate-aggregator's usage: $usage"; return 1; }
	for o in $opts; do
		if ! grep -Eq "^\.It Fl $o( |$)" "$page"; then
			echo "    qrgate-aggregator.8 lacks the option -$o (.It Fl $o)"
			bad=1
		fi
	done
	# Long options: each is given somewhere as "Fl -name".
	for o in $(grep -oE -- '--[a-z][a-z-]*' <<<"$usage" | sort -u); do
		if ! grep -Eq "Fl -${o#--}( |$)" "$page"; then
			echo "    qrgate-aggregator.8 lacks the option $o (Fl $o)"
			bad=1
		fi
	done
	# Commands: the first word of each line after "commands:", and each
	# word after a "|" in those lines ("gates | alarms [--all] | gaps").
	cmds=$(sed -n '/^commands:/,$p' <<<"$usage" | awk '
		/^  [a-z]/ { print $1
			for (i = 2; i < NF; i++)
				if ($i == "|" && $(i + 1) ~ /^[a-z]/) print $(i + 1) }' | sort -u)
	[ -n "$cmds" ] || { echo "    no commands in qrgate-aggregator's usage: $usage"; return 1; }
	items=$(manpage_items "$page")
	for c in $cmds; do
		if ! grep -Eq "^$c( |$)" <<<"$items"; then
			echo "    qrgate-aggregator.8 lacks the command '$c' (.It Cm $c)"
			bad=1
		fi
	done
	for c in $(awk '$1 !~ /\./ { print $1 }' <<<"$items" | sort -u); do
		if ! grep -qxF "$c" <<<"$cmds"; then
			echo "    qrgate-aggregator.8 documents the command '$c', which the usage does not list"
			bad=1
		fi
	done
	echo "    options: $(echo $opts), commands: $(echo $cmds)"
	return $bad
}
