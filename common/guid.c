/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "guid.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

struct ms_guid ms_guid_parse(const char *t)
{
	/* byte i of the stored GUID comes from text position pos[i] */
	static const int pos[16] = { 6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34 };
	struct ms_guid g;

	for (int i = 0; i < 16; i++)
		g.b[i] = (uint8_t)(hexval(t[pos[i]]) << 4 | hexval(t[pos[i] + 1]));
	return g;
}

void ms_guid_format(const struct ms_guid *g, char out[37])
{
	const uint8_t *b = g->b;

	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3],
		 b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
}
