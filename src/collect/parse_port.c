// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Published ports: create's --publish [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]
 * and the "ports" of a registry record, both read strictly (the record is
 * a file anyone with root wrote, shown on the dashboard): an IPv4 address
 * in its four-decimal form only (inet_aton's 0x, octal and short forms are
 * refused: "010.1" would not be what it looks like), ports 1-65535 in
 * decimal without leading zeros. Pure, unit-tested and fuzzed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

/* a decimal number of 1-5 digits, no leading zero, at most max */
static int parse_dec(const char *s, size_t n, unsigned max, unsigned *out)
{
	if (!n || n > 5 || (s[0] == '0' && n > 1))
		return -EINVAL;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_ipv4(const char *s, size_t n, uint32_t *ip)
{
	uint32_t v = 0;
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		size_t j = i;
		while (j < n && s[j] != '.')
			j++;
		unsigned oct;
		if (parse_dec(s + i, j - i, 255, &oct) < 0 || (k < 3 && j == n) || (k == 3 && j != n))
			return -EINVAL;
		v = v << 8 | oct;
		i = j + 1;
	}
	*ip = v;
	return 0;
}

static int parse_port(const char *s, size_t n, uint16_t *port)
{
	unsigned v;
	if (parse_dec(s, n, 65535, &v) < 0 || v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/*
 * [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]; HOSTIP defaults to 127.0.0.1
 * (docker's 0.0.0.0 default publishes on every address, which must be
 * asked for). -EINVAL with *why saying which part is wrong.
 */
int parse_publish(const char *s, size_t n, struct port_map *pm, const char **why)
{
	static const char form[] = "not [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]";
	*why = form;
	if (memchr(s, '\0', n) || n > 64)
		return -EINVAL;
	pm->proto = PORT_TCP;
	const char *slash = memchr(s, '/', n);
	if (slash) {
		size_t pl = n - (size_t)(slash - s) - 1;
		if (pl == 3 && !memcmp(slash + 1, "tcp", 3))
			pm->proto = PORT_TCP;
		else if (pl == 3 && !memcmp(slash + 1, "udp", 3))
			pm->proto = PORT_UDP;
		else
			return *why = "the protocol is tcp or udp", -EINVAL;
		n = (size_t)(slash - s);
	}
	const char *c2 = NULL, *c1 = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':')
			c1 = c2, c2 = s + i;
	if (!c2)
		return -EINVAL;
	for (const char *p = s; c1 && p < c1; p++)
		if (*p == ':')
			return *why = "HOSTIP: an IPv4 address (IPv6 is not supported)", -EINVAL;
	pm->host_ip = 0x7f000001;
	if (c1 && parse_ipv4(s, (size_t)(c1 - s), &pm->host_ip) < 0)
		return *why = "HOSTIP: an IPv4 address as four decimal numbers (0.0.0.0: every address)", -EINVAL;
	const char *hp = c1 ? c1 + 1 : s;
	if (memchr(hp, '-', (size_t)(c2 - hp)) || memchr(c2 + 1, '-', n - (size_t)(c2 + 1 - s)))
		return *why = "port ranges are not supported: one --publish per port", -EINVAL;
	if (parse_port(hp, (size_t)(c2 - hp), &pm->host_port) < 0)
		return *why = "HOSTPORT: a port number, 1-65535", -EINVAL;
	if (parse_port(c2 + 1, n - (size_t)(c2 + 1 - s), &pm->ctr_port) < 0)
		return *why = "CTRPORT: a port number, 1-65535", -EINVAL;
	*why = NULL;
	return 0;
}

void port_fmt_ip(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255);
}

const char *port_proto_name(int proto)
{
	return proto == PORT_UDP ? "udp" : "tcp";
}

/* HOSTIP:HOSTPORT:CTRPORT/PROTO, which parse_publish reads back the same */
void port_fmt_spec(const struct port_map *pm, char *out, size_t n)
{
	char ip[16];
	port_fmt_ip(pm->host_ip, ip);
	snprintf(out, n, "%s:%u:%u/%s", ip, pm->host_port, pm->ctr_port, port_proto_name(pm->proto));
}

/* a member that is a string without a NUL inside */
static const char *jv_plain(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);
	return v && v->type == JV_STR && strlen(v->s) == v->len ? v->s : NULL;
}

/* a member that is an integer in [1, 65535] */
static bool jv_port(const struct jv *o, const char *key, uint16_t *out)
{
	const struct jv *v = jv_get(o, key);
	if (!v || v->type != JV_NUM || !(v->num >= 1 && v->num <= 65535) || v->num != (double)(unsigned)v->num)
		return false;
	*out = (uint16_t)v->num;
	return true;
}

/*
 * A record's "ports": [{"host_ip":"127.0.0.1","host_port":18080,
 * "container_port":8080,"proto":"tcp"}, ...]. The entries that are whole
 * and valid, at most max of them; anything else is left out.
 */
size_t parse_ports_jv(const struct jv *arr, struct port_map *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; arr && arr->type == JV_ARR && i < arr->n && k < max; i++) {
		const struct jv *o = &arr->kids[i];
		if (o->type != JV_OBJ)
			continue;
		const char *ip = jv_plain(o, "host_ip"), *proto = jv_plain(o, "proto");
		struct port_map pm;
		if (!ip || parse_ipv4(ip, strlen(ip), &pm.host_ip) < 0 || !proto ||
		    !jv_port(o, "host_port", &pm.host_port) || !jv_port(o, "container_port", &pm.ctr_port))
			continue;
		if (!strcmp(proto, "tcp"))
			pm.proto = PORT_TCP;
		else if (!strcmp(proto, "udp"))
			pm.proto = PORT_UDP;
		else
			continue;
		out[k++] = pm;
	}
	return k;
}
