/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_JSON_H
#define MS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

/*
 * Formats a cJSON tree with two-space indentation and "key": value pairs,
 * keys in insertion order, ending in a newline: the layout of serde_json's
 * pretty printer, so nitro-cli compatible output is byte-identical.
 * Returns a new string, or NULL on allocation failure.
 */
char *ms_json_format(const cJSON *item);
/*
 * The same layout for an item nested depth levels deep (its inner lines
 * indented for that depth, its first line not, no final newline): for
 * output written one element at a time.
 */
char *ms_json_format_nested(const cJSON *item, int depth);

/* Adds a lowercase hex string of len bytes under key. */
cJSON *ms_json_add_hex(cJSON *obj, const char *key, const uint8_t *bytes, size_t len);

/* The expected-value manifest of design.md ("measure/v1"). */
cJSON *ms_manifest_new(const char *platform, const char *algorithm);
cJSON *ms_manifest_measurement(cJSON *manifest, const char *key, const uint8_t *digest,
			       size_t len);
cJSON *ms_manifest_parameters(cJSON *manifest);
cJSON *ms_manifest_input(cJSON *manifest, const char *role, const char *name, uint64_t size,
			 const uint8_t sha256[32]);

#define MS_VERSION "0.1.0"

#endif
