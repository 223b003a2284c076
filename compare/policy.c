/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/bytes.h"
#include "../common/bytes.h"
#include "../common/hex.h"
#include "evidence.h"



struct ctx {
	struct ms_checks *checks;
	struct ms_err *err;
	enum ms_status st; /* the first failure */
};

static void fail(struct ctx *c, enum ms_status st, const char *fmt, const char *field)
	__attribute__((format(printf, 3, 0)));

static void fail(struct ctx *c, enum ms_status st, const char *fmt, const char *field)
{
	if (!c->st) {
		c->st = st;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		ms_fail(c->err, st, fmt, field); /* every fmt is a literal with one %s */
#pragma GCC diagnostic pop
	}
}

static void check(struct ctx *c, bool ok, const char *what, const char *expected, const char *found)
{
	ms_check_add(c->checks, ok, what, expected, found);
	if (!ok)
		fail(c, MS_MISMATCH, "policy: %s differs", what);
}

/* A protojson bytes field (base64) of exactly n bytes, compared with the evidence's. */
static void exact(struct ctx *c, const cJSON *f, const uint8_t *have, size_t n)
{
	uint8_t *want = NULL;
	size_t len;
	char a[112], b[112], *h;

	if (!cJSON_IsString(f) || ms_base64_decode(f->valuestring, strlen(f->valuestring), &want, &len, f->string, NULL)) {
		fail(c, MS_BAD_INPUT, "policy: %s is not base64", f->string);
		return;
	}
	if (len == 0) { /* empty: not checked, as go-sev-guest treats it */
		free(want);
		return;
	}
	h = ms_hex_alloc(want, len);
	snprintf(a, sizeof(a), "%.40s%s", h ? h : "?", h && strlen(h) > 40 ? "..." : "");
	free(h);
	h = ms_hex_alloc(have, n);
	snprintf(b, sizeof(b), "%.40s%s", h ? h : "?", h && strlen(h) > 40 ? "..." : "");
	free(h);
	check(c, len == n && !memcmp(want, have, n), f->string, a, b);
	free(want);
}

static bool number(const cJSON *f, uint64_t *v)
{
	if (cJSON_IsNumber(f) && f->valuedouble >= 0 && f->valuedouble < 9007199254740992.0 &&
	    f->valuedouble == (double)(uint64_t)f->valuedouble) {
		*v = (uint64_t)f->valuedouble;
		return true;
	}
	if (cJSON_IsString(f)) { /* protojson may write uint64 as a string; ms_policy_parse does for large ones */
		char *end;

		*v = strtoull(f->valuestring, &end, 10);
		return *end == '\0' && f->valuestring[0];
	}
	return false;
}

/* TCB components, by product layout; every component of have must be >= want. */
static bool tcb_at_least(uint64_t have, uint64_t want, bool turin, char *out, size_t cap)
{
	static const int milan[] = { 0, 1, 6, 7 }, tur[] = { 0, 1, 2, 3, 7 };
	const int *idx = turin ? tur : milan;
	int n = turin ? 5 : 4;
	bool ok = true;

	for (int i = 0; i < n; i++)
		ok &= ((have >> (8 * idx[i])) & 0xff) >= ((want >> (8 * idx[i])) & 0xff);
	snprintf(out, cap, "%016llx", (unsigned long long)have);
	return ok;
}

/* Is digest (48 bytes) one of the base64 hashes in the policy's list? */
static bool listed(struct ctx *c, const cJSON *list, const uint8_t *digest)
{
	bool found = false;

	for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e; e = e->next) {
		uint8_t *h = NULL;
		size_t len;

		if (!cJSON_IsString(e) || ms_base64_decode(e->valuestring, strlen(e->valuestring), &h, &len, "key hash", NULL)) {
			fail(c, MS_BAD_INPUT, "policy: %s holds a value that is not base64", list->string);
			return false;
		}
		found |= len == 48 && !memcmp(h, digest, 48);
		free(h);
	}
	return found;
}

/*
 * The ID block the guest launched with (the firmware checked its signatures):
 * require_author_key wants AUTHOR_KEY_EN and a trusted author key;
 * require_id_block wants a trusted author key or a trusted ID key.
 */
static void id_block_rules(struct ctx *c, const cJSON *p, const struct ms_evidence *ev, bool author_only)
{
	const uint8_t *r = ev->raw;
	bool author_en = ms_le32(r + 0x48) & 1;
	bool author = author_en && listed(c, cJSON_GetObjectItemCaseSensitive(p, "trusted_author_key_hashes"), r + 0x110);
	bool id = !author_only && listed(c, cJSON_GetObjectItemCaseSensitive(p, "trusted_id_key_hashes"), r + 0xe0);
	char *a = ms_hex_alloc(r + 0x110, 48), *b = ms_hex_alloc(r + 0xe0, 48), found[112];

	if (author_only)
		snprintf(found, sizeof(found), "AUTHOR_KEY_EN %d, AUTHOR_KEY_DIGEST %.16s...", author_en, a ? a : "?");
	else
		snprintf(found, sizeof(found), "AUTHOR_KEY_DIGEST %.16s..., ID_KEY_DIGEST %.16s...", a ? a : "?", b ? b : "?");
	check(c, author || id, author_only ? "author key" : "ID block key",
	      author_only ? "a trusted author key" : "a trusted author or ID key", found);
	free(a);
	free(b);
}

static void snp_policy(struct ctx *c, const cJSON *p, const struct ms_evidence *ev)
{
	const uint8_t *r = ev->raw;
	bool turin = !strcmp(ev->product_name, "Turin"), provisional = false;
	uint64_t v;
	char a[112], b[112];
	const cJSON *f;

	/* refuse what is not understood before judging anything */
	for (f = p->child; f; f = f->next) {
		static const char *const known[] = {
			"report_data", "host_data", "family_id", "image_id", "report_id", "report_id_ma", "measurement",
			"chip_id", "vmpl", "minimum_guest_svn", "policy", "minimum_tcb", "minimum_launch_tcb",
			"minimum_build", "minimum_version", "permit_provisional_firmware", "product", "require_author_key",
			"require_id_block", "trusted_author_key_hashes", "trusted_id_key_hashes", "platform_info", NULL,
		};
		int i;

		for (i = 0; known[i] && strcmp(known[i], f->string); i++)
			;
		if (!known[i])
			return fail(c, MS_UNSUPPORTED, "policy: field \"%s\" is not supported: refusing rather than ignoring it",
				    f->string);
	}
	f = cJSON_GetObjectItemCaseSensitive(p, "permit_provisional_firmware");
	provisional = cJSON_IsTrue(f);
	for (f = p->child; f; f = f->next) {
		const char *k = f->string;

		if (!strcmp(k, "report_data"))
			exact(c, f, r + 0x50, 64);
		else if (!strcmp(k, "host_data"))
			exact(c, f, r + 0xc0, 32);
		else if (!strcmp(k, "family_id"))
			exact(c, f, r + 0x10, 16);
		else if (!strcmp(k, "image_id"))
			exact(c, f, r + 0x20, 16);
		else if (!strcmp(k, "report_id"))
			exact(c, f, r + 0x140, 32);
		else if (!strcmp(k, "report_id_ma"))
			exact(c, f, r + 0x160, 32);
		else if (!strcmp(k, "measurement"))
			exact(c, f, r + 0x90, 48);
		else if (!strcmp(k, "chip_id"))
			exact(c, f, r + 0x1a0, 64);
		else if (!strcmp(k, "vmpl")) {
			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", k);
			snprintf(a, sizeof(a), "%llu", (unsigned long long)v);
			snprintf(b, sizeof(b), "%u", ms_le32(r + 0x30));
			check(c, ms_le32(r + 0x30) == v, "vmpl", a, b);
		} else if (!strcmp(k, "minimum_guest_svn")) {
			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", k);
			snprintf(a, sizeof(a), ">= %llu", (unsigned long long)v);
			snprintf(b, sizeof(b), "%u", ms_le32(r + 4));
			check(c, ms_le32(r + 4) >= v, "guest SVN", a, b);
		} else if (!strcmp(k, "policy")) {
			uint64_t have = ms_le64(r + 8);
			static const int may_not[] = { 16, 18, 19, 21 }, must[] = { 20, 22, 23, 24, 25 };
			bool ok;

			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", k);
			/* ABI major.minor at least the required; bits that may not be set unless allowed; bits required */
			ok = (((have >> 8) & 0xff) << 8 | (have & 0xff)) >= (((v >> 8) & 0xff) << 8 | (v & 0xff));
			for (int i = 0; i < 4; i++)
				ok &= !((have >> may_not[i]) & 1) || ((v >> may_not[i]) & 1);
			for (int i = 0; i < 5; i++)
				ok &= !((v >> must[i]) & 1) || ((have >> must[i]) & 1);
			snprintf(a, sizeof(a), "within 0x%llx", (unsigned long long)v);
			snprintf(b, sizeof(b), "0x%llx", (unsigned long long)have);
			check(c, ok, "guest policy", a, b);
		} else if (!strcmp(k, "minimum_tcb") || !strcmp(k, "minimum_launch_tcb")) {
			uint64_t have = ms_le64(r + (k[8] == 't' ? 0x180 : 0x1f0));

			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", k);
			snprintf(a, sizeof(a), ">= %016llx (each component)", (unsigned long long)v);
			check(c, tcb_at_least(have, v, turin, b, sizeof(b)), k[8] == 't' ? "REPORTED_TCB" : "LAUNCH_TCB", a, b);
		} else if (!strcmp(k, "minimum_build")) {
			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", k);
			snprintf(a, sizeof(a), ">= %llu", (unsigned long long)v);
			snprintf(b, sizeof(b), "%u", r[0x1e8]);
			check(c, r[0x1e8] >= v, "firmware build", a, b);
		} else if (!strcmp(k, "minimum_version")) {
			unsigned maj, min;

			if (!cJSON_IsString(f) || sscanf(f->valuestring, "%u.%u", &maj, &min) != 2)
				return fail(c, MS_BAD_INPUT, "policy: %s is not \"major.minor\"", k);
			snprintf(a, sizeof(a), ">= %u.%u", maj, min);
			snprintf(b, sizeof(b), "%u.%u", r[0x1ea], r[0x1e9]);
			check(c, (r[0x1ea] << 8 | r[0x1e9]) >= (int)(maj << 8 | min), "firmware version", a, b);
		} else if (!strcmp(k, "permit_provisional_firmware")) {
			uint64_t cur = ms_le64(r + 0x38), com = ms_le64(r + 0x1e0);
			char t[112];
			bool ok = provisional ? tcb_at_least(cur, com, turin, t, sizeof(t)) &&
							(r[0x1ea] << 16 | r[0x1e9] << 8 | r[0x1e8]) >=
								(r[0x1ee] << 16 | r[0x1ed] << 8 | r[0x1ec])
					      : cur == com && !memcmp(r + 0x1e8, r + 0x1ec, 3);

			snprintf(a, sizeof(a), provisional ? "COMMITTED <= CURRENT" : "COMMITTED == CURRENT");
			snprintf(b, sizeof(b), "committed %016llx, current %016llx", (unsigned long long)com, (unsigned long long)cur);
			check(c, ok, "committed firmware", a, b);
		} else if (!strcmp(k, "product")) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "name");
			static const char *const names[] = { "unknown", "Milan", "Genoa", "Turin" };
			uint64_t n;

			if (cJSON_GetObjectItemCaseSensitive(f, "machine_stepping"))
				return fail(c, MS_UNSUPPORTED, "policy: %s.machine_stepping is not supported", k);
			if (!number(name, &n) || n > 3)
				return fail(c, MS_BAD_INPUT, "policy: %s.name is not 1 (Milan), 2 (Genoa) or 3 (Turin)", k);
			check(c, !strcmp(names[n], ev->product_name), "product", names[n], ev->product_name);
		} else if (!strcmp(k, "require_author_key") || !strcmp(k, "require_id_block")) {
			if (cJSON_IsTrue(f))
				id_block_rules(c, p, ev, !strcmp(k, "require_author_key"));
		} else if (!strcmp(k, "trusted_author_key_hashes") || !strcmp(k, "trusted_id_key_hashes")) {
			/* read by the require_* rules */

		} else if (!strcmp(k, "platform_info")) {
			uint64_t have = ms_le64(r + 0x40);
			static const int may_not[] = { 0, 1, 7 }, must[] = { 2, 3, 4, 5 };
			bool ok = true;

			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", k);
			for (int i = 0; i < 3; i++)
				ok &= !((have >> may_not[i]) & 1) || ((v >> may_not[i]) & 1);
			for (int i = 0; i < 4; i++)
				ok &= !((v >> must[i]) & 1) || ((have >> must[i]) & 1);
			snprintf(a, sizeof(a), "within 0x%llx", (unsigned long long)v);
			snprintf(b, sizeof(b), "0x%llx", (unsigned long long)have);
			check(c, ok, "platform info", a, b);
		} else {
			return fail(c, MS_UNSUPPORTED, "policy: field \"%s\" is not supported: refusing rather than ignoring it", k);
		}
		if (c->st && c->st != MS_MISMATCH)
			return;
	}
}

static void tdx_policy(struct ctx *c, const cJSON *p, const struct ms_evidence *ev)
{
	const uint8_t *q = ev->raw, *b = q + ev->body_offset;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(p, "header");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(p, "td_quote_body");
	static const struct {
		const char *key;
		size_t at, n;
	} fields[] = {
		{ "mr_seam", 16, 48 },	     { "td_attributes", 120, 8 }, { "xfam", 128, 8 },
		{ "mr_td", 136, 48 },	     { "mr_config_id", 184, 48 }, { "mr_owner", 232, 48 },
		{ "mr_owner_config", 280, 48 }, { "report_data", 520, 64 },
	};
	char a[112], bb[112];
	uint64_t v;

	for (const cJSON *f = p->child; f; f = f->next)
		if (strcmp(f->string, "header") && strcmp(f->string, "td_quote_body"))
			return fail(c, MS_UNSUPPORTED, "policy: field \"%s\" is not supported: refusing rather than ignoring it",
				    f->string);
	for (const cJSON *f = h ? h->child : NULL; f; f = f->next) {
		if (!strcmp(f->string, "qe_vendor_id")) {
			exact(c, f, q + 12, 16);
		} else if (!strcmp(f->string, "minimum_qe_svn") || !strcmp(f->string, "minimum_pce_svn")) {
			unsigned have = f->string[8] == 'q' ? (unsigned)(ev->qe_report[258] | ev->qe_report[259] << 8)
							    : (unsigned)(q[8] | q[9] << 8);

			if (!number(f, &v))
				return fail(c, MS_BAD_INPUT, "policy: %s is not a number", f->string);
			snprintf(a, sizeof(a), ">= %llu", (unsigned long long)v);
			snprintf(bb, sizeof(bb), "%u", have);
			check(c, have >= v, f->string[8] == 'q' ? "QE SVN" : "PCE SVN", a, bb);
		} else {
			return fail(c, MS_UNSUPPORTED, "policy: header.%s is not supported", f->string);
		}
	}
	for (const cJSON *f = body ? body->child : NULL; f; f = f->next) {
		size_t k;

		for (k = 0; k < sizeof(fields) / sizeof(fields[0]) && strcmp(fields[k].key, f->string); k++)
			;
		if (k < sizeof(fields) / sizeof(fields[0])) {
			exact(c, f, b + fields[k].at, fields[k].n);
		} else if (!strcmp(f->string, "rtmrs")) {
			int i = 0;

			if (!cJSON_IsArray(f) || cJSON_GetArraySize(f) != 4)
				return fail(c, MS_BAD_INPUT, "policy: %s is not a list of four", f->string);
			for (const cJSON *e = f->child; e; e = e->next, i++) {
				cJSON tmp = *e;
				char name[16];

				snprintf(name, sizeof(name), "rtmr%d", i & 3);
				tmp.string = name;
				exact(c, &tmp, b + 328 + 48 * i, 48);
			}
		} else if (!strcmp(f->string, "any_mr_td")) {
			bool any = false;

			for (const cJSON *e = f->child; e; e = e->next) {
				uint8_t *want = NULL;
				size_t len;

				if (!cJSON_IsString(e) || ms_base64_decode(e->valuestring, strlen(e->valuestring), &want, &len, "any_mr_td", NULL))
					return fail(c, MS_BAD_INPUT, "policy: %s holds a value that is not base64", f->string);
				any |= len == 48 && !memcmp(want, b + 136, 48);
				free(want);
			}
			check(c, any, "MRTD in any_mr_td", "one of the list", "");
		} else if (!strcmp(f->string, "minimum_tee_tcb_svn")) {
			uint8_t *want = NULL;
			size_t len;
			bool ok = true;

			if (!cJSON_IsString(f) || ms_base64_decode(f->valuestring, strlen(f->valuestring), &want, &len, f->string, NULL) ||
			    len != 16) {
				free(want);
				return fail(c, MS_BAD_INPUT, "policy: %s is not 16 bytes of base64", f->string);
			}
			for (int i = 0; i < 16; i++)
				ok &= b[i] >= want[i];
			free(want);
			check(c, ok, "TEE_TCB_SVN", "each byte >= the minimum", "");
		} else {
			return fail(c, MS_UNSUPPORTED, "policy: td_quote_body.%s is not supported", f->string);
		}
	}
}

enum ms_status ms_policy_apply(const cJSON *policy, const struct ms_evidence *ev, struct ms_checks *checks,
			       struct ms_err *err)
{
	struct ctx c = { checks, err, MS_OK };
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(policy, "policy");
	const cJSON *rot = cJSON_GetObjectItemCaseSensitive(policy, "root_of_trust");

	if (!cJSON_IsObject(policy))
		return ms_fail(err, MS_BAD_INPUT, "policy: not a JSON object");
	if (!ev->raw)
		return ms_fail(err, MS_UNSUPPORTED, "policy: policies apply to SNP reports and TDX quotes");
	for (const cJSON *f = policy->child; f; f = f->next)
		if (strcmp(f->string, "policy") && strcmp(f->string, "root_of_trust") && strcmp(f->string, "pcr_values") &&
		    (ev->type != MS_EVIDENCE_TDX || (strcmp(f->string, "header") && strcmp(f->string, "td_quote_body"))))
			return ms_fail(err, MS_UNSUPPORTED, "policy: field \"%s\" is not supported", f->string);
	if (cJSON_GetObjectItemCaseSensitive(policy, "pcr_values"))
		ms_check_add(checks, true, "pcr_values", "vTPM PCRs", "not applicable: no vTPM quote here");
	if (ev->type == MS_EVIDENCE_SNP) {
		if (!cJSON_IsObject(p))
			return ms_fail(err, MS_BAD_INPUT, "policy: no \"policy\" object");
		snp_policy(&c, p, ev);
		for (const cJSON *f = rot ? rot->child : NULL; f && (!c.st || c.st == MS_MISMATCH); f = f->next) {
			if (!strcmp(f->string, "check_crl")) {
				if (cJSON_IsTrue(f) && !ev->crls_applied)
					fail(&c, MS_NO_COLLATERAL, "policy: %s is set: pass the AMD CRL with --crl FILE", f->string);
				else if (cJSON_IsTrue(f))
					check(&c, true, "check_crl", "CRL checked", "yes");
			} else if (!strcmp(f->string, "product") || !strcmp(f->string, "product_line")) {
				check(&c, cJSON_IsString(f) && !strcmp(f->valuestring, ev->product_name), f->string,
				      cJSON_IsString(f) ? f->valuestring : "?", ev->product_name);
			} else if (strcmp(f->string, "disallow_network")) { /* measure never uses the network */
				fail(&c, MS_UNSUPPORTED, "policy: root_of_trust.%s is not supported", f->string);
			}
		}
	} else {
		tdx_policy(&c, cJSON_IsObject(p) ? p : policy, ev);
	}
	return c.st;
}

enum ms_status ms_policy_parse(const char *text, size_t len, cJSON **out, struct ms_err *err)
{
	/* quote every integer of 16 digits or more that stands outside a string */
	char *q = malloc(2 * len + 1);
	size_t o = 0;
	bool in_string = false;

	if (!q)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < len;) {
		if (in_string) {
			if (text[i] == '\\' && i + 1 < len)
				q[o++] = text[i++];
			else if (text[i] == '"')
				in_string = false;
			q[o++] = text[i++];
		} else if (text[i] == '"') {
			in_string = true;
			q[o++] = text[i++];
		} else if (text[i] >= '0' && text[i] <= '9') {
			size_t j = i;

			while (j < len && text[j] >= '0' && text[j] <= '9')
				j++;
			if (j - i >= 16 && (j == len || (text[j] != '.' && text[j] != 'e' && text[j] != 'E'))) {
				q[o++] = '"';
				memcpy(q + o, text + i, j - i);
				o += j - i;
				q[o++] = '"';
			} else {
				memcpy(q + o, text + i, j - i);
				o += j - i;
			}
			i = j;
		} else {
			q[o++] = text[i++];
		}
	}
	*out = cJSON_ParseWithLength(q, o);
	free(q);
	if (!*out || !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return ms_fail(err, MS_BAD_INPUT, "not a JSON policy object");
	}
	return MS_OK;
}
