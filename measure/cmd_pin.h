/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by cmd_pin.c and cmd_pin_log.c. */
#ifndef MS_CMD_PIN_H
#define MS_CMD_PIN_H

#include <stdbool.h>

#include "../pin/store.h"

/*
 * The store to use: uri if given, else $XDG_STATE_HOME/measure/pins.db or
 * ~/.local/state/measure/pins.db (its directory created when create is set).
 * Prints the error and returns its exit code, or 0 with *s open.
 */
int pin_store_open(const char *verb, const char *uri, bool create, struct ms_store **s);
/* Prints "measure: VERB: message" for a store failure and returns the exit code. */
int pin_store_fail(const char *verb, const struct ms_err *err);

int cmd_pin_log(int argc, char **argv);

#endif
