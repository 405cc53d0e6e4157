#!/bin/bash
# Shell completion in each real shell: bash (COMP_WORDS through the
# function), zsh (compinit, the _nstop function with compadd captured) and
# fish (complete -C). Each must offer what nstop's own table lists (nstop
# _complete: the table --help prints), so none can drift from the others or
# from the parsers the cli suite checks it against; container names come
# from the v2 fixture through --sysroot.
. "$TOP/tests/lib.sh"
tmp=$(mktemp -d /tmp/nstop-comp.XXXXXX)
trap 'rm -rf "$tmp"; cleanup_tmp' EXIT
# the shells complete the command "nstop": one on PATH
mkdir "$tmp/bin" && ln -s "$NSTOP" "$tmp/bin/nstop"
export PATH=$tmp/bin:$PATH
fx=$FIXTURES/v2
want_cmds=$(nstop _complete commands | cut -f1 | sort | tr '\n' ' ')
want_opts=$(nstop _complete options create | cut -f1 | sort | tr '\n' ' ')
want_rm=$(nstop --sysroot "$fx" containers -d 0 -H -o NAME,RUNTIME | awk '$2 == "nstop" { print $1 }' | sort | tr '\n' ' ')
check "nstop _complete lists commands (limit among them), options (--cpus among create's)" \
	bash -c '[[ " $1" == *" limit "* && " $2" == *" --cpus "* && -n "$3" ]]' _ "$want_cmds" "$want_opts" "$want_rm"
norm() { sort | tr '\n' ' '; }

# ---- bash ----
bcomp() { # bcomp WORD...: what completing the last word offers
	bash -c 'source "$1/completions/nstop.bash"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nstop; printf "%s\n" "${COMPREPLY[@]}"' _ "$TOP" "$@"
}
check "bash: the subcommands, all of nstop's table" test "$(bcomp nstop "" | grep -v '^-' | norm)" = "$want_cmds"
check "bash: create's options, all of nstop's table" test "$(bcomp nstop create x - | norm)" = "$want_opts"
check "bash: a prefix: nstop fr -> freeze" test "$(bcomp nstop fr)" = freeze
check "bash: rm offers nstop's containers" test "$(bcomp nstop --sysroot "$fx" rm "" | norm)" = "$want_rm"
# a target cgroup at any depth, not the listing's default 3
check "bash: limit / offers every cgroup, those deeper than 3 too" \
	test "$(bcomp nstop --sysroot "$fx" limit / | norm)" = "$(nstop --sysroot "$fx" cgroups --depth all -d 0 -H -o PATH | norm)" -a \
	"$(bcomp nstop --sysroot "$fx" limit / | awk -F/ 'NF > 4' | wc -l)" -gt 0
check "bash: --depth offers all" bash -c '[[ " $(printf "%s " $1) " == *" all "* ]]' _ "$(bcomp nstop cgroups --depth "")"

# ---- zsh ----
if command -v zsh >/dev/null; then
	cat >"$tmp/zcomp.zsh" <<'ZSH'
# zsh -f zcomp.zsh DIR WORD...: what _nstop offers for the last word
autoload -U compinit && compinit -u -D
fpath=($1 $fpath); shift
autoload -U _nstop
# compadd captured: the words after --, one a line
compadd() { local a s=0; for a in "$@"; do if ((s)); then print -r -- "$a"; elif [[ $a == -- ]]; then s=1; fi; done }
words=("$@"); CURRENT=$#
_nstop
ZSH
	zcomp() { zsh -f "$tmp/zcomp.zsh" "$TOP/completions" "$@" 2>&1; }
	check "zsh: the subcommands, all of nstop's table" test "$(zcomp nstop "" | norm)" = "$want_cmds"
	check "zsh: create's options, all of nstop's table" test "$(zcomp nstop create x - | norm)" = "$want_opts"
	check "zsh: no container name after an option that takes a value (limit x --cpus)" \
		test -z "$(zcomp nstop --sysroot "$fx" limit x --cpus "")"
	check "zsh: container names after a flag (limit x --force)" test -n "$(zcomp nstop --sysroot "$fx" limit x --force "")"
	check "zsh: rm offers nstop's containers" test "$(zcomp nstop --sysroot "$fx" rm "" | norm)" = "$want_rm"
	check "zsh: the function loads in a real completion system (compinit, no error)" \
		bash -c '[ -z "$(zsh -fc "autoload -U compinit && compinit -u -D; fpath=($1 \$fpath); autoload -U +X _nstop" 2>&1)" ]' _ "$TOP/completions"
else
	skip "zsh is not installed (make deps-runtimes)"
fi

# ---- fish ----
if command -v fish >/dev/null; then
	fcomp() { fish -c "source '$TOP/completions/nstop.fish'; complete -C \"$1\"" 2>&1 | cut -f1; }
	check "fish: the subcommands, all of nstop's table" test "$(fcomp "nstop " | norm)" = "$want_cmds"
	check "fish: a prefix: nstop fr -> freeze" test "$(fcomp "nstop fr")" = freeze
	check "fish: create's options, all of nstop's table" test "$(fcomp "nstop create x -" | norm)" = "$want_opts"
	check "fish: docker's aliases among limit's (--pids-limit)" test "$(fcomp "nstop limit x --pids" | norm)" = "--pids --pids-limit "
	check "fish: no container name after an option that takes a value (limit x --cpus)" \
		test -z "$(fcomp "nstop --sysroot $fx limit x --cpus ")"
	check "fish: container names after a flag (limit x --force)" test -n "$(fcomp "nstop --sysroot $fx limit x --force ")"
	check "fish: rm offers nstop's containers" test "$(fcomp "nstop --sysroot $fx rm " | norm)" = "$want_rm"
else
	skip "fish is not installed (make deps-runtimes)"
fi
echo "1..$n"
