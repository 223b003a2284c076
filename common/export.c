/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "hex.h"
#include "json.h"

static const char *const formats[] = { "rvps", "intoto", "env", "kms", "cocos", "go-sev-guest" };

int ms_export_known(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(name, formats[i]))
			return 1;
	return 0;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The bytes of a measurement (hex in the manifest) into out (at most 64). */
static enum ms_status measurement_bytes(const cJSON *m, uint8_t out[64], size_t *len, struct ms_err *err)
{
	size_t n = cJSON_IsString(m) ? strlen(m->valuestring) : 0;

	if (!n || n % 2 || n > 128)
		return ms_fail(err, MS_BAD_INPUT, "manifest: measurement %s is not hex", m && m->string ? m->string : "?");
	*len = n / 2;
	return ms_hex_decode(m->valuestring, out, n / 2, "manifest measurement", err);
}

static char *b64(const uint8_t *p, size_t n)
{
	char *s = malloc(ms_base64_len(n) + 1);

	if (s)
		ms_base64_encode(p, n, s);
	return s;
}

/* The reference-value name trustee's default policy reads (and ours for what it has none for). */
static const char *rvps_name(const char *platform, const char *key, char *buf, size_t len)
{
	if (!strcmp(platform, "sev-snp") && !strcmp(key, "measurement"))
		return "snp_launch_measurement";
	if (!strcmp(platform, "tdx") && !strcmp(key, "mrtd"))
		return "mr_td";
	if (!strcmp(platform, "tdx") && !strncmp(key, "rtmr", 4)) {
		snprintf(buf, len, "rtmr_%s", key + 4);
		return buf;
	}
	if (!strcmp(platform, "aws-nitro")) {
		snprintf(buf, len, "aws_nitro_%s", key);
		return buf;
	}
	if (!strcmp(platform, "sev") || !strcmp(platform, "sev-es")) {
		snprintf(buf, len, "%s_launch_measurement", platform[3] ? "sev_es" : "sev");
		return buf;
	}
	snprintf(buf, len, "%s_%s", !strcmp(platform, "sev-snp") ? "snp" : platform, key);
	return buf;
}

static enum ms_status rvps(const char *platform, const cJSON *ms, cJSON *out, struct ms_err *err)
{
	cJSON *prov = cJSON_CreateObject();
	char *text = NULL, *enc = NULL, name[64];

	if (!prov)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (const cJSON *m = ms->child; m; m = m->next) {
		cJSON *arr = cJSON_AddArrayToObject(prov, rvps_name(platform, m->string, name, sizeof(name)));

		cJSON_AddItemToArray(arr, cJSON_CreateString(m->valuestring));
	}
	text = cJSON_PrintUnformatted(prov);
	enc = text ? b64((const uint8_t *)text, strlen(text)) : NULL;
	cJSON_Delete(prov);
	cJSON_free(text);
	if (!enc)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	cJSON_AddStringToObject(out, "version", "0.1.0");
	cJSON_AddStringToObject(out, "type", "sample");
	cJSON_AddStringToObject(out, "payload", enc);
	free(enc);
	return MS_OK;
}

static enum ms_status intoto(const cJSON *manifest, cJSON *out, struct ms_err *err)
{
	const cJSON *inputs = get(manifest, "inputs"), *ms = get(manifest, "measurements");
	cJSON *subjects, *copy;

	cJSON_AddStringToObject(out, "_type", "https://in-toto.io/Statement/v1");
	subjects = cJSON_AddArrayToObject(out, "subject");
	for (const cJSON *in = cJSON_IsArray(inputs) ? inputs->child : NULL; in; in = in->next) {
		const cJSON *name = get(in, "name"), *sha = get(in, "sha256");
		cJSON *s, *d;

		if (!cJSON_IsString(name) || !cJSON_IsString(sha))
			continue;
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", name->valuestring);
		d = cJSON_AddObjectToObject(s, "digest");
		cJSON_AddStringToObject(d, "sha256", sha->valuestring);
		cJSON_AddItemToArray(subjects, s);
	}
	if (!subjects->child && cJSON_IsString(get(ms, "manifest_digest"))) { /* an image layout: the image itself */
		cJSON *s = cJSON_CreateObject(), *d;

		cJSON_AddStringToObject(s, "name", "image");
		d = cJSON_AddObjectToObject(s, "digest");
		cJSON_AddStringToObject(d, "sha256", get(ms, "manifest_digest")->valuestring);
		cJSON_AddItemToArray(subjects, s);
	}
	if (!subjects->child)
		return ms_fail(err, MS_UNSUPPORTED, "intoto: the manifest names no input with a SHA-256 to be the subject");
	cJSON_AddStringToObject(out, "predicateType", "urn:measure:manifest:v1");
	if (!(copy = cJSON_Duplicate(manifest, 1)))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	cJSON_AddItemToObject(out, "predicate", copy);
	return MS_OK;
}

static enum ms_status kms(const char *platform, const cJSON *ms, cJSON *out, struct ms_err *err)
{
	static const char *const pcrs[] = { "pcr0", "pcr1", "pcr2", "pcr8" };
	cJSON *cond, *eq;

	if (strcmp(platform, "aws-nitro"))
		return ms_fail(err, MS_UNSUPPORTED, "kms: AWS KMS attestation conditions are for aws-nitro, not %s", platform);
	cond = cJSON_AddObjectToObject(out, "Condition");
	eq = cJSON_AddObjectToObject(cond, "StringEqualsIgnoreCase");
	for (size_t i = 0; i < 4; i++) {
		const cJSON *v = get(ms, pcrs[i]);
		char key[48];

		if (!cJSON_IsString(v)) {
			if (i < 3)
				return ms_fail(err, MS_BAD_INPUT, "kms: the manifest has no %s", pcrs[i]);
			continue;
		}
		snprintf(key, sizeof(key), "kms:RecipientAttestation:PCR%c", pcrs[i][3]);
		cJSON_AddStringToObject(eq, key, v->valuestring);
	}
	return MS_OK;
}

static enum ms_status cocos(const char *platform, const cJSON *ms, cJSON *out, struct ms_err *err)
{
	uint8_t buf[64];
	size_t n;
	enum ms_status st;
	char *enc;

	if (!strcmp(platform, "sev-snp")) {
		cJSON *p = cJSON_AddObjectToObject(out, "policy");

		if ((st = measurement_bytes(get(ms, "measurement"), buf, &n, err)))
			return st;
		if (!(enc = b64(buf, n)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		cJSON_AddStringToObject(p, "measurement", enc);
		free(enc);
		return MS_OK;
	}
	if (!strcmp(platform, "tdx")) {
		cJSON *p = cJSON_AddObjectToObject(out, "policy"), *body = cJSON_AddObjectToObject(p, "td_quote_body");
		cJSON *rtmrs = NULL;

		if ((st = measurement_bytes(get(ms, "mrtd"), buf, &n, err)))
			return st;
		if (!(enc = b64(buf, n)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		cJSON_AddStringToObject(body, "mr_td", enc);
		free(enc);
		/* go-tdx-guest's rtmrs is all four or none */
		if (cJSON_IsString(get(ms, "rtmr0")) && cJSON_IsString(get(ms, "rtmr1")) &&
		    cJSON_IsString(get(ms, "rtmr2")) && cJSON_IsString(get(ms, "rtmr3"))) {
			rtmrs = cJSON_AddArrayToObject(body, "rtmrs");
			for (int i = 0; i < 4; i++) {
				char key[8];

				snprintf(key, sizeof(key), "rtmr%d", i);
				if ((st = measurement_bytes(get(ms, key), buf, &n, err)))
					return st;
				if (!(enc = b64(buf, n)))
					return ms_fail(err, MS_NO_MEMORY, "out of memory");
				cJSON_AddItemToArray(rtmrs, cJSON_CreateString(enc));
				free(enc);
			}
		}
		return MS_OK;
	}
	return ms_fail(err, MS_UNSUPPORTED, "cocos: attestation policies are for sev-snp and tdx, not %s", platform);
}

static char *go_sev_guest(const char *platform, const cJSON *ms, struct ms_err *err)
{
	uint8_t buf[64];
	size_t n;
	char *text = NULL, *p;

	if (strcmp(platform, "sev-snp")) {
		ms_fail(err, MS_UNSUPPORTED, "go-sev-guest: check.Config is for sev-snp, not %s", platform);
		return NULL;
	}
	if (measurement_bytes(get(ms, "measurement"), buf, &n, err))
		return NULL;
	if (!(text = malloc(128 + 4 * n))) {
		ms_fail(err, MS_NO_MEMORY, "out of memory");
		return NULL;
	}
	p = text + sprintf(text, "# go-sev-guest check.Config\npolicy {\n  measurement: \"");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "\\x%02x", buf[i]);
	sprintf(p, "\"\n}\n");
	return text;
}

static char *env(const cJSON *ms, const char *prefix, struct ms_err *err)
{
	size_t cap = 1, len = 0;
	char *text;

	for (const cJSON *m = ms->child; m; m = m->next)
		cap += strlen(prefix) + strlen(m->string) + strlen(m->valuestring) + 2;
	if (!(text = malloc(cap))) {
		ms_fail(err, MS_NO_MEMORY, "out of memory");
		return NULL;
	}
	text[0] = '\0';
	for (const cJSON *m = ms->child; m; m = m->next) {
		len += (size_t)sprintf(text + len, "%s", prefix);
		for (const char *k = m->string; *k; k++)
			text[len++] = (char)toupper((unsigned char)*k);
		len += (size_t)sprintf(text + len, "=%s\n", m->valuestring);
	}
	return text;
}

enum ms_status ms_export(const cJSON *manifest, const char *format, const char *env_prefix, char **out,
			 struct ms_err *err)
{
	const cJSON *platform = get(manifest, "platform"), *ms = get(manifest, "measurements");
	cJSON *o = NULL;
	enum ms_status st = MS_OK;

	*out = NULL;
	if (!cJSON_IsString(platform) || !cJSON_IsObject(ms))
		return ms_fail(err, MS_BAD_INPUT, "manifest: no platform or measurements");
	for (const cJSON *m = ms->child; m; m = m->next)
		if (!cJSON_IsString(m) || !m->string)
			return ms_fail(err, MS_BAD_INPUT, "manifest: measurement is not a string");
	if (!strcmp(format, "env")) {
		const char *p = env_prefix ? env_prefix : "EXPECTED_";

		for (const char *c = p; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				return ms_fail(err, MS_USAGE, "env prefix \"%.40s\" is not letters, digits and _", p);
		return (*out = env(ms, p, err)) ? MS_OK : err->status;
	}
	if (!strcmp(format, "go-sev-guest"))
		return (*out = go_sev_guest(platform->valuestring, ms, err)) ? MS_OK : err->status;
	if (!(o = cJSON_CreateObject()))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!strcmp(format, "rvps"))
		st = rvps(platform->valuestring, ms, o, err);
	else if (!strcmp(format, "intoto"))
		st = intoto(manifest, o, err);
	else if (!strcmp(format, "kms"))
		st = kms(platform->valuestring, ms, o, err);
	else if (!strcmp(format, "cocos"))
		st = cocos(platform->valuestring, ms, o, err);
	else
		st = ms_fail(err, MS_USAGE, "unknown format \"%.40s\" (%s)", format, MS_EXPORT_FORMATS);
	if (!st && !(*out = ms_json_format(o)))
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
	cJSON_Delete(o);
	return st;
}
