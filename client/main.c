/*
 * main.c: hearth, the member's program. This first version is the
 * placeholder screen that hearthd runs for terminal logins (hearth --fd N):
 * it greets the member, lists their communities, and walks a newcomer
 * through redeeming an invite. The full-screen TUI replaces it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static int server_fd = -1;
static struct frame in;
static json_int_t next_id = 1;

/* Read the next protocol line from the server; NULL on EOF. */
static json_t *
read_msg(void)
{
	char buf[4096], *line;
	size_t len;
	ssize_t n;
	json_error_t jerr;

	for (;;) {
		switch (frame_next(&in, &line, &len)) {
		case FRAME_LINE:
			return json_loadb(line, len, 0, &jerr);
		case FRAME_TOO_LARGE:
			return NULL;
		case FRAME_MORE:
			break;
		}
		n = read(server_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		frame_feed(&in, buf, (size_t)n);
	}
}

static void
say_event(json_t *msg)
{
	const char *ev = json_string_value(json_object_get(msg, "event"));
	json_t *d = json_object_get(msg, "data");

	if (ev == NULL)
		return;
	if (strcmp(ev, "session.ended") == 0) {
		printf("\n\nYour Hearth membership was removed on %s.\n"
		    "Reason: %s\n\n",
		    json_string_value(json_object_get(d, "at")),
		    json_string_value(json_object_get(d, "reason")));
		fflush(stdout);
		exit(1);
	}
	if (strcmp(ev, "server.shutdown") == 0) {
		printf("\n\n%s\n\n",
		    json_string_value(json_object_get(d, "message")));
		fflush(stdout);
		exit(0);
	}
}

/* Send a request and wait for its reply, printing events meanwhile. */
static json_t *
call(const char *op, json_t *args)
{
	json_t *req = json_pack("{s:I, s:s, s:o}", "id", next_id, "op", op,
	    "args", args), *msg;
	char *line = json_line(req);
	size_t len = strlen(line);
	json_int_t id = next_id++;

	json_decref(req);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	if (write(server_fd, line, len) != (ssize_t)len) {
		free(line);
		return NULL;
	}
	free(line);
	while ((msg = read_msg()) != NULL) {
		if (json_integer_value(json_object_get(msg, "id")) == id)
			return msg;
		say_event(msg);
		json_decref(msg);
	}
	return NULL;
}

static char *
ask(const char *prompt)
{
	static char line[512];
	size_t n;

	printf("%s", prompt);
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		exit(0);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Walk a newcomer through invite.redeem; returns the member or NULL. */
static json_t *
join(void)
{
	char code[128], handle[64], name[128];
	json_t *r, *err;

	printf("\033[2J\033[H"
	    "Welcome to Hearth.\n\n"
	    "To join, enter the invite code you were sent, then choose a\n"
	    "handle (how others @mention you) and the name people see.\n\n");
	for (int tries = 0; tries < 5; tries++) {
		snprintf(code, sizeof code, "%s", ask("Invite code: "));
		snprintf(handle, sizeof handle, "%s",
		    ask("Handle (lowercase, e.g. sam_k): "));
		snprintf(name, sizeof name, "%s",
		    ask("Your name as others see it: "));
		r = call("invite.redeem", json_pack("{s:s, s:s, s:s}", "code",
		    code, "handle", handle, "display_name", name));
		if (r == NULL)
			return NULL;
		if (json_is_true(json_object_get(r, "ok"))) {
			json_t *m = json_incref(json_object_get(
			    json_object_get(r, "result"), "member"));
			json_decref(r);
			return m;
		}
		err = json_object_get(r, "error");
		printf("\n  %s\n\n",
		    json_string_value(json_object_get(err, "message")));
		json_decref(r);
	}
	return NULL;
}

static void
home(json_t *member)
{
	json_t *r, *list, *c;
	size_t i;
	struct pollfd pfd[2];
	char buf[256];

	printf("\033[2J\033[H"
	    "Hearth  -  welcome, %s (@%s, %s)\n\n",
	    json_string_value(json_object_get(member, "display_name")),
	    json_string_value(json_object_get(member, "handle")),
	    json_string_value(json_object_get(member, "role")));
	r = call("community.list", json_object());
	list = json_object_get(json_object_get(r, "result"), "communities");
	if (json_array_size(list) == 0)
		printf("  There are no communities yet.\n");
	else
		printf("  Communities:\n");
	json_array_foreach(list, i, c) {
		json_t *role = json_object_get(c, "my_role");
		printf("    %-28s %-9s %s\n",
		    json_string_value(json_object_get(c, "name")),
		    json_string_value(json_object_get(c, "visibility")),
		    json_is_string(role) ? json_string_value(role) : "");
	}
	json_decref(r);
	printf("\n  The full Hearth screen is on its way.\n"
	    "  Press Enter to leave.\n");
	fflush(stdout);
	pfd[0].fd = 0;
	pfd[0].events = POLLIN;
	pfd[1].fd = server_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return;
		if (pfd[0].revents) {
			(void)!read(0, buf, sizeof buf);
			return;
		}
		if (pfd[1].revents) {
			json_t *msg = read_msg();
			if (msg == NULL)
				return;
			say_event(msg);
			json_decref(msg);
		}
	}
}

int
main(int argc, char **argv)
{
	json_t *hello, *data, *member;

	if (argc == 3 && strcmp(argv[1], "--fd") == 0)
		server_fd = atoi(argv[2]);
	else if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("hearth %s\n", HEARTH_VERSION);
		return 0;
	} else {
		fprintf(stderr, "usage: hearth --fd N\n"
		    "(the native client is not written yet; connect with "
		    "ssh -p 2222 HOST)\n");
		return 2;
	}
	frame_init(&in, PROTO_MAX_LINE);
	hello = read_msg();
	if (hello == NULL) {
		fprintf(stderr, "hearth: no greeting from the server\n");
		return 1;
	}
	data = json_object_get(hello, "data");
	member = json_object_get(data, "member");
	if (json_is_true(json_object_get(data, "join"))) {
		member = join();
		if (member == NULL)
			return 1;
		printf("\nWelcome, %s! You are now a member.\n"
		    "Next time, connect with the same key as any user name.\n",
		    json_string_value(json_object_get(member,
		    "display_name")));
		sleep(1);
	} else
		json_incref(member);
	if (!json_is_object(member))
		return 1;
	home(member);
	json_decref(member);
	json_decref(hello);
	return 0;
}
