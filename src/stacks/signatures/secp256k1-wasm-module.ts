/// <reference path="./wasm-module.d.ts" />
/**
 * The compiled libsecp256k1 module, for runtimes whose bundler gives `.wasm` imports as a
 * `WebAssembly.Module` (wrangler, the Workers vitest pool). Imported dynamically by
 * recovery-backend.ts only: elsewhere (Node) the import fails and recovery stays in JavaScript.
 * The path is relative because tiny-secp256k1's package exports do not expose the file.
 */
import secp256k1 from '../../../node_modules/tiny-secp256k1/lib/secp256k1.wasm';

export default secp256k1;
