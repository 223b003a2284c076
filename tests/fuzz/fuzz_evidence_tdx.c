/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the tdx evidence parser and verifier. */
#include "evidence_harness.h"

EVIDENCE_HARNESS(ms_tdx_inspect, ms_tdx_verify)
