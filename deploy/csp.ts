/**
 * The Content-Security-Policy Trustpoint is served with — one place for the policy text, used
 * by the start command's server (`vite preview`, vite.config.ts), by the `<meta>` the build puts
 * into index.html for hosts that cannot send headers, and checked against deploy/nginx.conf by
 * tests/unit/deploy/csp.test.ts (nginx cannot import it, so the test keeps the copy in step).
 *
 * - The page: scripts only from the app's origin (plus WebAssembly compilation), no plugins, no
 *   <base>, no framing, no form posts; `connect-src` is open to any http(s) URL because a
 *   trustpoint's `enrollment url` may name any CA; Trusted Types are required for every script
 *   sink: Lit's own policy (`lit-html`) and `trustpoint-url` (src/util/trusted-types.ts), which
 *   admits exactly the core worker and the service worker scripts.
 * - The core worker (assets/worker-*.js) and the service worker (sw.js) get their own, narrower
 *   policies: same-origin code only, no Trusted Types policies at all; the core worker fetches
 *   only core.wasm, the service worker its precache and, for background renewal, the CAs.
 */
const PAGE_DIRECTIVES: [string, string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['connect-src', "'self' http: https:"],
  ['worker-src', "'self'"],
  ['manifest-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
  ['require-trusted-types-for', "'script'"],
  ['trusted-types', 'lit-html trustpoint-url'],
];

const join = (d: [string, string][]) => d.map(([k, v]) => `${k} ${v}`).join('; ');

/** The page's policy, as a response header. */
export const PAGE_CSP = join(PAGE_DIRECTIVES);

/** The page's policy as a `<meta http-equiv>`: browsers ignore frame-ancestors there (and warn). */
export const META_CSP = join(PAGE_DIRECTIVES.filter(([k]) => k !== 'frame-ancestors'));

/** The core worker: its module chunks and core.wasm, nothing else. */
export const WORKER_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'";

/**
 * The service worker: fetches the app's own files for the precache, and — renewing certificates
 * while the app is closed (src/sw-renew.ts) — runs the WASM core and talks to the CAs.
 */
export const SW_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' http: https:; require-trusted-types-for 'script'; trusted-types 'none'";

/** Where the core worker's chunk lives in a build (vite.config.ts names it so). */
export const WORKER_PATH = /^\/(?:.*\/)?assets\/worker-[^/]*\.js$/;

/** The policy header for a request path of a build. */
export function cspFor(pathname: string): string {
  if (/(^|\/)sw\.js$/.test(pathname)) return SW_CSP;
  if (WORKER_PATH.test(pathname)) return WORKER_CSP;
  return PAGE_CSP;
}

/** Other headers every response of the app carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
