/**
 * `npm run demo`: the keyboard and the engine on a plain local page (no extension), served on
 * 127.0.0.1. The same code paths as the extension: content-script overlay -> messaging client
 * -> background router -> engine host -> src/engine, all in the page. The model folder comes
 * from public/models/<chosen>/ (src/host/model-choice.ts), ORT's wasm from node_modules.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { chooseModel } from '../src/host/model-choice.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MODEL = chooseModel(resolve(ROOT, 'public/models'));
const ORT_DIST = resolve(ROOT, 'node_modules/onnxruntime-web/dist');

/** Serves /ort/* from node_modules and /models/<name>/* from public/models (nothing copied into git). */
function localFiles(): Plugin {
  const types: Record<string, string> = { mjs: 'text/javascript', wasm: 'application/wasm', json: 'application/json' };
  return {
    name: 'swipe-demo-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        let file: string | undefined;
        if (/^\/ort\/ort-wasm-simd-threaded\.(mjs|wasm)$/.test(url)) file = resolve(ORT_DIST, url.slice('/ort/'.length));
        else if (url.startsWith(`/models/${MODEL.name}/`) && !url.includes('..')) file = resolve(MODEL.dir, url.slice(`/models/${MODEL.name}/`.length));
        if (!file || !existsSync(file)) return next();
        res.setHeader('content-type', types[file.split('.').pop() ?? ''] ?? 'application/octet-stream');
        createReadStream(file).pipe(res);
      });
    },
  };
}

export default defineConfig({
  root: resolve(ROOT, 'demo'),
  publicDir: false,
  plugins: [preact(), localFiles()],
  resolve: {
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
    alias: { '@': ROOT },
  },
  define: {
    __SWIPE_MODEL__: JSON.stringify(MODEL.name),
    __SWIPE_LEXICON__: JSON.stringify(MODEL.lexiconFile ?? ''),
  },
  server: { host: '127.0.0.1', port: 5177, strictPort: false, fs: { allow: [ROOT] } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
