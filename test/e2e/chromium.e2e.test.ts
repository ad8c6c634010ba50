/**
 * Chromium: load the built extension (--load-extension), and run the selfTest round trip
 * content script -> service worker -> offscreen document (ORT + tiny model) -> back.
 * Also closes the offscreen document and checks the background recreates it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitEscaped } from './support/browser-services';
import { BRIDGE_KEY, requestSelfTestInPage } from './support/bridge';
import {
  CHROME_EXTENSION_DIR,
  expected,
  expectTinyModelAnswer,
  isAllowedUrl,
  requireBuild,
  type SelfTestAnswer,
} from './support/fixtures';
import { startLocalServer, TEST_PAGE_PATH, type LocalServer } from './support/local-server';
import { defineKeyboardTests, type PageAdapter } from './support/keyboard-suite';
import type { Evaluate } from './support/swipe';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Fetched on purpose from the service worker, to prove the proxy sees extension requests. */
const EGRESS_CONTROL_URL = 'http://egress-control.invalid/probe';

/** The bits of the `chrome` global the tests call inside the service worker. */
declare const chrome: {
  runtime: { getContexts(filter: { contextTypes: string[] }): Promise<unknown[]> };
  offscreen: { closeDocument(): Promise<void> };
};

describe('Chromium extension', () => {
  let server: LocalServer;
  let context: BrowserContext;
  let worker: Worker;
  let userDataDir: string;
  const requests: string[] = [];

  beforeAll(async () => {
    const extension = requireBuild(CHROME_EXTENSION_DIR);
    server = await startLocalServer();
    userDataDir = mkdtempSync(join(tmpdir(), 'swipe-e2e-chromium-'));
    // Lets context.on('request') see the service worker's own fetches too.
    process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: false, // headless comes from --headless=new below, which supports extensions
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Quiet the browser's own services (autofill predictions, sign-in, extension updates,
        // safe-browsing, translate) so that any request reaching the proxy is a real finding.
        '--disable-default-apps',
        '--disable-domain-reliability',
        '--disable-client-side-phishing-detection',
        '--no-pings',
        '--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter,DialMediaRouteProvider,SafeBrowsing,AccountConsistency,SigninInterceptBubble,ChromeSignin,NetworkTimeServiceQuerying',
        '--extensions-update-frequency=86400',
        `--proxy-server=http://127.0.0.1:${server.port}`,
        `--disable-extensions-except=${extension}`,
        `--load-extension=${extension}`,
      ],
      ignoreDefaultArgs: ['--disable-extensions'],
    });
    context.on('request', (request) => requests.push(request.url()));
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function selfTestFromPage(): Promise<SelfTestAnswer> {
    const page = await context.newPage();
    try {
      await page.goto(server.origin + TEST_PAGE_PATH);
      await page.locator('#text').click(); // a real focused text field, as in use
      const raw = await page.evaluate(requestSelfTestInPage, [BRIDGE_KEY, expected.input.data, 60_000] as [string, number[], number]);
      return JSON.parse(raw) as SelfTestAnswer;
    } finally {
      await page.close();
    }
  }

  const offscreenCount = (): Promise<number> =>
    worker.evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] })).length);

  it('should load the extension with its service worker', () => {
    expect(worker.url()).toMatch(/^chrome-extension:\/\/[a-p]{32}\/background\.js$/);
  });

  it('should answer the tiny model selfTest from the content script through the offscreen document', async () => {
    expectTinyModelAnswer(await selfTestFromPage(), 'offscreen');
    expect(await offscreenCount()).toBe(1);
  });

  it('should recreate the offscreen document after it was closed', async () => {
    await worker.evaluate(() => chrome.offscreen.closeDocument());
    expect(await offscreenCount()).toBe(0);
    expectTinyModelAnswer(await selfTestFromPage(), 'offscreen');
    expect(await offscreenCount()).toBe(1);
  });

  const wrap = (page: Page): PageAdapter => ({
    goto: async (url) => void (await page.goto(url)),
    mouse: page.mouse,
    evaluate: ((fn: (a: unknown) => unknown, arg: unknown) => page.evaluate(fn, arg)) as Evaluate,
    async frameEvaluate(path) {
      const frame = page.frames().find((f) => f.url().endsWith(path));
      if (!frame) throw new Error(`no frame ${path}`);
      return ((fn: (a: unknown) => unknown, arg: unknown) => frame.evaluate(fn, arg)) as Evaluate;
    },
    screenshot: async (path, clip) => void (await page.screenshot({ path, clip })),
    close: () => page.close(),
  });

  defineKeyboardTests(() => ({
    origin: () => server.origin,
    openOptions: async () => {
      const page = await context.newPage();
      await page.goto(worker.url().replace(/background\.js$/, 'options.html'));
      return wrap(page);
    },
    newPage: async () => wrap(await context.newPage()),
    screenshotDir: 'docs/screenshots',
    // the background's own path: tabs.sendMessage from the service worker to the active tab
    toggle: () =>
      worker.evaluate(async () => {
        const [tab] = await (chrome as unknown as { tabs: { query(q: object): Promise<Array<{ id: number }>> } }).tabs.query({ active: true, lastFocusedWindow: true });
        await (chrome as unknown as { tabs: { sendMessage(id: number, m: object): Promise<unknown> } }).tabs.sendMessage(tab!.id, { swipeAnywhereToggle: true }).catch(() => undefined);
      }),
  }));

  it('should catch a request made from an extension context (control for the check below)', async () => {
    await worker.evaluate(() => fetch('http://egress-control.invalid/probe').then(() => undefined, () => undefined));
    expect(server.escaped).toContain(`GET ${EGRESS_CONTROL_URL}`);
  });

  it('should make no network request beyond the local test server and its own files', () => {
    const others = splitEscaped('chromium', server.escaped).other.filter((line) => line !== `GET ${EGRESS_CONTROL_URL}`);
    expect(others, 'requests that tried to leave the machine').toEqual([]);
    expect(requests.filter((url) => !isAllowedUrl(url) && url !== EGRESS_CONTROL_URL)).toEqual([]);
    // The listener is live: it saw the test page itself.
    expect(requests).toContain(server.origin + TEST_PAGE_PATH);
  });
});
