// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target: the dashboard's create request and the reply of nstop
 * _create (src/act/ctrreq.c). What is accepted must be within the bounds,
 * and must read back the same after it is written again. */
#include "fuzz.h"
#include "act/act.h"

static void request(const char *s, size_t size)
{
	struct create_req rq;
	struct nerr e = {0};
	if (create_req_parse(s, size, &rq, &e) < 0)
		return;
	if (!rq.name || strlen(rq.name) > CREQ_MAX_STR || rq.ncmd > CREQ_MAX_ARGS)
		abort();
	struct buf b = {0};
	create_req_json(&b, &rq);
	struct create_req again;
	if (create_req_parse(b.p, b.len, &again, &e) < 0 || strcmp(again.name, rq.name) ||
	    again.ncmd != rq.ncmd)
		abort(); /* the writer wrote what the reader refuses */
	for (int i = 0; i < CREQ_NOPTS; i++)
		if (!rq.opt[i] != !again.opt[i] || (rq.opt[i] && strcmp(rq.opt[i], again.opt[i])))
			abort();
	create_req_free(&again);
	create_req_free(&rq);
	buf_free(&b);
}

static void reply(const char *s, size_t size)
{
	struct create_reply rp, again;
	if (create_reply_parse(s, size, &rp) < 0)
		return;
	if (rp.code > 0 || rp.pid < 0 || strlen(rp.msg) >= sizeof(rp.msg))
		abort();
	struct buf b = {0};
	create_reply_json(&b, &rp);
	if (create_reply_parse(b.p, b.len, &again) < 0 || memcmp(&rp, &again, sizeof(rp)))
		abort();
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_copy(data, size);
	request(s, size);
	reply(s, size);
	free(s);
	return 0;
}
