/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_HEX_H
#define MS_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Lowercase hex of len bytes into out (2*len+1 bytes, NUL-terminated). */
void ms_hex_encode(const uint8_t *in, size_t len, char *out);

/* Same, allocated; NULL on allocation failure. */
char *ms_hex_alloc(const uint8_t *in, size_t len);

/*
 * Decodes exactly want bytes of hex (upper or lower case, optional 0x prefix).
 * what names the value in the error message.
 */
enum ms_status ms_hex_decode(const char *in, uint8_t *out, size_t want, const char *what,
			     struct ms_err *err);

/* Standard base64 with padding; out must hold ms_base64_len(len)+1 bytes. */
size_t ms_base64_len(size_t len);
void ms_base64_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decodes standard base64 (padding optional, whitespace ignored) into a
 * newly allocated buffer.
 */
enum ms_status ms_base64_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
				const char *what, struct ms_err *err);

#endif
