/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_JSON_STRICT_H
#define MS_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

/* Objects and arrays nest at most this deep (the outermost container is depth 1). */
#define MS_JSON_MAX_DEPTH 64

/* Parses exactly one JSON value (RFC 8259): valid UTF-8, no NUL byte, no duplicate key in any object,
 * nothing but whitespace after the value, nesting at most 64 deep, at most `len` <= caller's cap.
 * The result is an ordinary cJSON tree; every number item ALSO keeps its literal text as written in
 * item->valuestring (cJSON_Delete frees it), so integers past 2^53 stay exact.
 * MS_BAD_INPUT with a one-line message naming `what`, the problem and the byte offset
 * ("policy: duplicate key \"measurement\" at offset 0x41"), and err->input left for the caller. */
enum ms_status ms_json_parse_strict(const char *text, size_t len, const char *what, cJSON **out, struct ms_err *err);

/* An unsigned integer field: a JSON number whose literal is a plain integer (no sign, fraction or exponent),
 * or, when strings are allowed (protojson writes uint64 as a string), a string of decimal digits with no sign
 * or fraction; value <= max. Returns false otherwise. */
bool ms_json_u64(const cJSON *item, bool allow_string, uint64_t max, uint64_t *out);

#endif
