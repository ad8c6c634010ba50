/**
 * Assembles src/engine/affine-kernel.wat into src/engine/affine-kernel-wasm.ts (base64).
 *
 *   npm run build-kernel
 */
import { writeFileSync } from 'node:fs';
import { KERNEL_TS, assembleKernel, kernelModuleSource } from './lib/assemble-kernel';

const bytes = await assembleKernel();
writeFileSync(KERNEL_TS, kernelModuleSource(bytes));
console.log(`wrote ${KERNEL_TS} (${bytes.length} bytes of WebAssembly)`);
