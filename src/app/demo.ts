/**
 * The demo CA: when the README's start command brings up the peer lab (a real SCEP CA behind a
 * CORS proxy on 127.0.0.1), it writes `demo-ca.json` beside the app, and the app offers a
 * ready-made trustpoint for it — so a newcomer enrolls a real certificate within a minute.
 * When the lab could not start, the file says why, and the app says so and carries on.
 *
 * demo-ca.json (written by scripts/demo-ca.mjs):
 *   { "available": true, "url": "http://127.0.0.1:18081/scep", "fingerprint": "<64 hex>",
 *     "challenge": "lab-secret", "caSubject": "C=DE, O=Peer Lab, OU=SCEP Lab CA" }
 *   { "available": false, "reason": "..." }
 */

export interface DemoCa {
  url: string;
  /** SHA-256 of the CA certificate, 64 hex digits */
  fingerprint: string;
  challenge: string;
  caSubject: string;
}

export type DemoState = { kind: 'available'; ca: DemoCa } | { kind: 'unavailable'; reason: string } | { kind: 'none' };

/** The trustpoint name the demo uses. */
export const DEMO_TRUSTPOINT = 'DEMO';

const str = (v: unknown, max = 500): string | undefined => (typeof v === 'string' && v.length <= max && !/[\u0000-\u001f]/.test(v) ? v : undefined);

/** Reads and checks a demo-ca.json body; anything malformed counts as no demo. */
export function parseDemoCa(body: unknown): DemoState {
  if (!body || typeof body !== 'object') return { kind: 'none' };
  const o = body as Record<string, unknown>;
  if (o.available === false) return { kind: 'unavailable', reason: str(o.reason) ?? 'no reason given' };
  if (o.available !== true) return { kind: 'none' };
  const url = str(o.url);
  const fingerprint = str(o.fingerprint)?.replace(/\s+/g, '').toUpperCase();
  const challenge = o.challenge === undefined || o.challenge === '' ? '' : str(o.challenge, 100);
  if (challenge === undefined) return { kind: 'none' };
  const caSubject = str(o.caSubject) ?? '';
  if (!url || !/^https?:\/\/[^\s]+$/.test(url) || !fingerprint || !/^[0-9A-F]{64}$/.test(fingerprint)) return { kind: 'none' };
  if (/\s/.test(challenge)) return { kind: 'none' };
  return { kind: 'available', ca: { url, fingerprint, challenge, caSubject } };
}

/** Looks for demo-ca.json next to the app (never cached: the lab may have come or gone). */
export async function probeDemoCa(fetchFn: typeof fetch = fetch, base: string = document.baseURI): Promise<DemoState> {
  try {
    const r = await fetchFn(new URL('demo-ca.json', base).href, { cache: 'no-store' });
    if (!r.ok || !(r.headers.get('content-type') ?? '').includes('json')) return { kind: 'none' };
    return parseDemoCa(await r.json());
  } catch {
    return { kind: 'none' };
  }
}

/** IOS words of 8 hex digits. */
const words = (hex: string) => hex.match(/.{1,8}/g)!.join(' ');

/**
 * The console lines that set up and enroll the demo trustpoint, from exec mode (privileged):
 * nothing in them asks a question (fingerprint pre-entered, serial number and IP address
 * declined, challenge password configured). `again`: renew the demo certificate instead.
 */
export function demoLines(ca: DemoCa, hostname: string, again = false): string[] {
  // A second press renews: `crypto pki enroll` then asks whether to re-enroll, answered yes.
  if (again) return ['enable', 'configure terminal', `crypto pki enroll ${DEMO_TRUSTPOINT}`, 'yes', 'end', `show crypto pki certificates ${DEMO_TRUSTPOINT}`];
  return [
    'enable',
    'configure terminal',
    `crypto pki trustpoint ${DEMO_TRUSTPOINT}`,
    ` enrollment url ${ca.url}`,
    ` fingerprint ${words(ca.fingerprint)}`,
    ...(ca.challenge ? [` password ${ca.challenge}`] : []),
    ` subject-name CN=${hostname}-demo, O=Trustpoint demo`,
    ' serial-number none',
    ' ip-address none',
    ` rsakeypair ${DEMO_TRUSTPOINT} 2048`,
    ' exit',
    `crypto pki authenticate ${DEMO_TRUSTPOINT}`,
    `crypto pki enroll ${DEMO_TRUSTPOINT}`,
    'end',
    `show crypto pki certificates ${DEMO_TRUSTPOINT}`,
  ];
}

/** What the console says about the demo CA at start-up (nothing when there is none). */
export function demoBanner(state: DemoState, haveDemo: boolean): string[] {
  if (state.kind === 'unavailable') return [`% The demo SCEP CA is not running: ${state.reason}`, '% Trustpoint works without it; lab/README.md says how to start one.'];
  if (state.kind !== 'available' || haveDemo) return [];
  return [
    `% A demo SCEP CA is running beside this app: ${state.ca.caSubject || 'SCEP CA'} at ${state.ca.url}`,
    `%   CA fingerprint (SHA-256): ${words(state.ca.fingerprint)}`,
    `% To enroll a certificate from it, open Trustpoints and choose "Enroll from the demo CA" (trustpoint ${DEMO_TRUSTPOINT}).`,
  ];
}
