/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny TAP producer for the C unit tests; tests/run.sh counts its lines. */
#ifndef TAP_H
#define TAP_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 4, 5))) static int tap_ok(int ok, const char *file, int line,
							const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (%s:%d)", file, line);
		tap_failed++;
	}
	putchar('\n');
	return ok;
}

#define OK(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define IS_STR(got, want, name)                                                          \
	do {                                                                             \
		const char *g_ = (got), *w_ = (want);                                    \
		if (!OK(g_ && !strcmp(g_, w_), "%s", name))                              \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_);  \
	} while (0)
#define IS_U64(got, want, name)                                                          \
	do {                                                                             \
		unsigned long long g_ = (got), w_ = (want);                              \
		if (!OK(g_ == w_, "%s", name))                                           \
			printf("#   got: %llu want: %llu\n", g_, w_);                        \
	} while (0)

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
