# The documents beside the code: the README stays one a newcomer reads in
# five minutes, every link in it and in docs/ leads to a file that is
# there, and the token test vectors that docs/tokens.md publishes are the
# ones tests/unit/test_token.c asserts.  Needs no build.

test_docs_readme_short() {
	local n

	n=$(wc -l <"$SRCDIR/README.md")
	echo "    README.md: $n lines"
	[ "$n" -lt 320 ] || { echo "    README.md has $n lines: 320 or more"; return 1; }
}

# Every relative Markdown link ("](path)" or "](path#anchor)") of
# README.md and docs/*.md names a file or folder that exists.
test_docs_links() {
	local f link target n=0 bad=0

	for f in "$SRCDIR"/README.md "$SRCDIR"/docs/*.md; do
		for link in $(grep -oE '\]\([^)#[:space:]]+(#[^)]*)?\)' "$f" |
		    sed 's/^](//; s/)$//; s/#.*$//'); do
			case $link in
			*://*|mailto:*) continue ;;
			esac
			n=$((n + 1))
			target="$(dirname "$f")/$link"
			if [ ! -e "$target" ]; then
				echo "    ${f#"$SRCDIR"/}: link to '$link', which is not there"
				bad=1
			fi
		done
	done
	echo "    $n links"
	[ $n -gt 0 ] || { echo "    no links found"; return 1; }
	return $bad
}

# The value of "#define NAME" in test_token.c: its string literals, over
# its continuation lines, joined.
token_vector() {
	awk -v name="$1" '
		$1 == "#define" && $2 == name { on = 1 }
		on { line = $0
			while (match(line, /"[^"]*"/)) {
				v = v substr(line, RSTART + 1, RLENGTH - 2)
				line = substr(line, RSTART + RLENGTH)
			}
			if ($0 !~ /\\$/) { print v; exit } }' \
		"$SRCDIR/tests/unit/test_token.c"
}

test_docs_token_vectors() {
	local name v bad=0 doc="$SRCDIR/docs/tokens.md"

	for name in ISSUER_PK_HEX ISSUER_PK_B64 WORKER_PK_HEX WORKER_PK_B64 \
	    BADGE_TEXT BADGE_BODY_HEX DYNAMIC_TEXT DYNAMIC_BODY_HEX \
	    DESK_PK_HEX DESK_PK_B64 VISITOR_TEXT VISITOR_BODY_HEX; do
		v=$(token_vector "$name")
		if [ -z "$v" ]; then
			echo "    test_token.c has no #define $name"
			bad=1
		elif ! grep -qF -- "$v" "$doc"; then
			echo "    docs/tokens.md lacks $name, '$v', as test_token.c asserts it"
			bad=1
		fi
	done
	return $bad
}
