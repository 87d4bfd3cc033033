/**
 * ECDSA public-key recovery with libsecp256k1 compiled to WebAssembly: secp256k1-recover.wasm,
 * our own build (scripts/build-secp256k1-wasm.sh, C side in scripts/secp256k1-wasm/shim.c) of
 * the libsecp256k1 that the secp256k1@5.0.1 npm package vendors, with the recovery module only.
 *
 * The module imports nothing and exports its `memory` and five functions:
 * - `init()` builds the verification context (tables of multiples of G, computed at run time:
 *   about 0.2 ms in workerd) in static memory, once; `recover` also calls it when needed;
 * - `hash_buffer()`, `signature_buffer()`, `key_buffer()` answer the addresses of its fixed
 *   buffers: the 32-byte hash, the 64-byte r || s, the 65 bytes the key is written to;
 * - `recover(recoveryId, compressed)` answers the key's length (33 or 65) or 0 when none is
 *   recovered: recovery id outside 0..3, r or s zero or not below n, no point with that x, or the
 *   point at infinity. It never traps on any input; a trap would mean a broken build.
 *
 * The script's header records the binary's sha256, to rebuild and compare.
 */

/** A 33-byte (compressed) or 65-byte (uncompressed) key, or null when none is recovered. */
export type RecoverPublicKey = (
  hash: Uint8Array,
  compactSignature: Uint8Array,
  recoveryId: number,
  compressed: boolean,
) => Uint8Array | null;

interface Secp256k1Exports {
  memory: WebAssembly.Memory;
  init(): number;
  hash_buffer(): number;
  signature_buffer(): number;
  key_buffer(): number;
  recover(recoveryId: number, compressed: number): number;
}

function isExports(value: WebAssembly.Exports): value is WebAssembly.Exports & Secp256k1Exports {
  return (
    value.memory instanceof WebAssembly.Memory &&
    typeof value.init === 'function' &&
    typeof value.hash_buffer === 'function' &&
    typeof value.signature_buffer === 'function' &&
    typeof value.key_buffer === 'function' &&
    typeof value.recover === 'function'
  );
}

/**
 * Instantiates the compiled module, builds its context and answers its recovery function.
 * Throws when the module cannot be instantiated or lacks the interface above (the caller then
 * keeps the JS path).
 */
export function instantiateSecp256k1Recovery(module: WebAssembly.Module): RecoverPublicKey {
  const wasm = new WebAssembly.Instance(module, {}).exports;
  if (!isExports(wasm)) throw new Error('secp256k1-recover.wasm lacks its interface');
  if (wasm.init() !== 1) throw new Error('secp256k1-recover.wasm: init failed');

  const hashAt = wasm.hash_buffer();
  const signatureAt = wasm.signature_buffer();
  const keyAt = wasm.key_buffer();
  // The module never grows its memory (no heap), so one view serves; rebuilt if it ever did.
  let memory = new Uint8Array(wasm.memory.buffer);

  return (hash, compactSignature, recoveryId, compressed) => {
    if (hash.length !== 32 || compactSignature.length !== 64) return null;
    // The module refuses other ids too, but only after a conversion to i32 (4.5 would be 4).
    if (!Number.isInteger(recoveryId) || recoveryId < 0 || recoveryId > 3) return null;
    if (memory.buffer !== wasm.memory.buffer) memory = new Uint8Array(wasm.memory.buffer);
    memory.set(hash, hashAt);
    memory.set(compactSignature, signatureAt);
    let length: number;
    try {
      length = wasm.recover(recoveryId, compressed ? 1 : 0);
    } catch {
      // A trap (a callback of the library's, unreachable with the checks above): no key.
      return null;
    }
    return length === (compressed ? 33 : 65) ? memory.slice(keyAt, keyAt + length) : null;
  };
}
