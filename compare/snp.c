/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "../common/bytes.h"
#include "../common/chain.h"
#include "../common/digest.h"
#include "../common/ecdsa.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "anchors.h"
#include "evidence.h"

#define VCEK_OID "1.3.6.1.4.1.3704.1."
#define MAX_BUNDLE 4

/* The GUIDs of an extended report's certificate table (stored byte order). */
static const uint8_t guid_vcek[16] = { 0x8d, 0x75, 0xda, 0x63, 0x64, 0xe6, 0x64, 0x45,
				       0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd }; /* 63da758d-e664-4564-adc5-f4b93be8accd */
static const uint8_t guid_vlek[16] = { 0xc2, 0x4b, 0x07, 0xa8, 0x5a, 0xa2, 0x3e, 0x48,
				       0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1 }; /* a8074bc2-a25a-483e-aae6-39c045a0b8a1 */

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A VCEK extension's value: the DER payload of the octet string. */
static const ASN1_OCTET_STRING *vcek_ext(X509 *cert, const char *arc)
{
	char oid[64];
	ASN1_OBJECT *obj;
	int at;

	snprintf(oid, sizeof(oid), VCEK_OID "%s", arc);
	obj = OBJ_txt2obj(oid, 1);
	at = obj ? X509_get_ext_by_OBJ(cert, obj, -1) : -1;
	ASN1_OBJECT_free(obj);
	return at < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(cert, at));
}

static bool vcek_int(X509 *cert, const char *arc, unsigned *out)
{
	const ASN1_OCTET_STRING *s = vcek_ext(cert, arc);
	const unsigned char *p;
	ASN1_INTEGER *i;
	long v;

	if (!s)
		return false;
	p = ASN1_STRING_get0_data(s);
	i = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(s));
	if (!i)
		return false;
	v = ASN1_INTEGER_get(i);
	ASN1_INTEGER_free(i);
	if (v < 0 || v > 255)
		return false;
	*out = (unsigned)v;
	return true;
}

static enum ms_snp_product vcek_product(X509 *cert, char *name, size_t cap)
{
	const ASN1_OCTET_STRING *s = vcek_ext(cert, "2");
	const unsigned char *p;
	ASN1_IA5STRING *str;

	snprintf(name, cap, "?");
	if (!s)
		return MS_SNP_PRODUCT_UNKNOWN;
	p = ASN1_STRING_get0_data(s);
	str = d2i_ASN1_IA5STRING(NULL, &p, ASN1_STRING_length(s));
	if (!str)
		return MS_SNP_PRODUCT_UNKNOWN;
	snprintf(name, cap, "%.*s", ASN1_STRING_length(str), (const char *)ASN1_STRING_get0_data(str));
	ASN1_IA5STRING_free(str);
	if (!strncmp(name, "Milan", 5))
		return MS_SNP_PRODUCT_MILAN;
	if (!strncmp(name, "Genoa", 5))
		return MS_SNP_PRODUCT_GENOA;
	if (!strncmp(name, "Turin", 5))
		return MS_SNP_PRODUCT_TURIN;
	return MS_SNP_PRODUCT_UNKNOWN;
}

/* A VCEK carries its hwID, a VLEK its CSP ID; an ASK or ARK neither. */
static bool is_vek(X509 *c)
{
	return vcek_ext(c, "4") || vcek_ext(c, "5");
}

/* The VCEK or VLEK from an extended report's certificate table (GUID, offset, length entries). */
static enum ms_status cert_from_table(struct ms_chain_cache *cache, const uint8_t *t, size_t len, X509 **out,
				       struct ms_err *err)
{
	for (size_t at = 0; at + 24 <= len; at += 24) {
		uint32_t off = ms_le32(t + at + 16), n = ms_le32(t + at + 20);

		if (zero(t + at, 24))
			break;
		if (memcmp(t + at, guid_vcek, 16) && memcmp(t + at, guid_vlek, 16))
			continue;
		if ((uint64_t)off + n > len || n == 0)
			return ms_err_input(err, MS_INPUT_CERTS,
					    ms_fail(err, MS_BAD_INPUT,
						    "certificate table entry at 0x%zx: 0x%x+0x%x is past the table's end", at, off,
						    n));
		return ms_err_input(err, MS_INPUT_CERTS,
				    ms_chain_cache_parse(cache, t + off, n, "the certificate table's VCEK/VLEK", out, err));
	}
	return ms_err_input(err, MS_INPUT_CERTS,
			    ms_fail(err, MS_NO_COLLATERAL, "the certificate table holds no VCEK or VLEK"));
}

/*
 * The VCEK (or VLEK) as given: one certificate, DER or PEM, or AMD's bundle
 * in one PEM (ASK then VCEK; or VCEK, ASK, ARK). The others are returned as
 * extra intermediates, which the chain verifier requires to lie on the path.
 */
static enum ms_status vek_from_file(struct ms_chain_cache *cache, const uint8_t *buf, size_t len, X509 **vek,
				    STACK_OF(X509) *extra, struct ms_err *err)
{
	STACK_OF(X509) *all = NULL;
	enum ms_status st = MS_OK;
	int n;

	if (!(len >= 10 && memmem(buf, len, "-----BEGIN", 10)))
		return ms_err_input(err, MS_INPUT_VCEK, ms_chain_cache_parse(cache, buf, len, "VCEK", vek, err));
	if (ms_chain_cache_parse_bundle(cache, buf, len, "VCEK", &all, err))
		return ms_err_input(err, MS_INPUT_VCEK,
				    ms_fail(err, MS_BAD_INPUT, "VCEK: not a PEM or DER X.509 certificate (no PEM certificate in it)"));
	n = sk_X509_num(all);
	if (n > MAX_BUNDLE) {
		st = ms_fail(err, MS_BAD_INPUT, "VCEK: %d certificates; a VCEK alone or AMD's bundle (at most %d) is expected", n,
			     MAX_BUNDLE);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		X509 *c = sk_X509_value(all, i);

		if (is_vek(c)) {
			if (*vek) {
				st = ms_fail(err, MS_BAD_INPUT, "VCEK: the file holds more than one VCEK or VLEK");
				goto out;
			}
			*vek = c;
		} else if (!sk_X509_push(extra, c)) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		sk_X509_set(all, i, NULL);
	}
	if (!*vek)
		st = ms_fail(err, MS_BAD_INPUT, "VCEK: none of the %d certificates is a VCEK or VLEK (no hwID or CSP ID extension)", n);
out:
	for (int i = 0; all && i < sk_X509_num(all); i++)
		X509_free(sk_X509_value(all, i));
	sk_X509_free(all);
	return ms_err_input(err, MS_INPUT_VCEK, st);
}

static enum ms_status verify_signature(const struct ms_snp_report *r, X509 *vek, struct ms_err *err)
{
	EVP_PKEY *key = X509_get0_pubkey(vek);
	char group[32] = "";
	enum ms_status st;

	/* SIGNATURE_ALGO 1 and AMD's keys: ECDSA on P-384 alone, whatever curve the certificate's key claims */
	if (!key || !EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
	    strcmp(group, "secp384r1"))
		return ms_fail(err, MS_BAD_SIGNATURE, "the %s's key is %s%s, not ECDSA P-384: it cannot have signed the report",
			       r->signing_key == MS_SNP_KEY_VLEK ? "VLEK" : "VCEK",
			       key && EVP_PKEY_is_a(key, "EC") ? "EC on " : key ? EVP_PKEY_get0_type_name(key) : "missing",
			       key && EVP_PKEY_is_a(key, "EC") ? (*group ? group : "an unnamed curve") : "");
	/* ECDSA P-384 / SHA-384; R and S little-endian, each zero-padded to 72 bytes */
	st = ms_ecdsa_verify_raw(key, "SHA384", r->signed_bytes, MS_SNP_SIGNED_LEN, r->signature_r, r->signature_s, 72,
				 MS_ECDSA_LITTLE_ENDIAN);
	if (st == MS_NO_MEMORY)
		return ms_fail(err, st, "out of memory");
	if (st)
		return ms_fail(err, MS_BAD_SIGNATURE, "report signature (offset 0x2a0) does not verify with the %s",
			       r->signing_key == MS_SNP_KEY_VLEK ? "VLEK" : "VCEK");
	return MS_OK;
}

/* Where AMD's key distribution service serves this report's VCEK. */
static enum ms_status missing_vek(const struct ms_snp_report *r, struct ms_err *err)
{
	enum ms_snp_product prod = ms_snp_report_product(r);
	bool turin = prod == MS_SNP_PRODUCT_TURIN;
	struct ms_snp_tcb t = ms_snp_tcb_parts(r->reported_tcb, turin);
	char hw[129], fmc[24] = "";

	if (r->signing_key == MS_SNP_KEY_VLEK)
		return ms_err_input(err, MS_INPUT_COLLATERAL,
				    ms_fail(err, MS_NO_COLLATERAL,
					    "the report is signed by a VLEK, which was not given (a cloud provider's key: ask the provider, AMD KDS serves it only to them)"));
	if (zero(r->chip_id, 64))
		return ms_err_input(err, MS_INPUT_COLLATERAL,
				    ms_fail(err, MS_NO_COLLATERAL,
					    "the report is signed by a VCEK, which was not given (CHIP_ID is masked: take the VCEK from the host)"));
	ms_hex_encode(r->chip_id, turin ? 8 : 64, hw);
	if (turin)
		snprintf(fmc, sizeof(fmc), "fmcSPL=%u&", t.fmc);
	return ms_err_input(err, MS_INPUT_COLLATERAL,
			    ms_fail(err, MS_NO_COLLATERAL,
				    "the report is signed by a VCEK, which was not given; AMD KDS serves it at "
				    "https://kdsintf.amd.com/vcek/v1/%s/%s?%sblSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
				    prod == MS_SNP_PRODUCT_UNKNOWN ? "{Milan,Genoa,Turin}" : ms_snp_product_name(prod), hw, fmc,
				    t.bootloader, t.tee, t.snp, t.microcode));
}

/*
 * AMD publishes one CRL per product, issued by the ARK; the ASK issues none.
 * The chain verifier checks the ASK against it; as AMD's own tools do, a
 * VCEK or VLEK whose serial that CRL lists is refused too (a serial the ARK
 * names, though the ASK issued the key).
 */
static enum ms_status vek_not_revoked_by_ark(STACK_OF(X509_CRL) *crls, X509 *ark, X509 *vek, const char *kind,
					     struct ms_err *err)
{
	for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(crls, i);
		X509_REVOKED *entry = NULL;

		if (!ms_crl_issued_by(crl, ark))
			continue;
		if (X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(vek)) == 1)
			return ms_fail(err, MS_BAD_SIGNATURE, "the %s's serial number is listed as revoked in the ARK's CRL", kind);
	}
	return MS_OK;
}

static bool has_cert(STACK_OF(X509) *sk, X509 *c)
{
	for (int i = 0; i < sk_X509_num(sk); i++)
		if (!X509_cmp(sk_X509_value(sk, i), c))
			return true;
	return false;
}

enum ms_snp_product ms_snp_product_of(const uint8_t *report, size_t len, const struct ms_verify_options *o)
{
	struct ms_snp_report r;
	struct ms_err scratch = { 0 };
	STACK_OF(X509) *extra = sk_X509_new_null();
	X509 *vek = NULL;
	enum ms_snp_product product = MS_SNP_PRODUCT_UNKNOWN;
	char name[64];

	if (!extra || ms_snp_report_decode(report, len, &r, &scratch))
		goto out;
	if ((product = ms_snp_report_product(&r)) != MS_SNP_PRODUCT_UNKNOWN)
		goto out;
	if (o->vcek ? vek_from_file(NULL, o->vcek, o->vcek_len, &vek, extra, &scratch)
		    : !o->certs || cert_from_table(NULL, o->certs, o->certs_len, &vek, &scratch))
		goto out;
	product = vcek_product(vek, name, sizeof(name));
out:
	X509_free(vek);
	sk_X509_pop_free(extra, X509_free);
	return product;
}

enum ms_status ms_snp_verify(const uint8_t *buf, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err)
{
	struct ms_snp_report *r = &ev->snp;
	X509 *vek = NULL, *ask = NULL, *ark = NULL;
	STACK_OF(X509) *intermediates = sk_X509_new_null();
	struct ms_chain_result path = { 0 };
	enum ms_snp_product product, report_product;
	const char *kind;
	char pname[64], a[160], b[160];
	enum ms_status st;
	struct ms_snp_tcb want, got;
	enum ms_input vek_input = o->vcek ? MS_INPUT_VCEK : MS_INPUT_CERTS; /* a mismatch of the two names the key's file */
	static const enum ms_anchor_id arks[] = { 0, MS_ANCHOR_AMD_ARK_MILAN, MS_ANCHOR_AMD_ARK_GENOA, MS_ANCHOR_AMD_ARK_TURIN };
	static const enum ms_anchor_id asks[] = { 0, MS_ANCHOR_AMD_ASK_MILAN, MS_ANCHOR_AMD_ASK_GENOA, MS_ANCHOR_AMD_ASK_TURIN };
	static const enum ms_anchor_id asvks[] = { 0, MS_ANCHOR_AMD_ASVK_MILAN, MS_ANCHOR_AMD_ASVK_GENOA,
						   MS_ANCHOR_AMD_ASVK_TURIN };

	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_SNP;
	ev->platform = "sev-snp";
	ev->checked_at = o->at;
	ms_sha256(buf, len, ev->sha256);
	if (!intermediates)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if ((st = ms_snp_report_decode(buf, len, r, err)))
		goto out;
	ms_check_add(checks, true, "report format", "1184 bytes, v2/3/5, MBZ zero", "ok");
	if (r->signing_key == MS_SNP_KEY_NONE) {
		ms_check_add(checks, false, "signing key", "VCEK or VLEK", "none (SIGNER_INFO.SIGNING_KEY 7)");
		st = ms_fail(err, MS_BAD_SIGNATURE, "report SIGNER_INFO (offset 0x48) says the report is not signed (SIGNING_KEY 7)");
		goto out;
	}
	kind = r->signing_key == MS_SNP_KEY_VLEK ? "VLEK" : "VCEK";
	if (o->vcek)
		st = vek_from_file(o->chain_cache, o->vcek, o->vcek_len, &vek, intermediates, err);
	else if (o->certs)
		st = cert_from_table(o->chain_cache, o->certs, o->certs_len, &vek, err);
	else
		st = missing_vek(r, err);
	if (st)
		goto out;
	if (!!vcek_ext(vek, "5") != (r->signing_key == MS_SNP_KEY_VLEK)) {
		ms_check_add(checks, false, "signing key", kind, vcek_ext(vek, "5") ? "a VLEK was given" : "a VCEK was given");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the report says it is signed by a %s, a %s was given", kind,
			     vcek_ext(vek, "5") ? "VLEK" : "VCEK");
		ms_err_input(err, vek_input, st);
		goto out;
	}
	product = vcek_product(vek, pname, sizeof(pname));
	report_product = ms_snp_report_product(r);
	if (r->has_cpuid && report_product == MS_SNP_PRODUCT_UNKNOWN) {
		st = ms_fail(err, MS_UNSUPPORTED, "the report's CPUID (offset 0x188) is family 0x%x model 0x%x: not a known SEV-SNP product",
			     r->cpuid_fam_id, r->cpuid_mod_id);
		goto out;
	}
	if (product == MS_SNP_PRODUCT_UNKNOWN) {
		st = ms_fail(err, MS_UNSUPPORTED, "%s productName \"%s\": Milan, Genoa and Turin are known", kind, pname);
		goto out;
	}
	if (report_product != MS_SNP_PRODUCT_UNKNOWN && report_product != product) {
		snprintf(a, sizeof(a), "%s (report CPUID)", ms_snp_product_name(report_product));
		ms_check_add(checks, false, "product", a, pname);
		st = ms_fail(err, MS_BAD_SIGNATURE, "the report's CPUID says %s, the %s is for %s",
			     ms_snp_product_name(report_product), kind, pname);
		goto out;
	}

	/* ARK (pinned) -> ASK or ASVK (built in) -> VCEK or VLEK, by the one chain verifier */
	if (o->root_override && o->ask_override) {
		/* shared, not copied: a copy would decode its key again */
		ark = o->root_override;
		ask = o->ask_override;
		X509_up_ref(ark);
		X509_up_ref(ask);
	} else if (o->root_override) {
		st = ms_err_input(err, MS_INPUT_ROOT,
				  ms_fail(err, MS_USAGE, "an SNP chain override needs the ASK (or ASVK) and the ARK, in that order"));
		goto out;
	} else if ((st = ms_anchor_load(arks[product], &ark, err)) ||
		   (st = ms_anchor_load(r->signing_key == MS_SNP_KEY_VLEK ? asvks[product] : asks[product], &ask, err))) {
		goto out;
	}
	if (!has_cert(intermediates, ask)) {
		if (!sk_X509_push(intermediates, ask)) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		X509_up_ref(ask);
	}
	{
		/*
		 * AMD's certificates do not meet RFC 5280's profile as OpenSSL's strict
		 * mode reads it (the VCEK has no authority key identifier), so the
		 * strict flag stays off here; every other check of X509_verify_cert
		 * applies. AMD publishes a CRL from the ARK (covering the ASK/ASVK) and
		 * none from the ASK, so the VCEK's depth needs none.
		 */
		struct ms_chain_params cp = {
			.root = ark, .untrusted = intermediates, .leaf = vek, .crls = o->crls, .at = o->at,
			.cache = o->chain_cache,
			.crl_exempt_depths = 1u << 0, .lax_profile = true, .what = "AMD chain",
		};

		snprintf(a, sizeof(a), "ARK-%s (%s) -> %s -> %s", ms_snp_product_name(product),
			 o->root_override ? "OVERRIDE: given by the caller" : "pinned", r->signing_key == MS_SNP_KEY_VLEK ? "ASVK" : "ASK", kind);
		if ((st = ms_chain_verify(&cp, &path, err))) {
			ms_check_add(checks, false, "certificate chain", a, err->msg);
			goto out;
		}
		ms_format_time(o->at, b);
		ms_check_add(checks, true, "certificate chain", a, b);
		if ((st = vek_not_revoked_by_ark(o->crls, ark, vek, kind, err))) {
			ms_check_add(checks, false, "revocation", "the ARK's CRL does not list the VCEK", err->msg);
			goto out;
		}
		ms_evidence_revocation(o, &path, "every certificate above the VCEK checked against its issuer's CRL", ev, checks);
	}

	{
		/* TCB_VERSION's reserved bytes: 2-5 before Turin, 4-6 on Turin */
		uint64_t mask = product == MS_SNP_PRODUCT_TURIN ? 0x00ffffff00000000ull : 0x0000ffffffff0000ull;
		static const struct {
			const char *name;
			size_t at;
		} fields[] = { { "CURRENT_TCB", 0x38 }, { "REPORTED_TCB", 0x180 }, { "COMMITTED_TCB", 0x1e0 }, { "LAUNCH_TCB", 0x1f0 } };
		const uint64_t values[] = { r->current_tcb, r->reported_tcb, r->committed_tcb, r->launch_tcb };

		for (size_t i = 0; i < 4; i++)
			if (values[i] & mask) {
				st = ms_fail(err, MS_BAD_INPUT, "report %s (offset 0x%zx) 0x%016llx has reserved bits set", fields[i].name,
					     fields[i].at, (unsigned long long)values[i]);
				goto out;
			}
	}
	if (r->mask_chip_key && !zero(r->chip_id, 64)) {
		st = ms_fail(err, MS_BAD_INPUT, "report SIGNER_INFO says MASK_CHIP_KEY, yet CHIP_ID (offset 0x1a0) is not zero");
		goto out;
	}
	/* the VCEK is for one chip (hwID) and one TCB (its SPL extensions): name a mismatch as such */
	if (r->signing_key == MS_SNP_KEY_VCEK && !r->mask_chip_key && !zero(r->chip_id, 64)) {
		const ASN1_OCTET_STRING *hw = vcek_ext(vek, "4");
		size_t n = product == MS_SNP_PRODUCT_TURIN ? 8 : 64;

		if (!hw || (size_t)ASN1_STRING_length(hw) < n || memcmp(ASN1_STRING_get0_data(hw), r->chip_id, n)) {
			ms_check_add(checks, false, "CHIP_ID", "the VCEK's hwID", "another chip's VCEK");
			st = ms_fail(err, MS_BAD_SIGNATURE,
				     "the VCEK's hwID is not this report's CHIP_ID (offset 0x1a0): it is another chip's VCEK");
			ms_err_input(err, vek_input, st);
			goto out;
		}
		ms_check_add(checks, true, "CHIP_ID", "the VCEK's hwID", "equal");
	}
	got = ms_snp_tcb_parts(r->reported_tcb, product == MS_SNP_PRODUCT_TURIN);
	memset(&want, 0, sizeof(want));
	if (!vcek_int(vek, "3.1", &want.bootloader) || !vcek_int(vek, "3.2", &want.tee) || !vcek_int(vek, "3.3", &want.snp) ||
	    !vcek_int(vek, "3.8", &want.microcode) || (product == MS_SNP_PRODUCT_TURIN && !vcek_int(vek, "3.9", &want.fmc))) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "the %s lacks its TCB (SPL) extensions", kind);
		goto out;
	}
	snprintf(a, sizeof(a), "fmc %u bl %u tee %u snp %u ucode %u (%s)", want.fmc, want.bootloader, want.tee, want.snp,
		 want.microcode, kind);
	snprintf(b, sizeof(b), "fmc %u bl %u tee %u snp %u ucode %u", got.fmc, got.bootloader, got.tee, got.snp, got.microcode);
	if (memcmp(&want, &got, sizeof(want))) {
		ms_check_add(checks, false, "REPORTED_TCB", a, b);
		st = ms_fail(err, MS_BAD_SIGNATURE, "REPORTED_TCB (offset 0x180) is not the TCB the %s was issued for", kind);
		ms_err_input(err, vek_input, st);
		goto out;
	}
	ms_check_add(checks, true, "REPORTED_TCB", a, b);
	if ((st = verify_signature(r, vek, err))) {
		ms_check_add(checks, false, "report signature", "ECDSA P-384 by the VCEK", "does not verify");
		goto out;
	}
	ms_check_add(checks, true, "report signature", "ECDSA P-384 by the VCEK", "verifies");
	{
		char *s = ms_x509_name(X509_get_subject_name(vek));

		snprintf(ev->signed_by, sizeof(ev->signed_by), "%s (%s)", s ? s : "?", pname);
		free(s);
	}
	ev->product = product;
	snprintf(ev->product_name, sizeof(ev->product_name), "%s", ms_snp_product_name(product));
	ms_evidence_add(ev, "measurement", r->measurement, 48);
	ms_evidence_add(ev, "host_data", r->host_data, 32);
	memcpy(ev->freshness, r->report_data, 64);
	ev->freshness_len = 64;
	if (r->policy & (1ull << 19)) {
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "the guest POLICY (0x%llx) allows DEBUG (bit 19)",
			 (unsigned long long)r->policy);
	}
out:
	if (st && !err->input)
		ms_err_input(err, MS_INPUT_EVIDENCE, st);
	ms_chain_result_free(&path);
	X509_free(vek);
	X509_free(ask);
	X509_free(ark);
	sk_X509_pop_free(intermediates, X509_free);
	return st;
}

/* layout_known false: a CPUID naming no known product, whose TCB layout is not known either (only raw) */
static void tcb_json(cJSON *o, const char *key, uint64_t v, bool turin, bool layout_known)
{
	cJSON *t = cJSON_AddObjectToObject(o, key);
	struct ms_snp_tcb c = ms_snp_tcb_parts(v, turin);
	char raw[24];

	snprintf(raw, sizeof(raw), "%016llx", (unsigned long long)v);
	cJSON_AddStringToObject(t, "raw", raw);
	if (!layout_known) {
		cJSON_AddStringToObject(t, "layout", "unknown: the report's CPUID names no known product");
		return;
	}
	if (turin)
		cJSON_AddNumberToObject(t, "fmc", c.fmc);
	cJSON_AddNumberToObject(t, "bootloader", c.bootloader);
	cJSON_AddNumberToObject(t, "tee", c.tee);
	cJSON_AddNumberToObject(t, "snp", c.snp);
	cJSON_AddNumberToObject(t, "microcode", c.microcode);
}

enum ms_status ms_snp_inspect(const uint8_t *buf, size_t len, cJSON **out, struct ms_err *err)
{
	struct ms_snp_report r;
	cJSON *o, *p;
	enum ms_status st = ms_snp_report_decode(buf, len, &r, err);
	enum ms_snp_product prod;
	bool turin, layout_known;
	char s[32];

	if (st)
		return st;
	prod = ms_snp_report_product(&r);
	turin = prod == MS_SNP_PRODUCT_TURIN;
	layout_known = !r.has_cpuid || prod != MS_SNP_PRODUCT_UNKNOWN;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "sev-snp attestation report");
	cJSON_AddNumberToObject(o, "version", r.version);
	cJSON_AddNumberToObject(o, "guest_svn", r.guest_svn);
	p = cJSON_AddObjectToObject(o, "policy");
	snprintf(s, sizeof(s), "%016llx", (unsigned long long)r.policy);
	cJSON_AddStringToObject(p, "raw", s);
	snprintf(s, sizeof(s), "%u.%u", (unsigned)(r.policy >> 8) & 0xff, (unsigned)r.policy & 0xff);
	cJSON_AddStringToObject(p, "abi", s);
	cJSON_AddBoolToObject(p, "smt", r.policy >> 16 & 1);
	cJSON_AddBoolToObject(p, "migrate_ma", r.policy >> 18 & 1);
	cJSON_AddBoolToObject(p, "debug", r.policy >> 19 & 1);
	cJSON_AddBoolToObject(p, "single_socket", r.policy >> 20 & 1);
	cJSON_AddBoolToObject(p, "cxl_allow", r.policy >> 21 & 1);
	cJSON_AddBoolToObject(p, "mem_aes_256_xts", r.policy >> 22 & 1);
	cJSON_AddBoolToObject(p, "rapl_dis", r.policy >> 23 & 1);
	cJSON_AddBoolToObject(p, "ciphertext_hiding", r.policy >> 24 & 1);
	cJSON_AddBoolToObject(p, "page_swap_disable", r.policy >> 25 & 1);
	ms_json_add_hex(o, "family_id", r.family_id, 16);
	ms_json_add_hex(o, "image_id", r.image_id, 16);
	cJSON_AddNumberToObject(o, "vmpl", r.vmpl);
	cJSON_AddNumberToObject(o, "signature_algo", r.signature_algo);
	tcb_json(o, "current_tcb", r.current_tcb, turin, layout_known);
	snprintf(s, sizeof(s), "%016llx", (unsigned long long)r.platform_info);
	cJSON_AddStringToObject(o, "platform_info", s);
	p = cJSON_AddObjectToObject(o, "signer_info");
	cJSON_AddBoolToObject(p, "author_key_en", r.author_key_en);
	cJSON_AddBoolToObject(p, "mask_chip_key", r.mask_chip_key);
	cJSON_AddStringToObject(p, "signing_key", r.signing_key == MS_SNP_KEY_VCEK ? "vcek"
						  : r.signing_key == MS_SNP_KEY_VLEK ? "vlek" : "none");
	ms_json_add_hex(o, "report_data", r.report_data, 64);
	ms_json_add_hex(o, "measurement", r.measurement, 48);
	ms_json_add_hex(o, "host_data", r.host_data, 32);
	ms_json_add_hex(o, "id_key_digest", r.id_key_digest, 48);
	ms_json_add_hex(o, "author_key_digest", r.author_key_digest, 48);
	ms_json_add_hex(o, "report_id", r.report_id, 32);
	ms_json_add_hex(o, "report_id_ma", r.report_id_ma, 32);
	tcb_json(o, "reported_tcb", r.reported_tcb, turin, layout_known);
	if (r.has_cpuid) {
		cJSON_AddNumberToObject(o, "cpuid_family", r.cpuid_fam_id);
		cJSON_AddNumberToObject(o, "cpuid_model", r.cpuid_mod_id);
		cJSON_AddNumberToObject(o, "cpuid_stepping", r.cpuid_step);
	}
	cJSON_AddStringToObject(o, "product", ms_snp_product_name(prod));
	ms_json_add_hex(o, "chip_id", r.chip_id, 64);
	tcb_json(o, "committed_tcb", r.committed_tcb, turin, layout_known);
	snprintf(s, sizeof(s), "%u.%u.%u", r.current_major, r.current_minor, r.current_build);
	cJSON_AddStringToObject(o, "current_version", s);
	snprintf(s, sizeof(s), "%u.%u.%u", r.committed_major, r.committed_minor, r.committed_build);
	cJSON_AddStringToObject(o, "committed_version", s);
	tcb_json(o, "launch_tcb", r.launch_tcb, turin, layout_known);
	if (r.has_mit_vectors) {
		snprintf(s, sizeof(s), "%016llx", (unsigned long long)r.launch_mit_vector);
		cJSON_AddStringToObject(o, "launch_mit_vector", s);
		snprintf(s, sizeof(s), "%016llx", (unsigned long long)r.current_mit_vector);
		cJSON_AddStringToObject(o, "current_mit_vector", s);
	}
	p = cJSON_AddObjectToObject(o, "signature");
	ms_json_add_hex(p, "r_le", r.signature_r, 72);
	ms_json_add_hex(p, "s_le", r.signature_s, 72);
	*out = o;
	return MS_OK;
}
