/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/chain.h"
#include "../common/cose.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../common/x509.h"
#include "evidence.h"
#include "maa.h"

void ms_check_add(struct ms_checks *c, bool ok, const char *what, const char *expected, const char *found)
{
	ms_check_add_state(c, ok ? MS_CHECK_PASS : MS_CHECK_FAIL, -1, what, expected, found);
}

void ms_check_add_state(struct ms_checks *c, enum ms_check_state state, long first_diff, const char *what,
			const char *expected, const char *found)
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
	k->ok = state == MS_CHECK_PASS;
	k->state = state;
	k->first_diff = first_diff;
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

enum ms_evidence_type ms_evidence_report_type(const struct ms_evidence *ev)
{
	if (ev->type != MS_EVIDENCE_MAA || !ev->platform)
		return ev->type;
	return !strcmp(ev->platform, "sev-snp") ? MS_EVIDENCE_SNP : MS_EVIDENCE_TDX;
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
	case MS_EVIDENCE_MAA:
		return "maa";
	case MS_EVIDENCE_AZURE_VTPM:
		return "azure-vtpm";
	default:
		return "unknown";
	}
}

enum ms_evidence_type ms_evidence_detect(const uint8_t *buf, size_t len)
{
	/* COSE_Sign1: an array of four (0x84), maybe under tag 18 (0xd2); or its base64 ("hE", "0oR") */
	if (len > 4 && (buf[0] == 0x84 || (buf[0] == 0xd2 && buf[1] == 0x84)))
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
	if (ms_jwt_detect(buf, len))
		return MS_EVIDENCE_MAA;
	/* trustee's Azure vTPM JSON: v1/v2 name hcl_report and tpm_quote, v0 report and quote */
	if (len > 2 && len <= MS_AZURE_VTPM_MAX && memchr(buf, '{', len < 16 ? len : 16) &&
	    ((memmem(buf, len, "\"hcl_report\"", 12) && memmem(buf, len, "\"tpm_quote\"", 11)) ||
	     (memmem(buf, len, "\"report\"", 8) && memmem(buf, len, "\"quote\"", 7) && memmem(buf, len, "\"pcrs\"", 6))))
		return MS_EVIDENCE_AZURE_VTPM;
	return MS_EVIDENCE_UNKNOWN;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static int hex_value(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex text (whitespace anywhere, an optional leading 0x): decoded, or false when it is not hex. */
static bool hex_text(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
	size_t i = 0, n = 0, digits = 0;
	uint8_t *o;
	int hi = -1;

	while (i < len && is_space(buf[i]))
		i++;
	if (len - i >= 2 && buf[i] == '0' && (buf[i + 1] == 'x' || buf[i + 1] == 'X'))
		i += 2;
	for (size_t k = i; k < len; k++) {
		if (hex_value(buf[k]) >= 0)
			digits++;
		else if (!is_space(buf[k]))
			return false;
	}
	if (!digits || digits % 2 || !(o = malloc(digits / 2)))
		return false;
	for (; i < len; i++) {
		int v = hex_value(buf[i]);

		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			o[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*out = o;
	*out_len = n;
	return true;
}

/* Base64 text (standard alphabet, padding optional, whitespace anywhere): decoded, or false. */
static bool base64_text(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_space(buf[i]) && buf[i] != '+' && buf[i] != '/' && buf[i] != '=' &&
		    !(buf[i] >= '0' && buf[i] <= '9') && !(buf[i] >= 'a' && buf[i] <= 'z') && !(buf[i] >= 'A' && buf[i] <= 'Z'))
			return false;
	return ms_base64_decode((const char *)buf, len, out, out_len, "evidence", NULL) == MS_OK;
}

/* dstack's GetQuote reply: {"quote_hex": "...", ...}. */
static bool json_quote(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
	cJSON *j = NULL;
	const cJSON *q;
	bool ok = false;

	if (ms_json_parse_strict((const char *)buf, len, "evidence", &j, NULL))
		goto out;
	q = cJSON_GetObjectItemCaseSensitive(j, "quote_hex");
	if (cJSON_IsString(q))
		ok = hex_text((const uint8_t *)q->valuestring, strlen(q->valuestring), out, out_len);
out:
	cJSON_Delete(j);
	return ok;
}

enum ms_status ms_evidence_open(const uint8_t *buf, size_t len, enum ms_evidence_type forced, uint8_t **owned,
				const uint8_t **data, size_t *data_len, enum ms_evidence_type *type, struct ms_err *err)
{
	enum ms_evidence_type t = ms_evidence_detect(buf, len);
	uint8_t *dec = NULL, *inner = NULL;
	size_t n = 0, i = 0;
	enum ms_status st = MS_OK;

	*owned = NULL;
	while (i < len && is_space(buf[i]))
		i++;
	if (t == MS_EVIDENCE_UNKNOWN && len) {
		/* text: decoded, then recognised like binary */
		bool text = i < len && buf[i] == '{' ? json_quote(buf, len, &dec, &n)
					  : hex_text(buf, len, &dec, &n) || base64_text(buf, len, &dec, &n);

		if (text && (t = ms_evidence_detect(dec, n)) == MS_EVIDENCE_UNKNOWN && !forced) {
			free(dec);
			dec = NULL;
		}
	}
	if (dec) {
		buf = dec;
		len = n;
	}
	if (forced)
		t = forced;
	if (t == MS_EVIDENCE_UNKNOWN) {
		st = ms_fail(err, MS_BAD_INPUT, "not recognised as a Nitro attestation document, an SNP report "
						"(1184 bytes) or a TDX quote, in binary, hex or base64");
		goto out;
	}
	if (t == MS_EVIDENCE_TDX && len && (buf[0] & 0xe0) == 0xa0) {
		if ((st = ms_envelope_unwrap(buf, len, &inner, &n, err)))
			goto out;
		free(dec);
		dec = inner;
		buf = inner;
		len = n;
	}
	*owned = dec;
	dec = NULL;
	*data = buf;
	*data_len = len;
	*type = t;
out:
	free(dec);
	return st;
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

void ms_evidence_revocation(const struct ms_verify_options *o, const struct ms_chain_result *path, const char *scope,
			    struct ms_evidence *ev, struct ms_checks *checks)
{
	char found[96];

	ev->crls_applied = path->crls_used;
	ev->crls_used_mask = path->crls_used_mask;
	ev->revocation_checked = path->revocation_checked;
	if (!o->crls || !sk_X509_CRL_num(o->crls)) {
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "revocation", scope, "no CRL was given");
		return;
	}
	if (!path->revocation_checked) {
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "revocation", scope,
				   "none of the CRLs given is for this chain");
		return;
	}
	snprintf(found, sizeof(found), "%zu CRL%s on the path, nothing revoked", path->crls_used,
		 path->crls_used == 1 ? "" : "s");
	ms_check_add(checks, true, "revocation", scope, found);
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

enum ms_status ms_evidence_verify(enum ms_evidence_type type, const uint8_t *buf, size_t len,
				  const struct ms_verify_options *o, struct ms_evidence *ev, struct ms_checks *checks,
				  struct ms_err *err)
{
	switch (type) {
	case MS_EVIDENCE_NITRO:
		return ms_nitro_verify(buf, len, o, ev, checks, err);
	case MS_EVIDENCE_SNP:
		return ms_snp_verify(buf, len, o, ev, checks, err);
	case MS_EVIDENCE_TDX:
		return ms_tdx_verify(buf, len, o, ev, checks, err);
	case MS_EVIDENCE_MAA:
		return ms_maa_verify(buf, len, o, ev, checks, err);
	default:
		return ms_fail(err, MS_UNSUPPORTED, "no verifier for %s evidence here", ms_evidence_type_name(type));
	}
}
