/**
 * Vite plugin: the Content-Security-Policy of deploy/csp.ts on the app.
 * - build: a `<meta http-equiv="Content-Security-Policy">` first in index.html's <head>, for
 *   hosts that cannot send headers (the meta cannot carry frame-ancestors);
 * - `vite preview` (the start command's server): the policy as a response header — the page's
 *   policy, or the core worker's and the service worker's own — plus the other security headers.
 * The dev server (`npm run dev`) gets no policy: Vite's hot reload injects inline styles.
 */
import type { Plugin } from 'vite';
import { META_CSP, SECURITY_HEADERS, cspFor } from '../../deploy/csp.ts';

export function contentSecurityPolicy(): Plugin {
  return {
    name: 'trustpoint-csp',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        if (ctx.server) return html;
        // Right after <meta charset>: a <meta> policy covers only what follows it.
        const meta = `<meta http-equiv="Content-Security-Policy" content="${META_CSP.replaceAll('"', '&quot;')}" />`;
        const out = html.replace(/(<meta charset="[^"]*"\s*\/?>)/i, `$1\n    ${meta}`);
        if (out === html) throw new Error('index.html: no <meta charset> to put the Content-Security-Policy after');
        return out;
      },
    },
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        res.setHeader('Content-Security-Policy', cspFor(path));
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
        next();
      });
    },
  };
}
