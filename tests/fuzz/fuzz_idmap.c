// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: user-namespace id maps (/proc/PID/uid_map) and /etc/subuid. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	struct id_range r[8];
	int k = parse_id_map(s, size, r, 8);
	for (int i = 0; i < k && i < 8; i++)
		if (r[i].start > UINT32_MAX || r[i].count > UINT32_MAX)
			abort();
	k = parse_subid(s, size, r, 8);
	for (int i = 0; i < k && i < 8; i++)
		if (r[i].start > UINT32_MAX || r[i].count > UINT32_MAX)
			abort();
	free(s);
	return 0;
}
