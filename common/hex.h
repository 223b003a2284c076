/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_HEX_H
#define MS_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "base64.h" /* the base64 coders lived here first; their callers still include hex.h */
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

#endif
