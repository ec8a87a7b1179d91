/*
 * ui.c: the terminal side of hearth. One libuv loop watches the keyboard,
 * the server connection, SIGWINCH and timers; screens are views on a
 * stack, each with draw/key/event handlers. The screen is drawn at most
 * once per loop turn (a prepare handle, when something changed), into
 * curses' virtual screen, so only changed cells reach the terminal. Every
 * cell is placed by the one width function (utf8_cpwidth).
 */
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <uv.h>

#include "common.h"
#include "client.h"

json_t *g_me;
int g_unread_notes = -1;
bool g_plain;

static struct view *top;
static bool dirty = true;
static bool use_color;
static char flash_msg[256];
static char lost[256];
static char final_msg[600]; /* printed after the screen is put away */
static uv_poll_t stdin_h;
static uv_signal_t winch_h, hup_h;
static uv_prepare_t prep_h;
static uv_timer_t flash_h;
static uv_timer_t trim_h;
static int exit_code;

void
ui_dirty(void)
{
	dirty = true;
}

struct view *
ui_top(void)
{
	return top;
}

void
ui_push(struct view *v)
{
	v->below = top;
	top = v;
	dirty = true;
}

void
ui_pop(void)
{
	struct view *v = top;

	if (v == NULL)
		return;
	top = v->below;
	net_forget(v);
	if (v->free != NULL)
		v->free(v);
	else
		free(v);
	dirty = true;
	if (top == NULL)
		where_quit(); /* a clean quit: the next login opens Home */
	else if (top->event != NULL)
		top->event(top, "client.shown", NULL);
}

void
ui_replace(struct view *v)
{
	struct view *old = top;

	if (old == NULL) {
		ui_push(v);
		return;
	}
	v->below = old->below;
	top = v;
	net_forget(old);
	if (old->free != NULL)
		old->free(old);
	else
		free(old);
	dirty = true;
}

static char status_msg[600];

void
ui_status(const char *msg)
{
	snprintf(status_msg, sizeof status_msg, "%s", msg != NULL ? msg : "");
	dirty = true;
}

static void
flash_done(uv_timer_t *t)
{
	(void)t;
	flash_msg[0] = '\0';
	dirty = true;
}

void
ui_flash(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(flash_msg, sizeof flash_msg, fmt, ap);
	va_end(ap);
	dirty = true;
	if (!g_plain)
		uv_timer_start(&flash_h, flash_done, 4000, 0);
}

void
ui_quit(int code)
{
	exit_code = code;
	uv_stop(uv_default_loop());
}

void
ui_lost(const char *why)
{
	if (lost[0] != '\0')
		return; /* keep the first reason */
	snprintf(lost, sizeof lost, "%s Press q to leave.", why);
	dirty = true;
}

/* Events go to every open view (each ignores what it does not show). */
void
ui_event(const char *name, json_t *data)
{
	/* the connection ends now: leave with the reason on the screen */
	if (strcmp(name, "session.ended") == 0) {
		if (js(data, "message")[0])
			snprintf(final_msg, sizeof final_msg, "%s",
			    js(data, "message"));
		else
			snprintf(final_msg, sizeof final_msg,
			    "Your Hearth membership was removed on %s.\n"
			    "Reason: %s", when_show(js(data, "at")),
			    js(data, "reason"));
		ui_quit(1);
		return;
	}
	if (strcmp(name, "member.timezone") == 0) /* changed elsewhere */
		when_changed(js(data, "timezone"));
	if (strcmp(name, "server.shutdown") == 0 && net_is_native()) {
		/* the native client reconnects when the server is back */
		ui_status(js(data, "message")[0] ? js(data, "message") :
		    "The Hearth server is stopping.");
		return;
	}
	if (strcmp(name, "server.shutdown") == 0) {
		snprintf(final_msg, sizeof final_msg, "%s", js(data,
		    "message")[0] ? js(data, "message") :
		    "The Hearth server is stopping.");
		ui_quit(0);
		return;
	}
	if (strcmp(name, "session.idle") == 0) {
		snprintf(final_msg, sizeof final_msg, "Hearth closed the "
		    "session after %lld minutes without input. Connect again "
		    "any time.", (long long)ji(data, "seconds") / 60);
		ui_quit(0);
		return;
	}
	if (strcmp(name, "notify.unread") == 0)
		g_unread_notes = (int)ji(data, "unread");
	if (strcmp(name, "room.support") == 0 && js(data, "handle")[0] &&
	    !json_is_true(json_object_get(data, "answered")))
		ui_flash("%s needs support in the room \"%s\"%s",
		    js(data, "display_name")[0] ? js(data, "display_name") :
		    js(data, "handle"), js(data, "room"),
		    json_is_true(json_object_get(data, "escalated")) ?
		    " (no host answered)" : "");
	if (strcmp(name, "room.opened") == 0) /* one line, not a notification */
		ui_flash("A room opened in %s: \"%s\". Home lists it (h).",
		    js(data, "community"), js(data, "title"));
	if (strcmp(name, "notify.new") == 0) {
		if (g_unread_notes < 0)
			g_unread_notes = 0;
		g_unread_notes++;
		ui_flash("New: %s", js(data, "text")[0] ? js(data, "text") :
		    "a notification (press n)");
	}
	for (struct view *v = top; v != NULL; v = v->below)
		if (v->event != NULL)
			v->event(v, name, data);
	dirty = true;
}

/* ---- drawing ---- */

static int
color_pair(int c)
{
	return use_color ? COLOR_PAIR(c) : 0;
}

/* Attributes standing in for colours when there are none. */
static int
mono_attr(int c)
{
	if (use_color)
		return 0;
	switch (c) {
	case C_TITLE:
	case C_STATUS:
	case C_SEL:
		return A_REVERSE;
	case C_HEAD:
	case C_UNREAD:
	case C_ERROR:
		return A_BOLD;
	case C_DIM:
		return A_DIM;
	case C_LINK:
		return A_UNDERLINE;
	default:
		return 0;
	}
}

int
text_width(const char *s)
{
	return utf8_width(s, strlen(s));
}

/* Draw one code point cluster (base plus combining marks) at y, x. */
static void
put_cluster(int y, int x, const wchar_t *wc, int attr, int pair)
{
	cchar_t cc;

	if (setcchar(&cc, wc, (attr_t)attr, (short)PAIR_NUMBER(pair),
	    NULL) == OK)
		mvadd_wch(y, x, &cc);
}

/*
 * Draw UTF-8 text from column x, at most maxcols columns, each character
 * placed by our width function; control bytes show as '?'.
 */
static void
put_styled(int y, int x, int maxcols, const char *s, size_t len,
    const uint8_t *style, int color, int attr)
{
	size_t i = 0, n, k;
	int col = 0, w, a, pair;
	uint32_t cp, cp2;
	wchar_t wc[6];
	int nwc;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0)) {
			cp = '?';
			n = n == 0 ? 1 : n;
		}
		w = utf8_cpwidth(cp);
		if (w == 0) { /* stray combining mark */
			i += n;
			continue;
		}
		if (col + w > maxcols)
			break;
		nwc = 0;
		wc[nwc++] = (wchar_t)cp;
		k = i + n;
		while (k < len && nwc < 5) {
			size_t m = utf8_decode(s + k, len - k, &cp2);
			if (m == 0 || cp2 < 0x20 || utf8_cpwidth(cp2) != 0)
				break;
			wc[nwc++] = (wchar_t)cp2;
			k += m;
		}
		wc[nwc] = L'\0';
		a = attr;
		pair = color_pair(color);
		if (style != NULL) {
			uint8_t st = style[i];
			if (st & ST_BOLD)
				a |= A_BOLD;
			if (st & ST_ITALIC)
				a |= use_color ? A_ITALIC : A_UNDERLINE;
			if (st & ST_HEAD) {
				pair = color_pair(C_HEAD);
				a |= A_BOLD;
			}
			if (st & ST_CODE) {
				pair = color_pair(C_CODE);
				a |= mono_attr(C_CODE);
			}
			if (st & ST_QUOTE) {
				pair = color_pair(C_QUOTE);
				a |= mono_attr(C_DIM);
			}
			if (st & ST_LINK) {
				pair = color_pair(C_LINK);
				a |= A_UNDERLINE;
			}
			if ((st & ST_DIM) && !use_color)
				a |= A_DIM;
			if ((st & ST_DIM) && !(st & ST_LINK))
				pair = color_pair(C_DIM);
		}
		put_cluster(y, x + col, wc, a | mono_attr(color), pair);
		col += w;
		i = k;
	}
}

void
put_text(int y, int x, int maxcols, const char *s, int color, int attr)
{
	if (s == NULL || maxcols <= 0 || y < 0 || y >= LINES)
		return;
	put_styled(y, x, maxcols, s, strlen(s), NULL, color, attr);
}

void
put_rline(int y, int x, int maxcols, const struct rline *l)
{
	put_styled(y, x, maxcols, l->text, l->len, l->style, C_NORMAL, 0);
}

void
put_fill(int y, int color)
{
	attrset(color_pair(color) | mono_attr(color));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
}

static const char *global_keys = "?:help  q:back ";
static void help_draw(struct view *, int, int);
static const char *typing_keys = "F1:help  Esc:leave ";

/* Title bar, the top view, and the status line with its keys. */
static void
draw_all(void)
{
	char right[96];
	int rw;

	erase();
	put_fill(0, C_TITLE);
	put_text(0, 1, COLS - 2, "Hearth", C_TITLE, A_BOLD);
	if (top != NULL && top->title != NULL)
		put_text(0, 8, COLS - 30, top->title, C_TITLE, 0);
	right[0] = '\0';
	if (g_me != NULL) {
		if (g_unread_notes > 0)
			snprintf(right, sizeof right, "@%s  [%d new]",
			    js(g_me, "handle"), g_unread_notes);
		else
			snprintf(right, sizeof right, "@%s",
			    js(g_me, "handle"));
	}
	rw = text_width(right);
	if (rw < COLS - 10)
		put_text(0, COLS - rw - 1, rw, right, C_TITLE, 0);
	if (top != NULL && top->draw != NULL && LINES > 3)
		top->draw(top, LINES - 2, COLS);
	put_fill(LINES - 1, C_STATUS);
	if (lost[0] != '\0')
		put_text(LINES - 1, 1, COLS - 2, lost, C_ERROR, A_BOLD);
	else if (status_msg[0] != '\0')
		put_text(LINES - 1, 1, COLS - 2, status_msg, C_ERROR, A_BOLD);
	else if (flash_msg[0] != '\0')
		put_text(LINES - 1, 1, COLS - 2, flash_msg, C_STATUS, A_BOLD);
	else {
		char keys[512];
		/* the help screen has only its own keys, not "q:back" too */
		snprintf(keys, sizeof keys, "%s  %s", top != NULL &&
		    top->draw == help_draw ? "" : top != NULL &&
		    top->typing ? typing_keys : global_keys,
		    top != NULL && top->keys != NULL ? top->keys : "");
		put_text(LINES - 1, 1, COLS - 2, keys, C_STATUS, 0);
	}
	/* the top view may have placed the cursor; otherwise hide it */
	refresh();
}

static bool cursor_wanted;
static int cursor_y, cursor_x;

/* A view that edits text asks for the cursor here while drawing. */
void
ui_cursor(int y, int x)
{
	cursor_wanted = true;
	cursor_y = y;
	cursor_x = x;
}

/*
 * The same for the stack: starting ncurses reads the terminal's description
 * through a 32 KB buffer on the stack, and those pages stay with the
 * process. From the loop the stack is shallow: pages more than a few below
 * the current frame hold nothing live (one thread; signal handlers run on
 * top of the current frame), so give them back; they come back as zero
 * pages if ever touched again.
 */
static void
stack_trim(void)
{
#ifdef __linux__
	static uintptr_t low;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t below = ((uintptr_t)__builtin_frame_address(0) & ~(page - 1)) -
	    4 * page;

	if (low == 0) {
		/* the lowest address the stack mapping reaches */
		FILE *f = fopen("/proc/self/maps", "r");
		char line[256];
		unsigned long a, b;

		while (f != NULL && fgets(line, sizeof line, f) != NULL)
			if (strstr(line, "[stack]") != NULL &&
			    sscanf(line, "%lx-%lx", &a, &b) == 2)
				low = a;
		if (f != NULL)
			fclose(f);
		if (low == 0)
			low = UINTPTR_MAX;
	}
	if (low < below)
		madvise((void *)low, below - low, MADV_DONTNEED);
#endif
}

/*
 * A second after the last redraw, hand the heap's free pages back: loading
 * a screen parses and renders far more than it keeps, and a member idle on
 * Home should cost only what the screen holds (hearthd runs one of these
 * per terminal login; docs/performance.md, "Terminal logins at scale").
 */
static void
trim_cb(uv_timer_t *t)
{
	(void)t;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	stack_trim();
}

static void
prepare_cb(uv_prepare_t *p)
{
	(void)p;
	if (!dirty)
		return;
	dirty = false;
	cursor_wanted = false;
	draw_all();
	where_track();
	if (cursor_wanted) {
		curs_set(1);
		move(cursor_y, cursor_x);
	} else
		curs_set(0);
	refresh();
	uv_timer_start(&trim_h, trim_cb, 1000, 0);
}

static struct view *help_view(void);

/* One key: the top view first, then the global keys. */
static void
handle_key(int ch, bool is_key)
{
	if (lost[0] != '\0' && !is_key && (ch == 'q' || ch == 'Q')) {
		ui_quit(1);
		return;
	}
	if (top == NULL) /* quitting */
		return;
	if (!is_key && ch == 12) { /* ^L */
		clearok(curscr, TRUE);
		dirty = true;
		return;
	}
	if (top != NULL && top->key != NULL && top->key(top, ch, is_key)) {
		dirty = true;
		return;
	}
	if (home_global_key(ch, is_key))
		return;
	if ((!is_key && ch == '?') || (is_key && ch == KEY_F(1))) {
		ui_push(help_view());
		return;
	}
	if ((!is_key && (ch == 'q' || ch == 27)) || (is_key &&
	    ch == KEY_LEFT)) {
		ui_pop();
		return;
	}
}

/*
 * An escape sequence the terminal's terminfo entry does not name (Home as
 * ESC [ 1 ~ under a TERM that expects ESC [ H, and so on): read the rest
 * and return the key it means, or 0 to drop it. Never ESC and then its
 * letters, which screens would take as Esc followed by commands.
 */
static int
escape_key(void)
{
	wint_t wc;
	int rc, n = 0, final, intro;

	if ((rc = get_wch(&wc)) == ERR)
		return -1; /* ESC alone */
	if (rc == KEY_CODE_YES || (wc != '[' && wc != 'O')) {
		unget_wch(wc);
		return -1;
	}
	intro = (int)wc;
	for (int got = 0;; got++) {
		if ((rc = get_wch(&wc)) == ERR || rc == KEY_CODE_YES) {
			if (got == 0 && rc == ERR) {
				/* ESC, then "[" or "O" typed: two keys */
				unget_wch((wchar_t)intro);
				return -1;
			}
			return 0;
		}
		if (wc >= '0' && wc <= '9')
			n = n * 10 + (int)(wc - '0');
		else if (wc != ';' && wc >= 0x40 && wc <= 0x7e) {
			final = (int)wc;
			break;
		} else if (wc != ';')
			return 0;
	}
	switch (final) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'Z': return KEY_BTAB;
	case '~':
		return n == 1 || n == 7 ? KEY_HOME : n == 4 || n == 8 ?
		    KEY_END : n == 2 ? KEY_IC : n == 3 ? KEY_DC : n == 5 ?
		    KEY_PPAGE : n == 6 ? KEY_NPAGE : 0;
	}
	(void)intro;
	return 0;
}

static void
stdin_cb(uv_poll_t *h, int status, int events)
{
	wint_t wc;
	int rc;

	(void)h;
	(void)events;
	if (status < 0) {
		ui_quit(1);
		return;
	}
	while ((rc = get_wch(&wc)) != ERR) {
		if (rc == KEY_CODE_YES) {
			if (wc == KEY_RESIZE) {
				dirty = true;
				continue;
			}
			handle_key((int)wc, true);
		} else if (wc == 27) {
			int k = escape_key();

			if (k < 0)
				handle_key(27, false);
			else if (k > 0)
				handle_key(k, true);
		} else
			handle_key((int)wc, false);
		if (exit_code != 0 || top == NULL)
			break;
	}
	dirty = true;
}

static void
hup_cb(uv_signal_t *s, int sig)
{
	(void)s;
	(void)sig;
	ui_quit(1);
}

static void
winch_cb(uv_signal_t *s, int sig)
{
	struct winsize ws;

	(void)s;
	(void)sig;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	dirty = true;
}

/* ---- the help screen ---- */

struct help {
	struct view v;
	struct view *of;
};

static void
help_draw(struct view *v, int rows, int cols)
{
	struct help *h = (struct help *)v;
	static const char *general[] = {
		"Everywhere:",
		"  ?            this help",
		"  q, Esc, Left back to the previous screen (quits from Home)",
		"  Up/Down, j/k move;  PgUp/PgDn, Space scroll;  Enter open",
		"  h            Home      n   notifications",
		"  /            search    p   your profile    d   directory",
		"  E            programme of events   X   expert speakers",
		"  Ctrl-L       redraw the screen",
		"  C            (in this help) read the code of conduct",
		"",
		NULL,
	};
	int y = 2;

	for (int i = 0; general[i] != NULL && y < rows; i++)
		put_text(y++, 2, cols - 4, general[i], i == 0 ? C_HEAD :
		    C_NORMAL, i == 0 ? A_BOLD : 0);
	if (h->of != NULL && y < rows) {
		char line[256];
		snprintf(line, sizeof line, "On this screen (%s):",
		    h->of->title ? h->of->title : "");
		put_text(y++, 2, cols - 4, line, C_HEAD, A_BOLD);
		if (h->of->keys != NULL)
			put_text(y++, 4, cols - 6, h->of->keys, C_NORMAL, 0);
		if (h->of->help != NULL) {
			struct rdoc d;
			rdoc_init(&d);
			render_markdown(&d, h->of->help, strlen(h->of->help),
			    cols - 6);
			for (size_t i = 0; i < d.n && y < rows; i++)
				put_rline(y++, 4, cols - 6, &d.lines[i]);
			rdoc_free(&d);
		}
	}
}

static bool
help_key(struct view *v, int ch, bool is_key)
{
	(void)v;
	if (!is_key && ch == '?') {
		ui_pop();
		return true;
	}
	if (!is_key && ch == 'C' && g_me != NULL) {
		ui_replace(view_coc_read());
		return true;
	}
	return false;
}

static struct view *
help_view(void)
{
	struct help *h = xcalloc(1, sizeof *h);

	h->v.title = "Help";
	h->v.keys = "q, Esc or ?:close help";
	h->v.draw = help_draw;
	h->v.key = help_key;
	h->of = top;
	return &h->v;
}

/* ---- start and run ---- */

static void
colors_init(void)
{
	const char *nc = getenv("NO_COLOR");

	use_color = has_colors() && (nc == NULL || *nc == '\0');
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	/* eight colours only, so every colour terminal shows the same */
	init_pair(C_NORMAL, -1, -1);
	init_pair(C_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(C_STATUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_SEL, COLOR_BLACK, COLOR_YELLOW);
	init_pair(C_DIM, COLOR_BLUE, -1);
	init_pair(C_HEAD, COLOR_YELLOW, -1);
	init_pair(C_QUOTE, COLOR_GREEN, -1);
	init_pair(C_CODE, COLOR_CYAN, -1);
	init_pair(C_LINK, COLOR_BLUE, -1);
	init_pair(C_UNREAD, COLOR_YELLOW, -1);
	init_pair(C_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(C_OK, COLOR_GREEN, -1);
}

int
ui_run(int fd)
{
	uv_loop_t *loop = uv_default_loop();

	setlocale(LC_ALL, "");
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	/* a terminal type this machine does not know: most are xterm-like */
	if (newterm(NULL, stdout, stdin) == NULL) {
		setenv("TERM", "xterm", 1);
		if (newterm(NULL, stdout, stdin) == NULL)
			return plain_run(fd);
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	colors_init();
	curs_set(0);
	uv_poll_init(loop, &stdin_h, 0);
	uv_poll_start(&stdin_h, UV_READABLE, stdin_cb);
	uv_signal_init(loop, &hup_h);
	uv_signal_start(&hup_h, hup_cb, SIGHUP);
	uv_signal_init(loop, &winch_h);
	uv_signal_start(&winch_h, winch_cb, SIGWINCH);
	uv_prepare_init(loop, &prep_h);
	uv_prepare_start(&prep_h, prepare_cb);
	uv_timer_init(loop, &flash_h);
	uv_timer_init(loop, &trim_h);
	net_start(fd);
	uv_run(loop, UV_RUN_DEFAULT);
	endwin();
	if (final_msg[0] == '\0' && lost[0] != '\0')
		snprintf(final_msg, sizeof final_msg, "%.*s", (int)(strlen(lost) -
		    strlen(" Press q to leave.")), lost);
	if (final_msg[0] != '\0') {
		/* line by line, each made safe for the terminal */
		for (char *p = final_msg, *nl; *p != '\0'; p = nl) {
			char *c;
			nl = strchr(p, '\n');
			nl = nl != NULL ? nl + 1 : p + strlen(p);
			c = text_clean(p, (size_t)(nl - p) - (nl[-1] == '\n'));
			printf("\r\n%s", c);
			free(c);
		}
		printf("\r\n");
		fflush(stdout);
	}
	return exit_code;
}
