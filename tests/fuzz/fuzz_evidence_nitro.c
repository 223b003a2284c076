/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: the nitro evidence parser and verifier. Raw inputs reach the
 * document parser; synthesised ones (first byte FZ_SYNTH) are documents whose
 * payload is built from the input's fields, encoded as CBOR and signed ES384
 * by a test leaf under a test intermediate and root (P-384), so that the chain
 * (with CRLs), the PCR mapping and the policy code are fuzzed too.
 *
 * Synthesised layout, after the first byte:
 *   ctl0   bit 0 COSE tag 18; bit 1 check at the document's time; bit 2 digest
 *          "SHA256"; bit 3 cabundle without the root; bit 4 the input's timestamp as
 *          is (else now plus a few seconds); bit 5 flip a signature bit; bit 6 alg
 *          ES256 in the protected header; bit 7 the document in base64
 *   ctl1   bits 0-2 CRLs (see crl_sets); bits 3-4 the check time; bits 5-7 extra certificates
 *   8      timestamp
 *   1+     PCR count, then per PCR: index, length selector, value
 *   1+n    module_id (text)
 *   3x     public_key, user_data, nonce: 0 absent, 1 null, 2 (1-byte length), 3 (2-byte length)
 *   1+     extra payload keys: count, then per key: 1+n key, 1+n byte string value
 *   k      one byte per extra cabundle certificate
 *   rest   a policy (JSON), applied when the document verifies
 */
#include <cbor.h>

#include "../../common/base64.h"
#include "evidence_harness.h"
#include "fuzz_pki.h"

/* Made once; never changed afterwards. */
static struct {
	struct fz_ca root, inter, other;
	EVP_PKEY *leaf_key;
	X509 *leaf;
	struct fz_blob der[4]; /* root, intermediate, leaf, another root of the same name */
	STACK_OF(X509_CRL) *crl_sets[8];
} pki;

static void pki_init(void)
{
	X509_CRL *root_crl, *inter_crl;

	if (pki.leaf)
		return;
	pki.root = fz_make_ca("test root", "P-384", NULL, 1);
	pki.inter = fz_make_ca("test intermediate", "P-384", &pki.root, 2);
	pki.other = fz_make_ca("test root", "P-384", NULL, 1);
	pki.leaf_key = fz_key("P-384");
	pki.leaf = fz_cert("test enclave", pki.leaf_key, &pki.inter, false, FZ_NOW - FZ_DAY, FZ_NOW + FZ_DAY, 3);
	pki.der[0] = fz_der(pki.root.cert);
	pki.der[1] = fz_der(pki.inter.cert);
	pki.der[2] = fz_der(pki.leaf);
	pki.der[3] = fz_der(pki.other.cert);
	root_crl = fz_crl_current(&pki.root, NULL);
	inter_crl = fz_crl_current(&pki.inter, NULL);
	/* each set owns its CRLs: up_ref the shared ones */
	pki.crl_sets[0] = NULL;                                                           /* none */
	pki.crl_sets[1] = fz_crls(2, root_crl, inter_crl);                                /* current */
	X509_CRL_up_ref(root_crl);
	pki.crl_sets[2] = fz_crls(2, root_crl, fz_crl_current(&pki.inter, pki.leaf));     /* the leaf revoked */
	X509_CRL_up_ref(inter_crl);
	pki.crl_sets[3] = fz_crls(2, fz_crl_current(&pki.root, pki.inter.cert), inter_crl); /* the intermediate revoked */
	X509_CRL_up_ref(inter_crl);
	pki.crl_sets[4] = fz_crls(2, fz_crl_stale(&pki.root), inter_crl);                 /* stale */
	X509_CRL_up_ref(inter_crl);
	pki.crl_sets[5] = fz_crls(1, inter_crl);                                          /* partial */
	pki.crl_sets[6] = fz_crls(1, fz_crl_current(&pki.other, NULL));                   /* another root's */
	X509_CRL_up_ref(root_crl);
	pki.crl_sets[7] = fz_crls(2, root_crl, fz_crl_stale(&pki.inter));                 /* the intermediate's stale */
}

static bool put(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value)
{
	bool ok = key && value && cbor_map_add(map, (struct cbor_pair){ key, value });

	if (key)
		cbor_decref(&key);
	if (value)
		cbor_decref(&value);
	return ok;
}

static cbor_item_t *text(const uint8_t *p, size_t n)
{
	return cbor_build_stringn((const char *)p, n);
}

static cbor_item_t *bytes(const uint8_t *p, size_t n)
{
	return cbor_build_bytestring(p, n);
}

/* public_key, user_data, nonce: absent, null, or a byte string */
static bool optional(struct fz_in *in, cbor_item_t *map, const char *key)
{
	uint8_t kind = fz_u8(in) & 3;
	size_t n = kind == 2 ? fz_u8(in) : kind == 3 ? fz_u16(in) % 1100 : 0, got;
	const uint8_t *p = fz_ptr(in, n, &got);

	if (kind == 0)
		return true;
	return put(map, cbor_build_string(key), kind == 1 ? cbor_new_null() : bytes(p, got));
}

static uint8_t *encode(cbor_item_t *item, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0;

	*len = item ? cbor_serialize_alloc(item, &buf, &cap) : 0;
	if (!*len) {
		free(buf);
		return NULL;
	}
	return buf;
}

static uint8_t *make_payload(struct fz_in *in, uint8_t c0, uint8_t c1, size_t *len)
{
	uint8_t ts[8], npcr, nkeys, extra[7];
	uint64_t t = 0;
	size_t n, got;
	const uint8_t *p;
	cbor_item_t *map = cbor_new_definite_map(9 + 4), *pcrs = NULL, *bundle = NULL;
	unsigned nextra = c1 >> 5;
	uint8_t *out = NULL;
	bool ok = map != NULL;

	fz_take(in, ts, 8);
	for (int i = 7; i >= 0; i--)
		t = t << 8 | ts[i];
	if (!(c0 & 16))
		t = (uint64_t)(FZ_NOW + (t & 0xff)) * 1000 + (t >> 8 & 0x3ff);
	npcr = fz_u8(in) % 40;
	ok = ok && (pcrs = cbor_new_definite_map(npcr));
	for (unsigned i = 0; ok && i < npcr; i++) {
		uint8_t idx = fz_u8(in) % 34, sel = fz_u8(in);
		size_t plen = (sel & 3) == 0 ? 32 : (sel & 3) == 1 ? 48 : (sel & 3) == 2 ? 64 : sel >> 2;

		p = fz_ptr(in, plen, &got);
		ok = put(pcrs, cbor_build_uint8(idx), bytes(p, got));
	}
	if (ok) {
		ok = put(map, cbor_build_string("pcrs"), pcrs);
	} else if (pcrs) {
		cbor_decref(&pcrs);
	}
	n = fz_u8(in);
	p = fz_ptr(in, n, &got);
	ok = ok && put(map, cbor_build_string("module_id"), text(p, got)) &&
	     put(map, cbor_build_string("digest"), cbor_build_string(c0 & 4 ? "SHA256" : "SHA384")) &&
	     put(map, cbor_build_string("timestamp"), cbor_build_uint64(t)) &&
	     put(map, cbor_build_string("certificate"), bytes(pki.der[2].p, pki.der[2].n));
	ok = ok && optional(in, map, "public_key") && optional(in, map, "user_data") && optional(in, map, "nonce");
	nkeys = fz_u8(in) % 5;
	for (unsigned i = 0; ok && i < nkeys; i++) {
		const uint8_t *k, *v;
		size_t kn, vn;

		k = fz_ptr(in, fz_u8(in) % 16, &kn);
		v = fz_ptr(in, fz_u8(in), &vn);
		ok = put(map, text(k, kn), bytes(v, vn));
	}
	/* cabundle: the root (unless asked not to), the intermediate, extras */
	fz_take(in, extra, nextra);
	ok = ok && (bundle = cbor_new_definite_array(2 + nextra));
	if (ok && !(c0 & 8))
		ok = cbor_array_push(bundle, cbor_move(bytes(pki.der[0].p, pki.der[0].n)));
	ok = ok && cbor_array_push(bundle, cbor_move(bytes(pki.der[1].p, pki.der[1].n)));
	for (unsigned i = 0; ok && i < nextra; i++)
		ok = cbor_array_push(bundle, cbor_move(bytes(pki.der[extra[i] & 3].p, pki.der[extra[i] & 3].n)));
	if (ok)
		ok = put(map, cbor_build_string("cabundle"), bundle);
	else if (bundle)
		cbor_decref(&bundle);
	if (ok)
		out = encode(map, len);
	if (map)
		cbor_decref(&map);
	return out;
}

/* COSE_Sign1 [protected, {}, payload, signature] over the payload, ES384 by the leaf. */
static uint8_t *make_doc(const uint8_t *payload, size_t payload_len, uint8_t c0, size_t *len)
{
	cbor_item_t *prot = cbor_new_definite_map(1), *sig_structure = cbor_new_definite_array(4), *cose = cbor_new_definite_array(4);
	uint8_t *pr = NULL, *tbs = NULL, *out = NULL, rs[96];
	size_t pr_len = 0, tbs_len = 0;

	if (!prot || !sig_structure || !cose ||
	    !put(prot, cbor_build_uint8(1), cbor_build_negint8(c0 & 64 ? 6 : 34)) || !(pr = encode(prot, &pr_len)) ||
	    !cbor_array_push(sig_structure, cbor_move(cbor_build_string("Signature1"))) ||
	    !cbor_array_push(sig_structure, cbor_move(bytes(pr, pr_len))) ||
	    !cbor_array_push(sig_structure, cbor_move(bytes(NULL, 0))) ||
	    !cbor_array_push(sig_structure, cbor_move(bytes(payload, payload_len))) || !(tbs = encode(sig_structure, &tbs_len)))
		goto out;
	fz_sign_rs(pki.leaf_key, EVP_sha384(), tbs, tbs_len, rs, 48);
	if (c0 & 32)
		rs[11] ^= 1;
	if (!cbor_array_push(cose, cbor_move(bytes(pr, pr_len))) || !cbor_array_push(cose, cbor_move(cbor_new_definite_map(0))) ||
	    !cbor_array_push(cose, cbor_move(bytes(payload, payload_len))) || !cbor_array_push(cose, cbor_move(bytes(rs, 96))) ||
	    !(out = encode(cose, len)))
		goto out;
	if (c0 & 1) {
		uint8_t *t = malloc(*len + 1);

		if (t) {
			t[0] = 0xd2; /* tag 18, COSE_Sign1 */
			memcpy(t + 1, out, *len);
			(*len)++;
		}
		free(out);
		out = t;
	}
	if (out && (c0 & 128)) {
		char *b = malloc(ms_base64_len(*len) + 1);

		if (b) {
			ms_base64_encode(out, *len, b);
			*len = strlen(b);
		}
		free(out);
		out = (uint8_t *)b;
	}
out:
	free(pr);
	free(tbs);
	if (prot)
		cbor_decref(&prot);
	if (sig_structure)
		cbor_decref(&sig_structure);
	if (cose)
		cbor_decref(&cose);
	return out;
}

static void synthesised(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t c0, c1, *payload, *doc = NULL;
	size_t payload_len = 0, len = 0;
	struct ms_verify_options o = { 0 };
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	struct ms_err err = { 0 };

	pki_init();
	c0 = fz_u8(&in);
	c1 = fz_u8(&in);
	if (!(payload = make_payload(&in, c0, c1, &payload_len)))
		return;
	doc = make_doc(payload, payload_len, c0, &len);
	free(payload);
	if (!doc)
		return;
	o.at = fz_time(c1 >> 3);
	o.at_evidence = c0 & 2;
	o.root_override = pki.root.cert;
	o.crls = pki.crl_sets[c1 & 7];
	if (ms_nitro_verify(doc, len, &o, &ev, &checks, &err) == MS_OK)
		fz_apply_policy(&ev, in.p, in.n);
	ms_checks_free(&checks);
	free(doc);
}

EVIDENCE_HARNESS(ms_nitro_inspect, ms_nitro_verify, synthesised)
