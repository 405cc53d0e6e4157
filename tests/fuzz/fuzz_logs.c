// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: runtimes' log lines (Docker json-file, CRI), Docker's
 * config.v2.json and hostconfig.json, Podman's containers.json and conmon's
 * command line, kubelet's log file names and links, all written by others. The input's
 * lines go through the joiner in the format its first byte picks; a record
 * never exceeds LOG_TEXT_MAX, a whole CRI "F" line of known framing gives
 * back exactly its text, the state files' fields always end within their
 * slots.
 */
#include <errno.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum log_fmt fmt = data[0] % 3 == 1 ? LOG_CRI : data[0] % 3 == 2 ? LOG_PLAIN : LOG_DOCKER_JSON;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	struct log_join j = {0};
	for (size_t s = 0; s < n;) {
		const char *nl = memchr(in + s, '\n', n - s);
		size_t len = nl ? (size_t)(nl - (in + s)) : n - s;
		int r = log_feed(&j, fmt, in + s, len);
		if (r < -EINVAL || r > 1 || j.text.len > LOG_TEXT_MAX || (r == 1 && j.open) ||
		    (r == 0 && !j.open) || memchr(j.stream, 0, sizeof(j.stream)) == NULL)
			abort();
		s += len + 1;
	}
	log_join_free(&j);
	/* framing known: the text comes back byte for byte */
	const char *nl = memchr(in, '\n', n);
	size_t tl = nl ? (size_t)(nl - in) : n;
	char *line = malloc(tl + 64);
	int hl = snprintf(line, 64, "2024-01-02T03:04:05.5Z stdout F ");
	memcpy(line + hl, in, tl);
	if (log_feed(&j, LOG_CRI, line, (size_t)hl + tl) != 1 || j.text.len != tl ||
	    (tl && memcmp(j.text.p, in, tl)) || j.time_ns != 1704164645500000000LL || strcmp(j.stream, "stdout"))
		abort();
	log_join_free(&j);
	free(line);
	struct docker_cfg c;
	if (parse_docker_config(in, n, &c) == 0 &&
	    (!memchr(c.name, 0, sizeof(c.name)) || !memchr(c.image, 0, sizeof(c.image)) ||
	     !memchr(c.image_id, 0, sizeof(c.image_id)) || !memchr(c.log_path, 0, sizeof(c.log_path))))
		abort();
	char d[64];
	parse_docker_hostconfig(in, n, d, sizeof(d));
	if (!memchr(d, 0, sizeof(d)))
		abort();
	parse_docker_logdest(in, n, d, sizeof(d));
	if (!memchr(d, 0, sizeof(d)))
		abort();
	char pn[64], pi[64];
	int pr = parse_podman_containers(in, n, "bb", pn, sizeof(pn), pi, sizeof(pi));
	if (pr > 0 || !memchr(pn, 0, sizeof(pn)) || !memchr(pi, 0, sizeof(pi)))
		abort();
	/* conmon's argv: every pointer a whole argument inside the input */
	struct conmon_args a;
	parse_conmon_args(in, n, &a);
	const char *got[] = {a.cid, a.bundle, a.log, a.name};
	for (size_t i = 0; i < 4; i++)
		if (got[i] && (got[i] < in || got[i] >= in + n || !memchr(got[i], 0, (size_t)(in + n - got[i]))))
			abort();
	int64_t ns;
	parse_rfc3339(in, n, &ns);
	/* kubelet's names: the input's first line a file name, the second a
	 * link's target; whatever is taken is a name kubelet would write */
	char *z = malloc(n + 1);
	memcpy(z, in, n);
	z[n] = '\0';
	char *tg = strchr(z, '\n');
	if (tg)
		*tg++ = '\0';
	struct cri_logname ln;
	if (parse_cri_logname(z, &ln) == 0 && (!memchr(ln.stamp, 0, sizeof(ln.stamp)) ||
						(ln.stamp[0] && strlen(ln.stamp) != 15)))
		abort();
	struct cri_ref cr;
	if (tg && parse_cri_link(z, tg, "ab", &cr) == 0 &&
	    (!cri_name_ok(cr.ns, false) || !cri_name_ok(cr.pod, false) || !cri_name_ok(cr.uid, true) ||
	     !cri_name_ok(cr.ctr, false) || strncmp(tg, "/var/log/pods/", 14)))
		abort();
	cri_name_ok(z, z[0] & 1);
	free(z);
	/* journal entries: the lines as MESSAGEs, odd first bytes partial */
	const char *fv;
	size_t fl;
	if (journal_field(in, n, "MESSAGE", &fv, &fl) == 0 && (fv != in + 8 || fl != n - 8))
		abort();
	for (size_t s = 0; s < n;) {
		const char *e2 = memchr(in + s, '\n', n - s);
		size_t len = e2 ? (size_t)(e2 - (in + s)) : n - s;
		bool part = len && (in[s] & 1);
		int r = log_feed_journal(&j, (int64_t)s, in + s, len ? 1 : 0, in + s, len, part);
		if (r != !part || j.open != part || j.text.len > LOG_TEXT_MAX)
			abort();
		s += len + 1;
	}
	log_join_free(&j);
	return 0;
}
