/* Freestanding stand-in for <stdio.h>: empty. libsecp256k1 prints only from its default callbacks
 * (replaced: USE_EXTERNAL_DEFAULT_CALLBACKS) and from CHECK (tests and VERIFY builds only), so a
 * use of fprintf would fail to compile rather than link to nothing. */
#ifndef SECP256K1_WASM_STDIO_H
#define SECP256K1_WASM_STDIO_H
#endif
