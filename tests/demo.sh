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
step "$M" snp --vcpus=4 --vcpu-type=EPYC-Milan --ovmf=fixtures/firmware/OVMF_CODE.fd
step "$M" snp --explain --vcpus=2 --vmm-type=ec2 --ovmf=fixtures/snp/synth-amdsev.bin --kernel=fixtures/snp/synth-kernel.bin --append=quiet
step "$M" tdx --firmware fixtures/firmware/OVMF.fd --memory 2G --kernel fixtures/kernel/vmlinuz-6.1.0-56-amd64 --cmdline "console=ttyS0" --qemu-version 9.2
