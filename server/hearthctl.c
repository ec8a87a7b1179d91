/*
 * hearthctl: the admin console. Most commands are requests to the running
 * hearthd over DATA/ctl.sock (admin.* operations, see docs/protocol.md);
 * `init`, `backup` and `restore` work on the data directory directly, so
 * they also work while the daemon is stopped (restore only then).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "server.h"

static const char *data_dir;
static bool json_out;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: hearthctl --data DIR [--json] COMMAND ...\n"
	    "\n"
	    "  init                                  create the data directory, "
	    "host key and\n"
	    "                                        database; print an admin "
	    "invite\n"
	    "  status                                what the running server is "
	    "doing\n"
	    "  invite create --name NAME [--role admin|staff|member]\n"
	    "                [--community SLUG] [--expires 7d]\n"
	    "  invite list [--all]\n"
	    "  invite revoke CODE|ID\n"
	    "  member list\n"
	    "  member show HANDLE\n"
	    "  member remove HANDLE --reason TEXT\n"
	    "  member reinstate HANDLE [--reason TEXT]\n"
	    "  member role HANDLE admin|staff|member\n"
	    "  member key add HANDLE FILE.pub\n"
	    "  member device-code HANDLE [--name NAME]  a one-time code (15 "
	    "minutes)\n"
	    "                                        that adds a new device's "
	    "key\n"
	    "  community create SLUG --name NAME [--visibility "
	    "private|platform|public]\n"
	    "                [--join-policy open|request|invite] [--purpose "
	    "TEXT] [--criteria TEXT]\n"
	    "                [--privacy TEXT] [--manager HANDLE]\n"
	    "  community list\n"
	    "  community show SLUG\n"
	    "  community role SLUG HANDLE manager|leader|member|interested|none"
	    "\n"
	    "  community requests SLUG               join requests waiting for "
	    "an answer\n"
	    "  community decide ID --approve|--decline [--as member|interested]"
	    "\n"
	    "                [--message TEXT]\n"
	    "  community update SLUG [--name NAME] [--purpose TEXT] [--criteria "
	    "TEXT]\n"
	    "                [--privacy TEXT] [--visibility V] [--join-policy P]"
	    "\n"
	    "                [--interested-cap PERCENT] [--refuse-over-cap "
	    "yes|no]\n"
	    "  community left SLUG                   who left it (or was "
	    "removed)\n"
	    "  backup FILE [--force]                 a consistent, checked copy "
	    "of the database\n"
	    "  backup list                           the copies in DIR/backups"
	    "\n"
	    "  restore FILE                          (hearthd stopped) FILE "
	    "becomes the database\n"
	    "  audit [--member HANDLE] [--limit N] [--before ID]\n"
	    "  library SLUG [PATH]                   a folder of a community's "
	    "library (platform: the platform's)\n"
	    "  library show ID                       a document and its "
	    "versions\n"
	    "  library restore ID VERSION            an older version becomes "
	    "the newest\n"
	    "  coc show                              the code of conduct "
	    "members accept\n"
	    "  coc set FILE                          a new version of it "
	    "(- reads stdin)\n"
	    "  mail status                           outgoing e-mail: the "
	    "queue, what was given up\n"
	    "  mail run                              send due notifications "
	    "and digests now\n"
	    "  mail-in                               one message from the "
	    "MTA on stdin (unsubscribes)\n"
	    "  report [--community SLUG] [--since 90d|DATE] [--until DATE]\n"
	    "         [--format text|md|csv|json|html] [--out FILE [--force]]"
	    "\n         [--no-suppress]          the state-of-the-community "
	    "report\n"
	    "  survey list                           surveys, open first\n"
	    "  survey export ID --format csv         every response (no member "
	    "column\n"
	    "                                        when anonymous)\n"
	    "  roadmap export SLUG|- [--format md|csv]  a community's roadmap "
	    "(-: the platform's)\n"
	    "\n"
	    "DIR may also come from $HEARTH_DATA. --json prints the server's "
	    "JSON result.\n");
}

static void __attribute__((noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hearthctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* Read one '\n'-terminated line from fd into a malloc'd string. */
static char *
read_line(int fd, struct frame *f)
{
	char buf[65536], *line;
	size_t len;
	ssize_t n;

	for (;;) {
		switch (frame_next(f, &line, &len)) {
		case FRAME_LINE:
			return xstrndup(line, len);
		case FRAME_TOO_LARGE:
			die("reply too large");
		case FRAME_MORE:
			break;
		}
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		frame_feed(f, buf, (size_t)n);
	}
}

/*
 * hearthd closed the control connection (EOF, EPIPE or ECONNRESET) without
 * an answer: say why when it is the uid check (ctl.c answers only root and
 * its own user), found from the daemon's credentials on the socket.
 */
static void __attribute__((noreturn))
die_closed(int fd, int err)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    getuid() != 0 && cred.uid != getuid())
		die("hearthd refused this user (uid %d): its control socket "
		    "answers only root and the user hearthd runs as (uid %d)",
		    (int)getuid(), (int)cred.uid);
	if (err != 0)
		die("hearthd closed the connection without answering (%s)",
		    strerror(err));
	die("hearthd closed the connection without answering");
}

/* Send one request to the daemon; returns its result or exits. */
static json_t *
request(const char *op, json_t *args)
{
	struct sockaddr_un sun;
	struct frame f;
	json_t *req, *msg, *err;
	json_error_t jerr;
	char *path = xasprintf("%s/ctl.sock", data_dir), *line;
	size_t len;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		die("%s: path too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0)
		die("cannot reach hearthd at %s (%s). Is it running with "
		    "--data %s?", path, strerror(errno), data_dir);
	frame_init(&f, 16 * 1024 * 1024);
	req = json_pack("{s:i, s:s, s:o}", "id", 1, "op", op, "args", args);
	line = json_line(req);
	json_decref(req);
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	if (write(fd, line, len) != (ssize_t)len) {
		if (errno == EPIPE || errno == ECONNRESET)
			die_closed(fd, errno);
		die("write: %s", strerror(errno));
	}
	free(line);
	while ((line = read_line(fd, &f)) != NULL) {
		msg = json_loads(line, 0, &jerr);
		free(line);
		if (msg == NULL)
			die("bad reply from hearthd: %s", jerr.text);
		if (json_integer_value(json_object_get(msg, "id")) != 1 ||
		    json_object_get(msg, "ok") == NULL) {
			json_decref(msg);
			continue; /* hello and events */
		}
		close(fd);
		frame_free(&f);
		free(path);
		if (json_is_true(json_object_get(msg, "ok"))) {
			json_t *r = json_incref(json_object_get(msg, "result"));
			json_decref(msg);
			return r;
		}
		err = json_object_get(msg, "error");
		fprintf(stderr, "hearthctl: %s (%s)\n",
		    json_string_value(json_object_get(err, "message")),
		    json_string_value(json_object_get(err, "code")));
		exit(1);
	}
	die_closed(fd, errno == ECONNRESET ? errno : 0);
}

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return json_string_value(v);
	return "-";
}

/* Print the result as JSON when asked; true if it was. */
static bool
print_json(json_t *r)
{
	char *s;

	if (!json_out)
		return false;
	s = json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", s);
	free(s);
	return true;
}

static void
print_date(const char *iso, char out[32])
{
	/* "2026-11-21T22:50:01Z" -> "2026-11-21 22:50" */
	snprintf(out, 32, "%.10s %.5s", iso, strlen(iso) > 11 ? iso + 11 : "");
}

static int
cmd_invite(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "community", required_argument, NULL, 'c' },
		{ "expires", required_argument, NULL, 'e' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r, *list, *it;
	char d1[32];
	size_t i;
	int ch;

	if (argc < 2)
		die("invite create|list|revoke (see hearthctl --help)");
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			json_object_set_new(args, "name", json_string(optarg));
			break;
		case 'r':
			json_object_set_new(args, "role", json_string(optarg));
			break;
		case 'c':
			json_object_set_new(args, "community",
			    json_string(optarg));
			break;
		case 'e':
			json_object_set_new(args, "expires",
			    json_string(optarg));
			break;
		case 'a':
			json_object_set_new(args, "all", json_true());
			break;
		default:
			exit(2);
		}
	}
	if (strcmp(argv[1], "create") == 0) {
		if (json_object_get(args, "name") == NULL)
			die("invite create needs --name NAME (who it is for)");
		r = request("admin.invite.create", args);
		if (!print_json(r)) {
			printf("%s\n", str(r, "code"));
			fprintf(stderr, "Invite for %s (%s%s%s), valid until "
			    "%s.\nThey join with: %s\nand enter the code.\n",
			    str(r, "name"),
			    str(r, "role"),
			    json_is_string(json_object_get(r, "community")) ?
			    ", community " : "",
			    json_is_string(json_object_get(r, "community")) ?
			    str(r, "community") : "", str(r, "expires_at"),
			    str(r, "connect"));
		}
	} else if (strcmp(argv[1], "list") == 0) {
		r = request("admin.invite.list", args);
		if (!print_json(r)) {
			list = json_object_get(r, "invites");
			printf("%-5s %-6s %-24s %-7s %-14s %-8s %-16s %s\n",
			    "ID", "HINT", "NAME", "ROLE", "COMMUNITY", "STATUS",
			    "EXPIRES", "USED BY");
			json_array_foreach(list, i, it) {
				print_date(str(it, "expires_at"), d1);
				printf("%-5lld ..%-4s %-24.24s %-7s %-14.14s "
				    "%-8s %-16s %s\n",
				    (long long)json_integer_value(
				    json_object_get(it, "id")),
				    str(it, "hint"), str(it, "name"),
				    str(it, "role"), str(it, "community"),
				    str(it, "status"), d1, str(it, "used_by"));
			}
			if (json_array_size(list) == 0)
				printf("(no pending invites; --all shows "
				    "used, expired and revoked ones)\n");
		}
	} else if (strcmp(argv[1], "revoke") == 0) {
		if (optind >= argc)
			die("invite revoke CODE|ID");
		if (strncasecmp(argv[optind], "HRTH", 4) == 0)
			json_object_set_new(args, "code",
			    json_string(argv[optind]));
		else
			json_object_set_new(args, "id",
			    json_integer(strtoll(argv[optind], NULL, 10)));
		r = request("admin.invite.revoke", args);
		if (!print_json(r))
			printf("Invite %lld (..%s) revoked.\n",
			    (long long)json_integer_value(
			    json_object_get(r, "id")), str(r, "hint"));
	} else
		die("unknown invite command '%s'", argv[1]);
	json_decref(r);
	return 0;
}

static int
cmd_member(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r, *list, *it, *m;
	const char *reason = NULL;
	char d1[32], line[16384];
	size_t i;
	FILE *f;
	char **pos;
	int ch, npos;

	if (argc < 2)
		die("member list|show|remove|role|key (see hearthctl --help)");
	if (strcmp(argv[1], "device-code") == 0) {
		json_decref(args);
		return hearthctl_device_code(argc, argv, request, json_out);
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'r')
			exit(2);
		reason = optarg;
	}
	/* Positional words after the subcommand, whatever order. */
	pos = argv + optind - 2;
	npos = argc - optind + 2;
	if (strcmp(argv[1], "list") == 0) {
		r = request("admin.member.list", args);
		if (!print_json(r)) {
			list = json_object_get(r, "members");
			printf("%-20s %-24s %-7s %-8s %-4s %-6s %s\n", "HANDLE",
			    "NAME", "ROLE", "STATUS", "KEYS", "ONLINE",
			    "JOINED");
			json_array_foreach(list, i, it) {
				print_date(str(it, "created_at"), d1);
				printf("%-20s %-24.24s %-7s %-8s %-4lld %-6s "
				    "%s\n",
				    str(it, "handle"), str(it, "display_name"),
				    str(it, "role"), str(it, "status"),
				    (long long)json_integer_value(
				    json_object_get(it, "keys")),
				    json_is_true(json_object_get(it,
				    "online")) ? "yes" : "", d1);
			}
			if (json_array_size(list) == 0)
				printf("(no members yet)\n");
		}
	} else if (strcmp(argv[1], "show") == 0) {
		if (npos < 3)
			die("member show HANDLE");
		json_object_set_new(args, "handle", json_string(pos[2]));
		r = request("admin.member.show", args);
		if (!print_json(r)) {
			m = json_object_get(r, "member");
			printf("%s (@%s)\n  role:   %s\n  status: %s\n",
			    str(m, "display_name"), str(m, "handle"),
			    str(m, "role"), str(m, "status"));
			if ((it = json_object_get(m, "removed")) != NULL)
				printf("  removed %s: %s\n", str(it, "at"),
				    str(it, "reason"));
			printf("  keys:\n");
			json_array_foreach(json_object_get(m, "keys"), i, it)
				printf("    %s %s %s\n", str(it, "type"),
				    str(it, "fingerprint"), str(it, "comment"));
			printf("  communities:\n");
			json_array_foreach(json_object_get(m, "communities"),
			    i, it)
				printf("    %-20s %s\n", str(it, "slug"),
				    str(it, "role"));
		}
	} else if (strcmp(argv[1], "remove") == 0) {
		if (npos < 3)
			die("member remove HANDLE --reason TEXT");
		if (reason == NULL || *reason == '\0')
			die("member remove needs --reason TEXT: the member is "
			    "told why");
		json_object_set_new(args, "handle", json_string(pos[2]));
		json_object_set_new(args, "reason", json_string(reason));
		r = request("admin.member.remove", args);
		if (!print_json(r))
			printf("Removed @%s. They are told: \"%s\"\n", pos[2],
			    reason);
	} else if (strcmp(argv[1], "role") == 0) {
		if (npos < 4)
			die("member role HANDLE admin|staff|member");
		json_object_set_new(args, "handle", json_string(pos[2]));
		json_object_set_new(args, "role", json_string(pos[3]));
		r = request("admin.member.role", args);
		if (!print_json(r))
			printf("@%s is now %s (was %s).\n", str(r, "handle"),
			    str(r, "role"), str(r, "was"));
	} else if (strcmp(argv[1], "key") == 0) {
		if (npos < 5 || strcmp(pos[2], "add") != 0)
			die("member key add HANDLE FILE.pub");
		if ((f = fopen(pos[4], "r")) == NULL)
			die("%s: %s", pos[4], strerror(errno));
		if (fgets(line, sizeof line, f) == NULL)
			die("%s: empty file", pos[4]);
		fclose(f);
		json_object_set_new(args, "handle", json_string(pos[3]));
		json_object_set_new(args, "key", json_string(line));
		r = request("admin.member.key_add", args);
		if (!print_json(r))
			printf("Added %s key %s to @%s.\n", str(r, "type"),
			    str(r, "fingerprint"), str(r, "handle"));
	} else
		die("unknown member command '%s'", argv[1]);
	json_decref(r);
	return 0;
}

static int
cmd_community(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "visibility", required_argument, NULL, 'v' },
		{ "join-policy", required_argument, NULL, 'j' },
		{ "purpose", required_argument, NULL, 'p' },
		{ "criteria", required_argument, NULL, 'c' },
		{ "privacy", required_argument, NULL, 'P' },
		{ "manager", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[] = { ['n'] = "name",
		['v'] = "visibility", ['j'] = "join_policy", ['p'] = "purpose",
		['c'] = "criteria", ['P'] = "privacy", ['m'] = "manager" };
	json_t *args = json_object(), *r;
	int ch;

	if (argc < 2)
		die("community create|list|show|role (see hearthctl --help)");
	if ((ch = ctl_community_more(argc, argv)) >= 0) {
		json_decref(args);
		return ch;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch < 0 || ch >= (int)(sizeof keys / sizeof keys[0]) ||
		    keys[ch] == NULL)
			exit(2);
		json_object_set_new(args, keys[ch], json_string(optarg));
	}
	if (strcmp(argv[1], "create") == 0) {
		if (optind >= argc || json_object_get(args, "name") == NULL)
			die("community create SLUG --name NAME [--manager "
			    "HANDLE]");
		json_object_set_new(args, "slug", json_string(argv[optind]));
		r = request("admin.community.create", args);
		if (!print_json(r)) {
			printf("Created %s (%s): %s, join policy %s.\n",
			    str(r, "name"), str(r, "slug"),
			    str(r, "visibility"), str(r, "join_policy"));
			if (json_is_string(json_object_get(r, "manager")))
				printf("@%s manages it.\n", str(r, "manager"));
		}
	} else if (strcmp(argv[1], "role") == 0) {
		if (optind + 3 != argc)
			die("community role SLUG HANDLE "
			    "manager|leader|member|interested|none");
		json_object_set_new(args, "slug", json_string(argv[optind]));
		json_object_set_new(args, "handle",
		    json_string(argv[optind + 1]));
		json_object_set_new(args, "role", json_string(argv[optind + 2]));
		r = request("community.set_role", args);
		if (!print_json(r))
			printf("@%s in %s: %s (was %s).\n", str(r, "handle"),
			    str(r, "slug"), str(r, "role"), str(r, "was"));
	} else
		die("unknown community command '%s'", argv[1]);
	json_decref(r);
	return 0;
}

static int
cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "member", required_argument, NULL, 'm' },
		{ "limit", required_argument, NULL, 'l' },
		{ "before", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r, *it;
	char d1[32];
	size_t i;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'm')
			json_object_set_new(args, "handle", json_string(optarg));
		else if (ch == 'l')
			json_object_set_new(args, "limit",
			    json_integer(strtoll(optarg, NULL, 10)));
		else if (ch == 'b')
			json_object_set_new(args, "before",
			    json_integer(strtoll(optarg, NULL, 10)));
		else
			exit(2);
	}
	r = request("admin.audit", args);
	if (!print_json(r)) {
		printf("%-6s %-16s %-16s %-20s %-16s %s\n", "ID", "WHEN", "WHO",
		    "ACTION", "MEMBER", "DETAIL");
		json_array_foreach(json_object_get(r, "audit"), i, it) {
			print_date(str(it, "at"), d1);
			/* the member acted on; else what was (slug, invite) */
			printf("%-6lld %-16s %-16s %-20s %-16s %s\n",
			    (long long)json_integer_value(json_object_get(it,
			    "id")), d1, str(it, "actor"), str(it, "action"),
			    json_is_string(json_object_get(it, "member")) ?
			    str(it, "member") : str(it, "target"),
			    str(it, "detail"));
		}
		if (json_is_integer(json_object_get(r, "next")))
			printf("(older: --before %lld)\n", (long long)
			    json_integer_value(json_object_get(r, "next")));
	}
	json_decref(r);
	return 0;
}

/*
 * report: the state-of-the-community report (report.get), compared with
 * the window before; to stdout or --out FILE (not over an existing one
 * without --force). Groups under 5 people are merged unless
 * --no-suppress: a report usually goes beyond the managers.
 */
static int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "community", required_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "compare", no_argument, NULL, 'C' },
		{ "no-suppress", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r;
	const char *out = NULL, *format = "text", *text;
	bool force = false;
	char *end;
	int ch, fd;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'c')
			json_object_set_new(args, "community",
			    json_string(optarg));
		else if (ch == 's' && optarg[0] != '\0' &&
		    strtol(optarg, &end, 10) > 0 && strcmp(end, "d") == 0)
			json_object_set_new(args, "days",
			    json_integer(strtol(optarg, NULL, 10)));
		else if (ch == 's')
			json_object_set_new(args, "since", json_string(optarg));
		else if (ch == 'u')
			json_object_set_new(args, "until", json_string(optarg));
		else if (ch == 'f')
			format = optarg;
		else if (ch == 'o')
			out = optarg;
		else if (ch == 'F')
			force = true;
		else if (ch == 'n')
			json_object_set_new(args, "suppress", json_false());
		else if (ch != 'C')
			exit(2);
	}
	if (optind < argc)
		die("report takes no argument '%s' (see hearthctl --help)",
		    argv[optind]);
	if (json_out)
		format = "json";
	json_object_set_new(args, "format", json_string(format));
	if (out != NULL && !force && access(out, F_OK) == 0)
		die("%s exists; add --force to replace it", out);
	r = request("report.get", args);
	if (strcmp(format, "json") == 0) {
		char *s = json_dumps(json_object_get(r, "report"),
		    JSON_INDENT(2) | JSON_SORT_KEYS);

		json_decref(r);
		r = json_pack("{s:s}", "text", s);
		free(s);
	}
	text = str(r, "text");
	if (out == NULL) {
		fputs(text, stdout);
		if (strcmp(format, "json") == 0)
			fputs("\n", stdout);
	} else {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, text, strlen(text)) !=
		    (ssize_t)strlen(text) || close(fd) != 0)
			die("%s: %s", out, strerror(errno));
		fprintf(stderr, "hearthctl: the report is in %s\n", out);
	}
	json_decref(r);
	return 0;
}

static int
cmd_status(void)
{
	json_t *r = request("admin.status", json_object());

	if (!print_json(r)) {
		json_t *lag = json_object_get(r, "loop_lag");

		printf("hearthd %s, schema %lld, %lld connections, %lld SSH "
		    "sessions, data in %s\n", str(r, "version"),
		    (long long)json_integer_value(json_object_get(r, "schema")),
		    (long long)json_integer_value(json_object_get(r, "conns")),
		    (long long)json_integer_value(json_object_get(r,
		    "ssh_sessions")), str(r, "data"));
		printf("loop lag: worst %.1f ms, %lld ticks late by over 10 "
		    "ms\n", json_real_value(json_object_get(lag, "max_ms")),
		    (long long)json_integer_value(json_object_get(lag,
		    "over_10ms")));
		lag = json_object_get(r, "room_fanout");
		if (json_integer_value(json_object_get(lag, "count")) > 0)
			printf("room fan-out: %lld messages, p50 %.2f ms, p99 "
			    "%.2f ms, max %.2f ms\n", (long long)
			    json_integer_value(json_object_get(lag, "count")),
			    json_real_value(json_object_get(lag, "p50_ms")),
			    json_real_value(json_object_get(lag, "p99_ms")),
			    json_real_value(json_object_get(lag, "max_ms")));
		lag = json_object_get(r, "library_writer");
		if (lag != NULL)
			printf("library writer: %lld chunks and drops done in "
			    "%.0f ms, %lld waiting now; %lld members' writes "
			    "waited for it\n", (long long)json_integer_value(
			    json_object_get(lag, "jobs")), json_real_value(
			    json_object_get(lag, "busy_ms")), (long long)
			    json_integer_value(json_object_get(lag, "queued")),
			    (long long)json_integer_value(json_object_get(lag,
			    "writes_waited")));
	}
	json_decref(r);
	return 0;
}

/*
 * Open the database directly (init, backup). Only hearthd migrates (after
 * keeping a copy of the old file), so an existing database is opened as it
 * is: read-only unless asked to write, and a write needs the current schema.
 * A new database (init) is created with the whole schema.
 */
static sqlite3 *
open_db(bool create, bool write)
{
	char err[512], *path = xasprintf("%s/hearth.db", data_dir);
	sqlite3 *db;
	int v;

	if (create && access(path, F_OK) != 0)
		db = db_open(path, true, "NORMAL", NULL, err, sizeof err);
	else
		db = db_open_existing(path, !write, err, sizeof err);
	if (db == NULL)
		die("%s", err);
	if (write && (v = db_schema_version(db)) != db_latest_version())
		die("%s is at schema version %d and this hearthctl expects %d: "
		    "start hearthd once to upgrade it (it keeps a copy of the "
		    "old file in %s/backups)", path, v, db_latest_version(),
		    data_dir);
	free(path);
	return db;
}

static int
cmd_init(void)
{
	char err[512], code[CODE_LEN + 1], *key;
	sqlite3 *db;

	if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
		die("%s: %s", data_dir, strerror(errno));
	chmod(data_dir, 0700);
	key = xasprintf("%s/host_ed25519", data_dir);
	if (sshkey_host_ensure(key, err, sizeof err) != 0)
		die("%s", err);
	free(key);
	db = open_db(true, true);
	if (member_admin_exists(db)) {
		db_close(db);
		printf("%s is ready; it already has an admin. Create invites "
		    "with: hearthctl --data %s invite create --name NAME\n",
		    data_dir, data_dir);
		return 0;
	}
	if (db_begin(db) != 0 ||
	    invite_create(db, NULL, "first admin", ROLE_ADMIN, 0, 7 * 86400,
	    code) < 0 || db_commit(db) != 0)
		die("cannot create the admin invite: %s", db_errmsg(db));
	db_close(db);
	if (json_out)
		printf("{\"code\": \"%s\", \"role\": \"admin\"}\n", code);
	else
		printf("%s is ready.\n\nOne-time admin invite code (valid 7 "
		    "days):\n\n    %s\n\nStart hearthd, then: ssh -t -p PORT "
		    "join@HOST and enter the code.\n", data_dir, code);
	return 0;
}

/* Progress of a backup on stderr: every tenth, and the check. */
static void
backup_progress(void *arg, int done, int total)
{
	int *last = arg, tenth;

	if (done < 0) {
		fprintf(stderr, "hearthctl: checking the copy "
		    "(PRAGMA integrity_check)\n");
		return;
	}
	tenth = total > 0 ? (int)((int64_t)done * 10 / total) : 10;
	if (tenth == *last)
		return;
	*last = tenth;
	fprintf(stderr, "hearthctl: backup %3d%% (%d of %d pages)\n",
	    tenth * 10, done, total);
}

/*
 * backup FILE [--force]: the database copied by this process on its own
 * read-only connection, in one read transaction, whether hearthd runs or
 * not (WAL: the daemon's writes go on meanwhile).
 */
static int
cmd_backup(int argc, char **argv)
{
	const char *out = NULL;
	char err[512];
	bool force = false;
	int last = -1;
	double t0, took;
	sqlite3 *db;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (argv[i][0] == '-' || out != NULL)
			die("backup FILE [--force]");
		else
			out = argv[i];
	}
	if (out == NULL)
		die("backup FILE [--force]");
	if (!force && access(out, F_OK) == 0)
		die("%s exists; add --force to replace it", out);
	db = open_db(false, false);
	/* A backup may take its time; hearthd's loop may not. */
	if (setpriority(PRIO_PROCESS, 0, 10) != 0)
		log_debug(0, "setpriority: %s", strerror(errno));
	t0 = (double)now_ms();
	if (db_backup(db, out, backup_progress, &last, err, sizeof err) != 0)
		die("%s", err);
	took = ((double)now_ms() - t0) / 1000.0;
	db_close(db);
	if (json_out)
		printf("{\"backup\": \"%s\", \"seconds\": %.2f, "
		    "\"integrity\": \"ok\"}\n", out, took);
	else
		printf("Backed up %s/hearth.db to %s in %.1f s (integrity "
		    "check ok).\n", data_dir, out, took);
	return 0;
}

/* backup list: what DATA/backups holds (read from the directory). */
static int
cmd_backup_list(void)
{
	char *dir = backup_dir(data_dir), d[32];
	json_t *list = backup_list(dir), *it, *r;
	size_t i;

	r = json_pack("{s:s, s:o}", "dir", dir, "backups", list);
	if (!print_json(r)) {
		if (json_array_size(list) == 0)
			printf("No backups in %s.\n", dir);
		else
			printf("%-36s %-15s %10s  %s\n", "FILE", "KIND", "MB",
			    "WRITTEN (UTC)");
		json_array_foreach(list, i, it) {
			print_date(str(it, "time"), d);
			printf("%-36s %-15s %10.1f  %s\n", str(it, "file"),
			    str(it, "kind"), json_integer_value(json_object_get(
			    it, "bytes")) / 1048576.0, d);
		}
	}
	json_decref(r);
	free(dir);
	return 0;
}

/* Does hearthd answer on DATA/ctl.sock? */
static bool
daemon_running(void)
{
	struct sockaddr_un sun;
	char *path = xasprintf("%s/ctl.sock", data_dir);
	bool yes = false;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) < sizeof sun.sun_path &&
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
		memcpy(sun.sun_path, path, strlen(path) + 1);
		yes = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
		close(fd);
	}
	free(path);
	return yes;
}

/*
 * restore FILE: with hearthd stopped, put a checked copy of FILE in place
 * of DATA/hearth.db; the database it replaces (with its WAL, if a crash
 * left one) is moved to backups/before-restore-*.db first.
 */
static int
cmd_restore(int argc, char **argv)
{
	char err[512], *db, *dir, *kept = NULL, *from, *to;
	sqlite3 *src;
	int v, last = -1;

	if (argc != 2)
		die("restore FILE");
	if (daemon_running())
		die("hearthd is running (%s/ctl.sock answers): stop it first, "
		    "then restore", data_dir);
	if ((src = db_open_existing(argv[1], true, err, sizeof err)) == NULL)
		die("%s", err);
	v = db_schema_version(src);
	if (v <= 0 || v > db_latest_version())
		die("%s is not a Hearth database this program can use (schema "
		    "version %d, this one knows up to %d)", argv[1], v,
		    db_latest_version());
	db = xasprintf("%s/hearth.db", data_dir);
	dir = backup_dir(data_dir);
	if (backup_dir_ensure(dir, err, sizeof err) != 0)
		die("%s", err);
	if (access(db, F_OK) == 0) {
		kept = backup_stamped(dir, "before-restore-");
		if (rename(db, kept) != 0)
			die("%s: %s", kept, strerror(errno));
		from = xasprintf("%s-wal", db);
		to = xasprintf("%s-wal", kept);
		if (rename(from, to) != 0 && errno != ENOENT)
			die("%s: %s", to, strerror(errno));
		free(from);
		free(to);
		from = xasprintf("%s-shm", db);
		unlink(from);
		free(from);
	}
	if (db_backup(src, db, backup_progress, &last, err, sizeof err) != 0) {
		if (kept != NULL && rename(kept, db) == 0)
			die("%s (the database was left as it was)", err);
		die("%s", err);
	}
	sqlite3_close(src);
	if (json_out)
		printf("{\"restored\": \"%s\", \"schema\": %d, "
		    "\"kept\": %s%s%s}\n", argv[1], v, kept ? "\"" : "",
		    kept ? kept : "null", kept ? "\"" : "");
	else {
		printf("Restored %s (schema %d) to %s.\n", argv[1], v, db);
		if (kept != NULL)
			printf("The database it replaced is %s.\n", kept);
		if (v < db_latest_version())
			printf("hearthd will migrate it to schema %d when it "
			    "starts (keeping a copy first).\n",
			    db_latest_version());
	}
	free(kept);
	free(dir);
	free(db);
	return 0;
}

/* For hearthctl-admin.c (server.h, "hearthctl.c"). */
json_t *
hctl_request(const char *op, json_t *args)
{
	return request(op, args);
}

bool
hctl_print_json(json_t *r)
{
	return print_json(r);
}

const char *
hctl_str(json_t *o, const char *key)
{
	return str(o, key);
}

void
hctl_print_date(const char *iso, char out[32])
{
	print_date(iso, out);
}

void
hctl_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hearthctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	int i = 1;

	log_init("hearthctl", LOG_WARN);
	/* A daemon that closes on us is an error to report, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	data_dir = getenv("HEARTH_DATA");
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data_dir = argv[i += 1];
		else if (strncmp(argv[i], "--data=", 7) == 0)
			data_dir = argv[i] + 7;
		else if (strcmp(argv[i], "--json") == 0)
			json_out = true;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	argc -= i;
	argv += i;
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	/* Options may also follow the command. */
	for (int j = 0; j < argc; j++) {
		if (strcmp(argv[j], "--json") == 0) {
			json_out = true;
			memmove(&argv[j], &argv[j + 1],
			    (argc - j) * sizeof *argv);
			argc--;
			j--;
		}
	}
	if (data_dir == NULL)
		die("say where the data is: --data DIR (or HEARTH_DATA)");
	umask(077);
	if (strcmp(argv[0], "init") == 0)
		return cmd_init();
	if (strcmp(argv[0], "backup") == 0 && argc == 2 &&
	    strcmp(argv[1], "list") == 0)
		return cmd_backup_list();
	if (strcmp(argv[0], "backup") == 0)
		return cmd_backup(argc, argv);
	if (strcmp(argv[0], "restore") == 0)
		return cmd_restore(argc, argv);
	if (strcmp(argv[0], "status") == 0)
		return cmd_status();
	if (strcmp(argv[0], "invite") == 0)
		return cmd_invite(argc, argv);
	if (strcmp(argv[0], "member") == 0 && argc > 1 &&
	    strcmp(argv[1], "reinstate") == 0)
		return hctl_member_reinstate(argc, argv);
	if (strcmp(argv[0], "coc") == 0)
		return hctl_coc(argc, argv);
	if (strcmp(argv[0], "mail") == 0)
		return hctl_mail(argc, argv);
	if (strcmp(argv[0], "mail-in") == 0)
		return hctl_mail_in(argc, argv);
	if (strcmp(argv[0], "member") == 0)
		return cmd_member(argc, argv);
	if (strcmp(argv[0], "community") == 0)
		return cmd_community(argc, argv);
	if (strcmp(argv[0], "audit") == 0)
		return cmd_audit(argc, argv);
	if (strcmp(argv[0], "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(argv[0], "survey") == 0)
		return hctl_survey(argc, argv);
	if (strcmp(argv[0], "roadmap") == 0)
		return hctl_roadmap(argc, argv);
	if (strcmp(argv[0], "library") == 0)
		return hctl_library(argc, argv);
	die("unknown command '%s' (see hearthctl --help)", argv[0]);
}

/* For the hearthctl-*.c subcommands: the daemon call and printing. */
json_t *
ctl_request(const char *op, json_t *args)
{
	return request(op, args);
}

bool
ctl_print_json(json_t *r)
{
	return print_json(r);
}

const char *
ctl_str(json_t *o, const char *key)
{
	return str(o, key);
}

void
ctl_print_date(const char *iso, char out[32])
{
	print_date(iso, out);
}
