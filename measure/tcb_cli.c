/* SPDX-License-Identifier: Apache-2.0 */
/* measure compare's TDX TCB options: loading Intel collateral and reporting the TCB verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/file.h"
#include "../common/json.h"
#include "cli.h"
#include "tcb_cli.h"

/* The TCB verdict and the collateral it rests on, for the receipt. */
cJSON *tcb_cli_json(const struct ms_evidence *ev)
{
	cJSON *t = cJSON_CreateObject(), *arr, *col;
	const struct ms_tcb_collateral *tc = ev->tcb_collateral;

	if (ev->tcb_state == MS_TCB_NOT_EVALUATED) {
		cJSON_AddStringToObject(t, "status", "not checked");
		return t;
	}
	if (ev->tcb_state == MS_TCB_NO_LEVEL) {
		cJSON_AddStringToObject(t, "status", "no matching TCB level");
		cJSON_AddStringToObject(t, "reason", ev->tcb_why);
	} else {
		cJSON_AddStringToObject(t, "status", ms_tcb_status_name(ev->tcb.status));
		cJSON_AddStringToObject(t, "tcb_date", ev->tcb.tcb_date_text);
		arr = cJSON_AddArrayToObject(t, "advisory_ids");
		for (unsigned i = 0; i < ev->tcb.nadv; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(ev->tcb.adv[i]));
		cJSON_AddStringToObject(t, "platform_status", ms_tcb_status_name(ev->tcb.platform_status));
		cJSON_AddStringToObject(t, "tdx_module_status", ms_tcb_status_name(ev->tcb.module_status));
		cJSON_AddStringToObject(t, "qe_status", ms_tcb_status_name(ev->tcb.qe_status));
		ms_json_add_hex(t, "fmspc", ev->tcb.pck.fmspc, 6);
	}
	col = cJSON_AddArrayToObject(t, "collateral");
	for (int i = 0; tc && i < 2; i++) {
		const struct ms_collateral_common *c = i ? &tc->qe->c : &tc->info->c;
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "kind", i ? "qe_identity" : "tcb_info");
		cJSON_AddStringToObject(j, "file", i ? tc->qe_name : tc->info_name);
		cJSON_AddStringToObject(j, "id", c->id);
		cJSON_AddNumberToObject(j, "tcb_evaluation_data_number", (double)c->eval_number);
		cJSON_AddStringToObject(j, "issue_date", c->issue_text);
		cJSON_AddStringToObject(j, "next_update", c->next_text);
		ms_json_add_hex(j, "sha256", c->sha256, 32);
		cJSON_AddItemToArray(col, j);
	}
	return t;
}

/* "UpToDate,OutOfDate": a bit per status. */
int tcb_cli_parse_accept(const char *list, uint32_t *mask)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int rc = 0;
	enum ms_tcb_status s;

	if (!copy)
		return -1;
	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (ms_tcb_status_parse(tok, &s)) {
			rc = -1;
			break;
		}
		*mask |= 1u << s;
	}
	free(copy);
	return rc || !*mask ? -1 : 0;
}

/*
 * The issuer chain of a collateral file: --tcb-issuer-chain when given, else FILE.issuer-chain
 * beside it. Neither is exit 4: the collateral cannot be checked.
 */
static int load_chain(const char *file, const char *given, STACK_OF(X509) **out)
{
	struct ms_err err = { 0 };
	char *sibling = NULL;
	const char *path = given;
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if (!path) {
		if (asprintf(&sibling, "%s.issuer-chain", file) < 0) {
			fprintf(stderr, "measure: compare: out of memory\n");
			return 2;
		}
		path = sibling;
		if (access(path, F_OK)) {
			fprintf(stderr, "measure: compare: %s: no issuer chain: put the PCS issuer-chain header in %s or give "
					"--tcb-issuer-chain FILE\n", file, path);
			free(sibling);
			return 4;
		}
	}
	rc = ms_file_load(path, MS_COLLATERAL_MAX_BYTES, &buf, &len, &err) ? cli_fail("compare", path, &err)
	     : ms_issuer_chain_parse(buf, len, path, out, &err)	  ? cli_fail("compare", NULL, &err)
									  : 0;
	free(buf);
	free(sibling);
	return rc;
}

int tcb_cli_load(struct tcb_cli *t, const char *info_path, const char *qe_path, const char *chain_path)
{
	struct ms_err err = { 0 };
	int rc;

	/* the parsers name the file themselves */
	if (ms_file_load(info_path, MS_COLLATERAL_MAX_BYTES, &t->info_body, &t->info_len, &err))
		return cli_fail("compare", info_path, &err);
	if (ms_tcb_info_parse(t->info_body, t->info_len, info_path, &t->collateral.info, &err))
		return cli_fail("compare", NULL, &err);
	if (ms_file_load(qe_path, MS_COLLATERAL_MAX_BYTES, &t->qe_body, &t->qe_len, &err))
		return cli_fail("compare", qe_path, &err);
	if (ms_qe_identity_parse(t->qe_body, t->qe_len, qe_path, &t->collateral.qe, &err))
		return cli_fail("compare", NULL, &err);
	if ((rc = load_chain(info_path, chain_path, &t->collateral.info_chain)) ||
	    (rc = load_chain(qe_path, chain_path, &t->collateral.qe_chain)))
		return rc;
	if (!(t->info_name = strdup(info_path)) || !(t->qe_name = strdup(qe_path))) {
		fprintf(stderr, "measure: compare: out of memory\n");
		return 2;
	}
	t->collateral.info_body = t->info_body;
	t->collateral.qe_body = t->qe_body;
	t->collateral.info_name = t->info_name;
	t->collateral.qe_name = t->qe_name;
	return 0;
}

void tcb_cli_free(struct tcb_cli *t)
{
	ms_tcb_info_free(t->collateral.info);
	ms_qe_identity_free(t->collateral.qe);
	sk_X509_pop_free(t->collateral.info_chain, X509_free);
	sk_X509_pop_free(t->collateral.qe_chain, X509_free);
	free(t->info_body);
	free(t->qe_body);
	free(t->info_name);
	free(t->qe_name);
	memset(t, 0, sizeof(*t));
}

/*
 * ADAPTER for the collateral cache of the fetch branch (common/cache.h, ms_cache_get). Built
 * without that file, --cache for a TDX quote is exit 5 and says so; merged with it, the TCB
 * info for the quote's FMSPC and the QE identity come from the cache, offline.
 */
#if defined(__has_include)
#if __has_include("../common/cache.h")
#include "../common/cache.h"
#define TCB_CLI_HAVE_CACHE 1
#endif
#endif

#include "../common/hex.h"
#include "../common/x509.h"

#ifdef TCB_CLI_HAVE_CACHE
/* One cached entry, or exit 4 naming the key and how to get it. */
static int cache_entry(const char *dir, const char *key, uint8_t **data, size_t *len)
{
	struct ms_err err = { 0 };
	enum ms_status st = ms_cache_get(dir, key, data, len, &err);

	if (st == MS_NO_COLLATERAL) {
		fprintf(stderr, "measure: compare: %s: %s is not in the cache; run 'measure fetch EVIDENCE --cache %s' or add --fetch\n",
			dir, key, dir);
		return 4;
	}
	return st ? cli_fail("compare", dir, &err) : 0;
}
#endif

int tcb_cli_from_cache(struct tcb_cli *t, const char *dir, const uint8_t *quote, size_t len, const char *evidence_path)
{
#ifdef TCB_CLI_HAVE_CACHE
	struct ms_tdx_quote q;
	struct ms_sgx_ext ext;
	struct ms_err err = { 0 };
	STACK_OF(X509) *chain = NULL;
	char fmspc[13], info_key[64], qe_key[] = "intel/tdx/qe-identity", chain_key[96];
	uint8_t *buf = NULL;
	size_t n;
	int rc = 2;

	/* the FMSPC names the TCB info; a quote that does not decode fails its verification later */
	if (ms_tdx_quote_decode(quote, len, &q, &err) ||
	    ms_x509_parse_bundle(q.pck_chain, q.pck_chain_len, "PCK certificate chain", &chain, &err) ||
	    ms_sgx_ext_from_cert(sk_X509_value(chain, 0), &ext, &err)) {
		rc = cli_fail("compare", evidence_path, &err);
		goto out;
	}
	ms_hex_encode(ext.fmspc, 6, fmspc);
	snprintf(info_key, sizeof(info_key), "intel/tdx/tcbinfo/%s", fmspc);
	if (!(t->info_name = strdup(info_key)) || !(t->qe_name = strdup(qe_key))) {
		fprintf(stderr, "measure: compare: out of memory\n");
		goto out;
	}
	if ((rc = cache_entry(dir, info_key, &t->info_body, &t->info_len)) ||
	    (rc = cache_entry(dir, qe_key, &t->qe_body, &t->qe_len)))
		goto out;
	rc = 2;
	if (ms_tcb_info_parse(t->info_body, t->info_len, info_key, &t->collateral.info, &err) ||
	    ms_qe_identity_parse(t->qe_body, t->qe_len, qe_key, &t->collateral.qe, &err)) {
		rc = cli_fail("compare", dir, &err);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(chain_key, sizeof(chain_key), "%s.issuer-chain", i ? qe_key : info_key);
		if ((rc = cache_entry(dir, chain_key, &buf, &n)))
			goto out;
		if (ms_issuer_chain_parse(buf, n, chain_key, i ? &t->collateral.qe_chain : &t->collateral.info_chain, &err)) {
			rc = cli_fail("compare", dir, &err);
			goto out;
		}
		free(buf);
		buf = NULL;
	}
	t->collateral.info_body = t->info_body;
	t->collateral.qe_body = t->qe_body;
	t->collateral.info_name = t->info_name;
	t->collateral.qe_name = t->qe_name;
	rc = 0;
out:
	free(buf);
	sk_X509_pop_free(chain, X509_free);
	return rc;
#else
	(void)t, (void)quote, (void)len, (void)evidence_path;
	fprintf(stderr, "measure: compare: %s: this build has no collateral cache (common/cache.h): give --tcb-info and --qe-identity\n",
		dir);
	return 5;
#endif
}
