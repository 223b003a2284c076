#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make demo: the main job on the bundled fixtures.
set -e
M=${1:-build/measure}
F=fixtures/eif
step() { printf '\n$ %s\n' "$*"; "$@"; }

echo "measure $($M --version | cut -d' ' -f2): expected launch measurements from build artifacts"
step "$M" eif "$F/tiny-signed.eif"
step "$M" eif --json "$F/tiny.eif"
step "$M" eif --format nitro-cli "$F/one-ramdisk.eif"
