/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>

#include "cose.h"
#include "ecdsa.h"

/* Reads the argument of the head at buf[*pos]; 0 on truncation or reserved info. */
static int cbor_head(const uint8_t *buf, size_t len, size_t *pos, int *major, uint64_t *arg,
		     int *indefinite)
{
	uint8_t ib;
	int info, extra;

	if (*pos >= len)
		return 0;
	ib = buf[(*pos)++];
	*major = ib >> 5;
	info = ib & 31;
	*indefinite = 0;
	if (info < 24) {
		*arg = (uint64_t)info;
		return 1;
	}
	if (info == 31) {
		*indefinite = 1;
		*arg = 0;
		return *major >= 2 && *major <= 5 ? 1 : (*major == 7 ? 2 : 0);
	}
	if (info > 27)
		return 0;
	extra = 1 << (info - 24);
	if (len - *pos < (size_t)extra)
		return 0;
	*arg = 0;
	for (int i = 0; i < extra; i++)
		*arg = *arg << 8 | buf[(*pos)++];
	return 1;
}

/*
 * Walks one item iteratively: a stack of "items still owed" per level.
 * Indefinite containers owe UINT64_MAX items until a break.
 */
static enum ms_status cbor_check(const uint8_t *buf, size_t len, int max_depth, const char *what,
				 struct ms_err *err)
{
	uint64_t owed[MS_CBOR_MAX_DEPTH + 2];
	int depth = 0;
	size_t pos = 0;

	if (max_depth > MS_CBOR_MAX_DEPTH)
		max_depth = MS_CBOR_MAX_DEPTH;
	owed[0] = 1;
	while (depth > 0 || owed[0] > 0) {
		size_t at = pos;
		int major, indefinite, r;
		uint64_t arg;

		if (owed[depth] == 0) {
			depth--;
			continue;
		}
		r = cbor_head(buf, len, &pos, &major, &arg, &indefinite);
		if (r == 0)
			return ms_fail(err, MS_BAD_INPUT, "%s: CBOR truncated or malformed at offset 0x%zx",
				       what, at);
		if (r == 2) { /* break */
			if (owed[depth] != UINT64_MAX || depth == 0)
				return ms_fail(err, MS_BAD_INPUT, "%s: unexpected CBOR break at offset 0x%zx",
					       what, at);
			depth--;
			continue;
		}
		if (owed[depth] != UINT64_MAX)
			owed[depth]--;
		switch (major) {
		case 0:
		case 1:
		case 7:
			break;
		case 2:
		case 3:
			if (indefinite) {
				/* chunks: definite strings of the same major type, then break */
				for (;;) {
					int m2, ind2;
					uint64_t a2;
					size_t c = pos;

					r = cbor_head(buf, len, &pos, &m2, &a2, &ind2);
					if (r == 2)
						break;
					if (r == 0 || m2 != major || ind2)
						return ms_fail(err, MS_BAD_INPUT,
							       "%s: bad CBOR string chunk at offset 0x%zx", what, c);
					if (a2 > len - pos)
						return ms_fail(err, MS_BAD_INPUT,
							       "%s: CBOR string at offset 0x%zx runs past the end (0x%zx)",
							       what, c, len);
					pos += (size_t)a2;
				}
			} else {
				if (arg > len - pos)
					return ms_fail(err, MS_BAD_INPUT,
						       "%s: CBOR string at offset 0x%zx runs past the end (0x%zx)",
						       what, at, len);
				pos += (size_t)arg;
			}
			break;
		case 4:
		case 5:
		case 6:
			if (depth + 1 > max_depth)
				return ms_fail(err, MS_BAD_INPUT,
					       "%s: CBOR nested deeper than %d at offset 0x%zx", what,
					       max_depth, at);
			if (major == 6) {
				owed[++depth] = 1;
			} else if (indefinite) {
				owed[++depth] = UINT64_MAX;
			} else {
				/* every element takes at least one byte */
				uint64_t n = major == 5 ? arg * 2 : arg;

				if (arg > len || n > len - pos)
					return ms_fail(err, MS_BAD_INPUT,
						       "%s: CBOR %s at offset 0x%zx claims %llu items, more than the data holds",
						       what, major == 5 ? "map" : "array", at,
						       (unsigned long long)arg);
				owed[++depth] = n;
			}
			break;
		}
	}
	if (pos != len)
		return ms_fail(err, MS_BAD_INPUT, "%s: %zu bytes after the CBOR item at offset 0x%zx",
			       what, len - pos, pos);
	return MS_OK;
}

#define MAX_MAP_ENTRIES 1024

/* A map key reduced to what identifies it: its major type, and its integer value or its bytes. */
struct key {
	int kind; /* 0 uint, 1 negint, 2 bytes, 3 text */
	uint64_t value;
	const uint8_t *bytes;
	size_t len;
};

static int key_of(const cbor_item_t *k, struct key *out)
{
	memset(out, 0, sizeof(*out));
	if (cbor_isa_uint(k) || cbor_isa_negint(k)) {
		out->kind = cbor_isa_uint(k) ? 0 : 1;
		out->value = cbor_get_int(k);
		return 0;
	}
	if (cbor_isa_bytestring(k) && cbor_bytestring_is_definite(k)) {
		out->kind = 2;
		out->bytes = cbor_bytestring_handle(k);
		out->len = cbor_bytestring_length(k);
		return 0;
	}
	if (cbor_isa_string(k) && cbor_string_is_definite(k)) {
		out->kind = 3;
		out->bytes = cbor_string_handle(k);
		out->len = cbor_string_length(k);
		return 0;
	}
	return -1;
}

static int key_cmp(const void *a_, const void *b_)
{
	const struct key *a = a_, *b = b_;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind < 2)
		return a->value < b->value ? -1 : a->value > b->value;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	c = a->len ? memcmp(a->bytes, b->bytes, a->len) : 0;
	return c;
}

/*
 * Every map in the tree has distinct keys of integer or definite string type
 * (RFC 8949 section 5.6): sorted, so that a document of many large maps costs
 * n log n, not n squared, before any signature is checked.
 */
static enum ms_status unique_keys(const cbor_item_t *item, int depth, const char *what, struct ms_err *err)
{
	struct key *keys;
	size_t n;
	enum ms_status st = MS_OK;

	if (depth > MS_CBOR_MAX_DEPTH)
		return ms_fail(err, MS_BAD_INPUT, "%s: CBOR nested deeper than %d", what, MS_CBOR_MAX_DEPTH);
	if (cbor_isa_tag(item))
		return unique_keys(cbor_move(cbor_tag_item(item)), depth + 1, what, err);
	if (cbor_isa_array(item)) {
		for (size_t i = 0; i < cbor_array_size(item); i++)
			if ((st = unique_keys(cbor_array_handle(item)[i], depth + 1, what, err)))
				return st;
		return MS_OK;
	}
	if (!cbor_isa_map(item) || !(n = cbor_map_size(item)))
		return MS_OK;
	if (n > MAX_MAP_ENTRIES)
		return ms_fail(err, MS_BAD_INPUT, "%s: a CBOR map of %zu entries, more than %d", what, n, MAX_MAP_ENTRIES);
	keys = malloc(n * sizeof(*keys));
	if (!keys)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < n && !st; i++)
		if (key_of(cbor_map_handle(item)[i].key, &keys[i]))
			st = ms_fail(err, MS_BAD_INPUT, "%s: a CBOR map key (entry %zu) is not an integer or a definite string",
				     what, i);
	if (!st) {
		qsort(keys, n, sizeof(*keys), key_cmp);
		for (size_t i = 1; i < n && !st; i++)
			if (!key_cmp(&keys[i - 1], &keys[i]))
				st = ms_fail(err, MS_BAD_INPUT, "%s: a CBOR map has the same key twice", what);
	}
	free(keys);
	for (size_t i = 0; i < n && !st; i++)
		st = unique_keys(cbor_map_handle(item)[i].value, depth + 1, what, err);
	return st;
}

enum ms_status ms_cbor_load(const uint8_t *buf, size_t len, int max_depth, const char *what,
			    cbor_item_t **out, struct ms_err *err)
{
	struct cbor_load_result res;
	enum ms_status st = cbor_check(buf, len, max_depth, what, err);

	*out = NULL;
	if (st)
		return st;
	*out = cbor_load(buf, len, &res);
	if (!*out) {
		if (res.error.code == CBOR_ERR_MEMERROR)
			return ms_fail(err, MS_NO_MEMORY, "%s: out of memory decoding CBOR", what);
		return ms_fail(err, MS_BAD_INPUT, "%s: CBOR not decodable at offset 0x%zx", what,
			       res.error.position);
	}
	if ((st = unique_keys(*out, 0, what, err)))
		cbor_decref(out);
	return st;
}

enum ms_status ms_cbor_byte_array(const cbor_item_t *item, const char *what, uint8_t **out,
				  size_t *len, struct ms_err *err)
{
	size_t n;
	uint8_t *p;

	if (cbor_isa_bytestring(item)) {
		if (!cbor_bytestring_is_definite(item))
			return ms_fail(err, MS_BAD_INPUT, "%s: indefinite byte string", what);
		n = cbor_bytestring_length(item);
		p = malloc(n ? n : 1);
		if (!p)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		if (n)
			memcpy(p, cbor_bytestring_handle(item), n);
	} else if (cbor_isa_array(item)) {
		cbor_item_t **elems = cbor_array_handle(item);

		n = cbor_array_size(item);
		p = malloc(n ? n : 1);
		if (!p)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		for (size_t i = 0; i < n; i++) {
			if (!cbor_isa_uint(elems[i]) || cbor_get_int(elems[i]) > 255) {
				free(p);
				return ms_fail(err, MS_BAD_INPUT, "%s: element %zu is not a byte", what, i);
			}
			p[i] = (uint8_t)cbor_get_int(elems[i]);
		}
	} else {
		return ms_fail(err, MS_BAD_INPUT, "%s: not a byte string or byte array", what);
	}
	*out = p;
	*len = n;
	return MS_OK;
}

cbor_item_t *ms_cbor_map_get(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs;
	size_t klen = strlen(key);

	if (!cbor_isa_map(map))
		return NULL;
	pairs = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++) {
		cbor_item_t *k = pairs[i].key;

		if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == klen &&
		    memcmp(cbor_string_handle(k), key, klen) == 0)
			return pairs[i].value;
	}
	return NULL;
}

static int definite_bstr(const cbor_item_t *item, const uint8_t **p, size_t *n)
{
	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
		return 0;
	*p = cbor_bytestring_handle(item);
	*n = cbor_bytestring_length(item);
	return 1;
}

enum ms_status ms_cose_sign1_parse(const cbor_item_t *item, struct ms_cose_sign1 *out,
				   struct ms_err *err)
{
	cbor_item_t **elems, *hdr = NULL;
	struct cbor_load_result res;
	enum ms_status st = MS_OK;
	int have_alg = 0;

	memset(out, 0, sizeof(*out));
	if (cbor_isa_tag(item)) {
		if (cbor_tag_value(item) != 18)
			return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: CBOR tag %llu, expected 18",
				       (unsigned long long)cbor_tag_value(item));
		cbor_item_t *inner = cbor_tag_item(item), *ref = inner;

		out->tagged = true;
		cbor_decref(&ref); /* the tag still holds a reference to inner */
		item = inner;
	}
	if (!cbor_isa_array(item) || cbor_array_size(item) != 4)
		return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: not an array of 4 items");
	elems = cbor_array_handle(item);
	if (!definite_bstr(elems[0], &out->protected_hdr, &out->protected_len))
		return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: protected header is not a byte string");
	if (!cbor_isa_map(elems[1]))
		return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: unprotected header is not a map");
	if (!definite_bstr(elems[2], &out->payload, &out->payload_len))
		return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: payload is not a byte string");
	if (!definite_bstr(elems[3], &out->signature, &out->signature_len))
		return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: signature is not a byte string");
	if (out->protected_len == 0)
		return ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: empty protected header (no algorithm)");
	st = cbor_check(out->protected_hdr, out->protected_len, 2, "COSE_Sign1 protected header", err);
	if (st)
		return st;
	hdr = cbor_load(out->protected_hdr, out->protected_len, &res);
	if (!hdr || !cbor_isa_map(hdr)) {
		st = ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: protected header is not a CBOR map");
		goto out;
	}
	if ((st = unique_keys(hdr, 0, "COSE_Sign1 protected header", err)))
		goto out;
	for (size_t i = 0; i < cbor_map_size(hdr); i++) {
		struct cbor_pair p = cbor_map_handle(hdr)[i];

		/* crit (label 2) names parameters the verifier must understand: this one understands none */
		if (cbor_isa_uint(p.key) && cbor_get_int(p.key) == 2) {
			st = ms_fail(err, MS_UNSUPPORTED, "COSE_Sign1: protected header has crit (label 2): refused");
			goto out;
		}
		if (cbor_isa_uint(p.key) && cbor_get_int(p.key) == 1) {
			if (cbor_isa_negint(p.value))
				out->alg = -1 - (int64_t)cbor_get_int(p.value);
			else if (cbor_isa_uint(p.value))
				out->alg = (int64_t)cbor_get_int(p.value);
			else
				break;
			have_alg = 1;
		}
	}
	if (!have_alg)
		st = ms_fail(err, MS_BAD_INPUT, "COSE_Sign1: protected header has no integer alg (label 1)");
out:
	if (hdr)
		cbor_decref(&hdr);
	return st;
}

const char *ms_cose_alg_name(int64_t alg)
{
	switch (alg) {
	case -7:
		return "ES256";
	case -35:
		return "ES384";
	case -36:
		return "ES512";
	}
	return "unknown";
}

/* A definite CBOR head for a byte or text string of length n. */
static size_t put_head(uint8_t *p, int major, uint64_t n)
{
	int k = n < 24 ? 0 : n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffu ? 4 : 8;

	p[0] = (uint8_t)(major << 5 | (k == 0 ? (int)n : k == 1 ? 24 : k == 2 ? 25 : k == 4 ? 26 : 27));
	for (int i = 0; i < k; i++)
		p[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	return 1 + (size_t)k;
}

enum ms_status ms_cose_sign1_verify(const struct ms_cose_sign1 *cose, void *pkey_,
				    struct ms_err *err)
{
	EVP_PKEY *pkey = pkey_;
	const char *md_name, *want_curve;
	size_t half, n = 0;
	uint8_t *tbs = NULL;
	char curve[64] = "";
	enum ms_status st = MS_OK;

	switch (cose->alg) {
	case -7:
		md_name = "SHA256", want_curve = "prime256v1", half = 32;
		break;
	case -35:
		md_name = "SHA384", want_curve = "secp384r1", half = 48;
		break;
	case -36:
		md_name = "SHA512", want_curve = "secp521r1", half = 66;
		break;
	default:
		return ms_fail(err, MS_UNSUPPORTED, "COSE_Sign1: algorithm %lld is not ES256/ES384/ES512",
			       (long long)cose->alg);
	}
	if (!pkey)
		return ms_fail(err, MS_BAD_SIGNATURE, "COSE_Sign1: the signer's public key cannot be decoded");
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve),
					    NULL) ||
	    strcmp(curve, want_curve) != 0)
		return ms_fail(err, MS_BAD_SIGNATURE, "COSE_Sign1: %s needs a %s key, the certificate has %s",
			       ms_cose_alg_name(cose->alg), want_curve, curve[0] ? curve : "another type");
	if (cose->signature_len != 2 * half)
		return ms_fail(err, MS_BAD_SIGNATURE, "COSE_Sign1: signature is %zu bytes, %s needs %zu",
			       cose->signature_len, ms_cose_alg_name(cose->alg), 2 * half);

	tbs = malloc(32 + cose->protected_len + cose->payload_len);
	if (!tbs) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	tbs[n++] = 0x84;
	n += put_head(tbs + n, 3, 10);
	memcpy(tbs + n, "Signature1", 10);
	n += 10;
	n += put_head(tbs + n, 2, cose->protected_len);
	memcpy(tbs + n, cose->protected_hdr, cose->protected_len);
	n += cose->protected_len;
	tbs[n++] = 0x40;
	n += put_head(tbs + n, 2, cose->payload_len);
	memcpy(tbs + n, cose->payload, cose->payload_len);
	n += cose->payload_len;

	st = ms_ecdsa_verify_raw(pkey, md_name, tbs, n, cose->signature, cose->signature + half, half,
				 MS_ECDSA_BIG_ENDIAN);
	if (st == MS_NO_MEMORY)
		st = ms_fail(err, st, "out of memory");
	else if (st)
		st = ms_fail(err, MS_BAD_SIGNATURE, "COSE_Sign1: %s signature does not verify",
			     ms_cose_alg_name(cose->alg));
out:
	free(tbs);
	return st;
}
