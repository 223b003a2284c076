/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../common/file.h"
#include "../common/hex.h"
#include "../common/json_strict.h"
#include "cosign.h"
#include "image.h"

#define SIMPLE_SIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define SIG_ANNOTATION "dev.cosignproject.cosign/signature"
#define MAX_SIGNATURE 256u

/* OCI's sha256 digest: "sha256:" and exactly 64 lowercase hex digits (upper case is not a digest there). */
static bool oci_sha256(const char *s)
{
	if (strncmp(s, "sha256:", 7) || strlen(s) != 7 + 2 * MS_SHA256_LEN)
		return false;
	for (s += 7; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

void ms_cosign_free(struct ms_cosign *c)
{
	free(c->payload);
	free(c->signature);
	memset(c, 0, sizeof(*c));
}

static enum ms_status parse_payload(const struct ms_cosign *c, uint8_t digest[MS_SHA256_LEN], struct ms_err *err)
{
	cJSON *j = NULL;
	const cJSON *critical, *type, *image, *d;
	enum ms_status st;

	if ((st = ms_json_parse_strict((const char *)c->payload, c->payload_len, "cosign payload", &j, err)))
		return st;
	critical = cJSON_GetObjectItemCaseSensitive(j, "critical");
	type = cJSON_GetObjectItemCaseSensitive(critical, "type");
	image = cJSON_GetObjectItemCaseSensitive(critical, "image");
	d = cJSON_GetObjectItemCaseSensitive(image, "docker-manifest-digest");
	if (!cJSON_IsObject(j) || !cJSON_IsObject(critical)) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign payload: critical is missing or not an object");
	} else if (!cJSON_IsString(type) || strcmp(type->valuestring, "cosign container image signature")) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign payload: critical.type is not \"cosign container image signature\"");
	} else if (!cJSON_IsString(d) || !oci_sha256(d->valuestring)) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign payload: critical.image.docker-manifest-digest is not sha256:<64 "
			     "lowercase hex> (OCI's digest form)");
	} else {
		st = ms_hex_decode(d->valuestring + 7, digest, MS_SHA256_LEN, "cosign payload: docker-manifest-digest", err);
	}
	cJSON_Delete(j);
	return st;
}

static enum ms_status load_key(const uint8_t *key_pem, size_t key_len, EVP_PKEY **out, struct ms_err *err)
{
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;
	char group[32] = "";
	enum ms_status st = MS_OK;

	*out = NULL;
	if (key_len > INT32_MAX || !(bio = BIO_new_mem_buf(key_pem, (int)key_len)) ||
	    !(key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL))) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign key: not a PEM public key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
	    strcmp(group, "prime256v1")) {
		st = ms_fail(err, MS_UNSUPPORTED, "cosign key: not an ECDSA P-256 key (cosign's key pairs are)");
		goto out;
	}
	*out = key;
	key = NULL;
out:
	EVP_PKEY_free(key);
	BIO_free(bio);
	return st;
}

static enum ms_status verify_with(const struct ms_cosign *c, EVP_PKEY *key, uint8_t digest[MS_SHA256_LEN],
				  struct ms_err *err)
{
	EVP_MD_CTX *md = NULL;
	enum ms_status st;

	if (c->problem.status)
		return ms_fail(err, c->problem.status, "%s", c->problem.msg);
	if (!c->payload || !c->signature)
		return ms_fail(err, MS_BAD_INPUT, "cosign: no payload or no signature");
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1) {
		st = ms_fail(err, MS_NO_MEMORY, "cosign: cannot set up the verification");
		goto out;
	}
	if (EVP_DigestVerify(md, c->signature, c->signature_len, c->payload, c->payload_len) != 1) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "cosign: the signature does not verify with the key");
		goto out;
	}
	st = parse_payload(c, digest, err);
out:
	EVP_MD_CTX_free(md);
	return st;
}

enum ms_status ms_cosign_verify(const struct ms_cosign *c, const uint8_t *key_pem, size_t key_len,
				uint8_t digest[MS_SHA256_LEN], struct ms_err *err)
{
	EVP_PKEY *key = NULL;
	enum ms_status st;

	if (!c->payload || !c->signature)
		return ms_fail(err, MS_BAD_INPUT, "cosign: no payload or no signature");
	if (!(st = load_key(key_pem, key_len, &key, err)))
		st = verify_with(c, key, digest, err);
	EVP_PKEY_free(key);
	return st;
}

enum ms_status ms_cosign_verify_any(const struct ms_cosign *sigs, size_t count, const uint8_t *key_pem,
				    size_t key_len, const uint8_t want[MS_SHA256_LEN], size_t *which, struct ms_err *err)
{
	struct ms_err mismatch = { 0 }, bad_signature = { 0 }, malformed = { 0 };
	EVP_PKEY *key = NULL;
	enum ms_status st;

	if (!count)
		return ms_fail(err, MS_BAD_INPUT, "cosign: no signature");
	if ((st = load_key(key_pem, key_len, &key, err)))
		return st;
	for (size_t i = 0; i < count; i++) {
		struct ms_err e = { 0 };
		uint8_t digest[MS_SHA256_LEN];
		char hex[2 * MS_SHA256_LEN + 1];

		st = verify_with(&sigs[i], key, digest, &e);
		if (st == MS_OK && !memcmp(digest, want, MS_SHA256_LEN)) {
			*which = i;
			goto out;
		}
		if (st == MS_OK && !mismatch.status) {
			ms_hex_encode(digest, MS_SHA256_LEN, hex);
			ms_fail(&mismatch, MS_MISMATCH, "cosign: signature %zu of %zu verifies but names manifest sha256:%s, "
				"not this image's", i + 1, count, hex);
		} else if (st == MS_BAD_SIGNATURE && !bad_signature.status) {
			ms_fail(&bad_signature, st, "cosign: the signature does not verify with the key (%s of %zu)",
				count == 1 ? "the only one" : "none", count);
		} else if (st != MS_OK && st != MS_BAD_SIGNATURE && !malformed.status) {
			ms_fail(&malformed, st, "%s%s", e.msg, count == 1 ? "" : " (no other signature verifies)");
		}
	}
	/* what one that verified says comes first, then a signature that failed, then one that could not be checked */
	*err = mismatch.status ? mismatch : bad_signature.status ? bad_signature : malformed;
	st = err->status;
out:
	EVP_PKEY_free(key);
	return st;
}

enum ms_status ms_cosign_set_signature_b64(struct ms_cosign *c, const char *text, size_t len, struct ms_err *err)
{
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	while (len && (*text == ' ' || *text == '\n')) {
		text++;
		len--;
	}
	free(c->signature);
	c->signature = NULL;
	if (len > 2 * MAX_SIGNATURE)
		return ms_fail(err, MS_BAD_INPUT, "cosign signature: longer than an ECDSA signature");
	return ms_base64_decode(text, len, &c->signature, &c->signature_len, "cosign signature", err);
}

enum ms_status ms_cosign_parse_bundle(const char *json, size_t len, struct ms_cosign *c, struct ms_err *err)
{
	static const char *const known[] = { "Base64Signature", "Payload", "Cert", "Chain", "Bundle", "RFC3161Timestamp" };
	cJSON *j = NULL;
	const cJSON *sig, *payload;
	enum ms_status st;

	memset(c, 0, sizeof(*c));
	if (len > MS_COSIGN_MAX_BUNDLE)
		return ms_fail(err, MS_BAD_INPUT, "cosign bundle: larger than %u bytes", MS_COSIGN_MAX_BUNDLE);
	if ((st = ms_json_parse_strict(json, len, "cosign bundle", &j, err)))
		return st;
	if (!cJSON_IsObject(j)) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign bundle: not a JSON object");
		goto out;
	}
	for (const cJSON *k = j->child; k; k = k->next) {
		bool ok = false;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= !strcmp(k->string, known[i]);
		if (!ok) {
			st = ms_fail(err, MS_BAD_INPUT, "cosign bundle: unknown key \"%.60s\"", k->string);
			goto out;
		}
	}
	sig = cJSON_GetObjectItemCaseSensitive(j, "Base64Signature");
	payload = cJSON_GetObjectItemCaseSensitive(j, "Payload");
	if (!cJSON_IsString(sig) || !cJSON_IsString(payload)) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign bundle: Base64Signature and Payload must be strings");
		goto out;
	}
	if ((st = ms_cosign_set_signature_b64(c, sig->valuestring, strlen(sig->valuestring), err)) ||
	    (st = ms_base64_decode(payload->valuestring, strlen(payload->valuestring), &c->payload, &c->payload_len,
				   "cosign bundle: Payload", err)))
		goto out;
	if (c->payload_len > MS_COSIGN_MAX_PAYLOAD)
		st = ms_fail(err, MS_BAD_INPUT, "cosign bundle: Payload larger than %u bytes", MS_COSIGN_MAX_PAYLOAD);
out:
	if (st)
		ms_cosign_free(c);
	cJSON_Delete(j);
	return st;
}

/* A blob of the layout named by a descriptor, read whole (at most max bytes) and checked against it. */
static enum ms_status read_blob(int dirfd, const cJSON *desc, size_t max, const char *what, uint8_t **out,
				size_t *out_len, struct ms_err *err)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(desc, "digest");
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(desc, "size");
	uint8_t want[MS_SHA256_LEN], got[MS_SHA256_LEN], *buf = NULL;
	char path[96];
	size_t len = 0;
	enum ms_status st;
	int fd;

	*out = NULL;
	if (!cJSON_IsString(d) || !oci_sha256(d->valuestring) || !cJSON_IsNumber(size) || size->valuedouble < 0 ||
	    size->valuedouble > (double)max)
		return ms_fail(err, MS_BAD_INPUT, "%s: descriptor without a sha256:<64 lowercase hex> digest or with a size "
			       "past %zu", what, max);
	if ((st = ms_hex_decode(d->valuestring + 7, want, MS_SHA256_LEN, what, err)))
		return st;
	snprintf(path, sizeof(path), "blobs/sha256/%s", d->valuestring + 7);
	if ((fd = ms_image_open_beneath(dirfd, path)) < 0)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s: %s", what, path, ms_open_error(errno));
	if (!(buf = malloc(max + 1))) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, max + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: %s: %s", what, path, strerror(errno));
			goto out;
		}
		if (!r || (len += (size_t)r) > max)
			break;
	}
	ms_sha256(buf, len, got);
	if (len != (size_t)size->valuedouble || memcmp(got, want, MS_SHA256_LEN)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: %s is not the blob its descriptor names (size or digest)", what, path);
		goto out;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	st = MS_OK;
out:
	free(buf);
	close(fd);
	return st;
}

void ms_cosign_free_all(struct ms_cosign *sigs, size_t count)
{
	for (size_t i = 0; sigs && i < count; i++)
		ms_cosign_free(&sigs[i]);
	free(sigs);
}

/* One simple-signing layer: its annotation and payload blob; what is wrong with it goes to c->problem. */
static void load_layer(int dirfd, const cJSON *layer, size_t i, struct ms_cosign *c)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(layer, "annotations");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(ann, SIG_ANNOTATION);
	char what[64];

	snprintf(what, sizeof(what), "cosign signature layer %zu", i + 1);
	if (!cJSON_IsString(sig)) {
		ms_fail(&c->problem, MS_BAD_INPUT, "%s: no %s annotation", what, SIG_ANNOTATION);
		return;
	}
	if (ms_cosign_set_signature_b64(c, sig->valuestring, strlen(sig->valuestring), &c->problem) ||
	    read_blob(dirfd, layer, MS_COSIGN_MAX_PAYLOAD, what, &c->payload, &c->payload_len, &c->problem)) {
		free(c->signature);
		c->signature = NULL;
	}
}

enum ms_status ms_cosign_from_layout(int dirfd, const uint8_t manifest_digest[MS_SHA256_LEN], struct ms_cosign **out,
				     size_t *count, struct ms_err *err)
{
	char tag[80], hex[2 * MS_SHA256_LEN + 1];
	const cJSON *m, *found = NULL;
	cJSON *index = NULL, *manifest = NULL;
	struct ms_cosign *sigs = NULL;
	uint8_t *buf = NULL;
	size_t len, n = 0;
	enum ms_status st;
	int fd;

	*out = NULL;
	*count = 0;
	ms_hex_encode(manifest_digest, MS_SHA256_LEN, hex);
	snprintf(tag, sizeof(tag), "sha256-%s.sig", hex);
	/* index.json is not content-addressed: read it bounded */
	if ((fd = ms_image_open_beneath(dirfd, "index.json")) >= 0) {
		struct stat sb;

		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= (off_t)MS_IMAGE_MAX_JSON &&
		    (buf = malloc((size_t)sb.st_size + 1)) && read(fd, buf, (size_t)sb.st_size) == sb.st_size)
			len = (size_t)sb.st_size;
		else {
			free(buf);
			buf = NULL;
		}
		close(fd);
	}
	if (!buf)
		return ms_fail(err, MS_BAD_INPUT, "index.json: unreadable or larger than %u bytes", MS_IMAGE_MAX_JSON);
	if ((st = ms_json_parse_strict((const char *)buf, len, "index.json", &index, err)))
		goto out;
	m = cJSON_GetObjectItemCaseSensitive(index, "manifests");
	for (const cJSON *e = cJSON_IsArray(m) ? m->child : NULL; e; e = e->next) {
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(e, "annotations");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(ann, "org.opencontainers.image.ref.name");

		if (cJSON_IsString(name) && !strcmp(name->valuestring, tag)) {
			found = e;
			break;
		}
	}
	if (!found) {
		st = ms_fail(err, MS_BAD_INPUT, "index.json: no cosign signature (tag %s) in the layout", tag);
		goto out;
	}
	free(buf);
	buf = NULL;
	if ((st = read_blob(dirfd, found, MS_IMAGE_MAX_JSON, "cosign signature manifest", &buf, &len, err)) ||
	    (st = ms_json_parse_strict((const char *)buf, len, "cosign signature manifest", &manifest, err)))
		goto out;
	m = cJSON_GetObjectItemCaseSensitive(manifest, "layers");
	for (const cJSON *l = cJSON_IsArray(m) ? m->child : NULL; l; l = l->next) {
		const cJSON *mt = cJSON_GetObjectItemCaseSensitive(l, "mediaType");

		if (!cJSON_IsString(mt) || strcmp(mt->valuestring, SIMPLE_SIGNING))
			continue;
		if (n == MS_COSIGN_MAX_SIGNATURES) {
			st = ms_fail(err, MS_BAD_INPUT, "cosign signature manifest: more than %u signature layers",
				     MS_COSIGN_MAX_SIGNATURES);
			goto out;
		}
		if (!sigs && !(sigs = calloc(MS_COSIGN_MAX_SIGNATURES, sizeof(*sigs)))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		load_layer(dirfd, l, n, &sigs[n]);
		n++;
	}
	if (!n) {
		st = ms_fail(err, MS_BAD_INPUT, "cosign signature manifest: no %s layer", SIMPLE_SIGNING);
		goto out;
	}
	*out = sigs;
	*count = n;
	sigs = NULL;
out:
	ms_cosign_free_all(sigs, n);
	free(buf);
	cJSON_Delete(index);
	cJSON_Delete(manifest);
	return st;
}
