// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: an HTTP Accept header, network input to nstop serve. The
 * parser reads exactly n bytes (the input is not NUL-terminated here, so
 * ASan sees a read past it), and its answer must not depend on bytes after
 * a range that already settled it: appending a range that names neither
 * format must not change the choice.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	bool om = parse_accept_openmetrics(s, size);
	char *t = malloc(size + 16);
	if (!t)
		abort();
	memcpy(t, data, size);
	memcpy(t + size, ",image/png;q=1", 14);
	if (parse_accept_openmetrics(t, size + 14) != om)
		abort();
	free(t);
	free(s);
	return 0;
}
