// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of collect/parse_img.c: a layer's entries judged before any
 * byte is written, and an image's JSON (index, manifest, config). */
#include <errno.h>
#include <stdlib.h>

#include "collect/parse.h"
#include "tap.h"

/* one entry through a fresh or given check: 0 or -EINVAL, why kept */
static int ent(struct img_check *c, const char *path, enum img_kind k, const char *link, int64_t size,
	       struct img_ent *out, char *why)
{
	struct img_entry in = {path, k, link, size};
	why[0] = '\0';
	return img_entry_check(c, &in, out, why, 200);
}

static void t_entries(void)
{
	struct img_check c;
	struct img_ent o;
	char why[200];
	img_check_init(&c, 1 << 20, 10);
	OK(ent(&c, "./a//b/./c/", IMG_REG, NULL, 5, &o, why) == 0 && !strcmp(o.path, "a/b/c"), "./a//b/./c/ is a/b/c");
	OK(ent(&c, "./", IMG_DIR, NULL, 0, &o, why) == 0 && o.skip, "the layer's root is skipped");
	OK(ent(&c, "a/../../etc/passwd", IMG_REG, NULL, 0, &o, why) < 0 && strstr(why, ".."), "a .. component is refused: %s", why);
	OK(ent(&c, "/etc/passwd", IMG_REG, NULL, 0, &o, why) < 0 && strstr(why, "absolute"), "an absolute path is refused: %s", why);
	OK(ent(&c, "dev/sda", IMG_BLK, NULL, 0, &o, why) < 0 && strstr(why, "device"), "a device node is refused");
	OK(ent(&c, "dev/x", IMG_CHR, NULL, 0, &o, why) < 0, "a character device is refused");
	OK(ent(&c, "p", IMG_FIFO, NULL, 0, &o, why) < 0 && strstr(why, "fifo"), "a fifo is refused");
	img_check_free(&c);

	img_check_init(&c, 1 << 20, 100);
	OK(ent(&c, "lnk", IMG_SYMLINK, "/etc", 0, &o, why) == 0, "a symlink to /etc is stored as it is");
	OK(ent(&c, "lnk/shadow", IMG_REG, NULL, 3, &o, why) < 0 && strstr(why, "symbolic link lnk"),
	   "an entry beneath the layer's symlink is refused: %s", why);
	OK(ent(&c, "./lnk//x/y", IMG_DIR, NULL, 0, &o, why) < 0, "also deeper, unnormalised");
	OK(ent(&c, "lnkx/y", IMG_REG, NULL, 0, &o, why) == 0, "a sibling sharing the prefix is fine");
	OK(ent(&c, "h", IMG_HARDLINK, "../outside", 0, &o, why) < 0 && strstr(why, "outside"), "a hard link out is refused: %s", why);
	OK(ent(&c, "h", IMG_HARDLINK, "/etc/shadow", 0, &o, why) < 0, "a hard link to an absolute path is refused");
	OK(ent(&c, "h", IMG_HARDLINK, "lnk/shadow", 0, &o, why) < 0, "a hard link through the layer's symlink is refused");
	OK(ent(&c, "h", IMG_HARDLINK, "lnk", 0, &o, why) < 0, "a hard link to the symlink itself is refused");
	OK(ent(&c, "h", IMG_HARDLINK, "./lnkx/y", 0, &o, why) == 0 && !strcmp(o.link, "lnkx/y"), "a hard link inside is kept");
	OK(ent(&c, "d/.wh.gone", IMG_REG, NULL, 0, &o, why) == 0 && o.wh == IMG_WH_FILE && !strcmp(o.path, "d/gone"),
	   "a whiteout names what it hides");
	OK(ent(&c, "d/e/.wh..wh..opq", IMG_REG, NULL, 0, &o, why) == 0 && o.wh == IMG_WH_OPAQUE && !strcmp(o.path, "d/e"),
	   "an opaque whiteout names its directory");
	OK(ent(&c, ".wh..wh..opq", IMG_REG, NULL, 0, &o, why) == 0 && o.wh == IMG_WH_OPAQUE && !strcmp(o.path, ""),
	   "the root's opaque whiteout");
	OK(ent(&c, "x/.wh..wh.plnk", IMG_DIR, NULL, 0, &o, why) < 0, "a whiteout that is a directory is refused");
	OK(ent(&c, "x/.wh.", IMG_REG, NULL, 0, &o, why) < 0, "a whiteout of no name is refused");
	OK(ent(&c, "x/.wh..wh.plnk", IMG_REG, NULL, 0, &o, why) == 0 && o.skip, "aufs' metadata is skipped");
	img_check_free(&c);

	img_check_init(&c, 4096, 4);
	OK(ent(&c, "big", IMG_REG, NULL, 4097, &o, why) < 0 && strstr(why, "4096 bytes"), "a declared size past the cap is refused");
	img_check_free(&c);
	img_check_init(&c, 4096, 4);
	OK(ent(&c, "a", IMG_REG, NULL, 1000, &o, why) == 0 && ent(&c, "b", IMG_REG, NULL, 2000, &o, why) == 0,
	   "1000 and 2000 bytes fit 4096 (as tar stores them: 1536 + 2560)");
	OK(ent(&c, "c", IMG_REG, NULL, 0, &o, why) < 0, "one more header is past the cap");
	OK(ent(&c, "c", IMG_REG, NULL, -1, &o, why) < 0, "a negative size is refused");
	OK(ent(&c, "d", IMG_DIR, NULL, 0, &o, why) < 0 && strstr(why, "more than 4 entries"), "the entry cap: %s", why);
	img_check_free(&c);
	char longname[400];
	memset(longname, 'n', 300);
	longname[300] = '\0';
	img_check_init(&c, 1 << 20, 5);
	OK(ent(&c, longname, IMG_REG, NULL, 0, &o, why) < 0, "a name past NAME_MAX is refused");
	char deep[1200] = "";
	for (int i = 0; i < 257; i++)
		strcat(deep, i ? "/d" : "d");
	OK(ent(&c, deep, IMG_DIR, NULL, 0, &o, why) < 0 && strstr(why, "deeper"), "257 levels are refused: %s", why);
	deep[strlen(deep) - 2] = '\0';
	OK(ent(&c, deep, IMG_DIR, NULL, 0, &o, why) == 0, "256 levels are fine");
	img_check_free(&c);
}

static void t_json(void)
{
	const char *idx = "{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
		"1111111111111111111111111111111111111111111111111111111111111111\",\"size\":10,"
		"\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
		"{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\",\"size\":11,"
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
	struct img_manifest m;
	OK(parse_img_index(idx, strlen(idx), &m) == 0 && m.nlayers == 2, "an index of two manifests");
	OK(img_index_pick(&m, "linux", "amd64", NULL) == 1, "the host's platform is picked");
	OK(img_index_pick(&m, "linux", "arm64", "v8") == 0, "a variant is matched");
	OK(img_index_pick(&m, "linux", "s390x", NULL) == -1, "no platform fits: none");
	img_manifest_free(&m);
	const char *bad = "{\"manifests\":[{\"digest\":\"sha256:XYZ\",\"size\":1}]}";
	OK(parse_img_index(bad, strlen(bad), &m) < 0, "a malformed digest is refused");
	const char *man = "{\"config\":{\"digest\":\"sha256:3333333333333333333333333333333333333333333333333333333333333333\",\"size\":5},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":"
		"\"sha256:4444444444444444444444444444444444444444444444444444444444444444\",\"size\":7}]}";
	OK(parse_img_manifest(man, strlen(man), &m) == 0 && m.nlayers == 1 && m.layers[0].size == 7, "a manifest");
	img_manifest_free(&m);
	const char *dm = "[{\"Config\":\"abc.json\",\"RepoTags\":[\"bb:1\"],\"Layers\":[\"x/layer.tar\",\"y/layer.tar\"]}]";
	OK(parse_docker_manifest(dm, strlen(dm), &m) == 0 && m.nlayers == 2 && !strcmp(m.tag, "bb:1") &&
	   !strcmp(m.layers[1].path, "y/layer.tar"), "docker's manifest.json");
	img_manifest_free(&m);
	const char *dm2 = "[{\"Config\":\"../abc.json\",\"Layers\":[]}]";
	OK(parse_docker_manifest(dm2, strlen(dm2), &m) < 0, "a docker manifest naming ../ is refused");
	const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=1\",\"PATH=/bin\"],"
		"\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"WorkingDir\":\"/w\",\"User\":\"app\"},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:5555555555555555555555555555555555555555555555555555555555555555\"]}}";
	struct img_config c;
	OK(parse_img_config(cfg, strlen(cfg), &c) == 0 && c.ncmd == 3 && c.nenv == 2 && !c.entrypoint &&
	   !strcmp(c.workdir, "/w") && !strcmp(c.user, "app") && c.ndiff_ids == 1 && !strcmp(c.arch, "amd64"),
	   "an image config");
	img_config_free(&c);
	const char *cfg2 = "{\"config\":{\"Env\":[\"NOEQUALS\"]},\"rootfs\":{\"diff_ids\":[]}}";
	OK(parse_img_config(cfg2, strlen(cfg2), &c) < 0, "an Env entry without = is refused");
	const char *cfg3 = "{\"config\":{\"Cmd\":[\"a\\u0000b\"]},\"rootfs\":{\"diff_ids\":[]}}";
	OK(parse_img_config(cfg3, strlen(cfg3), &c) < 0, "a NUL inside an argument is refused");
	const char *pw = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\nbad:x:zz:1\n"
			 "num:x:77:78:n:rel/home:/bin/sh\n";
	const char *gr = "root:x:0:\nstaff:x:50:app\nops:x:51:root,app\nwheel:x:52:apple,xapp\nbroken:x:q:app\n";
	struct img_user iu;
	OK(parse_img_user("app", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.uid == 1000 && iu.gid == 1001 &&
	   iu.ngids == 2 && iu.gids[0] == 50 && iu.gids[1] == 51 && !strcmp(iu.home, "/home/app"),
	   "User resolved in the image's passwd, its groups from /etc/group (whole member names only)");
	OK(parse_img_user("app:5", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.uid == 1000 && iu.gid == 5 && !iu.ngids,
	   "User with a numeric gid: that gid, no supplementary groups");
	OK(parse_img_user("app:staff", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.gid == 50 && !iu.ngids,
	   "User with a group name, looked up in /etc/group");
	OK(parse_img_user("app:nogroup", pw, strlen(pw), gr, strlen(gr), &iu) == -ENODATA, "an unknown group name is -ENODATA");
	OK(parse_img_user("1000", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.uid == 1000 && iu.gid == 1001 &&
	   iu.ngids == 2, "a numeric User listed in passwd takes that entry's gid and groups");
	OK(parse_img_user("42", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.uid == 42 && iu.gid == 0 && !iu.ngids &&
	   !strcmp(iu.home, "/"), "a numeric User not listed: gid 0 and HOME / (as runc)");
	OK(parse_img_user("42:51", NULL, 0, NULL, 0, &iu) == 0 && iu.uid == 42 && iu.gid == 51,
	   "numbers need no files");
	OK(parse_img_user("num", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.uid == 77 && !strcmp(iu.home, "/"),
	   "a relative home is not taken");
	OK(parse_img_user("app:", pw, strlen(pw), gr, strlen(gr), &iu) == 0 && iu.gid == 1001 && iu.ngids == 2,
	   "an empty group is none (as runc)");
	OK(parse_img_user("nobody", pw, strlen(pw), gr, strlen(gr), &iu) == -ENOENT, "an unknown user is -ENOENT");
	OK(parse_img_user("bad", pw, strlen(pw), gr, strlen(gr), &iu) == -ENOENT, "a malformed passwd line matches nothing");
	OK(parse_img_user(":0", pw, strlen(pw), gr, strlen(gr), &iu) == -EINVAL, "no user is malformed");
	struct buf many = {0};
	for (int i = 0; i < IMG_MAX_GIDS + 1; i++)
		buf_printf(&many, "g%d:x:%d:app\n", i, 100 + i);
	OK(parse_img_user("app", pw, strlen(pw), many.p, many.len, &iu) == -E2BIG,
	   "more supplementary groups than IMG_MAX_GIDS are refused, not cut");
	buf_free(&many);
	OK(img_name_ok("busybox:1.36") && img_name_ok("reg.io/a/b:t") && !img_name_ok("../x") && !img_name_ok("a b"),
	   "image names");
}

int main(void)
{
	t_entries();
	t_json();
	return tap_done();
}
