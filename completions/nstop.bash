# bash completion for nstop(8): subcommands, options, signal names, column
# names, and container names and cgroup paths taken from nstop itself.
# shellcheck shell=bash

_nstop_list() { # the lines of a nstop listing, or nothing (quietly) on error
	"$_nstop_bin" --no-config ${_nstop_sysroot:+--sysroot "$_nstop_sysroot"} "$@" 2>/dev/null
}

_nstop() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local _nstop_bin=${COMP_WORDS[0]}
	local cmds="ns cgroups ps snapshot containers limit freeze thaw kill undo audit create enter rm logs metrics serve"
	local cmd="" i _nstop_sysroot=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--sysroot) _nstop_sysroot=${COMP_WORDS[i + 1]}; ((i++)) ;;
		-d | --interval | --audit-log) ((i++)) ;;
		--) break ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	COMPREPLY=()
	case $prev in
	-s | --signal)
		mapfile -t COMPREPLY < <(compgen -W "TERM KILL INT HUP STOP CONT USR1 USR2 QUIT" -- "${cur#SIG}")
		return ;;
	-t | --type)
		mapfile -t COMPREPLY < <(compgen -W "cgroup ipc mnt net pid time user uts" -- "$cur")
		return ;;
	--ns)
		if [ "$cmd" = ps ]; then return; fi
		# a comma-separated list: complete its last element
		local head=${cur%,*} last=${cur##*,}
		[ "$head" = "$cur" ] && head="" || head="$head,"
		mapfile -t COMPREPLY < <(compgen -P "$head" -W "cgroup ipc mnt net pid time user uts" -- "$last")
		compopt -o nospace 2>/dev/null
		return ;;
	--tree)
		mapfile -t COMPREPLY < <(compgen -W "owner parent process" -- "$cur")
		return ;;
	--net)
		mapfile -t COMPREPLY < <(compgen -W "none host veth veth:" -- "$cur")
		return ;;
	--sysroot | --rootfs)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--audit-log)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--cgroup | --cgroup-parent)
		mapfile -t COMPREPLY < <(compgen -W "$(_nstop_list cgroups -d 0 -H -o PATH)" -- "$cur")
		return ;;
	-o | --output)
		[ -n "$cmd" ] || return
		mapfile -t COMPREPLY < <(compgen -W "$(_nstop_list "$cmd" --list-columns | awk '{ print $1 }')" -- "$cur")
		return ;;
	-d | --interval | --cpu | --memory | --memory-high | --swap | --pids | --grace | --timeout | \
		--hostname | --pid | -n | --count)
		return ;;
	esac
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$cmds -d --interval -r --read-only --no-color --no-config --audit-log --sysroot -h --help --help-keys -V --version" -- "$cur")
		return
	fi
	local opts=""
	case $cmd in
	ns) opts="-t --type --tree -l -J --json -o --output -H --noheadings --list-columns" ;;
	cgroups) opts="-d --interval -n --count -J --json -o --output -H --noheadings --list-columns" ;;
	ps) opts="--ns --cgroup -d --interval -J --json -o --output -H --noheadings --list-columns" ;;
	containers) opts="-d --interval -J --json -o --output -H --noheadings --list-columns" ;;
	snapshot) opts="--json -d --interval" ;;
	limit) opts="--cpu --memory --memory-high --swap --pids --force --audit-log" ;;
	freeze | thaw) opts="--timeout --audit-log" ;;
	kill) opts="-s --signal --grace --pid --audit-log" ;;
	undo) opts="--audit-log" ;;
	audit) opts="-J --json --audit-log" ;;
	create) opts="--ns --rootfs --hostname --cgroup-parent --cpu --memory --pids --net --privileged --audit-log" ;;
	enter) opts="--ns --privileged --no-tty --audit-log" ;;
	rm) opts="-f --force --grace --audit-log" ;;
	logs) opts="-f --follow --tail --since -t --timestamps" ;;
	metrics) opts="--textfile --cgroup-depth" ;;
	serve) opts="--listen --insecure --cgroup-depth" ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	case $cmd in
	limit | freeze | thaw | kill | undo | enter)
		if [[ $cur == /* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_nstop_list cgroups -d 0 -H -o PATH)" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_nstop_list containers -d 0 -H -o NAME,FULL_ID | awk '$1 != "-" { print $1 } { print $2 }')" -- "$cur")
		fi ;;
	rm)
		mapfile -t COMPREPLY < <(compgen -W "$(_nstop_list containers -d 0 -H -o NAME,RUNTIME | awk '$2 == "nstop" { print $1 }')" -- "$cur") ;;
	logs)
		mapfile -t COMPREPLY < <(compgen -W "$(_nstop_list containers -d 0 -H -o NAME,RUNTIME | awk '$1 != "-" && ($2 == "nstop" || $2 == "docker" || $2 == "podman") { print $1 }')" -- "$cur") ;;
	esac
}
complete -F _nstop nstop
