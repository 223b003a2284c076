/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_BASE64_H
#define MS_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* RFC 4648 base64: section 4 (standard, "+/") or section 5 (URL-safe, "-_"). */
enum ms_b64_alphabet { MS_B64_STD, MS_B64_URL };

enum ms_b64_padding {
	MS_B64_PAD_OPTIONAL, /* "=" padding may be present or left out */
	MS_B64_PAD_REQUIRED, /* the text is a whole number of 4-character groups */
	MS_B64_PAD_NONE,     /* "=" is not a character of the text at all */
};

struct ms_b64_rules {
	enum ms_b64_alphabet alphabet;
	enum ms_b64_padding padding;
	bool skip_space; /* space, tab, CR and LF are skipped anywhere; else refused */
	bool canonical;  /* refuse bits set past the data in the last character */
};

/* Why a text was refused; at is the offset of the character for MS_B64_BAD_CHAR. */
enum ms_b64_fault {
	MS_B64_OK,
	MS_B64_BAD_CHAR,    /* not of the alphabet, or data after "=" */
	MS_B64_BAD_LENGTH,  /* a lone character in the last group (or, unless skip_space, a length padding forbids) */
	MS_B64_BAD_PADDING, /* more than two "=", or "=" that does not complete the last group */
	MS_B64_STRAY_BITS,  /* canonical only: the last character carries bits past the data */
	MS_B64_TOO_LONG,    /* the data would not fit in max bytes */
};

/* The most bytes len characters of base64 can decode to. */
size_t ms_base64_decoded_max(size_t len);

/* Value 0..63 of c in the alphabet, -1 for any other byte (also "=" and NUL). */
int ms_base64_value(char c, enum ms_b64_alphabet alphabet);

/*
 * Decodes in[0..len) under rules into out (at most max bytes, even on
 * failure). Unless skip_space, a wrong length is reported before any
 * character is looked at.
 */
enum ms_b64_fault ms_base64_decode_into(const char *in, size_t len, const struct ms_b64_rules *rules, uint8_t *out,
					size_t max, size_t *out_len, size_t *at);

/* Standard base64 with padding; out must hold ms_base64_len(len)+1 bytes. */
size_t ms_base64_len(size_t len);
void ms_base64_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decodes standard base64 (padding optional, whitespace ignored, trailing
 * bits not checked) into a newly allocated buffer.
 */
enum ms_status ms_base64_decode(const char *in, size_t in_len, uint8_t **out, size_t *out_len,
				const char *what, struct ms_err *err);

/* base64url without padding, strictly (RFC 4648 section 5; unused bits zero). */
enum ms_status ms_base64url_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, const char *what,
				   struct ms_err *err);

#endif
