// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroups and containers tables: a container's figures are its cgroup's,
 * so the containers' getters are the cgroups' applied to that cgroup.
 */
#include <math.h>
#include <string.h>

#include "column_cell.h"

static void cg_path(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_str(c, r->path);
}
static void cg_version(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, (uint64_t)r->version);
}
static void cg_nprocs(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nprocs);
}
static void cg_nprocs_rec(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nprocs_rec);
}
static void cg_cpu(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->cpu_percent, 1);
}
static void cg_cpu_limit(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->cpu_quota_usec != VAL_NA && r->cpu_quota_usec != VAL_UNLIMITED &&
	    r->cpu_period_usec != VAL_NA && r->cpu_period_usec)
		set_dbl(c, (double)r->cpu_quota_usec / (double)r->cpu_period_usec * 100.0, 1);
}
static void cg_cpu_usage(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->cpu_usage_usec);
}
static void cg_mem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_current);
}
static void cg_mem_limit(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_max);
}
static void cg_mem_high(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_high);
}
static void cg_mem_pct(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->mem_current != VAL_NA && r->mem_max != VAL_NA && r->mem_max != VAL_UNLIMITED &&
	    r->mem_max)
		set_dbl(c, (double)r->mem_current / (double)r->mem_max * 100.0, 1);
}
static void cg_anon(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_anon);
}
static void cg_file(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_file);
}
static void cg_swap(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->swap_current);
}
static void cg_pids(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->pids_current);
}
static void cg_pids_limit(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->pids_max);
}
static void cg_io_r(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->io_rbytes);
}
static void cg_io_w(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->io_wbytes);
}
static void cg_io_rbps(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->io_rbps, 0);
}
static void cg_io_wbps(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->io_wbps, 0);
}
static void cg_periods(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nr_periods);
}
static void cg_throttled(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->nr_throttled);
}
static void cg_throttled_usec(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->throttled_usec);
}
static void cg_throttled_pct(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->throttled_percent, 1);
}
static void cg_oom(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->oom_kills);
}
static void cg_psi_cpu(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_cpu, 2);
}
static void cg_psi_mem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_mem, 2);
}
static void cg_psi_io(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_io, 2);
}
static void cg_frozen(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->frozen >= 0) {
		c->type = CELL_BOOL;
		c->u = (uint64_t)r->frozen;
	}
}
static void cg_unified(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	c->type = CELL_BOOL;
	c->u = r->in_unified || r->version == 2;
}

static void cg_wset(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_wset);
}
static void cg_wset_pct(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	if (r->mem_wset != VAL_NA && r->eff_mem_max != VAL_NA && r->eff_mem_max)
		set_dbl(c, (double)r->mem_wset / (double)r->eff_mem_max * 100.0, 1);
}
static void cg_inactive_file(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_inactive_file);
}
static void cg_shmem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_shmem);
}
static void cg_kernel(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_kernel);
}
static void cg_sock(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_sock);
}
static void cg_eff_mem(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->eff_mem_max);
}
static void cg_eff_mem_from(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_str(c, r->eff_mem_from);
}
static void cg_mem_headroom(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_headroom);
}
static void cg_eff_cpu(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->eff_cpu_percent, 1);
}
static void cg_eff_cpu_from(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_str(c, r->eff_cpu_from);
}
static void cg_cpu_headroom(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->cpu_headroom, 1);
}
static void cg_eff_pids(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->eff_pids_max);
}
static void cg_eff_pids_from(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_str(c, r->eff_pids_from);
}
static void cg_pids_headroom(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->pids_headroom);
}

static void cg_psi_cpu_some_avg60(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_some[PSI_CPU].avg60, 2);
}
static void cg_psi_cpu_some_total(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->psi_some[PSI_CPU].total);
}
static void cg_psi_cpu_full_avg10(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_full[PSI_CPU].avg10, 2);
}
static void cg_psi_cpu_full_avg60(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_full[PSI_CPU].avg60, 2);
}
static void cg_psi_cpu_full_total(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->psi_full[PSI_CPU].total);
}
static void cg_psi_memory_some_avg60(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_some[PSI_MEM].avg60, 2);
}
static void cg_psi_memory_some_total(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->psi_some[PSI_MEM].total);
}
static void cg_psi_memory_full_avg10(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_full[PSI_MEM].avg10, 2);
}
static void cg_psi_memory_full_avg60(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_full[PSI_MEM].avg60, 2);
}
static void cg_psi_memory_full_total(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->psi_full[PSI_MEM].total);
}
static void cg_psi_io_some_avg60(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_some[PSI_IO].avg60, 2);
}
static void cg_psi_io_some_total(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->psi_some[PSI_IO].total);
}
static void cg_psi_io_full_avg10(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_full[PSI_IO].avg10, 2);
}
static void cg_psi_io_full_avg60(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_dbl(c, r->psi_full[PSI_IO].avg60, 2);
}
static void cg_psi_io_full_total(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->psi_full[PSI_IO].total);
}
static void cg_mev_low(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->mev_low);
}
static void cg_mev_high(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->mev_high);
}
static void cg_mev_max(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->mev_max);
}
static void cg_mev_oom(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->mev_oom);
}

static void cg_mem_min(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_min);
}
static void cg_mem_low(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_size(c, r->mem_low);
}
static void cg_cpu_weight(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->cpu_weight);
}
static void cg_cpuset(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_str(c, r->cpuset_cpus);
}
static void cg_cpuset_n(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct cgroup);
	set_u64(c, r->cpuset_ncpus);
}

static const struct column cg_cols[] = {
	{"PATH", "path", false, true, true, "cgroup path from the hierarchy's root", cg_path},
	{"VER", "version", true, false, true, "1 for v1 (hybrid: a v1 controller has it), 2 for v2", cg_version},
	{"PROCS", "nprocs", true, true, true, "processes directly in the cgroup", cg_nprocs},
	{"PROCS_ALL", "nprocs_recursive", true, false, true, "processes in it and its descendants", cg_nprocs_rec},
	{"CPU%", "cpu_percent", true, true, true, "CPU over the interval, 100 = one CPU", cg_cpu},
	{"CPU_LIMIT%", "cpu_limit_percent", true, true, true, "cpu.max or cfs_quota_us/cfs_period_us, in percent of one CPU", cg_cpu_limit},
	{"CPU_USEC", "cpu_usage_usec", true, false, true, "total CPU time in microseconds", cg_cpu_usage},
	{"MEM", "memory_bytes", true, true, true, "memory.current or memory.usage_in_bytes", cg_mem},
	{"MEM_LIMIT", "memory_limit_bytes", true, true, true, "memory.max or memory.limit_in_bytes", cg_mem_limit},
	{"MEM_HIGH", "memory_high_bytes", true, false, true, "memory.high (v2 only)", cg_mem_high},
	{"MEM%", "memory_percent", true, false, true, "memory in percent of its own limit", cg_mem_pct},
	{"WSET", "memory_working_set_bytes", true, true, true, "working set: memory minus inactive file pages (memory.stat inactive_file, v1 total_inactive_file), as kubelet counts it", cg_wset},
	{"WSET%", "memory_working_set_percent", true, true, true, "working set in percent of the effective memory limit", cg_wset_pct},
	{"INACTIVE_FILE", "memory_inactive_file_bytes", true, false, true, "page cache not recently used (memory.stat inactive_file, v1 total_inactive_file)", cg_inactive_file},
	{"SHMEM", "memory_shmem_bytes", true, false, true, "shared memory and tmpfs (memory.stat shmem, v1 total_shmem)", cg_shmem},
	{"KERNEL", "memory_kernel_bytes", true, false, true, "kernel memory (memory.stat kernel, v2 only)", cg_kernel},
	{"SOCK", "memory_sock_bytes", true, false, true, "network buffers (memory.stat sock, v2 only)", cg_sock},
	{"EFF_MEM_LIMIT", "effective_memory_limit_bytes", true, false, true, "the tightest memory limit on the path to the root", cg_eff_mem},
	{"EFF_MEM_FROM", "effective_memory_limit_from", false, false, true, "the cgroup that sets it", cg_eff_mem_from},
	{"MEM_HEADROOM", "memory_headroom_bytes", true, false, true, "the least memory limit minus usage on the path to the root", cg_mem_headroom},
	{"EFF_CPU_LIMIT%", "effective_cpu_limit_percent", true, false, true, "the tightest CPU limit on the path to the root, percent of one CPU", cg_eff_cpu},
	{"EFF_CPU_FROM", "effective_cpu_limit_from", false, false, true, "the cgroup that sets it", cg_eff_cpu_from},
	{"CPU_HEADROOM%", "cpu_headroom_percent", true, false, true, "the least CPU limit minus CPU use on the path to the root", cg_cpu_headroom},
	{"EFF_PIDS_LIMIT", "effective_pids_limit", true, false, true, "the tightest pids.max on the path to the root", cg_eff_pids},
	{"EFF_PIDS_FROM", "effective_pids_limit_from", false, false, true, "the cgroup that sets it", cg_eff_pids_from},
	{"PIDS_HEADROOM", "pids_headroom", true, false, true, "the least pids.max minus pids.current on the path to the root", cg_pids_headroom},
	{"ANON", "memory_anon_bytes", true, false, true, "anonymous memory (memory.stat anon, v1 rss)", cg_anon},
	{"FILE", "memory_file_bytes", true, false, true, "page cache (memory.stat file, v1 cache)", cg_file},
	{"SWAP", "swap_bytes", true, false, true, "swap in use, where accounted", cg_swap},
	{"PIDS", "pids", true, true, true, "pids.current", cg_pids},
	{"PIDS_LIMIT", "pids_limit", true, false, true, "pids.max", cg_pids_limit},
	{"READ", "io_read_bytes", true, false, true, "bytes read (io.stat, blkio.throttle.io_service_bytes)", cg_io_r},
	{"WRITE", "io_write_bytes", true, false, true, "bytes written", cg_io_w},
	{"READ/s", "io_read_bps", true, true, true, "bytes read per second over the interval", cg_io_rbps},
	{"WRITE/s", "io_write_bps", true, true, true, "bytes written per second over the interval", cg_io_wbps},
	{"PERIODS", "nr_periods", true, false, true, "CFS enforcement periods", cg_periods},
	{"THROTTLED", "nr_throttled", true, true, true, "periods in which it was throttled", cg_throttled},
	{"THR_USEC", "throttled_usec", true, false, true, "time throttled, microseconds", cg_throttled_usec},
	{"THR%", "throttled_percent", true, false, true, "share of periods throttled over the interval", cg_throttled_pct},
	{"OOM", "oom_kills", true, true, true, "OOM kills (memory.events oom_kill, v1 memory.oom_control)", cg_oom},
	{"PSI_CPU", "psi_cpu_some_avg10", true, false, true, "cpu.pressure some avg10", cg_psi_cpu},
	{"PSI_MEM", "psi_memory_some_avg10", true, false, true, "memory.pressure some avg10", cg_psi_mem},
	{"PSI_IO", "psi_io_some_avg10", true, false, true, "io.pressure some avg10", cg_psi_io},
	{"PSI_CPU_SOME60", "psi_cpu_some_avg60", true, false, true, "cpu.pressure some avg60", cg_psi_cpu_some_avg60},
	{"PSI_CPU_SOME_TOTAL", "psi_cpu_some_total_usec", true, false, true, "cpu.pressure some total stall, microseconds", cg_psi_cpu_some_total},
	{"PSI_CPU_FULL10", "psi_cpu_full_avg10", true, false, true, "cpu.pressure full avg10", cg_psi_cpu_full_avg10},
	{"PSI_CPU_FULL60", "psi_cpu_full_avg60", true, false, true, "cpu.pressure full avg60", cg_psi_cpu_full_avg60},
	{"PSI_CPU_FULL_TOTAL", "psi_cpu_full_total_usec", true, false, true, "cpu.pressure full total stall, microseconds", cg_psi_cpu_full_total},
	{"PSI_MEM_SOME60", "psi_memory_some_avg60", true, false, true, "memory.pressure some avg60", cg_psi_memory_some_avg60},
	{"PSI_MEM_SOME_TOTAL", "psi_memory_some_total_usec", true, false, true, "memory.pressure some total stall, microseconds", cg_psi_memory_some_total},
	{"PSI_MEM_FULL10", "psi_memory_full_avg10", true, false, true, "memory.pressure full avg10", cg_psi_memory_full_avg10},
	{"PSI_MEM_FULL60", "psi_memory_full_avg60", true, false, true, "memory.pressure full avg60", cg_psi_memory_full_avg60},
	{"PSI_MEM_FULL_TOTAL", "psi_memory_full_total_usec", true, false, true, "memory.pressure full total stall, microseconds", cg_psi_memory_full_total},
	{"PSI_IO_SOME60", "psi_io_some_avg60", true, false, true, "io.pressure some avg60", cg_psi_io_some_avg60},
	{"PSI_IO_SOME_TOTAL", "psi_io_some_total_usec", true, false, true, "io.pressure some total stall, microseconds", cg_psi_io_some_total},
	{"PSI_IO_FULL10", "psi_io_full_avg10", true, false, true, "io.pressure full avg10", cg_psi_io_full_avg10},
	{"PSI_IO_FULL60", "psi_io_full_avg60", true, false, true, "io.pressure full avg60", cg_psi_io_full_avg60},
	{"PSI_IO_FULL_TOTAL", "psi_io_full_total_usec", true, false, true, "io.pressure full total stall, microseconds", cg_psi_io_full_total},
	{"MEM_EVENTS_LOW", "memory_events_low", true, false, true, "memory.events low: times reclaimed below memory.low (v2)", cg_mev_low},
	{"MEM_EVENTS_HIGH", "memory_events_high", true, false, true, "memory.events high: times throttled over memory.high (v2)", cg_mev_high},
	{"MEM_EVENTS_MAX", "memory_events_max", true, false, true, "memory.events max: times at memory.max (v2)", cg_mev_max},
	{"MEM_EVENTS_OOM", "memory_events_oom", true, false, true, "memory.events oom: times out of memory at memory.max (v2)", cg_mev_oom},
	{"MEM_MIN", "memory_min_bytes", true, false, true, "memory.min: protected from reclaim (v2)", cg_mem_min},
	{"MEM_LOW", "memory_low_bytes", true, false, true, "memory.low: reclaimed last (v2)", cg_mem_low},
	{"CPU_WEIGHT", "cpu_weight", true, false, true, "cpu.weight, 1 to 10000, 100 the default (v2)", cg_cpu_weight},
	{"CPUSET", "cpuset_cpus_effective", false, false, true, "cpuset.cpus.effective (v1 cpuset.effective_cpus): the CPUs it may run on", cg_cpuset},
	{"CPUSET_N", "cpuset_ncpus", true, false, true, "how many CPUs that is", cg_cpuset_n},
	{"FROZEN", "frozen", false, false, true, "cgroup.events frozen, v1 freezer.state FROZEN", cg_frozen},
	{"UNIFIED", "unified", false, false, true, "the path exists in a cgroup2 tree", cg_unified},
};
const struct table table_cgroups = {"cgroups", cg_cols, ARRAY_LEN(cg_cols)};

/* What each cgroups column is made of (enum cgneed), by name or name prefix
 * ("PSI_*"); a column not here (a new one) reads everything. */
static const struct { const char *name; unsigned needs; } cg_col_needs[] = {
	{"PATH", 0}, {"VER", 0}, {"UNIFIED", 0},
	{"PROCS", CGN_PROCS}, {"PROCS_ALL", CGN_PROCS | CGN_PROCSREC},
	{"CPU%", CGN_CPU}, {"CPU_USEC", CGN_CPU}, {"CPU_LIMIT%", CGN_CPULIM},
	{"EFF_CPU_LIMIT%", CGN_CPULIM}, {"EFF_CPU_FROM", CGN_CPULIM},
	{"CPU_HEADROOM%", CGN_CPU | CGN_CPULIM},
	{"MEM", CGN_MEM}, {"MEM_LIMIT", CGN_MEMLIM}, {"MEM_HIGH", CGN_MEMHIGH},
	{"MEM%", CGN_MEM | CGN_MEMLIM}, {"WSET", CGN_MEM | CGN_MEMSTAT},
	{"WSET%", CGN_MEM | CGN_MEMSTAT | CGN_MEMLIM}, {"INACTIVE_FILE", CGN_MEMSTAT},
	{"SHMEM", CGN_MEMSTAT}, {"KERNEL", CGN_MEMSTAT}, {"SOCK", CGN_MEMSTAT},
	{"ANON", CGN_MEMSTAT}, {"FILE", CGN_MEMSTAT},
	{"EFF_MEM_LIMIT", CGN_MEMLIM}, {"EFF_MEM_FROM", CGN_MEMLIM},
	{"MEM_HEADROOM", CGN_MEM | CGN_MEMLIM}, {"SWAP", CGN_MEM | CGN_SWAP},
	{"PIDS", CGN_PIDS}, {"PIDS_LIMIT", CGN_PIDSLIM}, {"EFF_PIDS_LIMIT", CGN_PIDSLIM},
	{"EFF_PIDS_FROM", CGN_PIDSLIM}, {"PIDS_HEADROOM", CGN_PIDS | CGN_PIDSLIM},
	{"READ", CGN_IO}, {"WRITE", CGN_IO}, {"READ/s", CGN_IO}, {"WRITE/s", CGN_IO},
	{"PERIODS", CGN_THR}, {"THROTTLED", CGN_THR}, {"THR_USEC", CGN_THR},
	{"THR%", CGN_THR | CGN_THRRATE}, {"OOM", CGN_MEMEV}, {"MEM_EVENTS_*", CGN_MEMEV},
	{"PSI_*", CGN_PSI}, {"MEM_MIN", CGN_MINLOW}, {"MEM_LOW", CGN_MINLOW},
	{"CPU_WEIGHT", CGN_WEIGHT}, {"CPUSET", CGN_CPUSET}, {"CPUSET_N", CGN_CPUSET},
	{"FROZEN", CGN_FROZEN},
};

unsigned cg_columns_needs(const struct column *const *cols, size_t n)
{
	unsigned needs = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		for (; k < ARRAY_LEN(cg_col_needs); k++) {
			const char *nm = cg_col_needs[k].name;
			size_t l = strlen(nm);
			if (nm[l - 1] == '*' ? !strncmp(cols[i]->name, nm, l - 1)
					     : !strcmp(cols[i]->name, nm))
				break;
		}
		needs |= k < ARRAY_LEN(cg_col_needs) ? cg_col_needs[k].needs : CGN_ALL;
	}
	return needs;
}

/* ---- containers ---- */

static const struct cgroup *ctr_cg(const struct snap *s, const struct container *c)
{
	if (c->last_cg) /* a dead one's last figures */
		return c->last_cg;
	return c->cgroup ? snap_cgroup(s, c->cgroup) : NULL;
}
/* memory figures: nstop's containers on v1 may have their memory cgroup elsewhere */
static const struct cgroup *ctr_cg_mem(const struct snap *s, const struct container *c)
{
	const struct cgroup *g = c->cg_memory && !c->last_cg ? snap_cgroup(s, c->cg_memory) : NULL;
	return g ? g : ctr_cg(s, c);
}
static void ct_name(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	column_ctr_name(s, r, c);
}
static void ct_runtime(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, runtime_name(r->rt));
}
static void ct_id(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->id);
	if (strlen(r->id) >= 32)
		c->slen = 12;
}
static void ct_fullid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->id);
}
static void ct_pod(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->pod_name);
}
static void ct_pod_ns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->pod_ns);
}
static void ct_pod_uid(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->pod_uid);
}
static void ct_image(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->image);
}
static void ct_init(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->init_pid)
		set_u64(c, (uint64_t)r->init_pid);
}
static void ct_nprocs(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_u64(c, r->nprocs);
}
#define CTCG(fn, cgfn)                                                          \
	static void fn(const struct snap *s, const void *row, struct cell *c)   \
	{                                                                       \
		ROW(struct container);                                          \
		const struct cgroup *g = ctr_cg(s, r);                          \
		if (g)                                                          \
			cgfn(s, g, c);                                          \
	}
CTCG(ct_cpu, cg_cpu)
CTCG(ct_cpu_limit, cg_cpu_limit)
#define CTCGM(fn, cgfn)                                                         \
	static void fn(const struct snap *s, const void *row, struct cell *c)   \
	{                                                                       \
		ROW(struct container);                                          \
		const struct cgroup *g = ctr_cg_mem(s, r);                      \
		if (g)                                                          \
			cgfn(s, g, c);                                          \
	}
CTCGM(ct_mem, cg_mem)
CTCGM(ct_mem_limit, cg_mem_limit)
CTCGM(ct_mem_pct, cg_mem_pct)
CTCG(ct_pids, cg_pids)
CTCG(ct_pids_limit, cg_pids_limit)
CTCG(ct_rbps, cg_io_rbps)
CTCG(ct_wbps, cg_io_wbps)
CTCG(ct_throttled, cg_throttled)
CTCGM(ct_oom, cg_oom)
CTCGM(ct_wset, cg_wset)
CTCGM(ct_wset_pct, cg_wset_pct)
CTCGM(ct_inactive_file, cg_inactive_file)
CTCGM(ct_shmem, cg_shmem)
CTCGM(ct_kernel, cg_kernel)
CTCGM(ct_sock, cg_sock)
CTCGM(ct_eff_mem, cg_eff_mem)
CTCGM(ct_eff_mem_from, cg_eff_mem_from)
CTCGM(ct_mem_headroom, cg_mem_headroom)
CTCG(ct_eff_cpu, cg_eff_cpu)
CTCG(ct_eff_cpu_from, cg_eff_cpu_from)
CTCG(ct_cpu_headroom, cg_cpu_headroom)
CTCG(ct_eff_pids, cg_eff_pids)
CTCG(ct_eff_pids_from, cg_eff_pids_from)
CTCG(ct_pids_headroom, cg_pids_headroom)
CTCG(ct_psi_cpu_some_avg60, cg_psi_cpu_some_avg60)
CTCG(ct_psi_cpu_some_total, cg_psi_cpu_some_total)
CTCG(ct_psi_cpu_full_avg10, cg_psi_cpu_full_avg10)
CTCG(ct_psi_cpu_full_avg60, cg_psi_cpu_full_avg60)
CTCG(ct_psi_cpu_full_total, cg_psi_cpu_full_total)
CTCG(ct_psi_memory_some_avg60, cg_psi_memory_some_avg60)
CTCG(ct_psi_memory_some_total, cg_psi_memory_some_total)
CTCG(ct_psi_memory_full_avg10, cg_psi_memory_full_avg10)
CTCG(ct_psi_memory_full_avg60, cg_psi_memory_full_avg60)
CTCG(ct_psi_memory_full_total, cg_psi_memory_full_total)
CTCG(ct_psi_io_some_avg60, cg_psi_io_some_avg60)
CTCG(ct_psi_io_some_total, cg_psi_io_some_total)
CTCG(ct_psi_io_full_avg10, cg_psi_io_full_avg10)
CTCG(ct_psi_io_full_avg60, cg_psi_io_full_avg60)
CTCG(ct_psi_io_full_total, cg_psi_io_full_total)
CTCGM(ct_mev_low, cg_mev_low)
CTCGM(ct_mev_high, cg_mev_high)
CTCGM(ct_mev_max, cg_mev_max)
CTCGM(ct_mev_oom, cg_mev_oom)
CTCGM(ct_mem_min, cg_mem_min)
CTCGM(ct_mem_low, cg_mem_low)
CTCG(ct_cpu_weight, cg_cpu_weight)
CTCG(ct_cpuset, cg_cpuset)
CTCG(ct_cpuset_n, cg_cpuset_n)
/* a network namespace's traffic is counted on one row of those sharing it */
static bool net_elsewhere(const struct snap *s, const struct container *r)
{
	return r->netns_holder && &s->ctrs[r->netns_holder - 1] != r;
}
static void ct_rx(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (!net_elsewhere(s, r))
		set_dbl(c, r->net_rxps, 0);
}
static void ct_tx(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (!net_elsewhere(s, r))
		set_dbl(c, r->net_txps, 0);
}
static void ct_netns_shared(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->netns_peers > 1)
		set_u64(c, r->netns_peers);
}
static void ct_net_counted(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->netns_peers > 1)
		set_str(c, s->ctrs[r->netns_holder - 1].id);
}
static void ct_netns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	const struct proc *p = snap_proc(s, r->init_pid);
	if (p && p->ns[NS_NET])
		set_u64(c, p->ns[NS_NET]);
}
static void ct_state(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->dead[0])
		set_str(c, r->dead);
	else if (!r->nprocs || r->stopped)
		set_str(c, "stopped");
	else
		set_str(c, snap_ctr_frozen(s, r) == 1 ? "frozen" : "running");
}
static void ct_ns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	buf_reset(&c->tmp);
	for (int t = 0; t < NS_NTYPES; t++) {
		if (!(r->own_ns & (1u << t)))
			continue;
		if (c->tmp.len)
			buf_addc(&c->tmp, ',');
		buf_adds(&c->tmp, ns_type_name((enum ns_type)t));
	}
	if (r->init_pid)
		set_str(c, c->tmp.len ? c->tmp.p : "");
}
/* Throttled while the host has CPU to spare: its quota (or an ancestor's)
 * limits it, not the machine. Throttled: 5 % or more of its periods, or
 * within a tenth (and at most 5 points) of the tightest CPU limit on its
 * path (a parent's quota throttles the parent, not it); spare: half a CPU
 * or more idle over the same interval. */
static bool quota_bound(const struct snap *s, const struct container *r)
{
	const struct cgroup *g = ctr_cg(s, r);
	if (!g || r->dead[0] || !s->host.available || !isfinite(s->host.cpu_percent) ||
	    s->host.cpu_percent > s->host.ncpu * 100.0 - 50.0)
		return false;
	if (isfinite(g->throttled_percent) && g->throttled_percent >= 5)
		return true;
	return isfinite(g->eff_cpu_percent) && isfinite(g->cpu_headroom) && g->eff_cpu_percent > 0 &&
	       g->cpu_headroom <= fmin(5.0, g->eff_cpu_percent / 10.0);
}

static void ct_notes(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	buf_reset(&c->tmp);
	if (r->pod_row)
		buf_adds(&c->tmp, "pod");
	if (r->init_pid && r->host_pidns && r->rt != RT_UNNAMED)
		buf_adds(&c->tmp, c->tmp.len ? ",host-pid" : "host-pid");
	if (r->init_pid && r->host_net)
		buf_adds(&c->tmp, c->tmp.len ? ",host-net" : "host-net");
	if (r->privileged)
		buf_adds(&c->tmp, c->tmp.len ? ",privileged" : "privileged");
	if (r->sandbox)
		buf_adds(&c->tmp, c->tmp.len ? ",sandbox" : "sandbox");
	if (r->netns_peers > 1)
		buf_adds(&c->tmp, c->tmp.len ? ",netns-shared" : "netns-shared");
	if (r->user_cgroup)
		buf_adds(&c->tmp, c->tmp.len ? ",user-cgroup" : "user-cgroup");
	if (quota_bound(s, r))
		buf_adds(&c->tmp, c->tmp.len ? ",cpu-quota-bound" : "cpu-quota-bound");
	set_str(c, c->tmp.len ? c->tmp.p : "");
}
static void ct_veth(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->veth);
}
/* text: docker's 127.0.0.1:18080->8080/tcp; JSON: an array of objects */
static void ct_ports(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (!r->ports)
		return;
	set_str(c, r->ports);
	c->json = r->ports_json;
}
static void ct_cgroups(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	if (r->cgroups_json) {
		c->type = CELL_JSON;
		c->s = r->cgroups_json;
		c->slen = strlen(r->cgroups_json);
	}
}
static void ct_cgroup(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	set_str(c, r->cgroup);
}
static void ct_pidns(const struct snap *s, const void *row, struct cell *c)
{
	ROW(struct container);
	const struct proc *p = snap_proc(s, r->init_pid);
	if (p && p->ns[NS_PID])
		set_u64(c, p->ns[NS_PID]);
}

static const struct column ct_cols[] = {
	{"NAME", "name", false, true, true, "name: the runtime's, the pod's, else the init process's command", ct_name},
	{"RUNTIME", "runtime", false, true, true, "docker, podman, containerd, kubernetes, cri-o, lxc, nspawn, nstop or unnamed", ct_runtime},
	{"ID", "short_id", false, true, true, "id, 12 digits of a long hex one", ct_id},
	{"FULL_ID", "id", false, false, true, "full id or name", ct_fullid},
	{"POD", "pod", false, false, true, "Kubernetes: its pod's name (the runtime's annotations, else /var/log/pods)", ct_pod},
	{"NAMESPACE", "pod_namespace", false, false, true, "Kubernetes: its pod's namespace", ct_pod_ns},
	{"POD_UID", "pod_uid", false, false, true, "Kubernetes: its pod's uid", ct_pod_uid},
	{"IMAGE", "image", false, true, true, "image: what was run (repository:tag), else its digest, where the runtime's files say", ct_image},
	{"INIT", "pid", true, true, true, "lowest pid among its processes", ct_init},
	{"PROCS", "nprocs", true, true, true, "processes in it", ct_nprocs},
	{"CPU%", "cpu_percent", true, true, true, "CPU over the interval, 100 = one CPU", ct_cpu},
	{"CPU_LIMIT%", "cpu_limit_percent", true, true, true, "its cgroup's CPU limit, percent of one CPU", ct_cpu_limit},
	{"MEM", "memory_bytes", true, true, true, "its cgroup's memory", ct_mem},
	{"MEM_LIMIT", "memory_limit_bytes", true, true, true, "its cgroup's memory limit", ct_mem_limit},
	{"MEM%", "memory_percent", true, true, true, "memory in percent of the limit", ct_mem_pct},
	{"WSET", "memory_working_set_bytes", true, true, true, "working set: memory minus inactive file pages, as kubelet counts it", ct_wset},
	{"WSET%", "memory_working_set_percent", true, true, true, "working set in percent of the effective memory limit", ct_wset_pct},
	{"INACTIVE_FILE", "memory_inactive_file_bytes", true, false, true, "page cache not recently used", ct_inactive_file},
	{"SHMEM", "memory_shmem_bytes", true, false, true, "shared memory and tmpfs", ct_shmem},
	{"KERNEL", "memory_kernel_bytes", true, false, true, "kernel memory (v2 only)", ct_kernel},
	{"SOCK", "memory_sock_bytes", true, false, true, "network buffers (v2 only)", ct_sock},
	{"EFF_MEM_LIMIT", "effective_memory_limit_bytes", true, false, true, "the tightest memory limit on its cgroup's path to the root", ct_eff_mem},
	{"EFF_MEM_FROM", "effective_memory_limit_from", false, false, true, "the cgroup that sets it", ct_eff_mem_from},
	{"MEM_HEADROOM", "memory_headroom_bytes", true, false, true, "the least memory limit minus usage on that path", ct_mem_headroom},
	{"EFF_CPU_LIMIT%", "effective_cpu_limit_percent", true, false, true, "the tightest CPU limit on that path, percent of one CPU", ct_eff_cpu},
	{"EFF_CPU_FROM", "effective_cpu_limit_from", false, false, true, "the cgroup that sets it", ct_eff_cpu_from},
	{"CPU_HEADROOM%", "cpu_headroom_percent", true, false, true, "the least CPU limit minus CPU use on that path", ct_cpu_headroom},
	{"EFF_PIDS_LIMIT", "effective_pids_limit", true, false, true, "the tightest pids.max on that path", ct_eff_pids},
	{"EFF_PIDS_FROM", "effective_pids_limit_from", false, false, true, "the cgroup that sets it", ct_eff_pids_from},
	{"PIDS_HEADROOM", "pids_headroom", true, false, true, "the least pids.max minus pids.current on that path", ct_pids_headroom},
	{"PSI_CPU_SOME60", "psi_cpu_some_avg60", true, false, true, "cpu.pressure some avg60", ct_psi_cpu_some_avg60},
	{"PSI_CPU_SOME_TOTAL", "psi_cpu_some_total_usec", true, false, true, "cpu.pressure some total stall, microseconds", ct_psi_cpu_some_total},
	{"PSI_CPU_FULL10", "psi_cpu_full_avg10", true, false, true, "cpu.pressure full avg10", ct_psi_cpu_full_avg10},
	{"PSI_CPU_FULL60", "psi_cpu_full_avg60", true, false, true, "cpu.pressure full avg60", ct_psi_cpu_full_avg60},
	{"PSI_CPU_FULL_TOTAL", "psi_cpu_full_total_usec", true, false, true, "cpu.pressure full total stall, microseconds", ct_psi_cpu_full_total},
	{"PSI_MEM_SOME60", "psi_memory_some_avg60", true, false, true, "memory.pressure some avg60", ct_psi_memory_some_avg60},
	{"PSI_MEM_SOME_TOTAL", "psi_memory_some_total_usec", true, false, true, "memory.pressure some total stall, microseconds", ct_psi_memory_some_total},
	{"PSI_MEM_FULL10", "psi_memory_full_avg10", true, false, true, "memory.pressure full avg10", ct_psi_memory_full_avg10},
	{"PSI_MEM_FULL60", "psi_memory_full_avg60", true, false, true, "memory.pressure full avg60", ct_psi_memory_full_avg60},
	{"PSI_MEM_FULL_TOTAL", "psi_memory_full_total_usec", true, false, true, "memory.pressure full total stall, microseconds", ct_psi_memory_full_total},
	{"PSI_IO_SOME60", "psi_io_some_avg60", true, false, true, "io.pressure some avg60", ct_psi_io_some_avg60},
	{"PSI_IO_SOME_TOTAL", "psi_io_some_total_usec", true, false, true, "io.pressure some total stall, microseconds", ct_psi_io_some_total},
	{"PSI_IO_FULL10", "psi_io_full_avg10", true, false, true, "io.pressure full avg10", ct_psi_io_full_avg10},
	{"PSI_IO_FULL60", "psi_io_full_avg60", true, false, true, "io.pressure full avg60", ct_psi_io_full_avg60},
	{"PSI_IO_FULL_TOTAL", "psi_io_full_total_usec", true, false, true, "io.pressure full total stall, microseconds", ct_psi_io_full_total},
	{"MEM_EVENTS_LOW", "memory_events_low", true, false, true, "memory.events low: times reclaimed below memory.low (v2)", ct_mev_low},
	{"MEM_EVENTS_HIGH", "memory_events_high", true, false, true, "memory.events high: times throttled over memory.high (v2)", ct_mev_high},
	{"MEM_EVENTS_MAX", "memory_events_max", true, false, true, "memory.events max: times at memory.max (v2)", ct_mev_max},
	{"MEM_EVENTS_OOM", "memory_events_oom", true, false, true, "memory.events oom: times out of memory at memory.max (v2)", ct_mev_oom},
	{"MEM_MIN", "memory_min_bytes", true, false, true, "memory.min: protected from reclaim (v2)", ct_mem_min},
	{"MEM_LOW", "memory_low_bytes", true, false, true, "memory.low: reclaimed last (v2)", ct_mem_low},
	{"CPU_WEIGHT", "cpu_weight", true, false, true, "cpu.weight, 1 to 10000, 100 the default (v2)", ct_cpu_weight},
	{"CPUSET", "cpuset_cpus_effective", false, false, true, "cpuset.cpus.effective (v1 cpuset.effective_cpus): the CPUs it may run on", ct_cpuset},
	{"CPUSET_N", "cpuset_ncpus", true, false, true, "how many CPUs that is", ct_cpuset_n},
	{"PIDS", "pids", true, true, true, "tasks (pids.current)", ct_pids},
	{"PIDS_LIMIT", "pids_limit", true, false, true, "pids.max", ct_pids_limit},
	{"READ/s", "io_read_bps", true, true, true, "disk bytes read per second", ct_rbps},
	{"WRITE/s", "io_write_bps", true, true, true, "disk bytes written per second", ct_wbps},
	{"RX/s", "net_rx_bps", true, true, true, "network bytes received per second, all interfaces but lo (root); a shared network namespace's on one row", ct_rx},
	{"TX/s", "net_tx_bps", true, true, true, "network bytes sent per second (root)", ct_tx},
	{"NETNS", "net_ns", true, false, true, "network namespace of its init", ct_netns},
	{"NETNS_SHARED", "netns_shared", true, false, true, "containers in its network namespace, itself included, when more than one", ct_netns_shared},
	{"NET_COUNTED_BY", "net_counted_by", false, false, true, "the id of the container whose row counts that namespace's traffic (the pod's sandbox)", ct_net_counted},
	{"THROTTLED", "nr_throttled", true, false, true, "CFS periods throttled", ct_throttled},
	{"OOM", "oom_kills", true, false, true, "OOM kills in its cgroup", ct_oom},
	{"STATE", "state", false, true, true, "running, frozen, stopped; for the exited (--all, the dashboard) exited(CODE), killed(SIG) or oom-killed", ct_state},
	{"OWN_NS", "own_namespaces", false, true, true, "namespaces of its own (not the host's)", ct_ns},
	{"NOTES", "notes", false, true, true, "pod (containers --by-pod: a pod's totals, from its cgroup), host-pid, host-net (sharing the host's), privileged (nstop --privileged), sandbox (a pod's pause container), netns-shared (its network namespace is other containers' too), user-cgroup (a runtime's id in a cgroup a user made: not named), cpu-quota-bound (throttled, or at its tightest CPU limit, while the host has half a CPU or more idle: the quota limits it, not the machine)", ct_notes},
	{"VETH", "veth", false, false, true, "nstop containers: the host side of their veth", ct_veth},
	{"PORTS", "ports", false, false, true, "nstop containers: ports published on the host (create --publish), HOSTIP:HOSTPORT->CTRPORT/PROTO", ct_ports},
	{"CGROUPS", "cgroups", false, false, true, "nstop containers: each hierarchy's cgroup path, by controllers (JSON: an object)", ct_cgroups},
	{"PIDNS", "pid_ns", true, false, true, "pid namespace of its init", ct_pidns},
	{"CGROUP", "cgroup", false, false, true, "its cgroup (v2; on v1 as found in any hierarchy)", ct_cgroup},
};
const struct table table_containers = {"containers", ct_cols, ARRAY_LEN(ct_cols)};
