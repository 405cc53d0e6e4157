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

/* nstop's own log: each line a record, as written, no time */
static void t_plain(void)
{
	struct log_join j = {0};
	OK(feed(&j, LOG_PLAIN, "2016-10-06T00:17:09Z stdout P not CRI") == 1, "plain: every line is a record");
	IS_STR(j.text.p, "2016-10-06T00:17:09Z stdout P not CRI", "plain: its text as written");
	OK(j.time_ns == INT64_MIN && !j.open, "plain: no time, nothing kept");
	OK(feed(&j, LOG_PLAIN, "") == 1 && j.text.len == 0, "plain: an empty line");
	OK(feed(&j, LOG_PLAIN, "{\"log\":\"x\\n\"}") == 1 && j.text.len == 13, "plain: JSON is text");
	log_join_free(&j);
}

/* kubelet's file names and links */
static void t_crinames(void)
{
	struct cri_logname ln;
	OK(parse_cri_logname("0.log", &ln) == 0 && ln.restart == 0 && !ln.stamp[0] && !ln.gz, "cri name: 0.log");
	OK(parse_cri_logname("12.log.20261203-101112", &ln) == 0 && ln.restart == 12 &&
	   !strcmp(ln.stamp, "20261203-101112") && !ln.gz, "cri name: a rotated one");
	OK(parse_cri_logname("3.log.20261203-101112.gz", &ln) == 0 && ln.gz && ln.restart == 3, "cri name: compressed");
	const char *bad[] = {"", ".log", "log", "01.log", "1.log.", "1.log.20261203-10111", "1.log.20261203_101112",
			     "1.log.20261203-101112.tmp", "1.log.20261203-101112.gz.tmp", "1.logx", "-1.log",
			     "1234567890.log", "a.log", "1.log.2026120a-101112", "1.log/x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		OK(parse_cri_logname(bad[i], &ln) == -EINVAL, "cri name: refused: '%s'", bad[i]);
	OK(cri_name_ok("kube-system", false) && cri_name_ok("web-7d4b9.x", false) &&
	   cri_name_ok("72faa904-853e-45a0-a71b-21c398836711", true), "cri names: kubelet's");
	OK(!cri_name_ok("", false) && !cri_name_ok("..", false) && !cri_name_ok("a_b", false) &&
	   !cri_name_ok("a/b", false) && !cri_name_ok("Web", false) && !cri_name_ok("-a", false) &&
	   !cri_name_ok("72faa904_853e", true) && !cri_name_ok("xyz", true), "cri names: not kubelet's");
	const char *id = "688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d";
	const char *nm = "web-7d4b9_default_app-688ba79aed6764004ed904afc1e81bd53044172bafadf864b1b428476c432c5d.log";
	const char *tg = "/var/log/pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log";
	struct cri_ref r;
	OK(parse_cri_link(nm, tg, id, &r) == 0 && !strcmp(r.ns, "default") && !strcmp(r.pod, "web-7d4b9") &&
	   !strcmp(r.uid, "72faa904-853e-45a0-a71b-21c398836711") && !strcmp(r.ctr, "app") && r.restart == 1,
	   "cri link: namespace, pod, uid, container, restart");
	OK(parse_cri_link(nm, tg, "688ba79aed67", &r) == -EINVAL, "cri link: another id");
	const char *badt[] = {
		"/var/log/pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/other/1.log",
		"/var/log/pods/kube_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log",
		"/var/log/pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log.20261203-101112",
		"/var/log/pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/../app/1.log",
		"/var/log/pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/x/1.log",
		"/etc/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log",
		"/var/log/pods/default_web_7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log",
		"../pods/default_web-7d4b9_72faa904-853e-45a0-a71b-21c398836711/app/1.log",
	};
	for (size_t i = 0; i < sizeof(badt) / sizeof(badt[0]); i++)
		OK(parse_cri_link(nm, badt[i], id, &r) == -EINVAL, "cri link: refused: %s", badt[i]);
}

/* journald drivers' entries */
static void t_journal(void)
{
	struct log_join j = {0};
	OK(log_feed_journal(&j, 5, "6", 1, "out", 3, false) == 1 && !strcmp(j.text.p, "out") &&
	   !strcmp(j.stream, "stdout") && j.time_ns == 5, "journal: PRIORITY 6 is stdout, its time");
	OK(log_feed_journal(&j, 6, "3", 1, "err", 3, false) == 1 && !strcmp(j.stream, "stderr"),
	   "journal: PRIORITY 3 is stderr");
	OK(log_feed_journal(&j, 7, "3", 1, "a-", 2, true) == 0 && log_feed_journal(&j, 8, "3", 1, "b", 1, false) == 1 &&
	   !strcmp(j.text.p, "a-b") && j.time_ns == 7, "journal: partial entries joined, the first one's time");
	OK(log_feed_journal(&j, 9, NULL, 0, NULL, 0, false) == 1 && j.text.len == 0 && !strcmp(j.stream, "stdout"),
	   "journal: no MESSAGE, no PRIORITY: an empty stdout record");
	log_join_free(&j);
	const char *v;
	size_t vl;
	OK(journal_field("MESSAGE=hi", 10, "MESSAGE", &v, &vl) == 0 && vl == 2 && !memcmp(v, "hi", 2),
	   "journal field: its value");
	OK(journal_field("MESSAGEX=hi", 11, "MESSAGE", &v, &vl) < 0 && journal_field("MESSAGE", 7, "MESSAGE", &v, &vl) < 0 &&
	   journal_field("MESS", 4, "MESSAGE", &v, &vl) < 0, "journal field: another field, no '='");
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
	const char *sy = "{\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"tag\":\"x\",\"syslog-address\":\"udp://10.0.0.1:514\"}}}";
	char dest[64];
	OK(parse_docker_logdest(sy, strlen(sy), dest, sizeof(dest)) == 0 && !strcmp(dest, "syslog-address=udp://10.0.0.1:514"),
	   "docker hostconfig: where the driver sends it");
	OK(parse_docker_logdest(s, strlen(s), dest, sizeof(dest)) == 0 && !dest[0], "docker hostconfig: no destination set");
	OK(parse_docker_logdest(sy, strlen(sy), dest, 20) == 0 && !dest[0], "docker hostconfig: a destination too long: none");
}

struct pm_seen {
	int n;
	char ids[4][8], names[4][16], images[4][32];
};

static bool pm_add(void *arg, const char *id, const char *name, const char *image)
{
	struct pm_seen *p = arg;
	if (p->n < 4) {
		snprintf(p->ids[p->n], sizeof(p->ids[0]), "%s", id);
		snprintf(p->names[p->n], sizeof(p->names[0]), "%s", name);
		snprintf(p->images[p->n], sizeof(p->images[0]), "%s", image);
	}
	return ++p->n < 3;
}

static void t_podman_each(void)
{
	struct pm_seen p = {0};
	const char *s = "[{\"id\":\"aa\",\"names\":[\"one\"],\"image\":\"i1\"},{\"names\":[\"noid\"]},7,"
			"{\"id\":\"bb\",\"names\":[],\"metadata\":\"{\\\"image-name\\\":\\\"m2\\\"}\"},"
			"{\"id\":\"cc\"},{\"id\":\"dd\"}]";
	OK(parse_podman_each(s, strlen(s), pm_add, &p) == 0, "podman each: parsed");
	OK(p.n == 3, "podman each: every entry with an id, up to where fn stops (%d)", p.n);
	IS_STR(p.ids[0], "aa", "podman each: the first id");
	IS_STR(p.names[0], "one", "podman each: its name");
	IS_STR(p.images[0], "i1", "podman each: its image");
	IS_STR(p.ids[1], "bb", "podman each: an entry without an id and a non-object skipped");
	OK(!p.names[1][0], "podman each: no names: empty");
	IS_STR(p.images[1], "m2", "podman each: the metadata's image-name");
	IS_STR(p.ids[2], "cc", "podman each: the third entry, then stopped");
	p.n = 0;
	OK(parse_podman_each("{}", 2, pm_add, &p) == -EINVAL && !p.n, "podman each: not an array");
	OK(parse_podman_each("[", 1, pm_add, &p) == -EINVAL && !p.n, "podman each: not JSON");
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
	t_plain();
	t_crinames();
	t_journal();
	t_config();
	t_podman();
	t_podman_each();
	return tap_done();
}
