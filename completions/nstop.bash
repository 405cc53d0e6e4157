# bash completion for nstop(8): subcommands, options, signal names, column
# names, and container names and cgroup paths taken from nstop itself.
# shellcheck shell=bash

_nstop_list() { # the lines of a nstop listing, or nothing (quietly) on error
	"$_nstop_bin" --no-config ${_nstop_sysroot:+--sysroot "$_nstop_sysroot"} "$@" 2>/dev/null
}

_nstop_offer() { # COMPREPLY: the lines of stdin that begin with $cur
	# The lines come from nstop's listings: container names and cgroup
	# paths anyone with a delegated cgroup subtree may choose. compgen -W
	# would expand each word ($(...), `...`, $VAR) as the user pressing TAB,
	# often root: the words are compared literally here and quoted (%q) for
	# insertion, so none of them ever reaches an expansion.
	local w q
	local -a ws
	mapfile -t ws
	COMPREPLY=()
	for w in "${ws[@]}"; do
		[ -n "$w" ] || continue
		[[ "${w:0:${#cur}}" == "$cur" ]] || continue
		printf -v q '%q' "$w"
		COMPREPLY+=("$q")
	done
}

_nstop() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local _nstop_bin=${COMP_WORDS[0]}
	# nstop _complete commands lists them too; the config suite checks both agree
	local cmds="ns cgroups ps snapshot containers limit freeze thaw kill undo audit create enter rm logs metrics serve record events image help"
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
	--sysroot | --rootfs | --textfile)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--audit-log | --env-file | --replay)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--cgroup | --cgroup-parent)
		_nstop_offer < <(_nstop_list cgroups --depth all -d 0 -H -o PATH)
		return ;;
	--depth)
		mapfile -t COMPREPLY < <(compgen -W "all 0 1 2 3 4 5 6" -- "$cur")
		return ;;
	-o | --output)
		[ -n "$cmd" ] || return
		# record's is its history directory
		[ "$cmd" = record ] && { mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return; }
		_nstop_offer < <(_nstop_list "$cmd" --list-columns | awk '{ print $1 }')
		return ;;
	-d | --interval | --cpu | --cpus | --memory | -m | --memory-high | --swap | --memory-swap | --pids | \
		--pids-limit | --grace | --timeout | --hostname | --pid | -n | --count | -e | --env | \
		--bind | --tail | --since | --listen | --cgroup-depth | -w | --workdir | -u | --user | --at | --max-size | --duration | --until | \
		-p | --publish)
		return ;;
	esac
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$cmds -d --interval -r --read-only --no-color --no-mouse --no-config --audit-log --sysroot --replay --at -h --help --help-keys -V --version --bench-refresh --bench-view" -- "$cur")
		return
	fi
	# each subcommand's options: nstop's own table (the one its --help prints)
	if [[ $cur == -* ]]; then
		_nstop_offer < <(_nstop_list _complete options "$cmd" | cut -f1)
		return
	fi
	case $cmd in
	help)
		mapfile -t COMPREPLY < <(compgen -W "${cmds% help}" -- "$cur") ;;
	limit | freeze | thaw | kill | undo | enter)
		if [[ $cur == /* ]]; then
			_nstop_offer < <(_nstop_list cgroups --depth all -d 0 -H -o PATH)
		else
			_nstop_offer < <(_nstop_list containers -d 0 -H -o NAME,FULL_ID | awk '$1 != "-" { print $1 } { print $2 }')
		fi ;;
	rm)
		_nstop_offer < <(_nstop_list containers -d 0 -H -o NAME,RUNTIME | awk '$2 == "nstop" { print $1 }') ;;
	logs)
		_nstop_offer < <(_nstop_list containers -d 0 -H -o NAME,RUNTIME | awk '$1 != "-" && ($2 == "nstop" || $2 == "docker" || $2 == "podman") { print $1 }') ;;
	esac
}
complete -F _nstop nstop
