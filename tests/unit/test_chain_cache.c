/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The chain cache (common/chain.c): a chain verified before under the same
 * conditions has only its leaf verified, and nothing the cache holds lets a
 * chain pass that a full verification refuses: a revoked intermediate after a
 * good one, another root, another check time, a revoked or expired or forged
 * leaf under a cached intermediate. Each outcome is compared with the
 * verifier run without a cache.
 */
#include "../helpers.h"
#include "../pki.h"

#include <openssl/x509v3.h>

#include "../../common/chain.h"

#define NOW 1700000000LL
#define DAY 86400LL

static struct ca root, inter, other;
static X509 *leaf, *leaf2, *leaf_expired, *forged;
static EVP_PKEY *leaf_key;

/* A copy of c with another serial number, signed again by issuer. */
static X509 *with_serial(X509 *c, const struct ca *issuer, long serial)
{
	X509 *d = X509_dup(c);

	ASN1_INTEGER_set(X509_get_serialNumber(d), serial);
	X509_sign(d, issuer->key, EVP_sha384());
	return d;
}

static int setup(void **state)
{
	X509 *t;

	(void)state;
	root.key = p256();
	root.cert = make_cert("cache root", root.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	inter.key = p256();
	t = make_cert("cache intermediate", inter.key, &root, true, NOW - 30 * DAY, NOW + 30 * DAY);
	inter.cert = with_serial(t, &root, 0x10);
	X509_free(t);
	/* another root of the same name and key usage, another key */
	other.key = p256();
	other.cert = make_cert("cache root", other.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	leaf_key = p256();
	t = make_cert("cache leaf", leaf_key, &inter, false, NOW - DAY, NOW + DAY);
	leaf = with_serial(t, &inter, 0x21);
	leaf2 = with_serial(t, &inter, 0x22);
	X509_free(t);
	t = make_cert("cache leaf expired", leaf_key, &inter, false, NOW - 3 * DAY, NOW - DAY);
	leaf_expired = with_serial(t, &inter, 0x23);
	X509_free(t);
	/* names the intermediate as its issuer, signed by another key */
	forged = with_serial(leaf, &other, 0x24);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(root.cert), X509_free(inter.cert), X509_free(other.cert);
	X509_free(leaf), X509_free(leaf2), X509_free(leaf_expired), X509_free(forged);
	EVP_PKEY_free(root.key), EVP_PKEY_free(inter.key), EVP_PKEY_free(other.key), EVP_PKEY_free(leaf_key);
	return 0;
}

struct run {
	X509 *root, *leaf;
	X509 *mid[2];
	int nmid;
	X509_CRL *crl[2];
	int ncrl;
	int64_t at;
};

/* Verifies with the cache c (or none); the message goes to msg, the path length to *len. */
static enum ms_status run(struct ms_chain_cache *c, const struct run *w, char *msg, int *len)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	STACK_OF(X509_CRL) *crls = w->ncrl ? sk_X509_CRL_new_null() : NULL;
	struct ms_chain_result r;
	struct ms_err err = { 0 };
	struct ms_chain_params p = { .root = w->root, .leaf = w->leaf, .at = w->at ? w->at : NOW, .what = "test chain",
				     .cache = c };
	enum ms_status st;

	for (int i = 0; i < w->nmid; i++)
		sk_X509_push(untrusted, w->mid[i]);
	for (int i = 0; i < w->ncrl; i++)
		sk_X509_CRL_push(crls, w->crl[i]);
	p.untrusted = untrusted;
	p.crls = crls;
	st = ms_chain_verify(&p, &r, &err);
	snprintf(msg, 600, "%s", err.msg);
	*len = r.path ? sk_X509_num(r.path) : 0;
	if (!st && r.path)
		assert_int_equal(X509_cmp(sk_X509_value(r.path, 0), w->leaf), 0);
	ms_chain_result_free(&r);
	sk_X509_free(untrusted);
	sk_X509_CRL_free(crls);
	return st;
}

/* The same outcome with the cache as without; returns the status. */
static enum ms_status same(int line, struct ms_chain_cache *c, const struct run *w, enum ms_status want, const char *words)
{
	char a[600], b[600];
	int la, lb;
	enum ms_status with = run(c, w, a, &la), without = run(NULL, w, b, &lb);

	if (with != without || strcmp(a, b) || la != lb)
		fail_msg("line %d: with the cache %d \"%s\" (path %d), without %d \"%s\" (path %d)", line, with, a, la, without,
			 b, lb);
	if (with != want || (words && !strstr(a, words)))
		fail_msg("line %d: want %d \"%s\", got %d: %s", line, want, words ? words : "", with, a);
	return with;
}

#define SAME(want, words, w) same(__LINE__, c, (w), (want), (words))

static void hits(const struct ms_chain_cache *c, uint64_t want_hits, uint64_t want_full)
{
	uint64_t h, f;

	ms_chain_cache_stats(c, &h, &f);
	assert_int_equal(h, want_hits);
	assert_int_equal(f, want_full);
}

static void reused_only_under_the_same_conditions(void **state)
{
	struct ms_chain_cache *c = NULL;
	struct ms_err err = { 0 };
	X509_CRL *root_clean = pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *root_revokes_inter = pki_crl(&root, inter.cert, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *inter_clean = pki_crl(&inter, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *inter_revokes_leaf2 = pki_crl(&inter, leaf2, NOW - DAY, NOW + DAY, EVP_sha256());
	struct run good = { .root = root.cert, .leaf = leaf, .mid = { inter.cert }, .nmid = 1 };
	struct run w;

	(void)state;
	assert_int_equal(ms_chain_cache_new(&c, &err), MS_OK);
	SAME(MS_OK, NULL, &good);
	hits(c, 0, 1);
	SAME(MS_OK, NULL, &good);
	hits(c, 1, 1);
	/* another leaf under the cached intermediate: only the leaf is verified */
	w = good;
	w.leaf = leaf2;
	SAME(MS_OK, NULL, &w);
	hits(c, 2, 1);
	/* a forged leaf, an expired leaf: refused, as without the cache */
	w.leaf = forged;
	SAME(MS_BAD_SIGNATURE, NULL, &w);
	w.leaf = leaf_expired;
	SAME(MS_BAD_SIGNATURE, "has expired", &w);

	/* a clean CRL set, then the same chain with the intermediate revoked by the root */
	w = good;
	w.crl[0] = root_clean, w.crl[1] = inter_clean, w.ncrl = 2;
	SAME(MS_OK, NULL, &w);
	SAME(MS_OK, NULL, &w);
	/* the forged and the expired leaf were verified in full after the cached path failed them */
	hits(c, 3, 4);
	w.crl[0] = root_revokes_inter;
	SAME(MS_BAD_SIGNATURE, "cache intermediate is revoked", &w);
	SAME(MS_BAD_SIGNATURE, "cache intermediate is revoked", &w);
	/* the leaf revoked under a cached intermediate with that very CRL set */
	w.crl[0] = root_clean, w.crl[1] = inter_revokes_leaf2;
	SAME(MS_OK, NULL, &w);
	w.leaf = leaf2;
	SAME(MS_BAD_SIGNATURE, "cache leaf is revoked", &w);
	/* the CRLs of the chain but one: the path needs a CRL for every certificate */
	w.leaf = leaf, w.ncrl = 1;
	SAME(MS_NO_COLLATERAL, "no CRL was given", &w);

	/* another root: the cached intermediate does not stand in for it */
	w = good;
	w.root = other.cert;
	SAME(MS_BAD_SIGNATURE, NULL, &w);
	SAME(MS_BAD_SIGNATURE, NULL, &w);
	/* another check time: the intermediate has expired by then */
	w = good;
	w.at = NOW + 60 * DAY;
	SAME(MS_BAD_SIGNATURE, "has expired", &w);
	/* and the cached good chain still verifies */
	SAME(MS_OK, NULL, &good);

	ms_chain_cache_free(c);
	X509_CRL_free(root_clean), X509_CRL_free(root_revokes_inter), X509_CRL_free(inter_clean),
		X509_CRL_free(inter_revokes_leaf2);
}

/*
 * Entries are reused at any check time inside the window in which the kept
 * certificates and the CRLs given are all valid, and at no time outside it:
 * an expired leaf, an intermediate not yet or no longer valid, a stale CRL are
 * refused there as without the cache.
 */
static void reused_within_the_validity_window(void **state)
{
	struct ms_chain_cache *c = NULL;
	struct ms_err err = { 0 };
	X509_CRL *root_clean = pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	X509_CRL *inter_clean = pki_crl(&inter, NULL, NOW - DAY, NOW + DAY, EVP_sha256());
	struct run good = { .root = root.cert, .leaf = leaf, .mid = { inter.cert }, .nmid = 1 };
	struct run w;

	(void)state;
	assert_int_equal(ms_chain_cache_new(&c, &err), MS_OK);
	SAME(MS_OK, NULL, &good);
	hits(c, 0, 1);
	/* an hour later, and a day less a minute earlier (the leaf is valid NOW - DAY .. NOW + DAY): the whole path again */
	w = good;
	w.at = NOW + 3600;
	SAME(MS_OK, NULL, &w);
	w.at = NOW - DAY + 60;
	SAME(MS_OK, NULL, &w);
	hits(c, 2, 1);
	/* the leaf has expired: outside the whole path's window; the intermediate's window holds, its leaf check refuses */
	w.at = NOW + 2 * DAY;
	SAME(MS_BAD_SIGNATURE, "cache leaf has expired", &w);
	hits(c, 2, 2);
	/* a leaf's own notAfter, the window's bound: verified in full, and refused as OpenSSL refuses it */
	w.at = NOW + DAY;
	SAME(MS_BAD_SIGNATURE, "has expired", &w);
	hits(c, 2, 3);
	/* outside the intermediate's window (valid NOW - 30 days .. NOW + 30 days): in full, refused */
	w.at = NOW + 31 * DAY;
	SAME(MS_BAD_SIGNATURE, "cache intermediate has expired", &w);
	w.at = NOW - 31 * DAY;
	SAME(MS_BAD_SIGNATURE, "not yet valid", &w);
	hits(c, 2, 5);
	/* inside the intermediate's window, a leaf expired before it: refused under the cached intermediate */
	w = good;
	w.leaf = leaf_expired;
	w.at = NOW + 3600;
	SAME(MS_BAD_SIGNATURE, "has expired", &w);

	/* with CRLs (current NOW - DAY .. NOW + DAY) the window narrows to theirs */
	w = good;
	w.crl[0] = root_clean, w.crl[1] = inter_clean, w.ncrl = 2;
	SAME(MS_OK, NULL, &w);
	{
		uint64_t h0, f0, h1, f1;

		ms_chain_cache_stats(c, &h0, &f0);
		w.at = NOW + 7200;
		SAME(MS_OK, NULL, &w);
		ms_chain_cache_stats(c, &h1, &f1);
		assert_int_equal(h1, h0 + 1);
		assert_int_equal(f1, f0);
	}
	w.at = NOW + DAY + 60;
	SAME(MS_NO_COLLATERAL, "not current", &w);

	ms_chain_cache_free(c);
	X509_CRL_free(root_clean), X509_CRL_free(inter_clean);
}

/* Name constraints bind the leaf: such a path is never cached. */
static void constrained_paths_are_not_cached(void **state)
{
	struct ms_chain_cache *c = NULL;
	struct ms_err err = { 0 };
	X509 *nc = X509_dup(inter.cert);
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	struct run w = { .root = root.cert, .leaf = leaf, .nmid = 1 };

	(void)state;
	X509V3_set_ctx(&ctx, root.cert, nc, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_name_constraints, "critical,permitted;DNS:example.com");
	assert_non_null(e);
	X509_add_ext(nc, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(nc, root.key, EVP_sha384());
	w.mid[0] = nc;
	assert_int_equal(ms_chain_cache_new(&c, &err), MS_OK);
	SAME(MS_OK, NULL, &w);
	SAME(MS_OK, NULL, &w);
	hits(c, 0, 2);
	ms_chain_cache_free(c);
	X509_free(nc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reused_only_under_the_same_conditions),
		cmocka_unit_test(reused_within_the_validity_window),
		cmocka_unit_test(constrained_paths_are_not_cached),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
