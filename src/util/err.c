// SPDX-License-Identifier: GPL-2.0-or-later
/* Error reporting: one format for every message, and the terminal restored first. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

void (*fatal_hook)(void);

static int vset(struct nerr *e, enum nerr_kind kind, int code, const char *fmt, va_list ap)
{
	if (e) {
		e->code = code;
		e->kind = kind;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return code;
}

/* A failure of the system (the kernel refused, a file is missing), whatever
 * the errno: an -EINVAL from a cgroup file is not the user's fault. What is
 * the input's fault says so with nerr_input. */
int nerr_set(struct nerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(e, NERR_SYSTEM, code, fmt, ap);
	va_end(ap);
	return code;
}

int nerr_input(struct nerr *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(e, NERR_INPUT, code, fmt, ap);
	va_end(ap);
	return code;
}

/* A process or cgroup that disappears between readdir and open is normal. */
bool err_vanished(int code)
{
	if (code < 0)
		code = -code;
	return code == ENOENT || code == ESRCH;
}

static void vmsg(const char *fmt, va_list ap)
{
	fputs("nstop: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void fatal(const char *fmt, ...)
{
	if (fatal_hook)
		fatal_hook();
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(1);
}

void warnmsg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(2);
}
