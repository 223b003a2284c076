/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hex.h"
#include "../common/json_strict.h"
#include "match.h"
#include "tpm.h"

#define MAX_EXPECTED_TEXT (1u << 20)

struct platform {
	const char *name;
	const char *algorithm;
	size_t len;           /* bytes of every measurement */
	const char *launch;   /* the launch measurement's key */
	bool verifiable;      /* compare has a verifier for its evidence */
	const char *keys[12]; /* known keys; aws-nitro: pcr0..pcr31 */
};

static const struct platform platforms[] = {
	{ "aws-nitro", "sha384", 48, "pcr0", true, { NULL } },
	{ "sev-snp", "sha384", 48, "measurement", true, { "measurement", "ovmf_hash", "host_data", NULL } },
	{ "sev-es", "sha256", 32, "measurement", false, { "measurement", NULL } },
	{ "sev", "sha256", 32, "measurement", false, { "measurement", NULL } },
	{ "tdx", "sha384", 48, "mrtd", true,
	  { "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrseam", "mrconfigid", "mrowner", "mrownerconfig", NULL } },
	{ "docker", "sha256", 32, NULL, false, { "manifest_digest", "config_digest", NULL } },
	{ "fly", "sha256", 32, NULL, false, { "manifest_digest", "config_digest", NULL } },
};

static const struct platform *platform_find(const char *name)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (!strcmp(platforms[i].name, name))
			return &platforms[i];
	return NULL;
}

/* The bytes of key on platform p, or 0 when the key is not one of the platform's. */
static size_t key_len(const struct platform *p, const char *key)
{
	if (!strcmp(p->name, "aws-nitro")) {
		char *end;
		long i;

		if (strncmp(key, "pcr", 3) || key[3] < '0' || key[3] > '9' || (key[3] == '0' && key[4]))
			return 0;
		i = strtol(key + 3, &end, 10);
		return *end || i > 31 ? 0 : p->len;
	}
	if (!strcmp(p->name, "sev-snp") && !strcmp(key, "host_data"))
		return 32;
	for (size_t i = 0; p->keys[i]; i++)
		if (!strcmp(p->keys[i], key))
			return p->len;
	return 0;
}

const char *ms_expected_launch_key(const char *platform)
{
	const struct platform *p = platform_find(platform);

	return p ? p->launch : NULL;
}

static enum ms_status bad(struct ms_err *err, enum ms_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum ms_status bad(struct ms_err *err, enum ms_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ms_vfail(err, st, fmt, ap);
	va_end(ap);
	return ms_err_input(err, MS_INPUT_EXPECTED, st);
}

static bool starts(const uint8_t *buf, size_t len, const char *s)
{
	return len >= strlen(s) && !memcmp(buf, s, strlen(s));
}

const char *ms_input_kind(const uint8_t *buf, size_t len)
{
	uint8_t *dec = NULL;
	const uint8_t *data;
	size_t n, i = 0;
	enum ms_evidence_type t = MS_EVIDENCE_UNKNOWN;
	const char *kind = NULL;
	cJSON *j = NULL;

	if (!buf || !len)
		return NULL;
	if (starts(buf, len, ".eif"))
		return "an EIF (a Nitro enclave image file)";
	if (starts(buf, len, "-----BEGIN CERTIFICATE") || starts(buf, len, "-----BEGIN X509 CRL"))
		return starts(buf, len, "-----BEGIN X509 CRL") ? "a PEM CRL" : "a PEM certificate";
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i < len && buf[i] == '{' && !ms_json_parse_strict((const char *)buf, len, "input", &j, NULL)) {
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(j, "schema");
		const cJSON *pol = cJSON_GetObjectItemCaseSensitive(j, "policy");

		if (cJSON_IsString(schema) && !strcmp(schema->valuestring, "measure/v1"))
			kind = "a measure/v1 manifest";
		else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "Measurements")))
			kind = "nitro-cli describe-eif JSON";
		else if (cJSON_IsObject(pol) || cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "td_quote_body")))
			kind = "an attestation policy";
		cJSON_Delete(j);
		if (kind)
			return kind;
	}
	if (!ms_evidence_open(buf, len, MS_EVIDENCE_UNKNOWN, &dec, &data, &n, &t, NULL)) {
		free(dec);
		return t == MS_EVIDENCE_NITRO ? "a Nitro attestation document (evidence)"
		       : t == MS_EVIDENCE_SNP ? "an SNP attestation report (evidence)"
		       : t == MS_EVIDENCE_MAA ? "an MAA token (evidence)"
		       : t == MS_EVIDENCE_AZURE_VTPM ? "Azure vTPM evidence (evidence)"
					      : "a TDX quote (evidence)";
	}
	return NULL;
}

/* A hex value of exactly want bytes (0x and upper case accepted) into out. */
static bool hex_value(const char *s, uint8_t *out, size_t want)
{
	size_t n = strlen(s) - (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 2 : 0);

	return n == 2 * want && !ms_hex_decode(s, out, want, "value", NULL);
}

static enum ms_status add_value(struct ms_expected *x, const char *what, const char *key, const uint8_t *v,
				size_t len, struct ms_err *err)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->m[i].name, key) && (!x->observed || !memcmp(x->m[i].value, v, len)))
			return bad(err, MS_BAD_INPUT, "%s: %s given twice", what, key);
	if (x->n == MS_EXPECTED_MAX || strlen(key) >= sizeof(x->m[0].name) || len > sizeof(x->m[0].value))
		return bad(err, MS_BAD_INPUT, "%s: too many values", what);
	snprintf(x->m[x->n].name, sizeof(x->m[0].name), "%s", key);
	memcpy(x->m[x->n].value, v, len);
	x->m[x->n].len = len;
	x->n++;
	return MS_OK;
}

static enum ms_status parse_manifest(const cJSON *j, struct ms_expected *x, struct ms_err *err)
{
	static const char *const top[] = { "schema", "platform", "algorithm", "measurements", "parameters", "inputs", "tool",
					   "observed" };
	const cJSON *observed = cJSON_GetObjectItemCaseSensitive(j, "observed");
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(j, "schema");
	const cJSON *platform = cJSON_GetObjectItemCaseSensitive(j, "platform");
	const cJSON *alg = cJSON_GetObjectItemCaseSensitive(j, "algorithm");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "measurements");
	const struct platform *p;
	enum ms_status st;

	if (!cJSON_IsString(schema))
		return bad(err, MS_BAD_INPUT, "manifest: \"schema\" is not a string");
	if (strcmp(schema->valuestring, "measure/v1"))
		return bad(err, MS_UNSUPPORTED, "manifest: schema \"%.40s\" is not supported (measure/v1 is)",
			   schema->valuestring);
	for (const cJSON *k = j->child; k; k = k->next) {
		size_t i = 0;

		while (i < sizeof(top) / sizeof(top[0]) && strcmp(top[i], k->string))
			i++;
		if (i == sizeof(top) / sizeof(top[0]))
			return bad(err, MS_BAD_INPUT, "manifest: unknown field \"%.40s\"", k->string);
	}
	if (!cJSON_IsString(platform))
		return bad(err, MS_BAD_INPUT, "manifest: \"platform\" is missing or not a string");
	if (!(p = platform_find(platform->valuestring)))
		return bad(err, MS_BAD_INPUT,
			   "manifest: platform \"%.40s\" is unknown (aws-nitro, sev-snp, sev-es, sev, tdx, docker, fly)",
			   platform->valuestring);
	snprintf(x->platform, sizeof(x->platform), "%s", p->name);
	if (alg && (!cJSON_IsString(alg) || strcmp(alg->valuestring, p->algorithm)))
		return bad(err, MS_BAD_INPUT, "manifest: algorithm of %s is \"%s\"", p->name, p->algorithm);
	if ((cJSON_GetObjectItemCaseSensitive(j, "parameters") && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "parameters"))) ||
	    (cJSON_GetObjectItemCaseSensitive(j, "inputs") && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "inputs"))) ||
	    (cJSON_GetObjectItemCaseSensitive(j, "tool") && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "tool"))))
		return bad(err, MS_BAD_INPUT, "manifest: \"parameters\" and \"tool\" are objects, \"inputs\" an array");
	if (observed && !cJSON_IsBool(observed))
		return bad(err, MS_BAD_INPUT, "manifest: \"observed\" is not true or false");
	x->observed = cJSON_IsTrue(observed);
	if (!cJSON_IsObject(ms))
		return bad(err, MS_BAD_INPUT, "manifest: \"measurements\" is missing or not an object");
	if (!ms->child)
		return bad(err, MS_BAD_INPUT, "manifest: \"measurements\" is empty: nothing to compare");
	for (const cJSON *m = ms->child; m; m = m->next) {
		size_t want = key_len(p, m->string);
		uint8_t v[64];
		/* an observed allow-list may hold several values of one key */
		const cJSON *one = x->observed && cJSON_IsArray(m) ? m->child : m;

		if (!want)
			return bad(err, MS_BAD_INPUT, "manifest: measurements.%.40s is not a %s measurement", m->string, p->name);
		if (!one)
			return bad(err, MS_BAD_INPUT, "manifest: measurements.%s is an empty allow-list", m->string);
		for (; one; one = one == m ? NULL : one->next) {
			if (!cJSON_IsString(one) || !hex_value(one->valuestring, v, want))
				return bad(err, MS_BAD_INPUT, "manifest: measurements.%s is not %zu bytes of hex (%zu digits)%s", m->string,
					   want, 2 * want, x->observed ? " or a list of them" : "");
			if ((st = add_value(x, "manifest", m->string, v, want, err)))
				return st;
		}
	}
	x->source = MS_EXPECTED_MANIFEST;
	return MS_OK;
}

/* nitro-cli describe-eif (or build-enclave) output: Measurements {HashAlgorithm, PCR0, PCR1, PCR2, PCR8}. */
static enum ms_status parse_nitro_cli(const cJSON *ms, struct ms_expected *x, struct ms_err *err)
{
	const cJSON *alg = cJSON_GetObjectItemCaseSensitive(ms, "HashAlgorithm");
	enum ms_status st;

	if (!cJSON_IsString(alg) || (strcmp(alg->valuestring, "Sha384 { ... }") && strcmp(alg->valuestring, "Sha384") &&
				     strcmp(alg->valuestring, "Sha512_48 { .. }")))
		return bad(err, MS_BAD_INPUT, "nitro-cli JSON: Measurements.HashAlgorithm is not Sha384");
	snprintf(x->platform, sizeof(x->platform), "aws-nitro");
	for (const cJSON *m = ms->child; m; m = m->next) {
		char key[16];
		uint8_t v[48];
		char *end;
		long i;

		if (m == alg)
			continue;
		i = strncmp(m->string, "PCR", 3) || m->string[3] < '0' || m->string[3] > '9' ? -1 : strtol(m->string + 3, &end, 10);
		if (i < 0 || i > 31 || *end || (m->string[3] == '0' && m->string[4]))
			return bad(err, MS_BAD_INPUT, "nitro-cli JSON: Measurements.%.40s is not a PCR", m->string);
		if (!cJSON_IsString(m) || !hex_value(m->valuestring, v, 48))
			return bad(err, MS_BAD_INPUT, "nitro-cli JSON: Measurements.%s is not 48 bytes of hex (96 digits)",
				   m->string);
		snprintf(key, sizeof(key), "pcr%ld", i);
		if ((st = add_value(x, "nitro-cli JSON", key, v, 48, err)))
			return st;
	}
	if (!x->n)
		return bad(err, MS_BAD_INPUT, "nitro-cli JSON: Measurements holds no PCR");
	x->source = MS_EXPECTED_NITRO_CLI;
	return MS_OK;
}

/* A Cocos policy: policy.measurement (SNP, base64 of 48 bytes) or td_quote_body.mr_td (TDX). */
static enum ms_status parse_cocos(const cJSON *j, struct ms_expected *x, struct ms_err *err)
{
	const cJSON *snp = cJSON_GetObjectItemCaseSensitive(j, "policy");
	const cJSON *tdx = cJSON_GetObjectItemCaseSensitive(j, "td_quote_body");
	const cJSON *v = cJSON_IsObject(snp) ? cJSON_GetObjectItemCaseSensitive(snp, "measurement")
					     : cJSON_GetObjectItemCaseSensitive(tdx, "mr_td");
	const char *field = cJSON_IsObject(snp) ? "policy.measurement" : "td_quote_body.mr_td";
	uint8_t *bytes = NULL;
	size_t n = 0;
	enum ms_status st;

	if (!v)
		return bad(err, MS_BAD_INPUT, "an attestation policy without %s carries no expected values (give it as the policy)",
			   field);
	if (!cJSON_IsString(v) || ms_base64_decode(v->valuestring, strlen(v->valuestring), &bytes, &n, field, NULL) ||
	    n != 48) {
		free(bytes);
		return bad(err, MS_BAD_INPUT, "policy: %s is not base64 of 48 bytes", field);
	}
	snprintf(x->platform, sizeof(x->platform), "%s", cJSON_IsObject(snp) ? "sev-snp" : "tdx");
	st = add_value(x, "policy", cJSON_IsObject(snp) ? "measurement" : "mrtd", bytes, 48, err);
	free(bytes);
	x->source = MS_EXPECTED_COCOS;
	return st;
}

enum ms_status ms_expected_parse(const char *text, size_t len, struct ms_expected *out, struct ms_err *err)
{
	const uint8_t *b = (const uint8_t *)text;
	const char *kind;
	cJSON *j = NULL;
	enum ms_status st;

	memset(out, 0, sizeof(*out));
	if (len > MAX_EXPECTED_TEXT)
		return bad(err, MS_BAD_INPUT, "larger than %u bytes: not expected values", MAX_EXPECTED_TEXT);
	kind = ms_input_kind(b, len);
	if (kind && strstr(kind, "(evidence)"))
		return bad(err, MS_BAD_INPUT, "looks like %s, not expected values: EXPECTED comes first, then EVIDENCE", kind);
	if (kind && (!strncmp(kind, "an EIF", 6) || !strncmp(kind, "a PEM", 5)))
		return bad(err, MS_BAD_INPUT, "looks like %s, not expected values (a measure/v1 manifest, nitro-cli JSON or a Cocos policy)",
			   kind);
	{
		size_t i = 0;

		while (i < len && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
			i++;
		if (i == len || b[i] != '{')
			return bad(err, MS_BAD_INPUT, "not a measure/v1 manifest, nitro-cli JSON or a Cocos policy (no JSON object)");
	}
	if ((st = ms_json_parse_strict(text, len, "expected values", &j, err))) {
		ms_err_input(err, MS_INPUT_EXPECTED, st);
		goto out;
	}
	if (!cJSON_IsObject(j)) {
		st = bad(err, MS_BAD_INPUT, "not a JSON object: not a measure/v1 manifest");
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(j, "schema"))
		st = parse_manifest(j, out, err);
	else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "Measurements")))
		st = parse_nitro_cli(cJSON_GetObjectItemCaseSensitive(j, "Measurements"), out, err);
	else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "policy")) ||
		 cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "td_quote_body")))
		st = parse_cocos(j, out, err);
	else
		st = bad(err, MS_BAD_INPUT,
			 "not a measure/v1 manifest (as measure eif, snp and tdx write it), nitro-cli JSON or a Cocos policy");
out:
	cJSON_Delete(j);
	if (st)
		memset(out, 0, sizeof(*out));
	return st;
}

static const uint8_t *expected_value(const struct ms_expected *x, const char *name, size_t *len)
{
	for (size_t i = 0; x && i < x->n; i++)
		if (!strcmp(x->m[i].name, name)) {
			*len = x->m[i].len;
			return x->m[i].value;
		}
	return NULL;
}

enum ms_status ms_expected_require_launch(const struct ms_expected *x, bool allow_partial, struct ms_err *err)
{
	const char *launch = ms_expected_launch_key(x->platform);
	size_t len;

	if (allow_partial || !launch || expected_value(x, launch, &len))
		return MS_OK;
	return bad(err, MS_BAD_INPUT,
		   "pins no %s (the launch measurement): a partial manifest would accept any %s; partial "
		   "expected values must be allowed explicitly",
		   launch, !strcmp(launch, "pcr0") ? "enclave image" : "firmware and launch state");
}

/* One value: equal, or both full values and the first differing byte. */
static bool compare_value(struct ms_checks *c, const char *what, const uint8_t *want, size_t want_len,
			  const uint8_t *have, size_t have_len)
{
	char *a = ms_hex_alloc(want, want_len), *b = ms_hex_alloc(have, have_len);
	size_t i = 0;
	bool eq = want_len == have_len && !memcmp(want, have, want_len);

	while (i < want_len && i < have_len && want[i] == have[i])
		i++;
	if (!a || !b)
		c->failed = true;
	else
		ms_check_add_state(c, eq ? MS_CHECK_PASS : MS_CHECK_FAIL, eq ? -1 : (long)i, what, a, b);
	free(a);
	free(b);
	return eq;
}

/* An observed allow-list: the evidence's value must be one of the values seen; never called recomputed. */
static bool observed_value(struct ms_checks *c, const struct ms_expected *x, const char *name, const uint8_t *have,
			   size_t have_len)
{
	char what[64], want[64];
	size_t n = 0;
	bool found = false;
	char *b = ms_hex_alloc(have, have_len);

	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->m[i].name, name)) {
			n++;
			found |= x->m[i].len == have_len && !memcmp(x->m[i].value, have, have_len);
		}
	snprintf(what, sizeof(what), "%s (observed, not recomputed)", name);
	snprintf(want, sizeof(want), "one of %zu observed value%s", n, n == 1 ? "" : "s");
	if (!b)
		c->failed = true;
	else
		ms_check_add(c, found, what, want, b);
	free(b);
	return found;
}

static enum ms_status check_nonce(const struct ms_evidence *ev, const struct ms_match_options *o,
				  struct ms_checks *c, struct ms_err *err)
{
	bool nitro = ev->type == MS_EVIDENCE_NITRO;

	if (nitro) {
		if (!ev->freshness_len) {
			char *a = ms_hex_alloc(o->nonce, o->nonce_len);

			ms_check_add(c, false, "nonce", a ? a : "?", "(the document has no nonce)");
			free(a);
			return MS_MISMATCH;
		}
		return compare_value(c, "nonce", o->nonce, o->nonce_len, ev->freshness, ev->freshness_len) ? MS_OK
													    : MS_MISMATCH;
	}
	if (o->nonce_len > MS_REPORT_DATA_LEN ||
	    (o->nonce_len != MS_REPORT_DATA_LEN && (!o->report_data_prefix || o->nonce_len < MS_NONCE_PREFIX_MIN)))
		return ms_fail(err, MS_USAGE,
			       "the nonce is %zu bytes: %s is %d bytes; a prefix of %d to %d bytes must be asked for explicitly",
			       o->nonce_len, ev->type == MS_EVIDENCE_SNP ? "REPORT_DATA" : "REPORTDATA", MS_REPORT_DATA_LEN,
			       MS_NONCE_PREFIX_MIN, MS_REPORT_DATA_LEN);
	return compare_value(c, o->nonce_len == MS_REPORT_DATA_LEN ? "report data" : "report data (prefix)", o->nonce,
			     o->nonce_len, ev->freshness, o->nonce_len < ev->freshness_len ? o->nonce_len : ev->freshness_len)
		       ? MS_OK
		       : MS_MISMATCH;
}

enum ms_status ms_match(const struct ms_expected *x, const struct ms_evidence *ev, const struct ms_match_options *o,
			struct ms_checks *c, struct ms_err *err)
{
	static const struct ms_match_options none = { 0 };
	const struct platform *p = x ? platform_find(x->platform) : NULL;
	bool mismatch = false;
	size_t failed_before = c->n, compared = 0;
	enum ms_status st;

	if (!o)
		o = &none;
	if (o->policy && ev->type == MS_EVIDENCE_NITRO)
		return ms_err_input(err, MS_INPUT_POLICY,
				    ms_fail(err, MS_UNSUPPORTED, "a policy applies to SNP and TDX evidence, not to a Nitro attestation document"));
	if (!x && !o->policy)
		return ms_fail(err, MS_USAGE, "nothing to compare: neither expected values nor a policy");
	if (x && !p)
		return bad(err, MS_BAD_INPUT, "platform \"%s\" is unknown", x->platform);
	if (x && !p->verifiable)
		return bad(err, MS_UNSUPPORTED, "no attestation evidence carries %s measurements: only aws-nitro, sev-snp and tdx are compared",
			   x->platform);
	if (x && strcmp(x->platform, ev->platform)) {
		ms_check_add(c, false, "platform", x->platform, ev->platform);
		mismatch = true;
	} else if (x) {
		if ((st = ms_expected_require_launch(x, o->allow_partial, err)))
			return st;
		ms_check_add(c, true, "platform", x->platform, ev->platform);
		for (size_t i = 0; i < x->n; i++) {
			unsigned k = 0;
			bool seen = false;

			for (size_t e = 0; e < i; e++)
				seen |= !strcmp(x->m[e].name, x->m[i].name);
			if (seen) /* an observed key's further values: judged with its first */
				continue;
			while (k < ev->nm && strcmp(ev->m[k].name, x->m[i].name))
				k++;
			if (x->observed && k < ev->nm) {
				mismatch |= !observed_value(c, x, x->m[i].name, ev->m[k].value, ev->m[k].len);
				compared++;
				continue;
			}
			if (k == ev->nm && !strcmp(x->m[i].name, "ovmf_hash")) {
				char *a = ms_hex_alloc(x->m[i].value, x->m[i].len);

				ms_check_add_state(c, MS_CHECK_NOT_CHECKED, -1, "ovmf_hash", a ? a : "?",
						   "not reported: an input to the launch digest");
				free(a);
			} else if (k == ev->nm) {
				char *a = ms_hex_alloc(x->m[i].value, x->m[i].len);

				ms_check_add(c, false, x->m[i].name, a ? a : "?", "absent from the evidence");
				free(a);
				mismatch = true;
				compared++;
			} else {
				mismatch |= !compare_value(c, x->m[i].name, x->m[i].value, x->m[i].len, ev->m[k].value,
							   ev->m[k].len);
				compared++;
			}
		}
		for (unsigned k = 0; k < ev->nm; k++) {
			size_t len;
			char *b;

			if (expected_value(x, ev->m[k].name, &len))
				continue;
			b = ms_hex_alloc(ev->m[k].value, ev->m[k].len);
			ms_check_add_state(c, MS_CHECK_NOT_CHECKED, -1, ev->m[k].name, "(not pinned)", b ? b : "?");
			free(b);
		}
		/* partial may be allowed; nothing at all compared is never a verdict */
		if (!compared)
			return ms_err_input(err, MS_INPUT_EXPECTED,
					    ms_fail(err, MS_BAD_INPUT, "the expected values compare nothing this evidence reports"));
	} else {
		/* a policy alone is held to what a manifest is: the launch measurement pinned, the rest listed */
		/* an MAA token's claims are judged as the report or quote they stand for */
		enum ms_evidence_type kind = ms_evidence_report_type(ev);
		const char *launch = kind == MS_EVIDENCE_SNP ? "measurement" : "mrtd";

		if (!o->allow_partial && !ms_policy_pins(o->policy, kind, launch))
			return ms_err_input(err, MS_INPUT_POLICY,
					    ms_fail(err, MS_BAD_INPUT,
						    "the policy pins no launch measurement (%s), so it would pass any %s; refused unless partial expected values are allowed",
						    kind == MS_EVIDENCE_SNP ? "policy.measurement" : "td_quote_body.mr_td or any_mr_td",
						    kind == MS_EVIDENCE_SNP ? "guest" : "TD"));
		for (unsigned k = 0; k < ev->nm; k++) {
			char *b;

			if (ms_policy_pins(o->policy, kind, ev->m[k].name))
				continue;
			b = ms_hex_alloc(ev->m[k].value, ev->m[k].len);
			ms_check_add_state(c, MS_CHECK_NOT_CHECKED, -1, ev->m[k].name, "(not pinned by the policy)", b ? b : "?");
			free(b);
		}
	}
	if (ev->debug) {
		bool allowed = o->allow_debug && ev->type != MS_EVIDENCE_NITRO;

		ms_check_add(c, allowed, "debug", allowed ? "allowed (debug explicitly permitted)" : "not a debug guest",
			     ev->debug_why);
		mismatch |= !allowed;
	}
	if (o->nonce) {
		if ((st = check_nonce(ev, o, c, err)) && st != MS_MISMATCH)
			return st;
		mismatch |= st == MS_MISMATCH;
	}
	if (o->policy) {
		st = ms_policy_apply(o->policy, ev, c, err);
		if (st && st != MS_MISMATCH)
			return ms_err_input(err, err && err->input ? err->input : MS_INPUT_POLICY, st);
		mismatch |= st == MS_MISMATCH;
	}
	/* a verified vTPM quote whose PCRs nothing pins is listed, never taken for a pass */
	if (ev->tpm && ev->tpm->verified && !ms_policy_pins_pcrs(o->policy)) {
		char found[64];
		unsigned n = 0;

		for (unsigned b = 0; b < ev->tpm->pcrs.nbanks; b++)
			n += (unsigned)__builtin_popcount(ev->tpm->pcrs.bank[b].present);
		snprintf(found, sizeof(found), "%u PCR values quoted", n);
		ms_check_add_state(c, MS_CHECK_NOT_CHECKED, -1, "vTPM PCRs", "(not pinned: no pcr_values)", found);
	}
	/* Intel's TCB status, judged whenever collateral was given. A policy file's TCB rules replace the
	   UpToDate-only default; options given beside them add their own rules, and options that name no
	   status (only a date) leave the statuses to the policy. */
	if (!(ms_policy_judges_tcb(o->policy) && !(o->tcb && (o->tcb->accept_mask || o->tcb->has_min_date)))) {
		static const struct ms_tcb_policy up_to_date_only = { 0 };
		struct ms_tcb_policy options = o->tcb ? *o->tcb : up_to_date_only;

		if (ms_policy_judges_tcb(o->policy) && !options.accept_mask)
			options.accept_mask = (1u << MS_TCB_STATUS_COUNT) - 1;
		st = ms_tcb_policy_apply(ev, &options, c, err);
		if (st && st != MS_MISMATCH)
			return st;
		mismatch |= st == MS_MISMATCH;
	}
	if (c->failed)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (mismatch) {
		size_t n = 0;

		for (size_t i = failed_before; i < c->n; i++)
			n += c->v[i].state == MS_CHECK_FAIL;
		return ms_fail(err, MS_MISMATCH, "%zu check%s failed", n, n == 1 ? "" : "s");
	}
	return MS_OK;
}

/* How serious an outcome is, from its exit code: 3 > 4 > 5 > 2 > 1 > 0 (match.h says why). */
static int rank(enum ms_status s)
{
	static const int by_exit_code[6] = { 0, 1, 2, 5, 4, 3 };
	int code = ms_exit_code(s);

	return code >= 0 && code < 6 ? by_exit_code[code] : 2;
}

enum ms_status ms_status_worst(enum ms_status a, enum ms_status b)
{
	/* within one rank (bad input, usage, no memory: all exit 2) the lower enum value, so order never matters */
	if (rank(a) != rank(b))
		return rank(a) > rank(b) ? a : b;
	return a < b ? a : b;
}
