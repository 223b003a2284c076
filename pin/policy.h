/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_PIN_POLICY_H
#define MS_PIN_POLICY_H

/*
 * The update policy of a pin store, kept as log entries so that 'pin log
 * verify' replays it. A "policy" entry states the whole policy of its scope,
 * the store (deployment "") or one deployment:
 *
 *   "require_signed_updates": true | false,
 *   "operator_keys": [ {"algorithm", "public_key", "key_sha256"}, ... ]  sorted by key_sha256
 *
 * The store-wide policy is a floor under a deployment's own policy: for an
 * update (or destroy) of a deployment,
 *   - it must be signed when either policy requires signed updates;
 *   - a signature must be by a key both policies accept (a policy that lists
 *     no key accepts any);
 *   - a signed entry names the root of the log it was appended to
 *     ("previous_root"), so a signature cannot be replayed at another point
 *     of the log or onto another log.
 * A store-wide policy entry stands under the store-wide policy alone. A
 * deployment's policy entry stands under both, except that when the store-wide
 * policy requires signed updates it stands under the store-wide one alone (its
 * operators can always replace a deployment's policy, so one set first by
 * someone else cannot lock them out),
 * and a policy entry that requires signed updates must list at least one key
 * and be signed by one of them (the new rule is never one nobody can follow).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

#define MS_PIN_MAX_OPERATOR_KEYS 32

struct ms_pin_policy {
	bool set;            /* a policy entry is in force */
	uint64_t seq;        /* that entry */
	bool require_signed;
	size_t nkeys;
	char keys[MS_PIN_MAX_OPERATOR_KEYS][65]; /* key_sha256 of each operator key, sorted */
};

/* The rules of policy entry `entry` (number seq). MS_BAD_INPUT naming the malformed field. */
int ms_pin_policy_parse(const cJSON *entry, uint64_t seq, struct ms_pin_policy *p, struct ms_err *err);

bool ms_pin_policy_has_key(const struct ms_pin_policy *p, const char *key_sha256);

/* The text an operator signature covers: the canonical entry without "signature". free() it; NULL: no memory. */
char *ms_pin_signed_text(const cJSON *entry);

/*
 * Whether `entry` (kind "update", "destroy" or "policy"), appended to a log
 * whose root was prev_root, may stand under the store-wide policy and the
 * deployment's own policy (NULL or ->set false: none; own NULL for a
 * store-wide policy entry). Verifies the entry's signature when it has one. MS_OK, or
 * MS_MISMATCH (MS_BAD_SIGNATURE for a signature that does not verify,
 * MS_BAD_INPUT for a malformed one) with a message that says why.
 */
int ms_pin_policy_check_entry(const struct ms_pin_policy *store_wide, const struct ms_pin_policy *own,
			      const cJSON *entry, const uint8_t prev_root[32], struct ms_err *err);

#endif
