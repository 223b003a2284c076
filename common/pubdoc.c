/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "cose.h"
#include "hex.h"
#include "json_strict.h"
#include "pubdoc.h"

#define MAX_DEPTH 8

static enum ms_status convert(const cbor_item_t *item, const char *path, int depth, const char *what,
			      cJSON **out, struct ms_err *err);

static enum ms_status convert_map(const cbor_item_t *item, const char *path, int depth, const char *what,
				  cJSON **out, struct ms_err *err)
{
	struct cbor_pair *pairs = cbor_map_handle(item);
	cJSON *obj = cJSON_CreateObject();
	enum ms_status st = MS_OK;
	char key[128], sub[256];

	if (!obj)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!cbor_map_is_definite(item)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: %s: an indefinite-length CBOR map", what, path);
		goto out;
	}
	for (size_t i = 0; i < cbor_map_size(item) && !st; i++) {
		const cbor_item_t *k = pairs[i].key;
		size_t klen;
		cJSON *value = NULL;

		if (!cbor_isa_string(k) || !cbor_string_is_definite(k)) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: %s: map key %zu is not a text string", what, path, i);
			break;
		}
		klen = cbor_string_length(k);
		if (klen >= sizeof(key) || memchr(cbor_string_handle(k), 0, klen)) {
			st = ms_fail(err, MS_BAD_INPUT, "%s: %s: map key %zu is longer than %zu bytes or holds a NUL",
				     what, path, i, sizeof(key) - 1);
			break;
		}
		memcpy(key, cbor_string_handle(k), klen);
		key[klen] = 0;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		if ((st = convert(pairs[i].value, sub, depth + 1, what, &value, err)))
			break;
		cJSON_AddItemToObject(obj, key, value);
	}
out:
	if (st)
		cJSON_Delete(obj);
	else
		*out = obj;
	return st;
}

static enum ms_status convert(const cbor_item_t *item, const char *path, int depth, const char *what,
			      cJSON **out, struct ms_err *err)
{
	char sub[256];
	cJSON *made = NULL;

	*out = NULL;
	if (depth > MAX_DEPTH)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s: nested deeper than %d", what, path, MAX_DEPTH);
	switch (cbor_typeof(item)) {
	case CBOR_TYPE_UINT: {
		char text[24];

		snprintf(text, sizeof(text), "%" PRIu64, (uint64_t)cbor_get_int(item));
		made = cJSON_CreateNumber((double)cbor_get_int(item));
		if (made && !(made->valuestring = strdup(text))) {
			cJSON_Delete(made);
			made = NULL;
		}
		break;
	}
	case CBOR_TYPE_BYTESTRING: {
		char *hex;

		if (!cbor_bytestring_is_definite(item))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s: an indefinite-length byte string", what, path);
		hex = ms_hex_alloc(cbor_bytestring_handle(item), cbor_bytestring_length(item));
		made = hex ? cJSON_CreateRaw(hex) : NULL;
		free(hex);
		break;
	}
	case CBOR_TYPE_STRING: {
		size_t n;
		char *text;

		if (!cbor_string_is_definite(item))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s: an indefinite-length text string", what, path);
		n = cbor_string_length(item);
		if (memchr(cbor_string_handle(item), 0, n))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s: a text string holding a NUL", what, path);
		text = malloc(n + 1);
		if (!text)
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		memcpy(text, cbor_string_handle(item), n);
		text[n] = 0;
		made = cJSON_CreateString(text);
		free(text);
		break;
	}
	case CBOR_TYPE_ARRAY:
		if (!cbor_array_is_definite(item))
			return ms_fail(err, MS_BAD_INPUT, "%s: %s: an indefinite-length array", what, path);
		made = cJSON_CreateArray();
		for (size_t i = 0; made && i < cbor_array_size(item); i++) {
			cJSON *elem;
			enum ms_status st;

			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if ((st = convert(cbor_array_handle(item)[i], sub, depth + 1, what, &elem, err))) {
				cJSON_Delete(made);
				return st;
			}
			cJSON_AddItemToArray(made, elem);
		}
		break;
	case CBOR_TYPE_MAP:
		return convert_map(item, path, depth, what, out, err);
	default:
		return ms_fail(err, MS_BAD_INPUT,
			       "%s: %s: a CBOR item of a type these documents never hold (major type %d)", what,
			       *path ? path : "top level", (int)cbor_typeof(item));
	}
	if (!made)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	*out = made;
	return MS_OK;
}

enum ms_status ms_pubdoc_load(const uint8_t *buf, size_t len, const char *what, struct ms_pubdoc *doc,
			      struct ms_err *err)
{
	cbor_item_t *item = NULL;
	enum ms_status st;

	memset(doc, 0, sizeof(*doc));
	doc->what = what;
	if (len > MS_PUBDOC_MAX_LEN)
		return ms_fail(err, MS_BAD_INPUT, "%s: %zu bytes, more than the %u a published document may have", what,
			       len, MS_PUBDOC_MAX_LEN);
	if (len && buf[0] >= 0xa0 && buf[0] <= 0xbf) {
		doc->cbor = true;
		if ((st = ms_cbor_load(buf, len, MAX_DEPTH, what, &item, err)))
			return st;
		st = convert(item, "", 0, what, &doc->root, err);
		cbor_decref(&item);
		return st;
	}
	if ((st = ms_json_parse_strict((const char *)buf, len, what, &doc->root, err)))
		return st;
	if (!cJSON_IsObject(doc->root)) {
		ms_pubdoc_free(doc);
		return ms_fail(err, MS_BAD_INPUT, "%s: neither a CBOR map nor a JSON object", what);
	}
	return MS_OK;
}

void ms_pubdoc_free(struct ms_pubdoc *doc)
{
	cJSON_Delete(doc->root);
	doc->root = NULL;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static enum ms_status missing(const struct ms_pubdoc *doc, const char *path, const char *key, struct ms_err *err)
{
	return ms_fail(err, MS_BAD_INPUT, "%s: %s%s%s is missing", doc->what, path, *path ? "." : "", key);
}

enum ms_status ms_pubdoc_object(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
				bool required, const cJSON **out, struct ms_err *err)
{
	const cJSON *v = member(obj, key);

	*out = NULL;
	if (!v)
		return required ? missing(doc, path, key, err) : MS_OK;
	if (!cJSON_IsObject(v))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s%s%s is not a map", doc->what, path, *path ? "." : "", key);
	*out = v;
	return MS_OK;
}

enum ms_status ms_pubdoc_bytes(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
			       uint8_t *out, size_t len, bool *empty, struct ms_err *err)
{
	const cJSON *v = member(obj, key);
	char name[160];

	snprintf(name, sizeof(name), "%s: %s%s%s", doc->what, path, *path ? "." : "", key);
	if (!v)
		return missing(doc, path, key, err);
	if (doc->cbor ? !cJSON_IsRaw(v) : !cJSON_IsString(v))
		return ms_fail(err, MS_BAD_INPUT, "%s is not a %s", name, doc->cbor ? "byte string" : "hex string");
	if (empty)
		*empty = !*v->valuestring;
	if (empty && *empty)
		return MS_OK;
	return ms_hex_decode(v->valuestring, out, len, name, err);
}

enum ms_status ms_pubdoc_u64(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
			     uint64_t max, uint64_t *out, bool *present, struct ms_err *err)
{
	const cJSON *v = member(obj, key);

	if (present)
		*present = v != NULL;
	if (!v)
		return present ? MS_OK : missing(doc, path, key, err);
	if (!ms_json_u64(v, false, max, out))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s%s%s is not an unsigned integer up to %" PRIu64, doc->what, path,
			       *path ? "." : "", key, max);
	return MS_OK;
}

enum ms_status ms_pubdoc_text(const struct ms_pubdoc *doc, const cJSON *obj, const char *key, const char *path,
			      size_t max_len, const char **out, bool *present, struct ms_err *err)
{
	const cJSON *v = member(obj, key);

	if (present)
		*present = v != NULL;
	if (!v)
		return present ? MS_OK : missing(doc, path, key, err);
	if (!cJSON_IsString(v) || !v->valuestring)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s%s%s is not a text string", doc->what, path, *path ? "." : "",
			       key);
	if (strlen(v->valuestring) > max_len)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s%s%s is longer than %zu bytes", doc->what, path,
			       *path ? "." : "", key, max_len);
	*out = v->valuestring;
	return MS_OK;
}

enum ms_status ms_pubdoc_only(const struct ms_pubdoc *doc, const cJSON *obj, const char *path,
			      const char *const *keys, struct ms_err *err)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, obj) {
		size_t i;

		for (i = 0; keys[i] && strcmp(keys[i], v->string); i++)
			;
		if (!keys[i])
			return ms_fail(err, MS_BAD_INPUT, "%s: %s%s%s: unknown field", doc->what, path, *path ? "." : "",
				       v->string);
	}
	return MS_OK;
}
