/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TDX_DSTACK_LOG_H
#define MS_TDX_DSTACK_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "events.h"

/* dstack's run-time events (RTMR3): TDX event type 0x08000001, not a TCG type. */
#define MS_DSTACK_RUNTIME_EVENT 0x08000001u
/* Longest event name read; dstack's are a few words. */
#define MS_DSTACK_MAX_NAME 4096u

/*
 * The digest dstack extends for a run-time event (cc-eventlog RuntimeEvent):
 *   version 1: SHA-384(le32(0x08000001) || ":" || name || ":" || payload)
 *   version 2: SHA-384 of the RFC 8785 (JCS) text
 *              {"name":NAME,"payload":"<payload as lowercase hex>","type":134217729}
 * The payload is the raw bytes (the JSON log carries them as hex). The
 * preimage is written to *preimage (malloc'd) when preimage is not NULL.
 */
enum ms_status ms_dstack_event_digest(unsigned version, const char *name, const uint8_t *payload, size_t payload_len,
				      uint8_t out[MS_SHA384_LEN], uint8_t **preimage, size_t *preimage_len,
				      struct ms_err *err);

/*
 * dstack's JSON event log: an array of {imr, event_type, digest, event,
 * event_payload[, version][, preimage]} (digest, event_payload and preimage
 * as hex), or an object holding one as "event_log" (an array, or a string of
 * JSON as dstack's GetQuote returns it; the object's other members are not
 * read). Strict JSON. The run-time events' digests are recomputed by
 * ms_dstack_event_digest: a stated digest (or preimage) that differs is an
 * error, an empty one is filled in. Other events carry the digest of data
 * the log does not hold (firmware tables, the kernel): it is replayed as
 * logged and the description says so.
 *
 * Same contract as ms_ccel_walk: each event goes to fn in order, nothing is
 * kept, out->rtmr holds the replay.
 */
enum ms_status ms_dstack_log_walk(const uint8_t *buf, size_t len, struct ms_ccel *out, ms_ccel_event_fn *fn,
				  void *arg, struct ms_err *err);

#endif
