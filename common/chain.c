/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "chain.h"
#include "x509.h"

#define MAX_DEPTH 8

/* The certificate's CN, or its whole subject when it has none. */
static void cert_label(X509 *c, char *out, size_t cap)
{
	X509_NAME *name = c ? X509_get_subject_name(c) : NULL;
	int at = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;

	if (at >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));

		snprintf(out, cap, "%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
	} else {
		char *n = name ? ms_x509_name(name) : NULL;

		snprintf(out, cap, "%s", n && *n ? n : "a certificate without a subject");
		free(n);
	}
}

static bool issued_by_name(const X509_NAME *issuer, X509 *c)
{
	return c && !X509_NAME_cmp(issuer, X509_get_subject_name(c));
}

/* The CRL's issuer among the chain's certificates, by name, or NULL: the CRL is for another chain. */
static X509 *crl_issuer(const struct ms_chain_params *p, X509_CRL *crl)
{
	const X509_NAME *issuer = X509_CRL_get_issuer(crl);

	if (issued_by_name(issuer, p->root))
		return p->root;
	for (int i = 0; p->untrusted && i < sk_X509_num(p->untrusted); i++)
		if (issued_by_name(issuer, sk_X509_value(p->untrusted, i)))
			return sk_X509_value(p->untrusted, i);
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
	if (!last || ms_asn1_time_unix(last, &from) || !next || ms_asn1_time_unix(next, &to) || p->at < from || p->at > to) {
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

enum ms_status ms_chain_verify(const struct ms_chain_params *p, struct ms_chain_result *r, struct ms_err *err)
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
	for (int i = 0; i < ncrl; i++) {
		X509_CRL *crl = sk_X509_CRL_value(p->crls, i);
		X509 *issuer = crl_issuer(p, crl);

		if (!issuer)
			continue;
		if ((st = precheck_crl(p, crl, issuer, err)))
			return st;
		mine++;
	}
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
	/* the key that signs evidence belongs to an end entity; a CA's key signing it is a misuse */
	if (X509_check_ca(p->leaf)) {
		char who[128];

		cert_label(p->leaf, who, sizeof(who));
		st = ms_fail(err, MS_BAD_SIGNATURE, "%s: %s is a CA certificate, not the end entity that signs evidence", p->what,
			     who);
		goto out;
	}
	for (int i = 0; i < ncrl; i++) {
		const X509_NAME *issuer = X509_CRL_get_issuer(sk_X509_CRL_value(p->crls, i));

		for (int k = 0; k < sk_X509_num(r->path); k++)
			if (issued_by_name(issuer, sk_X509_value(r->path, k))) {
				r->crls_used++;
				if (i < 32)
					r->crls_used_mask |= 1u << i;
				break;
			}
	}
	r->revocation_checked = mine > 0;
out:
	if (st)
		ms_chain_result_free(r);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return st;
}

void ms_chain_result_free(struct ms_chain_result *r)
{
	sk_X509_pop_free(r->path, X509_free);
	memset(r, 0, sizeof(*r));
}
