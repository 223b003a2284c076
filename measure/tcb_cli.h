/* SPDX-License-Identifier: Apache-2.0 */
/* measure compare's TDX TCB options: loading Intel collateral and reporting the TCB verdict. */
#ifndef MS_TCB_CLI_H
#define MS_TCB_CLI_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "../compare/evidence.h"

struct tcb_cli {
	struct ms_tcb_collateral collateral;
	uint8_t *info_body, *qe_body; /* owned */
	size_t info_len, qe_len;
	char *info_name, *qe_name;    /* owned: file paths or cache keys */
};

/* "UpToDate,OutOfDate" into a bit per status; -1 for an unknown or empty list. */
int tcb_cli_parse_accept(const char *list, uint32_t *mask);

/*
 * Reads --tcb-info and --qe-identity and their issuer chain: chain_path when given, else
 * FILE.issuer-chain beside each. Prints one line and returns the exit code on failure
 * (2 malformed, 4 no issuer chain, 5 unsupported version).
 */
int tcb_cli_load(struct tcb_cli *t, const char *info_path, const char *qe_path, const char *chain_path);

void tcb_cli_free(struct tcb_cli *t);

/*
 * The TCB info for the quote's FMSPC and the TDX QE identity, with their issuer chains, from
 * the collateral cache DIR (keys intel/tdx/tcbinfo/<fmspc>, intel/tdx/qe-identity, each with
 * ".issuer-chain"). Prints one line and returns the exit code on failure: 4 when an entry is
 * missing, 2 for a malformed one, 5 when built without the cache.
 */
int tcb_cli_from_cache(struct tcb_cli *t, const char *dir, const uint8_t *quote, size_t len, const char *evidence_path);

/* The receipt's "tcb" object: status, advisories, tcbDate, the collateral's dates and SHA-256. */
cJSON *tcb_cli_json(const struct ms_evidence *ev);

#endif
