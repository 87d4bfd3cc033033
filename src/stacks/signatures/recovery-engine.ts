/**
 * The secp256k1 public-key recovery every signature check goes through, chosen once per isolate:
 * libsecp256k1 in WebAssembly where the runtime gives us the compiled module (a Worker: about
 * four times as fast as JavaScript, which matters because recovery is most of a payment's
 * verification; secp256k1-recover.wasm, built by scripts/build-secp256k1-wasm.sh), else the
 * pure-JavaScript @noble/secp256k1 that @stacks/transactions bundles (Node scripts and tests,
 * or a module that fails to instantiate or to pass the self-check). Both answer the same key for
 * the same input, or both none: recovery-engine.test.ts holds them to it. Neither judges S (high
 * or low): callers that refuse a high S check it themselves.
 */
import { PubKeyEncoding, publicKeyFromSignatureVrs } from '@stacks/transactions';
import { bytesToHex, parseHex } from '../../encoding/hex';
import { instantiateSecp256k1Recovery, type RecoverPublicKey } from './secp256k1-wasm';

export type { RecoverPublicKey } from './secp256k1-wasm';

/** The JavaScript path: @stacks/transactions' `publicKeyFromSignatureVrs` (noble 1.7). */
export const recoverWithJavaScript: RecoverPublicKey = (
  hash,
  compactSignature,
  recoveryId,
  compressed,
) => {
  if (hash.length !== 32 || compactSignature.length !== 64) return null;
  if (!Number.isInteger(recoveryId) || recoveryId < 0 || recoveryId > 3) return null;
  try {
    const key = publicKeyFromSignatureVrs(
      bytesToHex(hash),
      `0${recoveryId}${bytesToHex(compactSignature)}`,
      compressed ? PubKeyEncoding.Compressed : PubKeyEncoding.Uncompressed,
    );
    const parsed = parseHex(key);
    return parsed.ok ? parsed.bytes : null;
  } catch {
    return null;
  }
};

function hex(value: string): Uint8Array {
  const parsed = parseHex(value);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.bytes;
}

/**
 * A known answer (signed with @stacks/transactions `signMessageHashRsv`): a recovery engine that
 * does not reproduce this uncompressed key is not used.
 */
const SELF_CHECK = {
  hash: '76b6c35821dc3ae64345cfc248b954e9d8f82ce919a61fa23d47f148842b5ddf',
  signature:
    'b1d290d050b52f7194b22949d7ea531aa2bcfe19ca0a8c1d65a0a077e2ef295b5ce59e8d58a18c08a5daf2e16d878f20d7fca5633cac42706c860d9f89077be6',
  recoveryId: 0,
  publicKey:
    '040c46461ce12e8ae7504f289d4bd71b0352bb3241945b0a43f3cb7111f2af9dc393316b1e90a6fdc9157015e4b473aaec2e032d6dbf3dc4799a0f5e6be8f38958',
};

export type RecoveryEngine =
  | { engine: 'wasm'; recover: RecoverPublicKey }
  | { engine: 'js'; recover: RecoverPublicKey; reason: string };

/** The WASM engine from `module` when it instantiates and passes the self-check, else JS. */
export function chooseRecoveryEngine(module: WebAssembly.Module | undefined): RecoveryEngine {
  if (module === undefined) {
    return { engine: 'js', recover: recoverWithJavaScript, reason: 'no WebAssembly module' };
  }
  try {
    const recover = instantiateSecp256k1Recovery(module);
    const key = recover(hex(SELF_CHECK.hash), hex(SELF_CHECK.signature), 0, false);
    if (key === null || bytesToHex(key) !== SELF_CHECK.publicKey) {
      return { engine: 'js', recover: recoverWithJavaScript, reason: 'self-check failed' };
    }
    return { engine: 'wasm', recover };
  } catch (error) {
    return { engine: 'js', recover: recoverWithJavaScript, reason: String(error) };
  }
}

/**
 * The compiled module when this runtime's bundler gives `.wasm` imports as modules (wrangler, the
 * Workers vitest pool); undefined elsewhere (Node cannot import a `.wasm` file this way).
 */
const wasmModule: WebAssembly.Module | undefined = await import('./secp256k1-wasm-module').then(
  (loaded) => (loaded.default instanceof WebAssembly.Module ? loaded.default : undefined),
  () => undefined,
);

let chosen: RecoveryEngine | undefined;

/** The engine of this isolate, chosen on first use (instantiating costs nothing until then). */
export function recoveryEngine(): RecoveryEngine {
  chosen ??= chooseRecoveryEngine(wasmModule);
  return chosen;
}

/** Recovers with this isolate's engine: see {@link RecoverPublicKey}. */
export const recoverPublicKeyBytes: RecoverPublicKey = (hash, signature, recoveryId, compressed) =>
  recoveryEngine().recover(hash, signature, recoveryId, compressed);
