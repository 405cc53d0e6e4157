# The one Docker engine every suite that needs Docker shares (root).
# docker_up: when a dockerd answers on /run/docker.sock it is used
# read-mostly (the test's own image and containers only, never stopped or
# reconfigured); else Debian's /usr/sbin/dockerd is started with everything of
# its own under a temp dir (data, exec root, pidfile, socket, config), no
# iptables, no bridge, the cgroupfs driver, inside a cgroup nstop-docker-PID
# made beneath the test's own in every hierarchy, so that it, its containerd,
# the shims and, through a relative --cgroup-parent, the containers all land
# beneath the test's cgroup. A busybox image is imported from busybox-static
# (no registry is reachable). docker_down undoes exactly what docker_up did.
# Use: docker_up || { skip "...: $DOCKER_WHY"; exit 0; }; dk_run ID ...; dk ...; docker_down
# shellcheck shell=bash disable=SC2034
DOCKER_BIN=/usr/bin/docker    # Debian's; /usr/local/bin may hold another CLI
DOCKERD_BIN=/usr/sbin/dockerd
DOCKER_SYS_SOCK=/run/docker.sock
DOCKER_MINE='' DOCKER_PID='' DOCKER_TMP='' DOCKER_SOCK='' DOCKER_WHY='' DOCKER_IMAGE=''
DOCKER_UP_MS='' DOCKER_DOWN_MS='' DOCKER_IMPORTED=''
DOCKER_CGS=() DOCKER_CTRS=() DOCKER_RUNDIRS=()

dk() { DOCKER_CONFIG=${DOCKER_TMP:-/nonexistent}/cli "$DOCKER_BIN" -H "unix://$DOCKER_SOCK" "$@"; }

# dk_run VAR ARGS...: docker run -d, VAR set to the id, the container
# remembered for docker_down (a variable, not output: a $(...) subshell
# would forget it)
dk_run() {
	local _var=$1 _id
	shift
	_id=$(dk run -d "$@") || return 1
	DOCKER_CTRS+=("$_id")
	printf -v "$_var" %s "$_id"
}

# "MOUNTPOINT OWNPATH" for every cgroup hierarchy, the own path read from
# /proc/self/cgroup (v1 by its controller list, "0::" for cgroup2)
docker_cg_hier() {
	awk 'FNR == NR { i = index($0, ":"); r = substr($0, i + 1); j = index(r, ":")
			own[substr(r, 1, j - 1)] = substr(r, j + 1); next }
	     / - cgroup2? / { split($0, h, " - "); split(h[1], m, " "); split(h[2], f, " ")
			if (f[1] == "cgroup2") { if ("" in own) print m[5], own[""]; next }
			n = split(f[3], o, ","); delete have
			for (i = 1; i <= n; i++) have[o[i]] = 1
			for (k in own) { if (k == "") continue
				c = split(k, kk, ","); all = 1
				for (i = 1; i <= c; i++) if (!(kk[i] in have)) all = 0
				if (all) { print m[5], own[k]; break } } }' /proc/self/cgroup /proc/self/mountinfo
}

# The daemon's cgroup, NAME beneath the own one in every hierarchy; v1
# cpuset needs cpus and mems before it takes a process (copied from the
# parent into our new cgroup, the parent itself is not written)
docker_cg_make() {
	local name=$1 mnt own d
	while read -r mnt own; do
		d=$mnt${own%/}/$name
		mkdir "$d" || return 1
		DOCKER_CGS+=("$d")
		if [ -f "$d/cpuset.cpus" ]; then
			cat "${d%/*}/cpuset.cpus" >"$d/cpuset.cpus" &&
				cat "${d%/*}/cpuset.mems" >"$d/cpuset.mems" || return 1
		fi
	done < <(docker_cg_hier)
	[ ${#DOCKER_CGS[@]} -gt 0 ]
}

docker_pid_gone() { # gone or a zombie
	local s
	s=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$s" ] || [ "$s" = Z ]
}

# A root tree as a tar on stdout: /bin/busybox, a link per applet, the
# directories a runtime mounts over
docker_busybox_tar() {
	python3 -c '
import subprocess, sys, tarfile
apps = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True, check=True).stdout.split()
with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as t:
    for d in ("bin", "dev", "etc", "proc", "sys", "tmp"):
        i = tarfile.TarInfo(d)
        i.type, i.mode = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755
        t.addfile(i)
    t.add("/bin/busybox", "bin/busybox")
    for a in apps:
        if a != "busybox":
            i = tarfile.TarInfo("bin/" + a)
            i.type, i.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(i)
'
}

# docker_up: 0 with dk ready and $DOCKER_IMAGE imported, else 1 with
# $DOCKER_WHY saying why and how to get it
docker_up() {
	local t0 i
	if [ -n "$DOCKER_TMP" ]; then
		DOCKER_WHY="docker_up: already up (docker_down first)"; return 1
	fi
	DOCKER_MINE='' DOCKER_PID='' DOCKER_CGS=() DOCKER_CTRS=() DOCKER_RUNDIRS=() DOCKER_IMPORTED=''
	if [ ! -x "$DOCKERD_BIN" ] || [ ! -x "$DOCKER_BIN" ] || ! command -v containerd >/dev/null ||
		! command -v runc >/dev/null; then
		DOCKER_WHY="Debian's docker.io (dockerd, containerd, runc) is not installed; 'make deps-runtimes' installs it"
		return 1
	fi
	DOCKER_TMP=$(mktemp -d /tmp/nstop-docker.XXXXXX) || return 1
	mkdir "$DOCKER_TMP/cli"
	if [ -S "$DOCKER_SYS_SOCK" ] && DOCKER_SOCK=$DOCKER_SYS_SOCK dk version >/dev/null 2>&1; then
		# the machine's own engine: used, never stopped or changed
		DOCKER_SOCK=$DOCKER_SYS_SOCK
		DOCKER_IMAGE=nstop-test-busybox:$$
	else
		if ! grep -q ' - cgroup ' /proc/self/mountinfo; then
			# a cgroup holding the daemon cannot also hold the containers'
			# cgroups with controllers (no internal processes) on pure v2
			DOCKER_WHY="pure cgroup v2: the test dockerd runs on hybrid or v1 hosts only"
			rm -rf "$DOCKER_TMP"; DOCKER_TMP=; return 1
		fi
		DOCKER_MINE=1
		DOCKER_SOCK=$DOCKER_TMP/docker.sock
		DOCKER_IMAGE=busybox
		# made outside its roots whatever the flags say: the shims' sockets
		# in /run/containerd/s, plugin sockets in /run/docker/plugins
		DOCKER_RUNDIRS=()
		for i in /run/containerd /run/docker; do [ -e $i ] || DOCKER_RUNDIRS+=("$i"); done
		# and its identity key in /etc/docker unless told otherwise
		printf '{"deprecated-key-path": "%s"}\n' "$DOCKER_TMP/key.json" >"$DOCKER_TMP/daemon.json"
		# runc (1.1) puts a container beneath its own cgroup + PARENT in v1
		# hierarchies, but at the unified mount + PARENT on a hybrid host:
		# a PARENT that starts with the own unified path lands beneath
		# ours in both (in v1 as nstop-docker-PID/[own/]nstop-docker-PID/docker/ID;
		# "docker" before the id is how Docker's cgroupfs paths look)
		local own_u parent
		own_u=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
		own_u=${own_u#/} own_u=${own_u%/}
		parent=${own_u:+$own_u/}nstop-docker-$$/docker
		docker_cg_make "nstop-docker-$$" || { DOCKER_WHY="cannot make its cgroup beneath the own one"; docker_down; return 1; }
		t0=$(date +%s%N)
		# stopped until it is in its cgroups, so containerd and the shims
		# it starts are in them too; vfs: no overlay mounts on the host
		bash -c 'kill -STOP $$; exec "$@"' _ "$DOCKERD_BIN" \
			--config-file "$DOCKER_TMP/daemon.json" \
			--data-root "$DOCKER_TMP/data" --exec-root "$DOCKER_TMP/run" \
			--pidfile "$DOCKER_TMP/dockerd.pid" -H "unix://$DOCKER_SOCK" \
			--iptables=false --ip-forward=false --ip-masq=false --bridge=none \
			--userland-proxy=false --storage-driver=vfs \
			--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent="$parent" \
			</dev/null >"$DOCKER_TMP/dockerd.log" 2>&1 &
		DOCKER_PID=$!
		for i in $(seq 500); do
			[ "$(awk '{ sub(/.*\) /, ""); print $1 }' /proc/$DOCKER_PID/stat 2>/dev/null)" = T ] && break
			sleep 0.01
		done
		for i in "${DOCKER_CGS[@]}"; do
			echo "$DOCKER_PID" >"$i/cgroup.procs" || { DOCKER_WHY="cannot move dockerd into $i"; docker_down; return 1; }
		done
		kill -CONT "$DOCKER_PID"
		# bounded: a daemon that does not answer in 60 s is a failure
		for i in $(seq 600); do
			dk version >/dev/null 2>&1 && break
			if docker_pid_gone "$DOCKER_PID"; then
				DOCKER_WHY="dockerd exited: $(grep -v '^$' "$DOCKER_TMP/dockerd.log" | tail -2 | tr '\n' ' ' | cut -c1-300)"
				docker_down; return 1
			fi
			sleep 0.1
		done
		if ! dk version >/dev/null 2>&1; then
			DOCKER_WHY="dockerd did not answer within 60 s"; docker_down; return 1
		fi
		DOCKER_UP_MS=$((($(date +%s%N) - t0) / 1000000))
	fi
	# the image: busybox-static and a link per applet, as a tar made in
	# one process (a fork of ln per applet costs a second here)
	if [ ! -x /bin/busybox ]; then
		DOCKER_WHY="no /bin/busybox (busybox-static, make deps)"; docker_down; return 1
	fi
	if ! docker_busybox_tar | dk import - "$DOCKER_IMAGE" >/dev/null 2>"$DOCKER_TMP/import.err"; then
		DOCKER_WHY="docker import failed: $(head -c 300 "$DOCKER_TMP/import.err")"; docker_down; return 1
	fi
	DOCKER_IMPORTED=1
	return 0
}

# docker_down: removes what docker_up and dk_run made, stops only a daemon
# docker_up started (by pid: TERM, a bounded wait, KILL), then everything
# still in its cgroups (containerd, shims), its mounts, cgroups and files.
docker_down() {
	local i c p m t0
	t0=$(date +%s%N)
	if [ -z "$DOCKER_MINE" ]; then
		[ -n "$DOCKER_SOCK" ] || { [ -z "$DOCKER_TMP" ] || rm -rf "$DOCKER_TMP"; DOCKER_TMP=; return 0; }
		for c in "${DOCKER_CTRS[@]}"; do dk rm -f "$c" >/dev/null 2>&1; done
		[ -z "${DOCKER_IMPORTED:-}" ] || dk rmi "$DOCKER_IMAGE" >/dev/null 2>&1
	else
		# a container a test froze (v1 freezer, unified cgroup.freeze)
		# would not die from the KILL below when the daemon is gone (runc
		# thaws what it kills itself): thawed first, in our cgroups only
		for c in "${DOCKER_CGS[@]}"; do
			find "$c" \( -name freezer.state -o -name cgroup.freeze \) -exec sh -c \
				'for f; do case $f in *.state) echo THAWED ;; *) echo 0 ;; esac >"$f"; done' _ {} + 2>/dev/null
		done
		local ids=("${DOCKER_CTRS[@]}")
		if [ -n "$DOCKER_PID" ] && ! docker_pid_gone "$DOCKER_PID"; then
			# every container of our own daemon is ours
			c=$(DOCKER_CONFIG=$DOCKER_TMP/cli timeout 20 "$DOCKER_BIN" -H "unix://$DOCKER_SOCK" ps -aq --no-trunc 2>/dev/null)
			# shellcheck disable=SC2206
			ids+=($c)
			# shellcheck disable=SC2086
			[ -z "$c" ] || DOCKER_CONFIG=$DOCKER_TMP/cli timeout 30 "$DOCKER_BIN" -H "unix://$DOCKER_SOCK" rm -f $c >/dev/null 2>&1
			kill -TERM "$DOCKER_PID" 2>/dev/null
			for i in $(seq 200); do docker_pid_gone "$DOCKER_PID" && break; sleep 0.1; done
			docker_pid_gone "$DOCKER_PID" || kill -KILL "$DOCKER_PID" 2>/dev/null
		fi
		[ -z "$DOCKER_PID" ] || wait "$DOCKER_PID" 2>/dev/null
		# what is left in our cgroups was started by our daemon (containerd,
		# orphaned shims, containers): killed by pid, until they are empty
		for i in $(seq 100); do
			p=
			for c in "${DOCKER_CGS[@]}"; do
				[ -d "$c" ] && p="$p $(find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null)"
			done
			[ -z "${p// /}" ] && break
			# shellcheck disable=SC2086
			kill -KILL $p 2>/dev/null
			sleep 0.05
		done
		# deepest first: the containers' cgroups, then ours
		for c in "${DOCKER_CGS[@]}"; do
			for i in 1 2 3 4 5 6 7 8 9 10; do
				[ -d "$c" ] || break
				find "$c" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
				rmdir "$c" 2>/dev/null && break
				sleep 0.2
			done
		done
		if [ -n "$DOCKER_TMP" ]; then
			# mounts the daemon left under its roots (netns files, ...), deepest first
			awk -v d="$DOCKER_TMP/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
				while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
		fi
		# a shim killed above left its socket, named (containerd 1.6) by
		# the sha256 of containerd's address, namespace and container id
		for c in "${ids[@]}"; do
			p=/run/containerd/s/$(printf %s "$DOCKER_TMP/run/containerd/containerd.sock/moby/$c" | sha256sum | cut -d' ' -f1)
			[ ! -S "$p" ] || rm -f "$p"
		done
		# only when empty: a second test daemon may use them now
		for i in "${DOCKER_RUNDIRS[@]}"; do
			find "$i" -depth -type d -empty -delete 2>/dev/null
		done
	fi
	[ -z "$DOCKER_TMP" ] || rm -rf --one-file-system "$DOCKER_TMP"
	DOCKER_DOWN_MS=$((($(date +%s%N) - t0) / 1000000))
	DOCKER_TMP='' DOCKER_PID='' DOCKER_MINE='' DOCKER_SOCK='' DOCKER_CGS=() DOCKER_CTRS=() DOCKER_IMPORTED=''
}
