/*
 * server.h: hearthd and hearthctl internals, sectioned by file.
 *
 * Threading: everything here runs on the one libuv loop thread unless a
 * comment says otherwise. The writer database connection belongs to it.
 */
#ifndef HEARTH_SERVER_H
#define HEARTH_SERVER_H

#include <sqlite3.h>
#include <uv.h>

#include "common.h"

struct conn;
struct sess;

/* db.c: opening, migrations, cached statements, transactions. */
struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration db_migrations[];
/*
 * Open (creating if asked) the database at path, set the pragmas and apply
 * pending migrations in one transaction (hearthd), after copying an
 * existing database to backups/pre-NNN.db beside it; no copy, no
 * migration. *created is set when the file was new. Returns NULL with a
 * message in err.
 */
void db_loop_busy_handler(sqlite3 *db);
sqlite3 *db_open(const char *path, bool create, const char *synchronous,
    bool *created, char *err, size_t errlen);
/*
 * Open an existing database as it is: no migrations, no journal mode
 * change (hearthctl). readonly: SQLITE_OPEN_READONLY and query_only.
 */
sqlite3 *db_open_existing(const char *path, bool readonly, char *err,
    size_t errlen);
void db_close(sqlite3 *);
int db_schema_version(sqlite3 *);
int db_latest_version(void);
/* A prepared statement cached by its SQL text pointer (use literals). */
sqlite3_stmt *db_stmt(sqlite3 *, const char *sql);
int db_exec(sqlite3 *, const char *sql);
/* Does the (cached) query with two id parameters return a row? */
bool db_exists(sqlite3 *, const char *sql, int64_t a, int64_t b);
/* Transactions outside hearthd's group commit (hearthctl, start-up). */
int db_begin(sqlite3 *);
int db_commit(sqlite3 *);
void db_rollback(sqlite3 *);
const char *db_errmsg(sqlite3 *);
/*
 * Copy the database to path with the online backup API, in one read
 * transaction (one snapshot; the writer is never blocked), through path.tmp
 * (0600, synced, then renamed over path), checked with PRAGMA
 * integrity_check before the rename. progress(arg, done, total) is called
 * with pages copied as it goes, and with done -1 before the check.
 */
typedef void (*db_progress_fn)(void *arg, int done, int total);
int db_backup(sqlite3 *, const char *path, db_progress_fn progress,
    void *arg, char *err, size_t errlen);
/* Bind by parameter name (":me"); text NULL binds NULL (copied). */
void db_bind_i64(sqlite3_stmt *, const char *name, int64_t);
void db_bind_text(sqlite3_stmt *, const char *name, const char *);
/* Column helpers returning NULL-safe values. */
const char *db_col_text(sqlite3_stmt *, int);
json_t *db_col_json_text(sqlite3_stmt *, int); /* json null if NULL */
json_t *db_col_json_time(sqlite3_stmt *, int); /* ISO 8601 or null */

/*
 * backup.c: DATA/backups: scheduled copies (hearth-YYYYMMDD-HHMMSS.db, the
 * newest backup_keep kept), pre-NNN.db (before a migration),
 * before-restore-*.db (what a restore replaced). Thread-safe: no globals.
 */
char *backup_dir(const char *data_dir); /* DATA/backups, malloc'd */
int backup_dir_ensure(const char *dir, char *err, size_t errlen); /* 0700 */
/* [{file, path, kind, bytes, time}] sorted by name. */
json_t *backup_list(const char *dir);
/* The mtime of the newest scheduled copy, 0 if none. */
int64_t backup_newest_scheduled(const char *dir);
/* dir/PREFIXYYYYMMDD-HHMMSS.db (UTC), made unique; malloc'd. */
char *backup_stamped(const char *dir, const char *prefix);
/*
 * A scheduled copy of dbpath into dir on its own read-only connection
 * (db_backup: one read transaction, integrity-checked), then the oldest
 * scheduled copies beyond keep removed (*pruned: how many). Returns the new
 * file's path (malloc'd) or NULL with a message in err.
 */
char *backup_scheduled(const char *dbpath, const char *dir, int keep,
    int *pruned, char *err, size_t errlen);

/* sshkey.c: host key creation and user key fingerprints. */
#define SSHKEY_FP_LEN 80
struct sshkey_info {
	char fp[SSHKEY_FP_LEN]; /* "SHA256:..." as ssh-keygen -lf prints it */
	char *type;
	char *b64;
	char *comment;
};
/* Load the host key at path, generating it (mode 0600) if missing. */
int sshkey_host_ensure(const char *path, char *err, size_t errlen);
struct ssh_key_struct;
int sshkey_fingerprint(struct ssh_key_struct *, char fp[SSHKEY_FP_LEN]);
int sshkey_describe(struct ssh_key_struct *, struct sshkey_info *);
/* Parse "type base64 [comment]" as found in a .pub file. */
int sshkey_parse_line(const char *line, struct sshkey_info *, char *err,
    size_t errlen);
void sshkey_info_clear(struct sshkey_info *);

/* member.c: members, keys, invites and the audit log. */
enum role { ROLE_MEMBER = 0, ROLE_STAFF, ROLE_ADMIN };
const char *role_name(enum role);
int role_parse(const char *, enum role *);
struct member {
	int64_t id;
	char handle[40];
	char *display_name;
	enum role role;
	bool removed;
	int64_t removed_at;
	char *removed_reason;
	int64_t coc_accepted_at; /* 0 until the code of conduct is accepted */
	int64_t coc_version; /* the version of it last accepted */
};
void member_clear(struct member *);
/* Lookups return 1 when found, 0 when not, -1 on a database error. */
int member_by_fingerprint(sqlite3 *, const char *fp, struct member *);
int member_by_handle(sqlite3 *, const char *handle, struct member *);
int member_by_id(sqlite3 *, int64_t id, struct member *);
json_t *member_json(const struct member *);
json_t *member_removed_json(const struct member *);
bool member_admin_exists(sqlite3 *);
/* Record an audit row (inside the caller's transaction). */
int audit_add(sqlite3 *, const struct member *actor, const char *action,
    int64_t target_id, const char *target, const char *detail);
/*
 * Create an invite; writes the code (shown once, never stored) into code.
 * Returns the invite id or -1.
 */
int64_t invite_create(sqlite3 *, const struct member *actor, const char *name,
    enum role role, int64_t community_id, int64_t ttl,
    char code[CODE_LEN + 1]);

/* config.c */
struct config {
	char *data_dir;
	char *listen_host;
	int listen_port;
	int login_grace; /* seconds to authenticate and open a channel */
	int idle_timeout; /* seconds without client input; 0 = never */
	int max_unauth; /* unauthenticated connections in total */
	int max_unauth_per_ip;
	size_t out_cap; /* bytes queued for one connection before it is dropped */
	int stall_timeout; /* seconds output may make no progress; 0 = never */
	int write_threads; /* helpers for big fan-outs; -1: one per extra CPU */
	int write_batch_min; /* sessions in a write batch to use the helpers */
	int support_escalate; /* seconds before staff hear of a support call */
	int room_idle_close; /* seconds a room may have no host; 0: never */
	int room_review; /* seconds a record waits for review before it is
			  * published as it stands */
	char *synchronous; /* NORMAL or FULL */
	char *tui_path; /* the hearth binary spawned for terminal logins */
	bool guest; /* user "guest" may read public communities */
	bool thread_hints; /* prio.c: short slices (off by default) */
	int verbose;
	/* before authentication (sshd.c, preauth.c) */
	int preauth_timeout; /* seconds for the banner and key exchange */
	int startups_start; /* max_startups start:rate:full */
	int startups_rate; /* percent dropped at start */
	int startups_full; /* unauthenticated connections in total */
	int max_unauth_per_range; /* from one /24 (IPv4) or /64 (IPv6) */
	int penalty_timeout; /* seconds for a deadline missed before login */
	int penalty_authfail; /* seconds for a connection that failed auth */
	int penalty_min; /* accumulated seconds before a source is refused */
	int penalty_max; /* at most this many seconds of penalty */
	int max_join; /* join and guest sessions in total */
	int max_join_per_ip;
	int join_idle_timeout; /* minutes; join and guest sessions */
	int wal_max_mb; /* the WAL is brought back under this when writes pause */
	double backup_every; /* seconds between scheduled backups; 0: none */
	int backup_keep; /* scheduled backups kept */
	/* per-member budgets (rate.c, conn.c, sshd.c); 0: no limit */
	int write_mb_per_hour; /* request bytes of write-class requests */
	int search_per_member; /* searches in flight across their sessions */
	int max_sessions_per_member; /* ssh sessions at once */
	int member_out_cap_mb; /* output queued across their sessions */
	/* what members type to connect (invites' connect line); NULL, 0:
	 * from listen (the machine's name for a wildcard address) */
	char *public_host;
	int public_port;
	int resume_minutes; /* a dropped TUI comes back where it was */
	char *timezone; /* members' default time zone (zone.c); NULL: UTC */
	/* the libraries (library.c): one document's size, a community's */
	int library_max_file_mb;
	int library_quota_mb;
	int library_rate_mb; /* every transfer together, MB/s (pace.c); 0: any */
};
/* Defaults and keys for the settings above (config.c). */
void config_preauth_defaults(struct config *);
/* 1 if k is one of them (rc: 0 or -1 for a bad value), else 0. */
int config_preauth_set(struct config *, const char *k, const char *v,
    int *rc);
void config_defaults(struct config *);
/* Apply an INI file; -1 with a message naming the line on error. */
int config_load(struct config *, const char *path, char *err, size_t errlen);
int config_set_listen(struct config *, const char *hostport);
void config_free(struct config *);

/* main.c: the process-wide state. */
struct server {
	uv_loop_t *loop;
	struct config cfg;
	sqlite3 *db;
	bool stopping;
	char *ctl_path;
	char *hostkey_path;
};
extern struct server *srv;
/* Loop lag, sampled by a 10 ms timer (see admin.status). */
struct lag {
	uint64_t max_us;
	uint64_t over_10ms;
	uint64_t ticks;
};
extern struct lag lag_stats;
/* Timer sweeps finished so far (admin.status "sweeps"; tests wait on them). */
struct sweep_counts {
	uint64_t polls; /* op-poll.c: closing timed polls */
	uint64_t reminders; /* op-event.c: event reminders */
	uint64_t roadmap; /* roadmap-remind.c: action reminders */
};
extern struct sweep_counts sweep_counts;

/*
 * A latency histogram (stats.c): 10 µs buckets up to 200 ms, then one
 * overflow bucket; percentiles are bucket upper bounds.
 */
#define FANOUT_BUCKETS 20000
struct fanout_stats {
	uint32_t bucket[FANOUT_BUCKETS + 1];
	uint64_t count, max_us;
};
void fanout_record(struct fanout_stats *, uint64_t us);
/* main.c: CPU time the calling thread has used, in microseconds. */
uint64_t thread_cpu_us(void);
/* prio.c: a thread-pool worker lowers its own priority below the loop's. */
void worker_background(void);
/* The p-th percentile (0..100) in milliseconds. */
double fanout_pct(const struct fanout_stats *, double p);
/* room.c: room.say to the last receiving session's write step. */
struct fanout_stats *room_fanout_stats(void);

/*
 * conn.c: one protocol peer (ssh subsystem, a TUI child through the spawner,
 * or hearthctl over the control socket). Handlers append to the output
 * queue; the transport flushes. A conn is freed by its transport after
 * conn_close has run and the transport has let go.
 */
enum conn_kind { CONN_SSH, CONN_PTY, CONN_CTL };
struct conn_transport {
	void (*kick)(struct conn *); /* output is waiting */
	void (*close)(struct conn *); /* flush what is queued, then end */
};
struct conn {
	uint64_t id;
	enum conn_kind kind;
	const struct conn_transport *tr;
	void *tr_data;
	struct member member; /* id 0 when none */
	bool join; /* may only redeem an invite */
	bool guest; /* read-only guest: public communities only */
	int64_t watching_thread; /* thread.get sets it: thread.new_post events */
	struct sshkey_info key; /* the key a join session proved */
	bool console; /* hearthctl: may run admin operations */
	bool closing;
	bool input_pending; /* requests left over for the next loop turn */
	struct conn *pend_next; /* in conn.c's queue of those */
	bool eof_seen; /* the client is done sending: close once answered */
	char *close_reason;
	struct frame in;
	struct buf out;
	/* When the transport last failed to move any output (0: it flows). */
	uint64_t stalled_since;
	char addr[64];
	uint64_t requests;
	size_t line_len; /* bytes of the request being dispatched */
	int async_pending; /* OP_ASYNC requests taken over, not answered yet */
	/* Told when the conn is freed (a TUI session watching its child's conn). */
	void (*on_free)(struct conn *, void *);
	void *on_free_arg;
	struct conn *next, *prev;
	/* Holds by work in flight (conn_hold); the memory outlives conn_free. */
	int refs;
	bool freed; /* conn_free ran while held: the transport is gone */
	/* Its lines (and close) dispatch.c holds for a commit or a sync. */
	unsigned held_lines;
	/* A write that waits for the write gate (dispatch.c), and the queue. */
	char *deferred;
	size_t deferred_len;
	struct conn *defer_next;
};
extern uint64_t conn_next_id;
void conn_init(uv_loop_t *);
/* The loop turn ended (dispatch_turn_end): reset the request budget. */
void conn_turn_reset(void);
struct conn *conn_new(enum conn_kind, const struct conn_transport *, void *);
/* Feed bytes from the peer; returns -1 once the conn is closing. */
int conn_input(struct conn *, const void *, size_t);
/* The peer sent EOF: close once the requests already read are answered. */
void conn_eof(struct conn *);
/* Queue a line (steals it). Over the cap the conn is closed as slow. */
void conn_send(struct conn *, char *line);
void conn_event(struct conn *, const char *name, json_t *data);
void conn_hello(struct conn *);
/* Stop reading, flush what is queued, then end; reason is logged. */
void conn_close(struct conn *, const char *reason);
/* Called by the transport when it has finished with the conn. */
void conn_free(struct conn *);
/*
 * Keep a conn's memory alive across asynchronous work (op-search.c): a conn
 * freed while held is unlinked at once (freed set, tr NULL) and its memory
 * released by the last conn_release.
 */
void conn_hold(struct conn *);
void conn_release(struct conn *);
struct conn *conn_first(void);
/* Send an event to every conn of a member. */
void conn_member_event(int64_t member_id, const char *name, json_t *data);
/* Close every conn of a member after telling them why. */
void conn_member_end(int64_t member_id, json_t *ended);
/* Stream transport over a unix socket or socketpair fd. */
struct conn *conn_stream_open(int fd, enum conn_kind, char *err,
    size_t errlen);
/* Shutting down: a goodbye to every conn, in slices over the next turns. */
void conn_shutdown_all(const char *message);
bool conn_shutdown_busy(void);
/* At exit: close every stream conn now, without flushing. */
void conn_stream_close_all(void);

/*
 * rate.c: rate classes. Every operation names one in its table entry;
 * dispatch takes a token from the caller's bucket for that class before
 * the handler. Buckets are per member (shared by their sessions), or per
 * connection for join sessions and guests; the console is never limited.
 */
enum rate_class {
	RATE_UNSET = 0, /* not given: the operation table is refused */
	RATE_NONE, /* never limited (whoami) */
	RATE_READ,
	RATE_WRITE, /* changes, in the database or in a room */
	RATE_SAY, /* room.say */
	RATE_SEARCH, /* full-text searches */
	RATE_EXPENSIVE, /* admin operations and other heavy ones */
	RATE_CLASSES
};
/*
 * Spend one token of class rc for the caller of conn; -1 when over the
 * rate, with a message saying when to try again.
 */
int rate_take(const struct conn *, enum rate_class rc, char *msg,
    size_t len);
/*
 * The handler refused a request that took a token: classes that count only
 * what goes through (say: messages that reached the room) give it back.
 */
void rate_refused(const struct conn *, enum rate_class rc);
/*
 * A request of conn's caller started (delta 1) or finished (-1) waiting
 * for its answer (op-search.c): rate_take refuses a search once the
 * member has search_per_member of them running across their sessions.
 */
void rate_running(const struct conn *, int delta);
const char *rate_class_name(enum rate_class);
/*
 * A setting rate_NAME = "BURST/PER_SECOND" or "off" for the class called
 * name (read, write, ...); -1 if either is not understood.
 */
int rate_set(const char *name, const char *value);
/* The limit in words: "a burst of 10, then 5 a second". */
void rate_describe(enum rate_class, char *out, size_t len);

/* dispatch.c: the operation table and the checks before any handler. */
enum op_flags {
	OP_JOIN = 1 << 0, /* allowed to a join session */
	OP_MEMBER = 1 << 1, /* needs a member identity */
	OP_ADMIN = 1 << 2, /* console or platform admin */
	OP_STAFF = 1 << 3, /* console, admin or staff */
	OP_WRITE = 1 << 4, /* writes: runs inside a transaction */
	OP_ANY = 1 << 5, /* console, member or join session */
	OP_GUEST = 1 << 6, /* a read-only guest may call it too */
	OP_ASYNC = 1 << 7, /* the handler may return 1: it replies later */
	OP_OPEN_ARGS = 1 << 8, /* arguments outside the spec are ignored */
	/*
	 * Acts as the caller's own member (thanks, votes, RSVPs, presence in
	 * a room, their own profile): the console, which is no member, is
	 * refused it with forbidden before the handler runs.
	 */
	OP_SELF = 1 << 9,
	/*
	 * An OP_WRITE that writes only for some arguments (room.say keeps its
	 * line only in a recorded room): dispatch asks op_writes() first and
	 * otherwise runs it as a read, outside the group transaction, so it
	 * never waits for the write gate.
	 */
	OP_WRITE_IF = 1 << 10,
};
/*
 * outbox.c: the one door for effects. A handler (or a timer acting as the
 * server) never writes to a conn: it appends typed effects to its call's
 * outbox, and dispatch applies them exactly once, after the group commit
 * for writes (dropped if it rolled back), right after the handler
 * otherwise. Every effect names its recipients by id and is authorized for
 * each recipient when it is delivered, so nothing an effect refers to can
 * have been freed in between.
 */
struct effect;
struct outbox {
	struct effect *head, **tail;
};
void outbox_init(struct outbox *);
/* An event to every session of a member. Steals data. */
void outbox_member_event(struct outbox *, int64_t member_id,
    const char *name, json_t *data);
/* An event to every session watching a thread that may still read it. */
void outbox_thread_event(struct outbox *, int64_t thread_id,
    const char *name, json_t *data);
/* Room events: to everyone present (member_id 0) or one member there. */
enum {
	ROOM_EV_KEEP = 1, /* also goes into the room's recent history */
	ROOM_EV_LIVE = 2 /* shows nothing from the database: dispatch_live */
};
/* How many effects to a room wait to be delivered (room_deliver). */
size_t outbox_room_queued(int64_t room_id);
void outbox_room_event(struct outbox *, int64_t room_id, int64_t member_id,
    unsigned flags, const char *name, json_t *data);
/* An event to every session that may read a community (0: every member). */
void outbox_community_event(struct outbox *, int64_t community_id,
    const char *name, json_t *data);
/* Reload a member's live identity (role, name, code of conduct). */
void outbox_identity(struct outbox *, int64_t member_id);
/* End every session of a member after telling them why. Steals ended. */
void outbox_end_sessions(struct outbox *, int64_t member_id, json_t *ended);
/*
 * A member's (0: everyone's) access to a community changed: end the thread
 * watches and room presences it no longer allows, telling them why.
 */
void outbox_access(struct outbox *, int64_t community_id, int64_t member_id);
/* A closure with its own state: fn(arg, committed) runs exactly once. */
void outbox_fn(struct outbox *, void (*fn)(void *, bool), void *arg);
/* Move src's effects to the end of dst. */
void outbox_splice(struct outbox *dst, struct outbox *src);
/* Deliver (committed) or drop every effect, then empty the outbox. */
void outbox_apply(struct outbox *, bool committed);

struct call {
	struct conn *conn; /* NULL: the server itself (timers) */
	struct request *req;
	json_t *args;
	json_t *result; /* set by a handler that succeeds */
	struct outbox out; /* effects, applied by dispatch */
	enum proto_err err;
	char msg[512];
};
/* The member acting (0 for the server or the console). */
int64_t call_actor(const struct call *);
struct op {
	const char *name;
	unsigned flags;
	int (*fn)(struct call *); /* 0 ok, -1 error in call->err/msg */
	const char *summary;
	enum rate_class rate;
	/*
	 * What it takes (ARGS or NO_ARGS): dispatch checks every request
	 * against it before the handler, so the arg_* helpers a handler
	 * reads with cannot fail on type, range or length.
	 */
	const struct arg_spec *args;
};
#define ARGS(...) ((const struct arg_spec[]){ __VA_ARGS__, { NULL } })
#define NO_ARGS ((const struct arg_spec[]){ { NULL } })
/* One line from a conn. */
/* Returns true when the request waits for the write gate: the caller
 * keeps a copy of the line and stops reading from c (conn.c). */
bool dispatch_line(struct conn *, char *line, size_t len);
/*
 * The write gate: one writer at a time beside the loop's group transaction
 * (libwrite.c's thread). The loop takes it without waiting when it opens a
 * group; when a second writer holds it, a member's write waits in a queue
 * (its conn reads nothing more meanwhile) and the loop goes on with
 * everything else. A second writer (any thread but the loop) waits in
 * dispatch_gate_enter while the loop wants the gate, so the loop's writes
 * go first.
 */
void dispatch_gate_enter(void);
void dispatch_gate_leave(void);
/* At shutdown: the loop wants the gate no more. */
void dispatch_gate_close(void);
/* Retry the deferred conn's line (conn.c, after a deferral). */
void dispatch_defer(struct conn *);
uint64_t dispatch_gate_deferrals(void);
/*
 * Group commit: the write requests of one loop turn share a transaction
 * (a savepoint each); every line sent to any conn while it is open is held
 * and goes out, in order, once it has committed (end of the loop turn).
 */
void dispatch_init(uv_loop_t *);
/* If a group transaction is open, hold this line (true) for after it. */
bool dispatch_hold(struct conn *, char *line);
/* Likewise a conn's close, so the lines before it go out first. */
bool dispatch_hold_close(struct conn *);
/*
 * Lines sent between dispatch_live(true) and (false) show nothing read
 * from the database (a line said in a room nobody records): a conn with
 * none of its own lines held gets them at once, not after the commits
 * and syncs others' lines wait for.
 */
void dispatch_live(bool on);
/*
 * The end of a loop turn, and the only place that commits or delivers:
 * commit the group transaction, send the lines and apply the outboxes it
 * held, in order, then start the next turn's request budget (conn.c).
 * Also called once at shutdown.
 */
void dispatch_turn_end(void);
/* At shutdown: commit, sync (stopping walsync) and send what waits. */
void dispatch_stop(void);
/* synchronous = FULL: commits are synced by walsync, replies wait for it. */
int dispatch_sync_off_loop(const char *db_path);

/*
 * walsync.c: with synchronous = FULL, the WAL's sync on a thread of its
 * own instead of inside COMMIT on the loop; done(seq) runs on the loop
 * when every commit up to seq is on the disk.
 */
int walsync_start(uv_loop_t *, const char *db_path, void (*done)(uint64_t));
bool walsync_active(void);
void walsync_request(uint64_t seq);
/* Syncs done and how long they took (the longest, the sum); reset after. */
void walsync_stats(uint64_t *count, uint64_t *max_us, uint64_t *total_us,
    bool reset);
/* Join the thread and sync once more on the caller's; errno or 0. */
int walsync_stop(void);
/*
 * Run fn as the server (timers: poll sweep, reminders, support escalation,
 * idle rooms) inside the group transaction, under a savepoint of its own;
 * its outbox is applied after the commit like a write request's. Returns
 * fn's result (-1: rolled back, with the reason logged).
 */
int dispatch_server(const char *what, int (*fn)(struct call *, void *),
    void *arg);
const struct op *dispatch_find(const char *name);
/* The OP_WRITE_IF ops' tests: will this call write? (op-room.c) */
bool room_say_writes(struct call *);
const struct op *const *dispatch_table(void);
int call_fail(struct call *, enum proto_err, const char *fmt, ...)
    PRINTFLIKE(3, 4);
/* After an arg_* helper failed: the message is already in call->msg. */
int call_bad(struct call *);
/*
 * A time argument as people give it: ISO 8601, "2026-12-01 9:00" or a
 * date (midnight UTC); *out untouched when absent (and not required).
 */
int call_arg_time(struct call *, const char *name, bool required,
    int64_t *out);
/* Fail with the database's error (internal). */
int call_db_fail(struct call *);
/* Step a write statement that must finish; fails the call otherwise. */
int call_step(struct call *, sqlite3_stmt *);
/*
 * OP_ASYNC handlers return 1 to answer later, on the loop thread, with
 * this: result (stolen) on success, or NULL with err and msg. Dropped if
 * the conn has gone. Async replies may overtake later quick replies.
 */
void dispatch_reply_later(struct conn *, json_int_t id, bool has_id,
    json_t *result, enum proto_err err, const char *msg);

/* authz.c: the one place that decides who may do what. */
int authz_op(const struct conn *, const struct op *, char *msg, size_t len);
/* Console, admin or staff. */
bool authz_is_staff(const struct conn *);
/* Community roles, weakest first. */
enum crole {
	CROLE_NONE = 0,
	CROLE_INTERESTED,
	CROLE_MEMBER,
	CROLE_LEADER,
	CROLE_MANAGER,
};
const char *crole_name(enum crole); /* CROLE_NONE: NULL */
int crole_parse(const char *, enum crole *);
/* What a caller wants to do in a community. */
enum cact {
	CA_SEE, /* know it exists: name, purpose, criteria (every member) */
	CA_READ, /* threads, posts, polls, members */
	CA_REPLY, /* reply to threads, vote (interested and up) */
	CA_POST, /* start threads and polls (members and up) */
	CA_MODERATE, /* hide posts, pin and lock threads (leaders, managers) */
	CA_MANAGE, /* settings, roles, join requests (managers) */
};
struct access {
	int64_t community_id;
	char slug[48];
	char name[128];
	char visibility[12]; /* private, platform, public */
	char join_policy[12]; /* open, request, invite */
	enum crole role; /* the caller's role here; CROLE_NONE if none */
	bool admin; /* console or platform admin: may do anything */
};
/*
 * Decide whether the caller may do act in the community; on refusal the
 * call is failed (not_found when the community does not exist or may not
 * even be seen, forbidden with a reason otherwise) and -1 returned. a is
 * filled either way as far as known.
 */
int authz_community(struct call *, int64_t community_id, enum cact,
    struct access *a);
int authz_community_slug(struct call *, const char *slug, enum cact,
    struct access *a);
/* May this session read the community now (delivery-time checks)? */
bool authz_conn_reads(struct conn *, int64_t community_id);
/*
 * SQL selecting the ids of every community the caller may read, for
 * filtering lists and search. Bind the caller's member id (0 for guests)
 * to the parameter named :me.
 */
const char *authz_readable_sql(const struct conn *);

/* notify.c: stored notifications (a row plus a live notify.new event). */
/*
 * Store a notification for member_id (inside the caller's transaction) and
 * queue a notify.new event on its outbox. kind: mention, reply, thanks,
 * join_decided, poll_closed, support, ... Ids may be 0. Not sent to the
 * actor themself.
 */
int notify_add(struct call *, int64_t member_id, const char *kind,
    int64_t community_id, int64_t thread_id, int64_t post_id,
    int64_t poll_id, const char *fmt, ...) PRINTFLIKE(8, 9);
/* What a notification is about (ids 0 when not): a screen opens it. */
struct notify_ref {
	int64_t community_id, thread_id, post_id, poll_id;
	int64_t event_id, room_id, request_id;
};
int notify_add_ref(struct call *, int64_t member_id, const char *kind,
    const struct notify_ref *, const char *fmt, ...) PRINTFLIKE(5, 6);
/* From the system, with no actor: the member who acted gets it too. */
int notify_system(struct call *, int64_t member_id, const char *kind,
    const struct notify_ref *, const char *fmt, ...) PRINTFLIKE(5, 6);
/* A notification's ids as the fields of its wire object. */
void notify_ref_json(json_t *, const struct notify_ref *);

/* op-community.c */
json_t *community_row_json(sqlite3_stmt *);
/*
 * A new community's pinned "Welcome and how we work here" and
 * "Introductions" threads, inside the caller's transaction (fails the call
 * and returns -1 on error).
 */
int community_seed_threads(struct call *, int64_t community_id);
/* For op-membership.c: the member acting (NULL for the console); refuse
 * the console with a reason; a count from a statement's first column;
 * args.slug (call_bad when missing or too long). */
const struct member *community_actor(struct call *);
int community_need_member(struct call *);
int64_t community_step_count(sqlite3_stmt *);
int community_arg_slug(struct call *, const char **slug);

/*
 * hearthctl.c, for hearthctl-*.c (the hearthctl program only): one call
 * to the running daemon (exits on an error), --json printing, a string
 * field ("-" if absent) and a short date.
 */
json_t *ctl_request(const char *op, json_t *args);
bool ctl_print_json(json_t *);
const char *ctl_str(json_t *, const char *key);
void ctl_print_date(const char *iso, char out[32]);
/* hearthctl-community.c: community subcommands; -1 if not one of them. */
int ctl_community_more(int argc, char **argv);

/* op-membership.c: joining, leaving, roles, and who left a community. */
/*
 * Add a member to a community (they must not be in it yet): the row, a
 * "welcome" notification pointing at Introductions and a community.joined
 * event to their sessions after the commit.
 */
int community_member_add(struct call *, int64_t community_id,
    int64_t member_id, enum crole);
/*
 * Record that a member left (by 0: themselves) or was removed (by: the
 * manager's member id, or -1 for the console) with the role they had.
 */
int community_departure_add(struct call *, int64_t community_id,
    int64_t member_id, enum crole had, int64_t by);

/* op-*.c: each exports a NULL-terminated table of operations. */
extern const struct op op_session_table[];
extern const struct op op_community_table[];
extern const struct op op_admin_table[];
extern const struct op op_thread_table[];
extern const struct op op_post_table[];
extern const struct op op_roundup_table[];
extern const struct op op_profile_table[];
extern const struct op op_poll_table[];
extern const struct op op_search_table[];
extern const struct op op_notify_table[];
extern const struct op op_event_table[];
extern const struct op op_room_table[];
extern const struct op op_expert_table[];
extern const struct op op_record_table[];
extern const struct op op_membership_table[];
extern const struct op op_moderate_table[];
extern const struct op op_health_table[];
extern const struct op op_goal_table[];
extern const struct op op_draft_table[];
extern const struct op op_where_table[];

/*
 * op-thread.c, op-post.c, op-roundup.c: boards, for these three files
 * only. Threads are op-thread.c's, posts op-post.c's; both, and the
 * roundup, read the same columns into the same objects.
 */
#define POST_BODY_MAX 60000 /* protocol lines are at most 64 KiB */
#define THREAD_TITLE_MAX 200
/* The columns of a thread as lists show it (thread_json reads them). */
#define THREAD_COLS \
	"t.id, t.title, t.tags, t.pinned, t.locked, m.handle, " \
	"m.display_name, t.created_at, t.last_post_at, t.post_count, " \
	"(:me != 0 AND coalesce((SELECT r.last_post_id FROM read_positions r " \
	"WHERE r.member_id = :me AND r.thread_id = t.id), 0) < " \
	"coalesce(t.last_post_id, 0))"
/* The columns of a post (post_json reads them). */
#define POST_COLS \
	"p.id, m.handle, m.display_name, p.body, p.created_at, p.edited_at, " \
	"p.reply_to, p.thanks, EXISTS (SELECT 1 FROM post_thanks pt WHERE " \
	"pt.post_id = p.id AND pt.member_id = :me), p.hidden_at, " \
	"p.hidden_reason, p.deleted_at, p.author_id"
/* A thread as the handlers need it. */
struct thread {
	int64_t id;
	int64_t community_id;
	int64_t author_id;
	int64_t last_post_id;
	bool locked;
	bool first_hidden; /* its first post is hidden */
	char title[THREAD_TITLE_MAX + 8];
	json_t *json; /* header: thread_json plus slug and read_up_to */
};
/* op-thread.c */
json_t *thread_json(sqlite3_stmt *); /* from the THREAD_COLS columns */
/* {handle, display_name} from two columns, or null when there is none. */
json_t *thread_author_json(sqlite3_stmt *, int col);
/*
 * May the caller do act inside the community? Not being able to read it
 * is not_found with nf; *mod (if asked) says whether they may moderate.
 */
int thread_authz(struct call *, int64_t community_id, enum cact,
    struct access *, bool *mod, const char *nf);
/* op-post.c */
/* A post from the POST_COLS columns, as the viewer may see it. */
json_t *post_json(sqlite3_stmt *, int64_t viewer, bool mod);
/* args.body: required, at most POST_BODY_MAX bytes, not blank. */
int post_body_arg(struct call *, const char **body);
/* Insert a post; returns its id, or 0 after failing the call. */
int64_t post_insert(struct call *, int64_t thread_id, int64_t reply_to,
    const char *body, int64_t now);
/*
 * A post was written in t: notify the people it replies to and mentions,
 * send thread.new_post to its watchers, and set *post (the new post).
 */
int post_created(struct call *, const struct access *,
    const struct thread *t, int64_t post_id, int64_t reply_to,
    int64_t parent_author, const char *body, json_t **post);
/*
 * Hide a post with a reason as a moderator of its community: the row, an
 * audit row naming its author, and the author told why. With was_hidden
 * set, a post already hidden is no error (*was_hidden says so).
 */
int post_hide(struct call *, int64_t post_id, const char *reason,
    bool *was_hidden);

/* op-record.c: a closed room's record, its review and publication. */
/*
 * In room.close's transaction (the room's row already closed): post a
 * summary record now (*thread), or start the review of kept lines
 * (*review), telling the hosts. Nothing for rooms that keep nothing.
 */
int record_close(struct call *, int64_t room_id, int64_t *thread,
    bool *review);
/* Start the sweep that publishes records whose review time is over. */
void record_timers_start(void);
uint64_t record_review_sweeps(void);

/* op-poll.c */
/*
 * Start the timer that closes timed polls when they are due and notifies
 * their voters (poll_closed). Idempotent; call once after srv->loop is set.
 */
void poll_sweep_start(void);

/* event-ics.c */
/* The member's programme as an iCalendar file (malloc'd, CRLF lines). */
char *event_ics(int64_t member_id);
/* One event of the member's feed (an e-mail's attachment). */
char *event_ics_one(int64_t member_id, int64_t event_id);

/* event-remind.c, op-event.c, room.c: events and rooms, as others use them. */
/* Start the reminder sweep (now, then every 30 s); safe to call again. */
void event_remind_start(void);

/*
 * health.c: the measures of docs/health.md on a connection of the
 * caller's (a read-only one in the thread pool). NULL with err on failure.
 */
#define HEALTH_NCOMP 6 /* the score's components */
json_t *health_compute(sqlite3 *, int64_t community_id, int64_t since,
    int64_t until, bool suppress, char *err, size_t errlen);
json_t *health_series(sqlite3 *, int64_t community_id, int64_t until,
    int weeks, char *err, size_t errlen);
/* Goals with their key results measured at now, and impact stories. */
json_t *health_goals(sqlite3 *, int64_t community_id, int64_t now,
    bool reads_all,
    char *err, size_t errlen);
/* Outreach lists of one community (managers'), at now. */
json_t *health_outreach(sqlite3 *, int64_t community_id, int64_t now,
    char *err, size_t errlen);
/* op-goal.c: a metric a key result may be bound to? */
bool goal_metric_known(const char *metric);
/* report.c: text 0, md 1, csv 2, html 3; -1 unknown. */
int report_format(const char *name);
/* The report of health_compute's result and its weeks (malloc'd). */
char *report_render(json_t *health, json_t *weeks, int format);
/* A health_* setting (k without the prefix); -1 if bad. */
int health_set(const char *k, const char *v);
int health_window_days(void);

/* outreach.c: managers reminded to check in with newcomers. */
void outreach_start(void);
extern uint64_t outreach_sweeps;

/* visits.c: a member opened a community today (for docs/health.md). */
void visits_note(int64_t member_id, int64_t community_id);
void visits_flush(void);
bool event_is_host(int64_t event_id, int64_t member_id);
/* Insert an event and its hosts inside the caller's transaction. */
int event_insert(struct call *, int64_t community_id, const char *title,
    const char *kind, const char *description, int64_t starts,
    int64_t duration, const char *recurrence, int64_t capacity,
    const int64_t *hosts, size_t nhosts, int64_t *id);
/* The id of the event's open room, 0 when none. */
int64_t room_for_event(int64_t event_id);
/*
 * Bring back every room left open (hearthd's start, before listening),
 * and start the timer that closes rooms no host has been in for
 * room_idle_close. Returns the number of rooms restored.
 */
int room_restore(void);
/* Take a closing conn out of every room (called from conn_free). */
void room_conn_gone(struct conn *);
/* A line from the room itself to everyone in it (no-op if it is gone). */
void room_notice(struct outbox *, int64_t room_id, const char *text);
/* outbox.c delivers room effects through these (room.c). */
void room_deliver(int64_t room_id, int64_t member_id, unsigned flags,
    const char *name, json_t *data);
/* Take c out of the rooms of community_id (0: all) it may no longer read. */
void room_recheck(struct conn *, int64_t community_id);

/*
 * op-event.c, event-remind.c, event-ics.c: an events row, for these three
 * files only.
 */
/* The start of a query for events rows (event_from_row reads them). */
#define EVENT_SELECT \
	"SELECT e.id, e.community_id, c.slug, e.title, e.kind, " \
	"e.description, e.starts_at, e.duration, e.recurrence, e.capacity, " \
	"e.created_by, e.created_at, e.updated_at, e.sequence, " \
	"e.cancelled_at, e.cancel_reason, e.thread_id FROM events e " \
	"LEFT JOIN communities c ON c.id = e.community_id "
/* One events row as the handlers, reminders and calendar use it. */
struct event {
	int64_t id;
	int64_t community_id; /* 0: platform-wide */
	char *slug; /* NULL when platform-wide */
	char *title;
	char *kind;
	char *description;
	int64_t starts;
	int64_t duration;
	char *recurrence;
	int64_t capacity; /* 0: no limit */
	int64_t created_by;
	int64_t created_at;
	int64_t updated_at;
	int64_t sequence;
	int64_t cancelled_at;
	char *cancel_reason;
	int64_t thread_id;
};
/* op-event.c: fill e from an EVENT_SELECT row; event_clear frees it. */
void event_from_row(sqlite3_stmt *, struct event *e);
void event_clear(struct event *);

/*
 * room.c, room-support.c, op-room.c: for the room files only. The live
 * rooms are room.c's; op-room.c's handlers read and change them in place
 * and room-support.c keeps their support alerts, so the structs are shared
 * here (struct alert stays private to room-support.c). Every other file
 * goes through the room functions above.
 */
#define ROOM_HISTORY 50 /* public lines kept in memory for those joining */
enum rmode { RM_OFF, RM_TRANSCRIPT, RM_CHATHAM, RM_SUMMARY };
extern const char *const room_mode_names[]; /* by enum rmode */
/* A member's standing in one room (present or not). */
struct person {
	int64_t member_id;
	char handle[40];
	char *display_name;
	bool host, muted, removed, hand, attended;
	int present; /* conns in the room */
	int64_t joined_at;
	int64_t consult_with; /* member id, 0 when not in a consult */
	bool consult_record; /* the consult keeps a private transcript */
	struct person *next;
};
/* One conn in the room. */
struct presence {
	struct conn *c;
	struct person *p;
	struct presence *next;
};
/* A place in a surgery's queue. */
struct qentry {
	int64_t member_id;
	char *topic;
	int64_t at;
	struct qentry *next;
};
struct alert;
struct room {
	int64_t id, community_id, event_id;
	char *slug; /* NULL: platform-wide */
	char *title, *topic;
	enum rmode mode;
	bool surgery, paused;
	bool closing; /* a room.close waits for its commit */
	int64_t opened_at, seq;
	int64_t opened_by; /* a record no present host closes is theirs */
	int64_t hostless_since; /* unix time the last host left; 0: hosted */
	struct person *people;
	struct presence *here;
	struct qentry *queue;
	struct alert *alerts; /* room-support.c's */
	json_t *history[ROOM_HISTORY]; /* ring of public messages, as kept */
	int hist_head, hist_len;
	struct room *next;
};
/* room.c: the model. The open rooms: follow ->next from room_first. */
struct room *room_first(void);
struct room *room_by_id(int64_t id);
int room_mode_parse(const char *, enum rmode *);
/* The next message number: increasing, also across restarts. */
int64_t room_next_seq(struct room *);
struct person *room_person_find(struct room *, int64_t member_id);
/* The person for a member, created (absent) if new; NULL: no such member. */
struct person *room_person_get(struct room *, int64_t member_id);
struct presence *room_presence(struct room *, const struct conn *);
/* Durable state, in the caller's transaction (0, or -1: the call failed). */
int room_row_save(struct call *, const struct room *);
int room_person_save(struct call *, const struct room *,
    const struct person *);
int room_queue_save(struct call *, const struct room *);
void room_free(struct room *);
/* room.open made r: link it once the call commits (else free it). */
void room_opened(struct outbox *, struct room *, uint64_t conn_id);
/* Add a conn to the room (the caller checked it may come in). */
struct person *room_enter(struct outbox *, struct room *, struct conn *);
/* Drop one presence; leaving (not a lost session) gives up a queue place. */
void room_presence_drop(struct outbox *, struct room *, struct presence *,
    bool leaving);
/*
 * Close the room in the call's transaction with its record (op-record.c);
 * it is marked closing and freed once the call commits. closer 0: the
 * server.
 */
int room_close_write(struct call *, struct room *, const char *summary,
    int64_t closer);
/* Effects to the room: see outbox_room_event. */
void room_send_member(struct outbox *, struct room *, int64_t member_id,
    const char *name, json_t *data);
void room_send_state(struct outbox *, struct room *);
/* One person's change (what: joined, left, muted, ...) and the head count. */
void room_send_presence(struct outbox *, struct room *, const char *what,
    const struct person *);
/* Everyone present gets their own view of the queue. */
void room_send_queue(struct outbox *, struct room *);
/* A line from the room itself, kept in its history. */
void room_system_message(struct outbox *, struct room *, const char *fmt,
    ...) PRINTFLIKE(3, 4);
void room_consult_send(struct outbox *, struct room *, struct person *,
    bool active);
/* End a person's private consult, telling both. */
void room_consult_end(struct outbox *, struct room *, struct person *);
json_t *room_state_json(const struct room *);
json_t *room_person_json(const struct person *);
json_t *room_history_json(const struct room *);
/* Queue: a member's place (1 first; 0 not queued) and the length. */
int room_queue_place(const struct room *, int64_t member_id, int *len);
/* What one person may know of the queue: all of it for hosts. */
json_t *room_queue_view(struct room *, const struct person *);
void room_queue_remove(struct room *, int64_t member_id);
void room_queue_append(struct room *, int64_t member_id, const char *topic,
    int64_t at);
/* Time room.say's fan-out from t0 (µs) to its last session write. */
void room_fanout_probe(uint64_t t0_us);
/* room-support.c: "I need support" alerts; each returns the reply. */
json_t *room_support_raise(struct outbox *, struct room *,
    int64_t member_id, const char *text);
/* NULL: no such request in the room. */
json_t *room_support_answer(struct outbox *, struct room *, int64_t id,
    const struct person *by);
/* The unanswered requests, for those who may host. */
json_t *room_support_json(struct room *);
/* Has a request here gone to staff, with nobody answering yet? */
bool room_support_escalated(const struct room *);
/* A member's last session left: their requests no longer wait. */
void room_support_gone(struct room *, int64_t member_id);
void room_support_free(struct room *);

/* ctl.c: the control socket hearthctl talks to. */
int ctl_listen(const char *path, char *err, size_t errlen);
void ctl_close(void);

/*
 * spawner.c: the spawner, a small process hearthd starts before its loop
 * (hearthd --spawner FD TUI): it forks and execs each terminal login's
 * TUI child on a new pty and relays the pty and the child's protocol
 * socket to hearthd over one unix socket, in frames. Credits bound what
 * either side may send for a session before the other acknowledges it.
 */
enum spawn_type {
	/* hearthd -> spawner */
	SPAWN_START = 1, /* struct spawn_start, then TERM */
	SPAWN_TTY_IN, /* keystrokes for the pty (credit) */
	SPAWN_PROTO_IN, /* protocol bytes for the child's fd 3 (credit) */
	SPAWN_WINCH, /* struct spawn_winch */
	SPAWN_HANGUP, /* SIGHUP the child; its end is still relayed */
	SPAWN_PROTO_CLOSE, /* EOF on the child's fd 3 once it has all */
	SPAWN_FORGET, /* hearthd is done with it: hang up and drop it */
	SPAWN_ACK_TTY, /* uint32_t: screen bytes hearthd passed on */
	SPAWN_ACK_PROTO, /* uint32_t: protocol bytes hearthd took */
	/* spawner -> hearthd */
	SPAWN_STARTED, /* int32_t pid */
	SPAWN_FAILED, /* int32_t errno */
	SPAWN_TTY_OUT, /* screen bytes (credit) */
	SPAWN_PROTO_OUT, /* protocol bytes from the child (credit) */
	SPAWN_PROTO_EOF, /* the child closed its protocol socket */
	SPAWN_EXIT, /* int32_t exit status, 128 + signal if killed */
	SPAWN_ACK_TTY_IN, /* uint32_t: keystrokes written to the pty */
	SPAWN_ACK_PROTO_IN, /* uint32_t: protocol bytes written to fd 3 */
};
struct spawn_hdr {
	uint32_t id; /* the session, chosen by hearthd; never 0 */
	uint32_t len; /* payload bytes after the header */
	uint8_t type;
	uint8_t pad[3];
};
struct spawn_start {
	uint16_t cols, rows;
	uint8_t no_color;
	uint8_t no_pty; /* the client asked for none: the pty acts as a pipe */
	uint8_t pad[2];
};
struct spawn_winch {
	uint16_t cols, rows;
};
#define SPAWN_MAX_PAYLOAD (64 * 1024)
/* Bytes one side may send for a session, per stream, unacknowledged. */
#define SPAWN_CREDIT (64 * 1024)
/* The spawner process: runs until fd (its socket to hearthd) ends. */
int spawner_main(int fd, const char *tui);

/*
 * shell.c: terminal logins in hearthd: the spawner's socket, and one
 * struct shell per terminal session, owned by its SSH session (owner).
 */
struct shell;
/* Start the spawner; main, before the loop and libssh. */
void shell_spawner_start(void);
/* Watch the spawner's socket on the loop. */
void shell_init(uv_loop_t *);
/* At exit, after every session: the spawner then ends too. */
void shell_stop(void);
/* SIGCHLD: true if pid was the spawner. */
bool shell_reaped(pid_t, int status);
/* Start the TUI (NULL if no spawner is running). Its conn (shell_conn)
 * is new; the caller sets whom it speaks for and says hello. term NULL:
 * the client asked for no pty (ssh -T), so the TUI's pty neither echoes
 * nor changes line ends (TERM is dumb: the line mode). */
struct shell *shell_open(void *owner, uint64_t log_id, const char *term,
    bool no_color, int cols, int rows);
/* A terminal session (or an exec's output) that shows text and ends
 * with status. */
struct shell *shell_text(void *owner, uint64_t log_id, int status,
    const char *fmt, ...) PRINTFLIKE(4, 5);
struct conn *shell_conn(struct shell *);
/* Keystrokes from the channel: returns how many were taken. */
size_t shell_input(struct shell *, const void *, size_t);
void shell_resize(struct shell *, int cols, int rows);
/* Hang up the TUI and show text (steals it) once it has gone. */
void shell_end(struct shell *, char *text);
/* Move screen bytes to the channel: -1 the channel died, 1 the session
 * is over (*status: its exit status), 0 not yet. */
int shell_progress(struct shell *, int *status);
void shell_free(struct shell *);

/*
 * checkpoint.c: WAL checkpoints in the thread pool, once a second; the WAL
 * is truncated when it is over wal_max bytes and writes have paused.
 */
void checkpoint_start(uv_loop_t *, const char *dbpath, int64_t wal_max);
/*
 * Scheduled backups into backup_dir(data_dir) every `every` seconds (the
 * first one `every` after the newest one there, or after start), each on a
 * thread-pool thread; the newest `keep` are kept. Stopped by
 * checkpoint_stop (a backup under way is finished first).
 */
void checkpoint_backups_start(uv_loop_t *, const char *dbpath,
    const char *data_dir, double every, int keep);
void checkpoint_stop(void);

/*
 * preauth.c: connections before login, by address and by /24 or /64
 * range: the caps, penalties, random early drop (max_startups), fairness
 * at the full count, the join and guest caps and the minute's summary of
 * refusals. sshd.c holds one ticket per session from preauth_admit to
 * preauth_end; loop thread only.
 */
struct preauth;
/* How preauth.c reaches sshd.c's sessions (owner: preauth_start's). */
struct preauth_hooks {
	/* May it be dropped for fairness (not logged in, not ending)?
	 * *early: it has not finished its key exchange. */
	bool (*droppable)(void *owner, bool *early);
	/* Drop it now; its teardown calls preauth_end. */
	void (*drop)(void *owner);
};
enum preauth_how { PREAUTH_CLOSED, PREAUTH_AUTHFAIL };
void preauth_init(uv_loop_t *, const struct preauth_hooks *);
/* Stop the sweep, free everything; after the last preauth_end. */
void preauth_close(void);
/* A ticket for a new connection from ip, or NULL with the reason in why
 * (the refusal is logged or summarised here). */
struct preauth *preauth_admit(const char *ip, const char **why);
/* The session is set up: counted as not logged in from now on. */
void preauth_start(struct preauth *, void *owner, uint64_t id);
/* A member logged in. */
void preauth_login(struct preauth *);
/* A newcomer or guest logged in: false if over max_join or
 * max_join_per_ip, else counted against them until redeemed or ended. */
bool preauth_join(struct preauth *);
/* Counted against the join caps (false for NULL). */
bool preauth_newcomer(const struct preauth *);
/* The newcomer redeemed an invite: no longer counted. */
void preauth_redeemed(struct preauth *);
/* Penalise the connection's address for a missed deadline. */
void preauth_penalise(struct preauth *, int seconds, const char *why);
/* The session ended; frees the ticket. */
void preauth_end(struct preauth *, enum preauth_how);

/* sshd.c: SSH sessions. */
int sshd_listen(const char *host, int port, char *err, size_t errlen);
/* sshd-listen.c calls it with each accepted socket (non-blocking). */
void sshd_accept(int fd, const char *ip, int port);
/* sshd-listen.c: the listening socket and the libssh bind (host key,
 * algorithms) for sshd_listen; close stops accepting, free the bind. */
int sshd_listen_open(const char *host, int port, char *err, size_t errlen);
struct ssh_bind_struct *sshd_listen_bind(void);
void sshd_listen_close(void);
void sshd_listen_free(void);
void sshd_close(void);
/*
 * Sessions still wait for a pump or a teardown (a shutdown's goodbye waits
 * for them, so one turn does not do both).
 */
bool sshd_backlog(void);
/* Sessions wait for a write batch (a room's line): bulk work waits. */
bool sshd_fanout_waiting(void);
/* shell.c's way back to a terminal session's channel (owner: the
 * session): write what the window takes (-1: the channel is gone), and
 * pump the session in the next loop turn. */
int sshd_shell_write(void *owner, struct buf *);
void sshd_shell_kick(void *owner);
size_t sshd_count(void);
/* Sessions that got past login and have not ended (shutdown waits). */
size_t sshd_started_count(void);
/* Sessions whose output flush (kick) has not run yet. */
size_t sshd_kicks_pending(void);
/* When conn output last went onto an SSH channel (uv_hrtime ns). */
uint64_t sshd_last_write_ns(void);
/* Write batches started so far (one per loop turn at most). */
uint64_t sshd_write_batches(void);

/*
 * writers.c: helper threads that share a batch of work with the loop
 * thread (sshd.c's writes of one room line to many sessions).
 */
typedef void (*writers_fn)(void **items, size_t n);
/* Start n helpers (0: the loop does all the work); returns how many run. */
int writers_init(int n);
int writers_count(void);
/* Call fn on slices of items, one per thread; returns when all are done. */
void writers_run(void **items, size_t n, writers_fn fn);
void writers_stop(void);

/*
 * prio.c: scheduling hints for hearthd's own threads. prio_latency (the
 * loop, the write helpers): a short time slice, so a burst of sends
 * starts at once; prio_background: `steps` nice steps down and the
 * kernel's own slice (pool workers 5; the library's writer 0, only the
 * slice). Calling thread only.
 */
void prio_configure(bool enabled);

/*
 * pace.c: the library's transfers share library_rate_mb. pace_wait is
 * true when the budget is spent: fn(arg) runs once it has refilled (or at
 * pace_stop); pace_charge spends bytes moved. Loop thread only.
 */
bool pace_on(void);
bool pace_wait(void (*fn)(void *), void *arg);
void pace_charge(size_t bytes);
void pace_stop(void);
void prio_latency(const char *who);
void prio_background(const char *who, int steps);

/*
 * kbdint.c: keyboard-interactive for a client with no known key: how to
 * make a key (user join) or who to ask (anyone else); never a login.
 */
struct ssh_message_struct;
/* Send the text for user join (join) or any other user; -1 on failure. */
int kbdint_ask(struct ssh_message_struct *, bool join);
/* The disconnect message once the person pressed Enter. */
const char *kbdint_goodbye(bool join);
/* "ssh -t -p PORT join@HOST" for this server. */
void kbdint_connect_line(char *out, size_t len);

/* op-device.c: a member's keys (devices) and one-time device codes. */
extern const struct op op_device_table[];
/* A member signed in with key fp: note its last use. */
void device_key_used(const char *fp);

/* hearthctl-keys.c: `hearthctl member device-code HANDLE [--name N]`. */
int hearthctl_device_code(int argc, char **argv,
    json_t *(*request)(const char *op, json_t *args), bool json_out);

/*
 * coc.c: the code of conduct's versions (0: the built-in text). A member
 * may write once they accepted the current version.
 */
int64_t coc_version(void);
bool coc_accepted(const struct member *);
/* The current text: {text, version, updated_at, updated_by}. */
json_t *coc_json(void);
/*
 * Make body the new version (unless it is the current text: *changed is
 * false then), with its audit row, inside the caller's transaction.
 */
int coc_set(struct call *, const struct member *actor, const char *body,
    bool *changed);
/* op-community.c: the text built into hearthd (version 0). */
const char *community_coc_builtin(void);
/*
 * config.c: where members reach this server (public_host, public_port),
 * for connect lines: the exact ssh command for a user ("join").
 */
void config_connect_line(const struct config *, const char *user, char *out,
    size_t len);
/* The host members reach (into host) and the port (returned). */
int config_connect_host(const struct config *, char *host, size_t len);

/*
 * hearthctl.c, shared with hearthctl-admin.c: a request to hearthd (its
 * result, or exit with the error), --json output, and printing helpers.
 */
json_t *hctl_request(const char *op, json_t *args);
bool hctl_print_json(json_t *);
const char *hctl_str(json_t *, const char *key);
void hctl_print_date(const char *iso, char out[32]);
void hctl_die(const char *fmt, ...) __attribute__((noreturn,
    format(printf, 1, 2)));
int hctl_coc(int argc, char **argv);
int hctl_member_reinstate(int argc, char **argv);
/* hearthctl-mail.c */
int hctl_mail(int argc, char **argv);
int hctl_mail_in(int argc, char **argv);

/*
 * mail.c, mail-sweep.c, op-email.c: e-mail to members who are not logged
 * in (docs/admin.md "E-mail"). Settings smtp_*, mail_*, sendmail.
 */
struct mail_msg {
	const char *to, *subject, *body; /* body: plain text, \n lines */
	const char *kind; /* in the Message-ID: verify, digest, notify, ... */
	int64_t thread_id; /* replies about one thread thread together */
	const char *unsub_token; /* List-Unsubscribe, if any */
	const char *ics; /* an event.ics attachment, if any */
};
/* A setting of mail's (1 if k is one; *rc 0 or -1 for its value). */
int mail_set(const char *k, const char *v, int *rc);
int mail_start(char *err, size_t len);
void mail_stop(void);
bool mail_configured(void);
int mail_batch_minutes(void);
const char *mail_host(void);
void mail_connect_line(char *out, size_t len);
/* The whole message (RFC 5322, MIME, UTF-8); the caller frees it. */
char *mail_message(const struct mail_msg *);
/* Queue it in the caller's transaction; sent after the commit. */
int mail_enqueue(struct call *, int64_t member_id, const char *address,
    const char *kind, const char *message);
void mail_kick(void);
json_t *mail_status_json(void);
void mail_sweep_tick(void);
void mail_sweep_hurry(void);
void mail_first_line(const char *s, char *out, size_t max);
/* op-email.c: profile.update's email (a code sent to it); removal notice. */
int email_set(struct call *, const char *address);
int email_removed(struct call *, int64_t member_id, const char *reason);
extern const struct op op_email_table[];
int hctl_roadmap(int argc, char **argv); /* hearthctl-roadmap.c */

/*
 * roadmap.c: the roadmap template (seeds/002), snapshots (what a version
 * stores) and what is made of them: Markdown, CSV, a diff of two.
 */
#define ROADMAP_PERIODS 8 /* months 1..6, then 7: months 7-9, 8: 10-12 */
#define ROADMAP_DIFF_LINES 1500
struct roadmap_section {
	const char *key, *title, *prompt;
	bool ambition; /* short, medium, long: after the action grid */
};
const struct roadmap_section *roadmap_template(size_t *n);
int roadmap_section_find(const char *key); /* its index, or -1 */
const char *roadmap_period_label(int period);
bool roadmap_status_known(const char *);
/* When a period starts and ends, month 1 starting at starts_on. */
void roadmap_period_bounds(int64_t starts_on, int period, int64_t *from,
    int64_t *to);
int64_t roadmap_day(int64_t t); /* midnight UTC of t's day */
json_t *roadmap_snapshot(sqlite3 *, int64_t roadmap_id, int64_t starts_on);
/* Malloc'd texts; managers-only sections only if private_too. */
char *roadmap_markdown(json_t *snap, const char *name, bool private_too);
char *roadmap_csv(json_t *snap);
json_t *roadmap_diff(const char *a, const char *b);
/* roadmap-remind.c: owners reminded as an action's period starts and ends. */
void roadmap_remind_start(void);
/* op-roadmap.c, op-persona.c */
extern const struct op op_roadmap_table[];
extern const struct op op_persona_table[];

/* op-message.c: private messages, blocks and their reports. */
extern const struct op op_message_table[];
/*
 * zone.c: members' time zones (IANA names checked against the system's
 * zoneinfo). zone_add sets "timezone" (the member's, else the server's)
 * and "timezone_chosen" on a member object; zone_update applies
 * args.timezone ("" for the server's) inside the caller's transaction,
 * failing the call with a sentence for a name the system does not know.
 */
#define ZONE_MAX 64
bool zone_valid(const char *name);
const char *zone_default(void);
void zone_add(json_t *member, int64_t member_id);
int zone_update(struct call *, int64_t member_id);
/* "Sun 6 Dec 15:00 BST": t for the member (0: the default), in their zone. */
void zone_human(int64_t member_id, int64_t t, char out[48]);
/* Seconds east of UTC of zone name at t (0 when unknown). */
int32_t zone_offset(const char *name, int64_t t);
/* Repeating events keep the wall-clock time of the `timezone` setting. */
void zone_series_init(void);
/* A VTIMEZONE for name into b; false (nothing added) if its rule is not
 * one iCalendar's RRULE can say. */
bool zone_vtimezone(const char *name, struct buf *b);
/*
 * tokenizer.c: the FTS5 tokenizer "hearth" (unicode61, and bigrams for
 * Han, Kana and Hangul); tokenizer_auto registers it on every connection
 * the process opens from then on (db_open and db_open_existing call it).
 */
void tokenizer_auto(void);
/*
 * survey.c, op-survey.c: surveys (issue 15). survey_set: hearthd.conf
 * survey_* keys (min_responses). The sweep opens pending event surveys
 * and scheduled temperature checks, reminds once and closes on a date.
 */
#define SURVEY_QUESTIONS_MAX 50
#define SURVEY_PROMPT_MAX 500
#define SURVEY_SECTION_MAX 120
#define SURVEY_OPTIONS_MAX 12
#define SURVEY_OPTION_MAX 200
extern const struct op op_survey_table[];
extern uint64_t survey_sweeps;
int survey_set(const char *k, const char *v);
int survey_min_responses(void);
void survey_sweep_start(void);
/* Check a questions list, giving the stored form; -1 with err. */
int survey_questions_check(json_t *in, json_t **out, char *err,
    size_t len);
json_t *survey_temperature_questions(void);
/* Open survey id to members (ids): audience rows and notifications. */
int survey_open(struct call *, int64_t id, json_t *members);
int survey_close(struct call *, int64_t id);
/* The one reminder to those who have not answered (*n of them). */
int survey_remind(struct call *, int64_t id, int *n);
/* In room.close's transaction: send the room's (or its event's) pending
 * post-experience surveys to its attendees. */
int survey_room_closed(struct call *, int64_t room_id, int64_t event_id);
/* op-survey.c: an audience object's members (as x may send to them). */
json_t *survey_audience_members(struct call *, json_t *audience);
/* The temperature checks over time (health report "value"); any thread. */
json_t *survey_value(sqlite3 *, int64_t community_id, int64_t until);
/* health.c: members in a pyramid band, in the caller's transaction. */
json_t *health_band_members(sqlite3 *, int64_t community_id, int64_t now,
    const char *band, char *err, size_t errlen);
/* hearthctl-survey.c: `hearthctl survey ...`. */
int hctl_survey(int argc, char **argv);
int hctl_library(int argc, char **argv); /* hearthctl-library.c */

/*
 * sftp-wire.c: SFTP version 3 packets (no database, no loop: the fuzz
 * target runs it). Requests are framed with sftp_wire_next and decoded
 * with sftp_wire_parse; replies are built with sftp_begin ... sftp_end.
 */
enum {
	SFTP_INIT = 1, SFTP_VERSION = 2, SFTP_OPEN = 3, SFTP_CLOSE = 4,
	SFTP_READ = 5, SFTP_WRITE = 6, SFTP_LSTAT = 7, SFTP_FSTAT = 8,
	SFTP_SETSTAT = 9, SFTP_FSETSTAT = 10, SFTP_OPENDIR = 11,
	SFTP_READDIR = 12, SFTP_REMOVE = 13, SFTP_MKDIR = 14, SFTP_RMDIR = 15,
	SFTP_REALPATH = 16, SFTP_STAT = 17, SFTP_RENAME = 18,
	SFTP_READLINK = 19, SFTP_SYMLINK = 20, SFTP_STATUS = 101,
	SFTP_HANDLE = 102, SFTP_DATA = 103, SFTP_NAME = 104, SFTP_ATTRS = 105,
	SFTP_EXTENDED = 200, SFTP_EXTENDED_REPLY = 201,
};
enum {
	SFTP_OK = 0, SFTP_EOF = 1, SFTP_NO_SUCH_FILE = 2,
	SFTP_PERMISSION_DENIED = 3, SFTP_FAILURE = 4, SFTP_BAD_MESSAGE = 5,
	SFTP_OP_UNSUPPORTED = 8,
};
enum {
	SFTP_READ_FLAG = 1, SFTP_WRITE_FLAG = 2, SFTP_APPEND = 4,
	SFTP_CREAT = 8, SFTP_TRUNC = 0x10, SFTP_EXCL = 0x20,
};
enum {
	SFTP_ATTR_SIZE = 1, SFTP_ATTR_UIDGID = 2, SFTP_ATTR_PERMISSIONS = 4,
	SFTP_ATTR_ACMODTIME = 8, SFTP_ATTR_EXTENDED = 0x80000000u,
};
#define SFTP_MAX_PACKET (256 * 1024) /* a longer one ends the session */
#define SFTP_MAX_PATH 4096
struct sftp_attrs {
	uint32_t flags;
	uint64_t size;
	uint32_t uid, gid, perm, atime, mtime;
};
struct sftp_req {
	uint8_t type;
	uint32_t id; /* INIT: the client's version */
	bool bad_path; /* a path with a NUL or longer than SFTP_MAX_PATH */
	char path[SFTP_MAX_PATH + 1], path2[SFTP_MAX_PATH + 1];
	const uint8_t *handle, *data; /* into the packet */
	uint32_t handle_len, data_len;
	uint64_t offset;
	uint32_t len, pflags;
	struct sftp_attrs attrs;
};
/* 1: a packet (its body at *pkt, *len bytes; consume len + 4 after), 0:
 * more bytes needed, -1: a length of 0 or over SFTP_MAX_PACKET. */
int sftp_wire_next(struct buf *in, const uint8_t **pkt, uint32_t *len);
/* Decode one packet body; -1 if it is truncated (q->type, q->id set as far
 * as they were read). */
int sftp_wire_parse(const uint8_t *, size_t, struct sftp_req *q);
/*
 * The canonical form of a path, taken from "/": no empty parts, no ".",
 * ".." taking one part off (never above "/"); false if over len.
 */
bool sftp_canon(const char *path, char *out, size_t len);
/* Split a canonical path (in place) into its folder and last name; false
 * for "/". */
bool sftp_split(char *path, const char **dir, const char **name);
void sftp_put_u8(struct buf *, uint8_t);
void sftp_put_u32(struct buf *, uint32_t);
void sftp_put_u64(struct buf *, uint64_t);
void sftp_put_str(struct buf *, const void *, size_t);
void sftp_put_attrs(struct buf *, const struct sftp_attrs *);
/* Start a reply packet (returns where, for sftp_end to fill its length). */
size_t sftp_begin(struct buf *, uint8_t type, uint32_t id);
void sftp_end(struct buf *, size_t at);
void sftp_status(struct buf *, uint32_t id, uint32_t code, const char *msg);

/*
 * library.c: each community's library, stored in the database: folders,
 * documents with versions, contents as chunks of LIBRARY_CHUNK bytes (read
 * with incremental blob I/O), one copy per distinct SHA-256. Paths are
 * canonical ("/", "/slug", "/slug/folder/.../name"). Who asks is a conn
 * (its member); a community they may not read does not exist for them.
 * Writes run in the group transaction (dispatch_server); the caller waits
 * for the commit's sync (dispatch_after_sync) before saying ok.
 */
#define LIBRARY_CHUNK (256 * 1024)
enum lib_rc { LIB_OK = 0, LIB_NOENT, LIB_DENIED, LIB_FAIL, LIB_UNSUPPORTED,
	LIB_EXISTS };
enum lib_kind { LIB_ROOT, LIB_COMMUNITY, LIB_FOLDER, LIB_DOC };
struct lib_node {
	enum lib_kind kind;
	int64_t community_id;
	int64_t folder_id; /* a folder: itself; a document: its folder (0: top) */
	int64_t doc_id;
	int64_t blob_id, size, mtime; /* a document: its newest version's */
	int64_t owner_id; /* who uploaded the document or made the folder */
	bool power; /* the asker is a manager here, or an admin */
	char name[256];
};
/* Refuse a name (msg) that breaks the rules; 0 if fine. */
int library_name_check(const char *name, char *msg, size_t len);
int library_resolve(struct conn *who, const char *path, struct lib_node *,
    char *msg, size_t len);
/* Everything in a directory node, in name order: fn per entry. */
int library_list(struct conn *who, const struct lib_node *dir,
    void (*fn)(void *, const struct lib_node *), void *arg, char *msg,
    size_t len);
/* Up to len bytes of a content from off (*got: how many; 0 at the end). */
int library_read(int64_t blob_id, uint64_t off, void *out, size_t len,
    size_t *got);
/*
 * libwrite.c: the library's bulk writes (chunks, dropping contents) on a
 * thread of its own, inside the write gate. done runs on the loop.
 */
enum lw_kind { LW_CHUNK, LW_DROP };
struct lw_job {
	enum lw_kind kind;
	int64_t blob_id;
	int64_t seq; /* LW_CHUNK: the chunk's number */
	uint8_t *data; /* LW_CHUNK: its bytes (the caller's) */
	size_t len;
	void *sha; /* LW_CHUNK: an OpenSSL SHA256_CTX, fed the bytes in order */
	void (*done)(struct lw_job *);
	void *arg;
	int rc; /* 0 or -1, with err */
	char err[160];
	struct lw_job *next;
};
int libwrite_start(uv_loop_t *, const char *dbpath);
void libwrite_submit(struct lw_job *);
void libwrite_stats(uint64_t *jobs, uint64_t *busy_us, uint64_t *queued);
void libwrite_stop(void);

struct lib_upload;
struct lib_upload *library_upload_begin(struct conn *who,
    const struct lib_node *dir, const char *name, int *rc, char *msg,
    size_t len);
/* Bytes in order (off must be where the last write ended). */
int library_upload_write(struct lib_upload *, uint64_t off, const void *,
    size_t, char *msg, size_t len);
/* Chunks wait for the writer thread: take no more bytes until ready. */
bool library_upload_busy(const struct lib_upload *);
/* Far behind (4 MiB waiting): refuse more for now (library.upload_chunk). */
bool library_upload_stalled(const struct lib_upload *);
/* Call fn(arg) each time a chunk is stored (NULL: stop). */
void library_upload_on_ready(struct lib_upload *, void (*fn)(void *),
    void *arg);
/*
 * The last bytes, and once every chunk is stored the version in one
 * transaction; then fn(arg, LIB_OK or LIB_FAIL, what to tell). Frees u;
 * fn may run before this returns.
 */
void library_upload_finish(struct lib_upload *, void (*fn)(void *, int,
    const char *), void *arg);
/* Drop what arrived (the writer thread deletes it); frees u. */
void library_upload_abort(struct lib_upload *);
int library_mkdir(struct conn *who, const struct lib_node *dir,
    const char *name, char *msg, size_t len);
int library_rmdir(struct conn *who, const struct lib_node *, char *msg,
    size_t len);
int library_remove(struct conn *who, const struct lib_node *, char *msg,
    size_t len);
int library_rename(struct conn *who, const struct lib_node *from,
    const struct lib_node *to_dir, const char *to_name, char *msg,
    size_t len);
/* May the community's members add (else only leaders and managers)? */
bool library_members_add(int64_t community_id);
/* At start and then hourly: drop uploads nobody finishes, empty the bin of
 * documents deleted 30 days ago, drop contents no version names. */
void library_start(void);

/*
 * dispatch.c: run fn(arg, ok) once everything committed so far (and the
 * group transaction now open, if any) is on the disk; ok is false if that
 * commit failed. Runs at once (ok true) when nothing waits.
 */
void dispatch_after_sync(void (*fn)(void *, bool), void *arg);
/* Is a transaction open, or a commit not yet known to be on the disk? */
bool dispatch_unsynced(void);

/*
 * sftp.c: the "sftp" subsystem of an SSH session: packets parsed on the
 * loop, replies queued in out for sshd.c to write, input not taken while
 * out is over SFTP_OUT_HIGH. kick: out has something, or input may go on;
 * end: the session is over (a protocol error, or its member removed).
 */
#define SFTP_OUT_HIGH (1024 * 1024)
/* Reply bytes an sftp session writes to its channel a loop turn: a
 * download leaves each turn short, so a room's line never waits long. */
#define SFTP_TURN_WRITE (128 * 1024)
struct sftp;
struct sftp *sftp_new(void *owner, void (*kick)(void *),
    void (*end)(void *), uint64_t log_id, const struct member *,
    const char *key_fp, bool guest);
/* Take bytes from the channel; -1 once the session must end. */
int sftp_input(struct sftp *, const void *, size_t);
/* Work through input left waiting (after output drained or a sync). */
int sftp_resume(struct sftp *);
struct buf *sftp_out(struct sftp *);
/* Lines for a person (the channel's stderr): refusals that say why. */
struct buf *sftp_err(struct sftp *);
/* No request waiting to be read or answered. */
bool sftp_idle(const struct sftp *);
/* The channel is gone: drop unfinished uploads, free when nothing waits. */
void sftp_free(struct sftp *);

/* op-library.c */
extern const struct op op_library_table[];

/* op-profile.c: each word of text as a quoted FTS5 prefix term, restricted
 * to column when not NULL (the directory, message.search). */
void fts_terms(struct buf *q, const char *column, const char *text);
/* op-libknow.c */
extern const struct op op_libknow_table[];
/* op-libbin.c */
extern const struct op op_libbin_table[];

/* op-libxfer.c: the native client's uploads; the conn's go with it. */
extern const struct op op_libxfer_table[];
void libxfer_conn_gone(struct conn *);

/*
 * The library's one rule for a managers-only document: hidden from all but
 * the community's managers and admins (op-library.c and its neighbours).
 */
static inline bool
library_hidden(const struct access *a, bool managers_only)
{
	return managers_only && !a->admin && a->role < CROLE_MANAGER;
}
/* May the caller see document id? Fails the call with not_found if not. */
int library_doc_visible(struct call *, json_int_t id, struct access *);

/*
 * libplat.c: the platform's library, "platform" where a community slug
 * goes (community_id 0 in a lib_node and in struct access; NULL in the
 * tables). Every member reads it; staff publish and manage it.
 */
#define LIBRARY_PLATFORM "platform"
bool library_is_platform(const char *slug);
/* authz_community(_slug) for a library: the platform's when id is 0 or
 * slug is "platform", a community's otherwise. */
int library_access(struct call *, int64_t community_id, enum cact,
    struct access *a);
int library_access_slug(struct call *, const char *slug, enum cact,
    struct access *a);
/* A document's path, /SLUG/FOLDER/.../NAME (op-library.c). */
void library_doc_path(int64_t doc, const char *slug, const char *name,
    char *out, size_t len);

/*
 * readpool.c: a read op's SQL off the loop thread (OP_ASYNC). The handler
 * decides access on the loop thread, then returns read_async(x, work,
 * finish, arg, arg_free, search): once the group transaction open now has
 * committed (so a pipelined write is seen), work(db, arg, &err, msg, len)
 * runs on a pool thread with a read-only connection (the FTS tokenizer
 * registered) and returns the result, or NULL with err and msg; finish, if
 * given, completes the result on the loop thread (loop-only state such as
 * who is online). arg_free(arg) at the end. search: counts among the
 * member's searches running (RATE_SEARCH ops). 1 queued, -1 call failed.
 */
typedef json_t *(*read_work_fn)(sqlite3 *, void *arg, enum proto_err *err,
    char *msg, size_t len);
int read_async(struct call *, read_work_fn work,
    void (*finish)(json_t *, void *), void *arg, void (*arg_free)(void *),
    bool search);
/*
 * A read of the conn's is off the loop: its later requests wait (conn.c)
 * so that its replies keep their order, as when the read ran on the loop.
 */
bool read_waits(const struct conn *);

#endif

/*
 * scp.c: the classic scp protocol ("scp -f PATH", "scp -t TARGET" exec
 * requests, as scp -O and OpenSSH before 9.0 send them) over the library,
 * with sftp.c's calls and checks. sshd.c gives it at most scp_room bytes,
 * writes scp_out (and scp_err to stderr), and once scp_done ends the
 * channel with the status. kick: output waits or input may go on; end: the
 * transfer is over (then scp_done once its last bytes are out).
 */
struct scp;
bool scp_command(const char *cmd);
struct scp *scp_new(void *owner, void (*kick)(void *), void (*end)(void *),
    uint64_t log_id, const struct member *, const char *key_fp, bool guest,
    const char *cmd);
int scp_input(struct scp *, const void *, size_t);
int scp_resume(struct scp *);
/* Bytes scp_input takes now (the rest waits in the channel's window). */
size_t scp_room(const struct scp *);
void scp_eof(struct scp *);
bool scp_done(const struct scp *, int *status);
struct buf *scp_out(struct scp *);
struct buf *scp_err(struct scp *);
void scp_free(struct scp *);
