/*
 * code.c: invite codes. A code is "HRTH-" and 12 Crockford base32 characters
 * (60 random bits) in groups of four; only its SHA-256 is stored.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "common.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Fill p with n bytes from the kernel's random pool; fatal if it fails. */
void
rand_bytes(void *p, size_t n)
{
	uint8_t *b = p;
	ssize_t got;

	while (n > 0) {
		got = getrandom(b, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom: %s", strerror(errno));
		}
		b += got;
		n -= (size_t)got;
	}
}

/* A new code: 12 characters of 5 random bits each. */
void
code_generate(char out[CODE_LEN + 1])
{
	uint8_t r[12];
	char *p = out;

	rand_bytes(r, sizeof r);
	memcpy(p, "HRTH", 4);
	p += 4;
	for (int i = 0; i < 12; i++) {
		if (i % 4 == 0)
			*p++ = '-';
		*p++ = alphabet[r[i] & 31];
	}
	*p = '\0';
}

/*
 * Reduce what a person typed to "HRTH" and 12 code characters, so that case,
 * spaces, dashes and the look-alikes O, I and L do not matter.
 */
int
code_normalize(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	int c;

	if (outlen == 0)
		return -1;
	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c == 'O')
			c = '0';
		else if (c == 'I' || c == 'L')
			c = '1';
		if (n >= 4 && strchr(alphabet, c) == NULL)
			return -1;
		if (n + 1 >= outlen || n >= 16)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	/* "HRTH" was mapped too: HRTH has no O, I or L, so compare as is. */
	if (n != 16 || strncmp(out, "HRTH", 4) != 0)
		return -1;
	return 0;
}

/* Hex SHA-256 of the normalised code, as stored in the database. */
int
code_hash(const char *code, char out[65])
{
	char norm[32];
	uint8_t h[32];

	if (code_normalize(code, norm, sizeof norm) != 0)
		return -1;
	sha256(norm, strlen(norm), h);
	hex_encode(h, sizeof h, out);
	return 0;
}
