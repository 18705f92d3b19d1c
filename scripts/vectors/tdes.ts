/**
 * Runs NIST CAVP DES/TDES known-answer files in BoringSSL's cipher-test text format
 * (`../shared/vectors/nist-cavp-tdes/tdes_cbc.txt`, vectors README §3): blank-line separated
 * records of `Key: Value` lines (`Cipher`, `Operation`, `Key`, `IV`, `Plaintext`,
 * `Ciphertext`), `#` comments. No padding is applied.
 *
 * `Cipher` may be DES-EDE3-CBC, DES-EDE3 / DES-EDE3-ECB (no IV), DES-EDE-CBC, DES-EDE /
 * DES-EDE-ECB (two-key, K3 = K1), DES-CBC, DES / DES-ECB. `Operation` is ENCRYPT, DECRYPT,
 * or absent (both directions are checked). Records with another cipher or operation are
 * counted as skipped, with the reason.
 */
import type { CipherOps } from '../../src/core/ops/cipher.ts';
import { bytesToHex, hexToBytes } from './types.ts';

/** What a run needs of the core (a CoreInstance provides it). */
export type TdesCore = Pick<CipherOps, 'encryptCbc' | 'decryptCbc' | 'encryptEcb' | 'decryptEcb'>;

export interface TdesResult {
  passed: number;
  failed: number;
  skipped: number;
  /** One line per skip reason (with its count), then one per failure. */
  lines: string[];
}

interface Mode {
  cbc: boolean;
  cbcAlg: 'DES-CBC' | 'DES-EDE3-CBC' | 'DES-EDE-CBC';
  ecbAlg: 'DES-ECB' | 'DES-EDE3-ECB' | 'DES-EDE-ECB';
}

const CIPHERS: Readonly<Record<string, Mode>> = {
  'DES-EDE3-CBC': { cbc: true, cbcAlg: 'DES-EDE3-CBC', ecbAlg: 'DES-EDE3-ECB' },
  'DES-EDE3': { cbc: false, cbcAlg: 'DES-EDE3-CBC', ecbAlg: 'DES-EDE3-ECB' },
  'DES-EDE3-ECB': { cbc: false, cbcAlg: 'DES-EDE3-CBC', ecbAlg: 'DES-EDE3-ECB' },
  'DES-EDE-CBC': { cbc: true, cbcAlg: 'DES-EDE-CBC', ecbAlg: 'DES-EDE-ECB' },
  'DES-EDE': { cbc: false, cbcAlg: 'DES-EDE-CBC', ecbAlg: 'DES-EDE-ECB' },
  'DES-EDE-ECB': { cbc: false, cbcAlg: 'DES-EDE-CBC', ecbAlg: 'DES-EDE-ECB' },
  'DES-CBC': { cbc: true, cbcAlg: 'DES-CBC', ecbAlg: 'DES-ECB' },
  DES: { cbc: false, cbcAlg: 'DES-CBC', ecbAlg: 'DES-ECB' },
  'DES-ECB': { cbc: false, cbcAlg: 'DES-CBC', ecbAlg: 'DES-ECB' },
};

interface TdesRecord {
  line: number;
  fields: Map<string, string>;
}

/** Splits the file into records (1-based line number of each record's first line). */
export function parseTdesFile(text: string): TdesRecord[] {
  const records: TdesRecord[] = [];
  let cur: TdesRecord | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      if (line === '' && cur) {
        records.push(cur);
        cur = undefined;
      }
      return;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw new SyntaxError(`tdes: line ${i + 1}: expected "Key: Value", got ${JSON.stringify(line)}`);
    cur ??= { line: i + 1, fields: new Map() };
    cur.fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  });
  if (cur) records.push(cur);
  return records;
}

/** Runs every record of `text` against the core. */
export function runTdesFile(core: TdesCore, text: string): TdesResult {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures: string[] = [];
  const skips = new Map<string, number>();
  const skip = (reason: string) => {
    skipped++;
    skips.set(reason, (skips.get(reason) ?? 0) + 1);
  };

  for (const rec of parseTdesFile(text)) {
    const f = rec.fields;
    const cipher = f.get('Cipher') ?? '';
    const mode = Object.hasOwn(CIPHERS, cipher) ? CIPHERS[cipher] : undefined;
    if (!mode) {
      skip(`cipher ${JSON.stringify(cipher)} is not a DES/TDES cipher of the core`);
      continue;
    }
    const op = f.get('Operation');
    if (op !== undefined && op !== 'ENCRYPT' && op !== 'DECRYPT') {
      skip(`operation ${JSON.stringify(op)} is not ENCRYPT or DECRYPT`);
      continue;
    }
    const missing = ['Key', 'Plaintext', 'Ciphertext', ...(mode.cbc ? ['IV'] : [])].filter((k) => !f.has(k));
    if (missing.length) {
      failed++;
      failures.push(`line ${rec.line}: ${cipher}: missing ${missing.join(', ')}`);
      continue;
    }
    const where = `line ${rec.line}: ${cipher} ${op ?? 'ENCRYPT+DECRYPT'}`;
    try {
      const key = hexToBytes(f.get('Key')!);
      const iv = mode.cbc ? hexToBytes(f.get('IV')!) : undefined;
      const pt = f.get('Plaintext')!.toLowerCase();
      const ct = f.get('Ciphertext')!.toLowerCase();
      const noPad = { padding: false };
      const errors: string[] = [];
      if (op !== 'DECRYPT') {
        const out = bytesToHex(iv ? core.encryptCbc(mode.cbcAlg, key, iv, hexToBytes(pt), noPad) : core.encryptEcb(mode.ecbAlg, key, hexToBytes(pt), noPad));
        if (out !== ct) errors.push(`encrypt gave ${out}, want ${ct}`);
      }
      if (op !== 'ENCRYPT') {
        const out = bytesToHex(iv ? core.decryptCbc(mode.cbcAlg, key, iv, hexToBytes(ct), noPad) : core.decryptEcb(mode.ecbAlg, key, hexToBytes(ct), noPad));
        if (out !== pt) errors.push(`decrypt gave ${out}, want ${pt}`);
      }
      if (errors.length) {
        failed++;
        failures.push(`${where}: ${errors.join('; ')}`);
      } else passed++;
    } catch (e) {
      failed++;
      failures.push(`${where}: ${(e as Error).message}`);
    }
  }
  const lines = [...Array.from(skips, ([reason, n]) => `skipped ${n}: ${reason}`), ...failures];
  return { passed, failed, skipped, lines };
}
