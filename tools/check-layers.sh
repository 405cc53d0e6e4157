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
# Then the headers: each layer has its own (src/util/util.h, ..., src/cli.h),
# mapped to a layer by its path like the objects; a source file or header
# that #includes a project header of a higher layer is a violation, printed
# as "FILE includes HEADER (LAYER above LAYER)". A header brings the layers
# below it into every file that includes it, so an upward #include is an
# upward use waiting to happen, before any symbol shows it.
# Usage: tools/check-layers.sh BUILD_DIR [SOURCE_DIR]
#   (BUILD_DIR's src/**/*.o; SOURCE_DIR's src/**/*.[ch], default this checkout)
set -u
B=${1:-build}
S=${2:-$(dirname "$0")/..}
S=$(cd "$S" 2>/dev/null && pwd) && [ -d "$S/src" ] || { echo "check-layers: no src/ in ${2:-$(dirname "$0")/..}" >&2; exit 2; }
layer_of() {
	case $1 in
	src/util/*) echo "0 util" ;;
	src/collect/parse.o | src/collect/parse_cg.o | src/collect/logparse.o) echo "1 parse" ;;
	src/collect/recfmt.o) echo "1 parse" ;;
	src/collect/recev.o) echo "1 parse" ;;
	src/collect/parse_web.o) echo "1 parse" ;;
	src/collect/parse_ev.o) echo "1 parse" ;;
	src/collect/parse_port.o) echo "1 parse" ;;
	src/sysroot.o | src/cgdir.o) echo "2 sysroot" ;;
	src/snap.o) echo "3 snap" ;;
	src/collect/*) echo "4 collect" ;;
	src/act/*) echo "5 act" ;;
	src/column.o | src/column_cg.o | src/column_cell.o | src/output.o | src/config.o) echo "6 output" ;;
	src/metrics.o) echo "6 output" ;;
	src/serve.o) echo "6 output" ;;
	src/serve_guard.o | src/serve_auth.o) echo "6 output" ;;
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
# the #include lines: a header's layer is its path's (src/snap.h as src/snap.o)
cd "$S" || exit 2
srcs=$(find src -name '*.[ch]' | sort)
[ -n "$srcs" ] || { echo "check-layers: no sources under $S/src" >&2; exit 2; }
for f in $srcs; do
	read -r num name <<<"$(layer_of "${f%.[ch]}.o")"
	[ "$name" = unknown ] && { echo "check-layers: $f is in no layer (add it to tools/check-layers.sh)" >&2; exit 2; }
	while read -r inc; do
		# quoted includes resolve from the file's own directory
		h=$(realpath -m --relative-to=. "$(dirname "$f")/$inc")
		case $h in src/*.h) ;; *) continue ;; esac
		read -r hnum hname <<<"$(layer_of "${h%.h}.o")"
		[ "$hname" = unknown ] && { echo "check-layers: $h (included by $f) is in no layer (add it to tools/check-layers.sh)" >&2; exit 2; }
		if [ "$hnum" -gt "$num" ] || { [ "$hnum" = "$num" ] && [ "$hname" != "$name" ]; }; then
			echo "$f includes $h ($hname above $name)"
			bad=1
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
exit $bad
