/**
 * Is the software card really a PIV card? Third-party tools from Debian say so: OpenSC
 * (`opensc-tool`, its PIV driver through `pkcs11-tool` and `piv-tool`) and Yubico's
 * `yubico-piv-tool` generate keys on it, sign with them, store and read certificates — and
 * OpenSSL verifies every signature and certificate. No USB hardware: the card is lab/pivcard.sh's.
 *
 * What these Debian versions cannot do (reported, not hidden): OpenSC 0.23's PIV driver has no
 * C_GenerateKeyPair (`pkcs11-tool --keypairgen` answers "mechanism not supported" for every PIV
 * card), so OpenSC's key generation is exercised through its `piv-tool` (whose own public-key
 * output fails under OpenSSL 3, so the new key is checked through a signature instead);
 * yubico-piv-tool 2.2.0's selfsign/request actions fail under OpenSSL 3 (Yubico issue #388),
 * so its signing is exercised with `--sign`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPivCard, type PivCardLab } from './_pivcard.ts';

let lab: PivCardLab;
let work: string;
const P11 = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';

function run(cmd: string, args: string[], opts: { input?: string; ok?: boolean } = {}): { out: string; code: number } {
  const r = spawnSync(cmd, args, { env: { ...process.env, PCSCLITE_CSOCK_NAME: lab.socket, PIV_EXT_AUTH_KEY: join(work, 'mgm.key') }, encoding: 'utf8', input: opts.input ?? '', timeout: 60_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (opts.ok !== false && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${out}`);
  return { out, code: r.status ?? -1 };
}
const ypt = (...args: string[]) => run('yubico-piv-tool', ['-r', 'Virtual PCD', ...args]);
const f = (name: string) => join(work, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tp-piv-tools-'));
  lab = startPivCard('.lab/i/pivcard/vitest-tools');
  writeFileSync(f('mgm.key'), '010203040506070801020304050607080102030405060708');
  writeFileSync(f('data.txt'), 'signed by a PIV card, checked by OpenSSL\n');
  // a CA for certificates of the card's keys (OpenSSL, not our code)
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-subj', '/CN=tools test CA', '-days', '2', '-out', f('ca.pem'));
}, 60_000);

afterAll(() => {
  lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A certificate for `pubPem` issued by the test CA. */
function certFor(pubPem: string, cn: string): string {
  openssl('x509', '-new', '-force_pubkey', pubPem, '-subj', `/CN=${cn}`, '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-days', '2', '-out', f(`${cn}.pem`));
  return f(`${cn}.pem`);
}

describe('third-party tools accept the software card as a PIV card (no USB hardware)', () => {
  test('opensc-tool: OpenSC detects a "Personal Identity Verification Card" with our ATR', () => {
    expect(run('opensc-tool', ['-n']).out).toContain('Personal Identity Verification Card');
    expect(run('opensc-tool', ['-a']).out).toMatch(/3b:8c:01:54:72:75:73:74:70:6f:69:6e:74:50:56:[0-9a-f]{2}/);
    // a raw SELECT of the PIV AID through OpenSC answers with the application property template
    expect(run('opensc-tool', ['-s', '00:A4:04:00:09:A0:00:00:03:08:00:00:10:00:00']).out).toMatch(/SW1=0x90, SW2=0x00|Received \(SW1=0x90/);
  });

  test('yubico-piv-tool: status, generate RSA-2048 in 9a and P-256 in 9c, --sign; OpenSSL verifies', () => {
    const status = ypt('-a', 'status').out;
    expect(status).toMatch(/CHUID:\s+3019d4e739da/);
    expect(status).toMatch(/PIN tries left:\s+3/);
    ypt('-a', 'generate', '-s', '9a', '-A', 'RSA2048', '-o', f('9a.pub.pem'));
    ypt('-a', 'generate', '-s', '9c', '-A', 'ECCP256', '-o', f('9c.pub.pem'));
    ypt('-a', 'verify-pin', '-P', '123456', '--sign', '-s', '9a', '-A', 'RSA2048', '-H', 'SHA256', '-i', f('data.txt'), '-o', f('9a.sig'));
    ypt('-a', 'verify-pin', '-P', '123456', '--sign', '-s', '9c', '-A', 'ECCP256', '-H', 'SHA256', '-i', f('data.txt'), '-o', f('9c.sig'));
    expect(openssl('dgst', '-sha256', '-verify', f('9a.pub.pem'), '-signature', f('9a.sig'), f('data.txt'))).toContain('Verified OK');
    expect(openssl('dgst', '-sha256', '-verify', f('9c.pub.pem'), '-signature', f('9c.sig'), f('data.txt'))).toContain('Verified OK');
  });

  test('yubico-piv-tool: import-certificate and read-certificate round-trip; test-signature checks key against certificate', () => {
    const cert = certFor(f('9a.pub.pem'), 'card-9a');
    ypt('-a', 'import-certificate', '-s', '9a', '-i', cert);
    ypt('-a', 'read-certificate', '-s', '9a', '-o', f('9a.read.pem'));
    expect(new X509Certificate(readFileSync(f('9a.read.pem'))).raw.equals(new X509Certificate(readFileSync(cert)).raw)).toBe(true);
    expect(ypt('-a', 'verify-pin', '-P', '123456', '-a', 'test-signature', '-s', '9a', '-i', cert).out).toContain('Successful RSA verification');
    ypt('-a', 'import-certificate', '-s', '9c', '-i', certFor(f('9c.pub.pem'), 'card-9c'));
  });

  test('yubico-piv-tool: a wrong PIN is counted (verify-pin fails, tries left 2), the right one restores 3', () => {
    const bad = run('yubico-piv-tool', ['-r', 'Virtual PCD', '-a', 'verify-pin', '-P', '999999'], { ok: false });
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/2 tries left|Pin verification failed/);
    expect(ypt('-a', 'status').out).toMatch(/PIN tries left:\s+2/);
    ypt('-a', 'verify-pin', '-P', '123456');
    expect(ypt('-a', 'status').out).toMatch(/PIN tries left:\s+3/);
  });

  test('OpenSC PKCS#11 (pkcs11-tool): the PIV objects are listed; RSA and ECDSA signatures through the PIV driver verify with OpenSSL', () => {
    const objs = run('pkcs11-tool', ['--module', P11, '-O']).out;
    expect(objs).toContain('Certificate for PIV Authentication');
    expect(objs).toContain('Certificate for Digital Signature');
    expect(objs).toMatch(/Public Key Object; RSA 2048 bits/);
    run('pkcs11-tool', ['--module', P11, '--login', '--pin', '123456', '--sign', '--id', '01', '-m', 'SHA256-RSA-PKCS', '-i', f('data.txt'), '-o', f('p11-9a.sig')]);
    expect(openssl('dgst', '-sha256', '-verify', f('9a.pub.pem'), '-signature', f('p11-9a.sig'), f('data.txt'))).toContain('Verified OK');
    // 9c is "PIN always": pkcs11-tool logs in again for the signature (context-specific login)
    run('pkcs11-tool', ['--module', P11, '--login', '--pin', '123456', '--sign', '--id', '02', '-m', 'ECDSA-SHA256', '--signature-format', 'openssl', '-i', f('data.txt'), '-o', f('p11-9c.sig')]);
    expect(openssl('dgst', '-sha256', '-verify', f('9c.pub.pem'), '-signature', f('p11-9c.sig'), f('data.txt'))).toContain('Verified OK');
  });

  test('OpenSC piv-tool: management-key mutual authentication, then GENERATE ASYMMETRIC KEY PAIR in 9d through the OpenSC PIV driver', () => {
    // before: slot 9d holds no key, so signing with it fails
    expect(run('yubico-piv-tool', ['-r', 'Virtual PCD', '-a', 'verify-pin', '-P', '123456', '--sign', '-s', '9d', '-A', 'ECCP256', '-i', f('data.txt'), '-o', f('9d.sig')], { ok: false }).code).not.toBe(0);
    // piv-tool generates (its own export of the new public key then fails under OpenSSL 3: exit code ignored)
    const gen = run('piv-tool', ['-A', 'M:9B:03', '-G', '9D:11', '-o', f('9d.der')], { ok: false });
    expect(gen.out).not.toMatch(/admin_mode failed/);
    // after: the card signs with a P-256 key in 9d, and the signature verifies with that slot's public key
    ypt('-a', 'verify-pin', '-P', '123456', '--sign', '-s', '9d', '-A', 'ECCP256', '-H', 'SHA256', '-i', f('data.txt'), '-o', f('9d.sig'));
    const state = JSON.parse(readFileSync(join(lab.dir, 'card.json'), 'utf8')) as { keys: Record<string, { pkcs8: string }> };
    const pub = createPublicKey(createPrivateKey({ key: Buffer.from(state.keys['9d']!.pkcs8, 'hex'), format: 'der', type: 'pkcs8' }));
    expect(pub.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(nodeVerify('sha256', readFileSync(f('data.txt')), pub, readFileSync(f('9d.sig')))).toBe(true);
    // a wrong management key is refused by the card through OpenSC as well
    writeFileSync(f('mgm.key'), '0102030405060708010203040506070801020304050607FF');
    expect(run('piv-tool', ['-A', 'M:9B:03', '-G', '9E:11'], { ok: false }).out).toMatch(/admin_mode failed/);
    writeFileSync(f('mgm.key'), '010203040506070801020304050607080102030405060708');
  });

  test('OpenSC piv-tool loads a certificate into 9d (PUT DATA with command chaining via OpenSC); yubico-piv-tool reads the same certificate', () => {
    const ca = new X509Certificate(readFileSync(f('ca.pem')));
    // piv-tool exits non-zero even on success here (it returns sc_write_binary's byte count): the card is the judge
    const load = run('piv-tool', ['-A', 'M:9B:03', '-C', '9D', '-i', f('ca.pem')], { ok: false });
    expect(load.out).not.toMatch(/admin_mode failed|error/i);
    ypt('-a', 'read-certificate', '-s', '9d', '-o', f('9d.read.pem'));
    expect(new X509Certificate(readFileSync(f('9d.read.pem'))).raw.equals(ca.raw)).toBe(true);
  });
});
