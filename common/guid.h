/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_GUID_H
#define MS_GUID_H

#include <stdint.h>

/* An EFI GUID as stored (the first three fields little-endian). */
struct ms_guid {
	uint8_t b[16];
};

/* Parses "96b582de-1fb2-45f7-baea-a366c55a082d" into the stored byte order. */
struct ms_guid ms_guid_parse(const char *text);
void ms_guid_format(const struct ms_guid *g, char out[37]);

#endif
