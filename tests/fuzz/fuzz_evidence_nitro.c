/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the nitro evidence parser and verifier. */
#include "evidence_harness.h"

EVIDENCE_HARNESS(ms_nitro_inspect, ms_nitro_verify)
