// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: nstop serve's users file (--web-config), read before any
 * privilege is needed but given by whoever writes the file. The parser reads
 * exactly n bytes (not NUL-terminated here: ASan sees a read past them);
 * what it accepts is a name of allowed bytes and a bcrypt hash per user,
 * and written back in the plainest form it parses to the same users.
 * The same bytes go to parse_host_allowed, the Host header check.
 */
#include <strings.h>

#include "fuzz.h"

static struct webcfg w, w2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1), why[200];
	if (!s)
		abort();
	memcpy(s, data, size);
	if (parse_webcfg(s, size, &w, why, sizeof(why)) == 0) {
		if (!w.n || w.n > WEBCFG_USERS_MAX)
			abort();
		struct buf b = {0};
		buf_printf(&b, "basic_auth_users:\n");
		for (size_t i = 0; i < w.n; i++) {
			size_t nl = strlen(w.users[i].name);
			if (!nl || nl > WEBCFG_NAME_MAX || !parse_bcrypt_hash(w.users[i].hash, strlen(w.users[i].hash)))
				abort();
			for (size_t j = 0; j < nl; j++)
				if (strchr(" :#'\"\\\n", w.users[i].name[j]))
					abort();
			buf_printf(&b, "  %s: %s\n", w.users[i].name, w.users[i].hash);
		}
		if (parse_webcfg(b.p, b.len, &w2, why, sizeof(why)) != 0 || w2.n != w.n ||
		    memcmp(w.users, w2.users, w.n * sizeof(w.users[0])))
			abort();
		buf_free(&b);
	} else if (!why[0] || strlen(why) >= sizeof(why)) {
		abort();
	}
	/* the same bytes as a Host header (read to n bytes only): one answered
	 * only because of the allow list is that name, whatever the case */
	static const char *const allow[] = {"node1"};
	bool ok = parse_host_allowed(s, size, allow, 1);
	if (ok && parse_host_allowed(s, size, NULL, 0) != ok && strncasecmp(s, "node1", 5))
		abort();
	free(s);
	return 0;
}
