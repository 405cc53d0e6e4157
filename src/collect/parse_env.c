// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * docker's environment syntax, for create's -e and --env-file: KEY=VALUE
 * (the value verbatim), a bare KEY taking the caller's value (left out
 * when the caller has none, as docker does), and in a file blank lines and
 * lines starting with # skipped. The file is the caller's but still
 * outside input: pure, size-capped, unit-tested and fuzzed.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

/* KEY of letters, digits and _, not first a digit; klen bytes of s */
static bool key_ok(const char *s, size_t klen)
{
	if (!klen || klen > PARSE_ENV_MAX_KEY || (*s >= '0' && *s <= '9'))
		return false;
	for (size_t i = 0; i < klen; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* env (n entries, NULL-terminated) gets a copy of the n bytes at s */
static void add(char ***env, size_t *n, const char *s, size_t len)
{
	*env = xreallocarray(*env, *n + 2, sizeof(**env));
	char *v = xmalloc(len + 1);
	memcpy(v, s, len);
	v[len] = '\0';
	(*env)[(*n)++] = v;
	(*env)[*n] = NULL;
}

int parse_env_word(const char *s, size_t len, char *const *caller, char ***env, size_t *n)
{
	if (len > PARSE_ENV_MAX || memchr(s, '\0', len))
		return -EINVAL;
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	if (!key_ok(s, klen))
		return -EINVAL;
	if (eq) {
		add(env, n, s, len);
		return 0;
	}
	for (char *const *c = caller; c && *c; c++)
		if (!strncmp(*c, s, klen) && (*c)[klen] == '=') {
			add(env, n, *c, strlen(*c));
			return 0;
		}
	return 0; /* unset in the caller: unset inside */
}

int parse_env_file(const char *s, size_t len, char *const *caller, char ***env, size_t *n,
		   size_t *badline)
{
	*badline = 0;
	if (len > PARSE_ENV_MAX)
		return -EFBIG;
	size_t line = 0;
	for (const char *p = s, *end = s + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *q = p;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q < le && *q != '#' && parse_env_word(q, (size_t)(le - q), caller, env, n) < 0) {
			*badline = line;
			return -EINVAL;
		}
		p = le + 1;
	}
	return 0;
}
