/// <reference path="./wasm-module.d.ts" />
/**
 * The compiled libsecp256k1 recovery module (secp256k1-recover.wasm, built by
 * scripts/build-secp256k1-wasm.sh), for runtimes whose bundler gives `.wasm` imports as a
 * `WebAssembly.Module` (wrangler, the Workers vitest pool). Imported dynamically by
 * recovery-engine.ts only: elsewhere (Node) the import fails and recovery stays in JavaScript.
 */
import secp256k1 from './secp256k1-recover.wasm';

export default secp256k1;
