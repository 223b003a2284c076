/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_AZURE_H
#define MS_AZURE_H

/*
 * Azure confidential VMs' vTPM evidence: the HCL (paravisor) report, which
 * carries the hardware report (SNP report or TDREPORT) and the runtime data
 * it binds with REPORT_DATA = SHA-256(runtime data), and a TPM quote signed
 * by the AK the runtime data names.
 */

#include <stdint.h>

#include "evidence.h"
#include "tpm.h"

#define MS_HCL_HEADER_LEN 0x20u
#define MS_HCL_HW_REPORT_LEN 1184u /* an SNP report; a TDREPORT (1024) padded to it */
#define MS_HCL_REQUEST_OFF (MS_HCL_HEADER_LEN + MS_HCL_HW_REPORT_LEN)
#define MS_HCL_REQUEST_LEN 20u
#define MS_HCL_VAR_OFF (MS_HCL_REQUEST_OFF + MS_HCL_REQUEST_LEN)
#define MS_HCL_TYPE_SNP 2u
#define MS_HCL_TYPE_TDX 4u
#define MS_TDREPORT_LEN 1024u

struct ms_hcl_report {
	uint32_t version, report_size, request_type, status;
	uint32_t data_size, data_version, report_type, hash_type, var_size;
	const uint8_t *hw_report; /* MS_HCL_HW_REPORT_LEN bytes */
	const uint8_t *var_data;  /* the runtime data (JSON), var_size bytes */
};

/* The HCL report's header and request data, bounds-checked; MS_BAD_INPUT names the field and offset. */
enum ms_status ms_hcl_parse(const uint8_t *buf, size_t len, struct ms_hcl_report *out, struct ms_err *err);

/* The evidence a verification decoded, owned here (ev points into it). */
struct ms_azure_vtpm {
	int version;              /* trustee's JSON format: 0, 1 or 2 */
	uint8_t *hcl, *td_quote, *vcek, *msg, *sig;
	size_t hcl_len, td_quote_len, vcek_len, msg_len, sig_len;
	struct ms_tpm_pcrs pcrs;
	struct ms_tpm_quoted quoted;
};

/* The parts of trustee's JSON (v0 byte arrays, v1/v2 hex and base64url), decoded into az. */
enum ms_status ms_azure_vtpm_parse(const uint8_t *buf, size_t len, struct ms_azure_vtpm *az, struct ms_err *err);
void ms_azure_vtpm_free(struct ms_azure_vtpm *az);

#endif
