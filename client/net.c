/*
 * net.c: the client's side of the protocol over one stream fd (the
 * socketpair hearthd gives a terminal login, or the native client's
 * libssh channel). Requests carry ids from calls.c, and replies go back
 * there to find their call; events go to ui_event. All I/O runs on the
 * libuv loop.
 */
#include <string.h>

#include <uv.h>

#include "common.h"
#include "client.h"

static uv_pipe_t pipe_h;
static struct frame in;
static bool connected;
static json_t *hello;
static bool native; /* reconnect after a loss (the native client) */
static uv_timer_t retry_h;
static int retry_delay;

void
net_set_native(void)
{
	native = true;
}

bool
net_is_native(void)
{
	return native;
}

bool
net_connected(void)
{
	return connected;
}

const char *
js(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

json_int_t
ji(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_true(v))
		return 1;
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

bool
err_unknown_op(json_t *error)
{
	return strcmp(js(error, "code"), "bad_request") == 0 &&
	    strstr(js(error, "message"), "unknown operation") != NULL;
}

const char *
err_message(json_t *error)
{
	static char text[1024];

	if (error == NULL)
		return "";
	if (err_unknown_op(error))
		return "Not available yet on this server.";
	return err_text(js(error, "message"), text, sizeof text);
}

const char *
err_message_for(json_t *error, json_t *args)
{
	static char text[512];

	if (error != NULL && err_too_long(js(error, "message"), args, text,
	    sizeof text))
		return text;
	return err_message(error);
}

static void
alloc_cb(uv_handle_t *h, size_t want, uv_buf_t *b)
{
	static char buf[65536];

	(void)h;
	(void)want;
	b->base = buf;
	b->len = sizeof buf;
}

/* One whole line from the server: a reply or an event. */
static void
on_line(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *msg = json_loadb(line, len, 0, &jerr);

	if (msg == NULL)
		return;
	if (json_is_integer(json_object_get(msg, "id"))) {
		calls_answer(msg);
		coc_reply(msg);
		ui_dirty();
	} else if (json_is_string(json_object_get(msg, "event"))) {
		const char *ev = js(msg, "event");
		if (strcmp(ev, "hello") == 0 && hello == NULL) {
			hello = json_incref(json_object_get(msg, "data"));
			welcome_start(hello);
		} else if (strcmp(ev, "hello") == 0) {
			/* back after a reconnect: screens reload themselves */
			ui_flash("Reconnected.");
			ui_event("client.reconnected", json_object_get(msg,
			    "data"));
		} else
			ui_event(ev, json_object_get(msg, "data"));
		ui_dirty();
	}
	json_decref(msg);
}

/* Fail every call still waiting, so no screen waits forever. */
static void
fail_pending(void)
{
	json_t *err = json_pack("{s:s, s:s}", "code", "unavailable",
	    "message", "The connection was lost; your text is kept. Try "
	    "again once reconnected.");

	calls_fail(err);
	json_decref(err);
}

static void retry_cb(uv_timer_t *t);

static void
pipe_closed(uv_handle_t *h)
{
	(void)h;
	if (native) {
		retry_delay = 1000;
		uv_timer_start(&retry_h, retry_cb, (uint64_t)retry_delay, 0);
	}
}

/* The connection is gone: say so, and (native client) try again. */
static void
conn_lost(const char *why)
{
	if (!connected)
		return;
	connected = false;
	uv_read_stop((uv_stream_t *)&pipe_h);
	uv_close((uv_handle_t *)&pipe_h, pipe_closed);
	frame_free(&in);
	fail_pending();
	if (native)
		ui_status("Connection lost: reconnecting...");
	else
		ui_lost(why);
}

static void
retry_cb(uv_timer_t *t)
{
	char err[512];
	int fd = native_reconnect(err, sizeof err);

	(void)t;
	if (fd < 0) {
		char msg[600];
		retry_delay = retry_delay < 30000 ? retry_delay * 2 : 30000;
		snprintf(msg, sizeof msg, "Connection lost: reconnecting in "
		    "%d s (%s)", retry_delay / 1000, err);
		ui_status(msg);
		uv_timer_start(&retry_h, retry_cb, (uint64_t)retry_delay, 0);
		return;
	}
	ui_status(NULL);
	net_start(fd);
}

static void
read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	char *line;
	size_t len;

	(void)s;
	if (n < 0) {
		conn_lost("The connection to the server was lost.");
		return;
	}
	frame_feed(&in, b->base, (size_t)n);
	for (;;) {
		enum frame_rc rc = frame_next(&in, &line, &len);
		if (rc == FRAME_MORE)
			break;
		if (rc == FRAME_TOO_LARGE) {
			conn_lost("The server sent a message too large to "
			    "read.");
			return;
		}
		on_line(line, len);
	}
}

void
net_start(int fd)
{
	static bool timer_ready;

	if (!timer_ready) {
		uv_timer_init(uv_default_loop(), &retry_h);
		timer_ready = true;
	}
	frame_init(&in, CLIENT_MAX_LINE);
	uv_pipe_init(uv_default_loop(), &pipe_h, 0);
	if (uv_pipe_open(&pipe_h, fd) != 0) {
		ui_lost("Cannot use the server connection.");
		return;
	}
	connected = true;
	uv_read_start((uv_stream_t *)&pipe_h, alloc_cb, read_cb);
}

static void
write_cb(uv_write_t *w, int status)
{
	free(w->data);
	free(w);
	if (status < 0 && connected)
		conn_lost("The connection to the server was lost.");
}

void
net_call(const char *op, json_t *args, struct view *owner, reply_fn cb,
    void *ctx)
{
	json_t *req;
	char *line;
	size_t len;
	uv_write_t *w;
	uv_buf_t b;
	json_int_t id;

	if (args == NULL)
		args = json_object();
	if (!connected) {
		json_t *err = json_pack("{s:s, s:s}", "code", "unavailable",
		    "message", "Not connected to the server.");
		json_decref(args);
		if (cb != NULL)
			cb(ctx, NULL, err);
		json_decref(err);
		return;
	}
	id = calls_add(owner, cb, ctx);
	req = json_pack("{s:I, s:s, s:o}", "id", id, "op", op, "args", args);
	line = json_line(req);
	json_decref(req);
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	w = xcalloc(1, sizeof *w);
	w->data = line;
	b = uv_buf_init(line, (unsigned)len);
	if (uv_write(w, (uv_stream_t *)&pipe_h, &b, 1, write_cb) != 0) {
		free(line);
		free(w);
		conn_lost("The connection to the server was lost.");
	}
}

void
net_forget(struct view *v)
{
	calls_forget(v);
}
