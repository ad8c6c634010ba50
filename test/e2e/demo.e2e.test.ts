/**
 * `npm run demo`: the demo page (Vite dev server on 127.0.0.1) runs the same keyboard and engine
 * in the page; a real dev swipe replayed over it lands in the textarea as the engine's top word.
 */
import { chromium, type Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDevTraces, norm, swipeOnce, type Evaluate } from './support/swipe';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('demo page', () => {
  let server: ViteDevServer;
  let browser: Browser;
  const outside: string[] = [];

  beforeAll(async () => {
    server = await createServer({ configFile: 'demo/vite.config.ts', server: { port: 0 }, logLevel: 'warn' });
    await server.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new', '--disable-gpu'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('should decode a real swipe in the page and type the top word into the textarea', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on('request', (r) => {
      const { hostname, protocol } = new URL(r.url());
      if (!['data:', 'blob:'].includes(protocol) && hostname !== '127.0.0.1') outside.push(r.url());
    });
    const url = server.resolvedUrls!.local[0]!;
    await page.goto(`${url}?e2e`);
    await page.waitForFunction(() => /ready|error/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 60_000 });
    expect(await page.textContent('#status')).toMatch(/ready/);
    await page.click('#text');
    const evaluate = ((fn: (a: unknown) => unknown, arg: unknown) => page.evaluate(fn, arg)) as Evaluate;
    const [trace] = loadDevTraces(1);
    const words = await swipeOnce(page.mouse, evaluate, trace!);
    expect(words.length).toBeGreaterThan(0);
    expect(norm(await page.inputValue('#text'))).toBe(`${norm(words[0]!)} `);
    expect(outside).toEqual([]);
    await page.close();
  });
});
