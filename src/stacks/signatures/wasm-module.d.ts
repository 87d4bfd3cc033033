/**
 * `import module from './x.wasm'`: wrangler's default module rules (and the Workers vitest pool)
 * give a `.wasm` import as a compiled `WebAssembly.Module` (type CompiledWasm).
 */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
