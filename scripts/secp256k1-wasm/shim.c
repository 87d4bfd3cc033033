/*
 * ECDSA public-key recovery for WebAssembly: libsecp256k1 (compiled into this translation unit,
 * so that everything it does not need is dropped at link time) behind a four-function interface
 * over fixed static buffers. Built by scripts/build-secp256k1-wasm.sh into
 * src/stacks/signatures/secp256k1-recover.wasm; driven by src/stacks/signatures/secp256k1-wasm.ts.
 *
 * Exports (named by the build script's -Wl,--export flags):
 *   init() -> 1                 builds the verification context (the ecmult tables for G) in a
 *                               static buffer, once; later calls do nothing. Traps if the buffer
 *                               is too small (a build error, not an input error).
 *   hash_buffer() -> address    32 bytes: the message hash.
 *   signature_buffer() -> addr  64 bytes: r || s, big-endian.
 *   key_buffer() -> address     65 bytes: where recover() writes the key.
 *   recover(recid, compressed) -> 33 (compressed) or 65 (uncompressed) bytes written to
 *                               key_buffer, or 0 when no key is recovered: recid outside 0..3,
 *                               r or s zero or not below n, r (+ n for recid 2, 3) not an
 *                               x-coordinate, or the point at infinity. Calls init() if needed.
 *
 * Imports: none. There is no heap: malloc/realloc trap, and libsecp256k1's callbacks (illegal
 * argument, internal error), which recover() never reaches with the checks below, trap too.
 */

#include "src/secp256k1.c"

/* --- The C library functions libsecp256k1 (and clang's lowering of struct copies) call. --- */

void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a;
    const unsigned char *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}

void abort(void) { __builtin_trap(); }

/* Only the non-preallocated context functions call these; nothing exported reaches them. */
void *malloc(size_t size) { (void)size; __builtin_trap(); }
void *realloc(void *ptr, size_t size) { (void)ptr; (void)size; __builtin_trap(); }
void free(void *ptr) { (void)ptr; __builtin_trap(); }

/* USE_EXTERNAL_DEFAULT_CALLBACKS: the context's illegal-argument and error callbacks. */
void secp256k1_default_illegal_callback_fn(const char *message, void *data) {
    (void)message; (void)data;
    __builtin_trap();
}

void secp256k1_default_error_callback_fn(const char *message, void *data) {
    (void)message; (void)data;
    __builtin_trap();
}

/* --- The context: verification tables only (recovery never signs), in static memory. --- */

#ifdef USE_ENDOMORPHISM
#define SHIM_G_TABLES 2 /* pre_g and pre_g_128 */
#else
#define SHIM_G_TABLES 1
#endif

#define SHIM_CONTEXT_BYTES \
    (ROUND_TO_ALIGN(sizeof(secp256k1_context)) + \
     SHIM_G_TABLES * ROUND_TO_ALIGN(sizeof(secp256k1_ge_storage) * ECMULT_TABLE_SIZE(WINDOW_G)))

static unsigned char context_memory[SHIM_CONTEXT_BYTES] __attribute__((aligned(ALIGNMENT)));
static secp256k1_context *context = NULL;

static unsigned char hash_in[32];
static unsigned char signature_in[64];
static unsigned char key_out[65];

int init(void) {
    if (context == NULL) {
        if (secp256k1_context_preallocated_size(SECP256K1_CONTEXT_VERIFY) > sizeof(context_memory)) {
            __builtin_trap();
        }
        context = secp256k1_context_preallocated_create(context_memory, SECP256K1_CONTEXT_VERIFY);
        if (context == NULL) __builtin_trap();
    }
    return 1;
}

unsigned char *hash_buffer(void) { return hash_in; }

unsigned char *signature_buffer(void) { return signature_in; }

unsigned char *key_buffer(void) { return key_out; }

int recover(int recid, int compressed) {
    secp256k1_ecdsa_recoverable_signature signature;
    secp256k1_pubkey key;
    size_t length = compressed ? 33 : 65;

    /* parse_compact's ARG_CHECK would call the (trapping) illegal callback: refuse first. */
    if (recid < 0 || recid > 3) return 0;
    init();
    /* 0 when r or s is not below n. */
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, signature_in, recid)) {
        return 0;
    }
    /* 0 when r or s is zero, r (+ n) is no x-coordinate, or the result is infinity. */
    if (!secp256k1_ecdsa_recover(context, &key, &signature, hash_in)) return 0;
    if (!secp256k1_ec_pubkey_serialize(context, key_out, &length, &key,
                                       compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED)) {
        return 0;
    }
    return (int)length;
}
