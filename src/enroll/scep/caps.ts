/**
 * GetCACaps (RFC 8894 §3.5.2): the capability list, parsed leniently (CR, LF or CRLF, a
 * missing final newline, stray spaces, any case, unknown keywords kept), and the choices a
 * client makes from it: content cipher AES-128-CBC > 3DES (single DES only when asked
 * explicitly), digest SHA-256 > SHA-1 (never MD5), POST when POSTPKIOperation or SCEPStandard
 * is advertised, RenewalReq when Renewal is.
 */
import { escapeControls } from '../../util/text.ts';

export type ScepCipher = 'AES-128-CBC' | 'DES-EDE3-CBC' | 'DES-CBC';
export type ScepDigest = 'SHA-256' | 'SHA-512' | 'SHA-1';

export interface CaCaps {
  /** every keyword as sent (original case), de-duplicated */
  raw: string[];
  has(keyword: string): boolean;
}

export function parseCaCaps(body: string): CaCaps {
  const raw: string[] = [];
  const seen = new Set<string>();
  for (const line of body.split(/\r\n|\r|\n/)) {
    const k = escapeControls(line.trim());
    if (!k || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    raw.push(k);
  }
  return { raw, has: (kw) => seen.has(kw.toLowerCase()) };
}

export interface ScepChoices {
  cipher: ScepCipher;
  digest: ScepDigest;
  post: boolean;
  renewal: boolean;
  getNextCACert: boolean;
}

/** What to use with a CA of these caps. `allowDes` permits single DES for a CA that offers nothing else. */
export function chooseFromCaps(caps: CaCaps, opts: { allowDes?: boolean } = {}): ScepChoices | { error: string } {
  const standard = caps.has('SCEPStandard');
  let cipher: ScepCipher | undefined;
  if (caps.has('AES') || standard) cipher = 'AES-128-CBC';
  else if (caps.has('DES3')) cipher = 'DES-EDE3-CBC';
  else if (opts.allowDes) cipher = 'DES-CBC';
  if (!cipher) return { error: 'the CA offers neither AES nor DES3 (GetCACaps); single DES is refused unless explicitly allowed' };
  let digest: ScepDigest;
  if (caps.has('SHA-256') || standard) digest = 'SHA-256';
  else if (caps.has('SHA-512')) digest = 'SHA-512';
  else digest = 'SHA-1';
  return {
    cipher,
    digest,
    post: caps.has('POSTPKIOperation') || standard,
    renewal: caps.has('Renewal') || standard,
    getNextCACert: caps.has('GetNextCACert'),
  };
}
