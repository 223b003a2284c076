/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <openssl/evp.h>

#include "events.h"

#define STARTUP_LOCALITY "StartupLocality"

static const EVP_MD *tpm_md(uint16_t alg)
{
	switch (alg) {
	case 0x0004: return EVP_sha1();
	case 0x000b: return EVP_sha256();
	case 0x000c: return EVP_sha384();
	case 0x000d: return EVP_sha512();
	default: return NULL;
	}
}

struct replay {
	struct ms_pcr_log *log;
	ms_pcr_event_fn *fn;
	void *arg;
};

static enum ms_status extend(uint8_t *reg, size_t size, uint16_t alg, const uint8_t *digest, struct ms_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum ms_status st = MS_OK;

	if (!ctx || EVP_DigestInit_ex(ctx, tpm_md(alg), NULL) <= 0 || EVP_DigestUpdate(ctx, reg, size) <= 0 ||
	    EVP_DigestUpdate(ctx, digest, size) <= 0 || EVP_DigestFinal_ex(ctx, reg, NULL) <= 0)
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
	EVP_MD_CTX_free(ctx);
	return st;
}

static enum ms_status pcr_record(void *arg, const struct ms_tcg_record *r, struct ms_err *err)
{
	struct replay *rp = arg;
	struct ms_pcr_log *log = rp->log;
	char description[160];
	enum ms_status st;

	if (r->index >= MS_PCR_LOG_PCRS)
		return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): PCR index %u, a TPM has 0 to 23", r->number,
			       r->offset, r->index);
	if (r->type == MS_EV_NO_ACTION) {
		/* TCG PC Client: StartupLocality sets PCR0's reset value in every bank */
		if (r->index == 0 && r->data_len == sizeof(STARTUP_LOCALITY) + 1 &&
		    !memcmp(r->data, STARTUP_LOCALITY, sizeof(STARTUP_LOCALITY))) {
			if (log->extended & 1u)
				return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): StartupLocality after PCR0 was extended",
					       r->number, r->offset);
			log->locality = r->data[sizeof(STARTUP_LOCALITY)];
			for (unsigned k = 0; k < log->h.nalgs; k++)
				log->pcr[k][0][log->h.sizes[k] - 1] = log->locality;
		}
		return MS_OK;
	}
	for (unsigned k = 0; k < log->h.nalgs; k++) {
		const uint8_t *d = ms_tcg_record_digest(r, log->h.algs[k]);

		if (!d)
			return ms_fail(err, MS_BAD_INPUT, "event %u (offset 0x%zx): no digest for bank 0x%04x", r->number,
				       r->offset, log->h.algs[k]);
		if ((st = extend(log->pcr[k][r->index], log->h.sizes[k], log->h.algs[k], d, err)))
			return st;
	}
	log->extended |= 1u << r->index;
	log->nextends[r->index]++;
	if (rp->fn) {
		ms_tcg_describe(description, sizeof(description), r->type, r->data, r->data_len);
		return rp->fn(rp->arg, r, description, err);
	}
	return MS_OK;
}

static enum ms_status check_header(void *arg, const struct ms_tcg_record *r, struct ms_err *err)
{
	struct replay *rp = arg;
	struct ms_tcg_log_header *h = &rp->log->h;

	/* the header is known once the first record arrives: check its banks before anything is extended */
	if (r->number == 1 || !rp->log->h.nalgs) {
		for (unsigned k = 0; k < h->nalgs; k++) {
			const EVP_MD *md = tpm_md(h->algs[k]);

			if (!md)
				return ms_fail(err, MS_UNSUPPORTED, "Spec ID event: bank 0x%04x is not SHA-1/256/384/512",
					       h->algs[k]);
			if ((size_t)EVP_MD_get_size(md) != h->sizes[k])
				return ms_fail(err, MS_BAD_INPUT, "Spec ID event: bank 0x%04x has digest size %u", h->algs[k],
					       h->sizes[k]);
		}
	}
	return pcr_record(arg, r, err);
}

enum ms_status ms_pcr_log_replay(const uint8_t *buf, size_t len, struct ms_pcr_log *out, ms_pcr_event_fn *fn,
				 void *arg, struct ms_err *err)
{
	struct replay rp = { out, fn, arg };

	memset(out, 0, sizeof(*out));
	return ms_tcg_log_walk(buf, len, &out->h, check_header, &rp, err);
}
