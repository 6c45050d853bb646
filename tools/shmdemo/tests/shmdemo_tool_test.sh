#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# shmdemo_tool_test.sh - TAP tests of the shmdemo(1) command-line tool
# against the loaded module: ls/stat/create/rm/resize/lock, attach and the
# residency map (text, JSON, SVG, PNG) checked against the expected picture
# after touching known pages, the article's records, trace (root), rm --all
# (which runs only when every segment on the device is this script's), and
# the exit codes (0 ok, 1 failed, 2 usage).
#
# Cases SKIP when /dev/shmdemo is absent, except those in NODEV_TESTS.  The tool is $SHMDEMO, else
# ../shmdemo next to this directory, else ./shmdemo, else shmdemo in PATH.
# Exit status: 0 if every case passed or skipped, 1 otherwise.
#
# The t_* cases are called by name from the list at the end, which
# the linter can't follow:
# shellcheck disable=SC2317

HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${SHMDEMO:-}" ]; then
	for c in "$HERE/../shmdemo" "$HERE/shmdemo" "$(command -v shmdemo 2>/dev/null)"; do
		if [ -n "$c" ] && [ -f "$c" ] && [ -x "$c" ]; then
			SHMDEMO=$c
			break
		fi
	done
fi
DEV=/dev/shmdemo
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shmdemo-tool-test.XXXXXX") || exit 1
KEY=$(printf '0x5d%06x' $(($$ % 16777216)))	# unique per run
PG=$(getconf PAGESIZE)
ID=		# the 8-page segment most cases work on
# Every segment created, for cleanup: a file, since new_seg runs in $(...).
IDS=$TMP/ids
: >"$IDS"
PIDS=		# background holders, for cleanup

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	while read -r i; do "$SHMDEMO" rm "$i" 2>/dev/null; done <"$IDS"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- helpers (shell functions share variables: each case uses its own) ---
say() { printf '# %s\n' "$@"; }
# Show a file's content as TAP diagnostics.
show() { sed 's/^/#   /' "$1"; }
sd() { "$SHMDEMO" "$@"; }
# FILE ERE...: every extended regex matches some line of FILE; one process
# for all of them (a process costs ~60 ms under the test VM's emulation).
lines_match() {
	f=$1
	shift
	awk 'BEGIN { for (i = 1; i < ARGC; i++) re[i] = ARGV[i]; n = ARGC - 1; ARGC = 1 }
	     { for (i = 1; i <= n; i++) if ($0 ~ re[i]) hit[i] = 1 }
	     END { bad = 0; for (i = 1; i <= n; i++) if (!hit[i]) { print "# no line matching \047" re[i] "\047"; bad = 1 }
		   exit bad }' "$@" <"$f"
}
# Run the tool, keep stdout in $TMP/out and stderr in $TMP/err, status in $RC.
run() {
	"$SHMDEMO" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}
expect_rc() {	# WANT CMD...: run, check the status
	want=$1
	shift
	run "$@"
	if [ "$RC" != "$want" ]; then
		say "shmdemo $*: exit $RC, want $want"
		show "$TMP/err"
		return 1
	fi
	return 0
}
have() { command -v "$1" >/dev/null 2>&1; }
# The first row of the map without its offset ("0 ").
map_row0() { sd map "$1" --no-color | sed -n 's/^ *0 //p'; }
expect_map() {	# ID WANT
	got=$(map_row0 "$1")
	[ "$got" = "$2" ] && return 0
	say "map $1: got '$got', want '$2'"
	sd map "$1" --no-color | sed 's/^/#   /'
	return 1
}
new_seg() {	# SIZE [create options]: print the id of a new private segment
	s=$1
	shift
	i=$(sd create --size "$s" "$@") || return 1
	echo "$i" >>"$IDS"
	echo "$i"
}
# Stop cleaning up a removed segment (its id could name a new one later).
forget_seg() {
	grep -vx "$1" "$IDS" >"$IDS.new"
	mv "$IDS.new" "$IDS"
}
# Start `attach ID ARGS` in the background, holding; wait until it holds.
hold_bg() {	# OUTFILE ID ARGS...
	out=$1
	shift
	"$SHMDEMO" attach "$@" --hold 120 >"$out" 2>&1 &
	HOLD_PID=$!
	PIDS="$PIDS $HOLD_PID"
	hb_wait=0
	while ! grep -q '^holding' "$out" 2>/dev/null; do
		if [ "$hb_wait" -ge 100 ] || ! kill -0 "$HOLD_PID" 2>/dev/null; then
			say "attach $* did not start holding"
			show "$out"
			return 1
		fi
		sleep 0.1
		hb_wait=$((hb_wait + 1))
	done
	return 0
}
# The segment's status column in `ls` (empty if not listed).
ls_status() { sd ls | awk -v id="$1" '$2 == id { print $7 }'; }
# rm --all removes what it may, so run it only when every listed segment is
# one this script created (else SKIP, naming the stranger).
only_ours() {
	sd ls >"$TMP/ls" || { show "$TMP/ls"; return 1; }
	o=$(awk 'FILENAME == ARGV[1] { ours[$1] = 1; next }
		 FNR > 1 && !($2 in ours) { print $2; exit }' "$IDS" "$TMP/ls")
	[ -z "$o" ] && return 0
	WHY="segment $o is not this test's: rm --all would remove it"
	return 77
}
# Root, or an RLIMIT_MEMLOCK that isn't 0 (the owner may lock then).
can_lock() {
	[ "$(id -u)" = 0 ] || awk '/^Max locked memory/ { exit $4 == "0" }' /proc/self/limits
}
AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
json_check() {	# PYTHON-EXPR on d (the parsed stdin), extra args in sys.argv
	expr=$1
	shift
	python3 -S -c "import json, sys
d = json.load(sys.stdin)
sys.exit(0 if ($expr) else 1)" "$@"
}

# --- cases: each returns 0 (pass), 1 (fail) or 77 (skip, reason in $WHY) --
t_create_prints_id() {
	ID=$(new_seg 8p --key "$KEY" --mode 644) || return 1
	case "$ID" in
	''|*[!0-9]*) say "create printed '$ID'"; return 1 ;;
	esac
	return 0
}

t_ls_shows_segment() {
	expect_rc 0 ls || return 1
	head -1 "$TMP/out" | grep -q '^key  *shmid  *owner  *perms  *bytes  *nattch  *status  *resident  *dirty  *rfaults  *wfaults$' ||
		{ say "bad header"; show "$TMP/out"; return 1; }
	keyhex=$(printf '0x%08x' "$KEY")
	grep -Eq "^$keyhex +$ID +[^ ]+ +644 +$((8 * PG)) +0 +- +0 +0 +0 +0$" "$TMP/out" && return 0
	show "$TMP/out"
	return 1
}

t_ls_json_parses() {
	expect_rc 0 ls --json || return 1
	if have python3; then
		json_check 'any(s["id"] == int(sys.argv[1]) and s["key"] == int(sys.argv[2], 16)
			and s["bytes"] == 8 * int(sys.argv[3]) and s["nattch"] == 0
			and s["dest"] is False and s["locked"] is False and s["source"] == "stat"
			for s in d["segments"])
			and d["info"]["segments"] >= 1' "$ID" "$KEY" "$PG" <"$TMP/out" && return 0
	else
		grep -q "\"id\": $ID," "$TMP/out" && return 0
	fi
	show "$TMP/out"
	return 1
}

t_stat_fields() {
	expect_rc 0 stat "$ID" || return 1
	set --
	for re in "^id  *$ID\$" "^key  *$(printf '0x%08x' "$KEY")\$" '^mode  *0644 \(rw-r--r--\)$' \
		"^bytes  *$((8 * PG)) \(8 pages of $PG\)\$" '^uid  *[0-9]' '^cuid ' '^cgid ' \
		'^cpid  *[1-9]' '^lpid  *0$' '^nattch  *0$' '^atime  *never$' '^dtime  *never$' \
		'^ctime  *[12][0-9][0-9][0-9]-' '^flags  *0x0 ' '^counters:$' '^  read_faults  *0$' \
		'^  write_faults  *0$' '^  cow_faults ' '^  mkwrite ' '^  around_pages ' \
		'^  pages_alloc  *0$' '^  pages_resident  *0$' '^  pages_dirty  *0$'; do
		set -- "$@" "$re"
	done
	lines_match "$TMP/out" "$@" || { show "$TMP/out"; return 1; }
}

t_stat_json_parses() {
	expect_rc 0 stat "$ID" --json || return 1
	have python3 || { grep -q "\"id\": $ID," "$TMP/out"; return; }
	json_check 'd["id"] == int(sys.argv[1]) and d["mode"] == 0o644 and d["atime"] == 0
		and d["flags"] == 0 and d["dest"] is False and d["locked"] is False
		and d["counters"]["pages_resident"] == 0 and len(d) == 18' "$ID" <"$TMP/out" ||
		{ show "$TMP/out"; return 1; }
}

t_attach_write_reports_faults() {
	expect_rc 0 attach "$ID" --touch 0-3 --write --hold 0 || return 1
	grep -q '^touched 4 pages by writing: 0-3$' "$TMP/out" &&
		grep -q '^faults: minor [0-9]*, major 0$' "$TMP/out" &&
		grep -q '^module: read 0, write 4, cow 0, mkwrite 0, fault-around pages 0, allocated 4; now resident 4, dirty 4$' "$TMP/out" &&
		grep -q '^detached$' "$TMP/out" && return 0
	show "$TMP/out"
	return 1
}

t_map_after_writing_pages_0_3() {
	expect_map "$ID" 'DDDD....'
}

t_map_after_reading_page_6() {
	expect_rc 0 attach "$ID" --rdonly --touch 6 --hold 0 || return 1
	expect_map "$ID" 'DDDD..o.' || return 1
	sd map "$ID" --no-color | grep -qx 'pages 8, resident 5, dirty 4, mapped 0' ||
		{ sd map "$ID" --no-color | sed 's/^/#   /'; return 1; }
}

t_map_shows_two_mappings() {
	hold_bg "$TMP/h1" "$ID" --touch 0-3 --write || return 1
	h1=$HOLD_PID
	# A write: a read fault would map the cached neighbours too (fault-around).
	hold_bg "$TMP/h2" "$ID" --touch 0-1 --write || return 1
	h2=$HOLD_PID
	ok=0
	expect_map "$ID" '22DD..o.' || ok=1
	sd map "$ID" --no-color | grep -qx 'pages 8, resident 5, dirty 4, mapped 4' || ok=1
	sd stat "$ID" | grep -q '^nattch  *2$' || { say "nattch is not 2"; ok=1; }
	kill -TERM "$h1" "$h2"
	wait "$h1"
	r1=$?
	wait "$h2"
	r2=$?
	if [ "$r1" != 0 ] || [ "$r2" != 0 ]; then
		say "holders exited $r1 $r2"
		ok=1
	fi
	# shellcheck disable=SC2015 # the handler runs when any check fails: wanted
	grep -q '^SIGTERM received$' "$TMP/h1" && grep -q '^detached$' "$TMP/h1" ||
		{ show "$TMP/h1"; ok=1; }
	expect_map "$ID" 'DDDD..o.' || ok=1
	return "$ok"
}

t_map_colour_only_when_asked() {
	# Not a terminal: no escapes by default; the script(1) pty gives colour.
	sd map "$ID" >"$TMP/plain" || return 1
	if grep -q "$(printf '\033')" "$TMP/plain"; then
		say "colour escapes on a pipe"
		return 1
	fi
	have script || { WHY="no script(1) for a terminal"; return 77; }
	script -qec "$SHMDEMO map $ID" /dev/null </dev/null >"$TMP/tty" 2>&1
	grep -q "$(printf '\033\\[31m')DDDD" "$TMP/tty" && return 0
	say "no red dirty pages on a terminal"
	show "$TMP/tty"
	return 1
}

t_map_width_rows() {
	expect_rc 0 map "$ID" --no-color --width 3 || return 1
	printf '0 DDD\n3 D..\n6 o.\n' >"$TMP/want"
	head -3 "$TMP/out" | diff "$TMP/want" - >"$TMP/diff" && return 0
	show "$TMP/diff"
	return 1
}

t_map_json() {
	expect_rc 0 map "$ID" --json || return 1
	if have python3; then
		json_check 'd["id"] == int(sys.argv[1]) and
			[(p["resident"], p["dirty"], p["written"], p["mapcount"]) for p in d["pages"]] ==
			[(True, True, False, 0)] * 4 + [(False, False, False, 0)] * 2 +
			[(True, False, False, 0), (False, False, False, 0)] and
			d["summary"] == {"pages": 8, "resident": 5, "dirty": 4, "mapped": 0, "shared": 0,
					 "written": 0}' \
			"$ID" <"$TMP/out" && return 0
	else
		[ "$(grep -c '"resident": true, "dirty": true' "$TMP/out")" = 4 ] && return 0
	fi
	show "$TMP/out"
	return 1
}

# PYTHON-CODE FILE [ARGS]: run the code with the PNG FILE decoded (ARGS in
# sys.argv[2:]): every chunk's
# CRC checked, w, h, depth, ctype from IHDR, chunks (type -> bytes, text
# chunks as key -> value in text), idat (compressed), raw (scanlines) and
# px(x, y) -> (r, g, b); the code asserts.
map_png_py() {
	code=$1
	shift
	python3 -S -c "import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', data[:8]
off, chunks, text = 8, {}, {}
while off < len(data):
    n, = struct.unpack('>I', data[off:off + 4])
    kind, body = data[off + 4:off + 8], data[off + 8:off + 8 + n]
    crc, = struct.unpack('>I', data[off + 8 + n:off + 12 + n])
    assert zlib.crc32(kind + body) == crc, kind
    chunks[kind] = chunks.get(kind, b'') + body
    if kind == b'tEXt':
        k, v = body.split(b'\0', 1)
        text[k.decode('latin-1')] = v.decode('latin-1')
    off += 12 + n
w, h, depth, ctype = struct.unpack('>IIBB', chunks[b'IHDR'][:10])
idat = chunks[b'IDAT']
raw = zlib.decompress(idat)
assert len(raw) == h * (w + 1)
pal = chunks[b'PLTE']
def px(x, y):
    i = raw[y * (w + 1) + 1 + x]
    return tuple(pal[3 * i:3 * i + 3])
$code" "$@"
}

# The palette (Okabe-Ito sky blue and vermillion), as map_png_py sees it.
MAP_PY_COLOURS='BG, GREY, BLUE, VERM, BLACK = (255, 255, 255), (0x99,) * 3, (0x56, 0xb4, 0xe9), (0xd5, 0x5e, 0), (0, 0, 0)'

t_map_png_is_valid() {
	expect_rc 0 map "$ID" --png "$TMP/m.png" --width 4 || return 1
	sig=$(od -An -tx1 -N8 "$TMP/m.png" | tr -d ' \n')
	[ "$sig" = 89504e470d0a1a0a ] || { say "PNG signature is $sig"; return 1; }
	if have file; then
		file "$TMP/m.png" | grep -q 'PNG image data, 32 x 16,' ||
			{ say "$(file "$TMP/m.png")"; return 1; }
	fi
	have python3 || return 0
	# The cells of 'DDDD..o.': dirty vermillion with a black top-right
	# corner, clean sky blue, not resident a hollow grey square; the
	# title in a tEXt chunk, the image data deflated.
	map_png_py "$MAP_PY_COLOURS
assert (w, h, depth, ctype) == (32, 16, 8, 3), (w, h, depth, ctype)
assert px(0, 0) == VERM and px(6, 0) == BLACK and px(6, 3) == VERM, (px(0, 0), px(6, 0))
assert px(8 * 3, 0) == VERM and px(7, 0) == BG
assert px(16, 8) == BLUE and px(22, 0 + 8) == BLUE
assert px(0, 8) == GREY and px(3, 11) == BG and px(8, 8) == GREY and px(24, 8) == GREY
assert text['Title'].startswith('shmdemo segment %s, key ' % sys.argv[2]), text
assert 'Okabe-Ito' in text['Description'], text
assert len(idat) < len(raw) // 2, (len(idat), len(raw))" "$TMP/m.png" "$ID" || return 1
}

# The pages of a 12-page segment with known mapping counts, as SVG (to a
# file and to stdout) and PNG, for the cases that follow: pages 0-1 mapped
# by three page tables, 2-3 by two, 4-5 by one (all written: a read fault
# would map cached neighbours too), page 8 read and unmapped, 6-7 and 9-11
# never touched.
SV=
t_map_svg_title_legend_cells() {
	svkey=$(printf '0x5e%06x' $(($$ % 16777216)))
	SV=$(new_seg 12p --key "$svkey") || return 1
	expect_rc 0 attach "$SV" --rdonly --touch 8 --hold 0 || return 1
	hold_bg "$TMP/sv1" "$SV" --touch 0-5 --write || return 1
	sv1=$HOLD_PID
	hold_bg "$TMP/sv2" "$SV" --touch 0-3 --write || return 1
	sv2=$HOLD_PID
	hold_bg "$TMP/sv3" "$SV" --touch 0-1 --write || return 1
	sv3=$HOLD_PID
	ok=0
	expect_rc 0 map "$SV" --svg - --width 4 || ok=1
	mv "$TMP/out" "$TMP/sv-stdout.svg"
	expect_rc 0 map "$SV" --svg "$TMP/sv.svg" --png "$TMP/sv.png" --width 4 || ok=1
	mv "$TMP/out" "$TMP/sv-report"
	sd map "$SV" --no-color --width 4 >"$TMP/sv-text"
	kill -TERM "$sv1" "$sv2" "$sv3"
	wait "$sv1" "$sv2" "$sv3"
	[ "$ok" = 0 ] || return 1
	expect_rc 2 map "$SV" --svg - --json || return 1

	cmp -s "$TMP/sv.svg" "$TMP/sv-stdout.svg" || { say "--svg - and --svg FILE differ"; return 1; }
	# "FILE: WxH px, 4 pages per row" for each picture, then the counts
	lines_match "$TMP/sv-report" "^$TMP/sv\\.svg: [0-9]+x[0-9]+ px, 4 pages per row\$" \
		"^$TMP/sv\\.png: 32x24 px, 4 pages per row\$" \
		'^pages 12, resident 7, dirty 6, mapped 6$' || { show "$TMP/sv-report"; return 1; }
	[ "$(wc -l <"$TMP/sv-report")" = 3 ] || { show "$TMP/sv-report"; return 1; }

	f=$TMP/sv.svg
	title="shmdemo segment $SV, key $(printf '0x%08x' "$svkey"), $((12 * PG)) bytes (12 pages of $PG), kernel $(uname -r)"
	bad=0
	grep -qxF "<title>$title</title>" "$f" || { say "no document title '$title'"; bad=1; }
	grep -qF ">$title</text>" "$f" || { say "no title line '$title'"; bad=1; }
	grep -qF '>pages 12, resident 7, dirty 6, mapped 6 (by two or more: 4)</text>' "$f" ||
		{ say "no summary line"; bad=1; }
	for l in 'not resident (hollow)' 'resident, clean (blue)' \
		'resident, dirty (vermillion, black corner)' \
		'mapped: the number of page tables mapping the page' 'rows: first page of the row'; do
		grep -q "<text class=\"legend\" x=\"64\" y=\"[0-9]*\">$l" "$f" ||
			{ say "no legend entry '$l'"; bad=1; }
	done
	# one cell per page, by kind: a(bsent), c(lean), d(irty) and the count
	for kc in a0:5 c0:1 d1:2 d2:2 d3:2; do
		n=$(grep -c "^<use xlink:href=\"#${kc%:*}\" x=\"[0-9]*\"><title>page " "$f")
		[ "$n" = "${kc#*:}" ] || { say "cells #${kc%:*}: $n, want ${kc#*:}"; bad=1; }
	done
	n=$(grep -c '<title>page ' "$f")
	[ "$n" = 12 ] || { say "$n cells, want 12"; bad=1; }
	for t in "page 0, offset 0x0, resident, dirty, mapped ×3" \
		"page 3, offset 0x$(printf %x $((3 * PG))), resident, dirty, mapped ×2" \
		"page 5, offset 0x$(printf %x $((5 * PG))), resident, dirty, mapped ×1" \
		"page 8, offset 0x$(printf %x $((8 * PG))), resident, clean, not mapped" \
		"page 11, offset 0x$(printf %x $((11 * PG))), not resident"; do
		grep -qF "><title>$t</title></use>" "$f" || { say "no cell '$t'"; bad=1; }
	done
	# row labels: first page, byte offset
	for r in 0 4 8; do
		grep -q ">$r</text><text [^>]*>0x$(printf %x $((r * PG)))</text>\$" "$f" ||
			{ say "no label for row $r"; bad=1; }
	done
	# the counts 1, 2, 3 drawn differently
	for c in 1 2 3; do
		grep -q "<g id=\"d$c\">.*>$c</text></g>\$" "$f" || { say "no symbol d$c"; bad=1; }
	done
	[ "$bad" = 0 ] && return 0
	show "$TMP/sv-text"
	return 1
}

t_map_svg_is_xml_and_renders() {
	[ -s "$TMP/sv.svg" ] || { say "no SVG from map_svg_title_legend_cells"; return 1; }
	f=$TMP/sv.svg
	if have xmllint; then
		xmllint --noout "$f" || return 1
	else
		# no parser: at least the prologue, the root and its end
		# shellcheck disable=SC2015 # the handler runs when any check fails: wanted
		head -1 "$f" | grep -qx '<?xml version="1.0" encoding="UTF-8"?>' &&
			sed -n 2p "$f" | grep -q '^<svg xmlns="http://www.w3.org/2000/svg" ' &&
			tail -1 "$f" | grep -qx '</svg>' || { say "not an SVG document"; return 1; }
	fi
	have rsvg-convert || { WHY="no rsvg-convert (librsvg2-bin) to render the SVG"; return 77; }
	# (fontconfig wants a writable cache; the guest's root is read-only)
	XDG_CACHE_HOME=$TMP rsvg-convert -o "$TMP/sv-render.png" "$f" 2>"$TMP/err" ||
		{ show "$TMP/err"; return 1; }
	[ -s "$TMP/sv-render.png" ] || { say "rsvg-convert wrote nothing"; return 1; }
	sig=$(od -An -tx1 -N8 "$TMP/sv-render.png" | tr -d ' \n')
	[ "$sig" = 89504e470d0a1a0a ] || { say "rendered PNG signature is $sig"; return 1; }
	# the rendering has the size map reported
	size=$(sed -n 's/^.*sv\.svg: \([0-9]*\)x\([0-9]*\) px.*/\1 x \2/p' "$TMP/sv-report")
	have file || return 0
	file "$TMP/sv-render.png" | grep -q "PNG image data, $size," ||
		{ say "$(file "$TMP/sv-render.png"), want $size"; return 1; }
}

t_map_png_marks_mapcounts() {
	[ -s "$TMP/sv.png" ] || { say "no PNG from map_svg_title_legend_cells"; return 1; }
	have python3 || { WHY="no python3 to read the PNG's pixels"; return 77; }
	# 3x5-pixel digits at (1..3, 1..5) of each 8x8 square: 3 on pages 0-1,
	# 2 on 2-3, 1 on 4-5; a '2' has its lower stroke on the left, a '3' on
	# the right, a '1' its foot across.
	map_png_py "$MAP_PY_COLOURS
assert (w, h) == (32, 24), (w, h)
def digit(p):
    x0, y0 = p % 4 * 8 + 1, p // 4 * 8 + 1
    return [''.join('#' if px(x0 + x, y0 + y) == BLACK else '.' for x in range(3)) for y in range(5)]
three, two, one = ['###', '..#', '###', '..#', '###'], ['###', '..#', '###', '#..', '###'], ['.#.', '##.', '.#.', '.#.', '###']
assert digit(0) == digit(1) == three, digit(0)
assert digit(2) == digit(3) == two, digit(2)
assert [digit(4), digit(5)] == [one, one], digit(4)
assert px(1, 2 * 8 + 1) == BLUE and px(0, 8 + 8 + 3) == BLUE, px(1, 17)
assert digit(6) == ['...'] * 5 and px(6, 0) == BLACK" "$TMP/sv.png" || return 1
}

# 4 MiB would be two 2 MiB folios (all resident at the first touch): pages.
t_map_png_is_compressed() {
	pmd=/sys/module/shmdemo/parameters/pmd_folios
	[ -w "$pmd" ] || { WHY="needs root to set $pmd"; return 77; }
	echo N >"$pmd" || return 1
	map_png_is_compressed_4k
	rc=$?
	echo Y >"$pmd" || return 1
	return "$rc"
}

map_png_is_compressed_4k() {
	big=$(new_seg 1024p) || return 1
	expect_rc 0 attach "$big" --touch 0-99,700-731 --write --hold 0 || return 1
	expect_rc 0 attach "$big" --rdonly --touch 512 --hold 0 || return 1
	expect_rc 0 map "$big" --png "$TMP/big.png" || return 1
	# shellcheck disable=SC2015 # the handler runs when any check fails: wanted
	grep -qx "$TMP/big.png: 512x128 px, 64 pages per row" "$TMP/out" &&
		grep -qx 'pages 1024, resident 133, dirty 132, mapped 0' "$TMP/out" ||
		{ show "$TMP/out"; return 1; }
	# 64 KB of pixels; stored blocks made 65 KB of it, deflate about 1 KB
	size=$(wc -c <"$TMP/big.png")
	[ "$size" -lt 8192 ] || { say "PNG of 1024 pages is $size bytes, want < 8192"; return 1; }
	if have file; then
		file "$TMP/big.png" | grep -q 'PNG image data, 512 x 128, 8-bit colormap' ||
			{ say "$(file "$TMP/big.png")"; return 1; }
	fi
	have python3 || return 0
	map_png_py "$MAP_PY_COLOURS
assert (w, h, depth, ctype) == (512, 128, 8, 3), (w, h, depth, ctype)
# a square's left edge and middle: grey and white when hollow
cell = lambda p: (px(p % 64 * 8, p // 64 * 8 + 3), px(p % 64 * 8 + 3, p // 64 * 8 + 3))
want = [(VERM, VERM) if p < 100 or 700 <= p < 732 else (BLUE, BLUE) if p == 512 else (GREY, BG)
        for p in range(1024)]
got = [cell(p) for p in range(1024)]
assert got == want, [p for p in range(1024) if got[p] != want[p]][:8]" "$TMP/big.png" || return 1
	# The SVG of the same 1024 pages stays small too.
	expect_rc 0 map "$big" --svg "$TMP/big.svg" || return 1
	size=$(wc -c <"$TMP/big.svg")
	[ "$size" -lt 204800 ] || { say "SVG of 1024 pages is $size bytes, want < 200 KB"; return 1; }
	[ "$(grep -c '<title>page ' "$TMP/big.svg")" = 1024 ] || { say "not 1024 SVG cells"; return 1; }
}

t_people_write_then_read() {
	expect_rc 0 write-people "$ID" || return 1
	[ -s "$TMP/out" ] && { say "write-people printed something"; show "$TMP/out"; return 1; }
	expect_rc 0 read-people "$ID" || return 1
	i=0
	: >"$TMP/want"
	for n in b c d e f g h i j k; do
		echo "name: $n age $((20 + i))" >>"$TMP/want"
		i=$((i + 1))
	done
	diff "$TMP/want" "$TMP/out" >"$TMP/diff" || { show "$TMP/diff"; return 1; }
	expect_rc 0 read-people --key "$KEY" 3 || return 1
	head -3 "$TMP/want" | diff - "$TMP/out" >"$TMP/diff" || { show "$TMP/diff"; return 1; }
}

t_people_too_many_fails() {
	one=$(new_seg 1p) || return 1
	expect_rc 1 write-people "$one" $((PG / 8 + 1)) || return 1
	grep -q '^shmdemo: write-people: segment' "$TMP/err" || { show "$TMP/err"; return 1; }
}

t_resize_grows_and_shrinks() {
	expect_rc 0 resize "$ID" 16p || return 1
	sd map "$ID" --no-color --width 8 | grep -qx '8 \.\.\.\.\.\.\.\.' ||
		{ sd map "$ID" --no-color --width 8 | sed 's/^/#   /'; return 1; }
	expect_rc 0 resize "$ID" $((8 * PG)) || return 1
	sd stat "$ID" | grep -q "^bytes  *$((8 * PG)) " || return 1
	expect_map "$ID" 'DDDD..o.'
}

t_create_excl_existing_fails() {
	expect_rc 1 create --key "$KEY" --size 8p --excl || return 1
	grep -q '^shmdemo: create: key 0x.*: a segment with this key exists (--excl) (File exists)$' "$TMP/err" || { show "$TMP/err"; return 1; }
	expect_rc 0 create --key "$KEY" || return 1
	[ "$(cat "$TMP/out")" = "$ID" ] || { say "same key gave id $(cat "$TMP/out")"; return 1; }
}

t_ls_without_permission() {
	[ "$(id -u)" = 0 ] || { WHY="needs root to switch users"; return 77; }
	have setpriv || { WHY="no setpriv"; return 77; }
	priv=$(new_seg 2p --mode 600) || return 1
	$AS_NOBODY "$SHMDEMO" ls >"$TMP/out" 2>"$TMP/err" || { show "$TMP/err"; return 1; }
	grep -Eq "^0x00000000 +$priv +root +600 +$((2 * PG)) " "$TMP/out" ||
		{ show "$TMP/out"; return 1; }
	$AS_NOBODY "$SHMDEMO" stat "$priv" >/dev/null 2>"$TMP/err"
	rc=$?
	# shellcheck disable=SC2015 # the handler runs when any check fails: wanted
	[ "$rc" = 1 ] && grep -q ": permission denied by the segment's mode (Permission denied)\$" "$TMP/err" ||
		{ say "stat as nobody: exit $rc"; show "$TMP/err"; return 1; }
}

t_lock_shows_locked() {
	can_lock || { WHY="RLIMIT_MEMLOCK is 0"; return 77; }
	l=$(new_seg 2p) || return 1
	expect_rc 0 lock "$l" || return 1
	[ -s "$TMP/out" ] && { say "lock printed something"; show "$TMP/out"; return 1; }
	expect_rc 0 lock "$l" || return 1	# locking a locked segment does nothing
	st=$(ls_status "$l")
	[ "$st" = locked ] || { say "ls status '$st', want locked"; return 1; }
	expect_rc 0 stat "$l" || return 1
	grep -qx 'flags  *0x2 (locked: like SHM_LOCK)' "$TMP/out" || { show "$TMP/out"; return 1; }
	if have python3; then
		sd stat "$l" --json | json_check 'd["flags"] == 2 and d["locked"] is True
			and d["dest"] is False' || { sd stat "$l" --json | sed 's/^/#   /'; return 1; }
		sd ls --json | json_check 'any(s["id"] == int(sys.argv[1]) and s["locked"] is True
			and s["dest"] is False for s in d["segments"])' "$l" ||
			{ sd ls --json | sed 's/^/#   /'; return 1; }
	fi
	expect_rc 0 unlock "$l" || return 1
	expect_rc 0 unlock "$l" || return 1
	st=$(ls_status "$l")
	[ "$st" = - ] || { say "ls status '$st' after unlock, want -"; return 1; }
	sd stat "$l" | grep -qx 'flags  *0x0 (-)' || { sd stat "$l" | sed 's/^/#   /'; return 1; }
}

t_ls_shows_dest_and_locked() {
	can_lock || { WHY="RLIMIT_MEMLOCK is 0"; return 77; }
	d=$(new_seg 1p) || return 1
	hold_bg "$TMP/h4" "$d" || return 1
	h4=$HOLD_PID
	ok=0
	{ sd lock "$d" && sd rm "$d"; } || ok=1
	st=$(ls_status "$d")
	[ "$st" = dest,locked ] || { say "ls status '$st', want dest,locked"; ok=1; }
	sd stat "$d" | grep -qx 'flags  *0x3 (dest: removed, alive while attached; locked: like SHM_LOCK)' ||
		{ sd stat "$d" | sed 's/^/#   /'; ok=1; }
	kill -TERM "$h4"
	wait "$h4"
	# The last detach of a removed segment: gone by id, not listed.
	st=$(ls_status "$d")
	[ -z "$st" ] || { say "still listed as '$st' after the last detach"; ok=1; }
	expect_rc 1 stat "$d" || ok=1
	return "$ok"
}

t_trace_counts_write_faults() {
	[ "$(id -u)" = 0 ] || { WHY="trace needs root"; return 77; }
	[ -d /sys/kernel/tracing/events/shmdemo ] || [ -d /sys/kernel/debug/tracing/events/shmdemo ] ||
		{ WHY="no tracefs events/shmdemo"; return 77; }
	t=$(new_seg 4p) || return 1
	expect_rc 0 trace -- "$SHMDEMO" attach "$t" --touch 0-2 --write --hold 0 || return 1
	grep -q "^segment $t: faults 3 (read 0, write 3, cow 0; new 3, cached 0), fault-around 0 (0 pages), mkwrite 0\$" "$TMP/out" ||
		{ show "$TMP/out"; return 1; }
	[ "$(grep -Ec "^ +[0-9]+ .* fault +$t +[0-2] +write +new +LOCKED +[0-9]+ " "$TMP/out")" = 3 ] ||
		{ say "want 3 fault rows"; show "$TMP/out"; return 1; }
	grep -q '^fault latency: total [0-9]* ns, mean [0-9]* ns over 3 faults$' "$TMP/out" ||
		{ show "$TMP/out"; return 1; }
}

# examples/device_snippet.c, the README's "Using the device" code made whole:
# it creates, maps, writes, reads back and removes a private segment.
t_readme_device_snippet_runs() {
	[ -x "$HERE/device_snippet" ] || { WHY="device_snippet not installed beside the test"; return 77; }
	"$HERE/device_snippet" >"$TMP/out" 2>"$TMP/err" || { show "$TMP/err"; return 1; }
	grep -Eq '^segment [0-9]+: "hello from segment"$' "$TMP/out" || { show "$TMP/out"; return 1; }
	id=$(sed -n 's/^segment \([0-9]*\):.*/\1/p' "$TMP/out")
	run stat "$id"
	[ "$RC" != 0 ] || { say "segment $id still there after the snippet removed it"; return 1; }
}

t_trace_follows_children_only() {
	[ "$(id -u)" = 0 ] || { WHY="trace needs root"; return 77; }
	[ -d /sys/kernel/tracing/events/shmdemo ] || [ -d /sys/kernel/debug/tracing/events/shmdemo ] ||
		{ WHY="no tracefs events/shmdemo"; return 77; }
	t=$(new_seg 4p) || return 1
	# A fault by another process while tracing must not show without --all.
	hold_bg "$TMP/h3" "$t" || return 1
	h3=$HOLD_PID
	expect_rc 0 trace -- sh -c "\"$SHMDEMO\" attach $t --touch 0 --hold 0 >/dev/null; kill -TERM $h3; sleep 0.5" ||
		return 1
	wait "$h3"
	grep -q "^segment $t: faults 1 (read 1," "$TMP/out" || { show "$TMP/out"; return 1; }
	if grep -Eq "^ +$h3 " "$TMP/out"; then
		say "events of pid $h3 shown"
		show "$TMP/out"
		return 1
	fi
	return 0
}

t_trace_exit_status_is_cmds() {
	[ "$(id -u)" = 0 ] || { WHY="trace needs root"; return 77; }
	[ -d /sys/kernel/tracing/events/shmdemo ] || [ -d /sys/kernel/debug/tracing/events/shmdemo ] ||
		{ WHY="no tracefs events/shmdemo"; return 77; }
	expect_rc 3 trace -- sh -c 'exit 3' || return 1
	expect_rc 127 trace -- /nonexistent/command || return 1
	grep -q '^shmdemo: trace: /nonexistent/command: No such file or directory$' "$TMP/err" ||
		{ show "$TMP/err"; return 1; }
}

t_rm_removes() {
	expect_rc 0 rm "$ID" || return 1
	sd ls | awk -v id="$ID" '$2 == id { found = 1 } END { exit found }' ||
		{ say "segment $ID still listed"; sd ls | sed 's/^/#   /'; return 1; }
	forget_seg "$ID"
	expect_rc 1 rm --key "$KEY" || return 1	# the key went with it
}

t_rm_by_key() {
	i=$(new_seg 1p --key "$KEY") || return 1
	expect_rc 0 rm --key "$KEY" || return 1
	expect_rc 1 stat "$i"
}

t_bad_id_exits_1() {
	# $ID was removed above: every command that takes an id fails with 1.
	for c in "stat $ID" "map $ID" "attach $ID --hold 0" "read-people $ID" "resize $ID 4096" \
		"lock $ID" "unlock $ID" "rm $ID"; do
		# shellcheck disable=SC2086
		expect_rc 1 $c || return 1
		grep -q "^shmdemo: [a-z-]*: segment $ID: no such segment (Invalid argument)\$" "$TMP/err" ||
			{ say "shmdemo $c:"; show "$TMP/err"; return 1; }
	done
}

t_rm_all_with_id_is_usage_error() {
	a=$(new_seg 1p) || return 1
	expect_rc 2 rm --all "$a" || return 1
	# shellcheck disable=SC2015 # the handler runs when any check fails: wanted
	grep -q '^shmdemo: rm: --all takes no segment id or --key$' "$TMP/err" &&
		grep -q '^usage: shmdemo rm ' "$TMP/err" || { show "$TMP/err"; return 1; }
	expect_rc 2 rm --key "$KEY" --all || return 1
	expect_rc 0 stat "$a"	# nothing was removed
}

t_rm_all_as_nobody_removes_only_own() {
	[ "$(id -u)" = 0 ] || { WHY="needs root to switch users"; return 77; }
	have setpriv || { WHY="no setpriv"; return 77; }
	r=$(new_seg 1p --mode 600) || return 1
	n1=$($AS_NOBODY "$SHMDEMO" create --size 1p) || return 1
	echo "$n1" >>"$IDS"
	n2=$($AS_NOBODY "$SHMDEMO" create --size 2p --mode 600) || return 1
	echo "$n2" >>"$IDS"
	only_ours || return
	# Every segment left but n1 and n2 is root's: each must be named.
	awk -v a="$n1" -v b="$n2" 'NR > 1 && $2 != a && $2 != b { print $2 }' "$TMP/ls" >"$TMP/roots"
	$AS_NOBODY "$SHMDEMO" rm --all >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 1 ] || { say "rm --all as nobody: exit $rc, want 1"; show "$TMP/err"; return 1; }
	[ -s "$TMP/out" ] && { say "rm --all printed on stdout"; show "$TMP/out"; return 1; }
	set --
	while read -r o; do
		set -- "$@" "^shmdemo: rm: segment $o: only the owner, the creator or CAP_SYS_ADMIN may do this \(Operation not permitted\)\$"
	done <"$TMP/roots"
	lines_match "$TMP/err" "$@" || { show "$TMP/err"; return 1; }
	[ "$(wc -l <"$TMP/err")" = "$(wc -l <"$TMP/roots")" ] ||
		{ say "want one line per root segment ($(tr '\n' ' ' <"$TMP/roots"))"; show "$TMP/err"; return 1; }
	sd ls >"$TMP/ls" || return 1
	awk -v a="$n1" -v b="$n2" -v r="$r" '$2 == a || $2 == b { bad = 1 } $2 == r { mine = 1 }
		END { exit bad || !mine }' "$TMP/ls" ||
		{ say "want $r listed, $n1 and $n2 gone"; show "$TMP/ls"; return 1; }
}

t_rm_all_removes_every_segment() {
	s1=$(new_seg 1p) || return 1
	s2=$(new_seg 2p --key "$KEY") || return 1
	s3=$(new_seg 3p --mode 600) || return 1
	only_ours || return
	expect_rc 0 rm --all || return 1
	if [ -s "$TMP/out" ] || [ -s "$TMP/err" ]; then
		say "rm --all printed something"
		show "$TMP/out"
		show "$TMP/err"
		return 1
	fi
	sd ls >"$TMP/ls" || return 1
	# Nothing holds them: not even dest rows are left.
	[ "$(wc -l <"$TMP/ls")" = 1 ] ||
		{ say "segments left after rm --all ($s1 $s2 $s3 created)"; show "$TMP/ls"; return 1; }
	: >"$IDS"
	expect_rc 0 rm --all	# none left: nothing to do, not an error
}

t_usage_errors_exit_2() {
	expect_rc 2 || return 1
	for c in "frob" "ls extra" "stat" "stat abc" "stat 1 2" "create --size 12q" \
		"create --mode 888" "create --key zz" "create --size" "rm" "resize 1" \
		"resize 1 0" "attach" "attach 1 --touch 3-1" "attach 1 --write" \
		"attach 1 --rdonly --touch 0 --write" "attach 1 --hold -1" "map 1 --width 0" \
		"map 1 --bogus" "write-people" "read-people 1 x" "trace" "help frob" "lock" \
		"lock abc" "unlock 1 2" "unlock --bogus 1"; do
		# shellcheck disable=SC2086
		expect_rc 2 $c || return 1
		usage=
		while read -r line; do	# builtins: no process per case
			case "$line" in
			"usage: shmdemo"* | "shmdemo: "*"unknown command"*) usage=1 ;;
			esac
		done <"$TMP/err"
		[ -n "$usage" ] || { say "shmdemo $c: no usage on stderr"; show "$TMP/err"; return 1; }
	done
}

t_help_exits_0() {
	expect_rc 0 help || return 1
	cp "$TMP/out" "$TMP/help"
	set --
	for c in ls stat create rm resize lock unlock attach write-people read-people map trace; do
		set -- "$@" "^  $c "
	done
	lines_match "$TMP/help" "$@" || { say "help lacks a command"; return 1; }
	for c in ls stat create rm resize lock unlock attach write-people read-people map trace; do
		expect_rc 0 "$c" --help || return 1
		first=
		read -r first <"$TMP/out"
		case "$first" in
		"usage: shmdemo $c"*) ;;
		*) show "$TMP/out"; return 1 ;;
		esac
	done
	expect_rc 0 help map
}

# --- first contact: what a newcomer's mistakes print ----------------------

# Without the module every command that needs the device says so once, and
# how to load it or run in the VM - not a strerror about some path.
t_without_module_commands_say_how_to_load_it() {
	[ ! -e "$DEV" ] || { WHY="$DEV exists (this case runs where the module is not loaded)"; return 77; }
	for c in "create" "rm 5" "rm --key 0x4242" "rm --all" "ls" "stat 5" "resize 5 1p" "lock 5" \
		"unlock 5" "attach 5" "write-people 5" "read-people --key 0x4242" "map 5"; do
		# shellcheck disable=SC2086
		expect_rc 1 $c || return 1
		name=${c%% *}
		[ "$(grep -c "^shmdemo: $name: /dev/shmdemo does not exist: the shmdemo module is not loaded\.\$" \
			"$TMP/err")" = 1 ] || { say "shmdemo $c: no (single) module-not-loaded line"; show "$TMP/err"; return 1; }
		lines_match "$TMP/err" 'insmod build/shmdemo\.ko' 'modprobe shmdemo' 'tools/vm/run -- ' ||
			{ show "$TMP/err"; return 1; }
		! grep -q 'No such file or directory' "$TMP/err" ||
			{ say "shmdemo $c: a bare strerror"; show "$TMP/err"; return 1; }
	done
}

# The same "no such segment" reads the same by id (EINVAL, as shmctl says)
# and by key (ENOENT, as shmget says): the errno stays, the meaning is added.
t_no_such_segment_says_so() {
	expect_rc 1 stat 2147483000 || return 1
	grep -qx 'shmdemo: stat: segment 2147483000: no such segment (Invalid argument)' "$TMP/err" ||
		{ show "$TMP/err"; return 1; }
	for c in rm attach lock resize; do
		if [ "$c" = resize ]; then expect_rc 1 resize 2147483000 1p || return 1
		else expect_rc 1 "$c" 2147483000 || return 1; fi
		grep -qx "shmdemo: $c: segment 2147483000: no such segment (Invalid argument)" "$TMP/err" ||
			{ show "$TMP/err"; return 1; }
	done
	key=$(printf '0x5e%06x' $(($$ % 16777216)))
	expect_rc 1 rm --key "$key" || return 1
	grep -qx "shmdemo: rm: key $key: no segment has this key (No such file or directory)" "$TMP/err" ||
		{ show "$TMP/err"; return 1; }
}

# A size over max_seg_bytes names the parameter and its value.
t_create_over_the_limit_names_max_seg_bytes() {
	max=$(cat /sys/module/shmdemo/parameters/max_seg_bytes) || return 1
	expect_rc 1 create --size $((max + 1)) || return 1
	grep -qx "shmdemo: create: new private segment: $((max + 1)) bytes is over the module's max_seg_bytes, $max (/sys/module/shmdemo/parameters/max_seg_bytes) (Invalid argument)" \
		"$TMP/err" || { show "$TMP/err"; return 1; }
	id=$(new_seg 1p) || return 1
	expect_rc 1 resize "$id" $((max + 4096)) || return 1
	grep -q "^shmdemo: resize: segment $id: $((max + 4096)) bytes is over the module's max_seg_bytes, $max " \
		"$TMP/err" || { show "$TMP/err"; return 1; }
}

# "-1" is a negative number given as a value, not an unknown option.
t_negative_numbers_are_rejected_as_values() {
	for c in "stat -1" "rm -3" "resize 5 -4096" "lock -2" "map -1" "read-people 5 -3"; do
		# shellcheck disable=SC2086
		expect_rc 2 $c || return 1
		w=$(echo "$c" | grep -oE -- '-[0-9]+')
		grep -qx "shmdemo: ${c%% *}: '$w': negative numbers are not accepted here (segment ids, sizes, page numbers and counts are 0 or more)" \
			"$TMP/err" || { show "$TMP/err"; return 1; }
		! grep -q "unknown option" "$TMP/err" || { show "$TMP/err"; return 1; }
	done
}

# --touch past the end fails before anything is mapped.
t_attach_touch_past_the_end_fails_before_attaching() {
	id=$(new_seg 64p) || return 1
	expect_rc 1 attach "$id" --touch 64 || return 1
	grep -qx "shmdemo: attach: --touch 64: past the end of segment $id (64 pages: 0-63)" "$TMP/err" ||
		{ show "$TMP/err"; return 1; }
	[ ! -s "$TMP/out" ] || { say "it attached first:"; show "$TMP/out"; return 1; }
	expect_rc 0 attach "$id" --touch 63 --hold 0 || return 1
}

# A leading 0 is octal, as the help says.
t_key_with_leading_zero_is_octal() {
	k=$(printf '0%o' $((0x5f000000 + $$ % 65536)))
	id=$(new_seg 1p --key "$k") || return 1
	expect_rc 0 stat "$id" || return 1
	grep -Eq "^key +$(printf '0x%08x' $((0x5f000000 + $$ % 65536)))( |\$)" "$TMP/out" ||
		{ show "$TMP/out"; return 1; }
	expect_rc 0 create --help || return 1
	grep -q '0 octal' "$TMP/out" || { show "$TMP/out"; return 1; }
}

# shmdemo-compare (installed beside this test): without the module it says so
# once and runs nothing; native backends compare anywhere; with the module
# the device and SysV agree on the records workload.
t_compare_without_module_says_so() {
	[ ! -e "$DEV" ] || { WHY="$DEV exists (this case runs where the module is not loaded)"; return 77; }
	[ -x "$HERE/shmdemo-compare" ] || { WHY="shmdemo-compare not installed beside the test"; return 77; }
	"$HERE/shmdemo-compare" all >"$TMP/out" 2>"$TMP/err"
	[ $? = 2 ] || { say "exit $?, want 2"; show "$TMP/err"; return 1; }
	[ "$(grep -c 'does not exist: the shmdemo module is not loaded' "$TMP/err")" = 1 ] ||
		{ show "$TMP/err"; return 1; }
	[ ! -s "$TMP/out" ] || { say "it ran something:"; show "$TMP/out"; return 1; }
}

t_compare_device_file_and_file_agree() {
	[ -x "$HERE/shmdemo-compare" ] || { WHY="shmdemo-compare not installed beside the test"; return 77; }
	TMPDIR=$TMP "$HERE/shmdemo-compare" -a device -b file --device-file all >"$TMP/out" 2>"$TMP/err" ||
		{ show "$TMP/err"; show "$TMP/out"; return 1; }
	[ "$(grep -c '^  verdict: same outcome' "$TMP/out")" = 5 ] || { show "$TMP/out"; return 1; }
	for left in "$TMP"/*shmd-compare*; do
		[ -e "$left" ] || continue	# no match: the pattern itself
		say "backing files left"
		ls "$TMP"
		return 1
	done
}

# --help says what each backend and workload is, and the exit status.
t_compare_help_explains_backends_and_workloads() {
	[ -x "$HERE/shmdemo-compare" ] || { WHY="shmdemo-compare not installed beside the test"; return 77; }
	"$HERE/shmdemo-compare" --help >"$TMP/out" 2>"$TMP/err" || { show "$TMP/err"; return 1; }
	set --
	for w in device sysv file anon posix records touch second-reader fork-write past-end all; do
		set -- "$@" "^  $w +[a-zA-Z]"
	done
	lines_match "$TMP/out" "$@" '^Exit status: 0 ' || { show "$TMP/out"; return 1; }
}

t_compare_native_backends_agree() {
	[ -x "$HERE/shmdemo-compare" ] || { WHY="shmdemo-compare not installed beside the test"; return 77; }
	"$HERE/shmdemo-compare" -a file -b sysv touch >"$TMP/out" 2>"$TMP/err" ||
		{ show "$TMP/err"; show "$TMP/out"; return 1; }
	grep -q '^  verdict: same outcome' "$TMP/out" || { show "$TMP/out"; return 1; }
}

t_compare_device_and_sysv_agree_on_records() {
	[ -x "$HERE/shmdemo-compare" ] || { WHY="shmdemo-compare not installed beside the test"; return 77; }
	"$HERE/shmdemo-compare" -a device -b sysv records >"$TMP/out" 2>"$TMP/err" ||
		{ show "$TMP/err"; show "$TMP/out"; return 1; }
	grep -q '^  verdict: same outcome (bytes identical)' "$TMP/out" || { show "$TMP/out"; return 1; }
}

# create --file: a file-backed segment; stat shows its file and what went
# between them; attach --write writes back when the binding goes.
t_create_file_backed_and_stat() {
	backing=$TMP/backing
	printf 'hello file' >"$backing" && truncate -s $((2 * PG)) "$backing" || return 1
	id=$(sd create --file "$backing") && echo "$id" >>"$IDS" || return 1
	expect_rc 0 stat "$id" || return 1
	lines_match "$TMP/out" "^bytes +$((2 * PG)) \\(2 pages of $PG\\)\$" \
		'^flags +0x4 \(file: backed by a file\)$' '^file:$' \
		"^  backing +device [0-9]+:[0-9]+ inode $(stat -c %i "$backing")\$" \
		'^  major_faults +0 \(0 bytes read\)$' || { show "$TMP/out"; return 1; }
	expect_rc 0 attach "$id" --touch 0-1 --write --hold 0 || return 1
	expect_rc 0 stat "$id" --json || return 1
	grep -q '"major_faults": 2, "bytes_read": '$((2 * PG))', "pages_written": 2' "$TMP/out" ||
		{ show "$TMP/out"; return 1; }
	# touch writes a zero at the start of each page: "hello" lost its h.
	[ "$(head -c 5 "$backing" | od -An -c | tr -d ' ')" = '\0ello' ] || { od -c "$backing" | head -3; return 1; }
	[ "$(stat -c %s "$backing")" = $((2 * PG)) ] || { say "the file grew"; return 1; }
	expect_rc 1 resize "$id" $((4 * PG)) || return 1
	grep -q "Operation not supported" "$TMP/err" || { show "$TMP/err"; return 1; }
}

# The map tells written-back pages ('w', green with a bar) from clean and dirty.
t_map_shows_written_back_pages() {
	wb=$TMP/wb-backing
	truncate -s $((8 * PG)) "$wb" || return 1
	id=$(sd create --file "$wb") && echo "$id" >>"$IDS" || return 1
	expect_rc 0 attach "$id" --touch 0-3 --write --hold 0 || return 1	# released: written back
	expect_rc 0 attach "$id" --touch 4 --hold 0 || return 1			# read: clean
	hold_bg "$TMP/hold" "$id" --touch 5 --write || return 1		# dirty while held
	expect_map "$id" "wwwwoD.." || return 1
	expect_rc 0 map "$id" --no-color || return 1
	lines_match "$TMP/out" 'w resident, written back to the file' \
		'^pages 8, resident 6, dirty 1, mapped 1, written back 4$' || { show "$TMP/out"; return 1; }
	expect_rc 0 map "$id" --json || return 1
	grep -q '"written": 4}}' "$TMP/out" || { show "$TMP/out"; return 1; }
	expect_rc 0 map "$id" --svg "$TMP/wb.svg" || return 1
	[ "$(grep -c 'xlink:href="#w0" x="[0-9]*"><title>' "$TMP/wb.svg")" = 4 ] || { grep -c '#w0' "$TMP/wb.svg"; return 1; }
	grep -q 'resident, written back (green, black bar)' "$TMP/wb.svg" || return 1
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	return 0
}

# The experiments moved to their own program: the old command says where.
t_demo_command_points_to_shmdemo_demo() {
	expect_rc 2 demo E1 || return 1
	grep -q "^shmdemo: the article's experiments are their own program: shmdemo-demo " "$TMP/err" ||
		{ show "$TMP/err"; return 1; }
}

# Each --help has one exit status line, the command's own.
t_help_has_one_exit_status_line() {
	for c in ls stat create rm resize lock unlock attach write-people read-people map trace; do
		expect_rc 0 "$c" --help || return 1
		[ "$(grep -ic 'exit status' "$TMP/out")" = 1 ] ||
			{ say "$c --help: not one exit status line"; show "$TMP/out"; return 1; }
	done
	expect_rc 0 trace --help || return 1
	grep -q "^exit status: CMD's" "$TMP/out" || { show "$TMP/out"; return 1; }
}

TESTS="create_prints_id ls_shows_segment ls_json_parses stat_fields stat_json_parses
attach_write_reports_faults map_after_writing_pages_0_3 map_after_reading_page_6
map_shows_two_mappings map_colour_only_when_asked map_width_rows map_json map_png_is_valid
map_svg_title_legend_cells map_svg_is_xml_and_renders map_png_marks_mapcounts map_png_is_compressed
people_write_then_read people_too_many_fails resize_grows_and_shrinks
create_excl_existing_fails ls_without_permission lock_shows_locked ls_shows_dest_and_locked
trace_counts_write_faults trace_follows_children_only readme_device_snippet_runs trace_exit_status_is_cmds rm_removes
rm_by_key bad_id_exits_1 rm_all_with_id_is_usage_error rm_all_as_nobody_removes_only_own
rm_all_removes_every_segment usage_errors_exit_2 help_exits_0
without_module_commands_say_how_to_load_it no_such_segment_says_so
create_over_the_limit_names_max_seg_bytes negative_numbers_are_rejected_as_values
attach_touch_past_the_end_fails_before_attaching key_with_leading_zero_is_octal
help_has_one_exit_status_line compare_without_module_says_so compare_native_backends_agree
compare_device_and_sysv_agree_on_records demo_command_points_to_shmdemo_demo
compare_help_explains_backends_and_workloads create_file_backed_and_stat
compare_device_file_and_file_agree map_shows_written_back_pages"
# Cases that need no device: they run wherever the tool is built.
NODEV_TESTS=" usage_errors_exit_2 help_exits_0 without_module_commands_say_how_to_load_it
negative_numbers_are_rejected_as_values help_has_one_exit_status_line
compare_without_module_says_so compare_native_backends_agree demo_command_points_to_shmdemo_demo
compare_help_explains_backends_and_workloads "

# The loop's variables are upper case: the cases' helpers use lower case.
echo "TAP version 13"
echo "1..$(echo "$TESTS" | wc -w)"
TAP_N=0
TAP_FAILED=0
SKIP_ALL=
SKIP_DEV=
if [ -z "${SHMDEMO:-}" ] || [ ! -x "$SHMDEMO" ]; then
	SKIP_ALL="shmdemo tool not built (make at the top level)"
elif [ ! -e "$DEV" ]; then
	SKIP_DEV="no $DEV: module not loaded"
fi
for TAP_T in $TESTS; do
	TAP_N=$((TAP_N + 1))
	if [ -n "$SKIP_ALL" ]; then
		echo "ok $TAP_N $TAP_T # SKIP $SKIP_ALL"
		continue
	fi
	case "$NODEV_TESTS" in
	*[[:space:]]"$TAP_T"[[:space:]]*) ;;
	*) if [ -n "$SKIP_DEV" ]; then
		echo "ok $TAP_N $TAP_T # SKIP $SKIP_DEV"
		continue
	   fi ;;
	esac
	WHY=
	"t_$TAP_T"
	case $? in
	0) echo "ok $TAP_N $TAP_T" ;;
	77) echo "ok $TAP_N $TAP_T # SKIP $WHY" ;;
	*) echo "not ok $TAP_N $TAP_T"; TAP_FAILED=$((TAP_FAILED + 1)) ;;
	esac
done
[ $TAP_FAILED = 0 ] || say "$TAP_FAILED of $TAP_N failed"
exit $((TAP_FAILED != 0))
