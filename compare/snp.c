/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "../common/bytes.h"
#include "../common/digest.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "../ovmf/ovmf.h"
#include "anchors.h"
#include "evidence.h"

#define REPORT_LEN 1184
#define SIGNED_LEN 0x2a0
#define VCEK_OID "1.3.6.1.4.1.3704.1."

enum product { UNKNOWN, MILAN, GENOA, TURIN };

static const char *product_name(enum product p)
{
	return p == MILAN ? "Milan" : p == GENOA ? "Genoa" : p == TURIN ? "Turin" : "unknown";
}



static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* TCB_VERSION components; Turin puts FMC first and shifts the rest. */
struct tcb {
	unsigned fmc, bl, tee, snp, ucode;
};

static struct tcb tcb_of(uint64_t v, enum product p)
{
	struct tcb t = { 0 };

	if (p == TURIN)
		t = (struct tcb){ v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff, (v >> 56) & 0xff };
	else
		t = (struct tcb){ 0, v & 0xff, (v >> 8) & 0xff, (v >> 48) & 0xff, (v >> 56) & 0xff };
	return t;
}

static enum product product_from_cpuid(const uint8_t *r)
{
	unsigned fam = r[0x188], model = r[0x189];

	if (fam == 0x19)
		return model < 0x10 ? MILAN : model < 0x20 || (model >= 0xa0 && model < 0xb0) ? GENOA : UNKNOWN;
	if (fam == 0x1a)
		return TURIN;
	return UNKNOWN;
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

static enum product vcek_product(X509 *cert, char *name, size_t cap)
{
	const ASN1_OCTET_STRING *s = vcek_ext(cert, "2");
	const unsigned char *p;
	ASN1_IA5STRING *str;

	snprintf(name, cap, "?");
	if (!s)
		return UNKNOWN;
	p = ASN1_STRING_get0_data(s);
	str = d2i_ASN1_IA5STRING(NULL, &p, ASN1_STRING_length(s));
	if (!str)
		return UNKNOWN;
	snprintf(name, cap, "%.*s", ASN1_STRING_length(str), (const char *)ASN1_STRING_get0_data(str));
	ASN1_IA5STRING_free(str);
	if (!strncmp(name, "Milan", 5))
		return MILAN;
	if (!strncmp(name, "Genoa", 5))
		return GENOA;
	if (!strncmp(name, "Turin", 5))
		return TURIN;
	return UNKNOWN;
}

/* The VCEK or VLEK from an extended report's certificate table (GUID, offset, length entries). */
static enum ms_status cert_from_table(const uint8_t *t, size_t len, uint8_t **der, size_t *der_len,
				      bool *vlek, struct ms_err *err)
{
	struct ms_guid vcek = ms_guid_parse("63da758d-e664-4564-adc5-f4b93be8accd");
	struct ms_guid vlekg = ms_guid_parse("a8074bc2-a25a-483e-aae6-39c045a0b8a1");

	for (size_t at = 0; at + 24 <= len; at += 24) {
		uint32_t off = ms_le32(t + at + 16), n = ms_le32(t + at + 20);
		bool is_vcek = !memcmp(t + at, vcek.b, 16), is_vlek = !memcmp(t + at, vlekg.b, 16);

		if (zero(t + at, 24))
			break;
		if (!is_vcek && !is_vlek)
			continue;
		if ((uint64_t)off + n > len || n == 0)
			return ms_fail(err, MS_BAD_INPUT, "certificate table entry at 0x%zx: 0x%x+0x%x is past the table's end",
				       at, off, n);
		*der = malloc(n);
		if (!*der)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		memcpy(*der, t + off, n);
		*der_len = n;
		*vlek = is_vlek;
		return MS_OK;
	}
	return ms_fail(err, MS_NO_COLLATERAL, "the certificate table holds no VCEK or VLEK");
}

static enum ms_status check_report(const uint8_t *r, size_t len, struct ms_err *err)
{
	uint32_t version, signer;
	uint64_t policy;

	if (len != REPORT_LEN)
		return ms_fail(err, MS_BAD_INPUT, "an SNP report is %d bytes, this is %zu", REPORT_LEN, len);
	version = ms_le32(r);
	if (version != 2 && version != 3 && version != 5)
		return ms_fail(err, version < 2 || version > 5 ? MS_BAD_INPUT : MS_UNSUPPORTED,
			       "report VERSION (offset 0x0) is %u; versions 2, 3 and 5 are known", version);
	if (ms_le32(r + 0x34) != 1)
		return ms_fail(err, MS_UNSUPPORTED, "report SIGNATURE_ALGO (offset 0x34) is %u, not 1 (ECDSA P-384)",
			       ms_le32(r + 0x34));
	policy = ms_le64(r + 8);
	if (!(policy & (1ull << 17)))
		return ms_fail(err, MS_BAD_INPUT, "report POLICY (offset 0x8) 0x%llx: reserved bit 17 is not set",
			       (unsigned long long)policy);
	if (policy >> 26)
		return ms_fail(err, MS_BAD_INPUT, "report POLICY (offset 0x8) 0x%llx: bits 63:26 must be zero",
			       (unsigned long long)policy);
	signer = ms_le32(r + 0x48);
	if (signer >> 5 || (((signer >> 2) & 7) > 1 && ((signer >> 2) & 7) != 7))
		return ms_fail(err, MS_BAD_INPUT, "report SIGNER_INFO (offset 0x48) 0x%x has reserved values", signer);
	{
		static const struct {
			size_t at, n;
		} mbz[] = { { 0x4c, 4 }, { 0x18b, 21 }, { 0x1eb, 1 }, { 0x1ef, 1 }, { 0x208, 0x98 }, { 0x330, 0x170 } };

		for (size_t i = 0; i < sizeof(mbz) / sizeof(mbz[0]); i++) {
			size_t at = mbz[i].at, n = mbz[i].n;

			if (i == 1 && version == 2)
				at = 0x188, n = 24;
			if (!zero(r + at, n))
				return ms_fail(err, MS_BAD_INPUT, "report bytes 0x%zx..0x%zx must be zero", at, at + n - 1);
		}
	}
	return MS_OK;
}

static enum ms_status verify_signature(const uint8_t *r, X509 *vek, struct ms_err *err)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br = BN_lebin2bn(r + 0x2a0, 72, NULL), *bs = BN_lebin2bn(r + 0x2e8, 72, NULL);
	uint8_t *der = NULL;
	int n;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum ms_status st = MS_OK;

	if (!sig || !br || !bs || !ctx || !ECDSA_SIG_set0(sig, br, bs)) {
		BN_free(br);
		BN_free(bs);
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	n = i2d_ECDSA_SIG(sig, &der);
	if (n <= 0 || EVP_DigestVerifyInit_ex(ctx, NULL, "SHA384", NULL, NULL, X509_get0_pubkey(vek), NULL) != 1 ||
	    EVP_DigestVerify(ctx, der, (size_t)n, r, SIGNED_LEN) != 1)
		st = ms_fail(err, MS_BAD_SIGNATURE, "report signature (offset 0x2a0) does not verify with the VCEK/VLEK");
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return st;
}

enum ms_status ms_snp_verify(const uint8_t *r, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err)
{
	X509 *vek = NULL, *ask = NULL, *ark = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	bool vlek = false;
	enum product product, report_product;
	char pname[64], a[112], b[112];
	enum ms_status st;
	uint32_t signer;
	struct tcb want, got;
	static const enum ms_anchor_id arks[] = { 0, MS_ANCHOR_AMD_ARK_MILAN, MS_ANCHOR_AMD_ARK_GENOA, MS_ANCHOR_AMD_ARK_TURIN };
	static const enum ms_anchor_id asks[] = { 0, MS_ANCHOR_AMD_ASK_MILAN, MS_ANCHOR_AMD_ASK_GENOA, MS_ANCHOR_AMD_ASK_TURIN };
	static const enum ms_anchor_id asvks[] = { 0, MS_ANCHOR_AMD_ASVK_MILAN, MS_ANCHOR_AMD_ASVK_GENOA,
						   MS_ANCHOR_AMD_ASVK_TURIN };

	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_SNP;
	ev->platform = "sev-snp";
	ms_sha256(r, len, ev->sha256);
	if ((st = check_report(r, len, err)))
		return st;
	ms_check_add(checks, true, "report format", "1184 bytes, v2/3/5, MBZ zero", "ok");
	signer = ms_le32(r + 0x48);

	if (o->vcek) {
		st = ms_x509_parse(o->vcek, o->vcek_len, "VCEK", &vek, err);
		vlek = !st && vcek_ext(vek, "5"); /* a VLEK carries its CSP ID, a VCEK does not */
	} else if (o->certs) {
		if (!(st = cert_from_table(o->certs, o->certs_len, &der, &der_len, &vlek, err)))
			st = ms_x509_parse(der, der_len, "VCEK from the certificate table", &vek, err);
	} else {
		st = ms_fail(err, MS_NO_COLLATERAL,
			     "the report is signed by a %s that was not given: pass --vcek FILE or --certs FILE (fetched from AMD KDS beforehand)",
			     ((signer >> 2) & 7) == 1 ? "VLEK" : "VCEK");
	}
	if (st)
		goto out;
	if (vlek != (((signer >> 2) & 7) == 1)) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "the report says it is signed by a %s, a %s was given",
			     ((signer >> 2) & 7) == 1 ? "VLEK" : "VCEK", vlek ? "VLEK" : "VCEK");
		goto out;
	}
	product = vcek_product(vek, pname, sizeof(pname));
	report_product = ms_le32(r) >= 3 ? product_from_cpuid(r) : UNKNOWN;
	if (product == UNKNOWN) {
		st = ms_fail(err, MS_UNSUPPORTED, "VCEK productName \"%s\": Milan, Genoa and Turin are known", pname);
		goto out;
	}
	if (report_product != UNKNOWN && report_product != product) {
		snprintf(a, sizeof(a), "%s (report CPUID)", product_name(report_product));
		ms_check_add(checks, false, "product", a, pname);
		st = ms_fail(err, MS_BAD_SIGNATURE, "the report's CPUID says %s, the VCEK is for %s",
			     product_name(report_product), pname);
		goto out;
	}
	/* ARK (pinned, self-signed) -> ASK or ASVK (built in) -> VCEK or VLEK */
	if (o->root_override && o->ask_override) {
		ark = X509_dup(o->root_override);
		ask = X509_dup(o->ask_override);
		if (!ark || !ask) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	} else if (o->root_override) {
		st = ms_fail(err, MS_USAGE, "an SNP chain override needs the ASK (or ASVK) and the ARK, in that order");
		goto out;
	} else if ((st = ms_anchor_load(arks[product], &ark, err)) ||
		   (st = ms_anchor_load(vlek ? asvks[product] : asks[product], &ask, err))) {
		goto out;
	}
	if ((st = ms_x509_check_issued(ark, ark, "ARK", err)) || (st = ms_x509_check_issued(ask, ark, vlek ? "ASVK" : "ASK", err))) {
		ms_check_add(checks, false, "AMD chain", "ARK -> ASK", err->msg);
		goto out;
	}
	if ((st = ms_x509_check_issued(vek, ask, vlek ? "VLEK" : "VCEK", err))) {
		snprintf(a, sizeof(a), "%s signed by %s-%s", vlek ? "VLEK" : "VCEK", vlek ? "ASVK" : "ASK", product_name(product));
		ms_check_add(checks, false, "certificate chain", a, "does not verify");
		goto out;
	}
	if ((st = ms_x509_check_time(ark, o->at, "ARK", err)) || (st = ms_x509_check_time(ask, o->at, vlek ? "ASVK" : "ASK", err)) ||
	    (st = ms_x509_check_time(vek, o->at, vlek ? "VLEK" : "VCEK", err))) {
		ms_check_add(checks, false, "certificate validity", "valid", err->msg);
		goto out;
	}
	snprintf(a, sizeof(a), "ARK-%s (%s) -> %s -> %s", product_name(product), o->root_override ? "OVERRIDE: --root" : "pinned",
		 vlek ? "ASVK" : "ASK", vlek ? "VLEK" : "VCEK");
	ms_format_time(o->at, b);
	ms_check_add(checks, true, "certificate chain", a, b);
	{
		X509 *all[3] = { ark, ask, vek };

		if ((st = ms_evidence_crls(o, all, 3, o->at, ev, checks, err)))
			goto out;
	}
	if ((st = verify_signature(r, vek, err))) {
		ms_check_add(checks, false, "report signature", "ECDSA P-384 by the VCEK", "does not verify");
		goto out;
	}
	ms_check_add(checks, true, "report signature", "ECDSA P-384 by the VCEK", "verifies");

	/* the VCEK is derived for REPORTED_TCB: its SPL extensions must equal it */
	got = tcb_of(ms_le64(r + 0x180), product);
	if (!vcek_int(vek, "3.1", &want.bl) || !vcek_int(vek, "3.2", &want.tee) || !vcek_int(vek, "3.3", &want.snp) ||
	    !vcek_int(vek, "3.8", &want.ucode) || (product == TURIN && !vcek_int(vek, "3.9", &want.fmc))) {
		st = ms_fail(err, MS_BAD_SIGNATURE, "the VCEK lacks its TCB (SPL) extensions");
		goto out;
	}
	if (product != TURIN)
		want.fmc = 0;
	snprintf(a, sizeof(a), "fmc %u bl %u tee %u snp %u ucode %u (VCEK)", want.fmc, want.bl, want.tee, want.snp, want.ucode);
	snprintf(b, sizeof(b), "fmc %u bl %u tee %u snp %u ucode %u", got.fmc, got.bl, got.tee, got.snp, got.ucode);
	if (memcmp(&want, &got, sizeof(want))) {
		ms_check_add(checks, false, "REPORTED_TCB", a, b);
		st = ms_fail(err, MS_BAD_SIGNATURE, "REPORTED_TCB (offset 0x180) is not the TCB the VCEK was issued for");
		goto out;
	}
	ms_check_add(checks, true, "REPORTED_TCB", a, b);
	if (!vlek && !zero(r + 0x1a0, 64)) {
		const ASN1_OCTET_STRING *hw = vcek_ext(vek, "4");
		size_t n = product == TURIN ? 8 : 64;

		if (!hw || (size_t)ASN1_STRING_length(hw) < n || memcmp(ASN1_STRING_get0_data(hw), r + 0x1a0, n)) {
			ms_check_add(checks, false, "CHIP_ID", "the VCEK's hwID", "differs");
			st = ms_fail(err, MS_BAD_SIGNATURE, "CHIP_ID (offset 0x1a0) is not the VCEK's hwID");
			goto out;
		}
		ms_check_add(checks, true, "CHIP_ID", "the VCEK's hwID", "equal");
	}
	{
		char *s = ms_x509_name(X509_get_subject_name(vek));

		snprintf(ev->signed_by, sizeof(ev->signed_by), "%s (%s)", s ? s : "?", pname);
		free(s);
	}
	ev->raw = r;
	snprintf(ev->product_name, sizeof(ev->product_name), "%s", product_name(product));
	ms_evidence_add(ev, "measurement", r + 0x90, 48);
	ms_evidence_add(ev, "host_data", r + 0xc0, 32);
	memcpy(ev->freshness, r + 0x50, 64);
	ev->freshness_len = 64;
	if (ms_le64(r + 8) & (1ull << 19)) {
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "the guest POLICY (0x%llx) allows DEBUG (bit 19)",
			 (unsigned long long)ms_le64(r + 8));
	}
out:
	X509_free(vek);
	X509_free(ask);
	X509_free(ark);
	free(der);
	return st;
}

static void tcb_json(cJSON *o, const char *key, uint64_t v, enum product p)
{
	cJSON *t = cJSON_AddObjectToObject(o, key);
	struct tcb c = tcb_of(v, p);
	char raw[24];

	snprintf(raw, sizeof(raw), "%016llx", (unsigned long long)v);
	cJSON_AddStringToObject(t, "raw", raw);
	if (p == TURIN)
		cJSON_AddNumberToObject(t, "fmc", c.fmc);
	cJSON_AddNumberToObject(t, "bootloader", c.bl);
	cJSON_AddNumberToObject(t, "tee", c.tee);
	cJSON_AddNumberToObject(t, "snp", c.snp);
	cJSON_AddNumberToObject(t, "microcode", c.ucode);
}

enum ms_status ms_snp_inspect(const uint8_t *r, size_t len, cJSON **out, struct ms_err *err)
{
	cJSON *o, *p;
	enum ms_status st = check_report(r, len, err);
	enum product prod;
	uint64_t policy;
	uint32_t signer;
	char buf[32];

	if (st)
		return st;
	prod = ms_le32(r) >= 3 ? product_from_cpuid(r) : UNKNOWN;
	policy = ms_le64(r + 8);
	signer = ms_le32(r + 0x48);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "sev-snp attestation report");
	cJSON_AddNumberToObject(o, "version", ms_le32(r));
	cJSON_AddNumberToObject(o, "guest_svn", ms_le32(r + 4));
	p = cJSON_AddObjectToObject(o, "policy");
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)policy);
	cJSON_AddStringToObject(p, "raw", buf);
	snprintf(buf, sizeof(buf), "%u.%u", (unsigned)(policy >> 8) & 0xff, (unsigned)policy & 0xff);
	cJSON_AddStringToObject(p, "abi", buf);
	cJSON_AddBoolToObject(p, "smt", policy >> 16 & 1);
	cJSON_AddBoolToObject(p, "migrate_ma", policy >> 18 & 1);
	cJSON_AddBoolToObject(p, "debug", policy >> 19 & 1);
	cJSON_AddBoolToObject(p, "single_socket", policy >> 20 & 1);
	cJSON_AddBoolToObject(p, "cxl_allow", policy >> 21 & 1);
	cJSON_AddBoolToObject(p, "mem_aes_256_xts", policy >> 22 & 1);
	cJSON_AddBoolToObject(p, "rapl_dis", policy >> 23 & 1);
	cJSON_AddBoolToObject(p, "ciphertext_hiding", policy >> 24 & 1);
	cJSON_AddBoolToObject(p, "page_swap_disable", policy >> 25 & 1);
	ms_json_add_hex(o, "family_id", r + 0x10, 16);
	ms_json_add_hex(o, "image_id", r + 0x20, 16);
	cJSON_AddNumberToObject(o, "vmpl", ms_le32(r + 0x30));
	cJSON_AddNumberToObject(o, "signature_algo", ms_le32(r + 0x34));
	tcb_json(o, "current_tcb", ms_le64(r + 0x38), prod);
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)ms_le64(r + 0x40));
	cJSON_AddStringToObject(o, "platform_info", buf);
	p = cJSON_AddObjectToObject(o, "signer_info");
	cJSON_AddBoolToObject(p, "author_key_en", signer & 1);
	cJSON_AddBoolToObject(p, "mask_chip_key", signer >> 1 & 1);
	cJSON_AddStringToObject(p, "signing_key", ((signer >> 2) & 7) == 0 ? "vcek" : ((signer >> 2) & 7) == 1 ? "vlek" : "none");
	ms_json_add_hex(o, "report_data", r + 0x50, 64);
	ms_json_add_hex(o, "measurement", r + 0x90, 48);
	ms_json_add_hex(o, "host_data", r + 0xc0, 32);
	ms_json_add_hex(o, "id_key_digest", r + 0xe0, 48);
	ms_json_add_hex(o, "author_key_digest", r + 0x110, 48);
	ms_json_add_hex(o, "report_id", r + 0x140, 32);
	ms_json_add_hex(o, "report_id_ma", r + 0x160, 32);
	tcb_json(o, "reported_tcb", ms_le64(r + 0x180), prod);
	if (ms_le32(r) >= 3) {
		cJSON_AddNumberToObject(o, "cpuid_family", r[0x188]);
		cJSON_AddNumberToObject(o, "cpuid_model", r[0x189]);
		cJSON_AddNumberToObject(o, "cpuid_stepping", r[0x18a]);
	}
	cJSON_AddStringToObject(o, "product", product_name(prod));
	ms_json_add_hex(o, "chip_id", r + 0x1a0, 64);
	tcb_json(o, "committed_tcb", ms_le64(r + 0x1e0), prod);
	snprintf(buf, sizeof(buf), "%u.%u.%u", r[0x1ea], r[0x1e9], r[0x1e8]);
	cJSON_AddStringToObject(o, "current_version", buf);
	snprintf(buf, sizeof(buf), "%u.%u.%u", r[0x1ee], r[0x1ed], r[0x1ec]);
	cJSON_AddStringToObject(o, "committed_version", buf);
	tcb_json(o, "launch_tcb", ms_le64(r + 0x1f0), prod);
	if (ms_le32(r) >= 5) {
		snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)ms_le64(r + 0x1f8));
		cJSON_AddStringToObject(o, "launch_mit_vector", buf);
		snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)ms_le64(r + 0x200));
		cJSON_AddStringToObject(o, "current_mit_vector", buf);
	}
	p = cJSON_AddObjectToObject(o, "signature");
	ms_json_add_hex(p, "r_le", r + 0x2a0, 72);
	ms_json_add_hex(p, "s_le", r + 0x2e8, 72);
	*out = o;
	return MS_OK;
}
