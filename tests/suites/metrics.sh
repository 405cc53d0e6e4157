#!/bin/bash
# nstop metrics against the real promtool (Debian's prometheus, make
# deps-runtimes): `promtool check metrics` exits 0 with no lint line on the
# host, on every fixture sysroot and with containers named with quotes,
# backslashes, newlines and invalid UTF-8; beyond promtool, no series twice
# and each family in one block; known fixture figures come out in base
# units; --textfile replaces DIR/nstop.prom atomically (a hidden temp name,
# synced, renamed; a reader never sees a partial file); a container made
# with nstop create --cpu/--memory shows its limits; usage errors exit 2.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-cg.sh"
if ! command -v promtool >/dev/null; then
	skip "metrics: promtool is missing (make deps-runtimes installs Debian's prometheus)"
	echo "1..$n"; exit 0
fi
tmp=$(mktemp -d /tmp/nstop-metrics.XXXXXX)
pids=() names=()
export NSTOP_STATE_DIR=$tmp/state
L=$tmp/audit.log
cleanup() {
	local p nm
	for nm in "${names[@]}"; do "$NSTOP" rm -f "$nm" --audit-log "$L" >/dev/null 2>&1; done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${CG_DIRS[*]}" ] && cg_cleanup
	ctr_parent_rm "nstop-metrics-$$"
	mountpoint -q "$tmp/full" 2>/dev/null && umount "$tmp/full"
	rm -rf "$tmp"
	cleanup_tmp
}
trap cleanup EXIT

# structure promtool does not check: every sample's family announced by HELP
# and TYPE before it, each family in one block, no series (name and labels)
# twice, and the last line complete
structure() { # structure FILE -> problems on stdout
	awk '
	/^# HELP / { if ($3 in help) print "second HELP for " $3; help[$3] = 1; cur = $3; next }
	/^# TYPE / { if ($3 in type) print "second TYPE for " $3; type[$3] = 1; next }
	/^#/ { print "stray comment: " $0; next }
	{
		name = $0; sub(/[{ ].*/, "", name)
		if (name != cur) print "sample outside its family block: " name
		if (!(name in type)) print "no TYPE before " name
		series = $0; sub(/ [^ ]*$/, "", series)
		if (series in seen) print "series twice: " series
		seen[series] = 1
	}' "$1"
	[ -s "$1" ] && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" != '\n' ] && echo "last line incomplete"
}

# one label set per family (the label names, in order): values blanked
# first, escapes and all, so a quote or comma in one cannot fake a name;
# every per-container family with the same six labels first
labelsets() { # labelsets FILE -> problems on stdout
	grep -v '^#' "$1" | sed 's/="\([^"\\]\|\\.\)*"//g; s/ [^ ]*$//' | awk '
	{
		name = $0; sub(/[{].*/, "", name); keys = $0; sub(/^[^{]*/, "", keys)
		if (name in ks && ks[name] != keys) print name ": labels " keys " and " ks[name]
		ks[name] = keys
		if (name ~ /^nstop_container_/ && index(keys, "{name,runtime,id,image,pod,namespace") != 1)
			print name ": not the container labels: " keys
	}' | sort -u
}

# promcheck DESC FILE: promtool exits 0, says nothing, and the structure holds
promcheck() {
	local d=$1 f=$2 out rc st
	out=$(promtool check metrics <"$f" 2>&1); rc=$?
	st=$(structure "$f"; labelsets "$f")
	if [ ! -s "$f" ] || ! grep -q '^nstop_build_info{' "$f"; then
		notok "$d: no metrics written"; sed 's/^/#   /' /tmp/nstop-err.$$ 2>/dev/null | head -3
	elif [ $rc = 0 ] && [ -z "$out" ] && [ -z "$st" ]; then
		ok "$d: promtool check metrics clean ($(grep -c '^# TYPE' "$f") families, $(grep -vc '^#' "$f") samples)"
	else
		notok "$d: promtool exit $rc"; printf '%s\n%s\n' "$out" "$st" | head -8 | sed 's/^/#   /'
	fi
}

# ---- the host ----
expect_exit 0 "nstop metrics on the host" metrics
cp /tmp/nstop-out.$$ "$tmp/host.prom"
promcheck "the host" "$tmp/host.prom"
check "... HELP and TYPE on every family" test "$(grep -c '^# HELP ' "$tmp/host.prom")" = "$(grep -c '^# TYPE ' "$tmp/host.prom")"
check "... its own scrape duration in seconds" grep -Eq '^nstop_scrape_duration_seconds [0-9.e+-]+$' "$tmp/host.prom"
check "... no scrape error on the host" grep -qx 'nstop_scrape_errors 0' "$tmp/host.prom"
check "... namespaces per type" grep -Eq '^nstop_namespaces\{type="net"\} [1-9][0-9]*$' "$tmp/host.prom"
# the default depth is 3; 0 leaves the root alone
"$NSTOP" metrics --cgroup-depth 0 >"$tmp/d0.prom"
check "--cgroup-depth 0: only the root cgroup" \
	test "$(grep '^nstop_cgroup_' "$tmp/d0.prom" | grep -vc '{cgroup="/"}')" = 0 -a "$(grep -c '^nstop_cgroup_.*{cgroup="/"}' "$tmp/d0.prom")" -gt 0
deepest() { grep -o '^nstop_cgroup_[a-z_]*{cgroup="[^"]*"' "$1" | sed 's/.*cgroup="//; s/"$//' | awk -F/ '{ d = $0 == "/" ? 0 : NF - 1; if (d > m) m = d } END { print m + 0 }'; }
check "the default depth: no cgroup deeper than 3 (deepest $(deepest "$tmp/host.prom"))" test "$(deepest "$tmp/host.prom")" -le 3
promcheck "--cgroup-depth 0" "$tmp/d0.prom"

# ---- each fixture sysroot, and figures known from its files ----
for dir in "$FIXTURES"/*/; do
	l=$(basename "$dir")
	expect_exit 0 "nstop metrics on the $l fixture" --sysroot "$dir" metrics
	cp /tmp/nstop-out.$$ "$tmp/$l.prom"
	promcheck "the $l fixture" "$tmp/$l.prom"
	check "... the same with --cgroup-depth 64" bash -c "'$NSTOP' --sysroot '$dir' metrics --cgroup-depth 64 >'$tmp/$l-64.prom' && promtool check metrics <'$tmp/$l-64.prom' 2>&1 | grep -c . | grep -qx 0"
done
# the walk stops at --cgroup-depth (the whole tree is not read for it), yet
# the container series are the same at any depth and each cgroup's process
# count takes in its descendants, as the full walk of nstop cgroups has it
for l in v1 v2 hybrid; do
	[ -f "$tmp/$l-64.prom" ] || continue
	"$NSTOP" --sysroot "$FIXTURES/$l" metrics --cgroup-depth 0 >"$tmp/$l-0.prom"
	check "the $l fixture: container series at --cgroup-depth 0 as at 64" \
		diff <(grep '^nstop_container_' "$tmp/$l-0.prom") <(grep '^nstop_container_' "$tmp/$l-64.prom")
	"$NSTOP" --sysroot "$FIXTURES/$l" metrics --cgroup-depth 1 >"$tmp/$l-1.prom"
	want=$("$NSTOP" --sysroot "$FIXTURES/$l" cgroups --depth all -d 0 -J | jq -r '.cgroups[] | select(.path == "/" or (.path | split("/") | length) == 2) | "\(.path) \(.nprocs_recursive)"' | sort)
	got=$(sed -n 's/^nstop_cgroup_processes{cgroup="\(.*\)"} \([0-9]*\)$/\1 \2/p' "$tmp/$l-1.prom" | sort)
	check "... --cgroup-depth 1: the cgroups to depth 1, each with its processes and its descendants' ($(echo "$got" | wc -l) cgroups)" test -n "$got" -a "$got" = "$want"
done
D=86d597eb6f0a47dbd9186dcfd319749b18415e90cde4810c6fc4126d077ac37b
K=688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d
v() { # v FILE SERIES-PREFIX -> its value
	grep -F "$2" "$1" | awk '{ print $NF }' | head -1
}
is() { if [ "$2" = "$3" ]; then ok "$1 = $3"; else notok "$1: got '$2', want '$3'"; fi; }
if [ -f "$tmp/v2.prom" ]; then
	E='image="",pod="",namespace=""' # no image, pod or namespace known: empty, never left out
	dl="{name=\"sh\",runtime=\"docker\",id=\"$D\",$E}"
	kl="{name=\"default/web-7d4b9\",runtime=\"kubernetes\",id=\"$K\",image=\"\",pod=\"web-7d4b9\",namespace=\"default\"}"
	is "v2 docker throttled periods (cpu.stat nr_throttled 362)" "$(v "$tmp/v2.prom" "nstop_container_cpu_cfs_throttled_periods_total$dl ")" 362
	is "v2 docker periods" "$(v "$tmp/v2.prom" "nstop_container_cpu_cfs_periods_total$dl ")" 366
	is "v2 docker CPU quota, seconds (cpu.max 50000)" "$(v "$tmp/v2.prom" "nstop_container_cpu_quota_seconds$dl ")" 0.050000
	is "v2 docker read bytes (io.stat)" "$(v "$tmp/v2.prom" "nstop_container_io_read_bytes_total$dl ")" 9437184
	check "v2 docker memory.max max: no limit series" bash -c "! grep -qF 'nstop_container_memory_limit_bytes$dl' '$tmp/v2.prom'"
	is "v2 k8s app memory limit (memory.max 64M), with namespace and pod" "$(v "$tmp/v2.prom" "nstop_container_memory_limit_bytes$kl ")" 67108864
	is "v2 k8s app CPU quota (cpu.max 200000)" "$(v "$tmp/v2.prom" "nstop_container_cpu_quota_seconds$kl ")" 0.200000
	is "v2 /nstop/batch OOM kills" "$(v "$tmp/v2.prom" "nstop_container_oom_kills_total{name=\"batch\",runtime=\"nstop\",id=\"batch\",$E} ")" 1
	is "v2 /nstop/web pids limit" "$(v "$tmp/v2.prom" "nstop_container_pids_limit{name=\"web\",runtime=\"nstop\",id=\"web\",$E} ")" 20
	is "v2 /kubepods.slice memory limit per cgroup" "$(v "$tmp/v2.prom" 'nstop_cgroup_memory_limit_bytes{cgroup="/kubepods.slice"} ')" 805306368
	cpu=$("$NSTOP" --sysroot "$FIXTURES/v2" cgroups --depth all -d 0 -J | jq -r --arg p "/system.slice/docker-$D.scope" '.cgroups[] | select(.path == $p) | .cpu_usage_usec')
	is "v2 docker CPU seconds = cpu_usage_usec / 1e6 ($cpu)" "$(v "$tmp/v2.prom" "nstop_container_cpu_seconds_total$dl ")" \
		"$(printf '%d.%06d' $((cpu / 1000000)) $((cpu % 1000000)))"
fi

# the families of this round: working set, effective limits, PSI totals,
# per-cgroup throttling; expected figures read from the fixture's own files
fx=$FIXTURES/v2/sys/fs/cgroup
psi() { awk -v k="$2" '$1 == k { sub(/total=/, "", $5); printf "%d.%06d", $5 / 1000000, $5 % 1000000 }' "$1"; }
if [ -f "$tmp/v2.prom" ]; then
	dcg=$fx/system.slice/docker-$D.scope
	is "v2 docker cpu.pressure some total as seconds" "$(v "$tmp/v2.prom" "nstop_container_pressure_cpu_some_seconds_total$dl ")" "$(psi "$dcg/cpu.pressure" some)"
	is "v2 docker cpu.pressure full total as seconds" "$(v "$tmp/v2.prom" "nstop_container_pressure_cpu_full_seconds_total$dl ")" "$(psi "$dcg/cpu.pressure" full)"
	is "v2 docker io.pressure some total, per cgroup" "$(v "$tmp/v2.prom" "nstop_cgroup_pressure_io_some_seconds_total{cgroup=\"/system.slice/docker-$D.scope\"} ")" "$(psi "$dcg/io.pressure" some)"
	is "v2 docker throttled periods per cgroup" "$(v "$tmp/v2.prom" "nstop_cgroup_cpu_cfs_throttled_periods_total{cgroup=\"/system.slice/docker-$D.scope\"} ")" 362
	is "v2 docker effective CPU limit, cores (50000/100000)" "$(v "$tmp/v2.prom" "nstop_container_cpu_effective_limit_cores$dl ")" 0.5
	is "v2 docker working set = memory.current - inactive_file" "$(v "$tmp/v2.prom" "nstop_container_memory_working_set_bytes$dl ")" \
		"$(( $(cat "$dcg/memory.current") - $(awk '$1 == "inactive_file" { print $2 }' "$dcg/memory.stat") ))"
	P=e8e63bc00833502988ea232186eda5d2b5d67242c07127013688a3d24bfd92a8
	pl="{name=\"default/web-7d4b9\",runtime=\"kubernetes\",id=\"$P\",image=\"\",pod=\"web-7d4b9\",namespace=\"default\"}"
	check "v2 k8s second container: no limit of its own" bash -c "! grep -qF 'nstop_container_memory_limit_bytes$pl' '$tmp/v2.prom'"
	is "... its effective memory limit is /kubepods.slice's" "$(v "$tmp/v2.prom" "nstop_container_memory_effective_limit_bytes$pl ")" 805306368
	is "v2 /nstop/web effective pids limit" "$(v "$tmp/v2.prom" "nstop_container_pids_effective_limit{name=\"web\",runtime=\"nstop\",id=\"web\",$E} ")" 20
fi
if [ -f "$tmp/v1.prom" ]; then
	ncg=$FIXTURES/v1/sys/fs/cgroup/memory/docker/3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081
	nl='{name="web-nginx",runtime="docker",id="3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",image="nginx:1.25-alpine",pod="",namespace=""}'
	is "v1 docker working set = usage_in_bytes - total_inactive_file, with its image" "$(v "$tmp/v1.prom" "nstop_container_memory_working_set_bytes$nl ")" \
		"$(( $(cat "$ncg/memory.usage_in_bytes") - $(awk '$1 == "total_inactive_file" { print $2 }' "$ncg/memory.stat") ))"
fi

# ---- contrib/grafana-nstop.json: a dashboard Grafana imports ----
# (the serve suite runs its expressions against a real Prometheus)
G=$TOP/contrib/grafana-nstop.json
gs=$(jq -r '
	def need(c; m): if c then empty else m end;
	need(.title | type == "string" and length > 0; "no title"),
	need(.uid | type == "string" and length > 0; "no uid"),
	need(.schemaVersion | type == "number" and . >= 36; "schemaVersion"),
	need([.templating.list[] | select(.type == "datasource" and .query == "prometheus" and .name == "datasource")] | length == 1;
		"no Prometheus data source variable"),
	need([.panels[].id] | length == (unique | length); "panel ids repeat"),
	(.panels[] | . as $p |
		need(.type and .title and (.gridPos | .h and .w and has("x") and has("y")); "panel \($p.id): type, title, gridPos"),
		need(.datasource.uid == "${datasource}" and all(.targets[]; .datasource.uid == "${datasource}");
			"panel \($p.id): not on the data source variable"),
		need((.targets | length > 0) and all(.targets[]; (.refId | type == "string") and (.expr | type == "string"));
			"panel \($p.id): targets without refId or expr"),
		need([.targets[].refId] | length == (unique | length); "panel \($p.id): refIds repeat"))' "$G" 2>&1)
check "grafana dashboard: valid JSON with a Prometheus data source variable, panels and targets as Grafana's schema has them${gs:+ ($gs)}" test -z "$gs"
# every family it charts is one nstop writes (the v2 fixture has them all)
unknown=$(jq -r '.. | objects | select(has("expr")) | .expr' "$G" | grep -o 'nstop_[a-z_]*' | sort -u |
	while read -r f; do grep -q "^$f[{ ]" "$tmp/v2.prom" || echo "$f"; done)
check "... every family in its expressions is one nstop writes${unknown:+ (not: $unknown)}" test -z "$unknown" -a -s "$tmp/v2.prom"
for topic in nstop_container_cpu_effective_limit_cores nstop_container_memory_working_set_bytes \
	nstop_container_cpu_cfs_throttled_periods_total nstop_container_oom_kills_total; do
	check "... charts $topic" bash -c "jq -r '.panels[].targets[].expr' '$G' | grep -q '$topic'"
done

# ---- usage errors ----
expect_exit 2 "--cgroup-depth 65 is refused" metrics --cgroup-depth 65
check "... as nstop: <what>: <why>" grep -q '^nstop: metrics: --cgroup-depth: ' /tmp/nstop-err.$$
expect_exit 2 "--cgroup-depth x is refused" metrics --cgroup-depth x
expect_exit 2 "an unknown option is refused" metrics --bogus
expect_exit 2 "a stray argument is refused" metrics extra
expect_exit 2 "--textfile without a directory is refused" metrics --textfile
expect_exit 2 "--textfile DIR that does not exist is refused" metrics --textfile "$tmp/nope"
check "... with why" grep -q "^nstop: metrics: --textfile $tmp/nope: No such file or directory" /tmp/nstop-err.$$
expect_exit 1 "--textfile DIR where no file can be made fails" metrics --textfile /proc
check "... nothing is left behind in it" bash -c "! ls -a /proc | grep -q nstop"

# ---- --textfile: atomic replacement ----
tf=$tmp/textfile
mkdir -p "$tf"
expect_exit 0 "--textfile DIR" metrics --textfile "$tf"
check "... writes DIR/nstop.prom, mode 0644, and nothing else" test "$(ls -A "$tf")" = nstop.prom -a "$(stat -c %a "$tf/nstop.prom")" = 644
check "... and nothing on stdout" test ! -s /tmp/nstop-out.$$
promcheck "the textfile" "$tf/nstop.prom"
if command -v strace >/dev/null; then
	# the final name is only ever a rename's target; the data is synced first
	strace -f -o "$tmp/strace" -e trace=openat,open,creat,rename,renameat,renameat2,fsync,fdatasync,unlinkat \
		"$NSTOP" metrics --textfile "$tf" >/dev/null 2>&1
	tmpname=$(sed -n 's/.*openat([^,]*, "\(\.nstop\.prom\.[0-9]*\.[0-9a-f]\{16\}\)", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0644) = \([0-9]*\)$/\1 \2/p' "$tmp/strace")
	read -r tname tfd <<<"$tmpname"
	check "the new file is made under a hidden name not ending in .prom, O_EXCL, no link followed (${tname:-none})" test -n "$tname"
	check "... DIR/nstop.prom itself is never opened" bash -c "! grep -E '(open|openat|creat)\(.*\"(.*/)?nstop\.prom\"' '$tmp/strace'"
	sync_line=$(grep -n "fsync($tfd)" "$tmp/strace" | head -1 | cut -d: -f1)
	ren_line=$(grep -n "renameat2\?([0-9]*, \"$tname\", [0-9]*, \"nstop.prom\".*) = 0" "$tmp/strace" | head -1 | cut -d: -f1)
	dsync_line=$(grep -n 'fsync(' "$tmp/strace" | tail -1 | cut -d: -f1)
	check "... synced (line ${sync_line:-none}), then renamed over nstop.prom (line ${ren_line:-none}), then the directory synced" \
		test -n "$sync_line" -a -n "$ren_line" -a "${sync_line:-0}" -lt "${ren_line:-0}" -a "${dsync_line:-0}" -gt "${ren_line:-0}"
else
	skip "textfile syscalls: strace is missing (make deps)"
fi
# a reader that reads the file while it is replaced 50 times sees it whole each time
( for _ in $(seq 50); do "$NSTOP" metrics --textfile "$tf" || exit 1; done ) >/dev/null 2>&1 &
wpid=$!
pids+=("$wpid")
mkdir -p "$tmp/reads"
reads=0 partial=0
while kill -0 "$wpid" 2>/dev/null; do
	reads=$((reads + 1))
	cat "$tf/nstop.prom" >"$tmp/reads/$reads" 2>/dev/null || { partial=$((partial + 1)); continue; }
	tail -n1 "$tmp/reads/$reads" | grep -Eqx 'nstop_scrape_errors [0-9]+' || partial=$((partial + 1))
done
wait "$wpid"; wrc=$?
for f in $(ls "$tmp/reads" | shuf -n 5); do
	promtool check metrics <"$tmp/reads/$f" >/dev/null 2>&1 || partial=$((partial + 1))
done
check "50 replacements while read $reads times: never missing, never partial ($partial bad reads, writer exit $wrc)" \
	test "$partial" = 0 -a "$reads" -gt 10 -a "$wrc" = 0
check "... and no temp file left behind" test "$(ls -A "$tf")" = nstop.prom

if ! need_root; then
	skip "hostile names, a full file system and nstop create: root only"; echo "1..$n"; exit 0
fi

# ---- --textfile on a full file system: exit 1, the old file kept, no temp left ----
full=$tmp/full
mkdir -p "$full"
# (the first file from a fixture, not the host: the host's size varies with
# the containers others run, and one over the size would leave no old file)
if mount -t tmpfs -o size=64k,mode=0755 nstop-metrics-full "$full"; then
	"$NSTOP" --sysroot "$FIXTURES/v1" metrics --cgroup-depth 0 --textfile "$full" >/dev/null 2>&1
	old=$(md5sum <"$full/nstop.prom")
	check "a first nstop.prom in a 64 KB tmpfs ($(stat -c %s "$full/nstop.prom" 2>/dev/null) bytes)" test -s "$full/nstop.prom"
	expect_exit 1 "--textfile on a full file system fails ($("$NSTOP" --sysroot "$FIXTURES/v2" metrics --cgroup-depth 64 | wc -c) bytes beside it)" --sysroot "$FIXTURES/v2" metrics --cgroup-depth 64 --textfile "$full"
	check "... with why" grep -q "^nstop: metrics: --textfile $full: writing \.nstop\.prom\..*: No space left on device" /tmp/nstop-err.$$
	check "... the old nstop.prom is untouched" test "$(md5sum <"$full/nstop.prom")" = "$old"
	check "... and no temp file is left" test "$(ls -A "$full")" = nstop.prom
	umount "$full"
else
	skip "--textfile on a full file system: cannot mount a tmpfs here"
fi

# ---- hostile names ----
# nstop create refuses them, so: an LXC-shaped and an nspawn-shaped cgroup of
# the test's own (the collector names their containers from the path: LXC
# raw, nspawn's systemd-unescaped, so a newline too), and an unnamed container
# (its own pid namespace) whose init's comm carries a newline
expect_exit 2 "nstop create refuses a name with a quote" create 'a"b' --cgroup-parent "$(ctr_parent "nstop-metrics-$$")" --audit-log "$L"
if cg_setup "nstop-metrics-cg-$$"; then
	lxc=$'lxc.payload.q"b\\s\xff\xc2\x9b\x7f'
	nsp='machine-n\x0al\x22q\x5c\xff.scope'
	# two raw names that escape alike (a byte 0xff, the text \xff): their
	# series must not come out twice
	dup1=$'lxc.payload.dup\xff' dup2='lxc.payload.dup\xff'
	ok_mk=1
	for d in "$lxc" "$nsp" "$dup1" "$dup2"; do
		mkdir "$CG_DIR_cpu/$d" || ok_mk=
	done
	if [ -n "$ok_mk" ]; then
		for d in "$lxc" "$nsp" "$dup1" "$dup2"; do
			"$TOP/$B/tests/hostile" ctr &
			pids+=("$!")
			echo "$!" >"$CG_DIR_cpu/$d/cgroup.procs"
		done
		comm=$'u\n"\\\xff\e'
		unshare -p -f --kill-child "$TOP/$B/tests/hostile" "$comm" &
		us=$!
		pids+=("$us")
		# until its child has taken the hostile comm (a fixed pause was too
		# short on a loaded host)
		for _ in $(seq 100); do
			c=$(cat "/proc/$us/task/$us/children" 2>/dev/null)
			[ -n "$c" ] && [ "$(head -c 1 "/proc/${c%% *}/comm" 2>/dev/null)" = u ] && break
			sleep 0.05
		done
		# its child too, by pid: killed before the next test looks at the host
		for c in $(cat "/proc/$us/task/$us/children" 2>/dev/null); do pids+=("$c"); done
		expect_exit 0 "nstop metrics with hostile container names" metrics
		cp /tmp/nstop-out.$$ "$tmp/hostile.prom"
		promcheck "hostile names" "$tmp/hostile.prom"
		check "... the LXC name escaped: quote, backslash, invalid UTF-8, C1, DEL" \
			grep -qF 'nstop_container_info{name="q\"b\\s\\xff\\xc2\\x9b\\x7f",runtime="lxc",id="q\"b\\s\\xff\\xc2\\x9b\\x7f",image="",pod="",namespace="",cgroup="' "$tmp/hostile.prom"
		check "... the nspawn name with a newline, a quote, a backslash" \
			grep -qF 'nstop_container_info{name="n\nl\"q\\\\xff",runtime="nspawn",id="n\nl\"q\\\\xff",image="",pod="",namespace="",cgroup="' "$tmp/hostile.prom"
		check "... its cgroup label keeps the path's backslashes" \
			grep -qF 'machine-n\\x0al\\x22q\\x5c\\xff.scope"} 1' "$tmp/hostile.prom"
		check "... the unnamed container named by its init's comm: newline, quote, backslash, invalid byte, ESC" \
			grep -qF 'nstop_container_processes{name="u\n\"\\\\xff\\x1b",runtime="unnamed",id="pidns:' "$tmp/hostile.prom"
		check "... the two names that escape alike: one series each, not two" \
			test "$(grep -c '^nstop_container_info{name="dup\\\\xff",runtime="lxc"' "$tmp/hostile.prom")" = 1
		check "... no raw control byte, valid UTF-8 throughout" \
			bash -c "! LC_ALL=C grep -q \$'[\\x01-\\x09\\x0b-\\x1f\\x7f]' '$tmp/hostile.prom' && iconv -f UTF-8 -t UTF-8 '$tmp/hostile.prom' >/dev/null"
	else
		skip "hostile names: cannot make the cgroups here"
	fi
else
	skip "hostile names: $CG_WHY"
fi

# ---- a container made with nstop create: its limits as set ----
par=$(ctr_parent "nstop-metrics-$$")
nm=mtr$$
names+=("$nm")
expect_exit 0 "nstop create $nm --cpu 30% --memory 64M --pids 40" create "$nm" --cgroup-parent "$par" --audit-log "$L" \
	--cpu 30% --memory 64M --pids 40 -- sleep 1000
id=$("$NSTOP" containers -d 0 -J -o NAME,FULL_ID,RUNTIME | jq -r --arg n "$nm" '.containers[] | select(.name == $n and .runtime == "nstop") | .id')
check "nstop containers lists it (id ${id:-none})" test -n "$id"
"$NSTOP" metrics >"$tmp/ctr.prom"
promcheck "with an nstop container" "$tmp/ctr.prom"
cl="{name=\"$nm\",runtime=\"nstop\",id=\"$id\",image=\"\",pod=\"\",namespace=\"\"}"
is "its memory limit series" "$(v "$tmp/ctr.prom" "nstop_container_memory_limit_bytes$cl ")" 67108864
is "its pids limit series" "$(v "$tmp/ctr.prom" "nstop_container_pids_limit$cl ")" 40
q=$(v "$tmp/ctr.prom" "nstop_container_cpu_quota_seconds$cl ")
p=$(v "$tmp/ctr.prom" "nstop_container_cpu_period_seconds$cl ")
is "its CPU quota / period ($q / $p)" "$(awk -v q="$q" -v p="$p" 'BEGIN { if (p > 0) printf "%.2f", q / p }')" 0.30
is "its processes as nstop containers counts them" "$(v "$tmp/ctr.prom" "nstop_container_processes$cl ")" \
	"$("$NSTOP" containers -d 0 -J -o NAME,PROCS | jq -r --arg n "$nm" '.containers[] | select(.name == $n) | .nprocs')"
check "its info series" grep -qF "nstop_container_info{name=\"$nm\",runtime=\"nstop\",id=\"$id\",image=\"\",pod=\"\",namespace=\"\",cgroup=\"" "$tmp/ctr.prom"
# --net none: a network namespace of its own with lo only; its interfaces per
# network namespace (lo's counters as the kernel has them), and none but lo
# counted for the container
ipid=$("$NSTOP" containers -d 0 -J -o NAME,INIT | jq -r --arg n "$nm" '.containers[] | select(.name == $n) | .pid')
nsino=$(readlink "/proc/$ipid/ns/net" 2>/dev/null | tr -dc 0-9)
lo_rx=$(v "$tmp/ctr.prom" "nstop_netns_network_receive_bytes_total{netns=\"$nsino\",interface=\"lo\"} ")
check "its network namespace's lo per network namespace (netns ${nsino:-none}: ${lo_rx:-none} bytes received)" \
	test -n "$nsino" -a -n "$lo_rx"
check "... and only lo in it" test "$(grep -c "^nstop_netns_network_receive_bytes_total{netns=\"$nsino\"," "$tmp/ctr.prom")" = 1
is "its network bytes received, lo left out" "$(v "$tmp/ctr.prom" "nstop_container_network_receive_bytes_total$cl ")" 0
echo "1..$n"
