/*
 * kbdint.c: keyboard-interactive, the one thing a client whose key Hearth
 * does not know (or that has no key at all) reaches instead of a bare
 * "Permission denied (publickey)". It never logs anyone in: it shows a
 * text and, once the person presses Enter, the connection ends with a
 * short goodbye. As user "join" the text says how to make a key on
 * Windows, macOS and Linux and connect again; as anyone else it says, in
 * plain words, that this key is not known, who to ask, and that "join" is
 * the way in.
 *
 * OpenSSH offers keyboard-interactive only after every public key it has
 * was refused, so members whose key is known never see any of this. The
 * text goes in the request's instruction (which OpenSSH prints unless run
 * with -q) and again, short, in the one prompt (which it always prints).
 * sshd.c keeps the state (asked once per connection) and the pre-auth
 * deadlines and penalties, which apply as to any failed login.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include "server.h"

/* "ssh -t -p PORT join@HOST" for this server, into out. */
void
kbdint_connect_line(char *out, size_t len)
{
	const char *host = srv->cfg.listen_host;
	char name[256];

	if (host == NULL || *host == '\0' || strcmp(host, "0.0.0.0") == 0 ||
	    strcmp(host, "::") == 0 || strcmp(host, "*") == 0) {
		if (gethostname(name, sizeof name) != 0 || name[0] == '\0')
			snprintf(name, sizeof name, "HOST");
		name[sizeof name - 1] = '\0';
		host = name;
	}
	if (srv->cfg.listen_port == 22)
		snprintf(out, len, "ssh -t join@%s", host);
	else
		snprintf(out, len, "ssh -t -p %d join@%s", srv->cfg.listen_port,
		    host);
}

/* The text for a client with no key (as join) or an unknown one. */
static char *
kbdint_text(bool join)
{
	char line[400];

	kbdint_connect_line(line, sizeof line);
	if (join)
		return xasprintf(
		    "\r\n"
		    "Welcome to Hearth.\r\n"
		    "\r\n"
		    "To come in, this computer needs an SSH key: a small file "
		    "that\r\n"
		    "tells Hearth it is you. You make it once, then connect "
		    "again.\r\n"
		    "\r\n"
		    "1. Make your key. Type this and press Enter at each "
		    "question\r\n"
		    "   (a passphrase is optional):\r\n"
		    "     Windows (in PowerShell):   ssh-keygen -t ed25519\r\n"
		    "     macOS (in Terminal):       ssh-keygen -t ed25519\r\n"
		    "     Linux (in a terminal):     ssh-keygen -t ed25519\r\n"
		    "\r\n"
		    "2. Connect again, the same way as now:\r\n"
		    "     %s\r\n"
		    "   and enter your invite code, or the device code you "
		    "made on\r\n"
		    "   your other device (Profile, then Devices).\r\n"
		    "\r\n", line);
	return xasprintf(
	    "\r\n"
	    "Hearth does not know the key of this computer, so it cannot let "
	    "you in.\r\n"
	    "\r\n"
	    "- New to Hearth? Ask your association's Hearth administrator "
	    "for an\r\n"
	    "  invite code, then connect as join:  %s\r\n"
	    "- A member on a new computer? On a device where you are signed "
	    "in,\r\n"
	    "  open Profile, then Devices, and make a device code; then "
	    "connect\r\n"
	    "  here as join and enter it. Lost every device? Ask your Hearth\r\n"
	    "  administrator for a device code.\r\n"
	    "- No SSH key on this computer yet? Connect as join and Hearth "
	    "shows\r\n"
	    "  you how to make one.\r\n"
	    "\r\n", line);
}

/* Ask: the text, and one prompt to close. */
int
kbdint_ask(ssh_message m, bool join)
{
	const char *prompts[1];
	char echo[1] = { 1 };
	char *text = kbdint_text(join);
	int rc;

	/* (all OpenSSH shows when run with -q: the prompt says it too) */
	prompts[0] = join ? "No SSH key yet: make one with ssh-keygen -t "
	    "ed25519, then connect again. Press Enter to close: " :
	    "This key is not known here: connect as join to come in, or ask "
	    "your Hearth administrator. Press Enter to close: ";
	rc = ssh_message_auth_interactive_request(m, "Hearth", text, 1,
	    prompts, echo);
	free(text);
	return rc == SSH_OK ? 0 : -1;
}

/* The answer came: the words the client prints as the connection ends. */
const char *
kbdint_goodbye(bool join)
{
	return join ? "Hearth: make your SSH key as shown, then connect "
	    "again as join." : "Hearth: this key is not known here; connect "
	    "as join to come in.";
}
