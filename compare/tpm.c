/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "../common/digest.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/json_strict.h"
#include "../common/pubkey.h"
#include "evidence.h"
#include "tpm.h"

const char *ms_tpm_alg_name(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1: return "sha1";
	case TPM2_ALG_SHA256: return "sha256";
	case TPM2_ALG_SHA384: return "sha384";
	case TPM2_ALG_SHA512: return "sha512";
	default: return NULL;
	}
}

size_t ms_tpm_alg_size(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1: return 20;
	case TPM2_ALG_SHA256: return 32;
	case TPM2_ALG_SHA384: return 48;
	case TPM2_ALG_SHA512: return 64;
	default: return 0;
	}
}

/*
 * libtss2-mu is loaded at the first TPM structure parsed, not linked: only
 * `measure tpm` and TPM evidence use it, and every other command would pay
 * its loading and relocation at start-up. The prototypes come from tss2_mu.h.
 */
static struct {
	bool loaded;
	__typeof__(Tss2_MU_TPMS_ATTEST_Unmarshal) *attest;
	__typeof__(Tss2_MU_TPMT_SIGNATURE_Unmarshal) *signature;
	__typeof__(Tss2_MU_TPM2B_PUBLIC_Unmarshal) *public2b;
	__typeof__(Tss2_MU_TPMT_PUBLIC_Unmarshal) *public;
} mu;

#define TSS2_MU_SONAME "libtss2-mu.so.0"

static enum ms_status load_tss2_mu(struct ms_err *err)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
		{ "Tss2_MU_TPMS_ATTEST_Unmarshal", offsetof(__typeof__(mu), attest) },
		{ "Tss2_MU_TPMT_SIGNATURE_Unmarshal", offsetof(__typeof__(mu), signature) },
		{ "Tss2_MU_TPM2B_PUBLIC_Unmarshal", offsetof(__typeof__(mu), public2b) },
		{ "Tss2_MU_TPMT_PUBLIC_Unmarshal", offsetof(__typeof__(mu), public) },
	};
	void *lib;

	if (mu.loaded)
		return MS_OK;
	if (!(lib = dlopen(TSS2_MU_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return ms_fail(err, MS_UNSUPPORTED, "TPM structures need libtss2-mu, and " TSS2_MU_SONAME " cannot be "
			       "loaded (Debian: apt-get install libtss2-mu0): %s", dlerror());
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].name);

		if (!f) {
			dlclose(lib);
			return ms_fail(err, MS_UNSUPPORTED, "the libtss2-mu loaded (" TSS2_MU_SONAME ") lacks %s",
				       syms[i].name);
		}
		memcpy((char *)&mu + syms[i].offset, &f, sizeof(f));
	}
	mu.loaded = true;
	return MS_OK;
}

static const EVP_MD *alg_md(uint16_t alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1: return EVP_sha1();
	case TPM2_ALG_SHA256: return EVP_sha256();
	case TPM2_ALG_SHA384: return EVP_sha384();
	case TPM2_ALG_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

static uint16_t alg_by_name(const char *name)
{
	static const uint16_t algs[] = { TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512 };

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (!strcmp(name, ms_tpm_alg_name(algs[i])))
			return algs[i];
	return TPM2_ALG_ERROR;
}

struct ms_tpm_bank *ms_tpm_pcrs_bank(struct ms_tpm_pcrs *p, uint16_t alg, bool add)
{
	for (unsigned i = 0; i < p->nbanks; i++)
		if (p->bank[i].alg == alg)
			return &p->bank[i];
	if (!add || p->nbanks == MS_TPM_MAX_BANKS)
		return NULL;
	memset(&p->bank[p->nbanks], 0, sizeof(p->bank[0]));
	p->bank[p->nbanks].alg = alg;
	return &p->bank[p->nbanks++];
}

static const struct ms_tpm_bank *find_bank(const struct ms_tpm_pcrs *p, uint16_t alg)
{
	for (unsigned i = 0; i < p->nbanks; i++)
		if (p->bank[i].alg == alg)
			return &p->bank[i];
	return NULL;
}

/* The outcome of unmarshalling len bytes as a whole TPM structure named type (libtss2-mu rc, ending at off). */
static enum ms_status unmarshalled(const char *type, TSS2_RC rc, size_t off, size_t len, struct ms_err *err)
{
	if (rc != TSS2_RC_SUCCESS)
		return ms_fail(err, MS_BAD_INPUT, "%s (%zu bytes) is truncated or malformed (libtss2-mu 0x%x)", type, len,
			       (unsigned)rc);
	if (off != len)
		return ms_fail(err, MS_BAD_INPUT, "%s ends at offset 0x%zx, %zu bytes of trailing data", type, off,
			       len - off);
	return MS_OK;
}

enum ms_status ms_tpm_attest_parse(const uint8_t *buf, size_t len, TPMS_ATTEST *out, struct ms_err *err)
{
	size_t off = 0;
	TSS2_RC rc;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if ((st = load_tss2_mu(err)))
		return st;
	rc = mu.attest(buf, len, &off, out); /* before off is read */
	return unmarshalled("TPMS_ATTEST", rc, off, len, err);
}

enum ms_status ms_tpm_signature_parse(const uint8_t *buf, size_t len, TPMT_SIGNATURE *out, struct ms_err *err)
{
	size_t off = 0;
	TSS2_RC rc;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if ((st = load_tss2_mu(err)))
		return st;
	rc = mu.signature(buf, len, &off, out); /* before off is read */
	return unmarshalled("TPMT_SIGNATURE", rc, off, len, err);
}

static enum ms_status rsa_key(const TPMT_PUBLIC *pub, EVP_PKEY **out, struct ms_err *err)
{
	enum ms_status st = MS_NO_MEMORY;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint32_t exponent = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent : 65537;

	if (pub->unique.rsa.size == 0 || pub->parameters.rsaDetail.keyBits != 8u * pub->unique.rsa.size) {
		st = ms_fail(err, MS_BAD_INPUT, "TPMT_PUBLIC: keyBits %u and an RSA modulus of %u bytes disagree",
			     pub->parameters.rsaDetail.keyBits, pub->unique.rsa.size);
		goto out;
	}
	n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
	e = BN_new();
	if (!bld || !n || !e || !BN_set_word(e, exponent) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(ctx) <= 0)
		goto fail;
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		st = ms_fail(err, MS_BAD_INPUT, "TPMT_PUBLIC: the RSA key is not usable");
		goto out;
	}
	if ((st = ms_sig_key_acceptable(*out, "AK (TPMT_PUBLIC)", MS_BAD_SIGNATURE, err))) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	goto out;
fail:
	st = ms_fail(err, MS_NO_MEMORY, "out of memory");
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return st;
}

static enum ms_status ecc_key(const TPMT_PUBLIC *pub, EVP_PKEY **out, struct ms_err *err)
{
	enum ms_status st;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	const char *curve;
	size_t size;
	uint8_t point[1 + 2 * 66];

	switch (pub->parameters.eccDetail.curveID) {
	case TPM2_ECC_NIST_P256: curve = "prime256v1", size = 32; break;
	case TPM2_ECC_NIST_P384: curve = "secp384r1", size = 48; break;
	default:
		st = ms_fail(err, MS_UNSUPPORTED, "TPMT_PUBLIC: ECC curve 0x%04x is not supported (P-256, P-384)",
			     pub->parameters.eccDetail.curveID);
		goto out;
	}
	if (pub->unique.ecc.x.size != size || pub->unique.ecc.y.size != size) {
		st = ms_fail(err, MS_BAD_INPUT, "TPMT_PUBLIC: ECC point coordinates are %u and %u bytes, the curve needs %zu",
			     pub->unique.ecc.x.size, pub->unique.ecc.y.size, size);
		goto out;
	}
	point[0] = 4;
	memcpy(point + 1, pub->unique.ecc.x.buffer, size);
	memcpy(point + 1 + size, pub->unique.ecc.y.buffer, size);
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * size) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) || !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
	    EVP_PKEY_fromdata_init(ctx) <= 0) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		st = ms_fail(err, MS_BAD_INPUT, "TPMT_PUBLIC: the ECC point is not on the curve");
		goto out;
	}
	if ((st = ms_sig_key_acceptable(*out, "AK (TPMT_PUBLIC)", MS_BAD_SIGNATURE, err))) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return st;
}

/*
 * A quote proves something only when the TPM made it: the AK must be a restricted
 * signing key that never left the TPM (a key that is not restricted signs any
 * bytes, TPM_GENERATED_VALUE prefix included).
 */
static enum ms_status ak_attributes(TPMA_OBJECT attrs, size_t off, struct ms_err *err)
{
	static const struct {
		TPMA_OBJECT bit;
		const char *name;
	} need[] = {
		{ TPMA_OBJECT_RESTRICTED, "restricted" },
		{ TPMA_OBJECT_SIGN_ENCRYPT, "sign" },
		{ TPMA_OBJECT_FIXEDTPM, "fixedTPM" },
		{ TPMA_OBJECT_FIXEDPARENT, "fixedParent" },
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!(attrs & need[i].bit))
			return ms_fail(err, MS_BAD_SIGNATURE,
				       "AK: objectAttributes 0x%08x (offset 0x%zx) lacks %s: not an attestation key, its "
				       "quotes prove nothing", (unsigned)attrs, off, need[i].name);
	if (attrs & TPMA_OBJECT_DECRYPT)
		return ms_fail(err, MS_BAD_SIGNATURE,
			       "AK: objectAttributes 0x%08x (offset 0x%zx) has decrypt: not an attestation key, its quotes "
			       "prove nothing", (unsigned)attrs, off);
	return MS_OK;
}

enum ms_status ms_tpm_ak_load(const uint8_t *buf, size_t len, EVP_PKEY **out, bool *attrs_checked, struct ms_err *err)
{
	TPM2B_PUBLIC pub2b = { 0 };
	TPMT_PUBLIC pub = { 0 };
	size_t off = 0, attrs_off = 6;
	enum ms_status st;

	*out = NULL;
	if (attrs_checked)
		*attrs_checked = false;
	if (len >= 10 && !memcmp(buf, "-----BEGIN", 10)) {
		BIO *bio = BIO_new_mem_buf(buf, (int)(len > 1u << 20 ? 1u << 20 : len));

		if (!bio)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		*out = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (!*out)
			return ms_fail(err, MS_BAD_INPUT, "AK: not a PEM public key (\"BEGIN PUBLIC KEY\")");
		goto strength;
	}
	if (len >= 2 && buf[0] == 0x30) {
		const unsigned char *p = buf;

		*out = d2i_PUBKEY(NULL, &p, (long)len);
		if (*out && p == buf + len)
			goto strength;
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	if ((st = load_tss2_mu(err)))
		return st;
	if (mu.public2b(buf, len, &off, &pub2b) == TSS2_RC_SUCCESS && off == len) {
		pub = pub2b.publicArea;
	} else {
		off = 0;
		attrs_off = 4;
		if (mu.public(buf, len, &off, &pub) != TSS2_RC_SUCCESS || off != len)
			return ms_fail(err, MS_BAD_INPUT,
				       "AK (%zu bytes) is neither a PEM/DER public key nor a TPM2B_PUBLIC/TPMT_PUBLIC", len);
	}
	if ((st = ak_attributes(pub.objectAttributes, attrs_off, err)))
		return st;
	if (attrs_checked)
		*attrs_checked = true;
	if (pub.type == TPM2_ALG_RSA)
		return rsa_key(&pub, out, err);
	if (pub.type == TPM2_ALG_ECC)
		return ecc_key(&pub, out, err);
	return ms_fail(err, MS_UNSUPPORTED, "AK: TPMT_PUBLIC type 0x%04x (offset 0x2) is neither RSA nor ECC", pub.type);
strength:
	if ((st = ms_sig_key_acceptable(*out, "AK", MS_BAD_SIGNATURE, err))) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return st;
}

static enum ms_status pcrs_from_tools(const uint8_t *buf, size_t len, struct ms_tpm_pcrs *out, struct ms_err *err)
{
	TPML_PCR_SELECTION sel;
	TPML_DIGEST list;
	uint32_t nlists;
	size_t off = sizeof(sel) + 4, used = 0;
	uint32_t li = 0;

	if (len < sizeof(sel) + 4)
		return ms_fail(err, MS_BAD_INPUT, "PCR file is %zu bytes: too short for a TPML_PCR_SELECTION", len);
	memcpy(&sel, buf, sizeof(sel));
	memcpy(&nlists, buf + sizeof(sel), 4);
	if (sel.count > TPM2_NUM_PCR_BANKS || sel.count > MS_TPM_MAX_BANKS)
		return ms_fail(err, MS_BAD_INPUT, "PCR file: selection count %u (offset 0x0) is more than %u banks",
			       sel.count, MS_TPM_MAX_BANKS);
	if (nlists > (len - off) / sizeof(list) || off + (size_t)nlists * sizeof(list) != len)
		return ms_fail(err, MS_BAD_INPUT, "PCR file: %u digest lists (offset 0x%zx) do not fill its %zu bytes",
			       nlists, sizeof(sel), len);
	memset(&list, 0, sizeof(list));
	for (uint32_t b = 0; b < sel.count; b++) {
		const TPMS_PCR_SELECTION *s = &sel.pcrSelections[b];
		size_t size = ms_tpm_alg_size(s->hash);
		struct ms_tpm_bank *bank;

		if (!size)
			return ms_fail(err, MS_UNSUPPORTED, "PCR file: selection %u has hash algorithm 0x%04x", b, s->hash);
		if (s->sizeofSelect > 3)
			return ms_fail(err, MS_BAD_INPUT, "PCR file: selection %u selects from %u bytes (more than 24 PCRs)", b,
				       s->sizeofSelect);
		if (!(bank = ms_tpm_pcrs_bank(out, s->hash, true)))
			return ms_fail(err, MS_BAD_INPUT, "PCR file: too many banks");
		for (unsigned pcr = 0; pcr < 8u * s->sizeofSelect; pcr++) {
			if (!(s->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
				continue;
			while (used == list.count) {
				if (li == nlists)
					return ms_fail(err, MS_BAD_INPUT, "PCR file: fewer digests than selected PCRs");
				memcpy(&list, buf + off + (size_t)li * sizeof(list), sizeof(list));
				if (list.count > 8)
					return ms_fail(err, MS_BAD_INPUT, "PCR file: digest list %u has count %u (at most 8)", li,
						       list.count);
				li++, used = 0;
			}
			if (list.digests[used].size != size)
				return ms_fail(err, MS_BAD_INPUT, "PCR file: %s PCR %u is %u bytes, not %zu",
					       ms_tpm_alg_name(s->hash), pcr, list.digests[used].size, size);
			memcpy(bank->value[pcr], list.digests[used].buffer, size);
			bank->present |= 1u << pcr;
			used++;
		}
	}
	if (used != list.count || li != nlists)
		return ms_fail(err, MS_BAD_INPUT, "PCR file: more digests than selected PCRs");
	return MS_OK;
}

enum ms_status ms_tpm_pcrs_from_json(const cJSON *json, struct ms_tpm_pcrs *out, struct ms_err *err)
{
	const cJSON *b, *v;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(json))
		return ms_fail(err, MS_BAD_INPUT, "PCR values: not a JSON object of banks");
	cJSON_ArrayForEach(b, json) {
		uint16_t alg = alg_by_name(b->string);
		struct ms_tpm_bank *bank;

		if (alg == TPM2_ALG_ERROR)
			return ms_fail(err, MS_UNSUPPORTED, "PCR values: bank \"%s\" is not sha1, sha256, sha384 or sha512",
				       b->string);
		if (!cJSON_IsObject(b))
			return ms_fail(err, MS_BAD_INPUT, "PCR values: bank \"%s\" is not an object", b->string);
		if (!(bank = ms_tpm_pcrs_bank(out, alg, true)))
			return ms_fail(err, MS_BAD_INPUT, "PCR values: too many banks");
		cJSON_ArrayForEach(v, b) {
			char *end;
			unsigned long pcr = strtoul(v->string, &end, 10);
			enum ms_status st;

			if (!v->string[0] || *end || pcr >= MS_TPM_NUM_PCRS || (v->string[0] == '0' && v->string[1]))
				return ms_fail(err, MS_BAD_INPUT, "PCR values: \"%s\" key \"%s\" is not a PCR index 0-23",
					       b->string, v->string);
			if (!cJSON_IsString(v))
				return ms_fail(err, MS_BAD_INPUT, "PCR values: %s PCR %lu is not a hex string", b->string, pcr);
			if ((st = ms_hex_decode(v->valuestring, bank->value[pcr], ms_tpm_alg_size(alg), "PCR value", NULL)))
				return ms_fail(err, st, "PCR values: %s PCR %lu is not %zu bytes of hex", b->string, pcr,
					       ms_tpm_alg_size(alg));
			bank->present |= 1u << pcr;
		}
	}
	return MS_OK;
}

enum ms_status ms_tpm_pcrs_parse(const uint8_t *buf, size_t len, struct ms_tpm_pcrs *out, struct ms_err *err)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i < len && buf[i] == '{') {
		cJSON *json = NULL;
		enum ms_status st = ms_json_parse_strict((const char *)buf, len, "PCR values", &json, err);

		if (!st)
			st = ms_tpm_pcrs_from_json(json, out, err);
		cJSON_Delete(json);
		return st;
	}
	return pcrs_from_tools(buf, len, out, err);
}

/* The DER ECDSA-Sig-Value for r and s. */
static enum ms_status ecdsa_der(const TPMS_SIGNATURE_ECC *e, unsigned char **der, int *der_len, struct ms_err *err)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
	BIGNUM *s = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
	enum ms_status st = MS_OK;

	*der = NULL;
	if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if ((*der_len = i2d_ECDSA_SIG(sig, der)) <= 0)
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
out:
	ECDSA_SIG_free(sig);
	return st;
}

static enum ms_status verify_signature(const uint8_t *msg, size_t msg_len, const TPMT_SIGNATURE *sig, EVP_PKEY *ak,
				       struct ms_err *err)
{
	EVP_MD_CTX *md_ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md;
	unsigned char *der = NULL;
	const unsigned char *sig_bytes;
	size_t sig_len;
	int der_len = 0, key_type = EVP_PKEY_get_base_id(ak), want_type;
	uint16_t hash;
	enum ms_status st;

	switch (sig->sigAlg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		hash = sig->signature.rsassa.hash;
		sig_bytes = sig->signature.rsassa.sig.buffer;
		sig_len = sig->signature.rsassa.sig.size;
		want_type = EVP_PKEY_RSA;
		break;
	case TPM2_ALG_ECDSA:
		hash = sig->signature.ecdsa.hash;
		want_type = EVP_PKEY_EC;
		if ((st = ecdsa_der(&sig->signature.ecdsa, &der, &der_len, err)))
			goto out;
		sig_bytes = der;
		sig_len = (size_t)der_len;
		break;
	default:
		st = ms_fail(err, MS_UNSUPPORTED, "TPMT_SIGNATURE: algorithm 0x%04x (offset 0x0) is not RSASSA, RSAPSS or ECDSA",
			     sig->sigAlg);
		goto out;
	}
	if (!(md = alg_md(hash)) || hash == TPM2_ALG_SHA1) {
		st = ms_fail(err, MS_UNSUPPORTED, "TPMT_SIGNATURE: hash algorithm 0x%04x (offset 0x2) is not SHA-256/384/512",
			     hash);
		goto out;
	}
	if (key_type != want_type) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "TPMT_SIGNATURE: a %s signature cannot be made by the %s AK",
			     want_type == EVP_PKEY_RSA ? "RSA" : "ECDSA", key_type == EVP_PKEY_RSA ? "RSA" : "non-RSA");
		goto out;
	}
	if (!(md_ctx = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md_ctx, &pctx, md, NULL, ak) <= 0) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if (sig->sigAlg == TPM2_ALG_RSASSA && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto nomem;
	/* the TPM picks the salt length (the digest's, or the largest that fits); the signature tells it */
	if (sig->sigAlg == TPM2_ALG_RSAPSS && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
					       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) <= 0))
		goto nomem;
	if (EVP_DigestVerify(md_ctx, sig_bytes, sig_len, msg, msg_len) != 1) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quote's %s signature does not verify with the AK",
			     sig->sigAlg == TPM2_ALG_RSASSA ? "RSASSA" : sig->sigAlg == TPM2_ALG_RSAPSS ? "RSAPSS" : "ECDSA");
		goto out;
	}
	st = MS_OK;
	goto out;
nomem:
	st = ms_fail(err, MS_NO_MEMORY, "out of memory");
out:
	EVP_MD_CTX_free(md_ctx);
	OPENSSL_free(der);
	return st;
}

static uint16_t signature_hash(const TPMT_SIGNATURE *sig)
{
	return sig->sigAlg == TPM2_ALG_ECDSA ? sig->signature.ecdsa.hash : sig->signature.rsassa.hash;
}

static bool selects_any(const TPML_PCR_SELECTION *sel)
{
	for (uint32_t b = 0; b < sel->count && b < TPM2_NUM_PCR_BANKS; b++)
		for (unsigned i = 0; i < sel->pcrSelections[b].sizeofSelect && i < sizeof(sel->pcrSelections[b].pcrSelect); i++)
			if (sel->pcrSelections[b].pcrSelect[i])
				return true;
	return false;
}

enum ms_status ms_tpm_quote_verify(const uint8_t *msg, size_t msg_len, const TPMT_SIGNATURE *sig, EVP_PKEY *ak,
				   const uint8_t *nonce, size_t nonce_len, const struct ms_tpm_pcrs *pcrs,
				   struct ms_tpm_verdict *v, struct ms_err *err)
{
	TPMS_ATTEST a;
	const TPML_PCR_SELECTION *sel;
	const TPM2B_DIGEST *want;
	EVP_MD_CTX *ctx = NULL;
	unsigned int out_len = 0;
	enum ms_status st;
	uint16_t hash;

	memset(v, 0, sizeof(*v));
	if ((st = ms_tpm_attest_parse(msg, msg_len, &a, err)))
		return st;
	if (a.type == TPM2_ST_ATTEST_QUOTE && !selects_any(&a.attested.quote.pcrSelect))
		return ms_fail(err, MS_BAD_INPUT, "TPMS_ATTEST: the quote's pcrSelect (count %u) selects no PCR: it vouches for "
						  "no value", a.attested.quote.pcrSelect.count);
	if ((st = verify_signature(msg, msg_len, sig, ak, err)))
		return st;
	v->signature_ok = true;
	if (a.magic != TPM2_GENERATED_VALUE)
		return ms_fail(err, MS_BAD_INPUT, "TPMS_ATTEST magic 0x%08x (offset 0x0) is not TPM_GENERATED_VALUE", a.magic);
	if (a.type != TPM2_ST_ATTEST_QUOTE)
		return ms_fail(err, MS_UNSUPPORTED, "TPMS_ATTEST type 0x%04x (offset 0x4) is not a quote (0x8018)", a.type);
	if (nonce) {
		v->nonce_checked = true;
		v->nonce_ok = a.extraData.size == nonce_len && !memcmp(a.extraData.buffer, nonce, nonce_len);
	}
	sel = &a.attested.quote.pcrSelect;
	want = &a.attested.quote.pcrDigest;
	hash = signature_hash(sig);
	v->digest_len = ms_tpm_alg_size(hash);
	if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(ctx, alg_md(hash), NULL) <= 0) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	for (uint32_t b = 0; b < sel->count && !v->first_missing[0]; b++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[b];
		const struct ms_tpm_bank *bank = pcrs ? find_bank(pcrs, s->hash) : NULL;
		size_t size = ms_tpm_alg_size(s->hash);

		if (!size) {
			st = ms_fail(err, MS_UNSUPPORTED, "TPMS_ATTEST: PCR selection %u has hash algorithm 0x%04x", b,
				     s->hash);
			goto out;
		}
		for (unsigned pcr = 0; pcr < 8u * s->sizeofSelect; pcr++) {
			if (!(s->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
				continue;
			if (pcr >= MS_TPM_NUM_PCRS || !bank || !(bank->present & (1u << pcr))) {
				snprintf(v->first_missing, sizeof(v->first_missing), "%s PCR %u", ms_tpm_alg_name(s->hash),
					 pcr);
				break;
			}
			EVP_DigestUpdate(ctx, bank->value[pcr], size);
		}
	}
	EVP_DigestFinal_ex(ctx, v->computed_digest, &out_len);
	v->pcrs_ok = !v->first_missing[0] && want->size == out_len && !memcmp(want->buffer, v->computed_digest, out_len);
	st = (v->nonce_checked && !v->nonce_ok) || !v->pcrs_ok ? MS_MISMATCH : MS_OK;
	if (st == MS_MISMATCH)
		ms_fail(err, MS_MISMATCH, "%s",
			v->nonce_checked && !v->nonce_ok ? "the quote's qualifying data (extraData) is not the nonce"
			: v->first_missing[0]	     ? "a quoted PCR has no value given"
						     : "the quote's pcrDigest is not the digest of the PCR values given");
out:
	EVP_MD_CTX_free(ctx);
	return st;
}

static bool selected(const TPML_PCR_SELECTION *sel, uint16_t alg, unsigned pcr)
{
	for (uint32_t b = 0; b < sel->count && b < TPM2_NUM_PCR_BANKS; b++)
		if (sel->pcrSelections[b].hash == alg && pcr < 8u * sel->pcrSelections[b].sizeofSelect &&
		    (sel->pcrSelections[b].pcrSelect[pcr / 8] & (1u << (pcr % 8))))
			return true;
	return false;
}

enum ms_status ms_tpm_pcrs_expect(const TPML_PCR_SELECTION *sel, const struct ms_tpm_pcrs *quoted,
				  const struct ms_tpm_pcrs *want, unsigned *checked, struct ms_err *err)
{
	*checked = 0;
	for (unsigned b = 0; b < want->nbanks; b++) {
		const struct ms_tpm_bank *w = &want->bank[b], *q = find_bank(quoted, w->alg);
		size_t size = ms_tpm_alg_size(w->alg);

		for (unsigned pcr = 0; pcr < MS_TPM_NUM_PCRS; pcr++) {
			char got[2 * MS_TPM_MAX_DIGEST + 1], exp[2 * MS_TPM_MAX_DIGEST + 1];

			if (!(w->present & (1u << pcr)))
				continue;
			if (!selected(sel, w->alg, pcr) || !q || !(q->present & (1u << pcr)))
				return ms_fail(err, MS_MISMATCH, "pcr_values: %s PCR%u is expected but the quote does not cover it",
					       ms_tpm_alg_name(w->alg), pcr);
			if (memcmp(q->value[pcr], w->value[pcr], size)) {
				ms_hex_encode(q->value[pcr], size, got);
				ms_hex_encode(w->value[pcr], size, exp);
				return ms_fail(err, MS_MISMATCH, "pcr_values: %s PCR%u is %s, the policy expects %s",
					       ms_tpm_alg_name(w->alg), pcr, got, exp);
			}
			(*checked)++;
		}
	}
	return *checked ? MS_OK : ms_fail(err, MS_MISMATCH, "pcr_values: no PCR value listed (an empty allow-list never passes)");
}

cJSON *ms_tpm_pcrs_json(const struct ms_tpm_pcrs *pcrs, const TPML_PCR_SELECTION *sel)
{
	cJSON *root = cJSON_CreateObject();

	for (uint32_t b = 0; root && b < sel->count && b < TPM2_NUM_PCR_BANKS; b++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[b];
		const struct ms_tpm_bank *bank = find_bank(pcrs, s->hash);
		const char *name = ms_tpm_alg_name(s->hash);
		cJSON *obj;

		if (!name || !bank || cJSON_GetObjectItemCaseSensitive(root, name))
			continue;
		if (!(obj = cJSON_AddObjectToObject(root, name)))
			break;
		for (unsigned pcr = 0; pcr < 8u * s->sizeofSelect && pcr < MS_TPM_NUM_PCRS; pcr++) {
			char key[4];

			if (!(s->pcrSelect[pcr / 8] & (1u << (pcr % 8))) || !(bank->present & (1u << pcr)))
				continue;
			snprintf(key, sizeof(key), "%u", pcr);
			ms_json_add_hex(obj, key, bank->value[pcr], ms_tpm_alg_size(s->hash));
		}
	}
	return root;
}

cJSON *ms_tpm_attest_json(const TPMS_ATTEST *a)
{
	cJSON *root = cJSON_CreateObject(), *sel, *clock;
	char hex[24];

	if (!root)
		return NULL;
	snprintf(hex, sizeof(hex), "%08x", a->magic);
	cJSON_AddStringToObject(root, "magic", hex);
	snprintf(hex, sizeof(hex), "%04x", a->type);
	cJSON_AddStringToObject(root, "type", hex);
	ms_json_add_hex(root, "qualified_signer", a->qualifiedSigner.name, a->qualifiedSigner.size);
	ms_json_add_hex(root, "extra_data", a->extraData.buffer, a->extraData.size);
	clock = cJSON_AddObjectToObject(root, "clock_info");
	if (clock) {
		cJSON_AddNumberToObject(clock, "clock", (double)a->clockInfo.clock);
		cJSON_AddNumberToObject(clock, "reset_count", a->clockInfo.resetCount);
		cJSON_AddNumberToObject(clock, "restart_count", a->clockInfo.restartCount);
		cJSON_AddBoolToObject(clock, "safe", a->clockInfo.safe == TPM2_YES);
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)a->firmwareVersion);
	cJSON_AddStringToObject(root, "firmware_version", hex);
	if (a->type != TPM2_ST_ATTEST_QUOTE)
		return root;
	sel = cJSON_AddArrayToObject(root, "pcr_select");
	for (uint32_t b = 0; sel && b < a->attested.quote.pcrSelect.count && b < TPM2_NUM_PCR_BANKS; b++) {
		const TPMS_PCR_SELECTION *s = &a->attested.quote.pcrSelect.pcrSelections[b];
		cJSON *bank = cJSON_CreateObject(), *list;
		const char *name = ms_tpm_alg_name(s->hash);

		if (!bank)
			break;
		if (name)
			cJSON_AddStringToObject(bank, "hash", name);
		else
			cJSON_AddNumberToObject(bank, "hash", s->hash);
		if (!(list = cJSON_AddArrayToObject(bank, "pcrs"))) {
			cJSON_Delete(bank);
			break;
		}
		for (unsigned pcr = 0; pcr < 8u * s->sizeofSelect; pcr++)
			if (s->pcrSelect[pcr / 8] & (1u << (pcr % 8)))
				cJSON_AddItemToArray(list, cJSON_CreateNumber(pcr));
		cJSON_AddItemToArray(sel, bank);
	}
	ms_json_add_hex(root, "pcr_digest", a->attested.quote.pcrDigest.buffer, a->attested.quote.pcrDigest.size);
	return root;
}

cJSON *ms_tpm_signature_json(const TPMT_SIGNATURE *s)
{
	cJSON *root = cJSON_CreateObject();
	const char *name = s->sigAlg == TPM2_ALG_RSASSA ? "rsassa" : s->sigAlg == TPM2_ALG_RSAPSS ? "rsapss"
			   : s->sigAlg == TPM2_ALG_ECDSA ? "ecdsa" : NULL;
	const char *hash;

	if (!root)
		return NULL;
	if (!name) {
		cJSON_AddNumberToObject(root, "algorithm", s->sigAlg);
		return root;
	}
	cJSON_AddStringToObject(root, "algorithm", name);
	hash = ms_tpm_alg_name(signature_hash(s));
	cJSON_AddStringToObject(root, "hash", hash ? hash : "unknown");
	if (s->sigAlg == TPM2_ALG_ECDSA) {
		ms_json_add_hex(root, "r", s->signature.ecdsa.signatureR.buffer, s->signature.ecdsa.signatureR.size);
		ms_json_add_hex(root, "s", s->signature.ecdsa.signatureS.buffer, s->signature.ecdsa.signatureS.size);
	} else {
		ms_json_add_hex(root, "signature", s->signature.rsassa.sig.buffer, s->signature.rsassa.sig.size);
	}
	return root;
}

enum ms_status ms_tpm_evidence_verify(const struct ms_tpm_evidence *in, struct ms_tpm_quoted *out, struct ms_checks *checks,
				      struct ms_err *err)
{
	struct ms_tpm_verdict v;
	TPMS_ATTEST a;
	enum ms_status st;
	char want[2 * MS_TPM_MAX_DIGEST + 1], have[2 * MS_TPM_MAX_DIGEST + 1], what[160];

	memset(out, 0, sizeof(*out));
	if ((st = ms_tpm_attest_parse(in->msg, in->msg_len, &a, err)))
		return st;
	st = ms_tpm_quote_verify(in->msg, in->msg_len, in->sig, in->ak, in->nonce, in->nonce_len, in->pcrs, &v, err);
	if (st == MS_BAD_SIGNATURE) {
		ms_check_add(checks, false, "vTPM quote signature", in->ak_source ? in->ak_source : "the AK", "does not verify");
		return st;
	}
	if (st && st != MS_MISMATCH)
		return st;
	snprintf(what, sizeof(what), "%s", in->ak_source ? in->ak_source : "the AK");
	ms_check_add(checks, true, "vTPM quote signature", what, in->sig->sigAlg == TPM2_ALG_RSASSA ? "RSASSA"
							     : in->sig->sigAlg == TPM2_ALG_RSAPSS ? "RSAPSS" : "ECDSA");
	if (in->ak_attrs_unknown)
		ms_check_add_state(checks, MS_CHECK_NOT_CHECKED, -1, "AK attributes", "restricted, sign, fixedTPM, fixedParent",
				   "(a PEM key carries none)");
	if (v.nonce_checked) {
		char *n = ms_hex_alloc(in->nonce, in->nonce_len), *x = ms_hex_alloc(a.extraData.buffer, a.extraData.size);

		ms_check_add(checks, v.nonce_ok, "vTPM quote nonce (extraData)", n ? n : "?", x ? x : "?");
		free(n);
		free(x);
	}
	ms_hex_encode(a.attested.quote.pcrDigest.buffer, a.attested.quote.pcrDigest.size > MS_TPM_MAX_DIGEST ? 0
							 : a.attested.quote.pcrDigest.size, want);
	if (v.first_missing[0])
		snprintf(have, sizeof(have), "no value for %s", v.first_missing);
	else
		ms_hex_encode(v.computed_digest, v.digest_len, have);
	ms_check_add(checks, v.pcrs_ok, "vTPM pcrDigest", want, have);
	out->nonce_mismatch = v.nonce_checked && !v.nonce_ok;
	out->digest_mismatch = !v.pcrs_ok;
	if (st)
		return st;
	out->verified = true;
	out->sel = a.attested.quote.pcrSelect;
	memcpy(out->extra_data, a.extraData.buffer, a.extraData.size);
	out->extra_data_len = a.extraData.size;
	for (uint32_t b = 0; b < out->sel.count && b < TPM2_NUM_PCR_BANKS; b++) {
		const TPMS_PCR_SELECTION *s = &out->sel.pcrSelections[b];
		const struct ms_tpm_bank *from = find_bank(in->pcrs, s->hash);
		struct ms_tpm_bank *to = ms_tpm_pcrs_bank(&out->pcrs, s->hash, true);

		for (unsigned pcr = 0; from && to && pcr < 8u * s->sizeofSelect && pcr < MS_TPM_NUM_PCRS; pcr++)
			if ((s->pcrSelect[pcr / 8] & (1u << (pcr % 8))) && (from->present & (1u << pcr))) {
				memcpy(to->value[pcr], from->value[pcr], ms_tpm_alg_size(s->hash));
				to->present |= 1u << pcr;
			}
	}
	return MS_OK;
}

const uint8_t *ms_tpm_quoted_pcr(const struct ms_tpm_quoted *q, uint16_t alg, unsigned pcr)
{
	const struct ms_tpm_bank *b;

	if (!q || !q->verified || pcr >= MS_TPM_NUM_PCRS || !selected(&q->sel, alg, pcr) || !(b = find_bank(&q->pcrs, alg)) ||
	    !(b->present & (1u << pcr)))
		return NULL;
	return b->value[pcr];
}

enum ms_status ms_tpm_init_data_check(const struct ms_tpm_quoted *q, const uint8_t digest[32], struct ms_checks *checks,
				      struct ms_err *err)
{
	uint8_t input[64] = { 0 }, want[32];
	char a[65], h[65];
	const uint8_t *have;

	memcpy(input + 32, digest, 32);
	ms_sha256(input, sizeof(input), want);
	ms_hex_encode(want, 32, a);
	if (!q || !q->verified) {
		const char *why = q && q->nonce_mismatch ? "the vTPM quote's nonce (extraData) did not match"
				  : q && q->digest_mismatch ? "the vTPM quote's pcrDigest did not match its PCR values"
							    : "no verified vTPM quote";

		ms_check_add(checks, false, "init data (vTPM sha256 PCR8)", a, why);
		return ms_fail(err, MS_MISMATCH, "init data: %s, so no verified quote carries PCR8", why);
	}
	if (!(have = ms_tpm_quoted_pcr(q, TPM2_ALG_SHA256, 8))) {
		ms_check_add(checks, false, "init data (vTPM sha256 PCR8)", a, "not covered by the quote");
		return ms_fail(err, MS_MISMATCH, "init data: the quote does not cover sha256 PCR8");
	}
	ms_hex_encode(have, 32, h);
	ms_check_add(checks, !memcmp(have, want, 32), "init data (vTPM sha256 PCR8)", a, h);
	return memcmp(have, want, 32) ? ms_fail(err, MS_MISMATCH, "init data: PCR8 is %s, not the extend of the init "
								   "data digest (%s)", h, a)
				      : MS_OK;
}

/* A TOML line's bare or quoted key "algorithm", then '=', then a quoted value: the value's span. */
static bool algorithm_line(const char *p, const char *end, const char **val, size_t *val_len)
{
	static const char *const keys[] = { "algorithm", "\"algorithm\"", "'algorithm'" };
	const char *q;
	size_t k;

	for (k = 0; k < 3; k++)
		if ((size_t)(end - p) >= strlen(keys[k]) && !memcmp(p, keys[k], strlen(keys[k])))
			break;
	if (k == 3)
		return false;
	p += strlen(keys[k]);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != '=')
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || (*p != '"' && *p != '\''))
		return false;
	if (!(q = memchr(p + 1, *p, (size_t)(end - p - 1))))
		return false;
	*val = p + 1;
	*val_len = (size_t)(q - p - 1);
	return true;
}

enum ms_status ms_init_data_digest(const uint8_t *buf, size_t len, uint8_t digest[32], struct ms_err *err)
{
	const char *p = (const char *)buf, *end = p + len, *val = NULL, *v;
	size_t line = 0, found_line = 0, val_len = 0, n;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s = p;

		eol = eol ? eol : end;
		line++;
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		if (s < eol && *s == '[')
			break; /* the first table: top-level keys come before it */
		if (algorithm_line(s, eol, &v, &n)) {
			if (val)
				return ms_fail(err, MS_BAD_INPUT, "init data: \"algorithm\" is given twice (lines %zu and %zu)",
					       found_line, line);
			val = v, val_len = n, found_line = line;
		}
		p = eol < end ? eol + 1 : end;
	}
	if (!val)
		return ms_fail(err, MS_BAD_INPUT, "init data: no top-level algorithm = \"...\" line (trustee's init-data TOML)");
	if (val_len == 6 && !memcmp(val, "sha256", 6)) {
		ms_sha256(buf, len, digest);
		return MS_OK;
	}
	if ((val_len == 6 && (!memcmp(val, "sha384", 6) || !memcmp(val, "sha512", 6))))
		return ms_fail(err, MS_UNSUPPORTED, "init data: algorithm \"%.6s\" (line %zu): only sha256 is supported; how "
						    "trustee binds a longer digest to the vTPM's PCR8 is not established",
			       val, found_line);
	return ms_fail(err, MS_BAD_INPUT, "init data: algorithm \"%.*s\" (line %zu) is not sha256, sha384 or sha512",
		       (int)(val_len > 40 ? 40 : val_len), val, found_line);
}
