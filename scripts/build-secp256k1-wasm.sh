#!/usr/bin/env bash
# Builds src/stacks/signatures/secp256k1-recover.wasm: ECDSA public-key recovery from
# libsecp256k1 (bitcoin-core, MIT), compiled to WebAssembly for the Worker (see
# src/stacks/signatures/secp256k1-wasm.ts for the interface, scripts/secp256k1-wasm/shim.c for
# the C side).
#
# Prerequisites (Debian 12): apt-get install -y clang lld   (clang 14 with the wasm32 target,
# and wasm-ld), plus npm and node. Run from anywhere: scripts/build-secp256k1-wasm.sh
#
# What it does:
#  1. Fetches the C source with `npm pack secp256k1@5.0.1` into a temporary directory and checks
#     the tarball against the registry's sha512 integrity pinned below. That package vendors
#     libsecp256k1 in package/src/secp256k1/: the 2019 pre-release snapshot (configure.ac
#     AC_INIT 0.1, with GMP num, USE_ENDOMORPHISM and ECMULT_GEN_PREC_BITS; secp256k1-node's
#     binding.gyp calls its defaults those of "544002c at 24.11.2019", which we read as upstream
#     bitcoin-core/secp256k1 commit 544002c, not checked against upstream). None of that source is
#     copied into this repo.
#  2. Compiles scripts/secp256k1-wasm/shim.c, which #includes src/secp256k1.c (one translation
#     unit, so the linker keeps only what recovery reaches), with scripts/secp256k1-wasm/include
#     standing in for the three libc headers the library includes (no libc, no sysroot).
#
# Flags, and why:
#  --target=wasm32 -O3 -nostdlib -ffreestanding   WebAssembly, optimized for speed, no libc; the
#                                 shim defines memcpy/memset/memcmp/abort and trapping malloc.
#  -std=c89 -Wall -Wextra -Wno-unused-function -Wno-long-long -Wno-overlength-strings   the
#                                 library's own dialect; it compiles with no warning.
#  -DENABLE_MODULE_RECOVERY=1     the recovery module (secp256k1_ecdsa_recover).
#  -DUSE_FIELD_10X26=1 -DUSE_SCALAR_8X32=1   the 32-bit limb field and scalar implementations
#                                 (the 64-bit ones need __int128, a libcall on wasm32).
#  -DUSE_NUM_NONE=1 -DUSE_FIELD_INV_BUILTIN=1 -DUSE_SCALAR_INV_BUILTIN=1   no GMP, no asm: the
#                                 library's own inversions.
#  -DUSE_ENDOMORPHISM=1           the GLV endomorphism split: recovery about 15 % faster here
#                                 (118 vs 140 µs; off by default in 2019 for patent reasons,
#                                 long expired).
#  -DECMULT_WINDOW_SIZE=8         the window of the precomputed odd multiples of G used by
#                                 recovery. This version computes that table when the context is
#                                 created (init(), once per isolate), not at build time, so the
#                                 window costs start-up time and memory, not .wasm bytes (all
#                                 windows give about 79 KB, 26 KB gzip): 2^(w-2) points of 64
#                                 bytes, twice with the endomorphism. Measured in workerd
#                                 (instantiate + init / one recovery): w=4 0.1 ms / 130 µs,
#                                 w=8 0.2 ms / 118 µs, w=10 0.4 ms / 120 µs, w=12 1.4 ms / 118 µs,
#                                 w=15 10 ms / 115 µs; without the endomorphism (w=12) 140 µs.
#                                 (tiny-secp256k1 2.2.4: 210 µs; @noble/secp256k1 1.7: 480 µs.)
#                                 8 KiB of tables, and recovery as fast as with the large ones.
#  -DECMULT_GEN_PREC_BITS=2       sizes the signing table, never built here (the context is
#                                 SECP256K1_CONTEXT_VERIFY only); but context creation reserves
#                                 its build buffer on the stack even when not signing (about
#                                 110 KB at 2 bits, 214 KB at 4), hence 2, and:
#  -Wl,-z,stack-size=196608 -Wl,--stack-first   a 192 KiB stack for that frame, placed below
#                                 the data so that an overflow traps instead of overwriting it.
#                                 Zeroed memory, no .wasm bytes.
#  -DUSE_EXTERNAL_DEFAULT_CALLBACKS=1   the default illegal/error callbacks are the shim's, which
#                                 trap, instead of fprintf + abort.
#  -Wl,--no-entry -Wl,--export=...     a library module: no _start, only the shim's five
#                                 functions (and the memory) exported.
#  -Wl,--strip-all                no name or debug sections.
#
# Output with the defaults (clang 14.0.6 from Debian 12; another compiler gives other bytes):
#   secp256k1-recover.wasm  79274 bytes, 26146 bytes gzip -9 (gzip -9 <file)
#   sha256 6f27f68c3b3fe5e861e495eb64089f2cf53891cbbe52bcc4dcec32523569244c
#
# ECMULT_WINDOW_SIZE and OUT may be overridden from the environment to measure other settings.
set -euo pipefail

PACKAGE='secp256k1@5.0.1'
INTEGRITY='sha512-lDFs9AAIaWP9UCdtWrotXWWF9t8PWgQDcxqgAnpM9rMqxb3Oaq2J0thzPVSxBwdJgyQtkU/sYtFtbM1RSt/iYA=='
WINDOW="${ECMULT_WINDOW_SIZE:-8}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHIM_DIR="$ROOT/scripts/secp256k1-wasm"
OUT="${OUT:-$ROOT/src/stacks/signatures/secp256k1-recover.wasm}"
CLANG="${CLANG:-clang}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# 1. The source, checked against the pinned integrity.
(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null)
TARBALL="$(ls "$WORK"/secp256k1-*.tgz)"
ACTUAL="sha512-$(openssl dgst -sha512 -binary "$TARBALL" | base64 -w0)"
if [ "$ACTUAL" != "$INTEGRITY" ]; then
  echo "integrity mismatch for $PACKAGE: $ACTUAL" >&2
  exit 1
fi
tar -xzf "$TARBALL" -C "$WORK"
SRC="$WORK/package/src/secp256k1"

# 2. Compile and link.
"$CLANG" --target=wasm32 -O3 -nostdlib -ffreestanding \
  -std=c89 -Wall -Wextra -Wno-unused-function -Wno-long-long -Wno-overlength-strings \
  -I "$SHIM_DIR/include" -I "$SRC" -I "$SRC/src" \
  -DENABLE_MODULE_RECOVERY=1 \
  -DUSE_FIELD_10X26=1 -DUSE_SCALAR_8X32=1 \
  -DUSE_NUM_NONE=1 -DUSE_FIELD_INV_BUILTIN=1 -DUSE_SCALAR_INV_BUILTIN=1 \
  -DUSE_ENDOMORPHISM=1 \
  -DECMULT_WINDOW_SIZE="$WINDOW" -DECMULT_GEN_PREC_BITS=2 \
  -DUSE_EXTERNAL_DEFAULT_CALLBACKS=1 \
  -Wl,--no-entry \
  -Wl,--export=init -Wl,--export=recover \
  -Wl,--export=hash_buffer -Wl,--export=signature_buffer -Wl,--export=key_buffer \
  -Wl,-z,stack-size=196608 -Wl,--stack-first \
  -Wl,--strip-all \
  -o "$OUT" "$SHIM_DIR/shim.c"

echo "built $OUT (ECMULT_WINDOW_SIZE=$WINDOW, $("$CLANG" --version | head -1))"
echo "size: $(wc -c <"$OUT") bytes, gzip -9: $(gzip -9 <"$OUT" | wc -c) bytes"
echo "SHA256 $(sha256sum "$OUT" | cut -d' ' -f1)"
