/**
 * Firefox ESR: install the built extension over WebDriver BiDi (puppeteer-core) and run the
 * selfTest round trip content script -> background page (engine host: ORT + tiny model) -> back.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitEscaped } from './support/browser-services';
import { BRIDGE_KEY, requestSelfTestInPage } from './support/bridge';
import {
  expected,
  expectTinyModelAnswer,
  FIREFOX_EXTENSION_DIR,
  isAllowedUrl,
  requireBuild,
  type SelfTestAnswer,
} from './support/fixtures';
import { startLocalServer, TEST_PAGE_PATH, type LocalServer } from './support/local-server';
import { defineKeyboardTests, type PageAdapter } from './support/keyboard-suite';
import type { Evaluate } from './support/swipe';

/** A fixed moz-extension UUID for our add-on, so the test can open its options page. */
const EXTENSION_UUID = '5a1b2c3d-0000-4000-8000-5a1b2c3d4e5f';
const ADDON_ID = 'swipe-anywhere@swipe-anywhere.dev';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

describe('Firefox extension', () => {
  let server: LocalServer;
  let browser: Browser;
  const requests: string[] = [];

  beforeAll(async () => {
    const extension = requireBuild(FIREFOX_EXTENSION_DIR);
    server = await startLocalServer();
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      protocol: 'webDriverBiDi',
      defaultViewport: { width: 1280, height: 900 },
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: EXTENSION_UUID }),
        // Every request that would leave the machine goes to the local proxy and is recorded.
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': server.port,
        'network.proxy.ssl': '127.0.0.1',
        'network.proxy.ssl_port': server.port,
        'network.proxy.no_proxies_on': '',
        'network.proxy.allow_hijacking_localhost': false,
      },
    });
    await browser.installExtension(extension);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('should answer the tiny model selfTest from the content script through the background page', async () => {
    const page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(server.origin + TEST_PAGE_PATH);
    await page.click('#text');
    const raw = await page.evaluate(requestSelfTestInPage, [BRIDGE_KEY, expected.input.data, 60_000] as [string, number[], number]);
    expectTinyModelAnswer(JSON.parse(raw) as SelfTestAnswer, 'background-page');
    await page.close();
  });

  const wrap = (page: Page): PageAdapter => {
    page.on('request', (request) => requests.push(request.url()));
    return {
      goto: async (url) => void (await page.goto(url)),
      mouse: page.mouse,
      evaluate: ((fn: (a: unknown) => unknown, arg: unknown) => page.evaluate(fn, arg)) as Evaluate,
      async frameEvaluate(path) {
        const frame = page.frames().find((f) => f.url().endsWith(path));
        if (!frame) throw new Error(`no frame ${path}`);
        return ((fn: (a: unknown) => unknown, arg: unknown) => frame.evaluate(fn, arg)) as Evaluate;
      },
      close: () => page.close(),
    };
  };

  defineKeyboardTests(() => ({
    origin: () => server.origin,
    // WebDriver BiDi may not navigate a tab to moz-extension:, so the e2e build opens it
    // (runtime.openOptionsPage) when the test page asks, and the test attaches to that tab.
    openOptions: async () => {
      const helper = await browser.newPage();
      await helper.goto(server.origin + TEST_PAGE_PATH);
      const url = `moz-extension://${EXTENSION_UUID}/options.html`;
      const before = new Set(await browser.pages());
      await helper.evaluate(async () => {
        for (let i = 0; i < 100 && document.documentElement.dataset.swipeAnywhereE2e !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
        window.postMessage({ swipeAnywhereE2eOpenOptions: true }, '*');
      });
      // The new tab reports a stale url() ("about:blank") over BiDi; ask the document itself.
      for (let i = 0; i < 100; i++) {
        for (const page of await browser.pages()) {
          if (before.has(page)) continue;
          const href = await page.evaluate(() => location.href).catch(() => '');
          if (href === url) {
            await helper.close();
            return wrap(page);
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the options page did not open');
    },
    newPage: async () => wrap(await browser.newPage()),
    // e2e builds: the page asks the background to send its tab the toolbar button's toggle
    toggle: (page) => page.evaluate(() => window.postMessage({ swipeAnywhereE2eToggle: true }, '*'), undefined),
  }));

  it('should make no network request beyond the local test server and its own files', () => {
    expect(splitEscaped('firefox', server.escaped).other, 'requests that tried to leave the machine').toEqual([]);
    expect(requests.filter((url) => !isAllowedUrl(url))).toEqual([]);
    expect(requests).toContain(server.origin + TEST_PAGE_PATH);
  });
});
