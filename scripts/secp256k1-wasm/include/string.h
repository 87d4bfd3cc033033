/* Freestanding stand-in for <string.h>: the three functions libsecp256k1 uses (defined in shim.c). */
#ifndef SECP256K1_WASM_STRING_H
#define SECP256K1_WASM_STRING_H
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif
