/*
 * sshkey.c: SSH keys: the server's ed25519 host key, generated on first start and
 * written with mode 0600 (libssh's exporter follows the umask, so the umask
 * is narrowed around it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "server.h"

int
sshkey_host_ensure(const char *path, char *err, size_t errlen)
{
	ssh_key key = NULL;
	mode_t old;
	int rc;

	if (access(path, F_OK) == 0) {
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) !=
		    SSH_OK) {
			snprintf(err, errlen, "%s: cannot read host key", path);
			return -1;
		}
		ssh_key_free(key);
		return 0;
	}
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
		snprintf(err, errlen, "cannot generate an ed25519 host key");
		return -1;
	}
	old = umask(077);
	rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path);
	umask(old);
	ssh_key_free(key);
	if (rc != SSH_OK) {
		snprintf(err, errlen, "%s: cannot write host key", path);
		return -1;
	}
	chmod(path, 0600);
	log_info(0, "generated host key %s", path);
	return 0;
}

int
sshkey_fingerprint(ssh_key key, char fp[SSHKEY_FP_LEN])
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *s;

	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != 0)
		return -1;
	s = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	if (s == NULL)
		return -1;
	snprintf(fp, SSHKEY_FP_LEN, "%s", s);
	ssh_string_free_char(s);
	return 0;
}

int
sshkey_describe(ssh_key key, struct sshkey_info *ki)
{
	char *b64 = NULL;

	memset(ki, 0, sizeof *ki);
	if (sshkey_fingerprint(key, ki->fp) != 0 ||
	    ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
		return -1;
	ki->b64 = xstrdup(b64);
	ssh_string_free_char(b64);
	ki->type = xstrdup(ssh_key_type_to_char(ssh_key_type(key)));
	return 0;
}

int
sshkey_parse_line(const char *line, struct sshkey_info *ki, char *err,
    size_t errlen)
{
	char *copy = xstrdup(line), *type, *b64, *comment, *save = NULL;
	enum ssh_keytypes_e kt;
	ssh_key key = NULL;
	int rc = -1;

	type = strtok_r(copy, " \t\r\n", &save);
	b64 = strtok_r(NULL, " \t\r\n", &save);
	comment = strtok_r(NULL, "\r\n", &save);
	if (type == NULL || b64 == NULL) {
		snprintf(err, errlen, "expected an OpenSSH public key line "
		    "(\"ssh-ed25519 AAAA... comment\")");
		goto out;
	}
	kt = ssh_key_type_from_name(type);
	if (kt == SSH_KEYTYPE_UNKNOWN) {
		snprintf(err, errlen, "unknown key type '%s'", type);
		goto out;
	}
	if (ssh_pki_import_pubkey_base64(b64, kt, &key) != SSH_OK) {
		snprintf(err, errlen, "the key data is not a valid %s key",
		    type);
		goto out;
	}
	if (sshkey_describe(key, ki) != 0) {
		snprintf(err, errlen, "cannot fingerprint the key");
		goto out;
	}
	if (comment != NULL) {
		while (*comment == ' ' || *comment == '\t')
			comment++;
		if (*comment != '\0')
			ki->comment = xstrdup(comment);
	}
	rc = 0;
out:
	ssh_key_free(key);
	free(copy);
	return rc;
}

void
sshkey_info_clear(struct sshkey_info *ki)
{
	free(ki->type);
	free(ki->b64);
	free(ki->comment);
	memset(ki, 0, sizeof *ki);
}
