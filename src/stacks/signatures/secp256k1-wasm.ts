/**
 * ECDSA public-key recovery with libsecp256k1 compiled to WebAssembly: the `secp256k1.wasm` that
 * the tiny-secp256k1 package ships (rust-secp256k1 over bitcoin-core's libsecp256k1), driven
 * directly rather than through the package's loader, which reads the file from disk (Node) or
 * expects a bundler's WASM integration; a Worker receives the module already compiled.
 *
 * The module's interface (tiny-secp256k1 2.x): inputs and outputs live in fixed buffers of its
 * linear memory whose addresses are exported as globals (`HASH_INPUT`: 32 bytes,
 * `SIGNATURE_INPUT`: 64 bytes r || s, `PUBLIC_KEY_INPUT`: up to 65 bytes); `recover(outputLength,
 * recoveryId)` answers 1 and leaves the key in `PUBLIC_KEY_INPUT`, or 0 when the signature
 * recovers no key. It imports `generateInt32` (entropy that randomizes the context, which only
 * blinds signing) and `throwError(code)` (called on input it rejects; it must throw).
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
  HASH_INPUT: WebAssembly.Global;
  SIGNATURE_INPUT: WebAssembly.Global;
  PUBLIC_KEY_INPUT: WebAssembly.Global;
  initializeContext(): void;
  recover(outputLength: number, recoveryId: number): number;
}

/** Raised through the module by `throwError`; the codes are tiny-secp256k1's validate_error. */
class Secp256k1InputError extends Error {
  constructor(readonly code: number) {
    super(`libsecp256k1 rejected its input (error code ${code})`);
  }
}

function isExports(value: WebAssembly.Exports): value is WebAssembly.Exports & Secp256k1Exports {
  return (
    value.memory instanceof WebAssembly.Memory &&
    value.HASH_INPUT instanceof WebAssembly.Global &&
    value.SIGNATURE_INPUT instanceof WebAssembly.Global &&
    value.PUBLIC_KEY_INPUT instanceof WebAssembly.Global &&
    typeof value.initializeContext === 'function' &&
    typeof value.recover === 'function'
  );
}

function randomInt32(): number {
  return crypto.getRandomValues(new Int32Array(1))[0];
}

/**
 * Instantiates the compiled module and answers its recovery function. Throws when the module
 * cannot be instantiated or lacks the interface above (the caller then keeps the JS path).
 */
export function instantiateSecp256k1Recovery(module: WebAssembly.Module): RecoverPublicKey {
  const instance = new WebAssembly.Instance(module, {
    './rand.js': { generateInt32: randomInt32 },
    './validate_error.js': {
      throwError: (code: number) => {
        throw new Secp256k1InputError(code);
      },
    },
  });
  const wasm = instance.exports;
  if (!isExports(wasm)) throw new Error('secp256k1.wasm lacks the tiny-secp256k1 2.x interface');
  wasm.initializeContext();

  const hashAt = Number(wasm.HASH_INPUT.value);
  const signatureAt = Number(wasm.SIGNATURE_INPUT.value);
  const publicKeyAt = Number(wasm.PUBLIC_KEY_INPUT.value);
  // Views over the memory; rebuilt if the memory ever grows (growing detaches the old buffer).
  let buffer = wasm.memory.buffer;
  let memory = new Uint8Array(buffer);

  return (hash, compactSignature, recoveryId, compressed) => {
    // The module traps (Rust unwrap) on a recovery id outside 0..3; sizes are fixed.
    if (hash.length !== 32 || compactSignature.length !== 64) return null;
    if (!Number.isInteger(recoveryId) || recoveryId < 0 || recoveryId > 3) return null;
    if (wasm.memory.buffer !== buffer) {
      buffer = wasm.memory.buffer;
      memory = new Uint8Array(buffer);
    }
    memory.set(hash, hashAt);
    memory.set(compactSignature, signatureAt);
    const outputLength = compressed ? 33 : 65;
    let recovered: number;
    try {
      recovered = wasm.recover(outputLength, recoveryId);
    } catch {
      // throwError (r or s out of range) or a trap: either way, no key.
      return null;
    }
    return recovered === 1 ? memory.slice(publicKeyAt, publicKeyAt + outputLength) : null;
  };
}
