/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "digest.h"

/*
 * OpenSSL 3 looks a digest up in its provider store on every init unless it
 * is given one fetched beforehand; per-page hashing makes that lookup the
 * largest cost. Each is fetched once, at its first use: a command that only
 * ever hashes with SHA-384 does not pay for the other two at start-up.
 */
static EVP_MD *fetched[3];
static pthread_once_t fetch_once[3] = { PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT };

static void fetch_sha256(void)
{
	fetched[MS_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static void fetch_sha384(void)
{
	fetched[MS_SHA384] = EVP_MD_fetch(NULL, "SHA384", NULL);
}

static void fetch_sha512(void)
{
	fetched[MS_SHA512] = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *evp_md(enum ms_hash_alg alg)
{
	static void (*const fetch[3])(void) = { fetch_sha256, fetch_sha384, fetch_sha512 };

	if (alg > MS_SHA512)
		return NULL;
	pthread_once(&fetch_once[alg], fetch[alg]);
	if (!fetched[alg])
		return alg == MS_SHA256 ? EVP_sha256() : alg == MS_SHA384 ? EVP_sha384() : EVP_sha512();
	return fetched[alg];
}

size_t ms_hash_len(enum ms_hash_alg alg)
{
	switch (alg) {
	case MS_SHA256:
		return MS_SHA256_LEN;
	case MS_SHA384:
		return MS_SHA384_LEN;
	case MS_SHA512:
		return MS_SHA512_LEN;
	}
	return 0;
}

const char *ms_hash_name(enum ms_hash_alg alg)
{
	switch (alg) {
	case MS_SHA256:
		return "sha256";
	case MS_SHA384:
		return "sha384";
	case MS_SHA512:
		return "sha512";
	}
	return "?";
}

enum ms_status ms_hash_init(struct ms_hash *h, enum ms_hash_alg alg)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->ctx = ctx;
	h->alg = alg;
	if (!ctx)
		return MS_NO_MEMORY;
	if (!EVP_DigestInit_ex2(ctx, evp_md(alg), NULL)) {
		EVP_MD_CTX_free(ctx);
		h->ctx = NULL;
		return MS_NO_MEMORY;
	}
	return MS_OK;
}

void ms_hash_update(struct ms_hash *h, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(h->ctx, data, len);
}

void ms_hash_final(struct ms_hash *h, uint8_t *out)
{
	EVP_DigestFinal_ex(h->ctx, out, NULL);
	EVP_DigestInit_ex2(h->ctx, NULL, NULL); /* the same digest again */
}

enum ms_status ms_hash_copy(struct ms_hash *dst, const struct ms_hash *src)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	dst->ctx = ctx;
	dst->alg = src->alg;
	if (!ctx || !EVP_MD_CTX_copy_ex(ctx, src->ctx)) {
		EVP_MD_CTX_free(ctx);
		dst->ctx = NULL;
		return MS_NO_MEMORY;
	}
	return MS_OK;
}

void ms_hash_free(struct ms_hash *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void ms_digest(enum ms_hash_alg alg, const void *data, size_t len, uint8_t *out)
{
	EVP_Digest(data, len, out, NULL, evp_md(alg), NULL);
}

void ms_sha256(const void *data, size_t len, uint8_t out[MS_SHA256_LEN])
{
	ms_digest(MS_SHA256, data, len, out);
}

void ms_sha384(const void *data, size_t len, uint8_t out[MS_SHA384_LEN])
{
	ms_digest(MS_SHA384, data, len, out);
}

void ms_extend(enum ms_hash_alg alg, uint8_t *reg, const uint8_t *digest)
{
	uint8_t buf[2 * MS_DIGEST_MAX];
	size_t n = ms_hash_len(alg);

	memcpy(buf, reg, n);
	memcpy(buf + n, digest, n);
	ms_digest(alg, buf, 2 * n, reg);
}
