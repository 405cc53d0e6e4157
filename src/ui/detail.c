// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The detail pane under the table: the selected row's cgroup (limits, use,
 * sparklines of its recent CPU and memory) and process (namespaces,
 * interfaces, command line). The view says which cgroup and process a row
 * stands for; the history is kept by the screen, not the snapshots.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* The last 60 samples of CPU and memory of each cgroup. */
#define HIST_LEN 60
struct hist {
	double cpu[HIST_LEN], mem[HIST_LEN];
	int n, pos;
};
struct hist_ring {
	struct hist *h;
	size_t len, cap;
	struct hmap idx;
};

static struct hist *hist_get(struct hist_ring *r, const char *kind, const char *key, bool create)
{
	if (!r)
		return NULL;
	char k[4300];
	snprintf(k, sizeof(k), "%s:%s", kind, key);
	uint64_t hk = hash_bytes(k, strlen(k));
	uint32_t i;
	if (hmap_get(&r->idx, hk, &i))
		return &r->h[i];
	if (!create)
		return NULL;
	if (r->len == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->h = xreallocarray(r->h, r->cap, sizeof(*r->h));
	}
	memset(&r->h[r->len], 0, sizeof(r->h[0]));
	hmap_put(&r->idx, hk, (uint32_t)r->len);
	return &r->h[r->len++];
}

static void hist_push(struct hist *h, double cpu, uint64_t mem)
{
	h->cpu[h->pos] = cpu;
	h->mem[h->pos] = mem == VAL_NA ? NAN : (double)mem;
	h->pos = (h->pos + 1) % HIST_LEN;
	if (h->n < HIST_LEN)
		h->n++;
}

void hist_record(struct ui *u, const struct snap *s)
{
	if (!u->hist)
		u->hist = xcalloc(1, sizeof(*u->hist));
	for (size_t i = 0; i < s->ncgs; i++)
		hist_push(hist_get(u->hist, "cg", s->cgs[i].path, true), s->cgs[i].cpu_percent,
			  s->cgs[i].mem_current);
}

void hist_free(struct ui *u)
{
	if (!u->hist)
		return;
	free(u->hist->h);
	hmap_free(&u->hist->idx);
	free(u->hist);
	u->hist = NULL;
}

/* A sparkline of the samples, oldest first, scaled to their maximum. */
static void sparkline(struct buf *b, const double *v, int n, int pos, int width, bool utf8)
{
	static const char *const u8[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					 "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = "_.-:=+*#";
	double max = 0;
	for (int i = 0; i < n; i++)
		if (!isnan(v[i]) && v[i] > max)
			max = v[i];
	int start = n < HIST_LEN ? 0 : pos;
	int skip = n > width ? n - width : 0;
	for (int i = skip; i < n; i++) {
		double x = v[(start + i) % HIST_LEN];
		if (isnan(x)) {
			buf_addc(b, ' ');
			continue;
		}
		int lv = max > 0 ? (int)(x / max * 7.0 + 0.5) : 0;
		if (lv < 0)
			lv = 0;
		if (lv > 7)
			lv = 7;
		if (utf8)
			buf_adds(b, u8[lv]);
		else
			buf_addc(b, ascii[lv]);
	}
}

static void pct1(char *o, size_t n, double v)
{
	if (isnan(v))
		snprintf(o, n, "-");
	else
		snprintf(o, n, "%.1f%%", v);
}

/*
 * The cgroup's lines; returns the next free line. gm holds the memory
 * figures (a memory hierarchy may be rooted elsewhere than the cpu one);
 * frozen is the row's state as its view has it (1, 0, -1 unknown).
 */
static int cgroup_lines(struct ui *u, const struct cgroup *g, const struct cgroup *gm,
			int frozen, int y, int yend, int w)
{
	struct buf *t = &u->tmp;
	char a[32], b[32], c[32], d[32];
	if (y < yend) {
		buf_reset(t);
		buf_adds(t, "cgroup ");
		str_escape(t, g->path, strlen(g->path), ESC_TEXT);
		if (gm != g) {
			buf_adds(t, "  memory ");
			str_escape(t, gm->path, strlen(gm->path), ESC_TEXT);
		}
		if (frozen >= 0)
			buf_adds(t, frozen ? "  frozen yes" : "  frozen no");
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		str_fmt_size(a, sizeof(a), gm->mem_current);
		str_fmt_size(b, sizeof(b), gm->mem_max);
		str_fmt_size(c, sizeof(c), gm->mem_high);
		str_fmt_size(d, sizeof(d), gm->swap_current);
		buf_reset(t);
		buf_printf(t, "memory %s  max %s  high %s  swap %s  oom kills ", a, b, c, d);
		if (gm->oom_kills == VAL_NA)
			buf_adds(t, "-");
		else
			buf_printf(t, "%llu", (unsigned long long)gm->oom_kills);
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		buf_reset(t);
		fmt_pct(a, sizeof(a), g->cpu_percent);
		buf_printf(t, "cpu %s  ", a);
		if (g->cpu_quota_usec == VAL_UNLIMITED && g->cpu_period_usec == VAL_NA)
			buf_adds(t, "limit max");
		else if (g->cpu_quota_usec == VAL_UNLIMITED)
			buf_printf(t, "limit max/%llu", (unsigned long long)g->cpu_period_usec);
		else if (g->cpu_quota_usec != VAL_NA)
			buf_printf(t, "limit %llu/%llu us", (unsigned long long)g->cpu_quota_usec,
				   (unsigned long long)g->cpu_period_usec);
		else
			buf_adds(t, "limit -");
		if (g->nr_throttled != VAL_NA)
			buf_printf(t, "  throttled %llu of %llu period%s",
				   (unsigned long long)g->nr_throttled, (unsigned long long)g->nr_periods,
				   g->nr_periods == 1 ? "" : "s");
		buf_adds(t, "  pids ");
		if (g->pids_current != VAL_NA)
			buf_printf(t, "%llu", (unsigned long long)g->pids_current);
		else
			buf_adds(t, "-");
		if (g->pids_max == VAL_UNLIMITED)
			buf_adds(t, "/max");
		else if (g->pids_max != VAL_NA)
			buf_printf(t, "/%llu", (unsigned long long)g->pids_max);
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	const struct hist *hs = hist_get(u->hist, "cg", g->path, false);
	const struct hist *hm = gm == g ? hs : hist_get(u->hist, "cg", gm->path, false);
	if (hs && hs->n && y < yend) {
		buf_reset(t);
		buf_adds(t, "cpu ");
		sparkline(t, hs->cpu, hs->n, hs->pos, (w - 16) / 2, u->utf8);
		buf_adds(t, "  mem ");
		if (hm)
			sparkline(t, hm->mem, hm->n, hm->pos, (w - 16) / 2, u->utf8);
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	return y;
}

/*
 * The cgroup's further lines, below the process's when the pane is short:
 * the working set and memory.stat, the effective limits, pressure and
 * memory.events, protection, weight and cpuset.
 */
static int cgroup_more(struct ui *u, const struct cgroup *g, const struct cgroup *gm, int y,
		       int yend, int w)
{
	struct buf *t = &u->tmp;
	char a[32], b[32];
	if (y < yend) {
		/* what the memory is: the working set (kubelet's) and memory.stat */
		str_fmt_size(a, sizeof(a), gm->mem_wset);
		buf_reset(t);
		buf_printf(t, "wset %s", a);
		if (gm->mem_wset != VAL_NA && gm->eff_mem_max != VAL_NA && gm->eff_mem_max) {
			fmt_pct(b, sizeof(b), (double)gm->mem_wset / (double)gm->eff_mem_max * 100.0);
			buf_printf(t, " (%s of the effective limit)", b);
		}
		static const char *const nm[] = {"anon", "file", "inactive_file", "shmem", "kernel",
						 "sock"};
		const uint64_t v[] = {gm->mem_anon, gm->mem_file, gm->mem_inactive_file,
				      gm->mem_shmem, gm->mem_kernel, gm->mem_sock};
		for (size_t i = 0; i < ARRAY_LEN(nm); i++) {
			str_fmt_size(a, sizeof(a), v[i]);
			buf_printf(t, "  %s %s", nm[i], a);
		}
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		/* the tightest limits on the path to the root, and who sets them */
		buf_reset(t);
		str_fmt_size(a, sizeof(a), gm->eff_mem_max);
		str_fmt_size(b, sizeof(b), gm->mem_headroom);
		buf_printf(t, "effective memory %s", a);
		if (gm->eff_mem_from) {
			buf_adds(t, " from ");
			str_escape(t, gm->eff_mem_from, strlen(gm->eff_mem_from), ESC_TEXT);
		}
		buf_printf(t, " headroom %s  cpu ", b);
		pct1(a, sizeof(a), g->eff_cpu_percent);
		pct1(b, sizeof(b), g->cpu_headroom);
		buf_adds(t, a);
		if (g->eff_cpu_from) {
			buf_adds(t, " from ");
			str_escape(t, g->eff_cpu_from, strlen(g->eff_cpu_from), ESC_TEXT);
		}
		buf_printf(t, " headroom %s  pids ", b);
		if (g->eff_pids_max != VAL_NA)
			buf_printf(t, "%llu", (unsigned long long)g->eff_pids_max);
		else
			buf_adds(t, "-");
		if (g->eff_pids_from) {
			buf_adds(t, " from ");
			str_escape(t, g->eff_pids_from, strlen(g->eff_pids_from), ESC_TEXT);
		}
		if (g->pids_headroom != VAL_NA)
			buf_printf(t, " headroom %llu", (unsigned long long)g->pids_headroom);
		else
			buf_adds(t, " headroom -");
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		/* pressure: some and full, avg10/avg60 in percent; memory.events */
		static const char *const res[] = {"cpu", "memory", "io"};
		buf_reset(t);
		buf_adds(t, "psi avg10/avg60");
		for (int k = 0; k < 2; k++) {
			buf_adds(t, k ? "  full" : "  some");
			for (int i = 0; i < PSI_NRES; i++) {
				const struct cgroup *pg = i == PSI_MEM ? gm : g;
				const struct cg_psi *q = k ? &pg->psi_full[i] : &pg->psi_some[i];
				pct1(a, sizeof(a), q->avg10);
				pct1(b, sizeof(b), q->avg60);
				buf_printf(t, " %s %s/%s", res[i], a, b);
			}
		}
		static const char *const ev[] = {"low", "high", "max", "oom", "oom_kill"};
		const uint64_t evv[] = {gm->mev_low, gm->mev_high, gm->mev_max, gm->mev_oom,
					gm->oom_kills};
		buf_adds(t, "  memory.events");
		for (size_t i = 0; i < ARRAY_LEN(ev); i++) {
			if (evv[i] == VAL_NA)
				buf_printf(t, " %s -", ev[i]);
			else
				buf_printf(t, " %s %llu", ev[i], (unsigned long long)evv[i]);
		}
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		/* protection and share: memory.min/low, cpu.weight, the cpuset */
		str_fmt_size(a, sizeof(a), gm->mem_min);
		str_fmt_size(b, sizeof(b), gm->mem_low);
		buf_reset(t);
		buf_printf(t, "memory.min %s  memory.low %s  cpu.weight ", a, b);
		if (g->cpu_weight != VAL_NA)
			buf_printf(t, "%llu", (unsigned long long)g->cpu_weight);
		else
			buf_adds(t, "-");
		buf_adds(t, "  cpuset ");
		if (g->cpuset_cpus) {
			str_escape(t, g->cpuset_cpus, strlen(g->cpuset_cpus), ESC_TEXT);
			buf_printf(t, " (%llu CPUs)", (unsigned long long)g->cpuset_ncpus);
		} else {
			buf_adds(t, "-");
		}
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	return y;
}

/* The process's lines; returns the next free line. */
static int proc_lines(struct ui *u, const struct proc *p, int y, int yend, int w)
{
	const struct snap *s = u->shown;
	struct buf *t = &u->tmp;
	char a[32], b[32];
	if (p->ns[NS_NET] && y < yend) {
		buf_reset(t);
		size_t shown = 0;
		for (size_t k = 0; k < s->nifs; k++) {
			const struct netif *f = &s->ifs[k];
			if (f->netns != p->ns[NS_NET])
				continue;
			str_fmt_size(a, sizeof(a), f->rx_bytes);
			str_fmt_size(b, sizeof(b), f->tx_bytes);
			buf_adds(t, shown ? "  " : "net ");
			str_escape(t, f->name, strlen(f->name), ESC_TEXT);
			buf_printf(t, "%s %s rx %s tx %s", f->up ? "" : " (down)",
				   *f->addrs ? f->addrs : "-", a, b);
			shown++;
		}
		if (shown)
			put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		buf_reset(t);
		buf_printf(t, "pid %d  ", (int)p->pid);
		for (int k = 0; k < NS_NTYPES; k++)
			buf_printf(t, "%s:%llu%s ", ns_type_name((enum ns_type)k),
				   (unsigned long long)p->ns[k],
				   p->ns[k] && p->ns[k] != s->host_ns[k] ? "*" : "");
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	if (y < yend) {
		buf_reset(t);
		buf_adds(t, "cmd ");
		if (p->cmdline_len) {
			size_t n = p->cmdline_len;
			struct buf raw = {0};
			buf_add(&raw, p->cmdline, n);
			for (size_t i = 0; i < n; i++)
				if (!raw.p[i])
					raw.p[i] = ' ';
			str_escape(t, raw.p, n, ESC_TEXT);
			buf_free(&raw);
		} else {
			str_escape(t, p->comm, strlen(p->comm), ESC_TEXT);
		}
		put(y++, 1, t->p, t->len, w - 2, false);
	}
	return y;
}

void ui_draw_detail(struct ui *u, int y0, int h, int w)
{
	for (int y = y0; y < y0 + h; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (!u->nrows || h < 2)
		return;
	const struct cgroup *g = NULL;
	const struct proc *p = NULL;
	u->views[u->view]->detail(u->shown, u->rows[u->vs[u->view].sel], &g, &p);
	attron(A_BOLD);
	draw_line_piece(y0, 0, w, 'h');
	mvaddstr(y0, 1, " detail ");
	attroff(A_BOLD);
	int y = y0 + 1;
	const struct cgroup *gm = NULL;
	if (g) {
		const struct view_ops *o = u->views[u->view];
		const void *r = u->rows[u->vs[u->view].sel];
		gm = o->detail_mem ? o->detail_mem(u->shown, r) : NULL;
		int fz = g->frozen;
		if (o->frozen && o->frozen(u->shown, r))
			fz = 1;
		y = cgroup_lines(u, g, gm ? gm : g, fz, y, y0 + h, w);
	}
	const struct view_ops *vo = u->views[u->view];
	const char *extra = vo->detail_line ? vo->detail_line(u->rows[u->vs[u->view].sel], &u->tmp) : NULL;
	if (extra && y < y0 + h)
		put(y++, 1, extra, strlen(extra), w - 2, false);
	if (p)
		y = proc_lines(u, p, y, y0 + h, w);
	if (g)
		y = cgroup_more(u, g, gm ? gm : g, y, y0 + h, w);
	if (y < y0 + h && !g && !p)
		mvaddstr(y, 1, "-");
}
