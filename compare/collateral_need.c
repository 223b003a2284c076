/* SPDX-License-Identifier: Apache-2.0 */
/* Which vendor collateral a piece of evidence needs, and where the vendor serves it. */
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "../common/hex.h"
#include "../common/x509.h"
#include "collateral.h"
#include "tcb.h"

const char *ms_collateral_default_base(enum ms_collateral_service s)
{
	switch (s) {
	case MS_SERVICE_AMD_KDS:
		return "https://kdsintf.amd.com";
	case MS_SERVICE_INTEL_PCS:
		return "https://api.trustedservices.intel.com";
	case MS_SERVICE_INTEL_CERTS:
		return "https://certificates.trustedservices.intel.com";
	default:
		return "";
	}
}

static struct ms_collateral_item *add_item(struct ms_collateral_need *need, enum ms_collateral_kind kind,
					   enum ms_collateral_service service, const char *what, const char *header)
{
	struct ms_collateral_item *it = &need->item[need->n++];

	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->service = service;
	it->what = what;
	it->header = header;
	return it;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static enum ms_status snp_need(const uint8_t *buf, size_t len, enum ms_snp_product given,
			       struct ms_collateral_need *need, struct ms_err *err)
{
	struct ms_snp_report r;
	enum ms_snp_product product;
	struct ms_snp_tcb t;
	struct ms_collateral_item *it;
	const char *name;
	char hwid[129], fmc[24] = "";
	bool turin;
	enum ms_status st;

	if ((st = ms_snp_report_decode(buf, len, &r, err)))
		return st;
	if (r.signing_key == MS_SNP_KEY_NONE)
		return ms_fail(err, MS_BAD_INPUT, "report SIGNER_INFO (offset 0x48) says the report is not signed");
	if (r.signing_key == MS_SNP_KEY_VLEK)
		return ms_fail(err, MS_UNSUPPORTED,
			       "the report is signed by a VLEK, which AMD KDS serves only to the cloud provider: ask the provider");
	if (r.mask_chip_key || all_zero(r.chip_id, sizeof(r.chip_id)))
		return ms_fail(err, MS_UNSUPPORTED,
			       "the report's CHIP_ID (offset 0x1a0) is masked: its VCEK cannot be looked up; take it from the host");
	product = ms_snp_report_product(&r);
	if (r.has_cpuid && product == MS_SNP_PRODUCT_UNKNOWN)
		return ms_fail(err, MS_UNSUPPORTED,
			       "the report's CPUID (offset 0x188) is family 0x%x model 0x%x: not a known SEV-SNP product",
			       r.cpuid_fam_id, r.cpuid_mod_id);
	if (product != MS_SNP_PRODUCT_UNKNOWN && given != MS_SNP_PRODUCT_UNKNOWN && given != product)
		return ms_fail(err, MS_BAD_INPUT, "the report's CPUID (offset 0x188) says %s, the product given is %s",
			       ms_snp_product_name(product), ms_snp_product_name(given));
	if (product == MS_SNP_PRODUCT_UNKNOWN)
		product = given;
	if (product == MS_SNP_PRODUCT_UNKNOWN)
		return ms_fail(err, MS_USAGE,
			       "the report (version %u) does not name its product (no CPUID fields): the product must be given",
			       r.version);
	need->product = product;
	name = ms_snp_product_name(product);
	turin = product == MS_SNP_PRODUCT_TURIN;
	t = ms_snp_tcb_parts(r.reported_tcb, turin);
	/* Turin's KDS names a chip by the first 8 bytes of CHIP_ID and adds the FMC SPL */
	ms_hex_encode(r.chip_id, turin ? 8 : 64, hwid);
	if (turin)
		snprintf(fmc, sizeof(fmc), "fmcSPL=%u&", t.fmc);

	it = add_item(need, MS_COLLATERAL_AMD_VCEK, MS_SERVICE_AMD_KDS, "VCEK", NULL);
	snprintf(it->key, sizeof(it->key), "amd/%s/vcek/%s/%016llx", name, hwid, (unsigned long long)r.reported_tcb);
	snprintf(it->path, sizeof(it->path), "/vcek/v1/%s/%s?%sblSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", name, hwid, fmc,
		 t.bootloader, t.tee, t.snp, t.microcode);
	it = add_item(need, MS_COLLATERAL_AMD_CHAIN, MS_SERVICE_AMD_KDS, "ASK and ARK (cert_chain)", NULL);
	snprintf(it->key, sizeof(it->key), "amd/%s/cert_chain", name);
	snprintf(it->path, sizeof(it->path), "/vcek/v1/%s/cert_chain", name);
	it = add_item(need, MS_COLLATERAL_AMD_CRL, MS_SERVICE_AMD_KDS, "the ARK's CRL", NULL);
	snprintf(it->key, sizeof(it->key), "amd/%s/crl", name);
	snprintf(it->path, sizeof(it->path), "/vcek/v1/%s/crl", name);
	return MS_OK;
}

enum ms_status ms_pck_fmspc(X509 *pck, uint8_t fmspc[6], struct ms_err *err)
{
	struct ms_sgx_ext ext;
	enum ms_status st;

	/* the one parser of the SGX extension, as the TCB evaluation reads it: strict in every field */
	if (!(st = ms_sgx_ext_from_cert(pck, &ext, err)))
		memcpy(fmspc, ext.fmspc, 6);
	return st;
}

/* "platform" or "processor": the PCK's issuing CA, by its common name. */
static const char *pck_ca(X509 *pck)
{
	char cn[128] = "";

	X509_NAME_get_text_by_NID(X509_get_issuer_name(pck), NID_commonName, cn, sizeof(cn));
	if (!strcmp(cn, "Intel SGX PCK Platform CA"))
		return "platform";
	if (!strcmp(cn, "Intel SGX PCK Processor CA"))
		return "processor";
	return NULL;
}

/* Records in it the certificate of chain whose subject is name: the CA that should issue the CRL. */
static void set_crl_issuer(struct ms_collateral_item *it, STACK_OF(X509) *chain, const X509_NAME *name)
{
	X509 *ca = NULL;
	unsigned char *p = it->crl_issuer;
	int len;

	for (int i = 0; i < sk_X509_num(chain) && !ca; i++)
		if (!X509_NAME_cmp(X509_get_subject_name(sk_X509_value(chain, i)), name))
			ca = sk_X509_value(chain, i);
	/* unknown or too large: left empty, and a cached CRL is then fetched again rather than trusted */
	if (ca && (len = i2d_X509(ca, NULL)) > 0 && (size_t)len <= sizeof(it->crl_issuer) && i2d_X509(ca, &p) == len)
		it->crl_issuer_len = (size_t)len;
}

static enum ms_status tdx_need(const uint8_t *buf, size_t len, struct ms_collateral_need *need, struct ms_err *err)
{
	struct ms_tdx_quote q;
	STACK_OF(X509) *chain = NULL;
	struct ms_collateral_item *it;
	X509 *pck;
	const char *ca;
	char fmspc[13];
	enum ms_status st;

	if ((st = ms_tdx_quote_decode(buf, len, &q, err)))
		return st;
	if ((st = ms_x509_parse_bundle(q.pck_chain, q.pck_chain_len, "PCK certificate chain", &chain, err)))
		goto out;
	pck = sk_X509_value(chain, 0);
	if ((st = ms_pck_fmspc(pck, need->fmspc, err)))
		goto out;
	if (!(ca = pck_ca(pck))) {
		st = ms_fail(err, MS_UNSUPPORTED,
			     "the PCK certificate's issuer is neither Intel SGX PCK Platform CA nor Processor CA");
		goto out;
	}
	ms_hex_encode(need->fmspc, 6, fmspc);
	it = add_item(need, MS_COLLATERAL_INTEL_TCBINFO, MS_SERVICE_INTEL_PCS, "TDX TCB info", "TCB-Info-Issuer-Chain");
	snprintf(it->key, sizeof(it->key), "intel/tdx/tcbinfo/%s", fmspc);
	snprintf(it->path, sizeof(it->path), "/tdx/certification/v4/tcb?fmspc=%s", fmspc);
	it = add_item(need, MS_COLLATERAL_INTEL_QEID, MS_SERVICE_INTEL_PCS, "TDX QE identity",
		      "SGX-Enclave-Identity-Issuer-Chain");
	snprintf(it->key, sizeof(it->key), "intel/tdx/qe-identity");
	snprintf(it->path, sizeof(it->path), "/tdx/certification/v4/qe/identity");
	it = add_item(need, MS_COLLATERAL_INTEL_PCKCRL, MS_SERVICE_INTEL_PCS, "PCK CRL", "SGX-PCK-CRL-Issuer-Chain");
	snprintf(it->key, sizeof(it->key), "intel/pckcrl/%s", ca);
	snprintf(it->path, sizeof(it->path), "/sgx/certification/v4/pckcrl?ca=%s&encoding=der", ca);
	set_crl_issuer(it, chain, X509_get_issuer_name(pck));
	it = add_item(need, MS_COLLATERAL_INTEL_ROOTCRL, MS_SERVICE_INTEL_CERTS, "Intel SGX Root CA CRL", NULL);
	snprintf(it->key, sizeof(it->key), "intel/rootcrl");
	snprintf(it->path, sizeof(it->path), "/IntelSGXRootCA.der");
	/* the root: the certificate that issued the PCK's CA */
	for (int i = 0; i < sk_X509_num(chain); i++)
		if (!X509_NAME_cmp(X509_get_subject_name(sk_X509_value(chain, i)), X509_get_issuer_name(pck)))
			set_crl_issuer(it, chain, X509_get_issuer_name(sk_X509_value(chain, i)));
out:
	sk_X509_pop_free(chain, X509_free);
	return st;
}

enum ms_status ms_collateral_need(const uint8_t *evidence, size_t len, enum ms_evidence_type type,
				  enum ms_snp_product product, struct ms_collateral_need *need, struct ms_err *err)
{
	memset(need, 0, sizeof(*need));
	need->type = type;
	switch (type) {
	case MS_EVIDENCE_NITRO:
		return MS_OK;
	case MS_EVIDENCE_SNP:
		return snp_need(evidence, len, product, need, err);
	case MS_EVIDENCE_TDX:
		return tdx_need(evidence, len, need, err);
	default:
		return ms_fail(err, MS_BAD_INPUT, "not Nitro, SNP or TDX evidence");
	}
}
