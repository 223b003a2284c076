/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "../common/digest.h"
#include "../common/hex.h"
#include "cli.h"
#include "tpm_cli.h"

#define TPM_CLI_MAX_STRUCT 65536u
#define TPM_CLI_MAX_LOG (16u << 20)

/* PCRs a log determines: the ones it extended and the ones that reset to zero and stay there. */
#define LOG_KNOWN_PCRS 0x81ffffu

void tpm_cli_log_pcrs(const struct ms_pcr_log *log, struct ms_tpm_pcrs *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < log->h.nalgs; k++) {
		struct ms_tpm_bank *bank;

		if (!ms_tpm_alg_name(log->h.algs[k]) || !(bank = ms_tpm_pcrs_bank(out, log->h.algs[k], true)))
			continue;
		bank->present = LOG_KNOWN_PCRS | log->extended;
		for (unsigned i = 0; i < MS_PCR_LOG_PCRS; i++)
			memcpy(bank->value[i], log->pcr[k][i], log->h.sizes[k]);
	}
}

int tpm_cli_option(struct tpm_cli *t, int opt, const char *arg)
{
	const char **slot;

	switch (opt) {
	case TOPT_QUOTE: slot = &t->quote_path; break;
	case TOPT_SIG: slot = &t->sig_path; break;
	case TOPT_AK: slot = &t->ak_path; break;
	case TOPT_PCRS: slot = &t->pcrs_path; break;
	case TOPT_EVENTLOG: slot = &t->log_path; break;
	case TOPT_NONCE: slot = &t->nonce_hex; break;
	case TOPT_INIT_DATA: slot = &t->init_data_path; break;
	case TOPT_INIT_DATA_DIGEST: slot = &t->init_data_hex; break;
	default: return -1;
	}
	if (*slot)
		return cli_usage(t->verb, "each --tpm-* option once: one vTPM quote");
	*slot = arg;
	return 0;
}

bool tpm_cli_given(const struct tpm_cli *t)
{
	return t->quote_path || t->sig_path || t->ak_path || t->pcrs_path || t->log_path || t->nonce_hex ||
	       t->init_data_path || t->init_data_hex;
}

static int fail(const struct tpm_cli *t, const char *path, struct ms_err *err)
{
	return cli_fail(t->verb, path, err);
}

int tpm_cli_check(const struct tpm_cli *t)
{
	if (t->init_data_path && t->init_data_hex)
		return cli_usage(t->verb, "--init-data or --init-data-digest: one init data");
	/* --tpm-nonce and the init data alone are for evidence that carries its own quote (Azure vTPM) */
	if (!t->quote_path && !t->sig_path && !t->ak_path && !t->pcrs_path && !t->log_path)
		return 0;
	if (!t->quote_path || !t->sig_path || !t->ak_path || (!t->pcrs_path && !t->log_path))
		return cli_usage(t->verb, "a vTPM quote needs --tpm-quote, --tpm-sig, --tpm-ak and --tpm-pcrs or --tpm-eventlog");
	if (t->pcrs_path && t->log_path)
		return cli_usage(t->verb, "--tpm-pcrs or --tpm-eventlog: one source of PCR values ('measure tpm quote' compares both)");
	return 0;
}

int tpm_cli_load(struct tpm_cli *t)
{
	struct ms_mapping m = { 0 };
	struct ms_pcr_log *log = NULL;
	struct ms_err err = { 0 };
	bool attrs_checked = false;
	enum ms_status st;
	int rc;

	if (!tpm_cli_given(t))
		return 0;
	if ((rc = tpm_cli_check(t)))
		return rc;
	if (t->nonce_hex) {
		const char *h = strncmp(t->nonce_hex, "0x", 2) ? t->nonce_hex : t->nonce_hex + 2;
		size_t n = strlen(h);

		if (n == 0 || n % 2 || n / 2 > sizeof(t->nonce) || ms_hex_decode(h, t->nonce, n / 2, "--tpm-nonce", NULL))
			return cli_usage(t->verb, "--tpm-nonce is 1 to %zu bytes of hex", sizeof(t->nonce));
		t->in.nonce = t->nonce;
		t->in.nonce_len = n / 2;
	}
	if (t->init_data_hex) {
		const char *h = strncmp(t->init_data_hex, "0x", 2) ? t->init_data_hex : t->init_data_hex + 2;

		if (strlen(h) != 64 || ms_hex_decode(h, t->init_data_digest, 32, "--init-data-digest", NULL))
			return cli_usage(t->verb, "--init-data-digest is the init data's SHA-256: 32 bytes of hex");
		t->has_init_data = true;
	}
	if (t->init_data_path) {
		if (ms_file_map(t->init_data_path, TPM_CLI_MAX_LOG, &m, &err))
			return fail(t, t->init_data_path, &err);
		st = ms_init_data_digest(m.data, m.len, t->init_data_digest, &err);
		ms_file_unmap(&m);
		if (st)
			return fail(t, t->init_data_path, &err);
		t->has_init_data = true;
	}
	if (!t->quote_path)
		return 0;
	if (!(t->values = calloc(1, sizeof(*t->values)))) {
		ms_fail(&err, MS_NO_MEMORY, "out of memory");
		return fail(t, NULL, &err);
	}
	if (ms_file_map(t->quote_path, TPM_CLI_MAX_STRUCT, &t->msg, &err) ||
	    ms_tpm_attest_parse(t->msg.data, t->msg.len, &(TPMS_ATTEST){ 0 }, &err))
		return fail(t, t->quote_path, &err);
	if (ms_file_map(t->sig_path, TPM_CLI_MAX_STRUCT, &m, &err) || ms_tpm_signature_parse(m.data, m.len, &t->sig, &err)) {
		rc = fail(t, t->sig_path, &err);
		goto out;
	}
	ms_file_unmap(&m);
	if (ms_file_map(t->ak_path, TPM_CLI_MAX_STRUCT, &m, &err) || ms_tpm_ak_load(m.data, m.len, &t->ak, &attrs_checked, &err)) {
		rc = fail(t, t->ak_path, &err);
		goto out;
	}
	ms_file_unmap(&m);
	if (t->pcrs_path) {
		if (ms_file_map(t->pcrs_path, TPM_CLI_MAX_LOG, &m, &err) || ms_tpm_pcrs_parse(m.data, m.len, t->values, &err)) {
			rc = fail(t, t->pcrs_path, &err);
			goto out;
		}
	} else {
		if (!(log = calloc(1, sizeof(*log)))) {
			ms_fail(&err, MS_NO_MEMORY, "out of memory");
			rc = fail(t, NULL, &err);
			goto out;
		}
		if (ms_file_map(t->log_path, TPM_CLI_MAX_LOG, &m, &err) || ms_pcr_log_replay(m.data, m.len, log, NULL, NULL, &err)) {
			rc = fail(t, t->log_path, &err);
			goto out;
		}
		tpm_cli_log_pcrs(log, t->values);
	}
	snprintf(t->ak_source, sizeof(t->ak_source), "the AK given (%.160s)", t->ak_path);
	t->in.msg = t->msg.data;
	t->in.msg_len = t->msg.len;
	t->in.sig = &t->sig;
	t->in.ak = t->ak;
	t->in.ak_source = t->ak_source;
	t->in.ak_attrs_unknown = !attrs_checked;
	t->in.pcrs = t->values;
out:
	ms_file_unmap(&m);
	free(log);
	return rc;
}

void tpm_cli_free(struct tpm_cli *t)
{
	ms_file_unmap(&t->msg);
	EVP_PKEY_free(t->ak);
	free(t->values);
	t->ak = NULL;
	t->values = NULL;
}
