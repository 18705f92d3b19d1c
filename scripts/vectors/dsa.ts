/**
 * Runs NIST CAVP DSA signature-verification files (`SigVer.rsp`, FIPS 186-2 and 186-3; Debian's
 * python3-cryptography-vectors ships them under asymmetric/DSA/) through src/pki/dsa.ts, the
 * verifier the chain validator uses for DSA-signed certificates and CRLs. Sections
 * `[mod = L=…, N=…, SHA-…]` set the hash; each record gives P, Q, G (or the section does), Msg,
 * Y, R, S and `Result = P` or `F (reason)`. The key and signature are DER-encoded as a
 * certificate would carry them (RFC 3279 §2.3.2, Dss-Sig-Value), so the DER path is tested
 * too. Hashes the core does not offer, and key sizes the verifier refuses (p above 3072 bits
 * or q not 160/224/256), are counted as skipped with the reason — never as passed.
 */
import type { HashAlg } from '../../src/core/api.ts';
import { dsaVerify } from '../../src/pki/dsa.ts';

const HASHES: Record<string, HashAlg> = { 'SHA-1': 'SHA-1', 'SHA-224': 'SHA-224', 'SHA-256': 'SHA-256', 'SHA-384': 'SHA-384', 'SHA-512': 'SHA-512' };

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v >>= 8) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}
const tlv = (tag: number, body: number[]): number[] => [tag, ...len(body.length), ...body];
function int(hex: string): number[] {
  const h = hex.length % 2 ? `0${hex}` : hex;
  let b = Array.from(Buffer.from(h, 'hex'));
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b = b.slice(1);
  if (b[0]! & 0x80) b = [0, ...b];
  return tlv(0x02, b);
}
const DSA_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];

function spkiOf(p: string, q: string, g: string, y: string): Uint8Array {
  const params = tlv(0x30, [...int(p), ...int(q), ...int(g)]);
  const key = int(y);
  return Uint8Array.from(tlv(0x30, [...tlv(0x30, [...DSA_OID, ...params]), ...tlv(0x03, [0, ...key])]));
}

export async function runDsaFile(text: string, digest: (h: HashAlg, d: Uint8Array) => Promise<Uint8Array>): Promise<{ passed: number; failed: number; skipped: number; lines: string[] }> {
  let hash: string | undefined;
  const section: Record<string, string> = {};
  let rec: Record<string, string> = {};
  let passed = 0,
    failed = 0,
    skipped = 0;
  const lines: string[] = [];
  const skips = new Map<string, number>();
  const finish = async () => {
    if (!rec.Result) return;
    const r = rec;
    rec = {};
    const P = r.P ?? section.P, Q = r.Q ?? section.Q, G = r.G ?? section.G;
    const h = hash ? HASHES[hash] : undefined;
    if (!h || !P || !Q || !G) {
      skips.set(`hash ${hash ?? '(none)'} or parameters missing`, (skips.get(`hash ${hash}`) ?? 0) + 1);
      skipped++;
      return;
    }
    const expected = r.Result!.startsWith('P');
    let got: boolean;
    try {
      got = await dsaVerify(spkiOf(P, Q, G, r.Y!), h, Buffer.from(r.Msg!, 'hex'), Uint8Array.from(tlv(0x30, [...int(r.R!), ...int(r.S!)])), digest);
    } catch (e) {
      const why = (e as Error).message;
      if (/unusable domain parameters/.test(why)) {
        skips.set(why, (skips.get(why) ?? 0) + 1);
        skipped++;
        return;
      }
      got = false;
    }
    if (got === expected) passed++;
    else {
      failed++;
      lines.push(`[${hash}] Y=${r.Y!.slice(0, 16)}… expected ${r.Result}, got ${got ? 'P' : 'F'}`);
    }
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\[mod = L=(\d+), N=(\d+), (SHA-\d+)\]$/.exec(line) ?? /^\[mod = (\d+)\]$/.exec(line);
    if (m) {
      await finish();
      hash = m[3] ?? 'SHA-1';
      for (const k of Object.keys(section)) delete section[k];
      continue;
    }
    const kv = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, k, v] = kv as unknown as [string, string, string];
    if (k === 'Msg' && rec.Msg) await finish();
    if ((k === 'P' || k === 'Q' || k === 'G') && !rec.Msg) section[k] = v;
    else rec[k] = v;
    if (k === 'Result') await finish();
  }
  await finish();
  for (const [why, n] of skips) lines.unshift(`skipped ${n}: ${why}`);
  return { passed, failed, skipped, lines };
}
