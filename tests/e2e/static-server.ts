/**
 * A minimal static file server for the tests that need a MODIFIED copy of the build (a new
 * version published under a running app, a demo-ca.json beside it) or a page that is not the
 * app: serves a directory on 127.0.0.1 (a random free port), with the MIME types a PWA needs
 * (application/wasm for streaming compilation, the manifest type). Everything else runs on the
 * servers users run (tests/e2e/servers.ts: the start command, nginx). It sends no
 * Content-Security-Policy header: the build's <meta> policy applies, as on any plain host.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
  /** Requests seen (path), for assertions about what came from the network. */
  log: string[];
}

export async function serveDir(root: string, opts: { cacheControl?: string } = {}): Promise<StaticServer> {
  const log: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push(url.pathname);
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(normalize(root))) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': opts.cacheControl ?? 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
