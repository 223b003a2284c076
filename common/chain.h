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
struct ms_chain_cache;

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
	/*
	 * NULL, or a cache of chains verified earlier in this run (below); with
	 * it, a chain seen before under the very same conditions has only its
	 * leaf verified. The outcome is the same as without it.
	 */
	struct ms_chain_cache *cache;
};

struct ms_chain_result {
	STACK_OF(X509) *path;       /* root last, leaf first; owned by the caller (sk_X509_pop_free) */
	size_t crls_used;           /* CRLs issued (name and signature) by a CA of the path, never the leaf */
	uint32_t crls_used_mask;    /* which of them (bit i: p->crls[i]; the first 32) */
	bool revocation_checked;    /* CRLs were given and every non-exempt certificate was covered */
};

/*
 * Verifies leaf up to root at p->at. Every certificate in p->untrusted must
 * lie on the verified path (no extras, no duplicates). CRLs: each one issued
 * by a CA certificate of the chain (root or untrusted, never the leaf) must be
 * current at p->at, verify with that CA's key, and be complete (delta and
 * partitioned CRLs are refused); when there is any, every certificate on the
 * path (bar the root and exempt depths) needs a CRL from its issuer, and a
 * certificate that any of its issuer's CRLs lists is revoked (not only the one
 * X509_verify_cert picks). CRLs of other chains are ignored
 * (revocation_checked false), a CRL in the leaf's name among them.
 *
 * MS_BAD_SIGNATURE: a signature, name chaining, validity, CA, path length,
 * unknown critical extension or revocation failure; MS_NO_COLLATERAL: a CRL
 * that is stale or missing for a certificate on the path; MS_UNSUPPORTED: a
 * delta or partitioned CRL. The message names the certificate by subject.
 */
enum ms_status ms_chain_verify(const struct ms_chain_params *p, struct ms_chain_result *r, struct ms_err *err);

void ms_chain_result_free(struct ms_chain_result *r);

/*
 * Whether issuer issued crl: the CRL's issuer name is issuer's subject and its
 * signature verifies with issuer's key. The one test of "a CRL of this CA"
 * (the chain verifier's, SNP's VCEK-by-ARK check, the fetcher's).
 */
bool ms_crl_issued_by(X509_CRL *crl, X509 *issuer);

/*
 * Verified intermediates, for a process that verifies many pieces of evidence
 * (compare --batch, a pin service). After a full X509_verify_cert of
 * leaf -> intermediates -> root succeeds, the path above the leaf is kept
 * under the SHA-256 of everything that decided it: the root, the certificates
 * the evidence carried besides the leaf (in order), every CRL given, the
 * CRL-exempt depths and the profile flag, with the window of check times in
 * which that verdict cannot change: strictly between the latest notBefore and
 * the earliest notAfter of the kept certificates, and the latest thisUpdate
 * and the earliest nextUpdate of the CRLs given (--at evidence batches, each
 * at its own time, reuse an intermediate so). A check time outside the window
 * is verified in full. A later chain with the same key and a check time in
 * the window is verified by X509_verify_cert too, with the leaf's issuer
 * from that verified path as the only trust anchor (X509_V_FLAG_PARTIAL_CHAIN):
 * the leaf's signature, validity at the check time, revocation by its issuer's
 * CRL, profile and unknown critical extensions are all checked again; so is
 * "every carried certificate on the path", against the whole path. Anything
 * that fails that way is verified in full again, so messages and statuses
 * never depend on the cache. A path whose certificates carry name or policy
 * constraints (which bind the certificates below them) is never cached.
 * The very same chain again (its leaf's DER added to the key) reuses the
 * whole verified path: X509_verify_cert's verdict is a function of exactly
 * those inputs. The checks made after it are made again.
 * A revoked intermediate, another root or another CRL set gives another key,
 * and a time outside the window no hit: a full verification.
 *
 * Bounded (64 paths and 256 parsed inputs, the oldest replaced); not
 * thread-safe: one per thread.
 */
enum ms_status ms_chain_cache_new(struct ms_chain_cache **out, struct ms_err *err);
void ms_chain_cache_free(struct ms_chain_cache *c);
/* Chains verified from the cache, and in full (the first of each key included). */
void ms_chain_cache_stats(const struct ms_chain_cache *c, uint64_t *hits, uint64_t *full);

/*
 * ms_x509_parse and ms_x509_parse_bundle (common/x509.h), remembered in the
 * cache by the SHA-256 of the bytes parsed: the same bytes again give the
 * same certificates (shared, reference-counted; free them as usual) without
 * decoding them and their keys again, which is most of the cost of a short
 * chain. Only successes are remembered; errors are those of the parsers.
 * c NULL: the parsers themselves.
 */
enum ms_status ms_chain_cache_parse(struct ms_chain_cache *c, const uint8_t *buf, size_t len, const char *what, X509 **out,
				    struct ms_err *err);
enum ms_status ms_chain_cache_parse_bundle(struct ms_chain_cache *c, const uint8_t *buf, size_t len, const char *what,
					   STACK_OF(X509) **out, struct ms_err *err);

#endif
