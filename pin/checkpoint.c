/* SPDX-License-Identifier: Apache-2.0 */
/* C2SP tlog-checkpoint and signed-note (Ed25519), and the inclusion-proof JSON. See checkpoint.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../common/base64.h"
#include "../common/digest.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "checkpoint.h"

#define EM_DASH "\xe2\x80\x94"
#define SIG_TYPE_ED25519 0x01

/* ---- text rules shared by notes, names and checkpoints ---- */

/*
 * Decodes one UTF-8 sequence at s[i] (shortest form, no surrogates, <= U+10FFFF);
 * returns its length, or 0 when invalid.
 */
static size_t utf8_next(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned char c = s[i];
	size_t n;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len - i < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Unicode White_Space, as the signed-note spec forbids "Unicode spaces" in key names. */
static bool unicode_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	       c == 0x3000;
}

/*
 * Checks s[0..len) is valid UTF-8 with no control character (newline too
 * unless allow_newline); returns the offset of the first bad byte, or len.
 */
static size_t text_bad_at(const char *s, size_t len, bool allow_newline)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t n = utf8_next(u, len, i, &c);

		if (n == 0 || (c < 0x20 && !(allow_newline && c == '\n')))
			return i;
		i += n;
	}
	return len;
}

/* A key name: 1..MS_NOTE_MAX_NAME bytes of UTF-8, no control character, no Unicode space, no '+'. */
static bool valid_name(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (len == 0 || len > MS_NOTE_MAX_NAME)
		return false;
	while (i < len) {
		uint32_t c;
		size_t n = utf8_next(u, len, i, &c);

		if (n == 0 || c < 0x20 || c == '+' || unicode_space(c))
			return false;
		i += n;
	}
	return true;
}

/* Decodes exactly canonical padded base64 (RFC 4648 section 4) into out (max bytes). */
static bool b64_strict(const char *s, size_t len, uint8_t *out, size_t max, size_t *out_len)
{
	static const struct ms_b64_rules canonical = { MS_B64_STD, MS_B64_PAD_REQUIRED, false, true };
	size_t at;

	return ms_base64_decode_into(s, len, &canonical, out, max, out_len, &at) == MS_B64_OK;
}

/* ---- checkpoints ---- */

/* Parses a tree size: decimal, no sign, no leading zero but "0" itself, < 2^64. */
static bool parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Extension lines: each non-empty and newline-terminated, valid text, within the limits. */
static int check_extensions(const char *ext, size_t len, size_t base, struct ms_err *err)
{
	size_t lines = 0, start = 0;

	if (len > MS_CHECKPOINT_MAX_EXTENSION_BYTES)
		return ms_fail(err, MS_BAD_INPUT, "checkpoint: extension lines at offset %zu: %zu bytes, more than %d",
			       base, len, MS_CHECKPOINT_MAX_EXTENSION_BYTES);
	if (len && ext[len - 1] != '\n')
		return ms_fail(err, MS_BAD_INPUT, "checkpoint: extension line at offset %zu: no final newline",
			       base + start);
	for (size_t i = 0; i < len; i++) {
		if (ext[i] != '\n')
			continue;
		if (i == start)
			return ms_fail(err, MS_BAD_INPUT, "checkpoint: empty extension line at offset %zu",
				       base + start);
		if (text_bad_at(ext + start, i - start, false) != i - start)
			return ms_fail(err, MS_BAD_INPUT,
				       "checkpoint: extension line at offset %zu: not UTF-8 text (byte 0x%zx)", base + start,
				       base + start + text_bad_at(ext + start, i - start, false));
		if (++lines > MS_CHECKPOINT_MAX_EXTENSIONS)
			return ms_fail(err, MS_BAD_INPUT, "checkpoint: more than %d extension lines (offset %zu)",
				       MS_CHECKPOINT_MAX_EXTENSIONS, base + start);
		start = i + 1;
	}
	return MS_OK;
}

static int check_origin(const char *origin, size_t len, struct ms_err *err)
{
	size_t bad;

	if (len == 0)
		return ms_fail(err, MS_BAD_INPUT, "checkpoint: origin (line 1, offset 0) is empty");
	if (len > MS_CHECKPOINT_MAX_ORIGIN)
		return ms_fail(err, MS_BAD_INPUT, "checkpoint: origin (line 1, offset 0) is %zu bytes, more than %d", len,
			       MS_CHECKPOINT_MAX_ORIGIN);
	bad = text_bad_at(origin, len, false);
	if (bad != len)
		return ms_fail(err, MS_BAD_INPUT,
			       "checkpoint: origin (line 1) holds a control character or invalid UTF-8 at offset 0x%zx",
			       bad);
	return MS_OK;
}

int ms_checkpoint_format(const struct ms_checkpoint *cp, char **out, size_t *len, struct ms_err *err)
{
	char root[64], *text = NULL;
	size_t origin_len = strnlen(cp->origin, sizeof(cp->origin));
	size_t ext_len = strnlen(cp->extensions, sizeof(cp->extensions));
	int n, rc;

	*out = NULL;
	if (origin_len == sizeof(cp->origin) || ext_len == sizeof(cp->extensions))
		return ms_fail(err, MS_BAD_INPUT, "checkpoint: origin or extensions not terminated");
	rc = check_origin(cp->origin, origin_len, err);
	if (rc == MS_OK)
		rc = check_extensions(cp->extensions, ext_len, 0, err);
	if (rc != MS_OK)
		goto out;
	ms_base64_encode(cp->root, MS_TLOG_HASH_LEN, root);
	n = asprintf(&text, "%s\n%" PRIu64 "\n%s\n%s", cp->origin, cp->size, root, cp->extensions);
	if (n < 0) {
		text = NULL;
		rc = ms_fail(err, MS_NO_MEMORY, "checkpoint: out of memory");
		goto out;
	}
	*out = text;
	if (len)
		*len = (size_t)n;
out:
	return rc;
}

int ms_checkpoint_parse(const char *text, size_t len, struct ms_checkpoint *cp, struct ms_err *err)
{
	const char *nl1, *nl2, *nl3;
	size_t root_len = 0, off2, off3, ext_off;
	uint8_t root[MS_TLOG_HASH_LEN + 3];
	int rc = MS_OK;

	memset(cp, 0, sizeof(*cp));
	if (len == 0 || text[len - 1] != '\n') {
		rc = ms_fail(err, MS_BAD_INPUT, "checkpoint: no final newline (offset %zu)", len);
		goto out;
	}
	nl1 = memchr(text, '\n', len);
	rc = check_origin(text, (size_t)(nl1 - text), err);
	if (rc != MS_OK)
		goto out;
	off2 = (size_t)(nl1 - text) + 1;
	nl2 = off2 < len ? memchr(text + off2, '\n', len - off2) : NULL;
	if (!nl2) {
		rc = ms_fail(err, MS_BAD_INPUT, "checkpoint: no tree size line (offset %zu)", off2);
		goto out;
	}
	if (!parse_size(text + off2, (size_t)(nl2 - text) - off2, &cp->size)) {
		rc = ms_fail(err, MS_BAD_INPUT,
			     "checkpoint: tree size (line 2, offset %zu) is not a canonical decimal below 2^64", off2);
		goto out;
	}
	off3 = (size_t)(nl2 - text) + 1;
	nl3 = off3 < len ? memchr(text + off3, '\n', len - off3) : NULL;
	if (!nl3) {
		rc = ms_fail(err, MS_BAD_INPUT, "checkpoint: no root hash line (offset %zu)", off3);
		goto out;
	}
	if (!b64_strict(text + off3, (size_t)(nl3 - text) - off3, root, sizeof(root), &root_len) ||
	    root_len != MS_TLOG_HASH_LEN) {
		rc = ms_fail(err, MS_BAD_INPUT,
			     "checkpoint: root hash (line 3, offset %zu) is not canonical base64 of 32 bytes", off3);
		goto out;
	}
	memcpy(cp->root, root, MS_TLOG_HASH_LEN);
	memcpy(cp->origin, text, (size_t)(nl1 - text));
	ext_off = (size_t)(nl3 - text) + 1;
	rc = check_extensions(text + ext_off, len - ext_off, ext_off, err);
	if (rc != MS_OK)
		goto out;
	memcpy(cp->extensions, text + ext_off, len - ext_off);
out:
	if (rc != MS_OK)
		memset(cp, 0, sizeof(*cp));
	return rc;
}

/* ---- keys ---- */

static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1; /* never prompt: an encrypted key is refused */
}

/* Reads a PEM key; want_private insists on a PRIVATE KEY. */
static int load_pem(const void *pem, size_t len, bool want_private, EVP_PKEY **out, struct ms_err *err)
{
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = MS_OK;

	*out = NULL;
	if (len > INT32_MAX) {
		rc = ms_fail(err, MS_BAD_INPUT, "key: PEM of %zu bytes is too large", len);
		goto out;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		rc = ms_fail(err, MS_NO_MEMORY, "key: out of memory");
		goto out;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	if (!pkey && !want_private) {
		(void)BIO_reset(bio);
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
	}
	if (!pkey) {
		rc = ms_fail(err, MS_BAD_INPUT, "key: not a PEM %s (or an encrypted one)",
			     want_private ? "PRIVATE KEY" : "PUBLIC KEY or PRIVATE KEY");
		goto out;
	}
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		rc = ms_fail(err, MS_UNSUPPORTED, "key: a %s key; notes are signed with Ed25519 only",
			     OBJ_nid2sn(EVP_PKEY_get_id(pkey)));
		goto out;
	}
	*out = pkey;
	pkey = NULL;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return rc;
}

static uint32_t key_id(const char *name, const uint8_t pub[MS_ED25519_KEY_LEN])
{
	struct ms_hash h;
	uint8_t d[MS_SHA256_LEN];
	static const uint8_t sep[2] = { '\n', SIG_TYPE_ED25519 };

	if (ms_hash_init(&h, MS_SHA256) != MS_OK)
		return 0; /* allocation failure: an id no signature carries by chance is still checked */
	ms_hash_update(&h, name, strlen(name));
	ms_hash_update(&h, sep, sizeof(sep));
	ms_hash_update(&h, pub, MS_ED25519_KEY_LEN);
	ms_hash_final(&h, d);
	ms_hash_free(&h);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

static int verifier_set(struct ms_note_verifier *v, const char *name, size_t name_len,
			const uint8_t pub[MS_ED25519_KEY_LEN], struct ms_err *err)
{
	memset(v, 0, sizeof(*v));
	if (!valid_name(name, name_len))
		return ms_fail(err, MS_BAD_INPUT,
			       "key name: must be 1..%d bytes of UTF-8 without spaces, '+' or control characters",
			       MS_NOTE_MAX_NAME);
	memcpy(v->name, name, name_len);
	memcpy(v->public_key, pub, MS_ED25519_KEY_LEN);
	v->key_id = key_id(v->name, pub);
	return MS_OK;
}

int ms_note_verifier_from_pem(const char *name, const void *pem, size_t pem_len, struct ms_note_verifier *v,
			      struct ms_err *err)
{
	EVP_PKEY *pkey = NULL;
	uint8_t pub[MS_ED25519_KEY_LEN];
	size_t pub_len = sizeof(pub);
	int rc;

	memset(v, 0, sizeof(*v));
	rc = load_pem(pem, pem_len, false, &pkey, err);
	if (rc != MS_OK)
		goto out;
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) != 1 || pub_len != sizeof(pub)) {
		rc = ms_fail(err, MS_BAD_INPUT, "key: cannot read the Ed25519 public key");
		goto out;
	}
	rc = verifier_set(v, name, strlen(name), pub, err);
out:
	EVP_PKEY_free(pkey);
	return rc;
}

int ms_note_verifier_parse(const char *vkey, size_t len, struct ms_note_verifier *v, struct ms_err *err)
{
	const char *plus1, *plus2;
	uint8_t id[4], key[1 + MS_ED25519_KEY_LEN + 2];
	size_t key_len = 0, name_len;
	int rc;

	memset(v, 0, sizeof(*v));
	plus1 = memchr(vkey, '+', len);
	plus2 = plus1 ? memchr(plus1 + 1, '+', len - (size_t)(plus1 + 1 - vkey)) : NULL;
	if (!plus2) {
		rc = ms_fail(err, MS_BAD_INPUT, "verifier key: not <name>+<key id>+<key> (no '+' at offset %zu)",
			     plus1 ? (size_t)(plus1 - vkey) + 1 : (size_t)0);
		goto out;
	}
	name_len = (size_t)(plus1 - vkey);
	if (plus2 - plus1 != 9) {
		rc = ms_fail(err, MS_BAD_INPUT, "verifier key: key id at offset %zu is not 8 hex digits", name_len + 1);
		goto out;
	}
	{
		char hex[9];

		memcpy(hex, plus1 + 1, 8);
		hex[8] = '\0';
		for (int i = 0; i < 8; i++)
			if (!strchr("0123456789abcdefABCDEF", hex[i])) {
				rc = ms_fail(err, MS_BAD_INPUT, "verifier key: key id at offset %zu is not 8 hex digits",
					     name_len + 1);
				goto out;
			}
		rc = ms_hex_decode(hex, id, sizeof(id), "verifier key id", err);
		if (rc != MS_OK)
			goto out;
	}
	if (!b64_strict(plus2 + 1, len - (size_t)(plus2 + 1 - vkey), key, sizeof(key), &key_len) ||
	    key_len != 1 + MS_ED25519_KEY_LEN) {
		rc = ms_fail(err, MS_BAD_INPUT, "verifier key: key at offset %zu is not canonical base64 of 33 bytes",
			     (size_t)(plus2 + 1 - vkey));
		goto out;
	}
	if (key[0] != SIG_TYPE_ED25519) {
		rc = ms_fail(err, MS_UNSUPPORTED, "verifier key: signature type 0x%02x at offset %zu; only Ed25519 (0x01)",
			     key[0], (size_t)(plus2 + 1 - vkey));
		goto out;
	}
	rc = verifier_set(v, vkey, name_len, key + 1, err);
	if (rc != MS_OK)
		goto out;
	if (v->key_id != ((uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3])) {
		rc = ms_fail(err, MS_BAD_INPUT, "verifier key: key id %08x does not match the name and key (%08x)",
			     (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3], v->key_id);
		goto out;
	}
out:
	if (rc != MS_OK)
		memset(v, 0, sizeof(*v));
	return rc;
}

int ms_note_verifier_format(const struct ms_note_verifier *v, char **out, struct ms_err *err)
{
	uint8_t key[1 + MS_ED25519_KEY_LEN];
	char b64[64];

	*out = NULL;
	key[0] = SIG_TYPE_ED25519;
	memcpy(key + 1, v->public_key, MS_ED25519_KEY_LEN);
	ms_base64_encode(key, sizeof(key), b64);
	if (asprintf(out, "%s+%08" PRIx32 "+%s", v->name, v->key_id, b64) < 0) {
		*out = NULL;
		return ms_fail(err, MS_NO_MEMORY, "verifier key: out of memory");
	}
	return MS_OK;
}

/* ---- signed notes ---- */

static int check_note_text(const char *text, size_t len, struct ms_err *err)
{
	size_t bad;

	if (len == 0 || text[len - 1] != '\n')
		return ms_fail(err, MS_BAD_INPUT, "note: the text does not end in a newline (offset %zu)", len);
	bad = text_bad_at(text, len, true);
	if (bad != len)
		return ms_fail(err, MS_BAD_INPUT, "note: control character or invalid UTF-8 at offset 0x%zx", bad);
	return MS_OK;
}

int ms_note_sign(const char *text, size_t text_len, const char *name, const void *key_pem, size_t key_pem_len,
		 char **out, size_t *out_len, struct ms_err *err)
{
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *ctx = NULL;
	struct ms_note_verifier v;
	uint8_t pub[MS_ED25519_KEY_LEN], sig[4 + MS_ED25519_SIG_LEN];
	size_t pub_len = sizeof(pub), sig_len = MS_ED25519_SIG_LEN;
	char b64[128], *note = NULL;
	size_t note_len;
	int rc;

	*out = NULL;
	rc = check_note_text(text, text_len, err);
	if (rc == MS_OK && text_len > MS_NOTE_MAX_LEN / 2)
		rc = ms_fail(err, MS_BAD_INPUT, "note: text of %zu bytes is too long", text_len);
	if (rc != MS_OK)
		goto out;
	rc = load_pem(key_pem, key_pem_len, true, &pkey, err);
	if (rc != MS_OK)
		goto out;
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &pub_len) != 1 || pub_len != sizeof(pub)) {
		rc = ms_fail(err, MS_BAD_INPUT, "key: cannot read the Ed25519 public key");
		goto out;
	}
	rc = verifier_set(&v, name, strlen(name), pub, err);
	if (rc != MS_OK)
		goto out;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig + 4, &sig_len, (const unsigned char *)text, text_len) != 1 ||
	    sig_len != MS_ED25519_SIG_LEN) {
		rc = ms_fail(err, MS_BAD_SIGNATURE, "note: Ed25519 signing failed");
		goto out;
	}
	sig[0] = (uint8_t)(v.key_id >> 24);
	sig[1] = (uint8_t)(v.key_id >> 16);
	sig[2] = (uint8_t)(v.key_id >> 8);
	sig[3] = (uint8_t)v.key_id;
	ms_base64_encode(sig, sizeof(sig), b64);
	note_len = text_len + 1 + strlen(EM_DASH " ") + strlen(v.name) + 1 + strlen(b64) + 1;
	note = malloc(note_len + 1);
	if (!note) {
		rc = ms_fail(err, MS_NO_MEMORY, "note: out of memory");
		goto out;
	}
	memcpy(note, text, text_len);
	snprintf(note + text_len, note_len + 1 - text_len, "\n" EM_DASH " %s %s\n", v.name, b64);
	*out = note;
	note = NULL;
	if (out_len)
		*out_len = note_len;
out:
	free(note);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

struct note_sig {
	const char *name;
	size_t name_len;
	uint32_t id;
	const uint8_t *sig;
	size_t sig_len;
};

/*
 * Splits and checks a note; calls each(sig, ctx) per signature line when
 * each is not NULL (a non-MS_OK return stops the walk and is returned).
 */
static int note_walk(const char *note, size_t len, size_t *text_len, int (*each)(const struct note_sig *, void *),
		     void *ctx, struct ms_err *err)
{
	static const char dash[] = EM_DASH " ";
	const size_t prefix = sizeof(dash) - 1;
	size_t split = 0, pos, sigs = 0, bad;
	uint8_t *raw = NULL;
	bool found = false;
	int rc = MS_OK;

	*text_len = 0;
	if (len > MS_NOTE_MAX_LEN) {
		rc = ms_fail(err, MS_BAD_INPUT, "note: %zu bytes, more than %d", len, MS_NOTE_MAX_LEN);
		goto out;
	}
	bad = text_bad_at(note, len, true);
	if (bad != len) {
		rc = ms_fail(err, MS_BAD_INPUT, "note: control character or invalid UTF-8 at offset 0x%zx", bad);
		goto out;
	}
	if (len == 0 || note[len - 1] != '\n') {
		rc = ms_fail(err, MS_BAD_INPUT, "note: no final newline (offset %zu)", len);
		goto out;
	}
	/* The text ends at the last empty line. */
	for (size_t i = len - 1; i > 0; i--) {
		if (note[i] == '\n' && note[i - 1] == '\n') {
			split = i - 1;
			found = true;
			break;
		}
	}
	if (!found || split == 0) {
		rc = ms_fail(err, MS_BAD_INPUT, "note: no empty line after a text");
		goto out;
	}
	pos = split + 2;
	if (pos >= len) {
		rc = ms_fail(err, MS_BAD_INPUT, "note: no signature line after the empty line (offset %zu)", pos);
		goto out;
	}
	while (pos < len) {
		const char *line = note + pos, *end = memchr(line, '\n', len - pos), *sp, *b64;
		size_t line_len = (size_t)(end - line), b64_len, raw_len = 0;
		struct note_sig s;

		if (++sigs > MS_NOTE_MAX_SIGS) {
			rc = ms_fail(err, MS_BAD_INPUT, "note: more than %d signatures (offset %zu)", MS_NOTE_MAX_SIGS,
				     pos);
			goto out;
		}
		if (line_len < prefix || memcmp(line, dash, prefix) != 0) {
			rc = ms_fail(err, MS_BAD_INPUT, "note: signature line at offset %zu does not start with an em dash",
				     pos);
			goto out;
		}
		sp = memchr(line + prefix, ' ', line_len - prefix);
		if (!sp || !valid_name(line + prefix, (size_t)(sp - line) - prefix)) {
			rc = ms_fail(err, MS_BAD_INPUT, "note: signature line at offset %zu: bad key name", pos);
			goto out;
		}
		b64 = sp + 1;
		b64_len = (size_t)(end - b64);
		free(raw);
		raw = malloc(b64_len / 4 * 3 + 1);
		if (!raw) {
			rc = ms_fail(err, MS_NO_MEMORY, "note: out of memory");
			goto out;
		}
		if (!b64_strict(b64, b64_len, raw, b64_len / 4 * 3, &raw_len) || raw_len < 5) {
			rc = ms_fail(err, MS_BAD_INPUT,
				     "note: signature line at offset %zu: not base64 of a key id and a signature", pos);
			goto out;
		}
		s.name = line + prefix;
		s.name_len = (size_t)(sp - line) - prefix;
		s.id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
		s.sig = raw + 4;
		s.sig_len = raw_len - 4;
		if (each) {
			rc = each(&s, ctx);
			if (rc != MS_OK)
				goto out;
		}
		pos += line_len + 1;
	}
	*text_len = split + 1;
out:
	free(raw);
	return rc;
}

int ms_note_split(const char *note, size_t len, size_t *text_len, struct ms_err *err)
{
	return note_walk(note, len, text_len, NULL, NULL, err);
}

struct verify_ctx {
	const struct ms_note_verifier *v;
	const char *text;
	size_t text_len;
	size_t verified;
	struct ms_err *err;
};

static int verify_one(const struct note_sig *s, void *p)
{
	struct verify_ctx *c = p;
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *md = NULL;
	int rc = MS_OK;

	if (s->name_len != strlen(c->v->name) || memcmp(s->name, c->v->name, s->name_len) != 0 ||
	    s->id != c->v->key_id)
		goto out; /* another key: ignored */
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, c->v->public_key, MS_ED25519_KEY_LEN);
	md = EVP_MD_CTX_new();
	if (!pkey || !md) {
		rc = ms_fail(c->err, MS_NO_MEMORY, "note: out of memory");
		goto out;
	}
	if (s->sig_len != MS_ED25519_SIG_LEN || EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestVerify(md, s->sig, MS_ED25519_SIG_LEN, (const unsigned char *)c->text, c->text_len) != 1) {
		rc = ms_fail(c->err, MS_BAD_SIGNATURE, "note: the signature by %s (key id %08x) does not verify",
			     c->v->name, c->v->key_id);
		goto out;
	}
	c->verified++;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return rc;
}

int ms_note_verify(const char *note, size_t len, const struct ms_note_verifier *v, size_t *text_len,
		   struct ms_err *err)
{
	struct verify_ctx c = { v, note, 0, 0, err };
	size_t tl = 0;
	int rc;

	*text_len = 0;
	/* First the shape (which fixes the text), then the signatures over that text. */
	rc = note_walk(note, len, &tl, NULL, NULL, err);
	if (rc != MS_OK)
		goto out;
	c.text_len = tl;
	rc = note_walk(note, len, &tl, verify_one, &c, err);
	if (rc != MS_OK)
		goto out;
	if (c.verified == 0) {
		rc = ms_fail(err, MS_BAD_SIGNATURE, "note: no signature by %s (key id %08x)", v->name, v->key_id);
		goto out;
	}
	*text_len = tl;
out:
	return rc;
}

int ms_checkpoint_open(const char *note, size_t len, const struct ms_note_verifier *v, struct ms_checkpoint *cp,
		       struct ms_err *err)
{
	size_t text_len = 0;
	int rc;

	memset(cp, 0, sizeof(*cp));
	rc = ms_note_verify(note, len, v, &text_len, err);
	if (rc == MS_OK)
		rc = ms_checkpoint_parse(note, text_len, cp, err);
	return rc;
}

/* ---- inclusion-proof JSON ---- */

/* Any valid UTF-8 without NUL: what a JSON string can carry both ways. */
static bool json_text_ok(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t n = utf8_next(u, len, i, &c);

		if (n == 0 || c == 0)
			return false;
		i += n;
	}
	return true;
}

static cJSON *add_u64(cJSON *obj, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	return cJSON_AddRawToObject(obj, key, num);
}

int ms_tlog_proof_format(const struct ms_tlog_proof *p, char **out, struct ms_err *err)
{
	cJSON *obj = NULL, *path;
	char *text = NULL;
	int rc = MS_OK;

	*out = NULL;
	if (p->path_len > MS_TLOG_MAX_PROOF || !p->checkpoint || !json_text_ok(p->checkpoint, p->checkpoint_len) ||
	    (p->consistency ? !p->old_size || p->old_size > p->tree_size || p->entry
			    : p->leaf_index >= p->tree_size || (p->entry && !json_text_ok(p->entry, p->entry_len)))) {
		rc = ms_fail(err, MS_BAD_INPUT, "proof: nothing to format (index, size, path or text out of range)");
		goto out;
	}
	obj = cJSON_CreateObject();
	if (!obj)
		goto oom;
	if (p->consistency) {
		if (!cJSON_AddStringToObject(obj, "schema", MS_TLOG_CONSISTENCY_SCHEMA) ||
		    !add_u64(obj, "old_size", p->old_size) || !add_u64(obj, "tree_size", p->tree_size))
			goto oom;
	} else if (!cJSON_AddStringToObject(obj, "schema", MS_TLOG_PROOF_SCHEMA) ||
		   !add_u64(obj, "leaf_index", p->leaf_index) || !add_u64(obj, "tree_size", p->tree_size) ||
		   !ms_json_add_hex(obj, "leaf_hash", p->leaf_hash, MS_TLOG_HASH_LEN)) {
		goto oom;
	}
	path = cJSON_AddArrayToObject(obj, p->consistency ? "consistency_path" : "inclusion_path");
	if (!path)
		goto oom;
	for (size_t i = 0; i < p->path_len; i++) {
		char hex[2 * MS_TLOG_HASH_LEN + 1];
		cJSON *h;

		ms_hex_encode(p->path[i], MS_TLOG_HASH_LEN, hex);
		h = cJSON_CreateString(hex);
		if (!h || !cJSON_AddItemToArray(path, h)) {
			cJSON_Delete(h);
			goto oom;
		}
	}
	if (p->entry) {
		char *e = strndup(p->entry, p->entry_len);

		if (!e || !cJSON_AddStringToObject(obj, "entry", e)) {
			free(e);
			goto oom;
		}
		free(e);
	}
	{
		char *c = strndup(p->checkpoint, p->checkpoint_len);

		if (!c || !cJSON_AddStringToObject(obj, "checkpoint", c)) {
			free(c);
			goto oom;
		}
		free(c);
	}
	text = ms_json_format(obj);
	if (!text)
		goto oom;
	*out = text;
	goto out;
oom:
	rc = ms_fail(err, MS_NO_MEMORY, "proof: out of memory");
out:
	cJSON_Delete(obj);
	return rc;
}

/* A 32-byte hash as exactly 64 hex digits. */
static bool hash_item(const cJSON *item, uint8_t out[MS_TLOG_HASH_LEN])
{
	if (!cJSON_IsString(item) || strlen(item->valuestring) != 2 * MS_TLOG_HASH_LEN ||
	    strspn(item->valuestring, "0123456789abcdefABCDEF") != 2 * MS_TLOG_HASH_LEN)
		return false;
	return ms_hex_decode(item->valuestring, out, MS_TLOG_HASH_LEN, "hash", NULL) == MS_OK;
}

int ms_tlog_proof_parse(const char *text, size_t len, struct ms_tlog_proof *p, struct ms_err *err)
{
	static const char *const keys[] = { "schema", "leaf_index", "tree_size", "leaf_hash", "inclusion_path",
					    "entry", "checkpoint", "old_size", "consistency_path" };
	/* the keys each schema has: bit k for keys[k]; the entry is optional in an inclusion proof */
	const unsigned inclusion_keys = 0x7f, consistency_keys = 1u | 1u << 2 | 1u << 6 | 1u << 7 | 1u << 8;
	cJSON *root = NULL, *item;
	bool seen[9] = { false };
	unsigned want;
	int rc = MS_OK;

	memset(p, 0, sizeof(*p));
	if (len > MS_TLOG_PROOF_MAX_LEN) {
		rc = ms_fail(err, MS_BAD_INPUT, "proof: %zu bytes, more than %d", len, MS_TLOG_PROOF_MAX_LEN);
		goto out;
	}
	rc = ms_json_parse_strict(text, len, "proof", &root, err);
	if (rc != MS_OK)
		goto out;
	if (!cJSON_IsObject(root)) {
		rc = ms_fail(err, MS_BAD_INPUT, "proof: not a JSON object");
		goto out;
	}
	cJSON_ArrayForEach(item, root) {
		size_t k = 0;

		while (k < 9 && strcmp(item->string, keys[k]) != 0)
			k++;
		if (k == 9) {
			rc = ms_fail(err, MS_BAD_INPUT, "proof: unknown key \"%.64s\"", item->string);
			goto out;
		}
		seen[k] = true;
		switch (k) {
		case 0:
			if (!cJSON_IsString(item)) {
				rc = ms_fail(err, MS_BAD_INPUT, "proof: schema is not a string");
				goto out;
			}
			if (strcmp(item->valuestring, MS_TLOG_PROOF_SCHEMA) != 0 &&
			    strcmp(item->valuestring, MS_TLOG_CONSISTENCY_SCHEMA) != 0) {
				rc = ms_fail(err, MS_UNSUPPORTED, "proof: schema \"%.64s\", want \"%s\" or \"%s\"",
					     item->valuestring, MS_TLOG_PROOF_SCHEMA, MS_TLOG_CONSISTENCY_SCHEMA);
				goto out;
			}
			p->consistency = strcmp(item->valuestring, MS_TLOG_CONSISTENCY_SCHEMA) == 0;
			break;
		case 1:
		case 2:
		case 7:
			if (!ms_json_u64(item, false, UINT64_MAX,
					 k == 1 ? &p->leaf_index : k == 2 ? &p->tree_size : &p->old_size)) {
				rc = ms_fail(err, MS_BAD_INPUT, "proof: %s is not an unsigned integer below 2^64", keys[k]);
				goto out;
			}
			break;
		case 3:
			if (!hash_item(item, p->leaf_hash)) {
				rc = ms_fail(err, MS_BAD_INPUT, "proof: leaf_hash is not 64 hex digits");
				goto out;
			}
			break;
		case 4:
		case 8: {
			const cJSON *h;

			if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > MS_TLOG_MAX_PROOF) {
				rc = ms_fail(err, MS_BAD_INPUT, "proof: %s is not an array of at most %d hashes", keys[k],
					     MS_TLOG_MAX_PROOF);
				goto out;
			}
			p->path_len = 0;
			cJSON_ArrayForEach(h, item) {
				if (!hash_item(h, p->path[p->path_len])) {
					rc = ms_fail(err, MS_BAD_INPUT, "proof: %s[%zu] is not 64 hex digits", keys[k],
						     p->path_len);
					goto out;
				}
				p->path_len++;
			}
			break;
		}
		case 5:
		case 6: {
			char **dst = k == 5 ? &p->entry : &p->checkpoint;
			size_t *dst_len = k == 5 ? &p->entry_len : &p->checkpoint_len;

			if (!cJSON_IsString(item)) {
				rc = ms_fail(err, MS_BAD_INPUT, "proof: %s is not a string", keys[k]);
				goto out;
			}
			*dst = strdup(item->valuestring);
			if (!*dst) {
				rc = ms_fail(err, MS_NO_MEMORY, "proof: out of memory");
				goto out;
			}
			*dst_len = strlen(*dst);
			break;
		}
		}
	}
	want = p->consistency ? consistency_keys : inclusion_keys;
	for (size_t k = 0; k < 9; k++) {
		if (seen[k] && !(want >> k & 1)) {
			rc = ms_fail(err, MS_BAD_INPUT, "proof: \"%s\" does not belong in a %s proof", keys[k],
				     p->consistency ? "consistency" : "inclusion");
			goto out;
		}
		if (!seen[k] && (want >> k & 1) && k != 5) {
			rc = ms_fail(err, MS_BAD_INPUT, "proof: no \"%s\"", keys[k]);
			goto out;
		}
	}
	if (p->consistency) {
		if (p->old_size == 0 || p->old_size > p->tree_size) {
			rc = ms_fail(err, MS_BAD_INPUT, "proof: old_size %" PRIu64 " is not 1 .. tree_size %" PRIu64,
				     p->old_size, p->tree_size);
			goto out;
		}
	} else if (p->leaf_index >= p->tree_size) {
		rc = ms_fail(err, MS_BAD_INPUT, "proof: leaf_index %" PRIu64 " is not below tree_size %" PRIu64,
			     p->leaf_index, p->tree_size);
		goto out;
	}
out:
	cJSON_Delete(root);
	if (rc != MS_OK)
		ms_tlog_proof_free(p);
	return rc;
}

void ms_tlog_proof_free(struct ms_tlog_proof *p)
{
	if (!p)
		return;
	free(p->entry);
	free(p->checkpoint);
	memset(p, 0, sizeof(*p));
}

/* The proof's checkpoint: with v its signature must verify, else its text is only parsed. */
static int open_embedded(const struct ms_tlog_proof *p, const struct ms_note_verifier *v, struct ms_checkpoint *c,
			 struct ms_err *err)
{
	size_t text_len = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!p->checkpoint)
		return ms_fail(err, MS_BAD_INPUT, "proof: no checkpoint");
	if (v) {
		rc = ms_checkpoint_open(p->checkpoint, p->checkpoint_len, v, c, err);
	} else if (memmem(p->checkpoint, p->checkpoint_len, "\n\n", 2)) {
		/* A signed note whose signatures the caller does not check: only its text counts. */
		rc = ms_note_split(p->checkpoint, p->checkpoint_len, &text_len, err);
		if (rc == MS_OK)
			rc = ms_checkpoint_parse(p->checkpoint, text_len, c, err);
	} else {
		rc = ms_checkpoint_parse(p->checkpoint, p->checkpoint_len, c, err);
	}
	if (rc == MS_OK && p->tree_size != c->size)
		rc = ms_fail(err, MS_MISMATCH, "proof: tree_size %" PRIu64 " but the checkpoint is of size %" PRIu64,
			     p->tree_size, c->size);
	return rc;
}

int ms_tlog_consistency_check(const struct ms_tlog_proof *p, const struct ms_note_verifier *v,
			      const struct ms_checkpoint *old, struct ms_checkpoint *cp, struct ms_err *err)
{
	struct ms_checkpoint local;
	struct ms_checkpoint *c = cp ? cp : &local;
	int rc;

	if (!p->consistency)
		return ms_fail(err, MS_BAD_INPUT, "proof: an inclusion proof, not a consistency proof");
	if ((rc = open_embedded(p, v, c, err)))
		return rc;
	if (strcmp(old->origin, c->origin))
		return ms_fail(err, MS_MISMATCH, "proof: the old checkpoint is of '%.64s', the proof's of '%.64s'", old->origin,
			       c->origin);
	if (old->size != p->old_size)
		return ms_fail(err, MS_MISMATCH, "proof: old_size %" PRIu64 " but the old checkpoint is of size %" PRIu64,
			       p->old_size, old->size);
	if (!ms_tlog_verify_consistency(p->old_size, p->tree_size, old->root, c->root,
					(const uint8_t(*)[MS_TLOG_HASH_LEN])p->path, p->path_len))
		return ms_fail(err, MS_MISMATCH, "proof: the tree of size %" PRIu64 " is not an append-only extension of the "
			       "old checkpoint's tree of size %" PRIu64 " (the consistency path does not hold)",
			       p->tree_size, p->old_size);
	return MS_OK;
}

int ms_tlog_proof_check(const struct ms_tlog_proof *p, const struct ms_note_verifier *v, struct ms_checkpoint *cp,
			struct ms_err *err)
{
	struct ms_checkpoint local;
	struct ms_checkpoint *c = cp ? cp : &local;
	int rc;

	memset(c, 0, sizeof(*c));
	if (p->consistency)
		return ms_fail(err, MS_BAD_INPUT, "proof: a consistency proof: check it against an old checkpoint");
	if ((rc = open_embedded(p, v, c, err)))
		goto out;
	if (p->entry) {
		uint8_t h[MS_TLOG_HASH_LEN];

		ms_tlog_leaf_hash(p->entry, p->entry_len, h);
		if (memcmp(h, p->leaf_hash, MS_TLOG_HASH_LEN) != 0) {
			rc = ms_fail(err, MS_MISMATCH, "proof: the entry does not hash to leaf_hash");
			goto out;
		}
	}
	if (!ms_tlog_verify_inclusion(p->leaf_hash, p->leaf_index, p->tree_size, (const uint8_t(*)[MS_TLOG_HASH_LEN])p->path,
				      p->path_len, c->root)) {
		rc = ms_fail(err, MS_MISMATCH,
			     "proof: leaf %" PRIu64 " is not in the checkpoint's tree of size %" PRIu64
			     " (the inclusion path does not lead to its root)",
			     p->leaf_index, p->tree_size);
		goto out;
	}
out:
	return rc;
}
