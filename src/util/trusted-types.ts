/**
 * Trusted Types for the script URLs the app loads itself. The page's policy
 * (deploy/csp.ts) has `require-trusted-types-for 'script'`, so `new Worker(url)` and
 * `navigator.serviceWorker.register(url)` take only a TrustedScriptURL; the `trustpoint-url`
 * policy makes one for exactly two kinds of URL — the core worker's chunk and the service
 * worker, on the app's own origin — and refuses anything else. (Lit renders through its own
 * `lit-html` policy.) Without Trusted Types (other browsers, node) the URL passes as a string.
 */
interface TrustedTypePolicyLike {
  createScriptURL(input: string): unknown;
}
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): TrustedTypePolicyLike;
}

export const TRUSTED_URL_POLICY = 'trustpoint-url';

let policy: TrustedTypePolicyLike | undefined;

/** Same origin, and the service worker or the core worker script (built or dev). */
function checkScriptUrl(input: string): string {
  const here = (globalThis as { location?: { href: string; origin: string } }).location;
  const url = new URL(input, here?.href);
  const ok = url.origin === here?.origin && (/\/sw\.js$/.test(url.pathname) || /\/assets\/worker-[^/]+\.js$/.test(url.pathname) || /\/src\/core\/wasm-worker\.ts$/.test(url.pathname));
  if (!ok) throw new TypeError(`${TRUSTED_URL_POLICY}: not a script this app loads: ${input}`);
  return url.href;
}

/** `url` as a TrustedScriptURL where Trusted Types exist (typed as string for the DOM APIs). */
export function trustedScriptUrl(url: string | URL): string {
  const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  if (!tt) return String(url);
  policy ??= tt.createPolicy(TRUSTED_URL_POLICY, { createScriptURL: checkScriptUrl });
  return policy.createScriptURL(String(url)) as string;
}
