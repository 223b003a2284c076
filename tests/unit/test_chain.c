/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one chain verifier (common/chain.c), on chains and CRLs made here:
 * every refusal the verification core promises, one case each.
 */
#include "../helpers.h"
#include "../pki.h"

#include <openssl/x509v3.h>

#include "../../common/chain.h"

#define NOW 1700000000LL
#define DAY 86400LL

static struct ca root, inter, other;
static X509 *leaf;
static EVP_PKEY *leaf_key;

static int setup(void **state)
{
	(void)state;
	root.key = p256();
	root.cert = make_cert("chain root", root.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	inter.key = p256();
	inter.cert = make_cert("chain intermediate", inter.key, &root, true, NOW - 30 * DAY, NOW + 30 * DAY);
	other.key = p256();
	other.cert = make_cert("unrelated CA", other.key, NULL, true, NOW - 30 * DAY, NOW + 30 * DAY);
	leaf_key = p256();
	leaf = make_cert("chain leaf", leaf_key, &inter, false, NOW - DAY, NOW + DAY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(root.cert), X509_free(inter.cert), X509_free(other.cert), X509_free(leaf);
	EVP_PKEY_free(root.key), EVP_PKEY_free(inter.key), EVP_PKEY_free(other.key), EVP_PKEY_free(leaf_key);
	return 0;
}

/* Adds an extension from its OpenSSL config text and signs the certificate again. */
static X509 *with_ext(X509 *c, const struct ca *issuer, int nid, const char *value)
{
	X509 *d = X509_dup(c);
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int at = X509_get_ext_by_NID(d, nid, -1);

	if (at >= 0)
		X509_EXTENSION_free(X509_delete_ext(d, at));
	X509V3_set_ctx(&ctx, issuer->cert, d, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	X509_add_ext(d, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(d, issuer->key, EVP_sha256());
	return d;
}

/* An extension this verifier cannot know, marked critical. */
static X509 *with_unknown_critical(X509 *c, const struct ca *issuer)
{
	X509 *d = X509_dup(c);
	ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	ASN1_OCTET_STRING_set(v, (const unsigned char *)"\x05\x00", 2);
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, v);
	X509_add_ext(d, e, -1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(obj);
	X509_sign(d, issuer->key, EVP_sha256());
	return d;
}

static X509_CRL *crl_with_ext(const struct ca *issuer, int nid, const char *der_hex_value, int critical)
{
	X509_CRL *crl = pki_crl(issuer, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	unsigned char buf[32];
	long n = 0;
	unsigned char *raw = OPENSSL_hexstr2buf(der_hex_value, &n);
	X509_EXTENSION *e;

	memcpy(buf, raw, (size_t)n);
	OPENSSL_free(raw);
	ASN1_OCTET_STRING_set(v, buf, (int)n);
	ASN1_OBJECT *obj = nid ? NULL : OBJ_txt2obj("1.3.6.1.4.1.99999.2", 1);

	e = nid ? X509_EXTENSION_create_by_NID(NULL, nid, critical, v) : X509_EXTENSION_create_by_OBJ(NULL, obj, critical, v);
	ASN1_OBJECT_free(obj);
	X509_CRL_add_ext(crl, e, -1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(v);
	X509_CRL_sign(crl, issuer->key, EVP_sha256());
	return crl;
}

static enum ms_status run(X509 *leaf_cert, X509 *const *mid, int nmid, X509_CRL *const *crl, int ncrl, struct ms_err *err,
			  struct ms_chain_result *out)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	STACK_OF(X509_CRL) *crls = ncrl ? sk_X509_CRL_new_null() : NULL;
	struct ms_chain_result r;
	struct ms_chain_params p = { .root = root.cert, .leaf = leaf_cert, .at = NOW, .what = "test chain" };
	enum ms_status st;

	for (int i = 0; i < nmid; i++)
		sk_X509_push(untrusted, mid[i]);
	for (int i = 0; i < ncrl; i++)
		sk_X509_CRL_push(crls, crl[i]);
	p.untrusted = untrusted;
	p.crls = crls;
	memset(err, 0, sizeof(*err));
	st = ms_chain_verify(&p, &r, err);
	if (out)
		*out = r;
	else
		ms_chain_result_free(&r);
	sk_X509_free(untrusted);
	sk_X509_CRL_free(crls);
	return st;
}

static void expect_at(int line, enum ms_status want, const char *words, enum ms_status got, const char *msg)
{
	if (got != want || (words && !strstr(msg, words)))
		fail_msg("line %d: want %d \"%s\", got %d: %s", line, want, words ? words : "", got, msg);
}

#define EXPECT(want, words, ...) expect_at(__LINE__, (want), (words), (__VA_ARGS__), err.msg)

static void chains(void **state)
{
	struct ms_err err;
	struct ms_chain_result r;
	X509 *mid[1] = { inter.cert };

	(void)state;
	EXPECT(MS_OK, NULL, run(leaf, mid, 1, NULL, 0, &err, &r));
	assert_int_equal(sk_X509_num(r.path), 3);
	assert_false(r.revocation_checked);
	ms_chain_result_free(&r);
	/* the root may be carried too (Nitro's cabundle[0], Intel's PEM chain) */
	{
		X509 *both[2] = { inter.cert, root.cert };

		EXPECT(MS_OK, NULL, run(leaf, both, 2, NULL, 0, &err, NULL));
	}
	/* an unknown critical extension, on the leaf and on the intermediate */
	{
		X509 *l = with_unknown_critical(leaf, &inter), *m = with_unknown_critical(inter.cert, &root);
		X509 *mm[1] = { m };

		EXPECT(MS_BAD_SIGNATURE, "unhandled critical extension", run(l, mid, 1, NULL, 0, &err, NULL));
		EXPECT(MS_BAD_SIGNATURE, "unhandled critical extension", run(leaf, mm, 1, NULL, 0, &err, NULL));
		X509_free(l), X509_free(m);
	}
	/* path length: an intermediate with pathlen 0 issuing another CA */
	{
		X509 *capped = with_ext(inter.cert, &root, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
		struct ca capped_ca = { inter.key, capped }, sub = { p256(), NULL };
		X509 *l, *m[2];

		sub.cert = make_cert("sub CA", sub.key, &capped_ca, true, NOW - DAY, NOW + DAY);
		l = make_cert("deep leaf", leaf_key, &sub, false, NOW - DAY, NOW + DAY);
		m[0] = sub.cert, m[1] = capped;
		EXPECT(MS_BAD_SIGNATURE, "path length", run(l, m, 2, NULL, 0, &err, NULL));
		X509_free(l), X509_free(sub.cert), X509_free(capped), EVP_PKEY_free(sub.key);
	}
	/* an intermediate that is not a CA */
	{
		X509 *not_ca = make_cert("chain intermediate", inter.key, &root, false, NOW - DAY, NOW + DAY);
		X509 *m[1] = { not_ca };

		EXPECT(MS_BAD_SIGNATURE, "invalid CA certificate", run(leaf, m, 1, NULL, 0, &err, NULL));
		X509_free(not_ca);
	}
	/* extra, unrelated and duplicate certificates */
	{
		X509 *extra[2] = { inter.cert, other.cert }, *dup[2] = { inter.cert, inter.cert };
		X509 *many[12];

		EXPECT(MS_BAD_SIGNATURE, "unrelated CA is not on the verified path", run(leaf, extra, 2, NULL, 0, &err, NULL));
		EXPECT(MS_BAD_SIGNATURE, "given twice", run(leaf, dup, 2, NULL, 0, &err, NULL));
		for (int i = 0; i < 12; i++)
			many[i] = i ? other.cert : inter.cert;
		EXPECT(MS_BAD_SIGNATURE, "more than", run(leaf, many, 12, NULL, 0, &err, NULL));
	}
	/* a CA as the leaf */
	EXPECT(MS_BAD_SIGNATURE, "is a CA certificate, not the end entity", run(inter.cert, NULL, 0, NULL, 0, &err, NULL));
	/* the leaf's issuer is missing */
	EXPECT(MS_BAD_SIGNATURE, "does not chain to the trusted root", run(leaf, NULL, 0, NULL, 0, &err, NULL));
}

static void crls(void **state)
{
	struct ms_err err;
	struct ms_chain_result r;
	X509 *mid[1] = { inter.cert };
	X509_CRL *root_crl = pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *inter_crl = pki_crl(&inter, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *revoking = pki_crl(&inter, leaf, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *stale = pki_crl(&inter, NULL, NOW - 10 * DAY, NOW - DAY, EVP_sha256());
	X509_CRL *future = pki_crl(&inter, NULL, NOW + DAY, NOW + 10 * DAY, EVP_sha256());
	X509_CRL *ends_now = pki_crl(&inter, NULL, NOW - DAY, NOW, EVP_sha256());
	X509_CRL *unrelated = pki_crl(&other, NULL, NOW - 10 * DAY, NOW - DAY, EVP_sha256());
	/* deltaCRLIndicator (BaseCRLNumber 1), issuingDistributionPoint (onlyContainsUserCerts) */
	X509_CRL *delta = crl_with_ext(&inter, NID_delta_crl, "020101", 1);
	X509_CRL *partitioned = crl_with_ext(&inter, NID_issuing_distribution_point, "30038101ff", 1);
	X509_CRL *critical = crl_with_ext(&inter, 0, "0500", 1);
	X509_CRL *forged = pki_crl(&inter, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *remove_entry = pki_crl(&inter, leaf, NOW - DAY, NOW + DAY, EVP_sha256());

	(void)state;
	X509_CRL_sign(forged, other.key, EVP_sha256());
	{
		/* removeFromCRL: OpenSSL reads it as "not revoked"; only a delta CRL may say it */
		ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();

		ASN1_ENUMERATED_set(reason, 8);
		X509_REVOKED_add1_ext_i2d(sk_X509_REVOKED_value(X509_CRL_get_REVOKED(remove_entry), 0), NID_crl_reason, reason, 0,
					  0);
		ASN1_ENUMERATED_free(reason);
		X509_CRL_sign(remove_entry, inter.key, EVP_sha256());
	}
	{
		X509_CRL *c[2] = { root_crl, inter_crl };

		EXPECT(MS_OK, NULL, run(leaf, mid, 1, c, 2, &err, &r));
		assert_true(r.revocation_checked);
		assert_int_equal(r.crls_used, 2);
		ms_chain_result_free(&r);
	}
	{
		X509_CRL *c[2] = { root_crl, revoking };

		EXPECT(MS_BAD_SIGNATURE, "chain leaf is revoked", run(leaf, mid, 1, c, 2, &err, NULL));
	}
	{
		X509_CRL *c[1] = { inter_crl }; /* nothing covers the intermediate */

		EXPECT(MS_NO_COLLATERAL, "no CRL was given for chain intermediate", run(leaf, mid, 1, c, 1, &err, NULL));
	}
	{
		X509_CRL *c[1] = { root_crl }; /* nothing covers the leaf */

		EXPECT(MS_NO_COLLATERAL, "no CRL was given for chain leaf", run(leaf, mid, 1, c, 1, &err, NULL));
	}
	{
		X509_CRL *c[2] = { root_crl, stale };

		EXPECT(MS_NO_COLLATERAL, "is not current at", run(leaf, mid, 1, c, 2, &err, NULL));
		c[1] = future;
		EXPECT(MS_NO_COLLATERAL, "is not yet current", run(leaf, mid, 1, c, 2, &err, NULL));
		/* at nextUpdate itself X509_verify_cert finds the CRL expired; the precheck says so first */
		c[1] = ends_now;
		EXPECT(MS_NO_COLLATERAL, "(next update 2023-11-14T22:13:20Z): fetch a fresh one", run(leaf, mid, 1, c, 2, &err, NULL));
		c[1] = delta;
		EXPECT(MS_UNSUPPORTED, "delta CRL", run(leaf, mid, 1, c, 2, &err, NULL));
		c[1] = partitioned;
		EXPECT(MS_UNSUPPORTED, "issuing distribution point", run(leaf, mid, 1, c, 2, &err, NULL));
		c[1] = critical;
		EXPECT(MS_BAD_SIGNATURE, "critical extension", run(leaf, mid, 1, c, 2, &err, NULL));
		c[1] = remove_entry;
		EXPECT(MS_UNSUPPORTED, "only delta or indirect CRLs carry", run(leaf, mid, 1, c, 2, &err, NULL));
		c[1] = forged;
		EXPECT(MS_BAD_SIGNATURE, "CRL signature failure", run(leaf, mid, 1, c, 2, &err, NULL));
	}
	{
		X509_CRL *c[1] = { unrelated }; /* another chain's (stale) CRL: not this chain's business */

		EXPECT(MS_OK, NULL, run(leaf, mid, 1, c, 1, &err, &r));
		assert_false(r.revocation_checked);
		ms_chain_result_free(&r);
	}
	X509_CRL_free(root_crl), X509_CRL_free(inter_crl), X509_CRL_free(revoking), X509_CRL_free(stale);
	X509_CRL_free(future), X509_CRL_free(unrelated), X509_CRL_free(delta), X509_CRL_free(partitioned);
	X509_CRL_free(critical), X509_CRL_free(forged), X509_CRL_free(remove_entry), X509_CRL_free(ends_now);
}

/* As run, with the CRLs given and a chain cache (NULL: none); the result is kept in *out. */
static enum ms_status run_cached(struct ms_chain_cache *cache, X509_CRL *const *crl, int ncrl, struct ms_err *err,
				 struct ms_chain_result *out)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	struct ms_chain_params p = { .root = root.cert, .leaf = leaf, .at = NOW, .what = "test chain", .cache = cache };
	enum ms_status st;

	sk_X509_push(untrusted, inter.cert);
	for (int i = 0; i < ncrl; i++)
		sk_X509_CRL_push(crls, crl[i]);
	p.untrusted = untrusted;
	p.crls = crls;
	memset(err, 0, sizeof(*err));
	st = ms_chain_verify(&p, out, err);
	sk_X509_free(untrusted);
	sk_X509_CRL_free(crls);
	return st;
}

/*
 * A CRL counts for a chain only when a CA of its path issued it (its name and
 * its signature): the leaf issues none, so a CRL in the leaf's name, signed by
 * any key, is another chain's, never "used"; with or without the cache.
 */
static void crls_only_from_the_path_cas(void **state)
{
	struct ms_err err;
	struct ms_chain_result r;
	struct ca leaf_ca = { leaf_key, leaf }, stranger = { p256(), NULL };
	X509_CRL *root_crl = pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *inter_crl = pki_crl(&inter, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *leaf_named = pki_crl(&leaf_ca, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	struct ms_chain_cache *cache = NULL;
	X509 *mid[1] = { inter.cert }, *with_leaf[2] = { leaf, inter.cert };

	(void)state;
	X509_CRL_sign(leaf_named, stranger.key, EVP_sha256()); /* any key at all */
	{
		X509_CRL *c[3] = { root_crl, inter_crl, leaf_named };

		EXPECT(MS_OK, NULL, run(leaf, mid, 1, c, 3, &err, &r));
		assert_true(r.revocation_checked);
		assert_int_equal(r.crls_used, 2);
		assert_int_equal(r.crls_used_mask, 0x3);
		ms_chain_result_free(&r);
	}
	{
		X509_CRL *c[1] = { leaf_named };

		EXPECT(MS_OK, NULL, run(leaf, mid, 1, c, 1, &err, &r));
		assert_false(r.revocation_checked);
		assert_int_equal(r.crls_used, 0);
		assert_int_equal(r.crls_used_mask, 0);
		ms_chain_result_free(&r);
		/* the leaf carried among the intermediates too: still no CA of the chain */
		EXPECT(MS_OK, NULL, run(leaf, with_leaf, 2, c, 1, &err, &r));
		assert_false(r.revocation_checked);
		assert_int_equal(r.crls_used_mask, 0);
		ms_chain_result_free(&r);
	}
	assert_int_equal(ms_chain_cache_new(&cache, &err), MS_OK);
	for (int round = 0; round < 3; round++) {
		X509_CRL *c[3] = { root_crl, inter_crl, leaf_named }, *alone[1] = { leaf_named };

		EXPECT(MS_OK, NULL, run_cached(cache, c, 3, &err, &r));
		assert_int_equal(r.crls_used_mask, 0x3);
		assert_true(r.revocation_checked);
		ms_chain_result_free(&r);
		EXPECT(MS_OK, NULL, run_cached(cache, alone, 1, &err, &r));
		assert_int_equal(r.crls_used_mask, 0);
		assert_false(r.revocation_checked);
		ms_chain_result_free(&r);
	}
	{
		uint64_t hits, full;

		ms_chain_cache_stats(cache, &hits, &full);
		assert_true(hits >= 4); /* the rounds after the first come from the cache */
	}
	ms_chain_cache_free(cache);
	X509_CRL_free(root_crl), X509_CRL_free(inter_crl), X509_CRL_free(leaf_named);
	EVP_PKEY_free(stranger.key);
}

/*
 * Several current CRLs of one issuer: X509_verify_cert applies the one it
 * scores best; a certificate that any of them lists is revoked all the same,
 * whatever the order and the dates. A forged one among them is refused.
 */
static void every_crl_of_an_issuer_counts(void **state)
{
	struct ms_err err;
	X509 *mid[1] = { inter.cert };
	X509_CRL *root_crl = pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *clean = pki_crl(&inter, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *clean_newer = pki_crl(&inter, NULL, NOW - DAY / 2, NOW + DAY, EVP_sha256());
	X509_CRL *revoking = pki_crl(&inter, leaf, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *revoking_inter = pki_crl(&root, inter.cert, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *forged = pki_crl(&inter, NULL, NOW - DAY / 2, NOW + DAY, EVP_sha256());
	X509_CRL *const clean_ones[2] = { clean, clean_newer };
	struct ms_chain_cache *cache = NULL;
	struct ms_chain_result r;

	(void)state;
	X509_CRL_sign(forged, other.key, EVP_sha256());
	for (int k = 0; k < 2; k++) {
		X509_CRL *ab[3] = { root_crl, clean_ones[k], revoking }, *ba[3] = { root_crl, revoking, clean_ones[k] };
		X509_CRL *ri[3] = { revoking_inter, root_crl, clean_ones[k] }, *ir[3] = { root_crl, revoking_inter, clean_ones[k] };

		EXPECT(MS_BAD_SIGNATURE, "chain leaf is revoked", run(leaf, mid, 1, ab, 3, &err, NULL));
		EXPECT(MS_BAD_SIGNATURE, "chain leaf is revoked", run(leaf, mid, 1, ba, 3, &err, NULL));
		EXPECT(MS_BAD_SIGNATURE, "chain intermediate is revoked", run(leaf, mid, 1, ri, 3, &err, NULL));
		EXPECT(MS_BAD_SIGNATURE, "chain intermediate is revoked", run(leaf, mid, 1, ir, 3, &err, NULL));
	}
	{
		X509_CRL *ab[3] = { root_crl, clean, forged }, *ba[3] = { root_crl, forged, clean };

		EXPECT(MS_BAD_SIGNATURE, "CRL signature failure", run(leaf, mid, 1, ab, 3, &err, NULL));
		EXPECT(MS_BAD_SIGNATURE, "CRL signature failure", run(leaf, mid, 1, ba, 3, &err, NULL));
	}
	/* a cached path above the leaf decides nothing about the leaf's CRLs */
	assert_int_equal(ms_chain_cache_new(&cache, &err), MS_OK);
	{
		X509_CRL *good[2] = { root_crl, clean_newer }, *both[3] = { root_crl, clean_newer, revoking };

		for (int round = 0; round < 2; round++) {
			EXPECT(MS_OK, NULL, run_cached(cache, good, 2, &err, &r));
			ms_chain_result_free(&r);
			EXPECT(MS_BAD_SIGNATURE, "chain leaf is revoked", run_cached(cache, both, 3, &err, &r));
		}
	}
	ms_chain_cache_free(cache);
	X509_CRL_free(root_crl), X509_CRL_free(clean), X509_CRL_free(clean_newer), X509_CRL_free(revoking);
	X509_CRL_free(revoking_inter), X509_CRL_free(forged);
}

static void times(void **state)
{
	struct ms_err err;
	X509 *mid[1] = { inter.cert };
	X509 *expired = make_cert("chain leaf", leaf_key, &inter, false, NOW - 3 * DAY, NOW - 2 * DAY);
	X509 *future = make_cert("chain leaf", leaf_key, &inter, false, NOW + DAY, NOW + 2 * DAY);

	(void)state;
	EXPECT(MS_BAD_SIGNATURE, "chain leaf has expired at 2023-11-14T22:13:20Z", run(expired, mid, 1, NULL, 0, &err, NULL));
	EXPECT(MS_BAD_SIGNATURE, "chain leaf is not yet valid", run(future, mid, 1, NULL, 0, &err, NULL));
	X509_free(expired), X509_free(future);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(chains), cmocka_unit_test(crls),
					    cmocka_unit_test(crls_only_from_the_path_cas),
					    cmocka_unit_test(every_crl_of_an_issuer_counts), cmocka_unit_test(times) };

	return cmocka_run_group_tests_name("chain", tests, setup, teardown);
}
