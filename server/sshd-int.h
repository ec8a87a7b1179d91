/*
 * sshd-int.h: what sshd.c and sshd-chan.c share, for those two files only:
 * the session (struct sess) and the few functions each calls in the other.
 * Loop thread only, unless a comment says otherwise.
 */
#ifndef HEARTH_SSHD_INT_H
#define HEARTH_SSHD_INT_H

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "server.h"

enum sess_mode { MODE_NONE, MODE_SUBSYS, MODE_SHELL, MODE_EXEC, MODE_SFTP };

struct sess {
	uint64_t id;
	ssh_session ssh;
	ssh_event ev;
	int fd;
	uv_poll_t poll;
	int poll_ev; /* the events poll was last started with; -1: none */
	uv_timer_t timer; /* login grace, then idle */
	uv_idle_t kick;
	int open_handles;
	char addr[64];
	char ip[48];

	bool kex_done;
	bool authed;
	struct preauth *pre; /* preauth.c's ticket, until teardown */
	uint64_t accepted_ms;
	bool join_refused; /* over the join caps: told so, then closed */
	bool member_refused; /* over max_sessions_per_member: the same */
	bool dead; /* tear down after the current pump */
	bool finishing; /* exit status sent, waiting for the client */
	int auth_fails;
	struct member member;
	bool join;
	bool guest;
	struct sshkey_info key; /* a join session's key; a member's: fp only */
	bool kbd_asked; /* kbdint.c's text was sent (once per connection) */
	bool kbd_join; /* ... to user "join" */

	struct ssh_server_callbacks_struct scb;
	struct ssh_channel_callbacks_struct ccb;
	ssh_channel chan;
	bool chan_gone; /* closed by the client */
	bool close_answered; /* ... and our close sent back */
	enum sess_mode mode;
	bool started; /* the channel's request has been acted on */
	char *exec_cmd;
	uint64_t last_input;

	struct conn *conn; /* subsystem conn, or the TUI child's conn */
	bool conn_ended; /* the conn asked to close */
	bool wrote; /* the last write moved some conn output */
	bool gone; /* torn down: its memory lasts until the close callbacks */

	/* the "later" queue: a pump or a teardown left for the next turns */
	enum { LATER_NONE, LATER_PUMP, LATER_TEARDOWN } later;
	struct sess *later_next, *later_prev;
	bool poll_closed; /* closed when queued for teardown: the fd may go */

	/* the write batch */
	bool in_batch;
	struct sess *batch_next, *batch_prev;
	struct buf defer_in; /* input read during a threaded batch */
	bool defer_eof;

	/* shell */
	bool pty;
	bool no_color; /* the client sent NO_COLOR (SendEnv) */
	char term[64];
	int cols, rows;
	struct shell *shell; /* shell.c's terminal session, or exec output */

	/* the "sftp" subsystem (sftp.c) */
	struct sftp *sftp;
	bool sftp_eof; /* the client is done sending */
	bool sftp_ended; /* sftp.c asked to end */

	/* an exec of "scp -f" or "scp -t" (scp.c) */
	struct scp *scp;
	bool scp_stranded; /* bytes scp.c had no room for wait in libssh */

	struct sess *next, *prev;
};

/* sshd.c: the sessions' life, pump and flush. */
extern bool sess_batch_writing; /* a batch's writes run (sshd.c's top) */
void sess_kick(struct sess *);
void sess_finish(struct sess *, int status);
int chan_write_max(struct sess *, struct buf *, size_t max);
void sess_timer_cb(uv_timer_t *);
int sess_idle_limit(const struct sess *);
bool sess_member_full(int64_t member_id);

/* sshd-chan.c: the channel's requests, authentication, sftp and scp. */
void sess_set_callbacks(struct sess *);
void sess_start_mode(struct sess *);
void sess_flush_sftp(struct sess *);
void sess_flush_scp(struct sess *);

#endif
