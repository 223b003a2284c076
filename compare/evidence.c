/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/chain.h"
#include "../common/cose.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "evidence.h"

void ms_check_add(struct ms_checks *c, bool ok, const char *what, const char *expected, const char *found)
{
	struct ms_check *k;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		struct ms_check *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->failed = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	k = &c->v[c->n];
	k->what = strdup(what ? what : "");
	k->expected = strdup(expected ? expected : "");
	k->found = strdup(found ? found : "");
	k->ok = ok;
	if (!k->what || !k->expected || !k->found) {
		free(k->what);
		free(k->expected);
		free(k->found);
		c->failed = true;
		return;
	}
	c->n++;
}

void ms_checks_free(struct ms_checks *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].what);
		free(c->v[i].expected);
		free(c->v[i].found);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void ms_evidence_add(struct ms_evidence *ev, const char *name, const uint8_t *value, size_t len)
{
	if (ev->nm == MS_EVIDENCE_MAX_MEASUREMENTS || len > sizeof(ev->m[0].value))
		return;
	snprintf(ev->m[ev->nm].name, sizeof(ev->m[0].name), "%s", name);
	memcpy(ev->m[ev->nm].value, value, len);
	ev->m[ev->nm].len = len;
	ev->nm++;
}

const char *ms_evidence_type_name(enum ms_evidence_type t)
{
	switch (t) {
	case MS_EVIDENCE_NITRO:
		return "nitro";
	case MS_EVIDENCE_SNP:
		return "snp";
	case MS_EVIDENCE_TDX:
		return "tdx";
	default:
		return "unknown";
	}
}

enum ms_evidence_type ms_evidence_detect(const uint8_t *buf, size_t len)
{
	/* COSE_Sign1: an array of four (0x84), maybe under tag 18 (0xd2); or its base64 ("hE", "0oR") */
	if (len > 4 && (buf[0] == 0x84 || (buf[0] == 0xd2 && buf[1] == 0x84)))
		return MS_EVIDENCE_NITRO;
	if (len > 4 && (!memcmp(buf, "hE", 2) || !memcmp(buf, "0oRE", 4)))
		return MS_EVIDENCE_NITRO;
	/* TDX quote: version 4 or 5, attestation key type 2, TEE type 0x81 */
	if (len >= 48 && (buf[0] == 4 || buf[0] == 5) && !buf[1] && buf[2] == 2 && !buf[3] && buf[4] == 0x81)
		return MS_EVIDENCE_TDX;
	/* CBOR map envelope carrying a TDX quote */
	if (len > 8 && (buf[0] & 0xe0) == 0xa0 && memmem(buf, len < 64 ? len : 64, "tdx_wire", 8))
		return MS_EVIDENCE_TDX;
	/* SNP report: 1184 bytes, version 2 to 5, signature algorithm 1 */
	if (len == 1184 && buf[0] >= 2 && buf[0] <= 5 && !buf[1] && buf[0x34] == 1)
		return MS_EVIDENCE_SNP;
	return MS_EVIDENCE_UNKNOWN;
}

enum ms_status ms_envelope_unwrap(const uint8_t *buf, size_t len, uint8_t **quote, size_t *quote_len,
				  struct ms_err *err)
{
	cbor_item_t *root = NULL, *wire;
	enum ms_status st = ms_cbor_load(buf, len, 4, "envelope", &root, err);

	if (st)
		return st;
	{
		cbor_item_t *platform = ms_cbor_map_get(root, "platform");

		/* a platform field naming anything but TDX contradicts the quote inside */
		if (platform && (!cbor_isa_string(platform) || !cbor_string_is_definite(platform) ||
				 cbor_string_length(platform) != 3 || memcmp(cbor_string_handle(platform), "tdx", 3))) {
			st = ms_fail(err, MS_BAD_INPUT, "envelope: \"platform\" is not \"tdx\", yet it carries a TDX quote");
			goto out;
		}
	}
	wire = ms_cbor_map_get(root, "tdx_wire");
	if (!wire) {
		st = ms_fail(err, MS_BAD_INPUT, "envelope: no \"tdx_wire\" field");
		goto out;
	}
	st = ms_cbor_byte_array(wire, "envelope: tdx_wire", quote, quote_len, err);
out:
	cbor_decref(&root);
	return st;
}

void ms_evidence_revocation(const struct ms_verify_options *o, const struct ms_chain_result *path, struct ms_evidence *ev,
			    struct ms_checks *checks)
{
	char found[96];

	ev->crls_applied = path->crls_used;
	ev->revocation_checked = path->revocation_checked;
	if (!o->crls || !sk_X509_CRL_num(o->crls))
		return;
	if (!path->revocation_checked) {
		ms_check_add(checks, true, "revocation", "every certificate checked against its issuer's CRL",
			      "not checked: none of the CRLs given is for this chain");
		return;
	}
	snprintf(found, sizeof(found), "%zu CRL%s on the path, nothing revoked", path->crls_used,
		 path->crls_used == 1 ? "" : "s");
	ms_check_add(checks, true, "revocation", "every certificate checked against its issuer's CRL", found);
}

cJSON *ms_cert_json(X509 *c, const uint8_t *der, size_t der_len)
{
	cJSON *o = cJSON_CreateObject();
	char *s, when[32];
	int64_t t;
	uint8_t fp[32];

	s = ms_x509_name(X509_get_subject_name(c));
	cJSON_AddStringToObject(o, "subject", s ? s : "");
	free(s);
	s = ms_x509_name(X509_get_issuer_name(c));
	cJSON_AddStringToObject(o, "issuer", s ? s : "");
	free(s);
	if (!ms_asn1_time_unix(X509_get0_notBefore(c), &t)) {
		ms_format_time(t, when);
		cJSON_AddStringToObject(o, "not_before", when);
	}
	if (!ms_asn1_time_unix(X509_get0_notAfter(c), &t)) {
		ms_format_time(t, when);
		cJSON_AddStringToObject(o, "not_after", when);
	}
	ms_x509_fingerprint(c, fp);
	ms_json_add_hex(o, "sha256", fp, 32);
	if (der)
		ms_json_add_hex(o, "der", der, der_len);
	return o;
}
