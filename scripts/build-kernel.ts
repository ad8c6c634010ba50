/**
 * Assembles each of the engine's WebAssembly kernels (src/engine/*.wat) into its generated
 * module (base64), e.g. affine-kernel.wat -> affine-kernel-wasm.ts.
 *
 *   npm run build-kernel
 */
import { writeFileSync } from 'node:fs';
import { KERNELS, assembleKernel, kernelModuleSource } from './lib/assemble-kernel';

for (const k of KERNELS) {
  const bytes = await assembleKernel(k);
  writeFileSync(k.ts, kernelModuleSource(k, bytes));
  console.log(`wrote ${k.ts} (${bytes.length} bytes of WebAssembly)`);
}
