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
