/**
 * Loads onnxruntime-web from the extension's own files, never a CDN: the build copies ORT's
 * .mjs/.wasm into /ort/ (see wxt.config.ts) and wasmPaths points there.
 */
import * as ort from 'onnxruntime-web/wasm';

export type Ort = typeof ort;

/** Folder, inside the extension, holding ORT's wasm runtime files. */
export const ORT_DIR = '/ort/';

let configured = false;

export function loadOrt(extensionUrl: (path: string) => string): Ort {
  if (!configured) {
    ort.env.wasm.wasmPaths = extensionUrl(ORT_DIR);
    // Extension pages are not cross-origin isolated, so SharedArrayBuffer threads are off;
    // one thread and no proxy worker keeps ORT from trying.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    configured = true;
  }
  return ort;
}
