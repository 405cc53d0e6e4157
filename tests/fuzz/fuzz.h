/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer targets share this: the input as a NUL-terminated, writable copy. */
#ifndef FUZZ_H
#define FUZZ_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/parse.h"

static char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
#endif
