/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attestation policies: the Cocos / go-sev-guest check.Config JSON for SEV-SNP
 * ({"policy":{...},"root_of_trust":{...},"pcr_values":{...}}) and the
 * go-tdx-guest checkconfig JSON for TDX ({"policy":{"header":{...},
 * "td_quote_body":{...}},"root_of_trust":{...}}, or header and td_quote_body
 * at the top level). Both are protojson: bytes are base64, integers numbers or
 * strings of digits, and every field may be spelled snake_case or lowerCamelCase.
 *
 * A policy is checked whole before any rule is judged: a field of the wrong
 * type or range is MS_BAD_INPUT naming its path, a field this code does not
 * judge is MS_UNSUPPORTED (never silently ignored), so a verdict is never
 * partial. Rules then read the decoded report or quote (abi.h) only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/hex.h"
#include "../common/json_strict.h"
#include "../common/rfc3339.h"
#include "evidence.h"
#include "tpm.h"

#define POLICY_MAX_BYTES 64 /* the longest bytes field (REPORT_DATA, CHIP_ID) */

enum kind {
	K_BOOL,
	K_UINT,       /* an integer 0..max (protojson: a number or a string of digits) */
	K_BYTES,      /* base64 of exactly n bytes */
	K_BYTES_LIST, /* an array of K_BYTES (n bytes each), exactly count long when count is set */
	K_VERSION,    /* "MAJOR.MINOR", each 0-255 */
	K_STRING,
	K_OBJECT,     /* fields in sub */
	K_ENUM_PRODUCT, /* go-sev-guest SevProductName: 1-3 or SEV_PRODUCT_MILAN/GENOA/TURIN */
	K_PCRS,       /* Cocos pcr_values: {"sha256": {"0": "hex", ...}, ...} */
	K_REFUSED,    /* a known field this code does not judge: only its empty value is accepted */
	K_TCB_STATUSES, /* measure's own: a non-empty list of Intel TCB status names */
	K_TIME,       /* measure's own: an RFC 3339 date-time */
};

struct field {
	const char *name; /* snake_case; lowerCamelCase is accepted too */
	enum kind kind;
	uint64_t max;     /* K_UINT: the largest value; K_BYTES/K_BYTES_LIST: the length */
	const struct field *sub; /* K_OBJECT, terminated by a NULL name */
	size_t count;     /* K_BYTES_LIST: the exact element count, 0 for any */
};

static const struct field snp_product[] = {
	{ "name", K_ENUM_PRODUCT },
	{ "machine_stepping", K_REFUSED },
	{ NULL },
};

/* go-sev-guest check.Policy */
static const struct field snp_policy[] = {
	{ "minimum_guest_svn", K_UINT, UINT32_MAX },
	{ "policy", K_UINT, UINT64_MAX },
	{ "family_id", K_BYTES, 16 },
	{ "image_id", K_BYTES, 16 },
	{ "vmpl", K_UINT, 3 },
	{ "minimum_tcb", K_UINT, UINT64_MAX },
	{ "minimum_launch_tcb", K_UINT, UINT64_MAX },
	{ "platform_info", K_UINT, UINT64_MAX },
	{ "require_author_key", K_BOOL },
	{ "report_data", K_BYTES, 64 },
	{ "measurement", K_BYTES, 48 },
	{ "host_data", K_BYTES, 32 },
	{ "report_id", K_BYTES, 32 },
	{ "report_id_ma", K_BYTES, 32 },
	{ "chip_id", K_BYTES, 64 },
	{ "minimum_build", K_UINT, 255 },
	{ "minimum_version", K_VERSION },
	{ "permit_provisional_firmware", K_BOOL },
	{ "require_id_block", K_BOOL },
	{ "trusted_author_keys", K_REFUSED },
	{ "trusted_author_key_hashes", K_BYTES_LIST, 48 },
	{ "trusted_id_keys", K_REFUSED },
	{ "trusted_id_key_hashes", K_BYTES_LIST, 48 },
	{ "product", K_OBJECT, 0, snp_product },
	{ NULL },
};

/* go-sev-guest check.RootOfTrust */
static const struct field snp_root[] = {
	{ "product", K_STRING },
	{ "product_line", K_STRING },
	{ "check_crl", K_BOOL },
	{ "disallow_network", K_BOOL }, /* measure never uses the network: either value is met */
	{ "cabundle_paths", K_REFUSED },
	{ "cabundles", K_REFUSED },
	{ NULL },
};

/* go-tdx-guest checkconfig.HeaderPolicy */
static const struct field tdx_header[] = {
	{ "minimum_qe_svn", K_UINT, UINT16_MAX },
	{ "minimum_pce_svn", K_UINT, UINT16_MAX },
	{ "qe_vendor_id", K_BYTES, 16 },
	{ NULL },
};

/* go-tdx-guest checkconfig.TDQuoteBodyPolicy */
static const struct field tdx_body[] = {
	{ "minimum_tee_tcb_svn", K_BYTES, 16 },
	{ "mr_seam", K_BYTES, 48 },
	{ "td_attributes", K_BYTES, 8 },
	{ "xfam", K_BYTES, 8 },
	{ "mr_td", K_BYTES, 48 },
	{ "mr_config_id", K_BYTES, 48 },
	{ "mr_owner", K_BYTES, 48 },
	{ "mr_owner_config", K_BYTES, 48 },
	{ "rtmrs", K_BYTES_LIST, 48, NULL, 4 },
	{ "report_data", K_BYTES, 64 },
	{ "any_mr_td", K_BYTES_LIST, 48 },
	{ "tdattributes_debug", K_BOOL },
	{ NULL },
};

/* go-tdx-guest checkconfig.Policy; measure's own layout puts these two at the top level */
static const struct field tdx_policy[] = {
	{ "header", K_OBJECT, 0, tdx_header },
	{ "header_policy", K_OBJECT, 0, tdx_header },
	{ "td_quote_body", K_OBJECT, 0, tdx_body },
	{ "td_quote_body_policy", K_OBJECT, 0, tdx_body },
	{ NULL },
};

/* go-tdx-guest checkconfig.RootOfTrust */
static const struct field tdx_root[] = {
	{ "check_crl", K_BOOL },
	{ "get_collateral", K_REFUSED }, /* TCB info and QE identity are not judged offline */
	{ "cabundle_paths", K_REFUSED },
	{ "cabundles", K_REFUSED },
	{ NULL },
};

static const struct field snp_top[] = {
	{ "policy", K_OBJECT, 0, snp_policy },
	{ "root_of_trust", K_OBJECT, 0, snp_root },
	{ "pcr_values", K_PCRS },
	{ NULL },
};

static const struct field tdx_top[] = {
	{ "policy", K_OBJECT, 0, tdx_policy },
	/* measure's own: the TCB status Intel's collateral gives (compare --tcb-info, --qe-identity) */
	{ "accept_tcb_status", K_TCB_STATUSES },
	{ "min_tcb_date", K_TIME },
	{ "root_of_trust", K_OBJECT, 0, tdx_root },
	{ "header", K_OBJECT, 0, tdx_header },
	{ "header_policy", K_OBJECT, 0, tdx_header },
	{ "td_quote_body", K_OBJECT, 0, tdx_body },
	{ "td_quote_body_policy", K_OBJECT, 0, tdx_body },
	{ "pcr_values", K_PCRS },
	{ NULL },
};

/* key is snake, or snake in lowerCamelCase (protojson's JSON name). */
static bool spelled(const char *key, const char *snake)
{
	if (!key)
		return false;
	if (!strcmp(key, snake))
		return true;
	for (; *snake; snake++, key++) {
		if (*snake == '_') {
			snake++;
			if (*snake < 'a' || *snake > 'z' || *key != *snake - 'a' + 'A')
				return false;
		} else if (*key != *snake) {
			return false;
		}
	}
	return *key == '\0';
}

static const cJSON *get(const cJSON *obj, const char *snake)
{
	for (const cJSON *f = obj ? obj->child : NULL; f; f = f->next)
		if (spelled(f->string, snake))
			return f;
	return NULL;
}

/* path + "." + key, for messages */
static void join(char *out, size_t cap, const char *path, const char *key)
{
	snprintf(out, cap, "%s%s%.64s", path, *path ? "." : "", key);
}

static bool base64_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '+' ||
		      *s == '/' || *s == '-' || *s == '_' || *s == '='))
			return false;
	return true;
}

/* A protojson bytes value (standard or URL-safe base64, padding optional) of exactly n bytes into out. */
static bool bytes_of(const cJSON *f, size_t n, uint8_t *out)
{
	char *s = NULL;
	uint8_t *dec = NULL;
	size_t len = 0;
	bool ok = false;

	if (!cJSON_IsString(f) || !f->valuestring || !base64_chars(f->valuestring))
		goto out;
	s = strdup(f->valuestring);
	if (!s)
		goto out;
	for (char *p = s; *p; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	if (ms_base64_decode(s, strlen(s), &dec, &len, "policy", NULL) || len != n)
		goto out;
	if (out)
		memcpy(out, dec, n);
	ok = true;
out:
	free(s);
	free(dec);
	return ok;
}

static bool version_of(const cJSON *f, unsigned *maj, unsigned *min)
{
	const char *s;
	unsigned v[2] = { 0, 0 };
	int part = 0, digits = 0;

	if (!cJSON_IsString(f) || !f->valuestring)
		return false;
	for (s = f->valuestring;; s++) {
		if (*s >= '0' && *s <= '9') {
			v[part] = v[part] * 10 + (unsigned)(*s - '0');
			if (++digits > 3 || v[part] > 255)
				return false;
		} else if (*s == '.' && part == 0 && digits) {
			part = 1;
			digits = 0;
		} else if (*s == '\0' && part == 1 && digits) {
			break;
		} else {
			return false;
		}
	}
	*maj = v[0];
	*min = v[1];
	return true;
}

static int product_of(const cJSON *f)
{
	static const char *const names[] = { NULL, "SEV_PRODUCT_MILAN", "SEV_PRODUCT_GENOA", "SEV_PRODUCT_TURIN" };
	uint64_t v;

	if (ms_json_u64(f, false, 3, &v))
		return v ? (int)v : -1;
	for (int i = 1; i < 4 && cJSON_IsString(f); i++)
		if (!strcmp(f->valuestring, names[i]))
			return i;
	return -1;
}

static bool refused_value_is_empty(const cJSON *f)
{
	return cJSON_IsFalse(f) || (cJSON_IsArray(f) && !f->child) ||
	       (cJSON_IsString(f) && f->valuestring && !f->valuestring[0]);
}

/* Cocos pcr_values: an object of algorithm -> object of PCR index -> hex digest. */
static enum ms_status check_pcrs(const cJSON *f, const char *path, struct ms_err *err)
{
	static const struct {
		const char *alg;
		size_t n;
	} algs[] = { { "sha1", 20 }, { "sha256", 32 }, { "sha384", 48 }, { "sha512", 64 } };

	if (!cJSON_IsObject(f))
		return ms_fail(err, MS_BAD_INPUT, "policy: %s is not an object", path);
	for (const cJSON *a = f->child; a; a = a->next) {
		size_t k;

		for (k = 0; k < 4 && strcmp(a->string, algs[k].alg); k++)
			;
		if (k == 4)
			return ms_fail(err, MS_UNSUPPORTED, "policy: %s.%.32s is not a known PCR bank", path, a->string);
		if (!cJSON_IsObject(a))
			return ms_fail(err, MS_BAD_INPUT, "policy: %s.%s is not an object", path, a->string);
		for (const cJSON *p = a->child; p; p = p->next) {
			uint8_t d[64];
			char *end;
			unsigned long i = strtoul(p->string, &end, 10);

			if (!*p->string || *end || i > 23 || p->string[0] < '0' || p->string[0] > '9' ||
			    (p->string[0] == '0' && p->string[1]))
				return ms_fail(err, MS_BAD_INPUT, "policy: %s.%s.%.16s is not a PCR index 0-23", path, a->string,
					       p->string);
			if (!cJSON_IsString(p) || strlen(p->valuestring) != 2 * algs[k].n ||
			    ms_hex_decode(p->valuestring, d, algs[k].n, "pcr", NULL))
				return ms_fail(err, MS_BAD_INPUT, "policy: %s.%s.%s is not %zu bytes of hex", path, a->string,
					       p->string, algs[k].n);
		}
	}
	return MS_OK;
}

/* Checks every member of obj against table: spelling, type and range; unknown members refused. */
static enum ms_status validate(const cJSON *obj, const struct field *table, const char *path, struct ms_err *err)
{
	const cJSON *seen[32] = { NULL };
	char where[256];
	enum ms_status st = MS_OK;

	if (!cJSON_IsObject(obj))
		return ms_fail(err, MS_BAD_INPUT, "policy: %s is not an object", *path ? path : "the policy");
	for (const cJSON *f = obj->child; f && !st; f = f->next) {
		const struct field *d;
		size_t i;
		uint64_t v;

		for (i = 0; table[i].name && !spelled(f->string, table[i].name); i++)
			;
		join(where, sizeof(where), path, f->string);
		if (!table[i].name) {
			char label[48];
			size_t o = 0;

			for (const char *s = f->string; *s && o + 1 < sizeof(label); s++)
				label[o++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
			label[o] = '\0';
			join(where, sizeof(where), path, label);
			return ms_fail(err, MS_UNSUPPORTED,
				       "policy: field \"%s\" is not supported (at %s): refusing rather than ignoring it", label, where);
		}
		d = &table[i];
		if (seen[i])
			return ms_fail(err, MS_BAD_INPUT, "policy: %s is given twice (as \"%s\" and \"%s\")", where,
				       seen[i]->string, f->string);
		seen[i] = f;
		switch (d->kind) {
		case K_BOOL:
			if (!cJSON_IsBool(f))
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not true or false", where);
			break;
		case K_UINT:
			if (!ms_json_u64(f, true, d->max, &v))
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not an integer 0-%llu", where,
					     (unsigned long long)d->max);
			break;
		case K_BYTES:
			if (!bytes_of(f, d->max, NULL))
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not base64 of exactly %llu bytes", where,
					     (unsigned long long)d->max);
			break;
		case K_BYTES_LIST: {
			size_t n = 0;

			if (!cJSON_IsArray(f)) {
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not a list", where);
				break;
			}
			for (const cJSON *e = f->child; e && !st; e = e->next, n++)
				if (!bytes_of(e, d->max, NULL))
					st = ms_fail(err, MS_BAD_INPUT, "policy: %s[%zu] is not base64 of exactly %llu bytes", where,
						     n, (unsigned long long)d->max);
			if (!st && d->count && n != d->count)
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s has %zu entries, not %zu", where, n, d->count);
			break;
		}
		case K_VERSION: {
			unsigned a, b;

			if (!version_of(f, &a, &b))
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not \"MAJOR.MINOR\" (each 0-255)", where);
			break;
		}
		case K_STRING:
			if (!cJSON_IsString(f))
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not a string", where);
			break;
		case K_OBJECT:
			st = validate(f, d->sub, where, err);
			break;
		case K_ENUM_PRODUCT:
			if (product_of(f) < 0)
				st = ms_fail(err, MS_BAD_INPUT,
					     "policy: %s is not 1 (Milan), 2 (Genoa) or 3 (Turin) or their SEV_PRODUCT_ names", where);
			break;
		case K_PCRS:
			st = check_pcrs(f, where, err);
			break;
		case K_TCB_STATUSES: {
			enum ms_tcb_status t;
			size_t n = 0;

			if (!cJSON_IsArray(f) || !f->child) {
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not a non-empty list of TCB statuses", where);
				break;
			}
			for (const cJSON *e = f->child; e && !st; e = e->next, n++)
				if (!cJSON_IsString(e) || ms_tcb_status_parse(e->valuestring, &t))
					st = ms_fail(err, MS_BAD_INPUT,
						     "policy: %s[%zu] is not an Intel TCB status (UpToDate, SWHardeningNeeded, "
						     "ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate, "
						     "OutOfDateConfigurationNeeded, Revoked)", where, n);
			break;
		}
		case K_TIME: {
			int64_t t;

			if (!cJSON_IsString(f) || ms_time_parse(f->valuestring, &t))
				st = ms_fail(err, MS_BAD_INPUT, "policy: %s is not an RFC 3339 date-time", where);
			break;
		}
		case K_REFUSED:
			if (!refused_value_is_empty(f))
				st = ms_fail(err, MS_UNSUPPORTED, "policy: %s is not supported: refusing rather than ignoring it",
					     where);
			break;
		}
	}
	return st;
}

struct ctx {
	struct ms_checks *checks;
	const struct ms_evidence *ev;
	bool mismatch;
	char first[256]; /* the first failed rule, for the message */
	uint32_t judged;   /* MAA: the MS_CLAIM_* bits a rule read */
	bool policy_bits;  /* MAA: the guest policy rule read the POLICY booleans */
};

static void check(struct ctx *c, bool ok, const char *what, const char *expected, const char *found)
{
	ms_check_add(c->checks, ok, what, expected, found);
	if (!ok && !c->mismatch) {
		c->mismatch = true;
		snprintf(c->first, sizeof(c->first), "%s (expected %.80s, found %.80s)", what, expected, found);
	}
}

/*
 * An MAA token: whether its claims carry what a rule reads (bit 0: a field no claim carries). A rule
 * the token cannot answer fails, naming what is missing; it never reads the zeros in its place.
 */
static bool carried(struct ctx *c, uint32_t bit, const char *what, const char *claim)
{
	char found[192];

	if (c->ev->type != MS_EVIDENCE_MAA)
		return true;
	if (bit && (c->ev->claims & bit) == bit) {
		c->judged |= bit;
		return true;
	}
	snprintf(found, sizeof(found), "the token does not carry %s", claim);
	ms_check_add(c->checks, false, what, "(a value from the token)", found);
	if (!c->mismatch) {
		c->mismatch = true;
		snprintf(c->first, sizeof(c->first), "%s: %s", what, found);
	}
	return false;
}

/* up to 40 hex digits of bytes, with "..." when longer */
static void short_hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
	char h[2 * POLICY_MAX_BYTES + 1];

	ms_hex_encode(b, n, h);
	snprintf(out, cap, "%.40s%s", h, n > 20 ? "..." : "");
}

static void exact(struct ctx *c, const cJSON *f, const char *what, const uint8_t *have, size_t n, uint32_t bit,
		  const char *claim)
{
	uint8_t want[POLICY_MAX_BYTES];
	char a[64], b[64];

	if (!f || !carried(c, bit, what, claim))
		return;
	bytes_of(f, n, want); /* validated */
	short_hex(want, n, a, sizeof(a));
	short_hex(have, n, b, sizeof(b));
	check(c, !memcmp(want, have, n), what, a, b);
}

static uint64_t u64(const cJSON *f)
{
	uint64_t v = 0;

	ms_json_u64(f, true, UINT64_MAX, &v); /* validated */
	return v;
}

static bool in_list(const cJSON *list, const uint8_t *digest, size_t n)
{
	for (const cJSON *e = list ? list->child : NULL; e; e = e->next) {
		uint8_t h[POLICY_MAX_BYTES];

		if (bytes_of(e, n, h) && !memcmp(h, digest, n))
			return true;
	}
	return false;
}

static bool tcb_le(struct ms_snp_tcb want, struct ms_snp_tcb have, bool turin)
{
	return (!turin || want.fmc <= have.fmc) && want.bootloader <= have.bootloader && want.tee <= have.tee &&
	       want.snp <= have.snp && want.microcode <= have.microcode;
}

static void tcb_rule(struct ctx *c, const cJSON *f, const char *what, uint64_t have, bool turin)
{
	char a[64], b[32];

	if (!f)
		return;
	snprintf(a, sizeof(a), ">= %016llx (each component)", (unsigned long long)u64(f));
	snprintf(b, sizeof(b), "%016llx", (unsigned long long)have);
	check(c, tcb_le(ms_snp_tcb_parts(u64(f), turin), ms_snp_tcb_parts(have, turin), turin), what, a, b);
}

/* go-sev-guest: require_author_key implies require_id_block; a trusted author key, else a trusted ID key. */
static void key_rules(struct ctx *c, const cJSON *p, const struct ms_snp_report *r)
{
	bool need_author = cJSON_IsTrue(get(p, "require_author_key"));
	bool need_block = need_author || cJSON_IsTrue(get(p, "require_id_block"));
	bool author_trusted = r->author_key_en && in_list(get(p, "trusted_author_key_hashes"), r->author_key_digest, 48);
	char a[64], b[64], found[224];

	if (!need_block)
		return;
	/* an MAA token does not say AUTHOR_KEY_EN: only a trusted ID key can answer, never a trusted author key */
	if (c->ev->type == MS_EVIDENCE_MAA) {
		if (need_author || !carried(c, MS_CLAIM_ID_KEY_DIGEST, "ID block key", "x-ms-sevsnpvm-idkeydigest"))
			carried(c, 0, need_author ? "author key" : "ID block key", "AUTHOR_KEY_EN (no claim)");
		else if (in_list(get(p, "trusted_id_key_hashes"), r->id_key_digest, 48))
			check(c, true, "ID block key", "a trusted ID key hash", "ID_KEY_DIGEST in trusted_id_key_hashes");
		else if ((c->ev->claims & MS_CLAIM_AUTHOR_KEY_DIGEST) &&
			 in_list(get(p, "trusted_author_key_hashes"), r->author_key_digest, 48))
			carried(c, 0, "ID block key", "AUTHOR_KEY_EN (no claim), which a trusted author key needs");
		else
			check(c, false, "ID block key", "a trusted ID key hash", "ID_KEY_DIGEST not in trusted_id_key_hashes");
		return;
	}
	short_hex(r->author_key_digest, 48, a, sizeof(a));
	short_hex(r->id_key_digest, 48, b, sizeof(b));
	if (need_author) {
		snprintf(found, sizeof(found), "AUTHOR_KEY_EN %d, AUTHOR_KEY_DIGEST %s", r->author_key_en, a);
		check(c, author_trusted, "author key", "AUTHOR_KEY_EN and a trusted author key hash", found);
		return;
	}
	snprintf(found, sizeof(found), "AUTHOR_KEY_EN %d, AUTHOR_KEY_DIGEST %s, ID_KEY_DIGEST %s", r->author_key_en, a, b);
	check(c, author_trusted || in_list(get(p, "trusted_id_key_hashes"), r->id_key_digest, 48), "ID block key",
	      "a trusted author or ID key hash", found);
}

/*
 * An MAA token spells the guest POLICY as booleans and leaves out the ABI version: the rule can be
 * judged when every bit it reads for this value is one the token gives.
 */
static bool policy_carried(struct ctx *c, uint64_t v)
{
	static const char *const claim_of_bit[26] = {
		[16] = "x-ms-sevsnpvm-smt-allowed",	     [18] = "x-ms-sevsnpvm-migration-allowed",
		[19] = "x-ms-sevsnpvm-is-debuggable",	     [20] = "x-ms-sevsnpvm-singlesocket",
		[21] = "x-ms-sevsnpvm-cxl-allowed",	     [22] = "x-ms-sevsnpvm-mem-aes256-xts-required",
		[23] = "x-ms-sevsnpvm-rapl-disabled",	     [24] = "x-ms-sevsnpvm-ciphertext-hiding-dram-enabled",
		[25] = "x-ms-sevsnpvm-page-swap-disabled",
	};
	static const int may_not[] = { 16, 18, 19, 21 }, must[] = { 20, 22, 23, 24, 25 };
	uint64_t read = v & 0xffff ? 0xffff : 0, missing;

	if (c->ev->type != MS_EVIDENCE_MAA)
		return true;
	for (int i = 0; i < 4; i++)
		read |= (~v >> may_not[i] & 1) << may_not[i];
	for (int i = 0; i < 5; i++)
		read |= (v >> must[i] & 1) << must[i];
	missing = read & ~c->ev->policy_bits_known;
	if (!missing) {
		c->policy_bits = true;
		return true;
	}
	if (missing & 0xffff)
		return carried(c, 0, "guest policy", "the ABI version the policy requires (POLICY bits 0-15, no claim)");
	return carried(c, 0, "guest policy", claim_of_bit[__builtin_ctzll(missing)]);
}

static const char *evidence_product(const struct ms_evidence *ev)
{
	return ev->product != MS_SNP_PRODUCT_UNKNOWN ? ms_snp_product_name(ev->product) : ev->product_name;
}

/*
 * A rule that reads the product or the TCB layout (which differs per product) needs a product this code
 * knows: an unknown one is never read in another product's layout. A token without the chip family
 * fails as any missing claim does; one naming a family not known fails saying so.
 */
static bool product_known(struct ctx *c, const char *what)
{
	const struct ms_evidence *ev = c->ev;
	char found[192];

	if (ev->product != MS_SNP_PRODUCT_UNKNOWN)
		return carried(c, MS_CLAIM_PRODUCT, what, "x-ms-sevsnpvm-chip-family");
	if (ev->type == MS_EVIDENCE_MAA && !ev->product_name[0])
		return carried(c, MS_CLAIM_PRODUCT, what, "x-ms-sevsnpvm-chip-family (the product and its TCB layout)");
	if (ev->type == MS_EVIDENCE_MAA)
		snprintf(found, sizeof(found), "the token's chip family %.15s is not known, so its TCB layout is not "
					       "(Milan, Genoa, Turin are)", ev->product_name);
	else
		snprintf(found, sizeof(found), "the evidence's product is not known, so its TCB layout is not");
	ms_check_add(c->checks, false, what, "a known product (Milan, Genoa, Turin)", found);
	if (!c->mismatch) {
		c->mismatch = true;
		snprintf(c->first, sizeof(c->first), "%s: %s", what, found);
	}
	return false;
}

static void snp_rules(struct ctx *c, const cJSON *p, const cJSON *rot, const struct ms_evidence *ev,
		      const struct ms_snp_report *r)
{
	const char *product = evidence_product(ev);
	bool turin = ev->product == MS_SNP_PRODUCT_TURIN;
	const cJSON *f;
	char a[160], b[160];

	exact(c, get(p, "report_data"), "report_data", r->report_data, 64, MS_CLAIM_REPORT_DATA, "x-ms-sevsnpvm-reportdata");
	exact(c, get(p, "host_data"), "host_data", r->host_data, 32, MS_CLAIM_HOST_DATA, "x-ms-sevsnpvm-hostdata");
	exact(c, get(p, "family_id"), "family_id", r->family_id, 16, MS_CLAIM_FAMILY_ID, "x-ms-sevsnpvm-familyId");
	exact(c, get(p, "image_id"), "image_id", r->image_id, 16, MS_CLAIM_IMAGE_ID, "x-ms-sevsnpvm-imageId");
	exact(c, get(p, "report_id"), "report_id", r->report_id, 32, MS_CLAIM_REPORT_ID, "x-ms-sevsnpvm-reportid");
	exact(c, get(p, "report_id_ma"), "report_id_ma", r->report_id_ma, 32, 0, "REPORT_ID_MA (no claim)");
	exact(c, get(p, "measurement"), "measurement", r->measurement, 48, MS_CLAIM_MEASUREMENT,
	      "x-ms-sevsnpvm-launchmeasurement");
	exact(c, get(p, "chip_id"), "chip_id", r->chip_id, 64, MS_CLAIM_CHIP_ID, "x-ms-sevsnpvm-chipid");
	if ((f = get(p, "vmpl")) && carried(c, MS_CLAIM_VMPL, "vmpl", "x-ms-sevsnpvm-vmpl")) {
		snprintf(a, sizeof(a), "%llu", (unsigned long long)u64(f));
		snprintf(b, sizeof(b), "%u", r->vmpl);
		check(c, r->vmpl == u64(f), "vmpl", a, b);
	}
	if ((f = get(p, "minimum_guest_svn")) && carried(c, MS_CLAIM_GUEST_SVN, "guest SVN", "x-ms-sevsnpvm-guestsvn")) {
		snprintf(a, sizeof(a), ">= %llu", (unsigned long long)u64(f));
		snprintf(b, sizeof(b), "%u", r->guest_svn);
		check(c, r->guest_svn >= u64(f), "guest SVN", a, b);
	}
	if ((f = get(p, "policy")) && policy_carried(c, u64(f))) {
		/* go-sev-guest: ABI at least the required; SMT, MIGRATE_MA, DEBUG, CXL_ALLOW only if allowed;
		 * SINGLE_SOCKET, MEM_AES_256_XTS, RAPL_DIS, CIPHERTEXT_HIDING, PAGE_SWAP_DISABLE if required */
		static const int may_not[] = { 16, 18, 19, 21 }, must[] = { 20, 22, 23, 24, 25 };
		uint64_t v = u64(f), have = r->policy;
		bool ok = (have & 0xffff) >= (v & 0xffff);

		for (int i = 0; i < 4; i++)
			ok &= !((have >> may_not[i]) & 1) || ((v >> may_not[i]) & 1);
		for (int i = 0; i < 5; i++)
			ok &= !((v >> must[i]) & 1) || ((have >> must[i]) & 1);
		snprintf(a, sizeof(a), "within 0x%llx", (unsigned long long)v);
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)have);
		check(c, ok, "guest policy", a, b);
	}
	/* go-sev-guest: minimum_tcb bounds REPORTED_TCB, minimum_launch_tcb LAUNCH_TCB, per component */
	if ((f = get(p, "minimum_tcb")) && carried(c, MS_CLAIM_REPORTED_TCB, "REPORTED_TCB",
						   "x-ms-sevsnpvm-bootloader-svn, -tee-svn, -snpfw-svn and -microcode-svn") &&
	    product_known(c, "REPORTED_TCB") &&
	    carried(c, turin && ms_snp_tcb_parts(u64(f), true).fmc ? 0 : MS_CLAIM_REPORTED_TCB, "REPORTED_TCB",
		    "Turin's FMC SVN (no claim)"))
		tcb_rule(c, f, "REPORTED_TCB", r->reported_tcb, turin);
	if ((f = get(p, "minimum_launch_tcb")) && carried(c, 0, "LAUNCH_TCB", "LAUNCH_TCB (no claim)") &&
	    product_known(c, "LAUNCH_TCB"))
		tcb_rule(c, f, "LAUNCH_TCB", r->launch_tcb, turin);
	if ((f = get(p, "minimum_build")) && carried(c, 0, "firmware build", "CURRENT_BUILD (no claim)")) {
		snprintf(a, sizeof(a), ">= %llu", (unsigned long long)u64(f));
		snprintf(b, sizeof(b), "%u", r->current_build);
		check(c, r->current_build >= u64(f), "firmware build", a, b);
	}
	if ((f = get(p, "minimum_version")) && carried(c, 0, "firmware version", "CURRENT_MAJOR and CURRENT_MINOR (no claim)")) {
		unsigned maj = 0, min = 0;

		version_of(f, &maj, &min);
		snprintf(a, sizeof(a), ">= %u.%u", maj, min);
		snprintf(b, sizeof(b), "%u.%u", r->current_major, r->current_minor);
		check(c, ((unsigned)r->current_major << 8 | r->current_minor) >= (maj << 8 | min), "firmware version", a, b);
	}
	if ((f = get(p, "permit_provisional_firmware")) &&
	    carried(c, 0, "committed firmware", "COMMITTED_TCB and the committed firmware version (no claim)") &&
	    product_known(c, "committed firmware")) {
		bool prov = cJSON_IsTrue(f), ok;
		struct ms_snp_tcb com = ms_snp_tcb_parts(r->committed_tcb, turin);
		struct ms_snp_tcb cur = ms_snp_tcb_parts(r->current_tcb, turin);
		unsigned vcom = (unsigned)r->committed_major << 16 | (unsigned)r->committed_minor << 8 | r->committed_build;
		unsigned vcur = (unsigned)r->current_major << 16 | (unsigned)r->current_minor << 8 | r->current_build;

		ok = prov ? tcb_le(com, cur, turin) && r->committed_build <= r->current_build &&
				    (vcom >> 8) <= (vcur >> 8)
			  : r->committed_tcb == r->current_tcb && vcom == vcur;
		snprintf(a, sizeof(a), prov ? "COMMITTED <= CURRENT" : "COMMITTED == CURRENT");
		snprintf(b, sizeof(b), "committed %016llx %u.%u.%u, current %016llx %u.%u.%u",
			 (unsigned long long)r->committed_tcb, r->committed_major, r->committed_minor, r->committed_build,
			 (unsigned long long)r->current_tcb, r->current_major, r->current_minor, r->current_build);
		check(c, ok, "committed firmware", a, b);
	}
	if ((f = get(p, "platform_info")) && carried(c, 0, "platform info", "PLATFORM_INFO (no claim)")) {
		/* go-sev-guest: SMT and TSME only if allowed; ECC, RAPL_DIS, CIPHERTEXT_HIDING, ALIAS_CHECK if required */
		static const int may_not[] = { 0, 1 }, must[] = { 2, 3, 4, 5 };
		uint64_t v = u64(f), have = r->platform_info;
		bool ok = true;

		for (int i = 0; i < 2; i++)
			ok &= !((have >> may_not[i]) & 1) || ((v >> may_not[i]) & 1);
		for (int i = 0; i < 4; i++)
			ok &= !((v >> must[i]) & 1) || ((have >> must[i]) & 1);
		snprintf(a, sizeof(a), "within 0x%llx", (unsigned long long)v);
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)have);
		check(c, ok, "platform info", a, b);
	}
	if ((f = get(get(p, "product"), "name")) && product_known(c, "product")) {
		static const char *const names[] = { "unknown", "Milan", "Genoa", "Turin" };
		int n = product_of(f);

		check(c, n > 0 && !strcmp(names[n], product), "product", names[n > 0 ? n : 0], product);
	}
	key_rules(c, p, r);
	if ((f = get(rot, "product_line")) &&
	    product_known(c, "root_of_trust.product_line"))
		check(c, !strcmp(f->valuestring, product), "root_of_trust.product_line", f->valuestring, product);
	if ((f = get(rot, "product")) && product_known(c, "root_of_trust.product"))
		check(c, !strcmp(f->valuestring, product), "root_of_trust.product", f->valuestring, product);
}

static void tdx_rules(struct ctx *c, const cJSON *h, const cJSON *body, const struct ms_tdx_quote *q)
{
	static const struct {
		const char *key, *what;
		size_t off, n;
		uint32_t bit;
		const char *claim;
	} fields[] = {
		{ "mr_seam", "mr_seam", offsetof(struct ms_tdx_quote, mr_seam), 48, MS_CLAIM_MR_SEAM, "tdx_mrseam" },
		{ "td_attributes", "td_attributes", offsetof(struct ms_tdx_quote, td_attributes), 8, MS_CLAIM_TD_ATTRIBUTES,
		  "tdx_td_attributes" },
		{ "xfam", "xfam", offsetof(struct ms_tdx_quote, xfam), 8, MS_CLAIM_XFAM, "tdx_xfam" },
		{ "mr_td", "mr_td", offsetof(struct ms_tdx_quote, mr_td), 48, MS_CLAIM_MR_TD, "tdx_mrtd" },
		{ "mr_config_id", "mr_config_id", offsetof(struct ms_tdx_quote, mr_config_id), 48, MS_CLAIM_MR_CONFIG_ID,
		  "tdx_mrconfigid" },
		{ "mr_owner", "mr_owner", offsetof(struct ms_tdx_quote, mr_owner), 48, MS_CLAIM_MR_OWNER, "tdx_mrowner" },
		{ "mr_owner_config", "mr_owner_config", offsetof(struct ms_tdx_quote, mr_owner_config), 48,
		  MS_CLAIM_MR_OWNER_CONFIG, "tdx_mrownerconfig" },
		{ "report_data", "report_data", offsetof(struct ms_tdx_quote, report_data), 64, MS_CLAIM_REPORT_DATA,
		  "tdx_report_data" },
	};
	const cJSON *f;
	char a[112], b[112];

	exact(c, get(h, "qe_vendor_id"), "qe_vendor_id", q->qe_vendor_id, 16, 0, "the quote header's QE vendor ID (no claim)");
	/* both from the quote header, as go-tdx-guest reads them; not the QE report's ISVSVN */
	if ((f = get(h, "minimum_qe_svn")) && carried(c, 0, "QE SVN", "the quote header's QE SVN (no claim)")) {
		snprintf(a, sizeof(a), ">= %llu", (unsigned long long)u64(f));
		snprintf(b, sizeof(b), "%u (header bytes 10-11)", q->qe_svn);
		check(c, q->qe_svn >= u64(f), "QE SVN", a, b);
	}
	if ((f = get(h, "minimum_pce_svn")) && carried(c, 0, "PCE SVN", "the quote header's PCE SVN (no claim)")) {
		snprintf(a, sizeof(a), ">= %llu", (unsigned long long)u64(f));
		snprintf(b, sizeof(b), "%u (header bytes 8-9)", q->pce_svn);
		check(c, q->pce_svn >= u64(f), "PCE SVN", a, b);
	}
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		exact(c, get(body, fields[k].key), fields[k].what, (const uint8_t *)q + fields[k].off, fields[k].n,
		      fields[k].bit, fields[k].claim);
	if ((f = get(body, "rtmrs")) && carried(c, MS_CLAIM_RTMRS, "rtmrs", "tdx_rtmr0, tdx_rtmr1, tdx_rtmr2 and tdx_rtmr3")) {
		int i = 0;

		for (const cJSON *e = f->child; e && i < 4; e = e->next, i++) {
			char name[8];

			snprintf(name, sizeof(name), "rtmr%d", i);
			exact(c, e, name, q->rtmr[i], 48, MS_CLAIM_RTMRS, "tdx_rtmr0-3");
		}
	}
	if ((f = get(body, "any_mr_td")) && carried(c, MS_CLAIM_MR_TD, "MRTD in any_mr_td", "tdx_mrtd")) {
		char have[64];

		short_hex(q->mr_td, 48, have, sizeof(have));
		/* an empty allow-list allows nothing */
		check(c, in_list(f, q->mr_td, 48), "MRTD in any_mr_td",
		      f->child ? "one of the list" : "one of an empty list", have);
	}
	if ((f = get(body, "minimum_tee_tcb_svn")) &&
	    carried(c, MS_CLAIM_TEE_TCB_SVN, "TEE_TCB_SVN (each byte >=)", "tdx_tee_tcb_svn")) {
		uint8_t want[16];
		bool ok = true;

		bytes_of(f, 16, want);
		for (int i = 0; i < 16; i++)
			ok &= q->tee_tcb_svn[i] >= want[i];
		short_hex(want, 16, a, sizeof(a));
		short_hex(q->tee_tcb_svn, 16, b, sizeof(b));
		check(c, ok, "TEE_TCB_SVN (each byte >=)", a, b);
	}
	if ((f = get(body, "tdattributes_debug")) && carried(c, MS_CLAIM_TD_ATTRIBUTES, "TDATTRIBUTES.DEBUG", "tdx_td_attributes")) {
		bool debug = q->td_attributes[0] & 1;

		check(c, debug == cJSON_IsTrue(f), "TDATTRIBUTES.DEBUG", cJSON_IsTrue(f) ? "1" : "0", debug ? "1" : "0");
	}
}

/*
 * Cocos pcr_values: each PCR listed against the verified vTPM quote, one row
 * each; without a quote the block is a failure, never "not applicable".
 */
static enum ms_status pcr_rules(struct ctx *c, const cJSON *f, const struct ms_evidence *ev, struct ms_err *err)
{
	struct ms_tpm_pcrs *want;
	enum ms_status st;
	unsigned listed = 0;

	if (!f)
		return MS_OK;
	if (!ev->tpm || !ev->tpm->verified) {
		check(c, false, "pcr_values", "the vTPM PCRs listed", "no vTPM quote to check pcr_values against");
		return MS_OK;
	}
	if (!(want = calloc(1, sizeof(*want))))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if ((st = ms_tpm_pcrs_from_json(f, want, err)))
		goto out;
	for (unsigned b = 0; b < want->nbanks; b++) {
		const struct ms_tpm_bank *w = &want->bank[b];
		size_t size = ms_tpm_alg_size(w->alg);

		for (unsigned pcr = 0; pcr < MS_TPM_NUM_PCRS; pcr++) {
			const uint8_t *have;
			char what[32], a[2 * MS_TPM_MAX_DIGEST + 1], h[2 * MS_TPM_MAX_DIGEST + 1];

			if (!(w->present & (1u << pcr)))
				continue;
			listed++;
			snprintf(what, sizeof(what), "vTPM %s PCR%u", ms_tpm_alg_name(w->alg), pcr);
			ms_hex_encode(w->value[pcr], size, a);
			if (!(have = ms_tpm_quoted_pcr(ev->tpm, w->alg, pcr))) {
				check(c, false, what, a, "not covered by the quote");
				continue;
			}
			ms_hex_encode(have, size, h);
			check(c, !memcmp(have, w->value[pcr], size), what, a, h);
		}
	}
	/* an empty allow-list allows nothing */
	if (!listed)
		check(c, false, "pcr_values", "at least one PCR", "none listed");
out:
	free(want);
	return st;
}

/* tdxvm: accept_tcb_status judged against MAA's attester_tcb_status; the TCB date is no claim. */
static void maa_tcb_rules(struct ctx *c, const cJSON *policy)
{
	const cJSON *f = get(policy, "accept_tcb_status");
	char want[256] = "";
	bool ok = false;

	if (f && carried(c, MS_CLAIM_TCB_STATUS, "TCB status", "attester_tcb_status")) {
		for (const cJSON *e = f->child; e; e = e->next) {
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", want[0] ? " or " : "", e->valuestring);
			ok |= !strcmp(e->valuestring, c->ev->tcb_status);
		}
		check(c, ok, "TCB status (attester_tcb_status)", want, c->ev->tcb_status);
	}
	if (get(policy, "min_tcb_date"))
		carried(c, 0, "TCB date", "the TCB level's tcbDate (no claim)");
}

/* check_crl: every CRL a vendor publishes for the chain was applied (ms_evidence_crls). */
static enum ms_status crl_rule(struct ctx *c, const cJSON *rot, const struct ms_evidence *ev, struct ms_err *err)
{
	if (!cJSON_IsTrue(get(rot, "check_crl")))
		return MS_OK;
	if (!ev->crls_applied)
		return ms_fail(err, MS_NO_COLLATERAL, "policy: root_of_trust.check_crl is set but no CRL was applied to the chain");
	if (!ev->revocation_checked)
		return ms_fail(err, MS_NO_COLLATERAL,
			       "policy: root_of_trust.check_crl is set but the CRLs applied do not cover every certificate of the chain");
	check(c, true, "root_of_trust.check_crl", "every CRL applied", "yes");
	return MS_OK;
}

/* The policy object's layout for this evidence: refuses a wrapper mixed with top-level rules. */
static enum ms_status layout(const cJSON *policy, const struct ms_evidence *ev, struct ms_err *err)
{
	const cJSON *wrapper = get(policy, "policy");

	if (ms_evidence_report_type(ev) == MS_EVIDENCE_SNP) {
		for (const cJSON *f = policy->child; f; f = f->next)
			for (const struct field *d = snp_policy; d->name; d++)
				if (spelled(f->string, d->name) && strcmp(d->name, "policy"))
					return ms_fail(err, MS_BAD_INPUT,
						       wrapper ? "policy: rule %s stands beside the \"policy\" object: put every rule inside it"
							       : "policy: rule %s stands at the top level: SEV-SNP rules belong in a \"policy\" object",
						       d->name);
		return MS_OK;
	}
	if (wrapper)
		for (const cJSON *f = policy->child; f; f = f->next)
			for (const struct field *d = tdx_policy; d->name; d++)
				if (spelled(f->string, d->name))
					return ms_fail(err, MS_BAD_INPUT,
						       "policy: %s stands beside the \"policy\" object: put it inside, or drop the wrapper",
						       d->name);
	return MS_OK;
}

static enum ms_status apply(const cJSON *policy, const struct ms_evidence *ev, struct ms_checks *checks,
			    struct ms_err *err)
{
	struct ctx c = { checks, ev, false, "", 0, false };
	const struct ms_snp_report *r = &ev->snp;
	const struct ms_tdx_quote *q = &ev->tdx;
	const cJSON *rot, *scope;
	enum ms_evidence_type kind = ms_evidence_report_type(ev);
	bool maa = ev->type == MS_EVIDENCE_MAA;
	enum ms_status st;

	if (!cJSON_IsObject(policy))
		return ms_fail(err, MS_BAD_INPUT, "policy: not a JSON object");
	if (kind != MS_EVIDENCE_SNP && kind != MS_EVIDENCE_TDX)
		return ms_fail(err, MS_UNSUPPORTED, "policy: policies apply to SEV-SNP reports, TDX quotes and MAA tokens of them");
	if (!maa && ((kind == MS_EVIDENCE_SNP && !r->signed_bytes) || (kind == MS_EVIDENCE_TDX && !q->signed_bytes)))
		return ms_fail(err, MS_UNSUPPORTED, "policy: the verified %s was not decoded: no rule can be judged",
			       kind == MS_EVIDENCE_SNP ? "report" : "quote");
	/* everything is checked before anything is judged */
	st = layout(policy, ev, err);
	if (!st)
		st = validate(policy, kind == MS_EVIDENCE_SNP ? snp_top : tdx_top, "", err);
	if (!st && kind == MS_EVIDENCE_SNP && !get(policy, "policy"))
		st = ms_fail(err, MS_BAD_INPUT, "policy: no \"policy\" object");
	if (st)
		return st;
	rot = get(policy, "root_of_trust");
	if (kind == MS_EVIDENCE_SNP) {
		snp_rules(&c, get(policy, "policy"), rot, ev, r);
	} else {
		scope = get(policy, "policy") ? get(policy, "policy") : policy;
		if ((get(scope, "header") && get(scope, "header_policy")) ||
		    (get(scope, "td_quote_body") && get(scope, "td_quote_body_policy")))
			return ms_fail(err, MS_BAD_INPUT, "policy: header or td_quote_body is given twice (with and without _policy)");
		tdx_rules(&c, get(scope, "header") ? get(scope, "header") : get(scope, "header_policy"),
			  get(scope, "td_quote_body") ? get(scope, "td_quote_body") : get(scope, "td_quote_body_policy"), q);
	}
	if ((st = pcr_rules(&c, get(policy, "pcr_values"), ev, err)))
		return st;
	if (maa && kind == MS_EVIDENCE_TDX)
		maa_tcb_rules(&c, policy);
	/* the token is signed by a JWKS key: there is no certificate chain a CRL could be applied to */
	if (maa && cJSON_IsTrue(get(rot, "check_crl")))
		carried(&c, 0, "root_of_trust.check_crl", "a certificate chain (MAA signs with a JWKS key)");
	if (ev->type == MS_EVIDENCE_TDX && (get(policy, "accept_tcb_status") || get(policy, "min_tcb_date"))) {
		struct ms_tcb_policy tp = { .requested = true };
		const cJSON *f;

		for (f = get(policy, "accept_tcb_status") ? get(policy, "accept_tcb_status")->child : NULL; f; f = f->next) {
			enum ms_tcb_status t;

			ms_tcb_status_parse(f->valuestring, &t);
			tp.accept_mask |= 1u << t;
		}
		if ((f = get(policy, "min_tcb_date"))) {
			tp.has_min_date = true;
			ms_time_parse(f->valuestring, &tp.min_date);
		}
		st = ms_tcb_policy_apply(ev, &tp, checks, err);
		if (st == MS_MISMATCH && !c.mismatch) {
			c.mismatch = true;
			snprintf(c.first, sizeof(c.first), "%.200s", err->msg);
		} else if (st && st != MS_MISMATCH) {
			return st;
		}
	}
	/* a claim a rule judged is no longer listed as not checked */
	if (maa)
		ms_maa_unlist_judged(checks, c.judged, c.policy_bits);
	/* a failed rule is a definite no; missing revocation collateral matters only when every rule held */
	if (c.mismatch)
		return ms_fail(err, MS_MISMATCH, "policy: %s", c.first);
	if (checks->failed)
		return ms_fail(err, MS_NO_MEMORY, "policy: out of memory");
	return crl_rule(&c, rot, ev, err);
}

enum ms_status ms_policy_apply(const cJSON *policy, const struct ms_evidence *ev, struct ms_checks *checks,
			       struct ms_err *err)
{
	return ms_err_input(err, MS_INPUT_POLICY, apply(policy, ev, checks, err));
}

enum ms_status ms_policy_parse(const char *text, size_t len, cJSON **out, struct ms_err *err)
{
	enum ms_status st = ms_json_parse_strict(text, len, "policy", out, err);

	if (!st && !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		st = ms_fail(err, MS_BAD_INPUT, "policy: not a JSON policy object");
	}
	return ms_err_input(err, MS_INPUT_POLICY, st);
}

bool ms_policy_pins(const cJSON *policy, enum ms_evidence_type type, const char *name)
{
	const cJSON *scope = get(policy, "policy") ? get(policy, "policy") : policy;
	static const struct {
		const char *evidence, *rule;
	} tdx[] = { { "mrtd", "mr_td" },	   { "mrtd", "any_mr_td" },	  { "mrseam", "mr_seam" },
		    { "mrconfigid", "mr_config_id" }, { "mrowner", "mr_owner" }, { "mrownerconfig", "mr_owner_config" } };

	if (!cJSON_IsObject(policy))
		return false;
	if (type == MS_EVIDENCE_SNP)
		return cJSON_IsObject(scope) && scope != policy && get(scope, name);
	if (type != MS_EVIDENCE_TDX)
		return false;
	scope = get(scope, "td_quote_body") ? get(scope, "td_quote_body") : get(scope, "td_quote_body_policy");
	if (!cJSON_IsObject(scope))
		return false;
	if (!strncmp(name, "rtmr", 4))
		return get(scope, "rtmrs") != NULL;
	for (size_t i = 0; i < sizeof(tdx) / sizeof(tdx[0]); i++)
		if (!strcmp(name, tdx[i].evidence) && get(scope, tdx[i].rule))
			return true;
	return false;
}

bool ms_policy_judges_tcb(const cJSON *policy)
{
	return cJSON_IsObject(policy) && (get(policy, "accept_tcb_status") || get(policy, "min_tcb_date"));
}

bool ms_policy_pins_pcrs(const cJSON *policy)
{
	return cJSON_IsObject(policy) && get(policy, "pcr_values");
}
