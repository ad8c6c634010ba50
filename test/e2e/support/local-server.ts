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
    if (req.url === TEST_PAGE_PATH) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(TEST_PAGE);
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
