// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Settings that stick: $XDG_CONFIG_HOME/nstop/config (default
 * ~/.config/nstop/config), else /etc/nstop.conf. "key = value" lines, '#'
 * comments. Unknown keys and bad values warn with the file and line and are
 * ignored; they never stop the program. Command-line options win. The
 * warnings go back to the caller as lines, which main prints: this layer
 * writes to no terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static struct config cfg;

const struct config *config_get(void)
{
	return &cfg;
}

static const char *const view_names[4] = {"containers", "namespaces", "cgroups", "processes"};
static const struct table *const view_tables[4] = {&table_containers, &table_ns, &table_cgroups,
						   &table_ps};

int config_view_index(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, view_names[i]))
			return i;
	return -1;
}

const char *config_view_name(int v)
{
	return v >= 0 && v < 4 ? view_names[v] : "?";
}

/* The user's file: $XDG_CONFIG_HOME/nstop/config or ~/.config/nstop/config. */
int config_user_path(char *out, size_t n)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x == '/')
		return snprintf(out, n, "%s/nstop/config", x) < (int)n ? 0 : -ENAMETOOLONG;
	const char *home = getenv("HOME");
	if (!home || *home != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return -ENOENT;
	return snprintf(out, n, "%s/.config/nstop/config", home) < (int)n ? 0 : -ENAMETOOLONG;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void warn_at(struct buf *warn, const char *file, int line, const char *fmt, const char *a,
		    const char *b)
{
	struct buf x = {0}, y = {0};
	str_escape(&x, a, strlen(a), ESC_TEXT);
	if (b)
		str_escape(&y, b, strlen(b), ESC_TEXT);
	buf_printf(warn, "%s:%d: ", file, line);
	buf_printf(warn, fmt, buf_str(&x), buf_str(&y));
	buf_adds(warn, " (ignored)\n");
	buf_free(&x);
	buf_free(&y);
}

/* Every name of a comma list is a column of the view's table. */
static bool columns_ok(int v, const char *list)
{
	const char *p = list;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (!n || !table_find(view_tables[v], p, n))
			return false;
		p += n + (c ? 1 : 0);
	}
	return *list != '\0';
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void apply(struct buf *warn, const char *file, int line, const char *key, const char *val)
{
	if (!strcmp(key, "view")) {
		if (config_view_index(val) < 0)
			warn_at(warn, file, line, "view: %s%s is not containers, namespaces, cgroups or processes", val, NULL);
		else
			snprintf(cfg.view, sizeof(cfg.view), "%s", val);
	} else if (!strcmp(key, "interval")) {
		double d;
		if (str_parse_seconds(val, &d) < 0 || d < 0.1)
			warn_at(warn, file, line, "interval: %s%s is not a number of seconds from 0.1", val, NULL);
		else
			cfg.interval = d;
	} else if (!strcmp(key, "color")) {
		if (!strcmp(val, "yes") || !strcmp(val, "true") || !strcmp(val, "on"))
			cfg.color = 1;
		else if (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "off"))
			cfg.color = 0;
		else
			warn_at(warn, file, line, "color: %s%s is not yes or no", val, NULL);
	} else if (!strcmp(key, "mouse")) {
		if (!strcmp(val, "yes") || !strcmp(val, "true") || !strcmp(val, "on"))
			cfg.mouse = 1;
		else if (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "off"))
			cfg.mouse = 0;
		else
			warn_at(warn, file, line, "mouse: %s%s is not yes or no", val, NULL);
	} else if (!strncmp(key, "columns.", 8) || !strncmp(key, "sort.", 5)) {
		bool cols = key[0] == 'c';
		int v = config_view_index(key + (cols ? 8 : 5));
		char col[64];
		snprintf(col, sizeof(col), "%s", val);
		char *sp = strchr(col, ' ');
		bool rev = false;
		if (!cols && sp) {
			rev = !strcmp(trim(sp + 1), "reverse");
			*sp = '\0';
		}
		if (v < 0)
			warn_at(warn, file, line, "unknown key: %s%s", key, NULL);
		else if (cols ? !columns_ok(v, val) : (!table_find(view_tables[v], col, strlen(col)) ||
							(sp && !rev)))
			warn_at(warn, file, line, "%s: %s is not a column list of that view (see --list-columns)",
				key, val);
		else if (cols)
			set_str(&cfg.cols[v], val);
		else
			set_str(&cfg.sort[v], col), cfg.sort_reverse[v] = rev;
	} else if (!strcmp(key, "cgroup_parent")) {
		if (!*val || strstr(val, ".."))
			warn_at(warn, file, line, "cgroup_parent: %s%s: a path without ..", val, NULL);
		else
			set_str(&cfg.cgroup_parent, val);
	} else if (!strcmp(key, "audit_log")) {
		if (*val != '/')
			warn_at(warn, file, line, "audit_log: %s%s is not an absolute path", val, NULL);
		else
			set_str(&cfg.audit_log, val);
	} else if (!strcmp(key, "history_max")) {
		uint64_t v;
		if (str_parse_size(val, &v) < 0 || v < (1u << 20) || v > (1ull << 40))
			warn_at(warn, file, line, "history_max: %s%s is not a size from 1M", val, NULL);
		else
			cfg.history_max = v;
	} else if (!strcmp(key, "dead_keep")) {
		double d;
		if (str_parse_seconds(val, &d) < 0 || d > 86400)
			warn_at(warn, file, line, "dead_keep: %s%s is not a number of seconds up to 86400", val, NULL);
		else
			cfg.dead_keep = d;
	} else {
		warn_at(warn, file, line, "unknown key: %s%s", key, NULL);
	}
}

/*
 * Whether to read an opened config file: a regular file (a FIFO would hang
 * the start), and as root one that only root can have written: the file
 * names the audit log and the cgroup parent, so a user's file read by root
 * (sudo keeps HOME or XDG_CONFIG_HOME) would let that user choose where
 * root writes. Otherwise a warning, and it is ignored.
 */
static bool config_trusted(struct buf *warn, int fd, const char *path)
{
	struct stat st;
	struct buf b = {0};
	const char *why = NULL;
	char tmp[80];
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (geteuid() == 0 && st.st_uid != 0)
		snprintf(tmp, sizeof(tmp), "owned by uid %u, not root (as root nstop reads only root's)",
			 (unsigned)st.st_uid), why = tmp;
	else if (geteuid() == 0 && (st.st_mode & 022))
		snprintf(tmp, sizeof(tmp), "writable by group or others (mode %04o)",
			 (unsigned)(st.st_mode & 07777)), why = tmp;
	if (why)
		buf_printf(warn, "%s: %s: ignored\n", str_esc(&b, path), why);
	buf_free(&b);
	return !why;
}

/* Loads the first file that exists; returns 1 when one was read, 0 if none.
 * warn receives one line per thing ignored (file:line: why), to be shown. */
int config_load(struct buf *warn)
{
	char user[512];
	const char *files[2] = {NULL, "/etc/nstop.conf"};
	if (config_user_path(user, sizeof(user)) == 0)
		files[0] = user;
	for (int i = 0; i < 2; i++) {
		if (!files[i])
			continue;
		int fd;
		if (geteuid() == 0) {
			/* root reads only what only root could have written */
			char why[200];
			fd = trust_open(files[i], O_RDONLY, 0, why, sizeof(why));
			if (fd == -ENOENT)
				continue;
			if (fd < 0) {
				struct buf eb = {0};
				buf_printf(warn, "%s: %s (as root nstop reads only root's): ignored\n",
					   str_esc(&eb, files[i]), why);
				buf_free(&eb);
				continue;
			}
		} else {
			fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd < 0)
				continue;
			if (!config_trusted(warn, fd, files[i])) {
				close(fd);
				continue;
			}
		}
		struct buf b = {0};
		char tmp[4096];
		ssize_t k;
		while ((k = read(fd, tmp, sizeof(tmp))) > 0 && b.len < 65536)
			buf_add(&b, tmp, (size_t)k);
		close(fd);
		snprintf(cfg.path, sizeof(cfg.path), "%s", files[i]);
		int line = 0;
		char *text = b.p ? b.p : (char *)"";
		for (char *l = text; l;) {
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			line++;
			char *s = trim(l);
			if (*s && *s != '#') {
				char *eq = strchr(s, '=');
				if (!eq) {
					warn_at(warn, files[i], line, "not key = value: %s%s", s, NULL);
				} else {
					*eq = '\0';
					apply(warn, files[i], line, trim(s), trim(eq + 1));
				}
			}
			l = nl ? nl + 1 : NULL;
		}
		buf_free(&b);
		return 1;
	}
	return 0;
}

static int mkdirs(const char *path)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* Writes the settings to the user's file (a temporary renamed over it). */
int config_save(const struct config *c, char *path_out, size_t n, struct nerr *e)
{
	char path[512], tmp[540];
	int r = config_user_path(path, sizeof(path));
	if (r < 0) {
		nerr_set(e, r, "no home directory for the config file");
		return r;
	}
	snprintf(path_out, n, "%s", path);
	if ((r = mkdirs(path)) < 0) {
		nerr_set(e, r, "%s: %s", path, strerror(-r));
		return r;
	}
	struct buf b = {0};
	buf_adds(&b, "# nstop settings (see nstop(8), CONFIGURATION); written by the dashboard's w key\n");
	if (c->view[0])
		buf_printf(&b, "view = %s\n", c->view);
	if (c->interval > 0)
		buf_printf(&b, "interval = %g\n", c->interval);
	if (c->color >= 0)
		buf_printf(&b, "color = %s\n", c->color ? "yes" : "no");
	if (c->mouse >= 0)
		buf_printf(&b, "mouse = %s\n", c->mouse ? "yes" : "no");
	for (int v = 0; v < 4; v++) {
		if (c->cols[v])
			buf_printf(&b, "columns.%s = %s\n", view_names[v], c->cols[v]);
		if (c->sort[v])
			buf_printf(&b, "sort.%s = %s%s\n", view_names[v], c->sort[v],
				   c->sort_reverse[v] ? " reverse" : "");
	}
	if (c->cgroup_parent)
		buf_printf(&b, "cgroup_parent = %s\n", c->cgroup_parent);
	if (c->audit_log)
		buf_printf(&b, "audit_log = %s\n", c->audit_log);
	if (c->history_max)
		buf_printf(&b, "history_max = %llu\n", (unsigned long long)c->history_max);
	if (c->dead_keep >= 0)
		buf_printf(&b, "dead_keep = %g\n", c->dead_keep);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	r = 0;
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		nerr_set(e, r, "%s: %s", path, strerror(-r));
	}
	buf_free(&b);
	return r;
}

void config_init(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.color = -1;
	cfg.mouse = -1;
	cfg.dead_keep = -1;
}
