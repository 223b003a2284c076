/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "status.h"
#include "text.h"

int ms_exit_code(enum ms_status status)
{
	switch (status) {
	case MS_OK:
		return 0;
	case MS_MISMATCH:
		return 1;
	case MS_BAD_INPUT:
	case MS_USAGE:
	case MS_NO_MEMORY:
		return 2;
	case MS_BAD_SIGNATURE:
		return 3;
	case MS_NO_COLLATERAL:
		return 4;
	case MS_UNSUPPORTED:
		return 5;
	}
	return 2;
}

enum ms_status ms_vfail(struct ms_err *err, enum ms_status status, const char *fmt, va_list ap)
{
	if (err) {
		err->status = status;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		/* messages quote evidence (certificate names, claims, JSON strings): one line, no terminal controls */
		ms_text_escape_inplace(err->msg, sizeof(err->msg));
	}
	return status;
}

enum ms_status ms_fail(struct ms_err *err, enum ms_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ms_vfail(err, status, fmt, ap);
	va_end(ap);
	return status;
}

enum ms_status ms_err_input(struct ms_err *err, enum ms_input input, enum ms_status status)
{
	if (err && status)
		err->input = input;
	return status;
}
