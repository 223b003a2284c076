/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_PUBDOC_H
#define MS_PUBDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "status.h"

/*
 * Documents an image publisher releases (dstack's measurement.snp.cbor and
 * measurement.tdx.cbor, or their JSON form) are read through one tree: the
 * CBOR is decoded strictly (one well-formed item, no trailing byte, no key
 * twice in a map, text keys only) into cJSON, where a CBOR byte string
 * becomes a cJSON_Raw item holding its lowercase hex and an unsigned integer
 * a number whose valuestring keeps the exact decimal literal. The field
 * readers below then accept a byte string only where the CBOR had one, or a
 * hex string where the document was JSON: a wrong type is refused either way.
 */
struct ms_pubdoc {
	cJSON *root;
	bool cbor;        /* decoded from CBOR (else parsed as strict JSON) */
	const char *what; /* names the document in errors */
};

/* Largest published document read (the real ones are a few hundred bytes). */
#define MS_PUBDOC_MAX_LEN (1u << 20)

/* CBOR when the first byte is a CBOR map head (0xa0..0xbf), JSON otherwise. */
enum ms_status ms_pubdoc_load(const uint8_t *buf, size_t len, const char *what, struct ms_pubdoc *doc,
			      struct ms_err *err);
void ms_pubdoc_free(struct ms_pubdoc *doc);

/* An object member (NULL when absent); a member that is not an object is an error. */
enum ms_status ms_pubdoc_object(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
				bool required, const cJSON **out, struct ms_err *err);
/* A byte field of exactly len bytes; *empty (when not NULL) allows and reports a zero-length value. */
enum ms_status ms_pubdoc_bytes(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
			       uint8_t *out, size_t len, bool *empty, struct ms_err *err);
/* An unsigned integer <= max; *present (when not NULL) makes the field optional. */
enum ms_status ms_pubdoc_u64(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
			     uint64_t max, uint64_t *out, bool *present, struct ms_err *err);
/* A text field of at most max_len bytes, no NUL; points into the tree. */
enum ms_status ms_pubdoc_text(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
			      size_t max_len, const char **out, bool *present, struct ms_err *err);
/* Refuses a member not in keys (NULL-terminated). */
enum ms_status ms_pubdoc_only(const struct ms_pubdoc *doc, const cJSON *obj, const char *path,
			      const char *const *keys, struct ms_err *err);

#endif
