/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hex.h"
#include "../common/json_strict.h"
#include "dstack_log.h"

/* Appends the RFC 8785 form of a JSON string: only '"', '\' and control characters are escaped. */
static void jcs_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

enum ms_status ms_dstack_event_digest(unsigned version, const char *name, const uint8_t *payload, size_t payload_len,
				      uint8_t out[MS_SHA384_LEN], uint8_t **preimage, size_t *preimage_len,
				      struct ms_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	enum ms_status st = MS_OK;

	if (version != 1 && version != 2)
		return ms_fail(err, MS_UNSUPPORTED, "dstack event log version %u (1 and 2 are known)", version);
	f = open_memstream(&text, &len);
	if (!f)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (version == 1) {
		uint8_t type[4] = { MS_DSTACK_RUNTIME_EVENT & 0xff, (MS_DSTACK_RUNTIME_EVENT >> 8) & 0xff,
				    (MS_DSTACK_RUNTIME_EVENT >> 16) & 0xff, MS_DSTACK_RUNTIME_EVENT >> 24 };

		fwrite(type, 1, 4, f);
		fputc(':', f);
		fputs(name, f);
		fputc(':', f);
		if (payload_len)
			fwrite(payload, 1, payload_len, f);
	} else {
		/* keys in JCS order (name < payload < type) */
		fputs("{\"name\":", f);
		jcs_string(f, name);
		fputs(",\"payload\":\"", f);
		for (size_t i = 0; i < payload_len; i++)
			fprintf(f, "%02x", payload[i]);
		fprintf(f, "\",\"type\":%" PRIu32 "}", (uint32_t)MS_DSTACK_RUNTIME_EVENT);
	}
	if (fclose(f)) {
		free(text);
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	}
	ms_sha384(text, len, out);
	if (preimage) {
		*preimage = (uint8_t *)text;
		*preimage_len = len;
		text = NULL;
	}
	free(text);
	return st;
}

/* A hex string member of at most max bytes, decoded into a new buffer (NULL when empty). */
static enum ms_status hex_member(const cJSON *ev, const char *key, size_t index, size_t max, uint8_t **out,
				 size_t *len, struct ms_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, key);
	size_t n;

	*out = NULL;
	*len = 0;
	if (!cJSON_IsString(v))
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: %s is %s", index, key,
			       v ? "not a hex string" : "missing");
	n = strlen(v->valuestring);
	if (n % 2 || n / 2 > max)
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: %s is not hex of at most %zu bytes", index, key,
			       max);
	if (!n)
		return MS_OK;
	*out = malloc(n / 2);
	if (!*out)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (ms_hex_decode(v->valuestring, *out, n / 2, key, err)) {
		free(*out);
		*out = NULL;
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: %s is not hex", index, key);
	}
	*len = n / 2;
	return MS_OK;
}

static enum ms_status one_event(const cJSON *ev, size_t index, size_t limit, struct ms_tdx_event *e,
				struct ms_err *err)
{
	static const char *const keys[] = { "imr", "event_type", "digest", "event", "event_payload", "version",
					     "preimage", NULL };
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "event"), *m;
	uint8_t *digest = NULL, *payload = NULL, *pre = NULL, *computed_pre = NULL;
	size_t digest_len, payload_len, pre_len, computed_pre_len;
	uint64_t imr, type, version = 1;
	uint8_t d[MS_SHA384_LEN];
	char want[2 * MS_SHA384_LEN + 1], got[2 * MS_SHA384_LEN + 1];
	enum ms_status st;

	if (!cJSON_IsObject(ev))
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu is not an object", index);
	cJSON_ArrayForEach(m, ev) {
		size_t k;

		for (k = 0; keys[k] && strcmp(keys[k], m->string); k++)
			;
		if (!keys[k])
			return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: unknown field \"%s\"", index, m->string);
	}
	if (!ms_json_u64(cJSON_GetObjectItemCaseSensitive(ev, "imr"), false, 3, &imr))
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: imr is not 0 to 3", index);
	if (!ms_json_u64(cJSON_GetObjectItemCaseSensitive(ev, "event_type"), false, UINT32_MAX, &type))
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: event_type is not a 32-bit unsigned integer", index);
	if ((m = cJSON_GetObjectItemCaseSensitive(ev, "version")) && !ms_json_u64(m, false, UINT32_MAX, &version))
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: version is not an unsigned integer", index);
	if (!cJSON_IsString(name))
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: event is %s", index,
			       name ? "not a string" : "missing");
	if (strlen(name->valuestring) > MS_DSTACK_MAX_NAME)
		return ms_fail(err, MS_BAD_INPUT, "event log: event %zu: event name longer than %u bytes", index,
			       MS_DSTACK_MAX_NAME);
	if ((st = hex_member(ev, "digest", index, MS_SHA384_LEN, &digest, &digest_len, err)) ||
	    (st = hex_member(ev, "event_payload", index, limit, &payload, &payload_len, err)))
		goto out;
	if (cJSON_GetObjectItemCaseSensitive(ev, "preimage") &&
	    (st = hex_member(ev, "preimage", index, limit, &pre, &pre_len, err)))
		goto out;
	if (digest_len && digest_len != MS_SHA384_LEN) {
		st = ms_fail(err, MS_BAD_INPUT, "event log: event %zu: digest is %zu bytes, a SHA-384 is 48", index,
			     digest_len);
		goto out;
	}
	memset(e, 0, sizeof(*e));
	e->rtmr = (unsigned)imr;
	e->type = (uint32_t)type;
	e->computed = true;
	if (type == MS_DSTACK_RUNTIME_EVENT) {
		if (version != 1 && version != 2) {
			st = ms_fail(err, MS_UNSUPPORTED, "event log: event %zu (\"%.64s\"): version %" PRIu64
				     ", dstack defines 1 and 2", index, name->valuestring, version);
			goto out;
		}
		if ((st = ms_dstack_event_digest((unsigned)version, name->valuestring, payload, payload_len, d,
						 &computed_pre, &computed_pre_len, err)))
			goto out;
		if (digest_len && memcmp(digest, d, MS_SHA384_LEN)) {
			ms_hex_encode(digest, MS_SHA384_LEN, got);
			ms_hex_encode(d, MS_SHA384_LEN, want);
			st = ms_fail(err, MS_BAD_INPUT,
				     "event log: event %zu (RTMR%" PRIu64 " \"%.64s\"): the log states digest %s, dstack's rule (version %" PRIu64 ") gives %s",
				     index, imr, name->valuestring, got, version, want);
			goto out;
		}
		if (pre && (pre_len != computed_pre_len || memcmp(pre, computed_pre, pre_len))) {
			st = ms_fail(err, MS_BAD_INPUT,
				     "event log: event %zu (RTMR%" PRIu64 " \"%.64s\"): the stated preimage is not what dstack's rule (version %" PRIu64 ") hashes",
				     index, imr, name->valuestring, version);
			goto out;
		}
		memcpy(e->digest, d, MS_SHA384_LEN);
		snprintf(e->description, sizeof(e->description), "dstack \"%.100s\" (%zu-byte payload; digest recomputed)",
			 name->valuestring, payload_len);
	} else {
		if (!digest_len) {
			st = ms_fail(err, MS_BAD_INPUT, "event log: event %zu: no digest (only dstack's run-time events can be recomputed)",
				     index);
			goto out;
		}
		memcpy(e->digest, digest, MS_SHA384_LEN);
		snprintf(e->description, sizeof(e->description), "%s%.100s%s(digest as logged)", *name->valuestring ? "\"" : "",
			 name->valuestring, *name->valuestring ? "\" " : "");
	}
out:
	free(digest);
	free(payload);
	free(pre);
	free(computed_pre);
	return st;
}

enum ms_status ms_dstack_log_walk(const uint8_t *buf, size_t len, struct ms_ccel *out, ms_ccel_event_fn *fn,
				  void *arg, struct ms_err *err)
{
	cJSON *root = NULL, *inner = NULL;
	const cJSON *events, *ev;
	size_t index = 0;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if ((st = ms_json_parse_strict((const char *)buf, len, "event log", &root, err)))
		return st;
	events = root;
	if (cJSON_IsObject(root)) {
		events = cJSON_GetObjectItemCaseSensitive(root, "event_log");
		if (cJSON_IsString(events)) {
			/* GetQuote returns the log as a string of JSON */
			if ((st = ms_json_parse_strict(events->valuestring, strlen(events->valuestring), "event log: event_log",
						       &inner, err)))
				goto out;
			events = inner;
		}
	}
	if (!cJSON_IsArray(events)) {
		st = ms_fail(err, MS_BAD_INPUT, "event log: not an array of events (nor an object with one as \"event_log\")");
		goto out;
	}
	if ((size_t)cJSON_GetArraySize(events) > MS_CCEL_MAX_EVENTS) {
		st = ms_fail(err, MS_BAD_INPUT, "event log: %d events, more than %u", cJSON_GetArraySize(events),
			     MS_CCEL_MAX_EVENTS);
		goto out;
	}
	out->nalgs = 1;
	out->algs[0] = 0x000c; /* TPM_ALG_SHA384 */
	out->sizes[0] = MS_SHA384_LEN;
	cJSON_ArrayForEach(ev, events) {
		struct ms_tdx_event e;
		uint8_t both[2 * MS_SHA384_LEN];

		if ((st = one_event(ev, index, len, &e, err)))
			goto out;
		memcpy(both, out->rtmr[e.rtmr], MS_SHA384_LEN);
		memcpy(both + MS_SHA384_LEN, e.digest, MS_SHA384_LEN);
		ms_sha384(both, sizeof(both), out->rtmr[e.rtmr]);
		out->nevents++;
		out->nextends++;
		if (fn && (st = fn(arg, &e, err)))
			goto out;
		index++;
	}
	out->end = len;
out:
	cJSON_Delete(inner);
	cJSON_Delete(root);
	return st;
}
