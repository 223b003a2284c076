/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_CHAIN_H
#define MS_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "status.h"

/*
 * The one certificate-chain verifier: OpenSSL's X509_verify_cert with a store
 * that holds only the given root, at a fixed time, and every certificate on
 * the path checked against the CRLs when CRLs are given.
 */
struct ms_chain_params {
	X509 *root;                 /* the only trust anchor: pinned, or an explicit override */
	STACK_OF(X509) *untrusted;  /* intermediates as the evidence carries them (may hold the root) */
	X509 *leaf;
	STACK_OF(X509_CRL) *crls;   /* NULL or empty: revocation is not checked */
	int64_t at;                 /* the check time, unix seconds */
	/*
	 * Depths (0 = the leaf) whose issuer publishes no CRL: a missing CRL there
	 * is not an error. SNP: the VCEK (AMD's ASK issues no CRL).
	 */
	unsigned crl_exempt_depths;
	/*
	 * X509_V_FLAG_X509_STRICT is on unless this is set; say why at the call
	 * site (AMD's VCEK has no authority key identifier, for one).
	 */
	bool lax_profile;
	const char *what;           /* "PCK chain", "AMD chain": names the chain in messages */
};

struct ms_chain_result {
	STACK_OF(X509) *path;       /* root last, leaf first; owned by the caller (sk_X509_pop_free) */
	size_t crls_used;           /* CRLs issued by a certificate on the path */
	uint32_t crls_used_mask;    /* which of them (bit i: p->crls[i]; the first 32) */
	bool revocation_checked;    /* CRLs were given and every non-exempt certificate was covered */
};

/*
 * Verifies leaf up to root at p->at. Every certificate in p->untrusted must
 * lie on the verified path (no extras, no duplicates). CRLs: each one issued
 * by a certificate of the chain (root or untrusted) must be current at p->at,
 * and complete (delta and partitioned CRLs are refused); when there is any,
 * every certificate on the path (bar the root and exempt depths) needs a CRL
 * from its issuer. CRLs of other chains are ignored (revocation_checked false).
 *
 * MS_BAD_SIGNATURE: a signature, name chaining, validity, CA, path length,
 * unknown critical extension or revocation failure; MS_NO_COLLATERAL: a CRL
 * that is stale or missing for a certificate on the path; MS_UNSUPPORTED: a
 * delta or partitioned CRL. The message names the certificate by subject.
 */
enum ms_status ms_chain_verify(const struct ms_chain_params *p, struct ms_chain_result *r, struct ms_err *err);

void ms_chain_result_free(struct ms_chain_result *r);

#endif
