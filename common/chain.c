/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "chain.h"
#include "digest.h"
#include "text.h"
#include "x509.h"

#define MAX_DEPTH 8
#define CACHE_SLOTS 64

struct cached_path {
	uint8_t key[32];
	/*
	 * Reused only at a check time strictly inside (valid_from, valid_to): every
	 * certificate kept and every CRL given is valid there, so the time cannot
	 * change X509_verify_cert's verdict on what was verified.
	 */
	int64_t valid_from, valid_to;
	bool whole;            /* the key includes the leaf, and above is the whole path, leaf first */
	STACK_OF(X509) *above; /* else the verified path above the leaf: the leaf's issuer first, the root last */
	uint32_t *crl_by;      /* crl_issuers of the CRLs of the key, on the whole path (the leaf at depth 0) */
};

#define PARSED_SLOTS 256

/* Certificates parsed earlier in the run, by the SHA-256 of the bytes they were parsed from. */
struct parsed {
	uint8_t key[32];
	STACK_OF(X509) *certs; /* one for ms_chain_cache_parse, the bundle for ..._parse_bundle */
};

struct ms_chain_cache {
	struct cached_path slot[CACHE_SLOTS];
	unsigned used, next;
	uint64_t hits, full;
	struct parsed parsed[PARSED_SLOTS];
	unsigned nparsed, next_parsed;
};

bool ms_crl_issued_by(X509_CRL *crl, X509 *issuer)
{
	EVP_PKEY *key = issuer ? X509_get0_pubkey(issuer) : NULL;

	return crl && key && !X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) &&
	       X509_CRL_verify(crl, key) == 1;
}

/* The certificate's CN, or its whole subject when it has none. */
static void cert_label(X509 *c, char *out, size_t cap)
{
	X509_NAME *name = c ? X509_get_subject_name(c) : NULL;
	int at = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;

	if (at >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));

		/* the name comes from the evidence: no control bytes into a message */
		ms_text_escape(out, cap, (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	} else {
		char *n = name ? ms_x509_name(name) : NULL;

		const char *shown = n && *n ? n : "a certificate without a subject";

		ms_text_escape(out, cap, shown, strlen(shown));
		free(n);
	}
}

static bool issued_by_name(const X509_NAME *issuer, X509 *c)
{
	return c && !X509_NAME_cmp(issuer, X509_get_subject_name(c));
}

/*
 * The CRL's issuer among the chain's CA certificates (the root and the carried
 * ones bar the leaf), by name, or NULL: the CRL is for another chain. The leaf
 * issues no CRL; one in its name is not this chain's.
 */
static X509 *crl_issuer(const struct ms_chain_params *p, X509_CRL *crl)
{
	const X509_NAME *issuer = X509_CRL_get_issuer(crl);

	if (issued_by_name(issuer, p->root) && X509_cmp(p->root, p->leaf))
		return p->root;
	for (int i = 0; p->untrusted && i < sk_X509_num(p->untrusted); i++) {
		X509 *c = sk_X509_value(p->untrusted, i);

		if (X509_cmp(c, p->leaf) && issued_by_name(issuer, c))
			return c;
	}
	return NULL;
}

/*
 * What X509_verify_cert would not refuse on its own terms, or would refuse
 * with a less useful message: CRLs that are stale, delta or partitioned, or
 * carry a critical extension this verifier does not process.
 */
static enum ms_status precheck_crl(const struct ms_chain_params *p, X509_CRL *crl, X509 *issuer, struct ms_err *err)
{
	const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl), *next = X509_CRL_get0_nextUpdate(crl);
	char who[128], a[32], b[32];
	int64_t from, to;

	cert_label(issuer, who, sizeof(who));
	if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
		return ms_fail(err, MS_UNSUPPORTED, "the CRL of %s is a delta CRL: give the complete CRL", who);
	if (X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1) >= 0)
		return ms_fail(err, MS_UNSUPPORTED,
			       "the CRL of %s has an issuing distribution point (a partitioned or indirect CRL): give the complete CRL",
			       who);
	for (int i = 0; i < X509_CRL_get_ext_count(crl); i++) {
		X509_EXTENSION *e = X509_CRL_get_ext(crl, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));

		if (X509_EXTENSION_get_critical(e) && nid != NID_crl_number && nid != NID_authority_key_identifier)
			return ms_fail(err, MS_BAD_SIGNATURE, "the CRL of %s has a critical extension (%s) this verifier does not process",
				       who, nid != NID_undef ? OBJ_nid2sn(nid) : "unknown");
	}
	{
		STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);

		for (int i = 0; i < sk_X509_REVOKED_num(revoked); i++) {
			X509_REVOKED *r = sk_X509_REVOKED_value(revoked, i);
			ASN1_ENUMERATED *reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
			long code = reason ? ASN1_ENUMERATED_get(reason) : -1;

			ASN1_ENUMERATED_free(reason);
			/* removeFromCRL (8) belongs in delta CRLs; a certificate issuer entry, in indirect ones */
			if (code == 8 || X509_REVOKED_get_ext_by_NID(r, NID_certificate_issuer, -1) >= 0)
				return ms_fail(err, MS_UNSUPPORTED,
					       "the CRL of %s has an entry (%d) that only delta or indirect CRLs carry: refused", who, i);
		}
	}
	/* as X509_verify_cert reads them: current from thisUpdate on, expired at nextUpdate itself */
	if (!last || ms_asn1_time_unix(last, &from) || !next || ms_asn1_time_unix(next, &to) || p->at < from || p->at >= to) {
		ms_format_time(p->at, a);
		if (next && !ms_asn1_time_unix(next, &to))
			ms_format_time(to, b);
		else
			snprintf(b, sizeof(b), "none");
		if (last && !ms_asn1_time_unix(last, &from) && p->at < from) {
			ms_format_time(from, b);
			return ms_fail(err, MS_NO_COLLATERAL, "the CRL of %s is not yet current at %s (issued %s)", who, a, b);
		}
		return ms_fail(err, MS_NO_COLLATERAL, "the CRL of %s is not current at %s (next update %s): fetch a fresh one",
			       who, a, b);
	}
	return MS_OK;
}

/* Accepts a missing CRL where the issuer publishes none: the trust anchor, and the exempt depths. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	const struct ms_chain_params *p = X509_STORE_CTX_get_app_data(ctx);
	int e = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

	if (ok || e != X509_V_ERR_UNABLE_TO_GET_CRL)
		return ok;
	/* the root is trusted by its pin, not by a CRL, and nobody above it could revoke it */
	if (chain && depth == sk_X509_num(chain) - 1 && !X509_cmp(sk_X509_value(chain, depth), p->root))
		return 1;
	if (depth >= 0 && depth < 32 && (p->crl_exempt_depths >> depth) & 1)
		return 1;
	return 0;
}

static enum ms_status verify_error(const struct ms_chain_params *p, X509_STORE_CTX *ctx, struct ms_err *err)
{
	int e = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
	X509 *c = X509_STORE_CTX_get_current_cert(ctx);
	char who[128], a[32], b[32];
	int64_t bound;

	cert_label(c, who, sizeof(who));
	ms_format_time(p->at, a);
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		if (c && !ms_asn1_time_unix(X509_get0_notAfter(c), &bound))
			ms_format_time(bound, b);
		else
			snprintf(b, sizeof(b), "?");
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s has expired at %s (valid until %s)", p->what, who, a, b);
	case X509_V_ERR_CERT_NOT_YET_VALID:
		if (c && !ms_asn1_time_unix(X509_get0_notBefore(c), &bound))
			ms_format_time(bound, b);
		else
			snprintf(b, sizeof(b), "?");
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is not yet valid at %s (valid from %s)", p->what, who, a, b);
	case X509_V_ERR_CERT_REVOKED:
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is revoked by its issuer's CRL", p->what, who);
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		return ms_fail(err, MS_NO_COLLATERAL,
			       "%s: no CRL was given for %s (depth %d): revocation cannot be checked for every certificate on the path",
			       p->what, who, depth);
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return ms_fail(err, MS_NO_COLLATERAL, "%s: the CRL for %s is not current at %s", p->what, who, a);
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s does not chain to the trusted root (%s)", p->what, who,
			       X509_verify_cert_error_string(e));
	default:
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s (depth %d): %s", p->what, who, depth,
			       X509_verify_cert_error_string(e));
	}
}

/* Every certificate the evidence carries must be on the verified path, once. */
static enum ms_status all_on_path(const struct ms_chain_params *p, STACK_OF(X509) *path, struct ms_err *err)
{
	int n = p->untrusted ? sk_X509_num(p->untrusted) : 0;
	char who[128];

	for (int i = 0; i < n; i++) {
		X509 *c = sk_X509_value(p->untrusted, i);
		bool on = false;

		for (int k = 0; k < sk_X509_num(path) && !on; k++)
			on = !X509_cmp(c, sk_X509_value(path, k));
		for (int k = 0; k < i && on; k++)
			if (!X509_cmp(c, sk_X509_value(p->untrusted, k))) {
				cert_label(c, who, sizeof(who));
				return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is given twice", p->what, who);
			}
		if (!on) {
			cert_label(c, who, sizeof(who));
			return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is not on the verified path (leaf to root): refused", p->what,
				       who);
		}
	}
	return MS_OK;
}

/* A new stack holding references to the certificates of sk. */
static STACK_OF(X509) *share_path(STACK_OF(X509) *sk)
{
	STACK_OF(X509) *out = sk_X509_dup(sk);

	for (int i = 0; out && i < sk_X509_num(out); i++)
		X509_up_ref(sk_X509_value(out, i));
	return out;
}

/* Prechecks each CRL issued by a certificate of this chain; *mine counts them. */
static enum ms_status precheck_crls(const struct ms_chain_params *p, int *mine, struct ms_err *err)
{
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0;
	enum ms_status st;

	*mine = 0;
	for (int i = 0; i < ncrl; i++) {
		X509_CRL *crl = sk_X509_CRL_value(p->crls, i);
		X509 *issuer = crl_issuer(p, crl);

		if (!issuer)
			continue;
		if ((st = precheck_crl(p, crl, issuer, err)))
			return st;
		(*mine)++;
	}
	return MS_OK;
}

/* The key that signs evidence belongs to an end entity; a CA's key signing it is a misuse. */
static enum ms_status leaf_not_ca(const struct ms_chain_params *p, struct ms_err *err)
{
	char who[128];

	if (!X509_check_ca(p->leaf))
		return MS_OK;
	cert_label(p->leaf, who, sizeof(who));
	return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is a CA certificate, not the end entity that signs evidence", p->what,
		       who);
}

/*
 * Which certificates of the verified path issued each CRL: bit k of by[i] for
 * p->crls[i] issued by path[k], by its name and a signature that verifies
 * with that certificate's key. The leaf (k = 0) issues no CRL. A CRL in the
 * name of a CA of the path that its key did not sign is a forgery: refused,
 * whether X509_verify_cert chose it or another one of that issuer.
 */
static enum ms_status crl_issuers(const struct ms_chain_params *p, STACK_OF(X509) *path, uint32_t *by, struct ms_err *err)
{
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0, n = sk_X509_num(path);
	char who[128];

	for (int i = 0; i < ncrl; i++) {
		X509_CRL *crl = sk_X509_CRL_value(p->crls, i);
		X509 *named = NULL;

		by[i] = 0;
		for (int k = 1; k < n && k < 32; k++) {
			X509 *c = sk_X509_value(path, k);

			if (!issued_by_name(X509_CRL_get_issuer(crl), c))
				continue;
			named = c;
			if (ms_crl_issued_by(crl, c))
				by[i] |= 1u << k;
		}
		if (named && !by[i]) {
			cert_label(named, who, sizeof(who));
			return ms_fail(err, MS_BAD_SIGNATURE, "%s: a CRL in the name of %s is not signed by its key (CRL signature failure)",
				       p->what, who);
		}
	}
	return MS_OK;
}

/*
 * Every certificate of the path against every CRL its issuer signed, not only
 * the one X509_verify_cert chose among several of that issuer: a certificate
 * any of them lists is revoked. The root is its own issuer, as X509_verify_cert
 * reads it. Each of those CRLs was prechecked (current, complete).
 */
static enum ms_status none_revoked(const struct ms_chain_params *p, STACK_OF(X509) *path, const uint32_t *by,
				   struct ms_err *err)
{
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0, n = sk_X509_num(path);
	char who[128];

	for (int d = 0; d < n; d++) {
		X509 *c = sk_X509_value(path, d);
		int issuer = d + 1 < n ? d + 1 : d;

		for (int i = 0; i < ncrl && issuer < 32; i++) {
			X509_REVOKED *entry = NULL;

			if (!(by[i] >> issuer & 1) ||
			    X509_CRL_get0_by_serial(sk_X509_CRL_value(p->crls, i), &entry, X509_get0_serialNumber(c)) != 1)
				continue;
			cert_label(c, who, sizeof(who));
			return ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is revoked by its issuer's CRL", p->what, who);
		}
	}
	return MS_OK;
}

/*
 * The checks after X509_verify_cert, given by (crl_issuers) for this path:
 * revocation by any CRL of each issuer, and which CRLs the path used.
 */
static enum ms_status revocation_result(const struct ms_chain_params *p, int mine, const uint32_t *by,
					struct ms_chain_result *r, struct ms_err *err)
{
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0;
	enum ms_status st;

	if ((st = none_revoked(p, r->path, by, err)))
		return st;
	for (int i = 0; i < ncrl; i++)
		if (by[i]) {
			r->crls_used++;
			if (i < 32)
				r->crls_used_mask |= 1u << i;
		}
	/*
	 * X509_V_FLAG_CRL_CHECK_ALL was on when any CRL was this chain's, and then
	 * each of them was issued by a CA of the path (every carried certificate
	 * is on it); a count that differs means the two readings disagree.
	 */
	if (mine > 0 && (size_t)mine != r->crls_used)
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %d CRLs name a CA of the chain, %zu of them were issued by one on the path",
			       p->what, mine, r->crls_used);
	r->revocation_checked = mine > 0;
	return MS_OK;
}

static enum ms_status verify_full(const struct ms_chain_params *p, uint32_t *by, struct ms_chain_result *r,
				  struct ms_err *err)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned long flags = X509_V_FLAG_CHECK_SS_SIGNATURE;
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0;
	int mine = 0; /* CRLs issued by a certificate of this chain */
	enum ms_status st = MS_OK;

	memset(r, 0, sizeof(*r));
	if (!p->root || !p->leaf)
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: no %s certificate", p->what, p->root ? "leaf" : "root");
	if (p->untrusted && sk_X509_num(p->untrusted) > MAX_DEPTH)
		return ms_fail(err, MS_BAD_SIGNATURE, "%s: %d certificates, more than %d", p->what, sk_X509_num(p->untrusted),
			       MAX_DEPTH);
	if ((st = precheck_crls(p, &mine, err)))
		return st;
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (!store || !ctx || !X509_STORE_add_cert(store, p->root)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	for (int i = 0; i < ncrl; i++)
		if (!X509_STORE_add_crl(store, sk_X509_CRL_value(p->crls, i))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	/*
	 * CRLs are given for all the chains of a run; a chain none of them is
	 * issued by (another vendor's) is not revocation-checked, and says so. One
	 * that any of them is issued by needs a CRL for every certificate on its
	 * path, so that no certificate can be slipped past the lists.
	 */
	if (mine)
		flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	if (!p->lax_profile)
		flags |= X509_V_FLAG_X509_STRICT;
	if (!X509_STORE_CTX_init(ctx, store, p->leaf, p->untrusted)) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, flags);
	X509_VERIFY_PARAM_set_depth(param, MAX_DEPTH);
	X509_VERIFY_PARAM_set_time(param, (time_t)p->at);
	X509_STORE_CTX_set_app_data(ctx, (void *)p);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	if (X509_verify_cert(ctx) != 1) {
		st = verify_error(p, ctx, err);
		goto out;
	}
	r->path = X509_STORE_CTX_get1_chain(ctx);
	if (!r->path) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if ((st = all_on_path(p, r->path, err)))
		goto out;
	if ((st = leaf_not_ca(p, err)) || (st = crl_issuers(p, r->path, by, err)) ||
	    (st = revocation_result(p, mine, by, r, err)))
		goto out;
out:
	if (st)
		ms_chain_result_free(r);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return st;
}


/* SHA-256 of a DER encoding, length-prefixed into the key. */
static bool key_add_der(EVP_MD_CTX *h, const uint8_t digest[32])
{
	return EVP_DigestUpdate(h, digest, 32) == 1;
}

/*
 * The cache key: everything X509_verify_cert's verdict on the certificates
 * above the leaf depends on, bar the check time (each entry keeps the window
 * in which the time cannot change it). Certificates and CRLs enter by the
 * SHA-256 of their DER encoding, in the order given, each list preceded by
 * its count.
 */
static bool cache_key(const struct ms_chain_params *p, uint8_t key[32])
{
	static const char tag[] = "measure chain cache v2";
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	uint8_t d[32], fixed[8 + 4 + 1 + 4 + 4] = { 0 }; /* the first 8 held the check time in v1 */
	unsigned dlen;
	int nu = p->untrusted ? sk_X509_num(p->untrusted) : 0, ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0, carried = 0;
	bool ok = h && EVP_DigestInit_ex2(h, EVP_sha256(), NULL) && EVP_DigestUpdate(h, tag, sizeof(tag));

	for (int i = 0; i < nu; i++)
		carried += X509_cmp(sk_X509_value(p->untrusted, i), p->leaf) != 0;
	for (int i = 0; i < 4; i++) {
		fixed[8 + i] = (uint8_t)(p->crl_exempt_depths >> (24 - 8 * i));
		fixed[13 + i] = (uint8_t)((unsigned)carried >> (24 - 8 * i));
		fixed[17 + i] = (uint8_t)((unsigned)ncrl >> (24 - 8 * i));
	}
	fixed[12] = p->lax_profile;
	ok = ok && EVP_DigestUpdate(h, fixed, sizeof(fixed)) && X509_digest(p->root, EVP_sha256(), d, &dlen) &&
	     key_add_der(h, d);
	for (int i = 0; ok && i < nu; i++) {
		X509 *c = sk_X509_value(p->untrusted, i);

		/* the leaf is judged on every use; it is not part of what was verified above it */
		if (!X509_cmp(c, p->leaf))
			continue;
		ok = X509_digest(c, EVP_sha256(), d, &dlen) && key_add_der(h, d);
	}
	for (int i = 0; ok && i < ncrl; i++)
		ok = X509_CRL_digest(sk_X509_CRL_value(p->crls, i), EVP_sha256(), d, &dlen) && key_add_der(h, d);
	ok = ok && EVP_DigestFinal_ex(h, key, NULL);
	EVP_MD_CTX_free(h);
	return ok;
}

/* Name and policy constraints bind the certificates below: a path carrying any is verified whole, every time. */
static bool constrains_below(STACK_OF(X509) *above)
{
	static const int nids[] = { NID_name_constraints, NID_policy_constraints, NID_policy_mappings,
				    NID_inhibit_any_policy };

	for (int i = 0; i < sk_X509_num(above); i++)
		for (size_t k = 0; k < sizeof(nids) / sizeof(nids[0]); k++)
			if (X509_get_ext_by_NID(sk_X509_value(above, i), nids[k], -1) >= 0)
				return true;
	return false;
}

/* The entry of key whose window holds the check time at, or NULL. */
static struct cached_path *cache_find(struct ms_chain_cache *c, const uint8_t key[32], int64_t at)
{
	for (unsigned i = 0; i < c->used; i++)
		if (!memcmp(c->slot[i].key, key, 32) && c->slot[i].valid_from < at && at < c->slot[i].valid_to)
			return &c->slot[i];
	return NULL;
}

/* Narrows [*from, *to] to [lo, hi]; false when a bound cannot be read (then nothing is cached). */
static bool narrow(const ASN1_TIME *lo, const ASN1_TIME *hi, int64_t *from, int64_t *to)
{
	int64_t a, b;

	if (!lo || !hi || ms_asn1_time_unix(lo, &a) || ms_asn1_time_unix(hi, &b))
		return false;
	if (a > *from)
		*from = a;
	if (b < *to)
		*to = b;
	return true;
}

/*
 * The window in which the verdict on the kept certificates cannot change with
 * the check time: the latest notBefore to the earliest notAfter of them, and
 * the latest thisUpdate to the earliest nextUpdate of every CRL given (a CRL
 * without nextUpdate: nothing is cached). Used as an open interval, so the
 * bounds themselves, where OpenSSL's comparisons differ, always verify in full.
 */
static bool validity_window(const struct ms_chain_params *p, STACK_OF(X509) *kept, int64_t *from, int64_t *to)
{
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0;

	*from = INT64_MIN;
	*to = INT64_MAX;
	for (int i = 0; i < sk_X509_num(kept); i++)
		if (!narrow(X509_get0_notBefore(sk_X509_value(kept, i)), X509_get0_notAfter(sk_X509_value(kept, i)), from, to))
			return false;
	for (int i = 0; i < ncrl; i++)
		if (!narrow(X509_CRL_get0_lastUpdate(sk_X509_CRL_value(p->crls, i)),
			    X509_CRL_get0_nextUpdate(sk_X509_CRL_value(p->crls, i)), from, to))
			return false;
	/* the time it was verified at lies inside, or the entry would never be used rightly */
	return *from < p->at && p->at < *to;
}

/* Keeps the path above the leaf of a chain that verified in full; a failure to keep it only costs speed. */

/* The next slot of a fixed ring: a free one while there are any, then the oldest in turn. */
static unsigned ring_slot(unsigned *used, unsigned *next, unsigned cap)
{
	unsigned k;

	if (*used < cap)
		return (*used)++;
	k = *next;
	*next = (*next + 1) % cap;
	return k;
}

static void cache_store(const struct ms_chain_params *p, const uint8_t key[32], bool whole, STACK_OF(X509) *path,
			const uint32_t *by)
{
	struct ms_chain_cache *c = p->cache;
	STACK_OF(X509) *above = sk_X509_new_null();
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0;
	uint32_t *crl_by = malloc(sizeof(*crl_by) * (size_t)(ncrl ? ncrl : 1));
	struct cached_path *e;
	int64_t from, to;

	if (!above || !crl_by) {
		sk_X509_free(above);
		free(crl_by);
		return;
	}
	memcpy(crl_by, by, sizeof(*crl_by) * (size_t)ncrl);
	for (int i = whole ? 0 : 1; i < sk_X509_num(path); i++) {
		X509 *x = sk_X509_value(path, i);

		if (!sk_X509_push(above, x)) {
			sk_X509_pop_free(above, X509_free);
			free(crl_by);
			return;
		}
		X509_up_ref(x);
	}
	if (sk_X509_num(above) < (whole ? 2 : 1) || constrains_below(above) || !validity_window(p, above, &from, &to)) {
		sk_X509_pop_free(above, X509_free);
		free(crl_by);
		return;
	}
	e = &c->slot[ring_slot(&c->used, &c->next, CACHE_SLOTS)];
	sk_X509_pop_free(e->above, X509_free); /* NULL while the slot was never used */
	free(e->crl_by);
	e->crl_by = crl_by;
	memcpy(e->key, key, 32);
	e->valid_from = from;
	e->valid_to = to;
	e->whole = whole;
	e->above = above;
}

/*
 * The leaf under a path verified before with the same key: X509_verify_cert
 * with the leaf's issuer from that path as the only, trusted certificate.
 * Any failure is returned as MS_BAD_SIGNATURE without a message worth
 * showing: the caller then verifies in full, which gives the real one.
 */
static enum ms_status verify_leaf_under(const struct ms_chain_params *p, STACK_OF(X509) *above, const uint32_t *by,
					struct ms_chain_result *r, struct ms_err *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	X509 *issuer = sk_X509_value(above, 0);
	STACK_OF(X509) *chain;
	unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0, mine = 0;
	enum ms_status st = MS_BAD_SIGNATURE;

	memset(r, 0, sizeof(*r));
	if (precheck_crls(p, &mine, err) || !store || !ctx || !X509_STORE_add_cert(store, issuer))
		goto out;
	for (int i = 0; i < ncrl; i++)
		if (!X509_STORE_add_crl(store, sk_X509_CRL_value(p->crls, i)))
			goto out;
	/* the path above was revocation-checked in full; here the leaf's own CRL, from its issuer */
	if (mine)
		flags |= X509_V_FLAG_CRL_CHECK;
	if (!p->lax_profile)
		flags |= X509_V_FLAG_X509_STRICT;
	/* no untrusted certificates: the leaf's issuer can only be the one verified before */
	if (!X509_STORE_CTX_init(ctx, store, p->leaf, NULL))
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, flags);
	X509_VERIFY_PARAM_set_depth(param, MAX_DEPTH);
	X509_VERIFY_PARAM_set_time(param, (time_t)p->at);
	X509_STORE_CTX_set_app_data(ctx, (void *)p);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	if (X509_verify_cert(ctx) != 1)
		goto out;
	chain = X509_STORE_CTX_get0_chain(ctx);
	if (!chain || sk_X509_num(chain) != 2 || X509_cmp(sk_X509_value(chain, 0), p->leaf) ||
	    X509_cmp(sk_X509_value(chain, 1), issuer))
		goto out;
	if (!(r->path = sk_X509_new_null()) || !sk_X509_push(r->path, p->leaf))
		goto out;
	X509_up_ref(p->leaf);
	for (int i = 0; i < sk_X509_num(above); i++) {
		if (!sk_X509_push(r->path, sk_X509_value(above, i)))
			goto out;
		X509_up_ref(sk_X509_value(above, i));
	}
	if (all_on_path(p, r->path, err) || leaf_not_ca(p, err) || revocation_result(p, mine, by, r, err))
		goto out;
	st = MS_OK;
out:
	if (st)
		ms_chain_result_free(r);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return st;
}

/* The whole chain's key: the key of the path above the leaf, then the leaf's DER. */
static bool whole_key(const struct ms_chain_params *p, const uint8_t above_key[32], uint8_t key[32])
{
	uint8_t d[32];
	unsigned dlen;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	bool ok = h && EVP_DigestInit_ex2(h, EVP_sha256(), NULL) && EVP_DigestUpdate(h, "whole", 5) &&
		  EVP_DigestUpdate(h, above_key, 32) && X509_digest(p->leaf, EVP_sha256(), d, &dlen) &&
		  EVP_DigestUpdate(h, d, 32) && EVP_DigestFinal_ex(h, key, NULL);

	EVP_MD_CTX_free(h);
	return ok;
}

/*
 * The very chain verified before under the very same conditions: X509_verify_cert's
 * verdict is a function of its inputs, all of them in the key, so the path is reused.
 * The checks after it (every carried certificate on the path, the leaf no CA) are
 * cheap and made again.
 */
static enum ms_status reuse_whole(const struct ms_chain_params *p, STACK_OF(X509) *path, const uint32_t *by,
				  struct ms_chain_result *r, struct ms_err *err)
{
	int mine = 0;

	memset(r, 0, sizeof(*r));
	if (precheck_crls(p, &mine, err) || X509_cmp(sk_X509_value(path, 0), p->leaf) || !(r->path = share_path(path)) ||
	    all_on_path(p, r->path, err) || leaf_not_ca(p, err) || revocation_result(p, mine, by, r, err)) {
		ms_chain_result_free(r);
		return MS_BAD_SIGNATURE;
	}
	return MS_OK;
}

enum ms_status ms_chain_verify(const struct ms_chain_params *p, struct ms_chain_result *r, struct ms_err *err)
{
	struct cached_path *hit;
	uint8_t key[32], wkey[32];
	bool keyed, wkeyed;
	int ncrl = p->crls ? sk_X509_CRL_num(p->crls) : 0;
	uint32_t *by = calloc((size_t)(ncrl ? ncrl : 1), sizeof(*by)); /* crl_issuers of a full verification */
	enum ms_status st;

	memset(r, 0, sizeof(*r));
	if (!by)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!p->cache || !p->root || !p->leaf) {
		st = verify_full(p, by, r, err);
		goto out;
	}
	keyed = cache_key(p, key);
	wkeyed = keyed && whole_key(p, key, wkey);
	if (wkeyed && (hit = cache_find(p->cache, wkey, p->at)) && hit->whole) {
		struct ms_err scratch = { 0 };

		if (!reuse_whole(p, hit->above, hit->crl_by, r, &scratch)) {
			p->cache->hits++;
			st = MS_OK;
			goto out;
		}
	}
	if (keyed && (hit = cache_find(p->cache, key, p->at)) && !hit->whole) {
		struct ms_err scratch = { 0 };

		if (!verify_leaf_under(p, hit->above, hit->crl_by, r, &scratch)) {
			p->cache->hits++;
			if (wkeyed && !cache_find(p->cache, wkey, p->at))
				cache_store(p, wkey, true, r->path, hit->crl_by);
			st = MS_OK;
			goto out;
		}
	}
	p->cache->full++;
	st = verify_full(p, by, r, err);
	if (!st && keyed && !cache_find(p->cache, key, p->at))
		cache_store(p, key, false, r->path, by);
	if (!st && wkeyed && !cache_find(p->cache, wkey, p->at))
		cache_store(p, wkey, true, r->path, by);
out:
	free(by);
	return st;
}

enum ms_status ms_chain_cache_new(struct ms_chain_cache **out, struct ms_err *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? MS_OK : ms_fail(err, MS_NO_MEMORY, "out of memory");
}

void ms_chain_cache_free(struct ms_chain_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->used; i++) {
		sk_X509_pop_free(c->slot[i].above, X509_free);
		free(c->slot[i].crl_by);
	}
	for (unsigned i = 0; i < c->nparsed; i++)
		sk_X509_pop_free(c->parsed[i].certs, X509_free);
	free(c);
}

void ms_chain_cache_stats(const struct ms_chain_cache *c, uint64_t *hits, uint64_t *full)
{
	*hits = c ? c->hits : 0;
	*full = c ? c->full : 0;
}

void ms_chain_result_free(struct ms_chain_result *r)
{
	sk_X509_pop_free(r->path, X509_free);
	memset(r, 0, sizeof(*r));
}

static void parsed_key(char kind, const uint8_t *buf, size_t len, uint8_t key[32])
{
	struct ms_hash h;

	if (ms_hash_init(&h, MS_SHA256)) {
		memset(key, 0, 32); /* never stored: see remember() */
		return;
	}
	ms_hash_update(&h, &kind, 1);
	ms_hash_update(&h, buf, len);
	ms_hash_final(&h, key);
	ms_hash_free(&h);
}

static struct parsed *recall(struct ms_chain_cache *c, const uint8_t key[32])
{
	static const uint8_t zero[32];

	if (!memcmp(key, zero, 32))
		return NULL;
	for (unsigned i = 0; i < c->nparsed; i++)
		if (!memcmp(c->parsed[i].key, key, 32))
			return &c->parsed[i];
	return NULL;
}

/* Keeps references to certs under key; a failure only costs speed. */
static void remember(struct ms_chain_cache *c, const uint8_t key[32], STACK_OF(X509) *certs)
{
	static const uint8_t zero[32];
	STACK_OF(X509) *kept;
	struct parsed *e;

	if (!memcmp(key, zero, 32) || !(kept = share_path(certs)))
		return;
	e = &c->parsed[ring_slot(&c->nparsed, &c->next_parsed, PARSED_SLOTS)];
	sk_X509_pop_free(e->certs, X509_free);
	memcpy(e->key, key, 32);
	e->certs = kept;
}

enum ms_status ms_chain_cache_parse(struct ms_chain_cache *c, const uint8_t *buf, size_t len, const char *what, X509 **out,
				    struct ms_err *err)
{
	STACK_OF(X509) *one;
	struct parsed *e;
	uint8_t key[32];
	enum ms_status st;

	if (!c)
		return ms_x509_parse(buf, len, what, out, err);
	parsed_key('1', buf, len, key);
	if ((e = recall(c, key))) {
		*out = sk_X509_value(e->certs, 0);
		X509_up_ref(*out);
		return MS_OK;
	}
	if ((st = ms_x509_parse(buf, len, what, out, err)))
		return st;
	if ((one = sk_X509_new_null()) && sk_X509_push(one, *out))
		remember(c, key, one);
	sk_X509_free(one);
	return MS_OK;
}

enum ms_status ms_chain_cache_parse_bundle(struct ms_chain_cache *c, const uint8_t *buf, size_t len, const char *what,
					   STACK_OF(X509) **out, struct ms_err *err)
{
	struct parsed *e;
	uint8_t key[32];
	enum ms_status st;

	if (!c)
		return ms_x509_parse_bundle(buf, len, what, out, err);
	parsed_key('n', buf, len, key);
	if ((e = recall(c, key))) {
		if (!(*out = share_path(e->certs)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		return MS_OK;
	}
	if ((st = ms_x509_parse_bundle(buf, len, what, out, err)))
		return st;
	remember(c, key, *out);
	return MS_OK;
}
