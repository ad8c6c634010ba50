/**
 * Firefox ESR: install the built extension over WebDriver BiDi (puppeteer-core) and run the
 * selfTest round trip content script -> background page (engine host: ORT + tiny model) -> back.
 */
import puppeteer, { type Browser } from 'puppeteer-core';
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
      extraPrefsFirefox: {
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

  it('should make no network request beyond the local test server and its own files', () => {
    expect(splitEscaped('firefox', server.escaped).other, 'requests that tried to leave the machine').toEqual([]);
    expect(requests.filter((url) => !isAllowedUrl(url))).toEqual([]);
    expect(requests).toContain(server.origin + TEST_PAGE_PATH);
  });
});
