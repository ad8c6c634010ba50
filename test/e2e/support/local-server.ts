/**
 * One local HTTP server on 127.0.0.1 (random port) with two jobs:
 *  - serves the e2e test page (a text input plus the field the e2e bridge writes into);
 *  - acts as the browser's HTTP/HTTPS proxy, so any request that would leave the machine
 *    arrives here instead, is recorded as a violation, and is refused. This catches requests
 *    from every context (service worker, offscreen document, background page), which
 *    per-page request listeners cannot all see.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEST_PAGE_PATH = '/page.html';

const TEST_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>SwipeAnywhere e2e</title></head>
  <body>
    <label>Type here <input id="text" type="text" autocomplete="on"></label>
    <label>Self-test result <input id="selftest-result" type="text" readonly></label>
  </body>
</html>`;

/** Every field type the keyboard must serve (and one it must never open on). */
export const FIELDS_PAGE_PATH = '/fields.html';
export const FRAME_PAGE_PATH = '/frame.html';

const FIELDS_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>SwipeAnywhere fields</title>
  <style>body { font: 16px sans-serif; margin: 16px; } .f { display: block; margin: 6px 0; width: 320px; }
  #ce { border: 1px solid #888; min-height: 1.5em; } iframe { width: 420px; height: 460px; border: 1px solid #888; }</style></head>
  <body>
    <input id="plain" class="f" type="text" placeholder="plain input">
    <textarea id="area" class="f" placeholder="textarea"></textarea>
    <div id="ce" class="f" contenteditable="true"></div>
    <input id="react" class="f" type="text" placeholder="React-style controlled input">
    <span id="react-state"></span>
    <input id="password" class="f" type="password" placeholder="password">
    <div id="shadow-host"></div>
    <iframe id="frame" src="${FRAME_PAGE_PATH}"></iframe>
    <div style="height: 900px"></div>
    <input id="bottom" class="f" type="text" placeholder="far down the page">
    <input id="selftest-result" type="text" readonly>
    <script>
      // A React-style controlled input: the value lives in "state" and is re-rendered from it;
      // React's own value tracker is an instance property shadowing the prototype setter, so an
      // insertion that sets el.value directly without an input event is reverted on re-render.
      (() => {
        const el = document.getElementById('react');
        const proto = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
        let tracked = '';
        Object.defineProperty(el, 'value', { configurable: true, get() { return proto.get.call(this); }, set(v) { tracked = String(v); proto.set.call(this, v); } });
        let state = '';
        const render = () => { if (proto.get.call(el) !== state) el.value = state; document.getElementById('react-state').textContent = state; };
        el.addEventListener('input', () => { const v = proto.get.call(el); if (v !== tracked) { state = v; tracked = v; } render(); });
        const sh = document.getElementById('shadow-host').attachShadow({ mode: 'open' });
        sh.innerHTML = '<input id="in-shadow" type="text" placeholder="in an open shadow root" style="width: 320px">';
      })();
    </script>
  </body>
</html>`;

const FRAME_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>frame</title></head>
  <body style="margin: 4px"><textarea id="inner" style="width: 320px" placeholder="textarea in an iframe"></textarea></body>
</html>`;

export interface LocalServer {
  origin: string;
  port: number;
  /** Requests that tried to leave the machine, as "METHOD url". */
  escaped: string[];
  close(): Promise<void>;
}

/** A proxied request names an absolute URL (or CONNECTs); a direct one names a path. */
function proxiedTarget(req: IncomingMessage): string | undefined {
  return req.url?.startsWith('/') ? undefined : req.url;
}

export async function startLocalServer(): Promise<LocalServer> {
  const escaped: string[] = [];
  const server = createServer((req, res) => {
    const target = proxiedTarget(req);
    if (target !== undefined) {
      escaped.push(`${req.method ?? '?'} ${target}`);
      res.writeHead(403).end('SwipeAnywhere e2e: network access is forbidden');
      return;
    }
    const page = { [TEST_PAGE_PATH]: TEST_PAGE, [FIELDS_PAGE_PATH]: FIELDS_PAGE, [FRAME_PAGE_PATH]: FRAME_PAGE }[req.url ?? ''];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    // Browsers ask for /favicon.ico; a local 404 is harmless.
    res.writeHead(404).end();
  });
  server.on('connect', (req, socket) => {
    escaped.push(`CONNECT ${req.url ?? '?'}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    escaped,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
