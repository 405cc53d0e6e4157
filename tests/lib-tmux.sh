# The dashboard driven in tmux on the suite's private server ($sock),
# session $TSESS (e2e unless set). see prints SEE_LINES lines of the screen
# when the text does not come; notsee looks after NOTSEE_WAIT seconds.
# shellcheck shell=bash
TSESS=${TSESS:-e2e}
T() { tmux -L "$sock" "$@"; }
tmux_stop() { # the server and its socket file
	T kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
}
screen() { T capture-pane -p -t "$TSESS"; }
# waits until the screen shows a fixed string (up to 10 s: CI may be busy)
wait_for() {
	local _i
	for _i in $(seq 100); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
	return 1
}
see() { # see DESC TEXT
	if wait_for "$2"; then
		ok "$1"
	else
		notok "$1: '$2' not on screen"
		screen | head -"${SEE_LINES:-14}" | sed 's/^/#   /'
	fi
}
notsee() { # notsee DESC TEXT, once the screen has settled
	sleep "${NOTSEE_WAIT:-0.4}"
	if screen | grep -qF -- "$2"; then notok "$1: '$2' is on screen"; else ok "$1"; fi
}
keys() { T send-keys -t "$TSESS" "$@"; sleep 0.3; }
