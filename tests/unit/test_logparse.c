// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the runtimes' log lines and state files (src/collect/logparse.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "collect/parse.h"
#include "tap.h"

static int feed(struct log_join *j, enum log_fmt f, const char *s)
{
	return log_feed(j, f, s, strlen(s));
}

static void t_time(void)
{
	int64_t ns;
	OK(parse_rfc3339("1970-01-01T00:00:00Z", 20, &ns) == 0 && ns == 0, "rfc3339: the epoch");
	const char *t = "2024-02-29T12:34:56.123456789Z";
	OK(parse_rfc3339(t, strlen(t), &ns) == 0 && ns == 1709210096123456789LL, "rfc3339: leap day, nanoseconds");
	t = "2024-02-29T13:34:56.5+01:00";
	OK(parse_rfc3339(t, strlen(t), &ns) == 0 && ns == 1709210096500000000LL, "rfc3339: an offset, a short fraction");
	t = "2024-02-29T12:34:56.1234567891Z";
	OK(parse_rfc3339(t, strlen(t), &ns) == 0 && ns == 1709210096123456789LL, "rfc3339: digits past nanoseconds dropped");
	const char *bad[] = {"2024-02-29", "2024-13-01T00:00:00Z", "2024-02-29T12:34:56", "2024-02-29T12:34:56.Z",
			     "2024-02-29T12:34:56Zx", "2024-02-29T25:00:00Z", "x024-02-29T12:34:56Z",
			     "4048-01-02T03:04:05Z" /* past int64 nanoseconds: found by fuzz_logs */};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(parse_rfc3339(bad[i], strlen(bad[i]), &ns) == -EINVAL, "rfc3339: refused: %s", bad[i]);
}

static void t_docker(void)
{
	struct log_join j = {0};
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"1970-01-01T00:00:01Z\"}") == 1,
	   "docker: a whole line");
	IS_STR(j.text.p, "hello", "docker: its text, without the newline");
	IS_STR(j.stream, "stdout", "docker: its stream");
	IS_U64((uint64_t)j.time_ns, 1000000000, "docker: its time");
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":\"\\u001b[2Jab\",\"stream\":\"stderr\",\"time\":\"1970-01-01T00:00:02Z\"}") == 0,
	   "docker: a piece without its newline is kept");
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":\"cd\\u0000\\n\",\"stream\":\"stderr\",\"time\":\"1970-01-01T00:00:03Z\"}") == 1,
	   "docker: ... and joined with the next");
	OK(j.text.len == 9 && !memcmp(j.text.p, "\x1b[2Jabcd\0", 9),
	   "docker: joined text with its raw bytes (ESC, NUL) decoded");
	IS_U64((uint64_t)j.time_ns, 2000000000, "docker: a joined record has its first piece's time");
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"garbage\"}") == 1 &&
	   j.time_ns == INT64_MIN, "docker: a bad time is unknown, the record kept");
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":\"x\\n\",\"stre") == -EINVAL, "docker: a line cut short is refused");
	OK(feed(&j, LOG_DOCKER_JSON, "[1]") == -EINVAL, "docker: not an object");
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":5}") == -EINVAL, "docker: log not a string");
	OK(feed(&j, LOG_DOCKER_JSON, "{\"log\":\"\\n\"}") == 1 && j.text.len == 0 && !j.stream[0],
	   "docker: an empty line, no stream");
	log_join_free(&j);
}

static void t_cri(void)
{
	struct log_join j = {0};
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:09.669794202Z stdout F log content 1") == 1, "cri: a full line");
	IS_STR(j.text.p, "log content 1", "cri: its text");
	IS_STR(j.stream, "stdout", "cri: its stream");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:09.669794202Z stderr P part1 ") == 0, "cri: P is kept");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:10.0Z stderr P part2 ") == 0, "cri: a second P");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:11+00:00 stderr F end") == 1, "cri: F ends it");
	IS_STR(j.text.p, "part1 part2 end", "cri: the pieces joined");
	IS_U64((uint64_t)j.time_ns, 1475713029669794202ULL, "cri: the first piece's time");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:09Z stdout F") == 1 && j.text.len == 0, "cri: an empty line");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:09Z stdout F:x y") == 1 && !strcmp(j.text.p, "y"),
	   "cri: tags after a colon ignored");
	const char *bad[] = {"", "2016-10-06T00:17:09Z", "2016-10-06T00:17:09Z stdout", "2016-10-06T00:17:09Z stdout X a",
			     "nottime stdout F a", "2016-10-06T00:17:09Z  F a", "2016-10-06T00:17:09Z stdout PF a"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(feed(&j, LOG_CRI, bad[i]) == -EINVAL, "cri: refused: '%s'", bad[i]);
	log_join_free(&j);
	/* a record larger than the cap: cut, flagged */
	size_t big = LOG_TEXT_MAX / 2 + 10;
	char *line = malloc(big + 64);
	int n = snprintf(line, 64, "2016-10-06T00:17:09Z stdout P ");
	memset(line + n, 'a', big);
	OK(log_feed(&j, LOG_CRI, line, (size_t)n + big) == 0 && log_feed(&j, LOG_CRI, line, (size_t)n + big) == 0 &&
	   log_feed(&j, LOG_CRI, line, (size_t)n + big) == 0, "cri: three big pieces kept");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:09Z stdout F z") == 1 && j.cut && j.text.len == LOG_TEXT_MAX,
	   "cri: the joined record is cut at LOG_TEXT_MAX and says so");
	OK(feed(&j, LOG_CRI, "2016-10-06T00:17:09Z stdout F z") == 1 && !j.cut && j.text.len == 1,
	   "cri: the next record starts afresh");
	free(line);
	log_join_free(&j);
}

static void t_config(void)
{
	struct docker_cfg c;
	const char *s = "{\"Name\":\"/web\",\"Image\":\"sha256:abc\",\"Config\":{\"Image\":\"busybox:1.36\"},"
			"\"LogPath\":\"/var/lib/docker/containers/x/x-json.log\"}";
	OK(parse_docker_config(s, strlen(s), &c) == 0, "docker config: parses");
	IS_STR(c.name, "web", "docker config: Name without its slash");
	IS_STR(c.image, "busybox:1.36", "docker config: Config.Image");
	IS_STR(c.image_id, "sha256:abc", "docker config: Image (the digest)");
	IS_STR(c.log_path, "/var/lib/docker/containers/x/x-json.log", "docker config: LogPath");
	s = "{\"Name\":\"/n\",\"Image\":null,\"Config\":null}";
	OK(parse_docker_config(s, strlen(s), &c) == 0 && !c.image[0] && !c.image_id[0] && !c.log_path[0],
	   "docker config: nulls are empty");
	char longv[700];
	memset(longv, 'i', sizeof(longv));
	char doc[800];
	snprintf(doc, sizeof(doc), "{\"Config\":{\"Image\":\"%.*s\"}}", 600, longv);
	OK(parse_docker_config(doc, strlen(doc), &c) == 0 && !c.image[0], "docker config: a field too long is left empty, not cut");
	OK(parse_docker_config("{\"Name\":", 8, &c) == -EINVAL, "docker config: cut short, refused");
	OK(parse_docker_config("[]", 2, &c) == -EINVAL, "docker config: not an object");
	char d[64];
	s = "{\"LogConfig\":{\"Type\":\"none\",\"Config\":{}}}";
	OK(parse_docker_hostconfig(s, strlen(s), d, sizeof(d)) == 0 && !strcmp(d, "none"), "docker hostconfig: the driver");
	OK(parse_docker_hostconfig("{}", 2, d, sizeof(d)) == 0 && !d[0], "docker hostconfig: none said");
}

static void t_podman(void)
{
	char name[64], image[64];
	const char *s = "[{\"id\":\"aa\",\"names\":[\"other\"]},{\"id\":\"bb\",\"names\":[\"web\",\"alias\"],"
			"\"image\":\"47dd60\",\"metadata\":\"{\\\"image-name\\\":\\\"localhost/busybox:1\\\",\\\"name\\\":\\\"web\\\"}\"}]";
	OK(parse_podman_containers(s, strlen(s), "bb", name, sizeof(name), image, sizeof(image)) == 0,
	   "podman containers.json: the entry found");
	IS_STR(name, "web", "podman: its first name");
	IS_STR(image, "localhost/busybox:1", "podman: the image-name of its metadata");
	s = "[{\"id\":\"bb\",\"names\":[],\"image\":\"47dd60\",\"metadata\":\"not json\"}]";
	OK(parse_podman_containers(s, strlen(s), "bb", name, sizeof(name), image, sizeof(image)) == 0 && !name[0] &&
	   !strcmp(image, "47dd60"), "podman: bad metadata: the image id, no name");
	OK(parse_podman_containers(s, strlen(s), "cc", name, sizeof(name), image, sizeof(image)) == -ENOENT,
	   "podman: an id not there");
	OK(parse_podman_containers("{}", 2, "cc", name, sizeof(name), image, sizeof(image)) == -EINVAL,
	   "podman: not an array");
	static const char argv[] = "/usr/bin/conmon\0--api-version\0001\0-c\0bb\0-u\0bb\0-r\0/usr/bin/runc\0-b\0"
				   "/s/vfs-containers/bb/userdata\0-n\0web\0-l\0k8s-file:/s/vfs-containers/bb/userdata/ctr.log\0"
				   "--exit-command-arg\0-c\0";
	struct conmon_args a;
	parse_conmon_args(argv, sizeof(argv) - 1, &a);
	IS_STR(a.cid, "bb", "conmon: -c");
	IS_STR(a.bundle, "/s/vfs-containers/bb/userdata", "conmon: -b");
	IS_STR(a.name, "web", "conmon: -n");
	IS_STR(a.log, "k8s-file:/s/vfs-containers/bb/userdata/ctr.log", "conmon: -l");
	parse_conmon_args(argv, 36, &a); /* "...-c\\0b": the id without its end */
	OK(!a.cid, "conmon: an argument cut short is not taken");
}

int main(void)
{
	t_time();
	t_docker();
	t_cri();
	t_config();
	t_podman();
	return tap_done();
}
