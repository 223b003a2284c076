/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "../common/chain.h"
#include "../common/cose.h"
#include "../common/digest.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "anchors.h"
#include "evidence.h"

#define MAX_PCRS 32
#define MAX_CABUNDLE 8
#define MAX_OPTIONAL 1024 /* public_key, user_data and nonce, per AWS */

struct bytes {
	const uint8_t *p;
	size_t n;
	bool present; /* and not null */
};

struct nitro_doc {
	uint8_t *raw; /* base64-decoded input, when it was base64 */
	cbor_item_t *root, *payload;
	struct ms_cose_sign1 cose;
	struct bytes module_id, digest, certificate, public_key, user_data, nonce;
	uint64_t timestamp_ms;
	struct bytes pcrs[MAX_PCRS];
	struct bytes cabundle[MAX_CABUNDLE];
	size_t ncabundle;
};

static void doc_free(struct nitro_doc *d)
{
	if (d->root)
		cbor_decref(&d->root);
	if (d->payload)
		cbor_decref(&d->payload);
	free(d->raw);
}

static bool definite(const cbor_item_t *i, struct bytes *b, bool text)
{
	if (text ? !cbor_isa_string(i) || !cbor_string_is_definite(i)
		 : !cbor_isa_bytestring(i) || !cbor_bytestring_is_definite(i))
		return false;
	b->p = text ? cbor_string_handle(i) : cbor_bytestring_handle(i);
	b->n = text ? cbor_string_length(i) : cbor_bytestring_length(i);
	b->present = true;
	return true;
}

/* An optional byte string: absent, null, or at most MAX_OPTIONAL bytes. */
static enum ms_status optional(const cbor_item_t *map, const char *key, struct bytes *b, struct ms_err *err)
{
	cbor_item_t *v = ms_cbor_map_get(map, key);

	if (!v || (cbor_isa_float_ctrl(v) && cbor_is_null(v)))
		return MS_OK;
	if (!definite(v, b, false))
		return ms_fail(err, MS_BAD_INPUT, "attestation document: %s is not a byte string or null", key);
	if (b->n > MAX_OPTIONAL)
		return ms_fail(err, MS_BAD_INPUT, "attestation document: %s is %zu bytes, more than %d", key, b->n,
			       MAX_OPTIONAL);
	return MS_OK;
}

static enum ms_status doc_parse(const uint8_t *buf, size_t len, struct nitro_doc *d, struct ms_err *err)
{
	cbor_item_t *pcrs, *cabundle, *v;
	enum ms_status st;
	bool tagged = false;

	memset(d, 0, sizeof(*d));
	if (len && buf[0] != 0x84 && buf[0] != 0xd2) {
		/* base64 of the document */
		size_t n;

		if ((st = ms_base64_decode((const char *)buf, len, &d->raw, &n, "attestation document (base64)", err)))
			return st;
		buf = d->raw;
		len = n;
	}
	/*
	 * COSE_Sign1's tag 18: libcbor 0.8 cannot load a tag that wraps an array,
	 * so the head is taken off here and the array loaded alone.
	 */
	if (len && buf[0] == 0xd2) {
		tagged = true;
		buf++;
		len--;
	}
	if ((st = ms_cbor_load(buf, len, 6, "attestation document", &d->root, err)) ||
	    (st = ms_cose_sign1_parse(d->root, &d->cose, err)) ||
	    (st = ms_cbor_load(d->cose.payload, d->cose.payload_len, 3, "attestation document payload", &d->payload,
			       err)))
		return st;
	d->cose.tagged |= tagged;
	if (!cbor_isa_map(d->payload))
		return ms_fail(err, MS_BAD_INPUT, "attestation document: payload is not a CBOR map");
	if (!(v = ms_cbor_map_get(d->payload, "module_id")) || !definite(v, &d->module_id, true))
		return ms_fail(err, MS_BAD_INPUT, "attestation document: module_id is missing or not text");
	if (!(v = ms_cbor_map_get(d->payload, "digest")) || !definite(v, &d->digest, true))
		return ms_fail(err, MS_BAD_INPUT, "attestation document: digest is missing or not text");
	if (!(v = ms_cbor_map_get(d->payload, "timestamp")) || !cbor_isa_uint(v))
		return ms_fail(err, MS_BAD_INPUT, "attestation document: timestamp is missing or not an unsigned integer");
	d->timestamp_ms = cbor_get_int(v);
	if (d->timestamp_ms > 253402300799999ull) /* 9999-12-31T23:59:59.999Z */
		return ms_fail(err, MS_BAD_INPUT, "attestation document: timestamp %llu ms is past the year 9999",
			       (unsigned long long)d->timestamp_ms);
	if (!(v = ms_cbor_map_get(d->payload, "certificate")) || !definite(v, &d->certificate, false))
		return ms_fail(err, MS_BAD_INPUT, "attestation document: certificate is missing or not a byte string");
	pcrs = ms_cbor_map_get(d->payload, "pcrs");
	if (!pcrs || !cbor_isa_map(pcrs) || cbor_map_size(pcrs) == 0 || cbor_map_size(pcrs) > MAX_PCRS)
		return ms_fail(err, MS_BAD_INPUT, "attestation document: pcrs is not a map of 1 to %d entries", MAX_PCRS);
	for (size_t i = 0; i < cbor_map_size(pcrs); i++) {
		struct cbor_pair p = cbor_map_handle(pcrs)[i];
		uint64_t idx;
		struct bytes b;

		if (!cbor_isa_uint(p.key) || (idx = cbor_get_int(p.key)) >= MAX_PCRS || !definite(p.value, &b, false))
			return ms_fail(err, MS_BAD_INPUT, "attestation document: pcrs entry %zu is not index -> byte string", i);
		if (b.n != 32 && b.n != 48 && b.n != 64)
			return ms_fail(err, MS_BAD_INPUT, "attestation document: PCR%llu is %zu bytes", (unsigned long long)idx,
				       b.n);
		if (d->pcrs[idx].present)
			return ms_fail(err, MS_BAD_INPUT, "attestation document: PCR%llu appears twice", (unsigned long long)idx);
		d->pcrs[idx] = b;
	}
	cabundle = ms_cbor_map_get(d->payload, "cabundle");
	if (!cabundle || !cbor_isa_array(cabundle) || cbor_array_size(cabundle) == 0 ||
	    cbor_array_size(cabundle) > MAX_CABUNDLE)
		return ms_fail(err, MS_BAD_INPUT, "attestation document: cabundle is not an array of 1 to %d certificates",
			       MAX_CABUNDLE);
	d->ncabundle = cbor_array_size(cabundle);
	for (size_t i = 0; i < d->ncabundle; i++)
		if (!definite(cbor_array_handle(cabundle)[i], &d->cabundle[i], false))
			return ms_fail(err, MS_BAD_INPUT, "attestation document: cabundle[%zu] is not a byte string", i);
	if ((st = optional(d->payload, "public_key", &d->public_key, err)) ||
	    (st = optional(d->payload, "user_data", &d->user_data, err)) ||
	    (st = optional(d->payload, "nonce", &d->nonce, err)))
		return st;
	return MS_OK;
}

enum ms_status ms_nitro_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			       struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err)
{
	struct nitro_doc d;
	X509 *leaf = NULL, *root = NULL;
	STACK_OF(X509) *bundle = NULL;
	struct ms_chain_result path = { 0 };
	enum ms_status st;
	int64_t t;
	char tbuf[32], what[112], *subject = NULL;
	bool zero = true;

	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_NITRO;
	ev->platform = "aws-nitro";
	ms_sha256(buf, len, ev->sha256);
	if ((st = doc_parse(buf, len, &d, err)))
		goto out;
	if (d.digest.n != 6 || memcmp(d.digest.p, "SHA384", 6)) {
		st = ms_fail(err, MS_UNSUPPORTED, "attestation document: digest \"%.*s\", only SHA384 is defined",
			     (int)(d.digest.n > 16 ? 16 : d.digest.n), (const char *)d.digest.p);
		goto out;
	}
	for (int i = 0; i < MAX_PCRS; i++)
		if (d.pcrs[i].present && d.pcrs[i].n != 48) {
			st = ms_fail(err, MS_BAD_INPUT, "attestation document: PCR%d is %zu bytes; a SHA384 PCR is 48", i,
				     d.pcrs[i].n);
			goto out;
		}
	ev->has_timestamp = true;
	ev->timestamp = (int64_t)(d.timestamp_ms / 1000);
	t = o->at_evidence ? ev->timestamp : o->at;

	/* the signature, with the leaf certificate's key */
	if ((st = ms_chain_cache_parse(o->chain_cache, d.certificate.p, d.certificate.n, "attestation document: certificate", &leaf, err)))
		goto out;
	if (d.cose.alg != -35) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "attestation document: COSE algorithm %s, Nitro signs with ES384",
			     ms_cose_alg_name(d.cose.alg));
		goto out;
	}
	if ((st = ms_cose_sign1_verify(&d.cose, X509_get0_pubkey(leaf), err))) {
		ms_check_add(checks, false, "COSE_Sign1 signature", "ES384 by the leaf", "does not verify");
		goto out;
	}
	ms_check_add(checks, true, "COSE_Sign1 signature", "ES384 by the leaf", "verifies");

	/* cabundle[0] is the root (AWS documents it so), the rest are intermediates; OpenSSL builds and checks the path */
	if (o->root_override) {
		root = o->root_override;
		X509_up_ref(root); /* shared, not copied: a copy would decode its key again */
	} else if ((st = ms_anchor_load(MS_ANCHOR_AWS_NITRO_G1, &root, err))) {
		goto out;
	}
	if (!(bundle = sk_X509_new_null())) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < d.ncabundle; i++) {
		X509 *c = NULL;

		snprintf(what, sizeof(what), "attestation document: cabundle[%zu]", i);
		if ((st = ms_chain_cache_parse(o->chain_cache, d.cabundle[i].p, d.cabundle[i].n, what, &c, err)))
			goto out;
		if (!sk_X509_push(bundle, c)) {
			X509_free(c);
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	}
	for (int i = 0; i < sk_X509_num(bundle); i++)
		if (!X509_cmp(sk_X509_value(bundle, i), leaf)) {
			st = ms_fail(err, MS_BAD_SIGNATURE, "cabundle[%d] is the leaf certificate itself: refused", i);
			goto out;
		}
	if (X509_cmp(sk_X509_value(bundle, 0), root)) {
		uint8_t fp[32];
		char hex[65];

		ms_x509_fingerprint(sk_X509_value(bundle, 0), fp);
		ms_hex_encode(fp, 32, hex);
		ms_check_add(checks, false, "root", o->root_override ? "the root given by the caller (override)" : "AWS Nitro root G1 (pinned)", hex);
		st = ms_fail(err, MS_BAD_SIGNATURE, "cabundle[0] is not the %s (its SHA-256 is %s)",
			     o->root_override ? "root given by the caller (override)" : "pinned AWS Nitro root G1", hex);
		goto out;
	}
	ms_check_add(checks, true, "root", o->root_override ? "OVERRIDE: the root given by the caller" : "AWS Nitro root G1 (pinned)",
		     "cabundle[0] is it");
	{
		/*
		 * Strict RFC 5280 checking stays off: AWS's per-enclave leaf
		 * certificates carry no authority key identifier, which OpenSSL's
		 * strict mode requires. Every other check of X509_verify_cert applies.
		 */
		struct ms_chain_params cp = {
			.root = root, .untrusted = bundle, .leaf = leaf, .crls = o->crls, .at = t, .lax_profile = true,
			.cache = o->chain_cache,
			.what = "certificate chain",
		};

		if ((st = ms_chain_verify(&cp, &path, err))) {
			ms_check_add(checks, false, "certificate chain", "root -> cabundle -> leaf", err->msg);
			goto out;
		}
	}
	ms_format_time(t, tbuf);
	snprintf(what, sizeof(what), "every certificate valid at %s%s", tbuf, o->at_evidence ? " (the document's time)" : "");
	ms_check_add(checks, true, "certificate chain", "root -> cabundle -> leaf", what);
	ms_evidence_revocation(o, &path, MS_REVOCATION_EVERY_CERTIFICATE, ev, checks);
	ev->checked_at = t;

	subject = ms_x509_name(X509_get_subject_name(leaf));
	snprintf(ev->signed_by, sizeof(ev->signed_by), "%s", subject ? subject : "?");
	for (int i = 0; i < MAX_PCRS; i++) {
		char name[8];

		if (!d.pcrs[i].present)
			continue;
		snprintf(name, sizeof(name), "pcr%d", i);
		ms_evidence_add(ev, name, d.pcrs[i].p, d.pcrs[i].n);
	}
	/* a debug-mode enclave reports PCR0, PCR1 and PCR2 as zeros, and never matches */
	for (int i = 0; i < 3; i++)
		for (size_t k = 0; d.pcrs[i].present && k < d.pcrs[i].n; k++)
			zero &= !d.pcrs[i].p[k];
	if (zero) {
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "PCR0, PCR1 and PCR2 are all zero: a debug-mode enclave");
	}
	if (d.nonce.present) {
		ev->freshness_len = d.nonce.n < sizeof(ev->freshness) ? d.nonce.n : sizeof(ev->freshness);
		memcpy(ev->freshness, d.nonce.p, ev->freshness_len);
	}
out:
	free(subject);
	X509_free(leaf);
	X509_free(root);
	sk_X509_pop_free(bundle, X509_free);
	ms_chain_result_free(&path);
	doc_free(&d);
	return st;
}

static cJSON *cert_json(const uint8_t *der, size_t len)
{
	X509 *c = NULL;
	cJSON *o;

	if (ms_x509_parse(der, len, "certificate", &c, NULL)) {
		o = cJSON_CreateObject();
		ms_json_add_hex(o, "der", der, len);
		cJSON_AddStringToObject(o, "error", "not a parsable certificate");
		return o;
	}
	o = ms_cert_json(c, der, len);
	X509_free(c);
	return o;
}

static void add_optional(cJSON *o, const char *key, const struct bytes *b)
{
	if (b->present)
		ms_json_add_hex(o, key, b->p, b->n);
	else
		cJSON_AddNullToObject(o, key);
}

enum ms_status ms_nitro_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err)
{
	struct nitro_doc d;
	enum ms_status st = doc_parse(buf, len, &d, err);
	cJSON *o, *p, *cab;
	char when[32], key[8];

	if (st) {
		doc_free(&d);
		return st;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "aws-nitro attestation document");
	cJSON_AddBoolToObject(o, "cose_tagged", d.cose.tagged);
	cJSON_AddStringToObject(o, "cose_algorithm", ms_cose_alg_name(d.cose.alg));
	cJSON_AddItemToObject(o, "module_id", cJSON_CreateString(""));
	{
		char *m = strndup((const char *)d.module_id.p, d.module_id.n), *g = strndup((const char *)d.digest.p, d.digest.n);

		cJSON_SetValuestring(cJSON_GetObjectItem(o, "module_id"), m ? m : "");
		cJSON_AddStringToObject(o, "digest", g ? g : "");
		free(m);
		free(g);
	}
	cJSON_AddNumberToObject(o, "timestamp", (double)d.timestamp_ms);
	ms_format_time((int64_t)(d.timestamp_ms / 1000), when);
	cJSON_AddStringToObject(o, "timestamp_utc", when);
	p = cJSON_AddObjectToObject(o, "pcrs");
	for (int i = 0; i < MAX_PCRS; i++)
		if (d.pcrs[i].present) {
			snprintf(key, sizeof(key), "%d", i);
			ms_json_add_hex(p, key, d.pcrs[i].p, d.pcrs[i].n);
		}
	cJSON_AddItemToObject(o, "certificate", cert_json(d.certificate.p, d.certificate.n));
	cab = cJSON_AddArrayToObject(o, "cabundle");
	for (size_t i = 0; i < d.ncabundle; i++)
		cJSON_AddItemToArray(cab, cert_json(d.cabundle[i].p, d.cabundle[i].n));
	add_optional(o, "public_key", &d.public_key);
	add_optional(o, "user_data", &d.user_data);
	add_optional(o, "nonce", &d.nonce);
	ms_json_add_hex(o, "signature", d.cose.signature, d.cose.signature_len);
	doc_free(&d);
	*out = o;
	return MS_OK;
}
