/* SPDX-License-Identifier: Apache-2.0 */
/* Fetching vendor collateral into the cache, and reading SNP collateral back from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/pem.h>

#include "../common/chain.h"
#include "../common/json_strict.h"
#include "../common/x509.h"
#include "collateral.h"

#define ISSUER_CHAIN_SUFFIX ".issuer-chain"

struct download {
	const struct ms_collateral_item *it;
	struct ms_http_response resp;
	char *chain; /* the URL-decoded issuer chain (PEM) */
	size_t chain_len;
	bool cached;
	size_t cached_len, cached_chain_len;
};

static enum ms_status check_der(const struct ms_collateral_item *it, const uint8_t *b, size_t len, struct ms_err *err)
{
	if (len < 2 || b[0] != 0x30)
		return ms_fail(err, MS_BAD_INPUT, "%s: the response is not DER (it starts with 0x%02x)", it->what,
			       len ? b[0] : 0);
	return MS_OK;
}

/* The response is what the item should be: nothing else is stored. */
static enum ms_status check_body(const struct ms_collateral_item *it, const uint8_t *b, size_t len, struct ms_err *err)
{
	enum ms_status st = MS_OK;
	X509 *cert = NULL;
	X509_CRL *crl = NULL;
	STACK_OF(X509) *chain = NULL;
	cJSON *json = NULL;

	switch (it->kind) {
	case MS_COLLATERAL_AMD_VCEK:
		if (!(st = check_der(it, b, len, err)))
			st = ms_x509_parse(b, len, it->what, &cert, err);
		break;
	case MS_COLLATERAL_AMD_CHAIN:
		if (!(st = ms_x509_parse_bundle(b, len, it->what, &chain, err)) && sk_X509_num(chain) != 2)
			st = ms_fail(err, MS_BAD_INPUT, "%s: %d certificates, not the ASK and the ARK", it->what,
				     sk_X509_num(chain));
		break;
	case MS_COLLATERAL_AMD_CRL:
	case MS_COLLATERAL_INTEL_PCKCRL:
	case MS_COLLATERAL_INTEL_ROOTCRL:
		if (!(st = check_der(it, b, len, err)))
			st = ms_crl_parse(b, len, it->what, &crl, err);
		break;
	case MS_COLLATERAL_INTEL_TCBINFO:
	case MS_COLLATERAL_INTEL_QEID:
		if (!(st = ms_json_parse_strict((const char *)b, len, it->what, &json, err)) && !cJSON_IsObject(json))
			st = ms_fail(err, MS_BAD_INPUT, "%s: the response is not a JSON object", it->what);
		break;
	}
	X509_free(cert);
	X509_CRL_free(crl);
	sk_X509_pop_free(chain, X509_free);
	cJSON_Delete(json);
	return st;
}

static enum ms_status check_issuer_chain(struct download *d, struct ms_err *err)
{
	STACK_OF(X509) *chain = NULL;
	enum ms_status st;
	struct ms_err sub = { 0 };

	if (!d->resp.header)
		return ms_fail(err, MS_BAD_INPUT, "%s: the response has no %s header", d->it->what, d->it->header);
	if ((st = ms_url_decode(d->resp.header, strlen(d->resp.header), &d->chain, &d->chain_len, &sub)))
		return ms_fail(err, st, "%s: header %s: %s", d->it->what, d->it->header, sub.msg);
	st = ms_x509_parse_bundle((const uint8_t *)d->chain, d->chain_len, d->it->header, &chain, &sub);
	sk_X509_pop_free(chain, X509_free);
	if (st)
		return ms_fail(err, MS_BAD_INPUT, "%s: header %s is not a PEM certificate chain: %s", d->it->what,
			       d->it->header, sub.msg);
	return MS_OK;
}

static bool is_crl(enum ms_collateral_kind k)
{
	return k == MS_COLLATERAL_AMD_CRL || k == MS_COLLATERAL_INTEL_PCKCRL || k == MS_COLLATERAL_INTEL_ROOTCRL;
}

/* A CRL whose nextUpdate is at or before at (or missing, or unreadable) is stale: compare refuses it there. */
static bool crl_stale(const uint8_t *der, size_t len, int64_t at)
{
	X509_CRL *crl = NULL;
	const ASN1_TIME *next;
	int64_t t;
	bool stale = true;

	if (!ms_crl_parse(der, len, "cached CRL", &crl, NULL) && (next = X509_CRL_get0_nextUpdate(crl)) &&
	    !ms_asn1_time_unix(next, &t))
		stale = t <= at;
	X509_CRL_free(crl);
	return stale;
}

/*
 * The certificate that should issue the CRL of d[i]: the one the evidence
 * names, else (SNP) the ARK of the cert_chain item, as just downloaded or as
 * cached. NULL when it cannot be told.
 */
static X509 *expected_crl_issuer(const char *dir, const struct download *d, size_t n, size_t i)
{
	const struct ms_collateral_item *it = d[i].it;
	STACK_OF(X509) *chain = NULL;
	X509 *issuer = NULL;
	uint8_t *cached = NULL;
	size_t len = 0;

	if (it->crl_issuer_len) {
		if (ms_x509_parse(it->crl_issuer, it->crl_issuer_len, "CRL issuer", &issuer, NULL))
			issuer = NULL;
		goto out;
	}
	if (it->kind != MS_COLLATERAL_AMD_CRL)
		goto out;
	for (size_t j = 0; j < n; j++) {
		if (d[j].it->kind != MS_COLLATERAL_AMD_CHAIN)
			continue;
		if (d[j].cached && ms_cache_get(dir, d[j].it->key, &cached, &len, NULL))
			goto out;
		if (!ms_x509_parse_bundle(d[j].cached ? cached : d[j].resp.body, d[j].cached ? len : d[j].resp.len,
					  "cert_chain", &chain, NULL) &&
		    sk_X509_num(chain) > 0) {
			issuer = sk_X509_value(chain, sk_X509_num(chain) - 1); /* ASK then ARK */
			X509_up_ref(issuer);
		}
		break;
	}
out:
	free(cached);
	sk_X509_pop_free(chain, X509_free);
	return issuer;
}

/* Whether issuer issued the CRL: its subject is the CRL's issuer and its key verifies the CRL's signature. */
static bool crl_issued_by(const uint8_t *der, size_t len, X509 *issuer)
{
	X509_CRL *crl = NULL;
	bool ok = issuer && !ms_crl_parse(der, len, "cached CRL", &crl, NULL) && ms_crl_issued_by(crl, issuer);

	X509_CRL_free(crl);
	return ok;
}

/*
 * Whether the cache holds the item (and its issuer chain) intact, and a CRL
 * current at fresh_at and issued by the CA the evidence's chain has (a CRL of
 * another CA checks nothing, so it counts as missing). Items before i are
 * decided: the cert_chain an SNP CRL is checked against is as cached or as
 * downloaded.
 */
static bool in_cache(const char *dir, int64_t fresh_at, struct download *d, size_t n, size_t i)
{
	char key[MS_CACHE_KEY_MAX + sizeof(ISSUER_CHAIN_SUFFIX)];
	uint8_t *data = NULL;
	size_t len = 0;
	bool ok = !ms_cache_get(dir, d[i].it->key, &data, &len, NULL);

	if (ok && fresh_at && is_crl(d[i].it->kind) && crl_stale(data, len, fresh_at))
		ok = false;
	if (ok && is_crl(d[i].it->kind)) {
		X509 *issuer = expected_crl_issuer(dir, d, n, i);

		ok = crl_issued_by(data, len, issuer);
		X509_free(issuer);
	}
	d = &d[i];
	free(data);
	d->cached_len = len;
	if (ok && d->it->header) {
		snprintf(key, sizeof(key), "%s" ISSUER_CHAIN_SUFFIX, d->it->key);
		ok = !ms_cache_get(dir, key, &data, &len, NULL);
		free(data);
		d->cached_chain_len = len;
	}
	return ok;
}

static enum ms_status record(struct ms_fetch_result *res, const char *dir, const char *key, size_t len, bool cached,
			     struct ms_err *err)
{
	struct ms_fetched *f = &res->f[res->n];
	enum ms_status st;

	snprintf(f->key, sizeof(f->key), "%s", key);
	f->len = len;
	f->already_cached = cached;
	if ((st = ms_cache_ref(dir, key, f->sha256, err)))
		return st;
	res->n++;
	return MS_OK;
}

enum ms_status ms_collateral_fetch(const struct ms_collateral_need *need, const char *cache_dir,
				   const struct ms_fetch_options *o, struct ms_fetch_result *res, struct ms_err *err)
{
	struct download d[MS_COLLATERAL_MAX];
	enum ms_status st = MS_OK;
	char url[1024], key[MS_CACHE_KEY_MAX + sizeof(ISSUER_CHAIN_SUFFIX)];

	memset(d, 0, sizeof(d));
	memset(res, 0, sizeof(*res));
	/* everything is downloaded and checked before anything is stored */
	for (size_t i = 0; i < need->n; i++) {
		const struct ms_collateral_item *it = &need->item[i];
		struct ms_http_options http = o->http;
		const char *base = o->base[it->service] ? o->base[it->service] : ms_collateral_default_base(it->service);
		size_t blen = strlen(base);

		d[i].it = it;
		if (o->only_missing && in_cache(cache_dir, o->fresh_at, d, i, i)) {
			d[i].cached = true;
			continue;
		}
		while (blen && base[blen - 1] == '/')
			blen--;
		if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)blen, base, it->path) >= sizeof(url)) {
			st = ms_fail(err, MS_USAGE, "base URL '%.64s...' is too long", base);
			goto out;
		}
		http.want_header = it->header;
		if ((st = ms_http_get(url, &http, &d[i].resp, err)))
			goto out;
		if ((st = check_body(it, d[i].resp.body, d[i].resp.len, err)))
			goto out;
		if (it->header && (st = check_issuer_chain(&d[i], err)))
			goto out;
	}
	for (size_t i = 0; i < need->n; i++) {
		const struct ms_collateral_item *it = &need->item[i];

		snprintf(key, sizeof(key), "%s" ISSUER_CHAIN_SUFFIX, it->key);
		if (d[i].cached) {
			if ((st = record(res, cache_dir, it->key, d[i].cached_len, true, err)) ||
			    (it->header && (st = record(res, cache_dir, key, d[i].cached_chain_len, true, err))))
				goto out;
			continue;
		}
		if ((st = ms_cache_put(cache_dir, it->key, d[i].resp.body, d[i].resp.len, err)) ||
		    (st = record(res, cache_dir, it->key, d[i].resp.len, false, err)))
			goto out;
		if (it->header && ((st = ms_cache_put(cache_dir, key, (const uint8_t *)d[i].chain, d[i].chain_len, err)) ||
				   (st = record(res, cache_dir, key, d[i].chain_len, false, err))))
			goto out;
	}
out:
	for (size_t i = 0; i < need->n; i++) {
		ms_http_response_free(&d[i].resp);
		free(d[i].chain);
	}
	return st;
}

void ms_snp_cached_free(struct ms_snp_cached *c)
{
	free(c->vcek);
	free(c->chain);
	free(c->crl);
	free(c->bundle);
	memset(c, 0, sizeof(*c));
}

/* The VCEK as PEM, then the cert_chain: one file as AMD's bundle. */
static enum ms_status make_bundle(struct ms_snp_cached *c, struct ms_err *err)
{
	X509 *vcek = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem;
	enum ms_status st;

	if ((st = ms_x509_parse(c->vcek, c->vcek_len, "cached VCEK", &vcek, err)))
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_X509(bio, vcek) != 1 || BIO_write(bio, c->chain, (int)c->chain_len) != (int)c->chain_len) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	BIO_get_mem_ptr(bio, &mem);
	c->bundle = malloc(mem->length + 1);
	if (!c->bundle) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	memcpy(c->bundle, mem->data, mem->length);
	c->bundle[mem->length] = '\0';
	c->bundle_len = mem->length;
out:
	BIO_free(bio);
	X509_free(vcek);
	return st;
}

enum ms_status ms_snp_collateral_from_cache(const char *cache_dir, const uint8_t *report, size_t len, bool want_crl,
					    struct ms_snp_cached *out, struct ms_err *err)
{
	static const enum ms_snp_product products[] = { MS_SNP_PRODUCT_MILAN, MS_SNP_PRODUCT_GENOA,
							MS_SNP_PRODUCT_TURIN };
	struct ms_collateral_need need;
	struct ms_snp_report r;
	enum ms_status st;
	char first_key[MS_CACHE_KEY_MAX + 1] = "";
	bool found = false;

	memset(out, 0, sizeof(*out));
	if ((st = ms_snp_report_decode(report, len, &r, err)))
		return st;
	for (size_t i = 0; i < sizeof(products) / sizeof(products[0]) && !found; i++) {
		enum ms_snp_product p = ms_snp_report_product(&r) != MS_SNP_PRODUCT_UNKNOWN ? MS_SNP_PRODUCT_UNKNOWN
											   : products[i];

		if ((st = ms_collateral_need(report, len, MS_EVIDENCE_SNP, p, &need, err)))
			return st == MS_UNSUPPORTED ? ms_fail(err, MS_NO_COLLATERAL, "%s", err->msg) : st;
		if (!first_key[0])
			snprintf(first_key, sizeof(first_key), "%s", need.item[0].key);
		st = ms_cache_get(cache_dir, need.item[0].key, &out->vcek, &out->vcek_len, err);
		if (st && st != MS_NO_COLLATERAL)
			goto out;
		found = !st;
		if (p == MS_SNP_PRODUCT_UNKNOWN)
			break; /* the report names its product: no other is tried */
	}
	if (!found) {
		st = ms_fail(err, MS_NO_COLLATERAL, "the cache %s holds no VCEK for this report (%s%s)", cache_dir, first_key,
			     ms_snp_report_product(&r) == MS_SNP_PRODUCT_UNKNOWN ? ", nor for Genoa or Turin" : "");
		goto out;
	}
	snprintf(out->vcek_key, sizeof(out->vcek_key), "%s", need.item[0].key);
	if ((st = ms_cache_get(cache_dir, need.item[1].key, &out->chain, &out->chain_len, err)))
		goto out;
	if (want_crl && (st = ms_cache_get(cache_dir, need.item[2].key, &out->crl, &out->crl_len, err)))
		goto out;
	st = make_bundle(out, err);
out:
	if (st)
		ms_snp_cached_free(out);
	return st;
}
