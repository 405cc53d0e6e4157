// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: create's --env-file and -e (docker's syntax): whatever the
 * file holds, every entry kept is KEY=VALUE with a clean KEY, no NUL. */
#include <errno.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *caller[] = {"HOME=/root", "A=from-the-caller", NULL};
	char **env = NULL;
	size_t n = 0, line;
	int r = parse_env_file((const char *)data, size, caller, &env, &n, &line);
	if (r < 0 && r != -EINVAL && r != -EFBIG)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i] || (env[i][0] >= '0' && env[i][0] <= '9'))
			abort(); /* not KEY=VALUE */
		for (const char *p = env[i]; p < eq; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
				abort(); /* a KEY create would pass on unchecked */
		free(env[i]);
	}
	if (env && env[n])
		abort(); /* not NULL-terminated */
	free(env);
	char *s = fuzz_copy(data, size);
	env = NULL, n = 0;
	parse_env_word(s, strlen(s), caller, &env, &n);
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
	free(s);
	return 0;
}
