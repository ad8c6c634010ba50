/**
 * The browsers' own background services that no flag or pref fully silences in these builds.
 * They run in the browser process from start-up, before any page or extension code, so they
 * are not the extension's requests; the proxy refuses them and the tests report but tolerate
 * them. Every other request that reaches the proxy fails the test.
 */
const BROWSER_SERVICE_REQUESTS: Record<'chromium' | 'firefox', RegExp[]> = {
  chromium: [
    /^CONNECT update\.googleapis\.com:443$/, // on-demand component updater
    /^CONNECT redirector\.gvt1\.com:443$/, // the component updater's download host (seen in longer runs)
    /^POST http:\/\/update\.googleapis\.com\/service\/update2\/json\?/,
    /^CONNECT accounts\.google\.com:443$/, // Google-account cookie check
    /^GET http:\/\/clients2\.google\.com\/time\/1\/current\?/, // network time
  ],
  firefox: [
    // Remote Settings (blocklists, CRLite); its server pref only applies in Mozilla's test builds.
    /^CONNECT firefox\.settings\.services\.mozilla\.com:443$/,
  ],
};

/** Splits proxied requests into the browser's own (tolerated) and everything else (failures). */
export function splitEscaped(browser: 'chromium' | 'firefox', escaped: string[]): { browserOwn: string[]; other: string[] } {
  const known = BROWSER_SERVICE_REQUESTS[browser];
  const browserOwn = escaped.filter((line) => known.some((re) => re.test(line)));
  if (browserOwn.length > 0) console.info(`${browser}'s own service requests, refused by the proxy: ${[...new Set(browserOwn)].join(', ')}`);
  return { browserOwn, other: escaped.filter((line) => !known.some((re) => re.test(line))) };
}
