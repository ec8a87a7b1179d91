/*
 * client.h: the internals of hearth, the member's program. render.c and
 * editor.c know nothing of curses (they are unit-tested and fuzzed); ui.c
 * owns the terminal and the view stack, net.c the server connection (and
 * calls.c the calls awaiting replies), one file per screen, and plain*.c
 * the line mode for screen readers. docs/architecture.md has the map.
 */
#ifndef HEARTH_CLIENT_H
#define HEARTH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct buf; /* common.h */

/*
 * Longest line we accept from the server. The protocol caps lines at
 * 64 KiB, but be lenient in what we read: a page of posts can be larger.
 */
#define CLIENT_MAX_LINE (4 * 1024 * 1024)

/* ---- render.c: CommonMark to wrapped lines of styled text ---- */
enum {
	ST_BOLD = 1,
	ST_ITALIC = 2,
	ST_CODE = 4,
	ST_HEAD = 8,
	ST_QUOTE = 16,
	ST_LINK = 32,
	ST_DIM = 64,
};
/* One screen line: UTF-8 text with a style byte per text byte. */
struct rline {
	char *text;
	uint8_t *style;
	size_t len;
	int width; /* columns, by utf8_cpwidth */
};
struct rdoc {
	struct rline *lines;
	size_t n, cap;
};
void rdoc_init(struct rdoc *);
void rdoc_free(struct rdoc *);
/* Append one line of plain text in one style (cut to width columns). */
void rdoc_add(struct rdoc *, const char *text, uint8_t style, int width);
/* Append markdown rendered for a terminal width columns wide. */
void render_markdown(struct rdoc *, const char *md, size_t len, int width);
/*
 * Copy text made safe for a terminal: control characters and invalid
 * UTF-8 become '?', so no input can send escape sequences.
 */
char *text_clean(const char *s, size_t len);
/* Bytes of s that fit in cols columns (whole code points only). */
size_t text_fit(const char *s, size_t len, int cols);

/* ---- editor.c: the composer's text buffer ---- */
struct editor {
	char *text; /* UTF-8, '\n' between lines */
	size_t len, cap;
	size_t cur; /* byte offset of the cursor */
	int want_col; /* column kept across up/down */
	char *undo_text; /* the text before the last change */
	size_t undo_cur;
	int last_kind; /* groups typing into one undo step */
};
void ed_init(struct editor *, const char *text);
void ed_free(struct editor *);
/* Empty the text (and forget its undo). */
void ed_clear(struct editor *);
void ed_insert(struct editor *, const char *s, size_t len);
void ed_backspace(struct editor *);
void ed_delete(struct editor *);
void ed_left(struct editor *);
void ed_right(struct editor *);
void ed_home(struct editor *);
void ed_end(struct editor *);
/* Up and down by visual (wrapped) line for a given width. */
void ed_up(struct editor *, int width);
void ed_down(struct editor *, int width);
void ed_undo(struct editor *);
/*
 * Wrapped layout: fills starts[] with the byte offset of each visual line
 * (up to max), returns the count; *cy and *cx get the cursor's row and
 * column.
 */
size_t ed_layout(const struct editor *, int width, size_t *starts, size_t max,
    int *cy, int *cx);

/* ---- calls.c: calls waiting for their reply ---- */
typedef void (*reply_fn)(void *ctx, json_t *result, json_t *error);
struct view;
/* Register a call and return its id (the next one). */
json_int_t calls_add(struct view *owner, reply_fn cb, void *ctx);
/*
 * A reply line from the server: run its call's callback with the result
 * or the error object (one is NULL). False if no call waits for its id.
 */
bool calls_answer(json_t *msg);
/* The view is going away: its calls' replies are dropped unseen. */
void calls_forget(struct view *owner);
/* Run every waiting call's callback with error and drop them all. */
void calls_fail(json_t *error);
/* How many calls wait for a reply. */
size_t calls_waiting(void);

/* ---- net.c: the connection to hearthd ---- */
void net_start(int fd);
/* Send op; cb runs with the result or the error object (one is NULL). */
void net_call(const char *op, json_t *args, struct view *owner, reply_fn cb,
    void *ctx);
/* Forget replies owed to a view that is going away. */
void net_forget(struct view *);
bool net_connected(void);
/* The native client: reconnect (native_reconnect) after a loss. */
void net_set_native(void);
bool net_is_native(void);
/* True if the error says the server lacks the operation. */
bool err_unknown_op(json_t *error);
const char *err_message(json_t *error);
/* errtext.c: a server message as a sentence a member reads ("args.handle
 * must be ..." becomes "The handle must be ..."); msg itself, or out. */
const char *err_text(const char *msg, char *out, size_t len);
/* err_message, but a "too long" refusal counted in the characters of
 * what was sent (args): "13 characters of the 30 typed fit" (the server
 * counts bytes: a CJK character takes three). */
const char *err_message_for(json_t *error, json_t *args);
/* errtext.c's part of it: true and the sentence in out if msg is such a
 * refusal of a string in args. */
bool err_too_long(const char *msg, json_t *args, char *out, size_t len);

/* ---- json helpers ---- */
const char *js(json_t *o, const char *key); /* "" when absent */
json_int_t ji(json_t *o, const char *key);

/* ---- ui.c: terminal, view stack, loop ---- */
struct view {
	const char *title;
	const char *keys; /* shown on the status line */
	const char *help; /* extra help text for '?' */
	void (*draw)(struct view *, int rows, int cols);
	/* ch is a character (is_key false) or a KEY_* code; true if used. */
	bool (*key)(struct view *, int ch, bool is_key);
	void (*event)(struct view *, const char *name, json_t *data);
	void (*free)(struct view *);
	/* Printable keys go to an input line: Esc leaves, not q. */
	bool typing;
	struct view *below;
	/* Where the member is, for session.where (NULL: ask the view below). */
	json_t *(*where)(struct view *);
};
extern json_t *g_me; /* the member, from hello */
extern int g_unread_notes;
extern bool g_plain;
void ui_push(struct view *);
void ui_pop(void);
/* Replace the top view (freeing it) with v. */
void ui_replace(struct view *v);
struct view *ui_top(void);
void ui_dirty(void);
void ui_flash(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_quit(int code);
void ui_event(const char *name, json_t *data);
void ui_lost(const char *why);
/* A lasting status message (NULL clears it), e.g. while reconnecting. */
void ui_status(const char *msg);
int ui_run(int fd);
/* Where the terminal's cursor goes after this draw. */
void ui_cursor(int y, int x);

/* Drawing helpers (ui.c). */
enum { C_NORMAL, C_TITLE, C_STATUS, C_SEL, C_DIM, C_HEAD, C_QUOTE, C_CODE,
	C_LINK, C_UNREAD, C_ERROR, C_OK };
void put_text(int y, int x, int maxcols, const char *s, int color, int attr);
void put_rline(int y, int x, int maxcols, const struct rline *);
void put_fill(int y, int color);
int text_width(const char *s);

/* ---- widgets.c: pieces the screens share ---- */
/* A list row and a scrolling list of them (the body of most screens). */
struct row {
	char *text;
	char *right;
	int color, attr;
	json_t *data;
	bool pick; /* selectable */
};

struct list {
	struct row *rows;
	size_t n, cap;
	int sel, scroll;
	int page; /* rows shown, from the last draw */
};
void list_clear(struct list *);
void list_free(struct list *);
/* Add a row; data is referenced (may be NULL); pick: selectable. */
struct row *list_add(struct list *, const char *text, const char *right,
    int color, json_t *data, bool pick);
/* A "… more WHAT (Enter)" row whose data is {more: next}, if next is set. */
void list_add_more(struct list *, json_t *next, const char *what);
/* The selected row, or NULL. */
struct row *list_cur(struct list *);
void list_fix(struct list *);
void list_move(struct list *, int d);
void list_draw(struct list *, int y0, int rows, int cols);
/* Movement keys; true if taken. */
bool list_key(struct list *, int ch, bool is_key);

/* A one-line text field. */
struct field {
	const char *label;
	char text[4096]; /* a community's purpose fits whole */
	size_t len;
};
bool field_key(struct field *, int ch, bool is_key);
/* Draw "label: text"; returns the column after the text. */
int field_draw(struct field *, int y, int x, int cols, bool active);

/* JSON and text helpers for screens. */
json_t *jarr(json_t *o, const char *key);
json_t *jobj(json_t *o, const char *key);
/* An ISO time as "21 Nov 22:50 GMT", in the member's zone (when.c). */
void short_time(const char *iso, char out[32]);
void author_of(json_t *o, char *out, size_t len);
const char *author_handle(json_t *o);
char *snippet_clean(const char *s);
/* A screen of markdown text to read. */
struct view *view_message(const char *title, const char *text);
/* Word-wrap plain text (no Markdown) to width columns into d. */
void rdoc_wrap(struct rdoc *d, const char *text, int width);

#define ENTER(ch, is_key) ((!(is_key) && ((ch) == '\r' || (ch) == '\n')) || \
	((is_key) && (ch) == KEY_ENTER))
#define KEY_CTRL(c) ((c) & 0x1f)

/* ---- form.c: a screen of one-line fields sending one operation ---- */
/* A form field: choices "a|b|c" cycle with Space/Left/Right (else text).
 * choices FORM_COMMUNITIES: a community chosen by name from the list (init:
 * a slug to start on); build gets its slug, "" for none. */
extern const char FORM_COMMUNITIES[];
/* The same, among those the member leads or manages only ("(none)", for
 * something platform-wide, for staff only): who may add events. */
extern const char FORM_LED_COMMUNITIES[];
struct form_def {
	const char *label;
	const char *init;
	const char *choices;
	const char *hint;
};
/* Turn the form's values into args; false with err set refuses. */
typedef bool (*form_build_fn)(json_t *args, const char *const *vals,
    char *err, size_t errlen);
/*
 * A form of one-line fields sending op with args (stolen) as build fills
 * them; done runs on the view below with the result, like the composer.
 * op "": nothing is sent; done gets the built args (to send itself).
 */
struct view *form_open(const char *title, const char *intro, const char *op,
    json_t *args, const struct form_def *defs, int n, form_build_fn build,
    void (*done)(struct view *, json_t *));
/* Text wrapped to cols at (y, x), at most max lines; returns the next y. */
int form_wrapped(int y, int x, int cols, int max, const char *s, int color,
    int attr);

/* ---- compose.c: the composer ---- */
/*
 * Open the composer for op with args (stolen); key names the draft; done
 * runs on the view below with the result after a successful send.
 */
struct view *composer_open(const char *title, const char *op, json_t *args,
    const char *key, bool has_title, const char *initial,
    void (*done)(struct view *, json_t *));

/* ---- thread.c, community.c: a thread; a community and its polls ---- */
struct view *view_thread(json_int_t id, const char *title);
struct view *view_community(json_t *community);
struct view *view_poll(json_int_t id);

/* A community on its Requests tab with handle's request selected. */
struct view *view_community_requests(const char *slug, const char *handle);
/* ---- requests.c: the Requests tab and the list of who left ---- */
struct reqpane;
/* departures: who left (community.departures), else the join requests. */
struct reqpane *reqpane_new(struct view *owner, const char *slug,
    const char *name, bool departures);
void reqpane_free(struct reqpane *);
void reqpane_load(struct reqpane *);
void reqpane_draw(struct reqpane *, int y, int rows, int cols);
bool reqpane_key(struct reqpane *, int ch, bool is_key);
void reqpane_select(struct reqpane *, const char *handle);
/* ---- manage.c: settings, roles, joining and leaving ---- */
/* A y/n question; y sends op with args (stolen) and flashes done_msg. */
struct view *view_confirm(const char *question, const char *op, json_t *args,
    const char *done_msg);
struct view *community_leave_confirm(json_t *community);
struct view *community_join_form(json_t *community);
/* A form's build: "as" from the first field, "message" from the second. */
bool community_as_message_build(json_t *args, const char *const *vals,
    char *err, size_t len);
struct view *community_settings_form(json_t *community);
struct view *community_role_picker(const char *slug, const char *name,
    json_t *member);
/* ---- moderate.c: forms acting on a post, a thread or a member ---- */
/* "30m", "2h", "3d", "1w", "90s" (a bare number: minutes) as seconds; -1. */
int64_t mod_duration_parse(const char *);
/* Each runs done on the view below with the server's result. */
struct view *mod_hide_form(json_int_t post_id, const char *who,
    bool first, void (*done)(struct view *, json_t *));
struct view *mod_unhide_form(json_int_t post_id,
    void (*done)(struct view *, json_t *));
struct view *mod_delete_form(json_int_t post_id,
    void (*done)(struct view *, json_t *));
struct view *mod_report_form(json_int_t post_id,
    void (*done)(struct view *, json_t *));
/* The thread's title and tags (thread: thread.get's header). */
struct view *mod_thread_form(json_t *thread,
    void (*done)(struct view *, json_t *));
struct view *mod_mute_form(const char *slug, const char *handle,
    void (*done)(struct view *, json_t *));
struct view *mod_unmute_form(const char *slug, const char *handle,
    void (*done)(struct view *, json_t *));
struct view *mod_poll_close_form(json_int_t poll_id,
    void (*done)(struct view *, json_t *));
/* Show a post's versions (post.history) over owner. */
void mod_history(json_int_t post_id, struct view *owner);

/* ---- reports.c: the reports queue, a tab of the community screen ---- */
struct reports;
/* For a community's leaders and managers; owner is the community screen. */
struct reports *reports_new(struct view *owner, const char *slug);
void reports_free(struct reports *);
void reports_load(struct reports *);
/* Open reports (-1 until known). */
int reports_count(struct reports *);
void reports_draw(struct reports *, int y, int rows, int cols);
bool reports_key(struct reports *, int ch, bool is_key);

/* ---- profile.c: a member's profile ---- */
struct view *view_profile(const char *handle);
/* The member's own profile open for editing: the first run's last step. */
struct view *view_profile_first_run(void);

/* ---- devices.c: Profile → Devices, the member's keys ---- */
struct view *view_devices(void);
/* email.c: Profile → E-mail, the address and what is sent to it. */
struct view *view_email(void);

/* ---- search.c: search, and the member directory ---- */
struct view *view_search(bool directory);

/* ---- notes.c: notifications ---- */
struct view *view_notes(void);

/* ---- messages.c: private messages ---- */
/* Unread private messages, as last heard (Home shows it). */
extern int g_unread_messages;
/* Ask the server for it; then(owner) runs once it is known. */
void messages_count(struct view *owner, void (*then)(struct view *));
/* The Messages screen: conversations, writing to someone, search. */
struct view *view_messages(void);
struct view *view_conversation(json_int_t id);
/* The composer for a new message to handle (NULL if it is the member). */
struct view *view_message_to(const char *handle);

/* ---- roadmap.c: a community's roadmap (slug NULL: the platform's) ---- */
struct view *view_roadmap(const char *slug, const char *name);
/* ---- home.c: Home, and the keys every screen shares ---- */
struct view *view_home(void);
/* Keys that work on every screen but the composer and forms. */
bool home_global_key(int ch, bool is_key);

/* ---- join.c: the join form of a join session ---- */
struct view *view_join(void);

/* ---- coc.c: the code of conduct, read again and accepted again ---- */
/* The text, to read (Help, then C), accepting it if not yet done. */
struct view *view_coc_read(void);
/*
 * coc.get's result at start: not accepted yet, the first run (then the
 * profile); accepted an older version, the new one to accept.
 */
void coc_first_run(json_t *coc);
/* Every reply: a coc_required refusal opens the accept screen. */
void coc_reply(json_t *msg);

/* ---- admin.c: the Admin screen (platform admins and staff) ---- */
struct view *view_admin(void);
/* msgreports.c: staff's queue of reported private messages (M on Admin). */
struct view *view_msgreports(void);
/* plain-msgreports.c: the same in the line mode (Admin menu, 7). */
void plain_message_reports(void);
/* True for a platform admin or staff member (g_me's role). */
bool admin_may(void);

/* ---- welcome.c: the first screen and the first run ---- */
/* The greeting's data decides the first screen. */
void welcome_start(json_t *hello);
/* On Home: if the code of conduct is not accepted yet, the first run. */
void welcome_first_run(void);

/* ---- programme.c: the programme of events ---- */
/* The programme: a list and a calendar week view; slug NULL: all. */
struct view *view_programme(const char *community_slug);
/* One event: details, RSVP, hosts' attendee list, open its room. */
struct view *view_event(json_int_t id);
/* "drop-in", "show and tell", ... for an event kind. */
const char *event_kind_words(const char *kind);
/* The start to show for an event: the next occurrence, else the first. */
const char *event_start_iso(json_t *e);
/* Open an ad hoc room in a community: its title and record mode. */
struct view *room_open_form(const char *slug, const char *name);

/* ---- health.c: community and platform health (docs/health.md) ---- */
/* slug NULL: the platform (staff). */
struct view *view_health(const char *slug, const char *name);
/* A form marking a post as an impact story (post.impact). */
struct view *health_impact_form(json_int_t post_id);
/* outreach.c: who a community's managers should reach. */
struct view *view_outreach(const char *slug, const char *name);
/* Plain characters where the terminal cannot draw blocks. */
bool health_ascii(void);
/* ▁▂▃▄▅▆▇█ (or _.-~=+*#) for one field of each week. */
void health_sparkline(char *out, size_t len, json_t *weeks, const char *key);

/* ---- expert.c: expert speaker requests ---- */
struct view *view_experts(void);

/* ---- consults.c: private consults kept for the member ---- */
struct view *view_consults(void);

/* ---- record.c: reviewing closed rooms' records before they are posted ---- */
/* The records waiting for the member's review (room.records). */
struct view *view_records(void);
/* One record: drop or reword lines, publish. */
struct view *view_record(json_int_t room_id);

/* ---- room-command.c: a room's /commands, for the TUI and the line mode ---- */
/* What a command asks for when the line lacks it. */
enum room_ask {
	ROOM_ASK_NONE,
	ROOM_ASK_TOPIC, /* a line of text */
	ROOM_ASK_REASON, /* why a person is removed */
	ROOM_ASK_QUEUE, /* what about (not blank) */
	ROOM_ASK_SUPPORT, /* words optional */
	ROOM_ASK_SUMMARY, /* several lines, not blank */
	ROOM_ASK_LEAVE, /* y or n */
	ROOM_ASK_CLOSE,
	ROOM_ASK_HANDOVER,
};
/* What only a front end can do. */
enum room_local {
	ROOM_HELP, /* show the commands */
	ROOM_LEAVE, /* leave the room (and its screen) */
	ROOM_PEOPLE, /* who is here */
	ROOM_MULTI, /* write a message of several lines */
	ROOM_AGAIN, /* send the last refused message again */
};
/*
 * A front end that runs room commands: the room screen or the line mode.
 * It fills the fields before each room_command_* call and does what the
 * hooks ask, each with ctx.
 */
struct room_front {
	json_int_t room_id;
	json_t *state; /* the room: record, topic (NULL: not known) */
	json_t *alerts; /* support requests seen (hosts); /answer marks them */
	bool hand; /* our hand is up */
	bool consult; /* we are in a private consult */
	void *ctx;
	/* Call op with args (stolen); ok, if set, is said when it works. */
	void (*call)(void *ctx, const char *op, json_t *args, const char *ok);
	/* Ask for what the command lacks; the answer goes to
	 * room_command_answer with what and handle. */
	void (*ask)(void *ctx, enum room_ask what, const char *handle,
	    const char *initial);
	/* Say msg: refused, it is why a command was not sent. */
	void (*tell)(void *ctx, bool refused, const char *msg);
	void (*local)(void *ctx, enum room_local what);
};
/* A line starting with '/' (not "//"); false if there is no such command. */
bool room_command_run(struct room_front *, const char *line);
/* Run command name (no '/') with its argument text: what a key does. */
void room_command_exec(struct room_front *, const char *name,
    const char *rest);
/* The answer to a question: the text typed, or "y" or "n". */
void room_command_answer(struct room_front *, enum room_ask what,
    const char *handle, const char *text);
/* The commands, for help: markdown (the room screen) or text lines. */
void room_command_help(struct buf *, bool markdown);
/* What leaving (the last host) or closing means, for the y/n question. */
void room_command_consequence(json_t *state, const char *me,
    enum room_ask what, char *out, size_t len);

/* ---- room.c, room-draw.c, room-key.c: a live drop-in or surgery room ---- */
/*
 * The room screen's state, shared by its model (room.c), its drawing
 * (room-draw.c) and its keys (room-key.c); no other file looks inside.
 */
#define SENDS_MAX 32 /* calls in flight a room remembers */
enum room_focus { ROOM_FOCUS_INPUT, ROOM_FOCUS_PEOPLE, ROOM_FOCUS_QUEUE };

/* A call the room made, until its reply (the reply's ctx). */
struct room_call {
	struct room *room; /* NULL: the slot is free */
	char *text; /* room.say: the message, back to the input if refused */
	const char *ok; /* other calls: what to say when it works */
};

struct room {
	struct view v;
	json_int_t id;
	char title[300];
	json_t *state; /* room state */
	json_t *people; /* [person] */
	json_t *queue; /* queue view */
	json_t *msgs; /* messages, and our own notes ({note: true}) */
	json_t *alerts; /* support alerts, hosts only */
	json_int_t last_seq;
	bool loading, joined, closed, removed;
	bool review, was_host; /* closed: the record waits for its hosts */
	json_int_t thread_id;
	char fail[400]; /* why joining failed */
	char reason[400]; /* why a host removed us */
	bool access_lost; /* removed because we may no longer read it */
	char me[64];
	bool host, muted, hand;
	bool can_say; /* false: listening only (not a member) */
	bool fresh; /* the input holds only refused text: typing replaces it */
	char consult[64], consult_rec[16]; /* private consult with */
	char support[400]; /* the state of our own support request */
	char err[600]; /* the last refusal, over the input line */
	struct editor ed; /* the message being written */
	struct editor ask_ed; /* the answer to a question */
	enum room_ask ask;
	char ask_handle[64];
	bool multiline;
	size_t restored; /* bytes of the input that came back refused */
	char *unsent; /* the last message refused, for /again */
	char *summary; /* a summary sent with room.close, until it is done */
	struct room_call calls[SENDS_MAX]; /* awaiting their reply */
	struct rdoc doc;
	int doc_width;
	size_t rendered;
	int scroll; /* lines up from the end; 0 follows new messages */
	int unseen, page;
	enum room_focus focus;
	int psel, qsel;
	int side; /* the people panel: -1 hidden, 1 shown, 0 as wide allows */
	int in_width;
	bool enter_wait, esc_wait;
	struct room_front front; /* for the commands: see room_front */
	struct draft_saver *draft; /* the input line, kept on the server */
};
/* room.c: the model, and the calls the keys and /commands make. */
/* The room as a front end for room_command_*, brought up to date. */
struct room_front *room_front(struct room *);
/* Send a message; the input empties now and refills if refused. */
void room_say(struct room *, const char *text);
/* Ask a question on the bottom line; initial fills a text answer. */
void room_ask(struct room *, enum room_ask what, const char *handle,
    const char *initial);
/* Helpers for the room's files. */
bool room_blank(const char *s);
const char *room_ordinal(json_int_t n);
const char *room_record_words(const char *mode);
const char *room_consult_words(const char *rec);
json_t *room_person_of(struct room *, const char *handle);
void room_name_of(struct room *, const char *handle, char *out, size_t len);
const char *room_community(struct room *);
int room_people_count(struct room *);
json_t *room_queue_list(struct room *);
/* A room.presence's change ("joined", "hand_up"...; NULL: none) and whose. */
const char *room_presence(json_t *data, const char **who);
/* Keep a list of the people here up to date from a room.presence. */
void room_people_apply(json_t *people, json_t *data);
/* Add or update a support alert (room.support about someone); true if new. */
bool room_alert_apply(json_t *alerts, json_t *data);
/* room-draw.c: the screen; render messages not rendered yet for width. */
void room_draw(struct view *, int rows, int cols);
void room_draw_render(struct room *, int width);
/* room-key.c: the keys; forget a room going away (a held-back Enter). */
bool room_key(struct view *, int ch, bool is_key);
void room_key_forget(struct room *);
/* Join an open room and show it. */
struct view *view_room(json_int_t room_id);
/* Open a room (room.open with args, stolen) and show it as its host. */
struct view *view_room_open(json_t *open_args);
/* Show a room already opened: room.open's result. */
struct view *view_room_opened(json_t *result);
/* ---- native.c: hearth [user@]host[:port] over libssh ---- */
/* Connect (asking about an unknown host key); the protocol fd or -1. */
int native_connect(const char *target, char *err, size_t errlen);
/* Connect again to the same server, never asking; fd or -1. */
int native_reconnect(char *err, size_t errlen);

/* ---- plain.c: the line mode ---- */
int plain_run(int fd);
/* Print, with control characters made harmless ('?'). */
void plain_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A preview for a line-mode list: one line (every run of newlines, tabs
 * and spaces one space), at most max characters, then "…" (malloc'd). */
#define PLAIN_PREVIEW 100
char *plain_preview(const char *s, size_t max);
/* Print prompt and read a line (static storage, valid until the next). */
char *plain_ask(const char *prompt);
/* A multi-line text ending with a line holding only "." (malloc'd). */
char *plain_ask_text(void);
/* Call op and wait for its reply (events meanwhile print); exits if lost. */
json_t *plain_call(const char *op, json_t *args);
/* The reply's result, or NULL after printing its error. */
json_t *plain_result(json_t *reply);
/* Call for effect: print okmsg or the error; true if it worked. */
bool plain_do(const char *op, json_t *args, const char *okmsg);
void plain_print_md(const char *md, const char *indent);
/* The member, from hello. */
json_t *plain_me(void);
/* A thread, read and answered line by line. */
void plain_thread(json_int_t id);
/* The same, landing on a post of it (printed again last, numbered). */
void plain_thread_at(json_int_t id, json_int_t post_id);
/* Wait for typed input, printing events, unless stop() says stop first. */
bool plain_wait_input(bool (*stop)(void));
/* A poll: its options (and votes, once seen), vote, close. */
void plain_poll(json_int_t id);
/* A community's threads and menus, by slug. */
void plain_community(const char *slug);

/* ---- plain-room.c: the line mode's rooms ---- */
/* The rooms open now: pick one to join. */
void plain_room_list(void);
/* Join an open room and take part line by line until /leave. */
void plain_room(json_int_t id);
/* A room.* event: printed and kept if it is the room we are in. */
void plain_room_event(const char *event, json_t *data);
/* Closed rooms' records waiting for the member's review. */
void plain_room_records(void);

/* ---- plain-manage.c: the line mode's membership and managing ---- */
/* Join now (open) or ask with a message (request). */
void plain_manage_join(json_t *community);
/* Requests, settings, roles, who left; leaving; the request's answer. */
void plain_manage(const char *slug);
/* ---- plain-devices.c: the line mode's devices and device codes ---- */
/* List the member's keys, remove one, make a device code. */
void plain_devices(void);
/* plain-email.c: Profile, then m: the address and what is e-mailed. */
void plain_email(void);
/*
 * A join session: redeem code as a device code. The member (a reference)
 * on success; NULL with *tried false if it is no device code (an invite,
 * perhaps), or with *tried true after printing why it did not work.
 */
json_t *plain_devices_redeem(const char *code, bool *tried);
/* ---- plain-admin.c: the line mode's Admin menu ---- */
bool plain_admin_may(void);
void plain_admin(void);
/* After an error: coc_required offers the code of conduct to accept. */
void plain_coc_refused(json_t *error);

/* ---- plain-roadmap.c: the line mode's roadmap (NULL: the platform's) ---- */
void plain_roadmap(const char *slug);
/* ---- plain-programme.c: the line mode's programme and experts ---- */
/* The programme of events; slug NULL: every community. */
void plain_programme_run(const char *slug);
/* Expert speaker requests: the member's own, or staff's queue. */
void plain_programme_experts(void);
/* The private consults kept for the member (room.consults). */
void plain_programme_consults(void);

/* An event of the programme, by id: its details and what to do. */
void plain_programme_event(json_int_t id);

/* ---- plain-moderate.c: the line mode's moderation ---- */
/* A post's text, or what stands for it (hidden, deleted). */
void plain_moderate_print_post(json_t *post);
/* The thread commands below, as the member may use them. */
void plain_moderate_help(json_t *thread);
void plain_moderate_post_changed(json_t *event_data, json_t *shown);
/*
 * A thread command (! N report, d N delete, v N history; moderators: h N
 * hide or show, x N mute the author, P pin, L lock, T rename): false if
 * s is none of them. post: post N on this page, or NULL.
 */
bool plain_moderate_thread_cmd(const char *s, json_t *thread, json_t *post);
/* A community's reports queue and mutes (leaders and managers). */
void plain_moderate_reports(json_t *community);
/* ---- plain-health.c: health and reports in the line mode ---- */
void plain_health(void);
/* A manager marks a post as an impact story (asks for a note). */
void plain_health_impact(json_t *post);
/* ---- plain-messages.c: private messages in the line mode ---- */
void plain_messages(void);
/* A message.new event: said unless the notification says it already. */
void plain_messages_event(json_t *data);

/* ---- plain-draft.c: the line mode's drafts ---- */
/*
 * Ask for a text (title too if not NULL: a kept draft's, else asked),
 * offering the draft under key and keeping each line typed on the server.
 */
char *plain_compose(const char *key, char *title, size_t tlen);
/* Sent: forget the draft under key. */
void plain_draft_sent(const char *key);
/* The member's drafts (draft.list); throw one away. */
void plain_drafts(void);

/* ---- where.c: where the member is (session.where), and coming back ---- */
/* After a draw: keep the top screen's position on the server (debounced). */
void where_track(void);
/* A clean quit: forget the position (the next login opens Home), then go. */
void where_quit(void);
/* At start, over Home: open the screen the member was on, if recent. */
void where_resume(struct view *home);
/* Open a thread with post_id selected and shown (0: as view_thread). */
struct view *view_thread_at(json_int_t id, const char *title,
    json_int_t post_id);
/* The reply composer of thread id, opened with initial (a draft). */
struct view *thread_reply_open(json_int_t id, const char *initial);
/* A community by slug, on tab (from 0; -1: its usual first tab). */
struct view *view_community_tab(const char *slug, const char *name, int tab);

/* ---- draft.c: drafts kept on the server for any screen ---- */
/*
 * A debounced saver for one draft key: draft_changed after each edit sends
 * draft.save a couple of seconds after the typing pauses; draft_flush
 * sends now; draft_forget deletes it (sent). body is stolen JSON text.
 */
struct draft_saver;
struct draft_saver *draft_saver_new(const char *key);
void draft_changed(struct draft_saver *, const char *title, const char *body);
void draft_flush(struct draft_saver *);
void draft_forget(struct draft_saver *);
/* FNV-1a over n bytes of s, from h (2166136261u to start): edit checks. */
uint32_t text_hash(uint32_t h, const char *s, size_t n);
/* A draft from the server was offered: forgetting must delete it there. */
void draft_offered(struct draft_saver *);
void draft_saver_free(struct draft_saver *);
/* Draft saves (draft.c): due DRAFT_IDLE_MS after the typing pauses, at
 * most DRAFT_SAVE_MS after the first unsaved change, at least DRAFT_GAP_MS
 * after the last save; at once (next loop turn) when a line ends. */
#define DRAFT_IDLE_MS 500
#define DRAFT_SAVE_MS 2000
#define DRAFT_GAP_MS 1000
uint64_t draft_delay_ms(uint64_t now, uint64_t dirty_since,
    uint64_t saved_at, bool line_end);
/* Fetch the draft under key (draft.get); draft_of reads the reply. */
void draft_fetch(const char *key, struct view *owner, reply_fn cb,
    void *ctx);
/* The reply's draft {title, body} if it holds words, else NULL. */
json_t *draft_of(json_t *result, json_t *error);
/* Home's list of drafts: open the screen each one belongs to. */
struct view *view_drafts(void);

/*
 * ---- when.c: times for people, in the member's time zone ----
 * when_member takes the zone from a member object ("timezone"); every
 * form carries the zone's abbreviation, and the year only when it is
 * not this one.
 */
struct tm;
void when_zone(const char *iana_name);
void when_member(json_t *member);
/* The member's zone changed (their profile, another session): use it. */
void when_changed(const char *iana_name);
const char *when_zone_name(void);
bool when_local(int64_t t, struct tm *out);
/* strftime in the member's zone. */
void when_format(int64_t t, const char *fmt, char *out, size_t len);
/* "GMT", "BST": the zone's abbreviation at t. */
void when_abbrev(int64_t t, char *out, size_t len);
/* "6 Dec 14:00 GMT", for lists. */
void when_short(const char *iso, char *out, size_t len);
/* "Sun 6 Dec 14:00 GMT". */
void when_human(int64_t t, char *out, size_t len);
void when_human_iso(const char *iso, char *out, size_t len);
/* Spoken, for the line mode: "Sunday 6 December, 2 pm GMT". */
void when_spoken(int64_t t, char *out, size_t len);
void when_spoken_iso(const char *iso, char *out, size_t len);
/* "2 pm GMT", "2:30 pm BST". */
void when_clock_spoken(int64_t t, char *out, size_t len);
/*
 * How a series repeats, in words, from its first start: "every week, on
 * Mondays at 2 pm (GMT in winter, BST in summer)"; "does not repeat".
 */
void when_series_words(const char *recurrence, int64_t first, char *out,
    size_t len);
/*
 * The same for printf arguments (a few buffers used in turn; "" stays
 * "?"): when_say speaks, when_show is short_time's form.
 */
const char *when_say(const char *iso);
const char *when_show(const char *iso);
/*
 * What the member typed (time_parse's TIME_TYPED forms) into *out: with
 * no zone written, in the member's zone. TIME_OK or a TIME_E_ code.
 */
int when_parse_typed(const char *typed, int64_t *out);
/* t as the member would type it: "2026-07-12 14:00". */
void when_typed(int64_t t, char *out, size_t len);
/* Midnight of t's day, and days later, in the member's zone. */
int64_t when_day_start(int64_t t);
int64_t when_add_days(int64_t day_start, int days);

/* ---- directory.c, people.c, plain-people.c: finding people ---- */
/* The member directory: filters applied as one types, why each matched. */
struct view *view_directory(void);
/* The directory already filtered by an expertise tag or a region. */
struct view *view_directory_for(const char *tag, const char *region);
/* Home's suggested connections: load, add their rows, open one. */
void people_home_load(struct view *home, reply_fn done, void *ctx);
void people_home_rows(struct list *l, json_t *result);
bool people_home_open(json_t *row);
/* The line mode's directory (filters, numbered results, profiles). */
void plain_people_directory(void);
/* A profile in the line mode with what one can do (own: edit it). */
void plain_people_profile(const char *handle);
/* For a newcomer after signing in: a few people to connect with. */
void plain_people_welcome(void);
/* Joining: check the invite code, ask the handle and the name (the
 * invite's offered); -1 after saying why the code cannot be used. */
int plain_join_ask(const char *code, char *handle, size_t hlen, char *name,
    size_t nlen);
/* Choose a community by number (0: none, worded as none); slug "" if so. */
void plain_choose_community(const char *none, char *slug, size_t len);

/* ---- plain-find.c: notifications, search, words for the line mode ---- */
/* Notifications: open one by number (marked read), mark read. */
void plain_notifications(void);
/* Search: open a result by number, more pages, search again. */
void plain_search(void);
/* "1 post", "2 posts" (static storage: the last eight stay valid). */
const char *plain_count(long long n, const char *one, const char *many);
/* A profile field's label in words: "job_role" -> "Job role". */
const char *plain_label(const char *field);
/* ---- plain-survey.c: surveys in the line mode; slug NULL: all ---- */
void plain_survey(const char *slug);
/* One survey by id (a notification opens it). */
void plain_survey_open(json_int_t id);
/* The survey a "survey" notification is about (its text says "(survey N)"). */
json_int_t notify_survey_id(json_t *notification);
/* ---- survey.c: surveys (a list, one, answering, results, a new one) ---- */
/* Surveys for the member (slug NULL) or in one community. */
struct view *view_surveys(const char *slug, const char *name);
/* The same, saying whether the viewer may make surveys there (its
 * footer lists c and T only then); view_surveys: staff only. */
struct view *view_surveys_as(const char *slug, const char *name,
    bool manager);
struct view *view_survey(json_int_t id);
/* The composer's text, a question a line, as survey.create's questions. */
json_t *survey_questions_parse(const char *text);

/* survey.c: "a, b" as a list of persona names (at most 5). */
json_t *survey_personas(const char *list);

/* library.c: a community's Library tab; sizes as "1.2 MB". */
struct view *view_library(const char *slug, const char *name);
/* The platform's library (L on Home): the same screen, "platform". */
struct view *view_platform_library(void);
void library_size(json_int_t n, char *out, size_t len);
/* A version's uploader, "Hearth" when none (restored by the console). */
const char *library_uploader(json_t *o);
/* A document found elsewhere, selected and opened in its library. */
struct view *view_library_doc(json_int_t id, const char *name);
/* render.c: the title of a linked document [[doc:ID]], NULL if unknown. */
extern const char *(*render_doc_title)(long long id);
/* libknow.c: [[doc:ID]] links in posts, and keeping posts in the library.
 * The next link in s from *pos (0: none), *start where it begins. */
json_int_t doc_link_next(const char *s, size_t *pos, size_t *start);
/* Ask for the titles of the documents posts link; *width = 0 once known. */
void doc_links_want(json_t *posts, struct view *owner, int *width);
/* Show a Markdown text once the titles of the documents it links are
 * known (library.titles). */
void doc_text_show(const char *title, const char *markdown,
    struct view *owner);
/* Open the first document body links (false: none). */
bool doc_link_open(const char *body, const char *community_name);
/* Keep a post, or its whole thread, in the library (a form). */
struct view *keep_form(json_int_t thread_id, json_int_t post_id);
/* plain-libknow.c: links, keeping and kept items in the line mode. */
void plain_libknow_init(void);
void plain_libknow_help(json_t *th);
bool plain_libknow_cmd(const char *s, json_int_t thread_id, json_t *th,
    json_t *p);
size_t plain_libknow_kept(const char *slug, size_t first, json_t **out);
void plain_libknow_links(json_int_t id);

/* plain-library.c: a community's library in the line mode. */
void plain_library(const char *slug);
void plain_library_doc(json_int_t id);

/* libbin.c: a community library's bin (B on the Library tab). */
struct view *view_libbin(const char *slug, const char *name);

/* plain-libbin.c: a community library's bin in the line mode. */
void plain_libbin(const char *slug);

/* libxfer.c: the native client's direct uploads and downloads. */
void libxfer_upload(struct view *owner, const char *slug, const char *path,
    const char *local, const char *name, void (*fin)(struct view *));
void libxfer_upload_open(struct view *below, const char *slug,
    const char *path, void (*fin)(struct view *));
void libxfer_download(struct view *owner, json_int_t id, const char *dest);
void libxfer_download_open(struct view *below, json_int_t id,
    const char *name);
void plain_libxfer_put(const char *slug, const char *path);
void plain_libxfer_get(json_int_t id, const char *name);

#endif
