import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { resolve } from 'node:path';
import { defaultClientConditions } from 'vite';
import { chooseModel } from './src/host/model-choice';
import { TOGGLE_COMMAND, TOGGLE_SHORTCUT } from './src/content/toggle';

// The one shipped model (swipe-v1 when present, else the dev-random stand-in; $SWIPE_MODEL
// overrides): only its folder is packaged, and its name is compiled in (src/host/model.ts).
const MODEL = chooseModel();

// ORT's wasm runtime for the `onnxruntime-web/wasm` bundle we import (src/host/ort-runtime.ts).
// Copied from node_modules at build time instead of committed, so the lockfile pins the version.
const ORT_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

export default defineConfig({
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  vite: () => ({
    plugins: [preact()],
    // Selects ORT's build that loads its wasm glue from env.wasm.wasmPaths (our /ort/ copy)
    // instead of the bundle that makes Vite emit a second 14 MB copy of the .wasm.
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
    define: {
      __SWIPE_MODEL__: JSON.stringify(MODEL.name),
      __SWIPE_LEXICON__: JSON.stringify(MODEL.lexiconFile ?? ''),
    },
  }),
  manifest: ({ browser }) => ({
    name: 'SwipeAnywhere',
    description: 'Swipe typing in any text field, decoded on your device. Nothing leaves the browser.',
    // Fewest permissions that work; each is explained in the README.
    permissions: browser === 'firefox' ? ['storage'] : ['storage', 'offscreen'],
    // Toolbar button and shortcut: keyboard on/off for the current site (no popup, no extra permission).
    action: { default_title: `SwipeAnywhere: keyboard on/off for this site (${TOGGLE_SHORTCUT})` },
    commands: {
      [TOGGLE_COMMAND]: { suggested_key: { default: TOGGLE_SHORTCUT }, description: 'Show or hide the swipe keyboard on this site' },
    },
    content_security_policy: {
      // 'wasm-unsafe-eval' lets ORT compile its WebAssembly; scripts still come only from the package.
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    ...(browser === 'firefox'
      ? { browser_specific_settings: { gecko: { id: 'swipe-anywhere@swipe-anywhere.dev', strict_min_version: '128.0', data_collection_permissions: { required: ['none'] } } } }
      : {}),
  }),
  zip: {
    // The sources zip is for Firefox add-on review: what rebuilds the extension, not the
    // Python training pipeline or local data.
    excludeSources: ['training/**', 'data-local/**', '.ci/**'],
  },
  hooks: {
    'build:publicAssets': (_wxt, files) => {
      // Package only the chosen model, and of it only what the engine host loads.
      const keep = (dest: string): boolean => {
        const m = /^models\/([^/]+)\/(.+)$/.exec(dest.replace(/\\/g, '/'));
        if (!m) return true;
        return m[1] === MODEL.name && MODEL.files.includes(m[2] ?? '');
      };
      for (let i = files.length - 1; i >= 0; i--) {
        const f = files[i]!;
        if ('relativeDest' in f && !keep(f.relativeDest)) files.splice(i, 1);
      }
      for (const name of ORT_FILES) {
        files.push({ absoluteSrc: resolve('node_modules/onnxruntime-web/dist', name), relativeDest: `ort/${name}` });
      }
      // The tiny fixture model backs the engine host's selfTest (#3); it is under 1 KB.
      files.push({ absoluteSrc: resolve('test/fixtures/tiny-model/tiny.onnx'), relativeDest: 'fixtures/tiny.onnx' });
    },
  },
});
