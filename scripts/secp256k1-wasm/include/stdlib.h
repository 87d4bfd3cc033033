/* Freestanding stand-in for <stdlib.h>, enough for libsecp256k1 on wasm32: the declarations it
 * uses. shim.c defines them (malloc/realloc trap: the preallocated context needs no heap). */
#ifndef SECP256K1_WASM_STDLIB_H
#define SECP256K1_WASM_STDLIB_H
#include <stddef.h>
void *malloc(size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
void abort(void) __attribute__((noreturn));
#endif
