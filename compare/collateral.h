/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vendor collateral: what a piece of evidence needs (collateral_need.c), and
 * fetching it into the cache (collateral_fetch.c). Cache keys: common/cache.h.
 */
#ifndef MS_COLLATERAL_H
#define MS_COLLATERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/cache.h"
#include "../common/http.h"
#include "abi.h"
#include "evidence.h"

enum ms_collateral_service {
	MS_SERVICE_AMD_KDS,     /* https://kdsintf.amd.com */
	MS_SERVICE_INTEL_PCS,   /* https://api.trustedservices.intel.com */
	MS_SERVICE_INTEL_CERTS, /* https://certificates.trustedservices.intel.com (the root CA's CRL) */
	MS_SERVICE_COUNT,
};

enum ms_collateral_kind {
	MS_COLLATERAL_AMD_VCEK,      /* DER */
	MS_COLLATERAL_AMD_CHAIN,     /* PEM: ASK then ARK */
	MS_COLLATERAL_AMD_CRL,       /* DER, issued by the ARK */
	MS_COLLATERAL_INTEL_TCBINFO, /* JSON, issuer chain in a header */
	MS_COLLATERAL_INTEL_QEID,    /* JSON, issuer chain in a header */
	MS_COLLATERAL_INTEL_PCKCRL,  /* DER, issuer chain in a header */
	MS_COLLATERAL_INTEL_ROOTCRL, /* DER */
};

#define MS_COLLATERAL_ISSUER_MAX 4096

struct ms_collateral_item {
	enum ms_collateral_kind kind;
	enum ms_collateral_service service;
	char key[MS_CACHE_KEY_MAX + 1];
	char path[400];     /* appended to the service's base URL */
	const char *header; /* a response header stored under key + ".issuer-chain", or NULL */
	const char *what;   /* names the item in messages */
	/*
	 * A CRL item the evidence names the issuer of (TDX: the CAs in the quote's
	 * PCK chain): that certificate (DER); 0 when not known from the evidence
	 * (SNP: the ARK comes with the cert_chain item).
	 */
	uint8_t crl_issuer[MS_COLLATERAL_ISSUER_MAX];
	size_t crl_issuer_len;
};

#define MS_COLLATERAL_MAX 6

struct ms_collateral_need {
	enum ms_evidence_type type;
	enum ms_snp_product product; /* SNP */
	uint8_t fmspc[6];            /* TDX */
	size_t n;                    /* 0: the evidence carries all it needs (Nitro) */
	struct ms_collateral_item item[MS_COLLATERAL_MAX];
};

/* The default base URL of a service (no trailing '/'). */
const char *ms_collateral_default_base(enum ms_collateral_service s);

/*
 * What the evidence needs from its vendor:
 *   SNP: the VCEK for its CHIP_ID and REPORTED_TCB, the product's cert_chain
 *        and CRL. product names the product when the report does not (version 2
 *        has no CPUID fields); when both do, they must agree.
 *   TDX: the TCB info for the FMSPC of the quote's PCK certificate, the QE
 *        identity, the CRL of the PCK's issuing CA (platform or processor) and
 *        the root CA's CRL.
 *   Nitro: nothing (the document carries its chain; AWS publishes no CRL).
 * MS_BAD_INPUT for malformed evidence; MS_UNSUPPORTED for evidence whose
 * collateral cannot be fetched (a VLEK, a masked CHIP_ID, an unknown product);
 * MS_USAGE when the product is needed and unknown.
 */
enum ms_status ms_collateral_need(const uint8_t *evidence, size_t len, enum ms_evidence_type type,
				  enum ms_snp_product product, struct ms_collateral_need *need, struct ms_err *err);

/*
 * The SGX FMSPC (6 bytes) from a PCK certificate's SGX extension (OID
 * 1.2.840.113741.1.13.1.4), read by ms_sgx_ext_from_cert (tcb.h): an
 * extension the TCB evaluation would refuse is refused here too.
 */
enum ms_status ms_pck_fmspc(X509 *pck, uint8_t fmspc[6], struct ms_err *err);

struct ms_fetch_options {
	const char *base[MS_SERVICE_COUNT]; /* NULL: the default */
	struct ms_http_options http;
	bool only_missing; /* keep what the cache holds; fetch the rest ... */
	int64_t fresh_at;  /* ... and, when not 0, a cached CRL whose nextUpdate is before this (unix seconds) */
};

struct ms_fetched {
	char key[MS_CACHE_KEY_MAX + 32];
	uint8_t sha256[MS_SHA256_LEN];
	size_t len;
	bool already_cached; /* only_missing: not fetched, the cache had it */
};

struct ms_fetch_result {
	size_t n;
	struct ms_fetched f[2 * MS_COLLATERAL_MAX]; /* each item, and its issuer chain */
};

/*
 * Downloads every item (or, with only_missing, those the cache lacks,
 * holds as a CRL stale at fresh_at, or holds as a CRL not issued by the CA
 * the evidence's chain has: for SNP the cert_chain's ARK, for TDX the
 * issuer named in the quote's PCK chain),
 * checks each is what it should be (a certificate, a CRL, a PEM chain, a
 * JSON object with its issuer chain), and only when all are stores them in
 * the cache. Statuses as ms_http_get; MS_BAD_INPUT for a response that is not
 * what it should be (nothing is stored then).
 */
enum ms_status ms_collateral_fetch(const struct ms_collateral_need *need, const char *cache_dir,
				   const struct ms_fetch_options *o, struct ms_fetch_result *res, struct ms_err *err);

/*
 * SNP collateral from the cache for a report: the VCEK (DER), the ASK+ARK PEM
 * and the ARK's CRL (DER), each newly allocated, and bundle: the VCEK then
 * the ASK and ARK in one PEM (as AMD's bundle, for the verifier's vcek).
 * The product is the report's (CPUID), else the first of Milan, Genoa, Turin
 * whose VCEK key the cache holds. MS_NO_COLLATERAL naming the key the cache
 * lacks; with want_crl false the CRL is not read.
 */
struct ms_snp_cached {
	uint8_t *vcek, *chain, *crl, *bundle;
	size_t vcek_len, chain_len, crl_len, bundle_len;
	char vcek_key[MS_CACHE_KEY_MAX + 1];
};
enum ms_status ms_snp_collateral_from_cache(const char *cache_dir, const uint8_t *report, size_t len, bool want_crl,
					    struct ms_snp_cached *out, struct ms_err *err);
void ms_snp_cached_free(struct ms_snp_cached *c);

#endif
