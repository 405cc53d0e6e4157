// SPDX-License-Identifier: GPL-2.0-or-later
/* nstop image: import an OCI layout, an OCI archive or a docker-archive into
 * the store, list the images, remove them (act/image.c does the work). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/collect.h"
#include "output.h"
#include "cli.h"

enum { O_NAME = 0x300, O_MAXSIZE, O_MAXENT, O_JSON };

static int image_import(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"name", required_argument, NULL, O_NAME},
		{"max-layer-size", required_argument, NULL, O_MAXSIZE},
		{"max-entries", required_argument, NULL, O_MAXENT},
		{0},
	};
	/* a layer past either is refused (a decompression or entry bomb);
	 * both raised by the options for the rare image that needs it */
	struct img_import_opts io = {NULL, 1ull << 30, 200000};
	struct buf b = {0};
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == O_NAME)
			io.name = optarg;
		else if (c == O_MAXSIZE) {
			if (str_parse_size(optarg, &io.max_layer_bytes) < 0 || !io.max_layer_bytes)
				usage_error("image import: --max-layer-size: not a size: %s", str_esc(&b, optarg));
		} else if (c == O_MAXENT) {
			if (str_parse_u64(optarg, &io.max_entries) < 0 || !io.max_entries)
				usage_error("image import: --max-entries: not a count: %s", str_esc(&b, optarg));
		} else
			usage_error("image import: unknown option or missing value: %s (see nstop image --help)",
				    str_esc(&b, argv[optind - 1]));
	}
	if (optind != argc - 1)
		usage_error("image import: one PATH is required (an OCI layout, an OCI archive or docker save's tar)");
	cli_need_root("image import", 1);
	struct img_import_result res;
	struct nerr e = {0};
	if (act_image_import(argv[optind], &io, &res, &e) < 0) {
		fprintf(stderr, "nstop: image import: %s: %s\n", str_esc(&b, argv[optind]), e.msg);
		buf_free(&b);
		return act_exit_code(&e);
	}
	printf("%s %s (%zu layers)\n", str_esc(&b, res.name), res.id, res.nlayers);
	buf_free(&b);
	return 0;
}

static int image_ls(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else {
			struct buf b = {0};
			usage_error("image ls: unknown argument: %s", str_esc(&b, argv[i]));
		}
	}
	cli_need_root("image ls", 1);
	struct img_info *v;
	size_t n;
	struct nerr e = {0};
	if (act_image_list(&v, &n, &e) < 0) {
		fprintf(stderr, "nstop: image ls: %s\n", e.msg);
		return act_exit_code(&e);
	}
	struct buf out = {0}, b = {0};
	if (json) {
		struct json j;
		json_init(&j, &out, true);
		json_arr_begin(&j, NULL);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j, NULL);
			json_str(&j, "name", v[i].name);
			json_str(&j, "id", v[i].id);
			json_u64(&j, "layers", v[i].nlayers);
			json_u64(&j, "bytes", v[i].bytes);
			json_i64(&j, "imported", v[i].imported);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		buf_printf(&out, "\n");
	} else {
		buf_printf(&out, "%-32s %-12s %6s %9s %s\n", "NAME", "ID", "LAYERS", "SIZE", "IMPORTED");
		for (size_t i = 0; i < n; i++) {
			char sz[32], when[32];
			str_fmt_size(sz, sizeof(sz), v[i].bytes);
			time_t t = (time_t)v[i].imported;
			struct tm tm;
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
			buf_printf(&out, "%-32s %-12.12s %6zu %9s %s\n", str_esc(&b, v[i].name), v[i].id, v[i].nlayers, sz, when);
		}
	}
	fputs(buf_str(&out), stdout);
	buf_free(&out);
	buf_free(&b);
	free(v);
	return 0;
}

static int image_rm(int argc, char **argv)
{
	if (argc < 2)
		usage_error("image rm: a NAME is required (see nstop image ls)");
	cli_need_root("image rm", 1);
	int rc = 0;
	struct buf b = {0};
	for (int i = 1; i < argc; i++) {
		struct nerr e = {0};
		if (act_image_rm(argv[i], &e) < 0) {
			fprintf(stderr, "nstop: image rm: %s: %s\n", str_esc(&b, argv[i]), e.msg);
			int k = act_exit_code(&e);
			rc = rc == 1 ? 1 : k;
		} else {
			printf("%s\n", str_esc(&b, argv[i]));
		}
	}
	buf_free(&b);
	return rc;
}

int cmd_image(int argc, char **argv, const struct globalopts *g)
{
	(void)g;
	if (argc < 2)
		usage_error("image: import, ls or rm is required (see nstop image --help)");
	if (!strcmp(argv[1], "import"))
		return image_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ls"))
		return image_ls(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rm"))
		return image_rm(argc - 1, argv + 1);
	struct buf b = {0};
	usage_error("image: unknown subcommand: %s (import, ls, rm)", str_esc(&b, argv[1]));
}
