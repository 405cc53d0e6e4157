// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: create --publish and a record's "ports" (parse_port.c):
 * whatever comes in, a spec accepted has ports 1-65535 and a protocol,
 * and its canonical form reads back to the same; a record's entries kept
 * are whole and valid. */
#include <errno.h>
#include <stdio.h>

#include "fuzz.h"

static void same(const struct port_map *a)
{
	char s[64];
	struct port_map b;
	const char *why;
	port_fmt_spec(a, s, sizeof(s));
	if (parse_publish(s, strlen(s), &b, &why) < 0 || b.host_ip != a->host_ip ||
	    b.host_port != a->host_port || b.ctr_port != a->ctr_port || b.proto != a->proto)
		abort(); /* the canonical form does not read back */
	if (!a->host_port || !a->ctr_port || (a->proto != PORT_TCP && a->proto != PORT_UDP))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct port_map pm;
	const char *why = NULL;
	int r = parse_publish((const char *)data, size, &pm, &why);
	if (r == 0)
		same(&pm);
	else if (r != -EINVAL || !why)
		abort(); /* refused without a reason */
	struct jv v;
	if (jv_parse((const char *)data, size, &v) == 0) {
		struct port_map ps[PORT_MAX];
		size_t n = parse_ports_jv(&v, ps, PORT_MAX);
		if (n > PORT_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			same(&ps[i]);
		jv_free(&v);
	}
	return 0;
}
