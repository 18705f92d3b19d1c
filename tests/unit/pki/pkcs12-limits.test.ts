/**
 * Issue 12, defect 8 (PKCS#12): bounded work on hostile files. A file without a MAC and with
 * many shrouded key bags stops at the second key bag — one key derivation, not twenty — and
 * one import never spends more than its key-derivation budget, however many encrypted parts
 * the file has; legitimate files are well inside it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../../src/core/api.ts';
import { DER } from '../../../src/pki/csr.ts';
import { PKCS12_LIMITS, readPkcs12 } from '../../../src/pki/pkcs12.ts';
import { derUint, encodePbeAlgorithm, newPbeParams, passwordForms, pbeEncrypt, type PbeCrypto } from '../../../src/pki/private-key.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { loadCore } from '../_core.ts';

const DATA = '1.2.840.113549.1.7.1';
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const SHROUDED = '1.2.840.113549.1.12.10.1.2';
const PW = 'hostile';

let core: CoreApi;
/** The core, counting the iterations it is asked for. */
function counting(): { c: PbeCrypto; iterations: () => number; derivations: () => number } {
  let iterations = 0;
  let derivations = 0;
  return {
    c: {
      ...core,
      digest: core.digest.bind(core),
      hmac: core.hmac.bind(core),
      encryptCbc: core.encryptCbc.bind(core),
      decryptCbc: core.decryptCbc.bind(core),
      pbkdf2: (...a: Parameters<CoreApi['pbkdf2']>) => {
        iterations += a[3];
        derivations++;
        return core.pbkdf2(...a);
      },
      pkcs12Kdf: (...a: Parameters<CoreApi['pkcs12Kdf']>) => {
        iterations += a[4];
        derivations++;
        return core.pkcs12Kdf(...a);
      },
    },
    iterations: () => iterations,
    derivations: () => derivations,
  };
}

/** A tiny valid-looking PKCS#8 (what is inside does not matter before the second bag). */
const PKCS8 = DER.seq(derUint(0), DER.seq(DER.oid('1.2.840.10045.2.1'), DER.oid('1.2.840.10045.3.1.7')), DER.tlv(0x04, DER.seq(derUint(1), DER.tlv(0x04, new Uint8Array(32).fill(7)))));

const pfx = (...contentInfos: Uint8Array[]) => DER.seq(derUint(3), DER.seq(DER.oid(DATA), DER.tlv(0xa0, DER.tlv(0x04, DER.seq(...contentInfos)))));
const dataInfo = (...bags: Uint8Array[]) => DER.seq(DER.oid(DATA), DER.tlv(0xa0, DER.tlv(0x04, DER.seq(...bags))));

beforeAll(async () => {
  core = await loadCore('release');
});

describe('PKCS#12 work limits', () => {
  it('no MAC and 20 shrouded key bags: stops at the second bag, after one key derivation', async () => {
    const pbe = newPbeParams('aes', 200_000, 'test');
    const enc = await pbeEncrypt(core, pbe, passwordForms(PW), PKCS8);
    const bag = DER.seq(DER.oid(SHROUDED), DER.tlv(0xa0, DER.seq(encodePbeAlgorithm(pbe), DER.tlv(0x04, enc))));
    const file = pfx(dataInfo(...Array.from({ length: 20 }, () => bag)));
    const m = counting();
    const t0 = performance.now();
    const e = await readPkcs12(file, PW, m.c).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PkiError);
    expect((e as PkiError).code).toBe('unsupported');
    expect((e as PkiError).message).toBe('pkcs12.read: the file holds more than one private key; only one per file is supported');
    expect(m.derivations()).toBe(1);
    expect(m.iterations()).toBe(200_000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('no MAC and many encrypted parts: the import stops when its iteration budget is spent', async () => {
    const pbe = newPbeParams('aes', 100_000, 'test');
    const enc = await pbeEncrypt(core, pbe, passwordForms(PW), DER.seq());
    const part = DER.seq(DER.oid(ENCRYPTED_DATA), DER.tlv(0xa0, DER.seq(derUint(0), DER.seq(DER.oid(DATA), encodePbeAlgorithm(pbe), DER.tlv(0x80, enc)))));
    const file = pfx(...Array.from({ length: 60 }, () => part));
    const m = counting();
    const e = await readPkcs12(file, PW, m.c, { maxIterations: 350_000 }).catch((x: unknown) => x);
    expect((e as PkiError).code).toBe('unsupported');
    expect((e as PkiError).message).toBe('pkcs12.read: opening this file would take more than 350,000 key-derivation iterations in total (a limit against hostile files)');
    expect(m.iterations()).toBeLessThanOrEqual(350_000);
    expect(m.derivations()).toBe(3);
    // the default budget is the per-derivation limit: 10,000,000 iterations in all
    expect(PKCS12_LIMITS.iterations).toBe(10_000_000);
  });

  it('a legitimate file (MAC, encrypted certificates, shrouded key) opens well inside the budget', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tp-p12lim-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=legit', '-days', '2'], { cwd: dir, stdio: 'ignore' });
      execFileSync('openssl', ['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-out', 'f.p12', '-passout', `pass:${PW}`, '-iter', '100000'], { cwd: dir, stdio: 'ignore' });
      const m = counting();
      const got = await readPkcs12(new Uint8Array(readFileSync(join(dir, 'f.p12'))), PW, m.c, { maxIterations: 300_000 });
      expect(got.key).toBeDefined();
      expect(got.certificates).toHaveLength(1);
      expect(m.iterations()).toBe(300_000); // MAC + certificates + key, 100,000 each
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
