/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make bench: verifications per second in one process, for each evidence type,
 * over the real evidence in ../shared/vectors (each file verified in turn).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/chain.h"
#include "../../common/file.h"
#include "../../common/rfc3339.h"
#include "../../common/x509.h"
#include "../../compare/evidence.h"

struct item {
	const char *file, *vcek, *at;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int bench(const char *vectors, const char *label, const struct item *items, size_t n, bool cached,
		 enum ms_status (*verify)(const uint8_t *, size_t, const struct ms_verify_options *, struct ms_evidence *,
					  struct ms_checks *, struct ms_err *))
{
	uint8_t *data[8], *vcek[8] = { 0 };
	size_t len[8], vlen[8] = { 0 };
	struct ms_verify_options o[8];
	unsigned runs = 0;
	double start, elapsed;
	char path[4096];
	struct ms_err err = { 0 };
	struct ms_chain_cache *cache = NULL;

	if (cached && ms_chain_cache_new(&cache, &err))
		return fprintf(stderr, "%s\n", err.msg), 1;
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", vectors, items[i].file);
		if (ms_file_load(path, 1 << 20, &data[i], &len[i], &err))
			return fprintf(stderr, "%s: %s\n", path, err.msg), 1;
		memset(&o[i], 0, sizeof(o[i]));
		ms_time_parse(items[i].at, &o[i].at);
		o[i].chain_cache = cache;
		if (items[i].vcek) {
			snprintf(path, sizeof(path), "%s/%s", vectors, items[i].vcek);
			if (ms_file_load(path, 1 << 20, &vcek[i], &vlen[i], &err))
				return fprintf(stderr, "%s: %s\n", path, err.msg), 1;
			o[i].vcek = vcek[i];
			o[i].vcek_len = vlen[i];
		}
	}
	start = now();
	do {
		for (size_t i = 0; i < n; i++) {
			struct ms_evidence ev;
			struct ms_checks checks = { 0 };

			if (verify(data[i], len[i], &o[i], &ev, &checks, &err))
				return fprintf(stderr, "%s: %s\n", items[i].file, err.msg), 1;
			ms_checks_free(&checks);
			runs++;
		}
	} while ((elapsed = now() - start) < 1.0);
	printf("%-32s %-11s %7.0f verifications/s  (%zu files, %u runs)\n", label, cached ? "chain cache" : "each alone",
	       runs / elapsed, n, runs);
	ms_chain_cache_free(cache);
	for (size_t i = 0; i < n; i++) {
		free(data[i]);
		free(vcek[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct item nitro[] = {
		{ "nitro/attestation/evervault-beta-valid-attestation-doc.cbor", NULL, "2022-10-13T09:00:00Z" },
		{ "nitro/attestation/evervault-beta-debug-mode-attestation-doc.cbor", NULL, "2022-10-12T14:00:00Z" },
	};
	static const struct item snp[] = {
		{ "snp/go-sev-guest/attestation.bin", "snp/go-sev-guest/vcek.testcer", "2022-09-25T00:00:00Z" },
	};
	static const struct item tdx[] = {
		{ "tdx/tdx_prod_quote_SPR_E4.dat", NULL, "2026-02-03T00:00:00Z" },
		{ "tdx/quote_v5_sample.dat", NULL, "2026-02-03T00:00:00Z" },
		{ "tdx/dstack_ra-tls_tdx_quote.dat", NULL, "2026-02-03T00:00:00Z" },
		{ "tdx/cos-113-tdx-quote.dat", NULL, "2026-02-03T00:00:00Z" },
	};
	const char *v = argc > 1 ? argv[1] : "../shared/vectors";

	/* "each alone": every document verified from nothing, as one 'measure compare' process does;
	   "chain cache": as 'measure compare --batch' does (targets 900, 1,300 and 2,500 per second) */
	for (int cached = 0; cached < 2; cached++)
		if (bench(v, "Nitro attestation document", nitro, 2, cached, ms_nitro_verify) ||
		    bench(v, "SEV-SNP report (VCEK given)", snp, 1, cached, ms_snp_verify) ||
		    bench(v, "TDX quote (v4 and v5)", tdx, 4, cached, ms_tdx_verify))
			return 1;
	return 0;
}
