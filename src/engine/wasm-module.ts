/**
 * A kernel's WebAssembly (base64 in its generated module) compiled synchronously: the kernels are
 * a few KB, small enough for any thread. null where this context cannot run it: no WebAssembly, a
 * feature it lacks (SIMD, relaxed SIMD), or a CSP without 'wasm-unsafe-eval'.
 */
export function compileKernel(base64: string): WebAssembly.Module | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}
