/* SPDX-License-Identifier: Apache-2.0 */
/* The update policy of a pin store: policy entries, and whether an update or policy entry may stand. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hex.h"
#include "policy.h"
#include "sign.h"
#include "store.h"

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool lower_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int ms_pin_policy_parse(const cJSON *entry, uint64_t seq, struct ms_pin_policy *p, struct ms_err *err)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(entry, "require_signed_updates");
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(entry, "operator_keys"), *k;

	memset(p, 0, sizeof(*p));
	if (!cJSON_IsBool(req))
		return ms_fail(err, MS_BAD_INPUT, "policy entry %" PRIu64 ": require_signed_updates is not true or false", seq);
	if (!cJSON_IsArray(keys))
		return ms_fail(err, MS_BAD_INPUT, "policy entry %" PRIu64 ": operator_keys is not an array", seq);
	if (cJSON_GetArraySize(keys) > MS_PIN_MAX_OPERATOR_KEYS)
		return ms_fail(err, MS_BAD_INPUT, "policy entry %" PRIu64 ": more than %d operator_keys", seq,
			       MS_PIN_MAX_OPERATOR_KEYS);
	cJSON_ArrayForEach(k, keys)
	{
		const char *fp = str(k, "key_sha256");
		struct ms_err e2 = { 0 };

		if (!cJSON_IsObject(k) || cJSON_GetArraySize(k) != 3 || !lower_hex64(fp) || ms_pin_key_check(k, &e2))
			return ms_fail(err, MS_BAD_INPUT, "policy entry %" PRIu64 ": operator_keys[%zu]: %s", seq, p->nkeys,
				       e2.msg[0] ? e2.msg : "not {algorithm, public_key, key_sha256}");
		if (p->nkeys && strcmp(p->keys[p->nkeys - 1], fp) >= 0)
			return ms_fail(err, MS_BAD_INPUT, "policy entry %" PRIu64 ": operator_keys are not sorted by key_sha256 "
				       "without repeats", seq);
		strcpy(p->keys[p->nkeys++], fp);
	}
	p->require_signed = cJSON_IsTrue(req);
	p->set = true;
	p->seq = seq;
	return MS_OK;
}

bool ms_pin_policy_has_key(const struct ms_pin_policy *p, const char *key_sha256)
{
	for (size_t i = 0; i < p->nkeys; i++)
		if (!strcmp(p->keys[i], key_sha256))
			return true;
	return false;
}

char *ms_pin_signed_text(const cJSON *entry)
{
	cJSON *copy = cJSON_Duplicate(entry, true);
	char *text;

	if (!copy)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(copy, "signature");
	text = ms_json_canonical(copy);
	cJSON_Delete(copy);
	return text;
}

/* Whether signer may sign under p (a set policy): any signer when it lists no key. */
static bool signer_allowed(const struct ms_pin_policy *p, const char *signer)
{
	return !p->nkeys || ms_pin_policy_has_key(p, signer);
}

int ms_pin_policy_check_entry(const struct ms_pin_policy *store_wide, const struct ms_pin_policy *own,
			      const cJSON *entry, const uint8_t prev_root[32], struct ms_err *err)
{
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(entry, "signature");
	const char *kind = str(entry, "kind"), *prev = str(entry, "previous_root"), *signer = NULL;
	bool policy = kind && !strcmp(kind, "policy");
	const struct ms_pin_policy *sw = store_wide && store_wide->set ? store_wide : NULL;
	const struct ms_pin_policy *dp = own && own->set ? own : NULL;
	char root_hex[65], *text = NULL;
	struct ms_pin_policy next;
	int st;

	/* the store-wide operators may replace a deployment's own policy when their policy requires signatures */
	if (policy && sw && sw->require_signed)
		dp = NULL;
	ms_hex_encode(prev_root, 32, root_hex);
	if (prev && strcmp(prev, root_hex))
		return ms_fail(err, MS_MISMATCH, "its previous_root is not the root of the log it follows (a signed entry "
			       "replayed from elsewhere?)");
	if (!prev && (sig || policy) && (sw || dp || policy))
		return ms_fail(err, MS_MISMATCH, "it names no previous_root, which a %s under a policy must",
			       policy ? "policy entry" : "signed update");
	if (sig) {
		if (!(text = ms_pin_signed_text(entry)))
			return ms_fail(err, MS_NO_MEMORY, "out of memory");
		st = ms_pin_signature_verify(text, strlen(text), sig, err);
		free(text);
		if (st)
			return st;
		signer = str(sig, "key_sha256");
	}
	if (!signer && ((sw && sw->require_signed) || (dp && dp->require_signed)))
		return ms_fail(err, MS_MISMATCH, "it is unsigned, but policy entry %" PRIu64 " requires signed updates",
			       sw && sw->require_signed ? sw->seq : dp->seq);
	if (signer && sw && !signer_allowed(sw, signer))
		return ms_fail(err, MS_MISMATCH, "it is signed by key %.16s..., which is not an operator key of the store-wide "
			       "policy entry %" PRIu64, signer, sw->seq);
	if (signer && dp && !signer_allowed(dp, signer))
		return ms_fail(err, MS_MISMATCH, "it is signed by key %.16s..., which is not an operator key of policy entry "
			       "%" PRIu64, signer, dp->seq);
	if (!policy)
		return MS_OK;
	if ((st = ms_pin_policy_parse(entry, 0, &next, err)))
		return st;
	if (next.require_signed && !next.nkeys)
		return ms_fail(err, MS_MISMATCH, "it requires signed updates but lists no operator key");
	if (next.require_signed && (!signer || !ms_pin_policy_has_key(&next, signer)))
		return ms_fail(err, MS_MISMATCH, "it requires signed updates but is not signed by one of its own operator keys");
	return MS_OK;
}
