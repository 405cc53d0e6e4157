/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The snap layer, the model: the types the collectors fill and the views read,
 * a snapshot's lookups, the namespace type names (snap.c). */
#ifndef NSTOP_SNAP_H
#define NSTOP_SNAP_H

#include "util/util.h"
#include "sysroot.h"

/* ---- namespaces ---- */
enum ns_type { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_TIME, NS_USER, NS_UTS, NS_NTYPES };
const char *ns_type_name(enum ns_type t);
int ns_type_parse(const char *s);

/* ---- a process (collect/proc.c fills it) ---- */
struct proc {
	pid_t pid, ppid;
	uid_t uid;          /* owner of /proc/PID, as ps and lsns take it */
	char state;
	bool kthread;
	int nthreads;
	long nice;
	const char *comm;       /* raw bytes from stat, interned */
	const char *cmdline;    /* raw argv, NUL-separated, may be NULL (pooled) */
	size_t cmdline_len;
	uint64_t start_ticks;   /* since boot, in clock ticks */
	uint64_t cpu_ticks;     /* utime + stime */
	uint64_t rss_bytes;
	uint64_t ns[NS_NTYPES]; /* inode, 0 when unreadable */
	const char *cg2;        /* v2 (unified) path, interned; NULL when none */
	const struct proc_cg *cg1; /* pooled */
	int ncg1;
	uint64_t stat_usec;     /* CLOCK_MONOTONIC of the stat read; 0: not read for this snapshot */
	double cpu_percent;     /* from two snapshots; NAN without a previous one */
	pid_t nspid;            /* pid inside its own pid namespace; 0 when not read */
};

/* ---- a cgroup (collect/cgroup.c fills it) ---- */
/* one PSI line: averages in percent (NAN absent), total stall in microseconds */
struct cg_psi {
	double avg10, avg60, avg300;
	uint64_t total;
};
enum { PSI_CPU, PSI_MEM, PSI_IO, PSI_NRES };
struct cgroup {
	const char *path;       /* interned, "/" for the root */
	int version;            /* 2 or 1 (hybrid rows with v1 data say 1) */
	bool in_unified;        /* hybrid: the path also exists in the v2 tree */
	int depth;
	uint32_t nprocs;        /* processes directly in it, any hierarchy */
	uint32_t nprocs_rec;    /* including descendants */
	uint64_t cpu_usage_usec;
	uint64_t mem_current, mem_anon, mem_file, swap_current;
	/* memory.stat (v1: total_*): VAL_NA where the kernel does not say */
	uint64_t mem_inactive_file, mem_shmem, mem_kernel, mem_sock;
	uint64_t mem_wset;      /* working set: current - inactive_file, floored at 0 */
	uint64_t io_rbytes, io_wbytes;
	uint64_t cpu_quota_usec, cpu_period_usec;
	uint64_t mem_max, mem_high, pids_max, pids_current;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	uint64_t oom_kills;
	double psi_cpu, psi_mem, psi_io; /* some avg10; NAN when not available */
	int frozen;             /* 1, 0, or -1 when not available */
	/* the tightest limit on the path to the root (this cgroup's own
	 * included), the cgroup that sets it (NULL: none is set), and the
	 * headroom: the least limit minus usage on that path */
	uint64_t eff_mem_max, eff_pids_max, mem_headroom, pids_headroom;
	double eff_cpu_percent, cpu_headroom; /* NAN: unlimited or unknown */
	const char *eff_mem_from, *eff_pids_from, *eff_cpu_from;
	struct cg_psi psi_some[PSI_NRES], psi_full[PSI_NRES]; /* cpu, memory, io */
	uint64_t mev_low, mev_high, mev_max, mev_oom; /* memory.events (v2) */
	uint64_t mem_min, mem_low, cpu_weight; /* v2 memory.min, memory.low, cpu.weight */
	uint64_t cpuset_ncpus;  /* CPUs in cpuset.cpus.effective (v1 cpuset.effective_cpus) */
	const char *cpuset_cpus; /* that list, interned raw; NULL when not read */
	/* rates from two snapshots (NAN without a previous one) */
	double cpu_percent, io_rbps, io_wbps, throttled_percent;
};

/* ---- a namespace (collect/ns.c fills it) ---- */
struct nsinfo {
	uint64_t ino;
	enum ns_type type;
	uint32_t nprocs;
	pid_t pid;              /* lowest pid in it */
	uint64_t owner_ino;     /* owning user namespace, 0 when unknown */
	uint64_t parent_ino;    /* pid/user parent, 0 when unknown or none */
	bool ghost;             /* no process in it: found as an owner or parent */
	int netnsid;            /* net: id seen from our netns, -1 unassigned, -2 unknown */
	const char *nsfs;       /* nsfs bind mounts of it ("\n"-joined), interned */
	uid_t owner_uid;        /* ghosts: NS_GET_OWNER_UID of a user namespace */
};

/* ---- a container (collect/container.c fills it) ---- */
enum runtime { RT_NONE, RT_DOCKER, RT_PODMAN, RT_CONTAINERD, RT_K8S, RT_CRIO, RT_LXC,
	       RT_NSPAWN, RT_NSTOP, RT_UNNAMED };
struct container {
	enum runtime rt;
	const char *id;         /* interned: 64-hex id, or a name (lxc, nspawn, nstop) */
	const char *name;       /* interned, may be NULL */
	const char *pod;        /* Kubernetes "namespace/pod", interned, may be NULL */
	const char *image;      /* interned: what was run (repository:tag), else its digest; may be NULL */
	/* Kubernetes: the pod's name, namespace and uid, interned, may be NULL;
	 * sandbox: the pod's pause container (holds the pod's namespaces) */
	const char *pod_name, *pod_ns, *pod_uid;
	bool sandbox;
	bool pod_row;           /* containers --by-pod: a pod's totals (snap_pod_rows) */
	bool user_cgroup;       /* a root runtime's id in a cgroup a user made: not named */
	/* containers in its network namespace (itself included; 0: not its own
	 * or unknown), and the one whose row counts that namespace's traffic
	 * (index + 1 into ctrs: the pod's sandbox, else the lowest init pid) */
	uint32_t netns_peers, netns_holder;
	const char *cgroup;     /* interned cgroup path; NULL for unnamed ones */
	uint64_t pidns;         /* unnamed ones: their pid namespace */
	pid_t init_pid;         /* lowest pid among its processes, 0 when none */
	uint32_t nprocs;
	unsigned own_ns;        /* bit per enum ns_type: namespaces of its own */
	bool host_pidns, host_net;
	uint64_t netns;         /* its init's network namespace */
	uint64_t net_rx, net_tx; /* bytes over its interfaces but lo, VAL_NA unknown */
	double net_rxps, net_txps; /* per second, NAN without a previous snapshot */
	/* nstop's own, from its registry */
	bool registered, privileged, stopped;
	const char *veth;       /* interned host side, may be NULL */
	/* --publish, from its record: interned "127.0.0.1:18080->8080/tcp, ..."
	 * and the same as a JSON array (containers --json); NULL: none */
	const char *ports, *ports_json;
	const char *cgroups_json; /* interned {"cpu":"/x",...}, may be NULL */
	const char *cg_memory;  /* interned memory hierarchy path, when it differs */
	/* the live dashboard's dead (collect/dead.c): gone, listed for a while
	 * with how it ended and its cgroup's last figures */
	const struct cgroup *last_cg; /* into snap.dead_cgs; NULL: alive */
	char dead[24];          /* "exited(0)", "killed(9)", "oom-killed", "exited" */
};

/* ---- an interface per network namespace (collect/net.c fills it) ---- */
struct netif {
	uint64_t netns;
	int ifindex;
	const char *name;       /* interned, raw */
	const char *addrs;      /* interned "10.0.0.2/24 fe80::1/64", may be "" */
	bool up;
	uint64_t rx_bytes, tx_bytes;
};

/* ---- the host's totals (collect/host.c fills it) ---- */
struct host {
	bool available;
	int ncpu;
	uint64_t cpu_total_ticks, cpu_busy_ticks;
	uint64_t mem_total, mem_available, swap_total, swap_free;
	double load1, load5, load15;
	double cpu_percent;     /* busy share of all CPUs x ncpu x 100, NAN w/o previous */
};

/* user names by uid (collect/users.c) */
struct users;

/* ---- snap.c ---- */
struct snap {
	uint64_t mono_usec;     /* CLOCK_MONOTONIC when taken */
	/* ... halfway through the cgroup walk and the network counters' reads,
	 * which come late in a snapshot and take longer in its first: their
	 * rates' clock (0: mono_usec's, as a recording's) */
	uint64_t cg_mono_usec, net_mono_usec;
	unsigned what;          /* the SNAP_* bits it was taken with */
	long hz;
	double uptime_sec;      /* proc/uptime, 0 when unreadable */
	enum cg_layout layout;
	bool live;
	uint64_t host_ns[NS_NTYPES]; /* namespaces of pid 2 (the initial ones) */
	struct host host;
	struct proc *procs;     /* sorted by pid */
	size_t nprocs;
	struct nsinfo *ns;      /* sorted by inode */
	size_t nns;
	struct hmap ns_idx;
	struct cgroup *cgs;     /* sorted by path */
	size_t ncgs;
	struct container *ctrs;
	size_t nctrs;
	uint32_t *proc_ctr;     /* per process: container index + 1, 0 for none */
	struct netif *ifs;      /* sorted by netns, then ifindex */
	size_t nifs;
	struct strtab *strs;    /* the pool's: only the collector's thread adds to it */
	struct strpool *pool;
	struct users *users;
	struct nerr cg_err;     /* why cgroups are missing, if they are */
	int refs;               /* owners (the dashboard's collector and screen) */
	struct cgroup *dead_cgs; /* the dead containers' last figures (collect/dead.c) */
};
enum snap_what { SNAP_PROCS = 1, SNAP_NS = 2, SNAP_CGROUPS = 4, SNAP_HOST = 8,
		 SNAP_CONTAINERS = 16, SNAP_ALL = 31,
		 /* with SNAP_CGROUPS: only the counters rates are taken from (the
		  * first of two samples), in the hierarchies that have them */
		 SNAP_CGRATES = 32,
		 /* with SNAP_CONTAINERS: the interfaces without their addresses
		  * (metrics show none: one netlink dump per namespace, not two) */
		 SNAP_NOADDRS = 64 };
void snap_free(struct snap *s);
const struct proc *snap_proc(const struct snap *s, pid_t pid);
const struct nsinfo *snap_ns(const struct snap *s, uint64_t ino);
const struct cgroup *snap_cgroup(const struct snap *s, const char *path);
const struct cgroup *snap_ctr_cgroup(const struct snap *s, const struct container *c);
const struct cgroup *snap_ctr_cgroup_mem(const struct snap *s, const struct container *c);
int snap_ctr_frozen(const struct snap *s, const struct container *c);
size_t snap_pod_rows(const struct snap *s, struct container **out, char ***paths);
int cg_path_cmp(const char *a, const char *b);

#endif
