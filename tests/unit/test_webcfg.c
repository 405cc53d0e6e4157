// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of nstop serve's users file parser (exporter-toolkit's
 * basic_auth_users subset of YAML): what it takes, and that everything
 * outside the subset is refused with its line. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>

#include "collect/parse.h"
#include "tap.h"

#define H1 "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
#define H2 "$2b$04$abcdefghijklmnopqrstuu5UJFqQxMdd5Pnfr4Vl6cIq7pVnDJXaO"

static struct webcfg w;
static char why[200];

static int parse(const char *s)
{
	why[0] = 0;
	return parse_webcfg(s, strlen(s), &w, why, sizeof(why));
}

static void t_good(void)
{
	OK(parse_bcrypt_hash(H1, strlen(H1)), "hash: a $2y$ hash of cost 10");
	OK(parse_bcrypt_hash(H2, strlen(H2)), "hash: a $2b$ hash of cost 04");
	OK(parse("basic_auth_users:\n  alice: " H1 "\n") == 0 && w.n == 1, "one user");
	IS_STR(w.users[0].name, "alice", "... its name");
	IS_STR(w.users[0].hash, H1, "... its hash");
	OK(parse("# web config\n---\nbasic_auth_users:  # the scrapers\n"
		 "    prom-1: '" H1 "'\n\n    bob.b@x+y: \"" H2 "\"   # bob\r\n") == 0 && w.n == 2,
	   "comments, ---, quotes, CRLF, 4-space indent, blank lines: %s", why);
	IS_STR(w.users[1].name, "bob.b@x+y", "... the second user's name");
	IS_STR(w.users[1].hash, H2, "... its double-quoted hash");
	OK(parse("\xef\xbb\xbf" "basic_auth_users:\n a: " H1) == 0 && w.n == 1,
	   "a byte order mark, no final newline: %s", why);
}

static void bad(const char *s, const char *want, const char *name)
{
	int r = parse(s);
	OK(r == -EINVAL && strstr(why, want), "refused: %s (%s)", name, why);
}

static void t_bad(void)
{
	bad("", "no basic_auth_users", "empty");
	bad("basic_auth_users:\n", "has no user", "no users");
	bad("basic_auth_users: {}\n", "line 1: only basic_auth_users", "a flow map");
	bad("tls_server_config:\n  cert_file: x\n", "line 1: only basic_auth_users", "TLS settings");
	bad("basic_auth_users:\n\talice: " H1 "\n", "line 2: a tab", "a tab");
	bad("basic_auth_users:\n  alice: " H1 "\n   bob: " H2 "\n", "line 3: indented 3", "uneven indent");
	bad("  alice: " H1 "\n", "line 1: indented, but not under", "a user before the key");
	bad("basic_auth_users:\n  alice: " H1 "\n  alice: " H2 "\n", "line 3: a user twice", "a user twice");
	bad("basic_auth_users:\nbasic_auth_users:\n", "line 2: basic_auth_users: twice", "the key twice");
	bad("basic_auth_users:\n  alice:" H1 "\n", "no space", "no space after the colon");
	bad("basic_auth_users:\n  alice: secret\n", "not a bcrypt hash", "a plaintext password");
	bad("basic_auth_users:\n  alice: $1$abc$def\n", "not a bcrypt hash", "an MD5 crypt hash");
	bad("basic_auth_users:\n  alice: $2y$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n",
	    "not a bcrypt hash", "a cost of 03");
	bad("basic_auth_users:\n  alice: $2y$32$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n",
	    "not a bcrypt hash", "a cost of 32");
	bad("basic_auth_users:\n  alice: " H1 "x\n", "not a bcrypt hash", "61 characters");
	bad("basic_auth_users:\n  alice: $2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW!\n",
	    "not a bcrypt hash", "a character outside bcrypt's base64");
	bad("basic_auth_users:\n  alice: '" H1 "\n", "unterminated quote", "an open quote");
	bad("basic_auth_users:\n  alice: '" H1 "\"\n", "unterminated quote", "mismatched quotes");
	bad("basic_auth_users:\n  'alice': " H1 "\n", "letters, digits", "a quoted name");
	bad("basic_auth_users:\n  al ice: " H1 "\n", "letters, digits", "a space in a name");
	bad("basic_auth_users:\n  -alice: " H1 "\n", "starting with '-'", "a sequence-like name");
	bad("basic_auth_users:\n  : " H1 "\n", "1 to 64 bytes", "an empty name");
	bad("basic_auth_users:\n  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: " H1 "\n",
	    "1 to 64 bytes", "a 65-byte name");
	bad("basic_auth_users:\n  alice " H1 "\n", "not user: hash", "no colon");
	bad("basic_auth_users:\n  a\x1b[2J: " H1 "\n", "a control character", "an escape in a name");
	bad("basic_auth_users:\n  alice: &x " H1 "\n", "not a bcrypt hash", "an anchor");
	bad("basic_auth_users: # x\n  alice: \"" H1 "\\\"\n", "not a bcrypt hash", "an escape in double quotes");
	bad("basic_auth_users:\n  alice: " H1 "\nextra: 1\n", "line 3: only basic_auth_users", "a second key");
	/* 65 users: one too many */
	char *big = malloc(80 * 70 + 32);
	strcpy(big, "basic_auth_users:\n");
	for (int i = 0; i < 65; i++)
		sprintf(big + strlen(big), "  u%d: %s\n", i, H1);
	bad(big, "line 66: more than 64 users", "65 users");
	free(big);
	/* a length that cuts the text short is the text's end, nothing after */
	const char *s = "basic_auth_users:\n  alice: " H1 "\n  bob: zzz";
	OK(parse_webcfg(s, strlen(s) - 11, &w, why, sizeof(why)) == 0 && w.n == 1,
	   "the length given is the end: %s", why);
}

static bool host(const char *h)
{
	static const char *const allow[] = {"node1.example.org", "prom"};
	return parse_host_allowed(h, h ? strlen(h) : 0, allow, 2);
}

static void t_host(void)
{
	const char *yes[] = {NULL, "127.0.0.1", "127.0.0.1:9847", "192.0.2.7:80", "localhost",
			     "LocalHost:9847", "[::1]:9847", "[::1]", "[2001:db8::1]:1", "node1.example.org:9847",
			     "PROM", "localhost:"};
	const char *no[] = {"", "evil.example.com", "evil.example.com:9847", "127.0.0.1.nip.io:9847",
			    "localhost.evil.com", "node1.example.org.evil.com", "prom:x", "::1",
			    "[::1", "[::1]x", "[127.0.0.1]:1", "127.0.0.1:9847:1", "127.0.0.1 ", "0x7f.1",
			    "[evil]:1", "localhost:98a"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		OK(host(yes[i]), "Host %s: answered", yes[i] ? yes[i] : "(none)");
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		OK(!host(no[i]), "Host '%s': refused", no[i]);
	OK(!parse_host_allowed("localhostX", 9 - 1, NULL, 0), "the length given is the end (localhos)");
	OK(parse_host_allowed("localhostX", 9, NULL, 0), "... (localhost of localhostX)");
}

int main(void)
{
	t_good();
	t_bad();
	t_host();
	return tap_done();
}
