/* SPDX-License-Identifier: Apache-2.0 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "json.h"

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void indent(struct buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		put(b, "  ", 2);
}

static void put_string(struct buf *b, const char *s)
{
	put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		switch (c) {
		case '"':
			puts_(b, "\\\"");
			break;
		case '\\':
			puts_(b, "\\\\");
			break;
		case '\n':
			puts_(b, "\\n");
			break;
		case '\r':
			puts_(b, "\\r");
			break;
		case '\t':
			puts_(b, "\\t");
			break;
		case '\b':
			puts_(b, "\\b");
			break;
		case '\f':
			puts_(b, "\\f");
			break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				puts_(b, esc);
			} else {
				put(b, (const char *)&c, 1);
			}
		}
	}
	put(b, "\"", 1);
}

static void put_number(struct buf *b, double v)
{
	char num[32];

	if (!isfinite(v))
		snprintf(num, sizeof(num), "null");
	else if (v == (double)(long long)v && fabs(v) < 9007199254740992.0)
		snprintf(num, sizeof(num), "%lld", (long long)v);
	else
		snprintf(num, sizeof(num), "%.17g", v);
	puts_(b, num);
}

static void put_item(struct buf *b, const cJSON *item, int depth)
{
	const cJSON *child;

	if (cJSON_IsString(item)) {
		put_string(b, item->valuestring ? item->valuestring : "");
	} else if (cJSON_IsNumber(item)) {
		put_number(b, item->valuedouble);
	} else if (cJSON_IsTrue(item)) {
		puts_(b, "true");
	} else if (cJSON_IsFalse(item)) {
		puts_(b, "false");
	} else if (cJSON_IsRaw(item)) {
		puts_(b, item->valuestring ? item->valuestring : "null");
	} else if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
		int object = cJSON_IsObject(item);

		child = item->child;
		if (!child) {
			puts_(b, object ? "{}" : "[]");
			return;
		}
		puts_(b, object ? "{\n" : "[\n");
		for (; child; child = child->next) {
			indent(b, depth + 1);
			if (object) {
				put_string(b, child->string ? child->string : "");
				puts_(b, ": ");
			}
			put_item(b, child, depth + 1);
			puts_(b, child->next ? ",\n" : "\n");
		}
		indent(b, depth);
		puts_(b, object ? "}" : "]");
	} else {
		puts_(b, "null");
	}
}

char *ms_json_format_nested(const cJSON *item, int depth)
{
	struct buf b = { 0 };

	put_item(&b, item, depth);
	put(&b, "", 0); /* an empty array or object is still a string */
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *ms_json_format(const cJSON *item)
{
	struct buf b = { 0 };

	put_item(&b, item, 0);
	put(&b, "\n", 1);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

cJSON *ms_json_add_hex(cJSON *obj, const char *key, const uint8_t *bytes, size_t len)
{
	char *hex = ms_hex_alloc(bytes, len);
	cJSON *item = hex ? cJSON_AddStringToObject(obj, key, hex) : NULL;

	free(hex);
	return item;
}

cJSON *ms_manifest_new(const char *platform, const char *algorithm)
{
	cJSON *m = cJSON_CreateObject(), *tool;

	if (!m)
		return NULL;
	cJSON_AddStringToObject(m, "schema", "measure/v1");
	cJSON_AddStringToObject(m, "platform", platform);
	cJSON_AddStringToObject(m, "algorithm", algorithm);
	cJSON_AddObjectToObject(m, "measurements");
	cJSON_AddObjectToObject(m, "parameters");
	cJSON_AddArrayToObject(m, "inputs");
	tool = cJSON_AddObjectToObject(m, "tool");
	if (tool) {
		cJSON_AddStringToObject(tool, "name", "measure");
		cJSON_AddStringToObject(tool, "version", MS_VERSION);
	}
	return m;
}

cJSON *ms_manifest_measurement(cJSON *manifest, const char *key, const uint8_t *digest,
			       size_t len)
{
	return ms_json_add_hex(cJSON_GetObjectItemCaseSensitive(manifest, "measurements"), key,
			       digest, len);
}

cJSON *ms_manifest_parameters(cJSON *manifest)
{
	return cJSON_GetObjectItemCaseSensitive(manifest, "parameters");
}

cJSON *ms_manifest_input(cJSON *manifest, const char *role, const char *name, uint64_t size,
			 const uint8_t sha256[32])
{
	cJSON *in = cJSON_CreateObject();

	if (!in)
		return NULL;
	cJSON_AddStringToObject(in, "role", role);
	cJSON_AddStringToObject(in, "name", name);
	cJSON_AddNumberToObject(in, "size", (double)size);
	ms_json_add_hex(in, "sha256", sha256, 32);
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(manifest, "inputs"), in);
	return in;
}
