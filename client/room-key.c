/*
 * room-key.c: the room screen's keys. Typing goes to the input line, so
 * actions are control and function keys, /commands, or keys on the person
 * selected once Tab has moved to the people list or the queue; a question
 * on the bottom line (leave? the reason? the summary?) takes the keys
 * until it is answered.
 *
 * Enter is held back for a moment: keys that arrive with it (a paste of
 * several lines, or Esc Enter, which is Alt-Enter) make a new line in the
 * same message instead, so a pasted block goes as one message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>
#include <uv.h>

#include "common.h"
#include "client.h"


#define PASTE_MS 25 /* keys this close after Enter or Esc belong to it */

static void room_submit(struct room *);
static void room_esc(struct room *);

/* ---- Enter and Esc held back a moment (pastes, Alt-Enter) ---- */

static uv_timer_t defer_h;
static bool defer_init;
static struct room *defer_room;

/* Nothing else came with the Enter or Esc: act on it now. */
static void
defer_flush(struct room *r)
{
	if (defer_room == r) {
		defer_room = NULL;
		uv_timer_stop(&defer_h);
	}
	if (r->enter_wait) {
		r->enter_wait = false;
		room_submit(r);
	} else if (r->esc_wait) {
		r->esc_wait = false;
		room_esc(r);
	}
}

static void
defer_fire(uv_timer_t *t)
{
	(void)t;
	if (defer_room != NULL)
		defer_flush(defer_room);
	ui_dirty();
}

static void
defer_start(struct room *r)
{
	if (!defer_init) {
		uv_timer_init(uv_default_loop(), &defer_h);
		defer_init = true;
	}
	if (defer_room != NULL && defer_room != r)
		defer_flush(defer_room);
	defer_room = r;
	uv_timer_start(&defer_h, defer_fire, PASTE_MS, 0);
}

void
room_key_forget(struct room *r)
{
	if (defer_room == r) {
		defer_room = NULL;
		uv_timer_stop(&defer_h);
	}
}

/* ---- small helpers ---- */

/* A code point as UTF-8; returns its length. */
static size_t
utf8_put(char *mb, int ch)
{
	if (ch < 0x80) {
		mb[0] = (char)ch;
		return 1;
	}
	if (ch < 0x800) {
		mb[0] = (char)(0xc0 | (ch >> 6));
		mb[1] = (char)(0x80 | (ch & 0x3f));
		return 2;
	}
	if (ch < 0x10000) {
		mb[0] = (char)(0xe0 | (ch >> 12));
		mb[1] = (char)(0x80 | ((ch >> 6) & 0x3f));
		mb[2] = (char)(0x80 | (ch & 0x3f));
		return 3;
	}
	mb[0] = (char)(0xf0 | (ch >> 18));
	mb[1] = (char)(0x80 | ((ch >> 12) & 0x3f));
	mb[2] = (char)(0x80 | ((ch >> 6) & 0x3f));
	mb[3] = (char)(0x80 | (ch & 0x3f));
	return 4;
}

/* Enter (or Ctrl-S) in the input line: say it, or run the command. */
static void
room_submit(struct room *r)
{
	char *text;

	if (!r->joined || r->ed.len == 0)
		return;
	text = xstrndup(r->ed.text, r->ed.len);
	if (room_blank(text)) {
		free(text);
		return;
	}
	if (text[0] == '/' && text[1] != '/') {
		/* a command is not a message to come back to (an Enter held
		 * back for a paste comes here without room_key_drafted) */
		draft_forget(r->draft);
		ed_clear(&r->ed);
		r->multiline = false;
		r->fresh = false;
		r->err[0] = '\0';
		/* may leave: r is then gone */
		room_command_run(room_front(r), text);
	} else if (!r->can_say) {
		ed_clear(&r->ed);
		snprintf(r->err, sizeof r->err, "You are listening only: join "
		    "%s to speak.", room_community(r));
	} else
		room_say(r, text);
	free(text);
}

/* The answer to the question at the bottom. */
static void
ask_submit(struct room *r)
{
	char *text = xstrndup(r->ask_ed.text, r->ask_ed.len);
	enum room_ask what = r->ask;

	r->ask = ROOM_ASK_NONE;
	room_command_answer(room_front(r), what, r->ask_handle, text);
	free(text);
	if (r->ask == ROOM_ASK_NONE)
		ed_clear(&r->ask_ed);
}

/* Esc (alone): back out of what is going on, or offer to leave. */
static void
room_esc(struct room *r)
{
	if (r->ask != ROOM_ASK_NONE) {
		r->ask = ROOM_ASK_NONE;
		r->err[0] = '\0';
	} else if (r->multiline)
		r->multiline = false;
	else if (r->focus != ROOM_FOCUS_INPUT)
		r->focus = ROOM_FOCUS_INPUT;
	else if (!r->joined)
		ui_pop();
	else
		room_ask(r, ROOM_ASK_LEAVE, NULL, NULL);
}

/* ---- keys ---- */

/* Editing keys for a text; true if taken. */
static bool
edit_key(struct editor *e, int ch, bool is_key)
{
	char mb[8];

	if (is_key) {
		switch (ch) {
		case KEY_LEFT: ed_left(e); break;
		case KEY_RIGHT: ed_right(e); break;
		case KEY_HOME: ed_home(e); break;
		case KEY_END: ed_end(e); break;
		case KEY_BACKSPACE: ed_backspace(e); break;
		case KEY_DC: ed_delete(e); break;
		default: return false;
		}
		return true;
	}
	if (ch == 127 || ch == 8)
		ed_backspace(e);
	else if (ch == KEY_CTRL('a'))
		ed_home(e);
	else if (ch == KEY_CTRL('u')) {
		while (e->cur > 0)
			ed_backspace(e);
	} else if (ch == KEY_CTRL('k')) {
		while (e->cur < e->len && e->text[e->cur] != '\n')
			ed_delete(e);
	} else if (ch == KEY_CTRL('z') || ch == KEY_CTRL('_'))
		ed_undo(e);
	else if (ch >= 0x20 && ch != 0x7f)
		ed_insert(e, mb, utf8_put(mb, ch));
	else
		return false;
	return true;
}
/* Tab: input, people, the queue (when we see it), input. */
static void
focus_next(struct room *r, int d)
{
	int n = room_queue_list(r) != NULL ? 3 : 2;

	r->focus = (enum room_focus)(((int)r->focus + d + n) % n);
	if (r->focus != ROOM_FOCUS_INPUT && r->side < 0)
		r->side = 1;
	if (r->focus != ROOM_FOCUS_INPUT && r->side == 0 && COLS < 70)
		r->side = 1;
}

static void
scroll_by(struct room *r, int d)
{
	r->scroll += d;
	if (r->scroll <= 0) {
		r->scroll = 0;
		r->unseen = 0;
	}
}

/* Keys that work whatever has the focus; true if taken. */
static bool
common_key(struct room *r, int ch, bool is_key)
{
	int page = r->page > 2 ? r->page - 1 : 1;

	if (is_key) {
		switch (ch) {
		case KEY_PPAGE: scroll_by(r, page); return true;
		case KEY_NPAGE: scroll_by(r, -page); return true;
		case KEY_F(1):
			room_command_exec(room_front(r), "help", NULL);
			return true;
		case KEY_F(2):
			room_command_exec(room_front(r), "people", NULL);
			return true;
		}
	}
	if (!r->joined)
		return false;
	if ((is_key && ch == KEY_F(3)) || (!is_key && ch == KEY_CTRL('r'))) {
		room_command_exec(room_front(r), "hand", NULL);
		return true;
	}
	if (is_key && ch == KEY_F(4)) {
		room_command_exec(room_front(r), "support", NULL);
		return true;
	}
	if (is_key && ch == KEY_F(8)) {
		room_command_exec(room_front(r), "answer", NULL);
		return true;
	}
	if (!is_key && ch == KEY_CTRL('x')) {
		room_command_exec(room_front(r), "end", NULL);
		return true;
	}
	return false;
}

/* The person (or queue entry) selected in the panel. */
static json_t *
panel_cur(struct room *r)
{
	if (r->focus == ROOM_FOCUS_PEOPLE)
		return json_array_get(r->people, (size_t)r->psel);
	if (r->focus == ROOM_FOCUS_QUEUE && room_queue_list(r) != NULL)
		return json_array_get(room_queue_list(r), (size_t)r->qsel);
	return NULL;
}

/* Keys on the people list or the queue, for the selected person. */
static bool
panel_key(struct room *r, int ch, bool is_key)
{
	json_t *p = panel_cur(r);
	const char *h = p != NULL ? js(p, "handle") : "";
	int *sel = r->focus == ROOM_FOCUS_PEOPLE ? &r->psel : &r->qsel;
	int n = r->focus == ROOM_FOCUS_PEOPLE ? room_people_count(r) :
	    (int)json_array_size(room_queue_list(r));

	if ((is_key && ch == KEY_DOWN) || (!is_key && ch == 'j')) {
		if (*sel + 1 < n)
			(*sel)++;
		return true;
	}
	if ((is_key && ch == KEY_UP) || (!is_key && ch == 'k')) {
		if (*sel > 0)
			(*sel)--;
		return true;
	}
	if (!is_key && ch == '\t') {
		focus_next(r, 1);
		return true;
	}
	if (is_key && ch == KEY_BTAB) {
		focus_next(r, -1);
		return true;
	}
	if ((!is_key && ch == 27) || (is_key && ch == KEY_LEFT)) {
		r->focus = ROOM_FOCUS_INPUT;
		return true;
	}
	if (!is_key && ch == 'q') {
		room_ask(r, ROOM_ASK_LEAVE, NULL, NULL);
		return true;
	}
	if (!is_key && ch == 'i') {
		r->focus = ROOM_FOCUS_INPUT;
		return true;
	}
	if (!is_key && ch == '/') {
		/*
		 * A command, as on the input line (not the global search);
		 * only on an empty line: after words already typed it would
		 * make them one message ("I can't cope/support").
		 */
		r->focus = ROOM_FOCUS_INPUT;
		r->fresh = false;
		if (r->ed.len == 0)
			ed_insert(&r->ed, "/", 1);
		return true;
	}
	if (p == NULL)
		return false;
	if (r->focus == ROOM_FOCUS_QUEUE) {
		char how[100];
		if (ENTER(ch, is_key) || (!is_key && ch == 't'))
			snprintf(how, sizeof how, "%s", h);
		else if (!is_key && (ch == 'p' || ch == 'T'))
			snprintf(how, sizeof how, "%s %s", h, ch == 'T' ?
			    "transcript" : "private");
		else
			return false;
		room_command_exec(room_front(r), "take", how);
		r->focus = ROOM_FOCUS_INPUT; /* to speak with them */
		return true;
	}
	if (ENTER(ch, is_key)) {
		ui_push(view_profile(h));
		return true;
	}
	if (is_key)
		return false;
	switch (ch) {
	case 'm':
		room_command_exec(room_front(r), ji(p, "muted") ? "unmute" :
		    "mute", h);
		return true;
	case 'r':
		room_command_exec(room_front(r), "remove", h);
		return true;
	case 's':
		room_command_exec(room_front(r), "host", h);
		return true;
	case 'H':
		room_command_exec(room_front(r), "handover", h);
		return true;
	}
	return false;
}

/* Keys while the bottom line asks a question. */
static bool
ask_key(struct room *r, int ch, bool is_key)
{
	if (r->ask == ROOM_ASK_LEAVE || r->ask == ROOM_ASK_CLOSE ||
	    r->ask == ROOM_ASK_HANDOVER) {
		enum room_ask what = r->ask;
		if (is_key || (ch != 'y' && ch != 'Y' && ch != 'n' &&
		    ch != 'N' && ch != 27))
			return true;
		r->ask = ROOM_ASK_NONE;
		/* y to leave: r is then gone */
		room_command_answer(room_front(r), what, r->ask_handle,
		    ch == 'y' || ch == 'Y' ? "y" : "n");
		return true;
	}
	if (!is_key && ch == 27) {
		r->ask = ROOM_ASK_NONE;
		r->err[0] = '\0';
		return true;
	}
	if (r->ask == ROOM_ASK_SUMMARY) {
		if (!is_key && (ch == KEY_CTRL('s') || ch == KEY_CTRL('d')))
			ask_submit(r);
		else if (ENTER(ch, is_key))
			ed_insert(&r->ask_ed, "\n", 1);
		else if (is_key && ch == KEY_UP)
			ed_up(&r->ask_ed, r->in_width);
		else if (is_key && ch == KEY_DOWN)
			ed_down(&r->ask_ed, r->in_width);
		else
			edit_key(&r->ask_ed, ch, is_key);
		return true;
	}
	if (ENTER(ch, is_key) || (!is_key && ch == KEY_CTRL('s')))
		ask_submit(r);
	else
		edit_key(&r->ask_ed, ch, is_key);
	return true;
}

/*
 * Keys: typing goes to the input line, so actions are control and
 * function keys, /commands, or keys on the panel after Tab.
 */
bool
room_key(struct view *v, int ch, bool is_key)
{
	struct room *r = (struct room *)v;

	/* what came with a held-back Esc or Enter */
	if (r->esc_wait) {
		r->esc_wait = false;
		if (defer_room == r) {
			defer_room = NULL;
			uv_timer_stop(&defer_h);
		}
		if (ENTER(ch, is_key)) { /* Alt-Enter */
			ed_insert(&r->ed, "\n", 1);
			return true;
		}
		/* Alt and a key: the key alone */
	}
	if (r->enter_wait) {
		if (!is_key && (ch >= 0x20 || ch == '\r' || ch == '\n' ||
		    ch == '\t') && ch != 0x7f) {
			/* more keys with the Enter: a paste */
			r->enter_wait = false;
			ed_insert(&r->ed, "\n", 1);
			if (ch == '\t') {
				ed_insert(&r->ed, " ", 1);
				return true;
			}
		} else {
			defer_flush(r);
			if (ui_top() != v)
				return true;
		}
	}
	if (!r->joined) {
		/* closed, removed, or not in yet */
		if (common_key(r, ch, is_key))
			return true;
		if (ENTER(ch, is_key) && r->thread_id != 0) {
			ui_push(view_thread(r->thread_id, ""));
			return true;
		}
		if (ENTER(ch, is_key) && r->closed && r->review &&
		    r->was_host) {
			ui_push(view_record(r->id));
			return true;
		}
		if ((is_key && (ch == KEY_UP || ch == KEY_DOWN))) {
			scroll_by(r, ch == KEY_UP ? 1 : -1);
			return true;
		}
		return false; /* q, Esc and Left go back */
	}
	if (r->ask == ROOM_ASK_LEAVE && !is_key && ch != 'y' && ch != 'Y' &&
	    ch != 'n' && ch != 'N' && ch != 27 && ch >= ' ' && ch != 127) {
		/*
		 * Typing, not answering (an Esc meant to leave the queue or
		 * a list): the question goes and the letter is typed, so no
		 * word is eaten and a later y does not leave the room.
		 */
		r->ask = ROOM_ASK_NONE;
		r->err[0] = '\0';
		r->focus = ROOM_FOCUS_INPUT;
	} else if (r->ask != ROOM_ASK_NONE) {
		if (is_key && (ch == KEY_PPAGE || ch == KEY_NPAGE))
			return common_key(r, ch, is_key);
		return ask_key(r, ch, is_key);
	}
	if (common_key(r, ch, is_key))
		return true;
	if (r->focus != ROOM_FOCUS_INPUT)
		return panel_key(r, ch, is_key);
	if (!is_key && ch == 27) {
		r->esc_wait = true;
		defer_start(r);
		return true;
	}
	if (ENTER(ch, is_key)) {
		if (r->multiline)
			ed_insert(&r->ed, "\n", 1);
		else if (r->ed.len > 0) {
			r->enter_wait = true;
			defer_start(r);
		}
		return true;
	}
	if (!is_key && (ch == KEY_CTRL('s') || ch == KEY_CTRL('d'))) {
		room_submit(r);
		return true;
	}
	if (!is_key && ch == KEY_CTRL('e')) {
		r->multiline = !r->multiline;
		return true;
	}
	if ((!is_key && ch == '\t') || (is_key && ch == KEY_BTAB)) {
		focus_next(r, ch == '\t' ? 1 : -1);
		return true;
	}
	if (!is_key && ch == '?' && r->ed.len == 0)
		return false; /* the help screen */
	if (is_key && (ch == KEY_UP || ch == KEY_DOWN)) {
		if (r->multiline || memchr(r->ed.text, '\n', r->ed.len)) {
			if (ch == KEY_UP)
				ed_up(&r->ed, r->in_width);
			else
				ed_down(&r->ed, r->in_width);
		} else
			scroll_by(r, ch == KEY_UP ? 1 : -1);
		return true;
	}
	if (!r->can_say && r->ed.len == 0 && !is_key && ch != '/' &&
	    ch >= 0x20) {
		snprintf(r->err, sizeof r->err, "You are listening only: join "
		    "%s to speak. Commands (/help, /leave) still work.",
		    room_community(r));
		return true;
	}
	if (r->fresh && !is_key && ch >= 0x20 && ch != 0x7f) {
		/* a new message replaces the refused one; Ctrl-Z undoes */
		char *old = xstrndup(r->ed.text, r->ed.len), mb[8];
		ed_clear(&r->ed);
		ed_insert(&r->ed, mb, utf8_put(mb, ch));
		free(r->ed.undo_text);
		r->ed.undo_text = old;
		r->ed.undo_cur = strlen(old);
		r->restored = 0;
		r->fresh = false;
		r->err[0] = '\0';
		return true;
	}
	r->fresh = false;
	edit_key(&r->ed, ch, is_key);
	return true; /* typing: nothing else reads keys */
}

