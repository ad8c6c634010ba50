/**
 * Checks the production builds (`npm run build`) ship what the README promises: fewest
 * permissions, the wasm CSP, the content script in all frames, ORT and the fixture model
 * bundled, no remote code, and the two store zips.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseModel } from '../../src/host/model-choice';

const CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'";
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

function readManifest(dir: string): Record<string, unknown> {
  const path = resolve(dir, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const builds = [
  { browser: 'chrome', dir: '.output/chrome-mv3', permissions: ['storage', 'offscreen'] },
  { browser: 'firefox', dir: '.output/firefox-mv2', permissions: ['storage'] },
] as const;

describe.each(builds)('$browser production build', ({ browser, dir, permissions }) => {
  const manifest = readManifest(dir);

  it('should ask only for the permissions explained in the README', () => {
    expect(manifest.permissions).toEqual(permissions);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_permissions).toBeUndefined();
    expect(manifest.externally_connectable).toBeUndefined();
  });

  it('should allow WebAssembly but no remote or inline scripts', () => {
    const csp = browser === 'chrome' ? (manifest.content_security_policy as { extension_pages: string }).extension_pages : manifest.content_security_policy;
    expect(csp).toBe(CSP);
  });

  it('should inject the content script into every frame', () => {
    expect(manifest.content_scripts).toEqual([
      expect.objectContaining({ matches: ['<all_urls>'], all_frames: true, match_about_blank: true }),
    ]);
  });

  it('should bundle onnxruntime-web and the fixture model instead of fetching them', () => {
    for (const file of ['ort/ort-wasm-simd-threaded.mjs', 'ort/ort-wasm-simd-threaded.wasm', 'fixtures/tiny.onnx']) {
      expect(existsSync(resolve(dir, file)), file).toBe(true);
    }
  });

  it('should contain no remote script URLs or e2e test hooks', () => {
    for (const file of filesUnder(resolve(dir)).filter((f) => /\.(m?js|html)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/<script[^>]+src=["']https?:/i);
      expect(text, file).not.toMatch(/\bimport\s*\(\s*["']https?:/);
      expect(text, file).not.toMatch(/cdn\.jsdelivr|unpkg\.com|cdnjs/);
      expect(text, file).not.toContain('swipeAnywhereE2eSelfTest');
    }
  });

  it('should ship exactly one model (the chosen one), the options page, the toolbar button and the shortcut', () => {
    const { name } = chooseModel();
    expect(readdirSync(resolve(dir, 'models'))).toEqual([name]);
    // only what the engine host loads: no second encoder variant, no step.onnx, no android/
    expect(readdirSync(resolve(dir, 'models', name)).sort()).toEqual([...chooseModel().files].sort());
    const m = JSON.parse(readFileSync(resolve(chooseModel().dir, 'model.json'), 'utf8')) as { encoder: { file: string }; predictor: { file: string }; native?: { file: string; default: boolean } };
    // the network: weights.bin for the engine's own runtime (the shipped default), else the ONNX pair;
    // so the keyboard tests' decodes in this build run on the runtime model.json chose
    const network = m.native?.default ? [m.native.file] : [m.encoder.file, m.predictor.file];
    for (const file of ['model.json', 'qwerty.json', ...network, 'joint.bin']) expect(existsSync(resolve(dir, 'models', name, file)), file).toBe(true);
    if (m.native?.default) for (const file of [m.encoder.file, m.predictor.file]) expect(existsSync(resolve(dir, 'models', name, file)), file).toBe(false);
    expect(existsSync(resolve(dir, 'options.html'))).toBe(true);
    expect(manifest[browser === 'chrome' ? 'action' : 'browser_action']).toMatchObject({ default_title: expect.stringContaining('Alt+Shift+K') });
    expect(manifest.commands).toEqual({ 'toggle-keyboard': expect.objectContaining({ suggested_key: { default: 'Alt+Shift+K' } }) });
  });

  it('should contain no test-only keyboard hooks', () => {
    for (const file of filesUnder(resolve(dir)).filter((f) => /\.(m?js|html)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      for (const hook of ['swipeAnywhereE2eMeasure', 'swipeAnywhereE2eOpenOptions', 'swipeAnywhereE2eToggle', 'swipeAnywhereKeys']) expect(text, file).not.toContain(hook);
    }
  });

  it('should have a store zip', () => {
    expect(existsSync(resolve(`.output/swipe-anywhere-${version}-${browser}.zip`))).toBe(true);
  });
});

describe('browser-specific manifest keys', () => {
  it('should run the Chrome background as a service worker with an offscreen engine host', () => {
    const manifest = readManifest('.output/chrome-mv3');
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.background).toEqual({ service_worker: 'background.js' });
    expect(existsSync(resolve('.output/chrome-mv3/offscreen.html'))).toBe(true);
  });

  it('should make the Firefox background page the engine host and carry a gecko id', () => {
    const manifest = readManifest('.output/firefox-mv2');
    expect(manifest.background).toEqual({ scripts: ['background.js'] });
    expect(manifest.browser_specific_settings).toMatchObject({ gecko: { id: 'swipe-anywhere@swipe-anywhere.dev' } });
    expect(existsSync(resolve('.output/firefox-mv2/offscreen.html'))).toBe(false);
  });
});
