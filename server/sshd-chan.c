/*
 * sshd-chan.c: a session's channel and login, for sshd.c: libssh's server
 * and channel callbacks (public-key authentication, keyboard-interactive,
 * the channel's requests), and starting what the channel asked for.
 *
 * A session opens one channel, which becomes one of:
 *  - the "hearth" subsystem: a conn whose transport is this channel;
 *  - a shell (with or without pty-req): the TUI child, started by the
 *    spawner; shell.c relays its screen and protocol stream;
 *  - an exec request: one-shot text output;
 *  - the "sftp" subsystem or an exec of scp: a transfer (sftp.c, scp.c),
 *    whose output is flushed here too.
 *
 * Callbacks never free: they set flags, and sshd.c's pump acts on them.
 */
#include <stdlib.h>
#include <string.h>

#include "sshd-int.h"

static void
sess_authed(struct sess *s)
{
	s->authed = true;
	/* join and guest sessions stay counted until an invite is redeemed */
	if (!s->join && !s->guest)
		preauth_login(s->pre);
}

/* ---- the subsystem transport: a conn over this session's channel ---- */

static void
chan_kick(struct conn *c)
{
	sess_kick(c->tr_data);
}

static void
chan_close(struct conn *c)
{
	struct sess *s = c->tr_data;

	s->conn_ended = true;
	sess_kick(s);
}

static const struct conn_transport chan_transport = {
	.kick = chan_kick,
	.close = chan_close,
};

/* ---- the sftp subsystem (sftp.c) ---- */

static void
sess_sftp_kick(void *owner)
{
	sess_kick(owner);
}

static void
sess_sftp_end(void *owner)
{
	struct sess *s = owner;

	s->sftp_ended = true;
	sess_kick(s);
}

/* ---- classic scp (scp.c) ---- */

static void
sess_scp_kick(void *owner)
{
	sess_kick(owner);
}

static void
sess_scp_end(void *owner)
{
	sess_kick(owner);
}

/* Who the session's conn speaks for: the member, newcomer or guest. */
static void
sess_conn_identity(struct sess *s, struct conn *c)
{
	snprintf(c->addr, sizeof c->addr, "%s", s->addr);
	c->guest = s->guest;
	if (s->join) {
		c->join = true;
		c->key = s->key;
		memset(&s->key, 0, sizeof s->key);
	} else if (s->member.id != 0) {
		c->member = s->member;
		c->member.display_name = xstrdup(s->member.display_name);
		c->member.removed_reason = s->member.removed_reason != NULL ?
		    xstrdup(s->member.removed_reason) : NULL;
		snprintf(c->key.fp, sizeof c->key.fp, "%s", s->key.fp);
	}
}

/* Start the TUI for a shell request; false if it could not start. */
static bool
shell_start(struct sess *s)
{
	struct conn *c;

	s->shell = shell_open(s, s->id, s->pty ? s->term : NULL,
	    s->no_color, s->cols, s->rows);
	if (s->shell == NULL)
		return false;
	c = shell_conn(s->shell);
	sess_conn_identity(s, c);
	conn_hello(c);
	return true;
}

/* ---- libssh callbacks (no freeing in here) ---- */

static int
cb_data(ssh_session ssh, ssh_channel ch, void *data, uint32_t len,
    int is_stderr, void *ud)
{
	struct sess *s = ud;

	if (sess_batch_writing) {
		/* Maybe on a helper thread: keep it for the loop thread. */
		buf_append(&s->defer_in, data, len);
		s->last_input = now_ms();
		return (int)len;
	}
	/* Data can come in the same read as the request: start it first. */
	if (!s->started && s->mode != MODE_NONE)
		sess_start_mode(s);
	s->last_input = now_ms();
	if (s->mode == MODE_SUBSYS) {
		if (s->conn != NULL)
			conn_input(s->conn, data, len);
		return (int)len;
	}
	if (s->mode == MODE_SFTP) {
		/* sftp.c keeps what it cannot answer yet (bounded) */
		if (s->sftp != NULL && sftp_input(s->sftp, data, len) == 0)
			sess_kick(s);
		return (int)len;
	}
	if (s->mode == MODE_EXEC && s->scp != NULL) {
		/*
		 * Take what scp.c has room for; the rest waits in libssh,
		 * whose window then closes (read back in sess_flush_scp).
		 */
		size_t room = scp_room(s->scp);

		if (room < len) {
			len = (uint32_t)room;
			s->scp_stranded = true;
		}
		if (len > 0 && scp_input(s->scp, data, len) == 0)
			sess_kick(s);
		return (int)len;
	}
	/* Take what fits; the rest waits in libssh (and its window). */
	if (s->mode == MODE_SHELL && s->shell != NULL)
		return (int)shell_input(s->shell, data, len);
	return (int)len; /* nothing listens: discard */
}

static void
cb_eof(ssh_session ssh, ssh_channel ch, void *ud)
{
	struct sess *s = ud;

	if (sess_batch_writing) {
		s->defer_eof = true; /* for the loop thread, after the batch */
		return;
	}
	if (!s->started && s->mode != MODE_NONE)
		sess_start_mode(s);
	/* A subsystem client that is done sending: answer, then end. */
	if (s->mode == MODE_SUBSYS && s->conn != NULL)
		conn_eof(s->conn);
	if (s->mode == MODE_SFTP) {
		s->sftp_eof = true;
		sess_kick(s);
	}
	if (s->mode == MODE_EXEC && s->scp != NULL) {
		scp_eof(s->scp);
		sess_kick(s);
	}
}

static void
cb_close(ssh_session ssh, ssh_channel ch, void *ud)
{
	struct sess *s = ud;

	s->chan_gone = true;
	/* sftp: answer the close and let the client leave first (below) */
	if (s->mode != MODE_SFTP)
		s->dead = true;
}

static int
cb_pty(ssh_session ssh, ssh_channel ch, const char *term, int w, int h,
    int pw, int ph, void *ud)
{
	struct sess *s = ud;

	if (s->mode != MODE_NONE)
		return -1;
	s->pty = true;
	snprintf(s->term, sizeof s->term, "%s", term); /* shell.c cleans it */
	s->cols = w;
	s->rows = h;
	return 0;
}

/* Environment from the client: only NO_COLOR is taken (for the TUI). */
static int
cb_env(ssh_session ssh, ssh_channel ch, const char *name, const char *value,
    void *ud)
{
	struct sess *s = ud;

	if (strcmp(name, "NO_COLOR") != 0)
		return -1;
	s->no_color = true;
	return 0;
}

static int
cb_winch(ssh_session ssh, ssh_channel ch, int w, int h, int pw, int ph,
    void *ud)
{
	struct sess *s = ud;

	s->cols = w;
	s->rows = h;
	if (s->shell != NULL)
		shell_resize(s->shell, w, h);
	return 0;
}

static int
cb_shell(ssh_session ssh, ssh_channel ch, void *ud)
{
	struct sess *s = ud;

	if (s->mode != MODE_NONE)
		return 1;
	s->mode = MODE_SHELL;
	return 0;
}

static int
cb_exec(ssh_session ssh, ssh_channel ch, const char *cmd, void *ud)
{
	struct sess *s = ud;

	if (s->mode != MODE_NONE)
		return 1;
	s->mode = MODE_EXEC;
	s->exec_cmd = xstrdup(cmd);
	return 0;
}

static int
cb_subsystem(ssh_session ssh, ssh_channel ch, const char *name, void *ud)
{
	struct sess *s = ud;

	if (s->mode != MODE_NONE)
		return 1;
	if (strcmp(name, "sftp") == 0) {
		s->mode = MODE_SFTP;
		return 0;
	}
	if (strcmp(name, "hearth") != 0)
		return 1;
	s->mode = MODE_SUBSYS;
	return 0;
}

static ssh_channel
cb_channel_open(ssh_session ssh, void *ud)
{
	struct sess *s = ud;

	if (!s->authed || s->chan != NULL)
		return NULL;
	s->chan = ssh_channel_new(ssh);
	if (s->chan == NULL)
		return NULL;
	memset(&s->ccb, 0, sizeof s->ccb);
	s->ccb.userdata = s;
	s->ccb.channel_data_function = cb_data;
	s->ccb.channel_eof_function = cb_eof;
	s->ccb.channel_close_function = cb_close;
	s->ccb.channel_pty_request_function = cb_pty;
	s->ccb.channel_pty_window_change_function = cb_winch;
	s->ccb.channel_env_request_function = cb_env;
	s->ccb.channel_shell_request_function = cb_shell;
	s->ccb.channel_exec_request_function = cb_exec;
	s->ccb.channel_subsystem_request_function = cb_subsystem;
	ssh_callbacks_init(&s->ccb);
	ssh_set_channel_callbacks(s->chan, &s->ccb);
	return s->chan;
}

static int
cb_auth_pubkey(ssh_session ssh, const char *user, struct ssh_key_struct *key,
    char state, void *ud)
{
	struct sess *s = ud;
	char fp[SSHKEY_FP_LEN];
	struct member m = { 0 };
	bool join = strcmp(user, "join") == 0;
	bool guest = srv->cfg.guest && strcmp(user, "guest") == 0;
	int found;

	if (s->authed)
		return SSH_AUTH_DENIED;
	if (sshkey_fingerprint(key, fp) != 0)
		goto deny;
	found = member_by_fingerprint(srv->db, fp, &m);
	if (found < 0) {
		log_error(s->id, "key lookup failed: %s", db_errmsg(srv->db));
		goto deny;
	}
	if (state == SSH_PUBLICKEY_STATE_NONE) {
		member_clear(&m);
		if (found || join || guest)
			return SSH_AUTH_SUCCESS; /* "this key would do" */
		goto deny;
	}
	if (state != SSH_PUBLICKEY_STATE_VALID)
		goto deny;
	if (found) {
		member_clear(&s->member);
		s->member = m;
		s->member_refused = sess_member_full(m.id);
		snprintf(s->key.fp, sizeof s->key.fp, "%s", fp);
		device_key_used(fp);
		sess_authed(s);
		log_info(s->id, "authenticated %s (%s)%s", s->member.handle, fp,
		    s->member.removed ? " [removed member]" : "");
		return SSH_AUTH_SUCCESS;
	}
	/* Over the join caps: let it in only to be told why, then closed. */
	if ((join || guest) && !preauth_join(s->pre))
		s->join_refused = true;
	if (join) {
		if (sshkey_describe(key, &s->key) != 0)
			goto deny;
		s->join = true;
		sess_authed(s);
		log_info(s->id, "newcomer with key %s joining", fp);
		return SSH_AUTH_SUCCESS;
	}
	if (guest) {
		s->guest = true;
		sess_authed(s);
		log_info(s->id, "guest with key %s", fp);
		return SSH_AUTH_SUCCESS;
	}
	log_info(s->id, "unknown key %s for user '%s' refused", fp, user);
deny:
	member_clear(&m);
	if (++s->auth_fails > 20)
		s->dead = true;
	return SSH_AUTH_DENIED;
}

/*
 * Keyboard-interactive (kbdint.c), reached only when no key got in: the
 * text once, then, on the answer, the end with a goodbye. Never a login;
 * it counts as a failed one (auth_fails) for preauth.c's penalty.
 */
static int
cb_message(ssh_session ssh, ssh_message m, void *ud)
{
	struct sess *s = ud;

	if (ssh_message_type(m) != SSH_REQUEST_AUTH ||
	    ssh_message_subtype(m) != SSH_AUTH_METHOD_INTERACTIVE || s->authed)
		return 1;
	if (!ssh_message_auth_kbdint_is_response(m)) {
		if (s->kbd_asked)
			return 1;
		s->kbd_asked = true;
		s->kbd_join = ssh_message_auth_user(m) != NULL &&
		    strcmp(ssh_message_auth_user(m), "join") == 0;
		s->auth_fails++;
		log_info(s->id, "no known key%s: showing how to get in",
		    s->kbd_join ? " (join)" : "");
		return kbdint_ask(m, s->kbd_join) == 0 ? 0 : 1;
	}
	if (!s->kbd_asked)
		return 1;
	ssh_session_set_disconnect_message(ssh, kbdint_goodbye(s->kbd_join));
	s->dead = true;
	return 0;
}

/* The server callbacks and auth methods of a new session. */
void
sess_set_callbacks(struct sess *s)
{
	memset(&s->scb, 0, sizeof s->scb);
	s->scb.userdata = s;
	s->scb.auth_pubkey_function = cb_auth_pubkey;
	s->scb.channel_open_request_session_function = cb_channel_open;
	ssh_callbacks_init(&s->scb);
	ssh_set_server_callbacks(s->ssh, &s->scb);
	ssh_set_message_callback(s->ssh, cb_message, s);
	ssh_set_auth_methods(s->ssh, SSH_AUTH_METHOD_PUBLICKEY |
	    SSH_AUTH_METHOD_INTERACTIVE);
}

/* Text for a removed member, in a terminal or on stderr. */
static char *
removed_text(struct sess *s)
{
	char at[32];

	time_iso8601(s->member.removed_at, at);
	return xasprintf("Your Hearth membership was removed on %s.\r\n"
	    "Reason: %s\r\n", at,
	    s->member.removed_reason != NULL ? s->member.removed_reason : "");
}

/* The channel's request has arrived: start what it asked for. */
void
sess_start_mode(struct sess *s)
{
	char *text;

	s->started = true;
	uv_timer_stop(&s->timer); /* the login grace period is over */
	if (sess_idle_limit(s) > 0)
		uv_timer_start(&s->timer, sess_timer_cb,
		    (uint64_t)sess_idle_limit(s) * 1000, 0);
	if (s->join_refused || s->member_refused) {
		text = s->member_refused ? xasprintf("Hearth: you already "
		    "have %d sessions open (at most %d for one member). Close "
		    "one, then try again.\r\n",
		    srv->cfg.max_sessions_per_member,
		    srv->cfg.max_sessions_per_member) :
		    xasprintf("Hearth: too many newcomers and guests are "
		    "connected just now (at most %d, %d from one address). "
		    "Please try again in a few minutes.\r\n",
		    srv->cfg.max_join, srv->cfg.max_join_per_ip);
		if (s->mode == MODE_SHELL && s->pty) {
			s->shell = shell_text(s, s->id, 1, "\r\n%s\r\n", text);
		} else if (s->mode != MODE_NONE) {
			ssh_channel_write_stderr(s->chan, text,
			    (uint32_t)strlen(text));
			sess_finish(s, 1);
		}
		free(text);
		log_info(s->id, "%s", s->member_refused ? "member refused: "
		    "over max_sessions_per_member" :
		    "newcomer or guest refused: over the caps");
		return;
	}
	switch (s->mode) {
	case MODE_SUBSYS:
		s->conn = conn_new(CONN_SSH, &chan_transport, s);
		sess_conn_identity(s, s->conn);
		conn_hello(s->conn);
		if (s->member.removed)
			conn_close(s->conn, "removed member");
		break;
	case MODE_SHELL:
		if (s->member.removed) {
			text = removed_text(s);
			s->shell = shell_text(s, s->id, 1, "\r\n%s\r\n", text);
			free(text);
			break;
		}
		if (!shell_start(s))
			s->shell = shell_text(s, s->id, 1, "Hearth could not start "
			    "its screen; please try again later.\r\n");
		break;
	case MODE_EXEC:
		if (s->member.removed) {
			text = removed_text(s);
			ssh_channel_write_stderr(s->chan, text,
			    (uint32_t)strlen(text));
			free(text);
			sess_finish(s, 1);
			break;
		}
		if (scp_command(s->exec_cmd)) {
			/* classic scp (scp -O, OpenSSH before 9.0): sftp's */
			if (s->join) {
				text = xasprintf("Hearth: the library is for "
				    "members; join first (ssh join@...).\r\n");
				ssh_channel_write_stderr(s->chan, text,
				    (uint32_t)strlen(text));
				free(text);
				sess_finish(s, 1);
				break;
			}
			s->scp = scp_new(s, sess_scp_kick, sess_scp_end, s->id,
			    &s->member, s->key.fp, s->guest, s->exec_cmd);
			break;
		}
		if (strcmp(s->exec_cmd, "calendar") == 0 && s->member.id != 0) {
			/* One-shot text: the member's iCalendar feed. */
			text = event_ics(s->member.id);
			s->shell = shell_text(s, s->id, 0, "%s", text);
			free(text);
			break;
		}
		text = xasprintf("hearth: unknown command '%.60s'. Try "
		    "'calendar', or connect with: ssh -p %d %s\r\n",
		    s->exec_cmd, srv->cfg.listen_port, srv->cfg.listen_host);
		ssh_channel_write_stderr(s->chan, text,
		    (uint32_t)strlen(text));
		free(text);
		sess_finish(s, 2);
		break;
	case MODE_SFTP:
		if (s->member.removed || s->join) {
			text = s->join ? xasprintf("Hearth: the library is for "
			    "members; join first (ssh join@...).\r\n") :
			    removed_text(s);
			ssh_channel_write_stderr(s->chan, text,
			    (uint32_t)strlen(text));
			free(text);
			sess_finish(s, 1);
			break;
		}
		s->sftp = sftp_new(s, sess_sftp_kick, sess_sftp_end, s->id,
		    &s->member, s->key.fp, s->guest);
		break;
	case MODE_NONE:
		break;
	}
}

/*
 * An sftp session: its replies onto the channel as the window allows; as
 * they drain below SFTP_OUT_HIGH it takes the requests waiting (sftp.c),
 * and it ends once answered after the client's EOF or sftp.c's end.
 */
void
sess_flush_sftp(struct sess *s)
{
	struct buf *o = sftp_out(s->sftp), *e = sftp_err(s->sftp);
	size_t before, left = SFTP_TURN_WRITE;
	int w;

	if (sshd_fanout_waiting() && !s->sftp_ended) {
		/* a room's line waits for its batch: it goes first */
		sess_kick(s);
		return;
	}

	for (int i = 0; i < 4; i++) {
		/* a refusal's words before the status they explain */
		while (buf_used(e) > 0 && (w = ssh_channel_write_stderr(
		    s->chan, buf_head(e), (uint32_t)buf_used(e))) > 0)
			buf_consume(e, (size_t)w);
		before = buf_used(o);
		if (chan_write_max(s, o, left) != 0) {
			s->dead = true;
			return;
		}
		left -= before - buf_used(o) < left ? before - buf_used(o) :
		    left;
		if (left == 0 && buf_used(o) > 0) {
			/* the turn's share is sent: the rest next turn */
			sess_kick(s);
			return;
		}
		if (buf_used(o) >= SFTP_OUT_HIGH || s->sftp_ended)
			break;
		before = buf_used(o);
		if (sftp_resume(s->sftp) != 0 || buf_used(o) == before)
			break;
	}
	if (buf_used(o) == 0 && (s->sftp_ended ||
	    (s->sftp_eof && sftp_idle(s->sftp))))
		sess_finish(s, 0);
}

/*
 * A classic scp transfer: its bytes onto the channel as the window allows
 * (SFTP_TURN_WRITE a turn, as sftp's), then more from scp.c; bytes libssh
 * kept for want of room are taken back as room comes; once scp.c is done
 * and everything is out, the exit status.
 */
void
sess_flush_scp(struct sess *s)
{
	struct buf *o = scp_out(s->scp), *e = scp_err(s->scp);
	size_t before, left = SFTP_TURN_WRITE, room;
	static uint8_t tmp[64 * 1024]; /* the loop thread only */
	int w, n, status;

	if (sshd_fanout_waiting()) {
		/* a room's line waits for its batch: it goes first */
		sess_kick(s);
		return;
	}
	for (int i = 0; i < 4; i++) {
		while (buf_used(e) > 0 && (w = ssh_channel_write_stderr(
		    s->chan, buf_head(e), (uint32_t)buf_used(e))) > 0)
			buf_consume(e, (size_t)w);
		before = buf_used(o);
		if (chan_write_max(s, o, left) != 0) {
			s->dead = true;
			return;
		}
		if (buf_used(o) < before)
			s->last_input = now_ms(); /* a long fetch is not idle */
		left -= before - buf_used(o) < left ? before - buf_used(o) :
		    left;
		if (left == 0 && buf_used(o) > 0) {
			sess_kick(s); /* the rest next turn */
			return;
		}
		if (buf_used(o) >= SFTP_OUT_HIGH)
			break;
		before = buf_used(o);
		if (scp_resume(s->scp) != 0)
			break;
		/* the bytes libssh holds (no packet may come to offer them) */
		if (s->scp_stranded && (room = scp_room(s->scp)) > 0) {
			n = ssh_channel_read_nonblocking(s->chan, tmp,
			    (uint32_t)(room < sizeof tmp ? room : sizeof tmp),
			    0);
			if (n > 0) {
				log_debug(s->id, "scp: took back %d bytes libssh "
				    "held", n);
				scp_input(s->scp, tmp, (size_t)n);
				continue;
			}
			s->scp_stranded = false;
			if (n == SSH_ERROR) {
				s->dead = true;
				return;
			}
		}
		if (buf_used(o) == before)
			break;
	}
	/* no packet may come to offer them: the next turn takes them */
	if (s->scp_stranded && scp_room(s->scp) > 0)
		sess_kick(s);
	if (buf_used(o) == 0 && buf_used(e) == 0 &&
	    scp_done(s->scp, &status))
		sess_finish(s, status);
}
