#!/bin/bash
# The layering (issue 15): calls go down the layers, never up, and no two
# files call each other round a circle; tools/check-layers.sh reads it from
# the objects' symbol tables. Then proof that the check can fail: a copy of
# the objects with an upward call planted (a util object calling the
# dashboard), and one with a circle planted (two collectors calling each
# other), each must be refused with the culprit named. The same for the
# headers: a copy of the sources with an upward #include planted in a file
# and in a header must be refused, each naming the file and the header.
. "$TOP/tests/lib.sh"
chk=$TOP/tools/check-layers.sh
out=$("$chk" "$TOP/$B" 2>&1)
check "no upward call, upward #include or circle in $B (${out:-clean})" test -z "$out"
tmp=$(mktemp -d /tmp/nstop-layers.XXXXXX)
trap 'rm -rf "$tmp"; cleanup_tmp' EXIT
plant() { # plant NAME FILE.o C-SOURCE: a copy of the objects with FILE.o added
	mkdir -p "$tmp/$1"
	(cd "$TOP/$B" && find src -name '*.o' | cpio -pdm --quiet "$tmp/$1")
	echo "$3" >"$tmp/$1/planted.c"
	mkdir -p "$(dirname "$tmp/$1/$2")"
	${CC:-cc} -c -o "$tmp/$1/$2" "$tmp/$1/planted.c"
}
plant up src/util/planted.o 'int ui_run(void); int planted_up(void) { return ui_run(); }'
out=$("$chk" "$tmp/up" 2>&1); rc=$?
check "a util object calling ui_run is refused ($rc: $out)" \
	bash -c '[ "$1" = 1 ] && grep -q "src/util/planted.o uses ui_run of src/ui/.* (ui above util)" <<<"$2"' _ "$rc" "$out"
# a circle: two files of one layer calling each other
mkdir -p "$tmp/circle"
(cd "$TOP/$B" && find src -name '*.o' | cpio -pdm --quiet "$tmp/circle")
echo 'int planted_b(void); int planted_a(void) { return planted_b(); }' >"$tmp/a.c"
echo 'int planted_a(void); int planted_b(void) { return planted_a(); }' >"$tmp/b.c"
${CC:-cc} -c -o "$tmp/circle/src/collect/planted_a.o" "$tmp/a.c"
${CC:-cc} -c -o "$tmp/circle/src/collect/planted_b.o" "$tmp/b.c"
out=$("$chk" "$tmp/circle" 2>&1); rc=$?
check "two collectors calling each other are refused as a circle ($rc: $out)" \
	bash -c '[ "$1" = 1 ] && grep -q "a circle between files: .*planted_[ab].o" <<<"$2"' _ "$rc" "$out"
# an upward #include: a copy of the sources, the objects as they are
mkdir -p "$tmp/inc"
cp -r "$TOP/src" "$tmp/inc/src"
echo '#include "../act/act.h"' >>"$tmp/inc/src/util/str.c"
echo '#include "collect/collect.h"' >>"$tmp/inc/src/snap.h"
out=$("$chk" "$TOP/$B" "$tmp/inc" 2>&1); rc=$? flat=${out//$'\n'/; }
check "a util file including the act header is refused ($rc: $flat)" \
	bash -c '[ "$1" = 1 ] && grep -q "^src/util/str.c includes src/act/act.h (act above util)$" <<<"$2"' _ "$rc" "$out"
check "the snap header including the collect header is refused ($rc)" \
	bash -c '[ "$1" = 1 ] && grep -q "^src/snap.h includes src/collect/collect.h (collect above snap)$" <<<"$2"' _ "$rc" "$out"
check "only the planted includes are named" \
	test "$(grep -c ' includes ' <<<"$out")" = 2
out=$("$chk" "$TOP/$B" "$tmp/nothing-here" 2>&1); rc=$?
check "no sources is an error, not a pass ($rc)" test "$rc" = 2
out=$("$chk" "$tmp/nothing-here" 2>&1); rc=$?
check "no objects is an error, not a pass ($rc)" test "$rc" = 2
echo "1..$n"
