// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journald log drivers' logs (Podman's, and Docker's): a container's
 * entries in the journal, matched by CONTAINER_ID_FULL, read through
 * libsystemd's sd-journal (the library made for it: the file format is
 * journald's own). The entries' fields are untrusted like any log: a
 * container writes MESSAGE; they go through log_feed_journal and are handed
 * out raw for the caller to escape. At most LOG_READ_MAX bytes of messages
 * are taken from the end, as of a log file.
 *
 * CONTAINER_ID_FULL is a field any local user may write (logger --journald,
 * sd_journal_send): only entries whose trusted _UID (set by journald from
 * the sender's credentials, a field no client can write) is root's are the
 * runtime's, Docker's daemon and root Podman's conmon both running as root.
 * The match asks the journal for them, and each entry read is checked again.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "collect.h"

#define JOURNAL_STEPS_MAX 1000000   /* entries walked back for --tail, at most */

/*
 * sd-journal maps the journal files. A file truncated while it is mapped
 * (a container's own journal is the container's to truncate; journald
 * rotates and vacuums the host's) raises SIGBUS on the next read of a page
 * past its end: fatal, in the dashboard too. Between jbus_begin and
 * jbus_end a SIGBUS maps a page of zeros over the faulting one (what
 * journald and journalctl do) and is remembered; jbus_end says whether one
 * came, and the journal is then given up as changed under the reader.
 * Outside these calls SIGBUS is as it was.
 */
static volatile sig_atomic_t jbus_hit;
static uintptr_t jbus_page;
static struct sigaction jbus_old;

static void jbus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	void *a = (void *)((uintptr_t)si->si_addr & ~(jbus_page - 1));
	if (si->si_code != BUS_ADRERR ||
	    mmap(a, jbus_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		/* not a mapped file's end: as it would have been */
		sigaction(sig, &jbus_old, NULL);
		return;
	}
	jbus_hit = 1;
}

void jbus_begin(void)
{
	jbus_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	jbus_hit = 0;
	struct sigaction sa = {.sa_sigaction = jbus_handler, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &jbus_old);
}

bool jbus_end(void)
{
	sigaction(SIGBUS, &jbus_old, NULL);
	return jbus_hit;
}

void journal_close(struct logsrc *ls)
{
	if (ls->jr)
		sd_journal_close(ls->jr);
	ls->jr = NULL;
	for (size_t i = 0; i < ls->njfds; i++)
		close(ls->jfds[i]);
	free(ls->jfds);
	ls->jfds = NULL;
	ls->njfds = 0;
}

static bool hex_id(const char *s)
{
	size_t n = strlen(s);
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * The journal of the live system (its local files, as journalctl reads
 * them), or beneath --sysroot DIR (its /var/log/journal and
 * /run/log/journal), with only id's entries.
 */
int logs_open_journal(struct sysroot *sr, const char *id, const char *who, struct logsrc *ls,
		      struct nerr *e)
{
	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	ls->sr = sr;
	if (!hex_id(id))
		return nerr_set(e, -EINVAL, "%s: not a 64-digit container id", who);
	snprintf(ls->path, sizeof(ls->path), "the journal (CONTAINER_ID_FULL=%s)", id);
	sd_journal *j = NULL;
	int r = sr->live ? sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY)
			 : sd_journal_open_directory(&j, sr->dir, SD_JOURNAL_OS_ROOT);
	if (r < 0)
		return nerr_set(e, r, "%s: its log driver is journald: opening the journal: %s", who, strerror(-r));
	char match[96];
	snprintf(match, sizeof(match), "CONTAINER_ID_FULL=%s", id);
	sd_journal_set_data_threshold(j, LOG_TEXT_MAX);
	r = sd_journal_add_match(j, match, 0);
	/* a different field: ANDed with the id's match */
	if (r >= 0)
		r = sd_journal_add_match(j, "_UID=0", 0);
	if (r < 0) {
		sd_journal_close(j);
		return nerr_set(e, r, "%s: the journal: %s", who, strerror(-r));
	}
	/* inotify on the journal's directories, so new files are seen */
	sd_journal_get_fd(j);
	jbus_begin();
	bool none = sr->live && sd_journal_seek_head(j) >= 0 && sd_journal_next(j) == 0;
	if (jbus_end()) {
		sd_journal_close(j);
		return nerr_set(e, -EIO, "%s: the journal: a file shrank while read (rotated or vacuumed): try again", who);
	}
	if (none && access("/run/systemd/journal/socket", F_OK) < 0) {
		sd_journal_close(j);
		return nerr_set(e, -ENODATA, "%s: its log driver is journald, and no systemd-journald runs "
				"on this host (no /run/systemd/journal/socket): its output was not kept", who);
	}
	ls->jr = j;
	return 0;
}

/* Whether the entry the journal is at was sent by root (its trusted _UID). */
static bool root_entry(sd_journal *j)
{
	const void *d;
	size_t len;
	const char *v;
	size_t vl;
	return sd_journal_get_data(j, "_UID", &d, &len) >= 0 && journal_field(d, len, "_UID", &v, &vl) >= 0 &&
	       vl == 1 && v[0] == '0';
}

/* The entry the journal is at into ls->j: 1 a whole record, 0 a piece, <0 none. */
static int entry(struct logsrc *ls, size_t *bytes)
{
	sd_journal *j = ls->jr;
	const void *d;
	size_t len, ml = 0, pl = 0, xl = 0;
	const char *msg = NULL, *prio = NULL, *part = NULL;
	if (!ls->jall && !root_entry(j))
		return -EPERM;
	if (sd_journal_get_data(j, "MESSAGE", &d, &len) >= 0)
		journal_field(d, len, "MESSAGE", &msg, &ml);
	/* a machine's journal: whose entry it is, as journalctl shows it */
	const char *id = NULL;
	size_t il = 0;
	if (ls->jall && sd_journal_get_data(j, "SYSLOG_IDENTIFIER", &d, &len) >= 0 &&
	    journal_field(d, len, "SYSLOG_IDENTIFIER", &id, &il) >= 0 && il && il < 256 && msg) {
		buf_reset(&ls->line);
		buf_add(&ls->line, id, il);
		buf_add(&ls->line, ": ", 2);
		buf_add(&ls->line, msg, ml);
		msg = ls->line.p;
		ml = ls->line.len;
	}
	if (sd_journal_get_data(j, "PRIORITY", &d, &len) >= 0)
		journal_field(d, len, "PRIORITY", &prio, &pl);
	if (sd_journal_get_data(j, "CONTAINER_PARTIAL_MESSAGE", &d, &len) >= 0)
		journal_field(d, len, "CONTAINER_PARTIAL_MESSAGE", &part, &xl);
	uint64_t us;
	int64_t t = sd_journal_get_realtime_usec(j, &us) >= 0 && us < (uint64_t)INT64_MAX / 1000
			    ? (int64_t)us * 1000 : INT64_MIN;
	if (bytes)
		*bytes += ml;
	return log_feed_journal(&ls->j, t, prio, pl, msg, ml, xl == 4 && !memcmp(part, "true", 4));
}

/* Whether the entry the journal is at was written before since. */
static bool before(sd_journal *j, int64_t since)
{
	uint64_t us;
	return since != INT64_MIN && since > 0 && sd_journal_get_realtime_usec(j, &us) >= 0 &&
	       us < (uint64_t)since / 1000;
}

static bool whole_entry(sd_journal *j)
{
	const void *d;
	size_t len;
	const char *v;
	size_t vl;
	return sd_journal_get_data(j, "CONTAINER_PARTIAL_MESSAGE", &d, &len) < 0 ||
	       journal_field(d, len, "CONTAINER_PARTIAL_MESSAGE", &v, &vl) < 0 || vl != 4 || memcmp(v, "true", 4);
}

/*
 * The last tail records (SIZE_MAX: all) at or after since, within the last
 * LOG_READ_MAX bytes of messages: walked back from the end counting whole
 * records, then read forward; the journal is left at its end for
 * journal_poll.
 */
static int tail_in(struct logsrc *ls, size_t tail, int64_t since, log_rec_fn fn, void *arg)
{
	sd_journal *j = ls->jr;
	size_t max = ls->read_max ? ls->read_max : LOG_READ_MAX;
	int r = sd_journal_seek_tail(j);
	if (r < 0)
		return r;
	size_t whole = 0, bytes = 0, steps = 0;
	bool any = false;
	for (;;) {
		r = sd_journal_previous(j);
		if (r < 0)
			return r;
		if (r == 0)
			break; /* the first entry: read from it */
		if (!ls->jall && !root_entry(j))
			continue;
		any = true;
		const void *d;
		size_t len;
		if (sd_journal_get_data(j, "MESSAGE", &d, &len) >= 0)
			bytes += len;
		bool w = whole_entry(j);
		/* one too far: written before since, the end of one record
		 * more than wanted, past the size cap */
		if (before(j, since) || (w && whole == tail) || bytes > max || ++steps > JOURNAL_STEPS_MAX) {
			r = sd_journal_next(j);
			if (r <= 0)
				return r; /* none wanted */
			break;
		}
		whole += w;
	}
	if (!any)
		return 0;
	/* at the first entry wanted: it, then every one after */
	do {
		if (entry(ls, NULL) == 1 && fn)
			fn(arg, &ls->j);
	} while ((r = sd_journal_next(j)) > 0);
	return r < 0 ? r : 0;
}

/* What was added since the last call. Returns the records given to fn. */
static int poll_in(struct logsrc *ls, int64_t since, log_rec_fn fn, void *arg)
{
	sd_journal *j = ls->jr;
	sd_journal_process(j);
	int n = 0, r;
	size_t bytes = 0;
	while (bytes < LOG_READ_MAX && (r = sd_journal_next(j)) > 0) {
		if (before(j, since))
			continue;
		if (entry(ls, &bytes) == 1 && fn) {
			fn(arg, &ls->j);
			n++;
		}
	}
	return n;
}

/* A journal read once under the SIGBUS guard is not read again. */
static int guarded(struct logsrc *ls, int r)
{
	if (jbus_end() || ls->jbroken) {
		ls->jbroken = true;
		return -EIO;
	}
	return r;
}

int journal_tail(struct logsrc *ls, size_t tail, int64_t since, log_rec_fn fn, void *arg)
{
	if (ls->jbroken)
		return -EIO;
	jbus_begin();
	return guarded(ls, tail_in(ls, tail, since, fn, arg));
}

int journal_poll(struct logsrc *ls, int64_t since, log_rec_fn fn, void *arg)
{
	if (ls->jbroken)
		return -EIO;
	jbus_begin();
	return guarded(ls, poll_in(ls, since, fn, arg));
}
