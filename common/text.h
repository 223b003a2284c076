/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TEXT_H
#define MS_TEXT_H

#include <stddef.h>

/*
 * Copies len bytes of in to out (cap bytes, always NUL-terminated, cut at a
 * whole escape) with every byte that could change what a terminal or a
 * line-oriented reader sees written as \xNN: control bytes below 0x20, DEL,
 * and bytes that are not part of well-formed UTF-8. A NUL in in is escaped
 * too. Idempotent: text already escaped is copied unchanged. Returns the
 * length written.
 */
size_t ms_text_escape(char *out, size_t cap, const char *in, size_t len);

/* Same, in place on a NUL-terminated string of capacity cap. */
void ms_text_escape_inplace(char *s, size_t cap);

/* A newly allocated escaped copy of the NUL-terminated s, or NULL. */
char *ms_text_escape_dup(const char *s);

#endif
