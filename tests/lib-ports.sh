# The ports tests' tools (tests/suites/ports.sh, tests/escape/ports.sh):
# each one's stand-in where it is missing (the v2 guest has no python3,
# curl or ss), free ports, a process gone, the busybox image.
# PORTS_WITHOUT="python3 curl ss" tries the stand-ins where the tools are
have() { command -v "$1" >/dev/null && [[ " ${PORTS_WITHOUT:-} " != *" $1 "* ]]; }
fetch() { # fetch URL: the body
	# (busybox 1.35's wget -T crashes: timeout(1) bounds it instead)
	if have curl; then curl -g -s -m 3 "$1"; else timeout 5 busybox wget -q -O - "$1"; fi
}
# proc_socks PROTO FILE STATE: "PROTO IP:PORT" per socket of /proc/net/FILE
# in that state (hex, as the kernel writes it; "" any); of FILE6 too, as ss
# writes them ([::1], [::], else the kernel's hex in brackets)
proc_socks() {
	local sl loc rem st rest h f
	for f in "$2" "${2}6"; do
		[ -r "/proc/net/$f" ] || continue
		while read -r sl loc rem st rest; do
			[ "$sl" = sl ] && continue
			[ -z "$3" ] || [ "$st" = "$3" ] || continue
			h=${loc%:*}
			case $h in
			00000000000000000000000001000000) h="[::1]" ;;
			00000000000000000000000000000000) h="[::]" ;;
			????????????????????????????????) h="[$h]" ;;
			*) h="$((16#${h:6:2})).$((16#${h:4:2})).$((16#${h:2:2})).$((16#${h:0:2}))" ;;
			esac
			echo "$1 $h:$((16#${loc#*:}))"
		done <"/proc/net/$f"
	done
}
# has_ipv6: the host has ::1 (the ports' IPv6 sides are bound)
has_ipv6() { grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; }
# listeners: "tcp IP:PORT" per listening TCP socket, "udp IP:PORT" per bound
# UDP one of this network namespace (ss -ltn and ss -lun, else /proc/net)
listeners() {
	if have ss; then
		ss -Hltn | awk '{ print "tcp " $4 }'
		ss -Hlun | awk '{ print "udp " $4 }'
	else
		proc_socks tcp tcp 0A
		proc_socks udp udp 07
	fi
}
listens() { listeners | grep -qxF "$1"; }         # listens "tcp 127.0.0.1:80", "tcp [::1]:80"
nolistener() { ! listeners | grep -qE ":($1)\$"; } # nolistener "80|81"
# free_port START: the first port from START no socket of any state holds
used=()
free_port() {
	local p=$1
	while { proc_socks tcp tcp ""; proc_socks udp udp ""; } | grep -q ":$p\$" ||
		[[ " ${used[*]} " == *" $p "* ]]; do
		p=$((p + 1))
	done
	used+=("$p")
	echo "$p"
}
# gone PID: the process ended (a zombie awaiting its reaper counts as gone)
gone() {
	local _ s
	for _ in $(seq 50); do
		s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
		[ -z "$s" ] || [ "$s" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
# mk_layout OUT: an OCI layout of one layer, busybox-static and its links,
# made without python3 (tar, gzip, sha256sum, jq)
mk_layout() {
	local out=$1 r=$1.root a d l c m
	mkdir -p "$r/bin" "$out/blobs/sha256"
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in sh httpd nc wc cat sleep echo; do ln -s busybox "$r/bin/$a"; done
	tar -C "$r" -cf "$out.tar" bin || return 1
	d=$(sha256sum <"$out.tar" | cut -c1-64)
	gzip -c "$out.tar" >"$out.gz"
	l=$(sha256sum <"$out.gz" | cut -c1-64)
	mv "$out.gz" "$out/blobs/sha256/$l"
	jq -cn --arg d "sha256:$d" '{architecture: "amd64", os: "linux", config: {Env: ["PATH=/bin"]},
		rootfs: {type: "layers", diff_ids: [$d]}}' >"$out.cfg"
	c=$(sha256sum <"$out.cfg" | cut -c1-64)
	jq -cn --arg c "sha256:$c" --argjson cs "$(stat -c %s "$out.cfg")" --arg l "sha256:$l" \
		--argjson ls "$(stat -c %s "$out/blobs/sha256/$l")" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' >"$out.man"
	m=$(sha256sum <"$out.man" | cut -c1-64)
	mv "$out.cfg" "$out/blobs/sha256/$c"
	jq -cn --arg m "sha256:$m" --argjson ms "$(stat -c %s "$out.man")" '{schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
		platform: {architecture: "amd64", os: "linux"}}]}' >"$out/index.json"
	mv "$out.man" "$out/blobs/sha256/$m"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
}

# ports_image TMP: the busybox image imported as bb (mkimage.py's layout,
# else mk_layout's)
ports_image() {
	if have python3; then
		python3 "$TOP/tests/helpers/mkimage.py" layout "$1/lay" "$(command -v busybox)" >/dev/null
	else
		mk_layout "$1/lay"
	fi
}
