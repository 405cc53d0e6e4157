// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The users file of nstop serve: the basic_auth_users part of Prometheus'
 * exporter-toolkit web configuration (web-config.yml), a strict subset of
 * YAML, so that one file serves node_exporter and nstop alike:
 *
 *   # comment
 *   basic_auth_users:
 *     alice: $2y$10$...            (a bcrypt hash, 60 characters)
 *     bob: '$2b$12$...'            (or quoted, single or double)
 *
 * Anything else is refused with its line: another top-level key (TLS is
 * given with --tls-cert and --tls-key), tabs, flow or block styles, escapes,
 * anchors, a user twice, a hash that is not bcrypt. A user name is 1 to
 * WEBCFG_NAME_MAX bytes of [A-Za-z0-9_.@+-], not starting with a YAML
 * indicator. Pure: the caller reads the file; nothing here trusts a length.
 * Also the Host header check of a server without users (parse_host_allowed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

static int fail(char *why, size_t whyn, unsigned line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(why, whyn, "line %u: %s", line, msg);
	else
		snprintf(why, whyn, "%s", msg);
	return -EINVAL;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '@' || c == '+' || c == '-';
}

static bool b64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '/';
}

/* $2a$, $2b$ or $2y$, a cost of 04 to 31, $, 53 characters of bcrypt's
 * base64 (22 of salt, 31 of hash). */
bool parse_bcrypt_hash(const char *s, size_t n)
{
	if (n != WEBCFG_HASH_LEN || s[0] != '$' || s[1] != '2' ||
	    (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') || s[3] != '$' ||
	    s[4] < '0' || s[4] > '3' || s[5] < '0' || s[5] > '9' || s[6] != '$')
		return false;
	int cost = (s[4] - '0') * 10 + (s[5] - '0');
	if (cost < 4 || cost > 31)
		return false;
	for (size_t i = 7; i < n; i++)
		if (!b64_char(s[i]))
			return false;
	return true;
}

/* A line's content without a trailing comment (" #..." or a line that is
 * one) and trailing blanks; [*b, *e). Quotes are not scanned here: a
 * quoted hash has no '#' in bcrypt's alphabet, so a '#' is always one. */
static void strip(const char **b, const char **e)
{
	const char *p = *b;
	for (; p < *e; p++)
		if (*p == '#' && (p == *b || p[-1] == ' '))
			break;
	*e = p;
	while (*e > *b && (*e)[-1] == ' ')
		(*e)--;
}

int parse_webcfg(const char *s, size_t n, struct webcfg *out, char *why, size_t whyn)
{
	memset(out, 0, sizeof(*out));
	const char *end = s + n;
	unsigned line = 0;
	bool in_users = false, seen_users = false;
	size_t indent = 0; /* of the users' lines, the first one sets it */
	for (const char *p = s; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *b = p, *e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		line++;
		if (e > b && e[-1] == '\r')
			e--;
		for (const char *q = b; q < e; q++) {
			unsigned char c = (unsigned char)*q;
			if (c == '\t')
				return fail(why, whyn, line, "a tab (YAML indents with spaces)");
			if (c < 0x20 || c == 0x7f)
				return fail(why, whyn, line, "a control character");
		}
		if (line == 1 && e - b >= 3 && !memcmp(b, "\xef\xbb\xbf", 3))
			b += 3; /* a UTF-8 byte order mark */
		strip(&b, &e);
		size_t ind = 0;
		while (b + ind < e && b[ind] == ' ')
			ind++;
		if (b + ind == e)
			continue; /* blank or a comment */
		if (ind == 0) {
			if (!seen_users && e - b == 3 && !memcmp(b, "---", 3))
				continue; /* the start of the one document */
			static const char key[] = "basic_auth_users:";
			if ((size_t)(e - b) != sizeof(key) - 1 || memcmp(b, key, sizeof(key) - 1))
				return fail(why, whyn, line, "only basic_auth_users: is read here (TLS: "
					    "--tls-cert and --tls-key)");
			if (seen_users)
				return fail(why, whyn, line, "basic_auth_users: twice");
			seen_users = in_users = true;
			continue;
		}
		if (!in_users)
			return fail(why, whyn, line, "indented, but not under basic_auth_users:");
		if (!indent)
			indent = ind;
		if (ind != indent)
			return fail(why, whyn, line, "indented %zu spaces, the first user %zu", ind, indent);
		b += ind;
		const char *colon = memchr(b, ':', (size_t)(e - b));
		if (!colon)
			return fail(why, whyn, line, "not user: hash");
		size_t nlen = (size_t)(colon - b);
		if (!nlen || nlen > WEBCFG_NAME_MAX)
			return fail(why, whyn, line, "a user name of 1 to %d bytes", WEBCFG_NAME_MAX);
		if (b[0] == '-' || b[0] == '@' || b[0] == '.')
			return fail(why, whyn, line, "a user name starting with '%c'", b[0]);
		for (size_t i = 0; i < nlen; i++)
			if (!name_char(b[i]))
				return fail(why, whyn, line, "a user name of letters, digits and _.@+- only");
		const char *v = colon + 1;
		if (v == e || *v != ' ')
			return fail(why, whyn, line, "no space and hash after the user's colon");
		while (v < e && *v == ' ')
			v++;
		const char *ve = e;
		if (v < ve && (*v == '\'' || *v == '"')) {
			if (ve - v < 2 || ve[-1] != *v)
				return fail(why, whyn, line, "an unterminated quote");
			v++, ve--;
		}
		if (!parse_bcrypt_hash(v, (size_t)(ve - v)))
			return fail(why, whyn, line, "not a bcrypt hash ($2y$, $2b$ or $2a$, a cost of 04 "
				    "to 31, 60 characters: htpasswd -nBC 10 USER makes one)");
		for (size_t i = 0; i < out->n; i++)
			if (strlen(out->users[i].name) == nlen && !memcmp(out->users[i].name, b, nlen))
				return fail(why, whyn, line, "a user twice");
		if (out->n == WEBCFG_USERS_MAX)
			return fail(why, whyn, line, "more than %d users", WEBCFG_USERS_MAX);
		struct webcfg_user *u = &out->users[out->n++];
		memcpy(u->name, b, nlen);
		u->name[nlen] = 0;
		memcpy(u->hash, v, WEBCFG_HASH_LEN);
		u->hash[WEBCFG_HASH_LEN] = 0;
	}
	if (!out->n)
		return fail(why, whyn, 0, seen_users ? "basic_auth_users: has no user"
						      : "no basic_auth_users:");
	return 0;
}

static bool ieq(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && !strncasecmp(a, b, n);
}

/*
 * May a request with this Host header be answered by a server without
 * users? Against DNS rebinding: a web page on a name its owner points at
 * 127.0.0.1 makes the visitor's browser fetch the loopback exporter with
 * that name as the Host, and read the answer (process command lines,
 * container names) as its own origin's. So only an IP literal, localhost
 * or a name in allow[] (case-insensitive) is answered, an optional :port
 * after it; [v6]:port too. An absent Host (HTTP/1.0) is not a browser's.
 */
bool parse_host_allowed(const char *s, size_t n, const char *const *allow, size_t nallow)
{
	if (!s)
		return true;
	const char *end = s + n, *h = s, *he = end, *port = NULL;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb)
			return false;
		h = s + 1, he = rb;
		if (rb + 1 < end && rb[1] != ':')
			return false;
		port = rb + 1 < end ? rb + 1 : NULL;
	} else if ((port = memchr(s, ':', n))) {
		he = port;
	}
	for (const char *p = port ? port + 1 : end; p < end; p++)
		if (*p < '0' || *p > '9')
			return false; /* a port is digits, and a second ':' is no name's */
	size_t hn = (size_t)(he - h);
	if (!hn || hn > 255)
		return false;
	char lit[256];
	memcpy(lit, h, hn);
	lit[hn] = 0;
	unsigned char addr[16];
	if (s[0] == '[' ? inet_pton(AF_INET6, lit, addr) == 1 : inet_pton(AF_INET, lit, addr) == 1)
		return true;
	if (s[0] == '[')
		return false;
	if (ieq(h, hn, "localhost"))
		return true;
	for (size_t i = 0; i < nallow; i++)
		if (ieq(h, hn, allow[i]))
			return true;
	return false;
}
