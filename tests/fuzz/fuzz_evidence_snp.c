/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the snp evidence parser and verifier. */
#include "evidence_harness.h"

EVIDENCE_HARNESS(ms_snp_inspect, ms_snp_verify)
