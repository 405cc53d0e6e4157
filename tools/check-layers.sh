#!/bin/bash
# The layering check (make test): calls go down, never up. Each object of
# src/ belongs to a layer by its source path; an object that uses a symbol
# defined by an object of a higher layer is a violation, printed as
# "FILE uses SYMBOL of FILE (LAYER above LAYER)". Exits 1 on any.
#   util < parse < sysroot < snap < collect < act < output < ui, cli < main
# parse: the pure parsers of kernel text (no I/O), below everything that
# reads the kernel; snap: the model (types, lookups) that collectors fill;
# output: the column table, the writers and the config file; ui and cli
# side by side (neither calls the other); main dispatches to either.
# Then no circle between files either: the file-to-file uses, sorted
# topologically by tsort(1), which names a loop when there is one.
# Usage: tools/check-layers.sh BUILD_DIR   (its src/**/*.o)
set -u
B=${1:-build}
layer_of() {
	case $1 in
	src/util/*) echo "0 util" ;;
	src/collect/parse.o) echo "1 parse" ;;
	src/sysroot.o | src/cgdir.o) echo "2 sysroot" ;;
	src/snap.o) echo "3 snap" ;;
	src/collect/*) echo "4 collect" ;;
	src/act/*) echo "5 act" ;;
	src/column.o | src/column_cg.o | src/output.o | src/config.o) echo "6 output" ;;
	src/ui/*) echo "7 ui" ;;
	src/cli*.o) echo "7 cli" ;;
	src/main.o) echo "8 main" ;;
	*) echo "9 unknown" ;;
	esac
}
cd "$B" || { echo "check-layers: no $B" >&2; exit 2; }
objs=$(find src -name '*.o' | sort)
[ -n "$objs" ] || { echo "check-layers: no objects under $B/src" >&2; exit 2; }
declare -A def_file lay_num lay_name
for o in $objs; do
	read -r num name <<<"$(layer_of "$o")"
	[ "$name" = unknown ] && { echo "check-layers: $o is in no layer (add it to tools/check-layers.sh)" >&2; exit 2; }
	lay_num[$o]=$num lay_name[$o]=$name
	while read -r _ _ sym; do def_file[$sym]=$o; done < <(nm --defined-only "$o" | awk '$2 ~ /^[TDRBGSV]$/')
done
bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for o in $objs; do
	while read -r _ sym; do
		d=${def_file[$sym]:-}
		[ -n "$d" ] && [ "$d" != "$o" ] || continue
		echo "$o $d" >>"$edges"
		# same number, other name: ui and cli side by side
		if [ "${lay_num[$d]}" -gt "${lay_num[$o]}" ] ||
			{ [ "${lay_num[$d]}" = "${lay_num[$o]}" ] && [ "${lay_name[$d]}" != "${lay_name[$o]}" ]; }; then
			echo "$o uses $sym of $d (${lay_name[$d]} above ${lay_name[$o]})"
			bad=1
		fi
	done < <(nm -u "$o")
done
loop=$(sort -u "$edges" | tsort 2>&1 >/dev/null | sed -n 's/^tsort: \(src\/.*\.o\)$/\1/p' | tr '\n' ' ')
if [ -n "$loop" ]; then
	echo "a circle between files: $loop"
	bad=1
fi
exit $bad
