/**
 * Assembles each of the engine's WebAssembly kernels (src/engine/*.wat) into its generated
 * module (base64), e.g. affine-kernel.wat -> affine-kernel-wasm.ts; the network kernel also in a
 * relaxed-SIMD build.
 *
 *   npm run build-kernel
 */
import { writeFileSync } from 'node:fs';
import { KERNELS, assembleKernel, assembleRelaxedKernel, kernelModuleSource } from './lib/assemble-kernel';

for (const k of KERNELS) {
  const bytes = await assembleKernel(k);
  const relaxed = await assembleRelaxedKernel(k);
  writeFileSync(k.ts, kernelModuleSource(k, bytes, relaxed));
  console.log(`wrote ${k.ts} (${bytes.length} bytes of WebAssembly${relaxed ? `, relaxed ${relaxed.length}` : ''})`);
}
