/*
 * b64.c: standard base64 (RFC 4648, with padding), for file contents in
 * protocol lines (library.upload_chunk, library.download).
 */
#include <string.h>

#include "common.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_val(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

int
b64_decode(const char *in, size_t n, void *out, size_t *outlen)
{
	unsigned char *o = out;
	size_t k = 0;

	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int a = b64_val(in[i]), b = b64_val(in[i + 1]);
		int c = in[i + 2] == '=' ? 0 : b64_val(in[i + 2]);
		int d = in[i + 3] == '=' ? 0 : b64_val(in[i + 3]);
		bool last = i + 4 == n;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		if (!last && (in[i + 2] == '=' || in[i + 3] == '='))
			return -1;
		if (in[i + 2] == '=' && in[i + 3] != '=')
			return -1;
		o[k++] = (unsigned char)(a << 2 | b >> 4);
		if (in[i + 2] != '=')
			o[k++] = (unsigned char)((b & 15) << 4 | c >> 2);
		if (in[i + 3] != '=')
			o[k++] = (unsigned char)((c & 3) << 6 | d);
	}
	*outlen = k;
	return 0;
}
