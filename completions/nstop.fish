# fish completion for nstop(8): subcommands and each one's options from nstop
# itself (nstop _complete: the table its --help prints, so they cannot
# drift), container names from nstop containers, against --sysroot when one
# is on the command line.

function __nstop_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l pre $tokens[1] --no-config
    set -l cmd
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --sysroot
                set i (math $i + 1)
                set -a pre --sysroot $tokens[$i]
            case -d --interval --audit-log
                set i (math $i + 1)
            case --
                break
            case '-*'
            case '*'
                set cmd $tokens[$i]
                break
        end
        set i (math $i + 1)
    end
    if test -z "$cmd"
        $pre _complete commands 2>/dev/null
        return
    end
    set -l opts ($pre _complete options $cmd 2>/dev/null)
    # the previous word an option that takes a value: nothing to offer
    for l in $opts
        set -l f (string split \t -- $l)
        if test "x$f[1]" = "x$tokens[-1]"; and test -n "$f[2]"
            return
        end
    end
    if string match -q -- '-*' $cur
        for l in $opts
            set -l f (string split \t -- $l)
            printf '%s\t%s\n' $f[1] $f[3]
        end
        return
    end
    switch $cmd
        case help
            $pre _complete commands 2>/dev/null | string match -v -r '^help\t'
        case limit freeze thaw kill undo enter logs
            $pre containers -d 0 -H -o NAME 2>/dev/null | string match -v -- -
        case rm
            $pre containers -d 0 -H -o NAME,RUNTIME 2>/dev/null | awk '$2 == "nstop" { print $1 }'
    end
end

complete -c nstop -f -a '(__nstop_complete)'
