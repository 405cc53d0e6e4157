#!/bin/bash
# check-help-man.sh NSTOP MANPAGE: every option of every subcommand's --help
# (src/cli_help.c's table) is an "Fl" of the man page; lists what is missing.
nstop=${1:?nstop binary} man=${2:?man page}
missing=""
for c in $("$nstop" _complete commands | cut -f1 | grep -vx help); do
	for o in $("$nstop" _complete options "$c" | cut -f1 | grep -vxE -- '-h|--help'); do
		grep -qE "Fl ${o#-}( |$)" "$man" || missing="$missing $c:$o"
	done
done
if [ -n "$missing" ]; then
	echo "check-help-man: not in $man:$missing" >&2
	exit 1
fi
